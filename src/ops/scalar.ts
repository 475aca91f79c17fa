/**
 * The scalar table: every elementwise op in one place. Each entry holds its math for JS numbers (`impl`), for
 * exact int64 (`bigImpl`), an integer variant where wrapping differs (`intImpl`), the JS expression the code
 * generator emits (`emit`), how `pp` prints it, and the dtype rule of its output.
 */
import type { GradBuilder, PrintSpec } from '../graph/op.js';
import type { Tensor } from '../tensor/tensor.js';
import type { DType } from '../types/dtype.js';
import * as special from './special.js';

/**
 * How the output dtype follows from the inputs: `upcast` (numpy promotion), `float` (promotion, then upgraded
 * to a float as true division and transcendental functions do), `bool` (comparisons and predicates),
 * `branches` (the upcast of all inputs but the first, for switch), `param` (cast: the dtype is a parameter).
 */
export type OutputRule = 'upcast' | 'float' | 'bool' | 'branches' | 'param';
/**
 * Which input dtypes an op accepts: `any`; `integral` (integers and bools: the bitwise ops); `numeric`, where a
 * bool mixed with a number promotes to the number's dtype (numpy 2) and `onlyBool` says what bools alone do.
 */
export type InputDomain = 'any' | 'integral' | 'numeric';
/**
 * A `numeric` op on bool inputs only: numpy's smallest integer loop (`bool // bool` is int8), or an error with
 * advice (`bool - bool`: use xor).
 */
export type OnlyBool = { readonly dtype: 'int8' } | { readonly advice: string };

type Num = number;
export interface ScalarOp {
  readonly name: string;
  readonly arity: 1 | 2 | 3;
  readonly output: OutputRule;
  readonly domain: InputDomain;
  /** For a `numeric` op whose inputs are all bool (unset: an error). */
  readonly onlyBool?: OnlyBool;
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
  /** The partial derivatives, next to the math: input gradients from the inputs, the output and its gradient. */
  readonly grad: ScalarGrad;
}

/**
 * Reverse-mode rule of a scalar op: from the inputs `x`, the output `z` and the output gradient `gz`, the
 * gradient of each input (null: none flows). 'none': piecewise constant or boolean, every input gets zero.
 */
export type ScalarGrad = ((x: readonly Tensor[], z: Tensor, gz: Tensor, T: GradBuilder) => (Tensor | null)[]) | 'none';

const call = (name?: string): PrintSpec<unknown> => (name ? { kind: 'call', name: () => name } : { kind: 'call' });
const infix = (
  symbol: string,
  precedence: number,
  associativity: 'left' | 'right' | 'none' = 'left',
): PrintSpec<unknown> => ({
  kind: 'infix',
  symbol,
  precedence,
  associativity,
});

// Precedence as in Python (pp prints Python-like syntax): ** 14, unary 13, * / // % 12, + - 11, & 7, ^ 6, | 5,
// comparisons 4 (non-associative: Python would chain them).
const unary = <N extends string>(
  name: N,
  impl: (x: Num) => Num,
  emit: (x: string) => string,
  grad: ScalarGrad,
): ScalarOp & { name: N } => ({
  name,
  arity: 1,
  output: 'float',
  domain: 'any',
  impl,
  emit: ([x]) => emit(x!),
  print: call(),
  grad,
});
const math = <N extends string>(name: N, fn: keyof Math & string, grad: ScalarGrad): ScalarOp & { name: N } =>
  unary(name, Math[fn] as (x: Num) => Num, (x) => `Math.${fn}(${x})`, grad);
const compare = <N extends string>(
  name: N,
  symbol: string,
  precedence: number,
  impl: (a: Num, b: Num) => boolean,
): ScalarOp & { name: N } => ({
  name,
  arity: 2,
  output: 'bool',
  domain: 'any',
  impl,
  bigImpl: impl as unknown as (a: bigint, b: bigint) => boolean,
  emit: ([a, b]) => `(${a} ${symbol === '==' ? '===' : symbol === '!=' ? '!==' : symbol} ${b} ? 1 : 0)`,
  print: infix(symbol, precedence, 'none'),
  commutative: symbol === '==' || symbol === '!=',
  grad: 'none',
});

/** numpy's `//`, `%`, `**` and `square` of bools alone run in int8, its smallest integer loop. */
const INT8: OnlyBool = { dtype: 'int8' };

