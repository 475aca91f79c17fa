/**
 * `theano.scan` at the type level: the step's parameters are typed from sequences (one rank lower), outputsInfo
 * (the state's type; one row per tap) and nonSequences, in Theano's order; the outputs are stacked (one rank
 * higher), one tensor for one output, a tuple for several; a recurrent output of another dtype or rank than its
 * initial value does not compile (the run time says the same: test/audit/bad-input.test.ts).
 */
import { expectError, expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Tensor } from '../dist/index.js';

const T = theano.tensor;

const X = T.dmatrix('X');
const v = T.fvector('v');
const h0 = T.dvector('h0');
const W = T.dmatrix('W');
const k = T.iscalar('k');

// sequences lose a rank, states keep theirs, non-sequences pass as they are
theano.scan(
  (row, prev, w) => {
    expectType<Tensor<'float64', 1>>(row);
    expectType<Tensor<'float64', 1>>(prev);
    expectType<Tensor<'float64', 2>>(w);
    return T.tanh(T.dot(row, w).add(prev));
  },
  { sequences: [X], outputsInfo: h0, nonSequences: [W] },
);

// taps: one parameter per tap, in order; a tapped output's initial value holds one row per step back
theano.scan(
  (vm1, v0, v2, ym2, ym1) => {
    expectType<Tensor<'float32', 0>>(vm1);
    expectType<Tensor<'float32', 0>>(v0);
    expectType<Tensor<'float32', 0>>(v2);
    expectType<Tensor<'float64', 1>>(ym2);
    expectType<Tensor<'float64', 1>>(ym1);
    return ym1.add(ym2);
  },
  { sequences: [{ input: v, taps: [-1, 0, 2] }], outputsInfo: [{ initial: X, taps: [-2, -1] }] },
);

// outputs: stacked one rank higher; one output alone, several as a tuple
const [states, updates] = theano.scan((row, prev) => prev.add(row), { sequences: [X], outputsInfo: h0 });
expectType<Tensor<'float64', 2>>(states);
theano.function([X, h0], states, { updates });
const [[a, b]] = theano.scan((row) => [row.sum(), row.cast('float32')], { sequences: [X] });
expectType<Tensor<'float64', 1>>(a);
expectType<Tensor<'float32', 2>>(b);
const [[c, d]] = theano.scan((prev) => [prev.mul(2), prev.sum()] as const, { outputsInfo: [h0, null], nSteps: k });
expectType<Tensor<'float64', 2>>(c);
expectType<Tensor<'float64', 1>>(d);
const [stopped] = theano.scan((prev) => ({ outputs: prev.mul(2), until: prev.sum().gt(10) }), {
  outputsInfo: h0,
  nSteps: 100,
});
expectType<Tensor<'float64', 2>>(stopped);

// map and reduce
const [norms] = T.map((row) => row.sqr().sum(), [X]);
expectType<Tensor<'float64', 1>>(norms);
const [total] = T.reduce((row, acc) => acc.add(row), [X], h0);
expectType<Tensor<'float64', 1>>(total);

// a recurrent output must keep its state's dtype and rank
expectError(theano.scan((prev) => prev.cast('float32'), { outputsInfo: h0, nSteps: 3 }));
expectError(theano.scan((prev) => prev.sum(), { outputsInfo: h0, nSteps: 3 }));
expectError(theano.scan((row, prev) => [prev.sum(), row] as const, { sequences: [X], outputsInfo: [h0, null] }));
// a step parameter used as the wrong rank
expectError(theano.scan((row) => T.dot(row, row).dimshuffle(0, 1), { sequences: [X] }));
