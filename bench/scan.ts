/**
 * Scan: the cost of the loop itself, and an RNN trained with backpropagation through time.
 *
 * - S1, scan overhead: a 1,000-step scalar recurrence h_t = tanh(w·h_{t-1} + u_t), all h_t returned, compiled
 *   with `theano.scan` (FAST_RUN), against the same loop written by hand in JS (it allocates its output like a
 *   compiled function must). Target: theano <= 2x the hand loop.
 * - S2, an Elman RNN forward and backward step: h_t = tanh(x_t·Wx + h_{t-1}·Wh + b), 100 steps, batch 32, 32
 *   inputs, hidden 128, float32, cost = sum over t of mean(h_t); the step returns the cost and its gradients with
 *   respect to Wx, Wh and b. Peers: theano-ts (`T.grad` through `theano.scan`, FAST_RUN), tfjs-cpu (`tf.grads`
 *   over the loop unrolled by tfjs's tape), and the same model unrolled by hand in JS (forward and BPTT written
 *   out with plain loops). Target: theano >= 2x faster than tfjs.
 *
 * - S3, a loop with a small vector state: a 6-unit tanh RNN over 512 steps, forward and its gradient, against the
 *   same model written by hand (forward, and BPTT); no target (it shows what a step's call costs).
 *
 * Peers are timed interleaved on the same seeded data; medians of the timed runs after warm-up (S1: 3,000
 * warm-up calls, then 300 timed; the reference evaluator, 400x slower, apart with 10); results checked against
 * each other once.
 */
import * as tf from '@tensorflow/tfjs';
import * as theano from '../src/index.js';
import type { Tensor } from '../src/index.js';
import {
  fmt,
  fmtRatio,
  fmtSci,
  maxAbsDiff,
  seededRandom,
  targetNote,
  timeInterleaved,
  uniformArray,
  type BenchReport,
} from './harness.js';

const T = theano.tensor;

// ------------------------------------------------------------------------------------------------ S1

const STEPS = 1000;

function handRecurrence(u: Float64Array, w: number, h0: number): Float64Array {
  const out = new Float64Array(u.length);
  let h = h0;
  for (let t = 0; t < u.length; t++) out[t] = h = Math.tanh(w * h + u[t]!);
  return out;
}

function scalarRecurrence(): { rows: (string | number)[][]; ratio: number } {
  const rand = seededRandom(11);
  const u = T.dvector('u');
  const w = T.dscalar('w');
  const h0 = T.dscalar('h0');
  const [hs] = theano.scan(
    (ut: Tensor<'float64', 0>, h: Tensor<'float64', 0>, wv: Tensor<'float64', 0>) => T.tanh(wv.mul(h).add(ut)),
    {
      sequences: [u],
      outputsInfo: [h0],
      nonSequences: [w],
    },
  ) as unknown as [Tensor<'float64', 1>];
  const f = theano.function([u, w, h0], hs);
  const reference = theano.function([u, w, h0], hs, { mode: 'FAST_COMPILE' });
  const uData = uniformArray(rand, STEPS);
  const uArray = new theano.NDArray<'float64', 1>('float64', [STEPS], uData);
  const t = timeInterleaved(
    {
      theano: () => f(uArray, 0.9, 0.1),
      hand: () => handRecurrence(uData, 0.9, 0.1),
    },
    300,
    // calls of tens of microseconds: V8 needs many warm-up calls before both loops run optimized code
    3000,
  );
  const slow = timeInterleaved({ reference: () => reference(uArray, 0.9, 0.1) }, 10, 2);
  const got = (t.theano!.last as theano.NDArray).contiguous().data as Float64Array;
  const diff = maxAbsDiff(got, t.hand!.last as Float64Array);
  if (!(diff < 1e-12)) throw new Error(`S1: theano and the hand loop differ by ${diff}`);
  const ratio = t.theano!.median / t.hand!.median;
  return {
    rows: [
      ['theano-ts FAST_RUN', fmt(t.theano!.median, 3), fmt((t.theano!.median * 1000) / STEPS, 3), fmtRatio(ratio)],
      ['hand-written JS loop', fmt(t.hand!.median, 3), fmt((t.hand!.median * 1000) / STEPS, 3), '1.00x'],
      [
        'theano-ts FAST_COMPILE (reference)',
        fmt(slow.reference!.median, 3),
        fmt((slow.reference!.median * 1000) / STEPS, 3),
        fmtRatio(slow.reference!.median / t.hand!.median),
      ],
    ],
    ratio,
  };
}

