/**
 * Accuracy sweeps of the vectorized wasm `exp` (deterministic, not timed): dense sweeps over the whole finite
 * range, seeded random bit patterns, and the special values (±0, ±Inf, NaN, subnormal inputs, the overflow and
 * underflow edges). The reference is V8's Math.exp (fdlibm's algorithm, < 1 ulp): float64 results must be within
 * 2 ulp of it, float32 results (native f32x4 lanes) within 1 ulp of Math.fround(Math.exp(x)) (the correctly
 * rounded float32 but for float64 values within 2^-28 ulp of a float32 midpoint). Each sweep runs through a compiled function, so the SIMD loop and the scalar tail both count.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray } from '../../src/index.js';
import * as special from '../../src/ops/special.js';
import { seededRandom } from '../../src/runtime/random.js';
import { arena } from '../../src/wasm/arena.js';
import { wasmOptions, wasmStats } from '../../src/wasm/kernel.js';

const DEFAULT_MIN_ELEMENTS = wasmOptions.minElements;
import {
  EXP_TABLE_BIAS,
  EXP_TABLE_OFFSET,
  EXP_TABLE_SIZE,
  expTable,
  MATH_TABLES_BYTES,
} from '../../src/wasm/math-tables.js';

const T = theano.tensor;
const WASM = theano.FAST_RUN.withLinker('wasm');

beforeAll(() => {
  wasmOptions.minElements = 0;
});
afterAll(() => {
  wasmOptions.minElements = DEFAULT_MIN_ELEMENTS;
});

const f64Bits = new Float64Array(1);
const i64View = new BigInt64Array(f64Bits.buffer);
/** A double's position on the number line of doubles (adjacent doubles differ by 1; -0 and +0 coincide). */
function order64(x: number): bigint {
  f64Bits[0] = x;
  const b = i64View[0]!;
  return b < 0n ? -(b & 0x7fffffffffffffffn) : b;
}
const f32Bits = new Float32Array(1);
const i32View = new Int32Array(f32Bits.buffer);
function order32(x: number): number {
  f32Bits[0] = x;
  const b = i32View[0]!;
  return b < 0 ? -(b & 0x7fffffff) : b;
}

type Fn = 'exp' | 'tanh' | 'sigmoid';
/** The references: V8's Math functions (fdlibm's algorithms) and the formula the JS kernel evaluates for sigmoid. */
const REFERENCE: Record<Fn, (x: number) => number> = {
  exp: Math.exp,
  tanh: Math.tanh,
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
};
const BUILD: Record<Fn, (x: theano.Tensor) => theano.Tensor> = {
  exp: (x) => T.exp(x as never),
  tanh: (x) => T.tanh(x as never),
  sigmoid: (x) => T.sigmoid(x as never),
};

/** The largest ulp distance between the wasm kernel's results and the reference over xs, and where. */
function maxUlp(
  dtype: 'float32' | 'float64',
  xs: Float32Array | Float64Array,
  fn: Fn = 'exp',
): { ulp: number; at: number } {
  const x = T.tensor(dtype, [null], 'x');
  const f = theano.function([x], BUILD[fn](x), { mode: WASM });
  expect(f.source).toContain('(module');
  const before = wasmStats().calls;
  const got = (f(xs) as NDArray).data as Float32Array | Float64Array;
  expect(wasmStats().calls).toBe(before + 1);
  let worst = { ulp: 0, at: NaN };
  for (let i = 0; i < xs.length; i++) {
    const want = dtype === 'float32' ? Math.fround(REFERENCE[fn](xs[i]!)) : REFERENCE[fn](xs[i]!);
    const g = got[i]!;
    if (Number.isNaN(want) || Number.isNaN(g)) {
      expect(Number.isNaN(g), `${fn}(${xs[i]}) = ${g}, expected ${want}`).toBe(Number.isNaN(want));
      continue;
    }
    const ulp =
      dtype === 'float32'
        ? Math.abs(order32(g) - order32(want))
        : Number(order64(g) - order64(want) < 0n ? order64(want) - order64(g) : order64(g) - order64(want));
    if (ulp > worst.ulp) worst = { ulp, at: xs[i]! };
  }
  return worst;
}

const linspace = (lo: number, hi: number, n: number) =>
  Float64Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));

