/**
 * Reductions: the rank drops by one per reduced axis (all axes: a scalar), keepdims keeps it, axes are checked
 * against the rank (negative ones included), and the dtype follows Theano's accumulation rules (integer and bool
 * sums and products are int64, means of integers float64, argmax/argmin int64, all/any bool).
 *
 * Negative checks use `// @ts-expect-error` on the offending line (see elemwise.test-d.ts).
 */
import { expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Tensor } from '../dist/index.js';

const T = theano.tensor;

const ds = T.dscalar('ds');
const dv = T.dvector('dv');
const dm = T.dmatrix('dm');
const dt3 = T.dtensor3('dt3');
const ft4 = T.ftensor4('ft4');
const iv = T.ivector('iv');
const im = T.imatrix('im');
const lv = T.lvector('lv');
const bm = T.bmatrix('bm');
const u8 = T.tensor('uint8', 2);
const boolm = T.tensor('bool', 2);

// --- sum: the rank of the result
expectType<Tensor<'float64', 0>>(dm.sum());
expectType<Tensor<'float64', 0>>(dm.sum(null));
expectType<Tensor<'float64', 1>>(dm.sum(0));
expectType<Tensor<'float64', 1>>(dm.sum(1));
expectType<Tensor<'float64', 1>>(dm.sum(-1));
expectType<Tensor<'float64', 1>>(dm.sum(-2));
expectType<Tensor<'float64', 0>>(dm.sum([0, 1]));
expectType<Tensor<'float64', 1>>(dm.sum([1]));
expectType<Tensor<'float64', 2>>(dm.sum([]));
expectType<Tensor<'float64', 2>>(dm.sum(1, { keepdims: true }));
expectType<Tensor<'float64', 2>>(dm.sum(null, { keepdims: true }));
expectType<Tensor<'float64', 1>>(dm.sum(1, { keepdims: false }));
expectType<Tensor<'float64', 1>>(dt3.sum([0, -1]));
expectType<Tensor<'float64', 3>>(dt3.sum([0, 2], { keepdims: true }));
expectType<Tensor<'float32', 2>>(ft4.sum([3, 0]));
expectType<Tensor<'float32', 3>>(ft4.sum(-4));
expectType<Tensor<'float64', 0>>(ds.sum());
expectType<Tensor<'float64', 0>>(dv.sum(0));
expectType<Tensor<'float64', 0>>(dv.sum(-1));
declare const keep: boolean; // not a literal: either rank
expectType<Tensor<'float64', 1 | 2>>(dm.sum(0, { keepdims: keep }));

// --- free functions agree with the methods
expectType<Tensor<'float64', 0>>(T.sum(dm));
expectType<Tensor<'float64', 1>>(T.sum(dm, 0));
expectType<Tensor<'float64', 2>>(T.sum(dm, -1, { keepdims: true }));
expectType<Tensor<'float64', 1>>(T.prod(dm, 1));
expectType<Tensor<'float64', 1>>(T.max(dm, 0));
expectType<Tensor<'float64', 0>>(T.min(dm));
expectType<Tensor<'float64', 1>>(T.mean(dm, 0));
expectType<Tensor<'float64', 1>>(T.var(dm, 0));
expectType<Tensor<'float64', 1>>(T.variance(dm, 0));
expectType<Tensor<'float64', 0>>(T.std(dm));

// --- dtypes: Theano's accumulation rules
expectType<Tensor<'int64', 0>>(T.sum(iv));
expectType<Tensor<'int64', 0>>(iv.sum());
expectType<Tensor<'int64', 1>>(im.sum(0));
expectType<Tensor<'int64', 0>>(lv.sum());
expectType<Tensor<'int64', 1>>(bm.prod(1));
expectType<Tensor<'int64', 1>>(u8.sum(0)); // no uint64: unsigned sums are int64 too
expectType<Tensor<'int64', 0>>(boolm.sum());
expectType<Tensor<'float32', 1>>(T.fmatrix().sum(0));
expectType<Tensor<'int8', 0>>(iv.sum(null, { dtype: 'int8' }));
expectType<Tensor<'float64', 1>>(im.sum(1, { dtype: 'float64' }));
expectType<Tensor<'int32', 1>>(im.max(0));
expectType<Tensor<'int8', 0>>(bm.min());
expectType<Tensor<'bool', 1>>(boolm.max(1));

