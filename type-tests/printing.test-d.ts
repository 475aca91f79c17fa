/**
 * `theano.printing`: `toDot` takes variables, lists of them, FunctionGraphs and compiled functions and returns a
 * string; `toSvg` also takes DOT text and returns a promise of one; options are checked by the compiler.
 *
 * Negative checks use `// @ts-expect-error` on the offending line (see tensor.test-d.ts).
 */
import { expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { FunctionGraph } from '../dist/index.js';

const T = theano.tensor;
const x = T.dmatrix('x');
const y = T.exp(x);
const f = theano.function([x], [y, y.sum()]);

expectType<string>(theano.printing.toDot(y));
expectType<string>(theano.printing.toDot([y, x]));
expectType<string>(theano.printing.toDot(f, { optimized: 'both', showTypes: false, colorBy: 'dtype' }));
expectType<string>(theano.printing.toDot(f.graph));
expectType<FunctionGraph>(f.unoptimizedGraph);
expectType<Promise<string>>(theano.printing.toSvg(f));
expectType<Promise<string>>(theano.printing.toSvg('digraph { a -> b }'));
expectType<string>(theano.printing.pp(y));

// @ts-expect-error colorBy is 'role', 'dtype' or 'none'
theano.printing.toDot(y, { colorBy: 'rainbow' });
// @ts-expect-error optimized is a boolean or 'both'
theano.printing.toDot(f, { optimized: 'yes' });
// @ts-expect-error a number is not a graph
theano.printing.toDot(3);
// @ts-expect-error a renderer needs renderString
theano.printing.toSvg(y, { viz: {} });
