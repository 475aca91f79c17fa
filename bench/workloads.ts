/**
 * Run time of compiled functions against hand-written JS, tfjs (pure-JS CPU backend) and theano-ts's own
 * reference evaluator, all in this process on the same seeded data:
 *
 * - W1: `1 / (1 + exp(-x)) * tanh(x) + x * x` on 1e6 elements (x uniform in [-3, 3)), float64 and float32;
 * - W2: `sum(exp(x))` on the same 1e6 elements;
 * - W4: one SGD step of the Theano tutorial's logistic regression (N = 4000 examples, 400 features, L2 penalty
 *   0.01, learning rate 0.1), with the step's cost returned;
 * - W5: one SGD step of a 784-256-10 MLP (relu hidden layer, softmax output, mean categorical cross-entropy
 *   against integer labels, batch 128, learning rate 0.1), with the step's cost returned;
 * - call overhead: a compiled `a + b` on two 2x2 float64 matrices, in microseconds per call.
 *
 * Peers: theano-ts FAST_RUN (the default mode); a hand-written JS loop (W1, W2 and W4; it allocates its
 * output like a compiled function must); tfjs (float32 only: tfjs has no float64); the reference evaluator
 * (`FAST_RUN.withLinker('reference')`: the same optimized graph, run op by op). Times are medians of the timed
 * runs after warm-up calls; every ratio compares numbers measured in this run. Each workload's result is
 * checked once: theano's against the hand loop's, the reference evaluator's and tfjs's.
 */
import * as tf from '@tensorflow/tfjs';
import * as theano from '../src/index.js';
import {
  fmt,
  fmtRatio,
  fmtSci,
  agrees,
  maxAbsDiff,
  maxAbs,
  targetNote,
  timeInterleaved,
  type BenchReport,
  type BenchTable,
} from './harness.js';
import {
  asDtype,
  checkedDiff,
  checkedStep,
  elemwiseInput,
  logregData,
  logregTf,
  logregTheano,
  LR_FEATS,
  LR_N,
  MLP_BATCH,
  MLP_HIDDEN,
  MLP_IN,
  MLP_OUT,
  mlpData,
  mlpTf,
  mlpTheano,
  ndarray,
  tfRun,
  w1Graph,
  w1Tf,
  w2Graph,
  type Dtype,
  type FloatArray,
  type Trainer,
} from './workload-defs.js';

const T = theano.tensor;
const REFERENCE = theano.FAST_RUN.withLinker('reference');

/** One row of a results table: theano, hand, tfjs and reference times and the differences between results. */
interface Row {
  workload: string;
  dtype: Dtype;
  theano: number;
  hand?: number;
  /** W1 float32 only: the hand loop rounding each op to float32. */
  handRounded?: number | undefined;
  tfjs?: number;
  reference: number;
  diffHand?: number;
  diffReference: number;
  diffTfjs?: number;
  /** Shown after a difference, e.g. a relative difference for a scalar result. */
  diffNote?: string;
  /** The magnitude of the results (the largest |value|), which the differences are judged against. */
  scale: number;
}

function resultsTable(title: string, rows: readonly Row[]): BenchTable {
  const ms = (x: number | undefined) => (x === undefined ? 'n/a' : x < 10 ? fmt(x, 2) : fmt(x, 1));
  const ratio = (a: number | undefined, b: number | undefined) =>
    fmtRatio(a === undefined || b === undefined ? undefined : a / b);
  const diff = (d: number | undefined) => (d === undefined ? 'n/a' : fmtSci(d));
  return {
    title,
    columns: [
      'workload',
      'dtype',
      'theano ms',
      'hand ms',
      'tfjs ms',
      'reference ms',
      'theano/hand',
      'tfjs/theano',
      'reference/theano',
      'max |theano − hand|',
      'max |theano − ref|',
      'max |tfjs − theano|',
    ],
    rows: rows.map((r) => [
      r.workload,
      r.dtype,
      ms(r.theano),
      ms(r.hand),
      ms(r.tfjs),
      ms(r.reference),
      ratio(r.theano, r.hand),
      ratio(r.tfjs, r.theano),
      ratio(r.reference, r.theano),
      diff(r.diffHand) + (r.diffNote ? ` ${r.diffNote}` : ''),
      diff(r.diffReference),
      diff(r.diffTfjs),
    ]),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// W1 and W2: elementwise and a reduction on 1e6 elements

const ELEMWISE_RUNS = 15;
const ELEMWISE_WARMUP = 2;

function w1Hand64(x: Float64Array): Float64Array {
  const n = x.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    out[i] = (1 / (1 + Math.exp(-v))) * Math.tanh(v) + v * v;
  }
  return out;
}

function w1Hand32(x: Float32Array): Float32Array {
  const n = x.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    out[i] = (1 / (1 + Math.exp(-v))) * Math.tanh(v) + v * v;
  }
  return out;
}

