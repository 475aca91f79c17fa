/**
 * Indexing: `x.get(1)`, `x.get(T.slice(1, 3), 0)`, `x.get(T.newaxis)`, `x.get(ivector)`, `T.take`, and the
 * functional updates `T.setSubtensor(x.get(...), y)` / `T.incSubtensor(...)` (and `x.at(...).set(y)`), which
 * return a new variable and never change anything a user holds.
 */
import { ADVANCED_INC_SUBTENSOR, TAKE } from '../ops/advanced-subtensor.js';
import {
  ADVANCED_INC_SUBTENSOR_ND,
  ADVANCED_SUBTENSOR,
  type AdvancedEntry,
  type AdvancedSubtensorParams,
} from '../ops/advanced-indexing.js';
import {
  BasicIndex,
  INC_SUBTENSOR,
  SUBTENSOR,
  type IncMode,
  type IndexEntry,
  type IndexValue,
} from '../ops/subtensor.js';
import { toNDArray, type ArrayLikeInput } from '../runtime/convert.js';
import type { RankOfValue } from '../runtime/values.js';
import { isInt, type DType, type IntDType, type IntegralDType, type Upcast } from '../types/dtype.js';
import { MAX_RANK, type Axis, type MaxRank, type Rank, type SubTable } from '../types/rank.js';
import { applyOp, asVariables, makeConstant } from './apply.js';
import { normalizeAxis } from './axis.js';
import type { NumberKind, Operand } from './operand.js';
import { Tensor } from './tensor.js';

// ---------------------------------------------------------------------------------------------------------------
// Index values

/** A symbolic integer scalar usable as an index or a slice bound. */
export type IntScalar = Tensor<IntDType, 0>;
/** An integer index: it selects one position and drops the axis. Negative values count from the end. */
export type IntIndex = number | bigint | IntScalar;
/** A slice bound: null/undefined for an open end, negative values count from the end. */
export type SliceBound = IntIndex | null | undefined;

/** What `T.slice` takes before the check: any scalar tensor, narrowed by `CheckBound`. */
export type LooseBound = SliceBound | Tensor<DType, 0>;
/**
 * A bound as given when it may be an integer: an integer scalar, or one whose dtype is a union with an integer
 * member (`T.mul(i, n)` with `n: number` is `int32 | float64`: int32 when n is an integer, which the run time
 * checks); a scalar that cannot be an integer must be an `IntScalar`, so it is a compile error.
 */
export type CheckBound<X> =
  X extends Tensor<infer D, 0> ? ([Extract<D, IntDType>] extends [never] ? IntScalar : unknown) : unknown;

/**
 * A slice `start:stop:step` (numpy semantics). Build it with `T.slice`.
 * @example m.get(T.slice(1, null, 2))
 */
export class Slice {
  declare private readonly __sliceBrand: void;
  readonly start: SliceBound;
  readonly stop: SliceBound;
  readonly step: SliceBound;
  constructor(start?: SliceBound, stop?: SliceBound, step?: SliceBound) {
    this.start = start;
    this.stop = stop;
    this.step = step;
    Object.freeze(this);
  }
  toString(): string {
    const text = (v: SliceBound) => (v === null || v === undefined ? '' : String(v));
    return `${text(this.start)}:${text(this.stop)}${this.step === null || this.step === undefined ? '' : `:${text(this.step)}`}`;
  }
}

/**
 * A slice that keeps the axis: `T.slice(1, 3)` is numpy's `1:3`, `T.slice(null, null, -1)` is `::-1`,
 * `T.slice(2)` is `2:` (one argument is the start, as in `Array.prototype.slice`, not Python's `slice(stop)`).
 *
 * @example
 * x.get(T.slice(1, 3), 0); // numpy x[1:3, 0]
 */
export function slice(start?: SliceBound, stop?: SliceBound, step?: SliceBound): Slice;
export function slice<A extends LooseBound, B extends LooseBound = undefined, C extends LooseBound = undefined>(
  start?: A & NoInfer<CheckBound<A>>,
  stop?: B & NoInfer<CheckBound<B>>,
  step?: C & NoInfer<CheckBound<C>>,
): Slice;
export function slice(start?: LooseBound, stop?: LooseBound, step?: LooseBound): Slice {
  return new Slice(start as SliceBound, stop as SliceBound, step as SliceBound);
}

