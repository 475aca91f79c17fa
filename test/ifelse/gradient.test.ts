/**
 * The gradient of ifelse: each input gets the gradient of the branch taken (zero from the other), checked against
 * finite differences in every mode, over random points and both values of the condition; second order; lists of
 * outputs with a gradient for some outputs only; integer inputs and the condition get none.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

const T = theano.tensor;
const MODES = ['FAST_COMPILE', 'FAST_RUN', 'DEBUG'] as const;

/** Central differences of a scalar function of a vector. */
function numericGrad(f: (v: number[]) => number, at: readonly number[], eps = 1e-6): number[] {
  return at.map((_, i) => {
    const up = [...at];
    const down = [...at];
    up[i]! += eps;
    down[i]! -= eps;
    return (f(up) - f(down)) / (2 * eps);
  });
}

function expectClose(actual: readonly number[], expected: readonly number[], tol = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - expected[i]!)).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i]!))));
}

describe('ifelse gradient', () => {
  const c = T.dscalar('c');
  const x = T.dvector('x');
  const y = T.dvector('y');
  // both branches read x; only the then branch reads y; the cost reads x outside the condition too
  const cost = () => {
    const z = theano.ifelse(T.gt(c, 0), T.sum(T.tanh(x.mul(y))), T.sum(T.sin(x).mul(x)));
    return z.add(x.sum().mul(0.5));
  };

  test.each(MODES)('matches finite differences at random points, both branches (%s)', (mode) => {
    const [gx, gy] = T.grad(cost(), [x, y]);
    const f = theano.function([c, x, y], cost(), { mode });
    const g = theano.function([c, x, y], [gx, gy], { mode });
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 6, maxLength: 6 }),
        (branch, v) => {
          const cv = branch ? 1 : -1;
          const xv = v.slice(0, 3);
          const yv = v.slice(3);
          const [ax, ay] = g(cv, xv, yv);
          expectClose(
            Array.from(ax.data as Float64Array),
            numericGrad((p) => f(cv, p, yv), xv),
          );
          expectClose(
            Array.from(ay.data as Float64Array),
            numericGrad((p) => f(cv, xv, p), yv),
          );
          if (!branch) expect(Array.from(ay.data as Float64Array)).toEqual([0, 0, 0]); // y is only read by the branch not taken
        },
      ),
      { numRuns: 15 },
    );
  });

  test.each(MODES)('a branch that returns an outside variable unchanged passes its gradient through (%s)', (mode) => {
    // y = 2x computed outside; then: y^2, else: y itself; d sum(z)/dx = 4y (then) or 2 (else)
    const cond = T.bscalar('cond');
    const yv = x.mul(2);
    const z = theano.ifelse(cond, yv.sqr(), yv, { outside: [yv] });
    const zSwapped = theano.ifelse(cond, yv, yv.sqr(), { outside: [yv] });
    const g = theano.function([x, cond], [T.grad(z.sum(), x), T.grad(zSwapped.sum(), x), T.grad(z.sum(), yv)], {
      mode,
    });
    const [taken, swapped, wrtY] = g([1, 2], 0);
    expect(Array.from(taken.data)).toEqual([2, 2]);
    expect(Array.from(swapped.data)).toEqual([8, 16]);
    expect(Array.from(wrtY.data)).toEqual([1, 1]);
    const [takenThen] = g([1, 2], 1);
    expect(Array.from(takenThen.data)).toEqual([8, 16]);
  });

  test.each(MODES)(
    'grad with respect to a variable the branches computed (no outside), also read outside (%s)',
    (mode) => {
      // Theano's grad(cost, y) for y inside the branches: the ifelse is rebuilt with y as an input
      const cond = T.bscalar('cond');
      const yv = x.mul(2);
      const costOf = (xv: Tensor<'float64', 1>) => {
        const y2 = xv.mul(2);
        return theano.ifelse(cond, y2.sqr().sum(), T.sin(y2).sum()).add(y2.sum().mul(3));
      };
      const cost = theano.ifelse(cond, yv.sqr().sum(), T.sin(yv).sum()).add(yv.sum().mul(3));
      const [gy, gx] = T.grad(cost, [yv, x]);
      const g = theano.function([x, cond], [gy, gx], { mode });
      const f = theano.function([x, cond], costOf(x), { mode });
      for (const cv of [0, 1]) {
        const xv = [0.3, -1.2, 2];
        const [ay, ax] = g(xv, cv);
        // d/dy: 2y + 3 (then) or cos(y) + 3 (else); d/dx is twice that
        const expectedY = xv.map((v) => (cv ? 2 * (2 * v) : Math.cos(2 * v)) + 3);
        expectClose(Array.from(ay.data), expectedY, 1e-12);
        expectClose(
          Array.from(ax.data),
          numericGrad((p) => f(p, cv), xv),
        );
      }
    },
  );

  test.each(MODES)(
    'grad with respect to a variable two chained ifelses copied (a second layer copies the first) (%s)',
    (mode) => {
      const cond = T.bscalar('cond');
      const yv = x.mul(2);
      const h1 = theano.ifelse(cond, yv.sqr(), yv); // layer 1 copies y into its branches
      const h2 = theano.ifelse(cond, h1.mul(3), T.sin(h1)); // layer 2 copies layer 1's ifelse
      const cost = h2.sum().add(yv.sum());
      const g = theano.function([x, cond], [T.grad(cost, yv), T.grad(cost, x)], { mode });
      for (const cv of [0, 1]) {
        const [gy, gx] = g([0.5, -1], cv);
        // y = [1, -2]; d/dy: 3 * 2y + 1 (then) or cos(y) + 1 (else); d/dx is twice that
        const expected = [1, -2].map((v) => (cv ? 6 * v : Math.cos(v)) + 1);
        expectClose(Array.from(gy.data), expected, 1e-12);
        expectClose(
          Array.from(gx.data),
          expected.map((e) => 2 * e),
          1e-12,
        );
      }
    },
  );

  test('verifyGrad on ifelse graphs', () => {
    for (const sign of [1, -1]) {
      theano.gradient.verifyGrad(
        (a: Tensor, b: Tensor) => theano.ifelse(T.constant(sign), T.exp(a).mul(b) as Tensor, a.mul(b).mul(b) as Tensor),
        [
          [0.5, -1, 2],
          [1, 2, 3],
        ],
      );
    }
    // the condition is an input too: it gets no gradient (piecewise constant), the branches do
    theano.gradient.verifyGrad(
      (a: Tensor, b: Tensor) => theano.ifelse(T.gt(T.sum(a), 0), a.mul(b) as Tensor, b.sqr() as Tensor),
      [
        [0.5, 1],
        [1, 2],
      ],
    );
  });

  test.each(MODES)('second order: the gradient of the gradient (%s)', (mode) => {
    const s = T.dscalar('s');
    const z = theano.ifelse(T.gt(c, 0), s.mul(s).mul(s), T.sin(s));
    const g = T.grad(z, s);
    const h = T.grad(g, s);
    const f = theano.function([c, s], [g, h], { mode });
    const [g1, h1] = f(1, 2);
    expect(g1).toBeCloseTo(12);
    expect(h1).toBeCloseTo(12);
    const [g2, h2] = f(-1, 2);
    expect(g2).toBeCloseTo(Math.cos(2));
    expect(h2).toBeCloseTo(-Math.sin(2));
  });

  test.each(MODES)('lists of outputs: only the outputs reaching the cost contribute (%s)', (mode) => {
    const [p, q] = theano.ifelse(T.gt(c, 0), [x.mul(2), x.mul(x)], [x.mul(3), x]);
    const gp = T.grad(p.sum(), x);
    const gq = T.grad(q.sum(), x);
    const f = theano.function([c, x], [gp, gq], { mode });
    const [a1, b1] = f(1, [1, 2]);
    expect(a1.toArray()).toEqual([2, 2]);
    expect(b1.toArray()).toEqual([2, 4]);
    const [a2, b2] = f(-1, [1, 2]);
    expect(a2.toArray()).toEqual([3, 3]);
    expect(b2.toArray()).toEqual([1, 1]);
  });

  test('integer inputs and the condition get no gradient; the gradient is itself lazy', () => {
    const i = T.iscalar('i');
    const z = theano.ifelse(T.gt(c, 0), x.mul(i).sum(), x.sum());
    const g = T.grad(z, x);
    const gc = T.grad(z, c, { disconnectedInputs: 'ignore' });
    expect(theano.function([c, i, x], gc, { onUnusedInput: 'ignore' })(1, 3, [1, 2])).toBe(0);
    const f = theano.function([c, i, x], g);
    expect(f(1, 3, [1, 2]).toArray()).toEqual([3, 3]);
    expect(f(0, 3, [1, 2]).toArray()).toEqual([1, 1]);
    expect(theano.pp(g)).toMatch(/^ifelse\(c > 0, /);
  });

  test('Rop through ifelse (forward mode, as the transpose of the vector-Jacobian product)', () => {
    const v = T.dvector('v');
    const z = theano.ifelse(T.gt(c, 0), T.exp(x), x.mul(x));
    const f = theano.function([c, x, v], theano.Rop(z, x, v));
    expectClose(Array.from(f(1, [0, 1], [1, 2]).data as Float64Array), [1, 2 * Math.E]);
    expectClose(Array.from(f(-1, [1, 2], [1, 2]).data as Float64Array), [2, 8]);
  });

  test.each(MODES)('ifelse inside a scan step: values and the gradient through both (%s)', (mode) => {
    const u = T.dvector('u');
    const h0 = T.dscalar('h0');
    const [hs] = theano.scan(
      (ut: Tensor<'float64', 0>, h: Tensor<'float64', 0>) => theano.ifelse(T.gt(ut, 0), h.add(ut), h.mul(ut)),
      { sequences: [u], outputsInfo: [h0] },
    ) as unknown as [Tensor<'float64', 1>];
    const f = theano.function([u, h0], [hs, T.grad(hs.sum(), h0)], { mode });
    const [values, g] = f([1, -2, 3], 1);
    expect(values.toArray()).toEqual([2, -4, -1]); // h0 + 1, then * -2, then + 3
    expect(g).toBe(-3); // d/dh0 of (h0 + 1) + -2 (h0 + 1) + (-2 (h0 + 1) + 3)
  });
});
