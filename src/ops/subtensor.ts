/**
 * Basic indexing (numpy `x[1, 2:5:-1, None]`, Theano's Subtensor and IncSubtensor): integers drop an axis,
 * slices keep it, new axes add one of length 1. Integers and slice bounds are either known when the graph is
 * built (numbers in the params) or symbolic integer scalars (extra op inputs, referenced from the params by
 * position), so the params record the structure of the index and the inputs carry what varies.
 */
import type { GradBuilder, OpDef } from '../graph/op.js';
import { scalarCaster } from '../runtime/convert.js';
import { NDArray, shapeToString } from '../runtime/ndarray.js';
import { canCastSafely, isInt } from '../types/dtype.js';
import { TensorType, type StaticDim } from '../types/tensor-type.js';
import type { IntScalar, SliceBound } from '../tensor/indexing.js';
import type { Tensor } from '../tensor/tensor.js';
import { NO_SHAPE_FACTS, axesOf } from './shape-facts.js';
import { broadcastStrides } from './dims.js';

/** An integer known when the graph is built, or the k-th symbolic index scalar of the node. */
export type IndexValue = number | { readonly symbol: number };

export type IndexEntry =
  | { readonly kind: 'int'; readonly index: IndexValue }
  | {
      readonly kind: 'slice';
      readonly start: IndexValue | null;
      readonly stop: IndexValue | null;
      readonly step: IndexValue | null;
    }
  | { readonly kind: 'newaxis' };

/**
 * The structure of a basic index: one entry per index the user wrote (axes after the last entry are taken
 * whole). A class only so that printing shows it as numpy would (`[1, 2:, newaxis]`).
 */
export class BasicIndex {
  readonly entries: readonly IndexEntry[];
  /** The number of symbolic index scalars the node takes. */
  readonly symbols: number;

  constructor(entries: readonly IndexEntry[]) {
    this.entries = Object.freeze([...entries]);
    let symbols = 0;
    for (const e of entries)
      for (const v of entryValues(e))
        if (typeof v === 'object' && v !== null) symbols = Math.max(symbols, v.symbol + 1);
    this.symbols = symbols;
    Object.freeze(this);
  }

  /** How many axes of the input the index uses up (integers and slices). */
  get consumed(): number {
    return this.entries.filter((e) => e.kind !== 'newaxis').length;
  }

  /** `[1, 2:, newaxis]`; symbolic values print as `names[k]` (or `$k`). */
  toString(names?: readonly string[]): string {
    const text = (v: IndexValue | null): string =>
      v === null ? '' : typeof v === 'number' ? String(v) : (names?.[v.symbol] ?? `$${v.symbol}`);
    const parts = this.entries.map((e) => {
      if (e.kind === 'int') return text(e.index);
      if (e.kind === 'newaxis') return 'newaxis';
      return `${text(e.start)}:${text(e.stop)}${e.step === null ? '' : `:${text(e.step)}`}`;
    });
    return `[${parts.join(', ')}]`;
  }
}

function entryValues(e: IndexEntry): (IndexValue | null)[] {
  return e.kind === 'int' ? [e.index] : e.kind === 'slice' ? [e.start, e.stop, e.step] : [];
}

/**
 * numpy's slice arithmetic (CPython's `PySlice_AdjustIndices`) on an axis of length n: negative bounds count from
 * the end, bounds beyond the axis are clamped, and a negative step walks backwards from the end by default.
 */
export function sliceRange(
  n: number,
  start: number | null,
  stop: number | null,
  step: number | null,
  opName: string,
): { start: number; step: number; length: number } {
  const s = step ?? 1;
  if (s === 0) throw new RangeError(`${opName}: slice step cannot be zero`);
  const clamp = (v: number | null, dflt: number, lo: number, hi: number): number => {
    if (v === null) return dflt;
    const w = v < 0 ? v + n : v;
    return w < lo ? lo : w > hi ? hi : w;
  };
  if (s > 0) {
    const a = clamp(start, 0, 0, n);
    const b = clamp(stop, n, 0, n);
    return { start: a, step: s, length: b > a ? Math.ceil((b - a) / s) : 0 };
  }
  const a = clamp(start, n - 1, -1, n - 1);
  const b = clamp(stop, -1, -1, n - 1);
  return { start: a, step: s, length: a > b ? Math.ceil((a - b) / -s) : 0 };
}

function outOfBounds(opName: string, index: number, axis: number, n: number): RangeError {
  return new RangeError(`${opName}: index ${index} is out of bounds for axis ${axis} with size ${n}`);
}

function checkRank(opName: string, index: BasicIndex, ndim: number): void {
  if (index.consumed > ndim) {
    throw new RangeError(
      `${opName}: too many indices for a tensor of rank ${ndim}: ${index.consumed} integers and slices in ${index}`,
    );
  }
}

