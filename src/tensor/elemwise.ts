/** The elementwise ops as free functions (`T.exp(x)`, `T.add(1, x)`): numbers are accepted in any position. */
import { DIMSHUFFLE, type CheckPattern, type DimPattern } from '../ops/dimshuffle.js';
import { ELEMWISE } from '../ops/elemwise.js';
import type { ScalarOpName } from '../ops/scalar.js';
import { isDType, type BoolToInt8, type DType, type UpgradeToFloat } from '../types/dtype.js';
import type { MaxRank, MaxRank3, Rank } from '../types/rank.js';
import { applyOp, asVariables } from './apply.js';
import type { DType1, DType2, DType3, Operand, RankOf } from './operand.js';
import type { Tensor } from './tensor.js';

type Bin<A, B> = Tensor<DType2<A, B>, MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
type BinFloat<A, B> =
  Tensor<UpgradeToFloat<DType2<A, B>>, MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
type Cmp<A, B> = Tensor<'bool', MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
type Same<A> = Tensor<DType1<A>, RankOf<A>> extends infer T extends Tensor ? T : never;
type BinArith<A, B> =
  Tensor<BoolToInt8<DType2<A, B>>, MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
type SameArith<A> = Tensor<BoolToInt8<DType1<A>>, RankOf<A>> extends infer T extends Tensor ? T : never;
type Float<A> = Tensor<UpgradeToFloat<DType1<A>>, RankOf<A>> extends infer T extends Tensor ? T : never;

function elemwise(name: ScalarOpName, operands: readonly Operand[], dtype?: DType): Tensor {
  return applyOp(ELEMWISE[name], dtype ? { dtype } : {}, asVariables(operands, name))[0]!;
}
const binary =
  (name: ScalarOpName) =>
  <A extends Operand, B extends Operand>(a: A, b: B): Bin<A, B> =>
    elemwise(name, [a, b]) as never;
const binaryFloat =
  (name: ScalarOpName) =>
  <A extends Operand, B extends Operand>(a: A, b: B): BinFloat<A, B> =>
    elemwise(name, [a, b]) as never;
const comparison =
  (name: ScalarOpName) =>
  <A extends Operand, B extends Operand>(a: A, b: B): Cmp<A, B> =>
    elemwise(name, [a, b]) as never;
const binaryArith =
  (name: ScalarOpName) =>
  <A extends Operand, B extends Operand>(a: A, b: B): BinArith<A, B> =>
    elemwise(name, [a, b]) as never;
const same =
  (name: ScalarOpName) =>
  <A extends Operand>(a: A): Same<A> =>
    elemwise(name, [a]) as never;
const float =
  (name: ScalarOpName) =>
  <A extends Operand>(a: A): Float<A> =>
    elemwise(name, [a]) as never;
const predicate =
  (name: ScalarOpName) =>
  <A extends Operand>(a: A): Tensor<'bool', RankOf<A>> =>
    elemwise(name, [a]) as never;

/**
 * Elementwise sum a + b with broadcasting and numpy promotion; a JS number is a weak scalar (Theano `T.add`, numpy `add`).
 * @example T.add(x, y)
 */
export const add = binary('add');
/**
 * Subtraction; a bool mixed with a number promotes to it, bool - bool is an error (numpy: use xor). The method
 * `x.sub(y)` rejects bool - bool at compile time; this function keeps add's signature, so that code choosing
 * `T[name]` among add, sub and mul still type-checks, and rejects it when the graph is built.
 * @example T.sub(x, y)
 */
export const sub = binary('sub');
/**
 * Elementwise product a * b with broadcasting and numpy promotion (Theano `T.mul`, numpy `multiply`).
 * @example T.mul(x, y)
 */
export const mul = binary('mul');
/**
 * True division: `a / b`, integers upgrade to float.
 * @example T.div(x, 2)
 */
export const div = binaryFloat('true_div');
/**
 * True division a / b, integers upgrade to float (the same function as `T.div`, Theano `true_div`).
 * @example T.trueDiv(i, 2)
 */
export const trueDiv = div;
/**
 * Floor division: `a // b`.
 * @example T.intDiv(i, 2)
 */
export const intDiv = binaryArith('int_div');
/**
 * Floor modulo: `a % b` with the sign of `b`.
 * @example T.mod(i, 3)
 */
export const mod = binaryArith('mod');
/**
 * Elementwise power a ** b with numpy promotion; bools alone give int8 (Theano `T.pow`, numpy `power`).
 * @example T.pow(x, y)
 */
export const pow = binaryArith('pow');
/**
 * The elementwise larger of a and b (NaN wins; Theano `T.maximum`, numpy `maximum`).
 * @example T.maximum(x, y)
 */
