import { describe, expect, test, vi } from 'vitest';
import * as theano from '../../src/index.js';
import { NDArray } from '../../src/index.js';

const T = theano.tensor;

describe('theano.function: outputs', () => {
  test('a single output is returned bare, a list as a list', () => {
    const x = T.dvector('x');
    expect(theano.function([x], x.mul(2))([1, 2]).toArray()).toEqual([2, 4]);
    const [y] = theano.function([x], [x.mul(2)])([1, 2]);
    expect(y.toArray()).toEqual([2, 4]);
  });

  test('rank-0 outputs are JS scalars: number, bigint for int64, boolean for bool', () => {
    const a = T.dscalar('a');
    const l = T.lscalar('l');
    const f = theano.function([a, l], [a.mul(2), l.add(1n), a.gt(0)]);
    expect(f(1.5, 41n)).toEqual([3, 42n, true]);
  });

  test('an output that is an input is a copy, not the caller’s array', () => {
    const x = T.dvector('x');
    const input = theano.array(new Float64Array([1, 2]));
    const out = theano.function([x], x)(input);
    expect(out).not.toBe(input);
    expect(out.data).not.toBe(input.data);
    expect(out.toArray()).toEqual([1, 2]);
  });

  test('the same variable listed twice gives two independent arrays', () => {
    const x = T.dvector('x');
    const e = x.exp();
    const [p, q] = theano.function([x], [e, e])([0]);
    expect(p).not.toBe(q);
    (p.data as Float64Array)[0] = 99;
    expect(q.toArray()).toEqual([1]);
  });

  test('an expression is not an input (as Theano: inputs are leaves); givens cut the graph there', () => {
    const x = T.dvector('x');
    const y = x.exp().named('y');
    expect(() => theano.function([y], y.add(1))).toThrow(
      "function: input 0 ('y') is an expression (exp of other variables), not a leaf: inputs must be variables made by T.dscalar(), T.matrix() and the like; to feed a value in place of an expression, use givens: [[expression, input]]",
    );
    const yIn = T.dvector('yIn');
    const f = theano.function([yIn], y.add(1), { givens: [[y, yIn]] });
    expect(f([5]).toArray()).toEqual([6]);
  });
});

describe('theano.function: inputs', () => {
  const x = T.dmatrix('x');
  const f = theano.function([x], x.add(1), { name: 'inc' });

  test('nested arrays, typed arrays and NDArrays are accepted', () => {
    const v = T.dvector('v');
    const g = theano.function([v], v.mul(2));
    expect(g([1, 2]).toArray()).toEqual([2, 4]);
    expect(g(new Float64Array([1, 2])).toArray()).toEqual([2, 4]);
    expect(g(new Int32Array([1, 2])).toArray()).toEqual([2, 4]); // a safe cast
    expect(g(theano.array([3, 4])).toArray()).toEqual([6, 8]);
  });

  test('a wrong rank names the input, the expected type and what was given', () => {
    expect(() => f([1, 2] as never)).toThrow(
      /function 'inc', input 0 \('x'\): expected a float64 matrix, got a nested array of rank 1, shape \(2,\)/,
    );
  });

  test('a lossy conversion needs allowInputDowncast', () => {
    const i = T.ivector('i');
    const g = theano.function([i], i.add(1));
    expect(() => g([1.5])).toThrow(
      /input 0 \('i'\): expected dtype int32, but element 0 does not fit: 1.5 is not an integer/,
    );
    expect(() => g(new Float64Array([1]))).toThrow(/expected dtype int32, got float64/);
    const h = theano.function([i], i.add(1), { allowInputDowncast: true });
    expect(h([1.7, -1.7]).toArray()).toEqual([2, 0]);
    const fv = T.fvector('fv');
    expect(() => theano.function([fv], fv)(new Float64Array([0.1]))).toThrow(/expected dtype float32, got float64/);
  });

  test('a wrong number of arguments is an error', () => {
    expect(() => (f as unknown as (...a: unknown[]) => unknown)()).toThrow(/expected 1 argument, got 0/);
  });

  test('static shapes are checked: a row needs one row', () => {
    const r = T.row('r');
    const g = theano.function([r], r.mul(2));
    expect(g([[1, 2, 3]]).toArray()).toEqual([[2, 4, 6]]);
    expect(() => g([[1], [2]])).toThrow(
      /input 0 \('r'\): expected a float64 row \(1, \?\).*dimension 0 must be 1, got 2/,
    );
  });

  test('ragged nested arrays are rejected', () => {
    expect(() => f([[1, 2], [3]])).toThrow(/ragged/);
  });

  test('int64 inputs are exact: bigints beyond 2**53 survive', () => {
    const l = T.lvector('l');
    const g = theano.function([l], l.add(1n));
    const big = 2n ** 60n + 1n;
    expect(g([big, -big]).toArray()).toEqual([big + 1n, -big + 1n]);
    expect(() => g([2 ** 60])).toThrow(/beyond 2\*\*53: pass a bigint/);
  });
});

