/**
 * Neural-network basics (Theano's `T.nnet`): softmax and log-softmax, relu, elu, softsign, binary and
 * categorical cross-entropy, and logsumexp. Every result is float (integers upgrade as `T.exp` does).
 *
 * @example
 * const x = T.dmatrix('x');
 * const y = T.ivector('y');
 * const loss = T.categoricalCrossentropy(T.softmax(x), y).mean(); // Tensor<"float64", 0>
 */
import { CROSSENTROPY_CATEGORICAL_1HOT, LOG_SOFTMAX, SOFTMAX } from '../ops/nnet.js';
import { normalizeAxes, normalizeAxis } from './axis.js';
import {
  isInt,
  upcast,
  upgradeToFloat,
  type DType,
  type IntDType,
  type Upcast,
  type UpgradeToFloat,
} from '../types/dtype.js';
import type { Axis, Dec, MaxRank, Rank } from '../types/rank.js';
import { applyOp } from './apply.js';
import { dropout } from './dropout.js';
import {
  abs,
  add,
  cast,
  dimshuffle,
  div,
  expm1,
  exp,
  gt,
  isinf,
  log,
  maximum,
  mul,
  neg,
  sigmoid,
  softplus,
  sub,
  switch_,
} from './elemwise.js';
import { max, sum, type AxisArg, type ReduceOptions, type ReducedRank } from './reduce.js';
import type { Tensor } from './tensor.js';
import { conv2d, conv2dGradWeights, conv2dTranspose } from './conv.js';
import { pool2d } from './pool.js';
import { batchNormalization, batchNormalizationTest, batchNormalizationTrain } from './batchnorm.js';

/** `x` as the float dtype `dtype` (itself when it already is). */
function asFloat(x: Tensor, dtype: DType = upgradeToFloat(x.dtype)): Tensor {
  return x.dtype === dtype ? x : (cast(x, dtype) as Tensor);
}

function softmaxAxis(name: string, x: Tensor, axis: number | undefined): number {
  if (x.ndim === 0)
    throw new TypeError(`${name}: needs an input of rank >= 1 to normalise along an axis, got ${x.type}`);
  return normalizeAxis(axis ?? -1, x.ndim, name);
}

/**
 * The softmax along `axis` (the last by default): `exp(x) / sum(exp(x), axis)`, computed as
 * `exp(x - max) / sum(exp(x - max))` so that no input magnitude overflows.
 *
 * @example
 * T.softmax(T.dmatrix('x'));    // rows sum to 1: Tensor<"float64", 2>
 * T.softmax(T.dmatrix('x'), 0); // columns sum to 1
 */
export function softmax<D extends DType, R extends Rank>(
  x: Tensor<D, R>,
  axis?: Axis<R>,
): Tensor<UpgradeToFloat<D>, R> {
  return applyOp(SOFTMAX, { axis: softmaxAxis('softmax', x, axis) }, [x])[0] as never;
}

/**
 * `log(softmax(x, axis))`, computed directly as `x - max - log(sum(exp(x - max)))`: finite wherever the softmax
 * is not 0 even for huge inputs, where `log(softmax(x))` would round to `log(0) = -Infinity`.
 * @example T.logSoftmax(m)
 */
export function logSoftmax<D extends DType, R extends Rank>(
  x: Tensor<D, R>,
  axis?: Axis<R>,
): Tensor<UpgradeToFloat<D>, R> {
  return applyOp(LOG_SOFTMAX, { axis: softmaxAxis('logSoftmax', x, axis) }, [x])[0] as never;
}

/**
 * The rectifier `max(x, 0)`; with `alpha`, Theano's leaky relu: `x` where `x > 0`, else `alpha * x`.
 *
 * @example
 * T.relu(x);      // max(x, 0)
 * T.relu(x, 0.1); // leaky: 0.1 * x for negative x
 */
export function relu<D extends DType, R extends Rank>(x: Tensor<D, R>, alpha = 0): Tensor<UpgradeToFloat<D>, R> {
  if (typeof alpha !== 'number') throw new TypeError(`relu: alpha must be a number, got ${typeof alpha}`);
  const xf = asFloat(x);
  if (alpha === 0) return maximum(xf, 0) as never;
  return switch_(gt(xf, 0), xf, mul(xf, alpha)) as never;
}

/**
 * `x / (1 + |x|)`: a sigmoid-shaped curve into (-1, 1).
 * @example T.softsign(x)
 */
export function softsign<D extends DType, R extends Rank>(x: Tensor<D, R>): Tensor<UpgradeToFloat<D>, R> {
  const xf = asFloat(x);
  return div(xf, add(1, abs(xf))) as never;
}

/**
 * The exponential linear unit: `x` where `x > 0`, else `alpha * (exp(x) - 1)` (with `expm1`, exact near 0).
 * @example T.elu(x, 1.0)
 */
export function elu<D extends DType, R extends Rank>(x: Tensor<D, R>, alpha = 1): Tensor<UpgradeToFloat<D>, R> {
  if (typeof alpha !== 'number') throw new TypeError(`elu: alpha must be a number, got ${typeof alpha}`);
  const xf = asFloat(x);
  const negative = alpha === 1 ? expm1(xf) : mul(alpha, expm1(xf));
  return switch_(gt(xf, 0), xf, negative) as never;
}

/** The float dtype both operands of a cross-entropy are computed in. */
export type CrossentropyDType<A extends DType, B extends DType> = Upcast<UpgradeToFloat<A>, UpgradeToFloat<B>>;

