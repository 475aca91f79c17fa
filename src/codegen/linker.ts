/**
 * The linker: turns an optimized FunctionGraph into one generated JavaScript function that runs its steps
 * (fused loop kernels, views, runtime kernels), with a memory plan:
 *
 * - every value is named by a local the linker makes (`v3`); the source holds no user text;
 * - a buffer of a kernel's output that is neither returned nor stored in a shared variable comes from a pool
 *   owned by the compiled function, and goes back to it after its last reader (a view keeps its base alive), so
 *   intermediates share buffers when their lifetimes do not overlap and nothing is allocated after the first call
 *   with the same shapes;
 * - an elementwise kernel may write its output over an input whose last reader it is (inplace: the loop reads
 *   element i before it writes element i);
 * - returned values and update values are fresh arrays on every call (Theano's `borrow=False`); a returned value
 *   that would alias an input, a shared value or another returned value is copied by the caller (`copyOutput`).
 */
import type { FunctionGraph } from '../graph/function-graph.js';
import { evaluateNodes, leafValue, NodeError, runNode } from '../graph/evaluate.js';
import { graphInputs } from '../graph/traversal.js';
import { isInnerGraphOp, type InnerRunner } from '../ops/inner-graph.js';
import type { Apply, Variable } from '../graph/variable.js';
import { NDArray, shapeSize } from '../runtime/ndarray.js';
import { allocStorage, STORAGE, type DType } from '../types/dtype.js';
import { compileKernel, type Allocator, type CompiledKernel, type Kernel } from './kernel.js';
import { planSteps, stepOutputs, type Step } from './fusion.js';
import { SCAN } from '../ops/scan.js';
import { compileScalarScan, type ScanLoop } from './scan-loop.js';
import { compileWasmKernel, countCopiedIn, wasmOptions, wasmSimdAvailable, wasmStats } from '../wasm/kernel.js';
import { checkKernelCall, referenceValues } from '../wasm/check.js';
import { arena } from '../wasm/arena.js';
import { wasmGemm } from '../wasm/gemm.js';
import type { RuntimeKernels } from '../graph/op.js';

/** The run-time kernels of the `wasm` backend: its GEMM (products too small for it run the JS one inside). */
const WASM_KERNELS: RuntimeKernels = { floatGemm: wasmGemm };

let warnedNoWasm = false;
/**
 * The wasm linker (FAST_RUN's default) on an engine without WebAssembly SIMD is the 'js' linker: every kernel is
 * JavaScript and the pool is JavaScript memory. It says so once per process.
 */
function warnIfNoWasm(): void {
  if (warnedNoWasm || wasmSimdAvailable()) return;
  warnedNoWasm = true;
  console.warn(
    "theano-ts: this engine lacks WebAssembly SIMD; the 'wasm' linker (FAST_RUN's default) falls back to the 'js' linker",
  );
}

/** Buffers by dtype and length, reused across steps and calls of one compiled function. */
export class BufferPool {
  private readonly free = new Map<string, ArrayLike<number>[]>();
  /** Every buffer this pool made: only those come back (an op may ignore its allocator). */
  private readonly issued = new WeakSet<object>();
  /** Buffers allocated so far (a second call with the same shapes allocates none). */
  allocated = 0;

  take(dtype: DType, size: number): ArrayLike<number> {
    const list = this.free.get(`${dtype}:${size}`);
    if (list && list.length > 0) return list.pop()!;
    this.allocated++;
    const data = allocStorage(dtype, size) as ArrayLike<number>;
    this.issued.add(data);
    return data;
  }

  /** A zero-filled array of `shape` (the allocator runtime ops receive). */
  zeros(dtype: DType, shape: readonly number[]): NDArray {
    const data = this.take(dtype, shapeSize(shape)) as unknown as { fill(v: number | bigint): void };
    data.fill(dtype === 'int64' ? 0n : 0);
    return NDArray.fresh(dtype, [...shape], data as never);
  }

  give(a: NDArray): void {
    if (!this.issued.has(a.data)) return;
    const key = `${a.dtype}:${a.data.length}`;
    let list = this.free.get(key);
    if (!list) {
      // a function called with ever new shapes keeps the buffers of the most recent sizes only
      if (this.free.size >= MAX_POOLED_SIZES) this.free.delete(this.free.keys().next().value!);
      this.free.set(key, (list = []));
    }
    list.push(a.data as ArrayLike<number>);
  }

