/**
 * log1mexp and erfcx: elementwise float functions (integers upgrade as `T.exp` does), the input's rank, as free
 * functions, methods and in weak JS scalars.
 */
import { expectError, expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Tensor } from '../dist/index.js';

const T = theano.tensor;

const dv = T.dvector('dv');
const fm = T.fmatrix('fm');
const iv = T.ivector('iv');
const bm = T.bmatrix('bm');
const ds = T.dscalar('ds');

expectType<Tensor<'float64', 1>>(T.log1mexp(dv));
expectType<Tensor<'float32', 2>>(T.log1mexp(fm));
expectType<Tensor<'float64', 1>>(T.log1mexp(iv));
expectType<Tensor<'float32', 2>>(T.log1mexp(bm));
expectType<Tensor<'float64', 0>>(T.log1mexp(ds));
expectType<Tensor<'float64', 0>>(T.log1mexp(-1));
expectType<Tensor<'float64', 1>>(dv.log1mexp());
expectType<Tensor<'float32', 2>>(fm.log1mexp());

expectType<Tensor<'float64', 1>>(T.erfcx(dv));
expectType<Tensor<'float32', 2>>(T.erfcx(fm));
expectType<Tensor<'float64', 1>>(T.erfcx(iv));
expectType<Tensor<'float64', 1>>(iv.erfcx());
expectType<Tensor<'float32', 2>>(fm.erfcx());

// the gradient through them keeps the input's type
expectType<Tensor<'float64', 1>>(T.grad(T.sum(T.log1mexp(dv)), dv));
expectType<Tensor<'float32', 2>>(T.grad(T.sum(T.erfcx(fm)), fm));

// one input only
expectError(T.log1mexp(dv, dv));
expectError(fm.erfcx(1));
