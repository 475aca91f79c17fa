/**
 * The canonical algebra PyTensor does beyond canonicalize.ts: products by zero, repeated negations and
 * reciprocals, x + x, powers of powers, products of exponentials, casts of casts, alloc and fill sunk through
 * elementwise ops, constant folding through shape ops.
 *
 * The caveats, as in canonicalize.ts:
 *
 * - Like Theano, some rules ignore what they would change only at NaN or Inf, or where a term of the original
 *   overflows: `x * 0 -> 0` (also at NaN and ±inf), `0 / x -> 0` (also at x = 0), `exp(a) * exp(b) -> exp(a + b)`
 *   (finite where `exp(a)` overflows and `exp(b)` underflows), `x**a * x**b -> x**(a + b)` (finite at x = 0 with
 *   exponents of opposite signs). Each turns a NaN of the original into a value (an Inf into a finite value),
 *   never a finite number into another one. And `reduce_alloc` ignores an empty alloc: `sum(alloc(v, 0))` is 0, and
 *   `v * 0` is NaN for an infinite v (`max` over nothing, a run-time error, is v).
 * - Where an intermediate of the original overflows (`(x ** a) ** b` with `x ** a` = inf), the rewrite gives the
 *   true value instead, as every reassociation does.
 * - Integer arithmetic wraps: a rule that reorders integer operations fires only where every step runs in the
 *   result's dtype (modular arithmetic is then the same either way), and rules whose identity fails under
 *   wrapping (|x|·|y| = |xy|, (-a)/(-b) = a/b for the most negative integer) fire on floats only.
 */
import type { Variable } from '../../graph/variable.js';
import { evaluateElemwise } from '../../ops/elemwise.js';
import { OPS, type OpName } from '../../ops/registry.js';
import { SCALAR_OPS } from '../../ops/scalar.js';
import { applyOp, makeConstant } from '../../tensor/apply.js';
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { isFloat, type DType } from '../../types/dtype.js';
import { TensorType } from '../../types/tensor-type.js';
import { rule } from '../engine.js';
import type { PhaseRules } from '../pipeline.js';
import {
  anyOf,
  constantScalar,
  etc,
  Family,
  is,
  isConstantValue,
  isOp,
  oneOf,
  P,
  paramsOf,
  v,
  type Captures,
  type Pattern,
} from '../pattern.js';
import { coveredBy, filled, inDType, isNeutralConstant, keepShape, scalar } from './helpers.js';

// ---------------------------------------------------------------------------------------------------------------
// patterns

const x = v('x');
const a = v('a');
const b = v('b');
const isConstant = (u: Variable) => u.isConstant;
const k = v('k', isConstant);
const zero = v('k', (u) => u.isConstant && isConstantValue(u, 0));
/** 1 / p, as `reciprocal(p)` or as `1 / p` with a 1 that enlarges nothing. */
const inverse = (p: Pattern): Pattern =>
  anyOf(
    P.reciprocal(p),
    P.true_div(
      is((u) => isNeutralConstant(u, 1)),
      p,
    ),
  );

// ---------------------------------------------------------------------------------------------------------------
// building blocks

const floats = (...ts: Variable[]) => ts.every((t) => isFloat(t.type.dtype));
const input = (u: Variable, i = 0) => u.owner!.inputs[i] as Tensor;

/** `value` of `dtype` in the shape `operands` broadcast to (each operand spreads it only where it must). */
function spread(value: number, dtype: DType, operands: readonly Tensor[]): Tensor {
  const [first, ...rest] = [...operands].sort((p, q) => Number(p.isConstant) - Number(q.isConstant));
  let out = filled(first!, value, dtype);
  for (const u of rest) if (!coveredBy(u, out)) out = T.fill(u, out) as Tensor;
  return out;
}

/** -k for a constant k, computed now in `dtype` (integers wrap as they would at run time). */
function negatedConstant(k: Variable, dtype: DType): Tensor {
  const type = new TensorType(dtype, k.type.shape);
  const inDtype = evaluateElemwise(SCALAR_OPS.cast, [k.data!], type);
  return makeConstant(evaluateElemwise(SCALAR_OPS.neg, [inDtype], type));
}

/**
 * Whether every value of `from` is exactly a value of `to` (a cast there loses nothing). int64 and float64 fit
 * in nothing else; float32 is exact for integers of up to 24 bits.
 */