  /** How many distinct dtype-and-length lists the pool keeps. */
  get sizes(): number {
    return this.free.size;
  }
}

/**
 * The pool of a function linked with the `'wasm'` linker: buffers of intermediates are blocks of the wasm arena
 * (`src/wasm/arena.ts`), so a wasm kernel reads its operands and writes its results there in place. A buffer is
 * a block of the arena; `take` makes a typed-array view of it from the arena's current buffer, and the arena
 * grows only while no pooled view is live, so no view is ever detached. A buffer given back after its last reader
 * serves the next value of the same dtype and length in the same call (as the JS pool), and every block goes
 * back to the arena when the outermost call ends (a call that threw included): between calls the pool holds no
 * arena memory, so any number of compiled functions and calls leave the arena bounded by the largest call's
 * peak. When the arena cannot give a block now (it would
 * have to grow while views are live), the buffer comes from JavaScript memory (a wasm kernel copies it), and
 * the arena grows to that demand when the next call starts.
 */
export class ArenaPool extends BufferPool {
  /** The arena blocks taken in the current call, by their view (given back or not). */
  private readonly blocks = new Map<ArrayLike<number>, number>();
  /** Blocks given back in this call, by dtype and length: reused as the JS pool reuses its buffers. */
  private readonly spare = new Map<string, ArrayLike<number>[]>();
  private depth = 0;
  /** Outermost calls begun: the first call of a program stages nothing (its kernels size the arena first). */
  private calls = 0;

  override take(dtype: DType, size: number): ArrayLike<number> {
    if (size === 0 || dtype === 'int64') return super.take(dtype, size);
    // within a call, a buffer is reused only by a value of the same dtype and length, as in the JS pool (the
    // linker's inplace rule relies on it: a loop never writes over a buffer it reads at other positions)
    const reused = this.spare.get(`${dtype}:${size}`)?.pop();
    if (reused) return reused;
    const ctor = STORAGE[dtype];
    const offset = arena.alloc(size * ctor.BYTES_PER_ELEMENT, 'pooled');
    if (offset < 0) return super.take(dtype, size);
    const view = new (ctor as unknown as new (b: ArrayBuffer, o: number, n: number) => ArrayLike<number>)(
      arena.buffer,
      offset,
      size,
    );
    this.blocks.set(view, offset);
    return view;
  }

  override give(a: NDArray): void {
    if (!this.blocks.has(a.data as ArrayLike<number>)) return super.give(a);
    const key = `${a.dtype}:${a.data.length}`;
    const list = this.spare.get(key);
    if (list) list.push(a.data as ArrayLike<number>);
    else this.spare.set(key, [a.data as ArrayLike<number>]);
  }

  /**
   * `a` copied into the arena for the rest of the call, when it is a caller's array (an input or a shared value)
   * that several steps read: each wasm step would otherwise copy it in on its own (a training step reads x in
   * the forward product and again, transposed, in the gradient's). Unchanged when small, of a dtype the wasm
   * kernels do not take, not row-major, already in the arena, or when the arena has no room without growing
   * (the growth is left to the kernels' own buffers; the next call's safe point makes room for both), and in
   * a program's first call.
   */
  stage(a: NDArray): NDArray {
    if (this.calls < 2 || !STAGED_DTYPES.has(a.dtype) || a.size < wasmOptions.minElements || !a.isContiguous) return a;
    if ((a.data as ArrayLike<number> & { buffer?: ArrayBuffer }).buffer === arena.buffer) return a;
    const ctor = STORAGE[a.dtype] as unknown as Float64ArrayConstructor;
    const offset = arena.alloc(a.size * ctor.BYTES_PER_ELEMENT, 'pooled', false);
    if (offset < 0) return a;
    const data = new ctor(arena.buffer, offset, a.size);
    this.blocks.set(data, offset);
    data.set((a.data as Float64Array).subarray(a.offset, a.offset + a.size));
    countCopiedIn();
    return new NDArray(a.dtype, a.shape, data as never);
  }

