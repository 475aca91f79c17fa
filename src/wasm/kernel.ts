/**
 * WebAssembly kernels for the `wasm` linker: a kernel the renderer can write (see `wasmPlan`) runs its flat loop
 * as SIMD wasm; calls that need the strided or broadcasting loop, and small calls (below
 * `wasmOptions.minElements`, where crossing into wasm costs more than it saves), run the same kernel's JavaScript.
 *
 * Memory: every wasm kernel imports one process-wide memory (the arena). A call copies its array inputs into the
 * arena (16-byte aligned regions), runs, and copies each output into the buffer its allocator gives (the
 * function's pool, as the JS kernel's outputs): two copies of memcpy speed, measured in docs/performance.md. The
 * arena grows to the largest call so far (at most `MAX_ARENA_BYTES`; a larger call runs the JS kernel) and is
 * reused by every later call, so repeated calls allocate nothing in it.
 */
import { compileKernel, type Allocator, type CompiledKernel, type Kernel, type KernelIR } from '../codegen/kernel.js';
import { lowerKernel } from '../codegen/loop-ir.js';
import { NDArray } from '../runtime/ndarray.js';
import { PAGE_BYTES, wasm, type WasmMemory } from './api.js';
import { simdSupported } from './encoder.js';
import { TRIG_IMPORT_FUNCTIONS } from './math-trig.js';
import { nestCall, type NestRuntime } from './loop-call.js';
import { renderNest } from './render-loops.js';
import { renderWasm, wasmPlan, type WasmPlan } from './render-wasm.js';
import { disassemble } from './wat.js';

/** Tuning of the wasm linker. */
export const wasmOptions = {
  /** Calls with fewer elements run the JS kernel (the boundary crossing and copies cost more than SIMD saves). */
  minElements: 4096,
};

/** The arena's largest size: a call that needs more runs its JS kernel. */
export const MAX_ARENA_BYTES = 1 << 30;

let simdOverride: boolean | undefined;
let simd: boolean | undefined;
/** Whether wasm kernels can run here (WebAssembly with SIMD); tests simulate an engine without it. */
export function wasmSimdAvailable(): boolean {
  if (simdOverride !== undefined) return simdOverride;
  return (simd ??= simdSupported());
}
/** For tests: pretend the engine has (true) or lacks (false) WebAssembly SIMD; undefined restores detection. */
export function simulateWasmSimd(available: boolean | undefined): void {
  simdOverride = available;
}

/** The process-wide memory of the wasm kernels. */
class Arena {
  private mem: WasmMemory | undefined;
  get memory(): WasmMemory {
    return (this.mem ??= new wasm!.Memory({ initial: 1 }));
  }
  /** The arena's buffer, grown to at least `bytes` (growing detaches earlier views: take them after this). */
  reserve(bytes: number): ArrayBuffer {
    const memory = this.memory;
    const have = memory.buffer.byteLength;
    if (have < bytes) memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
    return memory.buffer;
  }
  get bytes(): number {
    return this.mem ? this.mem.buffer.byteLength : 0;
  }
}
const arena = new Arena();
/** The arena's size in bytes (for tests: bounded by the largest call). */
export const wasmArenaBytes = () => arena.bytes;
/** The arena's memory (the wasm GEMM, `gemm.ts`, imports it too). */
export const arenaMemory = (): WasmMemory => arena.memory;
/** The arena's buffer grown to at least `bytes` (growing detaches earlier views of it). */
export const reserveArena = (bytes: number): ArrayBuffer => arena.reserve(bytes);

const cache = new Map<string, CompiledKernel | null>();
let compiles = 0;
let calls = 0;
/** How many wasm modules were compiled, and how many calls ran a wasm loop (for tests). */
export const wasmStats = () => ({ compiles, calls });