const EXACT_IN: { readonly [D in DType]: readonly DType[] } = {
  bool: ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'float32', 'float64'],
  int8: ['int16', 'int32', 'int64', 'float32', 'float64'],
  int16: ['int32', 'int64', 'float32', 'float64'],
  int32: ['int64', 'float64'],
  int64: [],
  uint8: ['int16', 'int32', 'int64', 'uint16', 'uint32', 'float32', 'float64'],
  uint16: ['int32', 'int64', 'uint32', 'float32', 'float64'],
  uint32: ['int64', 'float64'],
  float32: ['float64'],
  float64: [],
};

/** cast(cast(x, d1), d2) -> cast(x, d2) when the cast to d1 loses nothing (x itself when d2 is x's dtype). */
function castOfCast({ mid }: Captures, m: Tensor): Tensor | null {
  const inner = input(mid!);
  if (!EXACT_IN[inner.dtype].includes(mid!.dtype)) return null;
  return inDType(inner, m.dtype);
}

/** -(x * k) -> x * (-k), when the product runs in the result's dtype (so integers wrap the same). */
function negOfProduct({ x, k }: Captures, m: Tensor): Tensor | null {
  const product = input(m);
  if (product.dtype !== m.dtype || x!.dtype !== m.dtype) return null;
  return T.mul(x!, negatedConstant(k!, m.dtype)) as Tensor;
}

/** The operand of a negation that runs in `dtype` (where -(-b) = b and a - (-b) = a + b, wrapping included). */
const negated = (u: Variable, dtype: DType): Tensor | null =>
  isOp(u, 'neg') && u.type.dtype === dtype ? input(u) : null;

/** a + (-b) -> a - b; a - (-b) -> a + b: the negation and the sum in the same dtype. */
function signFolded(op: 'add' | 'sub') {
  return (_: Captures, m: Tensor): Tensor | null => {
    const [p, q] = m.owner!.inputs as Tensor[];
    const flipped = op === 'add' ? 'sub' : 'add';
    const bq = negated(q!, m.dtype);
    if (bq && p!.dtype === m.dtype) return T[flipped](p!, bq) as Tensor;
    const bp = op === 'add' ? negated(p!, m.dtype) : null; // (-b) + a -> a - b
    if (bp && q!.dtype === m.dtype) return T.sub(q!, bp) as Tensor;
    return null;
  };
}

/** (-a) / (-b), -((-a) / b), -(a / (-b)) -> a / b, for float negations (integers wrap at their minimum). */
function divisionSignsCancelled(_: Captures, m: Tensor): Tensor | null {
  const floatNeg = (u: Variable) => (isOp(u, 'neg') && floats(u) ? input(u) : null);
  if (isOp(m, 'true_div')) {
    const [p, q] = m.owner!.inputs as Tensor[];
    const [np, nq] = [floatNeg(p!), floatNeg(q!)];
    return np && nq ? (T.div(np, nq) as Tensor) : null;
  }
  const quotient = input(m);
  if (!isOp(quotient, 'true_div') || !floats(quotient)) return null;
  const [p, q] = quotient.owner!.inputs as Tensor[];
  const np = floatNeg(p!);
  if (np) return T.div(np, q!) as Tensor;
  const nq = floatNeg(q!);
  return nq ? (T.div(p!, nq) as Tensor) : null;
}

const isInteger = (n: number | undefined): n is number => n !== undefined && Number.isInteger(n);

/** Whether `u` is provably non-negative (or NaN) wherever it is computed. */
function nonNegative(u: Variable): boolean {
  const name = u.owner?.op.name as OpName | undefined;
  if (
    name === 'exp' ||
    name === 'sqr' ||
    name === 'abs' ||
    name === 'sqrt' ||
    name === 'sigmoid' ||
    name === 'softplus'
  )
    return true;
  const value = u.isConstant ? constantScalar(u) : undefined;
  return value !== undefined && value >= 0;
}

/**
 * (x ** a) ** b -> x ** (a * b), for constant exponents: exactly where both are integers (any x, integers too when
 * both are non-negative: powers in a monoid), or x >= 0 (any real exponents). Not for a = 2, b = 0.5 at x = -2.
 */
function powOfPow({ x, a, b }: Captures, m: Tensor): Tensor | null {
  const [ea, eb] = [constantScalar(a!), constantScalar(b!)];
  if (ea === undefined || eb === undefined || !isNeutralConstant(a!) || !isNeutralConstant(b!)) return null;
  const inner = input(m);
  if (inner.dtype !== m.dtype || x!.dtype !== m.dtype) return null;
  const integers = isInteger(ea) && isInteger(eb);
  const valid = isFloat(m.dtype) ? integers || nonNegative(x!) : integers && ea >= 0 && eb >= 0;
  // a product of exponents that rounds to 0 or overflows would change 0 ** tiny (0) into 0 ** 0 (1)
  if (!valid || !Number.isFinite(ea * eb) || (ea * eb === 0 && ea !== 0 && eb !== 0)) return null;
  return T.pow(x!, scalar(ea * eb, isFloat(m.dtype) ? m.dtype : 'int64')) as Tensor;
}

