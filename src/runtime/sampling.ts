/**
 * The samplers behind the random ops: tight loops over typed arrays that turn Philox words (src/runtime/philox.ts)
 * into draws from each distribution. Each takes a generator state (six uint32 words) and returns the next state
 * (the counter advanced past every block it read); nothing here mutates the state it is given.
 *
 * Word use, so a draw's numbers depend only on its state, shape and parameters:
 * - uniform float64: 2 words (53 bits) per number; uniform float32: 1 word (24 bits) per number;
 * - normal: one block (4 words) per pair of numbers, Box-Muller on two 53-bit uniforms;
 * - bernoulli (binomial with every n = 1): 1 word per number, a success when word < p 2^32;
 * - integers, general binomial, choice, permutation: a word stream read in order (rejection sampling takes a
 *   value-dependent number of words); the state advances past the last block read.
 */
import { advanceState, philoxBlock, PhiloxStream, toDouble, toFloat24 } from './philox.js';

/** A distribution parameter broadcast to the output: one value for all, or one per output element. */
export interface Param {
  readonly scalar: number;
  /** Per element (row-major over the output), or null when every element uses `scalar`. */
  readonly values: Float64Array | null;
}

/** Where a sampler writes: any typed array indexed by number (int64 outputs go through a Float64Array). */
export type NumberSink = { [i: number]: number; readonly length: number };

const CHUNK_BLOCKS = 256;
const chunk = new Uint32Array(CHUNK_BLOCKS * 4);

/**
 * Calls `visit(words, count, first)` for consecutive chunks of the `nBlocks` blocks starting at the state's counter:
 * `words[0..count)` are the words numbered `first..first+count` of the draw.
 */
function forEachChunk(
  state: Uint32Array,
  nBlocks: number,
  visit: (words: Uint32Array, count: number, first: number) => void,
): void {
  const k0 = state[0]!;
  const k1 = state[1]!;
  let c0 = state[2]!;
  let c1 = state[3]!;
  let c2 = state[4]!;
  let c3 = state[5]!;
  for (let done = 0; done < nBlocks;) {
    const blocks = Math.min(CHUNK_BLOCKS, nBlocks - done);
    for (let b = 0; b < blocks; b++) {
      philoxBlock(c0, c1, c2, c3, k0, k1, chunk, 4 * b);
      // the 128-bit counter + 1 (word 0 lowest)
      c0 = (c0 + 1) >>> 0;
      if (c0 === 0) {
        c1 = (c1 + 1) >>> 0;
        if (c1 === 0) {
          c2 = (c2 + 1) >>> 0;
          if (c2 === 0) c3 = (c3 + 1) >>> 0;
        }
      }
    }
    visit(chunk, 4 * blocks, 4 * done);
    done += blocks;
  }
}

/** Uniform on [low, high): low + (high - low) u, u with 53 bits (float64) or 24 bits (float32). */
export function sampleUniform(
  state: Uint32Array,
  out: NumberSink,
  n: number,
  low: Param,
  high: Param,
  float32: boolean,
): Uint32Array {
  const lows = low.values;
  const highs = high.values;
  const lo = low.scalar;
  const width = high.scalar - low.scalar;
  const perWord = float32 ? 1 : 2;
  const nBlocks = Math.ceil((n * perWord) / 4);
  forEachChunk(state, nBlocks, (w, count, first) => {
    const start = first / perWord;
    const end = Math.min(n, start + count / perWord);
    if (lows === null && highs === null) {
      if (float32) for (let i = start, j = 0; i < end; i++, j++) out[i] = lo + width * toFloat24(w[j]!);
      else for (let i = start, j = 0; i < end; i++, j += 2) out[i] = lo + width * toDouble(w[j]!, w[j + 1]!);
      return;
    }
    for (let i = start, j = 0; i < end; i++, j += perWord) {
      const a = lows ? lows[i]! : lo;
      const b = highs ? highs[i]! : high.scalar;
      const u = float32 ? toFloat24(w[j]!) : toDouble(w[j]!, w[j + 1]!);
      out[i] = a + (b - a) * u;
    }
  });
  return advanceState(state, nBlocks);
}

const TWO_PI = 2 * Math.PI;

