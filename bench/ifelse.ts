/**
 * ifelse vs switch: a condition choosing between a cheap branch (the sum of a 1,000-vector) and a costly one (the
 * sum of a 192x192 matrix product and the tanh of its input), compiled in FAST_RUN and FAST_COMPILE. `ifelse`
 * runs only the branch taken, so with the cheap branch taken it costs about the cheap branch alone; `T.switch`
 * computes both sides and then picks, so it costs both branches whatever the condition. Peers are timed
 * interleaved on the same seeded data; the table shows the median ms per call.
 */
import * as theano from '../src/index.js';
import { fmt, fmtRatio, seededRandom, timeInterleaved, uniformArray, type BenchReport } from './harness.js';

const T = theano.tensor;
const N = 192;

export async function run(): Promise<BenchReport> {
  const rand = seededRandom(7);
  const c = T.bscalar('c');
  const v = T.dvector('v');
  const m = T.dmatrix('m');
  const cheap = () => T.sum(v);
  const costly = () => T.sum(T.dot(m, T.tanh(m)));
  const vValue = theano.array(Array.from(uniformArray(rand, 1000)));
  // NDArrays: converting nested arrays on every call would cost more than the cheap branch
  const mRows = theano.array(Array.from({ length: N }, () => Array.from(uniformArray(rand, N))));
  const rows: (string | number)[][] = [];
  let fastRatio: number | undefined;
  for (const mode of ['FAST_RUN', 'FAST_COMPILE'] as const) {
    const fns = {
      cheapOnly: theano.function([v], cheap(), { mode }),
      costlyOnly: theano.function([m], costly(), { mode }),
      ifelse: theano.function([c, v, m], theano.ifelse(c, cheap(), costly()), { mode }),
      switch: theano.function([c, v, m], T.switch(c, cheap(), costly()), { mode }),
    };
    const runs = mode === 'FAST_RUN' ? 30 : 10;
    const t = timeInterleaved(
      {
        cheapOnly: () => fns.cheapOnly(vValue),
        costlyOnly: () => fns.costlyOnly(mRows),
        ifelseCheap: () => fns.ifelse(1, vValue, mRows),
        ifelseCostly: () => fns.ifelse(0, vValue, mRows),
        switchCheap: () => fns.switch(1, vValue, mRows),
        switchCostly: () => fns.switch(0, vValue, mRows),
      },
      runs,
      3,
    );
    if (t.ifelseCheap.last !== t.cheapOnly.last || t.switchCostly.last !== t.costlyOnly.last) {
      throw new Error('ifelse or switch disagrees with the branch computed alone');
    }
    const ms = (k: keyof typeof t) => t[k]!.median;
    rows.push(
      [
        mode,
        'cheap branch taken',
        fmt(ms('cheapOnly'), 3),
        fmt(ms('ifelseCheap'), 3),
        fmt(ms('switchCheap'), 3),
        fmtRatio(ms('switchCheap') / ms('ifelseCheap')),
      ],
      [
        mode,
        'costly branch taken',
        fmt(ms('costlyOnly'), 3),
        fmt(ms('ifelseCostly'), 3),
        fmt(ms('switchCostly'), 3),
        fmtRatio(ms('switchCostly') / ms('ifelseCostly')),
      ],
    );
    if (mode === 'FAST_RUN') fastRatio = ms('switchCheap') / ms('ifelseCheap');
  }
  return {
    title: `ifelse vs switch (cheap: sum of 1,000; costly: sum(dot(m, tanh(m))) for m ${N}x${N})`,
    tables: [
      {
        title: 'median ms per call',
        columns: ['mode', 'condition', 'branch alone', 'ifelse', 'switch', 'switch / ifelse'],
        rows,
      },
    ],
    notes: [
      `FAST_RUN, cheap branch taken: switch takes ${fmtRatio(fastRatio)} the time of ifelse (ifelse skips the costly branch)`,
    ],
  };
}
