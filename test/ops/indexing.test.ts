/**
 * Indexing: basic (`x.get(1, T.slice(...), T.newaxis)`), advanced (`T.take`, `x.get(ivector)`) and the functional
 * updates (`T.setSubtensor`, `T.incSubtensor`, `x.at(...)`). Oracle values are numpy's, checked by hand; the
 * properties compare random index expressions with an independent reference written below (it lists the flat
 * positions of x that an index selects) and check the inferred types against evaluation.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { DType, NDArray, Rank, Tensor } from '../../src/index.js';
import type { BasicIndexArg, IndexTensor, IntScalar } from '../../src/tensor/indexing.js';
import {
  b,
  checkOp,
  compileLoose,
  expectBuildError,
  expectRunError,
  f32,
  f64,
  flatten,
  i32,
  i64,
  mismatch,
  u8,
} from '../helpers.js';
import { checkInferredTypes } from '../infer-type.js';

const T = theano.tensor;

/** x = arange(12).reshape(3, 4) */
const X = [
  [0, 1, 2, 3],
  [4, 5, 6, 7],
  [8, 9, 10, 11],
];
const V = [10, 20, 30, 40, 50];
const int = (t: Tensor) => t as IntScalar;
const ints = (t: Tensor) => t as IndexTensor;
const at = (x: Tensor, ...ix: unknown[]) => x.get(...(ix as BasicIndexArg[])) as Tensor;

/** An NDArray of `shape` (nested JS arrays cannot say (0, 3)) filled by `fill(flatIndex)`. */
function filled(dtype: DType, shape: readonly number[], fill: (k: number) => number | bigint | boolean): NDArray {
  const size = shape.reduce((a, d) => a * d, 1);
  const flat = theano.toNDArray(Array.from({ length: size }, (_, k) => fill(k)) as never, {
    dtype,
    allowDowncast: true,
  });
  return new theano.NDArray(dtype, shape, flat.data);
}

