// The shape, structure, reduction and nnet gradients: symbolic gradient vs central finite differences
// (verifyGrad), on random ranks, shapes, axes (negative ones too) and sizes (numbers and symbolic sizes read at
// run time), float64.
import fc from 'fast-check';
import { describe, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { FloatDType, Tensor } from '../../src/index.js';

const T = theano.tensor;
type Fn = (...x: Tensor<FloatDType>[]) => Tensor;
/**
 * The cast for arguments whose rank or axis is only known at run time here (random ranks): the builders' signatures
 * want literal ranks and axes.
 */
type Any = never;

// ---------------------------------------------------------------------------------------------------------------
// Samplers

const real = fc.double({ min: -3, max: 3, noNaN: true });
const size = (min = 1, max = 3) => fc.integer({ min, max });
const shapeOf = (minRank: number, maxRank: number, minSize = 1) =>
  fc.array(size(minSize), { minLength: minRank, maxLength: maxRank });
const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function nest(flat: readonly number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  const [d, ...rest] = shape;
  const n = count(rest);
  return Array.from({ length: d! }, (_, i) => nest(flat.slice(i * n, (i + 1) * n), rest));
}

/** Nested values of `shape` drawn from `domain` (an empty array as an NDArray, which keeps its shape). */
const valuesOf = (shape: readonly number[], domain: fc.Arbitrary<number> = real) =>
  fc
    .array(domain, { minLength: count(shape), maxLength: count(shape) })
    .map((flat) => (flat.length === 0 ? theano.NDArray.zeros('float64', shape) : nest(flat, shape)));

/** Nested values at least 0.3 apart (a shuffled ramp plus small noise): no ties for max, no zero variance. */
const distinctValuesOf = (shape: readonly number[]) => {
  const n = count(shape);
  const ramp = Array.from({ length: n }, (_, i) => i);
  return fc
    .tuple(
      fc.shuffledSubarray(ramp, { minLength: n, maxLength: n }),
      fc.array(fc.double({ min: -0.1, max: 0.1, noNaN: true }), { minLength: n, maxLength: n }),
    )
    .map(([order, noise]) =>
      nest(
        order.map((k, i) => 0.5 * k - n / 4 + noise[i]!),
        shape,
      ),
    );
};

/** An axis of a rank-r tensor, counted from either end. */
const axisOf = (r: number) => fc.integer({ min: -r, max: r - 1 });
const normalized = (axis: number, r: number) => (axis < 0 ? axis + r : axis);
/** A permutation of 0..n-1. */
const permutationOf = (n: number) =>
  fc.shuffledSubarray(
    Array.from({ length: n }, (_, i) => i),
    { minLength: n, maxLength: n },
  );

/** A symbolic size with value `shape[k]`: the run-time length of axis k of `sizer` (counted from either end). */
const symbolicSize = (sizer: Tensor, k: number, fromEnd: boolean) =>
  T.shape(sizer as Any, (fromEnd ? k - sizer.ndim : k) as Any);

/** Runs verifyGrad, naming the case in the error. */
function verify(what: string, fn: Fn, point: readonly unknown[]): void {
  try {
    theano.gradient.verifyGrad(fn, point as never, { nTests: 1 });
  } catch (e) {
    throw new Error(`${what} at ${JSON.stringify(point)}: ${(e as Error).message}`);
  }
}

const RUNS = { numRuns: 30 };

/** A reduction: any axes (none, one counted from either end, a list), keepdims, ddof; values without ties. */
const axesCase = shapeOf(0, 3).chain((shape) =>
  fc.record({
    shape: fc.constant(shape),
    axis: fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      shape.length === 0 ? fc.constant(undefined) : axisOf(shape.length),
      permutationOf(shape.length).chain((p) =>
        fc
          .integer({ min: 0, max: shape.length })
          .map((n) => p.slice(0, n).map((a, i) => (i % 2 ? a - shape.length : a))),
      ),
    ),
    keepdims: fc.boolean(),
    ddof: fc.constantFrom(0, 1),
    x: distinctValuesOf(shape),
  }),
);
/** How many elements each result of a reduction over `axis` combines. */
const groupSize = (shape: readonly number[], axis: number | readonly number[] | null | undefined) =>
  axis === null || axis === undefined
    ? count(shape)
    : count((typeof axis === 'number' ? [axis] : axis).map((a) => shape[normalized(a, shape.length)]!));

