/**
 * theano-ts against the JavaScript tensor libraries a user would pick instead (issue 12's targets), in one
 * process on the same seeded data (`npm run bench -- peers`):
 *
 * - theano-ts `js`: `theano.FAST_RUN.withLinker('js')` (the generated JavaScript);
 * - theano-ts `wasm`: FAST_RUN, whose default linker is `'wasm'` (the WebAssembly SIMD kernels, GEMM and pool);
 * - jax-js (`@jax-js/jax`): its `wasm` device, every workload under `jit` (training steps: `valueAndGrad` and the
 *   SGD update inside one `jit`); single-threaded in Node (its worker pool needs a global `Worker`);
 * - tfjs-wasm: `@tensorflow/tfjs` on `@tensorflow/tfjs-backend-wasm` (XNNPACK), `setThreadsCount(1)`; float32 only;
 * - onnxruntime-node: one intra-op and one inter-op thread, on models written by theano-ts's own exporter
 *   (`theano.onnx.exportFunction`): W1-W3 as the compiled functions, W4/W5 as the whole training step (the
 *   parameters as inputs, the cost and the updated parameters as outputs; gradients included).
 *
 * Workloads (bench/workload-defs.ts defines them for bench/workloads.ts too): W1, W2 (1e6 elements, f32 and f64),
 * W3 (matmul 256, 512, 1024, f32), W4 (logistic-regression SGD step), W5 (784-256-10 MLP SGD step), and the call
 * overhead of a 2x2 add. Times are medians of interleaved rounds after warm-up; every peer's result is checked
 * against theano-ts `js`'s within a stated tolerance. A peer that fails to load or to run is reported, not fatal.
 *
 * Profiling one workload alone: `PEERS_ONLY` (a substring of "workload dtype", e.g. `W5 MLP step float32`),
 * `PEERS_PEER` (time only that peer: js, wasm, jax, tfwasm, ort) and `PEERS_RUNS` (timed rounds), e.g.
 * `PEERS_ONLY='W5 MLP step float32' PEERS_PEER=wasm PEERS_RUNS=300 node --cpu-prof --cpu-prof-dir=bench/results
 * --import tsx bench/run.ts peers`.
 */
import * as tf from '@tensorflow/tfjs';
import type * as Ort from 'onnxruntime-node';
import * as theano from '../src/index.js';
import { fmt, fmtRatio, fmtSci, maxAbs, maxAbsDiff, median, targetNote, type BenchReport } from './harness.js';
import {
  checkedDiff,
  checkedStep,
  elemwiseInput,
  logregCost,
  logregData,
  logregTf,
  logregTheano,
  LEARNING_RATE,
  LR_FEATS,
  LR_N,
  LR_L2,
  matmulOperands,
  MLP_BATCH,
  MLP_IN,
  MLP_OUT,
  MLP_PARAMS,
  mlpCost,
  mlpData,
  mlpTf,
  mlpTheano,
  ndarray,
  tfRun,
  w1Graph,
  w1Tf,
  w2Graph,
  asDtype,
  type Checked,
  type Dtype,
  type FloatArray,
  type LogregData,
  type MlpData,
  type Trainer,
} from './workload-defs.js';

const T = theano.tensor;
const WASM = theano.FAST_RUN.withLinker('wasm');
const JS = theano.FAST_RUN.withLinker('js');

type Jax = typeof import('@jax-js/jax');
type JaxArray = import('@jax-js/jax').Array;

const PEERS = ['js', 'wasm', 'jax', 'tfwasm', 'ort'] as const;
type Peer = (typeof PEERS)[number];
const LABEL: Record<Peer, string> = {
  js: 'theano js',
  wasm: 'theano wasm',
  jax: 'jax-js',
  tfwasm: 'tfjs-wasm',
  ort: 'onnxruntime',
};

const ONLY = process.env.PEERS_ONLY;
const ONLY_PEER = process.env.PEERS_PEER as Peer | undefined;
const RUNS_OVERRIDE = process.env.PEERS_RUNS ? Number(process.env.PEERS_RUNS) : undefined;

// ---------------------------------------------------------------------------------------------------------------
// loading the peers

interface Loaded {
  jax?: Jax;
  ort?: typeof Ort;
  tfwasm: boolean;
  /** Why a peer is missing, by peer. */
  missing: Partial<Record<Peer, string>>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);

/**
 * jax-js 0.1.25 tests `data instanceof Float16Array` when given a Float64Array, which throws where there is no
 * Float16Array (Node 20): an empty stand-in class while the benchmark runs (no `from`, so onnxruntime, which looks
 * for `Float16Array.from`, still sees none). Returns the function that removes it.
 */
function float16Shim(): () => void {
  const g = globalThis as { Float16Array?: unknown };
  if (g.Float16Array !== undefined) return () => {};
  g.Float16Array = class Float16ArrayUnavailable {};
  return () => delete g.Float16Array;
}

async function loadJax(): Promise<Jax> {
  const jax = await import('@jax-js/jax');
  const devices = await jax.init('wasm');
  if (!devices.includes('wasm')) throw new Error(`no wasm device (devices: ${devices.join(', ')})`);
  jax.defaultDevice('wasm');
  return jax;
}

