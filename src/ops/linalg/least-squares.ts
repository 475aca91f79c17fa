/**
 * The Moore–Penrose pseudo-inverse (numpy's `linalg.pinv`, by SVD, or by `eigh` for a symmetric matrix) and the
 * least-squares solve (numpy's `linalg.lstsq`: x, the residuals, the rank and the singular values of a). Singular
 * values at or below `rtol` times the largest are taken as zero (numpy's cutoff).
 */
import type { GradBuilder, OpDef } from '../../graph/op.js';
import { symmetricEigen } from '../../runtime/decompositions.js';
import type { NDArray } from '../../runtime/ndarray.js';
import { shapeToString } from '../../runtime/ndarray.js';
import { singularValues } from '../../runtime/svd.js';
import type { Tensor } from '../../tensor/tensor.js';
import { TensorType } from '../../types/tensor-type.js';
import { checkMatrixType, checkSquare, linalgDType, MatrixStack, OutputStack, staticText } from './batch.js';
import { asColumns, foldTriangle, mT } from './grad-helpers.js';

const EPS = 2 ** -52;

/** The relative cutoff: `rtol`, or max(m, n) · eps when null (the array API's default). */
const relativeCutoff = (rtol: number | null, m: number, n: number) => rtol ?? Math.max(m, n) * EPS;

/** The SVD of the m x n `a` (overwritten): s descending, Uᵀ (k x m) and Vᵀ (k x n). */
function reducedSvd(a: Float64Array, m: number, n: number) {
  const k = Math.min(m, n);
  const s = new Float64Array(k);
  const u = new Float64Array(m * k);
  const vt = new Float64Array(k * n);
  singularValues(a, m, n, s, u, vt);
  const ut = new Float64Array(k * m);
  for (let i = 0; i < m; i++) for (let l = 0; l < k; l++) ut[l * m + i] = u[i * k + l]!;
  return { s, ut, vt, k };
}

/** Σ over kept l of (1 / s_l) v_l u_lᵀ: the n x m pseudo-inverse from rows of Vᵀ and Uᵀ. */
function sumOfOuters(s: ArrayLike<number>, keep: number[], vt: Float64Array, ut: Float64Array, n: number, m: number) {
  const out = new Float64Array(n * m);
  for (const l of keep) {
    const inv = 1 / s[l]!;
    for (let j = 0; j < n; j++) {
      const f = vt[l * n + j]! * inv;
      if (f === 0) continue;
      const row = j * m;
      for (let i = 0; i < m; i++) out[row + i] = out[row + i]! + f * ut[l * m + i]!;
    }
  }
  return out;
}

function pinvGeneral(a: Float64Array, m: number, n: number, rtol: number | null): Float64Array {
  const { s, ut, vt, k } = reducedSvd(a, m, n);
  const cutoff = relativeCutoff(rtol, m, n) * (k > 0 ? s[0]! : 0);
  const keep = Array.from({ length: k }, (_, l) => l).filter((l) => s[l]! > cutoff);
  return sumOfOuters(s, keep, vt, ut, n, m);
}

/** A symmetric matrix's pseudo-inverse from its eigendecomposition (read from the lower triangle, as numpy). */
function pinvSymmetric(a: Float64Array, n: number, rtol: number | null): Float64Array {
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) a[i * n + j] = a[j * n + i]!;
  const w = new Float64Array(n);
  const v = new Float64Array(n * n);
  symmetricEigen(a, n, w, v);
  const vt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let l = 0; l < n; l++) vt[l * n + i] = v[i * n + l]!;
  const largest = w.reduce((acc, x) => Math.max(acc, Math.abs(x)), 0);
  const cutoff = relativeCutoff(rtol, n, n) * largest;
  const keep = Array.from({ length: n }, (_, l) => l).filter((l) => Math.abs(w[l]!) > cutoff);
  return sumOfOuters(w, keep, vt, vt, n, n);
}

// ---------------------------------------------------------------------------------------------------------------
// pinv

export interface PinvParams {
  /** The relative cutoff for small singular values; null: max(m, n) · eps. */
  readonly rtol: number | null;
  /** The matrix is symmetric, read from its lower triangle (eigh instead of svd). */
  readonly hermitian: boolean;
}

/**
 * The gradient of P = A⁺ at constant rank (Golub & Pereyra 1973): dP = -P dA P + P Pᵀ dAᵀ (I - A P) +
 * (I - P A) dAᵀ Pᵀ P, so Ā = -Pᵀ P̄ Pᵀ + (I - A P) P̄ᵀ P Pᵀ + Pᵀ P P̄ᵀ (I - P A).
 */
