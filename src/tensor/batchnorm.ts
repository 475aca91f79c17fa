/**
 * Batch normalization (Theano's `T.nnet.bn`): `batchNormalization` (the elementwise formula with given mean and
 * std), `batchNormalizationTrain` (normalizes with the batch's statistics and returns the new running averages)
 * and `batchNormalizationTest` (normalizes with given statistics, usually the running averages). All three are
 * graphs of existing ops (mean, var, sqrt, arithmetic, dimshuffle), so their gradients come from those ops.
 *
 * @example
 * const x = T.dtensor4('x');                  // (batch, channels, rows, cols)
 * const gamma = T.dvector('gamma');           // one per channel
 * const beta = T.dvector('beta');
 * const [out, mean, invstd] = T.batchNormalizationTrain(x, gamma, beta, { axes: 'spatial' });
 */
import { checkOptionKeys } from '../types/suggest.js';
import { normalizeAxis } from './axis.js';
import { upcast, upgradeToFloat, type DType, type UpgradeToFloat, type Upcast } from '../types/dtype.js';
import type { Rank } from '../types/rank.js';
import { add, cast, dimshuffle, div, mul, sqrt, sub } from './elemwise.js';
import { mean, variance } from './reduce.js';
import { shape } from './shape.js';
import type { Tensor } from './tensor.js';

/** Which axes the statistics are taken over: `'per-activation'` (axis 0), `'spatial'` (0 and 2..), or a list. */
export type BatchNormAxes = 'per-activation' | 'spatial' | readonly number[];

export interface BatchNormTrainOptions<DP extends DType = DType, P extends Rank = Rank> {
  /** Default `'per-activation'`. */
  readonly axes?: BatchNormAxes;
  /** Added to the variance before the square root; at least 1e-5 (as Theano, imposed by cuDNN); default 1e-4. */
  readonly epsilon?: number;
  /** How far the running averages move toward the batch statistics; default 0.1. */
  readonly runningAverageFactor?: number;
  /** The running mean (shaped as gamma): with `runningVar`, the result also holds the updated averages. */
  readonly runningMean?: Tensor<DP, P>;
  readonly runningVar?: Tensor<DP, P>;
}

export interface BatchNormTestOptions {
  readonly axes?: BatchNormAxes;
  readonly epsilon?: number;
}

/** The float dtype of a batch norm of `D` inputs with `DP` parameters. */
export type BatchNormDType<D extends DType, DP extends DType> = UpgradeToFloat<Upcast<D, DP>>;

const EPSILON_MIN = 1e-5;

/** Theano's _prepare_batch_normalization_axes: the sorted normalized axes and the others. */
function prepareAxes(op: string, axes: BatchNormAxes, ndim: number): { axes: number[]; kept: number[] } {
  let list: number[];
  if (axes === 'per-activation') list = [0];
  else if (axes === 'spatial') list = [0, ...Array.from({ length: Math.max(0, ndim - 2) }, (_, i) => i + 2)];
  else if (Array.isArray(axes)) list = axes.map((a) => normalizeAxis(a as number, ndim, op));
  else throw new TypeError(`${op}: axes must be 'per-activation', 'spatial' or a list of axes, got ${String(axes)}`);
  list = [...new Set(list)].sort((a, b) => a - b);
  if (list.length === 0) throw new RangeError(`${op}: there must be at least one normalization axis`);
  return { axes: list, kept: Array.from({ length: ndim }, (_, i) => i).filter((i) => !list.includes(i)) };
}

/**
 * Parameters as full-rank tensors broadcasting against the input: a parameter of rank ndim - len(axes) gets
 * length-1 axes inserted at the normalized axes; a full-rank one is used as it is.
 */
