/** Local rules run to a fixed point over a FunctionGraph, with a budget so no rule set can blow up. */
import type { FunctionGraph } from '../graph/function-graph.js';
import type { Apply, Variable } from '../graph/variable.js';
import type { Tensor } from '../tensor/tensor.js';
import { withBuildTrace } from '../tensor/apply.js';
import { cast } from '../tensor/elemwise.js';
import { match, rootOp, type Captures, type Pattern } from './pattern.js';

/**
 * A local rewrite: where `pattern` matches a variable, `rewrite` returns what replaces it (or null: declined). The
 * graph is given for rules that must know a variable's clients (not duplicating work another reader shares).
 */
export interface Rule {
  readonly name: string;
  readonly pattern: Pattern;
  readonly rewrite: (captures: Captures, matched: Tensor, graph: FunctionGraph) => Tensor | null;
  /** Families and phases the rule belongs to, for `mode.including/excluding`. */
  readonly tags: readonly string[];
}

export function rule(name: string, pattern: Pattern, rewrite: (captures: Captures, matched: Tensor, graph: FunctionGraph) => Tensor | null, tags: readonly string[] = []): Rule {
  return { name, pattern, rewrite, tags };
}

/** One applied rewrite, as DEBUG mode and profiles see it. */
export interface RewriteRecord {
  readonly pass: string;
  readonly rule: string;
  readonly before: Variable;
  readonly after: Variable;
}

/** What a pass is given: which rules are enabled, and where to report what it did. */
export interface PassContext {
  enabled(name: string, tags: readonly string[]): boolean;
  record(r: RewriteRecord): void;
}

/** A named step of the pipeline: a rule set or a global pass written as plain code. */
export interface Pass {
  readonly name: string;
  readonly tags: readonly string[];
  /** The rules of a rule-set pass (including one of them by name runs the pass for it). */
  readonly ruleNames?: readonly string[];
  run(graph: FunctionGraph, ctx: PassContext): void;
}

/**
 * Makes `replacement` stand for `original`: the same dtype (cast if needed) and rank, and no static dimension
 * that disagrees. Returns null when it cannot (the rule is then treated as having declined).
 */
export function fitReplacement(replacement: Tensor, original: Variable): Tensor | null {
  let r = replacement;
  if (r.ndim !== original.type.ndim) return null;
  if (r.dtype !== original.type.dtype) r = cast(r, original.type.dtype) as Tensor;
  const clash = r.type.shape.some((d, i) => d !== null && original.type.shape[i] !== null && d !== original.type.shape[i]);
  return clash ? null : r;
}

export interface RuleSetOptions {
  /** At most this many rewrites per node of the initial graph (default 20). */
  readonly rewritesPerNode?: number;
  /** Stop when the graph grows beyond this factor of its initial size (default 4). */
  readonly growthLimit?: number;
}

/** A pass applying `rules` to every node until none fires (or the budget is spent). */
export function ruleSetPass(name: string, rules: readonly Rule[], tags: readonly string[] = [], options: RuleSetOptions = {}): Pass {
  const byOp = new Map<string, Rule[]>();
  for (const r of rules) {
    const root = rootOp(r.pattern);
    if (!root) throw new Error(`rule ${r.name}: the pattern must have an op at its root`);
    const list = byOp.get(root);
    if (list) list.push(r);
    else byOp.set(root, [r]);
  }
  return {
    name,
    tags,
    ruleNames: rules.map((r) => r.name),
    run(graph, ctx) {
      // Which rules run is settled once per pass: checking it per node and rule allocated in the hottest loop.
      const active = new Map<string, Rule[]>();
      for (const [op, list] of byOp) {
        const enabled = list.filter((r) => ctx.enabled(r.name, [...r.tags, ...tags, name]));
        if (enabled.length > 0) active.set(op, enabled);
      }
      if (active.size === 0) return;
      const reach = Math.max(...[...active.values()].flat().map((r) => patternDepth(r.pattern)));
      let nodes = graph.toposort();
      let budget = Math.max(100, nodes.length * (options.rewritesPerNode ?? 20));
      const sizeLimit = Math.max(1000, nodes.length * (options.growthLimit ?? 4));
      // The first sweep visits every node; later ones only nodes a rewrite may have made matchable: new nodes and
      // the readers of a replaced variable up to the deepest pattern's reach. When such a sweep changes nothing, one
      // more full sweep confirms the fixed point (a rule may look deeper than its pattern, or at clients).
      const visited = new Set<Apply>();
      let near: Set<Apply> | null = null;
      while (budget > 0 && nodes.length <= sizeLimit) {
        const touched = new Set<Apply>();
        let changed = false;
        for (const node of nodes) {
          if (near && visited.has(node) && !near.has(node)) continue;
          visited.add(node);
          const candidates = active.get(node.op.name);
          if (!candidates) continue;
          for (const out of node.outputs) {
            if (graph.clients(out).length === 0) continue; // replaced earlier in this sweep
            for (const r of candidates) {
              const captures = match(r.pattern, out);
              if (!captures) continue;
              // new nodes keep the trace of the node they replace (so run-time errors name the user's line)
              const trace = node.trace;
              const proposed = withBuildTrace(trace, () => r.rewrite(captures, out as Tensor, graph));
              if (!proposed || proposed === out) continue;
              const replacement = withBuildTrace(trace, () => fitReplacement(proposed, out));
              if (!replacement) continue;
              graph.replace(out, replacement);
              ctx.record({ pass: name, rule: r.name, before: out, after: replacement });
              markReaders(graph, replacement, reach, touched);
              changed = true;
              budget--;
              break;
            }
          }
          if (budget <= 0) break;
        }
        if (!changed && !near) break; // a full sweep found nothing: the fixed point
        near = changed ? touched : null;
        nodes = graph.toposort();
      }
    },
  };
}

/** How many op levels a pattern inspects below (and including) its root. */
function patternDepth(pattern: Pattern): number {
  return pattern.kind === 'op' ? 1 + Math.max(0, ...pattern.args.map(patternDepth)) : 0;
}

/** Adds the nodes reading `v`, and their readers, up to `levels` levels up, to `into`. */
function markReaders(graph: FunctionGraph, v: Variable, levels: number, into: Set<Apply>): void {
  let frontier: Variable[] = [v];
  for (let level = 0; level < levels && frontier.length > 0; level++) {
    const next: Variable[] = [];
    for (const w of frontier) {
      for (const c of graph.clients(w)) {
        if (c.node === 'output' || into.has(c.node)) continue;
        into.add(c.node);
        next.push(...c.node.outputs);
      }
    }
    frontier = next;
  }
}

export function matchesAny(name: string, tags: readonly string[], selectors: ReadonlySet<string>): boolean {
  return selectors.has(name) || tags.some((t) => selectors.has(t));
}

export type { Captures, Pattern };
