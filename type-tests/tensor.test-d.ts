/**
 * Elementwise typing: upcasting between tensors (numpy's table), weak JS numbers next to tensors, Theano's
 * upgrade_to_float for true division and transcendental functions, broadcast ranks, and the dtype domains of
 * bitwise / arithmetic ops.
 *
 * Negative checks use `// @ts-expect-error` on the offending line: the error must occur (tsd and tsc both report
 * an unused directive otherwise) and tsc stays clean (an `expectError(...)` call is a real compile error for tsc).
 */
import { expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Tensor } from '../dist/index.js';

const T = theano.tensor;

const ds = T.dscalar('ds');
const dv = T.dvector('dv');
const dm = T.dmatrix('dm');
const dt3 = T.dtensor3('dt3');
const fv = T.fvector('fv');
const iv = T.ivector('iv');
const is = T.iscalar('is');
const bv = T.bvector('bv');
const lv = T.lvector('lv');
const uv = T.tensor('uint8', 1);
const boolv = T.tensor('bool', 1);

// --- tensor with tensor: upcast
expectType<Tensor<'float64', 2>>(dm.add(dm));
expectType<Tensor<'float64', 1>>(iv.add(ds));
expectType<Tensor<'int8', 1>>(bv.add(bv));
expectType<Tensor<'int32', 1>>(bv.add(iv));
expectType<Tensor<'int64', 1>>(iv.mul(lv));
expectType<Tensor<'int16', 1>>(bv.sub(uv));
expectType<Tensor<'float32', 1>>(fv.add(bv));
expectType<Tensor<'float64', 1>>(fv.add(iv));
expectType<Tensor<'float64', 1>>(fv.mul(dv));
expectType<Tensor<'bool', 1>>(boolv.add(boolv));
expectType<Tensor<'bool', 1>>(boolv.mul(boolv));

// --- weak JS numbers: an integer keeps the tensor's dtype, a fraction makes integers float64
expectType<Tensor<'int32', 1>>(iv.add(2));
expectType<Tensor<'int32', 1>>(iv.mul(-3));
expectType<Tensor<'float64', 1>>(iv.add(2.5));
expectType<Tensor<'float64', 1>>(iv.add(1e-3));
expectType<Tensor<'float32', 1>>(fv.add(2.5));
expectType<Tensor<'int8', 1>>(bv.add(2));
expectType<Tensor<'int64', 1>>(boolv.add(2));
declare const someNumber: number; // not a literal: could be either kind
expectType<Tensor<'int32' | 'float64', 1>>(iv.add(someNumber));
expectType<Tensor<'float64', 1>>(dv.add(someNumber));
expectType<Tensor<'int32', 1>>(iv.add(true));
expectType<Tensor<'int32', 1>>(iv.add(2n));

// --- broadcast ranks: the larger rank wins
expectType<Tensor<'float64', 2>>(dm.add(dv));
expectType<Tensor<'float64', 2>>(dv.add(dm));
expectType<Tensor<'float64', 3>>(ds.add(dt3));
expectType<Tensor<'float64', 3>>(dt3.mul(ds));
expectType<Tensor<'float64', 0>>(ds.add(1));

// --- true division and float-valued functions: upgrade_to_float
expectType<Tensor<'float64', 1>>(iv.div(iv));
expectType<Tensor<'float32', 1>>(bv.div(2));
expectType<Tensor<'float32', 1>>(bv.div(bv));
expectType<Tensor<'float64', 1>>(lv.div(2));
expectType<Tensor<'float32', 1>>(fv.div(2));
expectType<Tensor<'float64', 2>>(dm.div(dv));
expectType<Tensor<'float64', 1>>(iv.exp());
expectType<Tensor<'float32', 1>>(bv.sqrt());
expectType<Tensor<'float32', 1>>(fv.tanh());
expectType<Tensor<'float64', 1>>(iv.arctan2(iv));
expectType<Tensor<'int32', 1>>(iv.intDiv(2));
expectType<Tensor<'int32', 1>>(iv.mod(iv));
expectType<Tensor<'int32', 1>>(iv.neg());
expectType<Tensor<'float64', 0>>(ds.neg());
expectType<Tensor<'float64', 2>>(dm.abs());

// --- free functions: numbers in any position; a lone number is float64
expectType<Tensor<'float64', 1>>(T.exp(iv));
expectType<Tensor<'float64', 0>>(T.exp(2));
expectType<Tensor<'float32', 1>>(T.exp(fv));
expectType<Tensor<'float64', 2>>(T.add(1, dm));
expectType<Tensor<'float64', 2>>(T.add(dm, 1));
expectType<Tensor<'int32', 1>>(T.add(1, iv));
expectType<Tensor<'int32', 1>>(T.mul(iv, 2));
expectType<Tensor<'float64', 1>>(T.sub(0.5, iv));
expectType<Tensor<'float64', 0>>(T.add(1, 2));
expectType<Tensor<'float64', 1>>(T.div(1, iv));
expectType<Tensor<'float32', 1>>(T.div(bv, 2));
expectType<Tensor<'float64', 2>>(T.div(1, T.add(1, T.exp(dm.neg()))));
expectType<Tensor<'float64', 1>>(T.neg(dv));
expectType<Tensor<'float64', 0>>(T.sqr(3));
expectType<Tensor<'bool', 1>>(T.isnan(dv));