function broadcastParams(
  op: string,
  ndim: number,
  axes: readonly number[],
  kept: readonly number[],
  params: Record<string, Tensor>,
) {
  const first = Object.values(params)[0]!;
  const reduced = first.ndim !== ndim;
  const want = reduced ? kept.length : ndim;
  for (const [name, p] of Object.entries(params))
    if (p.ndim !== want)
      throw new TypeError(
        `${op}: ${name} must have rank ${kept.length} (the input's axes that are not normalized) or ${ndim} (the input's), ` +
          `like ${Object.keys(params)[0]}; got ${p.type}`,
      );
  const pattern = Array.from({ length: ndim }, (_, i) => (axes.includes(i) ? 'x' : kept.indexOf(i)));
  const full = (p: Tensor) => (reduced ? (dimshuffle(p, pattern as never) as Tensor) : p);
  return { full, reduced };
}

function checkEpsilon(op: string, epsilon: number): void {
  if (typeof epsilon !== 'number' || !(epsilon >= EPSILON_MIN))
    throw new RangeError(`${op}: epsilon must be at least ${EPSILON_MIN} (as Theano), got ${epsilon}`);
}

const asDtype = (x: Tensor, dtype: DType): Tensor => (x.dtype === dtype ? x : (cast(x, dtype) as Tensor));

/**
 * Theano's `batch_normalization`: `(inputs - mean) * (gamma / std) + beta`, elementwise with broadcasting.
 *
 * @example
 * T.batchNormalization(x, gamma, beta, T.mean(x, 0, { keepdims: true }), T.std(x, 0, { keepdims: true }));
 */
export function batchNormalization<D extends DType, R extends Rank>(
  inputs: Tensor<D, R>,
  gamma: Tensor,
  beta: Tensor,
  mean: Tensor,
  std: Tensor,
): Tensor<UpgradeToFloat<D>, R> {
  return add(mul(sub(inputs, mean), div(gamma, std)), beta) as never;
}

/**
 * Theano's `batch_normalization_train`: normalizes `inputs` with the mean and (biased) variance over `axes`:
 * `out = (inputs - mean) * gamma * invstd + beta` with `invstd = 1 / sqrt(var + epsilon)`. Returns
 * `[out, mean, invstd]`, and when `runningMean` and `runningVar` are given also
 * `newRunningMean = runningMean * (1 - f) + mean * f` and `newRunningVar = runningVar * (1 - f) + m / (m - 1) *
 * var * f` (the unbiased variance; m is the number of values each statistic averages), for `updates`.
 * `gamma`, `beta` and the running averages have the input's rank without the normalized axes (or the input's
 * rank, with length 1 there); `mean` and `invstd` come back in that layout.
 * @example const [y, mean, invstd] = T.batchNormalizationTrain(x, gamma, beta, { axes: 'spatial' });
 */
