/**
 * The `wasm` linker's memory: intermediates live in the wasm arena (a wasm kernel feeding another through views and
 * runtime ops copies nothing), growth never detaches a live view, returned arrays are JS-owned, a throwing call
 * releases its blocks, and 1e6 calls with varying shapes leave the arena and the pool bounded.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import * as theano from '../../src/index.js';
import { NDArray } from '../../src/index.js';
import { ArenaPool, link } from '../../src/codegen/linker.js';
import { FunctionGraph } from '../../src/graph/function-graph.js';
import { optimize, FAST_RUN } from '../../src/rewrite/pipeline.js';
import { seededRandom } from '../../src/runtime/random.js';
import { Arena, arena, wasmArenaStats } from '../../src/wasm/arena.js';
import { MATH_TABLES_BYTES } from '../../src/wasm/math-tables.js';
import { simulateWasmSimd, wasmOptions, wasmStats } from '../../src/wasm/kernel.js';

const DEFAULT_MIN_ELEMENTS = wasmOptions.minElements;
import { DEFAULT_LINKER, WASM_BY_DEFAULT } from '../../src/rewrite/pipeline.js';
import type { Tensor } from '../../src/index.js';

const T = theano.tensor;
const WASM = theano.FAST_RUN.withLinker('wasm');

afterEach(() => {
  wasmOptions.minElements = DEFAULT_MIN_ELEMENTS;
});

function optimized(inputs: readonly Tensor[], outputs: readonly Tensor[]): FunctionGraph {
  const g = new FunctionGraph(inputs, outputs);
  optimize(g, FAST_RUN);
  return g;
}

const uniform = (n: number, seed: number) => {
  const r = seededRandom(seed);
  return Float64Array.from({ length: n }, () => r() * 4 - 2);
};

/** x -> k1 -> reshape -> k2 -> reshape -> k3: three kernels separated by views, IEEE arithmetic only. */
function chain(dtype: 'float32' | 'float64') {
  const x = T.tensor(dtype, 1, 'x');
  const y = T.tensor(dtype, 1, 'y');
  const k1 = T.maximum(x.mul(y).sub(0.25), x.neg());
  const k2 = T.reshape(k1, [-1, 4])
    .mul(1.5)
    .add(T.reshape(y, [-1, 4]));
  const k3 = T.reshape(k2, [-1]).abs().sqrt().sub(x);
  return { x, y, out: k3 };
}

/** The same chain as a direct loop, rounding as `dtype` after every op. */
function chainReference(dtype: 'float32' | 'float64', xs: ArrayLike<number>, ys: ArrayLike<number>): number[] {
  const r = dtype === 'float32' ? Math.fround : (v: number) => v;
  return Array.from(xs, (a, i) => {
    const b = ys[i]!;
    const k1 = Math.max(r(r(a * b) - 0.25), -a);
    const k2 = r(r(k1 * 1.5) + b);
    return r(r(Math.sqrt(Math.abs(k2))) - a);
  });
}

