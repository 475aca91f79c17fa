/**
 * Our wasm encoder against binaryen.js (issue 12, "Encoding"), on the kernels of the 1,001-node benchmark graph
 * and of the W1/W2 workloads (`npm run bench -- encoder`; binaryen is not a dependency: `npm i --no-save
 * binaryen@132.0.0` first, else the binaryen columns are reported missing).
 *
 * For every kernel, once (uncached): "ours" is what the wasm linker does, lowering to the loop IR, rendering with
 * our encoder (`renderWasm`) and compiling the bytes with V8 (`new WebAssembly.Module`). binaryen is measured on
 * the same module: reading our bytes into its IR (`readBinary`) and writing them back (`emitBinary`), which is less
 * than it would cost to build the module through its API (a lower bound for "binaryen instead of our encoder"),
 * and the same plus its optimizer at -O2 (what using binaryen would buy: smaller or faster code), each followed
 * by V8's compile of the bytes binaryen emits. Sizes are module bytes.
 */
import * as theano from '../src/index.js';
import { FunctionGraph } from '../src/graph/function-graph.js';
import { optimize } from '../src/rewrite/pipeline.js';
import { planSteps } from '../src/codegen/fusion.js';
import type { KernelIR } from '../src/codegen/kernel.js';
import { lowerKernel } from '../src/codegen/loop-ir.js';
import { renderWasm, wasmPlan } from '../src/wasm/render-wasm.js';
import { randomGraph } from './compile.js';
import { fmt, fmtRatio, type BenchReport } from './harness.js';

const T = theano.tensor;

interface Binaryen {
  readBinary(bytes: Uint8Array): {
    validate(): number;
    optimize(): void;
    emitBinary(): Uint8Array;
    dispose(): void;
    setFeatures(f: number): void;
  };
  setOptimizeLevel(level: number): void;
  Features: { MVP: number; SIMD128: number; NontrappingFPToInt: number; SignExt: number };
}

/** The wasm-renderable kernels of a graph's FAST_RUN plan. */
function kernelsOf(inputs: readonly theano.Tensor[], outputs: readonly theano.Tensor[]): KernelIR[] {
  const g = new FunctionGraph(inputs, outputs);
  optimize(g, theano.FAST_RUN);
  return planSteps(g).flatMap((s) => (s.kind === 'kernel' && typeof wasmPlan(s.ir) !== 'string' ? [s.ir] : []));
}

function w1w2(): KernelIR[] {
  return (['float32', 'float64'] as const).flatMap((dtype) => {
    const x = T.tensor(dtype, 1, 'x');
    const w1 = T.add(T.mul(T.div(1, T.add(1, T.exp(T.neg(x)))), T.tanh(x)), T.mul(x, x));
    return kernelsOf([x], [w1, T.sum(T.exp(x))]);
  });
}

const wasmApi = (globalThis as unknown as { WebAssembly: { Module: new (b: Uint8Array) => object } }).WebAssembly;

interface Totals {
  kernels: number;
  oursMs: number;
  v8Ms: number;
  oursBytes: number;
  readEmitMs?: number;
  optimizeMs?: number;
  optimizedBytes?: number;
}

function measure(irs: readonly KernelIR[], binaryen: Binaryen | undefined): Totals {
  const t: Totals = { kernels: irs.length, oursMs: 0, v8Ms: 0, oursBytes: 0 };
  const modules: Uint8Array[] = [];
  for (const ir of irs) {
    const plan = wasmPlan(ir);
    if (typeof plan === 'string' || !plan.flat) continue;
    const start = performance.now();
    const bytes = renderWasm(lowerKernel(ir, { flatWidth: plan.dtype === 'float64' ? 2 : 4 }), plan);
    const encoded = performance.now();
    new wasmApi.Module(bytes);
    t.oursMs += performance.now() - start;
    t.v8Ms += performance.now() - encoded;
    t.oursBytes += bytes.length;
    modules.push(bytes);
  }
  t.kernels = modules.length;
  if (!binaryen) return t;
  t.readEmitMs = 0;
  t.optimizeMs = 0;
  t.optimizedBytes = 0;
  binaryen.setOptimizeLevel(2);
  for (const bytes of modules) {
    let start = performance.now();
    const m = binaryen.readBinary(bytes);
    m.setFeatures(
      binaryen.Features.MVP |
        binaryen.Features.SIMD128 |
        binaryen.Features.NontrappingFPToInt |
        binaryen.Features.SignExt,
    );
    new wasmApi.Module(m.emitBinary());
    t.readEmitMs += performance.now() - start;
    m.dispose();
    start = performance.now();
    const o = binaryen.readBinary(bytes);
    o.setFeatures(
      binaryen.Features.MVP |
        binaryen.Features.SIMD128 |
        binaryen.Features.NontrappingFPToInt |
        binaryen.Features.SignExt,
    );
    o.optimize();
    const optimized = o.emitBinary();
    new wasmApi.Module(optimized);
    t.optimizeMs += performance.now() - start;
    t.optimizedBytes += optimized.length;
    o.dispose();
  }
  return t;
}

export async function run(): Promise<BenchReport> {
  let binaryen: Binaryen | undefined;
  try {
    const name = 'binaryen';
    binaryen = ((await import(name)) as { default: Binaryen }).default;
  } catch {
    binaryen = undefined;
  }
  const graph = randomGraph(1);
  const workloads: [string, KernelIR[]][] = [
    ['1,001-node benchmark graph', kernelsOf(graph.inputs, [graph.output])],
    ['W1, W2 (float32 and float64)', w1w2()],
  ];
  const rows = workloads.map(([name, irs]) => {
    measure(irs, binaryen); // warm-up: the first use of each path compiles the JS that runs it
    const t = measure(irs, binaryen);
    const ms = (v: number | undefined) => (v === undefined ? 'missing' : fmt(v, 2));
    return [
      name,
      t.kernels,
      ms(t.oursMs),
      ms(t.v8Ms),
      t.oursBytes,
      ms(t.readEmitMs),
      ms(t.optimizeMs),
      t.optimizedBytes ?? 'missing',
      t.readEmitMs === undefined ? 'n/a' : fmtRatio(t.readEmitMs / t.oursMs),
    ];
  });
  return {
    title: 'wasm encoding: our encoder against binaryen.js (uncached kernels)',
    tables: [
      {
        title: 'total over the kernels (ms; bytes): ours = lower + encode + V8 compile',
        columns: [
          'kernels of',
          'kernels',
          'ours ms',
          'of which V8 compile ms',
          'ours bytes',
          'binaryen read+emit ms',
          'binaryen -O2 ms',
          'binaryen -O2 bytes',
          'read+emit / ours',
        ],
        rows,
      },
    ],
    notes: [
      binaryen
        ? 'binaryen read+emit is a lower bound for building each module with binaryen (it starts from our finished bytes); -O2 adds its optimizer.'
        : 'binaryen is not installed: `npm i --no-save binaryen@132.0.0` to measure it (it is not a dependency: 104 MB unpacked).',
    ],
  };
}