describe('exp, float64', () => {
  test('dense sweep of [-745.2, 709.8] and of [-1, 1]: within 2 ulp of Math.exp', () => {
    const xs = new Float64Array([...linspace(-745.2, 709.8, 400_001), ...linspace(-1, 1, 200_001)]);
    const { ulp, at } = maxUlp('float64', xs);
    expect(ulp, `worst at ${at}`).toBeLessThanOrEqual(2);
  });

  test('random bit patterns of every exponent (tiny to huge, both signs): within 2 ulp', () => {
    const r = seededRandom(21);
    const xs = Float64Array.from(
      { length: 300_000 },
      () => (r() < 0.5 ? -1 : 1) * r() * 2 ** Math.floor(r() * 1100 - 1080),
    );
    const { ulp, at } = maxUlp('float64', xs);
    expect(ulp, `worst at ${at}`).toBeLessThanOrEqual(2);
  });

  test('special values and edges, exactly', () => {
    const edges = [
      0,
      -0,
      Infinity,
      -Infinity,
      NaN,
      5e-324,
      -5e-324,
      2.2250738585072014e-308,
      1e-300,
      709.782712893384,
      709.7827128933841,
      710,
      1e300,
      -708.3964185322641,
      -745.1332191019411,
      -745.1332191019412,
      -746,
      -1e300,
    ];
    const x = T.dvector('x');
    const f = theano.function([x], T.exp(x), { mode: WASM });
    const got = f(Float64Array.from(edges));
    edges.forEach((v, i) =>
      expect(
        Object.is(got.item(i), Math.exp(v)) || (Number.isNaN(got.item(i)) && Number.isNaN(Math.exp(v))),
        `exp(${v})`,
      ).toBe(true),
    );
  });
});

describe('exp, float64: the table of 2^(j/128) (src/wasm/math-tables.ts) and its entry boundaries', () => {
  test('h_j (1 + tail_j) is 2^(j/128) to 2^-103 (tail rounded): its 128th power, computed exactly, is 2^j to 2^-96', () => {
    const { tail, bits } = expTable();
    const view = new DataView(new ArrayBuffer(8));
    const P = 200n; // fixed point: v = V / 2^P
    for (let j = 0; j < EXP_TABLE_SIZE; j++) {
      view.setBigInt64(0, bits[j]! + (BigInt(j) << 45n) + (BigInt(EXP_TABLE_BIAS) << 52n));
      const h = view.getFloat64(0);
      expect(Math.abs(h / 2 ** (j / 128) - 1), `h_${j}`).toBeLessThan(2 ** -51); // Math.pow, within an ulp
      const H = BigInt(h * 2 ** 200); // exact: h has 53 significant bits
      const T = BigInt(tail[j]! * 2 ** 200); // exact too (|tail| >= 2^-64 or 0)
      const v = H + ((H * T) >> P);
      const error = v ** 128n - (1n << (P * 128n + BigInt(j)));
      const magnitude = error < 0n ? -error : error;
      expect(magnitude < 1n << (P * 128n + BigInt(j) - 96n), `entry ${j}`).toBe(true);
    }
  });

  test("the arena's reserved bytes hold the table after kernels ran (nothing writes there)", () => {
    const x = T.dvector('x');
    const f = theano.function([x], T.add(T.exp(x), 1), { mode: WASM });
    f(linspace(-700, 700, 100_000));
    const { tail, bits } = expTable();
    const view = new DataView(arena.buffer, EXP_TABLE_OFFSET, MATH_TABLES_BYTES);
    for (let j = 0; j < EXP_TABLE_SIZE; j++) {
      expect(view.getFloat64(16 * j, true)).toBe(tail[j]);
      expect(view.getBigInt64(16 * j + 8, true)).toBe(bits[j]);
    }
  });

  test('around every boundary between entries (x N / ln2 at a half-integer), over the whole range: within 2 ulp', () => {
    const xs: number[] = [];
    for (let kj = -137_700; kj <= 131_000; kj += 7) {
      const mid = ((kj + 0.5) * Math.LN2) / EXP_TABLE_SIZE;
      xs.push(mid, nextAfter(mid, -1), nextAfter(mid, 1), mid * (1 - 2 ** -40), mid * (1 + 2 ** -40));
    }
    const { ulp, at } = maxUlp('float64', Float64Array.from(xs));
    expect(ulp, `worst at ${at}`).toBeLessThanOrEqual(2);
  });
});