async function loadTfWasm(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount(1);
  if (!(await tf.setBackend('wasm'))) throw new Error('tf.setBackend("wasm") failed');
  await tf.ready();
}

async function loadPeers(): Promise<Loaded> {
  const loaded: Loaded = { tfwasm: false, missing: {} };
  try {
    loaded.jax = await loadJax();
  } catch (e) {
    loaded.missing.jax = message(e);
  }
  try {
    await loadTfWasm();
    loaded.tfwasm = true;
  } catch (e) {
    loaded.missing.tfwasm = message(e);
  }
  try {
    loaded.ort = await import('onnxruntime-node');
  } catch (e) {
    loaded.missing.ort = message(e);
  }
  return loaded;
}

// ---------------------------------------------------------------------------------------------------------------
// timing and checking

type Result = ArrayLike<number> | number;
type Runner = () => Result | Promise<Result>;

/** A scalar result (no dims) as a number, any other as its flat data. */
const flat = (data: ArrayLike<number>, dims: readonly number[]): Result => (dims.length === 0 ? data[0]! : data);

/** One workload's peers: how each runs once (undefined: missing or failed to build). */
type Runners = Partial<Record<Peer, Runner>>;

interface Timed {
  median: number;
  last: Result;
}

/**
 * Times the peers interleaved, as harness.ts's timeInterleaved (each round calls every peer once, rotating who
 * goes first) but awaiting the asynchronous ones (onnxruntime's `session.run`). A peer that throws is dropped and
 * its error recorded in `failed`.
 */
async function timeRounds(
  runners: Runners,
  runs: number,
  warmup: number,
  failed: Partial<Record<Peer, string>>,
): Promise<Partial<Record<Peer, Timed>>> {
  const names = PEERS.filter((p) => runners[p] !== undefined && (!ONLY_PEER || p === ONLY_PEER));
  const ms: Partial<Record<Peer, number[]>> = {};
  const last: Partial<Record<Peer, Result>> = {};
  for (const p of names) ms[p] = [];
  const timedRuns = RUNS_OVERRIDE ?? runs;
  for (let round = 0; round < warmup + timedRuns; round++) {
    for (let i = 0; i < names.length; i++) {
      const p = names[(round + i) % names.length]!;
      if (failed[p]) continue;
      try {
        const start = performance.now();
        let r = runners[p]!();
        if (r instanceof Promise) r = await r;
        const t = performance.now() - start;
        last[p] = r;
        if (round >= warmup) ms[p]!.push(t);
      } catch (e) {
        failed[p] = message(e);
      }
    }
  }
  const out: Partial<Record<Peer, Timed>> = {};
  for (const p of names) if (!failed[p] && ms[p]!.length) out[p] = { median: median(ms[p]!), last: last[p]! };
  return out;
}

/** How a peer's result is compared with theano js's: the largest difference found and what it may be. */
interface Check {
  diff: number;
  tol: number;
  /** float64 rows: the float32 tolerance, to tell a peer computing at about float32 accuracy from a broken one. */
  loose?: number;
}

type CheckKind = 'elementwise' | 'sum' | 'matmul' | 'exact';

const EPS32 = 2 ** -24;

/**
 * The tolerances: elementwise results within 1e-4 (f32) or 1e-9 (f64) of their magnitude (at least 1), as
 * harness.ts's `agrees` (different but faithful exp/tanh/sigmoid); a sum of 1e6 terms within 2e-3 (f32) or 1e-9
 * (f64) relative (float32 accumulation order: each peer sums in its own order); a float32 product of inner length
 * k within 4·sqrt(k)·eps32·k (|a|, |b| < 1, so sum|a||b| <= k); the 2x2 add exactly.
 */
function check(kind: CheckKind, dtype: Dtype, ref: Result, got: Result, k = 0): Check {
  const a = typeof ref === 'number' ? [ref] : ref;
  const b = typeof got === 'number' ? [got] : got;
  const diff = maxAbsDiff(a, b);
  const scale = Math.max(1, maxAbs(a));
  const tolerance = (f32: boolean) =>
    kind === 'elementwise'
      ? (f32 ? 1e-4 : 1e-9) * scale
      : kind === 'sum'
        ? (f32 ? 2e-3 : 1e-9) * scale
        : kind === 'matmul'
          ? 4 * Math.sqrt(k) * (f32 ? EPS32 : 2 ** -53) * k
          : 0;
  return { diff, tol: tolerance(dtype === 'float32'), loose: dtype === 'float64' ? tolerance(true) : undefined };
}

/** One row of the results: each peer's median ms and its check against theano js. */
interface Row {
  workload: string;
  dtype: Dtype;
  /** Floating-point operations of one call (W3), for GFLOP/s. */
  flops?: number;
  /** Call overhead rows: µs per call instead of ms. */
  perCallUs?: boolean;
  ms: Partial<Record<Peer, number>>;
  checks: Partial<Record<Peer, Check>>;
  failed: Partial<Record<Peer, string>>;
}

const selected = (workload: string, dtype: Dtype) => !ONLY || `${workload} ${dtype}`.includes(ONLY);

