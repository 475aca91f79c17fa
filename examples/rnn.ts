/**
 * An Elman RNN trained with backpropagation through time on a real sequence task: predicting the next value of a
 * noisy sine wave. `npm run example:rnn`.
 *
 *   h_t = tanh(x_t·Wx + h_{t-1}·Wh + b)      (the recurrence: one theano.scan)
 *   y_t = h_t·Wy + c                          (a prediction of x_{t+1})
 *   loss = mean over t and the batch of (y_t - x_{t+1})^2
 *
 * The gradient of the loss with respect to every weight is `T.grad` through the scan (a reverse scan), and one
 * compiled function runs a whole training step: forward, backward and the SGD-with-momentum updates of the shared
 * weights. The loss is printed as it falls, with a baseline: predicting that the next value equals the current one.
 */
import { fileURLToPath } from 'node:url';
import * as theano from '../src/index.js';
import { seededRandom } from '../src/runtime/random.js';

const T = theano.tensor;

export interface RnnOptions {
  readonly hidden?: number;
  readonly steps?: number;
  readonly batch?: number;
  readonly epochs?: number;
  readonly learningRate?: number;
  readonly seed?: number;
  /** Print the loss every this many epochs (0: silent). */
  readonly printEvery?: number;
}

export interface RnnResult {
  /** The training loss after each epoch (on that epoch's batch, before its update). */
  readonly losses: number[];
  /** The loss on held-out windows after training, and the same for the "repeat the last value" baseline. */
  readonly testLoss: number;
  readonly baselineLoss: number;
}

/** `batch` windows of `steps + 1` values of a noisy sine (random phase and a period of about 25 steps). */
function windows(rand: () => number, batch: number, steps: number): number[][][] {
  const seq: number[][][] = Array.from({ length: steps + 1 }, () => []);
  for (let b = 0; b < batch; b++) {
    const phase = rand() * 2 * Math.PI;
    for (let t = 0; t <= steps; t++) seq[t]!.push([Math.sin(phase + 0.25 * t) + 0.05 * (2 * rand() - 1)]);
  }
  return seq; // [steps + 1, batch, 1]
}

export function trainRnn(options: RnnOptions = {}): RnnResult {
  const { hidden = 16, steps = 30, batch = 32, epochs = 300, learningRate = 0.05, seed = 1, printEvery = 0 } = options;
  const rand = seededRandom(seed);
  const init = (rows: number, cols: number, scale: number) =>
    Array.from({ length: rows }, () => Array.from({ length: cols }, () => scale * (2 * rand() - 1)));

  const Wx = theano.shared(init(1, hidden, 1), { name: 'Wx' });
  const Wh = theano.shared(init(hidden, hidden, 1 / Math.sqrt(hidden)), { name: 'Wh' });
  const b = theano.shared(new Array<number>(hidden).fill(0), { name: 'b' });
  const Wy = theano.shared(init(hidden, 1, 1 / Math.sqrt(hidden)), { name: 'Wy' });
  const c = theano.shared([0], { name: 'c' });
  const params = [Wx, Wh, b, Wy, c] as const;

  const x = T.dtensor3('x'); // [steps + 1, batch, 1]
  const inputs = x.get(T.slice(0, -1));
  const targets = x.get(T.slice(1, null));
  const h0 = T.zeros([T.shape(x, 1), hidden]);
  // the step's arguments are typed from sequences and outputsInfo: xt a [batch, 1] row, h the [batch, hidden] state
  const [hs] = theano.scan((xt, h) => T.tanh(T.dot(xt, Wx).add(T.dot(h, Wh)).add(b)), {
    sequences: [inputs],
    outputsInfo: [h0],
  });
  const predictions = T.matmul(hs, Wy).add(c); // [steps, batch, 1]
  const loss = T.mean(T.sqr(predictions.sub(targets)));

  // SGD with momentum: v <- 0.9 v - lr g; w <- w + v (Theano's update list, appended to pair by pair)
  const grads = T.grad(loss, [...params]);
  const updates: theano.Update[] = [];
  params.forEach((p, i) => {
    const v = theano.shared(theano.zeros(p.getValue().shape), { name: `v_${p.name}` });
    const vNext = v.mul(0.9).sub(grads[i]!.mul(learningRate));
    updates.push([v, vNext], [p, p.add(vNext)]);
  });
  const trainStep = theano.function([x], loss, { updates });
  const evaluate = theano.function([x], loss);

  const losses: number[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const l = trainStep(windows(rand, batch, steps));
    losses.push(l);
    if (printEvery > 0 && (epoch === 1 || epoch % printEvery === 0))
      console.log(`epoch ${String(epoch).padStart(4)}  loss ${l.toFixed(5)}`);
  }
  const test = windows(rand, 256, steps);
  const testLoss = evaluate(test);
  let baseline = 0;
  for (let t = 0; t < steps; t++)
    for (let k = 0; k < 256; k++) baseline += (test[t + 1]![k]![0]! - test[t]![k]![0]!) ** 2;
  const baselineLoss = baseline / (steps * 256);
  return { losses, testLoss, baselineLoss };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(
    'Elman RNN (hidden 16), next value of a noisy sine, windows of 30 steps, batch 32, BPTT with theano.scan',
  );
  const start = performance.now();
  const r = trainRnn({ printEvery: 25 });
  console.log(
    `held-out loss ${r.testLoss.toFixed(5)}; repeating the last value would give ${r.baselineLoss.toFixed(5)}`,
  );
  console.log(`trained in ${((performance.now() - start) / 1000).toFixed(1)} s`);
}
