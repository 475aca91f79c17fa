/** Shape ops: shape, shape_i, reshape, flatten, alloc, broadcastTo, fill, tile. */
import type { OpDef } from '../graph/op.js';
import type { Tensor } from '../tensor/tensor.js';
import { NDArray, shapeSize } from '../runtime/ndarray.js';
import { allocStorage, isInt } from '../types/dtype.js';
import { broadcastShapes, broadcastStatic, TensorType, type StaticDim } from '../types/tensor-type.js';
import {
  checkScalarInputs,
  countSymbolic,
  dataPosition,
  dimsText,
  gather,
  printedParams,
  reshaped,
  resolveParams,
  show,
  staticSize,
  type DimParam,
} from './dims.js';
import { NO_SHAPE_FACTS, broadcastFacts, sizeFacts } from './shape-facts.js';

/** `shape(x)`: the run-time shape as an int64 vector (its length is static). */
export const SHAPE: OpDef<undefined> = {
  name: 'shape',
  inferShape: ([x]) => [[x!.ndim]],
  inferType: ([x]) => [new TensorType('int64', [x!.ndim])],
  evaluate: ([x]) => [new NDArray('int64', [x!.ndim], BigInt64Array.from(x!.shape.map(BigInt)))],
  pullback: 'nondifferentiable',
  print: { kind: 'call' },
};

export interface ShapeIParams {
  readonly axis: number;
}

/** `shape(x, i)`: the length of one axis as an int64 scalar (Theano's Shape_i). */
export const SHAPE_I: OpDef<ShapeIParams> = {
  name: 'shape_i',
  inferShape: () => [[]],
  inferType([x], { axis }) {
    if (!Number.isInteger(axis) || axis < 0 || axis >= x!.ndim)
      throw new RangeError(`shape: axis ${axis} is out of range for ${x}`);
    return [new TensorType('int64', [])];
  },
  evaluate: ([x], { axis }) => [new NDArray('int64', [], BigInt64Array.of(BigInt(x!.shape[axis]!)))],
  pullback: 'nondifferentiable',
  print: { kind: 'call' },
  paramsKey: (p) => String(p.axis),
};

// ---------------------------------------------------------------------------------------------------------------
// reshape and flatten

export interface ReshapeParams {
  /**
   * The new shape: sizes, at most one -1 (the size that makes the element counts agree), and null for a size read
   * at run time from an integer scalar input. With `fromVector`, every entry is null and the sizes come from one
   * integer vector input of this length.
   */
  readonly shape: readonly DimParam[];
  readonly fromVector: boolean;
}

/** The sizes of `target` with its -1 resolved against `size` elements, or a message saying why it cannot be. */
function resolveReshape(size: number, target: readonly number[]): number[] | string {
  if (target.some((d) => !Number.isInteger(d) || d < -1)) return 'sizes must be non-negative integers (or one -1)';
  const free = target.filter((d) => d === -1).length;
  if (free > 1) return 'only one size may be -1';
  const known = target.reduce((n, d) => (d === -1 ? n : n * d), 1);
  if (free === 0) return known === size ? [...target] : `the sizes hold ${known} elements`;
  if (known === 0 || size % known !== 0) return `no size for -1 makes ${size} elements`;
  return target.map((d) => (d === -1 ? size / known : d));
}

/** The shape a reshape produces at run time (its symbolic sizes read, -1 resolved), or a RangeError. */
function reshapeTarget(inputs: readonly NDArray[], { shape, fromVector }: ReshapeParams): number[] {
  const x = inputs[0]!;
  const target = fromVector
    ? Array.from({ length: inputs[1]!.size }, (_, i) => Number(inputs[1]!.item(i)))
    : resolveParams(shape, inputs, 1);
  if (target.length !== shape.length)
    throw new RangeError(`reshape: the shape vector has ${target.length} entries, expected ${shape.length}`);
  const resolved = resolveReshape(x.size, target);
  if (typeof resolved === 'string') {
    throw new RangeError(
      `reshape: cannot reshape an array of shape ${show(x.shape)} (${x.size} elements) into shape ${show(target)}: ${resolved}`,
    );
  }
  return resolved;
}

