import { allocStorage, DTYPES, STORAGE, type DType, type ScalarValue, type Storage } from '../types/dtype.js';
import type { NestedMutable, Rank, RankOfShape, Shape } from '../types/rank.js';
import { castArray } from './convert.js';
import { formatNDArray } from './format.js';

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** The index (one entry per axis) of element `i` of an array of `shape` in row-major order. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    index[k] = i % shape[k]!;
    i = Math.floor(i / shape[k]!);
  }
  return index;
}

export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export const shapeToString = (shape: readonly number[]): string =>
  `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;

const KNOWN_DTYPES: ReadonlySet<string> = new Set(DTYPES);

const describeArgument = (x: unknown): string =>
  typeof x === 'string'
    ? `'${x}'`
    : Array.isArray(x)
      ? JSON.stringify(x)
      : `${x === null ? 'null' : typeof x} ${String(x)}`;

function describeData(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (Array.isArray(x)) return `a JS array of length ${x.length} (wrap it: theano.array(values, { dtype }))`;
  const name = (x as { constructor?: { name?: string } }).constructor?.name;
  return typeof x === 'object' ? `a ${name ?? 'object'}` : `${typeof x} ${String(x)}`;
}

/**
 * Throws unless every element reachable from `offset` through `strides` lies in `[0, length)`. The lowest and
 * highest reachable positions are the offset plus, per axis, (size - 1) * stride on the side of the stride's sign.
 */
function checkLayout(
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  length: number,
  explicit: boolean,
): void {
  if (strides.length !== shape.length) {
    throw new RangeError(
      `NDArray: ${strides.length} strides for shape ${shapeToString(shape)}; expected ${shape.length} (one per axis)`,
    );
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new RangeError(`NDArray: offset must be a non-negative integer, got ${offset}`);
  }
  let low = offset;
  let high = offset;
  let empty = false;
  for (let i = 0; i < shape.length; i++) {
    const s = strides[i]!;
    if (!Number.isInteger(s))
      throw new RangeError(`NDArray: strides must be integers (in elements), got ${JSON.stringify(strides)}`);
    const n = shape[i]!;
    if (n === 0) empty = true;
    else if (s > 0) high += (n - 1) * s;
    else low += (n - 1) * s;
  }
  if (empty) return; // no element is ever read
  if (low < 0 || high >= length) {
    const layout = explicit ? `strides ${JSON.stringify(strides)} and offset ${offset}` : `offset ${offset}`;
    throw new RangeError(
      `NDArray: shape ${shapeToString(shape)} with ${layout} reaches elements ${low} to ${high}, but the data holds ${length} (indices 0 to ${length - 1})`,
    );
  }
}

/** Set only while `NDArray.trusted` constructs a view (JavaScript is single-threaded: no other call sees it). */
let trustedLayout = false;

/**
 * An n-dimensional array: a typed array, a shape, strides (in elements) and an offset. int64 data lives in a
 * BigInt64Array and reads as `bigint`; bool data in a Uint8Array and reads as `boolean`.
 */
export class NDArray<D extends DType = DType, R extends Rank = Rank> {
  declare private readonly __brand: void;
  readonly dtype: D;
  readonly shape: Shape<R>;
  readonly strides: readonly number[];
  readonly offset: number;
  readonly data: Storage<D>;

  /**
   * Checks everything it is given, in O(ndim): a known dtype, data of that dtype's typed array, a shape of
   * non-negative integers, one integer stride per axis, an integer offset, and every element the strides reach
   * from the offset inside `data` (a view running past its buffer would read `undefined`, that is NaN).
   */
  constructor(dtype: D, shape: readonly number[], data: Storage<D>, strides?: readonly number[], offset = 0) {
    if (trustedLayout) {
      // NDArray.trusted: the caller derived the layout from a checked array (same fields, same order)
      this.dtype = dtype;
      this.shape = shape as Shape<R>;
      this.strides = strides!;
      this.offset = offset;
      this.data = data;
      return;
    }
    const storage = STORAGE[dtype];
    if (!KNOWN_DTYPES.has(dtype)) {
      throw new TypeError(`NDArray: unknown dtype ${describeArgument(dtype)}; expected one of ${DTYPES.join(', ')}`);
    }
    if (!(data instanceof storage)) {
      throw new TypeError(`NDArray: dtype ${dtype} keeps its data in a ${storage.name}, got ${describeData(data)}`);
    }
    if (!Array.isArray(shape))
      throw new TypeError(`NDArray: the shape must be an array of sizes, got ${describeArgument(shape)}`);
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0)
        throw new RangeError(`NDArray: invalid shape ${JSON.stringify(shape)}: sizes must be non-negative integers`);
    }
    this.dtype = dtype;
    this.shape = [...shape] as Shape<R>;
    this.strides = strides ? [...strides] : contiguousStrides(shape);
    this.offset = offset;
    this.data = data;
    checkLayout(shape, this.strides, offset, data.length, strides !== undefined);
  }

  /**
   * @internal A view whose layout an op derived from an array already checked (a transpose, a broadcast): no
   * validation and no copy, so `shape` and `strides` must be fresh arrays the view may own. The views ops make on
   * every call (a scan step's transposes) cost a validation each otherwise.
   */
  static trusted<D extends DType>(
    dtype: D,
    shape: number[],
    data: Storage<D>,
    strides: number[],
    offset: number,
  ): NDArray<D> {
    trustedLayout = true;
    try {
      return new NDArray(dtype, shape, data, strides, offset);
    } finally {
      trustedLayout = false;
    }
  }

  /**
   * @internal A contiguous array over storage just allocated for it, with a shape its caller derived (a kernel's
   * output): no validation, and `shape` is kept, not copied (the caller must not change it afterwards).
   */
  static fresh<D extends DType>(dtype: D, shape: readonly number[], data: Storage<D>): NDArray<D> {
    return NDArray.trusted(dtype, shape as number[], data, contiguousStrides(shape), 0);
  }

  /** A new zero-filled contiguous array. */
  static zeros<D extends DType>(dtype: D, shape: readonly number[]): NDArray<D> {
    return new NDArray(dtype, shape, allocStorage(dtype, shapeSize(shape)));
  }

  get ndim(): R {
    return this.shape.length as R;
  }
  get size(): number {
    return shapeSize(this.shape);
  }
  /** True when the elements are laid out in row-major order from `offset` with no gaps. */
  get isContiguous(): boolean {
    let s = 1;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const n = this.shape[i]!;
      if (n !== 1 && this.strides[i] !== s) return false;
      s *= n;
    }
    return true;
  }

  /** The flat index into `data` of element `index` in row-major order. */
  flatIndex(index: number): number {
    if (this.isContiguous) return this.offset + index;
    let pos = this.offset;
    for (let i = this.shape.length - 1; i >= 0; i--) {
      const n = this.shape[i]!;
      pos += (index % n) * this.strides[i]!;
      index = Math.floor(index / n);
    }
    return pos;
  }

  /** A contiguous copy (the same object is never returned, so the copy may be written). */
  copy(): NDArray<D, R> {
    const out = NDArray.zeros(this.dtype, this.shape) as NDArray<D, R>;
    const src = this.data as ArrayLike<unknown>;
    const dst = out.data as unknown as { [i: number]: unknown };
    const n = this.size;
    if (this.isContiguous) {
      (out.data as unknown as { set(a: ArrayLike<unknown>): void }).set(
        (this.data as unknown as { subarray(a: number, b: number): ArrayLike<unknown> }).subarray(
          this.offset,
          this.offset + n,
        ),
      );
    } else {
      for (let i = 0; i < n; i++) dst[i] = src[this.flatIndex(i)];
    }
    return out;
  }

  /** A contiguous array holding the same elements (this one when it already is contiguous from offset 0). */
  contiguous(): NDArray<D, R> {
    return this.isContiguous && this.offset === 0 ? this : this.copy();
  }

  /** Element `i` (row-major) as its JS scalar value. */
  item(i = 0): ScalarValue<D> {
    return toScalar(this.dtype, this.data[this.flatIndex(i)]!) as ScalarValue<D>;
  }

  /** The element at a full index (negative indices count from the end). */
  get(...index: Shape<R>): ScalarValue<D> {
    return toScalar(this.dtype, this.data[this.position(index, 'get')]!) as ScalarValue<D>;
  }

  /** The position in `data` of a full index, checked (`who` names the method in errors). */
  private position(index: readonly number[], who: string): number {
    if (index.length !== this.shape.length) {
      throw new RangeError(
        `NDArray.${who}: expected ${this.shape.length} indices for shape ${shapeToString(this.shape)}, got ${index.length}`,
      );
    }
    let pos = this.offset;
    for (let k = 0; k < index.length; k++) {
      const n = this.shape[k]!;
      let i = index[k]!;
      if (typeof i !== 'number') {
        const what = typeof i === 'string' ? `the string '${i}'` : describeArgument(i);
        throw new TypeError(`NDArray.${who}: index ${k} is ${what}; indices are integers`);
      }
      if (i < 0) i += n;
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        throw new RangeError(`NDArray.${who}: index ${index[k]} is out of bounds for axis ${k} with size ${n}`);
      }
      pos += i * this.strides[k]!;
    }
    return pos;
  }

  /** Nested JS arrays (a scalar for rank 0). */
  toArray(): NestedMutable<ScalarValue<D>, R> {
    const build = (axis: number, pos: number): unknown => {
      if (axis === this.shape.length) return toScalar(this.dtype, this.data[pos]!);
      const out: unknown[] = [];
      for (let i = 0; i < this.shape[axis]!; i++) out.push(build(axis + 1, pos + i * this.strides[axis]!));
      return out;
    };
    return build(0, this.offset) as NestedMutable<ScalarValue<D>, R>;
  }

  /** Sets the element at a full index (negative indices count from the end): `a.set(0, 1, 2.5)` is `a[0, 1] = 2.5`. */
  set(...args: [...Shape<R>, ScalarValue<D> | number]): void {
    const index = args.slice(0, -1) as unknown as Shape<R>;
    const value = args[args.length - 1] as number | bigint | boolean;
    const pos = this.position(index, 'set');
    const data = this.data as unknown as { [i: number]: number | bigint };
    if (this.dtype === 'bool') data[pos] = value ? 1 : 0;
    else if (this.dtype === 'int64') data[pos] = typeof value === 'bigint' ? value : BigInt(Math.trunc(Number(value)));
    else data[pos] = Number(value);
  }

  /**
   * The same elements in another shape (numpy's `reshape`; one length may be -1, inferred). A view sharing this
   * array's data when it is contiguous, else a copy.
   */
  reshape<const S extends readonly number[]>(shape: S): NDArray<D, RankOfShape<S>> {
    if (!Array.isArray(shape))
      throw new TypeError(`NDArray.reshape: expected a shape (an array of lengths), got ${describeArgument(shape)}`);
    const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
    const free = shape.filter((d) => d === -1).length;
    if (free > 1) throw new RangeError(`NDArray.reshape: only one length may be -1, got ${JSON.stringify(shape)}`);
    const out = shape.map((d) => (d === -1 ? (known === 0 ? 0 : this.size / known) : d));
    if (!out.every((d) => Number.isInteger(d) && d >= 0) || shapeSize(out) !== this.size) {
      throw new RangeError(
        `NDArray.reshape: cannot reshape an array of size ${this.size} (shape ${shapeToString(this.shape)}) into ${JSON.stringify(shape)}`,
      );
    }
    const source = this.isContiguous ? this : this.copy();
    return new NDArray(this.dtype, out, source.data, undefined, source.offset) as never;
  }

  /**
   * The axes permuted (numpy's `transpose`): reversed by default, else `axes[i]` is the axis of this array that
   * becomes axis i. A view: no data is copied.
   */
  transpose(...axes: number[]): NDArray<D, R> {
    const n = this.shape.length;
    const order =
      axes.length === 0 ? Array.from({ length: n }, (_, i) => n - 1 - i) : axes.map((a) => (a < 0 ? a + n : a));
    if (
      order.length !== n ||
      new Set(order).size !== n ||
      !order.every((a) => Number.isInteger(a) && a >= 0 && a < n)
    ) {
      throw new RangeError(
        `NDArray.transpose: axes ${JSON.stringify(axes)} are not a permutation of the ${n} axes of shape ${shapeToString(this.shape)}`,
      );
    }
    return new NDArray(
      this.dtype,
      order.map((a) => this.shape[a]!),
      this.data,
      order.map((a) => this.strides[a]!),
      this.offset,
    ) as NDArray<D, R>;
  }

  /** The transpose (axes reversed), a view, as numpy's `a.T`. */
  get T(): NDArray<D, R> {
    return this.transpose();
  }

  /** numpy's `tolist()`: the same as `toArray()`. */
  tolist(): NestedMutable<ScalarValue<D>, R> {
    return this.toArray();
  }

  /**
   * The elements in row-major order as a typed array of this dtype's storage: this array's own data (no copy)
   * when it is contiguous and spans its whole buffer, a subarray view when contiguous, else a copy.
   */
  toTypedArray(): Storage<D> {
    const source = this.isContiguous ? this : this.copy();
    const data = source.data as unknown as { length: number; subarray(a: number, b: number): Storage<D> };
    if (source.offset === 0 && data.length === this.size) return source.data;
    return data.subarray(source.offset, source.offset + this.size);
  }

  /** A copy converted to `dtype` (numpy's `astype`: unsafe casts allowed, floats truncated toward zero into integers). */
  astype<T extends DType>(dtype: T): NDArray<T, R> {
    return castArray(this, dtype) as NDArray<T, R>;
  }

  /** numpy's `str(array)`: `[[0.5        0.73105858]\n [0.26894142 0.11920292]]`. */
  toString(): string {
    return formatNDArray(this);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `NDArray<${this.dtype}, ${shapeToString(this.shape)}> ${this.toString()}`;
  }
}

export function toScalar(dtype: DType, raw: number | bigint): number | bigint | boolean {
  return dtype === 'bool' ? raw !== 0 : raw;
}