/** Builds a peer's runner; a peer that throws while building is recorded as failed (missing from the row). */
function build(failed: Partial<Record<Peer, string>>, peer: Peer, make: () => Runner | undefined): Runner | undefined {
  try {
    return make();
  } catch (e) {
    failed[peer] = message(e);
    return undefined;
  }
}

/** Times the runners and checks each peer's last result against theano js's. */
async function measureRow(
  workload: string,
  dtype: Dtype,
  runners: Runners,
  failed: Partial<Record<Peer, string>>,
  timing: { runs: number; warmup: number },
  kind: CheckKind,
  k?: number,
): Promise<Row> {
  const t = await timeRounds(runners, timing.runs, timing.warmup, failed);
  const row: Row = { workload, dtype, ms: {}, checks: {}, failed };
  const ref = t.js?.last ?? (runners.js ? await runners.js() : undefined);
  for (const p of PEERS) {
    const timed = t[p];
    if (!timed) continue;
    row.ms[p] = timed.median;
    if (ref !== undefined && p !== 'js') row.checks[p] = check(kind, dtype, ref, timed.last, k);
  }
  return row;
}

// ---------------------------------------------------------------------------------------------------------------
// onnxruntime sessions

const ORT_OPTIONS: Ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
};

/** The ONNX model of `f` (theano-ts's exporter) in an onnxruntime session with one thread. */
async function ortSession(ort: typeof Ort, f: theano.CompiledFunction<never, unknown>): Promise<Ort.InferenceSession> {
  return ort.InferenceSession.create(theano.onnx.exportFunction(f), ORT_OPTIONS);
}

const ortTensor = (ort: typeof Ort, dtype: Dtype | 'int32', data: FloatArray | Int32Array, dims: readonly number[]) =>
  new ort.Tensor(dtype, data as never, [...dims]);

/** A runner calling `session` with `feeds`, returning its first output's data (a number for a scalar). */
function ortRunner(session: Ort.InferenceSession, feeds: Record<string, Ort.Tensor>): Runner {
  const out = session.outputNames[0]!;
  return async () => {
    const r = await session.run(feeds);
    return flat(r[out]!.data as FloatArray, r[out]!.dims);
  };
}

// ---------------------------------------------------------------------------------------------------------------
// one function, every peer: W1-W3 and the call overhead

/** A function of W1-W3 or the 2x2 add, for every peer. */
interface Spec {
  dtype: Dtype;
  /** theano-ts (and, through the exporter, onnxruntime): the graph's inputs and output. */
  inputs: theano.Tensor[];
  output: theano.Tensor;
  /** Each input's data and shape. */
  data: { data: FloatArray; shape: number[] }[];
  /** jax-js: the function to jit (its arguments are the inputs, as jax arrays). */
  jax?: (jax: Jax, ...args: JaxArray[]) => JaxArray;
  /** tfjs: the result of the inputs (float32 only). */
  tf?: (...args: tf.Tensor[]) => tf.Tensor;
}

/** theano js and wasm, jax-js, tfjs-wasm and onnxruntime running `spec`; `dispose` releases what they hold. */
async function specRunners(
  peers: Loaded,
  spec: Spec,
  failed: Partial<Record<Peer, string>>,
): Promise<{ runners: Runners; dispose: () => void }> {
  const { dtype, inputs, output, data } = spec;
  const runners: Runners = {};
  const disposers: (() => void)[] = [];
  const values = data.map((d) => ndarray(dtype, d.shape, d.data));
  for (const [peer, mode] of [
    ['js', JS],
    ['wasm', WASM],
  ] as const) {
    runners[peer] = build(failed, peer, () => {
      const f = theano.function(inputs, output, { mode }) as (...a: theano.NDArray[]) => unknown;
      return () => {
        const r = f(...values);
        return r instanceof theano.NDArray ? (r.data as FloatArray) : (r as number);
      };
    });
  }
  const { jax } = peers;
  runners.jax = build(failed, 'jax', () => {
    if (!jax || !spec.jax) return undefined;
    const args = data.map((d) => jax.numpy.array(d.data, { dtype: jaxDtype(jax, dtype), shape: d.shape }));
    const f = jax.jit((...xs: JaxArray[]) => spec.jax!(jax, ...xs));
    disposers.push(() => (args.forEach((a) => a.dispose()), f.dispose()));
    return () => {
      const r = f(...args.map((a) => a.ref));
      return flat(r.dataSync(), r.shape);
    };
  });
  runners.tfwasm = build(failed, 'tfwasm', () => {
    if (!peers.tfwasm || dtype !== 'float32' || !spec.tf) return undefined;
    const args = data.map((d) => tf.tensor(d.data as Float32Array, d.shape));
    disposers.push(() => tf.dispose(args));
    const dims = spec.output.type.ndim === 0 ? [] : [-1];
    return () =>
      flat(
        tfRun(() => spec.tf!(...args)),
        dims,
      );
  });
  if (peers.ort) {
    try {
      const session = await ortSession(peers.ort, theano.function(inputs, output) as never);
      disposers.push(() => void session.release());
      const feeds: Record<string, Ort.Tensor> = {};
      data.forEach((d, i) => (feeds[session.inputNames[i]!] = ortTensor(peers.ort!, dtype, d.data, d.shape)));
      runners.ort = ortRunner(session, feeds);
    } catch (e) {
      failed.ort = message(e);
    }
  }
  return { runners, dispose: () => disposers.forEach((d) => d()) };
}