/**
 * A new axis of length 1 (numpy's `np.newaxis`, which is `None`): `v.get(T.newaxis)` makes a row of a vector.
 * @example v.get(T.newaxis)
 */
export const newaxis = null;
export type NewAxis = null;

/** One index of basic indexing. */
export type BasicIndexArg = IntIndex | Slice | NewAxis;
export type PositiveRank = Exclude<Rank, 0>;
/** An integer tensor used as an advanced index. */
export type IndexTensor<RI extends Rank = PositiveRank> = Tensor<IntDType, RI>;

// ---------------------------------------------------------------------------------------------------------------
// Type-level ranks: lookup tables over counts (no recursive types, so hovers stay short and tsc fast). The
// tensor's rank R is only ever used to index a table in parameter types: a conditional type on R there makes
// TypeScript compare Tensor types member by member, which made tsc crawl.

/** `AddTable[A][B]` = A + B, never beyond the maximum rank. */
// prettier-ignore
type AddTable = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8],
  [1, 2, 3, 4, 5, 6, 7, 8, never],
  [2, 3, 4, 5, 6, 7, 8, never, never],
  [3, 4, 5, 6, 7, 8, never, never, never],
  [4, 5, 6, 7, 8, never, never, never, never],
  [5, 6, 7, 8, never, never, never, never, never],
  [6, 7, 8, never, never, never, never, never, never],
  [7, 8, never, never, never, never, never, never, never],
  [8, never, never, never, never, never, never, never, never],
];
/** What an index list that uses more axes than the tensor has must also be: no list is, so the call fails. */
export interface TooManyIndices {
  readonly 'error: more integers and slices than the rank of the tensor': true;
}
type Ok = unknown;
type No = TooManyIndices;
/** `FitTable[R][C]`: whether C integers and slices fit a tensor of rank R (Ok), or not. */
// prettier-ignore
type FitTable = [
  [Ok, No, No, No, No, No, No, No, No],
  [Ok, Ok, No, No, No, No, No, No, No],
  [Ok, Ok, Ok, No, No, No, No, No, No],
  [Ok, Ok, Ok, Ok, No, No, No, No, No],
  [Ok, Ok, Ok, Ok, Ok, No, No, No, No],
  [Ok, Ok, Ok, Ok, Ok, Ok, No, No, No],
  [Ok, Ok, Ok, Ok, Ok, Ok, Ok, No, No],
  [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, No],
  [Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok, Ok],
];

type Flag<X, T> = [X] extends [T] ? [1] : [];
/** How many of the first 8 indices have type T (unrolled, not recursive). */
// prettier-ignore
type Count<I extends readonly unknown[], T> = [
  ...Flag<I[0], T>, ...Flag<I[1], T>, ...Flag<I[2], T>, ...Flag<I[3], T>,
  ...Flag<I[4], T>, ...Flag<I[5], T>, ...Flag<I[6], T>, ...Flag<I[7], T>,
]['length'] & Rank;
/** Whether I is a tuple of at most 8 indices (a plain array gives no counts). */
type IsTuple<I extends readonly unknown[]> = number extends I['length']
  ? false
  : I['length'] extends Rank
    ? true
    : false;
type Overlaps<X, T> = X extends T ? true : never;
/** Whether X may be a T and may be something else (`cond ? 0 : T.slice(1)`): the rank it leaves is not known. */
type Partly<X, T> = [X] extends [T] ? false : true extends Overlaps<X, T> ? true : false;
/** Whether one of the first 8 indices is partly T (unrolled, not recursive). */
// prettier-ignore
type AnyPartly<I extends readonly unknown[], T> = true extends
  | Partly<I[0], T> | Partly<I[1], T> | Partly<I[2], T> | Partly<I[3], T>
  | Partly<I[4], T> | Partly<I[5], T> | Partly<I[6], T> | Partly<I[7], T>
  ? true
  : false;
