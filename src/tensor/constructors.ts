/**
 * Theano's constructors: a dtype prefix (b int8, w int16, i int32, l int64, f float32, d float64, none float64)
 * and a rank (scalar, vector, row, col, matrix, tensor3, tensor4), plus plurals that return typed tuples:
 * `const [a, b] = T.dmatrices('a', 'b')`.
 */
import { isDType, type DType } from '../types/dtype.js';
import { MAX_RANK, type Rank } from '../types/rank.js';
import { TensorType, type StaticDim } from '../types/tensor-type.js';
import { Tensor } from './tensor.js';
import { setTestValue } from '../graph/variable.js';
import { article, describeValue, toNDArray, type ArrayLikeInput } from '../runtime/convert.js';
import type { InputValue } from '../runtime/values.js';
import { checkOptionKeys } from '../types/suggest.js';

/** Options of the constructors (`T.dmatrix('x', { testValue })`). */
export interface InputOptions<D extends DType, R extends Rank> {
  /**
   * A value to check the graph with while it is built (Theano's `x.tag.test_value` with `compute_test_value =
   * 'raise'`): every expression built from this input computes its own test value (`y.testValue`), and a shape or
   * dtype error is raised where the expression is built, not when the function runs.
   */
  testValue?: InputValue<D, R>;
}

/**
 * Options of the unprefixed constructors (`T.scalar` ... `T.tensor4`, `T.row`, `T.col`): Theano's `dtype=`
 * argument, float64 (our floatX) when left out: `T.matrix('x', { dtype: 'float32' })` is a float32 matrix.
 */
export interface FloatXInputOptions<D extends DType, R extends Rank> {
  /** The dtype of the input (Theano's `dtype=`); float64 when left out. */
  dtype?: D;
  /** As {@link InputOptions.testValue}. */
  testValue?: InputValue<NoInfer<D>, R>;
}

const INPUT_OPTIONS = ['testValue'] as const;
const FLOATX_OPTIONS = ['dtype', 'testValue'] as const;

/** A new input variable, with its test value checked against its type. */
function makeInput(
  type: TensorType,
  name: string | undefined,
  options: InputOptions<DType, Rank> | undefined,
  valid: readonly string[] = INPUT_OPTIONS,
): Tensor {
  const v = new Tensor(type, null, 0, name);
  if (options === undefined) return v;
  const who = name ? `'${name}'` : `a ${type}`;
  checkOptionKeys(`input ${who}`, options, valid);
  if (options.testValue === undefined) return v;
  const what = `the test value of ${who}`;
  const value = toNDArray(options.testValue as ArrayLikeInput, { dtype: type.dtype, what }).copy();
  const mismatch = type.shapeMismatch(value.shape);
  if (mismatch) throw new TypeError(`${what}: expected ${article(type)}, got ${describeValue(value)}: ${mismatch}`);
  setTestValue(v, value);
  return v;
}

/** A symbolic input of this dtype and static shape. */
function single<D extends DType, R extends Rank>(
  dtype: D,
  shape: readonly StaticDim[],
): (name?: string, options?: InputOptions<D, R>) => Tensor<D, R> {
  return (name, options) => makeInput(new TensorType(dtype, shape), name, options as never) as Tensor<D, R>;
}
/**
 * An unprefixed constructor: float64 unless `options.dtype` says otherwise (Theano's `T.matrix(name, dtype)`; a
 * dtype string in place of the options is an error that shows the options form).
 */
function floatX<R extends Rank>(
  what: string,
  shape: readonly StaticDim[],
): <D extends DType = 'float64'>(name?: string, options?: FloatXInputOptions<D, R>) => Tensor<D, R> {
  return (name, options) => {
    if (typeof options === 'string')
      throw new TypeError(
        `T.${what}: the dtype is an option: T.${what}(${name === undefined ? 'undefined' : `'${name}'`}, { dtype: '${options}' })`,
      );
    const dtype = options?.dtype ?? 'float64';
    if (!isDType(dtype)) throw new TypeError(`T.${what}: unknown dtype ${String(dtype)}`);
    return makeInput(new TensorType(dtype, shape), name, options as never, FLOATX_OPTIONS) as never;
  };
}
/** Several inputs at once, one per name. */
function plural<D extends DType, R extends Rank>(dtype: D, shape: readonly StaticDim[]) {
  const make = single<D, R>(dtype, shape);
  return <const N extends readonly string[]>(...names: N): { -readonly [K in keyof N]: Tensor<D, R> } =>
    names.map((n) => make(n)) as never;
}

