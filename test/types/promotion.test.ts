import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { DType, Tensor } from '../../src/index.js';
import {
  canCastSafely,
  DTYPES,
  UPCAST,
  upcast,
  upcastAll,
  UPGRADE_TO_FLOAT,
  WEAK_FLOAT,
  WEAK_INT,
} from '../../src/types/dtype.js';
import { ALL_DTYPES, arbDType, coerce, compileLoose, expectArray, isFloatDType } from '../helpers.js';

const T = theano.tensor;

// ---------------------------------------------------------------------------------------------------------------
// An independent promotion rule from first principles: the value set of each dtype, and "the smallest dtype of
// the list that holds both value sets exactly", with numpy's one exception that every integer type goes into
// float64 (int64 is not exact there, but numpy and Theano promote int64 with floats to float64).

interface Info {
  kind: 'b' | 'i' | 'u' | 'f';
  bytes: number;
  /** integer range (bool, ints) */
  min?: number;
  max?: number;
  /** significand bits (floats) */
  mantissa?: number;
}
const INFO: Record<DType, Info> = {
  bool: { kind: 'b', bytes: 1, min: 0, max: 1 },
  int8: { kind: 'i', bytes: 1, min: -(2 ** 7), max: 2 ** 7 - 1 },
  int16: { kind: 'i', bytes: 2, min: -(2 ** 15), max: 2 ** 15 - 1 },
  int32: { kind: 'i', bytes: 4, min: -(2 ** 31), max: 2 ** 31 - 1 },
  int64: { kind: 'i', bytes: 8, min: -(2 ** 63), max: 2 ** 63 - 1 },
  uint8: { kind: 'u', bytes: 1, min: 0, max: 2 ** 8 - 1 },
  uint16: { kind: 'u', bytes: 2, min: 0, max: 2 ** 16 - 1 },
  uint32: { kind: 'u', bytes: 4, min: 0, max: 2 ** 32 - 1 },
  float32: { kind: 'f', bytes: 4, mantissa: 24 },
  float64: { kind: 'f', bytes: 8, mantissa: 53 },
};
const KIND_ORDER = { b: 0, i: 1, u: 1, f: 2 };

/** Whether `to` holds every value of `from` (numpy's "safe" cast). */
function holds(to: DType, from: DType): boolean {
  const t = INFO[to];
  const f = INFO[from];
  if (to === from) return true;
  if (f.kind === 'f') return t.kind === 'f' && t.mantissa! >= f.mantissa!;
  if (t.kind === 'b') return false;
  if (t.kind === 'f') {
    if (to === 'float64') return true; // numpy: every integer type promotes into float64
    return Math.max(-f.min!, f.max!) <= 2 ** t.mantissa!;
  }
  return t.min! <= f.min! && f.max! <= t.max!;
}

/** The smallest (by size, then bool < integer < float) dtype that holds both. */
function firstPrinciples(a: DType, b: DType): DType {
  const candidates = ALL_DTYPES.filter((t) => holds(t, a) && holds(t, b));
  const key = (t: DType) => INFO[t].bytes * 10 + KIND_ORDER[INFO[t].kind];
  candidates.sort((x, y) => key(x) - key(y));
  if (candidates.length > 1 && key(candidates[0]!) === key(candidates[1]!))
    throw new Error(`ambiguous: ${a}, ${b} -> ${candidates.join(', ')}`);
  return candidates[0]!;
}

/** Theano's upgrade_to_float from first principles: floats stay, integers that fit float32 exactly go there. */
function upgradeFirstPrinciples(d: DType): DType {
  if (isFloatDType(d)) return d;
  return holds('float32', d) ? 'float32' : 'float64';
}

const arbPair = fc.tuple(arbDType, arbDType);
const arbTriple = fc.tuple(arbDType, arbDType, arbDType);
const arbNumeric = arbDType.filter((d) => d !== 'bool');

