/** The JS values that go into and come out of compiled functions and shared variables, typed by dtype and rank. */
import type { DType, ScalarValue } from '../types/dtype.js';
import type { Nested, Rank } from '../types/rank.js';
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
