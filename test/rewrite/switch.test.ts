/**
 * The switch rules (src/rewrite/rules/switch.ts): a product or quotient of a switch with a 0 branch moves into the
 * other branch. Property-tested (the optimized graph and the unoptimized one agree where both are finite, and the
 * rule fires), then the point of it: a masked branch's NaN or Inf stays out of gradients.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { SWITCH_RULES } from '../../src/rewrite/rules/switch.js';
import { everyRuleHasACase, expectClose, expectFired, flat, real } from './support.js';

const T = theano.tensor;

interface Case {
  readonly rule: string;
  readonly what: string;
  /** x and z: vectors of one length (or z a scalar when `scalarZ`). */
  readonly f: (x: Tensor, z: Tensor) => Tensor;
  readonly scalarZ?: boolean;
}

const CASES: Case[] = [
  {
    rule: 'mul_switch_sink',
    what: 'switch(x < 0, 0, sqrt(x)) * z',
    f: (x, z) => T.mul(T.switch(T.lt(x, 0), 0, T.sqrt(x)), z) as Tensor,
  },
  {
    rule: 'mul_switch_sink',
    what: 'z * switch(x > 0, log(x), 0)',
    f: (x, z) => T.mul(z, T.switch(T.gt(x, 0), T.log(x), 0)) as Tensor,
  },
  {
    rule: 'mul_switch_sink',
    what: 'switch(x < 0, zeros like x, x) * z, z a scalar (the switch broadcasts z)',
    f: (x, z) => T.mul(T.switch(T.lt(x, 0), T.zerosLike(x), x), z) as Tensor,
    scalarZ: true,
  },
  {
    rule: 'div_switch_sink',
    what: 'switch(x < 0, 0, x) / z',
    f: (x, z) => T.div(T.switch(T.lt(x, 0), 0, x), z) as Tensor,
  },
  {
    rule: 'div_switch_sink',
    what: 'switch(x > 1, x, 0) / z',
    f: (x, z) => T.div(T.switch(T.gt(x, 1), x, 0), z) as Tensor,
  },
  {
    rule: 'div_switch_sink',
    what: 'switch(x < 0, 0, x) // z',
    f: (x, z) => T.intDiv(T.switch(T.lt(x, 0), 0, x), z) as Tensor,
  },
];

/** Agreement where the unoptimized value is finite (the rewrite may only turn a NaN or Inf into a number). */
const expectAgree = (got: unknown, want: unknown, context: string) =>
  expectClose(got, want, 1e-12, context, { finiteOnly: true });

describe('switch rules: the optimized graph agrees with the unoptimized one where that is finite', () => {
  everyRuleHasACase(
    [...(SWITCH_RULES.canonicalize ?? []), ...(SWITCH_RULES.stabilize ?? [])].map((r) => r.name),
    CASES,
  );

  for (const c of CASES) {
    test(`${c.rule}: ${c.what}`, () => {
      const x = T.dvector('x');
      const z = c.scalarZ ? T.dscalar('z') : T.dvector('z');
      const out = c.f(x, z);
      const grad = T.grad(T.sum(out) as never, x) as Tensor;
      const naive = theano.function([x, z], [out, grad], { mode: 'FAST_COMPILE' });
      const optimized = theano.function([x, z], [out, grad], { mode: 'DEBUG', profile: true });
      expectFired(optimized, c.rule);
      const element = real(-5, 5).filter((v) => Math.abs(v) > 0.1);
      const values = fc.array(fc.tuple(element, element), { minLength: 1, maxLength: 6 }).map((pairs) => ({
        x: pairs.map((p) => p[0]),
        z: c.scalarZ ? pairs[0]![1] : pairs.map((p) => p[1]),
      }));
      fc.assert(
        fc.property(values, ({ x, z }) => {
          const [value, derivative] = optimized(x, z as never);
          const [naiveValue, naiveDerivative] = naive(x, z as never);
          expectAgree(value, naiveValue, `${c.what} at ${JSON.stringify({ x, z })}`);
          expectAgree(derivative, naiveDerivative, `d/dx of ${c.what} at ${JSON.stringify({ x, z })}`);
        }),
        { numRuns: 40 },
      );
    });
  }
});

