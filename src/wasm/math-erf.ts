/**
 * Vector erf on f64x2 lanes, on |x| with x's sign put back (erf is odd):
 *
 * - |x| < 1: erf x = x P(x^2), P of degree 12 in x^2 (a Chebyshev interpolant of erf(sqrt z) / sqrt z on
 *   [0, 1], its error below 2^-60; coefficients from scripts/fit-wasm-math.py);
 * - 1 <= |x|: erf x = 1 - e^(-x^2) Q(t), t = 2 / (2 + x), Q of degree 14 interpolating erfcx = e^(x^2) erfc x
 *   over x in [1, 6] (t in [1/4, 2/3]); |x| is clamped to 6, where erf already rounds to 1 (and ±Inf give ±1).
 *   erfc x <= 0.16 here, so the errors of e^(-x^2) (x^2 rounded once) and of Q shrink by that factor in erf.
 *
 * Both branches are computed and each lane selects one. NaN stays NaN; ±0 and the subnormals keep their value
 * (x P(0) rounds to x).
 */
import type { FunctionBuilder } from './encoder.js';
import { expF64x2, horner, splat, vectorLocals, withSignOf, type LaneFunction } from './math.js';

/** erf(x) / x as a polynomial in x^2 on [0, 1] (lowest first). */
const ERF_SMALL = [
  1.1283791670955126, -0.3761263890318375, 0.11283791670954879, -0.026866170645076792, 0.0052239776248180145,
  -0.000854832698083379, 0.0001205533111164271, -1.4925595266831182e-5, 1.6461000484121368e-6, -1.6350312701054695e-7,
  1.4659775274047436e-8, -1.1372848856791674e-9, 5.957176147748911e-11,
];
/** erfcx(2/t - 2) as a polynomial in s = (t - T_CENTRE) / T_HALF_WIDTH, t in [1/4, 2/3] (lowest first). */
const ERFCX_LARGE = [
  0.2214295402299318, 0.16189356804102537, 0.038560570425181566, 0.0055888162818258785, 0.00019713917776008889,
  -8.079220411804128e-5, -7.340518284999869e-6, 1.979561158209264e-6, 1.6350102372087984e-7, -7.005170205475373e-8,
  -5.926361315281833e-10, 2.622350032514279e-9, -2.634243021000669e-10, -7.290508535165398e-11, 1.8620989806815163e-11,
];
const T_CENTRE = 0.4583333333333333;
const T_HALF_WIDTH = 0.20833333333333334;
/** erf rounds to 1 from about 5.92 on: the large branch's clamp. */
const ERF_SATURATES = 6;

/** erf x on f64x2. */
export const erfF64x2: LaneFunction = (f, precision) => {
  const [x, ax, z, small] = vectorLocals(f, 4);
  f.emit('local.tee', x).emit('f64x2.abs').emit('local.tee', ax);
  f.emit('local.get', ax).emit('f64x2.mul').emit('local.set', z);
  // small: |x| P(x^2)
  horner(f, z, ERF_SMALL);
  f.emit('local.get', ax).emit('f64x2.mul').emit('local.set', small);
  largeBranch(f, ax, precision);
  // lanes below 1 take the small branch; then x's sign
  f.emit('local.set', z).emit('local.get', small).emit('local.get', z).emit('local.get', ax);
  splat(f, 1).emit('f64x2.lt').emit('v128.bitselect');
  withSignOf(f, x);
};

/** [] -> [f64x2 1 - e^(-c^2) Q(2 / (2 + c))], c = min(|x|, 6) from the local `ax`. */
function largeBranch(f: FunctionBuilder, ax: number, precision: 'f32' | 'f64'): void {
  const [c, s] = [f.local('v128'), f.local('v128')];
  f.emit('local.get', ax);
  splat(f, ERF_SATURATES).emit('f64x2.min').emit('local.set', c);
  splat(f, 2);
  splat(f, 2).emit('local.get', c).emit('f64x2.add').emit('f64x2.div');
  splat(f, T_CENTRE).emit('f64x2.sub');
  splat(f, 1 / T_HALF_WIDTH)
    .emit('f64x2.mul')
    .emit('local.set', s);
  splat(f, 1);
  horner(f, s, ERFCX_LARGE);
  f.emit('local.get', c).emit('local.get', c).emit('f64x2.mul').emit('f64x2.neg');
  expF64x2(f, precision);
  f.emit('f64x2.mul').emit('f64x2.sub');
}
