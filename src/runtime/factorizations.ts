/**
 * QR and rectangular LU kernels on contiguous row-major float64 matrices (the ops of `src/ops/linalg/qr-lu.ts`
 * call them on one matrix of a batch at a time).
 *
 * QR: Householder reflections as LAPACK's dgeqrf and dorgqr (the reflector of `[alpha, x]` maps it to
 * `[beta, 0]` with beta = -sign(alpha) ‖[alpha, x]‖), so that Q and R come out with numpy's signs: R's diagonal
 * may be negative. LU: partial pivoting as LAPACK's dgetrf (the first row of largest |pivot|), for m x n matrices.
 * Every update runs along rows.
 */

/**
 * Makes the Householder reflector H = I - tau v vᵀ (v[0] = 1) with H [alpha; x] = [beta; 0] for the `len` values
 * `data[start + i * stride]`: stores beta at `start` and v[1..] over x, returns tau (0 when x is already zero).
 */
export function makeReflector(data: Float64Array, start: number, stride: number, len: number): number {
  const xnorm = scaledNorm(data, start + stride, stride, len - 1);
  if (xnorm === 0) return 0;
  const alpha = data[start]!;
  const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, xnorm);
  const scale = 1 / (alpha - beta);
  for (let i = 1; i < len; i++) data[start + i * stride] = data[start + i * stride]! * scale;
  data[start] = beta;
  return (beta - alpha) / beta;
}

/** The 2-norm of `len` values `data[start + i * stride]`, scaled so that tiny or huge entries do not underflow. */
export function scaledNorm(data: Float64Array, start: number, stride: number, len: number): number {
  let scale = 0;
  for (let i = 0; i < len; i++) scale = Math.max(scale, Math.abs(data[start + i * stride]!));
  if (scale === 0 || !Number.isFinite(scale)) return scale;
  let sum = 0;
  for (let i = 0; i < len; i++) sum += (data[start + i * stride]! / scale) ** 2;
  return scale * Math.sqrt(sum);
}

/**
 * Applies H = I - tau v vᵀ from the left to rows `from`..`rows - 1`, columns `c0`..`cols - 1` of the row-major
 * `a` (`cols` wide). `v` holds v[i] for i >= from (v[from] = 1 is read from it too). `w` is scratch (>= cols).
 */
export function reflectLeft(
  a: Float64Array,
  rows: number,
  cols: number,
  from: number,
  c0: number,
  v: Float64Array,
  tau: number,
  w: Float64Array,
): void {
  if (tau === 0) return;
  w.fill(0, c0, cols);
  for (let i = from; i < rows; i++) {
    const vi = v[i]!;
    if (vi === 0) continue;
    const ri = i * cols;
    for (let j = c0; j < cols; j++) w[j] = w[j]! + vi * a[ri + j]!;
  }
  for (let i = from; i < rows; i++) {
    const f = tau * v[i]!;
    if (f === 0) continue;
    const ri = i * cols;
    for (let j = c0; j < cols; j++) a[ri + j] = a[ri + j]! - f * w[j]!;
  }
}

/** The Householder vectors and scalars of a QR factorization, R in the upper triangle of the factored matrix. */
export interface QrFactors {
  readonly taus: Float64Array;
  /** Column k of the reflectors: v_k (v_k[k] = 1, zeros above), as an m-vector per reflector. */
  readonly vectors: Float64Array[];
}

/** A = Q R in place in the m x n row-major `a` (R left in its upper triangle); the reflectors to form Q from. */
export function qrFactor(a: Float64Array, m: number, n: number): QrFactors {
  const k = Math.min(m, n);
  const taus = new Float64Array(k);
  const vectors: Float64Array[] = [];
  const w = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    const tau = makeReflector(a, j * n + j, n, m - j);
    const v = new Float64Array(m);
    v[j] = 1;
    for (let i = j + 1; i < m; i++) v[i] = a[i * n + j]!;
    taus[j] = tau;
    vectors.push(v);
    reflectLeft(a, m, n, j, j + 1, v, tau, w);
  }
  return { taus, vectors };
}

/** The first `cols` columns of Q = H_0 H_1 ... H_{k-1} (m x cols, row-major), accumulated backward (dorgqr). */
export function formQ({ taus, vectors }: QrFactors, m: number, cols: number): Float64Array {
  const q = new Float64Array(m * cols);
  for (let i = 0; i < Math.min(m, cols); i++) q[i * cols + i] = 1;
  const w = new Float64Array(cols);
  // rows >= j of the product of H_j .. H_{k-1} are non-zero only in columns >= j
  for (let j = taus.length - 1; j >= 0; j--) reflectLeft(q, m, cols, j, Math.min(j, cols), vectors[j]!, taus[j]!, w);
  return q;
}

/** The upper-trapezoidal R (rows x n) from the first `rows` rows of the factored m x n `a` (zeros below). */
export function upperPart(a: Float64Array, m: number, n: number, rows: number): Float64Array {
  const r = new Float64Array(rows * n);
  for (let i = 0; i < Math.min(rows, m); i++) for (let j = i; j < n; j++) r[i * n + j] = a[i * n + j]!;
  return r;
}

/** P A = L U with partial pivoting, in place in the m x n row-major `a`: L unit lower (m x k), U upper (k x n). */
export interface RectangularLu {
  /** Row `j` was swapped with row `pivots[j]` at step j (LAPACK's ipiv, from 0), j < min(m, n). */
  readonly pivots: Int32Array;
  /** Row i of P A is row perm[i] of A. */
  readonly perm: Int32Array;
}

export function luRectangular(a: Float64Array, m: number, n: number): RectangularLu {
  const k = Math.min(m, n);
  const pivots = new Int32Array(k);
  const perm = Int32Array.from({ length: m }, (_, i) => i);
  for (let j = 0; j < k; j++) {
    let p = j;
    let best = Math.abs(a[j * n + j]!);
    for (let i = j + 1; i < m; i++) {
      const v = Math.abs(a[i * n + j]!);
      if (v > best) [best, p] = [v, i];
    }
    pivots[j] = p;
    if (p !== j) {
      for (let c = 0; c < n; c++) [a[j * n + c], a[p * n + c]] = [a[p * n + c]!, a[j * n + c]!];
      [perm[j], perm[p]] = [perm[p]!, perm[j]!];
    }
    const pivot = a[j * n + j]!;
    if (pivot === 0) continue; // a zero column: LAPACK moves on (U gets a zero on its diagonal)
    const rj = j * n;
    for (let i = j + 1; i < m; i++) {
      const ri = i * n;
      const l = a[ri + j]! / pivot;
      a[ri + j] = l;
      if (l === 0) continue;
      for (let c = j + 1; c < n; c++) a[ri + c] = a[ri + c]! - l * a[rj + c]!;
    }
  }
  return { pivots, perm };
}
