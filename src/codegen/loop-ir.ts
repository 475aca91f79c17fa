/**
 * The loop IR: a fused kernel (`KernelIR`, a summary of the group) lowered to explicit statements — the shape
 * checks, the loops with their counters and the positions they advance, index arithmetic, loads, the scalar ops,
 * stores and accumulators — so a backend is a table of how to write each statement (`render-js.ts` for
 * JavaScript, `../wasm/render-wasm.ts` for WebAssembly), as tinygrad's renderers are tables over its UOps.
 *
 * Every local is named here (`n0` a loop dim, `p1_2` input 1's position in loop dim 2, `s1_2` its stride there,
 * `o1` its offset, `i`/`q`/`j0` counters, `x1` a loaded value, `t3` an op result, `acc`/`A` accumulators), so
 * renderers only translate; none of them reads a name from a user's graph.
 */
import type { ReduceKind } from '../ops/reduce.js';
import type { DType } from '../types/dtype.js';
import type { KernelIR, KernelOp, Ref } from './kernel.js';

/** Integer index arithmetic over locals. */
export type Index =
  | { readonly k: 'int'; readonly v: number }
  | { readonly k: 'var'; readonly name: string }
  | { readonly k: 'add'; readonly a: Index; readonly b: Index };

/** A statement of a lowered kernel. */
export type Stmt =
  /** Input k's storage and offset: `d{k}`, `o{k}`. */
  | { readonly s: 'bindInput'; readonly input: number }
  /** The loop dims `n0..n{rank-1}`, each 1 until an input says otherwise. */
  | { readonly s: 'declareDims'; readonly rank: number }
  /** Broadcast input's `axis` into loop dim `dim`; decline when the lengths disagree. */
  | { readonly s: 'broadcastDim'; readonly input: number; readonly axis: number; readonly dim: number }
  /** `n`: the product of the loop dims. */
  | { readonly s: 'loopSize'; readonly rank: number }
  /** Decline unless loop dim `dim` is 1 or one of `readers` (input, axis) spans it (an output of fewer deps). */
  | {
      readonly s: 'requireSpan';
      readonly dim: number;
      readonly readers: readonly { readonly input: number; readonly axis: number }[];
    }
  /** `x{input} = d{input}[index]` (an element of input `input`). */
  | { readonly s: 'load'; readonly input: number; readonly index: Index }
  /** `t{j} = op(args)`; `storedOnly`: no later op reads it, so its rounding can be left to the store. */
  | {
      readonly s: 'op';
      readonly j: number;
      readonly op: KernelOp;
      readonly args: readonly Ref[];
      readonly storedOnly: boolean;
    }
  /** `r{output}`: output storage of `size` elements from the allocator. */
  | { readonly s: 'alloc'; readonly output: number; readonly size: Index }
  /** `r{output}[index] = value`. */
  | { readonly s: 'store'; readonly output: number; readonly index: Index; readonly value: Ref }
  /** `then` when every non-scalar input holds exactly the loop's `n` elements contiguously, else `otherwise`. */
  | {
      readonly s: 'ifFlat';
      readonly inputs: readonly number[];
      readonly then: readonly Stmt[];
      readonly otherwise: readonly Stmt[];
    }
  /** `s{input}_{dim}`: input's stride along loop dim `dim` (0 where it broadcasts). */
  | { readonly s: 'stride'; readonly input: number; readonly axis: number; readonly dim: number }
  /** A mutable integer local. */
  | { readonly s: 'let'; readonly name: string; readonly init: Index }
  /**
   * `for (counter = 0; counter < bound; counter++, name += by...)`. `width`: elements per iteration (1: scalar;
   * 4 or 2: a SIMD vector of f32 or f64, the renderer adding a scalar tail); only flat loops are vectorized.
   */
  | {
      readonly s: 'loop';
      readonly counter: string;
      readonly bound: Index;
      readonly advance: readonly { readonly name: string; readonly by: Index }[];
      readonly width: number;
      readonly body: readonly Stmt[];
    }
  /** `name++`. */
  | { readonly s: 'increment'; readonly name: string }
  /** The elementwise kernel's result: `outputs` as arrays of the loop's shape. */
  | { readonly s: 'returnOutputs'; readonly dtypes: readonly DType[]; readonly rank: number }
  /** Decline when the reduced length (the product of loop dims `dims`) exceeds `max` (exact int64 sums). */
  | { readonly s: 'declineIfLonger'; readonly dims: readonly number[]; readonly max: number }
  /** Decline when the reduced length is 0 (max/min have no identity). */
  | { readonly s: 'declineIfEmpty'; readonly dims: readonly number[] }
  /** `z` (the output's size) and `u{d}`: the output strides of the kept dims, row-major. */
  | { readonly s: 'outputStrides'; readonly kept: readonly number[] }
  /** `A`: the float64 accumulators (the output itself when `direct`), each set to the reduction's identity. */
  | { readonly s: 'accumulators'; readonly kind: ReduceKind; readonly direct: boolean }
  /** `acc`: a register accumulator, from the identity or from `A[from]`. */
  | { readonly s: 'letAcc'; readonly kind: ReduceKind; readonly from: Index | null }
  /** Folds `value` into `acc` (into `A[into]` when `into` is set). */
  | { readonly s: 'accumulate'; readonly kind: ReduceKind; readonly into: Index | null; readonly value: Ref }
  /** `A[index] = acc`. */
  | { readonly s: 'storeAcc'; readonly index: Index }
  /** The reduction's result: `A` copied into the output (unless direct), of `shape` (a loop dim, or 1 when kept). */
  | {
      readonly s: 'returnReduced';
      readonly dtype: DType;
      readonly direct: boolean;
      readonly shape: readonly (number | 'one')[];
    };

