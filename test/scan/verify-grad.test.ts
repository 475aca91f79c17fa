/**
 * `theano.gradient.verifyGrad` on scan graphs (issue 10): the analytic gradient (backpropagation through time,
 * compiled in FAST_RUN, so through the scan rewrites) against central differences of the compiled cost, for the
 * features that meet in one loop: sequence and output taps with non-sequences, goBackwards, until, several outputs,
 * map/reduce/foldr, and two scans the optimizer merges. And verifyGrad is not vacuous here: a truncated gradient,
 * which is not the true one, fails it.
 */
import { describe, expect, it } from 'vitest';
import * as theano from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

const T = theano.tensor;
type V = Tensor<'float64', 1>;
type M = Tensor<'float64', 2>;
type S = Tensor<'float64', 0>;
const opts = { nTests: 2 };

const seq = [
  [0.1, 0.2],
  [0.3, -0.4],
  [0.5, 0.6],
  [-0.2, 0.1],
  [0.4, -0.3],
];
const weights = [
  [0.5, -0.2],
  [0.3, 0.6],
];

describe('verifyGrad on scan graphs', () => {
  it('a recurrence with sequence taps, output taps [-2, -1] and two non-sequences (a matrix and a vector)', () => {
    theano.gradient.verifyGrad(
      (x, init, W, b) => {
        const [h] = theano.scan(
          (xm1, x0, hm2, hm1, w, bias) => T.tanh(T.dot(hm1, w).add(hm2.mul(0.5)).add(x0.mul(xm1)).add(bias)),
          {
            sequences: [{ input: x as M, taps: [-1, 0] }],
            outputsInfo: [{ initial: init as M, taps: [-2, -1] }],
            nonSequences: [W as M, b as V],
          },
        );
        return h;
      },
      [
        seq,
        [
          [0.2, -0.1],
          [0.1, 0.3],
        ],
        weights,
        [0.05, -0.1],
      ],
      opts,
    );
  });

  it('the same recurrence going backwards, with a stacked output not fed back', () => {
    theano.gradient.verifyGrad(
      (x, init, W) => {
        const [[h, z]] = theano.scan(
          (x0, x1, hm2, hm1, w) => {
            const next = T.tanh(T.dot(hm1, w).add(hm2.mul(x1)).add(x0));
            return [next, T.sqr(next).sum()];
          },
          {
            sequences: [{ input: x as M, taps: [0, 1] }],
            outputsInfo: [{ initial: init as M, taps: [-2, -1] }, null],
            nonSequences: [W as M],
            goBackwards: true,
          },
        );
        return T.concatenate([h.flatten() as V, z as V]);
      },
      [
        seq,
        [
          [0.2, -0.1],
          [0.1, 0.3],
        ],
        weights,
      ],
      opts,
    );
  });

  it('until: a loop that stops on its sequence, with taps and a non-sequence', () => {
    // stops at the step reading 9 (the fourth row): the gradient covers the steps run, the last rows get none
    const stops = [
      [0.1, 0.2],
      [0.3, -0.4],
      [0.5, 0.6],
      [9, 0.1],
      [0.4, -0.3],
      [0.2, 0.2],
    ];
    const steps = (x: Tensor, init: Tensor, w: Tensor) =>
      theano.scan(
        (xt, hm2, hm1, ww) => ({
          outputs: T.sin(hm1.mul(ww).add(hm2.mul(0.3)).add(xt)),
          until: T.gt(xt.get(0) as S, 5),
        }),
        {
          sequences: [x as M],
          outputsInfo: [{ initial: init as M, taps: [-2, -1] }],
          nonSequences: [w as V],
        },
      )[0];
    const x = T.dmatrix('x');
    const init = T.dmatrix('init');
    const w = T.dvector('w');
    const initv = [
      [0.2, -0.1],
      [0.1, 0.3],
    ];
    const out = steps(x, init, w);
    const [rows, gx] = theano.function([x, init, w], [out, T.grad(out.sum(), x)])(stops, initv, [0.7, -0.4]) as [
      theano.NDArray,
      theano.NDArray,
    ];
    expect(rows.shape[0]).toBe(4);
    expect((gx.toArray() as number[][]).slice(4)).toEqual([
      [0, 0],
      [0, 0],
    ]);
    theano.gradient.verifyGrad(steps, [stops, initv, [0.7, -0.4]], opts);
  });

  it('map, reduce and foldr', () => {
    theano.gradient.verifyGrad(
      (x, w) => theano.map((xt, ww) => T.tanh(T.dot(xt, ww)), [x as M], [w as M])[0],
      [seq, weights],
      opts,
    );
    theano.gradient.verifyGrad(
      (x, a0) => theano.reduce((xt, acc) => acc.mul(T.cos(xt)).add(xt.mul(xt)), [x as M], [a0 as V])[0],
      [seq, [0.3, -0.2]],
      opts,
    );
    theano.gradient.verifyGrad(
      (x, a0) => theano.foldr((xt, acc) => T.sin(acc.add(xt)).mul(acc), [x as M], [a0 as V])[0],
      [seq, [0.3, -0.2]],
      opts,
    );
  });

  it('two scans over the same sequence, which the optimizer merges into one, and their gradients', () => {
    const build = (x: Tensor, h0: Tensor, W: Tensor) => {
      const [h] = theano.scan((xt, prev, w) => T.tanh(T.dot(prev, w).add(T.exp(xt.mul(0.2)))), {
        sequences: [x as M],
        outputsInfo: h0 as V,
        nonSequences: [W as M],
      });
      const [s] = theano.scan((xt, w) => T.dot(T.exp(xt.mul(0.2)), w).sum(), {
        sequences: [x as M],
        outputsInfo: [null],
        nonSequences: [W as M],
      });
      return T.concatenate([h.flatten(), s]);
    };
    const x = T.dmatrix('x');
    const h0 = T.dvector('h0');
    const W = T.dmatrix('W');
    const out = build(x, h0, W);
    const f = theano.function([x, h0, W], T.grad(out.sum(), [x, h0, W]), { profile: true });
    expect(f.profile!.rules['scan_merge']).toBeGreaterThan(0);
    theano.gradient.verifyGrad(build, [seq, [0.2, -0.1], weights], opts);
  });

  it('is not vacuous: a truncated gradient (not the true one) fails it', () => {
    const fn = (x: Tensor, w: Tensor) =>
      theano.scan((xt, prev, ww) => prev.mul(ww).add(xt), {
        sequences: [x as V],
        outputsInfo: T.constant(0),
        nonSequences: [w as S],
        truncateGradient: 2,
      })[0];
    expect(() => theano.gradient.verifyGrad(fn, [[1, 2, 3, 4, 5], 0.9], opts)).toThrow(theano.gradient.GradientError);
  });
});
