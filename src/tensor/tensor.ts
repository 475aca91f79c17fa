import { Variable } from '../graph/variable.js';
import type { DimPattern } from '../ops/dimshuffle.js';
import type { DType, IntegralDType, NumericDType, UpgradeToFloat } from '../types/dtype.js';
import type { Axis, MaxRank, MaxRank3, Rank } from '../types/rank.js';
import * as E from './elemwise.js';
import * as Red from './reduce.js';
import type { AxisArg, MeanDType, ReduceOptions, ReducedRank, SumDType, SumOptions, VarOptions } from './reduce.js';
import type { DType2, DType3, Operand, RankOf } from './operand.js';

type Self<D extends DType, R extends Rank> = Tensor<D, R>;
// The `extends infer T` wrappers below make the result display as the plain `Tensor<"int32", 1>` in hovers and errors.
/** The result of a binary op that upcasts. */
export type Binary<A, B> = Tensor<DType2<A, B>, MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
/** The result of a binary op that upgrades to float (true division, arctan2). */
export type BinaryFloat<A, B> = Tensor<UpgradeToFloat<DType2<A, B>>, MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
/** The result of a comparison. */
export type Comparison<A, B> = Tensor<'bool', MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
export type IntegralOperand = Tensor<IntegralDType, Rank> | number | boolean | bigint;
export type NumericOperand = Tensor<NumericDType, Rank> | number | bigint;

/** `dimshuffle` result rank: the pattern's length. */
type PatternRank<P extends DimPattern> = P['length'] extends Rank ? P['length'] : Rank;

/**
 * A symbolic tensor: a graph variable with a dtype `D` and rank `R` known to the type checker, and a fluent
 * builder API (`x.add(y).mul(2).exp()`). Building an expression only builds a graph; `theano.function` compiles
 * and runs it.
 */
export class Tensor<D extends DType = DType, R extends Rank = Rank> extends Variable {
  declare private readonly __brand: void;
  declare readonly __dtype: D;
  declare readonly __rank: R;

  get dtype(): D {
    return this.type.dtype as D;
  }
  get ndim(): R {
    return this.type.ndim as R;
  }
  /** Static shape: known sizes, null where only the run time knows. */
  get staticShape(): readonly (number | null)[] {
    return this.type.shape;
  }

  // arithmetic
  add<B extends Operand>(other: B): Binary<Self<D, R>, B> { return E.add(this, other) as never; }
  sub<B extends NumericOperand>(this: Tensor<NumericDType, R>, other: B): Binary<Self<D, R>, B> { return E.sub(this, other) as never; }
  mul<B extends Operand>(other: B): Binary<Self<D, R>, B> { return E.mul(this, other) as never; }
  /** True division (`/`): integers upgrade to float. */
  div<B extends Operand>(other: B): BinaryFloat<Self<D, R>, B> { return E.div(this, other) as never; }
  /** Floor division (`//`). */
  intDiv<B extends NumericOperand>(this: Tensor<NumericDType, R>, other: B): Binary<Self<D, R>, B> { return E.intDiv(this, other) as never; }
  /** Floor modulo (`%`, the sign of the divisor). */
  mod<B extends NumericOperand>(this: Tensor<NumericDType, R>, other: B): Binary<Self<D, R>, B> { return E.mod(this, other) as never; }
  pow<B extends NumericOperand>(this: Tensor<NumericDType, R>, other: B): Binary<Self<D, R>, B> { return E.pow(this, other) as never; }
  maximum<B extends Operand>(other: B): Binary<Self<D, R>, B> { return E.maximum(this, other) as never; }
  minimum<B extends Operand>(other: B): Binary<Self<D, R>, B> { return E.minimum(this, other) as never; }
  clip<L extends NumericOperand, H extends NumericOperand>(this: Tensor<NumericDType, R>, lo: L, hi: H): Tensor<DType3<Self<D, R>, L, H>, MaxRank3<R, RankOf<L>, RankOf<H>>> {
    return E.clip(this, lo, hi) as never;
  }
  arctan2<B extends NumericOperand>(this: Tensor<NumericDType, R>, other: B): BinaryFloat<Self<D, R>, B> { return E.arctan2(this, other) as never; }
  neg(this: Tensor<NumericDType, R>): Tensor<D, R> { return E.neg(this) as never; }
  abs(this: Tensor<NumericDType, R>): Tensor<D, R> { return E.abs(this) as never; }
  sign(this: Tensor<NumericDType, R>): Tensor<D, R> { return E.sign(this) as never; }
  sqr(this: Tensor<NumericDType, R>): Tensor<D, R> { return E.sqr(this) as never; }