/**
 * W1 in float32 arithmetic, as theano-ts computes it: each op of the optimized graph (sigmoid, tanh, the product,
 * the square, the sum) rounded to float32, the last one by the store.
 */
function w1Hand32Rounded(x: Float32Array): Float32Array {
  const n = x.length;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    const s = Math.fround(1 / (1 + Math.exp(-v)));
    const t = Math.fround(Math.tanh(v));
    out[i] = Math.fround(s * t) + Math.fround(v * v);
  }
  return out;
}

function w2Hand64(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i]!);
  return s;
}

function w2Hand32(x: Float32Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.exp(x[i]!);
  return s;
}

function elemwise(base: Float64Array, dtype: Dtype): Row[] {
  const data = asDtype(base, dtype);
  const X = ndarray<1>(dtype, [data.length], data);
  const x = T.tensor(dtype, 1, 'x');
  const w1 = w1Graph(x);
  const w2 = w2Graph(x);
  const f1 = theano.function([x], w1);
  const r1 = theano.function([x], w1, { mode: REFERENCE });
  const f2 = theano.function([x], w2);
  const r2 = theano.function([x], w2, { mode: REFERENCE });
  const d64 = data as Float64Array;
  const d32 = data as Float32Array;
  const tx = dtype === 'float32' ? tf.tensor1d(d32) : undefined;

  const t1 = timeInterleaved(
    {
      theano: () => f1(X).data as FloatArray,
      hand: dtype === 'float64' ? () => w1Hand64(d64) : () => w1Hand32(d32),
      handRounded: dtype === 'float32' ? () => w1Hand32Rounded(d32) : undefined,
      tfjs: tx ? () => tfRun(() => w1Tf(tx)) : undefined,
      reference: () => r1(X).data as FloatArray,
    },
    ELEMWISE_RUNS,
    ELEMWISE_WARMUP,
  );
  const t2 = timeInterleaved(
    {
      theano: () => f2(X),
      hand: dtype === 'float64' ? () => w2Hand64(d64) : () => w2Hand32(d32),
      tfjs: tx ? () => tfRun(() => tf.sum(tf.exp(tx)))[0]! : undefined,
      reference: () => r2(X),
    },
    ELEMWISE_RUNS,
    ELEMWISE_WARMUP,
  );
  tx?.dispose();

  const row1: Row = {
    workload: 'W1 sigmoid·tanh + x²',
    dtype,
    theano: t1.theano.median,
    hand: t1.hand.median,
    tfjs: t1.tfjs?.median,
    reference: t1.reference.median,
    handRounded: t1.handRounded?.median,
    diffHand: maxAbsDiff(t1.theano.last, t1.hand.last),
    diffReference: maxAbsDiff(t1.theano.last, t1.reference.last),
    diffTfjs: t1.tfjs && maxAbsDiff(t1.tfjs.last, t1.theano.last),
    scale: maxAbs(t1.hand.last),
  };
  const row2: Row = {
    workload: 'W2 sum(exp(x))',
    dtype,
    theano: t2.theano.median,
    hand: t2.hand.median,
    tfjs: t2.tfjs?.median,
    reference: t2.reference.median,
    diffHand: Math.abs(t2.theano.last - t2.hand.last),
    diffReference: Math.abs(t2.theano.last - t2.reference.last),
    diffTfjs: t2.tfjs && Math.abs(t2.tfjs.last - t2.theano.last),
    diffNote: `(rel ${fmtSci(Math.abs(t2.theano.last - t2.hand.last) / Math.abs(t2.hand.last))})`,
    scale: Math.abs(t2.hand.last),
  };
  return [row1, row2];
}

// ---------------------------------------------------------------------------------------------------------------
// training steps: a peer starts from the initial parameters, takes one step (checked), then is timed

const TRAIN_RUNS = 7;
const TRAIN_WARMUP = 2;

/**
 * Checks one step of each peer from the same start, then times the peers' steps interleaved (the theano and
 * reference trainers share their shared variables; each step still does the same work). Returns a table row.
 */
