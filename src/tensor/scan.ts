/**
 * `theano.scan` and the loops built on it (`map`, `reduce`, `foldl`, `foldr`): the user's options turned into one
 * `scan` op (src/ops/scan.ts). Sequence taps become shifted slices, `goBackwards` reverses the sequences, a
 * shared variable the step updates becomes one more recurrent output, and every variable the step reads from
 * outside (weights, shared variables) becomes a non-sequence of the op.
 */
import { FunctionGraph } from '../graph/function-graph.js';
import { graphInputs } from '../graph/traversal.js';
import { peekNextVariableId, type Variable } from '../graph/variable.js';
import { placeholderFor } from '../ops/inner-graph.js';
import { lagOf, SCAN, type RecurrentInfo, type ScanParams } from '../ops/scan.js';
import { isInt, type DType } from '../types/dtype.js';
import type { Dec, Inc, Rank } from '../types/rank.js';
import { closestName } from '../types/suggest.js';
import { TensorType } from '../types/tensor-type.js';
import { applyOp, makeConstant } from './apply.js';
import { cast, minimum } from './elemwise.js';
import { getItem, slice } from './indexing.js';
import { expandDims, shape } from './shape.js';
import { SharedVariable } from './shared.js';
import { Tensor } from './tensor.js';
import { NDArray } from '../runtime/ndarray.js';

// ---------------------------------------------------------------------------------------------------- types

/** A sequence: a tensor iterated over its first axis, or `{ input, taps }` (taps relative to the step: -1, 0, 2). */
export type SequenceSpec = Tensor | { readonly input: Tensor; readonly taps?: readonly number[] };
/**
 * An output: its initial value (fed back as the previous step's value), `{ initial, taps }` (`taps: [-2, -1]`:
 * the values two steps and one step back; `initial` then holds one row per step back, oldest first), or null
 * (an output that is not fed back).
 */
export type OutputSpec =
  Tensor | number | { readonly initial: Tensor | number; readonly taps?: readonly number[] } | null;
/** One update: a shared variable and its new value of the same dtype and rank (as `theano.function` takes). */
export type ScanUpdate = { [D in DType]: { [R in Rank]: readonly [SharedVariable<D, R>, Tensor<D, R>] }[Rank] }[DType];
/** Shared-variable updates made by the step: `[shared, newValue]` pairs. */
export type ScanUpdates = readonly ScanUpdate[];
/** What a step returns: its outputs, `[outputs, updates]`, or `{ outputs, updates, until }`. */
export type StepResult =
  | Tensor
  | readonly Tensor[]
  | readonly [Tensor | readonly Tensor[], ScanUpdates]
  | { readonly outputs?: Tensor | readonly Tensor[]; readonly updates?: ScanUpdates; readonly until?: Tensor };

type Row<T> = T extends Tensor<infer D, infer R> ? Tensor<D, Dec<R>> : never;
type SeqArg<S> = S extends Tensor
  ? [Row<S>]
  : S extends { readonly input: infer X; readonly taps: infer Tp extends readonly number[] }
    ? { -readonly [K in keyof Tp]: Row<X> }
    : S extends { readonly input: infer X }
      ? [Row<X>]
      : never;
type SeqArgs<S> = S extends readonly [infer H, ...infer Rest]
  ? [...SeqArg<H>, ...SeqArgs<Rest>]
  : S extends readonly []
    ? []
    : Tensor[];
type StateOf<I> = I extends Tensor ? I : I extends number ? Tensor<'float64', 0> : never;
type OutArg<O> = O extends null
  ? []
  : O extends { readonly initial: infer I; readonly taps: infer Tp extends readonly number[] }
    ? Tp extends readonly [-1]
      ? [StateOf<I>]
      : { -readonly [K in keyof Tp]: Row<StateOf<I>> }
    : O extends { readonly initial: infer I }
      ? [StateOf<I>]
      : [StateOf<O>];
type OutArgs<O> = O extends readonly [infer H, ...infer Rest]
  ? [...OutArg<H>, ...OutArgs<Rest>]
  : O extends readonly []
    ? []
    : O extends readonly unknown[]
      ? Tensor[]
      : OutArg<O>;
type Mutable<N> = { -readonly [K in keyof N]: N[K] };

/** The parameters of the step function, in Theano's order: sequence taps, output taps, non-sequences. */
export type StepArgs<S, O, N> = [
  ...SeqArgs<S>,
  ...OutArgs<O>,
  ...(Mutable<N> extends infer M extends unknown[] ? M : Tensor[]),
];

