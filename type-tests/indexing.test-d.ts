/**
 * Indexing ranks: an integer drops an axis, a slice keeps it, `T.newaxis` adds one; an integer tensor index of
 * rank k replaces one axis by k; more integers and slices than the rank is a compile error.
 * Negative checks use `// @ts-expect-error` on the offending line.
 */
import { expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Rank, Tensor } from '../dist/index.js';

const T = theano.tensor;
const m = T.dmatrix('m');
const v = T.ivector('v');
const s = T.fscalar('s');
const t3 = T.ltensor3('t3');
const i = T.iscalar('i');
const j = T.lscalar('j');
const idx = T.ivector('idx');
const idx2 = T.lmatrix('idx2');

// --- integers drop an axis, slices keep it, newaxis adds one
expectType<Tensor<'float64', 1>>(m.get(1));
expectType<Tensor<'float64', 0>>(m.get(1, 2));
expectType<Tensor<'float64', 0>>(m.get(-1, i));
expectType<Tensor<'float64', 2>>(m.get(T.slice(1, 3)));
expectType<Tensor<'float64', 1>>(m.get(T.slice(1, 3), 0));
expectType<Tensor<'float64', 2>>(m.get(T.slice(null, null, -1), T.slice(j)));
expectType<Tensor<'int32', 2>>(v.get(T.newaxis));
expectType<Tensor<'int32', 2>>(v.get(T.slice(), T.newaxis));
expectType<Tensor<'float64', 3>>(m.get(T.newaxis, T.slice(), T.newaxis, 1));
expectType<Tensor<'float64', 2>>(m.get());
expectType<Tensor<'float32', 1>>(s.get(T.newaxis));
expectType<Tensor<'int64', 1>>(t3.get(0, T.slice(), 2));
expectType<Tensor<'int64', 2>>(t3.get(1n));

// --- an integer tensor index: rank R - 1 + rank(indices)
expectType<Tensor<'float64', 2>>(m.get(idx));
expectType<Tensor<'float64', 3>>(m.get(idx2));
expectType<Tensor<'int32', 1>>(v.get(idx));
expectType<Tensor<'int64', 4>>(t3.get(idx2));
expectType<Tensor<'float64', 2>>(T.take(m, idx, 1));
expectType<Tensor<'float64', 3>>(T.take(m, [[0, 1]], -1));
expectType<Tensor<'float64', 1>>(T.take(m, 0));

// --- functional updates
expectType<Tensor<'float64', 2>>(m.at(0).set(1));
expectType<Tensor<'float64', 2>>(m.at(idx).inc(T.dvector()));
expectType<Tensor<'int32', 1>>(v.at(T.slice(1)).set([1, 2]));
expectType<Tensor<'float64', Rank>>(T.setSubtensor(m.get(1), 0));
expectType<Tensor<'int32', Rank>>(T.incSubtensor(v.get(idx), 1));

// --- an index list of unknown length, or a tensor of unknown rank, gives an unknown rank
declare const list: theano.tensor.BasicIndexArg[];
expectType<Tensor<'float64', Rank>>(m.get(...list));
declare const anyRank: Tensor<'float64', Rank>;
expectType<Tensor<'float64', Rank>>(anyRank.get(0, 1));

// --- rejected
// @ts-expect-error -- three indices for a matrix
m.get(1, 2, 3);
// @ts-expect-error -- two slices for a vector
v.get(T.slice(1), T.slice());
// @ts-expect-error -- new axes do not make room for more indices
v.get(T.newaxis, 0, 0);
// @ts-expect-error -- a scalar has no axis to index
s.get(0);
// @ts-expect-error -- a scalar cannot take an index tensor
s.get(idx);
// @ts-expect-error -- a float is not an index
m.get(T.dscalar());
// @ts-expect-error -- a float tensor is not an index tensor
m.get(T.dvector());
// @ts-expect-error -- a bool mask is not supported
m.get(T.tensor('bool', 1));
// @ts-expect-error -- a string is not an index
m.get('1');
// @ts-expect-error -- too many indices in at(...) as well
m.at(0, 0, 0).set(1);
// @ts-expect-error -- take's axis must exist
T.take(m, idx, 2);

// --- several index tensors (numpy's advanced indexing): they broadcast, and their rank replaces their axes
const labels = T.ivector('labels');
const d3 = T.dtensor3('d3');
expectType<Tensor<'float64', 1>>(m.get(T.arange(labels.shape(0)), labels));
expectType<Tensor<'float64', 1>>(m.get(idx, idx));
expectType<Tensor<'float64', 2>>(m.get(idx2, idx));
expectType<Tensor<'float64', 2>>(d3.get(idx, T.slice(), idx));
expectType<Tensor<'float64', 1>>(d3.get(0, idx, i));
expectType<Tensor<'float64', 2>>(d3.get(T.slice(1, 2), idx, j));
expectType<Tensor<'int64', 3>>(t3.get(idx2, idx2));
expectType<Tensor<'float64', 2>>(m.at(idx, idx).inc(1));
expectType<Tensor<'float64', 0>>(T.neg(T.mean(T.log(m).get(T.arange(labels.shape(0)), labels))));
// @ts-expect-error -- three indices for a matrix
m.get(idx, idx, idx);
// @ts-expect-error -- a float tensor is not an index tensor, beside another one either
m.get(idx, T.dvector());
