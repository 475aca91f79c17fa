/**
 * QR (numpy's `linalg.qr`: Householder, numpy's signs) and LU with partial pivoting (scipy's `linalg.lu`: A = P L U),
 * on the last two axes of any m x n matrices, looping over batch axes. Kernels in `src/runtime/factorizations.ts`.
 */
import type { GradBuilder, LengthFact, OpDef } from '../../graph/op.js';
import { formQ, luRectangular, qrFactor, upperPart } from '../../runtime/factorizations.js';
import type { NDArray } from '../../runtime/ndarray.js';
import type { Tensor } from '../../tensor/tensor.js';
import { TensorType, type StaticDim } from '../../types/tensor-type.js';
import { checkMatrixType, linalgDType, MatrixStack, OutputStack } from './batch.js';
import { mT } from './grad-helpers.js';

/** The core lengths m, n and k = min(m, n) of a matrix type (null when unknown). */
function coreLengths(x: TensorType): { m: StaticDim; n: StaticDim; k: StaticDim } {
  const [m, n] = x.shape.slice(-2) as [StaticDim, StaticDim];
  return { m, n, k: m !== null && n !== null ? Math.min(m, n) : null };
}

/** The batch axes of input 0 as facts, followed by the given core facts. */
const withBatch = (x: TensorType, core: readonly LengthFact[]): LengthFact[] => [
  ...x.shape.slice(0, -2).map((_, axis) => ({ input: 0, axis })),
  ...core,
];

/** X R⁻ᵀ for an upper-triangular R (stacks). */
const timesInverseTranspose = (x: Tensor, r: Tensor, T: GradBuilder) =>
  mT(T.linalg.solveTriangular(r, mT(x, T), { lower: false }), T);

