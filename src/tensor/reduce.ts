/** Reductions: sum, prod, max, min, mean, var, std, all, any, argmax, argmin, maxAndArgmax. */
import { REDUCE, type ReduceKind } from '../ops/reduce.js';
import { normalizeAxes, normalizeAxis } from './axis.js';
import { ARG_REDUCE } from '../ops/argreduce.js';
import { SHAPE_I } from '../ops/shape.js';
import { isDType, isFloat, WEAK_FLOAT, type DType, type FloatDType } from '../types/dtype.js';
import type { Axis, Dec, Rank, SubRank } from '../types/rank.js';
import { applyOp } from './apply.js';
import { cast, div, maximum, mul, sqr, sqrt, sub } from './elemwise.js';
import type { Tensor } from './tensor.js';

/** None (all axes), one axis, or a list of axes; negative axes count from the end. */
export type AxisArg<R extends Rank> = Axis<R> | readonly Axis<R>[] | null | undefined;

/** The rank left by reducing over `A` (all axes when none), or R with keepdims. */
export type ReducedRank<R extends Rank, A, K extends boolean> = K extends true
  ? R
  : A extends number
    ? Dec<R>
    : A extends readonly unknown[]
      ? SubRank<R, A['length']>
      : 0;

/**
 * Theano's accumulation dtypes for sum and prod: integers and bool accumulate in int64 (we have no uint64).
 * @example T.SUM_DTYPE.int8 // 'int64'
 */
export const SUM_DTYPE = {
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
} as const satisfies { [D in DType]: DType };
/**
 * The mean of integers is float64; floats keep their dtype. That is the weak-float rule (a mean divides by a
 * count, as if by a fractional JS number), so the table is the same one.
 * @example T.MEAN_DTYPE.int32 // 'float64'
 */
export const MEAN_DTYPE = WEAK_FLOAT;
export type SumDType<D extends DType> = (typeof SUM_DTYPE)[D];
export type MeanDType<D extends DType> = (typeof MEAN_DTYPE)[D];

export interface ReduceOptions<K extends boolean = boolean> {
  /** Keep reduced axes with length 1 (so the result broadcasts against the input). */
  keepdims?: K;
}
export interface SumOptions<K extends boolean = boolean, T extends DType = DType> extends ReduceOptions<K> {
  /** The output (and accumulation) dtype; Theano's rule by default. */
  dtype?: T;
}
export interface MeanOptions<K extends boolean = boolean, T extends FloatDType = FloatDType> extends ReduceOptions<K> {
  /** The float dtype the sum is accumulated and the mean returned in (numpy's `mean(dtype=)`); Theano's rule by default. */
  dtype?: T;
}
export interface VarOptions<K extends boolean = boolean> extends ReduceOptions<K> {
  /** Delta degrees of freedom: the divisor is n - ddof (0: population variance, 1: sample variance). */
  ddof?: number;
}

type AnyAxis = number | readonly number[] | null | undefined;

/** A reduction's options: an object with known names (a typo such as `keepdim` would otherwise be ignored). */
function checkOptions(options: object, opName: string, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(
      `${opName}: options must be an object ({ ${known.join(', ')} }), got ${typeof options} ${String(options)}`,
    );
  }
  for (const [key, value] of Object.entries(options)) {
    if (!known.includes(key)) {
      throw new TypeError(`${opName}: unknown option '${key}'; the options are ${known.join(', ')}`);
    }
    if (key === 'keepdims' && value !== undefined && typeof value !== 'boolean')
      throw new TypeError(`${opName}: keepdims must be true or false, got ${typeof value} ${String(value)}`);
    if (key === 'dtype' && value !== undefined && !isDType(value))
      throw new TypeError(`${opName}: unknown dtype ${String(value)}`);
    if (key === 'ddof' && value !== undefined && !(typeof value === 'number' && Number.isFinite(value)))
      throw new TypeError(`${opName}: ddof must be a number, got ${typeof value} ${String(value)}`);
  }
}

function reduce(kind: ReduceKind, x: Tensor, axis: AnyAxis, keepdims: boolean, dtype: DType): Tensor {
  const axes = normalizeAxes(axis, x.ndim, kind);
  return applyOp(REDUCE, { kind, axes, keepdims, dtype }, [x])[0]!;
}

/**
 * The sum over all axes, one axis, or a list of axes (negative axes count from the end); ints accumulate in int64 as numpy (`T.sum`, numpy `sum`).
 * @example T.sum(m, 1)
 */
export function sum<
  D extends DType,
  R extends Rank,
  const A extends AxisArg<R> = null,
  K extends boolean = false,
  T extends DType = SumDType<D>,
