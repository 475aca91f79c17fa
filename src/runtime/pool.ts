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

/** Window bounds along one axis as typed arrays (the hot loops read no objects). */
interface Bounds {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  readonly count: Float64Array;
}

function bounds(sp: readonly Span[]): Bounds {
  return {
    lo: Int32Array.from(sp, (s) => s.lo),
    hi: Int32Array.from(sp, (s) => s.hi),
    count: Float64Array.from(sp, (s) => s.count),
  };
}

/** The pooled values of `x` into `out`. */
export function poolForward(x: FloatArray, out: FloatArray, g: PoolGeometry, mode: PoolMode): void {
  const [rs, cs] = windows(g, mode);
  const r = bounds(rs);
  const c = bounds(cs);
  if (mode === 'max') maxLoop(x, out, g, r.lo, r.hi, c.lo, c.hi);
  else sumLoop(x, out, g, r, c, mode !== 'sum');
}

/** Each window's maximum (NaN if the window holds one, as numpy's max). */
function maxLoop(
  x: FloatArray,
  out: FloatArray,
  g: PoolGeometry,
  rlo: Int32Array,
  rhi: Int32Array,
  clo: Int32Array,
  chi: Int32Array,
): void {
  const { outRows, outCols, cols } = g;
  const plane = g.rows * cols;
  let o = 0;
  for (let base = 0; base < g.planes * plane; base += plane) {
    for (let i = 0; i < outRows; i++) {
      const first = base + rlo[i]! * cols;
      const last = base + rhi[i]! * cols;
      for (let j = 0; j < outCols; j++) {
        const c0 = clo[j]!;
        const c1 = chi[j]!;
        let acc = x[first + c0]!;
        if (last - first === 2 * cols && c1 - c0 === 2) {
          // the common 2x2 window, unrolled
          const q = first + c0;
          const b = x[q + 1]!;
          const d = x[q + cols]!;
          const e = x[q + cols + 1]!;
          if (b > acc) acc = b;
          if (d > acc) acc = d;
          if (e > acc) acc = e;
          if (acc !== acc || b !== b || d !== d || e !== e) acc = NaN;
          out[o++] = acc;
          continue;
        }
        for (let row = first; row < last; row += cols) {
          for (let q = row + c0; q < row + c1; q++) {
            const v = x[q]!;
            if (v > acc) acc = v;
            else if (v !== v) acc = NaN;
          }
        }
        out[o++] = acc;
      }
    }
  }
}

/** Each window's sum, divided by its counted size when `divide`. */
function sumLoop(x: FloatArray, out: FloatArray, g: PoolGeometry, r: Bounds, c: Bounds, divide: boolean): void {
  const { outRows, outCols, cols } = g;
  const plane = g.rows * cols;
  let o = 0;
  for (let base = 0; base < g.planes * plane; base += plane) {
    for (let i = 0; i < outRows; i++) {
      const first = base + r.lo[i]! * cols;
      const last = base + r.hi[i]! * cols;
      for (let j = 0; j < outCols; j++) {
        const c0 = c.lo[j]!;
        const c1 = c.hi[j]!;
        let acc = 0;
        for (let row = first; row < last; row += cols) for (let q = row + c0; q < row + c1; q++) acc += x[q]!;
        out[o++] = divide ? acc / (r.count[i]! * c.count[j]!) : acc;
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