/** Axes of the input that the indices use up: every index but the new axes. */
type Consumed<I extends readonly unknown[]> = SubTable[I['length'] & Rank][Count<I, NewAxis>];

/** The rank of `x.get(...I)` for x of rank R and integers, slices and new axes: `GetRank`. */
export type IndexedRank<R extends Rank, I extends readonly unknown[]> = GetRank<R, I>;
/** What an index list that mixes `T.newaxis` with integer tensors must also be (the run time refuses it too). */
export interface NewAxisWithTensorIndex {
  readonly 'error: T.newaxis cannot be mixed with integer tensor indices (index first, then add the axis)': true;
}
/** Whether one of the first 8 indices may be T (unrolled, not recursive). */
// prettier-ignore
type AnyMay<I extends readonly unknown[], T> = true extends
  | Overlaps<I[0], T> | Overlaps<I[1], T> | Overlaps<I[2], T> | Overlaps<I[3], T>
  | Overlaps<I[4], T> | Overlaps<I[5], T> | Overlaps<I[6], T> | Overlaps<I[7], T>
  ? true
  : false;
/**
 * `Ok` when the index list fits rank R, `TooManyIndices` when it uses more axes than R, `NewAxisWithTensorIndex`
 * when it mixes new axes and integer tensors (compile errors).
 */
export type FitsRank<R extends Rank, I extends readonly unknown[]> =
  IsTuple<I> extends true
    ? [AnyMay<I, IndexTensor<PositiveRank>>, AnyMay<I, NewAxis>] extends [true, true]
      ? NewAxisWithTensorIndex
      : FitTable[R][Consumed<I>]
    : Ok;
/** The rank of `take(x, indices)`: R - 1 + rank(indices); a scalar cannot be indexed. */
export type TakeRank<R extends Rank, RI extends Rank> = Rank extends R
  ? Rank
  : R extends 0
    ? never
    : AddTable[SubTable[R][1]][RI];
/** One index of `x.get`/`x.at`: an integer, a slice, a new axis, or an integer tensor (numpy's advanced indexing). */
export type IndexArg = IntIndex | Slice | NewAxis | IndexTensor<PositiveRank>;
/**
 * The rank of `x.get(...I)` for x of rank R: R - (integers and integer tensors) + (new axes) + (the rank the
 * integer tensors broadcast to). One formula for basic and advanced indexing, so `get` needs one signature
 * (overloads made every call inside a generic call's arguments, as `givens: [[x, data.get(batch)]]`, cost ms).
 */
export type GetRank<R extends Rank, I extends readonly unknown[]> = Rank extends R
  ? Rank
  : IsTuple<I> extends true
    ? true extends AnyPartly<I, IntIndex | IndexTensor<PositiveRank>> | AnyPartly<I, NewAxis>
      ? Rank
      : AddTable[AddTable[SubTable[R][Count<I, IntIndex | IndexTensor<PositiveRank>>]][Count<
          I,
          NewAxis
        >]][BroadcastIndexRank<I>]
    : Rank;
/** The integer tensor accepted as an advanced index of a tensor of rank R (none for a scalar). */
// prettier-ignore
export type AdvancedIndexFor<R extends Rank, RI extends Rank> = [never, IndexTensor<RI>, IndexTensor<RI>, IndexTensor<RI>, IndexTensor<RI>, IndexTensor<RI>, IndexTensor<RI>, IndexTensor<RI>, IndexTensor<RI>][R];

/** One index of numpy's advanced indexing: an integer, a slice, or an integer tensor (`x.get(i, j)`). */
export type AdvancedIndexArg = IntIndex | Slice | IndexTensor<PositiveRank>;
type IndexArrayRank<X> = X extends Tensor<DType, infer RI> ? RI : 0;
/** The rank the index tensors of the first 8 indices broadcast to (unrolled, not recursive). */
// prettier-ignore
type BroadcastIndexRank<I extends readonly unknown[]> =
  MaxRank<MaxRank<MaxRank<IndexArrayRank<I[0]>, IndexArrayRank<I[1]>>, MaxRank<IndexArrayRank<I[2]>, IndexArrayRank<I[3]>>>,
    MaxRank<MaxRank<IndexArrayRank<I[4]>, IndexArrayRank<I[5]>>, MaxRank<IndexArrayRank<I[6]>, IndexArrayRank<I[7]>>>>;
