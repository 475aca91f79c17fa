/**
 * The logexp rules (src/rewrite/rules/logexp.ts): every rule is property-tested (the graph compiled without
 * rewrites and with them agree on random inputs where both are finite, and the rule fires, in DEBUG mode, which
 * also compares every call), then the stabilizations are asserted on extreme values (|x| in the hundreds, float32
 * and float64) against references computed at 50 digits (mpmath), with their gradients.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';
import { LOGEXP_RULES } from '../../src/rewrite/rules/logexp.js';
import {
  binary,
  everyRuleHasACase,
  flat,
  gradient,
  matrixOf,
  onMatrix,
  propertyCases,
  real,
  unary,
  vectorOf,
  type Case,
} from './support.js';

const T = theano.tensor;
const { log, exp, sqrt, PI } = Math;

// ---------------------------------------------------------------------------------------------------------------
// properties

/** Two vectors of one length. */
const twoVectors = (ea: fc.Arbitrary<number>, eb: fc.Arbitrary<number>) =>
  fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(vectorOf(ea, n), vectorOf(eb, n)));
/** Vectors a and b with a > b by at least 0.01 elementwise (at a = b, log(e^a - e^b) is -Infinity). */
const aAboveB = fc
  .integer({ min: 1, max: 6 })
  .chain((n) => fc.tuple(vectorOf(real(-30, 30), n), vectorOf(real(0.01, 30), n)))
  .map(([a, gap]) => [a, a.map((ai, i) => ai - gap[i]!)]);

const xs = twoVectors(real(-30, 30), real(-30, 30));
const sumGrad = (f: (x: Tensor, y: Tensor) => Tensor, wrt: 0 | 1) => (x: Tensor, y: Tensor) =>
  T.grad(T.sum(f(x, y)) as never, wrt === 0 ? x : y) as Tensor;
const lse2 = (x: Tensor, y: Tensor) => T.log(T.add(T.exp(x), T.exp(y)));
const diff2 = (x: Tensor, y: Tensor) => T.log(T.sub(T.exp(x), T.exp(y)));
const negSquare = (x: Tensor) => T.neg(T.sqr(x));

