// The seed tutorial (shared/seed/theano-tutorial.txt), end to end, with the seed's numbers.
import { expect, test } from 'vitest';
import * as theano from '../src/index.js';

const T = theano.tensor;

test('c = a + b with two dscalars', () => {
  const a = T.dscalar();
  const b = T.dscalar();
  const c = a.add(b);
  const f = theano.function([a, b], c);
  expect(f(1.5, 2.5)).toBe(4);
});

test('adding two matrices', () => {
  const x = T.dmatrix('x');
  const y = T.dmatrix('y');
  const f = theano.function([x, y], x.add(y));
  expect(
    f(
      [
        [1, 2],
        [3, 4],
      ],
      [
        [10, 20],
        [30, 40],
      ],
    ).toArray(),
  ).toEqual([
    [11, 22],
    [33, 44],
  ]);
});

test('a + a ** 10 on [0, 1, 2]', () => {
  const a = T.vector();
  const f = theano.function([a], a.add(a.pow(10)));
  const out = f([0, 1, 2]);
  expect(out.toArray()).toEqual([0, 2, 1026]);
  expect(out.toString()).toBe('[   0.    2. 1026.]');
});

test('the logistic function', () => {
  const x = T.dmatrix('x');
  const s = T.div(1, T.add(1, T.exp(x.neg())));
  const logistic = theano.function([x], s);
  const out = logistic([
    [0, 1],
    [-1, -2],
  ]);
  const expected = [
    [0, 1],
    [-1, -2],
  ].map((r) => r.map((v) => 1 / (1 + Math.exp(-v))));
  expect(out.toArray()).toEqual(expected);
  expect(out.toString()).toBe('[[0.5        0.73105858]\n [0.26894142 0.11920292]]');
  expect(theano.pp(s)).toBe('1 / (1 + exp(-x))');
});

test('a function with several outputs', () => {
  const [a, b] = T.dmatrices('a', 'b');
  const diff = a.sub(b);
  const f = theano.function([a, b], [diff, T.abs(diff), diff.mul(diff)]);
  const [d, ad, d2] = f(
    [
      [1, 1],
      [1, 1],
    ],
    [
      [0, 1],
      [2, 3],
    ],
  );
  expect(d.toArray()).toEqual([
    [1, 0],
    [-1, -2],
  ]);
  expect(ad.toArray()).toEqual([
    [1, 0],
    [1, 2],
  ]);
  expect(d2.toArray()).toEqual([
    [1, 0],
    [1, 4],
  ]);
});

test('the shared accumulator', () => {
  const state = theano.shared(0);
  const inc = T.iscalar('inc');
  const accumulator = theano.function([inc], state, { updates: [[state, state.add(inc)]] });
  expect(state.getValue()).toBe(0);
  expect(accumulator(1)).toBe(0); // the output is the value before the update
  expect(state.getValue()).toBe(1);
  accumulator(300);
  expect(state.getValue()).toBe(301);
});
