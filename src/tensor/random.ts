/**
 * Random streams (Theano's `RandomStreams`, PyTensor's `RandomStream`): `new RandomStreams(seed)` hands out
 * symbolic draws. Each draw gets its own generator state, a shared variable whose default update is the state
 * after the draw, so every call of a compiled function gives new numbers and `seed(n)` makes runs reproducible.
 */
import type { OpDef } from '../graph/op.js';
import {
  RANDOM_BINOMIAL,
  RANDOM_CHOICE,
  RANDOM_INTEGERS,
  RANDOM_NORMAL,
  RANDOM_PERMUTATION,
  RANDOM_UNIFORM,
  type ChoiceParams,
} from '../ops/random.js';
import type { DimParam } from '../ops/dims.js';
import { toNDArray } from '../runtime/convert.js';
import { isDType, isFloat, isInt, type DType, type FloatDType, type IntDType } from '../types/dtype.js';
import type { MaxRank, Rank, RankOfShape } from '../types/rank.js';
import { applyOp, makeConstant } from './apply.js';
import { getItem } from './indexing.js';
import type { RankOf } from './operand.js';
import { type Size } from './shape.js';
import { SHAPE_I } from '../ops/shape.js';
import { shared, SharedVariable } from './shared.js';
import { Tensor } from './tensor.js';

// ---------------------------------------------------------------------------------------------------- types

/**
 * The size of a draw: a list of sizes (numbers or integer scalars; its length is the rank), one number for a
 * vector, or an integer vector of known length (`x.shape()`).
 */
export type RandomSize = number | readonly Size[] | Tensor<IntDType, 1>;
/** A distribution parameter: a number or a tensor (broadcast against the size, as numpy). */
export type RandomParam = number | Tensor;

/** The rank of a draw of size S (P: the parameters' rank, for a draw without size; Rank when unknown). */
export type SizeRank<S, P extends Rank = 0> = S extends number
  ? 1
  : S extends readonly unknown[]
    ? RankOfShape<S>
    : S extends Tensor
      ? Rank
      : P;
type Field<O, K extends string> = O extends { readonly [P in K]?: infer X } ? X : undefined;
type ParamRank<O, A extends string, B extends string> = MaxRank<RankOf<Field<O, A>>, RankOf<Field<O, B>>>;
type DTypeOption<O, Default extends DType> = O extends { readonly dtype: infer D extends DType } ? D : Default;

export interface UniformOptions {
  /** Lower bound (inclusive), 0 by default. */
  readonly low?: RandomParam;
  /** Upper bound (exclusive), 1 by default. */
  readonly high?: RandomParam;
  readonly dtype?: FloatDType;
}
export interface NormalOptions {
  /** The mean (also `loc`), 0 by default. */
  readonly avg?: RandomParam;
  readonly loc?: RandomParam;
  /** The standard deviation (also `scale`), 1 by default. */
  readonly std?: RandomParam;
  readonly scale?: RandomParam;
  readonly dtype?: FloatDType;
}
export interface BinomialOptions {
  /** Trials per draw, 1 by default. */
  readonly n?: RandomParam;
  /** Success probability, 0.5 by default. */
  readonly p?: RandomParam;
  /** int64 by default (as Theano); any integer or float dtype (a float dropout mask). */
  readonly dtype?: Exclude<DType, 'bool'>;
}
export interface BernoulliOptions {
  readonly p?: RandomParam;
  readonly dtype?: Exclude<DType, 'bool'>;
}
export interface IntegersOptions {
  /** int64 by default. */
  readonly dtype?: IntDType;
}
export interface ChoiceOptions {
  /** With replacement (the default), or each element at most once. */
  readonly replace?: boolean;
  /** One probability per population element (summing to 1); uniform when absent. */
  readonly p?: Tensor | readonly number[];
}

type ChoiceDType<A> = A extends Tensor<infer D, 1> ? D : 'int64';
type PermutationResult<X> =
  X extends Tensor<infer D, infer R> ? (R extends 0 ? Tensor<'int64', 1> : Tensor<D, R>) : Tensor<'int64', 1>;

// ---------------------------------------------------------------------------------------------------- seeding

const MAX_SEED = Number.MAX_SAFE_INTEGER;

function checkSeed(seed: unknown, who: string): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0)
    throw new TypeError(`${who}: the seed must be an integer in [0, 2^53), got ${String(seed)}`);
  return seed;
}

/**
 * The state of stream `index` of a generator seeded with `seed`: the seed is the Philox key (low and high 32
 * bits), the stream index the counter's upper 64 bits, its lower 64 bits start at 0. Streams never overlap: a
 * draw advances only the lower half (2^64 blocks before it could reach the next stream).
 */
