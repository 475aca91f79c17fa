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
import { renderWasm, wasmPlan, type WasmPlan } from './render-wasm.js';
import { disassemble } from './wat.js';

/** Tuning of the wasm linker. */
export const wasmOptions = {
  /** Calls with fewer elements run the JS kernel (the boundary crossing and copies cost more than SIMD saves). */
  minElements: 4096,
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
    const bytes = renderWasm(lowerKernel(ir, { flatWidth: plan.dtype === 'float32' ? 4 : 2 }), plan);
    const instance = new wasm!.Instance(new wasm!.Module(bytes), { env: { memory: arena.memory } });
    const run = instance.exports['kernel'] as (...args: number[]) => number;
    compiles++;
    const source = [
      `// WebAssembly: the flat loop (${bytes.length} bytes)`,
      disassemble(bytes),
      '// JavaScript: strided, broadcasting and small calls',
      js.source,
    ].join('\n');
    compiled = { key: `wasm:${key}`, source, fn: wasmCall(ir, plan, run, js.fn) };
  }
  if (cache.size >= 4096) cache.delete(cache.keys().next().value!);
  cache.set(key, compiled);
  return compiled;
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/** Where a call's array operands and results live in the arena: byte addresses, and the scratch block. */
interface Placement {
  /** Byte address of each array input, then of each output (the loop's arguments). */
  readonly addresses: number[];
  /** The scratch block (-1: none) holding the operands and results that are not arena buffers. */
  readonly scratch: number;
}

/** Whether `data` is a view of the arena's memory (a pooled buffer of a function linked with `'wasm'`). */
const inArena = (data: ArrayBufferView) => data.buffer === arena.buffer;

/**
 * Places a call's operands: an array input or an output whose buffer is the arena is used in place (its byte
 * offset); the others get 16-byte aligned regions of one scratch block, inputs copied in. Null when the scratch
 * block does not fit now (the arena cannot grow while pooled views are live): the call then runs the JS kernel.
 */
function placeOperands(
  inputs: readonly (Float32Array | Float64Array)[],
  outputs: readonly (Float32Array | Float64Array)[],
  n: number,
  bytes: number,
  View: Float32ArrayConstructor | Float64ArrayConstructor,
): Placement | null {
  const region = Math.ceil((n * bytes) / 16) * 16;
  const all = [...inputs, ...outputs];
  const copied = all.filter((d) => !inArena(d)).length;
  if (region * copied > MAX_ARENA_BYTES) return null;
  const scratch = copied > 0 ? arena.alloc(region * copied, 'scratch') : -1;
  if (copied > 0 && scratch < 0) return null;
  const buffer = arena.buffer; // taken after the allocation, which may have grown the memory
  let next = scratch;
  const addresses = all.map((d, i) => {
    if (inArena(d)) return d.byteOffset;
    const at = next;
    next += region;
    if (i < inputs.length) {
      new View(buffer, at, n).set(d);
      copiedIn++;
    }
    return at;
  });
  return { addresses, scratch };
}

/**
 * The kernel function: the wasm flat loop when every array input is contiguous and of one shape, else `js`. An
 * operand in the arena is read in place and a pooled output is written in place; the others cross by copy (see
 * `placeOperands`). A sum returns its value.
 */
function wasmCall(ir: KernelIR, plan: WasmPlan, run: (...args: number[]) => number, js: Kernel): Kernel {
  const { nonScalarInputs: arrays, scalarInputs, dtype } = plan;
  const nIn = ir.inputs.length;
  const nOut = ir.reduce ? 0 : ir.outputs.length;
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
    const alloc = operands[nIn] as Allocator;
    const ins = arrays.map((k) => contiguousData(operands[k] as NDArray, n));
    const outs: (Float32Array | Float64Array)[] = [];
    for (let j = 0; j < nOut; j++) outs.push(alloc(j, n) as Float32Array | Float64Array);
    const placed = placeOperands(ins, outs, n, bytes, View);
    if (!placed) {
      // the JS kernel writes into the buffers already taken for this call
      const given: Allocator = (j, size) => (size === n && outs[j] ? outs[j]! : alloc(j, size));
      return js(...operands.slice(0, nIn), given);
    }
    placed.addresses.forEach((address, i) => (args[i] = address));
    args[arrays.length + nOut] = n;
    scalarInputs.forEach((k, i) => {
      const a = operands[k] as NDArray;
      args[arrays.length + nOut + 1 + i] = (a.data as Float64Array)[a.offset]!;
    });
    const sum = run(...args);
    calls++;
    const buffer = arena.buffer;
    outs.forEach((r, j) => {
      if (inArena(r)) return;
      r.set(new View(buffer, placed.addresses[arrays.length + j]!, n));
      copiedOut++;
    });
    if (placed.scratch >= 0) arena.release(placed.scratch, 'scratch');
    if (ir.reduce) {
      const r = alloc(0, 1) as Float32Array | Float64Array;
      r[0] = sum;
      return [new NDArray(dtype, ir.reduce.keepdims ? shape.map(() => 1) : [], r)];
    }
    return outs.map((r) => new NDArray(dtype, shape, r));
  };
}

/** The `n` elements of a contiguous array, as a typed array of exactly them (a subarray view when offset). */
function contiguousData(a: NDArray, n: number): Float32Array | Float64Array {
  const data = a.data as Float32Array | Float64Array;
  return a.offset === 0 && data.length === n ? data : data.subarray(a.offset, a.offset + n);
}
