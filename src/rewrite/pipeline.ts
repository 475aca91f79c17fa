/**
 * The optimizer: one ordered list of named passes, and the modes that select from it. The order is the list
 * below, not a global priority number: merge -> constant folding -> ifelse with a constant condition -> canonicalize ->
 * stabilize -> specialize -> inner graphs (each through this same list) -> ifelse sharing -> scan rewrites -> merge.
 */
import type { FunctionGraph } from '../graph/function-graph.js';
import { checkOptionKeys, closestName } from '../types/suggest.js';
import { ruleSetPass, type Pass, type RewriteRecord, type Rule } from './engine.js';
import { innerGraphsPass } from './inner-graphs.js';
import { constantFoldPass, mergePass } from './merge.js';
import { ALGEBRA_RULES } from './rules/algebra.js';
import { CANONICALIZE_RULES } from './rules/canonicalize.js';
import { LINALG_RULES } from './rules/linalg.js';
import { LOGEXP_RULES } from './rules/logexp.js';
import { SIGMOID_RULES } from './rules/sigmoid.js';
import { SWITCH_RULES } from './rules/switch.js';
import { ifelseConstantConditionPass, ifelseShareOuterPass } from './rules/ifelse.js';
import { SCAN_PASSES } from './rules/scan.js';
import { SPECIALIZE_RULES } from './rules/specialize.js';
import { STABILIZE_RULES } from './rules/stabilize.js';

/** The rule-set phases, in order, with their rules. */
export type Phase = 'canonicalize' | 'stabilize' | 'specialize';
/** A family of rules (one file under `rules/`), by the phases it joins. */
export type PhaseRules = { readonly [P in Phase]?: readonly Rule[] };
const FAMILIES: readonly PhaseRules[] = [
  { canonicalize: CANONICALIZE_RULES, stabilize: STABILIZE_RULES, specialize: SPECIALIZE_RULES },
  ALGEBRA_RULES,
  LOGEXP_RULES,
  SIGMOID_RULES,
  SWITCH_RULES,
  LINALG_RULES,
];
const rulesOf = (name: Phase): readonly Rule[] => FAMILIES.flatMap((f) => f[name] ?? []);
export const PHASE_RULES: { readonly [P in Phase]: readonly Rule[] } = {
  canonicalize: rulesOf('canonicalize'),
  stabilize: rulesOf('stabilize'),
  specialize: rulesOf('specialize'),
};
const phase = (name: Phase, extra: readonly Rule[] = []) =>
  ruleSetPass(name, [...PHASE_RULES[name], ...extra], [name, 'fast_run']);

/** The pipeline, as one readable list (a mode may add rules to a phase: see `Mode.withRules`). */
export function pipeline(extra: ReadonlyMap<Phase, readonly Rule[]> = new Map()): Pass[] {
  return [
    mergePass,
    constantFoldPass,
    ifelseConstantConditionPass,
    phase('canonicalize', extra.get('canonicalize')),
    phase('stabilize', extra.get('stabilize')),
    phase('specialize', extra.get('specialize')),
    innerGraphsPass,
    ifelseShareOuterPass,
    ...SCAN_PASSES,
    { ...mergePass, name: 'merge_final' },
  ];
}
const DEFAULT_PIPELINE = pipeline();

/**
 * How the optimized graph runs: 'js' generates JavaScript (fused loops, planned buffers; see `src/codegen/`),
 * 'wasm' the same with the kernels it can lower as WebAssembly SIMD (the others stay JavaScript; see
 * docs/codegen.md), 'reference' runs each op's reference `evaluate` (Theano's 'py' linker).
 */
export type Linker = 'js' | 'wasm' | 'reference';

/**
 * The one switch of the default linker: when true, `FAST_RUN` and `DEBUG` (and `new Mode(...)` without a linker)
 * link with `'wasm'`, which runs the kernels the WebAssembly renderer lowers as SIMD modules and falls back to
 * JavaScript, with one notice, on an engine without WebAssembly SIMD. When false they link with `'js'`.
 */
export const WASM_BY_DEFAULT = true;
/** The linker `FAST_RUN` and `DEBUG` use (see `WASM_BY_DEFAULT`). */
export const DEFAULT_LINKER: Linker = WASM_BY_DEFAULT ? 'wasm' : 'js';

/**
 * Which passes and rules run, and which linker runs the result. `FAST_RUN` runs everything and generates code,
 * `FAST_COMPILE` only merging and constant folding with the reference evaluator, `DEBUG` everything, generates
 * code, and then checks every pass and every call (see `theano.function`'s `mode`). `including` / `excluding`
 * select by pass name, rule name or tag, as Theano's `Mode.including/excluding`; `withLinker` picks the linker.
 */
