/**
 * Shape and structure ops: one oracle test per behaviour (value, dtype, shape; empty arrays, negative axes, int and
 * float inputs), static shapes (known dims propagate; clashes known at build time are build errors), run-time shape
 * errors (naming the op, the shapes and the user line), and per op a fast-check property: on random inputs of
 * random shapes and dtypes (with random static knowledge), the inferred type matches evaluation
 * (checkInferredTypes) and the values match a reference written here with plain index arithmetic.
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
  coerce,
  compileLoose,
  expectArray,
  expectBuildError,
  expectRunError,
  expectScalar,
  f32,
  f64,
  i16,
  i32,
  i64,
  i8,
  indices,
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
// 2x2x2 holding 0..7
const T3 = [
  [
    [0, 1],
    [2, 3],
  ],
  [
    [4, 5],
    [6, 7],
  ],
];
const THIS_FILE = 'shape.test.ts';
type Loose = (...args: unknown[]) => unknown;
const run = (inputs: Tensor[], out: Tensor | Tensor[], ...values: unknown[]) =>
  compileLoose(inputs, out as Tensor)(...values);

// ---------------------------------------------------------------------------------------------------------------
// Oracles

// prettier-ignore
describe('reshape', () => {
  test('values, dtypes and -1', () => {
    checkOp((x) => T.reshape(x, [3, 2]), [M], { dtype: 'float64', value: [[1, 2], [3, 4], [5, 6]] });
    checkOp((x) => x.reshape([-1]), [i32(M)], { dtype: 'int32', value: [1, 2, 3, 4, 5, 6] });
    checkOp((x) => x.reshape([1, -1, 2]), [i8(M)], { dtype: 'int8', value: [[[1, 2], [3, 4], [5, 6]]] });
    checkOp((x) => x.reshape([2, 2]), [b([true, false, false, true])], { dtype: 'bool', value: [[true, false], [false, true]] });
    checkOp((x) => x.reshape([2, 3]), [i64([1n, 2n, 3n, 4n, 5n, 2n ** 62n])], { dtype: 'int64', value: [[1n, 2n, 3n], [4n, 5n, 2n ** 62n]] });
    checkOp((x) => x.reshape([]), [[[7.5]]], { dtype: 'float64', value: 7.5 });
    checkOp((x) => x.reshape([1, 1]), [f32(2.5)], { dtype: 'float32', value: [[2.5]] });
  });

  test('non-contiguous input (a transpose) is read in row-major order of its own shape', () => {
    checkOp((x) => x.T.reshape([-1]), [M], { dtype: 'float64', value: [1, 4, 2, 5, 3, 6] });
  });

  test('empty arrays', () => {
    checkOp((x) => x.reshape([-1]), [empty([0, 3])], { dtype: 'float64', shape: [0], value: [] });
    checkOp((x) => x.reshape([3, 0]), [empty([0, 3])], { dtype: 'float64', shape: [3, 0], value: [] });
    checkOp((x) => x.reshape([2, -1]), [empty([2, 0])], { dtype: 'float64', shape: [2, 0], value: [] });
  });

  test('symbolic sizes and a shape vector', () => {
    const x = T.dvector('x');
    const n = T.lscalar('n');
    const f = compileLoose([x, n], x.reshape([n, -1]));
    expectArray(f([1, 2, 3, 4, 5, 6], 3), { dtype: 'float64', value: [[1, 2], [3, 4], [5, 6]] });
    const i = T.iscalar('i');
    expectArray(compileLoose([x, i], x.reshape([2, i]))([1, 2, 3, 4], 2), { dtype: 'float64', value: [[1, 2], [3, 4]] });
    const y = T.dmatrix('y');
    expectArray(run([x, y], x.reshape(y.shape(), 2), [1, 2, 3, 4, 5, 6], [[0, 0, 0], [0, 0, 0]]), { value: M });
    expectArray(run([x, y], x.reshape([y.shape(1), -1]), [1, 2, 3, 4, 5, 6], M), { value: [[1, 2], [3, 4], [5, 6]] });
    // a symbolic -1 infers its size too
    expectArray(run([x, n], x.reshape([n, 2]), [1, 2, 3, 4], -1), { value: [[1, 2], [3, 4]] });
  });

  test('static shapes: literal sizes, -1 from a known size, constants and known axis lengths', () => {
    const v = T.dvector('v');
    expect(v.reshape([2, 3]).staticShape).toEqual([2, 3]);
    expect(v.reshape([2, -1]).staticShape).toEqual([2, null]);
    const known = T.tensor('float64', [2, 3, 4]);
    expect(known.reshape([4, -1]).staticShape).toEqual([4, 6]);
    expect(known.reshape([T.constant(6, { dtype: 'int32' }), -1]).staticShape).toEqual([6, 4]);
    expect(v.reshape([known.shape(2), -1]).staticShape).toEqual([4, null]);
    expect(T.constant([1, 2, 3, 4, 5, 6]).reshape([-1, 2]).staticShape).toEqual([3, 2]);
    const n = T.lscalar('n');
    expect(known.reshape([n, -1]).staticShape).toEqual([null, null]);
  });

  test('build errors: a known size mismatch, two -1, negative sizes, non-integer sizes', () => {
    const known = T.tensor('float64', [2, 3]);
    expectBuildError(() => known.reshape([4, 2]), 'reshape: cannot reshape float64 matrix (2, 3) (6 elements) into shape [4, 2]', 'the sizes hold 8 elements', THIS_FILE);
    expectBuildError(() => known.reshape([4, -1]), 'reshape: cannot reshape', 'no size for -1 makes 6 elements');
    expectBuildError(() => T.dvector().reshape([-1, -1]), 'only one size may be -1');
    expectBuildError(() => T.dvector().reshape([-2, 3]), 'reshape: invalid shape [-2, 3]');
    expectBuildError(() => T.dvector().reshape([1.5, 2]), 'reshape: invalid shape');
    expectBuildError(() => T.dvector().reshape([T.dscalar() as never, 2]), 'reshape: size 0 must be an integer scalar, got float64 scalar');
    expectBuildError(() => T.dvector().reshape([T.ivector() as never, 2]), 'reshape: size 0 must be an integer scalar');
  });

  test('run-time errors name the op, the shapes and the user line', () => {
    const x = T.dmatrix('x');
    const f = compileLoose([x], x.reshape([4, -1]));
    expectRunError(f as Loose, [M], 'reshape: cannot reshape an array of shape (2, 3) (6 elements) into shape (4, -1)', 'in node: reshape(x: float64(2, 3))', THIS_FILE);
    const g = compileLoose([x], x.reshape([5]));
    expectRunError(g as Loose, [M], 'into shape (5,): the sizes hold 5 elements');
    expectRunError(compileLoose([x], x.reshape([0, -1])) as Loose, [M], 'no size for -1 makes 6 elements');
    const n = T.lscalar('n');
    expectRunError(compileLoose([x, n], x.reshape([n, 3])) as Loose, [M, -3], 'sizes must be non-negative integers');
  });
});

// prettier-ignore
describe('flatten', () => {
  test('values: ndim 1 (default), 2 and 3; a scalar; ints', () => {
    checkOp((x) => x.flatten(), [T3], { dtype: 'float64', value: [0, 1, 2, 3, 4, 5, 6, 7] });
    checkOp((x) => T.flatten(x, 2), [i16(T3)], { dtype: 'int16', value: [[0, 1, 2, 3], [4, 5, 6, 7]] });
    checkOp((x) => x.flatten(3), [u8(T3)], { dtype: 'uint8', value: T3 });
    checkOp((x) => x.flatten(1), [M], { dtype: 'float64', value: [1, 2, 3, 4, 5, 6] });
    checkOp((x) => x.flatten(), [i32(5)], { dtype: 'int32', value: [5] });
    checkOp((x) => x.ravel(), [b([[true], [false]])], { dtype: 'bool', value: [true, false] });
  });

  test('empty arrays keep their leading axes', () => {
    checkOp((x) => x.flatten(2), [empty([2, 0, 3])], { dtype: 'float64', shape: [2, 0], value: [] });
    checkOp((x) => x.flatten(), [empty([0, 4])], { dtype: 'float64', shape: [0], value: [] });
  });

  test('static shapes and errors', () => {
    expect(T.tensor('float64', [2, 3, 4]).flatten(2).staticShape).toEqual([2, 12]);
    expect(T.tensor('float64', [2, null, 4]).flatten(2).staticShape).toEqual([2, null]);
    expect(T.tensor('float64', [2, null, 4]).flatten(3).staticShape).toEqual([2, null, 4]);
    expect(T.dscalar().flatten().staticShape).toEqual([1]);
    expectBuildError(() => T.dmatrix().flatten(3 as never), 'flatten: ndim must be in [1, 2] for float64 matrix, got 3');
    expectBuildError(() => T.dmatrix().flatten(0 as never), 'flatten: ndim must be in [1, 2]');
  });
});

// prettier-ignore
describe('squeeze, expandDims and dimshuffle dropping axes', () => {
  test('squeeze with an axis (also negative) and without', () => {
    checkOp((x) => x.squeeze(1), [[[1], [2]]], { dtype: 'float64', value: [1, 2] });
    checkOp((x) => x.squeeze(-2), [i32([[1, 2]])], { dtype: 'int32', value: [1, 2] });
    checkOp((x) => T.squeeze(x, [0, 2]), [[[[1], [2], [3]]]], { dtype: 'float64', value: [1, 2, 3] });
    checkOp((x) => x.squeeze(0), [empty([1, 0])], { dtype: 'float64', shape: [0], value: [] });
    // without an axis: the axes statically known to be 1
    const x = T.tensor('float64', [1, null, 1], 'x');
    const s = x.squeeze();
    expect(s.ndim).toBe(1);
    expectArray(run([x], s as Tensor, [[[1], [2]]]), { dtype: 'float64', value: [1, 2] });
    expect(T.dmatrix().squeeze().ndim).toBe(2);
  });

  test('squeeze of an axis of unknown length is checked at run time; a known length other than 1 at build time', () => {
    const x = T.dmatrix('x');
    const f = compileLoose([x], x.squeeze(1));
    expectArray(f([[1], [2]]), { value: [1, 2] });
    expectRunError(f as Loose, [M], 'dimshuffle: pattern [0] drops axis 1 of an array of shape (2, 3), but its length is 3, not 1', THIS_FILE);
    expectBuildError(() => T.tensor('float64', [2, 3]).squeeze(1), 'squeeze: axis 1 of float64 matrix (2, 3) has length 3, not 1');
    expectBuildError(() => x.squeeze([0, 0] as never), 'squeeze: repeated axis');
    expectBuildError(() => x.squeeze(2 as never), 'squeeze: axis 2 is out of range for a tensor of rank 2');
  });

  test('dimshuffle may drop an axis of unknown length (checked when it runs)', () => {
    // dropping axes is squeeze's job at the type level: a pattern that leaves out an axis must not be a literal
    const drop1: (number | 'x')[] = [1];
    const x = T.dmatrix('x');
    const f = compileLoose([x], T.dimshuffle(x, drop1));
    expectArray(f([[1, 2, 3]]), { dtype: 'float64', value: [1, 2, 3] });
    expectRunError(f as Loose, [M], 'dimshuffle: pattern [1] drops axis 0 of an array of shape (2, 3), but its length is 2, not 1', 'in node: dimshuffle', THIS_FILE);
    expectBuildError(() => T.dimshuffle(T.tensor('float64', [2, 3]), drop1), 'dimshuffle: pattern [1] drops axis 0 of float64 matrix (2, 3), which has length 2, not 1');
    expect(T.dimshuffle(T.drow(), drop1).staticShape).toEqual([null]);
  });

  test('expandDims at every position, negative too', () => {
    checkOp((x) => x.expandDims(0), [[1, 2, 3]], { dtype: 'float64', value: [[1, 2, 3]] });
    checkOp((x) => x.expandDims(1), [i32([1, 2, 3])], { dtype: 'int32', value: [[1], [2], [3]] });
    checkOp((x) => x.expandDims(-1), [[1, 2, 3]], { dtype: 'float64', value: [[1], [2], [3]] });
    checkOp((x) => T.expandDims(x, 1), [M], { dtype: 'float64', value: [[[1, 2, 3]], [[4, 5, 6]]] });
    checkOp((x) => x.expandDims(-3), [M], { dtype: 'float64', value: [M] });
    checkOp((x) => x.expandDims(0), [f32(2)], { dtype: 'float32', value: [2] });
    checkOp((x) => x.expandDims(0), [empty([0])], { dtype: 'float64', shape: [1, 0], value: [] });
    expect(T.dvector().expandDims(1).staticShape).toEqual([null, 1]);
    expectBuildError(() => T.dvector().expandDims(2 as never), 'expandDims: axis 2 is out of range for a tensor of rank 2');
  });
});

// prettier-ignore
describe('shape', () => {
  test('the whole shape as an int64 vector and one axis as an int64 scalar', () => {
    checkOp((x) => T.shape(x), [M], { dtype: 'int64', value: [2n, 3n] });
    checkOp((x) => x.shape(), [i8(T3)], { dtype: 'int64', value: [2n, 2n, 2n] });
    checkOp((x) => x.shape(), [5], { dtype: 'int64', shape: [0], value: [] });
    checkOp((x) => x.shape(), [empty([0, 4])], { dtype: 'int64', value: [0n, 4n] });
    checkOp((x) => T.shape(x, 1), [M], { dtype: 'int64', value: 3n });
    checkOp((x) => x.shape(-2), [M], { dtype: 'int64', value: 2n });
    checkOp((x) => x.shape(0), [empty([0, 4])], { dtype: 'int64', value: 0n });
    expect(T.dmatrix().shape().staticShape).toEqual([2]);
    expectBuildError(() => T.dmatrix().shape(2 as never), 'shape: axis 2 is out of range for a tensor of rank 2');
  });

  test('symbolic shapes in arithmetic', () => {
    const x = T.dmatrix('x');
    const size = x.shape(0).mul(x.shape(1));
    expect(run([x], size, M)).toBe(6n);
  });
});

// prettier-ignore
describe('concatenate and stack', () => {
  test('concatenate along each axis, negative too', () => {
    checkOp((x, y) => T.concatenate([x, y]), [M, [[7, 8, 9]]], { dtype: 'float64', value: [[1, 2, 3], [4, 5, 6], [7, 8, 9]] });
    checkOp((x, y) => T.concatenate([x, y], 1), [M, [[7], [8]]], { dtype: 'float64', value: [[1, 2, 3, 7], [4, 5, 6, 8]] });
    checkOp((x, y) => T.concatenate([x, y], -1), [i32(M), i32([[7], [8]])], { dtype: 'int32', value: [[1, 2, 3, 7], [4, 5, 6, 8]] });
    checkOp((x, y, z) => T.concatenate([x, y, z]), [[1], [2, 3], [4, 5, 6]], { dtype: 'float64', value: [1, 2, 3, 4, 5, 6] });
    checkOp((x) => T.concatenate([x]), [[1, 2]], { dtype: 'float64', value: [1, 2] });
    checkOp((x, y) => T.concatenate([x, y], 1), [T3, T3], {
      dtype: 'float64',
      value: [
        [[0, 1], [2, 3], [0, 1], [2, 3]],
        [[4, 5], [6, 7], [4, 5], [6, 7]],
      ],
    });
  });

  test('the result has the upcast dtype of the inputs', () => {
    checkOp((x, y) => T.concatenate([x, y]), [i8([-5, 7]), u8([200])], { dtype: 'int16', value: [-5, 7, 200] });
    checkOp((x, y) => T.concatenate([x, y]), [b([true, false]), i32([7])], { dtype: 'int32', value: [1, 0, 7] });
    checkOp((x, y) => T.concatenate([x, y]), [f32([0.5]), i32([7])], { dtype: 'float64', value: [0.5, 7] });
    checkOp((x, y) => T.concatenate([x, y]), [i64([2n ** 62n]), u32([4294967295])], { dtype: 'int64', value: [2n ** 62n, 4294967295n] });
  });

  test('empty inputs', () => {
    checkOp((x, y) => T.concatenate([x, y]), [empty([0, 3]), M], { dtype: 'float64', value: M });
    checkOp((x, y) => T.concatenate([x, y], 1), [empty([2, 0]), empty([2, 0])], { dtype: 'float64', shape: [2, 0], value: [] });
  });

  test('static shapes: known lengths add up, known other axes must agree', () => {
    const a = T.tensor('float64', [2, 3]);
    const c = T.tensor('float64', [null, 3]);
    expect(T.concatenate([a, a]).staticShape).toEqual([4, 3]);
    expect(T.concatenate([a, c]).staticShape).toEqual([null, 3]);
    expect(T.concatenate([T.dmatrix(), a], 1).staticShape).toEqual([2, null]);
    expect(T.concatenate([T.dmatrix(), T.tensor('float64', [null, 4])]).staticShape).toEqual([null, 4]);
    expectBuildError(() => T.concatenate([a, T.tensor('float64', [2, 4])]), 'concatenate: input 1 (float64 matrix (2, 4)) does not match the others outside axis 0: axis 1 has length 4, not 3');
    expectBuildError(() => T.concatenate([T.dscalar(), T.dscalar()] as never), 'concatenate: cannot join scalars (rank 0); use stack');
    expectBuildError(() => T.concatenate([T.dvector(), T.dmatrix()] as never), 'concatenate: all tensors must have the same rank');
    expectBuildError(() => T.concatenate([] as never), 'concatenate: expected a non-empty list of tensors');
    expectBuildError(() => T.concatenate([T.dvector()], 1 as never), 'concatenate: axis 1 is out of range for a tensor of rank 1');
  });

  test('run-time mismatch names the op and every shape', () => {
    const [x, y] = T.dmatrices('x', 'y');
    const f = compileLoose([x, y], T.concatenate([x, y]));
    expectRunError(f as Loose, [M, [[1, 2]]], "concatenate: input 1 has shape (1, 2), which does not match input 0's shape (2, 3) outside axis 0 (shapes (2, 3), (1, 2))", THIS_FILE);
  });

  test('stack', () => {
    checkOp((x, y) => T.stack([x, y]), [[1, 2, 3], [4, 5, 6]], { dtype: 'float64', value: M });
    checkOp((x, y) => T.stack([x, y], 1), [[1, 2, 3], [4, 5, 6]], { dtype: 'float64', value: [[1, 4], [2, 5], [3, 6]] });
    checkOp((x, y) => T.stack([x, y], -1), [i32([1, 2]), i32([3, 4])], { dtype: 'int32', value: [[1, 3], [2, 4]] });
    checkOp((x, y, z) => T.stack([x, y, z]), [1, 2, 3], { dtype: 'float64', value: [1, 2, 3] });
    checkOp((x, y) => T.stack([x, y]), [i32(1), f32(0.5)], { dtype: 'float64', value: [1, 0.5] });
    checkOp((x, y) => T.stack([x, y], 1), [M, M], { dtype: 'float64', value: [[[1, 2, 3], [1, 2, 3]], [[4, 5, 6], [4, 5, 6]]] });
    checkOp((x, y) => T.stack([x, y]), [empty([0]), empty([0])], { dtype: 'float64', shape: [2, 0], value: [] });
    expect(T.stack([T.dvector(), T.dvector()]).staticShape).toEqual([2, null]);
    const [x, y] = T.dvectors('x', 'y');
    expectRunError(compileLoose([x, y], T.stack([x, y])) as Loose, [[1, 2], [1, 2, 3]], 'concatenate: input 1 has shape (1, 3)', THIS_FILE);
    expectBuildError(() => T.stack([T.dvector()], 2 as never), 'stack: axis 2 is out of range for a tensor of rank 2');
  });
});

// prettier-ignore
describe('split', () => {
  test('pieces along an axis, negative too, and empty pieces', () => {
    const x = T.dvector('x');
    const [a, c] = T.split(x, [2, 3]);
    const [va, vc] = run([x], [a, c], [1, 2, 3, 4, 5]) as NDArray[];
    expectArray(va, { dtype: 'float64', value: [1, 2] });
    expectArray(vc, { dtype: 'float64', value: [3, 4, 5] });
    const m = T.imatrix('m');
    const parts = T.split(m, [1, 0, 2], -1);
    const values = run([m], parts, M) as NDArray[];
    expectArray(values[0], { dtype: 'int32', value: [[1], [4]] });
    expectArray(values[1], { dtype: 'int32', shape: [2, 0], value: [] });
    expectArray(values[2], { dtype: 'int32', value: [[2, 3], [5, 6]] });
    const [whole] = T.split(m, [2]);
    expectArray(run([m], whole, M), { value: M });
  });

  test('symbolic sizes, static shapes and errors', () => {
    const x = T.dvector('x');
    const n = T.lscalar('n');
    const [a, c] = T.split(x, [n, 2]);
    expect(a.staticShape).toEqual([null]);
    expect(c.staticShape).toEqual([2]);
    const [va, vc] = run([x, n], [a, c], [1, 2, 3], 1) as NDArray[];
    expectArray(va, { value: [1] });
    expectArray(vc, { value: [2, 3] });
    expectRunError(compileLoose([x, n], [a, c]) as Loose, [[1, 2, 3], 2], 'split: cannot split an array of shape (3,) into sizes (2, 2) along axis 0 (its length is 3)', THIS_FILE);
    expectBuildError(() => T.split(T.tensor('float64', [5]), [2, 2]), 'split: the sizes [2, 2] add up to 4, but axis 0 of float64 vector (5,) has length 5');
    expectBuildError(() => T.split(x, [-1, 2]), 'split: invalid size -1');
    expectBuildError(() => T.split(T.dscalar() as never, [1]), 'split: cannot split a scalar');
  });
});

// prettier-ignore
describe('alloc, broadcastTo, fill, zeros, ones, full, zerosLike, onesLike', () => {
  test('alloc broadcasts its value to the shape', () => {
    expectArray(run([], T.alloc(0, 2, 3)), { dtype: 'float64', value: [[0, 0, 0], [0, 0, 0]] });
    checkOp((v) => T.alloc(v, 2, 3), [i32([1, 2, 3])], { dtype: 'int32', value: [[1, 2, 3], [1, 2, 3]] });
    checkOp((v) => T.alloc(v, 2, 3), [[[1], [2]]], { dtype: 'float64', value: [[1, 1, 1], [2, 2, 2]] });
    checkOp((v) => T.alloc(v, 2), [b(true)], { dtype: 'bool', value: [true, true] });
    checkOp((v) => T.alloc(v, 0, 3), [5], { dtype: 'float64', shape: [0, 3], value: [] });
    checkOp((v) => T.alloc(v), [i64(7n)], { dtype: 'int64', value: 7n });
    const n = T.iscalar('n');
    expectArray(run([n], T.alloc(1.5, n, 2), 3), { dtype: 'float64', value: [[1.5, 1.5], [1.5, 1.5], [1.5, 1.5]] });
    expect(T.alloc(1.5, n, 2).staticShape).toEqual([null, 2]);
    expect(T.alloc(T.tensor('float64', [3]), n, T.tensor('float64', [3]).shape(0)).staticShape).toEqual([null, 3]);
  });

  test('alloc and broadcastTo errors', () => {
    expectBuildError(() => T.alloc(T.tensor('float64', [4]), 2, 3), 'alloc: cannot broadcast float64 vector (4,) to shape [2, 3] (axis 1: 4 vs 3)');
    expectBuildError(() => T.alloc(T.dmatrix(), 3), 'alloc: float64 matrix has more axes than the shape [3]');
    expectBuildError(() => T.alloc(1, -1), 'alloc: invalid size -1');
    const v = T.dvector('v');
    expectRunError(compileLoose([v], T.alloc(v, 2, 3)) as Loose, [[1, 2, 3, 4]], 'alloc: cannot broadcast an array of shape (4,) to shape (2, 3)', 'in node: alloc', THIS_FILE);
    expectRunError(compileLoose([v], T.broadcastTo(v, [2, 3])) as Loose, [[1, 2]], 'broadcastTo: cannot broadcast an array of shape (2,) to shape (2, 3)', THIS_FILE);
    const n = T.lscalar('n');
    expectRunError(compileLoose([n], T.zeros([n])) as Loose, [-2], 'alloc: invalid shape (-2,)');
  });

  test('broadcastTo', () => {
    checkOp((x) => T.broadcastTo(x, [2, 3]), [[1, 2, 3]], { dtype: 'float64', value: [[1, 2, 3], [1, 2, 3]] });
    checkOp((x) => T.broadcastTo(x, [2, 2]), [u8([[7], [8]])], { dtype: 'uint8', value: [[7, 7], [8, 8]] });
    checkOp((x) => T.broadcastTo(x, [3]), [i8(4)], { dtype: 'int8', value: [4, 4, 4] });
    checkOp((x) => T.broadcastTo(x, [0, 3]), [[1, 2, 3]], { dtype: 'float64', shape: [0, 3], value: [] });
    expect(T.broadcastTo(T.tensor('float64', [1, 3]), [T.lscalar(), T.lscalar()]).staticShape).toEqual([null, 3]);
  });

  test('fill: the value broadcast to the model, a number weakly typed', () => {
    checkOp((m) => T.fill(m, 2), [i32(M)], { dtype: 'int32', value: [[2, 2, 2], [2, 2, 2]] });
    checkOp((m) => T.fill(m, 2.5), [i32([1, 2])], { dtype: 'float64', value: [2.5, 2.5] });
    checkOp((m) => m.fill(1), [f32([1, 2])], { dtype: 'float32', value: [1, 1] });
    checkOp((m, v) => T.fill(m, v), [M, i8([7, 8, 9])], { dtype: 'int8', value: [[7, 8, 9], [7, 8, 9]] });
    checkOp((m, v) => T.fill(m, v), [[1, 2], [[5], [6]]], { dtype: 'float64', value: [[5, 5], [6, 6]] });
    checkOp((m) => T.fill(m, 3), [empty([0, 2])], { dtype: 'float64', shape: [0, 2], value: [] });
    expectBuildError(() => T.fill(T.tensor('float64', [2]), T.tensor('float64', [3])), 'fill: float64 vector (2,) and float64 vector (3,) do not broadcast');
    const [x, y] = T.dvectors('x', 'y');
    expectRunError(compileLoose([x, y], T.fill(x, y)) as Loose, [[1, 2], [1, 2, 3]], 'fill: shapes (2,) and (3,) do not broadcast', THIS_FILE);
  });

  test('zeros, ones, full', () => {
    expectArray(run([], T.zeros([2, 3])), { dtype: 'float64', value: [[0, 0, 0], [0, 0, 0]] });
    expectArray(run([], T.zeros(3, 'int32')), { dtype: 'int32', value: [0, 0, 0] });
    expectArray(run([], T.ones([2], 'bool')), { dtype: 'bool', value: [true, true] });
    expectArray(run([], T.ones([2, 1], 'int64')), { dtype: 'int64', value: [[1n], [1n]] });
    expectArray(run([], T.zeros([0, 2])), { dtype: 'float64', shape: [0, 2], value: [] });
    expectScalar(run([], T.ones([])), 'float64', 1);
    expectArray(run([], T.full([2, 2], 7)), { dtype: 'float64', value: [[7, 7], [7, 7]] });
    expectArray(run([], T.full([2], 7, 'int8')), { dtype: 'int8', value: [7, 7] });
    expectArray(run([], T.full([2], 2.7, 'int32')), { dtype: 'int32', value: [2, 2] });
    expectArray(run([], T.full([1], 2n ** 62n)), { dtype: 'int64', value: [2n ** 62n] });
    expectArray(run([], T.full([2], false)), { dtype: 'bool', value: [false, false] });
    const s = T.iscalar('s');
    expectArray(run([s], T.full([2], s), 4), { dtype: 'int32', value: [4, 4] });
    expectArray(run([s], T.full([2], s, 'float32'), 4), { dtype: 'float32', value: [4, 4] });
    const n = T.lscalar('n');
    expectArray(run([n], T.ones([n, 2], 'uint8'), 2), { dtype: 'uint8', value: [[1, 1], [1, 1]] });
    expect(T.zeros([2, 3]).staticShape).toEqual([2, 3]);
    expect(T.zeros([n, 3]).staticShape).toEqual([null, 3]);
    expectBuildError(() => T.zeros([2], 'float16' as never), 'zeros: unknown dtype float16');
    expectBuildError(() => T.full([2], T.dvector() as never), 'full: the value must be a scalar');
  });

  test('zerosLike and onesLike keep the shape, and the dtype unless given', () => {
    checkOp((x) => T.zerosLike(x), [i32(M)], { dtype: 'int32', value: [[0, 0, 0], [0, 0, 0]] });
    checkOp((x) => x.onesLike(), [[1.5, 2]], { dtype: 'float64', value: [1, 1] });
    checkOp((x) => T.onesLike(x, 'bool'), [[1.5, 2]], { dtype: 'bool', value: [true, true] });
    checkOp((x) => x.zerosLike('int64'), [empty([0, 3])], { dtype: 'int64', shape: [0, 3], value: [] });
    checkOp((x) => T.zerosLike(x), [f32(3)], { dtype: 'float32', value: 0 });
    expect(T.zerosLike(T.tensor('float64', [2, null])).staticShape).toEqual([2, null]);
  });
});

// prettier-ignore
describe('arange and eye', () => {
  test('arange with numbers', () => {
    expectArray(run([], T.arange(5)), { dtype: 'int64', value: [0n, 1n, 2n, 3n, 4n] });
    expectArray(run([], T.arange(1, 10, 3)), { dtype: 'int64', value: [1n, 4n, 7n] });
    expectArray(run([], T.arange(5, 0, -2)), { dtype: 'int64', value: [5n, 3n, 1n] });
    expectArray(run([], T.arange(0, 1, 0.25)), { dtype: 'float64', value: [0, 0.25, 0.5, 0.75] });
    expectArray(run([], T.arange(0, 2.5)), { dtype: 'float64', value: [0, 1, 2] });
    expectArray(run([], T.arange(-1.5, 1)), { dtype: 'float64', value: [-1.5, -0.5, 0.5] });
    expectArray(run([], T.arange(3, 3)), { dtype: 'int64', shape: [0], value: [] });
    expectArray(run([], T.arange(3, 1)), { dtype: 'int64', shape: [0], value: [] });
    expectArray(run([], T.arange(4, undefined, undefined, 'float32')), { dtype: 'float32', value: [0, 1, 2, 3] });
    expectArray(run([], T.arange(0, 1, 0.5, 'int32')), { dtype: 'int32', value: [0, 0] });
    expect(T.arange(0, 1, 0.25).staticShape).toEqual([4]);
    expect(T.arange(10, 0, -3).staticShape).toEqual([4]);
  });

  test('arange with symbolic bounds: the upcast dtype, weak numbers', () => {
    const n = T.iscalar('n');
    expectArray(run([n], T.arange(n), 3), { dtype: 'int32', value: [0, 1, 2] });
    expectArray(run([n], T.arange(n, 10, 3), 2), { dtype: 'int32', value: [2, 5, 8] });
    expectArray(run([n], T.arange(0, n, 0.5), 2), { dtype: 'float64', value: [0, 0.5, 1, 1.5] });
    const f = T.fscalar('f');
    expectArray(run([f], T.arange(f, 2), 0.5), { dtype: 'float32', value: [0.5, 1.5] });
    const l = T.lscalar('l');
    expectArray(run([n, l], T.arange(n, l), 1, 4n), { dtype: 'int64', value: [1n, 2n, 3n] });
    expect(T.arange(n).staticShape).toEqual([null]);
    expect(T.arange(T.constant(4, { dtype: 'int32' })).staticShape).toEqual([4]);
    expectRunError(compileLoose([n], T.arange(0, 5, n)) as Loose, [0], 'arange: step must not be 0', THIS_FILE);
    expectBuildError(() => T.arange(0, 5, 0), 'arange: step must not be 0');
    expectBuildError(() => T.arange(0, Infinity), 'arange: start, stop and step must be finite');
    expectBuildError(() => T.arange(T.dvector() as never), 'arange: stop must be a numeric scalar, got float64 vector');
    expectBuildError(() => T.arange(T.bscalar().gt(0) as never), 'arange: stop must be a numeric scalar, got bool scalar');
  });

  test('eye', () => {
    expectArray(run([], T.eye(3)), { dtype: 'float64', value: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] });
    expectArray(run([], T.eye(2, 3, 1)), { dtype: 'float64', value: [[0, 1, 0], [0, 0, 1]] });
    expectArray(run([], T.eye(3, 2, -1, 'int8')), { dtype: 'int8', value: [[0, 0], [1, 0], [0, 1]] });
    expectArray(run([], T.eye(2, 2, 5)), { dtype: 'float64', value: [[0, 0], [0, 0]] });
    expectArray(run([], T.eye(0)), { dtype: 'float64', shape: [0, 0], value: [] });
    expectArray(run([], T.eye(2, null, 0, 'bool')), { dtype: 'bool', value: [[true, false], [false, true]] });
    const n = T.iscalar('n');
    expectArray(run([n], T.eye(n, 3, 0, 'int64'), 2), { dtype: 'int64', value: [[1n, 0n, 0n], [0n, 1n, 0n]] });
    expect(T.eye(n, 3).staticShape).toEqual([null, 3]);
    expect(T.eye(4).staticShape).toEqual([4, 4]);
    expectBuildError(() => T.eye(-1), 'eye: sizes must be non-negative integers, got -1');
  });
});

// prettier-ignore
describe('tril and triu', () => {
  const S = [
    [1, 2, 3],
    [4, 5, 6],
    [7, 8, 9],
  ];
  test('diagonals above and below, integer and float, batches, empty', () => {
    checkOp((x) => T.tril(x as Tensor<DType, 2>), [S], { dtype: 'float64', value: [[1, 0, 0], [4, 5, 0], [7, 8, 9]] });
    checkOp((x) => T.tril(x as Tensor<DType, 2>, 1), [i32(S)], { dtype: 'int32', value: [[1, 2, 0], [4, 5, 6], [7, 8, 9]] });
    checkOp((x) => T.tril(x as Tensor<DType, 2>, -1), [S], { dtype: 'float64', value: [[0, 0, 0], [4, 0, 0], [7, 8, 0]] });
    checkOp((x) => T.triu(x as Tensor<DType, 2>), [S], { dtype: 'float64', value: [[1, 2, 3], [0, 5, 6], [0, 0, 9]] });
    checkOp((x) => T.triu(x as Tensor<DType, 2>, 1), [M], { dtype: 'float64', value: [[0, 2, 3], [0, 0, 6]] });
    checkOp((x) => T.triu(x as Tensor<DType, 2>, -1), [b([[true, true], [true, true], [true, true]])], { dtype: 'bool', value: [[true, true], [true, true], [false, true]] });
    checkOp((x) => T.tril(x as Tensor<DType, 2>), [T3], { dtype: 'float64', value: [[[0, 0], [2, 3]], [[4, 0], [6, 7]]] });
    checkOp((x) => T.triu(x as Tensor<DType, 2>), [empty([0, 3])], { dtype: 'float64', shape: [0, 3], value: [] });
    const x = T.dmatrix('x');
    const k = T.iscalar('k');
    expectArray(run([x, k], T.tril(x, k), S, -2), { value: [[0, 0, 0], [0, 0, 0], [7, 0, 0]] });
    expectBuildError(() => T.tril(T.dvector() as never), 'tril: needs a tensor of rank 2 or more, got float64 vector');
  });
});

// prettier-ignore
describe('tile, repeat, roll', () => {
  test('tile', () => {
    checkOp((x) => T.tile(x, [3]), [[1, 2]], { dtype: 'float64', value: [1, 2, 1, 2, 1, 2] });
    checkOp((x) => T.tile(x, [2, 2]), [i32([1, 2])], { dtype: 'int32', value: [[1, 2, 1, 2], [1, 2, 1, 2]] });
    checkOp((x) => T.tile(x, [2]), [M], { dtype: 'float64', value: [[1, 2, 3, 1, 2, 3], [4, 5, 6, 4, 5, 6]] });
    checkOp((x) => T.tile(x, [2, 1]), [M], { dtype: 'float64', value: [...M, ...M] });
    checkOp((x) => T.tile(x, [0, 1]), [M], { dtype: 'float64', shape: [0, 3], value: [] });
    checkOp((x) => T.tile(x, [2]), [f32(1.5)], { dtype: 'float32', value: [1.5, 1.5] });
    checkOp((x) => T.tile(x, []), [[1, 2]], { dtype: 'float64', value: [1, 2] });
    const v = T.dvector('v');
    const n = T.iscalar('n');
    expectArray(run([v, n], T.tile(v, [n]), [1, 2], 2), { value: [1, 2, 1, 2] });
    expect(T.tile(T.tensor('float64', [2, 3]), [2, 1]).staticShape).toEqual([4, 3]);
    expect(T.tile(T.tensor('float64', [2]), [n, 2]).staticShape).toEqual([null, 4]);
    expect(T.tile(T.dvector(), [0]).staticShape).toEqual([0]);
    expectBuildError(() => T.tile(v, [-1]), 'tile: invalid repetition count -1');
  });

  test('repeat along an axis, per element, and flattened', () => {
    checkOp((x) => T.repeat(x, 2, 0), [M], { dtype: 'float64', value: [[1, 2, 3], [1, 2, 3], [4, 5, 6], [4, 5, 6]] });
    checkOp((x) => x.repeat(2, -1), [i32(M)], { dtype: 'int32', value: [[1, 1, 2, 2, 3, 3], [4, 4, 5, 5, 6, 6]] });
    checkOp((x) => x.repeat(2), [M], { dtype: 'float64', value: [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6] });
    checkOp((x, r) => T.repeat(x, r as Tensor<"int32", 1>, 1), [M, i32([1, 0, 2])], { dtype: 'float64', value: [[1, 3, 3], [4, 6, 6]] });
    checkOp((x, r) => T.repeat(x, r as Tensor<"int32", 1>, 0), [M, i64([3n])], { dtype: 'float64', value: [...M.slice(0, 1), M[0]!, M[0]!, M[1]!, M[1]!, M[1]!] });
    checkOp((x) => x.repeat(0, 0), [M], { dtype: 'float64', shape: [0, 3], value: [] });
    checkOp((x) => x.repeat(3), [empty([0, 2])], { dtype: 'float64', shape: [0], value: [] });
    checkOp((x) => x.repeat(2), [b(true)], { dtype: 'bool', value: [true, true] });
    const x = T.dmatrix('x');
    const n = T.iscalar('n');
    expectArray(run([x, n], x.repeat(n, 0), M, 1), { value: M });
    expect(T.tensor('float64', [2, 3]).repeat(2, 1).staticShape).toEqual([2, 6]);
    expect(T.tensor('float64', [2, 3]).repeat(2).staticShape).toEqual([12]);
    expect(T.tensor('float64', [2, 3]).repeat(n).staticShape).toEqual([null]);
    const r = T.ivector('r');
    expectRunError(compileLoose([x, r], x.repeat(r, 1)) as Loose, [M, [1, 2]], 'repeat: 2 repeat counts for an axis of length 3 (input shape (2, 3))', THIS_FILE);
    expectRunError(compileLoose([x, r], x.repeat(r, 1)) as Loose, [M, [1, -2, 1]], 'repeat: repeat counts must be non-negative');
    expectBuildError(() => x.repeat(-1), 'repeat: repeats must be a non-negative integer, got -1');
    expectBuildError(() => x.repeat(T.dvector() as never), 'repeat: repeats must be integers, got float64 vector');
  });

  test('roll', () => {
    checkOp((x) => T.roll(x, 2), [[1, 2, 3, 4, 5]], { dtype: 'float64', value: [4, 5, 1, 2, 3] });
    checkOp((x) => T.roll(x, -1), [i32([1, 2, 3])], { dtype: 'int32', value: [2, 3, 1] });
    checkOp((x) => T.roll(x, 7), [[1, 2, 3]], { dtype: 'float64', value: [3, 1, 2] });
    checkOp((x) => T.roll(x, 1), [M], { dtype: 'float64', value: [[6, 1, 2], [3, 4, 5]] });
    checkOp((x) => T.roll(x, 1, 1), [M], { dtype: 'float64', value: [[3, 1, 2], [6, 4, 5]] });
    checkOp((x) => T.roll(x, 1, -2), [M], { dtype: 'float64', value: [[4, 5, 6], [1, 2, 3]] });
    checkOp((x) => T.roll(x, 1), [empty([0])], { dtype: 'float64', shape: [0], value: [] });
    checkOp((x) => T.roll(x, 3, 0), [empty([0, 2])], { dtype: 'float64', shape: [0, 2], value: [] });
    checkOp((x) => T.roll(x, 1), [f32(2)], { dtype: 'float32', value: 2 });
    const x = T.dvector('x');
    const s = T.lscalar('s');
    expectArray(run([x, s], T.roll(x, s), [1, 2, 3], -4), { value: [2, 3, 1] });
  });
});

// prettier-ignore
describe('cumsum and cumprod', () => {
  test('along each axis and flattened; accumulation dtypes as sum', () => {
    checkOp((x) => T.cumsum(x, 0), [M], { dtype: 'float64', value: [[1, 2, 3], [5, 7, 9]] });
    checkOp((x) => x.cumsum(1), [M], { dtype: 'float64', value: [[1, 3, 6], [4, 9, 15]] });
    checkOp((x) => x.cumsum(-1), [i32(M)], { dtype: 'int64', value: [[1n, 3n, 6n], [4n, 9n, 15n]] });
    checkOp((x) => x.cumsum(), [M], { dtype: 'float64', value: [1, 3, 6, 10, 15, 21] });
    checkOp((x) => x.cumsum(), [b([true, false, true])], { dtype: 'int64', value: [1n, 1n, 2n] });
    checkOp((x) => x.cumsum(0), [u8([200, 100])], { dtype: 'int64', value: [200n, 300n] });
    checkOp((x) => x.cumsum(0, { dtype: 'float32' }), [i32([1, 2])], { dtype: 'float32', value: [1, 3] });
    checkOp((x) => x.cumsum(0), [f32([0.1, 0.2])], { dtype: 'float32', value: [Math.fround(0.1), Math.fround(Math.fround(0.1) + Math.fround(0.2))], rtol: 0 });
    checkOp((x) => T.cumprod(x, 1), [M], { dtype: 'float64', value: [[1, 2, 6], [4, 20, 120]] });
    checkOp((x) => x.cumprod(), [i8([2, 3, 4])], { dtype: 'int64', value: [2n, 6n, 24n] });
    checkOp((x) => x.cumprod(), [i64([2n ** 62n, 4n])], { dtype: 'int64', value: [2n ** 62n, 0n] });
    checkOp((x) => x.cumprod(0), [empty([0, 2])], { dtype: 'float64', shape: [0, 2], value: [] });
    checkOp((x) => x.cumsum(), [empty([2, 0], 'int32')], { dtype: 'int64', shape: [0], value: [] });
    checkOp((x) => x.cumsum(), [f64(2.5)], { dtype: 'float64', value: [2.5] });
    expect(T.tensor('float64', [2, 3]).cumsum().staticShape).toEqual([6]);
    expectBuildError(() => T.dvector().cumsum(1 as never), 'cumsum: axis 1 is out of range for a tensor of rank 1');
  });
});

// prettier-ignore
test('pp prints the ops with their symbolic arguments', () => {
  const x = T.dmatrix('x');
  const n = T.lscalar('n');
  expect(theano.pp(x.reshape([n, -1]))).toBe('reshape(x, [n, -1])');
  expect(theano.pp(T.alloc(0, n, 3))).toBe('alloc(0, n, 3)');
  expect(theano.pp(T.concatenate([x, x], 1))).toBe('concatenate(x, x, axis=1)');
  expect(theano.pp(T.split(x, [1, n])[1])).toBe('split(x, [1, n], axis=0)[1]');
  expect(theano.pp(T.arange(n))).toBe('arange(0, n, 1, dtype=int64)');
  expect(theano.pp(T.tril(x, -1))).toBe('tril(x, -1)');
  expect(theano.pp(x.flatten(2))).toBe('flatten(x, ndim=2)');
  expect(theano.pp(x.cumsum(0))).toBe('cumsum(x, axis=0)');
});

// ---------------------------------------------------------------------------------------------------------------
// Properties: the inferred type matches evaluation, the values match an index-arithmetic reference

type Scalar = number | bigint | boolean;

/** A random input: dtype, shape, which dims the symbolic input knows statically, and its row-major values. */
interface Input {
  dtype: DType;
  shape: number[];
  known: boolean[];
  values: Scalar[];
}

