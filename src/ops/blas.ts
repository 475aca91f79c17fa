/**
 * Matrix products: `dot` (vectors and matrices), `matmul` (numpy's, with batch broadcasting), `batched_dot` and
 * `tensordot`. All four evaluate through the kernels of `runtime/matmul.ts`; the output dtype is the upcast of
 * the inputs, and the inputs are converted to it first (so int32 x float64 multiplies in float64, as numpy does).
 */
import type { OpDef } from '../graph/op.js';
import { castArray } from '../runtime/convert.js';
import { batchedGemm, gemm, type BatchedMatrices } from '../runtime/matmul.js';
import { NDArray, shapeSize, shapeToString } from '../runtime/ndarray.js';
import { upcast, type DType } from '../types/dtype.js';
import { broadcastShapes, broadcastStatic, TensorType, type StaticDim } from '../types/tensor-type.js';

const staticShape = (t: TensorType) => `(${t.shape.map((d) => d ?? '?').join(', ')}${t.ndim === 1 ? ',' : ''})`;

/** Throws when two static dimensions that must agree are both known and differ. */
function checkAligned(op: string, a: TensorType, axisA: number, b: TensorType, axisB: number): void {
  const da = a.shape[axisA];
  const db = b.shape[axisB];
  if (da !== null && db !== null && da !== db) {
    throw new RangeError(
      `${op}: shapes ${staticShape(a)} and ${staticShape(b)} are not aligned: dimension ${axisA} of the first (${da}) differs from dimension ${axisB} of the second (${db})`,
    );
  }
}

/** Same, on concrete shapes at run time. */
function checkAlignedRun(op: string, a: NDArray, axisA: number, b: NDArray, axisB: number): void {
  if (a.shape[axisA] !== b.shape[axisB]) {
    throw new RangeError(
      `${op}: shapes ${shapeToString(a.shape)} and ${shapeToString(b.shape)} are not aligned: dimension ${axisA} of the first (${a.shape[axisA]}) differs from dimension ${axisB} of the second (${b.shape[axisB]})`,
    );
  }
}

const as = (x: NDArray, dtype: DType): NDArray => (x.dtype === dtype ? x : castArray(x, dtype));

/**
 * The trailing one or two axes of `x` as a matrix, after `batchAxes` leading batch axes. A lone vector is a
 * row on the left of a product and a column on the right (numpy's promotion for matmul).
 */
function matrixOperand(x: NDArray, batchAxes: number, side: 'left' | 'right'): BatchedMatrices & { batchShape: number[] } {
  const nd = x.ndim;
  const batchShape = x.shape.slice(0, batchAxes) as number[];
  const batchStrides = x.strides.slice(0, batchAxes);
  const base = { data: x.data as unknown, offset: x.offset, batchShape, batchStrides };
  if (nd - batchAxes === 1) {
    const k = x.shape[nd - 1]!;
    const s = x.strides[nd - 1]!;
    return side === 'left' ? { ...base, rows: 1, cols: k, rowStride: 0, colStride: s } : { ...base, rows: k, cols: 1, rowStride: s, colStride: 0 };
  }
  return { ...base, rows: x.shape[nd - 2]!, cols: x.shape[nd - 1]!, rowStride: x.strides[nd - 2]!, colStride: x.strides[nd - 1]! };
}

