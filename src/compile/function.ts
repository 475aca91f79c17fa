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
import { link, outputsToCopy, type BufferPool, type LinkedProgram, type StepProfile } from '../codegen/linker.js';
import { checkOptionKeys } from '../types/suggest.js';
import {
  bindArguments,
  checkStrict,
  inputPlan,
  outputLayout,
  type FunctionArgs,
  type InputPlan,
  type InputSpec,
  type InputVariables,
  type OutputLayout,
  type OutputSpec,
  type OutputsValue,
} from './io.js';
import { profileSummary } from './profile-summary.js';
import { stepOutputs } from '../codegen/fusion.js';

export type { OutputsValue, FunctionArgs, InputSpec, OutputSpec };
/** The call's arguments, typed from the declared inputs (an alias of `FunctionArgs`). */
export type InputsValue<I extends readonly InputSpec[]> = FunctionArgs<I>;

/**
 * One update, `[shared, newValue]`, as a list annotated `theano.Update[]` holds it (built with `push` over
 * parameters of several ranks, Theano's `updates.append((p, p - lr * g))`): the new value must have its shared
 * variable's dtype and rank, checked when the function is compiled. Written inline in `theano.function`'s options,
 * each pair is also checked by the compiler.
 */
export type Update = UpdateLike;
/**
 * The default of `FunctionOptions`' update list: the exact pairs (a call without updates checks nothing against
 * it; `UpdateLike` there made every call instantiate the any-typed check, 3.5% more for a file of functions).
 */
type ExactUpdate = { [D in DType]: { [R in Rank]: readonly [SharedVariable<D, R>, Tensor<D, R>] }[Rank] }[DType];
/**
 * One substitution, `[variable, replacement]`, as a list annotated `theano.Given[]` holds it: an expression or a
 * value of the variable's dtype and rank, checked when the function is compiled (and by the compiler when the
 * pairs are written inline).
 */
export type Given = GivenLike;
/**
 * X when the value's dtype and rank (`[D2, R2]`) are among the target's (`[D, R]`: equal, for single types), else
 * X with the error naming the first that is not. A value whose rank is not known statically (`Tensor<D, Rank>`,
 * as `T.incSubtensor(W.get(i), g)` or a reshape to a symbolic shape gives) passes the rank check: its rank is
 * checked when the function is compiled, as for mixed-rank lists.
 */
type Matching<
  X,
  Target extends readonly [unknown, unknown],
  Value extends readonly [unknown, unknown],
  DTypeError,
  RankError,
> = [Value[0]] extends [Target[0]]
  ? [Value[1]] extends [Target[1]]
    ? X
    : [Rank] extends [Value[1]]
      ? X
      : X & RankError
  : X & DTypeError;
/**
 * Any `[variable, replacement]` pair, before its dtypes and ranks are checked by `CheckedGivens` (as `UpdateLike`
 * is to `Update`: relating each pair to the 90 kinds of `Given` cost some 15 ms of type-checking per call).
 */
export type GivenLike = readonly [Tensor<any, any>, unknown];
/** What a replacement of another dtype than its variable must also be: nothing is, so the call fails. */
export interface GivenDTypeMismatch {
  readonly 'error: the replacement has a different dtype than the variable it stands for (cast it)': true;
}
/** What a replacement of another rank than its variable must also be: nothing is, so the call fails. */
export interface GivenRankMismatch {
  readonly 'error: the replacement has a different rank than the variable it stands for': true;
}
/** What a value that is not data of the variable's dtype and rank must also be: nothing is, so the call fails. */
export interface GivenValueMismatch {
  readonly "error: the value is not data of the variable's dtype and rank": true;
}
/** One substitution checked: an expression of exactly the variable's dtype and rank, or a value it accepts. */
type CheckGiven<P> = P extends readonly [Tensor<infer D, infer R>, infer V]
  ? unknown extends V
    ? P // the unchecked `GivenLike` itself (options typed `FunctionOptions`)
    : V extends Tensor<infer D2, infer R2>
      ? Matching<P, [D, R], [D2, R2], GivenDTypeMismatch, GivenRankMismatch>
      : [V] extends [InputValue<D, R>]
        ? P
        : P & GivenValueMismatch
  : P;
