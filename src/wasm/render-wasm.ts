/**
 * The WebAssembly renderer of the loop IR: the flat loop of an elementwise float32 or float64 kernel becomes one
 * wasm function, a SIMD loop (f32x4 or f64x2, the width the lowering gave the loop) followed by a scalar tail. Each
 * scalar op is a table entry that writes the same instruction for the vector and the scalar lane shape
 * (`f32x4.add` / `f32.add`), so the two loops cannot disagree.
 *
 * Which kernels render (`wasmPlan`): elementwise, or a float sum over every axis, of rank >= 1, every input, output and op value
 * of one float dtype, or a comparison of such values (a lane mask: read only by `switch` or cast back to the
 * float dtype), using only the ops of `WASM_OPS`. Anything else stays JavaScript, kernel by kernel.
 *
 * The function's parameters: a byte address per non-scalar input, one per output, the element count, then the
 * value of each statically scalar input (splatted once before the loop). A sum returns its value (f64).
 */
import type { ScalarOpName } from '../ops/scalar.js';
import type { KernelIR, KernelOp, Ref } from '../codegen/kernel.js';
import type { LoopKernel, Stmt } from '../codegen/loop-ir.js';
import { encodeModule, FunctionBuilder, type FunctionImport, type Instruction, type ValType } from './encoder.js';
import { INT32_OPS } from './int-ops.js';
import { expF64x2, f32x4ViaF64, scalarViaF64, sigmoidF64x2, tanhF64x2, type LaneFunction } from './math.js';
import { expm1F64x2 } from './math.js';
import { erfF64x2 } from './math-erf.js';
import { expF32x4, scalarViaF32x4, sigmoidF32x4, tanhF32x4, type F32LaneFunction } from './math-f32.js';
import { log1pF64x2, logF64x2, softplusF64x2 } from './math-log.js';
import { cosF64x2, sinF64x2, TRIG_IMPORTS } from './math-trig.js';

export type WasmDType = 'float32' | 'float64';

/** A value in the loop: a float of the kernel's dtype, or a comparison's lane mask. */
export type Kind = 'float' | 'mask';

/** The lane shape an op is written for: a vector loop or the scalar tail, of f32 or f64. */
export interface Lanes {
  /** Instruction prefix: f32x4, f64x2, f32 or f64. */
  readonly p: 'f32x4' | 'f64x2' | 'f32' | 'f64';
  readonly vector: boolean;
  readonly float: 'f32' | 'f64';
}

/** How an op writes itself: its operands are already on the stack unless `custom` reads them itself. */
interface WasmOp {
  readonly result: Kind;
  /** The kinds the operands must have. */
  readonly args: readonly Kind[];
  readonly write: (f: FunctionBuilder, lanes: Lanes, operand: (i: number) => void) => void;
}

export const ins = (lanes: Lanes, name: string) => `${lanes.p}.${name}` as Instruction;
/** An op of one instruction over its operands, in order. */
const simple = (name: string, arity: number): WasmOp => ({
  result: 'float',
  args: Array.from({ length: arity }, () => 'float' as const),
  write: (f, lanes, operand) => {
    for (let i = 0; i < arity; i++) operand(i);
    f.emit(ins(lanes, name));
  },
});
const compare = (name: string): WasmOp => ({
  result: 'mask',
  args: ['float', 'float'],
  write: (f, lanes, operand) => {
    operand(0);
    operand(1);
    f.emit(ins(lanes, name));
  },
});
export const zero = (f: FunctionBuilder, lanes: Lanes) => {
  f.emit(`${lanes.float}.const`, 0);
  if (lanes.vector) f.emit(`${lanes.p}.splat` as Instruction);
};
const one = (f: FunctionBuilder, lanes: Lanes) => {
  f.emit(`${lanes.float}.const`, 1);
  if (lanes.vector) f.emit(`${lanes.p}.splat` as Instruction);
};

/** A transcendental function computed in f64x2 lanes (float32 lanes promoted, then rounded once). */
const viaF64 = (g: LaneFunction): WasmOp => ({
  result: 'float',
  args: ['float'],
  write: (f, lanes, operand) => {
    operand(0);
    if (!lanes.vector) scalarViaF64(f, lanes.float, g);
    else if (lanes.float === 'f32') f32x4ViaF64(f, g);
    else g(f, 'f64');
  },
});

