/**
 * The machinery the rule tests share (test/rewrite/*.test.ts). Two families:
 *
 * - Operands and checks, for tests that build an expression on random shapes, static shape knowledge and values
 *   and compile it as written (FAST_COMPILE) and with a rule included (canonicalize, algebra, specialize):
 *   `operands` makes the generators (each file says which integer ranges it draws and whether a constant may add
 *   a leading axis), `checker` makes `check(rule, operands, output, options)` around the file's own comparison.
 * - Property cases, for tests that state a rule as a list of expressions on random vectors or matrices, each
 *   compiled in FAST_COMPILE and in the case's mode (stabilize, logexp; sigmoid and switch use the pieces):
 *   `Case`, its builders (`unary`, `gradient`, `binary`, `onMatrix`), `expectClose` and `propertyCases`.
 *
 * Nothing here decides a tolerance, a number of runs or a mode: every test file passes its own.
 */
import fc from 'fast-check';
import { expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { DType, Mode, NDArray, Tensor } from '../../src/index.js';
import { expectArray, expectScalar, flatten, arbBroadcastShapes, type Tolerance } from '../helpers.js';

const T = theano.tensor;

export type Fn = theano.CompiledFunction<readonly Tensor[], Tensor>;
export type Dims = readonly number[];
/** Lengths as a type knows them: a number, or null (known only at run time). */
export type Static = readonly (number | null)[];

// ---------------------------------------------------------------------------------------------------------------
// values

export const size = (shape: Dims) => shape.reduce((a, b) => a * b, 1);

/** The dtypes the tests draw values of, with their typed arrays. */
export const DATA = {
  float64: Float64Array,
  float32: Float32Array,
  int32: Int32Array,
  int16: Int16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
} as const;
export type TestDType = keyof typeof DATA;

export function ndarray(dtype: TestDType, shape: Dims, values: readonly number[]): NDArray {
  return new theano.NDArray(dtype, shape, DATA[dtype].from(values) as never);
}

/** Finite doubles in [min, max]. */
export const finite = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
/** Values of either sign away from zero (for divisions and reciprocals). */
export const nonZero = fc.tuple(finite(0.25, 4), fc.boolean()).map(([v, negative]) => (negative ? -v : v));

/** The integers drawn for an integer dtype, [min, max]; a dtype not listed draws the caller's element. */
export type IntRanges = Partial<Record<TestDType, readonly [number, number]>>;
/** The full range of each integer dtype (wrapping is part of what is checked). */
export const FULL_INT_RANGES: IntRanges = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 2 ** 32 - 1],
};

/** A constant of `shape` filled with `value`. */
export const filledConstant = (dtype: TestDType, shape: Dims, value: number): Tensor =>
  T.constant(ndarray(dtype, shape, new Array<number>(size(shape)).fill(value))) as Tensor;

// ---------------------------------------------------------------------------------------------------------------
// operands

/** A symbolic input and a value for it (and the lengths its type knows, where that matters). */
export interface Operand {
  readonly input: Tensor;
  readonly value: NDArray;
  readonly static?: Static;
}
/** A drawn operand: the input's type knows the lengths in `static`. */
export interface DrawnOperand extends Operand {
  readonly static: Static;
}

/** Which lengths the type knows: each one, at random, or null (known only at run time). */
export const arbStatic = (shape: Dims): fc.Arbitrary<Static> =>
  fc
    .array(fc.boolean(), { minLength: shape.length, maxLength: shape.length })
    .map((known) => shape.map((d, i) => (known[i] ? d : null)));

export interface OperandOptions {
  /** What each integer dtype draws (floats draw the element given, finite(-4, 4) by default). */
  readonly ints: IntRanges;
  /** Whether a constant's shape may have one more leading axis than the operand's. */
  readonly leadingAxis?: boolean;
}

