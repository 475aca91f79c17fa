/**
 * The WebAssembly encoder: LEB128 against the spec's worked examples, and modules built with it validated by the
 * engine (`wasm.validate`) and run, their results checked against plain JS loops.
 */
import { describe, expect, test } from 'vitest';
import { wasm as maybeWasm } from '../../src/wasm/api.js';
import { encodeModule, FunctionBuilder, simdSupported, sleb, uleb } from '../../src/wasm/encoder.js';
import { disassemble } from '../../src/wasm/wat.js';

const wasm = maybeWasm!;
const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');

function instantiate(bytes: Uint8Array, memory = new wasm.Memory({ initial: 1 })) {
  expect(wasm.validate(bytes)).toBe(true);
  const module = new wasm.Module(bytes);
  return new wasm.Instance(module, { env: { memory } }).exports as Record<string, (...a: number[]) => number>;
}

describe('LEB128', () => {
  test('unsigned and signed, as the DWARF/wasm spec examples', () => {
    expect(hex(uleb(0))).toBe('00');
    expect(hex(uleb(127))).toBe('7f');
    expect(hex(uleb(128))).toBe('80 01');
    expect(hex(uleb(624485))).toBe('e5 8e 26');
    expect(hex(uleb(0xffffffff))).toBe('ff ff ff ff 0f');
    expect(hex(sleb(0))).toBe('00');
    expect(hex(sleb(-1))).toBe('7f');
    expect(hex(sleb(63))).toBe('3f');
    expect(hex(sleb(64))).toBe('c0 00');
    expect(hex(sleb(-64))).toBe('40');
    expect(hex(sleb(-65))).toBe('bf 7f');
    expect(hex(sleb(-123456))).toBe('c0 bb 78');
    expect(hex(sleb(-0x80000000))).toBe('80 80 80 80 78');
    expect(() => uleb(-1)).toThrow(RangeError);
    expect(() => sleb(2 ** 31)).toThrow(RangeError);
  });
});

