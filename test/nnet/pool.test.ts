/**
 * pool2d: values against a nested-loop reference over an explicitly padded image (every mode, ignoreBorder both
 * ways, padding, strides smaller and larger than the window, ranks 2 to 4), gradients and second derivatives
 * against finite differences (max pooling on distinct values, so no window has a tie), Theano's tie rule, and
 * the errors.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';
import { seededRandom } from '../../src/runtime/random.js';
import { expectBuildError } from '../helpers.js';

const T = theano.tensor;
type Mode = 'max' | 'sum' | 'average_inc_pad' | 'average_exc_pad';
interface Case {
  readonly shape: readonly number[];
  readonly ws: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly pad: readonly [number, number];
  readonly mode: Mode;
  readonly ignoreBorder: boolean;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** Distinct values in [-1, 1) in a seeded random order (no two equal, so max pooling has no ties). */
function distinct(n: number, seed: number): Float64Array {
  const r = seededRandom(seed);
  const v = Float64Array.from({ length: n }, (_, i) => -1 + (2 * i + 0.5) / n);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [v[i], v[j]] = [v[j]!, v[i]!];
  }
  return v;
}

/** The number of windows along one axis: enough to cover the (padded) axis, or only the full ones. */
function windowsAlong(n: number, ws: number, st: number, pad: number, ignoreBorder: boolean): number {
  const padded = n + 2 * pad;
  let count = 0;
  // a window starts at k·st; with ignoreBorder it must fit, else it must start inside the padded axis and not
  // be wholly past the last pixel a previous window already covered
  for (let start = 0; ; start += st) {
    if (ignoreBorder ? start + ws > padded : start >= padded || (count > 0 && start - st + ws >= padded)) break;
    count++;
  }
  return count;
}

/** The reference: pad explicitly (NaN marks padding), then reduce every window as the mode says. */
function referencePool(c: Case, x: ArrayLike<number>): { shape: number[]; data: number[] } {
  const [H, W] = c.shape.slice(-2) as [number, number];
  const planes = size(c.shape.slice(0, -2));
  const [pr, pc] = c.pad;
  const [Hp, Wp] = [H + 2 * pr, W + 2 * pc];
  const Ho = windowsAlong(H, c.ws[0], c.stride[0], pr, c.ignoreBorder);
  const Wo = windowsAlong(W, c.ws[1], c.stride[1], pc, c.ignoreBorder);
  const data: number[] = [];
  for (let p = 0; p < planes; p++) {
    const padded = (i: number, j: number) => {
      const [r, q] = [i - pr, j - pc];
      return r < 0 || r >= H || q < 0 || q >= W ? NaN : x[p * H * W + r * W + q]!;
    };
    for (let i = 0; i < Ho; i++)
      for (let j = 0; j < Wo; j++) {
        const values: number[] = [];
        let cells = 0;
        for (let u = i * c.stride[0]; u < Math.min(i * c.stride[0] + c.ws[0], Hp); u++)
          for (let v = j * c.stride[1]; v < Math.min(j * c.stride[1] + c.ws[1], Wp); v++) {
            cells++;
            const value = padded(u, v);
            if (!Number.isNaN(value)) values.push(value);
          }
        const sum = values.reduce((a, b) => a + b, 0);
        if (c.mode === 'max') data.push(Math.max(...values));
        else if (c.mode === 'sum') data.push(sum);
        else if (c.mode === 'average_inc_pad') data.push(sum / cells);
        else data.push(sum / values.length);
      }
  }
  return { shape: [...c.shape.slice(0, -2), Ho, Wo], data };
}

const MODES: Mode[] = ['max', 'sum', 'average_inc_pad', 'average_exc_pad'];
const CASES: Case[] = [];
for (const mode of MODES)
  for (const shape of [
    [7, 9],
    [2, 5, 6],
    [2, 3, 5, 4],
  ])
    for (const [ws, stride] of [
      [
        [2, 2],
        [2, 2],
      ],
      [
        [3, 2],
        [1, 2],
      ],
      [
        [2, 3],
        [3, 2],
      ],
    ] as const)
      for (const ignoreBorder of [false, true])
        for (const pad of ignoreBorder
          ? ([
              [0, 0],
              [1, 1],
              [1, 0],
            ] as const)
          : ([[0, 0]] as const))
          CASES.push({ shape, ws, stride, pad, mode, ignoreBorder });

const opts = (c: Case) => ({ ws: c.ws, stride: c.stride, pad: c.pad, mode: c.mode, ignoreBorder: c.ignoreBorder });

