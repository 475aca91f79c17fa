/**
 * Reductions: sum, prod, max, min, all, any, mean, var, std, argmax, argmin, maxAndArgmax.
 *
 * Oracle tests against hand-checked values (numpy semantics: empty sums are 0, empty products 1, max of an empty
 * axis raises, NaN propagates through max/min and wins argmax, ties return the first index), then one fast-check
 * property per reduction: on random shapes (rank 0-4, empty dimensions included), random dtypes, random axes
 * (none, one, a list; negative ones too), random keepdims and random static shape knowledge, the inferred type
 * matches what evaluation produces (checkInferredTypes) and the values match a direct nested-loop reference
 * written here.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { DType, NDArray, Tensor } from '../../src/index.js';
import type { StaticDim } from '../../src/types/tensor-type.js';
import {
  ALL_DTYPES,
  b,
  checkOp,
  compileLoose,
  expectArray,
  expectBuildError,
  expectRunError,
  expectScalar,
  f32,
  f64,
  i32,
  i64,
  i8,
  indices,
  u16,
  u32,
  u8,
  empty,
} from '../helpers.js';
import { checkInferredTypes } from '../infer-type.js';

const T = theano.tensor;

const M = [
  [1, 2, 3],
  [4, 5, 6],
];
// a 2x3x2 tensor holding 0..11 in row-major order
const T3 = [
  [
    [0, 1],
    [2, 3],
    [4, 5],
  ],
  [
    [6, 7],
    [8, 9],
    [10, 11],
  ],
];

describe('sum', () => {
  test('over all axes, one axis, negative axes, a list, keepdims', () => {
    checkOp((x) => T.sum(x), [M], { dtype: 'float64', value: 21 });
    checkOp((x) => T.sum(x, 0), [M], { dtype: 'float64', value: [5, 7, 9] });
    checkOp((x) => T.sum(x, 1), [M], { dtype: 'float64', value: [6, 15] });
    checkOp((x) => T.sum(x, -1), [M], { dtype: 'float64', value: [6, 15] });
    checkOp((x) => T.sum(x, -2), [M], { dtype: 'float64', value: [5, 7, 9] });
    checkOp((x) => T.sum(x, [0, 1]), [M], { dtype: 'float64', value: 21 });
    checkOp((x) => T.sum(x, 1, { keepdims: true }), [M], { dtype: 'float64', value: [[6], [15]] });
    checkOp((x) => T.sum(x, null, { keepdims: true }), [M], { dtype: 'float64', value: [[21]] });
    checkOp((x) => T.sum(x, [0, 2]), [T3], {
      dtype: 'float64',
      value: [0 + 1 + 6 + 7, 2 + 3 + 8 + 9, 4 + 5 + 10 + 11],
    });
    checkOp((x) => T.sum(x, [-1, 0]), [T3], { dtype: 'float64', value: [14, 22, 30] });
    checkOp((x) => T.sum(x, [2, 0], { keepdims: true }), [T3], { dtype: 'float64', value: [[[14], [22], [30]]] });
    checkOp((x) => T.sum(x, 1), [T3], {
      dtype: 'float64',
      value: [
        [6, 9],
        [24, 27],
      ],
    });
    // an empty axis list reduces nothing (numpy's axis=())
    checkOp((x) => T.sum(x, []), [M], { dtype: 'float64', value: M });
    // a scalar sums to itself
    checkOp((x) => T.sum(x), [7.5], { dtype: 'float64', value: 7.5 });
  });

  test('fluent form equals the free function', () => {
    checkOp((x) => x.sum(1), [M], { dtype: 'float64', value: [6, 15] });
    checkOp((x) => x.sum(-1, { keepdims: true }), [M], { dtype: 'float64', value: [[6], [15]] });
    checkOp((x) => x.sum(), [M], { dtype: 'float64', value: 21 });
  });

  test('empty arrays sum to 0', () => {
    checkOp((x) => T.sum(x), [empty([0])], { dtype: 'float64', value: 0 });
    checkOp((x) => T.sum(x), [empty([0, 3])], { dtype: 'float64', value: 0 });
    checkOp((x) => T.sum(x, 0), [empty([0, 3])], { dtype: 'float64', value: [0, 0, 0] });
    checkOp((x) => T.sum(x, 1), [empty([0, 3])], { dtype: 'float64', shape: [0], value: [] });
    checkOp((x) => T.sum(x, 1, { keepdims: true }), [empty([0, 3])], { dtype: 'float64', shape: [0, 1], value: [] });
    checkOp((x) => T.sum(x), [i32(empty([2, 0], 'int32'))], { dtype: 'int64', value: 0n });
  });

  test('integers and bool accumulate in int64, exactly', () => {
    checkOp((x) => T.sum(x), [i32([1, 2, 3])], { dtype: 'int64', value: 6n });
    checkOp((x) => T.sum(x, 0), [i32(M)], { dtype: 'int64', value: [5n, 7n, 9n] });
    // uint8 does not wrap: 3 * 200 = 600
    checkOp((x) => T.sum(x), [u8([200, 200, 200])], { dtype: 'int64', value: 600n });
    checkOp((x) => T.sum(x), [i8([-128, -128, 127])], { dtype: 'int64', value: -129n });
    checkOp((x) => T.sum(x), [u16([65535, 65535])], { dtype: 'int64', value: 131070n });
    checkOp((x) => T.sum(x), [u32([4294967295, 4294967295])], { dtype: 'int64', value: 8589934590n });
    // int32 overflows 2^31 but not int64
    checkOp((x) => T.sum(x), [i32([2147483647, 2147483647, 2])], { dtype: 'int64', value: 4294967296n });
    // int64 near 2^62: exact (a float64 sum would round to a multiple of 1024)
    checkOp((x) => T.sum(x), [i64([2n ** 62n, 2n ** 62n - 1n, -(2n ** 62n), 3n])], {
      dtype: 'int64',
      value: 2n ** 62n + 2n,
    });
    // and wraps modulo 2^64 like numpy: 2^62 * 4 = 2^64 = 0
    checkOp((x) => T.sum(x), [i64([2n ** 62n, 2n ** 62n, 2n ** 62n, 2n ** 62n])], { dtype: 'int64', value: 0n });
    checkOp((x) => T.sum(x), [b([true, true, false, true])], { dtype: 'int64', value: 3n });
    checkOp(
      (x) => T.sum(x, 1),
      [
        b([
          [true, false],
          [true, true],
        ]),
      ],
      { dtype: 'int64', value: [1n, 2n] },
    );
  });

  test('floats keep their dtype', () => {
    checkOp((x) => T.sum(x), [f32([0.5, 0.25, 1])], { dtype: 'float32', value: 1.75 });
    checkOp((x) => T.sum(x), [[1, Infinity]], { dtype: 'float64', value: Infinity });
    checkOp((x) => T.sum(x), [[1, NaN, 2]], { dtype: 'float64', value: NaN });
    checkOp((x) => T.sum(x), [[Infinity, -Infinity]], { dtype: 'float64', value: NaN });
  });

  test('an explicit dtype casts each element first, as numpy', () => {
    checkOp((x) => T.sum(x, null, { dtype: 'int64' }), [[1.5, 2.5, -0.5]], { dtype: 'int64', value: 3n });
    checkOp((x) => T.sum(x, null, { dtype: 'int8' }), [i32([100, 100])], { dtype: 'int8', value: -56 });
    checkOp((x) => T.sum(x, null, { dtype: 'float32' }), [i32([1, 2])], { dtype: 'float32', value: 3 });
    checkOp((x) => x.sum(0, { dtype: 'float64' }), [i32(M)], { dtype: 'float64', value: [5, 7, 9] });
  });
});

describe('prod', () => {
  test('values, axes, keepdims', () => {
    checkOp((x) => T.prod(x), [M], { dtype: 'float64', value: 720 });
    checkOp((x) => T.prod(x, 0), [M], { dtype: 'float64', value: [4, 10, 18] });
    checkOp((x) => T.prod(x, -1, { keepdims: true }), [M], { dtype: 'float64', value: [[6], [120]] });
    checkOp((x) => x.prod([0, 2]), [T3], { dtype: 'float64', value: [0, 2 * 3 * 8 * 9, 4 * 5 * 10 * 11] });
    checkOp((x) => T.prod(x), [[2, NaN]], { dtype: 'float64', value: NaN });
  });

  test('empty products are 1', () => {
    checkOp((x) => T.prod(x), [empty([0])], { dtype: 'float64', value: 1 });
    checkOp((x) => T.prod(x, 0), [empty([0, 2])], { dtype: 'float64', value: [1, 1] });
    checkOp((x) => T.prod(x), [i32(empty([0], 'int32'))], { dtype: 'int64', value: 1n });
  });

  test('integers in int64: exact, wrapping modulo 2^64 like numpy', () => {
    checkOp((x) => T.prod(x), [i32([-3, 4, 5])], { dtype: 'int64', value: -60n });
    checkOp((x) => T.prod(x), [u8([200, 200, 200])], { dtype: 'int64', value: 8000000n });
    checkOp((x) => T.prod(x), [i64([3n, 2n ** 61n - 1n])], { dtype: 'int64', value: 3n * (2n ** 61n - 1n) });
    // 3 * 2^62 = 2^63 + 2^62, which wraps to -2^63 + 2^62 = -2^62
    checkOp((x) => T.prod(x), [i64([3n, 2n ** 62n])], { dtype: 'int64', value: -(2n ** 62n) });
    checkOp((x) => T.prod(x), [b([true, true])], { dtype: 'int64', value: 1n });
    checkOp((x) => T.prod(x), [b([true, false])], { dtype: 'int64', value: 0n });
    // an int32 output wraps like numpy's prod(dtype=int32): 10^20 mod 2^32 as int32
    checkOp((x) => T.prod(x, null, { dtype: 'int32' }), [i32([100000, 100000, 100000, 100000])], {
      dtype: 'int32',
      value: 1661992960,
    });
  });
});

describe('max and min', () => {
  test('values, axes, keepdims', () => {
    const X = [
      [3, -1, 7],
      [2, 9, -4],
    ];
    checkOp((x) => T.max(x), [X], { dtype: 'float64', value: 9 });
    checkOp((x) => T.min(x), [X], { dtype: 'float64', value: -4 });
    checkOp((x) => T.max(x, 0), [X], { dtype: 'float64', value: [3, 9, 7] });
    checkOp((x) => T.min(x, -1), [X], { dtype: 'float64', value: [-1, -4] });
    checkOp((x) => x.max(1, { keepdims: true }), [X], { dtype: 'float64', value: [[7], [9]] });
    checkOp((x) => x.min([0, 1], { keepdims: true }), [X], { dtype: 'float64', value: [[-4]] });
    checkOp((x) => T.max(x, [0, -1]), [T3], { dtype: 'float64', value: [7, 9, 11] });
    checkOp((x) => T.min(x, [-1, -3]), [T3], { dtype: 'float64', value: [0, 2, 4] });
    checkOp((x) => T.max(x), [[-Infinity, -Infinity]], { dtype: 'float64', value: -Infinity });
    checkOp((x) => T.min(x), [[Infinity, 5e300]], { dtype: 'float64', value: 5e300 });
  });

  test('integers and bool keep their dtype', () => {
    checkOp((x) => T.max(x), [i8([-128, -5, -100])], { dtype: 'int8', value: -5 });
    checkOp(
      (x) => T.min(x, 0),
      [
        u8([
          [200, 3],
          [7, 255],
        ]),
      ],
      { dtype: 'uint8', value: [7, 3] },
    );
    checkOp((x) => T.max(x), [u32([4294967295, 0])], { dtype: 'uint32', value: 4294967295 });
    // int64 compares exactly: these two differ by 1 above 2^62
    checkOp((x) => T.max(x), [i64([2n ** 62n, 2n ** 62n + 1n, -(2n ** 63n)])], {
      dtype: 'int64',
      value: 2n ** 62n + 1n,
    });
    checkOp((x) => T.min(x), [i64([2n ** 62n, 2n ** 62n + 1n, -(2n ** 63n)])], { dtype: 'int64', value: -(2n ** 63n) });
    checkOp(
      (x) => T.max(x, 1),
      [
        b([
          [false, true],
          [false, false],
        ]),
      ],
      { dtype: 'bool', value: [true, false] },
    );
    checkOp(
      (x) => T.min(x, 1),
      [
        b([
          [true, true],
          [false, true],
        ]),
      ],
      { dtype: 'bool', value: [true, false] },
    );
  });

  test('NaN propagates, wherever it is', () => {
    const X = [
      [NaN, 1, 2],
      [1, NaN, 2],
      [1, 2, NaN],
      [1, 2, 3],
    ];
    checkOp((x) => T.max(x, 1), [X], { dtype: 'float64', value: [NaN, NaN, NaN, 3] });
    checkOp((x) => T.min(x, 1), [X], { dtype: 'float64', value: [NaN, NaN, NaN, 1] });
    checkOp((x) => T.max(x), [X], { dtype: 'float64', value: NaN });
    checkOp((x) => T.min(x, 0), [X], { dtype: 'float64', value: [NaN, NaN, NaN] });
    checkOp((x) => T.max(x), [[-Infinity, NaN]], { dtype: 'float64', value: NaN });
  });

  test('an empty reduction raises a clear error naming the op; an empty output does not', () => {
    const x = T.dmatrix('x');
    const fmax = compileLoose([x], T.max(x));
    const fmin0 = compileLoose([x], T.min(x, 0));
    expectRunError(fmax, [empty([0, 3])], 'max: zero-size reduction has no identity', '(0, 3)');
    expectRunError(fmin0, [empty([0, 3])], 'min: zero-size reduction has no identity', 'axis [0]');
    expectRunError(fmin0, [empty([0, 0])], 'min: zero-size reduction');
    // reducing a non-empty axis of an empty array gives an empty result, as numpy
    checkOp((x) => T.max(x, 0), [empty([3, 0])], { dtype: 'float64', shape: [0], value: [] });
    checkOp((x) => T.min(x, 1, { keepdims: true }), [empty([0, 3])], { dtype: 'float64', shape: [0, 1], value: [] });
    // a statically known empty axis fails when the graph is built
    expectBuildError(() => T.max(T.tensor('float64', [0, 3]), 0), 'max: zero-size reduction', 'axis [0]');
    expectBuildError(() => T.tensor('float64', [null, 0]).min(), 'min: zero-size reduction');
  });
});

describe('all and any', () => {
  test('bool inputs', () => {
    const X = [
      [true, true],
      [true, false],
      [false, false],
    ];
    checkOp((x) => T.all(x, 1), [b(X)], { dtype: 'bool', value: [true, false, false] });
    checkOp((x) => T.any(x, 1), [b(X)], { dtype: 'bool', value: [true, true, false] });
    checkOp((x) => T.all(x), [b(X)], { dtype: 'bool', value: false });
    checkOp((x) => T.any(x), [b(X)], { dtype: 'bool', value: true });
    checkOp((x) => x.all(0, { keepdims: true }), [b(X)], { dtype: 'bool', value: [[false, false]] });
    checkOp((x) => x.any(-2), [b(X)], { dtype: 'bool', value: [true, true] });
  });

  test('numbers: non-zero and NaN are true, -0 is false', () => {
    checkOp((x) => T.all(x), [[1, -2, NaN, 0.5]], { dtype: 'bool', value: true });
    checkOp((x) => T.all(x), [[1, -0]], { dtype: 'bool', value: false });
    checkOp((x) => T.any(x), [[0, -0]], { dtype: 'bool', value: false });
    checkOp((x) => T.any(x), [[0, NaN]], { dtype: 'bool', value: true });
    checkOp(
      (x) => T.any(x, 0),
      [
        i32([
          [0, 0],
          [0, 3],
        ]),
      ],
      { dtype: 'bool', value: [false, true] },
    );
    checkOp((x) => T.all(x), [i64([1n, 2n ** 63n - 1n])], { dtype: 'bool', value: true });
    checkOp((x) => T.all(x), [i64([1n, 0n])], { dtype: 'bool', value: false });
  });

  test('empty: all is true, any is false', () => {
    checkOp((x) => T.all(x), [empty([0])], { dtype: 'bool', value: true });
    checkOp((x) => T.any(x), [empty([0])], { dtype: 'bool', value: false });
    checkOp((x) => T.all(x, 0), [empty([0, 2])], { dtype: 'bool', value: [true, true] });
  });
});

describe('mean', () => {
  test('floats keep their dtype', () => {
    checkOp((x) => T.mean(x), [M], { dtype: 'float64', value: 3.5 });
    checkOp((x) => T.mean(x, 0), [M], { dtype: 'float64', value: [2.5, 3.5, 4.5] });
    checkOp((x) => x.mean(-1, { keepdims: true }), [M], { dtype: 'float64', value: [[2], [5]] });
    checkOp((x) => x.mean([0, 2]), [T3], { dtype: 'float64', value: [3.5, 5.5, 7.5] });
    checkOp((x) => T.mean(x), [f32([1, 2])], { dtype: 'float32', value: 1.5 });
  });

  test('the mean of integers and bools is float64', () => {
    checkOp((x) => T.mean(x), [i32(M)], { dtype: 'float64', value: 3.5 });
    checkOp((x) => x.mean(1), [i32(M)], { dtype: 'float64', value: [2, 5] });
    checkOp(
      (x) => T.mean(x, 0),
      [
        u8([
          [255, 255],
          [255, 0],
        ]),
      ],
      { dtype: 'float64', value: [255, 127.5] },
    );
    checkOp((x) => T.mean(x), [i8([1, 2])], { dtype: 'float64', value: 1.5 });
    checkOp((x) => T.mean(x), [b([true, false, false, false])], { dtype: 'float64', value: 0.25 });
  });

  test('static lengths, unknown lengths, and empty means (NaN, as numpy)', () => {
    const x = T.tensor('float64', [2, null], 'x');
    const f = compileLoose([x], [x.mean(), x.mean(0), x.mean(1)]);
    const [all, rows, cols] = f(M) as [number, NDArray, NDArray];
    expect(all).toBe(3.5);
    expectArray(rows, { dtype: 'float64', value: [2.5, 3.5, 4.5] });
    expectArray(cols, { dtype: 'float64', value: [2, 5] });
    checkOp((x) => T.mean(x), [empty([0])], { dtype: 'float64', value: NaN });
  });
});

describe('var and std', () => {
  test("mean's dtype option: the float dtype the sum is accumulated and returned in (numpy's mean(dtype=))", () => {
    checkOp(
      (x) => x.mean(0, { dtype: 'float32' }),
      [
        [
          [1, 2],
          [3, 4.5],
        ],
      ],
      { dtype: 'float32', value: [2, 3.25] },
    );
    checkOp((x) => T.mean(x, null, { dtype: 'float64' }), [f32([1, 2, 4])], { dtype: 'float64', value: 7 / 3 });
    checkOp((x) => x.mean(null, { dtype: 'float32' }), [i32([1, 2])], { dtype: 'float32', value: 1.5 });
    expect(() => T.mean(T.dvector(), 0, { dtype: 'int32' as never })).toThrow(/mean: dtype must be float32 or float64/);
  });

  test('population variance by default, ddof for the sample variance', () => {
    checkOp((x) => T.var(x), [[1, 2, 3, 4]], { dtype: 'float64', value: 1.25 });
    checkOp((x) => T.var(x, null, { ddof: 1 }), [[1, 2, 3, 4]], { dtype: 'float64', value: 5 / 3 });
    checkOp(
      (x) => T.variance(x, 0),
      [
        [
          [1, 2],
          [3, 6],
        ],
      ],
      { dtype: 'float64', value: [1, 4] },
    );
    checkOp(
      (x) => x.var(1, { ddof: 1 }),
      [
        [
          [1, 2],
          [3, 6],
        ],
      ],
      { dtype: 'float64', value: [0.5, 4.5] },
    );
    checkOp(
      (x) => x.var(-1, { keepdims: true }),
      [
        [
          [1, 3],
          [0, 0],
        ],
      ],
      { dtype: 'float64', value: [[1], [0]] },
    );
    // {0, 1, 6, 7}: mean 3.5, squared deviations 12.25 + 6.25 + 6.25 + 12.25 = 37, / 4
    checkOp((x) => x.var([0, 2]), [T3], { dtype: 'float64', value: [9.25, 9.25, 9.25] });
    // ddof = n: divides by zero
    checkOp((x) => T.var(x, null, { ddof: 1 }), [[5]], { dtype: 'float64', value: NaN });
    // ddof > n: numpy divides by max(n - ddof, 0), so inf (NaN for 0 / 0), never a negative variance
    checkOp((x) => T.var(x, null, { ddof: 5 }), [[0, 1, 2]], { dtype: 'float64', value: Infinity });
    checkOp((x) => T.std(x, null, { ddof: 3 }), [[1, 1, 1]], { dtype: 'float64', value: NaN });
    checkOp((x) => T.var(x, null, { ddof: 1 }), [new Float64Array(0)], { dtype: 'float64', value: NaN });
    checkOp((x) => T.var(x), [[1, NaN]], { dtype: 'float64', value: NaN });
  });

  test('dtypes: integers give float64, float32 stays float32', () => {
    checkOp((x) => x.var(), [i32([1, 2, 3, 4])], { dtype: 'float64', value: 1.25 });
    checkOp((x) => x.var(), [u8([0, 255])], { dtype: 'float64', value: 16256.25 });
    checkOp((x) => x.var(), [f32([1, 2])], { dtype: 'float32', value: 0.25 });
    checkOp((x) => x.std(), [f32([1, 3])], { dtype: 'float32', value: 1 });
  });

  test('std is the square root of var', () => {
    checkOp((x) => T.std(x), [[2, 4, 4, 4, 5, 5, 7, 9]], { dtype: 'float64', value: 2 });
    checkOp(
      (x) => x.std(1, { ddof: 1 }),
      [
        i32([
          [1, 2],
          [3, 5],
        ]),
      ],
      {
        dtype: 'float64',
        value: [Math.SQRT1_2, Math.SQRT2],
        rtol: 1e-15,
      },
    );
    checkOp(
      (x) => x.std(0, { keepdims: true }),
      [
        [
          [1, 10],
          [3, 10],
        ],
      ],
      { dtype: 'float64', value: [[1, 0]] },
    );
  });
});

describe('argmax and argmin', () => {
  test('int64 results, along an axis or over the flattened tensor', () => {
    const X = [
      [3, 9, 1],
      [8, 2, 7],
    ];
    checkOp((x) => T.argmax(x), [X], { dtype: 'int64', value: 1n });
    checkOp((x) => T.argmin(x), [X], { dtype: 'int64', value: 2n });
    checkOp((x) => T.argmax(x, 0), [X], { dtype: 'int64', value: [1n, 0n, 1n] });
    checkOp((x) => T.argmax(x, 1), [X], { dtype: 'int64', value: [1n, 0n] });
    checkOp((x) => T.argmin(x, -1), [X], { dtype: 'int64', value: [2n, 1n] });
    checkOp((x) => x.argmax(-2, { keepdims: true }), [X], { dtype: 'int64', value: [[1n, 0n, 1n]] });
    checkOp((x) => x.argmin(null, { keepdims: true }), [X], { dtype: 'int64', value: [[2n]] });
    checkOp((x) => x.argmax(1), [T3], {
      dtype: 'int64',
      value: [
        [2n, 2n],
        [2n, 2n],
      ],
    });
    checkOp((x) => x.argmax(), [T3], { dtype: 'int64', value: 11n });
    checkOp((x) => x.argmax(), [4.5], { dtype: 'int64', value: 0n });
    checkOp((x) => T.argmax(x), [i64([2n ** 62n, 2n ** 62n + 1n, 2n ** 62n])], { dtype: 'int64', value: 1n });
    checkOp(
      (x) => T.argmin(x, 0),
      [
        u8([
          [200, 3],
          [7, 255],
        ]),
      ],
      { dtype: 'int64', value: [1n, 0n] },
    );
    checkOp((x) => T.argmax(x), [b([false, true, true])], { dtype: 'int64', value: 1n });
  });

  test('ties return the first index', () => {
    checkOp((x) => T.argmax(x), [[1, 5, 5, 2, 5]], { dtype: 'int64', value: 1n });
    checkOp((x) => T.argmin(x), [[3, 0, 1, 0]], { dtype: 'int64', value: 1n });
    checkOp(
      (x) => T.argmax(x, 1),
      [
        [
          [7, 7],
          [1, 1],
        ],
      ],
      { dtype: 'int64', value: [0n, 0n] },
    );
    checkOp(
      (x) => T.argmin(x, 0),
      [
        i32([
          [4, 2],
          [4, 2],
        ]),
      ],
      { dtype: 'int64', value: [0n, 0n] },
    );
  });

  test('the first NaN wins, as numpy', () => {
    checkOp((x) => T.argmax(x), [[1, NaN, 9, NaN]], { dtype: 'int64', value: 1n });
    checkOp((x) => T.argmin(x), [[1, NaN, -9, NaN]], { dtype: 'int64', value: 1n });
    checkOp(
      (x) => T.argmax(x, 1),
      [
        [
          [NaN, 2],
          [3, NaN],
          [1, 2],
        ],
      ],
      { dtype: 'int64', value: [0n, 1n, 1n] },
    );
    checkOp((x) => T.argmax(x), [[Infinity, NaN]], { dtype: 'int64', value: 1n });
  });

  test('an empty axis raises a clear error naming the op', () => {
    const x = T.dmatrix('x');
    expectRunError(
      compileLoose([x], T.argmax(x)),
      [empty([2, 0])],
      'argmax: attempt to get argmax of an empty sequence',
    );
    expectRunError(
      compileLoose([x], T.argmin(x, 1)),
      [empty([2, 0])],
      'argmin: attempt to get argmin of an empty sequence',
    );
    checkOp((x) => T.argmax(x, 1), [empty([0, 2])], { dtype: 'int64', shape: [0], value: [] });
    expectBuildError(() => T.argmax(T.tensor('float64', [2, 0]), 1), 'argmax', 'empty sequence');
  });
});

describe('maxAndArgmax', () => {
  test('returns [max, argmax] with their dtypes', () => {
    const x = T.dmatrix('x');
    const [mx, am] = T.maxAndArgmax(x, 1);
    expect(mx.dtype).toBe('float64');
    expect(am.dtype).toBe('int64');
    const f = compileLoose([x], [mx, am]);
    const [values, where] = f([
      [3, 9, 9],
      [8, 2, NaN],
    ]) as [NDArray, NDArray];
    expectArray(values, { dtype: 'float64', value: [9, NaN] });
    expectArray(where, { dtype: 'int64', value: [1n, 2n] });
  });

  test('over all axes, with keepdims, on integers', () => {
    const x = T.imatrix('x');
    const [mx, am] = T.maxAndArgmax(x);
    const [mk, ak] = T.maxAndArgmax(x, -1, { keepdims: true });
    const f = compileLoose([x], [mx, am, mk, ak]);
    const [a, b, c, d] = f([
      [1, 5],
      [5, 2],
    ]) as [number, bigint, NDArray, NDArray];
    expectScalar(a, 'int32', 5);
    expectScalar(b, 'int64', 1n);
    expectArray(c, { dtype: 'int32', value: [[5], [5]] });
    expectArray(d, { dtype: 'int64', value: [[1n], [0n]] });
  });
});

describe('static shapes and build-time errors', () => {
  test('known dims survive a reduction', () => {
    const x = T.tensor('float64', [2, null, 3], 'x');
    expect(x.sum(1).type.shape).toEqual([2, 3]);
    expect(x.sum(1, { keepdims: true }).type.shape).toEqual([2, 1, 3]);
    expect(x.sum([0, -1]).type.shape).toEqual([null]);
    expect(x.sum().type.shape).toEqual([]);
    expect(x.sum(null, { keepdims: true }).type.shape).toEqual([1, 1, 1]);
    expect(x.prod(0).type.shape).toEqual([null, 3]);
    expect(x.max(-2).type.shape).toEqual([2, 3]);
    expect(x.min(2).type.shape).toEqual([2, null]);
    expect(x.all(1).type.shape).toEqual([2, 3]);
    expect(x.any(0, { keepdims: true }).type.shape).toEqual([1, null, 3]);
    expect(x.mean(1).type.shape).toEqual([2, 3]);
    expect(x.var(1, { keepdims: true }).type.shape).toEqual([2, 1, 3]);
    expect(x.std(0).type.shape).toEqual([null, 3]);
    expect(x.argmax(1).type.shape).toEqual([2, 3]);
    expect(x.argmin(0, { keepdims: true }).type.shape).toEqual([1, null, 3]);
    expect(x.argmax(null, { keepdims: true }).type.shape).toEqual([1, 1, 1]);
    const [mx, am] = T.maxAndArgmax(x, 2);
    expect(mx.type.shape).toEqual([2, null]);
    expect(am.type.shape).toEqual([2, null]);
    // a constant's shape is known
    expect(T.sum(T.constant([[1, 2, 3]]), 0).type.shape).toEqual([3]);
  });

  test('an axis out of range fails when the graph is built, naming the axis and the rank', () => {
    const m = T.dmatrix('m') as Tensor;
    const any = (f: unknown) => f as (x: Tensor, axis: unknown) => unknown;
    for (const name of ['sum', 'prod', 'max', 'min', 'all', 'any', 'mean', 'var', 'std', 'argmax', 'argmin']) {
      const fn = any((T as unknown as Record<string, unknown>)[name]);
      expectBuildError(() => fn(m, 2), `${name}: axis 2 is out of range for a tensor of rank 2`);
      expectBuildError(() => fn(m, -3), `${name}: axis -3 is out of range for a tensor of rank 2`);
    }
    expectBuildError(() => T.sum(m, [0, 5] as never), 'sum: axis 5 is out of range for a tensor of rank 2');
    expectBuildError(() => T.maxAndArgmax(m, 3 as never), 'axis 3 is out of range for a tensor of rank 2');
    expectBuildError(() => T.sum(T.dscalar('s'), 0 as never), 'sum: axis 0 is out of range for a tensor of rank 0');
    expectBuildError(() => T.sum(m, 0.5 as never), 'sum: axis 0.5 is out of range');
  });

  test('a repeated axis is an error', () => {
    const m = T.dmatrix('m');
    expectBuildError(() => m.sum([0, 0]), 'sum: repeated axis in [0, 0]');
    expectBuildError(() => m.mean([1, -1]), 'mean: repeated axis in [1, -1]');
  });

  test('pp shows the reduction and its axes', () => {
    const m = T.dmatrix('m');
    expect(theano.pp(m.sum(0))).toBe('sum(m, axis=[0])');
    expect(theano.pp(m.max(-1, { keepdims: true }))).toBe('max(m, axis=[1], keepdims=true)');
    expect(theano.pp(m.argmax(1))).toBe('argmax(m, axis=1)');
  });
});

// -----------------------------------------------------------------------------------------------------------------
// Property tests: inferred type == evaluated type, and values == a direct nested-loop reference

type Scalar = number | bigint | boolean;
type Kind = 'sum' | 'prod' | 'max' | 'min' | 'all' | 'any' | 'mean' | 'var' | 'std' | 'argmax' | 'argmin';

/** The output dtype each reduction should produce, written out independently of src/. */
function expectedDType(kind: Kind, input: DType): DType {
  const float = input === 'float32' || input === 'float64';
  switch (kind) {
    case 'sum':
    case 'prod':
      return float ? input : 'int64';
    case 'mean':
    case 'var':
    case 'std':
      return input === 'float32' ? 'float32' : 'float64';
    case 'max':
    case 'min':
      return input;
    case 'all':
    case 'any':
      return 'bool';
    case 'argmax':
    case 'argmin':
      return 'int64';
  }
}