// --- comparisons give bool, with the broadcast rank
expectType<Tensor<'bool', 1>>(iv.gt(0));
expectType<Tensor<'bool', 2>>(dm.lt(dv));
expectType<Tensor<'bool', 1>>(dv.eq(iv));
expectType<Tensor<'bool', 0>>(ds.ge(1.5));
expectType<Tensor<'bool', 2>>(T.le(1, dm));
expectType<Tensor<'bool', 1>>(T.neq(iv, fv));
expectType<Tensor<'bool', 1>>(dv.isinf());

// --- bitwise / logical: integral dtypes (bool included) only
expectType<Tensor<'int32', 1>>(iv.and(iv));
expectType<Tensor<'bool', 1>>(boolv.or(boolv));
expectType<Tensor<'int32', 1>>(iv.xor(3));
expectType<Tensor<'int8', 1>>(bv.invert());
// @ts-expect-error -- bitwise and on a float tensor
dv.and(dv);
// @ts-expect-error -- a float operand for a bitwise op
iv.and(dv);
// @ts-expect-error -- invert on a float tensor
dv.invert();

// --- arithmetic that is undefined on bool
// @ts-expect-error -- bool - bool (numpy raises too)
boolv.sub(boolv);
// @ts-expect-error -- negating a bool tensor
T.tensor('bool', 1).neg();
expectType<Tensor<'float64', 0>>(T.dscalar().neg());

// --- operands must be tensors or JS scalars
// @ts-expect-error -- a string operand
dv.add('1');
// @ts-expect-error -- a nested array is not an operand
dv.add([1, 2]);

// --- dimshuffle / transpose
expectType<Tensor<'float64', 2>>(dm.T);
expectType<Tensor<'float64', 2>>(dm.transpose());
expectType<Tensor<'float64', 2>>(dm.dimshuffle(1, 0));
expectType<Tensor<'float64', 2>>(dv.dimshuffle(0, 'x'));
expectType<Tensor<'float64', 2>>(dv.dimshuffle('x', 0));
expectType<Tensor<'int32', 3>>(T.imatrix().dimshuffle(0, 'x', 1));
expectType<Tensor<'float64', 0>>(T.row().squeeze(0).squeeze(0));
// a row's first axis has length 1: the pattern may leave it out (issue 16)
expectType<Tensor<'float64', 1>>(T.row().dimshuffle(1));
expectType<Tensor<'float64', 2>>(T.transpose(dm));
expectType<Tensor<'float64', 2>>(T.dimshuffle(dv, [0, 'x']));

// --- clip, switch, cast
expectType<Tensor<'int32', 1>>(iv.clip(0, 10));
expectType<Tensor<'float64', 1>>(iv.clip(0, 2.5));
expectType<Tensor<'float64', 2>>(dv.clip(0, dm));
expectType<Tensor<'int32', 1>>(T.clip(iv, 0, 5));
expectType<Tensor<'float64', 1>>(T.clip(iv, ds, 5));
expectType<Tensor<'float64', 2>>(T.clip(dm, 0, 1));
expectType<Tensor<'float64', 2>>(T.switch(iv.gt(0), dm, 0));
expectType<Tensor<'int32', 1>>(T.switch(dv.gt(0), iv, 0));
expectType<Tensor<'float64', 1>>(T.switch(dv.gt(0), iv, dv));
expectType<Tensor<'float64', 2>>(T.where(dm.gt(0), dm, dm.neg()));
expectType<Tensor<'int32', 1>>(dv.cast('int32'));
expectType<Tensor<'bool', 2>>(dm.astype('bool'));
expectType<Tensor<'float32', 0>>(T.cast(ds, 'float32'));
expectType<Tensor<'int64', 2>>(T.cast(dm, 'int64'));
// @ts-expect-error -- not a dtype
dv.cast('float16');
// (bools in arithmetic, clip included, follow numpy 2: type-tests/bool-arithmetic.test-d.ts)

// --- properties
expectType<'int32'>(iv.dtype);
expectType<1>(iv.ndim);
expectType<2>(dm.add(dv).ndim);
expectType<'float64'>(iv.div(iv).dtype);

// --- a chained expression stays precise
expectType<Tensor<'float64', 2>>(dm.mul(2).add(dv).exp().sub(1).div(ds));
expectType<Tensor<'bool', 1>>(iv.add(1).mul(iv).gt(0).and(dv.lt(1)));