  /** A call starts: the outermost one is a safe point where the arena may grow. */
  begin(): void {
    if (this.depth++ === 0) {
      arena.prepare();
      this.calls++;
    }
  }

  /** A call ends: the outermost one returns every block it took to the arena (given back or not). */
  end(): void {
    if (--this.depth > 0) return;
    for (const offset of this.blocks.values()) arena.release(offset, 'pooled');
    this.blocks.clear();
    this.spare.clear();
  }

  /** Arena blocks this pool holds (0 between calls). */
  get liveBlocks(): number {
    return this.blocks.size;
  }
}

/** The dtypes whose arrays `ArenaPool.stage` copies into the arena (those the wasm kernels and GEMM read). */
const STAGED_DTYPES: ReadonlySet<DType> = new Set(['float32', 'float64', 'int32']);

/** The most buffer sizes a function's pool keeps (oldest size forgotten first). */
const MAX_POOLED_SIZES = 64;

/** Run time per step, summed over calls (with `profile: true`). */
export interface StepProfile {
  /** 'kernel' (a generated loop), 'view', or 'op' (a runtime kernel or reference implementation). */
  readonly kind: 'kernel' | 'view' | 'op';
  /** The ops the step runs, in order (a fused kernel runs several). */
  readonly ops: readonly string[];
  /** Total milliseconds over all calls. */
  readonly ms: number;
}

export interface LinkedProgram {
  /** Runs the graph on checked input arrays; returns the values of `graph.outputs`. */
  readonly run: (inputs: readonly NDArray[]) => NDArray[];
  /** Per graph output: whether the caller must copy it (it is a leaf's array, a view of one, or returned twice). */
  readonly copyOutput: readonly boolean[];
  /** The generated linker function, followed by the source of each kernel it calls. */
  readonly source: string;
  readonly steps: readonly Step[];
  readonly kernels: readonly CompiledKernel[];
  readonly pool: BufferPool;
  /** With `profile`: the time of each step so far. */
  readonly stepProfile: (() => StepProfile[]) | undefined;
}

export interface LinkOptions {
  /**
   * Returned values come from the pool too (for inner graphs whose caller copies the outputs before the next
   * call, as scan does each step): the caller gives them back with `pool.give`, so a loop allocates nothing after
   * its first step.
   */
  readonly pooledOutputs?: boolean;
  /** The pool of another program to share (a function's copy with `share: true`). */
  readonly pool?: BufferPool;
  /** 'wasm': kernels the WebAssembly renderer can write run as wasm (the others stay JS). Default 'js'. */
  readonly backend?: 'js' | 'wasm';
  /**
   * DEBUG mode: every kernel call is checked against the reference evaluator of its nodes (exact for JavaScript
   * kernels, within the stated error bounds for wasm; see `src/wasm/check.ts`).
   */
  readonly checkKernels?: boolean;
  /**
   * Whether chains of elementwise ops fuse into one loop (default true). `Mode.excluding('fusion')` turns it off:
   * each op then runs as a kernel of its own (Theano's `local_elemwise_fusion` off), inner graphs included.
   */
  readonly fuse?: boolean;
}

/** Links `graph` (already optimized) with the given input order; `profile` times every step of every call. */
export function link(
  graph: FunctionGraph,
  inputs: readonly Variable[],
  profile = false,
  options: LinkOptions = {},
): LinkedProgram {
  const fuse = options.fuse ?? true;
  const steps = planSteps(graph, fuse);
  const out = new SourceWriter();
  const memory = planMemory(graph, steps, options.pooledOutputs ?? false);
  const backend = options.backend ?? 'js';
  if (backend === 'wasm') warnIfNoWasm();
  const pool = options.pool ?? newPool(backend, options.pooledOutputs ?? false);
  const staged = pool instanceof ArenaPool ? readSeveralTimes(graph, steps, memory.rootOf) : new Set<Variable>();
  const P = out.bind(pool);
  bindLeaves(out, graph, inputs, (v) => (staged.has(v) ? P : undefined));
  const kernels: CompiledKernel[] = [];
  const kernelIndex = new Map<CompiledKernel, number>();
  const checkKernels = options.checkKernels ?? false;
  const context: StepContext = { out, memory, pool, P, kernels, kernelIndex, backend, checkKernels, fuse };
  const stepMs = emitSteps(context, graph, steps, profile);
  return assemble(out, { graph, steps, memory, pool, kernels, stepMs });
}