export function pinvPullback(a: Tensor, p: Tensor, gp: Tensor, T: GradBuilder): Tensor {
  const pt = mT(p, T);
  const h = mT(gp, T);
  const first = T.neg(T.matmul(pt, T.matmul(gp, pt)));
  const second = T.matmul(T.sub(h, T.matmul(a, T.matmul(p, h))), T.matmul(p, pt));
  const k = T.matmul(pt, T.matmul(p, h));
  const third = T.sub(k, T.matmul(T.matmul(k, p), a));
  return T.add(T.add(first, second), third);
}

export const PINV: OpDef<PinvParams> = {
  name: 'pinv',
  inferType([x], { hermitian }) {
    checkMatrixType('pinv', x!, 'the input', hermitian);
    const [m, n] = x!.shape.slice(-2);
    return [new TensorType(linalgDType(x!.dtype), [...x!.shape.slice(0, -2), n!, m!])];
  },
  inferShape: ([x]) => [
    [
      ...x!.shape.slice(0, -2).map((_, axis) => ({ input: 0, axis })),
      { input: 0, axis: x!.ndim - 1 },
      { input: 0, axis: x!.ndim - 2 },
    ],
  ],
  evaluate([x], { rtol, hermitian }, [type]) {
    const nd = x!.ndim;
    const [m, n] = [x!.shape[nd - 2]!, x!.shape[nd - 1]!];
    if (hermitian) checkSquare('pinv', x!, 'the input (hermitian: true)');
    const batch = x!.shape.slice(0, -2) as number[];
    const stack = new MatrixStack(x!, batch, 2);
    const out = new OutputStack(type!.dtype as 'float64', batch, [n, m]);
    const work = new Float64Array(m * n);
    for (let b = 0; b < stack.count; b++) {
      stack.read(b, work);
      out.write(b, hermitian ? pinvSymmetric(work, n, rtol) : pinvGeneral(work, m, n, rtol));
    }
    return [out.array];
  },
  pullback: ({ inputs: [x], outputs: [p], grads: [g], params }, T) => {
    if (!g) return [null];
    if (!params.hermitian) return [pinvPullback(x!, p!, g, T)];
    // the symmetric matrix read from the lower triangle; its gradient folded into that triangle
    const symmetric = T.add(T.tril(x!), mT(T.tril(x!, -1), T));
    return [foldTriangle(pinvPullback(symmetric, p!, g, T), true, T)];
  },
  print: {
    kind: 'call',
    args: (p) => [`rtol=${p.rtol === null ? 'max(m, n) eps' : p.rtol}`, ...(p.hermitian ? ['hermitian'] : [])],
  },
  paramsKey: (p) => `${p.rtol},${p.hermitian}`,
};

// ---------------------------------------------------------------------------------------------------------------
// lstsq

export interface LstsqParams {
  /** Singular values at or below rcond times the largest count as zero; null: max(m, n) · eps (numpy 2). */
  readonly rcond: number | null;
}

function inferLstsq(a: TensorType, b: TensorType): TensorType[] {
  if (a.ndim !== 2) throw new TypeError(`lstsq: a must be a matrix, got ${a}`);
  if (b.ndim !== 1 && b.ndim !== 2) throw new TypeError(`lstsq: b must be a vector or a matrix, got ${b}`);
  const [m, n] = a.shape as [number | null, number | null];
  if (m !== null && b.shape[0] !== null && m !== b.shape[0]) {
    throw new RangeError(
      `lstsq: a of static shape ${staticText(a.shape)} and b of static shape ${staticText(b.shape)} do not align: b has ${b.shape[0]} rows, a has ${m}`,
    );
  }
  const dtype = linalgDType(a.dtype, b.dtype);
  const k = m !== null && n !== null ? Math.min(m, n) : null;
  const x = new TensorType(dtype, b.ndim === 1 ? [n] : [n, b.shape[1]!]);
  return [x, new TensorType(dtype, [null]), new TensorType('int32', []), new TensorType(dtype, [k])];
}

