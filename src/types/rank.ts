/**
 * Type-level rank rules as lookup tables (never recursive types), so hover types stay short and tsc stays fast.
 */

export type Rank = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;
export const MAX_RANK = 8;

/** `MaxRank<A, B>`: the rank of a broadcast of ranks A and B. */
type MaxRankTable = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8],
  [1, 1, 2, 3, 4, 5, 6, 7, 8],
  [2, 2, 2, 3, 4, 5, 6, 7, 8],
  [3, 3, 3, 3, 4, 5, 6, 7, 8],
  [4, 4, 4, 4, 4, 5, 6, 7, 8],
  [5, 5, 5, 5, 5, 5, 6, 7, 8],
  [6, 6, 6, 6, 6, 6, 6, 7, 8],
  [7, 7, 7, 7, 7, 7, 7, 7, 8],
  [8, 8, 8, 8, 8, 8, 8, 8, 8],
];
export type MaxRank<A extends Rank, B extends Rank> = MaxRankTable[A][B];
export type MaxRank3<A extends Rank, B extends Rank, C extends Rank> = MaxRank<MaxRank<A, B>, C>;

/** `Dec<R>`: one rank fewer (a reduction over one axis, an integer index). */
export type Dec<R extends Rank> = [0, 0, 1, 2, 3, 4, 5, 6, 7][R];
/** `Inc<R>`: one rank more. */
export type Inc<R extends Rank> = [1, 2, 3, 4, 5, 6, 7, 8, 8][R];

/** A shape tuple of length R (`Shape<2>` is `[number, number]`). */
export type Shape<R extends Rank> = [
  [],
  [number],
  [number, number],
  [number, number, number],
  [number, number, number, number],
  [number, number, number, number, number],
  [number, number, number, number, number, number],
  [number, number, number, number, number, number, number],
  [number, number, number, number, number, number, number, number],
][R];

/** Nested JS arrays of depth R (`Nested<number, 2>` is `readonly (readonly number[])[]`). */
export type Nested<T, R extends Rank> = [
  T,
  readonly T[],
  readonly (readonly T[])[],
  readonly (readonly (readonly T[])[])[],
  readonly (readonly (readonly (readonly T[])[])[])[],
  readonly unknown[],
  readonly unknown[],
  readonly unknown[],
  readonly unknown[],
][R];

/** Mutable nested arrays, as `NDArray.toArray()` returns them. */
export type NestedMutable<T, R extends Rank> = [
  T,
  T[],
  T[][],
  T[][][],
  T[][][][],
  unknown[],
  unknown[],
  unknown[],
  unknown[],
][R];
