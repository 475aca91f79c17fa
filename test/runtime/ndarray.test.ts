import * as theano from '../../src/index.js';
import { describe, expect, test } from 'vitest';
import { NDArray, toNDArray, castArray } from '../../src/index.js';

describe('NDArray', () => {
  test('shape, strides, get with negative indices, toArray', () => {
    const a = toNDArray([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(a.dtype).toBe('float64');
    expect(a.shape).toEqual([2, 3]);
    expect(a.strides).toEqual([3, 1]);
    expect(a.get(1, -1)).toBe(6);
    expect(a.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(() => a.get(2, 0)).toThrow(/index 2 is out of bounds for axis 0 with size 2/);
    expect(() => (a.get as (...i: number[]) => unknown)(0)).toThrow(/expected 2 indices/);
  });

  test('strided views read through their strides; copy makes them contiguous', () => {
    const base = toNDArray([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const t = new NDArray('float64', [3, 2], base.data, [1, 3]);
    expect(t.isContiguous).toBe(false);
    expect(t.toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    const c = t.copy();
    expect(c.isContiguous).toBe(true);
    expect(Array.from(c.data as Float64Array)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  test('bool reads as boolean, int64 as bigint', () => {
    expect(toNDArray([true, false]).toArray()).toEqual([true, false]);
    expect(toNDArray([1n, 2n ** 62n]).toArray()).toEqual([1n, 2n ** 62n]);
    expect(toNDArray([1, 2], { dtype: 'int64' }).get(1)).toBe(2n);
  });

  test('numpy-like toString', () => {
    expect(toNDArray([0, 2, 1026]).toString()).toBe('[   0.    2. 1026.]');
    expect(
      toNDArray([
        [0.5, 0.7310585786300049],
        [0.2689414213699951, 0.11920292202211755],
      ]).toString(),
    ).toBe('[[0.5        0.73105858]\n [0.26894142 0.11920292]]');
    expect(toNDArray([1, 2, 3], { dtype: 'int32' }).toString()).toBe('[1 2 3]');
    expect(toNDArray([-1, 20], { dtype: 'int32' }).toString()).toBe('[-1 20]');
    expect(toNDArray([true, false]).toString()).toBe('[ true false]');
    expect(toNDArray([1e-5, 1]).toString()).toBe('[1.e-05 1.e+00]');
    expect(toNDArray([NaN, 1.5, -Infinity]).toString()).toBe('[ nan  1.5 -inf]');
    expect(toNDArray(3.25).toString()).toBe('3.25');
    expect(toNDArray([]).toString()).toBe('[]');
    expect(
      toNDArray(
        [
          [
            [1, 2],
            [3, 4],
          ],
          [
            [5, 6],
            [7, 8],
          ],
        ],
        { dtype: 'int32' },
      ).toString(),
    ).toBe('[[[1 2]\n  [3 4]]\n\n [[5 6]\n  [7 8]]]');
  });

  test('long rows wrap at 75 characters', () => {
    const s = toNDArray(
      Array.from({ length: 30 }, (_, i) => i),
      { dtype: 'int32' },
    ).toString();
    for (const line of s.split('\n')) expect(line.length).toBeLessThanOrEqual(75);
    expect(s.replace(/\s+/g, ' ')).toBe(
      `[${Array.from({ length: 30 }, (_, i) => String(i).padStart(2)).join(' ')}]`.replace(/\s+/g, ' '),
    );
  });
});

describe('conversions', () => {
  test('JS numbers infer float64, booleans bool, bigints int64', () => {
    expect(toNDArray(1).dtype).toBe('float64');
    expect(toNDArray([true]).dtype).toBe('bool');
    expect(toNDArray([1n]).dtype).toBe('int64');
    expect(toNDArray(new Int16Array(2)).dtype).toBe('int16');
  });

  test('safe casts happen, lossy ones need allowDowncast', () => {
    expect(toNDArray(new Int8Array([1, -2]), { dtype: 'float32' }).toArray()).toEqual([1, -2]);
    expect(() => toNDArray([300], { dtype: 'uint8' })).toThrow(/300 is out of the uint8 range \[0, 255\]/);
    expect(toNDArray([300], { dtype: 'uint8', allowDowncast: true }).toArray()).toEqual([44]);
    expect(() => toNDArray([2], { dtype: 'bool' })).toThrow(/2 is not a bool/);
  });

  test('castArray follows numpy astype', () => {
    expect(castArray(toNDArray([-1.7, 1.7, 2.5]), 'int32').toArray()).toEqual([-1, 1, 2]);
    expect(castArray(toNDArray([0, 0.1, -3]), 'bool').toArray()).toEqual([false, true, true]);
    expect(castArray(toNDArray([2n ** 40n + 3n]), 'int32').toArray()).toEqual([3]);
    expect(castArray(toNDArray([-1], { dtype: 'int32' }), 'uint8').toArray()).toEqual([255]);
    expect(castArray(toNDArray([1.9, -1.9]), 'int64').toArray()).toEqual([1n, -1n]);
  });
});

describe('the NDArray constructor checks what it is given', () => {
  const data = new Float64Array([1, 2, 3, 4, 5, 6]);

  test('views inside the buffer are accepted, negative strides included', () => {
    expect(new NDArray('float64', [3], data, [-2], 4).toArray()).toEqual([5, 3, 1]);
    expect(new NDArray('float64', [2, 2], data, [3, 1], 1).toArray()).toEqual([
      [2, 3],
      [5, 6],
    ]);
    expect(new NDArray('float64', [0, 5], data, [100, 1], 0).size).toBe(0); // no element is read
    expect(new NDArray('float64', [2], data, undefined, 4).toArray()).toEqual([5, 6]);
  });

  test('strides or an offset that run past the buffer are an error naming the layout', () => {
    expect(() => new NDArray('float64', [3], data, [3], 0)).toThrow(
      'NDArray: shape (3,) with strides [3] and offset 0 reaches elements 0 to 6, but the data holds 6 (indices 0 to 5)',
    );
    expect(() => new NDArray('float64', [3], data, [-1], 1)).toThrow('reaches elements -1 to 1, but the data holds 6');
    expect(() => new NDArray('float64', [3], data, [1], -1)).toThrow(
      'NDArray: offset must be a non-negative integer, got -1',
    );
    expect(() => new NDArray('float64', [4], data, undefined, 3)).toThrow(
      'shape (4,) with offset 3 reaches elements 3 to 6',
    );
    expect(() => new NDArray('float64', [2, 2], data, [1])).toThrow(
      'NDArray: 1 strides for shape (2, 2); expected 2 (one per axis)',
    );
    expect(() => new NDArray('float64', [2], data, [0.5])).toThrow('NDArray: strides must be integers');
  });

  test('an unknown dtype, or data of another dtype, is an error when the array is made', () => {
    expect(() => new NDArray('float65' as never, [3], data as never)).toThrow(
      "NDArray: unknown dtype 'float65'; expected one of bool, int8, int16, int32, int64, uint8, uint16, uint32, float32, float64",
    );
    expect(() => new NDArray('toString' as never, [3], data as never)).toThrow("unknown dtype 'toString'");
    expect(() => new NDArray('float32', [3], data as never)).toThrow(
      'NDArray: dtype float32 keeps its data in a Float32Array, got a Float64Array',
    );
    expect(() => new NDArray('float64', [3], [1, 2, 3] as never)).toThrow(
      'got a JS array of length 3 (wrap it: theano.array(values, { dtype }))',
    );
    expect(() => new NDArray('float64', 3 as never, data)).toThrow(
      'NDArray: the shape must be an array of sizes, got number 3',
    );
    expect(() => new NDArray('float64', [-1], data)).toThrow(
      'NDArray: invalid shape [-1]: sizes must be non-negative integers',
    );
  });

  test('a size past what one typed array holds says the size and the limit', () => {
    expect(() => NDArray.zeros('float64', [100000, 100000])).toThrow(
      'cannot allocate 10000000000 float64 elements (80 GB): a typed array holds at most 4294967296 elements',
    );
  });
});

describe('printing as numpy 2 prints (expected strings are numpy 2.4 output for the same arrays)', () => {
  test('scientific notation pads mantissas with zeros to a common precision, exponents to a common width', () => {
    const cases: [number[], 'float32' | 'float64', string][] = [
      [[0.1, 1e-5], 'float32', '[1.e-01 1.e-05]'],
      [[-1e-5, 1], 'float64', '[-1.e-05  1.e+00]'],
      [[10000000000.0, -2.5, 3], 'float64', '[ 1.0e+10 -2.5e+00  3.0e+00]'],
      [[1e-300, 1e300], 'float64', '[1.e-300 1.e+300]'],
      [[3.14159e-7, 2.0, -750000.0], 'float32', '[ 3.14159e-07  2.00000e+00 -7.50000e+05]'],
      [[123456789.0, 1.0], 'float64', '[1.23456789e+08 1.00000000e+00]'],
      [[0.5, 1e-5, NaN], 'float64', '[5.e-01 1.e-05    nan]'],
    ];
    for (const [values, dtype, numpy] of cases)
      expect(theano.array(values, { dtype, allowDowncast: true }).toString()).toBe(numpy);
  });

  test('float32 values print with float32 shortest digits, as numpy (0.3, not 0.30000001)', () => {
    expect(
      theano
        .array(
          [
            [1, 0.1, 0.2],
            [0.3, 0.4, 0.5],
          ],
          { dtype: 'float32' },
        )
        .toString(),
    ).toBe('[[1.  0.1 0.2]\n [0.3 0.4 0.5]]');
    expect(theano.array([2.5, -0.1, 3.14159274], { dtype: 'float32' }).toString()).toBe(
      '[ 2.5       -0.1        3.1415927]',
    );
  });

  test('past 1,000 elements, each long axis shows its first and last 3 items around ...', () => {
    const cube = new theano.NDArray(
      'float64',
      [2, 12, 50],
      Float64Array.from({ length: 1200 }, (_, i) => i),
    );
    expect(cube.toString()).toBe(
      '[[[0.000e+00 1.000e+00 2.000e+00 ... 4.700e+01 4.800e+01 4.900e+01]\n  [5.000e+01 5.100e+01 5.200e+01 ... 9.700e+01 9.800e+01 9.900e+01]\n  [1.000e+02 1.010e+02 1.020e+02 ... 1.470e+02 1.480e+02 1.490e+02]\n  ...\n  [4.500e+02 4.510e+02 4.520e+02 ... 4.970e+02 4.980e+02 4.990e+02]\n  [5.000e+02 5.010e+02 5.020e+02 ... 5.470e+02 5.480e+02 5.490e+02]\n  [5.500e+02 5.510e+02 5.520e+02 ... 5.970e+02 5.980e+02 5.990e+02]]\n\n [[6.000e+02 6.010e+02 6.020e+02 ... 6.470e+02 6.480e+02 6.490e+02]\n  [6.500e+02 6.510e+02 6.520e+02 ... 6.970e+02 6.980e+02 6.990e+02]\n  [7.000e+02 7.010e+02 7.020e+02 ... 7.470e+02 7.480e+02 7.490e+02]\n  ...\n  [1.050e+03 1.051e+03 1.052e+03 ... 1.097e+03 1.098e+03 1.099e+03]\n  [1.100e+03 1.101e+03 1.102e+03 ... 1.147e+03 1.148e+03 1.149e+03]\n  [1.150e+03 1.151e+03 1.152e+03 ... 1.197e+03 1.198e+03 1.199e+03]]]',
    );
    const ints = new theano.NDArray(
      'int64',
      [3, 500],
      BigInt64Array.from({ length: 1500 }, (_, i) => BigInt(i - 700)),
    );
    expect(ints.toString()).toBe(
      '[[-700 -699 -698 ... -203 -202 -201]\n [-200 -199 -198 ...  297  298  299]\n [ 300  301  302 ...  797  798  799]]',
    );
    expect(theano.array(Array.from({ length: 2000 }, (_, i) => i)).toString().length).toBeLessThan(100);
  });
});