export function streamState(seed: number, index: number): Uint32Array {
  return Uint32Array.of(
    seed % 4294967296,
    Math.floor(seed / 4294967296),
    0,
    0,
    index % 4294967296,
    Math.floor(index / 4294967296),
  );
}

// ---------------------------------------------------------------------------------------------------- helpers

/** A parameter as a tensor: numbers become constants of `dtype`. */
function param(x: unknown, dtype: DType, what: string, who: string): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new RangeError(`${who}: ${what} must be finite, got ${x}`);
    if (!isFloat(dtype) && !Number.isSafeInteger(x))
      throw new RangeError(`${who}: ${what} must be an integer, got ${x}`);
    return makeConstant(toNDArray(x, { dtype }));
  }
  throw new TypeError(`${who}: ${what} must be a number or a tensor, got ${x === null ? 'null' : typeof x}`);
}

/** The size as op params and symbolic size inputs (null: no size, the parameters' broadcast shape). */
function sizeOf(size: unknown, who: string): { shape: DimParam[] | null; inputs: Tensor[] } {
  if (size === undefined || size === null) return { shape: null, inputs: [] };
  if (typeof size === 'number') return checkedSizes(sizeArgs([size], who, 'size'), who);
  if (Array.isArray(size)) return checkedSizes(sizeArgs(size, who, 'size'), who);
  if (size instanceof Tensor) {
    if (size.ndim !== 1 || !isInt(size.dtype))
      throw new TypeError(`${who}: a symbolic size must be an integer vector (x.shape()), got ${size.type}`);
    const length = size.type.shape[0];
    if (length === null || length === undefined)
      throw new TypeError(
        `${who}: the size vector ${size.name ? `'${size.name}' ` : ''}has no static length, so the rank of the draw is unknown; give the sizes as a list ([n, m]) or a vector of known length (x.shape())`,
      );
    const entries = Array.from({ length }, (_, k) => getItem(size, [k]));
    return checkedSizes(sizeArgs(entries, who, 'size'), who);
  }
  throw new TypeError(`${who}: size must be a list of sizes, a number or an integer vector, got ${typeof size}`);
}

/** Sizes as params (numbers, or null for an integer scalar input, unless its value is known when built). */
function sizeArgs(entries: readonly unknown[], who: string, what: string): { params: DimParam[]; inputs: Tensor[] } {
  const inputs: Tensor[] = [];
  const params = entries.map((e, i): DimParam => {
    if (typeof e === 'number') return e;
    if (!(e instanceof Tensor) || e.ndim !== 0 || !isInt(e.dtype))
      throw new TypeError(
        `${who}: ${what} ${i} must be a number or an integer scalar, got ${e instanceof Tensor ? e.type : typeof e}`,
      );
    if (e.data) return Number(e.data.item(0));
    const node = e.owner;
    if (node?.op === SHAPE_I) {
      const known = node.inputs[0]!.type.shape[(node.params as { axis: number }).axis];
      if (known !== null && known !== undefined) return known;
    }
    inputs.push(e);
    return null;
  });
  return { params, inputs };
}

function checkedSizes(s: { params: DimParam[]; inputs: Tensor[] }, who: string) {
  for (const d of s.params)
    if (d !== null && (!Number.isInteger(d) || d < 0))
      throw new RangeError(
        `${who}: sizes must be non-negative integers, got size [${s.params.map((p) => p ?? '?').join(', ')}]`,
      );
  return { shape: s.params, inputs: s.inputs };
}

function dtypeOption(dtype: unknown, fallback: DType, ok: (d: DType) => boolean, allowed: string, who: string): DType {
  if (dtype === undefined) return fallback;
  if (!isDType(dtype) || !ok(dtype)) throw new TypeError(`${who}: dtype must be ${allowed}, got ${String(dtype)}`);
  return dtype;
}

