/**
 * The WebAssembly renderer of the whole loop IR: the nested loops of a kernel (`ifFlat`'s strided branch, and every
 * reduction), as a table over the statements, so strided, transposed, sliced and broadcasting operands and partial
 * reductions (sum, prod, max, min over any axes, keepdims) run as wasm.
 *
 * The call path (`loop-call.ts`) does what the IR's prologue does in JavaScript (broadcasting the shapes, the
 * declines, the output strides, the accumulators' identity) and passes the results as parameters, named by the
 * statements that declare them (`NestParam`): each array input's base address `o{k}` (the byte address of its
 * element [0, ..., 0]) and its strides `s{k}_{d}` in bytes, so a position `p{k}_{d}` is a byte address and a load
 * reads it directly; the loop dims `n{d}`; each output's address `r{j}`; a reduction's output strides `u{d}` in
 * elements; the values of statically scalar inputs. A reduction's accumulators `A` are the float64 region at
 * `r0` (the call path fills them with the identity and rounds them into the output, as the JS kernel).
 *
 * The innermost loop is written in one of two variants, chosen per call from the run-time strides: a SIMD loop
 * (f32x4 / f64x2) plus a scalar tail when every array input's innermost stride is its element size or 0 (a
 * broadcast operand: loaded once per vector and splatted), else a scalar loop. A reduction folds a vector into
 * f64x2 accumulators (a register when the innermost axis is reduced, the contiguous row of `A` when it is kept).
 */
import type { ReduceKind } from '../ops/reduce.js';
import type { Ref } from '../codegen/kernel.js';
import type { Index, LoopKernel, Stmt } from '../codegen/loop-ir.js';
import { encodeModule, FunctionBuilder, type Instruction, type ValType } from './encoder.js';
import { INT32_OPS } from './int-ops.js';
import { ins, kernelImports, WASM_OPS, zero, type Lanes, type WasmPlan } from './render-wasm.js';

/** A parameter of a nested-loop function, in the order the function takes them. */
export type NestParam =
  | { readonly kind: 'base'; readonly input: number }
  | { readonly kind: 'stride'; readonly input: number; readonly axis: number; readonly dim: number }
  | { readonly kind: 'dim'; readonly dim: number }
  | { readonly kind: 'out'; readonly output: number }
  | { readonly kind: 'outStride'; readonly dim: number }
  | { readonly kind: 'scalar'; readonly input: number };

/** Which innermost loop a module is written with. */
export interface NestVariant {
  /** A SIMD innermost loop (with a scalar tail); false: a scalar innermost loop. */
  readonly vector: boolean;
  /** Array inputs whose innermost stride is 0 (vector variant): each vector reads one element, splatted. */
  readonly splat: ReadonlySet<number>;
}

/** The parameters of the nested-loop function of `kernel` (the same for every variant). */
export function nestParams(kernel: LoopKernel): NestParam[] {
  const params: NestParam[] = [];
  const walk = (body: readonly Stmt[]) => {
    for (const s of body) {
      const p = paramsOf(s, kernel);
      if (p) params.push(...p);
      else if (s.s === 'ifFlat') walk(s.otherwise);
      else if (s.s === 'loop') walk(s.body);
    }
  };
  walk(kernel.body);
  return params;
}

/** The parameters a statement declares (null: none, or a statement to walk into). */
function paramsOf(s: Stmt, kernel: LoopKernel): NestParam[] | null {
  const scalar = (k: number) => kernel.ir.inputs[k]!.scalar;
  switch (s.s) {
    case 'bindInput':
      return [scalar(s.input) ? { kind: 'scalar', input: s.input } : { kind: 'base', input: s.input }];
    case 'declareDims':
      return Array.from({ length: s.rank }, (_, dim) => ({ kind: 'dim', dim }));
    case 'stride':
      return [{ kind: 'stride', input: s.input, axis: s.axis, dim: s.dim }];
    case 'alloc':
      return [{ kind: 'out', output: s.output }];
    case 'outputStrides':
      return s.kept.map((dim) => ({ kind: 'outStride', dim }));
    default:
      return null;
  }
}

