/**
 * Linear algebra beyond products (`T.linalg`): factorizations, solves, determinants, inverses and diagonals, the
 * union of Theano's `nlinalg` and `slinalg`. Every function works on the last two axes and loops over leading
 * batch axes (which broadcast between operands, as numpy's); results are float (float32 stays float32, anything
 * else float64, as numpy), and every op is differentiable.
 */
import { ALLOC_DIAG, EXTRACT_DIAG } from '../ops/linalg/diag.js';
import { CHOLESKY, DET, MATRIX_INVERSE, SLOGDET } from '../ops/linalg/factor.js';
import { SOLVE, SOLVE_TRIANGULAR } from '../ops/linalg/solve.js';
import type { DType } from '../types/dtype.js';
import type { Dec, Inc, MaxRank, Rank } from '../types/rank.js';
import { applyOp } from './apply.js';
import { sum, type SumDType } from './reduce.js';
import { Tensor } from './tensor.js';

/** Ranks of matrices and stacks of matrices. */
export type MatrixRank = Exclude<Rank, 0 | 1>;
/** Ranks of vectors and anything above (a `b` of a solve, the values of a diagonal). */
export type VectorRank = Exclude<Rank, 0>;
/** The dtype of a linear-algebra result: float32 stays float32, every other dtype computes in float64. */
export type LinalgFloat<D extends DType> = D extends 'float32' ? 'float32' : 'float64';
/** The same for two operands: float32 only when both are. */
export type LinalgFloat2<A extends DType, B extends DType> = A extends 'float32' ? LinalgFloat<B> : 'float64';
/** The rank of a solve's result: b a lone vector gives a stack of vectors (a's batch), otherwise the broadcast. */
export type SolveRank<RA extends Rank, RB extends Rank> = RB extends 1 ? Dec<RA> : MaxRank<RA, RB>;

const asTensor = (x: unknown, op: string, what: string): Tensor => {
  if (!(x instanceof Tensor)) throw new TypeError(`${op}: ${what} must be a tensor, got ${typeof x}`);
  return x;
};

// ---------------------------------------------------------------------------------------------------------------
// cholesky, solves

export interface CholeskyOptions {
  /** The lower factor L with A = L Lᵀ (default), else the upper U with A = Uᵀ U. Only that triangle of A is read. */
  lower?: boolean;
  /** A matrix that is not positive definite throws `LinAlgError` ('raise', numpy's behaviour) or gives NaNs. */
  onError?: 'raise' | 'nan';
}

/**
 * The Cholesky factor of a symmetric positive-definite matrix (or of each matrix of a stack).
 *
 * @example
 * const K = T.dmatrix('K');
 * const L = T.linalg.cholesky(K); // Tensor<"float64", 2>, K = L Lᵀ
 */
export function cholesky<D extends DType, R extends MatrixRank>(
  x: Tensor<D, R>,
  options: CholeskyOptions = {},
): Tensor<LinalgFloat<D>, R> {
  const { lower = true, onError = 'raise' } = options;
  if (onError !== 'raise' && onError !== 'nan')
    throw new RangeError(`cholesky: onError must be 'raise' or 'nan', got ${String(onError)}`);
  return applyOp(CHOLESKY, { lower, onError }, [asTensor(x, 'cholesky', 'x')])[0] as never;
}

export interface SolveTriangularOptions {
  /** a is lower triangular; default false (upper), as scipy. Only that triangle is read. */
  lower?: boolean;
  /** Solve aᵀ x = b: true, 1 or 'T' (false, 0 or 'N': a x = b, the default). */
  trans?: boolean | 0 | 1 | 'N' | 'T';
  /** Take a's diagonal as ones (it is not read). */
  unitDiagonal?: boolean;
}

/**
 * Solves `a x = b` (or `aᵀ x = b`) for a triangular `a`: b is a vector or a matrix of right-hand sides (a stack
 * of them, with batch axes).
 *
 * @example
 * const L = T.dmatrix('L');
 * const y = T.linalg.solveTriangular(L, T.dvector('b'), { lower: true }); // Tensor<"float64", 1>
 */
