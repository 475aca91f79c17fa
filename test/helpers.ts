/**
 * Shared test helpers: one-line oracle checks of ops (`checkOp`), value comparison with dtype-aware tolerances,
 * an independent numpy-broadcasting reference, build/run error assertions and fast-check arbitraries.
 *
 * The reference side here is written from first principles (its own broadcasting, its own dtype casting through
 * typed arrays) so that it does not share code with the implementation under test.
 *
 * @example
 * checkOp('exp', [[-1, 0, 2.5]], { dtype: 'float64', shape: [3], ref: Math.exp });
 * checkOp('add', [i8([127]), i8([1])], { dtype: 'int8', value: [-128] });
 * checkOp((x) => T.sum(x, 0), [[[1, 2], [3, 4]]], { dtype: 'float64', value: [4, 6] });
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import * as theano from '../src/index.js';
import type { ArrayLikeInput, DType, NDArray, Tensor } from '../src/index.js';
import type { StaticDim } from '../src/types/tensor-type.js';

const T = theano.tensor;

export const ALL_DTYPES: readonly DType[] = [
  'bool',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'float32',
  'float64',
];
export const isFloatDType = (d: DType): boolean => d === 'float32' || d === 'float64';

// ---------------------------------------------------------------------------------------------------------------
// Inputs

/** One input of an op under test: its dtype, its value and optionally its static shape (null: unknown). */
export interface Arg {
  readonly kind: 'arg';
  readonly dtype: DType;
  readonly value: ArrayLikeInput;
  /** The static shape of the symbolic input; by default the value's rank with every dimension unknown. */
  readonly static?: readonly StaticDim[];
  readonly name?: string;
}

/** An input: an `Arg`, or a bare value whose dtype is inferred (numbers float64, bigints int64, booleans bool). */
export type ArgLike = Arg | ArrayLikeInput;

export function arg(
  dtype: DType,
  value: ArrayLikeInput,
  options: { static?: readonly StaticDim[]; name?: string } = {},
): Arg {
  return { kind: 'arg', dtype, value, ...options };
}
const typed = (dtype: DType) => (value: ArrayLikeInput, options?: { static?: readonly StaticDim[]; name?: string }) =>
  arg(dtype, value, options);
export const b = typed('bool');
export const i8 = typed('int8');
export const i16 = typed('int16');
export const i32 = typed('int32');
export const i64 = typed('int64');
export const u8 = typed('uint8');
export const u16 = typed('uint16');
export const u32 = typed('uint32');
export const f32 = typed('float32');
export const f64 = typed('float64');

function isArg(x: unknown): x is Arg {
  return typeof x === 'object' && x !== null && (x as { kind?: unknown }).kind === 'arg';
}

/** The dtype a bare test value stands for. */
function inferTestDType(value: ArrayLikeInput): DType {
  if (value instanceof theano.NDArray) return value.dtype;
  const flat: unknown[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else flat.push(v);
  };
  walk(value);
  if (flat.length > 0 && flat.every((x) => typeof x === 'boolean')) return 'bool';
  if (flat.length > 0 && flat.every((x) => typeof x === 'bigint')) return 'int64';
  return 'float64';
}

export function toArg(x: ArgLike): Arg {
  return isArg(x) ? x : arg(inferTestDType(x), x);
}

