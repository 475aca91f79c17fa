/**
 * T.linalg beyond the numpy fixtures: dtypes (float32 stays float32, integers compute in float64), decompositions
 * (eigh, svd, qr, lu) checked by reconstruction against a nested-loop product written here (signs are arbitrary), static
 * shapes, and the errors bad inputs get (quoted).
 */
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';
import { expectBuildError } from '../helpers.js';

const T = theano.tensor;

/** a @ b on nested arrays, by loops. */
function product(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, x, k) => s + x * b[k]![j]!, 0)));
}
const transpose = (a: number[][]) => a[0]!.map((_, j) => a.map((row) => row[j]!));
const maxDiff = (a: number[][], b: number[][]) =>
  Math.max(...a.flatMap((row, i) => row.map((x, j) => Math.abs(x - b[i]![j]!))));
const identity = (n: number) =>
  Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));

const S = [
  [4, 1, -2, 0.5],
  [1, 3, 0, 1],
  [-2, 0, 5, -1],
  [0.5, 1, -1, 2],
];
const A = [
  [1, 2, 3],
  [-1, 0.5, 2],
  [3, -2, 1],
  [0, 1, 1],
  [2, 2, -1],
];

describe('decompositions by reconstruction', () => {
  test('eigh: V diag(w) Vᵀ = S, Vᵀ V = I, w ascending; UPLO reads one triangle', () => {
    const x = T.dmatrix('x');
    const [w, v] = T.linalg.eigh(x);
    const f = theano.function([x], [w, v]);
    const [wv, vv] = f(S);
    const values = wv.toArray() as number[];
    const vectors = vv.toArray() as number[][];
    expect([...values].sort((p, q) => p - q)).toEqual(values);
    expect(
      maxDiff(
        product(
          product(
            vectors,
            values.map((d, i) => values.map((_, j) => (i === j ? d : 0))),
          ),
          transpose(vectors),
        ),
        S,
      ),
    ).toBeLessThan(1e-12);
    expect(maxDiff(product(transpose(vectors), vectors), identity(4))).toBeLessThan(1e-12);
    // the upper triangle of a matrix whose lower one is garbage
    const garbled = S.map((row, i) => row.map((value, j) => (j < i ? 99 : value)));
    const upper = theano.function([x], T.linalg.eigvalsh(x, { UPLO: 'U' }))(garbled);
    expect(Math.max(...(upper.toArray() as number[]).map((u, i) => Math.abs(u - values[i]!)))).toBeLessThan(1e-12);
  });

  test('svd: U diag(s) Vᵀ = A for full and reduced factors, tall and wide; U and V orthogonal', () => {
    const x = T.dmatrix('x');
    for (const m of [A, transpose(A)]) {
      for (const fullMatrices of [true, false]) {
        const [u, s, vt] = theano.function([x], T.linalg.svd(x, { fullMatrices }))(m) as NDArray[];
        const [uu, ss, vv] = [u!.toArray() as number[][], s!.toArray() as number[], vt!.toArray() as number[][]];
        const k = ss.length;
        const sigma = uu[0]!.map((_, i) => vv.map((_, j) => (i === j && i < k ? ss[i]! : 0)));
        expect(maxDiff(product(product(uu, sigma), vv), m)).toBeLessThan(1e-12);
        expect(maxDiff(product(transpose(uu), uu), identity(uu[0]!.length))).toBeLessThan(1e-12);
        expect(maxDiff(product(vv, transpose(vv)), identity(vv.length))).toBeLessThan(1e-12);
        expect(u!.shape).toEqual(fullMatrices ? [m.length, m.length] : [m.length, k]);
      }
    }
  });
});

