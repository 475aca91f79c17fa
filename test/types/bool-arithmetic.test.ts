/**
 * Bools in arithmetic (numpy 2), over every pair of dtypes: a bool mixed with a number promotes like any dtype (the
 * UPCAST table); bools alone keep + and * (and maximum, minimum) as logical ops, run //, %, ** in int8, and refuse
 * `-`. The same rules are checked at the type level in type-tests/bool-arithmetic.test-d.ts and against numpy
 * in test/oracle.
 */
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { DType, Tensor } from '../../src/index.js';
import { DTYPES, UPCAST } from '../../src/types/dtype.js';

const T = theano.tensor;
type Binary = (a: Tensor, b: Tensor) => Tensor;
const op = (name: string) => (T as unknown as Record<string, Binary>)[name]!;

/** What each binary op gives for bools alone: a dtype, or the error numpy raises too. */
const BOOLS_ALONE: Record<string, DType | 'error'> = {
  add: 'bool',
  mul: 'bool',
  maximum: 'bool',
  minimum: 'bool',
  sub: 'error',
  intDiv: 'int8',
  mod: 'int8',
  pow: 'int8',
};

const MINUS_ONE: Partial<Record<DType, number>> = { uint8: 255, uint16: 65535, uint32: 4294967295 };

describe('bools in arithmetic, every dtype pair', () => {
  for (const [name, alone] of Object.entries(BOOLS_ALONE)) {
    test(`${name}: bool with a number promotes by UPCAST; bools alone give ${alone}`, () => {
      for (const a of DTYPES) {
        for (const b of DTYPES) {
          const build = () => op(name)(T.tensor(a, 1), T.tensor(b, 1));
          if (a === 'bool' && b === 'bool') {
            if (alone === 'error') expect(build).toThrow(/not supported, as in numpy/);
            else expect(build().dtype).toBe(alone);
          } else {
            expect(build().dtype, `${a} ${name} ${b}`).toBe(UPCAST[a][b]);
          }
        }
      }
    });
  }
  test('a bool operand runs as 0 / 1 in the other dtype, in every mode', () => {
    for (const mode of ['FAST_RUN', 'FAST_COMPILE', 'DEBUG'] as const) {
      for (const d of DTYPES.filter((t) => t !== 'bool')) {
        const [x, m] = [T.tensor(d, 1, 'x'), T.tensor('bool', 1, 'm')];
        const f = theano.function([x, m], [x.sub(m), m.sub(x), x.mul(m)], { mode });
        const one = d === 'int64' ? 1n : 1;
        const [xm, mx, prod] = f([one, one] as never, [true, false]);
        const n = (v: unknown) => Number(v);
        expect(
          [xm, mx, prod].map((r) => r.toArray().map(n)),
          `${d} ${mode}`,
        ).toEqual([
          [0, 1],
          [0, MINUS_ONE[d] ?? -1], // 0 - 1 wraps in unsigned dtypes
          [1, 0],
        ]);
      }
    }
  });
});