/** Batch strides for an operand broadcast to `batch` (right-aligned; length-1 and missing axes read stride 0). */
function broadcastStrides(batch: readonly number[], own: readonly number[], strides: readonly number[]): number[] {
  return batch.map((_, d) => {
    const i = d - (batch.length - own.length);
    return i < 0 || own[i] === 1 ? 0 : strides[i]!;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// matmul (and dot, its rank <= 2 case)

function inferMatmul(op: string, a: TensorType, b: TensorType): TensorType {
  if (a.ndim === 0 || b.ndim === 0) {
    throw new TypeError(`${op}: inputs must have at least one dimension, got ${a} and ${b} (use mul for scalars)`);
  }
  checkAligned(op, a, a.ndim - 1, b, b.ndim === 1 ? 0 : b.ndim - 2);
  const batchA = a.ndim > 2 ? a.shape.slice(0, -2) : [];
  const batchB = b.ndim > 2 ? b.shape.slice(0, -2) : [];
  const batch = broadcastStatic([batchA, batchB]);
  if (typeof batch === 'string') throw new RangeError(`${op}: batch dimensions of ${staticShape(a)} and ${staticShape(b)} do not broadcast: ${batch}`);
  const rows: StaticDim[] = a.ndim === 1 ? [] : [a.shape[a.ndim - 2]!];
  const cols: StaticDim[] = b.ndim === 1 ? [] : [b.shape[b.ndim - 1]!];
  return new TensorType(upcast(a.dtype, b.dtype), [...batch, ...rows, ...cols]);
}

function evaluateMatmul(op: string, a0: NDArray, b0: NDArray, dtype: DType): NDArray {
  const a = as(a0, dtype);
  const b = as(b0, dtype);
  checkAlignedRun(op, a, a.ndim - 1, b, b.ndim === 1 ? 0 : b.ndim - 2);
  const left = matrixOperand(a, Math.max(0, a.ndim - 2), 'left');
  const right = matrixOperand(b, Math.max(0, b.ndim - 2), 'right');
  const batch = broadcastShapes([left.batchShape, right.batchShape]);
  if (typeof batch === 'string') throw new RangeError(`${op}: batch dimensions of ${shapeToString(a.shape)} and ${shapeToString(b.shape)} do not broadcast: ${batch}`);
  const out = NDArray.zeros(dtype, [...batch, ...(a.ndim === 1 ? [] : [left.rows]), ...(b.ndim === 1 ? [] : [right.cols])]);
  batchedGemm(
    dtype,
    batch,
    { ...left, batchStrides: broadcastStrides(batch, left.batchShape, left.batchStrides) },
    { ...right, batchStrides: broadcastStrides(batch, right.batchShape, right.batchStrides) },
    out.data,
  );
  return out;
}

/**
 * Theano's `dot` on vectors and matrices: vector·vector is a scalar (the inner product), matrix·vector and
 * vector·matrix are vectors, matrix·matrix is a matrix. (Scalars never reach it: the builder multiplies them.)
 */
export const DOT: OpDef<undefined> = {
  name: 'dot',
  inferType([a, b]) {
    if (a!.ndim < 1 || a!.ndim > 2 || b!.ndim < 1 || b!.ndim > 2) {
      throw new TypeError(`dot: takes vectors and matrices, got ${a} and ${b} (use tensordot or matmul for higher ranks)`);
    }
    return [inferMatmul('dot', a!, b!)];
  },
  evaluate: ([a, b], _p, [type]) => [evaluateMatmul('dot', a!, b!, type!.dtype)],
  pullback: undefined,
  print: { kind: 'call' },
};

/**
 * numpy's `matmul`: the last two axes of each input are matrices and the leading axes are batch axes that
 * broadcast; a 1-D input is promoted to a matrix (a row on the left, a column on the right) and the added axis
 * is removed from the result.
 */
export const MATMUL: OpDef<undefined> = {
  name: 'matmul',
  inferType: ([a, b]) => [inferMatmul('matmul', a!, b!)],
  evaluate: ([a, b], _p, [type]) => [evaluateMatmul('matmul', a!, b!, type!.dtype)],
  pullback: undefined,
  print: { kind: 'call' },
};

// ---------------------------------------------------------------------------------------------------------------
// batched_dot

/**
 * Theano's `batched_dot` for ranks 2 and 3: `out[i] = dot(a[i], b[i])` along the shared first (batch) axis, so
 * a batch of matrices times a batch of vectors is a batch of vectors, and two batches of vectors give a vector
 * of inner products.
 */
export const BATCHED_DOT: OpDef<undefined> = {
  name: 'batched_dot',
  inferType([a, b]) {
    if (a!.ndim < 2 || a!.ndim > 3 || b!.ndim < 2 || b!.ndim > 3) {
      throw new TypeError(`batched_dot: takes batches of vectors or matrices (rank 2 or 3), got ${a} and ${b}`);
    }
    const [ba, bb] = [a!.shape[0]!, b!.shape[0]!];
    if (ba !== null && bb !== null && ba !== bb) {
      throw new RangeError(`batched_dot: batch sizes differ: ${staticShape(a!)} and ${staticShape(b!)}`);
    }
    checkAligned('batched_dot', a!, a!.ndim - 1, b!, 1);
    const rows: StaticDim[] = a!.ndim === 3 ? [a!.shape[1]!] : [];
    const cols: StaticDim[] = b!.ndim === 3 ? [b!.shape[2]!] : [];
    return [new TensorType(upcast(a!.dtype, b!.dtype), [ba ?? bb, ...rows, ...cols])];
  },
  evaluate([a0, b0], _p, [type]) {
    const dtype = type!.dtype;
    const a = as(a0!, dtype);
    const b = as(b0!, dtype);
    if (a.shape[0] !== b.shape[0]) throw new RangeError(`batched_dot: batch sizes differ: ${shapeToString(a.shape)} and ${shapeToString(b.shape)}`);
    checkAlignedRun('batched_dot', a, a.ndim - 1, b, 1);
    const left = matrixOperand(a, 1, 'left');
    const right = matrixOperand(b, 1, 'right');
    const batch = [a.shape[0]!];
    const out = NDArray.zeros(dtype, [...batch, ...(a.ndim === 3 ? [left.rows] : []), ...(b.ndim === 3 ? [right.cols] : [])]);
    batchedGemm(dtype, batch, left, right, out.data);
    return [out];
  },
  pullback: undefined,
  print: { kind: 'call' },
};

// ---------------------------------------------------------------------------------------------------------------
// tensordot

export interface TensordotParams {
  /** Axes of the first input summed over (non-negative), paired in order with `axesB`. */
  readonly axesA: readonly number[];
  readonly axesB: readonly number[];
}

function validateAxes(ndim: number, axes: readonly number[], which: string): void {
  const seen = new Set<number>();
  for (const a of axes) {
    if (!Number.isInteger(a) || a < 0 || a >= ndim) throw new RangeError(`tensordot: axis ${a} is out of range for the ${which} input (rank ${ndim})`);
    if (seen.has(a)) throw new RangeError(`tensordot: axis ${a} of the ${which} input is summed over twice`);
    seen.add(a);
  }
}

const freeAxes = (ndim: number, summed: readonly number[]) => Array.from({ length: ndim }, (_, i) => i).filter((i) => !summed.includes(i));

/** `x` with its axes reordered to `order` and flattened to a matrix of `rowAxes` leading axes (copied if needed). */
function permutedMatrix(x: NDArray, order: readonly number[], rowAxes: number) {
  let view = new NDArray(x.dtype, order.map((i) => x.shape[i]!), x.data, order.map((i) => x.strides[i]!), x.offset);
  if (!view.isContiguous) view = view.copy();
  const rows = shapeSize(view.shape.slice(0, rowAxes));
  const cols = shapeSize(view.shape.slice(rowAxes));
  return { data: view.data as unknown, offset: view.offset, rows, cols, rowStride: cols, colStride: 1 };
}

/**
 * numpy's `tensordot`: sums the products over the paired axes `axesA[i]` of the first input and `axesB[i]` of
 * the second; the result's axes are the first input's other axes, then the second's.
 */
export const TENSORDOT: OpDef<TensordotParams> = {
  name: 'tensordot',
  inferType([a, b], { axesA, axesB }) {
    if (axesA.length !== axesB.length) {
      throw new RangeError(`tensordot: the axis lists have different lengths ([${axesA.join(', ')}] and [${axesB.join(', ')}])`);
    }
    validateAxes(a!.ndim, axesA, 'first');
    validateAxes(b!.ndim, axesB, 'second');
    axesA.forEach((ax, i) => checkAligned('tensordot', a!, ax, b!, axesB[i]!));
    const shape = [...freeAxes(a!.ndim, axesA).map((i) => a!.shape[i]!), ...freeAxes(b!.ndim, axesB).map((i) => b!.shape[i]!)];
    return [new TensorType(upcast(a!.dtype, b!.dtype), shape)];
  },
  evaluate([a0, b0], { axesA, axesB }, [type]) {
    const dtype = type!.dtype;
    const a = as(a0!, dtype);
    const b = as(b0!, dtype);
    axesA.forEach((ax, i) => checkAlignedRun('tensordot', a, ax, b, axesB[i]!));
    const freeA = freeAxes(a.ndim, axesA);
    const freeB = freeAxes(b.ndim, axesB);
    const left = permutedMatrix(a, [...freeA, ...axesA], freeA.length);
    const right = permutedMatrix(b, [...axesB, ...freeB], axesB.length);
    const out = NDArray.zeros(dtype, [...freeA.map((i) => a.shape[i]!), ...freeB.map((i) => b.shape[i]!)]);
    gemm(dtype, left, right, out.data, 0);
    return [out];
  },
  pullback: undefined,
  print: { kind: 'call', args: (p) => [`axes=[[${p.axesA.join(', ')}], [${p.axesB.join(', ')}]]`] },
  paramsKey: (p) => `${p.axesA.join(',')}|${p.axesB.join(',')}`,
};