export class Mode {
  constructor(
    readonly name: 'FAST_RUN' | 'FAST_COMPILE' | 'DEBUG',
    readonly include: ReadonlySet<string> = new Set(['fast_run', 'fast_compile']),
    readonly exclude: ReadonlySet<string> = new Set(),
    /** Extra rules, per phase (a user's own rewrites, as registering an optimization in Theano). */
    readonly extraRules: ReadonlyMap<Phase, readonly Rule[]> = new Map(),
    readonly linker: Linker = DEFAULT_LINKER,
  ) {
    if (typeof name === 'object' && name !== null) {
      // Theano's Mode(linker=..., optimizer=...), written new Mode({ linker, optimizer })
      const base = modeFromOptions(name as ModeOptions);
      Object.assign(this, { name: base.name, include: base.include, linker: base.linker });
    } else if (!MODE_NAMES.includes(name)) {
      throw new TypeError(
        `Mode: unknown mode ${typeof name === 'string' ? `'${name}'` : String(name)}; the modes are ${MODE_NAMES.join(', ')}, or new Mode({ linker, optimizer })`,
      );
    }
  }

  /** This mode with the passes, rules or tags `names` switched on (each must name one: see `knownNames`). */
  including(...names: string[]): Mode {
    this.checkNames('including', names);
    return new Mode(
      this.name,
      new Set([...this.include, ...names]),
      new Set([...this.exclude].filter((n) => !names.includes(n))),
      this.extraRules,
      this.linker,
    );
  }
  /** This mode with the passes, rules or tags `names` switched off. */
  excluding(...names: string[]): Mode {
    this.checkNames('excluding', names);
    return new Mode(this.name, this.include, new Set([...this.exclude, ...names]), this.extraRules, this.linker);
  }
  /** This mode with `rules` added to the end of phase `phase`. */
  withRules(phase: Phase, rules: readonly Rule[]): Mode {
    const extra = new Map(this.extraRules);
    extra.set(phase, [...(extra.get(phase) ?? []), ...rules]);
    return new Mode(this.name, this.include, this.exclude, extra, this.linker);
  }
  /** This mode with another linker: `FAST_RUN.withLinker('reference')` optimizes fully and runs the reference evaluator. */
  withLinker(linker: Linker): Mode {
    if (linker !== 'js' && linker !== 'wasm' && linker !== 'reference')
      throw new TypeError(`unknown linker ${String(linker)}: use 'js', 'wasm' or 'reference'`);
    return new Mode(this.name, this.include, this.exclude, this.extraRules, linker);
  }

  /** A misspelt name would select nothing, silently: it is an error instead. */
  private checkNames(method: string, names: readonly string[]): void {
    const known = knownNames(this.extraRules);
    const unknown = names.filter((n) => !known.has(n));
    if (unknown.length === 0) return;
    const near = unknown.map((n) => closestName(n, known)).filter((n) => n !== undefined);
    throw new RangeError(
      `Mode.${method}: no pass, rule or tag is named ${unknown.map((n) => `'${n}'`).join(', ')}` +
        (near.length ? ` (did you mean ${near.map((n) => `'${n}'`).join(', ')}?)` : '') +
        '; add your own rules with withRules first',
    );
  }

  /**
   * Whether the linker fuses elementwise chains into one loop: yes unless excluded by `'fusion'` (or Theano's
   * rule name `'local_elemwise_fusion'`). Fusion is the linker's, not a rewrite pass: it changes no graph.
   */
  get fuses(): boolean {
    return !LINKER_FUSION_NAMES.some((n) => this.exclude.has(n));
  }

  /** Whether a pass or rule with this name and these tags runs. */
  enabled(name: string, tags: readonly string[]): boolean {
    const all = [name, ...tags];
    if (all.some((t) => this.exclude.has(t))) return false;
    return all.some((t) => this.include.has(t));
  }
}

/** The names that switch the linker's fusion of elementwise chains (Theano's tag and its rule's name). */
const LINKER_FUSION_NAMES = ['fusion', 'local_elemwise_fusion'] as const;
/**
 * Theano's `inplace` tag: theano-ts has no destructive ops (a call never writes into an input or a user's
 * array; buffer reuse between steps is the linker's and is invisible), so excluding it selects nothing to
 * switch off, and is accepted for ports that do.
 */
const NOTHING_TO_EXCLUDE = ['inplace'] as const;

/** Every name `including`/`excluding` can select: passes, rules and their tags, and the modes' own tags. */
function knownNames(extra: ReadonlyMap<Phase, readonly Rule[]>): Set<string> {
  const known = new Set<string>(['fast_run', 'fast_compile', ...LINKER_FUSION_NAMES, ...NOTHING_TO_EXCLUDE]);
  for (const pass of pipeline(extra))
    for (const n of [pass.name, ...pass.tags, ...(pass.ruleNames ?? [])]) known.add(n);
  for (const rules of [...Object.values(PHASE_RULES), ...extra.values()])
    for (const r of rules) for (const t of r.tags) known.add(t);
  return known;
}

