/**
 * The compile errors of test/types/type-error-messages.test.ts (which checks their text), against the built
 * typings: each mistake is rejected; the nearby valid code is not.
 */
import { expectError, expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Rank, Tensor } from '../dist/index.js';

const T = theano.tensor;
const m = T.dmatrix('m');
const v = T.dvector('v');
const iv = T.ivector('iv');
const counts = theano.shared(new Uint32Array(8), { name: 'counts' });

// a float update for an int shared variable
expectError(theano.function([], [], { updates: [[counts, counts.add(0.5)]] }));
theano.function([], [], { updates: [[counts, counts.add(1)]] });

// the same as a Map
expectError(theano.function([], [], { updates: new Map([[counts, counts.add(0.5)]]) }));
expectError(theano.function([], [], { updates: new Map([[counts, counts.get(0)]]) }));
theano.function([], [], { updates: new Map([[counts, counts.add(1)]]) });
const bias = theano.shared([1, 2], { name: 'bias' });
const weights = theano.shared([[1, 2]], { name: 'weights' });
// (TypeScript's Map constructor takes its types from the first entry: entries of several ranks need them given)
theano.function([], [], {
  updates: new Map<theano.SharedVariable, theano.Tensor>([
    [weights, weights.mul(2)],
    [bias, bias.add(1)],
  ]),
});

// concatenate / stack of mixed ranks
expectError(T.concatenate([m, v]));
expectError(T.stack([m, v]));
expectType<Tensor<'float64', 2>>(T.concatenate([m, v.dimshuffle('x', 0)]));

// a value that does not fit the region written into
expectError(T.incSubtensor(m.get(0), T.dmatrix()));
expectError(T.setSubtensor(iv.get(0), v.get(0)));
expectError(T.setSubtensor(iv.get(0), [[1, 2]]));
expectError(T.setSubtensor(iv.get(0), 1.5));
expectType<Tensor<'float64', Rank>>(T.incSubtensor(m.get(0), v));
expectType<Tensor<'int32', Rank>>(T.setSubtensor(iv.get(0), T.bscalar()));
expectType<Tensor<'float64', Rank>>(T.setSubtensor(m.get(T.slice(1)), [[1, 2]]));

// indexing: new axes and integer tensors do not mix
expectError(m.get(iv, T.newaxis));
expectType<Tensor<'float64', 3>>(m.get(iv).get(T.slice(), T.newaxis));

// givens: a replacement of another rank or dtype, or data of another rank
expectError(theano.function([v], m, { givens: [[m, v]] }));
expectError(theano.function([], m, { givens: [[m, T.fmatrix()]] }));
expectError(theano.function([], m, { givens: [[m, [1, 2]]] }));
theano.function([], m, { givens: [[m, [[1, 2]]]] });
const data = theano.shared(theano.zeros([10, 2]), { name: 'data' });
const i = T.lscalar('i');
theano.function([i], m.sum(), { givens: [[m, data.get(T.slice(i, i.add(2)))]] });
theano.function([], m.sum(), { givens: new Map([[m, data]]) });
expectError(theano.function([v], m.sum(), { givens: new Map([[m, v]]) }));
expectError(theano.function([], m.sum(), { givens: new Map([[m, T.fmatrix()]]) }));
// options built apart, typed FunctionOptions: checked at run time
const options: theano.FunctionOptions = { givens: [[m, data]], updates: [[counts, counts.add(1)]] };
theano.function([], m.sum(), options);

// grad with respect to an integer variable
expectError(T.grad(T.sum(v.mul(iv)), iv));
expectError(T.grad(T.sum(v.mul(iv)), [v, iv]));
expectType<Tensor<'float64', 1>>(T.grad(T.sum(v.mul(iv)), v));
declare const unknownDType: Tensor[];
T.grad(T.sum(v), unknownDType, { disconnectedInputs: 'ignore' });

// the mixed-rank SGD update list, with a method that constrains `this` (neg)
const w = theano.shared([[1, 2]], { name: 'w' });
const b = theano.shared([1, 2], { name: 'b' });
const params = [w, b];
const grads = T.grad(T.sum(w.dot(b)), params);
theano.function([], [], { updates: params.map((p, i) => [p, p.sub(grads[i]!.mul(0.1)).neg()]) });
