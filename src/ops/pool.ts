/**
 * 2-D pooling over the last two axes (Theano's `pool_2d`) and its gradient ops:
 *
 * - `pool2d(x)`: max, sum or average over windows;
 * - `max_pool_grad(x, maxout, gz)`: the gradient of max pooling (to the pixels equal to their window's max);
 * - `max_pool_grad_grad(x, maxout, ggx)`: its adjoint in gz (the second derivative of max pooling);
 * - `average_pool_grad(x, gz)`: the gradient of sum and average pooling (x only gives the shape).
 *
 * Kernels in `runtime/pool.ts`.
 */
import type { LengthFact, OpDef } from '../graph/op.js';
import { castArray } from '../runtime/convert.js';
import type { FloatArray } from '../runtime/conv.js';
import { NDArray, shapeToString } from '../runtime/ndarray.js';
import {
  averagePoolGrad,
  maxPoolGrad,
  maxPoolGradGrad,
  poolForward,
  type PoolGeometry,
  type PoolMode,
} from '../runtime/pool.js';
import { upgradeToFloat, type DType } from '../types/dtype.js';
import { TensorType, type StaticDim } from '../types/tensor-type.js';

export interface PoolParams {
  readonly ws: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly pad: readonly [number, number];
  readonly mode: PoolMode;
  readonly ignoreBorder: boolean;
}

export const POOL_MODES: readonly PoolMode[] = ['max', 'sum', 'average_inc_pad', 'average_exc_pad'];

/** Theano's Pool.out_shape for one axis: the number of windows along an axis of length `size`. */
export function poolOutLength(size: number, ws: number, stride: number, pad: number, ignoreBorder: boolean): number {
  const v = size + 2 * pad;
  if (ignoreBorder) return Math.max(Math.floor((v - ws) / stride) + 1, 0);
  if (stride >= ws) return Math.floor((v - 1) / stride) + 1;
  return Math.max(0, Math.floor((v - 1 - ws + stride) / stride)) + 1;
}

/** Checks the params (the builder checked them too; ops can be applied directly). */
export function checkPoolParams(op: string, p: PoolParams): void {
  const positive = (v: number) => Number.isInteger(v) && v > 0;
  if (!p.ws.every(positive)) throw new RangeError(`${op}: ws must be positive integers, got [${p.ws.join(', ')}]`);
  if (!p.stride.every(positive))
    throw new RangeError(`${op}: stride must be positive integers, got [${p.stride.join(', ')}]`);
  if (!p.pad.every((v) => Number.isInteger(v) && v >= 0))
    throw new RangeError(`${op}: pad must be non-negative integers, got [${p.pad.join(', ')}]`);
  if (!POOL_MODES.includes(p.mode))
    throw new RangeError(`${op}: unknown mode '${String(p.mode)}'; expected ${POOL_MODES.join(', ')}`);
  if ((p.pad[0] > 0 || p.pad[1] > 0) && !p.ignoreBorder)
    throw new RangeError(
      `${op}: padding works only with ignoreBorder: true (as in Theano), got pad [${p.pad.join(', ')}]`,
    );
  if (p.pad[0] >= p.ws[0] || p.pad[1] >= p.ws[1])
    throw new RangeError(`${op}: pad [${p.pad.join(', ')}] must be smaller than the window ws [${p.ws.join(', ')}]`);
}

function checkRank(op: string, x: TensorType): void {
  if (x.ndim < 2) throw new TypeError(`${op}: pools the last two axes, so needs a tensor of rank >= 2, got ${x}`);
}

/** The pooled shape from static lengths (null stays null). */
function pooledShape(x: readonly StaticDim[], p: PoolParams): StaticDim[] {
  const n = x.length;
  const axis = (k: 0 | 1) => {
    const d = x[n - 2 + k]!;
    return d === null ? null : poolOutLength(d, p.ws[k], p.stride[k], p.pad[k], p.ignoreBorder);
  };
  return [...x.slice(0, n - 2), axis(0), axis(1)];
}

