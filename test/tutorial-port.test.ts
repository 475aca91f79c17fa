/**
 * The chapters of Theano's tutorial that have an API here, ported line by line, with the outputs the tutorial
 * documents (More Examples: logistic, multiple outputs, defaults, shared variables, copying functions, random
 * numbers; Derivatives; Conditions; Loops). The seed tutorial runs in test/seed.test.ts, examples/ in
 * test/examples.test.ts. Documented outputs are rounded as the tutorial prints them.
 */
import { describe, expect, test } from 'vitest';
import * as theano from '../src/index.js';
import type { NDArray } from '../src/index.js';

const T = theano.tensor;
const close = (a: NDArray, expected: number[][] | number[], digits = 7) => {
  const flat = (a.toArray() as unknown as number[] | number[][]).flat() as number[];
  (expected.flat() as number[]).forEach((v, i) => expect(flat[i]).toBeCloseTo(v, digits));
};

describe('More examples', () => {
  test('the logistic function, two ways', () => {
    const x = T.dmatrix('x');
    const s = T.div(1, T.add(1, T.exp(x.neg())));
    const logistic = theano.function([x], s);
    close(
      logistic([
        [0, 1],
        [-1, -2],
      ]),
      [
        [0.5, 0.73105858],
        [0.26894142, 0.11920292],
      ],
    );
    const s2 = T.div(T.add(1, T.tanh(x.div(2))), 2);
    close(
      theano.function(
        [x],
        s2,
      )([
        [0, 1],
        [-1, -2],
      ]),
      [
        [0.5, 0.73105858],
        [0.26894142, 0.11920292],
      ],
    );
  });

  // computing more than one thing at the same time: the seed tutorial's slide, in test/seed.test.ts

  test('setting a default value for an argument', () => {
    const [x, y] = T.dscalars('x', 'y');
    const f = theano.function([x, theano.In(y, { value: 1 })], x.add(y));
    expect([f(33), f(33, 2)]).toEqual([34, 35]);
    const w = T.dscalar('w');
    const g = theano.function(
      [x, theano.In(y, { value: 1 }), theano.In(w, { value: 2, name: 'w_by_name' })],
      x.add(y).mul(w),
    );
    expect([g(33), g(33, 2), g(33, 0, 1), g(33, { w_by_name: 1 }), g(33, { w_by_name: 1, y: 0 })]).toEqual([
      68, 70, 33, 34, 33,
    ]);
  });

  test('using shared variables: accumulator, reset, decrementor, givens', () => {
    const state = theano.shared(0, { dtype: 'int64' });
    const inc = T.iscalar('inc');
    const accumulator = theano.function([inc], state, { updates: [[state, state.add(inc)]] });
    expect(state.getValue()).toBe(0n);
    expect(accumulator(1)).toBe(0n);
    expect(state.getValue()).toBe(1n);
    expect(accumulator(300)).toBe(1n);
    expect(state.getValue()).toBe(301n);
    state.setValue(-1);
    expect(accumulator(3)).toBe(-1n);
    expect(state.getValue()).toBe(2n);
    const decrementor = theano.function([inc], state, { updates: [[state, state.sub(inc)]] });
    expect(decrementor(2)).toBe(2n);
    expect(state.getValue()).toBe(0n);
    const fnOfState = state.mul(2).add(inc);
    const foo = T.tensor(state.dtype, 0, 'foo'); // the type of foo must match the shared variable it replaces
    const skipShared = theano.function([inc, foo], fnOfState, { givens: [[state, foo]] });
    expect(skipShared(1, 3)).toBe(7n);
    expect(state.getValue()).toBe(0n);
  });

  test('copying functions', () => {
    const state = theano.shared(0, { dtype: 'int64' });
    const inc = T.iscalar('inc');
    const accumulator = theano.function([inc], state, { updates: [[state, state.add(inc)]] });
    expect(accumulator(10)).toBe(0n);
    expect(state.getValue()).toBe(10n);
    const newState = theano.shared(0, { dtype: 'int64' });
    const newAccumulator = accumulator.copy({ swap: new Map([[state, newState]]) });
    expect(newAccumulator(100)).toBe(0n);
    expect(newState.getValue()).toBe(100n);
    expect(state.getValue()).toBe(10n);
    const nullAccumulator = accumulator.copy({ deleteUpdates: true });
    expect(nullAccumulator(9000)).toBe(10n);
    expect(state.getValue()).toBe(10n);
    expect(nullAccumulator.updatedShared).toEqual([]);
  });

  test('using random numbers: draws advance, no_default_updates repeats, one draw per call', () => {
    const srng = new theano.RandomStreams(234);
    const rvU = srng.uniform([2, 2]);
    const rvN = srng.normal([2, 2]);
    const f = theano.function([], rvU);
    const g = theano.function([], rvN, { noDefaultUpdates: true });
    const nearlyZeros = theano.function([], rvU.add(rvU).sub(rvU.mul(2)));
    const [f1, f2] = [f(), f()];
    expect(f1.toArray()).not.toEqual(f2.toArray());
    for (const v of (f1.toArray() as number[][]).flat()) expect(v >= 0 && v < 1).toBe(true);
    expect(g().toArray()).toEqual(g().toArray());
    expect(nearlyZeros().toArray()).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });
});

