/**
 * The WebAssembly GEMM of the `wasm` linker: C = A·B for float32 (f32x4 lanes, float32 sums, as BLAS sgemm) and
 * float64 (f64x2 lanes), plus the matrix-vector products. The modules are written by our encoder; the JavaScript
 * driver here places the operands in the arena, blocks the product and calls them.
 *
 * Layout (GotoBLAS/BLIS): for each NC-wide panel of B and each KC-deep slice of the inner dimension, the panel is
 * packed into NR-wide column strips (kc x NR each, zero-padded) and, for each MC-high block of A, the block into
 * MR-high row strips (kc x MR each). The macro-kernel (one wasm call per block) walks the NR strips and, inside,
 * the MR strips: its MR x NR micro-kernel keeps the tile's sums in MR·NR/lanes v128 locals (registers), and per
 * step of k loads NR/lanes vectors of B and splats MR scalars of A (`v128.load32_splat`), so every value it loads
 * feeds NR/lanes (or MR) multiply-adds. A B strip (kc·NR values) stays in L1 while the A block (MC·KC values)
 * streams from L2. The k loop is unrolled KU times (packing pads kc with zeros to a multiple of KU), and C is
 * computed into a scratch matrix padded to whole tiles, then copied into the caller's array.
 *
 * Operands: an operand whose data already lives in the arena (an NDArray viewing wasm memory) is read in place;
 * any other is copied in (its span, or a gather of its elements when the span is much larger than the view), with
 * its strides, so transposed and sliced views are packed like contiguous ones.
 */
import { gemmFloat, transposeView, type MatrixView } from '../runtime/matmul.js';
import { wasm } from './api.js';
import { FunctionBuilder, encodeModule, type Instruction, type ValType } from './encoder.js';
import { arena, MAX_ARENA_BYTES } from './arena.js';
import { wasmSimdAvailable } from './kernel.js';

type FloatArray = Float32Array | Float64Array;
export type FloatDType = 'float32' | 'float64';

/** The register tile of the micro-kernel: MR rows of A, NR columns of B (a multiple of the lanes), k unrolled KU. */
export interface MicroShape {
  readonly mr: number;
  readonly nr: number;
  readonly ku: number;
}

/** Tuning of the wasm GEMM (bench/matmul.ts measured these; see docs/performance.md). */
export const wasmGemmOptions = {
  /** Products with fewer multiply-adds (m·n·k) run the JavaScript GEMM: below it, copies and calls cost more. */
  minGemmMacs: 1000,
  /** Matrix-vector products with fewer matrix elements run the JavaScript loops. */
  minGemvElements: 4096,
  /** Block sizes: KC (depth of a packed slice), MC (rows of an A block), NC (columns of a B panel). */
  kc: 256,
  mc: 96,
  nc: 4096,
  shapes: {
    float32: { mr: 4, nr: 8, ku: 1 },
    float64: { mr: 4, nr: 4, ku: 1 },
  } as Record<FloatDType, MicroShape>,
};

// ---------------------------------------------------------------------------------------------------------------
// The lane vocabulary of each dtype

interface Lanes {
  readonly type: ValType;
  readonly bytes: 4 | 8;
  readonly lanes: 4 | 2;
  readonly load: Instruction;
  readonly store: Instruction;
  readonly loadSplat: Instruction;
  readonly splat: Instruction;
  readonly extract: Instruction;
  readonly vadd: Instruction;
  readonly vmul: Instruction;
  readonly add: Instruction;
  readonly mul: Instruction;
  readonly zero: Instruction;
  /** log2(bytes): a memarg's natural alignment exponent. */
  readonly align: number;
}

const LANES: Record<FloatDType, Lanes> = {
  float32: {
    type: 'f32',
    bytes: 4,
    lanes: 4,
    load: 'f32.load',
    store: 'f32.store',
    loadSplat: 'v128.load32_splat',
    splat: 'f32x4.splat',
    extract: 'f32x4.extract_lane',
    vadd: 'f32x4.add',
    vmul: 'f32x4.mul',
    add: 'f32.add',
    mul: 'f32.mul',
    zero: 'f32.const',
    align: 2,
  },
  float64: {
    type: 'f64',
    bytes: 8,
    lanes: 2,
    load: 'f64.load',
    store: 'f64.store',
    loadSplat: 'v128.load64_splat',
    splat: 'f64x2.splat',
    extract: 'f64x2.extract_lane',
    vadd: 'f64x2.add',
    vmul: 'f64x2.mul',
    add: 'f64.add',
    mul: 'f64.mul',
    zero: 'f64.const',
    align: 3,
  },
};

const V128_ALIGN = 4;

// ---------------------------------------------------------------------------------------------------------------
// Module building: small emit helpers, then one function per exported routine

