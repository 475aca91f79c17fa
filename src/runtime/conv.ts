/**
 * 2-D convolution kernels (not generated code), in Theano's NCHW layout: images (batch, channels, rows, cols),
 * filters (outChannels, channels / groups, kRows, kCols). Every kernel here is a cross-correlation with the
 * filters as given; a true convolution (Theano's default `filter_flip`) is the cross-correlation with the
 * filters flipped along both spatial axes, which the caller arranges (`flipFilters`).
 *
 * With `xp` the input zero-padded by `pad` on both sides of each spatial axis, the forward pass is
 *
 *   out[b, o, i, j] = Σ_{c, u, v} xp[b, g·Cg + c, i·sr + u·dr, j·sc + v·dc] · w[o, c, u, v]
 *
 * where g = floor(o / Og) is the group of output channel o (Og = O / groups output and Cg = C / groups input
 * channels per group). The gradient with respect to the input scatters back along the same index map (the
 * transposed convolution), and the gradient with respect to the filters correlates the input with the output
 * gradient.
 *
 * Two forward kernels: im2col + the blocked GEMM of `matmul.ts` (the default: it measured faster on every
 * shape of `bench/conv.ts`), and a direct loop nest. The gradients use im2col / col2im + GEMM.
 */
import { gemmFloat, transposeView, type FloatGemm, type MatrixView } from './matmul.js';

export type FloatArray = Float32Array | Float64Array;

/** Sizes of one convolution (every length a resolved number). */
export interface ConvGeometry {
  readonly batch: number;
  readonly inChannels: number;
  readonly inRows: number;
  readonly inCols: number;
  readonly outChannels: number;
  readonly kRows: number;
  readonly kCols: number;
  readonly outRows: number;
  readonly outCols: number;
  readonly padRows: number;
  readonly padCols: number;
  readonly strideRows: number;
  readonly strideCols: number;
  readonly dilRows: number;
  readonly dilCols: number;
  readonly groups: number;
}

/** The forward kernel to use: im2col + GEMM, the direct loop nest, or the measured default. */
export type ConvMethod = 'im2col' | 'direct' | 'auto';

// Scratch buffers, grown on demand and reused across calls (JS is single-threaded; no kernel re-enters).
let colsScratch = new Float64Array(0);
let gemmScratch = new Float64Array(0);
let rowScratch = new Float64Array(0);

function cols(n: number): Float64Array {
  if (colsScratch.length < n) colsScratch = new Float64Array(n);
  return colsScratch;
}
function gemmOut(n: number): Float64Array {
  if (gemmScratch.length < n) gemmScratch = new Float64Array(n);
  return gemmScratch;
}

/** `w` with both spatial axes reversed (per (o, c) filter), as a fresh array of its type. */
export function flipFilters(w: FloatArray, count: number, kRows: number, kCols: number): FloatArray {
  const out = w instanceof Float32Array ? new Float32Array(w.length) : new Float64Array(w.length);
  const k = kRows * kCols;
  for (let f = 0; f < count; f++) {
    const base = f * k;
    for (let t = 0; t < k; t++) out[base + t] = w[base + k - 1 - t]!;
  }
  return out;
}

/** The first and one-past-last output index whose tap `tap` (offset tap·dil - pad) lands inside [0, size). */
function validRange(outLen: number, size: number, stride: number, shift: number): [number, number] {
  // input index = o * stride + shift, shift = tap * dil - pad; need 0 <= index < size
  const lo = shift >= 0 ? 0 : Math.ceil(-shift / stride);
  const hi = size - shift <= 0 ? 0 : Math.min(outLen, Math.floor((size - 1 - shift) / stride) + 1);
  return [Math.min(lo, hi), hi];
}

/**
 * im2col of image `b`, channels [c0, c0 + Cg): row (c, u, v), column (i, j) holds xp[b, c0 + c, i·sr + u·dr,
 * j·sc + v·dc] (0 in the padding), into `out` (Cg·kRows·kCols rows of outRows·outCols).
 */
