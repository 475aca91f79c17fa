/**
 * Linear algebra: `dot`, `matmul`, `outer`, `tensordot`, `batchedDot`. Result ranks are lookup tables (the dot
 * table for ranks 0-2, numpy's matmul table), so `dot(vector, tensor3)` is a compile error and hovers stay short.
 */
import { BATCHED_DOT, DOT, MATMUL, TENSORDOT } from '../ops/blas.js';
import { normalizeAxis } from './axis.js';
import type { DType, Upcast } from '../types/dtype.js';
import type { Axis, Rank, SubRank } from '../types/rank.js';
import { applyOp, asVariables } from './apply.js';
import { dimshuffle, mul } from './elemwise.js';
import type { DType2, Operand, RankOf } from './operand.js';
import type { Tensor } from './tensor.js';

type N = never;

/**
 * `DotRank<A, B>`: Theano's dot table. A scalar multiplies elementwise (the other's rank); vector·vector is a
 * scalar, matrix·vector and vector·matrix are vectors, matrix·matrix is a matrix; a rank above 2 beside a
 * non-scalar has no entry (never).
 */
type DotTable = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8],
  [1, 0, 1, 2, 3, 4, 5, 6, 7],
  [2, 1, 2, 3, 4, 5, 6, 7, 8],
  [3, 2, 3, 4, 5, 6, 7, 8, N],
  [4, 3, 4, 5, 6, 7, 8, N, N],
  [5, 4, 5, 6, 7, 8, N, N, N],
  [6, 5, 6, 7, 8, N, N, N, N],
  [7, 6, 7, 8, N, N, N, N, N],
  [8, 7, 8, N, N, N, N, N, N],
];
export type DotRank<A extends Rank, B extends Rank> = DotTable[A][B];
/** The ranks `dot` accepts beside a rank-R operand: those whose product has rank 8 at most. */
export type DotPartnerRank<R extends Rank> = [
  Rank,
  Rank,
  Rank,
  0 | 1 | 2 | 3 | 4 | 5 | 6 | 7,
  0 | 1 | 2 | 3 | 4 | 5 | 6,
  0 | 1 | 2 | 3 | 4 | 5,
  0 | 1 | 2 | 3 | 4,
  0 | 1 | 2 | 3,
  0 | 1 | 2,
][R];
/** What may stand beside `A` in `dot(A, ·)`: a tensor of a rank the table allows, or a JS scalar. */
export type DotOperand<A> = Tensor<DType, DotPartnerRank<RankOf<A>>> | number | boolean | bigint;
// `extends infer T` makes hovers show the plain `Tensor<"float64", 1>`.
/** The result of `dot(A, B)`. */
export type Dot<A, B> = Tensor<DType2<A, B>, DotRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;

/** Ranks of at least one dimension. */
export type NonScalarRank = Exclude<Rank, 0>;
/**
 * `MatmulRank<A, B>`: numpy's matmul. 1-D operands are promoted to a matrix and the added axis removed, so
 * vector·vector is a scalar and vector·(rank n) has rank n - 1; otherwise batch axes broadcast (MaxRank).
 */
type MatmulTable = [
  [N, N, N, N, N, N, N, N, N],
  [N, 0, 1, 2, 3, 4, 5, 6, 7],
  [N, 1, 2, 3, 4, 5, 6, 7, 8],
  [N, 2, 3, 3, 4, 5, 6, 7, 8],
  [N, 3, 4, 4, 4, 5, 6, 7, 8],
  [N, 4, 5, 5, 5, 5, 6, 7, 8],
  [N, 5, 6, 6, 6, 6, 6, 7, 8],
  [N, 6, 7, 7, 7, 7, 7, 7, 8],
  [N, 7, 8, 8, 8, 8, 8, 8, 8],
];
export type MatmulRank<A extends Rank, B extends Rank> = MatmulTable[A][B];
/** The result of `matmul` on a `Tensor<DA, RA>` and a `Tensor<DB, RB>`. */
export type Matmul<DA extends DType, RA extends Rank, DB extends DType, RB extends Rank> =
  Tensor<Upcast<DA, DB>, MatmulRank<RA, RB>> extends infer T extends Tensor ? T : never;

/**
 * `BatchedDotRank<A, B>`: the first axis is the batch; per batch, dot of the remaining ranks. A batch of scalars
 * (a vector) scales the other operand's items.
 */
type BatchedDotTable = [
  [N, N, N, N, N, N, N, N, N],
  [N, 1, 2, 3, 4, 5, 6, 7, 8],
  [N, 2, 1, 2, N, N, N, N, N],
  [N, 3, 2, 3, N, N, N, N, N],
  [N, 4, N, N, N, N, N, N, N],
  [N, 5, N, N, N, N, N, N, N],
  [N, 6, N, N, N, N, N, N, N],
  [N, 7, N, N, N, N, N, N, N],
  [N, 8, N, N, N, N, N, N, N],
];
export type BatchedDotRank<A extends Rank, B extends Rank> = BatchedDotTable[A][B];
/** The ranks `batchedDot` accepts beside a rank-R operand. */
export type BatchedDotPartnerRank<R extends Rank> = [N, NonScalarRank, 1 | 2 | 3, 1 | 2 | 3, 1, 1, 1, 1, 1][R];

