/**
 * The tutorial's logistic regression ("A Real Example"), shaped for a page that trains it step by step: the data
 * and the initial weights come from a seeded `theano.RandomStreams`, so the page and Node compute the same
 * numbers. No Node module is imported here (the browser test runs this file in Node and in Chromium).
 */
import * as theano from '../../src/index.js';

const T = theano.tensor;

export interface LogregConfig {
  readonly examples: number;
  readonly features: number;
  readonly seed: number;
  readonly learningRate: number;
}

export const DEFAULT_CONFIG: LogregConfig = { examples: 400, features: 784, seed: 42, learningRate: 0.1 };

/** Builds and compiles the model; `step()` runs one gradient step and returns the mean cross-entropy before it. */
export function buildLogreg(c: LogregConfig) {
  const srng = new theano.RandomStreams(c.seed);
  const [Dx, Dy] = theano.function(
    [],
    [srng.normal([c.examples, c.features]), srng.integers(0, 2, [c.examples], { dtype: 'int32' })],
  )();

  const x = T.dmatrix('x');
  const y = T.dvector('y');
  const w = theano.shared(theano.function([], srng.normal([c.features]))(), { name: 'w' });
  const b = theano.shared(0, { name: 'b' });
  const p1 = T.div(1, T.add(1, T.exp(T.sub(T.neg(T.dot(x, w)), b)))); // probability that the target is 1
  p1.name = 'p1';
  const prediction = T.gt(p1, 0.5);
  const xent = T.sub(T.mul(T.neg(y), T.log(p1)), T.mul(T.sub(1, y), T.log(T.sub(1, p1))));
  const cost = T.add(T.mean(xent), T.mul(0.01, T.sum(T.sqr(w))));
  const [gw, gb] = T.grad(cost, [w, b]);
  const train = theano.function([x, y], T.mean(xent), {
    updates: [
      [w, T.sub(w, T.mul(c.learningRate, gw))],
      [b, T.sub(b, T.mul(c.learningRate, gb))],
    ],
    name: 'train',
  });
  const predict = theano.function([x], prediction, { name: 'predict' });
  const probability = theano.function([x], p1, { name: 'probability' });
  const targets = Array.from(Dy.data, Number);

  return {
    train,
    probability,
    cost,
    step: (): number => train(Dx, Dy),
    accuracy: (): number => {
      const predicted = predict(Dx).toArray() as boolean[];
      return predicted.filter((p, i) => Number(p) === targets[i]).length / c.examples;
    },
    weights: () => ({ w: Array.from(w.getValue().data as Float64Array), b: b.getValue() }),
  };
}

/** What a run reports (the page puts it on `window.logregResult`; the test compares it with Node's). */
export interface LogregRun {
  readonly costs: number[];
  readonly accuracy: number;
  readonly w: number[];
  readonly b: number;
  readonly onnxBytes: number;
}

/** Trains `steps` steps in one go (what the page does in slices between frames). */
export function runLogreg(c: LogregConfig, steps: number): LogregRun {
  const model = buildLogreg(c);
  const costs = Array.from({ length: steps }, () => model.step());
  const { w, b } = model.weights();
  return { costs, accuracy: model.accuracy(), w, b, onnxBytes: theano.onnx.exportFunction(model.probability).length };
}