type Stacked<T> = T extends Tensor<infer D, infer R> ? Tensor<D, Inc<R>> : never;
type StepOutputs<Ret> = Ret extends Tensor
  ? Ret
  : Ret extends { readonly outputs: infer O }
    ? O
    : Ret extends { readonly updates: ScanUpdates }
      ? []
      : Ret extends readonly [infer O, ScanUpdates]
        ? O
        : Ret;
type StackAll<O> = O extends Tensor
  ? Stacked<O>
  : O extends readonly [infer Only]
    ? Stacked<Only>
    : { -readonly [K in keyof O]: Stacked<O[K]> };
/** The stacked outputs of a scan whose step returns `Ret`: one tensor for one output, a tuple for several. */
export type ScanOutputs<Ret> = StackAll<StepOutputs<Ret>>;

type AsList<X> = X extends Tensor ? [X] : X extends readonly unknown[] ? X : [];
type SpecList<O> = O extends readonly unknown[] ? O : [O];
/** The type a recurrent output must have, from its spec (never: not fed back, or not known). */
type StateType<Spec> = Spec extends null
  ? never
  : Spec extends { readonly initial: infer I; readonly taps: infer Tp extends readonly number[] }
    ? Tp extends readonly [-1]
      ? StateOf<I>
      : Row<StateOf<I>>
    : Spec extends { readonly initial: infer I }
      ? StateOf<I>
      : StateOf<Spec>;
/** A dtype or rank the compiler knows exactly (not a union such as `DType`). */
type Exact<X, All> = [All] extends [X] ? false : true;
type SameType<A, B> =
  A extends Tensor<infer DA, infer RA>
    ? B extends Tensor<infer DB, infer RB>
      ? Exact<DA, DType> extends true
        ? Exact<DB, DType> extends true
          ? Exact<RA, Rank> extends true
            ? Exact<RB, Rank> extends true
              ? [DA, RA] extends [DB, RB]
                ? [DB, RB] extends [DA, RA]
                  ? true
                  : false
                : false
              : true
            : true
          : true
        : true
      : true
    : true;
type OutputOk<Spec, Out> = [StateType<Spec>] extends [never] ? true : SameType<StateType<Spec>, Out>;
type AllOk<Specs extends readonly unknown[], Outs extends readonly unknown[]> = {
  [K in keyof Specs]: K extends keyof Outs ? OutputOk<Specs[K], Outs[K]> : true;
}[number];
/**
 * Where the types show it, a recurrent output the step returns with another dtype or rank than its initial value
 * does not compile: `outputsInfo` is then typed as this message.
 */
export type RecurrentTypeCheck<O, Ret> =
  false extends AllOk<SpecList<O>, AsList<StepOutputs<Ret>>>
    ? { outputsInfo: 'scan: the step returns a recurrent output whose dtype or rank differs from its initial value' }
    : unknown;

export interface ScanOptions<S extends readonly SequenceSpec[], O, N extends readonly Tensor[]> {
  sequences?: S;
  outputsInfo?: O;
  nonSequences?: N;
  /** The number of steps (a number or an integer scalar): needed when there is no sequence. */
  nSteps?: number | Tensor;
  /** Iterate the sequences from their last row to their first. */
  goBackwards?: boolean;
  /** Backpropagate through the last `truncateGradient` steps only (-1, the default: all). */
  truncateGradient?: number;
  /** A name for messages and printing. */
  name?: string;
  /**
   * Theano's `strict`: the step may read no outer variable except the non-sequences (and the sequences and
   * outputs it is handed); by default it may, and each one becomes a non-sequence of the loop.
   */
  strict?: boolean;
}

const OPTION_NAMES = [
  'sequences',
  'outputsInfo',
  'nonSequences',
  'nSteps',
  'goBackwards',
  'truncateGradient',
  'name',
  'strict',
];

// ---------------------------------------------------------------------------------------------- the core

/** The op-level description of a loop: what `buildScan` turns into one scan op. */
export interface ScanCore {
  readonly name: string;
  readonly nSteps: Tensor;
  /** Sequences as the op reads them (rows 0..nSteps-1). */
  readonly sequences: readonly Tensor[];
  /** Recurrent outputs: the initial buffer (at least `lag` rows), the taps, and a name for the taps' placeholders. */
  readonly recurrent: readonly { readonly initial: Tensor; readonly taps: readonly number[]; readonly name?: string }[];
  readonly nonSequences: readonly Tensor[];
  readonly truncateGradient: number;
  readonly strict: boolean;
  /**
   * Builds the step from placeholders (sequence rows, the taps of each recurrent output, non-sequences): the
   * recurrent outputs' new values, the other outputs, the until condition, and shared variables whose outer
   * value stands for a recurrent output's state inside the step (updates: the shared variable's reads inside
   * the step are reads of that state).
   */
  readonly step: (args: readonly Tensor[]) => {
    readonly recurrent: readonly Tensor[];
    readonly nitSot: readonly Tensor[];
    readonly until?: Tensor;
    /**
     * Shared variables the step updates: each becomes one more recurrent output (tap -1) whose state stands
     * for the shared variable inside the step; `initial` is its buffer (the shared value as one row).
     */
    readonly states?: readonly { readonly shared: Variable; readonly initial: Tensor; readonly value: Tensor }[];
  };
}

