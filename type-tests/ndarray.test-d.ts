/** NDArray values: constructors, reshape and transpose keep dtype and rank in the types. */
import { expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { NDArray } from '../dist/index.js';

expectType<NDArray<'float32', 2>>(theano.asarray(new Float32Array(6), { shape: [2, 3] }));
expectType<NDArray<'float64', 2>>(theano.asarray([[1, 2]]));
expectType<NDArray<'int16', 2>>(theano.fromTypedArray(new Int16Array(4), [2, 2]));
expectType<NDArray<'float64', 3>>(theano.zeros([2, 3, 4]));
expectType<NDArray<'int32', 1>>(theano.ones([5], { dtype: 'int32' }));
expectType<NDArray<'float64', 1>>(theano.arange(10));
expectType<NDArray<'float32', 1>>(theano.linspace(0, 1, 5, { dtype: 'float32' }));

const m = theano.zeros([2, 3]);
expectType<NDArray<'float64', 3>>(m.reshape([1, 2, 3]));
expectType<NDArray<'float64', 1>>(m.reshape([-1]));
expectType<NDArray<'float64', 2>>(m.T);
expectType<NDArray<'int32', 2>>(m.astype('int32'));
expectType<Float64Array>(m.toTypedArray());
expectType<number[][]>(m.tolist());
m.set(0, 1, 2.5);
// @ts-expect-error a matrix element needs two indices
m.set(0, 2.5);
// @ts-expect-error a shape is not an options object
theano.array(new Float32Array(4), [2, 2]);
