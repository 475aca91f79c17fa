/**
 * The sigmoid rules (src/rewrite/rules/sigmoid.ts): each rule is property-tested (the graph compiled without
 * rewrites and with them agree on random inputs where the written form is accurate, and the rule fires), then its
 * stabilization is asserted at |x| in the hundreds, in float64 and float32, where the written form gives NaN or
 * Inf, with its gradient.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { Mode, NDArray, Tensor } from '../../src/index.js';
import { SIGMOID_RULES } from '../../src/rewrite/rules/sigmoid.js';
import { everyRuleHasACase, expectClose, expectFired, flat, real } from './support.js';

const T = theano.tensor;

/** The logistic function, without overflow. */
const sigmoidRef = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

type Value = number[];
interface Case {
  readonly rule: string;
  readonly what: string;
  /** The expression of x (and y, a vector of x's length). */
  readonly f: (x: Tensor, y: Tensor) => Tensor;
  readonly usesY?: boolean;
  readonly element?: fc.Arbitrary<number>;
  /** DEBUG mode with a rule that would fire first switched off, where needed. */
  readonly mode?: Mode;
}

/** y values away from 0 (some cases divide by y). */
const yElement = real(-3, 3).filter((y) => Math.abs(y) > 0.1);

const neg = (a: Tensor) => T.neg(a) as Tensor;
const exp = (a: Tensor) => T.exp(a) as Tensor;
const sigmoid = (a: Tensor) => T.sigmoid(a) as Tensor;
const mul = (a: Tensor, b: Tensor) => T.mul(a, b) as Tensor;
const div = (a: Tensor, b: Tensor) => T.div(a, b) as Tensor;
const onePlusExp = (a: Tensor) => T.add(1, T.exp(a)) as Tensor;

const CASES: Case[] = [
  {
    rule: 'exp_quotient_to_sigmoid',
    what: 'y * exp(x) / (1 + exp(x))',
    f: (x, y) => div(mul(y, exp(x)), onePlusExp(x)),
    usesY: true,
  },
  {
    rule: 'exp_quotient_to_sigmoid',
    what: 'exp(x) / ((1 + exp(x)) * y)',
    f: (x, y) => div(exp(x), mul(onePlusExp(x), y)),
    usesY: true,
  },
  {
    rule: 'exp_quotient_to_sigmoid',
    what: '-exp(x) / ((1 + exp(x)) * (1 + exp(-x)))',
    f: (x) => div(neg(exp(x)), mul(onePlusExp(x), onePlusExp(neg(x)))),
  },
  {
    rule: 'exp_quotient_to_sigmoid',
    what: 'fill(x, -1) * exp(x) / ((1 + exp(x)) * (1 + exp(-x)))',
    f: (x) => div(mul(T.fill(x, -1) as Tensor, exp(x)), mul(onePlusExp(x), onePlusExp(neg(x)))),
  },
  {
    rule: 'exp_quotient_to_sigmoid',
    what: 'fill(x, -1) / (1 + exp(-x))',
    f: (x) => div(T.fill(x, -1) as Tensor, onePlusExp(neg(x))),
  },
  {
    rule: 'exp_quotient_to_sigmoid',
    what: 'exp(-x) / sqr(1 + exp(-x)) (the derivative of sigmoid, written out)',
    f: (x) => div(exp(neg(x)), T.sqr(onePlusExp(neg(x))) as Tensor),
  },
  {
    rule: 'exp_quotient_to_sigmoid',
    what: 'reciprocal((1 + exp(x)) * y)',
    f: (x, y) => T.reciprocal(mul(onePlusExp(x), y)) as Tensor,
    usesY: true,
  },
  {
    rule: 'sigmoid_times_exp',
    what: 'sigmoid(x) * y * -exp(-x)',
    f: (x, y) => mul(mul(sigmoid(x), y), neg(exp(neg(x)))),
    usesY: true,
  },
  {
    rule: 'sigmoid_times_exp',
    what: '-x * sigmoid(x) * (y * ((-1 * y) * (y * (y * exp(-x)))))',
    f: (x, y) => mul(mul(neg(x), sigmoid(x)), mul(y, mul(T.mul(-1, y) as Tensor, mul(y, mul(y, exp(neg(x))))))),
    usesY: true,
  },
  {
    rule: 'sigmoid_times_exp',
    what: 'exp(-x) * -exp(-x) * (-sigmoid(x) * -sigmoid(x))',
    f: (x) => mul(mul(exp(neg(x)), neg(exp(neg(x)))), mul(neg(sigmoid(x)), neg(sigmoid(x)))),
  },
  {
    rule: 'sigmoid_times_exp',
    what: '-exp(x) * -sigmoid(-x) * -exp(-x)',
    f: (x) => mul(mul(neg(exp(x)), neg(sigmoid(neg(x)))), neg(exp(neg(x)))),
  },
  {
    rule: 'sigmoid_times_exp',
    what: 'sigmoid(x) * sigmoid(-y) * -exp(-x) * exp(y)',
    f: (x, y) => mul(mul(mul(sigmoid(x), sigmoid(neg(y))), neg(exp(neg(x)))), exp(y)),
    usesY: true,
  },
  {
    rule: 'sigmoid_times_one_plus_exp',
    what: 'sigmoid(x) * y * (1 + exp(-x))',
    f: (x, y) => mul(mul(sigmoid(x), y), onePlusExp(neg(x))),
    usesY: true,
  },
  {
    rule: 'sigmoid_times_one_plus_exp',
    what: '-(sigmoid(-x) * (1 + exp(x)))',
    f: (x) => neg(mul(sigmoid(neg(x)), onePlusExp(x))),
  },
  // 1 - sigmoid(x) loses digits as x grows (it cancels): the written odds are accurate for x below a few units
  {
    rule: 'odds_sigmoid',
    what: 'sigmoid(x) / (1 - sigmoid(x))',
    f: (x) => div(sigmoid(x), T.sub(1, sigmoid(x)) as Tensor),
    element: real(-30, 2),
  },
  {
    rule: 'odds_sigmoid',
    what: 'sigmoid(x) / (1 - sigmoid(x)), 1 - sigmoid(x) as written',
    f: (x) => div(sigmoid(x), T.sub(1, sigmoid(x)) as Tensor),
    element: real(-30, 2),
    mode: theano.DEBUG.excluding('one_minus_sigmoid'),
  },
  {
    rule: 'inv_odds_sigmoid',
    what: '(1 - sigmoid(x)) / sigmoid(x)',
    f: (x) => div(T.sub(1, sigmoid(x)) as Tensor, sigmoid(x)),
    element: real(-30, 2),
  },
  {
    rule: 'inv_odds_sigmoid',
    what: '(1 - sigmoid(x)) / sigmoid(x), 1 - sigmoid(x) as written',
    f: (x) => div(T.sub(1, sigmoid(x)) as Tensor, sigmoid(x)),
    element: real(-30, 2),
    mode: theano.DEBUG.excluding('one_minus_sigmoid'),
  },
  {
    rule: 'sigmoid_logit',
    what: 'sigmoid(log(p / (1 - p)))',
    f: (p) => sigmoid(T.log(div(p, T.sub(1, p) as Tensor)) as Tensor),
    element: real(0.01, 0.99),
  },
];