/** The double next to x toward the sign of `direction`. */
function nextAfter(x: number, direction: number): number {
  f64Bits[0] = x;
  i64View[0] = i64View[0]! + (x > 0 === direction > 0 ? 1n : -1n);
  return f64Bits[0]!;
}

describe('exp, float32', () => {
  test('every 409th float32 in [-104, 89]: within 1 ulp of fround(Math.exp)', () => {
    const xs = float32Sweep(-104, 89, 409);
    expect(xs.length).toBeGreaterThan(5_000_000);
    const { ulp, at } = maxUlp('float32', xs);
    expect(ulp, `worst at ${at}`).toBeLessThanOrEqual(1);
  });

  test('special values and edges, exactly', () => {
    const edges = [
      0,
      -0,
      Infinity,
      -Infinity,
      NaN,
      1e-45,
      -1e-45,
      1.17549435e-38,
      88.72283,
      88.72284,
      89,
      -87.33654,
      -103.27893,
      -103.9721,
      -104,
      -150,
    ];
    const x = T.fvector('x');
    const f = theano.function([x], T.exp(x), { mode: WASM });
    const xs = Float32Array.from(edges);
    const got = f(xs);
    xs.forEach((v, i) => {
      const want = Math.fround(Math.exp(v));
      expect(
        Object.is(got.item(i), want) || (Number.isNaN(got.item(i)) && Number.isNaN(want)),
        `exp(${v}) = ${got.item(i)}, expected ${want}`,
      ).toBe(true);
    });
  });
});

/** Every `step`-th float32 magnitude (by bit pattern, so every binade is covered evenly), with both signs, in [lo, hi]. */
function float32Sweep(lo: number, hi: number, step: number): Float32Array {
  const xs: number[] = [];
  const bits = new Int32Array(1);
  const f = new Float32Array(bits.buffer);
  for (let m = 0; ; m += step) {
    bits[0] = m;
    const v = f[0]!;
    if (v > Math.max(-lo, hi)) break;
    if (v <= hi) xs.push(v);
    if (-v >= lo) xs.push(-v);
  }
  return Float32Array.from(xs);
}

/** ±0, ±Inf, NaN and subnormals: every function's sweep includes them. */
const IEEE_SPECIALS = [0, -0, Infinity, -Infinity, NaN, 5e-324, -5e-324, 1e-310, -1e-310];
/** The IEEE specials and where each function saturates (tanh to ±1, sigmoid to 0 and 1): exact there. */
const SPECIALS = [...IEEE_SPECIALS, 710, -710, 746, -746, 1e300, -1e300];
/** Where the code switches between formulas, and other points that deserve a look (within the ulp bounds). */
const EDGES = [
  40, -40, 40, -40, 0.55, -0.55, 0.5499999999999999, 0.5500000000000002, 1e-20, -1e-20, 19.0615, 20, -20, 36.7, -36.7,
  354, 355, 356,
];
/**
 * The ulp bounds asserted (float64 against the reference; float32 against the reference rounded to float32, which
 * is the correctly rounded float32 unless the float64 value falls within 2^-28 ulp of a midpoint). float32 sigmoid
 * and tanh run in native f32x4 lanes (src/wasm/math-f32.ts): every step rounds to float32; measured 2 ulp at most
 * for sigmoid, 1 for tanh.
 */
const BOUND: Record<'tanh' | 'sigmoid', { f64: number; f32: number }> = {
  tanh: { f64: 3, f32: 1 },
  sigmoid: { f64: 2, f32: 2 },
};

