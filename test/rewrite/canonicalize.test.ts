/**
 * The canonicalize rules. Each rule has a property: an expression it matches, built on random shapes, static shape
 * knowledge and values, compiled as written (FAST_COMPILE) and with the rule included, agrees on the values and the
 * rule is seen firing in the profile. Where a rule must decline (an unknown length that may be 1), the property
 * says so from an independent account of broadcasting. Then node counts in the style of Theano's canonicalizer
 * tables, and random expressions through the whole phase (in DEBUG mode, which checks every rewrite).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';
import { CANONICALIZE_RULES } from '../../src/rewrite/rules/canonicalize.js';
import { arbBroadcastShapes, numpyBroadcast, type Tolerance } from '../helpers.js';
import {
  checker,
  debugCanonicalize,
  expectSame,
  filledConstant,
  finite,
  ndarray,
  nodes,
  nonZero,
  operands,
  opNames,
  rewritesOne,
  runIn,
  ruleTests,
  size,
  type Dims,
  type DrawnOperand as Operand,
  type Fn,
  type Static,
  type TestDType,
} from './support.js';

const T = theano.tensor;
const RUNS = { numRuns: 40 };

// ---------------------------------------------------------------------------------------------------------------
// values and inputs: int8 and int32 drawn in [-128, 127]; a constant has no more axes than its operand

const { arbArray, arbOperand, arbSingle, arbPair, arbConstantShape } = operands({
  ints: { int8: [-128, 127], int32: [-128, 127] },
});

/**
 * Whether replacing `x op k` by `x` is provably shape-preserving, reasoned independently: `k` has no more axes
 * than `x`, and each of its lengths is 1 or a length the type of `x` knows to be the same.
 */
function constantFitsInto(k: Dims, xStatic: Static): boolean {
  const pad = xStatic.length - k.length;
  return pad >= 0 && k.every((d, i) => d === 1 || xStatic[pad + i] === d);
}

// ---------------------------------------------------------------------------------------------------------------
// the check: FAST_COMPILE against FAST_COMPILE with the rule, compared by test/helpers.ts

const TOLERANCE: Tolerance = { rtol: 1e-12, atol: 1e-12 };
const check = checker<Tolerance>((got, want, output, _after, tol) =>
  expectSame(got, want, output.dtype, tol ?? TOLERANCE),
);

const ruleNames = new Set(CANONICALIZE_RULES.map((r) => r.name));
const { tested, ruleTest } = ruleTests();

// ---------------------------------------------------------------------------------------------------------------
// algebra

describe('canonicalize: identities, by an operand that may or may not enlarge x', () => {
  /** [rule, the expression, the constant k, how x and k combine]. */
  const IDENTITIES = [
    ['mul_by_one', 'x * k', 1, (x: Tensor, k: Tensor) => T.mul(x, k)],
    ['mul_by_one', 'k * x', 1, (x: Tensor, k: Tensor) => T.mul(k, x)],
    ['mul_by_minus_one', 'k * x', -1, (x: Tensor, k: Tensor) => T.mul(k, x)],
    ['add_zero', 'k + x', 0, (x: Tensor, k: Tensor) => T.add(k, x)],
    ['sub_zero', 'x - k', 0, (x: Tensor, k: Tensor) => T.sub(x, k)],
    ['zero_sub', 'k - x', 0, (x: Tensor, k: Tensor) => T.sub(k, x)],
    ['div_by_one', 'x / k', 1, (x: Tensor, k: Tensor) => T.div(x, k)],
  ] as const;
  for (const [rule, text, value, build] of IDENTITIES) {
    ruleTest(rule, `${text} with k = ${value}: fires exactly when k provably does not enlarge x`, () => {
      fc.assert(
        fc.property(
          fc
            .constantFrom<TestDType>('float64', 'float32', 'int32')
            .chain((dtype) =>
              arbSingle(dtype).chain((x) =>
                fc.tuple(fc.constant(dtype), fc.constant(x), arbConstantShape(x.value.shape)),
              ),
            ),
          ([dtype, x, kShape]) => {
            const output = build(x.input, filledConstant(dtype, kShape, value)) as Tensor;
            const fits = constantFitsInto(kShape, x.static);
            const f = check(rule, [x], output, { fires: fits });
            const negated = rule === 'mul_by_minus_one' || rule === 'zero_sub' ? 1 : 0;
            const cast = output.dtype !== x.input.dtype ? 1 : 0;
            if (fits) expect(nodes(f)).toBe(negated + cast);
          },
        ),
        RUNS,
      );
    });
  }

  test('x * 1 with x of shape (?, 1) against a (?, ?) operand is not x (the unknown length may be 1)', () => {
    const x = T.tensor('float64', [null, 1]) as Tensor;
    const y = T.dmatrix('y') as Tensor;
    const out = T.mul(x, T.onesLike(y)) as Tensor;
    const f = theano.function([x, y], out);
    expect(
      (
        f(
          [[1], [2]],
          [
            [0, 0, 0],
            [0, 0, 0],
          ],
        ) as NDArray
      ).toArray(),
    ).toEqual([
      [1, 1, 1],
      [2, 2, 2],
    ]);
    expect(opNames(f)).toContain('fill');
  });
});