/**
 * A symbolic input of any dtype and rank: `T.tensor('float32', 3, 'x')`, or with a static shape / Theano
 * broadcastable pattern: `T.tensor('float64', [1, null])`, `T.tensor('float64', [true, false])`.
 * @example const x = T.tensor('float32', 3, 'x');
 */
export function tensor<D extends DType, const S extends Rank | readonly (StaticDim | boolean)[]>(
  dtype: D,
  shape: S,
  name?: string,
  options?: InputOptions<
    D,
    S extends Rank ? S : S extends readonly unknown[] ? (S['length'] extends Rank ? S['length'] : Rank) : Rank
  >,
): Tensor<
  D,
  S extends Rank ? S : S extends readonly unknown[] ? (S['length'] extends Rank ? S['length'] : Rank) : Rank
> {
  if (!isDType(dtype)) throw new TypeError(`T.tensor: unknown dtype ${String(dtype)}`);
  let dims: StaticDim[];
  if (typeof shape === 'number') {
    if (!Number.isInteger(shape) || shape < 0 || shape > MAX_RANK)
      throw new RangeError(`T.tensor: rank must be an integer in [0, ${MAX_RANK}], got ${shape}`);
    dims = new Array<StaticDim>(shape).fill(null);
  } else {
    const list = shape as readonly (StaticDim | boolean)[];
    if (list.length > MAX_RANK) throw new RangeError(`T.tensor: rank must be at most ${MAX_RANK}, got ${list.length}`);
    dims = list.map((d) => (d === true ? 1 : d === false ? null : d));
    for (const d of dims)
      if (d !== null && (!Number.isInteger(d) || d < 0))
        throw new RangeError(`T.tensor: invalid static dimension ${d}`);
  }
  return makeInput(new TensorType(dtype, dims), name, options as never) as never;
}

// float64 (floatX)
/**
 * A symbolic input, a scalar (rank 0) (Theano `T.scalar`): float64 (floatX) unless the options give a `dtype`; they may
 * also give a test value.
 * @example const x = T.scalar('x'); // float64; T.scalar('x', { dtype: 'float32' }) is float32
 */
export const scalar = floatX<0>('scalar', []);
/**
 * Several symbolic float64 (floatX) inputs, each a scalar (rank 0), one per name, as a typed tuple (Theano `T.scalars`).
 * @example const [a, b] = T.scalars('a', 'b');
 */
export const scalars = plural<'float64', 0>('float64', []);
/**
 * A symbolic input, a vector (rank 1) (Theano `T.vector`): float64 (floatX) unless the options give a `dtype`; they may
 * also give a test value.
 * @example const x = T.vector('x'); // float64; T.vector('x', { dtype: 'float32' }) is float32
 */
export const vector = floatX<1>('vector', [null]);
/**
 * Several symbolic float64 (floatX) inputs, each a vector (rank 1), one per name, as a typed tuple (Theano `T.vectors`).
 * @example const [a, b] = T.vectors('a', 'b');
 */
export const vectors = plural<'float64', 1>('float64', [null]);
/**
 * A symbolic input, a row: a matrix whose first axis has length 1 (Theano `T.row`): float64 (floatX) unless the options give a `dtype`; they may
 * also give a test value.
 * @example const x = T.row('x'); // float64; T.row('x', { dtype: 'float32' }) is float32
 */
export const row = floatX<2>('row', [1, null]);
/**
 * Several symbolic float64 (floatX) inputs, each a row: a matrix whose first axis has length 1, one per name, as a typed tuple (Theano `T.rows`).
 * @example const [a, b] = T.rows('a', 'b');
 */
