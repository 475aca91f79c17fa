import { Variable } from '../graph/variable.js';
import type { ArrayLikeInput } from '../runtime/convert.js';
import type { OutputValue } from '../runtime/values.js';
import type { CheckPattern, DimPattern } from '../ops/dimshuffle.js';
import type {
  BoolToInt8,
  DType,
  FloatDType,
  IntDType,
  IntegralDType,
  NumericDType,
  Upcast,
  UpgradeToFloat,
} from '../types/dtype.js';
import type { Axis, Inc, InsertAxis, MaxRank, MaxRank3, Rank, RankOfShape } from '../types/rank.js';
import * as E from './elemwise.js';
import * as Red from './reduce.js';
import * as Ix from './indexing.js';
import type { FitsRank, GetRank, IndexArg, IndexUpdate } from './indexing.js';
import * as L from './linalg.js';
import * as Sh from './shape.js';
import * as NN from './nnet.js';
import type {
  AxisArg,
  MeanDType,
  MeanOptions,
  ReduceOptions,
  ReducedRank,
  SumDType,
  SumOptions,
  VarOptions,
} from './reduce.js';
import type { DType2, DType3, Operand, RankOf, ResolveDType } from './operand.js';

type Self<D extends DType, R extends Rank> = Tensor<D, R>;

/** Values for `x.eval`: by variable (a Map or pairs), or by name. */
export type EvalValues =
  | ReadonlyMap<Tensor, ArrayLikeInput>
  | readonly (readonly [Tensor, ArrayLikeInput])[]
  | { readonly [name: string]: ArrayLikeInput };
type Evaluator = (x: Tensor, values: EvalValues | undefined) => unknown;
let evaluator: Evaluator | undefined;
/** Set by `src/compile/eval.ts` (tensor/ may not import compile/). */
export function registerEvaluator(e: Evaluator): void {
  evaluator = e;
}
// The `extends infer T` wrappers below make the result display as the plain `Tensor<"int32", 1>` in hovers and errors.
/** The result of a binary op that upcasts. */
export type Binary<A, B> =
  Tensor<DType2<A, B>, MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
/** The result of a binary op that upgrades to float (true division, arctan2). */
export type BinaryFloat<A, B> =
  Tensor<UpgradeToFloat<DType2<A, B>>, MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
/** The result of a comparison. */
export type Comparison<A, B> = Tensor<'bool', MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
export type IntegralOperand = Tensor<IntegralDType, Rank> | number | boolean | bigint;
export type NumericOperand = Tensor<NumericDType, Rank> | number | bigint;
/** What `sub` takes next to an operand of dtype D: anything, but not a bool next to a bool (numpy: use xor). */
export type SubOperand<D extends DType> = D extends 'bool' ? NumericOperand : Operand;
/** `//`, `%`, `**`: the upcast, with bools alone in int8 (numpy). */
export type BinaryArith<A, B> =
  Tensor<BoolToInt8<DType2<A, B>>, MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;

/** `dimshuffle` result rank: the pattern's length. */
type PatternRank<P extends DimPattern> = P['length'] extends Rank ? P['length'] : Rank;

/**
 * A symbolic tensor: a graph variable with a dtype `D` and rank `R` known to the type checker, and a fluent
 * builder API (`x.add(y).mul(2).exp()`). Building an expression only builds a graph; `theano.function` compiles
 * and runs it.
 *
 * @example
 * const x: Tensor<'float64', 2> = T.dmatrix('x');
 * const y = x.mul(2).exp().sum(1); // Tensor<'float64', 1>
 */
export class Tensor<D extends DType = DType, R extends Rank = Rank> extends Variable {
  declare private readonly __brand: void;
  /** @internal The dtype as a type-level tag (read it with `x.dtype`). */
  declare readonly __dtype: D;
  /** @internal The rank as a type-level tag (read it with `x.ndim`). */
  declare readonly __rank: R;

  /**
   * The element type, also known to the compiler (Theano's `x.dtype`).
   * @example x.dtype // 'float64'
   */
  get dtype(): D {
    return this.type.dtype as D;
  }
  /**
   * The number of axes, also known to the compiler (Theano's `x.ndim`).
   * @example x.ndim // 2
   */
  get ndim(): R {
    return this.type.ndim as R;
  }
  /**
   * Static shape: known sizes, null where only the run time knows.
   * @example T.row().staticShape // [1, null]
   */
  get staticShape(): readonly (number | null)[] {
    return this.type.shape;
  }

