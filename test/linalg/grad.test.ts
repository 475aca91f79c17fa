/**
 * T.linalg gradients against central finite differences (theano.gradient.verifyGrad), on fast-check drawn
 * well-conditioned inputs: symmetric positive-definite matrices are built in the graph as X Xᵀ + n I (so every
 * perturbation keeps them SPD), general ones as X + n I. Batched inputs too; fixed seeds.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

const T = theano.tensor;
const L = T.linalg as unknown as Record<string, (...args: unknown[]) => Tensor & Tensor[]>;
type Fn = (...x: Tensor[]) => Tensor;

const RUNS = { numRuns: 6, seed: 7 };
const real = fc.double({ min: -1, max: 1, noNaN: true });

function nest(flat: number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  const [d, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: d! }, (_, i) => nest(flat.slice(i * size, (i + 1) * size), rest));
}
const valuesOf = (shape: readonly number[]) => {
  const size = shape.reduce((a, b) => a * b, 1);
  return fc.array(real, { minLength: size, maxLength: size }).map((f) => nest(f, shape));
};

/** X Xᵀ + n I over the last two axes: symmetric positive definite for every X. */
const size = (x: Tensor) => T.shape(x, (x.ndim - 1) as never) as Tensor<'int64', 0>;
const spd = (x: Tensor) => {
  const n = size(x);
  const xt = T.dimshuffle(x, [...Array.from({ length: x.ndim - 2 }, (_, i) => i), x.ndim - 1, x.ndim - 2] as never);
  return T.add(T.matmul(x as never, xt as never), T.mul(T.eye(n), n)) as Tensor;
};
/** X + n I: well conditioned for X's entries in [-1, 1]. */
const wellConditioned = (x: Tensor) => T.add(x, T.mul(T.eye(size(x)), size(x))) as Tensor;
/** A fixed weighting so that sum(w * f) depends on every entry differently. */
const weigh = (y: Tensor) =>
  T.sum(T.mul(y, T.sin(T.add(T.arange(T.shape(y, (y.ndim - 1) as never)), 1) as never))) as Tensor;

function check(label: string, fn: Fn, shapes: readonly (readonly number[])[]): void {
  fc.assert(
    fc.property(fc.tuple(...shapes.map(valuesOf)), (point) => {
      try {
        theano.gradient.verifyGrad(fn as never, point as never, { nTests: 1, seed: 3 });
      } catch (e) {
        throw new Error(`${label} at ${JSON.stringify(point)}: ${(e as Error).message}`);
      }
    }),
    RUNS,
  );
}

