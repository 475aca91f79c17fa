/**
 * Shape and structure: reshape, flatten, squeeze, expandDims, shape, concatenate, stack, split, alloc, fill, zeros,
 * ones, full, zerosLike, onesLike, arange, eye, tril, triu, tile, repeat, roll, cumsum, cumprod, broadcastTo.
 *
 * Sizes may be numbers or symbolic integer scalars (`T.shape(x, 0)`, an `iscalar`). Numbers (and constants) are
 * kept in the op's params, so the result's static shape knows them; symbolic ones become inputs read at run time.
 */
import { checkOptionKeys } from '../types/suggest.js';
import { Variable } from '../graph/variable.js';
import type { DimParam } from '../ops/dims.js';
import { DIMSHUFFLE } from '../ops/dimshuffle.js';
import { SUM_DTYPE, type SumDType } from './reduce.js';
import { ALLOC, BROADCAST_TO, FILL, FLATTEN, RESHAPE, SHAPE, SHAPE_I, TILE } from '../ops/shape.js';
import { ARANGE, CUMULATE, EYE, JOIN, REPEAT, ROLL, SPLIT, TRI } from '../ops/structure.js';
import { toNDArray } from '../runtime/convert.js';
import { shapeToString } from '../runtime/ndarray.js';
import {
  formatBytes,
  isDType,
  isFloat,
  isInt,
  MAX_STORAGE_LENGTH,
  STORAGE,
  upcastAll,
  WEAK_FLOAT,
  WEAK_INT,
  type DType,
  type IntDType,
  type NumericDType,
  type Upcast,
} from '../types/dtype.js';
import type { Axis, Dec, Inc, InsertAxis, MaxRank, Rank, RankOfShape, SubRank } from '../types/rank.js';
import { applyOp, asVariables, makeConstant } from './apply.js';
import { normalizeAxis } from './axis.js';
import { cast } from './elemwise.js';
import type { DType1, DType3, NumberKind, Operand, RankOf, ResolveDType, StrongDType } from './operand.js';
import type { Tensor } from './tensor.js';

// ---------------------------------------------------------------------------------------------------------------
// Types

/** A size: a number or an integer scalar tensor (a symbolic size, read at run time). */
export type Size = number | Tensor<IntDType, 0>;
/** A shape: a list of sizes (its literal length is the rank of the result). */
export type ShapeArg = readonly Size[];
/** A shape list, or one size for a vector (`T.zeros(3)`). */
export type ShapeLike = ShapeArg | Size;
/** The rank a `ShapeLike` gives. */
export type ShapeRank<S> = S extends readonly unknown[] ? RankOfShape<S> : 1;

/** The ranks `flatten` may produce from rank R: 1 to R (1 for a scalar). */
export type FlattenRank<R extends Rank> = [
  1,
  1,
  1 | 2,
  1 | 2 | 3,
  1 | 2 | 3 | 4,
  1 | 2 | 3 | 4 | 5,
  1 | 2 | 3 | 4 | 5 | 6,
  1 | 2 | 3 | 4 | 5 | 6 | 7,
  Exclude<Rank, 0>,
][R];
/** The rank `squeeze` leaves: one axis fewer per named axis; unknown at the type level when no axis is named. */
export type SqueezedRank<R extends Rank, A> = A extends number
  ? Dec<R>
  : A extends readonly unknown[]
    ? SubRank<R, A['length']>
    : Rank;
/** The rank of an op that flattens when no axis is given (repeat, cumsum): R with an axis, 1 without. */
export type AxisOrFlatRank<R extends Rank, A> = A extends number ? R : 1;

/** Ranks 2 and up (tril, triu). */
export type MatrixRank = Exclude<Rank, 0 | 1>;