export const maximum = binary('maximum');
/**
 * The elementwise smaller of a and b (NaN wins; Theano `T.minimum`, numpy `minimum`).
 * @example T.minimum(x, y)
 */
export const minimum = binary('minimum');
/**
 * The elementwise angle of the point (b, a), atan(a / b) in the right quadrant; integers upgrade to float (Theano `T.arctan2`, numpy `arctan2`).
 * @example T.arctan2(x, y)
 */
export const arctan2 = binaryFloat('arctan2');
/**
 * Elementwise bitwise and (logical and on bool; Theano `T.and`, numpy `bitwise_and`).
 * @example T.and(x, y)
 */
export const and = binary('and');
/**
 * Elementwise bitwise or (logical or on bool; Theano `T.or`, numpy `bitwise_or`).
 * @example T.or(x, y)
 */
export const or = binary('or');
/**
 * Elementwise bitwise xor (logical xor on bool; Theano `T.xor`, numpy `bitwise_xor`).
 * @example T.xor(x, y)
 */
export const xor = binary('xor');

/**
 * Elementwise comparison a < b as bool, with broadcasting (Theano `T.lt`, numpy `less`).
 * @example T.lt(x, 0)
 */
export const lt = comparison('lt');
/**
 * Elementwise comparison a > b as bool, with broadcasting (Theano `T.gt`, numpy `greater`).
 * @example T.gt(x, 0)
 */
export const gt = comparison('gt');
/**
 * Elementwise comparison a <= b as bool, with broadcasting (Theano `T.le`, numpy `less_equal`).
 * @example T.le(x, 0)
 */
export const le = comparison('le');
/**
 * Elementwise comparison a >= b as bool, with broadcasting (Theano `T.ge`, numpy `greater_equal`).
 * @example T.ge(x, 0)
 */
export const ge = comparison('ge');
/**
 * Elementwise comparison a == b as bool, with broadcasting (Theano `T.eq`, numpy `equal`).
 * @example T.eq(x, 0)
 */
export const eq = comparison('eq');
/**
 * Elementwise comparison a != b as bool, with broadcasting (Theano `T.neq`, numpy `not_equal`).
 * @example T.neq(x, 0)
 */
export const neq = comparison('neq');

/**
 * Elementwise negation -x (Theano `T.neg`, numpy `negative`).
 * @example T.neg(x)
 */
export const neg = same('neg');
/**
 * Elementwise absolute value |x| (Theano `T.abs`, numpy `abs`).
 * @example T.abs(x)
 */
export const abs = same('abs');
/**
 * Elementwise sign: -1, 0 or 1 (NaN stays NaN; Theano `T.sign`, numpy `sign`).
 * @example T.sign(x)
 */
export const sign = same('sign');
/**
 * Elementwise square x * x; bools give int8 (Theano `T.sqr`, numpy `square`).
 * @example T.sqr(x)
 */
export const sqr = <A extends Operand>(a: A): SameArith<A> => elemwise('sqr', [a]) as never;
/**
 * Elementwise bitwise not (logical not on bool; Theano `T.invert`, numpy `invert`).
 * @example T.invert(x)
 */
export const invert = same('invert');

/**
 * Elementwise e to the power x; integers and bools upgrade to float (Theano `T.exp`, numpy `exp`).
 * @example T.exp(x)
 */
export const exp = float('exp');
/**
 * Elementwise 2 to the power x; integers and bools upgrade to float (Theano `T.exp2`, numpy `exp2`).
 * @example T.exp2(x)
 */
export const exp2 = float('exp2');
/**
 * exp(x) - 1, accurate near 0 elementwise; integers and bools upgrade to float (Theano `T.expm1`, numpy `expm1`).
 * @example T.expm1(x)
 */
export const expm1 = float('expm1');
/**
 * The natural logarithm, elementwise; integers and bools upgrade to float (Theano `T.log`, numpy `log`).
 * @example T.log(x)
 */
export const log = float('log');
/**
 * The base-2 logarithm, elementwise; integers and bools upgrade to float (Theano `T.log2`, numpy `log2`).
 * @example T.log2(x)
 */
export const log2 = float('log2');
/**
 * The base-10 logarithm, elementwise; integers and bools upgrade to float (Theano `T.log10`, numpy `log10`).
 * @example T.log10(x)
 */
export const log10 = float('log10');
/**
 * Elementwise log(1 + x), accurate near 0; integers and bools upgrade to float (Theano `T.log1p`, numpy `log1p`).
 * @example T.log1p(x)
 */
export const log1p = float('log1p');
/**
 * The square root, elementwise; integers and bools upgrade to float (Theano `T.sqrt`, numpy `sqrt`).
 * @example T.sqrt(x)
 */
export const sqrt = float('sqrt');
/**
 * Elementwise 1 / x; integers and bools upgrade to float (Theano `T.inv`, numpy `reciprocal`).
 * @example T.reciprocal(x)
 */