  // arithmetic
  /**
   * Elementwise sum this + other with broadcasting and numpy promotion; a JS number is a weak scalar (Theano `T.add`, numpy `add`).
   * @example x.add(y)
   */
  add<B extends Operand>(other: B): Binary<Self<D, R>, B> {
    return E.add(this, other) as never;
  }
  /**
   * Subtraction; a bool mixed with a number promotes to it, bool - bool does not compile (numpy: use xor).
   * @example x.sub(y)
   */
  sub<B extends SubOperand<D>>(other: B): Binary<Self<D, R>, B> {
    return E.sub(this, other as never) as never;
  }
  /**
   * Elementwise product this * other with broadcasting and numpy promotion (Theano `T.mul`, numpy `multiply`).
   * @example x.mul(y)
   */
  mul<B extends Operand>(other: B): Binary<Self<D, R>, B> {
    return E.mul(this, other) as never;
  }
  /**
   * True division (`/`): integers upgrade to float.
   * @example x.div(2)
   */
  div<B extends Operand>(other: B): BinaryFloat<Self<D, R>, B> {
    return E.div(this, other) as never;
  }
  /**
   * Floor division (`//`).
   * @example i.intDiv(2)
   */
  intDiv<B extends Operand>(other: B): BinaryArith<Self<D, R>, B> {
    return E.intDiv(this, other) as never;
  }
  /**
   * Floor modulo (`%`, the sign of the divisor).
   * @example i.mod(3)
   */
  mod<B extends Operand>(other: B): BinaryArith<Self<D, R>, B> {
    return E.mod(this, other) as never;
  }
  /**
   * Elementwise power this ** other with numpy promotion; bools alone give int8 (Theano `T.pow`, numpy `power`).
   * @example x.pow(y)
   */
  pow<B extends Operand>(other: B): BinaryArith<Self<D, R>, B> {
    return E.pow(this, other) as never;
  }
  /**
   * The elementwise larger of this and other (NaN wins; Theano `T.maximum`, numpy `maximum`).
   * @example x.maximum(y)
   */
  maximum<B extends Operand>(other: B): Binary<Self<D, R>, B> {
    return E.maximum(this, other) as never;
  }
  /**
   * The elementwise smaller of this and other (NaN wins; Theano `T.minimum`, numpy `minimum`).
   * @example x.minimum(y)
   */
  minimum<B extends Operand>(other: B): Binary<Self<D, R>, B> {
    return E.minimum(this, other) as never;
  }
  /**
   * Clips into `[lo, hi]` elementwise, with broadcasting and numpy promotion (Theano `T.clip`, numpy `clip`).
   * @example x.clip(0, 1)
   */
  clip<L extends Operand, H extends Operand>(
    lo: L,
    hi: H,
  ): Tensor<DType3<Self<D, R>, L, H>, MaxRank3<R, RankOf<L>, RankOf<H>>> {
    return E.clip(this, lo, hi) as never;
  }
  /**
   * The elementwise angle of the point (other, this), atan(this / other) in the right quadrant; integers upgrade to float (Theano `T.arctan2`, numpy `arctan2`).
   * @example x.arctan2(y)
   */
  arctan2<B extends Operand>(other: B): BinaryFloat<Self<D, R>, B> {
    return E.arctan2(this, other) as never;
  }
  /**
   * Elementwise negation -x (Theano `T.neg`, numpy `negative`).
   * @example x.neg()
   */
  neg(this: Tensor<NumericDType, Rank>): Tensor<D, R> {
    return E.neg(this) as never;
  }
  /**
   * Elementwise absolute value |x| (Theano `T.abs`, numpy `abs`).
   * @example x.abs()
   */
  abs(): Tensor<D, R> {
    return E.abs(this) as never;
  }
  /**
   * Elementwise sign: -1, 0 or 1 (NaN stays NaN; Theano `T.sign`, numpy `sign`).
   * @example x.sign()
   */
  sign(this: Tensor<NumericDType, Rank>): Tensor<D, R> {
    return E.sign(this) as never;
  }
  /**
   * Elementwise square x * x; bools give int8 (Theano `T.sqr`, numpy `square`).
   * @example x.sqr()
   */
  sqr(): Tensor<BoolToInt8<D>, R> {
    return E.sqr(this) as never;
  }

