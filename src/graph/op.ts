import type { FloatGemm } from '../runtime/matmul.js';
import type { NDArray } from '../runtime/ndarray.js';
import type { TensorType } from '../types/tensor-type.js';
// Type-only: a pullback builds graph with the tensor API it is handed, so ops do not import the builder layer.
import type { DType } from '../types/dtype.js';
import type { Operand } from '../tensor/operand.js';
import type { IndexTensor, Slice, SliceBound } from '../tensor/indexing.js';
import type { Rank } from '../types/rank.js';
import type { Tensor } from '../tensor/tensor.js';

type Axes = number | readonly number[] | null;
/**
 * The part of `theano.tensor` a pullback builds with, in plain (non-generic) signatures: they keep the gradient
 * code fast to type-check. The real namespace is passed in.
 */
export interface GradBuilder {
  add(a: Operand, b: Operand): Tensor;
  sub(a: Operand, b: Operand): Tensor;
  mul(a: Operand, b: Operand): Tensor;
  div(a: Operand, b: Operand): Tensor;
  intDiv(a: Operand, b: Operand): Tensor;
  pow(a: Operand, b: Operand): Tensor;
  maximum(a: Operand, b: Operand): Tensor;
  minimum(a: Operand, b: Operand): Tensor;
  neg(a: Operand): Tensor;
  sign(a: Operand): Tensor;
  abs(a: Operand): Tensor;
  sqr(a: Operand): Tensor;
  sqrt(a: Operand): Tensor;
  exp(a: Operand): Tensor;
  expm1(a: Operand): Tensor;
  log(a: Operand): Tensor;
  sin(a: Operand): Tensor;
  cos(a: Operand): Tensor;
  sinh(a: Operand): Tensor;
  cosh(a: Operand): Tensor;
  tanh(a: Operand): Tensor;
  sigmoid(a: Operand): Tensor;
  softplus(a: Operand): Tensor;
  eq(a: Operand, b: Operand): Tensor;
  neq(a: Operand, b: Operand): Tensor;
  lt(a: Operand, b: Operand): Tensor;
  gt(a: Operand, b: Operand): Tensor;
  le(a: Operand, b: Operand): Tensor;
  ge(a: Operand, b: Operand): Tensor;
  and(a: Operand, b: Operand): Tensor;
  or(a: Operand, b: Operand): Tensor;
  switch(c: Operand, a: Operand, b: Operand): Tensor;
  clip(x: Operand, lo: Operand, hi: Operand): Tensor;
  cast(x: Operand, dtype: DType): Tensor;
  constant(value: number, options: { dtype: DType }): Tensor;
  dimshuffle(x: Tensor, pattern: readonly (number | 'x')[]): Tensor;
  sum(x: Tensor, axis?: Axes, options?: { keepdims?: boolean; dtype?: DType }): Tensor;
  prod(x: Tensor, axis?: Axes, options?: { keepdims?: boolean; dtype?: DType }): Tensor;
  max(x: Tensor, axis?: Axes, options?: { keepdims?: boolean }): Tensor;
  mean(x: Tensor, axis?: Axes, options?: { keepdims?: boolean }): Tensor;
  reshape(x: Tensor, shape: readonly (number | Tensor)[] | Tensor, ndim?: number): Tensor;
  shape(x: Tensor, axis?: number): Tensor;
  expandDims(x: Tensor, axis: number): Tensor;
  alloc(value: Operand, ...shape: (number | Tensor)[]): Tensor;
  arange(start: number | bigint | Tensor, stop?: number | bigint | Tensor): Tensor;
  concatenate(tensors: readonly Tensor[], axis?: number): Tensor;
  split(x: Tensor, sizes: readonly (number | Tensor)[], axis?: number): Tensor[];
  roll(x: Tensor, shift: number | Tensor, axis?: number): Tensor;
  tril(x: Tensor, k?: number | Tensor): Tensor;
  triu(x: Tensor, k?: number | Tensor): Tensor;
  cumsum(x: Tensor, axis?: number): Tensor;
  argsort(x: Tensor, axis?: number | null): Tensor;
  zerosLike(x: Tensor): Tensor;
  sumToShape(g: Tensor, like: Tensor): Tensor;
  broadcastLike(x: Tensor, like: Tensor): Tensor;
  /** `x[indices]` from builder index arguments (numbers, integer scalars, `T.slice(...)`, `T.newaxis`). */
  getItem(x: Tensor, indices: readonly unknown[]): Tensor;
  slice(start?: SliceBound, stop?: SliceBound, step?: SliceBound): Slice;
  take(x: Tensor, indices: IndexTensor<Rank>, axis?: number): Tensor;
  setSubtensor(sub: Tensor, y: Operand): Tensor;
  incSubtensor(sub: Tensor, y: Operand): Tensor;
  dot(a: Tensor, b: Tensor): Tensor;
  matmul(a: Tensor, b: Tensor): Tensor;
  batchedDot(a: Tensor, b: Tensor): Tensor;
  tensordot(a: Tensor, b: Tensor, axes: number | readonly [readonly number[], readonly number[]]): Tensor;
  /** `T.linalg`, in plain signatures (the linear-algebra pullbacks build with it). */
  linalg: LinalgGradBuilder;
  /** Every other builder function, untyped: extend the list above when a pullback needs one often. */
  [name: string]: unknown;
}