/** The generators of arrays, operands and constant shapes, drawing integers and constant shapes as `options` say. */
export function operands(options: OperandOptions) {
  function arbArray(dtype: TestDType, shape: Dims, element = finite(-4, 4)): fc.Arbitrary<NDArray> {
    const n = size(shape);
    const range = options.ints[dtype];
    const el = range ? fc.integer({ min: range[0], max: range[1] }) : element;
    return fc.array(el, { minLength: n, maxLength: n }).map((values) => ndarray(dtype, shape, values));
  }
  /** A symbolic input with a random static shape, and a value for it. */
  const arbOperand = (dtype: TestDType, shape: Dims, element?: fc.Arbitrary<number>): fc.Arbitrary<DrawnOperand> =>
    fc
      .tuple(arbStatic(shape), arbArray(dtype, shape, element))
      .map(([s, value]) => ({ input: T.tensor(dtype, s) as Tensor, value, static: s }));
  /** One operand of rank 0 to 3, lengths 1 to 4. */
  const arbSingle = (dtype: TestDType = 'float64', element?: fc.Arbitrary<number>) =>
    fc.array(fc.integer({ min: 1, max: 4 }), { maxLength: 3 }).chain((shape) => arbOperand(dtype, shape, element));
  /** Two operands whose shapes broadcast together (each may have fewer axes, or length 1 where the other does not). */
  const arbPair = (dtype: TestDType = 'float64', element?: fc.Arbitrary<number>, element2 = element) =>
    arbBroadcastShapes(2, { maxRank: 3 }).chain(({ operands: [a, b] }) =>
      fc.tuple(arbOperand(dtype, a!, element), arbOperand(dtype, b!, element2)),
    );
  /**
   * The shape of a constant that broadcasts into an operand of run-time shape `shape`: some leading axes dropped
   * (or, with `leadingAxis`, one added), each length 1 or the operand's.
   */
  const arbConstantShape = (shape: Dims): fc.Arbitrary<number[]> => {
    const drop = fc.integer({ min: 0, max: shape.length });
    const ones = fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length });
    const kept = (d: number, o: boolean[]) => shape.slice(d).map((n, i) => (o[i + d] ? 1 : n));
    if (!options.leadingAxis) return fc.tuple(drop, ones).map(([d, o]) => kept(d, o));
    const extra = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 1 });
    return fc.tuple(drop, ones, extra).map(([d, o, e]) => [...(d === 0 ? e : []), ...kept(d, o)]);
  };
  return { arbArray, arbOperand, arbSingle, arbPair, arbConstantShape };
}

// ---------------------------------------------------------------------------------------------------------------
// the check: as written against the rule included

/** Asserts that two results of one function (arrays or scalars) agree within `tol`, by test/helpers.ts. */
export function expectSame(got: unknown, want: unknown, dtype: DType, tol: Tolerance): void {
  if (want instanceof theano.NDArray)
    expectArray(got, { dtype: want.dtype, shape: want.shape, flat: flatten(want.toArray()), ...tol });
  else expectScalar(got, dtype, want, tol);
}

export interface CheckOptions<Tol> {
  /** Whether the rule must fire (true), must not (false), or may (undefined). */
  readonly fires?: boolean;
  /** Other rules the expression needs first. */
  readonly with?: readonly string[];
  /** Passed to the comparer (undefined when not given: the comparer has the file's default). */
  readonly tol?: Tol;
}

/** How a file compares the rewritten result (`got`) with the one as written (`want`). */
export type Comparer<Tol> = (got: unknown, want: unknown, output: Tensor, after: Fn, tol: Tol | undefined) => void;

/** Asserts that `rule` fired in `f` (true), did not (false), or either (undefined); returns the count. */
export function expectFired(f: { profile?: { rules: Record<string, number> } }, rule: string, fires = true): number {
  const fired = f.profile!.rules[rule] ?? 0;
  if (fires) expect(fired, `rule ${rule} fired`).toBeGreaterThan(0);
  else expect(fired, `rule ${rule} declined`).toBe(0);
  return fired;
}

/**
 * `check(rule, operands, output, options)`: compiles `output` as written (FAST_COMPILE: merge and constant folding
 * only) and with `rule` included (profiled), checks that the rule fired (or did not), and compares both functions
 * on the operands' values with `compare`. Returns the rewritten function.
 */
