/**
 * The code generator's own guarantees: what fuses into one loop, what the generated source may contain, kernel
 * caching, the buffer plan (pooling, inplace reuse, nothing allocated on a repeated call) and the fallback to the
 * reference evaluator when run-time shapes do not fit one loop. Values are checked against the reference linker.
 */
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import { NDArray } from '../../src/index.js';
import { planSteps, type Step } from '../../src/codegen/fusion.js';
import { kernelCacheStats } from '../../src/codegen/kernel.js';
import { link } from '../../src/codegen/linker.js';
import { FunctionGraph } from '../../src/graph/function-graph.js';
import { optimize, FAST_RUN } from '../../src/rewrite/pipeline.js';
import type { Tensor } from '../../src/index.js';

const T = theano.tensor;
const REFERENCE = theano.FAST_RUN.withLinker('reference');

/** The optimized graph of `outputs`, as theano.function builds it. */
function optimized(inputs: readonly Tensor[], outputs: readonly Tensor[]): FunctionGraph {
  const g = new FunctionGraph(inputs, outputs);
  optimize(g, FAST_RUN);
  return g;
}
const kernels = (steps: readonly Step[]) => steps.filter((s) => s.kind === 'kernel');
const vec = (...v: number[]) => new NDArray<'float64', 1>('float64', [v.length], new Float64Array(v));

