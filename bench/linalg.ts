/**
 * T.linalg against ml-matrix (a pure-JS linear-algebra library: JAMA's algorithms), in the same process on the
 * same seeded data, at n = 64, 256 and 512 (float64):
 *
 * - solve: A x = B with a general A (diagonally dominated, uniform entries) and B of 8 columns (LU with partial
 *   pivoting in both);
 * - cholesky: the factor of an SPD matrix M Mᵀ / n + I;
 * - eigh: eigenvalues and eigenvectors of a symmetric matrix;
 * - svd: singular values and vectors of a square matrix (Golub–Kahan in both);
 * - qr: Q and R of a square matrix (Householder in both; the check compares |diag(R)|, the signs may differ);
 * - lu: P, L and U of a square matrix (partial pivoting in both; the check compares U);
 * - pinv: the pseudo-inverse of a square matrix (SVD in both).
 *
 * theano-ts runs a compiled function (`theano.function`, FAST_RUN); ml-matrix builds its `Matrix` from the same
 * nested arrays each call, as a user would (the conversion is part of its cost, as our input conversion is of
 * ours). Reports the median ms per call and ratios; a check compares the two results (solutions, factors, sorted
 * eigen- and singular values). Target: theano at least as fast as ml-matrix (ratio theano/ml-matrix <= 1).
 */
import {
  CholeskyDecomposition,
  EigenvalueDecomposition,
  LuDecomposition,
  Matrix,
  pseudoInverse,
  QrDecomposition,
  SingularValueDecomposition,
  solve as mlSolve,
} from 'ml-matrix';
import * as theano from '../src/index.js';
import type { NDArray } from '../src/index.js';
import { fmt, fmtRatio, fmtSci, seededRandom, targetNote, timeInterleaved, type BenchReport } from './harness.js';

const T = theano.tensor;
const SIZES = [64, 256, 512];
const RUNS: Record<number, { runs: number; warmup: number }> = {
  64: { runs: 30, warmup: 5 },
  256: { runs: 7, warmup: 2 },
  512: { runs: 3, warmup: 1 },
};

type Nested = number[][];

function randomMatrix(rand: () => number, rows: number, cols: number): Nested {
  return Array.from({ length: rows }, () => Array.from({ length: cols }, () => rand() * 2 - 1));
}
const symmetric = (m: Nested): Nested => m.map((row, i) => row.map((v, j) => (v + m[j]![i]!) / 2));
function spd(m: Nested): Nested {
  const n = m.length;
  const product = new Matrix(m).mmul(new Matrix(m).transpose()).to2DArray();
  // symmetric to the last bit (ml-matrix checks it exactly)
  return symmetric(product).map((row, i) => row.map((v, j) => v / n + (i === j ? 1 : 0)));
}
const dominant = (m: Nested): Nested => m.map((row, i) => row.map((v, j) => v + (i === j ? m.length / 4 : 0)));

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};
const flat = (x: NDArray) => x.contiguous().data as Float64Array;
const sorted = (x: ArrayLike<number>) => Float64Array.from(x).sort();

interface Row {
  op: string;
  n: number;
  theano: number;
  ml: number;
  diff: number;
}