describe('basic indexing: oracle values (numpy)', () => {
  test('integers drop an axis; negative integers count from the end', () => {
    checkOp((x) => x.get(1), [X], { dtype: 'float64', value: [4, 5, 6, 7] });
    checkOp((x) => x.get(-1), [X], { dtype: 'float64', value: [8, 9, 10, 11] });
    checkOp((x) => x.get(1, -1), [X], { dtype: 'float64', value: 7 });
    checkOp((x) => x.get(-3, 0), [X], { dtype: 'float64', value: 0 });
    checkOp((x) => x.get(), [X], { dtype: 'float64', value: X });
    checkOp((x) => x.get(), [2.5], { dtype: 'float64', value: 2.5 });
  });

  test('slices keep the axis: positive, negative and open bounds, negative steps', () => {
    checkOp((x) => x.get(T.slice(1, 3)), [X], { dtype: 'float64', value: [X[1], X[2]] });
    checkOp((x) => x.get(T.slice(1)), [X], { dtype: 'float64', value: [X[1], X[2]] });
    checkOp((x) => x.get(T.slice(-2), T.slice(null, null, -2)), [X], {
      dtype: 'float64',
      value: [
        [7, 5],
        [11, 9],
      ],
    });
    checkOp((x) => x.get(T.slice(null, null, -1), 1), [X], { dtype: 'float64', value: [9, 5, 1] });
    checkOp((x) => x.get(T.slice(), T.slice(3, 1, -1)), [X], {
      dtype: 'float64',
      value: [
        [3, 2],
        [7, 6],
        [11, 10],
      ],
    });
    checkOp((x) => x.get(T.slice(), T.slice(-1, -5, -1)), [X], {
      dtype: 'float64',
      value: [
        [3, 2, 1, 0],
        [7, 6, 5, 4],
        [11, 10, 9, 8],
      ],
    });
    checkOp((x) => x.get(T.slice(-100, 100), T.slice(-100, 2)), [X], {
      dtype: 'float64',
      value: [
        [0, 1],
        [4, 5],
        [8, 9],
      ],
    });
    checkOp((x) => x.get(T.slice(null, null, 2), T.slice(null, null, 3)), [X], {
      dtype: 'float64',
      value: [
        [0, 3],
        [8, 11],
      ],
    });
    checkOp((x) => x.get(T.slice(-2, null, -2)), [V], { dtype: 'float64', value: [40, 20] });
    checkOp((x) => x.get(T.slice(1, null, -1)), [V], { dtype: 'float64', value: [20, 10] });
    checkOp((x) => x.get(T.slice(null, -6, -1)), [V], { dtype: 'float64', value: [50, 40, 30, 20, 10] });
    checkOp((x) => x.get(T.slice(3, -6, -1)), [V], { dtype: 'float64', value: [40, 30, 20, 10] });
    checkOp((x) => x.get(T.slice(10, null, -3)), [V], { dtype: 'float64', value: [50, 20] });
  });

  test('empty slices', () => {
    checkOp((x) => x.get(T.slice(5)), [X], { dtype: 'float64', shape: [0, 4], value: [] });
    checkOp((x) => x.get(T.slice(2, 0)), [X], { dtype: 'float64', shape: [0, 4], value: [] });
    checkOp((x) => x.get(T.slice(), T.slice(1, 1)), [X], { dtype: 'float64', shape: [3, 0], value: [] });
    checkOp((x) => x.get(T.slice(0, 2, -1)), [V], { dtype: 'float64', shape: [0], value: [] });
    checkOp((x) => x.get(T.slice(1, 2)), [f64([], { static: [0] })], { dtype: 'float64', shape: [0], value: [] });
    checkOp((x) => x.get(T.slice(), 0), [filled('float64', [0, 3], () => 0)], {
      dtype: 'float64',
      shape: [0],
      value: [],
    });
  });

  test('newaxis adds an axis of length 1', () => {
    checkOp((x) => x.get(T.newaxis), [X], { dtype: 'float64', shape: [1, 3, 4], value: [X] });
    checkOp((x) => x.get(T.slice(), T.newaxis, 1), [X], { dtype: 'float64', value: [[1], [5], [9]] });
    checkOp((x) => x.get(1, T.newaxis), [X], { dtype: 'float64', value: [[4, 5, 6, 7]] });
    checkOp((x) => x.get(T.newaxis, 1, T.newaxis, 2), [X], { dtype: 'float64', value: [[6]] });
    checkOp((x) => x.get(T.newaxis), [2.5], { dtype: 'float64', value: [2.5] });
    checkOp((x) => x.get(T.newaxis, T.newaxis), [V], { dtype: 'float64', shape: [1, 1, 5] });
  });

  test('symbolic integers and slice bounds are op inputs', () => {
    checkOp((x, i) => x.get(int(i)), [X, i32(-1)], { dtype: 'float64', value: [8, 9, 10, 11] });
    checkOp((x, i, j) => x.get(int(i), int(j)), [X, i32(2), i64(-3)], { dtype: 'float64', value: 9 });
    checkOp((x, i, j) => x.get(T.slice(int(i), null, int(j))), [X, i32(2), i64(-1)], {
      dtype: 'float64',
      value: [X[2], X[1], X[0]],
    });
    checkOp((x, i) => x.get(T.slice(null, int(i)), int(i)), [X, i32(1)], { dtype: 'float64', value: [1] });
    checkOp((x, i) => x.get(T.slice(int(i), int(i))), [V, u8(2)], { dtype: 'float64', value: [] });
    checkOp((x, s) => x.get(T.slice(null, null, int(s))), [V, i32(-2)], { dtype: 'float64', value: [50, 30, 10] });
    // the same scalar used twice is one input of the node
    const x = T.dmatrix('x');
    const i = T.iscalar('i');
    const y = x.get(T.slice(i, null), i);
    expect(y.owner!.inputs).toHaveLength(2);
    expect(theano.pp(y)).toBe('x[i:, i]');
  });

  test('constant index tensors are folded into the index (static shapes stay known)', () => {
    const x = T.tensor('float64', [5, 4], 'x');
    const y = x.get(T.constant(1, { dtype: 'int32' }), T.slice(T.constant(1, { dtype: 'int64' })));
    expect(y.owner!.inputs).toHaveLength(1);
    expect(y.staticShape).toEqual([3]);
  });

  test('integer and bool dtypes keep their dtype', () => {
    checkOp((x) => x.get(1, T.slice(null, null, -1)), [i32(X)], { dtype: 'int32', value: [7, 6, 5, 4] });
    checkOp(
      (x) => x.get(T.slice(1), -1),
      [
        i64([
          [1n, 2n],
          [3n, 2n ** 62n],
        ]),
      ],
      { dtype: 'int64', value: [2n ** 62n] },
    );
    checkOp((x) => x.get(0, 1), [i64([[1n, -(2n ** 63n)]])], { dtype: 'int64', value: -(2n ** 63n) });
    checkOp((x) => x.get(T.slice(null, null, 2)), [b([true, false, false, true])], {
      dtype: 'bool',
      value: [true, false],
    });
    checkOp((x) => x.get(-1), [f32([0.1, 0.2])], { dtype: 'float32', value: Math.fround(0.2) });
    checkOp((x) => x.get(2), [u8([1, 2, 255])], { dtype: 'uint8', value: 255 });
  });

  test('static shapes: constant bounds over known dimensions give known dimensions', () => {
    const x = T.tensor('float64', [5, null, 3], 'x');
    expect(x.get(1).staticShape).toEqual([null, 3]);
    expect(x.get(T.slice(1, 3)).staticShape).toEqual([2, null, 3]);
    expect(x.get(T.slice(null, null, -2), T.slice(0, 2), T.slice(-1)).staticShape).toEqual([3, null, 1]);
    expect(x.get(T.slice(10)).staticShape).toEqual([0, null, 3]);
    expect(x.get(T.newaxis, 0, T.newaxis).staticShape).toEqual([1, 1, null, 3]);
    expect(x.get(T.slice(T.iscalar('i'))).staticShape).toEqual([null, null, 3]);
    expect(String(T.dvector('v').get(T.newaxis).type)).toBe('float64 row (1, ?)');
  });

  test('pp writes numpy subscripts', () => {
    const x = T.dmatrix('x');
    const i = T.iscalar('i');
    expect(theano.pp(x.get(1, T.slice(null, null, -1)))).toBe('x[1, ::-1]');
    expect(theano.pp(x.get(T.slice(i, -1), T.newaxis))).toBe('x[i:-1, newaxis]');
    expect(theano.pp(x.add(1).get(0))).toBe('(x + 1)[0]');
    expect(theano.pp(x.get(T.slice(1, null, 2)).get(0))).toBe('x[1::2][0]');
  });
});

