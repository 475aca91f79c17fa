/**
 * Sorting and searching (numpy's `sort`, `argsort`, PyTensor's `topk`/`argtopk`, `searchsorted`): ops that
 * order the elements along one axis. The order is numpy's: ascending, stable (equal elements keep their order),
 * NaN after every number.
 */
import type { GradBuilder, OpDef } from '../graph/op.js';
import { NDArray, shapeSize } from '../runtime/ndarray.js';
import { TensorType } from '../types/tensor-type.js';
import type { Tensor } from '../tensor/tensor.js';
import { axesOf } from './shape-facts.js';

type Scalar = number | bigint;

/** numpy's order: ascending, NaN last (two NaNs are equal). */
export function compareValues(a: Scalar, b: Scalar): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const aNaN = a !== a; // eslint-disable-line no-self-compare
  const bNaN = b !== b; // eslint-disable-line no-self-compare
  return aNaN === bNaN ? 0 : aNaN ? 1 : -1;
}

/** A contiguous array seen as `outer` blocks of lines of length `n` with `inner` lines interleaved. */
interface Lines {
  readonly outer: number;
  readonly n: number;
  readonly inner: number;
  readonly data: ArrayLike<Scalar>;
}

function linesOf(x: NDArray, axis: number): Lines {
  const c = x.contiguous();
  return {
    outer: shapeSize(c.shape.slice(0, axis)),
    n: c.shape[axis]!,
    inner: shapeSize(c.shape.slice(axis + 1)),
    data: c.data as ArrayLike<Scalar>,
  };
}

/**
 * Calls `visit(order, base)` for every line: `order` holds the positions 0..n-1 of the line sorted stably by
 * `compare` of their values, and element k of the line is at `base + k * inner`.
 */
function forEachSortedLine(
  lines: Lines,
  compare: (a: Scalar, b: Scalar) => number,
  visit: (order: number[], base: number) => void,
): void {
  const { outer, n, inner, data } = lines;
  const order = new Array<number>(n);
  const values = new Array<Scalar>(n);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      for (let k = 0; k < n; k++) {
        order[k] = k;
        values[k] = data[base + k * inner]!;
      }
      order.sort((a, b) => compare(values[a]!, values[b]!) || a - b);
      visit(order, base);
    }
  }
}

/** The positions along `axis` as index arrays for `x.get(...)`: `x[i0, i1, ..., idx, ...]` takes idx along axis. */
export function alongAxisIndices(x: Tensor, idx: Tensor, axis: number, T: GradBuilder): Tensor[] {
  return Array.from({ length: x.ndim }, (_, k) => {
    if (k === axis) return idx;
    const pattern = Array.from({ length: x.ndim }, (_, j) => (j === k ? 0 : ('x' as const)));
    return T.dimshuffle(T.arange(T.shape(x, k)), pattern);
  });
}

/** The gradient of a selection along an axis: gz scattered back to the positions `idx` it came from. */
function scatterAlongAxis(x: Tensor, idx: Tensor, gz: Tensor, axis: number, T: GradBuilder): Tensor {
  return T.incSubtensor(T.getItem(T.zerosLike(x), alongAxisIndices(x, idx, axis, T)), gz);
}

function checkAxis(opName: string, x: TensorType, axis: number): void {
  if (x.ndim === 0) throw new RangeError(`${opName}: a scalar (${x}) has no axis to sort along`);
  if (!Number.isInteger(axis) || axis < 0 || axis >= x.ndim)
    throw new RangeError(`${opName}: axis ${axis} is out of range for ${x}`);
}

export interface SortParams {
  /** The axis sorted along (non-negative; the builder flattens for `axis: null`). */
  readonly axis: number;
}

/** `sort(x, axis)`: the values along the axis in ascending order, NaN last; stable. */
export const SORT: OpDef<SortParams> = {
  name: 'sort',
  inferShape: (inputs) => [axesOf(inputs, 0)],
  inferType([x], { axis }) {
    checkAxis('sort', x!, axis);
    return [x!];
  },
  evaluate([x], { axis }) {
    const lines = linesOf(x!, axis);
    const out = NDArray.zeros(x!.dtype, x!.shape);
    const dst = out.data as unknown as { [i: number]: Scalar };
    forEachSortedLine(lines, compareValues, (order, base) => {
      order.forEach((k, j) => {
        dst[base + j * lines.inner] = lines.data[base + k * lines.inner]!;
      });
    });
    return [out];
  },
  // z = x[..., argsort(x)]: a permutation along the axis, so gx = gz scattered back through it.
  pullback: ({ inputs: [x], grads: [gz], params: { axis } }, T) => {
    if (!gz) return [null];
    const idx = T.argsort(x!, axis);
    return [scatterAlongAxis(x!, idx, gz, axis, T)];
  },
  print: { kind: 'call', args: (p) => [`axis=${p.axis}`] },
  paramsKey: (p) => String(p.axis),
};