// mean, var and std of integers are float64; of float32, float32
expectType<Tensor<'float64', 0>>(im.mean());
expectType<Tensor<'float64', 1>>(im.mean(1));
expectType<Tensor<'float64', 0>>(T.mean(iv));
expectType<Tensor<'float64', 0>>(boolm.mean());
expectType<Tensor<'float64', 2>>(u8.mean(0, { keepdims: true }));
expectType<Tensor<'float64', 0>>(im.var());
expectType<Tensor<'float64', 1>>(im.std(0, { ddof: 1 }));
expectType<Tensor<'float32', 0>>(T.fvector().mean());
expectType<Tensor<'float32', 1>>(T.fmatrix().var(-1, { ddof: 1 }));
expectType<Tensor<'float32', 2>>(T.fmatrix().std(0, { keepdims: true }));

// all / any are bool
expectType<Tensor<'bool', 0>>(dm.all());
expectType<Tensor<'bool', 1>>(im.any(0));
expectType<Tensor<'bool', 2>>(T.all(boolm, 1, { keepdims: true }));
expectType<Tensor<'bool', 1>>(T.any(dt3, [0, 1]));

// --- argmax / argmin: int64, one axis (or none: the flattened index), drops a rank
expectType<Tensor<'int64', 0>>(dm.argmax());
expectType<Tensor<'int64', 1>>(dm.argmax(0));
expectType<Tensor<'int64', 1>>(dm.argmax(-1));
expectType<Tensor<'int64', 2>>(dm.argmax(1, { keepdims: true }));
expectType<Tensor<'int64', 2>>(dt3.argmin(2));
expectType<Tensor<'int64', 0>>(T.argmax(iv));
expectType<Tensor<'int64', 1>>(T.argmin(im, 1));

// maxAndArgmax
expectType<[Tensor<'float64', 1>, Tensor<'int64', 1>]>(T.maxAndArgmax(dm, 1));
expectType<[Tensor<'int32', 0>, Tensor<'int64', 0>]>(T.maxAndArgmax(im));
expectType<[Tensor<'float64', 2>, Tensor<'int64', 2>]>(T.maxAndArgmax(dm, 0, { keepdims: true }));

// --- an axis out of range is a compile error
// @ts-expect-error a matrix has axes 0, 1, -1, -2
dm.sum(2);
// @ts-expect-error a vector has axes 0 and -1
dv.sum(-2);
// @ts-expect-error
dm.sum(-3);
// @ts-expect-error one axis of the list is out of range
dm.sum([0, 2]);
// @ts-expect-error a scalar has no axes
ds.sum(0);
// @ts-expect-error
T.sum(dv, 1);
// @ts-expect-error
dt3.mean(3);
// @ts-expect-error
dm.var(2);
// @ts-expect-error
dm.std(-3);
// @ts-expect-error
dm.max(2);
// @ts-expect-error
T.min(dv, 1);
// @ts-expect-error
dm.prod(5);
// @ts-expect-error
dm.all(2);
// @ts-expect-error
dm.any(-5);
// @ts-expect-error
dm.argmax(2);
// @ts-expect-error
T.argmin(dv, -2);
// @ts-expect-error
T.maxAndArgmax(dm, 2);
// @ts-expect-error argmax takes one axis, not a list
dm.argmax([0, 1]);
// @ts-expect-error an axis is a number
dm.sum('0');
// @ts-expect-error keepdims is a boolean
dm.sum(0, { keepdims: 1 });
// @ts-expect-error the dtype option names a dtype
dm.sum(0, { dtype: 'float16' });

// mean's dtype option: a float dtype, the result's
expectType<Tensor<'float32', 1>>(dm.mean(0, { dtype: 'float32' }));
expectType<Tensor<'float64', 0>>(T.mean(T.ivector(), null, { dtype: 'float64' }));
// @ts-expect-error -- an integer dtype for a mean
dm.mean(0, { dtype: 'int32' });
