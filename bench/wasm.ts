/**
 * The `wasm` linker (first slice: elementwise f32/f64 arithmetic as SIMD WebAssembly) against the `js` linker,
 * in one process on the same seeded data (`npm run bench -- wasm`):
 *
 * - A1: `clip((x * y - z) / (|y| + 0.5), -1, 1)` on 1e6 elements (three inputs, one output: a kernel the wasm
 *   renderer lowers completely), with a hand-written JS loop and the cost of the boundary alone (copying three
 *   inputs into wasm memory and one output out: what the current slice pays per call);
 * - A2: `maximum(x, 0) * y + x` (relu-like, two inputs), 1e6 elements;
 * - W1, W2 (1e6, f32/f64) as in bench/workloads.ts: exp, tanh, sigmoid and the sum over every axis run as wasm;
 * - M1 `log(|x| + 1) + log1p(|x|) + softplus(x)` and M2 `sin(x) * cos(x)` (1e6, f32/f64): the vector log family
 *   and sin/cos (src/wasm/math-log.ts, math-trig.ts) against V8's Math.log, Math.log1p, Math.sin, Math.cos;
 * - W5: one SGD step of the 784-256-10 MLP (its update kernels `W - 0.1 * gW` are lowered; relu's mask is not).
 *
 * Times are medians of interleaved runs after warm-up; every ratio compares numbers from this run.
 */
import * as theano from '../src/index.js';
import { wasmOptions } from '../src/wasm/kernel.js';
import { fmt, fmtRatio, maxAbsDiff, seededRandom, timeInterleaved, uniformArray, type BenchReport } from './harness.js';

const T = theano.tensor;
const WASM = theano.FAST_RUN.withLinker('wasm');
/** The baseline, pinned (FAST_RUN itself links with 'wasm' where SIMD exists). */
const JS = theano.FAST_RUN.withLinker('js');
type Dtype = 'float32' | 'float64';
const N = 1_000_000;
const RUNS = 15;
const WARMUP = 3;

const floats = (dtype: Dtype, data: Float64Array) => (dtype === 'float32' ? Float32Array.from(data) : data.slice());
const vec = (dtype: Dtype, data: Float32Array | Float64Array) =>
  new theano.NDArray<Dtype, 1>(dtype, [data.length], data as never);

interface Row {
  readonly workload: string;
  readonly dtype: Dtype;
  readonly js: number;
  readonly wasm: number;
  readonly hand?: number;
  readonly boundary?: number;
  readonly diff: number;
}

function a1(dtype: Dtype): Row {
  const rand = seededRandom(11);
  const [xs, ys, zs] = [0, 1, 2].map(() => floats(dtype, uniformArray(rand, N, -3, 3))) as Float64Array[];
  const [x, y, z] = [T.tensor(dtype, 1, 'x'), T.tensor(dtype, 1, 'y'), T.tensor(dtype, 1, 'z')];
  const e = T.clip(T.div(T.sub(T.mul(x, y), z), T.add(T.abs(y), 0.5)), -1, 1);
  const js = theano.function([x, y, z], e, { mode: JS });
  const wasm = theano.function([x, y, z], e, { mode: WASM });
  const [X, Y, Z] = [vec(dtype, xs!), vec(dtype, ys!), vec(dtype, zs!)];
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  const Out = dtype === 'float32' ? Float32Array : Float64Array;
  const hand = () => {
    const out = new Out(N);
    for (let i = 0; i < N; i++) {
      const v = round(round(round(xs![i]! * ys![i]!) - zs![i]!) / round(Math.abs(ys![i]!) + 0.5));
      out[i] = Math.min(Math.max(v, -1), 1);
    }
    return out;
  };
  // the boundary alone: three inputs in, one output out, as the wasm kernel copies them
  const arena = new Out(4 * N);
  const boundary = () => {
    arena.set(xs!, 0);
    arena.set(ys!, N);
    arena.set(zs!, 2 * N);
    const out = new Out(N);
    out.set(arena.subarray(3 * N, 4 * N));
    return out;
  };
  const t = timeInterleaved(
    { js: () => js(X, Y, Z).data, wasm: () => wasm(X, Y, Z).data, hand, boundary },
    RUNS,
    WARMUP,
  );
  const diff = maxAbsDiff(t.wasm.last as ArrayLike<number>, t.js.last as ArrayLike<number>);
  return {
    workload: 'A1 clip((x*y - z) / (|y| + 0.5))',
    dtype,
    js: t.js.median,
    wasm: t.wasm.median,
    hand: t.hand.median,
    boundary: t.boundary.median,
    diff,
  };
}

