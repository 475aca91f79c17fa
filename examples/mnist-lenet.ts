/**
 * A LeNet-5 style convolutional network on the MNIST digits, the network of Theano's deep-learning tutorial
 * "Convolutional Neural Networks (LeNet)": two convolution + max-pooling layers (20 and 50 5x5 filters), a
 * 500-unit dense layer with dropout, and a softmax output; minibatch SGD with momentum written as `updates`;
 * weights from Glorot-uniform draws of `theano.RandomStreams`; the held-out test digits never trained on.
 *
 * `npm run example:mnist-lenet` (or `npx tsx examples/mnist-lenet.ts [--epochs 6] [--save lenet.safetensors]
 * [--plot docs/mnist-lenet-curve.svg]`): a progress bar, one line per epoch, the learning curves as SVG, and the
 * parameters saved after every epoch (`--save`; a run given an existing file resumes from it).
 */
import { fileURLToPath } from 'node:url';
import * as theano from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { glorotUniform, minibatchGivens, momentumUpdates } from './lib/layers.js';
import { CLASSES, loadMnist } from './lib/mnist.js';
import { argValue, resumeFrom, runEpochs, type MnistRunOptions, type MnistRunResult } from './lib/training.js';

const T = theano.tensor;

export interface LenetOptions extends MnistRunOptions {
  /** Filters of the two convolution layers (default 20 and 50) and units of the dense layer (default 500). */
  readonly filters?: readonly [number, number];
  readonly hidden?: number;
  /** Dropout rate of the dense layer (default 0.5). */
  readonly dropout?: number;
}

/** The network's parameters: two convolution layers (filters, biases), the dense layer and the output layer. */
function lenetParams(srng: theano.RandomStreams, [f1, f2]: readonly [number, number], hidden: number) {
  // Glorot fans of a convolution: fan-in = in channels x 5 x 5, fan-out = out channels x 5 x 5 / pooling area
  const conv1 = glorotUniform(srng, [f1, 1, 5, 5], 25, (f1 * 25) / 4, 'conv1');
  const conv2 = glorotUniform(srng, [f2, f1, 5, 5], f1 * 25, (f2 * 25) / 4, 'conv2');
  const dense = glorotUniform(srng, [f2 * 16, hidden], f2 * 16, hidden, 'dense');
  const out = glorotUniform(srng, [hidden, CLASSES], hidden, CLASSES, 'out');
  const bias = (n: number, name: string) => theano.shared(new Float32Array(n), { name });
  return {
    conv1,
    b1: bias(f1, 'conv1_b'),
    conv2,
    b2: bias(f2, 'conv2_b'),
    dense,
    b3: bias(hidden, 'dense_b'),
    out,
    b4: bias(CLASSES, 'out_b'),
  };
}
type LenetParams = ReturnType<typeof lenetParams>;

/** Class probabilities for a minibatch of flattened digits; dropout only while training. */
function lenet(x: Tensor<'float32', 2>, p: LenetParams, srng: theano.RandomStreams, rate: number, training: boolean) {
  const images = T.reshape(x, [-1, 1, 28, 28]); // (batch, 1 channel, 28, 28): Theano's NCHW layout
  const layer = (input: Tensor<'float32', 4>, filters: Tensor<'float32', 4>, b: Tensor<'float32', 1>) =>
    T.relu(
      T.nnet
        .pool2d(T.nnet.conv2d(input, filters), { ws: [2, 2], ignoreBorder: true })
        .add(b.dimshuffle('x', 0, 'x', 'x')),
    );
  const h1 = layer(images, p.conv1, p.b1); // (batch, 20, 12, 12)
  const h2 = layer(h1, p.conv2, p.b2); // (batch, 50, 4, 4)
  const flat = T.flatten(h2, 2); // (batch, 800)
  const h3 = T.nnet.dropout(T.relu(T.dot(flat, p.dense).add(p.b3)), rate, srng, { training });
  return T.softmax(T.dot(h3, p.out).add(p.b4));
}

/** Builds, compiles and trains the network; returns the history and the final test accuracy. */
export async function trainMnistLenet(o: LenetOptions = {}): Promise<MnistRunResult> {
  const batchSize = o.batchSize ?? 64;
  const data = o.data ?? loadMnist({ trainSize: o.trainSize });
  const log = o.log ?? console.log;
  const srng = new theano.RandomStreams(o.seed ?? 1234);
  const p = lenetParams(srng, o.filters ?? [20, 50], o.hidden ?? 500);
  const params = Object.values(p);
  const resumed = await resumeFrom(o.save, params);
  if (resumed) log(`resumed from ${o.save}`);

  const x = T.fmatrix('x');
  const y = T.ivector('y');
  const cost = T.mean(T.categoricalCrossentropy(lenet(x, p, srng, o.dropout ?? 0.5, true), y));
  const trainX = theano.shared(data.train.images, { name: 'trainX' });
  const trainY = theano.shared(data.train.labels, { name: 'trainY' });
  const i = T.iscalar('i');
  const step = theano.function([i], cost, {
    updates: momentumUpdates(cost, params, o.learningRate ?? 0.05, o.momentum ?? 0.9),
    givens: minibatchGivens(i, batchSize, [
      [x, trainX],
      [y, trainY],
    ]),
    name: 'lenet_step',
  });
  // the test set goes through the evaluation network (no dropout) 500 digits at a time
  const testX = theano.shared(data.test.images, { name: 'testX' });
  const testY = theano.shared(data.test.labels, { name: 'testY' });
  const chunk = 500;
  const right = theano.function([i], T.sum(T.eq(T.argmax(lenet(x, p, srng, 0, false), 1), y)), {
    givens: minibatchGivens(i, chunk, [
      [x, testX],
      [y, testY],
    ]),
    name: 'lenet_right',
  });
  const total = data.test.labels.size;
  const evaluate = () => {
    let count = 0;
    for (let c = 0; c * chunk < total; c++) count += Number(right(c));
    return count / total;
  };

  return runEpochs(o, {
    label: 'MNIST LeNet',
    title: `MNIST LeNet (${data.train.labels.size} training digits)`,
    epochs: o.epochs ?? 6,
    batches: Math.floor(data.train.labels.size / batchSize),
    batchSize,
    params,
    resumed,
    step: (index) => step(index),
    evaluate,
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const epochs = Number(argValue('epochs') ?? 6);
  const result = await trainMnistLenet({
    epochs,
    save: argValue('save'),
    plot: argValue('plot') ?? 'mnist-lenet-curve.svg',
  });
  console.log(`test accuracy ${(100 * result.testAccuracy).toFixed(2)} % on 2,000 held-out digits`);
}