export const reciprocal = float('reciprocal');
/**
 * The sine (radians), elementwise; integers and bools upgrade to float (Theano `T.sin`, numpy `sin`).
 * @example T.sin(x)
 */
export const sin = float('sin');
/**
 * The cosine (radians), elementwise; integers and bools upgrade to float (Theano `T.cos`, numpy `cos`).
 * @example T.cos(x)
 */
export const cos = float('cos');
/**
 * The tangent (radians), elementwise; integers and bools upgrade to float (Theano `T.tan`, numpy `tan`).
 * @example T.tan(x)
 */
export const tan = float('tan');
/**
 * The inverse sine, elementwise; integers and bools upgrade to float (Theano `T.arcsin`, numpy `arcsin`).
 * @example T.arcsin(x)
 */
export const arcsin = float('arcsin');
/**
 * The inverse cosine, elementwise; integers and bools upgrade to float (Theano `T.arccos`, numpy `arccos`).
 * @example T.arccos(x)
 */
export const arccos = float('arccos');
/**
 * The inverse tangent, elementwise; integers and bools upgrade to float (Theano `T.arctan`, numpy `arctan`).
 * @example T.arctan(x)
 */
export const arctan = float('arctan');
/**
 * The hyperbolic sine, elementwise; integers and bools upgrade to float (Theano `T.sinh`, numpy `sinh`).
 * @example T.sinh(x)
 */
export const sinh = float('sinh');
/**
 * The hyperbolic cosine, elementwise; integers and bools upgrade to float (Theano `T.cosh`, numpy `cosh`).
 * @example T.cosh(x)
 */
export const cosh = float('cosh');
/**
 * The hyperbolic tangent, elementwise; integers and bools upgrade to float (Theano `T.tanh`, numpy `tanh`).
 * @example T.tanh(x)
 */
export const tanh = float('tanh');
/**
 * The inverse hyperbolic sine, elementwise; integers and bools upgrade to float (Theano `T.arcsinh`, numpy `arcsinh`).
 * @example T.arcsinh(x)
 */
export const arcsinh = float('arcsinh');
/**
 * The inverse hyperbolic cosine, elementwise; integers and bools upgrade to float (Theano `T.arccosh`, numpy `arccosh`).
 * @example T.arccosh(x)
 */
export const arccosh = float('arccosh');
/**
 * The inverse hyperbolic tangent, elementwise; integers and bools upgrade to float (Theano `T.arctanh`, numpy `arctanh`).
 * @example T.arctanh(x)
 */
export const arctanh = float('arctanh');
/**
 * Rounds down to an integer value, elementwise; integers and bools upgrade to float (Theano `T.floor`, numpy `floor`).
 * @example T.floor(x)
 */
export const floor = float('floor');
/**
 * Rounds up to an integer value, elementwise; integers and bools upgrade to float (Theano `T.ceil`, numpy `ceil`).
 * @example T.ceil(x)
 */
export const ceil = float('ceil');
/**
 * Round half to even, as numpy.
 * @example T.round(x)
 */
export const round = float('round');
/**
 * Rounds toward zero to an integer value, elementwise; integers and bools upgrade to float (Theano `T.trunc`, numpy `trunc`).
 * @example T.trunc(x)
 */
export const trunc = float('trunc');
/**
 * The error function, elementwise; integers and bools upgrade to float (Theano `T.erf`, scipy `special.erf`).
 * @example T.erf(x)
 */
export const erf = float('erf');
/**
 * The complementary error function 1 - erf(x), elementwise; integers and bools upgrade to float (Theano `T.erfc`, scipy `special.erfc`).
 * @example T.erfc(x)
 */
export const erfc = float('erfc');
/**
 * The scaled complementary error function exp(x^2) erfc(x), finite where erfc underflows.
 * @example T.erfcx(x)
 */
export const erfcx = float('erfcx');
/**
 * log(1 - exp(x)), computed without cancellation (x <= 0; NaN above).
 * @example T.log1mexp(x.neg())
 */
export const log1mexp = float('log1mexp');
/**
 * The logistic sigmoid 1 / (1 + exp(-x)), elementwise; integers and bools upgrade to float (Theano `T.nnet.sigmoid`, scipy `special.expit`).
 * @example T.sigmoid(x)
 */
export const sigmoid = float('sigmoid');
/**
 * Elementwise log(1 + exp(x)), without overflow; integers and bools upgrade to float (Theano `T.nnet.softplus`, numpy `logaddexp(0, x)`).
 * @example T.softplus(x)
 */
export const softplus = float('softplus');

/**
 * Whether each element is NaN, as bool (Theano `T.isnan`, numpy `isnan`).
 * @example T.isnan(x)
 */
