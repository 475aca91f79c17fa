/**
 * Vector sin and cos on f64x2 lanes.
 *
 * Range reduction (Cody and Waite, carried in double-double): k = nearest(x 2/pi), and r = x - k pi/2 with pi/2
 * written as four parts C1 + C2 + C3 + C4, the first three of 27 significant bits, so k Ci is exact for
 * k < 2^26: x - k C1 is exact (Sterbenz), the subtractions of k C2 and k C3 keep their rounding errors (Knuth's
 * two-sum), and k C4 joins the low part. r = rh + rl then holds x - k pi/2 to about 2^-100 absolute, far below
 * an ulp of r for the arguments this covers, |x| <= 1e8 (k < 2^26).
 *
 * On |r| <= pi/4: sin r = r + r z P(z) and cos r = 1 - z/2 + z^2 Q(z) (z = r^2; the Taylor series to r^21 and
 * r^20, truncation below 2^-58), with cos's 1 - z/2 rounded in a way that recovers its error (w = 1 - z/2, then
 * ((1 - w) - z/2) is added back). The low part rl enters by the first-order terms: sin(rh + rl) = sin rh + rl cos
 * rh, cos(rh + rl) = cos rh - rl sin rh. The quadrant k mod 4 swaps sin and cos and sets the sign.
 *
 * Beyond |x| = 1e8 (and for ±Inf) lanes take the exact path: the module imports the JS kernel's Math.sin and
 * Math.cos and calls them for those lanes only (a branch that is not taken unless such a lane exists), so huge
 * arguments give the JS kernel's values exactly; a Payne-Hanek reduction in wasm is not written.
 */
import type { FunctionBuilder, FunctionImport } from './encoder.js';
import { identityBelow, INVERSE_FACTORIALS, splat, vectorLocals, type LaneFunction } from './math.js';

/** pi/2 = C1 + C2 + C3 + C4 (scripts/fit-wasm-math.py): three 27-bit parts, then the rest. */
const HALF_PI_PARTS = [1.570796325802803, 9.920935739593517e-10, 5.721188709663575e-18, 1.6446256936324258e-26];
/** Above this |x|, k could reach 2^26 and k C1 would round: such lanes call the exact path. */
export const TRIG_REDUCTION_LIMIT = 1e8;

/** The functions a module using sin or cos imports (`call 0` is sin, `call 1` is cos). */
export const TRIG_IMPORTS: readonly FunctionImport[] = [
  { name: 'sin', params: ['f64'], results: ['f64'] },
  { name: 'cos', params: ['f64'], results: ['f64'] },
];
/** The JavaScript functions behind `TRIG_IMPORTS`, for the instance's `env`. */
export const TRIG_IMPORT_FUNCTIONS = { sin: Math.sin, cos: Math.cos } as const;

/** [] -> []: sets rh, rl (double-double x - k pi/2) and k, from x in the local `x`. */
function reduce(f: FunctionBuilder, x: number, k: number, rh: number, rl: number): void {
  const [a, b, s, e] = vectorLocals(f, 4);
  const [c1, c2, c3, c4] = HALF_PI_PARTS as [number, number, number, number];
  f.emit('local.get', x);
  splat(f, 2 / Math.PI)
    .emit('f64x2.mul')
    .emit('f64x2.nearest')
    .emit('local.set', k);
  f.emit('local.get', x).emit('local.get', k);
  splat(f, c1).emit('f64x2.mul').emit('f64x2.sub').emit('local.set', a);
  // (a, -k C2) and then (s, -k C3) by two-sum, collecting the errors in e
  f.emit('local.get', k);
  splat(f, -c2).emit('f64x2.mul').emit('local.set', b);
  twoSum(f, a, b, s, e);
  f.emit('local.get', k);
  splat(f, -c3).emit('f64x2.mul').emit('local.set', b);
  f.emit('local.get', e).emit('local.set', rl);
  twoSum(f, s, b, a, e);
  // low part: the two errors minus k C4; then renormalized (|a| >= |low|)
  f.emit('local.get', rl).emit('local.get', e).emit('f64x2.add').emit('local.get', k);
  splat(f, c4).emit('f64x2.mul').emit('f64x2.sub').emit('local.set', e);
  f.emit('local.get', a).emit('local.get', e).emit('f64x2.add').emit('local.set', rh);
  f.emit('local.get', e).emit('local.get', rh).emit('local.get', a).emit('f64x2.sub').emit('f64x2.sub');
  f.emit('local.set', rl);
}

/** Knuth's two-sum: sum = fl(p + q) and err = (p + q) - sum exactly, for locals p, q. */
function twoSum(f: FunctionBuilder, p: number, q: number, sum: number, err: number): void {
  const pp = f.local('v128');
  f.emit('local.get', p).emit('local.get', q).emit('f64x2.add').emit('local.tee', sum);
  f.emit('local.get', q).emit('f64x2.sub').emit('local.set', pp);
  // err = (p - pp) + (q - (sum - pp))
  f.emit('local.get', p).emit('local.get', pp).emit('f64x2.sub');
  f.emit('local.get', q).emit('local.get', sum).emit('local.get', pp).emit('f64x2.sub').emit('f64x2.sub');
  f.emit('f64x2.add').emit('local.set', err);
}

