/**
 * Linear solves A X = B: `solve` (a general matrix by LU with partial pivoting, a symmetric one from one triangle,
 * a positive-definite one by Cholesky) and `solve_triangular`. A is a square matrix (last two axes); B is a vector
 * when it is 1-D and otherwise a matrix (n x k) per batch item, as numpy 2's `solve`; the batch axes of A and B
 * broadcast. A singular A throws `LinAlgError` (numpy's "Singular matrix"), as does a `pos` A that is not positive
 * definite.
 */
import type { GradBuilder, OpDef, OutputAllocator } from '../../graph/op.js';
import {
  choleskyLower,
  LinAlgError,
  luFactor,
  luSolveInPlace,
  solveTriangularInPlace,
  transposeSquare,
  type TriangularOptions,
} from '../../runtime/linalg.js';
import { shapeToString, type NDArray } from '../../runtime/ndarray.js';
import type { Tensor } from '../../tensor/tensor.js';
import { TensorType, type StaticDim } from '../../types/tensor-type.js';
import type { LengthFact } from '../../graph/op.js';
import {
  checkMatrixType,
  checkSquare,
  linalgDType,
  MatrixStack,
  OutputStack,
  runBatch,
  squareLength,
  staticBatch,
  staticText,
} from './batch.js';
import { itemText } from './factor.js';
import { asColumns, foldTriangle, mT } from './grad-helpers.js';

/** B's core rank: a lone vector is one right-hand side, anything else a stack of n x k matrices. */
const coreOf = (b: { ndim: number }): 1 | 2 => (b.ndim === 1 ? 1 : 2);

function inferSolve(op: string, a: TensorType, b: TensorType): TensorType {
  checkMatrixType(op, a, 'a', true);
  if (b.ndim === 0) throw new TypeError(`${op}: b must be a vector or a stack of matrices, got ${b}`);
  const core = coreOf(b);
  const n = squareLength(a);
  const rows = b.shape[b.ndim - core]!;
  if (n !== null && rows !== null && n !== rows) {
    throw new RangeError(
      `${op}: a of static shape ${staticText(a.shape)} and b of static shape ${staticText(b.shape)} do not align: b has ${rows} rows, a has ${n}`,
    );
  }
  const batch = staticBatch(op, [
    [a, 2],
    [b, core],
  ]);
  const shape: StaticDim[] = core === 1 ? [...batch, n ?? rows] : [...batch, n ?? rows, b.shape[b.ndim - 1]!];
  return new TensorType(linalgDType(a.dtype, b.dtype), shape);
}

function solveFacts([a, b]: readonly TensorType[]): LengthFact[][] {
  const core = coreOf(b!);
  const batchA = a!.ndim - 2;
  const batchB = b!.ndim - core;
  const batch = Math.max(batchA, batchB);
  const facts: LengthFact[] = Array.from({ length: batch }, (_, k) => ({
    broadcast: [
      ...(k - (batch - batchA) >= 0 ? [{ input: 0, axis: k - (batch - batchA) }] : []),
      ...(k - (batch - batchB) >= 0 ? [{ input: 1, axis: k - (batch - batchB) }] : []),
    ],
  }));
  facts.push({ input: 0, axis: a!.ndim - 1 });
  if (core === 2) facts.push({ input: 1, axis: b!.ndim - 1 });
  return [facts];
}

/**
 * Runs `solveOne(A, n, B, k, item)` on each pair of matrices (A and B as float64 row-major work buffers; the
 * solution is left in B) and returns the stacked solutions.
 */
function evaluateSolve(
  op: string,
  a: NDArray,
  b: NDArray,
  type: TensorType,
  alloc: OutputAllocator | undefined,
  solveOne: (aw: Float64Array, n: number, bw: Float64Array, k: number, item: string) => void,
): NDArray {
  const n = checkSquare(op, a, 'a');
  const core = coreOf(b);
  if (b.shape[b.ndim - core] !== n) {
    throw new RangeError(
      `${op}: a of shape ${shapeToString(a.shape)} and b of shape ${shapeToString(b.shape)} do not align: b has ${b.shape[b.ndim - core]} rows, a has ${n}`,
    );
  }
  const batch = runBatch(op, [
    [a, 2],
    [b, core],
  ]);
  const as = new MatrixStack(a, batch, 2);
  const bs = new MatrixStack(b, batch, core);
  const k = bs.cols;
  const out = new OutputStack(type.dtype as 'float64', batch, core === 1 ? [n] : [n, k], alloc);
  const aw = new Float64Array(n * n);
  const bw = new Float64Array(n * k);
  for (let i = 0; i < as.count; i++) {
    solveOne(as.read(i, aw), n, bs.read(i, bw), k, itemText(i, batch));
    out.write(i, bw);
  }
  return out.array;
}

/**
 * The gradients of X = A⁻¹ B (or A⁻ᵀ B) given B̄ = A⁻ᵀ X̄ (or A⁻¹ X̄) from `solveAdjoint`: Ā = -B̄ Xᵀ (or -X B̄ᵀ).
 * A lone vector b beside a batched A is handled as a stack of columns, and its gradient summed over the batch.
 */
function solvePullback(
  a: Tensor,
  b: Tensor,
  x: Tensor,
  gx: Tensor,
  trans: boolean,
  solveAdjoint: (g: Tensor) => Tensor,
  T: GradBuilder,
): [Tensor, Tensor] {
  const vector = b.ndim === 1;
  // with a batched a, a lone vector b's gradient is batched like x: solved as a stack of columns, then summed
  const columns = vector && a.ndim > 2;
  const gbItems = columns ? T.sum(solveAdjoint(asColumns(gx, T)), -1) : solveAdjoint(gx);
  const [left, right] = trans ? [x, gbItems] : [gbItems, x];
  const ga = vector ? T.mul(asColumns(left, T), T.expandDims(right, right.ndim - 1)) : T.matmul(left, mT(right, T));
  // each input's gradient summed over the batch axes it was broadcast along
  return [T.sumToShape(T.neg(ga), a), T.sumToShape(gbItems, b)];
}