/** A transcendental function with native f32x4 code for float32 lanes (float64 lanes: f64x2). */
const nativeF32 = (g64: LaneFunction, g32: F32LaneFunction): WasmOp => ({
  result: 'float',
  args: ['float'],
  write: (f, lanes, operand) => {
    operand(0);
    if (lanes.float === 'f64') lanes.vector ? g64(f, 'f64') : scalarViaF64(f, 'f64', g64);
    else if (lanes.vector) g32(f);
    else scalarViaF32x4(f, g32);
  },
});

/** The ops the renderer lowers (the others keep their kernel in JavaScript). */
export const WASM_OPS: Partial<Record<ScalarOpName, WasmOp>> = {
  add: simple('add', 2),
  sub: simple('sub', 2),
  mul: simple('mul', 2),
  true_div: simple('div', 2),
  neg: simple('neg', 1),
  abs: simple('abs', 1),
  sqrt: simple('sqrt', 1),
  exp: nativeF32((f, precision) => expF64x2(f, precision), expF32x4),
  sigmoid: nativeF32(sigmoidF64x2, sigmoidF32x4),
  tanh: nativeF32(tanhF64x2, tanhF32x4),
  expm1: viaF64(expm1F64x2),
  log: viaF64(logF64x2),
  log1p: viaF64(log1pF64x2),
  softplus: viaF64(softplusF64x2),
  erf: viaF64(erfF64x2),
  sin: viaF64(sinF64x2),
  cos: viaF64(cosF64x2),
  maximum: simple('max', 2),
  minimum: simple('min', 2),
  sqr: {
    result: 'float',
    args: ['float'],
    write: (f, lanes, operand) => {
      operand(0);
      operand(0);
      f.emit(ins(lanes, 'mul'));
    },
  },
  clip: {
    result: 'float',
    args: ['float', 'float', 'float'],
    write: (f, lanes, operand) => {
      operand(0);
      operand(1);
      f.emit(ins(lanes, 'max'));
      operand(2);
      f.emit(ins(lanes, 'min'));
    },
  },
  lt: compare('lt'),
  gt: compare('gt'),
  le: compare('le'),
  ge: compare('ge'),
  eq: compare('eq'),
  neq: compare('ne'),
  // switch(c, a, b): a where c holds (a mask, or a float that is not 0), else b
  switch: {
    result: 'float',
    args: ['mask', 'float', 'float'],
    write: (f, lanes, operand) => {
      operand(1);
      operand(2);
      operand(0);
      f.emit(lanes.vector ? 'v128.bitselect' : 'select');
    },
  },
  // a mask cast to the float dtype: 1 where it holds, else 0
  cast: {
    result: 'float',
    args: ['mask'],
    write: (f, lanes, operand) => {
      if (lanes.vector) {
        operand(0);
        one(f, lanes);
        f.emit('v128.and');
      } else {
        operand(0);
        f.emit(lanes.float === 'f32' ? 'f32.convert_i32_u' : 'f64.convert_i32_u');
      }
    },
  },
};

/** What the renderer needs to know of a kernel, when it can render it. */
export interface WasmPlan {
  /** The values' dtype (int32 kernels render in `render-loops.ts` only). */
  readonly dtype: WasmDType | 'int32';
  /** The kind of each ref (inputs, then op results). */
  readonly kinds: readonly Kind[];
  readonly nonScalarInputs: readonly number[];
  readonly scalarInputs: readonly number[];
  /** Whether the flat loop renders too (elementwise, or a sum over every axis); the nested loops always do. */
  readonly flat: boolean;
}

