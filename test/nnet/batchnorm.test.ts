/**
 * Batch normalization: train and test values against loops written here from Theano's documented formulas
 * (per-activation, spatial and explicit axes; parameters of reduced or full rank), the running averages with
 * the unbiased variance, gradients against finite differences, and the errors.
 */
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';
import { seededRandom } from '../../src/runtime/random.js';
import { expectBuildError } from '../helpers.js';

const T = theano.tensor;
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
const random = (shape: readonly number[], seed: number, lo = -1, hi = 1) => {
  const r = seededRandom(seed);
  return new theano.NDArray(
    'float64',
    shape,
    Float64Array.from({ length: size(shape) }, () => lo + (hi - lo) * r()),
  );
};

/** Statistics over `axes` of a rank-4 (B, C, H, W) array, indexed by the kept multi-index as a string key. */
function reference(x: NDArray, axes: readonly number[], epsilon: number) {
  const shape = x.shape as number[];
  const data = x.data as Float64Array;
  const keyOf = (idx: number[]) => idx.map((v, a) => (axes.includes(a) ? 0 : v)).join(',');
  const groups = new Map<string, number[]>();
  const index = (flat: number) => {
    const idx: number[] = [];
    for (let a = shape.length - 1; a >= 0; a--) {
      idx.unshift(flat % shape[a]!);
      flat = Math.floor(flat / shape[a]!);
    }
    return idx;
  };
  for (let i = 0; i < data.length; i++) {
    const k = keyOf(index(i));
    if (!groups.has(k)) groups.set(k, []);
    groups.get(k)!.push(data[i]!);
  }
  const stats = new Map<string, { mean: number; variance: number; count: number }>();
  for (const [k, v] of groups) {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    stats.set(k, { mean, variance, count: v.length });
  }
  return { stats, keyOf, index, epsilon };
}

describe('batchNormalizationTrain', () => {
  test.each([
    ['per-activation', [0]],
    ['spatial', [0, 2, 3]],
    [
      [0, 3],
      [0, 3],
    ],
  ] as const)('axes %j: out, mean, invstd and running averages against the formulas', (axesOption, axes) => {
    const shape = [4, 3, 2, 5];
    const paramShape = shape.filter((_, a) => !(axes as readonly number[]).includes(a));
    const x = T.dtensor4('x');
    const p = (name: string) => T.tensor('float64', paramShape.length as 1, name) as Tensor<'float64', 1>;
    const [gamma, beta, rm, rv] = [p('gamma'), p('beta'), p('rm'), p('rv')];
    const results = T.batchNormalizationTrain(x, gamma, beta, {
      axes: axesOption as never,
      epsilon: 1e-3,
      runningAverageFactor: 0.3,
      runningMean: rm,
      runningVar: rv,
    });
    const f = theano.function([x, gamma, beta, rm, rv], results as unknown as Tensor[]) as unknown as (
      ...a: NDArray[]
    ) => NDArray[];
    const xv = random(shape, 1, -2, 3);
    const [gv, bv, rmv, rvv] = [2, 3, 4, 5].map((s) => random(paramShape, s, 0.5, 1.5));
    const [out, mean, invstd, newMean, newVar] = f(xv, gv!, bv!, rmv!, rvv!);
    const ref = reference(xv, axes, 1e-3);
    expect(out!.shape).toEqual(shape);
    expect(mean!.shape).toEqual(paramShape);
    // parameters are indexed by the kept axes
    const paramIndex = (idx: number[]) => {
      const kept = idx.filter((_, a) => !(axes as readonly number[]).includes(a));
      return kept.reduce((acc, v, i) => acc * paramShape[i]! + v, 0);
    };
    for (let i = 0; i < xv.size; i++) {
      const idx = ref.index(i);
      const s = ref.stats.get(ref.keyOf(idx))!;
      const j = paramIndex(idx);
      const want =
        (((xv.data as Float64Array)[i]! - s.mean) * gv!.data[j]!) / Math.sqrt(s.variance + 1e-3) +
        (bv!.data[j] as number);
      expect((out!.data as Float64Array)[i]).toBeCloseTo(want, 12);
      expect((mean!.data as Float64Array)[j]).toBeCloseTo(s.mean, 12);
      expect((invstd!.data as Float64Array)[j]).toBeCloseTo(1 / Math.sqrt(s.variance + 1e-3), 12);
      expect((newMean!.data as Float64Array)[j]).toBeCloseTo((rmv!.data[j] as number) * 0.7 + s.mean * 0.3, 12);
      const unbiased = (s.variance * s.count) / (s.count - 1);
      expect((newVar!.data as Float64Array)[j]).toBeCloseTo((rvv!.data[j] as number) * 0.7 + unbiased * 0.3, 12);
    }
  });

  test('full-rank parameters (length 1 on the normalized axes) keep that layout', () => {
    const x = T.dmatrix('x');
    const g = T.dmatrix('g');
    const b = T.dmatrix('b');
    const [out, mean] = T.batchNormalizationTrain(x, g, b);
    const f = theano.function([x, g, b], [out, mean]) as unknown as (...a: unknown[]) => NDArray[];
    const [o, m] = f(
      [
        [1, 10],
        [3, 20],
      ],
      [[1, 2]],
      [[0, 1]],
    );
    expect(m!.toArray()).toEqual([[2, 15]]);
    // (1 - 2) / sqrt(1 + 1e-4) and 2 · (10 - 15) / sqrt(25 + 1e-4) + 1
    const o0 = o!.toArray() as number[][];
    expect(o0[0]![0]).toBeCloseTo(-1 / Math.sqrt(1 + 1e-4), 12);
    expect(o0[0]![1]).toBeCloseTo((2 * -5) / Math.sqrt(25 + 1e-4) + 1, 12);
  });

  test('gradients with respect to the input, gamma and beta (spatial, on a rank-4 input)', () => {
    const point = [random([3, 2, 2, 2], 5), random([2], 6, 0.5, 1.5), random([2], 7)];
    theano.gradient.verifyGrad(
      ((x: Tensor<'float64', 4>, g: Tensor<'float64', 1>, b: Tensor<'float64', 1>) => {
        const [out, mean, invstd] = T.batchNormalizationTrain(x, g, b, { axes: 'spatial' });
        return T.add(T.sum(T.sqr(T.tanh(out))), T.add(T.sum(mean), T.sum(invstd)));
      }) as never,
      point as never,
      { nTests: 2 },
    );
  });
});

