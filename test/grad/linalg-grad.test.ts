// The linear-algebra gradients (dot, matmul, batchedDot, tensordot): symbolic gradient vs central finite
// differences on random shapes and values (float64), the gradients' shapes, and second derivatives (the
// pullbacks are themselves differentiable).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';

const T = theano.tensor;
type Fn = (...x: Tensor[]) => Tensor;
type Pair = readonly [readonly number[], readonly number[]];

// Plain signatures: the shapes here are drawn at run time, so the rank tables cannot follow them.
const dot = T.dot as unknown as (a: Tensor, b: Tensor) => Tensor;
const matmul = T.matmul as unknown as (a: Tensor, b: Tensor) => Tensor;
const batchedDot = T.batchedDot as unknown as (a: Tensor, b: Tensor) => Tensor;
const tensordot = T.tensordot as unknown as (a: Tensor, b: Tensor, axes?: number | Pair) => Tensor;
const grad = T.grad as unknown as (cost: Tensor, wrt: Tensor | readonly Tensor[]) => Tensor & Tensor[];

const real = fc.double({ min: -2, max: 2, noNaN: true });
const dim = fc.integer({ min: 1, max: 4 });

function nest(flat: number[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  const [d, ...rest] = shape;
  const size = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: d! }, (_, i) => nest(flat.slice(i * size, (i + 1) * size), rest));
}

/** Random values for inputs of the given shapes, as nested arrays (a number for a scalar). */
const valuesFor = (shapes: readonly (readonly number[])[]) =>
  fc.tuple(
    ...shapes.map((s) =>
      fc
        .array(real, { minLength: s.reduce((a, b) => a * b, 1), maxLength: s.reduce((a, b) => a * b, 1) })
        .map((f) => nest(f, s)),
    ),
  );

/**
 * verifyGrad at `point`, and the gradients of `sum(fn(...))` have their inputs' exact shapes (a gradient left
 * broadcast would still be read element by element by verifyGrad).
 */
function check(label: string, fn: Fn, shapes: readonly (readonly number[])[], point: readonly unknown[]): void {
  try {
    theano.gradient.verifyGrad(fn as never, point as never, { nTests: 1 });
  } catch (e) {
    throw new Error(
      `${label} at shapes ${JSON.stringify(shapes)}, point ${JSON.stringify(point)}: ${(e as Error).message}`,
    );
  }
  const inputs = shapes.map((s, i) => T.tensor('float64', s.length as never, `x${i}`) as Tensor);
  const grads = grad(T.sum(fn(...inputs)) as Tensor, inputs);
  const results = (
    theano.function(inputs as never, grads as never) as unknown as (...a: unknown[]) => (NDArray | number)[]
  )(...point);
  results.forEach((g, i) =>
    expect(typeof g === 'number' ? [] : g.shape, `${label}: shape of gradient ${i}`).toEqual(shapes[i]),
  );
}

/** One drawn case: the inputs' shapes and the expression to differentiate. */
interface Case {
  readonly shapes: readonly (readonly number[])[];
  readonly fn: Fn;
}

/** verifyGrad on every drawn case, at random values. */
function propertyOf(label: string, cases: fc.Arbitrary<Case>, numRuns = 30): void {
  fc.assert(
    fc.property(
      cases.chain((c) => fc.tuple(fc.constant(c), valuesFor(c.shapes))),
      ([c, point]) => check(label, c.fn, c.shapes, point),
    ),
    { numRuns },
  );
}

/** The same expression on drawn shapes. */
const property = (label: string, shapes: fc.Arbitrary<readonly (readonly number[])[]>, fn: Fn, numRuns = 30) =>
  propertyOf(
    label,
    shapes.map((s) => ({ shapes: s, fn })),
    numRuns,
  );

describe('dot', () => {
  for (const ra of [0, 1, 2])
    for (const rb of [0, 1, 2]) {
      test(`rank ${ra} · rank ${rb}`, () => {
        const shapes = fc.tuple(dim, dim, dim).map(([m, k, n]) => [[[], [k], [m, k]][ra]!, [[], [k], [k, n]][rb]!]);
        property(`dot ${ra}·${rb}`, shapes, (a, b) => dot(a!, b!));
      });
    }

  test('transposed operands (.T)', () => {
    const shapes = fc.tuple(dim, dim, dim).map(([m, k, n]) => [
      [k, m],
      [n, k],
    ]);
    property('dot(a.T, b.T)', shapes, (a, b) => dot(a!.T, b!.T));
    property(
      'dot(a.T, b)',
      fc.tuple(dim, dim).map(([m, k]) => [[k, m], [k]]),
      (a, b) => dot(a!.T, b!),
    );
    property(
      'dot(v, b.T)',
      fc.tuple(dim, dim).map(([k, n]) => [[k], [n, k]]),
      (v, b) => dot(v!, b!.T),
    );
  });

  test('an operand used on both sides: x·(A x) and (A Aᵀ)', () => {
    property(
      'dot(x, dot(A, x))',
      fc.tuple(dim).map(([k]) => [[k], [k, k]]),
      (x, a) => dot(x!, dot(a!, x!)),
    );
    property(
      'dot(A, A.T)',
      fc.tuple(dim, dim).map(([m, k]) => [[m, k]]),
      (a) => dot(a!, a!.T),
    );
  });

  test('beside an integer operand (which gets no gradient), the float operand gets its gradient', () => {
    const v = T.ivector('v');
    const a = T.dmatrix('a');
    const ga = grad(T.sum(dot(a, v)), a);
    const f = theano.function([v, a], ga) as unknown as (...x: unknown[]) => NDArray;
    expect(
      f(
        [1, 2],
        [
          [1, 1],
          [1, 1],
          [1, 1],
        ],
      ).toArray(),
    ).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
  });
});