const placeholder = (type: TensorType, name?: string) => new Tensor(type, null, 0, name);
const rowTypeOf = (t: TensorType) => new TensorType(t.dtype, t.shape.slice(1));

/**
 * Builds one scan op: returns its outputs (each recurrent output's whole buffer, initial rows first, then the
 * stacked other outputs) and the number of non-sequences the step captured from outside.
 */
export function buildScan(core: ScanCore): Tensor[] {
  const who = `scan '${core.name}'`;
  const seqRows = core.sequences.map((s) => placeholder(rowTypeOf(s.type), s.name ? `${s.name}[t]` : undefined));
  const taps = core.recurrent.map((r) =>
    r.taps.map((tap) => {
      const name = r.name ?? r.initial.name;
      return placeholder(rowTypeOf(r.initial.type), name ? `${name}[t${tap}]` : undefined);
    }),
  );
  const built = core.step([...seqRows, ...taps.flat(), ...core.nonSequences]);
  if (built.recurrent.length !== core.recurrent.length)
    throw new Error(
      `internal: ${who} built ${built.recurrent.length} recurrent outputs, expected ${core.recurrent.length}`,
    );
  const states = built.states ?? [];
  const statePlaceholders = states.map((s) => placeholder(rowTypeOf(s.initial.type), s.shared.name));
  const outputs: Tensor[] = [
    ...built.recurrent,
    ...states.map((s) => s.value),
    ...built.nitSot,
    ...(built.until ? [built.until] : []),
  ];

  // everything the step reads from outside becomes a placeholder: non-sequences, then captured variables
  const replacements = new Map<Variable, Variable>();
  states.forEach((s, i) => replacements.set(s.shared, statePlaceholders[i]!));
  const nonSequences = core.nonSequences.filter((v) => !replacements.has(v));
  nonSequences.forEach((v) => replacements.set(v, placeholderFor(v)));
  const own = new Set<Variable>([...seqRows, ...taps.flat()]);
  const captured: Tensor[] = [];
  for (const leaf of graphInputs(outputs, own)) {
    if (own.has(leaf) || leaf.isConstant || replacements.has(leaf)) continue;
    if (core.strict)
      throw new TypeError(
        `${who}: the step reads ${leaf.name ? `'${leaf.name}'` : 'a variable'} (${leaf.type}) from outside; with strict: true, pass it in nonSequences`,
      );
    replacements.set(leaf, placeholderFor(leaf));
    captured.push(leaf as Tensor);
  }
  const outerNonSequences = [...nonSequences, ...captured];
  const innerInputs: Variable[] = [
    ...seqRows,
    ...taps.flat(),
    ...statePlaceholders,
    ...outerNonSequences.map((v) => replacements.get(v)!),
  ];
  const step = new FunctionGraph(innerInputs, outputs, replacements);
  const params: ScanParams = {
    name: core.name,
    nSequences: core.sequences.length,
    recurrent: [
      ...core.recurrent.map((r): RecurrentInfo => ({ taps: [...r.taps] })),
      ...states.map(() => ({ taps: [-1] })),
    ],
    nNitSot: built.nitSot.length,
    nNonSequences: outerNonSequences.length,
    hasUntil: built.until !== undefined,
    truncateGradient: core.truncateGradient,
    step,
  };
  const inits = [...core.recurrent.map((r) => r.initial), ...states.map((s) => s.initial)];
  return applyOp(SCAN, params, [core.nSteps, ...core.sequences, ...inits, ...outerNonSequences]);
}

// ---------------------------------------------------------------------------------------------- the API

const int64 = (n: number) => makeConstant(new NDArray('int64', [], BigInt64Array.of(BigInt(n))));

function asTensor(x: unknown, what: string, who: string): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') return makeConstant(new NDArray('float64', [], Float64Array.of(x)));
  const got = x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x;
  throw new TypeError(`${who}: ${what} is ${got}, not a symbolic tensor (wrap data with T.constant)`);
}

