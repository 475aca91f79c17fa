/**
 * Linear algebra: dot, matmul, outer, tensordot, batchedDot.
 *
 * The reference here is a naive loop over nested JS values written independently of src/: float sums in
 * float64, integer sums exact in BigInt and then wrapped to the dtype (as numpy's integer products wrap), bool
 * as OR of ANDs. Oracles with hand-checked values come first, then properties over random shapes, dtypes,
 * static shapes and strided (transposed) inputs, which check the inferred types (checkInferredTypes) and the
 * values against the reference.
 */
import fc from 'fast-check';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { DType, NDArray, Tensor } from '../../src/index.js';
import { gemm, type MatrixView } from '../../src/runtime/matmul.js';
import type { StaticDim } from '../../src/types/tensor-type.js';
import {
  b,
  checkOp,
  coerce,
  compileLoose,
  expectArray,
  expectBuildError,
  expectRunError,
  f32,
  f64,
  i16,
  i32,
  i64,
  i8,
  indices,
  mismatch,
  u32,
  u8,
} from '../helpers.js';
import { checkInferredTypes } from '../infer-type.js';
import { virtualProgram } from '../types/virtual-program.js';

const T = theano.tensor;

// ---------------------------------------------------------------------------------------------------------------
// Reference

type Value = number | bigint | boolean;
/** A dense array as the reference sees it: shape and row-major elements. */
interface Dense {
  shape: number[];
  flat: Value[];
}

const size = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);
const ravel = (idx: readonly number[], shape: readonly number[]) => idx.reduce((acc, i, k) => acc * shape[k]! + i, 0);

function dense(a: NDArray): Dense {
  const flat: Value[] = [];
  for (const idx of indices(a.shape)) flat.push((a.get as (...i: number[]) => Value)(...idx));
  return { shape: [...a.shape], flat };
}

/** A sum of products in the arithmetic of `dtype`, cast to it at the end. */
function sumOfProducts(dtype: DType, pairs: Iterable<[Value, Value]>): Value {
  if (dtype === 'bool') {
    for (const [x, y] of pairs) if (x && y) return true;
    return false;
  }
  if (dtype === 'float32' || dtype === 'float64') {
    let s = 0;
    for (const [x, y] of pairs) s += Number(x) * Number(y);
    return coerce(dtype, s);
  }
  let s = 0n;
  for (const [x, y] of pairs) s += BigInt(x) * BigInt(y);
  return coerce(dtype, s);
}

/** The value of `x` (of any dtype) converted to `dtype` (numpy astype), as the op converts its inputs. */
const convert = (x: Dense, dtype: DType): Dense => ({ shape: x.shape, flat: x.flat.map((v) => coerce(dtype, v)) });

/** Naive matrix product of 2-D `a` (m x k) and `b` (k x n): the triple loop. */
function naiveMatmul2d(a: Dense, b: Dense, dtype: DType): Dense {
  const [m, k] = a.shape as [number, number];
  const n = b.shape[1]!;
  const flat: Value[] = [];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      const pairs: [Value, Value][] = [];
      for (let p = 0; p < k; p++) pairs.push([a.flat[i * k + p]!, b.flat[p * n + j]!]);
      flat.push(sumOfProducts(dtype, pairs));
    }
  return { shape: [m, n], flat };
}

/** numpy matmul by definition: promote 1-D, broadcast batch axes, triple loop per batch item. */
function naiveMatmul(a0: Dense, b0: Dense, dtype: DType): Dense {
  const a = convert(a0, dtype);
  const b = convert(b0, dtype);
  const aShape = a.shape.length === 1 ? [1, a.shape[0]!] : a.shape;
  const bShape = b.shape.length === 1 ? [b.shape[0]!, 1] : b.shape;
  const aBatch = aShape.slice(0, -2);
  const bBatch = bShape.slice(0, -2);
  const nb = Math.max(aBatch.length, bBatch.length);
  const batch = Array.from({ length: nb }, (_, d) => {
    const x = aBatch[d - (nb - aBatch.length)] ?? 1;
    const y = bBatch[d - (nb - bBatch.length)] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error('reference: batch axes do not broadcast');
    return x === 1 ? y : x;
  });
  const [m, k] = aShape.slice(-2) as [number, number];
  const n = bShape[bShape.length - 1]!;
  const pick = (x: Dense, own: number[], rows: number, cols: number, idx: number[]): Dense => {
    const mine = idx.slice(idx.length - own.length).map((i, d) => (own[d] === 1 ? 0 : i));
    const start = ravel(mine, own) * rows * cols;
    return { shape: [rows, cols], flat: x.flat.slice(start, start + rows * cols) };
  };
  const flat: Value[] = [];
  for (const idx of indices(batch)) {
    flat.push(...naiveMatmul2d(pick(a, aBatch, m, k, idx), pick(b, bBatch, k, n, idx), dtype).flat);
  }
  const shape = [...batch, ...(a.shape.length === 1 ? [] : [m]), ...(b.shape.length === 1 ? [] : [n])];
  return { shape, flat };
}

/** numpy tensordot by definition: every output index sums over every index of the paired axes. */
function naiveTensordot(a0: Dense, b0: Dense, axesA: number[], axesB: number[], dtype: DType): Dense {
  const a = convert(a0, dtype);
  const b = convert(b0, dtype);
  const freeA = a.shape.map((_, i) => i).filter((i) => !axesA.includes(i));
  const freeB = b.shape.map((_, i) => i).filter((i) => !axesB.includes(i));
  const summed = axesA.map((ax) => a.shape[ax]!);
  const shape = [...freeA.map((i) => a.shape[i]!), ...freeB.map((i) => b.shape[i]!)];
  const flat: Value[] = [];
  for (const out of indices(shape)) {
    const pairs: [Value, Value][] = [];
    for (const s of indices(summed)) {
      const ia = new Array<number>(a.shape.length);
      const ib = new Array<number>(b.shape.length);
      freeA.forEach((ax, q) => (ia[ax] = out[q]!));
      freeB.forEach((ax, q) => (ib[ax] = out[freeA.length + q]!));
      axesA.forEach((ax, q) => (ia[ax] = s[q]!));
      axesB.forEach((ax, q) => (ib[ax] = s[q]!));
      pairs.push([a.flat[ravel(ia, a.shape)]!, b.flat[ravel(ib, b.shape)]!]);
    }
    flat.push(sumOfProducts(dtype, pairs));
  }
  return { shape, flat };
}

/** Theano's batched_dot by definition: per batch item, dot of the items (a scalar item multiplies). */
function naiveBatchedDot(a0: Dense, b0: Dense, dtype: DType): Dense {
  const a = convert(a0, dtype);
  const b = convert(b0, dtype);
  const batch = a.shape[0]!;
  const item = (x: Dense, i: number): Dense => {
    const shape = x.shape.slice(1);
    const n = size(shape);
    return { shape, flat: x.flat.slice(i * n, (i + 1) * n) };
  };
  const parts = Array.from({ length: batch }, (_, i) => {
    const x = item(a, i);
    const y = item(b, i);
    if (x.shape.length === 0 || y.shape.length === 0) {
      const [s, t] = x.shape.length === 0 ? [x, y] : [y, x];
      return { shape: t.shape, flat: t.flat.map((v) => sumOfProducts(dtype, [[s.flat[0]!, v]])) };
    }
    return naiveMatmul(x, y, dtype);
  });
  const inner = parts[0]?.shape ?? naiveBatchedShape(a, b);
  return { shape: [batch, ...inner], flat: parts.flatMap((p) => p.flat) };
}
function naiveBatchedShape(a: Dense, b: Dense): number[] {
  if (a.shape.length === 1) return b.shape.slice(1);
  if (b.shape.length === 1) return a.shape.slice(1);
  return [...(a.shape.length === 3 ? [a.shape[1]!] : []), ...(b.shape.length === 3 ? [b.shape[2]!] : [])];
}