// ---------------------------------------------------------------------------------------------------------------

describe('shape ops', () => {
  test('dimshuffle: a permutation with new axes', () => {
    const arb = shapeOf(0, 3).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        perm: permutationOf(shape.length),
        inserts: fc.array(fc.integer({ min: 0, max: shape.length + 2 }), { maxLength: 2 }),
        x: valuesOf(shape),
      }),
    );
    fc.assert(
      fc.property(arb, ({ perm, inserts, x }) => {
        const pattern: (number | 'x')[] = [...perm];
        for (const at of inserts) pattern.splice(Math.min(at, pattern.length), 0, 'x');
        verify(`dimshuffle [${pattern}]`, (a) => T.dimshuffle(a as Any, pattern as Any), [x]);
      }),
      RUNS,
    );
  });

  test('squeeze (named axes and all static ones) and expandDims', () => {
    const arb = shapeOf(0, 3).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        ones: fc.array(fc.integer({ min: 0, max: shape.length }), { minLength: 1, maxLength: 2 }),
        which: fc.nat(),
        fromEnd: fc.boolean(),
        insertAt: fc.integer({ min: -(shape.length + 1), max: shape.length }),
        x: valuesOf(shape),
      }),
    );
    fc.assert(
      fc.property(arb, ({ shape, ones, which, fromEnd, insertAt, x }) => {
        // reshape with numbers gives static lengths, so the inserted axes are known to be 1
        const withOnes = [...shape];
        for (const at of ones) withOnes.splice(Math.min(at, withOnes.length), 0, 1);
        const oneAxes = withOnes.flatMap((d, i) => (d === 1 ? [i] : []));
        const named = oneAxes[which % oneAxes.length]!;
        const axis = fromEnd ? named - withOnes.length : named;
        verify(`squeeze axis ${axis} of ${withOnes}`, (a) => T.squeeze(T.reshape(a as Any, withOnes), axis as Any), [
          x,
        ]);
        verify(`squeeze all of ${withOnes}`, (a) => T.squeeze(T.reshape(a as Any, withOnes)) as Tensor, [x]);
        verify(`expandDims ${insertAt}`, (a) => T.expandDims(a as Any, insertAt as Any), [x]);
      }),
      RUNS,
    );
  });

  test('reshape: numbers, one -1 and sizes read at run time (T.shape(x, k)), and a shape vector', () => {
    const arb = shapeOf(0, 3).chain((shape) =>
      fc.record({
        shape: fc.constant(shape),
        perm: permutationOf(shape.length),
        merges: fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
        kinds: fc.array(fc.constantFrom('number', 'symbolic', 'free'), {
          minLength: shape.length,
          maxLength: shape.length,
        }),
        fromEnd: fc.boolean(),
        x: valuesOf(shape),
      }),
    );
    fc.assert(
      fc.property(arb, ({ shape, perm, merges, kinds, fromEnd, x }) => {
        // the target: x's axes permuted, some neighbours merged; each size a number, T.shape(x, k) or the one -1
        const groups: number[][] = [];
        perm.forEach((k, i) =>
          merges[i] && groups.length > 0 ? groups[groups.length - 1]!.push(k) : groups.push([k]),
        );
        const freeAt = kinds.indexOf('free');
        const target = (a: Tensor) =>
          groups.map((g, i) => {
            if (i === freeAt) return -1;
            if (kinds[i] === 'symbolic' && g.length === 1) return symbolicSize(a, g[0]!, fromEnd);
            return count(g.map((k) => shape[k]!));
          });
        verify(`reshape ${JSON.stringify(groups)} kinds ${kinds}`, (a) => T.reshape(a as Any, target(a!)), [x]);
        verify('reshape to a shape vector', (a) => T.reshape(a as Any, T.shape(T.transpose(a!)), shape.length as Any), [
          x,
        ]);
      }),
      RUNS,
    );
  });

  test('flatten', () => {
    const arb = shapeOf(0, 4).chain((shape) =>
      fc.record({ ndim: fc.integer({ min: 1, max: Math.max(shape.length, 1) }), x: valuesOf(shape) }),
    );
    fc.assert(
      fc.property(arb, ({ ndim, x }) => verify(`flatten ${ndim}`, (a) => T.flatten(a as Any, ndim as Any), [x])),
      RUNS,
    );
  });

  /** A value shape and a target it broadcasts to (leading axes added, length-1 axes stretched). */
  const broadcastCase = shapeOf(0, 2).chain((value) =>
    fc.record({
      value: fc.constant(value),
      lead: shapeOf(0, 2, 0),
      stretch: fc.array(size(), { minLength: value.length, maxLength: value.length }),
      ones: fc.array(fc.boolean(), { minLength: value.length, maxLength: value.length }),
      symbolic: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
      fromEnd: fc.boolean(),
    }),
  );

  test('alloc and broadcastTo, with sizes read at run time', () => {
    const arb = broadcastCase.chain((c) => {
      const value = c.value.map((d, i) => (c.ones[i] ? 1 : d));
      const target = [...c.lead, ...value.map((d, i) => (d === 1 ? c.stretch[i]! : d))];
      return fc.record({ c: fc.constant(c), target: fc.constant(target), v: valuesOf(value), sizer: valuesOf(target) });
    });
    fc.assert(
      fc.property(arb, ({ c, target, v, sizer }) => {
        const sizes = (s: Tensor) => target.map((d, k) => (c.symbolic[k] ? symbolicSize(s, k, c.fromEnd) : d));
        verify(`alloc to ${target}`, (a, s) => T.alloc(a as Tensor, ...sizes(s!)), [v, sizer]);
        verify(`broadcastTo ${target}`, (a, s) => T.broadcastTo(a as Any, sizes(s!)), [v, sizer]);
      }),
      RUNS,
    );
  });

  test('fill (the value gets the gradient, the model none), zerosLike, onesLike, full', () => {
    const arb = broadcastCase.chain((c) => {
      const value = c.value.map((d, i) => (c.ones[i] ? 1 : d));
      const model = [...c.lead, ...c.value];
      return fc.record({ model: valuesOf(model), v: valuesOf(value), s: real, fromEnd: fc.constant(c.fromEnd) });
    });
    fc.assert(
      fc.property(arb, ({ model, v, s, fromEnd }) => {
        verify('fill', (m, a) => T.fill(m!, a!), [model, v]);
        verify('fill times the model', (m, a) => T.mul(T.fill(m!, a!), m!), [model, v]);
        verify('zerosLike and onesLike', (m) => T.add(T.mul(T.onesLike(m!), T.sin(m!)), T.zerosLike(m!)), [model]);
        verify('onesLike float32', (m) => T.mul(T.onesLike(m!, 'float32'), m!), [model]);
        verify(
          'full with a tensor value and sizes read at run time',
          (m, a) =>
            T.mul(
              T.full(
                Array.from({ length: m!.ndim }, (_, k) => symbolicSize(m!, k, fromEnd)),
                a as Any,
              ),
              m!,
            ),
          [model, s],
        );
      }),
      RUNS,
    );
  });

  test('tile, with repetition counts read at run time', () => {
    const arb = shapeOf(0, 3).chain((shape) =>
      fc
        .record({
          x: valuesOf(shape),
          reps: shapeOf(0, 3, 0),
          symbolic: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
          fromEnd: fc.boolean(),
        })
        .chain((r) => fc.record({ r: fc.constant(r), sizer: valuesOf(r.reps) })),
    );
    fc.assert(
      fc.property(arb, ({ r: { x, reps, symbolic, fromEnd }, sizer }) => {
        verify(
          `tile ${reps}`,
          (a, s) =>
            T.tile(
              a as Any,
              reps.map((d, k) => (symbolic[k] ? symbolicSize(s!, k, fromEnd) : d)),
            ),
          [x, sizer],
        );
      }),
      RUNS,
    );
  });

  test('tile with a zero count', () => {
    verify('tile [0, 2]', (a) => T.tile(a as Any, [0, 2]), [[[1, 2]]]);
  });
});

