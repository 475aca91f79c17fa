/**
 * The negative log-likelihood of a softmax classifier, `-mean(log(softmax(x))[arange(n), y])` (advanced indexing
 * with two index arrays, the deep-learning tutorials' form), against the same cost written as
 * `mean(categoricalCrossentropy(softmax(x), y))`, as `logSoftmax(x)[arange(n), y]` and as a one-hot mask `-mean(sum(oneHot(y) * logSoftmax(x)))`:
 * cost alone and cost with its gradient, batch 256 x 10 and 1024 x 1000 classes. Timed interleaved on the same
 * seeded data; the table shows median ms per call and the ratio to the crossentropy form.
 */
import * as theano from '../src/index.js';
import type { Tensor } from '../src/index.js';
import { fmt, fmtRatio, seededRandom, timeInterleaved, uniformArray, type BenchReport } from './harness.js';

const T = theano.tensor;

function costs(x: Tensor<'float64', 2>, y: Tensor<'int32', 1>) {
  return {
    indexing: T.neg(T.mean(T.log(T.softmax(x)).get(T.arange(y.shape(0)), y))),
    logSoftmaxIndexing: T.neg(T.mean(T.logSoftmax(x).get(T.arange(y.shape(0)), y))),
    crossentropy: T.mean(T.categoricalCrossentropy(T.softmax(x), y)),
    oneHotMask: T.neg(T.mean(T.sum(T.mul(T.oneHot(y, T.shape(x, 1)), T.logSoftmax(x)), 1))),
  };
}

export async function run(): Promise<BenchReport> {
  const rand = seededRandom(11);
  const rows: (string | number)[][] = [];
  for (const [n, classes] of [
    [256, 10],
    [1024, 1000],
  ] as const) {
    const x = T.dmatrix('x');
    const y = T.ivector('y');
    const xValue = theano.array(Array.from({ length: n }, () => Array.from(uniformArray(rand, classes, -3, 3))));
    const yValue = theano.array(Int32Array.from({ length: n }, () => Math.floor(rand() * classes)));
    for (const withGrad of [false, true]) {
      const built = costs(x, y);
      const fns = Object.fromEntries(
        Object.entries(built).map(([k, c]) => [
          k,
          theano.function([x, y], withGrad ? [c, T.grad(c as Tensor<'float64', 0>, x)] : [c]),
        ]),
      );
      const t = timeInterleaved(
        Object.fromEntries(Object.entries(fns).map(([k, f]) => [k, () => f(xValue, yValue)])),
        n > 500 ? 10 : 40,
        3,
      );
      const values = Object.values(t).map((r) => (r.last as number[])[0]!);
      if (values.some((v) => Math.abs(v - values[0]!) > 1e-9 * Math.abs(values[0]!)))
        throw new Error(`the three forms of the cost disagree: ${values.join(', ')}`);
      const ms = (k: string) => t[k]!.median;
      rows.push([
        `${n} x ${classes}`,
        withGrad ? 'cost + gradient' : 'cost',
        fmt(ms('crossentropy'), 3),
        fmt(ms('indexing'), 3),
        fmt(ms('logSoftmaxIndexing'), 3),
        fmt(ms('oneHotMask'), 3),
        fmtRatio(ms('indexing') / ms('crossentropy')),
        fmtRatio(ms('logSoftmaxIndexing') / ms('crossentropy')),
      ]);
    }
  }
  return {
    title: 'negative log-likelihood: advanced indexing vs crossentropy',
    tables: [
      {
        title: 'median ms per call',
        columns: [
          'batch x classes',
          'computes',
          'crossentropy(softmax)',
          'log(softmax)[arange, y]',
          'logSoftmax[arange, y]',
          'oneHot mask',
          'log(softmax)[..] / crossentropy',
          'logSoftmax[..] / crossentropy',
        ],
        rows,
      },
    ],
    notes: [
      'every form computes logSoftmax forward; the indexing forms gather n values, the mask form multiplies an n x classes matrix',
      "the gradient of log(softmax(x)) is built before the optimizer turns the cost into logSoftmax, so it runs through softmax's gradient; writing T.logSoftmax(x) gives logSoftmax's cheaper gradient",
    ],
  };
}
