/**
 * What every linear-algebra op shares: the float dtype of its results (numpy's: float32 stays float32, everything
 * else computes in float64), the checks of its matrix operands, and reading and writing stacks of matrices.
 *
 * Each op works on the last one or two axes ("core" axes) and loops over the leading ("batch") axes, which
 * broadcast between operands as numpy's gufuncs and PyTensor's Blockwise do. A matrix is copied into a contiguous
 * float64 buffer before a kernel of `src/runtime/linalg.ts` runs on it, whatever the input's dtype and strides.
 */
import type { OutputAllocator } from '../../graph/op.js';
import { NDArray, shapeSize, shapeToString } from '../../runtime/ndarray.js';
import type { DType, FloatDType } from '../../types/dtype.js';
import { broadcastShapes, broadcastStatic, type StaticDim, type TensorType } from '../../types/tensor-type.js';

/** The dtype of a linear-algebra result: float32 when every input is float32, float64 otherwise (as numpy). */
export const linalgDType = (...dtypes: readonly DType[]): FloatDType =>
  dtypes.every((d) => d === 'float32') ? 'float32' : 'float64';

export const staticText = (shape: readonly StaticDim[]) =>
  `(${shape.map((d) => d ?? '?').join(', ')}${shape.length === 1 ? ',' : ''})`;

/** Throws unless `x` is a matrix or a stack of matrices (and square, when both core lengths are known). */
export function checkMatrixType(op: string, x: TensorType, what: string, square: boolean): void {
  if (x.ndim < 2) throw new TypeError(`${op}: ${what} must be a matrix or a stack of matrices (rank >= 2), got ${x}`);
  const [r, c] = x.shape.slice(-2);
  if (square && r !== null && c !== null && r !== c) {
    throw new RangeError(`${op}: ${what} must be square, got static shape ${staticText(x.shape)}`);
  }
}

/** Throws unless the last two axes of `x` have equal lengths. */
export function checkSquare(op: string, x: NDArray, what: string): number {
  const n = x.shape[x.ndim - 1]!;
  if (x.shape[x.ndim - 2] !== n) {
    throw new RangeError(
      `${op}: ${what} must be square (its last two axes equal), got shape ${shapeToString(x.shape)}`,
    );
  }
  return n;
}

/** A square matrix type's core length, from either known axis. */
export function squareLength(x: TensorType): StaticDim {
  return x.shape[x.ndim - 1] ?? x.shape[x.ndim - 2] ?? null;
}

/** The static batch shape of operands with `core` core axes each (numpy broadcasting); throws when it fails. */
export function staticBatch(op: string, operands: readonly (readonly [TensorType, number])[]): StaticDim[] {
  const batch = broadcastStatic(operands.map(([t, core]) => t.shape.slice(0, t.ndim - core)));
  if (typeof batch === 'string') {
    throw new RangeError(
      `${op}: the batch axes of ${operands.map(([t]) => staticText(t.shape)).join(' and ')} do not broadcast: ${batch}`,
    );
  }
  return batch;
}

/** The run-time batch shape of operands with `core` core axes each. */
export function runBatch(op: string, operands: readonly (readonly [NDArray, number])[]): number[] {
  const batch = broadcastShapes(operands.map(([x, core]) => x.shape.slice(0, x.ndim - core)));
  if (typeof batch === 'string') {
    throw new RangeError(
      `${op}: the batch axes of ${operands.map(([x]) => shapeToString(x.shape)).join(' and ')} do not broadcast: ${batch}`,
    );
  }
  return batch;
}

type Readable = ArrayLike<number | bigint>;

/**
 * The matrices (or vectors, with one core axis) of `x`, item by item over `batch` (which x broadcasts to), each
 * copied into a row-major float64 buffer. A vector reads as an n x 1 matrix.
 */
export class MatrixStack {
  readonly rows: number;
  readonly cols: number;
  private readonly offsets: Float64Array;
  private readonly rowStride: number;
  private readonly colStride: number;
  private readonly data: Readable;
  private readonly bigint: boolean;

  constructor(x: NDArray, batch: readonly number[], core: 1 | 2) {
    const nd = x.ndim;
    this.rows = x.shape[nd - core]!;
    this.cols = core === 2 ? x.shape[nd - 1]! : 1;
    this.rowStride = x.strides[nd - core]!;
    this.colStride = core === 2 ? x.strides[nd - 1]! : 0;
    this.data = x.data as Readable;
    this.bigint = x.dtype === 'int64';
    this.offsets = batchOffsets(x, batch, core);
  }

  get count(): number {
    return this.offsets.length;
  }

  /** Copies item `b` into `dst` (rows x cols, row-major). */
  read(b: number, dst: Float64Array): Float64Array {
    const { rows, cols, rowStride, colStride, data } = this;
    const base = this.offsets[b]!;
    if (this.bigint) {
      for (let i = 0; i < rows; i++)
        for (let j = 0; j < cols; j++) dst[i * cols + j] = Number(data[base + i * rowStride + j * colStride]!);
      return dst;
    }
    const src = data as ArrayLike<number>;
    for (let i = 0; i < rows; i++) {
      const from = base + i * rowStride;
      const to = i * cols;
      for (let j = 0; j < cols; j++) dst[to + j] = src[from + j * colStride]!;
    }
    return dst;
  }
}

/** The offset in x's data of each item of `batch`, which x's own batch axes (all but `core`) broadcast to. */
export function batchOffsets(x: NDArray, batch: readonly number[], core: number): Float64Array {
  const own = x.ndim - core;
  const strides = batch.map((_, d) => {
    const axis = d - (batch.length - own);
    return axis < 0 || x.shape[axis] === 1 ? 0 : x.strides[axis]!;
  });
  const count = shapeSize(batch);
  const offsets = new Float64Array(count);
  const idx = new Array<number>(batch.length).fill(0);
  for (let b = 0; b < count; b++) {
    let off = x.offset;
    for (let d = 0; d < batch.length; d++) off += idx[d]! * strides[d]!;
    offsets[b] = off;
    for (let d = batch.length - 1; d >= 0; d--) {
      if (++idx[d]! < batch[d]!) break;
      idx[d] = 0;
    }
  }
  return offsets;
}

/** A contiguous output stack: item `b` of `itemSize` elements at `b * itemSize`. */
export class OutputStack {
  readonly array: NDArray;
  private readonly data: Float32Array | Float64Array | Int32Array;
  private readonly itemSize: number;

  constructor(
    dtype: FloatDType | 'int32',
    batch: readonly number[],
    core: readonly number[],
    alloc: OutputAllocator = NDArray.zeros,
  ) {
    this.array = alloc(dtype, [...batch, ...core]);
    this.data = this.array.data as Float32Array | Float64Array | Int32Array;
    this.itemSize = shapeSize(core);
  }

  /** Stores `src` (the item's elements in row-major order) as item `b`. */
  write(b: number, src: ArrayLike<number>): void {
    const base = b * this.itemSize;
    for (let i = 0; i < this.itemSize; i++) this.data[base + i] = src[i]!;
  }

  /** Sets every element of item `b` to `value`. */
  fill(b: number, value: number): void {
    this.data.fill(value, b * this.itemSize, (b + 1) * this.itemSize);
  }
}
