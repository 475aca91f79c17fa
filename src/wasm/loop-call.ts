/**
 * The call path of the nested-loop wasm kernels (`render-loops.ts`): strided, transposed, sliced (negative steps
 * too) and broadcasting inputs, and reductions over any axes.
 *
 * What crosses into wasm memory: nothing for an operand that already lives there (a pooled intermediate of a
 * function linked with `'wasm'`: read in place, and a pooled result written in place). Any other array input's
 * underlying span, the elements between the lowest and the highest position its offset and strides reach (a
 * transposed or reversed array: its own elements; a slice with a step: the elements it steps over too; a broadcast
 * operand, a row vector against a matrix: only its own small buffer, since its broadcast axes have stride 0), is
 * copied into a 16-byte aligned region of one scratch block of the arena, given back when the call ends. The kernel
 * gets the byte address of each operand's element [0, ..., 0] and its strides in bytes, so negative strides need
 * nothing special. A result outside the arena is written to the scratch block and copied into the allocator's
 * buffer; a reduction's float64 accumulators are scratch, filled with the identity here and rounded into the
 * output buffer by the typed array's store, as the JS kernel's `r0[q] = A[q]`.
 *
 * Everything the JS kernel would decline (shapes that do not broadcast, an output that does not span the loop, an
 * empty max/min), small calls (below `wasmOptions.minElements` iterations) and calls needing more arena than
 * `maxBytes` run the JS kernel instead, which computes the same values or declines.
 */
import type { Allocator, Kernel, KernelIR } from '../codegen/kernel.js';
import type { LoopKernel } from '../codegen/loop-ir.js';
import { NDArray } from '../runtime/ndarray.js';
import { IDENTITY, nestParams, renderNest, type NestParam, type NestVariant } from './render-loops.js';
import type { WasmPlan } from './render-wasm.js';

/** What the nested-loop kernels need of the process-wide wasm memory (the arena) and of the linker's bookkeeping. */
export interface NestRuntime {
  /** The memory's current buffer (take views after every allocation: growth detaches earlier ones). */
  readonly buffer: ArrayBuffer;
  /** A scratch block of at least `bytes` bytes (its byte offset), or -1 when it does not fit now. */
  scratch(bytes: number): number;
  /** Gives a scratch block back. */
  release(offset: number): void;
  /** The largest scratch block a call may take. */
  readonly maxBytes: number;
  /** Calls with fewer loop iterations run the JS kernel. */
  minElements(): number;
  /** Compiles a module importing `env.memory`; returns its `kernel` export. */
  instantiate(bytes: Uint8Array): (...args: number[]) => void;
  /** Counts a call that ran as wasm. */
  ran(): void;
  /** Counts an operand copied into the arena ('in') or a result copied out of it ('out'). */
  copied(direction: 'in' | 'out'): void;
}

type Values = Float32Array | Float64Array | Int32Array | Uint8Array;
type ViewOf = new (buffer: ArrayBuffer, byteOffset: number, length: number) => Values;
const VIEWS: { readonly [D in WasmPlan['dtype'] | 'bool']: ViewOf } = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  bool: Uint8Array,
};
const align16 = (bytes: number) => Math.ceil(bytes / 16) * 16;

/** The loop dims of a call (numpy broadcasting of the array inputs, right-aligned), or null when they disagree. */
function loopDims(ir: KernelIR, arrays: readonly number[], operands: readonly unknown[]): number[] | null {
  const dims = new Array<number>(ir.rank).fill(1);
  for (const k of arrays) {
    const shape = (operands[k] as NDArray).shape;
    if (shape.length !== ir.inputs[k]!.rank) return null;
    const lead = ir.rank - shape.length;
    for (let a = 0; a < shape.length; a++) {
      const t = shape[a]!;
      if (t === 1) continue;
      if (dims[lead + a] === 1) dims[lead + a] = t;
      else if (dims[lead + a] !== t) return null;
    }
  }
  return dims;
}

/** Whether each output that depends on only some inputs still spans the loop (the IR's `requireSpan`). */
function outputsSpan(ir: KernelIR, dims: readonly number[], operands: readonly unknown[]): boolean {
  for (const o of ir.outputs) {
    if (!o.deps) continue;
    for (let d = 0; d < ir.rank; d++) {
      if (dims[d] === 1) continue;
      const spans = o.deps.some((k) => {
        const inp = ir.inputs[k]!;
        const axis = d - (ir.rank - inp.rank);
        return !inp.scalar && axis >= 0 && (operands[k] as NDArray).shape[axis] === dims[d];
      });
      if (!spans) return false;
    }
  }
  return true;
}

