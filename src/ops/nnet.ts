/**
 * The nnet ops with their own evaluation: softmax and log-softmax along an axis, and the categorical
 * cross-entropy against integer class labels. (relu, elu, softsign, binary cross-entropy, the one-hot
 * cross-entropy and logsumexp are graphs of elementwise ops and reductions, built in `src/tensor/nnet.ts`.)
 */
import type { OpDef, OutputAllocator } from '../graph/op.js';
import { NDArray, shapeSize, shapeToString } from '../runtime/ndarray.js';
import { isInt, upgradeToFloat } from '../types/dtype.js';
import { TensorType, type StaticDim } from '../types/tensor-type.js';
import { axesOf } from './shape-facts.js';

export interface SoftmaxParams {
  /** The normalised (non-negative) axis the distribution runs along. */
  readonly axis: number;
}

function inferSoftmax(name: string, x: TensorType, axis: number): TensorType[] {
  if (x.ndim === 0) throw new TypeError(`${name}: needs an input of rank >= 1 to normalise along an axis, got ${x}`);
  if (!Number.isInteger(axis) || axis < 0 || axis >= x.ndim)
    throw new RangeError(`${name}: axis ${axis} is out of range for ${x}`);
  return [new TensorType(upgradeToFloat(x.dtype), x.shape)];
}

/**
 * softmax(x)_k = exp(x_k - m) / sum_j exp(x_j - m) and log_softmax(x)_k = x_k - m - log(sum_j exp(x_j - m)), with
 * m = max_j x_j: subtracting the max keeps every exponent <= 0, so nothing overflows and the largest term is 1
 * (the sum is in [1, n], its log finite). Computed in float64, stored in the output dtype.
 */
function evaluateSoftmax(
  x: NDArray,
  axis: number,
  outType: TensorType,
  log: boolean,
  alloc: OutputAllocator = NDArray.zeros,
): NDArray {
  const out = alloc(outType.dtype, x.shape);
  const len = x.shape[axis]!;
  const inner = shapeSize(x.shape.slice(axis + 1));
  const outer = shapeSize(x.shape.slice(0, axis));
  const src = x.contiguous().data as ArrayLike<number | bigint>;
  const dst = out.data as Float32Array | Float64Array;
  const row = new Float64Array(len);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      // NaN is skipped by `>` here, but x - max then carries it into the sum, so the whole row is NaN (as numpy)
      let max = -Infinity;
      for (let k = 0; k < len; k++) {
        const v = Number(src[base + k * inner]!);
        row[k] = v;
        if (v > max) max = v;
      }
      let sum = 0;
      for (let k = 0; k < len; k++) {
        row[k] = row[k]! - max;
        sum += Math.exp(row[k]!);
      }
      if (log) {
        const logSum = Math.log(sum);
        for (let k = 0; k < len; k++) dst[base + k * inner] = row[k]! - logSum;
      } else {
        for (let k = 0; k < len; k++) dst[base + k * inner] = Math.exp(row[k]!) / sum;
      }
    }
  }
  return out;
}

/** softmax along one axis: non-negative values summing to 1 along it. */
export const SOFTMAX: OpDef<SoftmaxParams> = {
  name: 'softmax',
  inferShape: (inputs) => [axesOf(inputs, 0)],
  inferType: ([x], p) => inferSoftmax('softmax', x!, p.axis),
  evaluate: ([x], p, [outType], alloc) => [evaluateSoftmax(x!, p.axis, outType!, false, alloc)],
  // d softmax: gx = (gz - sum(gz * sm, axis)) * sm
  pullback: ({ outputs: [sm], grads: [gz], params: { axis } }, T) =>
    gz ? [T.mul(T.sub(gz, T.sum(T.mul(gz, sm!), axis, { keepdims: true })), sm!)] : [null],
  print: { kind: 'call', args: (p) => [`axis=${p.axis}`] },
  paramsKey: (p) => `${p.axis}`,
};