function geometryOf(x: readonly number[], p: PoolParams): PoolGeometry {
  const n = x.length;
  const out = pooledShape(x, p) as number[];
  return {
    planes: x.slice(0, n - 2).reduce((a, b) => a * b, 1),
    rows: x[n - 2]!,
    cols: x[n - 1]!,
    outRows: out[n - 2]!,
    outCols: out[n - 1]!,
    ws: p.ws,
    stride: p.stride,
    pad: p.pad,
  };
}

const asFloat = (x: NDArray, dtype: DType): FloatArray =>
  (x.dtype === dtype ? x.contiguous() : castArray(x, dtype)).data as FloatArray;

/** Run-time check that an array has the shape the op needs. */
function checkShape(op: string, what: string, got: readonly number[], want: readonly number[]): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i]))
    throw new RangeError(`${op}: ${what} has shape ${shapeToString(got)}, expected ${shapeToString(want)}`);
}

const paramsText = (p: PoolParams) => [
  `ws=[${p.ws.join(', ')}]`,
  ...(p.stride[0] !== p.ws[0] || p.stride[1] !== p.ws[1] ? [`stride=[${p.stride.join(', ')}]`] : []),
  ...(p.pad[0] || p.pad[1] ? [`pad=[${p.pad.join(', ')}]`] : []),
  `mode='${p.mode}'`,
  `ignoreBorder=${p.ignoreBorder}`,
];
const poolKey = (p: PoolParams) =>
  `${p.ws.join(',')}|${p.stride.join(',')}|${p.pad.join(',')}|${p.mode}|${p.ignoreBorder}`;
const print = { kind: 'call' as const, args: paramsText };

/** Leading axes from input 0, spatial lengths when static. */
function pooledFacts(x: TensorType, p: PoolParams): LengthFact[] {
  const out = pooledShape(x.shape, p);
  return out.map((d, axis) => (axis < out.length - 2 ? { input: 0, axis } : d));
}
const sameAsInput = (x: TensorType, input: number): LengthFact[] => x.shape.map((_, axis) => ({ input, axis }));

/** pool2d(x): (..., outRows, outCols). */
export const POOL: OpDef<PoolParams> = {
  name: 'pool2d',
  inferType([x], p) {
    checkPoolParams('pool2d', p);
    checkRank('pool2d', x!);
    return [new TensorType(upgradeToFloat(x!.dtype), pooledShape(x!.shape, p))];
  },
  inferShape: ([x], p) => [pooledFacts(x!, p)],
  evaluate([x], p, [type], alloc = NDArray.zeros) {
    const dtype = type!.dtype;
    const g = geometryOf(x!.shape, p);
    const out = alloc(dtype, pooledShape(x!.shape, p) as number[]);
    poolForward(asFloat(x!, dtype), out.data as FloatArray, g, p.mode);
    return [out];
  },
  // max: the gradient goes to each window's max (MaxPoolGrad); sum and averages are linear: gx = Pᵀ gz
  pullback: ({ inputs: [x], outputs: [out], grads: [gz], params }, T) => {
    if (!gz) return [null];
    const ops = T as unknown as PoolBuilder;
    return [params.mode === 'max' ? ops.maxPoolGrad(x!, out!, gz, params) : ops.averagePoolGrad(x!, gz, params)];
  },
  print,
  paramsKey: poolKey,
};

/**
 * The graph-building entry points of the pooling gradients (`src/tensor/pool.ts` checks the real functions
 * against this with `satisfies`).
 */
export interface PoolBuilder {
  maxPoolGrad(x: Tensor, maxout: Tensor, gz: Tensor, p: PoolParams): Tensor;
  maxPoolGradGrad(x: Tensor, maxout: Tensor, ggx: Tensor, p: PoolParams): Tensor;
  averagePoolGrad(x: Tensor, gz: Tensor, p: PoolParams): Tensor;
  pool2d(x: Tensor, options: PoolParams): Tensor;
}
type Tensor = import('../tensor/tensor.js').Tensor;

function inferGrad(op: string, inputs: readonly TensorType[], p: PoolParams, outputLike: 0 | 1): TensorType[] {
  checkPoolParams(op, p);
  const x = inputs[0]!;
  checkRank(op, x);
  for (const t of inputs)
    if (t.ndim !== x.ndim) throw new TypeError(`${op}: every input must have the rank of ${x}, got ${t}`);
  const like = outputLike === 0 ? x : new TensorType(x.dtype, pooledShape(x.shape, p));
  return [new TensorType(upgradeToFloat(x.dtype), like.shape)];
}

