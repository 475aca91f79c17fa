/**
 * W3, matrix products: C = A·B for square A, B of 256x256 and 1024x1024, in float32 and float64. Peers, all in
 * this process on the same seeded data (uniform in [-1, 1)):
 *
 * - theano-ts: `theano.function([A, B], T.dot(A, B))` in FAST_RUN (the default mode);
 * - a hand-written register-tiled JS matmul (`handMatmul` below): GotoBLAS-style blocking (KC-deep slices of the
 *   inner dimension, MC-row blocks of A), A and B packed into 4-row and 4-column strips, and a 4x4 micro-kernel
 *   holding its 16 sums in locals; it allocates its output like a compiled function must;
 * - tfjs `tf.matMul` on the pure-JS CPU backend (float32 only: tfjs has no float64), timed through `dataSync()`;
 * - the theano-ts reference evaluator (`FAST_RUN.withLinker('reference')`).
 *
 * Reports ms per product (median of the timed runs after warm-up), GFLOP/s (2·n³ flops per product), ratios,
 * and the largest difference between theano's product and the hand kernel's. Targets: theano at least as fast
 * as the hand matmul, and at least 3x faster than tfjs.
 *
 * A second table times the `wasm` linker (its WebAssembly SIMD GEMM, src/wasm/gemm.ts) against the `js` linker in
 * the same run: square products of 256, 512 and 1024 and a 4096 x 4096 matrix times a vector, in float32 and
 * float64, each timed by wall clock and by this process's CPU time (the machine is shared: CPU time leaves out
 * the time other processes held the core). Target (issue 12): 1024 float32 at >= 30 GFLOP/s on one thread.
 */
import * as tf from '@tensorflow/tfjs';
import { wasmGemmCalls } from '../src/wasm/gemm.js';
import * as theano from '../src/index.js';
import {
  fmt,
  fmtRatio,
  fmtSci,
  agrees,
  maxAbs,
  maxAbsDiff,
  seededRandom,
  targetNote,
  timeInterleaved,
  uniformArray,
  type BenchReport,
  type BenchTable,
} from './harness.js';
import { matmulOperands } from './workload-defs.js';

const T = theano.tensor;

// ---------------------------------------------------------------------------------------------------------------
// the hand-written register-tiled matmul

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 64;

let packA = new Float64Array(MC * KC);
let packB = new Float64Array(0);
let acc = new Float64Array(0);

/**
 * C = A·B for row-major contiguous A (m x k) and B (k x n), into a newly allocated array of A's type. Everything
 * the micro-kernel reads or writes is a Float64Array (the packed strips and, for float32, a float64
 * accumulator), so the hot loop stays monomorphic whichever the dtype; float32 results are rounded once at the
 * end.
 */
export function handMatmul<A extends Float32Array | Float64Array>(a: A, b: A, m: number, k: number, n: number): A {
  const out = (a instanceof Float32Array ? new Float32Array(m * n) : new Float64Array(m * n)) as A;
  let c: Float64Array;
  if (out instanceof Float64Array) c = out;
  else {
    if (acc.length < m * n) acc = new Float64Array(m * n);
    c = acc;
    c.fill(0, 0, m * n);
  }
  const nPadded = Math.ceil(n / NR) * NR;
  for (let pc = 0; pc < k; pc += KC) {
    const kc = Math.min(KC, k - pc);
    if (packB.length < kc * nPadded) packB = new Float64Array(KC * nPadded);
    packPanelB(b, n, pc, kc, packB);
    for (let ic = 0; ic < m; ic += MC) {
      const mc = Math.min(MC, m - ic);
      packBlockA(a, k, ic, mc, pc, kc, packA);
      for (let jr = 0; jr < n; jr += NR) {
        const nr = Math.min(NR, n - jr);
        for (let ir = 0; ir < mc; ir += MR) {
          kernel4x4(kc, packA, ir * kc, packB, jr * kc, c, (ic + ir) * n + jr, n, Math.min(MR, mc - ir), nr);
        }
      }
    }
  }
  if (out instanceof Float32Array) for (let i = 0; i < m * n; i++) out[i] = c[i]!;
  return out;
}

