/**
 * conv2d, conv2dTranspose and conv2dGradWeights: values against a nested-loop reference written here from the
 * definition (every border mode, strides, dilation, groups, flip on and off, float32 and float64), both forward
 * kernels (im2col and direct), the adjoint identities that tie the three ops together, gradients and second
 * derivatives against finite differences on random small geometries, and the errors for bad shapes.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { NDArray, Tensor } from '../../src/index.js';
import { conv2dForward, flipFilters, type ConvGeometry } from '../../src/runtime/conv.js';
import { seededRandom } from '../../src/runtime/random.js';
import { expectBuildError } from '../helpers.js';

const T = theano.tensor;
type T4 = Tensor<'float64', 4>;
type F = (...a: unknown[]) => NDArray;

interface Case {
  readonly x: readonly number[]; // (B, C, H, W)
  readonly w: readonly number[]; // (O, C / G, kh, kw)
  readonly border: 'valid' | 'full' | 'half' | readonly [number, number];
  readonly subsample: readonly [number, number];
  readonly dilation: readonly [number, number];
  readonly groups: number;
  readonly flip: boolean;
}

const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
function randomData(n: number, seed: number): Float64Array {
  const r = seededRandom(seed);
  return Float64Array.from({ length: n }, () => r() * 2 - 1);
}

/** The padding of one axis, straight from Theano's border_mode definition. */
function pads(c: Case): [number, number] {
  const dil = [0, 1].map((a) => (c.w[2 + a]! - 1) * c.dilation[a]! + 1);
  if (c.border === 'valid') return [0, 0];
  if (c.border === 'full') return [dil[0]! - 1, dil[1]! - 1];
  if (c.border === 'half') return [Math.floor(dil[0]! / 2), Math.floor(dil[1]! / 2)];
  return [c.border[0], c.border[1]];
}

/** The reference: out[b,o,i,j] = Σ_{c,u,v} x[b, g·Cg + c, i·sr + u·dr - pr, j·sc + v·dc - pc] · w'[o,c,u,v]. */
function referenceConv(c: Case, x: ArrayLike<number>, w: ArrayLike<number>): { shape: number[]; data: number[] } {
  const [B, C, H, W] = c.x as [number, number, number, number];
  const [O, Cg, kh, kw] = c.w as [number, number, number, number];
  const [pr, pc] = pads(c);
  const [sr, sc] = c.subsample;
  const [dr, dc] = c.dilation;
  const Ho = Math.floor((H + 2 * pr - ((kh - 1) * dr + 1)) / sr) + 1;
  const Wo = Math.floor((W + 2 * pc - ((kw - 1) * dc + 1)) / sc) + 1;
  const Og = O / c.groups;
  const data: number[] = [];
  for (let b = 0; b < B; b++)
    for (let o = 0; o < O; o++)
      for (let i = 0; i < Ho; i++)
        for (let j = 0; j < Wo; j++) {
          let s = 0;
          for (let ch = 0; ch < Cg; ch++)
            for (let u = 0; u < kh; u++)
              for (let v = 0; v < kw; v++) {
                const r = i * sr + u * dr - pr;
                const q = j * sc + v * dc - pc;
                if (r < 0 || r >= H || q < 0 || q >= W) continue;
                const cin = Math.floor(o / Og) * Cg + ch;
                const [uu, vv] = c.flip ? [kh - 1 - u, kw - 1 - v] : [u, v];
                s += x[((b * C + cin) * H + r) * W + q]! * w[((o * Cg + ch) * kh + uu) * kw + vv]!;
              }
          data.push(s);
        }
  return { shape: [B, O, Ho, Wo], data };
}

const options = (c: Case) => ({
  border: c.border,
  subsample: c.subsample,
  filterDilation: c.dilation,
  numGroups: c.groups,
  filterFlip: c.flip,
});

function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, label: string): void {
  expect(got.length, label).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (!(d <= tol * Math.max(1, Math.abs(want[i]!))))
      throw new Error(`${label}: element ${i} is ${got[i]}, want ${want[i]}`);
  }
}

const BORDERS: Case['border'][] = ['valid', 'full', 'half', [1, 2], [0, 3]];
const CASES: Case[] = [];
for (const border of BORDERS)
  for (const subsample of [
    [1, 1],
    [2, 3],
  ] as const)
    for (const dilation of [
      [1, 1],
      [2, 1],
    ] as const)
      for (const groups of [1, 2])
        for (const flip of [true, false])
          CASES.push({ x: [2, 2 * groups, 7, 8], w: [2 * groups, 2, 3, 2], border, subsample, dilation, groups, flip });