export function checker<Tol>(compare: Comparer<Tol>) {
  return function check(rule: string, operands: readonly Operand[], output: Tensor, options: CheckOptions<Tol> = {}) {
    const inputs = operands.map((o) => o.input);
    const before = theano.function(inputs, output, { mode: 'FAST_COMPILE', onUnusedInput: 'ignore' }) as Fn;
    const after = theano.function(inputs, output, {
      mode: theano.FAST_COMPILE.including(rule, ...(options.with ?? [])),
      profile: true,
      onUnusedInput: 'ignore',
    }) as Fn;
    const fired = after.profile!.rules[rule] ?? 0;
    if (options.fires === true) expect(fired, `${rule} fired in ${theano.pp(after)}`).toBeGreaterThan(0);
    if (options.fires === false) expect(fired, `${rule} declined in ${theano.pp(after)}`).toBe(0);
    const call = (f: Fn) => (f as unknown as (...args: unknown[]) => unknown)(...operands.map((o) => o.value));
    compare(call(after), call(before), output, after, options.tol);
    return after;
  };
}

/** What `checker` makes. */
export type Check<Tol> = ReturnType<typeof checker<Tol>>;

/**
 * The property of a rule on one operand: for each x that `operand` draws, `rule` fires on `build(x)`, the values
 * agree as `check` compares them, and exactly the ops `left` remain.
 */
export function rewritesOne<Tol>(
  check: Check<Tol>,
  rule: string,
  operand: fc.Arbitrary<Operand>,
  build: (x: Tensor) => Tensor,
  left: readonly string[],
  runs: fc.Parameters<[Operand]>,
  options: CheckOptions<Tol> = {},
): void {
  fc.assert(
    fc.property(operand, (x) => {
      const f = check(rule, [x], build(x.input), { fires: true, ...options });
      expect(opNames(f)).toEqual(left);
    }),
    runs,
  );
}

/** The canonicalize phase alone (with fast_compile's), checked rewrite by rewrite in DEBUG mode. */
export const debugCanonicalize = () => new theano.Mode('DEBUG', new Set(['fast_compile', 'canonicalize']));

/** Compiles `output` on the operands' inputs in `mode` and calls it on their values. */
export function runIn(mode: theano.Mode | 'FAST_COMPILE', operands: readonly Operand[], output: Tensor): unknown {
  const f = theano.function(
    operands.map((o) => o.input),
    output,
    { mode, onUnusedInput: 'ignore' },
  );
  return (f as unknown as (...v: unknown[]) => unknown)(...operands.map((o) => o.value));
}

export const nodes = (f: Fn) => f.graph.toposort().length;
export const opNames = (f: Fn) => f.graph.toposort().map((n) => n.op.name);

/** The names in `names` not in `covered`, once each. */
export const uncovered = (names: Iterable<string>, covered: Iterable<string>): string[] => {
  const seen = new Set(covered);
  return [...new Set(names)].filter((name) => !seen.has(name));
};

/** `ruleTest(rule, title, body)` registers `${rule}: ${title}` and notes the rule in `tested`. */
export function ruleTests() {
  const tested = new Set<string>();
  const ruleTest = (rule: string, title: string, body: () => void): void => {
    tested.add(rule);
    test(`${rule}: ${title}`, body);
  };
  return { tested, ruleTest };
}

// ---------------------------------------------------------------------------------------------------------------
// property cases

export type Value = number | number[] | number[][];
export interface Case {
  /** The rule that must fire. */
  readonly rule: string;
  readonly what: string;
  /** Symbolic inputs and the expression (a gradient is built here too: T.grad runs before optimization). */
  readonly build: () => { inputs: Tensor[]; output: Tensor };
  /** Random input values (in the range where the form as written is accurate). */
  readonly values: fc.Arbitrary<Value[]>;
  /** The optimized mode: DEBUG, or DEBUG with a rule that would fire first switched off where needed. */
  readonly mode?: Mode;
  readonly rtol?: number;
}

/** Finite reals in [min, max]. */
export const real = (min: number, max: number) => fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
/** Vectors of 1 to 6 elements (or exactly `length`). */
export const vectorOf = (element: fc.Arbitrary<number>, length?: number) =>
  fc.array(element, { minLength: length ?? 1, maxLength: length ?? 6 });
/** A matrix of `columns` columns and 1 to 4 rows (or exactly `rows`). */
export const matrixOf = (element: fc.Arbitrary<number>, columns = 3, rows?: number) =>
  fc.array(fc.array(element, { minLength: columns, maxLength: columns }), {
    minLength: rows ?? 1,
    maxLength: rows ?? 4,
  });