  // float-valued functions (integers upgrade to float)
  exp(): Tensor<UpgradeToFloat<D>, R> { return E.exp(this) as never; }
  exp2(): Tensor<UpgradeToFloat<D>, R> { return E.exp2(this) as never; }
  expm1(): Tensor<UpgradeToFloat<D>, R> { return E.expm1(this) as never; }
  log(): Tensor<UpgradeToFloat<D>, R> { return E.log(this) as never; }
  log2(): Tensor<UpgradeToFloat<D>, R> { return E.log2(this) as never; }
  log10(): Tensor<UpgradeToFloat<D>, R> { return E.log10(this) as never; }
  log1p(): Tensor<UpgradeToFloat<D>, R> { return E.log1p(this) as never; }
  sqrt(): Tensor<UpgradeToFloat<D>, R> { return E.sqrt(this) as never; }
  reciprocal(): Tensor<UpgradeToFloat<D>, R> { return E.reciprocal(this) as never; }
  sin(): Tensor<UpgradeToFloat<D>, R> { return E.sin(this) as never; }
  cos(): Tensor<UpgradeToFloat<D>, R> { return E.cos(this) as never; }
  tan(): Tensor<UpgradeToFloat<D>, R> { return E.tan(this) as never; }
  arcsin(): Tensor<UpgradeToFloat<D>, R> { return E.arcsin(this) as never; }
  arccos(): Tensor<UpgradeToFloat<D>, R> { return E.arccos(this) as never; }
  arctan(): Tensor<UpgradeToFloat<D>, R> { return E.arctan(this) as never; }
  sinh(): Tensor<UpgradeToFloat<D>, R> { return E.sinh(this) as never; }
  cosh(): Tensor<UpgradeToFloat<D>, R> { return E.cosh(this) as never; }
  tanh(): Tensor<UpgradeToFloat<D>, R> { return E.tanh(this) as never; }
  arcsinh(): Tensor<UpgradeToFloat<D>, R> { return E.arcsinh(this) as never; }
  arccosh(): Tensor<UpgradeToFloat<D>, R> { return E.arccosh(this) as never; }
  arctanh(): Tensor<UpgradeToFloat<D>, R> { return E.arctanh(this) as never; }
  floor(): Tensor<UpgradeToFloat<D>, R> { return E.floor(this) as never; }
  ceil(): Tensor<UpgradeToFloat<D>, R> { return E.ceil(this) as never; }
  /** Round half to even. */
  round(): Tensor<UpgradeToFloat<D>, R> { return E.round(this) as never; }
  trunc(): Tensor<UpgradeToFloat<D>, R> { return E.trunc(this) as never; }
  erf(): Tensor<UpgradeToFloat<D>, R> { return E.erf(this) as never; }
  erfc(): Tensor<UpgradeToFloat<D>, R> { return E.erfc(this) as never; }
  sigmoid(): Tensor<UpgradeToFloat<D>, R> { return E.sigmoid(this) as never; }
  softplus(): Tensor<UpgradeToFloat<D>, R> { return E.softplus(this) as never; }

  // comparisons and predicates
  lt<B extends Operand>(other: B): Comparison<Self<D, R>, B> { return E.lt(this, other) as never; }
  gt<B extends Operand>(other: B): Comparison<Self<D, R>, B> { return E.gt(this, other) as never; }
  le<B extends Operand>(other: B): Comparison<Self<D, R>, B> { return E.le(this, other) as never; }
  ge<B extends Operand>(other: B): Comparison<Self<D, R>, B> { return E.ge(this, other) as never; }
  eq<B extends Operand>(other: B): Comparison<Self<D, R>, B> { return E.eq(this, other) as never; }
  neq<B extends Operand>(other: B): Comparison<Self<D, R>, B> { return E.neq(this, other) as never; }
  isnan(): Tensor<'bool', R> { return E.isnan(this) as never; }
  isinf(): Tensor<'bool', R> { return E.isinf(this) as never; }