/**
 * Normal: Box-Muller on one block: u1 = 1 - double(w0, w1) in (0, 1], u2 = double(w2, w3);
 * r = sqrt(-2 ln u1), z0 = r cos(2 pi u2), z1 = r sin(2 pi u2); out = loc + scale z.
 */
export function sampleNormal(state: Uint32Array, out: NumberSink, n: number, loc: Param, scale: Param): Uint32Array {
  const locs = loc.values;
  const scales = scale.values;
  const m = loc.scalar;
  const s = scale.scalar;
  const nBlocks = Math.ceil(n / 2);
  forEachChunk(state, nBlocks, (w, count, first) => {
    const start = first / 2;
    const end = Math.min(n, start + count / 2);
    for (let i = start, j = 0; i < end; i += 2, j += 4) {
      const r = Math.sqrt(-2 * Math.log(1 - toDouble(w[j]!, w[j + 1]!)));
      const theta = TWO_PI * toDouble(w[j + 2]!, w[j + 3]!);
      const z0 = r * Math.cos(theta);
      if (locs === null && scales === null) {
        out[i] = m + s * z0;
        if (i + 1 < end) out[i + 1] = m + s * r * Math.sin(theta);
      } else {
        out[i] = (locs ? locs[i]! : m) + (scales ? scales[i]! : s) * z0;
        if (i + 1 < end) out[i + 1] = (locs ? locs[i + 1]! : m) + (scales ? scales[i + 1]! : s) * r * Math.sin(theta);
      }
    }
  });
  return advanceState(state, nBlocks);
}

/** Bernoulli(p) as 0/1, one word each: 1 when word < p 2^32 (p resolved to 2^-32). */
export function sampleBernoulli(state: Uint32Array, out: NumberSink, n: number, p: Param): Uint32Array {
  const ps = p.values;
  const threshold = p.scalar * 4294967296;
  const nBlocks = Math.ceil(n / 4);
  forEachChunk(state, nBlocks, (w, count, first) => {
    const end = Math.min(n, first + count);
    if (ps === null) for (let i = first, j = 0; i < end; i++, j++) out[i] = w[j]! < threshold ? 1 : 0;
    else for (let i = first, j = 0; i < end; i++, j++) out[i] = w[j]! < ps[i]! * 4294967296 ? 1 : 0;
  });
  return advanceState(state, nBlocks);
}

/** Integers uniform on [low, high) (high - low <= 2^53), unbiased: masked rejection on the word stream. */
export function sampleIntegers(state: Uint32Array, out: NumberSink, n: number, low: Param, high: Param): Uint32Array {
  const stream = new PhiloxStream(state);
  const lows = low.values;
  const highs = high.values;
  for (let i = 0; i < n; i++) {
    const a = lows ? lows[i]! : low.scalar;
    const b = highs ? highs[i]! : high.scalar;
    out[i] = a + stream.below(b - a);
  }
  return advanceState(state, stream.blocks);
}

/** A standard normal from the stream (Box-Muller, the cosine half). */
function streamNormal(stream: PhiloxStream): number {
  return Math.sqrt(-2 * Math.log(stream.positiveDouble())) * Math.cos(TWO_PI * stream.double());
}