const CASES: Case[] = [
  unary('log_exp', 'log(exp(x))', (x) => T.log(T.exp(x)), real(-30, 30)),
  unary('log_exp', 'log1p(expm1(x))', (x) => T.log1p(T.expm1(x)), real(-3, 30)), // below, expm1(x) nears -1 and log1p loses digits
  unary('exp_softplus', 'exp(softplus(x))', (x) => T.exp(T.softplus(x)), real(-30, 30)),
  unary('exp_softplus', 'expm1(softplus(x))', (x) => T.expm1(T.softplus(x)), real(-30, 30)),
  unary('exp_log', 'exp(log(x))', (x) => T.exp(T.log(x)), real(-5, 5)),
  unary('exp_log', 'expm1(log1p(x))', (x) => T.expm1(T.log1p(x)), real(-3, 3)),
  unary('exp_log', 'exp(log1p(x))', (x) => T.exp(T.log1p(x)), real(-3, 3)),
  unary('exp_log', 'expm1(log(x))', (x) => T.expm1(T.log(x)), real(-3, 3)),
  unary('exp_log', 'exp(log1mexp(x))', (x) => T.exp(T.log1mexp(x)), real(-5, 1)),
  unary('exp_log', 'expm1(log1mexp(x))', (x) => T.expm1(T.log1mexp(x)), real(-5, 1)),
  unary('exp_log', 'softplus(log(x))', (x) => T.softplus(T.log(x)), real(-3, 5)),
  unary('exp_log', 'log1mexp(log(x))', (x) => T.log1mexp(T.log(x)), real(-1, 2)),
  unary('exp_log', 'log1mexp(log1mexp(x))', (x) => T.log1mexp(T.log1mexp(x)), real(-5, 1)),
  binary('log_add_exp', 'log(exp(x) + exp(y))', lse2, xs),
  binary('log_add_exp', 'log(exp(x) + 2 + exp(y))', (x, y) => T.log(T.add(T.add(T.exp(x), 2), T.exp(y))), xs),
  binary(
    'log_add_exp',
    'log(exp(y) + (exp(x) + exp(x + y)))',
    (x, y) => T.log(T.add(T.exp(y), T.add(T.exp(x), T.exp(T.add(x, y))))),
    xs,
  ),
  binary('log_add_exp', 'log1p(exp(x) + exp(y))', (x, y) => T.log1p(T.add(T.exp(x), T.exp(y))), xs),
  binary(
    'log_add_exp',
    'log(1 + exp(x) + exp(y)) (log1p first)',
    (x, y) => T.log(T.add(1, T.add(T.exp(x), T.exp(y)))),
    xs,
  ),
  {
    rule: 'log_add_exp',
    what: 'log(exp(m) + exp(v)), broadcast',
    build: () => {
      const m = T.dmatrix('m');
      const u = T.dvector('u');
      return { inputs: [m, u], output: T.log(T.add(T.exp(m), T.exp(u))) };
    },
    values: fc.tuple(matrixOf(real(-30, 30)), vectorOf(real(-30, 30), 3)),
  },
  binary('log_add_exp_grad', 'd/dx log(exp(x) + exp(y))', sumGrad(lse2, 0), xs),
  binary('log_add_exp_grad', 'd/dy log(exp(x) + exp(y))', sumGrad(lse2, 1), xs),
  binary(
    'log_add_exp_grad',
    'd/dx log(exp(x) + 3 + exp(y))',
    sumGrad((x, y) => T.log(T.add(T.add(T.exp(x), 3), T.exp(y))), 0),
    xs,
  ),
  binary('logdiffexp', 'log(exp(a) - exp(b))', diff2, aAboveB),
  binary('logdiffexp', 'log(exp(a) + -exp(b))', (x, y) => T.log(T.add(T.exp(x), T.neg(T.exp(y)))), aAboveB),
  binary('log1mexp_grad', 'd/da log(exp(a) - exp(b))', sumGrad(diff2, 0), aAboveB),
  binary('log1mexp_grad', 'd/db log(exp(a) - exp(b))', sumGrad(diff2, 1), aAboveB),
  gradient('log1mexp_grad', 'log(1 - exp(x))', (x) => T.log(T.sub(1, T.exp(x))), real(-30, -0.01)),
  gradient('log1mexp_grad', 'log1p(-exp(x))', (x) => T.log1p(T.neg(T.exp(x))), real(-30, -0.01)),
  onMatrix(
    'logsumexp_dimshuffled',
    "log(dimshuffle(sum(exp(m), 1), [0, 'x']))",
    (m) => T.log(T.sum(T.exp(m), 1).dimshuffle(0, 'x')),
    real(-30, 30),
  ),
  onMatrix(
    'logsumexp_dimshuffled',
    "log(dimshuffle(sum(exp(m), 0), ['x', 0]))",
    (m) => T.log(T.sum(T.exp(m), 0).dimshuffle('x', 0)),
    real(-30, 30),
  ),
  onMatrix(
    'logsumexp_dimshuffled_grad',
    'd/dm sum(log(sum(exp(m.T), 0)))',
    (m) => T.grad(T.sum(T.log(T.sum(T.exp(m.T), 0))), m),
    real(-30, 30),
  ),
  onMatrix(
    'logsumexp_dimshuffled_grad',
    "d/dm sum(log(sum(exp(dimshuffle(m, [1, 'x', 0])), [0, 2])))",
    (m) => T.grad(T.sum(T.log(T.sum(T.exp(m.dimshuffle(1, 'x', 0)), [0, 2]))), m),
    real(-30, 30),
  ),
  unary('log1mexp', 'log(1 - exp(x))', (x) => T.log(T.sub(1, T.exp(x))), real(-30, -0.01)),
  unary('log1mexp', 'log(1 + -exp(x))', (x) => T.log(T.add(1, T.neg(T.exp(x)))), real(-30, -0.01)),
  unary('log1mexp', 'log1p(-exp(x))', (x) => T.log1p(T.neg(T.exp(x))), real(-30, -0.01)),
  unary('log1mexp', 'log(-expm1(x))', (x) => T.log(T.neg(T.expm1(x))), real(-30, -0.01)),
  unary('log1mexp', 'log(-(exp(x) - 1))', (x) => T.log(T.neg(T.sub(T.exp(x), 1))), real(-30, -0.01)),
  unary(
    'log1mexp',
    'log(1 - exp(x)) without log1p_of_negation',
    (x) => T.log(T.sub(1, T.exp(x))),
    real(-30, -0.01),
    theano.DEBUG.excluding('log1p_of_negation'),
  ),
  unary(
    'log1mexp',
    'log(-(exp(x) - 1)) without expm1',
    (x) => T.log(T.neg(T.sub(T.exp(x), 1))),
    real(-30, -0.01),
    theano.DEBUG.excluding('expm1'),
  ),
  unary('log_erfc', 'log(erfc(x))', (x) => T.log(T.erfc(x)), real(-10, 25)),
  gradient('log_erfc_grad', 'log(erfc(x))', (x) => T.log(T.erfc(x)), real(-10, 25)),
  unary('log_erfc_grad', 'exp(-x^2) / erfc(x)', (x) => T.div(T.exp(negSquare(x)), T.erfc(x)), real(-10, 25)),
  unary(
    'log_erfc_grad',
    '(3 * exp(-x^2)) / erfc(x)',
    (x) => T.div(T.mul(3, T.exp(negSquare(x))), T.erfc(x)),
    real(-10, 25),
  ),
  unary(
    'log_erfc_grad',
    'exp(-x^2) * (2 / erfc(x))',
    (x) => T.mul(T.exp(negSquare(x)), T.div(2, T.erfc(x))),
    real(-10, 25),
  ),
];

