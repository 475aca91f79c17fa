import { expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Tensor } from '../dist/index.js';

const T = theano.tensor;
const x = T.dscalar('x');
const w = T.dmatrix('w');
const b = T.dvector('b');
const fw = T.fmatrix('fw');
const cost = T.sum(T.dot(w, b).add(x));

// the result mirrors wrt, typed
expectType<Tensor<'float64', 0>>(T.grad(x.pow(2), x));
expectType<[Tensor<'float64', 2>, Tensor<'float64', 1>]>(T.grad(cost, [w, b]));
expectType<Tensor<'float32', 2>>(T.grad(T.sum(fw), fw));
expectType<Tensor<'float64', 1> | null>(T.grad(cost, b, { returnDisconnected: 'none', disconnectedInputs: 'ignore' }));
expectType<[Tensor<'float64', 2>, Tensor<'float64', 1>]>(theano.gradient.grad(cost, [w, b]));

// jacobian and hessian add a rank; a scalar expression gives the gradient's rank
expectType<Tensor<'float64', 2>>(T.jacobian(b.mul(2), b));
expectType<Tensor<'float64', 1>>(T.jacobian(T.sum(b), b));
expectType<Tensor<'float64', 2>>(T.hessian(T.sum(b.pow(3)), b));
expectType<Tensor<'float64', 1>>(T.Lop(b.exp(), b, T.dvector('v')));
expectType<Tensor<'float64', 1>>(T.Rop(b.exp(), b, T.dvector('v')));

// gradient modifiers keep the type
expectType<Tensor<'float64', 2>>(theano.gradient.zeroGrad(w));
expectType<Tensor<'float64', 1>>(theano.gradient.gradClip(b, -1, 1));

// the compiled gradient is callable with typed arguments and results
const f = theano.function([x], T.grad(x.pow(2), x));
expectType<number>(f(4));

// a non-scalar cost is a compile error
// @ts-expect-error
T.grad(b, b);
// an integer cost is a compile error
// @ts-expect-error
T.grad(T.iscalar('i'), T.iscalar('j'));
// @ts-expect-error
T.grad(T.sum(T.ivector('iv')), b);

// --- verifyGrad: each input is typed from its value in the point (float dtype, rank), so rank-restricted ops
// (conv2d, linalg) and scan steps take them without casts
theano.gradient.verifyGrad(
  (img, filt) => {
    expectType<Tensor<'float64', 4>>(img);
    return T.nnet.conv2d(img, filt).sum();
  },
  [
    [
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
    ],
    [[[[1]]]],
  ],
);
theano.gradient.verifyGrad(
  (a) => T.linalg.cholesky(a).sum(),
  [
    [
      [2, 1],
      [1, 2],
    ],
  ],
);
theano.gradient.verifyGrad((a: Tensor<'float64', 0>) => a.sqr(), [1.5]);
theano.gradient.verifyGrad(
  (v) => {
    expectType<Tensor<'float32', 1>>(v);
    return v.sum();
  },
  [new Float32Array([1, 2])],
);
// an integer or boolean value is checked as float64 (as at run time)
theano.gradient.verifyGrad(
  (v) => {
    expectType<Tensor<'float64', 1>>(v);
    return v.sum();
  },
  [[true, false]],
);
// @ts-expect-error -- a matrix parameter for a vector value
theano.gradient.verifyGrad((m: Tensor<'float64', 2>) => m.sum(), [[1, 2]]);
