import {
  allocStorage,
  canCastSafely,
  dtypeOfStorage,
  DTYPES,
  INT_RANGE,
  isDType,
  isFloat,
  type DType,
  type IntegralDType,
} from '../types/dtype.js';
import { NDArray, shapeSize, shapeToString } from './ndarray.js';

const TYPED_ARRAYS =
  'use a Float64Array, Float32Array, Int32Array, Int16Array, Int8Array, Uint8Array, Uint16Array, Uint32Array or BigInt64Array';

/** Anything a user may pass where an array is expected. */
export type ArrayLikeInput = number | boolean | bigint | NDArray | ArrayBufferView | readonly ArrayLikeInput[];

const INT_BITS: { [D in IntegralDType]: [bits: number, signed: boolean] } = {
  bool: [1, false],
  int8: [8, true],
  int16: [16, true],
  int32: [32, true],
  int64: [64, true],
  uint8: [8, false],
  uint16: [16, false],
  uint32: [32, false],
};

const INT64_MIN = -(2n ** 63n);

/**
 * A function turning a JS scalar into the raw value stored for `dtype`, with numpy's `astype` semantics
 * (floats truncate toward zero, integers wrap, anything non-zero is true).
 */
export function scalarCaster(dtype: DType): (x: number | bigint | boolean) => number | bigint {
  if (dtype === 'bool')
    return (x) => (typeof x === 'bigint' ? (x !== 0n ? 1 : 0) : typeof x === 'number' ? (x !== 0 ? 1 : 0) : x ? 1 : 0);
  if (dtype === 'int64') {
    return (x) => {
      if (typeof x === 'bigint') return BigInt.asIntN(64, x);
      if (typeof x === 'boolean') return x ? 1n : 0n;
      return Number.isFinite(x) ? BigInt.asIntN(64, BigInt(Math.trunc(x))) : INT64_MIN;
    };
  }
  if (isFloat(dtype)) return (x) => (typeof x === 'boolean' ? (x ? 1 : 0) : Number(x));
  const [bits, signed] = INT_BITS[dtype as IntegralDType];
  return (x) => {
    if (typeof x === 'bigint') return Number(signed ? BigInt.asIntN(bits, x) : BigInt.asUintN(bits, x));
    if (typeof x === 'boolean') return x ? 1 : 0;
    return x; // the typed array's store truncates toward zero and wraps
  };
}

/** A contiguous copy of `a` converted to `dtype` (numpy `astype`). */
export function castArray(a: NDArray, dtype: DType): NDArray {
  if (!isDType(dtype))
    throw new TypeError(`castArray: unknown dtype ${String(dtype)}; expected one of ${DTYPES.join(', ')}`);
  if (a.dtype === dtype) return a.copy();
  const n = a.size;
  const out = allocStorage(dtype, n) as unknown as { [i: number]: number | bigint };
  const cast = scalarCaster(dtype);
  const src = a.data as unknown as ArrayLike<number | bigint>;
  if (a.dtype === 'bool') for (let i = 0; i < n; i++) out[i] = cast(src[a.flatIndex(i)] !== 0);
  else for (let i = 0; i < n; i++) out[i] = cast(src[a.flatIndex(i)]!);
  return new NDArray(dtype, a.shape, out as never);
}

