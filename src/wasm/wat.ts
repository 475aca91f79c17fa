/**
 * A disassembler of the modules the encoder writes, to the WebAssembly text format (WAT): types, the memory
 * and function imports, and each function's locals and instructions, indented by block. It decodes the bytes with the encoder's
 * own instruction table, so `f.source` shows exactly what runs. Sections and instructions the encoder never writes
 * are reported as such, not guessed.
 */
import { INSTRUCTIONS, VALTYPE_CODE, type Immediate, type ValType } from './encoder.js';

const VALTYPE_NAME = new Map<number, ValType>(
  (Object.entries(VALTYPE_CODE) as [ValType, number][]).map(([n, c]) => [c, n]),
);
const BY_CODE = new Map<string, { name: string; imm: Immediate }>(
  Object.entries(INSTRUCTIONS).map(([name, info]) => [`${info.prefix}:${info.code}`, { name, imm: info.imm }]),
);

class Reader {
  at = 0;
  constructor(private readonly bytes: Uint8Array) {}
  get done(): boolean {
    return this.at >= this.bytes.length;
  }
  byte(): number {
    if (this.at >= this.bytes.length) throw new Error('wat: unexpected end of module');
    return this.bytes[this.at++]!;
  }
  uleb(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return result;
    }
  }
  sleb(): number {
    let result = 0;
    let shift = 0;
    let b: number;
    do {
      b = this.byte();
      result |= (b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
    return shift < 32 && b & 0x40 ? result | (-1 << shift) : result;
  }
  float(width: 4 | 8): number {
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.at, width);
    this.at += width;
    return width === 4 ? view.getFloat32(0, true) : view.getFloat64(0, true);
  }
  name(): string {
    const n = this.uleb();
    const s = new TextDecoder().decode(this.bytes.subarray(this.at, this.at + n));
    this.at += n;
    return s;
  }
  valtype(): ValType {
    const c = this.byte();
    const t = VALTYPE_NAME.get(c);
    if (!t) throw new Error(`wat: unknown value type 0x${c.toString(16)}`);
    return t;
  }
}

const formatFloat = (x: number) => (Object.is(x, -0) ? '-0' : Number.isNaN(x) ? 'nan' : String(x));

/** One instruction's immediates, as text. */
function immediates(r: Reader, imm: Immediate): string {
  switch (imm) {
    case 'none':
      return '';
    case 'index':
    case 'lane':
      return ` ${r.uleb()}`;
    case 'i32':
      return ` ${r.sleb()}`;
    case 'f32':
      return ` ${formatFloat(r.float(4))}`;
    case 'f64':
      return ` ${formatFloat(r.float(8))}`;
    case 'memarg': {
      const align = r.uleb();
      const offset = r.uleb();
      return `${offset ? ` offset=${offset}` : ''} align=${2 ** align}`;
    }
    case 'shuffle':
      return ` ${Array.from({ length: 16 }, () => r.byte()).join(' ')}`;
    case 'blocktype': {
      const c = r.byte();
      return c === 0x40 ? '' : ` (result ${VALTYPE_NAME.get(c) ?? '?'})`;
    }
  }
}

/** A function body's lines: its locals, then its instructions indented by block depth. */
function body(r: Reader, end: number, indent: string): string[] {
  const locals: ValType[] = [];
  const groups = r.uleb();
  for (let g = 0; g < groups; g++) {
    const count = r.uleb();
    const t = r.valtype();
    for (let i = 0; i < count; i++) locals.push(t);
  }
  const lines = locals.length ? [`${indent}(local ${locals.join(' ')})`] : [];
  let depth = 0;
  while (r.at < end) {
    const first = r.byte();
    const code = first === 0xfd ? r.uleb() : first;
    const info = BY_CODE.get(`${first === 0xfd ? 0xfd : 0}:${code}`);
    if (!info) throw new Error(`wat: instruction 0x${first.toString(16)} ${code} is not one the encoder writes`);
    if (info.name === 'end' || info.name === 'else') depth--;
    if (info.name === 'end' && depth < 0) break; // the function's own end
    lines.push(`${indent}${'  '.repeat(depth)}${info.name}${immediates(r, info.imm)}`);
    if (info.imm === 'blocktype' || info.name === 'else') depth++;
  }
  r.at = end;
  return lines;
}

/** The module's text. */
export function disassemble(bytes: Uint8Array): string {
  const r = new Reader(bytes);
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (!magic.every((b) => r.byte() === b)) throw new Error('wat: not a version-1 wasm module');
  const types: { params: ValType[]; results: ValType[] }[] = [];
  const funcTypes: number[] = [];
  const exports = new Map<number, string>();
  let imported = 0;
  const out = ['(module'];
  while (!r.done) {
    const id = r.byte();
    const size = r.uleb();
    const end = r.at + size;
    const count = r.uleb();
    for (let i = 0; i < count; i++) {
      if (id === 1) {
        if (r.byte() !== 0x60) throw new Error('wat: a type that is not a function type');
        const params = Array.from({ length: r.uleb() }, () => r.valtype());
        const results = Array.from({ length: r.uleb() }, () => r.valtype());
        types.push({ params, results });
        out.push(`  (type (;${i};) (func${signature(params, results)}))`);
      } else if (id === 2) {
        const module = r.name();
        const field = r.name();
        const kind = r.byte();
        if (kind === 0x00) {
          const t = types[r.uleb()]!;
          out.push(`  (import "${module}" "${field}" (func (;${imported++};)${signature(t.params, t.results)}))`);
          continue;
        }
        if (kind !== 0x02) throw new Error('wat: only memory and function imports are written');
        const flags = r.byte();
        const min = r.uleb();
        const max = flags & 1 ? ` ${r.uleb()}` : '';
        out.push(`  (import "${module}" "${field}" (memory ${min}${max}))`);
      } else if (id === 3) funcTypes.push(r.uleb());
      else if (id === 7) {
        const name = r.name();
        const kind = r.byte();
        exports.set(kind === 0 ? r.uleb() : -1 - r.uleb(), name);
      } else if (id === 10) {
        const size = r.uleb();
        const t = types[funcTypes[i]!]!;
        const name = exports.get(imported + i);
        out.push(`  (func (;${imported + i};)${name ? ` (export "${name}")` : ''}${signature(t.params, t.results)}`);
        // a long kernel has more lines than a call may take arguments: no spread
        for (const line of body(r, r.at + size, '    ')) out.push(line);
        out.push('  )');
      } else throw new Error(`wat: section ${id} is not one the encoder writes`);
    }
    r.at = end;
  }
  out.push(')');
  return out.join('\n');
}

const signature = (params: readonly ValType[], results: readonly ValType[]) =>
  (params.length ? ` (param ${params.join(' ')})` : '') + (results.length ? ` (result ${results.join(' ')})` : '');