function arbElement(dtype: DType): fc.Arbitrary<Scalar> {
  if (dtype === 'bool') return fc.boolean();
  if (dtype === 'int64') return fc.bigInt({ min: -20n, max: 20n });
  if (dtype.startsWith('uint')) return fc.integer({ min: 0, max: 20 });
  if (dtype.startsWith('int')) return fc.integer({ min: -20, max: 20 });
  return fc.integer({ min: -40, max: 40 }).map((v) => v / 4); // exact in float32 too
}

const size = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);

function arbInputOf(dtype: fc.Arbitrary<DType>, shape: fc.Arbitrary<number[]>): fc.Arbitrary<Input> {
  return fc.tuple(dtype, shape).chain(([d, s]) =>
    fc.record({
      dtype: fc.constant(d),
      shape: fc.constant(s),
      known: fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
      values: fc.array(arbElement(d), { minLength: size(s), maxLength: size(s) }),
    }),
  );
}

const arbDims = (minRank = 0, maxRank = 4) =>
  fc.array(fc.integer({ min: 0, max: 3 }), { minLength: minRank, maxLength: maxRank });
const arbInput = (minRank = 0, maxRank = 4) => arbInputOf(fc.constantFrom(...ALL_DTYPES), arbDims(minRank, maxRank));