>(x: Tensor<D, R>, axis?: A, options: SumOptions<K, T> = {}): Tensor<NoInfer<T>, ReducedRank<R, A, K>> {
  checkOptions(options, 'sum', ['keepdims', 'dtype']);
  return reduce('sum', x, axis as AnyAxis, options.keepdims ?? false, options.dtype ?? SUM_DTYPE[x.dtype]) as never;
}

/**
 * The product over all axes, one axis, or a list of axes (`T.prod`, numpy `prod`).
 * @example T.prod(v)
 */
export function prod<
  D extends DType,
  R extends Rank,
  const A extends AxisArg<R> = null,
  K extends boolean = false,
  T extends DType = SumDType<D>,
>(x: Tensor<D, R>, axis?: A, options: SumOptions<K, T> = {}): Tensor<NoInfer<T>, ReducedRank<R, A, K>> {
  checkOptions(options, 'prod', ['keepdims', 'dtype']);
  return reduce('prod', x, axis as AnyAxis, options.keepdims ?? false, options.dtype ?? SUM_DTYPE[x.dtype]) as never;
}

/**
 * The largest element over all axes, one axis, or a list of axes (`T.max`, numpy `max`).
 * @example T.max(m, 0)
 */
export function max<D extends DType, R extends Rank, const A extends AxisArg<R> = null, K extends boolean = false>(
  x: Tensor<D, R>,
  axis?: A,
  options: ReduceOptions<K> = {},
): Tensor<D, ReducedRank<R, A, K>> {
  checkOptions(options, 'max', ['keepdims']);
  return reduce('max', x, axis as AnyAxis, options.keepdims ?? false, x.dtype) as never;
}

/**
 * The smallest element over all axes, one axis, or a list of axes (`T.min`, numpy `min`).
 * @example T.min(m, 0)
 */
export function min<D extends DType, R extends Rank, const A extends AxisArg<R> = null, K extends boolean = false>(
  x: Tensor<D, R>,
  axis?: A,
  options: ReduceOptions<K> = {},
): Tensor<D, ReducedRank<R, A, K>> {
  checkOptions(options, 'min', ['keepdims']);
  return reduce('min', x, axis as AnyAxis, options.keepdims ?? false, x.dtype) as never;
}

/**
 * Whether every element is non-zero, over all axes or the given ones (`T.all`, numpy `all`).
 * @example T.all(m.gt(0), 1)
 */
export function all<D extends DType, R extends Rank, const A extends AxisArg<R> = null, K extends boolean = false>(
  x: Tensor<D, R>,
  axis?: A,
  options: ReduceOptions<K> = {},
): Tensor<'bool', ReducedRank<R, A, K>> {
  checkOptions(options, 'all', ['keepdims']);
  return reduce('all', x, axis as AnyAxis, options.keepdims ?? false, 'bool') as never;
}

/**
 * Whether some element is non-zero, over all axes or the given ones (`T.any`, numpy `any`).
 * @example T.any(x.isnan())
 */
export function any<D extends DType, R extends Rank, const A extends AxisArg<R> = null, K extends boolean = false>(
  x: Tensor<D, R>,
  axis?: A,
  options: ReduceOptions<K> = {},
): Tensor<'bool', ReducedRank<R, A, K>> {
  checkOptions(options, 'any', ['keepdims']);
  return reduce('any', x, axis as AnyAxis, options.keepdims ?? false, 'bool') as never;
}

/** The number of elements reduced over `axes`, as a symbolic int64 scalar (a product of `shape_i`s). */
function countOver(x: Tensor, axes: readonly number[]): Tensor {
  // Statically known lengths multiply into one constant; unknown ones are read at run time.
  let known = 1;
  let symbolic: Tensor | undefined;
  for (const a of axes) {
    const d = x.type.shape[a];
    if (d !== null && d !== undefined) known *= d;
    else {
      const size = applyOp(SHAPE_I, { axis: a }, [x])[0]!;
      symbolic = symbolic ? (mul(symbolic, size) as Tensor) : size;
    }
  }
  if (!symbolic) return cast(known, 'int64') as Tensor;
  return known === 1 ? symbolic : (mul(symbolic, known) as Tensor);
}

/**
 * The arithmetic mean: `sum(x, axis) / n`; integers give float64, and `dtype` picks the float dtype the sum is
 * accumulated and returned in (numpy's `mean(dtype=)`).
 * @example T.mean(m, 0)
 */
export function mean<
  D extends DType,
  R extends Rank,
  const A extends AxisArg<R> = null,
  K extends boolean = false,
  T extends FloatDType = MeanDType<D>,
