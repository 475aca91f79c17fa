/**
 * The scalar table: every elementwise op in one place. Each entry holds its math for JS numbers (`impl`), for
 * exact int64 (`bigImpl`), an integer variant where wrapping differs (`intImpl`), the JS expression the code
 * generator emits (`emit`), how `pp` prints it, and the dtype rule of its output.
 */
import type { PrintSpec } from '../graph/op.js';
import * as special from './special.js';

/**
 * How the output dtype follows from the inputs: `upcast` (numpy promotion), `float` (promotion, then upgraded
 * to a float as true division and transcendental functions do), `bool` (comparisons and predicates),
 * `branches` (the upcast of all inputs but the first, for switch), `param` (cast: the dtype is a parameter).
 */
export type OutputRule = 'upcast' | 'float' | 'bool' | 'branches' | 'param';
/** Which input dtypes an op accepts. */
export type InputDomain = 'any' | 'integral' | 'numeric';

type Num = number;
export interface ScalarOp {
  readonly name: string;
  readonly arity: 1 | 2 | 3;
  readonly output: OutputRule;
  readonly domain: InputDomain;
  readonly impl: (...x: Num[]) => Num | boolean;
  /** Exact int64 math; used when an input is int64 and every input is integral. */
  readonly bigImpl?: (...x: bigint[]) => bigint | boolean;
  /** Math for 8-32-bit integers where it differs from `impl` (wrapping multiply, floor division). */
  readonly intImpl?: (...x: Num[]) => Num | boolean;
  /** A JS expression over operand expressions; `Math` and the helpers in `special.ts` are in scope as `$`. */
  readonly emit: (x: readonly string[]) => string;
  readonly print: PrintSpec<unknown>;
  readonly commutative?: boolean;
  readonly associative?: boolean;
}

const call = (name?: string): PrintSpec<unknown> => (name ? { kind: 'call', name: () => name } : { kind: 'call' });
const infix = (symbol: string, precedence: number, associativity: 'left' | 'right' | 'none' = 'left'): PrintSpec<unknown> => ({
  kind: 'infix',
  symbol,
  precedence,
  associativity,
});

// Precedence as in Python (pp prints Python-like syntax): ** 14, unary 13, * / // % 12, + - 11, & 7, ^ 6, | 5,
// comparisons 4 (non-associative: Python would chain them).
const unary = <N extends string>(name: N, impl: (x: Num) => Num, emit: (x: string) => string): ScalarOp & { name: N } => ({
  name,
  arity: 1,
  output: 'float',
  domain: 'numeric',
  impl,
  emit: ([x]) => emit(x!),
  print: call(),
});
const math = <N extends string>(name: N, fn: keyof Math & string): ScalarOp & { name: N } =>
  unary(name, Math[fn] as (x: Num) => Num, (x) => `Math.${fn}(${x})`);
const compare = <N extends string>(name: N, symbol: string, precedence: number, impl: (a: Num, b: Num) => boolean): ScalarOp & { name: N } => ({
  name,
  arity: 2,
  output: 'bool',
  domain: 'any',
  impl,
  bigImpl: impl as unknown as (a: bigint, b: bigint) => boolean,
  emit: ([a, b]) => `(${a} ${symbol === '==' ? '===' : symbol === '!=' ? '!==' : symbol} ${b} ? 1 : 0)`,
  print: infix(symbol, precedence, 'none'),
  commutative: symbol === '==' || symbol === '!=',
});

