/** The JS values that go into and come out of compiled functions and shared variables, typed by dtype and rank. */
import type { DType, ScalarValue } from '../types/dtype.js';
import type { Inc, Nested, Rank, RankOfShape } from '../types/rank.js';
import { checkOptionKeys } from '../types/suggest.js';
import { castArray, describeValue, toNDArray, type ArrayLikeInput } from './convert.js';
import { NDArray } from './ndarray.js';

/** A JS scalar accepted for a dtype (int64 takes exact bigints; bool takes booleans). */
export type ScalarInput<D extends DType> = D extends 'int64'
  ? number | bigint
  : D extends 'bool'
    ? boolean | number
    : number;

/** Typed arrays (one dimension) accepted for any dtype; the conversion is checked at run time. */
export type TypedArray =
  | Float64Array
  | Float32Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array;

/** What may be passed for a tensor of dtype D and rank R: a nested array of depth R, an NDArray of rank R, ... */
export type InputValue<D extends DType, R extends Rank> =
  Nested<ScalarInput<D>, R> | NDArray<DType, R> | (R extends 1 ? TypedArray : never);

/** What comes back: a plain JS scalar for rank 0, an NDArray otherwise. */
export type OutputValue<D extends DType, R extends Rank> = R extends 0 ? ScalarValue<D> : NDArray<D, R>;

/** A rank-0 array becomes a JS scalar (number, bigint for int64, boolean for bool); others stay arrays. */
export function unwrapScalar(a: NDArray): unknown {
  return a.shape.length === 0 ? a.item(0) : a;
}

/** The dtype the type checker infers for a JS value. */
export type DTypeOfValue<V> =
  V extends NDArray<infer D, Rank>
    ? D
    : V extends Float32Array
      ? 'float32'
      : V extends Int32Array
        ? 'int32'
        : V extends Int16Array
          ? 'int16'
          : V extends Int8Array
            ? 'int8'
            : V extends Uint8Array
              ? 'uint8'
              : V extends Uint16Array
                ? 'uint16'
                : V extends Uint32Array
                  ? 'uint32'
                  : V extends BigInt64Array
                    ? 'int64'
                    : V extends Float64Array
                      ? 'float64'
                      : ElementDType<V>;
type IsAny<T> = 0 extends 1 & T ? true : false;
/**
 * The scalars inside a nested array literal: `never` for an empty list (`[]`, `[[]]`), `any` when the value is
 * typed `any` or `any[]` (its contents are known only at run time).
 */
type Leaf<V, N extends Rank = 0> = N extends 8
  ? V
  : IsAny<V> extends true
    ? V
    : V extends readonly (infer E)[]
      ? [E] extends [never]
        ? never
        : Leaf<E, Inc<N>>
      : V;
/**
 * The dtype of a nested array literal: bool for booleans, int64 for bigints, float64 otherwise, and float64 for an
 * empty list (as numpy) or a value typed `any` (a dtype only the run time knows; float64 is the usual one).
 */
type ElementDType<V> =
  IsAny<Leaf<V>> extends true
    ? 'float64'
    : [Leaf<V>] extends [never]
      ? 'float64'
      : [Leaf<V>] extends [boolean]
        ? 'bool'
        : [Leaf<V>] extends [bigint]
          ? 'int64'
          : 'float64';

/**
 * The rank of a nested array literal: its depth (`[]` is an empty vector, `[[]]` a 1x0 matrix, as numpy), `Rank`
 * when part of it is typed `any` (a depth only the run time knows).
 */
type LiteralRank<V, N extends Rank> = N extends 8
  ? 8
  : IsAny<V> extends true
    ? Rank
    : V extends readonly (infer E)[]
      ? [E] extends [never]
        ? Inc<N>
        : LiteralRank<E, Inc<N>>
      : N;

/** The rank the type checker infers for a JS value. */
export type RankOfValue<V> = V extends NDArray<DType, infer R> ? R : V extends TypedArray ? 1 : LiteralRank<V, 0>;

/**
 * An NDArray from a JS value (numpy's `np.array`), typed from the value: `array([[1, 2]])` is
 * `NDArray<'float64', 2>`, `array(new Int32Array(3))` is `NDArray<'int32', 1>`. The data is always copied.
 */
export function array<const V extends ArrayLikeInput, D extends DType = DTypeOfValue<V> & DType>(
  value: V,
  options: { dtype?: D; allowDowncast?: boolean } = {},
): NDArray<D, RankOfValue<V> & Rank> {
  checkOptions(options, 'array', ['dtype', 'allowDowncast']);
  return toNDArray(value, {
    ...options,
    what: 'array',
    downcastHint: 'pass allowDowncast: true to convert it',
  }).copy() as never;
}

/**
 * The options of a value constructor: an object of `known` keys (`checkOptionKeys`, as every entry point), and a
 * shape passed where the options belong (the `position`-th argument) said to be one, not ignored.
 */
function checkOptions(options: unknown, who: string, known: readonly string[], position = 'second'): void {
  if (Array.isArray(options)) {
    throw new TypeError(
      `${who}: the ${position} argument is an options object ({ ${known.join(', ')} }), got an array; to give a shape, use theano.asarray(data, { shape: [...] })`,
    );
  }
  checkOptionKeys(who, options, known);
}

export interface AsarrayOptions<D extends DType> {
  dtype?: D;
  /** The shape to view flat data in (a typed array or a flat list), row-major; one length may be -1. */
  shape?: readonly number[];
  allowDowncast?: boolean;
}

