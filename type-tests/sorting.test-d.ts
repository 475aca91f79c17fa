/**
 * Sorting, searching and counting: results keep the rank (sort, argsort, topk) or flatten it (axis null), index
 * results are int64, nonzero gives one vector per axis, unique's tuple follows its options, oneHot adds an axis.
 * Negative checks use `// @ts-expect-error` on the offending line.
 */
import { expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Tensor } from '../dist/index.js';

const T = theano.tensor;
const m = T.dmatrix('m');
const v = T.fvector('v');
const labels = T.ivector('labels');
const t3 = T.ltensor3('t3');

expectType<Tensor<'float64', 2>>(T.sort(m));
expectType<Tensor<'float64', 2>>(T.sort(m, 0));
expectType<Tensor<'float64', 1>>(T.sort(m, null));
expectType<Tensor<'int64', 2>>(T.argsort(m, -1));
expectType<Tensor<'int64', 1>>(T.argsort(t3, null));
expectType<Tensor<'float32', 1>>(T.topk(v, 3));
expectType<Tensor<'int64', 2>>(T.topkIndices(m, 2, 1));
expectType<Tensor<'int64', 2>>(T.searchsorted(v, m));
expectType<Tensor<'int64', 0>>(T.searchsorted(v, 0.5));
expectType<[Tensor<'int64', 1>, Tensor<'int64', 1>]>(T.nonzero(m));
expectType<[Tensor<'int64', 1>, Tensor<'int64', 1>, Tensor<'int64', 1>]>(T.where(t3));
expectType<Tensor<'float64', 2>>(T.where(m.gt(0), m, 0));
expectType<Tensor<'int64', 1>>(T.flatnonzero(m));
expectType<Tensor<'float64', 1>>(T.nonzeroValues(m));
expectType<Tensor<'int32', 1>>(T.unique(labels));
const [values3, counts3, ...none] = T.unique(t3, { returnCounts: true });
expectType<Tensor<'int64', 1>>(values3);
expectType<Tensor<'int64', 1>>(counts3);
expectType<[]>(none);
expectType<[Tensor<'float64', 1>, Tensor<'int64', 1>, Tensor<'int64', 2>, Tensor<'int64', 1>]>(
  T.unique(m, { returnIndex: true, returnInverse: true, returnCounts: true }),
);
expectType<[Tensor<'float64', 2>, Tensor<'int64', 1>]>(T.unique(m, { returnInverse: true, axis: 0 }));
expectType<Tensor<'int64', 1>>(T.bincount(labels));
expectType<Tensor<'float64', 1>>(T.bincount(labels, { weights: v, minlength: 3 }));
expectType<Tensor<'float64', 2>>(T.oneHot(labels, 10));
expectType<Tensor<'float32', 2>>(T.oneHot(labels, 10, 'float32'));
expectType<Tensor<'float64', 2>>(T.diff(m));
expectType<Tensor<'int64', 3>>(T.diff(t3, 2, 0));

// @ts-expect-error -- axis 2 does not exist on a matrix
T.sort(m, 2);
// @ts-expect-error -- the sorted array of searchsorted is a vector
T.searchsorted(m, v);
// @ts-expect-error -- bincount counts integers
T.bincount(v);
// @ts-expect-error -- labels are integers
T.oneHot(v, 3);
// @ts-expect-error -- unknown option
T.unique(m, { counts: true });
