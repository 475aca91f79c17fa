/**
 * The cost of the API around `theano.function` (issue 17), per call, against a plain positional call of the same
 * compiled graph measured in the same run:
 * - `theano.In` defaults and named arguments (binding the arguments);
 * - outputs as an object (rebuilding the object);
 * - `x.eval` after its first call (the cached function found by input ids);
 * - a `Print` in the graph (one view step and a log call, to a no-op sink).
 */
import * as theano from '../src/index.js';
import { fmt, fmtRatio, timeInterleaved, type BenchReport } from './harness.js';

const T = theano.tensor;
const CALLS = 20_000;

export async function run(): Promise<BenchReport> {
  const [a, b] = T.dmatrices('a', 'b');
  const sum = T.add(a, b);
  const positional = theano.function([a, b], sum);
  const defaulted = theano.function(
    [
      a,
      theano.In(b, {
        value: [
          [5, 6],
          [7, 8],
        ],
      }),
    ],
    sum,
  );
  const asObject = theano.function([a, b], { sum });
  const printed = theano.function([a, b], T.add(theano.printing.Print('a', { attrs: ['shape'], log: () => {} })(a), b));
  const A = new theano.NDArray<'float64', 2>('float64', [2, 2], new Float64Array([1, 2, 3, 4]));
  const B = new theano.NDArray<'float64', 2>('float64', [2, 2], new Float64Array([5, 6, 7, 8]));
  const byId = new Map([
    [a, A],
    [b, B],
  ]);
  let sink = 0;
  const loop = (f: () => number) => () => {
    for (let i = 0; i < CALLS; i++) sink += f();
    return sink;
  };
  const t = timeInterleaved(
    {
      positional: loop(() => positional(A, B).data[3]!),
      defaulted: loop(() => defaulted(A).data[3]!),
      named: loop(() => defaulted(A, { b: B }).data[3]!),
      object: loop(() => asObject(A, B).sum.data[3]!),
      eval: loop(() => sum.eval(byId).data[3]!),
      print: loop(() => printed(A, B).data[3]!),
    },
    7,
    2,
  );
  const us = (ms: number) => (ms * 1000) / CALLS;
  const base = t.positional.median;
  const rows = (['positional', 'defaulted', 'named', 'object', 'eval', 'print'] as const).map((k) => [
    k,
    fmt(us(t[k].median), 3),
    fmtRatio(t[k].median / base),
  ]);
  return {
    title: 'function API: call cost of In defaults, named arguments, object outputs, eval, Print',
    tables: [
      {
        title: `a + b on 2x2 float64 matrices, µs per call (median of 7 runs of ${CALLS} calls), ratio to a positional call`,
        columns: ['call', 'µs', 'ratio'],
        rows,
      },
    ],
    notes: [`sink ${sink > 0 ? 'ok' : 'empty'}`],
  };
}
