/**
 * Vectorized transcendental functions written as wasm instructions, for the kernel renderer.
 *
 * exp (f64x2) is table-driven (a 128-entry table of 2^(j/128) in the arena's reserved first bytes, see
 * src/wasm/math-tables.ts, and a degree-5 polynomial): see `expF64x2`. expm1 shares its Cody-Waite reduction with
 * k ln2 (ln2 with its low 21 significand bits zero, so k times it is exact for |k| < 2^21, then the rest).
 *
 * sigmoid is 1 / (1 + e^-x) as the JS kernel writes it; tanh is described at `tanhF64x2`.
 *
 * float32 lanes are promoted to f64, run the same code (with shorter polynomials) and are rounded once to f32 (what
 * `Math.fround(Math.exp(x))` computes in the JS kernel). Measured bounds: test/wasm/math.test.ts.
 */
import type { FunctionBuilder } from './encoder.js';
import { EXP_TABLE_BIAS, EXP_TABLE_BITS, EXP_TABLE_OFFSET, EXP_TABLE_SIZE } from './math-tables.js';

/** ln 2 in two parts: HI has its low 21 significand bits zero, so k * HI is exact here; HI + LO is ln 2 to ~2^-85. */
export const LN2_HI = 6.9314718036912381649e-1;
export const LN2_LO = 1.90821492927058770002e-10;
/** 1 / n! for n = 0..23 (the series of exp, expm1, sin and cos). */
export const INVERSE_FACTORIALS = Array.from({ length: 24 }, (_, n) => {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return 1 / f;
});

/** Pushes c in both f64 lanes (also a way to write a 64-bit lane pattern that is a number's bits). */
export const splat = (f: FunctionBuilder, c: number) => f.emit('f64.const', c).emit('f64x2.splat');

type Locals<N extends number, R extends number[] = []> = R['length'] extends N ? R : Locals<N, [number, ...R]>;
/** n new v128 locals. */
export function vectorLocals<N extends number>(f: FunctionBuilder, n: N): Locals<N> {
  return Array.from({ length: n }, () => f.local('v128')) as Locals<N>;
}

/** Pushes sum coefficients[i] z^i (lowest coefficient first) by Horner's rule, z in the local `z`. */
export function horner(f: FunctionBuilder, z: number, coefficients: readonly number[]): void {
  splat(f, coefficients[coefficients.length - 1]!);
  for (let i = coefficients.length - 2; i >= 0; i--) {
    f.emit('local.get', z).emit('f64x2.mul');
    splat(f, coefficients[i]!).emit('f64x2.add');
  }
}

/** [f64x2 v] -> [f64x2 v with x's sign bit]: v must be non-negative (x in the local `x`). */
export function withSignOf(f: FunctionBuilder, x: number): void {
  f.emit('local.get', x);
  splat(f, -0).emit('v128.and').emit('v128.or');
}

/** Replaces the lanes where |x| < bound (x in the local `x`) by x itself: where f(x) rounds to x (±0 kept). */
export function identityBelow(f: FunctionBuilder, x: number, bound: number): void {
  const result = f.local('v128');
  f.emit('local.set', result).emit('local.get', x).emit('local.get', result);
  f.emit('local.get', x).emit('f64x2.abs');
  splat(f, bound).emit('f64x2.lt').emit('v128.bitselect');
}

/** N / ln 2 and ln 2 / N in two parts (LN2_HI / N keeps LN2_HI's 21 trailing zero bits: kj times it is exact). */
const N_OVER_LN2 = EXP_TABLE_SIZE / Math.LN2;
const LN2_N_HI = LN2_HI / EXP_TABLE_SIZE;
const LN2_N_LO = LN2_LO / EXP_TABLE_SIZE;
/** 1.5 2^52: z = y + SHIFT rounds y to an integer held in z's low significand bits (two's complement). */
const SHIFT = 1.5 * 2 ** 52;
/** Degrees of e^r - 1 on |r| <= ln2 / 2N (N = 128): Taylor truncation below 2^-60 (float64), 2^-38 (f32 lanes). */
const EXP_DEGREE = { f64: 5, f32: 3 } as const;
/** The bytes of lane 0 of a and lane 0 of b (shuffle of a, b), and of their lanes 1. */
const LOW_LANES = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23];
const HIGH_LANES = LOW_LANES.map((b) => b + 8);
/** Exponent fields: 192 << 52 is the bit pattern of 2^-831, EXP_TABLE_BIAS + 1023 << 52 that of 2^EXP_TABLE_BIAS. */
const NEGATIVE_REBIAS = 192;

