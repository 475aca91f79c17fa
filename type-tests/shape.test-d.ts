/**
 * Shape and structure typing: the rank of reshape is the length of its shape literal, dimshuffle patterns must name
 * each input axis exactly once, flatten/squeeze/expandDims/stack change the rank by what they do, concatenate
 * upcasts and rejects mixed ranks, constructors take their dtype and rank from their arguments.
 *
 * Negative checks use `// @ts-expect-error` on the offending line (tsd and tsc report an unused directive).
 */
import { expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Rank, Tensor } from '../dist/index.js';

const T = theano.tensor;

const ds = T.dscalar('ds');
const dv = T.dvector('dv');
const dm = T.dmatrix('dm');
const dt3 = T.dtensor3('dt3');
const dt4 = T.dtensor4('dt4');
const fv = T.fvector('fv');
const iv = T.ivector('iv');
const bv = T.bvector('bv');
const uv = T.tensor('uint8', 1);
const im = T.imatrix('im');
const n = T.lscalar('n');
const i = T.iscalar('i');

// --- reshape: the rank is the length of the shape literal; sizes are numbers (one -1) or integer scalars
expectType<Tensor<'float64', 2>>(dv.reshape([2, 3]));
expectType<Tensor<'float64', 1>>(dm.reshape([-1]));
expectType<Tensor<'float64', 3>>(dm.reshape([2, -1, 1]));
expectType<Tensor<'float64', 0>>(dv.reshape([]));
expectType<Tensor<'float64', 2>>(dv.reshape([n, -1]));
expectType<Tensor<'float64', 2>>(dv.reshape([i, dm.shape(0)]));
expectType<Tensor<'int32', 4>>(T.reshape(iv, [1, 2, 3, -1]));
expectType<Tensor<'float64', 2>>(dv.reshape(dm.shape(), 2));
declare const someShape: number[];
expectType<Tensor<'float64', Rank>>(dv.reshape(someShape));
// @ts-expect-error a float scalar is not a size
dv.reshape([ds, -1]);
// @ts-expect-error a string is not a size
dv.reshape(['2', 3]);

// --- flatten: rank ndim (1 by default), at most the input's rank
expectType<Tensor<'float64', 1>>(dt3.flatten());
expectType<Tensor<'float64', 2>>(dt3.flatten(2));
expectType<Tensor<'float64', 3>>(dt3.flatten(3));
expectType<Tensor<'float64', 2>>(T.flatten(dt4, 2));
expectType<Tensor<'float64', 1>>(ds.flatten());
expectType<Tensor<'float64', 1>>(dm.ravel());
// @ts-expect-error flatten(3) on a matrix
dm.flatten(3);
// @ts-expect-error flatten(0)
dm.flatten(0);

// --- dimshuffle: the pattern names each input axis exactly once
expectType<Tensor<'float64', 2>>(dm.dimshuffle(1, 0));
expectType<Tensor<'float64', 2>>(dv.dimshuffle(0, 'x'));
expectType<Tensor<'float64', 2>>(dv.dimshuffle('x', 0));
expectType<Tensor<'float64', 4>>(dm.dimshuffle('x', 1, 'x', 0));
expectType<Tensor<'float64', 3>>(dt3.dimshuffle(2, 0, 1));
expectType<Tensor<'float64', 1>>(ds.dimshuffle('x'));
expectType<Tensor<'float64', 0>>(ds.dimshuffle());
// an axis left out is dropped (it must have length 1, checked when the graph is built or runs)
expectType<Tensor<'float64', 1>>(dm.dimshuffle(0));
// @ts-expect-error the pattern is too long: axis 0 named twice
dm.dimshuffle(0, 1, 0);
// @ts-expect-error axis 2 does not exist in a matrix
dm.dimshuffle(0, 2);
// @ts-expect-error a vector has no axis 1
dv.dimshuffle(1, 'x');
// @ts-expect-error a scalar has no axis 0
ds.dimshuffle(0);
expectType<Tensor<'float64', 2>>(T.dimshuffle(dm, [1, 0]));
expectType<Tensor<'float64', 3>>(T.dimshuffle(dv, ['x', 0, 'x']));
// @ts-expect-error the free function checks a literal pattern too
T.dimshuffle(dm, [1, 1]);
declare const somePattern: (number | 'x')[];
expectType<Tensor<'float64', Rank>>(T.dimshuffle(dm, somePattern));
expectType<Tensor<'float64', 2>>(dm.T);
expectType<Tensor<'float64', 3>>(dt3.transpose());

// --- squeeze and expandDims
expectType<Tensor<'float64', 1>>(dm.squeeze(0));
expectType<Tensor<'float64', 1>>(T.row().squeeze(-2));
expectType<Tensor<'float64', 1>>(dt3.squeeze([0, 2]));
expectType<Tensor<'float64', Rank>>(T.row().squeeze());
expectType<Tensor<'float64', 2>>(dv.expandDims(0));
expectType<Tensor<'float64', 2>>(dv.expandDims(-1));
expectType<Tensor<'float64', 3>>(T.expandDims(dm, 2));
expectType<Tensor<'float64', 1>>(ds.expandDims(0));
// @ts-expect-error a matrix has no axis 2 to squeeze
dm.squeeze(2);
// @ts-expect-error expandDims(3) on a matrix (positions are 0..2)
dm.expandDims(3);

// --- shape
expectType<Tensor<'int64', 1>>(dm.shape());
expectType<Tensor<'int64', 0>>(dm.shape(1));
expectType<Tensor<'int64', 0>>(T.shape(dm, -1));
expectType<Tensor<'int64', 1>>(T.shape(dm));
// @ts-expect-error a matrix has no axis 2
dm.shape(2);

