/**
 * Ops whose output lengths depend on the values (numpy's `nonzero`, `unique`, `bincount`) and Theano's
 * `to_one_hot`: they count, find and encode integer positions.
 */
import type { OpDef } from '../graph/op.js';
import { NDArray, shapeSize } from '../runtime/ndarray.js';
import { isInt, type DType } from '../types/dtype.js';
import { TensorType } from '../types/tensor-type.js';
import { compareValues } from './sorting.js';
import { axesOf } from './shape-facts.js';

type Scalar = number | bigint;

const int64Vector = (values: readonly number[]) =>
  new NDArray(
    'int64',
    [values.length],
    BigInt64Array.from(values, (v) => BigInt(v)),
  );

/** `nonzero(x)`: one int64 vector per axis of x, the coordinates of the non-zero elements in row-major order. */
export const NONZERO: OpDef<Record<string, never>> = {
  name: 'nonzero',
  inferShape: ([x]) => x!.shape.map(() => [null]),
  inferType([x]) {
    if (x!.ndim === 0)
      throw new RangeError(`nonzero: a scalar (${x}) has no coordinates; index a vector (x.reshape([1])) instead`);
    return x!.shape.map(() => new TensorType('int64', [null]));
  },
  evaluate([x]) {
    const a = x!.contiguous();
    const data = a.data as ArrayLike<Scalar>;
    const coords: number[][] = a.shape.map(() => []);
    const strides = a.strides;
    for (let j = 0; j < a.size; j++) {
      const v = data[j]!;
      if (v === 0 || v === 0n) continue; // NaN is non-zero, as in numpy
      let rest = j;
      a.shape.forEach((_, k) => {
        const c = Math.floor(rest / strides[k]!);
        rest -= c * strides[k]!;
        coords[k]!.push(c);
      });
    }
    return coords.map(int64Vector);
  },
  pullback: 'nondifferentiable',
  print: { kind: 'call' },
};

export interface UniqueParams {
  /** The axis whose slices are compared, or null: the elements of the flattened tensor. */
  readonly axis: number | null;
}

/** The slices along `axis` (each flattened in row-major order) of a contiguous array, and their shape. */
function slicesAlong(x: NDArray, axis: number | null): Scalar[][] {
  const a = x.contiguous();
  const data = a.data as ArrayLike<Scalar>;
  if (axis === null) return Array.from(data, (v) => [v]);
  const outer = shapeSize(a.shape.slice(0, axis));
  const n = a.shape[axis]!;
  const inner = shapeSize(a.shape.slice(axis + 1));
  return Array.from({ length: n }, (_, i) => {
    const slice: Scalar[] = [];
    for (let o = 0; o < outer; o++) for (let k = 0; k < inner; k++) slice.push(data[(o * n + i) * inner + k]!);
    return slice;
  });
}

function compareSlices(a: readonly Scalar[], b: readonly Scalar[]): number {
  for (let k = 0; k < a.length; k++) {
    const c = compareValues(a[k]!, b[k]!);
    if (c !== 0) return c;
  }
  return 0;
}

/** The unique slices in sorted order with numpy's index, inverse and counts (positions along the axis). */
function uniqueOf(slices: readonly Scalar[][]): {
  order: number[];
  first: number[];
  inverse: number[];
  counts: number[];
} {
  const order = slices.map((_, i) => i).sort((i, j) => compareSlices(slices[i]!, slices[j]!) || i - j);
  const first: number[] = [];
  const counts: number[] = [];
  const inverse = new Array<number>(slices.length);
  order.forEach((i, r) => {
    if (r === 0 || compareSlices(slices[order[r - 1]!]!, slices[i]!) !== 0) {
      first.push(i); // stable order: the first of a run is its first occurrence
      counts.push(0);
    }
    inverse[i] = first.length - 1;
    counts[counts.length - 1]! += 1;
  });
  return { order, first, inverse, counts };
}

/**
 * `unique(x, axis)`, four outputs as numpy's `unique(..., return_index, return_inverse, return_counts)`: the sorted
 * unique elements (or slices along the axis; NaNs count as equal), the position of each one's first occurrence,
 * the position in the unique values of each element (x's shape for axis null, as numpy 2), and the counts.
 */