export const rows = plural<'float64', 2>('float64', [1, null]);
/**
 * A symbolic input, a column: a matrix whose second axis has length 1 (Theano `T.col`): float64 (floatX) unless the options give a `dtype`; they may
 * also give a test value.
 * @example const x = T.col('x'); // float64; T.col('x', { dtype: 'float32' }) is float32
 */
export const col = floatX<2>('col', [null, 1]);
/**
 * Several symbolic float64 (floatX) inputs, each a column: a matrix whose second axis has length 1, one per name, as a typed tuple (Theano `T.cols`).
 * @example const [a, b] = T.cols('a', 'b');
 */
export const cols = plural<'float64', 2>('float64', [null, 1]);
/**
 * A symbolic input, a matrix (rank 2) (Theano `T.matrix`): float64 (floatX) unless the options give a `dtype`; they may
 * also give a test value.
 * @example const x = T.matrix('x'); // float64; T.matrix('x', { dtype: 'float32' }) is float32
 */
export const matrix = floatX<2>('matrix', [null, null]);
/**
 * Several symbolic float64 (floatX) inputs, each a matrix (rank 2), one per name, as a typed tuple (Theano `T.matrices`).
 * @example const [a, b] = T.matrices('a', 'b');
 */
export const matrices = plural<'float64', 2>('float64', [null, null]);
/**
 * A symbolic input, a tensor of rank 3 (Theano `T.tensor3`): float64 (floatX) unless the options give a `dtype`; they may
 * also give a test value.
 * @example const x = T.tensor3('x'); // float64; T.tensor3('x', { dtype: 'float32' }) is float32
 */
export const tensor3 = floatX<3>('tensor3', [null, null, null]);
/**
 * Several symbolic float64 (floatX) inputs, each a tensor of rank 3, one per name, as a typed tuple (Theano `T.tensor3s`).
 * @example const [a, b] = T.tensor3s('a', 'b');
 */
export const tensor3s = plural<'float64', 3>('float64', [null, null, null]);
/**
 * A symbolic input, a tensor of rank 4 (Theano `T.tensor4`): float64 (floatX) unless the options give a `dtype`; they may
 * also give a test value.
 * @example const x = T.tensor4('x'); // float64; T.tensor4('x', { dtype: 'float32' }) is float32
 */
export const tensor4 = floatX<4>('tensor4', [null, null, null, null]);
/**
 * Several symbolic float64 (floatX) inputs, each a tensor of rank 4, one per name, as a typed tuple (Theano `T.tensor4s`).
 * @example const [a, b] = T.tensor4s('a', 'b');
 */
export const tensor4s = plural<'float64', 4>('float64', [null, null, null, null]);

// int8
/**
 * A symbolic int8 input, a scalar (rank 0) (Theano `T.bscalar`); the options may give a test value.
 * @example const x = T.bscalar('x');
 */
export const bscalar = single<'int8', 0>('int8', []);
/**
 * Several symbolic int8 inputs, each a scalar (rank 0), one per name, as a typed tuple (Theano `T.bscalars`).
 * @example const [a, b] = T.bscalars('a', 'b');
 */
export const bscalars = plural<'int8', 0>('int8', []);
/**
 * A symbolic int8 input, a vector (rank 1) (Theano `T.bvector`); the options may give a test value.
 * @example const x = T.bvector('x');
 */
export const bvector = single<'int8', 1>('int8', [null]);
/**
 * Several symbolic int8 inputs, each a vector (rank 1), one per name, as a typed tuple (Theano `T.bvectors`).
 * @example const [a, b] = T.bvectors('a', 'b');
 */
export const bvectors = plural<'int8', 1>('int8', [null]);
/**
 * A symbolic int8 input, a row: a matrix whose first axis has length 1 (Theano `T.brow`); the options may give a test value.
 * @example const x = T.brow('x');
 */
export const brow = single<'int8', 2>('int8', [1, null]);
/**
 * Several symbolic int8 inputs, each a row: a matrix whose first axis has length 1, one per name, as a typed tuple (Theano `T.brows`).
 * @example const [a, b] = T.brows('a', 'b');
 */
