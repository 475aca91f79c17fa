/**
 * The workloads W1-W5 as data and graphs, shared by the benchmarks that time them (bench/workloads.ts against
 * hand loops and tfjs-cpu, bench/peers.ts against jax-js, tfjs-wasm and onnxruntime, bench/matmul.ts for W3):
 * the seeded inputs, the theano-ts graphs, the tfjs formulas, and the training-step harness (a peer starts from
 * the initial parameters, takes one checked step, then is timed). Not a benchmark itself (bench/run.ts skips it).
 *
 * - W1: `1 / (1 + exp(-x)) * tanh(x) + x * x` on 1e6 elements (x uniform in [-3, 3));
 * - W2: `sum(exp(x))` on the same 1e6 elements;
 * - W3: C = A·B for square A, B uniform in [-1, 1);
 * - W4: one SGD step of the Theano tutorial's logistic regression (N = 4000 examples, 400 features, L2 penalty
 *   0.01, learning rate 0.1), with the step's cost returned;
 * - W5: one SGD step of a 784-256-10 MLP (relu hidden layer, softmax output, mean categorical cross-entropy
 *   against integer labels, batch 128, learning rate 0.1), with the step's cost returned.
 */
import * as tf from '@tensorflow/tfjs';
import * as theano from '../src/index.js';
import type { SharedVariable } from '../src/index.js';
import { maxAbs, maxAbsDiff, seededRandom, uniformArray } from './harness.js';

const T = theano.tensor;

export type Dtype = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;

/** The Float64Array `data` in `dtype` (rounded to float32 for float32). */
export const asDtype = (data: Float64Array, dtype: Dtype): FloatArray =>
  dtype === 'float32' ? Float32Array.from(data) : data;

export function ndarray<R extends 0 | 1 | 2>(
  dtype: Dtype,
  shape: readonly number[],
  data: FloatArray,
): theano.NDArray<Dtype, R> {
  return new theano.NDArray<Dtype, R>(dtype, shape, data);
}

/** Runs `f` in a tf.tidy and reads the result back with dataSync(), so that the work is done and nothing leaks. */
export function tfRun(f: () => tf.Tensor): Float32Array {
  const out = tf.tidy(f);
  const data = out.dataSync() as Float32Array;
  out.dispose();
  return data;
}

// ---------------------------------------------------------------------------------------------------------------
// W1, W2

export const N_ELEMWISE = 1_000_000;

/** The W1/W2 input: 1e6 seeded values uniform in [-3, 3), in float64 (round with asDtype for float32). */
export const elemwiseInput = (): Float64Array => uniformArray(seededRandom(1), N_ELEMWISE, -3, 3);

/** W1 as the user writes it (the optimizer turns the first factor into sigmoid). */
export const w1Graph = <D extends Dtype>(x: theano.Tensor<D, 1>) =>
  T.add(T.mul(T.div(1, T.add(1, T.exp(T.neg(x)))), T.tanh(x)), T.mul(x, x));

export const w2Graph = <D extends Dtype>(x: theano.Tensor<D, 1>) => T.sum(T.exp(x));

/** W1 in tfjs: tf.sigmoid for 1 / (1 + exp(-x)), what theano-ts's optimizer makes of it and tfjs's cheapest form. */
export const w1Tf = (x: tf.Tensor) => tf.add(tf.mul(tf.sigmoid(x), tf.tanh(x)), tf.mul(x, x));

// ---------------------------------------------------------------------------------------------------------------
// W3

/** A and B of the n x n product, uniform in [-1, 1) (seeded by n, so every benchmark multiplies the same). */
export function matmulOperands(n: number): { a: Float64Array; b: Float64Array } {
  const rand = seededRandom(3 + n);
  const a = uniformArray(rand, n * n);
  const b = uniformArray(rand, n * n);
  return { a, b };
}

// ---------------------------------------------------------------------------------------------------------------
// training steps