describe('theano.function: compile-time checks', () => {
  test('a missing input is named', () => {
    const x = T.dvector('x');
    const y = T.dvector('y');
    expect(() => theano.function([x], x.add(y))).toThrow(/missing input: the outputs depend on 'y' \(float64 vector\)/);
  });

  test('an unused input raises by default, warns or is ignored on request', () => {
    const x = T.dvector('x');
    const y = T.dvector('y');
    expect(() => theano.function([x, y], x.exp())).toThrow(/input 1 \('y'\) is not used/);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const f = theano.function([x, y], x.exp(), { onUnusedInput: 'warn' });
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
    expect(f([0], [5]).toArray()).toEqual([1]);
    expect(theano.function([x, y], x.exp(), { onUnusedInput: 'ignore' })([0], [1]).toArray()).toEqual([1]);
  });

  test('shared variables and constants cannot be explicit inputs; duplicates are rejected', () => {
    const s = theano.shared([1, 2]);
    const x = T.dvector('x');
    expect(() => theano.function([s as never], s.add(1))).toThrow(/shared variable/);
    expect(() => theano.function([T.constant(1) as never], x)).toThrow(/constant/);
    expect(() => theano.function([x, x], x)).toThrow(/listed twice/);
  });

  test('the user graph is never mutated by compiling', () => {
    const x = T.dvector('x');
    const y = x.exp().add(1);
    const owner = y.owner!;
    const inputsBefore = [...owner.inputs];
    const z = T.dvector('z');
    const f = theano.function([z], y, { givens: [[x, z.mul(2)]] });
    expect(f([0]).toArray()).toEqual([2]);
    expect(owner.inputs).toEqual(inputsBefore);
    expect(y.owner).toBe(owner);
  });
});

describe('givens', () => {
  test('replace a variable by another expression', () => {
    const x = T.dscalar('x');
    const z = T.dscalar('z');
    const f = theano.function([z], x.mul(3), { givens: [[x, z.add(1)]] });
    expect(f(1)).toBe(6);
  });

  test('replace a variable by a shared variable (Theano’s minibatch idiom)', () => {
    const data = theano.shared([1, 2, 3]);
    const x = T.dvector('x');
    const f = theano.function([], x.mul(2), { givens: new Map([[x, data]]) });
    expect(f().toArray()).toEqual([2, 4, 6]);
  });

  test('a replacement of another type is rejected', () => {
    const x = T.dvector('x');
    const m = T.dmatrix('m');
    expect(() => theano.function([m], x.mul(2), { givens: [[x, m] as never] })).toThrow(
      /givens replace x of type float64 vector by one of type float64 matrix/,
    );
  });
});

describe('run-time errors', () => {
  test('a failing node names the op, the input shapes and the line that built it', () => {
    const x = T.dvector('x');
    const y = T.dvector('y');
    const z = x.add(y); // built here
    const f = theano.function([x, y], z);
    let err: Error | undefined;
    try {
      f([1, 2, 3], [1, 2]);
    } catch (e) {
      err = e as Error;
    }
    expect(err).toBeInstanceOf(theano.NodeError);
    expect(err!.message).toMatch(/do not broadcast/);
    expect(err!.message).toMatch(/in node: add\(x: float64\(3,\), y: float64\(2,\)\)/);
    expect(err!.message).toMatch(/built at: .*function\.test\.ts:\d+/);
  });

  test('a build-time type error names the op, the inputs and the user line', () => {
    const v = T.dvector('v');
    expect(() => T.and(v, v)).toThrow(
      /and: input 0 is float64, but and takes only integer or bool inputs\n {2}op: and\('v' \(float64 vector\), 'v' \(float64 vector\)\)\n {2}built at: .*function\.test\.ts/,
    );
  });
});
