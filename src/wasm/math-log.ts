/**
 * Vector logarithms on f64x2 lanes: log, log1p, log2, log10 and softplus, around one core.
 *
 * The core writes u = 2^e m with m in [sqrt(2)/2, sqrt(2)) (subnormal u first scaled by 2^54; e from the exponent
 * bits, m by replacing them), then with f = m - 1 and s = f / (2 + f) (|s| <= 0.1716):
 *
 *   log(1 + f) = 2 atanh(s) = f - f^2/2 + s (f^2/2 + R),   R = sum_{k>=1} 2 s^(2k) / (2k + 1)
 *
 * (the series of atanh, all terms positive, truncated below 2^-60 relative), and
 * log u = e ln2_hi + (f - (f^2/2 - (s (f^2/2 + R) + e ln2_lo + c))), where ln2_hi has trailing zero bits so
 * e ln2_hi is exact and c is a correction added where it is smallest (log1p's rounding error of 1 + x). Every step
 * after the reduction adds to a result that is larger than it, so the error stays near one rounding.
 *
 * Special values are selected at the end: log of 0 is -Inf, of a negative number or NaN NaN, of +Inf +Inf.
 */
import type { FunctionBuilder } from './encoder.js';
import { expF64x2, identityBelow, LN2_HI, LN2_LO, splat, vectorLocals, type LaneFunction } from './math.js';

/** Terms of R (the atanh series in s^2): truncation below 2^-60 relative for float64, 2^-40 for float32's lanes. */
const ATANH_TERMS = { f64: 10, f32: 6 } as const;
/** 2^52, whose bit pattern 0x4330... turns a small integer or-ed into its low bits into 2^52 + that integer. */
const TWO_52 = 2 ** 52;
/** The bit pattern 0x000fffffffffffff (the significand field), written as the number with those bits. */
const SIGNIFICAND_BITS = 2 ** -1022 - 2 ** -1074;

/**
 * [] -> [f64x2 log(u) + c/u-scaled correction]: log of the positive finite lanes of the local `u`, with the local
 * `correction` (or none) added to its low part. Other lanes (0, negative, Inf, NaN) hold garbage: see `logSpecials`.
 */
function logCore(f: FunctionBuilder, u: number, correction: number | null, precision: 'f32' | 'f64'): void {
  const [tiny, v, e, big, m, s, z, hfsq] = vectorLocals(f, 8);
  // subnormal lanes scaled by 2^54 first, so the significand is normalized
  f.emit('local.get', u);
  splat(f, 2 ** -1022)
    .emit('f64x2.lt')
    .emit('local.set', tiny);
  f.emit('local.get', u);
  splat(f, 2 ** 54)
    .emit('f64x2.mul')
    .emit('local.get', u)
    .emit('local.get', tiny)
    .emit('v128.bitselect');
  f.emit('local.set', v);
  // e = biased exponent - 1023, as a double (the exponent field or-ed into 2^52's significand)
  f.emit('local.get', v).emit('i32.const', 52).emit('i64x2.shr_u');
  splat(f, TWO_52).emit('v128.or');
  splat(f, TWO_52 + 1023)
    .emit('f64x2.sub')
    .emit('local.set', e);
  // m in [1, 2): the significand with the exponent of 1; above sqrt(2), halved (and e + 1)
  f.emit('local.get', v);
  splat(f, SIGNIFICAND_BITS).emit('v128.and');
  splat(f, 1).emit('v128.or').emit('local.tee', m);
  splat(f, Math.SQRT2).emit('f64x2.gt').emit('local.set', big);
  f.emit('local.get', m);
  splat(f, 0.5).emit('f64x2.mul').emit('local.get', m).emit('local.get', big).emit('v128.bitselect');
  splat(f, 1).emit('f64x2.sub').emit('local.set', m); // m now holds f = m - 1
  f.emit('local.get', e).emit('local.get', big);
  splat(f, 1).emit('v128.and').emit('f64x2.add').emit('local.get', tiny);
  splat(f, -54).emit('v128.and').emit('f64x2.add').emit('local.set', e);
  // s = f / (2 + f), z = s^2, hfsq = f^2 / 2
  f.emit('local.get', m).emit('local.get', m);
  splat(f, 2).emit('f64x2.add').emit('f64x2.div').emit('local.tee', s);
  f.emit('local.get', s).emit('f64x2.mul').emit('local.set', z);
  f.emit('local.get', m).emit('local.get', m).emit('f64x2.mul');
  splat(f, 0.5).emit('f64x2.mul').emit('local.set', hfsq);
  // R = z (2/3 + z (2/5 + ...))
  const terms = ATANH_TERMS[precision];
  splat(f, 2 / (2 * terms + 1));
  for (let k = terms - 1; k >= 1; k--) {
    f.emit('local.get', z).emit('f64x2.mul');
    splat(f, 2 / (2 * k + 1)).emit('f64x2.add');
  }
  f.emit('local.get', z).emit('f64x2.mul');
  // e ln2_hi + (f - (hfsq - (s (hfsq + R) + (e ln2_lo + c))))
  f.emit('local.get', hfsq).emit('f64x2.add').emit('local.get', s).emit('f64x2.mul');
  f.emit('local.get', e);
  splat(f, LN2_LO).emit('f64x2.mul');
  if (correction !== null) f.emit('local.get', correction).emit('f64x2.add');
  f.emit('f64x2.add').emit('local.set', s);
  f.emit('local.get', m).emit('local.get', hfsq).emit('local.get', s).emit('f64x2.sub').emit('f64x2.sub');
  f.emit('local.get', e);
  splat(f, LN2_HI).emit('f64x2.mul').emit('f64x2.add');
}