/** `reshape(x, shape)`: the same elements, row-major, in a new shape. */
export const RESHAPE: OpDef<ReshapeParams> = {
  name: 'reshape',
  inferShape: (_inputs, { shape, fromVector }) => [fromVector ? shape.map(() => null) : sizeFacts(shape, 1)],
  inferType(inputs, { shape, fromVector }) {
    const x = inputs[0]!;
    if (fromVector) {
      const v = inputs[1];
      if (inputs.length !== 2 || v!.ndim !== 1 || !isInt(v!.dtype))
        throw new TypeError(`reshape: the shape must be an integer vector, got ${v}`);
      if (v!.shape[0] !== null && v!.shape[0] !== shape.length) {
        throw new RangeError(`reshape: the shape vector has ${v!.shape[0]} entries, but ndim is ${shape.length}`);
      }
      return [
        new TensorType(
          x.dtype,
          shape.map(() => null),
        ),
      ];
    }
    checkScalarInputs(inputs, 1, countSymbolic(shape), 'reshape', 'size');
    const numbers = shape.filter((d): d is number => d !== null);
    if (numbers.some((d) => !Number.isInteger(d) || d < -1))
      throw new RangeError(
        `reshape: invalid shape ${dimsText(shape)}: sizes must be non-negative integers (or one -1)`,
      );
    if (numbers.filter((d) => d === -1).length > 1)
      throw new RangeError(`reshape: invalid shape ${dimsText(shape)}: only one size may be -1`);
    const size = staticSize(x.shape);
    let out: StaticDim[] = shape.map((d) => (d === -1 ? null : d));
    if (size !== null && shape.every((d) => d !== null)) {
      const resolved = resolveReshape(size, shape as number[]);
      if (typeof resolved === 'string')
        throw new RangeError(
          `reshape: cannot reshape ${x} (${size} elements) into shape ${dimsText(shape)}: ${resolved}`,
        );
      out = resolved;
    }
    return [new TensorType(x.dtype, out)];
  },
  evaluate: (inputs, params) => [reshaped(inputs[0]!, reshapeTarget(inputs, params))],
  // a contiguous input is re-read in the new shape; any other needs the copy of evaluate
  view: (inputs, params) => {
    const x = inputs[0]!;
    return x.isContiguous ? new NDArray(x.dtype, reshapeTarget(inputs, params), x.data, undefined, x.offset) : null;
  },
  // the same elements in x's shape; the sizes get none
  pullback: ({ inputs: [x, ...sizes], grads: [gz] }, T) => [
    gz ? T.reshape(gz, T.shape(x!), x!.ndim) : null,
    ...sizes.map(() => null),
  ],
  print: {
    kind: 'custom',
    format: ([x, ...rest], p) =>
      p.fromVector
        ? `reshape(${x!.text}, ${rest[0]!.text}, ndim=${p.shape.length})`
        : `reshape(${x!.text}, [${printedParams(p.shape, rest, 0).join(', ')}])`,
  },
  paramsKey: (p) => `${p.fromVector}|${p.shape.join(',')}`,
};

export interface FlattenParams {
  /** The rank of the result: the first ndim-1 axes are kept, the rest collapse into the last. */
  readonly ndim: number;
}

/** `flatten(x, ndim)` (Theano's Flatten): keeps the first ndim-1 axes and collapses the rest into one. */
export const FLATTEN: OpDef<FlattenParams> = {
  name: 'flatten',
  inferShape: (_inputs, { ndim }) => [
    Array.from({ length: ndim }, (_, k) => (k < ndim - 1 ? { input: 0, axis: k } : null)),
  ],
  inferType([x], { ndim }) {
    if (!Number.isInteger(ndim) || ndim < 1 || ndim > Math.max(x!.ndim, 1)) {
      throw new RangeError(`flatten: ndim must be in [1, ${Math.max(x!.ndim, 1)}] for ${x}, got ${ndim}`);
    }
    return [new TensorType(x!.dtype, [...x!.shape.slice(0, ndim - 1), staticSize(x!.shape.slice(ndim - 1))])];
  },
  evaluate: ([x], { ndim }) => [reshaped(x!, [...x!.shape.slice(0, ndim - 1), shapeSize(x!.shape.slice(ndim - 1))])],
  pullback: ({ inputs: [x], grads: [gz] }, T) => [gz ? T.reshape(gz, T.shape(x!), x!.ndim) : null], // same elements, x's shape
  print: { kind: 'call', args: (p) => [`ndim=${p.ndim}`] },
  paramsKey: (p) => String(p.ndim),
};