// The dtype of joining tensors of the dtypes in the union U: U closed under pairwise upcasting (4 rounds reach
// every join of up to 16 dtypes), then its top element. Lookup tables only, no recursion.
type Pairwise<U extends DType> = { [A in U]: { [B in U]: Upcast<A, B> }[U] }[U];
type Closure<U extends DType> = Pairwise<Pairwise<Pairwise<Pairwise<U>>>>;
type Top<U extends DType> = { [A in U]: [Upcast<A, U>] extends [A] ? A : never }[U];
/** The upcast of every dtype in a union (`'int8' | 'uint8'` gives int16). */
export type UpcastUnion<U extends DType> = Top<Closure<U>>;

type IsUnion<T, U = T> = T extends unknown ? ([U] extends [T] ? false : true) : never;
/** What a list of tensors of different ranks must also be: no list is, so `concatenate`/`stack` fail to compile. */
export interface MixedRanks {
  readonly 'error: all tensors must have the same rank (expandDims or reshape one first)': true;
}
/** Rejects a list of tensors whose ranks differ (R inferred as a union of ranks; `Rank` itself is an unknown rank). */
export type SameRank<R extends Rank> = Rank extends R ? unknown : true extends IsUnion<R> ? MixedRanks : unknown;

/** A bound of `arange`: a number, a bigint (an integer, as numpy's Python int) or a numeric scalar tensor. */
export type Bound = number | bigint | Tensor<NumericDType, 0>;
type OrZero<X> = X extends undefined ? 0 : X;
type AnyTensor<A, B, C> = [StrongDType<A> | StrongDType<B> | StrongDType<C>] extends [never] ? false : true;
/** 'int', 'float', or 'either' for a `number` that is not a literal. */
type BoundKind<X> = X extends number
  ? 'float' extends NumberKind<X>
    ? 'int' extends NumberKind<X>
      ? 'either'
      : 'float'
    : 'int'
  : 'int';
type Kinds<A, B, C> = BoundKind<A> | BoundKind<B> | BoundKind<C>;
/**
 * arange's dtype: with a tensor bound, the upcast of the bounds (numbers weakly typed next to the tensors, as in
 * arithmetic); numbers only: int64 when all are integers, float64 when one has a fraction.
 */
export type ArangeDType<A, B, C> =
  AnyTensor<A, B, C> extends true
    ? DType3<OrZero<A>, OrZero<B>, OrZero<C>>
    : 'float' extends Kinds<A, B, C>
      ? 'float64'
      : 'either' extends Kinds<A, B, C>
        ? 'int64' | 'float64'
        : 'int64';

// ---------------------------------------------------------------------------------------------------------------
// Argument handling

const isTensor = (x: unknown): x is Tensor => x instanceof Variable;

/**
 * Splits size arguments into op params and symbolic inputs. A constant, or the length of an axis whose static
 * length is known, becomes a number, so the result's static shape can use it. `what` names the arguments in
 * errors: one word for a list (`size 2`), or a name per argument.
 */
function sizeArgs(
  entries: readonly unknown[],
  opName: string,
  what: string | readonly string[],
  numeric = false,
): { params: DimParam[]; inputs: Tensor[] } {
  const inputs: Tensor[] = [];
  const params = entries.map((e, i): DimParam => {
    const label = typeof what === 'string' ? `${what} ${i}` : what[i]!;
    if (typeof e === 'number') return e;
    if (typeof e === 'bigint') return Number(e);
    if (!isTensor(e)) {
      const kind = e === null ? 'null' : typeof e;
      throw new TypeError(`${opName}: ${label} is ${kind}, expected a number or an integer scalar tensor`);
    }
    if (e.ndim !== 0 || !(isInt(e.dtype) || (numeric && isFloat(e.dtype)))) {
      const want = numeric ? 'a numeric' : 'an integer';
      throw new TypeError(`${opName}: ${label} must be ${want} scalar, got ${e.type}`);
    }
    const known = knownValue(e);
    if (known !== null) return known;
    inputs.push(e);
    return null;
  });
  return { params, inputs };
}

