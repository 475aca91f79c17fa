/**
 * Matrix-product kernels (not generated code): a cache-blocked, register-tiled GEMM for float32/float64, a
 * matrix-vector product, and exact integer and boolean products.
 *
 * Operands are strided 2-D views (`MatrixView`), so transposed and sliced inputs need no separate copy: the
 * blocked GEMM copies ("packs") each block of its operands into contiguous panels anyway, and the small and
 * vector paths read strides directly. The product is written, row-major and contiguous, into `c` at `cOffset`.
 *
 * The float GEMM follows the GotoBLAS layout: for each KC-deep slice of the inner dimension, a KC x NC panel
 * of B is packed into NR-wide column strips and an MC x KC block of A into MR-high row strips; an MR x NR
 * micro-kernel keeps its sums in locals (registers, mostly) and reads both strips sequentially.
 * Sizes: an A strip and a B strip (KC x (MR + NR) doubles = 16 KiB) sit in L1, an A block (MC x KC doubles =
 * 256 KiB) in L2. Packing always produces float64, so the hot loop sees one array type and stays monomorphic.
 */
import type { DType } from '../types/dtype.js';

/** Element (i, j) of the view is `data[offset + i * rowStride + j * colStride]`. */
export interface MatrixView<S = ArrayLike<number>> {
  readonly data: S;
  readonly offset: number;
  readonly rows: number;
  readonly cols: number;
  readonly rowStride: number;
  readonly colStride: number;
}

type FloatArray = Float64Array | Float32Array;

/**
 * A float matrix product with `gemmFloat`'s contract, computing in `dtype` (the dtype of the op; its operands'
 * arrays may be of either float type). `gemmFloat` is one (its sums in float64); the `wasm` linker passes its own
 * (`src/wasm/gemm.ts`) to the ops through their `RuntimeKernels`.
 */
export type FloatGemm = (
  a: MatrixView<FloatArray>,
  b: MatrixView<FloatArray>,
  c: FloatArray,
  cOffset: number,
  dtype: 'float32' | 'float64',
) => void;

const MR = 4;
const NR = MR; // packB packs the rows of Bᵀ with packA
const KC = 256;
const MC = 128;
const NC = 2048;
/** Below this many multiply-adds, packing costs more than it saves. */
const SMALL_GEMM = 32 * 32 * 32;

// Scratch panels, grown on demand and reused across calls (JS is single-threaded, and no kernel re-enters).
let packedA = new Float64Array(MC * KC);
let packedB = new Float64Array(KC * NR);
let scratchC = new Float64Array(0);
const edgeTile = new Float64Array(MR * NR);

function growB(n: number): Float64Array {
  if (packedB.length < n) packedB = new Float64Array(n);
  return packedB;
}
function growC(n: number): Float64Array {
  if (scratchC.length < n) scratchC = new Float64Array(n);
  return scratchC;
}

/**
 * `c[cOffset + i*n + j] = sum_p a[i, p] * b[p, j]` for float data (m = a.rows, n = b.cols, k = a.cols).
 * Sums are carried in float64; a float32 `c` receives them rounded once.
 */
export function gemmFloat(a: MatrixView<FloatArray>, b: MatrixView<FloatArray>, c: FloatArray, cOffset: number): void {
  const m = a.rows;
  const n = b.cols;
  const k = a.cols;
  if (m === 0 || n === 0) return;
  if (k === 0) {
    c.fill(0, cOffset, cOffset + m * n);
    return;
  }
  if (n === 1 || m === 1) {
    gemvFloat(a, b, c, cOffset);
    return;
  }
  if (m * n * k <= SMALL_GEMM) {
    smallGemm(a, b, c, cOffset);
    return;
  }
  if (c instanceof Float64Array) {
    c.fill(0, cOffset, cOffset + m * n);
    blockedGemm(a, b, c, cOffset);
  } else {
    const acc = growC(m * n);
    acc.fill(0, 0, m * n);
    blockedGemm(a, b, acc, 0);
    for (let i = 0; i < m * n; i++) c[cOffset + i] = acc[i]!;
  }
}