  // float-valued functions (integers upgrade to float)
  /**
   * Elementwise e to the power x; integers and bools upgrade to float (Theano `T.exp`, numpy `exp`).
   * @example x.exp()
   */
  exp(): Tensor<UpgradeToFloat<D>, R> {
    return E.exp(this) as never;
  }
  /**
   * Elementwise 2 to the power x; integers and bools upgrade to float (Theano `T.exp2`, numpy `exp2`).
   * @example x.exp2()
   */
  exp2(): Tensor<UpgradeToFloat<D>, R> {
    return E.exp2(this) as never;
  }
  /**
   * exp(x) - 1, accurate near 0 elementwise; integers and bools upgrade to float (Theano `T.expm1`, numpy `expm1`).
   * @example x.expm1()
   */
  expm1(): Tensor<UpgradeToFloat<D>, R> {
    return E.expm1(this) as never;
  }
  /**
   * The natural logarithm, elementwise; integers and bools upgrade to float (Theano `T.log`, numpy `log`).
   * @example x.log()
   */
  log(): Tensor<UpgradeToFloat<D>, R> {
    return E.log(this) as never;
  }
  /**
   * The base-2 logarithm, elementwise; integers and bools upgrade to float (Theano `T.log2`, numpy `log2`).
   * @example x.log2()
   */
  log2(): Tensor<UpgradeToFloat<D>, R> {
    return E.log2(this) as never;
  }
  /**
   * The base-10 logarithm, elementwise; integers and bools upgrade to float (Theano `T.log10`, numpy `log10`).
   * @example x.log10()
   */
  log10(): Tensor<UpgradeToFloat<D>, R> {
    return E.log10(this) as never;
  }
  /**
   * Elementwise log(1 + x), accurate near 0; integers and bools upgrade to float (Theano `T.log1p`, numpy `log1p`).
   * @example x.log1p()
   */
  log1p(): Tensor<UpgradeToFloat<D>, R> {
    return E.log1p(this) as never;
  }
  /**
   * The square root, elementwise; integers and bools upgrade to float (Theano `T.sqrt`, numpy `sqrt`).
   * @example x.sqrt()
   */
  sqrt(): Tensor<UpgradeToFloat<D>, R> {
    return E.sqrt(this) as never;
  }
  /**
   * Elementwise 1 / x; integers and bools upgrade to float (Theano `T.inv`, numpy `reciprocal`).
   * @example x.reciprocal()
   */
  reciprocal(): Tensor<UpgradeToFloat<D>, R> {
    return E.reciprocal(this) as never;
  }
  /**
   * The sine (radians), elementwise; integers and bools upgrade to float (Theano `T.sin`, numpy `sin`).
   * @example x.sin()
   */
  sin(): Tensor<UpgradeToFloat<D>, R> {
    return E.sin(this) as never;
  }
  /**
   * The cosine (radians), elementwise; integers and bools upgrade to float (Theano `T.cos`, numpy `cos`).
   * @example x.cos()
   */
  cos(): Tensor<UpgradeToFloat<D>, R> {
    return E.cos(this) as never;
  }
  /**
   * The tangent (radians), elementwise; integers and bools upgrade to float (Theano `T.tan`, numpy `tan`).
   * @example x.tan()
   */
  tan(): Tensor<UpgradeToFloat<D>, R> {
    return E.tan(this) as never;
  }
  /**
   * The inverse sine, elementwise; integers and bools upgrade to float (Theano `T.arcsin`, numpy `arcsin`).
   * @example x.arcsin()
   */
  arcsin(): Tensor<UpgradeToFloat<D>, R> {
    return E.arcsin(this) as never;
  }
  /**
   * The inverse cosine, elementwise; integers and bools upgrade to float (Theano `T.arccos`, numpy `arccos`).
   * @example x.arccos()
   */
  arccos(): Tensor<UpgradeToFloat<D>, R> {
    return E.arccos(this) as never;
  }
  /**
   * The inverse tangent, elementwise; integers and bools upgrade to float (Theano `T.arctan`, numpy `arctan`).
   * @example x.arctan()
   */
  arctan(): Tensor<UpgradeToFloat<D>, R> {
    return E.arctan(this) as never;
  }
  /**
   * The hyperbolic sine, elementwise; integers and bools upgrade to float (Theano `T.sinh`, numpy `sinh`).
   * @example x.sinh()
   */
  sinh(): Tensor<UpgradeToFloat<D>, R> {
    return E.sinh(this) as never;
  }
  /**
   * The hyperbolic cosine, elementwise; integers and bools upgrade to float (Theano `T.cosh`, numpy `cosh`).
   * @example x.cosh()
   */
  cosh(): Tensor<UpgradeToFloat<D>, R> {
    return E.cosh(this) as never;
  }
  /**
   * The hyperbolic tangent, elementwise; integers and bools upgrade to float (Theano `T.tanh`, numpy `tanh`).
   * @example x.tanh()
   */
  tanh(): Tensor<UpgradeToFloat<D>, R> {
    return E.tanh(this) as never;
  }
  /**
   * The inverse hyperbolic sine, elementwise; integers and bools upgrade to float (Theano `T.arcsinh`, numpy `arcsinh`).
   * @example x.arcsinh()
   */
  arcsinh(): Tensor<UpgradeToFloat<D>, R> {
    return E.arcsinh(this) as never;
  }
  /**
   * The inverse hyperbolic cosine, elementwise; integers and bools upgrade to float (Theano `T.arccosh`, numpy `arccosh`).
   * @example x.arccosh()
   */
  arccosh(): Tensor<UpgradeToFloat<D>, R> {
    return E.arccosh(this) as never;
  }
  /**
   * The inverse hyperbolic tangent, elementwise; integers and bools upgrade to float (Theano `T.arctanh`, numpy `arctanh`).
   * @example x.arctanh()
   */
  arctanh(): Tensor<UpgradeToFloat<D>, R> {
    return E.arctanh(this) as never;
  }
  /**
   * Rounds down to an integer value, elementwise; integers and bools upgrade to float (Theano `T.floor`, numpy `floor`).
   * @example x.floor()
   */
  floor(): Tensor<UpgradeToFloat<D>, R> {
    return E.floor(this) as never;
  }
  /**
   * Rounds up to an integer value, elementwise; integers and bools upgrade to float (Theano `T.ceil`, numpy `ceil`).
   * @example x.ceil()
   */
  ceil(): Tensor<UpgradeToFloat<D>, R> {
    return E.ceil(this) as never;
  }
  /**
   * Round half to even.
   * @example x.round()
   */
  round(): Tensor<UpgradeToFloat<D>, R> {
    return E.round(this) as never;
  }
  /**
   * Rounds toward zero to an integer value, elementwise; integers and bools upgrade to float (Theano `T.trunc`, numpy `trunc`).
   * @example x.trunc()
   */
  trunc(): Tensor<UpgradeToFloat<D>, R> {
    return E.trunc(this) as never;
  }
  /**
   * The error function, elementwise; integers and bools upgrade to float (Theano `T.erf`, scipy `special.erf`).
   * @example x.erf()
   */
  erf(): Tensor<UpgradeToFloat<D>, R> {
    return E.erf(this) as never;
  }
  /**
   * The complementary error function 1 - erf(x), elementwise; integers and bools upgrade to float (Theano `T.erfc`, scipy `special.erfc`).
   * @example x.erfc()
   */
  erfc(): Tensor<UpgradeToFloat<D>, R> {
    return E.erfc(this) as never;
  }
  /**
   * exp(x^2) erfc(x), finite where erfc underflows: `T.erfcx`.
   * @example x.erfcx()
   */
  erfcx(): Tensor<UpgradeToFloat<D>, R> {
    return E.erfcx(this) as never;
  }
  /**
   * log(1 - exp(x)) without cancellation: `T.log1mexp`.
   * @example x.neg().log1mexp()
   */
  log1mexp(): Tensor<UpgradeToFloat<D>, R> {
    return E.log1mexp(this) as never;
  }
  /**
   * The logistic sigmoid 1 / (1 + exp(-x)), elementwise; integers and bools upgrade to float (Theano `T.nnet.sigmoid`, scipy `special.expit`).
   * @example x.sigmoid()
   */
  sigmoid(): Tensor<UpgradeToFloat<D>, R> {
    return E.sigmoid(this) as never;
  }
  /**
   * Elementwise log(1 + exp(x)), without overflow; integers and bools upgrade to float (Theano `T.nnet.softplus`, numpy `logaddexp(0, x)`).
   * @example x.softplus()
   */
  softplus(): Tensor<UpgradeToFloat<D>, R> {
    return E.softplus(this) as never;
  }