describe('the UPCAST table', () => {
  test('lists exactly the ten dtypes, each row complete', () => {
    expect([...DTYPES].sort()).toEqual([...ALL_DTYPES].sort());
    for (const a of DTYPES) expect(Object.keys(UPCAST[a]).sort()).toEqual([...DTYPES].sort());
  });
  test('symmetric', () => fc.assert(fc.property(arbPair, ([a, b]) => UPCAST[a][b] === UPCAST[b][a])));
  test('idempotent: upcast(a, a) = a', () => fc.assert(fc.property(arbDType, (a) => UPCAST[a][a] === a)));
  // numpy's promotion is "symmetric, but rarely associative" (np.promote_types docs). On these ten dtypes it fails
  // for exactly one family: a small signed int and uint16 meet in int32, which float32 cannot hold, while each of
  // them alone goes into float32. So (int16 + uint16) + float32 is float64 but int16 + (uint16 + float32) float32.
  const nonAssociative = (ds: readonly DType[]) =>
    ds.includes('float32') &&
    ds.includes('uint16') &&
    (ds.includes('int8') || ds.includes('int16')) &&
    ds[1] !== 'float32';
  test("associative, except numpy's own {int8|int16, uint16, float32} triples", () =>
    fc.assert(
      fc.property(arbTriple, ([a, b, c]) => {
        const left = UPCAST[UPCAST[a][b]][c];
        const right = UPCAST[a][UPCAST[b][c]];
        expect(left === right, `(${a} ${b}) ${c} = ${left}, ${a} (${b} ${c}) = ${right}`).toBe(
          !nonAssociative([a, b, c]),
        );
      }),
      { numRuns: 2000 },
    ));
  test('the non-associative triples group as numpy.promote_types does', () => {
    // numpy 2: promote_types(promote_types(int16, uint16), float32) = float64;
    //          promote_types(int16, promote_types(uint16, float32)) = float32
    expect(UPCAST[UPCAST.int16.uint16].float32).toBe('float64');
    expect(UPCAST.int16[UPCAST.uint16.float32]).toBe('float32');
    expect(UPCAST[UPCAST.int8.uint16].float32).toBe('float64');
    expect(UPCAST.int8[UPCAST.uint16.float32]).toBe('float32');
    // exhaustively: associativity fails on exactly those 8 ordered triples
    let failures = 0;
    for (const a of ALL_DTYPES)
      for (const b of ALL_DTYPES)
        for (const c of ALL_DTYPES) if (UPCAST[UPCAST[a][b]][c] !== UPCAST[a][UPCAST[b][c]]) failures++;
    expect(failures).toBe(8);
  });
  test('associative on every triple without float32, and on every triple without uint16', () =>
    fc.assert(
      fc.property(
        arbTriple.filter((t) => !t.includes('float32') || !t.includes('uint16')),
        ([a, b, c]) => {
          expect(UPCAST[UPCAST[a][b]][c]).toBe(UPCAST[a][UPCAST[b][c]]);
        },
      ),
    ));
  test('bool is the identity', () =>
    fc.assert(fc.property(arbDType, (a) => UPCAST.bool[a] === a && UPCAST[a].bool === a)));
  test('absorbing: upcast(a, upcast(a, b)) = upcast(a, b), and the result holds both', () =>
    fc.assert(
      fc.property(arbPair, ([a, b]) => {
        const r = UPCAST[a][b];
        expect(UPCAST[a][r]).toBe(r);
        expect(canCastSafely(a, r) && canCastSafely(b, r)).toBe(true);
      }),
    ));
  test('matches the first-principles rule (smallest dtype holding both value ranges)', () =>
    fc.assert(
      fc.property(arbPair, ([a, b]) => {
        expect(UPCAST[a][b], `${a} + ${b}`).toBe(firstPrinciples(a, b));
      }),
    ));
  test('the first-principles rule, exhaustively, and the cases numpy is known for', () => {
    for (const a of ALL_DTYPES)
      for (const b of ALL_DTYPES) expect(UPCAST[a][b], `${a} + ${b}`).toBe(firstPrinciples(a, b));
    expect(upcast('int32', 'float32')).toBe('float64');
    expect(upcast('int64', 'float32')).toBe('float64');
    expect(upcast('uint32', 'float32')).toBe('float64');
    expect(upcast('int16', 'float32')).toBe('float32');
    expect(upcast('uint16', 'float32')).toBe('float32');
    expect(upcast('int64', 'uint32')).toBe('int64');
    expect(upcast('int8', 'uint32')).toBe('int64');
    expect(upcast('int8', 'uint8')).toBe('int16');
    expect(upcast('int16', 'uint16')).toBe('int32');
    expect(upcast('uint8', 'uint16')).toBe('uint16');
  });
  test('upcastAll folds the table (bool for none)', () => {
    expect(upcastAll([])).toBe('bool');
    fc.assert(
      fc.property(
        fc.array(arbDType, { maxLength: 6 }),
        (ds) => upcastAll(ds) === ds.reduce<DType>((acc, d) => UPCAST[acc][d], 'bool'),
      ),
    );
  });
  test('UPGRADE_TO_FLOAT: floats stay, integers that fit float32 exactly go there, others to float64', () => {
    for (const d of ALL_DTYPES) expect(UPGRADE_TO_FLOAT[d], d).toBe(upgradeFirstPrinciples(d));
  });
});