const paramName = (p: NestParam): string => {
  switch (p.kind) {
    case 'base':
      return `o${p.input}`;
    case 'stride':
      return `s${p.input}_${p.dim}`;
    case 'dim':
      return `n${p.dim}`;
    case 'out':
      return `r${p.output}`;
    case 'outStride':
      return `u${p.dim}`;
    case 'scalar':
      return `x${p.input}`;
  }
};

/** Renders the nested loops of `kernel` as a module exporting `kernel`, with the innermost loop of `variant`. */
export function renderNest(kernel: LoopKernel, plan: WasmPlan, variant: NestVariant): Uint8Array {
  return encodeModule(
    [{ name: 'kernel', body: new NestWriter(kernel, plan, variant).write() }],
    1,
    kernelImports(kernel),
  );
}

type Rule<K extends Stmt['s']> = (w: NestWriter, s: Extract<Stmt, { s: K }>, lanes: Lanes) => void;
const nothing = () => {};

/**
 * How each statement is written. The prologue's statements are parameters (or the call path's work in JS);
 * `ifFlat` writes its strided branch (the flat loop is `render-wasm.ts`'s module).
 */
const NEST: { readonly [K in Stmt['s']]: Rule<K> } = {
  bindInput: nothing,
  declareDims: nothing,
  broadcastDim: nothing,
  loopSize: nothing,
  requireSpan: nothing,
  stride: nothing,
  alloc: nothing,
  outputStrides: nothing,
  accumulators: nothing,
  returnOutputs: nothing,
  returnReduced: nothing,
  declineIfLonger: nothing,
  declineIfEmpty: nothing,
  ifFlat: (w, s, lanes) => w.statements(s.otherwise, lanes),
  let: (w, s) => {
    w.index(s.init);
    w.f.emit('local.set', w.declare(s.name));
  },
  load: (w, s, lanes) => {
    // a statically scalar input is its parameter (splatted at the start)
    if (w.kernel.ir.inputs[s.input]!.scalar) return;
    const local = w.f.local(w.valueType(s.input, lanes));
    w.index(s.index);
    const t = w.t;
    if (!lanes.vector) w.f.emit(`${t}.load` as Instruction, w.align, 0);
    else if (w.variant.splat.has(s.input))
      w.f.emit(`${t}.load` as Instruction, w.align, 0).emit(`${w.vectorType}.splat` as Instruction);
    else w.f.emit('v128.load', w.align, 0);
    w.f.emit('local.set', local);
    w.values.set(s.input, local);
  },
  op: (w, s, lanes) => {
    const ref = w.kernel.ir.inputs.length + s.j;
    const local = w.f.local(w.valueType(ref, lanes));
    // a value condition of switch: a mask of "not 0" (a scalar i32 is select's condition as it is)
    const notZero = s.op.op === 'switch' && w.plan.kinds[s.args[0]!] === 'float';
    const operand = (a: number) => {
      w.get(s.args[a]!, lanes);
      if (!notZero || a !== 0) return;
      if (w.t !== 'i32') {
        zero(w.f, lanes);
        w.f.emit(ins(lanes, 'ne'));
      } else if (lanes.vector) w.f.emit('i32.const', 0).emit('i32x4.splat').emit('i32x4.ne');
    };
    if (w.t === 'i32') INT32_OPS[s.op.op]!.write(w.f, lanes.vector, operand);
    else WASM_OPS[s.op.op]!.write(w.f, lanes, operand);
    w.f.emit('local.set', local);
    w.values.set(ref, local);
  },
  store: (w, s, lanes) => {
    if (w.plan.kinds[s.value] === 'mask') return w.storeMask(s.output, s.index, s.value, lanes);
    w.elementAddress(w.local(`r${s.output}`), s.index, w.bytes);
    w.get(s.value, lanes);
    w.f.emit(lanes.vector ? 'v128.store' : (`${w.t}.store` as Instruction), w.align, 0);
  },
  increment: (w, s, lanes) => {
    const local = w.local(s.name);
    w.f
      .emit('local.get', local)
      .emit('i32.const', lanes.vector ? w.width : 1)
      .emit('i32.add')
      .emit('local.set', local);
  },
  loop: (w, s) => w.loop(s),
  letAcc: (w, s) => {
    if (s.from) {
      w.elementAddress(w.local('r0'), s.from, 8);
      w.f.emit('f64.load', 3, 0);
    } else w.f.emit('f64.const', IDENTITY[s.kind]);
    w.f.emit('local.set', w.acc);
  },
  accumulate: (w, s, lanes) => (s.into ? w.accumulateInto(s.kind, s.into, s.value, lanes) : w.fold(s, lanes)),
  storeAcc: (w, s) => {
    w.elementAddress(w.local('r0'), s.index, 8);
    w.f.emit('local.get', w.acc).emit('f64.store', 3, 0);
  },
};