const truthy = (v: Scalar): boolean => v !== 0 && v !== 0n && v !== false;
const asNumber = (v: Scalar): number => (typeof v === 'boolean' ? (v ? 1 : 0) : Number(v));
const asBigInt = (v: Scalar): bigint => (typeof v === 'boolean' ? (v ? 1n : 0n) : BigInt(v));
const isNaNScalar = (v: Scalar): boolean => typeof v === 'number' && Number.isNaN(v);

/** Stores a JS value as `dtype` would (float32 rounding, int64 wrapping), for expected values. */
function store(dtype: DType, v: Scalar): Scalar {
  if (dtype === 'bool') return truthy(v);
  if (dtype === 'int64') return BigInt.asIntN(64, asBigInt(v));
  if (dtype === 'float32') return Math.fround(asNumber(v));
  return asNumber(v);
}

/**
 * The reference: for each output index, the input elements reduced into it, gathered by a direct nested loop
 * over the kept and the reduced axes (in row-major order, so the position of an element in its group is its
 * index along a single reduced axis, or its flat index when all axes are reduced).
 */
function groups(shape: readonly number[], flat: readonly Scalar[], axes: readonly number[], keepdims: boolean) {
  const keptAxes = shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, d) => a * d, 1));
  const outShape = keepdims ? shape.map((d, i) => (axes.includes(i) ? 1 : d)) : keptAxes.map((i) => shape[i]!);
  const members: Scalar[][] = [];
  for (const outer of indices(keptAxes.map((i) => shape[i]!))) {
    const group: Scalar[] = [];
    for (const inner of indices(axes.map((i) => shape[i]!))) {
      let offset = 0;
      keptAxes.forEach((axis, k) => (offset += outer[k]! * strides[axis]!));
      axes.forEach((axis, k) => (offset += inner[k]! * strides[axis]!));
      group.push(flat[offset]!);
    }
    members.push(group);
  }
  return { outShape, members };
}

