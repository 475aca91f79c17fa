/**
 * The nested loops of the `wasm` linker (src/wasm/render-loops.ts, src/wasm/loop-call.ts) against direct nested
 * loops written here: broadcasting, transposes, slices with negative and non-unit steps, zero-size axes, partial
 * reductions over every axis subset with and without keepdims, int32 wrap-around, bool outputs and multi-output
 * kernels. Every call is checked to have run as wasm (`wasmStats().calls`), not silently as the JS kernel.
 *
 * Bounds: elementwise results and max/min are exact (`Object.is`, except that a zero extreme may come back as
 * either -0 or +0, compared with ===); integer results exact; a float sum or product over m terms is compared with
 * the sequential float64 reference within the reassociation bound 2 (m - 1) 2^-53 Σ|terms| (the wasm loops add in
 * another order, in float64 as the JS kernel), plus one float32 rounding of the result for float32.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import { NDArray } from '../../src/index.js';
import { seededRandom } from '../../src/runtime/random.js';
import { wasmOptions, wasmStats } from '../../src/wasm/kernel.js';

const DEFAULT_MIN_ELEMENTS = wasmOptions.minElements;

const T = theano.tensor;
const WASM = theano.FAST_RUN.withLinker('wasm');
type Float = 'float32' | 'float64';

beforeEach(() => {
  wasmOptions.minElements = 0;
});
afterEach(() => {
  wasmOptions.minElements = DEFAULT_MIN_ELEMENTS;
});

/** Calls a compiled function with run-time arrays (their ranks and dtypes are only known here at run time). */
const call = (f: unknown, ...args: unknown[]): unknown => (f as (...a: unknown[]) => unknown)(...args);

/** Runs `f` and returns its result and how many wasm kernel calls it made. */
function counted<R>(f: () => R): { result: R; calls: number } {
  const before = wasmStats().calls;
  const result = f();
  return { result, calls: wasmStats().calls - before };
}

const round = (dtype: Float) => (dtype === 'float32' ? Math.fround : (v: number) => v);
const floats = (dtype: Float, n: number, seed: number, specials = true) => {
  const r = seededRandom(seed);
  const S = [NaN, Infinity, -Infinity, -0, 0, 1e-310];
  const v = Array.from({ length: n }, (_, i) => (specials && i % 17 === 5 ? S[i % S.length]! : r() * 8 - 4));
  return dtype === 'float32' ? Float32Array.from(v) : Float64Array.from(v);
};
/** Element [i, j] of a rank-2 array through its strides and offset. */
const at2 = (a: NDArray, i: number, j: number) =>
  (a.data as ArrayLike<number>)[a.offset + i * a.strides[0]! + j * a.strides[1]!]!;

