/** Local rules run to a fixed point over a FunctionGraph, with a budget so no rule set can blow up. */
import type { FunctionGraph } from '../graph/function-graph.js';
import type { Apply, Variable } from '../graph/variable.js';
import type { Tensor } from '../tensor/tensor.js';
import { withBuildTrace } from '../tensor/apply.js';
import { cast } from '../tensor/elemwise.js';
import { match, rootOps, type Captures, type Pattern } from './pattern.js';

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

export function rule(
  name: string,
  pattern: Pattern,
  rewrite: (captures: Captures, matched: Tensor, graph: FunctionGraph) => Tensor | null,
  tags: readonly string[] = [],
): Rule {
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
  /** How many times a rule-set pass tried its rules on a node (its work, whatever the machine's speed). */
  visited?(count: number): void;
  /** Optimizes an inner graph (of ifelse, scan) in place with the pipeline and mode that run this pass. */
  optimizeInner?(graph: FunctionGraph): void;
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
  const clash = r.type.shape.some(
    (d, i) => d !== null && original.type.shape[i] !== null && d !== original.type.shape[i],
  );
  return clash ? null : r;
}

export interface RuleSetOptions {
  /** At most this many rewrites per node of the initial graph (default 20). */
  readonly rewritesPerNode?: number;
  /** Stop when the graph grows beyond this factor of its initial size (default 4). */
  readonly growthLimit?: number;
}

/** A pass applying `rules` to every node until none fires (or the budget is spent). */
export function ruleSetPass(
  name: string,
  rules: readonly Rule[],
  tags: readonly string[] = [],
  options: RuleSetOptions = {},
): Pass {
  const byOp = indexByRootOp(rules);
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
      if (active.size > 0) new RuleSetRun(name, graph, ctx, active, options).run();
    },
  };
}

/** The rules by the op names their patterns can have at the root. */
function indexByRootOp(rules: readonly Rule[]): Map<string, Rule[]> {
  const byOp = new Map<string, Rule[]>();
  for (const r of rules) {
    const roots = rootOps(r.pattern);
    if (!roots) throw new Error(`rule ${r.name}: the pattern must have an op at its root`);
    for (const root of roots) {
      const list = byOp.get(root);
      if (list) list.push(r);
      else byOp.set(root, [r]);
    }
  }
  return byOp;
}

/**
 * One run of a rule set over a graph. The first sweep visits every node in topological order; after it, only
 * the nodes a rewrite may have made matchable are visited again: the nodes it added and the readers of the
 * replaced variable up to the deepest pattern's reach, in topological order among themselves. Each rewrite thus
 * costs work near it, not a sweep of the whole graph. When nothing is left to revisit, one more full sweep
 * confirms the fixed point (a rule may look deeper than its pattern, or at clients).
 */
class RuleSetRun {
  private budget: number;
  private readonly sizeLimit: number;
  private readonly reach: number;
  /** Nodes this run has queued or visited: a node reached from a replacement and not in here is new. */
  private readonly seen = new Set<Apply>();
  /** Node visits so far (each tries the rules of the node's op). */
  private visits = 0;
  /** Nodes no output depends on any more (each rewrite leaves the replaced subgraph behind). */
  private readonly dead = new Set<Apply>();

  constructor(
    private readonly pass: string,
    private readonly graph: FunctionGraph,
    private readonly ctx: PassContext,
    private readonly active: ReadonlyMap<string, readonly Rule[]>,
    options: RuleSetOptions,
  ) {
    const size = graph.toposort().length;
    this.budget = Math.max(100, size * (options.rewritesPerNode ?? 20));
    this.sizeLimit = Math.max(1000, size * (options.growthLimit ?? 4));
    this.reach = Math.max(...[...active.values()].flat().map((r) => patternDepth(r.pattern)));
  }

  run(): void {
    this.sweepToFixedPoint();
    this.ctx.visited?.(this.visits);
  }

  private sweepToFixedPoint(): void {
    let nodes = this.graph.toposort();
    for (;;) {
      for (const node of nodes) this.seen.add(node);
      const budgetBefore = this.budget;
      let pending = this.sweep(nodes);
      while (pending.size > 0 && this.budget > 0 && this.liveSize() <= this.sizeLimit) {
        pending = this.sweep(topologicalOrder(pending));
      }
      // a sweep that rewrote anything is confirmed by another full one (whether or not it left readers to revisit)
      if (this.budget === budgetBefore || this.budget <= 0) return;
      nodes = this.graph.toposort(); // the confirming full sweep
      if (nodes.length > this.sizeLimit) return;
    }
  }