function checkOptionNames(options: object, names: readonly string[], who: string): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${who}: options must be an object`);
  for (const key of Object.keys(options))
    if (!names.includes(key))
      throw new TypeError(`${who}: unknown option '${key}'; the options are ${names.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------------- the streams

/**
 * Symbolic random draws with reproducible, independent streams (Theano's `RandomStreams`). Every draw has its own
 * generator state: a shared variable (listed in `states`) whose `defaultUpdate` is the state after the draw, so
 * `theano.function` advances it on each call unless told otherwise (`updates`, `noDefaultUpdates`).
 *
 * @example
 * const srng = new theano.RandomStreams(42);
 * const f = theano.function([], srng.normal([2, 3]));
 * f(); // new numbers on each call
 * srng.seed(42); // ...and the same sequence again after reseeding
 */
export class RandomStreams {
  /** The generator state of every draw made so far, in order. */
  readonly states: SharedVariable<'uint32', 1>[] = [];
  private currentSeed: number;

  constructor(seed?: number) {
    this.currentSeed = seed === undefined ? Math.floor(Math.random() * 2 ** 32) : checkSeed(seed, 'RandomStreams');
  }

  /** Reseeds every state (each draw's stream restarts from the start for this seed). */
  seed(seed: number): void {
    this.currentSeed = checkSeed(seed, 'RandomStreams.seed');
    this.states.forEach((s, i) => s.setValue(streamState(this.currentSeed, i)));
  }

  /** Each state with the state after its draw (Theano's `state_updates`), to pass as `updates` by hand. */
  updates(): [SharedVariable<'uint32', 1>, Tensor<'uint32', 1>][] {
    return this.states.map((s) => [s, s.defaultUpdate!]);
  }

  /** A new state for one draw, applies the op and sets the state's default update; returns the sample. */
  private draw<P>(op: OpDef<P>, params: P, sizeInputs: readonly Tensor[], args: readonly Tensor[]): Tensor {
    const index = this.states.length;
    const state = shared(streamState(this.currentSeed, index), { name: `rng_state_${index}` }) as SharedVariable<
      'uint32',
      1
    >;
    const [next, sample] = applyOp(op, params, [state, ...sizeInputs, ...args]) as [Tensor<'uint32', 1>, Tensor];
    state.defaultUpdate = next;
    this.states.push(state);
    return sample;
  }

  /**
   * Floats uniform on [low, high) (0 and 1 by default); float64 unless `dtype: 'float32'`. Without a size, the
   * shape of the parameters' broadcast.
   *
   * @example
   * srng.uniform([3, 4], { low: -1, high: 1 }); // Tensor<'float64', 2>
   */
  uniform<const S extends RandomSize | null = null, const O extends UniformOptions = {}>(
    size?: S,
    options?: O,
  ): Tensor<DTypeOption<O, 'float64'>, SizeRank<S, ParamRank<O, 'low', 'high'>>> {
    const who = 'uniform';
    const o: UniformOptions = options ?? {};
    checkOptionNames(o, ['low', 'high', 'dtype'], who);
    const dtype = dtypeOption(o.dtype, 'float64', isFloat, 'float32 or float64', who);
    const { shape, inputs } = sizeOf(size, who);
    const args = [param(o.low ?? 0, 'float64', 'low', who), param(o.high ?? 1, 'float64', 'high', who)];
    return this.draw(RANDOM_UNIFORM, { dtype, shape }, inputs, args) as never;
  }

  /**
   * Gaussian floats of mean `avg` (or `loc`) and standard deviation `std` (or `scale`); float64 unless
   * `dtype: 'float32'`.
   *
   * @example
   * srng.normal([3, 4], { std: 0.01, dtype: 'float32' }); // Tensor<'float32', 2>
   */
  normal<const S extends RandomSize | null = null, const O extends NormalOptions = {}>(
    size?: S,
    options?: O,
  ): Tensor<DTypeOption<O, 'float64'>, SizeRank<S, ParamRank<O, 'avg' | 'loc', 'std' | 'scale'>>> {
    const who = 'normal';
    const o: NormalOptions = options ?? {};
    checkOptionNames(o, ['avg', 'loc', 'std', 'scale', 'dtype'], who);
    if (o.avg !== undefined && o.loc !== undefined) throw new TypeError(`${who}: give avg or loc, not both`);
    if (o.std !== undefined && o.scale !== undefined) throw new TypeError(`${who}: give std or scale, not both`);
    const dtype = dtypeOption(o.dtype, 'float64', isFloat, 'float32 or float64', who);
    const { shape, inputs } = sizeOf(size, who);
    const loc = param(o.avg ?? o.loc ?? 0, 'float64', 'avg', who);
    const scale = param(o.std ?? o.scale ?? 1, 'float64', 'std', who);
    return this.draw(RANDOM_NORMAL, { dtype, shape }, inputs, [loc, scale]) as never;
  }

  /**
   * Successes in `n` trials of probability `p` (n = 1, p = 0.5 by default); int64 unless `dtype` says otherwise
   * (a float dtype gives a float 0/1 mask).
   *
   * @example
   * srng.binomial([128, 256], { p: 0.8, dtype: 'float32' }); // a dropout keep-mask
   */
  binomial<const S extends RandomSize | null = null, const O extends BinomialOptions = {}>(
    size?: S,
    options?: O,
  ): Tensor<DTypeOption<O, 'int64'>, SizeRank<S, ParamRank<O, 'n', 'p'>>> {
    const who = 'binomial';
    const o: BinomialOptions = options ?? {};
    checkOptionNames(o, ['n', 'p', 'dtype'], who);
    const dtype = dtypeOption(o.dtype, 'int64', (d) => d !== 'bool', 'an integer or float dtype', who);
    const { shape, inputs } = sizeOf(size, who);
    const args = [param(o.n ?? 1, 'int64', 'n', who), param(o.p ?? 0.5, 'float64', 'p', who)];
    return this.draw(RANDOM_BINOMIAL, { dtype, shape }, inputs, args) as never;
  }

  /** Bernoulli draws: 1 with probability `p` (0.5 by default), else 0 (a binomial with n = 1); int64 by default. */
  bernoulli<const S extends RandomSize | null = null, const O extends BernoulliOptions = {}>(
    size?: S,
    options?: O,
  ): Tensor<DTypeOption<O, 'int64'>, SizeRank<S, RankOf<Field<O, 'p'>>>> {
    const o: BernoulliOptions = options ?? {};
    checkOptionNames(o, ['p', 'dtype'], 'bernoulli');
    return this.binomial(size, { ...o, n: 1 }) as never;
  }

  /**
   * Integers uniform on [low, high) (numpy's `Generator.integers`), without modulo bias; int64 by default.
   *
   * @example
   * srng.integers(0, 10, [5]); // Tensor<'int64', 1>
   */
  integers<
    const S extends RandomSize | null = null,
    L extends RandomParam = number,
    H extends RandomParam = number,
    D extends IntDType = 'int64',
  >(
    low: L,
    high: H,
    size?: S,
    options: { readonly dtype?: D } = {},
  ): Tensor<D, SizeRank<S, MaxRank<RankOf<L>, RankOf<H>>>> {
    const who = 'integers';
    checkOptionNames(options, ['dtype'], who);
    const dtype = dtypeOption(options.dtype, 'int64', isInt, 'an integer dtype', who);
    const { shape, inputs } = sizeOf(size, who);
    const args = [param(low, 'int64', 'low', who), param(high, 'int64', 'high', who)];
    return this.draw(RANDOM_INTEGERS, { dtype, shape }, inputs, args) as never;
  }

  /**
   * Elements of `a` (a vector, or 0..a-1 for a number or integer scalar), with or without replacement, uniformly
   * or with probabilities `p`.
   *
   * @example
   * srng.choice(10, [3], { replace: false }); // three distinct integers below 10
   */
  choice<A extends number | Tensor, const S extends RandomSize>(
    a: A,
    size: S,
    options: ChoiceOptions = {},
  ): Tensor<ChoiceDType<A>, SizeRank<S>> {
    const who = 'choice';
    checkOptionNames(options, ['replace', 'p'], who);
    const population = typeof a === 'number' ? param(a, 'int64', 'a', who) : a;
    if (!(population instanceof Tensor)) throw new TypeError(`${who}: a must be a number or a tensor`);
    const { shape, inputs } = sizeOf(size, who);
    if (shape === null) throw new TypeError(`${who}: needs a size`);
    const p =
      options.p === undefined
        ? []
        : [
            options.p instanceof Tensor
              ? options.p
              : makeConstant(toNDArray(options.p as number[], { dtype: 'float64' })),
          ];
    const params: ChoiceParams = {
      dtype: population.ndim === 0 ? 'int64' : population.dtype,
      shape,
      replace: options.replace ?? true,
      weighted: p.length > 0,
    };
    return this.draw(RANDOM_CHOICE, params, inputs, [population, ...p]) as never;
  }

  /**
   * A random order of 0..n-1 (int64) for a number or an integer scalar, or a tensor's rows shuffled.
   *
   * @example
   * srng.permutation(5); // Tensor<'int64', 1>
   */
  permutation<X extends number | Tensor>(x: X): PermutationResult<X> {
    const input = typeof x === 'number' ? param(x, 'int64', 'n', 'permutation') : x;
    if (!(input instanceof Tensor)) throw new TypeError('permutation: x must be a number or a tensor');
    return this.draw(RANDOM_PERMUTATION, {}, [], [input]) as never;
  }
}

/** PyTensor's name for `RandomStreams` (`pytensor.tensor.random.utils.RandomStream`). */
export { RandomStreams as RandomStream };
