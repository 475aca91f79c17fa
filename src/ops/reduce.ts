import type { GradBuilder, OpDef } from '../graph/op.js';
import type { Tensor } from '../tensor/tensor.js';
import { scalarCaster } from '../runtime/convert.js';
import { NDArray, shapeSize } from '../runtime/ndarray.js';
import { isFloat, type DType } from '../types/dtype.js';
import { TensorType } from '../types/tensor-type.js';
import { reducedFacts } from './shape-facts.js';

export type ReduceKind = 'sum' | 'prod' | 'max' | 'min' | 'all' | 'any';

export interface ReduceParams {
  readonly kind: ReduceKind;
  /** Normalised (non-negative, sorted, unique) axes to reduce. */
  readonly axes: readonly number[];
  readonly keepdims: boolean;
  /** The output dtype (the accumulation dtype rule is applied by the builder). */
  readonly dtype: DType;
}

/** Turns an axis argument (none, one, a list; negative allowed) into sorted non-negative axes, or throws. */
export function normalizeAxes(
  axis: number | readonly number[] | null | undefined,
  ndim: number,
  opName: string,
): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : [...axis];
  const out = list.map((a) => {
    if (!Number.isInteger(a) || a < -ndim || a >= ndim) {
      throw new RangeError(`${opName}: axis ${a} is out of range for a tensor of rank ${ndim}`);
    }
    return a < 0 ? a + ndim : a;
  });
  if (new Set(out).size !== out.length) throw new RangeError(`${opName}: repeated axis in [${list.join(', ')}]`);
  return out.sort((a, b) => a - b);
}

/** The shape left after reducing `axes` (kept as 1 with keepdims). */
export function reducedShape<T>(shape: readonly T[], axes: readonly number[], keepdims: boolean, one: T): T[] {
  const out: T[] = [];
  shape.forEach((d, i) => {
    if (!axes.includes(i)) out.push(d);
    else if (keepdims) out.push(one);
  });
  return out;
}

type Acc = number | bigint | boolean;
interface Reducer {
  init: Acc;
  step(acc: Acc, x: Acc): Acc;
}

const isNaNValue = (x: Acc): boolean => typeof x === 'number' && Number.isNaN(x);
const REDUCERS: { [K in ReduceKind]: (exact: boolean) => Reducer } = {
  // exact: integer outputs accumulate in bigint; the final cast wraps them to the output dtype, which gives the
  // same result as wrapping at every step (arithmetic modulo 2^bits), as numpy does
  sum: (exact) =>
    exact
      ? { init: 0n, step: (a, x) => (a as bigint) + (x as bigint) }
      : { init: 0, step: (a, x) => (a as number) + Number(x) },
  prod: (exact) =>
    exact
      ? { init: 1n, step: (a, x) => BigInt.asIntN(64, (a as bigint) * (x as bigint)) }
      : { init: 1, step: (a, x) => (a as number) * Number(x) },
  // NaN propagates, as numpy's max/min
  max: () => ({ init: -Infinity, step: (a, x) => (isNaNValue(a) ? a : isNaNValue(x) || x > a ? x : a) }),
  min: () => ({ init: Infinity, step: (a, x) => (isNaNValue(a) ? a : isNaNValue(x) || x < a ? x : a) }),
  all: () => ({ init: true, step: (a, x) => a && x !== 0 && x !== 0n }),
  any: () => ({ init: false, step: (a, x) => a || (x !== 0 && x !== 0n) }),
};

/**
 * How an input element enters the accumulator. A sum or product into an integer (or bool) dtype first casts each
 * element to that dtype, as numpy's `sum(x, dtype=...)` does (`sum([1.5, 2.5], dtype=int64)` is 3), then
 * accumulates exactly in bigint (or 0/1 for bool).
 */
function elementReader(inputDType: DType, p: ReduceParams): { exact: boolean; read: (x: number | bigint) => Acc } {
  const arithmetic = p.kind === 'sum' || p.kind === 'prod';
  if (!arithmetic || isFloat(p.dtype)) return { exact: false, read: (x) => x };
  if (p.dtype === 'bool') {
    const toBool = scalarCaster('bool');
    return { exact: false, read: (x) => toBool(x) };
  }
  if (inputDType === 'int64') return { exact: true, read: (x) => x };
  const toInt64 = scalarCaster('int64');
  return { exact: true, read: (x) => toInt64(x) };
}

