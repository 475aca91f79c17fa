import { checkOptionKeys } from '../types/suggest.js';
import { toNDArray, type ArrayLikeInput } from '../runtime/convert.js';
import { NDArray, shapeToString } from '../runtime/ndarray.js';
import {
  unwrapScalar,
  type DTypeOfValue,
  type InputValue,
  type OutputValue,
  type RankOfValue,
} from '../runtime/values.js';
import { isDType, type DType } from '../types/dtype.js';
import type { Rank } from '../types/rank.js';
import { TensorType } from '../types/tensor-type.js';
import { Tensor } from './tensor.js';

/**
 * A variable whose value lives across function calls (Theano's shared variable). Functions read it as an
 * implicit input and may write it through `updates`.
 * @example const w = theano.shared(0.5); w.setValue(1);
 */
export class SharedVariable<D extends DType = DType, R extends Rank = Rank> extends Tensor<D, R> {
  declare private readonly __sharedBrand: void;

  /**
   * The value this variable takes after a call of a function that reads it and does not update it explicitly
   * (Theano's `default_update`): random streams set it to the state after their draw. `theano.function` applies
   * it unless `noDefaultUpdates` says otherwise.
   */
  get defaultUpdate(): Tensor<D, R> | undefined {
    return this.defaultUpdateValue;
  }
  set defaultUpdate(value: Tensor<D, R> | undefined) {
    if (value !== undefined) defaultUpdatesSeen = true;
    this.defaultUpdateValue = value;
  }
  private defaultUpdateValue: Tensor<D, R> | undefined = undefined;

  /** A copy of the current value (a JS scalar for rank 0). */
  getValue(): OutputValue<D, R> {
    return unwrapScalar(this.storage!.value.copy()) as OutputValue<D, R>;
  }

  /** A copy of the current value as an NDArray, whatever its rank. */
  getArray(): NDArray<D, R> {
    return this.storage!.value.copy() as NDArray<D, R>;
  }

  /**
   * Replaces the value; it must convert to this variable's dtype and have its rank. The value is copied. Typed
   * through `this`, so a list of shared variables of several ranks can set each its own value
   * (`for (const p of params) p.setValue(saved.get(p))`: the rank is then checked at run time).
   */
  setValue<S extends SharedVariable<any, any>>(this: S, value: ValueOf<S>): void {
    this.storage!.value = checkedSharedValue(this, value as ArrayLikeInput, false);
  }
}

/** The values a shared variable accepts: for a union of variables, any of their values (checked at run time). */
type ValueOf<S> = S extends SharedVariable<infer D, infer R> ? InputValue<D, R> : never;

let defaultUpdatesSeen = false;
/** Whether any shared variable was ever given a default update (functions skip looking for them until then). */
export const anyDefaultUpdates = (): boolean => defaultUpdatesSeen;

const SHARED_HINT = 'a shared variable takes only values that convert without loss: convert it first';

function checkedSharedValue(v: Tensor, value: ArrayLikeInput, allowDowncast: boolean): NDArray {
  const what = `shared variable${v.name ? ` '${v.name}'` : ''}`;
  const converted = toNDArray(value, { dtype: v.dtype, what, allowDowncast, downcastHint: SHARED_HINT });
  const mismatch = v.type.shapeMismatch(converted.shape);
  if (mismatch)
    throw new TypeError(
      `${what}: expected ${/^[aeiou]/.test(v.type.dtype) ? 'an' : 'a'} ${v.type}, got shape ${shapeToString(converted.shape)}: ${mismatch}`,
    );
  // Always a copy: the caller keeps ownership of what it passed (an NDArray or a typed array is not aliased).
  return converted.copy();
}

export interface SharedOptions<D extends DType> {
  name?: string;
  /** The dtype; inferred from the value when absent (JS numbers are float64, bigints int64, booleans bool). */
  dtype?: D;
}

/**
 * A shared variable holding a copy of `value`: `theano.shared(0)` is a float64 scalar (a JS number is a
 * double), `theano.shared(0, { dtype: 'int32' })` an int32 one, `theano.shared(new Float32Array(3))` a float32
 * vector.
 * @example const w = T.shared([[0, 0], [0, 0]], { name: 'w' });
 */
export function shared<const V extends ArrayLikeInput, D extends DType = DTypeOfValue<V> & DType>(
  value: V,
  options: SharedOptions<D> = {},
): SharedVariable<NoInfer<D>, RankOfValue<V> & Rank> {
  checkOptionKeys('shared', options, ['name', 'dtype']);
  if (options.dtype !== undefined && !isDType(options.dtype))
    throw new TypeError(`shared: unknown dtype ${String(options.dtype)}`);
  const what = `shared variable${options.name ? ` '${options.name}'` : ''}`;
  const data = toNDArray(value, { dtype: options.dtype, what, downcastHint: SHARED_HINT }).copy();
  const type = new TensorType(
    data.dtype,
    data.shape.map(() => null),
  );
  return new SharedVariable(type, null, 0, options.name, { storage: { value: data } }) as never;
}

export { checkedSharedValue };
