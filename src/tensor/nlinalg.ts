/**
 * Linear algebra beyond products (`T.linalg`): factorizations, solves, determinants, inverses and diagonals, the
 * union of Theano's `nlinalg` and `slinalg`. Every function works on the last two axes and loops over leading
 * batch axes (which broadcast between operands, as numpy's); results are float (float32 stays float32, anything
 * else float64, as numpy), and every op is differentiable.
 */
import { checkOptionKeys } from '../types/suggest.js';
import { ALLOC_DIAG, EXTRACT_DIAG } from '../ops/linalg/diag.js';
import { CHOLESKY, DET, MATRIX_INVERSE, SLOGDET } from '../ops/linalg/factor.js';
import { SOLVE, SOLVE_TRIANGULAR } from '../ops/linalg/solve.js';
import type { DType } from '../types/dtype.js';
import type { Dec, Inc, MaxRank, Rank } from '../types/rank.js';
import { applyOp } from './apply.js';
import { EIGH, SVD } from '../ops/linalg/decompositions.js';
import { LSTSQ, PINV } from '../ops/linalg/least-squares.js';
import { LU, QR } from '../ops/linalg/qr-lu.js';
import type { Upcast } from '../types/dtype.js';
import { abs, cast, dimshuffle, mul, neq, pow, sqr, sqrt } from './elemwise.js';
import { matmul } from './linalg.js';
import { max, min, sum, type SumDType } from './reduce.js';
import { onesLike, reshape, shape } from './shape.js';
import { Tensor } from './tensor.js';
import { describeValue } from '../runtime/convert.js';

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
  checkOptionKeys('cholesky', options, ['lower', 'onError']);
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
  checkOptionKeys('solveTriangular', options, ['lower', 'trans', 'unitDiagonal']);
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
  checkOptionKeys('solve', options, ['assumeA', 'lower']);
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
  if (!Array.isArray(factor) || factor.length !== 2 || !(factor[0] instanceof Tensor) || typeof factor[1] !== 'boolean')
    throw new TypeError(
      `choSolve: the first argument must be [factor, lower] (the Cholesky factor and whether it is lower, as scipy's cho_factor returns), got ${describeValue(factor)}`,
    );
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
  checkOptionKeys('allocDiag', options, ['offset', 'like']);
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

// ---------------------------------------------------------------------------------------------------------------
// decompositions

/**
 * The eigenvalues (ascending) and orthonormal eigenvectors (the columns of the second result) of a symmetric
 * matrix, read from its lower triangle (`UPLO: 'L'`, the default) or its upper one. The gradient assumes distinct
 * eigenvalues (as every implementation's: it divides by their differences).
 *
 * @example
 * const [w, v] = T.linalg.eigh(T.dmatrix('S')); // Tensor<"float64", 1>, Tensor<"float64", 2>
 */
export function eigh<D extends DType, R extends MatrixRank>(
  x: Tensor<D, R>,
  options: { UPLO?: 'L' | 'U' } = {},
): [values: Tensor<LinalgFloat<D>, Dec<R>>, vectors: Tensor<LinalgFloat<D>, R>] {
  const { UPLO = 'L' } = options;
  if (UPLO !== 'L' && UPLO !== 'U') throw new RangeError(`eigh: UPLO must be 'L' or 'U', got ${String(UPLO)}`);
  return applyOp(EIGH, { lower: UPLO === 'L', vectors: true }, [asTensor(x, 'eigh', 'x')]) as never;
}

/** The eigenvalues (ascending) of a symmetric matrix, without the eigenvectors (see `eigh`). */
export function eigvalsh<D extends DType, R extends MatrixRank>(
  x: Tensor<D, R>,
  options: { UPLO?: 'L' | 'U' } = {},
): Tensor<LinalgFloat<D>, Dec<R>> {
  const { UPLO = 'L' } = options;
  if (UPLO !== 'L' && UPLO !== 'U') throw new RangeError(`eigvalsh: UPLO must be 'L' or 'U', got ${String(UPLO)}`);
  return applyOp(EIGH, { lower: UPLO === 'L', vectors: false }, [asTensor(x, 'eigvalsh', 'x')])[0] as never;
}

