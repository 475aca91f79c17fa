/**
 * Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror and Shaw ("Parallel random numbers: as easy
 * as 1, 2, 3", SC11; the Random123 library). A block of four 32-bit words is a pure function of a 128-bit counter
 * and a 64-bit key: ten rounds of
 *
 *   (hi0, lo0) = M0 * c0, (hi1, lo1) = M1 * c2      (32 x 32 -> 64-bit products)
 *   c = [hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0]
 *   k = [k0 + W0, k1 + W1]                           (the key bumps between rounds, mod 2^32)
 *
 * JS has no 64-bit integer product, so the high word is computed in doubles from the multiplier split into 16-bit
 * halves (every partial product stays below 2^53, so it is exact); the low word is `Math.imul`. The result is
 * bit-exact with the reference (the known-answer vectors of Random123's `kat_vectors`, test/random/philox.test.ts).
 *
 * A generator state here is six uint32 words: [key0, key1, counter0, counter1, counter2, counter3]. A draw reads
 * blocks at consecutive counters (counter0 is the lowest word) and returns the state with the counter advanced by
 * the number of blocks it used.
 */

export const PHILOX_M0 = 0xd2511f53;
export const PHILOX_M1 = 0xcd9e8d57;
export const PHILOX_W0 = 0x9e3779b9;
export const PHILOX_W1 = 0xbb67ae85;

const M0_HI = PHILOX_M0 >>> 16;
const M0_LO = PHILOX_M0 & 0xffff;
const M1_HI = PHILOX_M1 >>> 16;
const M1_LO = PHILOX_M1 & 0xffff;

/** The words of a generator state. */
export const STATE_WORDS = 6;

/**
 * The high 32 bits of m * x for x a uint32, m = mHi * 2^16 + mLo: floor((mHi x 2^16 + mLo x) / 2^32), where
 * mHi x and mLo x are below 2^48 and floor((a + b / 2^16) / 2^16) = floor((a + floor(b / 2^16)) / 2^16).
 */
function mulhi(mHi: number, mLo: number, x: number): number {
  return Math.floor((mHi * x + Math.floor((mLo * x) / 65536)) / 65536);
}

/**
 * One Philox4x32-10 block: the four words for counter (c0..c3) and key (k0, k1), written to out[at..at+3] as
 * uint32 values. Inputs are uint32 values (or int32 bit patterns of them).
 */
export function philoxBlock(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
  at: number,
): void {
  let x0 = c0 >>> 0;
  let x1 = c1 | 0;
  let x2 = c2 >>> 0;
  let x3 = c3 | 0;
  let a = k0 | 0;
  let b = k1 | 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(M0_HI, M0_LO, x0);
    const lo0 = Math.imul(PHILOX_M0, x0);
    const hi1 = mulhi(M1_HI, M1_LO, x2);
    const lo1 = Math.imul(PHILOX_M1, x2);
    x0 = (hi1 ^ x1 ^ a) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ b) >>> 0;
    x3 = lo0;
    a = (a + PHILOX_W0) | 0;
    b = (b + PHILOX_W1) | 0;
  }
  out[at] = x0;
  out[at + 1] = x1;
  out[at + 2] = x2;
  out[at + 3] = x3;
}

/** Philox4x32-10 of one counter and key, as four uint32 numbers (for tests and one-off use). */
export function philox4x32(
  counter: readonly [number, number, number, number],
  key: readonly [number, number],
): [number, number, number, number] {
  const out = new Uint32Array(4);
  philoxBlock(counter[0], counter[1], counter[2], counter[3], key[0], key[1], out, 0);
  return [out[0]!, out[1]!, out[2]!, out[3]!];
}

/** `state` (six uint32 words) with its 128-bit counter advanced by `blocks`, as a new array. */
export function advanceState(state: Uint32Array, blocks: number): Uint32Array {
  const next = Uint32Array.from(state);
  let carry = blocks;
  for (let w = 2; w < STATE_WORDS && carry > 0; w++) {
    const sum = next[w]! + (carry % 4294967296);
    next[w] = sum >>> 0;
    carry = Math.floor(carry / 4294967296) + (sum >= 4294967296 ? 1 : 0);
  }
  return next;
}

/**
 * A word stream over consecutive blocks of one state, for samplers whose word count depends on the values
 * (rejection sampling): `blocks` says how many blocks were read, so the next state is `advanceState(state, blocks)`.
 */
export class PhiloxStream {
  private readonly key0: number;
  private readonly key1: number;
  private readonly counter: Uint32Array;
  private readonly buffer = new Uint32Array(4);
  private next = 4;
  /** Blocks generated so far. */
  blocks = 0;

  constructor(state: Uint32Array) {
    this.key0 = state[0]!;
    this.key1 = state[1]!;
    this.counter = state.slice(2, STATE_WORDS);
  }

  /** The next uint32 word. */
  word(): number {
    if (this.next === 4) {
      const c = this.counter;
      philoxBlock(c[0]!, c[1]!, c[2]!, c[3]!, this.key0, this.key1, this.buffer, 0);
      this.blocks++;
      // the 128-bit counter + 1
      for (let w = 0; w < 4; w++) if ((c[w] = (c[w]! + 1) >>> 0) !== 0) break;
      this.next = 0;
    }
    return this.buffer[this.next++]!;
  }

  /** A double uniform on [0, 1) with 53 random bits (two words). */
  double(): number {
    return toDouble(this.word(), this.word());
  }

  /** A double uniform on (0, 1]: never 0, for logarithms. */
  positiveDouble(): number {
    return 1 - this.double();
  }

  /** An integer uniform on [0, range) for 1 <= range <= 2^53, without bias: masked rejection. */
  below(range: number): number {
    if (range <= 4294967296) {
      const mask = maskFor(range - 1);
      for (;;) {
        const x = (this.word() & mask) >>> 0;
        if (x < range) return x;
      }
    }
    const highMask = maskFor(Math.ceil(range / 4294967296) - 1);
    for (;;) {
      const x = ((this.word() & highMask) >>> 0) * 4294967296 + this.word();
      if (x < range) return x;
    }
  }
}

/** The smallest all-ones mask covering `n` (a uint32). */
export function maskFor(n: number): number {
  let m = n >>> 0;
  m |= m >>> 1;
  m |= m >>> 2;
  m |= m >>> 4;
  m |= m >>> 8;
  m |= m >>> 16;
  return m;
}

/** 53 bits of two words as a double on [0, 1): (a >> 5) * 2^26 + (b >> 6), over 2^53. */
export function toDouble(a: number, b: number): number {
  return ((a >>> 5) * 67108864 + (b >>> 6)) / 9007199254740992;
}

/** 24 bits of one word as a float32-exact value on [0, 1): (a >> 8) / 2^24. */
export function toFloat24(a: number): number {
  return (a >>> 8) / 16777216;
}
