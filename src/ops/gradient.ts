/** Ops that exist for differentiation: summing a broadcast gradient back to a shape, and gradient modifiers. */
import type { OpDef } from '../graph/op.js';
import { NDArray } from '../runtime/ndarray.js';
import { broadcastShapes, TensorType } from '../types/tensor-type.js';
import { evaluateReduce } from './reduce.js';
import { evaluateElemwise } from './elemwise.js';
import { SCALAR_OPS } from './scalar.js';
import { axesOf } from './shape-facts.js';

const shapeText = (s: readonly number[]) => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** `summed`, once its shape is checked to be `like`'s. */
function checkSummed(summed: NDArray, like: NDArray, g: NDArray): NDArray {
  if (!sameShape(summed.shape, like.shape))
    throw new RangeError(
      `sum_to_shape: a gradient of shape ${shapeText(g.shape)} cannot be summed to shape ${shapeText(like.shape)}`,
    );
  return summed;
}

/**
 * `sum_to_shape(g, like)`: sums `g` over the axes along which `like` was broadcast (leading axes, and axes where
 * `like` has length 1), giving `like`'s shape. Needed because broadcasting happens at run time: a dimension not
 * known statically may still have been 1.
 */
export const SUM_TO_SHAPE: OpDef<undefined> = {
  name: 'sum_to_shape',
  inferShape: (inputs) => [axesOf(inputs, 1)],
  inferType([g, like]) {
    if (g!.ndim < like!.ndim) throw new TypeError(`sum_to_shape: ${g} has fewer axes than ${like}`);
    return [new TensorType(g!.dtype, like!.shape)];
  },
  evaluate([g, like]) {
    const lead = g!.ndim - like!.ndim;
    const axes: number[] = [];
    g!.shape.forEach((d, i) => {
      if (i < lead || (like!.shape[i - lead] === 1 && d !== 1)) axes.push(i);
    });
    if (axes.length === 0) return [checkSummed(g!.copy(), like!, g!)]; // nothing was broadcast (the usual case)
    const summed = evaluateReduce(g!, { kind: 'sum', axes, keepdims: true, dtype: g!.dtype });
    return [checkSummed(new NDArray(g!.dtype, summed.shape.slice(lead), summed.data), like!, g!)];
  },
  // nothing was broadcast (the usual case at run time): the gradient itself, not a copy
  view: ([g, like]) =>
    sameShape(g!.shape, like!.shape) ? new NDArray(g!.dtype, g!.shape, g!.data, g!.strides, g!.offset) : null,
  pullback: ({ inputs: [g], grads: [gz] }, T) => [gz ? T.broadcastLike(gz, g!) : null, null],
  print: { kind: 'call' },
};

/** `broadcast_like(x, like)`: `x` broadcast to `like`'s shape (the transpose of sum_to_shape). */
export const BROADCAST_LIKE: OpDef<undefined> = {
  name: 'broadcast_like',
  inferShape: (inputs) => [axesOf(inputs, 1)],
  inferType([x, like]) {
    return [new TensorType(x!.dtype, like!.shape)];
  },
  evaluate([x, like]) {
    const shape = broadcastShapes([x!.shape, like!.shape]);
    if (typeof shape === 'string' || shape.some((d, i) => d !== like!.shape[i])) {
      throw new RangeError(
        `broadcast_like: shape ${shapeText(x!.shape)} does not broadcast to ${shapeText(like!.shape)}`,
      );
    }
    const zeros = NDArray.zeros(x!.dtype, like!.shape);
    return [evaluateElemwise(SCALAR_OPS.add, [x!, zeros], new TensorType(x!.dtype, like!.shape))];
  },
  pullback: ({ inputs: [x], grads: [gz] }, T) => [gz ? T.sumToShape(gz, x!) : null, null],
  print: { kind: 'call' },
};

export type GradModifierParams =
  | { readonly kind: 'zero' }
  | { readonly kind: 'disconnected' }
  | { readonly kind: 'clip'; readonly lo: number; readonly hi: number }
  | { readonly kind: 'scale'; readonly factor: number };

/** Identity in the forward pass; changes only the gradient that flows back through it. */
export const GRAD_MODIFIER: OpDef<GradModifierParams> = {
  name: 'grad_modifier',
  inferShape: (inputs) => [axesOf(inputs, 0)],
  inferType: ([x]) => [x!],
  evaluate: ([x]) => [x!.copy()],
  pullback: ({ grads: [gz], params }, T) => {
    if (!gz) return [null];
    switch (params.kind) {
      case 'zero':
      case 'disconnected':
        return [null];
      case 'clip':
        return [T.clip(gz, params.lo, params.hi)];
      case 'scale':
        return [T.mul(gz, params.factor)];
    }
  },
  print: {
    kind: 'call',
    name: (p) => `${p.kind}_grad`,
    args: (p) => (p.kind === 'clip' ? [String(p.lo), String(p.hi)] : p.kind === 'scale' ? [String(p.factor)] : []),
  },
  paramsKey: (p) => JSON.stringify(p),
};