export interface SvdOptions {
  /** U is m x m and Vᵀ n x n (default true, as numpy), else m x k and k x n with k = min(m, n). */
  fullMatrices?: boolean;
  /** Return [U, s, Vᵀ] (default) or only the singular values s. */
  computeUv?: boolean;
}

/**
 * The singular value decomposition A = U diag(s) Vᵀ (s descending), by Golub–Kahan bidiagonalization and
 * implicit-shift QR. Differentiable through s, and through U and Vᵀ for distinct non-zero singular values with
 * `fullMatrices: false` (or square matrices: the extra columns of full factors are arbitrary).
 *
 * @example
 * const [u, s, vt] = T.linalg.svd(T.dmatrix('A'));
 * const values = T.linalg.svd(T.dmatrix('B'), { computeUv: false }); // Tensor<"float64", 1>
 */
export function svd<D extends DType, R extends MatrixRank>(
  x: Tensor<D, R>,
  options: SvdOptions & { computeUv: false },
): Tensor<LinalgFloat<D>, Dec<R>>;
export function svd<D extends DType, R extends MatrixRank>(
  x: Tensor<D, R>,
  options?: SvdOptions & { computeUv?: true },
): [u: Tensor<LinalgFloat<D>, R>, s: Tensor<LinalgFloat<D>, Dec<R>>, vt: Tensor<LinalgFloat<D>, R>];
export function svd(x: Tensor, options: SvdOptions = {}): Tensor | Tensor[] {
  checkOptionKeys('svd', options, ['fullMatrices', 'computeUv']);
  const { fullMatrices = true, computeUv = true } = options;
  const outs = applyOp(SVD, { fullMatrices, computeUv }, [asTensor(x, 'svd', 'x')]);
  return computeUv ? outs : outs[0]!;
}

export interface QrOptions {
  /** 'reduced' (default): Q m x k, R k x n; 'complete': Q m x m, R m x n; 'r': R alone (k x n); k = min(m, n). */
  mode?: 'reduced' | 'complete' | 'r';
}

/**
 * The QR factorization A = Q R (numpy's `linalg.qr`) by Householder reflections: Q with orthonormal columns, R upper
 * triangular. The signs are numpy's (LAPACK's): R's diagonal may be negative. Differentiable for square and tall
 * matrices (mode 'reduced' or 'r'; 'complete' when square).
 *
 * @example
 * const [q, r] = T.linalg.qr(T.dmatrix('A')); // Tensor<"float64", 2>, Tensor<"float64", 2>
 * const rOnly = T.linalg.qr(T.dmatrix('B'), { mode: 'r' }); // Tensor<"float64", 2>
 */
export function qr<D extends DType, R extends MatrixRank>(
  x: Tensor<D, R>,
  options: { mode: 'r' },
): Tensor<LinalgFloat<D>, R>;
export function qr<D extends DType, R extends MatrixRank>(
  x: Tensor<D, R>,
  options?: { mode?: 'reduced' | 'complete' },
): [q: Tensor<LinalgFloat<D>, R>, r: Tensor<LinalgFloat<D>, R>];
export function qr(x: Tensor, options: QrOptions = {}): Tensor | Tensor[] {
  checkOptionKeys('qr', options, ['mode']);
  const { mode = 'reduced' } = options;
  if (!['reduced', 'complete', 'r'].includes(mode))
    throw new RangeError(`qr: mode must be 'reduced', 'complete' or 'r', got ${String(mode)}`);
  const outs = applyOp(QR, { mode }, [asTensor(x, 'qr', 'x')]);
  return mode === 'r' ? outs[0]! : outs;
}

