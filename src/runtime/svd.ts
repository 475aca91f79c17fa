/**
 * The singular value decomposition by Golub–Kahan: Householder bidiagonalization B = Uᵀ A V, then implicit-shift
 * QR steps on the bidiagonal (Golub & Van Loan, Algorithms 5.4.2 and 8.6.1-8.6.2), with the zero-diagonal
 * deflations of LINPACK's dsvdc. Works on a tall matrix (a wide one is transposed); the singular vectors are kept
 * as rows (the rows of Uᵀ and Vᵀ), so every reflection and rotation updates contiguous memory.
 */
import { makeReflector, reflectLeft } from './factorizations.js';
import { LinAlgError } from './linalg.js';

const EPS = 2 ** -52;
const TINY = 2 ** -966;

/** A tall m x n matrix reduced to upper-bidiagonal form in place: the diagonal, the superdiagonal, and the reflectors. */
interface Bidiagonal {
  readonly d: Float64Array;
  readonly e: Float64Array;
  readonly tauLeft: Float64Array;
  readonly tauRight: Float64Array;
}

/** Householder bidiagonalization of the tall m x n `a` (m >= n): the reflectors stay in `a` (LAPACK's dgebrd). */
function bidiagonalize(a: Float64Array, m: number, n: number): Bidiagonal {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const tauLeft = new Float64Array(n);
  const tauRight = new Float64Array(n);
  const v = new Float64Array(m);
  const u = new Float64Array(n);
  const w = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // the left reflector zeroes column k below the diagonal
    tauLeft[k] = makeReflector(a, k * n + k, n, m - k);
    d[k] = a[k * n + k]!;
    v[k] = 1;
    for (let i = k + 1; i < m; i++) v[i] = a[i * n + k]!;
    reflectLeft(a, m, n, k, k + 1, v, tauLeft[k]!, w);
    if (k >= n - 1) continue;
    // the right reflector zeroes row k beyond the superdiagonal
    tauRight[k] = makeReflector(a, k * n + k + 1, 1, n - k - 1);
    e[k] = a[k * n + k + 1]!;
    u[k + 1] = 1;
    for (let j = k + 2; j < n; j++) u[j] = a[k * n + j]!;
    reflectRight(a, m, n, k + 1, u, tauRight[k]!);
  }
  return { d, e, tauLeft, tauRight };
}

/** Rows `from`.. of the row-major m x n `a`, columns `from`.., times H = I - tau u uᵀ (u over columns `from`..). */
function reflectRight(a: Float64Array, m: number, n: number, from: number, u: Float64Array, tau: number): void {
  if (tau === 0) return;
  for (let i = from; i < m; i++) {
    const ri = i * n;
    let s = 0;
    for (let j = from; j < n; j++) s += a[ri + j]! * u[j]!;
    s *= tau;
    if (s === 0) continue;
    for (let j = from; j < n; j++) a[ri + j] = a[ri + j]! - s * u[j]!;
  }
}

/** Uᵀ (n x m): the transposed first n columns of H_0 ... H_{n-1}, from the left reflectors stored in `a`. */
function leftVectors(a: Float64Array, m: number, n: number, taus: Float64Array): Float64Array {
  const q = new Float64Array(m * n);
  for (let i = 0; i < n; i++) q[i * n + i] = 1;
  const v = new Float64Array(m);
  const w = new Float64Array(n);
  for (let k = n - 1; k >= 0; k--) {
    v[k] = 1;
    for (let i = k + 1; i < m; i++) v[i] = a[i * n + k]!;
    reflectLeft(q, m, n, k, k, v, taus[k]!, w);
  }
  return transpose(q, m, n);
}

/** Vᵀ (n x n): the transposed product G_0 ... G_{n-3} of the right reflectors stored in `a`. */
function rightVectors(a: Float64Array, n: number, taus: Float64Array): Float64Array {
  const p = new Float64Array(n * n);
  for (let i = 0; i < n; i++) p[i * n + i] = 1;
  const v = new Float64Array(n);
  const w = new Float64Array(n);
  for (let k = n - 2; k >= 0; k--) {
    v[k + 1] = 1;
    for (let j = k + 2; j < n; j++) v[j] = a[k * n + j]!;
    reflectLeft(p, n, n, k + 1, k + 1, v, taus[k]!, w);
  }
  return transpose(p, n, n);
}

