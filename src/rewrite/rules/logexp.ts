/**
 * Logarithms and exponentials: inverse pairs (log(exp(x)), log1p(expm1(x)), ...), log-sum-exp of separate
 * terms and of their differences, log1mexp, and log(erfc(x)) for large x.
 *
 * An inverse pair whose inner function has a restricted domain keeps it: exp(log(x)) is x for x >= 0 and NaN
 * below, as log makes it, so it becomes `switch(x >= 0, x, NaN)` rather than x (PyTensor's nan switch).
 *
 * The rules run after canonicalize, so they accept its forms too: `1 - e^x` as `1 + -e^x`, `a - b` as `a + -b`.
 * The stabilize rules of stabilize.ts come first in the phase, so a form one of them rewrites first (log(1 - u)
 * into log1p(-u), log(1 + u) into log1p(u), e^x - 1 into expm1(x)) is matched here in its rewritten form too.
 */
import type { Variable } from '../../graph/variable.js';
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../types/dtype.js';
import { rule } from '../engine.js';
import type { PhaseRules } from '../pipeline.js';
import { anyOf, constantScalar, is, isOp, match, P, paramsOf, v, type Pattern } from '../pattern.js';
import { sameShape } from '../shape-proofs.js';
import { filled, inDType, isNeutralConstant, negate, parts, scalar } from './helpers.js';

/** A shape-neutral constant equal to `value` (not captured: two 1s need not be one node). */
const k = (value: number): Pattern => is((w) => isNeutralConstant(w, value));
const x = v('x');
const a = v('a');
const b = v('b');
/** 1 - p, as written or as canonicalize leaves it (1 + -p). */
const oneMinus = (p: Pattern): Pattern => anyOf(P.sub(k(1), p), P.add(k(1), P.neg(p)));
/** p - q, as written or as canonicalize leaves it (p + -q). */
const minus = (p: Pattern, q: Pattern): Pattern => anyOf(P.sub(p, q), P.add(p, P.neg(q)));
/** e^x - 1, as written, as canonicalize leaves it, or as stabilize's expm1 rule makes it. */
const expMinusOne = anyOf(P.expm1(x), P.sub(P.exp(x), k(1)), P.add(P.exp(x), k(-1)));
const isExp = (w: Variable) => isOp(w, 'exp');
/** -u^2, as written or as a product by -1. */
const negSquare = anyOf(P.neg(P.sqr(x)), P.mul(P.sqr(x), k(-1)));

// ---------------------------------------------------------------------------------------------------------------
// inverse pairs

/** `value` where `valid`, NaN elsewhere (in `dtype`): an inverse pair keeping its inner function's domain. */
const nanUnless = (valid: Tensor, value: Tensor, dtype: DType): Tensor =>
  T.switch(valid, value, scalar(NaN, dtype)) as Tensor;

// ---------------------------------------------------------------------------------------------------------------
// log-sum-exp of separate terms: log(e^a + e^b + c) = m + log(e^(a - m) + e^(b - m) + e^(log c - m)), m the max

/** At most this many terms are gathered (the walk is repeated on every log of a sum). */
const MAX_TERMS = 16;

/**
 * The exponents t_i of a sum of terms e^(t_i) (a positive constant c is e^(log c)), walking nested additions; null
 * when a term is neither. `dtype` is the float dtype the constants' logarithms take.
 */
function exponents(sum: Variable, dtype: DType): Tensor[] | null {
  const found: Tensor[] = [];
  const stack: Variable[] = [sum];
  while (stack.length > 0) {
    const w = stack.pop()!;
    if (isOp(w, 'add')) stack.push(w.owner!.inputs[1]!, w.owner!.inputs[0]!);
    else if (isOp(w, 'exp')) found.push(w.owner!.inputs[0] as Tensor);
    else if (w.isConstant && (constantScalar(w) ?? 0) > 0 && Number.isFinite(constantScalar(w))) {
      const logC = Math.log(constantScalar(w)!);
      found.push(w.type.ndim === 0 ? scalar(logC, dtype) : filled(w as Tensor, logC, dtype));
    } else return null;
    if (found.length + stack.length > MAX_TERMS) return null;
  }
  return found;
}