  // comparisons and predicates
  /**
   * Elementwise comparison this < other as bool, with broadcasting (Theano `T.lt`, numpy `less`).
   * @example x.lt(0)
   */
  lt<B extends Operand>(other: B): Comparison<Self<D, R>, B> {
    return E.lt(this, other) as never;
  }
  /**
   * Elementwise comparison this > other as bool, with broadcasting (Theano `T.gt`, numpy `greater`).
   * @example x.gt(0)
   */
  gt<B extends Operand>(other: B): Comparison<Self<D, R>, B> {
    return E.gt(this, other) as never;
  }
  /**
   * Elementwise comparison this <= other as bool, with broadcasting (Theano `T.le`, numpy `less_equal`).
   * @example x.le(0)
   */
  le<B extends Operand>(other: B): Comparison<Self<D, R>, B> {
    return E.le(this, other) as never;
  }
  /**
   * Elementwise comparison this >= other as bool, with broadcasting (Theano `T.ge`, numpy `greater_equal`).
   * @example x.ge(0)
   */
  ge<B extends Operand>(other: B): Comparison<Self<D, R>, B> {
    return E.ge(this, other) as never;
  }
  /**
   * Elementwise comparison this == other as bool, with broadcasting (Theano `T.eq`, numpy `equal`).
   * @example x.eq(0)
   */
  eq<B extends Operand>(other: B): Comparison<Self<D, R>, B> {
    return E.eq(this, other) as never;
  }
  /**
   * Elementwise comparison this != other as bool, with broadcasting (Theano `T.neq`, numpy `not_equal`).
   * @example x.neq(0)
   */
  neq<B extends Operand>(other: B): Comparison<Self<D, R>, B> {
    return E.neq(this, other) as never;
  }
  /**
   * Whether each element is NaN, as bool (Theano `T.isnan`, numpy `isnan`).
   * @example x.isnan()
   */
  isnan(): Tensor<'bool', R> {
    return E.isnan(this) as never;
  }
  /**
   * Whether each element is +-Infinity, as bool (Theano `T.isinf`, numpy `isinf`).
   * @example x.isinf()
   */
  isinf(): Tensor<'bool', R> {
    return E.isinf(this) as never;
  }

