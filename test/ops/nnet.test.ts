/**
 * nnet basics: softmax, logSoftmax, relu, softsign, elu, binaryCrossentropy, categoricalCrossentropy and
 * logsumexp. Oracles against hand-checked values, stability on huge inputs, inferred types against evaluation,
 * and the integer-label cross-entropy against its one-hot form.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { DType, NDArray, Tensor } from '../../src/index.js';
import {
  ALL_DTYPES,
  arbBroadcastShapes,
  arbShape,
  b,
  checkOp,
  compileLoose,
  expectArray,
  expectBuildError,
  expectRunError,
  expectScalar,
  numpyBroadcast,
  f32,
  f64,
  i16,
  i32,
  i64,
  i8,
  u8,
} from '../helpers.js';
import { checkInferredTypes } from '../infer-type.js';

const T = theano.tensor;
const { log, exp, E } = Math;

// hand-checked: softmax([1, 2, 3]) = [e, e^2, e^3] / (e + e^2 + e^3); logsumexp([1, 2, 3]) = 3 + log(1 + e^-1 + e^-2)
const LSE123 = 3 + log(1 + exp(-1) + exp(-2));
const SOFT123 = [exp(1 - LSE123), exp(2 - LSE123), exp(3 - LSE123)];

describe('softmax and logSoftmax: oracles', () => {
  test('softmax of rows (the last axis by default)', () => {
    checkOp(
      'softmax',
      [
        [
          [1, 2, 3],
          [0, 0, 0],
        ],
      ],
      {
        dtype: 'float64',
        value: [
          [0.09003057317038046, 0.24472847105479764, 0.6652409557748219],
          [1 / 3, 1 / 3, 1 / 3],
        ],
      },
    );
    checkOp('softmax', [[1, 2, 3]], { dtype: 'float64', value: SOFT123, rtol: 1e-15 });
  });

  test('softmax along axis 0 and along a negative axis', () => {
    checkOp(
      (x) => T.softmax(x as Tensor<'float64', 2>, 0),
      [
        [
          [1, 5],
          [1, 5],
        ],
      ],
      {
        dtype: 'float64',
        value: [
          [0.5, 0.5],
          [0.5, 0.5],
        ],
      },
    );
    checkOp(
      (x) => T.softmax(x as Tensor<'float64', 2>, -2),
      [
        [
          [0, 0],
          [log(3), 0],
        ],
      ],
      {
        dtype: 'float64',
        value: [
          [0.25, 0.5],
          [0.75, 0.5],
        ],
      },
    );
    // tensor3 along the middle axis: each [i, :, k] column sums to 1
    const out = checkOp(
      (x) => T.softmax(x as Tensor<'float64', 3>, 1),
      [
        [
          [
            [0, 1],
            [0, 1],
            [log(2), 1],
          ],
        ],
      ],
      {
        dtype: 'float64',
        value: [
          [
            [0.25, 1 / 3],
            [0.25, 1 / 3],
            [0.5, 1 / 3],
          ],
        ],
      },
    );
    expect(out.shape).toEqual([1, 3, 2]);
  });

  test('dtypes: floats keep theirs, integers upgrade as exp does', () => {
    checkOp('softmax', [f32([1, 2, 3])], { dtype: 'float32', value: SOFT123.map(Math.fround), rtol: 1e-7 });
    checkOp('softmax', [i32([1, 2, 3])], { dtype: 'float64', value: SOFT123 });
    checkOp('softmax', [i64([1n, 2n, 3n])], { dtype: 'float64', value: SOFT123 });
    checkOp('softmax', [i8([1, 2, 3])], { dtype: 'float32', value: SOFT123, rtol: 1e-7 });
    checkOp('softmax', [u8([0, 0])], { dtype: 'float32', value: [0.5, 0.5] });
    checkOp('softmax', [b([true, false])], { dtype: 'float32', value: [E / (E + 1), 1 / (E + 1)], rtol: 1e-7 });
    checkOp('logSoftmax', [i16([1, 2, 3])], {
      dtype: 'float32',
      value: [1 - LSE123, 2 - LSE123, 3 - LSE123],
      rtol: 1e-7,
    });
  });

  test('logSoftmax is x - logsumexp(x)', () => {
    checkOp(
      'logSoftmax',
      [
        [
          [1, 2, 3],
          [1000, 1000, -1000],
        ],
      ],
      {
        dtype: 'float64',
        value: [
          [1 - LSE123, 2 - LSE123, 3 - LSE123],
          [-log(2), -log(2), -2000 - log(2)],
        ],
      },
    );
  });

  test('huge inputs: no overflow, and logSoftmax stays finite where softmax underflows', () => {
    checkOp('softmax', [[1e300, 1e300, -1e300]], { dtype: 'float64', value: [0.5, 0.5, 0] });
    checkOp('softmax', [[1000, 999]], { dtype: 'float64', value: [1 / (1 + exp(-1)), exp(-1) / (1 + exp(-1))] });
    checkOp('logSoftmax', [[1e300, 1e300, -1e300]], { dtype: 'float64', value: [-log(2), -log(2), -2e300] });
    checkOp('logSoftmax', [[0, -800]], { dtype: 'float64', value: [-0, -800] });
  });

  test('special values: -Infinity is a zero weight, NaN poisons its row only', () => {
    checkOp(
      'softmax',
      [
        [
          [0, -Infinity],
          [NaN, 1],
        ],
      ],
      {
        dtype: 'float64',
        value: [
          [1, 0],
          [NaN, NaN],
        ],
      },
    );
    checkOp(
      'logSoftmax',
      [
        [
          [0, -Infinity],
          [NaN, 1],
        ],
      ],
      {
        dtype: 'float64',
        value: [
          [0, -Infinity],
          [NaN, NaN],
        ],
      },
    );
  });

  test('empty arrays', () => {
    checkOp('softmax', [theano.NDArray.zeros('float64', [0, 3])], { dtype: 'float64', shape: [0, 3] });
    checkOp('logSoftmax', [[[], []]], { dtype: 'float64', shape: [2, 0] });
    checkOp('softmax', [f32([])], { dtype: 'float32', shape: [0] });
  });

  test('static shape is kept', () => {
    const x = T.tensor('float32', [2, null, 1]);
    expect(T.softmax(x, 1).staticShape).toEqual([2, null, 1]);
    expect(T.logSoftmax(x).staticShape).toEqual([2, null, 1]);
  });

  test('build errors: a scalar has no axis; axes out of range', () => {
    expectBuildError(() => T.softmax(T.dscalar('s')), 'softmax', 'rank >= 1', 'float64 scalar');
    expectBuildError(() => T.logSoftmax(T.dscalar('s')), 'logSoftmax', 'rank >= 1');
    expectBuildError(() => T.softmax(T.dmatrix('m'), 2 as never), 'softmax', 'axis 2 is out of range', 'rank 2');
    expectBuildError(() => T.logSoftmax(T.dvector('v'), -2 as never), 'logSoftmax', 'axis -2 is out of range');
  });

  test('printing and fluent methods', () => {
    const x = T.dmatrix('x');
    expect(theano.pp(T.softmax(x))).toBe('softmax(x, axis=1)');
    expect(theano.pp(x.logSoftmax(0))).toBe('log_softmax(x, axis=0)');
    const f = compileLoose([x], [x.softmax(), x.logSoftmax(0), x.relu(0.5)]);
    const [s, ls, r] = f([
      [1, 2, 3],
      [0, 0, -2],
    ]) as NDArray[];
    expectArray(s, {
      dtype: 'float64',
      value: [SOFT123, [exp(0) / (2 + exp(-2)), 1 / (2 + exp(-2)), exp(-2) / (2 + exp(-2))]],
    });
    expectArray(ls, {
      dtype: 'float64',
      value: [
        [1 - log(1 + E), 2 - log(1 + E ** 2), 3 - log(E ** 3 + exp(-2))],
        [-log(1 + E), -log(1 + E ** 2), -2 - log(E ** 3 + exp(-2))],
      ],
    });
    expectArray(r, {
      dtype: 'float64',
      value: [
        [1, 2, 3],
        [0, 0, -1],
      ],
    });
  });

  test('T.nnet holds the same functions, with Theano names', () => {
    expect(T.nnet.softmax).toBe(T.softmax);
    expect(T.nnet.logsoftmax).toBe(T.logSoftmax);
    expect(T.nnet.binary_crossentropy).toBe(T.binaryCrossentropy);
    expect(T.nnet.categorical_crossentropy).toBe(T.categoricalCrossentropy);
    expect(T.nnet.sigmoid).toBe(T.sigmoid);
    expect(T.nnet.relu).toBe(T.relu);
  });
});

describe('relu, softsign, elu: oracles', () => {
  test('relu', () => {
    checkOp('relu', [[-2, -0.5, 0, 1.5, Infinity, -Infinity, NaN]], {
      dtype: 'float64',
      value: [0, 0, 0, 1.5, Infinity, 0, NaN],
    });
    checkOp((x) => T.relu(x, 0.1), [[-2, -0.5, 0, 1.5, -Infinity, NaN]], {
      dtype: 'float64',
      value: [-0.2, -0.05, 0, 1.5, -Infinity, NaN],
    });
    checkOp((x) => T.relu(x, -1), [[-2, 3]], { dtype: 'float64', value: [2, 3] }); // alpha = -1: |x|
    checkOp('relu', [i32([-3, 4])], { dtype: 'float64', value: [0, 4] });
    checkOp('relu', [i8([-3, 4])], { dtype: 'float32', value: [0, 4] });
    checkOp((x) => T.relu(x, 0.25), [f32([[-4, 2]])], { dtype: 'float32', value: [[-1, 2]] });
    expectBuildError(() => T.relu(T.dvector('v'), '0.1' as never), 'relu: alpha must be a number');
  });

  test('softsign', () => {
    checkOp('softsign', [[-3, 0, 1, 1e308, -0.5]], { dtype: 'float64', value: [-0.75, 0, 0.5, 1, -1 / 3] });
    checkOp('softsign', [i32([[1], [-3]])], { dtype: 'float64', value: [[0.5], [-0.75]] });
    checkOp('softsign', [f32([3])], { dtype: 'float32', value: [0.75] });
  });

  test('elu', () => {
    checkOp('elu', [[-1, 0, 2, -Infinity, 1e-10 * -1]], {
      dtype: 'float64',
      value: [exp(-1) - 1, 0, 2, -1, -9.9999999995e-11],
      rtol: 1e-15,
    });
    checkOp((x) => T.elu(x, 2), [[-1, 0.5]], { dtype: 'float64', value: [2 * (exp(-1) - 1), 0.5] });
    checkOp('elu', [u8([0, 3])], { dtype: 'float32', value: [0, 3] });
    checkOp('elu', [i64([-1n, 5n])], { dtype: 'float64', value: [exp(-1) - 1, 5] });
  });
});

describe('binaryCrossentropy: oracles', () => {
  test('values: -(t log o + (1 - t) log(1 - o))', () => {
    checkOp(
      'binaryCrossentropy',
      [
        [0.5, 0.9, 0.1, 0.25],
        [1, 1, 0, 0.5],
      ],
      {
        dtype: 'float64',
        value: [log(2), -log(0.9), -log(0.9), -(0.5 * log(0.25) + 0.5 * log(0.75))],
      },
    );
    // a confident wrong prediction costs Infinity; 0 * log(0) is NaN (Theano's formula, no special case)
    checkOp(
      'binaryCrossentropy',
      [
        [0, 1],
        [1, 1],
      ],
      { dtype: 'float64', value: [Infinity, NaN] },
    );
  });

  test('broadcasting and dtypes', () => {
    checkOp(
      'binaryCrossentropy',
      [
        [
          [0.5, 0.5],
          [0.75, 0.25],
        ],
        [1, 0],
      ],
      {
        dtype: 'float64',
        value: [
          [log(2), log(2)],
          [-log(0.75), -log(0.75)],
        ],
      },
    );
    checkOp('binaryCrossentropy', [f32([0.5]), i8([1])], { dtype: 'float32', value: [log(2)], rtol: 1e-7 });
    checkOp('binaryCrossentropy', [f32([0.5]), b([true])], { dtype: 'float32', value: [log(2)], rtol: 1e-7 });
    checkOp('binaryCrossentropy', [f32([0.5]), i32([0])], { dtype: 'float64', value: [log(2)], rtol: 1e-7 });
    checkOp('binaryCrossentropy', [f32([0.5]), f64([0])], { dtype: 'float64', value: [log(2)], rtol: 1e-7 });
    checkOp('binaryCrossentropy', [f32([[0.5]]), f32(0)], { dtype: 'float32', value: [[log(2)]], rtol: 1e-7 });
  });

  test('static shapes that cannot broadcast are a build error', () => {
    expectBuildError(
      () => T.binaryCrossentropy(T.tensor('float64', [3]), T.tensor('float64', [4])),
      'cannot broadcast',
    );
  });
});

describe('categoricalCrossentropy: oracles', () => {
  const coding = [
    [0.1, 0.2, 0.7],
    [0.5, 0.25, 0.25],
  ];
  const want = [-log(0.7), log(2)];

  test('integer class labels: -log(coding[i, label_i])', () => {
    checkOp('categoricalCrossentropy', [coding, i32([2, 0])], { dtype: 'float64', value: want });
    checkOp('categoricalCrossentropy', [coding, i64([2n, 0n])], { dtype: 'float64', value: want });
    checkOp('categoricalCrossentropy', [coding, u8([2, 0])], { dtype: 'float64', value: want });
    checkOp('categoricalCrossentropy', [f32(coding), i8([1, 1])], {
      dtype: 'float32',
      value: [-log(Math.fround(0.2)), log(4)],
      rtol: 1e-7,
    });
    // a vector of class scores with one label gives a scalar; a probability of 0 costs Infinity
    checkOp('categoricalCrossentropy', [[0.25, 0.75, 0], i32(0)], { dtype: 'float64', value: log(4) });
    checkOp('categoricalCrossentropy', [[0.25, 0.75, 0], i32(2)], { dtype: 'float64', value: Infinity });
    // a tensor3 of distributions: labels for each of its rows
    checkOp(
      'categoricalCrossentropy',
      [
        [
          [
            [0.5, 0.5],
            [1, 0],
          ],
        ],
        i32([[1, 0]]),
      ],
      { dtype: 'float64', value: [[log(2), 0]] },
    );
  });

  test('one-hot and soft targets: -sum(t * log(coding), -1)', () => {
    checkOp(
      'categoricalCrossentropy',
      [
        coding,
        [
          [0, 0, 1],
          [1, 0, 0],
        ],
      ],
      { dtype: 'float64', value: want },
    );
    checkOp(
      'categoricalCrossentropy',
      [
        coding,
        i32([
          [0, 0, 1],
          [1, 0, 0],
        ]),
      ],
      { dtype: 'float64', value: want },
    );
    checkOp(
      'categoricalCrossentropy',
      [
        f32(coding),
        b([
          [false, false, true],
          [true, false, false],
        ]),
      ],
      { dtype: 'float32', value: want, rtol: 1e-6 },
    );
    checkOp(
      'categoricalCrossentropy',
      [
        f32(coding),
        f64([
          [0, 0, 1],
          [1, 0, 0],
        ]),
      ],
      { dtype: 'float64', value: want, rtol: 1e-6 },
    );
    checkOp(
      'categoricalCrossentropy',
      [
        coding,
        [
          [0.5, 0, 0.5],
          [0, 0.5, 0.5],
        ],
      ],
      {
        dtype: 'float64',
        value: [-(0.5 * log(0.1) + 0.5 * log(0.7)), log(4)],
      },
    );
  });

  test('empty batches', () => {
    checkOp('categoricalCrossentropy', [theano.NDArray.zeros('float64', [0, 3]), i32([])], {
      dtype: 'float64',
      shape: [0],
    });
    checkOp(
      'categoricalCrossentropy',
      [theano.NDArray.zeros('float64', [0, 3]), theano.NDArray.zeros('float64', [0, 3])],
      { dtype: 'float64', shape: [0] },
    );
  });

  test('static shapes: rows known from either side', () => {
    const out = T.categoricalCrossentropy(T.tensor('float64', [null, 3]), T.tensor('int32', [5]));
    expect(out.staticShape).toEqual([5]);
    expect(T.categoricalCrossentropy(T.tensor('float64', [4, 3]), T.ivector('y')).staticShape).toEqual([4]);
    expect(theano.pp(T.categoricalCrossentropy(T.dmatrix('p'), T.ivector('y')))).toBe(
      'crossentropy_categorical_1hot(p, y)',
    );
  });

  test('build errors name the expected and the given types', () => {
    const p = T.dmatrix('p');
    expectBuildError(
      () => T.categoricalCrossentropy(p, T.dvector('y') as never),
      'integer class labels of rank 1',
      'distribution of rank 2',
      'float64 vector',
    );
    expectBuildError(
      () => T.categoricalCrossentropy(p, T.tensor('bool', 1) as never),
      'integer class labels',
      'bool vector',
    );
    expectBuildError(
      () => T.categoricalCrossentropy(p, T.iscalar('y') as never),
      'integer class labels of rank 1',
      'int32 scalar',
    );
    expectBuildError(
      () => T.categoricalCrossentropy(T.dscalar('s') as never, T.iscalar('y')),
      'codingDist must have a class axis',
    );
    expectBuildError(
      () => T.categoricalCrossentropy(T.tensor('float64', [3, 4]), T.tensor('int32', [2])),
      'crossentropy_categorical_1hot',
      '(2,)',
      '(3, 4)',
    );
  });

  test('run errors: labels out of range, mismatched rows', () => {
    const p = T.dmatrix('p');
    const y = T.ivector('y');
    const f = compileLoose([p, y], T.categoricalCrossentropy(p, y));
    expectRunError(
      f,
      [coding, [3, 0]],
      'label 3 (row 0) is out of range for 3 classes',
      'crossentropy_categorical_1hot',
    );
    expectRunError(f, [coding, [0, -1]], 'label -1 (row 1) is out of range');
    expectRunError(f, [coding, [0, 1, 2]], 'labels of shape (3,) do not match the rows of codingDist (2, 3)');
  });
});

describe('logsumexp: oracles', () => {
  test('stable: logsumexp([1000, 1000]) = 1000 + log 2', () => {
    checkOp('logsumexp', [[1000, 1000]], { dtype: 'float64', value: 1000 + log(2) });
    checkOp('logsumexp', [[-1000, -1000]], { dtype: 'float64', value: -1000 + log(2) });
    checkOp('logsumexp', [[1e308, 1e308]], { dtype: 'float64', value: 1e308 }); // + log 2 is below half an ulp
    checkOp('logsumexp', [[1, 2, 3]], { dtype: 'float64', value: LSE123, rtol: 1e-15 });
  });

  test('axes and keepdims', () => {
    const m = [
      [1, 2],
      [3, 4],
    ];
    const rows = [log(E + E ** 2), log(E ** 3 + E ** 4)];
    checkOp((x) => T.logsumexp(x, 1), [m], { dtype: 'float64', value: rows });
    checkOp((x) => T.logsumexp(x, -1, { keepdims: true }), [m], { dtype: 'float64', value: rows.map((r) => [r]) });
    checkOp((x) => T.logsumexp(x, 0), [m], { dtype: 'float64', value: [log(E + E ** 3), log(E ** 2 + E ** 4)] });
    checkOp((x) => T.logsumexp(x, null, { keepdims: true }), [m], {
      dtype: 'float64',
      value: [[log(E + E ** 2 + E ** 3 + E ** 4)]],
    });
    checkOp(
      (x) => T.logsumexp(x, [0, 2]),
      [
        [
          [
            [0, 1],
            [0, 0],
          ],
          [
            [0, 1],
            [0, 0],
          ],
        ],
      ],
      { dtype: 'float64', value: [log(2 + 2 * E), log(4)] },
    );
    checkOp(
      (x) => T.logsumexp(x, [0, 2], { keepdims: true }),
      [
        [
          [
            [0, 1],
            [0, 0],
          ],
          [
            [0, 1],
            [0, 0],
          ],
        ],
      ],
      { dtype: 'float64', value: [[[log(2 + 2 * E)], [log(4)]]] },
    );
  });

  test('dtypes: integers upgrade, float32 stays', () => {
    checkOp('logsumexp', [i32([0, 0])], { dtype: 'float64', value: log(2) });
    checkOp('logsumexp', [i8([0, 0])], { dtype: 'float32', value: log(2), rtol: 1e-7 });
    checkOp('logsumexp', [b([true, true])], { dtype: 'float32', value: 1 + log(2), rtol: 1e-7 });
    checkOp('logsumexp', [f32([1000, 1000])], { dtype: 'float32', value: 1000 + log(2), rtol: 1e-7 });
  });

  test('infinities and NaN', () => {
    checkOp('logsumexp', [[-Infinity, -Infinity]], { dtype: 'float64', value: -Infinity });
    checkOp('logsumexp', [[-Infinity, 0]], { dtype: 'float64', value: 0 });
    checkOp('logsumexp', [[Infinity, 1]], { dtype: 'float64', value: Infinity });
    checkOp('logsumexp', [[NaN, 1]], { dtype: 'float64', value: NaN });
  });

  test('axis out of range', () => {
    expectBuildError(() => T.logsumexp(T.dmatrix('m'), 2 as never), 'logsumexp: axis 2 is out of range');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Stability on huge magnitudes

/** Rows of doubles at one of several scales, including ±1e300 (far beyond exp's range). */
const arbRows = fc
  .record({
    rows: fc.integer({ min: 1, max: 4 }),
    cols: fc.integer({ min: 1, max: 6 }),
    scale: fc.constantFrom(1, 1e5, 1e300),
  })
  .chain(({ rows, cols, scale }) =>
    fc.array(
      fc.array(
        fc.double({ min: -1, max: 1, noNaN: true }).map((v) => v * scale),
        { minLength: cols, maxLength: cols },
      ),
      {
        minLength: rows,
        maxLength: rows,
      },
    ),
  );

