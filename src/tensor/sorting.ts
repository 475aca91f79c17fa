/**
 * Sorting, searching and counting: `T.sort`, `T.argsort`, `T.topk`, `T.topkIndices`, `T.searchsorted`,
 * `T.nonzero` (and `T.where(cond)`), `T.flatnonzero`, `T.nonzeroValues`, `T.unique`, `T.bincount`, `T.oneHot`,
 * `T.diff`, with numpy's semantics (Theano's and PyTensor's names are aliases).
 */
import { ARGSORT, SEARCHSORTED, SORT, TOPK } from '../ops/sorting.js';
import { BINCOUNT, NONZERO, ONE_HOT, UNIQUE } from '../ops/selection.js';
import { isInt, type DType, type IntDType } from '../types/dtype.js';
import type { Axis, Rank } from '../types/rank.js';
import { applyOp, asVariables, makeConstant } from './apply.js';
import { normalizeAxis } from './axis.js';
import { neq, sub, switch_ } from './elemwise.js';
import { slice as sliceOf, type IntScalar } from './indexing.js';
import type { Operand, RankOf } from './operand.js';
import { flatten } from './shape.js';
import { Tensor } from './tensor.js';
import { toNDArray } from '../runtime/convert.js';

/** Options objects have known keys only: a typo (`retrunCounts`) would otherwise be ignored. */
function checkKeys(options: unknown, where: string, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new TypeError(`${where}: options must be an object ({ ${known.join(', ')} }), got ${String(options)}`);
  for (const key of Object.keys(options))
    if (!known.includes(key))
      throw new TypeError(`${where}: unknown option '${key}'; the options are ${known.join(', ')}`);
}

function tensorArg(x: unknown, where: string): Tensor {
  if (x instanceof Tensor) return x;
  throw new TypeError(`${where}: x must be a tensor, got ${typeof x} ${String(x)}`);
}

/** The tensor and axis an op along one axis works on: x itself, or x flattened for axis null. */
function alongAxis(x: Tensor, axis: unknown, where: string): { t: Tensor; axis: number } {
  if (axis === null) return { t: x.ndim === 1 ? x : (flatten(x as never) as Tensor), axis: 0 };
  if (x.ndim === 0) throw new RangeError(`${where}: a scalar (${x.type}) has no axis; sort a vector`);
  return { t: x, axis: normalizeAxis(axis, x.ndim, where, String(x.type)) };
}

/** The rank of a result along `axis`: the input's, or 1 when axis is null (the flattened tensor). */
export type AlongAxisRank<R extends Rank, A> = [A] extends [null] ? 1 : R;

/**
 * numpy's `sort(x, axis=-1)`: the values along the axis in ascending order; stable, NaN last. `axis: null` sorts
 * the flattened tensor. Its gradient sends each output gradient back to the element it came from.
 *
 * @example
 * T.sort(x);          // each row of a matrix sorted
 * T.sort(x, 0);       // each column
 * T.sort(x, null);    // every element, as a vector
 */
export function sort<D extends DType, R extends Rank, const A extends Axis<R> | null | undefined = undefined>(
  x: Tensor<D, R>,
  axis?: A,
): Tensor<D, AlongAxisRank<R, A>> {
  const { t, axis: a } = alongAxis(tensorArg(x, 'sort'), axis === undefined ? -1 : axis, 'sort');
  return applyOp(SORT, { axis: a }, [t])[0] as never;
}

/**
 * numpy's `argsort(x, axis=-1)`: the positions (int64) that sort each line along the axis; stable, NaN last.
 *
 * @example
 * T.argsort(scores); // scores.get(T.argsort(scores)) is T.sort(scores)
 */
export function argsort<D extends DType, R extends Rank, const A extends Axis<R> | null | undefined = undefined>(
  x: Tensor<D, R>,
  axis?: A,
): Tensor<'int64', AlongAxisRank<R, A>> {
  const { t, axis: a } = alongAxis(tensorArg(x, 'argsort'), axis === undefined ? -1 : axis, 'argsort');
  return applyOp(ARGSORT, { axis: a }, [t])[0] as never;
}

function topkNode(x: Tensor, k: number, axis: unknown, where: string): Tensor[] {
  const { t, axis: a } = alongAxis(tensorArg(x, where), axis === undefined ? -1 : axis, where);
  if (typeof k !== 'number' || !Number.isInteger(k) || k === 0)
    throw new TypeError(`${where}: k must be a non-zero integer (a number), got ${String(k)}`);
  return applyOp(TOPK, { k, axis: a }, [t]);
}