  // bitwise (logical on bool)
  /**
   * Elementwise bitwise and (logical and on bool; Theano `T.and`, numpy `bitwise_and`).
   * @example x.and(y)
   */
  and<B extends IntegralOperand>(this: Tensor<IntegralDType, Rank>, other: B): Binary<Self<D, R>, B> {
    return E.and(this, other) as never;
  }
  /**
   * Elementwise bitwise or (logical or on bool; Theano `T.or`, numpy `bitwise_or`).
   * @example x.or(y)
   */
  or<B extends IntegralOperand>(this: Tensor<IntegralDType, Rank>, other: B): Binary<Self<D, R>, B> {
    return E.or(this, other) as never;
  }
  /**
   * Elementwise bitwise xor (logical xor on bool; Theano `T.xor`, numpy `bitwise_xor`).
   * @example x.xor(y)
   */
  xor<B extends IntegralOperand>(this: Tensor<IntegralDType, Rank>, other: B): Binary<Self<D, R>, B> {
    return E.xor(this, other) as never;
  }
  /**
   * Elementwise bitwise not (logical not on bool; Theano `T.invert`, numpy `invert`).
   * @example x.invert()
   */
  invert(this: Tensor<IntegralDType, Rank>): Tensor<D, R> {
    return E.invert(this) as never;
  }

  /**
   * Converts to another dtype (numpy `astype`: floats truncate toward zero, integers wrap).
   * @example x.cast('float32')
   */
  cast<T extends DType>(dtype: T): Tensor<T, R> {
    return E.cast(this, dtype) as never;
  }
  /**
   * Converts to another dtype, as `cast` (numpy `astype`).
   * @example x.astype('int32')
   */
  astype<T extends DType>(dtype: T): Tensor<T, R> {
    return E.cast(this, dtype) as never;
  }

  /**
   * Permutes axes and adds broadcastable axes ('x'): `m.dimshuffle(1, 0)`, `v.dimshuffle(0, 'x')`. The pattern
   * names each input axis at most once (the compiler checks a literal pattern); an axis left out must have length 1.
   * @example v.dimshuffle(0, 'x')
   */
  dimshuffle<const P extends DimPattern>(...pattern: CheckPattern<P, R>): Tensor<D, PatternRank<P>> {
    return E.dimshuffle(this, pattern as never) as never;
  }
  /**
   * Reverses the axes (`x.T`).
   * @example m.transpose()
   */
  transpose(): Tensor<D, R> {
    return E.transpose(this) as never;
  }
  /**
   * The transpose, axes reversed (Theano and numpy `x.T`).
   * @example m.T
   */
  get T(): Tensor<D, R> {
    return E.transpose(this) as never;
  }

