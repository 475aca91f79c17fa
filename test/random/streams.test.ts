/**
 * RandomStreams as a user meets it: default updates (new numbers per call), reseeding, explicit updates and
 * noDefaultUpdates, both modes giving the same numbers, purity of the ops, symbolic sizes, scan, gradients.
 */
import { describe, expect, it } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';
import { evaluateNodes } from '../../src/graph/evaluate.js';
import type { Variable } from '../../src/graph/variable.js';
import { streamState } from '../../src/tensor/random.js';
import { philox4x32, toDouble } from '../../src/runtime/philox.js';

const T = theano.tensor;
const values = (a: unknown) => Array.from((a as NDArray).data as ArrayLike<number | bigint>, Number);

describe('RandomStreams', () => {
  it('the first uniform of seed s, stream 0, is the first Philox block of key s, counter 0', () => {
    const srng = new theano.RandomStreams(5);
    const xs = values(theano.function([], srng.uniform([2]))());
    const [w0, w1, w2, w3] = philox4x32([0, 0, 0, 0], [5, 0]);
    expect(xs).toEqual([toDouble(w0, w1), toDouble(w2, w3)]);
  });

  it('default updates: each call gives new numbers; reseeding replays them, also in functions compiled before', () => {
    const srng = new theano.RandomStreams(1);
    const f = theano.function([], srng.normal([4]));
    const a = values(f());
    const b = values(f());
    expect(a).not.toEqual(b);
    srng.seed(1);
    expect(values(f())).toEqual(a);
    expect(values(f())).toEqual(b);
    srng.seed(2);
    expect(values(f())).not.toEqual(a);
  });

  it('each draw has its own stream: two draws of one stream object differ, and do not merge', () => {
    const srng = new theano.RandomStreams(3);
    const u = srng.uniform([5]);
    const v = srng.uniform([5]);
    const [a, b] = theano.function([], [u, v])() as unknown as NDArray[];
    expect(values(a)).not.toEqual(values(b));
    expect(srng.states).toHaveLength(2);
    expect(srng.states[1]!.getValue().toArray()).toEqual(
      Array.from(streamState(3, 1)).map((w, i) => (i === 2 ? w + 3 : w)),
    );
  });

  it('the same draw read twice is the same numbers (one node)', () => {
    const srng = new theano.RandomStreams(4);
    const u = srng.uniform([3]);
    const [a, b] = theano.function([], [u, u.mul(1)])() as unknown as NDArray[];
    expect(values(b)).toEqual(values(a));
  });

  it('FAST_RUN (generated code) and FAST_COMPILE (reference evaluator) give the same numbers', () => {
    const build = (mode: 'FAST_RUN' | 'FAST_COMPILE') => {
      const srng = new theano.RandomStreams(9);
      const x = T.dmatrix('x');
      const outs = [
        x.mul(srng.binomial(x.shape(), { p: 0.5, dtype: 'float64' })),
        srng.normal([3], { dtype: 'float32' }).exp(),
        srng.integers(0, 7, [4]),
        srng.choice(T.constant([1.5, 2.5]), [3]),
        srng.permutation(6),
      ];
      return theano.function([x], outs, { mode });
    };
    const fast = build('FAST_RUN');
    const ref = build('FAST_COMPILE');
    expect(fast.source).toBeDefined();
    for (let k = 0; k < 3; k++) {
      const a = fast([
        [1, 2, 3],
        [4, 5, 6],
      ]) as unknown as NDArray[];
      const b = ref([
        [1, 2, 3],
        [4, 5, 6],
      ]) as unknown as NDArray[];
      expect(a.map(values)).toEqual(b.map(values));
    }
  });

  it('an explicit update overrides the default; noDefaultUpdates keeps the state', () => {
    const srng = new theano.RandomStreams(6);
    const u = srng.uniform([3]);
    const state = srng.states[0]!;
    const start = state.getValue().toArray();
    const frozen = theano.function([], u, { noDefaultUpdates: true });
    expect(values(frozen())).toEqual(values(frozen()));
    expect(state.getValue().toArray()).toEqual(start);
    const listed = theano.function([], u, { noDefaultUpdates: [state] });
    listed();
    expect(state.getValue().toArray()).toEqual(start);
    // an explicit update that keeps the state: the default one is not applied
    const kept = theano.function([], u, { updates: [[state, state.add(0)]] });
    expect(values(kept())).toEqual(values(kept()));
    expect(state.getValue().toArray()).toEqual(start);
    const advancing = theano.function([], u);
    advancing();
    expect(state.getValue().toArray()).not.toEqual(start);
    // the updates() list is what the default updates are
    expect(srng.updates()[0]![1]).toBe(state.defaultUpdate);
  });

  it('evaluating a draw never writes its state: the same state gives the same numbers', () => {
    const srng = new theano.RandomStreams(8);
    const u = srng.normal([4]);
    const state = srng.states[0]!;
    const run = () => {
      const known = new Map<Variable, NDArray>([[state, state.storage!.value]]);
      for (const input of u.owner!.inputs) if (input.data) known.set(input, input.data);
      evaluateNodes([u.owner!], known);
      return values(known.get(u)!);
    };
    const before = state.getValue().toArray();
    expect(run()).toEqual(run());
    expect(state.getValue().toArray()).toEqual(before);
  });

  it('symbolic sizes: a list with scalars, or a shape vector; types follow the size', () => {
    const srng = new theano.RandomStreams(10);
    const x = T.dtensor3('x');
    const n = T.iscalar('n');
    const byShape = srng.uniform(x.shape());
    const byList = srng.normal([n, 2], { dtype: 'float32' });
    expect(byShape.ndim).toBe(3);
    expect(byList.type.toString()).toBe('float32 matrix (?, 2)');
    const f = theano.function([x, n], [byShape, byList]);
    const [a, b] = f([[[1, 2]], [[3, 4]]], 5) as unknown as NDArray[];
    expect(a!.shape).toEqual([2, 1, 2]);
    expect(b!.shape).toEqual([5, 2]);
    expect(() => srng.uniform(T.lvector('s'))).toThrow(/no static length/);
  });

  it('no gradient flows through a draw: grad with respect to a parameter raises', () => {
    const srng = new theano.RandomStreams(12);
    const mu = T.dscalar('mu');
    const z = srng.normal([3], { loc: mu });
    expect(() => T.grad(z.sum(), mu)).toThrow(/random draw \(normal\) has no gradient/);
    // the reparameterized form differentiates
    const y = mu.add(srng.normal([3])).sum();
    expect(theano.function([mu], T.grad(y, mu))(0.5)).toBe(3);
  });
});

