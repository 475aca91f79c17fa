/**
 * One training step of LeNet-5 on a minibatch of 64 MNIST-sized digits, float32, theano-ts against tfjs on its
 * pure-JS CPU backend, interleaved in one run. The network (as examples/mnist-lenet.ts without dropout): conv
 * 20 5x5 -> max pool 2x2 -> relu -> conv 50 5x5 -> max pool 2x2 -> relu -> dense 800x500 relu -> dense 500x10
 * -> softmax cross-entropy, then SGD with momentum on all 8 parameters.
 *
 * - theano-ts: one compiled function from (x, y) to the loss, with the momentum updates (FAST_RUN);
 * - tfjs: `optimizer.minimize` of the same loss with `tf.train.momentum` (its convolutions in NHWC, its native
 *   layout on the CPU backend; the data is laid out for each peer once, outside the timing).
 *
 * Both start from the same weights; the first step's losses are compared. Target: theano-ts at least 2x faster.
 */
import * as tf from '@tensorflow/tfjs';
import * as theano from '../src/index.js';
import type { SharedVariable, Tensor } from '../src/index.js';
import { momentumUpdates } from '../examples/lib/layers.js';
import { fmt, fmtRatio, seededRandom, targetNote, timeInterleaved, type BenchReport } from './harness.js';

const T = theano.tensor;
const RUNS = Number(process.env.LENET_RUNS ?? 10);
const WARMUP = 2;
const BATCH = 64;
const LR = 0.05;
const MU = 0.9;

/** The parameters' shapes in Theano's layout (filters OIHW, dense matrices in x out). */
const SHAPES = {
  conv1: [20, 1, 5, 5],
  b1: [20],
  conv2: [50, 20, 5, 5],
  b2: [50],
  dense: [800, 500],
  b3: [500],
  out: [500, 10],
  b4: [10],
} as const;
type Name = keyof typeof SHAPES;

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

function initialWeights(): Record<Name, Float32Array> {
  const rand = seededRandom(7);
  const out = {} as Record<Name, Float32Array>;
  for (const [name, shape] of Object.entries(SHAPES) as [Name, readonly number[]][]) {
    const fanIn = shape.length === 4 ? size(shape.slice(1)) : shape[0]!;
    const r = shape.length === 1 ? 0 : Math.sqrt(3 / fanIn);
    out[name] = Float32Array.from({ length: size(shape) }, () => (2 * rand() - 1) * r);
  }
  return out;
}

function theanoStep(w: Record<Name, Float32Array>): (x: theano.NDArray, y: theano.NDArray) => number {
  const p = {} as Record<Name, SharedVariable<'float32'>>;
  for (const name of Object.keys(SHAPES) as Name[])
    p[name] = theano.shared(new theano.NDArray('float32', [...SHAPES[name]], w[name].slice()), { name });
  const x = T.ftensor4('x');
  const y = T.ivector('y');
  const layer = (input: Tensor<'float32', 4>, filters: Tensor<'float32', 4>, b: Tensor<'float32', 1>) =>
    T.relu(
      T.nnet
        .pool2d(T.nnet.conv2d(input, filters, { filterFlip: false }), { ws: [2, 2], ignoreBorder: true })
        .add(b.dimshuffle('x', 0, 'x', 'x')),
    );
  const h2 = layer(layer(x, p.conv1 as never, p.b1 as never), p.conv2 as never, p.b2 as never);
  const h3 = T.relu(T.dot(T.flatten(h2, 2), p.dense as never).add(p.b3 as never));
  const logits = T.dot(h3, p.out as never).add(p.b4 as never);
  const cost = T.mean(T.categoricalCrossentropy(T.softmax(logits), y));
  // the examples' momentum updates, so the step timed is the step examples/mnist-lenet.ts runs
  const f = theano.function([x, y], cost, { updates: momentumUpdates(cost, Object.values(p), LR, MU) });
  return (xs, ys) => f(xs as never, ys as never) as number;
}

