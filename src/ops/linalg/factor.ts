/**
 * Ops on one square matrix (per batch item): the Cholesky factor, the determinant, its sign and log-magnitude
 * (`slogdet`), and the inverse. Each reads the last two axes as the matrix and loops over the leading ones.
 *
 * Singular and indefinite inputs follow numpy: `det` is 0 and `slogdet` is (0, -inf) for a singular matrix, the
 * inverse of one throws `LinAlgError`; `cholesky` of a matrix that is not positive definite throws (or, with
 * `onError: 'nan'`, gives a factor of NaNs, as PyTensor's default does).
 */
import type { OpDef } from '../../graph/op.js';
import {
  choleskyLower,
  identity,
  LinAlgError,
  luFactor,
  luSolveInPlace,
  transposeSquare,
} from '../../runtime/linalg.js';
import type { NDArray } from '../../runtime/ndarray.js';
import { TensorType } from '../../types/tensor-type.js';
import { checkMatrixType, checkSquare, linalgDType, MatrixStack, OutputStack, squareLength } from './batch.js';
import { asMatrices, diagPart, mT } from './grad-helpers.js';

/** " (batch item 3)" for an item of a stack, "" for a lone matrix. */
export const itemText = (b: number, batch: readonly number[]) =>
  batch.length === 0 ? '' : ` (batch item ${b} of ${batch.length === 1 ? batch[0] : `(${batch.join(', ')})`})`;

/** The type of a square matrix op's output of the same shape (both core lengths known when one is). */
function squareType(op: string, x: TensorType): TensorType {
  checkMatrixType(op, x, 'the input', true);
  const n = squareLength(x);
  return new TensorType(linalgDType(x.dtype), [...x.shape.slice(0, -2), n, n]);
}

/** Each matrix of `x` (float64, row-major) in turn, with its batch index; the batch shape. */
function forEachSquare(op: string, x: NDArray) {
  const n = checkSquare(op, x, 'the input');
  const batch = x.shape.slice(0, -2) as number[];
  return { n, batch, stack: new MatrixStack(x, batch, 2) };
}

const squareFacts = ([x]: readonly TensorType[]) => [
  [
    ...x!.shape.slice(0, -2).map((_, axis) => ({ input: 0, axis })),
    { input: 0, axis: x!.ndim - 2 },
    { input: 0, axis: x!.ndim - 2 },
  ],
];
const batchFacts = ([x]: readonly TensorType[]) => [x!.shape.slice(0, -2).map((_, axis) => ({ input: 0, axis }))];

// ---------------------------------------------------------------------------------------------------------------
// cholesky

export interface CholeskyParams {
  /** The lower factor L (A = L Lᵀ, A's lower triangle read) or the upper U (A = Uᵀ U, its upper triangle read). */
  readonly lower: boolean;
  /** What a matrix that is not positive definite gives: an error, or a factor of NaNs. */
  readonly onError: 'raise' | 'nan';
}

export const CHOLESKY: OpDef<CholeskyParams> = {
  name: 'cholesky',
  inferType: ([x]) => [squareType('cholesky', x!)],
  inferShape: squareFacts,
  evaluate([x], { lower, onError }, [type], alloc) {
    const { n, batch, stack } = forEachSquare('cholesky', x!);
    const out = new OutputStack(type!.dtype as 'float64', batch, [n, n], alloc);
    const work = new Float64Array(n * n);
    for (let b = 0; b < stack.count; b++) {
      stack.read(b, work);
      if (!lower) transposeSquare(work, n); // Uᵀ is the lower factor of Aᵀ, whose lower triangle is A's upper one
      const failed = choleskyLower(work, n);
      if (failed >= 0) {
        if (onError === 'raise') {
          throw new LinAlgError(
            `cholesky: the matrix is not positive definite${itemText(b, batch)}: the leading minor of order ${failed + 1} is not positive (use onError: 'nan' for a factor of NaNs instead)`,
          );
        }
        out.fill(b, NaN);
        continue;
      }
      if (!lower) transposeSquare(work, n);
      out.write(b, work);
    }
    return [out.array];
  },
  // Murray (2016), "Differentiation of the Cholesky decomposition": with A = L Lᵀ and Φ(X) the lower triangle of
  // X with its diagonal halved, S = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹ and Ā = tril(S + Sᵀ) - diag(S) (only A's lower triangle is
  // read). The upper factor is the lower factor of Aᵀ: the same formula on Uᵀ, transposed back.
  pullback: ({ outputs: [factor], grads: [gFactor], params: { lower } }, T) => {
    if (!gFactor) return [null];
    const L = lower ? factor! : mT(factor!, T);
    const gL = lower ? gFactor : mT(gFactor, T);
    const lt = T.matmul(mT(L, T), gL);
    const phi = T.sub(T.tril(lt), T.mul(diagPart(lt, T), 0.5));
    const leftSolved = T.linalg.solveTriangular(L, phi, { lower: true, trans: true }); // L⁻ᵀ Φ
    const s = mT(T.linalg.solveTriangular(L, mT(leftSolved, T), { lower: true, trans: true }), T); // (L⁻ᵀ (L⁻ᵀ Φ)ᵀ)ᵀ
    const g = T.sub(T.tril(T.add(s, mT(s, T))), diagPart(s, T));
    return [lower ? g : mT(g, T)];
  },
  print: { kind: 'call', args: (p) => [`lower=${p.lower}`] },
  paramsKey: (p) => `${p.lower},${p.onError}`,
};