/** An elementwise case on a float64 vector x. */
export function unary(
  rule: string,
  what: string,
  f: (x: Tensor) => Tensor,
  element: fc.Arbitrary<number>,
  mode?: Mode,
): Case {
  const build = () => {
    const x = T.dvector('x');
    return { inputs: [x], output: f(x) };
  };
  return { rule, what, build, values: vectorOf(element).map((x) => [x]), mode };
}
/** The gradient of sum(f(x)) on a float64 vector. */
export const gradient = (
  rule: string,
  what: string,
  f: (x: Tensor) => Tensor,
  element: fc.Arbitrary<number>,
  mode?: Mode,
): Case => unary(rule, `d/dx sum(${what})`, (x) => T.grad(T.sum(f(x)) as never, x) as Tensor, element, mode);
/** A case on two float64 vectors x and y (`values` draws both, of one length). */
export function binary(
  rule: string,
  what: string,
  f: (x: Tensor, y: Tensor) => Tensor,
  values: fc.Arbitrary<Value[]>,
  mode?: Mode,
): Case {
  const build = () => {
    const [x, y] = T.dvectors('x', 'y');
    return { inputs: [x, y], output: f(x, y) };
  };
  return { rule, what, build, values, mode };
}
/** A case on a float64 matrix m of 3 columns (m keeps its rank in its type, for dimshuffle). */
export function onMatrix(
  rule: string,
  what: string,
  f: (m: ReturnType<typeof T.dmatrix>) => Tensor,
  element: fc.Arbitrary<number>,
): Case {
  const build = () => {
    const m = T.dmatrix('m');
    return { inputs: [m], output: f(m) };
  };
  return { rule, what, build, values: matrixOf(element).map((m) => [m]) };
}

/** The elements of an NDArray, a nested array or a number, flat. */
export const flat = (v: unknown): number[] =>
  (v instanceof theano.NDArray ? [v.toArray()].flat(8) : Array.isArray(v) ? v.flat(8) : [v]) as number[];

export interface CloseOptions {
  /**
   * Whether only the elements where `want` is finite are compared (a stabilization may turn the NaN of
   * Inf - Inf or 0 * Inf, or an overflow, into a number); by default every element is.
   */
  readonly finiteOnly?: boolean;
}

/** Elementwise agreement within `rtol` (relative, with an absolute floor of rtol for values near 0). */
export function expectClose(got: unknown, want: unknown, rtol: number, context: string, options: CloseOptions = {}) {
  const g = flat(got);
  const w = flat(want);
  expect(g.length, context).toBe(w.length);
  g.forEach((a, i) => {
    const b = w[i]!;
    if (options.finiteOnly && !Number.isFinite(b)) return;
    expect(Math.abs(a - b) <= rtol * (1 + Math.abs(b)), `${context}: [${i}] ${a} vs ${b}`).toBe(true);
  });
}

/** The test that every rule in `names` has a case. */
export function everyRuleHasACase(names: Iterable<string>, cases: readonly { readonly rule: string }[]): void {
  test('every rule has a property case', () => {
    expect(
      uncovered(
        names,
        cases.map((c) => c.rule),
      ),
    ).toEqual([]);
  });
}

export interface PropertyOptions extends CloseOptions {
  readonly numRuns: number;
}

/**
 * A test per case (call inside a describe): the rule fires in the case's mode (DEBUG by default), and on
 * `numRuns` random values the optimized graph agrees with FAST_COMPILE within the case's rtol (1e-9 by default).
 */
export function propertyCases(cases: readonly Case[], options: PropertyOptions): void {
  for (const c of cases) {
    test(`${c.rule}: ${c.what}`, () => {
      const { inputs, output } = c.build();
      const naive = theano.function(inputs, output, { mode: 'FAST_COMPILE' });
      const optimized = theano.function(inputs, output, { mode: c.mode ?? 'DEBUG', profile: true });
      expectFired(optimized, c.rule);
      fc.assert(
        fc.property(c.values, (values) => {
          const call = (f: typeof naive) => (f as unknown as (...args: Value[]) => unknown)(...values);
          const context = `${c.what} at ${JSON.stringify(values)}`;
          expectClose(call(optimized), call(naive), c.rtol ?? 1e-9, context, options);
        }),
        { numRuns: options.numRuns },
      );
    });
  }
}
