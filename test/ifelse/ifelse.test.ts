/**
 * `theano.ifelse`: values in every mode, laziness (the branch not taken is never run, in the reference evaluator
 * and in generated code), lists of outputs, errors, printing.
 */
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { OpDef } from '../../src/graph/op.js';
import { NO_SHAPE_FACTS } from '../../src/graph/op.js';
import { applyOp } from '../../src/tensor/apply.js';
import type { Tensor } from '../../src/index.js';

const T = theano.tensor;
const MODES = ['FAST_COMPILE', 'FAST_RUN', 'DEBUG'] as const;

/** An op that counts its evaluations (it runs through `evaluate` in both linkers: it is not elementwise). */
function counter(): { op: OpDef<undefined>; calls: { n: number } } {
  const calls = { n: 0 };
  const op: OpDef<undefined> = {
    name: 'counted',
    inferType: ([x]) => [x!],
    evaluate([x]) {
      calls.n++;
      return [x!.copy()];
    },
    inferShape: NO_SHAPE_FACTS,
    pullback: undefined,
    print: { kind: 'call' },
  };
  return { op, calls };
}
const counted = (op: OpDef<undefined>, x: Tensor) => applyOp(op, undefined, [x])[0] as Tensor<'float64', 1>;

describe('ifelse values', () => {
  const [a, b] = T.dscalars('a', 'b');
  const x = T.dvector('x');
  test.each(MODES)('picks the branch of the condition (%s)', (mode) => {
    const z = theano.ifelse(T.lt(a, b), T.mean(x), T.sum(T.exp(x)));
    const f = theano.function([a, b, x], z, { mode });
    expect(f(1, 2, [1, 2, 3])).toBeCloseTo(2);
    expect(f(2, 1, [1, 2, 3])).toBeCloseTo(Math.exp(1) + Math.exp(2) + Math.exp(3));
  });

  test.each(MODES)('lists of outputs, branches returning inputs and constants (%s)', (mode) => {
    const [u, v] = theano.ifelse(T.gt(a, 0), [x.mul(2), x], [x, T.constant([7, 8, 9])]);
    const f = theano.function([a, x], [u, v], { mode });
    const [p, q] = f(1, [1, 2, 3]);
    expect(p.toArray()).toEqual([2, 4, 6]);
    expect(q.toArray()).toEqual([1, 2, 3]);
    q.data[0] = 100; // the output is the function's own array, not the input's or the constant's
    const [r, s] = f(-1, [1, 2, 3]);
    expect(r.toArray()).toEqual([1, 2, 3]);
    expect(s.toArray()).toEqual([7, 8, 9]);
    s.data[0] = 100;
    expect((f(-1, [1, 2, 3])[1] as theano.NDArray).toArray()).toEqual([7, 8, 9]);
  });

  test.each(MODES)('conditions: bool, int, float, NaN, JS values (%s)', (mode) => {
    const i = T.iscalar('i');
    const f = theano.function([i, x], theano.ifelse(i, x.sum(), x.prod()), { mode });
    expect(f(0, [2, 3])).toBe(6);
    expect(f(-3, [2, 3])).toBe(5);
    const g = theano.function([a], theano.ifelse(a, 1, T.constant(2)), { mode });
    expect(g(Number.NaN)).toBe(1); // NaN is true, as Python's bool(nan)
    expect(g(0)).toBe(2);
    const h = theano.function([x], theano.ifelse(false, x.sum(), x.max()), { mode });
    expect(h([1, 5])).toBe(5);
  });

  test.each(MODES)('nested ifelse, shared variables read at call time, updates (%s)', (mode) => {
    const w = theano.shared(2, { name: 'w' });
    const inner = theano.ifelse(T.gt(b, 0), w.mul(a), a.neg());
    const outer = theano.ifelse(T.gt(a, 0), inner, T.constant(0));
    const f = theano.function([a, b], outer, { mode, updates: [[w, w.add(1)]] });
    expect(f(3, 1)).toBe(6); // w = 2, then 3
    expect(f(3, 1)).toBe(9);
    expect(f(3, -1)).toBe(-3);
    expect(f(-3, 1)).toBe(0);
    expect(w.getValue()).toBe(6);
  });

  test('a constant condition: the branch taken is inlined (ifelse_constant_condition), in every optimizing mode', () => {
    for (const mode of ['FAST_RUN', 'DEBUG'] as const) {
      const [p, q] = theano.ifelse(T.constant(0), [x.sum(), x.mul(2)], [x.max(), x.neg()]);
      const f = theano.function([x], [p, q], { mode, profile: true });
      expect(f.profile!.rules['ifelse_constant_condition']).toBe(2);
      expect(f.graph.toposort().map((n) => n.op.name)).not.toContain('ifelse');
      const [a, v] = f([1, 5]);
      expect(a).toBe(5);
      expect(v.toArray()).toEqual([-1, -5]);
    }
  });

  test('constant folding: a condition and branches all constant are folded away', () => {
    const z = theano.ifelse(T.constant(1), T.constant(2).mul(3), T.constant(5));
    const f = theano.function([], z);
    expect(f()).toBe(6);
    expect(f.graph.toposort().length).toBe(0);
  });
});

