/**
 * Convolutional-network ops, float32, theano-ts against tfjs on its pure-JS CPU backend, interleaved in one run:
 *
 * - conv2d forward: 64x1x28x28 images with 20 5x5 filters, and 64x20x12x12 with 50 5x5 filters (LeNet's two
 *   layers), 'valid', stride 1. theano: `theano.function([x, w], T.conv2d(x, w, { filterFlip: false }))` (a
 *   cross-correlation, as tfjs's conv2d); tfjs: `tf.conv2d` on NHWC images and HWIO filters (its native layout:
 *   the data is laid out for each peer once, outside the timing).
 * - conv2d forward + backward, as a training step needs: theano compiles [y, dL/dx, dL/dw] of L = sum(y · dy);
 *   tfjs: `tf.grads` of the same L (it records the forward and runs both backward kernels).
 * - max pooling 2x2 (stride 2) of the first layer's output 64x20x24x24, forward and forward + backward.
 * - the two forward kernels of `src/runtime/conv.ts` (im2col + GEMM, and the direct loop nest) on the same data,
 *   called directly: the default is the faster (im2col on both shapes).
 *
 * Reports median ms and the ratios; checks theano's results against tfjs's.
 */
import * as tf from '@tensorflow/tfjs';
import * as theano from '../src/index.js';
import { conv2dForward, type ConvGeometry } from '../src/runtime/conv.js';
import {
  agrees,
  fmt,
  fmtRatio,
  fmtSci,
  maxAbs,
  maxAbsDiff,
  seededRandom,
  targetNote,
  timeInterleaved,
  uniformArray,
  type BenchReport,
  type BenchTable,
} from './harness.js';

const T = theano.tensor;
const RUNS = Number(process.env.CONV_RUNS ?? 15);
const WARMUP = 3;
/** tfjs's CPU conv backward takes seconds per call: fewer runs for the forward+backward rows. */
const BACKWARD_RUNS = Number(process.env.CONV_BACKWARD_RUNS ?? 5);

interface Layer {
  readonly name: string;
  readonly x: readonly [number, number, number, number]; // NCHW
  readonly w: readonly [number, number, number, number]; // OIHW
}
const LAYERS: readonly Layer[] = [
  { name: '64x1x28x28 * 20x1x5x5', x: [64, 1, 28, 28], w: [20, 1, 5, 5] },
  { name: '64x20x12x12 * 50x20x5x5', x: [64, 20, 12, 12], w: [50, 20, 5, 5] },
];

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** NCHW -> NHWC (images) or OIHW -> HWIO (filters), as float32. */
function toNHWC(a: Float32Array, [n, c, h, w]: readonly number[]): Float32Array {
  const out = new Float32Array(a.length);
  for (let b = 0; b < n!; b++)
    for (let ch = 0; ch < c!; ch++)
      for (let i = 0; i < h!; i++)
        for (let j = 0; j < w!; j++) out[((b * h! + i) * w! + j) * c! + ch] = a[((b * c! + ch) * h! + i) * w! + j]!;
  return out;
}
function toHWIO(a: Float32Array, [o, c, h, w]: readonly number[]): Float32Array {
  const out = new Float32Array(a.length);
  for (let f = 0; f < o!; f++)
    for (let ch = 0; ch < c!; ch++)
      for (let i = 0; i < h!; i++)
        for (let j = 0; j < w!; j++) out[((i * w! + j) * c! + ch) * o! + f] = a[((f * c! + ch) * h! + i) * w! + j]!;
  return out;
}
/** NHWC -> NCHW. */
function fromNHWC(a: Float32Array | Int32Array | Uint8Array, [n, c, h, w]: readonly number[]): Float32Array {
  const out = new Float32Array(a.length);
  for (let b = 0; b < n!; b++)
    for (let ch = 0; ch < c!; ch++)
      for (let i = 0; i < h!; i++)
        for (let j = 0; j < w!; j++) out[((b * c! + ch) * h! + i) * w! + j] = a[((b * h! + i) * w! + j) * c! + ch]!;
  return out;
}

interface Row {
  readonly what: string;
  readonly theano: number;
  readonly tfjs: number;
  readonly diff: number;
  readonly scale: number;
}