/** `local += delta` (i32). */
function addTo(f: FunctionBuilder, local: number, delta: number | { local: number }): void {
  f.emit('local.get', local);
  if (typeof delta === 'number') f.emit('i32.const', delta);
  else f.emit('local.get', delta.local);
  f.emit('i32.add').emit('local.set', local);
}

/** A loop whose body runs while `cond` (pushing an i32) holds, tested before the first pass and after each. */
function whileLoop(f: FunctionBuilder, cond: () => void, body: () => void): void {
  cond();
  f.begin('if').begin('loop');
  body();
  cond();
  f.emit('br_if', 0).emit('end').emit('end');
}

/** A loop run `count` (a local, > 0 on entry; consumed) times. */
function countedLoop(f: FunctionBuilder, count: number, body: () => void): void {
  f.begin('loop');
  body();
  f.emit('local.get', count).emit('i32.const', 1).emit('i32.sub').emit('local.tee', count);
  f.emit('br_if', 0).emit('end');
}

/** Pushes `a < b` (unsigned) of two i32 locals. */
const below = (f: FunctionBuilder, a: number, b: number) => () => {
  f.emit('local.get', a).emit('local.get', b).emit('i32.lt_u');
};

/** Pushes the sum of a v128 local's lanes (pairwise: (l0 + l1) + (l2 + l3)). */
function laneSum(f: FunctionBuilder, t: Lanes, v: number): void {
  const lane = (i: number) => f.emit('local.get', v).emit(t.extract, i);
  lane(0);
  lane(1);
  f.emit(t.add);
  if (t.lanes === 4) {
    lane(2);
    lane(3);
    f.emit(t.add).emit(t.add);
  }
}

/**
 * `macro(a, b, c, kcp, mTiles, nTiles, ldc, accumulate)`: for each of nTiles packed B strips and each of mTiles
 * packed A strips (kcp deep), the MR x NR tile of C at `c` (row stride `ldc` bytes) is set to (accumulate = 0)
 * or increased by (1) the strips' product.
 */
function emitMacroKernel(t: Lanes, s: MicroShape): FunctionBuilder {
  const f = new FunctionBuilder(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], []);
  const [A, B, C, KCP, MT, NT, LDC, ACC] = [0, 1, 2, 3, 4, 5, 6, 7];
  const i32 = () => f.local('i32');
  const [stripA, stripB, aStrip, aEnd, bEnd, cCol] = [i32(), i32(), i32(), i32(), i32(), i32()];
  const [cTile, pa, pb, pEnd, cRow] = [i32(), i32(), i32(), i32(), i32()];
  const nv = s.nr / t.lanes;
  const acc = Array.from({ length: s.mr * nv }, () => f.local('v128'));
  const bv = Array.from({ length: nv }, () => f.local('v128'));
  const av = f.local('v128');
  const zero = f.local('v128');
  const set = (local: number, push: () => void) => (push(), f.emit('local.set', local));
  const times = (local: number, k: number) => () => f.emit('local.get', local).emit('i32.const', k).emit('i32.mul');

  f.emit(t.zero, 0).emit(t.splat).emit('local.set', zero);
  set(stripA, times(KCP, s.mr * t.bytes));
  set(stripB, times(KCP, s.nr * t.bytes));
  set(bEnd, () =>
    f.emit('local.get', B).emit('local.get', NT).emit('local.get', stripB).emit('i32.mul').emit('i32.add'),
  );
  set(cCol, () => f.emit('local.get', C));
  f.begin('loop'); // over the B strips
  set(aStrip, () => f.emit('local.get', A));
  set(aEnd, () =>
    f.emit('local.get', A).emit('local.get', MT).emit('local.get', stripA).emit('i32.mul').emit('i32.add'),
  );
  set(cTile, () => f.emit('local.get', cCol));
  f.begin('loop'); // over the A strips
  for (const a of acc) f.emit('local.get', zero).emit('local.set', a);
  set(pa, () => f.emit('local.get', aStrip));
  set(pb, () => f.emit('local.get', B));
  set(pEnd, () => f.emit('local.get', B).emit('local.get', stripB).emit('i32.add'));
  f.begin('loop'); // over k, KU steps per pass
  for (let u = 0; u < s.ku; u++) emitMicroStep(f, t, s, u, { pa, pb, acc, bv, av });
  addTo(f, pa, s.ku * s.mr * t.bytes);
  addTo(f, pb, s.ku * s.nr * t.bytes);
  below(f, pb, pEnd)();
  f.emit('br_if', 0).emit('end');
  emitTileStore(f, t, s, { ACC, LDC, cTile, cRow, acc });
  addTo(f, aStrip, { local: stripA });
  set(cTile, () =>
    f.emit('local.get', cTile).emit('local.get', LDC).emit('i32.const', s.mr).emit('i32.mul').emit('i32.add'),
  );
  below(f, aStrip, aEnd)();
  f.emit('br_if', 0).emit('end');
  addTo(f, B, { local: stripB });
  addTo(f, cCol, s.nr * t.bytes);
  below(f, B, bEnd)();
  f.emit('br_if', 0).emit('end');
  return f;
}

