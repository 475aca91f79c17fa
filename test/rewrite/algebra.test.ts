/**
 * The canonical algebra rules (src/rewrite/rules/algebra.ts). Each rule has a property: an expression it matches,
 * built on random shapes, static shape knowledge and values, compiled as written (FAST_COMPILE) and with the rule
 * included (profiled), agrees wherever both results are finite, and the rule is seen firing. Where a rule must
 * decline (a cast that loses something, a power identity that fails for negative bases, integers that would wrap
 * differently), the property says so and the values still agree. Then extreme inputs (|x| in the hundreds, NaN
 * and ±inf, float32 and float64) through the whole pipeline, where only the documented caveats may differ, and
 * random expressions through the whole canonicalize phase in DEBUG mode.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { DType, NDArray, Tensor } from '../../src/index.js';
import { ALGEBRA_RULES } from '../../src/rewrite/rules/algebra.js';
import { arbBroadcastShapes, flatten } from '../helpers.js';
import {
  checker,
  debugCanonicalize,
  filledConstant,
  finite,
  FULL_INT_RANGES,
  ndarray,
  nonZero,
  operands,
  opNames,
  rewritesOne,
  runIn,
  ruleTests,
  size,
  type Fn,
  type Operand,
  type TestDType,
} from './support.js';

const T = theano.tensor;
const RUNS = { numRuns: 30 };

// ---------------------------------------------------------------------------------------------------------------
// values and inputs: integers over their full range; a constant may have one more leading axis than its operand

const isFloatDType = (d: DType) => d === 'float32' || d === 'float64';
const positive = finite(0.25, 4);
const { arbArray, arbOperand, arbSingle, arbPair, arbConstantShape } = operands({
  ints: FULL_INT_RANGES,
  leadingAxis: true,
});

// ---------------------------------------------------------------------------------------------------------------
// the check: FAST_COMPILE against FAST_COMPILE with the rule, agreeing wherever both are finite

interface Tol {
  readonly rtol: number;
  readonly atol: number;
}
const TIGHT: Tol = { rtol: 1e-12, atol: 1e-12 };
const F32: Tol = { rtol: 1e-5, atol: 1e-5 };

/** The two results agree: dtype and shape, integers exactly, floats within `tol` wherever both are finite. */
function expectAgree(got: unknown, want: unknown, tol: Tol, what = ''): void {
  const g = got instanceof theano.NDArray ? got : undefined;
  const w = want instanceof theano.NDArray ? want : undefined;
  if (g && w) {
    expect(g.dtype, `dtype ${what}`).toBe(w.dtype);
    expect(g.shape, `shape ${what}`).toEqual(w.shape);
  }
  const gs = g ? flatten(g.toArray()) : [got];
  const ws = w ? flatten(w.toArray()) : [want];
  expect(gs.length).toBe(ws.length);
  gs.forEach((gv, i) => {
    const [p, q] = [Number(gv), Number(ws[i])];
    if (!Number.isFinite(p) || !Number.isFinite(q)) return;
    expect(Math.abs(p - q), `element ${i} ${what}: ${p} vs ${q}`).toBeLessThanOrEqual(
      tol.atol + tol.rtol * Math.abs(q),
    );
  });
}

const check = checker<Tol>((got, want, output, after, tol) =>
  expectAgree(got, want, tol ?? (output.dtype === 'float32' ? F32 : TIGHT), theano.pp(after)),
);

/** The elements of a result (a scalar output is returned as a plain number). */
const elements = (r: unknown): number[] => (r instanceof theano.NDArray ? flatten(r.toArray()) : [r]).map(Number);

const ruleNames = new Set(
  [...(ALGEBRA_RULES.canonicalize ?? []), ...(ALGEBRA_RULES.specialize ?? [])].map((r) => r.name),
);
const { tested, ruleTest } = ruleTests();
const dtypes = (...ds: TestDType[]) => fc.constantFrom<TestDType>(...ds);

// ---------------------------------------------------------------------------------------------------------------
// zeros