/** A kernel lowered to statements: the kernel function's parameters are its inputs and the allocator. */
export interface LoopKernel {
  readonly ir: KernelIR;
  readonly body: readonly Stmt[];
}

export interface LowerOptions {
  /** Elements per iteration of the flat loop (1: scalar; a SIMD renderer asks for 16 bytes' worth). */
  readonly flatWidth?: number;
}

const int = (v: number): Index => ({ k: 'int', v });
const v = (name: string): Index => ({ k: 'var', name });
const plus = (a: Index, b: Index): Index => ({ k: 'add', a, b });

/** Bits of magnitude of each dtype's values (float dtypes never reach an int64 sum). */
const INPUT_BITS: { readonly [D in DType]: number } = {
  bool: 1,
  int8: 8,
  uint8: 8,
  int16: 16,
  uint16: 16,
  int32: 32,
  uint32: 32,
  int64: 64,
  float32: 53,
  float64: 53,
};

/** The dtype of a ref's value. */
export function refDType(ir: KernelIR, ref: Ref): DType {
  return ref < ir.inputs.length ? ir.inputs[ref]!.dtype : ir.ops[ref - ir.inputs.length]!.dtype;
}

/** Lowers `ir` to the loop IR. */
export function lowerKernel(ir: KernelIR, options: LowerOptions = {}): LoopKernel {
  const lowering = new Lowering(ir, options.flatWidth ?? 1);
  return { ir, body: lowering.run() };
}

class Lowering {
  private readonly nIn: number;
  private readonly storedOnly: boolean[];
  private readonly nonScalar: number[];

  constructor(
    private readonly ir: KernelIR,
    private readonly flatWidth: number,
  ) {
    this.nIn = ir.inputs.length;
    const read = new Set<Ref>([...ir.ops.flatMap((op) => op.args), ...(ir.reduce ? [ir.reduce.value] : [])]);
    this.storedOnly = ir.ops.map((_, j) => !read.has(this.nIn + j));
    this.nonScalar = ir.inputs.flatMap((inp, k) => (inp.scalar ? [] : [k]));
  }

