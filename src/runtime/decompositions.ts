/**
 * The symmetric eigendecomposition kernel on contiguous row-major float64 matrices.
 *
 * `symmetricEigen`: Householder reduction to tridiagonal form, then implicit QR steps with Wilkinson's shift
 * (Golub & Van Loan, Algorithms 8.3.1 and 8.3.2). The orthogonal factor is kept transposed (its rows are the
 * eigenvectors), so every reflection and rotation updates whole rows.
 * The singular value decomposition is in `svd.ts`.
 */
import { LinAlgError } from './linalg.js';

const EPS = 2 ** -52;

/** Reduces the symmetric n x n `a` (full storage) to tridiagonal form: diagonal `d`, off-diagonal `e`, Zᵀ A Z = T with Z's transpose returned. */
function tridiagonalize(a: Float64Array, n: number, d: Float64Array, e: Float64Array): Float64Array {
  const z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) z[i * n + i] = 1;
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k + 2 < n; k++) {
    // the reflection that zeroes row k beyond its first off-diagonal element (the matrix is symmetric)
    // (computed on the row scaled by its largest entry, so that tiny entries do not underflow)
    let scale = 0;
    for (let i = k + 1; i < n; i++) scale = Math.max(scale, Math.abs(a[k * n + i]!));
    d[k] = a[k * n + k]!;
    e[k] = 0;
    if (scale === 0) continue;
    let norm2 = 0;
    for (let i = k + 1; i < n; i++) norm2 += (a[k * n + i]! / scale) ** 2;
    const x0 = a[k * n + k + 1]! / scale;
    const norm = Math.sqrt(norm2);
    const alpha = x0 > 0 ? -norm : norm;
    e[k] = alpha * scale;
    for (let i = k + 1; i < n; i++) v[i] = a[k * n + i]! / scale;
    v[k + 1] = x0 - alpha;
    let vv = 0;
    for (let i = k + 1; i < n; i++) vv += v[i]! * v[i]!;
    if (vv === 0) continue;
    const beta = 2 / vv;
    reflectTrailing(a, n, k + 1, v, beta, p);
    reflectRows(z, n, k + 1, v, beta);
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + n - 2]!;
    e[n - 2] = a[(n - 2) * n + n - 1]!;
  }
  if (n >= 1) d[n - 1] = a[(n - 1) * n + n - 1]!;
  return z;
}

/** S := H S H on the trailing block S = a[from:, from:], H = I - beta v vᵀ: S -= v wᵀ + w vᵀ, w = p - (beta pᵀv / 2) v, p = beta S v. */
function reflectTrailing(
  a: Float64Array,
  n: number,
  from: number,
  v: Float64Array,
  beta: number,
  p: Float64Array,
): void {
  let pv = 0;
  for (let i = from; i < n; i++) {
    let s = 0;
    const ri = i * n;
    for (let j = from; j < n; j++) s += a[ri + j]! * v[j]!;
    p[i] = beta * s;
    pv += p[i]! * v[i]!;
  }
  const half = (beta * pv) / 2;
  for (let i = from; i < n; i++) p[i] = p[i]! - half * v[i]!;
  for (let i = from; i < n; i++) {
    const ri = i * n;
    const vi = v[i]!;
    const wi = p[i]!;
    for (let j = from; j < n; j++) a[ri + j] = a[ri + j]! - vi * p[j]! - wi * v[j]!;
  }
}

/** Z := H Z on rows `from`.. (H = I - beta v vᵀ acting there). */
function reflectRows(z: Float64Array, n: number, from: number, v: Float64Array, beta: number): void {
  const u = new Float64Array(n);
  for (let i = from; i < n; i++) {
    const vi = v[i]!;
    if (vi === 0) continue;
    const ri = i * n;
    for (let j = 0; j < n; j++) u[j] = u[j]! + vi * z[ri + j]!;
  }
  for (let i = from; i < n; i++) {
    const f = beta * v[i]!;
    if (f === 0) continue;
    const ri = i * n;
    for (let j = 0; j < n; j++) z[ri + j] = z[ri + j]! - f * u[j]!;
  }
}