const EMPTY = Symbol('empty reduction');

/** One group folded by `kind` (values before the cast to the output dtype), or EMPTY where numpy raises. */
function fold(kind: Kind, xs: readonly Scalar[], outDType: DType, ddof: number): Scalar | typeof EMPTY {
  const n = xs.length;
  switch (kind) {
    case 'sum':
      return outDType === 'int64'
        ? xs.reduce<bigint>((a, v) => a + asBigInt(v), 0n)
        : xs.reduce<number>((a, v) => a + asNumber(v), 0);
    case 'prod':
      return outDType === 'int64'
        ? xs.reduce<bigint>((a, v) => a * asBigInt(v), 1n)
        : xs.reduce<number>((a, v) => a * asNumber(v), 1);
    case 'max':
    case 'min': {
      if (n === 0) return EMPTY;
      if (xs.some(isNaNScalar)) return NaN;
      let best = xs[0]!;
      for (const v of xs) if (kind === 'max' ? v > best : v < best) best = v;
      return best;
    }
    case 'all':
      return xs.every(truthy);
    case 'any':
      return xs.some(truthy);
    case 'mean':
      return xs.reduce<number>((a, v) => a + asNumber(v), 0) / n;
    case 'var':
    case 'std': {
      const mu = xs.reduce<number>((a, v) => a + asNumber(v), 0) / n;
      // numpy's divisor: max(n - ddof, 0)
      const v = xs.reduce<number>((a, x) => a + (asNumber(x) - mu) ** 2, 0) / Math.max(n - ddof, 0);
      return kind === 'std' ? Math.sqrt(v) : v;
    }
    case 'argmax':
    case 'argmin': {
      if (n === 0) return EMPTY;
      let best = 0;
      for (let k = 0; k < n; k++) {
        if (isNaNScalar(xs[k]!)) return BigInt(k);
        if (kind === 'argmax' ? xs[k]! > xs[best]! : xs[k]! < xs[best]!) best = k;
      }
      return BigInt(best);
    }
  }
}

