/**
 * Differential tests of the generated-code linker ('js', what the default mode FAST_RUN runs) against the reference
 * evaluator on the same optimized graph (`FAST_RUN.withLinker('reference')`), and of the js linker on unoptimized
 * graphs (`FAST_COMPILE.withLinker('js')`) against FAST_COMPILE.
 *
 * Random expression graphs (DAGs with shared subexpressions and several outputs) are built from the scalar table
 * (arithmetic, transcendental functions, rounding, comparisons, bitwise ops, switch, clip, casts) over inputs of
 * mixed dtypes (float32, float64, int32, int8, uint8, bool, int16, uint16, uint32, int64), of ranks 0 to 4, broadcast
 * against each other (statically through length-1 dims and at run time), with length-0 axes, read through
 * transposes, dimshuffles and slices, and passed as non-contiguous NDArrays (column-major, padded, negative and zero
 * strides). Reductions fold such expressions (`sum(exp(x))`), and dot / matmul / softmax sit between elementwise
 * stages. Every compiled function is called twice with different values (and usually different shapes), and must
 * not write into its input arrays.
 *
 * Tolerances: integers and bools exactly; elementwise floats to 1e-12 (float64) and 1e-5 (float32) relative, with
 * the sign of zero; reductions, whose summation order may legitimately differ, to 1e-9 (float64) / 1e-5 (float32)
 * of the magnitude of the reduced terms; max and min exactly. NaN must match NaN and infinities must match. Shapes,
 * dtypes and the kind of rank-0 results (number, bigint, boolean) must match exactly. The "known traps" tests pin
 * single semantics (wrapping between fused ops, float32 rounding after every op, bool algebra, casts, -0, NaN,
 * division by zero, exact integer reductions, inplace reuse through views) to the values numpy gives.
 *
 * Not compared here: FAST_RUN against FAST_COMPILE on arbitrary elementwise graphs. The optimizer legitimately
 * changes values there (x - x is 0 and x / x is 1 even for inf and NaN, as in Theano), so that oracle is used only
 * for the dot / softmax pipelines, whose values are bounded; the rewrites have their own tests in test/rewrite.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { DType, NDArray, Tensor } from '../../src/index.js';
import { mismatch } from '../helpers.js';
import { seededRandom } from '../../src/runtime/random.js';
import { wasmOptions, wasmStats } from '../../src/wasm/kernel.js';
import { DEFAULT_LINKER } from '../../src/rewrite/pipeline.js';

const T = theano.tensor;

/** The system under test is the default mode; these are its oracles. */
const REFERENCE = theano.FAST_RUN.withLinker('reference');
const JS_UNOPTIMIZED = theano.FAST_COMPILE.withLinker('js');
type AnyMode = theano.Mode | 'FAST_COMPILE' | undefined;

// ---------------------------------------------------------------------------------------------------------------
// Loosely typed builders: the graphs are random, so their ranks and dtypes are only known at run time.

type Pattern = (number | 'x')[];
const dimshuffle = (x: Tensor, pattern: Pattern): Tensor => T.dimshuffle(x as never, pattern as never) as Tensor;
const getItem = (x: Tensor, ...index: unknown[]): Tensor => (x.get as (...i: unknown[]) => Tensor).apply(x, index);
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const isFloat = (d: DType): boolean => d === 'float32' || d === 'float64';
const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

type Fn = (...args: unknown[]) => unknown;
function compile(inputs: readonly Tensor[], outputs: readonly Tensor[], mode: AnyMode): Fn {
  const options: theano.FunctionOptions = { onUnusedInput: 'ignore' };
  if (mode !== undefined) options.mode = mode;
  return theano.function(inputs as Tensor[], outputs as Tensor[], options) as unknown as Fn;
}

// ---------------------------------------------------------------------------------------------------------------
// Values

/** The value `f` returns, or the error it throws. */
function attempt<V>(f: () => V): { value: V | undefined; error: unknown } {
  try {
    return { value: f(), error: undefined };
  } catch (error) {
    return { value: undefined, error };
  }
}
/** Seeded values (mulberry32), so fast-check shrinks the graph while the data stays reproducible. */
const rng = seededRandom;
const pick = <V>(xs: readonly V[], r: () => number): V => xs[Math.floor(r() * xs.length)]!;
const intIn = (lo: number, hi: number, r: () => number) => lo + Math.floor(r() * (hi - lo + 1));

const FLOAT_SPECIALS = [
  0,
  -0,
  NaN,
  Infinity,
  -Infinity,
  0.5,
  -0.5,
  1.5,
  2.5,
  -2.5,
  1,
  -1,
  3,
  1e-300,
  1e300,
  88.8,
  -104,
  2 ** 24 + 1,
];
const INT_EXTREMES: Partial<Record<DType, readonly number[]>> = {
  int8: [-128, 127, -127, -1, 0, 1, 64, -64, 100],
  int16: [-32768, 32767, 181, 256, -256, -1, 0, 300],
  int32: [-2147483648, 2147483647, -2147483647, 46341, -46341, 65536, 2 ** 30, -1, 0, 1],
  uint8: [0, 255, 128, 1, 254, 16],
  uint16: [0, 65535, 256, 32768, 1],
  uint32: [0, 4294967295, 2147483648, 2147483647, 65536, 1],
};
const INT_RANGE: Partial<Record<DType, readonly [number, number]>> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
};

/**
 * One element of `dtype`: ordinary small values, and (often) the values where wrapping, rounding and IEEE rules bite.
 * `tame`: small values only (floats in [-2, 2], rarely NaN, inf or a zero).
 */
function element(dtype: DType, r: () => number, tame = false): number | bigint {
  const u = r();
  if (dtype === 'bool') return u < 0.5 ? 0 : 1;
  if (dtype === 'float32' || dtype === 'float64') {
    if (tame)
      return u < 0.03 ? pick([NaN, Infinity, -Infinity, 0, -0], r) : u < 0.3 ? intIn(-4, 4, r) / 2 : r() * 4 - 2;
    return u < 0.14 ? pick(FLOAT_SPECIALS, r) : u < 0.4 ? intIn(-4, 4, r) : r() * 8 - 4;
  }
  if (dtype === 'int64') {
    if (tame) return BigInt(intIn(-6, 6, r));
    return u < 0.3
      ? pick([-(2n ** 63n), 2n ** 63n - 1n, 2n ** 62n, -(2n ** 31n), 2n ** 32n, 3037000500n], r)
      : BigInt(intIn(-8, 8, r));
  }
  const [lo, hi] = INT_RANGE[dtype]!;
  if (tame) return u < 0.05 ? pick(INT_EXTREMES[dtype]!, r) : intIn(Math.max(lo, -6), Math.min(hi, 6), r);
  return u < 0.2
    ? pick(INT_EXTREMES[dtype]!, r)
    : u < 0.65
      ? intIn(Math.max(lo, -8), Math.min(hi, 8), r)
      : intIn(lo, hi, r);
}

type Storage = { length: number; [i: number]: number | bigint };
function allocate(dtype: DType, n: number): Storage {
  switch (dtype) {
    case 'bool':
    case 'uint8':
      return new Uint8Array(n);
    case 'int8':
      return new Int8Array(n);
    case 'int16':
      return new Int16Array(n);
    case 'uint16':
      return new Uint16Array(n);
    case 'int32':
      return new Int32Array(n);
    case 'uint32':
      return new Uint32Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
  }
}

/** How an input array is laid out in memory. Every layout is a valid NDArray a user may pass. */
const LAYOUTS = ['C', 'C', 'C', 'F', 'padded', 'negative', 'zero'] as const;
type Layout = (typeof LAYOUTS)[number];

const cStrides = (shape: readonly number[]): number[] => {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
};

/** A random NDArray of `shape` with the given memory layout (its storage filled with random elements). */
function makeArray(dtype: DType, shape: readonly number[], layout: Layout, r: () => number, tame = false): NDArray {
  const n = size(shape);
  let strides = cStrides(shape);
  let offset = 0;
  let length = n;
  if (layout === 'F') {
    strides = cStrides([...shape].reverse()).reverse();
  } else if (layout === 'padded') {
    const big = shape.map((d) => d + 1); // a window into a larger array, starting at [1, 1, ...]
    strides = cStrides(big);
    offset = strides.reduce((a, b) => a + b, 0);
    length = size(big) + 1;
  } else if (layout === 'negative' && shape.length > 0 && shape[0]! > 0) {
    offset = (shape[0]! - 1) * strides[0]!; // axis 0 runs backwards through memory
    strides[0] = -strides[0]!;
  } else if (layout === 'zero' && shape.length > 0) {
    strides[Math.floor(r() * shape.length)] = 0; // one axis broadcast in place (numpy's broadcast_to)
  }
  const data = allocate(dtype, length);
  for (let i = 0; i < length; i++) data[i] = element(dtype, r, tame);
  return new theano.NDArray(dtype, shape, data as never, strides, offset);
}

/** A deep copy of a result, as nested JS values (rank 0: the scalar itself). */
const snapshot = (v: unknown): unknown => (v instanceof theano.NDArray ? v.toArray() : v);

// ---------------------------------------------------------------------------------------------------------------
// Comparison

interface Tol {
  rtol: number;
  atol: number;
  /** Tell -0 from +0 (elementwise results: 1 / x, atan2 and sqrt see the difference). */
  signedZeros?: boolean;
}
const EXACT: Tol = { rtol: 0, atol: 0 };
/** Elementwise results: the same scalar math in the same order, so float64 is (near) exact. */
const ELEMWISE_TOL: Record<string, Tol> = {
  float32: { rtol: 1e-5, atol: 0, signedZeros: true },
  float64: { rtol: 1e-12, atol: 0, signedZeros: true },
};
/** Relative tolerance of a reduction, applied to the magnitude of the reduced terms. */
const REDUCE_RTOL: Record<string, number> = { float32: 1e-5, float64: 1e-9 };