  // bitwise (logical on bool)
  and<B extends IntegralOperand>(this: Tensor<IntegralDType, R>, other: B): Binary<Self<D, R>, B> { return E.and(this, other) as never; }
  or<B extends IntegralOperand>(this: Tensor<IntegralDType, R>, other: B): Binary<Self<D, R>, B> { return E.or(this, other) as never; }
  xor<B extends IntegralOperand>(this: Tensor<IntegralDType, R>, other: B): Binary<Self<D, R>, B> { return E.xor(this, other) as never; }
  invert(this: Tensor<IntegralDType, R>): Tensor<D, R> { return E.invert(this) as never; }

  /** Converts to another dtype (numpy `astype`: floats truncate toward zero, integers wrap). */
  cast<T extends DType>(dtype: T): Tensor<T, R> { return E.cast(this, dtype) as never; }
  astype<T extends DType>(dtype: T): Tensor<T, R> { return E.cast(this, dtype) as never; }

  /** Permutes axes, adds broadcastable axes ('x') and drops axes known to have length 1. */
  dimshuffle<const P extends DimPattern>(...pattern: P): Tensor<D, PatternRank<P>> { return E.dimshuffle(this, pattern) as never; }
  /** Reverses the axes (`x.T`). */
  transpose(): Tensor<D, R> { return E.transpose(this) as never; }
  get T(): Tensor<D, R> { return E.transpose(this) as never; }

  // reductions: none (all axes), one axis or a list; negative axes count from the end
  sum<const A extends AxisArg<R> = null, K extends boolean = false, T extends DType = SumDType<D>>(axis?: A, options?: SumOptions<K, T>): Tensor<T, ReducedRank<R, A, K>> { return Red.sum(this, axis, options) as never; }
  prod<const A extends AxisArg<R> = null, K extends boolean = false, T extends DType = SumDType<D>>(axis?: A, options?: SumOptions<K, T>): Tensor<T, ReducedRank<R, A, K>> { return Red.prod(this, axis, options) as never; }
  max<const A extends AxisArg<R> = null, K extends boolean = false>(axis?: A, options?: ReduceOptions<K>): Tensor<D, ReducedRank<R, A, K>> { return Red.max(this, axis, options) as never; }
  min<const A extends AxisArg<R> = null, K extends boolean = false>(axis?: A, options?: ReduceOptions<K>): Tensor<D, ReducedRank<R, A, K>> { return Red.min(this, axis, options) as never; }
  mean<const A extends AxisArg<R> = null, K extends boolean = false>(axis?: A, options?: ReduceOptions<K>): Tensor<MeanDType<D>, ReducedRank<R, A, K>> { return Red.mean(this, axis, options) as never; }
  var<const A extends AxisArg<R> = null, K extends boolean = false>(axis?: A, options?: VarOptions<K>): Tensor<MeanDType<D>, ReducedRank<R, A, K>> { return Red.variance(this, axis, options) as never; }
  std<const A extends AxisArg<R> = null, K extends boolean = false>(axis?: A, options?: VarOptions<K>): Tensor<MeanDType<D>, ReducedRank<R, A, K>> { return Red.std(this, axis, options) as never; }
  all<const A extends AxisArg<R> = null, K extends boolean = false>(axis?: A, options?: ReduceOptions<K>): Tensor<'bool', ReducedRank<R, A, K>> { return Red.all(this, axis, options) as never; }
  any<const A extends AxisArg<R> = null, K extends boolean = false>(axis?: A, options?: ReduceOptions<K>): Tensor<'bool', ReducedRank<R, A, K>> { return Red.any(this, axis, options) as never; }
  argmax<const A extends Axis<R> | null = null, K extends boolean = false>(axis?: A, options?: ReduceOptions<K>): Tensor<'int64', ReducedRank<R, A, K>> { return Red.argmax(this, axis, options) as never; }
  argmin<const A extends Axis<R> | null = null, K extends boolean = false>(axis?: A, options?: ReduceOptions<K>): Tensor<'int64', ReducedRank<R, A, K>> { return Red.argmin(this, axis, options) as never; }

  // --- linear algebra methods (src/tensor/linalg.ts) ---

  // --- shape and structure methods (src/tensor/shape.ts) ---

  // --- indexing methods (src/tensor/indexing.ts) ---

  // --- nnet methods (src/tensor/nnet.ts) ---

  /** Names this variable (for printing and error messages) and returns it. */
  named(name: string): this {
    this.name = name;
    return this;
  }

  override toString(): string {
    return this.name ?? `<${this.type}>`;
  }
}