/** Why `ir` cannot run as WebAssembly, or its plan. */
export function wasmPlan(ir: KernelIR): WasmPlan | string {
  if (ir.rank === 0) return 'rank 0';
  const r = ir.reduce;
  const dtype = ir.inputs[0]?.dtype ?? ir.ops[0]?.dtype;
  if (dtype !== 'float32' && dtype !== 'float64' && dtype !== 'int32') return `dtype ${String(dtype)}`;
  // reductions: a sum, product, max or min (int32: max, min) over any axes, to the input dtype (the nested
  // loops of `render-loops.ts`; a float sum over every axis also has the flat loop)
  if (r && (!NEST_REDUCTIONS[dtype].has(r.kind) || r.dtype !== dtype)) return `a ${r.kind} reduction to ${r.dtype}`;
  if (ir.inputs.some((inp) => inp.dtype !== dtype)) return 'mixed input dtypes';
  const kinds: Kind[] = ir.inputs.map(() => 'float');
  for (const op of ir.ops) {
    const kind = opKind(op, dtype, kinds);
    if (typeof kind !== 'string') return kind.why;
    kinds.push(kind);
  }
  if (r && kinds[r.value] !== 'float') return `a ${r.kind} of bools`;
  const nonScalarInputs = ir.inputs.flatMap((inp, k) => (inp.scalar ? [] : [k]));
  if (nonScalarInputs.length === 0) return 'no array input';
  const scalarInputs = ir.inputs.flatMap((inp, k) => (inp.scalar ? [k] : []));
  // the flat loop: float values and outputs (bool outputs and int32 kernels run the nested loops only)
  const floatOutputs = ir.outputs.every((o) => kinds[o.ref] === 'float');
  const flat = dtype !== 'int32' && floatOutputs && (!r || (r.kind === 'sum' && r.axes.length === ir.rank));
  return { dtype, kinds, nonScalarInputs, scalarInputs, flat };
}

/**
 * The reductions the nested loops write (all and any stay JavaScript; integer sums and products are not generated
 * kernels unless to int64, which stays JavaScript).
 */
const NEST_REDUCTIONS = {
  float32: new Set(['sum', 'prod', 'max', 'min']),
  float64: new Set(['sum', 'prod', 'max', 'min']),
  int32: new Set(['max', 'min']),
};

function opKind(op: KernelOp, dtype: WasmDType | 'int32', kinds: readonly Kind[]): Kind | { why: string } {
  const w = dtype === 'int32' ? INT32_OPS[op.op] : WASM_OPS[op.op];
  if (!w) return { why: `op ${op.op}` };
  if (op.dtype !== (w.result === 'mask' ? 'bool' : dtype)) return { why: `${op.op} to ${op.dtype}` };
  for (let i = 0; i < op.args.length; i++) {
    const kind = kinds[op.args[i]!]!;
    // switch also takes a float condition (compared with 0)
    const ok = kind === w.args[i] || (op.op === 'switch' && i === 0 && kind === 'float');
    if (!ok) return { why: `${op.op} of a ${kind}` };
  }
  return w.result;
}

/** Shuffle lanes moving bytes 8..15 of a v128 to 0..7 (f32 lanes 2, 3 to 0, 1). */
const HIGH_TO_LOW = [8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 4, 5, 6, 7];

/** The flat loop of a lowered elementwise kernel (its `ifFlat`'s `then`). */
function flatLoop(kernel: LoopKernel): Extract<Stmt, { s: 'loop' }> {
  const branch = kernel.body.find((s) => s.s === 'ifFlat');
  const loop = branch?.s === 'ifFlat' ? branch.then[0] : undefined;
  if (!loop || loop.s !== 'loop') throw new Error('internal: no flat loop to render as wasm');
  return loop;
}

/** Renders the flat loop of `kernel` (lowered with a SIMD width) as a wasm module exporting `kernel`. */
export function renderWasm(kernel: LoopKernel, plan: WasmPlan): Uint8Array {
  return encodeModule([{ name: 'kernel', body: new FlatLoopWriter(kernel, plan).write() }], 1, kernelImports(kernel));
}

/** sin and cos call their exact path (Math.sin, Math.cos) for huge arguments: the modules using them import it. */
export function kernelImports(kernel: LoopKernel): readonly FunctionImport[] {
  return kernel.ir.ops.some((o) => o.op === 'sin' || o.op === 'cos') ? TRIG_IMPORTS : [];
}