/** The part of `T.linalg` the pullbacks use. */
export interface LinalgGradBuilder {
  solve(a: Tensor, b: Tensor, options?: { assumeA?: 'gen' | 'sym' | 'pos'; lower?: boolean }): Tensor;
  solveTriangular(a: Tensor, b: Tensor, options?: { lower?: boolean; trans?: boolean; unitDiagonal?: boolean }): Tensor;
  matrixInverse(x: Tensor): Tensor;
  diagonal(x: Tensor, offset?: number): Tensor;
  allocDiag(v: Tensor, options?: { offset?: number; like?: Tensor }): Tensor;
  eigh(x: Tensor, options?: { UPLO?: 'L' | 'U' }): [Tensor, Tensor];
  svd(x: Tensor, options: { fullMatrices?: boolean; computeUv: false }): Tensor;
  svd(x: Tensor, options?: { fullMatrices?: boolean; computeUv?: true }): [Tensor, Tensor, Tensor];
  qr(x: Tensor): [Tensor, Tensor];
  lu(x: Tensor): [Tensor, Tensor, Tensor];
  pinv(x: Tensor, options?: { rtol?: number | null; hermitian?: boolean }): Tensor;
  [name: string]: unknown;
}

/** Gives an op a zero-filled contiguous output array. */
export type OutputAllocator = (dtype: DType, shape: readonly number[]) => NDArray;

/**
 * The run-time kernels an op's `evaluate` calls that a backend may replace, chosen by the linker (the `wasm`
 * linker passes its WebAssembly GEMM); absent, the JavaScript ones.
 */
export interface RuntimeKernels {
  /** The float32/float64 matrix product of dot, matmul, batched_dot, tensordot and conv2d's im2col products. */
  readonly floatGemm: FloatGemm;
}

/** What a pullback sees of one application of its op. */
export interface PullbackArgs<P> {
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  /** The gradient of the cost with respect to each output; null where an output does not reach the cost. */
  readonly grads: readonly (Tensor | null)[];
  readonly params: P;
}

/**
 * The gradient of an op (reverse mode): the gradient of the cost with respect to each input, as graph built with
 * `T`; null where no gradient flows (integer-valued or piecewise-constant dependence: the input gets zero).
 * The autodiff layer sums gradients of broadcast inputs back to their shapes and casts them to their dtypes.
 */
export type Pullback<P> = (args: PullbackArgs<P>, T: GradBuilder) => (Tensor | null)[];