describe('conv2d values against the nested-loop reference', () => {
  test.each(['float64', 'float32'] as const)(
    'every border mode, stride, dilation, group count and flip (%s)',
    (dtype) => {
      const x = T.tensor(dtype, 4, 'x') as T4;
      const w = T.tensor(dtype, 4, 'w') as T4;
      CASES.forEach((c, n) => {
        const xv = randomData(size(c.x), 2 * n + 1);
        const wv = randomData(size(c.w), 2 * n + 2);
        const arrays = [
          new theano.NDArray(dtype, c.x, dtype === 'float32' ? Float32Array.from(xv) : xv),
          new theano.NDArray(dtype, c.w, dtype === 'float32' ? Float32Array.from(wv) : wv),
        ];
        const f = theano.function([x, w], T.conv2d(x, w, options(c))) as unknown as F;
        const got = f(...arrays);
        const want = referenceConv(c, arrays[0]!.data as Float32Array, arrays[1]!.data as Float32Array);
        const label = `${dtype} ${JSON.stringify(c)}`;
        expect(got.dtype, label).toBe(dtype);
        expect(got.shape, label).toEqual(want.shape);
        expectClose(got.data as Float64Array, want.data, dtype === 'float32' ? 1e-5 : 1e-12, label);
      });
    },
  );

  test('the direct kernel agrees with the reference (the default is im2col)', () => {
    CASES.forEach((c, n) => {
      const xv = randomData(size(c.x), 7 * n + 3);
      const wv = randomData(size(c.w), 7 * n + 4);
      const want = referenceConv(c, xv, wv);
      const [pr, pc] = pads(c);
      const g: ConvGeometry = {
        batch: c.x[0]!,
        inChannels: c.x[1]!,
        inRows: c.x[2]!,
        inCols: c.x[3]!,
        outChannels: c.w[0]!,
        kRows: c.w[2]!,
        kCols: c.w[3]!,
        outRows: want.shape[2]!,
        outCols: want.shape[3]!,
        padRows: pr,
        padCols: pc,
        strideRows: c.subsample[0],
        strideCols: c.subsample[1],
        dilRows: c.dilation[0],
        dilCols: c.dilation[1],
        groups: c.groups,
      };
      const w = c.flip ? flipFilters(wv, c.w[0]! * c.w[1]!, c.w[2]!, c.w[3]!) : wv;
      for (const method of ['direct', 'im2col'] as const) {
        const out = new Float64Array(size(want.shape));
        conv2dForward(xv, w, out, g, method);
        expectClose(out, want.data, 1e-12, `${method} ${JSON.stringify(c)}`);
      }
    });
  });

  test('a hand-checked case: full convolution flips the filter, cross-correlation does not', () => {
    const x = T.dtensor4('x');
    const w = T.dtensor4('w');
    const f = theano.function([x, w], [T.conv2d(x, w), T.conv2d(x, w, { filterFlip: false })]) as unknown as (
      ...a: unknown[]
    ) => NDArray[];
    // x = [[1, 2, 3]], w = [[1, 10]]: the convolution slides [10, 1]: 1·10 + 2·1 = 12, 2·10 + 3·1 = 23
    const [conv, corr] = f([[[[1, 2, 3]]]], [[[[1, 10]]]]);
    expect(conv!.toArray()).toEqual([[[[12, 23]]]]);
    expect(corr!.toArray()).toEqual([[[[21, 32]]]]);
  });

  test('integer inputs upgrade to float; mixed float32 and float64 give float64', () => {
    expect(T.conv2d(T.itensor4('x'), T.itensor4('w')).dtype).toBe('float64');
    expect(T.conv2d(T.ftensor4('x'), T.dtensor4('w')).dtype).toBe('float64');
    expect(T.conv2d(T.ftensor4('x'), T.ftensor4('w')).dtype).toBe('float32');
  });
});

// ---------------------------------------------------------------------------------------------------------------
// the adjoint identities: <conv(x, w), y> = <x, convT(y, w)> = <w, gradWeights(x, y)>

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

