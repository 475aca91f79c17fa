/**
 * A small layer library written generically over dtype (and rank where it is a parameter), as a library author
 * writes it: it must type-check without casts, and the concrete calls must get concrete types. Also the valid code
 * that used to be refused (issue 16): a row's length-1 axis dropped by dimshuffle, a bigint arange, a slice bound
 * computed from a `number` hyperparameter.
 */
import { expectError, expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { FloatDType, Rank, Tensor } from '../dist/index.js';

const T = theano.tensor;

/** A dense layer: x w + b, then tanh. */
function dense<D extends FloatDType>(x: Tensor<D, 2>, w: Tensor<D, 2>, b: Tensor<D, 1>) {
  return T.tanh(T.dot(x, w).add(b));
}
/** The same with the method form, reduced over the units. */
function denseSum<D extends FloatDType>(x: Tensor<D, 2>, w: Tensor<D, 2>) {
  return T.dot(x, w).sum(1);
}
/** A convolution layer on NCHW images: conv, per-channel bias, relu. */
function convLayer<D extends FloatDType>(x: Tensor<D, 4>, w: Tensor<D, 4>, b: Tensor<D, 1>) {
  return T.conv2d(x, w)
    .add(b.dimshuffle('x', 0, 'x', 'x'))
    .relu();
}
/** Mean squared error over any rank. */
function mse<D extends FloatDType, R extends Rank>(prediction: Tensor<D, R>, target: Tensor<D, R>) {
  return prediction.sub(target).sqr().mean();
}
/** Negative log-likelihood of integer labels under row-wise softmax probabilities. */
function nll<D extends FloatDType>(logits: Tensor<D, 2>, labels: Tensor<'int32', 1>) {
  const p = logits.softmax();
  return T.log(p.get(T.arange(labels.shape(0)), labels))
    .mean()
    .neg();
}

const x = T.fmatrix('x');
const w = T.fmatrix('w');
const b = T.fvector('b');
expectType<Tensor<'float32', 2>>(dense(x, w, b));
expectType<Tensor<'float32', 1>>(denseSum(x, w));
expectType<Tensor<'float64', 4>>(convLayer(T.dtensor4('i'), T.dtensor4('k'), T.dvector('c')));
expectType<Tensor<'float64', 0>>(mse(T.dmatrix('p'), T.dmatrix('t')));
expectType<Tensor<'float32', 0>>(nll(x, T.ivector('y')));
// the generic layers still refuse a wrong rank
expectError(dense(T.fvector('v'), w, b));
expectError(convLayer(T.dmatrix('m'), T.dtensor4('k'), T.dvector('c')));
// and a dot whose product would pass rank 8 is still an error
expectError(T.dot(T.dtensor4('a'), T.tensor('float64', 7, 'c')));

// a row's first axis has length 1: dimshuffle may drop it
expectType<Tensor<'float64', 1>>(T.drow('r').dimshuffle(1));
// naming an axis twice, or one the input lacks, is refused
expectError(T.dmatrix('m').dimshuffle(0, 0));
expectError(T.dvector('v').dimshuffle(1));

// bigint bounds are integers
expectType<Tensor<'int64', 1>>(T.arange(2n));
expectType<Tensor<'int64', 1>>(T.arange(0n, 10n, 2n));

// a slice bound from a `number`-typed hyperparameter: int32 | float64 statically, int32 for integers at run time
const i = T.iscalar('i');
const batchSize: number = 20;
const rows = T.dmatrix('data').get(T.slice(T.mul(i, batchSize), T.mul(i.add(1), batchSize)));
expectType<Tensor<'float64', 2>>(rows);
// a bound that cannot be an integer is refused
expectError(T.slice(T.dscalar('f')));

// bool literals next to tensors
expectType<Tensor<'float64', 1>>(T.dvector('v').sub(true));
expectType<Tensor<'float64', 1>>(T.dvector('v').pow(true));
expectType<Tensor<'float64', 1>>(T.dvector('v').mod(true));
expectType<Tensor<'float64', 1>>(T.dvector('v').clip(false, true));