describe('fusion', () => {
  test('W1: a chain of elementwise ops is one loop with one output', () => {
    const x = T.dvector('x');
    const e = T.div(1, T.add(1, T.exp(T.neg(x))))
      .mul(T.tanh(x))
      .add(x.mul(x));
    const steps = planSteps(optimized([x], [e]));
    expect(steps).toHaveLength(1);
    expect(steps[0]!.kind).toBe('kernel');
    const f = theano.function([x], e);
    expect(f.source!.match(/function kernel/g)).toHaveLength(1);
    const r = theano.function([x], e, { mode: REFERENCE });
    expect(f([-2, 0, 0.5, 3]).toArray()).toEqual(r([-2, 0, 0.5, 3]).toArray());
  });

  test('sum(exp(x)) is one pass: the elementwise work is folded into the reduction', () => {
    const x = T.dvector('x');
    const steps = planSteps(optimized([x], [T.sum(T.exp(x))]));
    expect(steps).toHaveLength(1);
    const [k] = kernels(steps);
    expect(k?.kind === 'kernel' && k.ir.reduce?.kind).toBe('sum');
    expect(k?.kind === 'kernel' && k.ir.ops.map((o) => o.op)).toEqual(['exp']);
  });

  test('an intermediate read by two outputs makes one kernel with several outputs', () => {
    const x = T.dmatrix('x');
    const u = T.exp(x);
    const outs = [u.add(1), u.mul(x), u];
    const steps = planSteps(optimized([x], outs));
    expect(kernels(steps)).toHaveLength(1);
    expect(steps[0]!.kind === 'kernel' && steps[0]!.outputs).toHaveLength(3);
    const f = theano.function([x], outs);
    const r = theano.function([x], outs, { mode: REFERENCE });
    const input = [
      [0, 1],
      [2, -1],
    ];
    expect(f(input).map((a) => a.toArray())).toEqual(r(input).map((a) => a.toArray()));
  });

  test('a kernel with several outputs on broadcast (strided) operands writes each output once per element', () => {
    // regression: relu(a + b) and the mask of its gradient, with b a broadcast row, once zeroed the relu output
    const a = T.dmatrix('a');
    const b = T.dvector('b');
    const h = T.relu(a.add(b));
    const outs = [h, T.grad(T.sum(h), a)];
    const args = [
      [
        [1, -2, 3],
        [-4, 5, -6],
      ],
      [0.5, 0.5, 0.5],
    ] as const;
    const got = theano
      .function(
        [a, b],
        outs,
      )(...args)
      .map((v) => v.toArray());
    expect(got).toEqual(
      theano
        .function([a, b], outs, { mode: REFERENCE })(...args)
        .map((v) => v.toArray()),
    );
    expect(got[0]).toEqual([
      [1.5, 0, 3.5],
      [0, 5.5, 0],
    ]);
  });

  test('no fusion through a node outside the group (that would be a cycle)', () => {
    const x = T.dmatrix('x');
    const u = T.exp(x);
    const w = T.dot(u, x); // outside the loop, reads u
    const z = u.add(w); // reads u and w: cannot join u's loop, which w needs first
    const steps = planSteps(optimized([x], [z]));
    expect(kernels(steps)).toHaveLength(2);
    const input = [
      [0.5, 1],
      [2, -1],
    ];
    expect(theano.function([x], z)(input).toArray()).toEqual(
      theano.function([x], z, { mode: REFERENCE })(input).toArray(),
    );
  });

  test('no fusion of two groups when a path leaves one and enters the other through an outside node', () => {
    const x = T.dmatrix('x');
    const u = T.exp(x);
    const v = T.tanh(T.dot(u, x)); // its own loop, after the product of u
    const z = u.add(v); // would join both loops into one, which the product would both feed and read
    const steps = planSteps(optimized([x], [z]));
    expect(kernels(steps).map((k) => k.kind === 'kernel' && k.nodes.map((n) => n.op.name))).toEqual([
      ['exp'],
      ['tanh', 'add'],
    ]);
    const input = [
      [0.5, 1],
      [2, -1],
    ];
    expect(theano.function([x], z)(input).toArray()).toEqual(
      theano.function([x], z, { mode: REFERENCE })(input).toArray(),
    );
  });

  test('a merge whose cycle check would search thousands of unrelated nodes is refused; values stay right', () => {
    const [x, w] = T.dmatrices('x', 'w');
    const withChain = (length: number) => {
      const u = T.exp(x);
      let c: Tensor<'float64', 2> = w;
      for (let i = 0; i < length; i++) c = T.dot(c, w); // scheduled between u and z, independent of u
      return u.add(c);
    };
    const fusedOps = (z: Tensor) =>
      kernels(planSteps(optimized([x, w], [z]))).map((k) => k.kind === 'kernel' && k.nodes.length);
    expect(fusedOps(withChain(100))).toEqual([2]); // exp and add in one loop
    const long = withChain(5_000);
    expect(fusedOps(long)).toEqual([1, 1]); // proving no cycle would mean searching the whole chain
    const xs = [
      [0.5, 1],
      [2, -1],
    ];
    const ws = [
      [0.5, 0.25],
      [0.25, 0.5],
    ];
    expect(theano.function([x, w], long)(xs, ws).toArray()).toEqual(
      theano.function([x, w], long, { mode: REFERENCE })(xs, ws).toArray(),
    );
  });

  test('transposes and slices are views read with strides, not copies', () => {
    const x = T.dmatrix('x');
    const y = x.T.mul(2).add(x.get(T.slice(null, null, -1)).T);
    const steps = planSteps(optimized([x], [y]));
    expect(steps.filter((s) => s.kind === 'node')).toHaveLength(0);
    const input = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    expect(theano.function([x], y)(input).toArray()).toEqual(
      theano.function([x], y, { mode: REFERENCE })(input).toArray(),
    );
  });

  test('a reshape of a contiguous value is a view; of a strided one, a copy; either way the values are right', () => {
    const x = T.dmatrix('x');
    const flat = T.exp(x).reshape([-1]);
    const viaTranspose = x.T.reshape([-1]);
    const steps = planSteps(optimized([x], [flat.add(1), viaTranspose.mul(2)]));
    expect(steps.filter((s) => s.kind === 'view' && s.node.op.name === 'reshape')).toHaveLength(2);
    const input = [
      [1, 2, 3],
      [4, 5, 6],
    ];
    const f = theano.function([x], [flat.add(1), viaTranspose.mul(2), x.reshape([3, 2])]);
    const r = theano.function([x], [flat.add(1), viaTranspose.mul(2), x.reshape([3, 2])], { mode: REFERENCE });
    const xv = new NDArray<'float64', 2>('float64', [2, 3], new Float64Array([1, 2, 3, 4, 5, 6]));
    const got = f(xv);
    expect(got.map((a) => a.toArray())).toEqual(r(input).map((a) => a.toArray()));
    expect(got[1].toArray()).toEqual([2, 8, 4, 10, 6, 12]);
    // a reshape of an input is returned as a copy, never the caller's buffer
    expect(got[2].data).not.toBe(xv.data);
  });

  test('a very long chain is cut into loops of at most 256 ops (V8 optimizes smaller functions)', () => {
    const x = T.dvector('x');
    let y: Tensor<'float64', 1> = x;
    for (let i = 0; i < 600; i++) y = i % 2 ? T.sin(y) : T.cos(y);
    const ks = kernels(planSteps(optimized([x], [y])));
    expect(ks.length).toBe(3);
    for (const k of ks) expect(k.kind === 'kernel' && k.ir.ops.length).toBeLessThanOrEqual(256);
    expect(theano.function([x], y)([0.5, 2]).toArray()).toEqual(
      theano.function([x], y, { mode: REFERENCE })([0.5, 2]).toArray(),
    );
  });

  test('int64 sums of narrower integers are generated loops, exact, and fall back past 2^21 int32 terms', () => {
    const a = T.ivector('a');
    const b = T.ivector('b');
    const outs = [T.sum(T.eq(a, b)), T.sum(a.mul(3))];
    const steps = planSteps(optimized([a, b], outs));
    expect(steps.every((s) => s.kind === 'kernel')).toBe(true);
    const f = theano.function([a, b], outs);
    const max = 2147483647;
    // a * 3 wraps in int32 before the sum, as numpy's
    expect(f([1, 2, 3, max], [1, 5, 3, max])).toEqual([3n, BigInt(3 + 6 + 9 + ((3 * max) | 0))]);
    const n = 2 ** 21 + 1;
    const big = new NDArray<'int32', 1>('int32', [n], new Int32Array(n).fill(max));
    const g = theano.function([a], T.sum(a));
    expect(g(big)).toBe(BigInt(n) * BigInt(max));
  });

  test('int64 elementwise math stays exact (it runs the bigint reference path)', () => {
    const a = T.lvector('a');
    const f = theano.function([a], a.mul(3n).add(1n));
    expect(f([2n ** 62n + 7n, -5n]).toArray()).toEqual([BigInt.asIntN(64, (2n ** 62n + 7n) * 3n + 1n), -14n]);
  });

  test("Mode.excluding('fusion') (or Theano's 'local_elemwise_fusion'): one kernel per op, the same values", () => {
    const x = T.dvector('x');
    const y = T.exp(x.mul(2).add(1)).sum();
    const kernels = (f: { source: string | undefined }) => (f.source!.match(/\/\/ step \d+: kernel/g) ?? []).length;
    const fused = theano.function([x], y);
    const separate = theano.function([x], y, { mode: theano.FAST_RUN.excluding('fusion') });
    const byRuleName = theano.function([x], y, { mode: theano.FAST_RUN.excluding('local_elemwise_fusion', 'inplace') });
    expect(kernels(fused)).toBe(1);
    expect(kernels(separate)).toBe(4); // mul, add, exp, and the sum (not folded into its input's loop either)
    expect(kernels(byRuleName)).toBe(4);
    expect(separate([1, 2])).toBe(fused([1, 2]));
    // inner graphs too: a scan whose vector step would fuse
    const xs = T.dmatrix('xs');
    const [hs] = theano.scan((row, h) => T.tanh(row.mul(2).add(h)), { sequences: [xs], outputsInfo: [T.zeros([2])] });
    const run = (mode: theano.Mode) =>
      theano
        .function([xs], hs, { mode })([
          [1, 2],
          [3, 4],
        ])
        .toArray();
    expect(run(theano.FAST_RUN.excluding('fusion'))).toEqual(run(theano.FAST_RUN));
    expect(theano.FAST_RUN.excluding('fusion').including('fusion').fuses).toBe(true);
  });
});

