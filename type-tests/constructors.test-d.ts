/**
 * Constructors: the dtype prefix (b int8, w int16, i int32, l int64, f float32, d float64, none float64) and the
 * rank name (scalar 0, vector 1, row/col/matrix 2, tensor3 3, tensor4 4) give an exact `Tensor<D, R>`.
 */
import { expectError, expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Tensor } from '../dist/index.js';

const T = theano.tensor;

// --- prefixed singles
expectType<Tensor<'float64', 0>>(T.dscalar());
expectType<Tensor<'float64', 0>>(T.dscalar('x'));
expectType<Tensor<'int32', 1>>(T.ivector());
expectType<Tensor<'float32', 2>>(T.fmatrix());
expectType<Tensor<'int64', 3>>(T.ltensor3());
expectType<Tensor<'int8', 4>>(T.btensor4());
expectType<Tensor<'int16', 1>>(T.wvector());
expectType<Tensor<'float64', 2>>(T.drow());
expectType<Tensor<'float32', 2>>(T.fcol());

// --- unprefixed constructors are float64 (floatX)
expectType<Tensor<'float64', 0>>(T.scalar());
expectType<Tensor<'float64', 1>>(T.vector());
expectType<Tensor<'float64', 2>>(T.row());
expectType<Tensor<'float64', 2>>(T.col());
expectType<Tensor<'float64', 2>>(T.matrix());
expectType<Tensor<'float64', 3>>(T.tensor3());
expectType<Tensor<'float64', 4>>(T.tensor4());

// --- Theano's dtype= argument of the unprefixed constructors is an option
expectType<Tensor<'float32', 2>>(T.matrix('x', { dtype: 'float32' }));
expectType<Tensor<'int32', 0>>(T.scalar('i', { dtype: 'int32', testValue: 3 }));
expectType<Tensor<'float64', 1>>(T.vector('v', { testValue: [1, 2] }));
expectType<Tensor<'uint8', 4>>(T.tensor4(undefined, { dtype: 'uint8' }));
expectError(T.vector('x', 'float32'));
expectError(T.vector('x', { dtype: 'float33' }));

// --- plurals are typed tuples, one element per name
expectType<[Tensor<'float64', 2>, Tensor<'float64', 2>]>(T.dmatrices('a', 'b'));
expectType<[Tensor<'int32', 0>, Tensor<'int32', 0>, Tensor<'int32', 0>]>(T.iscalars('i', 'j', 'k'));
expectType<[Tensor<'float64', 1>]>(T.vectors('v'));
const [pa, pb] = T.dmatrices('a', 'b');
expectType<Tensor<'float64', 2>>(pa);
expectType<Tensor<'float64', 2>>(pb);

// --- T.tensor: any dtype with a rank or a static shape / broadcastable pattern
expectType<Tensor<'float32', 3>>(T.tensor('float32', 3));
expectType<Tensor<'int64', 0>>(T.tensor('int64', 0, 'n'));
expectType<Tensor<'float64', 2>>(T.tensor('float64', [1, null]));
expectType<Tensor<'bool', 2>>(T.tensor('bool', [true, false]));
expectType<Tensor<'uint8', 1>>(T.tensor('uint8', [null]));

// --- misc: named() keeps the exact type
expectType<Tensor<'float64', 2>>(T.dmatrix().named('x'));
// @ts-expect-error -- not a dtype
T.tensor('float16', 2);