/** x**a * x**b -> x**(a + b), x**a / x**b -> x**(a - b), on floats (exponents added in the result's dtype). */
function powersCombined(op: 'add' | 'sub') {
  return ({ x, a, b }: Captures, m: Tensor): Tensor | null => {
    if (!floats(m) || x!.dtype !== m.dtype) return null;
    return T.pow(x!, T[op](inDType(a!, m.dtype), inDType(b!, m.dtype))) as Tensor;
  };
}

/** exp(a) * exp(b) -> exp(a + b), exp(a) / exp(b) -> exp(a - b) (the exponents in the result's float dtype). */
function exponentsCombined(op: 'add' | 'sub') {
  return ({ a, b }: Captures, m: Tensor): Tensor | null =>
    floats(m) ? (T.exp(T[op](inDType(a!, m.dtype), inDType(b!, m.dtype))) as Tensor) : null;
}

/** abs(a) * abs(b) -> abs(a * b), abs(a) / abs(b) -> abs(a / b): exact for floats (the sign is one bit). */
function absMerged(op: 'mul' | 'true_div') {
  return ({ a, b }: Captures, m: Tensor): Tensor | null =>
    floats(m, a!, b!) ? (T.abs(op === 'mul' ? T.mul(a!, b!) : T.div(a!, b!)) as Tensor) : null;
}

/**
 * x < x, x > x -> false; x <= x, x >= x, x == x -> true (integers; for floats these are false at NaN, so they
 * stay); x != x -> false for integers, isnan(x) for floats; min(x, x), max(x, x) -> x. Exact everywhere.
 */
function comparedWithItself({ x }: Captures, m: Tensor): Tensor | null {
  const name = m.owner!.op.name as OpName;
  if (name === 'minimum' || name === 'maximum') return keepShape(x!, m);
  if (name === 'lt' || name === 'gt') return filled(x!, 0, 'bool');
  if (name === 'neq') return isFloat(x!.dtype) ? (T.isnan(x!) as Tensor) : filled(x!, 0, 'bool');
  return isFloat(x!.dtype) ? null : filled(x!, 1, 'bool');
}

/** A length read at run time: never negative. */
const isLength = (u: Variable) => isOp(u, 'shape_i');
/** A zero that enlarges nothing. */
const isZero = (u: Variable) => isNeutralConstant(u, 0);

/**
 * Comparisons of a length with 0: n < 0, 0 > n -> false; n >= 0, 0 <= n -> true; max(n, 0) -> n; min(n, 0) -> 0.
 * Lengths are never negative (the reshapes and allocs of gradients compare them so).
 */
function lengthComparedWithZero(_: Captures, m: Tensor): Tensor | null {
  const name = m.owner!.op.name as OpName;
  const [p, q] = m.owner!.inputs as Tensor[];
  const lengthFirst = isLength(p!) && isZero(q!);
  if (!lengthFirst && !(isZero(p!) && isLength(q!))) return null;
  const n = lengthFirst ? p! : q!;
  const lengthBelow = lengthFirst ? name === 'lt' : name === 'gt'; // n < 0: never
  const lengthAtLeast = lengthFirst ? name === 'ge' : name === 'le'; // n >= 0: always
  if (lengthBelow) return filled(n, 0, 'bool');
  if (lengthAtLeast) return filled(n, 1, 'bool');
  if (name === 'maximum') return n;
  if (name === 'minimum') return filled(n, 0, m.dtype);
  return null;
}

/** unary(alloc(v, s)) -> alloc(unary(v), s): the function runs on the small value (broadcastTo likewise). */
function unaryOfAlloc({ spread }: Captures, m: Tensor): Tensor | null {
  const node = spread!.owner!;
  const [value, ...sizes] = node.inputs;
  const inner = applyOp(m.owner!.op, m.owner!.params, [value!])[0]!;
  return applyOp(node.op, node.params as never, [inner, ...sizes])[0]!;
}

/**
 * dimshuffle(alloc(v, s), p) -> alloc(dimshuffle(v, p'), s permuted by p): the value moves its axes (padded on the
 * left to the alloc's rank), the sizes follow, an inserted axis gets size 1. A dropped axis has length 1.
 */