describe('Derivatives', () => {
  test('gradient of x ** 2, of the logistic, the jacobian and the hessian', () => {
    const x = T.dscalar('x');
    const f = theano.function([x], T.grad(x.pow(2), x));
    expect(f(4)).toBe(8);
    expect(f(94.2)).toBeCloseTo(188.4, 10);
    const m = T.dmatrix('x');
    const s = T.sum(T.div(1, T.add(1, T.exp(m.neg()))));
    const dlogistic = theano.function([m], T.grad(s, m));
    close(
      dlogistic([
        [0, 1],
        [-1, -2],
      ]),
      [
        [0.25, 0.19661193],
        [0.19661193, 0.10499359],
      ],
    );
    const v = T.dvector('x');
    const J = theano.function([v], theano.jacobian(v.pow(2), v));
    expect(J([4, 4]).toArray()).toEqual([
      [8, 0],
      [0, 8],
    ]);
    const H = theano.function([v], theano.hessian(T.sum(v.pow(2)), v));
    expect(H([4, 4]).toArray()).toEqual([
      [2, 0],
      [0, 2],
    ]);
  });
});

describe('Conditions', () => {
  test('switch and the lazy ifelse give the same value', () => {
    const [a, b] = T.dscalars('a', 'b');
    const [x, y] = T.dmatrices('x', 'y');
    const zSwitch = T.switch(T.lt(a, b), T.mean(x), T.mean(y));
    const zLazy = theano.ifelse(T.lt(a, b), T.mean(x), T.mean(y));
    const fSwitch = theano.function([a, b, x, y], zSwitch);
    const fLazy = theano.function([a, b, x, y], zLazy);
    const ones = Array.from({ length: 100 }, () => Array.from({ length: 100 }, () => 1));
    const twos = ones.map((r) => r.map(() => 2));
    expect(fSwitch(0, 1, ones, twos)).toBe(1);
    expect(fLazy(0, 1, ones, twos)).toBe(1);
    expect(fLazy(1, 0, ones, twos)).toBe(2);
  });
});

describe('Loops', () => {
  test('A ** k and polynomial coefficients with scan', () => {
    const k = T.iscalar('k');
    const A = T.dvector('A');
    const [result, updates] = theano.scan((prior, B) => prior.mul(B), {
      outputsInfo: T.onesLike(A),
      nonSequences: [A],
      nSteps: k,
    });
    const power = theano.function([A, k], result.get(-1), { updates });
    expect(power([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 2).toArray()).toEqual([0, 1, 4, 9, 16, 25, 36, 49, 64, 81]);
    const coefficients = T.dvector('coefficients');
    const x = T.dscalar('x');
    const [components] = theano.scan((c, p, free) => c.mul(T.pow(free, p)), {
      sequences: [coefficients, T.arange(10000)],
      nonSequences: [x],
    });
    const polynomial = theano.function([coefficients, x], components.sum());
    expect(polynomial([1, 0, 2], 3)).toBe(19);
  });
});