describe('qr, lu and svd by reconstruction', () => {
  const x = T.dmatrix('x');
  const isUpper = (r: number[][]) => r.every((row, i) => row.every((v, j) => j >= i || v === 0));
  const isUnitLower = (l: number[][]) => l.every((row, i) => row.every((v, j) => (j > i ? v === 0 : j < i || v === 1)));
  // a wide and a tall matrix, one with a repeated column (rank-deficient), and a zero column
  const cases = [A, transpose(A), A.map((row) => [row[0]!, row[0]!, row[2]!]), A.map((row) => [0, ...row])];

  test('qr: Q R = A, Qᵀ Q = I, R upper triangular, in every mode', () => {
    for (const m of cases) {
      for (const mode of ['reduced', 'complete'] as const) {
        const [q, r] = theano
          .function(
            [x],
            T.linalg.qr(x, { mode }),
          )(m)
          .map((t) => t.toArray() as number[][]);
        const cols = mode === 'complete' ? m.length : Math.min(m.length, m[0]!.length);
        expect([q!.length, q![0]!.length, r!.length]).toEqual([m.length, cols, cols]);
        expect(maxDiff(product(q!, r!), m)).toBeLessThan(1e-12);
        expect(maxDiff(product(transpose(q!), q!), identity(cols))).toBeLessThan(1e-12);
        expect(isUpper(r!)).toBe(true);
      }
      const rOnly = theano
        .function(
          [x],
          T.linalg.qr(x, { mode: 'r' }),
        )(m)
        .toArray() as number[][];
      const [, r] = theano.function([x], T.linalg.qr(x))(m);
      expect(rOnly).toEqual(r!.toArray());
    }
  });

  test('lu: P L U = A with L unit lower and U upper; permuteL and pIndices agree', () => {
    for (const m of cases) {
      const [p, l, u] = theano
        .function(
          [x],
          T.linalg.lu(x),
        )(m)
        .map((t) => t.toArray() as number[][]);
      expect(maxDiff(product(product(p!, l!), u!), m)).toBeLessThan(1e-12);
      expect(isUnitLower(l!) && isUpper(u!)).toBe(true);
      expect(maxDiff(product(transpose(p!), p!), identity(m.length))).toBe(0);
      // partial pivoting: no multiplier above 1 in magnitude
      expect(Math.max(...l!.flat().map(Math.abs))).toBeLessThanOrEqual(1);
      const [pl, u2] = theano
        .function(
          [x],
          T.linalg.lu(x, { permuteL: true }),
        )(m)
        .map((t) => t.toArray());
      expect(maxDiff(pl as number[][], product(p!, l!))).toBe(0);
      expect(u2).toEqual(u);
      const [idx] = theano.function([x], T.linalg.lu(x, { pIndices: true }))(m);
      expect(idx!.dtype).toBe('int32');
      expect((idx!.toArray() as number[]).map((row) => l![row]!)).toEqual(product(p!, l!));
    }
  });

  test('svd: rank-deficient, repeated, graded and zero matrices still reconstruct, with orthonormal factors', () => {
    const graded = [1, 1e-4, 1e-8, 1e-12].map((scale, i) => A[i]!.map((v) => v * scale));
    const repeated = identity(4).map((row, i) => row.map((v) => v * (i < 3 ? 2 : 1)));
    const zero = [
      [0, 0, 0],
      [0, 0, 0],
    ];
    // a 40 x 25 matrix of a fixed hash: enough QR sweeps to exercise the deflations
    const big = Array.from({ length: 40 }, (_, i) =>
      Array.from({ length: 25 }, (_, j) => ((i * 37 + j * 11) % 17) - 8),
    );
    for (const m of [...cases, graded, repeated, zero, big]) {
      const [u, s, vt] = theano.function([x], T.linalg.svd(x, { fullMatrices: false }))(m) as NDArray[];
      const [uu, ss, vv] = [u!.toArray() as number[][], s!.toArray() as number[], vt!.toArray() as number[][]];
      const scale = Math.max(1, ...m.flat().map(Math.abs));
      const us = uu.map((row) => row.map((v, k) => v * ss[k]!));
      expect(maxDiff(product(us, vv), m)).toBeLessThan(1e-12 * scale * m.length);
      expect(maxDiff(product(transpose(uu), uu), identity(ss.length))).toBeLessThan(1e-12 * m.length);
      expect(maxDiff(product(vv, transpose(vv)), identity(ss.length))).toBeLessThan(1e-12 * m.length);
      expect([...ss].sort((p, q) => q - p)).toEqual(ss);
      expect(Math.min(...ss)).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('dtypes and static shapes', () => {
  test('float32 stays float32 and is computed in float64; integers become float64 (numpy)', () => {
    const f = T.fmatrix('f');
    const i = T.imatrix('i');
    expect(T.linalg.cholesky(f).dtype).toBe('float32');
    expect(T.linalg.det(i).dtype).toBe('float64');
    expect(T.linalg.solve(f, T.dvector()).dtype).toBe('float64');
    expect(T.linalg.solve(f, T.fvector()).dtype).toBe('float32');
    expect(T.linalg.qr(f).map((t) => t.dtype)).toEqual(['float32', 'float32']);
    expect(T.linalg.lu(i).map((t) => t.dtype)).toEqual(['float64', 'float64', 'float64']);
    expect(T.linalg.lu(f, { pIndices: true }).map((t) => t.dtype)).toEqual(['int32', 'float32', 'float32']);
    expect(T.linalg.pinv(f).dtype).toBe('float32');
    expect(T.linalg.lstsq(f, T.fvector()).map((t) => t.dtype)).toEqual(['float32', 'float32', 'int32', 'float32']);
    const inv = theano.function(
      [i],
      T.linalg.matrixInverse(i),
    )([
      [2, 0],
      [0, 4],
    ]);
    expect(inv.dtype).toBe('float64');
    expect(inv.toArray()).toEqual([
      [0.5, 0],
      [0, 0.25],
    ]);
    const chol = theano.function(
      [f],
      T.linalg.cholesky(f),
    )([
      [4, 2],
      [2, 10],
    ]);
    expect(chol.dtype).toBe('float32');
    expect(chol.toArray()).toEqual([
      [2, 0],
      [1, 3],
    ]);
  });

  test('static shapes flow through', () => {
    const a = T.tensor('float64', [5, 3, 3], 'a');
    expect(T.linalg.det(a).staticShape).toEqual([5]);
    expect(T.linalg.solve(a, T.tensor('float64', [3, 2])).staticShape).toEqual([5, 3, 2]);
    expect(T.linalg.eigh(a)[0].staticShape).toEqual([5, 3]);
    expect(T.linalg.svd(T.tensor('float64', [4, 2]), { fullMatrices: false })[0].staticShape).toEqual([4, 2]);
    expect(T.linalg.diagonal(T.tensor('float64', [3, 5]), 1).staticShape).toEqual([3]);
    const tall = T.tensor('float64', [2, 5, 3]);
    expect(T.linalg.qr(tall).map((t) => t.staticShape)).toEqual([
      [2, 5, 3],
      [2, 3, 3],
    ]);
    expect(T.linalg.qr(tall, { mode: 'complete' }).map((t) => t.staticShape)).toEqual([
      [2, 5, 5],
      [2, 5, 3],
    ]);
    expect(T.linalg.lu(tall).map((t) => t.staticShape)).toEqual([
      [2, 5, 5],
      [2, 5, 3],
      [2, 3, 3],
    ]);
    expect(T.linalg.pinv(tall).staticShape).toEqual([2, 3, 5]);
    const [x, residuals, rank, s] = T.linalg.lstsq(T.tensor('float64', [5, 3]), T.tensor('float64', [5, 2]));
    expect([x.staticShape, residuals.staticShape, rank.staticShape, s.staticShape]).toEqual([[3, 2], [null], [], [3]]);
  });
});

describe('bad input', () => {
  test('a rank below 2 is refused while building (and by the compiler)', () => {
    expectBuildError(
      // @ts-expect-error -- cholesky takes matrices
      () => T.linalg.cholesky(T.dvector('v')),
      'cholesky: the input must be a matrix or a stack of matrices (rank >= 2), got float64 vector',
    );
  });

  test('a static non-square matrix is refused while building', () => {
    expectBuildError(
      () => T.linalg.det(T.tensor('float64', [2, 3], 'P')),
      'det: the input must be square, got static shape (2, 3)',
      "op: det('P'",
    );
  });

  test('static shapes of a and b that do not align are refused while building', () => {
    expectBuildError(
      () => T.linalg.solve(T.tensor('float64', [3, 3]), T.tensor('float64', [4, 2])),
      'solve: a of static shape (3, 3) and b of static shape (4, 2) do not align: b has 4 rows, a has 3',
    );
  });

  test('run-time errors name the op and the shapes', () => {
    const a = T.dmatrix('a');
    const b = T.dvector('b');
    const f = theano.function([a], T.linalg.matrixInverse(a));
    expect(() => f([[1, 2, 3]])).toThrow(
      'matrixInverse: the input must be square (its last two axes equal), got shape (1, 3)',
    );
    const g = theano.function([a, b], T.linalg.solve(a, b));
    expect(() =>
      g(
        [
          [1, 0],
          [0, 1],
        ],
        [1, 2, 3],
      ),
    ).toThrow('solve: a of shape (2, 2) and b of shape (3,) do not align: b has 3 rows, a has 2');
  });

  test('a batch item that fails is named', () => {
    const s = T.dtensor3('s');
    const f = theano.function([s], T.linalg.cholesky(s));
    expect(() =>
      f([
        [
          [1, 0],
          [0, 1],
        ],
        [
          [1, 2],
          [2, 1],
        ],
      ]),
    ).toThrow(
      'cholesky: the matrix is not positive definite (batch item 1 of 2): the leading minor of order 2 is not positive',
    );
    let caught: unknown;
    try {
      f([
        [
          [1, 2],
          [2, 1],
        ],
      ]);
    } catch (e) {
      caught = e;
    }
    expect((caught as Error).cause, 'the NodeError wraps a LinAlgError').toBeInstanceOf(theano.LinAlgError);
    const nan = theano.function(
      [s],
      T.linalg.cholesky(s, { onError: 'nan' }),
    )([
      [
        [1, 2],
        [2, 1],
      ],
    ]);
    expect(Number.isNaN(nan.get(0, 0, 0))).toBe(true);
  });

  test("choSolve's factor argument is checked: scipy's order (L, y) says what it expects", () => {
    const L = T.dmatrix('L');
    expect(() => T.linalg.choSolve(L as never, T.dvector('y'))).toThrow(
      'choSolve: the first argument must be [factor, lower] (the Cholesky factor and whether it is lower',
    );
    expect(() => T.linalg.choSolve([L, 'lower'] as never, T.dvector('y'))).toThrow(/got an array|\[factor, lower\]/);
  });

  test('qr, lu, pinv and lstsq options and shapes are checked', () => {
    expect(() => T.linalg.qr(T.dmatrix('m'), { mode: 'raw' as never })).toThrow(
      "qr: mode must be 'reduced', 'complete' or 'r', got raw",
    );
    expect(() => T.linalg.pinv(T.dmatrix('m'), { rcond: 1e-10, rtol: 1e-10 })).toThrow(
      'pinv: give rcond or rtol, not both',
    );
    expectBuildError(
      () => T.linalg.pinv(T.tensor('float64', [2, 3], 'P'), { hermitian: true }),
      'pinv: the input must be square, got static shape (2, 3)',
    );
    expectBuildError(
      () => T.linalg.lstsq(T.tensor('float64', [4, 3]), T.tensor('float64', [5])),
      'lstsq: a of static shape (4, 3) and b of static shape (5,) do not align: b has 5 rows, a has 4',
    );
    const a = T.dmatrix('a');
    const b = T.dvector('b');
    const f = theano.function([a, b], T.linalg.lstsq(a, b)[0]);
    expect(() => f(A, [1, 2])).toThrow(
      'lstsq: a of shape (5, 3) and b of shape (2,) do not align: b has 2 rows, a has 5',
    );
  });

  test('norm orders, matrixPower exponents and kron ranks are checked', () => {
    expect(() => T.linalg.norm(T.dmatrix('m'), 3)).toThrow(
      "norm: invalid order 3 for a matrix (use 'fro', 'nuc', 1, -1, 2, -2, Infinity or -Infinity)",
    );
    expect(() => T.linalg.matrixPower(T.dmatrix('m'), 1.5)).toThrow(
      'matrixPower: the exponent must be an integer, got 1.5',
    );
    expect(() => T.linalg.kron(T.dmatrix('m') as never, T.dvector('v') as never)).toThrow(
      'kron: takes two tensors of the same rank',
    );
  });
});