/** The concrete shape of a nested JS value (the test data is never ragged). */
export function shapeOf(value: ArrayLikeInput): number[] {
  if (value instanceof theano.NDArray) return [...value.shape];
  if (ArrayBuffer.isView(value)) return [(value as unknown as { length: number }).length];
  const shape: number[] = [];
  let v: unknown = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

/** A symbolic input for an Arg: `T.tensor(dtype, staticShape)`. */
export function symbolic(a: Arg, i = 0): Tensor {
  const shape = a.static ?? shapeOf(a.value).map(() => null);
  return T.tensor(a.dtype, shape, a.name ?? `x${i}`) as Tensor;
}

// ---------------------------------------------------------------------------------------------------------------
// Running

/** An op under test: the name of a free function of `theano.tensor` (`'exp'`, `'div'`, `'switch'`) or a builder. */
export type OpLike = string | ((...xs: Tensor[]) => Tensor);

export function resolveOp(op: OpLike): (...xs: Tensor[]) => Tensor {
  if (typeof op === 'function') return op;
  const fn = (T as unknown as Record<string, unknown>)[op];
  if (typeof fn !== 'function') throw new Error(`test helper: theano.tensor has no function '${op}'`);
  return fn as (...xs: Tensor[]) => Tensor;
}

/** Compiles `outputs` of `inputs` and returns a loosely typed callable (tests pass values of every kind). */
export function compileLoose(
  inputs: readonly Tensor[],
  outputs: Tensor | readonly Tensor[],
  options: theano.FunctionOptions = {},
) {
  const f = theano.function(inputs as Tensor[], outputs as Tensor, options) as unknown as (
    ...args: unknown[]
  ) => unknown;
  return f;
}

/** Builds the op on symbolic inputs for `args`, compiles it and runs it: the symbolic output and its value. */
export function runOp(
  op: OpLike,
  args: readonly ArgLike[],
  options: theano.FunctionOptions = {},
): { out: Tensor; value: unknown; inputs: Tensor[] } {
  const as = args.map(toArg);
  const inputs = as.map((a, i) => symbolic(a, i));
  const out = resolveOp(op)(...inputs);
  const f = compileLoose(inputs, out, options);
  const value = f(...as.map((a) => a.value));
  return { out, value, inputs };
}

/** A function's result as an NDArray (rank-0 results come back as JS scalars). */
export function asNDArray(value: unknown, dtype: DType): NDArray {
  if (value instanceof theano.NDArray) return value;
  return theano.toNDArray(value as ArrayLikeInput, { dtype, allowDowncast: true });
}

// ---------------------------------------------------------------------------------------------------------------
// Reference math

/** numpy broadcasting of concrete shapes, written independently of src/ (null when they do not broadcast). */
export function numpyBroadcast(shapes: readonly (readonly number[])[]): number[] | null {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let k = 0; k < ndim; k++) {
    const dims = shapes.map((s) => s[s.length - ndim + k] ?? 1);
    const big = dims.filter((d) => d !== 1);
    if (big.some((d) => d !== big[0])) return null;
    out.push(big.length ? big[0]! : 1);
  }
  return out;
}

/** Every multi-index of `shape` in row-major order. */
export function* indices(shape: readonly number[]): Generator<number[]> {
  const n = shape.reduce((a, d) => a * d, 1);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    yield [...idx];
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++idx[k]! < shape[k]!) break;
      idx[k] = 0;
    }
  }
}

/** The element of nested data (or an NDArray) at the output index `idx`, numpy-broadcast from `shape`. */
export function elementAt(value: ArrayLikeInput, shape: readonly number[], idx: readonly number[]): unknown {
  const own = idx.slice(idx.length - shape.length).map((i, k) => (shape[k] === 1 ? 0 : i));
  if (value instanceof theano.NDArray) return (value.get as (...i: number[]) => unknown)(...own);
  let v: unknown = ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<unknown>) : value;
  for (const i of own) v = (v as unknown[])[i];
  return v;
}

/**
 * What the value `v` becomes when stored in `dtype`, by the typed array itself (C semantics: floats truncate
 * toward zero, integers wrap, non-zero and NaN are true). int64 comes back as bigint, bool as boolean.
 */
