/**
 * The WebAssembly GEMM (src/wasm/gemm.ts) against a float64 nested-loop reference written here, with a stated
 * error bound; strided, transposed, sliced and arena-resident operands; the `wasm` linker's dot, matmul,
 * batched_dot, tensordot and conv2d against the `js` linker's; gradients under the wasm linker.
 *
 * Error bound: the reference sums the same (float32- or float64-valued) inputs exactly enough (float64, k <= a
 * few hundred), and any order of k float multiply-adds in precision u (u = eps/2), followed by one rounding into
 * the output, errs by at most (k·u/(1 - k·u) + u)·Σ_p |a_ip||b_pj| <= k·eps·Σ_p |a_ip||b_pj| for k >= 1. So we
 * assert |c - ref| <= c·k·eps·Σ|a||b| with c = 1 (eps = 2^-23 for float32, 2^-52 for float64), and also the
 * typical (random-walk) size of rounding errors the lead asked for: |c - ref| <= sqrt(k)·eps·Σ|a||b|, which the
 * seeded cases here meet with room (the worst ratio found is printed by the property test's failure message).
 */
import fc from 'fast-check';
import { afterEach, describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import { NDArray } from '../../src/index.js';
import type { MatrixView } from '../../src/runtime/matmul.js';
import { seededRandom } from '../../src/runtime/random.js';
import { disassemble } from '../../src/wasm/wat.js';
import { buildGemmModule, wasmGemm, wasmGemmCalls, wasmGemmOptions } from '../../src/wasm/gemm.js';
import { arena } from '../../src/wasm/arena.js';
import { simulateWasmSimd } from '../../src/wasm/kernel.js';

const T = theano.tensor;
const WASM = theano.FAST_RUN.withLinker('wasm');
const EPS = { float32: 2 ** -23, float64: 2 ** -52 } as const;
type Dtype = 'float32' | 'float64';
type FloatArray = Float32Array | Float64Array;

const DEFAULTS = { ...wasmGemmOptions };
afterEach(() => {
  Object.assign(wasmGemmOptions, DEFAULTS);
  simulateWasmSimd(undefined);
});
/** Every product through wasm, with small blocks so that every block boundary is crossed. */
function forceWasm(blocks = true): void {
  wasmGemmOptions.minGemmMacs = 0;
  wasmGemmOptions.minGemvElements = 0;
  if (blocks) Object.assign(wasmGemmOptions, { kc: 16, mc: 8, nc: 24 });
}

const arrayOf = (dtype: Dtype) => (dtype === 'float32' ? Float32Array : Float64Array);
function randomArray(dtype: Dtype, n: number, seed: number): FloatArray {
  const r = seededRandom(seed);
  const out = new (arrayOf(dtype))(n);
  for (let i = 0; i < n; i++) out[i] = r() * 2 - 1;
  return out;
}
const view = (data: FloatArray, rows: number, cols: number, rs = cols, cs = 1, offset = 0): MatrixView<FloatArray> => ({
  data,
  offset,
  rows,
  cols,
  rowStride: rs,
  colStride: cs,
});
const at = (v: MatrixView<FloatArray>, i: number, j: number) => v.data[v.offset + i * v.rowStride + j * v.colStride]!;

/** The float64 product and, per entry, Σ_p |a_ip||b_pj| (what the error bound scales with). */
function reference(a: MatrixView<FloatArray>, b: MatrixView<FloatArray>): { c: Float64Array; mag: Float64Array } {
  const [m, k, n] = [a.rows, a.cols, b.cols];
  const c = new Float64Array(m * n);
  const mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < k; p++) {
        s += at(a, i, p) * at(b, p, j);
        t += Math.abs(at(a, i, p) * at(b, p, j));
      }
      c[i * n + j] = s;
      mag[i * n + j] = t;
    }
  return { c, mag };
}

/** Asserts both bounds; returns the worst ratio to the random-walk bound sqrt(k)·eps·Σ|a||b|. */
function expectWithinBound(
  got: ArrayLike<number>,
  ref: { c: Float64Array; mag: Float64Array },
  k: number,
  dtype: Dtype,
) {
  let worst = 0;
  for (let i = 0; i < ref.c.length; i++) {
    const err = Math.abs(got[i]! - ref.c[i]!);
    const bound = k * EPS[dtype] * ref.mag[i]!;
    if (err > bound) throw new Error(`entry ${i}: |${got[i]} - ${ref.c[i]}| = ${err} > k·eps·Σ|a||b| = ${bound}`);
    if (err > 0) worst = Math.max(worst, err / (Math.sqrt(k) * EPS[dtype] * ref.mag[i]!));
  }
  expect(worst, 'error / (sqrt(k)·eps·Σ|a||b|)').toBeLessThanOrEqual(1);
  return worst;
}

