/**
 * Every sampler against its distribution at fixed seeds: moments within bounds from the sample size,
 * Kolmogorov-Smirnov for the continuous ones, chi-square for the discrete ones (thresholds in ./stats.ts).
 */
import { describe, expect, it } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';
import { binomialPmf, expectChiSquare, expectKs, expectMoments, histogram, normalCdf } from './stats.js';

const T = theano.tensor;
const N = 100_000;

/** The values of one draw, as numbers. */
function drawOnce(sample: Tensor): number[] {
  const out = theano.function([], sample)() as unknown as NDArray;
  return Array.from(out.data as ArrayLike<number | bigint>, Number);
}

describe('uniform', () => {
  it.each(['float64', 'float32'] as const)('%s on [2, 5): range, moments, KS', (dtype) => {
    const srng = new theano.RandomStreams(11);
    const xs = drawOnce(srng.uniform([N], { low: 2, high: 5, dtype }));
    expect(xs.every((x) => x >= 2 && x < 5)).toBe(true);
    expectMoments(xs, 3.5, 0.75, (9 / 80) * 9); // uniform mu4 = w^4 / 80
    expectKs(xs, (x) => (x - 2) / 3);
  });

  it('broadcasts array bounds against the size (a bound per column)', () => {
    const srng = new theano.RandomStreams(12);
    const low = T.constant([0, 10, 100]);
    const xs = drawOnce(srng.uniform([20000, 3], { low, high: low.add(1) }));
    for (let c = 0; c < 3; c++) {
      const col = xs.filter((_, i) => i % 3 === c);
      const lo = [0, 10, 100][c]!;
      expect(col.every((x) => x >= lo && x < lo + 1)).toBe(true);
      expectKs(col, (x) => x - lo);
    }
  });
});

describe('normal', () => {
  it('float64 with loc 1, scale 2: moments and KS', () => {
    const srng = new theano.RandomStreams(21);
    const xs = drawOnce(srng.normal([N], { avg: 1, std: 2 }));
    expectMoments(xs, 1, 4);
    expectKs(xs, (x) => normalCdf((x - 1) / 2));
  });

  it('float32 numbers are the float64 numbers of the same state, rounded', () => {
    const a = drawOnce(new theano.RandomStreams(22).normal([1001], { loc: -3, scale: 0.5 }));
    const b = drawOnce(new theano.RandomStreams(22).normal([1001], { loc: -3, scale: 0.5, dtype: 'float32' }));
    expect(b).toEqual(a.map(Math.fround));
    expectKs(b, (x) => normalCdf((x + 3) / 0.5));
  });

  it('a column of means and a row of scales broadcast against the size', () => {
    const srng = new theano.RandomStreams(23);
    const loc = T.constant([[-5], [5]]);
    const scale = T.constant([1, 3]);
    const xs = drawOnce(
      srng.normal([2, 2, 20000], { loc: loc.dimshuffle(0, 1, 'x'), scale: scale.dimshuffle(0, 'x') }),
    );
    const block = (i: number, j: number) => xs.slice((i * 2 + j) * 20000, (i * 2 + j + 1) * 20000);
    for (const i of [0, 1])
      for (const j of [0, 1]) {
        const m = i === 0 ? -5 : 5;
        const s = j === 0 ? 1 : 3;
        expectMoments(block(i, j), m, s * s);
      }
  });
});

describe('binomial and bernoulli', () => {
  it('bernoulli(p = 0.3): chi-square and mean', () => {
    const xs = drawOnce(new theano.RandomStreams(31).bernoulli([N], { p: 0.3 }));
    expectChiSquare(histogram(xs, 2), [0.7, 0.3]);
    expectMoments(xs, 0.3, 0.21, 0.21 * (1 - 3 * 0.21));
  });

  it('a float32 dropout mask: 0/1 in float32, keep rate p', () => {
    const srng = new theano.RandomStreams(32);
    const mask = srng.binomial([200, 500], { p: 0.8, dtype: 'float32' });
    expect(mask.dtype).toBe('float32');
    const xs = drawOnce(mask);
    expectChiSquare(histogram(xs, 2), [0.2, 0.8]);
  });

  it('per-element p broadcast against the size', () => {
    const p = T.constant([0.1, 0.5, 0.95]);
    const xs = drawOnce(new theano.RandomStreams(33).bernoulli([30000, 3], { p }));
    [0.1, 0.5, 0.95].forEach((q, c) => {
      const col = xs.filter((_, i) => i % 3 === c);
      expectChiSquare(histogram(col, 2), [1 - q, q]);
    });
  });

  it.each([
    [10, 0.3],
    [100, 0.9],
    [1000, 0.4],
    [5000, 0.02],
    [123457, 0.5],
  ])('binomial(n = %d, p = %d): chi-square against the pmf, mean and variance', (n, p) => {
    const size = 40000;
    const xs = drawOnce(new theano.RandomStreams(34 + n).binomial([size], { n, p }));
    expect(xs.every((x) => Number.isInteger(x) && x >= 0 && x <= n)).toBe(true);
    expectMoments(xs, n * p, n * p * (1 - p), n * p * (1 - p) * (1 + 3 * (n - 2) * p * (1 - p)));
    if (n <= 5000) expectChiSquare(histogram(xs, n + 1), binomialPmf(n, p));
  });

  it('p = 0 and p = 1 are certain; n = 0 gives 0', () => {
    const srng = new theano.RandomStreams(35);
    expect(drawOnce(srng.binomial([5], { n: 7, p: 0 }))).toEqual([0, 0, 0, 0, 0]);
    expect(drawOnce(srng.binomial([5], { n: 7, p: 1 }))).toEqual([7, 7, 7, 7, 7]);
    expect(drawOnce(srng.binomial([3], { n: 0, p: 0.5 }))).toEqual([0, 0, 0]);
    expect(drawOnce(srng.bernoulli([4], { p: 1 }))).toEqual([1, 1, 1, 1]);
  });
});

