/**
 * The API around theano.function (issue 17), at the type level: In makes defaulted inputs optional and named,
 * outputs as an object are typed per key, eval / clone / Print keep the dtype and rank, test values are typed
 * like inputs.
 */
import { expectError, expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { NDArray, Tensor } from '../dist/index.js';

const T = theano.tensor;

const [x, y, w] = T.dscalars('x', 'y', 'w');
const f = theano.function(
  [x, theano.In(y, { value: 1 }), theano.In(w, { value: 2, name: 'w_by_name' })],
  x.add(y).mul(w),
);
expectType<number>(f(33));
expectType<number>(f(33, 2));
expectType<number>(f(33, 0, 1));
expectType<number>(f(33, { w_by_name: 1 }));
expectType<number>(f(33, 2, { w_by_name: 1 }));
expectError(f()); // x has no default
expectError(f(33, 0, 1, 2)); // too many
expectError(f(33, { w_by_name: [1, 2] })); // a scalar input

// with every name known, a misspelt name does not compile
const g = theano.function([x, theano.In(w, { value: 2, name: 'scale' })], x.mul(w));
expectType<number>(g(1, { scale: 3 }));
expectError(g(1, { scal: 3 }));
// a default of the wrong rank does not compile
expectError(theano.In(T.dvector('v'), { value: [[1]] }));

// outputs as an object
const v = T.dvector('v');
const h = theano.function([v], { loss: v.sum(), twice: v.mul(2), n: v.shape(0) });
const out = h([1, 2]);
expectType<number>(out.loss);
expectType<NDArray<'float64', 1>>(out.twice);
expectType<bigint>(out.n);
expectType<undefined>(theano.function([v], undefined, { updates: [] })([1]));

// copy keeps the signature
expectType<typeof f>(f.copy({ deleteUpdates: true }));

// eval, clone, Print keep dtype and rank
expectType<NDArray<'float64', 1>>(v.mul(2).eval({ v: [1, 2] }));
expectType<number>(v.sum().eval({ v: [1, 2] }));
expectType<Tensor<'float64', 1>>(theano.clone(v.mul(2), { replace: [[v, T.dvector('u')]] }));
expectType<Tensor<'float64', 1>>(theano.printing.Print('v')(v.exp()));
expectType<Tensor[]>(theano.graph.inputs(v.mul(2)));

// test values are typed like the input's values
expectType<Tensor<'float64', 2>>(T.dmatrix('m', { testValue: [[1, 2]] }));
expectError(T.dvector('u', { testValue: [[1]] }));