describe('conv2dTranspose and conv2dGradWeights are the adjoints of conv2d', () => {
  test('for every case: <conv(x, w), y> = <x, conv2dTranspose(y, w)> = <w, conv2dGradWeights(x, y)>', () => {
    const [x, w, y] = [T.dtensor4('x'), T.dtensor4('w'), T.dtensor4('y')];
    CASES.forEach((c, n) => {
      const o = options(c);
      const forward = theano.function([x, w], T.conv2d(x, w, o)) as unknown as F;
      const xv = new theano.NDArray('float64', c.x, randomData(size(c.x), 11 * n + 1));
      const wv = new theano.NDArray('float64', c.w, randomData(size(c.w), 11 * n + 2));
      const out = forward(xv, wv);
      const yv = new theano.NDArray('float64', out.shape, randomData(out.size, 11 * n + 3));
      const transpose = theano.function(
        [y, w],
        T.conv2dTranspose(y, w, { ...o, outputShape: [c.x[2]!, c.x[3]!] }),
      ) as unknown as F;
      const gradW = theano.function(
        [x, y],
        T.conv2dGradWeights(x, y, { ...o, filterShape: [c.w[2]!, c.w[3]!] }),
      ) as unknown as F;
      const gx = transpose(yv, wv);
      const gw = gradW(xv, yv);
      expect(gx.shape).toEqual(c.x);
      expect(gw.shape).toEqual(c.w);
      const lhs = dot(out.data as Float64Array, yv.data);
      expect(dot(xv.data, gx.data as Float64Array), JSON.stringify(c)).toBeCloseTo(lhs, 10);
      expect(dot(wv.data, gw.data as Float64Array), JSON.stringify(c)).toBeCloseTo(lhs, 10);
    });
  });

  test('conv2dTranspose without outputShape gives the smallest image; with it, a larger one', () => {
    const [h, w] = [T.dtensor4('h'), T.dtensor4('w')];
    const hv = new theano.NDArray('float64', [1, 1, 3, 3], randomData(9, 5));
    const wv = new theano.NDArray('float64', [1, 1, 2, 2], randomData(4, 6));
    const small = theano.function([h, w], T.conv2dTranspose(h, w, { subsample: 2 })) as unknown as F;
    const large = theano.function(
      [h, w],
      T.conv2dTranspose(h, w, { subsample: 2, outputShape: [7, 6] }),
    ) as unknown as F;
    expect(small(hv, wv).shape).toEqual([1, 1, 6, 6]); // (3 - 1)·2 + 2
    const big = large(hv, wv);
    expect(big.shape).toEqual([1, 1, 7, 6]);
    // the extra row is never read by the forward convolution: its gradient is 0
    expect((big.toArray() as number[][][][])[0]![0]![6]).toEqual([0, 0, 0, 0, 0, 0]);
    // static shapes: inferred at build time
    const typed = T.conv2dTranspose(T.tensor('float64', [2, 3, 4, 5]) as T4, T.tensor('float64', [3, 1, 3, 3]) as T4, {
      border: 'half',
    });
    expect(typed.type.shape).toEqual([2, 1, 4, 5]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// gradients against finite differences

const geometryArb = fc
  .record({
    batch: fc.integer({ min: 1, max: 2 }),
    groups: fc.integer({ min: 1, max: 2 }),
    cg: fc.integer({ min: 1, max: 2 }),
    og: fc.integer({ min: 1, max: 2 }),
    k: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    extra: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 })),
    subsample: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    dilation: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 })),
    border: fc.constantFrom<Case['border']>('valid', 'full', 'half', [1, 0], [0, 2]),
    flip: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1e6 }),
  })
  .map((r) => {
    // the image at least as large as the dilated filter, so every border mode fits
    const rows = (r.k[0] - 1) * r.dilation[0] + 1 + r.extra[0];
    const cols = (r.k[1] - 1) * r.dilation[1] + 1 + r.extra[1];
    const c: Case = {
      x: [r.batch, r.cg * r.groups, rows, cols],
      w: [r.og * r.groups, r.cg, r.k[0], r.k[1]],
      border: r.border,
      subsample: r.subsample,
      dilation: r.dilation,
      groups: r.groups,
      flip: r.flip,
    };
    return { c, seed: r.seed };
  });

const nested = (shape: readonly number[], seed: number) =>
  new theano.NDArray('float64', shape, randomData(size(shape), seed));

function verify(label: string, fn: (...t: Tensor[]) => Tensor, point: NDArray[]): void {
  try {
    theano.gradient.verifyGrad(fn as never, point as never, { nTests: 1 });
  } catch (e) {
    throw new Error(`${label}: ${(e as Error).message}`);
  }
}