/** Sets `sin` and `cos` to sin(rh + rl) and cos(rh + rl) for |rh| <= pi/4. */
function kernels(f: FunctionBuilder, rh: number, rl: number, sin: number, cos: number): void {
  const [z, w] = [f.local('v128'), f.local('v128')];
  f.emit('local.get', rh).emit('local.get', rh).emit('f64x2.mul').emit('local.set', z);
  // sin rh = rh + rh z (-1/6 + z (1/120 - ...)), terms to rh^21
  splat(f, sinCoefficient(10));
  for (let n = 9; n >= 1; n--) {
    f.emit('local.get', z).emit('f64x2.mul');
    splat(f, sinCoefficient(n)).emit('f64x2.add');
  }
  f.emit('local.get', z).emit('f64x2.mul').emit('local.get', rh).emit('f64x2.mul');
  f.emit('local.get', rh).emit('f64x2.add').emit('local.set', sin);
  // cos rh = w + (((1 - w) - z/2) + z^2 (1/24 - z (1/720 - ...))), w = 1 - z/2, terms to rh^20
  splat(f, cosCoefficient(10));
  for (let n = 9; n >= 2; n--) {
    f.emit('local.get', z).emit('f64x2.mul');
    splat(f, cosCoefficient(n)).emit('f64x2.add');
  }
  f.emit('local.get', z).emit('f64x2.mul').emit('local.get', z).emit('f64x2.mul');
  splat(f, 1).emit('local.get', z);
  splat(f, 0.5).emit('f64x2.mul').emit('f64x2.sub').emit('local.set', w);
  splat(f, 1).emit('local.get', w).emit('f64x2.sub').emit('local.get', z);
  splat(f, 0.5).emit('f64x2.mul').emit('f64x2.sub').emit('f64x2.add');
  f.emit('local.get', w).emit('f64x2.add').emit('local.set', cos);
  // the low part: sin += rl cos, cos -= rl sin
  f.emit('local.get', sin).emit('local.get', rl).emit('local.get', cos).emit('f64x2.mul').emit('f64x2.add');
  f.emit('local.get', cos).emit('local.get', rl).emit('local.get', sin).emit('f64x2.mul').emit('f64x2.sub');
  f.emit('local.set', cos).emit('local.set', sin);
}

/** (-1)^n / (2n + 1)!: the coefficient of z^n in sin(r) / r. */
const sinCoefficient = (n: number) => (n % 2 ? -1 : 1) * INVERSE_FACTORIALS[2 * n + 1]!;
/** (-1)^n / (2n)!: the coefficient of z^n in cos(r). */
const cosCoefficient = (n: number) => (n % 2 ? -1 : 1) * INVERSE_FACTORIALS[2 * n]!;

/**
 * [f64x2 x] -> [f64x2 sin x or cos x]. The quadrant q = k mod 4: sin x = (s, c, -s, -c)[q], cos x = (c, -s, -c,
 * s)[q]; the swap is q's bit 0 (moved to a whole-lane mask), the sign q's bit 1 (sin) or (q + 1)'s (cos).
 */
function sinOrCos(f: FunctionBuilder, which: 'sin' | 'cos'): void {
  const [x, k, rh, rl, s, c, q] = vectorLocals(f, 7);
  f.emit('local.set', x);
  reduce(f, x, k, rh, rl);
  kernels(f, rh, rl, s, c);
  f.emit('local.get', k).emit('i32x4.trunc_sat_f64x2_s_zero').emit('i64x2.extend_low_i32x4_s');
  if (which === 'cos') f.emit('i64.const', 1).emit('i64x2.splat').emit('i64x2.add');
  f.emit('local.set', q);
  // c where q's bit 0 is set, else s (for cos, q = k + 1: c where k is even)
  f.emit('local.get', c).emit('local.get', s);
  f.emit('local.get', q).emit('i32.const', 63).emit('i64x2.shl').emit('i32.const', 63).emit('i64x2.shr_s');
  f.emit('v128.bitselect');
  // the sign: bit 1 of q moved to bit 63
  f.emit('local.get', q).emit('i32.const', 62).emit('i64x2.shl');
  splat(f, -0).emit('v128.and').emit('v128.xor');
  if (which === 'sin') identityBelow(f, x, 2 ** -27);
  exactPathBeyondLimit(f, x, which === 'sin' ? 0 : 1);
}

/** [f64x2 v] -> [f64x2 v with the lanes where |x| > the limit replaced by the imported function `call` of x]. */
function exactPathBeyondLimit(f: FunctionBuilder, x: number, call: number): void {
  const v = f.local('v128');
  f.emit('local.set', v);
  f.emit('local.get', x).emit('f64x2.abs');
  splat(f, TRIG_REDUCTION_LIMIT).emit('f64x2.gt').emit('v128.any_true');
  f.begin('if');
  for (const lane of [0, 1]) {
    f.emit('local.get', x).emit('f64x2.extract_lane', lane).emit('f64.abs');
    f.emit('f64.const', TRIG_REDUCTION_LIMIT).emit('f64.gt');
    f.begin('if');
    f.emit('local.get', v).emit('local.get', x).emit('f64x2.extract_lane', lane).emit('call', call);
    f.emit('f64x2.replace_lane', lane).emit('local.set', v);
    f.emit('end');
  }
  f.emit('end');
  f.emit('local.get', v);
}

/** sin x on f64x2 (sin(-0) = -0; ±Inf and NaN give NaN). */
export const sinF64x2: LaneFunction = (f) => sinOrCos(f, 'sin');
/** cos x on f64x2. */
export const cosF64x2: LaneFunction = (f) => sinOrCos(f, 'cos');