/** Times a compiled expression of one or two 1e6-element inputs under both linkers. */
function pair(workload: string, dtype: Dtype, inputs: number, build: (...xs: theano.Tensor[]) => theano.Tensor): Row {
  const rand = seededRandom(12);
  const datas = Array.from({ length: inputs }, () => floats(dtype, uniformArray(rand, N, -3, 3)));
  const xs = datas.map((_, i) => T.tensor(dtype, 1, `x${i}`));
  const e = build(...xs);
  const js = theano.function(xs, e, { mode: JS });
  const wasm = theano.function(xs, e, { mode: WASM });
  const args = datas.map((d) => vec(dtype, d));
  const value = (v: unknown) => (v instanceof theano.NDArray ? (v.data as ArrayLike<number>) : [v as number]);
  const t = timeInterleaved({ js: () => value(js(...args)), wasm: () => value(wasm(...args)) }, RUNS, WARMUP);
  return {
    workload,
    dtype,
    js: t.js.median,
    wasm: t.wasm.median,
    diff: maxAbsDiff(t.wasm.last, t.js.last),
  };
}

/** Times a compiled expression of one 1000x1000 matrix (and a row vector) under both linkers. */
function matrixPair(
  workload: string,
  dtype: Dtype,
  build: (x: theano.Tensor, v: theano.Tensor) => theano.Tensor,
  transposed = false,
): Row {
  const n = 1000;
  const rand = seededRandom(13);
  const m = floats(dtype, uniformArray(rand, n * n, -3, 3));
  const r = floats(dtype, uniformArray(rand, n, -3, 3));
  const x = T.tensor(dtype, 2, 'x');
  const v = T.tensor(dtype, 1, 'v');
  const e = build(x, v);
  const opts = { onUnusedInput: 'ignore' as const };
  const js = theano.function([x, v], e, { ...opts, mode: JS });
  const wasm = theano.function([x, v], e, { ...opts, mode: WASM });
  const X = new theano.NDArray<Dtype, 2>(dtype, [n, n], m as never, transposed ? [1, n] : [n, 1], 0);
  const V = vec(dtype, r);
  const value = (o: unknown) => (o instanceof theano.NDArray ? (o.data as ArrayLike<number>) : [o as number]);
  const t = timeInterleaved({ js: () => value(js(X, V)), wasm: () => value(wasm(X, V)) }, RUNS, WARMUP);
  return { workload, dtype, js: t.js.median, wasm: t.wasm.median, diff: maxAbsDiff(t.wasm.last, t.js.last) };
}

/** The nested loops: broadcasting, partial reductions, a transposed operand (1000x1000). */
function loopRows(dtype: Dtype): Row[] {
  return [
    matrixPair('L1 x + row vector (broadcast), 1000x1000', dtype, (x, v) => T.add(x, v)),
    matrixPair('L2 sum(x, axis=1), 1000x1000', dtype, (x) => T.sum(x, 1)),
    matrixPair('L3 sum(x, axis=0), 1000x1000', dtype, (x) => T.sum(x, 0)),
    matrixPair('L4 exp(x - max(x, axis=1, keepdims))', dtype, (x) => T.exp(T.sub(x, T.max(x, 1, { keepdims: true })))),
    matrixPair('L5 x.T * 2 + 1 (transposed operand)', dtype, (x) => T.add(T.mul(x, 2), 1), true),
  ];
}

/** One end-to-end row: the same expression under the js linker, wasm copying every operand, and wasm zero-copy. */
interface EndToEndRow {
  readonly workload: string;
  readonly dtype: Dtype;
  readonly js: number;
  readonly copying: number;
  readonly zeroCopy: number;
  readonly diff: number;
}

/**
 * `f(x)` from the caller's JS arrays to a returned JS array, copies included: the js linker, the wasm linker as
 * the first slice ran it (the pool in JS memory: each wasm kernel copies its operands in and its results out), and
 * with the pool in the wasm arena (intermediates passed in place; only the caller's arrays and the result cross).
 */
