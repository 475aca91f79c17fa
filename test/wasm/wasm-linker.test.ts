/**
 * The `wasm` linker end to end: SIMD loops and their scalar tails against a direct loop written here (float32
 * rounded after every op with Math.fround, as numpy's float32), special values, several outputs, constants,
 * which calls and kernels stay JavaScript, the WAT in `f.source`, a simulated engine without SIMD, and bounded
 * memory over many calls.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import * as theano from '../../src/index.js';
import { NDArray } from '../../src/index.js';
import { seededRandom } from '../../src/runtime/random.js';
import { DEFAULT_LINKER } from '../../src/rewrite/pipeline.js';
import { simulateWasmSimd, wasmArenaBytes, wasmOptions, wasmStats } from '../../src/wasm/kernel.js';

const DEFAULT_MIN_ELEMENTS = wasmOptions.minElements;

const T = theano.tensor;
const WASM = theano.FAST_RUN.withLinker('wasm');
const SPECIALS = [0, -0, NaN, Infinity, -Infinity, 1e-40, -1e-310, 3.4e38, -3.5e38, 1, -1, 0.5, 2 ** 24 + 1];

afterEach(() => {
  wasmOptions.minElements = DEFAULT_MIN_ELEMENTS;
  simulateWasmSimd(undefined);
});

/** n values: specials first, then seeded uniform values in [-4, 4). */
function values(n: number, seed: number): number[] {
  const r = seededRandom(seed);
  return Array.from({ length: n }, (_, i) =>
    i < SPECIALS.length ? SPECIALS[(i + seed) % SPECIALS.length]! : r() * 8 - 4,
  );
}

const same = (got: number, want: number) => Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want));

describe('wasm kernels against a direct loop', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    // sizes around the vector width: empty, tail only, whole vectors, vectors + tail, large
    test.each([0, 1, 3, 4, 7, 8, 33, 1001, 5000])(`${dtype}, %i elements, every lowered op`, (n) => {
      wasmOptions.minElements = 0;
      const round = dtype === 'float32' ? Math.fround : (x: number) => x;
      const [x, y, z] = [T.tensor(dtype, [null], 'x'), T.tensor(dtype, [null], 'y'), T.tensor(dtype, [null], 'z')];
      const e1 = T.clip(T.maximum(x.mul(y).sub(z), T.minimum(x, z.neg())).div(y.abs().add(0.5)), -3, 3);
      const e2 = T.switch(T.lt(x, y), T.sqrt(z.abs()), T.sqr(x)).add(T.eq(x, z).cast(dtype));
      const f = theano.function([x, y, z], [e1, e2], { mode: WASM });
      const [xs, ys, zs] = [values(n, 1), values(n, 2), values(n, 3)].map((v) =>
        dtype === 'float32' ? Float32Array.from(v) : Float64Array.from(v),
      );
      const before = wasmStats().calls;
      const [r1, r2] = f(xs!, ys!, zs!) as NDArray[];
      expect(r1!.dtype).toBe(dtype);
      expect(r2!.dtype).toBe(dtype);
      expect(wasmStats().calls).toBeGreaterThan(before);
      for (let i = 0; i < n; i++) {
        const [a, b, c] = [xs![i]!, ys![i]!, zs![i]!];
        const max = (p: number, q: number) => (Number.isNaN(p) || Number.isNaN(q) ? NaN : Math.max(p, q));
        const min = (p: number, q: number) => (Number.isNaN(p) || Number.isNaN(q) ? NaN : Math.min(p, q));
        const inner = round(max(round(round(a * b) - c), min(a, -c)) / round(Math.abs(b) + 0.5));
        const w1 = min(max(inner, -3), 3);
        const w2 = round((a < b ? round(Math.sqrt(Math.abs(c))) : round(a * a)) + (a === c ? 1 : 0));
        expect(same(r1!.item(i) as number, w1), `e1[${i}] of ${a}, ${b}, ${c}: ${r1!.item(i)} vs ${w1}`).toBe(true);
        expect(same(r2!.item(i) as number, w2), `e2[${i}] of ${a}, ${b}, ${c}: ${r2!.item(i)} vs ${w2}`).toBe(true);
      }
    });
  }
});