export interface LuOptions {
  /** Return [P L, U] (two factors) instead of [P, L, U]. */
  permuteL?: boolean;
  /** Return P as int32 row indices p with A = L[p] U (scipy's p_indices) instead of a permutation matrix. */
  pIndices?: boolean;
}

/**
 * The LU factorization with partial pivoting A = P L U of any m x n matrix (scipy's `linalg.lu`): P a permutation
 * matrix (m x m), L unit lower triangular (m x k), U upper triangular (k x n), k = min(m, n). A singular matrix
 * factors too (U gets a zero on its diagonal). Differentiable for square matrices (L and U; P is constant).
 *
 * @example
 * const [p, l, u] = T.linalg.lu(T.dmatrix('A'));
 * const [pl, u2] = T.linalg.lu(T.dmatrix('B'), { permuteL: true });
 */
export function lu<D extends DType, R extends MatrixRank>(
  x: Tensor<D, R>,
  options: LuOptions & { permuteL: true },
): [pl: Tensor<LinalgFloat<D>, R>, u: Tensor<LinalgFloat<D>, R>];
export function lu<D extends DType, R extends MatrixRank>(
  x: Tensor<D, R>,
  options: LuOptions & { permuteL?: false; pIndices: true },
): [p: Tensor<'int32', Dec<R>>, l: Tensor<LinalgFloat<D>, R>, u: Tensor<LinalgFloat<D>, R>];
export function lu<D extends DType, R extends MatrixRank>(
  x: Tensor<D, R>,
  options?: LuOptions & { permuteL?: false; pIndices?: false },
): [p: Tensor<LinalgFloat<D>, R>, l: Tensor<LinalgFloat<D>, R>, u: Tensor<LinalgFloat<D>, R>];
export function lu(x: Tensor, options: LuOptions = {}): Tensor[] {
  checkOptionKeys('lu', options, ['permuteL', 'pIndices']);
  const { permuteL = false, pIndices = false } = options;
  return applyOp(LU, { permuteL, pIndices: pIndices && !permuteL }, [asTensor(x, 'lu', 'x')]);
}

export interface PinvOptions {
  /** Singular values at or below rcond times the largest count as zero (default 1e-15, numpy's). */
  rcond?: number;
  /** The same as rcond (the array API's name); null: max(m, n) · eps. Give rcond or rtol, not both. */
  rtol?: number | null;
  /** The matrix is symmetric: read its lower triangle and use eigh instead of svd. */
  hermitian?: boolean;
}

/**
 * The Moore–Penrose pseudo-inverse (numpy's `linalg.pinv`) by SVD: V diag(1/s) Uᵀ over the singular values above
 * the cutoff. Differentiable where the rank is constant (the closed form of Golub & Pereyra).
 *
 * @example
 * T.linalg.pinv(T.dmatrix('A')); // Tensor<"float64", 2>, n x m
 */
export function pinv<D extends DType, R extends MatrixRank>(
  x: Tensor<D, R>,
  options: PinvOptions = {},
): Tensor<LinalgFloat<D>, R> {
  checkOptionKeys('pinv', options, ['rcond', 'rtol', 'hermitian']);
  const { rcond, rtol, hermitian = false } = options;
  if (rcond !== undefined && rtol !== undefined) throw new TypeError('pinv: give rcond or rtol, not both');
  const cutoff = rcond !== undefined ? rcond : rtol !== undefined ? rtol : 1e-15;
  if (cutoff !== null && !(cutoff >= 0)) throw new RangeError(`pinv: the cutoff must be >= 0, got ${cutoff}`);
  return applyOp(PINV, { rtol: cutoff, hermitian }, [asTensor(x, 'pinv', 'x')])[0] as never;
}

