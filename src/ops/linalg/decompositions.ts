/**
 * Decompositions with several outputs: `eigh` (eigenvalues ascending and orthonormal eigenvectors of a symmetric
 * matrix, read from one triangle) and `svd` (singular values descending, and optionally U and Vᵀ). Kernels in
 * `src/runtime/decompositions.ts`.
 */
import type { GradBuilder, OpDef } from '../../graph/op.js';
import { symmetricEigen, completeOrthonormal } from '../../runtime/decompositions.js';
import { singularValues } from '../../runtime/svd.js';
import type { NDArray } from '../../runtime/ndarray.js';
import type { Tensor } from '../../tensor/tensor.js';
import { TensorType } from '../../types/tensor-type.js';
import {
  checkMatrixType,
  checkSquare,
  linalgDType,
  MatrixStack,
  OutputStack,
  squareLength,
  staticText,
} from './batch.js';
import { foldTriangle, mT } from './grad-helpers.js';

// ---------------------------------------------------------------------------------------------------------------
// eigh

export interface EighParams {
  /** Read the lower triangle (numpy's UPLO='L', the default) or the upper one. */
  readonly lower: boolean;
  /** Also compute the eigenvectors (false: `eigvalsh`, one output). */
  readonly vectors: boolean;
}

/** The symmetric matrix a kernel sees: the triangle read, mirrored. */
function mirror(a: Float64Array, n: number, lower: boolean): void {
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      if (lower) a[i * n + j] = a[j * n + i]!;
      else a[j * n + i] = a[i * n + j]!;
    }
}

/** A stack of identity matrices shaped like the matrices of `w`'s eigenvectors (w: (..., n)). */
const identityLike = (w: Tensor, T: GradBuilder) => T.linalg.allocDiag(T.add(T.zerosLike(w), 1));

export const EIGH: OpDef<EighParams> = {
  name: 'eigh',
  inferType([x], { vectors }) {
    checkMatrixType('eigh', x!, 'the input', true);
    const n = squareLength(x!);
    const dtype = linalgDType(x!.dtype);
    const batch = x!.shape.slice(0, -2);
    const w = new TensorType(dtype, [...batch, n]);
    return vectors ? [w, new TensorType(dtype, [...batch, n, n])] : [w];
  },
  inferShape: ([x], { vectors }) => {
    const batch = x!.shape.slice(0, -2).map((_, axis) => ({ input: 0, axis }));
    const n = { input: 0, axis: x!.ndim - 1 };
    return vectors
      ? [
          [...batch, n],
          [...batch, n, n],
        ]
      : [[...batch, n]];
  },
  evaluate([x], { lower, vectors }, [type]) {
    const n = checkSquare('eigh', x!, 'the input');
    const batch = x!.shape.slice(0, -2) as number[];
    const stack = new MatrixStack(x!, batch, 2);
    const dtype = type!.dtype as 'float64';
    const w = new OutputStack(dtype, batch, [n]);
    const v = vectors ? new OutputStack(dtype, batch, [n, n]) : null;
    const work = new Float64Array(n * n);
    const values = new Float64Array(n);
    const vecs = vectors ? new Float64Array(n * n) : null;
    for (let b = 0; b < stack.count; b++) {
      mirror(stack.read(b, work), n, lower);
      symmetricEigen(work, n, values, vecs);
      w.write(b, values);
      if (v) v.write(b, vecs!);
    }
    return v ? [w.array, v.array] : [w.array];
  },
  // A = V diag(w) Vᵀ, distinct eigenvalues: Ā = V (diag(w̄) + F ∘ (Vᵀ V̄)) Vᵀ with F_ij = 1 / (w_j - w_i) off the
  // diagonal and 0 on it; folded into the triangle read. Without the vectors' gradient only V diag(w̄) Vᵀ remains.
  pullback: ({ inputs: [x], outputs, grads: [gw, gv], params }, T) => {
    if (!gw && !gv) return [null];
    const w = outputs[0]!;
    const v = params.vectors ? outputs[1]! : T.linalg.eigh(x!, { UPLO: params.lower ? 'L' : 'U' })[1]!;
    let inner = gw ? T.linalg.allocDiag(gw) : null;
    if (gv) {
      const eye = identityLike(w, T);
      const diff = T.sub(T.expandDims(w, w.ndim - 1), T.expandDims(w, w.ndim)); // w_j - w_i at [i, j]
      const f = T.sub(T.div(1, T.add(diff, eye)), eye);
      const term = T.mul(f, T.matmul(mT(v, T), gv));
      inner = inner ? T.add(inner, term) : term;
    }
    const g = T.matmul(v, T.matmul(inner!, mT(v, T)));
    return [foldTriangle(g, params.lower, T)];
  },
  print: { kind: 'call', args: (p) => [`UPLO=${p.lower ? 'L' : 'U'}`, ...(p.vectors ? [] : ['values only'])] },
  paramsKey: (p) => `${p.lower},${p.vectors}`,
};