for (const fn of ['tanh', 'sigmoid'] as const) {
  describe(fn, () => {
    test(`float64: dense sweeps of [-30, 30] and [-1, 1], random bit patterns, edges: within ${BOUND[fn].f64} ulp`, () => {
      const r = seededRandom(31);
      const random = Array.from(
        { length: 200_000 },
        () => (r() < 0.5 ? -1 : 1) * r() * 2 ** Math.floor(r() * 1100 - 1080),
      );
      const xs = new Float64Array([...linspace(-30, 30, 300_001), ...linspace(-1, 1, 200_001), ...random, ...EDGES]);
      const { ulp, at } = maxUlp('float64', xs, fn);
      expect(ulp, `worst at ${at}`).toBeLessThanOrEqual(BOUND[fn].f64);
    });

    test(`float32: every 409th float32 in [-90, 90] and the edges: within ${BOUND[fn].f32} ulp of fround(reference)`, () => {
      const xs = new Float32Array([...float32Sweep(-90, 90, 409), ...Float32Array.from(EDGES)]);
      expect(xs.length).toBeGreaterThan(5_000_000);
      const { ulp, at } = maxUlp('float32', xs, fn);
      expect(ulp, `worst at ${at}`).toBeLessThanOrEqual(BOUND[fn].f32);
    });

    test('special values exactly, float64 and float32', () => {
      const xf = T.fvector('xf');
      const g = theano.function([xf], BUILD[fn](xf), { mode: WASM });
      const got32 = g(Float32Array.from(SPECIALS)) as NDArray;
      Float32Array.from(SPECIALS).forEach((v, i) => {
        const want = Math.fround(REFERENCE[fn](v));
        const ok = Object.is(got32.item(i), want) || (Number.isNaN(got32.item(i)) && Number.isNaN(want));
        expect(ok, `${fn}(${v}) = ${got32.item(i)}, expected ${want}`).toBe(true);
      });
      const x = T.dvector('x');
      const f = theano.function([x], BUILD[fn](x), { mode: WASM });
      const got = f(Float64Array.from(SPECIALS)) as NDArray;
      SPECIALS.forEach((v, i) => {
        const want = REFERENCE[fn](v);
        expect(
          Object.is(got.item(i), want) || (Number.isNaN(got.item(i)) && Number.isNaN(want)),
          `${fn}(${v}) = ${got.item(i)}, expected ${want}`,
        ).toBe(true);
      });
    });
  });
}

describe('the worst float64 points found by denser sweeps', () => {
  // tanh's series branch near -0.2311 and sigmoid near -36.8 (where e^-x is large and the reference formula
  // carries Math.exp's own error) reach 4 ulp from the reference: 5 ulp at most from the correctly rounded value
  // (the reference is within 1), one ulp past the 4 the issue asks for; stated in docs/codegen.md
  for (const [fn, centre] of [
    ['tanh', -0.2311],
    ['sigmoid', -36.8],
  ] as const) {
    test(`${fn}: 1,000,001 points within 0.01 of ${centre}: within 4 ulp of the reference`, () => {
      const xs = new Float64Array(linspace(centre - 0.01, centre + 0.01, 1_000_001));
      const { ulp, at } = maxUlp('float64', xs, fn);
      expect(ulp, `worst at ${at}`).toBeLessThanOrEqual(4);
    });
  }
});