const ops = [
  // arithmetic
  {
    name: 'add',
    arity: 2,
    output: 'upcast',
    domain: 'any',
    impl: (a, b) => a + b,
    bigImpl: (a, b) => a + b,
    emit: ([a, b]) => `(${a} + ${b})`,
    print: infix('+', 11),
    commutative: true,
    associative: true,
    grad: ([x, y], _z, gz) => [gz, gz],
  }, // d(x+y) = dx + dy
  {
    name: 'sub',
    arity: 2,
    output: 'upcast',
    domain: 'numeric',
    onlyBool: { advice: 'use xor (a.xor(b), logical xor on bools), or cast an operand to a number first' },
    impl: (a, b) => a - b,
    bigImpl: (a, b) => a - b,
    emit: ([a, b]) => `(${a} - ${b})`,
    print: infix('-', 11),
    grad: ([x, y], _z, gz, T) => [gz, T.neg(gz)],
  }, // d(x-y) = dx - dy
  {
    name: 'mul',
    arity: 2,
    output: 'upcast',
    domain: 'any',
    impl: (a, b) => a * b,
    intImpl: Math.imul,
    bigImpl: (a, b) => a * b,
    emit: ([a, b]) => `(${a} * ${b})`,
    print: infix('*', 12),
    commutative: true,
    associative: true,
    grad: ([x, y], _z, gz, T) => [T.mul(gz, y!), T.mul(gz, x!)],
  }, // d(xy) = y dx + x dy
  {
    name: 'true_div',
    arity: 2,
    output: 'float',
    domain: 'any',
    impl: (a, b) => a / b,
    emit: ([a, b]) => `(${a} / ${b})`,
    print: infix('/', 12),
    grad: ([x, y], z, gz, T) => [T.div(gz, y!), T.neg(T.div(T.mul(gz, z), y!))],
  }, // d(x/y) = dx/y - (x/y) dy/y
  {
    name: 'int_div',
    arity: 2,
    output: 'upcast',
    domain: 'numeric',
    onlyBool: INT8,
    impl: special.floorDiv,
    intImpl: special.intFloorDiv,
    bigImpl: special.bigFloorDiv,
    emit: ([a, b]) => `$.floorDiv(${a}, ${b})`,
    print: infix('//', 12),
    grad: 'none',
  },
  {
    name: 'mod',
    arity: 2,
    output: 'upcast',
    domain: 'numeric',
    onlyBool: INT8,
    impl: special.floorMod,
    intImpl: special.intFloorMod,
    bigImpl: special.bigFloorMod,
    emit: ([a, b]) => `$.floorMod(${a}, ${b})`,
    print: infix('%', 12),
    grad: ([x, y], _z, gz, T) => [gz, T.neg(T.mul(gz, T.intDiv(x!, y!)))],
  }, // x mod y = x - y floor(x/y)
  {
    name: 'pow',
    arity: 2,
    output: 'upcast',
    domain: 'numeric',
    onlyBool: INT8,
    impl: special.pow,
    intImpl: special.intPow,
    bigImpl: special.bigPow,
    emit: ([a, b]) => `$.pow(${a}, ${b})`,
    print: infix('**', 14, 'right'),
    grad: ([x, y], z, gz, T) => [T.mul(gz, T.mul(y!, T.pow(x!, T.sub(y!, 1)))), T.mul(gz, T.mul(z, T.log(x!)))],
  }, // d(x^y) = y x^(y-1) dx + x^y log(x) dy
  {
    name: 'neg',
    arity: 1,
    output: 'upcast',
    domain: 'numeric',
    onlyBool: { advice: 'use invert (x.invert(), logical not on bools), or cast to a number first' },
    impl: (a) => -a,
    bigImpl: (a) => -a,
    emit: ([a]) => `(-${a})`,
    print: { kind: 'prefix', symbol: '-', precedence: 13 },
    grad: (_x, _z, gz, T) => [T.neg(gz)],
  }, // d(-x) = -dx
  {
    name: 'abs',
    arity: 1,
    output: 'upcast',
    domain: 'any',
    impl: Math.abs,
    bigImpl: (a) => (a < 0n ? -a : a),
    emit: ([a]) => `Math.abs(${a})`,
    print: call('abs'),
    grad: ([x], _z, gz, T) => [T.mul(gz, T.sign(x!))],
  }, // d|x| = sign(x) dx (0 at 0)
  {
    name: 'sign',
    arity: 1,
    output: 'upcast',
    domain: 'numeric',
    onlyBool: { advice: 'numpy has no sign of a bool either; cast to a number first' },
    impl: (a) => (Number.isNaN(a) ? NaN : a > 0 ? 1 : a < 0 ? -1 : 0),
    bigImpl: (a) => (a > 0n ? 1n : a < 0n ? -1n : 0n),
    emit: ([a]) => `(${a} > 0 ? 1 : ${a} < 0 ? -1 : ${a} === 0 ? 0 : NaN)`,
    print: call(),
    grad: 'none',
  },
  {
    name: 'sqr',
    arity: 1,
    output: 'upcast',
    domain: 'numeric',
    onlyBool: INT8,
    impl: (a) => a * a,
    intImpl: (a) => Math.imul(a, a),
    bigImpl: (a) => a * a,
    emit: ([a]) => `(${a} * ${a})`,
    print: call(),
    grad: ([x], _z, gz, T) => [T.mul(gz, T.mul(x!, 2))],
  }, // d(x^2) = 2x dx
  {
    name: 'maximum',
    arity: 2,
    output: 'upcast',
    domain: 'any',
    impl: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b)),
    bigImpl: (a, b) => (a > b ? a : b),
    emit: ([a, b]) => `Math.max(${a}, ${b})`,
    print: call(),
    commutative: true,
    associative: true,
    grad: ([x, y], z, gz, T) => [T.mul(gz, T.eq(z, x!)), T.mul(gz, T.eq(z, y!))],
  }, // Theano: at a tie both inputs get the gradient
  {
    name: 'minimum',
    arity: 2,
    output: 'upcast',
    domain: 'any',
    impl: (a, b) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b)),
    bigImpl: (a, b) => (a < b ? a : b),
    emit: ([a, b]) => `Math.min(${a}, ${b})`,
    print: call(),
    commutative: true,
    associative: true,
    grad: ([x, y], z, gz, T) => [T.mul(gz, T.eq(z, x!)), T.mul(gz, T.eq(z, y!))],
  }, // Theano: at a tie both inputs get the gradient
  {
    name: 'clip',
    arity: 3,
    output: 'upcast',
    domain: 'any',
    impl: (x, lo, hi) => Math.min(Math.max(x, lo), hi),
    bigImpl: (x, lo, hi) => (x > hi ? hi : x < lo ? (lo > hi ? hi : lo) : x),
    emit: ([x, lo, hi]) => `Math.min(Math.max(${x}, ${lo}), ${hi})`,
    print: call(),
    grad: ([x, lo, hi], _z, gz, T) => [
      T.mul(gz, T.and(T.ge(x!, lo!), T.le(x!, hi!))),
      T.mul(gz, T.lt(x!, lo!)),
      T.mul(gz, T.gt(x!, hi!)),
    ],
  }, // the gradient goes to whichever bound is active
  // exponentials and logarithms
  math('exp', 'exp', (_x, z, gz, T) => [T.mul(gz, z)]), // d e^x = e^x dx
  unary(
    'exp2',
    (x) => Math.pow(2, x),
    (x) => `Math.pow(2, ${x})`,
    (_x, z, gz, T) => [T.mul(gz, T.mul(z, Math.LN2))],
  ), // d 2^x = ln2 2^x dx
  math('expm1', 'expm1', (_x, z, gz, T) => [T.mul(gz, T.add(z, 1))]), // d(e^x - 1) = e^x dx
  math('log', 'log', ([x], _z, gz, T) => [T.div(gz, x!)]), // d log x = dx / x
  math('log2', 'log2', ([x], _z, gz, T) => [T.div(gz, T.mul(x!, Math.LN2))]), // d log2 x = dx / (x ln2)
  math('log10', 'log10', ([x], _z, gz, T) => [T.div(gz, T.mul(x!, Math.LN10))]), // d log10 x = dx / (x ln10)
  math('log1p', 'log1p', ([x], _z, gz, T) => [T.div(gz, T.add(x!, 1))]), // d log(1+x) = dx / (1+x)
  math('sqrt', 'sqrt', (_x, z, gz, T) => [T.div(T.mul(gz, 0.5), z)]), // d sqrt x = dx / (2 sqrt x)
  unary(
    'reciprocal',
    (x) => 1 / x,
    (x) => `(1 / ${x})`,
    (_x, z, gz, T) => [T.neg(T.mul(gz, T.sqr(z)))],
  ), // d(1/x) = -dx / x^2
  // trigonometry
  math('sin', 'sin', ([x], _z, gz, T) => [T.mul(gz, T.cos(x!))]), // d sin x = cos x dx
  math('cos', 'cos', ([x], _z, gz, T) => [T.neg(T.mul(gz, T.sin(x!)))]), // d cos x = -sin x dx
  math('tan', 'tan', (_x, z, gz, T) => [T.mul(gz, T.add(T.sqr(z), 1))]), // d tan x = (1 + tan^2 x) dx
  math('arcsin', 'asin', ([x], _z, gz, T) => [T.div(gz, T.sqrt(T.sub(1, T.sqr(x!))))]), // d asin x = dx / sqrt(1 - x^2)
  math('arccos', 'acos', ([x], _z, gz, T) => [T.neg(T.div(gz, T.sqrt(T.sub(1, T.sqr(x!)))))]), // d acos x = -dx / sqrt(1 - x^2)
  math('arctan', 'atan', ([x], _z, gz, T) => [T.div(gz, T.add(T.sqr(x!), 1))]), // d atan x = dx / (1 + x^2)
  {
    name: 'arctan2',
    arity: 2,
    output: 'float',
    domain: 'any',
    impl: Math.atan2,
    emit: ([a, b]) => `Math.atan2(${a}, ${b})`,
    print: call(),
    grad: ([y, x], _z, gz, T) => {
      const r = T.add(T.sqr(x!), T.sqr(y!));
      return [T.mul(gz, T.div(x!, r)), T.neg(T.mul(gz, T.div(y!, r)))];
    },
  }, // d atan2(y, x) = (x dy - y dx) / (x^2 + y^2)
  math('sinh', 'sinh', ([x], _z, gz, T) => [T.mul(gz, T.cosh(x!))]), // d sinh x = cosh x dx
  math('cosh', 'cosh', ([x], _z, gz, T) => [T.mul(gz, T.sinh(x!))]), // d cosh x = sinh x dx
  math('tanh', 'tanh', (_x, z, gz, T) => [T.mul(gz, T.sub(1, T.sqr(z)))]), // d tanh x = (1 - tanh^2 x) dx
  math('arcsinh', 'asinh', ([x], _z, gz, T) => [T.div(gz, T.sqrt(T.add(T.sqr(x!), 1)))]), // d asinh x = dx / sqrt(x^2 + 1)
  math('arccosh', 'acosh', ([x], _z, gz, T) => [T.div(gz, T.sqrt(T.sub(T.sqr(x!), 1)))]), // d acosh x = dx / sqrt(x^2 - 1)
  math('arctanh', 'atanh', ([x], _z, gz, T) => [T.div(gz, T.sub(1, T.sqr(x!)))]), // d atanh x = dx / (1 - x^2)
  // rounding (integer inputs upgrade to float, as in Theano)
  math('floor', 'floor', 'none'),
  math('ceil', 'ceil', 'none'),
  unary('round', special.roundHalfEven, (x) => `$.roundHalfEven(${x})`, 'none'),
  math('trunc', 'trunc', 'none'),
  // special functions
  unary(
    'erf',
    special.erf,
    (x) => `$.erf(${x})`,
    ([x], _z, gz, T) => [T.mul(gz, T.mul(T.exp(T.neg(T.sqr(x!))), 2 / Math.sqrt(Math.PI)))],
  ), // d erf x = 2/sqrt(pi) e^(-x^2) dx
  unary(
    'erfc',
    special.erfc,
    (x) => `$.erfc(${x})`,
    ([x], _z, gz, T) => [T.mul(gz, T.mul(T.exp(T.neg(T.sqr(x!))), -2 / Math.sqrt(Math.PI)))],
  ), // d erfc x = -2/sqrt(pi) e^(-x^2) dx
  unary(
    'erfcx',
    special.erfcx,
    (x) => `$.erfcx(${x})`,
    ([x], z, gz, T) => [T.mul(gz, T.sub(T.mul(T.mul(x!, z), 2), 2 / Math.sqrt(Math.PI)))],
  ), // erfcx x = e^(x^2) erfc x; d erfcx x = (2x erfcx x - 2/sqrt(pi)) dx
  unary(
    'log1mexp',
    special.log1mexp,
    (x) => `$.log1mexp(${x})`,
    ([x], _z, gz, T) => [T.neg(T.div(gz, T.expm1(T.neg(x!))))],
  ), // d log(1 - e^x) = -e^x/(1 - e^x) dx = -dx / expm1(-x)
  unary(
    'sigmoid',
    special.sigmoid,
    (x) => `(1 / (1 + Math.exp(-(${x}))))`,
    (_x, z, gz, T) => [T.mul(gz, T.mul(z, T.sub(1, z)))],
  ), // d s(x) = s(x) (1 - s(x)) dx
  unary(
    'softplus',
    special.softplus,
    (x) => `(Math.max(${x}, 0) + Math.log1p(Math.exp(-Math.abs(${x}))))`,
    ([x], _z, gz, T) => [T.mul(gz, T.sigmoid(x!))],
  ), // d log(1 + e^x) = s(x) dx
  // predicates and comparisons
  {
    name: 'isnan',
    arity: 1,
    output: 'bool',
    domain: 'any',
    impl: Number.isNaN,
    bigImpl: () => false,
    emit: ([a]) => `(${a} !== ${a} ? 1 : 0)`,
    print: call(),
    grad: 'none',
  },
  {
    name: 'isinf',
    arity: 1,
    output: 'bool',
    domain: 'any',
    impl: (a) => a === Infinity || a === -Infinity,
    bigImpl: () => false,
    emit: ([a]) => `(${a} === Infinity || ${a} === -Infinity ? 1 : 0)`,
    print: call(),
    grad: 'none',
  },
  compare('lt', '<', 4, (a, b) => a < b),
  compare('gt', '>', 4, (a, b) => a > b),
  compare('le', '<=', 4, (a, b) => a <= b),
  compare('ge', '>=', 4, (a, b) => a >= b),
  compare('eq', '==', 4, (a, b) => a === b),
  compare('neq', '!=', 4, (a, b) => a !== b),
  // bitwise on integers, logical on bools
  {
    name: 'and',
    arity: 2,
    output: 'upcast',
    domain: 'integral',
    impl: (a, b) => a & b,
    bigImpl: (a, b) => a & b,
    emit: ([a, b]) => `(${a} & ${b})`,
    print: infix('&', 7),
    commutative: true,
    associative: true,
    grad: 'none',
  },
  {
    name: 'or',
    arity: 2,
    output: 'upcast',
    domain: 'integral',
    impl: (a, b) => a | b,
    bigImpl: (a, b) => a | b,
    emit: ([a, b]) => `(${a} | ${b})`,
    print: infix('|', 5),
    commutative: true,
    associative: true,
    grad: 'none',
  },
  {
    name: 'xor',
    arity: 2,
    output: 'upcast',
    domain: 'integral',
    impl: (a, b) => a ^ b,
    bigImpl: (a, b) => a ^ b,
    emit: ([a, b]) => `(${a} ^ ${b})`,
    print: infix('^', 6),
    commutative: true,
    associative: true,
    grad: 'none',
  },
  // invert: logical not on bool (handled by the evaluator's bool case), bitwise not on integers
  {
    name: 'invert',
    arity: 1,
    output: 'upcast',
    domain: 'integral',
    impl: (a) => ~a,
    bigImpl: (a) => ~a,
    emit: ([a]) => `(~${a})`,
    print: { kind: 'prefix', symbol: '~', precedence: 13 },
    grad: 'none',
  },
  // selection
  {
    name: 'switch',
    arity: 3,
    output: 'branches',
    domain: 'any',
    impl: (c, a, b) => (c !== 0 ? a : b),
    bigImpl: (c, a, b) => (c !== 0n ? a : b),
    emit: ([c, a, b]) => `(${c} !== 0 ? ${a} : ${b})`,
    print: call(),
    grad: ([c], _z, gz, T) => [null, T.switch(c!, gz, 0), T.switch(c!, 0, gz)],
  }, // the gradient follows the selected branch
  {
    name: 'cast',
    arity: 1,
    output: 'param',
    domain: 'any',
    impl: (a) => a,
    bigImpl: (a) => a,
    emit: ([a]) => a!,
    print: call(),
    grad: (_x, _z, gz) => [gz],
  }, // the engine casts it back to the input's dtype; integer inputs get none
] as const satisfies readonly ScalarOp[];

export type ScalarOpName = (typeof ops)[number]['name'];

/** The table, keyed by name; typed complete over `ScalarOpName`. */
export const SCALAR_OPS: { readonly [K in ScalarOpName]: ScalarOp } = Object.fromEntries(
  ops.map((op) => [op.name, op]),
) as {
  [K in ScalarOpName]: ScalarOp;
};

/**
 * The bool rule of a `numeric` op (numpy 2): a bool mixed with a number promotes like any other dtype, so this
 * returns undefined; bools alone give `onlyBool`'s dtype (`bool // bool` is int8), or an error with numpy's
 * advice (`bool - bool`: use xor; `-bool`: use invert).
 */
export function onlyBoolDType(s: ScalarOp, dtypes: readonly DType[]): DType | undefined {
  if (s.domain !== 'numeric' || dtypes.some((d) => d !== 'bool')) return undefined;
  if (s.onlyBool && 'dtype' in s.onlyBool) return s.onlyBool.dtype;
  const what = s.arity === 1 ? `${s.name} of a bool` : `${s.name} of bools only`;
  const advice = s.onlyBool ? s.onlyBool.advice : 'cast to a number first';
  throw new TypeError(`${s.name}: ${what} is not supported, as in numpy: ${advice}`);
}