const TOLERANCE = { float64: 1e-12, float32: 2e-6 } as Partial<Record<DType, number>>;

/** Asserts that a function result equals a reference (floats within a tolerance scaled by the operand sizes). */
function expectClose(got: unknown, want: Dense, dtype: DType, scale = 1): void {
  const arr = got instanceof theano.NDArray ? got : theano.toNDArray(got as number, { dtype });
  expect([...arr.shape]).toEqual(want.shape);
  expect(arr.dtype).toBe(dtype);
  const rtol = TOLERANCE[dtype] ?? 0;
  const problems: string[] = [];
  dense(arr).flat.forEach((g, i) => {
    // absolute slack for cancellation: |sum| can be far below the sum of |terms|
    const why = mismatch(dtype, g, want.flat[i], { rtol, atol: rtol * scale });
    if (why) problems.push(`[${i}] ${why}`);
  });
  expect(problems).toEqual([]);
}

// ---------------------------------------------------------------------------------------------------------------
// Random inputs

const TEST_DTYPES: readonly DType[] = ['float64', 'float32', 'int32', 'int64'];

/** Random elements of a dtype: floats in [-10, 10], integers over their whole range (to exercise wrap-around). */
function arbElements(dtype: DType, n: number): fc.Arbitrary<Value[]> {
  const len = { minLength: n, maxLength: n };
  switch (dtype) {
    case 'float64':
      return fc.array(fc.double({ min: -10, max: 10, noNaN: true }), len);
    case 'float32':
      return fc.array(fc.float({ min: -10, max: 10, noNaN: true }), len);
    case 'int64':
      return fc.array(
        fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), fc.bigInt({ min: -20n, max: 20n })),
        len,
      );
    case 'bool':
      return fc.array(fc.boolean(), len);
    default:
      return fc.array(
        fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: -20, max: 20 })),
        len,
      );
  }
}

function ndarray(dtype: DType, shape: readonly number[], flat: readonly Value[]): NDArray {
  // built flat and then shaped, so empty shapes such as (2, 0) survive
  const data = theano.toNDArray([...flat] as never, { dtype }).data;
  return new theano.NDArray(dtype, shape, data);
}

/**
 * One random operand: a shape, its values, how much of its shape the graph knows statically, and how it is laid
 * out: 'plain' (contiguous), 'transposedInGraph' (fed with its axes reversed, and `.T` in the graph restores
 * it), or 'strided' (fed as an NDArray view: column-major, every other element, at an offset, so the op itself
 * receives a non-contiguous input).
 */
interface Operand {
  dtype: DType;
  shape: number[];
  flat: Value[];
  known: boolean[];
  layout: 'plain' | 'transposedInGraph' | 'strided';
}

function arbOperand(dtype: DType, shape: number[]): fc.Arbitrary<Operand> {
  return fc.record({
    dtype: fc.constant(dtype),
    shape: fc.constant(shape),
    flat: arbElements(dtype, size(shape)),
    known: fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
    layout:
      shape.length >= 2
        ? fc.constantFrom('plain', 'transposedInGraph', 'strided')
        : fc.constantFrom('plain', 'strided'),
  });
}

/** The symbolic input, the value to pass for it, the tensor the op should see, and the reference data. */
function prepare(x: Operand, name: string): { input: Tensor; value: NDArray; seen: Tensor; dense: Dense } {
  const value = ndarray(x.dtype, x.shape, x.flat);
  const staticShape: StaticDim[] = x.shape.map((d, i) => (x.known[i] ? d : null));
  if (x.layout === 'transposedInGraph') {
    const input = T.tensor(x.dtype, [...staticShape].reverse(), name) as Tensor;
    return { input, value: reverseAxes(value), seen: input.T as Tensor, dense: dense(value) };
  }
  const input = T.tensor(x.dtype, staticShape, name) as Tensor;
  return { input, value: x.layout === 'strided' ? stridedCopy(value) : value, seen: input, dense: dense(value) };
}

/** The same elements in a non-contiguous view: column-major, with a gap after every element, from offset 3. */
function stridedCopy(a: NDArray): NDArray {
  const strides: number[] = [];
  let step = 2;
  for (const d of a.shape) {
    strides.push(step);
    step *= Math.max(d, 1);
  }
  const offset = 3;
  const n = size(a.shape);
  const data = theano.NDArray.zeros(a.dtype, [offset + 2 * Math.max(n, 1)]).data as unknown as { [i: number]: unknown };
  const src = ndarrayData(a);
  let i = 0;
  for (const idx of indices(a.shape)) data[offset + idx.reduce((acc, v, k) => acc + v * strides[k]!, 0)] = src[i++];
  const view = new theano.NDArray(a.dtype, a.shape, data as never, strides, offset);
  expect(dense(view)).toEqual(dense(a));
  return view;
}
const ndarrayData = (a: NDArray) => a.data as unknown as ArrayLike<unknown>;

/** A contiguous copy of `a` with its axes reversed (what `.T` undoes). */
function reverseAxes(a: NDArray): NDArray {
  const shape = [...a.shape].reverse();
  const d = dense(a);
  const flat = [...indices(shape)].map((idx) => d.flat[ravel([...idx].reverse(), a.shape)]!);
  return ndarray(a.dtype, shape, flat);
}

/** The upcast dtype, computed from numpy's table independently of src/ (only for the dtypes tested here). */
function expectedDType(a: DType, b: DType): DType {
  if (a === b) return a;
  const pair = new Set([a, b]);
  if (pair.has('float64') || (pair.has('float32') && (pair.has('int32') || pair.has('int64')))) return 'float64';
  if (pair.has('float32')) return 'float32';
  if (pair.has('int64')) return 'int64';
  return theano.upcast(a, b);
}

const arbDTypePair = fc.tuple(fc.constantFrom(...TEST_DTYPES), fc.constantFrom(...TEST_DTYPES));
const dim = (allowEmpty = true) => fc.integer({ min: allowEmpty ? 0 : 1, max: 5 });

// ---------------------------------------------------------------------------------------------------------------
// dot