describe('gradients vs finite differences', () => {
  test('cholesky (lower and upper), batched', () => {
    check('cholesky', (x) => weigh(L.cholesky!(spd(x))), [[3, 3]]);
    check('cholesky upper', (x) => weigh(L.cholesky!(spd(x), { lower: false })), [[3, 3]]);
    check('cholesky batched', (x) => weigh(L.cholesky!(spd(x))), [[2, 3, 3]]);
  });

  test('solve (gen, sym, pos; vector and matrix b; batched a with a shared b)', () => {
    check('solve vector', (a, b) => weigh(L.solve!(wellConditioned(a), b)), [[3, 3], [3]]);
    check('solve matrix', (a, b) => weigh(L.solve!(wellConditioned(a), b)), [
      [3, 3],
      [3, 2],
    ]);
    check('solve batched, shared vector b', (a, b) => weigh(L.solve!(wellConditioned(a), b)), [[2, 3, 3], [3]]);
    check('solve batched, shared matrix b', (a, b) => weigh(L.solve!(wellConditioned(a), b)), [
      [2, 3, 3],
      [3, 2],
    ]);
    check('solve sym (upper)', (a, b) => weigh(L.solve!(wellConditioned(a), b, { assumeA: 'sym' })), [
      [3, 3],
      [3, 2],
    ]);
    check('solve pos (lower)', (a, b) => weigh(L.solve!(spd(a), b, { assumeA: 'pos', lower: true })), [[3, 3], [3]]);
    // the raw matrix, not made symmetric in the graph: only the triangle read gets a gradient
    check('solve pos raw', (a, b) => weigh(L.solve!(T.add(a, T.mul(T.eye(3), 4)) as Tensor, b, { assumeA: 'pos' })), [
      [3, 3],
      [3, 2],
    ]);
  });

  test('solveTriangular (lower/upper, trans, unit diagonal) and choSolve', () => {
    for (const lower of [true, false])
      for (const trans of [false, true])
        for (const unitDiagonal of [false, true]) {
          const opts = { lower, trans, unitDiagonal };
          check(
            `solveTriangular ${JSON.stringify(opts)}`,
            (a, b) => weigh(L.solveTriangular!(wellConditioned(a), b, opts)),
            [
              [3, 3],
              [3, 2],
            ],
          );
        }
    check(
      'solveTriangular vector, batched a',
      (a, b) => weigh(L.solveTriangular!(wellConditioned(a), b, { lower: true })),
      [[2, 3, 3], [3]],
    );
    check('choSolve', (a, b) => weigh(L.choSolve!([L.cholesky!(spd(a)), true], b)), [[3, 3], [3]]);
  });

  test('det, slogdet, matrixInverse, batched', () => {
    check('det', (x) => L.det!(wellConditioned(x)), [[3, 3]]);
    check('det batched', (x) => weigh(L.det!(wellConditioned(x))), [[2, 3, 3]]);
    check('slogdet', (x) => L.slogdet!(T.sub(x, T.mul(T.eye(3), 3)) as Tensor)[1]!, [[3, 3]]);
    check('slogdet batched', (x) => weigh(L.slogdet!(wellConditioned(x))[1]!), [[2, 3, 3]]);
    check('matrixInverse', (x) => weigh(L.matrixInverse!(wellConditioned(x))), [[3, 3]]);
    check('matrixInverse batched', (x) => weigh(L.matrixInverse!(wellConditioned(x))), [[2, 3, 3]]);
  });

  test('diagonal, allocDiag, trace', () => {
    check('diagonal offset 1', (x) => weigh(L.diagonal!(x, 1)), [[3, 4]]);
    check('diagonal batched', (x) => weigh(L.diagonal!(x, -1)), [[2, 3, 3]]);
    check('allocDiag', (v) => weigh(L.allocDiag!(v, { offset: 1 })), [[3]]);
    check('trace', (x) => L.trace!(x), [[3, 3]]);
  });

  test('eigh (values and vectors), eigvalsh, svd values, norms, matrixPower, kron', () => {
    // distinct eigenvalues: diag(1, 3, 5) plus a small symmetric perturbation
    const separated = (x: Tensor) => T.add(T.mul(T.add(x, x.T), 0.1), T.diag(T.constant([1, 3, 5]))) as Tensor;
    check('eigh values', (x) => weigh(L.eigh!(separated(x))[0]!), [[3, 3]]);
    // eigenvectors have arbitrary signs: differentiate a sign-free function of them (V diag(c) Vᵀ)
    check(
      'eigh vectors',
      (x) => {
        const v = L.eigh!(separated(x))[1]!;
        return weigh(T.matmul(T.mul(v, T.constant([1, -2, 0.5])) as never, v.T as never) as Tensor);
      },
      [[3, 3]],
    );
    check(
      'eigvalsh upper',
      (x) => weigh(L.eigvalsh!(T.add(x, T.diag(T.constant([1, 3, 5]))) as Tensor, { UPLO: 'U' })),
      [[3, 3]],
    );
    check(
      'svd values',
      (x) =>
        weigh(
          L.svd!(
            T.add(
              x,
              T.constant([
                [3, 0],
                [0, 1],
                [0, 0],
              ]),
            ) as Tensor,
            { computeUv: false },
          ) as unknown as Tensor,
        ),
      [[3, 2]],
    );
    // the offsets keep every entry away from 0 and the largest row and column sums unique (no kinks)
    for (const ord of ['fro', 'nuc', 1, Infinity, 2] as const)
      check(
        `norm ${String(ord)}`,
        (x) =>
          L.norm!(
            T.add(
              x,
              T.constant([
                [1.5, 4],
                [4, -7],
                [1.5, 4],
              ]),
            ) as Tensor,
            ord,
          ),
        [[3, 2]],
      );
    for (const ord of [undefined, 1, 3])
      check(`vector norm ${String(ord)}`, (v) => L.norm!(T.add(v, T.constant([2, -3, 4])) as Tensor, ord), [[3]]);
    check('matrixPower 3', (x) => weigh(L.matrixPower!(x, 3)), [[3, 3]]);
    check('matrixPower -2', (x) => weigh(L.matrixPower!(wellConditioned(x), -2)), [[3, 3]]);
    check('kron', (a, b) => weigh(L.kron!(a, b)), [
      [2, 2],
      [2, 3],
    ]);
  });

  test('qr (reduced: square, tall, batched; mode r; complete of a square matrix)', () => {
    const tallOffset = T.constant([
      [3, 0, 0],
      [0, 3, 0],
      [0, 0, 3],
      [1, 1, 1],
    ]);
    // numpy's Householder leaves a column that is already zero below the diagonal unreflected (R keeps its sign
    // there, a jump): the offsets keep every point away from such matrices
    const dense = (x: Tensor) =>
      T.add(
        x,
        T.constant([
          [3, 1, 0.5],
          [1.5, 3, 0.5],
          [0.5, 2, 3],
        ]),
      ) as Tensor;
    const both = (q: Tensor, r: Tensor) => T.add(weigh(q), weigh(r)) as Tensor;
    check('qr square', (x) => both(...(L.qr!(dense(x)) as unknown as [Tensor, Tensor])), [[3, 3]]);
    check('qr tall', (x) => both(...(L.qr!(T.add(x, tallOffset) as Tensor) as unknown as [Tensor, Tensor])), [[4, 3]]);
    check('qr batched', (x) => both(...(L.qr!(dense(x)) as unknown as [Tensor, Tensor])), [[2, 3, 3]]);
    check('qr Q only', (x) => weigh(L.qr!(T.add(x, tallOffset) as Tensor)[0]!), [[4, 3]]);
    check('qr mode r', (x) => weigh(L.qr!(T.add(x, tallOffset) as Tensor, { mode: 'r' })), [[4, 3]]);
    check('qr complete, square', (x) => weigh(L.qr!(dense(x), { mode: 'complete' })[0]!), [[3, 3]]);
  });

  test('lu (with row exchanges, permuteL, pIndices)', () => {
    // a fixed permutation of a well-conditioned matrix: partial pivoting exchanges rows, the same ones nearby
    const permuted = (x: Tensor) =>
      T.matmul(
        T.constant([
          [0, 0, 1],
          [1, 0, 0],
          [0, 1, 0],
        ]) as never,
        wellConditioned(x) as never,
      ) as Tensor;
    const lu = (x: Tensor, o?: object) => L.lu!(permuted(x), o) as unknown as Tensor[];
    check('lu L and U', (x) => T.add(weigh(lu(x)[1]!), weigh(lu(x)[2]!)) as Tensor, [[3, 3]]);
    check('lu U only, batched', (x) => weigh(lu(x)[2]!), [[2, 3, 3]]);
    check('lu permuteL', (x) => T.add(weigh(lu(x, { permuteL: true })[0]!), weigh(lu(x)[2]!)) as Tensor, [[3, 3]]);
    check('lu pIndices', (x) => weigh(lu(x, { pIndices: true })[1]!), [[3, 3]]);
  });

  test('pinv (tall, wide, batched, hermitian) and lstsq (x through a and b, s)', () => {
    const offset = T.constant([
      [3, 0, 0],
      [0, 2, 0],
      [0, 0, 1.5],
      [1, 1, 1],
    ]);
    const tall = (x: Tensor) => T.add(x, offset) as Tensor;
    const wide = (x: Tensor) => T.add(x, offset.T) as Tensor;
    check('pinv tall', (x) => weigh(L.pinv!(tall(x))), [[4, 3]]);
    check('pinv wide', (x) => weigh(L.pinv!(wide(x))), [[3, 4]]);
    check('pinv batched', (x) => weigh(L.pinv!(wellConditioned(x))), [[2, 3, 3]]);
    check('pinv hermitian (lower triangle)', (x) => weigh(L.pinv!(wellConditioned(x), { hermitian: true })), [[3, 3]]);
    check('lstsq x, vector b', (a, b) => weigh(L.lstsq!(tall(a), b)[0]!), [[4, 3], [4]]);
    check('lstsq x, matrix b', (a, b) => weigh(L.lstsq!(tall(a), b)[0]!), [
      [4, 3],
      [4, 2],
    ]);
    check('lstsq x, underdetermined', (a, b) => weigh(L.lstsq!(wide(a), b)[0]!), [[3, 4], [3]]);
    check('lstsq s', (a, b) => weigh(L.lstsq!(tall(a), b)[3]!), [[4, 3], [4]]);
  });

  test('svd through U and Vt (gauge-invariant costs, separated singular values)', () => {
    const separated = (x: Tensor, diag: number[][]) => T.add(T.mul(x, 0.2), T.constant(diag)) as Tensor;
    const square = [
      [5, 0, 0],
      [0, 3, 0],
      [0, 0, 1],
    ];
    const tall = [...square, [0, 0, 0]];
    // U diag(c) Vᵀ and the squares of U's and Vᵀ's entries do not change when a pair (u_i, v_i) flips sign
    const costs = (full: boolean) => (x: Tensor) => {
      const [u, s, vt] = L.svd!(x, { fullMatrices: full }) as unknown as [Tensor, Tensor, Tensor];
      const c = T.constant([1, -2, 0.5]);
      const mixed = T.matmul(T.mul(u, c) as never, vt as never) as Tensor;
      return T.add(
        T.add(weigh(mixed), weigh(T.sqr(u) as Tensor)),
        T.add(weigh(T.sqr(vt) as Tensor), weigh(s)),
      ) as Tensor;
    };
    check('svd vectors, square, full', (x) => costs(true)(separated(x, square)), [[3, 3]]);
    check('svd vectors, tall, reduced', (x) => costs(false)(separated(x, tall)), [[4, 3]]);
    check('svd vectors, wide, reduced', (x) => costs(false)(separated(x, tall).T as Tensor), [[4, 3]]);
    check(
      'svd U only, batched',
      (x) => weigh(T.sqr(L.svd!(separated(x, square), { fullMatrices: false })[0]!) as Tensor),
      [[2, 3, 3]],
    );
  });

  test('gradients that do not exist are refused with a clear error', () => {
    const x = T.dmatrix('x');
    const [u] = L.svd!(x) as unknown as Tensor[];
    expect(() => T.grad(T.sum(u!) as never, x)).toThrow(
      /svd: the gradient through U and Vᵀ needs fullMatrices: false \(or matrices known to be square\)/,
    );
    const wide = T.tensor('float64', [2, 3], 'w');
    expect(() => T.grad(T.sum(L.qr!(wide)[1]!) as never, wide)).toThrow(
      'qr: the gradient needs square or tall matrices (a wide R is not invertible), got static shape (2, 3)',
    );
    const tall = T.tensor('float64', [3, 2], 't');
    expect(() => T.grad(T.sum(L.lu!(tall)[2]!) as never, tall)).toThrow(
      'lu: the gradient needs square matrices (the factors of a rectangular matrix are not square), got static shape (3, 2)',
    );
    const [, residuals] = L.lstsq!(x, T.dvector('b')) as unknown as Tensor[];
    expect(() => T.grad(T.sum(residuals!) as never, x)).toThrow(/lstsq: the residuals have no gradient/);
  });
});

