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