const unravel = (i: number, shape: readonly number[]): string => {
  const idx: number[] = [];
  for (let k = shape.length - 1; k >= 0; k--) {
    idx.unshift(i % shape[k]!);
    i = Math.floor(i / shape[k]!);
  }
  return `[${idx.join(', ')}]`;
};
const describeValue = (v: unknown): string =>
  v instanceof theano.NDArray ? `NDArray<${v.dtype}, (${v.shape.join(', ')})>` : `${typeof v} ${String(v)}`;

/** Why `got` differs from `want` (an output of symbolic dtype `dtype`), as a list of problems (empty: equal). */
function differences(got: unknown, want: unknown, dtype: DType, tol: Tol, what: string): string[] {
  const problems: string[] = [];
  if (!(want instanceof theano.NDArray)) {
    if (got instanceof theano.NDArray || typeof got !== typeof want)
      return [`${what}: expected rank-0 ${typeof want} ${String(want)}, got ${describeValue(got)}`];
    const why = mismatch(dtype, got, want, isFloat(dtype) ? tol : EXACT);
    return why ? [`${what}: ${why}`] : [];
  }
  if (!(got instanceof theano.NDArray)) return [`${what}: expected ${describeValue(want)}, got ${describeValue(got)}`];
  if (want.dtype !== dtype) problems.push(`${what}: the reference returned ${want.dtype} for a ${dtype} output`);
  if (got.dtype !== want.dtype) problems.push(`${what}: dtype ${got.dtype}, expected ${want.dtype}`);
  if (got.shape.length !== want.shape.length || got.shape.some((d, k) => d !== want.shape[k])) {
    problems.push(`${what}: shape (${got.shape.join(', ')}), expected (${want.shape.join(', ')})`);
    return problems;
  }
  const n = want.size;
  for (let i = 0; i < n && problems.length < 6; i++) {
    const why = mismatch(want.dtype, got.item(i), want.item(i), isFloat(want.dtype) ? tol : EXACT);
    if (why) problems.push(`${what}${unravel(i, want.shape)}: ${why}`);
  }
  return problems;
}

const maxAbsFinite = (a: unknown): number => {
  if (!(a instanceof theano.NDArray)) {
    const x = Number(a);
    return Number.isFinite(x) ? Math.abs(x) : 0;
  }
  let m = 0;
  for (let i = 0; i < a.size; i++) {
    const x = Number(a.item(i));
    if (Number.isFinite(x)) m = Math.max(m, Math.abs(x));
  }
  return m;
};

// ---------------------------------------------------------------------------------------------------------------
// Elementwise ops

type Need = 'any' | 'numeric' | 'integral';
interface ElemOp {
  readonly name: string;
  readonly arity: 1 | 2 | 3;
  readonly need: Need;
  readonly build: (...xs: Tensor[]) => Tensor;
}
const L = T as unknown as Record<string, (...xs: unknown[]) => Tensor>;
const unary = (name: string, need: Need = 'numeric'): ElemOp => ({ name, arity: 1, need, build: (x) => L[name]!(x) });
const binary = (name: string, need: Need = 'any'): ElemOp => ({
  name,
  arity: 2,
  need,
  build: (x, y) => L[name]!(x, y),
});
const withConst = (name: string, need: Need, build: (x: Tensor) => Tensor): ElemOp => ({ name, arity: 1, need, build });
const castTo = (dtype: DType): ElemOp => withConst(`cast_${dtype}`, 'any', (x) => T.cast(x, dtype));

const ELEMWISE: readonly ElemOp[] = [
  binary('add'),
  binary('sub', 'numeric'),
  binary('mul'),
  binary('div'),
  binary('intDiv', 'numeric'),
  binary('mod', 'numeric'),
  binary('pow', 'numeric'),
  binary('maximum'),
  binary('minimum'),
  binary('arctan2', 'numeric'),
  binary('lt'),
  binary('gt'),
  binary('le'),
  binary('ge'),
  binary('eq'),
  binary('neq'),
  binary('and', 'integral'),
  binary('or', 'integral'),
  binary('xor', 'integral'),
  {
    name: 'clip',
    arity: 3,
    need: 'numeric',
    build: (x, lo, hi) => T.clip(x as never, lo as never, hi as never) as Tensor,
  },
  { name: 'switch', arity: 3, need: 'any', build: (c, a, b) => T.switch(c, a, b) as Tensor },
  unary('neg', 'numeric'),
  unary('abs', 'numeric'),
  unary('sign', 'numeric'),
  unary('sqr', 'numeric'),
  unary('exp'),
  unary('expm1'),
  unary('log'),
  unary('log1p'),
  unary('sqrt'),
  unary('reciprocal'),
  unary('tanh'),
  unary('sigmoid'),
  unary('softplus'),
  unary('sin'),
  unary('cos'),
  unary('arctan'),
  unary('erf'),
  unary('floor'),
  unary('ceil'),
  unary('round'),
  unary('trunc'),
  unary('isnan', 'any'),
  unary('isinf', 'any'),
  unary('invert', 'integral'),
  castTo('bool'),
  castTo('int8'),
  castTo('uint8'),
  castTo('int16'),
  castTo('int32'),
  castTo('uint32'),
  castTo('float32'),
  castTo('float64'),
  withConst('x + 1', 'any', (x) => x.add(1)),
  withConst('x * 2', 'any', (x) => x.mul(2)),
  withConst('x * 0.5', 'any', (x) => x.mul(0.5)),
  withConst('1 - x', 'numeric', (x) => T.sub(1, x as never) as Tensor),
  withConst('x / 2', 'any', (x) => x.div(2)),
  withConst('x ** 2', 'numeric', (x) => T.pow(x as never, 2) as Tensor),
  withConst('x ** 3', 'numeric', (x) => T.pow(x as never, 3) as Tensor),
  withConst('x ** 0.5', 'numeric', (x) => T.pow(x as never, 0.5) as Tensor),
  withConst(
    'x ** -1',
    'numeric',
    (x) => T.pow((x.dtype.startsWith('uint') ? T.cast(x, 'int32') : x) as never, -1) as Tensor,
  ),
  withConst('x // 3', 'numeric', (x) => T.intDiv(x as never, 3) as Tensor),
  withConst('x % 3', 'numeric', (x) => T.mod(x as never, 3) as Tensor),
  withConst('x > 0', 'any', (x) => x.gt(0)),
  withConst('relu', 'any', (x) => T.maximum(x, 0) as Tensor),
  withConst('x + 0', 'any', (x) => x.add(0)),
  withConst('x * 1', 'any', (x) => x.mul(1)),
  withConst('--x', 'numeric', (x) => T.neg(T.neg(x as never)) as Tensor),
  withConst('x - x', 'numeric', (x) => T.sub(x as never, x as never) as Tensor),
  withConst('x * 0', 'any', (x) => x.mul(0)),
  // views of intermediates (the same shape again): a loop that reads a buffer through a view must not write over it
  withConst('x[::-1]', 'any', (x) => (x.ndim ? getItem(x, T.slice(null, null, -1)) : x)),
  withConst('x[..., ::-1]', 'any', (x) =>
    x.ndim ? getItem(x, ...range(x.ndim - 1).map(() => T.slice()), T.slice(null, null, -1)) : x,
  ),
  withConst('x + x[::-1]', 'any', (x) => (x.ndim ? x.add(getItem(x, T.slice(null, null, -1))) : x.add(x))),
  withConst('sqr(x.T).T', 'numeric', (x) => T.transpose(T.sqr(T.transpose(x as never) as never) as never) as Tensor),
  withConst('x.T.T', 'any', (x) => T.transpose(T.transpose(x as never) as never) as Tensor),
];

/** Makes an operand acceptable to an op: bools become int8 for arithmetic, floats int32 for bitwise ops. */
function adapt(x: Tensor, need: Need): Tensor {
  if (need === 'numeric' && x.dtype === 'bool') return T.cast(x, 'int8');
  if (need === 'integral' && isFloat(x.dtype)) return T.cast(x, 'int32');
  return x;
}
const numeric = (x: Tensor) => adapt(x, 'numeric');

// ---------------------------------------------------------------------------------------------------------------
// Random graphs over broadcasting inputs

const VIEWS = ['plain', 'plain', 'transpose', 'permute', 'newaxes', 'stride2', 'offset', 'reverse'] as const;
type View = (typeof VIEWS)[number];
type StaticKind = 'none' | 'ones' | 'full';

/** One input: its dtype, which result axes it has and which it broadcasts (length 1), how the graph reads it. */
interface InputSpec {
  readonly dtype: DType;
  readonly drop: number; // leading axes of the result shape this input lacks
  readonly ones: readonly boolean[]; // per result axis: the input has length 1 there
  readonly view: View;
  readonly axis: number;
  readonly odd: boolean;
  readonly permKeys: readonly number[];
  readonly staticKind: StaticKind;
  readonly layout: Layout;
}

interface ReductionSpec {
  readonly node: number;
  readonly kind: number;
  readonly axesMask: number;
  readonly mode: number;
  readonly consumer: number;
  readonly dtypeOption: number;
}

interface GraphCase {
  readonly rank: number;
  readonly dims: readonly [readonly number[], readonly number[]];
  readonly inputs: readonly InputSpec[];
  readonly steps: readonly (readonly [number, number, number, number])[];
  readonly outs: readonly number[];
  readonly reductions: readonly ReductionSpec[];
  readonly keepElemwiseOutputs: boolean;
  readonly seed: number;
  /** The ops steps choose from (names in ELEMWISE); all of them when unset. */
  readonly ops?: readonly string[];
}

const arbDim = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 5, arbitrary: fc.constant(1) },
  { weight: 14, arbitrary: fc.integer({ min: 2, max: 4 }) },
);