/** A shift as `logAddExp` makes it: the elementwise max of the terms, zeroed where infinite. */
function isMaxShift(s: Variable): boolean {
  const m = isOp(s, 'switch') ? s.owner!.inputs[2]! : s;
  return isOp(m, 'maximum');
}

/**
 * sum_i e^(t_i) as e^shift * sum_i e^(t_i - shift), with shift = max_i t_i elementwise: no term overflows and the
 * largest is exactly 1. Where the max is infinite (every term -Infinity, or one +Infinity) the shift is 0, which is
 * exact there (t_i - max would be NaN).
 */
function shiftedSum(exponents: readonly Tensor[], dtype: DType) {
  const floats = exponents.map((t) => inDType(t, dtype));
  const m = floats.reduce((p, q) => T.maximum(p, q) as Tensor);
  const shift = T.switch(T.isinf(m), 0, m) as Tensor;
  const terms = floats.map((t) => T.exp(T.sub(t, shift)) as Tensor);
  return { shift, terms, sum: terms.reduce((p, q) => T.add(p, q) as Tensor) };
}

/** log(sum_i e^(t_i)) = shift + log(sum_i e^(t_i - shift)). */
function logSumOfExps(exponents: readonly Tensor[], dtype: DType): Tensor {
  const { shift, sum } = shiftedSum(exponents, dtype);
  return T.add(shift, T.log(sum)) as Tensor;
}

/**
 * log(sum) (log1p(sum) with `extraOne`, a further term e^0) of a sum of exponentials and positive constants, in
 * its max-shifted form. Null for a single exponential (log_exp takes it), for e^x + 1 (softplus takes it), and for
 * a sum already shifted this way.
 */
function logAddExp(sum: Tensor, matched: Tensor, extraOne: boolean): Tensor | null {
  const dtype = matched.dtype;
  const terms = exponents(sum, dtype);
  if (!terms) return null;
  const exps = terms.filter((t) => !t.isConstant).length;
  if (extraOne) terms.push(scalar(0, dtype));
  const isOne = (t: Tensor) => t.isConstant && constantScalar(t) === 0;
  if (exps === 0 || terms.length < 2 || (terms.length === 2 && terms.some(isOne))) return null;
  const shifts = terms.map((t) => (isOp(t, 'sub') ? t.owner!.inputs[1]! : undefined));
  if (shifts[0] && isMaxShift(shifts[0]) && shifts.every((s) => s === shifts[0])) return null;
  return logSumOfExps(terms, dtype);
}

// ---------------------------------------------------------------------------------------------------------------
// gradient forms: the pullback of log(D) through an exponential term e^x of D is g / D * e^x

/**
 * e^x / D for D a sum of exponentials and positive constants, one of them e^x: e^(x - shift) / sum_i e^(t_i -
 * shift), exact to rounding (e^(x - log D) would carry log D's rounding, relative to log D's size, into the result).
 */
function ratioOverSum(d: Tensor, x: Variable, dtype: DType): Tensor | null {
  const exps = exponents(d, dtype);
  const index = exps ? exps.indexOf(x as Tensor) : -1;
  if (!exps || exps.length < 2 || index < 0) return null;
  const { terms, sum } = shiftedSum(exps, dtype);
  return T.div(terms[index]!, sum) as Tensor;
}

const differenceOfExps = minus(P.exp(a), P.exp(b));
const oneMinusExp = oneMinus(P.exp(a));
/**
 * e^x / D for D = e^a - e^b or 1 - e^a, with x one of a, b: e^a / (e^a - e^b) = 1 + 1 / expm1(a - b),
 * e^b / (e^a - e^b) = 1 / expm1(a - b), e^a / (1 - e^a) = 1 / expm1(0 - a). Each is +Infinity where D is +0, as the
 * quotient as written (-1 / expm1(b - a) would be -Infinity at a = b, and expm1(-a) is -0 at a = +0).
 */
