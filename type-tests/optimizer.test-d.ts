import { expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { FunctionProfile, Mode, OptimizationProfile, Rule } from '../dist/index.js';

const T = theano.tensor;
const x = T.dvector('x');

const f = theano.function([x], x.mul(1), { mode: 'DEBUG', profile: true, nanGuard: true });
expectType<FunctionProfile | undefined>(f.profile);
expectType<OptimizationProfile['passes'] | undefined>(f.profile?.passes);
expectType<Mode>(theano.FAST_RUN.excluding('stabilize').including('log1p'));
const r = theano.rewrite.rule(
  'exp_log',
  theano.rewrite.P.exp(theano.rewrite.P.log(theano.rewrite.v('u'))),
  ({ u }) => u ?? null,
);
expectType<Rule>(r);
expectType<Mode>(theano.DEBUG.withRules('stabilize', [r]));
theano.function([x], x, { mode: theano.FAST_COMPILE, onUnusedInput: 'ignore' });

// @ts-expect-error: an unknown mode name
theano.function([x], x, { mode: 'FAST' });
// @ts-expect-error: an unknown phase
theano.FAST_RUN.withRules('fusion', [r]);

// --- the pattern language: op names and params are typed
const { P, v, oneOf, Family, etc, anyOf, paramsOf } = theano.rewrite;
expectType<readonly 'reduce'[]>(P.reduce(v('x')).where((p) => p.kind === 'sum' && p.keepdims).ops);
expectType<readonly ('alloc' | 'broadcastTo')[]>(oneOf(['alloc', 'broadcastTo'], v('x'), etc).ops);
oneOf(Family.elemwise, etc);
anyOf(P.add(v('x'), v('y')), P.sub(v('x'), v('y')));
expectType<readonly (number | 'x')[]>(paramsOf(x, 'dimshuffle').pattern);
// @ts-expect-error: there is no op named mull
P.mull(v('x'), v('y'));
// @ts-expect-error: a family lists op names only
oneOf(['alloc', 'allocate'], v('x'));
// @ts-expect-error: reduce's params have no field named axis (it is axes)
P.reduce(v('x')).where((p) => p.axis === 0);
// @ts-expect-error: a dimshuffle's params are not a reduce's
paramsOf(x, 'dimshuffle').kind;

// --- debugprint's options
expectType<string>(theano.debugprint(f, { depth: 2, maxNesting: 10 }));
const printOptions: theano.DebugprintOptions = { depth: 1 };
expectType<string>(theano.debugprint([x], printOptions));
// @ts-expect-error: depth is a number
theano.debugprint(f, { depth: 'all' });
