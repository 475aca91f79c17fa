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
 * float32 exp promotes each lane to f64, runs the same code and rounds once to f32 (what `Math.fround(Math.exp(x))`
 * computes in the JS kernel). Measured bounds: test/wasm/math.test.ts.
 */
import type { FunctionBuilder } from './encoder.js';

/** ln 2 in two parts: HI has its low 21 significand bits zero, so k * HI is exact here; HI + LO is ln 2 to ~2^-85. */
const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
/**
 * Polynomial degrees: 13 for float64 (truncation below 2^-57 relative); 9 for float32's lanes, whose f64 result
 * only needs to round to the right float32 (truncation below 2^-36, far under float32's 2^-24).
 */
const DEGREE = { f64: 13, f32: 9 } as const;
/** 1 / n! for n = 0..13. */
const INVERSE_FACTORIALS = Array.from({ length: DEGREE.f64 + 1 }, (_, n) => {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return 1 / f;
});

const splat = (f: FunctionBuilder, c: number) => f.emit('f64.const', c).emit('f64x2.splat');

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

const LOW_HALF = [0, 1, 2, 3, 4, 5, 6, 7];
/** [f32x4 x] -> [f32x4 e^x]: each pair of lanes through f64x2, rounded once to f32. */
export function expF32x4(f: FunctionBuilder): void {
  const x = f.local('v128');
  const low = f.local('v128');
  f.emit('local.tee', x).emit('f64x2.promote_low_f32x4');
  expF64x2(f, 'f32');
  f.emit('f32x4.demote_f64x2_zero').emit('local.set', low);
  // lanes 2 and 3 moved down to 0 and 1
  f.emit('local.get', x)
    .emit('local.get', x)
    .emit('i8x16.shuffle', ...LOW_HALF.map((b) => b + 8), ...LOW_HALF);
  f.emit('f64x2.promote_low_f32x4');
  expF64x2(f, 'f32');
  f.emit('f32x4.demote_f64x2_zero');
  // low's lanes 0, 1 then the high result's lanes 0, 1
  const combined = [...LOW_HALF, ...LOW_HALF.map((b) => b + 16)];
  f.emit('local.set', x)
    .emit('local.get', low)
    .emit('local.get', x)
    .emit('i8x16.shuffle', ...combined);
}

/** [f64 x] -> [f64 e^x] and [f32 x] -> [f32 e^x]: the vector code on one lane, so tails agree with vectors. */
export function expScalar(f: FunctionBuilder, float: 'f32' | 'f64'): void {
  if (float === 'f32') f.emit('f64.promote_f32');
  f.emit('f64x2.splat');
  expF64x2(f, float);
  f.emit('f64x2.extract_lane', 0);
  if (float === 'f32') f.emit('f32.demote_f64');
}
