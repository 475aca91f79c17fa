/**
 * Matrix products: `dot` (vectors and matrices), `matmul` (numpy's, with batch broadcasting), `batched_dot` and
 * `tensordot`. All four evaluate through the kernels of `runtime/matmul.ts`; the output dtype is the upcast of
 * the inputs, and the inputs are converted to it first (so int32 x float64 multiplies in float64, as numpy does).
 */
import type { GradBuilder, OpDef, OutputAllocator, Pullback, RuntimeKernels } from '../graph/op.js';
import { castArray } from '../runtime/convert.js';
import type { Tensor } from '../tensor/tensor.js';
import { batchedGemm, gemm, type BatchedMatrices } from '../runtime/matmul.js';
import { NDArray, shapeSize, shapeToString } from '../runtime/ndarray.js';
import { upcast, type DType } from '../types/dtype.js';
import { broadcastShapes, broadcastStatic, TensorType, type StaticDim } from '../types/tensor-type.js';
import { matmulFacts } from './shape-facts.js';

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
function matrixOperand(
  x: NDArray,
  batchAxes: number,
  side: 'left' | 'right',
): BatchedMatrices & { batchShape: number[] } {
  const nd = x.ndim;
  const k = x.shape[nd - 1]!;
  const s = x.strides[nd - 1]!;
  // one object literal, the same fields in the same order on every path (products of small matrices run this
  // once per call: a spread copy cost more than the product)
  const vector = nd - batchAxes === 1;
  const left = side === 'left';
  return {
    data: x.data as unknown,
    offset: x.offset,
    rows: vector ? (left ? 1 : k) : x.shape[nd - 2]!,
    cols: vector ? (left ? k : 1) : k,
    rowStride: vector ? (left ? 0 : s) : x.strides[nd - 2]!,
    colStride: vector ? (left ? s : 0) : s,
    batchShape: batchAxes === 0 ? NO_AXES : (x.shape.slice(0, batchAxes) as number[]),
    batchStrides: batchAxes === 0 ? NO_AXES : x.strides.slice(0, batchAxes),
  };
}
/** The batch axes of an operand without any (shared: never written). */
const NO_AXES: number[] = [];

/** Batch strides for an operand broadcast to `batch` (right-aligned; length-1 and missing axes read stride 0). */
function broadcastStrides(batch: readonly number[], own: readonly number[], strides: readonly number[]): number[] {
  return batch.map((_, d) => {
    const i = d - (batch.length - own.length);
    return i < 0 || own[i] === 1 ? 0 : strides[i]!;
  });
}

// ---------------------------------------------------------------------------------------------------------------
// gradient helpers

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
/** Every matrix of `x` transposed: its last two axes swapped. */
const swapLast = (x: Tensor, T: GradBuilder) => T.dimshuffle(x, [...range(0, x.ndim - 2), x.ndim - 1, x.ndim - 2]);
/** `u[..., i] v[..., j]` for each of the `batch` leading axes: `outer(u, v)` batched, as a broadcast product. */
const batchedOuter = (u: Tensor, v: Tensor, batch: number, T: GradBuilder) =>
  T.mul(T.dimshuffle(u, [...range(0, batch + 1), 'x']), T.dimshuffle(v, [...range(0, batch), 'x', batch]));

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
  if (typeof batch === 'string')
    throw new RangeError(
      `${op}: batch dimensions of ${staticShape(a)} and ${staticShape(b)} do not broadcast: ${batch}`,
    );
  const rows: StaticDim[] = a.ndim === 1 ? [] : [a.shape[a.ndim - 2]!];
  const cols: StaticDim[] = b.ndim === 1 ? [] : [b.shape[b.ndim - 1]!];
  return new TensorType(upcast(a.dtype, b.dtype), [...batch, ...rows, ...cols]);
}

function evaluateMatmul(
  op: string,
  a0: NDArray,
  b0: NDArray,
  dtype: DType,
  alloc: OutputAllocator = NDArray.zeros,
  kernels?: RuntimeKernels,
): NDArray {
  const a = as(a0, dtype);
  const b = as(b0, dtype);
  checkAlignedRun(op, a, a.ndim - 1, b, b.ndim === 1 ? 0 : b.ndim - 2);
  if (a.ndim <= 2 && b.ndim <= 2) return singleProduct(a, b, dtype, alloc, kernels);
  const left = matrixOperand(a, Math.max(0, a.ndim - 2), 'left');
  const right = matrixOperand(b, Math.max(0, b.ndim - 2), 'right');
  const batch = broadcastShapes([left.batchShape, right.batchShape]);
  if (typeof batch === 'string')
    throw new RangeError(
      `${op}: batch dimensions of ${shapeToString(a.shape)} and ${shapeToString(b.shape)} do not broadcast: ${batch}`,
    );
  const out = alloc(dtype, [...batch, ...(a.ndim === 1 ? [] : [left.rows]), ...(b.ndim === 1 ? [] : [right.cols])]);
  batchedGemm(
    dtype,
    batch,
    { ...left, batchStrides: broadcastStrides(batch, left.batchShape, left.batchStrides) },
    { ...right, batchStrides: broadcastStrides(batch, right.batchShape, right.batchStrides) },
    out.data,
    kernels?.floatGemm,
  );
  return out;
}

