/**
 * Theano's tutorial "A Real Example: Logistic Regression", line for line: 400 examples of 784 random features
 * with random 0/1 targets, a logistic regression with an L2 penalty trained by 10,000 steps of gradient descent
 * written as `updates`, then the predictions on the training data. The data and the initial weights come from
 * a seeded `theano.RandomStreams` (the tutorial used numpy's global generator), so every run prints the same.
 *
 * `npx tsx examples/logreg.ts [--steps 10000]`.
 */
import { fileURLToPath } from 'node:url';
import * as theano from '../src/index.js';
import { argValue } from './lib/training.js';

const T = theano.tensor;

export interface LogregResult {
  /** The cost at the start and after each tenth of the steps. */
  readonly costs: number[];
  /** The fraction of the 400 training targets predicted right at the end. */
  readonly accuracy: number;
  readonly targets: number[];
  readonly predictions: boolean[];
}

export function logisticRegression(
  options: { steps?: number; seed?: number; examples?: number; features?: number } = {},
): LogregResult {
  const N = options.examples ?? 400;
  const feats = options.features ?? 784;
  const steps = options.steps ?? 10000;
  const srng = new theano.RandomStreams(options.seed ?? 42);

  // D = (rng.randn(N, feats), rng.randint(size=N, low=0, high=2))
  const [Dx, Dy] = theano.function([], [srng.normal([N, feats]), srng.integers(0, 2, [N], { dtype: 'int32' })])();

  // Declare Theano symbolic variables
  const x = T.dmatrix('x');
  const y = T.dvector('y');
  const w = theano.shared(theano.function([], srng.normal([feats]))(), { name: 'w' });
  const b = theano.shared(0, { name: 'b' });

  // Construct the expression graph
  const p1 = T.div(1, T.add(1, T.exp(T.sub(T.neg(T.dot(x, w)), b)))); // probability that the target is 1
  const prediction = T.gt(p1, 0.5); // the prediction thresholded
  const xent = T.sub(T.mul(T.neg(y), T.log(p1)), T.mul(T.sub(1, y), T.log(T.sub(1, p1)))); // cross-entropy loss
  const cost = T.add(T.mean(xent), T.mul(0.01, T.sum(T.sqr(w)))); // the cost to minimize
  const [gw, gb] = T.grad(cost, [w, b]);

  // Compile
  const train = theano.function([x, y], [prediction, T.mean(xent)], {
    updates: [
      [w, T.sub(w, T.mul(0.1, gw))],
      [b, T.sub(b, T.mul(0.1, gb))],
    ],
  });
  const predict = theano.function([x], prediction);
  const costOf = theano.function([x, y], cost);

  // Train
  const costs = [costOf(Dx, Dy)];
  for (let i = 1; i <= steps; i++) {
    train(Dx, Dy);
    if (i % Math.max(1, Math.floor(steps / 10)) === 0) costs.push(costOf(Dx, Dy));
  }
  const predictions = predict(Dx).toArray() as boolean[];
  const targets = Array.from(Dy.data, Number);
  const accuracy = predictions.filter((p, i) => Number(p) === targets[i]).length / N;
  return { costs, accuracy, targets, predictions };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const start = performance.now();
  const r = logisticRegression({ steps: Number(argValue('steps') ?? 10000) });
  console.log('target values for D:', r.targets.slice(0, 20).join(' '), '...');
  console.log('prediction on D:    ', r.predictions.slice(0, 20).map(Number).join(' '), '...');
  console.log(`cost: ${r.costs.map((c) => c.toFixed(4)).join(' -> ')}`);
  console.log(
    `final accuracy on the 400 training examples: ${(100 * r.accuracy).toFixed(2)} % (${((performance.now() - start) / 1000).toFixed(1)} s)`,
  );
}
