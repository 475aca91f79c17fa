import type { OpDef } from '../graph/op.js';
import { scalarCaster } from '../runtime/convert.js';
import { NDArray, shapeSize } from '../runtime/ndarray.js';
import type { DType } from '../types/dtype.js';
import { TensorType } from '../types/tensor-type.js';

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
export function normalizeAxes(axis: number | readonly number[] | null | undefined, ndim: number, opName: string): number[] {
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

const number = (x: Acc) => Number(x);
const REDUCERS: { [K in ReduceKind]: (big: boolean) => Reducer } = {
  sum: (big) => (big ? { init: 0n, step: (a, x) => (a as bigint) + BigInt(x as bigint) } : { init: 0, step: (a, x) => (a as number) + number(x) }),
  prod: (big) => (big ? { init: 1n, step: (a, x) => BigInt.asIntN(64, (a as bigint) * BigInt(x as bigint)) } : { init: 1, step: (a, x) => (a as number) * number(x) }),
  // NaN propagates, as numpy's max/min
  max: () => ({ init: -Infinity, step: (a, x) => (typeof a === 'number' && Number.isNaN(a) ? a : typeof x === 'number' && Number.isNaN(x) ? x : x > a ? x : a) }),
  min: () => ({ init: Infinity, step: (a, x) => (typeof a === 'number' && Number.isNaN(a) ? a : typeof x === 'number' && Number.isNaN(x) ? x : x < a ? x : a) }),
  all: () => ({ init: true, step: (a, x) => a && x !== 0 && x !== 0n }),
  any: () => ({ init: false, step: (a, x) => a || (x !== 0 && x !== 0n) }),
};

/** Reference reduction: walks the input in row-major order and folds each element into its output slot. */
export function evaluateReduce(x: NDArray, p: ReduceParams): NDArray {
  const outShape = reducedShape(x.shape, p.axes, p.keepdims, 1);
  const n = x.size;
  if (n === 0 && (p.kind === 'max' || p.kind === 'min')) {
    throw new RangeError(`${p.kind}: zero-size input has no identity (shape (${x.shape.join(', ')}))`);
  }
  const big = p.dtype === 'int64' && (p.kind === 'sum' || p.kind === 'prod');
  const reducer = REDUCERS[p.kind](big);
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
  for (let i = 0; i < n; i++) {
    acc[slot] = reducer.step(acc[slot]!, data[x.flatIndex(i)]!);
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

/** sum, prod, max, min, all, any over any set of axes. */
export const REDUCE: OpDef<ReduceParams> = {
  name: 'reduce',
  inferType([x], p) {
    for (const a of p.axes) if (a < 0 || a >= x!.ndim) throw new RangeError(`${p.kind}: axis ${a} is out of range for ${x}`);
    return [new TensorType(p.dtype, reducedShape(x!.shape, p.axes, p.keepdims, 1))];
  },
  evaluate: ([x], p) => [evaluateReduce(x!, p)],
  pullback: undefined,
  print: { kind: 'call', name: (p) => p.kind, args: (p) => [`axis=[${p.axes.join(', ')}]`, ...(p.keepdims ? ['keepdims=true'] : [])] },
  paramsKey: (p) => `${p.kind}|${p.axes.join(',')}|${p.keepdims}|${p.dtype}`,
};