/** `AddRank<A, B>`: A + B (never beyond the largest rank). */
type AddTable = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8],
  [1, 2, 3, 4, 5, 6, 7, 8, N],
  [2, 3, 4, 5, 6, 7, 8, N, N],
  [3, 4, 5, 6, 7, 8, N, N, N],
  [4, 5, 6, 7, 8, N, N, N, N],
  [5, 6, 7, 8, N, N, N, N, N],
  [6, 7, 8, N, N, N, N, N, N],
  [7, 8, N, N, N, N, N, N, N],
  [8, N, N, N, N, N, N, N, N],
];
/** How many axes of a rank-R tensor `tensordot` may sum over: 0 to R. */
export type AxisCount<R extends Rank> = [
  0,
  0 | 1,
  0 | 1 | 2,
  0 | 1 | 2 | 3,
  0 | 1 | 2 | 3 | 4,
  0 | 1 | 2 | 3 | 4 | 5,
  0 | 1 | 2 | 3 | 4 | 5 | 6,
  0 | 1 | 2 | 3 | 4 | 5 | 6 | 7,
  Rank,
][R];
/** `TensordotRank<A, B, K>`: the free axes of both operands after summing K pairs: (A - K) + (B - K). */
export type TensordotRank<A extends Rank, B extends Rank, K extends number> = AddTable[SubRank<A, K>][SubRank<B, K>];
/** One axis or a list of axes of a rank-R tensor (one side of tensordot's axis pair). */
export type TensordotAxes<R extends Rank> = Axis<R> | readonly Axis<R>[];
type LengthOf<X> = X extends readonly unknown[] ? X['length'] : 1;

/**
 * Theano's `dot`: scalar·anything is the elementwise product; vector·vector is the inner product (a scalar);
 * matrix·vector and vector·matrix are vectors; matrix·matrix is the matrix product. The dtype is the upcast of
 * the inputs (integers stay exact integers; bool·bool is the logical product). Above rank 2 it is numpy's (and
 * Theano's) dot: the sum over a's last axis and b's second-to-last (its only one for a vector), a tensordot,
 * so `dot(tensor3, matrix)` applies the matrix to every row (`tensor.dot(state_below, W)` of Theano's RNNs).
 *
 * @example
 * const A = T.dmatrix('A');
 * const x = T.dvector('x');
 * const y = T.dot(A, x); // Tensor<"float64", 1>
 */
export function dot<A extends Tensor, B extends Tensor<DType, DotPartnerRank<A['ndim']>>>(
  a: A,
  b: B,
): Tensor<Upcast<A['dtype'], B['dtype']>, DotRank<A['ndim'], B['ndim']>>;
export function dot<A extends Operand, B extends DotOperand<A>>(a: A, b: B): Dot<A, B>;
export function dot(a: Operand, b: Operand): Tensor {
  const [x, y] = asVariables([a, b], 'dot') as [Tensor, Tensor];
  if (x.ndim === 0 || y.ndim === 0) return mul(x, y) as never;
  if (x.ndim > 2 || y.ndim > 2) {
    if (x.ndim + y.ndim - 2 > 8)
      throw new TypeError(
        `dot: the product of ${x.type} and ${y.type} would have rank ${x.ndim + y.ndim - 2}, above 8`,
      );
    return tensordot(x, y, [[x.ndim - 1], [Math.max(0, y.ndim - 2)]] as never) as never;
  }
  return applyOp(DOT, undefined, [x, y])[0] as never;
}

/**
 * numpy's `matmul` (`a @ b`): the last two axes are matrices and the leading axes are batch axes that
 * broadcast; a 1-D operand is promoted to a row (left) or a column (right) and that axis is dropped again.
 *
 * @example
 * const a = T.dtensor3('a'); // (batch, m, k)
 * const b = T.dmatrix('b'); //  (k, n), shared by every batch item
 * const c = T.matmul(a, b); // Tensor<"float64", 3>: (batch, m, n)
 */
export function matmul<A extends Tensor<DType, NonScalarRank>, B extends Tensor<DType, NonScalarRank>>(
  a: A,
  b: B,
): Matmul<A['dtype'], A['ndim'], B['dtype'], B['ndim']> {
  return applyOp(MATMUL, undefined, [a, b])[0] as never;
}

/**
 * The outer product of two vectors: `outer(u, v)[i, j] = u[i] * v[j]`.
 *
 * @example
 * T.outer(T.dvector('u'), T.dvector('v')); // Tensor<"float64", 2>
 */