/** Times and checks `spec` on every peer. */
async function specRow(
  peers: Loaded,
  workload: string,
  spec: Spec,
  timing: { runs: number; warmup: number },
  kind: CheckKind,
  k?: number,
): Promise<Row> {
  const failed: Partial<Record<Peer, string>> = {};
  const { runners, dispose } = await specRunners(peers, spec, failed);
  const row = await measureRow(workload, spec.dtype, runners, failed, timing, kind, k);
  dispose();
  return row;
}

// ---------------------------------------------------------------------------------------------------------------
// W1, W2: 1e6 elements

const ELEMWISE_TIMING = { runs: 11, warmup: 2 };

async function elemwise(peers: Loaded, which: 'W1' | 'W2', dtype: Dtype, base: Float64Array): Promise<Row | undefined> {
  const workload = which === 'W1' ? 'W1 sigmoid(x)·tanh(x) + x²' : 'W2 sum(exp(x))';
  if (!selected(workload, dtype)) return undefined;
  const x = T.tensor(dtype, 1, 'x');
  const spec: Spec = {
    dtype,
    inputs: [x],
    output: which === 'W1' ? w1Graph(x) : w2Graph(x),
    data: [{ data: asDtype(base, dtype), shape: [base.length] }],
    jax:
      which === 'W1'
        ? ({ numpy: np, nn }, v) => nn.sigmoid(v.ref).mul(np.tanh(v.ref)).add(v.ref.mul(v))
        : ({ numpy: np }, v) => np.sum(np.exp(v)),
    tf: which === 'W1' ? w1Tf : (v) => tf.sum(tf.exp(v)),
  };
  return specRow(peers, workload, spec, ELEMWISE_TIMING, which === 'W1' ? 'elementwise' : 'sum');
}

// ---------------------------------------------------------------------------------------------------------------
// W3: matmul, float32

const MATMUL_TIMING: Record<number, { runs: number; warmup: number }> = {
  256: { runs: 15, warmup: 3 },
  512: { runs: 7, warmup: 2 },
  1024: { runs: 5, warmup: 1 },
};

async function matmul(peers: Loaded, n: number): Promise<Row | undefined> {
  const workload = `W3 matmul ${n}`;
  if (!selected(workload, 'float32')) return undefined;
  const { a, b } = matmulOperands(n);
  const [x, y] = T.fmatrices('A', 'B');
  const spec: Spec = {
    dtype: 'float32',
    inputs: [x!, y!],
    output: T.dot(x!, y!),
    data: [a, b].map((d) => ({ data: Float32Array.from(d), shape: [n, n] })),
    jax: ({ numpy: np }, p, q) => np.matmul(p, q),
    tf: (p, q) => tf.matMul(p, q),
  };
  const row = await specRow(peers, workload, spec, MATMUL_TIMING[n]!, 'matmul', n);
  return { ...row, flops: 2 * n ** 3 };
}

// ---------------------------------------------------------------------------------------------------------------
// W4, W5: training steps

const TRAIN_TIMING = { runs: 11, warmup: 3 };

type JaxParams = Record<string, JaxArray>;
type JaxLoss = (p: JaxParams, x: JaxArray, y: JaxArray) => JaxArray;

/**
 * A jax-js trainer: one `jit` of `valueAndGrad(loss)` and the SGD update, the parameters passed in and returned
 * (jax-js arrays are immutable); `init` makes the initial parameters, `x` and `y` the bound data.
 */
function jaxTrainer(jax: Jax, loss: JaxLoss, init: () => JaxParams, x: JaxArray, y: JaxArray): Trainer {
  const step = jax.jit((p: JaxParams, xs: JaxArray, ys: JaxArray) => {
    const [cost, g] = jax.valueAndGrad(loss)(jax.tree.ref(p), xs, ys);
    const next: JaxParams = {};
    for (const k of Object.keys(p)) next[k] = p[k]!.sub(g[k]!.mul(LEARNING_RATE));
    return [cost, next] as [JaxArray, JaxParams];
  });
  let params: JaxParams | undefined;
  return {
    reset: () => {
      if (params) jax.tree.dispose(params);
      params = init();
    },
    step: () => {
      const [cost, next] = step(params!, x.ref, y.ref);
      params = next;
      return cost.dataSync()[0]!; // jit's outputs share one list of pending kernels: this runs the whole step
    },
    params: () => Object.values(params!).map((v) => v.ref.dataSync()),
    dispose: () => {
      if (params) jax.tree.dispose(params);
      x.dispose();
      y.dispose();
      step.dispose();
    },
  };
}

const jaxDtype = (jax: Jax, dtype: Dtype) => (dtype === 'float32' ? jax.numpy.float32 : jax.numpy.float64);