/** x (and y) vectors of one length. */
const inputsOf = (c: Case): fc.Arbitrary<Value[]> =>
  fc.array(fc.tuple(c.element ?? real(-30, 30), yElement), { minLength: 1, maxLength: 6 }).map((pairs) => {
    const x = pairs.map((p) => p[0]);
    return c.usesY ? [x, pairs.map((p) => p[1])] : [x];
  });

function compile(c: Case, mode: Mode | 'FAST_COMPILE' | 'FAST_RUN', dtype: 'float64' | 'float32' = 'float64') {
  const x = T.tensor(dtype, [null], 'x') as Tensor;
  const y = T.tensor(dtype, [null], 'y') as Tensor;
  const inputs = c.usesY ? [x, y] : [x];
  const out = c.f(x, y);
  const grad = T.grad(T.sum(out) as never, x) as Tensor;
  return theano.function(inputs, [out, grad], { mode, profile: true }) as unknown as ((...v: Value[]) => NDArray[]) & {
    profile?: { rules: Record<string, number> };
  };
}

describe('sigmoid rules: the optimized graph and its gradient agree with the written ones where those are accurate', () => {
  everyRuleHasACase(
    (SIGMOID_RULES.stabilize ?? []).map((r) => r.name),
    CASES,
  );

  for (const c of CASES) {
    test(`${c.rule}: ${c.what}`, () => {
      const naive = compile(c, 'FAST_COMPILE');
      const optimized = compile(c, c.mode ?? theano.DEBUG);
      expectFired(optimized, c.rule);
      fc.assert(
        fc.property(inputsOf(c), (values) => {
          const [value, grad] = optimized(...values);
          const [naiveValue, naiveGrad] = naive(...values);
          expectClose(value, naiveValue, 1e-9, `${c.what} at ${JSON.stringify(values)}`);
          expectClose(grad, naiveGrad, 1e-8, `d/dx of ${c.what} at ${JSON.stringify(values)}`);
        }),
        { numRuns: 40 },
      );
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------
// extreme inputs

interface Extreme {
  readonly rule: string;
  readonly what: string;
  readonly f: (x: Tensor) => Tensor;
  /** The true value and derivative at x. */
  readonly value: (x: number) => number;
  readonly derivative?: (x: number) => number;
  readonly xs: readonly number[];
}

const s = sigmoidRef;
const BIG = [-800, -100, -40, 0.5, 40, 100, 800];
const EXTREMES: Extreme[] = [
  {
    rule: 'exp_quotient_to_sigmoid',
    what: '-exp(x) / ((1 + exp(x)) * (1 + exp(-x)))',
    f: (x) => div(neg(exp(x)), mul(onePlusExp(x), onePlusExp(neg(x)))),
    value: (x) => -s(x) * s(x),
    derivative: (x) => -2 * s(x) * s(x) * s(-x),
    xs: BIG,
  },
  {
    rule: 'exp_quotient_to_sigmoid',
    what: 'exp(-x) / sqr(1 + exp(-x))',
    f: (x) => div(exp(neg(x)), T.sqr(onePlusExp(neg(x))) as Tensor),
    value: (x) => s(x) * s(-x),
    derivative: (x) => s(x) * s(-x) * (s(-x) - s(x)),
    xs: BIG,
  },
  {
    rule: 'exp_quotient_to_sigmoid',
    what: '2 * exp(x) / (1 + exp(x))',
    f: (x) => div(mul(T.fill(x, 2) as Tensor, exp(x)), onePlusExp(x)),
    value: (x) => 2 * s(x),
    derivative: (x) => 2 * s(x) * s(-x),
    xs: BIG,
  },
  {
    rule: 'sigmoid_times_exp',
    what: 'exp(-x) * -exp(-x) * (-sigmoid(x) * -sigmoid(x))',
    f: (x) => mul(mul(exp(neg(x)), neg(exp(neg(x)))), mul(neg(sigmoid(x)), neg(sigmoid(x)))),
    value: (x) => -s(-x) * s(-x),
    derivative: (x) => 2 * s(-x) * s(-x) * s(x),
    xs: BIG,
  },
  {
    rule: 'sigmoid_times_exp',
    what: '-exp(x) * -sigmoid(-x) * -exp(-x)',
    f: (x) => mul(mul(neg(exp(x)), neg(sigmoid(neg(x)))), neg(exp(neg(x)))),
    value: (x) => -s(-x),
    derivative: (x) => s(x) * s(-x),
    xs: BIG,
  },
  {
    rule: 'sigmoid_times_one_plus_exp',
    what: '-(sigmoid(-x) * (1 + exp(x))) * x',
    f: (x) => mul(neg(mul(sigmoid(neg(x)), onePlusExp(x))), x),
    value: (x) => -x,
    derivative: () => -1,
    xs: BIG,
  },
  {
    rule: 'odds_sigmoid',
    what: 'sigmoid(x) / (1 - sigmoid(x))',
    f: (x) => div(sigmoid(x), T.sub(1, sigmoid(x)) as Tensor),
    value: Math.exp,
    derivative: Math.exp,
    xs: [-100, -40, 0.5, 40, 80],
  },
  {
    rule: 'inv_odds_sigmoid',
    what: '(1 - sigmoid(x)) / sigmoid(x)',
    f: (x) => div(T.sub(1, sigmoid(x)) as Tensor, sigmoid(x)),
    value: (x) => Math.exp(-x),
    derivative: (x) => -Math.exp(-x),
    xs: [-80, -40, 0.5, 40, 100],
  },
  {
    rule: 'sigmoid_logit',
    what: 'sigmoid(log(p / (1 - p)))',
    f: (p) => sigmoid(T.log(div(p, T.sub(1, p) as Tensor)) as Tensor),
    value: (p) => p,
    xs: [1e-30, 0.25, 0.5, 1 - 2 ** -20],
  },
];

describe('sigmoid rules: finite and right at |x| in the hundreds, where the written forms give NaN or Inf', () => {
  for (const e of EXTREMES) {
    for (const dtype of ['float64', 'float32'] as const) {
      test(`${e.rule}: ${e.what} (${dtype})`, () => {
        const round = dtype === 'float32' ? Math.fround : (v: number) => v;
        const xs = e.xs.map(round);
        const x = T.tensor(dtype, [null], 'x') as Tensor;
        const out = e.f(x);
        const grad = T.grad(T.sum(out) as never, x) as Tensor;
        const naive = theano.function([x], [out, grad], { mode: 'FAST_COMPILE' });
        const f = theano.function([x], [out, grad], { profile: true });
        expect(f.profile!.rules[e.rule] ?? 0).toBeGreaterThan(0);
        const [value, derivative] = f(xs);
        const rtol = dtype === 'float32' ? 1e-5 : 1e-12;
        // the written form is wrong somewhere (NaN, Inf, or a value flushed to 0) where the truth is representable
        const wrong = (got: number, truth: number) =>
          Number.isFinite(round(truth)) && !(Math.abs(got - round(truth)) <= 1e-3 * Math.abs(round(truth)));
        const [naiveValue, naiveDerivative] = naive(xs);
        const naiveWrong =
          flat(naiveValue).some((v, i) => wrong(v, e.value(xs[i]!))) ||
          flat(naiveDerivative).some((v, i) => e.derivative !== undefined && wrong(v, e.derivative(xs[i]!)));
        // sigmoid(logit(p)) as written is accurate: its rewrite saves work, not digits
        expect(naiveWrong, 'the written form fails somewhere').toBe(e.rule !== 'sigmoid_logit');
        expectClose(
          value,
          xs.map((v) => round(e.value(v))),
          rtol,
          `${e.what} at ${xs}`,
        );
        if (e.derivative)
          expectClose(
            derivative,
            xs.map((v) => round(e.derivative!(v))),
            rtol,
            `d/dx ${e.what}`,
          );
        else expect(flat(derivative).every(Number.isFinite)).toBe(true);
      });
    }
  }
});
