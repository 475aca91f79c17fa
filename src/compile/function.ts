import { closestName } from '../types/suggest.js';
import { FunctionGraph } from '../graph/function-graph.js';
import { graphInputs } from '../graph/traversal.js';
import type { Apply, Variable } from '../graph/variable.js';
import { article, describeValue, toNDArray, warnLargeNested, type ArrayLikeInput } from '../runtime/convert.js';
import { NDArray, shapeToString } from '../runtime/ndarray.js';
import { unwrapScalar, type InputValue, type OutputValue } from '../runtime/values.js';
import { makeConstant } from '../tensor/apply.js';
import { anyDefaultUpdates, SharedVariable } from '../tensor/shared.js';
import { Tensor } from '../tensor/tensor.js';
import type { DType } from '../types/dtype.js';
import type { Rank } from '../types/rank.js';
import { evaluateNodes, leafValue, nanGuard } from '../graph/evaluate.js';
import { optimize, toMode, type Mode, type ModeName, type OptimizationProfile } from '../rewrite/pipeline.js';
import { DebugChecker } from './debug.js';
import { link, outputsToCopy, type LinkedProgram, type StepProfile } from '../codegen/linker.js';

/** One update: a shared variable and its new value, of exactly the same dtype and rank. */
export type Update = { [D in DType]: { [R in Rank]: readonly [SharedVariable<D, R>, Tensor<D, R>] }[Rank] }[DType];
/** One substitution: a variable and what stands in its place: an expression or a value of the same dtype and rank. */
export type Given = {
  [D in DType]: { [R in Rank]: readonly [Tensor<D, R>, Tensor<D, R> | InputValue<D, R>] }[Rank];
}[DType];

export interface FunctionOptions {
  /** Pairs `[shared, newValue]`: every new value is computed from the old values, then all are written together. */
  updates?: readonly Update[] | ReadonlyMap<SharedVariable, Tensor>;
  /** Pairs `[variable, replacement]` substituted in the graph before compiling (Theano's `givens`). */
  givens?: readonly Given[] | ReadonlyMap<Tensor, Tensor | ArrayLikeInput>;
  /** What to do about an input no output depends on: 'raise' (the default, as Theano), 'warn' or 'ignore'. */
  onUnusedInput?: 'raise' | 'warn' | 'ignore';
  /** Accept inputs that lose precision when converted (a fraction for an int input, float64 data for float32). */
  allowInputDowncast?: boolean;
  /** A name for error messages and printing. */
  name?: string;
  /**
   * Which optimizations run: 'FAST_RUN' (all, the default), 'FAST_COMPILE' (merging and constant folding only),
   * 'DEBUG' (all, then every pass is type-checked and every call compared with the unoptimized graph), or a
   * `Mode` with rules included or excluded (`theano.FAST_RUN.excluding('stabilize')`).
   */
  mode?: Mode | ModeName;
  /** Record time per pass and how often each rule fired, in `f.profile`. */
  profile?: boolean;
  /** Check every node's output for NaN and Inf and report the first node that produced one. */
  nanGuard?: boolean;
  /**
   * Theano's `no_default_updates`: true skips the `defaultUpdate` of every shared variable the function reads (a
   * random draw then gives the same numbers on each call); a list skips those variables only. By default, each
   * shared variable the graph reads that `updates` does not name takes its default update after the call.
   */
  noDefaultUpdates?: boolean | readonly SharedVariable[];
}

type ValueOf<T> = T extends Tensor<infer D, infer R> ? OutputValue<D, R> : never;
/** The call's result: one value for one output, a tuple for a list of outputs. */
export type OutputsValue<O> = O extends Tensor ? ValueOf<O> : { -readonly [K in keyof O]: ValueOf<O[K]> };
/** The call's arguments, typed from the declared inputs. */
export type InputsValue<I extends readonly Tensor[]> = {
  [K in keyof I]: I[K] extends Tensor<infer D, infer R> ? InputValue<D, R> : never;
};

