/**
 * The specialize rules (see src/rewrite/pipeline.ts for where they run): general ops replaced by cheaper special
 * cases once the graph is canonical and stable. Powers by small constants become multiplications, a sum of a
 * product by a factor constant along the summed axes multiplies the sum instead, a division by a shape product
 * (how `mean` divides) becomes a multiplication by its reciprocal, and dots over an axis of length 1 or with a
 * row or column made by dimshuffle become cheaper products.
 *
 * Each rule keeps numpy's semantics: the power rules fire only on floats (integer powers keep numpy's integer
 * `pow`), and a replacement always has the matched dtype and the matched shape at run time (a constant operand must
 * broadcast into the other operand, not enlarge it).
 *
 * A dot with a true scalar never reaches the graph (`T.dot` multiplies when an operand has rank 0); a dot over an
 * axis of length 1 is the same thing in disguise, and becomes a multiplication here.
 *
 * Not here, on purpose: exp(log(x)) -> x (wrong for x < 0, where log gives NaN).
 */
import type { Variable } from '../../graph/variable.js';
import type { DimPattern } from '../../ops/dimshuffle.js';
import type { ReduceParams } from '../../ops/reduce.js';
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { isFloat } from '../../types/dtype.js';
import { rule, type Rule } from '../engine.js';
import { c, constantScalar, isConstantValue, isOp, P, paramsOf, v, type Pattern } from '../pattern.js';

// ---------------------------------------------------------------------------------------------------------------
// guards

/** Whether `small` broadcasts into `big` without enlarging it: every axis of `small` is 1 or `big`'s known length. */
function broadcastsInto(small: Variable, big: Variable): boolean {
  const pad = big.type.ndim - small.type.ndim;
  if (pad < 0) return false;
  return small.type.shape.every((d, i) => d === 1 || (d !== null && d === big.type.shape[i + pad]));
}

/** `z = x ** k` with float `x` of z's dtype and a constant exponent that does not enlarge `x`. */
function floatPower(x: Tensor | undefined, z: Tensor): x is Tensor {
  if (!x || !isFloat(x.dtype) || x.dtype !== z.dtype) return false;
  const exponent = z.owner!.inputs[1]!;
  return broadcastsInto(exponent, x);
}

/** Every axis of a rank-`ndim` tensor except `drop`. */
const axesExcept = (ndim: number, drop: readonly number[]) =>
  Array.from({ length: ndim }, (_, i) => i).filter((i) => !drop.includes(i));

/**
 * `a` without its axes `drop` (each of length 1). A dimshuffle is composed with the one that made `a`, so
 * `u[None, :]` with axis 0 dropped is `u` itself rather than two dimshuffles.
 */
function dropAxes(a: Tensor, drop: readonly number[]): Tensor {
  const keep = axesExcept(a.ndim, drop);
  const node = a.owner;
  if (!isOp(a, 'dimshuffle')) return T.dimshuffle(a, keep as never) as Tensor;
  const inner = paramsOf(a, 'dimshuffle').pattern;
  const composed = keep.map((i) => inner[i]!);
  const source = node!.inputs[0] as Tensor;
  if (composed.length === source.ndim && composed.every((axis, i) => axis === i)) return source;
  return T.dimshuffle(source, composed as never) as Tensor;
}

/** The params of a sum whose float input has the sum's own dtype (so regrouping changes no rounding step). */
function floatSum(z: Tensor): ReduceParams | null {
  const p = paramsOf(z, 'reduce');
  const summed = z.owner!.inputs[0]!;
  if (p.axes.length === 0 || !isFloat(summed.type.dtype) || p.dtype !== summed.type.dtype) return null;
  return p;
}

/**
 * sum(x (op) a) -> sum(x) (op) a for `z = sum(x (op) a)` when `a` has length 1 along every summed axis (it is
 * the same factor in every term of each sum). Both operands are right-aligned against the rank of `x (op) a`;
 * `x` is summed over the summed axes it has, and `a` loses them (they have length 1), so the two still broadcast
 * to the shape of `z`. Declines when `a` varies along a summed axis, or `x` has none of them.
 */
function distributeSum(x: Tensor, a: Tensor, z: Tensor, combine: (sum: Tensor, a: Tensor) => Tensor): Tensor | null {
  const p = floatSum(z);
  const ndim = z.owner!.inputs[0]!.type.ndim;
  const aPad = ndim - a.ndim;
  if (!p || p.axes.some((axis) => axis >= aPad && a.type.shape[axis - aPad] !== 1)) return null;
  const xPad = ndim - x.ndim;
  const xAxes = p.axes.filter((axis) => axis >= xPad).map((axis) => axis - xPad);
  if (xAxes.length === 0) return null;
  const aAxes = p.axes.filter((axis) => axis >= aPad).map((axis) => axis - aPad);
  const summed = T.sum(x, xAxes as never, { keepdims: p.keepdims, dtype: p.dtype }) as Tensor;
  const factor = p.keepdims || aAxes.length === 0 ? a : dropAxes(a, aAxes);
  return combine(summed, factor);
}
const times = (s: Tensor, a: Tensor) => T.mul(s, a) as Tensor;
const over = (s: Tensor, a: Tensor) => T.div(s, a) as Tensor;