describe('structure ops', () => {
  test('concatenate along a random axis (pieces of any length, empty ones too)', () => {
    const arb = shapeOf(1, 3).chain((shape) =>
      fc
        .record({
          axis: axisOf(shape.length),
          lengths: fc.array(size(0, 3), { minLength: 1, maxLength: 3 }),
        })
        .chain(({ axis, lengths }) =>
          fc.record({
            axis: fc.constant(axis),
            parts: fc.tuple(
              ...lengths.map((n) => valuesOf(shape.map((d, k) => (k === normalized(axis, shape.length) ? n : d)))),
            ),
          }),
        ),
    );
    fc.assert(
      fc.property(arb, ({ axis, parts }) =>
        verify(
          `concatenate axis ${axis}`,
          (...xs) => T.concatenate(xs.map((t, i) => T.mul(t, i + 1)) as Any, axis as Any),
          parts,
        ),
      ),
      RUNS,
    );
  });

  test('stack along a new axis', () => {
    const arb = shapeOf(0, 2).chain((shape) =>
      fc.record({
        axis: fc.integer({ min: -(shape.length + 1), max: shape.length }),
        parts: fc.array(valuesOf(shape), { minLength: 1, maxLength: 3 }),
      }),
    );
    fc.assert(
      fc.property(arb, ({ axis, parts }) =>
        verify(
          `stack axis ${axis}`,
          (...xs) => T.stack(xs.map((t, i) => T.sin(T.mul(t, i + 1))) as Any, axis as Any),
          parts,
        ),
      ),
      RUNS,
    );
  });

  test('split, with a size read at run time and pieces that do not reach the cost', () => {
    const arb = fc
      .record({
        shape: shapeOf(1, 3),
        sizes: fc.array(size(0, 3), { minLength: 1, maxLength: 3 }),
        used: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
        symbolic: fc.nat(),
        dynamic: fc.boolean(),
      })
      .chain((c) =>
        fc.record({ c: fc.constant(c), axis: axisOf(c.shape.length) }).chain(({ c, axis }) => {
          const along = normalized(axis, c.shape.length);
          const shape = c.shape.map((d, k) => (k === along ? c.sizes.reduce((a, b) => a + b, 0) : d));
          return fc.record({ c: fc.constant(c), axis: fc.constant(axis), x: valuesOf(shape) });
        }),
      );
    fc.assert(
      fc.property(arb, ({ c: { sizes, used, symbolic, dynamic }, axis, x }) => {
        const used_ = used.slice(0, sizes.length);
        if (!used_.includes(true)) used_[0] = true;
        const which = symbolic % sizes.length;
        verify(
          `split ${sizes} axis ${axis} using ${used_}`,
          (a) => {
            // one size as the axis length minus the others, read at run time
            const others = sizes.reduce((s, d, i) => (i === which ? s : s + d), 0);
            const given = sizes.map((d, i) =>
              dynamic && i === which ? (T.sub(T.shape(a as Any, axis as Any), others) as Any) : d,
            );
            const pieces = T.split(a as Any, given, axis as Any) as Tensor[];
            return T.concatenate(pieces.flatMap((p, i) => (used_[i] ? [T.mul(p, i + 1)] : [])) as Any, axis as Any);
          },
          [x],
        );
      }),
      RUNS,
    );
  });

  test('tril and triu, with the diagonal a number or read at run time', () => {
    const arb = shapeOf(2, 4).chain((shape) =>
      fc.record({ k: fc.integer({ min: -3, max: 3 }), dynamic: fc.boolean(), x: valuesOf(shape) }),
    );
    fc.assert(
      fc.property(arb, ({ k, dynamic, x }) => {
        // dynamic: k as (length of the last axis) - (that length - k)
        const diag = (a: Tensor): number | Tensor =>
          dynamic ? T.sub(T.shape(a as Any, -1 as Any), T.shape(a as Any, -1 as Any).sub(k)) : k;
        verify(`tril ${k}`, (a) => T.tril(a as Any, diag(a!) as Any), [x]);
        verify(`triu ${k}`, (a) => T.triu(a as Any, diag(a!) as Any), [x]);
      }),
      RUNS,
    );
  });

  test('repeat: a count (number or read at run time), along an axis or flattened', () => {
    const arb = shapeOf(0, 3, 0).chain((shape) =>
      fc.record({
        axis: shape.length === 0 ? fc.constant(undefined) : fc.option(axisOf(shape.length), { nil: undefined }),
        repeats: size(0, 3),
        dynamic: fc.boolean(),
        x: valuesOf(shape),
      }),
    );
    fc.assert(
      fc.property(arb, ({ axis, repeats, dynamic, x }) => {
        // dynamic: the count is the run-time length of a second input
        const point = dynamic ? [x, theano.NDArray.zeros('float64', [repeats])] : [x];
        const r = (s: Tensor | undefined): number | Tensor => (s ? T.shape(s as Any, 0 as Any) : repeats);
        verify(`repeat ${repeats} axis ${axis}`, (a, s) => T.repeat(a as Any, r(s) as Any, axis as Any), point);
      }),
      RUNS,
    );
  });

  test('repeat with one count per element', () => {
    const arb = shapeOf(0, 3, 0).chain((shape) =>
      fc
        .record({
          axis: shape.length === 0 ? fc.constant(undefined) : fc.option(axisOf(shape.length), { nil: undefined }),
          broadcast: fc.boolean(),
          x: valuesOf(shape),
        })
        .chain((c) => {
          const n = c.axis === undefined ? count(shape) : shape[normalized(c.axis, shape.length)]!;
          return fc.record({
            c: fc.constant(c),
            counts: fc.array(size(0, 3), { minLength: c.broadcast ? 1 : n, maxLength: c.broadcast ? 1 : n }),
          });
        }),
    );
    fc.assert(
      fc.property(arb, ({ c: { axis, x }, counts }) => {
        const repeats = T.constant(counts, { dtype: 'int32' });
        verify(`repeat ${counts} axis ${axis}`, (a) => T.repeat(a as Any, repeats as Any, axis as Any), [x]);
      }),
      RUNS,
    );
  });

  test('roll: any shift (number or read at run time), along an axis or flattened', () => {
    const arb = shapeOf(0, 3, 0).chain((shape) =>
      fc.record({
        axis: shape.length === 0 ? fc.constant(undefined) : fc.option(axisOf(shape.length), { nil: undefined }),
        shift: fc.integer({ min: -5, max: 5 }),
        dynamic: fc.boolean(),
        x: valuesOf(shape),
      }),
    );
    fc.assert(
      fc.property(arb, ({ axis, shift, dynamic, x }) => {
        const by = (a: Tensor): number | Tensor =>
          dynamic
            ? T.shape(T.flatten(a as Any), 0)
                .mul(0)
                .add(shift)
            : shift;
        verify(`roll ${shift} axis ${axis}`, (a) => T.roll(a as Any, by(a!) as Any, axis as Any), [x]);
      }),
      RUNS,
    );
  });

  test('cumsum and cumprod (inputs without zeros), along an axis or flattened', () => {
    const awayFromZero = fc
      .tuple(fc.double({ min: 0.3, max: 2, noNaN: true }), fc.boolean())
      .map(([m, negative]) => (negative ? -m : m));
    const arb = shapeOf(0, 3, 0).chain((shape) =>
      fc.record({
        axis: shape.length === 0 ? fc.constant(undefined) : fc.option(axisOf(shape.length), { nil: undefined }),
        x: valuesOf(shape),
        y: valuesOf(shape, awayFromZero),
      }),
    );
    fc.assert(
      fc.property(arb, ({ axis, x, y }) => {
        verify(`cumsum axis ${axis}`, (a) => T.cumsum(a as Any, axis as Any), [x]);
        verify(`cumprod axis ${axis}`, (a) => T.cumprod(a as Any, axis as Any), [y]);
      }),
      RUNS,
    );
  });
});

