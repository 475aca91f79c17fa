import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';

const T = theano.tensor;

describe('pp', () => {
  const [a, b, c] = T.dscalars('a', 'b', 'c');
  test.each([
    [() => a.add(b).mul(c), '(a + b) * c'],
    [() => a.add(b.mul(c)), 'a + b * c'],
    [() => a.sub(b.sub(c)), 'a - (b - c)'],
    [() => a.sub(b).sub(c), 'a - b - c'],
    [() => a.pow(b.pow(c)), 'a ** b ** c'],
    [() => a.pow(b).pow(c), '(a ** b) ** c'],
    [() => a.neg().pow(2), '(-a) ** 2'],
    [() => T.exp(a.neg()).div(b), 'exp(-a) / b'],
    [() => a.lt(b).and(b.gt(c)), '(a < b) & (b > c)'],
    [() => T.switch(a.gt(0), a, b.mul(2)), 'switch(a > 0, a, b * 2)'],
    [() => a.cast('int32'), 'cast(a, dtype=int32)'],
    [() => a.add(-2), 'a + -2'],
    [() => a.mul(T.dscalar()), 'a * <float64 scalar>'],
    [() => T.dmatrix('m').T, 'dimshuffle(m, pattern=[1, 0])'],
  ])('%#: %s', (build, expected) => {
    expect(theano.pp(build())).toBe(expected);
  });

  test('an expression substituted into an ifelse branch is parenthesized only where the branch needs it', () => {
    const x = T.dvector('x');
    const y = T.dvector('y');
    const e = theano.ifelse(a.gt(0), T.exp(x).sum(), x.mul(2).sum());
    expect(theano.pp(theano.clone(e, { replace: [[x, y.mul(3)]] }))).toBe(
      'ifelse(a > 0, sum(exp(y * 3), axis=[0]), sum(y * 3 * 2, axis=[0]))',
    );
    expect(theano.pp(theano.clone(e, { replace: [[x, y.add(3)]] }))).toBe(
      'ifelse(a > 0, sum(exp(y + 3), axis=[0]), sum((y + 3) * 2, axis=[0]))',
    );
  });

  test('a named intermediate prints by its name', () => {
    const s = a.add(b).named('s');
    expect(theano.pp(s.mul(2))).toBe('s * 2');
    expect(theano.pp(s)).toBe('a + b');
  });
});

describe('debugprint', () => {
  test('an indented tree with op names, ids and types; shared subtrees are referenced', () => {
    const x = T.dmatrix('x');
    const e = x.exp();
    const y = e.add(e);
    expect(theano.debugprint(y)).toBe(
      [
        'add [id A] <float64 matrix>',
        ' |exp [id B] <float64 matrix>',
        ' | |x [id C] <float64 matrix>',
        ' |exp [id B] <float64 matrix> ...',
      ].join('\n'),
    );
  });

  test('a compiled function prints its outputs and update values', () => {
    const s = theano.shared(0, { name: 'state' });
    const inc = T.dscalar('inc');
    const f = theano.function([inc], s.mul(2), { updates: [[s, s.add(inc)]] });
    expect(theano.debugprint(f)).toBe(
      [
        'mul [id A] <float64 scalar>',
        ' |state [id B] <float64 scalar> (shared)',
        ' |2 [id C] <float64 scalar> (constant)',
        'add [id D] <float64 scalar>',
        ' |state [id B] <float64 scalar> (shared)',
        ' |inc [id E] <float64 scalar>',
      ].join('\n'),
    );
    expect(theano.pp(f)).toBe('state * 2\nstate + inc');
  });

  test('depth cuts the tree below the given level (the output is level 1)', () => {
    const x = T.dvector('x');
    const y = x.exp().add(1).tanh();
    expect(theano.debugprint(y, { depth: 2 })).toBe(
      ['tanh [id A] <float64 vector>', ' |add [id B] <float64 vector>'].join('\n'),
    );
    expect(theano.debugprint(y, { depth: 1 })).toBe('tanh [id A] <float64 vector>');
    expect(theano.debugprint(y, { depth: 10 })).toBe(theano.debugprint(y));
  });

  test('a tree deeper than maxNesting continues below its output, referred to by id', () => {
    const x = T.dvector('x');
    const y = x.exp().tanh().neg().sin();
    expect(theano.debugprint([y, y.mul(2)], { maxNesting: 2 })).toBe(
      [
        'sin [id A] <float64 vector>',
        ' |neg [id B] <float64 vector>',
        '   |tanh [id C] <float64 vector>',
        '     |exp [id D] <float64 vector> ... (below)',
        'exp [id D] <float64 vector>',
        ' |x [id E] <float64 vector>',
        'mul [id F] <float64 vector>',
        ' |sin [id A] <float64 vector> ...',
        ' |2 [id G] <float64 scalar> (constant)',
      ].join('\n'),
    );
  });

  test('the text grows linearly with a chain and its gradient (each node printed once, short lines)', () => {
    const size = (n: number) => {
      const x = T.dvector('x');
      let y: theano.Tensor<'float64', 1> = x;
      for (let i = 0; i < n; i++) y = i % 2 ? y.mul(x) : y.tanh();
      const cost = y.sum();
      return theano.debugprint([cost, T.grad(cost, x)]).length;
    };
    const small = size(1_000);
    const large = size(4_000);
    expect(large / small).toBeGreaterThan(3.5);
    expect(large / small).toBeLessThan(4.5);
  });
});