/** B[pc:pc+kc, :] as NR-column strips: strip s holds, for each p, the NR values B[pc+p, s*NR .. s*NR+NR) (zero-padded). */
function packPanelB(b: Float32Array | Float64Array, n: number, pc: number, kc: number, out: Float64Array): void {
  let o = 0;
  for (let j = 0; j < n; j += NR) {
    const nr = Math.min(NR, n - j);
    for (let p = 0; p < kc; p++) {
      const q = (pc + p) * n + j;
      if (nr === NR) {
        out[o] = b[q]!;
        out[o + 1] = b[q + 1]!;
        out[o + 2] = b[q + 2]!;
        out[o + 3] = b[q + 3]!;
      } else for (let r = 0; r < NR; r++) out[o + r] = r < nr ? b[q + r]! : 0;
      o += NR;
    }
  }
}

/** A[ic:ic+mc, pc:pc+kc] as MR-row strips: strip s holds, for each p, the MR values of column pc+p (zero-padded). */
function packBlockA(
  a: Float32Array | Float64Array,
  k: number,
  ic: number,
  mc: number,
  pc: number,
  kc: number,
  out: Float64Array,
): void {
  let o = 0;
  for (let i = 0; i < mc; i += MR) {
    const mr = Math.min(MR, mc - i);
    const base = (ic + i) * k + pc;
    if (mr === MR) {
      for (let p = 0; p < kc; p++) {
        const q = base + p;
        out[o] = a[q]!;
        out[o + 1] = a[q + k]!;
        out[o + 2] = a[q + 2 * k]!;
        out[o + 3] = a[q + 3 * k]!;
        o += MR;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) out[o + r] = r < mr ? a[base + p + r * k]! : 0;
        o += MR;
      }
    }
  }
}

/** C[ci .. 4 rows x 4 cols, row stride n] += (4-row A strip at ao)·(4-column B strip at bo), over kc. */
// prettier-ignore
function kernel4x4(
  kc: number,
  ap: Float64Array,
  ao: number,
  bp: Float64Array,
  bo: number,
  c: Float64Array,
  ci: number,
  n: number,
  mr: number,
  nr: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = ap[ao]!, a1 = ap[ao + 1]!, a2 = ap[ao + 2]!, a3 = ap[ao + 3]!;
    const b0 = bp[bo]!, b1 = bp[bo + 1]!, b2 = bp[bo + 2]!, b3 = bp[bo + 3]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    ao += MR;
    bo += NR;
  }
  if (mr === MR && nr === NR) {
    let q = ci;
    c[q] = c[q]! + c00; c[q + 1] = c[q + 1]! + c01; c[q + 2] = c[q + 2]! + c02; c[q + 3] = c[q + 3]! + c03;
    q += n;
    c[q] = c[q]! + c10; c[q + 1] = c[q + 1]! + c11; c[q + 2] = c[q + 2]! + c12; c[q + 3] = c[q + 3]! + c13;
    q += n;
    c[q] = c[q]! + c20; c[q + 1] = c[q + 1]! + c21; c[q + 2] = c[q + 2]! + c22; c[q + 3] = c[q + 3]! + c23;
    q += n;
    c[q] = c[q]! + c30; c[q + 1] = c[q + 1]! + c31; c[q + 2] = c[q + 2]! + c32; c[q + 3] = c[q + 3]! + c33;
    return;
  }
  const tile = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33];
  for (let r = 0; r < mr; r++) for (let s = 0; s < nr; s++) c[ci + r * n + s] = c[ci + r * n + s]! + tile[r * NR + s]!;
}

/** The plain i-k-j triple loop, used once to check the tiled kernel on an odd-sized product. */
function naiveMatmul(a: Float64Array, b: Float64Array, m: number, k: number, n: number): Float64Array {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const v = a[i * k + p]!;
      for (let j = 0; j < n; j++) c[i * n + j] = c[i * n + j]! + v * b[p * n + j]!;
    }
  return c;
}

// ---------------------------------------------------------------------------------------------------------------
// measuring

type Dtype = 'float32' | 'float64';
type FloatArray = Float32Array | Float64Array;

interface Row {
  n: number;
  dtype: Dtype;
  theano: number;
  hand: number;
  tfjs?: number;
  reference: number;
  diffHand: number;
  diffReference: number;
  diffTfjs?: number;
  /** The largest |C[i, j]| (from the hand kernel), which the differences are judged against. */
  scale: number;
}

/** Timed runs and warm-up calls per size: the 1024 products take around a second each in plain JS. */
const RUNS: Record<number, { runs: number; warmup: number }> = {
  256: { runs: 9, warmup: 3 },
  1024: { runs: 3, warmup: 1 },
};