/** A compiled function: call it with values for its inputs. */
export interface CompiledFunction<I extends readonly Tensor[], O> {
  (...args: InputsValue<I>): OutputsValue<O>;
  readonly inputs: I;
  readonly outputs: O;
  /** The graph that runs (a working copy; outputs first, then the update values). */
  readonly graph: FunctionGraph;
  /**
   * The graph as written, before any rewrite: a copy of the outputs and update values with `givens` substituted
   * (made on first access; `theano.printing.toDot(f, { optimized: 'both' })` draws it beside `graph`).
   */
  readonly unoptimizedGraph: FunctionGraph;
  /** The shared variables this function writes, in the order of their update values in `graph.outputs`. */
  readonly updatedShared: readonly SharedVariable[];
  /** The `name` option, or 'compiledFunction'. */
  readonly name: string;
  /**
   * With `profile: true`: time per optimization pass and rule counts, compile and link time, and the run time of
   * each step over the calls so far (`run()`, as Theano's profile of each Apply node).
   */
  readonly profile: FunctionProfile | undefined;
  /**
   * The generated JavaScript that runs on each call (the linker function, then each fused kernel), for reading and
   * debugging; undefined with the reference linker (`FAST_COMPILE`, `nanGuard`, `withLinker('reference')`).
   */
  readonly source: string | undefined;
}

/** What `profile: true` records. */
export interface FunctionProfile extends OptimizationProfile {
  readonly compileMs: number;
  readonly linkMs: number;
  /** Calls so far, and the time of each step summed over them, slowest first. */
  run(): { readonly calls: number; readonly steps: readonly StepProfile[] };
}

const label = (v: Variable, i: number) => `input ${i}${v.name ? ` ('${v.name}')` : ''}`;

function pairs<K, V>(p: readonly (readonly [K, V])[] | ReadonlyMap<K, V> | undefined): [K, V][] {
  if (!p) return [];
  return p instanceof Map ? [...p.entries()] : ([...(p as readonly (readonly [K, V])[])] as [K, V][]);
}

/**
 * Compiles a graph into a callable (Theano's `theano.function`, exported as `function`).
 *
 * @example
 * const [a, b] = T.dscalars('a', 'b');
 * const f = theano.function([a, b], a.add(b));
 * f(1.5, 2.5); // 4
 */
