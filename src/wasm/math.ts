/**
 * Vectorized transcendental functions written as wasm instructions, for the kernel renderer.
 *
 * exp (f64x2): x is clamped to [-746, 710] (beyond, the result is 0 or +Inf anyway; NaN passes through min/max),
 * reduced as x = k ln2 + r with k = nearest(x / ln2) and |r| <= ln2 / 2, where k ln2 is subtracted in two parts
 * (ln2 with its low 21 significand bits zero, so k times it is exact for |k| < 2^21, then the rest: Cody and Waite's
 * reduction); e^r is the Taylor
 * polynomial (degree 13 for float64, 9 for float32 lanes) in Horner form; and 2^k is applied
 * as two exponent-built factors 2^(k >> 1) and 2^(k - (k >> 1)), each a normal double, so results that overflow
 * become +Inf and results in the subnormal range are rounded once, by the last product.
 *
 * sigmoid is 1 / (1 + e^-x) as the JS kernel writes it; tanh is described at `tanhF64x2`.
 *
 * float32 lanes are promoted to f64, run the same code (with shorter polynomials) and are rounded once to f32 (what
 * `Math.fround(Math.exp(x))` computes in the JS kernel). Measured bounds: test/wasm/math.test.ts.
 */
import type { FunctionBuilder } from './encoder.js';

/** ln 2 in two parts: HI has its low 21 significand bits zero, so k * HI is exact here; HI + LO is ln 2 to ~2^-85. */
export const LN2_HI = 6.9314718036912381649e-1;
export const LN2_LO = 1.90821492927058770002e-10;
/**
 * Polynomial degrees: 13 for float64 (truncation below 2^-57 relative); 9 for float32's lanes, whose f64 result
 * only needs to round to the right float32 (truncation below 2^-36, far under float32's 2^-24).
 */
const DEGREE = { f64: 13, f32: 9 } as const;
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

/** The exponent bits of 2^k for the i64x2 on the stack: (k + 1023) << 52 (a normal double for -1022 <= k <= 1023). */
function powerOfTwo(f: FunctionBuilder): void {
  f.emit('i64.const', 1023).emit('i64x2.splat').emit('i64x2.add').emit('i32.const', 52).emit('i64x2.shl');
}

/** [f64x2 x] -> [f64x2 e^x]; `precision` f32 uses the shorter polynomial (for lanes rounded to f32 next). */
export function expF64x2(f: FunctionBuilder, precision: 'f32' | 'f64' = 'f64'): void {
  const degree = DEGREE[precision];
  const x = f.local('v128');
  const k = f.local('v128');
  const r = f.local('v128');
  const ki = f.local('v128');
  splat(f, -746).emit('f64x2.max');
  splat(f, 710).emit('f64x2.min').emit('local.set', x);
  f.emit('local.get', x);
  splat(f, Math.LOG2E).emit('f64x2.mul').emit('f64x2.nearest').emit('local.set', k);
  // r = x - k HI - k LO
  f.emit('local.get', x).emit('local.get', k);
  splat(f, LN2_HI).emit('f64x2.mul').emit('f64x2.sub').emit('local.get', k);
  splat(f, LN2_LO).emit('f64x2.mul').emit('f64x2.sub').emit('local.set', r);
  // k as i64 lanes (NaN becomes 0: its polynomial is NaN already)
  f.emit('local.get', k).emit('i32x4.trunc_sat_f64x2_s_zero').emit('i64x2.extend_low_i32x4_s').emit('local.set', ki);
  // the polynomial, highest coefficient first
  splat(f, INVERSE_FACTORIALS[degree]!);
  for (let n = degree - 1; n >= 0; n--) {
    f.emit('local.get', r).emit('f64x2.mul');
    splat(f, INVERSE_FACTORIALS[n]!).emit('f64x2.add');
  }
  // times 2^(k >> 1), times 2^(k - (k >> 1))
  f.emit('local.get', ki).emit('i32.const', 1).emit('i64x2.shr_s');
  powerOfTwo(f);
  f.emit('f64x2.mul');
  f.emit('local.get', ki).emit('local.get', ki).emit('i32.const', 1).emit('i64x2.shr_s').emit('i64x2.sub');
  powerOfTwo(f);
  f.emit('f64x2.mul');
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
 * overflows. Both are computed and the lanes select one; NaN stays NaN and tanh(-0) is -0.
 */
export const tanhF64x2: LaneFunction = (f, precision) => {
  const x = f.local('v128');
  const y = f.local('v128');
  const big = f.local('v128');
  const u = f.local('v128');
  f.emit('local.tee', x).emit('f64x2.abs');
  splat(f, 2).emit('f64x2.mul').emit('local.tee', y);
  expF64x2(f, precision);
  splat(f, 1).emit('f64x2.add').emit('local.set', big);
  splat(f, 1);
  splat(f, 2).emit('local.get', big).emit('f64x2.div').emit('f64x2.sub').emit('local.set', big);
  // u = y (1 + y (1/2 + y (1/6 + ...)))
  const degree = EXPM1_DEGREE[precision];
  splat(f, INVERSE_FACTORIALS[degree]!);
  for (let n = degree - 1; n >= 1; n--) {
    f.emit('local.get', y).emit('f64x2.mul');
    splat(f, INVERSE_FACTORIALS[n]!).emit('f64x2.add');
  }
  f.emit('local.get', y).emit('f64x2.mul').emit('local.tee', u);
  f.emit('local.get', u);
  splat(f, 2).emit('f64x2.add').emit('f64x2.div');
  f.emit('local.get', big);
  // lanes where |x| < TANH_SMALL take the series
  f.emit('local.get', x).emit('f64x2.abs');
  splat(f, TANH_SMALL).emit('f64x2.lt').emit('v128.bitselect');
  // x's sign bit onto the non-negative result
  f.emit('local.get', x);
  splat(f, -0).emit('v128.and').emit('v128.or');
};

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