describe('zero copy between wasm kernels', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    test(`${dtype}: a chain of three wasm kernels separated by views copies only the caller's arrays and the result`, () => {
      const { x, y, out } = chain(dtype);
      const f = theano.function([x, y], out, { mode: WASM });
      const n = 40_000;
      const Arr = dtype === 'float32' ? Float32Array : Float64Array;
      const [xs, ys] = [Arr.from(uniform(n, 1)), Arr.from(uniform(n, 2))];
      f(xs, ys); // the first call sizes the arena
      const before = wasmStats();
      const got = f(xs, ys);
      const after = wasmStats();
      expect(after.calls - before.calls).toBe(3);
      // x and y copied in once each when the call starts (each is read by two kernels: k1 reads both, k2 reads
      // y, k3 reads x), which then read them in place; the result copied out once; k1 -> k2 -> k3 in place
      expect(after.copiedIn - before.copiedIn).toBe(2);
      expect(after.copiedOut - before.copiedOut).toBe(1);
      expect(got.data.buffer).not.toBe(arena.buffer); // the caller's array is JS memory
      expect(Array.from(got.data as ArrayLike<number>)).toEqual(chainReference(dtype, xs, ys));
      expect(wasmArenaStats().inUse).toBe(0);
    });
  }

  test('a matrix product between two wasm kernels takes its result from the arena; the next kernel reads it in place', () => {
    const x = T.dmatrix('x');
    const w = T.dmatrix('w');
    const h = T.dot(x.mul(2).add(1), w);
    const out = T.maximum(h, 0).mul(h);
    const f = theano.function([x, w], out, { mode: WASM });
    const [m, k, n] = [256, 16, 64];
    const X = new NDArray<'float64', 2>('float64', [m, k], uniform(m * k, 3));
    const W = new NDArray<'float64', 2>('float64', [k, n], uniform(k * n, 4));
    f(X, W);
    const before = wasmStats();
    const got = f(X, W);
    const after = wasmStats();
    expect(after.calls - before.calls).toBe(2);
    expect(after.copiedIn - before.copiedIn).toBe(1); // x only: the product is in the arena
    expect(after.copiedOut - before.copiedOut).toBe(1);
    expect(got.toArray()).toEqual(theano.function([x, w], out)(X, W).toArray());
  });

  test('the nested loops read a transposed intermediate in place and write a pooled result in place', () => {
    const x = T.dmatrix('x');
    const v = T.dvector('v');
    // k1 (flat) -> transpose (a view) -> k2 (nested: a transposed operand, a broadcast row) -> k3 (flat, via reshape)
    const k2 = T.exp(x.mul(0.5).sub(1).T.add(v).mul(-0.1));
    const out = T.reshape(k2, [-1]).mul(3).add(1);
    const f = theano.function([x, v], out, { mode: WASM });
    const [m, n] = [96, 128];
    const X = new NDArray<'float64', 2>('float64', [m, n], uniform(m * n, 7));
    const V = new NDArray<'float64', 1>('float64', [m], uniform(m, 8));
    f(X, V);
    const before = wasmStats();
    const got = f(X, V);
    const after = wasmStats();
    expect(after.calls - before.calls).toBe(3);
    // x into k1, v into k2 (the caller's arrays); k1's result read through the transpose in place, k2's written in
    // place; only the returned result copied out
    expect(after.copiedIn - before.copiedIn).toBe(2);
    expect(after.copiedOut - before.copiedOut).toBe(1);
    const want = theano
      .function([x, v], out, { mode: theano.FAST_RUN.withLinker('js') })(X, V)
      .toArray();
    // exp within its 4-ulp bound of the JS kernel's Math.exp, the arithmetic exact
    const values = got.data as Float64Array;
    want.flat().forEach((w, i) => expect(Math.abs(values[i]! - w)).toBeLessThanOrEqual(4 * 2 ** -52 * Math.abs(w)));
    expect(wasmArenaStats().inUse).toBe(0);
  });

  test('growth while pooled views are live is deferred: the call stays correct, the next call runs in the arena', () => {
    wasmOptions.minElements = 0;
    const { x, y, out } = chain('float64');
    const f = theano.function([x, y], out, { mode: WASM });
    // a size beyond anything this file used so far: the arena must grow
    const n = 1 << 19;
    const [xs, ys] = [uniform(n, 5), uniform(n, 6)];
    const want = chainReference('float64', xs, ys);
    const mismatches = (got: ArrayLike<number>) => want.filter((w, i) => !Object.is(got[i], w)).length;
    const capacity = wasmArenaStats().capacity;
    expect(capacity).toBeLessThan(n * 8);
    expect(mismatches(f(xs, ys).data)).toBe(0);
    expect(wasmArenaStats().capacity).toBeGreaterThan(capacity);
    const before = wasmStats();
    expect(mismatches(f(xs, ys).data)).toBe(0);
    const after = wasmStats();
    expect(after.calls - before.calls).toBe(3);
    expect(after.copiedIn - before.copiedIn).toBe(2); // x and y, staged when the call starts
    expect(wasmArenaStats().inUse).toBe(0);
  });

  test('an input several steps read is staged in the arena once per call, from the second call on; a returned one is not', () => {
    const x = T.dmatrix('x');
    const w = T.dvector('w');
    // x is read by the product and, transposed, by the second product: two steps
    const h = T.dot(x, w).tanh();
    const g = T.dot(x.T, h);
    const f = theano.function([x, w], [g, h.sum()], { mode: WASM });
    const [m, k] = [300, 40];
    const X = new NDArray<'float64', 2>('float64', [m, k], uniform(m * k, 7));
    const W = new NDArray<'float64', 1>('float64', [k], uniform(k, 8));
    const want = theano.function([x, w], [g, h.sum()], { mode: theano.FAST_RUN.withLinker('js') })(X, W);
    const results = [0, 1, 2].map(() => {
      const before = wasmStats();
      const got = f(X, W);
      return { got, copied: wasmStats().copiedIn - before.copiedIn };
    });
    // the js linker's values to rounding (a product over a staged x runs in one pass, not in chunks); the staged
    // calls agree to the bit
    expect((results[2]!.got[0] as NDArray).toArray()).toEqual((results[1]!.got[0] as NDArray).toArray());
    for (const { got } of results) {
      expect(Math.abs((got[1] as number) - (want[1] as number))).toBeLessThanOrEqual(
        1e-12 * Math.abs(want[1] as number),
      );
      const [a, b] = [(got[0] as NDArray).data, (want[0] as NDArray).data] as Float64Array[];
      a!.forEach((v, i) => expect(Math.abs(v - b![i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b![i]!))));
    }
    // from the second call: x copied in once when the call starts, w too small to stage
    expect(results[2]!.copied).toBe(1);
    expect(wasmArenaStats().inUse).toBe(0);
    expect(f.source!.match(/\.stage\(/g)).toHaveLength(1); // x only (w is read by one product)
    // read once, through a view: not staged (the view step reads nothing itself)
    const once = theano.function([x], x.T.exp(), { mode: WASM });
    expect(once.source).not.toMatch(/\.stage\(/);
    // x returned as well: never staged (the caller gets its own values back)
    const r = theano.function([x, w], [x, T.dot(x, w), T.dot(x.T, T.dot(x, w))], { mode: WASM });
    for (let i = 0; i < 3; i++) {
      const [back] = r(X, W) as NDArray[];
      expect(back!.toArray()).toEqual(X.toArray());
      expect(back!.data.buffer).not.toBe(arena.buffer);
    }
  });

  test('a call that throws midway releases the blocks it took', () => {
    wasmOptions.minElements = 0;
    const x = T.dvector('x');
    const y = T.dvector('y');
    const out = T.reshape(x.mul(3).add(1), [-1, 2]).add(y.dimshuffle('x', 0)).exp();
    const f = theano.function([x, y], out, { mode: WASM });
    expect(() => f(uniform(8, 1), uniform(3, 2))).toThrow(/do not broadcast/);
    expect(wasmArenaStats().inUse).toBe(0);
    expect(f(uniform(8, 1), uniform(2, 2)).shape).toEqual([4, 2]);
    expect(wasmArenaStats().inUse).toBe(0);
  });
});