>(x: Tensor<D, R>, axis?: A, options: MeanOptions<K, T> = {}): Tensor<NoInfer<T>, ReducedRank<R, A, K>> {
  checkOptions(options, 'mean', ['keepdims', 'dtype']);
  if (options.dtype !== undefined && !isFloat(options.dtype))
    throw new TypeError(`mean: dtype must be float32 or float64, got ${String(options.dtype)}`);
  const dtype = options.dtype ?? MEAN_DTYPE[x.dtype];
  const axes = normalizeAxes(axis as AnyAxis, x.ndim, 'mean');
  const total = reduce('sum', x, axes, options.keepdims ?? false, dtype);
  return div(total, cast(countOver(x, axes), dtype)) as never;
}

/**
 * The variance: `mean(sqr(x - mean(x)))`, divided by n - ddof instead of n when `ddof` is given.
 * @example T.variance(m, 0, { ddof: 1 })
 */
export function variance<D extends DType, R extends Rank, const A extends AxisArg<R> = null, K extends boolean = false>(
  x: Tensor<D, R>,
  axis?: A,
  options: VarOptions<K> = {},
): Tensor<MeanDType<D>, ReducedRank<R, A, K>> {
  checkOptions(options, 'var', ['keepdims', 'ddof']);
  return varianceOf(x, axis as AnyAxis, options, 'var') as never;
}

function varianceOf(x: Tensor, axis: AnyAxis, options: VarOptions, opName: string): Tensor {
  const dtype = MEAN_DTYPE[x.dtype];
  const axes = normalizeAxes(axis, x.ndim, opName);
  const xf = isFloat(x.dtype) ? x : cast(x, dtype);
  const centered = sub(xf as Tensor<'float64'>, mean(xf as Tensor<'float64'>, axes as never, { keepdims: true }));
  const squares = reduce('sum', sqr(centered), axes, options.keepdims ?? false, dtype);
  const n = cast(countOver(x, axes), dtype);
  // numpy divides by max(n - ddof, 0): with more degrees removed than elements, inf (or NaN for 0 / 0), not a
  // negative variance
  const divisor = options.ddof ? maximum(sub(n as Tensor<'float64'>, options.ddof), 0) : n;
  return div(squares, divisor) as Tensor;
}

/**
 * The standard deviation: `sqrt(var(x))`.
 * @example T.std(x)
 */
export function std<D extends DType, R extends Rank, const A extends AxisArg<R> = null, K extends boolean = false>(
  x: Tensor<D, R>,
  axis?: A,
  options: VarOptions<K> = {},
): Tensor<MeanDType<D>, ReducedRank<R, A, K>> {
  checkOptions(options, 'std', ['keepdims', 'ddof']);
  return sqrt(varianceOf(x, axis as AnyAxis, options, 'std')) as never;
}

/**
 * The index of the largest element along `axis` (of the flattened tensor when none), as int64.
 * @example T.argmax(m, 1)
 */
export function argmax<
  D extends DType,
  R extends Rank,
  const A extends Axis<R> | null = null,
  K extends boolean = false,
>(x: Tensor<D, R>, axis?: A, options: ReduceOptions<K> = {}): Tensor<'int64', ReducedRank<R, A, K>> {
  checkOptions(options, 'argmax', ['keepdims']);
  return argReduce('argmax', x, axis, options.keepdims ?? false) as never;
}

/**
 * The index of the smallest element along `axis` (of the flattened tensor when none), as int64.
 * @example T.argmin(m, 1)
 */
export function argmin<
  D extends DType,
  R extends Rank,
  const A extends Axis<R> | null = null,
  K extends boolean = false,
>(x: Tensor<D, R>, axis?: A, options: ReduceOptions<K> = {}): Tensor<'int64', ReducedRank<R, A, K>> {
  checkOptions(options, 'argmin', ['keepdims']);
  return argReduce('argmin', x, axis, options.keepdims ?? false) as never;
}

/**
 * `[max(x, axis), argmax(x, axis)]` (Theano's max_and_argmax).
 * @example const [best, where] = T.maxAndArgmax(m, 1);
 */
export function maxAndArgmax<
  D extends DType,
  R extends Rank,
  const A extends Axis<R> | null = null,
  K extends boolean = false,
>(
  x: Tensor<D, R>,
  axis?: A,
  options: ReduceOptions<K> = {},
): [Tensor<D, ReducedRank<R, A, K>>, Tensor<'int64', ReducedRank<R, A, K>>] {
  return [max(x, axis as never, options) as never, argmax(x, axis, options)];
}

function argReduce(kind: 'argmax' | 'argmin', x: Tensor, axis: number | null | undefined, keepdims: boolean): Tensor {
  const axes = axis === null || axis === undefined ? null : normalizeAxis(axis, x.ndim, kind);
  return applyOp(ARG_REDUCE, { kind, axis: axes, keepdims }, [x])[0]!;
}