export const isnan = predicate('isnan');
/**
 * Whether each element is +-Infinity, as bool (Theano `T.isinf`, numpy `isinf`).
 * @example T.isinf(x)
 */
export const isinf = predicate('isinf');

/**
 * Clips `x` into `[lo, hi]`.
 * @example T.clip(x, 0, 1)
 */
export function clip<X extends Operand, L extends Operand, H extends Operand>(
  x: X,
  lo: L,
  hi: H,
): Tensor<DType3<X, L, H>, MaxRank3<RankOf<X>, RankOf<L>, RankOf<H>>> {
  return elemwise('clip', [x, lo, hi]) as never;
}

/**
 * `cond ? a : b` elementwise (numpy `where`), with broadcasting; any non-zero condition counts as true.
 * @example T.switch(x.gt(0), x, 0)
 */
export function switch_<C extends Operand, A extends Operand, B extends Operand>(
  cond: C,
  a: A,
  b: B,
): Tensor<DType2<A, B>, MaxRank3<RankOf<C>, RankOf<A>, RankOf<B>>> {
  return elemwise('switch', [cond, a, b]) as never;
}

/**
 * Converts `x` to `dtype` (numpy `astype`).
 * @example T.cast(x, 'int32')
 */
export function cast<X extends Operand, T extends DType>(x: X, dtype: T): Tensor<T, RankOf<X>> {
  if (!isDType(dtype)) throw new TypeError(`cast: unknown dtype ${String(dtype)}`);
  return elemwise('cast', [x], dtype) as never;
}

/**
 * Permutes axes and adds broadcastable axes ('x'); a literal pattern names each input axis at most once, and an axis left out must have length 1.
 * @example T.dimshuffle(v, [0, 'x'])
 */
export function dimshuffle<D extends DType, R extends Rank, const P extends DimPattern>(
  x: Tensor<D, R>,
  pattern: CheckPattern<P, R>,
): Tensor<D, P['length'] extends Rank ? P['length'] : Rank> {
  return applyOp(DIMSHUFFLE, { pattern: checkPattern(pattern, 'dimshuffle') }, [x])[0] as never;
}

/** A pattern's entries are input axes (integers) or 'x'; a string like '1' is named, not read as axis 1. */
function checkPattern(pattern: unknown, opName: string): (number | 'x')[] {
  if (!Array.isArray(pattern)) {
    throw new TypeError(
      `${opName}: the pattern must be a list of axes and 'x', got ${typeof pattern} ${String(pattern)}`,
    );
  }
  pattern.forEach((p: unknown, k) => {
    if (p === 'x' || (typeof p === 'number' && Number.isInteger(p))) return;
    const what = typeof p === 'string' ? `the string '${p}'` : `${typeof p} ${String(p)}`;
    throw new TypeError(`${opName}: pattern entry ${k} is ${what}; an entry is an input axis (an integer) or 'x'`);
  });
  return [...(pattern as (number | 'x')[])];
}

/** `axes` must be a permutation of 0..ndim-1 (numpy's transpose); negative axes count from the end. */
function checkPermutation(axes: readonly number[], ndim: number): number[] {
  const pattern = checkPattern(axes, 'transpose') as number[];
  const perm = pattern.map((a) => (typeof a === 'number' && a < 0 ? a + ndim : a));
  const sorted = [...perm].sort((a, b) => a - b);
  if (perm.length !== ndim || sorted.some((a, i) => a !== i)) {
    throw new RangeError(
      `transpose: axes [${axes.join(', ')}] are not a permutation of the ${ndim} axes of a rank-${ndim} tensor`,
    );
  }
  return perm;
}

/** What a permutation of the wrong length must also be: nothing is, so `T.transpose(m, [0])` fails. */
export interface TransposeAxesMismatch {
  readonly 'error: transpose takes one axis per axis of the tensor (a permutation of 0..rank-1)': true;
}
/** A list of axes whose length (when the type knows it) is the rank R. */
export type PermutationOf<A extends readonly number[], R extends Rank> = number extends A['length']
  ? unknown
  : A['length'] extends R
    ? unknown
    : TransposeAxesMismatch;

/**
 * Reverses the axes (or permutes them by `axes`, a permutation of `0..rank-1`: numpy's `transpose`).
 * @example T.transpose(m, [1, 0])
 */
export function transpose<D extends DType, R extends Rank, const A extends readonly number[] = readonly number[]>(
  x: Tensor<D, R>,
  axes?: A & NoInfer<PermutationOf<A, R>>,
): Tensor<D, R> {
  const pattern = axes ? checkPermutation(axes, x.ndim) : Array.from({ length: x.ndim }, (_, i) => x.ndim - 1 - i);
  return applyOp(DIMSHUFFLE, { pattern }, [x])[0] as never;
}