const f64Bits = new Float64Array(1);
const u64 = new BigUint64Array(f64Bits.buffer);
const f32Bits = new Float32Array(1);
const u32 = new Uint32Array(f32Bits.buffer);
/** Ulp distance of two finite numbers of one sign (as the results compared below are), in `dtype`'s ulps. */
function ulps(dtype: 'float32' | 'float64', a: number, b: number): number {
  if (dtype === 'float32') {
    f32Bits[0] = Math.abs(a);
    const x = u32[0]!;
    f32Bits[0] = Math.abs(b);
    return Math.abs(x - u32[0]!);
  }
  f64Bits[0] = Math.abs(a);
  const x = u64[0]!;
  f64Bits[0] = Math.abs(b);
  return Number(x > u64[0]! ? x - u64[0]! : u64[0]! - x);
}

describe('the vector math routines under the wasm linker = the JS linker within their ulp bounds', () => {
  const OPS = ['exp', 'expm1', 'log', 'log1p', 'softplus', 'sigmoid', 'tanh', 'erf', 'sin', 'cos'] as const;
  for (const dtype of ['float32', 'float64'] as const) {
    test.each([0, 1, 3, 5, 8, 1001])(`${dtype}, %i elements: each op alone and all in one kernel`, (n) => {
      wasmOptions.minElements = 0;
      const x = T.tensor(dtype, [null], 'x');
      const each = OPS.map((op) => (T as unknown as Record<string, (v: theano.Tensor) => theano.Tensor>)[op]!(x));
      // one fused kernel: log of |x| + 1 feeding the others, so every routine sees a wide range of inputs
      const fused = T.add(T.mul(T.sin(T.log1p(T.abs(x))), T.erf(x)), T.softplus(T.cos(x)));
      const wasm = theano.function([x], [...each, fused], { mode: WASM });
      const js = theano.function([x], [...each, fused]);
      expect(wasm.source).toContain('(module');
      const xs = Float64Array.from(values(n, 9), (v, i) => (i % 3 === 0 ? v * 50 : v));
      const input = dtype === 'float32' ? Float32Array.from(xs) : xs;
      const got = wasm(input) as NDArray[];
      const want = js(input) as NDArray[];
      // float32: 2 ulp (native f32x4 sigmoid, each side within 1 of correct); float64: erf's JS series is the
      // loosest (about 10 ulp near |x| = 2), the others within 4 (each side)
      const bound = dtype === 'float32' ? 3 : 16;
      // the fused sum can cancel: there, a tolerance relative to its terms (each at most about 1.9)
      const tolerance = dtype === 'float32' ? 2e-6 : 4e-15;
      got.forEach((g, k) => {
        for (let i = 0; i < n; i++) {
          const [a, b] = [g.item(i) as number, want[k]!.item(i) as number];
          const close =
            k < OPS.length ? Math.sign(a) === Math.sign(b) && ulps(dtype, a, b) <= bound : Math.abs(a - b) <= tolerance;
          const ok = same(a, b) || close;
          expect(ok, `${k < OPS.length ? OPS[k] : 'fused'}(${input[i]}): wasm ${a}, js ${b}`).toBe(true);
        }
      });
    });
  }
});