function checkTaps(taps: unknown, what: string, who: string, negative: boolean): number[] {
  if (!Array.isArray(taps) || taps.length === 0 || !taps.every((t) => Number.isInteger(t)))
    throw new TypeError(
      `${who}: the taps of ${what} must be a non-empty list of integers, got ${JSON.stringify(taps)}`,
    );
  if (new Set(taps).size !== taps.length)
    throw new TypeError(`${who}: the taps of ${what} repeat a value: ${JSON.stringify(taps)}`);
  if (negative && taps.some((t: number) => t >= 0))
    throw new TypeError(`${who}: the taps of ${what} must be negative (steps back), got ${JSON.stringify(taps)}`);
  return taps as number[];
}

interface NormalizedOutput {
  /** null: not fed back. */
  readonly initial: Tensor | null;
  readonly taps: readonly number[];
  /** Whether `initial` is one state (taps [-1], given plainly) rather than a buffer of rows. */
  readonly plain: boolean;
}

function normalizeOutput(spec: unknown, k: number, who: string): NormalizedOutput {
  if (spec === null || spec === undefined) return { initial: null, taps: [], plain: false };
  if (spec instanceof Tensor || typeof spec === 'number')
    return { initial: asTensor(spec, `outputsInfo[${k}]`, who), taps: [-1], plain: true };
  if (typeof spec === 'object' && 'initial' in spec) {
    const s = spec as { initial: unknown; taps?: unknown };
    const initial = asTensor(s.initial, `outputsInfo[${k}].initial`, who);
    if (s.taps === undefined) return { initial, taps: [-1], plain: true };
    const taps = checkTaps(s.taps, `outputsInfo[${k}]`, who, true);
    const plain = taps.length === 1 && taps[0] === -1;
    if (!plain && initial.ndim === 0)
      throw new TypeError(
        `${who}: outputsInfo[${k}] has taps ${JSON.stringify(taps)}: its initial value must hold one row per step back (rank 1 or more), got a scalar`,
      );
    return { initial, taps, plain };
  }
  throw new TypeError(
    `${who}: outputsInfo[${k}] must be an initial value, { initial, taps } or null, got ${Array.isArray(spec) ? 'an array' : typeof spec}`,
  );
}

function parseStepResult(
  result: unknown,
  who: string,
): { outputs: Tensor[]; updates: [SharedVariable, Tensor][]; until?: Tensor } {
  const list = (x: unknown): Tensor[] => {
    if (x === undefined) return [];
    const items = Array.isArray(x) ? x : [x];
    return items.map((o, i) => asTensor(o, `the step's output ${i}`, who));
  };
  const pairsOf = (u: unknown): [SharedVariable, Tensor][] => {
    if (u === undefined) return [];
    const items = u instanceof Map ? [...u.entries()] : (u as unknown[]);
    if (!Array.isArray(items))
      throw new TypeError(`${who}: the step's updates must be a list of [shared, newValue] pairs`);
    return items.map((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2 || !(pair[0] instanceof SharedVariable))
        throw new TypeError(`${who}: update ${i} of the step must be a [shared, newValue] pair`);
      return [pair[0], asTensor(pair[1], `the new value of update ${i}`, who)];
    });
  };
  if (result instanceof Tensor) return { outputs: [result], updates: [] };
  if (Array.isArray(result)) {
    const isUpdateList = (u: unknown) =>
      u instanceof Map || (Array.isArray(u) && u.every((p) => Array.isArray(p) && p[0] instanceof SharedVariable));
    if (result.length === 2 && !(result[1] instanceof Tensor) && isUpdateList(result[1]))
      return { outputs: list(result[0]), updates: pairsOf(result[1]) };
    return { outputs: list(result), updates: [] };
  }
  if (result !== null && typeof result === 'object') {
    const r = result as { outputs?: unknown; updates?: unknown; until?: unknown };
    const unknown = Object.keys(r).filter((k) => !['outputs', 'updates', 'until'].includes(k));
    if (unknown.length)
      throw new TypeError(
        `${who}: the step returned an object with '${unknown[0]}'; expected { outputs, updates, until }`,
      );
    const until = r.until === undefined ? undefined : asTensor(r.until, 'until', who);
    if (until && (until.ndim !== 0 || (until.dtype !== 'bool' && !isInt(until.dtype))))
      throw new TypeError(`${who}: until must be a boolean scalar, got ${until.type}`);
    return {
      outputs: list(r.outputs),
      updates: pairsOf(r.updates),
      until: until && until.dtype !== 'bool' ? (cast(until, 'bool') as Tensor) : until,
    };
  }
  throw new TypeError(
    `${who}: the step returned ${result === null ? 'null' : typeof result}; it must return its outputs, [outputs, updates] or { outputs, updates, until }`,
  );
}

