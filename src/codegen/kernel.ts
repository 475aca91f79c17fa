/**
 * Loop kernels: the IR of a fused elementwise subgraph (optionally folded into a reduction) and the JavaScript
 * source rendered from it. A kernel is IR first and source second, so another backend (WebAssembly) can render
 * the same IR. Kernels are cached by structure: two functions with the same fused subgraph share compiled code.
 *
 * The source contains only identifiers and numbers made here and the `emit` templates of the scalar table:
 * never a name or a string from a user's graph.
 */
import { SCALAR_OPS, type ScalarOpName } from '../ops/scalar.js';
import * as special from '../ops/special.js';
import type { ReduceKind } from '../ops/reduce.js';
import { NDArray } from '../runtime/ndarray.js';
import { DTYPES, isFloat, type DType } from '../types/dtype.js';

/** An operand of a kernel op: external input `k` is `k`; the result of op `j` is `nInputs + j`. */
export type Ref = number;

export interface KernelInput {
  readonly dtype: DType;
  readonly rank: number;
  /** Statically one element (every static dim is 1): read once, outside the loop. */
  readonly scalar: boolean;
}

export interface KernelOp {
  readonly op: ScalarOpName;
  readonly args: readonly Ref[];
  /** The dtypes of the operands and of the result (they choose float, wrapping-integer or bool math). */
  readonly inDtypes: readonly DType[];
  readonly dtype: DType;
}

export interface KernelReduce {
  readonly kind: ReduceKind;
  readonly axes: readonly number[];
  readonly keepdims: boolean;
  readonly dtype: DType;
  /** The reduced value (an input or an op result). */
  readonly value: Ref;
}

/** One loop over a shape of rank `rank`: the elementwise ops, then either stored outputs or one reduction. */
export interface KernelIR {
  readonly rank: number;
  readonly inputs: readonly KernelInput[];
  readonly ops: readonly KernelOp[];
  /**
   * Stored results (elementwise kernels). `deps`: the inputs the result depends on when that is not all of them;
   * its run-time shape must then still be the loop's shape (checked; otherwise the kernel declines).
   */
  readonly outputs: readonly { readonly ref: Ref; readonly deps: readonly number[] | null }[];
  readonly reduce: KernelReduce | null;
}

/**
 * A compiled kernel: called with the input arrays and an allocator for output `j` of `size` elements. Returns the
 * outputs, or null when the run-time shapes do not fit one loop (inputs that do not broadcast, an output smaller
 * than the loop, an empty max/min): the caller then runs the nodes with the reference evaluator, which computes
 * them or raises the precise error.
 */
export type Kernel = (...args: unknown[]) => NDArray[] | null;
export type Allocator = (output: number, size: number) => ArrayLike<number>;

export interface CompiledKernel {
  readonly key: string;
  readonly source: string;
  readonly fn: Kernel;
}

// A plain object of the helper functions: a module namespace object may read each property through a getter
// (bundlers emit getters), which would cost a call per element.
const HELPERS: typeof special = { ...special };

const cache = new Map<string, CompiledKernel>();
const MAX_CACHED_KERNELS = 4096;
let compiles = 0;

/** How many kernels were compiled and how many are cached (for tests and profiling). */
export function kernelCacheStats(): { readonly size: number; readonly compiles: number } {
  return { size: cache.size, compiles };
}

/** The compiled kernel for `ir`, from the cache when a kernel of the same structure was compiled before. */
export function compileKernel(ir: KernelIR): CompiledKernel {
  const key = JSON.stringify(ir);
  const hit = cache.get(key);
  if (hit) return hit;
  const { source, helpers } = renderKernel(ir);
  // new Function sees only what we pass: the special-function helpers ($), NDArray and the helper table.
  const factory = new Function('$', 'NDArray', 'H', source) as (
    s: typeof special,
    nd: typeof NDArray,
    h: readonly unknown[],
  ) => Kernel;
  const compiled = { key, source, fn: factory(HELPERS, NDArray, helpers) };
  compiles++;
  // bounded: a long-running program that compiles many different functions keeps the most recent kernels
  if (cache.size >= MAX_CACHED_KERNELS) cache.delete(cache.keys().next().value!);
  cache.set(key, compiled);
  return compiled;
}

const checkDType = (d: DType): string => {
  if (!DTYPES.includes(d)) throw new Error(`internal: unknown dtype in kernel IR`);
  return `'${d}'`;
};