describe('modules', () => {
  test('scalar f64 and f32 arithmetic with constants', () => {
    const f = new FunctionBuilder(['f64', 'f64'], ['f64']);
    f.emit('local.get', 0).emit('local.get', 1).emit('f64.mul').emit('f64.const', 0.1).emit('f64.add');
    const g = new FunctionBuilder(['f32'], ['f32']);
    g.emit('local.get', 0).emit('f32.sqrt').emit('f32.const', -2.5).emit('f32.max');
    const m = instantiate(
      encodeModule([
        { name: 'f', body: f },
        { name: 'g', body: g },
      ]),
    );
    expect(m.f!(3, 7)).toBe(3 * 7 + 0.1);
    expect(m.g!(2)).toBe(Math.fround(Math.sqrt(2)));
    expect(m.g!(-1)).toBeNaN(); // max propagates NaN
  });

  test('a loop with locals and br_if: the sum 0 + 1 + ... + (n - 1)', () => {
    const f = new FunctionBuilder(['i32'], ['i32']);
    const i = f.local('i32');
    const s = f.local('i32');
    f.begin('block').begin('loop');
    f.emit('local.get', i).emit('local.get', 0).emit('i32.ge_s').emit('br_if', 1);
    f.emit('local.get', s).emit('local.get', i).emit('i32.add').emit('local.set', s);
    f.emit('local.get', i).emit('i32.const', 1).emit('i32.add').emit('local.set', i);
    f.emit('br', 0).emit('end').emit('end');
    f.emit('local.get', s);
    const m = instantiate(encodeModule([{ name: 'f', body: f }]));
    for (const n of [0, 1, 10, 1000]) expect(m.f!(n)).toBe(n < 2 ? 0 : (n * (n - 1)) / 2);
  });

  test('a module of the wrong types does not validate (the check above means something)', () => {
    const f = new FunctionBuilder(['f64'], ['f64']);
    f.emit('local.get', 0).emit('i32.const', 1).emit('f64.add');
    expect(wasm.validate(encodeModule([{ name: 'f', body: f }]))).toBe(false);
    const unbalanced = new FunctionBuilder([], []);
    unbalanced.begin('block');
    expect(() => encodeModule([{ name: 'f', body: unbalanced }])).toThrow(/unbalanced/);
  });

  test('SIMD: f32x4 and f64x2 loads, arithmetic, comparisons, bitselect and stores over imported memory', () => {
    expect(simdSupported()).toBe(true);
    const memory = new wasm.Memory({ initial: 1 });
    // out[0..3] = a < b ? sqrt(a) * b : -b  (f32x4 at bytes 0, 16 -> 32); out64 = min(a, b) / 2 (f64x2 at 64, 80 -> 96)
    const f = new FunctionBuilder([], []);
    f.emit('i32.const', 32);
    f.emit('i32.const', 0).emit('v128.load', 4, 0).emit('f32x4.sqrt');
    f.emit('i32.const', 0).emit('v128.load', 4, 16).emit('f32x4.mul');
    f.emit('i32.const', 16).emit('v128.load', 4, 0).emit('f32x4.neg');
    f.emit('i32.const', 0).emit('v128.load', 4, 0).emit('i32.const', 16).emit('v128.load', 4, 0).emit('f32x4.lt');
    f.emit('v128.bitselect').emit('v128.store', 4, 0);
    f.emit('i32.const', 96);
    f.emit('i32.const', 64).emit('v128.load', 4, 0).emit('i32.const', 80).emit('v128.load', 4, 0).emit('f64x2.min');
    f.emit('f64.const', 0.5).emit('f64x2.splat').emit('f64x2.mul').emit('v128.store', 4, 0);
    const m = instantiate(encodeModule([{ name: 'f', body: f }]), memory);
    const f32 = new Float32Array(memory.buffer);
    const a = [4, 9, -1, 2.25];
    const b = [5, 1, 3, NaN];
    f32.set(a, 0);
    f32.set(b, 4);
    const f64 = new Float64Array(memory.buffer);
    f64.set([1.5, -0], 8);
    f64.set([NaN, 0], 10);
    m.f!();
    const want = a.map((x, i) => (x < b[i]! ? Math.fround(Math.fround(Math.sqrt(x)) * b[i]!) : -b[i]!));
    expect([...f32.subarray(8, 12)]).toEqual(want);
    expect(f64[12]).toBeNaN();
    expect(Object.is(f64[13], -0)).toBe(true); // min(-0, 0) is -0, as Math.min
  });
});

describe('the WAT disassembler', () => {
  test('prints what the encoder wrote: types, the memory import, locals, nested blocks, immediates', () => {
    const f = new FunctionBuilder(['i32', 'f32'], ['f32']);
    const v = f.local('v128');
    f.local('v128');
    f.begin('block').begin('loop');
    f.emit('local.get', 0).emit('i32.const', -7).emit('i32.ge_s').emit('br_if', 1);
    f.emit('local.get', 1).emit('f32x4.splat').emit('local.set', v);
    f.emit('br', 0).emit('end').emit('end');
    f.emit('i32.const', 16).emit('v128.load', 4, 32).emit('f32x4.extract_lane', 3);
    const text = disassemble(encodeModule([{ name: 'g', body: f }], 2));
    expect(text.split('\n')).toEqual([
      '(module',
      '  (type (;0;) (func (param i32 f32) (result f32)))',
      '  (import "env" "memory" (memory 2))',
      '  (func (;0;) (export "g") (param i32 f32) (result f32)',
      '    (local v128 v128)',
      '    block',
      '      loop',
      '        local.get 0',
      '        i32.const -7',
      '        i32.ge_s',
      '        br_if 1',
      '        local.get 1',
      '        f32x4.splat',
      '        local.set 2',
      '        br 0',
      '      end',
      '    end',
      '    i32.const 16',
      '    v128.load offset=32 align=16',
      '    f32x4.extract_lane 3',
      '  )',
      ')',
    ]);
  });

  test('bytes it does not know are an error, not a guess', () => {
    expect(() => disassemble(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]))).toThrow(/not a version-1 wasm module/);
  });
});
