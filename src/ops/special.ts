/** Special functions the JS Math object lacks, accurate to a few ulps in float64. */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

/** erf by the positive series 2/sqrt(pi) * exp(-x^2) * sum 2^n x^(2n+1) / (1*3*...*(2n+1)): no cancellation. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 0; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * The continued fraction of erfc for x >= 2, without its factor exp(-x^2)/sqrt(pi): erfc(x) is
 * exp(-x^2)/sqrt(pi) / f. Evaluated with the modified Lentz method.
 */
function erfcFraction(x: number): number {
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = d === 0 ? tiny : 1 / d;
    c = x + a / c;
    if (c === 0) c = tiny;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return f;
}

/** erfc for x >= 2. */
function erfcContinuedFraction(x: number): number {
  if (x === Infinity) return 0;
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / erfcFraction(x);
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2) return erfSeries(x);
  const r = 1 - erfcContinuedFraction(ax);
  return x < 0 ? -r : r;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= 2) return erfcContinuedFraction(x);
  if (x <= -2) return 2 - erfcContinuedFraction(-x);
  return 1 - erfSeries(x);
}

/**
 * exp(x^2), with x^2 carried to twice the precision (Dekker's split): exp(x*x) alone has a relative error of
 * x^2 ulps from rounding x*x, 700 ulps near the overflow.
 */
function expOfSquare(x: number): number {
  if (Math.abs(x) > 27) return Math.exp(x * x); // Infinity (and the split of an infinite x would be NaN)
  const split = 134217729 * x; // 2^27 + 1
  const hi = split - (split - x);
  const lo = x - hi;
  const square = x * x;
  const error = hi * hi - square + 2 * hi * lo + lo * lo; // x^2 - square, exactly up to rounding of a tiny term
  return Math.exp(square) * (1 + error);
}

/**
 * The scaled complementary error function erfcx(x) = exp(x^2) erfc(x): finite and smooth where erfc underflows
 * (erfcx(x) ~ 1/(x sqrt(pi)) for large x), so log(erfc(x)) = log(erfcx(x)) - x^2 stays finite. Overflows to
 * Infinity below x ~ -26.6, as 2 exp(x^2) does.
 */
export function erfcx(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 0;
  if (x >= 2) return 1 / (Math.sqrt(Math.PI) * erfcFraction(x));
  return expOfSquare(x) * erfc(x);
}

/**
 * log(1 - exp(x)) for x <= 0 (NaN above 0, -Infinity at 0), without cancellation: near 0, 1 - e^x cancels and
 * -expm1(x) keeps the digits; far below, e^x is tiny and log1p(-e^x) keeps them (Maechler's split at -ln 2).
 */
export function log1mexp(x: number): number {
  return x > -Math.LN2 ? Math.log(-Math.expm1(x)) : Math.log1p(-Math.exp(x));
}

/**
 * The logistic function. 1 / (1 + exp(-x)) is accurate in relative terms for every x (each step adds one
 * rounding), and exp(-x) overflowing to Infinity gives the limit 0; no branch, so fused loops stay fast.
 */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): finite for every finite x. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Round half to even (numpy's `round`). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - Math.trunc(x)) === 0.5 ? 2 * Math.round(x / 2) : r;
}

/**
 * Floor modulo of floats (numpy's `remainder`, Python's `%`): the result has the sign of the divisor. `a % b` in
 * JS is C's fmod (exact, the sign of the dividend); one step moves it into the divisor's sign. x % 0 and inf % y
 * are NaN; a finite x % ±inf is x when the signs agree and ±inf when they do not, as in numpy.
 */
export function floorMod(a: number, b: number): number {
  const r = a % b;
  if (r === 0) return b < 0 ? -0 : 0;
  return r < 0 !== b < 0 ? r + b : r;
}

/**
 * Floor division of floats as numpy's `floor_divide`: the quotient that goes with `floorMod`, so that
 * a == q * b + floorMod(a, b) up to rounding. Math.floor(a / b) is not that: a / b rounds before the floor
 * (1 / 0.1 rounds to exactly 10, while 0.1 fits into 1 only 9 times, remainder 0.0999...), and it is finite
 * where the remainder is NaN (inf // 0.001). Here (a - fmod(a, b)) / b is an integer up to one rounding,
 * stepped down when the remainder changes sign, then rounded to the nearest integer. x // 0 is a / 0.
 */
export function floorDiv(a: number, b: number): number {
  if (b === 0) return a / b;
  const r = a % b;
  let q = (a - r) / b;
  if (r !== 0 && r < 0 !== b < 0) q -= 1;
  if (q === 0) {
    const s = a / b; // the sign of a zero quotient is the sign of the true quotient
    return s < 0 || Object.is(s, -0) ? -0 : 0;
  }
  const f = Math.floor(q);
  return q - f > 0.5 ? f + 1 : f;
}

/** C's `pow` (numpy's): 1 ** y is 1 for every y, NaN included, and (-1) ** ±inf is 1, where Math.pow gives NaN. */
export function pow(a: number, b: number): number {
  const r = Math.pow(a, b);
  if (r === r) return r;
  return a === 1 || (a === -1 && (b === Infinity || b === -Infinity)) ? 1 : r;
}

/** Integer floor division with numpy's convention that division by zero gives 0. */
export function intFloorDiv(a: number, b: number): number {
  return b === 0 ? 0 : Math.floor(a / b);
}
export function intFloorMod(a: number, b: number): number {
  return b === 0 ? 0 : a - Math.floor(a / b) * b;
}

/**
 * Wrapping integer power by squaring (32-bit multiply). numpy refuses a negative integer exponent; we cannot
 * raise in the middle of a loop, so a ** -n is 1 / a**n truncated toward zero: 1 for a = 1, ±1 for a = -1, and
 * 0 otherwise (0 for a = 0 too, as integer division by zero gives 0).
 */
export function intPow(a: number, b: number): number {
  if (b < 0) return negativeIntPow(a, b);
  let result = 1;
  let base = a | 0;
  let e = b;
  while (e > 0) {
    if (e & 1) result = Math.imul(result, base);
    base = Math.imul(base, base);
    e = Math.floor(e / 2);
  }
  return result;
}

export function bigFloorDiv(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}
export function bigFloorMod(a: bigint, b: bigint): bigint {
  if (b === 0n) return 0n;
  const r = a % b;
  return r !== 0n && r < 0n !== b < 0n ? r + b : r;
}
function negativeIntPow(a: number, b: number): number {
  return a === 1 ? 1 : a === -1 ? (b % 2 === 0 ? 1 : -1) : 0;
}
export function bigPow(a: bigint, b: bigint): bigint {
  if (b < 0n) return a === 1n ? 1n : a === -1n ? (b % 2n === 0n ? 1n : -1n) : 0n; // as intPow
  let result = 1n;
  let base = a;
  let e = b;
  while (e > 0n) {
    if (e & 1n) result = BigInt.asIntN(64, result * base);
    base = BigInt.asIntN(64, base * base);
    e >>= 1n;
  }
  return result;
}