/**
 * A product without batch axes (vectors and matrices: every `dot`, and the step of a small RNN calls it once per
 * step): one `gemm` on the two operands' views, without the batch loop and its per-item copies, which cost
 * several microseconds per call, more than a 6x6 product itself.
 */
function singleProduct(
  a: NDArray,
  b: NDArray,
  dtype: DType,
  alloc: OutputAllocator,
  kernels: RuntimeKernels | undefined,
): NDArray {
  const left = matrixOperand(a, 0, 'left');
  const right = matrixOperand(b, 0, 'right');
  const shape =
    a.ndim === 1 ? (b.ndim === 1 ? [] : [right.cols]) : b.ndim === 1 ? [left.rows] : [left.rows, right.cols];
  const out = alloc(dtype, shape);
  gemm(dtype, left, right, out.data, 0, kernels?.floatGemm);
  return out;
}

/**
 * Theano's `dot` on vectors and matrices: vector·vector is a scalar (the inner product), matrix·vector and
 * vector·matrix are vectors, matrix·matrix is a matrix. (Scalars never reach it: the builder multiplies them.)
 */
export const DOT: OpDef<undefined> = {
  name: 'dot',
  inferShape: ([a, b]) => [matmulFacts(a!, b!)],
  inferType([a, b]) {
    if (a!.ndim < 1 || a!.ndim > 2 || b!.ndim < 1 || b!.ndim > 2) {
      throw new TypeError(
        `dot: takes vectors and matrices, got ${a} and ${b} (use tensordot or matmul for higher ranks)`,
      );
    }
    return [inferMatmul('dot', a!, b!)];
  },
  evaluate: ([a, b], _p, [type], alloc, kernels) => [evaluateMatmul('dot', a!, b!, type!.dtype, alloc, kernels)],
  // z = a·b, matrices: ga = gz·bᵀ, gb = aᵀ·gz. Matrix·vector (z_i = Σ_j a_ij b_j): ga_ij = gz_i b_j (outer),
  // gb = aᵀ·gz. Vector·matrix (z_j = Σ_i a_i b_ij): ga = b·gz, gb_ij = a_i gz_j. Vector·vector: ga = gz b, gb = gz a.
  pullback: ({ inputs: [a, b], grads: [gz] }, T) => {
    if (!gz) return [null, null];
    if (a!.ndim === 1 && b!.ndim === 1) return [T.mul(gz, b!), T.mul(gz, a!)];
    if (b!.ndim === 1) return [batchedOuter(gz, b!, 0, T), T.dot(swapLast(a!, T), gz)];
    if (a!.ndim === 1) return [T.dot(b!, gz), batchedOuter(a!, gz, 0, T)];
    return [T.dot(gz, swapLast(b!, T)), T.dot(swapLast(a!, T), gz)];
  },
  print: { kind: 'call' },
};

/**
 * z = a @ b per batch item: ga = gz @ bᵀ, gb = aᵀ @ gz, each summed over the batch axes its input was broadcast
 * along. A 1-D operand is promoted as in the forward pass (a -> a[None, :], b -> b[:, None]) and gz gets the
 * removed axis back; the promoted gradient is then summed over everything but the vector's own axis.
 */
const matmulPullback: Pullback<undefined> = ({ inputs: [a0, b0], grads: [gz] }, T) => {
  if (!gz) return [null, null];
  const [a, b] = [a0!, b0!];
  const a2 = a.ndim === 1 ? T.dimshuffle(a, ['x', 0]) : a;
  const b2 = b.ndim === 1 ? T.dimshuffle(b, [0, 'x']) : b;
  const batch = gz.ndim - (a.ndim === 1 ? 0 : 1) - (b.ndim === 1 ? 0 : 1);
  const rows = a.ndim === 1 ? 'x' : batch;
  const cols = b.ndim === 1 ? 'x' : gz.ndim - 1;
  const g2 = a.ndim === 1 || b.ndim === 1 ? T.dimshuffle(gz, [...range(0, batch), rows, cols]) : gz;
  const ga = T.matmul(g2, swapLast(b2, T));
  const gb = T.matmul(swapLast(a2, T), g2);
  return [
    a.ndim === 1 ? T.sum(ga, range(0, ga.ndim - 1)) : T.sumToShape(ga, a),
    b.ndim === 1 ? T.sum(gb, [...range(0, gb.ndim - 2), gb.ndim - 1]) : T.sumToShape(gb, b),
  ];
};

