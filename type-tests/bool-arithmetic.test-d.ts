/**
 * numpy 2's arithmetic with bools, at the type level (the run time agrees: test/ops/elemwise.test.ts): a bool mixed
 * with a number promotes to the number's dtype, so a comparison feeds arithmetic; bool + bool and bool * bool stay
 * bool (logical or / and); bools alone in //, %, ** and sqr give int8; bool - bool and -bool do not compile.
 */
import { expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Tensor } from '../dist/index.js';

const T = theano.tensor;

const [fx, fy, fz] = T.fvectors('fx', 'fy', 'fz');
const iv = T.ivector('iv');
const bv = T.bvector('bv'); // int8
const lv = T.lvector('lv');
const um = T.tensor('uint8', 2);
const dm = T.dmatrix('dm');
const p = T.tensor('bool', 1, 'p');
const q = T.tensor('bool', 2, 'q');

// --- a comparison feeds arithmetic (Theano's fusion tests write fx - (fy > fz))
expectType<Tensor<'float32', 1>>(fx.sub(fy.gt(fz)));
expectType<Tensor<'float32', 1>>(fy.gt(fz).sub(fx));
expectType<Tensor<'float32', 1>>(T.sub(fx, fy.gt(fz)));
expectType<Tensor<'int32', 1>>(iv.sub(p));
expectType<Tensor<'int32', 1>>(p.sub(iv));
expectType<Tensor<'int8', 1>>(p.sub(bv));
expectType<Tensor<'uint8', 2>>(q.sub(um));
expectType<Tensor<'int64', 1>>(lv.sub(p));
expectType<Tensor<'float64', 2>>(dm.sub(p));
expectType<Tensor<'float32', 1>>(fx.sub(true));
expectType<Tensor<'int64', 1>>(p.sub(1)); // a weak int next to a bool is int64, as in numpy
expectType<Tensor<'float64', 1>>(p.sub(0.5));

// --- bool with bool: + and * stay bool, //, %, ** and sqr give int8
expectType<Tensor<'bool', 1>>(p.add(p));
expectType<Tensor<'bool', 2>>(p.mul(q));
expectType<Tensor<'int8', 1>>(p.intDiv(p));
expectType<Tensor<'int8', 2>>(p.mod(q));
expectType<Tensor<'int8', 1>>(p.pow(true));
expectType<Tensor<'int8', 1>>(p.sqr());
expectType<Tensor<'int8', 1>>(T.intDiv(p, p));
expectType<Tensor<'int8', 1>>(T.mod(p, true));
expectType<Tensor<'int8', 1>>(T.pow(p, p));
expectType<Tensor<'int8', 1>>(T.sqr(p));

// --- a bool with a number in //, %, **: the number's dtype
expectType<Tensor<'float32', 1>>(fx.intDiv(p));
expectType<Tensor<'int32', 1>>(p.mod(iv));
expectType<Tensor<'int32', 1>>(iv.pow(p));
expectType<Tensor<'int64', 1>>(p.intDiv(2));
expectType<Tensor<'int32', 1>>(iv.sqr());

// --- abs and clip keep a bool; arctan2 and the float-valued functions upgrade it to float32
expectType<Tensor<'bool', 1>>(p.abs());
expectType<Tensor<'bool', 1>>(p.clip(false, true));
expectType<Tensor<'int32', 1>>(p.clip(iv, 5));
expectType<Tensor<'float32', 1>>(p.arctan2(p));
expectType<Tensor<'float32', 1>>(p.exp());

// --- what numpy refuses
// @ts-expect-error -- bool - bool: use xor (logical xor on bools)
p.sub(p);
// @ts-expect-error -- bool - true
p.sub(true);
// @ts-expect-error -- bool - bool of another rank
q.sub(p);
// @ts-expect-error -- -bool: use invert (logical not on bools)
p.neg();
// @ts-expect-error -- sign of a bool (numpy has no loop for it)
p.sign();
expectType<Tensor<'bool', 1>>(p.xor(p));
expectType<Tensor<'bool', 1>>(p.invert());