describe('what stays JavaScript', () => {
  const x = T.dmatrix('x');
  const y = T.dmatrix('y');
  const data = Float64Array.from(values(64 * 64, 5));
  const a = new NDArray<'float64', 2>('float64', [64, 64], data);

  test('strided and broadcasting inputs run the nested wasm loops; small calls the JS loop; the same values', () => {
    wasmOptions.minElements = 100;
    const f = theano.function([x, y], x.mul(y).add(1), { mode: WASM });
    const js = theano.function([x, y], x.mul(y).add(1));
    const transposed = new NDArray<'float64', 2>('float64', [64, 64], data, [1, 64], 0);
    const row = new NDArray<'float64', 2>('float64', [1, 64], data.slice(0, 64));
    const small = new NDArray<'float64', 2>('float64', [3, 3], data.slice(0, 9));
    for (const [p, q, wasmRuns] of [
      [a, a, true],
      [transposed, a, true],
      [a, row, true],
      [small, small, false],
    ] as const) {
      const before = wasmStats().calls;
      const got = f(p, q);
      expect(wasmStats().calls - before).toBe(wasmRuns ? 1 : 0);
      expect(got.toArray()).toEqual(js(p, q).toArray());
    }
  });

  test('kernels with an op the renderer lacks (tan, floor division), int8 and int64 kernels, all/any are JS kernels', () => {
    const f = theano.function([x], x.tan().add(1), { mode: WASM });
    const i = T.ivector('i');
    const b = T.bvector('b');
    const l = T.lvector('l');
    for (const g of [
      f,
      theano.function([x], T.sum(x.tan(), 0), { mode: WASM }),
      theano.function([i], T.intDiv(i, 3).add(1), { mode: WASM }),
      theano.function([b], b.add(1), { mode: WASM }),
      theano.function([l], l.add(1), { mode: WASM }),
      theano.function([x], T.all(x.gt(1), 0), { mode: WASM }),
    ])
      expect(g.source).not.toContain('(module');
    expect(theano.function([i], i.add(1), { mode: WASM }).source).toContain('i32x4.add');
  });

  test('f.source shows the WebAssembly module as text, then the JS kernel', () => {
    const f = theano.function([x, y], x.mul(y).sub(x), { mode: WASM });
    const source = f.source!;
    expect(source).toContain('(import "env" "memory" (memory 1))');
    expect(source).toContain('f64x2.mul');
    expect(source).toContain('f64x2.sub');
    expect(source).toContain('v128.store align=16');
    expect(source).toContain('f64.mul'); // the scalar tail
    expect(source).toContain('function kernel(a0, a1, alloc)');
  });

  test('an engine without WebAssembly SIMD: one warning, and every kernel is JavaScript with the same values', () => {
    simulateWasmSimd(false);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const z = T.dvector('z');
      const f = theano.function([z], z.mul(3).sub(1), { mode: WASM });
      const before = wasmStats().calls;
      expect(f([1, 2, 3]).toArray()).toEqual([2, 5, 8]);
      expect(wasmStats().calls).toBe(before);
      expect(f.source).not.toContain('(module');
      theano.function([z], z.mul(4), { mode: WASM });
      const notices = warn.mock.calls.filter((c) => String(c[0]).includes('WebAssembly SIMD'));
      expect(notices.length).toBeLessThanOrEqual(1);
    } finally {
      warn.mockRestore();
    }
  });

  test('DEBUG mode with the wasm linker checks each call against the unoptimized graph (W1 and W2 run in wasm)', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const v = T.tensor(dtype, [null], 'v');
      const w1 = T.add(T.mul(T.div(1, T.add(1, T.exp(T.neg(v)))), T.tanh(v)), T.mul(v, v));
      const f = theano.function([v], [w1, T.sum(T.exp(v))], { mode: theano.DEBUG.withLinker('wasm') });
      expect(f.source).toContain('(module');
      const xs = Float64Array.from({ length: 5000 }, (_, i) => Math.sin(i) * 30);
      const before = wasmStats().calls;
      const [r] = f(dtype === 'float32' ? Float32Array.from(xs) : xs) as NDArray[];
      expect(wasmStats().calls).toBe(before + 2);
      const x5 = dtype === 'float32' ? Math.fround(xs[5]!) : xs[5]!;
      const want = (1 / (1 + Math.exp(-x5))) * Math.tanh(x5) + x5 * x5;
      expect(Math.abs((r!.item(5) as number) - want)).toBeLessThanOrEqual(
        Math.abs(want) * (dtype === 'float32' ? 1e-6 : 1e-14),
      );
    }
  });

  test('the linker name is checked', () => {
    expect(WASM.linker).toBe('wasm');
    expect(theano.FAST_RUN.linker).toBe(DEFAULT_LINKER);
    expect(() => theano.FAST_RUN.withLinker('wsam' as never)).toThrow(
      /unknown linker wsam: use 'js', 'wasm' or 'reference'/,
    );
  });
});