function im2col(x: FloatArray, g: ConvGeometry, b: number, c0: number, cg: number, out: Float64Array): void {
  const { inRows: H, inCols: W, kRows, kCols, outRows: Ho, outCols: Wo } = g;
  const { padRows, padCols, strideRows: sr, strideCols: sc, dilRows: dr, dilCols: dc } = g;
  const P = Ho * Wo;
  let row = 0;
  for (let c = 0; c < cg; c++) {
    const plane = (b * g.inChannels + c0 + c) * H * W;
    for (let u = 0; u < kRows; u++) {
      const rowShift = u * dr - padRows;
      const [i0, i1] = validRange(Ho, H, sr, rowShift);
      for (let v = 0; v < kCols; v++, row++) {
        const colShift = v * dc - padCols;
        const [j0, j1] = validRange(Wo, W, sc, colShift);
        const base = row * P;
        out.fill(0, base, base + i0 * Wo);
        for (let i = i0; i < i1; i++) {
          const o = base + i * Wo;
          const src = plane + (i * sr + rowShift) * W + colShift;
          for (let j = 0; j < j0; j++) out[o + j] = 0;
          if (sc === 1) for (let j = j0; j < j1; j++) out[o + j] = x[src + j]!;
          else for (let j = j0; j < j1; j++) out[o + j] = x[src + j * sc]!;
          for (let j = j1; j < Wo; j++) out[o + j] = 0;
        }
        out.fill(0, base + i1 * Wo, base + P);
      }
    }
  }
}

/** col2im: the transpose of `im2col`, adding each column entry back into `gx` (padding entries are dropped). */
function col2im(src: Float64Array, g: ConvGeometry, b: number, c0: number, cg: number, gx: Float64Array): void {
  const { inRows: H, inCols: W, kRows, kCols, outRows: Ho, outCols: Wo } = g;
  const { padRows, padCols, strideRows: sr, strideCols: sc, dilRows: dr, dilCols: dc } = g;
  const P = Ho * Wo;
  let row = 0;
  for (let c = 0; c < cg; c++) {
    const plane = (b * g.inChannels + c0 + c) * H * W;
    for (let u = 0; u < kRows; u++) {
      const rowShift = u * dr - padRows;
      const [i0, i1] = validRange(Ho, H, sr, rowShift);
      for (let v = 0; v < kCols; v++, row++) {
        const colShift = v * dc - padCols;
        const [j0, j1] = validRange(Wo, W, sc, colShift);
        const base = row * P;
        for (let i = i0; i < i1; i++) {
          const o = base + i * Wo;
          const dst = plane + (i * sr + rowShift) * W + colShift;
          if (sc === 1) for (let j = j0; j < j1; j++) gx[dst + j]! += src[o + j]!;
          else for (let j = j0; j < j1; j++) gx[dst + j * sc]! += src[o + j]!;
        }
      }
    }
  }
}

/** The dtype a kernel computes in: its data's (the im2col scratch is float64 whichever it is). */
const dtypeOf = (x: FloatArray) => (x instanceof Float32Array ? 'float32' : 'float64');

const matrix = <S>(data: S, offset: number, rows: number, cols: number): MatrixView<S> => ({
  data,
  offset,
  rows,
  cols,
  rowStride: cols,
  colStride: 1,
});

/** Forward by im2col: per image and group, out[b, group] (Og x P) = w[group] (Og x Cg·k) · cols (Cg·k x P). */
function forwardIm2col(x: FloatArray, w: FloatArray, out: FloatArray, g: ConvGeometry, gemm: FloatGemm): void {
  const cg = g.inChannels / g.groups;
  const og = g.outChannels / g.groups;
  const K = cg * g.kRows * g.kCols;
  const P = g.outRows * g.outCols;
  const buffer = cols(K * P);
  for (let b = 0; b < g.batch; b++) {
    for (let grp = 0; grp < g.groups; grp++) {
      im2col(x, g, b, grp * cg, cg, buffer);
      const a = matrix(w, grp * og * K, og, K);
      gemm(a, matrix(buffer as FloatArray, 0, K, P), out, (b * g.outChannels + grp * og) * P, dtypeOf(x));
    }
  }
}

/**
 * Forward by a direct loop nest: for each output plane, each tap (c, u, v) adds w·(a shifted input row) to the
 * output rows it reaches, over the column range that stays inside the image (no padded copy). Sums in float64.
 */