/** Random element values for a dtype: small integers (so sums stay exact), or big int64 values, or floats with NaN. */
function arbElement(dtype: DType, big: boolean): fc.Arbitrary<Scalar> {
  switch (dtype) {
    case 'bool':
      return fc.boolean();
    case 'int64':
      return big ? fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }) : fc.bigInt({ min: -20n, max: 20n });
    case 'uint8':
    case 'uint16':
    case 'uint32': {
      const max = { uint8: 255, uint16: 65535, uint32: 4294967295 }[dtype];
      return big ? fc.integer({ min: 0, max }) : fc.integer({ min: 0, max: 20 });
    }
    case 'int8':
    case 'int16':
    case 'int32': {
      const max = { int8: 127, int16: 32767, int32: 2147483647 }[dtype];
      return big ? fc.integer({ min: -max - 1, max }) : fc.integer({ min: -20, max: 20 });
    }
    case 'float32':
    case 'float64':
      return fc.oneof(
        { arbitrary: fc.integer({ min: -5, max: 5 }), weight: 3 },
        {
          arbitrary: fc
            .double({ min: -100, max: 100, noNaN: true })
            .map((v) => (dtype === 'float32' ? Math.fround(v) : v)),
          weight: 6,
        },
        { arbitrary: fc.constantFrom(NaN, Infinity, -Infinity, -0), weight: 1 },
      );
  }
}