export function coerce(dtype: DType, v: unknown): number | bigint | boolean {
  if (dtype === 'bool') return typeof v === 'bigint' ? v !== 0n : typeof v === 'number' ? v !== 0 : Boolean(v);
  if (dtype === 'int64') {
    if (typeof v === 'bigint') return BigInt.asIntN(64, v);
    if (typeof v === 'boolean') return v ? 1n : 0n;
    const x = Number(v);
    if (!Number.isFinite(x)) throw new Error(`test helper: ${x} has no int64 value`);
    return BigInt.asIntN(64, BigInt(Math.trunc(x)));
  }
  if (typeof v === 'bigint') {
    if (isFloatDType(dtype)) return coerce(dtype, Number(v));
    const bits = { int8: 8, int16: 16, int32: 32, uint8: 8, uint16: 16, uint32: 32 }[dtype as 'int8'];
    return Number(dtype.startsWith('int') ? BigInt.asIntN(bits, v) : BigInt.asUintN(bits, v));
  }
  const num = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
  const store = {
    int8: Int8Array,
    int16: Int16Array,
    int32: Int32Array,
    uint8: Uint8Array,
    uint16: Uint16Array,
    uint32: Uint32Array,
    float32: Float32Array,
    float64: Float64Array,
  }[dtype];
  const a = new store(1);
  a[0] = num;
  return a[0]!;
}

/** A JS reference function applied elementwise with numpy broadcasting; its results are cast to `dtype`. */
export type RefFn = (...xs: never[]) => number | bigint | boolean;

/**
 * Applies `ref` elementwise over the broadcast of `args` (each element read as its JS value for the arg's dtype:
 * bigint for int64, boolean for bool, the stored number otherwise, e.g. float32-rounded).
 */
export function referenceElementwise(
  ref: RefFn,
  args: readonly ArgLike[],
  dtype: DType,
): { shape: number[]; values: (number | bigint | boolean)[] } {
  const as = args.map(toArg);
  // read the inputs back after conversion to their dtypes, so the reference sees exactly what the op sees
  const arrays = as.map((a) => theano.toNDArray(a.value, { dtype: a.dtype, allowDowncast: true }));
  const shapes = arrays.map((a) => [...a.shape]);
  const shape = numpyBroadcast(shapes);
  if (!shape) throw new Error(`test helper: input shapes ${JSON.stringify(shapes)} do not broadcast`);
  const f = ref as (...xs: unknown[]) => unknown;
  const values: (number | bigint | boolean)[] = [];
  for (const idx of indices(shape))
    values.push(coerce(dtype, f(...arrays.map((a, j) => elementAt(a, shapes[j]!, idx)))));
  return { shape, values };
}

// ---------------------------------------------------------------------------------------------------------------
// Comparison

export interface Tolerance {
  /** Relative tolerance for floats (default: 1e-12 for float64, 4e-7 for float32). */
  rtol?: number;
  /** Absolute tolerance for floats (default 0). */
  atol?: number;
  /** Tell -0 from +0 (default false). */
  signedZeros?: boolean;
}

export function flatten(v: unknown): unknown[] {
  const out: unknown[] = [];
  const walk = (x: unknown): void => {
    if (Array.isArray(x)) x.forEach(walk);
    else out.push(x);
  };
  walk(v);
  return out;
}

/** Why `got` (an element of an array of `dtype`) does not match `want`, or null. */
export function mismatch(dtype: DType, got: unknown, want: unknown, tol: Tolerance = {}): string | null {
  if (dtype === 'bool') {
    const w = typeof want === 'number' ? want !== 0 : want;
    return got === w ? null : `expected ${String(w)}, got ${String(got)}`;
  }
  if (dtype === 'int64') {
    if (typeof got !== 'bigint') return `expected a bigint, got ${typeof got} ${String(got)}`;
    const w =
      typeof want === 'bigint' ? want : typeof want === 'number' && Number.isInteger(want) ? BigInt(want) : undefined;
    return w === got ? null : `expected ${String(want)}, got ${got}n`;
  }
  if (typeof got !== 'number') return `expected a number, got ${typeof got} ${String(got)}`;
  const w = typeof want === 'bigint' ? Number(want) : typeof want === 'boolean' ? (want ? 1 : 0) : want;
  if (typeof w !== 'number') return `expected value ${String(want)} is not a number`;
  if (!isFloatDType(dtype))
    return Object.is(got, w) || (got === w && !tol.signedZeros) ? null : `expected ${w}, got ${got}`;
  if (Number.isNaN(w) || Number.isNaN(got))
    return Number.isNaN(w) && Number.isNaN(got) ? null : `expected ${w}, got ${got}`;
  if (w === got)
    return tol.signedZeros && !Object.is(w, got)
      ? `expected ${Object.is(w, -0) ? '-0' : '+0'}, got ${Object.is(got, -0) ? '-0' : '+0'}`
      : null;
  if (!Number.isFinite(w) || !Number.isFinite(got)) return `expected ${w}, got ${got}`;
  const rtol = tol.rtol ?? (dtype === 'float32' ? 4e-7 : 1e-12);
  const atol = tol.atol ?? 0;
  return Math.abs(got - w) <= atol + rtol * Math.abs(w)
    ? null
    : `expected ${w}, got ${got} (|diff| ${Math.abs(got - w)}, rtol ${rtol}, atol ${atol})`;
}

