/**
 * The scan rewrites (src/rewrite/rules/scan.ts): each leaves the values unchanged (FAST_RUN and DEBUG against
 * FAST_COMPILE, which runs none of them), is counted in the profile, and changes the scan node as it says.
 */
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { Apply, Variable } from '../../src/graph/variable.js';
import { evaluateNodes } from '../../src/graph/evaluate.js';
import { toNDArray } from '../../src/runtime/convert.js';
import type { ScanParams } from '../../src/ops/scan.js';
import type { NDArray, Tensor } from '../../src/index.js';

const T = theano.tensor;

const scanNodes = (f: { graph: theano.FunctionGraph }): Apply<ScanParams>[] =>
  f.graph.toposort().filter((n) => n.op.name === 'scan') as Apply<ScanParams>[];
const stepOps = (node: Apply<ScanParams>) => node.params.step.toposort().map((n) => n.op.name);

function values(out: unknown): number[][] {
  const list = Array.isArray(out) ? out : [out];
  return list.map((a: NDArray | number) =>
    typeof a === 'number' ? [a] : (a.toArray() as number[] | number[][]).flat(),
  );
}

function expectSameValues(inputs: Tensor[], outputs: Tensor[], args: unknown[]): void {
  const reference = values(theano.function(inputs, outputs, { mode: 'FAST_COMPILE' })(...(args as never[])));
  for (const mode of ['FAST_RUN', 'DEBUG'] as const) {
    const got = values(theano.function(inputs, outputs, { mode })(...(args as never[])));
    got.forEach((row, i) => row.forEach((v, k) => expect(v).toBeCloseTo(reference[i]![k]!, 10)));
  }
}

describe('scan rewrites', () => {
  const x = T.dmatrix('x');
  const W = T.dmatrix('W');
  const b = T.dvector('b');
  const h0 = T.dvector('h0');
  const args = [
    [
      [1, 2],
      [3, 4],
      [5, 6],
    ],
    [
      [0.1, 0.2],
      [0.3, 0.4],
    ],
    [0.1, -0.1],
    [0.5, -0.5],
  ];

  test('the step graph is optimized by the same pipeline', () => {
    const [hs] = theano.scan((xt: Tensor, h: Tensor) => T.log(T.add(1, T.exp(xt.add(h)))), {
      sequences: [x],
      outputsInfo: [h0],
    }) as unknown as [Tensor];
    const f = theano.function([x, h0], hs, { profile: true });
    expect(f.profile!.rules['inner_graphs']).toBe(1);
    expect(stepOps(scanNodes(f)[0]!)).toContain('softplus');
    expectSameValues([x, h0], [hs], [args[0], args[3]]);
  });

  test('loop-invariant computation moves out of the loop (W.T, exp(b)), computed once', () => {
    const [hs] = theano.scan(
      (xt: Tensor, h: Tensor, w: Tensor, bias: Tensor) => T.tanh(T.dot(xt, w.T).add(T.dot(h, w)).add(T.exp(bias))),
      { sequences: [x], outputsInfo: [h0], nonSequences: [W, b] },
    ) as unknown as [Tensor];
    const f = theano.function([x, W, b, h0], hs, { profile: true });
    expect(f.profile!.rules['scan_pushout_invariants']).toBe(1);
    const node = scanNodes(f)[0]!;
    const ops = stepOps(node);
    expect(ops).not.toContain('exp');
    expect(ops).not.toContain('dimshuffle');
    // the outer graph computes them, before the loop
    const outer = f.graph.toposort().map((n) => n.op.name);
    expect(outer).toContain('exp');
    expect(node.inputs.map((v) => v.owner?.op.name ?? v.name)).toEqual(expect.arrayContaining(['exp', 'dimshuffle']));
    // b itself is no longer an input of the loop: the step only reads exp(b)
    expect(node.inputs).not.toContain(b);
    expectSameValues([x, W, b, h0], [hs], args);
    const off = theano.function([x, W, b, h0], hs, { mode: theano.FAST_RUN.excluding('scan_pushout_invariants') });
    expect(stepOps(scanNodes(off)[0]!)).toContain('exp');
  });

  test('unused outputs are not computed; a recurrent output another output reads stays', () => {
    // outputs: h (recurrent), s = sum(h) (not fed back), c (recurrent, a counter nobody reads), and g (recurrent,
    // unread) whose taps feed the read output s2
    const c0 = T.dscalar('c0');
    const [outs] = theano.scan(
      (xt: Tensor, h: Tensor, c: Tensor, g: Tensor) => {
        const hn = T.tanh(xt.add(h));
        const gn = g.mul(0.5).add(xt.sum());
        return [hn, hn.sum(), c.add(1), gn, gn.mul(2).sum()];
      },
      { sequences: [x], outputsInfo: [h0, null, c0, h0, null] },
    ) as unknown as [Tensor[]];
    const [h, , , , s2] = outs;
    const f = theano.function([x, h0, c0], [h!, s2!], { profile: true });
    expect(f.profile!.rules['scan_remove_unused']).toBeGreaterThanOrEqual(1);
    const node = scanNodes(f)[0]!;
    expect(node.params.recurrent.length).toBe(2); // h and g: the counter c is gone, g stays for s2
    expect(node.params.nNitSot).toBe(1); // sum(h) is gone
    expect(node.inputs).not.toContain(c0);
    expectSameValues([x, h0, c0], [h!, s2!], [args[0], args[3], 0].map((a) => a) as unknown[]);
  });
});