// ------------------------------------------------------------------------------------------------ S2

const RNN = { steps: 100, batch: 32, inputs: 32, hidden: 128 };

interface RnnData {
  x: Float32Array; // [steps, batch, inputs]
  Wx: Float32Array; // [inputs, hidden]
  Wh: Float32Array; // [hidden, hidden]
  b: Float32Array; // [hidden]
}

/** Forward and BPTT by hand: cost and the gradients of Wx, Wh and b (plain loops, float64 accumulation). */
function handRnn(d: RnnData): { cost: number; gWx: Float64Array; gWh: Float64Array; gb: Float64Array } {
  const { steps: S, batch: B, inputs: I, hidden: H } = RNN;
  const hs = new Float64Array((S + 1) * B * H); // h_0 = 0, then h_1..h_S
  let cost = 0;
  for (let t = 0; t < S; t++) {
    const prev = t * B * H;
    const cur = (t + 1) * B * H;
    for (let r = 0; r < B; r++) {
      const a = hs.subarray(cur + r * H, cur + (r + 1) * H);
      a.set(d.b);
      for (let k = 0; k < I; k++) {
        const xv = d.x[(t * B + r) * I + k]!;
        for (let j = 0; j < H; j++) a[j]! += xv * d.Wx[k * H + j]!;
      }
      for (let k = 0; k < H; k++) {
        const hv = hs[prev + r * H + k]!;
        if (hv === 0) continue;
        for (let j = 0; j < H; j++) a[j]! += hv * d.Wh[k * H + j]!;
      }
      for (let j = 0; j < H; j++) cost += (a[j] = Math.tanh(a[j]!)) / (B * H);
    }
  }
  const gWx = new Float64Array(I * H);
  const gWh = new Float64Array(H * H);
  const gb = new Float64Array(H);
  let dhNext = new Float64Array(B * H);
  const da = new Float64Array(B * H);
  for (let t = S - 1; t >= 0; t--) {
    const prev = t * B * H;
    const cur = (t + 1) * B * H;
    for (let i = 0; i < B * H; i++) {
      const h = hs[cur + i]!;
      da[i] = (1 / (B * H) + dhNext[i]!) * (1 - h * h);
    }
    const dh = new Float64Array(B * H);
    for (let r = 0; r < B; r++) {
      for (let k = 0; k < I; k++) {
        const xv = d.x[(t * B + r) * I + k]!;
        for (let j = 0; j < H; j++) gWx[k * H + j]! += xv * da[r * H + j]!;
      }
      for (let k = 0; k < H; k++) {
        const hv = hs[prev + r * H + k]!;
        let s = 0;
        for (let j = 0; j < H; j++) {
          const g = da[r * H + j]!;
          gWh[k * H + j]! += hv * g;
          s += g * d.Wh[k * H + j]!;
        }
        dh[r * H + k] = s;
      }
      for (let j = 0; j < H; j++) gb[j]! += da[r * H + j]!;
    }
    dhNext = dh;
  }
  return { cost, gWx, gWh, gb };
}