describe('basic indexing: errors', () => {
  test('an integer out of range is a run-time error naming the op, index, axis and length', () => {
    const x = T.dmatrix('x');
    const g = compileLoose([x], x.get(1, -5));
    expectRunError(
      g,
      [X],
      'subtensor',
      'index -5 is out of bounds for axis 1 with size 4',
      'in node: subtensor(x: float64(3, 4))',
    );
    const i = T.iscalar('i');
    const h = compileLoose([x, i], x.get(T.slice(), int(i)));
    expectRunError(h, [X, 4], 'subtensor: index 4 is out of bounds for axis 1 with size 4');
    expect(h(X, -4)).toBeInstanceOf(theano.NDArray);
    expectRunError(h, [[[]], 0], 'index 0 is out of bounds for axis 1 with size 0');
  });

  test('an integer out of range of a known dimension is a build error', () => {
    const x = T.tensor('float64', [null, 3], 'x');
    expectBuildError(
      () => x.get(0, 3),
      'subtensor: index 3 is out of bounds for axis 1 with size 3',
      "op: subtensor('x' (float64 matrix (?, 3)))",
      'built at:',
    );
    expectBuildError(() => T.constant(V).get(-6), 'index -6 is out of bounds for axis 0 with size 5');
    expectBuildError(() => T.tensor('float64', [0]).get(0), 'index 0 is out of bounds for axis 0 with size 0');
  });

  test('too many indices, bad index values, zero steps', () => {
    const m = T.dmatrix('m');
    expectBuildError(() => at(m, 0, 0, 0), 'subtensor: too many indices for a tensor of rank 2', '[0, 0, 0]');
    expectBuildError(() => at(T.dscalar(), 0), 'too many indices for a tensor of rank 0');
    expectBuildError(() => at(m, 1.5), 'index 0 must be an integer, got 1.5');
    expectBuildError(() => at(m, T.dscalar('s')), 'index 0 must be an integer scalar, got float64 scalar');
    expectBuildError(() => at(m, T.scalar('b').gt(0)), 'boolean masks are not supported');
    expectBuildError(
      () => at(m, undefined),
      'index 0 must be an integer, an integer scalar tensor, T.slice(...) or T.newaxis; got undefined',
    );
    expectBuildError(() => at(m, [0, 1]), 'use T.take(x, [...])');
    // an integer tensor beside other indices is numpy's advanced indexing (test/ops/advanced-indexing.test.ts)
    expectBuildError(() => at(m, 0, T.dvector()), 'index 1 must have an integer dtype, got float64 vector');
    expectBuildError(() => m.get(T.slice(0, 2, 0)), 'subtensor: slice step cannot be zero');
    expectBuildError(() => m.get(T.slice(T.dscalar() as never)), 'the start of index 0 must be an integer scalar');
    const s = T.iscalar('s');
    expectRunError(compileLoose([m, s], m.get(T.slice(null, null, s))), [X, 0], 'subtensor: slice step cannot be zero');
    expectBuildError(() => at(T.tensor('float64', 8), T.newaxis), 'the result would have rank 9');
  });
});

describe('advanced indexing: take and x.get(intTensor)', () => {
  test('oracle values', () => {
    checkOp((v, i) => T.take(v, ints(i)), [V, i32([-1, 0, 0])], { dtype: 'float64', value: [50, 10, 10] });
    checkOp(
      (v, i) => T.take(v, ints(i)),
      [
        V,
        i64([
          [0, 1],
          [2, -1],
        ]),
      ],
      {
        dtype: 'float64',
        value: [
          [10, 20],
          [30, 50],
        ],
      },
    );
    checkOp((x, i) => x.get(ints(i)), [X, i32([2, -3])], { dtype: 'float64', value: [X[2], X[0]] });
    checkOp((x, i) => x.get(ints(i)), [X, i32([[0], [2]])], { dtype: 'float64', value: [[X[0]], [X[2]]] });
    checkOp((x) => T.take(x, [3, 0], 1), [X], {
      dtype: 'float64',
      value: [
        [3, 0],
        [7, 4],
        [11, 8],
      ],
    });
    checkOp((x) => T.take(x, [[1, 1]], -1), [X], { dtype: 'float64', value: [[[1, 1]], [[5, 5]], [[9, 9]]] });
    checkOp((x) => T.take(x, 2), [X], { dtype: 'float64', value: [8, 9, 10, 11] });
    checkOp((x) => T.take(x, -1, 1), [X], { dtype: 'float64', value: [3, 7, 11] });
    checkOp((v, i) => T.take(v, ints(i)), [V, i32([])], { dtype: 'float64', shape: [0], value: [] });
    checkOp((x, i) => T.take(x, ints(i), 1), [filled('float64', [0, 3], () => 0), i32([2, 0])], {
      dtype: 'float64',
      shape: [0, 2],
      value: [],
    });
    checkOp((x, i) => x.get(ints(i)), [i64([5n, 2n ** 60n]), u8([1, 1, 0])], {
      dtype: 'int64',
      value: [2n ** 60n, 2n ** 60n, 5n],
    });
    checkOp((x, i) => x.get(ints(i)), [b([true, false]), i32([1, 0, 1])], {
      dtype: 'bool',
      value: [false, true, false],
    });
    checkOp((x, i) => T.take(x, ints(i), 1), [i32(X), i32([-1])], { dtype: 'int32', value: [[3], [7], [11]] });
  });

  test('static shapes', () => {
    const x = T.tensor('float64', [5, 4], 'x');
    expect(T.take(x, T.tensor('int32', [2, null])).staticShape).toEqual([2, null, 4]);
    expect(T.take(x, [[0, 1, 2]], 1).staticShape).toEqual([5, 1, 3]);
    expect(x.get(T.ivector()).staticShape).toEqual([null, 4]);
    expect(theano.pp(x.get(T.ivector('i')))).toBe('x[i]');
    expect(theano.pp(T.take(x, T.ivector('i'), 1))).toBe('take(x, i, axis=1)');
  });

  test('errors: out of range (run and build time), dtypes, axes', () => {
    const x = T.dmatrix('x');
    const i = T.ivector('i');
    expectRunError(
      compileLoose([x, i], x.get(i)),
      [X, [0, 3]],
      'take: index 3 is out of bounds for axis 0 with size 3',
      'in node: take(x: float64(3, 4), i: int32(2,))',
    );
    expectRunError(
      compileLoose([x, i], T.take(x, i, 1)),
      [X, [-5]],
      'take: index -5 is out of bounds for axis 1 with size 4',
    );
    expectBuildError(() => T.take(T.constant(X), [0, 3]), 'take: index 3 is out of bounds for axis 0 with size 3');
    expectBuildError(() => T.take(x, T.tensor('bool', 1) as never), 'take: boolean mask indices', 'not supported');
    expectBuildError(
      () => T.take(x, T.dvector() as never),
      'take: indices must have an integer dtype, got float64 vector',
    );
    expectBuildError(() => T.take(x, i, 2 as never), 'take: axis 2 is out of range for float64 matrix');
    expectBuildError(() => T.take(T.dscalar() as never, i), 'take: a scalar', 'cannot be indexed');
    expectBuildError(() => T.take(x, [0.5] as never), 'take indices');
  });
});