describe('switch rules: a masked branch does not leak NaN or Inf into a gradient', () => {
  test("the gradient of switch(x < 7, 0, sqrt(x - 7)) at x = 5 is 0 (PyTensor's case), not NaN", () => {
    const x = T.dscalar('x');
    const g = T.grad(T.switch(T.lt(x, 7), 0, T.sqrt(T.sub(x, 7))), x);
    const f = theano.function([x], g, { profile: true });
    expect(f.profile!.rules.mul_switch_sink ?? 0).toBeGreaterThan(0);
    expect(f(5)).toBe(0);
    expect(f(11)).toBe(0.25);
    expect(theano.function([x], g, { mode: 'FAST_COMPILE' })(5)).toBeNaN();
    const h = theano.function([x], T.grad(T.switch(T.lt(x, 7), x, T.sqrt(T.sub(x, 7))), x));
    expect(h(5)).toBe(1);
  });

  for (const dtype of ['float64', 'float32'] as const) {
    test(`the gradient of sum(switch(u > 0, log(u), 0)) is 1/u where u > 0 and 0 elsewhere (${dtype}, |u| in the hundreds)`, () => {
      const u = T.tensor(dtype, [null], 'u') as Tensor;
      const g = T.grad(T.sum(T.switch(T.gt(u, 0), T.log(u), 0)) as never, u) as Tensor;
      const f = theano.function([u], g, { profile: true });
      expect(f.profile!.rules.div_switch_sink ?? 0).toBeGreaterThan(0);
      const values = [-800, -100, 0, 100, 800];
      const round = dtype === 'float32' ? Math.fround : (v: number) => v;
      expect(flat(f(values))).toEqual([0, 0, 0, round(1 / 100), round(1 / 800)]);
      expect(flat(theano.function([u], g, { mode: 'FAST_COMPILE' })(values))[2]).toBeNaN();
    });
  }

  test("PyTensor's mul and div cases: switch(c > 0, x, 0 * x) times or over switch(c > 0, x, log(-1) * x)", () => {
    const [cond, x] = T.dmatrices('cond', 'x');
    const c = T.dscalar('c');
    const masked = T.switch(T.gt(cond, 0), x, T.mul(0, x));
    const nan = T.switch(T.gt(cond, 0), x, T.mul(T.log(c), x));
    const condition = [
      [0.1, 0, 1, -1],
      [0, 0, 0, 0],
      [1, 1, 1, 1],
    ];
    const ones = condition.map((row) => row.map(() => 1));
    const want = condition.map((row) => row.map((v) => (v > 0 ? 1 : 0)));
    for (const out of [T.mul(masked, nan), T.div(masked, nan)]) {
      const f = theano.function([cond, x, c], out);
      expect(f(condition, ones, -1).toArray()).toEqual(want);
    }
  });

  test('a zero broadcast by fill counts as 0; a branch that is not 0 lets nothing in', () => {
    const x = T.dvector('x');
    const z = T.dvector('z');
    const filled = theano.function([x, z], T.mul(T.switch(T.lt(x, 0), T.fill(x, 0), T.sqrt(x)), z), {
      profile: true,
    });
    expect(filled.profile!.rules.mul_switch_sink ?? 0).toBeGreaterThan(0);
    const one = theano.function([x, z], T.mul(T.switch(T.lt(x, 0), 1, T.sqrt(x)), z), { profile: true });
    expect(one.profile!.rules.mul_switch_sink).toBeUndefined();
  });

  test('the moved product keeps the precision of the switch: an int8 branch of a float64 switch', () => {
    const b = T.bvector('b');
    const w = T.dvector('w');
    const cond = T.lt(w, 0);
    const f = theano.function([b, w], T.mul(T.switch(cond, T.constant(0, { dtype: 'float64' }), b), b), {
      profile: true,
    });
    expect(f.profile!.rules.mul_switch_sink ?? 0).toBeGreaterThan(0);
    // 100 * 100 overflows int8; the product is taken in float64, as before the rewrite
    expect(f([100, 100], [1, -1]).toArray()).toEqual([10000, 0]);
  });
});