describe('generated source', () => {
  test('contains no user text: a hostile variable, shared variable or function name is harmless', () => {
    const hostile = [
      '"); process.exit(1); ("',
      "'; throw new Error('pwned'); '",
      '*/ throw 1; /*',
      '\n}); globalThis.pwned = 1; ((',
      '${globalThis.pwned = 1}',
    ];
    for (const name of hostile) {
      const x = T.dvector(name);
      const s = theano.shared(vec(1, 2), { name });
      const f = theano.function([x], [x.mul(s).exp(), T.sum(x)], { name, updates: [[s, s.add(x)]] });
      for (const piece of ['process', 'pwned', 'throw 1', 'globalThis']) expect(f.source).not.toContain(piece);
      const [y, total] = f(vec(0, 1));
      expect(y.toArray()).toEqual([1, Math.exp(2)]);
      expect(total).toBe(1);
      expect(s.getValue().toArray()).toEqual([1, 3]);
      expect((globalThis as { pwned?: number }).pwned).toBeUndefined();
    }
  });

  test('f.source is set by the generating linker and absent with the reference evaluator', () => {
    const x = T.dvector('x');
    expect(theano.function([x], x.exp()).source).toMatch(/function run\(I\)/);
    expect(theano.function([x], x.exp(), { mode: 'FAST_COMPILE' }).source).toBeUndefined();
    expect(theano.function([x], x.exp(), { mode: REFERENCE }).source).toBeUndefined();
    expect(theano.function([x], x.exp(), { nanGuard: true }).source).toBeUndefined();
  });

  test('functions with the same fused subgraph share one compiled kernel', () => {
    const build = () => {
      const x = T.fmatrix('anyname');
      return theano.function([x], T.tanh(x).mul(x).sub(T.cos(x)));
    };
    build();
    const before = kernelCacheStats().compiles;
    const f = build();
    expect(kernelCacheStats().compiles).toBe(before);
    expect(f(new NDArray('float32', [1, 1], new Float32Array([0.5]))).toArray()[0]![0]).toBeCloseTo(
      Math.tanh(0.5) * 0.5 - Math.cos(0.5),
      6,
    );
  });
});