  /**
   * Tries the rules on `nodes`, in order; returns the readers to revisit. The nodes a rewrite builds are tried at
   * once, before the sweep moves on, so a reader later in the list sees the replacement already simplified.
   */
  private sweep(nodes: readonly Apply[]): Set<Apply> {
    const revisit = new Set<Apply>();
    // one stack and one set for the whole sweep (most visits build nothing: allocating per visit cost more than
    // trying the rules)
    const stack: Apply[] = []; // the next node to try on top
    const built = new Set<Apply>();
    for (const node of nodes) {
      stack.push(node);
      while (stack.length > 0 && this.budget > 0) {
        this.visit(stack.pop()!, built, revisit);
        if (built.size === 0) continue;
        const order = topologicalOrder(built);
        built.clear();
        for (let i = order.length - 1; i >= 0; i--) stack.push(order[i]!);
      }
      stack.length = 0;
    }
    for (const node of revisit) if (this.dead.has(node)) revisit.delete(node);
    return revisit;
  }

  /** Tries the rules on `node`'s outputs until one fires; records the nodes it built and the readers to revisit. */
  private visit(node: Apply, built: Set<Apply>, revisit: Set<Apply>): void {
    const candidates = this.active.get(node.op.name);
    if (!candidates || this.dead.has(node) || this.budget <= 0) return;
    this.visits++;
    for (const out of node.outputs) {
      if (this.graph.clients(out).length === 0) continue; // replaced earlier in this sweep
      if (this.rewriteOne(node, out, candidates, built, revisit)) return;
    }
  }

  /** Applies the first rule that fires on `out`; records what to revisit. */
  private rewriteOne(
    node: Apply,
    out: Variable,
    candidates: readonly Rule[],
    built: Set<Apply>,
    revisit: Set<Apply>,
  ): boolean {
    for (const r of candidates) {
      const captures = match(r.pattern, out);
      if (!captures) continue;
      // new nodes keep the trace of the node they replace (so run-time errors name the user's line)
      const trace = node.trace;
      const proposed = withBuildTrace(trace, () => r.rewrite(captures, out as Tensor, this.graph));
      if (!proposed || proposed === out) continue;
      const replacement = withBuildTrace(trace, () => fitReplacement(proposed, out));
      if (!replacement) continue;
      this.graph.replace(out, replacement);
      this.ctx.record({ pass: this.pass, rule: r.name, before: out, after: replacement });
      this.markDead(node);
      this.revive(replacement);
      this.addNewNodes(replacement, built);
      markReaders(this.graph, replacement, this.reach, revisit);
      this.budget--;
      return true;
    }
    return false;
  }

  private liveSize(): number {
    return this.seen.size - this.dead.size;
  }

  /** Marks `start` dead if nothing live reads it any more, and likewise its inputs' nodes (each node dies once). */
  private markDead(start: Apply): void {
    const stack = [start];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (this.dead.has(node) || !this.isUnread(node)) continue;
      this.dead.add(node);
      for (const input of node.inputs) if (input.owner && !this.dead.has(input.owner)) stack.push(input.owner);
    }
  }

  /**
   * A replacement that reads nodes marked dead (a rule held on to a variable of a replaced subgraph) makes them
   * live again: the walk goes through the nodes the rewrite built (not seen yet) down to the dead ones.
   */
  private revive(v: Variable): void {
    const walked = new Set<Apply>();
    const stack = v.owner ? [v.owner] : [];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (walked.has(node) || (this.seen.has(node) && !this.dead.has(node))) continue;
      walked.add(node);
      this.dead.delete(node);
      for (const input of node.inputs) if (input.owner) stack.push(input.owner);
    }
  }

  private isUnread(node: Apply): boolean {
    return node.outputs.every((out) =>
      this.graph.clients(out).every((c) => c.node !== 'output' && this.dead.has(c.node)),
    );
  }

  /** Adds the nodes computing `v` that this run has not seen (the ones the rewrite built) to `into`. */
  private addNewNodes(v: Variable, into: Set<Apply>): void {
    const stack = v.owner && !this.seen.has(v.owner) ? [v.owner] : [];
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (this.seen.has(node)) continue;
      this.seen.add(node);
      into.add(node);
      for (const input of node.inputs) if (input.owner && !this.seen.has(input.owner)) stack.push(input.owner);
    }
  }
}

/** `nodes` ordered so that a node comes after those of its inputs' nodes that are in the set (iterative). */
function topologicalOrder(nodes: ReadonlySet<Apply>): Apply[] {
  const order: Apply[] = [];
  const done = new Set<Apply>();
  for (const start of nodes) {
    if (done.has(start)) continue;
    const stack: [Apply, number][] = [[start, 0]];
    done.add(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [node, next] = top;
      if (next < node.inputs.length) {
        top[1]++;
        const owner = node.inputs[next]!.owner;
        if (owner && nodes.has(owner) && !done.has(owner)) {
          done.add(owner);
          stack.push([owner, 0]);
        }
      } else {
        stack.pop();
        order.push(node);
      }
    }
  }
  return order;
}

/** How many op levels a pattern inspects below (and including) its root. */
function patternDepth(pattern: Pattern): number {
  if (pattern.kind === 'anyOf') return Math.max(0, ...pattern.options.map(patternDepth));
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