// ---------------------------------------------------------------------------------------------------------------
// solve

export interface SolveParams {
  /** 'gen': any square A (LU); 'sym': symmetric, read from one triangle; 'pos': symmetric positive definite. */
  readonly assumeA: 'gen' | 'sym' | 'pos';
  /** For 'sym' and 'pos': read A's lower triangle (else its upper one, scipy's default). */
  readonly lower: boolean;
}

/** A symmetric matrix completed from the triangle it is read from. */
function mirrorTriangle(a: Float64Array, n: number, lower: boolean): void {
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (lower) a[i * n + j] = a[j * n + i]!;
      else a[j * n + i] = a[i * n + j]!;
    }
  }
}

function solveGeneral(aw: Float64Array, n: number, bw: Float64Array, k: number, item: string): void {
  const { pivots, singular } = luFactor(aw, n);
  if (singular) throw new LinAlgError(`solve: the matrix a is singular${item}`);
  luSolveInPlace(aw, n, pivots, bw, k);
}

function solvePositive(aw: Float64Array, n: number, bw: Float64Array, k: number, item: string, lower: boolean) {
  if (!lower) transposeSquare(aw, n);
  const failed = choleskyLower(aw, n);
  if (failed >= 0) {
    throw new LinAlgError(
      `solve: the matrix a is not positive definite${item}: the leading minor of order ${failed + 1} is not positive (assumeA: 'pos')`,
    );
  }
  solveTriangularInPlace(aw, n, bw, k, { lower: true, trans: false, unitDiagonal: false });
  solveTriangularInPlace(aw, n, bw, k, { lower: true, trans: true, unitDiagonal: false });
}

export const SOLVE: OpDef<SolveParams> = {
  name: 'solve',
  inferType: ([a, b]) => [inferSolve('solve', a!, b!)],
  inferShape: solveFacts,
  evaluate: ([a, b], { assumeA, lower }, [type], alloc) => [
    evaluateSolve('solve', a!, b!, type!, alloc, (aw, n, bw, k, item) => {
      if (assumeA === 'pos') return solvePositive(aw, n, bw, k, item, lower);
      if (assumeA === 'sym') mirrorTriangle(aw, n, lower);
      solveGeneral(aw, n, bw, k, item);
    }),
  ],
  // X = A⁻¹ B: B̄ = A⁻ᵀ X̄, Ā = -B̄ Xᵀ. A symmetric A read from one triangle gets that gradient folded into it.
  pullback: ({ inputs: [a, b], outputs: [x], grads: [gx], params }, T) => {
    if (!gx) return [null, null];
    const adjoint = (g: Tensor) =>
      params.assumeA === 'gen' ? T.linalg.solve(mT(a!, T), g) : T.linalg.solve(a!, g, params);
    const [ga, gb] = solvePullback(a!, b!, x!, gx, false, adjoint, T);
    return [params.assumeA === 'gen' ? ga : foldTriangle(ga, params.lower, T), gb];
  },
  print: { kind: 'call', args: (p) => [`assumeA=${p.assumeA}`, ...(p.assumeA === 'gen' ? [] : [`lower=${p.lower}`])] },
  paramsKey: (p) => `${p.assumeA},${p.lower}`,
};

// ---------------------------------------------------------------------------------------------------------------
// solve_triangular

export type SolveTriangularParams = TriangularOptions;

export const SOLVE_TRIANGULAR: OpDef<SolveTriangularParams> = {
  name: 'solve_triangular',
  inferType: ([a, b]) => [inferSolve('solveTriangular', a!, b!)],
  inferShape: solveFacts,
  evaluate: ([a, b], params, [type], alloc) => [
    evaluateSolve('solveTriangular', a!, b!, type!, alloc, (aw, n, bw, k, item) => {
      try {
        solveTriangularInPlace(aw, n, bw, k, params);
      } catch (e) {
        throw e instanceof LinAlgError ? new LinAlgError(`solveTriangular: ${e.message}${item}`) : e;
      }
    }),
  ],
  // X = A⁻¹ B: B̄ = A⁻ᵀ X̄ and Ā = -B̄ Xᵀ; X = A⁻ᵀ B: B̄ = A⁻¹ X̄ and Ā = -X B̄ᵀ. Only A's triangle is read (and
  // not its diagonal, with unitDiagonal), so Ā is masked to it.
  pullback: ({ inputs: [a, b], outputs: [x], grads: [gx], params }, T) => {
    if (!gx) return [null, null];
    const adjoint = (g: Tensor) => T.linalg.solveTriangular(a!, g, { ...params, trans: !params.trans });
    const [ga, gb] = solvePullback(a!, b!, x!, gx, params.trans, adjoint, T);
    const masked = params.lower ? T.tril(ga) : T.triu(ga);
    return [params.unitDiagonal ? T.sub(masked, T.triu(T.tril(ga))) : masked, gb];
  },
  print: {
    kind: 'call',
    args: (p) => [
      `lower=${p.lower}`,
      ...(p.trans ? ['trans=true'] : []),
      ...(p.unitDiagonal ? ['unitDiagonal=true'] : []),
    ],
  },
  paramsKey: (p) => `${p.lower},${p.trans},${p.unitDiagonal}`,
};
