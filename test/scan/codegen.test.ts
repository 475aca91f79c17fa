/**
 * Generated code for scan: a scalar step becomes one generated loop (no call per step); any other step runs its
 * linked program. Both must agree with the reference loop (FAST_COMPILE) on every kind of input: taps, strided
 * and reversed sequences, until, integer and bool states, constants, several outputs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';

const T = theano.tensor;
type S = Tensor<'float64', 0>;
const value = (v: unknown) => ((v as NDArray).toArray ? (v as NDArray).toArray() : v);

function agree(inputs: Tensor[], outputs: Tensor[], args: unknown[], scalarLoop: boolean): void {
  const fast = theano.function(inputs, outputs);
  const reference = theano.function(inputs, outputs, { mode: 'FAST_COMPILE' });
  expect(fast.source!.includes('scalar step written as one loop')).toBe(scalarLoop);
  const got = (fast as (...a: unknown[]) => unknown[])(...args).map(value);
  const want = (reference as (...a: unknown[]) => unknown[])(...args).map(value);
  expect(got).toEqual(want);
}

describe('scan in generated code', () => {
  it('a scalar recurrence is one generated loop', () => {
    const a = T.dscalar('a');
    const x0 = T.dscalar('x0');
    const [xs] = theano.scan((prev) => prev.mul(a).add(1), { outputsInfo: x0, nSteps: 50 });
    agree([a, x0], [xs], [0.5, 2], true);
  });

  it('taps, a reversed strided sequence, a stacked output, until', () => {
    const m = T.dmatrix('m');
    const init = T.dvector('init');
    const [[y, z]] = theano.scan(
      (s, ym2, ym1) => ({ outputs: [ym2.mul(0.5).add(ym1).add(s), T.sin(s)] as const, until: ym1.gt(20) }),
      {
        sequences: [m.get(T.slice(null), 1)],
        outputsInfo: [{ initial: init, taps: [-2, -1] }, null],
        goBackwards: true,
      },
    );
    agree(
      [m, init],
      [y, z],
      [
        [
          [1, 2],
          [3, 4],
          [5, 6],
          [7, 8],
          [9, 10],
        ],
        [0, 1],
      ],
      true,
    );
    agree(
      [m, init],
      [y, z],
      [
        [
          [1, 20],
          [3, 40],
          [5, 6],
          [7, 8],
          [9, 10],
        ],
        [0, 1],
      ],
      true,
    );
  });

  it('int32 and bool states, zero steps', () => {
    const n = T.iscalar('n');
    const [[count, parity]] = theano.scan((c, p) => [c.add(3), T.xor(p, c.mod(2).eq(0))], {
      outputsInfo: [T.constant(1, { dtype: 'int32' }), T.constant(false)],
      nSteps: n,
    });
    agree([n], [count, parity], [7], true);
    agree([n], [count, parity], [0], true);
  });

  it('outputs read only at their last row (scan_save_mem keeps one row) in the scalar loop', () => {
    const init = T.dvector('init');
    const s = T.dvector('s');
    const [[y, z]] = theano.scan(
      (st, ym2, ym1) => ({ outputs: [ym2.add(ym1).add(st), st.mul(ym1)] as const, until: ym1.gt(50) }),
      {
        sequences: [s],
        outputsInfo: [{ initial: init, taps: [-2, -1] }, null],
      },
    );
    const args = [
      [0, 1],
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    ];
    agree([init, s], [y.get(-1), z.get(-1)], args, true);
    agree(
      [init, s],
      [y.get(-1), z.get(-1)],
      [
        [0, 1],
        [1, 2, 3],
      ],
      true,
    );
    const f = theano.function([init, s], [y.get(-1), z.get(-1)], { profile: true });
    expect(f.profile!.rules.scan_save_mem ?? 0).toBeGreaterThan(0);
  });

  it('a vector step runs its linked program', () => {
    const x = T.dmatrix('x');
    const h0 = T.dvector('h0');
    const [h] = theano.scan((xt, prev) => T.tanh(prev.add(xt)), { sequences: [x], outputsInfo: h0 });
    agree(
      [x, h0],
      [h],
      [
        [
          [1, 2],
          [3, 4],
        ],
        [0.5, -0.5],
      ],
      false,
    );
  });

  it('random scalar steps agree with the reference loop (fast-check, fixed seed)', () => {
    const OPS: readonly ((a: S, b: S) => S)[] = [
      (a, b) => a.add(b),
      (a, b) => a.mul(b),
      (a, b) => a.sub(b.mul(0.5)),
      (a) => T.tanh(a),
      (a) => T.sin(a).mul(2),
      (a, b) => T.maximum(a, b),
      (a, b) => T.switch(a.gt(b), a, b.neg()),
      (a) => T.sqrt(T.abs(a)),
    ];
    const program = fc.array(fc.tuple(fc.nat(OPS.length - 1), fc.nat(), fc.nat()), { minLength: 1, maxLength: 5 });
    fc.assert(
      fc.property(program, fc.boolean(), (steps, backwards) => {
        const x = T.dvector('x');
        const w = T.dscalar('w');
        const [h] = theano.scan(
          (xt, prev, ww) => {
            const values: S[] = [xt, prev, ww];
            for (const [op, i, j] of steps)
              values.push(OPS[op]!(values[i % values.length]!, values[j % values.length]!));
            return values[values.length - 1]!;
          },
          { sequences: [x], outputsInfo: T.constant(0.25), nonSequences: [w], goBackwards: backwards },
        );
        const fast = theano.function([x, w], h);
        const reference = theano.function([x, w], h, { mode: 'FAST_COMPILE' });
        const args = [[0.5, -1.5, 2, 0.25, -0.75], 0.8] as const;
        const got = fast(...args).toArray() as number[];
        const want = reference(...args).toArray() as number[];
        got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 12));
      }),
      { numRuns: 25 },
    );
  });
});