/** The statements a flat loop holds, and how each is written for a lane shape. */
type FlatStmt = Extract<Stmt, { s: 'load' | 'op' | 'store' | 'accumulate' }>;
type WasmRule<K extends FlatStmt['s']> = (w: FlatLoopWriter, s: Extract<FlatStmt, { s: K }>, lanes: Lanes) => void;

const WASM_STATEMENTS: { readonly [K in FlatStmt['s']]: WasmRule<K> } = {
  load: (w, s, lanes) => {
    const local = w.f.local(w.valueType(s.input, lanes));
    w.address(w.inputParam.get(s.input)!);
    w.f.emit(lanes.vector ? 'v128.load' : (`${w.float}.load` as Instruction), w.memarg(lanes), 0);
    w.f.emit('local.set', local);
    w.values.set(s.input, local);
  },
  op: (w, s, lanes) => {
    const ref = w.kernel.ir.inputs.length + s.j;
    const local = w.f.local(w.valueType(ref, lanes));
    WASM_OPS[s.op.op]!.write(w.f, lanes, (a) => {
      w.get(s.args[a]!, lanes);
      // a float condition of switch: a mask of "not 0"
      if (s.op.op === 'switch' && a === 0 && w.plan.kinds[s.args[0]!] === 'float') {
        zero(w.f, lanes);
        w.f.emit(ins(lanes, 'ne'));
      }
    });
    w.f.emit('local.set', local);
    w.values.set(ref, local);
  },
  store: (w, s, lanes) => {
    w.address(w.plan.nonScalarInputs.length + s.output);
    w.get(s.value, lanes);
    w.f.emit(lanes.vector ? 'v128.store' : (`${w.float}.store` as Instruction), w.memarg(lanes), 0);
  },
  // a sum: two f64 partial sums in the vector loop, one in the tail (the JS kernel sums in f64 too)
  accumulate: (w, s, lanes) => {
    const f = w.f;
    if (!lanes.vector) {
      w.get(s.value, lanes);
      if (w.float === 'f32') f.emit('f64.promote_f32');
      f.emit('local.get', w.acc).emit('f64.add').emit('local.set', w.acc);
    } else if (w.float === 'f64') {
      w.get(s.value, lanes);
      f.emit('local.get', w.accVector).emit('f64x2.add').emit('local.set', w.accVector);
    } else {
      // the four f32 lanes as two pairs of f64 lanes
      w.get(s.value, lanes);
      f.emit('f64x2.promote_low_f32x4').emit('local.get', w.accVector).emit('f64x2.add');
      w.get(s.value, lanes);
      w.get(s.value, lanes);
      f.emit('i8x16.shuffle', ...HIGH_TO_LOW)
        .emit('f64x2.promote_low_f32x4')
        .emit('f64x2.add');
      f.emit('local.set', w.accVector);
    }
  },
};

/**
 * Writes one kernel's wasm function: parameters (array addresses, output addresses, n, scalar values), the
 * splatted scalars, the vector loop, the scalar tail, and a sum's result.
 */
class FlatLoopWriter {
  readonly f: FunctionBuilder;
  readonly float: 'f32' | 'f64';
  private readonly loop: Extract<Stmt, { s: 'loop' }>;
  private readonly bytes: number;
  /** Parameter index of each array input's address, of n, of each scalar input's value. */
  readonly inputParam: Map<number, number>;
  private readonly nParam: number;
  private readonly scalarParam: Map<number, number>;
  /** The splatted scalar inputs (vector loop). */
  private readonly splats = new Map<number, number>();
  /** The local holding each ref's value in the loop being written. */
  values = new Map<Ref, number>();
  private readonly i: number;
  private readonly byteOffset: number;
  readonly accVector: number;
  readonly acc: number;

