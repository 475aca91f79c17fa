/**
 * Platforms that forbid compiling code at run time (a Content-Security-Policy without 'unsafe-eval' makes
 * `new Function` throw an EvalError): compiled functions run the reference evaluator, the matrix-vector product
 * uses its one shared copy, and the values are the same. A file of its own, so that nothing compiled before the
 * platform is made to forbid it.
 */
import { expect, test, vi } from 'vitest';
import * as theano from '../../src/index.js';

const T = theano.tensor;

test('where new Function is forbidden, functions run the reference evaluator (one warning) with the same values', () => {
  const x = T.dvector('x');
  const m = T.dmatrix('m');
  const original = globalThis.Function;
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const forbidden = function () {
    throw new EvalError('Code generation from strings disallowed for this context');
  } as unknown as FunctionConstructor;
  try {
    globalThis.Function = forbidden;
    const f = theano.function([x], x.exp().add(1));
    const g = theano.function([m, x], T.dot(m, x).mul(2));
    expect([f.source, g.source]).toEqual([undefined, undefined]);
    expect(f([0, 1]).toArray()).toEqual([2, Math.E + 1]);
    // the matrix-vector product runs while compiling is still forbidden
    expect(
      g(
        [
          [1, 2],
          [3, 4],
        ],
        [1, -1],
      ).toArray(),
    ).toEqual([-2, -2]);
    expect(
      g(
        [
          [0, 1],
          [Infinity, 1],
        ],
        [0, 1],
      ).toArray(),
    ).toEqual([2, NaN]);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/reference evaluator/);
  } finally {
    globalThis.Function = original;
    warn.mockRestore();
  }
  // once allowed again, new functions generate code
  expect(theano.function([x], x.exp()).source).toMatch(/function run/);
});