const describeType = (t: TensorType) => `${t}`;

/**
 * Shared variables made while the step was built (a random draw's state) that the step reads and does not update
 * itself: their default updates become step updates, so each iteration draws new numbers (as PyTensor's scan does
 * for shared variables created in the step). A default update may read more such variables. Returns them.
 */
function addLocalDefaultUpdates(
  result: { outputs: Tensor[]; updates: [SharedVariable, Tensor][]; until?: Tensor },
  firstLocalId: number,
): SharedVariable[] {
  const added: SharedVariable[] = [];
  const named = new Set<Variable>(result.updates.map(([sv]) => sv));
  let frontier: Variable[] = [
    ...result.outputs,
    ...result.updates.map(([, v]) => v),
    ...(result.until ? [result.until] : []),
  ];
  while (frontier.length > 0) {
    const next: Variable[] = [];
    for (const leaf of graphInputs(frontier)) {
      if (!(leaf instanceof SharedVariable) || leaf.id < firstLocalId || named.has(leaf)) continue;
      const value = leaf.defaultUpdate as Tensor | undefined;
      if (!value || value === leaf) continue;
      named.add(leaf);
      result.updates.push([leaf, value]);
      added.push(leaf);
      next.push(value);
    }
    frontier = next;
  }
  return added;
}

/** The options checked: an object with known keys, a function step; the loop's name for messages. */
function checkScanCall(fn: unknown, options: unknown): { name: string; who: string } {
  if (typeof options !== 'object' || options === null) throw new TypeError('scan: options must be an object');
  const name = (options as { name?: string }).name ?? 'scan';
  const who = `scan '${name}'`;
  for (const key of Object.keys(options)) {
    if (OPTION_NAMES.includes(key)) continue;
    const near = closestName(key, OPTION_NAMES);
    throw new TypeError(
      `scan: unknown option '${key}'${near ? ` (did you mean '${near}'?)` : ''}; the options are ${OPTION_NAMES.join(', ')}`,
    );
  }
  if (typeof fn !== 'function') throw new TypeError(`${who}: the step must be a function, got ${typeof fn}`);
  return { name, who };
}

/** The sequences as one shifted slice per tap (a tap t of a sequence with taps lo..hi reads rows t-lo .. n-(hi-t)). */
function sequenceSlices(specs: readonly unknown[], who: string): Tensor[] {
  if (!Array.isArray(specs)) throw new TypeError(`${who}: sequences must be a list`);
  const seqs = specs.map((s, j) => {
    if (s instanceof Tensor) return { input: s, taps: [0] };
    if (s !== null && typeof s === 'object' && 'input' in s) {
      const spec = s as { input: unknown; taps?: unknown };
      const input = asTensor(spec.input, `sequence ${j}`, who);
      return { input, taps: spec.taps === undefined ? [0] : checkTaps(spec.taps, `sequence ${j}`, who, false) };
    }
    throw new TypeError(
      `${who}: sequence ${j} is ${s === null ? 'null' : Array.isArray(s) ? 'an array' : typeof s}, not a symbolic tensor`,
    );
  });
  seqs.forEach((s, j) => {
    if (s.input.ndim === 0)
      throw new TypeError(
        `${who}: sequence ${j} is a scalar (${s.input.type}); a sequence is iterated over its first axis`,
      );
  });
  const slices: Tensor[] = [];
  for (const s of seqs) {
    const lo = Math.min(...s.taps, 0);
    const hi = Math.max(...s.taps, 0);
    for (const tap of s.taps) {
      const len = shape(s.input, 0);
      const stop = hi - tap === 0 ? null : len.sub(hi - tap);
      slices.push(tap - lo === 0 && stop === null ? s.input : getItem(s.input, [slice(tap - lo, stop as never)]));
    }
  }
  return slices;
}

/**
 * The number of steps (`nSteps`, or the shortest sequence) and the sequences the loop reads: cut to `nSteps` when
 * it is given, reversed with `goBackwards`.
 */