/** Direct strided triple loop (dot-product order): for products too small to repay packing. */
function smallGemm(a: MatrixView<FloatArray>, b: MatrixView<FloatArray>, c: FloatArray, cOffset: number): void {
  const { rows: m, cols: k, data: A, rowStride: ars, colStride: acs } = a;
  const { cols: n, data: B, rowStride: brs, colStride: bcs } = b;
  let ci = cOffset;
  for (let i = 0; i < m; i++) {
    const ai = a.offset + i * ars;
    for (let j = 0; j < n; j++) {
      let s = 0;
      let ap = ai;
      let bp = b.offset + j * bcs;
      for (let p = 0; p < k; p++) {
        s += A[ap]! * B[bp]!;
        ap += acs;
        bp += brs;
      }
      c[ci++] = s;
    }
  }
}

type GemvLoop = (
  M: FloatArray,
  mo: number,
  rows: number,
  cols: number,
  rs: number,
  cs: number,
  X: FloatArray,
  xo: number,
  xs: number,
  y: Float64Array,
) => void;
interface GemvLoops {
  dot: GemvLoop;
  axpy: GemvLoop;
}

/**
 * The matrix-vector loops. `dot`: y[i] = sum_p M[i, p] x[p] with four partial sums; `axpy`: y += M[:, p] x[p],
 * four columns per sweep, for matrices whose columns are the contiguous direction. Each array-type pair gets its
 * own compiled copy of this function's text (`gemvLoops`), so every element access in the hot loop sees one
 * typed-array class (one shared copy would see both float classes and run polymorphic). The function refers to
 * nothing outside itself, so its text compiles on its own.
 */
function makeGemvLoops(): GemvLoops {
  return {
    dot(M, mo, rows, cols, rs, cs, X, xo, xs, y) {
      for (let i = 0; i < rows; i++) {
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0;
        let mp = mo + i * rs,
          xp = xo,
          p = 0;
        for (; p + 3 < cols; p += 4) {
          s0 += M[mp]! * X[xp]!;
          s1 += M[mp + cs]! * X[xp + xs]!;
          s2 += M[mp + 2 * cs]! * X[xp + 2 * xs]!;
          s3 += M[mp + 3 * cs]! * X[xp + 3 * xs]!;
          mp += 4 * cs;
          xp += 4 * xs;
        }
        for (; p < cols; p++, mp += cs, xp += xs) s0 += M[mp]! * X[xp]!;
        y[i] = s0 + s1 + (s2 + s3);
      }
    },
    axpy(M, mo, rows, cols, rs, cs, X, xo, xs, y) {
      y.fill(0, 0, rows);
      let p = 0;
      for (; p + 3 < cols; p += 4) {
        const x0 = X[xo + p * xs]!,
          x1 = X[xo + (p + 1) * xs]!,
          x2 = X[xo + (p + 2) * xs]!,
          x3 = X[xo + (p + 3) * xs]!;
        let mp = mo + p * cs;
        for (let i = 0; i < rows; i++, mp += rs) {
          y[i]! += M[mp]! * x0 + M[mp + cs]! * x1 + M[mp + 2 * cs]! * x2 + M[mp + 3 * cs]! * x3;
        }
      }
      for (; p < cols; p++) {
        const x0 = X[xo + p * xs]!;
        let mp = mo + p * cs;
        for (let i = 0; i < rows; i++, mp += rs) y[i]! += M[mp]! * x0;
      }
    },
  };
}

const gemvKernels = new Map<string, GemvLoops>();
function gemvLoops(M: FloatArray, X: FloatArray): GemvLoops {
  const key = `${M.constructor.name}:${X.constructor.name}`;
  let loops = gemvKernels.get(key);
  if (!loops) {
    try {
      loops = new Function(`return (${makeGemvLoops.toString()})();`)() as GemvLoops;
    } catch {
      // no run-time compilation here (a strict Content-Security-Policy): one shared copy, slower but the same
      loops = makeGemvLoops();
    }
    gemvKernels.set(key, loops);
  }
  return loops;
}