describe('matmul', () => {
  /** Shapes of two operands: ranks 1 (no batch axes) or 2 + batch axes, the batch axes broadcasting. */
  const matmulShapes = fc
    .record({
      full: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 0, maxLength: 2 }),
      mkn: fc.tuple(dim, dim, dim),
      vector: fc.tuple(fc.boolean(), fc.boolean()),
      drop: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
      ones: fc.tuple(
        fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
        fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
      ),
    })
    .map(({ full, mkn: [m, k, n], vector, drop, ones }) => {
      const batch = (side: 0 | 1) =>
        full.map((d, i) => (ones[side][i] ? 1 : d)).slice(Math.min(drop[side], full.length));
      return [vector[0] ? [k] : [...batch(0), m, k], vector[1] ? [k] : [...batch(1), k, n]];
    });

  test('batch broadcasting and 1-D operands', () => {
    property('matmul', matmulShapes, (a, b) => matmul(a!, b!), 60);
  });

  test('every 1-D promotion: vector @ vector, vector @ batch, batch @ vector', () => {
    const cases: [string, fc.Arbitrary<number[][]>][] = [
      ['vector @ vector', dim.map((k) => [[k], [k]])],
      ['vector @ tensor3', fc.tuple(dim, dim, dim).map(([b, k, n]) => [[k], [b, k, n]])],
      ['tensor3 @ vector', fc.tuple(dim, dim, dim).map(([b, m, k]) => [[b, m, k], [k]])],
      [
        'matrix @ tensor3 (shared left operand)',
        fc.tuple(dim, dim, dim, dim).map(([b, m, k, n]) => [
          [m, k],
          [b, k, n],
        ]),
      ],
      [
        'batch 1 against batch b, run-time broadcasting',
        fc.tuple(dim, dim, dim, dim).map(([b, m, k, n]) => [
          [1, m, k],
          [b, k, n],
        ]),
      ],
    ];
    for (const [label, shapes] of cases) property(label, shapes, (a, b) => matmul(a!, b!));
  });

  test('transposed operands (.T of a matrix)', () => {
    property(
      'matmul(a.T, b.T)',
      fc.tuple(dim, dim, dim).map(([m, k, n]) => [
        [k, m],
        [n, k],
      ]),
      (a, b) => matmul(a!.T, b!.T),
    );
  });
});

describe('batchedDot', () => {
  for (const ra of [1, 2, 3])
    for (const rb of [1, 2, 3]) {
      if (ra === 1 && rb === 1) continue; // not in the table (a batch of scalars times a batch of scalars is mul)
      test(`rank ${ra} with rank ${rb}`, () => {
        const shapes = fc
          .tuple(dim, dim, dim, dim)
          .map(([b, m, k, n]) => [[[b], [b, k], [b, m, k]][ra - 1]!, [[b], [b, k], [b, k, n]][rb - 1]!]);
        property(`batchedDot ${ra}, ${rb}`, shapes, (a, b) => batchedDot(a!, b!));
      });
    }
});