describe('canonicalize: rules on one expression', () => {
  ruleTest('mul_self', 'x * x -> sqr(x)', () => {
    const operand = fc.constantFrom<TestDType>('float64', 'int8', 'int32').chain((d) => arbSingle(d));
    rewritesOne(check, 'mul_self', operand, (x) => T.mul(x, x) as Tensor, ['sqr'], RUNS);
  });

  ruleTest('sub_self', 'x - x -> zeros of the shape of x', () => {
    const operand = fc.constantFrom<TestDType>('float64', 'int8').chain((d) => arbSingle(d));
    rewritesOne(check, 'sub_self', operand, (x) => T.sub(x, x) as Tensor, ['fill'], RUNS);
  });

  ruleTest('div_self', 'x / x -> ones of the shape of x (away from 0)', () => {
    fc.assert(
      fc.property(arbSingle('float64', nonZero), (x) => {
        check('div_self', [x], T.div(x.input, x.input) as Tensor, { fires: true });
      }),
      RUNS,
    );
  });

  ruleTest('neg_neg', '-(-x) -> x', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<TestDType>('float64', 'int8').chain((d) => arbSingle(d)),
        (x) => {
          const f = check('neg_neg', [x], T.neg(T.neg(x.input)) as Tensor, { fires: true });
          expect(nodes(f)).toBe(0);
        },
      ),
      RUNS,
    );
  });

  ruleTest('div_by_constant', 'x / k -> x * (1/k), for any constant broadcasting with x', () => {
    fc.assert(
      fc.property(
        arbSingle('float64').chain((x) =>
          fc.tuple(
            fc.constant(x),
            arbConstantShape(x.value.shape).chain((s) => arbArray('float64', s, nonZero)),
          ),
        ),
        ([x, k]) => {
          const f = check('div_by_constant', [x], T.div(x.input, T.constant(k)) as Tensor, {
            fires: true,
            tol: { rtol: 1e-15, atol: 0 },
          });
          expect(opNames(f)).toEqual(['mul']);
        },
      ),
      RUNS,
    );
  });

  ruleTest('useless_cast', 'cast(x, dtype of x) -> x', () => {
    const operand = fc.constantFrom<TestDType>('float64', 'float32', 'int8').chain((d) => arbSingle(d));
    rewritesOne(check, 'useless_cast', operand, (x) => T.exp(T.cast(x, x.dtype)) as Tensor, ['exp'], RUNS, {
      tol: { rtol: 1e-6 },
    });
  });

  ruleTest('grad_modifier_removed', 'zeroGrad, gradClip, gradScale are the identity in the forward graph', () => {
    fc.assert(
      fc.property(arbSingle(), fc.constantFrom('zero', 'clip', 'scale', 'disconnected'), (x, kind) => {
        const modified =
          kind === 'zero'
            ? T.zeroGrad(x.input)
            : kind === 'clip'
              ? T.gradClip(x.input, -1, 1)
              : kind === 'scale'
                ? T.gradScale(x.input, 2)
                : T.disconnectedGrad(x.input);
        const f = check('grad_modifier_removed', [x], T.exp(modified as Tensor) as Tensor, { fires: true });
        expect(opNames(f)).toEqual(['exp']);
      }),
      RUNS,
    );
  });
});