describe('logexp rules: the optimized graph agrees with the graph as written', () => {
  everyRuleHasACase(
    Object.values(LOGEXP_RULES).flatMap((rules) => rules.map((r) => r.name)),
    CASES,
  );
  // a stabilization may turn the NaN of Inf - Inf or 0 * Inf into a number: only finite values are compared
  propertyCases(CASES, { numRuns: 40, finiteOnly: true });
});

// ---------------------------------------------------------------------------------------------------------------
// extreme values (FAST_RUN), float64 and float32, against references at 50 digits

const naiveMode = theano.FAST_RUN.excluding(
  'log_exp',
  'log_add_exp',
  'logdiffexp',
  'log1mexp',
  'log_erfc',
  'stabilize',
);
const isFiniteArray = (a: NDArray) => flat(a).every(Number.isFinite);
function expectClose(got: unknown, want: readonly number[], rtol: number, context: string): void {
  const g = flat(got);
  expect(g.length, context).toBe(want.length);
  g.forEach((a, i) => {
    const b = want[i]!;
    const ok = Number.isNaN(b) ? Number.isNaN(a) : a === b || Math.abs(a - b) <= rtol * Math.abs(b);
    expect(ok, `${context}: [${i}] ${a} vs ${b}`).toBe(true);
  });
}
const F32 = 2 ** -23;