/**
 * `-(target * log(output) + (1 - target) * log(1 - output))` elementwise, with broadcasting: the cross-entropy
 * of predicted probabilities `output` against targets in [0, 1].
 * @example T.binaryCrossentropy(T.sigmoid(z), t).mean()
 */
export function binaryCrossentropy<DO extends DType, RO extends Rank, DT extends DType, RT extends Rank>(
  output: Tensor<DO, RO>,
  target: Tensor<DT, RT>,
): Tensor<CrossentropyDType<DO, DT>, MaxRank<RO, RT>> {
  const dtype = upcast(upgradeToFloat(output.dtype), upgradeToFloat(target.dtype));
  const o = asFloat(output, dtype);
  const t = asFloat(target, dtype);
  return neg(add(mul(t, log(o)), mul(sub(1, t), log(sub(1, o))))) as never;
}

/**
 * The cross-entropy between a predicted distribution over the last axis of `codingDist` (e.g. softmax rows) and
 * the truth, as Theano's: with integer class labels (`trueDist` has one rank fewer),
 * `-log(codingDist[i, label_i])` per row; with a distribution of the same rank (one-hot or soft targets),
 * `-sum(trueDist * log(codingDist), axis=-1)`. The class axis is dropped.
 *
 * @example
 * T.categoricalCrossentropy(T.softmax(scores), T.ivector('y')); // Tensor<"float64", 1>
 * T.categoricalCrossentropy(T.softmax(scores), T.dmatrix('t')); // the same with one-hot rows
 */
export function categoricalCrossentropy<D extends DType, R extends Rank>(
  codingDist: Tensor<D, R>,
  trueDist: Tensor<IntDType, Dec<R>>,
): Tensor<UpgradeToFloat<D>, Dec<R>>;
export function categoricalCrossentropy<D extends DType, R extends Rank, DT extends DType>(
  codingDist: Tensor<D, R>,
  trueDist: Tensor<DT, NoInfer<R>>,
): Tensor<Upcast<DT, UpgradeToFloat<D>>, Dec<R>>;
export function categoricalCrossentropy(codingDist: Tensor, trueDist: Tensor): Tensor {
  if (codingDist.ndim === 0)
    throw new TypeError(
      `categoricalCrossentropy: codingDist must have a class axis (rank >= 1), got ${codingDist.type}`,
    );
  if (trueDist.ndim === codingDist.ndim) return neg(sum(mul(trueDist, log(asFloat(codingDist))), -1)) as Tensor;
  if (trueDist.ndim === codingDist.ndim - 1 && isInt(trueDist.dtype)) {
    return applyOp(CROSSENTROPY_CATEGORICAL_1HOT, {}, [codingDist, trueDist])[0]!;
  }
  throw new TypeError(
    `categoricalCrossentropy: trueDist must be integer class labels of rank ${codingDist.ndim - 1} or a distribution of rank ${codingDist.ndim} ` +
      `(like codingDist, ${codingDist.type}), got ${trueDist.type}`,
  );
}

/**
 * `log(sum(exp(x), axis))`, computed as `m + log(sum(exp(x - m), axis))` with `m = max(x, axis)` so that large
 * inputs do not overflow (`logsumexp([1000, 1000])` is `1000 + log 2`, not Infinity). Axes as in `T.sum`.
 * @example T.logsumexp(m, 1)
 */
export function logsumexp<
  D extends DType,
  R extends Rank,
  const A extends AxisArg<R> = null,
  K extends boolean = false,
>(x: Tensor<D, R>, axis?: A, options: ReduceOptions<K> = {}): Tensor<UpgradeToFloat<D>, ReducedRank<R, A, K>> {
  const keepdims = options.keepdims ?? false;
  const axes = normalizeAxes(axis as number | readonly number[] | null | undefined, x.ndim, 'logsumexp');
  const xf = asFloat(x);
  const m = max(xf, axes as never, { keepdims: true }) as Tensor;
  // An infinite max (a row of -Infinity, or a +Infinity) would make x - m NaN; shifting by 0 there is exact.
  const shift = switch_(isinf(m), 0, m) as Tensor;
  const logSum = log(sum(exp(sub(xf, shift)), axes as never, { keepdims }));
  const kept = Array.from({ length: x.ndim }, (_, i) => i).filter((i) => !axes.includes(i));
  return add(logSum, keepdims ? shift : dimshuffle(shift, kept)) as never;
}

/**
 * Theano's `T.nnet` namespace, with its snake_case names beside the camelCase ones.
 * @example T.nnet.categorical_crossentropy(p, y)
 */
export const nnet = {
  softmax,
  logSoftmax,
  logsoftmax: logSoftmax,
  log_softmax: logSoftmax,
  relu,
  elu,
  softsign,
  sigmoid,
  softplus,
  binaryCrossentropy,
  binary_crossentropy: binaryCrossentropy,
  categoricalCrossentropy,
  categorical_crossentropy: categoricalCrossentropy,
  logsumexp,
  dropout,
  conv2d,
  conv2dTranspose,
  conv2d_transpose: conv2dTranspose,
  conv2dGradWeights,
  conv2d_grad_wrt_weights: conv2dGradWeights,
  pool2d,
  pool_2d: pool2d,
  batchNormalization,
  batch_normalization: batchNormalization,
  batchNormalizationTrain,
  batch_normalization_train: batchNormalizationTrain,
  batchNormalizationTest,
  batch_normalization_test: batchNormalizationTest,
};