const MODE_NAMES: readonly string[] = ['FAST_RUN', 'FAST_COMPILE', 'DEBUG'];

/** Theano's `Mode(linker, optimizer)`: which linker runs, and which optimizer ('fast_run' or 'fast_compile'). */
export interface ModeOptions {
  linker?: Linker;
  optimizer?: 'fast_run' | 'fast_compile';
}
const MODE_OPTIONS = ['linker', 'optimizer'] as const;

function modeFromOptions(options: ModeOptions): { name: Mode['name']; include: Set<string>; linker: Linker } {
  checkOptionKeys('Mode', options, MODE_OPTIONS);
  const linker = options.linker ?? DEFAULT_LINKER;
  if (linker !== 'js' && linker !== 'wasm' && linker !== 'reference')
    throw new TypeError(
      `Mode: unknown linker ${typeof linker === 'string' ? `'${linker}'` : String(linker)}; the linkers are 'js' (generated code, as Theano's 'cvm'), 'wasm' (WebAssembly SIMD kernels where they apply) and 'reference' (each op's evaluate, as Theano's 'py')`,
    );
  const optimizer = options.optimizer ?? 'fast_run';
  if (optimizer !== 'fast_run' && optimizer !== 'fast_compile')
    throw new TypeError(
      `Mode: unknown optimizer ${typeof optimizer === 'string' ? `'${optimizer}'` : String(optimizer)}; the optimizers are 'fast_run' and 'fast_compile'`,
    );
  return optimizer === 'fast_run'
    ? { name: 'FAST_RUN', include: new Set(['fast_run', 'fast_compile']), linker }
    : { name: 'FAST_COMPILE', include: new Set(['fast_compile']), linker };
}

export const FAST_RUN = new Mode('FAST_RUN');
export const FAST_COMPILE = new Mode('FAST_COMPILE', new Set(['fast_compile']), new Set(), new Map(), 'reference');
export const DEBUG = new Mode('DEBUG');

export type ModeName = Mode['name'];
export function toMode(mode: Mode | ModeName | undefined): Mode {
  if (mode instanceof Mode) return mode;
  if (mode === undefined || mode === 'FAST_RUN') return FAST_RUN;
  if (mode === 'FAST_COMPILE') return FAST_COMPILE;
  if (mode === 'DEBUG') return DEBUG;
  throw new TypeError(`unknown mode ${String(mode)}: use 'FAST_RUN', 'FAST_COMPILE' or 'DEBUG'`);
}

/** What `profile: true` reports: time and rewrites per pass, and how often each rule fired. */
export interface OptimizationProfile {
  /** Per pass: time, rewrites applied, and (rule sets) how many times rules were tried on a node. */
  readonly passes: { name: string; ms: number; rewrites: number; visits?: number }[];
  readonly rules: Record<string, number>;
  readonly nodesBefore: number;
  readonly nodesAfter: number;
}

/**
 * Rewrites `graph` in place through the enabled passes. `onPass` is called after each pass (DEBUG mode checks the
 * graph there); every applied rewrite is reported to `onRewrite`.
 */
export function optimize(
  graph: FunctionGraph,
  mode: Mode,
  hooks: { onRewrite?: (r: RewriteRecord) => void; onPass?: (pass: string, graph: FunctionGraph) => void } = {},
): OptimizationProfile {
  const profile: OptimizationProfile = { passes: [], rules: {}, nodesBefore: graph.toposort().length, nodesAfter: 0 };
  for (const pass of mode.extraRules.size ? pipeline(mode.extraRules) : DEFAULT_PIPELINE) {
    const named = pass.ruleNames?.some((r) => mode.include.has(r) && !mode.exclude.has(pass.name)) ?? false;
    if (!mode.enabled(pass.name, pass.tags) && !named) continue;
    const start = performance.now();
    let rewrites = 0;
    let visits = -1;
    pass.run(graph, {
      enabled: (name, tags) => mode.enabled(name, tags),
      visited: (count) => (visits = count),
      optimizeInner: (inner) => void optimize(inner, mode),
      record: (r) => {
        rewrites++;
        profile.rules[r.rule] = (profile.rules[r.rule] ?? 0) + 1;
        hooks.onRewrite?.(r);
      },
    });
    profile.passes.push({
      name: pass.name,
      ms: performance.now() - start,
      rewrites,
      ...(visits >= 0 ? { visits } : {}),
    });
    hooks.onPass?.(pass.name, graph);
  }
  (profile as { nodesAfter: number }).nodesAfter = graph.toposort().length;
  return profile;
}