function rnnStep(): { rows: (string | number)[][]; notes: string[] } {
  const { steps: S, batch: B, inputs: I, hidden: H } = RNN;
  const rand = seededRandom(5);
  const data: RnnData = {
    x: Float32Array.from(uniformArray(rand, S * B * I)),
    Wx: Float32Array.from(uniformArray(rand, I * H, -0.2, 0.2)),
    Wh: Float32Array.from(uniformArray(rand, H * H, -1 / Math.sqrt(H), 1 / Math.sqrt(H))),
    b: Float32Array.from(uniformArray(rand, H, -0.1, 0.1)),
  };

  // theano-ts
  const x = T.ftensor3('x');
  const Wx = T.fmatrix('Wx');
  const Wh = T.fmatrix('Wh');
  const b = T.fvector('b');
  const h0 = T.zeros([T.shape(x, 1), H], 'float32');
  const [hs] = theano.scan(
    (
      xt: Tensor<'float32', 2>,
      h: Tensor<'float32', 2>,
      wx: Tensor<'float32', 2>,
      wh: Tensor<'float32', 2>,
      bias: Tensor<'float32', 1>,
    ) => T.tanh(T.dot(xt, wx).add(T.dot(h, wh)).add(bias)),
    { sequences: [x], outputsInfo: [h0], nonSequences: [Wx, Wh, b] },
  ) as unknown as [Tensor<'float32', 3>];
  const cost = T.sum(T.mean(hs, [1, 2])) as Tensor<'float32', 0>;
  const grads = T.grad(cost, [Wx, Wh, b]) as Tensor[];
  const f = theano.function([x, Wx, Wh, b], [cost, ...grads]);
  const args = [
    new theano.NDArray<'float32', 3>('float32', [S, B, I], data.x),
    new theano.NDArray<'float32', 2>('float32', [I, H], data.Wx),
    new theano.NDArray<'float32', 2>('float32', [H, H], data.Wh),
    new theano.NDArray<'float32', 1>('float32', [H], data.b),
  ] as const;

  // tfjs: the loop unrolled on tfjs's tape, differentiated by tf.grads
  const tx = tf.tensor3d(data.x, [S, B, I]);
  const xs = tf.unstack(tx);
  const tW = [tf.tensor2d(data.Wx, [I, H]), tf.tensor2d(data.Wh, [H, H]), tf.tensor1d(data.b)];
  const tfCost = (wx: tf.Tensor, wh: tf.Tensor, bias: tf.Tensor): tf.Scalar => {
    let h: tf.Tensor = tf.zeros([B, H]);
    let total: tf.Tensor = tf.scalar(0);
    for (let t = 0; t < S; t++) {
      h = tf.tanh(tf.add(tf.add(tf.matMul(xs[t]!, wx), tf.matMul(h, wh)), bias));
      total = tf.add(total, tf.mean(h));
    }
    return total as tf.Scalar;
  };
  const tfGrads = tf.grads((wx, wh, bias) => tfCost(wx!, wh!, bias!));
  const tfRun = () =>
    tf.tidy(() => {
      const value = tfCost(tW[0]!, tW[1]!, tW[2]!).dataSync()[0]!;
      const g = tfGrads(tW).map((t) => t.dataSync() as Float32Array);
      return { value, g };
    });

  const t = timeInterleaved(
    {
      theano: () => f(...args),
      tfjs: tfRun,
      hand: () => handRnn(data),
    },
    8,
    2,
  );
  const [tc, tgWx, tgWh, tgb] = t.theano!.last as [number, theano.NDArray, theano.NDArray, theano.NDArray];
  const hand = t.hand!.last as ReturnType<typeof handRnn>;
  const tfOut = t.tfjs!.last as ReturnType<typeof tfRun>;
  const diffs = [
    maxAbsDiff(tgWx.contiguous().data as Float32Array, hand.gWx),
    maxAbsDiff(tgWh.contiguous().data as Float32Array, hand.gWh),
    maxAbsDiff(tgb.contiguous().data as Float32Array, hand.gb),
  ];
  const tfDiff = Math.max(maxAbsDiff(tfOut.g[1]!, hand.gWh), maxAbsDiff(tfOut.g[2]!, hand.gb));
  const worst = Math.max(...diffs, Math.abs(tc - hand.cost));
  if (!(worst < 1e-3) || !(tfDiff < 1e-3))
    throw new Error(`S2: the gradients disagree (theano ${worst}, tfjs ${tfDiff})`);
  tf.dispose([tx, ...xs, ...tW]);
  const ms = (k: 'theano' | 'tfjs' | 'hand') => t[k]!.median;
  return {
    rows: [
      ['theano-ts FAST_RUN (scan + T.grad)', fmt(ms('theano'), 1), '1.00x', fmtSci(worst)],
      ['tfjs-cpu (tf.grads, loop unrolled)', fmt(ms('tfjs'), 1), fmtRatio(ms('tfjs') / ms('theano')), fmtSci(tfDiff)],
      ['hand-unrolled JS (forward + BPTT)', fmt(ms('hand'), 1), fmtRatio(ms('hand') / ms('theano')), '0'],
    ],
    notes: [targetNote('RNN forward+backward, tfjs time / theano time', ms('tfjs') / ms('theano'), 'atLeast', 2)],
  };
}

// ------------------------------------------------------------------------------------------------ S3

const SMALL = { steps: 512, hidden: 6 };