/** The rank of `x.get(...I)` with integer tensors among the indices, for x of rank R: `GetRank`. */
export type AdvancedRank<R extends Rank, I extends readonly unknown[]> = GetRank<R, I>;

/** Integer index values given as JS data (a number, a list, nested lists), made an int64 constant. */
export type IndexData =
  | number
  | bigint
  | readonly (number | bigint)[]
  | readonly (readonly (number | bigint)[])[]
  | readonly (readonly (readonly (number | bigint)[])[])[];
type IndexRankOf<V> = V extends Tensor<DType, infer RI> ? RI : RankOfValue<V> & Rank;

// ---------------------------------------------------------------------------------------------------------------
// Builders

const isIndexTensor = (v: unknown): v is Tensor => v instanceof Tensor && v.ndim > 0;

/** Parses user indices into the op's structure and the symbolic scalars it takes as inputs. */
function parseBasicIndex(indices: readonly unknown[], where: string): { index: BasicIndex; symbols: Tensor[] } {
  const symbols: Tensor[] = [];
  const value = (v: unknown, what: string): IndexValue => {
    if (typeof v === 'number') {
      if (!Number.isInteger(v)) throw new TypeError(`${where}: ${what} must be an integer, got ${v}`);
      return v;
    }
    if (typeof v === 'bigint') return Number(v);
    if (v instanceof Tensor) {
      if (v.ndim !== 0 || !isInt(v.dtype))
        throw new TypeError(
          `${where}: ${what} must be an integer scalar, got ${v.type}${v.dtype === 'bool' ? ' (boolean masks are not supported)' : ''}`,
        );
      // a constant is as good as a number: it keeps static shapes known and range errors at build time
      if (v.isConstant) return Number(v.data!.item());
      let k = symbols.indexOf(v);
      if (k < 0) k = symbols.push(v) - 1;
      return { symbol: k };
    }
    throw new TypeError(
      `${where}: ${what} must be an integer, an integer scalar tensor, T.slice(...) or T.newaxis; got ${describeArg(v)}`,
    );
  };
  const bound = (v: SliceBound, what: string): IndexValue | null =>
    v === null || v === undefined ? null : value(v, what);
  const entries = indices.map((ix, p): IndexEntry => {
    if (ix === null) return { kind: 'newaxis' };
    if (ix instanceof Slice) {
      return {
        kind: 'slice',
        start: bound(ix.start, `the start of index ${p}`),
        stop: bound(ix.stop, `the stop of index ${p}`),
        step: bound(ix.step, `the step of index ${p}`),
      };
    }
    return { kind: 'int', index: value(ix, `index ${p}`) };
  });
  return { index: new BasicIndex(entries), symbols };
}

function describeArg(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (Array.isArray(v)) return `an array (use T.take(x, [...]) for a list of positions)`;
  if (typeof v === 'string') return `the string '${v}'`;
  return `${typeof v} ${String(v)}`;
}

/**
 * `x[indices]`: basic indices, `x[idx]` (axis 0) for one integer tensor, or numpy's advanced indexing when integer
 * tensors come with other indices (`x[i, j]`, `x[arange(n), y]`, `x[i, 1:3]`). Backs `x.get(...)`.
 * @example T.getItem(m, [0, T.slice(1)])
 */
export function getItem(x: Tensor, indices: readonly unknown[]): Tensor {
  if (indices.length === 1 && isIndexTensor(indices[0])) return take(x, indices[0] as IndexTensor, 0 as never) as never;
  if (indices.some(isIndexTensor)) return advancedGetItem(x, indices) as never;
  const { index, symbols } = parseBasicIndex(indices, 'x.get');
  const ints = index.entries.filter((e) => e.kind === 'int').length;
  const added = index.entries.length - index.consumed;
  if (x.ndim - ints + added > MAX_RANK)
    throw new RangeError(`x.get: the result would have rank ${x.ndim - ints + added}, more than ${MAX_RANK}`);
  return applyOp(SUBTENSOR, { index }, [x, ...symbols])[0] as never;
}