function jaxLogreg(jax: Jax, d: LogregData): Trainer {
  const { numpy: np, nn } = jax;
  const dtype = jaxDtype(jax, d.dtype);
  const loss: JaxLoss = (p, x, y) => {
    const pr = nn.sigmoid(np.matmul(x, p.w!.ref).add(p.b!));
    const xent = y.ref
      .mul(np.log(pr.ref))
      .add(np.subtract(1, y).mul(np.log(np.subtract(1, pr))))
      .mul(-1);
    return np.mean(xent).add(np.sum(np.square(p.w!)).mul(LR_L2));
  };
  const init = () => ({ w: np.array(d.w0, { dtype }), b: np.zeros([], { dtype }) });
  const x = np.array(d.x, { dtype, shape: [LR_N, LR_FEATS] });
  return jaxTrainer(jax, loss, init, x, np.array(d.y, { dtype }));
}

function jaxMlp(jax: Jax, d: MlpData): Trainer {
  const { numpy: np, nn } = jax;
  const dtype = jaxDtype(jax, d.dtype);
  const loss: JaxLoss = (p, x, onehot) => {
    const h = nn.relu(np.matmul(x, p.W1!).add(p.b1!));
    const z = np.matmul(h, p.W2!).add(p.b2!);
    return np.mean(np.sum(onehot.mul(nn.logSoftmax(z)), 1)).mul(-1);
  };
  const init = () =>
    Object.fromEntries(
      MLP_PARAMS.map(([name, shape], i) => [name, np.array(d.params[i]!, { dtype, shape: [...shape] })]),
    );
  const onehot = new (d.dtype === 'float32' ? Float32Array : Float64Array)(MLP_BATCH * MLP_OUT);
  d.labels.forEach((label, i) => (onehot[i * MLP_OUT + label] = 1));
  const x = np.array(d.x, { dtype, shape: [MLP_BATCH, MLP_IN] });
  return jaxTrainer(jax, loss, init, x, np.array(onehot, { dtype, shape: [MLP_BATCH, MLP_OUT] }));
}

/**
 * An onnxruntime trainer: the whole SGD step exported by theano-ts (`cost` of the fixed inputs and of the
 * parameters, given as inputs with static shapes; outputs: the cost and each `p - 0.1·grad`), each step feeding the
 * previous step's outputs back as the parameters.
 */
async function ortTrainer(
  ort: typeof Ort,
  dtype: Dtype,
  fixed: { v: theano.Tensor; data: FloatArray | Int32Array }[],
  params: { name: string; shape: readonly number[]; data: FloatArray }[],
  cost: (inputs: theano.Tensor[], params: theano.Tensor[]) => theano.Tensor,
): Promise<Trainer> {
  const vars = params.map((p) => T.tensor(dtype, p.shape as number[], p.name) as theano.Tensor);
  const c = cost(
    fixed.map((f) => f.v),
    vars,
  );
  const grads = T.grad(c as theano.Tensor<Dtype, 0>, vars) as theano.Tensor[];
  const outputs = [c, ...vars.map((v, i) => T.sub(v, T.mul(LEARNING_RATE, grads[i]!)))];
  const session = await ortSession(ort, theano.function([...fixed.map((f) => f.v), ...vars], outputs) as never);
  const tensor = (v: theano.Tensor, data: FloatArray | Int32Array) =>
    ortTensor(ort, v.dtype as Dtype, data, v.type.shape as number[]);
  const feeds: Record<string, Ort.Tensor> = {};
  fixed.forEach((f, i) => (feeds[session.inputNames[i]!] = tensor(f.v, f.data)));
  const paramNames = session.inputNames.slice(fixed.length);
  const initial = params.map((p, i) => tensor(vars[i]!, p.data));
  let current: Ort.Tensor[] = initial;
  return {
    reset: () => (current = initial),
    step: async () => {
      paramNames.forEach((name, i) => (feeds[name] = current[i]!));
      const r = await session.run(feeds);
      const out = session.outputNames.map((n) => r[n]!);
      current = out.slice(1);
      return (out[0]!.data as FloatArray)[0]!;
    },
    params: () => current.map((t) => t.data as FloatArray),
    dispose: () => void session.release(),
  };
}

function ortLogreg(ort: typeof Ort, d: LogregData): Promise<Trainer> {
  const x = T.tensor(d.dtype, [LR_N, LR_FEATS], 'x');
  const y = T.tensor(d.dtype, [LR_N], 'y');
  return ortTrainer(
    ort,
    d.dtype,
    [
      { v: x, data: d.x },
      { v: y, data: d.y },
    ],
    [
      { name: 'w', shape: [LR_FEATS], data: d.w0 },
      { name: 'b', shape: [], data: asDtype(new Float64Array(1), d.dtype) },
    ],
    (_, [w, b]) => logregCost(x, y, w as theano.Tensor<Dtype, 1>, b as theano.Tensor<Dtype, 0>),
  );
}

function ortMlp(ort: typeof Ort, d: MlpData): Promise<Trainer> {
  const x = T.tensor(d.dtype, [MLP_BATCH, MLP_IN], 'x');
  const y = T.tensor('int32', [MLP_BATCH], 'y');
  return ortTrainer(
    ort,
    d.dtype,
    [
      { v: x, data: d.x },
      { v: y, data: d.labels },
    ],
    MLP_PARAMS.map(([name, shape], i) => ({ name, shape, data: d.params[i]! })),
    (_, params) => mlpCost(x, y, params),
  );
}

