/**
 * The code generator's surface: `f.source` (the generated JavaScript, or undefined with the reference
 * evaluator), the linker a mode runs with, and the profile's link time.
 */
import { expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Linker, Mode, StepProfile } from '../dist/index.js';

const T = theano.tensor;
const x = T.dvector('x');

const f = theano.function([x], x.exp(), { profile: true });
expectType<string | undefined>(f.source);
expectType<number | undefined>(f.profile?.linkMs);
const run = f.profile!.run();
expectType<number>(run.calls);
expectType<readonly StepProfile[]>(run.steps);
expectType<'kernel' | 'view' | 'op'>(run.steps[0]!.kind);

expectType<Mode>(theano.FAST_RUN.withLinker('reference'));
expectType<Linker>(theano.FAST_COMPILE.linker);
theano.function([x], x.exp(), { mode: theano.FAST_RUN.withLinker('js') });
theano.function([x], x.exp(), { mode: theano.FAST_RUN.withLinker('wasm') });
// @ts-expect-error: the linkers are 'js', 'wasm' and 'reference'
theano.FAST_RUN.withLinker('c');