/** The wasm kernel of `ir`, or null when it stays JavaScript (an op or dtype the renderer lacks, or no SIMD). */
export function compileWasmKernel(ir: KernelIR): CompiledKernel | null {
  if (!wasmSimdAvailable()) return null;
  const key = JSON.stringify(ir);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const plan = wasmPlan(ir);
  let compiled: CompiledKernel | null = null;
  if (typeof plan !== 'string') {
    const js = compileKernel(ir);
    const kernel = lowerKernel(ir, { flatWidth: plan.dtype === 'float64' ? 2 : 4 });
    // the nested loops take every call the flat loop does not (strided, broadcasting, reductions over some axes)
    const nest = nestCall(ir, plan, kernel, js.fn, NEST_RUNTIME);
    const sources: string[] = [];
    let fn = nest;
    if (plan.flat) {
      const bytes = renderWasm(kernel, plan);
      const run = instantiate(bytes) as (...args: number[]) => number;
      sources.push(`// WebAssembly: the flat loop (${bytes.length} bytes)`, disassemble(bytes));
      fn = wasmCall(ir, plan, run, nest);
    }
    const nestBytes = renderNest(kernel, plan, { vector: true, splat: new Set() });
    sources.push(
      `// WebAssembly: the nested loops, innermost loop vectorized (${nestBytes.length} bytes; a scalar innermost loop where a stride is not 1 or 0)`,
      disassemble(nestBytes),
      '// JavaScript: small and declined calls',
      js.source,
    );
    compiled = { key: `wasm:${key}`, source: sources.join('\n'), fn };
  }
  if (cache.size >= 4096) cache.delete(cache.keys().next().value!);
  cache.set(key, compiled);
  return compiled;
}

/** Compiles a module importing the arena; returns its `kernel` export. */
function instantiate(bytes: Uint8Array): (...args: number[]) => unknown {
  const instance = new wasm!.Instance(new wasm!.Module(bytes), {
    env: { memory: arena.memory, ...TRIG_IMPORT_FUNCTIONS },
  });
  compiles++;
  return instance.exports['kernel'] as (...args: number[]) => unknown;
}

/** What the nested-loop call path (`loop-call.ts`) uses of this module. */
const NEST_RUNTIME: NestRuntime = {
  get memory() {
    return arena.memory;
  },
  reserve: (bytes) => arena.reserve(bytes),
  maxBytes: MAX_ARENA_BYTES,
  minElements: () => wasmOptions.minElements,
  instantiate,
  ran: () => void calls++,
};

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * The kernel function: the wasm flat loop when every array input is contiguous and of one shape, else `js`. A sum
 * returns its value; elementwise results are copied out of the arena into the allocator's buffers.
 */
function wasmCall(ir: KernelIR, plan: WasmPlan, run: (...args: number[]) => number, js: Kernel): Kernel {
  const { nonScalarInputs: arrays, scalarInputs, dtype } = plan;
  const nIn = ir.inputs.length;
  const nOut = ir.outputs.length;
  const bytes = dtype === 'float32' ? 4 : 8;
  const View = dtype === 'float32' ? Float32Array : Float64Array;
  const args = new Array<number>(arrays.length + nOut + 1 + scalarInputs.length);
  return (...operands: unknown[]) => {
    const first = operands[arrays[0]!] as NDArray;
    const shape = first.shape;
    const n = first.size;
    if (n < wasmOptions.minElements || shape.length !== ir.rank) return js(...operands);
    for (const k of arrays) {
      const a = operands[k] as NDArray;
      if (!a.isContiguous || (a !== first && !sameShape(a.shape, shape))) return js(...operands);
    }
    const region = Math.ceil((n * bytes) / 16) * 16;
    const total = region * (arrays.length + nOut);
    if (total > MAX_ARENA_BYTES) return js(...operands);
    const buffer = arena.reserve(total);
    arrays.forEach((k, i) => {
      const a = operands[k] as NDArray;
      const data = a.data as Float32Array | Float64Array;
      new View(buffer, i * region, n).set(
        a.offset === 0 && data.length === n ? data : data.subarray(a.offset, a.offset + n),
      );
      args[i] = i * region;
    });
    for (let j = 0; j < nOut; j++) args[arrays.length + j] = (arrays.length + j) * region;
    args[arrays.length + nOut] = n;
    scalarInputs.forEach((k, i) => {
      const a = operands[k] as NDArray;
      args[arrays.length + nOut + 1 + i] = (a.data as Float64Array)[a.offset]!;
    });
    const sum = run(...args);
    calls++;
    const alloc = operands[nIn] as Allocator;
    if (ir.reduce) {
      const r = alloc(0, 1) as Float32Array | Float64Array;
      r[0] = sum;
      return [new NDArray(dtype, ir.reduce.keepdims ? shape.map(() => 1) : [], r)];
    }
    const outputs: NDArray[] = [];
    for (let j = 0; j < nOut; j++) {
      const r = alloc(j, n) as Float32Array | Float64Array;
      r.set(new View(buffer, (arrays.length + j) * region, n));
      outputs.push(new NDArray(dtype, shape, r));
    }
    return outputs;
  };
}