/** The lowest and highest element position an array's offset and strides reach (its underlying span). */
function span(a: NDArray): { lo: number; hi: number } {
  let lo = a.offset;
  let hi = a.offset;
  a.shape.forEach((n, i) => {
    const step = (n - 1) * a.strides[i]!;
    if (n > 1) {
      if (step < 0) lo += step;
      else hi += step;
    }
  });
  return { lo, hi };
}

/**
 * Where a call's operands and results live: an operand already in the arena (a pooled buffer of a function linked
 * with `'wasm'`) is used in place; the others get 16-byte aligned regions of one scratch block (offsets relative
 * to the block; -1: in place).
 */
interface Layout {
  /** Scratch bytes needed (0: everything is in place). */
  readonly bytes: number;
  /** Each array input's region (in `arrays` order) and its span. */
  readonly inputAt: readonly number[];
  readonly spans: readonly { lo: number; hi: number }[];
  /** Each output's region (a reduction: its float64 accumulators). */
  readonly outAt: readonly number[];
}

function layout(
  arrays: readonly number[],
  operands: readonly unknown[],
  bytes: number,
  outBytes: readonly (number | 'inPlace')[],
  buffer: ArrayBuffer,
): Layout {
  let need = 0;
  const region = (size: number) => ((need += align16(size)), need - align16(size));
  const spans = arrays.map((k) => span(operands[k] as NDArray));
  const inputAt = arrays.map((k, i) =>
    ((operands[k] as NDArray).data as Values).buffer === buffer
      ? -1
      : region((spans[i]!.hi - spans[i]!.lo + 1) * bytes),
  );
  const outAt = outBytes.map((b) => (b === 'inPlace' ? -1 : region(b)));
  return { bytes: need, inputAt, spans, outAt };
}

/**
 * The kernel function of the nested loops: `js` is the same kernel's JavaScript (small and declined calls). The
 * innermost-loop variant of each call is compiled on first use and kept.
 */
export function nestCall(ir: KernelIR, plan: WasmPlan, kernel: LoopKernel, js: Kernel, rt: NestRuntime): Kernel {
  const { nonScalarInputs: arrays, dtype } = plan;
  const params = nestParams(kernel);
  const bytes = dtype === 'float64' ? 8 : 4;
  const View = VIEWS[dtype];
  // each output's dtype: a mask is a bool output, one byte per element
  const outDtypes = ir.reduce ? [] : ir.outputs.map((o) => (plan.kinds[o.ref] === 'mask' ? 'bool' : dtype));
  const variants = new Map<string, (...args: number[]) => void>();
  const args = new Array<number>(params.length);
  const base = new Array<number>(ir.inputs.length);
  const reduced = (d: number) => ir.reduce?.axes.includes(d) ?? false;
  const call = (operands: readonly unknown[], dims: number[], z: number): NDArray[] | null => {
    const alloc = operands[ir.inputs.length] as Allocator;
    const kind = ir.reduce?.kind;
    // the results' buffers first: taking a pooled buffer may grow the arena, which detaches earlier views
    const outs = kind ? [alloc(0, z) as Values] : outDtypes.map((_, j) => alloc(j, z) as Values);
    const inPlace = (r: Values) => r.buffer === rt.buffer && r.length === z;
    const outBytes = kind
      ? [z * 8]
      : outs.map((r, j) => (inPlace(r) ? 'inPlace' : z * (outDtypes[j] === 'bool' ? 1 : bytes)));
    const at = layout(arrays, operands, bytes, outBytes, rt.buffer);
    if (at.bytes > rt.maxBytes) return jsInto(js, operands, ir.inputs.length, outs, z);
    const scratch = at.bytes > 0 ? rt.scratch(at.bytes) : 0;
    if (scratch < 0) return jsInto(js, operands, ir.inputs.length, outs, z);
    try {
      const buffer = rt.buffer; // after every allocation
      arrays.forEach((k, i) => {
        const a = operands[k] as NDArray;
        const data = a.data as Values;
        if (at.inputAt[i]! < 0) {
          base[k] = data.byteOffset + a.offset * bytes;
          return;
        }
        const { lo, hi } = at.spans[i]!;
        const region = scratch + at.inputAt[i]!;
        new View(buffer, region, hi - lo + 1).set(data.subarray(lo, hi + 1));
        rt.copied('in');
        base[k] = region + (a.offset - lo) * bytes;
      });
      const outAddress = at.outAt.map((o, j) => (o < 0 ? outs[j]!.byteOffset : scratch + o));
      if (kind) new Float64Array(buffer, outAddress[0]!, z).fill(IDENTITY[kind]);
      const variant = chooseVariant(arrays, operands);
      const key = variant.vector ? `v${[...variant.splat].join(',')}` : 's';
      let run = variants.get(key);
      if (!run) variants.set(key, (run = rt.instantiate(renderNest(kernel, plan, variant))));
      params.forEach((p, i) => (args[i] = paramValue(p, operands, dims, base, bytes, outAddress, reduced)));
      run(...args);
      rt.ran();
      if (kind) return [reducedOutput(ir, outs[0]!, dims, new Float64Array(buffer, outAddress[0]!, z))];
      return outDtypes.map((d, j) => {
        const r = outs[j]!;
        if (at.outAt[j]! >= 0) {
          r.set(new VIEWS[d](buffer, outAddress[j]!, z));
          rt.copied('out');
        }
        return NDArray.fresh(d, [...dims], r);
      });
    } finally {
      if (at.bytes > 0) rt.release(scratch);
    }
  };
  return (...operands: unknown[]) => {
    const dims = loopDims(ir, arrays, operands);
    if (!dims || !outputsSpan(ir, dims, operands)) return js(...operands);
    const total = dims.reduce((a, b) => a * b, 1);
    if (total < rt.minElements() || total === 0) return js(...operands);
    // z: the output's size (a reduction's kept dims)
    const z = ir.reduce ? dims.reduce((a, n, d) => (reduced(d) ? a : a * n), 1) : total;
    // max and min of nothing: the JS kernel declines and the reference raises the error
    const kind = ir.reduce?.kind;
    if ((kind === 'max' || kind === 'min') && dims.some((n, d) => reduced(d) && n === 0)) return js(...operands);
    return call(operands, dims, z);
  };
}

