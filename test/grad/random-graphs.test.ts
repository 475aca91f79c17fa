// Random expression graphs (up to 6 ops deep, sharing subexpressions) mixing elementwise ops, reductions, dot,
// dimshuffle and indexing: first derivatives against finite differences, second derivatives through hessian,
// and forward mode (Rop) and Lop against the Jacobian.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

const T = theano.tensor;
type M = Tensor<'float64', 2>;

const N = 3;
const Mcols = 2;
const W = T.constant([
  [0.5, -0.3],
  [0.2, 0.8],
]);

/** Each step makes a new n×m matrix from earlier ones (by index), so the graph is a DAG with shared nodes. */
const STEPS: readonly ((a: M, b: M) => M)[] = [
  (a) => T.tanh(a),
  (a) => T.sin(a),
  (a) => T.sigmoid(a),
  (a) => T.softplus(a),
  (a) => T.sqr(a).mul(0.5),
  (a) => T.exp(T.tanh(a)),
  (a, b) => a.add(b),
  (a, b) => a.sub(b.mul(0.5)),
  (a, b) => a.mul(b),
  (a, b) => a.div(T.sqr(b).add(1)),
  (a) => a.sub(T.mean(a, 1, { keepdims: true })), // reduction + broadcast
  (a) => T.sum(a, 0, { keepdims: true }).mul(a).mul(0.3),
  (a) => T.dot(a, W) as M, // dot
  (a) => a.T.T as M, // dimshuffle both ways
  (a) => T.concatenate([a.get(T.slice(1)), a.get(T.slice(0, 1))], 0) as M, // indexing: roll the rows
  (a, b) => T.maximum(a, b.mul(0.7)),
  (a) => T.reshape(T.flatten(a), [N, Mcols]) as M,
  (a) => T.softmax(a, 1) as M,
];

const program = fc.array(fc.tuple(fc.nat(STEPS.length - 1), fc.nat(), fc.nat()), { minLength: 1, maxLength: 6 });

function build(steps: readonly [number, number, number][], x: M, w: Tensor<'float64', 1>): M {
  const nodes: M[] = [x, T.add(T.zerosLike(x), w) as M];
  for (const [op, i, j] of steps) nodes.push(STEPS[op]!(nodes[i % nodes.length]!, nodes[j % nodes.length]!));
  // always depend on both inputs, so that every derivative is connected
  return nodes[nodes.length - 1]!.add(nodes[1]!.mul(0.1)) as M;
}

const value = fc.double({ min: -1.5, max: 1.5, noNaN: true });
const matrix = fc.array(fc.array(value, { minLength: Mcols, maxLength: Mcols }), { minLength: N, maxLength: N });
const vector = fc.array(value, { minLength: Mcols, maxLength: Mcols });

/** maximum has a kink at ties: keep points where every maximum is decided by a margin. */
function smoothAt(steps: readonly [number, number, number][], x: number[][], w: number[]): boolean {
  if (!steps.some(([op]) => op === 15)) return true;
  const xs = T.dmatrix('x');
  const ws = T.dvector('w');
  const nodes: M[] = [xs, T.add(T.zerosLike(xs), ws) as M];
  const margins: Tensor[] = [];
  for (const [op, i, j] of steps) {
    const a = nodes[i % nodes.length]!;
    const b = nodes[j % nodes.length]!;
    if (op === 15) margins.push(T.min(T.abs(a.sub(b.mul(0.7)))));
    nodes.push(STEPS[op]!(a, b));
  }
  const f = theano.function([xs, ws], margins, { onUnusedInput: 'ignore' }) as unknown as (...a: unknown[]) => number[];
  return f(x, w).every((m) => m > 1e-3);
}