describe('memory plan', () => {
  // u, dot(u, m) and z are intermediates (pooled); z is written over u (the last reader of u), so two buffers
  // serve the three
  const build = () => {
    const x = T.dmatrix('x');
    const m = T.dmatrix('m');
    const u = T.exp(x);
    const z = u.add(T.dot(u, m));
    return { x, m, out: T.dot(z, m) };
  };

  test('an elementwise loop writes over the input it reads last (inplace), and a second call allocates nothing', () => {
    const { x, m, out } = build();
    const program = link(optimized([x, m], [out]), [x, m]);
    const xv = new NDArray<'float64', 2>('float64', [2, 2], new Float64Array([0, 1, 2, 3]));
    const mv = new NDArray<'float64', 2>('float64', [2, 2], new Float64Array([1, 0, 0.5, 1]));
    const first = program.run([xv, mv])[0]!.toArray();
    expect(program.pool.allocated).toBe(2);
    const second = program.run([xv, mv])[0]!.toArray();
    expect(program.pool.allocated).toBe(2);
    expect(second).toEqual(first);
    const reference = theano.function([x, m], out, { mode: REFERENCE })(xv, mv).toArray();
    expect(first).toEqual(reference);
  });

  test('a matrix product or softmax read only inside takes its result from the pool; an op that allocates its own is left alone', () => {
    const x = T.dmatrix('x');
    const w = T.dmatrix('w');
    const out = T.tanh(T.dot(x, w))
      .add(T.exp(T.nnet.softmax(x)))
      .mul(T.sum(T.concatenate([x, x], 1)));
    const program = link(optimized([x, w], [out]), [x, w]);
    const xv = new NDArray<'float64', 2>('float64', [2, 2], new Float64Array([0.5, 1, -1, 2]));
    const wv = new NDArray<'float64', 2>('float64', [2, 2], new Float64Array([1, 0.5, 0, 1]));
    const first = program.run([xv, wv])[0]!.toArray();
    // the dot's, the softmax's and the sum's results; concatenate allocates its own (not pooled)
    expect(program.pool.allocated).toBe(3);
    for (let i = 0; i < 3; i++) expect(program.run([xv, wv])[0]!.toArray()).toEqual(first);
    expect(program.pool.allocated).toBe(3);
    expect(first).toEqual(theano.function([x, w], out, { mode: REFERENCE })(xv, wv).toArray());
  });

  test('a function called with ever new shapes keeps the buffers of at most 64 sizes', () => {
    const x = T.dvector('x');
    const m = T.dmatrix('m');
    const out = T.dot(T.exp(x), m).sum();
    const program = link(optimized([x, m], [out]), [x, m]);
    for (let n = 1; n <= 150; n++) {
      const xv = new NDArray<'float64', 1>('float64', [n], new Float64Array(n).fill(0.5));
      const mv = new NDArray<'float64', 2>('float64', [n, 2], new Float64Array(2 * n).fill(1));
      const got = program.run([xv, mv])[0]!.item() as number;
      expect(got).toBeCloseTo(2 * n * Math.exp(0.5), 9);
    }
    expect(program.pool.sizes).toBeLessThanOrEqual(64);
    expect(program.pool.sizes).toBeGreaterThan(1);
  });

  test('a new input shape allocates new buffers; values stay right across shapes', () => {
    const { x, m, out } = build();
    const f = theano.function([x, m], out);
    const r = theano.function([x, m], out, { mode: REFERENCE });
    for (const n of [2, 3, 2, 1, 3]) {
      const xv = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i - j) / 4));
      const mv = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0.25)));
      expect(f(xv, mv).toArray()).toEqual(r(xv, mv).toArray());
    }
  });
});