/** The value of a scalar known at build time: a constant, or `shape_i` of an axis whose length is static. */
function knownValue(v: Tensor): number | null {
  if (v.data) return Number(v.data.item(0));
  const node = v.owner;
  if (node?.op === SHAPE_I) return node.inputs[0]!.type.shape[(node.params as { axis: number }).axis] ?? null;
  return null;
}

function shapeList(shape: unknown, opName: string): readonly unknown[] {
  if (Array.isArray(shape)) return shape;
  if (typeof shape === 'number' || isTensor(shape)) return [shape];
  throw new TypeError(`${opName}: the shape must be a list of sizes, got ${typeof shape}`);
}

function scalarConstant(value: number | boolean | bigint, dtype: DType): Tensor {
  return makeConstant(toNDArray(value, { dtype, allowDowncast: true }));
}

function checkDType(dtype: unknown, opName: string): DType {
  if (!isDType(dtype)) throw new TypeError(`${opName}: unknown dtype ${String(dtype)}`);
  return dtype;
}

// ---------------------------------------------------------------------------------------------------------------
// reshape, flatten, squeeze, expandDims, shape

/**
 * The same elements in a new shape (row-major). One size may be -1: it is whatever makes the element counts
 * agree. Sizes may be symbolic integer scalars; the result's rank is the length of the shape list.
 *
 * @example
 * T.reshape(T.dvector('v'), [2, -1]); // Tensor<'float64', 2>
 * x.reshape([T.shape(y, 0), -1]);
 */
export function reshape<D extends DType, R extends Rank, const S extends ShapeArg>(
  x: Tensor<D, R>,
  shape: S,
): Tensor<D, RankOfShape<S>>;
/** Reshapes to the sizes held by an integer vector (`x.reshape(T.shape(y), 2)`); `ndim` is its length. */
export function reshape<D extends DType, R extends Rank, N extends Rank>(
  x: Tensor<D, R>,
  shape: Tensor<IntDType, 1>,
  ndim: N,
): Tensor<D, N>;
export function reshape(x: Tensor, shape: ShapeArg | Tensor, ndim?: number): Tensor {
  if (isTensor(shape)) {
    if (ndim === undefined || !Number.isInteger(ndim) || ndim < 0)
      throw new TypeError('reshape: with a shape vector, pass its length as ndim');
    return applyOp(RESHAPE, { shape: new Array<DimParam>(ndim).fill(null), fromVector: true }, [x, shape])[0]!;
  }
  const { params, inputs } = sizeArgs(shapeList(shape, 'reshape'), 'reshape', 'size');
  return applyOp(RESHAPE, { shape: params, fromVector: false }, [x, ...inputs])[0]!;
}

/**
 * Keeps the first `ndim - 1` axes and collapses the rest into one (Theano's `flatten(x, ndim)`); `ndim = 1` gives
 * all the elements in a vector.
 * @example T.flatten(t3, 2)
 */
export function flatten<D extends DType, R extends Rank, N extends FlattenRank<R> = 1>(
  x: Tensor<D, R>,
  ndim?: N,
): Tensor<D, N> {
  if (ndim !== undefined && !Number.isInteger(ndim))
    throw new TypeError(
      `flatten: ndim must be an integer, got ${typeof ndim === 'string' ? `the string '${ndim}'` : String(ndim)}`,
    );
  return applyOp(FLATTEN, { ndim: ndim ?? 1 }, [x])[0] as never;
}

/**
 * Removes axes of length 1: the named ones (an error when one is known not to be 1, checked at run time when
 * its length is unknown), or, with no axis, every axis whose static length is 1 (Theano's rule; the type
 * checker then does not know the rank).
 * @example T.squeeze(T.row())
 */
export function squeeze<
  D extends DType,
  R extends Rank,
  const A extends Axis<R> | readonly Axis<R>[] | undefined = undefined,