async function trainRow(
  workload: string,
  dtype: Dtype,
  peers: { theano: Trainer; reference: Trainer; hand?: Trainer | undefined; tfjs?: Trainer | undefined },
): Promise<Row> {
  const theanoStep = await checkedStep(peers.theano);
  const referenceStep = await checkedStep(peers.reference);
  const handStep = peers.hand && (await checkedStep(peers.hand));
  const tfjsStep = peers.tfjs && (await checkedStep(peers.tfjs));
  const t = timeInterleaved(
    { theano: peers.theano.step, hand: peers.hand?.step, tfjs: peers.tfjs?.step, reference: peers.reference.step },
    TRAIN_RUNS,
    TRAIN_WARMUP,
  );
  for (const p of [peers.theano, peers.reference, peers.hand, peers.tfjs]) p?.dispose?.();
  return {
    workload,
    dtype,
    theano: t.theano.median,
    hand: t.hand?.median,
    tfjs: t.tfjs?.median,
    reference: t.reference.median,
    diffHand: handStep && checkedDiff(theanoStep, handStep),
    diffReference: checkedDiff(theanoStep, referenceStep),
    diffTfjs: tfjsStep && checkedDiff(tfjsStep, theanoStep),
    scale: (handStep ?? referenceStep).scale,
  };
}

// W4: logistic regression

/** One step of the logistic regression by hand, on row-major X (N x F) and 0/1 labels y; w and b update in place. */
function logregHandStep(X: FloatArray, y: FloatArray, w: FloatArray, b: { value: number }): number {
  const n = y.length;
  const f = w.length;
  const dz = new Float64Array(n);
  let xent = 0;
  for (let i = 0; i < n; i++) {
    let z = b.value;
    const row = i * f;
    for (let j = 0; j < f; j++) z += X[row + j]! * w[j]!;
    const p = 1 / (1 + Math.exp(-z));
    const t = y[i]!;
    xent -= t * Math.log(p) + (1 - t) * Math.log(1 - p);
    dz[i] = (p - t) / n;
  }
  let l2 = 0;
  for (let j = 0; j < f; j++) l2 += w[j]! * w[j]!;
  const cost = xent / n + 0.01 * l2;
  const gw = new Float64Array(f);
  let gb = 0;
  for (let i = 0; i < n; i++) {
    const d = dz[i]!;
    gb += d;
    const row = i * f;
    for (let j = 0; j < f; j++) gw[j] = gw[j]! + X[row + j]! * d;
  }
  for (let j = 0; j < f; j++) w[j] = w[j]! - 0.1 * (gw[j]! + 0.02 * w[j]!);
  b.value -= 0.1 * gb;
  return cost;
}

async function logisticRegression(dtype: Dtype): Promise<Row> {
  const d = logregData(dtype);
  // by hand
  const hw = d.w0.slice();
  const hb = { value: 0 };
  const hand: Trainer = {
    reset: () => {
      hw.set(d.w0);
      hb.value = 0;
    },
    step: () => logregHandStep(d.x, d.y, hw, hb),
    params: () => [hw, [hb.value]],
  };
  const tfjs = dtype === 'float32' ? logregTf(d) : undefined;
  const row = await trainRow(`W4 logreg step ${LR_N}x${LR_FEATS}`, dtype, {
    theano: logregTheano(d),
    reference: logregTheano(d, REFERENCE),
    hand,
    tfjs: tfjs?.trainer,
  });
  tf.dispose(tfjs?.tensors ?? []);
  return row;
}

// W5: MLP 784-256-10

async function mlp(dtype: Dtype): Promise<Row> {
  const d = mlpData(dtype);
  const tfjs = dtype === 'float32' ? mlpTf(d) : undefined;
  const row = await trainRow(`W5 MLP step ${MLP_IN}-${MLP_HIDDEN}-${MLP_OUT} b${MLP_BATCH}`, dtype, {
    theano: mlpTheano(d),
    reference: mlpTheano(d, REFERENCE),
    tfjs: tfjs?.trainer,
  });
  tf.dispose(tfjs?.tensors ?? []);
  return row;
}
// ---------------------------------------------------------------------------------------------------------------
// call overhead

const CALLS = 20_000;
const CALL_RUNS = 7;

interface OverheadRow {
  peer: string;
  inputs: string;
  us: number;
}