/** The body's steps, each timed with `profile`: then the per-step times the calls accumulate. */
function emitSteps(
  context: StepContext,
  graph: FunctionGraph,
  steps: readonly Step[],
  profile: boolean,
): Float64Array | undefined {
  const { out } = context;
  out.emit('let t;');
  const stepMs = profile ? new Float64Array(steps.length) : undefined;
  const clock = stepMs ? out.bind(() => performance.now()) : '';
  const times = stepMs ? out.bind(stepMs) : '';
  steps.forEach((s, i) => {
    if (profile) out.emit(`const c${i} = ${clock}();`);
    const after = emitStep(context, s, i);
    out.emit(
      `const ${stepOutputs(s)
        .map((o, k) => `${out.name(o)} = t[${k}]`)
        .join(', ')};`,
    );
    if (profile) out.emit(`${times}[${i}] += ${clock}() - c${i};`);
    for (const r of after) out.emit(`${context.P}.give(${out.name(r)});`);
  });
  out.emit(`return [${graph.outputs.map((v) => out.name(v)).join(', ')}];`);
  return stepMs;
}

/** The generated function made callable, with what the compiled function needs from it. */
function assemble(
  out: SourceWriter,
  parts: {
    readonly graph: FunctionGraph;
    readonly steps: readonly Step[];
    readonly memory: MemoryPlan;
    readonly pool: BufferPool;
    readonly kernels: readonly CompiledKernel[];
    /** Per-step times, with `profile`. */
    readonly stepMs: Float64Array | undefined;
  },
): LinkedProgram {
  const { graph, steps, memory, pool, kernels, stepMs } = parts;
  const body = out.body();
  const generated = new Function('E', body)(out.env) as (inputs: readonly NDArray[]) => NDArray[];
  const run = pool instanceof ArenaPool ? inArenaCalls(pool, generated) : generated;
  const produced = new Set(steps.flatMap((s) => stepOutputs(s)));
  const copyOutput = outputsToCopy(graph.outputs, memory.rootOf, (r) => !produced.has(r));
  // written when first read (a wasm kernel's text is a disassembly: not worth making for every function)
  let source: string | undefined;
  const writeSource = () =>
    [`// linker\n${body}`, ...kernels.map((k, i) => `// kernel ${i}\n${k.source}`)].join('\n\n');
  const stepProfile = stepMs
    ? () =>
        steps.map((s, i) => ({
          kind: s.kind === 'node' ? ('op' as const) : s.kind,
          ops: s.kind === 'kernel' ? s.nodes.map((n) => n.op.name) : [s.node.op.name],
          ms: stepMs[i]!,
        }))
    : undefined;
  return {
    run,
    copyOutput,
    get source() {
      return (source ??= writeSource());
    },
    steps,
    kernels,
    pool,
    stepProfile,
  };
}

/**
 * The pool of a new program: in the wasm arena under the `'wasm'` linker (with SIMD), except for programs whose
 * outputs are pooled (their buffers outlive the call, while the arena may grow between calls).
 */
function newPool(backend: 'js' | 'wasm', pooledOutputs: boolean): BufferPool {
  const inArena = backend === 'wasm' && !pooledOutputs && wasmOptions.zeroCopy && wasmSimdAvailable();
  return inArena ? new ArenaPool() : new BufferPool();
}

/** Brackets every call of `run` with the arena pool's begin and end (a throwing call releases its blocks too). */
function inArenaCalls(
  pool: ArenaPool,
  run: (inputs: readonly NDArray[]) => NDArray[],
): (inputs: readonly NDArray[]) => NDArray[] {
  return (inputs) => {
    pool.begin();
    try {
      return run(inputs);
    } finally {
      pool.end();
    }
  };
}

/** The generated function's text: locals named by the linker (`v3`), values bound from outside (`e5`), lines. */
class SourceWriter {
  private readonly names = new Map<Variable, string>();
  readonly env: unknown[] = [];
  private readonly lines: string[] = [];

  name(v: Variable): string {
    let n = this.names.get(v);
    if (!n) this.names.set(v, (n = `v${this.names.size}`));
    return n;
  }