/** How the axis argument is spelled: none, one axis, or a list (any order, negative or not). */
type AxisSpec = null | number | number[];

/** One random input: its dtype, shape, which dims are static, values, axes, keepdims, ddof, builder form. */
interface Case {
  dtype: DType;
  shape: number[];
  known: boolean[];
  values: Scalar[];
  axis: AxisSpec;
  keepdims: boolean;
  ddof: number;
  fluent: boolean;
}

/** Random cases: rank 0-4 with empty dims now and then; the axis argument none, one axis or a list (for arg*: none or one). */
function arbCase(options: { dtypes?: readonly DType[]; big?: boolean; singleAxis?: boolean } = {}): fc.Arbitrary<Case> {
  const { dtypes = ALL_DTYPES, big = false, singleAxis = false } = options;
  const dim = fc.oneof(
    { arbitrary: fc.integer({ min: 1, max: 3 }), weight: 6 },
    { arbitrary: fc.constant(0), weight: 1 },
  );
  return fc
    .record({ dtype: fc.constantFrom(...dtypes), shape: fc.array(dim, { maxLength: 4 }) })
    .chain(({ dtype, shape }) => {
      const rank = shape.length;
      const size = shape.reduce((a, d) => a * d, 1);
      const oneAxis = fc.integer({ min: 0, max: Math.max(0, rank - 1) }).chain((a) => fc.constantFrom(a, a - rank));
      const single: fc.Arbitrary<AxisSpec> = rank === 0 ? fc.constant(null) : fc.oneof(fc.constant(null), oneAxis);
      // a subset of the axes, each maybe written negative, in any order
      const list: fc.Arbitrary<AxisSpec> = fc
        .tuple(fc.subarray(shape.map((_, i) => i)), fc.array(fc.boolean(), { minLength: rank, maxLength: rank }))
        .chain(([subset, negative]) =>
          fc.shuffledSubarray(
            subset.map((a) => (negative[a] ? a - rank : a)),
            { minLength: subset.length },
          ),
        );
      return fc.record({
        dtype: fc.constant(dtype),
        shape: fc.constant(shape),
        known: fc.array(fc.boolean(), { minLength: rank, maxLength: rank }),
        values: fc.array(arbElement(dtype, big), { minLength: size, maxLength: size }),
        axis: singleAxis ? single : fc.oneof(single, list),
        keepdims: fc.boolean(),
        ddof: fc.constantFrom(0, 1),
        fluent: fc.boolean(),
      });
    });
}