/** sum(-x) -> -sum(x): one negation per sum instead of one per element. */
function negatedSum(x: Tensor, z: Tensor): Tensor | null {
  const p = floatSum(z);
  return p ? (T.neg(T.sum(x, p.axes as never, { keepdims: p.keepdims, dtype: p.dtype })) as Tensor) : null;
}

/** Whether `n` is a product of axis lengths (`shape_i`) and constants, with at least one length: how `mean` counts. */
function isShapeProduct(n: Variable): boolean {
  if (n.type.ndim !== 0) return false;
  let lengths = 0;
  const stack: Variable[] = [n];
  while (stack.length > 0) {
    const w = stack.pop()!;
    if (w.isConstant) continue;
    if (isOp(w, 'shape_i')) lengths++;
    else if (isOp(w, 'mul') || isOp(w, 'cast')) stack.push(...w.owner!.inputs);
    else return false;
  }
  return lengths > 0;
}

/** x^n for an integer 2 <= |n| <= 16 by repeated squaring (at most 6 multiplications), the reciprocal for n < 0. */
function powerBySquaring(x: Tensor, n: number): Tensor {
  let result: Tensor | undefined;
  let square = x;
  for (let e = Math.abs(n); e > 0; e = Math.floor(e / 2)) {
    if (e & 1) result = result ? (T.mul(result, square) as Tensor) : square;
    if (e > 1) square = T.sqr(square) as Tensor;
  }
  return n < 0 ? (T.reciprocal(result!) as Tensor) : result!;
}

const smallIntegerExponent = (k: Variable) => {
  const n = k.isConstant ? constantScalar(k) : undefined;
  return n !== undefined && Number.isInteger(n) && Math.abs(n) >= 2 && Math.abs(n) <= 16;
};

// ---------------------------------------------------------------------------------------------------------------
// patterns

const pow = (k: number): Pattern => P.pow(v('x'), c(k));
const sumOf = (inner: Pattern): Pattern => P.reduce(inner).where((p) => p.kind === 'sum');
const floatCast = (inner: Pattern): Pattern => P.cast(inner).where((p) => p.dtype !== undefined && isFloat(p.dtype));
const isPattern = (pattern: DimPattern, want: DimPattern) =>
  pattern.length === want.length && pattern.every((a, i) => a === want[i]);
/** u[:, None]: a vector made a column. */
const column = (inner: Pattern): Pattern => P.dimshuffle(inner).where((p) => isPattern(p.pattern, [0, 'x']));
/** u[None, :]: a vector made a row. */
const row = (inner: Pattern): Pattern => P.dimshuffle(inner).where((p) => isPattern(p.pattern, ['x', 0]));
const vector = (name: string) => v(name, (w) => w.type.ndim === 1);

/** dot(a, b) over an axis of length 1 on both sides: a broadcast product (an outer product for two matrices). */
function dotOverLengthOne(a: Tensor, b: Tensor, z: Tensor): Tensor | null {
  if (!isFloat(z.dtype) || a.type.shape[a.ndim - 1] !== 1 || b.type.shape[0] !== 1) return null;
  if (a.ndim === 2 && b.ndim === 2) return T.mul(a, b) as Tensor; // (m, 1) * (1, n)
  const left = T.dimshuffle(a, (a.ndim === 2 ? [0] : []) as never) as Tensor; // drop the length-1 axis
  const right = T.dimshuffle(b, (b.ndim === 2 ? [1] : []) as never) as Tensor;
  return T.mul(left, right) as Tensor;
}

/** `s * r`, or `r` alone when s is the scalar constant 1 (as in a mean's gradient). */
function reciprocalTimes(s: Tensor, r: Tensor): Tensor {
  return isConstantValue(s, 1) && s.ndim === 0 ? r : (T.mul(s, r) as Tensor);
}

/**
 * x ** 0.5 as sqrt(x), with pow's value where they differ: pow(-inf, 0.5) is inf, sqrt(-inf) NaN (the sign of a
 * zero result aside, they agree everywhere else). A compare and a select cost far less than a pow.
 */