/** `argsort(x, axis)`: the positions that sort the axis (int64); stable, NaN last. */
export const ARGSORT: OpDef<SortParams> = {
  name: 'argsort',
  inferShape: (inputs) => [axesOf(inputs, 0)],
  inferType([x], { axis }) {
    checkAxis('argsort', x!, axis);
    return [new TensorType('int64', x!.shape)];
  },
  evaluate([x], { axis }) {
    const lines = linesOf(x!, axis);
    const out = NDArray.zeros('int64', x!.shape);
    const dst = out.data as BigInt64Array;
    forEachSortedLine(lines, compareValues, (order, base) => {
      order.forEach((k, j) => {
        dst[base + j * lines.inner] = BigInt(k);
      });
    });
    return [out];
  },
  pullback: 'nondifferentiable',
  print: { kind: 'call', args: (p) => [`axis=${p.axis}`] },
  paramsKey: (p) => String(p.axis),
};

export interface TopkParams {
  /** How many: k > 0 the largest (descending), k < 0 the smallest (ascending). */
  readonly k: number;
  readonly axis: number;
}

const byLargest = (a: Scalar, b: Scalar) => compareValues(b, a);

/**
 * `topk(x, k, axis)`: outputs the k largest values along the axis in descending order (k < 0: the |k| smallest,
 * ascending) and their positions (int64). Equal values come in order of position; NaN counts as the largest.
 */
export const TOPK: OpDef<TopkParams> = {
  name: 'topk',
  inferShape: ([x], { k, axis }) => {
    const facts = axesOf([x!], 0);
    facts[axis] = Math.abs(k);
    return [facts, facts];
  },
  inferType([x], { k, axis }) {
    checkAxis('topk', x!, axis);
    const n = x!.shape[axis];
    if (!Number.isInteger(k) || k === 0) throw new RangeError(`topk: k must be a non-zero integer, got ${k}`);
    if (n !== null && n !== undefined && Math.abs(k) > n)
      throw new RangeError(`topk: |k| = ${Math.abs(k)} is more than the length ${n} of axis ${axis} of ${x}`);
    const shape = x!.shape.map((d, j) => (j === axis ? Math.abs(k) : d));
    return [new TensorType(x!.dtype, shape), new TensorType('int64', shape)];
  },
  evaluate([x], { k, axis }) {
    const lines = linesOf(x!, axis);
    const m = Math.abs(k);
    if (m > lines.n)
      throw new RangeError(
        `topk: |k| = ${m} is more than the length ${lines.n} of axis ${axis} (shape (${x!.shape.join(', ')}))`,
      );
    const shape = x!.shape.map((d, j) => (j === axis ? m : d));
    const values = NDArray.zeros(x!.dtype, shape);
    const indices = NDArray.zeros('int64', shape);
    const dv = values.data as unknown as { [i: number]: Scalar };
    const di = indices.data as BigInt64Array;
    forEachSortedLine(lines, k > 0 ? byLargest : compareValues, (order, base) => {
      // the line at `base` of x is the line at `outBase` of the outputs (the axis is m long there)
      const o = Math.floor(base / (lines.n * lines.inner));
      const outBase = o * m * lines.inner + (base % lines.inner);
      for (let j = 0; j < m; j++) {
        dv[outBase + j * lines.inner] = lines.data[base + order[j]! * lines.inner]!;
        di[outBase + j * lines.inner] = BigInt(order[j]!);
      }
    });
    return [values, indices];
  },
  // values = x[..., idx]: gx = gz scattered to the positions idx; the positions get none.
  pullback: ({ inputs: [x], outputs: [, idx], grads: [gz], params: { axis } }, T) =>
    gz ? [scatterAlongAxis(x!, idx!, gz, axis, T)] : [null],
  print: { kind: 'call', args: (p) => [`k=${p.k}`, `axis=${p.axis}`] },
  paramsKey: (p) => `${p.k}|${p.axis}`,
};

export interface SearchsortedParams {
  readonly side: 'left' | 'right';
}

/** The first position p of sorted `a` with `a[p] >= v` (left) or `a[p] > v` (right), in numpy's NaN-last order. */
function search(a: ArrayLike<Scalar>, v: Scalar, right: boolean): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const c = compareValues(a[mid]!, v);
    if (c < 0 || (right && c === 0)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A number or, when both sides are 64-bit integers, a bigint: values compared exactly. */
function comparable(a: NDArray, v: NDArray): (x: Scalar) => Scalar {
  const big = a.dtype === 'int64' && v.dtype === 'int64';
  return big ? (x) => x : (x) => Number(x);
}

/** `searchsorted(a, v, side)`: where each value of v would go in the sorted vector a (int64, v's shape). */
export const SEARCHSORTED: OpDef<SearchsortedParams> = {
  name: 'searchsorted',
  inferShape: (inputs) => [axesOf(inputs, 1)],
  inferType([a, v]) {
    if (a!.ndim !== 1) throw new TypeError(`searchsorted: the sorted array must be a vector, got ${a}`);
    return [new TensorType('int64', v!.shape)];
  },
  evaluate([a, v], { side }) {
    const as = comparable(a!, v!);
    const sorted = Array.from(a!.contiguous().data as ArrayLike<Scalar>, as);
    const out = NDArray.zeros('int64', v!.shape);
    const dst = out.data as BigInt64Array;
    for (let j = 0; j < v!.size; j++)
      dst[j] = BigInt(search(sorted, as(v!.data[v!.flatIndex(j)] as Scalar), side === 'right'));
    return [out];
  },
  pullback: 'nondifferentiable',
  print: { kind: 'call', args: (p) => [`side=${p.side}`] },
  paramsKey: (p) => p.side,
};