export const brows = plural<'int8', 2>('int8', [1, null]);
/**
 * A symbolic int8 input, a column: a matrix whose second axis has length 1 (Theano `T.bcol`); the options may give a test value.
 * @example const x = T.bcol('x');
 */
export const bcol = single<'int8', 2>('int8', [null, 1]);
/**
 * Several symbolic int8 inputs, each a column: a matrix whose second axis has length 1, one per name, as a typed tuple (Theano `T.bcols`).
 * @example const [a, b] = T.bcols('a', 'b');
 */
export const bcols = plural<'int8', 2>('int8', [null, 1]);
/**
 * A symbolic int8 input, a matrix (rank 2) (Theano `T.bmatrix`); the options may give a test value.
 * @example const x = T.bmatrix('x');
 */
export const bmatrix = single<'int8', 2>('int8', [null, null]);
/**
 * Several symbolic int8 inputs, each a matrix (rank 2), one per name, as a typed tuple (Theano `T.bmatrices`).
 * @example const [a, b] = T.bmatrices('a', 'b');
 */
export const bmatrices = plural<'int8', 2>('int8', [null, null]);
/**
 * A symbolic int8 input, a tensor of rank 3 (Theano `T.btensor3`); the options may give a test value.
 * @example const x = T.btensor3('x');
 */
export const btensor3 = single<'int8', 3>('int8', [null, null, null]);
/**
 * Several symbolic int8 inputs, each a tensor of rank 3, one per name, as a typed tuple (Theano `T.btensor3s`).
 * @example const [a, b] = T.btensor3s('a', 'b');
 */
export const btensor3s = plural<'int8', 3>('int8', [null, null, null]);
/**
 * A symbolic int8 input, a tensor of rank 4 (Theano `T.btensor4`); the options may give a test value.
 * @example const x = T.btensor4('x');
 */
export const btensor4 = single<'int8', 4>('int8', [null, null, null, null]);
/**
 * Several symbolic int8 inputs, each a tensor of rank 4, one per name, as a typed tuple (Theano `T.btensor4s`).
 * @example const [a, b] = T.btensor4s('a', 'b');
 */
export const btensor4s = plural<'int8', 4>('int8', [null, null, null, null]);

// int16
/**
 * A symbolic int16 input, a scalar (rank 0) (Theano `T.wscalar`); the options may give a test value.
 * @example const x = T.wscalar('x');
 */
export const wscalar = single<'int16', 0>('int16', []);
/**
 * Several symbolic int16 inputs, each a scalar (rank 0), one per name, as a typed tuple (Theano `T.wscalars`).
 * @example const [a, b] = T.wscalars('a', 'b');
 */
export const wscalars = plural<'int16', 0>('int16', []);
/**
 * A symbolic int16 input, a vector (rank 1) (Theano `T.wvector`); the options may give a test value.
 * @example const x = T.wvector('x');
 */
export const wvector = single<'int16', 1>('int16', [null]);
/**
 * Several symbolic int16 inputs, each a vector (rank 1), one per name, as a typed tuple (Theano `T.wvectors`).
 * @example const [a, b] = T.wvectors('a', 'b');
 */
export const wvectors = plural<'int16', 1>('int16', [null]);
/**
 * A symbolic int16 input, a row: a matrix whose first axis has length 1 (Theano `T.wrow`); the options may give a test value.
 * @example const x = T.wrow('x');
 */
export const wrow = single<'int16', 2>('int16', [1, null]);
/**
 * Several symbolic int16 inputs, each a row: a matrix whose first axis has length 1, one per name, as a typed tuple (Theano `T.wrows`).
 * @example const [a, b] = T.wrows('a', 'b');
 */
export const wrows = plural<'int16', 2>('int16', [1, null]);
/**
 * A symbolic int16 input, a column: a matrix whose second axis has length 1 (Theano `T.wcol`); the options may give a test value.
 * @example const x = T.wcol('x');
 */
export const wcol = single<'int16', 2>('int16', [null, 1]);
/**
 * Several symbolic int16 inputs, each a column: a matrix whose second axis has length 1, one per name, as a typed tuple (Theano `T.wcols`).
 * @example const [a, b] = T.wcols('a', 'b');
 */