describe('setSubtensor and incSubtensor', () => {
  test('basic index: oracle values', () => {
    checkOp((x) => T.setSubtensor(x.get(T.slice(1), T.slice(null, null, 2)), 0), [X], {
      dtype: 'float64',
      value: [
        [0, 1, 2, 3],
        [0, 5, 0, 7],
        [0, 9, 0, 11],
      ],
    });
    checkOp((x, y) => T.incSubtensor(x.get(T.slice(null, 2)), y), [X, [100, 200, 300, 400]], {
      dtype: 'float64',
      value: [
        [100, 201, 302, 403],
        [104, 205, 306, 407],
        [8, 9, 10, 11],
      ],
    });
    checkOp((x) => T.setSubtensor(x.get(1, T.newaxis), [[7, 7, 7, 7]]), [X], {
      dtype: 'float64',
      value: [X[0], [7, 7, 7, 7], X[2]],
    });
    checkOp((x) => T.setSubtensor(x.get(-1, -1), -5), [X], { dtype: 'float64', value: [X[0], X[1], [8, 9, 10, -5]] });
    checkOp((x, i) => T.incSubtensor(x.get(T.slice(null, null, -1), int(i)), [1, 2, 3]), [X, i32(-1)], {
      dtype: 'float64',
      value: [
        [0, 1, 2, 6],
        [4, 5, 6, 9],
        [8, 9, 10, 12],
      ],
    });
    checkOp((x) => T.setSubtensor(x.get(T.slice(5)), 1), [X], { dtype: 'float64', value: X });
    checkOp((x) => x.at(T.slice(), 0).set(-1), [X], {
      dtype: 'float64',
      value: [
        [-1, 1, 2, 3],
        [-1, 5, 6, 7],
        [-1, 9, 10, 11],
      ],
    });
  });

  test('advanced index: repeated indices accumulate (np.add.at); setting keeps the last', () => {
    checkOp((v, i) => T.incSubtensor(v.get(ints(i)), 1), [V, i32([0, 0, 2, -1])], {
      dtype: 'float64',
      value: [12, 20, 31, 40, 51],
    });
    checkOp((v, i, y) => T.setSubtensor(v.get(ints(i)), y), [V, i32([1, 1]), [7, 8]], {
      dtype: 'float64',
      value: [10, 8, 30, 40, 50],
    });
    checkOp((x) => T.incSubtensor(T.take(x, [0, 0, 3], 1), 1), [X], {
      dtype: 'float64',
      value: [
        [2, 1, 2, 4],
        [6, 5, 6, 8],
        [10, 9, 10, 12],
      ],
    });
    checkOp(
      (x, i) => T.incSubtensor(x.get(ints(i)), 1),
      [
        X,
        i32([
          [0, 0],
          [1, 0],
        ]),
      ],
      { dtype: 'float64', value: [[3, 4, 5, 6], [5, 6, 7, 8], X[2]] },
    );
    checkOp((x, i) => T.incSubtensor(x.get(ints(i)), [[1], [10]]), [X, i32([2, 2])], {
      dtype: 'float64',
      value: [X[0], X[1], [19, 20, 21, 22]],
    });
    checkOp((x, i) => x.at(ints(i)).inc(T.constant([1, 2, 3, 4])), [X, i32([1])], {
      dtype: 'float64',
      value: [X[0], [5, 7, 9, 11], X[2]],
    });
    checkOp((v, i) => T.incSubtensor(v.get(ints(i)), 1), [V, i32([])], { dtype: 'float64', value: V });
  });

  test('integer, bool and float dtypes', () => {
    checkOp((x) => T.incSubtensor(x.get(0), 3), [i32([1, 2])], { dtype: 'int32', value: [4, 2] });
    checkOp((x, i) => T.incSubtensor(x.get(ints(i)), 10), [u8([250, 0]), i32([0])], { dtype: 'uint8', value: [4, 0] });
    checkOp((x, i) => T.incSubtensor(x.get(ints(i)), 1n), [i64([2n ** 62n, 0n]), i32([0, 0, 1])], {
      dtype: 'int64',
      value: [2n ** 62n + 2n, 1n],
    });
    checkOp((x, y) => T.setSubtensor(x.get(T.slice(1)), y), [i64([1n, 2n, 3n]), i32([7, 8])], {
      dtype: 'int64',
      value: [1n, 7n, 8n],
    });
    checkOp((x) => T.setSubtensor(x.get(1), true), [b([false, false])], { dtype: 'bool', value: [false, true] });
    checkOp((x, i) => T.incSubtensor(x.get(ints(i)), true), [b([false, true]), i32([0, 0])], {
      dtype: 'bool',
      value: [true, true],
    });
    checkOp((x) => T.incSubtensor(x.get(0), 0.1), [f32([1, 2])], {
      dtype: 'float32',
      value: [Math.fround(1 + Math.fround(0.1)), 2],
    });
    checkOp((x, y) => T.setSubtensor(x.get(0), y), [[1.5, 2.5], i32(7)], { dtype: 'float64', value: [7, 2.5] });
  });

  test('the result is typed like x and nothing a user holds is mutated', () => {
    const x = T.dmatrix('x');
    const i = T.ivector('i');
    const y = T.incSubtensor(x.get(i), 1);
    expect(y.type.equals(x.type)).toBe(true);
    const f = compileLoose([x, i], [y, x.get(0), x.at(0).set(5)]);
    const input = theano.array(X);
    const [out, row, set] = f(input, [0, 0]) as NDArray[];
    expect(input.toArray()).toEqual(X);
    expect(out!.toArray()).toEqual([[2, 3, 4, 5], X[1], X[2]]);
    expect(row!.toArray()).toEqual(X[0]);
    expect(set!.toArray()).toEqual([[5, 5, 5, 5], X[1], X[2]]);
    expect(out!.data).not.toBe(input.data);
    // a shared variable changes only through an update
    const state = theano.shared(theano.array([1, 2, 3]), { name: 'state' });
    const bump = theano.function([], state.at(T.slice(1)).inc(10), { updates: [[state, state.at(0).set(0)]] });
    expect(bump().toArray()).toEqual([1, 12, 13]);
    expect(state.getValue().toArray()).toEqual([0, 2, 3]);
  });

  test('pp and debugprint', () => {
    const x = T.dmatrix('x');
    const i = T.ivector('i');
    expect(theano.pp(T.setSubtensor(x.get(T.slice(1), 0), T.dscalar('y')))).toBe('set_subtensor(x[1:, 0], y)');
    expect(theano.pp(T.incSubtensor(x.get(i), 1))).toBe('inc_subtensor(x[i], 1)');
    expect(theano.pp(T.incSubtensor(T.take(x, i, 1), 1))).toBe('inc_subtensor(take(x, i, axis=1), 1)');
    expect(theano.debugprint(x.get(T.slice(1), 0)).split('\n')[0]).toBe(
      'subtensor{index=[1:, 0]} [id A] <float64 vector>',
    );
  });

  test('errors', () => {
    const x = T.dmatrix('x');
    const i = T.ivector('i');
    expectBuildError(
      () => T.setSubtensor(x, 1),
      'setSubtensor: the first argument must be an indexed tensor',
      "'x' (float64 matrix), which is not indexed",
    );
    expectBuildError(
      () => T.incSubtensor(x.add(1), 1),
      'incSubtensor: the first argument must be an indexed tensor',
      'the output of',
    );
    expectBuildError(
      () => T.setSubtensor(T.ivector().get(0), 1.5 as never), // also a compile error (ValueDTypeUnsafe)
      'set_subtensor: the value is float64, which does not cast safely to the int32',
    );
    expectBuildError(() => T.setSubtensor(T.ivector().get(0), T.lscalar() as never), "cast it first (.cast('int32'))");
    expectBuildError(
      () => T.setSubtensor(T.tensor('uint8', 1).get(0), -1),
      'setSubtensor: the constant -1 (operand 1) does not fit uint8',
    );
    expectBuildError(
      () => T.setSubtensor(x.get(0), T.dmatrix() as never), // also a compile error (ValueRankTooHigh)
      'set_subtensor: the value has rank 2, more than the rank 1 of the region (?,)',
    );
    expectBuildError(
      () => T.setSubtensor(T.tensor('float64', [3, 4]).get(T.slice(1)), T.tensor('float64', [3, 4])),
      'does not broadcast to the region (2, 4)',
    );
    expectRunError(
      compileLoose([x], T.setSubtensor(x.get(0), [1, 2])),
      [X],
      'set_subtensor: a value of shape (2,) does not broadcast to the region of shape (4,)',
    );
    expectRunError(
      compileLoose([x, i], T.incSubtensor(x.get(i), 1)),
      [X, [3]],
      'inc_subtensor: index 3 is out of bounds for axis 0 with size 3',
    );
    expectRunError(
      compileLoose([x], T.incSubtensor(x.get(2, 4 as number), 1)),
      [X],
      'inc_subtensor: index 4 is out of bounds for axis 1 with size 4',
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties against an independent reference

type RefIndex =
  | { int: number; symbolic: boolean }
  | { slice: [number | null, number | null, number | null]; symbolic: boolean }
  | 'newaxis';

/** Row-major strides of a contiguous array. */
function stridesOf(shape: readonly number[]): number[] {
  return shape.map((_, k) => shape.slice(k + 1).reduce((a, d) => a * d, 1));
}

/** The positions `start:stop:step` selects on an axis of length n, as Python defines slices. */
function slicePositions(n: number, start: number | null, stop: number | null, step: number | null): number[] {
  const s = step ?? 1;
  const out: number[] = [];
  if (s > 0) {
    const lo = start === null ? 0 : start < 0 ? Math.max(0, start + n) : Math.min(start, n);
    const hi = stop === null ? n : stop < 0 ? Math.max(0, stop + n) : Math.min(stop, n);
    for (let i = lo; i < hi; i += s) out.push(i);
  } else {
    const lo = start === null ? n - 1 : start < 0 ? Math.max(-1, start + n) : Math.min(start, n - 1);
    const hi = stop === null ? -1 : stop < 0 ? Math.max(-1, stop + n) : Math.min(stop, n - 1);
    for (let i = lo; i > hi; i += s) out.push(i);
  }
  return out;
}

/** Per output axis, the flat offsets it steps through; plus the fixed offset of the integer indices. */
type Selection = { shape: number[]; positions: number[] } | { error: { index: number; axis: number; size: number }[] };

function combine(base: number, axes: number[][]): { shape: number[]; positions: number[] } {
  let positions = [base];
  for (const offsets of axes) positions = positions.flatMap((p) => offsets.map((o) => p + o));
  return { shape: axes.map((a) => a.length), positions };
}

/** numpy's `x[index]` on a contiguous x of `shape`: the flat positions it selects, in row-major order. */
function referenceBasic(shape: readonly number[], index: readonly RefIndex[]): Selection {
  const strides = stridesOf(shape);
  const axes: number[][] = [];
  const errors: { index: number; axis: number; size: number }[] = [];
  let base = 0;
  let axis = 0;
  for (const e of index) {
    if (e === 'newaxis') {
      axes.push([0]);
      continue;
    }
    const n = shape[axis]!;
    if ('int' in e) {
      if (e.int < -n || e.int >= n) errors.push({ index: e.int, axis, size: n });
      base += ((e.int + n) % Math.max(n, 1)) * strides[axis]!;
    } else {
      axes.push(slicePositions(n, ...e.slice).map((i) => i * strides[axis]!));
    }
    axis++;
  }
  for (; axis < shape.length; axis++) axes.push(Array.from({ length: shape[axis]! }, (_, i) => i * strides[axis]!));
  return errors.length ? { error: errors } : combine(base, axes);
}

/** numpy's `take(x, idx, axis)` positions. */
function referenceTake(
  shape: readonly number[],
  idxShape: readonly number[],
  idx: readonly number[],
  axis: number,
): Selection {
  const strides = stridesOf(shape);
  const n = shape[axis]!;
  const bad = idx.filter((i) => i < -n || i >= n).map((i) => ({ index: i, axis, size: n }));
  if (bad.length) return { error: bad };
  const full = (k: number) => Array.from({ length: shape[k]! }, (_, i) => i * strides[k]!);
  const before = shape.slice(0, axis).map((_, k) => full(k));
  const after = shape.slice(axis + 1).map((_, k) => full(axis + 1 + k));
  const rows = combine(0, [...before, ...after]);
  // positions: for each outer position, each index, each inner position
  const outerSize = before.reduce((a, o) => a * o.length, 1);
  const innerSize = after.reduce((a, o) => a * o.length, 1);
  const positions: number[] = [];
  for (let o = 0; o < outerSize; o++) {
    for (const i of idx) {
      for (let k = 0; k < innerSize; k++)
        positions.push(rows.positions[o * innerSize + k]! + ((i + n) % n) * strides[axis]!);
    }
  }
  return { shape: [...shape.slice(0, axis), ...idxShape, ...shape.slice(axis + 1)], positions };
}

const DTYPES: readonly DType[] = ['float64', 'int32', 'int64', 'uint8', 'bool', 'float32'];
/** The value of element k of a test array (each element different where the dtype allows). */
function element(dtype: DType, k: number): number | bigint | boolean {
  if (dtype === 'bool') return k % 3 === 1;
  if (dtype === 'int64') return BigInt(k) * 1000000007n - 5n;
  if (dtype === 'uint8') return (k * 7) % 256;
  return dtype === 'int32' ? k * 3 - 10 : k + 0.5;
}

const arbDim = fc.integer({ min: 0, max: 4 });
const arbBound = (n: number) => fc.option(fc.integer({ min: -n - 3, max: n + 3 }), { nil: null, freq: 3 });
const arbStep = fc.option(fc.constantFrom(1, 2, 3, -1, -2, -3), { nil: null, freq: 3 });

/** A random basic index for a shape: ints (sometimes out of range), slices, new axes, some of them symbolic. */
function arbIndex(shape: readonly number[]): fc.Arbitrary<RefIndex[]> {
  return fc.integer({ min: 0, max: shape.length }).chain((consumed) =>
    fc
      .tuple(
        fc.tuple(
          ...shape.slice(0, consumed).map((n) =>
            fc.oneof(
              {
                weight: 2,
                arbitrary: fc.record({ int: fc.integer({ min: -n - 1, max: n }), symbolic: fc.boolean() }),
              },
              {
                weight: 3,
                arbitrary: fc.record({ slice: fc.tuple(arbBound(n), arbBound(n), arbStep), symbolic: fc.boolean() }),
              },
            ),
          ),
        ),
        fc.array(fc.integer({ min: 0, max: consumed }), { maxLength: 2 }),
      )
      .map(([entries, newAxes]) => {
        const out: RefIndex[] = [...(entries as RefIndex[])];
        for (const p of newAxes.sort((a, c) => c - a)) out.splice(p, 0, 'newaxis');
        return out;
      }),
  );
}

/** Turns reference indices into `x.get` arguments; symbolic values become int32 scalar inputs. */
function buildIndex(index: readonly RefIndex[]): { args: BasicIndexArg[]; inputs: Tensor[]; values: number[] } {
  const inputs: Tensor[] = [];
  const values: number[] = [];
  const val = (v: number | null, symbolic: boolean): IntScalar | number | null => {
    if (v === null || !symbolic) return v;
    const s = T.iscalar(`s${inputs.length}`);
    inputs.push(s);
    values.push(v);
    return s;
  };
  const args = index.map((e): BasicIndexArg => {
    if (e === 'newaxis') return T.newaxis;
    if ('int' in e) return val(e.int, e.symbolic)!;
    return T.slice(val(e.slice[0], e.symbolic), val(e.slice[1], e.symbolic), val(e.slice[2], e.symbolic));
  });
  return { args, inputs, values };
}

function expectValues(got: NDArray, want: { shape: number[]; values: unknown[] }): void {
  expect([...got.shape]).toEqual(want.shape);
  const actual = flatten(got.toArray());
  const problems = actual.map((g, k) => mismatch(got.dtype, g, want.values[k])).filter((m) => m !== null);
  expect(problems).toEqual([]);
}

const OUT_OF_BOUNDS = /index (-?\d+) is out of bounds for axis (\d+) with size (\d+)/;

/** Checks that an error names one of the expected out-of-range (index, axis, size) triples. */
function expectOneOf(err: unknown, expected: readonly { index: number; axis: number; size: number }[]): void {
  expect(err).toBeInstanceOf(Error);
  const m = OUT_OF_BOUNDS.exec((err as Error).message);
  expect(m, (err as Error).message).not.toBeNull();
  expect(expected).toContainEqual({ index: Number(m![1]), axis: Number(m![2]), size: Number(m![3]) });
}

function attempt<R>(fn: () => R): { ok: R } | { error: unknown } {
  try {
    return { ok: fn() };
  } catch (error) {
    return { error };
  }
}

describe('properties', () => {
  test('random basic indexing matches numpy, errors name the index, and inferred types match evaluation', () => {
    const arb = fc
      .record({ shape: fc.array(arbDim, { maxLength: 3 }), dtype: fc.constantFrom(...DTYPES), knownDims: fc.boolean() })
      .chain((c) => fc.record({ c: fc.constant(c), index: arbIndex(c.shape) }));
    const seen = { buildError: 0, runError: 0, value: 0 };
    fc.assert(
      fc.property(arb, ({ c: { shape, dtype, knownDims }, index }) => {
        const x = T.tensor(dtype, knownDims ? shape : shape.map(() => null), 'x') as Tensor;
        const value = filled(dtype, shape, (k) => element(dtype, k));
        const flat = flatten(value.toArray());
        const ref = referenceBasic(shape, index);
        const { args, inputs, values } = buildIndex(index);
        const built = attempt(() => x.get(...args) as Tensor);
        if ('error' in built) {
          expect('error' in ref, String(built.error)).toBe(true);
          expectOneOf(built.error, (ref as { error: [] }).error);
          seen.buildError++;
          return;
        }
        const run = attempt(() => checkInferredTypes([x, ...inputs], [built.ok], [value, ...values]));
        if ('error' in ref) {
          expect('error' in run).toBe(true);
          expectOneOf((run as { error: unknown }).error, ref.error);
          seen.runError++;
          return;
        }
        if ('error' in run) throw run.error;
        expectValues(run.ok[0]!, { shape: ref.shape, values: ref.positions.map((p) => flat[p]) });
        seen.value++;
      }),
      { numRuns: 300 },
    );
    // the generator reaches every outcome
    expect(Math.min(seen.buildError, seen.runError, seen.value), JSON.stringify(seen)).toBeGreaterThan(0);
  });

  test('random setSubtensor / incSubtensor with basic indices match numpy', () => {
    const arb = fc
      .record({
        shape: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
        mode: fc.constantFrom('set', 'inc') as fc.Arbitrary<'set' | 'inc'>,
      })
      .chain((c) =>
        fc.record({
          c: fc.constant(c),
          index: arbIndex(c.shape),
          dropY: fc.integer({ min: 0, max: 3 }),
          ones: fc.array(fc.boolean(), { maxLength: 4 }),
        }),
      );
    fc.assert(
      fc.property(arb, ({ c: { shape, mode }, index, dropY, ones }) => {
        const ref = referenceBasic(shape, index);
        if ('error' in ref) return;
        // y: the region's shape with some leading axes dropped and some axes set to 1 (it broadcasts)
        const yShape = ref.shape.slice(Math.min(dropY, ref.shape.length)).map((d, k) => (ones[k] ? 1 : d));
        const x = T.tensor('float64', shape.length as Rank, 'x') as Tensor;
        const y = T.tensor('float64', yShape.length as Rank, 'y') as Tensor;
        const { args, inputs, values } = buildIndex(index);
        const sub = x.get(...args) as Tensor;
        const out = mode === 'set' ? T.setSubtensor(sub, y) : T.incSubtensor(sub, y);
        const xs = filled('float64', shape, (k) => k);
        const ys = filled('float64', yShape, (k) => 100 * (k + 1));
        const [got] = checkInferredTypes([x, y, ...inputs], [out as Tensor], [xs, ys, ...values]);
        // reference: walk the region in row-major order, y broadcast from the right
        const want = flatten(xs.toArray()) as number[];
        const yFlat = flatten(ys.toArray()) as number[];
        const yStrides = stridesOf(yShape);
        ref.positions.forEach((p, r) => {
          let rest = r;
          let yPos = 0;
          for (let k = ref.shape.length - 1; k >= 0; k--) {
            const i = rest % ref.shape[k]!;
            rest = Math.floor(rest / ref.shape[k]!);
            const ky = k - (ref.shape.length - yShape.length);
            if (ky >= 0 && yShape[ky] !== 1) yPos += i * yStrides[ky]!;
          }
          want[p] = mode === 'set' ? yFlat[yPos]! : want[p]! + yFlat[yPos]!;
        });
        expectValues(got!, { shape, values: want });
      }),
      { numRuns: 200 },
    );
  });

  test('random take / advanced set and inc match numpy (repeated indices accumulate)', () => {
    const arb = fc
      .record({
        shape: fc.array(arbDim, { minLength: 1, maxLength: 3 }),
        idxShape: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
        dtype: fc.constantFrom(...DTYPES),
        axisSeed: fc.nat(),
        mode: fc.constantFrom('get', 'set', 'inc'),
        seed: fc.array(fc.integer({ min: -6, max: 6 }), { minLength: 9, maxLength: 9 }),
      })
      .map((r) => ({ ...r, axis: r.axisSeed % r.shape.length }));
    fc.assert(
      fc.property(arb, ({ shape, idxShape, dtype, axis, mode, seed }) => {
        const n = shape[axis]!;
        const count = idxShape.reduce((a, d) => a * d, 1);
        // mostly in range, sometimes not
        const idx = Array.from({ length: count }, (_, k) =>
          seed[k % 9]! >= 5 ? seed[k % 9]! + n : n === 0 ? seed[k % 9]! : seed[k % 9]! % n,
        );
        const ref = referenceTake(shape, idxShape, idx, axis);
        const x = T.tensor(dtype, shape.length as Rank, 'x') as Tensor;
        const i = T.tensor('int32', idxShape.length as Rank, 'i') as IndexTensor;
        const taken = T.take(x, i, axis as never) as Tensor;
        const yv = T.tensor(dtype, ('error' in ref ? 0 : ref.shape.length) as Rank, 'y') as Tensor;
        const out = mode === 'get' ? taken : mode === 'set' ? T.setSubtensor(taken, yv) : T.incSubtensor(taken, yv);
        const xs = filled(dtype, shape, (k) => element(dtype, k));
        const flat = flatten(xs.toArray());
        const ys = filled(dtype, 'error' in ref ? [] : ref.shape, (k) => element(dtype, k + 5));
        const is = filled('int32', idxShape, (k) => idx[k]!);
        const inputs = mode === 'get' ? [x, i] : [x, i, yv];
        const vals = mode === 'get' ? [xs, is] : [xs, is, ys];
        const run = attempt(() => checkInferredTypes(inputs, [out as Tensor], vals));
        if ('error' in ref) {
          expect('error' in run).toBe(true);
          expectOneOf((run as { error: unknown }).error, ref.error);
          return;
        }
        if ('error' in run) throw run.error;
        const got = run.ok[0]!;
        if (mode === 'get') return expectValues(got, { shape: ref.shape, values: ref.positions.map((p) => flat[p]) });
        const want = [...flat];
        const yFlat = flatten(ys.toArray());
        ref.positions.forEach((p, r) => {
          const yv = yFlat[r];
          if (mode === 'set') want[p] = yv;
          else if (dtype === 'bool') want[p] = Boolean(want[p]) || Boolean(yv);
          else if (dtype === 'int64') want[p] = BigInt.asIntN(64, (want[p] as bigint) + (yv as bigint));
          else if (dtype === 'uint8') want[p] = ((want[p] as number) + (yv as number)) % 256;
          else if (dtype === 'float32') want[p] = Math.fround((want[p] as number) + (yv as number));
          else want[p] = (want[p] as number) + (yv as number);
        });
        expectValues(got, { shape, values: want });
      }),
      { numRuns: 300 },
    );
  });
});