/**
 * An NDArray of `data` without copying when it can (numpy's `asarray`): an NDArray of the dtype is returned as
 * it is, a typed array of the dtype is viewed (in `shape` when given); anything else is converted.
 *
 * @example
 * const m = theano.asarray(new Float32Array(6), { shape: [2, 3] }); // NDArray<'float32', 2>, sharing the buffer
 */
export function asarray<
  const V extends ArrayLikeInput,
  D extends DType = DTypeOfValue<V> & DType,
  const S extends readonly number[] = never,
>(
  data: V,
  options: AsarrayOptions<D> & { shape?: S } = {},
): NDArray<D, [S] extends [never] ? RankOfValue<V> & Rank : RankOfShape<S>> {
  checkOptions(options, 'asarray', ['dtype', 'shape', 'allowDowncast']);
  const a = toNDArray(data, {
    dtype: options.dtype,
    allowDowncast: options.allowDowncast,
    what: 'asarray',
    downcastHint: 'pass allowDowncast: true to convert it',
  });
  return (options.shape ? a.reshape(options.shape) : a) as never;
}

/** A zero-copy NDArray over a typed array, in `shape` (default: one axis). */
export function fromTypedArray<V extends TypedArray, const S extends readonly number[] = [number]>(
  data: V,
  shape?: S,
): NDArray<DTypeOfValue<V> & DType, RankOfShape<S>> {
  if (!ArrayBuffer.isView(data))
    throw new TypeError(`fromTypedArray: expected a typed array, got ${describeValue(data)}`);
  return asarray(data, shape ? { shape } : {}) as never;
}

/** Options of the value constructors: the dtype (float64 by default, as numpy). */
export interface FillOptions<D extends DType> {
  dtype?: D;
}

/** An array of `shape` filled with `value` (numpy's `full`). */
export function full<const S extends readonly number[], D extends DType = 'float64'>(
  shape: S,
  value: number | bigint | boolean,
  options: FillOptions<D> = {},
): NDArray<D, RankOfShape<S>> {
  checkOptions(options, 'full', ['dtype'], 'third');
  return filled(shape, value, options.dtype ?? 'float64') as never;
}

/** A new array of `shape` and `dtype` holding `value` everywhere. */
function filled(shape: readonly number[], value: number | bigint | boolean, dtype: DType): NDArray {
  const a = NDArray.zeros(dtype, shape);
  if (value !== 0 && value !== false && value !== 0n) {
    const v = a.dtype === 'int64' ? BigInt(value) : a.dtype === 'bool' ? (value ? 1 : 0) : Number(value);
    (a.data as unknown as { fill(x: unknown): void }).fill(v);
  }
  return a;
}

/** Zeros of `shape` (numpy's `zeros`; values, not graph: `T.zeros` builds a tensor). */
export function zeros<const S extends readonly number[], D extends DType = 'float64'>(
  shape: S,
  options: FillOptions<D> = {},
): NDArray<D, RankOfShape<S>> {
  checkOptions(options, 'zeros', ['dtype']);
  return filled(shape, 0, options.dtype ?? 'float64') as never;
}

/** Ones of `shape` (numpy's `ones`). */
export function ones<const S extends readonly number[], D extends DType = 'float64'>(
  shape: S,
  options: FillOptions<D> = {},
): NDArray<D, RankOfShape<S>> {
  checkOptions(options, 'ones', ['dtype']);
  return filled(shape, 1, options.dtype ?? 'float64') as never;
}

/** `[start, start + step, ...)` up to `stop` excluded (numpy's `arange`; `arange(n)` counts from 0). */
export function arange<D extends DType = 'float64'>(
  start: number,
  stop?: number,
  step = 1,
  options: FillOptions<D> = {},
): NDArray<D, 1> {
  checkOptions(options, 'arange', ['dtype'], 'fourth');
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isFinite(step) || step === 0) {
    throw new RangeError(
      `arange: start, stop and step must be finite numbers and step not 0, got ${lo}, ${hi}, ${step}`,
    );
  }
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const a = NDArray.zeros(options.dtype ?? 'float64', [n]);
  const data = a.data as unknown as { [i: number]: number | bigint };
  for (let i = 0; i < n; i++) data[i] = a.dtype === 'int64' ? BigInt(Math.trunc(lo + i * step)) : lo + i * step;
  return a as never;
}

/** `num` evenly spaced numbers from `start` to `stop` (included unless `endpoint: false`), numpy's `linspace`. */
export function linspace<D extends DType = 'float64'>(
  start: number,
  stop: number,
  num = 50,
  options: FillOptions<D> & { endpoint?: boolean } = {},
): NDArray<D, 1> {
  checkOptions(options, 'linspace', ['dtype', 'endpoint'], 'fourth');
  if (!Number.isInteger(num) || num < 0)
    throw new RangeError(`linspace: num must be a non-negative integer, got ${num}`);
  const endpoint = options.endpoint ?? true;
  const div = endpoint ? num - 1 : num;
  const step = div > 0 ? (stop - start) / div : 0;
  const values = Array.from({ length: num }, (_, i) =>
    endpoint && i === num - 1 && num > 1 ? stop : start + i * step,
  );
  return castArray(new NDArray('float64', [num], Float64Array.from(values)), options.dtype ?? 'float64') as never;
}
