/**
 * Static types that must say what the run time gives: empty and `any`-typed literals, transpose permutations,
 * an index that may be an integer or a slice (the values are checked in test/types/static-vs-runtime.test.ts).
 */
import { expectError, expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { NDArray, Rank, SharedVariable, Tensor } from '../dist/index.js';

const T = theano.tensor;

// --- an empty list is an empty float64 vector (numpy's np.array([])), [[]] a 1x0 float64 matrix
expectType<Tensor<'float64', 1>>(T.constant([]));
expectType<SharedVariable<'float64', 1>>(theano.shared([]));
expectType<NDArray<'float64', 2>>(theano.array([[]]));
// --- a value typed any: float64 of a rank only the run time knows
declare const loose: any[];
expectType<NDArray<'float64', Rank>>(theano.array(loose));
expectType<Tensor<'float64', Rank>>(T.constant(loose));
// --- literals keep their dtype and depth, beyond 4 too
expectType<NDArray<'bool', 2>>(theano.array([[true], [false]]));
expectType<NDArray<'int64', 1>>(theano.array([1n, 2n]));
expectType<NDArray<'float64', 6>>(theano.array([[[[[[1]]]]]]));
declare const rows: number[][];
expectType<NDArray<'float64', 2>>(theano.array(rows));

// --- transpose takes a permutation: one axis per axis
const m = T.dmatrix('m');
expectType<Tensor<'float64', 2>>(T.transpose(m, [1, 0]));
expectType<Tensor<'float64', 2>>(T.transpose(m));
expectError(T.transpose(m, [0]));
expectError(T.transpose(m, [2, 1, 0]));
declare const perm: number[];
expectType<Tensor<'float64', 2>>(T.transpose(m, perm)); // a list of unknown length: checked at run time

// --- an index that may be an integer or a slice leaves a rank only the run time knows
declare const cond: boolean;
expectType<Tensor<'float64', Rank>>(m.get(cond ? 0 : T.slice(1)));
expectType<Tensor<'float64', 1>>(m.get(0));
expectType<Tensor<'float64', 2>>(m.get(T.slice(1)));
