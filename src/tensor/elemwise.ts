/** The elementwise ops as free functions (`T.exp(x)`, `T.add(1, x)`): numbers are accepted in any position. */
import { DIMSHUFFLE, type CheckPattern, type DimPattern } from '../ops/dimshuffle.js';
import { ELEMWISE } from '../ops/elemwise.js';
import type { ScalarOpName } from '../ops/scalar.js';
import { isDType, type BoolToInt8, type DType, type UpgradeToFloat } from '../types/dtype.js';
import type { MaxRank, MaxRank3, Rank } from '../types/rank.js';
import { applyOp, asVariables } from './apply.js';
import type { DType1, DType2, DType3, Operand, RankOf } from './operand.js';
import type { Tensor } from './tensor.js';

type Bin<A, B> = Tensor<DType2<A, B>, MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
type BinFloat<A, B> = Tensor<UpgradeToFloat<DType2<A, B>>, MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
type Cmp<A, B> = Tensor<'bool', MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
type Same<A> = Tensor<DType1<A>, RankOf<A>> extends infer T extends Tensor ? T : never;
type BinArith<A, B> = Tensor<BoolToInt8<DType2<A, B>>, MaxRank<RankOf<A>, RankOf<B>>> extends infer T extends Tensor ? T : never;
type SameArith<A> = Tensor<BoolToInt8<DType1<A>>, RankOf<A>> extends infer T extends Tensor ? T : never;
type Float<A> = Tensor<UpgradeToFloat<DType1<A>>, RankOf<A>> extends infer T extends Tensor ? T : never;

function elemwise(name: ScalarOpName, operands: readonly Operand[], dtype?: DType): Tensor {
  return applyOp(ELEMWISE[name], dtype ? { dtype } : {}, asVariables(operands, name))[0]!;
}
const binary = (name: ScalarOpName) => <A extends Operand, B extends Operand>(a: A, b: B): Bin<A, B> => elemwise(name, [a, b]) as never;
const binaryFloat = (name: ScalarOpName) => <A extends Operand, B extends Operand>(a: A, b: B): BinFloat<A, B> => elemwise(name, [a, b]) as never;
const comparison = (name: ScalarOpName) => <A extends Operand, B extends Operand>(a: A, b: B): Cmp<A, B> => elemwise(name, [a, b]) as never;
const binaryArith = (name: ScalarOpName) => <A extends Operand, B extends Operand>(a: A, b: B): BinArith<A, B> => elemwise(name, [a, b]) as never;
const same = (name: ScalarOpName) => <A extends Operand>(a: A): Same<A> => elemwise(name, [a]) as never;
const float = (name: ScalarOpName) => <A extends Operand>(a: A): Float<A> => elemwise(name, [a]) as never;
const predicate = (name: ScalarOpName) => <A extends Operand>(a: A): Tensor<'bool', RankOf<A>> => elemwise(name, [a]) as never;

export const add = binary('add');
/**
 * Subtraction; a bool mixed with a number promotes to it, bool - bool is an error (numpy: use xor). The method
 * `x.sub(y)` rejects bool - bool at compile time; this function keeps add's signature, so that code choosing
 * `T[name]` among add, sub and mul still type-checks, and rejects it when the graph is built.
 */
export const sub = binary('sub');
export const mul = binary('mul');
/** True division: `a / b`, integers upgrade to float. */
export const div = binaryFloat('true_div');
export const trueDiv = div;
/** Floor division: `a // b`. */
export const intDiv = binaryArith('int_div');
/** Floor modulo: `a % b` with the sign of `b`. */
export const mod = binaryArith('mod');
export const pow = binaryArith('pow');
export const maximum = binary('maximum');
export const minimum = binary('minimum');
export const arctan2 = binaryFloat('arctan2');
export const and = binary('and');
export const or = binary('or');
export const xor = binary('xor');

export const lt = comparison('lt');
export const gt = comparison('gt');
export const le = comparison('le');
export const ge = comparison('ge');
export const eq = comparison('eq');
export const neq = comparison('neq');

export const neg = same('neg');
export const abs = same('abs');
export const sign = same('sign');
export const sqr = <A extends Operand>(a: A): SameArith<A> => elemwise('sqr', [a]) as never;
export const invert = same('invert');