function arbDtype(pool: readonly (readonly [DType, number])[]): fc.Arbitrary<DType> {
  return fc.oneof(...pool.map(([d, weight]) => ({ weight, arbitrary: fc.constant(d) })));
}
const ALL_POOL: readonly (readonly [DType, number])[] = [
  ['float64', 5],
  ['float32', 4],
  ['int32', 4],
  ['int8', 2],
  ['uint8', 2],
  ['bool', 2],
  ['int16', 1],
  ['uint16', 1],
  ['uint32', 1],
  ['int64', 1],
];

function arbInputSpec(pool: readonly (readonly [DType, number])[]): fc.Arbitrary<InputSpec> {
  return fc.record({
    dtype: arbDtype(pool),
    drop: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 2, arbitrary: fc.integer({ min: 1, max: 4 }) }),
    ones: fc
      .array(fc.boolean(), { minLength: 4, maxLength: 4 })
      .map((xs) => xs.map((b, i) => b && i % 2 === 0))
      .chain((even) =>
        fc
          .array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 })
          .map((ks) => even.map((b, i) => b || ks[i] === 0)),
      ),
    view: fc.constantFrom(...VIEWS),
    axis: fc.nat(3),
    odd: fc.boolean(),
    permKeys: fc.array(fc.nat(100), { minLength: 4, maxLength: 4 }),
    staticKind: fc.constantFrom<StaticKind>('none', 'none', 'ones', 'ones', 'full'),
    layout: fc.constantFrom(...LAYOUTS),
  });
}

const arbStep = fc.tuple(fc.nat(ELEMWISE.length - 1), fc.nat(12), fc.nat(12), fc.nat(12));
const arbReduction: fc.Arbitrary<ReductionSpec> = fc.record({
  node: fc.nat(40),
  kind: fc.nat(6),
  axesMask: fc.nat(15),
  mode: fc.nat(3),
  consumer: fc.nat(3),
  dtypeOption: fc.nat(3),
});

function arbGraphCase(options: {
  pool?: readonly (readonly [DType, number])[];
  maxSteps?: number;
  reductions?: boolean;
  ops?: readonly string[];
}): fc.Arbitrary<GraphCase> {
  const pool = options.pool ?? ALL_POOL;
  return fc.integer({ min: 0, max: 4 }).chain((rank) =>
    fc
      .record({
        rank: fc.constant(rank),
        dims0: fc.array(arbDim, { minLength: rank, maxLength: rank }),
        dims1: fc.array(arbDim, { minLength: rank, maxLength: rank }),
        sameShapes: fc.boolean(),
        inputs: fc.array(arbInputSpec(pool), { minLength: 1, maxLength: 3 }),
        steps: fc.array(arbStep, { minLength: options.reductions ? 0 : 1, maxLength: options.maxSteps ?? 8 }),
        outs: fc.array(fc.nat(40), { maxLength: 3 }),
        reductions: options.reductions ? fc.array(arbReduction, { minLength: 1, maxLength: 3 }) : fc.constant([]),
        keepElemwiseOutputs: fc.boolean(),
        seed: fc.integer(),
      })
      .map(({ dims0, dims1, sameShapes, inputs, ...rest }) => ({
        ...rest,
        dims: [dims0, sameShapes ? dims0 : dims1] as const,
        ...(options.ops ? { ops: options.ops } : {}),
        // a fully static input needs the same shapes in both calls
        inputs: inputs.map((s) => (s.staticKind === 'full' && !sameShapes ? { ...s, staticKind: 'ones' as const } : s)),
      })),
  );
}

/** How an input spec becomes a symbolic input (its physical shape and static type) and the graph's view of it. */
function planInput(spec: InputSpec, rank: number) {
  const drop = Math.min(spec.drop, rank);
  const n = rank - drop;
  const ones = spec.ones.slice(drop, rank);
  const logical = (dims: readonly number[]): number[] => dims.slice(drop).map((d, i) => (ones[i] ? 1 : d));
  const view: View =
    n === 0 && (spec.view === 'stride2' || spec.view === 'offset' || spec.view === 'reverse') ? 'plain' : spec.view;
  const k = n === 0 ? 0 : spec.axis % n;
  const perm = range(n).sort((a, b) => spec.permKeys[a]! - spec.permKeys[b]! || a - b);
  const kept = range(n).filter((i) => !ones[i]);
  const strided = (d: number) => (d === 0 ? 0 : 2 * d - (spec.odd ? 1 : 0));
  /** The physical shape of the array passed in for logical shape `lg`. */
  const physical = (lg: readonly number[]): number[] => {
    switch (view) {
      case 'plain':
      case 'reverse':
        return [...lg];
      case 'transpose':
        return [...lg].reverse();
      case 'permute': {
        const ph = new Array<number>(n);
        perm.forEach((p, i) => (ph[p] = lg[i]!));
        return ph;
      }
      case 'newaxes':
        return kept.map((i) => lg[i]!);
      case 'stride2':
        return lg.map((d, i) => (i === k ? strided(d) : d));
      case 'offset':
        return lg.map((d, i) => (i === k ? d + 1 : d));
    }
  };
  /** The static shape: unknown, or 1 on broadcast axes, or fully known (from the first call's shape). */
  const staticShape = (dims0: readonly number[]): (number | null)[] => {
    const lg0 = logical(dims0);
    const per = lg0.map((d, i) => (spec.staticKind === 'full' ? d : spec.staticKind === 'ones' && ones[i] ? 1 : null));
    switch (view) {
      case 'plain':
      case 'reverse':
        return per;
      case 'transpose':
        return [...per].reverse();
      case 'permute': {
        const ph = new Array<number | null>(n);
        perm.forEach((p, i) => (ph[p] = per[i]!));
        return ph;
      }
      case 'newaxes':
        return kept.map((i) => per[i]!);
      case 'stride2':
        return per.map((d, i) => (i === k ? (spec.staticKind === 'full' ? strided(lg0[i]!) : null) : d));
      case 'offset':
        return per.map((d, i) => (i === k ? (spec.staticKind === 'full' ? lg0[i]! + 1 : null) : d));
    }
  };
  const lead = () => range(k).map(() => T.slice());
  const read = (x: Tensor): Tensor => {
    switch (view) {
      case 'plain':
        return x;
      case 'transpose':
        return x.T;
      case 'permute':
        return dimshuffle(x, perm);
      case 'newaxes': {
        let next = 0;
        return dimshuffle(
          x,
          range(n).map((i) => (ones[i] ? 'x' : next++)),
        );
      }
      case 'stride2':
        return getItem(x, ...lead(), T.slice(null, null, 2));
      case 'offset':
        return getItem(x, ...lead(), T.slice(1));
      case 'reverse':
        return getItem(x, ...lead(), T.slice(null, null, -1));
    }
  };
  return { physical, logical, staticShape, read, view };
}

const REDUCE_KINDS = ['sum', 'prod', 'max', 'min', 'mean', 'all', 'any'] as const;
type ReduceKind = (typeof REDUCE_KINDS)[number];

/** How an output is compared: strictly (elementwise), or as (a consumer of) a reduction of a recorded input. */
type Check =
  | { readonly kind: 'elementwise' }
  | {
      readonly kind: 'reduction';
      readonly reduce: ReduceKind;
      readonly axes: readonly number[];
      readonly scaleIndex: number; // the reduced (tamed) input among the scale outputs
      readonly consumer?: { readonly op: 'sub' | 'mul'; readonly scaleIndex: number };
    };

interface BuiltGraph {
  readonly inputs: Tensor[];
  readonly outputs: Tensor[];
  readonly checks: Check[];
  /** Reduced inputs, computed by the reference to scale the tolerance of reductions. */
  readonly scaleOutputs: Tensor[];
  readonly plans: ReturnType<typeof planInput>[];
}

function reduceOf(
  kind: ReduceKind,
  a: Tensor,
  axis: readonly number[] | undefined,
  keepdims: boolean,
  dtype?: DType,
): Tensor {
  const ax = axis === undefined ? undefined : [...axis];
  switch (kind) {
    case 'sum':
      return T.sum(a as never, ax as never, { keepdims, ...(dtype ? { dtype } : {}) }) as Tensor;
    case 'prod':
      return T.prod(a as never, ax as never, { keepdims, ...(dtype ? { dtype } : {}) }) as Tensor;
    case 'max':
      return T.max(a as never, ax as never, { keepdims }) as Tensor;
    case 'min':
      return T.min(a as never, ax as never, { keepdims }) as Tensor;
    case 'mean':
      return T.mean(a as never, ax as never, { keepdims }) as Tensor;
    case 'all':
      return T.all(a as never, ax as never, { keepdims }) as Tensor;
    case 'any':
      return T.any(a as never, ax as never, { keepdims }) as Tensor;
  }
}

/** A sum's dtype option: wrapping integer accumulators and float32 <-> float64 conversions. */
function sumDtypeOption(kind: ReduceKind, dtype: DType, option: number): DType | undefined {
  if ((kind !== 'sum' && kind !== 'prod') || option === 0) return undefined;
  if (dtype === 'float32') return option === 1 ? 'float64' : undefined;
  if (dtype === 'float64') return option === 1 ? 'float32' : undefined;
  if (dtype === 'int64') return undefined;
  return option === 1 ? 'int32' : option === 2 ? 'int8' : 'uint8';
}