describe('strided and broadcasting elementwise kernels', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    test(`${dtype}: transposed, reversed, stepped and broadcast operands against a direct loop`, () => {
      const fl = round(dtype);
      const x = T.tensor(dtype, [null, null], 'x');
      const y = T.tensor(dtype, [null, null], 'y');
      const e = T.maximum(x.mul(y).sub(x), T.sqrt(y.abs())).add(0.5);
      const f = theano.function([x, y], e, { mode: WASM });
      const [m, n] = [6, 11];
      const big = floats(dtype, 4 * m * n + 8, 1);
      const views: [string, NDArray][] = [
        ['C', new NDArray(dtype, [m, n], big.slice(0, m * n) as never)],
        ['transposed', new NDArray(dtype, [m, n], big as never, [1, m], 0)],
        ['reversed rows and columns', new NDArray(dtype, [m, n], big as never, [-n, -1], m * n - 1)],
        ['step 2 and 3, offset', new NDArray(dtype, [m, n], big as never, [3 * n, 2], 5)],
        ['row vector', new NDArray(dtype, [1, n], big.slice(0, n) as never)],
        ['column vector', new NDArray(dtype, [m, 1], big.slice(0, m) as never)],
        ['zero strides (broadcast_to)', new NDArray(dtype, [m, n], big as never, [0, 1], 3)],
      ];
      for (const [nx, a] of views)
        for (const [ny, b] of views) {
          const { result, calls } = counted(() => call(f, a, b) as NDArray);
          expect(calls, `${nx} with ${ny}`).toBe(1);
          const [rm, rn] = [Math.max(a.shape[0]!, b.shape[0]!), Math.max(a.shape[1]!, b.shape[1]!)];
          expect(result.shape).toEqual([rm, rn]);
          for (let i = 0; i < rm; i++)
            for (let j = 0; j < rn; j++) {
              const p = at2(a, a.shape[0] === 1 ? 0 : i, a.shape[1] === 1 ? 0 : j);
              const q = at2(b, b.shape[0] === 1 ? 0 : i, b.shape[1] === 1 ? 0 : j);
              const l = fl(fl(p * q) - p);
              const r = fl(Math.sqrt(Math.abs(q)));
              const want = fl((Number.isNaN(l) || Number.isNaN(r) ? NaN : Math.max(l, r)) + 0.5);
              const got = result.get(i, j) as number;
              expect(Object.is(got, want), `${nx} with ${ny} [${i}, ${j}]: ${got} vs ${want}`).toBe(true);
            }
        }
    });
  }

  test('zero-size axes: empty results of the broadcast shape', () => {
    const x = T.dmatrix('x');
    const y = T.dmatrix('y');
    const f = theano.function([x, y], [x.add(y), T.sum(x.mul(y), 0), T.sum(x.mul(y), 1)], { mode: WASM });
    const empty = new NDArray('float64', [0, 5], new Float64Array(0));
    const row = new NDArray('float64', [1, 5], Float64Array.from([1, 2, 3, 4, 5]));
    const [s, s0, s1] = call(f, empty, row) as NDArray[];
    expect(s!.shape).toEqual([0, 5]);
    expect(s0!.toArray()).toEqual([0, 0, 0, 0, 0]); // a sum over an empty axis is 0
    expect(s1!.shape).toEqual([0]);
  });

  test('several outputs of one kernel, one of them bool, from broadcast operands', () => {
    const x = T.fmatrix('x');
    const v = T.fvector('v');
    const f = theano.function([x, v], [x.mul(v), x.sub(v), T.gt(x, v), T.eq(x.mul(0), v)], { mode: WASM });
    const xs = new NDArray('float32', [9, 13], floats('float32', 117, 2) as Float32Array);
    const vs = new NDArray('float32', [13], floats('float32', 13, 3) as Float32Array);
    const { result, calls } = counted(() => call(f, xs, vs) as NDArray[]);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(f.source).toContain('i32.store8');
    const [p, d, g, e] = result;
    expect(g!.dtype).toBe('bool');
    for (let i = 0; i < 9; i++)
      for (let j = 0; j < 13; j++) {
        const [a, b] = [xs.get(i, j) as number, vs.get(j) as number];
        expect(Object.is(p!.get(i, j), Math.fround(a * b))).toBe(true);
        expect(Object.is(d!.get(i, j), Math.fround(a - b))).toBe(true);
        expect(g!.get(i, j)).toBe(a > b);
        expect(e!.get(i, j)).toBe(Math.fround(a * 0) === b);
      }
  });

  test('the vector math in the nested loops: sin, cos (with the imported exact path beyond 1e8), log1p, erf', () => {
    const x = T.dmatrix('x');
    const v = T.dvector('v');
    const f = theano.function(
      [x, v],
      [T.sin(x.add(v)), T.cos(x.mul(v)), T.log1p(x.abs().add(v.abs())), T.erf(x.sub(v))],
      {
        mode: WASM,
      },
    );
    const data = floats('float64', 7 * 5, 4, false) as Float64Array;
    data[3] = 3e9; // a lane beyond the reduced range: Math.sin / Math.cos through the module's import
    const xs = new NDArray('float64', [7, 5], data);
    const vs = new NDArray('float64', [5], Float64Array.from([0.5, -1, 2, 1e-3, -3]));
    const { result, calls } = counted(() => call(f, xs, vs) as NDArray[]);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(f.source).toContain('(import "env"');
    const js = call(
      theano.function([x, v], [T.sin(x.add(v)), T.cos(x.mul(v)), T.log1p(x.abs().add(v.abs())), T.erf(x.sub(v))]),
      xs,
      vs,
    ) as NDArray[];
    const ulp = (a: number) => 2 ** (Math.floor(Math.log2(Math.abs(a) || 2 ** -1074)) - 52);
    result.forEach((r, k) => {
      for (let i = 0; i < 7; i++)
        for (let j = 0; j < 5; j++) {
          const [w, e] = [r.get(i, j) as number, js[k]!.get(i, j) as number];
          // within the stated bounds of docs/codegen.md (3 ulp from Math; erf 8 ulp from the JS kernel's series)
          expect(Math.abs(w - e)).toBeLessThanOrEqual((k === 3 ? 10 : 3) * ulp(e));
        }
    });
    expect(result[0]!.get(0, 3)).toBe(Math.sin(3e9 + 1e-3));
  });
});