describe('random expression graphs', () => {
  test('first derivatives match finite differences', () => {
    fc.assert(
      fc.property(program, matrix, vector, (steps, x, w) => {
        fc.pre(smoothAt(steps, x, w));
        theano.gradient.verifyGrad((xs, ws) => build(steps, xs as M, ws as Tensor<'float64', 1>), [x, w], {
          nTests: 1,
        });
      }),
      { numRuns: 60 },
    );
  });

  test('second derivatives: hessian equals the finite-difference Jacobian of the gradient', () => {
    fc.assert(
      fc.property(
        program.filter((s) => s.every(([op]) => op !== 15)),
        matrix,
        vector,
        (steps, x, w) => {
          const xs = T.dmatrix('x');
          const ws = T.dvector('w');
          const cost = T.sum(build(steps, xs, ws)) as Tensor<'float64', 0>;
          const H = theano.function([xs, ws], T.hessian(cost, ws), { onUnusedInput: 'ignore' });
          const g = theano.function([xs, ws], T.grad(cost, ws), { onUnusedInput: 'ignore' });
          const h = H(x, w).toArray() as number[][];
          const eps = 1e-5;
          for (let k = 0; k < Mcols; k++) {
            const plus = [...w];
            const minus = [...w];
            plus[k]! += eps;
            minus[k]! -= eps;
            const gp = g(x, plus).toArray() as number[];
            const gm = g(x, minus).toArray() as number[];
            for (let i = 0; i < Mcols; i++) {
              const numeric = (gp[i]! - gm[i]!) / (2 * eps);
              expect(Math.abs(h[i]![k]! - numeric)).toBeLessThan(1e-4 * (1 + Math.abs(numeric)));
            }
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  test('Rop agrees with the Jacobian times a vector; Lop with a vector times the Jacobian', () => {
    fc.assert(
      fc.property(
        program,
        matrix,
        vector,
        vector,
        fc.array(value, { minLength: N * Mcols, maxLength: N * Mcols }),
        (steps, x, w, v, u) => {
          const xs = T.dmatrix('x');
          const ws = T.dvector('w');
          const vs = T.dvector('v');
          const us = T.dvector('u');
          const y = T.flatten(build(steps, xs, ws)) as Tensor<'float64', 1>;
          const f = theano.function([xs, ws, vs, us], [T.jacobian(y, ws), T.Rop(y, ws, vs), T.Lop(y, ws, us)], {
            onUnusedInput: 'ignore',
          });
          const [J, jv, uj] = f(x, w, v, u).map((a) => a.toArray()) as [number[][], number[], number[]];
          J.forEach((row, i) =>
            expect(jv[i]).toBeCloseTo(
              row.reduce((s, a, k) => s + a * v[k]!, 0),
              10,
            ),
          );
          for (let k = 0; k < Mcols; k++)
            expect(uj[k]).toBeCloseTo(
              J.reduce((s, row, i) => s + u[i]! * row[k]!, 0),
              10,
            );
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('jacobian, hessian, Rop, Lop on known functions', () => {
  test('jacobian of x * x * sum(x) and hessian of sum(x ** 3)', () => {
    const x = T.dvector('x');
    const J = theano.function([x], T.jacobian(x.mul(x).mul(T.sum(x)), x));
    expect(J([1, 2, 3]).toArray()).toEqual([
      [13, 1, 1],
      [4, 28, 4],
      [9, 9, 45],
    ]);
    const H = theano.function([x], T.hessian(T.sum(x.pow(3)), x));
    expect(H([1, 2, 3]).toArray()).toEqual([
      [6, 0, 0],
      [0, 12, 0],
      [0, 0, 18],
    ]);
  });

  test('the jacobian of a matrix expression has one row per element; of a scalar it is the gradient', () => {
    const m = T.dmatrix('m');
    const J = theano.function([m], T.jacobian(m.mul(2), m));
    const out = J([
      [1, 2],
      [3, 4],
    ]);
    expect(out.shape).toEqual([4, 2, 2]);
    expect(out.get(3, 1, 1)).toBe(2);
    expect(out.get(3, 0, 1)).toBe(0);
    const s = T.dscalar('s');
    expect(theano.function([s], T.jacobian(s.mul(s), s))(3)).toBe(6);
  });

  test('Rop and Lop with several wrt variables', () => {
    const a = T.dvector('a');
    const b = T.dvector('b');
    const y = a.mul(b);
    const [va, vb] = [T.dvector('va'), T.dvector('vb')];
    const f = theano.function([a, b, va, vb], T.Rop(y, [a, b], [va, vb]));
    // J_a = diag(b), J_b = diag(a): J v = b*va + a*vb
    expect(f([1, 2], [3, 4], [1, 1], [10, 10]).toArray()).toEqual([13, 24]);
  });
});