/** The NDArray of an input, built from a typed array (no conversion code under test). */
function arrayOf(c: Input): NDArray {
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
  return new theano.NDArray(c.dtype, c.shape, data as never);
}

function symbolicOf(c: Input, name = 'x'): Tensor {
  const shape: StaticDim[] = c.shape.map((d, i) => (c.known[i] ? d : null));
  return T.tensor(c.dtype, shape, name) as Tensor;
}

/** Row-major offset of `idx` in `shape`. */
function offset(shape: readonly number[], idx: readonly number[]): number {
  let pos = 0;
  for (let k = 0; k < shape.length; k++) pos = pos * shape[k]! + idx[k]!;
  return pos;
}

/** The reference result: shape and row-major values from `at(idx)`. */
function reference(shape: number[], at: (idx: number[]) => Scalar): { shape: number[]; flat: Scalar[] } {
  return { shape, flat: [...indices(shape)].map(at) };
}

/** Checks types against the run, then each output against its reference. */
function check(
  inputs: Tensor[],
  outputs: Tensor[],
  values: unknown[],
  expected: { dtype: DType; shape: number[]; flat: Scalar[] }[],
): void {
  outputs.forEach((o, i) => {
    expect(o.dtype, `output ${i} symbolic dtype`).toBe(expected[i]!.dtype);
    expect(o.ndim, `output ${i} symbolic rank`).toBe(expected[i]!.shape.length);
  });
  const results = checkInferredTypes(inputs, outputs, values);
  // the reference values are the inputs' own; stored in the output dtype they convert as numpy's astype
  results.forEach((r, i) =>
    expectArray(
      r,
      { ...expected[i]!, flat: expected[i]!.flat.map((v) => coerce(expected[i]!.dtype, v)) },
      `output ${i}`,
    ),
  );
}