describe('inverse pairs', () => {
  test('log(exp(x)) is x where exp overflows or underflows, in float64 and float32', () => {
    const x = T.dvector('x');
    expect(
      theano
        .function(
          [x],
          T.log(T.exp(x)),
        )([800, -800, 1.5])
        .toArray(),
    ).toEqual([800, -800, 1.5]);
    expect(
      theano
        .function([x], T.log(T.exp(x)), { mode: naiveMode })([800, -800])
        .toArray(),
    ).toEqual([Infinity, -Infinity]);
    const f = T.fvector('f');
    const out = theano.function([f], T.log(T.exp(f)))([200, -200]);
    expect(out.dtype).toBe('float32');
    expect(out.toArray()).toEqual([200, -200]);
    const g = theano.function([x], T.grad(T.sum(T.log(T.exp(x))), x))([800, -800]);
    expect(g.toArray()).toEqual([1, 1]);
  });

  test('log(exp(i)) of an integer vector is i as a float', () => {
    const i = T.ivector('i');
    const out = theano.function([i], T.log(T.exp(i)))([800, -3]);
    expect(out.dtype).toBe('float64');
    expect(out.toArray()).toEqual([800, -3]);
  });

  test("exp(log(x)) keeps log's domain: NaN below 0, as the graph as written", () => {
    const x = T.dvector('x');
    const f = theano.function([x], T.exp(T.log(x)), { profile: true });
    expect(f.profile!.rules.exp_log).toBe(1);
    expect(flat(f([-1, 0, 2, 1e300, Infinity, NaN]))).toEqual([NaN, 0, 2, 1e300, Infinity, NaN]);
    const g = theano.function([x], T.expm1(T.log1p(x)))([-2, -1, 1e-300, 3]);
    expect(flat(g)).toEqual([NaN, -1, 1e-300, 3]);
    const h = theano.function([x], T.log1mexp(T.log1mexp(x)))([0.5, -800, -1]);
    expectClose(h, [NaN, -800, -1], 1e-15, 'log1mexp(log1mexp(x))');
  });

  test('exp(log1mexp(x)) is -expm1(x), exact near 0 where 1 - exp(x) would cancel', () => {
    const x = T.dvector('x');
    const got = theano.function([x], T.exp(T.log1mexp(x)))([-1e-12, -800, 0.5]);
    expectClose(got, [-Math.expm1(-1e-12), 1, NaN], 1e-15, 'exp(log1mexp(x))');
  });
});