function ratioOverDifference(d: Tensor, x: Variable, dtype: DType): Tensor | null {
  const float = (w: Tensor) => inDType(w, dtype);
  const difference = match(differenceOfExps, d);
  if (difference && (difference.a === x || difference.b === x)) {
    const inverse = T.reciprocal(T.expm1(T.sub(float(difference.a!), float(difference.b!))));
    return (difference.a === x ? T.add(1, inverse) : inverse) as Tensor;
  }
  const oneMinusE = match(oneMinusExp, d);
  if (oneMinusE?.a === x) return T.reciprocal(T.expm1(T.sub(0, float(oneMinusE.a)))) as Tensor;
  return null;
}

/**
 * q * e^x with q = g / D (or 1 / D), through negations and a sum_to_shape whose model has e^x's shape (e^x is then
 * constant along the summed axes): g * ratio(D, x), ratio giving e^x / D stably; null when q is not such a quotient.
 */
function timesExpOverSum(
  q: Tensor,
  e: Tensor,
  ratio: (d: Tensor, x: Variable, dtype: DType) => Tensor | null,
): Tensor | null {
  const { name, inputs } = parts(q);
  if (name === 'neg') {
    const inner = timesExpOverSum(inputs[0]!, e, ratio);
    return inner && negate(inner);
  }
  if (name === 'sum_to_shape') {
    const [summed, like] = inputs as [Tensor, Tensor];
    const inner = sameShape(like, e) ? timesExpOverSum(summed, e, ratio) : null;
    return inner && (T.sumToShape(inner, like) as Tensor);
  }
  const [g, d] = name === 'true_div' ? inputs : name === 'reciprocal' ? [undefined, inputs[0]] : [];
  const r = d ? ratio(d, e.owner!.inputs[0]!, e.dtype) : null;
  if (!r) return null;
  return g ? (T.mul(g, r) as Tensor) : r;
}

/**
 * log(e^a - e^b) = a + log(1 - e^(b - a)) = a + log1mexp(b - a); where b is -Infinity it is a (b - a would be NaN
 * when a is -Infinity too).
 */
function logDiffExp(a: Tensor, b: Tensor, dtype: DType): Tensor {
  const [fa, fb] = [inDType(a, dtype), inDType(b, dtype)];
  return T.switch(T.eq(fb, -Infinity), fa, T.add(fa, T.log1mexp(T.sub(fb, fa)))) as Tensor;
}

// ---------------------------------------------------------------------------------------------------------------
// log(erfc(x)) = log(erfcx(x)) - x^2, and its gradient e^(-x^2) / erfc(x) = 1 / erfcx(x)

/**
 * log(erfc(x)): erfc underflows to 0 beyond x ~ 26.6 (float64), and log(0) is -Infinity, while log(erfcx(x)) - x^2
 * stays finite (erfcx(x) ~ 1/(x sqrt(pi))). For x <= 0 erfc(x) = 1 + erf(-x) lies in [1, 2] and log1p(erf(-x))
 * is exact; there erfcx grows like 2e^(x^2), and subtracting x^2 again would cancel.
 */
function logErfc(x: Tensor, dtype: DType): Tensor {
  const fx = inDType(x, dtype);
  const large = T.sub(T.log(T.erfcx(fx)), T.sqr(fx));
  return T.switch(T.gt(fx, 0), large, T.log1p(T.erf(T.neg(fx)))) as Tensor;
}

// ---------------------------------------------------------------------------------------------------------------
// log(sum(exp(x))) with the summed axes put back by a dimshuffle (a keepdims written by hand)

/** log(dimshuffle(sum(exp(x), axes), pattern)) -> dimshuffle(logsumexp(x, axes), pattern). */
function logsumexpDimshuffled(shuffled: Tensor): Tensor | null {
  const sum = shuffled.owner!.inputs[0]!;
  const { kind, axes, keepdims } = paramsOf(sum, 'reduce');
  if (kind !== 'sum' || axes.length === 0) return null;
  const inner = sum.owner!.inputs[0]!.owner!.inputs[0] as Tensor;
  const lse = T.logsumexp(inner, axes as never, { keepdims }) as Tensor;
  return T.dimshuffle(lse, paramsOf(shuffled, 'dimshuffle').pattern as never) as Tensor;
}