describe('sums over every axis', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    test.each([0, 1, 5, 8, 1001, 4099])(`${dtype} sum(exp(x) * y), %i elements, keepdims or not`, (n) => {
      wasmOptions.minElements = 0;
      const x = T.tensor(dtype, [null, null], 'x');
      const y = T.tensor(dtype, [null, null], 'y');
      const e = x.exp().mul(y);
      const f = theano.function([x, y], [T.sum(e), T.sum(e, null, { keepdims: true })], { mode: WASM });
      const round = dtype === 'float32' ? Math.fround : (v: number) => v;
      const r = seededRandom(n + 1);
      const as = (v: Float64Array) => (dtype === 'float32' ? Float32Array.from(v) : v);
      const xs = as(Float64Array.from({ length: n }, () => r() * 6 - 3));
      const ys = as(Float64Array.from({ length: n }, () => r() * 2 - 1));
      const shape = [1, n];
      const before = wasmStats().calls;
      const [s, kept] = f(
        new NDArray(dtype, shape, xs as never),
        new NDArray(dtype, shape, ys as never),
      ) as unknown as [number, NDArray];
      expect(wasmStats().calls).toBeGreaterThan(before);
      // the direct loop: each term rounded as its dtype, summed in float64, rounded once
      let want = 0;
      let magnitude = 0;
      for (let i = 0; i < n; i++) {
        const term = round(round(Math.exp(xs[i]!)) * ys[i]!);
        want += term;
        magnitude += Math.abs(term);
      }
      want = round(want);
      const tol = (dtype === 'float32' ? 1e-6 : 1e-14) * Math.max(magnitude, 1e-300);
      expect(Math.abs(s - want)).toBeLessThanOrEqual(tol);
      expect(kept.shape).toEqual([1, 1]);
      expect(kept.item(0)).toBe(s);
    });
  }

  test('NaN and infinities propagate through the lanes and the tail', () => {
    wasmOptions.minElements = 0;
    const x = T.dvector('x');
    const f = theano.function([x], T.sum(x), { mode: WASM });
    const base = Array.from({ length: 9 }, () => 1);
    const at = (i: number, v: number) => base.map((b, k) => (k === i ? v : b));
    expect(f(at(2, NaN))).toBeNaN();
    expect(f(at(8, NaN))).toBeNaN(); // in the tail
    expect(f(at(1, Infinity))).toBe(Infinity);
    expect(f([...at(0, Infinity).slice(0, 8), -Infinity])).toBeNaN();
    expect(Object.is(f([-0, -0, -0, -0, -0]), 0)).toBe(true); // 0 + -0 is +0, as the JS loop
  });
});

describe('memory', () => {
  test('repeated calls grow neither the arena nor the pool; outputs are fresh arrays', () => {
    wasmOptions.minElements = 0;
    const x = T.fvector('x');
    const f = theano.function([x], x.mul(x).add(x).mul(0.5).neg(), { mode: WASM, onUnusedInput: 'ignore' });
    const xs = Float32Array.from(values(10000, 7));
    const first = f(xs);
    const arena = wasmArenaBytes();
    for (let i = 0; i < 20000; i++) f(xs);
    expect(wasmArenaBytes()).toBe(arena);
    const again = f(xs);
    expect(again.data).not.toBe(first.data);
    expect(again.toArray()).toEqual(first.toArray());
  });
});