describe('algebra: products and quotients with zero', () => {
  ruleTest('mul_zero', 'x * 0 -> zeros in the shape of both operands, any dtype', () => {
    fc.assert(
      fc.property(
        dtypes('float64', 'float32', 'int8', 'int32').chain((dtype) =>
          arbSingle(dtype).chain((x) =>
            fc.tuple(fc.constant(dtype), fc.constant(x), arbConstantShape(x.value.shape), fc.boolean()),
          ),
        ),
        ([dtype, x, kShape, left]) => {
          const zero = filledConstant(dtype, kShape, 0);
          const out = (left ? T.mul(zero, x.input) : T.mul(x.input, zero)) as Tensor;
          const f = check('mul_zero', [x], out, { fires: true });
          expect(opNames(f)).not.toContain('mul');
        },
      ),
      RUNS,
    );
  });

  ruleTest('zero_div', '0 / x -> zeros in the shape of both operands', () => {
    fc.assert(
      fc.property(
        dtypes('float64', 'float32').chain((dtype) =>
          arbSingle(dtype, nonZero).chain((x) =>
            fc.tuple(fc.constant(dtype), fc.constant(x), arbConstantShape(x.value.shape)),
          ),
        ),
        ([dtype, x, kShape]) => {
          const f = check('zero_div', [x], T.div(filledConstant(dtype, kShape, 0), x.input) as Tensor, { fires: true });
          expect(opNames(f)).not.toContain('true_div');
        },
      ),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// casts

/** Whether every value of `from` is a value of `to`, reasoned from ranges and mantissa bits. */
function exactIn(from: TestDType, to: TestDType): boolean {
  const bits: Partial<Record<TestDType, number>> = { float32: 24, float64: 53 };
  if (from === to) return true;
  if (isFloatDType(from)) return to === 'float64';
  const [lo, hi] = FULL_INT_RANGES[from]!;
  if (isFloatDType(to)) return Math.max(-lo, hi) <= 2 ** bits[to]!;
  const [tlo, thi] = FULL_INT_RANGES[to]!;
  return tlo <= lo && hi <= thi;
}

describe('algebra: casts of casts', () => {
  const ALL: TestDType[] = ['float64', 'float32', 'int32', 'int16', 'int8', 'uint8', 'uint16', 'uint32'];
  ruleTest('cast_cast', 'cast(cast(x, d1), d2) -> cast(x, d2) exactly when x fits d1', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(dtypes(...ALL), dtypes(...ALL), dtypes(...ALL))
          .filter(([from, mid, to]) => from !== mid && mid !== to)
          .chain(([from, mid, to]) =>
            fc.tuple(fc.constant(mid), fc.constant(to), arbSingle(from, finite(-70000, 70000))),
          ),
        ([mid, to, x]) => {
          const out = T.cast(T.cast(x.input, mid) as Tensor, to) as Tensor;
          const exact = exactIn(x.input.dtype as TestDType, mid);
          const f = check('cast_cast', [x], out, { fires: exact, tol: { rtol: 0, atol: 0 } });
          if (exact) expect(opNames(f).length).toBeLessThanOrEqual(1);
        },
      ),
      { numRuns: 80 },
    );
  });

  test('float64 -> int32 -> float64 and int32 -> float32 -> int32 keep both casts (the first one loses something)', () => {
    const x = T.dvector('x') as Tensor;
    const f = check(
      'cast_cast',
      [{ input: x, value: ndarray('float64', [3], [1.5, -2.75, 1e10]) }],
      T.cast(T.cast(x, 'int32') as Tensor, 'float64') as Tensor,
      { fires: false },
    );
    expect((f as unknown as (v: number[]) => NDArray)([1.5, -2.75, 3]).toArray()).toEqual([1, -2, 3]);
    const i = T.ivector('i') as Tensor;
    check(
      'cast_cast',
      [{ input: i, value: ndarray('int32', [2], [16777217, -3]) }],
      T.cast(T.cast(i, 'float32') as Tensor, 'int32') as Tensor,
      { fires: false, tol: { rtol: 0, atol: 0 } },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// sums, negations, reciprocals

describe('algebra: sums, negations and reciprocals', () => {
  ruleTest('add_self', 'x + x -> x * 2, integers wrapping the same', () => {
    const operand = dtypes('float64', 'float32', 'int8', 'int32', 'uint8').chain((d) => arbSingle(d));
    rewritesOne(check, 'add_self', operand, (x) => T.add(x, x) as Tensor, ['mul'], RUNS);
  });

  ruleTest('reciprocal_reciprocal', '1 / (1 / x) and reciprocal(reciprocal(x)) -> x', () => {
    fc.assert(
      fc.property(
        dtypes('float64', 'float32').chain((d) => arbSingle(d, nonZero)),
        fc.boolean(),
        (x, written) => {
          const inv = (t: Tensor) => (written ? T.div(1, t) : T.reciprocal(t)) as Tensor;
          const f = check('reciprocal_reciprocal', [x], inv(inv(x.input)), { fires: true });
          expect(opNames(f)).toEqual([]);
        },
      ),
      RUNS,
    );
  });

  ruleTest('div_by_reciprocal', 'a / (1 / b) -> a * b', () => {
    fc.assert(
      fc.property(arbPair('float64', finite(-4, 4), nonZero), ([p, q]) => {
        const f = check('div_by_reciprocal', [p, q], T.div(p.input, T.div(1, q.input)) as Tensor, { fires: true });
        expect(opNames(f)).toEqual(['mul']);
      }),
      RUNS,
    );
  });

  ruleTest('mul_by_reciprocal', 'a * reciprocal(b) -> a / b', () => {
    fc.assert(
      fc.property(arbPair('float64', finite(-4, 4), nonZero), fc.boolean(), ([p, q], left) => {
        const r = T.reciprocal(q.input) as Tensor;
        const f = check('mul_by_reciprocal', [p, q], (left ? T.mul(r, p.input) : T.mul(p.input, r)) as Tensor, {
          fires: true,
        });
        expect(opNames(f)).toEqual(['true_div']);
      }),
      RUNS,
    );
  });

  ruleTest('reciprocal_of_div', '1 / (a / b) -> b / a', () => {
    fc.assert(
      fc.property(arbPair('float64', nonZero), ([p, q]) => {
        const f = check('reciprocal_of_div', [p, q], T.reciprocal(T.div(p.input, q.input)) as Tensor, { fires: true });
        expect(opNames(f)).toEqual(['true_div']);
      }),
      RUNS,
    );
  });

  test('the reciprocal rules leave integers alone (a * b could wrap where a / (1 / b) does not)', () => {
    const [p, q] = [T.bvector('p') as Tensor, T.bvector('q') as Tensor];
    const operands = [
      { input: p, value: ndarray('int8', [2], [100, -7]) },
      { input: q, value: ndarray('int8', [2], [100, 3]) },
    ];
    check('div_by_reciprocal', operands, T.div(p, T.div(1, q)) as Tensor, { fires: false });
  });

  ruleTest('neg_mul_constant', '-(x * k) -> x * (-k), integers wrapping the same', () => {
    fc.assert(
      fc.property(
        dtypes('float64', 'int8', 'int32').chain((dtype) =>
          arbSingle(dtype).chain((x) =>
            fc.tuple(
              fc.constant(x),
              arbConstantShape(x.value.shape).chain((s) => arbArray(dtype, s)),
            ),
          ),
        ),
        ([x, k]) => {
          const f = check('neg_mul_constant', [x], T.neg(T.mul(x.input, T.constant(k) as Tensor)) as Tensor, {
            fires: true,
          });
          expect(opNames(f)).toEqual(['mul']);
        },
      ),
      RUNS,
    );
    // int8 constant -128 in an int8 product: -(x * -128) == x * 128 == x * -128 (mod 256)
    const x = T.bvector('x') as Tensor;
    check(
      'neg_mul_constant',
      [{ input: x, value: ndarray('int8', [3], [1, -1, 3]) }],
      T.neg(T.mul(x, T.constant(-128, { dtype: 'int8' }))) as Tensor,
      { fires: true },
    );
  });

  ruleTest('neg_div_neg', '(-a) / (-b), -((-a) / b), -(a / (-b)) -> a / b', () => {
    fc.assert(
      fc.property(arbPair('float64', finite(-4, 4), nonZero), fc.constantFrom(0, 1, 2), ([p, q], form) => {
        const [a, b] = [p.input, q.input];
        const out =
          form === 0 ? T.div(T.neg(a), T.neg(b)) : form === 1 ? T.neg(T.div(T.neg(a), b)) : T.neg(T.div(a, T.neg(b)));
        const f = check('neg_div_neg', [p, q], out as Tensor, { fires: true });
        expect(opNames(f)).toEqual(['true_div']);
      }),
      RUNS,
    );
  });

  for (const [rule, text, build, left] of [
    ['sub_neg_to_add', 'a - (-b) -> a + b', (a: Tensor, b: Tensor) => T.sub(a, T.neg(b)), 'add'],
    ['add_neg_to_sub', 'a + (-b) -> a - b', (a: Tensor, b: Tensor) => T.add(a, T.neg(b)), 'sub'],
    ['add_neg_to_sub', '(-b) + a -> a - b', (a: Tensor, b: Tensor) => T.add(T.neg(b), a), 'sub'],
  ] as const) {
    ruleTest(rule, `${text}, integers wrapping the same`, () => {
      fc.assert(
        fc.property(
          dtypes('float64', 'float32', 'int8', 'int32').chain((d) => arbPair(d)),
          ([p, q]) => {
            const f = check(rule, [p, q], build(p.input, q.input) as Tensor, { fires: true });
            expect(opNames(f)).toEqual([left]);
          },
        ),
        RUNS,
      );
    });
  }

  test('a negation in a narrower dtype than the difference stays (-(-128) is -128 in int8: 1 - -128 is 129, 1 + -128 is not)', () => {
    const a = T.wvector('a') as Tensor;
    const b = T.bvector('b') as Tensor;
    const operands = [
      { input: a, value: ndarray('int16', [2], [1, 1]) },
      { input: b, value: ndarray('int8', [2], [-128, 5]) },
    ];
    const f = check('sub_neg_to_add', operands, T.sub(a, T.neg(b)) as Tensor, { fires: false });
    expect(elements((f as unknown as (...v: NDArray[]) => unknown)(...operands.map((o) => o.value)))).toEqual([129, 6]); // not 1 + -128
  });
});

// ---------------------------------------------------------------------------------------------------------------
// powers and exponentials

describe('algebra: powers, exponentials, square roots and absolute values', () => {
  ruleTest('pow_pow', '(x ** a) ** b -> x ** (a*b) for integer exponents, any x', () => {
    fc.assert(
      fc.property(
        dtypes('float64', 'float32').chain((d) => arbSingle(d, finite(-2, 2))),
        fc.integer({ min: -3, max: 3 }),
        fc.integer({ min: -3, max: 3 }),
        (x, p, q) => {
          const out = T.pow(T.pow(x.input, p) as Tensor, q) as Tensor;
          const f = check('pow_pow', [x], out, {
            fires: true,
            tol: x.input.dtype === 'float32' ? { rtol: 1e-4, atol: 1e-5 } : { rtol: 1e-12, atol: 1e-12 },
          });
          expect(opNames(f)).toEqual(['pow']);
        },
      ),
      RUNS,
    );
  });

  test('pow_pow: real exponents only where the base is non-negative; integers with non-negative exponents', () => {
    // bases 0 or of size at least 1e-3: x ** a does not overflow (where it does, the original is 0 or inf, the
    // rewrite the true value)
    const base = fc.oneof(
      fc.constant(0),
      nonZero,
      nonZero.map((u) => u / 250),
    );
    fc.assert(
      fc.property(arbSingle('float64', base), finite(-2, 2), finite(-2, 2), (x, p, q) => {
        // an exponent product that underflows to 0 would make 0 ** tiny (0) into 0 ** 0 (1): declined
        const fires = p * q !== 0 || p === 0 || q === 0;
        const tol = { rtol: 1e-10, atol: 1e-12 };
        check('pow_pow', [x], T.pow(T.pow(T.abs(x.input), p) as Tensor, q) as Tensor, { fires, tol });
        check('pow_pow', [x], T.pow(T.pow(T.exp(x.input), p) as Tensor, q) as Tensor, { fires, tol });
      }),
      RUNS,
    );
    // (x ** 2) ** 0.5 is |x|, not x: at x = -2 the rule must not fire
    const x = T.dvector('x') as Tensor;
    const f = check(
      'pow_pow',
      [{ input: x, value: ndarray('float64', [2], [-2, 3]) }],
      T.pow(T.pow(x, 2) as Tensor, 0.5) as Tensor,
      { fires: false },
    );
    expect((f as unknown as (v: number[]) => NDArray)([-2, 3]).toArray()).toEqual([2, 3]);
    // integer powers in a monoid: wrapping is the same
    const i = T.bvector('i') as Tensor;
    check(
      'pow_pow',
      [{ input: i, value: ndarray('int8', [4], [3, -5, 7, 2]) }],
      T.pow(T.pow(i, T.constant(3, { dtype: 'int8' })) as Tensor, T.constant(2, { dtype: 'int8' })) as Tensor,
      { fires: true, tol: { rtol: 0, atol: 0 } },
    );
  });

  for (const [rule, combine, name] of [
    ['mul_pow_to_pow_add', T.mul, 'mul'],
    ['div_pow_to_pow_sub', T.div, 'true_div'],
  ] as const) {
    ruleTest(rule, `x**a ${name === 'mul' ? '*' : '/'} x**b -> one power`, () => {
      fc.assert(
        fc.property(
          arbBroadcastShapes(3, { maxRank: 2 }).chain(({ operands: [s, p, q] }) =>
            fc.tuple(
              arbOperand('float64', s!, positive),
              arbOperand('float64', p!, finite(-3, 3)),
              arbOperand('float64', q!, finite(-3, 3)),
            ),
          ),
          ([x, p, q]) => {
            const out = combine(T.pow(x.input, p.input) as Tensor, T.pow(x.input, q.input) as Tensor) as Tensor;
            const f = check(rule, [x, p, q], out, { fires: true, tol: { rtol: 1e-10, atol: 1e-12 } });
            expect(opNames(f)).not.toContain(name);
          },
        ),
        RUNS,
      );
    });
  }

  for (const [rule, combine, name] of [
    ['mul_exp_to_exp_add', T.mul, 'mul'],
    ['div_exp_to_exp_sub', T.div, 'true_div'],
  ] as const) {
    ruleTest(
      rule,
      `exp(a) ${name === 'mul' ? '*' : '/'} exp(b) -> one exp, float64, float32 and integer exponents`,
      () => {
        fc.assert(
          fc.property(
            dtypes('float64', 'float32', 'int8').chain((d) => arbPair(d)),
            ([p, q]) => {
              const [a, b] = [p.input, q.input];
              const out = combine(T.exp(a) as Tensor, T.exp(b) as Tensor) as Tensor;
              const f = check(rule, [p, q], out, {
                fires: true,
                tol: out.dtype === 'float32' ? { rtol: 1e-5, atol: 0 } : { rtol: 1e-12, atol: 0 },
              });
              expect(opNames(f)).toContain('exp');
              expect(opNames(f)).not.toContain(name);
            },
          ),
          RUNS,
        );
      },
    );
  }

  ruleTest('sqrt_sqr', 'sqrt(sqr(x)), sqrt(x ** 2), sqrt(x * x) -> abs(x)', () => {
    fc.assert(
      fc.property(
        dtypes('float64', 'float32').chain((d) => arbSingle(d, finite(-300, 300))),
        fc.constantFrom('sqr', 'pow', 'mul'),
        (x, form) => {
          const inner = form === 'sqr' ? T.sqr(x.input) : form === 'pow' ? T.pow(x.input, 2) : T.mul(x.input, x.input);
          const f = check('sqrt_sqr', [x], T.sqrt(inner as Tensor) as Tensor, { fires: true, with: ['mul_self'] });
          expect(opNames(f)).toEqual(['abs']);
        },
      ),
      RUNS,
    );
    // sqr of an integer wraps: sqrt(sqr(int8 100)) is sqrt(16), not 100
    const i = T.bvector('i') as Tensor;
    check('sqrt_sqr', [{ input: i, value: ndarray('int8', [2], [100, -3]) }], T.sqrt(T.sqr(i)) as Tensor, {
      fires: false,
    });
  });

  ruleTest('abs_merge', 'abs(a) * abs(b) -> abs(a * b), abs(a) / abs(b) -> abs(a / b), floats', () => {
    fc.assert(
      fc.property(
        dtypes('float64', 'float32').chain((d) => arbPair(d, nonZero)),
        fc.boolean(),
        ([p, q], product) => {
          const [a, b] = [T.abs(p.input) as Tensor, T.abs(q.input) as Tensor];
          const f = check('abs_merge', [p, q], (product ? T.mul(a, b) : T.div(a, b)) as Tensor, { fires: true });
          expect(opNames(f).filter((n) => n === 'abs')).toHaveLength(1);
        },
      ),
      RUNS,
    );
    // |3| * |50| wraps to -106 in int8; |3 * 50| is 106
    const [p, q] = [T.bvector('p') as Tensor, T.bvector('q') as Tensor];
    const operands = [
      { input: p, value: ndarray('int8', [1], [3]) },
      { input: q, value: ndarray('int8', [1], [50]) },
    ];
    check('abs_merge', operands, T.mul(T.abs(p), T.abs(q)) as Tensor, { fires: false });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// comparisons with itself

describe('algebra: a value compared with itself', () => {
  const OPS = ['lt', 'gt', 'le', 'ge', 'eq', 'neq', 'minimum', 'maximum'] as const;
  ruleTest('compare_self', 'x < x, x <= x, x != x, min(x, x), ... exactly, NaN included', () => {
    const special = fc.oneof(finite(-4, 4), fc.constantFrom(NaN, Infinity, -Infinity));
    fc.assert(
      fc.property(
        dtypes('float64', 'float32', 'int32', 'int8').chain((d) => arbSingle(d, special)),
        fc.constantFrom(...OPS),
        (x, op) => {
          const out = T[op](x.input, x.input) as Tensor;
          const float = isFloatDType(x.input.dtype);
          const fires = !(float && (op === 'le' || op === 'ge' || op === 'eq'));
          const f = check('compare_self', [x], out, { fires, tol: { rtol: 0, atol: 0 } });
          // exact, NaN included: NaN < NaN is false, NaN != NaN is true, min(NaN, NaN) is NaN
          const got = elements((f as unknown as (v: NDArray) => unknown)(x.value));
          const want = flatten(x.value.toArray()).map((xv) => {
            const n = Number(xv);
            const ref = {
              lt: n < n,
              gt: n > n,
              le: n <= n,
              ge: n >= n,
              eq: n === n,
              neq: n !== n,
              minimum: n,
              maximum: n,
            }[op];
            return Number(ref);
          });
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('algebra: a length compared with 0', () => {
  const FORMS = [
    ['n < 0', (n: Tensor) => T.lt(n, 0), 'bool'],
    ['0 > n', (n: Tensor) => T.gt(0, n), 'bool'],
    ['n >= 0', (n: Tensor) => T.ge(n, 0), 'bool'],
    ['0 <= n', (n: Tensor) => T.le(0, n), 'bool'],
    ['max(n, 0)', (n: Tensor) => T.maximum(n, 0), 'int64'],
    ['min(0, n)', (n: Tensor) => T.minimum(0, n), 'int64'],
  ] as const;
  ruleTest('compare_length', 'n < 0 -> false, n >= 0 -> true, max(n, 0) -> n, min(n, 0) -> 0 for a length n', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 })
          .chain((shape) => fc.tuple(arbOperand('float64', shape), fc.nat(shape.length - 1))),
        fc.constantFrom(...FORMS),
        ([x, axis], [, build]) => {
          const n = T.shape(x.input, axis as never) as Tensor;
          const f = check('compare_length', [x], build(n) as Tensor, { fires: true, tol: { rtol: 0, atol: 0 } });
          expect(opNames(f).filter((o) => ['lt', 'gt', 'le', 'ge', 'minimum', 'maximum'].includes(o))).toEqual([]);
        },
      ),
      RUNS,
    );
    // a plain integer is compared as written
    const i = T.lscalar('i') as Tensor;
    check(
      'compare_length',
      [{ input: i, value: new theano.NDArray('int64', [], BigInt64Array.from([-3n])) }],
      T.lt(i, 0) as Tensor,
      { fires: false },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// alloc sunk and reduced

describe('algebra: alloc sunk through elementwise ops, dimshuffles and reductions', () => {
  /** A small value and the sizes of an alloc (value right-aligned, each of its lengths 1 or the alloc's). */
  const arbAlloc = (element?: fc.Arbitrary<number>) =>
    fc
      .array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 3 })
      .chain((sizes) =>
        fc.tuple(
          fc.constant(sizes),
          arbConstantShape(sizes).filter((s) => s.length <= sizes.length),
        ),
      )
      .chain(([sizes, vShape]) =>
        fc.tuple(
          fc.constant(sizes),
          arbOperand('float64', vShape, element),
          fc.array(fc.boolean(), { minLength: sizes.length, maxLength: sizes.length }),
        ),
      );
  /** The sizes as given to alloc: known numbers, or read at run time from a scalar input. */
  function sizesOf(
    sizes: readonly number[],
    symbolic: readonly boolean[],
  ): { args: (number | Tensor)[]; operands: Operand[] } {
    const operands: Operand[] = [];
    const args = sizes.map((n, i) => {
      if (!symbolic[i]) return n;
      const s = T.iscalar(`n${i}`) as Tensor;
      operands.push({ input: s, value: ndarray('int32', [], [n]) });
      return s;
    });
    return { args, operands };
  }

  ruleTest('alloc_unary', 'f(alloc(v, s)) -> alloc(f(v), s)', () => {
    fc.assert(
      fc.property(arbAlloc(positive), fc.constantFrom('exp', 'log', 'neg', 'sqrt'), ([sizes, value, symbolic], op) => {
        const { args, operands } = sizesOf(sizes, symbolic);
        const out = T[op](T.alloc(value.input, ...(args as never[])) as Tensor) as Tensor;
        const f = check('alloc_unary', [value, ...operands], out, { fires: true });
        expect(opNames(f).at(-1)).toBe('alloc');
      }),
      RUNS,
    );
  });

  ruleTest('dimshuffle_alloc', 'dimshuffle(alloc(v, s), p) -> alloc(dimshuffle(v), s permuted)', () => {
    fc.assert(
      fc.property(
        arbAlloc().chain(([sizes, value, symbolic]) =>
          fc.tuple(
            fc.constant(sizes),
            fc.constant(value),
            fc.constant(symbolic),
            fc.shuffledSubarray(
              sizes.map((_, i) => i),
              { minLength: sizes.length, maxLength: sizes.length },
            ),
            fc.integer({ min: 0, max: sizes.length }),
          ),
        ),
        ([sizes, value, symbolic, perm, at]) => {
          const { args, operands } = sizesOf(sizes, symbolic);
          const pattern: (number | 'x')[] = [...perm];
          pattern.splice(at, 0, 'x');
          const out = T.dimshuffle(T.alloc(value.input, ...(args as never[])) as Tensor, pattern as never) as Tensor;
          const f = check('dimshuffle_alloc', [value, ...operands], out, { fires: true });
          expect(opNames(f).at(-1)).toBe('alloc');
        },
      ),
      RUNS,
    );
  });

  test('dimshuffle_alloc drops an axis of length 1 only where the value knows it is 1', () => {
    const v = T.dvector('v') as Tensor;
    const n = T.iscalar('n') as Tensor;
    const operands = [
      { input: v, value: ndarray('float64', [3], [1, 2, 3]) },
      { input: n, value: ndarray('int32', [], [3]) },
    ];
    // alloc(v, 1, n) has a leading axis the value lacks (padded, length 1): dropping it is fine
    const f = check(
      'dimshuffle_alloc',
      operands,
      T.dimshuffle(T.alloc(v, 1, n as never) as Tensor, [1] as never) as Tensor,
      {
        fires: true,
      },
    );
    expect(opNames(f).at(-1)).toBe('alloc');
    // alloc(m, 1, n) for a matrix m of unknown length: its axis 0 is 1 at run time, but its type does not say so
    const m = T.dmatrix('m') as Tensor;
    const operandsM = [
      { input: m, value: ndarray('float64', [1, 3], [1, 2, 3]) },
      { input: n, value: ndarray('int32', [], [3]) },
    ];
    check('dimshuffle_alloc', operandsM, T.dimshuffle(T.alloc(m, 1, n as never) as Tensor, [1] as never) as Tensor, {
      fires: false,
    });
  });

  ruleTest('reduce_alloc', 'sum(alloc(v, s)) -> v * n, prod -> v ** n, max and min -> v, for a scalar v', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
        fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        fc.constantFrom('sum', 'prod', 'max', 'min'),
        fc.boolean(),
        dtypes('float64', 'float32', 'int32'),
        (sizes, symbolic, kind, keepdims, dtype) => {
          const value = fc.sample(arbOperand(dtype, [], finite(-1.5, 1.5)), 1)[0]!;
          const { args, operands } = sizesOf(sizes, symbolic);
          const all = sizes.map((_, i) => i);
          const reduce = T[kind] as unknown as (
            x: Tensor,
            axes: readonly number[],
            options: { keepdims: boolean },
          ) => Tensor;
          const out = reduce(T.alloc(value.input, ...(args as never[])) as Tensor, all, { keepdims });
          const fires = !(kind === 'prod' && !isFloatDType(dtype));
          const f = check('reduce_alloc', [value, ...operands], out, {
            fires,
            tol: dtype === 'float32' ? { rtol: 1e-5, atol: 1e-6 } : { rtol: 1e-12, atol: 1e-12 },
          });
          if (fires && !keepdims) expect(opNames(f)).not.toContain('reduce');
        },
      ),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// constant folding through shape ops

describe('algebra: constant folding through shape ops', () => {
  ruleTest(
    'constant_shape_op',
    'shapes turned constant by canonicalize are reshaped, joined and indexed at compile time',
    () => {
      fc.assert(
        fc.property(
          fc
            .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
            .chain((shape) => fc.tuple(fc.constant(shape), arbArray('float64', shape))),
          fc.constantFrom('concatenate', 'reshape', 'index', 'dimshuffle'),
          ([shape, value], form) => {
            const x = T.tensor('float64', shape) as Tensor;
            const s = T.shape(x) as Tensor;
            const out =
              form === 'concatenate'
                ? T.concatenate([s, s] as never)
                : form === 'reshape'
                  ? T.reshape(s, [1, -1] as never)
                  : form === 'index'
                    ? T.sum(s.get(0) as Tensor)
                    : T.dimshuffle(s, ['x', 0] as never);
            const f = check('constant_shape_op', [{ input: x, value }], out as Tensor, {
              fires: true,
              with: ['shape_known'],
            });
            expect(opNames(f).filter((n) => n !== 'reduce')).toEqual([]);
          },
        ),
        RUNS,
      );
    },
  );
});

// ---------------------------------------------------------------------------------------------------------------
// extreme inputs, through the whole pipeline

/**
 * [rule, expression of x (and y), whether a NaN may become a value and an infinity a finite value: the caveat of
 * docs/optimizer.md]. A finite value always stays, within rounding. The inputs: |x| in the
 * hundreds, ±0.5, 0, NaN and ±inf; float32 and float64; int8 and int32 where the rule applies to integers.
 */
const EXTREME: readonly [string, (x: Tensor, y: Tensor) => Tensor, boolean, readonly TestDType[]][] = [
  ['mul_zero', (x) => T.mul(x, 0) as Tensor, true, ['float64', 'float32', 'int8', 'int32']],
  ['zero_div', (x) => T.div(0, x) as Tensor, true, ['float64', 'float32']],
  ['cast_cast', (x) => T.cast(T.cast(x, 'float64') as Tensor, 'int16') as Tensor, false, ['float32', 'int8', 'int32']],
  ['add_self', (x) => T.add(x, x) as Tensor, false, ['float64', 'float32', 'int8', 'int32']],
  ['reciprocal_reciprocal', (x) => T.reciprocal(T.reciprocal(x)) as Tensor, false, ['float64', 'float32']],
  ['div_by_reciprocal', (x, y) => T.div(x, T.reciprocal(y)) as Tensor, false, ['float64', 'float32']],
  ['mul_by_reciprocal', (x, y) => T.mul(x, T.reciprocal(y)) as Tensor, false, ['float64', 'float32']],
  ['reciprocal_of_div', (x, y) => T.reciprocal(T.div(x, y)) as Tensor, false, ['float64', 'float32']],
  [
    'neg_mul_constant',
    (x) => T.neg(T.mul(x, T.constant(-3, { dtype: x.dtype }))) as Tensor,
    false,
    ['float64', 'float32', 'int8', 'int32'],
  ],
  ['neg_div_neg', (x, y) => T.div(T.neg(x), T.neg(y)) as Tensor, false, ['float64', 'float32']],
  ['sub_neg_to_add', (x, y) => T.sub(x, T.neg(y)) as Tensor, false, ['float64', 'float32', 'int8', 'int32']],
  ['add_neg_to_sub', (x, y) => T.add(x, T.neg(y)) as Tensor, false, ['float64', 'float32', 'int8', 'int32']],
  ['pow_pow', (x) => T.pow(T.pow(x, 3) as Tensor, 2) as Tensor, true, ['float64', 'float32']],
  [
    'mul_pow_to_pow_add',
    (x, y) => T.mul(T.pow(T.abs(x), y), T.pow(T.abs(x), 0.5)) as Tensor,
    true,
    ['float64', 'float32'],
  ],
  [
    'div_pow_to_pow_sub',
    (x, y) => T.div(T.pow(T.abs(x), y), T.pow(T.abs(x), 0.5)) as Tensor,
    true,
    ['float64', 'float32'],
  ],
  ['mul_exp_to_exp_add', (x, y) => T.mul(T.exp(x), T.exp(y)) as Tensor, true, ['float64', 'float32']],
  ['div_exp_to_exp_sub', (x, y) => T.div(T.exp(x), T.exp(y)) as Tensor, true, ['float64', 'float32']],
  ['sqrt_sqr', (x) => T.sqrt(T.sqr(x)) as Tensor, false, ['float64', 'float32']],
  ['abs_merge', (x, y) => T.mul(T.abs(x), T.abs(y)) as Tensor, false, ['float64', 'float32']],
  ['compare_self', (x) => T.cast(T.neq(x, x), 'int8') as Tensor, false, ['float64', 'float32', 'int32']],
  ['alloc_unary', (x) => T.exp(T.alloc(T.sum(x), 2, 3)) as Tensor, false, ['float64', 'float32']],
  [
    'dimshuffle_alloc',
    (x) => T.transpose(T.alloc(x, 2, T.shape(x, 0))) as Tensor,
    false,
    ['float64', 'float32', 'int32'],
  ],
  ['reduce_alloc', (x) => T.sum(T.alloc(T.max(x), 2, 3)) as Tensor, false, ['float64', 'float32', 'int32']],
];
const EXTREME_VALUES = [-300, -0.5, 0, 0.5, 250, 800, -800, NaN, Infinity, -Infinity];

describe('algebra: extreme inputs through the whole pipeline', () => {
  for (const [rule, build, caveat, ds] of EXTREME) {
    test(`'${rule}': |x| in the hundreds, NaN and ±inf, in ${ds.join(', ')}`, () => {
      for (const dtype of ds) {
        const xs = isFloatDType(dtype) ? EXTREME_VALUES : [-128, -100, -3, 0, 1, 100, 127];
        const n = xs.length;
        // every pair of values: x runs over the list, y over the list rotated
        const pairs = xs.flatMap((p) => xs.map((q) => [p, q] as const));
        const [x, y] = [T.tensor(dtype, [null], 'x') as Tensor, T.tensor(dtype, [null], 'y') as Tensor];
        const out = build(x, y);
        const values = [
          ndarray(
            dtype,
            [n * n],
            pairs.map((p) => p[0]),
          ),
          ndarray(
            dtype,
            [n * n],
            pairs.map((p) => p[1]),
          ),
        ];
        const before = theano.function([x, y], out, { mode: 'FAST_COMPILE', onUnusedInput: 'ignore' }) as Fn;
        const after = theano.function([x, y], out, { profile: true, onUnusedInput: 'ignore' }) as Fn;
        expect(after.profile!.rules[rule] ?? 0, `${rule} fired in ${theano.pp(after)}`).toBeGreaterThan(0);
        const run = (f: Fn) => (f as unknown as (...v: NDArray[]) => unknown)(...values);
        const [got, want] = [run(after), run(before)];
        if (want instanceof theano.NDArray) {
          expect((got as NDArray).dtype).toBe(want.dtype);
          expect((got as NDArray).shape).toEqual(want.shape);
        }
        const tol = out.dtype === 'float32' ? 1e-5 : 1e-12;
        const [g, w] = [elements(got), elements(want)];
        w.forEach((wv, i) => {
          const where = `${rule} ${dtype} at ${pairs[i % pairs.length]}: ${g[i]} vs ${wv}`;
          if (Number.isFinite(wv)) {
            // a finite value stays, within rounding (a finite value never becomes NaN or Inf)
            expect(Number.isFinite(g[i]!), where).toBe(true);
            expect(Math.abs(g[i]! - wv), where).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(wv)));
          } else if (Number.isNaN(wv)) {
            // NaN stays NaN, unless the rule's caveat makes it a value (0 * inf -> 0, 0 * inf -> exp(a + b))
            if (!caveat) expect(g[i], where).toBeNaN();
          } else if (!(caveat && Number.isFinite(g[i]!))) {
            // an infinity stays the same infinity, unless the caveat makes it the finite true value
            expect(g[i], where).toBe(wv);
          }
        });
      }
    });
  }
});

// ---------------------------------------------------------------------------------------------------------------
// random expressions through the whole phase

type Expr = { readonly leaf: 0 | 1 } | { readonly op: string; readonly args: readonly Expr[] };
const UNARY = [
  'neg',
  'exp_small',
  'abs',
  'reciprocal_safe',
  'mul_zero',
  'add_self',
  'cast_chain',
  'sqrt_sqr',
  'alloc_exp',
  'neg_mul_k',
  'cmp_self',
];
const BINARY = ['add', 'sub', 'mul', 'add_neg', 'sub_neg', 'exp_mul', 'exp_div', 'abs_mul', 'div_recip'];

function arbExpr(depth: number): fc.Arbitrary<Expr> {
  const leaf = fc.constantFrom<0 | 1>(0, 1).map((i): Expr => ({ leaf: i }));
  if (depth === 0) return leaf;
  const sub = arbExpr(depth - 1);
  return fc.oneof(
    { weight: 1, arbitrary: leaf },
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...UNARY), sub).map(([op, p]): Expr => ({ op, args: [p] })) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...BINARY), sub, sub).map(([op, p, q]): Expr => ({ op, args: [p, q] })),
    },
  );
}

function build(e: Expr, leaves: readonly Tensor[]): Tensor {
  if ('leaf' in e) return leaves[e.leaf]!;
  const [p, q] = e.args.map((arg) => build(arg, leaves)) as [Tensor, Tensor];
  const squash = (t: Tensor) => T.tanh(t) as Tensor; // keeps exponents small
  const away = (t: Tensor) => T.add(T.sqr(t), 1) as Tensor; // keeps divisors away from zero
  switch (e.op) {
    case 'neg':
      return T.neg(p) as Tensor;
    case 'exp_small':
      return T.exp(squash(p)) as Tensor;
    case 'abs':
      return T.abs(p) as Tensor;
    case 'reciprocal_safe':
      return T.reciprocal(T.reciprocal(away(p))) as Tensor;
    case 'mul_zero':
      return T.add(T.mul(p, 0), p) as Tensor;
    case 'add_self':
      return T.add(p, p) as Tensor;
    case 'cast_chain':
      return T.cast(T.cast(T.cast(p, 'float32') as Tensor, 'float64') as Tensor, 'float64') as Tensor;
    case 'sqrt_sqr':
      return T.sqrt(T.sqr(p)) as Tensor;
    case 'alloc_exp':
      return T.add(
        p,
        T.exp(T.alloc(T.tanh(T.sum(p)), ...(p.type.shape.map((_, i) => T.shape(p, i as never)) as never[]))),
      ) as Tensor;
    case 'neg_mul_k':
      return T.neg(T.mul(p, 3)) as Tensor;
    case 'cmp_self':
      return T.add(p, T.lt(p, p)) as Tensor;
    case 'add_neg':
      return T.add(p, T.neg(q)) as Tensor;
    case 'sub_neg':
      return T.sub(p, T.neg(q)) as Tensor;
    case 'exp_mul':
      return T.mul(T.exp(squash(p)), T.exp(squash(q))) as Tensor;
    case 'exp_div':
      return T.div(T.exp(squash(p)), T.exp(squash(q))) as Tensor;
    case 'abs_mul':
      return T.mul(T.abs(p), T.abs(q)) as Tensor;
    case 'div_recip':
      return T.div(p, T.reciprocal(away(q))) as Tensor;
    default:
      return T[e.op as 'add' | 'sub' | 'mul'](p, q) as Tensor;
  }
}

describe('algebra: random expressions', () => {
  test('the whole canonicalize phase (checked rewrite by rewrite in DEBUG mode) agrees with the graph as written', () => {
    const checked = debugCanonicalize();
    fc.assert(
      fc.property(
        arbBroadcastShapes(2, { maxRank: 2 }).chain(({ operands: [p, q] }) =>
          fc.tuple(arbOperand('float64', p!, finite(-2, 2)), arbOperand('float64', q!, finite(-2, 2)), arbExpr(4)),
        ),
        ([p, q, expr]) => {
          const output = build(expr, [p.input, q.input]);
          const run = (mode: theano.Mode | 'FAST_COMPILE') => runIn(mode, [p, q], output);
          expectAgree(run(checked), run('FAST_COMPILE'), { rtol: 1e-9, atol: 1e-9 });
        },
      ),
      { numRuns: 100 },
    );
  });
});

test('every algebra rule has a property test above', () => {
  expect([...ruleNames].filter((r) => !tested.has(r))).toEqual([]);
});