  bind(value: unknown): string {
    return `e${this.env.push(value) - 1}`;
  }

  emit(line: string): void {
    this.lines.push(`  ${line}`);
  }

  body(): string {
    return [
      "'use strict';",
      `const ${this.env.map((_, i) => `e${i} = E[${i}]`).join(', ') || '_ = 0'};`,
      'return function run(I) {',
      ...this.lines,
      '};',
    ].join('\n');
  }
}

/**
 * The leaves several steps read (through views too), none of them returned: worth staging in the arena. A view
 * step reads nothing itself (its readers count, through `rootOf`).
 */
function readSeveralTimes(
  graph: FunctionGraph,
  steps: readonly Step[],
  rootOf: (v: Variable) => Variable,
): Set<Variable> {
  const readers = new Map<Variable, number>();
  for (const s of steps) {
    if (s.kind === 'view') continue;
    for (const r of new Set(readsOf(s).map(rootOf))) if (!r.owner) readers.set(r, (readers.get(r) ?? 0) + 1);
  }
  const returned = new Set(graph.outputs.map(rootOf));
  return new Set([...readers].filter(([v, n]) => n >= 2 && !returned.has(v)).map(([v]) => v));
}

/**
 * Locals for the inputs (in the given order) and for every other leaf: shared storage, constants. A leaf
 * `stageWith` names a pool for is bound to its copy in the arena (`ArenaPool.stage`).
 */
function bindLeaves(
  out: SourceWriter,
  graph: FunctionGraph,
  inputs: readonly Variable[],
  stageWith: (v: Variable) => string | undefined = () => undefined,
): void {
  const bind = (v: Variable, value: string) => {
    const pool = stageWith(v);
    out.emit(`const ${out.name(v)} = ${pool ? `${pool}.stage(${value})` : value};`);
  };
  inputs.forEach((v, i) => bind(v, `I[${i}]`));
  const inputSet = new Set(inputs);
  // the graph's own leaves (from its kept toposort) when its inputs are these
  const sameInputs = graph.inputs.length === inputs.length && graph.inputs.every((v, i) => v === inputs[i]);
  for (const leaf of sameInputs ? graph.leaves() : graphInputs(graph.outputs, inputSet)) {
    if (inputSet.has(leaf)) continue;
    if (leaf.storage) bind(leaf, `${out.bind(leaf.storage)}.value`);
    else {
      const value = leafValue(leaf);
      if (!value) throw new Error('internal: a leaf without a value reached the linker');
      out.emit(`const ${out.name(leaf)} = ${out.bind(value)};`);
    }
  }
}

/** The memory plan: the buffer (root) behind each value, which roots the pool owns, and where each one dies. */
interface MemoryPlan {
  readonly rootOf: (v: Variable) => Variable;
  readonly pooled: (root: Variable) => boolean;
  /** The pooled roots whose last reader is step i. */
  readonly dying: ReadonlyMap<number, readonly Variable[]>;
}

function planMemory(graph: FunctionGraph, steps: readonly Step[], pooledOutputs = false): MemoryPlan {
  const root = new Map<Variable, Variable>();
  const rootOf = (v: Variable) => root.get(v) ?? v;
  const pooledKind = new Set<Variable>(); // roots written by kernels, or by single-output ops into pooled arrays
  steps.forEach((s) => {
    if (s.kind === 'view') root.set(s.node.outputs[0]!, rootOf(s.node.inputs[0]!));
    if (s.kind === 'kernel') for (const o of s.outputs) pooledKind.add(o);
    if (s.kind === 'node' && s.node.outputs.length === 1) pooledKind.add(s.node.outputs[0]!);
  });
  const escaping = new Set(graph.outputs.map(rootOf));
  const pooled = (r: Variable) => pooledKind.has(r) && (pooledOutputs || !escaping.has(r));
  const lastUse = new Map<Variable, number>();
  steps.forEach((s, i) => {
    for (const v of readsOf(s)) lastUse.set(rootOf(v), i);
    for (const o of stepOutputs(s)) if (!lastUse.has(rootOf(o))) lastUse.set(rootOf(o), i);
  });
  const dying = new Map<number, Variable[]>();
  for (const [r, i] of lastUse) {
    if (!pooled(r) || escaping.has(r)) continue; // a returned value outlives the call
    const list = dying.get(i);
    if (list) list.push(r);
    else dying.set(i, [r]);
  }
  return { rootOf, pooled, dying };
}

