// Gradients of the indexing ops (basic subtensor, inc/set subtensor, take, advanced inc/set) against central finite
// differences, on random shapes, random index expressions and random values, float64; then second order.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import { NDArray, type Tensor } from '../../src/index.js';
import type { BasicIndexArg, IntScalar } from '../../src/tensor/indexing.js';
import type { FloatDType } from '../../src/types/dtype.js';

const T = theano.tensor;
type X = Tensor<FloatDType>;

// ---------------------------------------------------------------------------------------------------------------
// Index expressions as plain data (so fast-check prints a failing case), turned into builder arguments per run.

/** An integer, either a number in the graph or the value of an int32 shared scalar (a symbolic index input). */
interface IntSpec {
  readonly value: number;
  readonly symbolic: boolean;
}
type EntrySpec =
  | { readonly kind: 'int'; readonly index: IntSpec }
  | {
      readonly kind: 'slice';
      readonly start: IntSpec | null;
      readonly stop: IntSpec | null;
      readonly step: IntSpec | null;
    }
  | { readonly kind: 'newaxis' };

const symbolic = fc.boolean();
const intIn = (lo: number, hi: number): fc.Arbitrary<IntSpec> =>
  fc.record({ value: fc.integer({ min: lo, max: hi }), symbolic });
const orNull = <V>(a: fc.Arbitrary<V>) => fc.option(a, { nil: null });

/** One entry for an axis of length n: an integer in [-n, n) or a slice with any bounds and a step in [-3, 3] \ 0. */
const axisEntry = (n: number): fc.Arbitrary<EntrySpec> =>
  fc.oneof(
    fc.record({ kind: fc.constant('int' as const), index: intIn(-n, n - 1) }),
    fc.record({
      kind: fc.constant('slice' as const),
      start: orNull(intIn(-n - 2, n + 2)),
      stop: orNull(intIn(-n - 2, n + 2)),
      step: orNull(intIn(-3, 3).filter((s) => s.value !== 0)),
    }),
  );

/** A basic index for a tensor of this shape: entries for the first k axes, with up to two new axes anywhere. */
const basicIndex = (shape: readonly number[]): fc.Arbitrary<EntrySpec[]> =>
  fc.integer({ min: 0, max: shape.length }).chain((k) =>
    fc
      .tuple(fc.tuple(...shape.slice(0, k).map(axisEntry)), fc.array(fc.integer({ min: 0, max: k }), { maxLength: 2 }))
      .map(([entries, newAxes]) => {
        const out: EntrySpec[] = [...entries];
        for (const at of newAxes.sort((a, b) => b - a)) out.splice(at, 0, { kind: 'newaxis' });
        return out;
      }),
  );

function intArg(s: IntSpec): number | IntScalar {
  return s.symbolic ? theano.shared(s.value, { dtype: 'int32' }) : s.value;
}
function indexArgs(entries: readonly EntrySpec[]): BasicIndexArg[] {
  const bound = (b: IntSpec | null) => (b === null ? null : intArg(b));
  return entries.map((e) =>
    e.kind === 'int'
      ? intArg(e.index)
      : e.kind === 'slice'
        ? T.slice(bound(e.start), bound(e.stop), bound(e.step))
        : T.newaxis,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Shapes and values

const shapeArb = (maxRank = 3, maxDim = 4) =>
  fc.array(fc.integer({ min: 1, max: maxDim }), { minLength: 1, maxLength: maxRank });
const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const valuesOf = (shape: readonly number[]) =>
  fc
    .array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: size(shape), maxLength: size(shape) })
    .map((flat) => nest(flat, shape));

function nest(flat: readonly number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  const [d, ...rest] = shape;
  const inner = size(rest);
  return Array.from({ length: d! }, (_, i) => nest(flat.slice(i * inner, (i + 1) * inner), rest));
}

/**
 * A shape that broadcasts to `region`: some leading axes dropped, some axes set to 1 (always where the region is
 * empty along them, so the value itself is never empty).
 */
const broadcastTo = (region: readonly number[]) =>
  fc
    .tuple(
      fc.integer({ min: 0, max: region.length }),
      fc.array(fc.boolean(), { minLength: region.length, maxLength: region.length }),
    )
    .map(([drop, ones]) => region.map((d, i) => (ones[i] || d === 0 ? 1 : d)).slice(drop));

/** The shape `build` gives at the point, by running it forward. */
function shapeAt(build: (x: X) => Tensor, shape: readonly number[], xValue: unknown): number[] {
  const x = T.tensor('float64', shape.length as never, 'x') as X;
  const out = theano.function([x], build(x))(xValue as never) as unknown;
  return out instanceof NDArray ? out.shape : [];
}

