/**
 * numpy's advanced indexing with several integer index arrays (Theano's AdvancedSubtensor and
 * AdvancedIncSubtensor): `x[i, j]`, `x[arange(n), y]`, `x[i, :, j]`. The index arrays broadcast together to a
 * shape B; the indexed axes are replaced by B, in their place when they are adjacent and in front otherwise, as
 * numpy does. Axes given a full slice (and trailing axes) are kept. Slices with bounds and new axes are handled by
 * the builder around these ops (a basic subtensor first).
 */
import type { GradBuilder, LengthFact, OpDef } from '../graph/op.js';
import { NDArray, shapeSize } from '../runtime/ndarray.js';
import { isInt } from '../types/dtype.js';
import { MAX_RANK } from '../types/rank.js';
import { TensorType, broadcastShapes, broadcastStatic, type StaticDim } from '../types/tensor-type.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkUpdateValue, writeRegion, type IncMode } from './subtensor.js';
import { axesOf } from './shape-facts.js';
import { broadcastStrides } from './dims.js';

/** Per axis of x (the first `pattern.length`; the rest are 'all'): an index array, or the whole axis. */
export type AdvancedEntry = 'index' | 'all';

export interface AdvancedSubtensorParams {
  readonly pattern: readonly AdvancedEntry[];
}

/** Where the broadcast index axes go in the result, and which axes of x come before and after them. */
interface Layout {
  /** The axes of x indexed by arrays, in order (one per index array). */
  readonly indexed: readonly number[];
  /** Axes of x kept before the broadcast index axes (none when the indexed axes are not adjacent). */
  readonly before: readonly number[];
  /** Axes of x kept after them. */
  readonly after: readonly number[];
}

function layoutOf(ndim: number, pattern: readonly AdvancedEntry[]): Layout {
  const indexed = pattern.flatMap((e, k) => (e === 'index' ? [k] : []));
  const kept = Array.from({ length: ndim }, (_, k) => k).filter((k) => !indexed.includes(k));
  const adjacent = indexed.every((a, j) => j === 0 || a === indexed[j - 1]! + 1);
  const first = adjacent ? indexed[0]! : 0;
  return { indexed, before: kept.filter((k) => k < first), after: kept.filter((k) => k >= first) };
}

/** The result shape: kept axes before, the broadcast shape B, kept axes after. */
function resultShape<T>(x: readonly T[], broadcast: readonly T[], layout: Layout): T[] {
  return [...layout.before.map((k) => x[k]!), ...broadcast, ...layout.after.map((k) => x[k]!)];
}

/** Checks x and the index arrays, and returns the static broadcast shape of the index arrays. */
function checkIndexArrays(
  opName: string,
  x: TensorType,
  indices: readonly TensorType[],
  pattern: readonly AdvancedEntry[],
): StaticDim[] {
  if (pattern.length > x.ndim)
    throw new RangeError(`${opName}: too many indices for a tensor of rank ${x.ndim}: ${pattern.length}`);
  const count = pattern.filter((e) => e === 'index').length;
  if (count !== indices.length || count === 0)
    throw new RangeError(`internal: ${opName} has ${indices.length} index inputs for ${count} indexed axes`);
  indices.forEach((t, j) => {
    if (t.dtype === 'bool')
      throw new TypeError(`${opName}: boolean mask indices (${t}) are not supported; use integer indices`);
    if (!isInt(t.dtype)) throw new TypeError(`${opName}: index ${j} must have an integer dtype, got ${t}`);
  });
  const b = broadcastStatic(indices.map((t) => t.shape));
  if (typeof b === 'string')
    throw new RangeError(
      `${opName}: the index arrays (${indices.map(String).join(', ')}) do not broadcast together: ${b}`,
    );
  const rank = x.ndim - count + b.length;
  if (rank > MAX_RANK) throw new RangeError(`${opName}: the result would have rank ${rank}, more than ${MAX_RANK}`);
  return b;
}

/** What evaluation needs: the result shape and, per part of a result position, the storage offset in x. */
interface Plan {
  readonly shape: number[];
  /** Offsets of the kept axes before B, of each position of B (from the index values), of the kept axes after. */
  readonly before: readonly number[];
  readonly middle: readonly number[];
  readonly after: readonly number[];
}

/** Storage offsets of every position of the given axes of a contiguous array (row-major over those axes). */
function offsetsOf(shape: readonly number[], strides: readonly number[], axes: readonly number[]): number[] {
  const out = [0];
  for (const k of axes) {
    const n = shape[k]!;
    const s = strides[k]!;
    const next: number[] = new Array<number>(out.length * n);
    let at = 0;
    for (const base of out) for (let i = 0; i < n; i++) next[at++] = base + i * s;
    out.length = 0;
    out.push(...next);
  }
  return out;
}

