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
import { wasm } from './api.js';
import { arena, MAX_ARENA_BYTES } from './arena.js';
import { simdSupported } from './encoder.js';
import { TRIG_IMPORT_FUNCTIONS } from './math-trig.js';
import { nestCall, type NestRuntime } from './loop-call.js';
import { renderNest } from './render-loops.js';
import { renderWasm, wasmPlan, type WasmPlan } from './render-wasm.js';
import { disassemble } from './wat.js';

/** Tuning of the wasm linker. */
export const wasmOptions = {
  /**
   * Calls with fewer elements run the JS kernel (the boundary crossing and copies cost more than SIMD saves). At
   * 1,024 elements a two-input kernel of arithmetic already ran 1.2-1.3x faster in wasm than in JS, one with `tanh`
   * 1.05-2.8x (inputs copied in from the caller's arrays: the worst case), so this is where wasm starts.
   */
  minElements: 1024,
  /**
   * Functions linked from now on keep their intermediates in the wasm arena, so wasm kernels pass them to one
   * another in place (false: in JavaScript memory, each wasm call copying its operands in and its results out, as
   * the first slice did; kept to measure the difference).
   */
  zeroCopy: true,
};

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

/** The arena's size in bytes (for tests: bounded by the largest call). */
export const wasmArenaBytes = () => arena.capacity;

const cache = new Map<string, CompiledKernel | null>();
let compiles = 0;
let calls = 0;
let copiedIn = 0;
let copiedOut = 0;
/**
 * How many wasm modules were compiled, how many calls ran a wasm loop, and how many array operands those calls
 * copied into the arena and results they copied out of it (operands and results in the arena cross in place).
 */
export const wasmStats = () => ({ compiles, calls, copiedIn, copiedOut });
/** Counts a caller's array copied into the arena outside a kernel (the linker's staging of inputs). */
export const countCopiedIn = (): void => void copiedIn++;

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
    let fn = nest;
    // the flat module is written and compiled on its first call (many kernels only ever see small calls, which
    // run the JS kernel): linking a function costs about what the 'js' linker's does
    let flatBytes: Uint8Array | undefined;
    let flatRun: FlatRun | undefined;
    const flat = (): FlatRun => (flatRun ??= instantiate((flatBytes ??= renderWasm(kernel, plan))) as FlatRun);
    if (plan.flat) fn = wasmCall(ir, plan, (...args) => flat()(...args), nest);
    // the text is written when first read (f.source): disassembling every kernel would cost more than compiling it
    let source: string | undefined;
    const writeSource = () => {
      const nestBytes = renderNest(kernel, plan, { vector: true, splat: new Set() });
      return [
        ...(plan.flat
          ? [
              `// WebAssembly: the flat loop (${(flatBytes ??= renderWasm(kernel, plan)).length} bytes)`,
              disassemble(flatBytes),
            ]
          : []),
        `// WebAssembly: the nested loops, innermost loop vectorized (${nestBytes.length} bytes; a scalar innermost loop where a stride is not 1 or 0)`,
        disassemble(nestBytes),
        '// JavaScript: small and declined calls',
        js.source,
      ].join('\n');
    };
    compiled = {
      key: `wasm:${key}`,
      get source() {
        return (source ??= writeSource());
      },
      fn,
    };
  }
  if (cache.size >= 4096) cache.delete(cache.keys().next().value!);
  cache.set(key, compiled);
  return compiled;
}

type FlatRun = (...args: number[]) => number;

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
  get buffer() {
    return arena.buffer;
  },
  scratch: (bytes) => arena.alloc(bytes, 'scratch'),
  release: (offset) => arena.release(offset, 'scratch'),
  maxBytes: MAX_ARENA_BYTES,
  minElements: () => wasmOptions.minElements,
  instantiate,
  ran: () => void calls++,
  copied: (direction) => void (direction === 'in' ? copiedIn++ : copiedOut++),
};

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

type Floats = Float32Array | Float64Array;

/** Whether `data` is a view of the arena's memory (a pooled buffer of a function linked with `'wasm'`). */
const inArena = (data: ArrayBufferView) => data.buffer === arena.buffer;

/**
 * Places a call's operands (`data`: the array inputs, then the outputs) for the loop: one in the arena is used in
 * place (its byte offset goes to `args`); the others get 16-byte aligned regions of one scratch block, inputs
 * copied in. Returns the scratch block's offset (-1: none), or null when it does not fit now (the arena cannot
 * grow while pooled views are live): the call then runs the JS kernel.
 */