/**
 * PyTensor's `topk(x, k, axis=-1)`: the k largest values along the axis, largest first (k < 0: the |k| smallest,
 * smallest first). Equal values come in order of position; NaN counts as the largest. Differentiable in x.
 *
 * @example
 * T.topk(scores, 3); // the 3 best scores of each row, best first
 */
export function topk<D extends DType, R extends Rank, const A extends Axis<R> | null | undefined = undefined>(
  x: Tensor<D, R>,
  k: number,
  axis?: A,
): Tensor<D, AlongAxisRank<R, A>> {
  return topkNode(x, k, axis, 'topk')[0] as never;
}

/**
 * PyTensor's `argtopk(x, k, axis=-1)`: the positions (int64) of `T.topk(x, k, axis)`'s values.
 *
 * @example
 * T.topkIndices(logits, 5); // top-5 classes per row
 */
export function topkIndices<D extends DType, R extends Rank, const A extends Axis<R> | null | undefined = undefined>(
  x: Tensor<D, R>,
  k: number,
  axis?: A,
): Tensor<'int64', AlongAxisRank<R, A>> {
  return topkNode(x, k, axis, 'topkIndices')[1] as never;
}

/** Options of `T.searchsorted`. */
export interface SearchsortedOptions {
  /** 'left' (default): the first position where v fits; 'right': the last. */
  side?: 'left' | 'right';
}

/**
 * numpy's `searchsorted(a, v, side)`: for a sorted vector a, where each value of v would be inserted to keep it
 * sorted (int64, v's shape). a must be sorted ascending (NaN last); this is not checked.
 *
 * @example
 * T.searchsorted(edges, samples, { side: 'right' }); // bin of each sample
 */
export function searchsorted<V extends Operand>(
  a: Tensor<DType, 1>,
  v: V,
  options: SearchsortedOptions = {},
): Tensor<'int64', RankOf<V>> {
  checkKeys(options, 'searchsorted', ['side']);
  const side = options.side ?? 'left';
  if (side !== 'left' && side !== 'right')
    throw new TypeError(`searchsorted: side must be 'left' or 'right', got ${String(side)}`);
  const sorted = tensorArg(a, 'searchsorted');
  const values = v instanceof Tensor ? v : (asVariables([sorted, v as Operand], 'searchsorted')[1] as Tensor);
  return applyOp(SEARCHSORTED, { side }, [sorted, values])[0] as never;
}

/** One int64 vector per axis: `T.nonzero` of a tensor of rank R. */
// prettier-ignore
export type NonzeroResult<R extends Rank> = [
  never,
  [Tensor<'int64', 1>],
  [Tensor<'int64', 1>, Tensor<'int64', 1>],
  [Tensor<'int64', 1>, Tensor<'int64', 1>, Tensor<'int64', 1>],
  [Tensor<'int64', 1>, Tensor<'int64', 1>, Tensor<'int64', 1>, Tensor<'int64', 1>],
  Tensor<'int64', 1>[], Tensor<'int64', 1>[], Tensor<'int64', 1>[], Tensor<'int64', 1>[],
][R];

/**
 * numpy's `nonzero(x)`: a tuple of int64 vectors, one per axis, the coordinates of the non-zero elements in
 * row-major order (`x.get(...T.nonzero(x))` picks them). Its length depends on the values.
 *
 * @example
 * const [rows, cols] = T.nonzero(m);
 */
export function nonzero<D extends DType, R extends Rank>(x: Tensor<D, R>): NonzeroResult<R> {
  return applyOp(NONZERO, {}, [tensorArg(x, 'nonzero')]) as never;
}

/**
 * numpy's `flatnonzero(x)`: the positions of the non-zero elements of the flattened tensor (int64).
 * @example T.flatnonzero(m)
 */
export function flatnonzero<D extends DType, R extends Rank>(x: Tensor<D, R>): Tensor<'int64', 1> {
  const t = tensorArg(x, 'flatnonzero');
  return applyOp(NONZERO, {}, [t.ndim === 1 ? t : (flatten(t as never) as Tensor)])[0] as never;
}