/**
 * Offsets of each position of the broadcast shape: sum over index arrays of (wrapped index) * stride of its axis.
 * An index outside [-n, n) is an error naming it, the axis and the length.
 */
function indexOffsets(
  opName: string,
  shape: readonly number[],
  strides: readonly number[],
  layout: Layout,
  indices: readonly NDArray[],
  broadcast: readonly number[],
): number[] {
  const size = shapeSize(broadcast);
  const out = new Array<number>(size).fill(0);
  indices.forEach((idx, j) => {
    const axis = layout.indexed[j]!;
    const n = shape[axis]!;
    const view = broadcastView(idx, broadcast);
    for (let r = 0; r < size; r++) {
      const i = Number(view.item(r));
      if (i < -n || i >= n)
        throw new RangeError(`${opName}: index ${i} is out of bounds for axis ${axis} with size ${n}`);
      out[r]! += (i < 0 ? i + n : i) * strides[axis]!;
    }
  });
  return out;
}

/** `a` read with the strides of the broadcast shape (zero stride along stretched axes). */
function broadcastView(a: NDArray, shape: readonly number[]): NDArray {
  return new NDArray(a.dtype, shape, a.data, broadcastStrides(a, shape), a.offset);
}

function planOf(opName: string, x: NDArray, indices: readonly NDArray[], pattern: readonly AdvancedEntry[]): Plan {
  const broadcast = broadcastShapes(indices.map((t) => t.shape));
  if (typeof broadcast === 'string') throw new RangeError(`${opName}: the index arrays' ${broadcast}`);
  const layout = layoutOf(x.ndim, pattern);
  const strides = x.strides;
  return {
    shape: resultShape(x.shape, broadcast, layout),
    before: offsetsOf(x.shape, strides, layout.before),
    middle: indexOffsets(opName, x.shape, strides, layout, indices, broadcast),
    after: offsetsOf(x.shape, strides, layout.after),
  };
}

/** Calls `visit(r, position)` for each result position r (row-major) and its storage position in x. */
function forEachPosition(plan: Plan, visit: (r: number, position: number) => void): void {
  let r = 0;
  for (const p of plan.before) for (const m of plan.middle) for (const q of plan.after) visit(r++, p + m + q);
}

const subtensorText = (args: readonly string[], pattern: readonly AdvancedEntry[]) => {
  let next = 1;
  return pattern.map((e) => (e === 'index' ? args[next++]! : ':')).join(', ');
};

/** The result of indexing x with the index arrays: `x[i, j]`. Inputs: x, then one index array per 'index'. */
export const ADVANCED_SUBTENSOR: OpDef<AdvancedSubtensorParams> = {
  name: 'advanced_subtensor',
  inferShape([x, ...indices], { pattern }) {
    const layout = layoutOf(x!.ndim, pattern);
    const rank = Math.max(...indices.map((t) => t.ndim));
    // each axis of B is the broadcast of the index arrays' lengths there (right-aligned)
    const middle: LengthFact[] = Array.from({ length: rank }, (_, k) => ({
      broadcast: indices.flatMap((t, j) => {
        const axis = k - (rank - t.ndim);
        return axis >= 0 ? [{ input: j + 1, axis }] : [];
      }),
    }));
    const axis = (k: number): LengthFact => ({ input: 0, axis: k });
    return [[...layout.before.map(axis), ...middle, ...layout.after.map(axis)]];
  },
  inferType([x, ...indices], { pattern }) {
    const b = checkIndexArrays('advanced_subtensor', x!, indices, pattern);
    return [new TensorType(x!.dtype, resultShape<StaticDim>(x!.shape, b, layoutOf(x!.ndim, pattern)))];
  },
  evaluate([x, ...indices], { pattern }) {
    const a = x!.contiguous();
    const plan = planOf('advanced_subtensor', a, indices, pattern);
    const out = NDArray.zeros(a.dtype, plan.shape);
    const src = a.data as unknown as ArrayLike<unknown>;
    const dst = out.data as unknown as { [i: number]: unknown };
    forEachPosition(plan, (r, position) => {
      dst[r] = src[position];
    });
    return [out];
  },
  // z = x[i, j]: gx = inc_subtensor(zeros_like(x)[i, j], gz), a scatter-add, so a position picked k times gets the
  // sum of its k gradients; the indices get none.
  pullback: ({ inputs: [x, ...indices], grads: [gz], params: { pattern } }, T) => {
    if (!gz) return [null, ...indices.map(() => null)];
    const region = T.getItem(T.zerosLike(x!), indexArgs(pattern, indices, T));
    return [T.incSubtensor(region, gz), ...indices.map(() => null)];
  },
  print: {
    kind: 'custom',
    format: (args, { pattern }) =>
      `${args[0]!.atom}[${subtensorText(
        args.map((a) => a.text),
        pattern,
      )}]`,
  },
  paramsKey: (p) => p.pattern.join(','),
};

