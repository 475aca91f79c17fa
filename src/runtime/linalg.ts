/**
 * Dense linear-algebra kernels (not generated code) on one contiguous, row-major float64 matrix at a time: the
 * ops of `src/ops/linalg/` copy each matrix of a batch into a float64 work buffer, call these, and store the
 * result in the output dtype. Every loop runs along rows (contiguous memory): the Cholesky factor row by row
 * (Cholesky–Banachiewicz), LU by right-looking row updates, triangular solves on whole rows of the right-hand side.
 */

/** A matrix that a factorization or solve cannot handle (numpy's `LinAlgError`). */
export class LinAlgError extends Error {
  override name = 'LinAlgError';
}

/**
 * The lower Cholesky factor of the n x n matrix `a`, in place: L with L Lᵀ = A, read from A's lower triangle only
 * (the upper one is not read, then zeroed). Returns -1, or the first row whose pivot is not positive (A is not
 * positive definite; the factor is then left incomplete).
 */
export function choleskyLower(a: Float64Array, n: number): number {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      if (i === j) {
        if (!(s > 0)) return i; // also NaN
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / a[rj + j]!;
      }
    }
    for (let j = i + 1; j < n; j++) a[ri + j] = 0;
  }
  return -1;
}

/** `a` transposed in place (n x n). */
export function transposeSquare(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const t = a[i * n + j]!;
      a[i * n + j] = a[j * n + i]!;
      a[j * n + i] = t;
    }
  }
}

/** An LU factorization with partial pivoting: P A = L U, L unit lower and U upper, both stored in `a`. */
export interface LuResult {
  /** Row `k` was swapped with row `pivots[k]` (k <= pivots[k]) at step k (LAPACK's ipiv, from 0). */
  readonly pivots: Int32Array;
  /** The sign of the permutation: +1 or -1. */
  readonly sign: number;
  /** Whether some pivot is exactly zero (A is singular; the factorization is still complete). */
  readonly singular: boolean;
}

/** P A = L U in place (n x n, row-major): at each step the row with the largest |pivot| comes up. */
export function luFactor(a: Float64Array, n: number): LuResult {
  const pivots = new Int32Array(n);
  let sign = 1;
  let singular = false;
  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(a[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(a[i * n + k]!);
      if (v > best) [best, p] = [v, i];
    }
    pivots[k] = p;
    if (p !== k) {
      swapRows(a, n, k, p);
      sign = -sign;
    }
    const pivot = a[k * n + k]!;
    if (pivot === 0) {
      singular = true;
      continue;
    }
    const rk = k * n;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const l = a[ri + k]! / pivot;
      a[ri + k] = l;
      if (l === 0) continue;
      for (let j = k + 1; j < n; j++) a[ri + j] = a[ri + j]! - l * a[rk + j]!;
    }
  }
  return { pivots, sign, singular };
}

function swapRows(a: Float64Array, cols: number, r: number, s: number): void {
  const rr = r * cols;
  const rs = s * cols;
  for (let j = 0; j < cols; j++) {
    const t = a[rr + j]!;
    a[rr + j] = a[rs + j]!;
    a[rs + j] = t;
  }
}

/** Applies an LU's row swaps, in order, to the n x k right-hand side `b`. */
export function permuteRows(b: Float64Array, k: number, pivots: Int32Array): void {
  for (let i = 0; i < pivots.length; i++) if (pivots[i] !== i) swapRows(b, k, i, pivots[i]!);
}

export interface TriangularOptions {
  /** A is lower triangular (else upper); only that triangle is read. */
  readonly lower: boolean;
  /** Solve Aᵀ x = b instead of A x = b. */
  readonly trans: boolean;
  /** The diagonal of A is taken as ones (and not read). */
  readonly unitDiagonal: boolean;
}

/**
 * Solves A X = B (or Aᵀ X = B) in place in `b` (n x k) for a triangular n x n A. A zero on the diagonal throws
 * `LinAlgError` naming its row (scipy's "singular matrix").
 */
export function solveTriangularInPlace(
  a: Float64Array,
  n: number,
  b: Float64Array,
  k: number,
  { lower, trans, unitDiagonal }: TriangularOptions,
): void {
  if (!unitDiagonal) {
    for (let i = 0; i < n; i++) {
      if (a[i * n + i] === 0) throw new LinAlgError(`singular matrix: a zero on the diagonal in row ${i}`);
    }
  }
  // A lower solved forward; Aᵀ (upper when A is lower) backward, column by column of A (a row of A's storage)
  const forward = lower !== trans;
  if (!trans) {
    for (let s = 0; s < n; s++) {
      const i = forward ? s : n - 1 - s;
      const ri = i * n;
      const from = forward ? 0 : i + 1;
      const to = forward ? i : n;
      const bi = i * k;
      for (let j = from; j < to; j++) {
        const aij = a[ri + j]!;
        if (aij === 0) continue;
        const bj = j * k;
        for (let c = 0; c < k; c++) b[bi + c] = b[bi + c]! - aij * b[bj + c]!;
      }
      if (!unitDiagonal) scaleRow(b, bi, k, 1 / a[ri + i]!);
    }
    return;
  }
  for (let s = 0; s < n; s++) {
    const j = forward ? s : n - 1 - s;
    const rj = j * n;
    const bj = j * k;
    if (!unitDiagonal) scaleRow(b, bj, k, 1 / a[rj + j]!);
    const from = forward ? j + 1 : 0;
    const to = forward ? n : j;
    for (let i = from; i < to; i++) {
      const aji = a[rj + i]!;
      if (aji === 0) continue;
      const bi = i * k;
      for (let c = 0; c < k; c++) b[bi + c] = b[bi + c]! - aji * b[bj + c]!;
    }
  }
}

function scaleRow(b: Float64Array, start: number, k: number, f: number): void {
  for (let c = 0; c < k; c++) b[start + c] = b[start + c]! * f;
}

/** Solves A X = B in place in `b` (n x k) from A's LU factorization (`lu` as `luFactor` left it). */
export function luSolveInPlace(lu: Float64Array, n: number, pivots: Int32Array, b: Float64Array, k: number): void {
  permuteRows(b, k, pivots);
  solveTriangularInPlace(lu, n, b, k, { lower: true, trans: false, unitDiagonal: true });
  solveTriangularInPlace(lu, n, b, k, { lower: false, trans: false, unitDiagonal: false });
}

/** The n x n identity, as a new array. */
export function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}