function buildGraph(c: GraphCase): BuiltGraph {
  const inputs: Tensor[] = [];
  const nodes: Tensor[] = [];
  const plans = c.inputs.map((spec) => planInput(spec, c.rank));
  c.inputs.forEach((spec, i) => {
    const x = T.tensor(spec.dtype, plans[i]!.staticShape(c.dims[0]), `x${i}`) as Tensor;
    inputs.push(x);
    nodes.push(plans[i]!.read(x));
  });
  const operand = (k: number) => nodes[nodes.length - 1 - (k % nodes.length)]!;
  const table = c.ops ? ELEMWISE.filter((e) => c.ops!.includes(e.name)) : ELEMWISE;
  for (const [op, a, b, d] of c.steps) {
    const e = table[op % table.length]!;
    const args = [a, b, d].slice(0, e.arity).map((k) => adapt(operand(k), e.need));
    nodes.push(e.build(...args));
  }
  const outputs: Tensor[] = [];
  const checks: Check[] = [];
  const scaleOutputs: Tensor[] = [];
  const elementwiseOut = (v: Tensor) => {
    outputs.push(v);
    checks.push({ kind: 'elementwise' });
  };
  if (c.reductions.length === 0 || c.keepElemwiseOutputs) {
    elementwiseOut(nodes[nodes.length - 1]!);
    for (const k of c.outs) elementwiseOut(nodes[k % nodes.length]!);
  }
  for (const spec of c.reductions) {
    const a0 = nodes[spec.node % nodes.length]!;
    const nd = a0.ndim;
    const mode = (['keep', 'all', 'reinsert', 'leading'] as const)[spec.mode % 4];
    const chosen = range(nd).filter((i) => (spec.axesMask >> i) & 1);
    const axes = mode === 'all' ? range(nd) : mode === 'leading' ? range(chosen.length) : chosen;
    let kind = REDUCE_KINDS[spec.kind % REDUCE_KINDS.length]!;
    // max and min of a statically empty axis are build errors; at run time both linkers must raise the same one
    if ((kind === 'max' || kind === 'min') && axes.some((ax) => a0.type.shape[ax] === 0)) kind = 'sum';
    let a = a0;
    const dtypeOpt = sumDtypeOption(kind, a0.dtype, spec.dtypeOption);
    const outFloat = isFloat(dtypeOpt ?? a0.dtype);
    // Keep float reductions away from overflow of partial results, where the summation order decides the answer.
    if (isFloat(a0.dtype) || outFloat) {
      if (kind === 'prod') a = T.clip(a as never, -1.25, 1.25) as Tensor;
      else if ((kind === 'sum' || kind === 'mean') && (a0.dtype === 'float32' || dtypeOpt === 'float32'))
        a = T.clip(a as never, -1e6, 1e6) as Tensor;
    }
    let r: Tensor;
    if (mode === 'keep') r = reduceOf(kind, a, axes, true, dtypeOpt);
    else if (mode === 'all') r = reduceOf(kind, a, spec.axesMask % 2 ? undefined : axes, false, dtypeOpt);
    else {
      r = reduceOf(kind, a, axes, false, dtypeOpt);
      if (mode === 'reinsert') {
        let next = 0;
        r = dimshuffle(
          r,
          range(nd).map((i) => (axes.includes(i) ? 'x' : next++)),
        );
      }
    }
    const scaleIndex = scaleOutputs.length;
    scaleOutputs.push(a, a0);
    // consumer 3: the reduction is an intermediate, only its negation is returned (so its buffer is the pool's)
    outputs.push(spec.consumer === 3 ? (T.neg(numeric(r) as never) as Tensor) : r);
    checks.push({ kind: 'reduction', reduce: kind, axes, scaleIndex });
    const consumer = spec.consumer === 1 ? 'sub' : spec.consumer === 2 ? 'mul' : undefined;
    if (consumer) {
      outputs.push(
        consumer === 'sub' ? (T.sub(numeric(a0) as never, numeric(r) as never) as Tensor) : (T.mul(a0, r) as Tensor),
      );
      checks.push({
        kind: 'reduction',
        reduce: kind,
        axes,
        scaleIndex,
        consumer: { op: consumer, scaleIndex: scaleIndex + 1 },
      });
    }
  }
  return { inputs, outputs, checks, scaleOutputs, plans };
}

/** The tolerance for one output, from the reference values of what it reduces. */
function toleranceFor(check: Check, dtype: DType, scale: readonly unknown[]): Tol {
  if (!isFloat(dtype)) return EXACT;
  if (check.kind === 'elementwise') return ELEMWISE_TOL[dtype]!;
  const a = scale[check.scaleIndex];
  const shape = a instanceof theano.NDArray ? a.shape : [];
  const count = check.axes.reduce((n, ax) => n * (shape[ax] ?? 1), 1);
  // a float64 sum of float32 terms is only as close as its terms (the wasm linker's float32 exp and sigmoid are
  // within 2 ulp of the JS kernel's, not bit-equal)
  const terms = a instanceof theano.NDArray ? a.dtype : dtype;
  const rel = Math.max(REDUCE_RTOL[dtype]!, REDUCE_RTOL[terms] ?? 0);
  const m = maxAbsFinite(a);
  let tol: Tol;
  switch (check.reduce) {
    case 'sum':
      tol = { rtol: rel, atol: rel * m * count };
      break;
    case 'mean':
      tol = { rtol: rel, atol: rel * m };
      break;
    case 'prod':
      tol = { rtol: rel * Math.max(1, count), atol: dtype === 'float32' ? 1e-30 : 1e-280 };
      break;
    default:
      tol = { rtol: ELEMWISE_TOL[dtype]!.rtol, atol: 0 }; // max, min, all, any select: no rounding of their own
    // (the sign of a zero they return may depend on the order of ties: -0 and +0 compare equal)
  }
  if (check.consumer) {
    const m0 = maxAbsFinite(scale[check.consumer.scaleIndex]);
    tol = {
      rtol: tol.rtol + ELEMWISE_TOL[dtype]!.rtol,
      atol: check.consumer.op === 'mul' ? tol.atol * (1 + m0) : tol.atol,
    };
  }
  return tol;
}

/** The arguments of call `call` (0 or 1) of a case: arrays of each input's physical shape, dtype and layout. */
function argumentsFor(c: GraphCase, plans: BuiltGraph['plans'], call: 0 | 1, tame = false): NDArray[] {
  const r = rng(c.seed + call * 7919);
  return c.inputs.map((spec, i) => {
    const plan = plans[i]!;
    return makeArray(spec.dtype, plan.physical(plan.logical(c.dims[call])), spec.layout, r, tame);
  });
}

function describeCase(built: BuiltGraph, ref: Fn, sut: Fn, args: readonly NDArray[]): string {
  const source = (sut as { source?: string }).source;
  return [
    `graph: ${theano.pp(ref as never)}`,
    `inputs: ${args.map((a, i) => `x${i}: ${a.dtype}(${a.shape.join(', ')}) strides [${a.strides.join(', ')}] offset ${a.offset} view ${built.plans[i]!.view} static [${built.inputs[i]!.type.shape.map((d) => d ?? '?').join(', ')}]`).join('; ')}`,
    source ? `generated source (first 3000 characters):\n${source.slice(0, 3000)}` : '',
  ].join('\n');
}

/**
 * Compiles the case's graph with `sutMode` and `refMode`, calls both twice, and compares every output. Also checks
 * that the system under test leaves its input arrays alone.
 */