const ops = [
  // arithmetic
  { name: 'add', arity: 2, output: 'upcast', domain: 'any', impl: (a, b) => a + b, bigImpl: (a, b) => a + b, emit: ([a, b]) => `(${a} + ${b})`, print: infix('+', 11), commutative: true, associative: true },
  { name: 'sub', arity: 2, output: 'upcast', domain: 'numeric', impl: (a, b) => a - b, bigImpl: (a, b) => a - b, emit: ([a, b]) => `(${a} - ${b})`, print: infix('-', 11) },
  { name: 'mul', arity: 2, output: 'upcast', domain: 'any', impl: (a, b) => a * b, intImpl: Math.imul, bigImpl: (a, b) => a * b, emit: ([a, b]) => `(${a} * ${b})`, print: infix('*', 12), commutative: true, associative: true },
  { name: 'true_div', arity: 2, output: 'float', domain: 'any', impl: (a, b) => a / b, emit: ([a, b]) => `(${a} / ${b})`, print: infix('/', 12) },
  { name: 'int_div', arity: 2, output: 'upcast', domain: 'numeric', impl: (a, b) => Math.floor(a / b), intImpl: special.intFloorDiv, bigImpl: special.bigFloorDiv, emit: ([a, b]) => `Math.floor(${a} / ${b})`, print: infix('//', 12) },
  { name: 'mod', arity: 2, output: 'upcast', domain: 'numeric', impl: special.floorMod, intImpl: special.intFloorMod, bigImpl: special.bigFloorMod, emit: ([a, b]) => `$.floorMod(${a}, ${b})`, print: infix('%', 12) },
  { name: 'pow', arity: 2, output: 'upcast', domain: 'numeric', impl: Math.pow, intImpl: special.intPow, bigImpl: special.bigPow, emit: ([a, b]) => `Math.pow(${a}, ${b})`, print: infix('**', 14, 'right') },
  { name: 'neg', arity: 1, output: 'upcast', domain: 'numeric', impl: (a) => -a, bigImpl: (a) => -a, emit: ([a]) => `(-${a})`, print: { kind: 'prefix', symbol: '-', precedence: 13 } },
  { name: 'abs', arity: 1, output: 'upcast', domain: 'numeric', impl: Math.abs, bigImpl: (a) => (a < 0n ? -a : a), emit: ([a]) => `Math.abs(${a})`, print: call('abs') },
  { name: 'sign', arity: 1, output: 'upcast', domain: 'numeric', impl: (a) => (Number.isNaN(a) ? NaN : a > 0 ? 1 : a < 0 ? -1 : 0), bigImpl: (a) => (a > 0n ? 1n : a < 0n ? -1n : 0n), emit: ([a]) => `Math.sign(${a})`, print: call() },
  { name: 'sqr', arity: 1, output: 'upcast', domain: 'numeric', impl: (a) => a * a, intImpl: (a) => Math.imul(a, a), bigImpl: (a) => a * a, emit: ([a]) => `(${a} * ${a})`, print: call() },
  { name: 'maximum', arity: 2, output: 'upcast', domain: 'any', impl: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)), bigImpl: (a, b) => (a > b ? a : b), emit: ([a, b]) => `Math.max(${a}, ${b})`, print: call(), commutative: true, associative: true },
  { name: 'minimum', arity: 2, output: 'upcast', domain: 'any', impl: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)), bigImpl: (a, b) => (a < b ? a : b), emit: ([a, b]) => `Math.min(${a}, ${b})`, print: call(), commutative: true, associative: true },
  { name: 'clip', arity: 3, output: 'upcast', domain: 'numeric', impl: (x, lo, hi) => Math.min(Math.max(x, lo), hi), bigImpl: (x, lo, hi) => (x > hi ? hi : x < lo ? (lo > hi ? hi : lo) : x), emit: ([x, lo, hi]) => `Math.min(Math.max(${x}, ${lo}), ${hi})`, print: call() },
  // exponentials and logarithms
  math('exp', 'exp'),
  unary('exp2', (x) => Math.pow(2, x), (x) => `Math.pow(2, ${x})`),
  math('expm1', 'expm1'),
  math('log', 'log'),
  math('log2', 'log2'),
  math('log10', 'log10'),
  math('log1p', 'log1p'),
  math('sqrt', 'sqrt'),
  unary('reciprocal', (x) => 1 / x, (x) => `(1 / ${x})`),
  // trigonometry
  math('sin', 'sin'),
  math('cos', 'cos'),
  math('tan', 'tan'),
  math('arcsin', 'asin'),
  math('arccos', 'acos'),
  math('arctan', 'atan'),
  { name: 'arctan2', arity: 2, output: 'float', domain: 'numeric', impl: Math.atan2, emit: ([a, b]) => `Math.atan2(${a}, ${b})`, print: call() },
  math('sinh', 'sinh'),
  math('cosh', 'cosh'),
  math('tanh', 'tanh'),
  math('arcsinh', 'asinh'),
  math('arccosh', 'acosh'),
  math('arctanh', 'atanh'),
  // rounding (integer inputs upgrade to float, as in Theano)
  math('floor', 'floor'),
  math('ceil', 'ceil'),
  unary('round', special.roundHalfEven, (x) => `$.roundHalfEven(${x})`),
  math('trunc', 'trunc'),
  // special functions
  unary('erf', special.erf, (x) => `$.erf(${x})`),
  unary('erfc', special.erfc, (x) => `$.erfc(${x})`),
  unary('sigmoid', special.sigmoid, (x) => `$.sigmoid(${x})`),
  unary('softplus', special.softplus, (x) => `$.softplus(${x})`),
  // predicates and comparisons
  { name: 'isnan', arity: 1, output: 'bool', domain: 'any', impl: Number.isNaN, bigImpl: () => false, emit: ([a]) => `(${a} !== ${a} ? 1 : 0)`, print: call() },
  { name: 'isinf', arity: 1, output: 'bool', domain: 'any', impl: (a) => a === Infinity || a === -Infinity, bigImpl: () => false, emit: ([a]) => `(${a} === Infinity || ${a} === -Infinity ? 1 : 0)`, print: call() },
  compare('lt', '<', 4, (a, b) => a < b),
  compare('gt', '>', 4, (a, b) => a > b),
  compare('le', '<=', 4, (a, b) => a <= b),
  compare('ge', '>=', 4, (a, b) => a >= b),
  compare('eq', '==', 4, (a, b) => a === b),
  compare('neq', '!=', 4, (a, b) => a !== b),
  // bitwise on integers, logical on bools
  { name: 'and', arity: 2, output: 'upcast', domain: 'integral', impl: (a, b) => a & b, bigImpl: (a, b) => a & b, emit: ([a, b]) => `(${a} & ${b})`, print: infix('&', 7), commutative: true, associative: true },
  { name: 'or', arity: 2, output: 'upcast', domain: 'integral', impl: (a, b) => a | b, bigImpl: (a, b) => a | b, emit: ([a, b]) => `(${a} | ${b})`, print: infix('|', 5), commutative: true, associative: true },
  { name: 'xor', arity: 2, output: 'upcast', domain: 'integral', impl: (a, b) => a ^ b, bigImpl: (a, b) => a ^ b, emit: ([a, b]) => `(${a} ^ ${b})`, print: infix('^', 6), commutative: true, associative: true },
  // invert: logical not on bool (handled by the evaluator's bool case), bitwise not on integers
  { name: 'invert', arity: 1, output: 'upcast', domain: 'integral', impl: (a) => ~a, bigImpl: (a) => ~a, emit: ([a]) => `(~${a})`, print: { kind: 'prefix', symbol: '~', precedence: 13 } },
  // selection
  { name: 'switch', arity: 3, output: 'branches', domain: 'any', impl: (c, a, b) => (c !== 0 ? a : b), bigImpl: (c, a, b) => (c !== 0n ? a : b), emit: ([c, a, b]) => `(${c} !== 0 ? ${a} : ${b})`, print: call() },
  { name: 'cast', arity: 1, output: 'param', domain: 'any', impl: (a) => a, bigImpl: (a) => a, emit: ([a]) => a!, print: call() },
] as const satisfies readonly ScalarOp[];

export type ScalarOpName = (typeof ops)[number]['name'];

/** The table, keyed by name; typed complete over `ScalarOpName`. */
export const SCALAR_OPS: { readonly [K in ScalarOpName]: ScalarOp } = Object.fromEntries(ops.map((op) => [op.name, op])) as {
  [K in ScalarOpName]: ScalarOp;
};

/** Ops that are piecewise constant or integer-valued: no gradient flows through them (Theano's convention). */
export const NON_DIFFERENTIABLE: ReadonlySet<ScalarOpName> = new Set<ScalarOpName>([
  'int_div', 'sign', 'floor', 'ceil', 'round', 'trunc', 'isnan', 'isinf', 'lt', 'gt', 'le', 'ge', 'eq', 'neq', 'and', 'or', 'xor', 'invert',
]);