describe('bounded memory', () => {
  test('1e6 calls with varying shapes: the arena is empty between calls and bounded, the pool keeps few sizes', () => {
    wasmOptions.minElements = 0;
    const x = T.fvector('x');
    const y = T.fvector('y');
    const h = x.mul(y).add(1);
    const g = h.dimshuffle('x', 0).mul(2).sub(y.dimshuffle('x', 0)); // another loop of another rank
    const program = link(optimized([x, y], [g, T.sum(h)]), [x, y], false, { backend: 'wasm' });
    expect(program.pool).toBeInstanceOf(ArenaPool);
    const pool = program.pool as ArenaPool;
    const inputs = Array.from({ length: 64 }, (_, i) => {
      const n = 1 + ((i * 37) % 61); // 1..61 elements: vector loops and tails
      const v = (seed: number) => new NDArray<'float32', 1>('float32', [n], Float32Array.from(uniform(n, seed)));
      return [v(i), v(i + 100)] as const;
    });
    const callsBefore = wasmStats().calls;
    let capacity = 0;
    for (let i = 0; i < 1_000_000; i++) {
      const [a, b] = inputs[i % inputs.length]!;
      const [gv, s] = program.run([a, b]);
      if (i === 1000) capacity = wasmArenaStats().capacity;
      if (i % 99_991 === 0) {
        // the values: a direct float32 loop
        let sum = 0;
        for (let k = 0; k < a.size; k++) {
          const hk = Math.fround(Math.fround(a.data[k]! * b.data[k]!) + 1);
          sum += hk;
          expect(gv!.data[k]).toBe(Math.fround(Math.fround(hk * 2) - b.data[k]!));
        }
        expect(s!.item(0)).toBe(Math.fround(sum));
        expect(wasmArenaStats().inUse).toBe(0);
        expect(pool.liveBlocks).toBe(0);
      }
    }
    // three wasm loops per call: h, g, and the sum reading h in the arena
    expect(wasmStats().calls - callsBefore).toBe(3_000_000);
    const stats = wasmArenaStats();
    expect(stats.inUse).toBe(0);
    expect(stats.blocks).toBe(0);
    expect(stats.freeBlocks).toBe(1); // everything released coalesced back into one free block
    expect(stats.capacity).toBe(capacity);
    expect(pool.sizes).toBeLessThanOrEqual(64);
  }, 180_000);
});

