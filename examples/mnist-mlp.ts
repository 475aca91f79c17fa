/**
 * A multilayer perceptron on the MNIST digits (784-500-10, relu hidden layer, softmax output), trained by
 * minibatch SGD with momentum written as `updates`, as in the deep-learning tutorials Theano shipped with (relu
 * where they used tanh: it learns faster):
 * the data live in shared variables and each step takes a minibatch index (`givens` slices the data), weights
 * start from a Glorot-uniform draw of `theano.RandomStreams`, and the held-out test digits are never trained on.
 *
 * `npm run example:mnist` (or `npx tsx examples/mnist-mlp.ts [--epochs 12] [--save mlp.safetensors]
 * [--plot docs/mnist-mlp-curve.svg]`): a progress bar with the loss and examples per second, one line per
 * epoch, the learning curves as SVG, and the parameters saved after every epoch (`--save`; a run given an
 * existing file resumes from it).
 */
import { fileURLToPath } from 'node:url';
import * as theano from '../src/index.js';
import { glorotUniform, minibatchGivens, momentumUpdates } from './lib/layers.js';
import { CLASSES, loadMnist, PIXELS } from './lib/mnist.js';
import { argValue, resumeFrom, runEpochs, type MnistRunOptions, type MnistRunResult } from './lib/training.js';

const T = theano.tensor;

export interface MlpOptions extends MnistRunOptions {
  readonly hidden?: number;
  /** The hidden layer's nonlinearity (default relu; Theano's tutorial MLP used tanh, which learns slower here). */
  readonly activation?: 'tanh' | 'relu';
  /** L2 penalty on the weights. */
  readonly l2?: number;
}

export interface MlpResult extends MnistRunResult {
  /** The trained model: class probabilities for a batch of digits (batch, 784) -> (batch, 10); export it with `theano.onnx.exportFunction`. */
  readonly predict: theano.CompiledFunction<readonly [theano.Tensor<'float32', 2>], theano.Tensor<'float32', 2>>;
}

/** Builds, compiles and trains the MLP; returns the history, the final test accuracy and the trained model. */
export async function trainMnistMlp(o: MlpOptions = {}): Promise<MlpResult> {
  const batchSize = o.batchSize ?? 64;
  const hidden = o.hidden ?? 500;
  const data = o.data ?? loadMnist({ trainSize: o.trainSize });
  const log = o.log ?? console.log;
  const srng = new theano.RandomStreams(o.seed ?? 1234);

  const W1 = glorotUniform(srng, [PIXELS, hidden], PIXELS, hidden, 'W1');
  const b1 = theano.shared(new Float32Array(hidden), { name: 'b1' });
  const W2 = glorotUniform(srng, [hidden, CLASSES], hidden, CLASSES, 'W2');
  const b2 = theano.shared(new Float32Array(CLASSES), { name: 'b2' });
  const params = [W1, b1, W2, b2];
  const resumed = await resumeFrom(o.save, params);
  if (resumed) log(`resumed from ${o.save}`);

  // the model: x is a minibatch of digits, y their labels
  const x = T.fmatrix('x');
  const y = T.ivector('y');
  const h = o.activation === 'tanh' ? T.tanh(T.dot(x, W1).add(b1)) : T.relu(T.dot(x, W1).add(b1));
  const p = T.softmax(T.dot(h, W2).add(b2));
  const cost = T.mean(T.categoricalCrossentropy(p, y)).add(T.mul(T.sum(T.sqr(W1)).add(T.sum(T.sqr(W2))), o.l2 ?? 1e-4));

  // the data stay in shared variables; a step reads minibatch `i` through givens
  const trainX = theano.shared(data.train.images, { name: 'trainX' });
  const trainY = theano.shared(data.train.labels, { name: 'trainY' });
  const i = T.iscalar('i');
  const step = theano.function([i], cost, {
    updates: momentumUpdates(cost, params, o.learningRate ?? 0.05, o.momentum ?? 0.9),
    givens: minibatchGivens(i, batchSize, [
      [x, trainX],
      [y, trainY],
    ]),
    name: 'mlp_step',
  });
  const accuracy = theano.function([x, y], T.mean(T.eq(T.argmax(p, 1), y)), { name: 'mlp_accuracy' }); // the whole test set at once

  const predict = theano.function([x], p, { name: 'mlp_predict' });

  const result = await runEpochs(o, {
    label: 'MNIST MLP',
    title: `MNIST MLP 784-${hidden}-10 (${data.train.labels.size} training digits)`,
    epochs: o.epochs ?? 12,
    batches: Math.floor(data.train.labels.size / batchSize),
    batchSize,
    params,
    resumed,
    step: (index) => step(index),
    evaluate: () => accuracy(data.test.images, data.test.labels),
  });
  return { ...result, predict };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const epochs = Number(argValue('epochs') ?? 12);
  const result = await trainMnistMlp({
    epochs,
    save: argValue('save'),
    plot: argValue('plot') ?? 'mnist-mlp-curve.svg',
  });
  console.log(`test accuracy ${(100 * result.testAccuracy).toFixed(2)} % on 2,000 held-out digits`);
}
