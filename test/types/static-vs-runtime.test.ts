/**
 * What the run time gives where type-tests/static-vs-runtime.test-d.ts fixes the static type: empty literals,
 * transpose permutations, an index that may be an integer or a slice. References: numpy 2's results, written out.
 */
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';

const T = theano.tensor;

describe('static types agree with the run time', () => {
  test('an empty list is an empty float64 vector, [[]] a 1x0 float64 matrix (np.array([]), np.array([[]]))', () => {
    expect([T.constant([]).dtype, T.constant([]).ndim]).toEqual(['float64', 1]);
    expect(theano.shared([]).getValue().shape).toEqual([0]);
    expect(theano.shared([]).dtype).toBe('float64');
    const a = theano.array([[]]);
    expect([a.dtype, a.shape]).toEqual(['float64', [1, 0]]);
    expect(theano.array([[[[[[1]]]]]]).shape).toEqual([1, 1, 1, 1, 1, 1]);
  });

  test('transpose takes a permutation of the axes (numpy raises on [0] for a matrix)', () => {
    const m = T.dmatrix('m');
    const f = theano.function([m], T.transpose(m, [1, 0]));
    expect(
      f([
        [1, 2, 3],
        [4, 5, 6],
      ]).toArray(),
    ).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(T.transpose(T.tensor('float64', 3), [-1, 0, 1]).type.toString()).toBe('float64 tensor3');
    expect(() => T.transpose(m, [0] as never)).toThrow(
      /transpose: axes \[0\] are not a permutation of the 2 axes of a rank-2 tensor/,
    );
    expect(() => T.transpose(m, [0, 0])).toThrow(/not a permutation/);
  });

  test('an index that may be an integer or a slice: each gives its own rank', () => {
    const m = T.dmatrix('m');
    for (const pick of [true, false]) {
      const x = m.get(pick ? 0 : T.slice(1));
      expect(x.ndim).toBe(pick ? 1 : 2);
    }
  });
});