/**
 * The pullback of log(sum(exp(x))) over a dimshuffled x, after canonicalize lifted the dimshuffles to the factors:
 * dimshuffle(g / sum(exp(x)), p) * dimshuffle(exp(x), p). The product moves inside the common dimshuffle
 * (dimshuffle(a, p) * dimshuffle(b, p) = dimshuffle(a * b, p): p permutes, adds length-1 axes and drops only
 * axes of length 1, in both), where stabilize's exp_over_sum_exp cancels it into a softmax.
 */
function productInsideDimshuffle(left: Tensor, right: Tensor): Tensor | null {
  const pattern = paramsOf(left, 'dimshuffle').pattern;
  const other = paramsOf(right, 'dimshuffle').pattern;
  if (pattern.length !== other.length || pattern.some((p, i) => p !== other[i])) return null;
  const [q, e] = [left.owner!.inputs[0] as Tensor, right.owner!.inputs[0] as Tensor];
  const { name, inputs } = parts(q);
  let denominator = name === 'true_div' ? inputs[1] : name === 'reciprocal' ? inputs[0] : undefined;
  if (isOp(denominator, 'dimshuffle')) denominator = denominator!.owner!.inputs[0] as Tensor;
  if (!isOp(denominator, 'reduce') || paramsOf(denominator!, 'reduce').kind !== 'sum') return null;
  if (denominator!.owner!.inputs[0] !== e || q.ndim !== e.ndim) return null;
  return T.dimshuffle(T.mul(q, e), pattern as never) as Tensor;
}