function loopLength(
  options: { nSteps?: unknown; goBackwards?: boolean },
  slices: Tensor[],
  who: string,
): { nSteps: Tensor; sequences: Tensor[] } {
  let nSteps: Tensor;
  const n = options.nSteps;
  if (n !== undefined) {
    if (typeof n === 'number') {
      if (!Number.isInteger(n) || n < 0)
        throw new RangeError(`${who}: nSteps must be a non-negative integer, got ${n}`);
      nSteps = int64(n);
    } else if (n instanceof Tensor && n.ndim === 0 && isInt(n.dtype))
      nSteps = n.dtype === 'int64' ? n : (cast(n, 'int64') as Tensor);
    else
      throw new TypeError(
        `${who}: nSteps must be a number or an integer scalar, got ${n instanceof Tensor ? n.type : typeof n}`,
      );
  } else if (slices.length > 0) {
    nSteps = slices.map((s) => shape(s, 0) as Tensor).reduce((a, b) => minimum(a, b) as Tensor);
  } else throw new TypeError(`${who}: give sequences or nSteps (the loop needs to know how many steps to run)`);
  let sequences = n !== undefined ? slices.map((s) => getItem(s, [slice(null, nSteps as never)])) : slices;
  if (options.goBackwards) sequences = sequences.map((s) => getItem(s, [slice(null, null, -1)]));
  return { nSteps, sequences };
}

/** The outputs fed back: each with its position among the step's outputs, initial rows and ascending taps. */
interface Recurrent {
  readonly output: NormalizedOutput;
  /** its position among the step's outputs */
  readonly k: number;
  /** one row per step back (a plain initial value gains a first axis) */
  readonly init: Tensor;
  readonly sortedTaps: number[];
}

/** The user's `outputsInfo`, normalized; the recurrent ones checked to have an initial row per step back. */
function recurrentOutputs(outSpecs: unknown[] | undefined, who: string): Recurrent[] {
  const outs = (outSpecs ?? []).map((spec, k) => normalizeOutput(spec, k, who));
  const recurrent: Recurrent[] = [];
  outs.forEach((o, k) => {
    if (o.initial === null) return;
    const init = o.plain ? (expandDims(o.initial as never, 0) as Tensor) : o.initial;
    const lag = Math.max(...o.taps.map((t) => -t));
    const rows = init.type.shape[0];
    if (!o.plain && rows !== null && rows !== undefined && rows < lag)
      throw new TypeError(
        `${who}: outputsInfo[${k}] has taps ${JSON.stringify(o.taps)}, which need ${lag} initial rows, but its initial value has ${rows}`,
      );
    recurrent.push({ output: o, k, init, sortedTaps: [...o.taps].sort((a, b) => a - b) });
  });
  return recurrent;
}

/** The step's result checked against what the loop expects: the output count, recurrent types, update types. */
function checkStepResult(
  result: { outputs: Tensor[]; updates: [SharedVariable, Tensor][] },
  expected: number,
  recurrent: readonly Recurrent[],
  who: string,
): void {
  if (result.outputs.length !== expected)
    throw new TypeError(
      `${who}: the step returns ${result.outputs.length} output${result.outputs.length === 1 ? '' : 's'}, but outputsInfo describes ${expected}`,
    );
  for (const { k, init } of recurrent) {
    const out = result.outputs[k]!;
    const state = rowTypeOf(init.type);
    if (out.dtype !== state.dtype || out.ndim !== state.ndim)
      throw new TypeError(
        `${who}: output ${k} of the step is ${describeType(out.type)}, but its initial value (outputsInfo[${k}]) makes it ${describeType(state)}: a recurrent output keeps its dtype and rank from step to step (cast the initial value or the step's result)`,
      );
  }
  result.updates.forEach(([sv, v], i) => {
    if (v.dtype !== sv.dtype || v.ndim !== sv.ndim)
      throw new TypeError(
        `${who}: update ${i} gives shared variable${sv.name ? ` '${sv.name}'` : ''} (${sv.type}) a value of type ${v.type}`,
      );
  });
  if (result.outputs.length === 0 && result.updates.length === 0)
    throw new TypeError(`${who}: the step returns no output and no update`);
}

/** What building the step found out: its output count, the shared variables it updates, those made inside it. */
interface StepFacts {
  nOutputs: number;
  updated: SharedVariable[];
  local: SharedVariable[];
}

/**
 * The step as `buildScan` calls it: the op hands each output's taps in ascending order, the user's function takes
 * them in the order the user gave; its result is checked and split into recurrent outputs, outputs that are not
 * fed back, the stop condition and shared-variable states. Records what it found in `facts`.
 */
