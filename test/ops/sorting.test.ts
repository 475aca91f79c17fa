/**
 * Sorting, searching and counting against numpy 2 (fixtures/sorting.json, written by fixtures/sorting.py): sort,
 * argsort, topk / topkIndices, searchsorted, unique (index, inverse, counts, axis), bincount, nonzero / where /
 * flatnonzero / nonzeroValues, diff and oneHot, each compiled and run; then bad inputs and their messages.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { DType, Tensor } from '../../src/index.js';
import { expectArray, expectBuildError, expectRunError, flatten } from '../helpers.js';

const T = theano.tensor;

/** JSON has no NaN: sorting.py writes it as the string "NaN". */
const decode = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(decode)
    : v === 'NaN'
      ? NaN
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, decode(x)]))
        : v;
const fx = decode(JSON.parse(readFileSync(resolve(__dirname, 'fixtures/sorting.json'), 'utf8'))) as Record<
  string,
  Record<string, unknown>[]
>;
const rankOf = (v: unknown): number => (Array.isArray(v) ? 1 + rankOf(v[0]) : 0);
const input = (value: unknown, dtype: unknown) => T.tensor(dtype as 'float64', rankOf(value) as 2);
const run = (inputs: Tensor[], outputs: Tensor[], values: unknown[]) =>
  theano.function(inputs, outputs)(...(values as never[])) as theano.NDArray[];

describe('against numpy', () => {
  test.each(fx.sort!)('sort and argsort %#', (c) => {
    const x = input(c.x, c.dtype);
    const axis = c.axis as number | null;
    const [s, a] = run([x], [T.sort(x, axis as never), T.argsort(x, axis as never)], [c.x]);
    expectArray(s, { dtype: c.dtype as DType, value: c.sort });
    expectArray(a, { dtype: 'int64', value: c.argsort });
  });

  test.each(fx.topk!)('topk and topkIndices %#', (c) => {
    const x = input(c.x, c.dtype);
    const k = c.k as number;
    const [v, i] = run([x], [T.topk(x, k, c.axis as never), T.topkIndices(x, k, c.axis as never)], [c.x]);
    expectArray(v, { dtype: c.dtype as DType, value: c.values });
    expectArray(i, { dtype: 'int64', value: c.indices });
  });

  test.each(fx.searchsorted!)('searchsorted %#', (c) => {
    const a = input(c.a, c.adtype) as unknown as Tensor<DType, 1>;
    const v = input(c.v, c.vdtype);
    const [r] = run([a, v], [T.searchsorted(a, v, { side: c.side as 'left' })], [c.a, c.v]);
    expectArray(r, { dtype: 'int64', value: c.result });
  });

  test.each(fx.unique!)('unique with index, inverse and counts %#', (c) => {
    const x = input(c.x, c.dtype);
    const outs = T.unique(x, { returnIndex: true, returnInverse: true, returnCounts: true, axis: c.axis as number });
    const [values, index, inverse, counts] = run([x], outs, [c.x]);
    expectArray(values, { dtype: c.dtype as DType, value: c.values });
    expectArray(index, { dtype: 'int64', value: c.index });
    expectArray(inverse, { dtype: 'int64', value: c.inverse });
    expectArray(counts, { dtype: 'int64', value: c.counts });
  });

  test.each(fx.bincount!)('bincount %#', (c) => {
    const x = T.lvector('x');
    const w = T.dvector('w');
    const weighted = c.weights !== null;
    const out = weighted
      ? T.bincount(x, { weights: w, minlength: c.minlength as number })
      : T.bincount(x, { minlength: c.minlength as number });
    const [r] = run(weighted ? [x, w] : [x], [out], weighted ? [c.x, c.weights] : [c.x]);
    const want = c.result as number[];
    expectArray(r, { dtype: weighted ? 'float64' : 'int64', shape: [want.length], flat: want, rtol: 1e-12 });
  });

  test.each(fx.nonzero!)('nonzero, where, flatnonzero, nonzeroValues %#', (c) => {
    const x = input(c.x, c.dtype);
    const coords = T.nonzero(x) as Tensor[];
    const same = T.where(x) as Tensor[];
    const outs = run([x], [...coords, ...same, T.flatnonzero(x), T.nonzeroValues(x)], [c.x]);
    const want = c.result as number[][];
    want.forEach((w, k) => {
      expectArray(outs[k], { dtype: 'int64', shape: [w.length], flat: w }, `axis ${k}`);
      expectArray(outs[k + want.length], { dtype: 'int64', shape: [w.length], flat: w }, `where, axis ${k}`);
    });
    // independent reference for the flat forms: scan the flattened input
    const flat = flatten(c.x);
    const positions = flat.flatMap((v, j) => (v === 0 || v === false ? [] : [j]));
    expectArray(outs[2 * want.length], { dtype: 'int64', shape: [positions.length], flat: positions });
    expectArray(outs[2 * want.length + 1], { shape: [positions.length], flat: positions.map((j) => flat[j]) });
  });

  test.each(fx.diff!)('diff %#', (c) => {
    const x = input(c.x, c.dtype);
    const [r] = run([x], [T.diff(x, c.n as number, c.axis as never)], [c.x]);
    const want = c.result as unknown[];
    expectArray(r, { dtype: c.dtype as DType, value: want, shape: shapeOfNested(want, rankOf(c.x)) });
  });

  test.each(fx.oneHot!)('oneHot %#', (c) => {
    const y = input(c.y, 'int32') as unknown as Tensor<'int32', 1>;
    const [r] = run([y], [T.oneHot(y, c.n as number)], [c.y]);
    expectArray(r, { dtype: 'float64', value: c.result });
  });
});