/** Indexed results built as a basic subtensor, then advanced indexing: the result -> the basic subtensor. */
const slicedFirst = new WeakMap<Tensor, Tensor>();

const isFullSlice = (s: Slice) => [s.start, s.stop, s.step].every((b) => b === null || b === undefined);

/** An integer index among integer tensors: a 0-d index array (numpy broadcasts it with the others). */
function scalarIndexArray(ix: unknown, p: number): Tensor {
  if (ix instanceof Tensor) {
    if (ix.ndim === 0 && isInt(ix.dtype)) return ix;
    throw new TypeError(`x.get: index ${p} must be an integer, an integer tensor or T.slice(...); got ${ix.type}`);
  }
  if ((typeof ix === 'number' && Number.isInteger(ix)) || typeof ix === 'bigint')
    return makeConstant(toNDArray(ix, { dtype: 'int64', what: `index ${p}` }));
  throw new TypeError(
    `x.get: index ${p} must be an integer, an integer tensor or T.slice(...); got ${describeArg(ix)}`,
  );
}

/**
 * numpy's advanced indexing, `x[i, j]`, `x[arange(n), y]`, `x[i, 1:3]`: integer tensors (and integers, as 0-d
 * arrays) broadcast together and replace their axes; slices keep theirs. Slices with bounds are taken first (a
 * basic subtensor), so the advanced op only ever sees whole axes.
 */
function advancedGetItem(x: Tensor, indices: readonly unknown[]): Tensor {
  if (indices.some((ix) => ix === null))
    throw new TypeError(
      'x.get: T.newaxis cannot be mixed with integer tensor indices; index with the tensors first, then add the axis (.get(T.slice(), T.newaxis) or .dimshuffle)',
    );
  if (indices.length > x.ndim)
    throw new RangeError(`x.get: too many indices for a tensor of rank ${x.ndim}: ${indices.length} indices`);
  const pattern: AdvancedEntry[] = [];
  const arrays: Tensor[] = [];
  indices.forEach((ix, p) => {
    if (ix instanceof Slice) pattern.push('all');
    else {
      pattern.push('index');
      arrays.push(isIndexTensor(ix) ? ix : scalarIndexArray(ix, p));
    }
  });
  const sliced = indices.some((ix) => ix instanceof Slice && !isFullSlice(ix));
  const base = sliced
    ? getItem(
        x,
        indices.map((ix) => (ix instanceof Slice ? ix : slice())),
      )
    : x;
  let out: Tensor;
  if (arrays.length === 1 && arrays[0]!.ndim > 0) {
    out = take(base, arrays[0] as IndexTensor, pattern.indexOf('index') as never) as Tensor;
  } else {
    out = applyOp(ADVANCED_SUBTENSOR, { pattern }, [base, ...arrays])[0]!;
  }
  if (sliced) slicedFirst.set(out, base);
  return out;
}

function asIndexTensor(indices: Tensor | IndexData): Tensor {
  if (indices instanceof Tensor) return indices;
  return makeConstant(
    toNDArray(indices, { dtype: 'int64', what: 'take indices', downcastHint: 'indices are integers' }),
  );
}

/**
 * numpy's `take(x, indices, axis)` (Theano's AdvancedSubtensor1 for axis 0): the rows of x at integer
 * positions; the result has shape `x.shape[:axis] + indices.shape + x.shape[axis + 1:]`. Negative indices count
 * from the end; an index out of range is an error (at build time when the indices are constants).
 *
 * @example
 * T.take(x, T.constant([2, 0, -1], { dtype: 'int32' })); // numpy x[[2, 0, -1]]
 * T.take(m, [[0, 1], [1, 0]], 1);                        // indices as JS data
 */