/** Builds a trainer; one that throws is recorded as failed. */
async function buildTrainer(
  failed: Partial<Record<Peer, string>>,
  peer: Peer,
  make: () => Trainer | Promise<Trainer> | undefined,
): Promise<Trainer | undefined> {
  try {
    return await make();
  } catch (e) {
    failed[peer] = message(e);
    return undefined;
  }
}

/** Checks one step of each trainer from the same start against theano js's, then times the steps interleaved. */
async function trainRow(
  workload: string,
  dtype: Dtype,
  trainers: Partial<Record<Peer, Trainer>>,
  failed: Partial<Record<Peer, string>>,
): Promise<Row> {
  const checked: Partial<Record<Peer, Checked>> = {};
  for (const p of PEERS) {
    const t = trainers[p];
    if (!t) continue;
    try {
      checked[p] = await checkedStep(t);
    } catch (e) {
      failed[p] = message(e);
    }
  }
  const runners: Runners = {};
  for (const p of PEERS) if (checked[p]) runners[p] = trainers[p]!.step;
  const t = await timeRounds(runners, TRAIN_TIMING.runs, TRAIN_TIMING.warmup, failed);
  for (const p of PEERS) trainers[p]?.dispose?.();
  const row: Row = { workload, dtype, ms: {}, checks: {}, failed };
  const ref = checked.js;
  for (const p of PEERS) {
    if (!t[p]) continue;
    row.ms[p] = t[p]!.median;
    if (ref && p !== 'js' && checked[p])
      row.checks[p] = {
        diff: checkedDiff(ref, checked[p]!),
        tol: (dtype === 'float32' ? 1e-4 : 1e-9) * ref.scale,
        loose: dtype === 'float64' ? 1e-4 * ref.scale : undefined,
      };
  }
  return row;
}

async function logreg(peers: Loaded, dtype: Dtype): Promise<Row | undefined> {
  const workload = `W4 logreg step ${LR_N}x${LR_FEATS}`;
  if (!selected(workload, dtype)) return undefined;
  const d = logregData(dtype);
  const failed: Partial<Record<Peer, string>> = {};
  const tfModel = peers.tfwasm && dtype === 'float32' ? logregTf(d) : undefined;
  const trainers: Partial<Record<Peer, Trainer>> = {
    js: await buildTrainer(failed, 'js', () => logregTheano(d, JS)),
    wasm: await buildTrainer(failed, 'wasm', () => logregTheano(d, WASM)),
    jax: await buildTrainer(failed, 'jax', () => peers.jax && jaxLogreg(peers.jax, d)),
    tfwasm: tfModel?.trainer,
    ort: await buildTrainer(failed, 'ort', () => peers.ort && ortLogreg(peers.ort, d)),
  };
  const row = await trainRow(workload, dtype, trainers, failed);
  tf.dispose(tfModel?.tensors ?? []);
  return row;
}

async function mlp(peers: Loaded, dtype: Dtype): Promise<Row | undefined> {
  const workload = `W5 MLP step ${MLP_IN}-256-${MLP_OUT} b${MLP_BATCH}`;
  if (!selected(workload, dtype)) return undefined;
  const d = mlpData(dtype);
  const failed: Partial<Record<Peer, string>> = {};
  const tfModel = peers.tfwasm && dtype === 'float32' ? mlpTf(d) : undefined;
  const trainers: Partial<Record<Peer, Trainer>> = {
    js: await buildTrainer(failed, 'js', () => mlpTheano(d, JS)),
    wasm: await buildTrainer(failed, 'wasm', () => mlpTheano(d, WASM)),
    jax: await buildTrainer(failed, 'jax', () => peers.jax && jaxMlp(peers.jax, d)),
    tfwasm: tfModel?.trainer,
    ort: await buildTrainer(failed, 'ort', () => peers.ort && ortMlp(peers.ort, d)),
  };
  const row = await trainRow(workload, dtype, trainers, failed);
  tf.dispose(tfModel?.tensors ?? []);
  return row;
}

// ---------------------------------------------------------------------------------------------------------------
// call overhead: a + b on two 2x2 matrices, µs per call

const CALLS = 5000;
const CALL_TIMING = { runs: 7, warmup: 1 };