describe('tensordot', () => {
  test('a number of axes n (the last n of a with the first n of b), n = 0 (outer product) included', () => {
    const cases = fc
      .record({
        freeA: fc.array(dim, { maxLength: 2 }),
        freeB: fc.array(dim, { maxLength: 2 }),
        summed: fc.array(dim, { maxLength: 2 }),
      })
      .map(
        ({ freeA, freeB, summed }) =>
          ({
            shapes: [
              [...freeA, ...summed],
              [...summed, ...freeB],
            ],
            fn: (a, b) => tensordot(a!, b!, summed.length),
          }) as Case,
      );
    propertyOf('tensordot(a, b, n)', cases);
  });

  test('axis pairs in any order, negative axes included', () => {
    // ranks 0-3 for each input, k paired axes chosen and ordered at random; each pair gets one length
    const cases = fc
      .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }))
      .chain(([ra, rb]) =>
        fc.integer({ min: 0, max: Math.min(ra, rb) }).chain((k) =>
          fc.record({
            axesA: fc.shuffledSubarray([...Array(ra).keys()], { minLength: k, maxLength: k }),
            axesB: fc.shuffledSubarray([...Array(rb).keys()], { minLength: k, maxLength: k }),
            pairDims: fc.array(dim, { minLength: k, maxLength: k }),
            dimsA: fc.array(dim, { minLength: ra, maxLength: ra }),
            dimsB: fc.array(dim, { minLength: rb, maxLength: rb }),
            negative: fc.boolean(),
          }),
        ),
      )
      .map(({ axesA, axesB, pairDims, dimsA, dimsB, negative }) => {
        const sa = dimsA.map((d, i) => (axesA.includes(i) ? pairDims[axesA.indexOf(i)]! : d));
        const sb = dimsB.map((d, j) => (axesB.includes(j) ? pairDims[axesB.indexOf(j)]! : d));
        const shift = (axes: number[], rank: number) => (negative ? axes.map((x) => x - rank) : axes);
        const pair: Pair = [shift(axesA, sa.length), shift(axesB, sb.length)];
        return { shapes: [sa, sb], fn: (a, b) => tensordot(a!, b!, pair) } as Case;
      });
    propertyOf('tensordot(a, b, [axesA, axesB])', cases, 60);
  });

  test('transposed operands (.T of a tensor3)', () => {
    property(
      'tensordot(a.T, b, [[0, 2], [1, 0]])',
      fc.tuple(dim, dim, dim).map(([i, j, k]) => [
        [k, j, i],
        [k, i],
      ]),
      (a, b) =>
        tensordot(a!.T, b!, [
          [0, 2],
          [1, 0],
        ]),
    );
  });
});

describe('second derivatives: the pullbacks are differentiable', () => {
  test('d/dx of grad(x·(A x)) = A + Aᵀ, A a constant', () => {
    fc.assert(
      fc.property(
        dim.chain((k) => fc.tuple(valuesFor([[k, k]]), valuesFor([[k]]))),
        ([[A], [x0]]) => {
          const a = T.constant(A as number[][], { dtype: 'float64' }) as unknown as Tensor;
          const fn: Fn = (x) => grad(dot(x!, dot(a, x!)), x!);
          check('grad(x·(A x))', fn, [[(A as number[][]).length]], [x0]);
          // and the value of the gradient itself: (A + Aᵀ) x
          const x = T.dvector('x');
          const g = theano.function([x], fn(x) as never) as unknown as (v: unknown) => NDArray;
          const M = A as number[][];
          const v = x0 as number[];
          const expected = M.map((row, i) => row.reduce((s, aij, j) => s + (aij + M[j]![i]!) * v[j]!, 0));
          (g(v).toArray() as number[]).forEach((gi, i) => expect(gi).toBeCloseTo(expected[i]!, 10));
        },
      ),
      { numRuns: 30 },
    );
  });

  // grad of a nonlinear cost with respect to the first operand, as a function of both operands
  const secondOrder =
    (op: (a: Tensor, b: Tensor) => Tensor): Fn =>
    (a, b) =>
      grad(T.sum(T.sqr(op(a!, b!))) as Tensor, a!);

  test('dot, every rank combination of vectors and matrices', () => {
    for (const ra of [1, 2])
      for (const rb of [1, 2]) {
        const shapes = fc.tuple(dim, dim, dim).map(([m, k, n]) => [[[k], [m, k]][ra - 1]!, [[k], [k, n]][rb - 1]!]);
        property(`grad of dot ${ra}·${rb}`, shapes, secondOrder(dot), 15);
      }
  });

  test('matmul with batch broadcasting and 1-D operands', () => {
    const cases: fc.Arbitrary<number[][]>[] = [
      fc.tuple(dim, dim, dim, dim).map(([b, m, k, n]) => [
        [m, k],
        [b, k, n],
      ]),
      fc.tuple(dim, dim, dim).map(([b, k, n]) => [[k], [b, k, n]]),
      fc.tuple(dim, dim, dim).map(([b, m, k]) => [
        [1, m, k],
        [b, k, 1],
      ]),
      dim.map((k) => [[k], [k]]),
    ];
    for (const shapes of cases) property('grad of matmul', shapes, secondOrder(matmul), 15);
  });

  test('batchedDot', () => {
    const shapes = fc
      .tuple(dim, dim, dim, dim, fc.boolean(), fc.boolean())
      .map(([b, m, k, n, va, vb]) => [va ? [b, k] : [b, m, k], vb ? [b, k] : [b, k, n]]);
    property('grad of batchedDot', shapes, secondOrder(batchedDot), 20);
  });

  test('tensordot with axis pairs', () => {
    const shapes = fc.tuple(dim, dim, dim, dim).map(([i, j, k, l]) => [
      [i, j, k],
      [k, l, i],
    ]);
    property(
      'grad of tensordot',
      shapes,
      secondOrder((a, b) =>
        tensordot(a, b, [
          [2, 0],
          [0, 2],
        ]),
      ),
      15,
    );
  });
});