describe('stability', () => {
  const x = T.dmatrix('x');
  const f = compileLoose([x], [T.softmax(x), T.logSoftmax(x), T.logsumexp(x, 1)]);

  test('softmax and logSoftmax on inputs up to ±1e300: no NaN, rows sum to 1, logSoftmax = log(softmax)', () => {
    fc.assert(
      fc.property(arbRows, (rows) => {
        const [s, ls, lse] = (f(rows) as NDArray[]).map((a) => a.toArray() as number[][]);
        rows.forEach((row, r) => {
          const sr = s![r]!;
          const lr = ls![r]!;
          for (const v of sr) expect(v >= 0 && v <= 1, `softmax ${v} in [0, 1]`).toBe(true);
          expect(Math.abs(sr.reduce((a, v) => a + v, 0) - 1)).toBeLessThanOrEqual(1e-12);
          // the largest input has the largest weight, and its log-weight is in [-log n, 0]
          const k = row.indexOf(Math.max(...row));
          expect(sr[k]).toBe(Math.max(...sr));
          expect(lr[k]!).toBeLessThanOrEqual(0);
          expect(lr[k]!).toBeGreaterThanOrEqual(-log(row.length) - 1e-12);
          lr.forEach((l, j) => {
            // |x| <= 1e300 keeps x - max finite, so logSoftmax is finite everywhere (in particular where softmax > 0)
            expect(Number.isFinite(l), `logSoftmax ${l} finite`).toBe(true);
            // where softmax is a normal double, log(softmax) carries its full precision
            if (sr[j]! >= 1e-300)
              expect(Math.abs(l - log(sr[j]!))).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(l)));
            else expect(exp(l)).toBeLessThan(1e-299);
          });
          // logsumexp is finite, at least the max and at most max + log n
          const m = Math.max(...row);
          const v = (lse as unknown as number[])[r]!;
          expect(Number.isFinite(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(m);
          expect(v - m).toBeLessThanOrEqual(log(row.length) * (1 + 1e-12) + Math.abs(m) * 1e-15);
        });
      }),
      { numRuns: 200 },
    );
  });

  test('float32 softmax on inputs up to ±3e38', () => {
    const x32 = T.fmatrix('x');
    const g = compileLoose([x32], [T.softmax(x32), T.logSoftmax(x32)]);
    const arb = fc.array(
      fc.array(fc.float({ min: Math.fround(-3e38), max: Math.fround(3e38), noNaN: true, noDefaultInfinity: true }), {
        minLength: 1,
        maxLength: 5,
      }),
      {
        minLength: 1,
        maxLength: 3,
      },
    );
    fc.assert(
      fc.property(arb, (raw) => {
        const cols = raw[0]!.length;
        const rows = raw.map((r) => Array.from({ length: cols }, (_, j) => r[j % r.length]!));
        const [s, ls] = (g(rows) as NDArray[]).map((a) => {
          expect(a.dtype).toBe('float32');
          return a.toArray() as number[][];
        });
        s!.forEach((sr) => {
          expect(sr.every((v) => !Number.isNaN(v))).toBe(true);
          expect(Math.abs(sr.reduce((a, v) => a + v, 0) - 1)).toBeLessThanOrEqual(1e-6);
        });
        // x - max may overflow float32 but not float64 (computed in float64): -Infinity only where softmax is 0
        ls!.forEach((lr, r) =>
          lr.forEach((l, j) => expect(!Number.isNaN(l) && (Number.isFinite(l) || s![r]![j] === 0)).toBe(true)),
        );
      }),
      { numRuns: 100 },
    );
  });

  test('logsumexp(x + c) = logsumexp(x) + c, for shifts that would overflow exp', () => {
    const v = T.dvector('v');
    const c = T.dscalar('c');
    const g = compileLoose([v, c], [T.logsumexp(v.add(c)), T.logsumexp(v).add(c)]);
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 8 }),
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        (xs, shift) => {
          const [a, bb] = g(xs, shift) as number[];
          expect(Number.isFinite(a)).toBe(true);
          expect(Math.abs(a! - bb!)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(shift)));
        },
      ),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Inferred types against evaluation