/**
 * Theano's `nonzero_values(x)`: the non-zero elements of the flattened tensor, in order.
 * @example T.nonzeroValues(m)
 */
export function nonzeroValues<D extends DType, R extends Rank>(x: Tensor<D, R>): Tensor<D, 1> {
  const t = tensorArg(x, 'nonzeroValues');
  const flat = t.ndim === 1 ? t : (flatten(t as never) as Tensor);
  return flat.get(applyOp(NONZERO, {}, [flat])[0] as Tensor<'int64', 1>) as never;
}

/** Options of `T.unique`: which of numpy's extra outputs to return, and the axis. */
export interface UniqueOptions {
  /** Also the position of each unique value's first occurrence. */
  returnIndex?: boolean;
  /** Also, for each element, the position of its value among the unique values. */
  returnInverse?: boolean;
  /** Also how many times each unique value occurs. */
  returnCounts?: boolean;
  /** Unique slices along this axis instead of unique elements of the flattened tensor. */
  axis?: number | null;
}

/** Whether options O set flag K to true. */
type On<O, K extends string> = O extends { readonly [P in K]: true } ? true : false;
type Extra<O, K extends string, T> = On<O, K> extends true ? [T] : [];
type UniqueRank<O, R extends Rank> = O extends { readonly axis: number } ? R : 1;
/** `T.unique`'s result: the values alone, or numpy's tuple (values, index?, inverse?, counts?). */
export type UniqueResult<D extends DType, R extends Rank, O> = [
  On<O, 'returnIndex'> | On<O, 'returnInverse'> | On<O, 'returnCounts'>,
] extends [false]
  ? Tensor<D, UniqueRank<O, R>>
  : [
      Tensor<D, UniqueRank<O, R>>,
      ...Extra<O, 'returnIndex', Tensor<'int64', 1>>,
      ...Extra<O, 'returnInverse', Tensor<'int64', O extends { readonly axis: number } ? 1 : R>>,
      ...Extra<O, 'returnCounts', Tensor<'int64', 1>>,
    ];
/** Keys of O that are not options: each must be `never`, so a misspelt option is a compile error. */
export type NoExtraKeys<O, Known> = { readonly [K in Exclude<keyof O, keyof Known>]: never };

/**
 * numpy's `unique(x, return_index, return_inverse, return_counts, axis)`: the sorted unique elements (NaNs count as
 * one), and with the options the tuple numpy returns: first positions, inverse (x's shape, as numpy 2) and counts.
 * With `axis`, the unique slices along that axis, sorted lexicographically.
 *
 * @example
 * const [values, counts] = T.unique(labels, { returnCounts: true });
 */
export function unique<D extends DType, R extends Rank, const O extends UniqueOptions = {}>(
  x: Tensor<D, R>,
  options?: O & NoInfer<NoExtraKeys<O, UniqueOptions>>,
): UniqueResult<D, R, O> {
  checkKeys(options, 'unique', ['returnIndex', 'returnInverse', 'returnCounts', 'axis']);
  const t = tensorArg(x, 'unique');
  const o: UniqueOptions = options ?? {};
  const axis = o.axis === undefined || o.axis === null ? null : normalizeAxis(o.axis, t.ndim, 'unique', String(t.type));
  const [values, index, inverse, counts] = applyOp(UNIQUE, { axis }, [t]);
  if (!o.returnIndex && !o.returnInverse && !o.returnCounts) return values as never;
  return [
    values,
    ...(o.returnIndex ? [index] : []),
    ...(o.returnInverse ? [inverse] : []),
    ...(o.returnCounts ? [counts] : []),
  ] as never;
}

/** Options of `T.bincount`. */
export interface BincountOptions {
  /** A weight per element of x: the result sums them (float64) instead of counting (int64). */
  weights?: Tensor<DType, 1>;
  /** The least length of the result. */
  minlength?: number;
}

/**
 * numpy's `bincount(x, weights, minlength)`: out[v] = how many times v occurs in the non-negative integer vector x
 * (int64), or the sum of the weights there (float64); length max(max(x) + 1, minlength). Differentiable in the
 * weights.
 *
 * @example
 * T.bincount(labels, { minlength: 10 }); // a histogram of 10 classes
 */
