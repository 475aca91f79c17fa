// Gradients of advanced indexing with several index arrays (x[i, j], x[i, :, j], x[1:, i, j]) and of its set/inc
// forms, against central finite differences on random shapes, random index arrays (short axes, so repeated
// positions are common: their gradients must add up) and random values, float64.
import fc from 'fast-check';
import { describe, test } from 'vitest';
import * as theano from '../../src/index.js';
import { NDArray, type Tensor } from '../../src/index.js';
import type { FloatDType } from '../../src/types/dtype.js';

const T = theano.tensor;
type X = Tensor<FloatDType>;

interface Spec {
  readonly shape: number[];
  /** Per axis (a prefix of them): an index array (its values) or a slice [start, stop, step]. */
  readonly entries: (
    | { kind: 'array'; value: number[] | number[][] }
    | { kind: 'slice'; bounds: [number | null, number | null, number | null] }
  )[];
}

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
function nest(flat: readonly number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  const [d, ...rest] = shape;
  return Array.from({ length: d! }, (_, i) => nest(flat.slice(i * size(rest), (i + 1) * size(rest)), rest));
}
const valuesOf = (shape: readonly number[]) =>
  fc
    .array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: size(shape), maxLength: size(shape) })
    .map((flat) => nest(flat, shape));

/** Index arrays of one broadcast shape family: all vectors of length m, or a column (p, 1) beside vectors. */
const specArb: fc.Arbitrary<Spec> = fc
  .array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 3 })
  .chain((shape) =>
    fc.tuple(
      fc.constant(shape),
      fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      fc.integer({ min: 1, max: 4 }),
      fc.boolean(),
    ),
  )
  .filter(([, isArray]) => isArray.filter(Boolean).length >= 2)
  .chain(([shape, isArray, m, column]) => {
    let first = true;
    const entries = shape.map((n, k) => {
      const index = fc.integer({ min: -n, max: n - 1 });
      if (!isArray[k]) {
        const bound = fc.option(fc.integer({ min: -n, max: n }), { nil: null });
        const step = fc.option(fc.constantFrom(1, 2, -1), { nil: null });
        return fc.tuple(bound, bound, step).map((bounds) => ({ kind: 'slice' as const, bounds }));
      }
      const asColumn = column && first;
      first = false;
      const vector = fc.array(index, { minLength: m, maxLength: m });
      return (asColumn ? vector.map((v) => v.map((i) => [i])) : vector).map((value) => ({
        kind: 'array' as const,
        value,
      }));
    });
    return fc.tuple(...entries).map((e) => ({ shape, entries: e }));
  });

function indexArgs(s: Spec): unknown[] {
  return s.entries.map((e) => (e.kind === 'slice' ? T.slice(...e.bounds) : T.constant(e.value, { dtype: 'int32' })));
}
const get = (x: X, s: Spec) => (x.get as (...a: unknown[]) => Tensor)(...indexArgs(s));
const at = (x: X, s: Spec) => (x.at as (...a: unknown[]) => theano.tensor.IndexUpdate)(...indexArgs(s));

function check(fn: (...x: X[]) => Tensor, point: unknown[], what: unknown): void {
  try {
    theano.gradient.verifyGrad(fn as never, point as never, { nTests: 1 });
  } catch (e) {
    throw new Error(`${(e as Error).message}\n  case: ${JSON.stringify(what)}\n  point: ${JSON.stringify(point)}`);
  }
}

/** The region's shape, by running the indexing forward. */
function regionShape(s: Spec, x: unknown): number[] {
  const t = T.tensor('float64', s.shape.length as never) as X;
  const out = theano.function([t], get(t, s))(x as never) as unknown;
  return out instanceof NDArray ? out.shape : [];
}

describe('advanced indexing with several index arrays: gradients match finite differences', () => {
  test('x[i, j, ...] (a scatter-add: repeated positions add up)', () => {
    fc.assert(
      fc.property(
        specArb.chain((s) => valuesOf(s.shape).map((x) => ({ s, x }))),
        ({ s, x }) => check((t) => T.sin(get(t, s)), [x], s),
      ),
      { numRuns: 80 },
    );
  });

  test('inc_subtensor and set_subtensor(x[i, j, ...], y), y of the region shape or broadcast', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(specArb, fc.constantFrom('inc' as const, 'set' as const), fc.boolean())
          .chain(([s, mode, broadcast]) =>
            valuesOf(s.shape).chain((x) => {
              const region = regionShape(s, x);
              const yShape = broadcast ? region.slice(1) : region;
              return valuesOf(yShape).map((y) => ({ s, mode, x, y, yShape, empty: size(region) === 0 }));
            }),
          )
          .filter((c) => !c.empty), // nested arrays cannot hold a shape like (0, 1)
        (c) => check((x, y) => T.sqr(c.mode === 'inc' ? at(x, c.s).inc(y!) : at(x, c.s).set(y!)), [c.x, c.y], c),
      ),
      { numRuns: 80 },
    );
  });

  test('second order: the gradient of the gradient of sum(x[i, j]^3)', () => {
    fc.assert(
      fc.property(
        specArb.chain((s) => valuesOf(s.shape).map((x) => ({ s, x }))),
        ({ s, x }) => check((t) => T.grad(T.sum(T.pow(get(t, s), 3)) as Tensor<'float64', 0>, t) as Tensor, [x], s),
      ),
      { numRuns: 30 },
    );
  });
});
