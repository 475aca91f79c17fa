import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import { NDArray } from '../../src/index.js';

const T = theano.tensor;

describe('shared variables', () => {
  test('dtype and rank are inferred from the value', () => {
    expect(theano.shared(0).type.toString()).toBe('float64 scalar');
    expect(theano.shared([[1, 2]]).type.toString()).toBe('float64 matrix');
    expect(theano.shared(new Float32Array(3)).type.toString()).toBe('float32 vector');
    expect(theano.shared(true).type.toString()).toBe('bool scalar');
    expect(theano.shared(5n).type.toString()).toBe('int64 scalar');
    expect(theano.shared(0, { dtype: 'int32' }).type.toString()).toBe('int32 scalar');
    expect(theano.shared(new NDArray('int16', [2, 2], new Int16Array(4))).type.toString()).toBe('int16 matrix');
  });

  test('getValue returns a copy; the value given is copied too', () => {
    const init = new Float64Array([1, 2]);
    const s = theano.shared(init, { name: 's' });
    init[0] = 100;
    expect(s.getValue().toArray()).toEqual([1, 2]);
    const v = s.getValue();
    (v.data as Float64Array)[1] = 50;
    expect(s.getValue().toArray()).toEqual([1, 2]);
  });

  test('setValue checks dtype and rank and names the variable', () => {
    const s = theano.shared([1, 2], { name: 'w' });
    s.setValue([3, 4, 5]);
    expect(s.getValue().toArray()).toEqual([3, 4, 5]);
    expect(() => s.setValue([[1]] as never)).toThrow(
      /shared variable 'w': expected a float64 vector, got shape \(1, 1\)/,
    );
    const i = theano.shared(0, { dtype: 'int32', name: 'count' });
    expect(() => i.setValue(0.5)).toThrow(/shared variable 'count': expected dtype int32.*0.5 is not an integer/);
  });

  test('an SGD update list mapped over parameters of several ranks trains each parameter', () => {
    const x = T.dmatrix('x');
    const y = T.dvector('y');
    const W = theano.shared([[0.5], [-0.25]], { name: 'W' });
    const b = theano.shared([0.1], { name: 'b' });
    const params = [W, b];
    const cost = T.sum(T.sqr(T.dot(x, W).add(b).sum(1).sub(y)));
    const grads = T.grad(cost, params);
    const lr = 0.05;
    const train = theano.function([x, y], cost, { updates: params.map((p, i) => [p, p.sub(grads[i]!.mul(lr))]) });
    const xv = [
      [1, 2],
      [3, -1],
    ];
    const yv = [1, 2];
    // reference: residuals r = x.W + b - y, dW[k] = 2 sum_n r[n] x[n][k], db = 2 sum_n r[n]
    const r = xv.map((row, n) => row[0]! * 0.5 + row[1]! * -0.25 + 0.1 - yv[n]!);
    const dW = [0, 1].map((k) => 2 * r.reduce((acc, rn, n) => acc + rn * xv[n]![k]!, 0));
    const db = 2 * r.reduce((acc, rn) => acc + rn, 0);
    expect(train(xv, yv)).toBeCloseTo(
      r.reduce((acc, rn) => acc + rn * rn, 0),
      12,
    );
    const wAfter = W.getValue().toArray() as number[][];
    expect(wAfter[0]![0]).toBeCloseTo(0.5 - lr * dW[0]!, 12);
    expect(wAfter[1]![0]).toBeCloseTo(-0.25 - lr * dW[1]!, 12);
    expect((b.getValue().toArray() as number[])[0]).toBeCloseTo(0.1 - lr * db, 12);
  });

  test('a mapped update list that pairs a parameter with a value of another of its ranks fails at build time', () => {
    const W = theano.shared([[1, 2]], { name: 'W' });
    const b = theano.shared([1, 2], { name: 'b' });
    const params = [W, b];
    // the types accept it (both sides are "matrix or vector"); the pairing is checked when the function is built
    expect(() => theano.function([], [], { updates: params.map((p, i) => [p, params[1 - i]!.mul(2)]) })).toThrow(
      /the update of shared variable 'W' has type float64 vector, but the variable is float64 matrix/,
    );
  });

  test('a sparse update by incSubtensor (rank known at run time) compiles, trains its rows, and is rank-checked', () => {
    const emb = theano.shared(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      { name: 'emb' },
    );
    const rows = T.ivector('rows');
    const g = T.dmatrix('g');
    const step = theano.function([rows, g], [], { updates: [[emb, T.incSubtensor(emb.get(rows), g.mul(-0.5))]] });
    step(
      [2, 0, 2],
      [
        [2, 2],
        [4, 4],
        [1, 1],
      ],
    );
    // numpy: np.add.at(emb, [2, 0, 2], -0.5 * g): row 2 takes both of its increments
    expect(emb.getValue().toArray()).toEqual([
      [-1, 0],
      [3, 4],
      [3.5, 4.5],
    ]);
    const bias = theano.shared([1, 2, 3], { name: 'bias' });
    // the static type accepts it (rank unknown); the function's build names the pair
    expect(() => theano.function([rows], [], { updates: [[emb, T.incSubtensor(bias.get(rows), 1)]] })).toThrow(
      /the update of shared variable 'emb' has type float64 vector, but the variable is float64 matrix/,
    );
    expect(emb.getValue().toArray()).toEqual([
      [-1, 0],
      [3, 4],
      [3.5, 4.5],
    ]);
  });

  test('an update of the wrong type is rejected when the function is built', () => {
    const s = theano.shared(0, { dtype: 'int32', name: 'n' });
    const d = T.dscalar('d');
    expect(() => theano.function([d], [], { updates: [[s, s.add(d)] as never] })).toThrow(
      /the update of shared variable 'n' has type float64 scalar, but the variable is int32 scalar/,
    );
    expect(() => theano.function([], [], { updates: [[s, s.add(1)] as const, [s, s.sub(1)] as const] })).toThrow(
      /given twice/,
    );
  });

  test('updates use the old values and are written together (a swap)', () => {
    const a = theano.shared(1, { name: 'a' });
    const b = theano.shared(2, { name: 'b' });
    const swap = theano.function([], [], {
      updates: [
        [a, b],
        [b, a],
      ],
    });
    swap();
    expect([a.getValue(), b.getValue()]).toEqual([2, 1]);
  });

  test('a call that throws leaves every shared variable as it was', () => {
    const total = theano.shared(10, { name: 'total' });
    const calls = theano.shared(0, { name: 'calls' });
    const x = T.dvector('x');
    const y = T.dvector('y');
    const f = theano.function([x, y], x.add(y), {
      updates: [
        [calls, calls.add(1)],
        [total, total.add(1)],
      ],
    });
    f([1], [2]);
    expect(calls.getValue()).toBe(1);
    expect(() => f([1, 2, 3], [1, 2])).toThrow(/do not broadcast/);
    expect(() => f([1], 'no' as never)).toThrow();
    expect(calls.getValue()).toBe(1);
    expect(total.getValue()).toBe(11);
  });

  test('an output aliasing an update value is not the stored array', () => {
    const s = theano.shared([1, 2]);
    const next = s.mul(2);
    const f = theano.function([], next, { updates: [[s, next]] });
    const out = f();
    (out.data as Float64Array)[0] = -1;
    expect(s.getValue().toArray()).toEqual([2, 4]);
  });

  test('property: an accumulator over random increments equals the running sum', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { maxLength: 30 }), (incs) => {
        const state = theano.shared(0, { dtype: 'int32' });
        const inc = T.iscalar('inc');
        const acc = theano.function([inc], state, { updates: [[state, state.add(inc)]] });
        let sum = 0;
        for (const i of incs) {
          expect(acc(i)).toBe(sum);
          sum += i;
        }
        expect(state.getValue()).toBe(sum);
      }),
    );
  });
});