export interface Trainer {
  /** Releases what the trainer holds (tfjs optimizers, sessions). */
  dispose?(): void;
  /** Sets the parameters back to their initial values. */
  reset(): void;
  /** One SGD step; returns the cost before the step (a promise for peers that run asynchronously). */
  step(): number | Promise<number>;
  /** The current parameters, flattened, in a fixed order. */
  params(): ArrayLike<number>[];
}

export interface Checked {
  /** The cost and the parameters after one step from the initial parameters. */
  cost: number;
  params: ArrayLike<number>[];
  /** The largest |cost| or |parameter| there. */
  scale: number;
}

/** One step from the initial parameters: what the checks compare. */
export async function checkedStep(t: Trainer): Promise<Checked> {
  t.reset();
  const cost = await t.step();
  const params = t.params().map((p) => Float64Array.from(p));
  return { cost, params, scale: Math.max(Math.abs(cost), ...params.map(maxAbs)) };
}

/** The largest difference between two peers' costs and parameters after their checked step. */
export function checkedDiff(a: Checked, b: Checked): number {
  let d = Math.abs(a.cost - b.cost);
  a.params.forEach((p, i) => (d = Math.max(d, maxAbsDiff(p, b.params[i]!))));
  return d;
}

export type SharedFloat = SharedVariable<Dtype, 0 | 1 | 2>;

/** A theano trainer: `fn` runs one step on the bound inputs; `init` holds each shared variable's initial value. */
export function theanoTrainer(fn: () => number, init: [SharedFloat, theano.NDArray][]): Trainer {
  return {
    reset: () => init.forEach(([v, value]) => v.setValue(value as never)),
    step: fn,
    params: () => init.map(([v]) => v.getArray().data as FloatArray),
  };
}

/** A tfjs trainer (on the current tfjs backend): tf.train.sgd(0.1).minimize of `loss` over `vars`. */
export function tfTrainer(loss: () => tf.Scalar, vars: tf.Variable[], init: tf.Tensor[]): Trainer {
  const optimizer = tf.train.sgd(LEARNING_RATE);
  return {
    reset: () => vars.forEach((v, i) => v.assign(init[i]!)),
    step: () =>
      tf.tidy(() => {
        const cost = optimizer.minimize(loss, true, vars)!;
        return cost.dataSync()[0]!;
      }),
    params: () => vars.map((v) => v.dataSync() as Float32Array),
    dispose: () => optimizer.dispose(),
  };
}

/** A tfjs trainer and the tensors to dispose after it. */
export interface TfModel {
  trainer: Trainer;
  tensors: tf.Tensor[];
}

export const LEARNING_RATE = 0.1;

/** `p - LEARNING_RATE * g` for each parameter p and its gradient g: the SGD updates. */
export function sgdUpdates(params: readonly theano.Tensor[], grads: readonly theano.Tensor[]): theano.Update[] {
  return params.map((p, i) => [p, T.sub(p, T.mul(LEARNING_RATE, grads[i]!))]) as unknown as theano.Update[];
}

/** A compiled SGD step on shared parameters, its bound inputs, and each shared variable's initial value. */
function sharedStep(
  dtype: Dtype,
  inputs: theano.Tensor[],
  values: theano.NDArray[],
  initial: [string, readonly number[], FloatArray][],
  cost: (params: theano.Tensor[]) => theano.Tensor,
  mode: theano.Mode | undefined,
): Trainer {
  const init: [SharedFloat, theano.NDArray][] = initial.map(([name, shape, data]) => [
    theano.shared(ndarray(dtype, shape, data) as never, { name }) as SharedFloat,
    ndarray(dtype, shape, data),
  ]);
  const params = init.map(([v]) => v as unknown as theano.Tensor);
  const c = cost(params);
  const updates = sgdUpdates(params, T.grad(c as theano.Tensor<Dtype, 0>, params) as theano.Tensor[]);
  const f = theano.function(inputs, c, mode ? { updates, mode } : { updates }) as (...a: theano.NDArray[]) => unknown;
  return theanoTrainer(() => f(...values) as number, init);
}

