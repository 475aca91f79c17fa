import fc from 'fast-check';
import { describe, expect, test, vi } from 'vitest';
import * as theano from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { SUM_TO_SHAPE } from '../../src/ops/gradient.js';

const T = theano.tensor;

describe('T.grad', () => {
  test('the seed: the derivative of x ** 2 at 4 is 8, and it is a graph that prints', () => {
    const x = T.dscalar('x');
    const gy = T.grad(x.pow(2), x);
    expect(gy).toBeInstanceOf(theano.Tensor);
    expect(theano.pp(gy)).toBe('1 * (2 * x ** (2 - 1))');
    expect(theano.function([x], gy)(4)).toBe(8);
  });

  test('the seed’s math challenge: logistic and tanh gradients at -1.5, 0, 1.5', () => {
    const x = T.dscalar('x');
    const logistic = T.div(1, T.add(1, T.exp(x.neg())));
    const dLogistic = theano.function([x], T.grad(logistic, x));
    const dTanh = theano.function([x], T.grad(T.tanh(x), x));
    const at = [-1.5, 0, 1.5];
    at.forEach((v, i) => {
      expect(dLogistic(v)).toBeCloseTo([0.149146, 0.25, 0.149146][i]!, 6);
      expect(dTanh(v)).toBeCloseTo([0.180707, 1, 0.180707][i]!, 6);
    });
  });

  test('a gradient sums back to an input only where broadcasting may have happened', () => {
    const [x, y] = T.dvectors('x', 'y');
    const ops = (g: Tensor) =>
      theano
        .debugprint(g)
        .split('\n')
        .filter((l) => l.includes('SumToShape') || l.includes('sum_to_shape')).length;
    // tanh(x) * x: both factors have x's length, so the gradient needs no summing
    const same = T.grad(T.sum(T.tanh(x).mul(x)), x);
    expect(ops(same)).toBe(0);
    // x * y: x may be a length-1 vector broadcast against y, so x's gradient is summed to x's shape
    const maybe = T.grad(T.sum(x.mul(y)), x);
    expect(ops(maybe)).toBe(1);
    const f = theano.function([x, y], maybe);
    expect(f([2], [1, 2, 3]).toArray()).toEqual([6]);
    const dSame = theano.function([x], same)([0.5, -1]).toArray();
    [0.5, -1].forEach((v, i) => expect(dSame[i]).toBeCloseTo(Math.tanh(v) + v * (1 - Math.tanh(v) ** 2), 14));
  });

  test('sum_to_shape costs nothing when nothing was broadcast (a view step), and checks the shape it gives', () => {
    const [x, y] = T.dvectors('x', 'y');
    const f = theano.function([x, y], T.grad(T.sum(T.tanh(x.mul(y))), x), { profile: true });
    const ys = [1, 2, 3];
    const want = (xs: number[]) => xs.map((v, i) => ys[i]! * (1 - Math.tanh(v * ys[i]!) ** 2));
    f([0.5, -1, 2], ys)
      .toArray()
      .forEach((g, i) => expect(g).toBeCloseTo(want([0.5, -1, 2])[i]!, 14));
    const summing = f.profile!.run().steps.filter((s) => s.ops.includes('sum_to_shape'));
    expect(summing.map((s) => s.kind)).toEqual(['view']);
    // broadcast at run time: the same step sums (x of length 1 against y of length 3)
    const [g] = f([0.5], ys).toArray();
    expect(g).toBeCloseTo(
      ys.reduce((a, v) => a + v * (1 - Math.tanh(0.5 * v) ** 2), 0),
      14,
    );
    // a gradient that cannot be summed to the shape is an error, also when no axis needs summing
    const arr = (n: number) => theano.asarray(new Float64Array(n));
    expect(() => SUM_TO_SHAPE.evaluate([arr(4), arr(3)], undefined, [])).toThrow(
      'sum_to_shape: a gradient of shape (4,) cannot be summed to shape (3,)',
    );
  });

  test('a list of wrt gives a typed list; broadcast inputs get gradients of their own shape', () => {
    const m = T.dmatrix('m');
    const v = T.dvector('v');
    const s = T.dscalar('s');
    const cost = m.mul(v).add(s).exp().sum();
    const [gm, gv, gs] = T.grad(cost, [m, v, s]);
    const f = theano.function([m, v, s], [gm, gv, gs]);
    const [M, V, S] = [
      [
        [1, 2],
        [3, 4],
      ],
      [0.1, 0.2],
      0.5,
    ];
    const [a, b, c] = f(M, V, S);
    const e = M.map((r) => r.map((x, j) => Math.exp(x * V[j]! + S)));
    expect(a.toArray()).toEqual(e.map((r) => r.map((x, j) => x * V[j]!)));
    expect(b.shape).toEqual([2]);
    b.toArray().forEach((g, j) => expect(g).toBeCloseTo(e[0]![j]! * M[0]![j]! + e[1]![j]! * M[1]![j]!, 12));
    expect(c).toBeCloseTo(
      e.flat().reduce((p, q) => p + q),
      12,
    );
  });

  test('run-time broadcasting (a dimension of unknown length that is 1) is summed back', () => {
    const a = T.dmatrix('a');
    const b = T.dmatrix('b');
    const gb = T.grad(a.mul(b).sum(), b);
    const f = theano.function([a, b], gb);
    expect(
      f(
        [
          [1, 2],
          [3, 4],
        ],
        [[1, 1]],
      ).toArray(),
    ).toEqual([[4, 6]]);
    expect(
      f(
        [
          [1, 2],
          [3, 4],
        ],
        [[1], [1]],
      ).toArray(),
    ).toEqual([[3], [7]]);
  });

  test('float32 variables get float32 gradients', () => {
    const x = T.fvector('x');
    const g = T.grad(T.cast(x, 'float64').exp().sum(), x);
    expect(g.dtype).toBe('float32');
    const out = theano.function([x], g)(new Float32Array([0, 1]));
    expect(out.dtype).toBe('float32');
    expect(out.toArray()[1]).toBeCloseTo(Math.E, 5);
  });

  test('reused subexpressions accumulate', () => {
    const x = T.dscalar('x');
    const y = x.mul(x); // x used twice
    const z = y.add(y.mul(y)); // y used twice
    expect(theano.function([x], T.grad(z, x))(3)).toBe(2 * 3 + 4 * 27);
  });

  test('a 10,000-op chain differentiates without a stack overflow', () => {
    const x = T.dscalar('x');
    let y: Tensor<'float64', 0> = x;
    for (let i = 0; i < 10_000; i++) y = y.mul(1.0001).add(x.mul(1e-4));
    const g = T.grad(y, x);
    const f = theano.function([x], g, { onUnusedInput: 'ignore' });
    // y_n = 1.0001 y_{n-1} + 1e-4 x, so dy_n/dx = 1.0001^n + 1e-4 * (1.0001^n - 1) / 0.0001
    const expected = 1.0001 ** 10_000 + (1.0001 ** 10_000 - 1);
    expect(f(2) / expected).toBeCloseTo(1, 9);
  });
});