/** The shape of nested arrays of a known rank (an empty axis hides the lengths after it: they are 0). */
function shapeOfNested(v: unknown, rank: number): number[] {
  const shape: number[] = [];
  let cur = v;
  for (let k = 0; k < rank; k++) {
    const arr = Array.isArray(cur) ? cur : [];
    shape.push(arr.length);
    cur = arr[0];
  }
  return shape;
}

describe('semantics beyond the fixtures', () => {
  test('unique without options is the values alone; with some options, numpy order of the tuple', () => {
    const x = T.ivector('x');
    const [counts] = run([x], [T.unique(x, { returnCounts: true })[1]], [[3, 1, 3, 3]]);
    expectArray(counts, { dtype: 'int64', value: [1, 3] });
    const [values] = run([x], [T.unique(x)], [[3, 1, 3, 3]]);
    expectArray(values, { dtype: 'int32', value: [1, 3] });
  });

  test('sort with axis null flattens; where with three arguments is switch', () => {
    const m = T.dmatrix('m');
    const [s, w] = run(
      [m],
      [T.sort(m, null), T.where(m.gt(0), m, 0)],
      [
        [
          [3, -1],
          [2, 0],
        ],
      ],
    );
    expectArray(s, { dtype: 'float64', value: [-1, 0, 2, 3] });
    expectArray(w, {
      dtype: 'float64',
      value: [
        [3, 0],
        [2, 0],
      ],
    });
  });

  test('bad inputs name the function, the input and what is expected', () => {
    const m = T.dmatrix('m');
    const v = T.ivector('v');
    expectBuildError(() => T.sort(T.dscalar('s') as never), 'sort: a scalar (float64 scalar) has no axis');
    expectBuildError(() => T.sort(m, 2 as never), 'sort: axis 2 is out of range for float64 matrix');
    expectBuildError(() => T.topk(m, 0), 'topk: k must be a non-zero integer');
    expectBuildError(() => T.topk(T.tensor('float64', [2, 3]), 4), 'topk: |k| = 4 is more than the length 3 of axis 1');
    expectBuildError(
      () => T.searchsorted(m as never, v),
      'searchsorted: the sorted array must be a vector, got float64 matrix',
    );
    expectBuildError(
      () => T.searchsorted(T.dvector(), v, { sides: 'left' } as never),
      "searchsorted: unknown option 'sides'; the options are side",
    );
    expectBuildError(() => T.unique(m, { counts: true } as never), "unique: unknown option 'counts'");
    expectBuildError(
      () => T.bincount(T.dvector() as never),
      'bincount: x must be a vector of non-negative integers, got float64 vector',
    );
    expectBuildError(
      () => T.oneHot(T.dvector() as never, 3),
      'oneHot: the labels must be integers, got float64 vector',
    );
    expectBuildError(() => T.diff(m, -1), 'diff: the order n must be a non-negative integer, got -1');
    expectBuildError(() => T.nonzero(T.dscalar() as never), 'nonzero: a scalar (float64 scalar) has no coordinates');
    expectBuildError(() => (T.where as (...a: unknown[]) => unknown)(m, m), 'where: takes one argument');
    const top = theano.function([m], T.topk(m, 3));
    expectRunError(top as never, [[[1, 2]]], 'topk: |k| = 3 is more than the length 2 of axis 1');
    const counts = theano.function([v], T.bincount(v));
    expectRunError(counts as never, [[1, -2]], 'bincount: x must be non-negative, got -2');
    const w = T.dvector('w');
    const weighted = theano.function([v, w], T.bincount(v, { weights: w }));
    expectRunError(weighted as never, [[1], [1, 2]], 'bincount: the weights have 2 elements and x has 1');
    const hot = theano.function([v], T.oneHot(v, 3));
    expectRunError(hot as never, [[0, 3]], 'oneHot: label 3 is out of range for 3 classes (at position 1)');
  });
});
