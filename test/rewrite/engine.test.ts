import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { c, match, P, v } from '../../src/rewrite/pattern.js';

const T = theano.tensor;

describe('the pattern language', () => {
  const x = T.dvector('x');
  const y = T.dvector('y');
  test('matches ops, captures variables, and constants by value', () => {
    expect(match(P.mul!(v('a'), c(1)), x.mul(1))).toEqual({ a: x });
    expect(match(P.mul!(v('a'), c(1)), x.mul(2))).toBeNull();
    expect(match(P.add!(v('a'), P.exp!(v('b'))), x.add(T.exp(y)))).toEqual({ a: x, b: y });
  });
  test('commutative ops match with their inputs swapped; others do not', () => {
    expect(match(P.mul!(v('a'), c(1)), T.mul(1, x))).toEqual({ a: x });
    expect(match(P.sub!(v('a'), c(1)), T.sub(1, x))).toBeNull();
  });
  test('a name bound twice must be the same variable', () => {
    expect(match(P.sub!(v('a'), v('a')), x.sub(x))).toEqual({ a: x });
    expect(match(P.sub!(v('a'), v('a')), x.sub(y))).toBeNull();
  });
});

describe('the pipeline', () => {
  test('merge: equal subexpressions and duplicate outputs are computed once', () => {
    const [a, b] = T.dvectors('a', 'b');
    const f = theano.function([a, b], [a.mul(b).exp(), a.mul(b).exp()], { mode: 'FAST_COMPILE' });
    expect(f.graph.toposort().length).toBe(2);
    expect(f.graph.outputs[0]).toBe(f.graph.outputs[1]);
    const [p, q] = f([1], [2]);
    expect(p).not.toBe(q); // still two arrays for the caller
    expect(p.toArray()).toEqual(q.toArray());
  });

  test('constant folding: constant subgraphs are computed once, at compile time', () => {
    const x = T.dscalar('x');
    const k = T.exp(T.constant(2)).mul(3);
    const f = theano.function([x], x.mul(k), { mode: 'FAST_COMPILE' });
    expect(f.graph.toposort().length).toBe(1);
    expect(f(1)).toBeCloseTo(3 * Math.exp(2), 12);
  });

  test('the user graph is never changed by optimization', () => {
    const x = T.dscalar('x');
    const y = x.mul(1).add(0).mul(T.exp(T.constant(0)));
    const before = theano.debugprint(y);
    theano.function([x], y);
    expect(theano.debugprint(y)).toBe(before);
  });

  test('an update to itself is dropped; dead code is not run', () => {
    const s = theano.shared(1, { name: 's' });
    const x = T.dscalar('x');
    x.mul(100).exp(); // built, never used
    const f = theano.function([x], x.add(s), { updates: [[s, s]] });
    expect(f.updatedShared).toEqual([]);
    expect(f(1)).toBe(2);
  });

  test('modes: FAST_COMPILE skips rule sets; including/excluding select rules by name or tag', () => {
    const x = T.dvector('x');
    const y = x.mul(1);
    const seen: string[] = [];
    const tag = theano.rule('test_mul_one', P.mul!(v('a'), c(1)), ({ a }) => {
      seen.push('fired');
      return a!;
    });
    const mode = theano.FAST_COMPILE.withRules('canonicalize', [tag]);
    expect(theano.function([x], y, { mode }).graph.toposort().length).toBe(1);
    expect(seen).toEqual([]);
    const on = mode.including('test_mul_one');
    expect(theano.function([x], y, { mode: on }).graph.toposort().length).toBe(0);
    expect(seen).toEqual(['fired']);
    expect(theano.function([x], y, { mode: on.excluding('canonicalize') }).graph.toposort().length).toBe(1);
    expect(() => theano.function([x], y, { mode: 'FAST' as never })).toThrow(/unknown mode FAST/);
  });

  test('profile: time per pass and how often each rule fired', () => {
    const [a, b] = T.dvectors('a', 'b');
    const f = theano.function([a, b], [a.mul(b), a.mul(b).add(T.exp(T.constant(1)))], { profile: true });
    const profile = f.profile!;
    expect(profile.passes.map((p) => p.name)).toEqual(['merge', 'constant_folding', 'canonicalize', 'stabilize', 'specialize', 'merge_final']);
    expect(profile.rules.merge_nodes).toBeGreaterThanOrEqual(1);
    expect(profile.rules.constant_folding).toBeGreaterThanOrEqual(1);
    expect(profile.passes.every((p) => p.ms >= 0)).toBe(true);
    expect(theano.function([a], a.exp()).profile).toBeUndefined();
  });
});

describe('DEBUG mode', () => {
  test('a rewrite that changes a value is named, with the subgraph before and after', () => {
    const wrong = theano.rule('wrong_exp_to_x', P.exp!(v('a')), ({ a }) => a!.add(1) as Tensor);
    const x = T.dvector('x');
    const f = theano.function([x], T.exp(x).mul(2), { mode: theano.DEBUG.withRules('canonicalize', [wrong]) });
    expect(() => f([0.5])).toThrow(/DEBUG mode: rewrite 'wrong_exp_to_x' \(pass canonicalize\) changed output 0[\s\S]*before: exp\(x\)[\s\S]*after: {2}x \+ 1/);
    // the value is right at a point where the wrong rule happens to agree
    expect(f([0]).toArray()).toEqual([2]);
  });

  test('a correct pipeline passes the check, and the graph type-checks after every pass', () => {
    const x = T.dmatrix('x');
    const f = theano.function([x], T.grad(T.sum(T.tanh(x).mul(x)), x), { mode: 'DEBUG' });
    expect(f([[0.5, -1]]).shape).toEqual([1, 2]);
  });

  test('the NaN guard reports the first node that produced a NaN or an Inf', () => {
    const x = T.dvector('x');
    const y = T.log(x).mul(2); // built here
    const f = theano.function([x], y.add(1), { nanGuard: true, mode: 'FAST_COMPILE' });
    expect(f([1]).toArray()).toEqual([1]);
    expect(() => f([-1])).toThrow(/NaN guard: output 0 of log has NaN at flat index 0[\s\S]*in node: log\(x: float64\(1,\)\)[\s\S]*built at: .*engine\.test\.ts/);
  });
});