/** x = V diag(1/s) Uᵀ b over the kept singular values, the rank, and numpy's residuals. */
function lstsqOne(a: NDArray, b: NDArray, rcond: number | null) {
  const [m, n] = a.shape as [number, number];
  const kb = b.ndim === 1 ? 1 : b.shape[1]!;
  const aw = new MatrixStack(a, [], 2).read(0, new Float64Array(m * n));
  const bw = new MatrixStack(b, [], b.ndim === 1 ? 1 : 2).read(0, new Float64Array(m * kb));
  const { s, ut, vt, k } = reducedSvd(Float64Array.from(aw), m, n);
  const cutoff = relativeCutoff(rcond, m, n) * (k > 0 ? s[0]! : 0);
  const keep = Array.from({ length: k }, (_, l) => l).filter((l) => s[l]! > cutoff);
  const x = new Float64Array(n * kb);
  const proj = new Float64Array(kb);
  for (const l of keep) {
    proj.fill(0);
    for (let i = 0; i < m; i++) for (let c = 0; c < kb; c++) proj[c] = proj[c]! + ut[l * m + i]! * bw[i * kb + c]!;
    for (let j = 0; j < n; j++) {
      const f = vt[l * n + j]! / s[l]!;
      for (let c = 0; c < kb; c++) x[j * kb + c] = x[j * kb + c]! + f * proj[c]!;
    }
  }
  // numpy: the squared residual norm of each column, only for full column rank and m > n (else none)
  const residuals = new Float64Array(keep.length === n && m > n ? kb : 0);
  for (let c = 0; c < residuals.length; c++) {
    for (let i = 0; i < m; i++) {
      let r = -bw[i * kb + c]!;
      for (let j = 0; j < n; j++) r += aw[i * n + j]! * x[j * kb + c]!;
      residuals[c] = residuals[c]! + r * r;
    }
  }
  return { x, residuals, rank: keep.length, s };
}

export const LSTSQ: OpDef<LstsqParams> = {
  name: 'lstsq',
  inferType: ([a, b]) => inferLstsq(a!, b!),
  inferShape: ([, b]) => [
    b!.ndim === 1
      ? [{ input: 0, axis: 1 }]
      : [
          { input: 0, axis: 1 },
          { input: 1, axis: 1 },
        ],
    [null],
    [],
    [null],
  ],
  evaluate([a, b], { rcond }, types) {
    if (b!.shape[0] !== a!.shape[0]) {
      throw new RangeError(
        `lstsq: a of shape ${shapeToString(a!.shape)} and b of shape ${shapeToString(b!.shape)} do not align: b has ${b!.shape[0]} rows, a has ${a!.shape[0]}`,
      );
    }
    const { x, residuals, rank, s } = lstsqOne(a!, b!, rcond);
    const dtype = types[0]!.dtype as 'float64';
    const n = a!.shape[1]!;
    const xs = new OutputStack(dtype, [], b!.ndim === 1 ? [n] : [n, b!.shape[1]!]);
    xs.write(0, x);
    const rs = new OutputStack(dtype, [], [residuals.length]);
    rs.write(0, residuals);
    const rk = new OutputStack('int32', [], []);
    rk.write(0, [rank]);
    const ss = new OutputStack(dtype, [], [s.length]);
    ss.write(0, s);
    return [xs.array, rs.array, rk.array, ss.array];
  },
  // x = A⁺ b: b̄ = A⁺ᵀ x̄ and Ā from A⁺'s gradient with (A⁺)̄ = x̄ bᵀ (constant rank); s as svd's values.
  pullback: ({ inputs: [a, b], grads: [gx, gres, , gs], params }, T) => {
    if (gres) {
      throw new TypeError(
        'lstsq: the residuals have no gradient (numpy gives none below full rank); differentiate T.sum(T.sqr(T.sub(T.dot(a, x), b)), 0) instead',
      );
    }
    let ga: Tensor | null = null;
    let gb: Tensor | null = null;
    if (gx) {
      const p = T.linalg.pinv(a!, { rtol: params.rcond });
      gb = T.matmul(mT(p, T), gx);
      const gp = b!.ndim === 1 ? T.mul(asColumns(gx, T), T.expandDims(b!, 0)) : T.matmul(gx, mT(b!, T));
      ga = pinvPullback(a!, p, gp, T);
    }
    if (gs) {
      const [u, , vt] = T.linalg.svd(a!, { fullMatrices: false });
      const term = T.matmul(T.mul(u, T.expandDims(gs, 0)), vt);
      ga = ga ? T.add(ga, term) : term;
    }
    return [ga, gb];
  },
  print: { kind: 'call', args: (p) => [`rcond=${p.rcond === null ? 'max(m, n) eps' : p.rcond}`] },
  paramsKey: (p) => `${p.rcond}`,
};