export const wcols = plural<'int16', 2>('int16', [null, 1]);
/**
 * A symbolic int16 input, a matrix (rank 2) (Theano `T.wmatrix`); the options may give a test value.
 * @example const x = T.wmatrix('x');
 */
export const wmatrix = single<'int16', 2>('int16', [null, null]);
/**
 * Several symbolic int16 inputs, each a matrix (rank 2), one per name, as a typed tuple (Theano `T.wmatrices`).
 * @example const [a, b] = T.wmatrices('a', 'b');
 */
export const wmatrices = plural<'int16', 2>('int16', [null, null]);
/**
 * A symbolic int16 input, a tensor of rank 3 (Theano `T.wtensor3`); the options may give a test value.
 * @example const x = T.wtensor3('x');
 */
export const wtensor3 = single<'int16', 3>('int16', [null, null, null]);
/**
 * Several symbolic int16 inputs, each a tensor of rank 3, one per name, as a typed tuple (Theano `T.wtensor3s`).
 * @example const [a, b] = T.wtensor3s('a', 'b');
 */
export const wtensor3s = plural<'int16', 3>('int16', [null, null, null]);
/**
 * A symbolic int16 input, a tensor of rank 4 (Theano `T.wtensor4`); the options may give a test value.
 * @example const x = T.wtensor4('x');
 */
export const wtensor4 = single<'int16', 4>('int16', [null, null, null, null]);
/**
 * Several symbolic int16 inputs, each a tensor of rank 4, one per name, as a typed tuple (Theano `T.wtensor4s`).
 * @example const [a, b] = T.wtensor4s('a', 'b');
 */
export const wtensor4s = plural<'int16', 4>('int16', [null, null, null, null]);

// int32
/**
 * A symbolic int32 input, a scalar (rank 0) (Theano `T.iscalar`); the options may give a test value.
 * @example const x = T.iscalar('x');
 */
export const iscalar = single<'int32', 0>('int32', []);
/**
 * Several symbolic int32 inputs, each a scalar (rank 0), one per name, as a typed tuple (Theano `T.iscalars`).
 * @example const [a, b] = T.iscalars('a', 'b');
 */
export const iscalars = plural<'int32', 0>('int32', []);
/**
 * A symbolic int32 input, a vector (rank 1) (Theano `T.ivector`); the options may give a test value.
 * @example const x = T.ivector('x');
 */
export const ivector = single<'int32', 1>('int32', [null]);
/**
 * Several symbolic int32 inputs, each a vector (rank 1), one per name, as a typed tuple (Theano `T.ivectors`).
 * @example const [a, b] = T.ivectors('a', 'b');
 */
export const ivectors = plural<'int32', 1>('int32', [null]);
/**
 * A symbolic int32 input, a row: a matrix whose first axis has length 1 (Theano `T.irow`); the options may give a test value.
 * @example const x = T.irow('x');
 */
export const irow = single<'int32', 2>('int32', [1, null]);
/**
 * Several symbolic int32 inputs, each a row: a matrix whose first axis has length 1, one per name, as a typed tuple (Theano `T.irows`).
 * @example const [a, b] = T.irows('a', 'b');
 */
export const irows = plural<'int32', 2>('int32', [1, null]);
/**
 * A symbolic int32 input, a column: a matrix whose second axis has length 1 (Theano `T.icol`); the options may give a test value.
 * @example const x = T.icol('x');
 */
export const icol = single<'int32', 2>('int32', [null, 1]);
/**
 * Several symbolic int32 inputs, each a column: a matrix whose second axis has length 1, one per name, as a typed tuple (Theano `T.icols`).
 * @example const [a, b] = T.icols('a', 'b');
 */
export const icols = plural<'int32', 2>('int32', [null, 1]);
/**
 * A symbolic int32 input, a matrix (rank 2) (Theano `T.imatrix`); the options may give a test value.
 * @example const x = T.imatrix('x');
 */
export const imatrix = single<'int32', 2>('int32', [null, null]);
/**
 * Several symbolic int32 inputs, each a matrix (rank 2), one per name, as a typed tuple (Theano `T.imatrices`).
 * @example const [a, b] = T.imatrices('a', 'b');
 */