  run(): Stmt[] {
    const out = [...this.prologue()];
    // values read once: statically scalar inputs
    this.ir.inputs.forEach((inp, k) => {
      if (inp.scalar) out.push({ s: 'load', input: k, index: v(`o${k}`) });
    });
    out.push(...(this.ir.reduce ? this.reduction() : this.elementwise()));
    return out;
  }

  /** Binds the inputs, derives the loop shape by broadcasting (declining when it fails), checks partial outputs. */
  private prologue(): Stmt[] {
    const { rank: r, inputs } = this.ir;
    const out: Stmt[] = inputs.map((_, k) => ({ s: 'bindInput', input: k }));
    if (r > 0) out.push({ s: 'declareDims', rank: r });
    // numpy broadcasting of every non-scalar input (inputs of lower rank align on the right)
    for (const k of this.nonScalar) {
      const rank = inputs[k]!.rank;
      for (let axis = 0; axis < rank; axis++) out.push({ s: 'broadcastDim', input: k, axis, dim: r - rank + axis });
    }
    out.push({ s: 'loopSize', rank: r });
    // an output that depends on only some inputs must still span the whole loop
    for (const o of this.ir.outputs) {
      if (!o.deps) continue;
      for (let d = 0; d < r; d++) {
        const readers = o.deps
          .filter((k) => !inputs[k]!.scalar && inputs[k]!.rank >= r - d)
          .map((k) => ({ input: k, axis: d - (r - inputs[k]!.rank) }));
        out.push({ s: 'requireSpan', dim: d, readers });
      }
    }
    return out;
  }

  /** Loads of the loop's inputs at `index(k)`, then every op; returns the loop's value ref (the reduced one). */
  private body(index: (k: number) => Index): Stmt[] {
    const out: Stmt[] = this.nonScalar.map((k) => ({ s: 'load', input: k, index: index(k) }));
    this.ir.ops.forEach((op, j) => out.push({ s: 'op', j, op, args: op.args, storedOnly: this.storedOnly[j]! }));
    return out;
  }

  private declareStrides(): Stmt[] {
    const { rank: r, inputs } = this.ir;
    return this.nonScalar.flatMap((k) =>
      Array.from({ length: inputs[k]!.rank }, (_, axis): Stmt => ({
        s: 'stride',
        input: k,
        axis,
        dim: r - inputs[k]!.rank + axis,
      })),
    );
  }

  private strideOf(k: number, d: number): Index | null {
    const inp = this.ir.inputs[k]!;
    return inp.scalar || d < this.ir.rank - inp.rank ? null : v(`s${k}_${d}`);
  }

  /**
   * The nested loops over every loop dim, advancing each input's position by its stride (and `extra`'s);
   * `before(d)` / `after(d)` open and close loop d's body around the inner loop, `inner` is the innermost body.
   */
  private nest(
    extra: { pos: string; stride: (d: number) => Index | null } | null,
    inner: () => Stmt[],
    before: (d: number) => Stmt[] = () => [],
    after: (d: number) => Stmt[] = () => [],
  ): Stmt[] {
    const streams = this.nonScalar.map((k) => ({
      pos: `p${k}`,
      start: v(`o${k}`),
      stride: (d: number) => this.strideOf(k, d),
    }));
    if (extra) streams.push({ pos: extra.pos, start: int(0), stride: extra.stride });
    const level = (d: number): Stmt[] => {
      if (d === this.ir.rank) return inner();
      const lets: Stmt[] = streams.map((s) => ({
        s: 'let',
        name: `${s.pos}_${d}`,
        init: d === 0 ? s.start : v(`${s.pos}_${d - 1}`),
      }));
      const advance = streams.flatMap((s) => {
        const by = s.stride(d);
        return by ? [{ name: `${s.pos}_${d}`, by }] : [];
      });
      const loop: Stmt = { s: 'loop', counter: `j${d}`, bound: v(`n${d}`), advance, width: 1, body: level(d + 1) };
      return [...lets, ...before(d), loop, ...after(d)];
    };
    return level(0);
  }

