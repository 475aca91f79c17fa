/**
 * `theano.shared`: the dtype and rank are inferred from the value (JS numbers are float64, bigints int64,
 * booleans bool, typed arrays their own dtype) unless `dtype` is given; `getValue()` / `setValue()` are typed
 * by them.
 *
 * Negative checks use `// @ts-expect-error` on the offending line (see tensor.test-d.ts).
 */
import { expectAssignable, expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { NDArray, SharedVariable, Tensor } from '../dist/index.js';

const T = theano.tensor;

// --- dtype and rank inferred from the value
expectType<SharedVariable<'float64', 0>>(theano.shared(0));
expectType<SharedVariable<'float64', 0>>(theano.shared(1.5));
expectType<SharedVariable<'float64', 1>>(theano.shared([1, 2, 3]));
expectType<SharedVariable<'float64', 2>>(theano.shared([[1, 2]]));
expectType<SharedVariable<'float64', 3>>(theano.shared([[[1]], [[2]]]));
expectType<SharedVariable<'float64', 1>>(theano.shared(new Float64Array(3)));
expectType<SharedVariable<'float32', 1>>(theano.shared(new Float32Array(3)));
expectType<SharedVariable<'int32', 1>>(theano.shared(new Int32Array(3)));
expectType<SharedVariable<'int64', 1>>(theano.shared(new BigInt64Array(3)));
expectType<SharedVariable<'uint8', 1>>(theano.shared(new Uint8Array(3)));
expectType<SharedVariable<'bool', 0>>(theano.shared(true));
expectType<SharedVariable<'bool', 1>>(theano.shared([true, false]));
expectType<SharedVariable<'int64', 0>>(theano.shared(1n));
expectType<SharedVariable<'int64', 1>>(theano.shared([1n, 2n]));
declare const m32: NDArray<'float32', 2>;
expectType<SharedVariable<'float32', 2>>(theano.shared(m32));
declare const rows: number[][];
expectType<SharedVariable<'float64', 2>>(theano.shared(rows));

// --- an explicit dtype wins; the rank still comes from the value
expectType<SharedVariable<'int32', 0>>(theano.shared(0, { dtype: 'int32' }));
expectType<SharedVariable<'float32', 2>>(theano.shared([[1, 2]], { dtype: 'float32', name: 'w' }));
expectType<SharedVariable<'int8', 1>>(theano.shared(new Float64Array(2), { dtype: 'int8' }));
expectType<SharedVariable<'float64', 0>>(theano.shared(0, { name: 'n' }));
// @ts-expect-error -- not a dtype
theano.shared(0, { dtype: 'float16' });
// @ts-expect-error -- a string is not a value
theano.shared('0');

// --- a shared variable is a tensor of its dtype and rank
const state = theano.shared(0);
const w = theano.shared([
  [1, 2],
  [3, 4],
]);
const flags = theano.shared([true, false]);
const big = theano.shared(0n);
expectAssignable<Tensor<'float64', 0>>(state);
expectType<'float64'>(state.dtype);
expectType<2>(w.ndim);
expectType<Tensor<'float64', 2>>(w.add(state));
expectType<Tensor<'float64', 2>>(w.mul(T.dvector()));
expectType<Tensor<'float64', 2>>(w.T);

// --- getValue: a JS scalar for rank 0, an NDArray otherwise
expectType<number>(state.getValue());
expectType<NDArray<'float64', 2>>(w.getValue());
expectType<NDArray<'bool', 1>>(flags.getValue());
expectType<bigint>(big.getValue());
expectType<boolean>(theano.shared(true).getValue());
expectType<number>(theano.shared(0, { dtype: 'int32' }).getValue());
expectType<NDArray<'float32', 1>>(theano.shared(new Float32Array(2)).getValue());
expectType<NDArray<'float64', 0>>(state.getArray());
expectType<NDArray<'float64', 2>>(w.getArray());
expectType<[number, number]>(w.getValue().shape);
expectType<number[][]>(w.getValue().toArray());

// --- setValue: a value of the same rank
state.setValue(3);
w.setValue([
  [5, 6],
  [7, 8],
]);
w.setValue(w.getValue());
flags.setValue([false, 1]);
big.setValue(2n);
big.setValue(2);
theano.shared([0, 0]).setValue(new Float64Array(2));
// a list of shared variables of several ranks (lstm.py's zipp/unzip): each takes a value, the rank checked at run time
for (const p of [theano.shared(new Float32Array(3)), theano.shared(theano.zeros([2, 2], { dtype: 'float32' }))])
  p.setValue(p.getValue());
// @ts-expect-error -- a nested array of the wrong rank (vector for a matrix)
w.setValue([1, 2]);
// @ts-expect-error -- a nested array of the wrong rank (rank 3 for a matrix)
w.setValue([[[1, 2]]]);
// @ts-expect-error -- an array for a scalar
state.setValue([3]);
// @ts-expect-error -- a matrix for a vector
flags.setValue([[true]]);
// @ts-expect-error -- an NDArray of the wrong rank
state.setValue(w.getValue());
// @ts-expect-error -- a string
state.setValue('3');
// @ts-expect-error -- a bigint for a float64 variable
state.setValue(3n);
// @ts-expect-error -- a typed array for a matrix
w.setValue(new Float64Array(4));

// --- saving and loading: shared variables or { name: variable | array }; promises in, arrays by name out
{
  const W = theano.shared([[1, 2]], { name: 'W' });
  expectType<Promise<void>>(theano.save([W], 'model.safetensors'));
  expectType<Promise<void>>(theano.save({ W, extra: theano.array([1]) }, 'model.safetensors'));
  expectType<Promise<Record<string, NDArray>>>(theano.load('model.safetensors', [W]));
  expectType<Uint8Array>(theano.saveBytes([W], { step: '3' }));
  expectType<Record<string, NDArray>>(theano.loadBytes(new Uint8Array(8)));
  // @ts-expect-error a symbolic tensor has no value to save
  theano.saveBytes([T.dvector('v')]);
  // @ts-expect-error metadata values are strings (the format's rule)
  theano.saveBytes([W], { step: 3 });
}