/** A matrix-vector product (one of a, b is a single row or column), read through strides. */
function gemvFloat(a: MatrixView<FloatArray>, b: MatrixView<FloatArray>, c: FloatArray, cOffset: number): void {
  // Reduce to y (len rows of M) = M x, with M and x read through strides.
  const asMatrix = b.cols === 1 ? a : transposeView(b);
  const x = b.cols === 1 ? b : transposeView(a);
  const { rows, cols, data: M, rowStride: rs, colStride: cs } = asMatrix;
  const loops = gemvLoops(M, x.data);
  const y = growC(rows);
  if (Math.abs(cs) <= Math.abs(rs) || rows === 1)
    loops.dot(M, asMatrix.offset, rows, cols, rs, cs, x.data, x.offset, x.rowStride, y);
  else loops.axpy(M, asMatrix.offset, rows, cols, rs, cs, x.data, x.offset, x.rowStride, y);
  for (let i = 0; i < rows; i++) c[cOffset + i] = y[i]!;
}

export function transposeView<S>(v: MatrixView<S>): MatrixView<S> {
  return { data: v.data, offset: v.offset, rows: v.cols, cols: v.rows, rowStride: v.colStride, colStride: v.rowStride };
}

/** C (m x n, row-major at cOffset, pre-zeroed) += A B, blocked and packed. */
function blockedGemm(a: MatrixView<FloatArray>, b: MatrixView<FloatArray>, c: Float64Array, cOffset: number): void {
  const m = a.rows;
  const n = b.cols;
  const k = a.cols;
  for (let jc = 0; jc < n; jc += NC) {
    const nc = Math.min(NC, n - jc);
    const ncPadded = Math.ceil(nc / NR) * NR;
    for (let pc = 0; pc < k; pc += KC) {
      const kc = Math.min(KC, k - pc);
      const bp = growB(kc * ncPadded);
      packB(b, pc, kc, jc, nc, bp);
      for (let ic = 0; ic < m; ic += MC) {
        const mc = Math.min(MC, m - ic);
        packA(a, ic, mc, pc, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const nr = Math.min(NR, nc - jr);
          const bStrip = jr * kc;
          for (let ir = 0; ir < mc; ir += MR) {
            const mr = Math.min(MR, mc - ir);
            microKernel(kc, packedA, ir * kc, bp, bStrip, c, cOffset + (ic + ir) * n + jc + jr, n, mr, nr);
          }
        }
      }
    }
  }
}

/** Packs A[ic:ic+mc, pc:pc+kc] as MR-high row strips: strip s holds, for each p, MR values (zero-padded). */
function packA(a: MatrixView<FloatArray>, ic: number, mc: number, pc: number, kc: number, out: Float64Array): void {
  const A = a.data;
  const rs = a.rowStride;
  const cs = a.colStride;
  let o = 0;
  for (let ir = 0; ir < mc; ir += MR) {
    const mr = Math.min(MR, mc - ir);
    const base = a.offset + (ic + ir) * rs + pc * cs;
    if (mr === MR) {
      for (let p = 0; p < kc; p++) {
        const q = base + p * cs;
        out[o] = A[q]!;
        out[o + 1] = A[q + rs]!;
        out[o + 2] = A[q + 2 * rs]!;
        out[o + 3] = A[q + 3 * rs]!;
        o += MR;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const q = base + p * cs;
        for (let r = 0; r < MR; r++) out[o + r] = r < mr ? A[q + r * rs]! : 0;
        o += MR;
      }
    }
  }
}

/**
 * Packs B[pc:pc+kc, jc:jc+nc] as NR-wide column strips: strip s holds, for each p, NR values (zero-padded). That
 * is packing the rows of Bᵀ as A's are packed (MR === NR).
 */
function packB(b: MatrixView<FloatArray>, pc: number, kc: number, jc: number, nc: number, out: Float64Array): void {
  packA(transposeView(b), jc, nc, pc, kc, out);
}

/**
 * C[0:mr, 0:nr] += (packed A strip) x (packed B strip), the 4 x 4 tile's 16 sums held in locals across the kc
 * loop. (V8 spills a few of them, x64 having 16 vector registers, but a 4 x 2 tile that fits measured up to
 * 10% slower: each step then loads 6 values for 8 multiply-adds instead of 8 for 16.)
 */
