/**
 * Statistics for the distribution tests, written from the textbook formulas (no shared code with the samplers):
 * moments with tolerances from the sample size, the Kolmogorov-Smirnov statistic, and Pearson's chi-square with
 * a critical value. The seeds are fixed, so each test is deterministic; the thresholds sit at a tail probability
 * of about 1e-4 so that a correct sampler passes for any seed one might pick.
 */
import { expect } from 'vitest';

/** mean within 5 standard errors, variance within 5 standard errors of the sample variance. */
export function expectMoments(xs: ArrayLike<number>, mean: number, variance: number, fourthCentral?: number): void {
  const n = xs.length;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i]!;
  const m = s / n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (xs[i]! - m) ** 2;
  v /= n - 1;
  expect(Math.abs(m - mean)).toBeLessThan(5 * Math.sqrt(variance / n) + 1e-12);
  // Var(sample variance) ~ (mu4 - sigma^4) / n; 3 sigma^4 (the normal's mu4) when not given
  const mu4 = fourthCentral ?? 3 * variance * variance;
  expect(Math.abs(v - variance)).toBeLessThan(5 * Math.sqrt((mu4 - variance * variance) / n) + 1e-12);
}

/** The Kolmogorov-Smirnov distance between the sample and `cdf`, and the critical value at alpha = 1e-4. */
export function ksTest(xs: ArrayLike<number>, cdf: (x: number) => number): { d: number; critical: number } {
  const sorted = Float64Array.from(xs).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]!);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  // c(alpha) = sqrt(-ln(alpha / 2) / 2)
  return { d, critical: Math.sqrt(-Math.log(1e-4 / 2) / 2) / Math.sqrt(n) };
}

/**
 * Pearson's chi-square of observed counts against expected probabilities (bins with expected count under 5 are
 * pooled into their neighbour), and the critical value at alpha ~ 1e-4 (Wilson-Hilferty).
 */
export function chiSquare(
  counts: readonly number[],
  probabilities: readonly number[],
): { stat: number; critical: number } {
  const total = counts.reduce((a, b) => a + b, 0);
  const obs: number[] = [];
  const exp: number[] = [];
  let o = 0;
  let e = 0;
  counts.forEach((c, i) => {
    o += c;
    e += probabilities[i]! * total;
    if (e >= 5) {
      obs.push(o);
      exp.push(e);
      o = 0;
      e = 0;
    }
  });
  if (exp.length > 0) {
    obs[obs.length - 1]! += o;
    exp[exp.length - 1]! += e;
  }
  let stat = 0;
  obs.forEach((c, i) => (stat += (c - exp[i]!) ** 2 / exp[i]!));
  const k = obs.length - 1;
  const z = 3.719; // the standard normal's 1 - 1e-4 quantile
  const critical = k * (1 - 2 / (9 * k) + z * Math.sqrt(2 / (9 * k))) ** 3;
  return { stat, critical };
}

export function expectChiSquare(counts: readonly number[], probabilities: readonly number[]): void {
  const { stat, critical } = chiSquare(counts, probabilities);
  expect(stat).toBeLessThan(critical);
}

export function expectKs(xs: ArrayLike<number>, cdf: (x: number) => number): void {
  const { d, critical } = ksTest(xs, cdf);
  expect(d).toBeLessThan(critical);
}

/** The standard normal cdf via erfc (W. J. Cody's rational approximations are overkill; this is accurate to 1e-7). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** erfc with fractional error below 1.2e-7 (the Chebyshev fit of Numerical Recipes, 6.2). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

/** The binomial pmf, by logs of factorials summed directly. */
export function binomialPmf(n: number, p: number): number[] {
  const logFact = [0];
  for (let i = 1; i <= n; i++) logFact.push(logFact[i - 1]! + Math.log(i));
  return Array.from({ length: n + 1 }, (_, k) =>
    Math.exp(logFact[n]! - logFact[k]! - logFact[n - k]! + k * Math.log(p) + (n - k) * Math.log1p(-p)),
  );
}

/** Counts of each integer value 0..bins-1 (offset subtracted). */
export function histogram(xs: ArrayLike<number | bigint>, bins: number, offset = 0): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < xs.length; i++) {
    const k = Number(xs[i]!) - offset;
    if (!Number.isInteger(k) || k < 0 || k >= bins)
      throw new Error(`value ${xs[i]} outside 0..${bins - 1} (+${offset})`);
    counts[k]!++;
  }
  return counts;
}