function runWasm(a: MatrixView<FloatArray>, b: MatrixView<FloatArray>, dtype: Dtype, cOffset = 0): FloatArray {
  const c = new (arrayOf(dtype))(cOffset + a.rows * b.cols).fill(NaN);
  wasmGemm(a, b, c, cOffset, dtype);
  return c.subarray(cOffset);
}

describe('wasm GEMM against a float64 nested loop', () => {
  const SHAPES: [number, number, number][] = [
    [1, 1, 1],
    [1, 7, 1],
    [1, 40, 33],
    [45, 40, 1],
    [4, 8, 8],
    [5, 3, 9],
    [37, 301, 70],
    [64, 64, 64],
    [13, 17, 91],
    [100, 1, 3],
  ];
  for (const dtype of ['float32', 'float64'] as const)
    test.each(SHAPES)(`${dtype} %i x %i · %i x ?, contiguous`, (m, k, n) => {
      forceWasm();
      const a = view(randomArray(dtype, m * k, m + 1), m, k);
      const b = view(randomArray(dtype, k * n, n + 2), k, n);
      const before = wasmGemmCalls();
      const c = runWasm(a, b, dtype, 3);
      expect(wasmGemmCalls()).toBe(before + 1);
      expectWithinBound(c, reference(a, b), k, dtype);
    });

  test('default block sizes (one 256-deep slice and more), odd sizes', () => {
    wasmGemmOptions.minGemmMacs = 0;
    for (const dtype of ['float32', 'float64'] as const) {
      const [m, k, n] = [103, 517, 77];
      const a = view(randomArray(dtype, m * k, 5), m, k);
      const b = view(randomArray(dtype, k * n, 6), k, n);
      expectWithinBound(runWasm(a, b, dtype), reference(a, b), k, dtype);
    }
  });

  test('k = 0 gives zeros; m = 0 or n = 0 writes nothing', () => {
    forceWasm();
    for (const dtype of ['float32', 'float64'] as const) {
      const c = runWasm(view(new (arrayOf(dtype))(0), 3, 0), view(new (arrayOf(dtype))(0), 0, 5), dtype);
      expect([...c]).toEqual(new Array(15).fill(0));
      const untouched = new (arrayOf(dtype))([7, 7]);
      wasmGemm(view(new (arrayOf(dtype))(0), 0, 4), view(randomArray(dtype, 8, 1), 4, 2), untouched, 0, dtype);
      wasmGemm(view(randomArray(dtype, 8, 1), 2, 4), view(new (arrayOf(dtype))(0), 4, 0), untouched, 0, dtype);
      expect([...untouched]).toEqual([7, 7]);
    }
  });

  test('transposed, sliced (span and gathered), offset and negative-stride operands', () => {
    forceWasm();
    for (const dtype of ['float32', 'float64'] as const) {
      const [m, k, n] = [19, 23, 21];
      const big = randomArray(dtype, 60 * 70, 9);
      const cases: [MatrixView<FloatArray>, MatrixView<FloatArray>][] = [
        // Aᵀ stored k x m, Bᵀ stored n x k
        [view(big, m, k, 1, m), view(big, k, n, 1, k, 500)],
        // every other row and column of a 60 x 70 matrix (span copy)
        [view(big, m, k, 140, 2, 3), view(big, k, n, 70, 1, 1000)],
        // a narrow column slice of a wide matrix (gathered: its span is far larger than the view)
        [view(big, m, k, 200, 1, 7), view(big, k, n, 150, 1, 11)],
        // rows read backwards (negative row stride)
        [view(big, m, k, -k, 1, (m - 1) * k), view(big, k, n, -n, -1, 2000)],
      ];
      for (const [a, b] of cases) expectWithinBound(runWasm(a, b, dtype), reference(a, b), k, dtype);
      // matrix-vector and vector-matrix with strided vectors and either matrix layout
      const x = view(big, k, 1, 3, 0, 5);
      expectWithinBound(runWasm(cases[0]![0], x, dtype), reference(cases[0]![0], x), k, dtype);
      expectWithinBound(runWasm(cases[1]![0], x, dtype), reference(cases[1]![0], x), k, dtype);
      const y = view(big, 1, k, 0, 2, 9);
      expectWithinBound(runWasm(y, cases[0]![1], dtype), reference(y, cases[0]![1]), k, dtype);
      expectWithinBound(runWasm(y, cases[2]![1], dtype), reference(y, cases[2]![1]), k, dtype);
    }

    function runWasm(a: MatrixView<FloatArray>, b: MatrixView<FloatArray>, dtype: Dtype): FloatArray {
      const c = new (arrayOf(dtype))(a.rows * b.cols);
      wasmGemm(a, b, c, 0, dtype);
      return c;
    }
  });

  test('operands of the other float type are converted on the way in (conv2d passes float64 scratch)', () => {
    forceWasm();
    const [m, k, n] = [9, 14, 10];
    const a = view(Float64Array.from(randomArray('float32', m * k, 1)), m, k);
    const b = view(randomArray('float32', k * n, 2), k, n);
    const c = new Float64Array(m * n);
    wasmGemm(a, b, c, 0, 'float32');
    expectWithinBound(c, reference(a, b), k, 'float32');
  });

  test('operands and output living in the arena are used in place', () => {
    forceWasm(false);
    for (const dtype of ['float32', 'float64'] as const) {
      const [m, k, n] = [16, 12, 8]; // whole tiles: C is written in place too
      const size = dtype === 'float32' ? 4 : 8;
      // one pooled block of the arena holds the three, as a function's pool would place them
      const base = arena.alloc((m * k + k * n + m * n) * size, 'pooled');
      expect(base).toBeGreaterThanOrEqual(0);
      const buffer = arena.buffer;
      const View = arrayOf(dtype);
      const aData = new View(buffer, base, m * k);
      aData.set(randomArray(dtype, m * k, 3));
      const bData = new View(buffer, base + m * k * size, k * n);
      bData.set(randomArray(dtype, k * n, 4));
      const c = new View(buffer, base + (m * k + k * n) * size, m * n);
      const [a, b] = [view(aData, m, k), view(bData, k, n)];
      const expected = reference(a, b);
      wasmGemm(a, b, c, 0, dtype);
      // the arena could not grow while the pooled block is live, so these views are still attached
      expect(c.length).toBe(m * n);
      expectWithinBound(c, expected, k, dtype);
      expect([...aData.subarray(0, 4)]).toEqual([...randomArray(dtype, 4, 3)]); // inputs not overwritten
      // matrix-vector products reading the arena-resident matrix in place, by rows and (transposed) by columns
      const x = view(randomArray(dtype, k, 5), k, 1, 1, 0);
      const y = new View(m);
      wasmGemm(a, x, y, 0, dtype);
      expectWithinBound(y, reference(a, x), k, dtype);
      const at = view(aData, k, m, 1, k); // Aᵀ, columns contiguous
      const xt = view(randomArray(dtype, m, 6), m, 1, 1, 0);
      const yt = new View(k);
      wasmGemm(at, xt, yt, 0, dtype);
      expectWithinBound(yt, reference(at, xt), m, dtype);
      arena.release(base, 'pooled');
    }
  });

  test('fast-check: random shapes, layouts and dtypes stay within the bound', () => {
    forceWasm();
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 30 }),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom<Dtype>('float32', 'float64'),
        fc.integer({ min: 0, max: 1000 }),
        (m, k, n, ta, tb, dtype, seed) => {
          const a = ta
            ? view(randomArray(dtype, m * k, seed), m, k, 1, m)
            : view(randomArray(dtype, m * k, seed), m, k);
          const bd = randomArray(dtype, k * n, seed + 1);
          const b = tb ? view(bd, k, n, 1, k) : view(bd, k, n);
          const c = new (arrayOf(dtype))(m * n);
          wasmGemm(a, b, c, 0, dtype);
          expectWithinBound(c, reference(a, b), k, dtype);
        },
      ),
      { seed: 12, numRuns: 150 },
    );
  });

  test('small products and engines without SIMD run the JavaScript GEMM', () => {
    const a = view(randomArray('float64', 9, 1), 3, 3);
    const before = wasmGemmCalls();
    const c = runWasm(a, a, 'float64');
    expect(wasmGemmCalls()).toBe(before);
    expectWithinBound(c, reference(a, a), 3, 'float64');
    forceWasm();
    simulateWasmSimd(false);
    const d = runWasm(a, a, 'float64');
    expect(wasmGemmCalls()).toBe(before);
    expectWithinBound(d, reference(a, a), 3, 'float64');
  });

  test('the module disassembles, its splat loads and f32x4 multiply-adds shown', () => {
    const wat = disassemble(buildGemmModule('float32', { mr: 4, nr: 8, ku: 1 }));
    expect(wat).toContain('(func (;0;) (export "macro")');
    expect(wat).toMatch(/v128\.load32_splat offset=12 align=4/);
    expect(wat.match(/f32x4\.mul/g)!.length).toBeGreaterThanOrEqual(8);
    expect(disassemble(buildGemmModule('float64', { mr: 4, nr: 4, ku: 2 }))).toContain('v128.load64_splat');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// through the linker

/** Row-major nested arrays of the product of two NDArrays, and the Σ|a||b| magnitudes, from the reference. */
function referenceOf(a: NDArray | number[][], b: NDArray | number[][]) {
  if (Array.isArray(a)) a = theano.asarray(a, { dtype: 'float64' });
  if (Array.isArray(b)) b = theano.asarray(b, { dtype: 'float64' });
  const asView = (x: NDArray): MatrixView<FloatArray> =>
    x.ndim === 1
      ? view(Float64Array.from(x.toArray() as number[]), 1, x.shape[0]!)
      : view(Float64Array.from((x.toArray() as number[][]).flat()), x.shape[0]!, x.shape[1]!);
  const av = asView(a);
  const bv = b.ndim === 1 ? view(Float64Array.from(b.toArray() as number[]), b.shape[0]!, 1) : asView(b);
  return { ...reference(av, bv), k: av.cols };
}

const rowsOf = (x: NDArray) => x.toArray() as number[][];
const nd = (dtype: Dtype, shape: number[], seed: number) =>
  new NDArray(
    dtype,
    shape,
    randomArray(
      dtype,
      shape.reduce((x, y) => x * y, 1),
      seed,
    ),
  );

describe('the wasm linker uses the wasm GEMM', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    test(`${dtype}: dot of matrices, transposed and sliced inputs, matrix-vector, vector-matrix`, () => {
      forceWasm(false);
      const [x, y] = [T.tensor(dtype, [null, null], 'x'), T.tensor(dtype, [null, null], 'y')];
      const v = T.tensor(dtype, [null], 'v');
      const outputs = [
        T.dot(x, y),
        T.dot(x.T, y.T),
        T.dot(x.get(T.slice(null, null, 2)), y.get(T.slice(null), T.slice(1))),
        T.dot(x, v),
        T.dot(v, y),
      ];
      type F = (...args: NDArray[]) => NDArray[];
      const f = theano.function([x, y, v], outputs, { mode: WASM }) as unknown as F;
      const g = theano.function([x, y, v], outputs) as unknown as F;
      const [X, Y, V] = [nd(dtype, [30, 30], 1), nd(dtype, [30, 30], 2), nd(dtype, [30], 3)];
      const before = wasmGemmCalls();
      const got = f(X, Y, V) as NDArray[];
      expect(wasmGemmCalls()).toBe(before + outputs.length);
      const js = g(X, Y, V) as NDArray[];
      const refs = [
        referenceOf(X, Y),
        referenceOf(X.transpose(), Y.transpose()),
        referenceOf(
          rowsOf(X).filter((_, i) => i % 2 === 0),
          rowsOf(Y).map((row) => row.slice(1)),
        ),
        referenceOf(X, V),
        referenceOf(V, Y),
      ];
      got.forEach((r, i) => {
        expect(r.dtype).toBe(dtype);
        expect(r.shape).toEqual(js[i]!.shape);
        // both backends are within the bound of the reference, so within twice it of each other
        expectWithinBound(r.data as FloatArray, refs[i]!, refs[i]!.k, dtype);
        expectWithinBound(js[i]!.data as FloatArray, refs[i]!, refs[i]!.k, dtype);
      });
    });
  }

  test('batched matmul with broadcast batch axes, batched_dot and tensordot match the js linker', () => {
    forceWasm(false);
    const a = T.ftensor4('a');
    const b = T.ftensor3('b');
    const c = T.ftensor3('c');
    const outputs = [T.matmul(a, b), T.batchedDot(b, c), T.tensordot(a, b, [[3], [1]])];
    type F = (...args: NDArray[]) => NDArray[];
    const f = theano.function([a, b, c], outputs, { mode: WASM }) as unknown as F;
    const g = theano.function([a, b, c], outputs) as unknown as F;
    const [A, B, C] = [nd('float32', [2, 1, 5, 7], 1), nd('float32', [3, 7, 4], 2), nd('float32', [3, 4, 6], 3)];
    const before = wasmGemmCalls();
    const got = f(A, B, C) as NDArray[];
    expect(wasmGemmCalls()).toBeGreaterThan(before);
    const js = g(A, B, C) as NDArray[];
    // per output entry: the product over k of values in [-1, 1), so Σ|a||b| <= k; the bound k·eps32·k
    const ks = [7, 4, 7];
    got.forEach((r, i) => {
      expect(r.shape).toEqual(js[i]!.shape);
      const [p, q] = [r.data as Float32Array, js[i]!.data as Float32Array];
      for (let e = 0; e < p.length; e++)
        expect(Math.abs(p[e]! - q[e]!)).toBeLessThanOrEqual(2 * ks[i]! ** 2 * EPS.float32);
    });
    // and the broadcast batch item [1, 2] of matmul against the reference loop
    const item = referenceOf(
      new NDArray('float32', [5, 7], (A.data as Float32Array).slice(35, 70)),
      new NDArray('float32', [7, 4], (B.data as Float32Array).slice(56, 84)),
    );
    expectWithinBound(
      (got[0]!.data as Float32Array).subarray((1 * 3 + 2) * 20, (1 * 3 + 2) * 20 + 20),
      item,
      7,
      'float32',
    );
  });

  test('conv2d (forward and both gradients) matches the js linker', () => {
    forceWasm(false);
    for (const dtype of ['float32', 'float64'] as const) {
      const x = T.tensor(dtype, [null, null, null, null], 'x');
      const w = T.tensor(dtype, [null, null, null, null], 'w');
      const out = T.conv2d(x, w, { border: 'half' });
      const cost = T.sum(T.sqr(out));
      const outputs = [out, ...T.grad(cost, [x, w])];
      type F = (...args: NDArray[]) => NDArray[];
      const f = theano.function([x, w], outputs, { mode: WASM }) as unknown as F;
      const g = theano.function([x, w], outputs) as unknown as F;
      const [X, W] = [nd(dtype, [2, 3, 9, 8], 1), nd(dtype, [4, 3, 3, 3], 2)];
      const before = wasmGemmCalls();
      const got = f(X, W) as NDArray[];
      expect(wasmGemmCalls()).toBeGreaterThan(before);
      const js = g(X, W) as NDArray[];
      got.forEach((r, i) => {
        const [p, q] = [r.data as FloatArray, js[i]!.data as FloatArray];
        const scale = Math.max(...Array.from(q, Math.abs));
        // K = 27 taps (and the gradients' sums over 72 positions): relative to the largest entry
        for (let e = 0; e < p.length; e++)
          expect(Math.abs(p[e]! - q[e]!)).toBeLessThanOrEqual(200 * EPS[dtype] * scale);
      });
    }
  });

  test('integer products stay JavaScript (exact)', () => {
    forceWasm(false);
    const [x, y] = T.imatrices('x', 'y');
    const f = theano.function([x, y], T.dot(x, y), { mode: WASM });
    const before = wasmGemmCalls();
    const r = f(
      [
        [1, 2],
        [3, 4],
      ],
      [
        [5, 6],
        [7, 8],
      ],
    ) as NDArray;
    expect(wasmGemmCalls()).toBe(before);
    expect(r.toArray()).toEqual([
      [19, 22],
      [43, 50],
    ]);
  });

  test('gradients of dot under the wasm linker pass verifyGrad', () => {
    forceWasm(false);
    const r = seededRandom(4);
    const point = (rows: number, cols: number) =>
      Array.from({ length: rows }, () => Array.from({ length: cols }, () => r() * 2 - 1));
    theano.gradient.verifyGrad((a, b) => T.tanh(T.dot(a!, b!)), [point(6, 5), point(5, 7)], { mode: WASM });
    theano.gradient.verifyGrad((a, b) => T.dot(a!, b!), [point(6, 5), point(1, 5)[0]!], { mode: WASM });
    const f32 = (rows: number, cols: number) =>
      new NDArray('float32', [rows, cols], Float32Array.from(point(rows, cols).flat()));
    const before = wasmGemmCalls();
    theano.gradient.verifyGrad((a, b) => T.dot(a!, b!), [f32(6, 5), f32(5, 7)], { mode: WASM });
    expect(wasmGemmCalls()).toBeGreaterThan(before);
  });
});