describe('Rop (forward mode) through linear algebra, as PyTensor has for these ops', () => {
  // J v by central differences of the compiled function, against theano.Rop's graph
  const spd = [
    [4, 1, 0.5],
    [1, 3, 0.25],
    [0.5, 0.25, 2],
  ];
  const dir = [
    [0.3, -0.2, 0.1],
    [-0.2, 0.5, 0.05],
    [0.1, 0.05, -0.4],
  ];
  const b = [
    [1, 2],
    [0, -1],
    [3, 0.5],
  ];
  const cases: [string, (a: Tensor<'float64', 2>) => Tensor][] = [
    ['cholesky', (a) => T.linalg.cholesky(a)],
    ['solve', (a) => T.linalg.solve(a, T.constant(b))],
    ['det', (a) => T.linalg.det(a)],
    ['inv', (a) => T.linalg.matrixInverse(a)],
    ['eigvalsh', (a) => T.linalg.eigh(a)[0]],
  ];
  for (const [name, op] of cases) {
    test(name, () => {
      const a = T.dmatrix('a');
      const v = T.dmatrix('v');
      const out = op(a);
      const jvp = theano.function([a, v], theano.Rop(out, a, v) as Tensor);
      const f = theano.function([a], out);
      const eps = 1e-6;
      const shifted = (s: number) => spd.map((r, i) => r.map((x, j) => x + s * eps * dir[i]![j]!));
      const flat = (x: unknown): number[] => (x instanceof theano.NDArray ? [x.toArray()].flat(3) : [x]) as number[];
      const plus = flat(f(shifted(1)));
      const minus = flat(f(shifted(-1)));
      const got = flat(jvp(spd, dir));
      got.forEach((g, k) => expect(g).toBeCloseTo((plus[k]! - minus[k]!) / (2 * eps), 6));
    });
  }
});