describe('dot: oracles', () => {
  test('matrix · matrix', () =>
    checkOp(
      'dot',
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
      {
        dtype: 'float64',
        value: [
          [19, 22],
          [43, 50],
        ],
      },
    ));
  test('matrix · vector is a vector', () =>
    checkOp(
      'dot',
      [
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        [1, 0, -1],
      ],
      { dtype: 'float64', value: [-2, -2] },
    ));
  test('vector · matrix is a vector', () =>
    checkOp(
      'dot',
      [
        [1, 2],
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
      ],
      { dtype: 'float64', value: [9, 12, 15] },
    ));
  test('vector · vector is a scalar', () =>
    checkOp(
      'dot',
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'float64', value: 32 },
    ));
  test('scalar · anything is the elementwise product, with the rank of the other', () => {
    checkOp(
      'dot',
      [
        2,
        [
          [1, 2],
          [3, 4],
        ],
      ],
      {
        dtype: 'float64',
        value: [
          [2, 4],
          [6, 8],
        ],
      },
    );
    checkOp('dot', [[[[1, 2]]], -1], { dtype: 'float64', value: [[[-1, -2]]] });
    checkOp('dot', [3, 4], { dtype: 'float64', value: 12 });
    checkOp((x) => T.dot(x, 2) as Tensor, [i32([1, 2])], { dtype: 'int32', value: [2, 4] });
    checkOp((x) => T.dot(0.5, x) as Tensor, [i32([1, 2])], { dtype: 'float64', value: [0.5, 1] });
  });
  test('float32', () =>
    checkOp(
      'dot',
      [
        f32([
          [0.1, 0.2],
          [0.3, 0.4],
        ]),
        f32([1, 1]),
      ],
      {
        dtype: 'float32',
        value: [Math.fround(Math.fround(0.1) + Math.fround(0.2)), Math.fround(Math.fround(0.3) + Math.fround(0.4))],
      },
    ));
  test('int32 stays int32 and wraps as numpy', () => {
    checkOp(
      'dot',
      [
        i32([
          [1, 2],
          [3, 4],
        ]),
        i32([
          [5, 6],
          [7, 8],
        ]),
      ],
      {
        dtype: 'int32',
        value: [
          [19, 22],
          [43, 50],
        ],
      },
    );
    checkOp('dot', [i32([2 ** 30, 2 ** 30]), i32([4, 4])], { dtype: 'int32', value: 0 }); // 2^33 mod 2^32
    checkOp('dot', [i32([2 ** 30, 1]), i32([2, 5])], { dtype: 'int32', value: -(2 ** 31) + 5 });
  });
  test('int64 is exact (bigint) and wraps at 2^64', () => {
    checkOp('dot', [i64([2n ** 40n, 3n]), i64([2n ** 20n, 1n])], { dtype: 'int64', value: 2n ** 60n + 3n });
    checkOp('dot', [i64([[2n ** 53n + 1n], [-(2n ** 62n)]]), i64([[3n]])], {
      dtype: 'int64',
      value: [[3n * 2n ** 53n + 3n], [2n ** 62n]],
    }); // -3 * 2^62 + 2^64
    checkOp('dot', [i64([2n ** 62n]), i64([4n])], { dtype: 'int64', value: 0n });
  });
  test('narrow and unsigned integers wrap in their own dtype', () => {
    checkOp('dot', [i8([100, 100]), i8([2, 1])], { dtype: 'int8', value: 44 }); // 300 - 256
    checkOp('dot', [u8([200]), u8([2])], { dtype: 'uint8', value: 144 }); // 400 - 256
    checkOp('dot', [u32([4294967295, 1]), u32([[1], [2]])], { dtype: 'uint32', value: [1] }); // 2^32 + 1
    checkOp('dot', [i16([[300]]), i8([[120]])], { dtype: 'int16', value: [[36000 - 65536]] });
  });
  test('bool · bool is the logical product (OR of ANDs)', () => {
    checkOp(
      'dot',
      [
        b([
          [true, false],
          [false, false],
        ]),
        b([
          [false, true],
          [true, true],
        ]),
      ],
      {
        dtype: 'bool',
        value: [
          [false, true],
          [false, false],
        ],
      },
    );
    checkOp('dot', [b([true, true]), b([false, true])], { dtype: 'bool', value: true });
  });
  test('mixed dtypes upcast (int32 · float64 is float64, bool · int8 is int8, int32 · float32 is float64)', () => {
    checkOp('dot', [i32([1, 2]), f64([0.5, 0.25])], { dtype: 'float64', value: 1 });
    checkOp('dot', [b([true, true, false]), i8([5, 6, 7])], { dtype: 'int8', value: 11 });
    checkOp('dot', [i32([[16777217]]), f32([[1]])], { dtype: 'float64', value: [[16777217]] });
  });
  test('empty inner dimension gives zeros, for every dtype', () => {
    for (const dtype of ['float64', 'float32', 'int32', 'int64', 'uint8', 'bool'] as const) {
      const A = T.tensor(dtype, 2);
      const B = T.tensor(dtype, 2);
      const f = compileLoose([A, B], T.dot(A, B));
      const zero = dtype === 'int64' ? 0n : dtype === 'bool' ? false : 0;
      expectArray(f(theano.NDArray.zeros(dtype, [2, 0]), theano.NDArray.zeros(dtype, [0, 3])), {
        dtype,
        shape: [2, 3],
        value: [
          [zero, zero, zero],
          [zero, zero, zero],
        ],
      });
      const v = T.tensor(dtype, 1);
      const g = compileLoose([v], T.dot(v, v));
      expect(g(theano.NDArray.zeros(dtype, [0]))).toBe(zero);
    }
  });
  test('empty outer dimensions give empty results', () => {
    checkOp(
      'dot',
      [
        theano.NDArray.zeros('float64', [0, 3]),
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
      ],
      { dtype: 'float64', shape: [0, 2] },
    );
    checkOp('dot', [[[1, 2, 3]], theano.NDArray.zeros('float64', [3, 0])], { dtype: 'float64', shape: [1, 0] });
  });
  test('transposed (strided) inputs via .T', () => {
    const A = [
      [1, 2],
      [3, 4],
      [5, 6],
    ]; // A.T = [[1,3,5],[2,4,6]]
    checkOp((x, y) => T.dot(x.T, y), [A, A], {
      dtype: 'float64',
      value: [
        [35, 44],
        [44, 56],
      ],
    });
    checkOp((x, y) => T.dot(x, y.T), [A, A], {
      dtype: 'float64',
      value: [
        [5, 11, 17],
        [11, 25, 39],
        [17, 39, 61],
      ],
    });
    checkOp((x, y) => T.dot(x.T, y.T), [[[1, 2]], [[3], [4]]], {
      dtype: 'float64',
      value: [
        [3, 4],
        [6, 8],
      ],
    });
    checkOp((x, v) => T.dot(x.T, v), [A, [1, 1, 1]], { dtype: 'float64', value: [9, 12] });
    checkOp((v, x) => T.dot(v, x.T), [[1, -1], A], { dtype: 'float64', value: [-1, -1, -1] });
    checkOp((x, y) => T.dot(x.T, y.T), [i64([[1n, 2n]]), i64([[3n], [4n]])], {
      dtype: 'int64',
      value: [
        [3n, 4n],
        [6n, 8n],
      ],
    });
  });
  test('the fluent method', () => {
    checkOp(
      (x, y) => x.dot(y as Tensor<'float64', 1>) as Tensor,
      [
        [
          [1, 2],
          [3, 4],
        ],
        [1, 1],
      ],
      { dtype: 'float64', value: [3, 7] },
    );
  });
});