/**
 * [f64x2 log(u) of the core] -> [f64x2 with the special lanes of u]: log(±0) = -Inf, log(+Inf) = +Inf, log of a
 * negative number or NaN = NaN (sqrt gives +Inf, NaN and NaN there; the zeros are replaced by -Inf).
 */
function logSpecials(f: FunctionBuilder, u: number): void {
  splat(f, -Infinity).emit('local.get', u).emit('f64x2.sqrt');
  f.emit('local.get', u);
  splat(f, 0).emit('f64x2.eq').emit('v128.bitselect');
  // lanes with 0 < u < Inf keep the core's value
  f.emit('local.get', u);
  splat(f, 0).emit('f64x2.gt').emit('local.get', u);
  splat(f, Infinity).emit('f64x2.lt').emit('v128.and').emit('v128.bitselect');
}

/** log x on f64x2. */
export const logF64x2: LaneFunction = (f, precision) => {
  const u = f.local('v128');
  f.emit('local.set', u);
  logCore(f, u, null, precision);
  logSpecials(f, u);
};

/**
 * [] -> [f64x2 log1p(x)] for the lanes where 1 + x is positive and finite, x in the local `x`. u = 1 + x rounds;
 * its error, (1 + x) - u, is exact as x - (u - 1) below u = 2 and as 1 - (u - x) above (Sterbenz), and log(1 + x) =
 * log u + log(1 + err/u) = log u + err/u to far below an ulp. Lanes with |x| < 2^-54 are x itself (log1p(x) rounds
 * to x there; this keeps -0 and the subnormals).
 */
function log1pCore(f: FunctionBuilder, x: number, precision: 'f32' | 'f64'): number {
  const u = f.local('v128');
  const correction = f.local('v128');
  f.emit('local.get', x);
  splat(f, 1).emit('f64x2.add').emit('local.set', u);
  splat(f, 1).emit('local.get', u).emit('local.get', x).emit('f64x2.sub').emit('f64x2.sub');
  f.emit('local.get', x).emit('local.get', u);
  splat(f, 1).emit('f64x2.sub').emit('f64x2.sub');
  f.emit('local.get', u);
  splat(f, 2).emit('f64x2.ge').emit('v128.bitselect');
  f.emit('local.get', u).emit('f64x2.div').emit('local.set', correction);
  logCore(f, u, correction, precision);
  identityBelow(f, x, 2 ** -54);
  return u;
}

/** log1p x on f64x2: log1p(-1) = -Inf, below -1 NaN, log1p(+Inf) = +Inf. */
export const log1pF64x2: LaneFunction = (f, precision) => {
  const x = f.local('v128');
  f.emit('local.set', x);
  const u = log1pCore(f, x, precision);
  logSpecials(f, u);
};

/**
 * softplus x = max(x, 0) + log1p(e^-|x|), the JS kernel's formula, with the vector exp and log1p: e^-|x| is in
 * (0, 1], where log1p has no special lane, and the sum adds a term smaller than ln 2 to max(x, 0) without
 * cancellation. softplus(+Inf) = +Inf, softplus(-Inf) = 0, NaN stays NaN (through max).
 */
export const softplusF64x2: LaneFunction = (f, precision) => {
  const x = f.local('v128');
  const y = f.local('v128');
  f.emit('local.tee', x);
  splat(f, 0).emit('f64x2.max');
  f.emit('local.get', x).emit('f64x2.abs').emit('f64x2.neg');
  expF64x2(f, precision);
  f.emit('local.set', y);
  log1pCore(f, y, precision);
  f.emit('f64x2.add');
};