>(x: Tensor<D, R>, axis?: A): Tensor<D, SqueezedRank<R, A>> {
  const t = x as Tensor;
  let drop: number[];
  if (axis === undefined) drop = t.type.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  else {
    drop = (typeof axis === 'number' ? [axis] : [...(axis as readonly number[])]).map((a) =>
      normalizeAxis(a, t.ndim, 'squeeze'),
    );
    if (new Set(drop).size !== drop.length) throw new RangeError(`squeeze: repeated axis in [${drop.join(', ')}]`);
    for (const a of drop) {
      const d = t.type.shape[a];
      if (d !== null && d !== 1) throw new RangeError(`squeeze: axis ${a} of ${t.type} has length ${d}, not 1`);
    }
  }
  if (drop.length === 0) return t as never;
  const pattern = Array.from({ length: t.ndim }, (_, i) => i).filter((i) => !drop.includes(i));
  return applyOp(DIMSHUFFLE, { pattern }, [t])[0] as never;
}

/**
 * Inserts an axis of length 1 at position `axis` (0..R; negative counts from the end, -1 appends).
 * @example T.expandDims(v, 0)
 */
export function expandDims<D extends DType, R extends Rank>(x: Tensor<D, R>, axis: InsertAxis<R>): Tensor<D, Inc<R>> {
  const t = x as Tensor;
  const at = normalizeAxis(axis, t.ndim + 1, 'expandDims');
  const pattern: (number | 'x')[] = Array.from({ length: t.ndim }, (_, i) => i);
  pattern.splice(at, 0, 'x');
  return applyOp(DIMSHUFFLE, { pattern }, [t])[0] as never;
}

/**
 * The shape of `x` at run time, as an int64 vector (Theano's `x.shape`).
 * @example T.shape(m, 0)
 */
export function shape(x: Tensor): Tensor<'int64', 1>;
/** The length of axis `i` of `x` at run time, as an int64 scalar (Theano's `x.shape[i]`). */
export function shape<R extends Rank>(x: Tensor<DType, R>, axis: Axis<R>): Tensor<'int64', 0>;
export function shape(x: Tensor, axis?: number): Tensor {
  if (axis === undefined) return applyOp(SHAPE, undefined, [x])[0]!;
  return applyOp(SHAPE_I, { axis: normalizeAxis(axis, x.ndim, 'shape') }, [x])[0]!;
}

// ---------------------------------------------------------------------------------------------------------------
// concatenate, stack, split

/**
 * Joins tensors of one rank end to end along `axis` (the others must match); the result has their upcast dtype.
 *
 * @example
 * T.concatenate([a, b], 1); // [[1, 2], [3, 4]] and [[5], [6]] give [[1, 2, 5], [3, 4, 6]]
 */
export function concatenate<D extends DType, R extends Rank>(
  tensors: readonly Tensor<D, R>[] & SameRank<R>,
  axis?: Axis<R>,
): Tensor<UpcastUnion<D>, R> {
  const list = tensorList(tensors, 'concatenate');
  const ndim = list[0]!.ndim;
  if (ndim === 0) throw new RangeError('concatenate: cannot join scalars (rank 0); use stack');
  return applyOp(JOIN, { axis: normalizeAxis(axis ?? 0, ndim, 'concatenate') }, list)[0] as never;
}

/**
 * Stacks tensors of one shape along a new axis at `axis` (0..R): n vectors make an n-row matrix.
 * @example T.stack([a, b], 0)
 */