  // reductions: none (all axes), one axis or a list; negative axes count from the end
  /**
   * The sum over all axes, one axis, or a list of axes; ints accumulate in int64 as numpy (`T.sum`).
   * @example m.sum(1)
   */
  sum<const A extends AxisArg<R> = null, K extends boolean = false, T extends DType = SumDType<D>>(
    axis?: A,
    options?: SumOptions<K, T>,
  ): Tensor<NoInfer<T>, ReducedRank<R, A, K>> {
    return Red.sum(this, axis, options) as never;
  }
  /**
   * The product over all axes, one axis, or a list of axes (`T.prod`).
   * @example v.prod()
   */
  prod<const A extends AxisArg<R> = null, K extends boolean = false, T extends DType = SumDType<D>>(
    axis?: A,
    options?: SumOptions<K, T>,
  ): Tensor<NoInfer<T>, ReducedRank<R, A, K>> {
    return Red.prod(this, axis, options) as never;
  }
  /**
   * The largest element over all axes, one axis, or a list of axes (`T.max`).
   * @example m.max(0)
   */
  max<const A extends AxisArg<R> = null, K extends boolean = false>(
    axis?: A,
    options?: ReduceOptions<K>,
  ): Tensor<D, ReducedRank<R, A, K>> {
    return Red.max(this, axis, options) as never;
  }
  /**
   * The smallest element over all axes, one axis, or a list of axes (`T.min`).
   * @example m.min(0)
   */
  min<const A extends AxisArg<R> = null, K extends boolean = false>(
    axis?: A,
    options?: ReduceOptions<K>,
  ): Tensor<D, ReducedRank<R, A, K>> {
    return Red.min(this, axis, options) as never;
  }
  /**
   * The arithmetic mean over all axes, one axis, or a list of axes; integers give float64 (`T.mean`).
   * @example m.mean(0)
   */
  mean<const A extends AxisArg<R> = null, K extends boolean = false, T extends FloatDType = MeanDType<D>>(
    axis?: A,
    options?: MeanOptions<K, T>,
  ): Tensor<NoInfer<T>, ReducedRank<R, A, K>> {
    return Red.mean(this, axis, options) as never;
  }
  /**
   * The variance over the given axes; `ddof` divides by n - ddof (`T.var`).
   * @example m.var(0)
   */
  var<const A extends AxisArg<R> = null, K extends boolean = false>(
    axis?: A,
    options?: VarOptions<K>,
  ): Tensor<MeanDType<D>, ReducedRank<R, A, K>> {
    return Red.variance(this, axis, options) as never;
  }
  /**
   * The standard deviation over the given axes (`T.std`).
   * @example x.std()
   */
  std<const A extends AxisArg<R> = null, K extends boolean = false>(
    axis?: A,
    options?: VarOptions<K>,
  ): Tensor<MeanDType<D>, ReducedRank<R, A, K>> {
    return Red.std(this, axis, options) as never;
  }
  /**
   * Whether every element is non-zero, over all axes or the given ones (`T.all`).
   * @example m.gt(0).all(1)
   */
  all<const A extends AxisArg<R> = null, K extends boolean = false>(
    axis?: A,
    options?: ReduceOptions<K>,
  ): Tensor<'bool', ReducedRank<R, A, K>> {
    return Red.all(this, axis, options) as never;
  }
  /**
   * Whether some element is non-zero, over all axes or the given ones (`T.any`).
   * @example x.isnan().any()
   */
  any<const A extends AxisArg<R> = null, K extends boolean = false>(
    axis?: A,
    options?: ReduceOptions<K>,
  ): Tensor<'bool', ReducedRank<R, A, K>> {
    return Red.any(this, axis, options) as never;
  }
  /**
   * The index of the largest element along `axis` (of the flattened tensor when none), as int64 (`T.argmax`).
   * @example m.argmax(1)
   */
  argmax<const A extends Axis<R> | null = null, K extends boolean = false>(
    axis?: A,
    options?: ReduceOptions<K>,
  ): Tensor<'int64', ReducedRank<R, A, K>> {
    return Red.argmax(this, axis, options) as never;
  }
  /**
   * The index of the smallest element along `axis` (of the flattened tensor when none), as int64 (`T.argmin`).
   * @example m.argmin(1)
   */
  argmin<const A extends Axis<R> | null = null, K extends boolean = false>(
    axis?: A,
    options?: ReduceOptions<K>,
  ): Tensor<'int64', ReducedRank<R, A, K>> {
    return Red.argmin(this, axis, options) as never;
  }