/** The small RNN's forward and d(sum h)/dW by hand: h_t = tanh(h_{t-1}·W + x_t), BPTT written out. */
function handSmallRnn(x: Float64Array, W: Float64Array, withGrad: boolean): { cost: number; gW?: Float64Array } {
  const { steps, hidden: H } = SMALL;
  const hs = new Float64Array((steps + 1) * H);
  let cost = 0;
  for (let t = 0; t < steps; t++)
    for (let j = 0; j < H; j++) {
      let z = x[t * H + j]!;
      for (let i = 0; i < H; i++) z += hs[t * H + i]! * W[i * H + j]!;
      cost += hs[(t + 1) * H + j] = Math.tanh(z);
    }
  if (!withGrad) return { cost };
  const gW = new Float64Array(H * H);
  const gh = new Float64Array(H).fill(0);
  const gz = new Float64Array(H);
  for (let t = steps - 1; t >= 0; t--) {
    for (let j = 0; j < H; j++) {
      const h = hs[(t + 1) * H + j]!;
      gz[j] = (gh[j]! + 1) * (1 - h * h);
    }
    for (let i = 0; i < H; i++) {
      let g = 0;
      for (let j = 0; j < H; j++) {
        gW[i * H + j]! += hs[t * H + i]! * gz[j]!;
        g += W[i * H + j]! * gz[j]!;
      }
      gh[i] = g;
    }
  }
  return { cost, gW };
}

/**
 * S3: per-step cost of a loop whose state is a small vector (a 6-unit tanh RNN, float64): each step runs the
 * step's compiled program (no scalar fast path), so the cost is the call, not the arithmetic.
 */
function smallRnn(): { rows: (string | number)[][]; forwardRatio: number } {
  const { steps, hidden: H } = SMALL;
  const rand = seededRandom(13);
  const wData = uniformArray(rand, H * H).map((v) => v * 0.5);
  const xData = uniformArray(rand, steps * H);
  const W = theano.shared(new theano.NDArray<'float64', 2>('float64', [H, H], wData.slice()));
  const x = T.dmatrix('x');
  const [hs] = theano.scan((xt, hp) => T.tanh(T.dot(hp, W).add(xt)), {
    sequences: [x],
    outputsInfo: [T.zeros([H])],
  });
  const cost = hs.sum();
  const forward = theano.function([x], cost);
  const gradient = theano.function([x], T.grad(cost, W));
  const xArray = new theano.NDArray<'float64', 2>('float64', [steps, H], xData);
  const t = timeInterleaved(
    {
      forward: () => forward(xArray),
      handForward: () => handSmallRnn(xData, wData, false).cost,
      gradient: () => gradient(xArray),
      handGradient: () => handSmallRnn(xData, wData, true).gW,
    },
    60,
    40,
  );
  const costDiff = Math.abs((t.forward!.last as number) - (t.handForward!.last as number));
  const gDiff = maxAbsDiff(
    (t.gradient!.last as theano.NDArray).contiguous().data as Float64Array,
    t.handGradient!.last as Float64Array,
  );
  if (!(costDiff < 1e-9 && gDiff < 1e-9))
    throw new Error(`S3: theano and the hand loop differ by ${costDiff}, ${gDiff}`);
  const us = (k: keyof typeof t) => (t[k]!.median * 1000) / steps;
  return {
    rows: [
      ['theano-ts FAST_RUN forward', fmt(us('forward'), 2), fmtRatio(us('forward') / us('handForward'))],
      ['hand-written JS forward', fmt(us('handForward'), 2), '1.00x'],
      [
        'theano-ts FAST_RUN gradient (scan + T.grad)',
        fmt(us('gradient'), 2),
        fmtRatio(us('gradient') / us('handGradient')),
      ],
      ['hand-written JS forward + BPTT', fmt(us('handGradient'), 2), '1.00x'],
    ],
    forwardRatio: us('forward') / us('handForward'),
  };
}

export async function run(): Promise<BenchReport> {
  await tf.setBackend('cpu');
  const s1 = scalarRecurrence();
  const s2 = rnnStep();
  const s3 = smallRnn();
  return {
    title: 'scan: loop overhead and an RNN forward+backward step',
    tables: [
      {
        title: `S1: ${STEPS}-step scalar recurrence h_t = tanh(w h_{t-1} + u_t), median`,
        columns: ['peer', 'ms per call', 'µs per step', 'vs hand'],
        rows: s1.rows,
      },
      {
        title: `S2: Elman RNN forward+backward, ${RNN.steps} steps, batch ${RNN.batch}, ${RNN.inputs} inputs, hidden ${RNN.hidden}, float32, median`,
        columns: ['peer', 'ms per step', 'time / theano', 'max |gradient - hand|'],
        rows: s2.rows,
      },
      {
        title: `S3: a ${SMALL.hidden}-unit tanh RNN over ${SMALL.steps} steps (vector state, float64), median`,
        columns: ['peer', 'µs per step', 'vs hand'],
        rows: s3.rows,
      },
    ],
    notes: [targetNote('scalar recurrence, theano time / hand loop time', s1.ratio, 'atMost', 2), ...s2.notes],
  };
}