function dimshuffleOfAlloc({ spread }: Captures, m: Tensor): Tensor | null {
  const node = spread!.owner!;
  const [value, ...inputs] = node.inputs as Tensor[];
  const { shape } = paramsOf(spread!, 'alloc');
  let next = 0;
  const sizes = shape.map((d) => (d === null ? inputs[next++]! : d));
  const pad = shape.length - value!.ndim;
  const padded =
    pad > 0
      ? (T.dimshuffle(value!, [...Array<'x'>(pad).fill('x'), ...value!.type.shape.map((_, i) => i)] as never) as Tensor)
      : value!;
  const { pattern } = paramsOf(m, 'dimshuffle');
  // an axis the dimshuffle drops has length 1, but the value's type may not know it: then the value cannot drop it
  const dropped = padded.type.shape.filter((_, i) => !pattern.includes(i));
  if (dropped.some((d) => d !== 1)) return null;
  const moved = T.dimshuffle(padded, pattern as never) as Tensor;
  return T.alloc(moved, ...(pattern.map((p) => (p === 'x' ? 1 : sizes[p]!)) as never)) as Tensor;
}

/**
 * reduce(alloc(v, s)) -> for a scalar v reduced over every axis: v * n (sum), v ** n (prod, floats), v (max,
 * min), with n the number of elements; with keepdims, the length-1 axes are allocated back.
 */
function reduceOfAlloc({ spread }: Captures, m: Tensor): Tensor | null {
  const value = input(spread!);
  const { kind, axes, keepdims, dtype } = paramsOf(m, 'reduce');
  if (value.ndim !== 0 || axes.length !== spread!.ndim || spread!.ndim === 0) return null;
  const count = (): Tensor =>
    T.cast(
      axes.map((i) => T.shape(spread!, i as never) as Tensor).reduce((p, q) => T.mul(p, q) as Tensor),
      dtype,
    ) as Tensor;
  let reduced: Tensor;
  if (kind === 'sum') reduced = T.mul(inDType(value, dtype), count()) as Tensor;
  else if (kind === 'prod') {
    if (!isFloat(dtype)) return null; // integer powers by run-time exponents: left to the loop
    reduced = T.pow(inDType(value, dtype), count()) as Tensor;
  } else if (kind === 'max' || kind === 'min') reduced = inDType(value, dtype);
  else return null;
  return keepdims ? (T.alloc(reduced, ...(axes.map(() => 1) as never)) as Tensor) : reduced;
}

/** Larger constants are left to be computed at run time (as the constant folding pass does). */
const MAX_FOLDED_SIZE = 10_000;
/** Shape and structure ops whose constant inputs rewrites bring together (an elementwise op: constant_elemwise). */
const SHAPE_OPS = ['reshape', 'dimshuffle', 'concatenate', 'subtensor', 'flatten', 'shape', 'shape_i'] as const;

/** op(k1, k2, ...) -> its value, for a shape or structure op whose inputs all turned constant during the phase. */
function foldShapeOp(_: Captures, m: Tensor): Tensor | null {
  const node = m.owner!;
  if (!node.inputs.every((i) => i.isConstant)) return null;
  try {
    const values = OPS[node.op.name as OpName].evaluate(
      node.inputs.map((i) => i.data!),
      node.params as never,
      node.outputs.map((o) => o.type),
    );
    const value = values[node.outputs.indexOf(m)];
    return value && value.size <= MAX_FOLDED_SIZE ? makeConstant(value) : null;
  } catch {
    return null; // the error belongs to run time, where it names the node
  }
}

// ---------------------------------------------------------------------------------------------------------------
// the rules

const algebra = ['algebra'];
const shapes = ['shape'];
const spreadValue = v('spread', (u) => isOp(u, 'alloc') || isOp(u, 'broadcastTo'));
const alloc = v('spread', (u) => isOp(u, 'alloc'));