/** verifyGrad with the failing case in the message. */
function check(fn: (...x: X[]) => Tensor, point: unknown[], what: unknown): void {
  try {
    theano.gradient.verifyGrad(fn as never, point as never, { nTests: 1 });
  } catch (e) {
    throw new Error(`${(e as Error).message}\n  case: ${JSON.stringify(what)}\n  point: ${JSON.stringify(point)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Advanced indices: integer arrays of rank 1 or 2 with values in [-n, n) over a short axis, so repeats are common.

interface TakeSpec {
  readonly axis: number;
  readonly indices: number[] | number[][];
  readonly symbolic: boolean;
}

const takeSpec = (shape: readonly number[]): fc.Arbitrary<TakeSpec> =>
  fc.integer({ min: 0, max: shape.length - 1 }).chain((axis) => {
    const n = shape[axis]!;
    const index = fc.integer({ min: -n, max: n - 1 });
    return fc.record({
      axis: fc.constant(axis),
      indices: fc.oneof(
        fc.array(index, { minLength: 1, maxLength: 5 }),
        fc
          .integer({ min: 1, max: 3 })
          .chain((cols) =>
            fc.array(fc.array(index, { minLength: cols, maxLength: cols }), { minLength: 1, maxLength: 3 }),
          ),
      ),
      symbolic,
    });
  });

/** `take(x, indices, axis)`; symbolic indices are an int64 shared variable, and axis 0 goes through `x.get(indices)`. */
function takeOf(x: X, s: TakeSpec): Tensor {
  if (!s.symbolic) return T.take(x, s.indices, s.axis as never);
  const indices = theano.shared(s.indices, { dtype: 'int64' }) as Tensor<'int64', 1>;
  return s.axis === 0 ? x.get(indices) : T.take(x, indices, s.axis as never);
}

// ---------------------------------------------------------------------------------------------------------------

describe('first order: symbolic gradients match finite differences', () => {
  test('x[index]: integers, negative integers, slices with (negative) steps, new axes, symbolic scalars', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((shape) =>
          fc.record({ shape: fc.constant(shape), index: basicIndex(shape), x: valuesOf(shape) }),
        ),
        (c) => check((x) => T.sqr(x.get(...indexArgs(c.index))), [c.x], c),
      ),
      { numRuns: 150 },
    );
  });

  test('two overlapping indices of one tensor: their gradients add up', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((shape) =>
          fc.record({ shape: fc.constant(shape), a: basicIndex(shape), b: basicIndex(shape), x: valuesOf(shape) }),
        ),
        (c) =>
          check((x) => T.add(T.sum(T.sqr(x.get(...indexArgs(c.a)))), T.sum(T.sin(x.get(...indexArgs(c.b))))), [c.x], c),
      ),
      { numRuns: 60 },
    );
  });

  test('inc_subtensor / set_subtensor(x[index], y) with y broadcast to the region', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(shapeArb(), fc.constantFrom('inc' as const, 'set' as const))
          .chain(([shape, mode]) =>
            fc.record({
              shape: fc.constant(shape),
              mode: fc.constant(mode),
              index: basicIndex(shape),
              x: valuesOf(shape),
            }),
          )
          .chain((c) => {
            const region = shapeAt((x) => x.get(...indexArgs(c.index)), c.shape, c.x);
            return broadcastTo(region).chain((yShape) => valuesOf(yShape).map((y) => ({ ...c, region, yShape, y })));
          }),
        (c) => {
          const update = c.mode === 'inc' ? T.incSubtensor : T.setSubtensor;
          check((x, y) => T.sqr(update(x.get(...indexArgs(c.index)), y!)), [c.x, c.y], c);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('take(x, indices, axis): repeated indices accumulate; constant and symbolic indices', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((shape) =>
          fc.record({ shape: fc.constant(shape), take: takeSpec(shape), x: valuesOf(shape) }),
        ),
        (c) => check((x) => T.sqr(takeOf(x, c.take)), [c.x], c),
      ),
      { numRuns: 150 },
    );
  });

  test('advanced inc/set: repeated indices add up (inc) or the last write wins (set); y broadcast', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(shapeArb(), fc.constantFrom('inc' as const, 'set' as const))
          .chain(([shape, mode]) =>
            fc.record({
              shape: fc.constant(shape),
              mode: fc.constant(mode),
              take: takeSpec(shape),
              x: valuesOf(shape),
            }),
          )
          .chain((c) => {
            const region = shapeAt((x) => takeOf(x, c.take), c.shape, c.x);
            return broadcastTo(region).chain((yShape) => valuesOf(yShape).map((y) => ({ ...c, region, yShape, y })));
          }),
        (c) => {
          const update = c.mode === 'inc' ? T.incSubtensor : T.setSubtensor;
          check((x, y) => T.sqr(update(takeOf(x, c.take), y!)), [c.x, c.y], c);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('second order: the gradient of a gradient through indexing', () => {
  test('basic: x[a], and inc/set of x[b] with a value computed from x[b]', () => {
    fc.assert(
      fc.property(
        shapeArb(3, 3).chain((shape) =>
          fc.record({
            shape: fc.constant(shape),
            a: basicIndex(shape),
            b: basicIndex(shape),
            mode: fc.constantFrom('inc' as const, 'set' as const),
            x: valuesOf(shape),
          }),
        ),
        (c) => {
          const update = c.mode === 'inc' ? T.incSubtensor : T.setSubtensor;
          const cost = (x: X) => {
            const region = x.get(...indexArgs(c.b));
            const written = update(region, T.mul(T.sin(region), region));
            return T.add(T.sum(T.exp(x.get(...indexArgs(c.a)))), T.sum(T.sqr(written).mul(x)));
          };
          check((x) => T.grad(cost(x) as Tensor<'float64', 0>, x), [c.x], c);
        },
      ),
      { numRuns: 60 },
    );
  });

  test('advanced: take, and inc/set through take with repeated indices', () => {
    fc.assert(
      fc.property(
        shapeArb(3, 3).chain((shape) =>
          fc.record({
            shape: fc.constant(shape),
            a: takeSpec(shape),
            b: takeSpec(shape),
            mode: fc.constantFrom('inc' as const, 'set' as const),
            x: valuesOf(shape),
          }),
        ),
        (c) => {
          const update = c.mode === 'inc' ? T.incSubtensor : T.setSubtensor;
          const cost = (x: X) => {
            const region = takeOf(x, c.b);
            const written = update(region, T.mul(T.cos(region), region));
            return T.add(T.sum(T.exp(takeOf(x, c.a))), T.sum(T.sqr(written).mul(x)));
          };
          check((x) => T.grad(cost(x) as Tensor<'float64', 0>, x), [c.x], c);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('values and structure', () => {
  test('take with repeated indices counts each occurrence', () => {
    const v = T.dvector('v');
    const g = T.grad(T.sum(T.take(v, [0, 2, 0, 0, -1])), v);
    expect(theano.function([v], g)([5, 6, 7, 8]).toArray()).toEqual([3, 0, 1, 1]);
  });

  test('set with repeated indices: only the last write to a row reaches y', () => {
    const [x, y] = T.dvectors('x', 'y');
    const idx = theano.shared([1, 0, 1], { dtype: 'int32' }) as Tensor<'int32', 1>;
    const cost = T.sum(T.mul(T.setSubtensor(x.get(idx), y), T.constant([10, 20, 30])));
    const [gx, gy] = theano.function([x, y], T.grad(cost, [x, y]))([1, 2, 3], [4, 5, 6]);
    expect(gx.toArray()).toEqual([0, 0, 30]);
    expect(gy.toArray()).toEqual([0, 10, 20]);
  });

  test('set through a basic index zeroes the gradient of the overwritten region', () => {
    const m = T.dmatrix('m');
    const y = T.dscalar('y');
    const cost = T.sum(
      m
        .at(T.slice(null, null, -2), 1)
        .set(y)
        .mul(m),
    );
    const [gm, gy] = theano.function([m, y], T.grad(cost, [m, y]))(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      0.5,
    );
    expect(gm.toArray()).toEqual([
      [1 + 1, 0.5],
      [3 + 3, 4 + 4],
      [5 + 5, 0.5],
    ]); // z + m outside the region
    expect(gy).toBe(2 + 6);
  });

  test('symbolic index scalars and index tensors are not differentiated (an int y gets none either)', () => {
    const x = T.dvector('x');
    const i = T.iscalar('i');
    const idx = T.ivector('idx');
    const f = theano.function([x, i, idx], T.grad(T.add(T.sum(x.get(T.slice(i))), T.sum(x.get(idx))), x));
    expect(f([1, 2, 3], 1, [0, 0]).toArray()).toEqual([2, 1, 1]);
    // a compile error as well (IntegerWrt); the run time says so too
    expect(() => T.grad(T.sum(x.get(i)) as never, i as never)).toThrow(/float variables only/);
    const n = T.ivector('n');
    const g = T.grad(T.sum(x.at(T.slice(1)).inc(n).sqr()), x);
    expect(theano.function([x, n], g)([1, 2, 3], [1, 1]).toArray()).toEqual([2, 6, 8]);
  });
});
