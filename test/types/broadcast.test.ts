import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import { broadcastShapes, broadcastStatic, type StaticDim } from '../../src/types/tensor-type.js';
import { arbBroadcastShapes, arbShape, compileLoose, expectRunError, indices, numpyBroadcast } from '../helpers.js';

const T = theano.tensor;

const size = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);
/** Row-major flat index of `idx` in `shape`. */
const ravel = (idx: readonly number[], shape: readonly number[]) => idx.reduce((acc, i, k) => acc * shape[k]! + i, 0);
/** The index into an operand of `shape` that numpy broadcasting reads for output index `out`. */
const sourceIndex = (out: readonly number[], shape: readonly number[]) => {
  const pad = out.length - shape.length;
  return shape.map((d, k) => (d === 1 ? 0 : out[k + pad]!));
};

/** The numpy result of operands derived from `result` by dropping leading dims and setting dims to 1. */
function derivedResult(operands: readonly (readonly number[])[]): number[] {
  const ndim = Math.max(0, ...operands.map((s) => s.length));
  return Array.from({ length: ndim }, (_, k) => {
    const dims = operands.map((s) => s[s.length - ndim + k]).filter((d): d is number => d !== undefined);
    return dims.find((d) => d !== 1) ?? 1;
  });
}

describe('broadcastShapes', () => {
  test('gives the numpy result for shapes that broadcast', () =>
    fc.assert(
      fc.property(arbBroadcastShapes(2, { allowEmpty: true }), ({ result, operands }) => {
        const got = broadcastShapes(operands);
        const want = derivedResult(operands);
        expect(got).toEqual(want);
        expect(got).toEqual(numpyBroadcast(operands));
        // the result is the generating shape, up to axes that every operand dropped or set to 1
        want.forEach((d, k) => expect([1, result[result.length - want.length + k]]).toContain(d));
      }),
      { numRuns: 300 },
    ));
  test('three and four operands', () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 4 }).chain((n) => arbBroadcastShapes(n, { allowEmpty: true })),
        ({ operands }) => {
          expect(broadcastShapes(operands)).toEqual(derivedResult(operands));
        },
      ),
    ));
  test('agrees with an independent numpy rule on arbitrary shapes, and reports a clash as a string', () =>
    fc.assert(
      fc.property(
        fc.array(arbShape({ maxRank: 3, maxDim: 3, allowEmpty: true }), { minLength: 1, maxLength: 3 }),
        (shapes) => {
          const got = broadcastShapes(shapes);
          const want = numpyBroadcast(shapes);
          if (want === null) {
            expect(typeof got).toBe('string');
            expect(got).toMatch(/do not broadcast/);
          } else expect(got).toEqual(want);
        },
      ),
      { numRuns: 500 },
    ));
  test('non-broadcastable shapes give an error string naming them', () =>
    fc.assert(
      fc.property(
        arbShape({ minRank: 1, maxRank: 4, maxDim: 5 }),
        fc.nat(),
        fc.integer({ min: 0, max: 6 }),
        fc.nat({ max: 3 }),
        (a, axisSeed, other, drop) => {
          // make b clash with a on one axis: both sizes known, different and not 1
          const k = axisSeed % a.length;
          if (a[k] === 1) a[k] = 2;
          const v = other === 1 || other === a[k] ? a[k]! + 1 : other;
          const b = a.slice(Math.min(drop, k));
          b[k - Math.min(drop, k)] = v;
          const got = broadcastShapes([a, b]);
          expect(typeof got).toBe('string');
          const fmt = (s: number[]) => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;
          expect(got).toContain(fmt(a));
          expect(got).toContain(fmt(b));
          expect(numpyBroadcast([a, b])).toBeNull();
        },
      ),
    ));
  test('edge cases', () => {
    expect(broadcastShapes([])).toEqual([]);
    expect(broadcastShapes([[], []])).toEqual([]);
    expect(broadcastShapes([[0], [1]])).toEqual([0]);
    expect(broadcastShapes([[1], [0]])).toEqual([0]);
    expect(broadcastShapes([[2, 0], [1]])).toEqual([2, 0]);
    expect(typeof broadcastShapes([[0], [2]])).toBe('string');
    expect(broadcastShapes([[3], [4]])).toBe('shapes (3,) and (4,) do not broadcast (axis 0: 3 vs 4)');
  });
});