describe('pool2d values against the reference', () => {
  test.each(['float64', 'float32'] as const)(
    'every mode, ignoreBorder both ways, padding, strides, ranks 2-4 (%s)',
    (dtype) => {
      expect(CASES.length).toBeGreaterThan(100);
      CASES.forEach((c, n) => {
        const values = distinct(size(c.shape), n + 1);
        const array = new theano.NDArray(dtype, c.shape, dtype === 'float32' ? Float32Array.from(values) : values);
        const x = T.tensor(dtype, c.shape.length as 2, 'x');
        const f = theano.function([x], T.pool2d(x, opts(c))) as unknown as (a: NDArray) => NDArray;
        const got = f(array);
        const want = referencePool(c, array.data as Float64Array);
        const label = JSON.stringify(c);
        expect(got.shape, label).toEqual(want.shape);
        const tol = dtype === 'float32' ? 1e-6 : 1e-14;
        want.data.forEach((v, i) =>
          expect(Math.abs((got.data as Float64Array)[i]! - v), `${label} [${i}]`).toBeLessThanOrEqual(
            tol * Math.max(1, Math.abs(v)),
          ),
        );
      });
    },
  );

  test("Theano's shapes: a 5x5 input with 2x2 windows is 3x3, or 2x2 with ignoreBorder", () => {
    const x = T.tensor('float64', [1, 5, 5], 'x');
    expect(T.pool2d(x, { ws: 2 }).type.shape).toEqual([1, 3, 3]);
    expect(T.pool2d(x, { ws: 2, ignoreBorder: true }).type.shape).toEqual([1, 2, 2]);
    expect(T.pool2d(x, { ws: 3, stride: 1, pad: 1, ignoreBorder: true }).type.shape).toEqual([1, 5, 5]);
  });

  test('integers pool to floats; a hand-checked max and average', () => {
    const x = T.imatrix('x');
    const f = theano.function(
      [x],
      [T.pool2d(x, { ws: 2 }), T.pool2d(x, { ws: 2, mode: 'average_exc_pad' })],
    ) as unknown as (a: number[][]) => NDArray[];
    const [m, a] = f([
      [1, 5, 3],
      [4, 2, 6],
    ]);
    expect(m!.dtype).toBe('float64');
    expect(m!.toArray()).toEqual([[5, 6]]);
    expect(a!.toArray()).toEqual([[3, 4.5]]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// gradients

const caseArb = fc
  .record({
    lead: fc.integer({ min: 1, max: 2 }),
    rows: fc.integer({ min: 2, max: 6 }),
    cols: fc.integer({ min: 2, max: 6 }),
    ws: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    stride: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    padded: fc.boolean(),
    mode: fc.constantFrom<Mode>(...MODES),
    ignoreBorder: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1e6 }),
  })
  .filter((r) => !r.ignoreBorder || (r.rows >= r.ws[0] && r.cols >= r.ws[1]))
  .map((r) => {
    const pad = r.padded && r.ignoreBorder ? ([r.ws[0] > 1 ? 1 : 0, r.ws[1] > 1 ? 1 : 0] as const) : ([0, 0] as const);
    const c: Case = {
      shape: [r.lead, r.rows, r.cols],
      ws: r.ws,
      stride: r.stride,
      pad,
      mode: r.mode,
      ignoreBorder: r.ignoreBorder,
    };
    return { c, seed: r.seed };
  });

function verify(label: string, fn: (x: Tensor) => Tensor, point: NDArray): void {
  try {
    theano.gradient.verifyGrad(fn as never, [point] as never, { nTests: 1 });
  } catch (e) {
    throw new Error(`${label}: ${(e as Error).message}`);
  }
}

describe('gradients against finite differences', () => {
  test('pool2d in every mode (random shapes, windows, strides, padding)', () => {
    fc.assert(
      fc.property(caseArb, ({ c, seed }) => {
        const x = new theano.NDArray('float64', c.shape, distinct(size(c.shape), seed));
        verify(JSON.stringify(c), (t) => T.pool2d(t as Tensor<'float64', 3>, opts(c)), x);
      }),
      { numRuns: 40, seed: 99 },
    );
  });

  test('second derivatives: the gradient ops are differentiable (max: max_pool_grad_grad; averages: pooling)', () => {
    fc.assert(
      fc.property(caseArb, ({ c, seed }) => {
        const x = new theano.NDArray('float64', c.shape, distinct(size(c.shape), seed));
        // cost = sum(pool(x)^3): its gradient depends on x through the pooled values, so the second derivative
        // runs through the gradient op's own pullback
        verify(
          `grad of grad ${JSON.stringify(c)}`,
          (t) => {
            const cost = T.sum(T.pow(T.pool2d(t as Tensor<'float64', 3>, opts(c)), 3));
            return T.grad(cost, t as Tensor<'float64', 3>) as Tensor;
          },
          x,
        );
      }),
      { numRuns: 25, seed: 7 },
    );
  });

  test("max pooling sends a tied window's gradient to every tied pixel (Theano's MaxPoolGrad)", () => {
    const x = T.dmatrix('x');
    const g = T.grad(T.sum(T.pool2d(x, { ws: 2 })), x);
    const f = theano.function([x], g) as unknown as (a: number[][]) => NDArray;
    expect(
      f([
        [1, 3],
        [3, 2],
      ]).toArray(),
    ).toEqual([
      [0, 1],
      [1, 0],
    ]);
  });
});

describe('bad input', () => {
  test('rank, options, padding rules', () => {
    expectBuildError(
      // @ts-expect-error a vector has no two axes to pool
      () => T.pool2d(T.dvector('v'), { ws: 2 }),
      'pool2d: pools the last two axes, so needs a tensor of rank >= 2, got float64 vector',
    );
    expectBuildError(
      () => T.pool2d(T.dmatrix('m'), { ws: 2, pad: 1 }),
      'pool2d: padding works only with ignoreBorder: true (as in Theano), got pad [1, 1]',
    );
    expectBuildError(
      () => T.pool2d(T.dmatrix('m'), { ws: 2, pad: 2, ignoreBorder: true }),
      'pool2d: pad [2, 2] must be smaller than the window ws [2, 2]',
    );
    // @ts-expect-error not a mode
    expectBuildError(() => T.pool2d(T.dmatrix('m'), { ws: 2, mode: 'average' }), "pool2d: unknown mode 'average'");
    // @ts-expect-error ws is required
    expectBuildError(() => T.pool2d(T.dmatrix('m'), {}), 'pool2d: needs the window size ws');
    expectBuildError(
      () => T.pool2d(T.dmatrix('m'), { ws: [0, 2] }),
      'pool2d: ws must be positive integers, got [0, 2]',
    );
  });
});