export function stack<D extends DType, R extends Rank>(
  tensors: readonly Tensor<D, R>[] & SameRank<R>,
  axis?: InsertAxis<R>,
): Tensor<UpcastUnion<D>, Inc<R>> {
  const list = tensorList(tensors, 'stack');
  const ndim = list[0]!.ndim;
  list.forEach((t, i) => {
    if (t.ndim !== ndim)
      throw new RangeError(
        `stack: all tensors must have the same rank; input 0 is ${list[0]!.type}, input ${i} is ${t.type}`,
      );
  });
  const at = normalizeAxis(axis ?? 0, ndim + 1, 'stack');
  return applyOp(
    JOIN,
    { axis: at },
    list.map((t) => expandDims(t, at as never) as Tensor),
  )[0] as never;
}

function tensorList(tensors: unknown, opName: string): Tensor[] {
  if (!Array.isArray(tensors) || tensors.length === 0)
    throw new TypeError(`${opName}: expected a non-empty list of tensors`);
  tensors.forEach((t, i) => {
    if (!isTensor(t)) throw new TypeError(`${opName}: element ${i} is not a tensor`);
  });
  return tensors as Tensor[];
}

/**
 * Cuts `x` along `axis` into consecutive pieces of the given sizes (which must add up to the axis length); one
 * tensor per size.
 *
 * @example
 * const [head, tail] = T.split(v, [1, 3]); // a length-4 vector into lengths 1 and 3
 */
export function split<D extends DType, R extends Rank, const S extends ShapeArg>(
  x: Tensor<D, R>,
  sizes: S,
  axis?: Axis<R>,
): { -readonly [K in keyof S]: Tensor<D, R> } {
  const t = x as Tensor;
  if (t.ndim === 0) throw new RangeError('split: cannot split a scalar');
  const { params, inputs } = sizeArgs(shapeList(sizes, 'split'), 'split', 'size');
  return applyOp(SPLIT, { axis: normalizeAxis(axis ?? 0, t.ndim, 'split'), sizes: params }, [t, ...inputs]) as never;
}

// ---------------------------------------------------------------------------------------------------------------
// alloc, fill, zeros, ones, full, broadcastTo

/**
 * A new tensor of the given shape filled with `value`, broadcast (Theano's `alloc(value, *shape)`). A number
 * value is float64.
 *
 * @example
 * T.alloc(0, 2, 3); // a 2x3 matrix of zeros
 */
export function alloc<V extends Tensor | number | boolean | bigint, const S extends ShapeArg>(
  value: V,
  ...shape: S
): Tensor<DType1<V>, RankOfShape<S>> {
  const v = isTensor(value) ? value : asVariables([value as Operand], 'alloc')[0]!;
  const { params, inputs } = sizeArgs(shape, 'alloc', 'size');
  return checkStaticSize(applyOp(ALLOC, { shape: params }, [v, ...inputs])[0]!, 'alloc') as never;
}

/** A tensor whose sizes are all known when it is built, and too many for one array, is an error now, not at run time. */
function checkStaticSize(out: Tensor, opName: string): Tensor {
  const dims = out.type.shape;
  if (!dims.every((d): d is number => d !== null)) return out;
  const n = dims.reduce((a, b) => a * b, 1);
  if (n > MAX_STORAGE_LENGTH) {
    throw new RangeError(
      `${opName}: shape ${shapeToString(dims)} has ${n} elements (${formatBytes(n * STORAGE[out.dtype].BYTES_PER_ELEMENT)} of ${out.dtype}), more than the ${MAX_STORAGE_LENGTH} elements one array may hold`,
    );
  }
  return out;
}

/**
 * `x` broadcast to `shape` (numpy's rules), as a new tensor.
 * @example T.broadcastTo(v, [3, v.shape(0)])
 */
export function broadcastTo<D extends DType, R extends Rank, const S extends ShapeArg>(
  x: Tensor<D, R>,
  shape: S,
): Tensor<D, RankOfShape<S>> {
  const { params, inputs } = sizeArgs(shapeList(shape, 'broadcastTo'), 'broadcastTo', 'size');
  return checkStaticSize(applyOp(BROADCAST_TO, { shape: params }, [x, ...inputs])[0]!, 'broadcastTo') as never;
}