/** The identity of each reduction the nested loops write (the call path fills `A` with the same). */
export const IDENTITY: { readonly [K in ReduceKind]: number } = {
  sum: 0,
  prod: 1,
  max: -Infinity,
  min: Infinity,
  all: 1,
  any: 0,
};
const COMBINE: { readonly [K in ReduceKind]?: string } = { sum: 'add', prod: 'mul', max: 'max', min: 'min' };

/** Shuffle lanes moving bytes 8..15 of a v128 to 0..7 (f32 lanes 2, 3 to 0, 1). */
const HIGH_TO_LOW = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];

/** Writes one kernel's nested loops: its locals by IR name, the loops, the loads, ops, stores and accumulators. */
class NestWriter {
  readonly f: FunctionBuilder;
  /** The scalar type of the kernel's values, and its vector shape. */
  readonly t: 'f32' | 'f64' | 'i32';
  readonly vectorType: 'f32x4' | 'f64x2' | 'i32x4';
  readonly bytes: number;
  /** Elements per vector. */
  readonly width: number;
  /** Alignment exponent of loads and stores (elements are only element-aligned in a strided array). */
  readonly align: number;
  private readonly names = new Map<string, number>();
  private readonly splats = new Map<Ref, number>();
  private readonly scalarParams = new Map<Ref, number>();
  /** The local of each ref's value in the loop body being written. */
  values = new Map<Ref, number>();
  /** The reduction's scalar accumulator (f64) and its vector of two f64 lanes. */
  readonly acc: number;
  readonly accVector: number;

  constructor(
    readonly kernel: LoopKernel,
    readonly plan: WasmPlan,
    readonly variant: NestVariant,
  ) {
    this.t = plan.dtype === 'float32' ? 'f32' : plan.dtype === 'int32' ? 'i32' : 'f64';
    this.vectorType = plan.dtype === 'float32' ? 'f32x4' : plan.dtype === 'int32' ? 'i32x4' : 'f64x2';
    this.bytes = plan.dtype === 'float64' ? 8 : 4;
    this.width = 16 / this.bytes;
    this.align = Math.log2(this.bytes);
    const params = nestParams(kernel);
    this.f = new FunctionBuilder(
      params.map((p): ValType => (p.kind === 'scalar' ? this.t : 'i32')),
      [],
    );
    params.forEach((p, i) => {
      this.names.set(paramName(p), i);
      if (p.kind === 'scalar') this.scalarParams.set(p.input, i);
    });
    this.acc = this.f.local('f64');
    this.accVector = this.f.local('v128');
  }

  write(): FunctionBuilder {
    for (const [k, p] of this.scalarParams) {
      const local = this.f.local('v128');
      this.f
        .emit('local.get', p)
        .emit(`${this.vectorType}.splat` as Instruction)
        .emit('local.set', local);
      this.splats.set(k, local);
    }
    this.statements(this.kernel.body, this.lanes(false));
    return this.f;
  }