// ---------------------------------------------------------------------------------------------------------------
// svd

export interface SvdParams {
  /** U is m x m and Vᵀ n x n (else m x k and k x n, k = min(m, n)). */
  readonly fullMatrices: boolean;
  /** Outputs [U, s, Vᵀ] (else [s] only). */
  readonly computeUv: boolean;
}

function svdOne(a: Float64Array, m: number, n: number, full: boolean, uv: boolean) {
  const k = Math.min(m, n);
  const s = new Float64Array(k);
  const u = uv ? new Float64Array(m * k) : null;
  const vt = uv ? new Float64Array(k * n) : null;
  singularValues(a, m, n, s, u, vt);
  if (!uv || !full) return { s, u, vt };
  return { s, u: m > k ? extendColumns(u!, m, k) : u, vt: n > k ? extendRows(vt!, k, n) : vt };
}

/** An m x m orthogonal matrix whose first k columns are those of u (m x k). */
function extendColumns(u: Float64Array, m: number, k: number): Float64Array {
  const rows = new Float64Array(m * m); // the columns, as rows
  for (let i = 0; i < m; i++) for (let j = 0; j < k; j++) rows[j * m + i] = u[i * k + j]!;
  completeOrthonormal(
    rows,
    m,
    m,
    Array.from({ length: m }, (_, j) => j < k),
  );
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[i * m + j] = rows[j * m + i]!;
  return out;
}

/** An n x n orthogonal matrix whose first k rows are vt's (k x n). */
function extendRows(vt: Float64Array, k: number, n: number): Float64Array {
  const out = new Float64Array(n * n);
  out.set(vt);
  completeOrthonormal(
    out,
    n,
    n,
    Array.from({ length: n }, (_, j) => j < k),
  );
  return out;
}

export const SVD: OpDef<SvdParams> = {
  name: 'svd',
  inferType([x], { fullMatrices, computeUv }) {
    checkMatrixType('svd', x!, 'the input', false);
    const dtype = linalgDType(x!.dtype);
    const batch = x!.shape.slice(0, -2);
    const [m, n] = x!.shape.slice(-2) as [number | null, number | null];
    const k = m !== null && n !== null ? Math.min(m, n) : null;
    const s = new TensorType(dtype, [...batch, k]);
    if (!computeUv) return [s];
    const u = new TensorType(dtype, [...batch, m, fullMatrices ? m : k]);
    const vt = new TensorType(dtype, [...batch, fullMatrices ? n : k, n]);
    return [u, s, vt];
  },
  inferShape: ([x], { fullMatrices, computeUv }) => {
    const batch = x!.shape.slice(0, -2).map((_, axis) => ({ input: 0, axis }));
    const m = { input: 0, axis: x!.ndim - 2 };
    const n = { input: 0, axis: x!.ndim - 1 };
    if (!computeUv) return [[...batch, null]];
    return [
      [...batch, m, fullMatrices ? m : null],
      [...batch, null],
      [...batch, fullMatrices ? n : null, n],
    ];
  },
  evaluate([x], { fullMatrices, computeUv }, types) {
    return evaluateSvd(x!, fullMatrices, computeUv, types[0]!.dtype as 'float64');
  },
  // Singular values only: ds_i = u_iᵀ dA v_i, so Ā = U diag(s̄) Vᵀ (reduced factors). Through U and Vᵀ: see
  // svdVectorsPullback (distinct non-zero singular values; full factors only of square matrices).
  pullback: ({ inputs: [x], outputs, grads, params }, T) => {
    const gs = params.computeUv ? grads[1] : grads[0];
    if (params.computeUv && (grads[0] || grads[2])) {
      checkReducedFactors(x!, params.fullMatrices);
      const [u, s, vt] = outputs as [Tensor, Tensor, Tensor];
      return [svdVectorsPullback(u, s, vt, grads[0] ?? null, gs ?? null, grads[2] ?? null, T)];
    }
    if (!gs) return [null];
    const [u, , vt] = T.linalg.svd(x!, { fullMatrices: false });
    return [T.matmul(T.mul(u!, T.expandDims(gs, gs.ndim - 1)), vt!)];
  },
  print: {
    kind: 'call',
    args: (p) => [...(p.fullMatrices ? [] : ['fullMatrices=false']), ...(p.computeUv ? [] : ['computeUv=false'])],
  },
  paramsKey: (p) => `${p.fullMatrices},${p.computeUv}`,
};