/**
 * `value` broadcast to the shape of `model` (Theano's `fill`); a number takes the model's dtype as in arithmetic
 * (`fill(ivector, 2)` is int32, `fill(ivector, 0.5)` float64).
 * @example T.fill(m, 0)
 */
export function fill<D extends DType, R extends Rank, V extends Operand>(
  model: Tensor<D, R>,
  value: V,
): Tensor<ResolveDType<V, D>, MaxRank<R, RankOf<V>>> {
  const [m, v] = asVariables([model, value], 'fill');
  return applyOp(FILL, undefined, [m!, v!])[0] as never;
}

/**
 * A tensor of zeros of `shape` (a list of sizes, or one size for a vector) and `dtype` (float64 by default).
 * @example T.zeros([2, 3])
 */
export function zeros<const S extends ShapeLike, T extends DType = 'float64'>(
  shape: S,
  dtype?: T,
): Tensor<NoInfer<T>, ShapeRank<S>> {
  return alloc(
    scalarConstant(0, checkDType(dtype ?? 'float64', 'zeros')),
    ...(shapeList(shape, 'zeros') as Size[]),
  ) as never;
}

/**
 * A tensor of ones of `shape` and `dtype` (float64 by default).
 * @example T.ones([2, 3], 'float32')
 */
export function ones<const S extends ShapeLike, T extends DType = 'float64'>(
  shape: S,
  dtype?: T,
): Tensor<NoInfer<T>, ShapeRank<S>> {
  return alloc(
    scalarConstant(1, checkDType(dtype ?? 'float64', 'ones')),
    ...(shapeList(shape, 'ones') as Size[]),
  ) as never;
}

/**
 * A tensor of `shape` filled with `value` (a number or a scalar tensor), of `dtype`: by default the value's
 * (numbers are float64).
 * @example T.full([2, 3], 7)
 */
export function full<
  const S extends ShapeLike,
  V extends number | boolean | bigint | Tensor<DType, 0>,
  T extends DType = DType1<V>,
>(shape: S, value: V, dtype?: T): Tensor<NoInfer<T>, ShapeRank<S>> {
  let v: Tensor;
  if (isTensor(value)) {
    if (value.ndim !== 0) throw new TypeError(`full: the value must be a scalar, got ${value.type}`);
    v = dtype === undefined || dtype === value.dtype ? value : (cast(value, checkDType(dtype, 'full')) as Tensor);
  } else {
    const own: DType = typeof value === 'number' ? 'float64' : typeof value === 'boolean' ? 'bool' : 'int64';
    v = scalarConstant(value, checkDType(dtype ?? own, 'full'));
  }
  return alloc(v, ...(shapeList(shape, 'full') as Size[])) as never;
}

/**
 * Zeros of the shape of `x`, of its dtype (or `dtype`).
 * @example T.zerosLike(m)
 */
export function zerosLike<D extends DType, R extends Rank, T extends DType = D>(
  x: Tensor<D, R>,
  dtype?: T,
): Tensor<NoInfer<T>, R> {
  return applyOp(FILL, undefined, [x, scalarConstant(0, checkDType(dtype ?? x.dtype, 'zerosLike'))])[0] as never;
}

/**
 * Ones of the shape of `x`, of its dtype (or `dtype`).
 * @example T.onesLike(m)
 */
export function onesLike<D extends DType, R extends Rank, T extends DType = D>(
  x: Tensor<D, R>,
  dtype?: T,
): Tensor<NoInfer<T>, R> {
  return applyOp(FILL, undefined, [x, scalarConstant(1, checkDType(dtype ?? x.dtype, 'onesLike'))])[0] as never;
}

// ---------------------------------------------------------------------------------------------------------------
// arange, eye, tril, triu