function measureLayer(layer: Layer, rand: () => number): Row[] {
  const xData = Float32Array.from(uniformArray(rand, size(layer.x)));
  const wData = Float32Array.from(uniformArray(rand, size(layer.w)));
  const [B, , H, W] = layer.x;
  const [O, , kh, kw] = layer.w;
  const yShape = [B, O, H - kh + 1, W - kw + 1] as const;
  const dyData = Float32Array.from(uniformArray(rand, size(yShape)));

  const x = T.ftensor4('x');
  const w = T.ftensor4('w');
  const dy = T.ftensor4('dy');
  const y = T.conv2d(x, w, { filterFlip: false });
  const forward = theano.function([x, w], y) as unknown as (...a: unknown[]) => theano.NDArray;
  const [gx, gw] = T.grad(T.sum(T.mul(y, dy)), [x, w]);
  const step = theano.function([x, w, dy], [y, gx, gw]) as unknown as (...a: unknown[]) => theano.NDArray[];
  const xa = new theano.NDArray('float32', layer.x, xData);
  const wa = new theano.NDArray('float32', layer.w, wData);
  const dya = new theano.NDArray('float32', yShape, dyData);

  const tx = tf.tensor4d(toNHWC(xData, layer.x), [B, H, W, layer.x[1]]);
  const tw = tf.tensor4d(toHWIO(wData, layer.w), [kh, kw, layer.w[1], O]);
  const tdy = tf.tensor4d(toNHWC(dyData, yShape), [B, yShape[2], yShape[3], O]);
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid'), tdy)),
  );

  const fwd = timeInterleaved(
    {
      theano: () => forward(xa, wa).data as Float32Array,
      tfjs: () => {
        const r = tf.conv2d(tx, tw, 1, 'valid');
        const d = r.dataSync() as Float32Array;
        r.dispose();
        return d;
      },
    },
    RUNS,
    WARMUP,
  );
  const both = timeInterleaved(
    {
      theano: () => step(xa, wa, dya)[1]!.data as Float32Array,
      tfjs: () => {
        const [a, b] = grads([tx, tw]);
        const d = a!.dataSync() as Float32Array;
        b!.dataSync();
        tf.dispose([a!, b!]);
        return d;
      },
    },
    BACKWARD_RUNS,
    1,
  );
  tf.dispose([tx, tw, tdy]);
  const fwdTf = fromNHWC(fwd.tfjs.last, yShape);
  const gxTf = fromNHWC(both.tfjs.last, layer.x);
  return [
    {
      what: `conv2d forward ${layer.name}`,
      theano: fwd.theano.median,
      tfjs: fwd.tfjs.median,
      diff: maxAbsDiff(fwd.theano.last, fwdTf),
      scale: maxAbs(fwdTf),
    },
    {
      what: `conv2d forward+backward ${layer.name}`,
      theano: both.theano.median,
      tfjs: both.tfjs.median,
      diff: maxAbsDiff(both.theano.last, gxTf),
      scale: maxAbs(gxTf),
    },
  ];
}

/** Max pooling 2x2 (stride 2) of `shape` (NCHW), forward and forward + backward (gradient of sum(y · dy)). */
function measurePool(shape: readonly [number, number, number, number], rand: () => number): Row[] {
  const [B, C, H, W] = shape;
  const xData = Float32Array.from(uniformArray(rand, size(shape)));
  const yShape = [B, C, H / 2, W / 2] as const;
  const dyData = Float32Array.from(uniformArray(rand, size(yShape)));
  const x = T.ftensor4('x');
  const dy = T.ftensor4('dy');
  const y = T.pool2d(x, { ws: 2, ignoreBorder: true });
  const forward = theano.function([x], y) as unknown as (...a: unknown[]) => theano.NDArray;
  const step = theano.function([x, dy], [y, T.grad(T.sum(T.mul(y, dy)), x)]) as unknown as (
    ...a: unknown[]
  ) => theano.NDArray[];
  const xa = new theano.NDArray('float32', shape, xData);
  const dya = new theano.NDArray('float32', yShape, dyData);
  const tx = tf.tensor4d(toNHWC(xData, shape), [B, H, W, C]);
  const tdy = tf.tensor4d(toNHWC(dyData, yShape), [B, H / 2, W / 2, C]);
  const grad = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), tdy)));
  const fwd = timeInterleaved(
    {
      theano: () => forward(xa).data as Float32Array,
      tfjs: () => {
        const r = tf.maxPool(tx, 2, 2, 'valid');
        const d = r.dataSync() as Float32Array;
        r.dispose();
        return d;
      },
    },
    RUNS,
    WARMUP,
  );
  const both = timeInterleaved(
    {
      theano: () => step(xa, dya)[1]!.data as Float32Array,
      tfjs: () => {
        const r = grad(tx);
        const d = r.dataSync() as Float32Array;
        r.dispose();
        return d;
      },
    },
    RUNS,
    WARMUP,
  );
  tf.dispose([tx, tdy]);
  const name = `${B}x${C}x${H}x${W}`;
  const fwdTf = fromNHWC(fwd.tfjs.last, yShape);
  const gxTf = fromNHWC(both.tfjs.last, shape);
  return [
    {
      what: `maxpool 2x2 forward ${name}`,
      theano: fwd.theano.median,
      tfjs: fwd.tfjs.median,
      diff: maxAbsDiff(fwd.theano.last, fwdTf),
      scale: maxAbs(fwdTf),
    },
    {
      what: `maxpool 2x2 forward+backward ${name}`,
      theano: both.theano.median,
      tfjs: both.tfjs.median,
      diff: maxAbsDiff(both.theano.last, gxTf),
      scale: maxAbs(gxTf),
    },
  ];
}