describe('dot: shapes', () => {
  test('static shapes propagate', () => {
    const A = T.tensor('float64', [2, null]);
    const B = T.tensor('float64', [null, 5]);
    expect(T.dot(A, B).staticShape).toEqual([2, 5]);
    expect(T.dot(A, T.tensor('float64', [7])).staticShape).toEqual([2]);
    expect(T.dot(T.tensor('float64', [3]), B).staticShape).toEqual([5]);
    expect(T.dot(T.constant([[1, 2, 3]]), T.constant([[1], [2], [3]])).staticShape).toEqual([1, 1]);
  });
  test('inner dimensions known to differ fail at build time, naming the op and both shapes', () => {
    const A = T.tensor('float64', [2, 3], 'A');
    const B = T.tensor('float64', [4, 2], 'B');
    expectBuildError(() => T.dot(A, B), 'dot', '(2, 3)', '(4, 2)', 'not aligned', 'built at');
    expectBuildError(() => T.dot(T.constant([1, 2]), T.constant([1, 2, 3])), 'dot', '(2,)', '(3,)');
  });
  test('unknown inner dimensions that differ fail at run time, naming the op and both shapes', () => {
    const A = T.dmatrix('A');
    const B = T.dmatrix('B');
    const f = compileLoose([A, B], T.dot(A, B));
    expectRunError(f, [[[1, 2, 3]], [[1], [2]]], 'dot', '(1, 3)', '(2, 1)', 'not aligned', 'built at');
    const v = T.dvector('v');
    const g = compileLoose([A, v], T.dot(A, v));
    expectRunError(g, [[[1, 2]], [1, 2, 3]], 'dot', '(1, 2)', '(3,)');
  });
  test('above rank 2, numpy dot: a tensordot over the last axis of a and the second-to-last of b', () => {
    // a (2, 3, 4) . W (4, 5) -> (2, 3, 5): each row of a times W; v (4) . b (2, 4, 3) -> (2, 3)
    const a = Array.from({ length: 2 }, (_, i) =>
      Array.from({ length: 3 }, (_, j) => [1, 2, 3, 4].map((k) => i + j * k)),
    );
    const W = [0, 1, 2, 3].map((k) => [1, 0, -1, 2, k]);
    const expected = a.map((m) =>
      m.map((row) => [0, 1, 2, 3, 4].map((c) => row.reduce((s, x, k) => s + x * W[k]![c]!, 0))),
    );
    const x = T.dtensor3('x');
    const w = T.dmatrix('w');
    expect(theano.function([x, w], T.dot(x, w))(a, W).toArray()).toEqual(expected);
    const v = T.dvector('v');
    const b = T.dtensor3('b');
    const bv = [
      [
        [1, 2, 3],
        [4, 5, 6],
        [7, 8, 9],
        [1, 0, 1],
      ],
      [
        [0, 1, 0],
        [2, 2, 2],
        [1, 1, 1],
        [3, 0, 3],
      ],
    ];
    const vv = [1, -1, 2, 0.5];
    const vb = bv.map((m) => [0, 1, 2].map((c) => m.reduce((s, row, k) => s + vv[k]! * row[c]!, 0)));
    expect(theano.function([v, b], T.dot(v, b))(vv, bv).toArray()).toEqual(vb);
    const dotAny = T.dot as (a: unknown, b: unknown) => unknown;
    expectBuildError(() => dotAny(T.tensor('float64', 5), T.tensor('float64', 6)), 'dot', 'rank 9, above 8');
  });
});

describe('dot: properties', () => {
  const arbCase = fc
    .record({
      dtypes: arbDTypePair,
      ranks: fc.constantFrom([0, 1], [1, 0], [1, 1], [1, 2], [2, 1], [2, 2], [0, 2], [0, 0]),
      m: dim(),
      k: dim(),
      n: dim(),
    })
    .chain(({ dtypes: [da, db], ranks: [ra, rb], m, k, n }) => {
      const shapeA = ra === 0 ? [] : ra === 1 ? [k] : [m, k];
      const shapeB = rb === 0 ? [] : rb === 1 ? [k] : [k, n];
      return fc.tuple(arbOperand(da, shapeA), arbOperand(db, shapeB));
    });
  test('inferred type matches evaluation, values match the naive triple loop', () =>
    fc.assert(
      fc.property(arbCase, ([x, y]) => {
        const a = prepare(x, 'a');
        const c = prepare(y, 'b');
        const out = T.dot(a.seen, c.seen as never) as Tensor;
        const dtype = expectedDType(x.dtype, y.dtype);
        expect(out.dtype).toBe(dtype);
        const [got] = checkInferredTypes([a.input, c.input], [out], [a.value, c.value]);
        const scalar = x.shape.length === 0 || y.shape.length === 0;
        const want = scalar ? elementwiseProduct(a.dense, c.dense, dtype) : naiveMatmul(a.dense, c.dense, dtype);
        expectClose(got, want, dtype, 100 * Math.max(1, x.shape[x.shape.length - 1] ?? 1));
      }),
      { numRuns: 300 },
    ));
});