function userStep(
  fn: (...a: Tensor[]) => unknown,
  loop: { nSequences: number; outSpecs: unknown[] | undefined; recurrent: readonly Recurrent[]; who: string },
  facts: StepFacts,
): ScanCore['step'] {
  const { nSequences, outSpecs, recurrent, who } = loop;
  return (args) => {
    const userArgs = args.slice(0, nSequences);
    let k = nSequences;
    for (const { output, sortedTaps } of recurrent) {
      const mine = args.slice(k, (k += output.taps.length));
      for (const tap of output.taps) userArgs.push(mine[sortedTaps.indexOf(tap)]!);
    }
    userArgs.push(...args.slice(k));
    const firstLocalId = peekNextVariableId();
    const result = parseStepResult(fn(...userArgs), who);
    facts.local.push(...addLocalDefaultUpdates(result, firstLocalId));
    checkStepResult(result, outSpecs ? outSpecs.length : result.outputs.length, recurrent, who);
    facts.nOutputs = result.outputs.length;
    facts.updated = result.updates.map(([sv]) => sv);
    const fedBack = new Set(recurrent.map((r) => r.k));
    return {
      recurrent: recurrent.map((r) => result.outputs[r.k]!),
      nitSot: result.outputs.filter((_, kk) => !fedBack.has(kk)),
      until: result.until,
      states: result.updates.map(([sv, v]) => ({
        shared: sv,
        initial: expandDims(sv as never, 0) as Tensor,
        value: v,
      })),
    };
  };
}

/**
 * The op's outputs in the user's order (recurrent buffers without their initial rows), and the updates: each
 * updated shared variable's last state. A state made inside the step advances with the loop: outside, its default
 * update becomes the loop's final state.
 */
function scanResults(
  raw: Tensor[],
  recurrent: readonly Recurrent[],
  facts: StepFacts,
): { outputs: Tensor | Tensor[]; updates: ScanUpdates } {
  const nUser = recurrent.length;
  const nRecTotal = nUser + facts.updated.length;
  let nit = 0;
  const results: Tensor[] = [];
  for (let k = 0; k < facts.nOutputs; k++) {
    const r = recurrent.findIndex((rec) => rec.k === k);
    results.push(
      r >= 0 ? getItem(raw[r]!, [slice(lagOf({ taps: recurrent[r]!.sortedTaps }), null)]) : raw[nRecTotal + nit++]!,
    );
  }
  const pairs = facts.updated.map((sv, u) => [sv, getItem(raw[nUser + u]!, [-1])] as const);
  for (const [sv, value] of pairs) if (facts.local.includes(sv)) sv.defaultUpdate = value;
  return { outputs: results.length === 1 ? results[0]! : results, updates: pairs as unknown as ScanUpdates };
}

/**
 * Theano's symbolic loop. `fn` is called once, on symbolic values (sequence taps, output taps, non-sequences, in
 * that order), and builds the step; the loop runs it `nSteps` times (or over the shortest sequence). Returns
 * the stacked outputs (first axis: steps; one tensor for one output, a tuple for several) and the updates of
 * shared variables the step made, to pass to `theano.function`.
 *
 * @example
 * const A = T.dvector('A');
 * const k = T.iscalar('k');
 * const [powers] = theano.scan((prior, a) => prior.mul(a), { outputsInfo: T.onesLike(A), nonSequences: [A], nSteps: k });
 * theano.function([A, k], powers.get(-1))([1, 2, 3], 3); // [1, 8, 27]
 */
export function scan<
  const S extends readonly SequenceSpec[] = [],
  const O = [],
  const N extends readonly Tensor[] = [],
  Ret extends StepResult = StepResult,
>(
  fn: (...args: StepArgs<S, O, N>) => Ret,
  options: ScanOptions<S, O, N> & RecurrentTypeCheck<O, Ret> = {} as never,
): [ScanOutputs<Ret>, ScanUpdates] {
  const { name, who } = checkScanCall(fn, options);
  const slices = sequenceSlices((options.sequences ?? []) as readonly unknown[], who);
  const { nSteps, sequences } = loopLength(options, slices, who);
  const info = options.outputsInfo;
  const outSpecs = info === undefined ? undefined : Array.isArray(info) ? (info as unknown[]) : [info];
  const recurrent = recurrentOutputs(outSpecs, who);
  const nonSequences = ((options.nonSequences ?? []) as readonly unknown[]).map((v, i) =>
    asTensor(v, `non-sequence ${i}`, who),
  );
  const truncateGradient = options.truncateGradient ?? -1;
  if (!Number.isInteger(truncateGradient) || (truncateGradient < 1 && truncateGradient !== -1))
    throw new RangeError(
      `${who}: truncateGradient must be a positive integer or -1 (no truncation), got ${truncateGradient}`,
    );
  const facts: StepFacts = { nOutputs: 0, updated: [], local: [] };
  const loop = { nSequences: sequences.length, outSpecs, recurrent, who };
  const raw = buildScan({
    name,
    nSteps,
    sequences,
    recurrent: recurrent.map((r) => ({ initial: r.init, taps: r.sortedTaps, name: r.output.initial!.name })),
    nonSequences,
    truncateGradient,
    strict: options.strict ?? false,
    step: userStep(fn as (...a: Tensor[]) => unknown, loop, facts),
  });
  const { outputs, updates } = scanResults(raw, recurrent, facts);
  return [outputs as ScanOutputs<Ret>, updates];
}

