// Every differentiable elementwise op: symbolic gradient vs central finite differences, on random inputs and
// random (broadcasting) shapes, float64.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { SCALAR_OPS, type ScalarOpName } from '../../src/ops/scalar.js';

const T = theano.tensor;
type Fn = (...x: Tensor[]) => Tensor;

/** Where each op is smooth: a sampler of values for each input (keeping away from kinks and poles). */
interface Case {
  build: Fn;
  domains: readonly fc.Arbitrary<number>[];
  /** Rejects points too close to a kink (ties of maximum, the bounds of clip, ...). */
  smooth?: (...x: number[]) => boolean;
  /** The inputs' dtype (float64 by default). */
  dtype?: 'float32';
}
const real = fc.double({ min: -3, max: 3, noNaN: true });
const positive = fc.double({ min: 0.2, max: 3, noNaN: true });
const unit = fc.double({ min: -0.9, max: 0.9, noNaN: true });
const aboveOne = fc.double({ min: 1.2, max: 3, noNaN: true });
const away = (x: number, from: number, by = 0.05) => Math.abs(x - from) > by;

const CASES: { [K in ScalarOpName]?: Case } = {
  add: { build: (a, b) => T.add(a!, b!), domains: [real, real] },
  sub: { build: (a, b) => T.sub(a!, b!), domains: [real, real] },
  mul: { build: (a, b) => T.mul(a!, b!), domains: [real, real] },
  true_div: { build: (a, b) => T.div(a!, b!), domains: [real, positive] },
  mod: {
    build: (a, b) => T.mod(a!, b!),
    domains: [real, positive],
    smooth: (a, b) => away(a! / b! - Math.floor(a! / b!), 0, 0.02) && away(a! / b! - Math.floor(a! / b!), 1, 0.02),
  },
  pow: { build: (a, b) => T.pow(a!, b!), domains: [positive, real] },
  neg: { build: (a) => T.neg(a!), domains: [real] },
  abs: { build: (a) => T.abs(a!), domains: [real], smooth: (a) => away(a!, 0) },
  sqr: { build: (a) => T.sqr(a!), domains: [real] },
  maximum: { build: (a, b) => T.maximum(a!, b!), domains: [real, real], smooth: (a, b) => away(a!, b!) },
  minimum: { build: (a, b) => T.minimum(a!, b!), domains: [real, real], smooth: (a, b) => away(a!, b!) },
  clip: { build: (x) => T.clip(x!, -1, 1.5), domains: [real], smooth: (x) => away(x!, -1) && away(x!, 1.5) },
  exp: { build: (a) => T.exp(a!), domains: [real] },
  exp2: { build: (a) => T.exp2(a!), domains: [real] },
  expm1: { build: (a) => T.expm1(a!), domains: [real] },
  log: { build: (a) => T.log(a!), domains: [positive] },
  log2: { build: (a) => T.log2(a!), domains: [positive] },
  log10: { build: (a) => T.log10(a!), domains: [positive] },
  log1p: { build: (a) => T.log1p(a!), domains: [positive] },
  sqrt: { build: (a) => T.sqrt(a!), domains: [positive] },
  reciprocal: { build: (a) => T.reciprocal(a!), domains: [positive] },
  sin: { build: (a) => T.sin(a!), domains: [real] },
  cos: { build: (a) => T.cos(a!), domains: [real] },
  tan: { build: (a) => T.tan(a!), domains: [unit] },
  arcsin: { build: (a) => T.arcsin(a!), domains: [unit] },
  arccos: { build: (a) => T.arccos(a!), domains: [unit] },
  arctan: { build: (a) => T.arctan(a!), domains: [real] },
  arctan2: { build: (a, b) => T.arctan2(a!, b!), domains: [real, positive] },
  sinh: { build: (a) => T.sinh(a!), domains: [real] },
  cosh: { build: (a) => T.cosh(a!), domains: [real] },
  tanh: { build: (a) => T.tanh(a!), domains: [real] },
  arcsinh: { build: (a) => T.arcsinh(a!), domains: [real] },
  arccosh: { build: (a) => T.arccosh(a!), domains: [aboveOne] },
  arctanh: { build: (a) => T.arctanh(a!), domains: [unit] },
  erf: { build: (a) => T.erf(a!), domains: [real] },
  erfc: { build: (a) => T.erfc(a!), domains: [real] },
  erfcx: { build: (a) => T.erfcx(a!), domains: [real] },
  log1mexp: { build: (a) => T.log1mexp(a!), domains: [fc.double({ min: -5, max: -0.05, noNaN: true })] },
  sigmoid: { build: (a) => T.sigmoid(a!), domains: [real] },
  softplus: { build: (a) => T.softplus(a!), domains: [real] },
  switch: {
    build: (a, b) => T.switch(T.gt(a!, 0), T.mul(a!, b!), T.sin(b!)),
    domains: [real, real],
    smooth: (a) => away(a!, 0),
  },
  // a float32 input cast up: the gradient comes back to float32 (checked with float32 tolerances)
  cast: { build: (a) => T.sqr(T.cast(a!, 'float64')), domains: [real], dtype: 'float32' },
};