function transpose(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j]!;
  return t;
}

/** Rows i and j (length len) of z: (c r_i + s r_j, c r_j - s r_i). */
function rotate(z: Float64Array | null, len: number, i: number, j: number, c: number, s: number): void {
  if (!z) return;
  const a = i * len;
  const b = j * len;
  for (let t = 0; t < len; t++) {
    const x = z[a + t]!;
    const y = z[b + t]!;
    z[a + t] = c * x + s * y;
    z[b + t] = c * y - s * x;
  }
}

/** The singular vectors being updated: the rows of Uᵀ (length m) and of Vᵀ (length n), or none. */
interface Vectors {
  readonly ut: Float64Array | null;
  readonly vt: Float64Array | null;
  readonly m: number;
  readonly n: number;
}

/** d[i] = 0 (i < hi): the superdiagonal e[i] chased along row i to the right by rotations of rows (i, j). */
function zeroRow(d: Float64Array, e: Float64Array, i: number, hi: number, vec: Vectors): void {
  let f = e[i]!;
  e[i] = 0;
  for (let j = i + 1; j <= hi && f !== 0; j++) {
    const r = Math.hypot(d[j]!, f);
    const c = d[j]! / r;
    const s = f / r;
    d[j] = r;
    if (j < hi) {
      f = -s * e[j]!;
      e[j] = c * e[j]!;
    }
    rotate(vec.ut, vec.m, j, i, c, s);
  }
}

/** d[hi] = 0: the superdiagonal e[hi - 1] chased up column hi by rotations of columns (j, hi). */
function zeroColumn(d: Float64Array, e: Float64Array, lo: number, hi: number, vec: Vectors): void {
  let f = e[hi - 1]!;
  e[hi - 1] = 0;
  for (let j = hi - 1; j >= lo && f !== 0; j--) {
    const r = Math.hypot(d[j]!, f);
    const c = d[j]! / r;
    const s = f / r;
    d[j] = r;
    if (j > lo) {
      f = -s * e[j - 1]!;
      e[j - 1] = c * e[j - 1]!;
    }
    rotate(vec.vt, vec.n, j, hi, c, s);
  }
}

/** Givens (c, s) with [c s; -s c] [y; z] = [r; 0]. */
function givens(y: number, z: number): [number, number, number] {
  if (z === 0) return [1, 0, y];
  const r = Math.hypot(y, z);
  return [y / r, z / r, r];
}

/** One implicit-shift QR step on the unreduced block lo..hi of the bidiagonal (Golub–Kahan, Wilkinson's shift). */
function qrStep(d: Float64Array, e: Float64Array, lo: number, hi: number, vec: Vectors): void {
  // the eigenvalue of the trailing 2 x 2 of BᵀB nearer its last entry
  const dm = d[hi - 1]!;
  const em = hi - 1 > lo ? e[hi - 2]! : 0;
  const en = e[hi - 1]!;
  const t11 = dm * dm + em * em;
  const t12 = dm * en;
  const t22 = d[hi]! * d[hi]! + en * en;
  const delta = (t11 - t22) / 2;
  const mu = t22 - (t12 * t12) / (delta + (delta >= 0 ? 1 : -1) * Math.hypot(delta, t12) || 1);
  let y = d[lo]! * d[lo]! - mu;
  let z = d[lo]! * e[lo]!;
  for (let k = lo; k < hi; k++) {
    // a rotation of columns (k, k + 1): zeroes the bulge above the superdiagonal (or starts the chase)
    let [c, s, r] = givens(y, z);
    if (k > lo) e[k - 1] = r;
    const dk = c * d[k]! + s * e[k]!;
    const ek = c * e[k]! - s * d[k]!;
    const bulge = s * d[k + 1]!;
    const dk1 = c * d[k + 1]!;
    rotate(vec.vt, vec.n, k, k + 1, c, s);
    // a rotation of rows (k, k + 1): zeroes the bulge below the diagonal
    [c, s, r] = givens(dk, bulge);
    d[k] = r;
    e[k] = c * ek + s * dk1;
    d[k + 1] = c * dk1 - s * ek;
    rotate(vec.ut, vec.m, k, k + 1, c, s);
    if (k + 1 < hi) {
      y = e[k]!;
      z = s * e[k + 1]!;
      e[k + 1] = c * e[k + 1]!;
    }
  }
}

