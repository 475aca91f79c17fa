/** jacobian and hessian are scans (as in Theano), so they differentiate again: a third derivative. */
import { describe, expect, it } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';

const T = theano.tensor;

describe('jacobian and hessian through scan', () => {
  it('the Jacobian of tanh(v A), by scan, as the tutorial computes it', () => {
    const v = T.dvector('v');
    const A = T.dmatrix('A');
    const y = T.tanh(T.dot(v, A));
    const [J] = theano.scan((i) => T.grad(y.get(i), v), { sequences: [T.arange(T.shape(y, 0))] });
    const f = theano.function([A, v], [J, T.jacobian(y, v)]);
    const a = [
      [1, 2],
      [3, 4],
    ];
    const vv = [0.1, -0.2];
    const [byScan, byJacobian] = f(a, vv) as NDArray[];
    const s = [0, 1].map((j) => 1 - Math.tanh(vv[0]! * a[0]![j]! + vv[1]! * a[1]![j]!) ** 2);
    const expected = [0, 1].map((i) => [0, 1].map((k) => s[i]! * a[k]![i]!));
    (byScan!.toArray() as number[][]).forEach((row, i) =>
      row.forEach((x, k) => expect(x).toBeCloseTo(expected[i]![k]!, 12)),
    );
    expect(byJacobian!.toArray()).toEqual(byScan!.toArray());
  });

  it('the Hessian of sum(x ** 3) and its derivative (a third derivative)', () => {
    const x = T.dvector('x');
    const cost = T.sum(x.pow(3));
    const H = T.hessian(cost, x);
    // d/dx_k of sum(H) = d/dx_k sum_i 6 x_i = 6
    const third = T.grad(T.sum(H), x);
    const f = theano.function([x], [H, third]);
    const [h, g] = f([1, 2]) as NDArray[];
    expect(h!.toArray()).toEqual([
      [6, 0],
      [0, 12],
    ]);
    expect(g!.toArray()).toEqual([6, 6]);
    theano.gradient.verifyGrad(
      (xx) => T.hessian(T.sum(T.sin(xx as Tensor<'float64', 1>).mul(xx)), xx as Tensor<'float64', 1>),
      [[0.3, -0.7]],
      { nTests: 1 },
    );
  });
});
