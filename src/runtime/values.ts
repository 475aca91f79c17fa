/** The JS values that go into and come out of compiled functions and shared variables, typed by dtype and rank. */
import type { DType, ScalarValue } from '../types/dtype.js';
import type { Nested, Rank } from '../types/rank.js';
import { toNDArray, type ArrayLikeInput } from './convert.js';
import { NDArray } from './ndarray.js';

/** A JS scalar accepted for a dtype (int64 takes exact bigints; bool takes booleans). */
export type ScalarInput<D extends DType> = D extends 'int64' ? number | bigint : D extends 'bool' ? boolean | number : number;

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
  | Nested<ScalarInput<D>, R>
  | NDArray<DType, R>
  | (R extends 1 ? TypedArray : never);

/** What comes back: a plain JS scalar for rank 0, an NDArray otherwise. */
export type OutputValue<D extends DType, R extends Rank> = R extends 0 ? ScalarValue<D> : NDArray<D, R>;

/** A rank-0 array becomes a JS scalar (number, bigint for int64, boolean for bool); others stay arrays. */
export function unwrapScalar(a: NDArray): unknown {
  return a.shape.length === 0 ? a.item(0) : a;
}

/** The dtype the type checker infers for a JS value. */
export type DTypeOfValue<V> = V extends NDArray<infer D, Rank>
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
type NestedOf<T> = T | readonly T[] | readonly (readonly T[])[] | readonly (readonly (readonly T[])[])[] | readonly (readonly (readonly (readonly T[])[])[])[];
type ElementDType<V> = V extends NestedOf<boolean> ? 'bool' : V extends NestedOf<bigint> ? 'int64' : 'float64';

/** The rank the type checker infers for a JS value. */
export type RankOfValue<V> = V extends NDArray<DType, infer R>
  ? R
  : V extends TypedArray
    ? 1
    : V extends readonly (readonly (readonly (readonly unknown[])[])[])[]
      ? 4
      : V extends readonly (readonly (readonly unknown[])[])[]
        ? 3
        : V extends readonly (readonly unknown[])[]
          ? 2
          : V extends readonly unknown[]
            ? 1
            : 0;


/**
 * An NDArray from a JS value (numpy's `np.array`), typed from the value: `array([[1, 2]])` is
 * `NDArray<'float64', 2>`, `array(new Int32Array(3))` is `NDArray<'int32', 1>`. The data is always copied.
 */
export function array<const V extends ArrayLikeInput, D extends DType = DTypeOfValue<V> & DType>(
  value: V,
  options: { dtype?: D; allowDowncast?: boolean } = {},
): NDArray<D, RankOfValue<V> & Rank> {
  return toNDArray(value, { ...options, what: 'array', downcastHint: 'pass allowDowncast: true to convert it' }).copy() as never;
}