describe('second order: the pullbacks are themselves differentiable', () => {
  // each op on a matrix; the gradient of sum(sin(op(x))^2) must match finite differences of itself
  const CASES: Record<string, (x: Tensor) => Tensor> = {
    dimshuffle: (x) => T.dimshuffle(x as Any, [1, 'x', 0] as Any),
    reshape: (x) => T.reshape(x as Any, [T.shape(x as Any, 1 as Any), -1]),
    flatten: (x) => T.flatten(x as Any),
    broadcastTo: (x) => T.broadcastTo(x as Any, [2, T.shape(x as Any, 0 as Any), T.shape(x as Any, 1 as Any)]),
    tile: (x) => T.tile(x as Any, [2, 1, 2]),
    concatenate: (x) => T.concatenate([x, T.exp(x)] as Any, -1 as Any),
    split: (x) => {
      const [a, b] = T.split(x as Any, [1, T.sub(T.shape(x as Any, 0 as Any), 1) as Any]) as Tensor[];
      return T.concatenate([T.mul(b!, 3), a!] as Any);
    },
    tril: (x) => T.tril(x as Any, -1),
    repeat: (x) => T.repeat(x as Any, 2, 0 as Any),
    'repeat per element': (x) => T.repeat(x as Any, T.constant([2, 0, 1], { dtype: 'int32' }) as Any, 1 as Any),
    roll: (x) => T.roll(x as Any, -1, 1 as Any),
    cumsum: (x) => T.cumsum(x as Any, -1 as Any),
    // factors kept in [0.5, 1.5]: away from zero (Theano's cumprod gradient divides by x) and with products small
    // enough that sin of them is not so steep that finite differences lose their digits
    cumprod: (x) => T.cumprod(T.add(T.mul(T.tanh(x), 0.5), 1) as Any),
    'crossentropy with labels': (x) =>
      T.categoricalCrossentropy(T.softmax(x as Any), T.constant([2, 0], { dtype: 'int32' }) as Any),
    mean: (x) => T.mean(x as Any, 0 as Any),
    std: (x) => T.std(x as Any, -1 as Any),
  };
  const arb = valuesOf([2, 3]);
  for (const [name, build] of Object.entries(CASES)) {
    test(name, () => {
      fc.assert(
        fc.property(arb, (x) =>
          verify(`grad of ${name}`, (a) => T.grad(T.sum(T.sqr(T.sin(build(a!)))) as Tensor<'float64', 0>, a!), [x]),
        ),
        { numRuns: 10 },
      );
    });
  }
});