/** Every subset of the axes of a rank-3 shape, as lists. */
const SUBSETS = Array.from({ length: 8 }, (_, mask) => [0, 1, 2].filter((a) => (mask >> a) & 1));

/** The direct reduction of `a` (shape [A, B, C]) over `axes`: per kept index, the terms in row-major order. */
function groups(a: NDArray, axes: readonly number[]): number[][] {
  const shape = a.shape;
  const out = new Map<string, number[]>();
  for (let i = 0; i < shape[0]!; i++)
    for (let j = 0; j < shape[1]!; j++)
      for (let k = 0; k < shape[2]!; k++) {
        const key = [i, j, k].filter((_, d) => !axes.includes(d)).join(',');
        if (!out.has(key)) out.set(key, []);
        out.get(key)!.push(a.get(i, j, k) as number);
      }
  return [...out.values()];
}

describe('partial reductions over every axis subset', () => {
  for (const dtype of ['float32', 'float64'] as const)
    for (const axes of SUBSETS)
      test(`${dtype} sum, prod, max, min over axes [${axes}], keepdims or not, of a transposed input`, () => {
        const fl = round(dtype);
        const x = T.tensor(dtype, [null, null, null], 'x');
        const ax = axes.length ? axes : undefined;
        const outs = [
          T.sum(x, ax as never, { keepdims: true }),
          T.sum(x.mul(x), ax as never),
          T.prod(T.clip(x, -1.5, 1.5), ax as never),
          T.max(x, ax as never, { keepdims: true }),
          T.min(x.neg(), ax as never),
        ];
        const f = theano.function([x], outs, { mode: WASM });
        const shape = [5, 3, 9];
        // a transposed view of a [9, 3, 5] buffer, without NaN (sums are checked against a bound)
        const data = floats(dtype, 135, 10 + axes.length, false);
        const a = new NDArray(dtype, shape, data as never, [1, 5, 15], 0);
        const { result, calls } = counted(() => call(f, a) as unknown[]);
        expect(calls).toBe(outs.length);
        const terms = (g: (v: number) => number) => groups(a, axes.length ? axes : [0, 1, 2]).map((t) => t.map(g));
        const checks: [number, (t: number[]) => number, 'sum' | 'exact'][] = [
          [0, (t) => t.reduce((s, v) => s + v, 0), 'sum'],
          [1, (t) => t.reduce((s, v) => s + v, 0), 'sum'],
          [2, (t) => t.reduce((s, v) => s * v, 1), 'sum'],
          [3, (t) => t.reduce((s, v) => (v > s || v !== v ? v : s), -Infinity), 'exact'],
          [4, (t) => t.reduce((s, v) => (v < s || v !== v ? v : s), Infinity), 'exact'],
        ];
        const transform = [
          (v: number) => v,
          (v: number) => fl(v * v),
          (v: number) => Math.min(Math.max(v, -1.5), 1.5),
          (v: number) => v,
          (v: number) => -v,
        ];
        for (const [o, reduce, how] of checks) {
          const r = result[o];
          const got = r instanceof NDArray ? (r.toArray() as unknown[]).flat(3) : [r];
          const groupsOf = terms(transform[o]!);
          expect(got.length).toBe(groupsOf.length);
          if (r instanceof NDArray && (o === 0 || o === 3))
            expect(r.shape).toEqual(shape.map((n, d) => (axes.length === 0 || axes.includes(d) ? 1 : n)));
          groupsOf.forEach((t, q) => {
            const want = fl(reduce(t));
            const g = got[q] as number;
            if (how === 'exact') return expect(g === want || Object.is(g, want), `output ${o}[${q}]`).toBe(true);
            const m = t.length;
            const bound =
              2 * Math.max(m - 1, 0) * 2 ** -53 * t.reduce((s, v) => s + Math.abs(v), 0) * (o === 2 ? m : 1) +
              (dtype === 'float32' ? 2 ** -23 * Math.abs(want) : 0);
            expect(Math.abs(g - want), `output ${o}[${q}]: ${g} vs ${want}`).toBeLessThanOrEqual(bound);
          });
        }
      });

  test('max and min propagate NaN as the JS kernel (in the vector lanes and the tail)', () => {
    const x = T.dmatrix('x');
    const f = theano.function([x], [T.max(x, 1), T.min(x, 0), T.max(x)], { mode: WASM });
    const g = theano.function([x], [T.max(x, 1), T.min(x, 0), T.max(x)]);
    const data = Float64Array.from({ length: 7 * 9 }, (_, i) => Math.sin(i));
    for (const at of [0, 3, 8, 62]) {
      const d = data.slice();
      d[at] = NaN;
      const a = new NDArray('float64', [7, 9], d);
      const { result, calls } = counted(() => call(f, a) as unknown[]);
      expect(calls).toBe(3);
      const want = call(g, a) as unknown[];
      result.forEach((r, i) => {
        const w = want[i];
        expect(r instanceof NDArray ? r.toArray() : r).toEqual(w instanceof NDArray ? w.toArray() : w);
      });
    }
  });
});