/** Pushes the 16-byte table entry [tail, bits] of the f64x2 lane `lane` (0 or 1) of the local `z`. */
function expTableEntry(f: FunctionBuilder, z: number, lane: 0 | 1): void {
  f.emit('local.get', z).emit('i32x4.extract_lane', 2 * lane);
  f.emit('i32.const', EXP_TABLE_SIZE - 1)
    .emit('i32.and')
    .emit('i32.const', 4)
    .emit('i32.shl');
  f.emit('v128.load', 4, EXP_TABLE_OFFSET);
}

/** Pushes tail + r + r^2/2 + ... + r^degree/degree! (r in the local `r`, tail on the stack), by powers of r^2. */
function expReducedPolynomial(f: FunctionBuilder, r: number, degree: 3 | 5): void {
  const r2 = f.local('v128');
  f.emit('local.get', r).emit('f64x2.add');
  f.emit('local.get', r).emit('local.get', r).emit('f64x2.mul').emit('local.tee', r2);
  splat(f, INVERSE_FACTORIALS[3]!).emit('local.get', r).emit('f64x2.mul');
  splat(f, INVERSE_FACTORIALS[2]!).emit('f64x2.add').emit('f64x2.mul');
  if (degree === 5) {
    splat(f, INVERSE_FACTORIALS[5]!).emit('local.get', r).emit('f64x2.mul');
    splat(f, INVERSE_FACTORIALS[4]!).emit('f64x2.add');
    f.emit('local.get', r2).emit('local.get', r2).emit('f64x2.mul').emit('f64x2.mul').emit('f64x2.add');
  }
  f.emit('f64x2.add');
}

/**
 * [f64x2 x] -> [f64x2 e^x], table-driven: x (clamped to [-746, 710]; NaN passes pmin/pmax) = (kN + j) ln2/N + r
 * with kN + j = nearest(x N / ln2) (N = 128, read from the low bits of x N/ln2 + 1.5 2^52), ln2/N in two parts
 * (Cody and Waite), so |r| <= ln2/256. Then e^x = 2^k 2^(j/N) e^r = s (1 + tmp) with s = 2^k h_j from the table's
 * bits (src/wasm/math-tables.ts: h_j = 2^(j/N) rounded, 2^(j/N) = h_j (1 + tail_j)) and tmp = tail_j + (e^r - 1),
 * e^r - 1 by its Taylor polynomial (degree 5 for float64; 3 for lanes rounded to float32 next); the result is
 * s + s tmp, one rounding after exact or tiny-error steps (measured: test/wasm/math.test.ts). s is built with
 * its exponent lowered by 64 (x >= 0) or raised by 128 (x < 0) and the result multiplied back by 2^64 or 2^-128,
 * so every 2^k of the range is a normal double on the way: overflow gives +Inf and subnormal results are rounded
 * by that last product.
 */
export function expF64x2(f: FunctionBuilder, precision: 'f32' | 'f64' = 'f64'): void {
  const [x, z, r, a, b] = vectorLocals(f, 5);
  splat(f, -746).emit('f64x2.pmax');
  splat(f, 710).emit('f64x2.pmin').emit('local.tee', x);
  splat(f, N_OVER_LN2).emit('f64x2.mul');
  splat(f, SHIFT).emit('f64x2.add').emit('local.tee', z);
  splat(f, SHIFT).emit('f64x2.sub').emit('local.set', r); // kN + j as a double
  // r = x - (kN + j) ln2/N, in two parts
  f.emit('local.get', x).emit('local.get', r);
  splat(f, LN2_N_HI).emit('f64x2.mul').emit('f64x2.sub').emit('local.get', r);
  splat(f, LN2_N_LO).emit('f64x2.mul').emit('f64x2.sub').emit('local.set', r);
  // the two lanes' table entries: [tail_a, bits_a], [tail_b, bits_b]
  expTableEntry(f, z, 0);
  f.emit('local.set', a);
  expTableEntry(f, z, 1);
  f.emit('local.set', b);
  // s's bits before the rebias: the table's bits plus (kN + j) << (52 - log2 N), i.e. plus k in the exponent
  f.emit('local.get', a)
    .emit('local.get', b)
    .emit('i8x16.shuffle', ...HIGH_LANES);
  f.emit('local.get', z)
    .emit('i32.const', 52 - EXP_TABLE_BITS)
    .emit('i64x2.shl')
    .emit('i64x2.add');
  f.emit('local.get', a)
    .emit('local.get', b)
    .emit('i8x16.shuffle', ...LOW_LANES); // the tails
  expReducedPolynomial(f, r, EXP_DEGREE[precision]);
  const rebias = b; // the exponent added to s where x < 0
  f.emit('local.set', r).emit('local.set', a);
  f.emit('local.get', x);
  splat(f, 0).emit('f64x2.lt');
  splat(f, 2 ** (NEGATIVE_REBIAS - 1023))
    .emit('v128.and')
    .emit('local.tee', rebias);
  f.emit('local.get', a).emit('i64x2.add').emit('local.tee', a);
  // s + s tmp, times 2^64 or 2^-128
  f.emit('local.get', a).emit('local.get', r).emit('f64x2.mul').emit('f64x2.add');
  splat(f, 2 ** EXP_TABLE_BIAS)
    .emit('local.get', rebias)
    .emit('i64x2.sub')
    .emit('f64x2.mul');
}