describe('nnet', () => {
  const softmaxCase = shapeOf(1, 3).chain((shape) =>
    fc.record({
      shape: fc.constant(shape),
      axis: fc.option(axisOf(shape.length), { nil: undefined }),
      x: valuesOf(shape),
      weights: valuesOf(shape),
    }),
  );

  test('softmax and logSoftmax along a random axis', () => {
    fc.assert(
      fc.property(softmaxCase, ({ axis, x }) => {
        verify(`softmax axis ${axis}`, (a) => T.softmax(a as Any, axis as Any), [x]);
        verify(`logSoftmax axis ${axis}`, (a) => T.logSoftmax(a as Any, axis as Any), [x]);
      }),
      RUNS,
    );
  });

  test('second order: the gradient of softmax and logSoftmax differentiates', () => {
    fc.assert(
      fc.property(softmaxCase, ({ axis, x, weights }) => {
        const w = T.constant(weights as number[], { dtype: 'float64' });
        const cost = (s: Tensor) => T.sum(T.mul(s, w)) as Tensor<'float64', 0>;
        verify(`grad of softmax axis ${axis}`, (a) => T.grad(cost(T.softmax(a as Any, axis as Any)), a!), [x]);
        verify(`grad of logSoftmax axis ${axis}`, (a) => T.grad(cost(T.sqr(T.logSoftmax(a as Any, axis as Any))), a!), [
          x,
        ]);
      }),
      RUNS,
    );
  });

  test('categoricalCrossentropy with integer labels (the one-hot op) and with a distribution', () => {
    const positive = fc.double({ min: 0.1, max: 1, noNaN: true });
    const arb = shapeOf(1, 3).chain((shape) =>
      fc.record({
        x: valuesOf(shape),
        coding: valuesOf(shape, positive),
        truth: valuesOf(shape),
        labels: fc
          .array(fc.integer({ min: 0, max: shape[shape.length - 1]! - 1 }), {
            minLength: count(shape.slice(0, -1)),
            maxLength: count(shape.slice(0, -1)),
          })
          .map((flat) => nest(flat, shape.slice(0, -1))),
      }),
    );
    fc.assert(
      fc.property(arb, ({ x, coding, truth, labels }) => {
        const y = T.constant(labels as number[], { dtype: 'int32' }) as Any;
        verify('crossentropy with labels', (c) => T.categoricalCrossentropy(c as Any, y), [coding]);
        verify('crossentropy of softmax with labels', (a) => T.categoricalCrossentropy(T.softmax(a as Any), y), [x]);
        verify('crossentropy with a distribution', (c, t) => T.categoricalCrossentropy(c as Any, t as Any), [
          coding,
          truth,
        ]);
      }),
      RUNS,
    );
  });

  test('binaryCrossentropy, broadcasting', () => {
    const probability = fc.double({ min: 0.05, max: 0.95, noNaN: true });
    const arb = shapeOf(0, 3).chain((shape) =>
      fc.record({ drop: fc.integer({ min: 0, max: shape.length }) }).chain(({ drop }) =>
        fc.record({
          output: valuesOf(shape, probability),
          target: valuesOf(shape.slice(drop), fc.double({ min: 0, max: 1, noNaN: true })),
        }),
      ),
    );
    fc.assert(
      fc.property(arb, ({ output, target }) =>
        verify('binaryCrossentropy', (o, t) => T.binaryCrossentropy(o!, t!), [output, target]),
      ),
      RUNS,
    );
  });

  test('relu (plain and leaky), elu and softsign, away from the kink at 0', () => {
    const arb = shapeOf(0, 3).chain((shape) =>
      fc.record({ x: valuesOf(shape), alpha: fc.double({ min: -1, max: 2, noNaN: true }) }),
    );
    fc.assert(
      fc.property(arb, ({ x, alpha }) => {
        fc.pre([x].flat(3).every((v) => Math.abs(v as number) > 1e-3));
        verify('relu', (a) => T.relu(a!), [x]);
        verify(`relu alpha ${alpha}`, (a) => T.relu(a!, alpha), [x]);
        verify(`elu alpha ${alpha}`, (a) => T.elu(a!, alpha), [x]);
        verify('elu', (a) => T.elu(a!), [x]);
        verify('softsign', (a) => T.softsign(a!), [x]);
      }),
      RUNS,
    );
  });

  test('logsumexp over any axes, and its second order', () => {
    fc.assert(
      fc.property(axesCase, ({ axis, keepdims, x }) => {
        verify(`logsumexp axis ${JSON.stringify(axis)}`, (a) => T.logsumexp(a as Any, axis as Any, { keepdims }), [x]);
        verify(
          `grad of logsumexp axis ${JSON.stringify(axis)}`,
          (a) => T.grad(T.sum(T.sqr(T.logsumexp(a as Any, axis as Any, { keepdims }))) as Tensor<'float64', 0>, a!),
          [x],
        );
      }),
      RUNS,
    );
  });
});