/** Asserts an NDArray's dtype, shape and elements (expected as nested JS values or a flat list). */
export function expectArray(
  got: unknown,
  want: { dtype?: DType; shape?: readonly number[]; value?: unknown; flat?: readonly unknown[] } & Tolerance,
  what = 'output',
): void {
  expect(got, `${what} is an NDArray`).toBeInstanceOf(theano.NDArray);
  const a = got as NDArray;
  if (want.dtype !== undefined) expect(a.dtype, `${what} dtype`).toBe(want.dtype);
  if (want.shape !== undefined) expect([...a.shape], `${what} shape`).toEqual([...want.shape]);
  const expected = want.flat ?? (want.value !== undefined ? flatten(want.value) : undefined);
  if (expected === undefined) return;
  if (want.value !== undefined && want.shape === undefined && Array.isArray(want.value)) {
    expect([...a.shape], `${what} shape (from the expected value)`).toEqual(shapeOf(want.value as ArrayLikeInput));
  }
  const actual = flatten(a.toArray());
  expect(actual.length, `${what} size`).toBe(expected.length);
  const problems: string[] = [];
  actual.forEach((g, i) => {
    const why = mismatch(a.dtype, g, expected[i], want);
    if (why) problems.push(`[${i}] ${why}`);
  });
  expect(problems, `${what} elements (dtype ${a.dtype})`).toEqual([]);
}

/** Asserts a rank-0 result: a JS scalar of the dtype's kind (bigint for int64, boolean for bool, else number). */
export function expectScalar(got: unknown, dtype: DType, want: unknown, tol: Tolerance = {}): void {
  const kind = dtype === 'int64' ? 'bigint' : dtype === 'bool' ? 'boolean' : 'number';
  expect(typeof got, 'rank-0 result kind').toBe(kind);
  expect(mismatch(dtype, got, want, tol)).toBeNull();
}

// ---------------------------------------------------------------------------------------------------------------
// The one-line oracle

export interface Expectation extends Tolerance {
  /** The output dtype, checked on the symbolic output and on the value. */
  dtype: DType;
  /** The output shape (default: the numpy broadcast of the input shapes when `ref` is given, else from `value`). */
  shape?: readonly number[];
  /** The expected values as nested JS arrays (or a scalar for rank 0). */
  value?: unknown;
  /** A JS reference applied elementwise over the broadcast inputs, its results cast to `dtype`. */
  ref?: RefFn;
  /** Compile options (e.g. `allowInputDowncast`). */
  options?: theano.FunctionOptions;
}

/**
 * One-line oracle test of an op: builds symbolic inputs of the given dtypes, applies `op`, compiles with
 * `theano.function`, runs on the values, and checks the symbolic dtype, the value's dtype, shape and elements
 * against `value` and/or the elementwise reference `ref`. Returns the result for further checks.
 */
