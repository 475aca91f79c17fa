/**
 * Advanced indexing with an integer tensor along one axis (numpy `take`, `x[idx]`; Theano's AdvancedSubtensor1
 * and AdvancedIncSubtensor1): the indexed axis is replaced by the axes of the index tensor.
 */
import type { GradBuilder, OpDef } from '../graph/op.js';
import { NDArray, shapeSize } from '../runtime/ndarray.js';
import { isInt } from '../types/dtype.js';
import { TensorType, type StaticDim } from '../types/tensor-type.js';
import type { Tensor } from '../tensor/tensor.js';
import { integerIndices } from './dims.js';
import { checkUpdateValue, writeRegion, type IncMode } from './subtensor.js';
import { NO_SHAPE_FACTS, axesOf } from './shape-facts.js';

export interface TakeParams {
  /** The indexed axis (non-negative). */
  readonly axis: number;
}

/** The shape of `take(x, indices, axis)`: `x.shape[:axis] + indices.shape + x.shape[axis + 1:]`. */
export function takeShape<T>(x: readonly T[], indices: readonly T[], axis: number): T[] {
  return [...x.slice(0, axis), ...indices, ...x.slice(axis + 1)];
}

function checkTake(opName: string, x: TensorType, indices: TensorType, axis: number): void {
  if (x.ndim === 0) throw new RangeError(`${opName}: a scalar (${x}) cannot be indexed`);
  if (!Number.isInteger(axis) || axis < 0 || axis >= x.ndim)
    throw new RangeError(`${opName}: axis ${axis} is out of range for ${x}`);
  if (indices.dtype === 'bool')
    throw new TypeError(`${opName}: boolean mask indices (${indices}) are not supported; use integer indices`);
  if (!isInt(indices.dtype)) throw new TypeError(`${opName}: indices must have an integer dtype, got ${indices}`);
  if (x.ndim - 1 + indices.ndim > 8)
    throw new RangeError(`${opName}: the result would have rank ${x.ndim - 1 + indices.ndim}, more than 8`);
}

/**
 * The positions selected along the axis, negative ones wrapped; an index outside [-n, n) is an error naming
 * the index, the axis and its length.
 */
function readIndices(opName: string, indices: NDArray, axis: number, n: number): number[] {
  const out = new Array<number>(indices.size);
  for (let j = 0; j < out.length; j++) {
    const i = Number(indices.item(j));
    if (i < -n || i >= n)
      throw new RangeError(`${opName}: index ${i} is out of bounds for axis ${axis} with size ${n}`);
    out[j] = i < 0 ? i + n : i;
  }
  return out;
}

/** Sizes around the axis in a contiguous layout: `outer` blocks of `n` rows of `inner` elements. */
function blocks(shape: readonly number[], axis: number): { outer: number; n: number; inner: number } {
  return { outer: shapeSize(shape.slice(0, axis)), n: shape[axis]!, inner: shapeSize(shape.slice(axis + 1)) };
}

const takeText = (x: string, indices: string, axis: number) =>
  axis === 0 ? `${x}[${indices}]` : `take(${x}, ${indices}, axis=${axis})`;

/** `take(x, indices, axis)`: a fresh array of the selected rows. Inputs: x, indices. */
export const TAKE: OpDef<TakeParams> = {
  name: 'take',
  inferShape: NO_SHAPE_FACTS,
  inferType([x, indices], { axis }) {
    checkTake('take', x!, indices!, axis);
    return [new TensorType(x!.dtype, takeShape<StaticDim>(x!.shape, indices!.shape, axis))];
  },
  evaluate([x, indices], { axis }) {
    const a = x!.contiguous();
    const { outer, n, inner } = blocks(a.shape, axis);
    const rows = readIndices('take', indices!, axis, n);
    const out = NDArray.zeros(a.dtype, takeShape(a.shape, indices!.shape, axis));
    const src = a.data as unknown as { subarray(b: number, e: number): ArrayLike<number> & ArrayLike<bigint> };
    const dst = out.data as unknown as { set(v: ArrayLike<number> | ArrayLike<bigint>, at: number): void };
    let at = 0;
    for (let o = 0; o < outer; o++) {
      for (const i of rows) {
        const from = (o * n + i) * inner;
        dst.set(src.subarray(from, from + inner), at);
        at += inner;
      }
    }
    return [out];
  },
  // z = take(x, i, axis): gx = inc_subtensor(take(zeros_like(x), i, axis), gz), a scatter-add, so a row taken
  // k times gets the sum of its k gradients; the indices get none.
  pullback: ({ inputs: [x, indices], grads: [gz], params: { axis } }, T) => {
    if (!gz) return [null, null];
    return [T.incSubtensor(T.take(T.zerosLike(x!), integerIndices(indices!), axis), gz), null];
  },
  print: { kind: 'custom', format: ([x, indices], { axis }) => takeText(x!.atom, indices!.text, axis) },
  paramsKey: (p) => String(p.axis),
};