export function outer<U extends Tensor<DType, 1>, V extends Tensor<DType, 1>>(
  u: U,
  v: V,
): Tensor<Upcast<U['dtype'], V['dtype']>, 2> {
  if (u.ndim !== 1 || v.ndim !== 1) throw new TypeError(`outer: takes two vectors, got ${u.type} and ${v.type}`);
  return mul(dimshuffle(u as Tensor<DType, 1>, [0, 'x']), dimshuffle(v as Tensor<DType, 1>, ['x', 0])) as never;
}

/**
 * numpy's `tensordot`: multiplies and sums over pairs of axes. `axes` is a count n (the last n axes of `a`
 * with the first n of `b`; 2 by default) or a pair `[axesOfA, axesOfB]` (each an axis or a list, negative
 * axes allowed). The result's axes are the remaining axes of `a`, then those of `b`.
 *
 * @example
 * const a = T.dtensor3('a'); // (i, j, k)
 * const b = T.dmatrix('b'); //  (k, l)
 * T.tensordot(a, b, 1); //         Tensor<"float64", 3>: (i, j, l)
 * T.tensordot(a, b, [[2], [0]]); // the same
 */
export function tensordot<
  DA extends DType,
  RA extends Exclude<Rank, 0 | 1>,
  DB extends DType,
  RB extends Exclude<Rank, 0 | 1>,
>(a: Tensor<DA, RA>, b: Tensor<DB, RB>): Tensor<Upcast<DA, DB>, TensordotRank<RA, RB, 2>>;
export function tensordot<
  DA extends DType,
  RA extends Rank,
  DB extends DType,
  RB extends Rank,
  K extends AxisCount<RA> & AxisCount<RB>,
>(a: Tensor<DA, RA>, b: Tensor<DB, RB>, axes: K): Tensor<Upcast<DA, DB>, TensordotRank<RA, RB, K>>;
export function tensordot<
  DA extends DType,
  RA extends Rank,
  DB extends DType,
  RB extends Rank,
  const X extends TensordotAxes<RA>,
  const Y extends TensordotAxes<RB>,
>(
  a: Tensor<DA, RA>,
  b: Tensor<DB, RB>,
  axes: readonly [X, Y],
): Tensor<Upcast<DA, DB>, TensordotRank<RA, RB, LengthOf<X>>>;
export function tensordot(
  a: Tensor,
  b: Tensor,
  axes: number | readonly [number | readonly number[], number | readonly number[]] = 2,
): Tensor {
  let axesA: number[];
  let axesB: number[];
  if (typeof axes === 'number') {
    if (!Number.isInteger(axes) || axes < 0 || axes > a.ndim || axes > b.ndim) {
      throw new RangeError(`tensordot: cannot sum over ${axes} axes of tensors of ranks ${a.ndim} and ${b.ndim}`);
    }
    axesA = Array.from({ length: axes }, (_, i) => a.ndim - axes + i);
    axesB = Array.from({ length: axes }, (_, i) => i);
  } else {
    if (!Array.isArray(axes) || axes.length !== 2)
      throw new TypeError('tensordot: axes must be a number or a pair [axesOfA, axesOfB]');
    const list = (x: number | readonly number[]) => (typeof x === 'number' ? [x] : [...x]);
    // normalised in the given order (the pairing matters), not sorted
    axesA = list(axes[0]).map((ax) => normalizeAxis(ax, a.ndim, 'tensordot'));
    axesB = list(axes[1]).map((ax) => normalizeAxis(ax, b.ndim, 'tensordot'));
  }
  return applyOp(TENSORDOT, { axesA, axesB }, [a, b])[0]!;
}

/**
 * Theano's `batched_dot`: `out[i] = dot(a[i], b[i])` along the first (batch) axis. Batches of matrices and
 * vectors (ranks 2 and 3) in any combination; a vector (a batch of scalars) scales the other operand's items.
 *
 * @example
 * const a = T.dtensor3('a'); // (batch, m, k)
 * const v = T.dmatrix('v'); //  (batch, k)
 * T.batchedDot(a, v); //        Tensor<"float64", 2>: (batch, m)
 */
export function batchedDot<
  A extends Tensor<DType, NonScalarRank>,
  B extends Tensor<DType, BatchedDotPartnerRank<A['ndim']>>,
>(a: A, b: B): Tensor<Upcast<A['dtype'], B['dtype']>, BatchedDotRank<A['ndim'], B['ndim']>> {
  const x = a as Tensor;
  const y = b as Tensor;
  if (x.ndim === 0 || y.ndim === 0)
    throw new TypeError(`batched_dot: inputs need a batch axis, got ${x.type} and ${y.type}`);
  const padRight = (t: Tensor, count: number) => dimshuffle(t, [0, ...new Array<'x'>(count).fill('x')]) as Tensor;
  if (x.ndim === 1) return mul(padRight(x, y.ndim - 1), y) as never;
  if (y.ndim === 1) return mul(x, padRight(y, x.ndim - 1)) as never;
  return applyOp(BATCHED_DOT, undefined, [x, y])[0] as never;
}
