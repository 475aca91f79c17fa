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

const INPUT_OPTIONS = ['testValue'] as const;

/** A new input variable, with its test value checked against its type. */
function makeInput(type: TensorType, name: string | undefined, options: InputOptions<DType, Rank> | undefined): Tensor {
  const v = new Tensor(type, null, 0, name);
  if (options === undefined) return v;
  const who = name ? `'${name}'` : `a ${type}`;
  checkOptionKeys(`input ${who}`, options, INPUT_OPTIONS);
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
/** Several inputs at once, one per name. */
function plural<D extends DType, R extends Rank>(dtype: D, shape: readonly StaticDim[]) {
  const make = single<D, R>(dtype, shape);
  return <const N extends readonly string[]>(...names: N): { -readonly [K in keyof N]: Tensor<D, R> } =>
    names.map((n) => make(n)) as never;
}

/**
 * A symbolic input of any dtype and rank: `T.tensor('float32', 3, 'x')`, or with a static shape / Theano
 * broadcastable pattern: `T.tensor('float64', [1, null])`, `T.tensor('float64', [true, false])`.
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
export const scalar = single<'float64', 0>('float64', []);
export const scalars = plural<'float64', 0>('float64', []);
export const vector = single<'float64', 1>('float64', [null]);
export const vectors = plural<'float64', 1>('float64', [null]);
export const row = single<'float64', 2>('float64', [1, null]);
export const rows = plural<'float64', 2>('float64', [1, null]);
export const col = single<'float64', 2>('float64', [null, 1]);
export const cols = plural<'float64', 2>('float64', [null, 1]);
export const matrix = single<'float64', 2>('float64', [null, null]);
export const matrices = plural<'float64', 2>('float64', [null, null]);
export const tensor3 = single<'float64', 3>('float64', [null, null, null]);
export const tensor3s = plural<'float64', 3>('float64', [null, null, null]);
export const tensor4 = single<'float64', 4>('float64', [null, null, null, null]);
export const tensor4s = plural<'float64', 4>('float64', [null, null, null, null]);

// int8
export const bscalar = single<'int8', 0>('int8', []);
export const bscalars = plural<'int8', 0>('int8', []);
export const bvector = single<'int8', 1>('int8', [null]);
export const bvectors = plural<'int8', 1>('int8', [null]);
export const brow = single<'int8', 2>('int8', [1, null]);
export const brows = plural<'int8', 2>('int8', [1, null]);
export const bcol = single<'int8', 2>('int8', [null, 1]);
export const bcols = plural<'int8', 2>('int8', [null, 1]);
export const bmatrix = single<'int8', 2>('int8', [null, null]);
export const bmatrices = plural<'int8', 2>('int8', [null, null]);
export const btensor3 = single<'int8', 3>('int8', [null, null, null]);
export const btensor3s = plural<'int8', 3>('int8', [null, null, null]);
export const btensor4 = single<'int8', 4>('int8', [null, null, null, null]);
export const btensor4s = plural<'int8', 4>('int8', [null, null, null, null]);

// int16
export const wscalar = single<'int16', 0>('int16', []);
export const wscalars = plural<'int16', 0>('int16', []);
export const wvector = single<'int16', 1>('int16', [null]);
export const wvectors = plural<'int16', 1>('int16', [null]);
export const wrow = single<'int16', 2>('int16', [1, null]);
export const wrows = plural<'int16', 2>('int16', [1, null]);
export const wcol = single<'int16', 2>('int16', [null, 1]);
export const wcols = plural<'int16', 2>('int16', [null, 1]);
export const wmatrix = single<'int16', 2>('int16', [null, null]);
export const wmatrices = plural<'int16', 2>('int16', [null, null]);
export const wtensor3 = single<'int16', 3>('int16', [null, null, null]);
export const wtensor3s = plural<'int16', 3>('int16', [null, null, null]);
export const wtensor4 = single<'int16', 4>('int16', [null, null, null, null]);
export const wtensor4s = plural<'int16', 4>('int16', [null, null, null, null]);

// int32
export const iscalar = single<'int32', 0>('int32', []);
export const iscalars = plural<'int32', 0>('int32', []);
export const ivector = single<'int32', 1>('int32', [null]);
export const ivectors = plural<'int32', 1>('int32', [null]);
export const irow = single<'int32', 2>('int32', [1, null]);
export const irows = plural<'int32', 2>('int32', [1, null]);
export const icol = single<'int32', 2>('int32', [null, 1]);
export const icols = plural<'int32', 2>('int32', [null, 1]);
export const imatrix = single<'int32', 2>('int32', [null, null]);
export const imatrices = plural<'int32', 2>('int32', [null, null]);
export const itensor3 = single<'int32', 3>('int32', [null, null, null]);
export const itensor3s = plural<'int32', 3>('int32', [null, null, null]);
export const itensor4 = single<'int32', 4>('int32', [null, null, null, null]);
export const itensor4s = plural<'int32', 4>('int32', [null, null, null, null]);

// int64
export const lscalar = single<'int64', 0>('int64', []);
export const lscalars = plural<'int64', 0>('int64', []);
export const lvector = single<'int64', 1>('int64', [null]);
export const lvectors = plural<'int64', 1>('int64', [null]);
export const lrow = single<'int64', 2>('int64', [1, null]);
export const lrows = plural<'int64', 2>('int64', [1, null]);
export const lcol = single<'int64', 2>('int64', [null, 1]);
export const lcols = plural<'int64', 2>('int64', [null, 1]);
export const lmatrix = single<'int64', 2>('int64', [null, null]);
export const lmatrices = plural<'int64', 2>('int64', [null, null]);
export const ltensor3 = single<'int64', 3>('int64', [null, null, null]);
export const ltensor3s = plural<'int64', 3>('int64', [null, null, null]);
export const ltensor4 = single<'int64', 4>('int64', [null, null, null, null]);
export const ltensor4s = plural<'int64', 4>('int64', [null, null, null, null]);

// float32
export const fscalar = single<'float32', 0>('float32', []);
export const fscalars = plural<'float32', 0>('float32', []);
export const fvector = single<'float32', 1>('float32', [null]);
export const fvectors = plural<'float32', 1>('float32', [null]);
export const frow = single<'float32', 2>('float32', [1, null]);
export const frows = plural<'float32', 2>('float32', [1, null]);
export const fcol = single<'float32', 2>('float32', [null, 1]);
export const fcols = plural<'float32', 2>('float32', [null, 1]);
export const fmatrix = single<'float32', 2>('float32', [null, null]);
export const fmatrices = plural<'float32', 2>('float32', [null, null]);
export const ftensor3 = single<'float32', 3>('float32', [null, null, null]);
export const ftensor3s = plural<'float32', 3>('float32', [null, null, null]);
export const ftensor4 = single<'float32', 4>('float32', [null, null, null, null]);
export const ftensor4s = plural<'float32', 4>('float32', [null, null, null, null]);

// float64
export const dscalar = single<'float64', 0>('float64', []);
export const dscalars = plural<'float64', 0>('float64', []);
export const dvector = single<'float64', 1>('float64', [null]);
export const dvectors = plural<'float64', 1>('float64', [null]);
export const drow = single<'float64', 2>('float64', [1, null]);
export const drows = plural<'float64', 2>('float64', [1, null]);
export const dcol = single<'float64', 2>('float64', [null, 1]);
export const dcols = plural<'float64', 2>('float64', [null, 1]);
export const dmatrix = single<'float64', 2>('float64', [null, null]);
export const dmatrices = plural<'float64', 2>('float64', [null, null]);
export const dtensor3 = single<'float64', 3>('float64', [null, null, null]);
export const dtensor3s = plural<'float64', 3>('float64', [null, null, null]);
export const dtensor4 = single<'float64', 4>('float64', [null, null, null, null]);
export const dtensor4s = plural<'float64', 4>('float64', [null, null, null, null]);