/** Reference reduction: walks the input in row-major order and folds each element into its output slot. */
export function evaluateReduce(x: NDArray, p: ReduceParams): NDArray {
  const outShape = reducedShape(x.shape, p.axes, p.keepdims, 1);
  const n = x.size;
  const reducedLength = p.axes.reduce((len, a) => len * x.shape[a]!, 1);
  // numpy: a reduction without identity fails when it reduces over a zero-length axis (even to an empty output)
  if (reducedLength === 0 && (p.kind === 'max' || p.kind === 'min')) {
    throw new RangeError(
      `${p.kind}: zero-size reduction has no identity (input shape (${x.shape.join(', ')}), axis [${p.axes.join(', ')}])`,
    );
  }
  const { exact, read } = elementReader(x.dtype, p);
  const reducer = REDUCERS[p.kind](exact);
  const outSize = shapeSize(outShape);
  const acc = new Array<Acc>(outSize).fill(reducer.init);
  // The output slot of each input element: strides of the kept axes, 0 on reduced axes.
  const kept = x.shape.map((_, i) => !p.axes.includes(i));
  const outStrides: number[] = new Array<number>(x.shape.length).fill(0);
  let s = 1;
  for (let i = x.shape.length - 1; i >= 0; i--) {
    if (kept[i]) {
      outStrides[i] = s;
      s *= x.shape[i]!;
    }
  }
  const counter = new Array<number>(x.shape.length).fill(0);
  let slot = 0;
  const data = x.data as ArrayLike<number | bigint>;
  const contiguous = x.isContiguous;
  for (let i = 0; i < n; i++) {
    acc[slot] = reducer.step(acc[slot]!, read(data[contiguous ? x.offset + i : x.flatIndex(i)]!));
    for (let k = x.shape.length - 1; k >= 0; k--) {
      counter[k]!++;
      slot += outStrides[k]!;
      if (counter[k]! < x.shape[k]!) break;
      slot -= outStrides[k]! * x.shape[k]!;
      counter[k] = 0;
    }
  }
  const out = NDArray.zeros(p.dtype, outShape);
  const cast = scalarCaster(p.dtype);
  const dst = out.data as unknown as { [i: number]: number | bigint };
  for (let i = 0; i < outSize; i++) dst[i] = cast(acc[i]!);
  return out;
}

/** Re-inserts the reduced axes (as length 1) into a reduced value, so it broadcasts against the input. */
function keepReducedAxes(g: Tensor, p: ReduceParams, ndim: number, T: GradBuilder): Tensor {
  if (p.keepdims) return g;
  let next = 0;
  const pattern = Array.from({ length: ndim }, (_, i) => (p.axes.includes(i) ? ('x' as const) : next++));
  return T.dimshuffle(g, pattern);
}

/** sum, prod, max, min, all, any over any set of axes. */
export const REDUCE: OpDef<ReduceParams> = {
  name: 'reduce',
  inferShape: ([x], { axes, keepdims }) => [reducedFacts(x!, axes, keepdims)],
  inferType([x], p) {
    for (const a of p.axes)
      if (a < 0 || a >= x!.ndim) throw new RangeError(`${p.kind}: axis ${a} is out of range for ${x}`);
    if ((p.kind === 'max' || p.kind === 'min') && p.axes.some((a) => x!.shape[a] === 0)) {
      throw new RangeError(`${p.kind}: zero-size reduction has no identity (input ${x}, axis [${p.axes.join(', ')}])`);
    }
    return [new TensorType(p.dtype, reducedShape(x!.shape, p.axes, p.keepdims, 1))];
  },
  evaluate: ([x], p) => [evaluateReduce(x!, p)],
  pullback: ({ inputs: [x], outputs: [z], grads: [gz], params: p }, T) => {
    if (!gz || p.kind === 'all' || p.kind === 'any') return [null];
    const like = (g: Tensor) => T.broadcastLike(keepReducedAxes(g, p, x!.ndim, T), x!);
    switch (p.kind) {
      case 'sum': // d sum(x) / dx_i = 1
        return [like(gz)];
      case 'max':
      case 'min': // the gradient goes to every element equal to the extreme (Theano's convention at ties)
        return [T.mul(like(gz), T.eq(x!, keepReducedAxes(z!, p, x!.ndim, T)))];
      case 'prod': {
        // d prod(x) / dx_i = prod_{j != i} x_j: prod/x_i without zeros; with one zero only that element gets
        // the product of the others; with two or more zeros every derivative is 0.
        const keep = { keepdims: true } as const;
        const isZero = T.eq(x!, 0);
        const zeros = T.sum(isZero, p.axes, keep);
        const nonZeroProduct = T.prod(T.switch(isZero, 1, x!), p.axes, keep);
        const product = keepReducedAxes(z!, p, x!.ndim, T);
        const g = T.switch(
          T.eq(zeros, 0),
          T.div(product, x!),
          T.switch(T.and(T.eq(zeros, 1), isZero), nonZeroProduct, 0),
        );
        return [T.mul(like(gz), g)];
      }
    }
  },
  print: {
    kind: 'call',
    name: (p) => p.kind,
    args: (p) => [`axis=[${p.axes.join(', ')}]`, ...(p.keepdims ? ['keepdims=true'] : [])],
  },
  paramsKey: (p) => `${p.kind}|${p.axes.join(',')}|${p.keepdims}|${p.dtype}`,
};