  constructor(
    readonly kernel: LoopKernel,
    readonly plan: WasmPlan,
  ) {
    this.loop = flatLoop(kernel);
    this.float = plan.dtype === 'float32' ? 'f32' : 'f64';
    this.bytes = plan.dtype === 'float32' ? 4 : 8;
    if (this.loop.width * this.bytes !== 16) throw new Error('internal: the flat loop is not 16 bytes wide');
    const arrays = plan.nonScalarInputs.length;
    this.nParam = arrays + kernel.ir.outputs.length;
    this.inputParam = new Map(plan.nonScalarInputs.map((k, i) => [k, i]));
    this.scalarParam = new Map(plan.scalarInputs.map((k, i) => [k, this.nParam + 1 + i]));
    const params: ValType[] = [
      ...Array.from({ length: this.nParam + 1 }, (): ValType => 'i32'),
      ...plan.scalarInputs.map((): ValType => this.float),
    ];
    this.f = new FunctionBuilder(params, kernel.ir.reduce ? ['f64'] : []);
    this.i = this.f.local('i32');
    this.byteOffset = this.f.local('i32');
    this.accVector = this.f.local('v128');
    this.acc = this.f.local('f64');
  }

  write(): FunctionBuilder {
    const f = this.f;
    const float = this.float;
    const vector: Lanes = { p: float === 'f32' ? 'f32x4' : 'f64x2', vector: true, float };
    // statically scalar inputs: splatted once for the vector loop, read from their parameter in the tail
    for (const [k, p] of this.scalarParam) {
      const local = f.local('v128');
      f.emit('local.get', p)
        .emit(`${vector.p}.splat` as Instruction)
        .emit('local.set', local);
      this.splats.set(k, local);
    }
    // the vector loop runs while a whole vector remains: i < n - n % width
    const width = this.loop.width;
    this.counted(vector, () =>
      f
        .emit('local.get', this.nParam)
        .emit('local.get', this.nParam)
        .emit('i32.const', width - 1)
        .emit('i32.and')
        .emit('i32.sub'),
    );
    if (this.kernel.ir.reduce) {
      f.emit('local.get', this.accVector).emit('f64x2.extract_lane', 0);
      f.emit('local.get', this.accVector).emit('f64x2.extract_lane', 1).emit('f64.add').emit('local.set', this.acc);
    }
    this.counted({ p: float, vector: false, float }, () => f.emit('local.get', this.nParam));
    if (this.kernel.ir.reduce) f.emit('local.get', this.acc);
    return f;
  }

  /** One counted loop over the flat body, `lanes` elements at a time, while i < bound. */
  private counted(lanes: Lanes, bound: () => void): void {
    const f = this.f;
    this.values = new Map();
    f.begin('block').begin('loop');
    f.emit('local.get', this.i);
    bound();
    f.emit('i32.ge_s').emit('br_if', 1);
    f.emit('local.get', this.i)
      .emit('i32.const', Math.log2(this.bytes))
      .emit('i32.shl')
      .emit('local.set', this.byteOffset);
    for (const s of this.loop.body) {
      if (s.s !== 'load' && s.s !== 'op' && s.s !== 'store' && s.s !== 'accumulate')
        throw new Error(`internal: ${s.s} in a flat loop`);
      (WASM_STATEMENTS[s.s] as WasmRule<FlatStmt['s']>)(this, s, lanes);
    }
    f.emit('local.get', this.i)
      .emit('i32.const', lanes.vector ? this.loop.width : 1)
      .emit('i32.add')
      .emit('local.set', this.i);
    f.emit('br', 0).emit('end').emit('end');
  }

  /** Pushes the address of element i of the array whose address is parameter `param`. */
  address(param: number): void {
    this.f.emit('local.get', param).emit('local.get', this.byteOffset).emit('i32.add');
  }

  /** Pushes a ref's value: a loaded or computed local, or a scalar input (splatted, or its parameter). */
  get(ref: Ref, lanes: Lanes): void {
    const scalar = lanes.vector ? this.splats.get(ref) : this.scalarParam.get(ref);
    this.f.emit('local.get', scalar ?? this.values.get(ref)!);
  }

  valueType(ref: Ref, lanes: Lanes): ValType {
    return lanes.vector ? 'v128' : this.plan.kinds[ref] === 'mask' ? 'i32' : this.float;
  }

  /** The alignment exponent of a load or store. */
  memarg(lanes: Lanes): number {
    return lanes.vector ? 4 : Math.log2(this.bytes);
  }
}