// ---------------------------------------------------------------------------------------------------------------
// alloc, broadcastTo, fill

export interface AllocParams {
  /** The result's shape: sizes, null for a size read from an integer scalar input. */
  readonly shape: readonly DimParam[];
}

/**
 * `value` broadcast to `to`, as a fresh array; one value everywhere is a typed-array fill (the common case: a
 * scalar's cotangent spread over a tensor in a gradient, `alloc(0, m, n)`).
 */
function broadcastValue(value: NDArray, to: readonly number[], opName: string): NDArray {
  const source = broadcastSource(value, to, opName);
  if (value.size !== 1) return gather(value, to, source);
  const data = allocStorage(value.dtype, shapeSize(to));
  (data as { fill(v: unknown): unknown }).fill(value.data[value.offset]);
  return new NDArray(value.dtype, to, data);
}

/** Broadcasts a value of shape `from` to `to` as numpy does (right-aligned, 1 stretches): a data position map. */
function broadcastSource(value: NDArray, to: readonly number[], opName: string): (idx: readonly number[]) => number {
  const pad = to.length - value.ndim;
  const fits = pad >= 0 && value.shape.every((d, i) => d === 1 || d === to[pad + i]);
  if (!fits)
    throw new RangeError(`${opName}: cannot broadcast an array of shape ${show(value.shape)} to shape ${show(to)}`);
  const strides = value.shape.map((d, i) => (d === 1 ? 0 : value.strides[i]!));
  return (idx) => {
    let pos = value.offset;
    for (let i = 0; i < strides.length; i++) pos += idx[pad + i]! * strides[i]!;
    return pos;
  };
}

/** alloc and broadcastTo are one op under two names: a value broadcast into a new array of a given shape. */
function allocLike(name: string): OpDef<AllocParams> {
  return {
    name,
    inferShape: (_inputs, { shape }) => [sizeFacts(shape, 1)],

    inferType(inputs, { shape }) {
      const value = inputs[0]!;
      checkScalarInputs(inputs, 1, countSymbolic(shape), name, 'size');
      for (const d of shape)
        if (d !== null && (!Number.isInteger(d) || d < 0))
          throw new RangeError(`${name}: invalid size ${d} in shape ${dimsText(shape)}`);
      const pad = shape.length - value.ndim;
      if (pad < 0) throw new RangeError(`${name}: ${value} has more axes than the shape ${dimsText(shape)}`);
      const out = shape.map((d, k) => {
        const v = k < pad ? null : value.shape[k - pad]!;
        if (v === null || v === 1) return d;
        if (d !== null && d !== v)
          throw new RangeError(
            `${name}: cannot broadcast ${value} to shape ${dimsText(shape)} (axis ${k}: ${v} vs ${d})`,
          );
        return v;
      });
      return [new TensorType(value.dtype, out)];
    },
    evaluate(inputs, { shape }) {
      const value = inputs[0]!;
      const to = resolveParams(shape, inputs, 1);
      if (to.some((d) => !Number.isInteger(d) || d < 0)) throw new RangeError(`${name}: invalid shape ${show(to)}`);
      return [broadcastValue(value, to, name)];
    },
    // each element of the value was copied to many places: their gradients add up (the sizes get none)
    pullback: ({ inputs: [value, ...sizes], grads: [gz] }, T) => [
      gz ? T.sumToShape(gz, value!) : null,
      ...sizes.map(() => null),
    ],
    // alloc(value, 2, n) as Theano writes it; broadcastTo(x, [2, n])
    print: {
      kind: 'custom',
      format: ([value, ...rest], p) => {
        const dims = printedParams(p.shape, rest, 0).join(', ');
        return `${name}(${value!.text}, ${name === 'alloc' ? dims : `[${dims}]`})`;
      },
    },
    paramsKey: (p) => p.shape.join(','),
  };
}

/** `alloc(value, ...shape)`: a new array of `shape` filled with `value` (broadcast, as numpy). */
export const ALLOC = allocLike('alloc');
/** `broadcastTo(x, shape)`: `x` broadcast to `shape`, as a fresh array (numpy's `broadcast_to`, copied). */
export const BROADCAST_TO = allocLike('broadcastTo');