/**
 * What an op knows about one length of an output, in terms of its inputs (PyTensor's `infer_shape`, in the form
 * the shape prover in `src/rewrite/shape-proofs.ts` reads):
 * - a number: the length is known;
 * - `{ input, axis }`: the length of axis `axis` of input `input`;
 * - `{ size }`: the value of input `size`, an integer scalar given as a size (alloc, reshape);
 * - `{ broadcast }`: the numpy broadcast of several lengths (elementwise ops);
 * - null: nothing beyond what the output type says.
 */
export type LengthFact =
  | number
  | { readonly input: number; readonly axis: number }
  | { readonly size: number }
  | { readonly broadcast: readonly LengthFact[] }
  | null;

/**
 * The lengths of each output's axes, from the input types and params: one list per output, one fact per axis.
 * An output left out (or a shorter list) is unknown beyond its type.
 */
export type InferShape<P> = (inputs: readonly TensorType[], params: P) => readonly (readonly LengthFact[])[];

/** For ops that know nothing about their output lengths beyond the output types. */
export const NO_SHAPE_FACTS: InferShape<unknown> = () => [];

/** How `pp` writes an application of the op. */
export type PrintSpec<P> =
  | { kind: 'infix'; symbol: string; precedence: number; associativity: 'left' | 'right' | 'none' }
  | { kind: 'prefix'; symbol: string; precedence: number }
  | { kind: 'call'; name?: (params: P) => string; args?: (params: P) => string[] }
  /** Any other form (`x[1:3]`): `format` writes it from the printed inputs. */
  | { kind: 'custom'; format: (args: readonly PrintedArg[], params: P) => string };

/** An input as `pp` printed it: `text`, and `atom`, the text in parentheses unless it binds like a name. */
export interface PrintedArg {
  readonly text: string;
  readonly atom: string;
  /** `text`'s precedence (100: an atom), so an inner graph can place it without extra parentheses. */
  readonly precedence?: number;
}

/**
 * One op, one place: every aspect of an op is a field of its definition, and each field is required, so an op
 * missing an aspect does not compile.
 */
export interface OpDef<P = unknown> {
  readonly name: string;
  /** The output types from the input types; throws a clear error for inputs the op cannot take. */
  inferType(inputs: readonly TensorType[], params: P): TensorType[];
  /**
   * The reference implementation: fresh output arrays (never views of inputs that a caller may write). An op may
   * take its outputs from `alloc` (zero-filled, contiguous, like `NDArray.zeros`): the generated-code linker
   * passes buffers from the function's pool there, so large results (matrix products) are not reallocated on
   * every call. `kernels`: the backend's run-time kernels, when the linker chose some.
   */
  evaluate(
    inputs: readonly NDArray[],
    params: P,
    outputTypes: readonly TensorType[],
    alloc?: OutputAllocator,
    kernels?: RuntimeKernels,
  ): NDArray[];
  /** The output lengths in terms of the inputs (see `LengthFact`); `NO_SHAPE_FACTS` when nothing is known. */
  inferShape: InferShape<P>;
  /** The gradient slot: `undefined` until the autodiff issue fills it; 'nondifferentiable' for integer-valued ops. */
  readonly pullback: Pullback<P> | 'nondifferentiable' | undefined;
  readonly print: PrintSpec<P>;
  /** Structural equality of params (for merging equal nodes); identity when absent. */
  paramsKey?(params: P): string;
  /**
   * For ops whose output is a re-indexing of input 0 (dimshuffle, slicing, reshape): the output as a view sharing
   * input 0's data, or null when it cannot be one for these inputs (a reshape of a strided array). The
   * generated-code linker uses it instead of `evaluate` (no copy) and keeps the input's buffer alive as long as
   * the view is read; `evaluate` stays the reference (a fresh copy).
   */
  view?(inputs: readonly NDArray[], params: P): NDArray | null;
}