// ---------------------------------------------------------------------------------------------------------------
// det and slogdet

function detType(op: string, x: TensorType): TensorType {
  checkMatrixType(op, x, 'the input', true);
  return new TensorType(linalgDType(x.dtype), x.shape.slice(0, -2));
}

/** The LU factorization of each matrix of `x`, handed to `use` with its batch index. */
function eachLu(
  op: string,
  x: NDArray,
  use: (work: Float64Array, n: number, lu: ReturnType<typeof luFactor>, b: number) => void,
) {
  const { n, batch, stack } = forEachSquare(op, x);
  const work = new Float64Array(n * n);
  for (let b = 0; b < stack.count; b++) use(work, n, luFactor(stack.read(b, work), n), b);
  return batch;
}

export const DET: OpDef<undefined> = {
  name: 'det',
  inferType: ([x]) => [detType('det', x!)],
  inferShape: batchFacts,
  evaluate([x], _p, [type], alloc) {
    const values: number[] = [];
    const batch = eachLu('det', x!, (u, n, { sign }) => {
      let d = sign;
      for (let i = 0; i < n; i++) d *= u[i * n + i]!;
      values.push(d);
    });
    const out = new OutputStack(type!.dtype as 'float64', batch, [], alloc);
    values.forEach((v, b) => out.write(b, [v]));
    return [out.array];
  },
  // d det(X) = det(X) tr(X⁻¹ dX): X̄ = ḡ det(X) X⁻ᵀ
  pullback: ({ inputs: [x], outputs: [d], grads: [g] }, T) =>
    g ? [T.mul(asMatrices(T.mul(g, d!), T), mT(T.linalg.matrixInverse(x!), T))] : [null],
  print: { kind: 'call' },
};

export const SLOGDET: OpDef<undefined> = {
  name: 'slogdet',
  inferType: ([x]) => [detType('slogdet', x!), detType('slogdet', x!)],
  inferShape: (inputs) => [...batchFacts(inputs), ...batchFacts(inputs)],
  evaluate([x], _p, [type], alloc) {
    const signs: number[] = [];
    const logs: number[] = [];
    const batch = eachLu('slogdet', x!, (u, n, { sign }) => {
      let s = sign;
      let log = 0;
      for (let i = 0; i < n; i++) {
        const v = u[i * n + i]!;
        s *= Math.sign(v);
        log += Math.log(Math.abs(v));
      }
      // a singular matrix: numpy's (0, -inf); NaN entries carry NaN through both
      signs.push(s === 0 ? 0 : s);
      logs.push(s === 0 ? -Infinity : log);
    });
    const sign = new OutputStack(type!.dtype as 'float64', batch, []);
    const log = new OutputStack(type!.dtype as 'float64', batch, [], alloc);
    signs.forEach((v, b) => sign.write(b, [v]));
    logs.forEach((v, b) => log.write(b, [v]));
    return [sign.array, log.array];
  },
  // d log|det X| = tr(X⁻¹ dX): X̄ = ḡ X⁻ᵀ; the sign is piecewise constant
  pullback: ({ inputs: [x], grads: [, g] }, T) =>
    g ? [T.mul(asMatrices(g, T), mT(T.linalg.matrixInverse(x!), T))] : [null],
  print: { kind: 'call' },
};

// ---------------------------------------------------------------------------------------------------------------
// matrix_inverse

export const MATRIX_INVERSE: OpDef<undefined> = {
  name: 'matrix_inverse',
  inferType: ([x]) => [squareType('matrixInverse', x!)],
  inferShape: squareFacts,
  evaluate([x], _p, [type], alloc) {
    const n = x!.shape[x!.ndim - 1]!;
    const batch = x!.shape.slice(0, -2) as number[];
    const out = new OutputStack(type!.dtype as 'float64', batch, [n, n], alloc);
    eachLu('matrixInverse', x!, (lu, _n, { pivots, singular }, b) => {
      if (singular) throw new LinAlgError(`matrixInverse: the matrix is singular${itemText(b, batch)}`);
      const inv = identity(n);
      luSolveInPlace(lu, n, pivots, inv, n);
      out.write(b, inv);
    });
    return [out.array];
  },
  // d(X⁻¹) = -X⁻¹ dX X⁻¹: X̄ = -X⁻ᵀ Ȳ X⁻ᵀ
  pullback: ({ outputs: [y], grads: [g] }, T) => {
    if (!g) return [null];
    const yT = mT(y!, T);
    return [T.neg(T.matmul(yT, T.matmul(g, yT)))];
  },
  print: { kind: 'call' },
};