/** Why a JS scalar does not fit `dtype` without loss, or null when it does. */
function unrepresentable(x: unknown, dtype: DType): string | null {
  if (typeof x === 'boolean') return null;
  if (typeof x === 'bigint') {
    if (isFloat(dtype)) {
      const v = dtype === 'float32' ? Math.fround(Number(x)) : Number(x);
      return Number.isFinite(v) && BigInt(v) === x ? null : `${x} is not exact in ${dtype}`;
    }
    if (dtype === 'int64') return x >= INT64_MIN && x < 2n ** 63n ? null : `${x} is out of the int64 range`;
    const [lo, hi] = INT_RANGE[dtype as IntegralDType];
    return x >= BigInt(lo) && x <= BigInt(hi) ? null : `${x} is out of the ${dtype} range`;
  }
  if (typeof x !== 'number') return `${typeof x} is not a number`;
  if (isFloat(dtype) || Number.isNaN(x))
    return isFloat(dtype) ? null : `NaN is not ${article(dtype)} (integers have no NaN)`;
  if (!Number.isFinite(x)) return `${x} is not ${article(dtype)} (integers have no infinity)`;
  if (!Number.isInteger(x)) return `${x} is not an integer`;
  if (dtype === 'int64')
    return Number.isSafeInteger(x) ? null : `${x} is beyond 2**53: pass a bigint for exact int64 values`;
  const [lo, hi] = INT_RANGE[dtype as IntegralDType];
  return x >= lo && x <= hi ? null : `${x} is out of the ${dtype} range [${lo}, ${hi}]`;
}

/** 'a float64 matrix', 'an int32 vector'. */
export function article(x: unknown): string {
  const s = String(x);
  return `${/^[aeiou]/i.test(s) ? 'an' : 'a'} ${s}`;
}

/** A graph variable (duck-typed: the runtime comes before the graph in the dependency order). */
function isSymbolic(x: unknown): x is { name?: string; type: unknown; owner: unknown } {
  return typeof x === 'object' && x !== null && 'owner' in x && 'type' in x && 'id' in x;
}

/** An element that is not a number, in words: 'a string ('1')', 'a symbolic variable ('x', float64 scalar): ...'. */
function describeElement(x: unknown): string {
  if (x === null || x === undefined) return String(x);
  if (isSymbolic(x)) {
    return `a symbolic variable (${x.name ? `'${x.name}', ` : ''}${String(x.type)}), not a value: graph variables cannot be data (compile a function of them, or substitute them with givens)`;
  }
  if (typeof x === 'string') return `a string ('${x.length > 20 ? `${x.slice(0, 20)}...` : x}')`;
  if (x instanceof NDArray)
    return `an NDArray (${x.dtype}, shape ${shapeToString(x.shape)}): nested arrays hold numbers; pass one NDArray, or nested arrays of numbers (a.toArray())`;
  if (typeof x === 'object') {
    const name = (x as { constructor?: { name?: string } }).constructor?.name;
    return name && name !== 'Object' ? article(name) : 'a plain object';
  }
  return `${article(typeof x)}`;
}

/**
 * Why a value that is neither a nested array, a typed array nor an NDArray cannot be converted (a symbolic
 * variable, an array-like object, an ArrayBuffer, ...), or null when it can be tried (scalars, arrays).
 */
function notAValue(value: unknown): string | null {
  if (Array.isArray(value) || typeof value !== 'object' || value === null) return null;
  if (isSymbolic(value)) return describeElement(value);
  if (value instanceof ArrayBuffer) return 'an ArrayBuffer: wrap it in a typed array (new Float64Array(buffer))';
  const length = (value as { length?: unknown }).length;
  if (typeof length === 'number') {
    return `an array-like object of length ${length}, not an array: pass Array.from(value), a typed array or an NDArray`;
  }
  return `${describeElement(value)}, which is not a number, a nested array, a typed array or an NDArray`;
}

/** The shape of nested JS arrays; throws on ragged input. */
function nestedShape(value: unknown, what: string): number[] {
  const shape: number[] = [];
  let v = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  // the path of an element is only written out for the error message
  const index: number[] = [];
  const path = () => `value${index.map((i) => `[${i}]`).join('')}`;
  const check = (x: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (Array.isArray(x)) throw new TypeError(`${what}: ragged nested array (extra nesting at ${path()})`);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth]) {
      throw new TypeError(
        `${what}: ragged nested array: ${path()} has ${Array.isArray(x) ? `length ${x.length}` : 'a scalar'}, expected length ${shape[depth]}`,
      );
    }
    if (depth === shape.length - 1) {
      for (let i = 0; i < x.length; i++) {
        if (Array.isArray(x[i])) {
          index.push(i);
          check(x[i], depth + 1);
        }
      }
      return;
    }
    for (let i = 0; i < x.length; i++) {
      index.push(i);
      check(x[i], depth + 1);
      index.pop();
    }
  };
  check(value, 0);
  return shape;
}