const readsOf = (s: Step) => (s.kind === 'kernel' ? s.inputs : s.node.inputs);

/** What emitting a step needs: the writer, the memory plan, the pool (and its local) and the kernels so far. */
interface StepContext {
  readonly out: SourceWriter;
  readonly memory: MemoryPlan;
  readonly pool: BufferPool;
  readonly P: string;
  readonly kernels: CompiledKernel[];
  readonly kernelIndex: Map<CompiledKernel, number>;
  readonly backend: 'js' | 'wasm';
  readonly checkKernels: boolean;
  readonly fuse: boolean;
}

/** Emits step `i` (its results in `t`); returns the pooled roots to give back after it. */
function emitStep(context: StepContext, s: Step, i: number): readonly Variable[] {
  const { out, memory, pool } = context;
  const ins = readsOf(s).map((v) => out.name(v));
  let after = memory.dying.get(i) ?? [];
  let loop: ScanLoop | null = null;
  if (s.kind === 'kernel') {
    // inplace: an input this elementwise loop reads last, directly (not through a view), may become its output
    if (!s.ir.reduce) {
      const reads = new Set(readsOf(s));
      const throughView = new Set<Variable>();
      for (const v of reads) if (memory.rootOf(v) !== v) throughView.add(memory.rootOf(v));
      const early = new Set(after.filter((r) => reads.has(r) && !throughView.has(r)));
      for (const r of early) out.emit(`${context.P}.give(${out.name(r)});`);
      after = after.filter((r) => !early.has(r));
    }
    emitKernelStep(context, s, i, ins);
  } else if (s.kind === 'view') {
    const node = s.node;
    out.emit(`// step ${i}: view`);
    out.emit(`t = ${out.bind((...values: NDArray[]) => runNode(node, values, true))}(${ins.join(', ')});`);
  } else if (s.node.op === SCAN && (loop = compileScalarScan(s.node))) {
    const node = s.node;
    const scalarLoop = loop;
    // the loop's source is listed with the kernels (f.source)
    const listed: CompiledKernel = { key: `scan-loop:${i}`, source: loop.source, fn: () => null };
    context.kernelIndex.set(listed, context.kernels.push(listed) - 1);
    out.emit(`// step ${i}: scan, its scalar step written as one loop (kernel ${context.kernelIndex.get(listed)})`);
    out.emit(
      `t = ${out.bind((...values: NDArray[]) => runInnerGraphOp(node, values, () => scalarLoop(values)))}(${ins.join(', ')});`,
    );
  } else if (isInnerGraphOp(s.node.op)) {
    const node = s.node;
    const op = s.node.op;
    const runInner = linkInnerGraphs(
      op.inner.graphs(node.params).map((g) => g.graph),
      op.inner.transientOutputs ?? false,
      { backend: context.backend, checkKernels: context.checkKernels, fuse: context.fuse },
    );
    const types = node.outputs.map((o) => o.type);
    out.emit(`// step ${i}: ${node.op.name}, its inner graphs linked`);
    out.emit(
      `t = ${out.bind((...values: NDArray[]) => runInnerGraphOp(node, values, () => op.inner.run(values, node.params, types, runInner)))}(${ins.join(', ')});`,
    );
  } else {
    const node = s.node;
    out.emit(`// step ${i}: runtime op`);
    // a single-output op whose result stays inside may take it from the pool (matrix products do)
    const alloc =
      node.outputs.length === 1 && memory.pooled(node.outputs[0]!)
        ? (d: DType, shape: readonly number[]) => pool.zeros(d, shape)
        : undefined;
    const kernels = context.backend === 'wasm' ? WASM_KERNELS : undefined;
    out.emit(
      `t = ${out.bind((...values: NDArray[]) => runNode(node, values, false, alloc, kernels))}(${ins.join(', ')});`,
    );
  }
  return after;
}

/**
 * Each inner graph linked once, into a program of its own (its buffers pooled across calls and steps); the runner
 * copies an output that aliases one of its inputs or leaves, as the caller of a compiled function would.
 */
