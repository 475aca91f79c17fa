import type { OpDef } from '../graph/op.js';
import { NDArray } from '../runtime/ndarray.js';
import { TensorType } from '../types/tensor-type.js';

/** `shape(x)`: the run-time shape as an int64 vector (its length is static). */
export const SHAPE: OpDef<undefined> = {
  name: 'shape',
  inferType: ([x]) => [new TensorType('int64', [x!.ndim])],
  evaluate: ([x]) => [new NDArray('int64', [x!.ndim], BigInt64Array.from(x!.shape.map(BigInt)))],
  pullback: 'nondifferentiable',
  print: { kind: 'call' },
};

export interface ShapeIParams {
  readonly axis: number;
}

/** `shape(x, i)`: the length of one axis as an int64 scalar (Theano's Shape_i). */
export const SHAPE_I: OpDef<ShapeIParams> = {
  name: 'shape_i',
  inferType([x], { axis }) {
    if (!Number.isInteger(axis) || axis < 0 || axis >= x!.ndim) throw new RangeError(`shape: axis ${axis} is out of range for ${x}`);
    return [new TensorType('int64', [])];
  },
  evaluate: ([x], { axis }) => [new NDArray('int64', [], BigInt64Array.of(BigInt(x!.shape[axis]!)))],
  pullback: 'nondifferentiable',
  print: { kind: 'call' },
  paramsKey: (p) => String(p.axis),
};