/** An NDArray of `dtype` and `shape` (empty shapes like (0, 3) included) filled by `fill(flatIndex)`. */
function arrayOf(dtype: DType, shape: readonly number[], fill: (i: number) => number): NDArray {
  const a = theano.NDArray.zeros(dtype, shape);
  const data = a.data as unknown as { [i: number]: number | bigint };
  for (let i = 0; i < a.size; i++) data[i] = dtype === 'int64' ? BigInt(fill(i)) : fill(i);
  return a;
}

/** A value whose elements fit every dtype (probabilities in (0, 1) for floats). */
function valuesFor(dtype: DType, shape: readonly number[], seed = 0): NDArray {
  return arrayOf(dtype, shape, (i) => {
    const k = (i * 7 + seed) % 5;
    if (dtype === 'bool') return k % 2;
    return dtype === 'float32' || dtype === 'float64' ? (k + 1) / 7 : k;
  });
}

/** A symbolic input of `shape` where each dimension is statically known or not, as `known` says. */
function input(dtype: DType, shape: readonly number[], known: readonly boolean[], name = 'x'): Tensor {
  return T.tensor(
    dtype,
    shape.map((d, i) => (known[i] ? d : null)),
    name,
  ) as Tensor;
}

const arbDType = fc.constantFrom(...ALL_DTYPES);
const arbInput = (minRank: number) =>
  fc.record({ dtype: arbDType, shape: arbShape({ minRank, maxRank: 4, allowEmpty: true }) }).chain(({ dtype, shape }) =>
    fc.record({
      dtype: fc.constant(dtype),
      shape: fc.constant(shape),
      known: fc.array(fc.boolean(), { minLength: shape.length, maxLength: shape.length }),
      axis: shape.length ? fc.integer({ min: -shape.length, max: shape.length - 1 }) : fc.constant(0),
    }),
  );