// ---------------------------------------------------------------------------------------------------------------
// W4: logistic regression

export const LR_N = 4000;
export const LR_FEATS = 400;
export const LR_L2 = 0.01;

export interface LogregData {
  readonly dtype: Dtype;
  /** N x F, row-major. */
  readonly x: FloatArray;
  /** 0/1 labels. */
  readonly y: FloatArray;
  /** The initial weights (the bias starts at 0). */
  readonly w0: FloatArray;
}

export function logregData(dtype: Dtype): LogregData {
  const rand = seededRandom(4);
  const x = asDtype(uniformArray(rand, LR_N * LR_FEATS), dtype);
  const y = asDtype(
    Float64Array.from({ length: LR_N }, () => (rand() < 0.5 ? 0 : 1)),
    dtype,
  );
  const w0 = asDtype(uniformArray(rand, LR_FEATS, -0.05, 0.05), dtype);
  return { dtype, x, y, w0 };
}

/** The tutorial's cost, with sigmoid and binaryCrossentropy for its 1 / (1 + exp(-z)) and xent. */
export function logregCost<D extends Dtype>(
  x: theano.Tensor<D, 2>,
  y: theano.Tensor<D, 1>,
  w: theano.Tensor<D, 1>,
  b: theano.Tensor<D, 0>,
): theano.Tensor<D, 0> {
  const p = T.sigmoid(T.add(T.dot(x, w), b));
  return T.add(T.mean(T.binaryCrossentropy(p, y)), T.mul(LR_L2, T.sum(T.sqr(w)))) as unknown as theano.Tensor<D, 0>;
}

/** The W4 step compiled with `mode` (default FAST_RUN), on shared w and b, the data bound. */
export function logregTheano(d: LogregData, mode?: theano.Mode): Trainer {
  const x = T.tensor(d.dtype, 2, 'x');
  const y = T.tensor(d.dtype, 1, 'y');
  return sharedStep(
    d.dtype,
    [x, y],
    [ndarray(d.dtype, [LR_N, LR_FEATS], d.x), ndarray(d.dtype, [LR_N], d.y)],
    [
      ['w', [LR_FEATS], d.w0],
      ['b', [], asDtype(new Float64Array(1), d.dtype)],
    ],
    ([w, b]) => logregCost(x, y, w as theano.Tensor<Dtype, 1>, b as theano.Tensor<Dtype, 0>),
    mode,
  );
}

/** The W4 step in tfjs (float32), on the current backend: the same formulas, tf.train.sgd(0.1).minimize. */
export function logregTf(d: LogregData): TfModel {
  const tx = tf.tensor2d(d.x as Float32Array, [LR_N, LR_FEATS]);
  const ty = tf.tensor2d(d.y as Float32Array, [LR_N, 1]);
  const tInit = [tf.tensor2d(d.w0 as Float32Array, [LR_FEATS, 1]), tf.scalar(0)];
  const vw = tf.variable(tInit[0]!);
  const vb = tf.variable(tInit[1]!);
  const loss = (): tf.Scalar => {
    const pr = tf.sigmoid(tf.add(tf.matMul(tx, vw), vb));
    const xent = tf.neg(tf.add(tf.mul(ty, tf.log(pr)), tf.mul(tf.sub(1, ty), tf.log(tf.sub(1, pr)))));
    return tf.add(tf.mean(xent), tf.mul(LR_L2, tf.sum(tf.square(vw)))) as tf.Scalar;
  };
  return { trainer: tfTrainer(loss, [vw, vb], tInit), tensors: [tx, ty, vw, vb, ...tInit] };
}

// ---------------------------------------------------------------------------------------------------------------
// W5: MLP 784-256-10

export const MLP_BATCH = 128;
export const MLP_IN = 784;
export const MLP_HIDDEN = 256;
export const MLP_OUT = 10;

export interface MlpData {
  readonly dtype: Dtype;
  /** batch x 784, row-major. */
  readonly x: FloatArray;
  readonly labels: Int32Array;
  /** The initial parameters W1 (784 x 256), b1, W2 (256 x 10), b2, row-major. */
  readonly params: readonly [FloatArray, FloatArray, FloatArray, FloatArray];
}