/** Small values every dtype holds, with their exact sums (0..60, so int8 does not overflow). */
const smallValues = (d: DType) =>
  d === 'bool' ? fc.boolean() : fc.integer({ min: 0, max: 60 }).map((v) => (isFloatDType(d) ? v / 4 : v));
const asInput = (d: DType, v: number | boolean) => (d === 'int64' && typeof v === 'number' ? BigInt(v) : v);
const num = (v: number | boolean) => (typeof v === 'boolean' ? (v ? 1 : 0) : v);

describe('the runtime follows the table', () => {
  test('T.add(tensor(a), tensor(b)) has dtype UPCAST[a][b], and so does its value', () =>
    fc.assert(
      fc.property(
        arbPair.chain(([a, b]) =>
          fc.tuple(
            fc.constant(a),
            fc.constant(b),
            fc.array(fc.tuple(smallValues(a), smallValues(b)), { maxLength: 5 }),
          ),
        ),
        ([a, b, pairs]) => {
          const x = T.tensor(a, 1, 'x');
          const y = T.tensor(b, 1, 'y');
          const out = T.add(x, y);
          expect(out.dtype).toBe(UPCAST[a][b]);
          const r = compileLoose([x, y], out)(
            pairs.map(([p]) => asInput(a, p)),
            pairs.map(([, q]) => asInput(b, q)),
          );
          expectArray(r, {
            dtype: UPCAST[a][b],
            shape: [pairs.length],
            flat: pairs.map(([p, q]) => coerce(UPCAST[a][b], num(p) + num(q))),
          });
        },
      ),
      { numRuns: 200 },
    ));
  test('every binary upcasting op, for every pair, has dtype UPCAST[a][b]', () => {
    for (const a of ALL_DTYPES) {
      for (const b of ALL_DTYPES) {
        const x = T.tensor(a, 1);
        const y = T.tensor(b, 1);
        for (const op of [T.add, T.mul, T.maximum, T.minimum]) expect(op(x, y).dtype, `${a}, ${b}`).toBe(UPCAST[a][b]);
        if (a !== 'bool' && b !== 'bool')
          for (const op of [T.sub, T.intDiv, T.mod, T.pow]) expect(op(x, y).dtype, `${a}, ${b}`).toBe(UPCAST[a][b]);
        if (!isFloatDType(a) && !isFloatDType(b))
          for (const op of [T.and, T.or, T.xor]) expect(op(x, y).dtype, `${a}, ${b}`).toBe(UPCAST[a][b]);
        expect(T.div(x, y).dtype).toBe(UPGRADE_TO_FLOAT[UPCAST[a][b]]);
        expect(T.lt(x, y).dtype).toBe('bool');
        expect(T.switch(T.tensor('bool', 1), x, y).dtype).toBe(UPCAST[a][b]);
      }
    }
  });
  test('three inputs: clip has the upcast of all three', () =>
    fc.assert(
      fc.property(fc.tuple(arbNumeric, arbNumeric, arbNumeric), ([a, b, c]) => {
        const out = T.clip(T.tensor(a, 1), T.tensor(b, 0), T.tensor(c, 0));
        expect(out.dtype).toBe(UPCAST[UPCAST[a][b]][c]);
      }),
    ));
  test('true division and float functions give UPGRADE_TO_FLOAT of the upcast, at run time too', () =>
    fc.assert(
      fc.property(
        arbPair.filter(([a, b]) => a !== 'bool' && b !== 'bool'),
        ([a, b]) => {
          const x = T.tensor(a, 1, 'x');
          const y = T.tensor(b, 1, 'y');
          const want = UPGRADE_TO_FLOAT[UPCAST[a][b]];
          const [q, e] = compileLoose([x, y], [T.div(x, y), T.exp(x)])(
            [asInput(a, 3)],
            [asInput(b, 4)],
          ) as theano.NDArray[];
          expectArray(q, { dtype: want, flat: [0.75] });
          expectArray(e, { dtype: UPGRADE_TO_FLOAT[a], flat: [coerce(UPGRADE_TO_FLOAT[a], Math.exp(3))] });
        },
      ),
    ));
});

