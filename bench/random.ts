/**
 * Random draws: uniform and normal of 1e6 numbers (float32 and float64) through a compiled FAST_RUN function
 * (the sampler runs as its op's evaluate, called by the generated linker; the state advances by its default
 * update) against a hand-written Philox4x32-10 loop doing the same work (a fresh output array per call, as the
 * function returns one). Timed interleaved; the table shows median ms per call and the ratio. Target: <= 1.5x.
 */
import * as theano from '../src/index.js';
import { fmt, fmtRatio, targetNote, timeInterleaved, type BenchReport } from './harness.js';

const N = 1_000_000;

// ------------------------------------------------------------------------------------------- the hand loop

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;

/** Fills `out` with uniform (or, with `normal`, Box-Muller) numbers from consecutive Philox blocks of key 42. */
function handLoop(out: Float32Array | Float64Array, normal: boolean, perBlock: number): void {
  const n = out.length;
  let ctr = 0;
  for (let i = 0; i < n; i += perBlock) {
    let x0 = ctr++ >>> 0;
    let x1 = 0;
    let x2 = 0;
    let x3 = 0;
    let k0 = 42;
    let k1 = 0;
    for (let r = 0; r < 10; r++) {
      const hi0 = Math.floor(((M0 >>> 16) * x0 + Math.floor(((M0 & 0xffff) * x0) / 65536)) / 65536);
      const lo0 = Math.imul(M0, x0);
      const hi1 = Math.floor(((M1 >>> 16) * x2 + Math.floor(((M1 & 0xffff) * x2) / 65536)) / 65536);
      const lo1 = Math.imul(M1, x2);
      x0 = (hi1 ^ x1 ^ k0) >>> 0;
      x1 = lo1;
      x2 = (hi0 ^ x3 ^ k1) >>> 0;
      x3 = lo0;
      k0 = (k0 + 0x9e3779b9) | 0;
      k1 = (k1 + 0xbb67ae85) | 0;
    }
    const u0 = ((x0 >>> 5) * 67108864 + ((x1 >>> 0) >>> 6)) / 9007199254740992;
    const u1 = ((x2 >>> 5) * 67108864 + ((x3 >>> 0) >>> 6)) / 9007199254740992;
    if (normal) {
      const rad = Math.sqrt(-2 * Math.log(1 - u0));
      out[i] = rad * Math.cos(2 * Math.PI * u1);
      if (i + 1 < n) out[i + 1] = rad * Math.sin(2 * Math.PI * u1);
    } else if (perBlock === 2) {
      out[i] = u0;
      if (i + 1 < n) out[i + 1] = u1;
    } else {
      out[i] = (x0 >>> 8) / 16777216;
      if (i + 1 < n) out[i + 1] = ((x1 >>> 0) >>> 8) / 16777216;
      if (i + 2 < n) out[i + 2] = (x2 >>> 8) / 16777216;
      if (i + 3 < n) out[i + 3] = ((x3 >>> 0) >>> 8) / 16777216;
    }
  }
}

export async function run(): Promise<BenchReport> {
  const srng = new theano.RandomStreams(42);
  const rows: (string | number)[][] = [];
  let worst = 0;
  for (const dist of ['uniform', 'normal'] as const) {
    for (const dtype of ['float32', 'float64'] as const) {
      const f = theano.function([], dist === 'uniform' ? srng.uniform([N], { dtype }) : srng.normal([N], { dtype }));
      const Array_ = dtype === 'float32' ? Float32Array : Float64Array;
      const perBlock = dist === 'normal' || dtype === 'float64' ? 2 : 4;
      const t = timeInterleaved(
        {
          compiled: () => f(),
          hand: () => {
            const out = new Array_(N);
            handLoop(out, dist === 'normal', perBlock);
            return out;
          },
        },
        15,
        3,
      );
      const ratio = t.compiled.median / t.hand.median;
      worst = Math.max(worst, ratio);
      rows.push([`${dist} ${dtype}`, fmt(t.compiled.median), fmt(t.hand.median), fmtRatio(ratio)]);
    }
  }
  return {
    title: `random draws of ${N.toLocaleString('en')} numbers (Philox4x32-10)`,
    tables: [
      { title: 'median ms per call', columns: ['draw', 'compiled FAST_RUN', 'hand-written loop', 'ratio'], rows },
    ],
    notes: [targetNote('slowest draw, compiled / hand loop', worst, 'atMost', 1.5)],
  };
}