export function solveTriangular<DA extends DType, RA extends MatrixRank, DB extends DType, RB extends VectorRank>(
  a: Tensor<DA, RA>,
  b: Tensor<DB, RB>,
  options: SolveTriangularOptions = {},
): Tensor<LinalgFloat2<DA, DB>, SolveRank<RA, RB>> {
  const { lower = false, trans = false, unitDiagonal = false } = options;
  const transposed = trans === true || trans === 1 || trans === 'T';
  if (!transposed && trans !== false && trans !== 0 && trans !== 'N')
    throw new RangeError(`solveTriangular: trans must be a boolean, 0, 1, 'N' or 'T', got ${String(trans)}`);
  const inputs = [asTensor(a, 'solveTriangular', 'a'), asTensor(b, 'solveTriangular', 'b')];
  return applyOp(SOLVE_TRIANGULAR, { lower, trans: transposed, unitDiagonal }, inputs)[0] as never;
}

export interface SolveOptions {
  /** What a is: 'gen' any square matrix (LU with partial pivoting), 'sym' symmetric, 'pos' positive definite. */
  assumeA?: 'gen' | 'sym' | 'pos';
  /** For 'sym' and 'pos': read a's lower triangle (default false: the upper one, as scipy). */
  lower?: boolean;
}

/**
 * Solves `a x = b` for square `a`: b is a vector or a matrix of right-hand sides (numpy 2: a 1-D b is a vector,
 * anything else a stack of matrices). A singular `a` throws `LinAlgError`.
 *
 * @example
 * const A = T.dmatrix('A');
 * const x = T.linalg.solve(A, T.dvector('b')); // Tensor<"float64", 1>
 */
export function solve<DA extends DType, RA extends MatrixRank, DB extends DType, RB extends VectorRank>(
  a: Tensor<DA, RA>,
  b: Tensor<DB, RB>,
  options: SolveOptions = {},
): Tensor<LinalgFloat2<DA, DB>, SolveRank<RA, RB>> {
  const { assumeA = 'gen', lower = false } = options;
  if (!['gen', 'sym', 'pos'].includes(assumeA))
    throw new RangeError(`solve: assumeA must be 'gen', 'sym' or 'pos', got ${String(assumeA)}`);
  return applyOp(SOLVE, { assumeA, lower }, [asTensor(a, 'solve', 'a'), asTensor(b, 'solve', 'b')])[0] as never;
}

/**
 * Solves `a x = b` from the Cholesky factor `c` of a (scipy's `cho_solve((c, lower), b)`): two triangular solves.
 *
 * @example
 * const L = T.linalg.cholesky(T.dmatrix('K'));
 * const alpha = T.linalg.choSolve([L, true], T.dvector('y')); // K⁻¹ y
 */
export function choSolve<DA extends DType, RA extends MatrixRank, DB extends DType, RB extends VectorRank>(
  factor: readonly [Tensor<DA, RA>, boolean],
  b: Tensor<DB, RB>,
): Tensor<LinalgFloat2<DA, DB>, SolveRank<RA, RB>> {
  const [c, lower] = factor;
  const a = c as Tensor<DType, MatrixRank>;
  const inner = solveTriangular(a, b as Tensor<DType, VectorRank>, { lower, trans: !lower }) as Tensor<
    DType,
    VectorRank
  >;
  return solveTriangular(a, inner, { lower, trans: lower }) as never;
}

// ---------------------------------------------------------------------------------------------------------------
// det, slogdet, inverse

/**
 * The determinant of a square matrix (a stack: one per matrix), by LU with partial pivoting; 0 for a singular one.
 *
 * @example
 * T.linalg.det(T.dmatrix('A')); // Tensor<"float64", 0>
 */
export function det<D extends DType, R extends MatrixRank>(x: Tensor<D, R>): Tensor<LinalgFloat<D>, Dec<Dec<R>>> {
  return applyOp(DET, undefined, [asTensor(x, 'det', 'x')])[0] as never;
}

/**
 * The sign and the log of the absolute value of the determinant (numpy's `slogdet`): `det = sign * exp(logabsdet)`
 * without overflow. A singular matrix gives (0, -Infinity).
 *
 * @example
 * const [sign, logabsdet] = T.linalg.slogdet(T.dmatrix('A'));
 */
export function slogdet<D extends DType, R extends MatrixRank>(
  x: Tensor<D, R>,
): [sign: Tensor<LinalgFloat<D>, Dec<Dec<R>>>, logabsdet: Tensor<LinalgFloat<D>, Dec<Dec<R>>>] {
  return applyOp(SLOGDET, undefined, [asTensor(x, 'slogdet', 'x')]) as never;
}