describe('log-sum-exp of separate terms', () => {
  test('log(exp(x) + exp(y)) at 1000 and -1000, with its gradient, float64 and float32', () => {
    const [x, y] = T.dvectors('x', 'y');
    const lse = T.log(T.add(T.exp(x), T.exp(y)));
    const f = theano.function([x, y], [lse, T.grad(T.sum(lse), x), T.grad(T.sum(lse), y)]);
    const [value, dx, dy] = f([1000, -1000, 800, -Infinity], [1000, -1000, -800, -Infinity]);
    expectClose(value, [1000 + log(2), -1000 + log(2), 800, -Infinity], 1e-15, 'lse');
    expectClose(dx, [0.5, 0.5, 1, NaN], 1e-15, 'd/dx'); // at -inf, -inf the sum is 0 and e^x / 0 is NaN as written
    expectClose(dy, [0.5, 0.5, 0, NaN], 1e-15, 'd/dy');
    expect(flat(theano.function([x, y], lse, { mode: naiveMode })([1000], [1000]))).toEqual([Infinity]);
    const [a, b] = T.fvectors('a', 'b');
    const lse32 = T.log(T.add(T.exp(a), T.exp(b)));
    const [v32, g32] = theano.function([a, b], [lse32, T.grad(T.sum(lse32), a)])([100, -200], [100, -200]);
    expect(v32.dtype).toBe('float32');
    expectClose(v32, [100 + log(2), -200 + log(2)], F32, 'lse float32');
    expectClose(g32, [0.5, 0.5], F32, 'd/da float32');
  });

  test('three terms and a constant, in any order: log(exp(x) + exp(x - 1) + 2) and at -1000', () => {
    const x = T.dvector('x');
    const y = T.log(T.add(T.exp(T.sub(x, 1)), T.add(2, T.exp(x))));
    const f = theano.function([x], [y, T.grad(T.sum(y), x)]);
    const [value, grad] = f([1000, -1000]);
    // log(e^1000 + e^999 + 2) = 1000 + log(1 + e^-1) to double precision; at -1000 it is log 2
    expectClose(value, [1000 + Math.log1p(exp(-1)), log(2)], 1e-15, 'value');
    expectClose(grad, [1, 0], 1e-15, 'gradient');
    const z = T.dvector('z');
    const three = T.log(T.add(T.add(T.exp(x), T.exp(T.sub(x, 1))), T.exp(z)));
    expectClose(
      theano.function([x, z], three)([-1000], [-1001]),
      [-1000 + log(1 + 2 * exp(-1))],
      1e-15,
      'three terms at -1000',
    );
  });

  test('log(exp(a) - exp(b)): 1000 and 999, b = -inf, and the gradient; float32 at 100', () => {
    const [a, b] = T.dvectors('a', 'b');
    const y = T.log(T.sub(T.exp(a), T.exp(b)));
    const [value, da, db] = theano.function([a, b], [y, T.grad(T.sum(y), a), T.grad(T.sum(y), b)])(
      [1000, -1000, 5, -Infinity],
      [999, -1001, -Infinity, -Infinity],
    );
    const r = 1 / Math.expm1(1); // e^b / (e^a - e^b) at a - b = 1
    expectClose(value, [999.5413248546129, -1000 + log(1 - exp(-1)), 5, -Infinity], 1e-15, 'logdiffexp');
    expectClose(da, [1 + r, 1 + r, 1, NaN], 1e-14, 'd/da');
    expectClose(db, [-r, -r, 0, NaN], 1e-14, 'd/db');
    // at a = b, log(0): the one-sided limits, with the signs of the quotients as written
    const atEqual = theano.function([a, b], [T.grad(T.sum(y), a), T.grad(T.sum(y), b)])([2], [2]);
    expect(atEqual.map(flat)).toEqual([[Infinity], [-Infinity]]);
    const [p, q] = T.fvectors('p', 'q');
    const y32 = T.log(T.sub(T.exp(p), T.exp(q)));
    const out = theano.function([p, q], y32)([100], [99]);
    expect(out.dtype).toBe('float32');
    expectClose(out, [99.54132485461292], F32, 'float32');
  });

  test('logsumexp of a transposed input and through a dimshuffle of the sum (keepdims by hand)', () => {
    const m = T.dmatrix('m');
    const big = [
      [1000, 1000],
      [-1000, -1000],
    ];
    const overTransposed = T.log(T.sum(T.exp(m.T), 0));
    const transposed = theano.function([m], [overTransposed, T.grad(T.sum(overTransposed), m)], { profile: true });
    expect(transposed.profile!.rules.logsumexp).toBe(1);
    expect(transposed.profile!.rules.logsumexp_dimshuffled_grad).toBe(1);
    const [lse, lseGrad] = transposed(big);
    expectClose(lse, [1000 + log(2), -1000 + log(2)], 1e-15, 'lse over the columns of m.T');
    expectClose(lseGrad, [0.5, 0.5, 0.5, 0.5], 1e-15, 'its gradient');
    const shuffled = T.sum(T.log(T.sum(T.exp(m.dimshuffle(1, 'x', 0)), [0, 2])));
    expectClose(theano.function([m], T.grad(shuffled, m))(big), [0.5, 0.5, 0, 0], 1e-15, "through [1, 'x', 0]");
    const kept = T.log(T.sum(T.exp(m), 1).dimshuffle(0, 'x'));
    const f = theano.function([m], [kept, T.grad(T.sum(kept), m)], { profile: true });
    expect(f.profile!.rules.logsumexp_dimshuffled).toBe(1);
    const [value, grad] = f([
      [1000, 1000],
      [-1000, -Infinity],
    ]);
    expect(value.shape).toEqual([2, 1]);
    expectClose(value, [1000 + log(2), -1000], 1e-15, 'value');
    expectClose(grad, [0.5, 0.5, 1, 0], 1e-15, 'gradient');
  });
});