describe('ifelse is lazy', () => {
  const c = T.bscalar('c');
  const x = T.dvector('x');
  test.each(MODES)('the branch not taken is never evaluated (%s)', (mode) => {
    const { op, calls } = counter();
    const z = theano.ifelse(c, counted(op, x).sum(), x.sum());
    const f = theano.function([c, x], z, { mode });
    const before = calls.n;
    expect(f(0, [1, 2])).toBe(3);
    expect(f(0, [1, 2])).toBe(3);
    expect(calls.n - before).toBe(0);
    expect(f(1, [1, 2])).toBe(3);
    // DEBUG compares each call with the reference evaluation of the unoptimized graph: two evaluations per call
    expect(calls.n - before).toBe(mode === 'DEBUG' ? 2 : 1);
  });

  test.each(MODES)('a branch that would throw is not run (%s)', (mode) => {
    const m = T.dmatrix('m');
    // dot of a (n, n) matrix with a vector of another length throws at run time, when it runs
    const z = theano.ifelse(c, T.dot(m, x).sum(), x.sum());
    const f = theano.function([c, m, x], z, { mode });
    expect(
      f(
        0,
        [
          [1, 2],
          [3, 4],
        ],
        [1, 2, 3],
      ),
    ).toBe(6);
    expect(() =>
      f(
        1,
        [
          [1, 2],
          [3, 4],
        ],
        [1, 2, 3],
      ),
    ).toThrow();
    expect(
      f(
        1,
        [
          [1, 2],
          [3, 4],
        ],
        [1, 1],
      ),
    ).toBe(10);
  });

  test('switch stays eager: both sides run', () => {
    const { op, calls } = counter();
    const f = theano.function([c, x], T.switch(c, counted(op, x), x).sum(), { mode: 'FAST_RUN' });
    const before = calls.n;
    f(0, [1, 2]);
    expect(calls.n - before).toBe(1);
  });

  test('each branch is compiled once, into generated code, and its work is not repeated per call', () => {
    const f = theano.function([c, x], theano.ifelse(c, T.exp(x).mul(2).add(1), x.neg()));
    expect(f.source).toContain('ifelse, its inner graphs linked');
    for (let k = 0; k < 3; k++) {
      expect((f(1, [0, 0]) as theano.NDArray).toArray()).toEqual([3, 3]);
      expect((f(0, [1, 2]) as theano.NDArray).toArray()).toEqual([-1, -2]);
    }
  });

  test('the inner graphs are optimized by the same pipeline (FAST_RUN rewrites inside, FAST_COMPILE does not)', () => {
    const build = () => theano.ifelse(c, T.log(T.add(1, T.exp(x))), x);
    const fast = theano.function([c, x], build(), { profile: true });
    expect(fast.profile!.rules['inner_graphs']).toBe(1);
    const node = fast.graph.outputs[0]!.owner!;
    expect(theano.pp(fast.graph.outputs[0]!)).toContain('softplus(x)');
    expect(node.op.name).toBe('ifelse');
    const slow = theano.function([c, x], build(), { mode: 'FAST_COMPILE' });
    expect(theano.pp(slow.graph.outputs[0]!)).toContain('log(1 + exp(x))');
    // the user's graph is unchanged
    const z = build();
    theano.function([c, x], z);
    expect(theano.pp(z)).toBe('ifelse(c, log(1 + exp(x)), x)');
  });

  test('ifelse_share_outer: work the outer graph does anyway is not repeated in the branch', () => {
    const { op, calls } = counter();
    const h = counted(op, x);
    const outputs = [h.sum(), theano.ifelse(c, h.max().mul(2), x.sum())] as const;
    const f = theano.function([c, x], outputs, { mode: 'FAST_RUN', profile: true });
    expect(f.profile!.rules['ifelse_share_outer']).toBe(1);
    const before = calls.n;
    expect(f(1, [1, 2])).toEqual([3, 4]);
    expect(f(0, [1, 2])).toEqual([3, 3]);
    expect(calls.n - before).toBe(2); // once per call, not twice when the branch reading h is taken
    const slow = theano.function([c, x], outputs, { mode: 'FAST_COMPILE' });
    const start = calls.n;
    expect(slow(1, [1, 2])).toEqual([3, 4]);
    expect(calls.n - start).toBe(2); // without the rewrite: once outside, once in the branch
    expect(theano.function([c, x], outputs, { mode: 'DEBUG' })(1, [1, 2])).toEqual([3, 4]);
  });

  test('outside: shared work is computed once, before the condition', () => {
    const { op, calls } = counter();
    const h = counted(op, x);
    const f = theano.function([c, x], theano.ifelse(c, h.sum(), h.max(), { outside: [h] }), { mode: 'FAST_RUN' });
    const before = calls.n;
    expect(f(1, [1, 2])).toBe(3);
    expect(f(0, [1, 2])).toBe(2);
    expect(calls.n - before).toBe(2);
  });
});