/**
 * Evenly spaced values in [start, stop) (numpy's `arange`; with one argument, [0, start)). Bounds may be numbers
 * or numeric scalar tensors. The dtype: the upcast of tensor bounds, else int64 for integers and float64 when a
 * bound has a fraction.
 *
 * @example
 * T.arange(5);          // [0 1 2 3 4], int64
 * T.arange(0, 1, 0.25); // [0.   0.25 0.5  0.75], float64
 */
export function arange<
  A extends Bound,
  B extends Bound | undefined = undefined,
  C extends Bound | undefined = undefined,
  T extends DType = ArangeDType<A, B, C>,
>(start: A, stop?: B, step?: C, dtype?: T): Tensor<NoInfer<T>, 1> {
  const given: Bound[] = stop === undefined ? [0, start, step ?? 1] : [start, stop, step ?? 1];
  const bounds = given.map((b) => (typeof b === 'bigint' ? Number(b) : b));
  const tensors = bounds.filter((b): b is Tensor<NumericDType, 0> => isTensor(b));
  let out: DType;
  if (dtype !== undefined) out = checkDType(dtype, 'arange');
  else if (tensors.length === 0) out = bounds.every((b) => Number.isInteger(b)) ? 'int64' : 'float64';
  else {
    const partner = upcastAll(tensors.map((t) => t.dtype));
    out = upcastAll(
      bounds.map((b) =>
        typeof b !== 'number' ? b.dtype : Number.isInteger(b) ? WEAK_INT[partner] : WEAK_FLOAT[partner],
      ),
    );
  }
  const { params, inputs } = sizeArgs(bounds, 'arange', ['start', 'stop', 'step'], true);
  const [p0, p1, p2] = params as [DimParam, DimParam, DimParam];
  return applyOp(ARANGE, { start: p0, stop: p1, step: p2, dtype: out }, inputs)[0] as never;
}

/**
 * An n x m matrix (m = n by default) with ones on diagonal k (0 the main one, > 0 above) and zeros elsewhere.
 * @example T.eye(3)
 */
export function eye<T extends DType = 'float64'>(
  n: Size,
  m?: Size | null,
  k: Size = 0,
  dtype?: T,
): Tensor<NoInfer<T>, 2> {
  const { params, inputs } = sizeArgs([n, m ?? n, k], 'eye', ['n', 'm', 'k']);
  const [pn, pm, pk] = params as [DimParam, DimParam, DimParam];
  return applyOp(EYE, { n: pn, m: pm, k: pk, dtype: checkDType(dtype ?? 'float64', 'eye') }, inputs)[0] as never;
}

function tri<D extends DType, R extends Rank>(x: Tensor<D, R>, k: Size, lower: boolean): Tensor<D, R> {
  const { params, inputs } = sizeArgs([k], lower ? 'tril' : 'triu', ['k']);
  return applyOp(TRI, { lower, k: params[0]! }, [x as Tensor, ...inputs])[0] as never;
}

/**
 * The lower triangle of the last two axes: zeros above diagonal k (0 the main one, > 0 above, < 0 below).
 * @example T.tril(m)
 */
export function tril<D extends DType, R extends MatrixRank>(x: Tensor<D, R>, k: Size = 0): Tensor<D, R> {
  return tri(x, k, true);
}

/**
 * The upper triangle of the last two axes: zeros below diagonal k.
 * @example T.triu(m, 1)
 */
export function triu<D extends DType, R extends MatrixRank>(x: Tensor<D, R>, k: Size = 0): Tensor<D, R> {
  return tri(x, k, false);
}

// ---------------------------------------------------------------------------------------------------------------
// tile, repeat, roll, cumsum, cumprod

/**
 * `x` repeated `reps[k]` times along each axis (numpy's `tile`): the result's rank is the larger of the two,
 * `reps` and the shape of `x` aligned at the right.
 * @example T.tile(v, [2, 1])
 */