/** Throws unless the gradient of `op` can be taken: the matrices must be square (or tall, with `tall`). */
function checkGradShape(op: string, x: Tensor, tall: boolean, why: string): void {
  const [m, n] = x.type.shape.slice(-2);
  if (m === null || n === null || m === undefined || n === undefined) return;
  if (tall ? m < n : m !== n) {
    throw new TypeError(
      `${op}: the gradient needs ${tall ? 'square or tall' : 'square'} matrices (${why}), got static shape (${x.type.shape.join(', ')})`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------------------
// qr

export interface QrParams {
  /** 'reduced': Q m x k, R k x n; 'complete': Q m x m, R m x n; 'r': R (k x n) alone. k = min(m, n). */
  readonly mode: 'reduced' | 'complete' | 'r';
}

export const QR: OpDef<QrParams> = {
  name: 'qr',
  inferType([x], { mode }) {
    checkMatrixType('qr', x!, 'the input', false);
    const dtype = linalgDType(x!.dtype);
    const batch = x!.shape.slice(0, -2);
    const { m, n, k } = coreLengths(x!);
    const rows = mode === 'complete' ? m : k;
    const r = new TensorType(dtype, [...batch, rows, n]);
    return mode === 'r' ? [r] : [new TensorType(dtype, [...batch, m, rows]), r];
  },
  inferShape([x], { mode }) {
    const m = { input: 0, axis: x!.ndim - 2 };
    const n = { input: 0, axis: x!.ndim - 1 };
    const rows = mode === 'complete' ? m : null;
    const r = withBatch(x!, [rows, n]);
    return mode === 'r' ? [r] : [withBatch(x!, [m, rows]), r];
  },
  evaluate([x], { mode }, types) {
    const nd = x!.ndim;
    const [m, n] = [x!.shape[nd - 2]!, x!.shape[nd - 1]!];
    const k = Math.min(m, n);
    const rows = mode === 'complete' ? m : k;
    const batch = x!.shape.slice(0, -2) as number[];
    const dtype = types[0]!.dtype as 'float64';
    const stack = new MatrixStack(x!, batch, 2);
    const q = mode === 'r' ? null : new OutputStack(dtype, batch, [m, rows]);
    const r = new OutputStack(dtype, batch, [rows, n]);
    const work = new Float64Array(m * n);
    for (let b = 0; b < stack.count; b++) {
      const factors = qrFactor(stack.read(b, work), m, n);
      r.write(b, upperPart(work, m, n, rows));
      q?.write(b, formQ(factors, m, rows));
    }
    return q ? [q.array, r.array] : [r.array];
  },
  // A = Q R with m >= n (Q m x n, R n x n): M = R R̄ᵀ - Q̄ᵀ Q, Ā = (Q̄ + Q copyltu(M)) R⁻ᵀ, copyltu(M) the symmetric
  // matrix with M's lower triangle (Walter & Lehmann 2018; Liao et al. 2019). 'complete' is the reduced QR when
  // the matrices are square; 'r' recomputes Q.
  pullback: ({ inputs: [x], outputs, grads, params: { mode } }, T) => {
    const [gq, gr] = mode === 'r' ? [null, grads[0]] : grads;
    if (!gq && !gr) return [null];
    if (mode === 'complete') checkGradShape('qr', x!, false, "mode 'complete' has arbitrary extra columns otherwise");
    checkGradShape('qr', x!, true, 'a wide R is not invertible');
    const [q, r] = mode === 'r' ? T.linalg.qr(x!) : (outputs as [Tensor, Tensor]);
    const rr = gr ? T.matmul(r!, mT(gr, T)) : null;
    const qq = gq ? T.matmul(mT(gq, T), q!) : null;
    const m = rr && qq ? T.sub(rr, qq) : (rr ?? T.neg(qq!));
    const sym = T.add(T.tril(m), mT(T.tril(m, -1), T));
    const inner = T.matmul(q!, sym);
    return [timesInverseTranspose(gq ? T.add(gq, inner) : inner, r!, T)];
  },
  print: { kind: 'call', args: (p) => [`mode=${p.mode}`] },
  paramsKey: (p) => p.mode,
};

// ---------------------------------------------------------------------------------------------------------------
// lu

export interface LuParams {
  /** Outputs [P L, U] instead of [P, L, U]. */
  readonly permuteL: boolean;
  /** P as row indices (int32, A = L[p] U) instead of a permutation matrix. */
  readonly pIndices: boolean;
}

export const LU: OpDef<LuParams> = {
  name: 'lu',
  inferType([x], { permuteL, pIndices }) {
    checkMatrixType('lu', x!, 'the input', false);
    const dtype = linalgDType(x!.dtype);
    const batch = x!.shape.slice(0, -2);
    const { m, n, k } = coreLengths(x!);
    const l = new TensorType(dtype, [...batch, m, k]);
    const u = new TensorType(dtype, [...batch, k, n]);
    if (permuteL) return [l, u];
    const p = pIndices ? new TensorType('int32', [...batch, m]) : new TensorType(dtype, [...batch, m, m]);
    return [p, l, u];
  },
  inferShape([x], { permuteL, pIndices }) {
    const m = { input: 0, axis: x!.ndim - 2 };
    const n = { input: 0, axis: x!.ndim - 1 };
    const l = withBatch(x!, [m, null]);
    const u = withBatch(x!, [null, n]);
    return permuteL ? [l, u] : [withBatch(x!, pIndices ? [m] : [m, m]), l, u];
  },
  evaluate([x], params, types) {
    return evaluateLu(x!, params, types as TensorType[]);
  },
  // A = P L U (square): Pᵀ dA = dL U + L dU, so Ā = P L⁻ᵀ (tril(Lᵀ L̄, -1) + triu(Ū Uᵀ)) U⁻ᵀ. P is piecewise
  // constant (no gradient); with permuteL, L̄ = Pᵀ (P L)̄.
  pullback: ({ inputs: [x], outputs, grads, params }, T) => {
    const [gl0, gu] = params.permuteL ? grads : grads.slice(1);
    if (!gl0 && !gu) return [null];
    checkGradShape('lu', x!, false, 'the factors of a rectangular matrix are not square');
    const plain = !params.permuteL && !params.pIndices;
    const [p, l, u] = plain ? (outputs as [Tensor, Tensor, Tensor]) : T.linalg.lu(x!);
    const gl = gl0 && params.permuteL ? T.matmul(mT(p!, T), gl0) : gl0;
    return [luPullback(p!, l!, u!, gl ?? null, gu ?? null, T)];
  },
  print: {
    kind: 'call',
    args: (p) => [...(p.permuteL ? ['permuteL=true'] : []), ...(p.pIndices ? ['pIndices=true'] : [])],
  },
  paramsKey: (p) => `${p.permuteL},${p.pIndices}`,
};

/** Ā = P L⁻ᵀ (tril(Lᵀ L̄, -1) + triu(Ū Uᵀ)) U⁻ᵀ for A = P L U (square, unit lower L). */
export function luPullback(p: Tensor, l: Tensor, u: Tensor, gl: Tensor | null, gu: Tensor | null, T: GradBuilder) {
  const lower = gl ? T.tril(T.matmul(mT(l, T), gl), -1) : null;
  const upper = gu ? T.triu(T.matmul(gu, mT(u, T))) : null;
  const inner = lower && upper ? T.add(lower, upper) : (lower ?? upper!);
  const left = T.linalg.solveTriangular(l, inner, { lower: true, trans: true, unitDiagonal: true });
  return T.matmul(p, timesInverseTranspose(left, u, T));
}

function evaluateLu(x: NDArray, params: LuParams, types: TensorType[]) {
  const nd = x.ndim;
  const [m, n] = [x.shape[nd - 2]!, x.shape[nd - 1]!];
  const k = Math.min(m, n);
  const batch = x.shape.slice(0, -2) as number[];
  const dtype = types[types.length - 1]!.dtype as 'float64';
  const stack = new MatrixStack(x, batch, 2);
  const p = params.permuteL
    ? null
    : new OutputStack(params.pIndices ? 'int32' : dtype, batch, params.pIndices ? [m] : [m, m]);
  const l = new OutputStack(dtype, batch, [m, k]);
  const u = new OutputStack(dtype, batch, [k, n]);
  const work = new Float64Array(m * n);
  const lw = new Float64Array(m * k);
  for (let b = 0; b < stack.count; b++) {
    const { perm } = luRectangular(stack.read(b, work), m, n);
    lw.fill(0);
    // row i of L (P L with permuteL: row perm[i] of it) is row i of the factored matrix below the diagonal
    for (let i = 0; i < m; i++) {
      const row = params.permuteL ? perm[i]! : i;
      for (let j = 0; j < Math.min(i, k); j++) lw[row * k + j] = work[i * n + j]!;
      if (i < k) lw[row * k + i] = 1;
    }
    l.write(b, lw);
    u.write(b, upperPart(work, m, n, k));
    if (!p) continue;
    // A = P L U: row perm[i] of A is row i of L U, so P[perm[i], i] = 1 and A = (L U)[p] with p[perm[i]] = i
    const pw = new Float64Array(params.pIndices ? m : m * m);
    for (let i = 0; i < m; i++) {
      if (params.pIndices) pw[perm[i]!] = i;
      else pw[perm[i]! * m + i] = 1;
    }
    p.write(b, pw);
  }
  return p ? [p.array, l.array, u.array] : [l.array, u.array];
}