describe('tanh, float32 (native f32x4 lanes)', () => {
  test('every float32 in [0.5, 0.75] (the switch between its formulas at 0.625), both signs: within 1 ulp', () => {
    const [lo, hi] = [0.5, 0.75].map((v) => new Int32Array(Float32Array.of(v).buffer)[0]!) as [number, number];
    const bits = Int32Array.from({ length: 2 * (hi - lo + 1) }, (_, i) => (lo + (i >> 1)) | (i & 1 ? 1 << 31 : 0));
    const xs = new Float32Array(bits.buffer);
    const { ulp, at } = maxUlp('float32', xs, 'tanh');
    expect(ulp, `worst at ${at}`).toBeLessThanOrEqual(1);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// log, log1p, expm1, sin, cos, erf, softplus

type NewFn = 'log' | 'log1p' | 'expm1' | 'sin' | 'cos' | 'erf' | 'softplus';
const NEW_BUILD: Record<NewFn, (x: theano.Tensor) => theano.Tensor> = {
  log: (x) => T.log(x as never),
  log1p: (x) => T.log1p(x as never),
  expm1: (x) => T.expm1(x as never),
  sin: (x) => T.sin(x as never),
  cos: (x) => T.cos(x as never),
  erf: (x) => T.erf(x as never),
  softplus: (x) => T.softplus(x as never),
};
/** The JS kernel's functions: V8's Math (fdlibm's algorithms, < 1 ulp) and the scalar table's formulas. */
const JS_KERNEL: Record<NewFn, (x: number) => number> = {
  log: Math.log,
  log1p: Math.log1p,
  expm1: Math.expm1,
  sin: Math.sin,
  cos: Math.cos,
  erf: special.erf,
  softplus: special.softplus,
};
/** Where each function is swept densely (float64), and the float32 magnitudes swept by bit pattern. */
const RANGE: Record<NewFn, [number, number]> = {
  log: [0, 1e6],
  log1p: [-1, 1e6],
  expm1: [-50, 709.8],
  sin: [-1e5, 1e5],
  cos: [-1e5, 1e5],
  erf: [-7, 7],
  softplus: [-60, 60],
};
/** float32 results must stay within this many ulp of fround(a float64 reference), float64 within the second. */
const NEW_BOUND = { f32: 1, f64: 3 };

/** Runs `fn` under the wasm linker (the SIMD loop and the scalar tail) on xs. */
function runWasm(
  fn: NewFn,
  dtype: 'float32' | 'float64',
  xs: Float32Array | Float64Array,
): Float32Array | Float64Array {
  const x = T.tensor(dtype, [null], 'x');
  const f = theano.function([x], NEW_BUILD[fn](x), { mode: WASM });
  expect(f.source).toContain('(module');
  const before = wasmStats().calls;
  const got = (f(xs) as NDArray).data as Float32Array | Float64Array;
  expect(wasmStats().calls).toBe(before + 1);
  return got;
}

/** The largest ulp distance of got from want (NaN must meet NaN, infinities and zeros exactly, signs included). */
function ulpDistance(
  dtype: 'float32' | 'float64',
  xs: ArrayLike<number>,
  got: ArrayLike<number>,
  want: ArrayLike<number>,
) {
  let worst = { ulp: 0, at: NaN };
  for (let i = 0; i < xs.length; i++) {
    const [g, w] = [got[i]!, want[i]!];
    if (Number.isNaN(g) || Number.isNaN(w) || !Number.isFinite(w) || w === 0) {
      expect(Object.is(g, w) || (Number.isNaN(g) && Number.isNaN(w)), `(${xs[i]}) = ${g}, expected ${w}`).toBe(true);
      continue;
    }
    const ulp =
      dtype === 'float32'
        ? Math.abs(order32(g) - order32(w))
        : Number(order64(g) > order64(w) ? order64(g) - order64(w) : order64(w) - order64(g));
    if (ulp > worst.ulp) worst = { ulp, at: xs[i]! };
  }
  return worst;
}

/** Seeded random values of every exponent (2^-1080 to 2^20), both signs. */
function randomBits(seed: number, n: number, maxExponent = 20): number[] {
  const r = seededRandom(seed);
  return Array.from(
    { length: n },
    () => (r() < 0.5 ? -1 : 1) * r() * 2 ** Math.floor(r() * (1080 + maxExponent) - 1080),
  );
}

/** The IEEE specials and each function's edges (poles, saturation, the trig reduction's limit). */
const NEW_SPECIALS = [
  ...IEEE_SPECIALS,
  2.2250738585072014e-308,
  1e-300,
  -1e-300,
  1,
  -1,
  -1.0000000000000002,
  -0.9999999999999999,
  2,
  0.5,
  1e-17,
  -1e-17,
  40,
  -40,
  709.78,
  709.79,
  710,
  -745.2,
  1e8,
  -1e8,
  100000000.00000001,
  1e300,
  -1e300,
  5.9,
  5.93,
  6,
  6.1,
  1e16,
  2 ** 1023,
];

for (const fn of Object.keys(NEW_BUILD) as NewFn[]) {
  describe(`${fn} (vector wasm)`, () => {
    test(`float64: dense sweep, [-1, 1], random bit patterns, edges: within ${NEW_BOUND.f64} ulp of the JS kernel (${fn === 'erf' || fn === 'softplus' ? 'and of the correctly rounded value' : 'Math, < 1 ulp'})`, () => {
      const [lo, hi] = RANGE[fn];
      const xs = new Float64Array([
        ...linspace(lo, hi, 200_001),
        ...linspace(-1, 1, 100_001),
        ...randomBits(41, 100_000),
        ...NEW_SPECIALS,
      ]);
      const got = runWasm(fn, 'float64', xs);
      const want = Float64Array.from(xs, JS_KERNEL[fn]);
      // erf: the JS kernel's series is itself up to ~10 ulp off near |x| = 2; compared with the fixture below
      const bound = fn === 'erf' ? 16 : NEW_BOUND.f64;
      const { ulp, at } = ulpDistance('float64', xs, got, want);
      expect(ulp, `worst at ${at}`).toBeLessThanOrEqual(bound);
    });

    test('float32: every 1001st float32 magnitude in range, both signs: within 1 ulp of fround(the JS kernel)', () => {
      const [lo, hi] = RANGE[fn];
      const xs = float32Sweep(Math.max(lo, -3e38), Math.min(hi, 3e38), 1001);
      expect(xs.length).toBeGreaterThan(1_000_000);
      const got = runWasm(fn, 'float32', xs);
      const want = Float32Array.from(xs, JS_KERNEL[fn]);
      const { ulp, at } = ulpDistance('float32', xs, got, want);
      expect(ulp, `worst at ${at}`).toBeLessThanOrEqual(NEW_BOUND.f32);
    });

    test('special values: the JS kernel exactly, float64 and float32', () => {
      for (const dtype of ['float64', 'float32'] as const) {
        const xs = dtype === 'float32' ? Float32Array.from(NEW_SPECIALS) : Float64Array.from(NEW_SPECIALS);
        const got = runWasm(fn, dtype, xs);
        xs.forEach((v, i) => {
          const w = dtype === 'float32' ? Math.fround(JS_KERNEL[fn](v)) : JS_KERNEL[fn](v);
          if (!Number.isFinite(w) || w === 0 || Math.abs(w) === 1 || Number.isNaN(w) || !Number.isFinite(v) || v === 0)
            expect(
              Object.is(got[i], w) || (Number.isNaN(got[i]) && Number.isNaN(w)),
              `${fn}(${v}) = ${got[i]}, expected ${w}`,
            ).toBe(true);
        });
      }
    });
  });
}

describe('erf and softplus against correctly rounded values (mpmath, test/wasm/fixtures/math_reference.py)', () => {
  const reference = JSON.parse(
    readFileSync(new URL('./fixtures/math_reference.json', import.meta.url), 'utf8'),
  ) as Record<'erf' | 'softplus', { x: number[]; y: number[] }>;
  for (const fn of ['erf', 'softplus'] as const) {
    test(`${fn}, float64: within 4 ulp of the correctly rounded value at 3,500 points`, () => {
      const { x, y } = reference[fn];
      const xs = Float64Array.from(x);
      const { ulp, at } = ulpDistance('float64', xs, runWasm(fn, 'float64', xs), y);
      expect(ulp, `worst at ${at}`).toBeLessThanOrEqual(4);
    });
  }
});

describe('sin and cos beyond the reduction limit (|x| > 1e8): the exact path gives Math.sin and Math.cos', () => {
  test('random huge arguments, both signs, float64 and float32, in vector lanes next to ordinary ones', () => {
    const huge = randomBits(43, 20_000, 1023).map((v) => (Math.abs(v) > 1e8 ? v : v + Math.sign(v || 1) * 2e8));
    const mixed = huge.flatMap((v, i) => [v, i % 7]); // an ordinary lane beside each huge one
    for (const fn of ['sin', 'cos'] as const) {
      const xs = Float64Array.from(mixed);
      const got = runWasm(fn, 'float64', xs);
      const want = Float64Array.from(xs, JS_KERNEL[fn]);
      for (let i = 0; i < xs.length; i += 2) expect(Object.is(got[i], want[i]), `${fn}(${xs[i]})`).toBe(true);
      expect(ulpDistance('float64', xs, got, want).ulp).toBeLessThanOrEqual(NEW_BOUND.f64);
      const x32 = Float32Array.from(mixed);
      const got32 = runWasm(fn, 'float32', x32);
      for (let i = 0; i < x32.length; i += 2) expect(got32[i]).toBe(Math.fround(JS_KERNEL[fn](x32[i]!)));
    }
  });

  test('the module imports Math.sin and Math.cos only when it uses them', () => {
    const x = T.dvector('x');
    expect(theano.function([x], T.sin(x), { mode: WASM }).source).toContain('(import "env" "sin" (func');
    expect(theano.function([x], T.log(x), { mode: WASM }).source).not.toContain('(import "env" "sin"');
  });
});