/** The input as an NDArray, built straight from a typed array (no conversion code of src/ involved). */
function inputArray(c: Case): NDArray {
  const n = c.values.length;
  const data = {
    bool: () => Uint8Array.from(c.values, (v) => (v ? 1 : 0)),
    int8: () => Int8Array.from(c.values as number[]),
    int16: () => Int16Array.from(c.values as number[]),
    int32: () => Int32Array.from(c.values as number[]),
    int64: () => BigInt64Array.from(c.values as bigint[]),
    uint8: () => Uint8Array.from(c.values as number[]),
    uint16: () => Uint16Array.from(c.values as number[]),
    uint32: () => Uint32Array.from(c.values as number[]),
    float32: () => Float32Array.from(c.values as number[]),
    float64: () => Float64Array.from(c.values as number[]),
  }[c.dtype]();
  expect(data.length).toBe(n);
  return new theano.NDArray(c.dtype, c.shape, data as never);
}

/** The reduced axes of a case, normalized by the test's own rule. */
function reducedAxes(c: Case): number[] {
  const rank = c.shape.length;
  const list = c.axis === null ? c.shape.map((_, i) => i) : typeof c.axis === 'number' ? [c.axis] : c.axis;
  return list.map((a) => (a < 0 ? a + rank : a)).sort((a, b) => a - b);
}