export const imatrices = plural<'int32', 2>('int32', [null, null]);
/**
 * A symbolic int32 input, a tensor of rank 3 (Theano `T.itensor3`); the options may give a test value.
 * @example const x = T.itensor3('x');
 */
export const itensor3 = single<'int32', 3>('int32', [null, null, null]);
/**
 * Several symbolic int32 inputs, each a tensor of rank 3, one per name, as a typed tuple (Theano `T.itensor3s`).
 * @example const [a, b] = T.itensor3s('a', 'b');
 */
export const itensor3s = plural<'int32', 3>('int32', [null, null, null]);
/**
 * A symbolic int32 input, a tensor of rank 4 (Theano `T.itensor4`); the options may give a test value.
 * @example const x = T.itensor4('x');
 */
export const itensor4 = single<'int32', 4>('int32', [null, null, null, null]);
/**
 * Several symbolic int32 inputs, each a tensor of rank 4, one per name, as a typed tuple (Theano `T.itensor4s`).
 * @example const [a, b] = T.itensor4s('a', 'b');
 */
export const itensor4s = plural<'int32', 4>('int32', [null, null, null, null]);

// int64
/**
 * A symbolic int64 input, a scalar (rank 0) (Theano `T.lscalar`); the options may give a test value.
 * @example const x = T.lscalar('x');
 */
export const lscalar = single<'int64', 0>('int64', []);
/**
 * Several symbolic int64 inputs, each a scalar (rank 0), one per name, as a typed tuple (Theano `T.lscalars`).
 * @example const [a, b] = T.lscalars('a', 'b');
 */
export const lscalars = plural<'int64', 0>('int64', []);
/**
 * A symbolic int64 input, a vector (rank 1) (Theano `T.lvector`); the options may give a test value.
 * @example const x = T.lvector('x');
 */
export const lvector = single<'int64', 1>('int64', [null]);
/**
 * Several symbolic int64 inputs, each a vector (rank 1), one per name, as a typed tuple (Theano `T.lvectors`).
 * @example const [a, b] = T.lvectors('a', 'b');
 */
export const lvectors = plural<'int64', 1>('int64', [null]);
/**
 * A symbolic int64 input, a row: a matrix whose first axis has length 1 (Theano `T.lrow`); the options may give a test value.
 * @example const x = T.lrow('x');
 */
export const lrow = single<'int64', 2>('int64', [1, null]);
/**
 * Several symbolic int64 inputs, each a row: a matrix whose first axis has length 1, one per name, as a typed tuple (Theano `T.lrows`).
 * @example const [a, b] = T.lrows('a', 'b');
 */
export const lrows = plural<'int64', 2>('int64', [1, null]);
/**
 * A symbolic int64 input, a column: a matrix whose second axis has length 1 (Theano `T.lcol`); the options may give a test value.
 * @example const x = T.lcol('x');
 */
export const lcol = single<'int64', 2>('int64', [null, 1]);
/**
 * Several symbolic int64 inputs, each a column: a matrix whose second axis has length 1, one per name, as a typed tuple (Theano `T.lcols`).
 * @example const [a, b] = T.lcols('a', 'b');
 */
export const lcols = plural<'int64', 2>('int64', [null, 1]);
/**
 * A symbolic int64 input, a matrix (rank 2) (Theano `T.lmatrix`); the options may give a test value.
 * @example const x = T.lmatrix('x');
 */
export const lmatrix = single<'int64', 2>('int64', [null, null]);
/**
 * Several symbolic int64 inputs, each a matrix (rank 2), one per name, as a typed tuple (Theano `T.lmatrices`).
 * @example const [a, b] = T.lmatrices('a', 'b');
 */
export const lmatrices = plural<'int64', 2>('int64', [null, null]);
/**
 * A symbolic int64 input, a tensor of rank 3 (Theano `T.ltensor3`); the options may give a test value.
 * @example const x = T.ltensor3('x');
 */