/** The parameters' names and shapes, in the order of `MlpData.params`. */
export const MLP_PARAMS: readonly (readonly [string, readonly number[]])[] = [
  ['W1', [MLP_IN, MLP_HIDDEN]],
  ['b1', [MLP_HIDDEN]],
  ['W2', [MLP_HIDDEN, MLP_OUT]],
  ['b2', [MLP_OUT]],
];

export function mlpData(dtype: Dtype): MlpData {
  const rand = seededRandom(5);
  const x = asDtype(uniformArray(rand, MLP_BATCH * MLP_IN, 0, 1), dtype);
  const labels = Int32Array.from({ length: MLP_BATCH }, () => Math.floor(rand() * MLP_OUT));
  const W1 = asDtype(uniformArray(rand, MLP_IN * MLP_HIDDEN, -1 / 28, 1 / 28), dtype);
  const b1 = asDtype(new Float64Array(MLP_HIDDEN), dtype);
  const W2 = asDtype(uniformArray(rand, MLP_HIDDEN * MLP_OUT, -1 / 16, 1 / 16), dtype);
  const b2 = asDtype(new Float64Array(MLP_OUT), dtype);
  return { dtype, x, labels, params: [W1, b1, W2, b2] };
}

/** Relu hidden layer, softmax output, mean categorical cross-entropy against the int32 labels. */
export function mlpCost<D extends Dtype>(
  x: theano.Tensor<D, 2>,
  y: theano.Tensor<'int32', 1>,
  [W1, b1, W2, b2]: readonly theano.Tensor[],
): theano.Tensor<D, 0> {
  const hidden = T.relu(T.add(T.dot(x, W1 as theano.Tensor<D, 2>), b1 as theano.Tensor<D, 1>));
  const probabilities = T.softmax(T.add(T.dot(hidden, W2 as theano.Tensor<D, 2>), b2 as theano.Tensor<D, 1>));
  return T.mean(T.categoricalCrossentropy(probabilities, y)) as unknown as theano.Tensor<D, 0>;
}

/** The W5 step compiled with `mode` (default FAST_RUN), on shared parameters, the batch bound. */
export function mlpTheano(d: MlpData, mode?: theano.Mode): Trainer {
  const x = T.tensor(d.dtype, 2, 'x');
  const y = T.ivector('y');
  return sharedStep(
    d.dtype,
    [x, y],
    [ndarray(d.dtype, [MLP_BATCH, MLP_IN], d.x), new theano.NDArray<'int32', 1>('int32', [MLP_BATCH], d.labels)],
    MLP_PARAMS.map(([name, shape], i) => [name, shape, d.params[i]!]),
    (params) => mlpCost(x, y, params),
    mode,
  );
}

/** The W5 step in tfjs (float32), on the current backend: logSoftmax and a one-hot mask. */
export function mlpTf(d: MlpData): TfModel {
  const tx = tf.tensor2d(d.x as Float32Array, [MLP_BATCH, MLP_IN]);
  const onehot = tf.tidy(() => tf.oneHot(tf.tensor1d(d.labels, 'int32'), MLP_OUT).toFloat());
  const tInit = MLP_PARAMS.map(([, shape], i) => tf.tensor(d.params[i] as Float32Array, [...shape]));
  const vars = tInit.map((t) => tf.variable(t));
  const [vW1, vb1, vW2, vb2] = vars as [tf.Variable, tf.Variable, tf.Variable, tf.Variable];
  const loss = (): tf.Scalar => {
    const h = tf.relu(tf.add(tf.matMul(tx, vW1), vb1));
    const z = tf.add(tf.matMul(h, vW2), vb2);
    return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(z)), 1))) as tf.Scalar;
  };
  return { trainer: tfTrainer(loss, vars, tInit), tensors: [tx, onehot, ...vars, ...tInit] };
}