describe('inside scan', () => {
  it('each step draws new numbers; five steps equal one draw of the same stream five times as long', () => {
    const srng = new theano.RandomStreams(3);
    const [draws, updates] = theano.scan(() => srng.normal([2]), { nSteps: 5 });
    expect(updates).toHaveLength(1);
    const f = theano.function([], draws);
    const first = (f() as unknown as NDArray).toArray() as number[][];
    expect(new Set(first.map((r) => r.join())).size).toBe(5);
    // a normal pair takes one block, so step k reads block k of the stream: one draw of 10 reads the same blocks
    const flat = values(theano.function([], new theano.RandomStreams(3).normal([10]))());
    expect(first.flat()).toEqual(flat);
    // the outer function took the loop's final state: the next call continues the stream
    const second = (f() as unknown as NDArray).toArray() as number[][];
    const flat20 = values(theano.function([], new theano.RandomStreams(3).normal([20]))());
    expect(second.flat()).toEqual(flat20.slice(10));
    // reseeding replays, with the scan's updates passed explicitly too
    const g = theano.function([], draws, { updates });
    srng.seed(3);
    expect((g() as unknown as NDArray).toArray()).toEqual(first);
  });

  it('a dropout-like step: the mask depends on the step input, and FAST_COMPILE agrees', () => {
    const build = (mode: 'FAST_RUN' | 'FAST_COMPILE') => {
      const srng = new theano.RandomStreams(17);
      const X = T.dmatrix('X');
      const [out] = theano.scan(
        (row: Tensor<'float64', 1>) => row.mul(srng.bernoulli(row.shape(), { p: 0.5, dtype: 'float64' })),
        {
          sequences: [X],
        },
      );
      return theano.function([X], out, { mode });
    };
    const input = Array.from({ length: 6 }, () => [1, 1, 1, 1, 1, 1, 1, 1]);
    const a = (build('FAST_RUN')(input) as unknown as NDArray).toArray() as number[][];
    const b = (build('FAST_COMPILE')(input) as unknown as NDArray).toArray() as number[][];
    expect(a).toEqual(b);
    expect(new Set(a.map((r) => r.join())).size).toBeGreaterThan(1);
  });
});