  // --- linear algebra methods (src/tensor/linalg.ts) ---
  /**
   * Theano's dot (`T.dot`): matrix·vector is a vector, vector·vector a scalar, matrix·matrix a matrix; a scalar multiplies.
   * @example x.dot(w)
   */
  dot<B extends Tensor<DType, L.DotPartnerRank<R>>>(other: B): Tensor<Upcast<D, B['dtype']>, L.DotRank<R, B['ndim']>>;
  dot<B extends L.DotOperand<Self<D, R>>>(other: B): L.Dot<Self<D, R>, B>;
  dot(other: Operand): Tensor {
    return L.dot(this, other as never) as never;
  }
  /**
   * numpy's matmul (`T.matmul`, Python's `a @ b`): batch axes broadcast, 1-D operands are promoted.
   * @example a.matmul(b)
   */
  matmul<B extends Tensor<DType, L.NonScalarRank>>(
    this: Tensor<D, L.NonScalarRank>,
    other: B,
  ): L.Matmul<D, R, B['dtype'], B['ndim']> {
    return L.matmul(this, other) as never;
  }

  // --- shape and structure methods (src/tensor/shape.ts) ---
  /**
   * The same elements in a new shape; one size may be -1, sizes may be integer scalars: `T.reshape`.
   * @example v.reshape([2, -1])
   */
  reshape<const S extends Sh.ShapeArg>(shape: S): Tensor<D, RankOfShape<S>>;
  /** Reshapes to the sizes held by an integer vector of length `ndim` (`x.reshape(y.shape(), 2)`). */
  reshape<N extends Rank>(shape: Tensor<IntDType, 1>, ndim: N): Tensor<D, N>;
  reshape(shape: Sh.ShapeArg | Tensor<IntDType, 1>, ndim?: Rank): Tensor {
    return Sh.reshape(this, shape as never, ndim as never);
  }
  /**
   * Keeps the first ndim-1 axes and collapses the rest (all into a vector by default): `T.flatten`.
   * @example t3.flatten(2)
   */
  flatten<N extends Sh.FlattenRank<R> = 1>(ndim?: N): Tensor<D, N> {
    return Sh.flatten(this, ndim) as never;
  }
  /**
   * All the elements in a vector (`flatten()`).
   * @example m.ravel()
   */
  ravel(): Tensor<D, 1> {
    return Sh.flatten(this) as never;
  }
  /**
   * Removes the named axes of length 1 (all axes statically of length 1 when none is named): `T.squeeze`.
   * @example r.squeeze()
   */
  squeeze<const A extends Axis<R> | readonly Axis<R>[] | undefined = undefined>(
    axis?: A,
  ): Tensor<D, Sh.SqueezedRank<R, A>> {
    return Sh.squeeze(this, axis) as never;
  }
  /**
   * Inserts an axis of length 1 at `axis`: `T.expandDims`.
   * @example v.expandDims(0)
   */
  expandDims(axis: InsertAxis<R>): Tensor<D, Inc<R>> {
    return Sh.expandDims(this, axis) as never;
  }
  /**
   * The run-time shape as an int64 vector (Theano's `x.shape`).
   * @example m.shape(0)
   */
  shape(): Tensor<'int64', 1>;
  /** The run-time length of axis `axis` as an int64 scalar (Theano's `x.shape[i]`). */
  shape(axis: Axis<R>): Tensor<'int64', 0>;
  shape(axis?: Axis<R>): Tensor {
    return axis === undefined ? Sh.shape(this) : Sh.shape(this, axis as never);
  }
  /**
   * Each element repeated along `axis` (the flattened input without one): `T.repeat`.
   * @example m.repeat(2, 0)
   */
  repeat<const A extends Axis<R> | undefined = undefined>(
    repeats: Sh.Size | Tensor<IntDType, 1>,
    axis?: A,
  ): Tensor<D, Sh.AxisOrFlatRank<R, A>> {
    return Sh.repeat(this, repeats, axis) as never;
  }
  /**
   * Running sums along `axis` (of the flattened input without one): `T.cumsum`.
   * @example v.cumsum()
   */
  cumsum<const A extends Axis<R> | undefined = undefined, T extends DType = SumDType<D>>(
    axis?: A,
    options?: Sh.CumulateOptions<T>,
  ): Tensor<NoInfer<T>, Sh.AxisOrFlatRank<R, A>> {
    return Sh.cumsum(this, axis, options) as never;
  }
  /**
   * Running products along `axis` (of the flattened input without one): `T.cumprod`.
   * @example m.cumprod(1)
   */
  cumprod<const A extends Axis<R> | undefined = undefined, T extends DType = SumDType<D>>(
    axis?: A,
    options?: Sh.CumulateOptions<T>,
  ): Tensor<NoInfer<T>, Sh.AxisOrFlatRank<R, A>> {
    return Sh.cumprod(this, axis, options) as never;
  }
  /**
   * `value` broadcast to this tensor's shape (Theano's `x.fill(value)`): `T.fill`.
   * @example m.fill(0)
   */
  fill<V extends Operand>(value: V): Tensor<ResolveDType<V, D>, MaxRank<R, RankOf<V>>> {
    return Sh.fill(this, value) as never;
  }
  /**
   * Zeros of this shape, of this dtype or `dtype`: `T.zerosLike`.
   * @example m.zerosLike()
   */
  zerosLike<T extends DType = D>(dtype?: T): Tensor<NoInfer<T>, R> {
    return Sh.zerosLike(this, dtype) as never;
  }
  /**
   * Ones of this shape, of this dtype or `dtype`: `T.onesLike`.
   * @example m.onesLike()
   */
  onesLike<T extends DType = D>(dtype?: T): Tensor<NoInfer<T>, R> {
    return Sh.onesLike(this, dtype) as never;
  }