export const ltensor3 = single<'int64', 3>('int64', [null, null, null]);
/**
 * Several symbolic int64 inputs, each a tensor of rank 3, one per name, as a typed tuple (Theano `T.ltensor3s`).
 * @example const [a, b] = T.ltensor3s('a', 'b');
 */
export const ltensor3s = plural<'int64', 3>('int64', [null, null, null]);
/**
 * A symbolic int64 input, a tensor of rank 4 (Theano `T.ltensor4`); the options may give a test value.
 * @example const x = T.ltensor4('x');
 */
export const ltensor4 = single<'int64', 4>('int64', [null, null, null, null]);
/**
 * Several symbolic int64 inputs, each a tensor of rank 4, one per name, as a typed tuple (Theano `T.ltensor4s`).
 * @example const [a, b] = T.ltensor4s('a', 'b');
 */
export const ltensor4s = plural<'int64', 4>('int64', [null, null, null, null]);

// float32
/**
 * A symbolic float32 input, a scalar (rank 0) (Theano `T.fscalar`); the options may give a test value.
 * @example const x = T.fscalar('x');
 */
export const fscalar = single<'float32', 0>('float32', []);
/**
 * Several symbolic float32 inputs, each a scalar (rank 0), one per name, as a typed tuple (Theano `T.fscalars`).
 * @example const [a, b] = T.fscalars('a', 'b');
 */
export const fscalars = plural<'float32', 0>('float32', []);
/**
 * A symbolic float32 input, a vector (rank 1) (Theano `T.fvector`); the options may give a test value.
 * @example const x = T.fvector('x');
 */
export const fvector = single<'float32', 1>('float32', [null]);
/**
 * Several symbolic float32 inputs, each a vector (rank 1), one per name, as a typed tuple (Theano `T.fvectors`).
 * @example const [a, b] = T.fvectors('a', 'b');
 */
export const fvectors = plural<'float32', 1>('float32', [null]);
/**
 * A symbolic float32 input, a row: a matrix whose first axis has length 1 (Theano `T.frow`); the options may give a test value.
 * @example const x = T.frow('x');
 */
export const frow = single<'float32', 2>('float32', [1, null]);
/**
 * Several symbolic float32 inputs, each a row: a matrix whose first axis has length 1, one per name, as a typed tuple (Theano `T.frows`).
 * @example const [a, b] = T.frows('a', 'b');
 */
export const frows = plural<'float32', 2>('float32', [1, null]);
/**
 * A symbolic float32 input, a column: a matrix whose second axis has length 1 (Theano `T.fcol`); the options may give a test value.
 * @example const x = T.fcol('x');
 */
export const fcol = single<'float32', 2>('float32', [null, 1]);
/**
 * Several symbolic float32 inputs, each a column: a matrix whose second axis has length 1, one per name, as a typed tuple (Theano `T.fcols`).
 * @example const [a, b] = T.fcols('a', 'b');
 */
export const fcols = plural<'float32', 2>('float32', [null, 1]);
/**
 * A symbolic float32 input, a matrix (rank 2) (Theano `T.fmatrix`); the options may give a test value.
 * @example const x = T.fmatrix('x');
 */
export const fmatrix = single<'float32', 2>('float32', [null, null]);
/**
 * Several symbolic float32 inputs, each a matrix (rank 2), one per name, as a typed tuple (Theano `T.fmatrices`).
 * @example const [a, b] = T.fmatrices('a', 'b');
 */
export const fmatrices = plural<'float32', 2>('float32', [null, null]);
/**
 * A symbolic float32 input, a tensor of rank 3 (Theano `T.ftensor3`); the options may give a test value.
 * @example const x = T.ftensor3('x');
 */
export const ftensor3 = single<'float32', 3>('float32', [null, null, null]);
/**
 * Several symbolic float32 inputs, each a tensor of rank 3, one per name, as a typed tuple (Theano `T.ftensor3s`).
 * @example const [a, b] = T.ftensor3s('a', 'b');
 */
export const ftensor3s = plural<'float32', 3>('float32', [null, null, null]);
/**
 * A symbolic float32 input, a tensor of rank 4 (Theano `T.ftensor4`); the options may give a test value.
 * @example const x = T.ftensor4('x');
 */
