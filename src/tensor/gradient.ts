/** Graph pieces used by differentiation, and the gradient modifiers of Theano. */
import { BROADCAST_LIKE, GRAD_MODIFIER, SUM_TO_SHAPE, type GradModifierParams } from '../ops/gradient.js';
import type { DType } from '../types/dtype.js';
import type { Rank } from '../types/rank.js';
import { sameShape } from '../rewrite/shape-proofs.js';
import { applyOp } from './apply.js';
import type { Tensor } from './tensor.js';

/**
 * Sums `g` down to the (run-time) shape of `like`, undoing broadcasting. A no-op when the shapes are provably
 * equal (the shape prover of the optimizer, as Theano's gradient sums only over broadcast axes): the gradient
 * graph of a long elementwise chain then has no node the optimizer would remove again.
 * @example T.sumToShape(g, v)
 */
export function sumToShape<D extends DType, R extends Rank>(g: Tensor<D>, like: Tensor<DType, R>): Tensor<D, R> {
  if (g.ndim === like.ndim && g.type.shape.every((d, i) => d !== null && d === like.type.shape[i])) return g as never;
  if (g === (like as unknown) || sameShape(g, like)) return g as never;
  return applyOp(SUM_TO_SHAPE, undefined, [g, like])[0] as never;
}

/**
 * Broadcasts `x` to the (run-time) shape of `like`.
 * @example T.broadcastLike(T.constant(0), m)
 */
export function broadcastLike<D extends DType, R extends Rank>(x: Tensor<D>, like: Tensor<DType, R>): Tensor<D, R> {
  return applyOp(BROADCAST_LIKE, undefined, [x, like])[0] as never;
}

function modifier<D extends DType, R extends Rank>(x: Tensor<D, R>, params: GradModifierParams): Tensor<D, R> {
  return applyOp(GRAD_MODIFIER, params, [x])[0] as never;
}

/**
 * `x` in the forward pass; its gradient is zero (x is treated as a constant).
 * @example T.zeroGrad(target)
 */
export const zeroGrad = <D extends DType, R extends Rank>(x: Tensor<D, R>): Tensor<D, R> =>
  modifier(x, { kind: 'zero' });
/**
 * Theano's `consider_constant`: the same as `zeroGrad`.
 * @example T.grad(y.mul(T.considerConstant(y)).sum(), x)
 */
export const considerConstant = zeroGrad;
/**
 * `x` in the forward pass; differentiation does not see through it (a cost reaching wrt only through it is disconnected).
 * @example T.disconnectedGrad(x)
 */
export const disconnectedGrad = <D extends DType, R extends Rank>(x: Tensor<D, R>): Tensor<D, R> =>
  modifier(x, { kind: 'disconnected' });
/**
 * `x` in the forward pass; the gradient flowing back through it is clipped to `[lo, hi]`.
 * @example T.gradClip(x, -1, 1)
 */
export function gradClip<D extends DType, R extends Rank>(x: Tensor<D, R>, lo: number, hi: number): Tensor<D, R> {
  if (!(lo <= hi)) throw new RangeError(`gradClip: lower bound ${lo} is above upper bound ${hi}`);
  return modifier(x, { kind: 'clip', lo, hi });
}
/**
 * `x` in the forward pass; the gradient flowing back through it is multiplied by `factor`.
 * @example T.gradScale(x, 0.5)
 */
export const gradScale = <D extends DType, R extends Rank>(x: Tensor<D, R>, factor: number): Tensor<D, R> =>
  modifier(x, { kind: 'scale', factor });