  /** The lane shape ops are written for (int32 ops read only `vector`). */
  lanes(vector: boolean): Lanes {
    const float = this.t === 'f32' ? 'f32' : 'f64';
    return { p: vector ? (float === 'f32' ? 'f32x4' : 'f64x2') : float, vector, float };
  }

  statements(body: readonly Stmt[], lanes: Lanes): void {
    for (const s of body) (NEST[s.s] as Rule<Stmt['s']>)(this, s, lanes);
  }

  /** The local (or parameter) named `name` by the IR. */
  local(name: string): number {
    const i = this.names.get(name);
    if (i === undefined) throw new Error(`internal: ${name} is not declared in the wasm nest`);
    return i;
  }

  declare(name: string): number {
    let i = this.names.get(name);
    if (i === undefined) this.names.set(name, (i = this.f.local('i32')));
    return i;
  }

  /** Pushes an i32 index expression. */
  index(e: Index): void {
    if (e.k === 'int') this.f.emit('i32.const', e.v);
    else if (e.k === 'var') this.f.emit('local.get', this.local(e.name));
    else {
      this.index(e.a);
      this.index(e.b);
      this.f.emit('i32.add');
    }
  }

  /** Pushes the address of element `at` of `bytes`-wide elements from the address in local `base`. */
  elementAddress(base: number, at: Index, bytes: number): void {
    this.f.emit('local.get', base);
    this.index(at);
    this.f.emit('i32.const', Math.log2(bytes)).emit('i32.shl').emit('i32.add');
  }

  get(ref: Ref, lanes: Lanes): void {
    const scalar = lanes.vector ? this.splats.get(ref) : this.scalarParams.get(ref);
    this.f.emit('local.get', scalar ?? this.values.get(ref)!);
  }

  valueType(ref: Ref, lanes: Lanes): ValType {
    return lanes.vector ? 'v128' : this.plan.kinds[ref] === 'mask' ? 'i32' : this.t;
  }

  /** A loop: scalar, or (the innermost loop of the vector variant) a SIMD loop and its scalar tail. */
  loop(s: Extract<Stmt, { s: 'loop' }>): void {
    const f = this.f;
    const counter = this.declare(s.counter);
    const innermost = !s.body.some((b) => b.s === 'loop');
    f.emit('i32.const', 0).emit('local.set', counter);
    if (innermost && this.variant.vector) {
      const folds = s.body.some((b) => b.s === 'accumulate' && !b.into);
      const kind = this.kernel.ir.reduce?.kind;
      if (folds) this.splatIdentity(kind!);
      // the vector loop runs while a whole vector remains: counter < bound - bound % width
      const end = f.local('i32');
      this.index(s.bound);
      this.index(s.bound);
      f.emit('i32.const', this.width - 1)
        .emit('i32.and')
        .emit('i32.sub')
        .emit('local.set', end);
      this.counted(s, counter, () => f.emit('local.get', end), this.lanes(true));
      if (folds) this.foldLanes(kind!);
    }
    this.counted(s, counter, () => this.index(s.bound), this.lanes(false));
  }

  /** block { loop { if counter >= bound break; body; counter += step; advances; continue } }. */
  private counted(s: Extract<Stmt, { s: 'loop' }>, counter: number, bound: () => void, lanes: Lanes): void {
    const f = this.f;
    const step = lanes.vector ? this.width : 1;
    f.begin('block').begin('loop');
    f.emit('local.get', counter);
    bound();
    f.emit('i32.ge_s').emit('br_if', 1);
    this.values = new Map();
    this.statements(s.body, lanes);
    f.emit('local.get', counter).emit('i32.const', step).emit('i32.add').emit('local.set', counter);
    for (const a of s.advance) {
      const local = this.local(a.name);
      f.emit('local.get', local);
      this.index(a.by);
      if (step !== 1) f.emit('i32.const', Math.log2(step)).emit('i32.shl');
      f.emit('i32.add').emit('local.set', local);
    }
    f.emit('br', 0).emit('end').emit('end');
  }

