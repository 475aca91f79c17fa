import { describe, expect, test } from 'vitest';
import { NDArray, toNDArray, castArray } from '../../src/index.js';

describe('NDArray', () => {
  test('shape, strides, get with negative indices, toArray', () => {
    const a = toNDArray([[1, 2, 3], [4, 5, 6]]);
    expect(a.dtype).toBe('float64');
    expect(a.shape).toEqual([2, 3]);
    expect(a.strides).toEqual([3, 1]);
    expect(a.get(1, -1)).toBe(6);
    expect(a.toArray()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(() => a.get(2, 0)).toThrow(/index 2 is out of bounds for axis 0 with size 2/);
    expect(() => (a.get as (...i: number[]) => unknown)(0)).toThrow(/expected 2 indices/);
  });

  test('strided views read through their strides; copy makes them contiguous', () => {
    const base = toNDArray([[1, 2, 3], [4, 5, 6]]);
    const t = new NDArray('float64', [3, 2], base.data, [1, 3]);
    expect(t.isContiguous).toBe(false);
    expect(t.toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
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
    expect(toNDArray([[0.5, 0.7310585786300049], [0.2689414213699951, 0.11920292202211755]]).toString()).toBe(
      '[[0.5        0.73105858]\n [0.26894142 0.11920292]]',
    );
    expect(toNDArray([1, 2, 3], { dtype: 'int32' }).toString()).toBe('[1 2 3]');
    expect(toNDArray([-1, 20], { dtype: 'int32' }).toString()).toBe('[-1 20]');
    expect(toNDArray([true, false]).toString()).toBe('[ true false]');
    expect(toNDArray([1e-5, 1]).toString()).toBe('[1.e-05 1.e+00]');
    expect(toNDArray([NaN, 1.5, -Infinity]).toString()).toBe('[ nan  1.5 -inf]');
    expect(toNDArray(3.25).toString()).toBe('3.25');
    expect(toNDArray([]).toString()).toBe('[]');
    expect(toNDArray([[[1, 2], [3, 4]], [[5, 6], [7, 8]]], { dtype: 'int32' }).toString()).toBe('[[[1 2]\n  [3 4]]\n\n [[5 6]\n  [7 8]]]');
  });

  test('long rows wrap at 75 characters', () => {
    const s = toNDArray(Array.from({ length: 30 }, (_, i) => i), { dtype: 'int32' }).toString();
    for (const line of s.split('\n')) expect(line.length).toBeLessThanOrEqual(75);
    expect(s.replace(/\s+/g, ' ')).toBe(`[${Array.from({ length: 30 }, (_, i) => String(i).padStart(2)).join(' ')}]`.replace(/\s+/g, ' '));
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