/**
 * numpy's `matmul`: the last two axes of each input are matrices and the leading axes are batch axes that
 * broadcast; a 1-D input is promoted to a matrix (a row on the left, a column on the right) and the added axis
 * is removed from the result.
 */
export const MATMUL: OpDef<undefined> = {
  name: 'matmul',
  inferShape: ([a, b]) => [matmulFacts(a!, b!)],
  inferType: ([a, b]) => [inferMatmul('matmul', a!, b!)],
  evaluate: ([a, b], _p, [type], alloc, kernels) => [evaluateMatmul('matmul', a!, b!, type!.dtype, alloc, kernels)],
  pullback: matmulPullback,
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
  // the batch axis, then a's rows and b's columns per item
  inferShape: ([a, b]) => [
    [
      { input: 0, axis: 0 },
      ...(a!.ndim === 3 ? [{ input: 0, axis: 1 }] : []),
      ...(b!.ndim === 3 ? [{ input: 1, axis: 2 }] : []),
    ],
  ],
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
  evaluate([a0, b0], _p, [type], alloc = NDArray.zeros, kernels) {
    const dtype = type!.dtype;
    const a = as(a0!, dtype);
    const b = as(b0!, dtype);
    if (a.shape[0] !== b.shape[0])
      throw new RangeError(`batched_dot: batch sizes differ: ${shapeToString(a.shape)} and ${shapeToString(b.shape)}`);
    checkAlignedRun('batched_dot', a, a.ndim - 1, b, 1);
    const left = matrixOperand(a, 1, 'left');
    const right = matrixOperand(b, 1, 'right');
    const batch = [a.shape[0]!];
    const out = alloc(dtype, [...batch, ...(a.ndim === 3 ? [left.rows] : []), ...(b.ndim === 3 ? [right.cols] : [])]);
    batchedGemm(dtype, batch, left, right, out.data, kernels?.floatGemm);
    return [out];
  },
  // dot's rules for each batch item i (z_i = a_i·b_i): matrices ga_i = gz_i·b_iᵀ, gb_i = a_iᵀ·gz_i; a vector
  // beside a matrix gets that matrix times gz_i; a matrix beside a vector gets an outer product with gz_i;
  // vectors: ga_i = gz_i b_i, gb_i = gz_i a_i.
  pullback: ({ inputs: [a, b], grads: [gz] }, T) => {
    if (!gz) return [null, null];
    if (a!.ndim === 2 && b!.ndim === 2) {
      const g = T.dimshuffle(gz, [0, 'x']);
      return [T.mul(g, b!), T.mul(g, a!)];
    }
    if (b!.ndim === 2) return [batchedOuter(gz, b!, 1, T), T.batchedDot(swapLast(a!, T), gz)];
    if (a!.ndim === 2) return [T.batchedDot(b!, gz), batchedOuter(a!, gz, 1, T)];
    return [T.batchedDot(gz, swapLast(b!, T)), T.batchedDot(swapLast(a!, T), gz)];
  },
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
    if (!Number.isInteger(a) || a < 0 || a >= ndim)
      throw new RangeError(`tensordot: axis ${a} is out of range for the ${which} input (rank ${ndim})`);
    if (seen.has(a)) throw new RangeError(`tensordot: axis ${a} of the ${which} input is summed over twice`);
    seen.add(a);
  }
}

const freeAxes = (ndim: number, summed: readonly number[]) =>
  Array.from({ length: ndim }, (_, i) => i).filter((i) => !summed.includes(i));

/** `x` with its axes reordered to `order` and flattened to a matrix of `rowAxes` leading axes (copied if needed). */
function permutedMatrix(x: NDArray, order: readonly number[], rowAxes: number) {
  let view = new NDArray(
    x.dtype,
    order.map((i) => x.shape[i]!),
    x.data,
    order.map((i) => x.strides[i]!),
    x.offset,
  );
  if (!view.isContiguous) view = view.copy();
  const rows = shapeSize(view.shape.slice(0, rowAxes));
  const cols = shapeSize(view.shape.slice(rowAxes));
  return { data: view.data as unknown, offset: view.offset, rows, cols, rowStride: cols, colStride: 1 };
}