/** `fill(model, value)` (Theano's `fill`, the elementwise `second`): `value` broadcast to the shape of `model`. */
export const FILL: OpDef<undefined> = {
  name: 'fill',
  inferShape: (inputs) => [broadcastFacts(inputs, Math.max(inputs[0]!.ndim, inputs[1]!.ndim))],
  inferType([model, value]) {
    const shape = broadcastStatic([model!.shape, value!.shape]);
    if (typeof shape === 'string') throw new RangeError(`fill: ${model} and ${value} do not broadcast: ${shape}`);
    return [new TensorType(value!.dtype, shape)];
  },
  evaluate([model, value]) {
    const shape = broadcastShapes([model!.shape, value!.shape]);
    if (typeof shape === 'string') throw new RangeError(`fill: ${shape}`);
    return [broadcastValue(value!, shape, 'fill')];
  },
  pullback: ({ inputs: [, value], grads: [gz] }, T) => [null, gz ? T.sumToShape(gz, value!) : null], // the model only gives a shape
  print: { kind: 'call' },
};

// ---------------------------------------------------------------------------------------------------------------
// tile

export interface TileParams {
  /** Repetitions per axis (right-aligned with the input's axes, as numpy); null: read from an integer scalar input. */
  readonly reps: readonly DimParam[];
}

/** `tile(x, reps)`: `x` repeated `reps[k]` times along each axis (numpy's `tile`). */
export const TILE: OpDef<TileParams> = {
  name: 'tile',
  inferShape: NO_SHAPE_FACTS,
  inferType(inputs, { reps }) {
    const x = inputs[0]!;
    checkScalarInputs(inputs, 1, countSymbolic(reps), 'tile', 'repetition count');
    for (const r of reps)
      if (r !== null && (!Number.isInteger(r) || r < 0))
        throw new RangeError(`tile: invalid repetition count ${r} in ${dimsText(reps)}`);
    const ndim = Math.max(x.ndim, reps.length);
    const dims: StaticDim[] = [...new Array<StaticDim>(ndim - x.ndim).fill(1), ...x.shape];
    const r: DimParam[] = [...new Array<DimParam>(ndim - reps.length).fill(1), ...reps];
    return [
      new TensorType(
        x.dtype,
        dims.map((d, k) => (d === 0 || r[k] === 0 ? 0 : d === null || r[k] === null ? null : d * r[k]!)),
      ),
    ];
  },
  evaluate(inputs, { reps }) {
    const x = inputs[0]!;
    const r = resolveParams(reps, inputs, 1);
    if (r.some((n) => !Number.isInteger(n) || n < 0))
      throw new RangeError(`tile: invalid repetition counts ${show(r)}`);
    const ndim = Math.max(x.ndim, r.length);
    const pad = ndim - x.ndim;
    const dims = [...new Array<number>(pad).fill(1), ...x.shape];
    const counts = [...new Array<number>(ndim - r.length).fill(1), ...r];
    const out = dims.map((d, k) => d * counts[k]!);
    return [
      gather(x, out, (idx) =>
        dataPosition(
          x,
          idx.slice(pad).map((i, k) => i % x.shape[k]!),
        ),
      ),
    ];
  },
  // out has axis k of length reps[k] * d[k]: seen as [reps[k], d[k]] pairs, the gradient sums over the reps
  pullback: ({ inputs: [x, ...given], grads: [gz], params: { reps } }, T) => {
    if (!gz) return [null, ...given.map(() => null)];
    const ndim = Math.max(x!.ndim, reps.length);
    const pad = ndim - x!.ndim;
    let next = 0;
    const counts = reps.map((r) => (r === null ? given[next++]! : r));
    const r: (number | Tensor)[] = [...new Array<number>(ndim - reps.length).fill(1), ...counts];
    const pairs: (number | Tensor)[] = [];
    for (let k = 0; k < ndim; k++) pairs.push(r[k]!, k < pad ? 1 : T.shape(x!, k - pad));
    const summed = T.sum(
      T.reshape(gz, pairs),
      Array.from({ length: ndim }, (_, k) => 2 * k),
    );
    return [T.reshape(summed, T.shape(x!), x!.ndim), ...given.map(() => null)];
  },
  print: {
    kind: 'custom',
    format: ([x, ...rest], p) => `tile(${x!.text}, [${printedParams(p.reps, rest, 0).join(', ')}])`,
  },
  paramsKey: (p) => p.reps.join(','),
};
