/**
 * A small WebAssembly binary encoder: a module of function types, one imported memory, functions and their
 * exports, and the instructions the kernel renderer emits (i32 index arithmetic, f32/f64 scalar math, loads and
 * stores, structured control flow, and the SIMD `v128` f32x4/f64x2 subset). The instruction table is shared with
 * the disassembler (`wat.ts`), so what `f.source` prints is decoded from the bytes that run.
 *
 * Binary format: https://webassembly.github.io/spec/core/binary/ (sections 1 type, 2 import, 3 function, 7 export,
 * 10 code) and the fixed-width SIMD proposal (prefix 0xfd, LEB128 opcodes).
 */

import { wasm } from './api.js';

export type ValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128';
export const VALTYPE_CODE: { readonly [T in ValType]: number } = {
  i32: 0x7f,
  i64: 0x7e,
  f32: 0x7d,
  f64: 0x7c,
  v128: 0x7b,
};

/**
 * The immediates an instruction carries: none; an index (local, label); a signed i32; an f32 or f64 constant; a
 * memory argument (alignment exponent, offset); a block type (empty or one value type); a lane index byte; 16
 * lane bytes (shuffle). An `i64.const` carries a signed integer in the 32-bit range (all the encoder needs).
 */
export type Immediate = 'none' | 'index' | 'i32' | 'f32' | 'f64' | 'memarg' | 'blocktype' | 'lane' | 'shuffle';

export interface InstructionInfo {
  /** 0xfd for SIMD instructions (then `code` is its LEB128 sub-opcode), else 0. */
  readonly prefix: 0 | 0xfd;
  readonly code: number;
  readonly imm: Immediate;
}

const op = (code: number, imm: Immediate = 'none'): InstructionInfo => ({ prefix: 0, code, imm });
const simd = (code: number, imm: Immediate = 'none'): InstructionInfo => ({ prefix: 0xfd, code, imm });