export function compile<const I extends readonly Tensor[], const O extends Tensor | readonly Tensor[]>(
  inputs: I,
  outputs: O,
  options: FunctionOptions = {},
): CompiledFunction<I, O> {
  const fname = typeof options.name === 'string' && options.name ? `function '${options.name}'` : 'function';
  checkOptions(options, fname);
  if (outputs === undefined || outputs === null)
    throw new TypeError(
      `${fname}: no outputs given: pass a symbolic variable or a list of them as the second argument`,
    );
  const single = !Array.isArray(outputs);
  const outputList = (single ? [outputs] : outputs) as readonly Tensor[];

  // --- inputs
  if (!Array.isArray(inputs))
    throw new TypeError(
      `${fname}: inputs must be a list of variables, got ${describeValue(inputs)} (write [x] for one input)`,
    );
  inputs.forEach((v, i) => {
    if (!(v instanceof Tensor))
      throw new TypeError(`${fname}: input ${i} is not a symbolic variable (got ${describeValue(v)})`);
    if (v.isShared)
      throw new TypeError(
        `${fname}: ${label(v, i)} is a shared variable; shared variables are implicit inputs and cannot be listed`,
      );
    if (v.isConstant) throw new TypeError(`${fname}: ${label(v, i)} is a constant, not an input`);
    if (inputs.indexOf(v) !== i)
      throw new TypeError(`${fname}: ${label(v, i)} is listed twice (also as input ${inputs.indexOf(v)})`);
  });
  outputList.forEach((v, i) => {
    if (!(v instanceof Tensor))
      throw new TypeError(`${fname}: output ${i} is not a symbolic variable (got ${describeValue(v)})`);
  });

  // --- updates
  const updates = pairs<SharedVariable, Tensor>(
    checkPairs(options.updates, 'updates', '[shared, newValue]', fname) as never,
  );
  const updatedShared: SharedVariable[] = [];
  for (const [sv, value] of updates) {
    if (!(sv instanceof SharedVariable))
      throw new TypeError(`${fname}: an update target must be a shared variable, got ${describeValue(sv)}`);
    const who = `the update of shared variable${sv.name ? ` '${sv.name}'` : ''}`;
    if (updatedShared.includes(sv)) throw new TypeError(`${fname}: ${who} is given twice`);
    if (value === sv) continue; // an update to itself changes nothing: dropped
    if (!(value instanceof Tensor))
      throw new TypeError(`${fname}: ${who} must be a symbolic expression, got ${describeValue(value)}`);
    if (value.dtype !== sv.dtype || value.ndim !== sv.ndim) {
      throw new TypeError(
        `${fname}: ${who} has type ${value.type}, but the variable is ${sv.type}${updateFix(value, sv)}`,
      );
    }
    updatedShared.push(sv);
  }

  // --- givens
  const replacements = new Map<Variable, Variable>();
  const givens = checkPairs(options.givens, 'givens', '[variable, replacement]', fname);
  for (const [old, replacement] of pairs<Tensor, Tensor | ArrayLikeInput>(givens as never)) {
    if (!(old instanceof Tensor))
      throw new TypeError(`${fname}: a givens key must be a symbolic variable, got ${describeValue(old)}`);
    const r =
      replacement instanceof Tensor
        ? replacement
        : makeConstant(
            toNDArray(replacement, {
              dtype: old.dtype,
              what: `givens for '${old.name ?? old.id}'`,
              downcastHint: 'a given value must convert without loss: convert it first',
            }),
          );
    if (!old.type.isCompatible(r.type))
      throw new TypeError(
        `${fname}: givens replace ${old.name ?? 'a variable'} of type ${old.type} by one of type ${r.type}`,
      );
    replacements.set(old, r);
  }

  for (const [sv, value] of defaultUpdates(outputList, updates, replacements, options.noDefaultUpdates, fname)) {
    updates.push([sv, value]);
    updatedShared.push(sv);
  }

  const kept = updates.filter(([sv]) => updatedShared.includes(sv));
  const graph = new FunctionGraph(inputs, [...outputList, ...kept.map(([, v]) => v)], replacements);

  // --- missing and unused inputs
  const inputSet = new Set<Variable>(inputs);
  const leaves = graph.leaves(); // graphInputs(graph.outputs, inputSet), from the graph's kept toposort
  for (const leaf of leaves) {
    if (!inputSet.has(leaf) && !leaf.isConstant && !leaf.isShared) {
      const needs = whoNeeds(leaf, graph.outputs, outputList.length, kept, inputSet);
      throw new TypeError(
        `${fname}: missing input: ${needs} on ${leaf.name ? `'${leaf.name}'` : 'an unnamed variable'} (${leaf.type}), which is not among the inputs`,
      );
    }
  }
  const used = new Set(leaves);
  const policy = options.onUnusedInput ?? 'raise';
  inputs.forEach((v, i) => {
    if (used.has(v) || policy === 'ignore') return;
    const msg = `${fname}: ${label(v, i)} is not used to compute any output`;
    if (policy === 'raise') throw new TypeError(`${msg} (pass onUnusedInput: 'warn' or 'ignore' to allow this)`);
    console.warn(msg);
  });

  // --- optimization: the working copy is rewritten; the user's graph is never touched
  const mode = toMode(options.mode);
  const debug = mode.name === 'DEBUG' ? new DebugChecker(graph, inputs) : undefined;
  const start = performance.now();
  const profile = optimize(graph, mode, {
    onRewrite: debug && ((r) => debug.onRewrite(r)),
    onPass: debug && ((pass) => debug.onPass(pass)),
  });
  const compileMs = performance.now() - start;

  // the generated-code linker, unless the reference evaluator was asked for (nanGuard checks every node's output)
  const linkStart = performance.now();
  const program: LinkedProgram | undefined =
    mode.linker === 'js' && !options.nanGuard ? linkOrFallBack(graph, inputs, options.profile ?? false) : undefined;
  const linkMs = performance.now() - linkStart;
  const schedule: Apply[] = program ? [] : graph.toposort();
  const runLeaves = program ? [] : graphInputs(graph.outputs, inputSet);
  // never hand out an array the caller could use to reach internal state, or one returned twice (the reference
  // evaluator makes no views: each value is its own buffer)
  const referenceCopies = outputsToCopy(
    graph.outputs,
    (v) => v,
    (v) => !v.owner || inputSet.has(v),
  );
  const guard = options.nanGuard ? nanGuard : undefined;
  const nOut = outputList.length;
  const allowDowncast = options.allowInputDowncast ?? false;
  // the words of each input's error messages, made once: a call only reads them when it throws
  const inputLabels = inputs.map((v, i) => ({ what: `${fname}, ${label(v, i)}`, expected: article(v.type) }));

  // run-time profile of the reference evaluator (the generated code keeps its own)
  const nodeMs = options.profile && !program ? new Float64Array(schedule.length) : undefined;
  let calls = 0;
  const fn = (...args: unknown[]): unknown => {
    if (args.length !== inputs.length) {
      throw new TypeError(
        `${fname}: expected ${inputs.length} argument${inputs.length === 1 ? '' : 's'}, got ${args.length}`,
      );
    }
    const argValues = inputs.map((v, i) => checkInput(v, args[i], inputLabels[i]!, allowDowncast));
    let owned: NDArray[];
    if (program) {
      const results = program.run(argValues);
      debug?.check(argValues, results);
      owned = results.map((a, i) => (program.copyOutput[i] ? a.copy() : a));
    } else {
      const values = new Map<Variable, NDArray>();
      inputs.forEach((v, i) => values.set(v, argValues[i]!));
      for (const leaf of runLeaves) {
        const value = leafValue(leaf);
        if (value) values.set(leaf, value);
      }
      if (nodeMs) {
        // each node's time: from the end of the one before to its own end (nodes run one after another)
        let k = 0;
        let last = performance.now();
        evaluateNodes(schedule, values, (node, ins, outs) => {
          const now = performance.now();
          nodeMs[k++]! += now - last;
          guard?.(node, ins, outs);
          last = performance.now();
        });
      } else evaluateNodes(schedule, values, guard);
      const results = graph.outputs.map((v) => values.get(v)!);
      debug?.check(argValues, results);
      owned = results.map((a, i) => (referenceCopies[i] ? a.copy() : a));
    }
    // All values are computed: now write every update together.
    updatedShared.forEach((sv, k) => {
      sv.storage!.value = owned[nOut + k]!;
    });
    const out = owned.slice(0, nOut).map(unwrapScalar);
    calls++;
    return single ? out[0] : out;
  };

  Object.defineProperty(fn, 'name', { value: options.name ?? 'compiledFunction' });
  const run = () => {
    const steps: StepProfile[] =
      program?.stepProfile?.() ??
      schedule.map((node, i) => ({ kind: 'op' as const, ops: [node.op.name], ms: nodeMs![i]! }));
    return { calls, steps: [...steps].sort((a, b) => b.ms - a.ms) };
  };
  const profiled: FunctionProfile | undefined = options.profile ? { ...profile, compileMs, linkMs, run } : undefined;
  let unoptimized: FunctionGraph | undefined;
  Object.defineProperty(fn, 'unoptimizedGraph', {
    get: () => (unoptimized ??= new FunctionGraph(inputs, [...outputList, ...kept.map(([, v]) => v)], replacements)),
  });
  return Object.assign(fn, {
    inputs,
    outputs,
    graph,
    updatedShared,
    profile: profiled,
    source: program?.source,
  }) as unknown as CompiledFunction<I, O>;
}