function measure(op: string, n: number, rand: () => number): Row {
  const a = T.dmatrix('a');
  const b = T.dmatrix('b');
  const { runs, warmup } = RUNS[n]!;
  let theanoCall: () => Float64Array;
  let mlCall: () => Float64Array;
  if (op === 'solve') {
    const [A, B] = [dominant(randomMatrix(rand, n, n)), randomMatrix(rand, n, 8)];
    const f = theano.function([a, b], T.linalg.solve(a, b));
    theanoCall = () => flat(f(A, B));
    mlCall = () => Float64Array.from(mlSolve(new Matrix(A), new Matrix(B)).to1DArray());
  } else if (op === 'cholesky') {
    const A = spd(randomMatrix(rand, n, n));
    const f = theano.function([a], T.linalg.cholesky(a));
    theanoCall = () => flat(f(A));
    mlCall = () => Float64Array.from(new CholeskyDecomposition(new Matrix(A)).lowerTriangularMatrix.to1DArray());
  } else if (op === 'eigh') {
    const A = symmetric(randomMatrix(rand, n, n));
    const f = theano.function([a], T.linalg.eigh(a));
    theanoCall = () => sorted(flat(f(A)[0]));
    mlCall = () => sorted(new EigenvalueDecomposition(new Matrix(A), { assumeSymmetric: true }).realEigenvalues);
  } else if (op === 'qr') {
    const A = randomMatrix(rand, n, n);
    const f = theano.function([a], T.linalg.qr(a));
    const absDiag = (r: ArrayLike<number>) => Float64Array.from({ length: n }, (_, i) => Math.abs(r[i * n + i]!));
    theanoCall = () => absDiag(flat(f(A)[1]));
    mlCall = () => {
      const qr = new QrDecomposition(new Matrix(A));
      void qr.orthogonalMatrix;
      return absDiag(qr.upperTriangularMatrix.to1DArray());
    };
  } else if (op === 'lu') {
    const A = randomMatrix(rand, n, n);
    const f = theano.function([a], T.linalg.lu(a));
    theanoCall = () => flat(f(A)[2]);
    mlCall = () => {
      const lu = new LuDecomposition(new Matrix(A));
      void lu.lowerTriangularMatrix;
      void lu.pivotPermutationVector;
      return Float64Array.from(lu.upperTriangularMatrix.to1DArray());
    };
  } else if (op === 'pinv') {
    const A = randomMatrix(rand, n, n);
    const f = theano.function([a], T.linalg.pinv(a));
    theanoCall = () => flat(f(A));
    mlCall = () => Float64Array.from(pseudoInverse(new Matrix(A)).to1DArray());
  } else {
    const A = randomMatrix(rand, n, n);
    const f = theano.function([a], T.linalg.svd(a));
    theanoCall = () => sorted(flat(f(A)[1]));
    mlCall = () => sorted(new SingularValueDecomposition(new Matrix(A)).diagonal);
  }
  const times = timeInterleaved({ theano: theanoCall, ml: mlCall }, runs, warmup);
  return {
    op,
    n,
    theano: times.theano.median,
    ml: times.ml.median,
    diff: maxDiff(times.theano.last as Float64Array, times.ml.last as Float64Array),
  };
}

const OPS = ['solve', 'cholesky', 'eigh', 'svd', 'qr', 'lu', 'pinv'];
/** LINALG_OPS=svd,qr runs only those ops. */
const ops = () => (process.env.LINALG_OPS ? process.env.LINALG_OPS.split(',') : OPS);
/** LINALG_SIZES=64,256 runs only those sizes. */
const sizes = () => (process.env.LINALG_SIZES ? process.env.LINALG_SIZES.split(',').map(Number) : SIZES);

export async function run(): Promise<BenchReport> {
  const rand = seededRandom(5);
  const rows: Row[] = [];
  for (const op of ops()) for (const n of sizes()) rows.push(measure(op, n, rand));
  const notes = rows.map((r) =>
    targetNote(`${r.op} ${r.n}: theano time / ml-matrix time`, r.theano / r.ml, 'atMost', 1),
  );
  const bad = rows.filter((r) => !(r.diff <= 1e-8 * r.n));
  notes.push(
    bad.length === 0
      ? 'checks passed: solutions, factors, eigenvalues, singular values and pseudo-inverses agree with ml-matrix within 1e-8·n'
      : `CHECK FAILED: ${bad.map((r) => `${r.op} ${r.n} differs by ${fmtSci(r.diff)}`).join(', ')}`,
  );
  return {
    title: 'T.linalg vs ml-matrix (float64)',
    tables: [
      {
        title: 'median ms per call (solve: 8 right-hand sides; eigh and svd with vectors; qr: Q and R; lu: P, L and U)',
        columns: ['op', 'n', 'theano ms', 'ml-matrix ms', 'theano/ml-matrix', 'max |diff|'],
        rows: rows.map((r) => [r.op, r.n, fmt(r.theano, 2), fmt(r.ml, 2), fmtRatio(r.theano / r.ml), fmtSci(r.diff)]),
      },
    ],
    notes,
  };
}