export function take<D extends DType, R extends Rank, const V extends IndexTensor<Rank> | IndexData>(
  x: Tensor<D, R>,
  indices: [R] extends [0] ? never : V,
  axis?: Axis<R>,
): Tensor<D, TakeRank<R, IndexRankOf<V>>> {
  const idx = asIndexTensor(indices as Tensor | IndexData);
  // a scalar has no axis to take along: the op says so
  const a = x.ndim === 0 ? 0 : normalizeAxis(axis ?? 0, x.ndim, 'take', String(x.type));
  const n = x.type.shape[a];
  if (idx.isConstant && n !== undefined && n !== null) {
    const data = idx.data!;
    for (let j = 0; j < data.size; j++) {
      const i = Number(data.item(j));
      if (i < -n || i >= n)
        throw new RangeError(`take: index ${i} is out of bounds for axis ${a} with size ${n} (x is ${x.type})`);
    }
  }
  return applyOp(TAKE, { axis: a }, [x, idx])[0] as never;
}

/** What may be written into a region: a tensor, a JS scalar, or JS data (nested arrays, typed arrays, NDArrays). */
export type UpdateValue = Operand | ArrayLikeInput;

/** A value with more axes than the region it is written into (a compile error): it cannot broadcast to it. */
export interface ValueRankTooHigh {
  readonly 'error: the value has more axes than the indexed region, so it cannot broadcast to it': true;
}
/** A value whose dtype does not convert to the tensor's without loss (a compile error): cast it first. */
export interface ValueDTypeUnsafe {
  readonly "error: the value's dtype does not convert to the tensor's dtype without loss (cast it first)": true;
}
type RankFits<RY extends Rank, RR extends Rank> = [MaxRank<RY, RR>] extends [RR] ? unknown : ValueRankTooHigh;
/**
 * `unknown` when y fits a region of dtype D and rank RR (what the run time checks: a tensor of at most RR axes
 * whose dtype casts safely to D, JS data of at most RR levels, no fractional literal for an integer tensor),
 * else a named error. An unknown region rank checks the dtype only.
 */
export type CheckRegionValue<Y, D extends DType, RR extends Rank> =
  Y extends Tensor<infer DY, infer RY>
    ? [Upcast<DY, D>] extends [D]
      ? Rank extends RR
        ? unknown
        : RankFits<RY, RR>
      : ValueDTypeUnsafe
    : Y extends number
      ? 'int' extends NumberKind<Y>
        ? unknown
        : [D] extends [IntegralDType]
          ? ValueDTypeUnsafe
          : unknown
      : Y extends readonly unknown[]
        ? Rank extends RR
          ? unknown
          : RankFits<RankOfValue<Y> & Rank, RR>
        : unknown;

/**
 * y as a variable next to x: a JS number is weak (it takes x's dtype when it fits, as in arithmetic) and JS data
 * becomes a constant of x's dtype when every element fits it.
 */
function valueFor(x: Tensor, y: UpdateValue, where: string): Tensor {
  if (y instanceof Tensor || typeof y === 'number' || typeof y === 'boolean' || typeof y === 'bigint')
    return asVariables([x, y], where)[1] as Tensor;
  try {
    return makeConstant(
      toNDArray(y, {
        dtype: x.dtype,
        what: `${where}: the value`,
        downcastHint: `cast it first, or pass a tensor: ${x.dtype} values are written`,
      }),
    );
  } catch (e) {
    throw new TypeError(
      `${(e as Error).message.replace(/ \(pass allowInputDowncast.*\)$/, '')}; the tensor written into is ${x.type}`,
    );
  }
}

function updateSubtensor(sub: Tensor, y: UpdateValue, mode: IncMode): Tensor {
  const where = mode === 'set' ? 'setSubtensor' : 'incSubtensor';
  const sliced = sub instanceof Tensor ? slicedFirst.get(sub) : undefined;
  // x[1:3, i]: update the slice x[1:3] at i, then set it back into x
  if (sliced) return updateSubtensor(sliced, updateRegion(sub, y, mode, where), 'set');
  return updateRegion(sub, y, mode, where);
}

