/**
 * The stabilize rules: every rule is property-tested (the graph compiled without rewrites and with them agree on
 * random inputs where the naive form is accurate, and the rule fires), then the stabilizations themselves are
 * asserted on values where the naive form overflows, underflows or cancels.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';
import { STABILIZE_RULES } from '../../src/rewrite/rules/stabilize.js';
import {
  everyRuleHasACase,
  expectClose,
  flat,
  gradient,
  matrixOf,
  onMatrix,
  propertyCases,
  real,
  unary,
  type Case,
} from './support.js';

const T = theano.tensor;
const { log, exp } = Math;

// ---------------------------------------------------------------------------------------------------------------
// properties

/** Reals in [min, max] away from 0 (near 0, 1 + x and e^x - 1 lose the digits the stable forms keep). */
const awayFromZero = (min: number, max: number) => real(min, max).filter((x) => Math.abs(x) > 0.01);
/** Logits for 3 classes and one class label per row. */
const logitsAndLabels = matrixOf(real(-20, 20)).chain((m) =>
  fc.array(fc.integer({ min: 0, max: 2 }), { minLength: m.length, maxLength: m.length }).map((y) => [m, y]),
);
const CASES: Case[] = [
  unary('softplus_from_log', 'log(1 + exp(x))', (x) => T.log(T.add(1, T.exp(x))), real(-5, 30)),
  unary('softplus_from_log1p', 'log1p(exp(x))', (x) => T.log1p(T.exp(x)), real(-30, 30)),
  unary('log_sigmoid', 'log(sigmoid(x))', (x) => T.log(T.sigmoid(x)), real(-20, 5)),
  unary('log_sigmoid', 'log(sigmoid(-x))', (x) => T.log(T.sigmoid(T.neg(x))), real(-5, 20)),
  // 1 - sigmoid(x) -> sigmoid(-x) fires first (on the inner node); without it, the log form is matched
  unary(
    'log_one_minus_sigmoid',
    'log(1 - sigmoid(x))',
    (x) => T.log(T.sub(1, T.sigmoid(x))),
    real(-20, 5),
    theano.DEBUG.excluding('one_minus_sigmoid'),
  ),
  unary(
    'log_one_minus_sigmoid',
    'log1p(-sigmoid(x))',
    (x) => T.log1p(T.neg(T.sigmoid(x))),
    real(-20, 5),
    theano.DEBUG.excluding('one_minus_sigmoid'),
  ),
  unary('log1p', 'log(1 + x)', (x) => T.log(T.add(1, x)), awayFromZero(-0.9, 10)),
  unary('log1p', 'log(x + 1)', (x) => T.log(T.add(x, 1)), awayFromZero(-0.9, 10)),
  unary('log1p_of_negation', 'log(1 - x)', (x) => T.log(T.sub(1, x)), awayFromZero(-10, 0.9)),
  unary('expm1', 'exp(x) - 1', (x) => T.sub(T.exp(x), 1), awayFromZero(-5, 5)),
  unary('expm1', 'exp(x) + -1', (x) => T.add(T.exp(x), -1), awayFromZero(-5, 5)),
  unary('sigmoid_from_reciprocal', '1 / (1 + exp(-x))', (x) => T.div(1, T.add(1, T.exp(T.neg(x)))), real(-30, 30)),
  unary('sigmoid_from_reciprocal', 'reciprocal(1 + exp(x))', (x) => T.reciprocal(T.add(1, T.exp(x))), real(-30, 30)),
  unary('sigmoid_from_exp_ratio', 'exp(x) / (1 + exp(x))', (x) => T.div(T.exp(x), T.add(1, T.exp(x))), real(-30, 30)),
  unary('one_minus_sigmoid', '1 - sigmoid(x)', (x) => T.sub(1, T.sigmoid(x)), real(-30, 5)),
  onMatrix('log_softmax', 'log(softmax(m))', (m) => T.log(T.softmax(m)), real(-20, 20)),
  onMatrix(
    'softmax_from_exp',
    'exp(m) / sum(exp(m), axis=1, keepdims)',
    (m) => T.div(T.exp(m), T.sum(T.exp(m), 1, { keepdims: true })),
    real(-20, 20),
  ),
  onMatrix(
    'softmax_from_exp',
    'exp(m) / dimshuffle(sum(exp(m), axis=0), x, 0)',
    (m) => T.div(T.exp(m), T.sum(T.exp(m), 0).dimshuffle('x', 0)),
    real(-20, 20),
  ),
  {
    rule: 'log_softmax',
    what: 'the one-hot cross-entropy -sum(t * log(softmax(m)))',
    build: () => {
      const [m, t] = T.dmatrices('m', 't');
      return { inputs: [m, t], output: T.categoricalCrossentropy(T.softmax(m), t) };
    },
    values: matrixOf(real(-20, 20)).chain((m) => matrixOf(real(0, 1), 3, m.length).map((t) => [m, t])),
  },
  unary('logsumexp', 'log(sum(exp(x)))', (x) => T.log(T.sum(T.exp(x))), real(-20, 20)),
  onMatrix(
    'logsumexp',
    'log(sum(exp(m), axis=1, keepdims))',
    (m) => T.log(T.sum(T.exp(m), 1, { keepdims: true })),
    real(-20, 20),
  ),
  {
    rule: 'crossentropy_softmax',
    what: 'categoricalCrossentropy(softmax(m), labels)',
    build: () => {
      const m = T.dmatrix('m');
      const y = T.ivector('y');
      return { inputs: [m, y], output: T.categoricalCrossentropy(T.softmax(m), y) };
    },
    values: logitsAndLabels,
  },
  gradient('exp_over_one_plus_exp', 'log(1 + exp(x))', (x) => T.log(T.add(1, T.exp(x))), real(-30, 30)),
  gradient('exp_over_one_plus_exp', '1 / (1 + exp(-x))', (x) => T.div(1, T.add(1, T.exp(T.neg(x)))), real(-30, 30)),
  gradient('cancel_division', 'log(sigmoid(x))', (x) => T.log(T.sigmoid(x)), real(-30, 30)),
  gradient('cancel_division', 'log(1 - sigmoid(x))', (x) => T.log(T.sub(1, T.sigmoid(x))), real(-30, 30)),
  onMatrix('cancel_division', 'd/dm sum(log(softmax(m)))', (m) => T.grad(T.sum(T.log(T.softmax(m))), m), real(-20, 20)),
  {
    rule: 'cancel_division',
    what: 'd/dm sum(categoricalCrossentropy(softmax(m), labels))',
    build: () => {
      const m = T.dmatrix('m');
      const y = T.ivector('y');
      return { inputs: [m, y], output: T.grad(T.sum(T.categoricalCrossentropy(T.softmax(m), y)), m) };
    },
    values: logitsAndLabels,
  },
  unary('exp_over_sum_exp', 'd/dx log(sum(exp(x)))', (x) => T.grad(T.log(T.sum(T.exp(x))), x), real(-20, 20)),
  onMatrix(
    'exp_over_sum_exp',
    'd/dm sum(log(sum(exp(m), axis=1)))',
    (m) => T.grad(T.sum(T.log(T.sum(T.exp(m), 1))), m),
    real(-20, 20),
  ),
  onMatrix(
    'exp_over_sum_exp',
    'd/dm log(sum(exp(m))) over both axes',
    (m) => T.grad(T.log(T.sum(T.exp(m))), m),
    real(-20, 20),
  ),
];