/** log(softmax(x)) along one axis, computed directly (finite wherever softmax does not underflow to 0). */
export const LOG_SOFTMAX: OpDef<SoftmaxParams> = {
  name: 'log_softmax',
  inferShape: (inputs) => [axesOf(inputs, 0)],
  inferType: ([x], p) => inferSoftmax('logSoftmax', x!, p.axis),
  evaluate: ([x], p, [outType], alloc) => [evaluateSoftmax(x!, p.axis, outType!, true, alloc)],
  // d log softmax: gx = gz - softmax * sum(gz, axis), with softmax = exp(out)
  pullback: ({ outputs: [out], grads: [gz], params: { axis } }, T) =>
    gz ? [T.sub(gz, T.mul(T.exp(out!), T.sum(gz, axis, { keepdims: true })))] : [null],
  print: { kind: 'call', args: (p) => [`axis=${p.axis}`] },
  paramsKey: (p) => `${p.axis}`,
};

const shapeText = (shape: readonly StaticDim[]) =>
  `(${shape.map((d) => d ?? '?').join(', ')}${shape.length === 1 ? ',' : ''})`;

/**
 * Theano's `crossentropy_categorical_1hot`: out[r] = -log(coding[r, labels[r]]), where the classes run along
 * the last axis of `coding` and `labels` holds one integer class per row (its shape is coding's without the
 * last axis).
 */
export const CROSSENTROPY_CATEGORICAL_1HOT: OpDef<Record<string, never>> = {
  name: 'crossentropy_categorical_1hot',
  inferShape: (inputs) => [axesOf(inputs, 1)], // one cost per label
  inferType([coding, labels]) {
    const c = coding!;
    const y = labels!;
    if (c.ndim === 0)
      throw new TypeError(`categoricalCrossentropy: codingDist must have a class axis (rank >= 1), got ${c}`);
    if (!isInt(y.dtype)) throw new TypeError(`categoricalCrossentropy: class labels must be integers, got ${y}`);
    if (y.ndim !== c.ndim - 1) {
      throw new TypeError(
        `categoricalCrossentropy: class labels must have rank ${c.ndim - 1} (one per row of ${c}), got ${y}`,
      );
    }
    const shape = y.shape.map((d, i) => {
      const e = c.shape[i]!;
      if (d !== null && e !== null && d !== e) {
        throw new RangeError(
          `categoricalCrossentropy: labels of static shape ${shapeText(y.shape)} do not match the rows of codingDist ${shapeText(c.shape)}`,
        );
      }
      return d ?? e;
    });
    return [new TensorType(upgradeToFloat(c.dtype), shape)];
  },
  evaluate([coding, labels], _p, [outType]) {
    const c = coding!;
    const y = labels!;
    const rows = c.shape.slice(0, -1);
    if (y.shape.length !== rows.length || y.shape.some((d, i) => d !== rows[i])) {
      throw new RangeError(
        `categoricalCrossentropy: labels of shape ${shapeToString(y.shape)} do not match the rows of codingDist ${shapeToString(c.shape)}`,
      );
    }
    const classes = c.shape[c.shape.length - 1]!;
    const out = NDArray.zeros(outType!.dtype, rows);
    const dst = out.data as Float32Array | Float64Array;
    const src = c.contiguous().data as ArrayLike<number | bigint>;
    const labelData = y.data as ArrayLike<number | bigint>;
    for (let r = 0; r < out.size; r++) {
      const label = Number(labelData[y.flatIndex(r)]!);
      if (label < 0 || label >= classes) {
        throw new RangeError(
          `categoricalCrossentropy: label ${label} (row ${r}) is out of range for ${classes} classes`,
        );
      }
      dst[r] = -Math.log(Number(src[r * classes + label]!));
    }
    return [out];
  },
  // d(-log c[r, y_r]) / dc[r, k] = -1 / c[r, k] where k = y_r, 0 elsewhere; labels get none
  pullback: ({ inputs: [coding, labels], grads: [gz] }, T) => {
    if (!gz) return [null, null];
    const last = coding!.ndim - 1;
    const isLabel = T.eq(T.expandDims(labels!, -1), T.arange(T.shape(coding!, last)));
    return [T.switch(isLabel, T.neg(T.div(T.expandDims(gz, -1), coding!)), 0), null];
  },
  print: { kind: 'call', args: () => [] },
};