function runDifferential(c: GraphCase, sutMode: AnyMode, refMode: AnyMode, tame = false): void {
  const built = buildGraph(c);
  const sut = compile(built.inputs, built.outputs, sutMode);
  const ref = compile(built.inputs, built.outputs, refMode);
  const scaler = built.scaleOutputs.length ? compile(built.inputs, built.scaleOutputs, REFERENCE) : undefined;
  let firstResults: { result: unknown[]; copy: string } | undefined;
  for (const call of [0, 1] as const) {
    const args = argumentsFor(c, built.plans, call, tame);
    const before = args.map((a) => a.toArray());
    const { value: want, error: wantError } = attempt(() => ref(...args) as unknown[]);
    const { value: got, error: gotError } = attempt(() => sut(...args) as unknown[]);
    const context = () => `call ${call}\n${describeCase(built, ref, sut, args)}`;
    if (wantError !== undefined || gotError !== undefined) {
      // only a reduction without identity over an empty axis fails here; both must fail the same way
      const first = (e: unknown): string => (e instanceof Error ? e.message.split('\n')[0]! : String(e));
      expect(
        gotError !== undefined,
        `the system under test ${gotError ? 'threw' : 'did not throw'}: ${first(gotError)}; the reference ${wantError ? 'threw' : 'did not'}: ${first(wantError)}\n${context()}`,
      ).toBe(wantError !== undefined);
      // with several failing nodes, which one raises first is a scheduling detail: the kind of error must agree
      const kind = (e: unknown) =>
        first(e)
          .replace(/^\w+: /, '')
          .replace(/\(.*$/, '');
      expect(kind(gotError), context()).toBe(kind(wantError));
      continue;
    }
    const scale = scaler ? (scaler(...args) as unknown[]) : [];
    const problems: string[] = [];
    expect(got!.length).toBe(built.outputs.length);
    built.outputs.forEach((o, i) => {
      const tol = toleranceFor(built.checks[i]!, o.dtype, scale);
      problems.push(...differences(got![i], want![i], o.dtype, tol, `output ${i} (${o.dtype})`));
    });
    args.forEach((a, i) => {
      if (JSON.stringify(a.toArray(), big) !== JSON.stringify(before[i], big))
        problems.push(`input ${i} was written into`);
    });
    // what the first call returned is unchanged by the second (no returned buffer is reused)
    if (firstResults && JSON.stringify(firstResults.result.map(snapshot), big) !== firstResults.copy)
      problems.push('the results of the first call changed during the second call');
    firstResults = { result: got!, copy: JSON.stringify(got!.map(snapshot), big) };
    expect(problems, context()).toEqual([]);
  }
}
const big = (_k: string, v: unknown) =>
  typeof v === 'bigint'
    ? `${v}n`
    : typeof v === 'number' && !Number.isFinite(v)
      ? String(v)
      : Object.is(v, -0)
        ? '-0'
        : v;

// ---------------------------------------------------------------------------------------------------------------

describe('the linkers under test', () => {
  test('FAST_RUN generates code; the oracles run the reference evaluator', () => {
    expect(theano.FAST_RUN.linker).toBe(DEFAULT_LINKER);
    expect(REFERENCE.linker).toBe('reference');
    expect(REFERENCE.name).toBe('FAST_RUN');
    expect(theano.FAST_COMPILE.linker).toBe('reference');
    expect(JS_UNOPTIMIZED.linker).toBe('js');
    expect(JS_UNOPTIMIZED.name).toBe('FAST_COMPILE');
  });
});

describe('random elementwise graphs: FAST_RUN against the reference linker', () => {
  test('mixed dtypes, ranks 0-4, broadcasting, views and strided inputs, several outputs', () => {
    fc.assert(
      fc.property(arbGraphCase({}), (c) => runDifferential(c, undefined, REFERENCE)),
      { numRuns: 200 },
    );
  });

  test('long float chains (fusion of many ops into one loop)', () => {
    fc.assert(
      fc.property(
        arbGraphCase({
          pool: [
            ['float64', 3],
            ['float32', 3],
            ['int32', 1],
          ],
          maxSteps: 16,
        }),
        (c) => runDifferential(c, undefined, REFERENCE),
      ),
      { numRuns: 80 },
    );
  });

  test('integer and bool graphs: wrapping must match exactly', () => {
    fc.assert(
      fc.property(
        arbGraphCase({
          pool: [
            ['int8', 3],
            ['uint8', 3],
            ['int32', 3],
            ['bool', 2],
            ['int16', 1],
            ['uint32', 1],
          ],
          maxSteps: 12,
        }),
        (c) => runDifferential(c, undefined, REFERENCE),
      ),
      { numRuns: 100 },
    );
  });
});

/** The ops the wasm renderer lowers (a kernel with any other op stays JavaScript). */
const WASM_LOWERED = [
  'add',
  'sub',
  'mul',
  'div',
  'maximum',
  'minimum',
  'clip',
  'switch',
  'neg',
  'abs',
  'sqr',
  'sqrt',
  'exp',
  'tanh',
  'sigmoid',
];
const WASM_COMPARISONS = ['lt', 'gt', 'le', 'ge', 'eq', 'neq'];
/** Views of intermediates: strided (reversed, transposed) operands inside one function. */
const WASM_VIEWS = ['x[::-1]', 'x[..., ::-1]', 'x + x[::-1]', 'sqr(x.T).T', 'x.T.T'];
/** The int32 ops the wasm renderer lowers (i32x4, wrapping). */
const WASM_INT32 = [
  'add',
  'sub',
  'mul',
  'maximum',
  'minimum',
  'clip',
  'switch',
  'neg',
  'abs',
  'sqr',
  'x + 1',
  'x * 2',
  'relu',
  'x > 0',
  ...WASM_COMPARISONS,
  ...WASM_VIEWS,
];

/** Runs `body` with every call eligible for wasm (small shapes too), and checks that wasm loops did run. */
function inWasm(body: () => void): void {
  const saved = wasmOptions.minElements;
  wasmOptions.minElements = 0;
  const before = wasmStats().calls;
  try {
    body();
  } finally {
    wasmOptions.minElements = saved;
  }
  expect(wasmStats().calls).toBeGreaterThan(before);
}

describe('the wasm linker: WASM = JS = reference', () => {
  const WASM = theano.FAST_RUN.withLinker('wasm');
  for (const dtype of ['float32', 'float64'] as const) {
    test(`${dtype} graphs of the lowered ops, against the reference and against the js linker`, () => {
      inWasm(() => {
        const arb = arbGraphCase({ pool: [[dtype, 3]], maxSteps: 12, ops: [...WASM_LOWERED, ...WASM_COMPARISONS] });
        fc.assert(
          fc.property(arb, (c) => runDifferential(c, WASM, REFERENCE)),
          { numRuns: 120 },
        );
        fc.assert(
          fc.property(arb, (c) => runDifferential(c, WASM, theano.FAST_RUN.withLinker('js'))),
          { numRuns: 60 },
        );
      });
    });
  }
  test('mixed dtypes and every op: kernels the renderer cannot write stay JavaScript', () => {
    inWasm(() =>
      fc.assert(
        fc.property(arbGraphCase({}), (c) => runDifferential(c, WASM, REFERENCE)),
        { numRuns: 150 },
      ),
    );
  });
  test('reductions fed by lowered elementwise kernels', () => {
    inWasm(() =>
      fc.assert(
        fc.property(
          arbGraphCase({
            pool: [
              ['float32', 2],
              ['float64', 2],
            ],
            reductions: true,
            maxSteps: 6,
            ops: WASM_LOWERED,
          }),
          (c) => runDifferential(c, WASM, REFERENCE),
        ),
        { numRuns: 80 },
      ),
    );
  });
});

describe('the wasm linker: nested loops (strided, broadcasting, partial reductions, int32, bool outputs)', () => {
  const WASM = theano.FAST_RUN.withLinker('wasm');
  const floats: readonly (readonly [DType, number])[] = [
    ['float32', 2],
    ['float64', 2],
  ];
  test('float graphs with strided views of intermediates and bool outputs: WASM = reference and = JS', () => {
    inWasm(() => {
      const arb = arbGraphCase({
        pool: floats,
        maxSteps: 10,
        ops: [...WASM_LOWERED, ...WASM_COMPARISONS, ...WASM_VIEWS],
      });
      fc.assert(
        fc.property(arb, (c) => runDifferential(c, WASM, REFERENCE)),
        { numRuns: 100 },
      );
      fc.assert(
        fc.property(arb, (c) => runDifferential(c, WASM, undefined)),
        { numRuns: 50 },
      );
    });
  });
  test('sum, prod, max, min (and mean) over random axis subsets, keepdims, of float inputs in every layout', () => {
    inWasm(() =>
      fc.assert(
        fc.property(arbGraphCase({ pool: floats, reductions: true, maxSteps: 4, ops: WASM_LOWERED }), (c) =>
          runDifferential(c, WASM, REFERENCE),
        ),
        { numRuns: 120 },
      ),
    );
  });
  test('int32 graphs: wrap-around exactly, bool outputs, max/min reductions', () => {
    inWasm(() => {
      const pool: readonly (readonly [DType, number])[] = [['int32', 1]];
      fc.assert(
        fc.property(arbGraphCase({ pool, maxSteps: 10, ops: WASM_INT32 }), (c) => runDifferential(c, WASM, REFERENCE)),
        { numRuns: 100 },
      );
      fc.assert(
        fc.property(arbGraphCase({ pool, reductions: true, maxSteps: 4, ops: WASM_INT32 }), (c) =>
          runDifferential(c, WASM, undefined),
        ),
        { numRuns: 80 },
      );
    });
  });
});

describe('reductions of elementwise expressions', () => {
  test('sum, prod, max, min, mean, all, any over random axes, keepdims, folded from fused expressions', () => {
    fc.assert(
      fc.property(arbGraphCase({ reductions: true, maxSteps: 5 }), (c) => runDifferential(c, undefined, REFERENCE)),
      { numRuns: 150 },
    );
  });
});

describe('unoptimized graphs: the js linker under FAST_COMPILE against FAST_COMPILE', () => {
  test('elementwise graphs', () => {
    fc.assert(
      fc.property(arbGraphCase({}), (c) => runDifferential(c, JS_UNOPTIMIZED, 'FAST_COMPILE')),
      { numRuns: 60 },
    );
  });
  test('reductions', () => {
    fc.assert(
      fc.property(arbGraphCase({ reductions: true, maxSteps: 4 }), (c) =>
        runDifferential(c, JS_UNOPTIMIZED, 'FAST_COMPILE'),
      ),
      { numRuns: 50 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// dot, matmul and softmax between elementwise stages

const LIN_FORMS = ['dot_mm', 'matmul_mm', 'dot_mv', 'dot_vm', 'dot_vv', 'matmul_3x2', 'matmul_3x3'] as const;
type LinForm = (typeof LIN_FORMS)[number];
const PRE_FLOAT: readonly ((x: Tensor) => Tensor)[] = [
  (x) => T.tanh(x as never) as Tensor,
  (x) => T.sin(x as never) as Tensor,
  (x) => T.sigmoid(x as never) as Tensor,
  (x) => x.mul(0.5),
  (x) => T.abs(x as never) as Tensor,
  (x) => T.neg(x as never) as Tensor,
  (x) => T.maximum(x, 0) as Tensor,
  (x) => T.clip(x as never, -1.5, 1.5) as Tensor,
  (x) => T.sub(x as never, 0.5) as Tensor,
  (x) => T.sqr(x as never).mul(0.25) as Tensor,
];
const PRE_INT: readonly ((x: Tensor) => Tensor)[] = [
  (x) => T.neg(x as never) as Tensor,
  (x) => T.abs(x as never) as Tensor,
  (x) => x.mul(3),
  (x) => T.maximum(x, 0) as Tensor,
  (x) => T.and(x as never, 7) as Tensor,
  (x) => T.mod(x as never, 5) as Tensor,
  (x) => T.sub(x as never, 1) as Tensor,
];

interface LinCase {
  readonly dtype: 'float32' | 'float64' | 'int32';
  readonly dims: readonly [readonly number[], readonly number[]]; // [n, k, m, batch] per call
  readonly form: LinForm;
  readonly transA: boolean;
  readonly transB: boolean;
  readonly staticBatch: boolean;
  readonly pre: readonly number[];
  readonly post: readonly number[];
  readonly tail: number;
  readonly axis: number;
  readonly extra: number;
  readonly layouts: readonly [Layout, Layout, Layout];
  readonly seed: number;
}

const linDim = fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.constant(1) },
  { weight: 10, arbitrary: fc.integer({ min: 2, max: 5 }) },
);
const arbLinCase: fc.Arbitrary<LinCase> = fc
  .record({
    dtype: fc.constantFrom('float32', 'float64', 'float64', 'int32'),
    dims0: fc.array(linDim, { minLength: 4, maxLength: 4 }),
    dims1: fc.array(linDim, { minLength: 4, maxLength: 4 }),
    form: fc.constantFrom(...LIN_FORMS),
    transA: fc.boolean(),
    transB: fc.boolean(),
    staticBatch: fc.boolean(),
    pre: fc.array(fc.nat(20), { maxLength: 3 }),
    post: fc.array(fc.nat(20), { maxLength: 3 }),
    tail: fc.nat(5),
    axis: fc.nat(3),
    extra: fc.nat(15),
    layouts: fc.tuple(fc.constantFrom(...LAYOUTS), fc.constantFrom(...LAYOUTS), fc.constantFrom(...LAYOUTS)),
    seed: fc.integer(),
  })
  .map(({ dims0, dims1, ...rest }) => ({ ...rest, dims: [dims0, dims1] as const }));

function buildLinear(c: LinCase) {
  const ops = c.dtype === 'int32' ? PRE_INT : PRE_FLOAT;
  const chain = (x: Tensor, steps: readonly number[]) => steps.reduce((v, s) => ops[s % ops.length]!(v), x);
  const swapLast = (x: Tensor) => dimshuffle(x, [...range(x.ndim - 2), x.ndim - 1, x.ndim - 2]);
  const f = c.form;
  const aRank = f === 'dot_vm' || f === 'dot_vv' ? 1 : f === 'matmul_3x2' || f === 'matmul_3x3' ? 3 : 2;
  const bRank = f === 'dot_mv' || f === 'dot_vv' ? 1 : f === 'matmul_3x3' ? 3 : 2;
  const transA = c.transA && aRank >= 2;
  const transB = c.transB && bRank >= 2;
  const A = T.tensor(c.dtype, aRank, 'A') as Tensor;
  const B = T.tensor(c.dtype, bRank === 3 && c.staticBatch ? [1, null, null] : bRank, 'B') as Tensor;
  const a = chain(transA ? swapLast(A) : A, c.pre);
  const b = transB ? swapLast(B) : B;
  const D = (f.startsWith('dot') ? T.dot(a as never, b as never) : T.matmul(a as never, b as never)) as Tensor;
  const bias = T.tensor(c.dtype, D.ndim === 0 ? 0 : 1, 'bias') as Tensor;
  const E = chain(D.add(bias), c.post);
  let out = E;
  if (E.ndim > 0) {
    const axis = c.axis % E.ndim;
    switch (c.tail) {
      case 1:
        out = T.softmax(E as never, axis as never) as Tensor;
        break;
      case 2:
        out = T.logSoftmax(E as never, axis as never) as Tensor;
        break;
      case 3: {
        const m = T.max(E as never, axis as never, { keepdims: true }) as Tensor;
        out = T.log(
          T.sum(T.exp(T.sub(E as never, m as never)) as never, axis as never, { keepdims: true }) as never,
        ).add(m) as Tensor;
        break;
      }
      case 4:
        out = T.sub(E as never, T.mean(E as never, axis as never, { keepdims: true }) as never) as Tensor;
        break;
      case 5:
        out = T.sum(
          T.exp(T.sub(E as never, T.max(E as never, axis as never, { keepdims: true }) as never)) as never,
          axis as never,
        ) as Tensor;
        break;
    }
  }
  const outputs = [out];
  if (c.extra & 1) outputs.push(D);
  if (c.extra & 2) outputs.push(E);
  if (c.extra & 4) outputs.push(T.sum(out as never) as Tensor);
  if (c.extra & 8) outputs.push(a);
  /** Physical shapes of A, B and the bias for call `call`. */
  const shapes = (call: 0 | 1): number[][] => {
    const [n, k, m, batch] = c.dims[call] as [number, number, number, number];
    const aShape = aRank === 1 ? [k] : aRank === 2 ? [n, k] : [batch, n, k];
    const bShape = bRank === 1 ? [k] : bRank === 2 ? [k, m] : [1, k, m];
    const swap = (s: number[]) => [...s.slice(0, -2), s[s.length - 1]!, s[s.length - 2]!];
    const dShape = aRank === 1 ? (bRank === 1 ? [] : [m]) : bRank === 1 ? [n] : aRank === 3 ? [batch, n, m] : [n, m];
    return [
      transA ? swap(aShape) : aShape,
      transB ? swap(bShape) : bShape,
      dShape.length ? [dShape[dShape.length - 1]!] : [],
    ];
  };
  return { inputs: [A, B, bias], outputs, shapes, terms: [a, b, D, E] };
}

/**
 * Float results of these pipelines may differ by rounding (a product or a mean summed in another order, a rewritten
 * graph): the absolute tolerance scales with the magnitude of the products' terms (`scale`) and their count.
 */
function linearTolerance(dtype: DType, scale: number, count: number): Tol {
  if (dtype === 'float32') return { rtol: 1e-4, atol: 1e-6 * scale * count + 1e-6 };
  if (dtype === 'float64') return { rtol: 1e-9, atol: 1e-12 * scale * count + 1e-12 };
  return EXACT;
}

function runLinear(c: LinCase, refMode: AnyMode): void {
  const built = buildLinear(c);
  const sut = compile(built.inputs, built.outputs, undefined);
  const ref = compile(built.inputs, built.outputs, refMode);
  const scaler = compile(built.inputs, built.terms, REFERENCE);
  for (const call of [0, 1] as const) {
    const r = rng(c.seed + call);
    const args = built.shapes(call).map((shape, i) => makeArray(c.dtype, shape, c.layouts[i]!, r, true));
    const before = args.map((a) => JSON.stringify(a.toArray(), big));
    const { value: want, error: wantError } = attempt(() => ref(...args) as unknown[]);
    const { value: got, error: gotError } = attempt(() => sut(...args) as unknown[]);
    const context = `call ${call}: ${theano.pp(ref as never)}\ninputs ${args.map((a) => `${a.dtype}(${a.shape.join(', ')}) strides [${a.strides.join(', ')}]`).join(', ')}`;
    if (wantError !== undefined || gotError !== undefined) {
      // only max over an empty axis fails; both must fail
      expect(gotError !== undefined, `${String(gotError ?? wantError)}\n${context}`).toBe(wantError !== undefined);
      continue;
    }
    const [a, b, , E] = scaler(...args) as unknown[];
    // integer products are exact: only the float tail rounds, on values of E's magnitude
    const scale =
      c.dtype === 'int32'
        ? 1 + maxAbsFinite(E)
        : (1 + Math.max(maxAbsFinite(a), maxAbsFinite(b))) ** 2 + maxAbsFinite(E);
    const count = 1 + (E instanceof theano.NDArray ? E.size : 1) + (c.dims[call][1] ?? 0);
    const problems = built.outputs.flatMap((o, i) =>
      differences(got![i], want![i], o.dtype, linearTolerance(o.dtype, scale, count), `output ${i} (${o.dtype})`),
    );
    args.forEach((a, i) => {
      if (JSON.stringify(a.toArray(), big) !== before[i]) problems.push(`input ${i} was written into`);
    });
    expect(problems, context).toEqual([]);
  }
}

describe('dot, matmul and softmax between elementwise stages', () => {
  test('FAST_RUN against the reference linker', () => {
    fc.assert(
      fc.property(arbLinCase, (c) => runLinear(c, REFERENCE)),
      { numRuns: 120 },
    );
  });
  // The column-oriented matrix-vector loop of src/runtime/matmul.ts used to skip the zeros of the vector, so 0 * inf
  // and 0 * NaN were dropped on one memory layout and not on another (FAST_RUN passes a transpose as a strided
  // view, the reference copies it): numpy gives NaN.
  test('dot: 0 * inf and 0 * NaN are NaN whatever the layout (vector times matrix, matrix times vector)', () => {
    const v = T.dvector('v');
    const m = T.dmatrix('m');
    const layouts = {
      'row-major': new theano.NDArray('float64', [2, 2], Float64Array.from([Infinity, 1, 1, 1])),
      'column-major': new theano.NDArray('float64', [2, 2], Float64Array.from([Infinity, 1, 1, 1]), [1, 2]),
    };
    for (const mode of [undefined, REFERENCE, 'FAST_COMPILE'] as const) {
      const f = compile([v, m], [T.dot(v, m) as Tensor, T.dot(m, v) as Tensor, T.dot(v, m.T) as Tensor], mode);
      for (const [name, M] of Object.entries(layouts)) {
        const what = `mode ${mode === undefined ? 'FAST_RUN' : typeof mode === 'string' ? mode : `${mode.name}/${mode.linker}`}, ${name}`;
        const out = (f([0, 1], M) as NDArray[]).map((a) => a.toArray());
        // M is [[inf, 1], [1, 1]] in both layouts: v.M = [0 * inf + 1, 0 * 1 + 1], M.v = [inf * 0 + 1, 1 * 0 + 1]
        expect(out, what).toEqual([
          [NaN, 1],
          [NaN, 1],
          [NaN, 1],
        ]);
      }
    }
  });

  test('FAST_RUN (optimized, generated code) against FAST_COMPILE (as written, reference evaluator)', () => {
    fc.assert(
      fc.property(arbLinCase, (c) => runLinear(c, 'FAST_COMPILE')),
      { numRuns: 60 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Known traps, each with the value numpy gives: a generated loop must keep the reference's semantics between ops.

/** Compiles `outputs` in FAST_RUN and with the reference linker, runs both on `args`, and checks both against `want`. */
function checkKnown(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  args: readonly unknown[],
  want: readonly unknown[],
): void {
  const sut = compile(inputs, outputs, undefined);
  const ref = compile(inputs, outputs, REFERENCE);
  const got = sut(...args) as unknown[];
  const expected = ref(...args) as unknown[];
  const problems: string[] = [];
  outputs.forEach((o, i) => {
    const exact: Tol = { rtol: 0, atol: 0, signedZeros: true };
    problems.push(...differences(got[i], expected[i], o.dtype, exact, `output ${i} against the reference`));
    const w = want[i];
    if (w === undefined) return;
    const value = got[i] instanceof theano.NDArray ? (got[i] as NDArray).toArray() : got[i];
    const flatGot = Array.isArray(value) ? value.flat(4) : [value];
    const flatWant = Array.isArray(w) ? (w as unknown[]).flat(4) : [w];
    if (flatGot.length !== flatWant.length)
      problems.push(`output ${i}: ${flatGot.length} elements, expected ${flatWant.length}`);
    flatWant.forEach((x, j) => {
      const why = mismatch(o.dtype, flatGot[j], x, exact);
      if (why) problems.push(`output ${i}[${j}] against numpy: ${why}`);
    });
  });
  expect(problems, theano.pp(ref as never)).toEqual([]);
}

const f32 = Math.fround;
const store = (Ctor: { new (n: number): { [i: number]: number } }, v: number): number => {
  const a = new Ctor(1);
  a[0] = v;
  return a[0]!;
};

describe('known traps of fused loops', () => {
  test('float32: every op rounds to float32, not just the last one', () => {
    const x = T.fvector('x');
    const y = T.fvector('y');
    const xs = [1, 0.1, 89, 3.3];
    const ys = [1e8, 3, 0.5, -1e-3];
    const X = xs.map(f32);
    const Y = ys.map(f32);
    checkKnown(
      [x, y],
      [x.add(y).sub(y), T.eq(x.add(y).sub(y), x), T.exp(x).mul(Y[2]!), T.floor(x.mul(10)), x.mul(y).div(y)],
      [new Float32Array(xs), new Float32Array(ys)],
      [
        X.map((v, i) => f32(f32(v + Y[i]!) - Y[i]!)),
        X.map((v, i) => f32(f32(v + Y[i]!) - Y[i]!) === v),
        X.map((v) => f32(f32(Math.exp(v)) * Y[2]!)), // exp(89) overflows float32: inf, even though exp(89) / 2 fits
        X.map((v) => Math.floor(f32(v * 10))),
        X.map((v, i) => f32(f32(v * Y[i]!) / Y[i]!)),
      ],
    );
  });

  test('int8 and uint8 wrap after every op', () => {
    const a = T.tensor('int8', 1, 'a');
    const b = T.tensor('int8', 1, 'b');
    checkKnown(
      [a, b],
      [a.add(b), a.add(b).gt(0), T.intDiv(a.add(b), 3), T.abs(a.add(b)), a.mul(b).mod(7), a.add(b).cast('float64')],
      [new Int8Array([100, -128, 127, 50]), new Int8Array([100, -1, 1, 3])],
      [
        [-56, 127, -128, 53],
        [false, true, false, true],
        [-19, 42, -43, 17],
        [56, 127, -128, 53],
        [16, -128, 127, -106].map((v) => v - 7 * Math.floor(v / 7)), // the wrapped products, floor-modulo 7
        [-56, 127, -128, 53],
      ],
    );
    const u = T.tensor('uint8', 1, 'u');
    const v = T.tensor('uint8', 1, 'v');
    checkKnown(
      [u, v],
      [u.sub(v), u.sub(v).mod(7), u.sub(v).gt(100), u.mul(v), T.neg(u)],
      [new Uint8Array([3, 0, 255, 16]), new Uint8Array([5, 1, 255, 16])],
      [
        [254, 255, 0, 0],
        [2, 3, 0, 0],
        [true, true, false, false],
        [15, 0, 1, 0],
        [253, 0, 1, 240],
      ],
    );
  });

  test('int32 multiplication wraps exactly (no rounding above 2^53)', () => {
    const x = T.ivector('x');
    const xs = [2147483647, 46341, -2147483648, 123456789, -7];
    const sq = xs.map((v) => Math.imul(v, v));
    checkKnown(
      [x],
      [x.mul(x), T.sqr(x), x.mul(x).mul(x), T.pow(x, 3) as Tensor, T.intDiv(x.mul(x), 7), x.mul(x).gt(0)],
      [new Int32Array(xs)],
      [
        sq,
        sq,
        xs.map((v, i) => Math.imul(sq[i]!, v)),
        xs.map((v, i) => Math.imul(sq[i]!, v)),
        sq.map((v) => Math.floor(v / 7)),
        sq.map((v) => v > 0),
      ],
    );
    const w = T.tensor('int16', 1, 'w');
    checkKnown(
      [w],
      [w.mul(w), w.mul(w).add(1)],
      [new Int16Array([300, 181, -32768])],
      [
        [24464, 32761, 0],
        [24465, 32762, 1],
      ],
    );
  });

  test('uint32 intermediates stay unsigned', () => {
    const a = T.tensor('uint32', 1, 'a');
    const b = T.tensor('uint32', 1, 'b');
    checkKnown(
      [a, b],
      [a.add(b), a.add(b).gt(1), T.intDiv(a.add(b), 2), a.mul(2), T.maximum(a, b), a.sub(b).gt(a)],
      [new Uint32Array([4294967295, 2147483648, 1]), new Uint32Array([0, 2147483648, 4294967295])],
      [
        [4294967295, 0, 0],
        [true, false, false],
        [2147483647, 0, 0],
        [4294967294, 0, 2],
        [4294967295, 2147483648, 4294967295],
        [false, false, true],
      ],
    );
  });

  test('bool arithmetic: add is or, mul is and, invert is not', () => {
    const p = T.tensor('bool', 1, 'p');
    const q = T.tensor('bool', 1, 'q');
    const P = [false, false, true, true];
    const Q = [false, true, false, true];
    checkKnown(
      [p, q],
      [
        p.add(q),
        p.mul(q),
        T.invert(p),
        T.invert(p.gt(q)),
        T.maximum(p, q),
        p.xor(q),
        p.cast('int8').add(q.cast('int8')),
        T.invert(p).add(q),
      ],
      [P, Q],
      [
        P.map((v, i) => v || Q[i]),
        P.map((v, i) => v && Q[i]),
        P.map((v) => !v),
        P.map((v, i) => !(v && !Q[i])),
        P.map((v, i) => v || Q[i]),
        P.map((v, i) => v !== Q[i]),
        P.map((v, i) => Number(v) + Number(Q[i])),
        P.map((v, i) => !v || Q[i]),
      ],
    );
  });

  test('casts: bool is "non-zero", integers truncate and wrap, also inside a fused chain', () => {
    const x = T.dvector('x');
    const xs = [0.5, NaN, -0, -1.5, 300.7, 3e10, Infinity, -Infinity, 1e300, -129.9];
    checkKnown(
      [x],
      [
        x.cast('bool'),
        x.cast('int8'),
        x.cast('uint8'),
        x.cast('int32'),
        x.mul(1.5).cast('int32').add(1),
        x.cast('int8').cast('float32').mul(2),
        x.cast('bool').cast('int8'),
      ],
      [xs],
      [
        xs.map((v) => v !== 0),
        xs.map((v) => store(Int8Array, v)),
        xs.map((v) => store(Uint8Array, v)),
        xs.map((v) => store(Int32Array, v)),
        xs.map((v) => store(Int32Array, store(Int32Array, v * 1.5) + 1)),
        xs.map((v) => store(Int8Array, v) * 2),
        xs.map((v) => (v !== 0 ? 1 : 0)),
      ],
    );
  });

  test('the sign of zero: sign(-0) is +0, as numpy', () => {
    const x = T.dvector('x');
    checkKnown(
      [x],
      [T.sign(x), T.reciprocal(T.sign(x)), T.div(1, T.neg(x))],
      [[-0, 0, NaN, -2]],
      [
        [0, 0, NaN, -1],
        [Infinity, Infinity, NaN, -1],
        [Infinity, -Infinity, NaN, 0.5],
      ],
    );
  });

  test('integer division and modulo by zero give 0, and nothing else leaks into the next op', () => {
    const a = T.ivector('a');
    const b = T.ivector('b');
    checkKnown(
      [a, b],
      [T.intDiv(a, b), T.mod(a, b), T.intDiv(a, b).add(1), T.mod(a, b).eq(0), T.intDiv(a, b).cast('float64')],
      [new Int32Array([7, -7, 0, -2147483648, 7]), new Int32Array([0, 0, 0, -1, -2])],
      [
        [0, 0, 0, -2147483648, -4],
        [0, 0, 0, 0, -1],
        [1, 1, 1, -2147483647, -3],
        [true, true, true, true, false],
        [0, 0, 0, -2147483648, -4],
      ],
    );
    const x = T.dvector('x');
    const y = T.dvector('y');
    checkKnown(
      [x, y],
      [T.intDiv(x, y), T.mod(x, y)],
      [
        [7, -7, 0, -7.5],
        [0, 0, 0, 2],
      ],
      [
        [Infinity, -Infinity, NaN, -4],
        [NaN, NaN, NaN, 0.5],
      ],
    );
  });

  test('NaN: maximum and minimum propagate it from either side; clip and switch', () => {
    const x = T.dvector('x');
    const y = T.dvector('y');
    const zero = T.dscalar('zero'); // an input: the optimizer folds x * 0 to 0 (Theano's mul_zero), the loop must not
    checkKnown(
      [x, y, zero],
      [
        T.maximum(x, y),
        T.minimum(y, x),
        T.clip(x, 0, 1) as Tensor,
        T.switch(x, 1, 2) as Tensor,
        T.switch(x.mul(zero), 1, 2) as Tensor,
        T.isnan(T.maximum(x, y)).or(T.isinf(y)),
      ],
      [[NaN, 1, -0.25, 2, -3], [1, NaN, 0, -Infinity, 3], 0],
      [
        [NaN, NaN, 0, 2, 3],
        [NaN, NaN, -0.25, -Infinity, -3],
        [NaN, 1, 0, 1, 0],
        [1, 1, 1, 1, 1], // NaN is a true condition
        [1, 2, 2, 2, 2], // NaN * 0 is NaN (true); -0.25 * 0 and -3 * 0 are -0 (false)
        [true, true, false, true, false],
      ],
    );
  });

  test('round is half to even', () => {
    const x = T.dvector('x');
    const xs = [0.5, 1.5, 2.5, -0.5, -2.5, 0.49999999999999994, 3.7];
    checkKnown(
      [x],
      [T.round(x), T.round(x.mul(2)).div(2)],
      [xs],
      [
        [0, 2, 2, -0, -2, 0, 4],
        [0.5, 1.5, 2.5, -0.5, -2.5, 0.5, 3.5],
      ],
    );
  });

  test('integer powers wrap; negative exponents truncate toward zero', () => {
    const a = T.ivector('a');
    const b = T.ivector('b');
    checkKnown(
      [a, b],
      [T.pow(a, b) as Tensor, T.pow(a, b).add(1) as Tensor],
      [new Int32Array([2, 3, 2, -1, 0, 5]), new Int32Array([31, 40, -1, -1, -1, 0])],
      [
        [-2147483648, Number(BigInt.asIntN(32, 3n ** 40n)), 0, -1, 0, 1],
        [-2147483647, Number(BigInt.asIntN(32, 3n ** 40n)) + 1, 1, 0, 1, 2],
      ],
    );
    const c = T.tensor('int8', 1, 'c');
    checkKnown([c], [T.pow(c, 5) as Tensor], [new Int8Array([3, -2, 2])], [[-13, -32, 32]]);
  });

  test('an intermediate read by several ops and also returned (a multi-output kernel)', () => {
    const x = T.dmatrix('x');
    const y = T.dvector('y');
    const a = T.exp(x).mul(y);
    const xs = [
      [0, 1, -1],
      [2, -0.5, 0.25],
    ];
    const ys = [1, 2, -3];
    const A = xs.map((row) => row.map((v, j) => Math.exp(v) * ys[j]!));
    checkKnown(
      [x, y],
      [a, a.add(1), a.mul(a), T.sum(a, 1) as Tensor, a.gt(1), a.T, a],
      [xs, ys],
      [
        A,
        A.map((r) => r.map((v) => v + 1)),
        A.map((r) => r.map((v) => v * v)),
        A.map((r) => r.reduce((s, v) => s + v, 0)),
        A.map((r) => r.map((v) => v > 1)),
        [0, 1, 2].map((j) => A.map((r) => r[j]!)),
        A,
      ],
    );
  });

  test('float reductions accumulate in float64 and round once (float32 sums of many terms)', () => {
    const x = T.fvector('x');
    const xs = new Float32Array(Array.from({ length: 1000 }, (_, i) => (i % 2 ? 1e-4 : 1) + i * 1e-3));
    let exact = 0;
    for (const v of xs) exact += v;
    const [s] = compile([x], [T.sum(x)], undefined)(xs) as [number];
    const [r] = compile([x], [T.sum(x)], REFERENCE)(xs) as [number];
    expect(r).toBe(f32(exact));
    expect(Math.abs(s - r)).toBeLessThanOrEqual(1e-5 * Math.abs(r));
  });
});

describe('known traps of folded reductions and reused buffers', () => {
  test('integer sums and products are exact in 64 bits, then wrap to the output dtype', () => {
    const x = T.ivector('x');
    const xs = [2147483647, 2147483647, 3, -5, 65537];
    const exactProd = xs.reduce((p, v) => BigInt.asIntN(64, p * BigInt(v)), 1n);
    const exactSum = xs.reduce((p, v) => p + BigInt(v), 0n);
    checkKnown(
      [x],
      [
        T.prod(x, null, { dtype: 'int32' }) as Tensor,
        T.sum(x, null, { dtype: 'int32' }) as Tensor,
        T.sum(x, null, { dtype: 'int8' }) as Tensor,
        T.prod(x.mul(3), null, { dtype: 'uint8' }) as Tensor,
        T.prod(x) as Tensor,
      ],
      [new Int32Array(xs)],
      [
        Number(BigInt.asIntN(32, exactProd)),
        Number(BigInt.asIntN(32, exactSum)),
        Number(BigInt.asIntN(8, exactSum)),
        Number(
          BigInt.asUintN(
            8,
            xs.reduce((p, v) => BigInt.asIntN(64, p * BigInt(Math.imul(v, 3))), 1n),
          ),
        ),
        exactProd,
      ],
    );
    const b = T.tensor('int8', 2, 'b');
    checkKnown(
      [b],
      [T.sum(b, 0, { dtype: 'int8' }) as Tensor, T.prod(b, 1, { dtype: 'int32' }) as Tensor],
      [new theano.NDArray('int8', [2, 2], Int8Array.from([100, 100, 100, 100]))],
      [
        [-56, -56],
        [10000, 10000],
      ],
    );
  });

  test('a float summed into an integer dtype is truncated element by element first (numpy)', () => {
    const v = T.dvector('v');
    checkKnown(
      [v],
      [T.sum(v, null, { dtype: 'int32' }) as Tensor, T.sum(v.mul(1), null, { dtype: 'int8' }) as Tensor],
      [[1.5, 2.5, -0.5, 300.9]],
      [303, Number(BigInt.asIntN(8, 303n))],
    );
  });

  test('max, min, all and any: infinities, NaN and -0', () => {
    const x = T.dmatrix('x');
    const xs = [
      [-Infinity, -Infinity],
      [Infinity, Infinity],
      [NaN, 1],
      [1, NaN],
      [-0, 2],
    ];
    const zero = T.dscalar('zero'); // an input: the optimizer folds x * 0 to 0 (Theano's mul_zero), the loop must not
    checkKnown(
      [x, zero],
      [
        T.max(x, 1) as Tensor,
        T.min(x, 1) as Tensor,
        T.all(x, 1) as Tensor,
        T.any(x.mul(zero), 1) as Tensor,
        T.max(x.mul(-1), 1) as Tensor,
      ],
      [xs, 0],
      [
        [-Infinity, Infinity, NaN, NaN, 2],
        [-Infinity, Infinity, NaN, NaN, -0],
        [true, true, true, true, false],
        [true, true, true, true, false], // -inf * 0 and inf * 0 are NaN (true); -0 * 0 is -0 (false)
        [Infinity, -Infinity, NaN, NaN, 0],
      ],
    );
  });

  test('a reduction whose input dies there does not write over that input (length-1 and empty axes)', () => {
    const a = T.dmatrix('a');
    const x = T.exp(a);
    const y = x.mul(2);
    const s = T.sum(x, 1, { keepdims: true }) as Tensor; // a of shape (3, 1): s has as many elements as x
    const m = T.max(T.sin(a), []) as Tensor; // no axes: the identity, in a buffer of x's size
    const as = [[0.5], [-1], [2]];
    const X = as.map(([v]) => Math.exp(v!));
    checkKnown(
      [a],
      [y, T.neg(s), T.neg(m).add(1)],
      [as],
      [X.map((v) => [v * 2]), X.map((v) => [-v]), as.map(([v]) => [-Math.sin(v!) + 1])],
    );
  });

  test('an elementwise loop never writes over a buffer it still reads through a view', () => {
    const a = T.dmatrix('a');
    const x = T.exp(a); // an intermediate the pool may hand out again
    const as = [
      [0, 1, 2],
      [3, 4, 5],
      [6, 7, 8],
    ];
    const X = as.map((r) => r.map(Math.exp));
    const flip = (m: number[][]) => [...m].reverse();
    const transpose = (m: number[][]) => m[0]!.map((_, j) => m.map((r) => r[j]!));
    const map = (m: number[][], f: (v: number, i: number, j: number) => number) =>
      m.map((r, i) => r.map((v, j) => f(v, i, j)));
    // each loop below reads x through a view and is x's last reader; its own result is an intermediate (read again
    // through a view by the next loop), so its buffer comes from the pool, where x's buffer just went back
    const rev = (v: Tensor) => getItem(v, T.slice(null, null, -1));
    checkKnown([a], [rev(rev(x).mul(2)).add(1)], [as], [map(X, (v) => v * 2 + 1)]);
    checkKnown([a], [x.T.add(1).T.mul(3)], [as], [map(X, (v) => (v + 1) * 3)]);
    checkKnown(
      [a],
      [T.sub(rev(x.T.add(x)) as never, 1) as Tensor],
      [as],
      [map(flip(map(transpose(X), (v, i, j) => v + X[i]![j]!)), (v) => v - 1)],
    );
    checkKnown(
      [a],
      [rev(T.sub(getItem(x, T.slice(), T.slice(null, null, -1)) as never, x) as Tensor).mul(2)],
      [as],
      [map(flip(map(X, (v, _i, j) => X[_i]![X.length - 1 - j]! - v)), (v) => v * 2)],
    );
    checkKnown([a], [getItem(x, T.slice(null, null, -1)).mul(2)], [as], [map(flip(X), (v) => v * 2)]);
    const b = T.dmatrix('b'); // non-square: a transpose of the same size
    const bs = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const y = T.exp(b);
    const Y = bs.map((r) => r.map(Math.exp));
    checkKnown([b], [y.T.sub(1).T.add(y)], [bs], [map(Y, (v) => v - 1 + v)]);
    checkKnown(
      [b],
      [T.sub(rev(y.T.mul(3)) as never, 1) as Tensor],
      [bs],
      [map(flip(map(transpose(Y), (v) => v * 3)), (v) => v - 1)],
    );
  });
});