export const exp = float('exp');
export const exp2 = float('exp2');
export const expm1 = float('expm1');
export const log = float('log');
export const log2 = float('log2');
export const log10 = float('log10');
export const log1p = float('log1p');
export const sqrt = float('sqrt');
export const reciprocal = float('reciprocal');
export const sin = float('sin');
export const cos = float('cos');
export const tan = float('tan');
export const arcsin = float('arcsin');
export const arccos = float('arccos');
export const arctan = float('arctan');
export const sinh = float('sinh');
export const cosh = float('cosh');
export const tanh = float('tanh');
export const arcsinh = float('arcsinh');
export const arccosh = float('arccosh');
export const arctanh = float('arctanh');
export const floor = float('floor');
export const ceil = float('ceil');
/** Round half to even, as numpy. */
export const round = float('round');
export const trunc = float('trunc');
export const erf = float('erf');
export const erfc = float('erfc');
/** The scaled complementary error function exp(x^2) erfc(x), finite where erfc underflows. */
export const erfcx = float('erfcx');
/** log(1 - exp(x)), computed without cancellation (x <= 0; NaN above). */
export const log1mexp = float('log1mexp');
export const sigmoid = float('sigmoid');
export const softplus = float('softplus');

export const isnan = predicate('isnan');
export const isinf = predicate('isinf');

/** Clips `x` into `[lo, hi]`. */
export function clip<X extends Operand, L extends Operand, H extends Operand>(
  x: X,
  lo: L,
  hi: H,
): Tensor<DType3<X, L, H>, MaxRank3<RankOf<X>, RankOf<L>, RankOf<H>>> {
  return elemwise('clip', [x, lo, hi]) as never;
}

/** `cond ? a : b` elementwise (numpy `where`), with broadcasting; any non-zero condition counts as true. */
export function switch_<C extends Operand, A extends Operand, B extends Operand>(
  cond: C,
  a: A,
  b: B,
): Tensor<DType2<A, B>, MaxRank3<RankOf<C>, RankOf<A>, RankOf<B>>> {
  return elemwise('switch', [cond, a, b]) as never;
}

/** Converts `x` to `dtype` (numpy `astype`). */
export function cast<X extends Operand, T extends DType>(x: X, dtype: T): Tensor<T, RankOf<X>> {
  if (!isDType(dtype)) throw new TypeError(`cast: unknown dtype ${String(dtype)}`);
  return elemwise('cast', [x], dtype) as never;
}

/** Permutes axes and adds broadcastable axes ('x'); a literal pattern must name each input axis exactly once. */
export function dimshuffle<D extends DType, R extends Rank, const P extends DimPattern>(
  x: Tensor<D, R>,
  pattern: CheckPattern<P, R>,
): Tensor<D, P['length'] extends Rank ? P['length'] : Rank> {
  return applyOp(DIMSHUFFLE, { pattern: checkPattern(pattern, 'dimshuffle') }, [x])[0] as never;
}

/** A pattern's entries are input axes (integers) or 'x'; a string like '1' is named, not read as axis 1. */
function checkPattern(pattern: unknown, opName: string): (number | 'x')[] {
  if (!Array.isArray(pattern)) {
    throw new TypeError(`${opName}: the pattern must be a list of axes and 'x', got ${typeof pattern} ${String(pattern)}`);
  }
  pattern.forEach((p: unknown, k) => {
    if (p === 'x' || (typeof p === 'number' && Number.isInteger(p))) return;
    const what = typeof p === 'string' ? `the string '${p}'` : `${typeof p} ${String(p)}`;
    throw new TypeError(`${opName}: pattern entry ${k} is ${what}; an entry is an input axis (an integer) or 'x'`);
  });
  return [...(pattern as (number | 'x')[])];
}

/** Reverses the axes (or permutes them by `axes`). */
export function transpose<D extends DType, R extends Rank>(x: Tensor<D, R>, axes?: readonly number[]): Tensor<D, R> {
  const pattern = axes ? checkPattern(axes, 'transpose') : Array.from({ length: x.ndim }, (_, i) => x.ndim - 1 - i);
  return applyOp(DIMSHUFFLE, { pattern }, [x])[0] as never;
}