describe('broadcastStatic', () => {
  test('agrees with broadcastShapes when all dims are known', () =>
    fc.assert(
      fc.property(
        fc.array(arbShape({ maxRank: 4, maxDim: 3, allowEmpty: true }), { minLength: 1, maxLength: 3 }),
        (shapes) => {
          const concrete = broadcastShapes(shapes);
          const st = broadcastStatic(shapes);
          if (typeof concrete === 'string') expect(typeof st).toBe('string');
          else expect(st).toEqual(concrete);
        },
      ),
      { numRuns: 500 },
    ));
  test('agrees on derived broadcastable shapes', () =>
    fc.assert(
      fc.property(arbBroadcastShapes(3, { allowEmpty: true }), ({ operands }) => {
        expect(broadcastStatic(operands)).toEqual(broadcastShapes(operands));
      }),
    ));
  test('with unknown dims: sound (never a false clash, never a wrong known size) and as precise as the known dims allow', () =>
    fc.assert(
      fc.property(
        arbBroadcastShapes(2, { allowEmpty: true }).chain(({ operands }) =>
          fc.tuple(
            fc.constant(operands),
            fc.tuple(...operands.map((s) => fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }))),
          ),
        ),
        ([operands, masks]) => {
          const masked: StaticDim[][] = operands.map((s, j) => s.map((d, i) => (masks[j]![i] ? null : d)));
          const concrete = broadcastShapes(operands) as number[];
          const st = broadcastStatic(masked);
          expect(typeof st, 'no clash among dims that broadcast').not.toBe('string');
          const out = st as StaticDim[];
          expect(out.length).toBe(concrete.length);
          out.forEach((d, k) => {
            const present = masked.map((s) => s[s.length - out.length + k]).filter((x) => x !== undefined);
            const knownBig = present.find((x) => x !== null && x !== 1);
            const expected = knownBig ?? (present.every((x) => x === 1) ? 1 : null);
            expect(d, `axis ${k} of ${JSON.stringify(masked)}`).toBe(expected);
            if (d !== null) expect(d).toBe(concrete[k]);
          });
        },
      ),
      { numRuns: 300 },
    ));
  test('a clash between known sizes is reported', () => {
    expect(broadcastStatic([[3], [4]])).toMatch(/sizes 3 and 4/);
    expect(
      broadcastStatic([
        [null, 3],
        [2, 4],
      ]),
    ).toMatch(/sizes 3 and 4/);
    expect(broadcastStatic([[null], [4]])).toEqual([4]);
    expect(broadcastStatic([[1], [null]])).toEqual([null]);
    expect(broadcastStatic([[1, 1], [1]])).toEqual([1, 1]);
  });
});

describe('evaluating add on broadcast shapes', () => {
  test('gives the numpy shape and, elementwise, the sum of the elements numpy broadcasting reads', () =>
    fc.assert(
      fc.property(arbBroadcastShapes(2, { allowEmpty: true }), fc.boolean(), ({ operands }, staticOnes) => {
        const [sa, sb] = operands as [number[], number[]];
        // operand a holds its flat index, operand b 1000 times its flat index: each output element says which
        // elements it came from
        const a = new theano.NDArray(
          'float64',
          sa,
          Float64Array.from({ length: size(sa) }, (_, i) => i),
        );
        const b = new theano.NDArray(
          'float64',
          sb,
          Float64Array.from({ length: size(sb) }, (_, i) => 1000 * i),
        );
        // symbolic inputs with every dim unknown, or with the 1s known (Theano's broadcastable pattern)
        const x = T.tensor(
          'float64',
          sa.map((d) => (staticOnes && d === 1 ? 1 : null)),
          'x',
        );
        const y = T.tensor(
          'float64',
          sb.map((d) => (staticOnes && d === 1 ? 1 : null)),
          'y',
        );
        const out = T.add(x, y);
        const want = derivedResult(operands);
        expect(out.ndim).toBe(want.length);
        const r = compileLoose([x, y], out)(a, b);
        const got = (r instanceof theano.NDArray ? r : theano.toNDArray(r as number)) as theano.NDArray<'float64'>;
        expect(got.shape).toEqual(want);
        for (const idx of indices(want)) {
          const expected = ravel(sourceIndex(idx, sa), sa) + 1000 * ravel(sourceIndex(idx, sb), sb);
          expect((got.get as (...i: number[]) => number)(...idx)).toBe(expected);
        }
      }),
      { numRuns: 200 },
    ));
  test('static shapes flow into the output type', () =>
    fc.assert(
      fc.property(arbBroadcastShapes(2), ({ operands }) => {
        const [sa, sb] = operands as [number[], number[]];
        expect(T.add(T.tensor('float64', sa), T.tensor('float64', sb)).staticShape).toEqual(broadcastShapes(operands));
      }),
    ));
  test('non-broadcastable shapes are a build error when static, a run error naming the op and shapes otherwise', () =>
    fc.assert(
      fc.property(
        fc
          .tuple(
            arbShape({ minRank: 1, maxRank: 3, maxDim: 3, allowEmpty: true }),
            arbShape({ minRank: 1, maxRank: 3, maxDim: 3, allowEmpty: true }),
          )
          .filter((s) => numpyBroadcast(s) === null),
        ([sa, sb]) => {
          expect(() => T.add(T.tensor('float64', sa), T.tensor('float64', sb))).toThrow(
            /add: inputs of static shapes .* cannot broadcast/,
          );
          const x = T.tensor(
            'float64',
            sa.map(() => null),
            'x',
          );
          const y = T.tensor(
            'float64',
            sb.map(() => null),
            'y',
          );
          const a = new theano.NDArray('float64', sa, new Float64Array(size(sa)));
          const b = new theano.NDArray('float64', sb, new Float64Array(size(sb)));
          const fmt = (s: number[]) => `(${s.join(', ')}${s.length === 1 ? ',' : ''})`;
          const err = expectRunError(
            compileLoose([x, y], T.add(x, y)),
            [a, b],
            'add',
            `x: float64${fmt(sa)}`,
            `y: float64${fmt(sb)}`,
          );
          expect(err).toBeInstanceOf(theano.NodeError);
        },
      ),
      { numRuns: 100 },
    ));
});