function sqrtAsPow(x: Tensor): Tensor {
  return T.switch(T.eq(x, -Infinity), Infinity, T.sqrt(x)) as Tensor;
}

/** x ** -0.5 as 1 / sqrt(x), with pow's values at ±0 (inf: 1 / sqrt(-0) is -inf) and at -inf (0: 1 / sqrt gives NaN). */
function reciprocalSqrtAsPow(x: Tensor): Tensor {
  return T.switch(T.eq(x, 0), Infinity, T.switch(T.eq(x, -Infinity), 0, T.reciprocal(T.sqrt(x)))) as Tensor;
}

export const SPECIALIZE_RULES: readonly Rule[] = [
  rule('pow_0', pow(0), ({ x }, z) => (floatPower(x, z) ? (T.onesLike(x) as Tensor) : null)), // x ** 0 -> 1 (numpy: also for nan and inf)
  rule('pow_1', pow(1), ({ x }, z) => (floatPower(x, z) ? x : null)), // x ** 1 -> x
  rule('pow_2', pow(2), ({ x }, z) => (floatPower(x, z) ? (T.sqr(x) as Tensor) : null)), // x ** 2 -> sqr(x)
  rule('pow_3', pow(3), ({ x }, z) => (floatPower(x, z) ? (T.mul(x, T.sqr(x)) as Tensor) : null)), // x ** 3 -> x * sqr(x)
  rule('pow_4', pow(4), ({ x }, z) => (floatPower(x, z) ? (T.sqr(T.sqr(x)) as Tensor) : null)), // x ** 4 -> sqr(sqr(x))
  rule('pow_neg_1', pow(-1), ({ x }, z) => (floatPower(x, z) ? (T.reciprocal(x) as Tensor) : null)), // x ** -1 -> 1 / x
  rule('pow_neg_2', pow(-2), ({ x }, z) => (floatPower(x, z) ? (T.reciprocal(T.sqr(x)) as Tensor) : null)), // x ** -2 -> 1 / sqr(x)
  rule('pow_half', pow(0.5), ({ x }, z) => (floatPower(x, z) ? sqrtAsPow(x) : null)), // x ** 0.5 -> sqrt(x), inf at -inf as pow
  rule('pow_neg_half', pow(-0.5), ({ x }, z) => (floatPower(x, z) ? reciprocalSqrtAsPow(x) : null)), // x ** -0.5 -> 1 / sqrt(x), inf at +-0 and 0 at -inf as pow
  rule('pow_small_int', P.pow(v('x'), v('k', smallIntegerExponent)), ({ x, k }, z) =>
    floatPower(x, z) ? powerBySquaring(x, constantScalar(k!)!) : null,
  ), // x ** n -> squarings and products, 2 <= |n| <= 16
  rule(
    'sum_mul_by_scalar',
    sumOf(P.mul(v('x'), v('y'))),
    ({ x, y }, z) => distributeSum(x!, y!, z, times) ?? distributeSum(y!, x!, z, times),
  ), // sum(x * a) -> sum(x) * a, a constant along the summed axes
  rule('sum_div_by_scalar', sumOf(P.true_div(v('x'), v('a'))), ({ x, a }, z) => distributeSum(x!, a!, z, over)), // sum(x / a) -> sum(x) / a, a constant along the summed axes
  rule('sum_neg', sumOf(P.neg(v('x'))), ({ x }, z) => negatedSum(x!, z)), // sum(-x) -> -sum(x)
  rule('div_by_shape_product', P.true_div(v('s'), floatCast(v('n', isShapeProduct))), ({ s, n }, z) =>
    s!.dtype === z.dtype ? reciprocalTimes(s!, T.reciprocal(T.cast(n!, z.dtype)) as Tensor) : null,
  ), // s / n -> s * (1 / n), n a product of lengths (mean); 1 / n alone when s is 1
  rule('dot_length_one', P.dot(v('a'), v('b')), ({ a, b }, z) => dotOverLengthOne(a!, b!, z)), // dot(a, b) over a length-1 axis -> a * b broadcast
  rule(
    'dot_column',
    P.dot(v('a'), column(vector('u'))),
    ({ a, u }) => T.dimshuffle(T.dot(a!, u!) as Tensor, (a!.ndim === 2 ? [0, 'x'] : ['x']) as never) as Tensor,
  ), // dot(A, u[:, None]) -> dot(A, u)[:, None]
  rule(
    'dot_row',
    P.dot(row(vector('u')), v('b')),
    ({ u, b }) => T.dimshuffle(T.dot(u!, b!) as Tensor, (b!.ndim === 2 ? ['x', 0] : ['x']) as never) as Tensor,
  ), // dot(u[None, :], B) -> dot(u, B)[None, :]
];