/** A symbolic integer scalar for a size, or the number itself. */
function sizeArg(
  value: number,
  symbolic: boolean,
  name: string,
  dtype: 'int32' | 'int64' = 'int64',
): { arg: number | Tensor<'int32' | 'int64', 0>; inputs: Tensor[]; values: unknown[] } {
  if (!symbolic) return { arg: value, inputs: [], values: [] };
  const t = T.tensor(dtype, [], name) as Tensor<'int32' | 'int64', 0>;
  return { arg: t, inputs: [t], values: [dtype === 'int64' ? BigInt(value) : value] };
}

const RUNS = { numRuns: 120 };
const UPCAST_DTYPES: DType[] = [
  'bool',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'float32',
  'float64',
];

describe('property: inferred types match evaluation; values match a reference', () => {
  test('reshape (with -1 and symbolic sizes)', () => {
    const arb = arbInput().chain((c) => {
      // the target: the input's dims shuffled, with adjacent ones merged and 1s inserted
      return fc
        .record({
          order: fc.shuffledSubarray(c.shape, { minLength: c.shape.length }),
          merge: fc.array(fc.boolean(), { minLength: c.shape.length, maxLength: c.shape.length }),
          ones: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }),
          free: fc.integer({ min: -1, max: 4 }),
          symbolic: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
        })
        .map((r) => {
          const target: number[] = [];
          r.order.forEach((d, i) => {
            if (r.merge[i] && target.length > 0 && target.length < 4) target[target.length - 1]! *= d;
            else target.push(d);
          });
          for (const at of r.ones) if (target.length < 6) target.splice(Math.min(at, target.length), 0, 1);
          return { c, target, ...r };
        });
    });
    fc.assert(
      fc.property(arb, ({ c, target, free, symbolic }) => {
        const x = symbolicOf(c);
        const product = (xs: number[]) => xs.reduce((a, d) => a * d, 1);
        const others = target.filter((_, i) => i !== free);
        const entries = target.map((d, i) => (i === free && product(others) !== 0 ? -1 : d));
        const inputs = [x];
        const values: unknown[] = [arrayOf(c)];
        const shape = entries.map((d, i) => {
          const s = sizeArg(d, symbolic[i]!, `s${i}`, i % 2 ? 'int32' : 'int64');
          inputs.push(...s.inputs);
          values.push(...s.values);
          return s.arg;
        });
        const out = x.reshape(shape as never) as Tensor;
        check(inputs, [out], values, [{ dtype: c.dtype, shape: target, flat: c.values }]);
      }),
      RUNS,
    );
  });

  test('flatten', () => {
    const arb = arbInput().chain((c) =>
      fc.record({ c: fc.constant(c), ndim: fc.integer({ min: 1, max: Math.max(1, c.shape.length) }) }),
    );
    fc.assert(
      fc.property(arb, ({ c, ndim }) => {
        const x = symbolicOf(c);
        const shape = [...c.shape.slice(0, ndim - 1), size(c.shape.slice(ndim - 1))];
        check([x], [x.flatten(ndim as never) as Tensor], [arrayOf(c)], [{ dtype: c.dtype, shape, flat: c.values }]);
      }),
      RUNS,
    );
  });

  test('dimshuffle, squeeze and expandDims', () => {
    const withOnes = fc.array(
      fc.integer({ min: 0, max: 3 }).map((d) => (d === 3 ? 1 : d)),
      { maxLength: 4 },
    );
    const arb = arbInputOf(fc.constantFrom(...ALL_DTYPES), withOnes).chain((c) =>
      fc.record({
        c: fc.constant(c),
        perm: fc.shuffledSubarray(
          c.shape.map((_, i) => i),
          { minLength: c.shape.length },
        ),
        drop: fc.array(fc.boolean(), { minLength: c.shape.length, maxLength: c.shape.length }),
        insert: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }),
        at: fc.integer({ min: -c.shape.length - 1, max: c.shape.length }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ c, perm, drop, insert, at }) => {
        const x = symbolicOf(c);
        // dimshuffle: a permutation that drops some length-1 axes and inserts broadcastable ones
        const pattern: (number | 'x')[] = perm.filter((a) => !(drop[a] && c.shape[a] === 1));
        for (const p of insert) pattern.splice(Math.min(p, pattern.length), 0, 'x');
        const dsShape = pattern.map((p) => (p === 'x' ? 1 : c.shape[p]!));
        const dsAt = (idx: number[]) => {
          const src = new Array<number>(c.shape.length).fill(0);
          pattern.forEach((p, k) => {
            if (p !== 'x') src[p] = idx[k]!;
          });
          return c.values[offset(c.shape, src)]!;
        };
        // squeeze every axis of length 1, named
        const ones = c.shape.flatMap((d, i) => (d === 1 ? [i] : []));
        const sqShape = c.shape.filter((d) => d !== 1);
        // expandDims
        const pos = at < 0 ? at + c.shape.length + 1 : at;
        const exShape = [...c.shape.slice(0, pos), 1, ...c.shape.slice(pos)];
        const outputs = [
          T.dimshuffle(x, pattern) as Tensor,
          x.squeeze(ones as never) as Tensor,
          x.expandDims(at as never) as Tensor,
        ];
        check(
          [x],
          outputs,
          [arrayOf(c)],
          [
            { dtype: c.dtype, ...reference(dsShape, dsAt) },
            { dtype: c.dtype, shape: sqShape, flat: c.values },
            { dtype: c.dtype, shape: exShape, flat: c.values },
          ],
        );
        // squeeze with no axis drops exactly the axes statically known to be 1
        const auto = x.squeeze() as Tensor;
        expect(auto.ndim).toBe(c.shape.filter((d, i) => !(d === 1 && c.known[i])).length);
        checkInferredTypes([x], [auto], [arrayOf(c)]);
      }),
      RUNS,
    );
  });

  test('shape and shape(i)', () => {
    fc.assert(
      fc.property(arbInput(1), (c) => {
        const x = symbolicOf(c);
        const outputs = [x.shape(), ...c.shape.map((_, i) => x.shape(i as never) as Tensor)];
        const [whole, ...each] = checkInferredTypes([x], outputs as Tensor[], [arrayOf(c)]);
        expectArray(whole, { dtype: 'int64', flat: c.shape.map(BigInt) });
        each.forEach((r, i) => expect(r.item(0)).toBe(BigInt(c.shape[i]!)));
      }),
      RUNS,
    );
  });

  test('concatenate and stack (with upcasting)', () => {
    const arb = fc
      .record({
        base: arbDims(1, 3),
        axisSeed: fc.nat(),
        lengths: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
        dtypes: fc.array(fc.constantFrom(...UPCAST_DTYPES), { minLength: 3, maxLength: 3 }),
        negative: fc.boolean(),
      })
      .chain((r) => {
        const axis = r.axisSeed % r.base.length;
        const parts = r.lengths.map((n, i) =>
          arbInputOf(fc.constant(r.dtypes[i]!), fc.constant(r.base.map((d, k) => (k === axis ? n : d)))),
        );
        const same = r.lengths.map((_, i) => arbInputOf(fc.constant(r.dtypes[i]!), fc.constant(r.base)));
        return fc.record({
          axis: fc.constant(axis),
          negative: fc.constant(r.negative),
          parts: fc.tuple(...parts),
          same: fc.tuple(...same),
          stackAt: fc.integer({ min: -r.base.length - 1, max: r.base.length }),
        });
      });
    fc.assert(
      fc.property(arb, ({ axis, negative, parts, same, stackAt }) => {
        const rank = parts[0]!.shape.length;
        const dtype = parts.map((p) => p.dtype).reduce((a, d) => theano.upcast(a, d));
        // concatenate
        const xs = parts.map((p, i) => symbolicOf(p, `x${i}`));
        const cat = T.concatenate(xs as never, (negative ? axis - rank : axis) as never) as Tensor;
        const starts: number[] = [];
        let total = 0;
        for (const p of parts) {
          starts.push(total);
          total += p.shape[axis]!;
        }
        const catShape = parts[0]!.shape.map((d, k) => (k === axis ? total : d));
        const catAt = (idx: number[]) => {
          let j = parts.length - 1;
          while (starts[j]! > idx[axis]! || parts[j]!.shape[axis] === 0) j--;
          const p = parts[j]!;
          return p.values[
            offset(
              p.shape,
              idx.map((v, k) => (k === axis ? v - starts[j]! : v)),
            )
          ]!;
        };
        check(xs, [cat], parts.map(arrayOf), [{ dtype, ...reference(catShape, catAt) }]);
        // stack
        const ys = same.map((p, i) => symbolicOf(p, `y${i}`));
        const stacked = T.stack(ys as never, stackAt as never) as Tensor;
        const at = stackAt < 0 ? stackAt + rank + 1 : stackAt;
        const base = same[0]!.shape;
        const stackShape = [...base.slice(0, at), same.length, ...base.slice(at)];
        const stackDType = same.map((p) => p.dtype).reduce((a, d) => theano.upcast(a, d));
        const stackAtIdx = (idx: number[]) =>
          same[idx[at]!]!.values[
            offset(
              base,
              idx.filter((_, k) => k !== at),
            )
          ]!;
        check(ys, [stacked], same.map(arrayOf), [{ dtype: stackDType, ...reference(stackShape, stackAtIdx) }]);
      }),
      RUNS,
    );
  });

  test('split (symbolic sizes too)', () => {
    const arb = arbInput(1, 3).chain((c) =>
      fc.record({
        c: fc.constant(c),
        axis: fc.integer({ min: -c.shape.length, max: c.shape.length - 1 }),
        cuts: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 0, maxLength: 3 }),
        symbolic: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ c, axis, cuts, symbolic }) => {
        const a = axis < 0 ? axis + c.shape.length : axis;
        const length = c.shape[a]!;
        // sizes: cut points sorted inside [0, length]
        const points = [0, ...cuts.map((p) => Math.min(p, length)).sort((p, q) => p - q), length];
        const sizes = points.slice(1).map((p, i) => p - points[i]!);
        const x = symbolicOf(c);
        const inputs = [x];
        const values: unknown[] = [arrayOf(c)];
        const args = sizes.map((s, i) => {
          const arg = sizeArg(s, symbolic[i]!, `s${i}`);
          inputs.push(...arg.inputs);
          values.push(...arg.values);
          return arg.arg;
        });
        const outs = T.split(x, args as never, axis as never) as unknown as Tensor[];
        const expected = sizes.map((s, i) => {
          const shape = c.shape.map((d, k) => (k === a ? s : d));
          return {
            dtype: c.dtype,
            ...reference(
              shape,
              (idx) =>
                c.values[
                  offset(
                    c.shape,
                    idx.map((v, k) => (k === a ? v + points[i]! : v)),
                  )
                ]!,
            ),
          };
        });
        check(inputs, outs, values, expected);
      }),
      RUNS,
    );
  });

  test('alloc, broadcastTo and fill', () => {
    const arb = fc
      .record({
        target: arbDims(0, 4),
        drop: fc.nat(),
        ones: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        symbolic: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      })
      .chain((r) => {
        const valueShape = r.target.slice(r.drop % (r.target.length + 1)).map((d, i) => (r.ones[i] ? 1 : d));
        return fc.record({
          target: fc.constant(r.target),
          symbolic: fc.constant(r.symbolic),
          value: arbInputOf(fc.constantFrom(...ALL_DTYPES), fc.constant(valueShape)),
          model: arbInputOf(fc.constantFrom(...ALL_DTYPES), fc.constant(r.target)),
        });
      });
    fc.assert(
      fc.property(arb, ({ target, symbolic, value, model }) => {
        const v = symbolicOf(value, 'v');
        const m = symbolicOf(model, 'm');
        const inputs = [v, m];
        const values: unknown[] = [arrayOf(value), arrayOf(model)];
        const sizes = target.map((d, i) => {
          const s = sizeArg(d, symbolic[i]!, `s${i}`, 'int32');
          inputs.push(...s.inputs);
          values.push(...s.values);
          return s.arg;
        });
        const pad = target.length - value.shape.length;
        const at = (idx: number[]) =>
          value.values[
            offset(
              value.shape,
              idx.slice(pad).map((i, k) => (value.shape[k] === 1 ? 0 : i)),
            )
          ]!;
        const ref = { dtype: value.dtype, ...reference(target, at) };
        const outputs = [
          T.alloc(v, ...(sizes as never[])) as Tensor,
          T.broadcastTo(v, sizes as never) as Tensor,
          T.fill(m, v) as Tensor,
        ];
        check(inputs, outputs, values, [ref, ref, ref]);
      }),
      RUNS,
    );
  });

  test('zeros, ones, full, zerosLike, onesLike, eye', () => {
    const arb = fc.record({
      shape: arbDims(0, 4),
      dtype: fc.constantFrom(...ALL_DTYPES),
      symbolic: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      like: arbInput(),
      n: fc.integer({ min: 0, max: 4 }),
      m: fc.integer({ min: 0, max: 4 }),
      k: fc.integer({ min: -4, max: 4 }),
    });
    fc.assert(
      fc.property(arb, ({ shape, dtype, symbolic, like, n, m, k }) => {
        const inputs: Tensor[] = [];
        const values: unknown[] = [];
        const sizes = shape.map((d, i) => {
          const s = sizeArg(d, symbolic[i]!, `s${i}`);
          inputs.push(...s.inputs);
          values.push(...s.values);
          return s.arg;
        });
        const nArg = sizeArg(n, symbolic[0]!, 'n', 'int32');
        const x = symbolicOf(like);
        inputs.push(...nArg.inputs, x);
        values.push(...nArg.values, arrayOf(like));
        const fullValue = dtype === 'bool' ? true : dtype === 'int64' ? 3n : 3;
        const outputs = [
          T.zeros(sizes as never, dtype) as Tensor,
          T.ones(sizes as never, dtype) as Tensor,
          T.full(sizes as never, fullValue as never, dtype) as Tensor,
          T.zerosLike(x) as Tensor,
          x.onesLike('float32') as Tensor,
          T.eye(nArg.arg, m, k, dtype) as Tensor,
        ];
        const filled = (v: Scalar) => new Array<Scalar>(size(shape)).fill(v);
        const eyeRef = reference([n, m], ([i, j]) => (j! - i! === k ? 1 : 0));
        check(inputs, outputs, values, [
          { dtype, shape, flat: filled(0) },
          { dtype, shape, flat: filled(1) },
          { dtype, shape, flat: filled(fullValue) },
          { dtype: like.dtype, shape: like.shape, flat: new Array<Scalar>(size(like.shape)).fill(0) },
          { dtype: 'float32', shape: like.shape, flat: new Array<Scalar>(size(like.shape)).fill(1) },
          { dtype, ...eyeRef },
        ]);
      }),
      RUNS,
    );
  });

  test('arange (numbers, symbolic bounds, fractions)', () => {
    const bound = fc.oneof(
      fc.integer({ min: -6, max: 6 }),
      fc.integer({ min: -24, max: 24 }).map((v) => v / 4),
    );
    const arb = fc.record({
      start: bound,
      stop: bound,
      step: fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(0.5, -0.5, 1.5)).filter((s) => s !== 0),
      symbolic: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
      dtype: fc.constantFrom('int32', 'int64', 'float32', 'float64') as fc.Arbitrary<
        'int32' | 'int64' | 'float32' | 'float64'
      >,
    });
    fc.assert(
      fc.property(arb, ({ start, stop, step, symbolic, dtype }) => {
        const inputs: Tensor[] = [];
        const values: unknown[] = [];
        const bounds = [start, stop, step].map((v, i) => {
          // a symbolic bound of the input dtype (a fraction needs a float one)
          const d = Number.isInteger(v) ? dtype : dtype === 'float32' ? 'float32' : 'float64';
          if (!symbolic[i]) return v;
          const t = T.tensor(d, [], `b${i}`) as Tensor<'float64', 0>;
          inputs.push(t);
          values.push(d === 'int64' ? BigInt(v) : v);
          return t;
        });
        const out = T.arange(bounds[0]!, bounds[1]!, bounds[2]!) as Tensor;
        // the reference dtype: numbers alone: int64 or float64; with tensors, their upcast with weak numbers
        const tensors = inputs.map((t) => t.dtype);
        const expectedDType: DType =
          tensors.length === 0
            ? [start, stop, step].every(Number.isInteger)
              ? 'int64'
              : 'float64'
            : [start, stop, step].some((v, i) => !symbolic[i] && !Number.isInteger(v)) &&
                !tensors.some((t) => t.startsWith('float'))
              ? 'float64'
              : tensors.reduce((a, d) => theano.upcast(a, d));
        const length = Math.max(0, Math.ceil((stop - start) / step));
        const flat = Array.from({ length }, (_, i) => start + i * step);
        check(inputs, [out], values, [
          {
            dtype: expectedDType,
            shape: [length],
            flat: flat.map((v) => (expectedDType.startsWith('int') ? Math.trunc(v) : v)),
          },
        ]);
      }),
      RUNS,
    );
  });

  test('tril and triu', () => {
    const arb = arbInput(2, 4).chain((c) =>
      fc.record({ c: fc.constant(c), k: fc.integer({ min: -4, max: 4 }), symbolic: fc.boolean() }),
    );
    fc.assert(
      fc.property(arb, ({ c, k, symbolic }) => {
        const x = symbolicOf(c) as Tensor<DType, 2>;
        const kArg = sizeArg(k, symbolic, 'k', 'int32');
        const r = c.shape.length - 2;
        const keep = (lower: boolean) => (idx: number[]) => {
          const d = idx[r + 1]! - idx[r]!;
          const v = c.values[offset(c.shape, idx)]!;
          return (lower ? d <= k : d >= k) ? v : typeof v === 'bigint' ? 0n : typeof v === 'boolean' ? false : 0;
        };
        check(
          [x, ...kArg.inputs],
          [T.tril(x, kArg.arg) as Tensor, T.triu(x, kArg.arg) as Tensor],
          [arrayOf(c), ...kArg.values],
          [
            { dtype: c.dtype, ...reference(c.shape, keep(true)) },
            { dtype: c.dtype, ...reference(c.shape, keep(false)) },
          ],
        );
      }),
      RUNS,
    );
  });

  test('tile', () => {
    const arb = arbInput(0, 3).chain((c) =>
      fc.record({
        c: fc.constant(c),
        reps: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 4 }),
        symbolic: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ c, reps, symbolic }) => {
        const x = symbolicOf(c);
        const inputs = [x];
        const values: unknown[] = [arrayOf(c)];
        const args = reps.map((r, i) => {
          const s = sizeArg(r, symbolic[i]!, `r${i}`);
          inputs.push(...s.inputs);
          values.push(...s.values);
          return s.arg;
        });
        const ndim = Math.max(c.shape.length, reps.length);
        const dims = [...new Array<number>(ndim - c.shape.length).fill(1), ...c.shape];
        const counts = [...new Array<number>(ndim - reps.length).fill(1), ...reps];
        const shape = dims.map((d, k) => d * counts[k]!);
        const at = (idx: number[]) =>
          c.values[
            offset(
              c.shape,
              idx.slice(ndim - c.shape.length).map((v, k) => v % c.shape[k]!),
            )
          ]!;
        check(inputs, [T.tile(x, args as never) as Tensor], values, [{ dtype: c.dtype, ...reference(shape, at) }]);
      }),
      RUNS,
    );
  });

  test('repeat (a count, per-element counts, flattened)', () => {
    const arb = arbInput(0, 3).chain((c) =>
      fc.record({
        c: fc.constant(c),
        axis:
          c.shape.length === 0
            ? fc.constant(null)
            : fc.option(fc.integer({ min: -c.shape.length, max: c.shape.length - 1 })),
        count: fc.integer({ min: 0, max: 3 }),
        perElement: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 27, maxLength: 27 }),
        mode: fc.constantFrom('number', 'scalar', 'vector'),
      }),
    );
    fc.assert(
      fc.property(arb, ({ c, axis, count, perElement, mode }) => {
        const x = symbolicOf(c);
        const a = axis === null ? null : axis < 0 ? axis + c.shape.length : axis;
        const shape = a === null ? [size(c.shape)] : c.shape;
        const along = a ?? 0;
        const length = shape[along]!;
        const counts = mode === 'vector' ? perElement.slice(0, length) : new Array<number>(length).fill(count);
        const inputs = [x];
        const values: unknown[] = [arrayOf(c)];
        let repeats: unknown = count;
        if (mode === 'scalar') {
          const s = sizeArg(count, true, 'r');
          inputs.push(...s.inputs);
          values.push(...s.values);
          repeats = s.arg;
        } else if (mode === 'vector') {
          const r = T.ivector('r');
          inputs.push(r);
          values.push(Int32Array.from(counts));
          repeats = r;
        }
        const from: number[] = counts.flatMap((n, i) => new Array<number>(n).fill(i));
        const outShape = shape.map((d, k) => (k === along ? from.length : d));
        const at = (idx: number[]) => {
          const src = idx.map((v, k) => (k === along ? from[v]! : v));
          return c.values[a === null ? src[0]! : offset(c.shape, src)]!;
        };
        const out = T.repeat(x, repeats as never, (axis ?? undefined) as never) as Tensor;
        check(inputs, [out], values, [{ dtype: c.dtype, ...reference(outShape, at) }]);
      }),
      RUNS,
    );
  });

  test('roll', () => {
    const arb = arbInput(0, 3).chain((c) =>
      fc.record({
        c: fc.constant(c),
        axis:
          c.shape.length === 0
            ? fc.constant(null)
            : fc.option(fc.integer({ min: -c.shape.length, max: c.shape.length - 1 })),
        shift: fc.integer({ min: -7, max: 7 }),
        symbolic: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(arb, ({ c, axis, shift, symbolic }) => {
        const x = symbolicOf(c);
        const s = sizeArg(shift, symbolic, 's');
        const a = axis === null ? null : axis < 0 ? axis + c.shape.length : axis;
        const mod = (i: number, n: number) => ((i % n) + n) % n;
        const at = (idx: number[]) => {
          if (a === null) return c.values[mod(offset(c.shape, idx) - shift, size(c.shape))]!;
          return c.values[
            offset(
              c.shape,
              idx.map((v, k) => (k === a ? mod(v - shift, c.shape[a]!) : v)),
            )
          ]!;
        };
        check(
          [x, ...s.inputs],
          [T.roll(x, s.arg, (axis ?? undefined) as never) as Tensor],
          [arrayOf(c), ...s.values],
          [{ dtype: c.dtype, ...reference(c.shape, at) }],
        );
      }),
      RUNS,
    );
  });

  test('cumsum and cumprod', () => {
    const SUM: Record<DType, DType> = {
      bool: 'int64',
      int8: 'int64',
      int16: 'int64',
      int32: 'int64',
      int64: 'int64',
      uint8: 'int64',
      uint16: 'int64',
      uint32: 'int64',
      float32: 'float32',
      float64: 'float64',
    };
    const arb = arbInput(0, 3).chain((c) =>
      fc.record({
        c: fc.constant(c),
        axis:
          c.shape.length === 0
            ? fc.constant(null)
            : fc.option(fc.integer({ min: -c.shape.length, max: c.shape.length - 1 })),
      }),
    );
    fc.assert(
      fc.property(arb, ({ c, axis }) => {
        const x = symbolicOf(c);
        const a = axis === null ? null : axis < 0 ? axis + c.shape.length : axis;
        const dtype = SUM[c.dtype];
        const shape = a === null ? [size(c.shape)] : c.shape;
        const along = a ?? 0;
        const num = (v: Scalar) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
        const round = dtype === 'float32' ? Math.fround : (v: number) => v;
        const accumulate = (kind: 'sum' | 'prod') => (idx: number[]) => {
          let acc: number | bigint = dtype === 'int64' ? (kind === 'sum' ? 0n : 1n) : kind === 'sum' ? 0 : 1;
          for (let j = 0; j <= idx[along]!; j++) {
            const src = idx.map((v, k) => (k === along ? j : v));
            const v = num(c.values[a === null ? src[0]! : offset(c.shape, src)]!);
            if (typeof acc === 'bigint') acc = BigInt.asIntN(64, kind === 'sum' ? acc + BigInt(v) : acc * BigInt(v));
            else acc = round(kind === 'sum' ? acc + Number(v) : acc * Number(v));
          }
          return acc;
        };
        const outputs = [
          T.cumsum(x, (axis ?? undefined) as never) as Tensor,
          x.cumprod((axis ?? undefined) as never) as Tensor,
        ];
        check(
          [x],
          outputs,
          [arrayOf(c)],
          [
            { dtype, ...reference(shape, accumulate('sum')) },
            { dtype, ...reference(shape, accumulate('prod')) },
          ],
        );
      }),
      RUNS,
    );
  });
});