export function tile<D extends DType, R extends Rank, const S extends ShapeArg>(
  x: Tensor<D, R>,
  reps: S,
): Tensor<D, MaxRank<R, RankOfShape<S>>> {
  const { params, inputs } = sizeArgs(shapeList(reps, 'tile'), 'tile', 'repetition count');
  return applyOp(TILE, { reps: params }, [x, ...inputs])[0] as never;
}

/**
 * Each element repeated along `axis` (numpy's `repeat`): `repeats` times, or `repeats[i]` times for element i
 * when it is an integer vector. Without an axis the input is flattened first.
 * @example T.repeat(m, 2, 0)
 */
export function repeat<D extends DType, R extends Rank, const A extends Axis<R> | undefined = undefined>(
  x: Tensor<D, R>,
  repeats: Size | Tensor<IntDType, 1>,
  axis?: A,
): Tensor<D, AxisOrFlatRank<R, A>> {
  const t = x as Tensor;
  const along = axis === undefined ? null : normalizeAxis(axis, t.ndim, 'repeat');
  if (isTensor(repeats) && repeats.ndim === 1) {
    if (!isInt(repeats.dtype)) throw new TypeError(`repeat: repeats must be integers, got ${repeats.type}`);
    return applyOp(REPEAT, { axis: along, repeats: null }, [t, repeats])[0] as never;
  }
  const { params, inputs } = sizeArgs([repeats], 'repeat', ['repeats']);
  return applyOp(REPEAT, { axis: along, repeats: params[0]! }, [t, ...inputs])[0] as never;
}

/**
 * Elements shifted cyclically by `shift` along `axis` (numpy's `roll`); without an axis, over the flattened input.
 * @example T.roll(v, 1)
 */
export function roll<D extends DType, R extends Rank>(x: Tensor<D, R>, shift: Size, axis?: Axis<R>): Tensor<D, R> {
  const t = x as Tensor;
  const { params, inputs } = sizeArgs([shift], 'roll', ['shift']);
  const along = axis === undefined ? null : normalizeAxis(axis, t.ndim, 'roll');
  return applyOp(ROLL, { axis: along, shift: params[0]! }, [t, ...inputs])[0] as never;
}

export interface CumulateOptions<T extends DType = DType> {
  /** The output (and accumulation) dtype; sum's rule by default (integers accumulate in int64). */
  dtype?: T;
}

function cumulate(kind: 'cumsum' | 'cumprod', x: Tensor, axis: number | undefined, dtype: DType | undefined): Tensor {
  const along = axis === undefined ? null : normalizeAxis(axis, x.ndim, kind);
  return applyOp(CUMULATE, { kind, axis: along, dtype: checkDType(dtype ?? SUM_DTYPE[x.dtype], kind) }, [x])[0]!;
}

/**
 * Running sums along `axis` (of the flattened input without one); integers accumulate in int64, as `sum`.
 * @example T.cumsum(v)
 */
export function cumsum<
  D extends DType,
  R extends Rank,
  const A extends Axis<R> | undefined = undefined,
  T extends DType = SumDType<D>,
>(x: Tensor<D, R>, axis?: A, options: CumulateOptions<T> = {}): Tensor<NoInfer<T>, AxisOrFlatRank<R, A>> {
  checkOptionKeys('cumsum', options, ['dtype']);
  return cumulate('cumsum', x, axis, options.dtype) as never;
}

/**
 * Running products along `axis` (of the flattened input without one); integers accumulate in int64, as `prod`.
 * @example T.cumprod(m, 1)
 */
export function cumprod<
  D extends DType,
  R extends Rank,
  const A extends Axis<R> | undefined = undefined,
  T extends DType = SumDType<D>,
>(x: Tensor<D, R>, axis?: A, options: CumulateOptions<T> = {}): Tensor<NoInfer<T>, AxisOrFlatRank<R, A>> {
  checkOptionKeys('cumprod', options, ['dtype']);
  return cumulate('cumprod', x, axis, options.dtype) as never;
}