/** A function of f64x2 lanes; `precision` f32 when its results are rounded to float32 next (cheaper polynomials). */
export type LaneFunction = (f: FunctionBuilder, precision: 'f32' | 'f64') => void;

/** Degrees of expm1's series on |r| <= ln2 / 2: truncation below 2^-61 (float64) and 2^-35 (float32 lanes). */
const EXPM1_REDUCED_DEGREE = { f64: 14, f32: 9 } as const;

/**
 * expm1 on f64x2: x (clamped to [-40, 710]: e^x - 1 rounds to -1 below, overflows above) = k ln2 + r as in exp,
 * p = e^r - 1 from its series r (1 + r (1/2 + r (1/6 + ...))), then e^x - 1 = 2^k p + (2^k - 1) computed as
 * 2 (h p + (h - 1/2)) with h = 2^(k-1) a normal double (k - 1 in [-59, 1023]): the products are exact and the one
 * addition rounds once, so no cancellation is left for any k (k = 0 gives p itself). Lanes with |x| < 2^-54 are x
 * (expm1(x) rounds to x there, ±0 and subnormals included).
 */
export const expm1F64x2: LaneFunction = (f, precision) => {
  const [x, k, r, h] = vectorLocals(f, 4);
  f.emit('local.tee', x);
  splat(f, -40).emit('f64x2.max');
  splat(f, 710).emit('f64x2.min').emit('local.tee', r);
  splat(f, Math.LOG2E).emit('f64x2.mul').emit('f64x2.nearest').emit('local.set', k);
  f.emit('local.get', r).emit('local.get', k);
  splat(f, LN2_HI).emit('f64x2.mul').emit('f64x2.sub').emit('local.get', k);
  splat(f, LN2_LO).emit('f64x2.mul').emit('f64x2.sub').emit('local.set', r);
  // h = 2^(k - 1) from its exponent bits
  f.emit('local.get', k).emit('i32x4.trunc_sat_f64x2_s_zero').emit('i64x2.extend_low_i32x4_s');
  f.emit('i64.const', 1022).emit('i64x2.splat').emit('i64x2.add').emit('i32.const', 52).emit('i64x2.shl');
  f.emit('local.set', h);
  // p = r (1 + r (1/2 + ...))
  const degree = EXPM1_REDUCED_DEGREE[precision];
  splat(f, INVERSE_FACTORIALS[degree]!);
  for (let n = degree - 1; n >= 1; n--) {
    f.emit('local.get', r).emit('f64x2.mul');
    splat(f, INVERSE_FACTORIALS[n]!).emit('f64x2.add');
  }
  f.emit('local.get', r).emit('f64x2.mul');
  // 2 (h p + (h - 1/2))
  f.emit('local.get', h).emit('f64x2.mul').emit('local.get', h);
  splat(f, 0.5).emit('f64x2.sub').emit('f64x2.add');
  splat(f, 2).emit('f64x2.mul');
  identityBelow(f, x, 2 ** -54);
};

/** 1 / (1 + e^-x) on f64x2 (the JS kernel's formula, with the vector exp). */
export const sigmoidF64x2: LaneFunction = (f, precision) => {
  const denominator = f.local('v128');
  f.emit('f64x2.neg');
  expF64x2(f, precision);
  splat(f, 1).emit('f64x2.add').emit('local.set', denominator);
  splat(f, 1).emit('local.get', denominator).emit('f64x2.div');
};

/** Degrees of the expm1 series on [0, 1.1] (tanh's small branch): truncation below 2^-60 and 2^-36 relative. */
const EXPM1_DEGREE = { f64: 19, f32: 13 } as const;
/** Below this |x|, tanh uses expm1 (no cancellation); above, 1 - 2 / (e^2|x| + 1) loses at most a factor 2. */
const TANH_SMALL = 0.55;