describe('ifelse errors', () => {
  const c = T.bscalar('c');
  test('branches of different types: a TypeError naming the output and both types', () => {
    const x = T.dvector('x');
    const y = T.fvector('y');
    const m = T.dmatrix('m');
    // @ts-expect-error: float64 vector vs float32 vector
    expect(() => theano.ifelse(c, x, y)).toThrow(
      /ifelse: output 0 \('x'\): the then branch is float64 vector and the else branch float32 vector/,
    );
    // @ts-expect-error: vector vs matrix
    expect(() => theano.ifelse(c, [x, x], [x, m])).toThrow(
      /output 1 \('x'\): the then branch is float64 vector and the else branch float64 matrix/,
    );
    // @ts-expect-error: two outputs against one
    expect(() => theano.ifelse(c, [x, x], [x])).toThrow(/the then branch has 2 outputs and the else branch 1/);
    // @ts-expect-error: a list against a single output
    expect(() => theano.ifelse(c, [x], x)).toThrow(/both branches as lists/);
  });
  test('the condition must be a scalar', () => {
    const x = T.dvector('x');
    // @ts-expect-error: a vector condition
    expect(() => theano.ifelse(x, x, x)).toThrow(/the condition must be a scalar/);
  });
});

describe('ifelse printing', () => {
  test('pp writes both branches; debugprint lists the inner graphs', () => {
    const [a, b] = T.dscalars('a', 'b');
    const x = T.dvector('x');
    const z = theano.ifelse(T.lt(a, b), x.sum(), T.exp(x).max());
    expect(theano.pp(z)).toBe('ifelse(a < b, sum(x, axis=[0]), max(exp(x), axis=[0]))');
    const [p, q] = theano.ifelse(a, [x, a.mul(2)], [x.neg(), b]);
    expect(theano.pp(p)).toBe('ifelse(a, [x, a * 2], [-x, b])[0]');
    expect(theano.pp(q)).toBe('ifelse(a, [x, a * 2], [-x, b])[1]');
    expect(theano.debugprint(z)).toBe(
      [
        'ifelse [id A] <float64 scalar>',
        ' |lt [id B] <bool scalar>',
        ' | |a [id C] <float64 scalar>',
        ' | |b [id D] <float64 scalar>',
        ' |x [id E] <float64 vector>',
        '',
        'Inner graphs:',
        '',
        'ifelse [id A]',
        ' then:',
        ' > reduce{kind=sum, axes=[0], keepdims=false, dtype=float64} [id F] <float64 scalar>',
        ' >  |x [id G] <float64 vector> -> [id E]',
        ' else:',
        ' > reduce{kind=max, axes=[0], keepdims=false, dtype=float64} [id H] <float64 scalar>',
        ' >  |exp [id I] <float64 vector>',
        ' >    |x [id G] <float64 vector> -> [id E]',
      ].join('\n'),
    );
  });
});
