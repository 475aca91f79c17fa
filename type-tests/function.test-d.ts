/**
 * `theano.function`: arguments are typed from the declared inputs (dtype and rank), results from the outputs
 * (a JS scalar for rank 0, an NDArray otherwise, a tuple for a list of outputs), and `updates` pairs must
 * match their shared variable's dtype and rank exactly.
 *
 * Negative checks use `// @ts-expect-error` on the offending line (see tensor.test-d.ts).
 */
import { expectAssignable, expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { CompiledFunction, DType, NDArray, SharedVariable, Tensor } from '../dist/index.js';

const T = theano.tensor;

// --- scalars in, a number out
const [a, b] = T.dscalars('a', 'b');
const add = theano.function([a, b], a.add(b));
expectType<CompiledFunction<readonly [Tensor<'float64', 0>, Tensor<'float64', 0>], Tensor<'float64', 0>>>(add);
expectType<number>(add(1.5, 2.5));
expectType<readonly [Tensor<'float64', 0>, Tensor<'float64', 0>]>(add.inputs);
// each input's default (theano.In), or undefined: Theano's Function.defaults
expectType<readonly (NDArray | undefined)[]>(add.defaults);
expectType<Tensor<'float64', 0>>(add.outputs);
// @ts-expect-error -- too few arguments
add(1.5);
// @ts-expect-error -- too many arguments
add(1.5, 2.5, 3.5);
// @ts-expect-error -- a string for a float64 scalar
add('1.5', 2.5);
// @ts-expect-error -- an array for a scalar
add([1.5], 2.5);
// @ts-expect-error -- a bigint for a float64 scalar
add(1n, 2.5);

// --- rank > 0 outputs are NDArrays of the exact dtype and rank
const x = T.dmatrix('x');
const logistic = theano.function([x], T.div(1, T.add(1, T.exp(x.neg()))));
expectType<NDArray<'float64', 2>>(
  logistic([
    [0, 1],
    [-1, -2],
  ]),
);
expectType<NDArray<'float64', 2>>(logistic([]));
// @ts-expect-error -- a vector for a matrix input
logistic([0, 1]);
// @ts-expect-error -- a scalar for a matrix input
logistic(0);
const iv = T.ivector('iv');
const halve = theano.function([iv], iv.div(2));
expectType<NDArray<'float64', 1>>(halve([1, 2, 3]));
const fv = T.fvector('fv');
expectType<NDArray<'float32', 1>>(theano.function([fv], fv.exp())([0]));

// --- a list of outputs gives a typed tuple
const v = T.dvector('v');
const many = theano.function([v], [v.exp(), v.mul(2), v.gt(0), v.dimshuffle('x', 0)]);
expectType<[NDArray<'float64', 1>, NDArray<'float64', 1>, NDArray<'bool', 1>, NDArray<'float64', 2>]>(many([1, 2]));
const [e, , g] = many([1, 2]);
expectType<NDArray<'float64', 1>>(e);
expectType<NDArray<'bool', 1>>(g);
const single = theano.function([v], [v.exp()]);
expectType<[NDArray<'float64', 1>]>(single([1]));

// --- rank-0 output values: number, bigint for int64, boolean for bool
const l = T.lscalar('l');
const s = T.dscalar('s');
const scalars = theano.function([s, l], [s.mul(2), l.add(1n), s.gt(0), l.cast('int32'), l.cast('float32')]);
expectType<[number, bigint, boolean, number, number]>(scalars(1.5, 41n));
expectType<bigint>(theano.function([l], l.mul(2))(3));
expectType<boolean>(theano.function([s], s.gt(0))(1));
expectType<NDArray<'int64', 1>>(theano.function([T.lvector('lv')], T.lvector().add(1))([1n]));

// --- arguments are typed from the inputs
const vecFn = theano.function([v], v.exp());
expectType<NDArray<'float64', 1>>(vecFn([1, 2]));
// @ts-expect-error -- a nested matrix where a vector input is declared
vecFn([[1, 2]]);
// @ts-expect-error -- a string where a vector input is declared
vecFn('1, 2');
// @ts-expect-error -- an array of strings
vecFn(['1', '2']);
// @ts-expect-error -- a scalar where a vector input is declared
vecFn(1);
// @ts-expect-error -- no arguments
vecFn();
// @ts-expect-error -- two arguments for one input
vecFn([1], [2]);
vecFn(new Float64Array(3));
vecFn(new Float32Array(3)); // any typed array is accepted (converted, checked at run time)
declare const vecValue: NDArray<'float64', 1>;
declare const matValue: NDArray<'float64', 2>;
vecFn(vecValue);
logistic(matValue);
// @ts-expect-error -- an NDArray of the wrong rank
vecFn(matValue);
// @ts-expect-error -- a typed array for a matrix input
logistic(new Float64Array(4));
vecFn([1, 2] as const);
declare const readonlyRows: readonly (readonly number[])[];
logistic(readonlyRows);

// int64 and bool inputs take bigints and booleans
const lv = T.lvector('lv');
const lfn = theano.function([lv, T.tensor('bool', 1, 'mask')], lv);
lfn([1n, 2, 3n], [true, false, 1]);
// @ts-expect-error -- a string in a bool vector
lfn([1n], ['yes']);
// @ts-expect-error -- a bigint in a float64 vector
vecFn([1n]);

// the parameter list, as a type
declare const addParams: Parameters<typeof add>;
expectType<[number | NDArray<DType, 0>, number | NDArray<DType, 0>]>(addParams);
expectAssignable<Parameters<typeof vecFn>>([new Float64Array(2)]);

// --- updates: [shared, newValue] with the shared variable's exact dtype and rank
const state = theano.shared(0);
expectType<SharedVariable<'float64', 0>>(state);
const inc = T.iscalar('inc');
const accumulate = theano.function([inc], state, { updates: [[state, state.add(inc)]] });
expectType<number>(accumulate(1));
const w = theano.shared([[0, 0]], { name: 'w' });
const step = theano.function([x], w, {
  updates: [
    [w, w.sub(x.mul(0.1))],
    [state, state.add(1)],
  ],
});
expectType<NDArray<'float64', 2>>(step([[1, 2]]));
theano.function([], [], { updates: new Map([[state, state.add(1)]]) });

const counter = theano.shared(0, { dtype: 'int32' });
expectType<SharedVariable<'int32', 0>>(counter);
theano.function([], counter, { updates: [[counter, counter.add(1)]] });
theano.function([], counter, { updates: [[counter, counter.add(T.dscalar()).cast('int32')]] });
// @ts-expect-error -- the update is float64, the shared variable int32
theano.function([], counter, { updates: [[counter, counter.add(T.dscalar())]] });
// @ts-expect-error -- the update is int32 + 0.5 = float64
theano.function([], counter, { updates: [[counter, counter.add(0.5)]] });
// @ts-expect-error -- the update is a vector, the shared variable a scalar
theano.function([v], state, { updates: [[state, state.add(v)]] });
// @ts-expect-error -- the update is a scalar, the shared variable a matrix
theano.function([], w, { updates: [[w, state]] });
// @ts-expect-error -- the update target is not a shared variable
theano.function([s], s, { updates: [[s, s.add(1)]] });
// @ts-expect-error -- an update value that is not a tensor
theano.function([], state, { updates: [[state, 1]] });

// --- givens: same dtype and rank
theano.function([v], x.exp(), { givens: [[x, v.dimshuffle('x', 0)]] });
// @ts-expect-error -- a vector standing in for a matrix
theano.function([v], x, { givens: [[x, v]] });

// --- a value whose rank is known only at run time (an incSubtensor, Theano's sparse update of an embedding)
// passes the rank check, and its rank is checked when the function is compiled
const emb = theano.shared(
  [
    [0.1, 0.2],
    [0.3, 0.4],
  ],
  { name: 'emb' },
);
const rows = T.ivector('rows');
const rowGrads = T.dmatrix('rowGrads');
theano.function([rows, rowGrads], [], { updates: [[emb, T.incSubtensor(emb.get(rows), rowGrads.mul(-0.1))]] });
theano.function([rows, rowGrads], [], { updates: new Map([[emb, T.incSubtensor(emb.get(rows), rowGrads)]]) });
theano.function([rows, rowGrads], T.sum(x), { givens: [[x, T.setSubtensor(emb.get(rows), rowGrads)]] });
// @ts-expect-error -- still a dtype mismatch: an int32 region for a float64 shared variable
theano.function([rows], [], { updates: [[emb, T.incSubtensor(rows.get(T.slice(0, 1)), 1)]] });

// --- other options are typed
theano.function([v], v, { onUnusedInput: 'warn', allowInputDowncast: true, name: 'f' });
// @ts-expect-error -- not a policy
theano.function([v], v, { onUnusedInput: 'silent' });

// --- inputs and outputs must be symbolic
// @ts-expect-error -- a number as an input
theano.function([1], v);
// @ts-expect-error -- a number as an output
theano.function([v], 1);

// --- the everyday SGD update list: one `map` over parameters of several ranks
const xs = T.dmatrix('xs');
const ys = T.dvector('ys');
const W = theano.shared([[0.1], [0.2]], { name: 'W' });
const bias = theano.shared([0], { name: 'bias' });
const params = [W, bias];
const cost = T.sum(T.sqr(T.dot(xs, W).add(bias).sum(1).sub(ys)));
const grads = T.grad(cost, params);
const lr = 0.1;
const train = theano.function([xs, ys], cost, {
  updates: params.map((p, i) => [p, p.sub(grads[i]!.mul(lr))]),
});
expectType<number>(train([[1, 2]], [3]));
// pairs of several dtypes: each value has its own shared variable's dtype
const steps = theano.shared(0, { dtype: 'int32' });
theano.function([], [], {
  updates: [
    [W, W.mul(0.5)],
    [steps, steps.add(1)],
  ],
});
// @ts-expect-error -- a float64 value for an int32 shared variable, in a list over parameters of several ranks
theano.function([], [], { updates: [counter, theano.shared([0], { dtype: 'int32' })].map((p) => [p, p.add(0.5)]) });
// @ts-expect-error -- a float32 value for float64 parameters
theano.function([], [], { updates: params.map((p) => [p, p.cast('float32')]) });
// @ts-expect-error -- a value of a rank none of the parameters has
theano.function([], [], { updates: params.map((p) => [p, T.dscalar()]) });

// --- lists annotated `theano.Update[]` / `theano.Given[]` (Theano's `updates.append((p, p - lr * g))` over
// parameters of several ranks): any pairs, checked exactly when the function is compiled
const pushed: theano.Update[] = [];
params.forEach((p, k) => pushed.push([p, p.sub(grads[k]!.mul(lr))]));
theano.function([xs, ys], cost, { updates: pushed });
const substitutions: theano.Given[] = [[x, T.dmatrix('x2')]];
theano.function([], x.sum(), { givens: substitutions });
const oneGiven: theano.Given = [x, [[1, 2]]];
theano.function([], x.sum(), { givens: [oneGiven] });