/** Every instruction the encoder writes, by its text-format name. */
export const INSTRUCTIONS = {
  unreachable: op(0x00),
  block: op(0x02, 'blocktype'),
  loop: op(0x03, 'blocktype'),
  if: op(0x04, 'blocktype'),
  else: op(0x05),
  end: op(0x0b),
  br: op(0x0c, 'index'),
  br_if: op(0x0d, 'index'),
  return: op(0x0f),
  call: op(0x10, 'index'),
  drop: op(0x1a),
  select: op(0x1b),
  'local.get': op(0x20, 'index'),
  'local.set': op(0x21, 'index'),
  'local.tee': op(0x22, 'index'),
  'i32.load': op(0x28, 'memarg'),
  'f32.load': op(0x2a, 'memarg'),
  'f64.load': op(0x2b, 'memarg'),
  'i32.store': op(0x36, 'memarg'),
  'f32.store': op(0x38, 'memarg'),
  'f64.store': op(0x39, 'memarg'),
  'i32.store8': op(0x3a, 'memarg'),
  'i32.const': op(0x41, 'i32'),
  'i64.const': op(0x42, 'i32'),
  'f32.const': op(0x43, 'f32'),
  'f64.const': op(0x44, 'f64'),
  'i32.eqz': op(0x45),
  'i32.eq': op(0x46),
  'i32.ne': op(0x47),
  'i32.lt_s': op(0x48),
  'i32.lt_u': op(0x49),
  'i32.gt_s': op(0x4a),
  'i32.le_s': op(0x4c),
  'i32.ge_s': op(0x4e),
  'f32.eq': op(0x5b),
  'f32.ne': op(0x5c),
  'f32.lt': op(0x5d),
  'f32.gt': op(0x5e),
  'f32.le': op(0x5f),
  'f32.ge': op(0x60),
  'f64.eq': op(0x61),
  'f64.ne': op(0x62),
  'f64.lt': op(0x63),
  'f64.gt': op(0x64),
  'f64.le': op(0x65),
  'f64.ge': op(0x66),
  'i32.add': op(0x6a),
  'i32.sub': op(0x6b),
  'i32.mul': op(0x6c),
  'i32.and': op(0x71),
  'i32.or': op(0x72),
  'i32.shl': op(0x74),
  'i32.shr_s': op(0x75),
  'f32.abs': op(0x8b),
  'f32.neg': op(0x8c),
  'f32.sqrt': op(0x91),
  'f32.add': op(0x92),
  'f32.sub': op(0x93),
  'f32.mul': op(0x94),
  'f32.div': op(0x95),
  'f32.min': op(0x96),
  'f32.max': op(0x97),
  'f64.abs': op(0x99),
  'f64.neg': op(0x9a),
  'f64.sqrt': op(0x9f),
  'f64.add': op(0xa0),
  'f64.sub': op(0xa1),
  'f64.mul': op(0xa2),
  'f64.div': op(0xa3),
  'f64.min': op(0xa4),
  'f64.max': op(0xa5),
  'f32.convert_i32_u': op(0xb3),
  'f64.convert_i32_s': op(0xb7),
  'f64.convert_i32_u': op(0xb8),
  'f32.demote_f64': op(0xb6),
  'f64.promote_f32': op(0xbb),
  'v128.load': simd(0x00, 'memarg'),
  'v128.load32_splat': simd(0x09, 'memarg'),
  'v128.load64_splat': simd(0x0a, 'memarg'),
  'v128.store': simd(0x0b, 'memarg'),
  'i8x16.shuffle': simd(0x0d, 'shuffle'),
  'i32x4.splat': simd(0x11),
  'i64x2.splat': simd(0x12),
  'f32x4.splat': simd(0x13),
  'f64x2.splat': simd(0x14),
  'i32x4.extract_lane': simd(0x1b, 'lane'),
  'i32x4.eq': simd(0x37),
  'i32x4.ne': simd(0x38),
  'i32x4.lt_s': simd(0x39),
  'i32x4.gt_s': simd(0x3b),
  'i32x4.le_s': simd(0x3d),
  'i32x4.ge_s': simd(0x3f),
  'f32x4.extract_lane': simd(0x1f, 'lane'),
  'f64x2.extract_lane': simd(0x21, 'lane'),
  'f64x2.replace_lane': simd(0x22, 'lane'),
  'f32x4.eq': simd(0x41),
  'f32x4.ne': simd(0x42),
  'f32x4.lt': simd(0x43),
  'f32x4.gt': simd(0x44),
  'f32x4.le': simd(0x45),
  'f32x4.ge': simd(0x46),
  'f64x2.eq': simd(0x47),
  'f64x2.ne': simd(0x48),
  'f64x2.lt': simd(0x49),
  'f64x2.gt': simd(0x4a),
  'f64x2.le': simd(0x4b),
  'f64x2.ge': simd(0x4c),
  'v128.not': simd(0x4d),
  'v128.and': simd(0x4e),
  'v128.andnot': simd(0x4f),
  'v128.or': simd(0x50),
  'v128.xor': simd(0x51),
  'v128.bitselect': simd(0x52),
  'v128.any_true': simd(0x53),
  'i64x2.all_true': simd(0xc3),
  'f32x4.demote_f64x2_zero': simd(0x5e),
  'f64x2.promote_low_f32x4': simd(0x5f),
  'f32x4.nearest': simd(0x6a),
  'f64x2.nearest': simd(0x94),
  'i32x4.abs': simd(0xa0),
  'i32x4.neg': simd(0xa1),
  'i32x4.shl': simd(0xab),
  'i32x4.shr_s': simd(0xac),
  'i32x4.shr_u': simd(0xad),
  'i32x4.add': simd(0xae),
  'i32x4.sub': simd(0xb1),
  'i32x4.mul': simd(0xb5),
  'i32x4.min_s': simd(0xb6),
  'i32x4.max_s': simd(0xb8),
  'i64x2.extend_low_i32x4_s': simd(0xc7),
  'i64x2.shl': simd(0xcb),
  'i64x2.shr_s': simd(0xcc),
  'i64x2.shr_u': simd(0xcd),
  'i64x2.add': simd(0xce),
  'i64x2.sub': simd(0xd1),
  'f32x4.abs': simd(0xe0),
  'f32x4.neg': simd(0xe1),
  'f32x4.sqrt': simd(0xe3),
  'f32x4.add': simd(0xe4),
  'f32x4.sub': simd(0xe5),
  'f32x4.mul': simd(0xe6),
  'f32x4.div': simd(0xe7),
  'f32x4.min': simd(0xe8),
  'f32x4.max': simd(0xe9),
  'f32x4.pmin': simd(0xea),
  'f32x4.pmax': simd(0xeb),
  'f64x2.abs': simd(0xec),
  'f64x2.neg': simd(0xed),
  'f64x2.sqrt': simd(0xef),
  'f64x2.add': simd(0xf0),
  'f64x2.sub': simd(0xf1),
  'f64x2.mul': simd(0xf2),
  'f64x2.div': simd(0xf3),
  'f64x2.min': simd(0xf4),
  'f64x2.max': simd(0xf5),
  'f64x2.pmin': simd(0xf6),
  'f64x2.pmax': simd(0xf7),
  'i32x4.trunc_sat_f32x4_s': simd(0xf8),
  'f32x4.convert_i32x4_s': simd(0xfa),
  'i32x4.trunc_sat_f64x2_s_zero': simd(0xfc),
  'f64x2.convert_low_i32x4_s': simd(0xfe),
} as const satisfies Record<string, InstructionInfo>;