describe('log1mexp', () => {
  test('log(1 - exp(x)) near 0 and at -800, with its gradient, float64 and float32', () => {
    const x = T.dvector('x');
    const y = T.log(T.sub(1, T.exp(x)));
    const f = theano.function([x], [y, T.grad(T.sum(y), x)]);
    const [value, grad] = f([-1e-20, -800, -1]);
    expectClose(value, [-46.051701859880914, -exp(-800), log(1 - exp(-1))], 1e-15, 'value');
    expectClose(grad, [-1e20, -0, -exp(-1) / (1 - exp(-1))], 1e-15, 'gradient');
    expect(flat(theano.function([x], y, { mode: naiveMode })([-1e-20]))).toEqual([-Infinity]);
    expect(flat(theano.function([x], T.grad(T.sum(y), x))([0, -0]))).toEqual([-Infinity, -Infinity]); // as written
    const u = T.fvector('u');
    const y32 = T.log1p(T.neg(T.exp(u)));
    const [v32, g32] = theano.function([u], [y32, T.grad(T.sum(y32), u)])([-1e-10, -200]);
    expect(v32.dtype).toBe('float32');
    expectClose(v32, [-23.025850929990458, -0], F32, 'float32');
    expectClose(g32, [-1e10, -0], F32, 'float32 gradient');
  });

  test('the op: log1mexp(x) is NaN above 0 and -Infinity at 0; its gradient at -1e-20 and -800', () => {
    const x = T.dvector('x');
    expectClose(theano.function([x], T.log1mexp(x))([0.5, -0, -1e-300]), [NaN, -Infinity, log(1e-300)], 1e-15, 'op');
    const g = theano.function([x], T.grad(T.sum(x.log1mexp()), x))([-1e-20, -800]);
    expectClose(g, [-1e20, -0], 1e-15, 'gradient');
    expect(theano.pp(T.log1mexp(x))).toBe('log1mexp(x)');
  });
});