async function overhead(peers: Loaded, dtype: Dtype): Promise<Row | undefined> {
  const workload = 'call overhead 2x2 a + b';
  if (!selected(workload, dtype)) return undefined;
  const [x, y] = [T.tensor(dtype, 2, 'a'), T.tensor(dtype, 2, 'b')];
  const spec: Spec = {
    dtype,
    inputs: [x, y],
    output: T.add(x, y),
    data: [
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ].map((v) => ({ data: asDtype(Float64Array.from(v), dtype), shape: [2, 2] })),
    jax: (_, p, q) => p.add(q),
    tf: (p, q) => tf.add(p, q),
  };
  const failed: Partial<Record<Peer, string>> = {};
  const { runners: once, dispose } = await specRunners(peers, spec, failed);
  // one timed run: CALLS calls, awaiting each asynchronous one
  const runners: Runners = {};
  for (const p of PEERS) {
    const f = once[p];
    if (!f) continue;
    runners[p] = async () => {
      let r: Result = 0;
      for (let i = 0; i < CALLS; i++) {
        const v = f();
        r = v instanceof Promise ? await v : v;
      }
      return r;
    };
  }
  const row = await measureRow(workload, dtype, runners, failed, CALL_TIMING, 'exact');
  dispose();
  for (const p of PEERS) if (row.ms[p] !== undefined) row.ms[p] = (row.ms[p]! * 1000) / CALLS;
  return { ...row, perCallUs: true };
}

// ---------------------------------------------------------------------------------------------------------------
// the report

const cell = (row: Row, p: Peer) => {
  const v = row.ms[p];
  if (v === undefined) return row.failed[p] ? 'failed' : 'n/a';
  return row.perCallUs ? `${fmt(v, 2)} µs` : fmt(v, v < 10 ? 2 : 1);
};

/** peer time / theano wasm time: above 1, theano-ts wasm is faster. */
const speedup = (row: Row, p: Peer) =>
  row.ms[p] === undefined || row.ms.wasm === undefined ? undefined : row.ms[p]! / row.ms.wasm;

function timesTable(rows: readonly Row[]) {
  return {
    title:
      'ms per call (call overhead: µs per call), median of interleaved rounds after warm-up; "x/wasm": peer time / theano wasm time (above 1: theano wasm is faster)',
    columns: [
      'workload',
      'dtype',
      ...PEERS.map((p) => LABEL[p]),
      'wasm GFLOP/s',
      'js/wasm',
      'jax/wasm',
      'tfjs/wasm',
      'ort/wasm',
    ],
    rows: rows.map((r) => [
      r.workload,
      r.dtype,
      ...PEERS.map((p) => cell(r, p)),
      r.flops && r.ms.wasm ? fmt(r.flops / (r.ms.wasm * 1e6), 1) : '',
      ...(['js', 'jax', 'tfwasm', 'ort'] as const).map((p) => fmtRatio(speedup(r, p))),
    ]),
  };
}

function checksTable(rows: readonly Row[]) {
  const show = (r: Row, p: Peer) => {
    const c = r.checks[p];
    if (!c) return r.failed[p] ? 'failed' : 'n/a';
    if (c.diff <= c.tol) return `${fmtSci(c.diff)} <= ${fmtSci(c.tol)}`;
    return c.loose !== undefined && c.diff <= c.loose
      ? `${fmtSci(c.diff)} (f32-level: <= ${fmtSci(c.loose)})`
      : `${fmtSci(c.diff)} EXCEEDS ${fmtSci(c.tol)}`;
  };
  return {
    title:
      'checks: max |peer − theano js| against the tolerance (W4/W5: the cost and every parameter after one step from the same start)',
    columns: ['workload', 'dtype', ...PEERS.filter((p) => p !== 'js').map((p) => LABEL[p])],
    rows: rows.map((r) => [r.workload, r.dtype, ...PEERS.filter((p) => p !== 'js').map((p) => show(r, p))]),
  };
}

/** The targets, for the theano wasm linker, from the rows measured. */
function targetNotes(rows: readonly Row[]): string[] {
  const find = (w: string, dtype: Dtype) => rows.find((r) => r.workload.startsWith(w) && r.dtype === dtype);
  const notes: string[] = [];
  const inverse = (x: number | undefined) => (x === undefined ? undefined : 1 / x);
  for (const w of ['W1', 'W2'])
    for (const dtype of ['float32', 'float64'] as const) {
      const r = find(w, dtype);
      if (!r) continue;
      notes.push(targetNote(`${w} ${dtype}: jax-js time / theano wasm time`, speedup(r, 'jax'), 'atLeast', 1.5));
      if (dtype === 'float32')
        notes.push(
          targetNote(`${w} ${dtype}: tfjs-wasm time / theano wasm time`, speedup(r, 'tfwasm'), 'atLeast', 1.5),
        );
      notes.push(
        targetNote(`${w} ${dtype}: theano wasm time / onnxruntime time`, inverse(speedup(r, 'ort')), 'atMost', 2),
      );
    }
  const w3 = find('W3 matmul 1024', 'float32');
  if (w3) {
    notes.push(targetNote('W3 1024 f32: tfjs-wasm time / theano wasm time', speedup(w3, 'tfwasm'), 'atLeast', 1));
    notes.push(
      targetNote(
        'W3 1024 f32: theano wasm GFLOP/s',
        w3.ms.wasm && w3.flops! / (w3.ms.wasm * 1e6),
        'atLeast',
        30,
        ' GFLOP/s',
      ),
    );
    notes.push(targetNote('W3 1024 f32: jax-js time / theano wasm time', speedup(w3, 'jax'), 'atLeast', 1.5));
  }
  for (const w of ['W4', 'W5'])
    for (const dtype of ['float32', 'float64'] as const) {
      const r = find(w, dtype);
      if (!r) continue;
      notes.push(targetNote(`${w} ${dtype}: jax-js time / theano wasm time`, speedup(r, 'jax'), 'atLeast', 1.2));
      if (w === 'W5')
        notes.push(
          targetNote(`${w} ${dtype}: theano wasm time / onnxruntime time`, inverse(speedup(r, 'ort')), 'atMost', 3),
        );
    }
  for (const dtype of ['float32', 'float64'] as const) {
    const r = find('call overhead', dtype);
    if (r) notes.push(targetNote(`call overhead ${dtype}: theano wasm µs per call`, r.ms.wasm, 'atMost', 2, ' µs'));
  }
  return notes;
}