describe('inferred types match evaluation', () => {
  test('softmax, logSoftmax (any axis, empty arrays included)', () => {
    fc.assert(
      fc.property(arbInput(1), ({ dtype, shape, known, axis }) => {
        const x = input(dtype, shape, known);
        const outs = [T.softmax(x, axis as never), T.logSoftmax(x, axis as never)];
        for (const o of outs) expect(o.dtype).toBe(theano.UPGRADE_TO_FLOAT[dtype]);
        checkInferredTypes([x], outs, [valuesFor(dtype, shape)]);
      }),
    );
  });

  test('relu, leaky relu, softsign, elu', () => {
    fc.assert(
      fc.property(arbInput(0), fc.double({ min: -2, max: 2, noNaN: true }), ({ dtype, shape, known }, alpha) => {
        const x = input(dtype, shape, known);
        const outs = [T.relu(x), T.relu(x, alpha), T.softsign(x), T.elu(x), T.elu(x, alpha)];
        for (const o of outs) expect(o.dtype).toBe(theano.UPGRADE_TO_FLOAT[dtype]);
        checkInferredTypes([x], outs, [valuesFor(dtype, shape)]);
      }),
    );
  });

  test('binaryCrossentropy with broadcasting', () => {
    const arb = fc.record({
      shapes: arbBroadcastShapes(2, { allowEmpty: true }),
      dtypes: fc.tuple(arbDType, arbDType),
      known: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    });
    fc.assert(
      fc.property(arb, ({ shapes, dtypes, known }) => {
        const [so, st] = shapes.operands as [number[], number[]];
        const o = input(dtypes[0], so, known, 'o');
        const t = input(dtypes[1], st, known.slice(4), 't');
        const out = T.binaryCrossentropy(o, t);
        expect(out.dtype).toBe(theano.upcast(theano.UPGRADE_TO_FLOAT[dtypes[0]], theano.UPGRADE_TO_FLOAT[dtypes[1]]));
        const [value] = checkInferredTypes([o, t], [out], [valuesFor(dtypes[0], so), valuesFor(dtypes[1], st, 3)]);
        expect([...value!.shape]).toEqual(numpyBroadcast([so, st]));
      }),
    );
  });

  test('categoricalCrossentropy with labels and with distributions', () => {
    const intDTypes = ALL_DTYPES.filter((d) => d.startsWith('int') || d.startsWith('uint'));
    fc.assert(
      fc.property(
        arbInput(1),
        fc.constantFrom(...intDTypes),
        arbDType,
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        ({ dtype, shape, known }, labelDType, distDType, knownLabels) => {
          const classes = shape[shape.length - 1]!;
          const rows = shape.slice(0, -1);
          const coding = input(dtype, shape, known, 'coding');
          const labels = input(labelDType, rows, knownLabels, 'labels');
          const dist = input(distDType, shape, knownLabels, 'dist');
          const byLabel = T.categoricalCrossentropy(coding, labels as Tensor<'int32'>);
          const byDist = T.categoricalCrossentropy(coding, dist);
          expect(byLabel.dtype).toBe(theano.UPGRADE_TO_FLOAT[dtype]);
          expect(byDist.dtype).toBe(theano.upcast(distDType, theano.UPGRADE_TO_FLOAT[dtype]));
          // a label must name a class: with no classes, only an empty batch has labels
          if (classes === 0 && rows.some((d) => d === 0) === false) {
            checkInferredTypes([coding, dist], [byDist], [valuesFor(dtype, shape), valuesFor(distDType, shape)]);
            return;
          }
          const labelValues = arrayOf(labelDType, rows, (i) => i % classes);
          const [a, c] = checkInferredTypes(
            [coding, labels, dist],
            [byLabel, byDist],
            [valuesFor(dtype, shape), labelValues, valuesFor(distDType, shape)],
          );
          expect([...a!.shape]).toEqual(rows);
          expect([...c!.shape]).toEqual(rows);
        },
      ),
    );
  });

  test('logsumexp over none, one or several axes, with and without keepdims', () => {
    const arb = arbInput(0).chain((inp) =>
      fc.record({
        inp: fc.constant(inp),
        axes: fc.option(fc.subarray(Array.from({ length: inp.shape.length }, (_, i) => i)), { nil: null }),
        negate: fc.boolean(),
        single: fc.boolean(),
        keepdims: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(arb, ({ inp: { dtype, shape, known }, axes, negate, single, keepdims }) => {
        // max has no identity, so logsumexp (like T.max) needs the reduced axes to be non-empty
        const reduced = axes ?? shape.map((_, i) => i);
        fc.pre(reduced.every((a) => shape[a]! > 0));
        const x = input(dtype, shape, known);
        const list = axes?.map((a) => (negate ? a - shape.length : a)) ?? null;
        const axis = single && list?.length === 1 ? list[0]! : list;
        const out = T.logsumexp(x, axis as never, { keepdims });
        expect(out.dtype).toBe(theano.UPGRADE_TO_FLOAT[dtype]);
        expect(out.ndim).toBe(keepdims ? shape.length : shape.length - reduced.length);
        checkInferredTypes([x], [out], [valuesFor(dtype, shape)]);
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The two forms of the categorical cross-entropy agree

describe('categoricalCrossentropy: integer labels equal the one-hot form', () => {
  test('on random distributions and labels of every integer dtype', () => {
    const arb = fc
      .record({
        rows: fc.integer({ min: 0, max: 5 }),
        classes: fc.integer({ min: 1, max: 6 }),
        labelDType: fc.constantFrom('int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32' as const),
      })
      .chain(({ rows, classes, labelDType }) =>
        fc.record({
          labelDType: fc.constant(labelDType),
          classes: fc.constant(classes),
          scores: fc.array(
            fc.array(fc.double({ min: -30, max: 30, noNaN: true }), { minLength: classes, maxLength: classes }),
            { minLength: rows, maxLength: rows },
          ),
          labels: fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: rows, maxLength: rows }),
        }),
      );
    fc.assert(
      fc.property(arb, ({ labelDType, classes, scores, labels }) => {
        const s = T.dmatrix('s');
        const y = T.tensor(labelDType, 1, 'y');
        const oneHot = T.dmatrix('t');
        const p = T.softmax(s);
        const f = compileLoose(
          [s, y, oneHot],
          [T.categoricalCrossentropy(p, y), T.categoricalCrossentropy(p, oneHot), T.logSoftmax(s)],
        );
        const rows = scores.length;
        const value = (v: unknown) => (rows === 0 ? theano.NDArray.zeros('float64', [0, classes]) : v);
        const hot = labels.map((l) => Array.from({ length: classes }, (_, k) => (k === l ? 1 : 0)));
        const labelValues = labelDType === 'int64' ? labels.map(BigInt) : labels;
        const [byLabel, byOneHot, logP] = f(value(scores), labelValues, value(hot)) as NDArray[];
        expectArray(byLabel, { dtype: 'float64', shape: [rows], value: byOneHot!.toArray(), rtol: 1e-12, atol: 1e-15 });
        // and both are -logSoftmax at the label
        const lp = logP!.toArray() as number[][];
        expectArray(byLabel, {
          dtype: 'float64',
          shape: [rows],
          flat: labels.map((l, r) => -lp[r]![l]!),
          rtol: 1e-9,
          atol: 1e-12,
        });
      }),
    );
  });

  test('a scalar-valued loss: the mean cross-entropy of a batch', () => {
    const s = T.dmatrix('s');
    const y = T.ivector('y');
    const loss = T.categoricalCrossentropy(T.softmax(s), y).mean();
    const f = compileLoose([s, y], loss);
    expectScalar(
      f(
        [
          [0, 0],
          [0, log(3)],
        ],
        [0, 1],
      ),
      'float64',
      (log(2) + log(4 / 3)) / 2,
    );
  });
});
