/**
 * float32 transcendental functions in native f32x4 lanes (four lanes per instruction, twice the f64x2 path's),
 * with float32 polynomials, where that stays within 2 ulp of the correctly rounded float32 result (measured:
 * test/wasm/math.test.ts). The other float32 functions keep the f64 path (`f32x4ViaF64`: promote, compute,
 * round once), which is within 1 ulp.
 *
 * exp (f32x4): x clamped to [-104, 89] (e^x is 0 or +Inf in float32 beyond), x = k ln2 + r with k = nearest(x
 * log2 e), ln2 in two parts (the first of 16 significant bits, so k times it is exact for |k| <= 151), e^r by its
 * Taylor polynomial of degree 7 (truncation below 2^-27 relative on |r| <= ln2/2), then 2^k as two exponent-built
 * factors (each normal), so subnormal results round once.
 *
 * tanh (f32x4): see `tanhF32x4`.
 */
import type { FunctionBuilder } from './encoder.js';
import { INVERSE_FACTORIALS } from './math.js';

/** A function of f32x4 lanes: [f32x4 x] -> [f32x4 g(x)]. */
export type F32LaneFunction = (f: FunctionBuilder) => void;

/** ln 2 = LN2_HI_F32 + LN2_LO_F32: the first part has 16 significant bits; the second is the rest in float32. */
const LN2_HI_F32 = 45426 / 65536;
const LN2_LO_F32 = Math.fround(Math.LN2 - LN2_HI_F32);
const EXP_F32_DEGREE = 7;

const splat32 = (f: FunctionBuilder, c: number) => f.emit('f32.const', c).emit('f32x4.splat');

/** The exponent bits of 2^k for the i32x4 on the stack: (k + 127) << 23 (normal for -126 <= k <= 127). */
function powerOfTwoF32(f: FunctionBuilder): void {
  f.emit('i32.const', 127).emit('i32x4.splat').emit('i32x4.add').emit('i32.const', 23).emit('i32x4.shl');
}

/** e^x on f32x4. */
export const expF32x4: F32LaneFunction = (f) => {
  const [k, r, ki] = [f.local('v128'), f.local('v128'), f.local('v128')];
  splat32(f, -104).emit('f32x4.max');
  splat32(f, 89).emit('f32x4.min').emit('local.tee', r);
  splat32(f, Math.LOG2E).emit('f32x4.mul').emit('f32x4.nearest').emit('local.set', k);
  f.emit('local.get', r).emit('local.get', k);
  splat32(f, LN2_HI_F32).emit('f32x4.mul').emit('f32x4.sub').emit('local.get', k);
  splat32(f, LN2_LO_F32).emit('f32x4.mul').emit('f32x4.sub').emit('local.set', r);
  f.emit('local.get', k).emit('i32x4.trunc_sat_f32x4_s').emit('local.set', ki); // NaN lanes: 0
  splat32(f, INVERSE_FACTORIALS[EXP_F32_DEGREE]!);
  for (let n = EXP_F32_DEGREE - 1; n >= 0; n--) {
    f.emit('local.get', r).emit('f32x4.mul');
    splat32(f, INVERSE_FACTORIALS[n]!).emit('f32x4.add');
  }
  // times 2^(k >> 1), times 2^(k - (k >> 1))
  f.emit('local.get', ki).emit('i32.const', 1).emit('i32x4.shr_s');
  powerOfTwoF32(f);
  f.emit('f32x4.mul');
  f.emit('local.get', ki).emit('local.get', ki).emit('i32.const', 1).emit('i32x4.shr_s').emit('i32x4.sub');
  powerOfTwoF32(f);
  f.emit('f32x4.mul');
};

/**
 * The logistic function on f32x4, with e = e^-|x| (never overflowing): 1 / (1 + e) for x >= 0 and e / (1 + e)
 * below (the JS kernel's 1 / (1 + e^-x) would overflow e^-x in float32 below x = -88.7, where the result is a
 * subnormal float32 still).
 */
export const sigmoidF32x4: F32LaneFunction = (f) => {
  const [x, e, d] = [f.local('v128'), f.local('v128'), f.local('v128')];
  f.emit('local.tee', x).emit('f32x4.abs').emit('f32x4.neg');
  expF32x4(f);
  f.emit('local.tee', e);
  splat32(f, 1).emit('f32x4.add').emit('local.set', d);
  splat32(f, 1).emit('local.get', d).emit('f32x4.div');
  f.emit('local.get', e).emit('local.get', d).emit('f32x4.div');
  f.emit('local.get', x);
  splat32(f, 0).emit('f32x4.ge').emit('v128.bitselect');
};

/** Below this |x|, float32 tanh is x + x^3 P(x^2); above, 1 - 2 / (e^2|x| + 1) (no worse than a factor 2 lost). */
const TANH_SMALL_F32 = 0.625;
/** P on [0, 0.625^2], degree 5 (a Chebyshev interpolant: scripts/fit-wasm-math.py), rounded to float32. */
const TANH_SMALL_POLY = [
  -0.3333333317214036, 0.1333330355691574, -0.053959259577204544, 0.02176891865102821, -0.008343945515839153,
  0.002292744816178142,
].map(Math.fround);

/**
 * tanh on f32x4: t = tanh |x|, then x's sign bit. For |x| < 0.625, t = a + a^3 P(a^2) (a = |x|; the correction is
 * at most a tenth of a, so its rounding errors count a tenth); above, t = 1 - 2 / (e^2a + 1) with the f32x4 exp,
 * which is 1 once e^2a overflows (from a = 44.4; tanh rounds to 1 from a = 9.01). Both are computed and the lanes
 * select one; NaN stays NaN, ±0 and subnormals give themselves (a^3 underflows).
 */
export const tanhF32x4: F32LaneFunction = (f) => {
  const [x, a, z] = [f.local('v128'), f.local('v128'), f.local('v128')];
  // a + a^3 P(a^2), P by Horner's rule in z = a^2
  f.emit('local.tee', x).emit('f32x4.abs').emit('local.tee', a).emit('local.get', a).emit('f32x4.mul');
  f.emit('local.set', z);
  splat32(f, TANH_SMALL_POLY[TANH_SMALL_POLY.length - 1]!);
  for (let i = TANH_SMALL_POLY.length - 2; i >= 0; i--) {
    f.emit('local.get', z).emit('f32x4.mul');
    splat32(f, TANH_SMALL_POLY[i]!).emit('f32x4.add');
  }
  f.emit('local.get', z).emit('f32x4.mul').emit('local.get', a).emit('f32x4.mul');
  f.emit('local.get', a).emit('f32x4.add');
  // 1 - 2 / (e^2a + 1)
  f.emit('local.get', a);
  splat32(f, 2).emit('f32x4.mul');
  expF32x4(f);
  splat32(f, 1).emit('f32x4.add').emit('local.set', z);
  splat32(f, 1);
  splat32(f, 2).emit('local.get', z).emit('f32x4.div').emit('f32x4.sub');
  // the lanes where a < TANH_SMALL_F32 take the first, then x's sign bit
  f.emit('local.get', a);
  splat32(f, TANH_SMALL_F32).emit('f32x4.lt').emit('v128.bitselect');
  f.emit('local.get', x);
  splat32(f, -0).emit('v128.and').emit('v128.or');
};

/** [f32 x] -> [f32 g(x)]: the vector code on one lane, so the scalar tail agrees with the vector loop. */
export function scalarViaF32x4(f: FunctionBuilder, g: F32LaneFunction): void {
  f.emit('f32x4.splat');
  g(f);
  f.emit('f32x4.extract_lane', 0);
}