describe('scan_save_mem: outputs read only at their last step keep one row', () => {
  const u = T.dvector('u');
  const h0 = T.dscalar('h0');

  /** The shapes of the scan node's outputs when the optimized graph runs (reference evaluator, node by node). */
  function scanOutputShapes(
    f: { graph: theano.FunctionGraph },
    inputs: readonly Tensor[],
    args: readonly unknown[],
  ): number[][] {
    const values = new Map<Variable, NDArray>();
    inputs.forEach((v, i) => values.set(v, toNDArray(args[i] as never, { dtype: v.dtype })));
    const nodes = f.graph.toposort();
    for (const n of nodes) for (const i of n.inputs) if (i.data) values.set(i, i.data);
    evaluateNodes(nodes, values);
    return scanNodes(f)[0]!.outputs.map((o) => [...values.get(o)!.shape]);
  }

  test('h[-1] of a 10,000-step recurrence: one row kept, values unchanged', () => {
    const [hs] = theano.scan((ut: Tensor, h: Tensor) => T.tanh(h.mul(0.5).add(ut)), {
      sequences: [u],
      outputsInfo: [h0],
    }) as unknown as [Tensor];
    const last = hs.get(-1) as Tensor;
    const f = theano.function([u, h0], last, { profile: true });
    expect(f.profile!.rules['scan_save_mem']).toBe(1);
    const node = scanNodes(f)[0]!;
    expect(node.params.keepLast).toEqual([true]);
    const n = 10_000;
    const uv = Array.from({ length: n }, (_, i) => Math.sin(i));
    expect(scanOutputShapes(f, [u, h0], [uv, 0.3])).toEqual([[1]]);
    let h = 0.3;
    for (const x of uv) h = Math.tanh(0.5 * h + x);
    expect(f(uv, 0.3)).toBeCloseTo(h, 12);
    expectSameValues([u, h0], [last], [uv.slice(0, 50), 0.3]);
  });

  test('taps [-2, -1] (Fibonacci) keep a ring of two rows; reduce and nit-sot outputs too; until', () => {
    const init = T.dvector('init');
    const [fib] = theano.scan((a: Tensor, b: Tensor) => a.add(b), {
      outputsInfo: [{ initial: init, taps: [-2, -1] }],
      nSteps: 10,
    }) as unknown as [Tensor];
    const f = theano.function([init], fib.get(-1) as Tensor, { profile: true });
    expect(f.profile!.rules['scan_save_mem']).toBe(1);
    expect(f([0, 1])).toBe(89);
    expectSameValues([init], [fib.get(-1) as Tensor], [[0, 1]]);

    const [total] = theano.reduce((ut: Tensor, acc: Tensor) => acc.add(ut.mul(ut)), [u], [h0]) as unknown as [Tensor];
    const g = theano.function([u, h0], total, { profile: true });
    expect(g.profile!.rules['scan_save_mem']).toBe(1);
    expect(g([1, 2, 3], 0)).toBe(14);

    const v = T.dmatrix('v');
    const [rows] = theano.scan((vt: Tensor) => vt.mul(2), { sequences: [v], outputsInfo: [null] }) as unknown as [
      Tensor,
    ];
    const lastFirst = rows.get(-1, 0) as Tensor;
    const k = theano.function([v], lastFirst, { profile: true });
    expect(k.profile!.rules['scan_save_mem']).toBe(1);
    expect(
      k([
        [1, 2],
        [3, 4],
      ]),
    ).toBe(6);
    expect(
      scanOutputShapes(
        k,
        [v],
        [
          [
            [1, 2],
            [3, 4],
            [5, 6],
          ],
        ],
      ),
    ).toEqual([[1, 2]]);

    // until: the last step run, not the last possible one
    const [count] = theano.scan((c: Tensor) => ({ outputs: c.add(1), until: T.ge(c.add(1), 4) }), {
      outputsInfo: [h0],
      nSteps: 100,
    }) as unknown as [Tensor];
    const stop = theano.function([h0], count.get(-1) as Tensor, { profile: true });
    expect(stop.profile!.rules['scan_save_mem']).toBe(1);
    expect(stop(0)).toBe(4);
    expectSameValues([h0], [count.get(-1) as Tensor], [0]);
  });

  test('an output read anywhere else is kept whole', () => {
    const [hs] = theano.scan((ut: Tensor, h: Tensor) => h.add(ut), {
      sequences: [u],
      outputsInfo: [h0],
    }) as unknown as [Tensor];
    const f = theano.function([u, h0], [hs.get(-1) as Tensor, hs.sum()], { profile: true });
    expect(f.profile!.rules['scan_save_mem']).toBeUndefined();
    expect(f([1, 2, 3], 0)).toEqual([6, 10]);
    const off = theano.function([u, h0], hs.get(-1) as Tensor, { mode: theano.FAST_RUN.excluding('scan_save_mem') });
    expect(scanNodes(off)[0]!.params.keepLast).toBeUndefined();
  });
});