function callOverhead(): { rows: OverheadRow[]; theanoNDArrayUs: number; theanoNestedUs: number; diff: number } {
  const [a, b] = T.dmatrices('a', 'b');
  const fast = theano.function([a, b], T.add(a, b));
  const reference = theano.function([a, b], T.add(a, b), { mode: REFERENCE });
  const A = new theano.NDArray<'float64', 2>('float64', [2, 2], new Float64Array([1, 2, 3, 4]));
  const B = new theano.NDArray<'float64', 2>('float64', [2, 2], new Float64Array([5, 6, 7, 8]));
  const nestedA = [
    [1, 2],
    [3, 4],
  ];
  const nestedB = [
    [5, 6],
    [7, 8],
  ];
  const hand = (x: theano.NDArray<'float64', 2>, y: theano.NDArray<'float64', 2>) => {
    const out = new Float64Array(4);
    const xd = x.data;
    const yd = y.data;
    for (let i = 0; i < 4; i++) out[i] = xd[i]! + yd[i]!;
    return new theano.NDArray<'float64', 2>('float64', [2, 2], out);
  };
  const ta = tf.tensor2d([1, 2, 3, 4], [2, 2]);
  const tb = tf.tensor2d([5, 6, 7, 8], [2, 2]);

  /** `f` called CALLS times: one timed run. */
  let sink = 0;
  const loop = (f: () => number) => () => {
    for (let i = 0; i < CALLS; i++) sink += f();
    return sink;
  };
  const t = timeInterleaved(
    {
      theano: loop(() => fast(A, B).data[3]!),
      theanoNested: loop(() => fast(nestedA, nestedB).data[3]!),
      hand: loop(() => hand(A, B).data[3]!),
      tfjs: loop(() => {
        const c = tf.add(ta, tb);
        const v = c.dataSync()[3]!;
        c.dispose();
        return v;
      }),
      reference: loop(() => reference(A, B).data[3]!),
    },
    CALL_RUNS,
    1,
  );
  const us = (ms: number) => (ms * 1000) / CALLS;
  const rows: OverheadRow[] = [
    { peer: 'theano FAST_RUN', inputs: 'NDArray', us: us(t.theano.median) },
    { peer: 'theano FAST_RUN', inputs: 'nested JS arrays', us: us(t.theanoNested.median) },
    { peer: 'hand (new Float64Array + new NDArray)', inputs: 'NDArray', us: us(t.hand.median) },
    { peer: 'tfjs tf.add + dataSync', inputs: 'tf.Tensor (float32)', us: us(t.tfjs.median) },
    { peer: 'reference evaluator', inputs: 'NDArray', us: us(t.reference.median) },
  ];
  tf.dispose([ta, tb]);
  const diff = maxAbsDiff(fast(A, B).data, hand(A, B).data) + maxAbsDiff(fast(nestedA, nestedB).data, hand(A, B).data);
  return { rows, theanoNDArrayUs: rows[0]!.us, theanoNestedUs: rows[1]!.us, diff: sink > 0 ? diff : NaN };
}

// ---------------------------------------------------------------------------------------------------------------

