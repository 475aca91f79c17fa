import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';
import { anyOf, c, etc, Family, is, match, oneOf, P, paramsOf, rootOps, v } from '../../src/rewrite/pattern.js';

const T = theano.tensor;

describe('the pattern language', () => {
  const x = T.dvector('x');
  const y = T.dvector('y');
  test('matches ops, captures variables, and constants by value', () => {
    expect(match(P.mul(v('a'), c(1)), x.mul(1))).toEqual({ a: x });
    expect(match(P.mul(v('a'), c(1)), x.mul(2))).toBeNull();
    expect(match(P.add(v('a'), P.exp(v('b'))), x.add(T.exp(y)))).toEqual({ a: x, b: y });
  });
  test('commutative ops match with their inputs swapped; others do not', () => {
    expect(match(P.mul(v('a'), c(1)), T.mul(1, x))).toEqual({ a: x });
    expect(match(P.sub(v('a'), c(1)), T.sub(1, x))).toBeNull();
  });
  test('a name bound twice must be the same variable', () => {
    expect(match(P.sub(v('a'), v('a')), x.sub(x))).toEqual({ a: x });
    expect(match(P.sub(v('a'), v('a')), x.sub(y))).toBeNull();
  });
});

describe('families, variadic inputs, alternatives and params', () => {
  const x = T.dvector('x');
  const y = T.dvector('y');
  const n = T.lscalar('n');
  test('oneOf matches any op of a family; etc any number of further inputs', () => {
    const anyElemwise = oneOf(Family.elemwise, v('first'), etc);
    expect(match(anyElemwise, T.exp(x))).toEqual({ first: x });
    expect(match(anyElemwise, T.switch(T.gt(x, 0), x, y))).not.toBeNull();
    expect(match(anyElemwise, T.sum(x))).toBeNull();
    const reshape = P.reshape(v('x'), etc);
    expect(match(reshape, T.reshape(x, [2, -1]))).toEqual({ x });
    expect(match(reshape, T.reshape(x, [n, 2]))).toEqual({ x });
    expect(match(P.reshape(v('x')), T.reshape(x, [n, 2]))).toBeNull(); // without etc: exactly one input
  });
  test('anyOf matches the first alternative that matches; its roots are the union', () => {
    const oneMinus = anyOf(P.sub(c(1), v('p')), P.add(c(1), P.neg(v('p'))));
    expect(match(oneMinus, T.sub(1, x))).toEqual({ p: x });
    expect(match(oneMinus, T.add(1, T.neg(x)))).toEqual({ p: x });
    expect(match(oneMinus, T.add(2, T.neg(x)))).toBeNull();
    expect(rootOps(oneMinus)).toEqual(['sub', 'add']);
  });
  test('where tests typed params; is tests without capturing', () => {
    const sumOf = P.reduce(v('x')).where((p) => p.kind === 'sum');
    expect(match(sumOf, T.sum(x))).toEqual({ x });
    expect(match(sumOf, T.max(x))).toBeNull();
    expect(match(P.exp(is((w) => w.type.ndim === 1)), T.exp(x))).toEqual({});
    expect(paramsOf(T.sum(x, 0, { keepdims: true }), 'reduce').keepdims).toBe(true);
    expect(() => paramsOf(x, 'reduce')).toThrow(/expected a reduce node, got a leaf/);
  });
  test('an op name that does not exist is refused at run time too (for JavaScript callers)', () => {
    expect(() => (P as unknown as Record<string, () => unknown>).mull!()).toThrow(/there is no op named mull/);
  });
});