/** `expr` as a value of `dtype`: what storing it in that dtype's typed array would give. */
function wrap(expr: string, dtype: DType): string {
  switch (dtype) {
    case 'float64':
      return expr;
    case 'float32':
      return `Math.fround(${expr})`;
    case 'int32':
      return `(${expr} | 0)`;
    case 'int16':
      return `((${expr} << 16) >> 16)`;
    case 'int8':
      return `((${expr} << 24) >> 24)`;
    case 'uint32':
      return `(${expr} >>> 0)`;
    case 'uint16':
      return `(${expr} & 65535)`;
    case 'uint8':
      return `(${expr} & 255)`;
    case 'bool':
      return `(${expr} !== 0 ? 1 : 0)`;
    case 'int64':
      throw new Error('internal: int64 is not generated (it runs exact bigint math in the reference evaluator)');
  }
}

/** Ops whose emitted expression already is 0 or 1. */
const ZERO_ONE = new Set<string>(['lt', 'gt', 'le', 'ge', 'eq', 'neq', 'isnan', 'isinf']);

/**
 * The JS expression of one op over operand expressions, with the same math the reference evaluator chooses
 * (`chooseKernel` in ops/elemwise.ts): wrapping integer variants for integer results, bool not for `invert`.
 */
export function opExpression(
  k: KernelOp,
  args: readonly string[],
  helper: (f: unknown) => string,
  storedOnly: boolean,
): string {
  const s = SCALAR_OPS[k.op];
  const operands = s.output === 'branches' ? k.inDtypes.slice(1) : k.inDtypes;
  const integral = operands.every((d) => !isFloat(d));
  let expr: string;
  if (s.name === 'invert' && k.dtype === 'bool') expr = `(${args[0]} !== 0 ? 0 : 1)`;
  else if (integral && !isFloat(k.dtype) && s.intImpl) expr = `${helper(s.intImpl)}(${args.join(', ')})`;
  else expr = s.emit(args);
  // a value only stored needs no explicit rounding or wrapping: the typed array's store does exactly that
  // (except for bool, whose Uint8Array would keep a 2)
  if (ZERO_ONE.has(s.name) || (storedOnly && k.dtype !== 'bool')) return expr;
  return wrap(expr, k.dtype);
}

const REDUCE_INIT: { [K in ReduceKind]: string } = {
  sum: '0',
  prod: '1',
  max: '-Infinity',
  min: 'Infinity',
  all: '1',
  any: '0',
};
/** The statement folding value `v` into accumulator `a`. */
function reduceStep(kind: ReduceKind, a: string, v: string): string {
  switch (kind) {
    case 'sum':
      return `${a} += ${v};`;
    case 'prod':
      return `${a} *= ${v};`;
    case 'max': // NaN propagates as in numpy: once the accumulator is NaN, nothing is greater
      return `if (${v} > ${a} || ${v} !== ${v}) ${a} = ${v};`;
    case 'min':
      return `if (${v} < ${a} || ${v} !== ${v}) ${a} = ${v};`;
    case 'all':
      return `if (${v} === 0) ${a} = 0;`;
    case 'any':
      return `if (${v} !== 0) ${a} = 1;`;
  }
}

/** Bits of magnitude of each dtype's values (float dtypes never reach an int64 sum). */
const INPUT_BITS: { readonly [D in DType]: number } = {
  bool: 1,
  int8: 8,
  uint8: 8,
  int16: 16,
  uint16: 16,
  int32: 32,
  uint32: 32,
  int64: 64,
  float32: 53,
  float64: 53,
};

/** The dtype of the value a reduction folds. */
function inputDType(ir: KernelIR): DType {
  const v = ir.reduce!.value;
  return v < ir.inputs.length ? ir.inputs[v]!.dtype : ir.ops[v - ir.inputs.length]!.dtype;
}