function elementwiseProduct(a: Dense, b: Dense, dtype: DType): Dense {
  const [s, t] = a.shape.length === 0 ? [a, b] : [b, a];
  return {
    shape: t.shape,
    flat: t.flat.map((v) => sumOfProducts(dtype, [[coerce(dtype, s.flat[0]), coerce(dtype, v)]])),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// matmul

describe('matmul: oracles', () => {
  test('matrices, vectors and their promotion', () => {
    checkOp(
      'matmul',
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
      {
        dtype: 'float64',
        value: [
          [19, 22],
          [43, 50],
        ],
      },
    );
    checkOp(
      'matmul',
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { dtype: 'float64', value: 32 },
    );
    checkOp(
      'matmul',
      [
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        [1, 0, -1],
      ],
      { dtype: 'float64', value: [-2, -2] },
    );
    checkOp(
      'matmul',
      [
        [1, 2],
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
      ],
      { dtype: 'float64', value: [9, 12, 15] },
    );
  });
  test('a batch of matrices times one matrix', () =>
    checkOp(
      'matmul',
      [
        [
          [
            [1, 0],
            [0, 1],
          ],
          [
            [2, 0],
            [0, 3],
          ],
        ],
        [
          [1, 2],
          [3, 4],
        ],
      ],
      {
        dtype: 'float64',
        value: [
          [
            [1, 2],
            [3, 4],
          ],
          [
            [2, 4],
            [9, 12],
          ],
        ],
      },
    ));
  test('batch axes broadcast: (2, 1, 1, 2) @ (3, 2, 1) is (2, 3, 1, 1)', () =>
    checkOp(
      'matmul',
      [
        [[[[1, 2]]], [[[3, 4]]]],
        [
          [[1], [0]],
          [[0], [1]],
          [[1], [1]],
        ],
      ],
      {
        dtype: 'float64',
        value: [
          [[[1]], [[2]], [[3]]],
          [[[3]], [[4]], [[7]]],
        ],
      },
    ));
  test('vector @ batch and batch @ vector drop the promoted axis', () => {
    checkOp(
      'matmul',
      [
        [1, 1],
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
      ],
      {
        dtype: 'float64',
        value: [
          [4, 6],
          [12, 14],
        ],
      },
    );
    checkOp(
      'matmul',
      [
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
        [1, -1],
      ],
      {
        dtype: 'float64',
        value: [
          [-1, -1],
          [-1, -1],
        ],
      },
    );
  });
  test('dtypes: int32, int64 (exact), float32, bool, mixed', () => {
    checkOp('matmul', [i32([[[2 ** 16]]]), i32([[2 ** 16]])], { dtype: 'int32', value: [[[0]]] });
    checkOp('matmul', [i64([[[2n ** 32n]]]), i64([[2n ** 30n + 1n]])], {
      dtype: 'int64',
      value: [[[2n ** 62n + 2n ** 32n]]],
    });
    checkOp('matmul', [f32([[0.5, 0.25]]), f32([[2], [4]])], { dtype: 'float32', value: [[2]] });
    checkOp('matmul', [b([[true, false]]), b([[false], [true]])], { dtype: 'bool', value: [[false]] });
    checkOp('matmul', [i32([[1, 2]]), f64([[0.5], [0.25]])], { dtype: 'float64', value: [[1]] });
  });
  test('empty inner and batch dimensions', () => {
    checkOp('matmul', [theano.NDArray.zeros('int32', [2, 3, 0]), theano.NDArray.zeros('int32', [0, 4])], {
      dtype: 'int32',
      value: [
        [
          [0, 0, 0, 0],
          [0, 0, 0, 0],
          [0, 0, 0, 0],
        ],
        [
          [0, 0, 0, 0],
          [0, 0, 0, 0],
          [0, 0, 0, 0],
        ],
      ],
    });
    checkOp('matmul', [theano.NDArray.zeros('float64', [0, 2, 3]), theano.NDArray.zeros('float64', [3, 1])], {
      dtype: 'float64',
      shape: [0, 2, 1],
    });
  });
  test('transposed inputs', () =>
    // x.T[i, j, k] = x[k, j, i]: the items of x.T are the rows [1, 3] and [2, 4]
    checkOp(
      (x, y) => T.matmul(x.T as Tensor<'float64', 3>, y as Tensor<'float64', 2>),
      [
        [[[1, 2]], [[3, 4]]],
        [[5], [6]],
      ],
      { dtype: 'float64', value: [[[23]], [[34]]] },
    ));
  test('static shapes propagate and broadcast', () => {
    const a = T.tensor('float64', [5, 1, 2, null]);
    const c = T.tensor('float64', [4, null, 3]);
    expect(T.matmul(a, c).staticShape).toEqual([5, 4, 2, 3]);
    expect(T.matmul(T.tensor('float64', [6]), c).staticShape).toEqual([4, 3]);
  });
  test('errors: inner dimensions, batch axes, scalars', () => {
    expectBuildError(
      () => T.matmul(T.tensor('float64', [2, 3]), T.tensor('float64', [2, 3])),
      'matmul',
      '(2, 3)',
      'not aligned',
    );
    expectBuildError(
      () => T.matmul(T.tensor('float64', [2, 1, 1]), T.tensor('float64', [3, 1, 1])),
      'matmul',
      'broadcast',
    );
    const matmulAny = T.matmul as (a: unknown, b: unknown) => unknown;
    expectBuildError(() => matmulAny(T.dscalar(), T.dvector()), 'matmul', 'at least one dimension');
    const [x, y] = [T.dtensor3('x'), T.dtensor3('y')];
    const f = compileLoose([x, y], T.matmul(x, y));
    expectRunError(
      f,
      [theano.NDArray.zeros('float64', [2, 1, 1]), theano.NDArray.zeros('float64', [3, 1, 1])],
      'matmul',
      'broadcast',
      '(2, 1, 1)',
      '(3, 1, 1)',
    );
    expectRunError(
      f,
      [theano.NDArray.zeros('float64', [1, 1, 2]), theano.NDArray.zeros('float64', [1, 3, 1])],
      'matmul',
      'not aligned',
      '(1, 1, 2)',
      '(1, 3, 1)',
    );
  });
  test('the fluent method', () =>
    checkOp((x, y) => (x as Tensor<'float64', 2>).matmul(y as Tensor<'float64', 2>) as Tensor, [[[1, 2]], [[3], [4]]], {
      dtype: 'float64',
      value: [[11]],
    }));
});

/** A random matmul case: shapes with 1-D promotion and broadcastable batch axes. */
const arbMatmulShapes = fc
  .record({
    ra: fc.integer({ min: 1, max: 4 }),
    rb: fc.integer({ min: 1, max: 4 }),
    batch: fc.array(dim(), { minLength: 2, maxLength: 2 }),
    onesA: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
    onesB: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
    m: dim(),
    k: dim(),
    n: dim(),
  })
  .map(({ ra, rb, batch, onesA, onesB, m, k, n }) => {
    const batchOf = (r: number, ones: boolean[]) =>
      batch.slice(2 - Math.max(0, r - 2)).map((d, i) => (ones[i] ? 1 : d));
    const shapeA = ra === 1 ? [k] : [...batchOf(ra, onesA), m, k];
    const shapeB = rb === 1 ? [k] : [...batchOf(rb, onesB), k, n];
    return { shapeA, shapeB, k };
  });

describe('matmul: properties', () => {
  test('inferred type matches evaluation, values match the naive batched triple loop', () =>
    fc.assert(
      fc.property(
        fc
          .tuple(arbDTypePair, arbMatmulShapes)
          .chain(([[da, db], { shapeA, shapeB }]) => fc.tuple(arbOperand(da, shapeA), arbOperand(db, shapeB))),
        ([x, y]) => {
          const a = prepare(x, 'a');
          const c = prepare(y, 'b');
          const out = T.matmul(a.seen as Tensor<DType, 1>, c.seen as Tensor<DType, 1>) as Tensor;
          const dtype = expectedDType(x.dtype, y.dtype);
          const [got] = checkInferredTypes([a.input, c.input], [out], [a.value, c.value]);
          expectClose(
            got,
            naiveMatmul(a.dense, c.dense, dtype),
            dtype,
            100 * Math.max(1, x.shape[x.shape.length - 1]!),
          );
        },
      ),
      { numRuns: 300 },
    ));
});

// ---------------------------------------------------------------------------------------------------------------
// outer

describe('outer', () => {
  test('oracles', () => {
    checkOp(
      'outer',
      [
        [1, 2],
        [3, 4, 5],
      ],
      {
        dtype: 'float64',
        value: [
          [3, 4, 5],
          [6, 8, 10],
        ],
      },
    );
    checkOp('outer', [i32([2 ** 16, -1]), i32([2 ** 16])], { dtype: 'int32', value: [[0], [-(2 ** 16)]] });
    checkOp('outer', [i64([2n ** 40n]), i64([2n ** 20n, -1n])], { dtype: 'int64', value: [[2n ** 60n, -(2n ** 40n)]] });
    checkOp('outer', [f32([0.1]), f32([3])], { dtype: 'float32', value: [[Math.fround(Math.fround(0.1) * 3)]] });
    checkOp('outer', [b([true, false]), b([true])], { dtype: 'bool', value: [[true], [false]] });
    checkOp('outer', [theano.NDArray.zeros('float64', [0]), [1, 2]], { dtype: 'float64', shape: [0, 2] });
  });
  test('rejects non-vectors', () => {
    const outerAny = T.outer as (a: unknown, b: unknown) => unknown;
    expectBuildError(() => outerAny(T.dmatrix(), T.dvector()), 'outer', 'vectors');
  });
  test('property: inferred type matches evaluation, values match u[i] * v[j]', () =>
    fc.assert(
      fc.property(
        fc
          .tuple(arbDTypePair, dim(), dim())
          .chain(([[da, db], m, n]) => fc.tuple(arbOperand(da, [m]), arbOperand(db, [n]))),
        ([x, y]) => {
          const u = prepare(x, 'u');
          const v = prepare(y, 'v');
          const out = T.outer(u.seen as Tensor<DType, 1>, v.seen as Tensor<DType, 1>) as Tensor;
          const dtype = expectedDType(x.dtype, y.dtype);
          const [got] = checkInferredTypes([u.input, v.input], [out], [u.value, v.value]);
          expectClose(got, naiveTensordot(u.dense, v.dense, [], [], dtype), dtype);
        },
      ),
      { numRuns: 150 },
    ));
});

// ---------------------------------------------------------------------------------------------------------------
// tensordot

describe('tensordot', () => {
  const a234 = Array.from({ length: 2 }, (_, i) =>
    Array.from({ length: 3 }, (_, j) => Array.from({ length: 4 }, (_, k) => i * 12 + j * 4 + k)),
  );
  test('oracles: axes as a count and as a pair', () => {
    // axes=1 on matrices is dot
    checkOp(
      (x, y) => T.tensordot(x, y, 1),
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
      {
        dtype: 'float64',
        value: [
          [19, 22],
          [43, 50],
        ],
      },
    );
    // axes=0 is the outer product
    checkOp(
      (x, y) => T.tensordot(x, y, 0),
      [
        [1, 2],
        [3, 4, 5],
      ],
      {
        dtype: 'float64',
        value: [
          [3, 4, 5],
          [6, 8, 10],
        ],
      },
    );
    // the default, 2: a full contraction of two matrices is the sum of the elementwise product
    checkOp(
      (x, y) => T.tensordot(x as Tensor<'float64', 2>, y as Tensor<'float64', 2>),
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
      { dtype: 'float64', value: 70 },
    );
    // pairs: axes [1, 0] of the first with [0, 1] of the second: sum_ij a[i, j] b[j, i] (the trace of a b)
    checkOp(
      (x, y) =>
        T.tensordot(x, y, [
          [1, 0],
          [0, 1],
        ]),
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
      { dtype: 'float64', value: 69 },
    );
    // a (2, 3, 4) tensor with a vector over axis 1, a negative axis over axis 2
    checkOp((x, y) => T.tensordot(x, y, [1, 0]), [a234, [1, 0, -1]], {
      dtype: 'float64',
      value: [
        [-8, -8, -8, -8],
        [-8, -8, -8, -8],
      ],
    });
    checkOp((x, y) => T.tensordot(x, y, [[-1], [0]]), [a234, [1, 1, 1, 1]], {
      dtype: 'float64',
      value: [
        [6, 22, 38],
        [54, 70, 86],
      ],
    });
  });
  test('dtypes and empty summed axes', () => {
    checkOp((x, y) => T.tensordot(x, y, 1), [i64([[2n ** 62n, 1n]]), i64([2n, 3n])], {
      dtype: 'int64',
      value: [-(2n ** 63n) + 3n],
    });
    checkOp((x, y) => T.tensordot(x, y, 1), [i32([[1, 2]]), f32([1, 1])], { dtype: 'float64', value: [3] });
    checkOp(
      (x, y) => T.tensordot(x, y, [[1], [0]]),
      [theano.NDArray.zeros('int32', [3, 0]), theano.NDArray.zeros('int32', [0, 2])],
      {
        dtype: 'int32',
        value: [
          [0, 0],
          [0, 0],
          [0, 0],
        ],
      },
    );
  });
  test('transposed inputs', () =>
    checkOp(
      (x, y) => T.tensordot(x.T, y.T, 1),
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
      {
        dtype: 'float64',
        value: [
          [23, 31],
          [34, 46],
        ],
      },
    ));
  test('static shapes and errors', () => {
    const x = T.tensor('float64', [2, 3, null]);
    const y = T.tensor('float64', [3, 4]);
    expect(T.tensordot(x, y, [[1], [0]]).staticShape).toEqual([2, null, 4]);
    expectBuildError(() => T.tensordot(x, y, [[0], [0]]), 'tensordot', 'not aligned', '(2, 3, ?)', '(3, 4)');
    const td = T.tensordot as (a: unknown, b: unknown, axes?: unknown) => unknown;
    expectBuildError(() => td(x, y, [[0, 1], [0]]), 'tensordot', 'different lengths');
    expectBuildError(() => td(x, y, [[3], [0]]), 'tensordot', 'axis 3', 'out of range');
    expectBuildError(
      () =>
        td(x, y, [
          [0, 0],
          [0, 1],
        ]),
      'tensordot',
      'twice',
    );
    expectBuildError(() => td(T.dvector(), y, 2), 'tensordot', 'cannot sum over 2 axes');
    const [p, q] = [T.dmatrix('p'), T.dmatrix('q')];
    const f = compileLoose([p, q], T.tensordot(p, q, 1));
    expectRunError(f, [[[1, 2]], [[1, 2]]], 'tensordot', 'not aligned', '(1, 2)');
  });
  /**
   * A random contraction: summed axis lengths, free axis lengths of each operand, and where each axis sits (the
   * numpy count form puts the summed axes last in a and first in b; the pair form anywhere, in any order).
   */
  const arbContraction = fc
    .record({
      dtypes: arbDTypePair,
      summed: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }),
      freeA: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
      freeB: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
      asCount: fc.boolean(),
      seed: fc.nat(),
    })
    .chain(({ dtypes: [da, db], summed, freeA, freeB, asCount, seed }) => {
      const order = (n: number, salt: number) =>
        asCount ? [...Array(n).keys()] : shuffle([...Array(n).keys()], seed + salt);
      const pa = order(freeA.length + summed.length, 1);
      const pb = order(freeB.length + summed.length, 2);
      const axesA = summed.map((_, q) => pa[freeA.length + q]!);
      const axesB = summed.map((_, q) => pb[q]!);
      const shapeA = new Array<number>(pa.length);
      freeA.forEach((d, i) => (shapeA[pa[i]!] = d));
      summed.forEach((d, q) => (shapeA[axesA[q]!] = d));
      const shapeB = new Array<number>(pb.length);
      summed.forEach((d, q) => (shapeB[axesB[q]!] = d));
      freeB.forEach((d, i) => (shapeB[pb[summed.length + i]!] = d));
      const axes = asCount ? summed.length : [axesA, axesB];
      return fc.tuple(arbOperand(da, shapeA), arbOperand(db, shapeB), fc.constant({ axes, axesA, axesB, summed }));
    });
  test('property: inferred type matches evaluation, values match the sum over every summed index', () =>
    fc.assert(
      fc.property(arbContraction, ([x, y, { axes, axesA, axesB, summed }]) => {
        const a = prepare(x, 'a');
        const c = prepare(y, 'b');
        const td = T.tensordot as (a: Tensor, b: Tensor, axes: unknown) => Tensor;
        const out = td(a.seen, c.seen, axes);
        const dtype = expectedDType(x.dtype, y.dtype);
        const [got] = checkInferredTypes([a.input, c.input], [out], [a.value, c.value]);
        expectClose(got, naiveTensordot(a.dense, c.dense, axesA, axesB, dtype), dtype, 100 * Math.max(1, size(summed)));
      }),
      { numRuns: 300 },
    ));
});

