/** scan's values against hand-written loops, in the reference evaluator and in generated code. */
import { describe, expect, it } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray } from '../../src/index.js';

const T = theano.tensor;
const MODES = ['FAST_COMPILE', 'FAST_RUN', 'DEBUG'] as const;
const arr = (v: unknown) => ((v as NDArray).toArray ? (v as NDArray).toArray() : v);

describe.each(MODES)('scan forward (%s)', (mode) => {
  it('A ** k: a recurrent output and a non-sequence', () => {
    const A = T.dvector('A');
    const k = T.iscalar('k');
    const [result, updates] = theano.scan((prior, a) => prior.mul(a), {
      outputsInfo: T.onesLike(A),
      nonSequences: [A],
      nSteps: k,
    });
    expect(updates).toEqual([]);
    const f = theano.function([A, k], result.get(-1), { mode });
    expect(arr(f([1, 2, 3, 4], 3))).toEqual([1, 8, 27, 64]);
    const all = theano.function([A, k], result, { mode });
    expect(arr(all([2, 3], 3))).toEqual([
      [2, 3],
      [4, 9],
      [8, 27],
    ]);
  });

  it('polynomial evaluation: two sequences and a non-sequence, then a sum', () => {
    const coefficients = T.dvector('coefficients');
    const x = T.dscalar('x');
    const [components] = theano.scan((c, power, freeVar) => c.mul(T.pow(freeVar, power)), {
      sequences: [coefficients, T.arange(1000)],
      nonSequences: [x],
    });
    const f = theano.function([coefficients, x], components.sum(), { mode });
    expect(f([1, 0, 2], 3)).toBe(1 + 0 * 3 + 2 * 9);
  });

  it('tanh(x(t) W + b) over a sequence', () => {
    const X = T.dmatrix('X');
    const W = T.dmatrix('W');
    const b = T.dvector('b');
    const [out] = theano.scan((v) => T.tanh(T.dot(v, W).add(b)), { sequences: [X] });
    const f = theano.function([X, W, b], out, { mode });
    const x = [
      [1, 2],
      [0.5, -1],
      [0, 0],
    ];
    const w = [
      [0.1, 0.2],
      [0.3, -0.4],
    ];
    const bb = [0.5, -0.5];
    const expected = x.map((r) => [0, 1].map((j) => Math.tanh(r[0]! * w[0]![j]! + r[1]! * w[1]![j]! + bb[j]!)));
    const got = f(x, w, bb).toArray() as number[][];
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 12)));
  });

  it('sequence taps and output taps (a Fibonacci-like recurrence), several outputs', () => {
    const s = T.dvector('s');
    const init = T.dvector('init');
    const [[fib, echo]] = theano.scan((sm1, s0, s2, ym2, ym1) => [ym2.add(ym1).add(s0), sm1.add(s2)], {
      sequences: [{ input: s, taps: [-1, 0, 2] }],
      outputsInfo: [{ initial: init, taps: [-2, -1] }, null],
    });
    const f = theano.function([s, init], [fib, echo], { mode });
    const sv = [1, 2, 3, 4, 5, 6];
    const [a, b] = f(sv, [0, 1]);
    // steps t = 1 .. 3 of s (tap -1 needs one row before, tap 2 two after): 3 steps
    const ys = [0, 1];
    const echoes: number[] = [];
    for (let t = 1; t + 2 < sv.length; t++) {
      ys.push(ys[ys.length - 2]! + ys[ys.length - 1]! + sv[t]!);
      echoes.push(sv[t - 1]! + sv[t + 2]!);
    }
    expect(a.toArray()).toEqual(ys.slice(2));
    expect(b.toArray()).toEqual(echoes);
  });

  it('goBackwards and nSteps shorter than the sequence', () => {
    const v = T.dvector('v');
    const [out] = theano.scan((x, acc) => acc.mul(10).add(x), {
      sequences: [v],
      outputsInfo: [T.constant(0)],
      goBackwards: true,
      nSteps: 3,
    });
    const f = theano.function([v], out, { mode });
    // the first 3 rows, from the last to the first: 3, 2, 1
    expect(arr(f([1, 2, 3, 4]))).toEqual([3, 32, 321]);
  });

  it('until stops after the first step whose condition holds', () => {
    const x = T.dscalar('x');
    const [powers] = theano.scan((prev) => ({ outputs: prev.mul(2), until: prev.mul(2).gt(x) }), {
      outputsInfo: T.constant(1),
      nSteps: 100,
    });
    const f = theano.function([x], powers, { mode });
    expect(arr(f(40))).toEqual([2, 4, 8, 16, 32, 64]);
    expect(arr(f(0.5))).toEqual([2]);
  });

  it('shared-variable updates carried from step to step', () => {
    const k = theano.shared(0, { name: 'k' });
    const n = T.iscalar('n');
    const [, updates] = theano.scan(() => [[], [[k, k.add(1)]]] as const, { nSteps: n });
    const f = theano.function([n], [], { updates: updates as never, mode, onUnusedInput: 'ignore' });
    f(5);
    expect(k.getValue()).toBe(5);
    f(3);
    expect(k.getValue()).toBe(8);
  });

  it('map, reduce, foldl, foldr', () => {
    const X = T.dmatrix('X');
    const [norms] = T.map((row) => row.sqr().sum().sqrt(), [X]);
    const v = T.dvector('v');
    const [total] = T.reduce((x, acc) => acc.add(x), [v], T.constant(0));
    const [left] = T.foldl((x, acc) => acc.mul(10).add(x), [v], T.constant(0));
    const [right] = T.foldr((x, acc) => acc.mul(10).add(x), [v], T.constant(0));
    expect(
      arr(
        theano.function([X], norms, { mode })([
          [3, 4],
          [6, 8],
        ]),
      ),
    ).toEqual([5, 10]);
    const f = theano.function([v], [total, left, right], { mode });
    expect(f([1, 2, 3])).toEqual([6, 123, 321]);
  });

  it('an error inside the step names the loop and the step, then the op and its shapes', () => {
    const W = theano.shared([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    const x = T.dmatrix('x');
    // the initial state has 4 entries where W has 3 rows: the step's dot fails when the loop runs
    const [h] = theano.scan((xt, hp) => T.tanh(T.dot(hp, W).add(xt)), {
      sequences: [x],
      outputsInfo: [T.zeros([4])],
      name: 'wrongH0',
    });
    const f = theano.function([x], h, { mode });
    expect(() => f([[1, 2, 3]])).toThrow(/^scan 'wrongH0', step 0: dot: shapes \(4,\) and \(3, 3\) are not aligned/);
  });

  it('nanGuard names the step of a scan that made the first NaN (not the row of its buffer)', () => {
    const x = T.dmatrix('x');
    const [hs] = theano.scan((row, h) => T.log(row).add(h), { sequences: [x], outputsInfo: [T.zeros([2])] });
    const f = theano.function([x], hs, { mode, nanGuard: true });
    // log(-1) at step 1: row 2 of the buffer, whose row 0 is the initial state
    expect(() =>
      f([
        [1, 2],
        [3, -1],
        [4, 5],
      ]),
    ).toThrow(/NaN guard: output 0 of scan has NaN at flat index 5, index \(2, 1\) \(step 1\)/);
  });

  it('zero steps: empty outputs of the right shape', () => {
    const A = T.dvector('A');
    const k = T.iscalar('k');
    const [result] = theano.scan((prior, a) => prior.mul(a), {
      outputsInfo: T.onesLike(A),
      nonSequences: [A],
      nSteps: k,
    });
    const f = theano.function([A, k], result, { mode });
    expect((f([1, 2], 0) as NDArray).shape).toEqual([0, 2]);
  });

  it('integer recurrent outputs and a matrix state', () => {
    const n = T.iscalar('n');
    const [counts] = theano.scan((c) => c.add(2), { outputsInfo: T.constant(1, { dtype: 'int32' }), nSteps: n });
    expect(arr(theano.function([n], counts, { mode })(3))).toEqual([3, 5, 7]);
    const M = T.dmatrix('M');
    const [pw] = theano.scan((P) => T.dot(P, M), { outputsInfo: T.eye(2), nSteps: 2 });
    expect(
      arr(
        theano.function([M], pw.get(-1), { mode })([
          [1, 1],
          [0, 1],
        ]),
      ),
    ).toEqual([
      [1, 2],
      [0, 1],
    ]);
  });
});