// prettier-ignore
export const ALGEBRA_RULES: PhaseRules = {
  canonicalize: [
    rule('mul_zero', P.mul(x, zero), ({ x, k }, m) => spread(0, m.dtype, [x!, k!]), algebra), // x * 0 -> zeros in the shape of both (NaN and Inf ignored)
    rule('zero_div', P.true_div(zero, x), ({ x, k }, m) => spread(0, m.dtype, [x!, k!]), algebra), // 0 / x -> zeros in the shape of both (0/0 ignored)
    rule('cast_cast', P.cast(v('mid', (u) => isOp(u, 'cast'))), castOfCast, algebra), // cast(cast(x, d1), d2) -> cast(x, d2) when x fits d1 exactly
    rule('add_self', P.add(x, x), ({ x }) => (x!.dtype === 'bool' ? null : (T.mul(x!, scalar(2, x!.dtype)) as Tensor)), algebra), // x + x -> x * 2
    rule('reciprocal_reciprocal', inverse(inverse(x)), ({ x }, m) => (floats(x!) ? keepShape(x, m) : null), algebra), // 1 / (1 / x) -> x
    rule('div_by_reciprocal', P.true_div(a, inverse(b)), ({ a, b }, m) => (floats(a!, b!, m) ? (T.mul(a!, b!) as Tensor) : null), algebra), // a / (1 / b) -> a * b
    rule('mul_by_reciprocal', P.mul(a, P.reciprocal(b)), ({ a, b }, m) => (floats(a!, b!, m) ? (T.div(a!, b!) as Tensor) : null), algebra), // a * reciprocal(b) -> a / b (not a * (1 / b): stabilize's gradient cancellations read that form)
    rule('reciprocal_of_div', inverse(P.true_div(a, b)), ({ a, b }, m) => (floats(a!, b!, m) ? (T.div(b!, a!) as Tensor) : null), algebra), // 1 / (a / b) -> b / a
    rule('neg_mul_constant', P.neg(P.mul(x, k)), negOfProduct, algebra), // -(x * k) -> x * (-k)
    rule('neg_div_neg', anyOf(P.true_div(P.neg(a), P.neg(b)), P.neg(P.true_div(etc))), divisionSignsCancelled, algebra), // (-a) / (-b), -((-a) / b), -(a / (-b)) -> a / b
    rule('sub_neg_to_add', P.sub(a, P.neg(b)), signFolded('sub'), algebra), // a - (-b) -> a + b
    rule('add_neg_to_sub', P.add(a, P.neg(b)), signFolded('add'), algebra), // a + (-b) -> a - b
    rule('pow_pow', P.pow(P.pow(x, a), b), powOfPow, algebra), // (x ** a) ** b -> x ** (a*b), integer a, b or x >= 0
    rule('mul_pow_to_pow_add', P.mul(P.pow(x, a), P.pow(x, b)), powersCombined('add'), algebra), // x**a * x**b -> x**(a + b)
    rule('div_pow_to_pow_sub', P.true_div(P.pow(x, a), P.pow(x, b)), powersCombined('sub'), algebra), // x**a / x**b -> x**(a - b)
    rule('mul_exp_to_exp_add', P.mul(P.exp(a), P.exp(b)), exponentsCombined('add'), algebra), // exp(a) * exp(b) -> exp(a + b)
    rule('div_exp_to_exp_sub', P.true_div(P.exp(a), P.exp(b)), exponentsCombined('sub'), algebra), // exp(a) / exp(b) -> exp(a - b)
    rule('sqrt_sqr', P.sqrt(anyOf(P.sqr(x), P.pow(x, is((u) => isNeutralConstant(u, 2))))), ({ x }) => (floats(x!) ? (T.abs(x!) as Tensor) : null), algebra), // sqrt(sqr(x)), sqrt(x ** 2) -> abs(x)
    rule('abs_merge', P.mul(P.abs(a), P.abs(b)), absMerged('mul'), algebra), // abs(a) * abs(b) -> abs(a * b)
    rule('abs_merge', P.true_div(P.abs(a), P.abs(b)), absMerged('true_div'), algebra), // abs(a) / abs(b) -> abs(a / b)
    rule('compare_self', oneOf(['lt', 'gt', 'le', 'ge', 'eq', 'neq', 'minimum', 'maximum'], x, x), comparedWithItself, algebra), // x < x -> false, x <= x -> true (integers), min(x, x) -> x
    rule('compare_length', oneOf(['lt', 'gt', 'le', 'ge', 'minimum', 'maximum'], anyOf(is(isLength), is(isZero)), anyOf(is(isLength), is(isZero))), lengthComparedWithZero, shapes), // shape_i(x) < 0 -> false, shape_i(x) >= 0 -> true, max(shape_i(x), 0) -> shape_i(x)
    rule('alloc_unary', oneOf(Family.unary, spreadValue), unaryOfAlloc, shapes), // f(alloc(v, s)) -> alloc(f(v), s)
    rule('dimshuffle_alloc', P.dimshuffle(alloc), dimshuffleOfAlloc, shapes), // dimshuffle(alloc(v, s), p) -> alloc(dimshuffle(v, p), s permuted)
    rule('reduce_alloc', P.reduce(alloc), reduceOfAlloc, shapes), // sum(alloc(v, s)) -> v * n, max(alloc(v, s)) -> v, for a scalar v over every axis
    rule('constant_shape_op', oneOf(SHAPE_OPS, etc), foldShapeOp, shapes), // reshape(k), dimshuffle(k), concatenate(k1, k2), k[i] -> the constant
  ],
};