export function checkOp(op: OpLike, args: readonly ArgLike[], want: Expectation): NDArray {
  if (want.value === undefined && want.ref === undefined && want.shape === undefined) {
    throw new Error('checkOp: give at least one of value, ref or shape');
  }
  const { out, value } = runOp(op, args, want.options);
  expect(out.dtype, 'symbolic output dtype').toBe(want.dtype);
  const reference = want.ref ? referenceElementwise(want.ref, args, want.dtype) : undefined;
  const shape =
    want.shape ?? reference?.shape ?? (want.value !== undefined ? shapeOf(want.value as ArrayLikeInput) : undefined);
  expect(out.ndim, 'symbolic output rank').toBe(shape!.length);
  if (shape!.length === 0 && !(value instanceof theano.NDArray)) {
    if (want.value !== undefined) expectScalar(value, want.dtype, want.value, want);
    if (reference) expectScalar(value, want.dtype, reference.values[0], want);
    return asNDArray(value, want.dtype);
  }
  if (want.value !== undefined) expectArray(value, { ...want, shape, value: want.value });
  if (reference)
    expectArray(value, { ...want, shape, value: undefined, flat: reference.values }, 'output vs reference');
  if (want.value === undefined && !reference) expectArray(value, { dtype: want.dtype, shape });
  return value as NDArray;
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

/** Asserts that building a graph throws a TypeError/RangeError whose message matches every pattern. */
export function expectBuildError(build: () => unknown, ...patterns: (RegExp | string)[]): Error {
  let err: unknown;
  try {
    build();
  } catch (e) {
    err = e;
  }
  expect(err, 'building should throw').toBeInstanceOf(Error);
  const msg = (err as Error).message;
  for (const p of patterns) {
    if (typeof p === 'string') expect(msg).toContain(p);
    else expect(msg).toMatch(p);
  }
  return err as Error;
}

/** Asserts that running `f(...args)` throws with a message matching every pattern. */
export function expectRunError(
  f: (...args: unknown[]) => unknown,
  args: readonly unknown[],
  ...patterns: (RegExp | string)[]
): Error {
  return expectBuildError(() => f(...args), ...patterns);
}

// ---------------------------------------------------------------------------------------------------------------
// fast-check arbitraries

export const arbDType = fc.constantFrom(...ALL_DTYPES);

/** A concrete shape of rank in [minRank, maxRank] with dims in [0 or 1, maxDim]. */
export function arbShape(options: { minRank?: number; maxRank?: number; maxDim?: number; allowEmpty?: boolean } = {}) {
  const { minRank = 0, maxRank = 4, maxDim = 4, allowEmpty = false } = options;
  return fc.array(fc.integer({ min: allowEmpty ? 0 : 1, max: maxDim }), { minLength: minRank, maxLength: maxRank });
}

/**
 * `count` shapes that broadcast to `result`: each drops some leading dims of the result and sets some of the
 * remaining dims to 1. Returns the result shape with the operand shapes.
 */
export function arbBroadcastShapes(
  count = 2,
  options: { maxRank?: number; maxDim?: number; allowEmpty?: boolean } = {},
) {
  return arbShape({
    maxRank: options.maxRank ?? 4,
    maxDim: options.maxDim ?? 4,
    allowEmpty: options.allowEmpty ?? false,
  }).chain((result) =>
    fc
      .tuple(
        ...Array.from({ length: count }, () =>
          fc.record({
            drop: fc.integer({ min: 0, max: result.length }),
            ones: fc.array(fc.boolean(), { minLength: result.length, maxLength: result.length }),
          }),
        ),
      )
      .map((ops) => ({
        result,
        operands: ops.map(({ drop, ones }) => result.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d))),
      })),
  );
}

/** Nested arrays of `shape` filled by `fill(flatIndex)`. */
export function nested<V extends number | bigint | boolean>(
  shape: readonly number[],
  fill: (i: number) => V,
): ArrayLikeInput {
  let i = 0;
  const build = (axis: number): unknown =>
    axis === shape.length ? fill(i++) : Array.from({ length: shape[axis]! }, () => build(axis + 1));
  return build(0) as ArrayLikeInput;
}

/** An array of `shape` with no elements (nested JS arrays cannot spell shape (0, 3)). */
export const empty = (shape: number[], dtype: DType = 'float64') => theano.NDArray.zeros(dtype, shape);