describe('reductions built from graphs', () => {
  test('mean, var and std over any axes (keepdims, ddof)', () => {
    fc.assert(
      fc.property(axesCase, ({ shape, axis, keepdims, ddof, x }) => {
        const n = groupSize(shape, axis);
        const what = `axis ${JSON.stringify(axis)} keepdims ${keepdims} ddof ${ddof}`;
        verify(`mean ${what}`, (a) => T.mean(a as Any, axis as Any, { keepdims }), [x]);
        fc.pre(n > ddof);
        verify(`var ${what}`, (a) => T.var(a as Any, axis as Any, { keepdims, ddof }), [x]);
        // std at zero variance (one element) has an infinite slope
        fc.pre(n >= 2);
        verify(`std ${what}`, (a) => T.std(a as Any, axis as Any, { keepdims, ddof }), [x]);
      }),
      RUNS,
    );
  });

  test('maxAndArgmax: the max gets the gradient, the argmax none (no ties)', () => {
    const arb = shapeOf(0, 3).chain((shape) =>
      fc.record({
        axis: shape.length === 0 ? fc.constant(null) : fc.option(axisOf(shape.length), { nil: null }),
        keepdims: fc.boolean(),
        x: distinctValuesOf(shape),
      }),
    );
    fc.assert(
      fc.property(arb, ({ axis, keepdims, x }) =>
        verify(
          `maxAndArgmax axis ${axis} keepdims ${keepdims}`,
          (a) => {
            const [m, i] = T.maxAndArgmax(a as Any, axis as Any, { keepdims });
            return T.add(T.mul(m as Tensor, 2), T.cast(i as Tensor, 'float64'));
          },
          [x],
        ),
      ),
      RUNS,
    );
  });
});