/** Full U or Vᵀ of a rectangular matrix have arbitrary extra columns (rows): no gradient through them. */
function checkReducedFactors(x: Tensor, full: boolean): void {
  const [m, n] = x.type.shape.slice(-2);
  if (!full || (m !== null && m === n)) return;
  throw new TypeError(
    `svd: the gradient through U and Vᵀ needs fullMatrices: false (or matrices known to be square): the extra columns of full factors are arbitrary; got static shape ${staticText(x.type.shape)}`,
  );
}

/**
 * A = U S Vᵀ (reduced, k = min(m, n)), F_ij = 1 / (s_j² - s_i²) off the diagonal (distinct singular values):
 * Ā = U [(F ∘ (UᵀŪ - ŪᵀU)) S + diag(s̄) + S (F ∘ (VᵀV̄ - V̄ᵀV))] Vᵀ + (I - U Uᵀ) Ū S⁻¹ Vᵀ + U S⁻¹ V̄ᵀ (I - V Vᵀ)
 * (Townsend 2016, "Differentiating the singular value decomposition"); the last two terms vanish for square A.
 */
function svdVectorsPullback(
  u: Tensor,
  s: Tensor,
  vt: Tensor,
  gu: Tensor | null,
  gs: Tensor | null,
  gvt: Tensor | null,
  T: GradBuilder,
): Tensor {
  const last = s.ndim - 1;
  const rowScale = (y: Tensor, d: Tensor) => T.mul(y, T.expandDims(d, last + 1)); // diag(d) Y
  const colScale = (y: Tensor, d: Tensor) => T.mul(y, T.expandDims(d, last)); //     Y diag(d)
  const eye = identityLike(s, T);
  const s2 = T.sqr(s);
  const f = T.sub(T.div(1, T.add(T.sub(T.expandDims(s2, last), T.expandDims(s2, last + 1)), eye)), eye);
  const antisym = (y: Tensor) => T.mul(f, T.sub(y, mT(y, T)));
  const parts: Tensor[] = [];
  if (gs) parts.push(T.linalg.allocDiag(gs));
  if (gu) parts.push(colScale(antisym(T.matmul(mT(u, T), gu)), s));
  if (gvt) parts.push(rowScale(antisym(T.matmul(vt, mT(gvt, T))), s));
  const core = parts.reduce((acc, p) => T.add(acc, p));
  let g = T.matmul(u, T.matmul(core, vt));
  const inv = T.div(1, s);
  if (gu) g = T.add(g, T.matmul(colScale(T.sub(gu, T.matmul(u, T.matmul(mT(u, T), gu))), inv), vt));
  if (gvt) g = T.add(g, T.matmul(u, rowScale(T.sub(gvt, T.matmul(T.matmul(gvt, mT(vt, T)), vt)), inv)));
  return g;
}

function evaluateSvd(x: NDArray, full: boolean, uv: boolean, dtype: 'float64'): NDArray[] {
  const [m, n] = [x.shape[x.ndim - 2]!, x.shape[x.ndim - 1]!];
  const k = Math.min(m, n);
  const batch = x.shape.slice(0, -2) as number[];
  const stack = new MatrixStack(x, batch, 2);
  const s = new OutputStack(dtype, batch, [k]);
  const u = uv ? new OutputStack(dtype, batch, [m, full ? m : k]) : null;
  const vt = uv ? new OutputStack(dtype, batch, [full ? n : k, n]) : null;
  const work = new Float64Array(m * n);
  for (let b = 0; b < stack.count; b++) {
    const r = svdOne(stack.read(b, work), m, n, full, uv);
    s.write(b, r.s);
    u?.write(b, r.u!);
    vt?.write(b, r.vt!);
  }
  return uv ? [u!.array, s.array, vt!.array] : [s.array];
}
