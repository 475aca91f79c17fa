/**
 * 2-D pooling kernels over the last two axes (Theano's `Pool`, `MaxPoolGrad`, `AveragePoolGrad` and
 * `DownsampleFactorMaxGradGrad`), on contiguous float arrays viewed as `planes` images of rows x cols.
 *
 * Output window (i, j) covers, in the image zero-padded by (padRows, padCols) on each side, rows
 * [i·sr, min(i·sr + wr, rows + 2·padRows)) and likewise cols. 'max' and 'sum' read only the real pixels of
 * it, 'average_exc_pad' averages the real pixels, and 'average_inc_pad' divides their sum by the whole
 * (clipped) window, padding included.
 */
import type { FloatArray } from './conv.js';

export type PoolMode = 'max' | 'sum' | 'average_inc_pad' | 'average_exc_pad';

export interface PoolGeometry {
  readonly planes: number;
  readonly rows: number;
  readonly cols: number;
  readonly outRows: number;
  readonly outCols: number;
  readonly ws: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly pad: readonly [number, number];
}

/** The rows of one window along an axis, in unpadded coordinates: the real [lo, hi) and the counted length. */
interface Span {
  readonly lo: number;
  readonly hi: number;
  /** hi - lo, or for 'average_inc_pad' the window clipped only to the padded image. */
  readonly count: number;
}

/** Sums in float64: the output itself when it is float64 (zeroed), else a scratch array. */
function accumulator(out: FloatArray, n: number): Float64Array {
  if (out instanceof Float64Array) return out.fill(0, 0, n);
  return new Float64Array(n);
}

function spans(out: number, size: number, ws: number, stride: number, pad: number, incPad: boolean): Span[] {
  return Array.from({ length: out }, (_, i) => {
    const start = i * stride - pad;
    const end = Math.min(start + ws, size + pad);
    const lo = Math.max(start, 0);
    const hi = Math.min(end, size);
    return { lo, hi, count: incPad ? end - start : hi - lo };
  });
}

function windows(g: PoolGeometry, mode: PoolMode): [Span[], Span[]] {
  const inc = mode === 'average_inc_pad';
  return [
    spans(g.outRows, g.rows, g.ws[0], g.stride[0], g.pad[0], inc),
    spans(g.outCols, g.cols, g.ws[1], g.stride[1], g.pad[1], inc),
  ];
}

/** The pooled values of `x` into `out`. */
export function poolForward(x: FloatArray, out: FloatArray, g: PoolGeometry, mode: PoolMode): void {
  const [rs, cs] = windows(g, mode);
  const plane = g.rows * g.cols;
  let o = 0;
  for (let p = 0; p < g.planes; p++) {
    const base = p * plane;
    for (const r of rs) {
      for (const c of cs) {
        let acc = mode === 'max' ? -Infinity : 0;
        for (let i = r.lo; i < r.hi; i++) {
          const row = base + i * g.cols;
          if (mode === 'max') {
            for (let j = c.lo; j < c.hi; j++) {
              const v = x[row + j]!;
              if (v > acc || v !== v) acc = v; // NaN propagates, as numpy's max
            }
          } else for (let j = c.lo; j < c.hi; j++) acc += x[row + j]!;
        }
        out[o++] = mode === 'max' || mode === 'sum' ? acc : acc / (r.count * c.count);
      }
    }
  }
}

/**
 * The gradient of max pooling: each window's output gradient goes to every pixel of the window equal to the
 * window's maximum (Theano's MaxPoolGrad: tied pixels each receive it).
 */
export function maxPoolGrad(x: FloatArray, maxout: FloatArray, gz: FloatArray, gx: FloatArray, g: PoolGeometry): void {
  const [rs, cs] = windows(g, 'max');
  const plane = g.rows * g.cols;
  const acc = accumulator(gx, g.planes * plane);
  let o = 0;
  for (let p = 0; p < g.planes; p++) {
    const base = p * plane;
    for (const r of rs)
      for (const c of cs) {
        const m = maxout[o]!;
        const d = gz[o++]!;
        for (let i = r.lo; i < r.hi; i++) {
          const row = base + i * g.cols;
          for (let j = c.lo; j < c.hi; j++) if (x[row + j] === m) acc[row + j]! += d;
        }
      }
  }
  if (acc !== gx) for (let i = 0; i < acc.length; i++) gx[i] = acc[i]!;
}

/**
 * The adjoint of `maxPoolGrad` in its output-gradient argument (Theano's DownsampleFactorMaxGradGrad): each window
 * sums `ggx` over its pixels equal to the window's maximum.
 */
export function maxPoolGradGrad(
  x: FloatArray,
  maxout: FloatArray,
  ggx: FloatArray,
  out: FloatArray,
  g: PoolGeometry,
): void {
  const [rs, cs] = windows(g, 'max');
  const plane = g.rows * g.cols;
  let o = 0;
  for (let p = 0; p < g.planes; p++) {
    const base = p * plane;
    for (const r of rs)
      for (const c of cs) {
        const m = maxout[o]!;
        let s = 0;
        for (let i = r.lo; i < r.hi; i++) {
          const row = base + i * g.cols;
          for (let j = c.lo; j < c.hi; j++) if (x[row + j] === m) s += ggx[row + j]!;
        }
        out[o++] = s;
      }
  }
}

/** The gradient of sum and average pooling: each window's gradient spread over its pixels (divided as forward). */
export function averagePoolGrad(gz: FloatArray, gx: FloatArray, g: PoolGeometry, mode: PoolMode): void {
  const [rs, cs] = windows(g, mode);
  const plane = g.rows * g.cols;
  const acc = accumulator(gx, g.planes * plane);
  let o = 0;
  for (let p = 0; p < g.planes; p++) {
    const base = p * plane;
    for (const r of rs)
      for (const c of cs) {
        const d = mode === 'sum' ? gz[o++]! : gz[o++]! / (r.count * c.count);
        for (let i = r.lo; i < r.hi; i++) {
          const row = base + i * g.cols;
          for (let j = c.lo; j < c.hi; j++) acc[row + j]! += d;
        }
      }
  }
  if (acc !== gx) for (let i = 0; i < acc.length; i++) gx[i] = acc[i]!;
}