  /** Pushes a value's f64 lanes: once for a scalar or f64x2, as two halves (low, high) for f32x4. */
  private f64Halves(ref: Ref, lanes: Lanes, each: (half: number) => void): void {
    const f = this.f;
    if (!lanes.vector) {
      this.get(ref, lanes);
      if (this.t === 'f32') f.emit('f64.promote_f32');
      if (this.t === 'i32') f.emit('f64.convert_i32_s');
      each(0);
    } else if (this.t === 'f64') {
      this.get(ref, lanes);
      each(0);
    } else {
      const widen = this.t === 'f32' ? 'f64x2.promote_low_f32x4' : 'f64x2.convert_low_i32x4_s';
      this.get(ref, lanes);
      f.emit(widen);
      each(0);
      this.get(ref, lanes);
      this.get(ref, lanes);
      f.emit('i8x16.shuffle', ...HIGH_TO_LOW).emit(widen);
      each(1);
    }
  }

  /** Folds a value into the register accumulator (its f64x2 vector in the SIMD loop). */
  fold(s: Extract<Stmt, { s: 'accumulate' }>, lanes: Lanes): void {
    const op = COMBINE[s.kind]!;
    const [acc, p] = lanes.vector ? [this.accVector, 'f64x2'] : [this.acc, 'f64'];
    this.f64Halves(s.value, lanes, () => {
      this.f
        .emit('local.get', acc)
        .emit(`${p}.${op}` as Instruction)
        .emit('local.set', acc);
    });
  }

  /** Folds a value into the accumulators A[into...] (contiguous in the SIMD loop: the innermost axis is kept). */
  accumulateInto(kind: ReduceKind, into: Index, value: Ref, lanes: Lanes): void {
    const f = this.f;
    const op = COMBINE[kind]!;
    const address = f.local('i32');
    this.elementAddress(this.local('r0'), into, 8);
    f.emit('local.set', address);
    const [load, store, p] = lanes.vector
      ? (['v128.load', 'v128.store', 'f64x2'] as const)
      : (['f64.load', 'f64.store', 'f64'] as const);
    const scratch = f.local(lanes.vector ? 'v128' : 'f64');
    this.f64Halves(value, lanes, (half) => {
      f.emit('local.set', scratch).emit('local.get', address);
      f.emit('local.get', address).emit(load, 3, half * 16);
      f.emit('local.get', scratch)
        .emit(`${p}.${op}` as Instruction)
        .emit(store, 3, half * 16);
    });
  }

  /** Stores a mask as bytes (bool, 0 or 1): each lane's low bit, one `i32.store8` per element. */
  storeMask(output: number, at: Index, value: Ref, lanes: Lanes): void {
    const f = this.f;
    const address = f.local('i32');
    this.elementAddress(this.local(`r${output}`), at, 1);
    f.emit('local.set', address);
    if (!lanes.vector) {
      f.emit('local.get', address);
      this.get(value, lanes);
      f.emit('i32.store8', 0, 0);
      return;
    }
    // a mask lane is as wide as a value: 32 bits (f32, i32: i32 lanes 0..3) or 64 (f64: i32 lanes 0 and 2)
    const step = this.bytes / 4;
    for (let e = 0; e < this.width; e++) {
      f.emit('local.get', address);
      this.get(value, lanes);
      f.emit('i32x4.extract_lane', e * step)
        .emit('i32.const', 1)
        .emit('i32.and')
        .emit('i32.store8', 0, e);
    }
  }

  private splatIdentity(kind: ReduceKind): void {
    this.f.emit('f64.const', IDENTITY[kind]).emit('f64x2.splat').emit('local.set', this.accVector);
  }

  /** acc = acc op lane 0 op lane 1 of the vector accumulator (after a SIMD loop). */
  private foldLanes(kind: ReduceKind): void {
    const op = `f64.${COMBINE[kind]!}` as Instruction;
    for (const lane of [0, 1]) {
      this.f
        .emit('local.get', this.acc)
        .emit('local.get', this.accVector)
        .emit('f64x2.extract_lane', lane)
        .emit(op)
        .emit('local.set', this.acc);
    }
  }
}