/** The builder arguments that index like `pattern` with these index arrays (`T.slice()` for 'all'). */
function indexArgs(pattern: readonly AdvancedEntry[], indices: readonly Tensor[], T: GradBuilder): unknown[] {
  let next = 0;
  return pattern.map((e) => (e === 'index' ? indices[next++]! : T.slice()));
}

/**
 * For `set_subtensor(x[i, j], y)`: true at position b of the broadcast index shape when no later position writes
 * the same element (last write wins), shaped to broadcast against the region. As numpy would compute it, on a
 * tensor holding only the indexed axes: `last = full(x.shape[indexed], -1); last[i, j] = order; last[i, j] == order`.
 */
function lastWriteMask(x: Tensor, indices: readonly Tensor[], pattern: readonly AdvancedEntry[], T: GradBuilder) {
  const layout = layoutOf(x.ndim, pattern);
  let zeros = T.zerosLike(indices[0]!);
  for (const t of indices.slice(1)) zeros = T.add(zeros, T.zerosLike(t)); // shape B
  const order = T.reshape(T.arange(T.prod(T.shape(zeros), null)), T.shape(zeros), zeros.ndim);
  const sizes = layout.indexed.map((k) => T.shape(x, k));
  const unset = T.alloc(T.constant(-1, { dtype: order.dtype }), ...sizes);
  const last = T.setSubtensor(T.getItem(unset, indices), order);
  const mask = T.eq(T.getItem(last, indices), order);
  const pattern2: (number | 'x')[] = [
    ...layout.before.map(() => 'x' as const),
    ...Array.from({ length: mask.ndim }, (_, k) => k),
    ...layout.after.map(() => 'x' as const),
  ];
  return T.dimshuffle(mask, pattern2);
}

export interface AdvancedIncSubtensorParams extends AdvancedSubtensorParams {
  readonly mode: IncMode;
}

const incName = (mode: IncMode) => (mode === 'set' ? 'set_subtensor' : 'inc_subtensor');

/**
 * `set_subtensor(x[i, j], y)` / `inc_subtensor(x[i, j], y)`: a copy of x with the selected elements set to
 * (incremented by) y broadcast to the shape `x[i, j]` has. Repeated positions accumulate when incrementing
 * (numpy's `np.add.at`); when setting, the last one wins. Inputs: x, y, then the index arrays.
 */
export const ADVANCED_INC_SUBTENSOR_ND: OpDef<AdvancedIncSubtensorParams> = {
  name: 'advanced_inc_subtensor_nd',
  inferShape: (inputs) => [axesOf(inputs, 0)],
  inferType([x, y, ...indices], { mode, pattern }) {
    const name = incName(mode);
    const b = checkIndexArrays(name, x!, indices, pattern);
    checkUpdateValue(name, x!, y!, resultShape<StaticDim>(x!.shape, b, layoutOf(x!.ndim, pattern)));
    return [x!];
  },
  evaluate([x, y, ...indices], { mode, pattern }) {
    const name = incName(mode);
    const out = x!.copy();
    const plan = planOf(name, out, indices, pattern);
    const targets = new Array<number>(shapeSize(plan.shape));
    forEachPosition(plan, (r, position) => {
      targets[r] = position;
    });
    writeRegion(name, out, plan.shape, (r) => targets[r]!, y!, mode);
    return [out];
  },
  // z = inc_subtensor(x[i, j], y) = x + scatter_add(broadcast(y)): gx = gz, gy = sum_to_shape(gz[i, j], y).
  // z = set_subtensor(x[i, j], y): gx = set_subtensor(gz[i, j], 0); only the last write to a position stays, so
  // gy = sum_to_shape(switch(last_write, gz[i, j], 0), y).
  pullback: ({ inputs: [x, y, ...indices], grads: [gz], params: { mode, pattern } }, T) => {
    const none = indices.map(() => null);
    if (!gz) return [null, null, ...none];
    const args = indexArgs(pattern, indices, T);
    const region = T.getItem(gz, args);
    if (mode === 'inc') return [gz, T.sumToShape(region, y!), ...none];
    const gx = T.setSubtensor(region, 0);
    const kept = T.switch(lastWriteMask(x!, indices, pattern, T), region, 0);
    return [gx, T.sumToShape(kept, y!), ...none];
  },
  print: {
    kind: 'custom',
    format: (args, { mode, pattern }) => {
      const texts = [args[0]!.text, ...args.slice(2).map((a) => a.text)];
      return `${incName(mode)}(${args[0]!.atom}[${subtensorText(texts, pattern)}], ${args[1]!.text})`;
    },
  },
  paramsKey: (p) => `${p.mode}|${p.pattern.join(',')}`,
};