/** Shapes for an op's inputs: one full shape and broadcastable variants (dims set to 1 or dropped). */
const shapesFor = (arity: number) =>
  fc
    .array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 3 })
    .chain((full) =>
      fc.tuple(
        ...Array.from({ length: arity }, () =>
          fc
            .tuple(
              fc.integer({ min: 0, max: full.length }),
              fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }),
            )
            .map(([drop, ones]) => full.map((d, i) => (ones[i] ? 1 : d)).slice(drop)),
        ),
      ),
    );

function values(shape: readonly number[], domain: fc.Arbitrary<number>): fc.Arbitrary<number[]> {
  const n = shape.reduce((a, b) => a * b, 1);
  return fc.array(domain, { minLength: n, maxLength: n });
}

function nest(flat: number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  const [d, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: d! }, (_, i) => nest(flat.slice(i * size, (i + 1) * size), rest));
}

describe('every differentiable elementwise op matches finite differences', () => {
  test('the table covers every op with a gradient rule', () => {
    const withGrad = Object.values(SCALAR_OPS)
      .filter((s) => s.grad !== 'none')
      .map((s) => s.name);
    expect(withGrad.filter((n) => !(n in CASES))).toEqual([]);
  });

  for (const [name, c] of Object.entries(CASES) as [ScalarOpName, Case][]) {
    test(name, () => {
      const arity = c.domains.length;
      fc.assert(
        fc.property(
          shapesFor(arity).chain((shapes) =>
            fc.tuple(fc.constant(shapes), fc.tuple(...shapes.map((s, i) => values(s, c.domains[i]!)))),
          ),
          ([shapes, flats]) => {
            if (c.smooth) {
              // check smoothness on the broadcast pairs: any element against any element is a safe superset
              const firsts = flats.map((f) => f);
              for (const a of firsts[0]!) for (const b of firsts[1] ?? [0]) fc.pre(c.smooth(a, b));
            }
            const point = flats.map((f, i) =>
              c.dtype ? theano.array(nest(f, shapes[i]!) as number[], { dtype: c.dtype }) : nest(f, shapes[i]!),
            );
            try {
              theano.gradient.verifyGrad(c.build, point as never, { nTests: 1 });
            } catch (e) {
              throw new Error(
                `${name} at shapes ${JSON.stringify(shapes)}, point ${JSON.stringify(point)}: ${(e as Error).message}`,
              );
            }
          },
        ),
        { numRuns: 25 },
      );
    });
  }
});

describe('piecewise and boolean ops give zero, not an error', () => {
  test.each(['floor', 'ceil', 'round', 'trunc', 'sign'] as const)('%s', (name) => {
    const x = T.dvector('x');
    const g = theano.grad(T.sum(T[name](x).mul(x)), x);
    expect(theano.function([x], g)([0.5, 1.5, -2.5]).toArray()).toEqual(
      [0.5, 1.5, -2.5].map(
        (v) =>
          ({
            floor: Math.floor,
            ceil: Math.ceil,
            round: (z: number) => (Math.abs(z % 1) === 0.5 ? 2 * Math.round(z / 2) : Math.round(z)),
            trunc: Math.trunc,
            sign: Math.sign,
          })[name](v) + 0,
      ),
    );
  });

  test('comparisons pass no gradient; switch routes it to the chosen branch', () => {
    const x = T.dvector('x');
    const y = T.switch(T.gt(x, 0), x.mul(3), x.mul(-2)).sum();
    expect(theano.function([x], theano.grad(y, x))([1, -1, 2]).toArray()).toEqual([3, -2, 3]);
  });
});