describe('canonicalize: constants gathered', () => {
  type Combine = (a: Tensor, b: Tensor) => Tensor;
  const add: Combine = (a, b) => T.add(a, b) as Tensor;
  const sub: Combine = (a, b) => T.sub(a, b) as Tensor;
  const mul: Combine = (a, b) => T.mul(a, b) as Tensor;
  /** [rule, inner, outer, the node left: x op K]. */
  const FORMS = [
    ['mul_constants', mul, mul, 'mul'],
    ['add_constants', add, add, 'add'],
    ['add_constants', sub, add, 'sub'],
    ['add_constants', add, sub, 'add'],
    ['add_constants', sub, sub, 'sub'],
  ] as const;
  for (const [rule, inner, outer, left] of FORMS) {
    ruleTest(
      rule,
      `(x ${inner === mul ? '*' : inner === add ? '+' : '-'} k) ${outer === mul ? '*' : outer === add ? '+' : '-'} k2 -> x ${left} K, integers wrapping as before`,
      () => {
        fc.assert(
          fc.property(
            fc.constantFrom<TestDType>('float64', 'float32', 'int8', 'int32').chain((dtype) =>
              arbSingle(dtype).chain((x) =>
                fc.tuple(
                  fc.constant(x),
                  arbConstantShape(x.value.shape).chain((s) => arbArray(dtype, s)),
                  arbConstantShape(x.value.shape).chain((s) => arbArray(dtype, s)),
                ),
              ),
            ),
            ([x, k, k2]) => {
              const output = outer(inner(x.input, T.constant(k) as Tensor), T.constant(k2) as Tensor);
              const float32 = x.input.dtype === 'float32';
              const f = check(rule, [x], output, {
                fires: true,
                tol: float32 ? { rtol: 1e-5, atol: 1e-4 } : { rtol: 1e-12, atol: 1e-9 },
              });
              expect(opNames(f)).toEqual([left]);
            },
          ),
          RUNS,
        );
      },
    );
  }

  for (const [rule, combine] of [
    ['mul_constant_outwards', mul],
    ['add_constant_outwards', add],
  ] as const) {
    ruleTest(rule, '(x op k) op y -> (x op y) op k, so that constants meet', () => {
      fc.assert(
        fc.property(
          arbPair().chain(([x, y]) =>
            fc.tuple(
              fc.constant(x),
              fc.constant(y),
              arbConstantShape(x.value.shape).chain((s) => arbArray('float64', s)),
            ),
          ),
          ([x, y, k]) => {
            const f = check(rule, [x, y], combine(combine(x.input, T.constant(k) as Tensor), y.input), { fires: true });
            expect(f.graph.outputs[0]!.owner!.inputs.some((i) => i.isConstant)).toBe(true);
            // with a second constant, the two are gathered into one
            const g = check(
              rule,
              [x, y],
              combine(combine(combine(x.input, T.constant(k) as Tensor), y.input), T.constant(k) as Tensor),
              {
                fires: true,
                with: [combine === mul ? 'mul_constants' : 'add_constants'],
              },
            );
            expect(nodes(g)).toBe(2);
          },
        ),
        RUNS,
      );
    });
  }

  test('an intermediate of another dtype keeps the order (its rounding or wrapping belongs to the result)', () => {
    const x = T.bvector('x') as Tensor;
    const out = T.mul(
      T.mul(x, T.constant(100, { dtype: 'int8' })) as Tensor,
      T.constant(1000, { dtype: 'int32' }),
    ) as Tensor;
    const f = check('mul_constants', [{ input: x, value: ndarray('int8', [2], [3, -7]), static: [null] }], out, {
      fires: false,
    });
    expect(nodes(f)).toBe(2);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// shapes

describe('canonicalize: reshapes and dimshuffles', () => {
  ruleTest('useless_reshape', "reshape(x, x's own shape) -> x, sizes read with shape_i, known, or -1", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }).chain((shape) =>
          fc.tuple(
            arbOperand('float64', shape),
            fc.array(fc.constantFrom('shape_i', 'static', 'rest'), {
              minLength: shape.length,
              maxLength: shape.length,
            }),
          ),
        ),
        ([x, how]) => {
          let rest = false;
          const sizes = how.map((h, i) => {
            if (h === 'rest' && !rest) return ((rest = true), -1);
            return h === 'static' && x.static[i] !== null ? x.static[i]! : T.shape(x.input, i as never);
          });
          const f = check('useless_reshape', [x], T.exp(T.reshape(x.input, sizes as never) as Tensor) as Tensor, {
            fires: true,
          });
          expect(opNames(f)).toEqual(['exp']);
        },
      ),
      RUNS,
    );
    // a vector of x's own shape
    const x = T.dmatrix('x') as Tensor;
    const f = check(
      'useless_reshape',
      [{ input: x, value: ndarray('float64', [2, 3], [1, 2, 3, 4, 5, 6]), static: [null, null] }],
      T.reshape(x, T.shape(x), 2) as Tensor,
      { fires: true },
    );
    expect(nodes(f)).toBe(0);
  });

  test('useless_reshape declines when a length is not provably the same', () => {
    const [x, y] = T.dmatrices('x', 'y');
    const out = T.reshape(x, [T.shape(y, 0), -1]) as Tensor;
    const operands = [
      { input: x as Tensor, value: ndarray('float64', [2, 3], [1, 2, 3, 4, 5, 6]), static: [null, null] },
      { input: y as Tensor, value: ndarray('float64', [3, 1], [0, 0, 0]), static: [null, null] },
    ];
    const f = check('useless_reshape', operands, out, { fires: false });
    expect((f as unknown as (...a: unknown[]) => NDArray)(...operands.map((o) => o.value)).shape).toEqual([3, 2]);
  });

  ruleTest('reshape_chain', 'reshape(reshape(x, a), b) -> reshape(x, b)', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
          .chain((shape) => arbOperand('float64', shape)),
        (x) => {
          const n = size(x.value.shape);
          const flat = T.reshape(x.input, [-1]) as Tensor;
          const f = check('reshape_chain', [x], T.reshape(flat, [n, 1]) as Tensor, { fires: true });
          expect(opNames(f)).toEqual(['reshape']);
        },
      ),
      RUNS,
    );
  });

  ruleTest('useless_dimshuffle', 'a dimshuffle that moves nothing -> x', () => {
    fc.assert(
      fc.property(arbSingle(), (x) => {
        const identity = Array.from({ length: x.input.ndim }, (_, i) => i);
        const f = check(
          'useless_dimshuffle',
          [x],
          T.exp(T.dimshuffle(x.input, identity as never) as Tensor) as Tensor,
          { fires: true },
        );
        expect(opNames(f)).toEqual(['exp']);
      }),
      RUNS,
    );
    const row = T.tensor('float64', [1, null]) as Tensor;
    const f = check(
      'useless_dimshuffle',
      [{ input: row, value: ndarray('float64', [1, 3], [1, 2, 3]), static: [1, null] }],
      T.dimshuffle(row, ['x', 1] as never) as Tensor,
      { fires: true },
    );
    expect(nodes(f)).toBe(0);
  });

  /** A permutation of `rank` axes, with some 'x' (new axes of length 1) inserted. */
  const arbPattern = (rank: number, drop: readonly number[] = []) =>
    fc
      .tuple(
        fc.shuffledSubarray(
          Array.from({ length: rank }, (_, i) => i).filter((i) => !drop.includes(i)),
          { minLength: rank - drop.length, maxLength: rank - drop.length },
        ),
        fc.array(fc.integer({ min: 0, max: rank }), { maxLength: 2 }),
      )
      .map(([perm, xs]) => {
        const pattern: (number | 'x')[] = [...perm];
        for (const at of xs) pattern.splice(Math.min(at, pattern.length), 0, 'x');
        return pattern;
      });

  ruleTest('dimshuffle_merge', 'dimshuffle(dimshuffle(x, p), q) -> one dimshuffle (or none)', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
          .chain((shape) =>
            fc
              .tuple(arbOperand('float64', shape), arbPattern(shape.length))
              .chain(([x, p]) => fc.tuple(fc.constant(x), fc.constant(p), arbPattern(p.length))),
          ),
        ([x, p, q]) => {
          const out = T.dimshuffle(T.dimshuffle(x.input, p as never) as Tensor, q as never) as Tensor;
          const f = check('dimshuffle_merge', [x], out, { fires: true });
          expect(nodes(f)).toBeLessThanOrEqual(1);
        },
      ),
      RUNS,
    );
    const x = T.tensor3('x') as Tensor;
    const f = check(
      'dimshuffle_merge',
      [{ input: x, value: ndarray('float64', [1, 2, 3], [1, 2, 3, 4, 5, 6]), static: [null, null, null] }],
      T.transpose(T.transpose(x) as Tensor) as Tensor,
      { fires: true, with: ['useless_dimshuffle'] },
    );
    expect(nodes(f)).toBe(0);
  });

  ruleTest(
    'dimshuffle_lift',
    'dimshuffle(f(a, b)) -> f(dimshuffle(a), dimshuffle(b)), with broadcasting and dropped axes',
    () => {
      fc.assert(
        fc.property(
          arbBroadcastShapes(2, { maxRank: 3 })
            .map(({ operands: [a, b] }) => ({ a: a!, b: b!, result: numpyBroadcast([a!, b!])! }))
            .filter(({ result }) => result.length > 0)
            .chain(({ a, b, result }) => {
              const ones = result.flatMap((d, i) => (d === 1 ? [i] : []));
              return fc.tuple(
                arbOperand('float64', a),
                arbOperand('float64', b),
                fc.subarray(ones).chain((drop) => arbPattern(result.length, drop)),
              );
            }),
          ([a, b, pattern]) => {
            const out = T.dimshuffle(T.mul(T.exp(a.input), b.input) as Tensor, pattern as never) as Tensor;
            const f = check('dimshuffle_lift', [a, b], out, { fires: true });
            expect(opNames(f).at(-1)).toBe('mul');
          },
        ),
        RUNS,
      );
    },
  );

  test('dimshuffle_lift declines when another reader shares the elementwise result (no duplicated work)', () => {
    const [a, b] = T.dmatrices('a', 'b');
    const sum = T.add(a, b) as Tensor;
    const f = theano.function([a, b], [sum, T.transpose(sum)], {
      mode: theano.FAST_COMPILE.including('dimshuffle_lift'),
      profile: true,
    });
    expect(f.profile!.rules.dimshuffle_lift).toBeUndefined();
  });
});