// prettier-ignore
export const LOGEXP_RULES: PhaseRules = {
  canonicalize: [
    rule('log_exp', P.log(P.exp(x)), ({ x }) => x!), // log(exp(x)) -> x
    rule('log_exp', P.log1p(P.expm1(x)), ({ x }) => x!), // log1p(expm1(x)) -> x
    rule('exp_softplus', P.exp(P.softplus(x)), ({ x }, z) => T.add(1, T.exp(inDType(x!, z.dtype))) as Tensor), // exp(softplus(x)) -> 1 + exp(x)
    rule('exp_softplus', P.expm1(P.softplus(x)), ({ x }) => T.exp(x!) as Tensor), // expm1(softplus(x)) -> exp(x)
  ],
  stabilize: [
    rule('log_add_exp', P.log(v('s', (w) => isOp(w, 'add'))), ({ s }, z) => logAddExp(s!, z, false)), // log(e^a + e^b + c) -> m + log(e^(a-m) + e^(b-m) + e^(log c - m)), m = max(a, b, log c)
    rule('log_add_exp', P.log1p(v('s', (w) => isOp(w, 'add'))), ({ s }, z) => logAddExp(s!, z, true)), // log1p(e^a + e^b) -> the same with a term e^0
    rule('logdiffexp', P.log(minus(P.exp(a), P.exp(b))), ({ a, b }, z) => logDiffExp(a!, b!, z.dtype)), // log(exp(a) - exp(b)) -> switch(b == -inf, a, a + log1mexp(b - a))
    rule('logsumexp_dimshuffled', P.log(P.dimshuffle(P.reduce(P.exp(x)))), (_c, z) => logsumexpDimshuffled(z.owner!.inputs[0] as Tensor)), // log(dimshuffle(sum(exp(x)))) -> dimshuffle(logsumexp(x))
    rule('logsumexp_dimshuffled_grad', P.mul(v('l', (w) => isOp(w, 'dimshuffle')), v('r', (w) => isOp(w, 'dimshuffle') && isExp(w.owner!.inputs[0]!))), ({ l, r }) => productInsideDimshuffle(l!, r!)), // dimshuffle(g / sum(exp(x)), p) * dimshuffle(exp(x), p) -> dimshuffle(g / sum(exp(x)) * exp(x), p)
    rule('log1mexp', P.log1p(P.neg(P.exp(x))), ({ x }) => T.log1mexp(x!) as Tensor), // log1p(-exp(x)) -> log1mexp(x)
    rule('log1mexp', P.log(oneMinus(P.exp(x))), ({ x }) => T.log1mexp(x!) as Tensor), // log(1 - exp(x)) -> log1mexp(x)
    rule('log1mexp', P.log(P.neg(expMinusOne)), ({ x }) => T.log1mexp(x!) as Tensor), // log(-expm1(x)), log(-(exp(x) - 1)) -> log1mexp(x)
    rule('log_add_exp_grad', P.mul(v('q'), v('e', isExp)), ({ q, e }) => timesExpOverSum(q!, e!, ratioOverSum)), // g / (e^x + e^y + c) * e^x -> g * e^(x - m) / (e^(x - m) + e^(y - m) + e^(log c - m)), m the max
    rule('log1mexp_grad', P.mul(v('q'), v('e', isExp)), ({ q, e }) => timesExpOverSum(q!, e!, ratioOverDifference)), // g / (e^a - e^b) * e^a -> g * (1 + 1 / expm1(a - b)), * e^b -> g / expm1(a - b); g / (1 - e^x) * e^x -> g / expm1(0 - x)
    rule('log_erfc', P.log(P.erfc(x)), ({ x }, z) => logErfc(x!, z.dtype)), // log(erfc(x)) -> switch(x > 0, log(erfcx(x)) - x^2, log1p(erf(-x)))
    rule('log_erfc_grad', P.mul(P.exp(negSquare), P.true_div(v('g'), P.erfc(x))), ({ g, x }) => T.div(g!, T.erfcx(x!)) as Tensor), // exp(-x^2) * (g / erfc(x)) -> g / erfcx(x)
    rule('log_erfc_grad', P.true_div(P.mul(v('g'), P.exp(negSquare)), P.erfc(x)), ({ g, x }) => T.div(g!, T.erfcx(x!)) as Tensor), // (g * exp(-x^2)) / erfc(x) -> g / erfcx(x)
    rule('log_erfc_grad', P.true_div(P.exp(negSquare), P.erfc(x)), ({ x }) => T.reciprocal(T.erfcx(x!)) as Tensor), // exp(-x^2) / erfc(x) -> 1 / erfcx(x)
  ],
  specialize: [
    rule('exp_log', P.exp(P.log(x)), ({ x }, z) => nanUnless(T.ge(x!, 0), x!, z.dtype)), // exp(log(x)) -> switch(x >= 0, x, nan)
    rule('exp_log', P.expm1(P.log1p(x)), ({ x }, z) => nanUnless(T.ge(x!, -1), x!, z.dtype)), // expm1(log1p(x)) -> switch(x >= -1, x, nan)
    rule('exp_log', P.exp(P.log1p(x)), ({ x }, z) => nanUnless(T.ge(x!, -1), T.add(1, inDType(x!, z.dtype)), z.dtype)), // exp(log1p(x)) -> switch(x >= -1, 1 + x, nan)
    rule('exp_log', P.expm1(P.log(x)), ({ x }, z) => nanUnless(T.ge(x!, 0), T.sub(inDType(x!, z.dtype), 1), z.dtype)), // expm1(log(x)) -> switch(x >= 0, x - 1, nan)
    rule('exp_log', P.exp(P.log1mexp(x)), ({ x }, z) => nanUnless(T.le(x!, 0), T.neg(T.expm1(x!)), z.dtype)), // exp(log1mexp(x)) -> switch(x <= 0, -expm1(x), nan)
    rule('exp_log', P.expm1(P.log1mexp(x)), ({ x }, z) => nanUnless(T.le(x!, 0), T.neg(T.exp(x!)), z.dtype)), // expm1(log1mexp(x)) -> switch(x <= 0, -exp(x), nan)
    rule('exp_log', P.softplus(P.log(x)), ({ x }, z) => nanUnless(T.ge(x!, 0), T.log1p(x!), z.dtype)), // softplus(log(x)) -> switch(x >= 0, log1p(x), nan)
    rule('exp_log', P.log1mexp(P.log(x)), ({ x }, z) => nanUnless(T.ge(x!, 0), T.log1p(T.neg(inDType(x!, z.dtype))), z.dtype)), // log1mexp(log(x)) -> switch(x >= 0, log1p(-x), nan)
    rule('exp_log', P.log1mexp(P.log1mexp(x)), ({ x }, z) => nanUnless(T.le(x!, 0), x!, z.dtype)), // log1mexp(log1mexp(x)) -> switch(x <= 0, x, nan)
  ],
};