/** Renders the kernel's source: a factory body that returns the kernel function. */
export function renderKernel(ir: KernelIR): { source: string; helpers: unknown[] } {
  const { rank: r, inputs, ops, reduce } = ir;
  const nIn = inputs.length;
  const helpers: unknown[] = [];
  const helper = (f: unknown) => {
    let i = helpers.indexOf(f);
    if (i < 0) i = helpers.push(f) - 1;
    return `h${i}`;
  };
  const lines: string[] = [];
  const add = (depth: number, line: string) => lines.push(`${'  '.repeat(depth - 1)}${line}`);
  const args = inputs.map((_, k) => `a${k}`);
  const dims = Array.from({ length: r }, (_, d) => `n${d}`);
  const refName = (ref: Ref) => (ref < nIn ? `x${ref}` : `t${ref - nIn}`);
  const read = new Set<Ref>([...ops.flatMap((op) => op.args), ...(reduce ? [reduce.value] : [])]);
  const storedOnly = ops.map((_, j) => !read.has(nIn + j));

  add(1, `return function kernel(${[...args, 'alloc'].join(', ')}) {`);
  inputs.forEach((_, k) => add(2, `const d${k} = a${k}.data, o${k} = a${k}.offset;`));
  // the loop shape: numpy broadcasting of every non-scalar input (inputs of lower rank align on the right)
  if (r > 0) add(2, `let ${dims.map((n) => `${n} = 1`).join(', ')}, t;`);
  inputs.forEach((inp, k) => {
    if (inp.scalar) return;
    for (let i = 0; i < inp.rank; i++) {
      const n = dims[r - inp.rank + i]!;
      add(2, `t = a${k}.shape[${i}]; if (t !== 1) { if (${n} === 1) ${n} = t; else if (${n} !== t) return null; }`);
    }
  });
  add(2, `const n = ${r > 0 ? dims.join(' * ') : '1'};`);
  // an output that depends on only some inputs must still span the whole loop
  ir.outputs.forEach((out) => {
    if (!out.deps) return;
    for (let d = 0; d < r; d++) {
      const reads = out.deps
        .filter((k) => !inputs[k]!.scalar && inputs[k]!.rank >= r - d)
        .map((k) => `a${k}.shape[${d - (r - inputs[k]!.rank)}]`);
      const spans = reads.length ? reads.map((s) => `${s} === ${dims[d]}`).join(' || ') : 'false';
      add(2, `if (${dims[d]} !== 1 && !(${spans})) return null;`);
    }
  });

  // values read once: statically scalar inputs
  inputs.forEach((inp, k) => {
    if (inp.scalar) add(2, `const x${k} = d${k}[o${k}];`);
  });
  const body = (depth: number, index: (k: number) => string): string => {
    inputs.forEach((inp, k) => {
      if (!inp.scalar) add(depth, `const x${k} = d${k}[${index(k)}];`);
    });
    ops.forEach((op, j) =>
      add(depth, `const t${j} = ${opExpression(op, op.args.map(refName), helper, storedOnly[j]!)};`),
    );
    return reduce ? refName(reduce.value) : '';
  };

  // the flat path: every non-scalar input holds exactly the loop's elements, contiguously
  const flatTest = inputs.flatMap((inp, k) => (inp.scalar ? [] : [`a${k}.size === n && a${k}.isContiguous`]));
  const flat = flatTest.length ? flatTest.join(' && ') : 'true';
  // strides per input and loop dimension (0 where the input broadcasts)
  const declareStrides = (depth: number) => {
    inputs.forEach((inp, k) => {
      if (inp.scalar) return;
      for (let i = 0; i < inp.rank; i++) {
        const d = r - inp.rank + i;
        add(depth, `const s${k}_${d} = a${k}.shape[${i}] === 1 ? 0 : a${k}.strides[${i}];`);
      }
    });
  };
  const strideOf = (k: number, d: number) => (inputs[k]!.scalar || d < r - inputs[k]!.rank ? null : `s${k}_${d}`);
  /** Opens the nested loops; `inner(depth)` writes the innermost body. */
  const nest = (
    depth: number,
    extra: { pos: string; stride: (d: number) => string | null } | null,
    before: (d: number, depth: number) => void,
    inner: (depth: number) => void,
    after: (d: number, depth: number) => void,
  ) => {
    const streams = inputs.flatMap((inp, k) =>
      inp.scalar ? [] : [{ pos: `p${k}`, start: `o${k}`, stride: (d: number) => strideOf(k, d) }],
    );
    if (extra) streams.push({ pos: extra.pos, start: '0', stride: extra.stride });
    for (let d = 0; d < r; d++) {
      for (const s of streams) add(depth, `let ${s.pos}_${d} = ${d === 0 ? s.start : `${s.pos}_${d - 1}`};`);
      before(d, depth);
      const incs = streams.flatMap((s) => (s.stride(d) ? [`${s.pos}_${d} += ${s.stride(d)}`] : []));
      add(depth, `for (let j${d} = 0; j${d} < n${d}; ${[`j${d}++`, ...incs].join(', ')}) {`);
      depth++;
    }
    inner(depth);
    for (let d = r - 1; d >= 0; d--) {
      depth--;
      add(depth, '}');
      after(d, depth);
    }
  };

  if (!reduce) {
    ir.outputs.forEach((_, j) => add(2, `const r${j} = alloc(${j}, n);`));
    const store = (depth: number, at: string) =>
      ir.outputs.forEach((o, j) => add(depth, `r${j}[${at}] = ${refName(o.ref)};`));
    if (r === 0) {
      body(2, (k) => `o${k}`);
      store(2, '0');
    } else {
      add(2, `if (${flat}) {`);
      add(3, 'for (let i = 0; i < n; i++) {');
      body(4, (k) => `o${k} + i`);
      store(4, 'i');
      add(3, '}');
      add(2, '} else {');
      declareStrides(3);
      add(3, 'let q = 0;');
      nest(
        3,
        null,
        () => {},
        (depth) => {
          body(depth, (k) => `p${k}_${r - 1}`);
          store(depth, 'q');
          add(depth, 'q++;');
        },
        () => {},
      );
      add(2, '}');
    }
    const shape = `[${dims.join(', ')}]`;
    add(
      2,
      `return [${ir.outputs.map((_, j) => `new NDArray(${checkDType(ops[ir.outputs[j]!.ref - nIn]?.dtype ?? inputs[ir.outputs[j]!.ref]!.dtype)}, ${shape}, r${j})`).join(', ')}];`,
    );
  } else {
    const { kind, axes, keepdims, dtype } = reduce;
    const reduced = (d: number) => axes.includes(d);
    if (dtype === 'int64') {
      // exact in float64 while every partial sum stays below 2^53: at most 2^(53 - bits) terms of a bits-wide input
      const bits = INPUT_BITS[inputDType(ir)];
      const len = axes.length ? axes.map((d) => dims[d]).join(' * ') : '1';
      add(2, `if (${len} > ${2 ** (53 - bits)}) return null;`);
    }
    if (kind === 'max' || kind === 'min') {
      const len = axes.length ? axes.map((d) => dims[d]).join(' * ') : '1';
      add(2, `if (${len} === 0) return null;`); // no identity: the reference evaluator raises the error
    }
    // output strides over the loop dims (0 on reduced dims), row-major over the kept dims
    add(2, 'let z = 1;');
    for (let d = r - 1; d >= 0; d--) if (!reduced(d)) add(2, `const u${d} = z; z *= n${d};`);
    const outShape = dims.flatMap((n, d) => (reduced(d) ? (keepdims ? ['1'] : []) : [n]));
    add(2, 'const r0 = alloc(0, z);');
    // accumulate in float64 unless the output already is (or the reduction only writes 0/1)
    const direct = dtype === 'float64' || kind === 'all' || kind === 'any';
    add(2, `const A = ${direct ? 'r0' : 'new Float64Array(z)'};`);
    add(2, `for (let q = 0; q < z; q++) A[q] = ${REDUCE_INIT[kind]};`);
    const allReduced = Array.from({ length: r }, (_, d) => d).every(reduced);
    if (allReduced) {
      add(2, `let acc = ${REDUCE_INIT[kind]};`);
      add(2, `if (${flat}) {`);
      add(3, 'for (let i = 0; i < n; i++) {');
      add(
        4,
        reduceStep(
          kind,
          'acc',
          body(4, (k) => `o${k} + i`),
        ),
      );
      add(3, '}');
      add(2, '} else {');
      declareStrides(3);
      nest(
        3,
        null,
        () => {},
        (depth) =>
          add(
            depth,
            reduceStep(
              kind,
              'acc',
              body(depth, (k) => `p${k}_${r - 1}`),
            ),
          ),
        () => {},
      );
      add(2, '}');
      add(2, 'A[0] = acc;');
    } else {
      declareStrides(2);
      const innerReduced = reduced(r - 1);
      nest(
        2,
        { pos: 'q', stride: (d) => (reduced(d) ? null : `u${d}`) },
        (d, depth) => {
          if (d === r - 1 && innerReduced) add(depth, `let acc = A[q_${d}];`);
        },
        (depth) => {
          const v = body(depth, (k) => `p${k}_${r - 1}`);
          if (innerReduced) add(depth, reduceStep(kind, 'acc', v));
          else add(depth, reduceStep(kind, `A[q_${r - 1}]`, v));
        },
        (d, depth) => {
          if (d === r - 1 && innerReduced) add(depth, `A[q_${d}] = acc;`);
        },
      );
    }
    if (!direct) add(2, `for (let q = 0; q < z; q++) r0[q] = ${dtype === 'int64' ? 'BigInt(A[q])' : 'A[q]'};`);
    add(2, `return [new NDArray(${checkDType(dtype)}, [${outShape.join(', ')}], r0)];`);
  }
  add(1, '};');
  const prelude = ["'use strict';", ...helpers.map((_, i) => `  const h${i} = H[${i}];`)];
  return { source: [...prelude, ...lines].join('\n'), helpers };
}