/** Whether constant indices select distinct rows of an axis of static length n (null: unknown) at build time. */
function distinctRows(indices: Tensor, n: number | null): boolean {
  const data = indices.data;
  if (data === undefined) return false;
  const values: number[] = [];
  for (let j = 0; j < data.size; j++) values.push(Number(data.item(j)));
  // without the length, a negative index and a non-negative one may name the same row
  if (n === null && values.some((v) => v < 0) && values.some((v) => v >= 0)) return false;
  const wrapped = n === null ? values : values.map((v) => (v < 0 ? v + n : v));
  return new Set(wrapped).size === wrapped.length;
}

/**
 * For `set_subtensor(take(x, i, axis), y)`: true at region row j when no later j' writes the same row of x
 * (i[j'] names the row i[j]), shaped to broadcast against the region `x.shape[:axis] + i.shape + ...`.
 * Computed as numpy would: `last = full(n, -1); last[i.ravel()] = arange(i.size)`, then `last[i] == arange`.
 */
function lastWriteMask(x: Tensor, indices: Tensor, axis: number, T: GradBuilder): Tensor {
  const flat = T.reshape(indices, [-1]);
  const order = T.arange(T.shape(flat, 0));
  const unset = T.alloc(T.constant(-1, { dtype: order.dtype }), T.shape(x, axis));
  const last = T.setSubtensor(T.take(unset, integerIndices(flat), 0), order);
  const mask = T.reshape(T.eq(T.take(last, integerIndices(flat), 0), order), T.shape(indices), indices.ndim);
  const pattern: (number | 'x')[] = [];
  for (let k = 0; k < x.ndim - 1 + indices.ndim; k++)
    pattern.push(k < axis || k >= axis + indices.ndim ? 'x' : k - axis);
  return T.dimshuffle(mask, pattern);
}

export interface AdvancedIncSubtensorParams {
  readonly mode: IncMode;
  readonly axis: number;
}

const incName = (mode: IncMode) => (mode === 'set' ? 'set_subtensor' : 'inc_subtensor');

/**
 * `set_subtensor(x[indices], y)` / `inc_subtensor(x[indices], y)` along one axis: a copy of x with the selected
 * rows set to (incremented by) y broadcast to the shape `take` would give. Repeated indices accumulate when
 * incrementing (numpy's `np.add.at`); when setting, the last one wins. Inputs: x, y, indices.
 */
export const ADVANCED_INC_SUBTENSOR: OpDef<AdvancedIncSubtensorParams> = {
  name: 'advanced_inc_subtensor',
  inferShape: (inputs) => [axesOf(inputs, 0)],
  inferType([x, y, indices], { mode, axis }) {
    const name = incName(mode);
    checkTake(name, x!, indices!, axis);
    checkUpdateValue(name, x!, y!, takeShape<StaticDim>(x!.shape, indices!.shape, axis));
    return [x!];
  },
  evaluate([x, y, indices], { mode, axis }) {
    const name = incName(mode);
    const out = x!.copy();
    const { n, inner } = blocks(out.shape, axis);
    const rows = readIndices(name, indices!, axis, n);
    const m = rows.length;
    // region position r = ((o * m) + j) * inner + k  ->  storage position ((o * n) + rows[j]) * inner + k
    const target = (r: number) => {
      const k = r % inner;
      const q = (r - k) / inner;
      const j = q % m;
      return (((q - j) / m) * n + rows[j]!) * inner + k;
    };
    writeRegion(name, out, takeShape(out.shape, indices!.shape, axis), target, y!, mode);
    return [out];
  },
  // z = inc_subtensor(take(x, i, axis), y) = x + scatter_add(broadcast(y)): gx = gz, and region row j of y lands
  // on row i[j], so gy = sum_to_shape(take(gz, i, axis), y).
  // z = set_subtensor(take(x, i, axis), y): gx = set_subtensor(take(gz, i, axis), 0); only the last write to a
  // row stays, so region row j gets gz[i[j]] when j is the last occurrence of i[j] and 0 otherwise:
  // gy = sum_to_shape(switch(last_write(i), take(gz, i, axis), 0), y).
  pullback: ({ inputs: [x, y, indices], grads: [gz], params: { mode, axis } }, T) => {
    if (!gz) return [null, null, null];
    const region = T.take(gz, integerIndices(indices!), axis);
    if (mode === 'inc') return [gz, T.sumToShape(region, y!), null];
    const gx = T.setSubtensor(region, 0);
    const kept = distinctRows(indices!, x!.type.shape[axis] ?? null)
      ? region
      : T.switch(lastWriteMask(x!, indices!, axis, T), region, 0);
    return [gx, T.sumToShape(kept, y!), null];
  },
  print: {
    kind: 'custom',
    format: ([x, y, indices], { mode, axis }) =>
      `${incName(mode)}(${takeText(x!.atom, indices!.text, axis)}, ${y!.text})`,
  },
  paramsKey: (p) => `${p.mode}|${p.axis}`,
};