/** A list of substitutions with each pair checked (see `CheckGiven`). */
export type CheckedGivens<G extends readonly GivenLike[]> = { [K in keyof G]: CheckGiven<G[K]> };
/** Any `Map` of substitutions, before `CheckedGivenMap` checks it. */
export type GivenMapLike = ReadonlyMap<Tensor<any, any>, unknown>;
/**
 * A `Map` of substitutions checked as a whole (its keys and values are each one type, the union of its
 * entries'): tensor values' dtypes and ranks must be among the variables'; data values are checked when the
 * function is compiled.
 */
export type CheckedGivenMap<M> =
  M extends ReadonlyMap<Tensor<infer D, infer R>, infer V>
    ? V extends Tensor<infer D2, infer R2>
      ? Matching<M, [D, R], [D2, R2], GivenDTypeMismatch, GivenRankMismatch>
      : M
    : M;

/**
 * Any `[shared, newValue]` pair, before its dtypes and ranks are checked by `CheckedUpdates`. `SharedVariable<any,
 * any>` (not `SharedVariable`): the checker relates a shared variable to it by its type arguments at once, where
 * `SharedVariable<DType, Rank>` made it compare members one by one for each of the 90 kinds of `Update` the default
 * of `compile`'s `U` holds (a second of every program that compiles a function; bench/tsc.ts).
 */
export type UpdateLike = readonly [SharedVariable<any, any>, Tensor];
/** What an update whose value has a dtype other than its shared variable's must also be: nothing is, so it fails. */
export interface UpdateDTypeMismatch {
  readonly 'error: the new value has a different dtype than its shared variable (cast it)': true;
}
/** What an update whose value has a rank other than its shared variable's must also be: nothing is, so it fails. */
export interface UpdateRankMismatch {
  readonly 'error: the new value has a different rank than its shared variable': true;
}
/**
 * One pair checked: the value's dtype must be the shared variable's, its rank the shared variable's. When the pair
 * comes from a list over shared variables of several ranks (`params.map((p, i) => [p, p.sub(grads[i].mul(lr))])`),
 * both sides are unions and lose which rank goes with which: the value's dtypes and ranks must then be among the
 * shared variable's, and each pair is checked exactly when the function is compiled.
 */
type CheckUpdate<P> = P extends readonly [SharedVariable<infer D, infer R>, Tensor<infer D2, infer R2>]
  ? Matching<P, [D, R], [D2, R2], UpdateDTypeMismatch, UpdateRankMismatch>
  : P;
/** A list of updates with each pair checked (see `CheckUpdate`). */
export type CheckedUpdates<U extends readonly UpdateLike[]> = { [K in keyof U]: CheckUpdate<U[K]> };
/**
 * A `Map` of updates checked as a whole (its keys and values are each one type, the union of its entries'): the
 * values' dtypes and ranks must be among the shared variables'; each pair is checked exactly when the function
 * is compiled.
 */
export type CheckedUpdateMap<M> =
  M extends ReadonlyMap<SharedVariable<infer D, infer R>, Tensor<infer D2, infer R2>>
    ? Matching<M, [D, R], [D2, R2], UpdateDTypeMismatch, UpdateRankMismatch>
    : M;
/** Any `Map` of updates, before `CheckedUpdateMap` checks it. */
export type UpdateMapLike = ReadonlyMap<SharedVariable<any, any>, Tensor>;

export interface FunctionOptions<
  U extends readonly UpdateLike[] = readonly ExactUpdate[],
  G extends readonly GivenLike[] = readonly GivenLike[],
  M extends UpdateMapLike = UpdateMapLike,
  GM extends GivenMapLike = GivenMapLike,
