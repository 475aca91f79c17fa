// Gradients of sort, topk, diff and weighted bincount against central finite differences (fast-check, float64, values
// kept apart so that no two elements tie: at a tie sort is not differentiable); clip's gradient at its edges.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import type { FloatDType } from '../../src/types/dtype.js';
import { expectArray } from '../helpers.js';

const T = theano.tensor;
type X = Tensor<FloatDType>;

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
function nest(flat: readonly number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  const [d, ...rest] = shape;
  return Array.from({ length: d! }, (_, i) => nest(flat.slice(i * size(rest), (i + 1) * size(rest)), rest));
}
/** Distinct values at least 0.05 apart (finite differences use steps far below that). */
const distinctValues = (shape: readonly number[]) =>
  fc.uniqueArray(fc.integer({ min: -200, max: 200 }), { minLength: size(shape), maxLength: size(shape) }).map((ints) =>
    nest(
      ints.map((i) => i / 20),
      shape,
    ),
  );
const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 });

function check(fn: (...x: X[]) => Tensor, point: unknown[], what: unknown): void {
  try {
    theano.gradient.verifyGrad(fn as never, point as never, { nTests: 1 });
  } catch (e) {
    throw new Error(`${(e as Error).message}\n  case: ${JSON.stringify(what)}\n  point: ${JSON.stringify(point)}`);
  }
}

/** Weights that make every output position matter differently (a plain sum of a permutation is constant). */
const weighted = (t: Tensor) => T.mul(t, T.arange(1, T.add(T.shape(t, -1 as never) as never, 1) as never));

describe('gradients match finite differences', () => {
  test('sort along any axis, and flattened', () => {
    fc.assert(
      fc.property(
        shapeArb.chain((shape) =>
          fc.record({
            shape: fc.constant(shape),
            axis: fc.option(fc.integer({ min: 0, max: shape.length - 1 }), { nil: null }),
            x: distinctValues(shape),
          }),
        ),
        (c) => check((x) => T.sin(weighted(T.sort(x, c.axis as never))), [c.x], c),
      ),
      { numRuns: 60 },
    );
  });

  test('topk values (largest and smallest)', () => {
    fc.assert(
      fc.property(
        shapeArb
          .chain((shape) =>
            fc.record({
              shape: fc.constant(shape),
              axis: fc.integer({ min: 0, max: shape.length - 1 }),
              x: distinctValues(shape),
              sign: fc.constantFrom(1, -1),
            }),
          )
          .chain((c) => fc.integer({ min: 1, max: c.shape[c.axis]! }).map((k) => ({ ...c, k: k * c.sign }))),
        (c) => check((x) => T.sqr(weighted(T.topk(x, c.k, c.axis as never))), [c.x], c),
      ),
      { numRuns: 60 },
    );
  });

  test('diff of order n along an axis, to second order', () => {
    fc.assert(
      fc.property(
        shapeArb.chain((shape) =>
          fc.record({
            shape: fc.constant(shape),
            axis: fc.integer({ min: 0, max: shape.length - 1 }),
            n: fc.integer({ min: 0, max: 3 }),
            x: distinctValues(shape),
          }),
        ),
        (c) => {
          check((x) => T.sqr(T.diff(x, c.n, c.axis as never)), [c.x], c);
          check((x) => T.grad(T.sum(T.pow(T.diff(x, c.n, c.axis as never), 3)), x) as Tensor, [c.x], c);
        },
      ),
      { numRuns: 40 },
    );
  });

  test('bincount in its weights', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((n) =>
          fc.record({
            labels: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: n, maxLength: n }),
            w: distinctValues([n]),
          }),
        ),
        (c) => {
          const labels = T.constant(c.labels, { dtype: 'int32' }) as Tensor<'int32', 1>;
          check(
            (w) => T.sin(weighted(T.bincount(labels, { weights: w as Tensor<FloatDType, 1>, minlength: 5 }))),
            [c.w],
            c,
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('clip at its edges, as Theano and PyTensor', () => {
  test('x gets the gradient where lo <= x <= hi (edges included); lo where x < lo; hi where x > hi', () => {
    const [x, lo, hi] = T.dvectors('x', 'lo', 'hi');
    const cost = T.sum(T.mul(T.clip(x, lo, hi), T.constant([1, 2, 3, 4, 5], { dtype: 'float64' })));
    const f = theano.function([x, lo, hi], T.grad(cost, [x, lo, hi]));
    const xs = [-1, 0, 0.5, 1, 2];
    const [gx, glo, ghi] = f(xs, [0, 0, 0, 0, 0], [1, 1, 1, 1, 1]);
    // by hand from PyTensor's Clip.L_op: gx = (x >= lo & x <= hi) * gz, glo = (x < lo) * gz, ghi = (x > hi) * gz
    expectArray(gx, { dtype: 'float64', value: [0, 2, 3, 4, 0] });
    expectArray(glo, { dtype: 'float64', value: [1, 0, 0, 0, 0] });
    expectArray(ghi, { dtype: 'float64', value: [0, 0, 0, 0, 5] });
    const scalarEdge = theano.function([x], T.grad(T.sum(T.clip(x, 0, 1)), x));
    expect((scalarEdge([0, 1]) as theano.NDArray).toArray()).toEqual([1, 1]);
  });
});