/**
 * tanh on f64x2: t = tanh |x|, then x's sign. For |x| < 0.55, t = u / (u + 2) with u = e^2|x| - 1 from its series
 * (all terms positive, so Horner's form is accurate); above, t = 1 - 2 / (e^2|x| + 1), which is 1 once e^2|x|
 * overflows. Each formula runs only when one of the two lanes needs it (a branch on the pair: on x uniform in
 * [-3, 3), two thirds of the pairs skip the series), and the lanes select theirs; NaN stays NaN, tanh(-0) is -0.
 */
export const tanhF64x2: LaneFunction = (f, precision) => {
  const [x, y, small, result] = vectorLocals(f, 4);
  f.emit('local.tee', x).emit('f64x2.abs');
  splat(f, 2).emit('f64x2.mul').emit('local.tee', y);
  // lanes where |x| < TANH_SMALL (2|x| < 2 TANH_SMALL, exactly) take the series (NaN lanes compare false: the
  // large formula keeps them NaN)
  splat(f, 2 * TANH_SMALL)
    .emit('f64x2.lt')
    .emit('local.tee', small);
  // the large formula unless both lanes are small
  f.emit('i64x2.all_true').emit('i32.eqz').begin('if');
  f.emit('local.get', y);
  expF64x2(f, precision);
  splat(f, 1).emit('f64x2.add').emit('local.set', result);
  splat(f, 1);
  splat(f, 2).emit('local.get', result).emit('f64x2.div').emit('f64x2.sub').emit('local.set', result);
  f.emit('end');
  // the series if a lane is small
  f.emit('local.get', small).emit('v128.any_true').begin('if');
  tanhSeries(f, y, precision);
  f.emit('local.get', result).emit('local.get', small).emit('v128.bitselect').emit('local.set', result);
  f.emit('end');
  // x's sign bit onto the non-negative result
  f.emit('local.get', result).emit('local.get', x);
  splat(f, -0).emit('v128.and').emit('v128.or');
};

/** Pushes u / (u + 2) with u = e^y - 1 from its series (y = 2|x| in the local `y`, below 1.1). */
function tanhSeries(f: FunctionBuilder, y: number, precision: 'f32' | 'f64'): void {
  const u = f.local('v128');
  const degree = EXPM1_DEGREE[precision];
  splat(f, INVERSE_FACTORIALS[degree]!);
  for (let n = degree - 1; n >= 1; n--) {
    f.emit('local.get', y).emit('f64x2.mul');
    splat(f, INVERSE_FACTORIALS[n]!).emit('f64x2.add');
  }
  f.emit('local.get', y).emit('f64x2.mul').emit('local.tee', u);
  f.emit('local.get', u);
  splat(f, 2).emit('f64x2.add').emit('f64x2.div');
}

const LOW_HALF = [0, 1, 2, 3, 4, 5, 6, 7];
/** [f32x4 x] -> [f32x4 g(x)]: each pair of lanes through f64x2, rounded once to f32. */
export function f32x4ViaF64(f: FunctionBuilder, g: LaneFunction): void {
  const x = f.local('v128');
  const low = f.local('v128');
  f.emit('local.tee', x).emit('f64x2.promote_low_f32x4');
  g(f, 'f32');
  f.emit('f32x4.demote_f64x2_zero').emit('local.set', low);
  // lanes 2 and 3 moved down to 0 and 1
  f.emit('local.get', x)
    .emit('local.get', x)
    .emit('i8x16.shuffle', ...LOW_HALF.map((b) => b + 8), ...LOW_HALF);
  f.emit('f64x2.promote_low_f32x4');
  g(f, 'f32');
  f.emit('f32x4.demote_f64x2_zero');
  // low's lanes 0, 1 then the high result's lanes 0, 1
  const combined = [...LOW_HALF, ...LOW_HALF.map((b) => b + 16)];
  f.emit('local.set', x)
    .emit('local.get', low)
    .emit('local.get', x)
    .emit('i8x16.shuffle', ...combined);
}

/** [f64 x] -> [f64 g(x)] and [f32 x] -> [f32 g(x)]: the vector code on one lane, so tails agree with vectors. */
export function scalarViaF64(f: FunctionBuilder, float: 'f32' | 'f64', g: LaneFunction): void {
  if (float === 'f32') f.emit('f64.promote_f32');
  f.emit('f64x2.splat');
  g(f, float);
  f.emit('f64x2.extract_lane', 0);
  if (float === 'f32') f.emit('f32.demote_f64');
}
