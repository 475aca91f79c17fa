/**
 * Linear algebra: a product by an inverse becomes a solve, a log-determinant of a matrix known to have a
 * positive determinant becomes slogdet's log-magnitude, a determinant of a Cholesky factor the product of its
 * diagonal, the diagonal of a product the row-wise sum of an elementwise product, and a general solve with a
 * Cholesky factor a triangular solve. Each keeps the matched value's dtype and rank (or declines).
 */
import type { Variable } from '../../graph/variable.js';
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { rule } from '../engine.js';
import { anyOf, isOp, P, paramsOf, v } from '../pattern.js';
import type { PhaseRules } from '../pipeline.js';

const a = v('a');
const b = v('b');
const x = v('x');

/** `value` when it has the matched variable's dtype and rank (a rewrite never changes a type), else null. */
const sameType = (value: Tensor, matched: Tensor): Tensor | null =>
  value.dtype === matched.dtype && value.ndim === matched.ndim ? value : null;

const L = T.linalg as unknown as {
  solve(a: Tensor, b: Tensor): Tensor;
  solveTriangular(a: Tensor, b: Tensor, o: { lower: boolean }): Tensor;
  slogdet(x: Tensor): [Tensor, Tensor];
  diagonal(x: Tensor): Tensor;
};

/** The matrices y yᵀ and yᵀ y (Gram products): their determinants are >= 0. */
function isGram(w: Variable): boolean {
  if (!isOp(w, 'dot') && !isOp(w, 'matmul')) return false;
  const [p, q] = w.owner!.inputs as [Variable, Variable];
  if (p.type.ndim < 2 || q.type.ndim < 2) return false;
  const transposeOf = (t: Variable, of: Variable) => {
    if (!isOp(t, 'dimshuffle') || t.owner!.inputs[0] !== of) return false;
    const order = paramsOf(t, 'dimshuffle').pattern as readonly (number | 'x')[];
    const n = of.type.ndim;
    return order.length === n && order.every((d, i) => d === (i < n - 2 ? i : i === n - 2 ? n - 1 : n - 2));
  };
  return transposeOf(q, p) || transposeOf(p, q);
}

/** A matrix whose determinant is known to be >= 0: a Cholesky factor (positive diagonal) or a Gram product. */
const nonNegativeDet = (w: Variable) => isOp(w, 'cholesky') || isGram(w);

const STABILIZE = [
  // inv(a) · b -> solve(a, b): one factorization instead of an inverse and a product, and more accurate
  rule('inv_dot_to_solve', anyOf(P.dot(P.matrix_inverse(a), b), P.matmul(P.matrix_inverse(a), b)), ({ a, b }, m) =>
    sameType(L.solve(a as Tensor, b as Tensor), m),
  ),
  // log(det(x)) -> log|det(x)| (slogdet) where det(x) >= 0 is known: no overflow of the determinant
  rule('log_det_to_slogdet', P.log(P.det(x)), ({ x }, m) =>
    nonNegativeDet(x!) ? sameType(L.slogdet(x as Tensor)[1], m) : null,
  ),
];

const SPECIALIZE = [
  // det(L) -> prod(diag(L)) for a Cholesky factor L (triangular)
  rule('det_of_triangular_factor', P.det(x), ({ x }, m) =>
    isOp(x!, 'cholesky') ? sameType(T.prod(L.diagonal(x as Tensor), -1 as never) as Tensor, m) : null,
  ),
  // diag(a · b)_i = sum_k a_ik b_ki -> sum(a * bᵀ, -1): n² work instead of n³ (trace(a · b) = sum(a * bᵀ))
  rule('diagonal_of_product', P.extract_diag(anyOf(P.dot(a, b), P.matmul(a, b))), ({ a, b }, m) => {
    if (paramsOf(m, 'extract_diag').offset !== 0 || a!.type.ndim < 2 || b!.type.ndim < 2) return null;
    const bt = T.dimshuffle(
      b as Tensor,
      [...Array.from({ length: b!.type.ndim - 2 }, (_, i) => i), b!.type.ndim - 1, b!.type.ndim - 2] as never,
    );
    return sameType(T.sum(T.mul(a as Tensor, bt as Tensor) as Tensor, -1 as never) as Tensor, m);
  }),
  // solve(L, b) for a Cholesky factor L -> one triangular solve instead of an LU factorization
  rule('solve_triangular_factor', P.solve(x, b), ({ x, b }, m) => {
    if (!isOp(x!, 'cholesky') || paramsOf(m, 'solve').assumeA !== 'gen') return null;
    return sameType(L.solveTriangular(x as Tensor, b as Tensor, { lower: paramsOf(x!, 'cholesky').lower }), m);
  }),
];

export const LINALG_RULES: PhaseRules = { stabilize: STABILIZE, specialize: SPECIALIZE };
