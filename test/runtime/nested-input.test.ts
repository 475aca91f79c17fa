import { describe, expect, test, vi } from 'vitest';
import * as theano from '../../src/index.js';

const T = theano.tensor;

describe('nested JS arrays as inputs', () => {
  test('numbers convert in one pass to the same values as through a typed array (float32 rounds the same)', () => {
    const rows = Array.from({ length: 7 }, (_, i) => Array.from({ length: 5 }, (_, j) => Math.sin(i * 5 + j) * 1e3));
    const flat = new Float64Array(rows.flat());
    for (const dtype of ['float64', 'float32'] as const) {
      const fromNested = theano.toNDArray(rows, { dtype, allowDowncast: true });
      const fromTyped = theano.castArray(new theano.NDArray('float64', [7, 5], flat), dtype);
      expect(fromNested.shape).toEqual([7, 5]);
      expect(Array.from(fromNested.data as Float64Array)).toEqual(Array.from(fromTyped.data as Float64Array));
    }
    // a non-number still gets the checking path's message
    expect(() =>
      theano.toNDArray(
        [
          [1, 2],
          [3, 'x' as never],
        ],
        { dtype: 'float64' },
      ),
    ).toThrow("value: element 3 is a string ('x'), not a number");
  });

  test('a large nested array passed on every call is pointed out once per process', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const x = T.dmatrix('x');
      const f = theano.function([x], T.sum(x));
      expect(f([[1, 2]])).toBe(3);
      expect(warn).not.toHaveBeenCalled();
      const big: number[][] = Array.from({ length: 400 }, () => new Array<number>(300).fill(0.5));
      expect(f(big)).toBe(60000);
      expect(f(big)).toBe(60000);
      expect(f(theano.array(big))).toBe(60000);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]![0]).toBe(
        "theano-ts: function, input 0 ('x') is a nested JS array of 120,000 elements, converted on every call; convert it once (theano.array(value), or a typed array) and pass that instead (said once per process)",
      );
    } finally {
      warn.mockRestore();
    }
  });
});
