/** Type-level rules for operands: how a tensor and a weak JS scalar combine into a result dtype and rank. */
import type { DType, Upcast, WeakFloat, WeakInt } from '../types/dtype.js';
import type { Rank } from '../types/rank.js';
import type { Tensor } from './tensor.js';

/** A tensor, or a JS scalar that becomes a constant (weakly typed next to a tensor). */
export type Operand = Tensor<DType, Rank> | number | boolean | bigint;

/** Whether a number literal is integer-valued ('int'), fractional ('float'), or unknown (`number`: both). */
export type NumberKind<N extends number> = number extends N
  ? 'int' | 'float'
  : `${N}` extends `${string}.${string}` | `${string}e-${string}` | 'NaN' | 'Infinity' | '-Infinity'
    ? 'float'
    : 'int';

type WeakNumber<N extends number, P extends DType> =
  ('int' extends NumberKind<N> ? WeakInt<P> : never) | ('float' extends NumberKind<N> ? WeakFloat<P> : never);

/** The dtype operand X takes when its strong partners upcast to P (never: no strong partner). */
export type ResolveDType<X, P extends DType> =
  X extends Tensor<infer D, Rank>
    ? D
    : X extends number
      ? [P] extends [never]
        ? 'float64'
        : WeakNumber<X, P>
      : X extends boolean
        ? [P] extends [never]
          ? 'bool'
          : P
        : X extends bigint
          ? [P] extends [never]
            ? 'int64'
            : WeakInt<P>
          : never;

export type StrongDType<X> = X extends Tensor<infer D, Rank> ? D : never;

type Join<A extends DType, B extends DType> = (
  [A] extends [never] ? B : [B] extends [never] ? A : Upcast<A, B>
) extends infer T extends DType
  ? T
  : never;

export type Partner2<A, B> = Join<StrongDType<A>, StrongDType<B>>;
export type Partner3<A, B, C> = Join<Partner2<A, B>, StrongDType<C>>;

// Each result is re-bound with `infer T extends DType`: its constraint is then plainly DType, so the checker does
// not expand every combination of the nested lookups to prove it (that once cost tsc 15 s on generic code).
/** The upcast dtype of two operands. */
export type DType2<A, B> =
  Upcast<ResolveDType<A, Partner2<A, B>>, ResolveDType<B, Partner2<A, B>>> extends infer T extends DType ? T : never;
/** The upcast dtype of three operands. */
export type DType3<A, B, C> =
  Upcast<
    Upcast<ResolveDType<A, Partner3<A, B, C>>, ResolveDType<B, Partner3<A, B, C>>>,
    ResolveDType<C, Partner3<A, B, C>>
  > extends infer T extends DType
    ? T
    : never;
/** The dtype a lone operand has. */
export type DType1<A> = ResolveDType<A, never> extends infer T extends DType ? T : never;

export type RankOf<X> = X extends Tensor<DType, infer R> ? R : 0;