export async function run(): Promise<BenchReport> {
  await tf.setBackend('cpu');
  await tf.ready();
  const tensorsBefore = tf.memory().numTensors;

  const base = elemwiseInput();
  const elemRows = [...elemwise(base, 'float64'), ...elemwise(base, 'float32')].sort((p, q) =>
    p.workload.localeCompare(q.workload),
  );
  const trainRows = [
    await logisticRegression('float64'),
    await logisticRegression('float32'),
    await mlp('float64'),
    await mlp('float32'),
  ];
  const overhead = callOverhead();

  const tables: BenchTable[] = [
    resultsTable(
      `W1, W2: 1e6 elements, x uniform in [-3, 3) (ms per call, median of ${ELEMWISE_RUNS} after ${ELEMWISE_WARMUP} warm-up calls)`,
      elemRows,
    ),
    resultsTable(
      `W4, W5: one SGD step, cost returned (ms per step, median of ${TRAIN_RUNS} after ${TRAIN_WARMUP} warm-up steps; differences: cost and parameters after one step from the same start)`,
      trainRows,
    ),
    {
      title: `call overhead: compiled a + b on two 2x2 float64 matrices (µs per call, median of ${CALL_RUNS} runs of ${CALLS} calls)`,
      columns: ['peer', 'inputs', 'µs per call'],
      rows: overhead.rows.map((r) => [r.peer, r.inputs, fmt(r.us, 3)]),
    },
  ];

  const find = (workload: string, dtype: Dtype) =>
    [...elemRows, ...trainRows].find((r) => r.workload.startsWith(workload) && r.dtype === dtype)!;
  const checks: string[] = [];
  for (const r of [...elemRows, ...trainRows]) {
    const wrong = (
      [
        ['the hand-written peer', r.diffHand],
        ['the reference evaluator', r.diffReference],
        ['tfjs', r.diffTfjs],
      ] as const
    ).filter(([, d]) => !agrees(d, r.scale, r.dtype));
    if (wrong.length > 0)
      checks.push(
        `CHECK FAILED: ${r.workload} ${r.dtype}: theano's result differs from ${wrong.map(([who, d]) => `${who}'s by ${fmtSci(d!)}`).join(' and ')} (results of magnitude ${fmtSci(r.scale)}; tolerance ${r.dtype === 'float32' ? '1e-4' : '1e-9'} of that)`,
      );
  }
  if (!checks.length)
    checks.push(
      "checks passed: every theano result agrees with the hand loop's, the reference evaluator's and tfjs's within rounding (1e-9 of the results' magnitude in float64, 1e-4 in float32)",
    );
  const notes: string[] = [];
  for (const dtype of ['float64', 'float32'] as const) {
    const r = find('W1', dtype);
    notes.push(targetNote(`W1 ${dtype}: theano time / hand-loop time`, r.theano / r.hand!, 'atMost', 1.15));
  }
  const w1f = find('W1', 'float32');
  notes.push(
    `W1 float32 against a hand loop that rounds each op to float32 as theano-ts does (the same arithmetic, ${fmt(w1f.handRounded!)} ms): theano time / hand time = ${fmtRatio(w1f.theano / w1f.handRounded!)}`,
  );
  notes.push(targetNote('W1 float32: tfjs time / theano time', w1f.tfjs! / w1f.theano, 'atLeast', 3));
  for (const dtype of ['float64', 'float32'] as const) {
    const r = find('W2', dtype);
    notes.push(targetNote(`W2 ${dtype}: theano time / hand-loop time`, r.theano / r.hand!, 'atMost', 1.15));
  }
  for (const w of ['W4', 'W5']) {
    const r = find(w, 'float32');
    notes.push(targetNote(`${w} float32: tfjs time / theano time`, r.tfjs! / r.theano, 'atLeast', 2));
  }
  notes.push(
    targetNote('call overhead, NDArray inputs: theano µs per call', overhead.theanoNDArrayUs, 'atMost', 2, ' µs'),
  );
  notes.push(
    `call overhead with nested JS arrays (converted on every call; no target): ${fmt(overhead.theanoNestedUs, 3)} µs per call; results agree with the hand version: ${overhead.diff === 0 ? 'yes' : `no (max diff ${overhead.diff})`}`,
    'tfjs has no float64: its float64 cells are n/a, and every tfjs comparison is against theano in float32. tfjs runs on its pure-JS CPU backend (`tf.setBackend("cpu")`), each call in tf.tidy and timed up to `dataSync()` of the result.',
    'W1 in tfjs uses tf.sigmoid for 1 / (1 + exp(-x)) (what theano-ts optimizes the expression into). The hand loops compute in doubles and round once on the float32 store, while theano computes float32 graphs in float32, so float32 differences of about 1e-6 relative are expected.',
    'W4: p = sigmoid(x·w + b), cost = mean binary cross-entropy + 0.01·sum(w²), w -= 0.1·gw, b -= 0.1·gb through `updates`; tfjs: the same formulas with tf.variable and tf.train.sgd(0.1).minimize. The hand step is two passes over x (forward, then the gradient).',
    'W5: hidden layer relu (T.relu, which is maximum(x, 0)), softmax output, mean categorical cross-entropy against int32 labels (tfjs: logSoftmax and a one-hot mask), 4 SGD updates; no hand-written peer.',
    'W2 float32: the hand loop accumulates in doubles; "rel" is the relative difference from it.',
    "the peers of each workload are timed interleaved (each round calls every peer once, starting with a different one each time), so they share the machine's load; ratios are steadier than the absolute times.",
  );
  notes.unshift(...checks);
  const leaked = tf.memory().numTensors - tensorsBefore;
  if (leaked !== 0) notes.push(`warning: ${leaked} tfjs tensors were not disposed`);
  return { title: 'Run time: elementwise, reductions, training steps, call overhead (W1, W2, W4, W5)', tables, notes };
}