type Builder = (x: Tensor, axis: AxisSpec, options: { keepdims: boolean; ddof: number }, fluent: boolean) => Tensor[];

/** Builds the reduction both ways: the fluent method or the free function of `T`. */
function viaName(kind: Kind): Builder {
  return (x, axis, { keepdims, ddof }, fluent) => {
    const options = kind === 'var' || kind === 'std' ? { keepdims, ddof } : { keepdims };
    const free = kind === 'var' ? T.var : (T as unknown as Record<string, unknown>)[kind];
    const fn = (fluent ? (x as unknown as Record<string, unknown>)[kind] : free) as (...a: unknown[]) => Tensor;
    return [fluent ? fn.call(x, axis, options) : fn(x, axis, options)];
  };
}

/** A float tolerance for the reductions that do arithmetic in a different order than the reference. */
function tolerance(kind: Kind, dtype: DType) {
  if (kind === 'var' || kind === 'std')
    return dtype === 'float32' ? { rtol: 1e-4, atol: 1e-3 } : { rtol: 1e-9, atol: 1e-9 };
  if (kind === 'mean') return dtype === 'float32' ? { rtol: 1e-6, atol: 1e-6 } : { rtol: 1e-12, atol: 1e-12 };
  return {};
}

/**
 * Runs one random case: builds the graph (with the case's static dims), checks inferred types against the run,
 * and each output against the reference. A reduction over an empty axis where numpy raises must raise too
 * (when the graph is built if the empty dim is static, else when it runs), with the op's name in the message.
 */