describe('int32 kernels', () => {
  const EDGES = [0, 1, -1, 2147483647, -2147483648, 46341, -46341, 65536, 7, -3];
  const ints = (n: number, seed: number) => {
    const r = seededRandom(seed);
    return Int32Array.from({ length: n }, (_, i) =>
      i % 3 === 0 ? EDGES[i % EDGES.length]! : Math.floor(r() * 2 ** 32) | 0,
    );
  };

  test('wrapping arithmetic, comparisons (bool outputs), switch and clip, broadcast and reversed', () => {
    const x = T.imatrix('x');
    const v = T.ivector('v');
    const outs = [
      x.mul(v).add(2147483647),
      T.maximum(x.neg(), v.abs()).sub(x),
      T.switch(x.lt(v), T.sqr(x), T.clip(v, -3, 5)),
      T.ge(x, v),
    ];
    const f = theano.function([x, v], outs, { mode: WASM });
    const [m, n] = [7, 10];
    const xs = new NDArray('int32', [m, n], ints(m * n, 1), [-n, -1], m * n - 1);
    const vs = new NDArray('int32', [n], ints(n, 2));
    const { result, calls } = counted(() => call(f, xs, vs) as NDArray[]);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(f.source).toContain('i32x4.mul');
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        const [a, b] = [xs.get(i, j) as number, vs.get(j) as number];
        expect(result[0]!.get(i, j)).toBe((Math.imul(a, b) + 2147483647) | 0);
        expect(result[1]!.get(i, j)).toBe((Math.max(-a | 0, Math.abs(b) | 0) - a) | 0);
        expect(result[2]!.get(i, j)).toBe(a < b ? Math.imul(a, a) : Math.min(Math.max(b, -3), 5));
        expect(result[3]!.get(i, j)).toBe(a >= b);
      }
  });

  test('int32 max and min over each axis, exactly', () => {
    const x = T.imatrix('x');
    const f = theano.function([x], [T.max(x, 0), T.min(x, 1, { keepdims: true }), T.max(T.abs(x), 1)], {
      mode: WASM,
    });
    const [m, n] = [6, 23];
    const a = new NDArray('int32', [m, n], ints(m * n, 3));
    const { result, calls } = counted(() => call(f, a) as NDArray[]);
    expect(calls).toBe(3);
    const col = (j: number) => Array.from({ length: m }, (_, i) => a.get(i, j) as number);
    const row = (i: number) => Array.from({ length: n }, (_, j) => a.get(i, j) as number);
    expect(result[0]!.toArray()).toEqual(Array.from({ length: n }, (_, j) => Math.max(...col(j))));
    expect(result[1]!.toArray()).toEqual(Array.from({ length: m }, (_, i) => [Math.min(...row(i))]));
    expect(result[2]!.toArray()).toEqual(
      Array.from({ length: m }, (_, i) => Math.max(...row(i).map((v) => Math.abs(v) | 0))),
    );
  });
});

describe('which innermost loop runs', () => {
  test('f.source shows the nested-loop module; a transposed call runs the scalar variant, with the same values', () => {
    const x = T.dmatrix('x');
    const f = theano.function([x], x.mul(2).add(1), { mode: WASM });
    const js = theano.function([x], x.mul(2).add(1));
    expect(f.source).toContain('the nested loops');
    const data = Float64Array.from({ length: 40 * 30 }, (_, i) => i / 7);
    const t = new NDArray('float64', [40, 30], data, [1, 40], 0);
    const { result, calls } = counted(() => call(f, t) as NDArray);
    expect(calls).toBe(1);
    expect(result.toArray()).toEqual((call(js, t) as NDArray).toArray());
  });
});