describe('shapes that do not fit one loop', () => {
  test('outputs of different run-time shapes in one kernel fall back to the reference evaluator', () => {
    const [a, b, c] = T.dmatrices('a', 'b', 'c');
    const u = T.exp(c);
    const outs = [a.add(u), b.add(u)];
    const f = theano.function([a, b, c], outs);
    const r = theano.function([a, b, c], outs, { mode: REFERENCE });
    // a (3,1) and b (1,4) never meet, so the two sums have shapes (3,1) and (1,4)
    const args = [[[1], [2], [3]], [[1, 2, 3, 4]], [[0]]] as const;
    expect(f(...args).map((v) => v.shape)).toEqual([
      [3, 1],
      [1, 4],
    ]);
    expect(f(...args).map((v) => v.toArray())).toEqual(r(...args).map((v) => v.toArray()));
  });

  test('a broadcasting mismatch raises the reference error naming the node', () => {
    const [a, b] = T.dvectors('a', 'b');
    const f = theano.function([a, b], a.add(b).exp());
    expect(() => f([1, 2], [1, 2, 3])).toThrow(/in node: add\(a: float64\(2,\), b: float64\(3,\)\)/);
  });

  test('max over an empty axis raises the reference error', () => {
    const x = T.dmatrix('x');
    const f = theano.function([x], T.max(x.exp(), 0));
    expect(() => f(new NDArray('float64', [0, 2], new Float64Array(0)))).toThrow(/zero-size/);
  });
});

describe('profile', () => {
  test('profile: true records the calls and the time of each step, in generated code and in the reference evaluator', () => {
    const x = T.dmatrix('x');
    const w = T.dmatrix('w');
    const out = T.sum(T.tanh(T.dot(x, w)).mul(2));
    for (const mode of [undefined, 'FAST_COMPILE' as const]) {
      const f = theano.function([x, w], out, { profile: true, mode });
      for (let i = 0; i < 3; i++)
        f(
          [
            [1, 2],
            [3, 4],
          ],
          [
            [1, 0],
            [0, 1],
          ],
        );
      const { calls, steps } = f.profile!.run();
      expect(calls).toBe(3);
      expect(steps.flatMap((s) => s.ops).sort()).toEqual(['dot', 'mul', 'reduce', 'tanh']);
      for (const s of steps) expect(Number.isFinite(s.ms) && s.ms >= 0).toBe(true);
      expect(steps.map((s) => s.ms)).toEqual([...steps.map((s) => s.ms)].sort((a, b) => b - a));
    }
    const generated = theano.function([x, w], out, { profile: true }).profile!.run().steps;
    expect(generated.find((s) => s.ops.includes('tanh'))).toMatchObject({ kind: 'kernel', ops: ['tanh', 'reduce'] });
    expect(generated.find((s) => s.ops.includes('dot'))).toMatchObject({ kind: 'op' });
  });
});
