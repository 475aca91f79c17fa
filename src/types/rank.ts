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

/** The axes of a rank-R tensor, negative ones included: `Axis<2>` is `0 | 1 | -1 | -2`. */
export type Axis<R extends Rank> = [
  never,
  0 | -1,
  0 | 1 | -1 | -2,
  0 | 1 | 2 | -1 | -2 | -3,
  0 | 1 | 2 | 3 | -1 | -2 | -3 | -4,
  0 | 1 | 2 | 3 | 4 | -1 | -2 | -3 | -4 | -5,
  0 | 1 | 2 | 3 | 4 | 5 | -1 | -2 | -3 | -4 | -5 | -6,
  0 | 1 | 2 | 3 | 4 | 5 | 6 | -1 | -2 | -3 | -4 | -5 | -6 | -7,
  0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | -1 | -2 | -3 | -4 | -5 | -6 | -7 | -8,
][R];

/** Positions 0..R (where `expandDims` may insert an axis), negative ones included. */
export type InsertAxis<R extends Rank> = Axis<Inc<R>>;

/** `SubTable[A][B]` = A - B, floored at 0. */
export type SubTable = [
  [0, 0, 0, 0, 0, 0, 0, 0, 0],
  [1, 0, 0, 0, 0, 0, 0, 0, 0],
  [2, 1, 0, 0, 0, 0, 0, 0, 0],
  [3, 2, 1, 0, 0, 0, 0, 0, 0],
  [4, 3, 2, 1, 0, 0, 0, 0, 0],
  [5, 4, 3, 2, 1, 0, 0, 0, 0],
  [6, 5, 4, 3, 2, 1, 0, 0, 0],
  [7, 6, 5, 4, 3, 2, 1, 0, 0],
  [8, 7, 6, 5, 4, 3, 2, 1, 0],
];
/** `SubRank<R, N>`: R - N floored at 0 (a reduction over N axes). A non-literal N gives every possible rank. */
export type SubRank<R extends Rank, N extends number> = N extends Rank ? SubTable[R][N] : Rank;

/** The rank of a shape tuple (`[2, -1]` has rank 2); a non-tuple array gives `Rank`. */
export type RankOfShape<S extends readonly unknown[]> = number extends S['length']
  ? Rank
  : S['length'] extends Rank
    ? S['length']
    : never;