describe('dead and revived nodes', () => {
  test('a node left behind by a rewrite is skipped, and visited again once a later rewrite reads it', () => {
    const x = T.dvector('x');
    let kept: Tensor | undefined; // the sin(x) a rewrite replaced, held on to by the test's rules
    let sinVisits = 0;
    let readAgain = false;
    const rules = [
      // sqr(sin(x)) -> tanh(x): sin(x) has no reader left
      theano.rule('test_drop_sin', P.sqr(P.sin(v('x'))), ({ x }, m) => {
        kept = m.owner!.inputs[0] as Tensor;
        return T.tanh(x!);
      }),
      // cos(x) -> sin(x) + |cos(x)|, once, after sin(x) was dropped: the dropped node is read again
      theano.rule('test_read_again', P.cos(v('x')), ({ x }) => {
        if (!kept || readAgain) return null;
        readAgain = true;
        return T.add(kept, T.sqrt(T.sqr(T.cos(x!))));
      }),
      theano.rule('test_count_sin', P.sin(v('x')), () => {
        sinVisits++;
        return null;
      }),
    ];
    const mode = theano.FAST_COMPILE.withRules('canonicalize', rules).including(...rules.map((r) => r.name));
    const f = theano.function([x], [T.sqr(T.sin(x)), T.cos(x)], { mode });
    const [a, b] = f([0.5]) as NDArray[];
    expect(a!.item(0)).toBeCloseTo(Math.tanh(0.5), 12);
    expect(b!.item(0)).toBeCloseTo(Math.sin(0.5) + Math.cos(0.5), 12);
    // visited in the first sweep, skipped while dead, visited again after the second rewrite read it
    expect(sinVisits).toBeGreaterThanOrEqual(2);
  });
});

describe('a rule set does work proportional to the graph', () => {
  /** A chain of n elementwise ops on a vector, and its gradient. */
  const chain = (n: number) => {
    const x = T.dvector('x');
    let y: Tensor = x;
    for (let i = 0; i < n; i++) y = [T.tanh(y), T.mul(y, 2), T.add(y, 1), T.sin(y)][i % 4] as Tensor;
    const cost = T.sum(y) as Tensor<'float64', 0>;
    return { x, outputs: [cost, T.grad(cost, x)] };
  };
  const visits = (n: number) => {
    const { x, outputs } = chain(n);
    const f = theano.function([x], outputs, { mode: theano.FAST_RUN.withLinker('reference'), profile: true });
    return Object.fromEntries(f.profile!.passes.filter((p) => p.visits !== undefined).map((p) => [p.name, p.visits!]));
  };
  test('node visits per phase grow linearly with the chain (4x the nodes, at most 4.5x the visits)', () => {
    const small = visits(500);
    const large = visits(2000);
    for (const phase of ['canonicalize', 'stabilize']) {
      expect(small[phase], phase).toBeGreaterThan(500);
      expect(large[phase]! / small[phase]!, `${phase}: ${small[phase]} then ${large[phase]}`).toBeLessThan(4.5);
    }
    expect(large['specialize']).toBeLessThanOrEqual(4 * small['specialize']! + 4); // few nodes specialize looks at
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
    const y = x
      .mul(1)
      .add(0)
      .mul(T.exp(T.constant(0)));
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
    const tag = theano.rule('test_mul_one', P.mul(v('a'), c(1)), ({ a }) => {
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
    expect(profile.passes.map((p) => p.name)).toEqual([
      'merge',
      'constant_folding',
      'ifelse_constant_condition',
      'canonicalize',
      'stabilize',
      'specialize',
      'inner_graphs',
      'ifelse_share_outer',
      'scan_remove_unused',
      'scan_pushout_invariants',
      'scan_merge',
      'scan_remove_unused_inputs',
      'scan_save_mem',
      'merge_final',
    ]);
    expect(profile.rules.merge_nodes).toBeGreaterThanOrEqual(1);
    expect(profile.rules.constant_folding).toBeGreaterThanOrEqual(1);
    expect(profile.passes.every((p) => p.ms >= 0)).toBe(true);
    expect(theano.function([a], a.exp()).profile).toBeUndefined();
  });
});

describe('DEBUG mode', () => {
  test('a rewrite that changes a value is named, with the subgraph before and after', () => {
    const wrong = theano.rule('wrong_exp_to_x', P.exp(v('a')), ({ a }) => a!.add(1) as Tensor);
    const x = T.dvector('x');
    const f = theano.function([x], T.exp(x).mul(2), { mode: theano.DEBUG.withRules('canonicalize', [wrong]) });
    expect(() => f([0.5])).toThrow(
      /DEBUG mode: rewrite 'wrong_exp_to_x' \(pass canonicalize\) changed output 0[\s\S]*before: exp\(x\)[\s\S]*after: {2}x \+ 1/,
    );
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
    expect(() => f([-1])).toThrow(
      /NaN guard: output 0 of log has NaN at flat index 0[\s\S]*in node: log\(x: float64\(1,\)\)[\s\S]*built at: .*engine\.test\.ts/,
    );
  });
});