function measure(n: number, dtype: Dtype): Row {
  const { runs, warmup } = RUNS[n]!;
  const { a: a64, b: b64 } = matmulOperands(n);
  const a = dtype === 'float32' ? Float32Array.from(a64) : a64;
  const b = dtype === 'float32' ? Float32Array.from(b64) : b64;
  const A = new theano.NDArray<Dtype, 2>(dtype, [n, n], a);
  const B = new theano.NDArray<Dtype, 2>(dtype, [n, n], b);
  const [x, y] = dtype === 'float32' ? T.fmatrices('A', 'B') : T.dmatrices('A', 'B');
  const fast = theano.function([x!, y!], T.dot(x!, y!));
  const reference = theano.function([x!, y!], T.dot(x!, y!), { mode: theano.FAST_RUN.withLinker('reference') });

  const ta = dtype === 'float32' ? tf.tensor2d(a as Float32Array, [n, n]) : undefined;
  const tb = dtype === 'float32' ? tf.tensor2d(b as Float32Array, [n, n]) : undefined;
  const t = timeInterleaved(
    {
      theano: () => fast(A, B).data as FloatArray,
      hand: () => handMatmul(a, b, n, n, n),
      tfjs:
        ta && tb
          ? () => {
              const c = tf.matMul(ta, tb);
              const d = c.dataSync() as Float32Array;
              c.dispose();
              return d;
            }
          : undefined,
      reference: () => reference(A, B).data as FloatArray,
    },
    runs,
    warmup,
  );
  tf.dispose([ta, tb].filter((x) => x !== undefined));
  return {
    n,
    dtype,
    theano: t.theano.median,
    hand: t.hand.median,
    tfjs: t.tfjs?.median,
    reference: t.reference.median,
    diffHand: maxAbsDiff(t.theano.last, t.hand.last),
    diffReference: maxAbsDiff(t.theano.last, t.reference.last),
    diffTfjs: t.tfjs && maxAbsDiff(t.tfjs.last, t.theano.last),
    scale: maxAbs(t.hand.last),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// the wasm linker against the js linker

interface WasmRow {
  what: string;
  dtype: Dtype;
  flops: number;
  wasm: { wall: number; cpu: number };
  js: { wall: number; cpu: number };
  diff: number;
  scale: number;
  usedWasm: boolean;
}

/** Interleaved rounds (as `timeInterleaved`), each call timed by wall clock and by process CPU time; medians. */
function timeWallAndCpu(peers: Record<'wasm' | 'js', () => FloatArray>, runs: number, warmup: number) {
  const names = ['wasm', 'js'] as const;
  const wall = { wasm: [] as number[], js: [] as number[] };
  const cpu = { wasm: [] as number[], js: [] as number[] };
  const last: Partial<Record<'wasm' | 'js', FloatArray>> = {};
  for (let round = 0; round < warmup + runs; round++) {
    for (let i = 0; i < names.length; i++) {
      const k = names[(round + i) % names.length]!;
      const start = performance.now();
      const startCpu = process.cpuUsage();
      last[k] = peers[k]();
      const used = process.cpuUsage(startCpu);
      if (round < warmup) continue;
      wall[k].push(performance.now() - start);
      cpu[k].push((used.user + used.system) / 1000);
    }
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  return {
    wasm: { wall: med(wall.wasm), cpu: med(cpu.wasm) },
    js: { wall: med(wall.js), cpu: med(cpu.js) },
    last: last as Record<'wasm' | 'js', FloatArray>,
  };
}

const WASM_RUNS: Record<number, { runs: number; warmup: number }> = {
  256: { runs: 15, warmup: 3 },
  512: { runs: 7, warmup: 2 },
  1024: { runs: 5, warmup: 1 },
};

function measureWasm(what: 'matmul' | 'gemv', n: number, dtype: Dtype, rand: () => number): WasmRow {
  const cols = what === 'matmul' ? n : 1;
  const Arr = dtype === 'float32' ? Float32Array : Float64Array;
  const A = new theano.NDArray<Dtype, 2>(dtype, [n, n], Arr.from(uniformArray(rand, n * n)));
  const B = new theano.NDArray<Dtype, 2>(dtype, [n, cols], Arr.from(uniformArray(rand, n * cols)));
  const [x, y] = dtype === 'float32' ? T.fmatrices('A', 'B') : T.dmatrices('A', 'B');
  const wasm = theano.function([x!, y!], T.dot(x!, y!), { mode: theano.FAST_RUN.withLinker('wasm') });
  const js = theano.function([x!, y!], T.dot(x!, y!), { mode: theano.FAST_RUN.withLinker('js') });
  const before = wasmGemmCalls();
  const { runs, warmup } = WASM_RUNS[n] ?? { runs: 15, warmup: 3 };
  const t = timeWallAndCpu(
    { wasm: () => wasm(A, B).data as FloatArray, js: () => js(A, B).data as FloatArray },
    runs,
    warmup,
  );
  return {
    what: what === 'matmul' ? `${n}x${n} · ${n}x${n}` : `${n}x${n} · ${n}x1`,
    dtype,
    flops: 2 * n * n * cols,
    wasm: t.wasm,
    js: t.js,
    diff: maxAbsDiff(t.last.wasm, t.last.js),
    scale: maxAbs(t.last.js),
    usedWasm: wasmGemmCalls() > before,
  };
}

function wasmTable(rows: readonly WasmRow[]): BenchTable {
  const gf = (flops: number, ms: number) => fmt(flops / (ms * 1e6), 1);
  return {
    title:
      "wasm linker (WebAssembly SIMD GEMM) vs js linker, C = A·B (ms per product, medians; GFLOP/s = 2mnk/time; cpu = this process's CPU time)",
    columns: [
      'product',
      'dtype',
      'wasm ms',
      'js ms',
      'wasm cpu ms',
      'js cpu ms',
      'wasm GFLOP/s',
      'js GFLOP/s',
      'wasm GFLOP/s (cpu)',
      'js GFLOP/s (cpu)',
      'js/wasm',
      'max |wasm − js|',
    ],
    rows: rows.map((r) => [
      r.what,
      r.dtype,
      fmt(r.wasm.wall, 2),
      fmt(r.js.wall, 2),
      fmt(r.wasm.cpu, 2),
      fmt(r.js.cpu, 2),
      gf(r.flops, r.wasm.wall),
      gf(r.flops, r.js.wall),
      gf(r.flops, r.wasm.cpu),
      gf(r.flops, r.js.cpu),
      fmtRatio(r.js.wall / r.wasm.wall),
      fmtSci(r.diff),
    ]),
  };
}

function wasmNotes(rows: readonly WasmRow[]): string[] {
  const notes: string[] = [];
  const w3 = rows.find((r) => r.what.startsWith('1024x1024 · 1024x1024') && r.dtype === 'float32');
  if (w3) {
    const gflops = (ms: number) => w3.flops / (ms * 1e6);
    notes.push(
      targetNote('W3 1024 float32 under the wasm linker, GFLOP/s (wall)', gflops(w3.wasm.wall), 'atLeast', 30, ''),
    );
    notes.push(`  (by CPU time: ${fmt(gflops(w3.wasm.cpu), 1)} GFLOP/s)`);
  }
  for (const r of rows) {
    if (!r.usedWasm) notes.push(`CHECK FAILED: ${r.what} ${r.dtype}: the wasm linker did not run the wasm GEMM`);
    // float32: wasm sums in float32, js in float64; k = n terms of magnitude < 1, so |diff| <= n·eps32·n
    const k = Number(r.what.split('x')[0]);
    const tol = r.dtype === 'float32' ? k * k * 2 ** -23 : k * k * 2 ** -52;
    if (r.diff > tol)
      notes.push(`CHECK FAILED: ${r.what} ${r.dtype}: |wasm − js| = ${fmtSci(r.diff)} > ${fmtSci(tol)}`);
  }
  notes.push(
    'the wasm GEMM sums float32 products in float32 (f32x4 lanes, as BLAS sgemm); the js linker sums in float64, so float32 differences are float32 rounding (bounded by k·eps32·Σ|a||b|, here k² eps32).',
  );
  return notes;
}

export async function run(): Promise<BenchReport> {
  await tf.setBackend('cpu');
  await tf.ready();
  const tensorsBefore = tf.memory().numTensors;

  // The tiled kernel against the triple loop on sizes that are not multiples of the tiles.
  const check = seededRandom(7);
  const [m, k, n] = [37, 301, 70];
  const ca = uniformArray(check, m * k);
  const cb = uniformArray(check, k * n);
  const kernelError = maxAbsDiff(handMatmul(ca, cb, m, k, n), naiveMatmul(ca, cb, m, k, n));

  const rows: Row[] = [];
  for (const size of [256, 1024]) for (const dtype of ['float64', 'float32'] as const) rows.push(measure(size, dtype));

  const gflops = (size: number, ms: number | undefined) =>
    ms === undefined ? 'n/a' : fmt((2 * size ** 3) / (ms * 1e6));
  const table: BenchTable = {
    title: `W3 matmul C = A·B, square (ms per product, median of ${RUNS[256]!.runs} runs at 256 and ${RUNS[1024]!.runs} at 1024; GFLOP/s = 2n³/time)`,
    columns: [
      'n',
      'dtype',
      'theano ms',
      'hand ms',
      'tfjs ms',
      'reference ms',
      'theano GFLOP/s',
      'hand GFLOP/s',
      'tfjs GFLOP/s',
      'theano/hand',
      'tfjs/theano',
      'reference/theano',
      'max |theano − hand|',
      'max |theano − ref|',
      'max |tfjs − theano|',
    ],
    rows: rows.map((r) => [
      r.n,
      r.dtype,
      fmt(r.theano, 1),
      fmt(r.hand, 1),
      r.tfjs === undefined ? 'n/a' : fmt(r.tfjs, 1),
      fmt(r.reference, 1),
      gflops(r.n, r.theano),
      gflops(r.n, r.hand),
      gflops(r.n, r.tfjs),
      fmtRatio(r.theano / r.hand),
      fmtRatio(r.tfjs === undefined ? undefined : r.tfjs / r.theano),
      fmtRatio(r.reference / r.theano),
      fmtSci(r.diffHand),
      fmtSci(r.diffReference),
      r.diffTfjs === undefined ? 'n/a' : fmtSci(r.diffTfjs),
    ]),
  };

  const notes: string[] = [];
  for (const r of rows) {
    notes.push(targetNote(`W3 ${r.n}x${r.n} ${r.dtype}: theano time / hand time`, r.theano / r.hand, 'atMost', 1));
    if (r.tfjs !== undefined)
      notes.push(targetNote(`W3 ${r.n}x${r.n} ${r.dtype}: tfjs time / theano time`, r.tfjs / r.theano, 'atLeast', 3));
  }
  for (const r of rows) {
    const wrong = (
      [
        ['the hand kernel', r.diffHand],
        ['the reference evaluator', r.diffReference],
        ['tfjs', r.diffTfjs],
      ] as const
    ).filter(([, d]) => !agrees(d, r.scale, r.dtype));
    if (wrong.length > 0)
      notes.push(
        `CHECK FAILED: ${r.n}x${r.n} ${r.dtype}: theano's product differs from ${wrong.map(([who, d]) => `${who}'s by ${fmtSci(d!)}`).join(' and ')} (entries of magnitude ${fmtSci(r.scale)}; tolerance ${r.dtype === 'float32' ? '1e-4' : '1e-9'} of that)`,
      );
  }
  if (!notes.some((n) => n.startsWith('CHECK FAILED')))
    notes.push(
      "checks passed: every theano product agrees with the hand kernel's, the reference evaluator's and tfjs's within rounding (1e-9 of the entries' magnitude in float64, 1e-4 in float32)",
    );
  notes.push(
    'tfjs has no float64, so its float64 cells are n/a; tfjs runs on its pure-JS CPU backend (`tf.setBackend("cpu")`), timed up to `dataSync()` of the product.',
    `the hand kernel agrees with a plain triple loop on a ${m}x${k}·${k}x${n} product to ${fmtSci(kernelError)} (edge tiles checked); it accumulates in float64, so float32 differences are float32 rounding.`,
    "the peers of each size and dtype are timed interleaved (each round calls every peer once, starting with a different one each time), so they share the machine's load; ratios are steadier than absolute times.",
    'theano FAST_RUN runs its compiled function (inputs passed as NDArrays, a new output array per call); "reference" is the same optimized graph run by the reference evaluator.',
  );
  const wasmRows: WasmRow[] = [];
  for (const dtype of ['float32', 'float64'] as const) {
    for (const size of [256, 512, 1024]) wasmRows.push(measureWasm('matmul', size, dtype, seededRandom(size)));
    wasmRows.push(measureWasm('gemv', 4096, dtype, seededRandom(4096)));
  }
  notes.push(...wasmNotes(wasmRows));
  const leaked = tf.memory().numTensors - tensorsBefore;
  if (leaked !== 0) notes.push(`warning: ${leaked} tfjs tensors were not disposed`);
  return { title: 'Matrix product (W3)', tables: [table, wasmTable(wasmRows)], notes };
}