describe('log(erfc(x))', () => {
  const refs: [number, number, number][] = [
    // x, log(erfc(x)), d/dx log(erfc(x)) (mpmath, 50 digits)
    [10, -102.87988902484489, -20.099024116734604],
    [12, -147.06071417798702, -24.08276442664215],
    [30, -903.9741171106439, -60.03329639875623],
    [100, -10005.177585122665, -200.0099990002499],
    [300, -90006.27615297306, -600.0033332962973],
  ];

  test('finite and right where erfc underflows (x > 26.6), with its gradient, in float64', () => {
    const x = T.dvector('x');
    const y = T.log(T.erfc(x));
    const f = theano.function([x], [y, T.grad(T.sum(y), x)]);
    const [value, grad] = f([...refs.map((r) => r[0]), -300, 0]);
    expectClose(value, [...refs.map((r) => r[1]), log(2), 0], 1e-14, 'log(erfc(x))');
    expectClose(grad, [...refs.map((r) => r[2]), -0, -2 / sqrt(PI)], 1e-13, 'gradient');
    const naive = theano.function([x], [y, T.grad(T.sum(y), x)], { mode: naiveMode.excluding('log_erfc_grad') });
    const [nv, ng] = naive([30]);
    expect(flat(nv)).toEqual([-Infinity]);
    expect(flat(ng)).toEqual([NaN]);
  });

  test('float32: finite and right at 12, 30 and 100', () => {
    const u = T.fvector('u');
    const y = T.log(T.erfc(u));
    const [value, grad] = theano.function([u], [y, T.grad(T.sum(y), u)])([12, 30, 100]);
    expect(value.dtype).toBe('float32');
    expect(isFiniteArray(value) && isFiniteArray(grad)).toBe(true);
    expectClose(value, [refs[1]![1], refs[2]![1], refs[3]![1]], 4 * F32, 'value');
    expectClose(grad, [refs[1]![2], refs[2]![2], refs[3]![2]], 4 * F32, 'gradient');
  });

  test("finite at every point of PyTensor's tests, log(erfc(x)), log(erfc(-x)) and the gradient, float32 and float64", () => {
    const points = [
      -100, -30, -27, -26.4, -26, -11, -10, -9, -3, -2, -1, 0, 1, 2, 3, 9, 10, 11, 26, 26.4, 27, 28, 30, 100,
    ];
    for (const dtype of ['float32', 'float64'] as const) {
      const x = T.tensor(dtype, [null], 'x');
      const outputs = [T.log(T.erfc(x)), T.log(T.erfc(T.neg(x)))];
      const f = theano.function([x], [...outputs, ...outputs.map((y) => T.grad(T.sum(y), x) as Tensor)]);
      for (const [k, out] of (f(theano.array(points, { dtype })) as NDArray[]).entries()) {
        expect(out.dtype).toBe(dtype);
        expect(isFiniteArray(out), `${dtype} output ${k}: ${out.toString()}`).toBe(true);
      }
    }
  });

  test('the gradient rule needs the same x in exp(-x^2) and erfc(x)', () => {
    const [x, y] = T.dvectors('x', 'y');
    for (const e of [
      T.div(T.exp(T.neg(T.sqr(x))), T.erfc(y)),
      T.div(T.exp(T.sqr(x)), T.erfc(x)),
      T.div(T.exp(T.neg(x)), T.erfc(x)),
    ]) {
      const f = theano.function([x, y], e, { profile: true, onUnusedInput: 'ignore' });
      expect(f.profile!.rules.log_erfc_grad, theano.pp(e)).toBeUndefined();
    }
  });

  test('the op erfcx: exp(x^2) erfc(x), and its gradient 2x erfcx(x) - 2/sqrt(pi)', () => {
    const x = T.dvector('x');
    const [value, grad] = theano.function([x], [x.erfcx(), T.grad(T.sum(T.erfcx(x)), x)])([0, 30, -1]);
    expectClose(value, [1, 0.01879588886141675, 5.008980080762283], 1e-14, 'erfcx');
    expectClose(
      grad,
      [-2 / sqrt(PI), 2 * 30 * 0.01879588886141675 - 2 / sqrt(PI), -2 * 5.008980080762283 - 2 / sqrt(PI)],
      1e-9,
      'd erfcx',
    );
    expect(theano.pp(T.erfcx(x))).toBe('erfcx(x)');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// DEBUG mode over random expressions of the family

type Expr = (x: Tensor, y: Tensor) => Tensor;
const leaf: fc.Arbitrary<Expr> = fc.constantFrom<Expr>(
  (x) => x,
  (_x, y) => y,
  (x) => T.neg(x),
);
const family: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => {
  /** g of an expression of the family. */
  const around = (g: (a: Tensor) => Tensor) =>
    tie('e').map(
      (f): Expr =>
        (x, y) =>
          g(f(x, y)),
    );
  /** g of two expressions of the family. */
  const joining = (g: (a: Tensor, b: Tensor) => Tensor) =>
    fc.tuple(tie('e'), tie('e')).map(
      ([f, h]): Expr =>
        (x, y) =>
          g(f(x, y), h(x, y)),
    );
  return {
    e: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      around((a) => T.log(T.exp(a))),
      around((a) => T.exp(T.log(a))),
      around((a) => T.log1p(T.expm1(a))),
      around((a) => T.expm1(T.log1p(a))),
      around((a) => T.log(T.sub(1, T.exp(a)))),
      around((a) => T.log(T.erfc(a))),
      joining((a, b) => T.log(T.add(T.exp(a), T.exp(b)))),
      joining((a, b) => T.log(T.sub(T.exp(a), T.exp(b)))),
      joining((a, b) => T.add(a, b)),
    ),
  };
}).e;

/**
 * Inputs on a grid of quarters, away from 0. At 0 these expressions are singular (log(1 - e^0) = log 0): the graph
 * as written is NaN there (0 * Inf in a gradient) where a rewrite finds the one-sided limit, and for 0 < u < 2^-53,
 * 1 - e^u rounds to 0, -Infinity as written, while log1mexp(u) is NaN, the logarithm of the negative 1 - e^u. Off
 * the grid, e^x - e^y of nearby x and y cancels as written, and DEBUG mode would flag the digits its rewrite keeps.
 */
const input = fc
  .integer({ min: -160, max: 160 })
  .filter((i) => i !== 0)
  .map((i) => i / 4);

describe('DEBUG mode over random expressions of the family', () => {
  test('no rewrite changes a value, and the gradient compiles too', () => {
    fc.assert(
      fc.property(family, vectorOf(input, 4), vectorOf(input, 4), (expr, xv, yv) => {
        const [x, y] = T.dvectors('x', 'y');
        const out = expr(x, y);
        const g = T.grad(T.sum(out) as never, x, { disconnectedInputs: 'ignore' }) as Tensor;
        const f = theano.function([x, y], [out, g], {
          mode: 'DEBUG',
          onUnusedInput: 'ignore',
        });
        f(xv, yv); // DEBUG mode throws, naming the rule, when a rewrite changes a value
      }),
      { numRuns: 30 },
    );
  });
});