describe('errors and options', () => {
  test('a non-scalar or integer cost is an error', () => {
    const v = T.dvector('v');
    expect(() => T.grad(v as never, v)).toThrow(/the cost must be a scalar, got 'v' \(float64 vector\)/);
    const i = T.iscalar('i');
    expect(() => T.grad(i as never, i as never)).toThrow(/the cost must be a float scalar/);
  });

  test('disconnected inputs raise by default, naming the input; warn and ignore on request', () => {
    const x = T.dscalar('x');
    const y = T.dscalar('y');
    expect(() => T.grad(x.mul(2), [x, y])).toThrow(/the cost does not depend on wrt 1, 'y' \(float64 scalar\)/);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const [, gy] = T.grad(x.mul(2), [x, y], { disconnectedInputs: 'warn' });
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
    expect(theano.function([y], gy!)(5)).toBe(0);
    const [, none] = T.grad(x.mul(2), [x, y], { disconnectedInputs: 'ignore', returnDisconnected: 'none' });
    expect(none).toBeNull();
  });

  test('considerConstant stops the gradient at a variable', () => {
    const x = T.dscalar('x');
    const y = x.mul(x).named('y');
    const z = y.mul(x);
    expect(theano.function([x], T.grad(z, x, { considerConstant: [y] }))(3)).toBe(9);
    expect(theano.function([x], T.grad(z, x))(3)).toBe(27);
  });

  test('knownGrads starts the sweep from given gradients', () => {
    const x = T.dvector('x');
    const y = x.exp();
    const v = T.dvector('v');
    const g = T.grad(null, x, { knownGrads: [[y, v]] });
    expect(theano.function([x, v], g)([0, 1], [2, 3]).toArray()).toEqual([2, 3 * Math.E]);
  });

  test('an op without a gradient names the op and where it was built', () => {
    const x = T.dvector('x');
    const y = T.argmax(x).cast('float64').add(x.sum());
    // argmax is not differentiable (integer output): zero, not an error
    expect(theano.function([x], T.grad(y, x))([1, 5]).toArray()).toEqual([1, 1]);
  });
});

