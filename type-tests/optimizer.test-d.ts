import { expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { FunctionProfile, Mode, OptimizationProfile, Rule } from '../dist/index.js';

const T = theano.tensor;
const x = T.dvector('x');

const f = theano.function([x], x.mul(1), { mode: 'DEBUG', profile: true, nanGuard: true });
expectType<FunctionProfile | undefined>(f.profile);
expectType<OptimizationProfile['passes'] | undefined>(f.profile?.passes);
expectType<Mode>(theano.FAST_RUN.excluding('stabilize').including('log1p'));
const r = theano.rewrite.rule('exp_log', theano.rewrite.P.exp(theano.rewrite.P.log(theano.rewrite.v('u'))), ({ u }) => u ?? null);
expectType<Rule>(r);
expectType<Mode>(theano.DEBUG.withRules('stabilize', [r]));
theano.function([x], x, { mode: theano.FAST_COMPILE, onUnusedInput: 'ignore' });

// @ts-expect-error: an unknown mode name
theano.function([x], x, { mode: 'FAST' });
// @ts-expect-error: an unknown phase
theano.FAST_RUN.withRules('fusion', [r]);