/** A deterministic shuffle (the seed comes from fast-check, so failures replay). */
function shuffle<X>(xs: X[], seed: number): X[] {
  let s = seed * 2654435761 + 1;
  for (let i = xs.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

// ---------------------------------------------------------------------------------------------------------------
// batchedDot

describe('batchedDot', () => {
  const mats = [
    [
      [1, 2],
      [3, 4],
    ],
    [
      [0, 1],
      [1, 0],
    ],
  ];
  test('oracles: every combination of batches of matrices and vectors', () => {
    checkOp('batchedDot', [mats, mats], {
      dtype: 'float64',
      value: [
        [
          [7, 10],
          [15, 22],
        ],
        [
          [1, 0],
          [0, 1],
        ],
      ],
    });
    checkOp(
      'batchedDot',
      [
        mats,
        [
          [1, 1],
          [2, 3],
        ],
      ],
      {
        dtype: 'float64',
        value: [
          [3, 7],
          [3, 2],
        ],
      },
    );
    checkOp(
      'batchedDot',
      [
        [
          [1, 1],
          [2, 3],
        ],
        mats,
      ],
      {
        dtype: 'float64',
        value: [
          [4, 6],
          [3, 2],
        ],
      },
    );
    checkOp(
      'batchedDot',
      [
        [
          [1, 1],
          [2, 3],
        ],
        [
          [1, 2],
          [3, 4],
        ],
      ],
      { dtype: 'float64', value: [3, 18] },
    );
    // a batch of scalars scales each item
    checkOp('batchedDot', [[2, -1], mats], {
      dtype: 'float64',
      value: [
        [
          [2, 4],
          [6, 8],
        ],
        [
          [0, -1],
          [-1, 0],
        ],
      ],
    });
    checkOp(
      'batchedDot',
      [
        [
          [1, 2],
          [3, 4],
        ],
        [10, 100],
      ],
      {
        dtype: 'float64',
        value: [
          [10, 20],
          [300, 400],
        ],
      },
    );
  });
  test('dtypes, empty axes, transposed inputs', () => {
    checkOp('batchedDot', [i64([[2n ** 62n, 1n]]), i64([[2n, 5n]])], { dtype: 'int64', value: [-(2n ** 63n) + 5n] });
    checkOp('batchedDot', [i32([[1, 2]]), f32([[1, 1]])], { dtype: 'float64', value: [3] });
    checkOp('batchedDot', [theano.NDArray.zeros('float32', [2, 3, 0]), theano.NDArray.zeros('float32', [2, 0])], {
      dtype: 'float32',
      value: [
        [0, 0, 0],
        [0, 0, 0],
      ],
    });
    checkOp('batchedDot', [theano.NDArray.zeros('float64', [0, 3]), theano.NDArray.zeros('float64', [0, 3])], {
      dtype: 'float64',
      shape: [0],
    });
    // x.T of a (2, 2, 2) tensor is x with axes reversed: item i of x.T is [[x[0,0,i], x[1,0,i]], [x[0,1,i], x[1,1,i]]]
    checkOp(
      (x, y) => T.batchedDot(x.T as Tensor<'float64', 3>, y as Tensor<'float64', 2>),
      [
        mats,
        [
          [1, 0],
          [0, 1],
        ],
      ],
      {
        dtype: 'float64',
        value: [
          [1, 3],
          [1, 0],
        ],
      },
    );
  });
  test('static shapes and errors', () => {
    const x = T.tensor('float64', [5, 2, null]);
    const y = T.tensor('float64', [null, 3]);
    expect(T.batchedDot(x, y).staticShape).toEqual([5, 2]);
    expect(T.batchedDot(T.tensor('float64', [null, 4]), T.tensor('float64', [6, 4, 7])).staticShape).toEqual([6, 7]);
    expectBuildError(() => T.batchedDot(x, T.tensor('float64', [4, 3])), 'batched_dot', 'batch sizes differ');
    expectBuildError(
      () => T.batchedDot(T.tensor('float64', [5, 2, 4]), T.tensor('float64', [5, 3])),
      'batched_dot',
      'not aligned',
      '(5, 2, 4)',
      '(5, 3)',
    );
    const bd = T.batchedDot as (a: unknown, b: unknown) => unknown;
    expectBuildError(() => bd(T.dtensor4(), T.dtensor3()), 'batched_dot', 'rank 2 or 3');
    expectBuildError(() => bd(T.dscalar(), T.dvector()), 'batched_dot', 'batch axis');
    const [p, q] = [T.dtensor3('p'), T.dmatrix('q')];
    const f = compileLoose([p, q], T.batchedDot(p, q));
    expectRunError(
      f,
      [theano.NDArray.zeros('float64', [2, 1, 1]), theano.NDArray.zeros('float64', [3, 1])],
      'batched_dot',
      'batch sizes differ',
      '(2, 1, 1)',
      '(3, 1)',
    );
    expectRunError(
      f,
      [theano.NDArray.zeros('float64', [2, 1, 1]), theano.NDArray.zeros('float64', [2, 3])],
      'batched_dot',
      'not aligned',
    );
  });
  const arbCase = fc
    .record({
      dtypes: arbDTypePair,
      ranks: fc.constantFrom([1, 1], [1, 2], [1, 3], [2, 1], [3, 1], [2, 2], [2, 3], [3, 2], [3, 3]),
      batch: dim(),
      m: dim(),
      k: dim(),
      n: dim(),
    })
    .chain(({ dtypes: [da, db], ranks: [ra, rb], batch, m, k, n }) => {
      const shapeA = ra === 1 ? [batch] : ra === 2 ? [batch, k] : [batch, m, k];
      const shapeB = rb === 1 ? [batch] : rb === 2 ? [batch, ra === 1 ? m : k] : [batch, ra === 1 ? m : k, n];
      return fc.tuple(arbOperand(da, shapeA), arbOperand(db, shapeB));
    });
  test('property: inferred type matches evaluation, values match per-item products', () =>
    fc.assert(
      fc.property(arbCase, ([x, y]) => {
        const a = prepare(x, 'a');
        const c = prepare(y, 'b');
        const bd = T.batchedDot as (a: Tensor, b: Tensor) => Tensor;
        const out = bd(a.seen, c.seen);
        const dtype = expectedDType(x.dtype, y.dtype);
        const [got] = checkInferredTypes([a.input, c.input], [out], [a.value, c.value]);
        expectClose(
          got,
          naiveBatchedDot(a.dense, c.dense, dtype),
          dtype,
          100 * Math.max(1, x.shape[x.shape.length - 1]!),
        );
      }),
      { numRuns: 300 },
    ));
});

// ---------------------------------------------------------------------------------------------------------------
// The runtime kernel on sizes that take the blocked path

describe('runtime GEMM kernel', () => {
  /** A strided view of a random m x k matrix, stored transposed and/or at an offset. */
  type FloatArray = Float64Array | Float32Array;
  function view(
    make: (n: number) => FloatArray,
    rows: number,
    cols: number,
    transposed: boolean,
    offset: number,
    rnd: () => number,
  ) {
    const data = make(offset + rows * cols);
    for (let i = 0; i < data.length; i++) data[i] = rnd() * 2 - 1;
    const v: MatrixView<FloatArray> = transposed
      ? { data, offset, rows, cols, rowStride: 1, colStride: rows }
      : { data, offset, rows, cols, rowStride: cols, colStride: 1 };
    return v;
  }
  const at = (v: MatrixView<Float64Array | Float32Array>, i: number, j: number) =>
    v.data[v.offset + i * v.rowStride + j * v.colStride]!;

  test.each([
    [67, 300, 45, false, false], // k beyond one KC slice, edges in both tile directions
    [130, 33, 71, true, false], // m beyond one MC block, transposed A
    [9, 520, 5, false, true], // transposed B, two KC slices and a remainder
    [64, 64, 64, true, true],
    [1, 200, 90, false, false], // vector x matrix
    [90, 200, 1, true, false], // matrix x vector, column-major matrix (axpy order)
  ])('float64 and float32 %i x %i x %i (transposed A: %s, B: %s) match the naive loop', (m, k, n, ta, tb) => {
    let seed = m * 7919 + k * 31 + n;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (const make of [
      (len: number): FloatArray => new Float64Array(len),
      (len: number): FloatArray => new Float32Array(len),
    ]) {
      const a = view(make, m, k, ta, 3, rnd);
      const bv = view(make, k, n, tb, 5, rnd);
      const c = make(2 + m * n);
      gemm(c instanceof Float64Array ? 'float64' : 'float32', a, bv, c, 2);
      let worst = 0;
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          let mag = 0;
          for (let p = 0; p < k; p++) {
            s += at(a, i, p) * at(bv, p, j);
            mag += Math.abs(at(a, i, p) * at(bv, p, j));
          }
          const want = c instanceof Float64Array ? s : Math.fround(s);
          worst = Math.max(worst, Math.abs(c[2 + i * n + j]! - want) / (mag + 1e-300));
        }
      expect(worst).toBeLessThan(c instanceof Float64Array ? 1e-14 : 1e-6);
      expect(c[0]).toBe(0); // nothing written before the offset
    }
  });

  test('repeated calls reuse scratch buffers without leaking old values', () => {
    const ones = (rows: number, cols: number): MatrixView<Float64Array> => ({
      data: new Float64Array(rows * cols).fill(1),
      offset: 0,
      rows,
      cols,
      rowStride: cols,
      colStride: 1,
    });
    const big = new Float64Array(100 * 100);
    gemm('float64', ones(100, 300), ones(300, 100), big, 0);
    expect(big.every((x) => x === 300)).toBe(true);
    const small = new Float64Array(40 * 40);
    gemm('float64', ones(40, 50), ones(50, 40), small, 0);
    expect(small.every((x) => x === 50)).toBe(true);
    const f32out = new Float32Array(40 * 40);
    gemm(
      'float32',
      { ...ones(40, 50), data: new Float32Array(2000).fill(2) },
      { ...ones(50, 40), data: new Float32Array(2000).fill(1) },
      f32out,
      0,
    );
    expect(f32out.every((x) => x === 100)).toBe(true);
  });

  test('a large product through theano.function matches the naive loop (dot of transposes)', () => {
    const [A, B] = [T.dmatrix('A'), T.dmatrix('B')];
    const f = compileLoose([A, B], T.dot(A.T, B.T));
    const m = 70;
    const k = 90;
    const n = 50;
    const a = Array.from({ length: k }, (_, p) => Array.from({ length: m }, (_, i) => Math.sin(i * 0.3 + p)));
    const c = Array.from({ length: n }, (_, j) => Array.from({ length: k }, (_, p) => Math.cos(p * 0.7 - j)));
    const got = f(a, c) as NDArray;
    const want: number[][] = Array.from({ length: m }, (_, i) =>
      Array.from({ length: n }, (_, j) => {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[p]![i]! * c[j]![p]!;
        return s;
      }),
    );
    expectArray(got, { dtype: 'float64', shape: [m, n], value: want, rtol: 1e-12, atol: 1e-12 });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Printing

describe('printing', () => {
  test('pp writes the products as calls', () => {
    const [A, B] = [T.dmatrix('A'), T.dmatrix('B')];
    expect(theano.pp(T.dot(A, B))).toBe('dot(A, B)');
    expect(theano.pp(T.matmul(A, B))).toBe('matmul(A, B)');
    expect(theano.pp(T.tensordot(A, B, 1))).toBe('tensordot(A, B, axes=[[1], [0]])');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Hover types: what the editor shows for results (no alias names, no unevaluated tables)

describe('hover types', () => {
  test('results display as plain Tensor<dtype, rank>', () => {
    const cases: Record<string, string> = {
      'T.dot(dm, dv)': 'Tensor<"float64", 1>',
      'T.dot(dv, dv)': 'Tensor<"float64", 0>',
      'T.dot(dm, dm)': 'Tensor<"float64", 2>',
      'T.dot(ds, dt3)': 'Tensor<"float64", 3>',
      'T.dot(im, fv)': 'Tensor<"float64", 1>',
      'T.dot(iv, 2)': 'Tensor<"int32", 1>',
      'dm.dot(dv)': 'Tensor<"float64", 1>',
      'T.matmul(dt3, dm)': 'Tensor<"float64", 3>',
      'dm.matmul(dv)': 'Tensor<"float64", 1>',
      'T.outer(iv, fv)': 'Tensor<"float64", 2>',
      'T.tensordot(dt3, dm, 1)': 'Tensor<"float64", 3>',
      'T.tensordot(dt3, dm, [[0, 1], [1, 0]])': 'Tensor<"float64", 1>',
      'T.batchedDot(dt3, dm)': 'Tensor<"float64", 2>',
    };
    const source = [
      `import * as theano from './../../src/index.js';`,
      `const T = theano.tensor;`,
      `const [ds, dv, dm, dt3, iv, im, fv] = [T.dscalar(), T.dvector(), T.dmatrix(), T.dtensor3(), T.ivector(), T.imatrix(), T.fvector()];`,
      ...Object.keys(cases).map((expr, i) => `export const r${i} = ${expr};`),
    ].join('\n');
    const { program, file: fileOf } = virtualProgram({ '__linalg_hover__.ts': source });
    const file = fileOf('__linalg_hover__.ts');
    const errors = ts
      .getPreEmitDiagnostics(program, file)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(errors).toEqual([]);
    const checker = program.getTypeChecker();
    const shown: Record<string, string> = {};
    const exprs = Object.keys(cases);
    file.statements.filter(ts.isVariableStatement).forEach((st) => {
      const decl = st.declarationList.declarations[0]!;
      const name = decl.name.getText(file);
      if (!/^r\d+$/.test(name)) return;
      shown[exprs[Number(name.slice(1))]!] = checker.typeToString(checker.getTypeAtLocation(decl.name));
    });
    expect(shown).toEqual(cases);
  });
});