describe('gradients against finite differences', () => {
  test('conv2d with respect to the input and the filters (random geometries)', () => {
    fc.assert(
      fc.property(geometryArb, ({ c, seed }) => {
        const o = options(c);
        verify(JSON.stringify(c), (x, w) => T.conv2d(x as T4, w as T4, o), [nested(c.x, seed), nested(c.w, seed + 1)]);
      }),
      { numRuns: 25, seed: 1234 },
    );
  });

  test('conv2dTranspose and conv2dGradWeights (the second-derivative ops) with respect to both inputs', () => {
    fc.assert(
      fc.property(geometryArb, ({ c, seed }) => {
        const o = options(c);
        const out = referenceConv(c, randomData(size(c.x), 1), randomData(size(c.w), 2)).shape;
        const sizes = { outputShape: [c.x[2]!, c.x[3]!] as [number, number] };
        verify(`transpose ${JSON.stringify(c)}`, (y, w) => T.conv2dTranspose(y as T4, w as T4, { ...o, ...sizes }), [
          nested(out, seed),
          nested(c.w, seed + 1),
        ]);
        verify(
          `gradWeights ${JSON.stringify(c)}`,
          (x, y) => T.conv2dGradWeights(x as T4, y as T4, { ...o, filterShape: [c.w[2]!, c.w[3]!] }),
          [nested(c.x, seed + 2), nested(out, seed + 3)],
        );
      }),
      { numRuns: 15, seed: 4321 },
    );
  });

  test('a second derivative: the gradient of a gradient norm through conv2d', () => {
    const c = CASES[37]!;
    const o = options(c);
    verify(
      'grad of |grad|^2',
      (x, w) => {
        const cost = T.sum(T.sqr(T.tanh(T.conv2d(x as T4, w as T4, o))));
        const [gx, gw] = T.grad(cost, [x as T4, w as T4]) as unknown as [Tensor, Tensor];
        return T.add(T.sum(T.sqr(gx)), T.sum(T.sqr(gw)));
      },
      [nested(c.x, 3), nested(c.w, 4)],
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// errors

describe('bad input', () => {
  test('channel mismatch, groups, filters larger than the padded input, rank, options (at build time)', () => {
    const st = (...s: number[]) => T.tensor('float64', s, 'img') as T4;
    expectBuildError(
      () => T.conv2d(st(1, 3, 8, 8), st(4, 2, 3, 3)),
      'conv2d: the input (1, 3, 8, 8) has 3 channels, but filters (4, 2, 3, 3) take 2 per group (filters are (outChannels, channels / numGroups, kRows, kCols))',
    );
    expectBuildError(
      () => T.conv2d(st(1, 3, 8, 8), st(4, 1, 3, 3), { numGroups: 2 }),
      'conv2d: numGroups 2 does not divide the 3 channels of the input (1, 3, 8, 8)',
    );
    expectBuildError(
      () => T.conv2d(st(1, 4, 8, 8), st(3, 2, 3, 3), { numGroups: 2 }),
      'conv2d: numGroups 2 does not divide the 3 output channels of filters (3, 2, 3, 3)',
    );
    expectBuildError(
      () => T.conv2d(st(1, 1, 4, 8), st(1, 1, 3, 3), { filterDilation: 2 }),
      "conv2d: the rows of the filters (3, 5 dilated) exceed the 4 rows of the input (1, 1, 4, 8) padded by 0 on each side (border 'valid')",
    );
    expectBuildError(
      // @ts-expect-error a rank-3 input is a compile error
      () => T.conv2d(T.dtensor3('x'), T.dtensor4('w')),
      'conv2d: the input must be a rank-4 tensor, got float64 tensor3',
    );
    expectBuildError(
      // @ts-expect-error stride is not an option (subsample is)
      () => T.conv2d(T.dtensor4('x'), T.dtensor4('w'), { stride: 2 }),
      "conv2d: unknown option 'stride'",
    );
    expectBuildError(
      () => T.conv2d(T.dtensor4('x'), T.dtensor4('w'), { subsample: [0, 1] }),
      'conv2d: subsample must be positive integers, got [0, 1]',
    );
    expectBuildError(
      // @ts-expect-error not a border mode
      () => T.conv2d(T.dtensor4('x'), T.dtensor4('w'), { border: 'same' }),
      "conv2d: unknown border 'same'",
    );
  });

  test('the same checks at run time, on shapes unknown when the graph was built', () => {
    const [x, w] = [T.dtensor4('x'), T.dtensor4('w')];
    const f = theano.function([x, w], T.conv2d(x, w)) as unknown as F;
    const zeros = (...s: number[]) => new theano.NDArray('float64', s, new Float64Array(size(s)));
    expect(() => f(zeros(1, 3, 8, 8), zeros(4, 2, 3, 3))).toThrow(
      'conv2d: the input (1, 3, 8, 8) has 3 channels, but filters (4, 2, 3, 3) take 2 per group',
    );
    expect(() => f(zeros(1, 1, 2, 8), zeros(1, 1, 3, 3))).toThrow(
      "conv2d: the rows of the filters (3) exceed the 2 rows of the input (1, 1, 2, 8) padded by 0 on each side (border 'valid')",
    );
    const y = T.dtensor4('y');
    const t = theano.function([y, w], T.conv2dTranspose(y, w, { outputShape: [8, 8] })) as unknown as F;
    expect(() => t(zeros(1, 1, 5, 6), zeros(1, 1, 3, 3))).toThrow(
      'conv2dTranspose: the output gradient has shape (1, 1, 5, 6), but the convolution of an image (1, 1, 8, 8) with filters (1, 1, 3, 3) gives (1, 1, 6, 6)',
    );
  });
});