/** Diagonalizes the bidiagonal (d, e) in place, rotating the rows of Uᵀ and Vᵀ along. */
function diagonalize(d: Float64Array, e: Float64Array, n: number, vec: Vectors): void {
  let hi = n - 1;
  let iterations = 0;
  const negligible = (i: number) => Math.abs(e[i]!) <= TINY + EPS * (Math.abs(d[i]!) + Math.abs(d[i + 1]!));
  while (hi > 0) {
    if (negligible(hi - 1)) {
      e[hi - 1] = 0;
      hi--;
      continue;
    }
    let lo = hi - 1;
    while (lo > 0 && !negligible(lo - 1)) lo--;
    if (lo > 0) e[lo - 1] = 0;
    if (++iterations > 75 * n) throw new LinAlgError('svd: the QR iteration did not converge');
    if (!Number.isFinite(d[hi]!) || !Number.isFinite(e[hi - 1]!))
      throw new LinAlgError('svd: the matrix has non-finite entries');
    // a (relatively) zero diagonal entry splits the block: chase its superdiagonal out first
    let split = -1;
    for (let i = hi; i >= lo; i--) {
      const near = (i < hi ? Math.abs(e[i]!) : 0) + (i > lo ? Math.abs(e[i - 1]!) : 0);
      if (Math.abs(d[i]!) <= TINY + EPS * near) {
        split = i;
        break;
      }
    }
    if (split === hi) zeroColumn(d, e, lo, hi, vec);
    else if (split >= 0) zeroRow(d, e, split, hi, vec);
    else qrStep(d, e, lo, hi, vec);
    if (split >= 0) d[split] = 0;
  }
}

/**
 * The singular values (descending) of the m x n matrix `a` (row-major; overwritten) into `s` (length min(m, n));
 * with `u` and `vt`, the reduced factors: u (m x k) and vt (k x n), k = min(m, n), A = U diag(s) Vᵀ.
 */
export function singularValues(
  a: Float64Array,
  m: number,
  n: number,
  s: Float64Array,
  u: Float64Array | null,
  vt: Float64Array | null,
): void {
  const tall = m >= n;
  const [rows, cols] = tall ? [m, n] : [n, m];
  const work = tall ? a : transpose(a, m, n);
  if (cols === 0) return;
  const { d, e, tauLeft, tauRight } = bidiagonalize(work, rows, cols);
  const wantVectors = u !== null && vt !== null;
  const vec: Vectors = {
    ut: wantVectors ? leftVectors(work, rows, cols, tauLeft) : null,
    vt: wantVectors ? rightVectors(work, cols, tauRight) : null,
    m: rows,
    n: cols,
  };
  diagonalize(d, e, cols, vec);
  const order = Array.from({ length: cols }, (_, i) => i).sort((i, j) => Math.abs(d[j]!) - Math.abs(d[i]!));
  order.forEach((from, k) => (s[k] = Math.abs(d[from]!)));
  if (!wantVectors) return;
  // tall: A = Uᵀᵀ diag(d) Vᵀ; wide: Aᵀ = that, so A's U is V and its Vᵀ is Uᵀ. A negative d flips a Vᵀ row.
  const [left, right] = tall ? [vec.ut!, vec.vt!] : [vec.vt!, vec.ut!];
  const [leftLen, rightLen] = tall ? [rows, cols] : [cols, rows];
  const flipLeft = !tall;
  order.forEach((from, k) => {
    const sign = d[from]! < 0 ? -1 : 1;
    const ls = flipLeft ? sign : 1;
    const rs = flipLeft ? 1 : sign;
    for (let i = 0; i < leftLen; i++) u[i * cols + k] = ls * left[from * leftLen + i]!;
    for (let j = 0; j < rightLen; j++) vt[k * rightLen + j] = rs * right[from * rightLen + j]!;
  });
}