describe('gradient modifiers', () => {
  const x = T.dscalar('x');
  test.each([
    ['zeroGrad', () => theano.gradient.zeroGrad(x.mul(x)).mul(x), 9],
    ['gradScale', () => theano.gradient.gradScale(x.mul(x), 0.5), 3],
    ['gradClip', () => theano.gradient.gradClip(x.mul(x), -1, 1).mul(10), 6], // 10 clipped to 1, times 2x
  ] as const)('%s', (_name, build, expected) => {
    const y = build();
    expect(theano.function([x], y)(3)).toBe(theano.function([x], build())(3));
    expect(theano.function([x], T.grad(y, x))(3)).toBe(expected);
  });

  test('disconnectedGrad makes a path invisible to grad', () => {
    const y = theano.gradient.disconnectedGrad(x.mul(x));
    expect(() => T.grad(y, x)).toThrow(/does not depend on wrt 0/);
    expect(theano.function([x], T.grad(y.add(x), x), { onUnusedInput: 'ignore' })(3)).toBe(1);
  });
});

describe('reductions differentiate', () => {
  const cases: [string, (x: Tensor) => Tensor, fc.Arbitrary<number>][] = [
    ['sum over an axis', (x) => T.sum(x as never, 0), fc.double({ min: -3, max: 3, noNaN: true })],
    [
      'sum keepdims',
      (x) => T.mul(T.sum(x as never, -1, { keepdims: true }), x),
      fc.double({ min: -3, max: 3, noNaN: true }),
    ],
    ['prod', (x) => T.prod(x as never, 1), fc.double({ min: -3, max: 3, noNaN: true })],
    ['max', (x) => T.max(x as never, 0), fc.integer({ min: -50, max: 50 }).map((i) => i / 7)],
    ['min (all axes)', (x) => T.min(x as never), fc.integer({ min: -50, max: 50 }).map((i) => i / 7)],
    ['mean', (x) => T.mean(x as never, [0, 1]), fc.double({ min: -3, max: 3, noNaN: true })],
    ['var', (x) => T.variance(x as never, 1), fc.double({ min: -3, max: 3, noNaN: true })],
    ['std', (x) => T.std(x as never, 0, { ddof: 1 }), fc.double({ min: -3, max: 3, noNaN: true })],
  ];
  for (const [name, build, values] of cases) {
    test(name, () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 2, max: 3 }),
          fc.integer({ min: 1, max: 3 }),
          fc.uniqueArray(values, { minLength: 9, maxLength: 9 }),
          (r, c, flat) => {
            const point = Array.from({ length: r }, (_, i) => flat.slice(i * c, (i + 1) * c));
            const sorted = point.flat().sort((p, q) => p - q);
            // ties are kinks of max/min, and sqrt is not differentiable at a zero standard deviation
            fc.pre(sorted.every((v, i) => i === 0 || v - sorted[i - 1]! >= 0.1));
            theano.gradient.verifyGrad(build, [point], { nTests: 1 });
          },
        ),
        { numRuns: 30 },
      );
    });
  }

  test('prod with zeros: one zero gets the product of the others, two zeros give zero', () => {
    const x = T.dvector('x');
    const g = theano.function([x], T.grad(x.prod(), x));
    expect(g([2, 0, 3]).toArray()).toEqual([0, 6, 0]);
    expect(g([0, 0, 3]).toArray()).toEqual([0, 0, 0]);
    expect(g([2, 4, 3]).toArray()).toEqual([12, 6, 8]);
  });

  test('max passes the gradient to every tied maximum (Theano’s convention)', () => {
    const x = T.dvector('x');
    expect(theano.function([x], T.grad(x.max(), x))([1, 3, 3]).toArray()).toEqual([0, 1, 1]);
  });
});

describe('verifyGrad', () => {
  test('passes a right gradient and throws a GradientError that names the input and element', () => {
    theano.gradient.verifyGrad((x) => T.tanh(x).mul(x), [[0.5, -1, 2]]);
    let err: unknown;
    try {
      theano.gradient.verifyGrad((x) => theano.gradient.gradScale(x.sqr(), 2), [[0.5, -1, 2]]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(theano.gradient.GradientError);
    expect((err as Error).message).toMatch(
      /the gradient of input 0 at index \[0\] is .* analytically but .* by finite differences/,
    );
  });
});