/**
 * The inverse of a square matrix (of each matrix of a stack). A singular matrix throws `LinAlgError`. To solve a
 * system, `solve` is faster and more accurate than multiplying by the inverse (the optimizer rewrites
 * `dot(matrixInverse(a), b)` into `solve(a, b)`).
 *
 * @example
 * T.linalg.matrixInverse(T.dmatrix('A')); // Tensor<"float64", 2>
 */
export function matrixInverse<D extends DType, R extends MatrixRank>(x: Tensor<D, R>): Tensor<LinalgFloat<D>, R> {
  return applyOp(MATRIX_INVERSE, undefined, [asTensor(x, 'matrixInverse', 'x')])[0] as never;
}

// ---------------------------------------------------------------------------------------------------------------
// diagonals and trace

/**
 * Diagonal `offset` of each matrix (the last two axes; numpy's `linalg.diagonal`, Theano's `extract_diag`).
 *
 * @example
 * T.linalg.diagonal(T.dmatrix('A')); // Tensor<"float64", 1>
 */
export function diagonal<D extends DType, R extends MatrixRank>(x: Tensor<D, R>, offset = 0): Tensor<D, Dec<R>> {
  return applyOp(EXTRACT_DIAG, { offset }, [asTensor(x, 'diagonal', 'x')])[0] as never;
}

export interface AllocDiagOptions {
  /** The diagonal to fill: 0 the main one, > 0 above, < 0 below. */
  offset?: number;
  /** Give the result this tensor's shape (its matrices need not be square) instead of square matrices. */
  like?: Tensor;
}

/**
 * Matrices with `v` (a vector, or a stack of them) on diagonal `offset` and zeros elsewhere (numpy's `diag` of a
 * vector, Theano's `alloc_diag`).
 *
 * @example
 * T.linalg.allocDiag(T.dvector('v')); // Tensor<"float64", 2>
 */
export function allocDiag<D extends DType, R extends VectorRank>(
  v: Tensor<D, R>,
  options: AllocDiagOptions = {},
): Tensor<D, Inc<R>> {
  const { offset = 0, like } = options;
  const inputs = like
    ? [asTensor(v, 'allocDiag', 'v'), asTensor(like, 'allocDiag', 'like')]
    : [asTensor(v, 'allocDiag', 'v')];
  return applyOp(ALLOC_DIAG, { offset, shaped: like !== undefined }, inputs)[0] as never;
}

/**
 * numpy's `diag`: of a vector, the square matrix with it on diagonal k; of a matrix, its diagonal k.
 *
 * @example
 * T.diag(T.dvector('v')); // Tensor<"float64", 2>
 * T.diag(T.dmatrix('A')); // Tensor<"float64", 1>
 */
export function diag<D extends DType>(x: Tensor<D, 1>, k?: number): Tensor<D, 2>;
export function diag<D extends DType>(x: Tensor<D, 2>, k?: number): Tensor<D, 1>;
export function diag(x: Tensor, k = 0): Tensor {
  const t = asTensor(x, 'diag', 'x');
  if (t.ndim === 1) return allocDiag(t as Tensor<DType, 1>, { offset: k });
  if (t.ndim === 2) return diagonal(t as Tensor<DType, 2>, k);
  throw new TypeError(`diag: takes a vector or a matrix, got ${t.type} (use T.linalg.diagonal for stacks)`);
}

/**
 * The sum of diagonal `offset` of each matrix (the last two axes, as numpy's `linalg.trace`); its dtype is `sum`'s.
 *
 * @example
 * T.linalg.trace(T.dmatrix('A')); // Tensor<"float64", 0>
 */
export function trace<D extends DType, R extends MatrixRank>(
  x: Tensor<D, R>,
  offset = 0,
): Tensor<SumDType<D>, Dec<Dec<R>>> {
  const d = diagonal(x as Tensor<D, MatrixRank>, offset) as Tensor;
  return sum(d, -1 as never) as never;
}

// Theano's and scipy's snake_case names
export {
  matrixInverse as inv,
  matrixInverse as matrix_inverse,
  diagonal as extract_diag,
  allocDiag as alloc_diag,
  solveTriangular as solve_triangular,
  choSolve as cho_solve,
};
