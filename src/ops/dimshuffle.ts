import type { OpDef } from '../graph/op.js';
import { NDArray, shapeToString } from '../runtime/ndarray.js';
import type { Rank } from '../types/rank.js';
import { TensorType } from '../types/tensor-type.js';

/** An axis of the input, or 'x' for a new axis of length 1. */
export type DimPattern = readonly (number | 'x')[];

/** The axes of a rank-R input, non-negative: `AxesBelow<3>` is `0 | 1 | 2`. */
type AxesBelow<R extends Rank> = [
  never,
  0,
  0 | 1,
  0 | 1 | 2,
  0 | 1 | 2 | 3,
  0 | 1 | 2 | 3 | 4,
  0 | 1 | 2 | 3 | 4 | 5,
  0 | 1 | 2 | 3 | 4 | 5 | 6,
  0 | 1 | 2 | 3 | 4 | 5 | 6 | 7,
][R];
/** The axes a pattern names twice (each entry compared with the others: a mapped type, no recursion). */
type Repeated<P extends DimPattern> = {
  [K in keyof P]: P[K] extends 'x'
    ? never
    : P[K] extends { [J in keyof P]: J extends K ? never : P[J] }[number]
      ? P[K]
      : never;
}[number];
/**
 * Whether a literal pattern names axes of a rank-R input at most once each (patterns of unknown length pass). An
 * input axis left out is dropped; the op checks that it has length 1 (a row's first axis: `T.drow('r').dimshuffle(1)`),
 * at build time when its length is static, else at run time: the rank alone cannot tell a row from a matrix.
 */
type PatternFits<P extends DimPattern, R extends Rank> = number extends P['length']
  ? true
  : [Exclude<P[number], 'x'>] extends [AxesBelow<R>]
    ? [Repeated<P>] extends [never]
      ? true
      : false
    : false;
/**
 * The pattern itself when it names input axes at most once each, else a tuple whose message is the compile error:
 * `m.dimshuffle(0, 0)` reads "Argument of type '0' is not assignable to parameter of type '"dimshuffle: the
 * pattern names an input axis twice or one the input does not have"'".
 */
export type CheckPattern<P extends DimPattern, R extends Rank> =
  PatternFits<P, R> extends true
    ? P
    : readonly ['dimshuffle: the pattern names an input axis twice or one the input does not have', ...never[]];

export interface DimShuffleParams {
  readonly pattern: DimPattern;
}

/**
 * Which input axes the pattern drops. Each must have length 1: a static length other than 1 is a build error, an
 * unknown one is checked at run time.
 */
function droppedAxes(ndim: number, pattern: DimPattern): number[] {
  const kept = new Set(pattern.filter((p): p is number => p !== 'x'));
  return Array.from({ length: ndim }, (_, i) => i).filter((i) => !kept.has(i));
}

/**
 * Permutes axes, inserts broadcastable axes ('x') and drops axes of length 1: `dimshuffle(1, 0)` transposes a
 * matrix, `dimshuffle(0, 'x')` turns a vector into a column. transpose, squeeze and expandDims are dimshuffles.
 */
export const DIMSHUFFLE: OpDef<DimShuffleParams> = {
  name: 'dimshuffle',
  inferShape: (_inputs, { pattern }) => [pattern.map((p) => (p === 'x' ? 1 : { input: 0, axis: p }))],
  inferType([input], { pattern }) {
    const t = input!;
    const seen = new Set<number>();
    for (const p of pattern) {
      if (p === 'x') continue;
      if (!Number.isInteger(p) || p < 0 || p >= t.ndim) {
        throw new RangeError(
          `dimshuffle: axis ${p} is out of range for an input of rank ${t.ndim} (pattern [${pattern.join(', ')}])`,
        );
      }
      if (seen.has(p)) throw new RangeError(`dimshuffle: axis ${p} appears twice in pattern [${pattern.join(', ')}]`);
      seen.add(p);
    }
    for (const i of droppedAxes(t.ndim, pattern)) {
      const d = t.shape[i];
      if (d !== null && d !== 1) {
        throw new RangeError(
          `dimshuffle: pattern [${pattern.join(', ')}] drops axis ${i} of ${t}, which has length ${d}, not 1`,
        );
      }
    }
    return [
      new TensorType(
        t.dtype,
        pattern.map((p) => (p === 'x' ? 1 : t.shape[p]!)),
      ),
    ];
  },
  evaluate: (inputs, params) => [DIMSHUFFLE.view!(inputs, params)!.copy()], // always a view
  view([input], { pattern }) {
    const a = input!;
    // the dropped axes (those the pattern does not name) must have length 1; no allocation: a view per call
    for (let i = 0; i < a.ndim; i++) {
      if (a.shape[i] !== 1 && !pattern.includes(i)) {
        throw new RangeError(
          `dimshuffle: pattern [${pattern.join(', ')}] drops axis ${i} of an array of shape ${shapeToString(a.shape)}, but its length is ${a.shape[i]}, not 1`,
        );
      }
    }
    const shape = pattern.map((p) => (p === 'x' ? 1 : a.shape[p]!));
    const strides = pattern.map((p) => (p === 'x' ? 0 : a.strides[p]!));
    return NDArray.trusted(a.dtype, shape, a.data, strides, a.offset);
  },
  // The inverse permutation: input axis i comes from output axis pattern.indexOf(i); an axis the pattern
  // dropped (length 1) comes back as 'x', and the axes it added ('x', length 1) are dropped.
  pullback: ({ inputs: [x], grads: [gz], params: { pattern } }, T) => {
    if (!gz) return [null];
    const inverse = Array.from({ length: x!.ndim }, (_, i) => {
      const j = pattern.indexOf(i);
      return j === -1 ? ('x' as const) : j;
    });
    return [T.dimshuffle(gz, inverse)];
  },
  print: { kind: 'call', args: (p) => [`pattern=[${p.pattern.map((d) => (d === 'x' ? "'x'" : d)).join(', ')}]`] },
  paramsKey: (p) => p.pattern.join(','),
};
