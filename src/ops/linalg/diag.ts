/**
 * Diagonals of the last two axes: `extract_diag` reads diagonal k of each matrix (numpy's `linalg.diagonal`,
 * Theano's `ExtractDiag`), `alloc_diag` builds matrices with a given diagonal k and zeros elsewhere (numpy's
 * `diag` of a vector, Theano's `AllocDiag`). Each is the other's gradient.
 */
import type { OpDef } from '../../graph/op.js';
import { NDArray } from '../../runtime/ndarray.js';
import { TensorType, type StaticDim } from '../../types/tensor-type.js';
import { batchOffsets } from './batch.js';

export interface DiagParams {
  /** The diagonal: 0 the main one, > 0 above it, < 0 below. */
  readonly offset: number;
}

export interface AllocDiagParams extends DiagParams {
  /**
   * With a second input: the output takes that input's shape (its batch axes and its matrix size, which need not
   * be square) and the diagonal values broadcast into it. Without: square matrices of size len + |offset|.
   */
  readonly shaped: boolean;
}

/** The length of diagonal k of an r x c matrix. */
export const diagLength = (r: number, c: number, k: number) =>
  Math.max(0, k >= 0 ? Math.min(r, c - k) : Math.min(r + k, c));

const staticDiagLength = (r: StaticDim, c: StaticDim, k: number): StaticDim =>
  r !== null && c !== null ? diagLength(r, c, k) : null;

/** Item b's diagonal element i sits at row i - min(k, 0), column i + max(k, 0). */
const start = (k: number) => ({ row: Math.max(0, -k), col: Math.max(0, k) });

export const EXTRACT_DIAG: OpDef<DiagParams> = {
  name: 'extract_diag',
  inferType([x], { offset }) {
    if (x!.ndim < 2) throw new TypeError(`diagonal: needs a matrix or a stack of matrices (rank >= 2), got ${x}`);
    if (!Number.isInteger(offset)) throw new RangeError(`diagonal: offset must be an integer, got ${offset}`);
    const [r, c] = x!.shape.slice(-2) as [StaticDim, StaticDim];
    return [new TensorType(x!.dtype, [...x!.shape.slice(0, -2), staticDiagLength(r, c, offset)])];
  },
  inferShape: ([x]) => [x!.shape.slice(0, -2).map((_, axis) => ({ input: 0, axis }))],
  evaluate([x], { offset }, [type]) {
    const nd = x!.ndim;
    const [r, c] = [x!.shape[nd - 2]!, x!.shape[nd - 1]!];
    const len = diagLength(r, c, offset);
    const batch = x!.shape.slice(0, -2) as number[];
    const out = NDArray.zeros(type!.dtype, [...batch, len]);
    const dst = out.data as unknown as { [i: number]: number | bigint };
    const src = x!.data as unknown as ArrayLike<number | bigint>;
    const { row, col } = start(offset);
    const [rs, cs] = [x!.strides[nd - 2]!, x!.strides[nd - 1]!];
    const offsets = batchOffsets(x!, batch, 2);
    offsets.forEach((base, b) => {
      for (let i = 0; i < len; i++) dst[b * len + i] = src[base + (row + i) * rs + (col + i) * cs]!;
    });
    return [out];
  },
  // the diagonal's gradient goes back onto the diagonal of a matrix shaped like x
  pullback: ({ inputs: [x], grads: [g], params: { offset } }, T) =>
    g ? [T.linalg.allocDiag(g, { offset, like: x! })] : [null],
  print: { kind: 'call', args: (p) => (p.offset ? [`offset=${p.offset}`] : []) },
  paramsKey: (p) => `${p.offset}`,
};

export const ALLOC_DIAG: OpDef<AllocDiagParams> = {
  name: 'alloc_diag',
  inferType([v, like], { offset, shaped }) {
    if (v!.ndim < 1) throw new TypeError(`allocDiag: needs a vector or a stack of vectors (rank >= 1), got ${v}`);
    if (!Number.isInteger(offset)) throw new RangeError(`allocDiag: offset must be an integer, got ${offset}`);
    if (shaped) {
      if (!like || like.ndim !== v!.ndim + 1)
        throw new TypeError(`allocDiag: the shape model must have rank ${v!.ndim + 1}, got ${like}`);
      return [new TensorType(v!.dtype, like.shape)];
    }
    const m = v!.shape[v!.ndim - 1]!;
    const n = m === null ? null : m + Math.abs(offset);
    return [new TensorType(v!.dtype, [...v!.shape.slice(0, -1), n, n])];
  },
  inferShape: ([v, like], { shaped }) => [
    shaped
      ? like!.shape.map((_, axis) => ({ input: 1, axis }))
      : [...v!.shape.slice(0, -1).map((_, axis) => ({ input: 0, axis })), null, null],
  ],
  evaluate([v, like], { offset, shaped }, [type]) {
    const m = v!.shape[v!.ndim - 1]!;
    const shape = shaped ? [...like!.shape] : [...v!.shape.slice(0, -1), m + Math.abs(offset), m + Math.abs(offset)];
    const nd = shape.length;
    const [r, c] = [shape[nd - 2]!, shape[nd - 1]!];
    const len = diagLength(r, c, offset);
    if (m !== len && !(shaped && m === 1)) {
      throw new RangeError(
        `allocDiag: ${m} values do not fill diagonal ${offset} of length ${len} of ${r} x ${c} matrices`,
      );
    }
    const batch = shape.slice(0, -2);
    const out = NDArray.zeros(type!.dtype, shape);
    const dst = out.data as unknown as { [i: number]: number | bigint };
    const src = v!.data as unknown as ArrayLike<number | bigint>;
    const step = m === 1 ? 0 : v!.strides[v!.ndim - 1]!;
    const { row, col } = start(offset);
    batchOffsets(v!, batch, 1).forEach((base, b) => {
      for (let i = 0; i < len; i++) dst[b * r * c + (row + i) * c + col + i] = src[base + i * step]!;
    });
    return [out];
  },
  // each diagonal element came from one value
  pullback: ({ inputs: [v, like], grads: [g], params: { offset } }, T) =>
    g ? [T.linalg.diagonal(g, offset), ...(like ? [null] : [])] : [null, ...(like ? [null] : [])],
  print: { kind: 'call', args: (p) => (p.offset ? [`offset=${p.offset}`] : []) },
  paramsKey: (p) => `${p.offset},${p.shaped}`,
};
