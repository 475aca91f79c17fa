/**
 * Loop kernels: the IR of a fused elementwise subgraph (optionally folded into a reduction) and the JavaScript
 * source rendered from it. A kernel is IR first and source second, so another backend (WebAssembly) can render
 * the same IR. Kernels are cached by structure: two functions with the same fused subgraph share compiled code.
 *
 * The source contains only identifiers and numbers made here and the `emit` templates of the scalar table:
 * never a name or a string from a user's graph.
 */
import type { ScalarOpName } from '../ops/scalar.js';
import * as special from '../ops/special.js';
import type { ReduceKind } from '../ops/reduce.js';
import { NDArray } from '../runtime/ndarray.js';
import type { DType } from '../types/dtype.js';
import { lowerKernel } from './loop-ir.js';
import { renderJs } from './render-js.js';

export { opExpression } from './render-js.js';

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

/** Renders the kernel's source (a factory body that returns the kernel function): the loop IR, written as JS. */
export function renderKernel(ir: KernelIR): { source: string; helpers: unknown[] } {
  return renderJs(lowerKernel(ir));
}