  private flatLoop(body: Stmt[]): Stmt {
    return { s: 'loop', counter: 'i', bound: v('n'), advance: [], width: this.flatWidth, body };
  }

  private elementwise(): Stmt[] {
    const { rank: r, outputs } = this.ir;
    const out: Stmt[] = outputs.map((_, j) => ({ s: 'alloc', output: j, size: v('n') }));
    const store = (at: Index): Stmt[] => outputs.map((o, j) => ({ s: 'store', output: j, index: at, value: o.ref }));
    if (r === 0) out.push(...this.body((k) => v(`o${k}`)), ...store(int(0)));
    else {
      const last = r - 1;
      out.push({
        s: 'ifFlat',
        inputs: this.nonScalar,
        then: [this.flatLoop([...this.body((k) => plus(v(`o${k}`), v('i'))), ...store(v('i'))])],
        otherwise: [
          ...this.declareStrides(),
          { s: 'let', name: 'q', init: int(0) },
          ...this.nest(null, () => [
            ...this.body((k) => v(`p${k}_${last}`)),
            ...store(v('q')),
            { s: 'increment', name: 'q' },
          ]),
        ],
      });
    }
    out.push({ s: 'returnOutputs', dtypes: outputs.map((o) => refDType(this.ir, o.ref)), rank: r });
    return out;
  }

  private reduction(): Stmt[] {
    const { rank: r } = this.ir;
    const { kind, axes, keepdims, dtype, value } = this.ir.reduce!;
    const reduced = (d: number) => axes.includes(d);
    const out: Stmt[] = [];
    // exact in float64 while every partial sum stays below 2^53: at most 2^(53 - bits) terms of a bits-wide input
    if (dtype === 'int64')
      out.push({ s: 'declineIfLonger', dims: axes, max: 2 ** (53 - INPUT_BITS[refDType(this.ir, value)]) });
    if (kind === 'max' || kind === 'min') out.push({ s: 'declineIfEmpty', dims: axes });
    const kept = Array.from({ length: r }, (_, d) => r - 1 - d).filter((d) => !reduced(d));
    out.push({ s: 'outputStrides', kept });
    out.push({ s: 'alloc', output: 0, size: v('z') });
    // accumulate in float64 unless the output already is (or the reduction only writes 0/1)
    const direct = dtype === 'float64' || kind === 'all' || kind === 'any';
    out.push({ s: 'accumulators', kind, direct });
    const last = r - 1;
    if (kept.length === 0) {
      const fold: Stmt = { s: 'accumulate', kind, into: null, value };
      out.push(
        { s: 'letAcc', kind, from: null },
        {
          s: 'ifFlat',
          inputs: this.nonScalar,
          then: [this.flatLoop([...this.body((k) => plus(v(`o${k}`), v('i'))), fold])],
          otherwise: [
            ...this.declareStrides(),
            ...this.nest(null, () => [...this.body((k) => v(`p${k}_${last}`)), fold]),
          ],
        },
        { s: 'storeAcc', index: int(0) },
      );
    } else {
      const innerReduced = reduced(last);
      const q = v(`q_${last}`);
      out.push(
        ...this.declareStrides(),
        ...this.nest(
          { pos: 'q', stride: (d) => (reduced(d) ? null : v(`u${d}`)) },
          () => [
            ...this.body((k) => v(`p${k}_${last}`)),
            { s: 'accumulate', kind, into: innerReduced ? null : q, value },
          ],
          (d) => (d === last && innerReduced ? [{ s: 'letAcc', kind, from: q }] : []),
          (d) => (d === last && innerReduced ? [{ s: 'storeAcc', index: q }] : []),
        ),
      );
    }
    const shape = Array.from({ length: r }, (_, d) => d).flatMap((d): (number | 'one')[] =>
      reduced(d) ? (keepdims ? ['one'] : []) : [d],
    );
    out.push({ s: 'returnReduced', dtype, direct, shape });
    return out;
  }
}
