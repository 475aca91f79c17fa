/**
 * concatenate of mixed dtypes against numpy 2 (fixtures/concatenate-dtypes.json, written by
 * fixtures/concatenate_dtypes.py): the graph's dtype, the compiled result's dtype and its values are numpy's,
 * in every argument order, with symbolic inputs and with constants (folded at compile time).
 */
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { DType, Tensor } from '../../src/index.js';
import fixture from './fixtures/concatenate-dtypes.json' with { type: 'json' };

const T = theano.tensor;

interface Case {
  dtypes: DType[];
  dtype: DType;
  values: number[];
}
const cases = fixture.cases as Case[];
const input = (d: DType) => theano.array(d === 'bool' ? [true, false, true] : [1, 0, 2], { dtype: d } as never);
const numbers = (a: theano.NDArray) => (a.toArray() as (number | bigint | boolean)[]).map(Number);

describe('concatenate of mixed dtypes is numpy 2', () => {
  test.each(cases.map((c) => [c.dtypes.join(', '), c] as const))('%s', (_, c) => {
    const xs = c.dtypes.map((d) => T.tensor(d, 1));
    const joined = T.concatenate(xs as Tensor<DType, 1>[]);
    expect(joined.dtype).toBe(c.dtype);
    const out = theano.function(xs, joined)(...(c.dtypes.map(input) as never[]));
    expect(out.dtype).toBe(c.dtype);
    expect(numbers(out)).toEqual(c.values);
    const folded = T.concatenate(c.dtypes.map((d) => T.constant(input(d))) as Tensor<DType, 1>[]);
    const value = theano.function([], folded)();
    expect(value.dtype).toBe(c.dtype);
    expect(numbers(value)).toEqual(c.values);
  });
});