/** max_pool_grad(x, maxout, gz): x-shaped. */
export const MAX_POOL_GRAD: OpDef<PoolParams> = {
  name: 'max_pool_grad',
  inferType: (inputs, p) => inferGrad('max_pool_grad', inputs, p, 0),
  inferShape: ([x]) => [sameAsInput(x!, 0)],
  evaluate([x, maxout, gz], p, [type], alloc = NDArray.zeros) {
    const dtype = type!.dtype;
    const g = geometryOf(x!.shape, p);
    const pooled = pooledShape(x!.shape, p) as number[];
    checkShape('max_pool_grad', 'the output gradient', gz!.shape, pooled);
    checkShape('max_pool_grad', 'the pooled output', maxout!.shape, pooled);
    const out = alloc(dtype, x!.shape);
    maxPoolGrad(asFloat(x!, dtype), asFloat(maxout!, dtype), asFloat(gz!, dtype), out.data as FloatArray, g);
    return [out];
  },
  // gx = S(x) gz with S selecting each window's max: linear in gz (its adjoint is max_pool_grad_grad), and
  // piecewise constant in x and maxout
  pullback: ({ inputs: [x, maxout], grads: [ggx], params }, T) =>
    ggx ? [null, null, (T as unknown as PoolBuilder).maxPoolGradGrad(x!, maxout!, ggx, params)] : [null, null, null],
  print,
  paramsKey: poolKey,
};

/** max_pool_grad_grad(x, maxout, ggx): pooled-shaped. */
export const MAX_POOL_GRAD_GRAD: OpDef<PoolParams> = {
  name: 'max_pool_grad_grad',
  inferType: (inputs, p) => inferGrad('max_pool_grad_grad', inputs, p, 1),
  inferShape: ([x], p) => [pooledFacts(x!, p)],
  evaluate([x, maxout, ggx], p, [type], alloc = NDArray.zeros) {
    const dtype = type!.dtype;
    const g = geometryOf(x!.shape, p);
    const pooled = pooledShape(x!.shape, p) as number[];
    checkShape('max_pool_grad_grad', 'the gradient', ggx!.shape, x!.shape);
    checkShape('max_pool_grad_grad', 'the pooled output', maxout!.shape, pooled);
    const out = alloc(dtype, pooled);
    maxPoolGradGrad(asFloat(x!, dtype), asFloat(maxout!, dtype), asFloat(ggx!, dtype), out.data as FloatArray, g);
    return [out];
  },
  // out = S(x)ᵀ ggx: its gradient in ggx is S(x) g (max_pool_grad)
  pullback: ({ inputs: [x, maxout], grads: [g], params }, T) =>
    g ? [null, null, (T as unknown as PoolBuilder).maxPoolGrad(x!, maxout!, g, params)] : [null, null, null],
  print,
  paramsKey: poolKey,
};

/** average_pool_grad(x, gz): x-shaped; also sum pooling's. */
export const AVERAGE_POOL_GRAD: OpDef<PoolParams> = {
  name: 'average_pool_grad',
  inferType: (inputs, p) => inferGrad('average_pool_grad', inputs, p, 0),
  inferShape: ([x]) => [sameAsInput(x!, 0)],
  evaluate([x, gz], p, [type], alloc = NDArray.zeros) {
    const dtype = type!.dtype;
    const g = geometryOf(x!.shape, p);
    checkShape('average_pool_grad', 'the output gradient', gz!.shape, pooledShape(x!.shape, p) as number[]);
    const out = alloc(dtype, x!.shape);
    averagePoolGrad(asFloat(gz!, dtype), out.data as FloatArray, g, p.mode);
    return [out];
  },
  // gx = Pᵀ gz: linear in gz, whose gradient is P ggx (the pooling itself); x only gives the shape
  pullback: ({ grads: [ggx], params }, T) => [null, ggx ? (T as unknown as PoolBuilder).pool2d(ggx, params) : null],
  print,
  paramsKey: poolKey,
};