type Last<O> =
  O extends Tensor<infer D, infer R>
    ? Tensor<D, Dec<R>>
    : { -readonly [K in keyof O]: O[K] extends Tensor<infer D, infer R> ? Tensor<D, Dec<R>> : never };
type LoopOptions = Pick<ScanOptions<[], [], []>, 'goBackwards' | 'truncateGradient' | 'name'>;

/**
 * `fn` applied to each row of the sequences (Theano's `map`): a scan with no recurrent output.
 *
 * @example
 * const X = T.dmatrix('X');
 * const [norms] = T.map((row) => row.sqr().sum().sqrt(), [X]); // one norm per row
 */
export function map<
  const S extends readonly SequenceSpec[],
  const N extends readonly Tensor[] = [],
  Ret extends StepResult = StepResult,
>(
  fn: (...args: StepArgs<S, [], N>) => Ret,
  sequences: S,
  nonSequences?: N,
  options: LoopOptions = {},
): [ScanOutputs<Ret>, ScanUpdates] {
  return scan(fn as never, { ...options, sequences, nonSequences, name: options.name ?? 'map' }) as never;
}

/**
 * A scan that keeps only the last value of each output (Theano's `reduce`): `fn` receives the sequence rows, the
 * values so far (starting from `outputsInfo`) and the non-sequences.
 *
 * @example
 * const v = T.dvector('v');
 * const [total] = T.reduce((x, acc) => acc.add(x), [v], T.constant(0)); // sum(v)
 */
export function reduce<
  const S extends readonly SequenceSpec[],
  const O,
  const N extends readonly Tensor[] = [],
  Ret extends StepResult = StepResult,
>(
  fn: (...args: StepArgs<S, O, N>) => Ret,
  sequences: S,
  outputsInfo: O,
  nonSequences?: N,
  options: Pick<LoopOptions, 'goBackwards' | 'name'> = {},
): [Last<ScanOutputs<Ret>>, ScanUpdates] {
  const [outputs, updates] = scan(fn as never, {
    ...options,
    sequences,
    outputsInfo: outputsInfo as never,
    nonSequences,
    name: options.name ?? 'reduce',
  }) as [Tensor | Tensor[], ScanUpdates];
  const last = (o: Tensor) => getItem(o, [-1]);
  return [(Array.isArray(outputs) ? outputs.map(last) : last(outputs)) as never, updates];
}

/**
 * `reduce` from the first row to the last (Theano's `foldl`).
 * @example const [total] = T.foldl((x, acc) => acc.add(x), { sequences: [v], outputsInfo: [T.constant(0)] });
 */
export function foldl<
  const S extends readonly SequenceSpec[],
  const O,
  const N extends readonly Tensor[] = [],
  Ret extends StepResult = StepResult,
>(
  fn: (...args: StepArgs<S, O, N>) => Ret,
  sequences: S,
  outputsInfo: O,
  nonSequences?: N,
  options: Pick<LoopOptions, 'name'> = {},
): [Last<ScanOutputs<Ret>>, ScanUpdates] {
  return reduce(fn, sequences, outputsInfo, nonSequences, { ...options, name: options.name ?? 'foldl' });
}

/**
 * `reduce` from the last row to the first (Theano's `foldr`).
 * @example const [total] = T.foldr((x, acc) => acc.add(x), { sequences: [v], outputsInfo: [T.constant(0)] });
 */
export function foldr<
  const S extends readonly SequenceSpec[],
  const O,
  const N extends readonly Tensor[] = [],
  Ret extends StepResult = StepResult,
>(
  fn: (...args: StepArgs<S, O, N>) => Ret,
  sequences: S,
  outputsInfo: O,
  nonSequences?: N,
  options: Pick<LoopOptions, 'name'> = {},
): [Last<ScanOutputs<Ret>>, ScanUpdates] {
  return reduce(fn, sequences, outputsInfo, nonSequences, {
    ...options,
    goBackwards: true,
    name: options.name ?? 'foldr',
  });
}
