/**
 * The specialize rules: each one property-tested (the graph as written, compiled in FAST_COMPILE, against the
 * rewritten graph in FAST_RUN, on random shapes and values, with the rule seen firing in the profile), the cases
 * where a rule must decline, and node counts after optimization.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as theano from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { expectArray, type Tolerance } from '../helpers.js';
import { expectSame, finite, ndarray, nodes, operands, opNames, size, type Fn } from './support.js';

const T = theano.tensor;
type FloatDType = 'float32' | 'float64';
const arbFloatDType = fc.constantFrom<FloatDType>('float32', 'float64');
const RUNS = { numRuns: 40 };

/** float32 keeps about 7 digits, and a regrouped sum or a power by squaring rounds a few more times. */
const TOLERANCE: Record<FloatDType, Tolerance> = {
  float32: { rtol: 1e-5, atol: 1e-30 },
  float64: { rtol: 1e-13, atol: 1e-300 },
};
/** For rewrites that regroup a sum: its rounding error scales with the size of the terms, not of the result. */
const SUM_TOLERANCE: Record<FloatDType, Tolerance> = {
  float32: { rtol: 1e-4, atol: 1e-2 },
  float64: { rtol: 1e-12, atol: 1e-9 },
};

/** Arrays of floats (the element given is drawn for every dtype used here). */
const { arbArray } = operands({ ints: {} });

/**
 * Ordinary values, zero and the listed IEEE specials. -0 appears only when listed: a tiny negative number that
 * rounds to -0 in float32 becomes +0.
 */
const withSpecials = (specials: readonly number[]) =>
  fc.oneof(
    { weight: 6, arbitrary: finite(-10, 10).map((x) => (Object.is(Math.fround(x), -0) ? 0 : x)) },
    { weight: 1, arbitrary: fc.constantFrom(0, ...specials) },
  );
/** Factors away from zero, of either sign. */
const factor = fc.tuple(finite(0.5, 4), fc.boolean()).map(([x, negative]) => (negative ? -x : x));

const arbShape = (minRank: number, maxRank: number) =>
  fc.array(fc.integer({ min: 1, max: 4 }), { minLength: minRank, maxLength: maxRank });
/** A non-empty set of axes of a rank-`rank` tensor, sorted. */
const arbAxes = (rank: number) =>
  fc.subarray(
    Array.from({ length: rank }, (_, i) => i),
    { minLength: 1 },
  );

/**
 * Compiles `output` as written (FAST_COMPILE) and optimized (FAST_RUN, profiled), checks that `rule` fired in the
 * optimized one (or did not, with `fires: false`) and that both give the same values on `values`.
 * Returns the optimized function.
 */
function checkRewrite(
  rule: string,
  inputs: readonly Tensor[],
  output: Tensor,
  values: readonly unknown[],
  tol: Tolerance,
  fires = true,
): Fn {
  const before = theano.function(inputs, output, { mode: 'FAST_COMPILE' }) as Fn;
  const after = theano.function(inputs, output, { mode: 'FAST_RUN', profile: true }) as Fn;
  const count = after.profile!.rules[rule] ?? 0;
  if (fires) expect(count, `${rule} fired in ${theano.pp(after)}`).toBeGreaterThan(0);
  else expect(count, `${rule} declined in ${theano.pp(after)}`).toBe(0);
  const call = (f: Fn) => (f as unknown as (...args: unknown[]) => unknown)(...values);
  expectSame(call(after), call(before), output.dtype, tol);
  return after;
}

// ---------------------------------------------------------------------------------------------------------------
// powers

