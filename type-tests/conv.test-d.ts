/**
 * Convolution, pooling and batch-norm result types: conv2d and its transposes take and give rank-4 tensors (a
 * rank-3 input is a compile error), dtypes upcast and upgrade to float; pool2d keeps the rank (>= 2); batch norm
 * keeps the input's rank and the parameters' rank for the statistics.
 */
import { expectError, expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Tensor } from '../dist/index.js';

const T = theano.tensor;

const x = T.dtensor4('x');
const w = T.dtensor4('w');
const fx = T.ftensor4('fx');
const fw = T.ftensor4('fw');
const ix = T.itensor4('ix');

// --- conv2d: rank 4 in, rank 4 out; upcast, integers upgrade to float
expectType<Tensor<'float64', 4>>(T.conv2d(x, w));
expectType<Tensor<'float32', 4>>(T.conv2d(fx, fw, { border: 'half', subsample: [2, 2] }));
expectType<Tensor<'float64', 4>>(T.conv2d(fx, w));
expectType<Tensor<'float64', 4>>(T.conv2d(ix, ix));
expectType<Tensor<'float32', 4>>(T.nnet.conv2d(fx, fw, { border: [1, 2], filterDilation: 2, numGroups: 1 }));
expectError(T.conv2d(T.dtensor3('x3'), w));
expectError(T.conv2d(x, T.dmatrix('wm')));
expectError(T.conv2d(x, w, { border: 'same' }));
expectError(T.conv2d(x, w, { stride: [2, 2] }));

// --- conv2dTranspose and conv2dGradWeights
expectType<Tensor<'float32', 4>>(T.conv2dTranspose(fx, fw, { subsample: 2, outputShape: [28, 28] }));
expectType<Tensor<'float64', 4>>(T.conv2dTranspose(x, w, { outputShape: [T.lscalar('r'), 5] }));
expectType<Tensor<'float64', 4>>(T.conv2dGradWeights(x, x, { filterShape: [5, 5] }));
expectError(T.conv2dTranspose(T.dtensor3('h'), w));
expectError(T.conv2dGradWeights(x, x, {}));

// --- pool2d: the rank is kept, at least 2
expectType<Tensor<'float32', 4>>(T.pool2d(fx, { ws: [2, 2], ignoreBorder: true }));
expectType<Tensor<'float64', 2>>(T.pool2d(T.dmatrix('m'), { ws: 2, mode: 'average_exc_pad' }));
expectType<Tensor<'float64', 3>>(T.pool2d(T.itensor3('i3'), { ws: 2 }));
expectError(T.pool2d(T.dvector('v'), { ws: 2 }));
expectError(T.pool2d(x, { ws: 2, mode: 'average' }));
expectError(T.pool2d(x, {}));

// --- batch normalization
const g = T.dvector('g');
const [out, mean, invstd] = T.batchNormalizationTrain(x, g, g, { axes: 'spatial' });
expectType<Tensor<'float64', 4>>(out);
expectType<Tensor<'float64', 1>>(mean);
expectType<Tensor<'float64', 1>>(invstd);
const trained = T.batchNormalizationTrain(fx, T.fvector('fg'), T.fvector('fb'), {
  axes: 'spatial',
  runningMean: T.fvector('rm'),
  runningVar: T.fvector('rv'),
});
expectType<Tensor<'float32', 1>>(trained[4]);
expectType<Tensor<'float64', 4>>(T.batchNormalizationTest(x, g, g, g, g, { axes: 'spatial' }));
expectType<Tensor<'float64', 2>>(T.batchNormalization(T.dmatrix('a'), g, g, g, g));