/**
 * Copies the numbers of a rectangular nested array of depth `depth` into `out` from `at`; returns the next
 * position, or -1 at the first element that is not a number (the caller then takes the general, checking path).
 */
function copyNumbers(value: unknown, depth: number, out: Float64Array | Float32Array, at: number): number {
  if (depth === 0) {
    if (typeof value !== 'number') return -1;
    out[at] = value;
    return at + 1;
  }
  const items = value as readonly unknown[];
  if (depth === 1) {
    for (let i = 0; i < items.length; i++) {
      const x = items[i];
      if (typeof x !== 'number') return -1;
      out[at++] = x;
    }
    return at;
  }
  for (let i = 0; i < items.length; i++) {
    at = copyNumbers(items[i], depth - 1, out, at);
    if (at < 0) return -1;
  }
  return at;
}

function flattenNested(value: unknown, out: unknown[]): void {
  if (Array.isArray(value)) for (const x of value) flattenNested(x, out);
  else out.push(value);
}

/** The dtype a JS value has on its own: numbers are float64 (JS numbers are doubles), bigints int64, booleans bool. */
export function inferDType(value: ArrayLikeInput): DType {
  if (value instanceof NDArray) return value.dtype;
  if (ArrayBuffer.isView(value)) {
    const d = dtypeOfStorage(value);
    if (!d) throw new TypeError(`unsupported typed array ${value.constructor.name} (${TYPED_ARRAYS})`);
    return d;
  }
  const flat: unknown[] = [];
  flattenNested(value, flat);
  if (flat.length > 0 && flat.every((x) => typeof x === 'boolean')) return 'bool';
  if (flat.length > 0 && flat.every((x) => typeof x === 'bigint')) return 'int64';
  return 'float64';
}

export interface ConvertOptions {
  /** The target dtype; inferred from the value when absent. */
  dtype?: DType;
  /** Accept lossy conversions (float to int, float64 to float32), as Theano's `allow_input_downcast`. */
  allowDowncast?: boolean;
  /** Names the value in error messages, e.g. "input 0 ('x')". */
  what?: string;
  /** What was expected, for error messages about values of the wrong kind, e.g. 'a float64 vector'. */
  expected?: string;
  /**
   * How to accept a lossy conversion where this value is given, for error messages; by default the function
   * option ('pass allowInputDowncast: true ...'), which does not apply to shared variables or constants.
   */
  downcastHint?: string;
}

/**
 * Converts a user value to an NDArray of `dtype`. Safe conversions always happen (Int32Array into float64);
 * lossy ones (a fraction into int32, Float64Array into float32) need `allowDowncast`.
 * An NDArray of the right dtype is returned as is (not copied).
 */