const ALL_SPECIALS = [NaN, Infinity, -Infinity, -0];
/** [rule, exponent, nodes after, the specials where the rewrite agrees with pow]. */
const POWERS: readonly (readonly [string, number, number, readonly number[]])[] = [
  ['pow_0', 0, 1, ALL_SPECIALS], // fill(x, 1)
  ['pow_1', 1, 0, ALL_SPECIALS], // x
  ['pow_2', 2, 1, ALL_SPECIALS], // sqr(x)
  ['pow_3', 3, 2, ALL_SPECIALS], // x * sqr(x)
  ['pow_4', 4, 2, ALL_SPECIALS], // sqr(sqr(x))
  ['pow_neg_1', -1, 1, ALL_SPECIALS], // 1 / x
  ['pow_neg_2', -2, 2, ALL_SPECIALS], // 1 / sqr(x)
  ['pow_half', 0.5, 3, ALL_SPECIALS], // switch(x == -inf, inf, sqrt(x))
  ['pow_neg_half', -0.5, 6, ALL_SPECIALS], // switch(x == 0, inf, switch(x == -inf, 0, 1 / sqrt(x)))
  ['pow_small_int', 5, 3, ALL_SPECIALS], // x * sqr(sqr(x))
  ['pow_small_int', 7, 4, ALL_SPECIALS], // x * sqr(x) * sqr(sqr(x))
  ['pow_small_int', -3, 3, ALL_SPECIALS], // 1 / (x * sqr(x))
  ['pow_small_int', 13, 5, ALL_SPECIALS], // x * x^4 * x^8
  ['pow_small_int', 16, 4, ALL_SPECIALS], // sqr(sqr(sqr(sqr(x))))
  ['pow_small_int', -16, 5, ALL_SPECIALS], // 1 / x^16
];