/** Runs the JS kernel with the result buffers already taken for this call (`outs`, of `z` elements each). */
function jsInto(js: Kernel, operands: readonly unknown[], nIn: number, outs: readonly Values[], z: number) {
  const alloc = operands[nIn] as Allocator;
  const given: Allocator = (j, size) => (size === z && outs[j] ? outs[j]! : alloc(j, size));
  return js(...operands.slice(0, nIn), given);
}

/** The innermost-loop variant for a call: SIMD when every array input's innermost stride is 1 element or 0. */
function chooseVariant(arrays: readonly number[], operands: readonly unknown[]): NestVariant {
  const splat = new Set<number>();
  for (const k of arrays) {
    const a = operands[k] as NDArray;
    const last = a.shape.length - 1;
    const stride = a.shape[last] === 1 ? 0 : a.strides[last]!;
    if (stride === 0) splat.add(k);
    else if (stride !== 1) return { vector: false, splat: new Set() };
  }
  return { vector: true, splat };
}

function paramValue(
  p: NestParam,
  operands: readonly unknown[],
  dims: readonly number[],
  base: readonly number[],
  bytes: number,
  outAt: readonly number[],
  reduced: (d: number) => boolean,
): number {
  switch (p.kind) {
    case 'base':
      return base[p.input]!;
    case 'stride': {
      const a = operands[p.input] as NDArray;
      return a.shape[p.axis] === 1 ? 0 : a.strides[p.axis]! * bytes;
    }
    case 'dim':
      return dims[p.dim]!;
    case 'out':
      return outAt[p.output]!;
    case 'outStride': {
      // row-major strides of the kept dims, innermost first (the IR's outputStrides)
      let u = 1;
      for (let d = dims.length - 1; d > p.dim; d--) if (!reduced(d)) u *= dims[d]!;
      return u;
    }
    case 'scalar': {
      const a = operands[p.input] as NDArray;
      return Number((a.data as Values)[a.offset]);
    }
  }
}

/** The reduction's output: the float64 accumulators rounded (or wrapped) into the allocator's buffer, as `r0[q] = A[q]`. */
function reducedOutput(ir: KernelIR, r: Values, dims: readonly number[], acc: Float64Array): NDArray {
  const { axes, keepdims, dtype } = ir.reduce!;
  r.set(acc);
  const shape = dims.flatMap((n, d) => (axes.includes(d) ? (keepdims ? [1] : []) : [n]));
  return NDArray.fresh(dtype, shape, r);
}