function linkInnerGraphs(
  graphs: readonly FunctionGraph[],
  transientOutputs: boolean,
  options: Pick<LinkOptions, 'backend' | 'checkKernels' | 'fuse'>,
): InnerRunner {
  const programs = graphs.map((g) => link(g, g.inputs, false, { pooledOutputs: transientOutputs, ...options }));
  // with transient outputs (scan copies each step's outputs at once), a call's outputs go back to the pool at
  // the next call: a loop over fixed shapes allocates nothing after its first step
  const previous = graphs.map((): NDArray[] => []);
  return (k, inputs) => {
    const program = programs[k]!;
    if (transientOutputs) {
      const given = new Set<unknown>();
      for (const a of previous[k]!) {
        if (given.has(a.data)) continue;
        given.add(a.data);
        program.pool.give(a);
      }
    }
    const results = program.run(inputs);
    const outputs = results.map((a, i) => (program.copyOutput[i] ? a.copy() : a));
    if (transientOutputs) previous[k] = outputs;
    return outputs;
  };
}

/** Runs an inner-graph op with linked inner graphs; an error names the node, as `runNode` does. */
function runInnerGraphOp(node: Apply, values: readonly NDArray[], run: () => NDArray[]): NDArray[] {
  try {
    return run();
  } catch (e) {
    if (e instanceof NodeError) throw e;
    throw new NodeError(node, values, e);
  }
}

/** A kernel step: the compiled loop, its allocator (pooled or fresh outputs), and the reference fallback. */
function emitKernelStep(
  context: StepContext,
  s: Extract<Step, { kind: 'kernel' }>,
  i: number,
  ins: readonly string[],
): void {
  const { out, memory, pool, kernels, kernelIndex } = context;
  const compiled = (context.backend === 'wasm' ? compileWasmKernel(s.ir) : null) ?? compileKernel(s.ir);
  if (!kernelIndex.has(compiled)) kernelIndex.set(compiled, kernels.push(compiled) - 1);
  const dtypes = s.outputs.map((o) => o.type.dtype);
  const fresh = s.outputs.map((o) => !memory.pooled(o));
  const alloc: Allocator = (j, size) =>
    fresh[j] ? (allocStorage(dtypes[j]!, size) as ArrayLike<number>) : pool.take(dtypes[j]!, size);
  const fallback = (...values: NDArray[]) => {
    const known = new Map<Variable, NDArray>();
    s.inputs.forEach((v, k) => known.set(v, values[k]!));
    evaluateNodes(s.nodes, known);
    return s.outputs.map((v) => known.get(v)!);
  };
  out.emit(
    `// step ${i}: kernel ${kernelIndex.get(compiled)} (${s.nodes.length} node${s.nodes.length === 1 ? '' : 's'})`,
  );
  const fn = context.checkKernels ? checkedKernel(s, compiled.fn) : compiled.fn;
  out.emit(`t = ${out.bind(fn)}(${[...ins, out.bind(alloc)].join(', ')});`);
  out.emit(`if (t === null) t = ${out.bind(fallback)}(${ins.join(', ')});`);
}

/**
 * DEBUG mode: the kernel, each call checked against the reference evaluator of the step's nodes (computed first:
 * the kernel may write over an input it reads last).
 */
function checkedKernel(s: Extract<Step, { kind: 'kernel' }>, fn: Kernel): Kernel {
  return (...operands: unknown[]) => {
    const known = referenceValues(s, operands.slice(0, s.inputs.length) as NDArray[]);
    const before = wasmStats().calls;
    const results = fn(...operands);
    if (results && known) checkKernelCall(s, known, results, wasmStats().calls > before);
    return results;
  };
}

/**
 * Which outputs the caller must copy before handing them out: those whose buffer (`rootOf`) is a leaf's array (an
 * input, a constant, a shared value) or was already returned by an earlier output (Theano's `borrow=False`).
 */
export function outputsToCopy(
  outputs: readonly Variable[],
  rootOf: (v: Variable) => Variable,
  isLeaf: (root: Variable) => boolean,
): boolean[] {
  const seen = new Set<Variable>();
  return outputs.map((v) => {
    const r = rootOf(v);
    const copy = isLeaf(r) || seen.has(r);
    seen.add(r);
    return copy;
  });
}