/**
 * 'the outputs depend', or 'the update of shared variable 'w' depends' when only an update needs `leaf` (a
 * second walk over the graph, made only on this error path).
 */
function whoNeeds(
  leaf: Variable,
  outputs: readonly Variable[],
  nOutputs: number,
  kept: readonly (readonly [SharedVariable, Tensor])[],
  inputSet: ReadonlySet<Variable>,
): string {
  if (graphInputs(outputs.slice(0, nOutputs), inputSet).includes(leaf)) return 'the outputs depend';
  const k = kept.findIndex((_, j) => graphInputs([outputs[nOutputs + j]!], inputSet).includes(leaf));
  const sv = kept[k]?.[0];
  return sv ? `the update of shared variable${sv.name ? ` '${sv.name}'` : ''} depends` : 'the outputs depend';
}

/**
 * The default updates to apply (Theano's `default_update`): those of the shared variables that the outputs and
 * the updates read, that no explicit update names, that `givens` do not replace and `noDefaultUpdates` does not
 * list; the default update values may read more shared variables, whose defaults join too.
 */
function defaultUpdates(
  outputs: readonly Tensor[],
  explicit: readonly (readonly [SharedVariable, Tensor])[],
  replaced: ReadonlyMap<Variable, Variable>,
  skip: FunctionOptions['noDefaultUpdates'],
  fname: string,
): [SharedVariable, Tensor][] {
  if (skip === true || !anyDefaultUpdates()) return [];
  const skipped = new Set<Variable>(Array.isArray(skip) ? skip : []);
  const named = new Set<Variable>(explicit.map(([sv]) => sv));
  const found: [SharedVariable, Tensor][] = [];
  let frontier: Variable[] = [...outputs, ...explicit.map(([, v]) => v)];
  while (frontier.length > 0) {
    const next: Variable[] = [];
    for (const leaf of graphInputs(frontier)) {
      if (!(leaf instanceof SharedVariable) || !leaf.defaultUpdate) continue;
      if (named.has(leaf) || skipped.has(leaf) || replaced.has(leaf)) continue;
      named.add(leaf);
      const value = leaf.defaultUpdate as Tensor;
      if (!(value instanceof Tensor) || value.dtype !== leaf.dtype || value.ndim !== leaf.ndim)
        throw new TypeError(
          `${fname}: the default update of shared variable${leaf.name ? ` '${leaf.name}'` : ''} must be a symbolic expression of type ${leaf.type}`,
        );
      if (value === leaf) continue;
      found.push([leaf, value]);
      next.push(value);
    }
    frontier = next;
  }
  return found;
}