function checkCase(c: Case, kinds: readonly Kind[], build: Builder): void {
  const staticShape: StaticDim[] = c.shape.map((d, i) => (c.known[i] ? d : null));
  const x = T.tensor(c.dtype, staticShape, 'x') as Tensor;
  const axes = reducedAxes(c);
  const { outShape, members } = groups(c.shape, c.values, axes, c.keepdims);
  const expected = kinds.map((kind) => {
    const dtype = expectedDType(kind, c.dtype);
    const folded = members.map((g) => fold(kind, g, dtype, c.ddof));
    const empty =
      (kind === 'max' || kind === 'min' || kind === 'argmax' || kind === 'argmin') &&
      axes.some((a) => c.shape[a] === 0);
    return { kind, dtype, empty, flat: folded.map((v) => (v === EMPTY ? v : store(dtype, v))) };
  });
  const failing = expected.find((e) => e.empty);
  if (failing) {
    const message = failing.kind.startsWith('arg')
      ? `${failing.kind}: attempt to get`
      : `${failing.kind}: zero-size reduction`;
    expect(() => checkInferredTypes([x], build(x, c.axis, c, c.fluent), [inputArray(c)])).toThrow(message);
    return;
  }
  const outputs = build(x, c.axis, c, c.fluent);
  outputs.forEach((out, i) => {
    expect(out.dtype, `${expected[i]!.kind}: symbolic dtype`).toBe(expected[i]!.dtype);
    expect(out.ndim, `${expected[i]!.kind}: symbolic rank`).toBe(outShape.length);
  });
  const results = checkInferredTypes([x], outputs, [inputArray(c)]);
  results.forEach((r, i) => {
    const e = expected[i]!;
    expectArray(r, { dtype: e.dtype, shape: outShape, flat: e.flat, ...tolerance(e.kind, c.dtype) }, e.kind);
  });
}

const RUNS = { numRuns: 150 };

describe('property: inferred type matches evaluation, values match a nested-loop reference', () => {
  for (const kind of ['sum', 'prod', 'max', 'min', 'all', 'any', 'mean', 'var', 'std'] as const) {
    test(kind, () => {
      fc.assert(
        fc.property(arbCase(), (c) => checkCase(c, [kind], viaName(kind))),
        RUNS,
      );
    });
  }

  for (const kind of ['sum', 'prod', 'max', 'min'] as const) {
    test(`${kind} of integers over their whole range (exact int64 accumulation, wrapping like numpy)`, () => {
      const dtypes: DType[] = ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32'];
      fc.assert(
        fc.property(arbCase({ dtypes, big: true }), (c) => checkCase(c, [kind], viaName(kind))),
        RUNS,
      );
    });
  }

  for (const kind of ['argmax', 'argmin'] as const) {
    test(kind, () => {
      fc.assert(
        fc.property(arbCase({ singleAxis: true }), (c) => checkCase(c, [kind], viaName(kind))),
        RUNS,
      );
    });
  }

  test('maxAndArgmax', () => {
    const build: Builder = (x, axis, { keepdims }) => T.maxAndArgmax(x, axis as never, { keepdims });
    fc.assert(
      fc.property(arbCase({ singleAxis: true }), (c) => checkCase(c, ['max', 'argmax'], build)),
      RUNS,
    );
  });
});