// --- concatenate, stack, split
expectType<Tensor<'float64', 1>>(T.concatenate([dv, dv]));
expectType<Tensor<'float64', 2>>(T.concatenate([dm, dm, dm], 1));
expectType<Tensor<'int16', 1>>(T.concatenate([bv, uv]));
expectType<Tensor<'float64', 1>>(T.concatenate([fv, iv]));
expectType<Tensor<'int32', 1>>(T.concatenate([iv, bv], -1));
expectType<Tensor<'float64', 2>>(T.stack([dv, dv]));
expectType<Tensor<'float64', 2>>(T.stack([dv, dv], -1));
expectType<Tensor<'float64', 3>>(T.stack([dm, dm], 2));
expectType<Tensor<'float64', 1>>(T.stack([ds, ds, ds]));
expectType<[Tensor<'float64', 1>, Tensor<'float64', 1>]>(T.split(dv, [2, 3]));
expectType<[Tensor<'int32', 2>, Tensor<'int32', 2>, Tensor<'int32', 2>]>(T.split(im, [1, n, 1], 1));
// @ts-expect-error concatenating a vector and a matrix
T.concatenate([dv, dm]);
// @ts-expect-error axis 1 of vectors
T.concatenate([dv, dv], 1);
// @ts-expect-error stack of vectors: positions are 0..1
T.stack([dv, dv], 2);

// --- constructors: dtype and rank from the arguments
expectType<Tensor<'float64', 2>>(T.zeros([2, 3]));
expectType<Tensor<'int32', 3>>(T.zeros([2, n, 4], 'int32'));
expectType<Tensor<'float32', 1>>(T.ones(5, 'float32'));
expectType<Tensor<'bool', 2>>(T.ones([2, 2], 'bool'));
expectType<Tensor<'float64', 2>>(T.full([2, 2], 7));
expectType<Tensor<'int8', 1>>(T.full([3], 7, 'int8'));
expectType<Tensor<'int64', 1>>(T.full([3], 7n));
expectType<Tensor<'bool', 1>>(T.full([3], true));
expectType<Tensor<'int32', 2>>(T.full([2, 2], i));
expectType<Tensor<'float64', 3>>(T.alloc(0, 2, 3, n));
expectType<Tensor<'int32', 2>>(T.alloc(iv, 4, 3));
expectType<Tensor<'float64', 2>>(T.broadcastTo(dv, [2, 3]));
expectType<Tensor<'int32', 2>>(T.zerosLike(im));
expectType<Tensor<'float32', 2>>(T.onesLike(im, 'float32'));
expectType<Tensor<'float64', 1>>(dv.zerosLike());
expectType<Tensor<'int32', 1>>(T.fill(iv, 2));
expectType<Tensor<'float64', 1>>(T.fill(iv, 2.5));
expectType<Tensor<'float64', 2>>(dm.fill(1));
expectType<Tensor<'int8', 2>>(dm.fill(T.bscalar()));
// @ts-expect-error 'float16' is not a dtype
T.zeros([2], 'float16');

// --- arange and eye
expectType<Tensor<'int64', 1>>(T.arange(5));
expectType<Tensor<'int64', 1>>(T.arange(1, 10, 2));
expectType<Tensor<'float64', 1>>(T.arange(0, 1, 0.25));
expectType<Tensor<'float32', 1>>(T.arange(5, undefined, undefined, 'float32'));
expectType<Tensor<'int32', 1>>(T.arange(i));
expectType<Tensor<'int64', 1>>(T.arange(0, n, 2));
expectType<Tensor<'float64', 1>>(T.arange(i, 10, 0.5));
expectType<Tensor<'float32', 1>>(T.arange(T.fscalar(), 3));
declare const someBound: number;
expectType<Tensor<'int64' | 'float64', 1>>(T.arange(someBound));
expectType<Tensor<'float64', 2>>(T.eye(3));
expectType<Tensor<'int32', 2>>(T.eye(n, 4, 1, 'int32'));
// @ts-expect-error a vector is not a bound
T.arange(dv);

// --- tril, triu, tile, repeat, roll, cumsum, cumprod
expectType<Tensor<'float64', 2>>(T.tril(dm));
expectType<Tensor<'int32', 2>>(T.triu(im, -1));
expectType<Tensor<'float64', 3>>(T.tril(dt3, n));
// @ts-expect-error tril needs rank 2 or more
T.tril(dv);
expectType<Tensor<'float64', 2>>(T.tile(dv, [2, 3]));
expectType<Tensor<'float64', 2>>(T.tile(dm, [2]));
expectType<Tensor<'float64', 3>>(T.tile(dm, [1, 2, 2]));
expectType<Tensor<'float64', 2>>(dm.repeat(2, 0));
expectType<Tensor<'float64', 1>>(dm.repeat(2));
expectType<Tensor<'float64', 2>>(T.repeat(dm, iv, -1));
expectType<Tensor<'float64', 2>>(T.roll(dm, 1));
expectType<Tensor<'float64', 2>>(T.roll(dm, n, 1));
expectType<Tensor<'float64', 2>>(dm.cumsum(0));
expectType<Tensor<'float64', 1>>(dm.cumsum());
expectType<Tensor<'int64', 2>>(im.cumsum(1));
expectType<Tensor<'int64', 1>>(T.cumprod(bv));
expectType<Tensor<'float32', 1>>(T.cumsum(iv, 0, { dtype: 'float32' }));
// @ts-expect-error a matrix has no axis 2
dm.cumsum(2);
// @ts-expect-error a vector has no axis 1 to roll
T.roll(dv, 1, 1);