/** One step of k (the u-th of an unrolled pass): NR/lanes vectors of B, MR splatted scalars of A, MR·NR/lanes MACs. */
function emitMicroStep(
  f: FunctionBuilder,
  t: Lanes,
  s: MicroShape,
  u: number,
  l: { pa: number; pb: number; acc: readonly number[]; bv: readonly number[]; av: number },
): void {
  const nv = s.nr / t.lanes;
  for (let v = 0; v < nv; v++) {
    f.emit('local.get', l.pb).emit('v128.load', V128_ALIGN, (u * s.nr + v * t.lanes) * t.bytes);
    f.emit('local.set', l.bv[v]!);
  }
  for (let r = 0; r < s.mr; r++) {
    f.emit('local.get', l.pa)
      .emit(t.loadSplat, t.align, (u * s.mr + r) * t.bytes)
      .emit('local.set', l.av);
    for (let v = 0; v < nv; v++) {
      const a = l.acc[r * nv + v]!;
      f.emit('local.get', a).emit('local.get', l.av).emit('local.get', l.bv[v]!).emit(t.vmul).emit(t.vadd);
      f.emit('local.set', a);
    }
  }
}

/** Writes the tile's sums to C (row stride LDC): stored when ACC is 0, added to C's values otherwise. */
function emitTileStore(
  f: FunctionBuilder,
  t: Lanes,
  s: MicroShape,
  l: { ACC: number; LDC: number; cTile: number; cRow: number; acc: readonly number[] },
): void {
  const nv = s.nr / t.lanes;
  const rows = (accumulate: boolean) => {
    f.emit('local.get', l.cTile).emit('local.set', l.cRow);
    for (let r = 0; r < s.mr; r++) {
      for (let v = 0; v < nv; v++) {
        f.emit('local.get', l.cRow).emit('local.get', l.acc[r * nv + v]!);
        if (accumulate)
          f.emit('local.get', l.cRow)
            .emit('v128.load', V128_ALIGN, v * 16)
            .emit(t.vadd);
        f.emit('v128.store', V128_ALIGN, v * 16);
      }
      if (r + 1 < s.mr) addTo(f, l.cRow, { local: l.LDC });
    }
  };
  f.emit('local.get', l.ACC).begin('if');
  rows(true);
  f.emit('else');
  rows(false);
  f.emit('end');
}

/**
 * `pack(src, rs, cs, rows, cols, dst, dstStride)`: dst[p·dstStride + r·bytes] = src[r·rs + p·cs] for r < rows,
 * p < cols (strides in bytes, rows and cols > 0): one strip of a block, from any strided view.
 */
function emitPack(t: Lanes): FunctionBuilder {
  const f = new FunctionBuilder(['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32'], []);
  const [SRC, RS, CS, ROWS, COLS, DST, STRIDE] = [0, 1, 2, 3, 4, 5, 6];
  const [q, d, p] = [f.local('i32'), f.local('i32'), f.local('i32')];
  countedLoop(f, ROWS, () => {
    f.emit('local.get', SRC).emit('local.set', q).emit('local.get', DST).emit('local.set', d);
    f.emit('local.get', COLS).emit('local.set', p);
    countedLoop(f, p, () => {
      f.emit('local.get', d).emit('local.get', q).emit(t.load, t.align, 0).emit(t.store, t.align, 0);
      addTo(f, q, { local: CS });
      addTo(f, d, { local: STRIDE });
    });
    addTo(f, SRC, { local: RS });
    addTo(f, DST, t.bytes);
  });
  return f;
}

/**
 * `packStrip(src, cs, cols, dst)`: a whole `width`-wide strip whose `width` values per step are contiguous in the
 * source (a row-major B, a column-major A): per p, width/lanes vector copies.
 */
function emitPackStrip(t: Lanes, width: number): FunctionBuilder {
  const f = new FunctionBuilder(['i32', 'i32', 'i32', 'i32'], []);
  const [SRC, CS, COLS, DST] = [0, 1, 2, 3];
  countedLoop(f, COLS, () => {
    for (let v = 0; v < width / t.lanes; v++) {
      f.emit('local.get', DST)
        .emit('local.get', SRC)
        .emit('v128.load', V128_ALIGN, v * 16);
      f.emit('v128.store', V128_ALIGN, v * 16);
    }
    addTo(f, SRC, { local: CS });
    addTo(f, DST, width * t.bytes);
  });
  return f;
}

