/**
 * The linear-algebra rules (src/rewrite/rules/linalg.ts): each fires on its form (the profile counts it), leaves
 * the op it removes out of the optimized graph, and gives the values the graph as written gives (FAST_COMPILE
 * runs it unrewritten) on fast-check drawn well-conditioned matrices.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';

const T = theano.tensor;
const RUNS = { numRuns: 10, seed: 11 };
const N = 3;

/** n x n matrices with entries in [-1, 1]; `spd` ones are X Xᵀ + n I. */
const matrix = fc
  .array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: N * N, maxLength: N * N })
  .map((f) => Array.from({ length: N }, (_, i) => f.slice(i * N, (i + 1) * N)));
const spdOf = (x: number[][]) =>
  x.map((row, i) => x.map((other, j) => row.reduce((s, v, k) => s + v * other[k]!, 0) + (i === j ? N : 0)));

const flat = (v: unknown): number[] =>
  v instanceof theano.NDArray ? (v.toArray() as number[]).flat(3) : [v as number];

/** Compiles `output` of `inputs` in FAST_RUN (profiled) and FAST_COMPILE; checks `rule` fired and the values agree. */
function check(rule: string, inputs: Tensor[], output: Tensor, gone: string, points: fc.Arbitrary<unknown[]>) {
  const fast = theano.function(inputs as never, output as never, { profile: true }) as unknown as ((
    ...a: unknown[]
  ) => NDArray) & {
    profile: theano.OptimizationProfile;
  };
  const reference = theano.function(inputs as never, output as never, { mode: 'FAST_COMPILE' }) as unknown as (
    ...a: unknown[]
  ) => NDArray;
  fc.assert(
    fc.property(points, (values) => {
      const got = flat(fast(...values));
      const want = flat(reference(...values));
      got.forEach((g, i) => expect(Math.abs(g - want[i]!)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(want[i]!))));
    }),
    RUNS,
  );
  expect(fast.profile.rules[rule], `${rule} fired`).toBeGreaterThanOrEqual(1);
  const ops = (fast as unknown as { graph: theano.FunctionGraph }).graph.toposort().map((n) => n.op.name);
  expect(ops, `${gone} left the optimized graph`).not.toContain(gone);
}

describe('linear-algebra rewrites', () => {
  test("'inv_dot_to_solve': dot(matrixInverse(a), b) and matmul(inv(a), B) -> solve", () => {
    const a = T.dmatrix('a');
    const b = T.dvector('b');
    const B = T.dtensor3('B');
    const wellConditioned = matrix.map((x) => x.map((row, i) => row.map((v, j) => v + (i === j ? N : 0))));
    check(
      'inv_dot_to_solve',
      [a, b],
      T.dot(T.linalg.matrixInverse(a), b),
      'matrix_inverse',
      fc.tuple(wellConditioned, fc.constant([1, -2, 0.5])),
    );
    check(
      'inv_dot_to_solve',
      [a, B],
      T.matmul(T.linalg.matrixInverse(a), B),
      'matrix_inverse',
      fc.tuple(
        wellConditioned,
        fc.constant([
          [
            [1, 0],
            [0, 1],
            [2, 3],
          ],
        ]),
      ),
    );
  });

  test("'log_det_to_slogdet': log(det) of a Cholesky factor and of a Gram product", () => {
    const x = T.dmatrix('x');
    check('log_det_to_slogdet', [x], T.log(T.linalg.det(T.linalg.cholesky(x))), 'det', fc.tuple(matrix.map(spdOf)));
    check('log_det_to_slogdet', [x], T.log(T.linalg.det(T.dot(x, x.T))), 'det', fc.tuple(matrix.map(spdOf)));
    // no rewrite where the determinant's sign is not known: log of a negative determinant stays NaN
    const plain = theano.function([x], T.log(T.linalg.det(x)), { profile: true });
    expect(plain.profile!.rules.log_det_to_slogdet).toBeUndefined();
    expect(
      plain([
        [0, 1],
        [1, 0],
      ]),
    ).toBeNaN();
  });

  test("'det_of_triangular_factor': det(cholesky(x)) -> prod(diagonal)", () => {
    const x = T.dmatrix('x');
    check('det_of_triangular_factor', [x], T.linalg.det(T.linalg.cholesky(x)), 'det', fc.tuple(matrix.map(spdOf)));
  });

  test("'diagonal_of_product': diagonal(dot(a, b)) and trace(matmul) -> row sums of a * bᵀ", () => {
    const a = T.dmatrix('a');
    const b = T.dmatrix('b');
    const s = T.dtensor3('s');
    check('diagonal_of_product', [a, b], T.linalg.trace(T.dot(a, b)), 'dot', fc.tuple(matrix, matrix));
    check(
      'diagonal_of_product',
      [s, b],
      T.linalg.diagonal(T.matmul(s, b)),
      'matmul',
      fc.tuple(fc.tuple(matrix, matrix), matrix),
    );
  });

  test("'solve_triangular_factor': solve(cholesky(x), b) -> solveTriangular", () => {
    const x = T.dmatrix('x');
    const b = T.dvector('b');
    check(
      'solve_triangular_factor',
      [x, b],
      T.linalg.solve(T.linalg.cholesky(x), b),
      'solve',
      fc.tuple(matrix.map(spdOf), fc.constant([1, 2, 3])),
    );
    check(
      'solve_triangular_factor',
      [x, b],
      T.linalg.solve(T.linalg.cholesky(x, { lower: false }), b),
      'solve',
      fc.tuple(matrix.map(spdOf), fc.constant([1, 2, 3])),
    );
  });
});
