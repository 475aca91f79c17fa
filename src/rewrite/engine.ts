/** Local rules run to a fixed point over a FunctionGraph, with a budget so no rule set can blow up. */
import type { FunctionGraph } from '../graph/function-graph.js';
import type { Variable } from '../graph/variable.js';
import type { Tensor } from '../tensor/tensor.js';
import { cast } from '../tensor/elemwise.js';
import { match, rootOp, type Captures, type Pattern } from './pattern.js';

/** A local rewrite: where `pattern` matches a variable, `rewrite` returns what replaces it (or null: declined). */
export interface Rule {
  readonly name: string;
  readonly pattern: Pattern;
  readonly rewrite: (captures: Captures, matched: Tensor) => Tensor | null;
  /** Families and phases the rule belongs to, for `mode.including/excluding`. */
  readonly tags: readonly string[];
}

export function rule(name: string, pattern: Pattern, rewrite: (captures: Captures, matched: Tensor) => Tensor | null, tags: readonly string[] = []): Rule {
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
      const initial = graph.toposort().length;
      let budget = Math.max(100, initial * (options.rewritesPerNode ?? 20));
      const sizeLimit = Math.max(1000, initial * (options.growthLimit ?? 4));
      let changed = true;
      while (changed && budget > 0) {
        changed = false;
        const nodes = graph.toposort();
        if (nodes.length > sizeLimit) break;
        for (const node of nodes) {
          for (const out of node.outputs) {
            if (graph.clients(out).length === 0) continue; // replaced earlier in this sweep
            const candidates = byOp.get(node.op.name);
            if (!candidates) continue;
            for (const r of candidates) {
              if (!ctx.enabled(r.name, [...r.tags, ...tags, name])) continue;
              const captures = match(r.pattern, out);
              if (!captures) continue;
              const proposed = r.rewrite(captures, out as Tensor);
              if (!proposed || proposed === out) continue;
              const replacement = fitReplacement(proposed, out);
              if (!replacement) continue;
              graph.replace(out, replacement);
              ctx.record({ pass: name, rule: r.name, before: out, after: replacement });
              changed = true;
              budget--;
              break;
            }
          }
          if (budget <= 0) break;
        }
      }
    },
  };
}

export function matchesAny(name: string, tags: readonly string[], selectors: ReadonlySet<string>): boolean {
  return selectors.has(name) || tags.some((t) => selectors.has(t));
}

export type { Captures, Pattern };