/**
 * The least-squares solution of `a x = b` (numpy's `linalg.lstsq`): `[x, residuals, rank, s]`, where residuals
 * holds the squared residual norm of each column of b when a has full column rank and more rows than columns (shape
 * (k,), (1,) for a vector b) and is empty otherwise, rank is an int32 scalar and s the singular values of a.
 * Singular values at or below rcond times the largest count as zero (default max(m, n) · eps, numpy 2's).
 * Differentiable through x (at constant rank) and s.
 *
 * @example
 * const [x, residuals, rank, s] = T.linalg.lstsq(T.dmatrix('A'), T.dvector('b')); // x: Tensor<"float64", 1>
 */
export function lstsq<DA extends DType, DB extends DType, RB extends 1 | 2>(
  a: Tensor<DA, 2>,
  b: Tensor<DB, RB>,
  options: { rcond?: number | null } = {},
): [
  x: Tensor<LinalgFloat2<DA, DB>, RB>,
  residuals: Tensor<LinalgFloat2<DA, DB>, 1>,
  rank: Tensor<'int32', 0>,
  s: Tensor<LinalgFloat2<DA, DB>, 1>,
] {
  const { rcond = null } = options;
  if (rcond !== null && !(rcond >= 0)) throw new RangeError(`lstsq: rcond must be >= 0 or null, got ${rcond}`);
  return applyOp(LSTSQ, { rcond }, [asTensor(a, 'lstsq', 'a'), asTensor(b, 'lstsq', 'b')]) as never;
}

// ---------------------------------------------------------------------------------------------------------------
// norms, powers, Kronecker products (graphs of other ops: their gradients come from those)

/** A norm's order: a number (Infinity and -Infinity included), or 'fro' / 'nuc' for matrices. */
export type NormOrd = number | 'fro' | 'nuc';

/**
 * numpy's `linalg.norm`. Of a vector: ord 2 (default), 1, Infinity, -Infinity, 0 (the count of non-zeros) or any
 * p (`sum(|x|^p)^(1/p)`). Of a matrix (the last two axes, batched): 'fro' (default), 'nuc' (the sum of singular
 * values), 1 / -1 (max / min column sum of |x|), Infinity / -Infinity (max / min row sum), 2 / -2 (largest /
 * smallest singular value).
 *
 * @example
 * T.linalg.norm(T.dvector('v')); //       Tensor<"float64", 0>
 * T.linalg.norm(T.dmatrix('A'), 'nuc'); // Tensor<"float64", 0>
 */
export function norm<D extends DType, R extends VectorRank>(
  x: Tensor<D, R>,
  ord?: NormOrd,
): Tensor<LinalgFloat<D>, R extends 1 ? 0 : Dec<Dec<R>>> {
  const t0 = asTensor(x, 'norm', 'x');
  const t = (t0.dtype === 'float32' || t0.dtype === 'float64' ? t0 : cast(t0, 'float64')) as Tensor;
  return (t.ndim === 1 ? vectorNorm(t, ord ?? 2) : matrixNorm(t, ord ?? 'fro')) as never;
}

function vectorNorm(x: Tensor, ord: NormOrd): Tensor {
  const a = abs(x) as Tensor;
  if (ord === Infinity) return max(a) as Tensor;
  if (ord === -Infinity) return min(a) as Tensor;
  if (ord === 0) return sum(cast(neq(x, 0), x.dtype)) as Tensor;
  if (ord === 1) return sum(a) as Tensor;
  if (ord === 2) return sqrt(sum(sqr(x))) as Tensor;
  if (typeof ord !== 'number' || Number.isNaN(ord))
    throw new RangeError(`norm: invalid order ${String(ord)} for a vector`);
  return pow(sum(pow(a, ord)), 1 / ord) as Tensor;
}

