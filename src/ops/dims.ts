/**
 * Helpers shared by the shape and structure ops: integer arguments that are either known when the graph is built
 * (a number in the op's params, so static shapes can use it) or symbolic (an integer scalar input read at run
 * time), and index walks for the reference implementations.
 */
import type { PrintedArg } from '../graph/op.js';
import { NDArray, shapeToString } from '../runtime/ndarray.js';
import { isFloat, isInt, type DType } from '../types/dtype.js';
import type { StaticDim, TensorType } from '../types/tensor-type.js';
import type { IndexTensor } from '../tensor/indexing.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Rank } from '../types/rank.js';

/** An integer argument: a number known at build time, or null: the op's next integer scalar input. */
export type DimParam = number | null;

export const countSymbolic = (params: readonly DimParam[]): number => params.filter((p) => p === null).length;

/**
 * Checks that `inputs[first..]` are exactly `count` scalars (the symbolic arguments): integer ones, or any numeric
 * ones when `numeric` (arange's bounds may be fractional).
 */
export function checkScalarInputs(
  inputs: readonly TensorType[],
  first: number,
  count: number,
  opName: string,
  what: string,
  numeric = false,
): void {
  if (inputs.length !== first + count) {
    throw new TypeError(
      `${opName}: expected ${first + count} inputs (${count} symbolic ${what}), got ${inputs.length}`,
    );
  }
  for (let i = first; i < inputs.length; i++) {
    const t = inputs[i]!;
    const ok = t.ndim === 0 && (isInt(t.dtype) || (numeric && isFloat(t.dtype)));
    if (!ok)
      throw new TypeError(
        `${opName}: a symbolic ${what} must be ${numeric ? 'a numeric' : 'an integer'} scalar, got ${t}`,
      );
  }
}

/** A rank-0 (or one-element) array's value as a JS number. */
export function scalarValue(a: NDArray): number {
  return Number(a.item(0));
}

/** `params` with every null filled, in order, from the scalar inputs starting at `first`. */
export function resolveParams(params: readonly DimParam[], inputs: readonly NDArray[], first: number): number[] {
  let next = first;
  return params.map((p) => (p === null ? scalarValue(inputs[next++]!) : p));
}

/** The text of a param list for messages: `[2, ?, -1]`, `?` for a symbolic entry. */
export const dimsText = (params: readonly DimParam[]): string => `[${params.map((p) => p ?? '?').join(', ')}]`;

/** For `pp`: each param as text, a symbolic entry as its printed input (`[2, n, -1]`), inputs read from `first`. */
export function printedParams(params: readonly DimParam[], args: readonly PrintedArg[], first: number): string[] {
  let next = first;
  return params.map((p) => (p === null ? (args[next++]?.text ?? '?') : String(p)));
}

/** The product of static dims, or null when one is unknown. */
export function staticSize(shape: readonly StaticDim[]): number | null {
  let n = 1;
  for (const d of shape) {
    if (d === null) return null;
    n *= d;
  }
  return n;
}

/** Normalises a possibly negative axis of a rank-`ndim` tensor, or throws naming the op. */
export function normalizeAxis(axis: number, ndim: number, opName: string): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new RangeError(`${opName}: axis ${axis} is out of range for a tensor of rank ${ndim}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** The position in `a.data` of the element at multi-index `idx`. */
export function dataPosition(a: NDArray, idx: readonly number[]): number {
  let pos = a.offset;
  for (let k = 0; k < idx.length; k++) pos += idx[k]! * a.strides[k]!;
  return pos;
}

/** Calls `visit(idx, i)` for every multi-index of `shape` in row-major order (`i` counts from 0). */
export function forEachIndex(shape: readonly number[], visit: (idx: readonly number[], i: number) => void): void {
  let n = 1;
  for (const d of shape) n *= d;
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    visit(idx, i);
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++idx[k]! < shape[k]!) break;
      idx[k] = 0;
    }
  }
}

/**
 * A fresh contiguous array of `shape` whose element at `idx` is `src`'s element at data position `source(idx)`
 * (`src` must already have the output's dtype).
 */
export function gather(src: NDArray, shape: readonly number[], source: (idx: readonly number[]) => number): NDArray {
  const out = NDArray.zeros(src.dtype, shape);
  const from = src.data as ArrayLike<number | bigint>;
  const to = out.data as unknown as { [i: number]: number | bigint };
  forEachIndex(shape, (idx, i) => {
    to[i] = from[source(idx)]!;
  });
  return out;
}

/**
 * `a`'s strides for reading it as broadcast to `shape` (right-aligned; zero along axes it lacks or stretches from
 * length 1). The caller checked that `a` broadcasts to `shape`.
 */
export function broadcastStrides(a: NDArray, shape: readonly number[]): number[] {
  const pad = shape.length - a.shape.length;
  return shape.map((_, k) => (k < pad || a.shape[k - pad] === 1 ? 0 : a.strides[k - pad]!));
}

/** A fresh contiguous copy of `a` with another shape of the same size. */
export function reshaped(a: NDArray, shape: readonly number[]): NDArray {
  return new NDArray(a.dtype as DType, shape, a.copy().data);
}

export const show = shapeToString;

/**
 * `t` as the integer index tensor `T.take` is typed to take: for the index inputs of an op (its inferType checked
 * they are integers) and for integer results a pullback computed.
 */
export function integerIndices(t: Tensor): IndexTensor<Rank> {
  if (!isInt(t.dtype)) throw new TypeError(`internal: expected integer indices, got ${t.type}`);
  return t as IndexTensor<Rank>;
}