/**
 * `gemvDot(m, rs, rows, cols, x, y)`: y[i] = Σ_p M[i, p] x[p] for a matrix whose rows are contiguous (row stride
 * `rs` bytes) and a contiguous x: four vector sums per row over 4·lanes elements a pass, then a scalar tail.
 */
function emitGemvDot(t: Lanes): FunctionBuilder {
  const f = new FunctionBuilder(['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], []);
  const [M, RS, ROWS, COLS, X, Y] = [0, 1, 2, 3, 4, 5];
  const [q, xp, xVecEnd, xEnd] = [f.local('i32'), f.local('i32'), f.local('i32'), f.local('i32')];
  const acc = [0, 1, 2, 3].map(() => f.local('v128'));
  const sum = f.local(t.type);
  const step = 4 * t.lanes;
  f.emit('local.get', X).emit('local.get', COLS).emit('i32.const', -step).emit('i32.and');
  f.emit('i32.const', t.bytes).emit('i32.mul').emit('i32.add').emit('local.set', xVecEnd);
  f.emit('local.get', X).emit('local.get', COLS).emit('i32.const', t.bytes).emit('i32.mul').emit('i32.add');
  f.emit('local.set', xEnd);
  countedLoop(f, ROWS, () => {
    for (const a of acc) f.emit(t.zero, 0).emit(t.splat).emit('local.set', a);
    f.emit('local.get', M).emit('local.set', q).emit('local.get', X).emit('local.set', xp);
    whileLoop(f, below(f, xp, xVecEnd), () => {
      acc.forEach((a, j) => {
        f.emit('local.get', a)
          .emit('local.get', q)
          .emit('v128.load', V128_ALIGN, j * 16);
        f.emit('local.get', xp)
          .emit('v128.load', V128_ALIGN, j * 16)
          .emit(t.vmul)
          .emit(t.vadd)
          .emit('local.set', a);
      });
      addTo(f, q, step * t.bytes);
      addTo(f, xp, step * t.bytes);
    });
    f.emit('local.get', acc[0]!).emit('local.get', acc[1]!).emit(t.vadd);
    f.emit('local.get', acc[2]!).emit('local.get', acc[3]!).emit(t.vadd).emit(t.vadd).emit('local.set', acc[0]!);
    laneSum(f, t, acc[0]!);
    f.emit('local.set', sum);
    whileLoop(f, below(f, xp, xEnd), () => {
      f.emit('local.get', sum).emit('local.get', q).emit(t.load, t.align, 0).emit('local.get', xp);
      f.emit(t.load, t.align, 0).emit(t.mul).emit(t.add).emit('local.set', sum);
      addTo(f, q, t.bytes);
      addTo(f, xp, t.bytes);
    });
    f.emit('local.get', Y).emit('local.get', sum).emit(t.store, t.align, 0);
    addTo(f, Y, t.bytes);
    addTo(f, M, { local: RS });
  });
  return f;
}

/**
 * `gemvAxpy(m, cs, rows, cols, x, y)`: y += Σ_p M[:, p] x[p] for a matrix whose columns are contiguous (column
 * stride `cs` bytes), y zeroed by the caller: two columns per sweep over y (vectors, then a scalar tail), then a
 * last single column when cols is odd.
 */
function emitGemvAxpy(t: Lanes): FunctionBuilder {
  const f = new FunctionBuilder(['i32', 'i32', 'i32', 'i32', 'i32', 'i32'], []);
  const [M, CS, ROWS, COLS, X, Y] = [0, 1, 2, 3, 4, 5];
  const i32 = () => f.local('i32');
  const [m0, m1, yp, yVecEnd, yEnd, pairs] = [i32(), i32(), i32(), i32(), i32(), i32()];
  const [x0, x1] = [f.local('v128'), f.local('v128')];
  const [s0, s1] = [f.local(t.type), f.local(t.type)];
  f.emit('local.get', Y).emit('local.get', ROWS).emit('i32.const', -t.lanes).emit('i32.and');
  f.emit('i32.const', t.bytes).emit('i32.mul').emit('i32.add').emit('local.set', yVecEnd);
  f.emit('local.get', Y).emit('local.get', ROWS).emit('i32.const', t.bytes).emit('i32.mul').emit('i32.add');
  f.emit('local.set', yEnd);
  const sweep = (columns: 1 | 2) => {
    f.emit('local.get', X).emit(t.loadSplat, t.align, 0).emit('local.set', x0);
    f.emit('local.get', X).emit(t.load, t.align, 0).emit('local.set', s0);
    if (columns === 2) {
      f.emit('local.get', X).emit(t.loadSplat, t.align, t.bytes).emit('local.set', x1);
      f.emit('local.get', X).emit(t.load, t.align, t.bytes).emit('local.set', s1);
    }
    f.emit('local.get', M).emit('local.set', m0).emit('local.get', M).emit('local.get', CS).emit('i32.add');
    f.emit('local.set', m1).emit('local.get', Y).emit('local.set', yp);
    const update = (vector: boolean) => {
      const [ld, st, mul, add, a0, a1] = vector
        ? (['v128.load', 'v128.store', t.vmul, t.vadd, x0, x1] as const)
        : ([t.load, t.store, t.mul, t.add, s0, s1] as const);
      const align = vector ? V128_ALIGN : t.align;
      f.emit('local.get', yp).emit('local.get', yp).emit(ld, align, 0);
      f.emit('local.get', m0).emit(ld, align, 0).emit('local.get', a0).emit(mul);
      if (columns === 2) f.emit('local.get', m1).emit(ld, align, 0).emit('local.get', a1).emit(mul).emit(add);
      f.emit(add).emit(st, align, 0);
      const width = vector ? 16 : t.bytes;
      addTo(f, yp, width);
      addTo(f, m0, width);
      addTo(f, m1, width);
    };
    whileLoop(f, below(f, yp, yVecEnd), () => update(true));
    whileLoop(f, below(f, yp, yEnd), () => update(false));
    f.emit('local.get', M).emit('local.get', CS).emit('i32.const', columns).emit('i32.mul').emit('i32.add');
    f.emit('local.set', M);
    addTo(f, X, columns * t.bytes);
  };
  f.emit('local.get', COLS).emit('i32.const', 1).emit('i32.shr_s').emit('local.tee', pairs);
  f.begin('if');
  countedLoop(f, pairs, () => sweep(2));
  f.emit('end');
  f.emit('local.get', COLS).emit('i32.const', 1).emit('i32.and').begin('if');
  sweep(1);
  f.emit('end');
  return f;
}

/** The GEMM module of one dtype and micro-kernel shape: macro, pack, packStripB (and packStripA), gemvDot, gemvAxpy. */
export function buildGemmModule(dtype: FloatDType, shape: MicroShape): Uint8Array {
  const t = LANES[dtype];
  if (shape.nr % t.lanes !== 0 || shape.mr < 1 || shape.ku < 1)
    throw new RangeError(`internal: micro-kernel ${shape.mr}x${shape.nr} does not fit ${t.lanes} lanes`);
  const functions = [
    { name: 'macro', body: emitMacroKernel(t, shape) },
    { name: 'pack', body: emitPack(t) },
    { name: 'packStripB', body: emitPackStrip(t, shape.nr) },
    { name: 'gemvDot', body: emitGemvDot(t) },
    { name: 'gemvAxpy', body: emitGemvAxpy(t) },
  ];
  if (shape.mr % t.lanes === 0) functions.push({ name: 'packStripA', body: emitPackStrip(t, shape.mr) });
  return encodeModule(functions);
}

// ---------------------------------------------------------------------------------------------------------------
// Instances

type I32Fn = (...args: number[]) => void;
interface GemmRoutines {
  readonly dtype: FloatDType;
  readonly shape: MicroShape;
  readonly bytes: Uint8Array;
  readonly macro: I32Fn;
  readonly pack: I32Fn;
  readonly packStripA: I32Fn | undefined;
  readonly packStripB: I32Fn;
  readonly gemvDot: I32Fn;
  readonly gemvAxpy: I32Fn;
}

const instances = new Map<string, GemmRoutines>();

/** The compiled routines of `dtype` with the configured micro-kernel shape (built once per shape). */
export function gemmRoutines(dtype: FloatDType): GemmRoutines {
  const shape = wasmGemmOptions.shapes[dtype];
  const key = `${dtype}:${shape.mr}x${shape.nr}x${shape.ku}`;
  let r = instances.get(key);
  if (!r) {
    const bytes = buildGemmModule(dtype, shape);
    const { exports } = new wasm!.Instance(new wasm!.Module(bytes), { env: { memory: arena.memory } });
    const fn = (name: string) => exports[name] as I32Fn;
    r = {
      dtype,
      shape: { ...shape },
      bytes,
      macro: fn('macro'),
      pack: fn('pack'),
      packStripA: exports['packStripA'] as I32Fn | undefined,
      packStripB: fn('packStripB'),
      gemvDot: fn('gemvDot'),
      gemvAxpy: fn('gemvAxpy'),
    };
    instances.set(key, r);
  }
  return r;
}

let wasmProducts = 0;
/** How many products (GEMM or matrix-vector) ran in wasm (for tests). */
export const wasmGemmCalls = () => wasmProducts;

// ---------------------------------------------------------------------------------------------------------------
// Operands in the arena

/** A strided matrix in the arena: element (i, j) at byte `addr + i·rs + j·cs`. */
interface Placed {
  readonly addr: number;
  readonly rs: number;
  readonly cs: number;
}

const ALIGN = 64;
const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;
const arrayOf = (dtype: FloatDType) => (dtype === 'float32' ? Float32Array : Float64Array);

/** Whether `data` is a `dtype` array over the arena's memory (then wasm reads it in place). */
function inArena(data: FloatArray, dtype: FloatDType): boolean {
  return data instanceof arrayOf(dtype) && data.buffer === arena.buffer;
}

/** The element range [lo, hi] a view touches (strides may be negative). */
function spanOf(v: MatrixView<FloatArray>): [number, number] {
  const dr = (v.rows - 1) * v.rowStride;
  const dc = (v.cols - 1) * v.colStride;
  return [v.offset + Math.min(0, dr) + Math.min(0, dc), v.offset + Math.max(0, dr) + Math.max(0, dc)];
}

/**
 * How an operand gets into the arena: in place (`bytes` 0), as its span copied with its strides (when the span
 * is at most twice the view), or gathered into a contiguous copy, row-major (`gather`) or column-major
 * (`gatherColumns`).
 */
interface Placement {
  readonly view: MatrixView<FloatArray>;
  readonly kind: 'inPlace' | 'span' | 'gather' | 'gatherColumns';
  readonly bytes: number;
}

function planPlacement(view: MatrixView<FloatArray>, dtype: FloatDType): Placement {
  const size = LANES[dtype].bytes;
  if (inArena(view.data, dtype)) return { view, kind: 'inPlace', bytes: 0 };
  const [lo, hi] = spanOf(view);
  const span = hi - lo + 1;
  if (span <= 2 * view.rows * view.cols) return { view, kind: 'span', bytes: roundUp(span * size, ALIGN) };
  return { view, kind: 'gather', bytes: roundUp(view.rows * view.cols * size, ALIGN) };
}

/** Copies the operand in at `addr` (unless in place); its placement in the arena. Call after the arena grew. */
function place(p: Placement, dtype: FloatDType, addr: number, buffer: ArrayBuffer): Placed {
  const { view } = p;
  const size = LANES[dtype].bytes;
  if (p.kind === 'inPlace') {
    return { addr: view.data.byteOffset + view.offset * size, rs: view.rowStride * size, cs: view.colStride * size };
  }
  const View = arrayOf(dtype);
  if (p.kind === 'span') {
    const [lo, hi] = spanOf(view);
    new View(buffer, addr, hi - lo + 1).set(view.data.subarray(lo, hi + 1));
    return { addr: addr + (view.offset - lo) * size, rs: view.rowStride * size, cs: view.colStride * size };
  }
  const out = new View(buffer, addr, view.rows * view.cols);
  const { data, rows, cols, rowStride, colStride } = view;
  const columns = p.kind === 'gatherColumns';
  // row-major: consecutive j; column-major: consecutive i
  const [outer, inner, outerStride, innerStride] = columns
    ? [cols, rows, colStride, rowStride]
    : [rows, cols, rowStride, colStride];
  let o = 0;
  for (let u = 0; u < outer; u++) {
    let q = view.offset + u * outerStride;
    for (let v = 0; v < inner; v++, q += innerStride) out[o++] = data[q]!;
  }
  return columns ? { addr, rs: size, cs: rows * size } : { addr, rs: cols * size, cs: size };
}

/**
 * Runs `use` with one scratch block of the arena holding regions of the given byte sizes (64-byte aligned; their
 * addresses, and the memory's buffer taken after the allocation), given back when `use` returns or throws. False,
 * running nothing, when the block does not fit now (past MAX_ARENA_BYTES, or the arena may not grow while pooled
 * buffers are live): the product then runs the JS GEMM. Operands living in the arena are pooled blocks of their
 * own, which the scratch block never overlaps.
 */
function withScratch(sizes: readonly number[], use: (addrs: number[], buffer: ArrayBuffer) => void): boolean {
  let total = 0;
  const offsets = sizes.map((s) => ((total += roundUp(s, ALIGN)), total - roundUp(s, ALIGN)));
  if (total + ALIGN > MAX_ARENA_BYTES) return false;
  const block = arena.alloc(total + ALIGN, 'scratch');
  if (block < 0) return false;
  try {
    const base = roundUp(block, ALIGN);
    use(
      offsets.map((o) => base + o),
      arena.buffer,
    );
    return true;
  } finally {
    arena.release(block, 'scratch');
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The driver

/**
 * `c[cOffset + i·n + j] = Σ_p a[i, p] b[p, j]` (a FloatGemm, see runtime/matmul.ts): in wasm for products of at
 * least `minGemmMacs` multiply-adds (matrix-vector: `minGemvElements`), in `dtype` arithmetic; smaller ones, and
 * every product on an engine without WebAssembly SIMD, run the JavaScript GEMM.
 */
export function wasmGemm(
  a: MatrixView<FloatArray>,
  b: MatrixView<FloatArray>,
  c: FloatArray,
  cOffset: number,
  dtype: FloatDType,
): void {
  const m = a.rows;
  const n = b.cols;
  const k = a.cols;
  // empty products (the JS GEMM writes the zeros of k = 0) and engines without SIMD: the JS GEMM
  if (m * n * k === 0 || !wasmSimdAvailable()) return gemmFloat(a, b, c, cOffset);
  if (m === 1 || n === 1) {
    if (m * n * k < wasmGemmOptions.minGemvElements) return gemmFloat(a, b, c, cOffset);
    const matrix = n === 1 ? a : transposeView(b);
    const vector = n === 1 ? b : transposeView(a);
    if (!gemv(matrix, vector, c, cOffset, dtype)) gemmFloat(a, b, c, cOffset);
    return;
  }
  if (m * n * k < wasmGemmOptions.minGemmMacs) return gemmFloat(a, b, c, cOffset);
  if (!blockedGemm(a, b, c, cOffset, dtype)) gemmFloat(a, b, c, cOffset);
}

/** The blocked product: operands placed, B panels and A blocks packed, the macro-kernel per block, C copied out
 * (false, doing nothing, when its scratch would not fit the arena). */
function blockedGemm(
  a: MatrixView<FloatArray>,
  b: MatrixView<FloatArray>,
  c: FloatArray,
  cOffset: number,
  dtype: FloatDType,
): boolean {
  const r = gemmRoutines(dtype);
  const { mr, nr, ku } = r.shape;
  const size = LANES[dtype].bytes;
  const [m, n, k] = [a.rows, b.cols, a.cols];
  const { kc: KC, nc: NC } = wasmGemmOptions;
  const MC = roundUp(wasmGemmOptions.mc, mr);
  const kcMax = roundUp(Math.min(KC, k), ku);
  const ncMax = roundUp(Math.min(NC, n), nr);
  const [mPad, nPad] = [roundUp(m, mr), roundUp(n, nr)];
  // C straight into the caller's array when it lives in the arena and is whole tiles; else a padded scratch C
  const direct = inArena(c, dtype) && m === mPad && n === nPad;
  const pa = planPlacement(a, dtype);
  const pb = planPlacement(b, dtype);
  const cAddrDirect = c.byteOffset + cOffset * size;
  const sizes = [pa.bytes, pb.bytes, MC * kcMax * size, kcMax * ncMax * size, direct ? 0 : mPad * nPad * size];
  return withScratch(sizes, (addrs, buffer) => {
    const A = place(pa, dtype, addrs[0]!, buffer);
    const B = place(pb, dtype, addrs[1]!, buffer);
    const [packedA, packedB] = [addrs[2]!, addrs[3]!];
    const cAddr = direct ? cAddrDirect : addrs[4]!;
    const ldc = nPad * size;
    for (let jc = 0; jc < n; jc += NC) {
      const nc = Math.min(NC, n - jc);
      for (let pc = 0; pc < k; pc += KC) {
        const kc = Math.min(KC, k - pc);
        const kcp = roundUp(kc, ku);
        // B[pc:pc+kc, jc:jc+nc] as strips over j (rows of Bᵀ)
        packBlock(
          r,
          nr,
          buffer,
          { addr: B.addr + pc * B.rs + jc * B.cs, rs: B.cs, cs: B.rs },
          nc,
          kc,
          kcp,
          packedB,
          r.packStripB,
        );
        for (let ic = 0; ic < m; ic += MC) {
          const mc = Math.min(MC, m - ic);
          packBlock(
            r,
            mr,
            buffer,
            { addr: A.addr + ic * A.rs + pc * A.cs, rs: A.rs, cs: A.cs },
            mc,
            kc,
            kcp,
            packedA,
            r.packStripA,
          );
          const cBlock = cAddr + ic * ldc + jc * size;
          r.macro(packedA, packedB, cBlock, kcp, Math.ceil(mc / mr), Math.ceil(nc / nr), ldc, pc > 0 ? 1 : 0);
        }
      }
    }
    if (!direct) copyOut(new (arrayOf(dtype))(buffer, cAddr, mPad * nPad), nPad, m, n, c, cOffset);
    wasmProducts++;
  });
}

/**
 * Packs a `rows x cols` block (element (i, p) at `src.addr + i·rs + p·cs`) as `width`-high strips of `kcp`
 * steps at `dst`, zero-padding the last strip's missing rows and the steps past `cols`.
 */
function packBlock(
  r: GemmRoutines,
  width: number,
  buffer: ArrayBuffer,
  src: Placed,
  rows: number,
  cols: number,
  kcp: number,
  dst: number,
  strip: I32Fn | undefined,
): void {
  const size = LANES[r.dtype].bytes;
  const strips = Math.ceil(rows / width);
  if (rows % width !== 0 || kcp !== cols) new (arrayOf(r.dtype))(buffer, dst, strips * width * kcp).fill(0);
  const contiguous = strip !== undefined && src.rs === size;
  for (let s = 0; s < strips; s++) {
    const h = Math.min(width, rows - s * width);
    const from = src.addr + s * width * src.rs;
    const to = dst + s * width * kcp * size;
    if (contiguous && h === width) strip(from, src.cs, cols, to);
    else r.pack(from, src.rs, src.cs, h, cols, to, width * size);
  }
}

/** The m x n corner of the padded scratch C (row stride `ld`) into `c` at `cOffset`, row-major. */
function copyOut(scratch: FloatArray, ld: number, m: number, n: number, c: FloatArray, cOffset: number): void {
  if (ld === n) {
    c.set(scratch.subarray(0, m * n), cOffset);
    return;
  }
  for (let i = 0; i < m; i++) c.set(scratch.subarray(i * ld, i * ld + n), cOffset + i * n);
}

/** Matrix elements a matrix-vector product copies into the arena at a time (the copy is then read from L2). */
const GEMV_CHUNK = 1 << 15;

/**
 * y = M x (M rows x cols, x a cols x 1 view) into `c` at `cOffset`: the dot form when M's rows are contiguous,
 * the axpy form when its columns are, and otherwise M gathered row-major (dot form). A matrix that is not in the
 * arena is copied in by chunks of rows (dot) or columns (axpy) of about GEMV_CHUNK elements, each used at once:
 * the product reads memory once more than in place, from cache, instead of a second pass over a large matrix.
 * False (nothing done) when its scratch would not fit the arena.
 */
function gemv(
  matrix: MatrixView<FloatArray>,
  vector: MatrixView<FloatArray>,
  c: FloatArray,
  cOffset: number,
  dtype: FloatDType,
): boolean {
  const r = gemmRoutines(dtype);
  const size = LANES[dtype].bytes;
  const { rows, cols } = matrix;
  const byCols = matrix.colStride !== 1 && matrix.rowStride === 1;
  const whole = inArena(matrix.data, dtype);
  // the outer dimension is walked in chunks: rows for the dot form, columns for the axpy form
  const outer = byCols ? cols : rows;
  const inner = byCols ? rows : cols;
  const step = whole ? outer : Math.max(1, Math.floor(GEMV_CHUNK / inner));
  const chunk = (from: number, count: number): Placement => {
    const v = byCols
      ? { ...matrix, offset: matrix.offset + from * matrix.colStride, cols: count }
      : { ...matrix, offset: matrix.offset + from * matrix.rowStride, rows: count };
    const p = planPlacement(v, dtype);
    // a gathered chunk keeps the layout of the form that reads it; a span copy keeps M's strides
    if (p.kind !== 'gather' && (byCols || matrix.colStride === 1)) return p;
    return { view: v, kind: byCols ? 'gatherColumns' : 'gather', bytes: roundUp(v.rows * v.cols * size, ALIGN) };
  };
  const first = chunk(0, Math.min(step, outer));
  return withScratch([first.bytes, cols * size, rows * size], (addrs, buffer) => {
    const [xAddr, yAddr] = [addrs[1]!, addrs[2]!];
    const View = arrayOf(dtype);
    const x = new View(buffer, xAddr, cols);
    for (let p = 0, q = vector.offset; p < cols; p++, q += vector.rowStride) x[p] = vector.data[q]!;
    const y = new View(buffer, yAddr, rows);
    if (byCols) y.fill(0);
    for (let from = 0; from < outer; from += step) {
      const count = Math.min(step, outer - from);
      const M = place(from === 0 ? first : chunk(from, count), dtype, addrs[0]!, buffer);
      if (byCols) r.gemvAxpy(M.addr, M.cs, rows, count, xAddr + from * size, yAddr);
      else r.gemvDot(M.addr, M.rs, count, cols, xAddr, yAddr + from * size);
    }
    c.set(y, cOffset);
    wasmProducts++;
  });
}