function forwardDirect(x: FloatArray, w: FloatArray, out: FloatArray, g: ConvGeometry): void {
  const { inRows: H, inCols: W, kRows, kCols, outRows: Ho, outCols: Wo } = g;
  const { padRows, padCols, strideRows: sr, strideCols: sc, dilRows: dr, dilCols: dc } = g;
  const cg = g.inChannels / g.groups;
  const og = g.outChannels / g.groups;
  const P = Ho * Wo;
  if (rowScratch.length < P) rowScratch = new Float64Array(P);
  const acc = rowScratch;
  for (let b = 0; b < g.batch; b++) {
    for (let o = 0; o < g.outChannels; o++) {
      acc.fill(0, 0, P);
      const c0 = Math.floor(o / og) * cg;
      for (let c = 0; c < cg; c++) {
        const plane = (b * g.inChannels + c0 + c) * H * W;
        for (let u = 0; u < kRows; u++) {
          const rowShift = u * dr - padRows;
          const [i0, i1] = validRange(Ho, H, sr, rowShift);
          for (let v = 0; v < kCols; v++) {
            const wv = w[((o * cg + c) * kRows + u) * kCols + v]!;
            const colShift = v * dc - padCols;
            const [j0, j1] = validRange(Wo, W, sc, colShift);
            for (let i = i0; i < i1; i++) {
              const src = plane + (i * sr + rowShift) * W + colShift;
              const dst = i * Wo;
              if (sc === 1) for (let j = j0; j < j1; j++) acc[dst + j]! += wv * x[src + j]!;
              else for (let j = j0; j < j1; j++) acc[dst + j]! += wv * x[src + j * sc]!;
            }
          }
        }
      }
      const base = (b * g.outChannels + o) * P;
      for (let p = 0; p < P; p++) out[base + p] = acc[p]!;
    }
  }
}

/** The forward cross-correlation of `x` with `w` into `out` (contiguous arrays of the geometry's shapes). */
export function conv2dForward(
  x: FloatArray,
  w: FloatArray,
  out: FloatArray,
  g: ConvGeometry,
  method: ConvMethod = 'auto',
  gemm: FloatGemm = gemmFloat,
): void {
  if (method === 'direct') forwardDirect(x, w, out, g);
  else forwardIm2col(x, w, out, g, gemm);
}

/**
 * The gradient with respect to the input (the transposed convolution): per image and group,
 * cols = w[group]ᵀ (Cg·k x Og) · gz[b, group] (Og x P), then col2im adds the columns back into gx.
 */
export function conv2dGradInputs(
  gz: FloatArray,
  w: FloatArray,
  gx: FloatArray,
  g: ConvGeometry,
  gemm: FloatGemm = gemmFloat,
): void {
  const cg = g.inChannels / g.groups;
  const og = g.outChannels / g.groups;
  const K = cg * g.kRows * g.kCols;
  const P = g.outRows * g.outCols;
  const size = g.batch * g.inChannels * g.inRows * g.inCols;
  const acc = gx instanceof Float64Array ? gx : new Float64Array(size);
  acc.fill(0, 0, size);
  const buffer = cols(K * P);
  for (let b = 0; b < g.batch; b++) {
    for (let grp = 0; grp < g.groups; grp++) {
      const wT = transposeView(matrix(w, grp * og * K, og, K));
      gemm(wT, matrix(gz, (b * g.outChannels + grp * og) * P, og, P), buffer, 0, dtypeOf(gz));
      col2im(buffer, g, b, grp * cg, cg, acc);
    }
  }
  if (acc !== gx) for (let i = 0; i < size; i++) gx[i] = acc[i]!;
}

/**
 * The gradient with respect to the filters: gw[group] = Σ_b gz[b, group] (Og x P) · cols_bᵀ (P x Cg·k),
 * each image's product computed into a scratch matrix and summed in float64.
 */
export function conv2dGradWeights(
  x: FloatArray,
  gz: FloatArray,
  gw: FloatArray,
  g: ConvGeometry,
  gemm: FloatGemm = gemmFloat,
): void {
  const cg = g.inChannels / g.groups;
  const og = g.outChannels / g.groups;
  const K = cg * g.kRows * g.kCols;
  const P = g.outRows * g.outCols;
  const acc = new Float64Array(g.outChannels * K);
  const buffer = cols(K * P);
  const product = gemmOut(og * K);
  for (let b = 0; b < g.batch; b++) {
    for (let grp = 0; grp < g.groups; grp++) {
      im2col(x, g, b, grp * cg, cg, buffer);
      const colsT = transposeView(matrix(buffer as FloatArray, 0, K, P));
      gemm(matrix(gz, (b * g.outChannels + grp * og) * P, og, P), colsT, product, 0, dtypeOf(x));
      const base = grp * og * K;
      for (let t = 0; t < og * K; t++) acc[base + t]! += product[t]!;
    }
  }
  for (let t = 0; t < acc.length; t++) gw[t] = acc[t]!;
}