export const UNIQUE: OpDef<UniqueParams> = {
  name: 'unique',
  inferShape: ([x], { axis }) => {
    const kept = axis === null ? [null] : x!.shape.map((_, k) => (k === axis ? null : { input: 0, axis: k }));
    return [kept, [null], axis === null ? axesOf([x!], 0) : [{ input: 0, axis }], [null]];
  },
  inferType([x], { axis }) {
    if (axis !== null && (axis < 0 || axis >= x!.ndim))
      throw new RangeError(`unique: axis ${axis} is out of range for ${x}`);
    const values = axis === null ? [null] : x!.shape.map((d, k) => (k === axis ? null : d));
    const inverse = axis === null ? x!.shape : [x!.shape[axis]!];
    return [
      new TensorType(x!.dtype, values),
      new TensorType('int64', [null]),
      new TensorType('int64', inverse),
      new TensorType('int64', [null]),
    ];
  },
  evaluate([x], { axis }) {
    const slices = slicesAlong(x!, axis);
    const { first, inverse, counts } = uniqueOf(slices);
    const shape = axis === null ? [first.length] : x!.shape.map((d, k) => (k === axis ? first.length : d));
    const values = NDArray.zeros(x!.dtype, shape);
    const dst = values.data as unknown as { [i: number]: Scalar };
    const outer = axis === null ? 1 : shapeSize(x!.shape.slice(0, axis));
    const inner = axis === null ? 1 : shapeSize(x!.shape.slice(axis + 1));
    first.forEach((i, u) => {
      const slice = slices[i]!;
      for (let o = 0; o < outer; o++)
        for (let k = 0; k < inner; k++) dst[(o * first.length + u) * inner + k] = slice[o * inner + k]!;
    });
    const inv = int64Vector(inverse);
    const invShape = axis === null ? x!.shape : [inverse.length];
    return [values, int64Vector(first), new NDArray('int64', invShape, inv.data), int64Vector(counts)];
  },
  pullback: 'nondifferentiable',
  print: { kind: 'call', args: (p) => (p.axis === null ? [] : [`axis=${p.axis}`]) },
  paramsKey: (p) => String(p.axis),
};

export interface BincountParams {
  readonly minlength: number;
}

function checkCounted(x: TensorType): void {
  if (x.ndim !== 1 || !isInt(x.dtype))
    throw new TypeError(`bincount: x must be a vector of non-negative integers, got ${x}`);
}

/**
 * `bincount(x, weights?, minlength)`: out[v] = how many times v occurs in x (int64), or the sum of the weights
 * at those positions (float64, as numpy); the length is max(max(x) + 1, minlength). Inputs: x, and the weights.
 */
export const BINCOUNT: OpDef<BincountParams> = {
  name: 'bincount',
  inferShape: () => [[null]],
  inferType([x, weights], { minlength }) {
    checkCounted(x!);
    if (!Number.isInteger(minlength) || minlength < 0)
      throw new RangeError(`bincount: minlength must be a non-negative integer, got ${minlength}`);
    if (weights && (weights.ndim !== 1 || weights.dtype === 'bool'))
      throw new TypeError(`bincount: the weights must be a numeric vector like x, got ${weights}`);
    return [new TensorType(weights ? 'float64' : 'int64', [null])];
  },
  evaluate([x, weights], { minlength }) {
    const n = x!.size;
    if (weights && weights.size !== n)
      throw new RangeError(`bincount: the weights have ${weights.size} elements and x has ${n}; they must match`);
    const values = Array.from({ length: n }, (_, j) => Number(x!.item(j)));
    let length = minlength;
    for (const v of values) {
      if (v < 0) throw new RangeError(`bincount: x must be non-negative, got ${v}`);
      length = Math.max(length, v + 1);
    }
    if (!weights) {
      const counts = new BigInt64Array(length);
      for (const v of values) counts[v]! += 1n;
      return [new NDArray('int64', [length], counts)];
    }
    const sums = new Float64Array(length);
    values.forEach((v, j) => {
      sums[v]! += Number(weights.item(j));
    });
    return [new NDArray('float64', [length], sums)];
  },
  // out[v] = sum of w[j] over x[j] = v: gw[j] = gout[x[j]]; x gets none.
  pullback: ({ inputs: [x, weights], grads: [gz] }, T) =>
    gz && weights ? [null, T.take(gz, x as never, 0)] : [null, null],
  print: { kind: 'call', args: (p) => (p.minlength ? [`minlength=${p.minlength}`] : []) },
  paramsKey: (p) => String(p.minlength),
};

export interface OneHotParams {
  readonly dtype: DType;
}

/**
 * Theano's `to_one_hot(y, nb_class)`: out[..., c] = 1 where y[...] = c, else 0; the class axis comes last. A label
 * outside [0, nb_class) is an error. Inputs: y, the number of classes (an integer scalar).
 */
export const ONE_HOT: OpDef<OneHotParams> = {
  name: 'one_hot',
  inferShape: (inputs) => [[...axesOf(inputs, 0), { size: 1 }]],
  inferType([y, n], { dtype }) {
    if (!isInt(y!.dtype)) throw new TypeError(`oneHot: the labels must be integers, got ${y}`);
    if (n!.ndim !== 0 || !isInt(n!.dtype))
      throw new TypeError(`oneHot: the number of classes must be an integer scalar, got ${n}`);
    return [new TensorType(dtype, [...y!.shape, null])];
  },
  evaluate([y, n], { dtype }) {
    const classes = Number(n!.item());
    if (classes < 0) throw new RangeError(`oneHot: the number of classes must be non-negative, got ${classes}`);
    const out = NDArray.zeros(dtype, [...y!.shape, classes]);
    const dst = out.data as unknown as { [i: number]: Scalar };
    const one = dtype === 'int64' ? 1n : 1;
    for (let j = 0; j < y!.size; j++) {
      const c = Number(y!.item(j));
      if (c < 0 || c >= classes)
        throw new RangeError(`oneHot: label ${c} is out of range for ${classes} classes (at position ${j})`);
      dst[j * classes + c] = one;
    }
    return [out];
  },
  pullback: 'nondifferentiable',
  print: { kind: 'call', name: () => 'to_one_hot' },
  paramsKey: (p) => p.dtype,
};