function microKernel(
  kc: number,
  A: Float64Array,
  ai: number,
  B: Float64Array,
  bi: number,
  C: Float64Array,
  ci: number,
  ldc: number,
  mr: number,
  nr: number,
): void {
  let c00 = 0,
    c01 = 0,
    c02 = 0,
    c03 = 0;
  let c10 = 0,
    c11 = 0,
    c12 = 0,
    c13 = 0;
  let c20 = 0,
    c21 = 0,
    c22 = 0,
    c23 = 0;
  let c30 = 0,
    c31 = 0,
    c32 = 0,
    c33 = 0;
  for (let p = 0; p < kc; p++) {
    const a0 = A[ai]!,
      a1 = A[ai + 1]!,
      a2 = A[ai + 2]!,
      a3 = A[ai + 3]!;
    const b0 = B[bi]!,
      b1 = B[bi + 1]!,
      b2 = B[bi + 2]!,
      b3 = B[bi + 3]!;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    ai += MR;
    bi += NR;
  }
  if (mr === MR && nr === NR) {
    C[ci] = C[ci]! + c00;
    C[ci + 1] = C[ci + 1]! + c01;
    C[ci + 2] = C[ci + 2]! + c02;
    C[ci + 3] = C[ci + 3]! + c03;
    ci += ldc;
    C[ci] = C[ci]! + c10;
    C[ci + 1] = C[ci + 1]! + c11;
    C[ci + 2] = C[ci + 2]! + c12;
    C[ci + 3] = C[ci + 3]! + c13;
    ci += ldc;
    C[ci] = C[ci]! + c20;
    C[ci + 1] = C[ci + 1]! + c21;
    C[ci + 2] = C[ci + 2]! + c22;
    C[ci + 3] = C[ci + 3]! + c23;
    ci += ldc;
    C[ci] = C[ci]! + c30;
    C[ci + 1] = C[ci + 1]! + c31;
    C[ci + 2] = C[ci + 2]! + c32;
    C[ci + 3] = C[ci + 3]! + c33;
    return;
  }
  const t = edgeTile;
  t[0] = c00;
  t[1] = c01;
  t[2] = c02;
  t[3] = c03;
  t[4] = c10;
  t[5] = c11;
  t[6] = c12;
  t[7] = c13;
  t[8] = c20;
  t[9] = c21;
  t[10] = c22;
  t[11] = c23;
  t[12] = c30;
  t[13] = c31;
  t[14] = c32;
  t[15] = c33;
  for (let r = 0; r < mr; r++) for (let s = 0; s < nr; s++) C[ci + r * ldc + s] = C[ci + r * ldc + s]! + t[r * NR + s]!;
}

// ---------------------------------------------------------------------------------------------------------------
// Integer and boolean products: exact, with numpy's wrap-around in the output dtype.

/**
 * Integer GEMM for dtypes of at most 32 bits, in int32 arithmetic: `Math.imul` and `| 0` compute modulo 2^32,
 * and reduction modulo 2^32 commutes with the final store into a narrower (or unsigned) typed array, so the
 * result is numpy's wrapped product for int8..int32 and uint8..uint32.
 */
export function gemmInt32(a: MatrixView, b: MatrixView, c: { [i: number]: number }, cOffset: number): void {
  const m = a.rows;
  const n = b.cols;
  const k = a.cols;
  const A = a.data;
  const B = b.data;
  const row = new Int32Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const av = A[a.offset + i * a.rowStride + p * a.colStride]! | 0;
      if (av === 0) continue;
      let bp = b.offset + p * b.rowStride;
      for (let j = 0; j < n; j++) {
        row[j] = (row[j]! + Math.imul(av, B[bp]! | 0)) | 0;
        bp += b.colStride;
      }
    }
    for (let j = 0; j < n; j++) c[cOffset + i * n + j] = row[j]!;
  }
}

