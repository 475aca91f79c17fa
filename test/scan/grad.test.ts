/**
 * Gradients through scan (backpropagation through time) against finite differences: taps, non-sequences,
 * goBackwards, truncateGradient, until, several outputs, and random step functions built from elementwise ops,
 * dot and reductions (fast-check, fixed seed); grad of grad; a 10,000-step scan.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';

const T = theano.tensor;
type V = Tensor<'float64', 1>;
const opts = { nTests: 1 };

describe('grad through scan', () => {
  it('a recurrence with a sequence, a non-sequence and an initial state', () => {
    theano.gradient.verifyGrad(
      (x, w, h0) => {
        const [h] = theano.scan((xt, prev, ww) => T.tanh(prev.mul(ww).add(xt)), {
          sequences: [x],
          outputsInfo: h0,
          nonSequences: [w],
        });
        return h;
      },
      [
        [
          [0.1, 0.2],
          [0.3, -0.4],
          [0.5, 0.6],
        ],
        [0.7, -0.3],
        [0.2, -0.1],
      ],
      opts,
    );
  });

  it('output taps [-2, -1] and sequence taps [-1, 0, 2]', () => {
    theano.gradient.verifyGrad(
      (s, init, w) => {
        const [y] = theano.scan((sm1, s0, s2, ym2, ym1, ww) => T.tanh(ym2.mul(ww).add(ym1.mul(s0)).add(sm1.mul(s2))), {
          sequences: [{ input: s, taps: [-1, 0, 2] }],
          outputsInfo: [{ initial: init, taps: [-2, -1] }],
          nonSequences: [w as Tensor<'float64', 0>],
        });
        return y;
      },
      [[0.3, -0.2, 0.5, 0.1, 0.7, -0.6, 0.2], [0.4, -0.3], 0.8],
      opts,
    );
  });

  it('goBackwards, nSteps shorter than the sequence, and a stacked output not fed back', () => {
    theano.gradient.verifyGrad(
      (x, h0) => {
        const [[h, z]] = theano.scan((xt, prev) => [prev.mul(xt).add(T.sin(xt)), T.sqr(prev).add(xt)], {
          sequences: [x],
          outputsInfo: [h0 as Tensor<'float64', 0>, null],
          goBackwards: true,
          nSteps: 3,
        });
        return T.concatenate([h, z.mul(0.5)]);
      },
      [[0.3, -0.2, 0.5, 0.9], 0.4],
      opts,
    );
  });

  it('a matrix state with dot and a reduction, weights as captured outer variables', () => {
    theano.gradient.verifyGrad(
      (X, W, h0) => {
        const [h] = theano.scan(
          (xt, prev) =>
            T.tanh(
              T.dot(prev, W as Tensor<'float64', 2>)
                .add(xt)
                .sub(T.mean(prev)),
            ),
          {
            sequences: [X as Tensor<'float64', 2>],
            outputsInfo: h0,
          },
        );
        return h.sum(0);
      },
      [
        [
          [0.1, 0.2],
          [0.3, -0.4],
          [0.5, 0.6],
        ],
        [
          [0.5, -0.2],
          [0.3, 0.9],
        ],
        [0.2, -0.1],
      ],
      opts,
    );
  });

  it('until: the gradient covers the steps run', () => {
    const x = T.dscalar('x');
    const [ys] = theano.scan((prev) => ({ outputs: prev.mul(x), until: prev.mul(x).gt(10) }), {
      outputsInfo: T.constant(1),
      nSteps: 20,
    });
    const cost = ys.sum();
    const g = theano.function([x], [cost, T.grad(cost, x)]);
    // x = 2: 2, 4, 8, 16 (stops): cost = sum x^k for k=1..4, d/dx = sum k x^(k-1)
    expect(g(2)).toEqual([30, 1 + 4 + 12 + 32]);
    theano.gradient.verifyGrad(
      (xx) =>
        theano.scan((prev) => ({ outputs: prev.mul(xx), until: prev.mul(xx).gt(10) }), {
          outputsInfo: T.constant(1),
          nSteps: 20,
        })[0],
      [1.7],
      opts,
    );
  });

  it('truncateGradient: only the last k steps are backpropagated', () => {
    const x = T.dvector('x');
    const w = T.dscalar('w');
    const [h] = theano.scan((xt, prev) => prev.mul(w).add(xt), {
      sequences: [x],
      outputsInfo: T.constant(0),
      truncateGradient: 2,
    });
    const cost = h.get(-1);
    const [gx, gw] = theano.function([x, w], T.grad(cost, [x, w]))([1, 2, 3, 4], 0.5) as NDArray[] & number[];
    // h_3 = x3 + w x2 + w^2 x1 + w^3 x0: the last two steps see x3 and x2, and w through h_3 = w h_2 + x3 only up to h_2
    expect((gx as unknown as NDArray).toArray()).toEqual([0, 0, 0.5, 1]);
    // d h3/d w through the last 2 steps: h_2 + w * (d h_2/d w truncated: h_1) = h_2 + w h_1
    const h1 = 2 + 0.5 * 1;
    const h2 = 3 + 0.5 * h1;
    expect(gw).toBeCloseTo(h2 + 0.5 * h1, 12);
  });

  it('grad of grad (second derivative through the reverse scan)', () => {
    const x = T.dscalar('x');
    const [ys] = theano.scan((prev) => T.sin(prev.mul(x)), { outputsInfo: T.constant(0.5), nSteps: 3 });
    const cost = ys.sum();
    const g = T.grad(cost, x);
    const gg = T.grad(g, x);
    const f = theano.function([x], [g, gg]);
    const h = 1e-5;
    const at = 0.7;
    const [g1] = f(at + h) as number[];
    const [g0] = f(at - h) as number[];
    const [, second] = f(at) as number[];
    expect(second).toBeCloseTo((g1! - g0!) / (2 * h), 5);
    theano.gradient.verifyGrad(
      (xx) =>
        T.grad(
          theano.scan((prev) => T.sin(prev.mul(xx)), { outputsInfo: T.constant(0.5), nSteps: 3 })[0].sum(),
          xx as never,
        ),
      [0.7],
      opts,
    );
  });

  it('a 10,000-step scan builds, differentiates and runs', () => {
    const w = T.dscalar('w');
    const [h] = theano.scan((prev) => prev.mul(w).add(1), { outputsInfo: T.constant(0), nSteps: 10_000 });
    const cost = h.get(-1);
    const f = theano.function([w], [cost, T.grad(cost, w)]);
    const [c, g] = f(0.5) as number[];
    expect(c).toBeCloseTo(2, 12);
    // d/dw of sum_{k<n} w^k = sum k w^(k-1) -> 1/(1-w)^2 = 4
    expect(g).toBeCloseTo(4, 9);
  });
});

// --- random step functions: h_t = f(x_t, h_{t-1}, W) from a small program of ops
const STEP_OPS: readonly ((a: V, b: V, W: Tensor<'float64', 2>) => V)[] = [
  (a) => T.tanh(a),
  (a) => T.sin(a),
  (a) => T.sigmoid(a),
  (a, b) => a.add(b),
  (a, b) => a.mul(b),
  (a, b) => a.sub(b.mul(0.5)),
  (a) => a.sub(T.mean(a)),
  (a) => T.sum(a).mul(a).mul(0.3),
  (a, _b, W) => T.dot(a, W),
  (a, b) => T.maximum(a, b.mul(0.7)),
  (a) => T.sqr(a).mul(0.5),
];

describe('grad through scan over random step functions', () => {
  it('agrees with finite differences (fast-check, fixed seed)', () => {
    const program = fc.array(fc.tuple(fc.nat(STEP_OPS.length - 1), fc.nat(), fc.nat()), { minLength: 1, maxLength: 4 });
    fc.assert(
      fc.property(program, fc.boolean(), (steps, backwards) => {
        theano.gradient.verifyGrad(
          (X, W, h0) => {
            const [h] = theano.scan(
              (xt, prev, ww) => {
                const values: V[] = [xt, prev];
                for (const [op, i, j] of steps)
                  values.push(STEP_OPS[op]!(values[i % values.length]!, values[j % values.length]!, ww));
                return T.tanh(values[values.length - 1]!.add(prev.mul(0.5)));
              },
              {
                sequences: [X as Tensor<'float64', 2>],
                outputsInfo: h0,
                nonSequences: [W as Tensor<'float64', 2>],
                goBackwards: backwards,
              },
            );
            return h;
          },
          [
            [
              [0.1, 0.2],
              [0.3, -0.4],
              [0.5, 0.6],
              [-0.2, 0.1],
            ],
            [
              [0.5, -0.2],
              [0.3, 0.9],
            ],
            [0.2, -0.1],
          ],
          opts,
        );
      }),
      { numRuns: 12 },
    );
  });
});

describe('Rop and Lop through scan', () => {
  it('Rop (forward mode, by the double Lop) agrees with a finite-difference directional derivative', () => {
    const x = T.dvector('x');
    const w = T.dscalar('w');
    const dw = T.dscalar('dw');
    const [h] = theano.scan((xt, prev) => T.tanh(prev.mul(w).add(xt)), {
      sequences: [x],
      outputsInfo: T.constant(0.1),
    });
    const jv = T.Rop(h, w, dw);
    const f = theano.function([x, w, dw], jv);
    const hOf = theano.function([x, w], h);
    const xs = [0.5, -0.3, 0.8];
    const eps = 1e-6;
    const plus = hOf(xs, 0.7 + eps).toArray() as number[];
    const minus = hOf(xs, 0.7 - eps).toArray() as number[];
    const got = f(xs, 0.7, 2).toArray() as number[];
    got.forEach((g, i) => expect(g).toBeCloseTo((2 * (plus[i]! - minus[i]!)) / (2 * eps), 6));
  });
});

describe('nested scans', () => {
  it('a scan inside a step: values in both modes agree, and the gradient agrees with finite differences', () => {
    const X = T.dmatrix('X');
    const w = T.dscalar('w');
    const build = (XX: Tensor<'float64', 2>, ww: Tensor<'float64', 0>) =>
      theano.scan(
        (row, acc) => {
          const [inner] = theano.scan((x, h) => T.tanh(h.mul(ww).add(x)), { sequences: [row], outputsInfo: acc });
          return inner.get(-1);
        },
        { sequences: [XX], outputsInfo: T.constant(0.1) },
      )[0];
    const out = build(X, w);
    const args = [
      [
        [0.5, -0.2],
        [0.3, 0.1],
      ],
      0.7,
    ] as const;
    const fast = theano.function([X, w], [out, T.grad(out.sum(), w)]);
    const reference = theano.function([X, w], [out, T.grad(out.sum(), w)], { mode: 'FAST_COMPILE' });
    const [o1, g1] = fast(...args);
    const [o2, g2] = reference(...args);
    expect((o1 as NDArray).toArray()).toEqual((o2 as NDArray).toArray());
    expect(g1).toBeCloseTo(g2 as number, 12);
    theano.gradient.verifyGrad(
      (XX, ww) => build(XX as Tensor<'float64', 2>, ww as Tensor<'float64', 0>),
      [args[0], args[1]],
      opts,
    );
  });
});