export function batchNormalizationTrain<D extends DType, R extends Rank, DP extends DType, P extends Rank>(
  inputs: Tensor<D, R>,
  gamma: Tensor<DP, P>,
  beta: Tensor<DP, P>,
  options: BatchNormTrainOptions<DP, P> & { runningMean: Tensor<DP, P>; runningVar: Tensor<DP, P> },
): [
  out: Tensor<BatchNormDType<D, DP>, R>,
  mean: Tensor<BatchNormDType<D, DP>, P>,
  invstd: Tensor<BatchNormDType<D, DP>, P>,
  newRunningMean: Tensor<BatchNormDType<D, DP>, P>,
  newRunningVar: Tensor<BatchNormDType<D, DP>, P>,
];
export function batchNormalizationTrain<D extends DType, R extends Rank, DP extends DType, P extends Rank>(
  inputs: Tensor<D, R>,
  gamma: Tensor<DP, P>,
  beta: Tensor<DP, P>,
  options?: BatchNormTrainOptions<DP, P>,
): [
  out: Tensor<BatchNormDType<D, DP>, R>,
  mean: Tensor<BatchNormDType<D, DP>, P>,
  invstd: Tensor<BatchNormDType<D, DP>, P>,
];
export function batchNormalizationTrain(
  inputs: Tensor,
  gamma: Tensor,
  beta: Tensor,
  options: BatchNormTrainOptions = {},
): Tensor[] {
  checkOptionKeys('batchNormalizationTrain', options, [
    'axes',
    'epsilon',
    'runningAverageFactor',
    'runningMean',
    'runningVar',
  ]);
  const op = 'batchNormalizationTrain';
  const { axes, kept } = prepareAxes(op, options.axes ?? 'per-activation', inputs.ndim);
  const epsilon = options.epsilon ?? 1e-4;
  checkEpsilon(op, epsilon);
  const factor = options.runningAverageFactor ?? 0.1;
  const { runningMean, runningVar } = options;
  if ((runningMean === undefined) !== (runningVar === undefined))
    throw new TypeError(`${op}: runningMean and runningVar must both be given or both be left out`);
  const running: Record<string, Tensor> = runningMean && runningVar ? { runningMean, runningVar } : {};
  const { full, reduced } = broadcastParams(op, inputs.ndim, axes, kept, { gamma, beta, ...running });
  const dtype = upgradeToFloat(upcast(inputs.dtype, gamma.dtype));
  const x = asDtype(inputs, dtype);
  const mu = mean(x as Tensor<'float64'>, axes as never, { keepdims: true }) as Tensor;
  const sigma2 = variance(x as Tensor<'float64'>, axes as never, { keepdims: true }) as Tensor;
  const invstd = div(1, sqrt(add(sigma2, epsilon))) as Tensor;
  const out = add(mul(sub(x, mu), mul(asDtype(full(gamma), dtype), invstd)), asDtype(full(beta), dtype)) as Tensor;
  // statistics back in the parameters' layout (the normalized axes dropped when the parameters have none)
  const layout = (t: Tensor) => (reduced ? (dimshuffle(t, kept as never) as Tensor) : t);
  const results = [out, layout(mu), layout(invstd)];
  if (runningMean && runningVar) {
    const count = asDtype(
      axes.map((a) => shape(x, a as never) as Tensor).reduce((a, b) => mul(a, b) as Tensor),
      dtype,
    );
    const unbiased = mul(div(count, sub(count, 1)), sigma2);
    const blend = (old: Tensor, batch: Tensor) =>
      add(mul(asDtype(full(old), dtype), 1 - factor), mul(batch, factor)) as Tensor;
    results.push(layout(blend(runningMean, mu)), layout(blend(runningVar, unbiased as Tensor)));
  }
  return results;
}

/**
 * Theano's `batch_normalization_test`: `(inputs - mean) * gamma / sqrt(var + epsilon) + beta` with given
 * statistics (the running averages of training), laid out as `gamma` (see `batchNormalizationTrain`).
 * @example T.batchNormalizationTest(x, gamma, beta, mean, variance)
 */
export function batchNormalizationTest<D extends DType, R extends Rank, DP extends DType, P extends Rank>(
  inputs: Tensor<D, R>,
  gamma: Tensor<DP, P>,
  beta: Tensor<DP, P>,
  mean: Tensor<DP, P>,
  variance: Tensor<DP, P>,
  options: BatchNormTestOptions = {},
): Tensor<BatchNormDType<D, DP>, R> {
  checkOptionKeys('batchNormalizationTest', options, ['axes', 'epsilon']);
  const op = 'batchNormalizationTest';
  const { axes, kept } = prepareAxes(op, options.axes ?? 'per-activation', inputs.ndim);
  const epsilon = options.epsilon ?? 1e-4;
  checkEpsilon(op, epsilon);
  const { full } = broadcastParams(op, inputs.ndim, axes, kept, { gamma, beta, mean, var: variance });
  const dtype = upgradeToFloat(upcast(inputs.dtype, gamma.dtype));
  const [g, b, m, v] = [gamma, beta, mean, variance].map((p) => asDtype(full(p), dtype));
  const scale = div(g!, sqrt(add(v!, epsilon)));
  return add(mul(sub(asDtype(inputs, dtype), m!), scale), b!) as never;
}