export const ftensor4 = single<'float32', 4>('float32', [null, null, null, null]);
/**
 * Several symbolic float32 inputs, each a tensor of rank 4, one per name, as a typed tuple (Theano `T.ftensor4s`).
 * @example const [a, b] = T.ftensor4s('a', 'b');
 */
export const ftensor4s = plural<'float32', 4>('float32', [null, null, null, null]);

// float64
/**
 * A symbolic float64 input, a scalar (rank 0) (Theano `T.dscalar`); the options may give a test value.
 * @example const x = T.dscalar('x');
 */
export const dscalar = single<'float64', 0>('float64', []);
/**
 * Several symbolic float64 inputs, each a scalar (rank 0), one per name, as a typed tuple (Theano `T.dscalars`).
 * @example const [a, b] = T.dscalars('a', 'b');
 */
export const dscalars = plural<'float64', 0>('float64', []);
/**
 * A symbolic float64 input, a vector (rank 1) (Theano `T.dvector`); the options may give a test value.
 * @example const x = T.dvector('x');
 */
export const dvector = single<'float64', 1>('float64', [null]);
/**
 * Several symbolic float64 inputs, each a vector (rank 1), one per name, as a typed tuple (Theano `T.dvectors`).
 * @example const [a, b] = T.dvectors('a', 'b');
 */
export const dvectors = plural<'float64', 1>('float64', [null]);
/**
 * A symbolic float64 input, a row: a matrix whose first axis has length 1 (Theano `T.drow`); the options may give a test value.
 * @example const x = T.drow('x');
 */
export const drow = single<'float64', 2>('float64', [1, null]);
/**
 * Several symbolic float64 inputs, each a row: a matrix whose first axis has length 1, one per name, as a typed tuple (Theano `T.drows`).
 * @example const [a, b] = T.drows('a', 'b');
 */
export const drows = plural<'float64', 2>('float64', [1, null]);
/**
 * A symbolic float64 input, a column: a matrix whose second axis has length 1 (Theano `T.dcol`); the options may give a test value.
 * @example const x = T.dcol('x');
 */
export const dcol = single<'float64', 2>('float64', [null, 1]);
/**
 * Several symbolic float64 inputs, each a column: a matrix whose second axis has length 1, one per name, as a typed tuple (Theano `T.dcols`).
 * @example const [a, b] = T.dcols('a', 'b');
 */
export const dcols = plural<'float64', 2>('float64', [null, 1]);
/**
 * A symbolic float64 input, a matrix (rank 2) (Theano `T.dmatrix`); the options may give a test value.
 * @example const x = T.dmatrix('x');
 */
export const dmatrix = single<'float64', 2>('float64', [null, null]);
/**
 * Several symbolic float64 inputs, each a matrix (rank 2), one per name, as a typed tuple (Theano `T.dmatrices`).
 * @example const [a, b] = T.dmatrices('a', 'b');
 */
export const dmatrices = plural<'float64', 2>('float64', [null, null]);
/**
 * A symbolic float64 input, a tensor of rank 3 (Theano `T.dtensor3`); the options may give a test value.
 * @example const x = T.dtensor3('x');
 */
export const dtensor3 = single<'float64', 3>('float64', [null, null, null]);
/**
 * Several symbolic float64 inputs, each a tensor of rank 3, one per name, as a typed tuple (Theano `T.dtensor3s`).
 * @example const [a, b] = T.dtensor3s('a', 'b');
 */
export const dtensor3s = plural<'float64', 3>('float64', [null, null, null]);
/**
 * A symbolic float64 input, a tensor of rank 4 (Theano `T.dtensor4`); the options may give a test value.
 * @example const x = T.dtensor4('x');
 */
export const dtensor4 = single<'float64', 4>('float64', [null, null, null, null]);
/**
 * Several symbolic float64 inputs, each a tensor of rank 4, one per name, as a typed tuple (Theano `T.dtensor4s`).
 * @example const [a, b] = T.dtensor4s('a', 'b');
 */
export const dtensor4s = plural<'float64', 4>('float64', [null, null, null, null]);