/** Rows i and i + 1 of z (length n) rotated: (c r_i - s r_{i+1}, s r_i + c r_{i+1}). */
function rotateRows(z: Float64Array, n: number, i: number, c: number, s: number): void {
  const r = i * n;
  const q = r + n;
  for (let j = 0; j < n; j++) {
    const x = z[r + j]!;
    const y = z[q + j]!;
    z[r + j] = c * x - s * y;
    z[q + j] = s * x + c * y;
  }
}

/** One implicit QR step with Wilkinson's shift on the unreduced block lo..hi of the tridiagonal (d, e). */
function qrStep(d: Float64Array, e: Float64Array, lo: number, hi: number, z: Float64Array | null, n: number): void {
  const dd = (d[hi - 1]! - d[hi]!) / 2;
  const ee = e[hi - 1]!;
  const mu = d[hi]! - (ee * ee) / (dd + (dd >= 0 ? 1 : -1) * Math.hypot(dd, ee));
  let x = d[lo]! - mu;
  let y = e[lo]!;
  for (let k = lo; k < hi; k++) {
    const r = Math.hypot(x, y);
    const c = r === 0 ? 1 : x / r;
    const s = r === 0 ? 0 : -y / r;
    if (k > lo) e[k - 1] = r;
    const a = d[k]!;
    const b = e[k]!;
    const cc = d[k + 1]!;
    d[k] = c * c * a - 2 * c * s * b + s * s * cc;
    d[k + 1] = s * s * a + 2 * c * s * b + c * c * cc;
    e[k] = c * s * (a - cc) + (c * c - s * s) * b;
    if (k + 1 < hi) {
      x = e[k]!;
      y = -s * e[k + 1]!;
      e[k + 1] = c * e[k + 1]!;
    }
    if (z) rotateRows(z, n, k, c, s);
  }
}

/**
 * The eigenvalues (ascending, into `values`) and, with `vectors`, the orthonormal eigenvectors (as its columns,
 * row-major n x n) of the symmetric matrix `a` (full storage; overwritten).
 */
export function symmetricEigen(a: Float64Array, n: number, values: Float64Array, vectors: Float64Array | null): void {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(n - 1, 0));
  const z = tridiagonalize(a, n, d, e);
  const rows = vectors ? z : null;
  let hi = n - 1;
  let iterations = 0;
  while (hi > 0) {
    if (Math.abs(e[hi - 1]!) <= EPS * (Math.abs(d[hi - 1]!) + Math.abs(d[hi]!))) {
      e[hi - 1] = 0;
      hi--;
      continue;
    }
    let lo = hi - 1;
    while (lo > 0 && Math.abs(e[lo - 1]!) > EPS * (Math.abs(d[lo - 1]!) + Math.abs(d[lo]!))) lo--;
    if (++iterations > 50 * n) throw new LinAlgError('eigh: the QR iteration did not converge');
    if (!Number.isFinite(d[hi]!) || !Number.isFinite(e[hi - 1]!))
      throw new LinAlgError('eigh: the matrix has non-finite entries');
    qrStep(d, e, lo, hi, rows, n);
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i]! - d[j]!);
  order.forEach((from, j) => {
    values[j] = d[from]!;
    if (vectors) for (let i = 0; i < n; i++) vectors[i * n + j] = z[from * n + i]!;
  });
}

/**
 * Fills the rows of q (count rows of length len) not marked `valid` with unit vectors orthogonal to every other
 * row (Gram–Schmidt against the valid rows, over the standard basis): the singular vectors of zero singular values.
 */
export function completeOrthonormal(q: Float64Array, len: number, count: number, valid: boolean[]): void {
  const done = [...valid];
  let candidate = 0;
  for (let k = 0; k < count; k++) {
    if (done[k]) continue;
    for (; candidate < len; candidate++) {
      const r = new Float64Array(len);
      r[candidate] = 1;
      for (let pass = 0; pass < 2; pass++) {
        for (let j = 0; j < count; j++) {
          if (!done[j]) continue;
          let dot = 0;
          for (let i = 0; i < len; i++) dot += q[j * len + i]! * r[i]!;
          for (let i = 0; i < len; i++) r[i] = r[i]! - dot * q[j * len + i]!;
        }
      }
      let norm = 0;
      for (let i = 0; i < len; i++) norm += r[i]! * r[i]!;
      norm = Math.sqrt(norm);
      if (norm > 1e-8) {
        for (let i = 0; i < len; i++) q[k * len + i] = r[i]! / norm;
        done[k] = true;
        candidate++;
        break;
      }
    }
  }
}