describe('scan_merge: scans over the same steps become one loop', () => {
  const x = T.dmatrix('x');
  const y = T.dmatrix('y');
  const W = T.dmatrix('W');
  const h0 = T.dvector('h0');
  const xv = [
    [1, 2],
    [3, 4],
    [5, 6],
  ];
  const Wv = [
    [0.1, 0.2],
    [0.3, -0.4],
  ];
  const h0v = [0.5, -0.5];
  const count = (f: { graph: theano.FunctionGraph }) => scanNodes(f).length;
  const recurrence = (seq: Tensor, options: { goBackwards?: boolean; truncateGradient?: number } = {}) =>
    (
      theano.scan((xt: Tensor, h: Tensor, w: Tensor) => T.tanh(T.exp(xt.mul(0.1)).add(T.dot(h, w))), {
        sequences: [seq],
        outputsInfo: [h0],
        nonSequences: [W],
        ...options,
      }) as unknown as [Tensor]
    )[0];
  const rowSums = (seq: Tensor, options: { goBackwards?: boolean } = {}) =>
    (
      theano.scan((xt: Tensor, w: Tensor) => T.exp(xt.mul(0.1)).mul(2).sum().add(w.sum()), {
        sequences: [seq],
        outputsInfo: [null],
        nonSequences: [W],
        ...options,
      }) as unknown as [Tensor]
    )[0];

  test('two scans over one sequence: one loop reading it once, what both steps compute computed once', () => {
    const hs = recurrence(x);
    const ys = rowSums(x);
    const f = theano.function([x, W, h0], [hs, ys], { profile: true });
    expect(f.profile!.rules['scan_merge']).toBe(2); // each output of the two scans replaced once
    expect(count(f)).toBe(1);
    const node = scanNodes(f)[0]!;
    expect(node.params.nSequences).toBe(1);
    expect(node.params.recurrent.length).toBe(1);
    expect(node.params.nNitSot).toBe(1);
    expect(node.inputs.filter((v) => v === x)).toHaveLength(1);
    expect(node.inputs.filter((v) => v === W)).toHaveLength(1);
    // exp(x[t] * 0.1) is in both steps: the merged step computes it once
    expect(stepOps(node).filter((op) => op === 'exp')).toHaveLength(1);
    expectSameValues([x, W, h0], [hs, ys], [xv, Wv, h0v]);
    const off = theano.function([x, W, h0], [hs, ys], { mode: theano.FAST_RUN.excluding('scan_merge') });
    expect(count(off)).toBe(2);
  });

  test('sequences of provably the same length (x and exp(x), whose length canonicalize reads from x): they merge', () => {
    const hs = recurrence(x);
    const ys = rowSums(T.exp(x));
    const f = theano.function([x, W, h0], [hs, ys], { profile: true });
    expect(count(f)).toBe(1);
    expect(scanNodes(f)[0]!.params.nSequences).toBe(2);
    expectSameValues([x, W, h0], [hs, ys], [xv, Wv, h0v]);
  });

  test('three scans with the same constant nSteps and no sequences merge into one', () => {
    const a = T.dscalar('a');
    const run = (fn: (prev: Tensor) => Tensor) =>
      (theano.scan(fn, { outputsInfo: [a], nSteps: 6 }) as unknown as [Tensor])[0];
    const outs = [run((p) => p.mul(0.5).add(1)), run((p) => T.sin(p)), run((p) => p.mul(p).mul(0.1))];
    const f = theano.function([a], outs, { profile: true });
    expect(count(f)).toBe(1);
    expect(scanNodes(f)[0]!.params.recurrent.length).toBe(3);
    expectSameValues([a], outs, [0.7]);
  });

  test('a scan updating a shared variable merges with another; the update still applies', () => {
    const total = theano.shared(0, { dtype: 'float64', name: 'total' });
    const u = T.dvector('u');
    const [, updates] = theano.scan((ut) => ({ updates: [[total, total.add(ut)]] as const }), { sequences: [u] });
    const [squares] = theano.scan((ut: Tensor) => ut.mul(ut), { sequences: [u], outputsInfo: [null] }) as unknown as [
      Tensor,
    ];
    const f = theano.function([u], squares, { updates, profile: true });
    expect(f.profile!.rules['scan_merge']).toBeGreaterThan(0);
    expect(count(f)).toBe(1);
    expect((f([1, 2, 3]) as NDArray).toArray()).toEqual([1, 4, 9]);
    expect(total.getValue()).toBe(6);
    f([4]);
    expect(total.getValue()).toBe(10);
  });

  test('until: the same condition over the same sequence merges; another condition, or only one until, does not', () => {
    const u = T.dvector('u');
    const uv = [0.5, 1, 2, 4, 0.1, 3];
    const stopAt = (limit: number, fn: (ut: Tensor, acc: Tensor) => Tensor) =>
      (
        theano.scan((ut: Tensor, acc: Tensor) => ({ outputs: fn(ut, acc), until: T.gt(ut, limit) }), {
          sequences: [u],
          outputsInfo: [T.constant(0)],
        }) as unknown as [Tensor]
      )[0];
    const s1 = stopAt(3, (ut, acc) => acc.add(ut));
    const s2 = stopAt(3, (ut, acc) => acc.mul(2).add(ut));
    const f = theano.function([u], [s1, s2], { profile: true });
    expect(count(f)).toBe(1);
    expect(scanNodes(f)[0]!.params.hasUntil).toBe(true);
    expectSameValues([u], [s1, s2], [uv]);
    expect((f(uv) as NDArray[]).map((r) => r.shape[0])).toEqual([4, 4]); // both stopped at the step reading u = 4

    const other = stopAt(2, (ut, acc) => acc.mul(2).add(ut));
    const g = theano.function([u], [s1, other]);
    expect(count(g)).toBe(2);
    expectSameValues([u], [s1, other], [uv]);

    const [plain] = theano.scan((ut: Tensor, acc: Tensor) => acc.add(ut), {
      sequences: [u],
      outputsInfo: [T.constant(0)],
    }) as unknown as [Tensor];
    const k = theano.function([u], [s1, plain]);
    expect(count(k)).toBe(2);
    expectSameValues([u], [s1, plain], [uv]);
  });

  test('scans that must not merge: other lengths, one reading the other, other directions, other truncation', () => {
    // lengths not provably equal: x and y are different inputs (values of equal length do not matter)
    const f = theano.function([x, y, W, h0], [recurrence(x), rowSums(y)], { profile: true });
    expect(f.profile!.rules['scan_merge']).toBeUndefined();
    expect(count(f)).toBe(2);
    // constant nSteps that differ
    const a = T.dscalar('a');
    const [five] = theano.scan((p: Tensor) => p.add(1), { outputsInfo: [a], nSteps: 5 }) as unknown as [Tensor];
    const [six] = theano.scan((p: Tensor) => p.add(2), { outputsInfo: [a], nSteps: 6 }) as unknown as [Tensor];
    expect(count(theano.function([a], [five, six]))).toBe(2);
    // the second reads the first's outputs, as a sequence and as a non-sequence
    // (the same nSteps variable n for both, so only the dependency keeps them apart)
    const n = T.lscalar('n');
    const hs = recurrence(x);
    const [hn] = theano.scan((xt: Tensor, h: Tensor) => T.tanh(xt.add(h)), {
      sequences: [x],
      outputsInfo: [h0],
      nSteps: n,
    }) as unknown as [Tensor];
    const [reads] = theano.scan((ht: Tensor, xt: Tensor) => ht.sum().add(xt.sum()), {
      sequences: [hn, x],
      outputsInfo: [null],
      nSteps: n,
    }) as unknown as [Tensor];
    const g = theano.function([x, h0, n], [hn, reads]);
    expect(count(g)).toBe(2);
    expectSameValues([x, h0, n], [hn, reads], [xv, h0v, 2]);
    const [readsWhole] = theano.scan((xt: Tensor, all: Tensor) => xt.sum().add(all.sum()), {
      sequences: [x],
      outputsInfo: [null],
      nonSequences: [hs],
    }) as unknown as [Tensor];
    expect(count(theano.function([x, W, h0], [hs, readsWhole]))).toBe(2);
    // forward and backward over the same sequence
    const forward = recurrence(x);
    const backward = rowSums(x, { goBackwards: true });
    const k = theano.function([x, W, h0], [forward, backward]);
    expect(count(k)).toBe(2);
    expectSameValues([x, W, h0], [forward, backward], [xv, Wv, h0v]);
    // both backward: they merge
    const both = [recurrence(x, { goBackwards: true }), rowSums(x, { goBackwards: true })];
    const m = theano.function([x, W, h0], both);
    expect(count(m)).toBe(1);
    expectSameValues([x, W, h0], both, [xv, Wv, h0v]);
    // another truncateGradient
    const truncated = [recurrence(x, { truncateGradient: 2 }), recurrence(x)];
    expect(count(theano.function([x, W, h0], truncated))).toBe(2);
  });

  test('gradients through merged scans: the forward scans merge, and the reverse scans the gradient builds', () => {
    const hs = recurrence(x);
    const ys = rowSums(x);
    const h2 = recurrence(x);
    const cost = hs
      .sum()
      .add(ys.mul(ys).sum())
      .add((h2.get(-1) as Tensor).mul(3).sum()) as Tensor<'float64', 0>;
    const grads = T.grad(cost, [x, W, h0]);
    const f = theano.function([x, W, h0], [cost, ...grads], { profile: true });
    expect(f.profile!.rules['scan_merge']).toBeGreaterThanOrEqual(2);
    const off = theano.function([x, W, h0], [cost, ...grads], { mode: theano.FAST_RUN.excluding('scan_merge') });
    expect(count(f)).toBeLessThan(count(off));
    expectSameValues([x, W, h0], [cost, ...grads], [xv, Wv, h0v]);
    theano.gradient.verifyGrad(
      (xx, ww, hh) => {
        const step = (xt: Tensor, h: Tensor, w: Tensor) => T.tanh(T.exp(xt.mul(0.1)).add(T.dot(h, w)));
        const [p] = theano.scan(step, { sequences: [xx], outputsInfo: [hh], nonSequences: [ww] }) as unknown as [
          Tensor,
        ];
        const [q] = theano.scan((xt: Tensor, w: Tensor) => T.exp(xt.mul(0.1)).mul(2).sum().add(w.sum()), {
          sequences: [xx],
          outputsInfo: [null],
          nonSequences: [ww],
        }) as unknown as [Tensor];
        return T.concatenate([p.flatten(), q]);
      },
      [xv, Wv, h0v],
      { nTests: 1 },
    );
  });
});