describe('weak JS scalars (numpy 2 / NEP 50)', () => {
  test('WEAK_INT / WEAK_FLOAT from first principles', () => {
    for (const d of ALL_DTYPES) {
      expect(WEAK_INT[d], d).toBe(d === 'bool' ? 'int64' : d);
      expect(WEAK_FLOAT[d], d).toBe(isFloatDType(d) ? d : 'float64');
    }
  });
  test('an integer-valued number takes the tensor dtype (bool: int64), on either side, at run time too', () =>
    fc.assert(
      fc.property(arbDType, fc.integer({ min: 0, max: 100 }), fc.boolean(), (d, k, left) => {
        const x = T.tensor(d, 1, 'x');
        const out = left ? T.add(k, x) : T.add(x, k);
        expect(out.dtype).toBe(WEAK_INT[d]);
        expect(out.dtype).toBe(UPCAST[d][WEAK_INT[d]]);
        const r = compileLoose([x], out)([asInput(d, d === 'bool' ? true : 7)]);
        expectArray(r, { dtype: WEAK_INT[d], flat: [coerce(WEAK_INT[d], k + (d === 'bool' ? 1 : 7))] });
      }),
    ));
  test('a fractional number keeps float tensors and makes the others float64', () =>
    fc.assert(
      fc.property(
        arbDType,
        fc.integer({ min: -100, max: 100 }).map((k) => k + 0.5),
        (d, v) => {
          const x = T.tensor(d, 1, 'x');
          const out = T.mul(x, v);
          expect(out.dtype).toBe(WEAK_FLOAT[d]);
          const r = compileLoose([x], out)([asInput(d, d === 'bool' ? true : 2)]);
          expectArray(r, { dtype: WEAK_FLOAT[d], flat: [coerce(WEAK_FLOAT[d], v * (d === 'bool' ? 1 : 2))] });
        },
      ),
    ));
  test('bigint scalars are weak integers; booleans take the partner dtype', () => {
    for (const d of ALL_DTYPES) {
      const x = T.tensor(d, 1);
      expect(T.add(x, 2n).dtype, `${d} + 2n`).toBe(WEAK_INT[d]);
      expect(T.add(x, true).dtype, `${d} + true`).toBe(d);
    }
  });
  test('with several tensors, the weak scalar follows their upcast', () =>
    fc.assert(
      fc.property(
        arbPair.filter(([a, b]) => a !== 'bool' && b !== 'bool'),
        fc.boolean(),
        ([a, b], frac) => {
          const p = UPCAST[a][b];
          const out = T.clip(T.tensor(a, 1), T.tensor(b, 1), frac ? 100.5 : 100);
          expect(out.dtype).toBe(UPCAST[p][frac ? WEAK_FLOAT[p] : WEAK_INT[p]]);
        },
      ),
    ));
  test('numbers alone are float64; a number out of the tensor range is an error', () => {
    expect(T.add(2, 3).dtype).toBe('float64');
    expect(compileLoose([], T.add(2, 3))()).toBe(5);
    expect(() => T.add(T.tensor('int8', 1), 128)).toThrow(/128.*does not fit int8/);
    expect(() => T.add(T.tensor('uint16', 1), 65536)).toThrow(/does not fit uint16/);
    expect(T.add(T.tensor('int8', 1), 127).dtype).toBe('int8');
    expect(T.add(T.tensor('int8', 1), 128.5).dtype).toBe('float64');
  });
  test('the weak dtype matches the static type for the common cases', () => {
    const iv = T.ivector('iv');
    const a: Tensor<'int32', 1> = iv.add(2);
    const c: Tensor<'float64', 1> = iv.add(2.5);
    const f: Tensor<'float32', 1> = T.fvector().mul(0.5);
    expect([a.dtype, c.dtype, f.dtype]).toEqual(['int32', 'float64', 'float32']);
  });
});