describe('integers', () => {
  it('[-3, 4): uniform over the 7 values (chi-square), int64 by default', () => {
    const sample = new theano.RandomStreams(41).integers(-3, 4, [70000]);
    expect(sample.dtype).toBe('int64');
    const xs = drawOnce(sample);
    expectChiSquare(histogram(xs, 7, -3), new Array(7).fill(1 / 7));
  });

  it('a range that is not a power of two has no modulo bias (3 values from 2^32 words)', () => {
    // with plain word % 3 the bias would be 2^-32: invisible; a range of 3 * 2^30 makes modulo bias 1/3 visible
    const xs = drawOnce(new theano.RandomStreams(42).integers(0, 3 * 2 ** 30, [60000], { dtype: 'int64' }));
    // thirds of the range are equally likely (a modulo of one word would put half the mass in the first third)
    expectChiSquare(
      histogram(
        xs.map((x) => Math.floor(x / 2 ** 30)),
        3,
      ),
      [1 / 3, 1 / 3, 1 / 3],
    );
  });

  it('ranges beyond 2^32 and small dtypes', () => {
    const srng = new theano.RandomStreams(43);
    const big = drawOnce(srng.integers(0, 2 ** 50, [20000]));
    expect(big.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 50)).toBe(true);
    expectKs(big, (x) => x / 2 ** 50);
    const small = srng.integers(-128, 128, [25600], { dtype: 'int8' });
    expect(small.dtype).toBe('int8');
    expectChiSquare(histogram(drawOnce(small), 256, -128), new Array(256).fill(1 / 256));
  });
});

describe('choice and permutation', () => {
  it('with replacement and p: chi-square against p', () => {
    const p = [0.1, 0.2, 0.3, 0.4, 0];
    const xs = drawOnce(new theano.RandomStreams(51).choice(5, [50000], { p }));
    expectChiSquare(histogram(xs, 5).slice(0, 4), p.slice(0, 4));
    expect(xs.includes(4)).toBe(false);
  });

  it('from a vector population: its elements', () => {
    const a = T.constant([2.5, -1, 7]);
    const xs = drawOnce(new theano.RandomStreams(52).choice(a, [30000]));
    expectChiSquare(
      histogram(
        xs.map((x) => [2.5, -1, 7].indexOf(x)),
        3,
      ),
      [1 / 3, 1 / 3, 1 / 3],
    );
  });

  /** Runs `sample` (a vector) `calls` times through one compiled function (its state advances each call). */
  function repeat(sample: Tensor, calls: number): number[][] {
    const f = theano.function([], sample);
    return Array.from({ length: calls }, () =>
      Array.from((f() as unknown as NDArray).data as ArrayLike<number | bigint>, Number),
    );
  }

  it('without replacement: distinct elements; the first position is uniform', () => {
    const rows = repeat(new theano.RandomStreams(53).choice(10, [4], { replace: false }), 5000);
    for (const r of rows) expect(new Set(r).size).toBe(4);
    expectChiSquare(
      histogram(
        rows.map((r) => r[0]!),
        10,
      ),
      new Array(10).fill(0.1),
    );
    expectChiSquare(
      histogram(
        rows.map((r) => r[3]!),
        10,
      ),
      new Array(10).fill(0.1),
    );
  });

  it('without replacement and p: distinct, the first pick follows p, zero-probability never drawn', () => {
    const p = [0.5, 0.25, 0.125, 0.125, 0];
    const rows = repeat(new theano.RandomStreams(54).choice(5, [3], { replace: false, p }), 5000);
    for (const r of rows) {
      expect(new Set(r).size).toBe(3);
      expect(r.includes(4)).toBe(false);
    }
    expectChiSquare(
      histogram(
        rows.map((r) => r[0]!),
        4,
      ),
      p.slice(0, 4),
    );
    // the second pick given the first was 0: proportional to the rest (0.25, 0.125, 0.125) / 0.5
    const second = rows.filter((r) => r[0] === 0).map((r) => r[1]!);
    expectChiSquare(histogram(second, 4).slice(1), [0.5, 0.25, 0.25]);
  });

  it('permutation(n): each element once; the first position is uniform', () => {
    const rows = repeat(new theano.RandomStreams(55).permutation(8), 4000);
    for (const r of rows) expect([...r].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expectChiSquare(
      histogram(
        rows.map((r) => r[0]!),
        8,
      ),
      new Array(8).fill(1 / 8),
    );
    expectChiSquare(
      histogram(
        rows.map((r) => r[7]!),
        8,
      ),
      new Array(8).fill(1 / 8),
    );
  });

  it('permutation(x) shuffles the rows of a matrix, keeping each row whole', () => {
    const x = T.dmatrix('x');
    const f = theano.function([x], new theano.RandomStreams(56).permutation(x));
    const rows = [
      [1, 2],
      [3, 4],
      [5, 6],
      [7, 8],
    ];
    const out = (f(rows) as unknown as NDArray).toArray() as number[][];
    expect([...out].sort((a, b) => a[0]! - b[0]!)).toEqual(rows);
  });
});