function updateRegion(sub: Tensor, y: UpdateValue, mode: IncMode, where: string): Tensor {
  const node = sub instanceof Tensor ? sub.owner : null;
  if (!node || (node.op !== SUBTENSOR && node.op !== TAKE && node.op !== ADVANCED_SUBTENSOR)) {
    const what =
      sub instanceof Tensor
        ? node
          ? `the output of ${node.op.name}`
          : `${sub.name ? `'${sub.name}' ` : ''}(${sub.type}), which is not indexed`
        : describeArg(sub);
    throw new TypeError(
      `${where}: the first argument must be an indexed tensor, x.get(...) or T.take(x, indices, axis); got ${what}`,
    );
  }
  const x = node.inputs[0] as Tensor;
  const value = valueFor(x, y, where);
  if (node.op === SUBTENSOR) {
    const { index } = node.params as { index: BasicIndex };
    return applyOp(INC_SUBTENSOR, { mode, index }, [x, value, ...node.inputs.slice(1)])[0]!;
  }
  if (node.op === ADVANCED_SUBTENSOR) {
    const { pattern } = node.params as AdvancedSubtensorParams;
    return applyOp(ADVANCED_INC_SUBTENSOR_ND, { mode, pattern }, [x, value, ...node.inputs.slice(1)])[0]!;
  }
  const { axis } = node.params as { axis: number };
  return applyOp(ADVANCED_INC_SUBTENSOR, { mode, axis }, [x, value, node.inputs[1]!])[0]!;
}

/**
 * Theano's `set_subtensor(x[...], y)`: the whole of x, as a new variable, with the indexed region replaced by y
 * (broadcast to the region). Nothing is mutated. The first argument is the indexed expression (`x.get(...)` or
 * `T.take(...)`); y must broadcast to the region and cast safely to x's dtype (compile errors otherwise). Its type
 * does not carry x's rank, so the result's rank is known only at run time; use `x.at(...).set(y)` for a result
 * typed like x.
 *
 * @example
 * T.setSubtensor(x.get(T.slice(0, 2)), 0); // numpy: z = x.copy(); z[0:2] = 0
 */
export function setSubtensor<D extends DType, RR extends Rank, const Y extends UpdateValue>(
  sub: Tensor<D, RR>,
  y: Y & NoInfer<CheckRegionValue<Y, D, RR>>,
): Tensor<D, Rank> {
  return updateSubtensor(sub, y, 'set') as never;
}

/**
 * Theano's `inc_subtensor(x[...], y)`: the whole of x with y added to the indexed region (its rank known at run
 * time; `x.at(...).inc(y)` is typed like x). With an integer tensor index, repeated positions add up (numpy's
 * `np.add.at`).
 *
 * @example
 * T.incSubtensor(v.get(idx), 1); // counts: every occurrence of a position in idx adds 1
 */
export function incSubtensor<D extends DType, RR extends Rank, const Y extends UpdateValue>(
  sub: Tensor<D, RR>,
  y: Y & NoInfer<CheckRegionValue<Y, D, RR>>,
): Tensor<D, Rank> {
  return updateSubtensor(sub, y, 'inc') as never;
}

/**
 * The region `x.at(...)` of a tensor, for functional updates typed like x (JAX's `x.at[...]`):
 * `x.at(0).set(y)` is `T.setSubtensor(x.get(0), y)` with the type of x.
 * @example m.at(0).set(v)
 */
export class IndexUpdate<D extends DType = DType, R extends Rank = Rank> {
  declare private readonly __indexUpdateBrand: void;
  readonly x: Tensor<D, R>;
  readonly indices: readonly unknown[];
  constructor(x: Tensor<D, R>, indices: readonly unknown[]) {
    this.x = x;
    this.indices = Object.freeze([...indices]);
  }
  /** x with the region replaced by y (broadcast to the region). */
  set(y: UpdateValue): Tensor<D, R> {
    return updateSubtensor(getItem(this.x, this.indices), y, 'set') as never;
  }
  /** x with y added to the region (repeated positions of an integer tensor index add up). */
  inc(y: UpdateValue): Tensor<D, R> {
    return updateSubtensor(getItem(this.x, this.indices), y, 'inc') as never;
  }
}