function measureKernels(
  layer: Layer,
  rand: () => number,
): { name: string; im2col: number; direct: number; diff: number } {
  const x = Float32Array.from(uniformArray(rand, size(layer.x)));
  const w = Float32Array.from(uniformArray(rand, size(layer.w)));
  const [B, C, H, W] = layer.x;
  const [O, , kh, kw] = layer.w;
  const g: ConvGeometry = {
    batch: B,
    inChannels: C,
    inRows: H,
    inCols: W,
    outChannels: O,
    kRows: kh,
    kCols: kw,
    outRows: H - kh + 1,
    outCols: W - kw + 1,
    padRows: 0,
    padCols: 0,
    strideRows: 1,
    strideCols: 1,
    dilRows: 1,
    dilCols: 1,
    groups: 1,
  };
  const n = B * O * g.outRows * g.outCols;
  const t = timeInterleaved(
    {
      im2col: () => {
        const out = new Float32Array(n);
        conv2dForward(x, w, out, g, 'im2col');
        return out;
      },
      direct: () => {
        const out = new Float32Array(n);
        conv2dForward(x, w, out, g, 'direct');
        return out;
      },
    },
    RUNS,
    WARMUP,
  );
  return {
    name: layer.name,
    im2col: t.im2col.median,
    direct: t.direct.median,
    diff: maxAbsDiff(t.im2col.last, t.direct.last),
  };
}

export async function run(): Promise<BenchReport> {
  await tf.setBackend('cpu');
  await tf.ready();
  const rand = seededRandom(11);
  const rows: Row[] = [];
  for (const layer of LAYERS) rows.push(...measureLayer(layer, rand));
  rows.push(...measurePool([64, 20, 24, 24], rand));
  const kernels = LAYERS.map((l) => measureKernels(l, rand));

  const table: BenchTable = {
    title: `conv2d and max pooling, float32, theano-ts vs tfjs-cpu (median ms of ${RUNS} interleaved runs)`,
    columns: ['workload', 'theano ms', 'tfjs ms', 'tfjs/theano', 'max |theano − tfjs|'],
    rows: rows.map((r) => [r.what, fmt(r.theano, 1), fmt(r.tfjs, 1), fmtRatio(r.tfjs / r.theano), fmtSci(r.diff)]),
  };
  const kernelTable: BenchTable = {
    title: 'conv2d forward kernels, float32 (median ms, called directly)',
    columns: ['layer', 'im2col + GEMM ms', 'direct ms', 'direct/im2col', 'max |difference|'],
    rows: kernels.map((k) => [
      k.name,
      fmt(k.im2col, 1),
      fmt(k.direct, 1),
      fmtRatio(k.direct / k.im2col),
      fmtSci(k.diff),
    ]),
  };
  const notes = rows.map((r) => targetNote(`${r.what}: tfjs time / theano time`, r.tfjs / r.theano, 'atLeast', 2));
  for (const r of rows)
    if (!agrees(r.diff, r.scale, 'float32'))
      notes.push(`CHECK FAILED: ${r.what}: theano and tfjs differ by ${fmtSci(r.diff)} (magnitude ${fmtSci(r.scale)})`);
  return { title: 'Convolution and pooling (bench/conv.ts)', tables: [table, kernelTable], notes };
}