describe('specialize: powers by small constants', () => {
  for (const [rule, k, count, specials] of POWERS) {
    it(`${rule}: x ** ${k} agrees with pow on random shapes and values, in ${count} node(s)`, () => {
      fc.assert(
        fc.property(
          arbFloatDType.chain((dtype) =>
            arbShape(0, 3).chain((shape) =>
              fc.tuple(fc.constant(dtype), arbArray(dtype, shape, withSpecials(specials))),
            ),
          ),
          ([dtype, value]) => {
            const x = T.tensor(dtype, value.ndim as never) as Tensor;
            const f = checkRewrite(rule, [x], T.pow(x, k) as Tensor, [value], TOLERANCE[dtype]);
            expect(nodes(f)).toBe(count);
            expect(opNames(f)).not.toContain('pow');
          },
        ),
        RUNS,
      );
    });
  }

  it('x ** n for other exponents stays pow', () => {
    for (const k of [2.5, 17, -17, 1.5]) {
      const x = T.dvector('x');
      const f = checkRewrite('pow_small_int', [x], T.pow(x, k) as Tensor, [[0.5, 2, 3]], TOLERANCE.float64, false);
      expect(opNames(f)).toEqual(['pow']);
    }
  });

  it('integers keep numpy integer pow (wrapping int32), untouched', () => {
    const x = T.ivector('x');
    const f = checkRewrite('pow_2', [x], T.pow(x, 2) as Tensor, [[3, -4, 100000]], {}, false);
    expect(opNames(f)).toEqual(['pow']);
    expectArray(f([3, -4, 100000] as never), { dtype: 'int32', value: [9, 16, 1410065408] });
    expect(opNames(checkRewrite('pow_neg_1', [x], T.pow(x, -1) as Tensor, [[1, 2, -1]], {}, false))).toEqual(['pow']);
  });

  it('declines when the exponent would enlarge x or change its dtype', () => {
    // x ** [2, 2, 2] on a vector of unknown length: broadcasts a length-1 x to 3 elements, so no sqr(x)
    const x = T.dvector('x');
    const f = checkRewrite('pow_2', [x], T.pow(x, T.constant([2, 2, 2])) as Tensor, [[3]], TOLERANCE.float64, false);
    expectArray(f([3] as never), { value: [9, 9, 9] });
    // float32 ** a float64 constant is float64: sqr in float32 would round first
    const y = T.fvector('y');
    checkRewrite(
      'pow_2',
      [y],
      T.pow(y, T.constant(2, { dtype: 'float64' })) as Tensor,
      [ndarray('float32', [2], [0.1, 3])],
      TOLERANCE.float64,
      false,
    );
    // a length-1 constant on a matrix broadcasts without enlarging it
    const m = T.dmatrix('m');
    checkRewrite(
      'pow_2',
      [m],
      T.pow(m, T.constant([[2]])) as Tensor,
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
      TOLERANCE.float64,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// sums of products

interface ScaledSum {
  dtype: FloatDType;
  shape: number[];
  axes: number[];
  keepdims: boolean;
  /** The factor's shape: right-aligned, 1 on every summed axis, 1 or the length elsewhere. */
  factorShape: number[];
  /** Which of the factor's length-1 axes are declared (static 1) rather than unknown. */
  swap: boolean;
}

const arbScaledSum: fc.Arbitrary<ScaledSum> = fc
  .record({ dtype: arbFloatDType, shape: arbShape(1, 3), keepdims: fc.boolean(), swap: fc.boolean() })
  .chain((r) =>
    fc
      .record({
        axes: arbAxes(r.shape.length),
        factorRank: fc.integer({ min: 0, max: r.shape.length }),
        broadcast: fc.array(fc.boolean(), { minLength: r.shape.length, maxLength: r.shape.length }),
      })
      .map(({ axes, factorRank, broadcast }) => {
        const pad = r.shape.length - factorRank;
        const factorShape = r.shape.slice(pad).map((d, i) => (axes.includes(i + pad) || broadcast[i + pad] ? 1 : d));
        return { ...r, axes, factorShape };
      }),
  );

/** The factor as a symbolic input: static 1 where it broadcasts, unknown elsewhere. */
const factorInput = (s: ScaledSum) =>
  T.tensor(s.dtype, s.factorShape.map((d) => (d === 1 ? 1 : null)) as never, 'a') as Tensor;

describe('specialize: sums of products by a factor constant along the summed axes', () => {
  it('sum_mul_by_scalar: sum(x * a) -> sum(x) * a on random shapes, axes and broadcast patterns', () => {
    fc.assert(
      fc.property(
        arbScaledSum.chain((s) =>
          fc.tuple(
            fc.constant(s),
            arbArray(s.dtype, s.shape, finite(-10, 10)),
            arbArray(s.dtype, s.factorShape, factor),
          ),
        ),
        ([s, xv, av]) => {
          const x = T.tensor(s.dtype, s.shape.length as never, 'x') as Tensor;
          const a = factorInput(s);
          const product = (s.swap ? T.mul(a, x) : T.mul(x, a)) as Tensor;
          const f = checkRewrite(
            'sum_mul_by_scalar',
            [x, a],
            T.sum(product, s.axes as never, { keepdims: s.keepdims }) as Tensor,
            [xv, av],
            SUM_TOLERANCE[s.dtype],
          );
          // the product now runs on the sums, not on every element
          const mul = f.graph.toposort().find((n) => n.op.name === 'mul')!;
          expect(mul.inputs.some((i) => i.owner?.op.name === 'reduce')).toBe(true);
        },
      ),
      RUNS,
    );
  });

  it('sum_mul_by_scalar: a constant factor, and x of lower rank than the factor', () => {
    const m = T.dmatrix('m');
    const f = checkRewrite(
      'sum_mul_by_scalar',
      [m],
      T.sum(T.mul(2.5, m), 1) as Tensor,
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
      TOLERANCE.float64,
    );
    expect(theano.pp(f)).toBe('sum(m, axis=[1]) * 2.5');
    const x = T.dvector('x');
    const a = T.dcol('a');
    checkRewrite(
      'sum_mul_by_scalar',
      [x, a],
      T.sum(T.mul(x, a), 1) as Tensor,
      [
        [1, 2, 3],
        [[2], [-1]],
      ],
      TOLERANCE.float64,
    );
  });

  it('sum_mul_by_scalar declines when the factor varies along a summed axis, or for integers', () => {
    const [x, a] = T.dmatrices('x', 'a');
    checkRewrite(
      'sum_mul_by_scalar',
      [x, a],
      T.sum(T.mul(x, a), 0) as Tensor,
      [
        [
          [1, 2],
          [3, 4],
        ],
        [
          [1, 2],
          [3, 4],
        ],
      ],
      TOLERANCE.float64,
      false,
    );
    const v = T.dvector('v');
    const r = T.drow('r');
    // the row varies along axis 1, the only summed axis: not a common factor
    checkRewrite(
      'sum_mul_by_scalar',
      [v, r],
      T.sum(T.mul(v, r), 1) as Tensor,
      [[1, 2], [[1, 2]]],
      TOLERANCE.float64,
      false,
    );
    // int32 products wrap before an int64 sum; the sum of x times a would not
    const i = T.ivector('i');
    checkRewrite('sum_mul_by_scalar', [i], T.sum(T.mul(i, 65536)) as Tensor, [[65536, 1]], {}, false);
  });

  it('sum_div_by_scalar: sum(x / a) -> sum(x) / a on random shapes, axes and broadcast patterns', () => {
    fc.assert(
      fc.property(
        arbScaledSum.chain((s) =>
          fc.tuple(
            fc.constant(s),
            arbArray(s.dtype, s.shape, finite(-10, 10)),
            arbArray(s.dtype, s.factorShape, factor),
          ),
        ),
        ([s, xv, av]) => {
          const x = T.tensor(s.dtype, s.shape.length as never, 'x') as Tensor;
          const a = factorInput(s);
          checkRewrite(
            'sum_div_by_scalar',
            [x, a],
            T.sum(T.div(x, a), s.axes as never, { keepdims: s.keepdims }) as Tensor,
            [xv, av],
            SUM_TOLERANCE[s.dtype],
          );
        },
      ),
      RUNS,
    );
  });

  it('sum_div_by_scalar declines for a divisor that varies along the summed axes', () => {
    const [x, a] = T.dvectors('x', 'a');
    checkRewrite(
      'sum_div_by_scalar',
      [x, a],
      T.sum(T.div(x, a)) as Tensor,
      [
        [1, 2],
        [2, 4],
      ],
      TOLERANCE.float64,
      false,
    );
  });

  it('sum_neg: sum(-x) -> -sum(x) on random shapes and axes', () => {
    fc.assert(
      fc.property(
        fc
          .record({ dtype: arbFloatDType, shape: arbShape(1, 3), keepdims: fc.boolean() })
          .chain((r) => fc.tuple(fc.constant(r), arbAxes(r.shape.length), arbArray(r.dtype, r.shape, finite(-10, 10)))),
        ([r, axes, xv]) => {
          const x = T.tensor(r.dtype, r.shape.length as never, 'x') as Tensor;
          const f = checkRewrite(
            'sum_neg',
            [x],
            T.sum(T.neg(x), axes as never, { keepdims: r.keepdims }) as Tensor,
            [xv],
            SUM_TOLERANCE[r.dtype],
          );
          expect(opNames(f)).toEqual(['reduce', 'neg']);
        },
      ),
      RUNS,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// mean

describe('specialize: mean -> sum * (1 / n)', () => {
  it('div_by_shape_product on random shapes, axes and dtypes', () => {
    fc.assert(
      fc.property(
        fc
          .record({
            dtype: fc.constantFrom<FloatDType | 'int32'>('float32', 'float64', 'int32'),
            shape: arbShape(1, 3),
            keepdims: fc.boolean(),
          })
          .chain((r) =>
            fc.tuple(
              fc.constant(r),
              arbAxes(r.shape.length),
              fc.array(fc.integer({ min: -100, max: 100 }), { minLength: size(r.shape), maxLength: size(r.shape) }),
            ),
          ),
        ([r, axes, values]) => {
          const x = T.tensor(r.dtype, r.shape.length as never, 'x') as Tensor;
          const mean = T.mean(x, axes as never, { keepdims: r.keepdims }) as Tensor;
          const f = checkRewrite(
            'div_by_shape_product',
            [x],
            mean,
            [ndarray(r.dtype, r.shape, values)],
            SUM_TOLERANCE[r.dtype === 'float32' ? 'float32' : 'float64'],
          );
          // the division by the count is now a multiplication by its reciprocal, computed once
          expect(opNames(f)).not.toContain('true_div');
          expect(opNames(f)).toContain('reciprocal');
        },
      ),
      RUNS,
    );
  });

  it('the mean of a matrix over both axes divides by the product of the two lengths', () => {
    const m = T.dmatrix('m');
    const f = checkRewrite(
      'div_by_shape_product',
      [m],
      T.mean(m) as Tensor,
      [
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
      ],
      TOLERANCE.float64,
    );
    expect(theano.pp(f)).toBe(
      'sum(m, axis=[0, 1]) * reciprocal(cast(shape_i(m, axis=0) * shape_i(m, axis=1), dtype=float64))',
    );
    expect(
      f([
        [1, 2, 3],
        [4, 5, 6],
      ] as never),
    ).toBe(3.5);
  });

  it('a division by anything else is left alone', () => {
    const [x, n] = T.dvectors('x', 'n');
    checkRewrite(
      'div_by_shape_product',
      [x, n],
      T.div(x, n) as Tensor,
      [
        [1, 2],
        [2, 4],
      ],
      TOLERANCE.float64,
      false,
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// dot

const arbDims = fc.record({
  dtype: arbFloatDType,
  m: fc.integer({ min: 1, max: 5 }),
  k: fc.integer({ min: 1, max: 5 }),
  n: fc.integer({ min: 1, max: 5 }),
});
const arbDotCase = (shapes: (d: { m: number; k: number; n: number }) => number[][]) =>
  arbDims.chain((d) => fc.tuple(fc.constant(d), ...shapes(d).map((s) => arbArray(d.dtype, s, finite(-10, 10)))));

describe('specialize: dot', () => {
  it('dot_length_one: a dot over an axis of length 1 is a broadcast product, for every rank pairing', () => {
    // [a's static shape, b's static shape, a's value shape, b's value shape] for m x n
    const pairings = (m: number, n: number) =>
      [
        [
          [null, 1],
          [1, null],
          [m, 1],
          [1, n],
        ], // (m, 1) . (1, n): the outer product
        [[null, 1], [1], [m, 1], [1]], // (m, 1) . (1,)
        [[1], [1, null], [1], [1, n]], // (1,) . (1, n)
        [[1], [1], [1], [1]], // (1,) . (1,): a scalar
      ] as const;
    fc.assert(
      fc.property(arbDims, fc.integer({ min: 0, max: 3 }), fc.gen(), ({ dtype, m, n }, which, gen) => {
        const [sa, sb, va, vb] = pairings(m, n)[which]!;
        const a = T.tensor(dtype, sa as never, 'a') as Tensor;
        const b = T.tensor(dtype, sb as never, 'b') as Tensor;
        const av = gen(arbArray, dtype, va as never as number[], finite(-10, 10));
        const bv = gen(arbArray, dtype, vb as never as number[], finite(-10, 10));
        const f = checkRewrite(
          'dot_length_one',
          [a, b],
          T.dot(a as never, b as never) as Tensor,
          [av, bv],
          TOLERANCE[dtype],
        );
        expect(opNames(f)).not.toContain('dot');
      }),
      RUNS,
    );
  });

  it('dot_length_one: an outer product written with dimshuffles is one multiplication', () => {
    fc.assert(
      fc.property(
        arbDotCase(({ m, n }) => [[m], [n]]),
        ([{ dtype }, uv, wv]) => {
          const u = T.tensor(dtype, 1, 'u') as Tensor;
          const w = T.tensor(dtype, 1, 'w') as Tensor;
          const outer = T.dot(
            T.dimshuffle(u as Tensor<FloatDType, 1>, [0, 'x']),
            T.dimshuffle(w as Tensor<FloatDType, 1>, ['x', 0]),
          ) as Tensor;
          const f = checkRewrite('dot_length_one', [u, w], outer, [uv, wv], TOLERANCE[dtype]);
          expect(opNames(f).sort()).toEqual(['dimshuffle', 'dimshuffle', 'mul']);
        },
      ),
      RUNS,
    );
  });

  it('dot_length_one declines when the length-1 axis is known on one side only, and for integers', () => {
    const a = T.dcol('a');
    const b = T.dmatrix('b');
    checkRewrite('dot_length_one', [a, b], T.dot(a, b) as Tensor, [[[1], [2]], [[3, 4]]], TOLERANCE.float64, false);
    const i = T.tensor('int32', [null, 1], 'i');
    const j = T.tensor('int32', [1, null], 'j');
    checkRewrite('dot_length_one', [i, j], T.dot(i, j) as Tensor, [[[1], [2]], [[3, 4]]], {}, false);
  });

  it('dot_column: dot(A, u[:, None]) -> dot(A, u)[:, None] for a matrix or a vector A', () => {
    fc.assert(
      fc.property(
        fc.boolean().chain((matrix) =>
          fc.tuple(
            fc.constant(matrix),
            arbDotCase(({ m, k }) => [matrix ? [m, k] : [k], [k]]),
          ),
        ),
        ([matrix, [{ dtype }, av, uv]]) => {
          const a = T.tensor(dtype, matrix ? 2 : 1, 'A') as Tensor;
          const u = T.tensor(dtype, 1, 'u') as Tensor<FloatDType, 1>;
          const f = checkRewrite(
            'dot_column',
            [a, u],
            T.dot(a as never, T.dimshuffle(u, [0, 'x'])) as Tensor,
            [av, uv],
            TOLERANCE[dtype],
          );
          const dot = f.graph.toposort().find((n) => n.op.name === 'dot')!;
          expect(dot.inputs.map((i) => i.type.ndim)).toEqual([matrix ? 2 : 1, 1]);
        },
      ),
      RUNS,
    );
  });

  it('dot_row: dot(u[None, :], B) -> dot(u, B)[None, :] for a matrix or a vector B', () => {
    fc.assert(
      fc.property(
        fc.boolean().chain((matrix) =>
          fc.tuple(
            fc.constant(matrix),
            arbDotCase(({ k, n }) => [[k], matrix ? [k, n] : [k]]),
          ),
        ),
        ([matrix, [{ dtype }, uv, bv]]) => {
          const u = T.tensor(dtype, 1, 'u') as Tensor<FloatDType, 1>;
          const b = T.tensor(dtype, matrix ? 2 : 1, 'B') as Tensor;
          const f = checkRewrite(
            'dot_row',
            [u, b],
            T.dot(T.dimshuffle(u, ['x', 0]), b as never) as Tensor,
            [uv, bv],
            TOLERANCE[dtype],
          );
          const dot = f.graph.toposort().find((n) => n.op.name === 'dot')!;
          expect(dot.inputs.map((i) => i.type.ndim)).toEqual([1, matrix ? 2 : 1]);
        },
      ),
      RUNS,
    );
  });

  it('a row times a column becomes an inner product', () => {
    const [u, w] = T.dvectors('u', 'w');
    const f = checkRewrite(
      'dot_row',
      [u, w],
      T.dot(T.dimshuffle(u, ['x', 0]), T.dimshuffle(w, [0, 'x'])) as Tensor,
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      TOLERANCE.float64,
    );
    expect(f.profile!.rules['dot_column']).toBe(1);
    expectArray(f([1, 2, 3] as never, [4, 5, 6] as never), { shape: [1, 1], value: [[32]] });
    expect(
      f.graph
        .toposort()
        .find((n) => n.op.name === 'dot')!
        .inputs.map((i) => i.type.ndim),
    ).toEqual([1, 1]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// what the rules promise, counted (in the style of Theano's canonicalizer tables)

describe('specialize: node counts after FAST_RUN', () => {
  const x = T.dvector('x');
  const m = T.dmatrix('m');
  const u = T.dvector('u');
  const table: readonly (readonly [string, readonly Tensor[], Tensor, number])[] = [
    ['x ** 2', [x], T.pow(x, 2) as Tensor, 1],
    ['x ** 3', [x], T.pow(x, 3) as Tensor, 2],
    ['x ** 0.5', [x], T.pow(x, 0.5) as Tensor, 3],
    ['x ** 1', [x], T.pow(x, 1) as Tensor, 0],
    ['x ** 2 + x ** 4 shares sqr(x)', [x], T.add(T.pow(x, 2), T.pow(x, 4)) as Tensor, 3],
    ['sum(m * 2, axis 0)', [m], T.sum(T.mul(m, 2), 0) as Tensor, 2],
    ['sum(-m)', [m], T.sum(T.neg(m)) as Tensor, 2],
    ['mean(m, axis 1)', [m], T.mean(m, 1) as Tensor, 5],
    ['dot(m, u[:, None])', [m, u], T.dot(m, T.dimshuffle(u, [0, 'x'])) as Tensor, 2],
    ['dot(x[:, None], u[None, :])', [x, u], T.dot(T.dimshuffle(x, [0, 'x']), T.dimshuffle(u, ['x', 0])) as Tensor, 3],
  ];
  for (const [what, inputs, output, count] of table) {
    it(`${what}: ${count} node(s)`, () => {
      expect(nodes(theano.function(inputs, output) as Fn)).toBe(count);
    });
  }
});

describe('specialize: errors after a rewrite', () => {
  it("a replacement's run-time error names the user's line that built the node it replaced", () => {
    const A = T.dmatrix('A');
    const u = T.dvector('u');
    const [y, here] = [T.dot(A, T.dimshuffle(u, [0, 'x'])), new Error()]; // the line the error must name
    const line = /specialize\.test\.ts:(\d+):/.exec(here.stack ?? '')![1];
    const f = theano.function([A, u], y);
    expect(theano.pp(f)).toBe("dimshuffle(dot(A, u), pattern=[0, 'x'])");
    expect(() =>
      f(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        [1, 2],
      ),
    ).toThrow(new RegExp(`not aligned[\\s\\S]*built at: .*specialize\\.test\\.ts:${line}:`));
  });
});

describe('specialize: what must not be rewritten', () => {
  it('exp(log(x)) is not x: for x < 0 it is nan', () => {
    const x = T.dvector('x');
    const f = theano.function([x], T.exp(T.log(x)));
    expectArray(f([-1, 2]), { value: [NaN, 2] });
  });
});