> {
  /**
   * Pairs `[shared, newValue]` (a list or a `Map`): every new value is computed from the old values, then all are
   * written together.
   */
  updates?: (U & NoInfer<CheckedUpdates<U>>) | (M & NoInfer<CheckedUpdateMap<M>>);
  /** Pairs `[variable, replacement]` substituted in the graph before compiling (Theano's `givens`). */
  givens?: (G & NoInfer<CheckedGivens<G>>) | (GM & NoInfer<CheckedGivenMap<GM>>);
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

/** A compiled function: call it with values for its inputs. */
export interface CompiledFunction<I extends readonly InputSpec[], O> {
  (...args: FunctionArgs<I>): OutputsValue<O>;
  /** The input variables, in order (the variables of `In` specs). */
  readonly inputs: InputVariables<I>;
  /** Each input's default value (`theano.In(x, { value })`), or undefined: Theano's `Function.defaults`. */
  readonly defaults: readonly (NDArray | undefined)[];
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
   * each step over the calls so far (`run()`, as Theano's profile of each Apply node); `summary()` prints them.
   */
  readonly profile: FunctionProfile | undefined;
  /**
   * The generated JavaScript that runs on each call (the linker function, then each fused kernel; with the 'wasm'
   * linker, a WebAssembly kernel as WAT text followed by its JavaScript fallback), for reading and debugging;
   * undefined with the reference linker (`FAST_COMPILE`, `nanGuard`, `withLinker('reference')`).
   */
  readonly source: string | undefined;
  /**
   * The same function on other shared variables, or without its updates (Theano's `Function.copy`). The optimized
   * graph is reused: the copy is relinked, never re-optimized.
   */
  copy(options?: CopyOptions): CompiledFunction<I, O>;
}

/** Options of `f.copy`. */
export interface CopyOptions {
  /** Shared variables of the function and those that take their place in the copy (Theano's `swap`). */
  swap?: ReadonlyMap<SharedVariable, SharedVariable> | readonly (readonly [SharedVariable, SharedVariable])[];
  /** Drop every update (explicit and default): the copy only reads its shared variables. */
  deleteUpdates?: boolean;
  /**
   * Share the original's pool of intermediate buffers (Theano's `share_memory`): the two functions then allocate
   * once between them. Values returned and shared values are never shared.
   */
  share?: boolean;
  /** The copy's name; by default the original's followed by ' copy'. */
  name?: string;
  /** Profile the copy; by default as the original. */
  profile?: boolean;
}

/** What `profile: true` records. */
export interface FunctionProfile extends OptimizationProfile {
  readonly compileMs: number;
  readonly linkMs: number;
  /** Calls so far, and the time of each step summed over them, slowest first. */
  run(): { readonly calls: number; readonly steps: readonly StepProfile[] };
  /** Theano's profiler table: time per op, then per step, with the ids `debugprint(f)` prints. */
  summary(): string;
}

const label = (v: Variable, i: number) => `input ${i}${v.name ? ` ('${v.name}')` : ''}`;

function pairs<K, V>(p: readonly (readonly [K, V])[] | ReadonlyMap<K, V> | undefined): [K, V][] {
  if (!p) return [];
  return p instanceof Map ? [...p.entries()] : ([...(p as readonly (readonly [K, V])[])] as [K, V][]);
}

/**
 * Compiles a graph into a callable (Theano's `theano.function`, exported as `function`). Outputs may be one
 * variable, a list, an object of variables (the call returns an object with the same keys) or `undefined` (a
 * function run for its updates, returning undefined); inputs may be `theano.In` specs with defaults and names.
 *
 * @example
 * const [a, b] = T.dscalars('a', 'b');
 * const f = theano.function([a, b], a.add(b));
 * f(1.5, 2.5); // 4
 */
export function compile<
  const I extends readonly InputSpec[],
  const O extends OutputSpec = undefined,
  const U extends readonly UpdateLike[] = readonly ExactUpdate[],
  const G extends readonly GivenLike[] = readonly GivenLike[],
  M extends UpdateMapLike = UpdateMapLike,
  GM extends GivenMapLike = GivenMapLike,
>(inputs: I, outputs?: O, typedOptions: FunctionOptions<U, G, M, GM> = {}): CompiledFunction<I, O> {
  // the pairs' types were checked at the call (CheckedUpdates); from here on they are checked at run time
  const options = typedOptions as FunctionOptions;
  const fname = typeof options?.name === 'string' && options.name ? `function '${options.name}'` : 'function';
  checkOptions(options, fname);
  if ((outputs === undefined || outputs === null) && options.updates === undefined)
    throw new TypeError(
      `${fname}: no outputs given: pass a symbolic variable, a list or an object of them as the second argument (or updates, for a function run for its updates only)`,
    );
  const layout = outputLayout(outputs, fname);
  if (!Array.isArray(inputs))
    throw new TypeError(
      `${fname}: inputs must be a list of variables, got ${describeValue(inputs)} (write [x] for one input)`,
    );
  const plan = inputPlan(inputs, fname);
  checkInputVariables(plan.variables, fname);
  const prepared = prepare(plan.variables, layout.list, options, fname);
  return makeCallable(prepared, { plan, layout, outputs, options, fname }) as CompiledFunction<I, O>;
}

/** The inputs must be leaves: symbolic variables not computed from others, neither shared nor constant, once each. */
function checkInputVariables(inputs: readonly unknown[], fname: string): void {
  inputs.forEach((v, i) => {
    if (!(v instanceof Tensor))
      throw new TypeError(`${fname}: input ${i} is not a symbolic variable (got ${describeValue(v)})`);
    if (v.isShared)
      throw new TypeError(
        `${fname}: ${label(v, i)} is a shared variable; shared variables are implicit inputs and cannot be listed`,
      );
    if (v.isConstant) throw new TypeError(`${fname}: ${label(v, i)} is a constant, not an input`);
    if (v.owner)
      throw new TypeError(
        `${fname}: ${label(v, i)} is an expression (${v.owner.op.name} of other variables), not a leaf: inputs must be variables made by T.dscalar(), T.matrix() and the like; to feed a value in place of an expression, use givens: [[expression, input]]`,
      );
    if (inputs.indexOf(v) !== i)
      throw new TypeError(`${fname}: ${label(v, i)} is listed twice (also as input ${inputs.indexOf(v)})`);
  });
}

/** A function's optimized graph and what its calls need to know about it. */
interface Prepared {
  readonly inputs: readonly Tensor[];
  readonly graph: FunctionGraph;
  /** The number of outputs (the update values follow them in graph.outputs). */
  readonly nOut: number;
  readonly updatedShared: readonly SharedVariable[];
  readonly mode: Mode;
  readonly profile: OptimizationProfile;
  readonly compileMs: number;
  readonly debug: DebugChecker | undefined;
  /** The graph as written (outputs and update values, givens applied), copied again on first use. */
  readonly unoptimized: () => FunctionGraph;
}

/** Checks updates and givens, builds the working graph, checks missing and unused inputs, and optimizes it. */
function prepare(
  inputs: readonly Tensor[],
  outputList: readonly Tensor[],
  options: FunctionOptions,
  fname: string,
): Prepared {
  const { updates, updatedShared } = checkUpdates(options, fname);
  const replacements = checkGivens(options, fname);
  for (const [sv, value] of defaultUpdates(outputList, updates, replacements, options.noDefaultUpdates, fname)) {
    updates.push([sv, value]);
    updatedShared.push(sv);
  }
  const kept = updates.filter(([sv]) => updatedShared.includes(sv));
  const graph = new FunctionGraph(inputs, [...outputList, ...kept.map(([, v]) => v)], replacements);
  checkLeaves(graph, inputs, outputList.length, kept, options.onUnusedInput ?? 'raise', fname);

  // --- optimization: the working copy is rewritten; the user's graph is never touched
  const mode = toMode(options.mode);
  const debug = mode.name === 'DEBUG' ? new DebugChecker(graph, inputs) : undefined;
  const start = performance.now();
  const profile = optimize(graph, mode, {
    onRewrite: debug && ((r) => debug.onRewrite(r)),
    onPass: debug && ((pass) => debug.onPass(pass)),
  });
  const compileMs = performance.now() - start;
  let unoptimized: FunctionGraph | undefined;
  const written = () =>
    (unoptimized ??= new FunctionGraph(inputs, [...outputList, ...kept.map(([, v]) => v)], replacements));
  return {
    inputs,
    graph,
    nOut: outputList.length,
    updatedShared,
    mode,
    profile,
    compileMs,
    debug,
    unoptimized: written,
  };
}

function checkUpdates(options: FunctionOptions, fname: string) {
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
  return { updates, updatedShared };
}

function checkGivens(options: FunctionOptions, fname: string): Map<Variable, Variable> {
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
  return replacements;
}

/** Every leaf the outputs need is an input, a constant or shared; every input is needed (or the policy allows it). */
function checkLeaves(
  graph: FunctionGraph,
  inputs: readonly Tensor[],
  nOut: number,
  kept: readonly (readonly [SharedVariable, Tensor])[],
  policy: 'raise' | 'warn' | 'ignore',
  fname: string,
): void {
  const inputSet = new Set<Variable>(inputs);
  const leaves = graph.leaves(); // graphInputs(graph.outputs, inputSet), from the graph's kept toposort
  for (const leaf of leaves) {
    if (!inputSet.has(leaf) && !leaf.isConstant && !leaf.isShared) {
      const needs = whoNeeds(leaf, graph.outputs, nOut, kept, inputSet);
      throw new TypeError(
        `${fname}: missing input: ${needs} on ${leaf.name ? `'${leaf.name}'` : 'an unnamed variable'} (${leaf.type}${namesakes(leaf, inputs)}), which is not among the inputs`,
      );
    }
  }
  const used = new Set(leaves);
  inputs.forEach((v, i) => {
    if (used.has(v) || policy === 'ignore') return;
    const msg = `${fname}: ${label(v, i)} is not used to compute any output${namesakes(v, leaves)}`;
    if (policy === 'raise') throw new TypeError(`${msg} (pass onUnusedInput: 'warn' or 'ignore' to allow this)`);
    console.warn(msg);
  });
}

/**
 * Tells apart two variables with the same name: ', id 12; input 0 is another variable named 'x' (id 3)' when
 * `others` holds a different variable of the same name, else ''.
 */
function namesakes(v: Variable, others: readonly Variable[]): string {
  if (!v.name) return '';
  const k = others.findIndex((o) => o !== v && o.name === v.name);
  if (k < 0) return '';
  const other = others[k]!;
  const where = others.every((o) => o instanceof Tensor && !o.owner && !o.isShared) ? `input ${k}` : 'the graph reads';
  return `, id ${v.id}; ${where === 'the graph reads' ? `the graph reads another variable named '${v.name}' (id ${other.id})` : `${where} is another variable named '${v.name}' (id ${other.id})`}`;
}

/** How a call's values are shaped, and the options that shape the callable. */
interface CallableSpec {
  readonly plan: InputPlan;
  readonly layout: OutputLayout;
  readonly outputs: unknown;
  readonly options: FunctionOptions;
  readonly fname: string;
  /** A pool to share (a copy with `share: true`). */
  readonly pool?: BufferPool;
}

/** Links the optimized graph (or prepares the reference evaluator) and wraps it in the callable. */
function makeCallable(prepared: Prepared, spec: CallableSpec): CompiledFunction<readonly InputSpec[], unknown> {
  const { graph, inputs, nOut, updatedShared, debug } = prepared;
  const { plan, layout, options, fname } = spec;
  // the generated-code linker, unless the reference evaluator was asked for (nanGuard checks every node's output)
  const linkStart = performance.now();
  const profiling = options.profile ?? false;
  const program: LinkedProgram | undefined =
    prepared.mode.linker !== 'reference' && !options.nanGuard
      ? linkOrFallBack(graph, inputs, profiling, prepared.mode, spec.pool, debug !== undefined)
      : undefined;
  const linkMs = performance.now() - linkStart;
  const runner = program ? undefined : referenceRunner(graph, inputs, profiling, options.nanGuard ?? false);
  const allowDowncast = options.allowInputDowncast ?? false;
  // the words of each input's error messages, made once: a call only reads them when it throws
  const inputLabels = inputs.map((v, i) => ({ what: `${fname}, ${label(v, i)}`, expected: article(v.type) }));
  const positionalOnly = !plan.keyed;
  let calls = 0;
  const fn = (...args: unknown[]): unknown => {
    if (positionalOnly && args.length !== inputs.length) {
      throw new TypeError(
        `${fname}: expected ${inputs.length} argument${inputs.length === 1 ? '' : 's'}, got ${args.length}`,
      );
    }
    const raw = positionalOnly ? args : bindArguments(plan, args, fname);
    const argValues = inputs.map((v, i) => {
      if (plan.strict[i]) checkStrict(v, raw[i], inputLabels[i]!.what);
      return checkInput(v, raw[i], inputLabels[i]!, allowDowncast);
    });
    let owned: NDArray[];
    if (program) {
      const results = program.run(argValues);
      debug?.check(argValues, results);
      owned = results.map((a, i) => (program.copyOutput[i] ? a.copy() : a));
    } else {
      const results = runner!.run(argValues);
      debug?.check(argValues, results);
      owned = results.map((a, i) => (runner!.copies[i] ? a.copy() : a));
    }
    // All values are computed: now write every update together.
    updatedShared.forEach((sv, k) => {
      sv.storage!.value = owned[nOut + k]!;
    });
    calls++;
    return layout.shape(owned.slice(0, nOut).map(unwrapScalar));
  };

  Object.defineProperty(fn, 'name', { value: options.name ?? 'compiledFunction' });
  const run = () => {
    const steps = program?.stepProfile?.() ?? runner!.stepProfile();
    return { calls, steps: [...steps].sort((a, b) => b.ms - a.ms) };
  };
  const stepsInOrder = () => program?.stepProfile?.() ?? runner!.stepProfile();
  const profiled: FunctionProfile | undefined = profiling
    ? {
        ...prepared.profile,
        compileMs: prepared.compileMs,
        linkMs,
        run,
        summary: () =>
          profileSummary({
            name: options.name ?? 'compiledFunction',
            graph,
            calls,
            compileMs: prepared.compileMs,
            linkMs,
            steps: stepsInOrder(),
            outputs: program ? program.steps.map(stepOutputs) : graph.toposort().map((n) => n.outputs),
          }),
      }
    : undefined;
  Object.defineProperty(fn, 'unoptimizedGraph', { get: prepared.unoptimized });
  Object.defineProperty(fn, 'source', { get: () => program?.source, enumerable: true });
  const self = Object.assign(fn, {
    inputs: plan.variables,
    defaults: plan.defaults,
    outputs: spec.outputs,
    graph,
    updatedShared,
    profile: profiled,
    copy: (copyOptions: CopyOptions = {}) => copyFunction(prepared, spec, copyOptions, program?.pool),
  });
  return self as unknown as CompiledFunction<readonly InputSpec[], unknown>;
}

/** The reference evaluator over the optimized graph, with per-node times when profiling. */
function referenceRunner(graph: FunctionGraph, inputs: readonly Variable[], profile: boolean, guarded: boolean) {
  const schedule = graph.toposort();
  const inputSet = new Set<Variable>(inputs);
  const runLeaves = graphInputs(graph.outputs, inputSet);
  // never hand out an array the caller could use to reach internal state, or one returned twice (the reference
  // evaluator makes no views: each value is its own buffer)
  const copies = outputsToCopy(
    graph.outputs,
    (v) => v,
    (v) => !v.owner || inputSet.has(v),
  );
  const guard = guarded ? nanGuard : undefined;
  const nodeMs = profile ? new Float64Array(schedule.length) : undefined;
  const run = (argValues: readonly NDArray[]): NDArray[] => {
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
    return graph.outputs.map((v) => values.get(v)!);
  };
  const stepProfile = (): StepProfile[] =>
    schedule.map((node, i) => ({ kind: 'op' as const, ops: [node.op.name], ms: nodeMs?.[i] ?? 0 }));
  return { run, copies, stepProfile };
}

const COPY_OPTIONS = ['swap', 'deleteUpdates', 'share', 'name', 'profile'] as const;

/**
 * `f.copy(...)`: the optimized graph copied with the swapped shared variables in place of the old ones (their
 * types must match), relinked; updates dropped with `deleteUpdates`.
 */
function copyFunction(
  prepared: Prepared,
  spec: CallableSpec,
  options: CopyOptions,
  pool: BufferPool | undefined,
): CompiledFunction<readonly InputSpec[], unknown> {
  const who = `${spec.fname}.copy`;
  checkOptionKeys(who, options, COPY_OPTIONS);
  const swap = new Map<Variable, Variable>();
  const reads = new Set(prepared.graph.leaves());
  const swapPairs = options.swap instanceof Map ? [...options.swap] : Array.isArray(options.swap) ? options.swap : [];
  if (options.swap !== undefined && !(options.swap instanceof Map) && !Array.isArray(options.swap))
    throw new TypeError(
      `${who}: swap must be a Map or a list of [old, new] shared variables, got ${describeValue(options.swap)}`,
    );
  for (const [old, replacement] of swapPairs as [unknown, unknown][]) {
    if (!(old instanceof SharedVariable) || !(replacement instanceof SharedVariable))
      throw new TypeError(
        `${who}: swap pairs shared variables, got ${describeValue(old)} and ${describeValue(replacement)}`,
      );
    const name = `shared variable${old.name ? ` '${old.name}'` : ''}`;
    if (!reads.has(old) && !prepared.updatedShared.includes(old))
      throw new TypeError(`${who}: swap names ${name}, which this function does not use`);
    if (old.dtype !== replacement.dtype || old.ndim !== replacement.ndim)
      throw new TypeError(`${who}: swap replaces ${name} (${old.type}) by one of type ${replacement.type}`);
    swap.set(old, replacement);
  }
  const deleteUpdates = options.deleteUpdates ?? false;
  const { graph, nOut } = prepared;
  const outputs = deleteUpdates ? graph.outputs.slice(0, nOut) : graph.outputs;
  const copied = new FunctionGraph(graph.inputs, outputs, swap);
  const updatedShared = deleteUpdates ? [] : prepared.updatedShared.map((sv) => (swap.get(sv) ?? sv) as SharedVariable);
  const name = options.name ?? `${spec.options.name ?? 'compiledFunction'} copy`;
  return makeCallable(
    {
      ...prepared,
      graph: copied,
      updatedShared,
      debug: prepared.debug?.forCopy(copied, swap, outputs.length),
      unoptimized: copiedUnoptimized(prepared, swap, outputs.length),
    },
    {
      ...spec,
      fname: `function '${name}'`,
      options: { ...spec.options, name, profile: options.profile ?? spec.options.profile },
      pool: options.share ? pool : undefined,
    },
  );
}

/** The copy's graph as written: the original's with the swapped shared variables, without dropped updates. */
function copiedUnoptimized(prepared: Prepared, swap: ReadonlyMap<Variable, Variable>, nOutputs: number) {
  let graph: FunctionGraph | undefined;
  return () => {
    const written = prepared.unoptimized();
    return (graph ??= new FunctionGraph(written.inputs, written.outputs.slice(0, nOutputs), swap));
  };
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
  mode: Mode,
  pool?: BufferPool,
  checkKernels = false,
): LinkedProgram | undefined {
  try {
    const backend = mode.linker === 'wasm' ? 'wasm' : 'js';
    return link(graph, inputs, profile, { backend, pool, checkKernels, fuse: mode.fuses });
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