export type Instruction = keyof typeof INSTRUCTIONS;

// ---------------------------------------------------------------------------------------------------------------
// Primitive encodings

/** Unsigned LEB128. */
export function uleb(n: number, out: number[] = []): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`internal: uleb of ${n}`);
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 of a 32-bit integer. */
export function sleb(n: number, out: number[] = []): number[] {
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw new RangeError(`internal: sleb of ${n}`);
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

const scratch = new DataView(new ArrayBuffer(8));
function floatBytes(x: number, width: 4 | 8, out: number[]): void {
  if (width === 4) scratch.setFloat32(0, x, true);
  else scratch.setFloat64(0, x, true);
  for (let i = 0; i < width; i++) out.push(scratch.getUint8(i));
}

const utf8 = (s: string): number[] => [...new TextEncoder().encode(s)];
const name = (s: string, out: number[]) => out.push(...uleb(utf8(s).length), ...utf8(s));
/** A vector of items: its length, then the items. */
const vector = (items: readonly number[][]): number[] => [...uleb(items.length), ...items.flat()];

// ---------------------------------------------------------------------------------------------------------------
// Function bodies

/** A label target: `block`/`loop`/`if` push one; `br` names it by depth. */
export type BlockType = ValType | null;

/** Builds one function body: its extra locals and its instructions. */
export class FunctionBuilder {
  readonly bytes: number[] = [];
  private readonly locals: ValType[] = [];
  private depth = 0;

  constructor(
    readonly params: readonly ValType[],
    readonly results: readonly ValType[],
  ) {}

  /** A new local of `type`; returns its index (after the parameters). */
  local(type: ValType): number {
    return this.params.length + this.locals.push(type) - 1;
  }

  /** Writes an instruction; `imm` as its immediates require (memarg: alignment exponent, offset). */
  emit(instr: Instruction, ...imm: number[]): this {
    const info: InstructionInfo = INSTRUCTIONS[instr];
    const b = this.bytes;
    if (info.prefix) {
      b.push(info.prefix);
      uleb(info.code, b);
    } else b.push(info.code);
    const need = info.imm === 'none' ? 0 : info.imm === 'memarg' ? 2 : info.imm === 'shuffle' ? 16 : 1;
    if (imm.length !== need) throw new Error(`internal: ${instr} takes ${need} immediates, got ${imm.length}`);
    switch (info.imm) {
      case 'index':
      case 'lane':
        uleb(imm[0]!, b);
        break;
      case 'i32':
        sleb(imm[0]!, b);
        break;
      case 'f32':
        floatBytes(imm[0]!, 4, b);
        break;
      case 'f64':
        floatBytes(imm[0]!, 8, b);
        break;
      case 'memarg':
        uleb(imm[0]!, b);
        uleb(imm[1]!, b);
        break;
      case 'shuffle':
        for (const lane of imm) {
          if (!Number.isInteger(lane) || lane < 0 || lane > 31) throw new RangeError(`internal: shuffle lane ${lane}`);
          b.push(lane);
        }
        break;
      case 'blocktype':
        throw new Error(`internal: open blocks with begin()`);
      case 'none':
        break;
    }
    if (instr === 'end') this.depth--;
    return this;
  }

  /** Opens a `block`, `loop` or `if` with a result type (null: none). */
  begin(kind: 'block' | 'loop' | 'if', type: BlockType = null): this {
    this.bytes.push(INSTRUCTIONS[kind].code, type === null ? 0x40 : VALTYPE_CODE[type]);
    this.depth++;
    return this;
  }

  /** The function's code entry: its size, its locals (run-length grouped) and its body. */
  encode(): number[] {
    if (this.depth !== 0) throw new Error('internal: unbalanced blocks in a wasm function');
    const groups: number[][] = [];
    for (let i = 0; i < this.locals.length;) {
      let j = i;
      while (j < this.locals.length && this.locals[j] === this.locals[i]) j++;
      groups.push([...uleb(j - i), VALTYPE_CODE[this.locals[i]!]]);
      i = j;
    }
    const body = [...vector(groups), ...this.bytes, INSTRUCTIONS.end.code];
    return [...uleb(body.length), ...body];
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Modules

export interface ModuleFunction {
  readonly name: string;
  readonly body: FunctionBuilder;
}

/** A function the module imports from `env` (a JavaScript function, e.g. the exact path of a math routine). */
export interface FunctionImport {
  readonly name: string;
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

/**
 * A module importing one memory (`env.memory`, at least `minPages` 64 KiB pages) and the functions `imports`
 * (`env.<name>`; function indices 0.., so `call i` calls `imports[i]` and the module's own functions follow), and
 * exporting `functions` by name. Function types are deduplicated.
 */
export function encodeModule(
  functions: readonly ModuleFunction[],
  minPages = 1,
  imports: readonly FunctionImport[] = [],
): Uint8Array {
  const types: string[] = [];
  const typeBytes: number[][] = [];
  const typeIndex = (params: readonly ValType[], results: readonly ValType[]) => {
    const bytes = [
      0x60,
      ...vector(params.map((t) => [VALTYPE_CODE[t]])),
      ...vector(results.map((t) => [VALTYPE_CODE[t]])),
    ];
    const key = bytes.join(',');
    let i = types.indexOf(key);
    if (i < 0) ((i = types.push(key) - 1), typeBytes.push(bytes));
    return i;
  };
  const importTypes = imports.map((im) => typeIndex(im.params, im.results));
  const typeOf = functions.map(({ body }) => typeIndex(body.params, body.results));
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const memoryImport: number[] = [];
  name('env', memoryImport);
  name('memory', memoryImport);
  memoryImport.push(0x02, 0x00, ...uleb(minPages)); // memory, limits without a maximum
  const functionImports = imports.map((im, i) => {
    const out: number[] = [];
    name('env', out);
    name(im.name, out);
    out.push(0x00, ...uleb(importTypes[i]!)); // a function import of that type
    return out;
  });
  const exports = functions.map((f, i) => {
    const out: number[] = [];
    name(f.name, out);
    out.push(0x00, ...uleb(imports.length + i)); // a function export
    return out;
  });
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // \0asm, version 1
    ...section(1, vector(typeBytes)),
    ...section(2, vector([memoryImport, ...functionImports])),
    ...section(3, vector(typeOf.map((t) => uleb(t)))),
    ...section(7, vector(exports)),
    ...section(10, vector(functions.map((f) => f.body.encode()))),
  ]);
}

/** Whether this engine runs WebAssembly with the fixed-width SIMD instructions (a tiny module using v128). */
export function simdSupported(): boolean {
  if (!wasm || typeof wasm.validate !== 'function') return false;
  const f = new FunctionBuilder([], ['v128']);
  f.emit('f32.const', 1).emit('f32x4.splat');
  try {
    return wasm.validate(encodeModule([{ name: 'f', body: f }]));
  } catch {
    return false;
  }
}
