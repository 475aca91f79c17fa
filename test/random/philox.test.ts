/**
 * Philox4x32-10 against known answers. The first three vectors are Random123's published known-answer vectors
 * (DEShawResearch/random123, tests/kat_vectors, the `philox4x32 10` lines: counter and key all zero, all ones,
 * and the hex digits of pi). The others come from an independent Python implementation
 * (test/random/fixtures/philox_reference.py, which first checks itself against the same published vectors).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { advanceState, maskFor, philox4x32, PhiloxStream, toDouble } from '../../src/runtime/philox.js';

type Vector = { counter: number[]; key: number[]; out: number[] };
const fixture = JSON.parse(readFileSync(new URL('./fixtures/philox-vectors.json', import.meta.url), 'utf8')) as {
  random: Vector[];
  consecutive: Vector[];
};

const PUBLISHED: [string, [number, number, number, number], [number, number], number[]][] = [
  ['zeros', [0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [
    'all ones',
    [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
    [0xffffffff, 0xffffffff],
    [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd],
  ],
  [
    'pi digits',
    [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
    [0xa4093822, 0x299f31d0],
    [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1],
  ],
];

describe('philox4x32-10', () => {
  it.each(PUBLISHED)('matches the Random123 known answer: %s', (_, counter, key, out) => {
    expect(philox4x32(counter, key)).toEqual(out);
  });

  it('matches the independent Python implementation on 64 random counters and keys', () => {
    expect(fixture.random).toHaveLength(64);
    for (const v of fixture.random) {
      expect(philox4x32(v.counter as never, v.key as never)).toEqual(v.out);
    }
  });

  it('a stream reads consecutive counters, carrying from word 0 upward', () => {
    const [first] = fixture.consecutive;
    const state = Uint32Array.of(12345, 0, ...first!.counter);
    const stream = new PhiloxStream(state);
    const words = Array.from({ length: 16 }, () => stream.word());
    expect(words).toEqual(fixture.consecutive.flatMap((v) => v.out));
    expect(stream.blocks).toBe(4);
    // advanceState gives the counter the stream would read next
    const next = advanceState(state, 3);
    expect([...next.slice(2)]).toEqual(fixture.consecutive[3]!.counter);
  });

  it('advanceState carries across all four counter words', () => {
    const s = Uint32Array.of(1, 2, 0xffffffff, 0xffffffff, 0xffffffff, 5);
    expect([...advanceState(s, 1)]).toEqual([1, 2, 0, 0, 0, 6]);
    expect([...advanceState(s, 2 ** 33)]).toEqual([1, 2, 0xffffffff, 1, 0, 6]);
  });

  it('toDouble spans [0, 1) with 53 bits', () => {
    expect(toDouble(0, 0)).toBe(0);
    expect(toDouble(0xffffffff, 0xffffffff)).toBe(1 - 2 ** -53);
    expect(maskFor(5)).toBe(7);
    expect(maskFor(0)).toBe(0);
    expect(maskFor(0xffffffff) >>> 0).toBe(0xffffffff);
  });

  it('below(range) is uniform and in range, also above 2^32', () => {
    const stream = new PhiloxStream(Uint32Array.of(7, 7, 0, 0, 0, 0));
    const counts = new Array<number>(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[stream.below(6)]!++;
    // each count ~ Binomial(60000, 1/6): sd 91; 5 sd
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(460);
    for (let i = 0; i < 1000; i++) {
      const x = stream.below(3 * 2 ** 40);
      expect(Number.isInteger(x) && x >= 0 && x < 3 * 2 ** 40).toBe(true);
    }
  });
});