export function toNDArray(value: ArrayLikeInput, options: ConvertOptions = {}): NDArray {
  const what = options.what ?? 'value';
  if (options.dtype !== undefined && !isDType(options.dtype)) {
    throw new TypeError(`${what}: unknown dtype ${String(options.dtype)}; expected one of ${DTYPES.join(', ')}`);
  }
  const dtype = options.dtype ?? inferDType(value);
  if (value instanceof NDArray || ArrayBuffer.isView(value)) {
    const a = value instanceof NDArray ? value : fromTypedArray(value, what);
    if (a.dtype === dtype) return a;
    if (canCastSafely(a.dtype, dtype) || options.allowDowncast) return castArray(a, dtype);
    throw new TypeError(
      `${what}: expected dtype ${dtype}, got ${a.dtype}; converting would lose precision (${options.downcastHint ?? 'pass allowInputDowncast: true to accept it'})`,
    );
  }
  const notValue = notAValue(value);
  const expected = options.expected ? `expected ${options.expected}, ` : '';
  if (notValue) throw new TypeError(`${what}: ${expected}got ${notValue}`);
  const shape = nestedShape(value, what);
  if (isFloat(dtype)) {
    // the common case, nested arrays of numbers into a float array: one pass, no intermediate list
    const floats = allocStorage(dtype, shapeSize(shape)) as Float64Array | Float32Array;
    if (copyNumbers(value, shape.length, floats, 0) >= 0) return new NDArray(dtype, shape, floats as never);
  }
  const flat: unknown[] = [];
  flattenNested(value, flat);
  const out = allocStorage(dtype, flat.length) as unknown as { [i: number]: number | bigint };
  const cast = scalarCaster(dtype);
  for (let i = 0; i < flat.length; i++) {
    const x = flat[i];
    if (typeof x !== 'number' && typeof x !== 'boolean' && typeof x !== 'bigint') {
      const where = shape.length === 0 ? 'the value' : `element ${i}`;
      const kind = describeElement(x);
      const tail = isSymbolic(x) ? '' : ', not a number';
      throw new TypeError(`${what}: ${expected ? `${expected}but ` : ''}${where} is ${kind}${tail}`);
    }
    if (!options.allowDowncast && !(typeof x === 'number' && isFloat(dtype))) {
      const why =
        dtype === 'bool'
          ? x === 0 || x === 1 || typeof x === 'boolean'
            ? null
            : `${x} is not a bool (a bool is true, false, 0 or 1)`
          : unrepresentable(x, dtype);
      if (why) {
        throw new TypeError(
          `${what}: expected dtype ${dtype}, but element ${i} does not fit: ${why} (${options.downcastHint ?? 'pass allowInputDowncast: true to convert it'})`,
        );
      }
    }
    out[i] = cast(x);
  }
  return new NDArray(dtype, shape, out as never);
}

function fromTypedArray(a: ArrayBufferView, what: string): NDArray {
  const dtype = dtypeOfStorage(a);
  if (!dtype) throw new TypeError(`${what}: unsupported typed array ${a.constructor.name} (${TYPED_ARRAYS})`);
  const length = (a as unknown as { length: number }).length;
  return new NDArray(dtype, [length], a as never);
}

export function describeValue(value: unknown): string {
  if (value instanceof NDArray) return `an NDArray of ${value.dtype}, shape ${shapeToString(value.shape)}`;
  if (ArrayBuffer.isView(value))
    return `a ${value.constructor.name} of length ${(value as unknown as { length: number }).length}`;
  if (Array.isArray(value)) {
    try {
      const shape = nestedShape(value, 'value');
      return `a nested array of rank ${shape.length}, shape ${shapeToString(shape)}`;
    } catch {
      return 'a ragged nested array';
    }
  }
  if (value === null || value === undefined) return String(value);
  if (isSymbolic(value)) return `a symbolic variable (${value.name ? `'${value.name}', ` : ''}${String(value.type)})`;
  if (typeof value === 'string') return `the string '${value}'`;
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: string } }).constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return `${typeof value} ${String(value)}`;
}

export { shapeSize };

/** A nested JS array input this large is worth converting once, outside the loop (see `warnLargeNested`). */
export const LARGE_NESTED_INPUT = 100_000;
let warnedLargeNested = false;

/**
 * Says once per process that a large nested JS array is converted on every call (a copy of every element, as
 * slow as the step itself for a small model): convert it once with `theano.array` and pass the NDArray.
 */
export function warnLargeNested(size: number, what: string): void {
  if (warnedLargeNested || size < LARGE_NESTED_INPUT) return;
  warnedLargeNested = true;
  console.warn(
    `theano-ts: ${what} is a nested JS array of ${size.toLocaleString('en-US')} elements, converted on every call; ` +
      'convert it once (theano.array(value), or a typed array) and pass that instead (said once per process)',
  );
}