/**
 * z[F, G] = Σ_S a[F, S] b[S', G] (F, G the free axes of a and b; S, S' the paired summed axes). So
 * ga[F, S] = Σ_G gz[F, G] b[S', G]: tensordot of gz and b over G; gb[S', G] = Σ_F a[F, S] gz[F, G]: tensordot
 * of a and gz over F. tensordot leaves the remaining axes in increasing order, so each result is then permuted
 * back to its input's axis order.
 */
const tensordotPullback: Pullback<TensordotParams> = (
  { inputs: [a0, b0], grads: [gz], params: { axesA, axesB } },
  T,
) => {
  if (!gz) return [null, null];
  const [a, b] = [a0!, b0!];
  const freeA = freeAxes(a.ndim, axesA);
  const freeB = freeAxes(b.ndim, axesB);
  const sortedA = [...axesA].sort((x, y) => x - y);
  const sortedB = [...axesB].sort((x, y) => x - y);
  // ga' axes: F, then b's summed axes S' in increasing order (each paired with an axis of a)
  const gaFlat = T.tensordot(gz, b, [range(freeA.length, gz.ndim), freeB]);
  const gaOrder = range(0, a.ndim).map((i) =>
    freeA.includes(i) ? freeA.indexOf(i) : freeA.length + sortedB.indexOf(axesB[axesA.indexOf(i)]!),
  );
  // gb' axes: a's summed axes S in increasing order, then G
  const gbFlat = T.tensordot(a, gz, [freeA, range(0, freeA.length)]);
  const gbOrder = range(0, b.ndim).map((j) =>
    freeB.includes(j) ? axesA.length + freeB.indexOf(j) : sortedA.indexOf(axesA[axesB.indexOf(j)]!),
  );
  return [T.dimshuffle(gaFlat, gaOrder), T.dimshuffle(gbFlat, gbOrder)];
};

/**
 * numpy's `tensordot`: sums the products over the paired axes `axesA[i]` of the first input and `axesB[i]` of
 * the second; the result's axes are the first input's other axes, then the second's.
 */
export const TENSORDOT: OpDef<TensordotParams> = {
  name: 'tensordot',
  // a's free axes, then b's
  inferShape: ([a, b], { axesA, axesB }) => [
    [
      ...a!.shape.flatMap((_, axis) => (axesA.includes(axis) ? [] : [{ input: 0, axis }])),
      ...b!.shape.flatMap((_, axis) => (axesB.includes(axis) ? [] : [{ input: 1, axis }])),
    ],
  ],
  inferType([a, b], { axesA, axesB }) {
    if (axesA.length !== axesB.length) {
      throw new RangeError(
        `tensordot: the axis lists have different lengths ([${axesA.join(', ')}] and [${axesB.join(', ')}])`,
      );
    }
    validateAxes(a!.ndim, axesA, 'first');
    validateAxes(b!.ndim, axesB, 'second');
    axesA.forEach((ax, i) => checkAligned('tensordot', a!, ax, b!, axesB[i]!));
    const shape = [
      ...freeAxes(a!.ndim, axesA).map((i) => a!.shape[i]!),
      ...freeAxes(b!.ndim, axesB).map((i) => b!.shape[i]!),
    ];
    return [new TensorType(upcast(a!.dtype, b!.dtype), shape)];
  },
  evaluate([a0, b0], { axesA, axesB }, [type], _alloc, kernels) {
    const dtype = type!.dtype;
    const a = as(a0!, dtype);
    const b = as(b0!, dtype);
    axesA.forEach((ax, i) => checkAlignedRun('tensordot', a, ax, b, axesB[i]!));
    const freeA = freeAxes(a.ndim, axesA);
    const freeB = freeAxes(b.ndim, axesB);
    const left = permutedMatrix(a, [...freeA, ...axesA], freeA.length);
    const right = permutedMatrix(b, [...axesB, ...freeB], axesB.length);
    const out = NDArray.zeros(dtype, [...freeA.map((i) => a.shape[i]!), ...freeB.map((i) => b.shape[i]!)]);
    gemm(dtype, left, right, out.data, 0, kernels?.floatGemm);
    return [out];
  },
  pullback: tensordotPullback,
  print: { kind: 'call', args: (p) => [`axes=[[${p.axesA.join(', ')}], [${p.axesB.join(', ')}]]`] },
  paramsKey: (p) => `${p.axesA.join(',')}|${p.axesB.join(',')}`,
};