/** int64 GEMM with bigints: exact sums, wrapped to 64 bits by the BigInt64Array store. */
export function gemmInt64(
  a: MatrixView<BigInt64Array>,
  b: MatrixView<BigInt64Array>,
  c: BigInt64Array,
  cOffset: number,
): void {
  const m = a.rows;
  const n = b.cols;
  const k = a.cols;
  const A = a.data;
  const B = b.data;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0n;
      let ap = a.offset + i * a.rowStride;
      let bp = b.offset + j * b.colStride;
      for (let p = 0; p < k; p++) {
        s += A[ap]! * B[bp]!;
        ap += a.colStride;
        bp += b.rowStride;
      }
      c[cOffset + i * n + j] = BigInt.asIntN(64, s);
    }
  }
}

/** Boolean product (numpy's logical dot): c[i, j] = OR over p of (a[i, p] AND b[p, j]). */
export function gemmBool(a: MatrixView<Uint8Array>, b: MatrixView<Uint8Array>, c: Uint8Array, cOffset: number): void {
  const m = a.rows;
  const n = b.cols;
  const k = a.cols;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let ap = a.offset + i * a.rowStride;
      let bp = b.offset + j * b.colStride;
      for (let p = 0; p < k && s === 0; p++) {
        if (a.data[ap] && b.data[bp]) s = 1;
        ap += a.colStride;
        bp += b.rowStride;
      }
      c[cOffset + i * n + j] = s;
    }
  }
}

/**
 * `c[cOffset ..] = a · b` for two views of one dtype, written row-major into `c` (a typed array of that dtype):
 * dispatches to the float (`floatGemm`), int32, int64 or bool kernel.
 */
export function gemm(
  dtype: DType,
  a: MatrixView<unknown>,
  b: MatrixView<unknown>,
  c: unknown,
  cOffset: number,
  floatGemm: FloatGemm = gemmFloat,
): void {
  if (a.cols !== b.rows) throw new RangeError(`internal: gemm inner dimensions ${a.cols} and ${b.rows} differ`);
  switch (dtype) {
    case 'float64':
    case 'float32':
      return floatGemm(a as MatrixView<FloatArray>, b as MatrixView<FloatArray>, c as FloatArray, cOffset, dtype);
    case 'int64':
      return gemmInt64(a as MatrixView<BigInt64Array>, b as MatrixView<BigInt64Array>, c as BigInt64Array, cOffset);
    case 'bool':
      return gemmBool(a as MatrixView<Uint8Array>, b as MatrixView<Uint8Array>, c as Uint8Array, cOffset);
    default:
      return gemmInt32(a as MatrixView, b as MatrixView, c as { [i: number]: number }, cOffset);
  }
}

/** One operand of a batched product: strided matrices stacked along batch axes (a stride of 0 broadcasts). */
export interface BatchedMatrices<S = unknown> extends MatrixView<S> {
  readonly batchStrides: readonly number[];
}

/**
 * For every index t of `batchShape` (row-major), `out[t] = a[t] · b[t]`, each m x n product written contiguously
 * at `t * m * n` into `out`, the storage of a contiguous array of shape `batchShape + [m, n]`.
 */
export function batchedGemm(
  dtype: DType,
  batchShape: readonly number[],
  a: BatchedMatrices,
  b: BatchedMatrices,
  out: unknown,
  floatGemm: FloatGemm = gemmFloat,
): void {
  let count = 1;
  for (const d of batchShape) count *= d;
  const size = a.rows * b.cols;
  const index = new Array<number>(batchShape.length).fill(0);
  let aOffset = a.offset;
  let bOffset = b.offset;
  for (let t = 0; t < count; t++) {
    gemm(dtype, { ...a, offset: aOffset }, { ...b, offset: bOffset }, out, t * size, floatGemm);
    for (let d = batchShape.length - 1; d >= 0; d--) {
      index[d]!++;
      aOffset += a.batchStrides[d]!;
      bOffset += b.batchStrides[d]!;
      if (index[d]! < batchShape[d]!) break;
      aOffset -= a.batchStrides[d]! * batchShape[d]!;
      bOffset -= b.batchStrides[d]! * batchShape[d]!;
      index[d] = 0;
    }
  }
}
