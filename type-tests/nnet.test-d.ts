/**
 * nnet result types: float dtypes (integers upgrade as `T.exp` does), the input's rank for softmax-like and
 * elementwise functions, one rank fewer for the cross-entropies, reduction ranks for logsumexp.
 */
import { expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Tensor } from '../dist/index.js';

const T = theano.tensor;

const dv = T.dvector('dv');
const dm = T.dmatrix('dm');
const fm = T.fmatrix('fm');
const im = T.imatrix('im');
const bm = T.bmatrix('bm');
const dt3 = T.dtensor3('dt3');
const ds = T.dscalar('ds');
const iv = T.ivector('iv');
const lv = T.lvector('lv');
const bv = T.bvector('bv');
const fv = T.fvector('fv');
const boolm = T.tensor('bool', 2);

// --- softmax, logSoftmax: same rank, float dtype; the axis must exist
expectType<Tensor<'float64', 2>>(T.softmax(dm));
expectType<Tensor<'float64', 2>>(T.softmax(dm, 0));
expectType<Tensor<'float64', 2>>(T.softmax(dm, -2));
expectType<Tensor<'float32', 2>>(T.softmax(fm));
expectType<Tensor<'float64', 2>>(T.softmax(im));
expectType<Tensor<'float32', 2>>(T.softmax(bm));
expectType<Tensor<'float64', 3>>(T.logSoftmax(dt3, 1));
expectType<Tensor<'float32', 1>>(T.logSoftmax(fv));
expectType<Tensor<'float64', 2>>(dm.softmax());
expectType<Tensor<'float32', 2>>(fm.logSoftmax(-1));
expectType<Tensor<'float64', 2>>(T.nnet.softmax(dm));
expectType<Tensor<'float64', 2>>(T.nnet.logsoftmax(im));
// @ts-expect-error axis 2 of a matrix
T.softmax(dm, 2);
// @ts-expect-error axis -2 of a vector
T.logSoftmax(dv, -2);
// @ts-expect-error axis 1 of a vector (method)
dv.softmax(1);

// --- relu, softsign, elu: elementwise, float dtype
expectType<Tensor<'float64', 2>>(T.relu(dm));
expectType<Tensor<'float64', 2>>(T.relu(dm, 0.1));
expectType<Tensor<'float64', 1>>(T.relu(iv));
expectType<Tensor<'float32', 2>>(T.relu(bm));
expectType<Tensor<'float64', 0>>(T.relu(ds));
expectType<Tensor<'float32', 2>>(fm.relu(0.01));
expectType<Tensor<'float64', 3>>(T.softsign(dt3));
expectType<Tensor<'float32', 1>>(T.softsign(bv));
expectType<Tensor<'float64', 2>>(T.elu(dm));
expectType<Tensor<'float64', 2>>(T.elu(im, 2));
expectType<Tensor<'float32', 2>>(T.nnet.elu(fm));
// @ts-expect-error alpha is a number
T.relu(dm, dm);

// --- binaryCrossentropy: broadcast rank, the float upcast of both
expectType<Tensor<'float64', 2>>(T.binaryCrossentropy(dm, dm));
expectType<Tensor<'float64', 2>>(T.binaryCrossentropy(dm, dv));
expectType<Tensor<'float32', 2>>(T.binaryCrossentropy(fm, bm));
expectType<Tensor<'float32', 2>>(T.binaryCrossentropy(fm, boolm));
expectType<Tensor<'float64', 2>>(T.binaryCrossentropy(fm, im));
expectType<Tensor<'float64', 1>>(T.binaryCrossentropy(fv, dv));
expectType<Tensor<'float64', 2>>(T.nnet.binary_crossentropy(dm, im));

// --- categoricalCrossentropy: integer labels (one rank fewer) or a distribution (same rank); the class axis goes
expectType<Tensor<'float64', 1>>(T.categoricalCrossentropy(dm, iv));
expectType<Tensor<'float64', 1>>(T.categoricalCrossentropy(dm, lv));
expectType<Tensor<'float32', 1>>(T.categoricalCrossentropy(fm, bv));
expectType<Tensor<'float64', 0>>(T.categoricalCrossentropy(dv, T.iscalar('y')));
expectType<Tensor<'float64', 2>>(T.categoricalCrossentropy(dt3, im));
expectType<Tensor<'float64', 1>>(T.categoricalCrossentropy(dm, dm));
expectType<Tensor<'float32', 1>>(T.categoricalCrossentropy(fm, fm));
expectType<Tensor<'float64', 1>>(T.categoricalCrossentropy(fm, dm));
expectType<Tensor<'float32', 1>>(T.categoricalCrossentropy(fm, boolm));
expectType<Tensor<'float64', 1>>(T.categoricalCrossentropy(T.softmax(dm), iv));
expectType<Tensor<'float64', 0>>(T.categoricalCrossentropy(T.softmax(dm), iv).mean());
expectType<Tensor<'float64', 1>>(T.nnet.categorical_crossentropy(dm, iv));
// @ts-expect-error float labels: neither class labels (integers) nor a distribution (same rank)
T.categoricalCrossentropy(dm, dv);
// @ts-expect-error labels of the wrong rank
T.categoricalCrossentropy(dt3, iv);

// --- logsumexp: a reduction (axis, list of axes, keepdims), float dtype
expectType<Tensor<'float64', 0>>(T.logsumexp(dm));
expectType<Tensor<'float64', 1>>(T.logsumexp(dm, 1));
expectType<Tensor<'float64', 1>>(T.logsumexp(dm, -1));
expectType<Tensor<'float64', 2>>(T.logsumexp(dm, 1, { keepdims: true }));
expectType<Tensor<'float64', 2>>(T.logsumexp(dm, null, { keepdims: true }));
expectType<Tensor<'float64', 1>>(T.logsumexp(dt3, [0, 2]));
expectType<Tensor<'float32', 1>>(T.logsumexp(fm, 0));
expectType<Tensor<'float64', 0>>(T.logsumexp(iv));
expectType<Tensor<'float32', 1>>(T.logsumexp(bm, 1));
expectType<Tensor<'float64', 1>>(T.nnet.logsumexp(dm, 0));
// @ts-expect-error axis 2 of a matrix
T.logsumexp(dm, 2);

// --- dropout keeps dtype and rank; integer input is refused
{
  const srng = new theano.RandomStreams(1);
  expectType<Tensor<'float32', 2>>(T.nnet.dropout(T.fmatrix('h'), 0.5, srng));
  expectType<Tensor<'float64', 1>>(T.dropout(T.dvector('v'), 0.1, srng, { training: false }));
  // @ts-expect-error dropout is for float activations
  T.nnet.dropout(T.ivector('i'), 0.5, srng);
}