function matrixNorm(x: Tensor, ord: NormOrd): Tensor {
  const rows = x.ndim - 2;
  const cols = x.ndim - 1;
  const a = abs(x) as Tensor;
  const both = [rows, cols] as never;
  switch (ord) {
    case 'fro':
      return sqrt(sum(sqr(x), both)) as Tensor;
    case 'nuc':
      return sum(svd(x as Tensor<DType, MatrixRank>, { computeUv: false }) as Tensor, -1 as never) as Tensor;
    case 1:
      return max(sum(a, rows as never), -1 as never) as Tensor;
    case -1:
      return min(sum(a, rows as never), -1 as never) as Tensor;
    case Infinity:
      return max(sum(a, cols as never), -1 as never) as Tensor;
    case -Infinity:
      return min(sum(a, cols as never), -1 as never) as Tensor;
    case 2:
      return max(svd(x as Tensor<DType, MatrixRank>, { computeUv: false }) as Tensor, -1 as never) as Tensor;
    case -2:
      return min(svd(x as Tensor<DType, MatrixRank>, { computeUv: false }) as Tensor, -1 as never) as Tensor;
    default:
      throw new RangeError(
        `norm: invalid order ${String(ord)} for a matrix (use 'fro', 'nuc', 1, -1, 2, -2, Infinity or -Infinity)`,
      );
  }
}

/**
 * The integer power `n` of square matrices by repeated squaring (numpy's `matrix_power`); n = 0 gives the identity,
 * a negative n a power of the inverse.
 *
 * @example
 * T.linalg.matrixPower(T.dmatrix('A'), 3); // A @ A @ A
 */
export function matrixPower<D extends DType, R extends MatrixRank>(
  x: Tensor<D, R>,
  n: number,
): Tensor<LinalgFloat<D>, R> {
  if (!Number.isInteger(n)) throw new RangeError(`matrixPower: the exponent must be an integer, got ${n}`);
  let base = asTensor(x, 'matrixPower', 'x');
  if (base.ndim < 2)
    throw new TypeError(`matrixPower: needs a matrix or a stack of matrices (rank >= 2), got ${base.type}`);
  base =
    n < 0
      ? (matrixInverse(base as Tensor<DType, MatrixRank>) as Tensor)
      : (cast(base, linalgFloat(base.dtype)) as Tensor);
  if (n === 0)
    return allocDiag(onesLike(diagonal(base as Tensor<DType, MatrixRank>)) as Tensor<DType, VectorRank>, {
      like: base,
    }) as never;
  let result: Tensor | null = null;
  for (let k = Math.abs(n); k > 0; k >>= 1) {
    if (k & 1) result = result ? (matmul(result as never, base as never) as Tensor) : base;
    if (k > 1) base = matmul(base as never, base as never) as Tensor;
  }
  return result as never;
}

const linalgFloat = (d: DType): 'float32' | 'float64' => (d === 'float32' ? 'float32' : 'float64');

/**
 * The Kronecker product of two tensors of the same rank (numpy's `kron`): block (i, j) of `kron(a, b)` is
 * `a[i, j] * b`.
 *
 * @example
 * T.linalg.kron(T.dmatrix('a'), T.dmatrix('b')); // Tensor<"float64", 2>
 */
export function kron<DA extends DType, DB extends DType, R extends VectorRank>(
  a: Tensor<DA, R>,
  b: Tensor<DB, NoInfer<R>>,
): Tensor<Upcast<DA, DB>, R> {
  const x = asTensor(a, 'kron', 'a');
  const y = asTensor(b, 'kron', 'b');
  if (x.ndim !== y.ndim) throw new TypeError(`kron: takes two tensors of the same rank, got ${x.type} and ${y.type}`);
  const axes = Array.from({ length: x.ndim }, (_, d) => d);
  const product = mul(
    dimshuffle(x, axes.flatMap((d) => [d, 'x'] as const) as never),
    dimshuffle(y, axes.flatMap((d) => ['x', d] as const) as never),
  ) as Tensor;
  return reshape(product, axes.map((d) => mul(shape(x, d as never), shape(y, d as never)) as Tensor) as never) as never;
}

// Theano's and scipy's snake_case names
export {
  matrixInverse as inv,
  matrixInverse as matrix_inverse,
  diagonal as extract_diag,
  allocDiag as alloc_diag,
  solveTriangular as solve_triangular,
  choSolve as cho_solve,
  matrixPower as matrix_power,
};