const OPTION_NAMES: readonly (keyof FunctionOptions)[] = [
  'updates',
  'givens',
  'onUnusedInput',
  'allowInputDowncast',
  'name',
  'mode',
  'profile',
  'nanGuard',
  'noDefaultUpdates',
];

/** The options object, checked before anything is built: unknown names (a typo), values of the wrong kind. */
function checkOptions(options: FunctionOptions, fname: string): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(
      `${fname}: options must be an object ({ updates, givens, mode, ... }), got ${describeValue(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if ((OPTION_NAMES as readonly string[]).includes(key)) continue;
    const near = closestName(key, OPTION_NAMES);
    throw new TypeError(
      `${fname}: unknown option '${key}'${near ? ` (did you mean '${near}'?)` : ''}; the options are ${OPTION_NAMES.join(', ')}`,
    );
  }
  const policy = options.onUnusedInput;
  if (policy !== undefined && policy !== 'raise' && policy !== 'warn' && policy !== 'ignore') {
    throw new TypeError(`${fname}: onUnusedInput must be 'raise', 'warn' or 'ignore', got ${describeValue(policy)}`);
  }
  for (const flag of ['allowInputDowncast', 'profile', 'nanGuard'] as const) {
    const v = options[flag];
    if (v !== undefined && typeof v !== 'boolean')
      throw new TypeError(`${fname}: ${flag} must be true or false, got ${describeValue(v)}`);
  }
  const skip = options.noDefaultUpdates;
  if (
    skip !== undefined &&
    typeof skip !== 'boolean' &&
    !(Array.isArray(skip) && skip.every((v) => v instanceof SharedVariable))
  )
    throw new TypeError(
      `${fname}: noDefaultUpdates must be true, false or a list of shared variables, got ${describeValue(skip)}`,
    );
  if (options.name !== undefined && typeof options.name !== 'string') {
    throw new TypeError(`${fname}: name must be a string, got ${describeValue(options.name)}`);
  }
  try {
    toMode(options.mode);
  } catch (e) {
    throw new TypeError(`${fname}: ${(e as Error).message}`);
  }
}

/**
 * `updates` and `givens` are a list of pairs or a Map; a lone pair not wrapped in a list (`updates: [s, v]`)
 * is the usual slip, and is named as such.
 */
function checkPairs(p: unknown, option: string, shape: string, fname: string): unknown {
  if (p === undefined || p instanceof Map) return p;
  if (!Array.isArray(p)) {
    throw new TypeError(`${fname}: ${option} must be a list of ${shape} pairs or a Map, got ${describeValue(p)}`);
  }
  p.forEach((item, i) => {
    if (Array.isArray(item) && item.length === 2) return;
    const lone = p.length === 2 && !Array.isArray(p[0]) && !Array.isArray(p[1]);
    throw new TypeError(
      `${fname}: ${option} must be a list of ${shape} pairs; item ${i} is ${describeValue(item)}${lone ? ` (for one pair write ${option}: [[a, b]])` : ''}`,
    );
  });
  return p;
}

/** What to do about an update whose type differs from its variable's: a cast for the dtype, a reshape for the rank. */
function updateFix(value: Tensor, sv: SharedVariable): string {
  if (value.ndim === sv.ndim) return ` (use .cast('${sv.dtype}') to convert)`;
  const rank = `: the ranks differ (${value.ndim} vs ${sv.ndim}), which a cast cannot fix; reshape the new value to rank ${sv.ndim} (.reshape, .dimshuffle, T.fill) or update a variable of rank ${value.ndim}`;
  return value.dtype === sv.dtype ? rank : `${rank}; the dtypes differ too (.cast('${sv.dtype}'))`;
}

let warnedNoCodegen = false;

/**
 * The generated-code program, or undefined where the platform forbids compiling code at run time (a
 * Content-Security-Policy without 'unsafe-eval' makes `new Function` throw an EvalError): the function then
 * runs the reference evaluator, and a warning says so once.
 */
function linkOrFallBack(
  graph: FunctionGraph,
  inputs: readonly Variable[],
  profile: boolean,
): LinkedProgram | undefined {
  try {
    return link(graph, inputs, profile);
  } catch (e) {
    if (!(e instanceof EvalError)) throw e;
    if (!warnedNoCodegen) {
      warnedNoCodegen = true;
      console.warn(
        `theano-ts: this platform does not allow generated code (${e.message}); compiled functions run the reference evaluator`,
      );
    }
    return undefined;
  }
}

function checkInput(
  v: Tensor,
  value: unknown,
  { what, expected }: { what: string; expected: string },
  allowDowncast: boolean,
): NDArray {
  if (value === undefined || value === null) throw new TypeError(`${what}: expected ${expected}, got ${value}`);
  const a = toNDArray(value as ArrayLikeInput, { dtype: v.dtype, allowDowncast, what, expected });
  if (Array.isArray(value)) warnLargeNested(a.size, what);
  const mismatch = v.type.shapeMismatch(a.shape);
  if (mismatch) {
    throw new TypeError(`${what}: expected ${expected}, got ${describeValue(value)}: ${mismatch}`);
  }
  return a;
}

export { NDArray, shapeToString };
