/**
 * RandomStreams: a draw's rank is the length of its size list (1 for one number, the parameters' broadcast rank
 * without a size, `Rank` for a symbolic shape vector), its dtype the `dtype` option or the sampler's default
 * (float64 for uniform/normal, int64 for binomial/bernoulli/integers/choice of 0..a-1).
 *
 * Negative checks use `// @ts-expect-error` on the offending line (see tensor.test-d.ts).
 */
import { expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Rank, SharedVariable, Tensor } from '../dist/index.js';

const T = theano.tensor;
const srng = new theano.RandomStreams(1);
const n = T.iscalar('n');
const x = T.dmatrix('x');

expectType<Tensor<'float64', 2>>(srng.normal([3, 4]));
expectType<Tensor<'float32', 2>>(srng.normal([3, 4], { dtype: 'float32' }));
expectType<Tensor<'float64', 3>>(srng.uniform([2, n, 4], { low: -1, high: 1 }));
expectType<Tensor<'float32', 1>>(srng.uniform(5, { dtype: 'float32' }));
expectType<Tensor<'float64', Rank>>(srng.uniform(x.shape()));
expectType<Tensor<'float64', 2>>(srng.normal(null, { loc: x }));
expectType<Tensor<'float64', 0>>(srng.normal());
expectType<Tensor<'int64', 2>>(srng.binomial([3, 4], { p: 0.5 }));
expectType<Tensor<'float32', 2>>(srng.binomial([3, 4], { p: 0.5, dtype: 'float32' }));
expectType<Tensor<'int64', 1>>(srng.bernoulli([10]));
expectType<Tensor<'int8', 2>>(srng.bernoulli([2, 2], { dtype: 'int8' }));
expectType<Tensor<'int64', 1>>(srng.integers(0, 10, [5]));
expectType<Tensor<'int32', 2>>(srng.integers(0, 10, [5, 5], { dtype: 'int32' }));
expectType<Tensor<'int64', 1>>(srng.choice(10, [3], { replace: false }));
expectType<Tensor<'float32', 2>>(srng.choice(T.fvector('pop'), [2, 2]));
expectType<Tensor<'int64', 1>>(srng.permutation(5));
expectType<Tensor<'float64', 2>>(srng.permutation(x));
expectType<SharedVariable<'uint32', 1>[]>(srng.states);
expectType<typeof theano.RandomStreams>(T.random.RandomStream);

// @ts-expect-error uniform and normal draw floats only
srng.uniform([3], { dtype: 'int32' });
// @ts-expect-error integers draw integers only
srng.integers(0, 10, [3], { dtype: 'float64' });
// @ts-expect-error a size is numbers or integer scalars
srng.normal([x]);
// @ts-expect-error a float scalar is no size
srng.normal([T.dscalar('s')]);
// @ts-expect-error the sample's rank is the size's length: a matrix is no vector
const v: Tensor<'float64', 1> = srng.normal([2, 2]);
void v;
