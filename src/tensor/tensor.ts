import { Variable } from '../graph/variable.js';
import type { ArrayLikeInput } from '../runtime/convert.js';
import type { OutputValue } from '../runtime/values.js';
import type { CheckPattern, DimPattern } from '../ops/dimshuffle.js';
import type { BoolToInt8, DType, IntDType, IntegralDType, NumericDType, UpgradeToFloat } from '../types/dtype.js';
import type { Axis, Inc, InsertAxis, MaxRank, MaxRank3, Rank, RankOfShape } from '../types/rank.js';
import * as E from './elemwise.js';
import * as Red from './reduce.js';
import * as Ix from './indexing.js';
import type { AdvancedIndexArg, AdvancedIndexFor, AdvancedRank, BasicIndexArg, FitsRank, IndexedRank, IndexUpdate, PositiveRank, TakeRank } from './indexing.js';
import * as L from './linalg.js';
import * as Sh from './shape.js';
import * as NN from './nnet.js';
import type { AxisArg, MeanDType, ReduceOptions, ReducedRank, SumDType, SumOptions, VarOptions } from './reduce.js';
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
export type Binary<A, B> = Tensor<DType2<A, B>, MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
/** The result of a binary op that upgrades to float (true division, arctan2). */
export type BinaryFloat<A, B> = Tensor<UpgradeToFloat<DType2<A, B>>, MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
/** The result of a comparison. */
export type Comparison<A, B> = Tensor<'bool', MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
export type IntegralOperand = Tensor<IntegralDType, Rank> | number | boolean | bigint;
export type NumericOperand = Tensor<NumericDType, Rank> | number | bigint;
/** What `sub` takes next to an operand of dtype D: anything, but not a bool next to a bool (numpy: use xor). */
export type SubOperand<D extends DType> = D extends 'bool' ? NumericOperand : Operand;
/** `//`, `%`, `**`: the upcast, with bools alone in int8 (numpy). */
export type BinaryArith<A, B> = Tensor<BoolToInt8<DType2<A, B>>, MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;

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
  /** Subtraction; a bool mixed with a number promotes to it, bool - bool does not compile (numpy: use xor). */
  sub<B extends SubOperand<D>>(other: B): Binary<Self<D, R>, B> { return E.sub(this, other as never) as never; }
  mul<B extends Operand>(other: B): Binary<Self<D, R>, B> { return E.mul(this, other) as never; }
  /** True division (`/`): integers upgrade to float. */
  div<B extends Operand>(other: B): BinaryFloat<Self<D, R>, B> { return E.div(this, other) as never; }
  /** Floor division (`//`). */
  intDiv<B extends Operand>(other: B): BinaryArith<Self<D, R>, B> { return E.intDiv(this, other) as never; }
  /** Floor modulo (`%`, the sign of the divisor). */
  mod<B extends Operand>(other: B): BinaryArith<Self<D, R>, B> { return E.mod(this, other) as never; }
  pow<B extends Operand>(other: B): BinaryArith<Self<D, R>, B> { return E.pow(this, other) as never; }
  maximum<B extends Operand>(other: B): Binary<Self<D, R>, B> { return E.maximum(this, other) as never; }
  minimum<B extends Operand>(other: B): Binary<Self<D, R>, B> { return E.minimum(this, other) as never; }
  clip<L extends Operand, H extends Operand>(lo: L, hi: H): Tensor<DType3<Self<D, R>, L, H>, MaxRank3<R, RankOf<L>, RankOf<H>>> {
    return E.clip(this, lo, hi) as never;
  }
  arctan2<B extends Operand>(other: B): BinaryFloat<Self<D, R>, B> { return E.arctan2(this, other) as never; }
  neg(this: Tensor<NumericDType, R>): Tensor<D, R> { return E.neg(this) as never; }
  abs(): Tensor<D, R> { return E.abs(this) as never; }
  sign(this: Tensor<NumericDType, R>): Tensor<D, R> { return E.sign(this) as never; }
  sqr(): Tensor<BoolToInt8<D>, R> { return E.sqr(this) as never; }

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
  /** exp(x^2) erfc(x), finite where erfc underflows: `T.erfcx`. */
  erfcx(): Tensor<UpgradeToFloat<D>, R> { return E.erfcx(this) as never; }
  /** log(1 - exp(x)) without cancellation: `T.log1mexp`. */
  log1mexp(): Tensor<UpgradeToFloat<D>, R> { return E.log1mexp(this) as never; }
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

  /**
   * Permutes axes and adds broadcastable axes ('x'): `m.dimshuffle(1, 0)`, `v.dimshuffle(0, 'x')`. The pattern
   * names each input axis exactly once (the compiler checks a literal pattern); drop length-1 axes with squeeze.
   */
  dimshuffle<const P extends DimPattern>(...pattern: CheckPattern<P, R>): Tensor<D, PatternRank<P>> { return E.dimshuffle(this, pattern as never) as never; }
  /** Reverses the axes (`x.T`). */
  transpose(): Tensor<D, R> { return E.transpose(this) as never; }
  get T(): Tensor<D, R> { return E.transpose(this) as never; }

  // reductions: none (all axes), one axis or a list; negative axes count from the end
  sum<const A extends AxisArg<R> = null, K extends boolean = false, T extends DType = SumDType<D>>(axis?: A, options?: SumOptions<K, T>): Tensor<NoInfer<T>, ReducedRank<R, A, K>> { return Red.sum(this, axis, options) as never; }
  prod<const A extends AxisArg<R> = null, K extends boolean = false, T extends DType = SumDType<D>>(axis?: A, options?: SumOptions<K, T>): Tensor<NoInfer<T>, ReducedRank<R, A, K>> { return Red.prod(this, axis, options) as never; }
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
  /** Theano's dot (`T.dot`): matrix·vector is a vector, vector·vector a scalar, matrix·matrix a matrix; a scalar multiplies. */
  dot<B extends L.DotOperand<Self<D, R>>>(other: B): L.Dot<Self<D, R>, B> { return L.dot(this, other) as never; }
  /** numpy's matmul (`T.matmul`, Python's `a @ b`): batch axes broadcast, 1-D operands are promoted. */
  matmul<DB extends DType, RB extends L.NonScalarRank>(this: Tensor<D, L.NonScalarRank>, other: Tensor<DB, RB>): L.Matmul<D, R, DB, RB> { return L.matmul(this, other) as never; }

  // --- shape and structure methods (src/tensor/shape.ts) ---
  /** The same elements in a new shape; one size may be -1, sizes may be integer scalars: `T.reshape`. */
  reshape<const S extends Sh.ShapeArg>(shape: S): Tensor<D, RankOfShape<S>>;
  /** Reshapes to the sizes held by an integer vector of length `ndim` (`x.reshape(y.shape(), 2)`). */
  reshape<N extends Rank>(shape: Tensor<IntDType, 1>, ndim: N): Tensor<D, N>;
  reshape(shape: Sh.ShapeArg | Tensor<IntDType, 1>, ndim?: Rank): Tensor { return Sh.reshape(this, shape as never, ndim as never); }
  /** Keeps the first ndim-1 axes and collapses the rest (all into a vector by default): `T.flatten`. */
  flatten<N extends Sh.FlattenRank<R> = 1>(ndim?: N): Tensor<D, N> { return Sh.flatten(this, ndim) as never; }
  /** All the elements in a vector (`flatten()`). */
  ravel(): Tensor<D, 1> { return Sh.flatten(this) as never; }
  /** Removes the named axes of length 1 (all axes statically of length 1 when none is named): `T.squeeze`. */
  squeeze<const A extends Axis<R> | readonly Axis<R>[] | undefined = undefined>(axis?: A): Tensor<D, Sh.SqueezedRank<R, A>> { return Sh.squeeze(this, axis) as never; }
  /** Inserts an axis of length 1 at `axis`: `T.expandDims`. */
  expandDims(axis: InsertAxis<R>): Tensor<D, Inc<R>> { return Sh.expandDims(this, axis) as never; }
  /** The run-time shape as an int64 vector (Theano's `x.shape`). */
  shape(): Tensor<'int64', 1>;
  /** The run-time length of axis `axis` as an int64 scalar (Theano's `x.shape[i]`). */
  shape(axis: Axis<R>): Tensor<'int64', 0>;
  shape(axis?: Axis<R>): Tensor { return axis === undefined ? Sh.shape(this) : Sh.shape(this, axis as never); }
  /** Each element repeated along `axis` (the flattened input without one): `T.repeat`. */
  repeat<const A extends Axis<R> | undefined = undefined>(repeats: Sh.Size | Tensor<IntDType, 1>, axis?: A): Tensor<D, Sh.AxisOrFlatRank<R, A>> { return Sh.repeat(this, repeats, axis) as never; }
  /** Running sums along `axis` (of the flattened input without one): `T.cumsum`. */
  cumsum<const A extends Axis<R> | undefined = undefined, T extends DType = SumDType<D>>(axis?: A, options?: Sh.CumulateOptions<T>): Tensor<NoInfer<T>, Sh.AxisOrFlatRank<R, A>> { return Sh.cumsum(this, axis, options) as never; }
  /** Running products along `axis` (of the flattened input without one): `T.cumprod`. */
  cumprod<const A extends Axis<R> | undefined = undefined, T extends DType = SumDType<D>>(axis?: A, options?: Sh.CumulateOptions<T>): Tensor<NoInfer<T>, Sh.AxisOrFlatRank<R, A>> { return Sh.cumprod(this, axis, options) as never; }
  /** `value` broadcast to this tensor's shape (Theano's `x.fill(value)`): `T.fill`. */
  fill<V extends Operand>(value: V): Tensor<ResolveDType<V, D>, MaxRank<R, RankOf<V>>> { return Sh.fill(this, value) as never; }
  /** Zeros of this shape, of this dtype or `dtype`: `T.zerosLike`. */
  zerosLike<T extends DType = D>(dtype?: T): Tensor<NoInfer<T>, R> { return Sh.zerosLike(this, dtype) as never; }
  /** Ones of this shape, of this dtype or `dtype`: `T.onesLike`. */
  onesLike<T extends DType = D>(dtype?: T): Tensor<NoInfer<T>, R> { return Sh.onesLike(this, dtype) as never; }

  // --- indexing methods (src/tensor/indexing.ts) ---
  /**
   * numpy-style indexing: an integer drops its axis, `T.slice(start, stop, step)` keeps it, `T.newaxis` adds one
   * of length 1, missing trailing indices take whole axes; one integer tensor selects rows (numpy `x[idx]`), and
   * several broadcast together (numpy's advanced indexing `x[i, j]`).
   * @example m.get(1); m.get(T.slice(1, 3), -1); v.get(T.newaxis); m.get(T.ivector('idx')); m.get(T.arange(3), y);
   */
  get<const RI extends PositiveRank>(indices: AdvancedIndexFor<R, RI>): Tensor<D, TakeRank<R, RI>>;
  get<const I extends readonly BasicIndexArg[]>(...indices: I & FitsRank<R, I>): Tensor<D, IndexedRank<R, I>>;
  get<const I extends readonly AdvancedIndexArg[]>(...indices: I & FitsRank<R, I>): Tensor<D, AdvancedRank<R, I>>;
  get(...indices: unknown[]): Tensor { return Ix.getItem(this, indices); }
  /** The region for a functional update typed like x: `x.at(0).set(y)`, `x.at(idx).inc(1)` (see `T.setSubtensor`). */
  at<const RI extends PositiveRank>(indices: AdvancedIndexFor<R, RI>): IndexUpdate<D, R>;
  at<const I extends readonly BasicIndexArg[]>(...indices: I & FitsRank<R, I>): IndexUpdate<D, R>;
  at<const I extends readonly AdvancedIndexArg[]>(...indices: I & FitsRank<R, I>): IndexUpdate<D, R>;
  at(...indices: unknown[]): IndexUpdate<D, R> { return new Ix.IndexUpdate(this, indices); }

  // --- nnet methods (src/tensor/nnet.ts) ---
  /** Softmax along `axis` (the last by default), numerically stable: `T.softmax`. */
  softmax(axis?: Axis<R>): Tensor<UpgradeToFloat<D>, R> { return NN.softmax(this, axis) as never; }
  /** `log(softmax(x, axis))` computed directly: `T.logSoftmax`. */
  logSoftmax(axis?: Axis<R>): Tensor<UpgradeToFloat<D>, R> { return NN.logSoftmax(this, axis) as never; }
  /** `max(x, 0)`, or the leaky relu with `alpha`: `T.relu`. */
  relu(alpha?: number): Tensor<UpgradeToFloat<D>, R> { return NN.relu(this, alpha) as never; }

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
    if (!evaluator) throw new Error('eval: import theano-ts from its entry point (index) so that functions can compile');
    return evaluator(this, values) as OutputValue<D, R>;
  }

  /** Names this variable (for printing and error messages) and returns it. */
  named(name: string): this {
    this.name = name;
    return this;
  }

  override toString(): string {
    return this.name ?? `<${this.type}>`;
  }
}
