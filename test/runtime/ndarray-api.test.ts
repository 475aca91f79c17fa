/** The NDArray a user holds: numpy's constructors for values, reshape, transpose, get/set, dtype conversion, interop. */
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import { NDArray } from '../../src/index.js';

describe('making arrays', () => {
  test('asarray views a typed array in a shape without copying, and keeps an NDArray of the dtype as it is', () => {
    const buffer = new Float32Array([1, 2, 3, 4, 5, 6]);
    const m = theano.asarray(buffer, { shape: [2, 3] });
    expect(m.dtype).toBe('float32');
    expect(m.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    buffer[0] = 10; // the same memory
    expect(m.get(0, 0)).toBe(10);
    expect(theano.asarray(m)).toBe(m);
    expect(theano.asarray([[1, 2]], { dtype: 'int32' }).dtype).toBe('int32');
    expect(theano.asarray([1, 2, 3, 4], { shape: [2, -1] }).shape).toEqual([2, 2]);
    const v = theano.fromTypedArray(new Int16Array([1, 2, 3, 4]), [2, 2]);
    expect([v.dtype, v.shape]).toEqual(['int16', [2, 2]]);
  });

  test('a shape where an options object belongs is an error, not ignored', () => {
    expect(() => theano.array(new Float32Array(4), [2, 2] as never)).toThrow(
      'array: the second argument is an options object ({ dtype, allowDowncast }), got an array; to give a shape, use theano.asarray(data, { shape: [...] })',
    );
  });

  test('zeros, ones, full, arange and linspace give what numpy gives', () => {
    expect(theano.zeros([2, 3]).toArray()).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect(theano.ones([2], { dtype: 'int32' }).toArray()).toEqual([1, 1]);
    expect(theano.full([2, 2], 7, { dtype: 'int64' }).toArray()).toEqual([
      [7n, 7n],
      [7n, 7n],
    ]);
    expect(theano.full([3], true, { dtype: 'bool' }).toArray()).toEqual([true, true, true]);
    expect(theano.arange(5).toArray()).toEqual([0, 1, 2, 3, 4]); // np.arange(5.)
    expect(theano.arange(0, 1, 0.3).toArray()).toEqual([0, 0.3, 0.6, 0.8999999999999999]); // np.arange(0, 1, 0.3)
    expect(theano.arange(5, 0, -2, { dtype: 'int32' }).toArray()).toEqual([5, 3, 1]);
    expect(theano.linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(theano.linspace(0, 1, 4, { endpoint: false }).toArray()).toEqual([0, 0.25, 0.5, 0.75]);
    expect(theano.linspace(2, 3, 1).toArray()).toEqual([2]);
    expect(() => theano.arange(0, 1, 0)).toThrow(
      'arange: start, stop and step must be finite numbers and step not 0, got 0, 1, 0',
    );
  });
});

describe('reshaping and transposing', () => {
  test('reshape is a view of contiguous data (a copy otherwise), with one -1 inferred', () => {
    const a = theano.arange(6);
    const b = a.reshape([2, -1]);
    expect(b.shape).toEqual([2, 3]);
    expect(b.data).toBe(a.data);
    const t = b.T.reshape([6]); // not contiguous: copied
    expect(t.toArray()).toEqual([0, 3, 1, 4, 2, 5]);
    expect(t.data).not.toBe(a.data);
    expect(() => a.reshape([4, -1])).toThrow(
      'NDArray.reshape: cannot reshape an array of size 6 (shape (6,)) into [4,-1]',
    );
    expect(() => a.reshape([-1, -1])).toThrow('only one length may be -1');
  });

  test('transpose permutes axes as a view; T reverses them', () => {
    const a = theano.arange(24).reshape([2, 3, 4]);
    expect(a.T.shape).toEqual([4, 3, 2]);
    expect(a.T.get(3, 2, 1)).toBe(a.get(1, 2, 3));
    const p = a.transpose(1, 0, 2);
    expect(p.shape).toEqual([3, 2, 4]);
    expect(p.get(2, 1, 3)).toBe(a.get(1, 2, 3));
    expect(p.data).toBe(a.data);
    expect(() => a.transpose(0, 0, 1)).toThrow(
      'NDArray.transpose: axes [0,0,1] are not a permutation of the 3 axes of shape (2, 3, 4)',
    );
  });
});

describe('elements, dtypes and typed arrays', () => {
  test('set writes one element (negative indices count from the end), in the dtype', () => {
    const m = theano.zeros([2, 2], { dtype: 'int32' });
    m.set(0, -1, 7.9);
    expect(m.toArray()).toEqual([
      [0, 7],
      [0, 0],
    ]);
    const big = theano.zeros([1], { dtype: 'int64' });
    big.set(0, 2n ** 60n);
    expect(big.get(0)).toBe(2n ** 60n);
    expect(() => m.set(2, 0, 1)).toThrow('NDArray.set: index 2 is out of bounds for axis 0 with size 2');
  });

  test('astype converts as numpy (floats truncate toward zero into integers); tolist is toArray', () => {
    const a = theano.array([-1.7, 0, 2.9]);
    expect(a.astype('int32').toArray()).toEqual([-1, 0, 2]);
    expect(a.astype('bool').tolist()).toEqual([true, false, true]);
    expect(a.astype('float32').dtype).toBe('float32');
  });

  test('toTypedArray shares the buffer of a whole contiguous array and copies a strided one', () => {
    const a = theano.arange(6, undefined, 1, { dtype: 'float32' });
    expect(a.toTypedArray()).toBe(a.data);
    const rows = a.reshape([3, 2]);
    expect(Array.from(rows.T.toTypedArray())).toEqual([0, 2, 4, 1, 3, 5]);
    const tail = new NDArray('float32', [2], a.data as Float32Array, [1], 4);
    const view = tail.toTypedArray();
    expect(Array.from(view)).toEqual([4, 5]);
    expect(view.buffer).toBe((a.data as Float32Array).buffer);
  });
});

describe('options of the value constructors', () => {
  test('an unknown key is an error naming the valid ones, as at every entry point', () => {
    expect(() => theano.asarray([1, 2], { shap: [2] } as never)).toThrow(
      "asarray: unknown option 'shap' (did you mean 'shape'?); the options are dtype, shape, allowDowncast",
    );
    expect(() => theano.zeros([2], { dtyp: 'int32' } as never)).toThrow(
      "zeros: unknown option 'dtyp' (did you mean 'dtype'?); the options are dtype",
    );
    expect(() => theano.linspace(0, 1, 3, { endPoint: false } as never)).toThrow(
      "linspace: unknown option 'endPoint' (did you mean 'endpoint'?); the options are dtype, endpoint",
    );
    expect(() => theano.full([2], 1, [3] as never)).toThrow(
      'full: the third argument is an options object ({ dtype }), got an array',
    );
  });
});