/** Gamma(alpha, 1) for alpha >= 1 (Marsaglia and Tsang, 2000: a squeeze, then the exact acceptance test). */
function streamGamma(stream: PhiloxStream, alpha: number): number {
  const d = alpha - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = streamNormal(stream);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = stream.positiveDouble();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Below this n (with p <= 1/2), binomial draws are by inversion; above, Knuth's beta splitting shrinks n first. */
const INVERSION_MAX_N = 40;

/**
 * Binomial(n, p) by inversion of the cdf (sequential search from 0 with the pmf recurrence
 * f(x) = f(x - 1) (n - x + 1) / x p / (1 - p)); p <= 1/2 and n <= 40, so f(0) = (1 - p)^n >= 2^-40.
 */
function binomialInversion(stream: PhiloxStream, n: number, p: number): number {
  const s = p / (1 - p);
  const a = (n + 1) * s;
  const f0 = Math.pow(1 - p, n);
  for (;;) {
    let u = stream.double();
    let f = f0;
    let x = 0;
    while (u >= f && x <= n) {
      u -= f;
      x++;
      f *= a / x - s;
    }
    if (x <= n) return x; // else rounding ran past n: draw again
  }
}

/**
 * Binomial(n, p), exact for any n (Knuth, TAOCP vol. 2, 3.4.1 F): while n is large, the a-th smallest of n
 * uniforms, X ~ Beta(a, n + 1 - a) with a = 1 + floor(n / 2), splits the count: if X >= p the successes are
 * Binomial(a - 1, p / X), else a + Binomial(n - a, (p - X) / (1 - X)). Then inversion. For p > 1/2 it counts the
 * failures.
 */
export function binomialDraw(stream: PhiloxStream, n: number, p: number): number {
  if (n === 0 || p === 0) return 0;
  if (p === 1) return n;
  const flip = p > 0.5;
  let q = flip ? 1 - p : p;
  let m = n;
  let k = 0;
  while (m > INVERSION_MAX_N) {
    const a = 1 + Math.floor(m / 2);
    const b = m + 1 - a;
    const ga = streamGamma(stream, a);
    const x = ga / (ga + streamGamma(stream, b));
    if (x >= q) {
      m = a - 1;
      q = q / x;
    } else {
      k += a;
      m = b - 1;
      q = (q - x) / (1 - x);
    }
  }
  if (q > 0.5) k += m - binomialInversion(stream, m, 1 - q);
  else if (q > 0) k += binomialInversion(stream, m, q);
  return flip ? n - k : k;
}

/** Binomial(n, p) per element on the word stream. */
export function sampleBinomial(state: Uint32Array, out: NumberSink, size: number, n: Param, p: Param): Uint32Array {
  const stream = new PhiloxStream(state);
  const ns = n.values;
  const ps = p.values;
  for (let i = 0; i < size; i++) out[i] = binomialDraw(stream, ns ? ns[i]! : n.scalar, ps ? ps[i]! : p.scalar);
  return advanceState(state, stream.blocks);
}

/** The first `k` entries of a uniformly random permutation of 0..n-1 (a partial Fisher-Yates shuffle). */
export function samplePermutation(
  state: Uint32Array,
  n: number,
  k: number,
): { state: Uint32Array; order: Float64Array } {
  const stream = new PhiloxStream(state);
  const order = new Float64Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = 0; i < k && i < n - 1; i++) {
    const j = i + stream.below(n - i);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  return { state: advanceState(state, stream.blocks), order: k === n ? order : order.slice(0, k) };
}

/** `k` indices drawn with replacement from 0..n-1, uniformly or with probabilities `cdf` (cumulative, last = 1). */
export function sampleIndices(
  state: Uint32Array,
  out: NumberSink,
  k: number,
  n: number,
  cdf: Float64Array | null,
): Uint32Array {
  const stream = new PhiloxStream(state);
  if (cdf === null) for (let i = 0; i < k; i++) out[i] = stream.below(n);
  else
    for (let i = 0; i < k; i++) {
      const u = stream.double();
      // the first index whose cdf exceeds u (a zero-probability index never is: its cdf equals the one before)
      let lo = 0;
      let hi = n - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cdf[mid]! > u) hi = mid;
        else lo = mid + 1;
      }
      out[i] = lo;
    }
  return advanceState(state, stream.blocks);
}

/**
 * `k` distinct indices drawn with probabilities `p` without replacement, in draw order (Efraimidis and Spirakis,
 * 2006: with E_i exponential, the order of E_i / p_i is the order of successive draws proportional to the
 * remaining weights). Indices with p = 0 are never drawn; the caller checks k <= their count.
 */
export function sampleWeightedWithoutReplacement(
  state: Uint32Array,
  out: NumberSink,
  k: number,
  p: Float64Array,
): Uint32Array {
  const stream = new PhiloxStream(state);
  const candidates: number[] = [];
  const keys = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) {
    if (!(p[i]! > 0)) continue;
    keys[i] = -Math.log(stream.positiveDouble()) / p[i]!;
    candidates.push(i);
  }
  candidates.sort((a, b) => keys[a]! - keys[b]! || a - b);
  for (let i = 0; i < k; i++) out[i] = candidates[i]!;
  return advanceState(state, stream.blocks);
}