function endToEnd(workload: string, dtype: Dtype, inputs: number, build: (...xs: theano.Tensor[]) => theano.Tensor) {
  const rand = seededRandom(13);
  const datas = Array.from({ length: inputs }, () => floats(dtype, uniformArray(rand, N, -3, 3)));
  const xs = datas.map((_, i) => T.tensor(dtype, 1, `x${i}`));
  const e = build(...xs);
  const js = theano.function(xs, e, { mode: JS });
  wasmOptions.zeroCopy = false;
  const copying = theano.function(xs, e, { mode: WASM });
  wasmOptions.zeroCopy = true;
  const zeroCopy = theano.function(xs, e, { mode: WASM });
  const args = datas.map((d) => vec(dtype, d));
  const value = (v: unknown) => (v instanceof theano.NDArray ? (v.data as ArrayLike<number>) : [v as number]);
  const t = timeInterleaved(
    {
      js: () => value(js(...args)),
      copying: () => value(copying(...args)),
      zeroCopy: () => value(zeroCopy(...args)),
    },
    RUNS,
    WARMUP,
  );
  return {
    workload,
    dtype,
    js: t.js.median,
    copying: t.copying.median,
    zeroCopy: t.zeroCopy.median,
    diff: maxAbsDiff(t.zeroCopy.last, t.js.last),
  };
}

/** x, y -> k1 -> reshape -> k2 -> reshape -> k3: three wasm kernels separated by steps that do not fuse. */
const chain3 = (x: theano.Tensor, y: theano.Tensor) => {
  const k1 = T.maximum(T.sub(T.mul(x, y), 0.25), T.neg(x));
  const k2 = T.add(T.mul(T.reshape(k1, [-1, 4]), 1.5), T.reshape(y, [-1, 4]));
  return T.sub(T.sqrt(T.abs(T.reshape(k2, [-1]))), x);
};

function mlpStep(dtype: Dtype): Row {
  const [batch, nIn, nHidden, nOut] = [128, 784, 256, 10];
  const make = (mode: theano.Mode | undefined) => {
    const rand = seededRandom(5);
    const xData = floats(dtype, uniformArray(rand, batch * nIn, 0, 1));
    const labels = Int32Array.from({ length: batch }, () => Math.floor(rand() * nOut));
    const x = T.tensor(dtype, 2, 'x');
    const y = T.ivector('y');
    const param = <R extends 1 | 2>(name: string, shape: number[], lo: number) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const data = lo === 0 ? floats(dtype, new Float64Array(n)) : floats(dtype, uniformArray(rand, n, -lo, lo));
      return theano.shared(new theano.NDArray<Dtype, R>(dtype, shape, data as never), { name });
    };
    const W1 = param<2>('W1', [nIn, nHidden], 1 / 28);
    const b1 = param<1>('b1', [nHidden], 0);
    const W2 = param<2>('W2', [nHidden, nOut], 1 / 16);
    const b2 = param<1>('b2', [nOut], 0);
    const hidden = T.relu(T.add(T.dot(x, W1), b1));
    const probabilities = T.softmax(T.add(T.dot(hidden, W2), b2));
    const cost = T.mean(T.categoricalCrossentropy(probabilities, y));
    const params = [W1, b1, W2, b2];
    const grads = T.grad(cost, params);
    const updates = params.map((v, i) => [v, T.sub(v, T.mul(0.1, grads[i]!))]) as unknown as theano.Update[];
    const f = theano.function([x, y], cost, mode ? { updates, mode } : { updates });
    const X = new theano.NDArray<Dtype, 2>(dtype, [batch, nIn], xData as never);
    const Y = new theano.NDArray<'int32', 1>('int32', [batch], labels);
    return () => [f(X, Y) as number];
  };
  const t = timeInterleaved({ js: make(JS), wasm: make(WASM) }, 9, 2);
  return {
    workload: 'W5 MLP SGD step (784-256-10, batch 128)',
    dtype,
    js: t.js.median,
    wasm: t.wasm.median,
    diff: NaN, // the two trainers take different numbers of steps in the interleaving: costs are not compared
  };
}

/** M1: the logarithm family in one kernel (log, log1p, softplus; each a vector routine). */
const logWorkload = (x?: theano.Tensor) => T.add(T.add(T.log(T.add(T.abs(x!), 1)), T.log1p(T.abs(x!))), T.softplus(x!));