export function bincount<const O extends BincountOptions = {}>(
  x: Tensor<IntDType, 1>,
  options?: O & NoInfer<NoExtraKeys<O, BincountOptions>>,
): Tensor<O['weights'] extends Tensor ? 'float64' : 'int64', 1> {
  checkKeys(options, 'bincount', ['weights', 'minlength']);
  const t = tensorArg(x, 'bincount');
  const { weights, minlength = 0 } = options ?? {};
  if (weights !== undefined && !(weights instanceof Tensor))
    throw new TypeError(`bincount: weights must be a tensor, got ${typeof weights}`);
  return applyOp(BINCOUNT, { minlength }, weights ? [t, weights] : [t])[0] as never;
}

/** The rank of `T.oneHot`: the labels' rank plus the class axis. */
// prettier-ignore
export type OneHotRank<R extends Rank> = [1, 2, 3, 4, 5, 6, 7, 8, never][R];

/**
 * Theano's `to_one_hot(y, nb_class, dtype)`: a tensor of y's shape plus a last axis of nbClass, 1 at each label's
 * class and 0 elsewhere (float64 by default). A label outside [0, nbClass) is an error.
 *
 * @example
 * T.oneHot(T.ivector('y'), 10); // Tensor<'float64', 2>, shape (n, 10)
 */
export function oneHot<R extends Rank, T extends DType = 'float64'>(
  y: Tensor<IntDType, R>,
  nbClass: number | IntScalar,
  dtype?: T,
): Tensor<T, OneHotRank<R>> {
  const labels = tensorArg(y, 'oneHot');
  if (!isInt(labels.dtype)) throw new TypeError(`oneHot: the labels must be integers, got ${labels.type}`);
  let n: Tensor;
  if (nbClass instanceof Tensor) n = nbClass;
  else if (typeof nbClass === 'number' && Number.isInteger(nbClass) && nbClass >= 0)
    n = makeConstant(toNDArray(nbClass, { dtype: 'int64', what: 'oneHot: nbClass' }));
  else
    throw new TypeError(`oneHot: nbClass must be a non-negative integer or an integer scalar, got ${String(nbClass)}`);
  return applyOp(ONE_HOT, { dtype: dtype ?? 'float64' }, [labels, n])[0] as never;
}

/**
 * numpy's `diff(x, n=1, axis=-1)`: the n-th discrete difference along the axis, `x[1:] - x[:-1]` applied n times
 * (for booleans, `x[1:] != x[:-1]`, as numpy). The axis gets n shorter. Built from slices, so it differentiates.
 *
 * @example
 * T.diff(prices); // day-to-day changes
 */
export function diff<D extends DType, R extends Rank>(
  x: Tensor<D, R>,
  n = 1,
  axis: Axis<R> = -1 as Axis<R>,
): Tensor<D, R> {
  let t = tensorArg(x, 'diff');
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`diff: the order n must be a non-negative integer, got ${n}`);
  if (t.ndim === 0) throw new RangeError(`diff: a scalar (${t.type}) has no axis to take differences along`);
  const a = normalizeAxis(axis, t.ndim, 'diff', String(t.type));
  const along = (s: ReturnType<typeof sliceOf>) => Array.from({ length: a + 1 }, (_, k) => (k === a ? s : sliceOf()));
  for (let j = 0; j < n; j++) {
    const later = t.get(...(along(sliceOf(1)) as []));
    const earlier = t.get(...(along(sliceOf(null, -1)) as []));
    t = (t.dtype === 'bool' ? neq(later, earlier) : sub(later, earlier)) as Tensor;
  }
  return t as never;
}

/**
 * numpy's `where`: with one argument, `T.nonzero(cond)` (the coordinates where cond holds); with three,
 * `T.switch(cond, a, b)` elementwise.
 *
 * @example
 * const [rows, cols] = T.where(m.gt(0));
 * T.where(m.gt(0), m, 0); // relu
 */
export function where<R extends Rank>(cond: Tensor<DType, R>): NonzeroResult<R>;
export function where<C extends Operand, A extends Operand, B extends Operand>(
  cond: C,
  a: A,
  b: B,
): ReturnType<typeof switch_<C, A, B>>;
export function where(...args: unknown[]): unknown {
  if (args.length === 1) return nonzero(tensorArg(args[0], 'where') as never);
  if (args.length === 3) return switch_(args[0] as Operand, args[1] as Operand, args[2] as Operand);
  throw new TypeError(
    `where: takes one argument (cond: the coordinates where it holds) or three (cond, a, b), got ${args.length}`,
  );
}