function placeOperands(
  data: readonly Floats[],
  nInputs: number,
  n: number,
  bytes: number,
  View: Float32ArrayConstructor | Float64ArrayConstructor,
  args: number[],
): number | null {
  const region = Math.ceil((n * bytes) / 16) * 16;
  let copied = 0;
  for (const d of data) if (!inArena(d)) copied++;
  if (copied === 0) {
    for (let i = 0; i < data.length; i++) args[i] = data[i]!.byteOffset;
    return -1;
  }
  if (region * copied > MAX_ARENA_BYTES) return null;
  const scratch = arena.alloc(region * copied, 'scratch');
  if (scratch < 0) return null;
  const buffer = arena.buffer; // taken after the allocation, which may have grown the memory
  let next = scratch;
  for (let i = 0; i < data.length; i++) {
    const d = data[i]!;
    if (d.buffer === buffer) {
      args[i] = d.byteOffset;
      continue;
    }
    args[i] = next;
    if (i < nInputs) {
      new View(buffer, next, n).set(d);
      copiedIn++;
    }
    next += region;
  }
  return scratch;
}

/**
 * The kernel function: the wasm flat loop when every array input is contiguous and of one shape, else `js`. An
 * operand in the arena is read in place and a pooled output is written in place; the others cross by copy (see
 * `placeOperands`). A sum returns its value.
 */
function wasmCall(ir: KernelIR, plan: WasmPlan, run: (...args: number[]) => number, js: Kernel): Kernel {
  const { nonScalarInputs: arrays, scalarInputs, dtype } = plan;
  const nIn = ir.inputs.length;
  const nArr = arrays.length;
  const nOut = ir.reduce ? 0 : ir.outputs.length;
  const bytes = dtype === 'float32' ? 4 : 8;
  const View = dtype === 'float32' ? Float32Array : Float64Array;
  const args = new Array<number>(nArr + nOut + 1 + scalarInputs.length);
  const data = new Array<Floats>(nArr + nOut);
  return (...operands: unknown[]) => {
    const first = operands[arrays[0]!] as NDArray;
    const shape = first.shape;
    const n = first.size;
    if (n < wasmOptions.minElements || shape.length !== ir.rank) return js(...operands);
    for (let i = 0; i < nArr; i++) {
      const a = operands[arrays[i]!] as NDArray;
      if (!a.isContiguous || (a !== first && !sameShape(a.shape, shape))) return js(...operands);
      data[i] = contiguousData(a, n);
    }
    const alloc = operands[nIn] as Allocator;
    for (let j = 0; j < nOut; j++) data[nArr + j] = alloc(j, n) as Floats;
    const scratch = placeOperands(data, nArr, n, bytes, View, args);
    if (scratch === null) return jsInto(js, operands, nIn, data.slice(nArr), n);
    args[nArr + nOut] = n;
    for (let i = 0; i < scalarInputs.length; i++) {
      const a = operands[scalarInputs[i]!] as NDArray;
      args[nArr + nOut + 1 + i] = (a.data as Floats)[a.offset]!;
    }
    const sum = run(...args);
    calls++;
    if (scratch >= 0) {
      const buffer = arena.buffer;
      for (let j = 0; j < nOut; j++) {
        const r = data[nArr + j]!;
        if (r.buffer === buffer) continue;
        r.set(new View(buffer, args[nArr + j]!, n));
        copiedOut++;
      }
      arena.release(scratch, 'scratch');
    }
    if (ir.reduce) {
      const r = alloc(0, 1) as Floats;
      r[0] = sum;
      return [NDArray.fresh(dtype, ir.reduce.keepdims ? shape.map(() => 1) : [], r)];
    }
    const outputs = new Array<NDArray>(nOut);
    for (let j = 0; j < nOut; j++) outputs[j] = NDArray.fresh(dtype, shape, data[nArr + j]!);
    return outputs;
  };
}

/** Runs the JS kernel with the output buffers already taken for this call (`outs`, of `n` elements each). */
function jsInto(js: Kernel, operands: readonly unknown[], nIn: number, outs: readonly Floats[], n: number) {
  const alloc = operands[nIn] as Allocator;
  const given: Allocator = (j, size) => (size === n && outs[j] ? outs[j]! : alloc(j, size));
  return js(...operands.slice(0, nIn), given);
}

/** The `n` elements of a contiguous array, as a typed array of exactly them (a subarray view when offset). */
function contiguousData(a: NDArray, n: number): Float32Array | Float64Array {
  const data = a.data as Float32Array | Float64Array;
  return a.offset === 0 && data.length === n ? data : data.subarray(a.offset, a.offset + n);
}