export async function run(): Promise<BenchReport> {
  const rows: Row[] = [];
  for (const dtype of ['float32', 'float64'] as const) {
    rows.push(a1(dtype));
    rows.push(pair('A2 maximum(x, 0) * y + x', dtype, 2, (x, y) => T.add(T.mul(T.maximum(x!, 0), y!), x!)));
    rows.push(
      pair('W1 sigmoid(x) * tanh(x) + x * x', dtype, 1, (x) =>
        T.add(T.mul(T.div(1, T.add(1, T.exp(T.neg(x!)))), T.tanh(x!)), T.mul(x!, x!)),
      ),
    );
    rows.push(pair('W2 sum(exp(x))', dtype, 1, (x) => T.sum(T.exp(x!))));
    rows.push(pair('M1 log(|x| + 1) + log1p(|x|) + softplus(x)', dtype, 1, logWorkload));
    rows.push(pair('M2 sin(x) * cos(x)', dtype, 1, (x) => T.mul(T.sin(x!), T.cos(x!))));
    rows.push(...loopRows(dtype));
    rows.push(mlpStep(dtype));
  }
  const ends: EndToEndRow[] = [];
  for (const dtype of ['float32', 'float64'] as const) {
    ends.push(endToEnd('C3 three kernels split by reshapes', dtype, 2, (x, y) => chain3(x!, y!)));
  }
  ends.push(
    endToEnd('W1 sigmoid(x) * tanh(x) + x * x', 'float32', 1, (x) =>
      T.add(T.mul(T.div(1, T.add(1, T.exp(T.neg(x!)))), T.tanh(x!)), T.mul(x!, x!)),
    ),
  );
  ends.push(endToEnd('W2 sum(exp(x))', 'float32', 1, (x) => T.sum(T.exp(x!))));
  const ms = (v: number | undefined) => (v === undefined ? 'n/a' : fmt(v, 2));
  return {
    title: 'WebAssembly linker (first slice) against the JS linker',
    tables: [
      {
        title: `1e6 elements unless stated (ms per call, median of ${RUNS} interleaved runs after ${WARMUP} warm-up calls)`,
        columns: [
          'workload',
          'dtype',
          'js ms',
          'wasm ms',
          'js / wasm',
          'hand JS ms',
          'boundary copies ms',
          'max |wasm - js|',
        ],
        rows: rows.map((r) => [
          r.workload,
          r.dtype,
          ms(r.js),
          ms(r.wasm),
          fmtRatio(r.js / r.wasm),
          ms(r.hand),
          ms(r.boundary),
          Number.isNaN(r.diff) ? 'n/a' : r.diff.toExponential(1),
        ]),
      },
      {
        title: `f(x) end to end from JS arrays, copies included (1e6 elements; ms per call, median of ${RUNS} interleaved runs)`,
        columns: [
          'workload',
          'dtype',
          'js ms',
          'wasm copying ms',
          'wasm zero-copy ms',
          'js / zero-copy',
          'copying / zero-copy',
          'max |wasm - js|',
        ],
        rows: ends.map((r) => [
          r.workload,
          r.dtype,
          ms(r.js),
          ms(r.copying),
          ms(r.zeroCopy),
          fmtRatio(r.js / r.zeroCopy),
          fmtRatio(r.copying / r.zeroCopy),
          r.diff.toExponential(1),
        ]),
      },
    ],
    notes: [
      '"wasm copying": the pool in JS memory, every wasm kernel copying its operands into the arena and its results out (the first slice). "zero-copy": the pool in the arena (wasmOptions.zeroCopy, the default): intermediates stay in wasm memory, only the caller\'s arrays and the returned result cross.',
      'js / wasm above 1: the wasm linker is faster. "boundary copies": copying the kernel\'s inputs into wasm memory and its output back, alone (the price of the copy-based first slice).',
      'W1, W2, M1 and M2 run as wasm (vectorized exp, sigmoid, tanh, log, log1p, softplus, sin, cos; the sum over every axis): their differences are the ulp-level differences of those functions (docs/codegen.md).',
      "L1-L5 run the nested wasm loops (src/wasm/render-loops.ts): the innermost loop is SIMD when every operand's innermost stride is 1 or 0 (L1-L4), scalar otherwise (L5, whose operand is read through a transpose); their inputs are copied into wasm memory and their outputs out on every call.",
    ],
  };
}
