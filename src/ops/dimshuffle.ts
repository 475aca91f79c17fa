import type { OpDef } from '../graph/op.js';
import { NDArray } from '../runtime/ndarray.js';
import { TensorType } from '../types/tensor-type.js';

/** An axis of the input, or 'x' for a new axis of length 1. */
export type DimPattern = readonly (number | 'x')[];

export interface DimShuffleParams {
  readonly pattern: DimPattern;
}

/** Which input axes the pattern drops; each must be known to have length 1 (Theano's rule). */
function droppedAxes(ndim: number, pattern: DimPattern): number[] {
  const kept = new Set(pattern.filter((p): p is number => p !== 'x'));
  return Array.from({ length: ndim }, (_, i) => i).filter((i) => !kept.has(i));
}

/**
 * Permutes axes, inserts broadcastable axes ('x') and drops axes of length 1: `dimshuffle(1, 0)` transposes a
 * matrix, `dimshuffle(0, 'x')` turns a vector into a column.
 */
export const DIMSHUFFLE: OpDef<DimShuffleParams> = {
  name: 'dimshuffle',
  inferType([input], { pattern }) {
    const t = input!;
    const seen = new Set<number>();
    for (const p of pattern) {
      if (p === 'x') continue;
      if (!Number.isInteger(p) || p < 0 || p >= t.ndim) {
        throw new RangeError(`dimshuffle: axis ${p} is out of range for an input of rank ${t.ndim} (pattern [${pattern.join(', ')}])`);
      }
      if (seen.has(p)) throw new RangeError(`dimshuffle: axis ${p} appears twice in pattern [${pattern.join(', ')}]`);
      seen.add(p);
    }
    for (const i of droppedAxes(t.ndim, pattern)) {
      if (t.shape[i] !== 1) {
        throw new RangeError(`dimshuffle: pattern [${pattern.join(', ')}] drops axis ${i} of ${t}, which is not known to have length 1`);
      }
    }
    return [new TensorType(t.dtype, pattern.map((p) => (p === 'x' ? 1 : t.shape[p]!)))];
  },
  evaluate([input], { pattern }) {
    const a = input!;
    for (const i of droppedAxes(a.ndim, pattern)) {
      if (a.shape[i] !== 1) throw new RangeError(`dimshuffle: axis ${i} has length ${a.shape[i]}, expected 1`);
    }
    const shape = pattern.map((p) => (p === 'x' ? 1 : a.shape[p]!));
    const strides = pattern.map((p) => (p === 'x' ? 0 : a.strides[p]!));
    return [new NDArray(a.dtype, shape, a.data, strides, a.offset).copy()];
  },
  pullback: undefined,
  print: { kind: 'call', args: (p) => [`pattern=[${p.pattern.map((d) => (d === 'x' ? "'x'" : d)).join(', ')}]`] },
  paramsKey: (p) => p.pattern.join(','),
};