  // --- indexing methods (src/tensor/indexing.ts) ---
  /**
   * numpy-style indexing: an integer drops its axis, `T.slice(start, stop, step)` keeps it, `T.newaxis` adds one
   * of length 1, missing trailing indices take whole axes; one integer tensor selects rows (numpy `x[idx]`), and
   * several broadcast together (numpy's advanced indexing `x[i, j]`).
   * @example m.get(1); m.get(T.slice(1, 3), -1); v.get(T.newaxis); m.get(T.ivector('idx')); m.get(T.arange(3), y);
   */
  get<const I extends readonly IndexArg[]>(...indices: I & NoInfer<FitsRank<R, I>>): Tensor<D, NoInfer<GetRank<R, I>>>;
  get(...indices: unknown[]): Tensor {
    return Ix.getItem(this, indices);
  }
  /**
   * The region for a functional update typed like x: `x.at(0).set(y)`, `x.at(idx).inc(1)` (see `T.setSubtensor`).
   * @example m.at(0).set(v)
   */
  at<const I extends readonly IndexArg[]>(...indices: I & NoInfer<FitsRank<R, I>>): IndexUpdate<D, R>;
  at(...indices: unknown[]): IndexUpdate<D, R> {
    return new Ix.IndexUpdate(this, indices);
  }

  // --- nnet methods (src/tensor/nnet.ts) ---
  /**
   * Softmax along `axis` (the last by default), numerically stable: `T.softmax`.
   * @example m.softmax()
   */
  softmax(axis?: Axis<R>): Tensor<UpgradeToFloat<D>, R> {
    return NN.softmax(this, axis) as never;
  }
  /**
   * `log(softmax(x, axis))` computed directly: `T.logSoftmax`.
   * @example m.logSoftmax()
   */
  logSoftmax(axis?: Axis<R>): Tensor<UpgradeToFloat<D>, R> {
    return NN.logSoftmax(this, axis) as never;
  }
  /**
   * `max(x, 0)`, or the leaky relu with `alpha`: `T.relu`.
   * @example x.relu()
   */
  relu(alpha?: number): Tensor<UpgradeToFloat<D>, R> {
    return NN.relu(this, alpha) as never;
  }

  /**
   * Computes this expression (Theano's `x.eval({x: value})`), for quick checks: values for the inputs it depends
   * on, by variable (a Map or a list of pairs) or by name (an object); none for a graph of constants and shared
   * variables. A function is compiled on the first call for each set of inputs and kept for the next ones.
   *
   * @example
   * const x = T.dvector('x');
   * x.mul(2).eval({ x: [1, 2] }); // NDArray [2, 4]
   */
  eval(values?: EvalValues): OutputValue<D, R> {
    if (!evaluator)
      throw new Error('eval: import theano-ts from its entry point (index) so that functions can compile');
    return evaluator(this, values) as OutputValue<D, R>;
  }

  /**
   * Names this variable (for printing and error messages) and returns it.
   * @example x.mul(2).named('twice')
   */
  named(name: string): this {
    this.name = name;
    return this;
  }

  /**
   * The name, or the type when the variable has none.
   * @example String(T.dmatrix('x')) // 'x'
   */
  override toString(): string {
    return this.name ?? `<${this.type}>`;
  }
}
