/**
 * `theano.ifelse` at the type level: a single output keeps the branches' dtype and rank; lists of outputs give a
 * typed tuple; branches of different dtype or rank, a non-scalar condition, or lists of different lengths do not
 * compile (the run time says the same: test/ifelse/ifelse.test.ts).
 */
import { expectError, expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Tensor } from '../dist/index.js';

const T = theano.tensor;

const [a, b] = T.dscalars('a', 'b');
const x = T.dvector('x');
const y = T.dvector('y');
const fv = T.fvector('fv');
const m = T.dmatrix('m');
const i = T.iscalar('i');

expectType<Tensor<'float64', 1>>(theano.ifelse(T.lt(a, b), x, y));
expectType<Tensor<'float64', 0>>(theano.ifelse(i, a, b));
expectType<Tensor<'float64', 0>>(theano.ifelse(true, a, 0));
expectType<Tensor<'float64', 0>>(theano.ifelse(a, 1, b));
expectType<Tensor<'float64', 2>>(T.ifelse(T.gt(a, 0), m.mul(2), m));
expectType<[Tensor<'float64', 1>, Tensor<'float64', 2>]>(theano.ifelse(a, [x, m], [y, m.neg()]));
expectType<[Tensor<'float32', 1>]>(theano.ifelse(a, [fv], [fv]));

expectError(theano.ifelse(a, x, fv)); // float64 vs float32
expectError(theano.ifelse(a, x, m)); // vector vs matrix
expectError(theano.ifelse(a, x, 0)); // a number stands for a scalar only
expectError(theano.ifelse(x, x, y)); // the condition must be a scalar
expectError(theano.ifelse(a, [x, m], [y, y])); // output 1: matrix vs vector
expectError(theano.ifelse(a, [x, m], [y])); // two outputs vs one