describe('the arena allocator', () => {
  test('first fit, coalescing on release, growth refused while pooled blocks are live and granted at the next safe point', () => {
    const a = new Arena();
    const page = 65536;
    const first = MATH_TABLES_BYTES; // the bytes before hold the math tables, never allocated
    const p = a.alloc(100, 'pooled'); // rounded to 112 bytes
    const q = a.alloc(16, 'scratch');
    expect([p, q]).toEqual([first, first + 112]);
    expect(a.capacity).toBe(page);
    expect(a.alloc(2 * page, 'scratch')).toBe(-1); // a pooled view is live: no growth
    expect(a.capacity).toBe(page);
    a.release(q, 'scratch');
    a.release(p, 'pooled');
    expect(a.stats()).toMatchObject({ inUse: 0, blocks: 0, freeBlocks: 1 });
    a.prepare(); // the safe point grows for the refused request
    expect(a.capacity).toBeGreaterThanOrEqual(3 * page);
    const big = a.alloc(2 * page, 'scratch');
    expect(big).toBe(first);
    const after = a.alloc(32, 'pooled');
    expect(after).toBe(first + 2 * page);
    a.release(big, 'scratch');
    expect(a.alloc(48, 'scratch')).toBe(first); // first fit reuses the lowest free block
    expect(() => a.release(12345, 'scratch')).toThrow(/not in use/);
  });
});

describe('selection', () => {
  test("FAST_RUN links with 'wasm' where SIMD exists; without it, with 'js' and one notice", () => {
    expect(WASM_BY_DEFAULT).toBe(true);
    expect(theano.FAST_RUN.linker).toBe(DEFAULT_LINKER);
    expect(DEFAULT_LINKER).toBe('wasm');
    const x = T.dvector('x');
    const xs = uniform(5000, 9);
    const want = Array.from(xs, (v) => Math.max(v * 3 - 1, 0));
    const before = wasmStats().calls;
    expect(Array.from(theano.function([x], T.maximum(x.mul(3).sub(1), 0))(xs).data)).toEqual(want);
    expect(wasmStats().calls).toBe(before + 1); // the default ran a wasm loop
    simulateWasmSimd(false);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const f = theano.function([x], T.maximum(x.mul(3).sub(1), 0));
      const g = theano.function([x], x.mul(x).exp());
      expect(Array.from(f(xs).data)).toEqual(want);
      g(xs);
      expect(wasmStats().calls).toBe(before + 1); // no wasm loop ran
      expect(f.source).not.toContain('(module');
      const program = link(optimized([x], [x.mul(2).add(1).exp()]), [x], false, { backend: 'wasm' });
      expect(program.pool).not.toBeInstanceOf(ArenaPool);
      const notices = warn.mock.calls.filter((c) => String(c[0]).includes('WebAssembly SIMD'));
      expect(notices).toHaveLength(1);
      expect(String(notices[0]![0])).toContain("falls back to the 'js' linker");
    } finally {
      warn.mockRestore();
      simulateWasmSimd(undefined);
    }
  });
});