/** The static shape of `x[index]`: known where the dimension and every bound involved are known. */
export function indexedStaticShape(opName: string, shape: readonly StaticDim[], index: BasicIndex): StaticDim[] {
  checkRank(opName, index, shape.length);
  const out: StaticDim[] = [];
  let axis = 0;
  const known = (v: IndexValue | null): v is number | null => v === null || typeof v === 'number';
  for (const e of index.entries) {
    if (e.kind === 'newaxis') {
      out.push(1);
      continue;
    }
    const n = shape[axis]!;
    if (e.kind === 'int') {
      if (typeof e.index === 'number' && n !== null && (e.index < -n || e.index >= n))
        throw outOfBounds(opName, e.index, axis, n);
    } else if (e.step === 0) {
      throw new RangeError(`${opName}: slice step cannot be zero`);
    } else if (n !== null && known(e.start) && known(e.stop) && known(e.step)) {
      out.push(sliceRange(n, e.start, e.stop, e.step, opName).length);
    } else {
      out.push(null);
    }
    axis++;
  }
  return [...out, ...shape.slice(axis)];
}

/** Where `x[index]` lies in x's storage. */
export interface View {
  readonly shape: number[];
  readonly strides: number[];
  readonly offset: number;
}

/** The view of `a` that `index` selects, with the symbolic values given; checks integers against the axes. */
export function indexView(opName: string, a: NDArray, index: BasicIndex, symbols: readonly number[]): View {
  checkRank(opName, index, a.ndim);
  const value = (v: IndexValue | null): number | null =>
    v === null ? null : typeof v === 'number' ? v : symbols[v.symbol]!;
  const shape: number[] = [];
  const strides: number[] = [];
  let offset = a.offset;
  let axis = 0;
  for (const e of index.entries) {
    if (e.kind === 'newaxis') {
      shape.push(1);
      strides.push(0);
      continue;
    }
    const n = a.shape[axis]!;
    const stride = a.strides[axis]!;
    if (e.kind === 'int') {
      const i = value(e.index)!;
      if (i < -n || i >= n) throw outOfBounds(opName, i, axis, n);
      offset += (i < 0 ? i + n : i) * stride;
    } else {
      const r = sliceRange(n, value(e.start), value(e.stop), value(e.step), opName);
      shape.push(r.length);
      strides.push(stride * r.step);
      if (r.length > 0) offset += r.start * stride;
    }
    axis++;
  }
  for (; axis < a.ndim; axis++) {
    shape.push(a.shape[axis]!);
    strides.push(a.strides[axis]!);
  }
  return { shape, strides, offset };
}

/** The symbolic index scalars must be integer scalars (bool is a mask in numpy, so it is refused). */
function checkSymbols(opName: string, types: readonly TensorType[], index: BasicIndex): void {
  if (types.length !== index.symbols)
    throw new TypeError(`${opName}: expected ${index.symbols} symbolic index scalars, got ${types.length}`);
  types.forEach((t, k) => {
    if (t.ndim !== 0 || !isInt(t.dtype))
      throw new TypeError(`${opName}: symbolic index ${k} must be an integer scalar, got ${t}`);
  });
}

const symbolValues = (arrays: readonly NDArray[]): number[] => arrays.map((a) => Number(a.item()));

/** The index as builder arguments again (`T.getItem(g, args)` is `g[index]`), symbols taken from the node's inputs. */
function indexArgs(index: BasicIndex, symbols: readonly Tensor[], T: GradBuilder): unknown[] {
  // a symbolic bound is an integer scalar input (inferType checked it)
  const value = (v: IndexValue | null): SliceBound =>
    v === null || typeof v === 'number' ? v : (symbols[v.symbol] as IntScalar);
  return index.entries.map((e) =>
    e.kind === 'int'
      ? value(e.index)
      : e.kind === 'slice'
        ? T.slice(value(e.start), value(e.stop), value(e.step))
        : null,
  );
}

export interface SubtensorParams {
  readonly index: BasicIndex;
}

/** `x[index]`: a fresh copy of the selected region. Inputs: x, then the symbolic index scalars. */
export const SUBTENSOR: OpDef<SubtensorParams> = {
  name: 'subtensor',
  inferShape: NO_SHAPE_FACTS,
  inferType([x, ...symbols], { index }) {
    checkSymbols('subtensor', symbols, index);
    return [new TensorType(x!.dtype, indexedStaticShape('subtensor', x!.shape, index))];
  },
  evaluate: (inputs, params) => [SUBTENSOR.view!(inputs, params)!.copy()], // always a view
  view([x, ...symbols], { index }) {
    const a = x!;
    const view = indexView('subtensor', a, index, symbolValues(symbols));
    return new NDArray(a.dtype, view.shape, a.data, view.strides, view.offset);
  },
  // z = x[index]: dz/dx scatters gz back into zeros of x's shape, gx = inc_subtensor(zeros_like(x)[index], gz);
  // the symbolic index scalars get none.
  pullback: ({ inputs: [x, ...symbols], grads: [gz], params: { index } }, T) => {
    const none = symbols.map(() => null);
    if (!gz) return [null, ...none];
    return [T.incSubtensor(T.getItem(T.zerosLike(x!), indexArgs(index, symbols, T)), gz), ...none];
  },
  print: {
    kind: 'custom',
    format: ([x, ...symbols], { index }) => `${x!.atom}${index.toString(symbols.map((s) => s.text))}`,
  },
  paramsKey: (p) => p.index.toString(),
};