/** The same network in tfjs (NHWC images, HWIO filters), trained by its momentum optimizer. */
function tfjsStep(w: Record<Name, Float32Array>): (x: tf.Tensor4D, y: tf.Tensor2D) => number {
  const hwio = (a: Float32Array, [o, c, h, ww]: readonly number[]) => {
    const out = new Float32Array(a.length);
    for (let i = 0; i < o!; i++)
      for (let j = 0; j < c!; j++)
        for (let r = 0; r < h!; r++)
          for (let s = 0; s < ww!; s++) out[((r * ww! + s) * c! + j) * o! + i] = a[((i * c! + j) * h! + r) * ww! + s]!;
    return tf.variable(tf.tensor4d(out, [h!, ww!, c!, o!]));
  };
  // theano flattens (C, H, W); NHWC flattens (H, W, C): permute the dense rows so both compute the same function
  const denseRows = new Float32Array(w.dense.length);
  for (let c = 0; c < 50; c++)
    for (let hw = 0; hw < 16; hw++)
      denseRows.set(w.dense.subarray((c * 16 + hw) * 500, (c * 16 + hw + 1) * 500), (hw * 50 + c) * 500);
  const v = {
    conv1: hwio(w.conv1, SHAPES.conv1),
    b1: tf.variable(tf.tensor1d(w.b1)),
    conv2: hwio(w.conv2, SHAPES.conv2),
    b2: tf.variable(tf.tensor1d(w.b2)),
    dense: tf.variable(tf.tensor2d(denseRows, [800, 500])),
    b3: tf.variable(tf.tensor1d(w.b3)),
    out: tf.variable(tf.tensor2d(w.out, [500, 10])),
    b4: tf.variable(tf.tensor1d(w.b4)),
  };
  const optimizer = tf.train.momentum(LR, MU);
  const layer = (input: tf.Tensor4D, filters: tf.Variable, b: tf.Variable) =>
    tf.relu(tf.add(tf.maxPool(tf.conv2d(input, filters as tf.Tensor4D, 1, 'valid'), 2, 2, 'valid'), b)) as tf.Tensor4D;
  return (x, y) => {
    const loss = optimizer.minimize(() => {
      const h2 = layer(layer(x, v.conv1, v.b1), v.conv2, v.b2);
      const h3 = tf.relu(tf.add(tf.matMul(tf.reshape(h2, [BATCH, 800]), v.dense), v.b3));
      return tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(h3, v.out), v.b4)) as tf.Scalar;
    }, true)!;
    const value = loss.dataSync()[0]!;
    loss.dispose();
    return value;
  };
}

export async function run(): Promise<BenchReport> {
  await tf.setBackend('cpu');
  const rand = seededRandom(11);
  const images = Float32Array.from({ length: BATCH * 784 }, () => rand());
  const labels = Int32Array.from({ length: BATCH }, () => Math.floor(rand() * 10));
  const w = initialWeights();
  const theanoFn = theanoStep(w);
  const tfFn = tfjsStep(w);
  const xT = new theano.NDArray('float32', [BATCH, 1, 28, 28], images);
  const yT = new theano.NDArray('int32', [BATCH], labels);
  const xF = tf.tensor4d(images, [BATCH, 28, 28, 1]); // one channel: NCHW and NHWC hold the same bytes
  const yF = tf.oneHot(tf.tensor1d(labels, 'int32'), 10) as tf.Tensor2D;
  const first = { theano: theanoFn(xT, yT), tfjs: tfFn(xF, yF) };
  const times = timeInterleaved({ theano: () => theanoFn(xT, yT), tfjs: () => tfFn(xF, yF) }, RUNS, WARMUP);
  const speedup = times.tfjs.median / times.theano.median;
  return {
    title: 'LeNet-5 training step, batch 64, float32 (forward, backward, momentum SGD)',
    tables: [
      {
        title: `median of ${RUNS} steps (interleaved), ${WARMUP} warm-up steps each`,
        columns: ['peer', 'median ms', 'examples/s', 'first-step loss'],
        rows: [
          [
            'theano-ts',
            fmt(times.theano.median, 1),
            String(Math.round((BATCH * 1000) / times.theano.median)),
            first.theano.toFixed(5),
          ],
          [
            'tfjs-cpu 4.22',
            fmt(times.tfjs.median, 1),
            String(Math.round((BATCH * 1000) / times.tfjs.median)),
            first.tfjs.toFixed(5),
          ],
          ['speed-up', fmtRatio(speedup), '', ''],
        ],
      },
    ],
    notes: [
      targetNote('theano-ts speed-up over tfjs-cpu', speedup, 'atLeast', 2),
      `first-step losses ${Math.abs(first.theano - first.tfjs) < 1e-4 ? 'agree' : 'DIFFER'} (${first.theano.toFixed(6)} vs ${first.tfjs.toFixed(6)})`,
    ],
  };
}
