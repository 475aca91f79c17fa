/**
 * Advanced indexing with several index arrays against numpy (fixtures/sorting.json, written by
 * fixtures/sorting.py): `x.get(...)`, `x.at(...).inc(y)` (numpy's `np.add.at`) and `x.at(...).set(y)`, compiled in
 * FAST_RUN and FAST_COMPILE; then the graph of the negative log-likelihood, shapes, printing and errors.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { DType, Tensor } from '../../src/index.js';
import { expectArray, expectBuildError, expectRunError } from '../helpers.js';

const T = theano.tensor;

type Entry =
  | { kind: 'array'; value: unknown; dtype: DType }
  | { kind: 'int'; value: number }
  | { kind: 'slice'; start: number | null; stop: number | null; step: number | null };
interface Case {
  name: string;
  x: unknown;
  dtype: DType;
  entries: Entry[];
  result: unknown;
  y?: unknown;
  inc?: unknown;
  set?: unknown;
}
const fixtures = JSON.parse(readFileSync(resolve(__dirname, 'fixtures/sorting.json'), 'utf8')) as {
  advanced: Case[];
};

const rankOf = (v: unknown): number => (Array.isArray(v) ? 1 + rankOf(v[0]) : 0);

/** The builder's index arguments for a case: index arrays become symbolic inputs. */
function indexArgs(c: Case): { args: unknown[]; inputs: Tensor[]; values: unknown[] } {
  const inputs: Tensor[] = [];
  const values: unknown[] = [];
  const args = c.entries.map((e) => {
    if (e.kind === 'int') return e.value;
    if (e.kind === 'slice') return T.slice(e.start, e.stop, e.step);
    const t = T.tensor(e.dtype as 'int32', rankOf(e.value) as 1);
    inputs.push(t);
    values.push(e.value);
    return t;
  });
  return { args, inputs, values };
}

describe('several index arrays, against numpy', () => {
  for (const mode of ['FAST_RUN', 'FAST_COMPILE'] as const) {
    for (const c of fixtures.advanced) {
      test(`${c.name} (${mode})`, () => {
        const x = T.tensor(c.dtype as 'float64', rankOf(c.x) as 2);
        const { args, inputs, values } = indexArgs(c);
        const y = T.tensor(c.dtype as 'float64', rankOf(c.y) as 1);
        const picked = (x.get as (...a: unknown[]) => Tensor)(...args);
        const at = (x.at as (...a: unknown[]) => theano.tensor.IndexUpdate)(...args);
        const f = theano.function([x, ...inputs, y], [picked, at.inc(y), at.set(y)], { mode });
        const [got, inc, set] = f(c.x as never, ...(values as never[]), c.y as never) as theano.NDArray[];
        expectArray(got, { dtype: c.dtype, value: c.result }, 'x[...]');
        expectArray(inc, { dtype: c.dtype, value: c.inc }, 'np.add.at');
        expectArray(set, { dtype: c.dtype, value: c.set }, 'x[...] = y');
      });
    }
  }
});

describe('the negative log-likelihood', () => {
  test('-mean(log(p)[arange(n), y]) and its gradient, by hand', () => {
    const p = T.dmatrix('p');
    const y = T.ivector('y');
    const nll = T.neg(T.mean(T.log(p).get(T.arange(y.shape(0)), y)));
    const f = theano.function([p, y], [nll, T.grad(nll, p)]);
    const probs = [
      [0.2, 0.7, 0.1],
      [0.5, 0.25, 0.25],
      [0.1, 0.1, 0.8],
    ];
    const labels = [1, 0, 1];
    const [cost, g] = f(probs, labels);
    const want = -(Math.log(0.7) + Math.log(0.5) + Math.log(0.1)) / 3;
    expect(cost).toBeCloseTo(want, 12);
    const grad = probs.map((row, r) => row.map((v, c) => (c === labels[r] ? -1 / (3 * v) : 0)));
    expectArray(g, { dtype: 'float64', value: grad, rtol: 1e-12 });
  });

  test('on log(softmax(x)) it compiles to logSoftmax and one gather, no one-hot matrix', () => {
    const x = T.dmatrix('x');
    const y = T.ivector('y');
    const nll = T.neg(T.mean(T.log(T.softmax(x)).get(T.arange(y.shape(0)), y)));
    const f = theano.function([x, y], nll);
    const ops = f.graph.toposort().map((n) => n.op.name);
    expect(ops).toContain('log_softmax');
    expect(ops).toContain('advanced_subtensor');
    expect(ops).not.toContain('softmax');
    const value = f(
      [
        [1, 2, 3],
        [0, 0, 1000],
      ],
      [2, 0],
    ) as number;
    const lse = (r: number[]) => Math.max(...r) + Math.log(r.reduce((s, v) => s + Math.exp(v - Math.max(...r)), 0));
    expect(value).toBeCloseTo(-(3 - lse([1, 2, 3]) + (0 - lse([0, 0, 1000]))) / 2, 10);
  });
});

describe('types, printing and errors', () => {
  test('static shapes: the broadcast of the index arrays replaces their axes', () => {
    const x = T.tensor('float64', [3, 4, 5], 'x');
    const i = T.tensor('int32', [2, 1], 'i');
    const j = T.tensor('int32', [6], 'j');
    expect(String(x.get(i, j).type)).toBe('float64 tensor3 (2, 6, 5)');
    expect(String(x.get(i, T.slice(), j).type)).toBe('float64 tensor3 (2, 6, 4)');
    expect(String(x.get(T.slice(), i, j).type)).toBe('float64 tensor3 (3, 2, 6)');
    expect(String(x.get(T.slice(1), i, j).type)).toBe('float64 tensor3 (2, 2, 6)');
  });

  test('pp writes numpy syntax', () => {
    const a = T.dmatrix('a');
    const i = T.ivector('i');
    expect(theano.pp(a.get(i, i))).toBe('a[i, i]');
    expect(theano.pp(a.at(i, i).inc(1))).toBe('inc_subtensor(a[i, i], 1)');
    expect(theano.pp(T.dtensor3('t').get(i, T.slice(), i))).toBe('t[i, :, i]');
  });

  test('bad indices are reported with the op, the index and the axis', () => {
    const a = T.dmatrix('a');
    const i = T.ivector('i');
    const j = T.ivector('j');
    expectBuildError(
      () => a.get(i, T.tensor('float64', 1) as never),
      'index 1 must have an integer dtype',
      'float64 vector',
    );
    expectBuildError(() => a.get(i, T.newaxis as never), 'T.newaxis cannot be mixed with integer tensor indices');
    expectBuildError(() => (a.get as (...x: unknown[]) => Tensor)(i, i, i), 'too many indices for a tensor of rank 2');
    expectBuildError(
      () => a.get(T.tensor('int32', [3]), T.tensor('int32', [4])),
      'advanced_subtensor: the index arrays',
      'do not broadcast together',
    );
    const f = theano.function([a, i, j], a.get(i, j));
    expectRunError(
      f as never,
      [[[1, 2]], [0], [2]],
      'advanced_subtensor: index 2 is out of bounds for axis 1 with size 2',
    );
    expectRunError(
      f as never,
      [[[1, 2]], [0, 0], [0, 0, 0]],
      "advanced_subtensor: the index arrays' shapes (2,) and (3,) do not broadcast",
    );
    expectBuildError(
      () =>
        T.dmatrix()
          .at(T.tensor('int32', [3]), T.tensor('int32', [1]))
          .set(T.tensor('float64', [5])),
      'set_subtensor: a value of static shape (5)',
      'does not broadcast to the region (3,)',
    );
  });
});