describe('canonicalize: shapes read from inputs', () => {
  ruleTest('shape_i_known', 'shape_i(x, i) -> the length, when the type knows it', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
          .chain((shape) => fc.tuple(arbOperand('float64', shape), fc.nat(shape.length - 1))),
        ([x, axis]) => {
          const known = x.static[axis] !== null;
          const f = check('shape_i_known', [x], T.shape(x.input, axis as never) as Tensor, { fires: known });
          expect(nodes(f)).toBe(known ? 0 : 1);
        },
      ),
      RUNS,
    );
  });

  ruleTest(
    'shape_i_from_inputs',
    'the length of an elementwise result is read from an input not broadcast there',
    () => {
      fc.assert(
        fc.property(arbPair(), fc.nat(2), ([a, b], pick) => {
          const out = T.mul(T.exp(a.input), b.input) as Tensor;
          const axis = pick % Math.max(1, out.ndim);
          if (out.ndim === 0) return;
          // independently: a length is readable from an input that has that axis with the result's length for sure
          const pad = (o: Operand) => out.ndim - o.input.ndim;
          const atom = (o: Operand) => (axis - pad(o) < 0 ? 'absent' : o.static[axis - pad(o)] === 1 ? 'one' : 'other');
          const kinds = [atom(a), atom(b)];
          const readable = kinds.filter((k) => k === 'other').length === 1;
          const known = out.type.shape[axis] !== null;
          const f = check('shape_i_from_inputs', [a, b], T.shape(out, axis as never) as Tensor, {
            fires: readable && !known ? true : undefined,
            with: ['shape_i_known'],
          });
          if (readable || known) expect(opNames(f)).not.toContain('mul');
        }),
        RUNS,
      );
      // through a dimshuffle, a reduction and the gradient helpers, down to the input
      const x = T.dmatrix('x') as Tensor;
      const deep = T.sum(T.transpose(T.sumToShape(T.exp(x), x) as Tensor) as Tensor, 1, { keepdims: true }) as Tensor;
      const f = check(
        'shape_i_from_inputs',
        [{ input: x, value: ndarray('float64', [2, 3], [1, 2, 3, 4, 5, 6]), static: [null, null] }],
        T.shape(deep, 0) as Tensor,
        { fires: true },
      );
      expect(f.graph.toposort().map((n) => `${n.op.name}(${n.inputs[0]!.name})`)).toEqual(['shape_i(x)']);
    },
  );

  ruleTest('shape_known', 'shape(x) -> a constant when every length is known', () => {
    const x = T.tensor('float64', [2, 3]) as Tensor;
    const f = check(
      'shape_known',
      [{ input: x, value: ndarray('float64', [2, 3], [1, 2, 3, 4, 5, 6]), static: [2, 3] }],
      T.shape(x) as Tensor,
      { fires: true },
    );
    expect(nodes(f)).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// broadcasting helpers

describe('canonicalize: fill, alloc and the gradient helpers', () => {
  ruleTest('useless_fill', 'fill(m, v) -> v when v already has the shape', () => {
    rewritesOne(check, 'useless_fill', arbSingle(), (x) => T.fill(x, T.exp(x) as Tensor) as Tensor, ['exp'], RUNS);
  });

  ruleTest('useless_alloc', 'alloc(v, shape of v) / broadcastTo(v, shape of v) -> v', () => {
    fc.assert(
      fc.property(arbSingle(), fc.boolean(), (x, viaBroadcastTo) => {
        const dims = Array.from({ length: x.input.ndim }, (_, i) => T.shape(x.input, i as never));
        const spread = viaBroadcastTo ? T.broadcastTo(x.input, dims as never) : T.alloc(x.input, ...(dims as never[]));
        const f = check('useless_alloc', [x], T.exp(spread as Tensor) as Tensor, { fires: true });
        expect(opNames(f)).toEqual(['exp']);
      }),
      RUNS,
    );
  });

  ruleTest(
    'elemwise_drop_broadcast',
    'f(alloc(v, shape of y), y) -> f(v, y): elementwise ops broadcast by themselves',
    () => {
      fc.assert(
        fc.property(
          arbBroadcastShapes(1, { maxRank: 3 }).chain(({ result, operands: [v] }) =>
            fc.tuple(arbOperand('float64', result), arbOperand('float64', v!)),
          ),
          fc.constantFrom('alloc', 'fill', 'broadcast_like'),
          ([y, v], how) => {
            const dims = Array.from({ length: y.input.ndim }, (_, i) => T.shape(y.input, i as never));
            const spread =
              how === 'alloc'
                ? T.alloc(v.input, ...(dims as never[]))
                : how === 'fill'
                  ? T.fill(y.input, v.input)
                  : T.broadcastLike(v.input, y.input);
            const f = check('elemwise_drop_broadcast', [y, v], T.add(spread as Tensor, y.input) as Tensor, {
              fires: true,
            });
            expect(opNames(f)).toEqual(['add']);
          },
        ),
        RUNS,
      );
    },
  );

  ruleTest('fill_sink', 'f(fill(m, v), y) -> fill(m, f(v, y))', () => {
    fc.assert(
      fc.property(
        arbBroadcastShapes(3, { maxRank: 3 }).chain(({ operands: [m, v, y] }) =>
          fc.tuple(arbOperand('float64', m!), arbOperand('float64', v!), arbOperand('float64', y!)),
        ),
        fc.boolean(),
        ([m, v, y], viaBroadcastLike) => {
          const spread = viaBroadcastLike
            ? T.broadcastLike(v.input, T.add(m.input, v.input) as Tensor)
            : T.fill(m.input, v.input);
          const f = check('fill_sink', [m, v, y], T.mul(spread as Tensor, y.input) as Tensor, { fires: true });
          expect(f.graph.outputs[0]!.owner!.op.name).toBe('fill');
        },
      ),
      RUNS,
    );
  });

  ruleTest('useless_sum_to_shape', "sum_to_shape(g, like) -> g when g provably has like's shape", () => {
    fc.assert(
      fc.property(arbPair(), ([x, y]) => {
        // g computed elementwise from x alone: always removable; from x and y: only when y cannot enlarge x
        const alone = T.sumToShape(T.mul(T.exp(x.input), 2) as Tensor, x.input) as Tensor;
        check('useless_sum_to_shape', [x], T.add(alone, 0.5) as Tensor, {
          fires: alone.owner?.op.name === 'sum_to_shape' ? true : undefined,
        });
        const both = T.sumToShape(T.mul(x.input, y.input) as Tensor, x.input) as Tensor;
        const pad = x.input.ndim - y.input.ndim;
        // each length of y is 1, or x's is known and not 1 (then y's is 1 or the same, or the call fails)
        const provable =
          pad >= 0 && y.static.every((d, i) => d === 1 || (x.static[pad + i] !== null && x.static[pad + i] !== 1));
        const f = check('useless_sum_to_shape', [x, y], both, {
          fires: both.owner?.op.name === 'sum_to_shape' ? provable : undefined,
        });
        if (!provable) expect(opNames(f)).toContain('sum_to_shape');
      }),
      RUNS,
    );
  });

  ruleTest(
    'sum_to_shape_known_axes',
    'sum_to_shape(g, like) -> sum over the axes surely broadcast, then sum_to_shape',
    () => {
      fc.assert(
        fc.property(arbPair(), ([x, y]) => {
          const g = T.mul(x.input, y.input) as Tensor;
          const out = T.sumToShape(g, y.input) as Tensor;
          const lead = g.ndim - y.input.ndim;
          const known = y.static.some(
            (d, i) => d === 1 && g.type.shape[i + lead] !== 1 && g.type.shape[i + lead] !== null,
          );
          const float = g.dtype === 'float32' || g.dtype === 'float64';
          const f = check('sum_to_shape_known_axes', [x, y], T.add(out, 1) as Tensor, {
            fires: out.owner?.op.name === 'sum_to_shape' ? float && (lead > 0 || known) : undefined,
          });
          // the surely summed axes became a plain reduction
          if (float && (lead > 0 || known) && out.owner?.op.name === 'sum_to_shape')
            expect(opNames(f)).toContain('reduce');
        }),
        RUNS,
      );
    },
  );

  ruleTest('useless_broadcast_like', "broadcast_like(x, like) -> x when x provably has like's shape", () => {
    const like = (x: Tensor) => T.broadcastLike(T.exp(x) as Tensor, x) as Tensor;
    rewritesOne(check, 'useless_broadcast_like', arbSingle(), like, ['exp'], RUNS);
  });

  ruleTest('constant_elemwise', 'constants that rewrites bring together are folded', () => {
    const v = T.dvector('v') as Tensor;
    const f = check(
      'constant_elemwise',
      [{ input: v, value: ndarray('float64', [3], [0, 1, -2]), static: [null] }],
      T.grad(T.sum(T.mul(T.exp(v), 2)) as never, v) as Tensor,
      {
        fires: true,
        with: ['canonicalize'],
      },
    );
    expect(opNames(f).sort()).toEqual(['exp', 'mul']);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// node counts, as Theano's canonicalizer tables

describe('canonicalize: node counts after FAST_RUN', () => {
  const [x, y] = T.dmatrices('x', 'y') as unknown as [Tensor, Tensor];
  const v = T.dvector('v') as Tensor;
  const s = T.dscalar('s') as Tensor;
  const count = (inputs: Tensor[], output: Tensor) => nodes(theano.function(inputs, output) as Fn);
  /** [expression, inputs, output, nodes after optimization]. */
  const TABLE: readonly (readonly [string, Tensor[], Tensor, number])[] = [
    ['x*1+0', [x], T.add(T.mul(x, 1), 0) as Tensor, 0],
    ['(1*x)-0', [x], T.sub(T.mul(1, x), 0) as Tensor, 0],
    ['x/1', [x], T.div(x, 1) as Tensor, 0],
    ['a*b + a*b (computed once)', [x, y], T.add(T.mul(x, y), T.mul(x, y)) as Tensor, 2],
    ['neg(neg(x))', [x], T.neg(T.neg(x)) as Tensor, 0],
    ['(x*2)*3', [x], T.mul(T.mul(x, 2), 3) as Tensor, 1],
    ['((x*2)*y)*3', [x, y], T.mul(T.mul(T.mul(x, 2), y), 3) as Tensor, 2],
    ['(x+1)+2', [x], T.add(T.add(x, 1), 2) as Tensor, 1],
    ['(x+1)-1', [x], T.sub(T.add(x, 1), 1) as Tensor, 0],
    ['x/2 (a mul)', [x], T.div(x, 2) as Tensor, 1],
    ['(x/2)*4', [x], T.mul(T.div(x, 2), 4) as Tensor, 1],
    ['x*x', [x], T.mul(x, x) as Tensor, 1],
    ['x*(-1)', [x], T.mul(x, -1) as Tensor, 1],
    ['x-x', [x], T.sub(x, x) as Tensor, 1],
    ['cast(x, float64)', [x], T.cast(x, 'float64') as Tensor, 0],
    ['transpose(transpose(x))', [x], T.transpose(T.transpose(x) as Tensor) as Tensor, 0],
    ['transpose(transpose(x) + y)', [x, y], T.transpose(T.add(T.transpose(x), y) as Tensor) as Tensor, 2],
    ['reshape(x, shape(x))', [x], T.reshape(x, T.shape(x), 2) as Tensor, 0],
    ['shape(exp(x) * 2, 0)', [x], T.shape(T.mul(T.exp(x), 2) as Tensor, 0) as Tensor, 1],
    ['zeroGrad(x) * 1', [x], T.mul(T.zeroGrad(x), 1) as Tensor, 0],
    ['s * ones_like(v)', [s, v], T.mul(s, T.onesLike(v)) as Tensor, 1],
    ['grad(sum(x*x), x)', [x], T.grad(T.sum(T.mul(x, x)) as never, x) as Tensor, 1],
    ['grad(sum(exp(v)*2), v)', [v], T.grad(T.sum(T.mul(T.exp(v), 2)) as never, v) as Tensor, 2],
    ['grad(sum(tanh(x)*x), x)', [x], T.grad(T.sum(T.mul(T.tanh(x), x)) as never, x) as Tensor, 5],
  ];
  for (const [name, inputs, output, want] of TABLE) {
    test(`${name}: ${want} node(s)`, () => {
      expect(count(inputs, output)).toBe(want);
    });
  }

  test('grad(sum(x*y), x) keeps its sum_to_shape for matrices of unknown shape (y may broadcast x), loses it when provable', () => {
    const f = theano.function([x, y], T.grad(T.sum(T.mul(x, y)) as never, x)) as Fn;
    expect(opNames(f)).toContain('sum_to_shape');
    expect(
      (f as unknown as (a: number[][], b: number[][]) => NDArray)(
        [[1], [2]],
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
      ).toArray(),
    ).toEqual([[6], [15]]);
    // r known not to enlarge x: length 1, or unknown where x's length is known (and not 1)
    const x2 = T.tensor('float64', [null, 2]) as Tensor;
    const r = T.tensor('float64', [1, null]) as Tensor;
    const g = theano.function([x2, r], T.grad(T.sum(T.mul(x2, r)) as never, x2)) as Fn;
    expect(opNames(g)).not.toContain('sum_to_shape');
    expect(
      (g as unknown as (a: number[][], b: number[][]) => NDArray)(
        [
          [1, 2],
          [3, 4],
        ],
        [[5, 6]],
      ).toArray(),
    ).toEqual([
      [5, 6],
      [5, 6],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// random expressions through the whole phase

type Expr = { readonly leaf: 0 | 1 } | { readonly op: string; readonly args: readonly Expr[]; readonly k?: number };

const UNARY = [
  'neg',
  'tanh',
  'mul_one',
  'add_zero',
  'sub_zero',
  'mul_minus_one',
  'mul_k',
  'div_k',
  'add_k',
  'sub_k',
  'self_mul',
  'self_sub',
  'zero_grad',
  'cast',
  'transpose2',
  'reshape_own',
  'reshape_chain',
  'sum_to_own',
  'broadcast_full',
  'alloc_full',
  'neg_neg',
  'self_div',
  'expand',
  'read_length',
];
const BINARY = ['add', 'sub', 'mul', 'fill'];

function arbExpr(depth: number): fc.Arbitrary<Expr> {
  const leaf = fc.constantFrom<0 | 1>(0, 1).map((i): Expr => ({ leaf: i }));
  if (depth === 0) return leaf;
  const sub = arbExpr(depth - 1);
  return fc.oneof(
    { weight: 1, arbitrary: leaf },
    {
      weight: 3,
      arbitrary: fc
        .tuple(fc.constantFrom(...UNARY), sub, fc.constantFrom(-2, 0.5, 1, 3))
        .map(([op, a, k]): Expr => ({ op, args: [a], k })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...BINARY), sub, sub).map(([op, a, b]): Expr => ({ op, args: [a, b] })),
    },
  );
}

/** Builds an expression over leaves that broadcast to the shape of `full`; every result broadcasts there too. */
function build(e: Expr, leaves: readonly Tensor[], full: Tensor): Tensor {
  if ('leaf' in e) return leaves[e.leaf]!;
  const [a, b] = e.args.map((arg) => build(arg, leaves, full)) as [Tensor, Tensor];
  const k = e.k ?? 1;
  const dims = (t: Tensor) => Array.from({ length: t.ndim }, (_, i) => T.shape(t, i as never));
  switch (e.op) {
    case 'neg':
      return T.neg(a) as Tensor;
    case 'tanh':
      return T.tanh(a) as Tensor;
    case 'mul_one':
      return T.mul(a, 1) as Tensor;
    case 'add_zero':
      return T.add(0, a) as Tensor;
    case 'sub_zero':
      return T.sub(a, 0) as Tensor;
    case 'mul_minus_one':
      return T.mul(-1, a) as Tensor;
    case 'mul_k':
      return T.mul(T.mul(a, k), 2) as Tensor;
    case 'div_k':
      return T.div(a, k) as Tensor;
    case 'add_k':
      return T.add(T.add(a, k), 1) as Tensor;
    case 'sub_k':
      return T.sub(T.add(a, k), 1) as Tensor;
    case 'self_mul':
      return T.mul(a, a) as Tensor;
    case 'self_sub':
      return T.sub(a, a) as Tensor;
    case 'zero_grad':
      return T.zeroGrad(a) as Tensor;
    case 'cast':
      return T.cast(a, 'float64') as Tensor;
    case 'transpose2':
      return T.transpose(T.exp(T.transpose(a) as Tensor) as Tensor) as Tensor;
    case 'reshape_own':
      return a.ndim === 0 ? a : (T.reshape(a, dims(a) as never) as Tensor);
    case 'reshape_chain':
      return T.reshape(T.reshape(a, [-1]) as Tensor, T.shape(a), a.ndim as never) as Tensor;
    case 'sum_to_own':
      return T.sumToShape(T.broadcastLike(a, full) as Tensor, a) as Tensor;
    case 'broadcast_full':
      return T.broadcastLike(a, full) as Tensor;
    case 'alloc_full':
      return T.alloc(a, ...(dims(full) as never[])) as Tensor;
    case 'neg_neg':
      return T.neg(T.neg(a)) as Tensor;
    case 'self_div': {
      const positive = T.add(T.sqr(a), 1) as Tensor;
      return T.div(positive, positive) as Tensor;
    }
    case 'expand':
      return a.ndim < full.ndim ? (T.dimshuffle(a, ['x', ...a.type.shape.map((_, i) => i)] as never) as Tensor) : a;
    case 'read_length':
      return a.ndim === 0
        ? a
        : (T.add(a, T.cast(T.shape(T.exp(a) as Tensor, (a.ndim - 1) as never), 'float64')) as Tensor);
    case 'fill':
      return T.fill(a, b) as Tensor;
    default:
      return T[e.op as 'add' | 'sub' | 'mul'](a, b) as Tensor;
  }
}

describe('canonicalize: random expressions', () => {
  test('the whole phase (checked rewrite by rewrite in DEBUG mode) agrees with the graph as written', () => {
    const checked = debugCanonicalize();
    fc.assert(
      fc.property(
        arbBroadcastShapes(2, { maxRank: 3 }).chain(({ result, operands: [a, b] }) =>
          fc.tuple(
            arbOperand('float64', result),
            arbOperand('float64', a!, finite(-2, 2)),
            arbOperand('float64', b!, finite(-2, 2)),
            arbExpr(4),
          ),
        ),
        ([full, a, b, expr]) => {
          const output = build(expr, [a.input, b.input], full.input);
          const run = (mode: theano.Mode | 'FAST_COMPILE') => runIn(mode, [full, a, b], output);
          expectSame(run(checked), run('FAST_COMPILE'), 'float64', { rtol: 1e-9, atol: 1e-9 });
        },
      ),
      { numRuns: Number(process.env.CANON_RUNS ?? 150) },
    );
  });
});

test('every canonicalize rule has a property test above', () => {
  expect([...ruleNames].filter((r) => !tested.has(r))).toEqual([]);
});