/** CHECK FAILED lines, failed peers, missing peers. */
function problemNotes(rows: readonly Row[], peers: Loaded): string[] {
  const notes: string[] = [];
  for (const [p, why] of Object.entries(peers.missing)) notes.push(`peer missing: ${LABEL[p as Peer]}: ${why}`);
  for (const r of rows) {
    for (const p of PEERS) {
      const c = r.checks[p];
      if (c && !(c.diff <= c.tol) && c.loose !== undefined && c.diff <= c.loose)
        notes.push(
          `accuracy: ${r.workload} ${r.dtype}: ${LABEL[p]} differs from theano js by ${fmtSci(c.diff)}: beyond float64 rounding (${fmtSci(c.tol)}), within the float32 tolerance (${fmtSci(c.loose)})`,
        );
      else if (c && !(c.diff <= c.tol))
        notes.push(
          `CHECK FAILED: ${r.workload} ${r.dtype}: ${LABEL[p]} differs from theano js by ${fmtSci(c.diff)} (tolerance ${fmtSci(c.tol)})`,
        );
      if (r.failed[p]) notes.push(`${LABEL[p]} failed on ${r.workload} ${r.dtype}: ${r.failed[p]}`);
    }
  }
  return notes;
}

const ORT_LEVEL_NOTE =
  "onnxruntime-node 1.31.1 computes MatMul(Transpose(x), v) of a 1-D v wrongly with graph optimizations 'extended' or 'all' (as if x were reshaped, not transposed: a 3x2 example gives [321, 654] for [531, 642]); our exporter gives MatMul 2-D operands (a vector as a row or column, squeezed after), so every session, W4's gradient x^T·dz included, runs at 'all'.";

const ABOUT = [
  ORT_LEVEL_NOTE,
  'theano wasm is `theano.FAST_RUN.withLinker("wasm")` as it is on this branch; the targets are the issue\'s, for it. tfjs-wasm has no float64 (its float64 cells are n/a); jax-js and onnxruntime run float64 too.',
  'jax-js: `@jax-js/jax` on its wasm device, every workload under `jit`, results read with `dataSync()`; training steps are one `jit` of `valueAndGrad` and the update. tfjs-wasm: XNNPACK kernels, `setThreadsCount(1)`, each call in `tf.tidy` up to `dataSync()`, training with `tf.train.sgd(0.1).minimize`.',
  'onnxruntime-node: 1 intra-op and 1 inter-op thread, sequential execution, all graph optimizations; the models are written by `theano.onnx.exportFunction` from the same graphs (W1-W3: the compiled functions; W4/W5: the whole SGD step with its gradients, parameters as inputs with static shapes and the cost and updated parameters as outputs, each step feeding the last outputs back), timed through `await session.run`.',
  "W1 uses each peer's sigmoid for 1/(1+exp(-x)) (theano-ts rewrites it to sigmoid). Every peer gets the same seeded data (bench/workload-defs.ts, as bench/workloads.ts); inputs live in each peer's own memory before timing, outputs are read back to JS arrays inside the timing.",
];

export async function run(): Promise<BenchReport> {
  const previousBackend = tf.getBackend();
  const removeShim = float16Shim();
  const peers = await loadPeers();
  const tensorsBefore = tf.memory().numTensors;
  const rows: Row[] = [];
  const push = (r: Row | undefined) => r && rows.push(r);
  try {
    const base = elemwiseInput();
    for (const which of ['W1', 'W2'] as const)
      for (const dtype of ['float32', 'float64'] as const) push(await elemwise(peers, which, dtype, base));
    for (const n of [256, 512, 1024]) push(await matmul(peers, n));
    for (const dtype of ['float32', 'float64'] as const) push(await logreg(peers, dtype));
    for (const dtype of ['float32', 'float64'] as const) push(await mlp(peers, dtype));
    for (const dtype of ['float32', 'float64'] as const) push(await overhead(peers, dtype));
  } finally {
    removeShim();
    if (previousBackend && previousBackend !== tf.getBackend()) await tf.setBackend(previousBackend);
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  const leakNote = leaked === 0 ? [] : [`warning: ${leaked} tfjs tensors were not disposed`];
  return {
    title: 'Peers: theano-ts (js, wasm) against jax-js, tfjs-wasm and onnxruntime-node (issue 12 targets)',
    tables: [timesTable(rows), checksTable(rows)],
    notes: [...problemNotes(rows, peers), ...leakNote, ...targetNotes(rows), ...ABOUT],
  };
}