describe('batchNormalizationTest and batchNormalization', () => {
  test('values against the formula; gradients', () => {
    const x = T.dtensor4('x');
    const ps = ['g', 'b', 'm', 'v'].map((n) => T.dvector(n));
    const out = T.batchNormalizationTest(x, ps[0]!, ps[1]!, ps[2]!, ps[3]!, { axes: 'spatial', epsilon: 1e-5 });
    const f = theano.function([x, ...ps], out) as unknown as (...a: NDArray[]) => NDArray;
    const xv = random([2, 3, 2, 2], 8);
    const pv = [9, 10, 11, 12].map((s) => random([3], s, 0.5, 1.5));
    const got = f(xv, ...pv);
    for (let i = 0; i < xv.size; i++) {
      const c = Math.floor(i / 4) % 3;
      const [g, b, m, v] = pv.map((a) => a.data[c] as number);
      expect((got.data as Float64Array)[i]).toBeCloseTo(
        (((xv.data as Float64Array)[i]! - m!) * g!) / Math.sqrt(v! + 1e-5) + b!,
        12,
      );
    }
    theano.gradient.verifyGrad(
      ((a: Tensor<'float64', 4>, g: Tensor<'float64', 1>, v: Tensor<'float64', 1>) =>
        T.batchNormalizationTest(a, g, T.zerosLike(g), T.zerosLike(g), v, { axes: 'spatial' })) as never,
      [xv, pv[0]!, pv[3]!] as never,
      { nTests: 1 },
    );
  });

  test('batchNormalization is (x - mean) * (gamma / std) + beta', () => {
    const [x, g, b, m, s] = ['x', 'g', 'b', 'm', 's'].map((n) => T.dvector(n));
    const f = theano.function([x!, g!, b!, m!, s!], T.batchNormalization(x!, g!, b!, m!, s!)) as unknown as (
      ...a: number[][]
    ) => NDArray;
    expect(f([3, 5], [2, 1], [1, 0], [1, 1], [4, 2]).toArray()).toEqual([2, 2]);
  });
});

describe('bad input', () => {
  test('parameter ranks, epsilon, axes, running averages', () => {
    const x = T.dtensor4('x');
    const v = T.dvector('v');
    expectBuildError(
      () => T.batchNormalizationTrain(x, T.dmatrix('g'), T.dmatrix('b'), { axes: 'spatial' }),
      "batchNormalizationTrain: gamma must have rank 1 (the input's axes that are not normalized) or 4 (the input's), like gamma; got float64 matrix",
    );
    expectBuildError(
      () => T.batchNormalizationTrain(x, v, v, { epsilon: 1e-6 }),
      'batchNormalizationTrain: epsilon must be at least 0.00001 (as Theano), got 0.000001',
    );
    expectBuildError(
      () => T.batchNormalizationTrain(x, v, v, { axes: [] }),
      'batchNormalizationTrain: there must be at least one normalization axis',
    );
    expectBuildError(
      () => T.batchNormalizationTrain(x, v, v, { axes: [4] }),
      'batchNormalizationTrain: axis 4 is out of range for a tensor of rank 4',
    );
    expectBuildError(
      () => T.batchNormalizationTrain(x, v, v, { runningMean: v }),
      'batchNormalizationTrain: runningMean and runningVar must both be given or both be left out',
    );
  });
});
