/**
 * Small graph builders the linear-algebra pullbacks share. Every one works on stacks of matrices (the last two
 * axes), so the gradients are batched like the ops.
 */
import type { GradBuilder } from '../../graph/op.js';
import type { Tensor } from '../../tensor/tensor.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Every matrix of `x` transposed (the last two axes swapped). */
export const mT = (x: Tensor, T: GradBuilder): Tensor =>
  T.dimshuffle(x, [...range(x.ndim - 2), x.ndim - 1, x.ndim - 2]);

/** `s[..., None, None]`: a stack of scalars that broadcasts against a stack of matrices. */
export const asMatrices = (s: Tensor, T: GradBuilder): Tensor => T.dimshuffle(s, [...range(s.ndim), 'x', 'x']);

/** `v[..., :, None]`: a stack of vectors as column matrices. */
export const asColumns = (v: Tensor, T: GradBuilder): Tensor => T.dimshuffle(v, [...range(v.ndim), 'x']);

/** The diagonal part of every matrix (zeros elsewhere). */
export const diagPart = (x: Tensor, T: GradBuilder): Tensor => T.triu(T.tril(x));

/**
 * The gradient with respect to a symmetric matrix that a kernel reads only from its lower (or upper) triangle,
 * from the gradient `g` of the same function of a full matrix: A[i, j] (i > j) stands for both A[i, j] and
 * A[j, i], so it gets g[i, j] + g[j, i]; the diagonal gets g[i, i]; the triangle not read gets zero.
 */
export function foldTriangle(g: Tensor, lower: boolean, T: GradBuilder): Tensor {
  const both = T.add(g, mT(g, T));
  return T.sub(lower ? T.tril(both) : T.triu(both), diagPart(g, T));
}
