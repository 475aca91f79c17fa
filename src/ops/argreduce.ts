import type { OpDef } from '../graph/op.js';
import { NDArray, shapeSize } from '../runtime/ndarray.js';
import { TensorType } from '../types/tensor-type.js';
import { reducedShape } from './reduce.js';
import { reducedFacts } from './shape-facts.js';

export interface ArgReduceParams {
  readonly kind: 'argmax' | 'argmin';
  /** A non-negative axis, or null for the index into the flattened tensor. */
  readonly axis: number | null;
  readonly keepdims: boolean;
}

function outShape<T>(shape: readonly T[], p: ArgReduceParams, one: T): T[] {
  const axes = p.axis === null ? shape.map((_, i) => i) : [p.axis];
  return reducedShape(shape, axes, p.keepdims, one);
}

/** argmax / argmin: the first index of the extreme value (a NaN counts as the extreme, as numpy). int64. */
export const ARG_REDUCE: OpDef<ArgReduceParams> = {
  name: 'arg_reduce',
  inferShape: ([x], p) => [reducedFacts(x!, p.axis === null ? x!.shape.map((_, i) => i) : [p.axis], p.keepdims)],
  inferType([x], p) {
    if (p.axis !== null && (p.axis < 0 || p.axis >= x!.ndim))
      throw new RangeError(`${p.kind}: axis ${p.axis} is out of range for ${x}`);
    const reduced = p.axis === null ? x!.shape : [x!.shape[p.axis]];
    if (reduced.includes(0))
      throw new RangeError(`${p.kind}: attempt to get ${p.kind} of an empty sequence (input ${x})`);
    return [new TensorType('int64', outShape(x!.shape, p, 1))];
  },
  evaluate([input], p) {
    const x = input!;
    const shape = outShape(x.shape, p, 1);
    const len = p.axis === null ? x.size : x.shape[p.axis]!;
    if (len === 0)
      throw new RangeError(`${p.kind}: attempt to get ${p.kind} of an empty sequence (shape (${x.shape.join(', ')}))`);
    // View x as [outer, len, inner] with the reduced axis in the middle.
    const c = x.contiguous();
    const inner = p.axis === null ? 1 : shapeSize(x.shape.slice(p.axis + 1));
    const outer = p.axis === null ? 1 : shapeSize(x.shape.slice(0, p.axis));
    const data = c.data as ArrayLike<number | bigint>;
    const out = new BigInt64Array(outer * inner);
    const better =
      p.kind === 'argmax'
        ? (a: number | bigint, b: number | bigint) => a > b
        : (a: number | bigint, b: number | bigint) => a < b;
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * len * inner + i;
        let best = 0;
        let bestValue = data[base]!;
        for (let k = 1; k < len && !(typeof bestValue === 'number' && Number.isNaN(bestValue)); k++) {
          const v = data[base + k * inner]!;
          if ((typeof v === 'number' && Number.isNaN(v)) || better(v, bestValue)) {
            best = k;
            bestValue = v;
          }
        }
        out[o * inner + i] = BigInt(best);
      }
    }
    return [new NDArray('int64', shape, out)];
  },
  pullback: 'nondifferentiable',
  print: {
    kind: 'call',
    name: (p) => p.kind,
    args: (p) => [...(p.axis === null ? [] : [`axis=${p.axis}`]), ...(p.keepdims ? ['keepdims=true'] : [])],
  },
  paramsKey: (p) => `${p.kind}|${p.axis}|${p.keepdims}`,
};