describe('stabilize rules: the optimized graph agrees with the naive one where the naive one is accurate', () => {
  test('the cases run every rule in DEBUG mode (the same rules as FAST_RUN, plus the checks)', () => {
    expect(CASES.every((c) => (c.mode ?? theano.DEBUG).name === 'DEBUG')).toBe(true);
  });

  everyRuleHasACase(
    STABILIZE_RULES.map((r) => r.name),
    CASES,
  );
  propertyCases(CASES, { numRuns: 50 });
});

// ---------------------------------------------------------------------------------------------------------------
// stabilization, on values (FAST_RUN)

const isFiniteArray = (a: NDArray) => flat(a).every(Number.isFinite);

describe('stabilization: values where the naive forms overflow, underflow or cancel', () => {
  test('log(1 + exp(x)) at x = 800 is 800, and its gradient is 1', () => {
    const x = T.dscalar('x');
    const y = T.log(T.add(1, T.exp(x)));
    expect(theano.function([x], y)(800)).toBe(800);
    expect(theano.function([x], T.grad(y, x))(800)).toBe(1);
    expect(theano.function([x], T.grad(y, x))(-800)).toBe(0);
    // without the stabilize phase: the naive forms overflow
    const naive = theano.FAST_RUN.excluding('stabilize');
    expect(theano.function([x], y, { mode: naive })(800)).toBe(Infinity);
    expect(theano.function([x], T.grad(y, x), { mode: naive })(800)).toBeNaN();
  });

  test('the same on a vector and on float32 (whose exp overflows already at 89)', () => {
    const v = T.dvector('v');
    const y = T.sum(T.log(T.add(1, T.exp(v))));
    expect(theano.function([v], T.grad(y, v))([800, -800, 0]).toArray()).toEqual([1, 0, 0.5]);
    const f = T.fvector('f');
    const z = T.log(T.add(1, T.exp(f)));
    const out = theano.function([f], [z, T.grad(T.sum(z), f)])([100, -100]);
    expect(out[0].dtype).toBe('float32');
    expect(out[0].toArray()).toEqual([100, Math.fround(softplusRef(-100))]);
    expect(out[1].toArray()).toEqual([1, Math.fround(1 / (1 + exp(100)))]);
  });

  test('a softmax written by hand, exp(x) / sum(exp(x)), and its log stay finite at logits of +-1000', () => {
    const m = T.dmatrix('m');
    const e = T.exp(m);
    const p = e.div(e.sum(1, { keepdims: true }));
    const f = theano.function([m], [p, T.log(p)]);
    const [probs, logp] = f([[1000, 0, -1000]]);
    expect(probs.toArray()).toEqual([[1, 0, 0]]);
    expect(logp.toArray()).toEqual([[0, -1000, -2000]]);
    expect(theano.pp(f.graph.outputs[1]!)).toBe('log_softmax(m, axis=1)');
    const naive = theano.function([m], p, { mode: theano.FAST_RUN.excluding('stabilize') });
    expect(Number.isNaN((naive([[1000, 0, -1000]]).toArray() as number[][])[0]![0])).toBe(true);
  });

  test('log(sigmoid(x)) at x = -800 is -800, and its gradient is 1', () => {
    const x = T.dscalar('x');
    const y = T.log(T.sigmoid(x));
    expect(theano.function([x], y)(-800)).toBe(-800);
    expect(theano.function([x], T.grad(y, x))(-800)).toBe(1);
    expect(theano.function([x], T.grad(y, x))(800)).toBe(0);
  });

  test('log(1 - sigmoid(x)) at x = 800 is -800, and its gradient is -1', () => {
    const x = T.dscalar('x');
    const y = T.log(T.sub(1, T.sigmoid(x)));
    expect(theano.function([x], y)(800)).toBe(-800);
    expect(theano.function([x], T.grad(y, x))(800)).toBe(-1);
    expect(theano.function([x], y, { mode: theano.FAST_RUN.excluding('one_minus_sigmoid') })(800)).toBe(-800);
  });

  test('log(1 + x) at x = 1e-12 keeps full precision', () => {
    const x = T.dscalar('x');
    const got = theano.function([x], T.log(T.add(1, x)))(1e-12);
    const want = 1e-12 - 5e-25; // x - x^2/2 (the next term, x^3/3, is below an ulp)
    expect(Math.abs(got - want)).toBeLessThan(1e-24);
    expect(Math.abs(got - want) / want).toBeLessThan(1e-15);
    expect(Math.abs(log(1 + 1e-12) - want)).toBeGreaterThan(1e-17); // the naive form keeps only 4 digits
  });

  test('exp(x) - 1 at x = 1e-12 keeps full precision', () => {
    const x = T.dscalar('x');
    const got = theano.function([x], T.sub(T.exp(x), 1))(1e-12);
    expect(Math.abs(got - (1e-12 + 5e-25)) / 1e-12).toBeLessThan(1e-15);
  });

  test('1 / (1 + exp(-x)) at x = -800 is 0 (finite), and its gradient is finite', () => {
    const x = T.dscalar('x');
    const y = T.div(1, T.add(1, T.exp(T.neg(x))));
    expect(theano.function([x], y)(-800)).toBe(0);
    expect(theano.function([x], y)(800)).toBe(1);
    const g = theano.function([x], T.grad(y, x));
    expect(g(-800)).toBe(0);
    expect(g(800)).toBe(0);
    expect(g(0)).toBe(0.25);
    const v = T.dvector('v');
    const gv = theano.function([v], T.grad(T.sum(T.div(1, T.add(1, T.exp(T.neg(v))))), v));
    expect(gv([-800, 800, 0]).toArray()).toEqual([0, 0, 0.25]);
  });

  test('exp(x) / (1 + exp(x)) at x = 800 is 1', () => {
    const x = T.dscalar('x');
    expect(theano.function([x], T.div(T.exp(x), T.add(1, T.exp(x))))(800)).toBe(1);
  });

  test('log(softmax(x)) with huge logits is finite, and so is its gradient', () => {
    const m = T.dmatrix('m');
    const y = T.log(T.softmax(m));
    const logits = [[1000, 0, -1000]];
    expect(theano.function([m], y)(logits).toArray()).toEqual([[0, -1000, -2000]]);
    const g = theano.function([m], T.grad(T.sum(y), m))(logits);
    expect(isFiniteArray(g)).toBe(true);
    expectClose(g, [-2, 1, 1], 1e-12, 'd sum(log softmax)');
  });

  test('logsumexp: log(sum(exp(x))) of [1000, 1000] is 1000 + log 2, its gradient [0.5, 0.5]', () => {
    const v = T.dvector('v');
    const y = T.log(T.sum(T.exp(v)));
    expect(theano.function([v], y)([1000, 1000])).toBe(1000 + log(2));
    expect(theano.function([v], y)([-1000, -1000])).toBe(-1000 + log(2));
    expect(theano.function([v], T.grad(y, v))([1000, 1000]).toArray()).toEqual([0.5, 0.5]);
    const m = T.dmatrix('m');
    const rows = T.log(T.sum(T.exp(m), 1));
    expect(
      theano
        .function(
          [m],
          rows,
        )([
          [1000, 1000],
          [-1000, -1000],
        ])
        .toArray(),
    ).toEqual([1000 + log(2), -1000 + log(2)]);
    const all = theano.function(
      [m],
      T.grad(T.log(T.sum(T.exp(m))), m),
    )([
      [1000, 1000],
      [1000, 1000],
    ]);
    expect(all.toArray()).toEqual([
      [0.25, 0.25],
      [0.25, 0.25],
    ]);
  });

  test('categorical cross-entropy of softmax with huge logits is finite, and so is its gradient', () => {
    const m = T.dmatrix('m');
    const y = T.ivector('y');
    const loss = T.categoricalCrossentropy(T.softmax(m), y);
    const logits = [
      [1000, 0, -1000],
      [0, 0, 0],
    ];
    expect(theano.function([m, y], loss)(logits, [2, 1]).toArray()).toEqual([2000, log(3)]);
    const g = theano.function([m, y], T.grad(T.sum(loss), m))(logits, [2, 1]);
    expect(isFiniteArray(g)).toBe(true);
    expectClose(g, [1, 0, -1, 1 / 3, 1 / 3 - 1, 1 / 3], 1e-12, 'softmax - onehot');
    // the op's label check survives the rewrite
    expect(() => theano.function([m, y], loss)(logits, [3, 0])).toThrow(
      /label 3 \(row 0\) is out of range for 3 classes/,
    );
  });

  test('the one-hot form -sum(t * log(softmax(x))) is finite too, with its gradient', () => {
    const [m, t] = T.dmatrices('m', 't');
    const loss = T.categoricalCrossentropy(T.softmax(m), t);
    const logits = [[1000, 0, -1000]];
    expect(
      theano
        .function([m, t], loss)(logits, [[0, 0, 1]])
        .toArray(),
    ).toEqual([2000]);
    const g = theano.function([m, t], T.grad(T.sum(loss), m))(logits, [[0, 0, 1]]);
    expect(g.toArray()).toEqual([[1, 0, -1]]);
  });

  test('categorical cross-entropy of a softmax along another axis than the classes is left as it is', () => {
    const m = T.dmatrix('m');
    const y = T.ivector('y');
    const f = theano.function([m, y], T.categoricalCrossentropy(T.softmax(m, 0), y), { profile: true });
    expect(f.profile!.rules.crossentropy_softmax).toBeUndefined();
    expectClose(
      f(
        [
          [0, 0],
          [0, 0],
        ],
        [0, 1],
      ),
      [log(2), log(2)],
      1e-15,
      'cce of softmax over columns',
    );
  });

  test('DEBUG mode accepts a stabilization: the graph as written gives NaN or Infinity where the rewrite is finite', () => {
    const x = T.dscalar('x');
    const y = T.log(T.add(1, T.exp(x)));
    const f = theano.function([x], [y, T.grad(y, x)], { mode: 'DEBUG' });
    expect(f(800)).toEqual([800, 1]);
    expect(theano.function([x], [y, T.grad(y, x)], { mode: 'FAST_COMPILE' })(800)).toEqual([Infinity, NaN]);
  });

  test('a cancelled quotient keeps the shape of the product: a numerator that broadcasts is filled back to it', () => {
    // (a / d) * d with a scalar a and a vector d is a vector, not the scalar a
    const a = T.dscalar('a');
    const d = T.dvector('d');
    const f = theano.function([a, d], T.mul(T.div(a, d), d), { profile: true });
    expect(f.profile!.rules.cancel_division).toBe(1);
    expect(f(2, [1, 0, Infinity]).toArray()).toEqual([2, 2, 2]);
  });
});

function softplusRef(x: number): number {
  return x > 0 ? x + Math.log1p(exp(-x)) : Math.log1p(exp(x));
}
