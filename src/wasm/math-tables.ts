/**
 * Read-only tables of the vector math functions, at fixed offsets at the start of the arena.
 *
 * Every wasm kernel imports the one arena memory (src/wasm/arena.ts), and a module has one memory, so a table
 * cannot be a data segment of a module-owned memory. The arena instead reserves its first `MATH_TABLES_BYTES`
 * when it creates the memory (the allocator never hands them out) and writes the tables there once; growth keeps
 * them (`memory.grow` preserves the contents). A kernel reads them at constant addresses (a load's offset
 * immediate). Nothing else writes there: every block a kernel writes comes from the allocator.
 *
 * The exp table (`EXP_TABLE_OFFSET`): for j = 0..EXP_TABLE_SIZE-1, 16 bytes: the float64 `tail` and the 64-bit
 * integer `bits`, where h_j = 2^(j/N) rounded to nearest, tail = (2^(j/N) - h_j) / h_j (so 2^(j/N) = h_j (1 + tail)
 * to ~2^-106), and bits = the bit pattern of h_j 2^-EXP_TABLE_BIAS minus j << (52 - log2 N): adding the reduced
 * argument's integer kN + j shifted left by 52 - log2 N gives the bits of 2^(k - EXP_TABLE_BIAS) h_j directly (see
 * `expF64x2` in src/wasm/math.ts, which multiplies by 2^EXP_TABLE_BIAS last).
 * The values are computed here exactly (integer square roots with BigInt), not copied from anywhere.
 */

/** N, the table's entries: 2^(j/N) for j < N (exp reduces its argument to |r| <= ln2 / 2N). */
export const EXP_TABLE_BITS = 7;
export const EXP_TABLE_SIZE = 1 << EXP_TABLE_BITS;
/** The exponent the table's bits are lowered by (so 2^k h_j stays a normal double's bits up to k = 1024). */
export const EXP_TABLE_BIAS = 64;
/** Where the exp table starts in the arena, and the bytes reserved for every table (a multiple of 16). */
export const EXP_TABLE_OFFSET = 0;
export const MATH_TABLES_BYTES = EXP_TABLE_OFFSET + 16 * EXP_TABLE_SIZE;

/** Fixed-point bits of the exact computation. */
const PRECISION = 200n;

/** floor(sqrt(n)) of a non-negative BigInt (Newton's iteration from above). */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = 1n << (BigInt(n.toString(2).length) / 2n + 1n);
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

/** [tail, bits] of each entry (bits as a signed 64-bit BigInt). */
export function expTable(): { tail: Float64Array; bits: BigInt64Array } {
  const one = 1n << PRECISION;
  // 2^(1/N): the square root of 2 taken log2 N times, in fixed point with PRECISION fraction bits
  let root = 2n * one;
  for (let i = 0; i < EXP_TABLE_BITS; i++) root = isqrt(root << PRECISION);
  const tail = new Float64Array(EXP_TABLE_SIZE);
  const bits = new BigInt64Array(EXP_TABLE_SIZE);
  const view = new DataView(new ArrayBuffer(8));
  let value = one; // 2^(j/N), truncated after PRECISION bits (the error stays below 2^-190)
  for (let j = 0; j < EXP_TABLE_SIZE; j++) {
    const shift = PRECISION - 52n;
    const significand = (value + (1n << (shift - 1n))) >> shift; // h_j 2^52, rounded to nearest
    const h = Number(significand) / 2 ** 52;
    const rest = value - (significand << shift);
    tail[j] = Number(rest) / 2 ** Number(PRECISION) / h;
    view.setFloat64(0, h);
    bits[j] = view.getBigInt64(0) - (BigInt(j) << BigInt(52 - EXP_TABLE_BITS)) - (BigInt(EXP_TABLE_BIAS) << 52n);
    value = (value * root) >> PRECISION;
  }
  return { tail, bits };
}

/** Writes every table into the arena's reserved bytes (`buffer` its memory's buffer). */
export function writeMathTables(buffer: ArrayBuffer): void {
  const { tail, bits } = expTable();
  const view = new DataView(buffer, EXP_TABLE_OFFSET, 16 * EXP_TABLE_SIZE);
  for (let j = 0; j < EXP_TABLE_SIZE; j++) {
    view.setFloat64(16 * j, tail[j]!, true);
    view.setBigInt64(16 * j + 8, bits[j]!, true);
  }
}
