/**
 * The API around theano.function (issue 17): In (defaults, names, strict), outputs as an object or none,
 * f.copy, x.eval, theano.clone and the graph helpers. Values are checked against plain JS arithmetic.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import { NDArray } from '../../src/index.js';
import { evalCacheSize } from '../../src/compile/eval.js';

const T = theano.tensor;
const any = (x: unknown) => x as never;

describe('theano.In: default and named arguments (the tutorial: Setting a Default Value)', () => {
  const [x, y, w] = T.dscalars('x', 'y', 'w');
  const f = theano.function(
    [x, theano.In(y, { value: 1 }), theano.In(w, { value: 2, name: 'w_by_name' })],
    x.add(y).mul(w),
  );

  test("the tutorial's calls and its documented outputs", () => {
    expect(f(33)).toBe(68);
    expect(f(33, 2)).toBe(70);
    expect(f(33, 0, 1)).toBe(33);
    expect(f(33, { w_by_name: 1 })).toBe(34);
    expect(f(33, { w_by_name: 1, y: 0 })).toBe(33);
  });

  test('any mix of positional, named and default arguments computes (x + y) * w', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -50, max: 50 }),
        fc.option(fc.integer({ min: -9, max: 9 })),
        fc.option(fc.integer({ min: -9, max: 9 })),
        (a, b, c) => {
          const named: Record<string, number> = {};
          if (b !== null) named.y = b;
          if (c !== null) named.w_by_name = c;
          expect(f(a, named)).toBe((a + (b ?? 1)) * (c ?? 2));
        },
      ),
      { seed: 17, numRuns: 60 },
    );
  });

  test('a default of a rank-1 input is converted once and reused', () => {
    const v = T.dvector('v');
    const g = theano.function([theano.In(v, { value: [1, 2, 3] })], v.mul(2));
    expect((g() as NDArray).toArray()).toEqual([2, 4, 6]);
    expect((g([5]) as NDArray).toArray()).toEqual([10]);
    expect((g() as NDArray).toArray()).toEqual([2, 4, 6]);
  });

  test('strict inputs take only values of their own dtype', () => {
    const s = T.fvector('s');
    const g = theano.function([theano.In(s, { strict: true })], s.mul(2));
    expect((g(new Float32Array([1, 2])) as NDArray).toArray()).toEqual([2, 4]);
    expect(() => g([1, 2])).toThrow(
      "function, input 0 ('s') is strict: expected float32 data, got float64 (JS numbers are float64); convert it first (or drop strict)",
    );
  });

  test('the messages', () => {
    expect(() => f(33, { wByName: 1 })).toThrow(
      "function: no input is named 'wByName' (did you mean 'w_by_name'?); the named inputs are 'x', 'y', 'w_by_name'",
    );
    expect(() => f(33, 2, { y: 3 })).toThrow("function: input 1 ('y') is given twice (by position and as 'y')");
    expect(() => (f as unknown as (...a: unknown[]) => unknown)()).toThrow(
      "function: missing argument for input 0 ('x'), which has no default",
    );
    expect(() => (f as unknown as (...a: unknown[]) => unknown)(1, 2, 3, 4)).toThrow(
      'function: expected 3 arguments at most, got 4',
    );
    expect(() => theano.function([theano.In(y, { value: 1 }), x], x.add(y))).toThrow(
      "function: input 1 ('x') has no default but comes after input 0 ('y'), which has one: inputs with defaults come last (as in a JS function)",
    );
    expect(() => theano.function([theano.In(x, { name: 'a' }), theano.In(y, { name: 'a' })], x.add(y))).toThrow(
      "function: inputs 0 and 1 are both named 'a': give one of them another name (In(v, { name }))",
    );
    expect(() => theano.In(x, any({ default: 1 }))).toThrow(
      "In('x'): unknown option 'default'; the options are value, name, strict, mutable",
    );
    expect(() => theano.In(x, any({ value: [1, 2] }))).toThrow("In('x'): the default value: expected a float64 scalar");
    expect(() => theano.In(x, any({ mutable: true }))).toThrow(
      "In('x'): mutable must be false: a compiled function never writes into its inputs",
    );
  });
});

describe('outputs as an object, or none', () => {
  test('an object of outputs gives an object of values with the same keys', () => {
    const v = T.dvector('v');
    const f = theano.function([v], { total: v.sum(), twice: v.mul(2), n: v.shape(0) });
    const out = f([1, 2, 3.5]);
    expect(Object.keys(out)).toEqual(['total', 'twice', 'n']);
    expect(out.total).toBe(6.5);
    expect(out.twice.toArray()).toEqual([2, 4, 7]);
    expect(out.n).toBe(3n);
  });

  test('[] with updates returns [], undefined with updates returns undefined', () => {
    const s = theano.shared(0, { name: 's' });
    const inc = T.dscalar('inc');
    const f = theano.function([inc], [], { updates: [[s, s.add(inc)]] });
    expect(f(2)).toEqual([]);
    const g = theano.function([inc], undefined, { updates: [[s, s.sub(inc)]] });
    expect(g(5)).toBeUndefined();
    expect(s.getValue()).toBe(-3);
  });

  test('no outputs and no updates is an error', () => {
    const x = T.dscalar('x');
    expect(() => (theano.function as (...a: unknown[]) => unknown)([x])).toThrow('function: no outputs given');
  });
});

describe('f.copy (the tutorial: Copying functions)', () => {
  // the tutorial's accumulator, swapped and without updates, is in test/tutorial-port.test.ts

  test('the copy reuses the optimized graph (no rewrite runs) and may share the buffer pool', () => {
    const w = theano.shared(
      [
        [1, 2],
        [3, 4],
      ],
      { name: 'w' },
    );
    const x = T.dmatrix('x');
    const f = theano.function([x], T.tanh(T.dot(x, w)).mul(2).sum(), { profile: true });
    const w2 = theano.shared(
      [
        [0, 1],
        [1, 0],
      ],
      { name: 'w2' },
    );
    const g = f.copy({ swap: [[w, w2]], share: true, name: 'g' });
    expect(g.name).toBe('g');
    expect(g.profile!.passes).toBe(f.profile!.passes); // the very same optimization record: not re-run
    const input = [
      [0.5, -1],
      [2, 0.25],
    ];
    const ref = (m: number[][]) => {
      let s = 0;
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++) s += 2 * Math.tanh(input[i]![0]! * m[0]![j]! + input[i]![1]! * m[1]![j]!);
      return s;
    };
    expect(f(input)).toBeCloseTo(
      ref([
        [1, 2],
        [3, 4],
      ]),
      12,
    );
    expect(g(input)).toBeCloseTo(
      ref([
        [0, 1],
        [1, 0],
      ]),
      12,
    );
    expect(f(input)).toBeCloseTo(
      ref([
        [1, 2],
        [3, 4],
      ]),
      12,
    );
  });

  test('a DEBUG copy checks its calls against its own unoptimized graph (with the swapped variable)', () => {
    const w = theano.shared([1, 2], { name: 'w' });
    const w2 = theano.shared([3, -4], { name: 'w2' });
    const x = T.dvector('x');
    const f = theano.function([x], T.log(T.exp(x.mul(w))).sum(), { mode: 'DEBUG', updates: [[w, w.add(1)]] });
    const g = f.copy({ swap: [[w, w2]], deleteUpdates: true });
    expect(g([1, 1])).toBe(-1);
    expect(w2.getValue().toArray()).toEqual([3, -4]);
    const written = theano.printing.pp(g.unoptimizedGraph.outputs[0]!);
    expect(written).toContain('w2');
    expect(written).not.toMatch(/\bw\b/);
    expect(g.unoptimizedGraph.outputs.length).toBe(1);
    expect(f([1, 1])).toBe(3);
    expect(f.unoptimizedGraph.outputs.length).toBe(2);
    expect(g([2, 0])).toBe(6);
  });

  test("a DEBUG copy still names the rewrite that turned a NaN finite (the copy's calls are checked)", () => {
    const messages: string[] = [];
    const saved = { ...theano.debugOptions };
    Object.assign(theano.debugOptions, { verbose: 1, report: (m: string) => messages.push(m) });
    try {
      const w = theano.shared([1, 2], { name: 'w' });
      const w2 = theano.shared([3, 4], { name: 'w2' });
      const x = T.dvector('x');
      const f = theano.function([x], x.div(x).mul(w), { mode: 'DEBUG' });
      const g = f.copy({ swap: [[w, w2]] });
      expect(g([0, 1]).toArray()).toEqual([3, 4]);
      expect(messages).toHaveLength(1);
      expect(messages[0]).toMatch(/value changed by rewrite '\w+'.*\(NaN -> finite\)/);
    } finally {
      Object.assign(theano.debugOptions, saved);
    }
  });

  test('the messages', () => {
    const s = theano.shared(0, { name: 's' });
    const t = theano.shared(0, { name: 't', dtype: 'int32' });
    const other = theano.shared(1, { name: 'other' });
    const x = T.dscalar('x');
    const f = theano.function([x], s.add(x));
    expect(() => f.copy({ swap: new Map([[s, t as never]]) })).toThrow(
      "function.copy: swap replaces shared variable 's' (float64 scalar) by one of type int32 scalar",
    );
    expect(() => f.copy({ swap: new Map([[other, s]]) })).toThrow(
      "function.copy: swap names shared variable 'other', which this function does not use",
    );
    expect(() => f.copy(any({ delete_updates: true }))).toThrow(
      "function.copy: unknown option 'delete_updates' (did you mean 'deleteUpdates'?); the options are swap, deleteUpdates, share, name, profile",
    );
  });
});

describe('x.eval', () => {
  test('values by name or by variable; one compiled function per set of inputs', () => {
    const [a, b] = T.dvectors('a', 'b');
    const e = a.mul(b).add(1);
    expect(e.eval({ a: [1, 2], b: [3, 4] }).toArray()).toEqual([4, 9]);
    expect(evalCacheSize(e)).toBe(1);
    expect(
      e
        .eval(
          new Map([
            [a, [2, 2]],
            [b, [5, 6]],
          ]),
        )
        .toArray(),
    ).toEqual([11, 13]);
    expect(
      e
        .eval([
          [b, [1]],
          [a, [7]],
        ])
        .toArray(),
    ).toEqual([8]);
    expect(evalCacheSize(e)).toBe(1);
    const c = theano.shared(3);
    expect(c.mul(2).eval()).toBe(6);
  });

  test('the messages', () => {
    const a = T.dvector('a');
    const a2 = T.dvector('a');
    expect(() => a.add(1).eval({ b: [1] })).toThrow("eval: the expression has no input named 'b'; its inputs are 'a'");
    expect(() => a.add(a2).eval({ a: [1] })).toThrow(
      `eval: 2 different inputs are named 'a' (ids ${a.id}, ${a2.id}): pass a Map from variables to values`,
    );
    expect(() => a.add(1).eval()).toThrow(
      "function 'eval': missing input: the outputs depend on 'a' (float64 vector), which is not among the inputs",
    );
  });
});

describe('theano.clone and the graph helpers', () => {
  test('clone with replace computes the substituted expression; the original is unchanged', () => {
    const [x, y] = T.dscalars('x', 'y');
    const z = x.mul(2).add(1);
    const w = theano.clone(z, { replace: [[x, y.sqr()]] });
    const fw = theano.function([y], w);
    const fz = theano.function([x], z);
    fc.assert(
      fc.property(fc.double({ min: -100, max: 100, noNaN: true }), (v) => {
        expect(fw(v)).toBeCloseTo(v * v * 2 + 1, 9);
        expect(fz(v)).toBeCloseTo(v * 2 + 1, 9);
      }),
      { seed: 3, numRuns: 40 },
    );
    const [u, v] = theano.cloneReplace([z, z.neg()], new Map([[x, y]]));
    expect(theano.pp(u)).toBe('y * 2 + 1');
    expect(theano.graph.inputs(v).filter((l) => !l.isConstant)).toEqual([y]);
  });

  test('graph.inputs and graph.ancestors, with blockers', () => {
    const [x, y] = T.dscalars('x', 'y');
    const s = theano.shared(1, { name: 's' });
    const h = x.mul(y);
    const out = h.add(s);
    expect(theano.graph.inputs(out)).toEqual([x, y, s]);
    expect(theano.graph.inputs(out, [h])).toEqual([h, s]);
    const all = theano.graph.ancestors(out);
    expect(all).toContain(h);
    expect(all.indexOf(x)).toBeLessThan(all.indexOf(h));
    expect(all[all.length - 1]).toBe(out);
  });

  test('the messages', () => {
    const x = T.dscalar('x');
    const i = T.iscalar('i');
    expect(() => theano.clone(x.add(1), { replace: [[x, i as never]] })).toThrow(
      "clone: 'x' (float64 scalar) cannot be replaced by one of type int32 scalar (use .cast('float64'))",
    );
    expect(() => theano.clone(x, any({ replaces: [] }))).toThrow(
      "clone: unknown option 'replaces' (did you mean 'replace'?); the options are replace",
    );
  });
});