export type IncMode = 'set' | 'inc';

/** Checks the value written into a region: rank, static broadcast and a safe cast to x's dtype. */
export function checkUpdateValue(opName: string, x: TensorType, y: TensorType, region: readonly StaticDim[]): void {
  if (!canCastSafely(y.dtype, x.dtype)) {
    throw new TypeError(
      `${opName}: the value is ${y.dtype}, which does not cast safely to the ${x.dtype} of the tensor written into; cast it first (.cast('${x.dtype}'))`,
    );
  }
  const where = `(${region.map((d) => d ?? '?').join(', ')}${region.length === 1 ? ',' : ''})`;
  if (y.ndim > region.length)
    throw new RangeError(
      `${opName}: the value has rank ${y.ndim}, more than the rank ${region.length} of the region ${where}`,
    );
  const pad = region.length - y.ndim;
  y.shape.forEach((d, k) => {
    const r = region[pad + k]!;
    if (d !== null && d !== 1 && r !== null && d !== r) {
      throw new RangeError(
        `${opName}: a value of static shape (${y.shape.map((v) => v ?? '?').join(', ')}) does not broadcast to the region ${where}`,
      );
    }
  });
}

/**
 * Writes (mode 'set') or adds (mode 'inc') y, broadcast to `region` (a view of `out`, which is contiguous and
 * fresh), element by element in row-major order of the region; for an advanced index the caller's `target`
 * maps region positions to storage positions, so repeated indices accumulate.
 */
export function writeRegion(
  opName: string,
  out: NDArray,
  region: readonly number[],
  target: (r: number) => number,
  y: NDArray,
  mode: IncMode,
): void {
  const pad = region.length - y.ndim;
  y.shape.forEach((d, k) => {
    if (d !== 1 && d !== region[pad + k]) {
      throw new RangeError(
        `${opName}: a value of shape ${shapeToString(y.shape)} does not broadcast to the region of shape ${shapeToString(region)}`,
      );
    }
  });
  const source = new NDArray(y.dtype, region, y.data, broadcastStrides(y, region), y.offset);
  const cast = scalarCaster(out.dtype);
  const src = y.data as ArrayLike<number | bigint>;
  const dst = out.data as unknown as { [i: number]: number | bigint };
  const n = source.size;
  for (let r = 0; r < n; r++) {
    const v = cast(src[source.flatIndex(r)]!);
    const pos = target(r);
    if (mode === 'set') dst[pos] = v;
    else {
      const cur = dst[pos]!;
      dst[pos] = typeof cur === 'bigint' ? BigInt.asIntN(64, cur + (v as bigint)) : cast(cur + (v as number));
    }
  }
}

export interface IncSubtensorParams {
  readonly mode: IncMode;
  readonly index: BasicIndex;
}

const incName = (mode: IncMode) => (mode === 'set' ? 'set_subtensor' : 'inc_subtensor');

/**
 * `set_subtensor(x[index], y)` / `inc_subtensor(x[index], y)`: a copy of the whole x with the region set to (or
 * incremented by) y broadcast to it. Inputs: x, y, then the symbolic index scalars.
 */
export const INC_SUBTENSOR: OpDef<IncSubtensorParams> = {
  name: 'inc_subtensor',
  inferShape: (inputs) => [axesOf(inputs, 0)],
  inferType([x, y, ...symbols], { mode, index }) {
    const name = incName(mode);
    checkSymbols(name, symbols, index);
    checkUpdateValue(name, x!, y!, indexedStaticShape(name, x!.shape, index));
    return [x!];
  },
  evaluate([x, y, ...symbols], { mode, index }) {
    const name = incName(mode);
    const out = x!.copy();
    const view = indexView(name, out, index, symbolValues(symbols));
    const region = new NDArray(out.dtype, view.shape, out.data, view.strides, view.offset);
    writeRegion(name, out, view.shape, (r) => region.flatIndex(r), y!, mode);
    return [out];
  },
  // z = inc_subtensor(x[index], y) = x + scatter(broadcast(y)): gx = gz, gy = sum_to_shape(gz[index], y).
  // z = set_subtensor(x[index], y): the region of x is overwritten, so gx = set_subtensor(gz[index], 0), and
  // gy = sum_to_shape(gz[index], y) (a basic index never selects a position twice).
  pullback: ({ inputs: [, y, ...symbols], grads: [gz], params: { mode, index } }, T) => {
    const none = symbols.map(() => null);
    if (!gz) return [null, null, ...none];
    const region = T.getItem(gz, indexArgs(index, symbols, T));
    const gx = mode === 'inc' ? gz : T.setSubtensor(region, 0);
    return [gx, T.sumToShape(region, y!), ...none];
  },
  print: {
    kind: 'custom',
    format: ([x, y, ...symbols], { mode, index }) =>
      `${incName(mode)}(${x!.atom}${index.toString(symbols.map((s) => s.text))}, ${y!.text})`,
  },
  paramsKey: (p) => `${p.mode}|${p.index.toString()}`,
};
