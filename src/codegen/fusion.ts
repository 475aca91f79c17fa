/**
 * Fusion: partitions a function's schedule into steps. Each maximal connected elementwise subgraph becomes one
 * loop kernel (several outputs allowed); an elementwise subgraph whose only result feeds a reduction is folded into
 * the reduction's loop (`sum(exp(x))` reads x once and stores nothing in between). Ops that re-index their input
 * (dimshuffle, basic slicing) become views; every other op runs its own `evaluate` (matmul and the other runtime
 * kernels live there).
 */
import type { FunctionGraph } from '../graph/function-graph.js';
import type { Apply, Variable } from '../graph/variable.js';
import { isElemwise, type ElemwiseOp } from '../ops/elemwise.js';
import { REDUCE, type ReduceParams } from '../ops/reduce.js';
import { SCALAR_OPS, type ScalarOpName } from '../ops/scalar.js';
import { isFloat } from '../types/dtype.js';
import type { KernelIR, KernelOp, Ref } from './kernel.js';

export type Step =
  | {
      readonly kind: 'kernel';
      /** The nodes the kernel computes, in topological order (the reduction last when one is folded in). */
      readonly nodes: readonly Apply[];
      readonly inputs: readonly Variable[];
      readonly outputs: readonly Variable[];
      readonly ir: KernelIR;
    }
  | { readonly kind: 'view'; readonly node: Apply }
  | { readonly kind: 'node'; readonly node: Apply };

/** An elementwise node the generator can write as a loop: a scalar op of our table, no exact int64 math. */
function fusable(node: Apply): boolean {
  const op = node.op as ElemwiseOp;
  if (!isElemwise(op) || SCALAR_OPS[op.scalar.name as ScalarOpName] !== op.scalar) return false;
  for (const v of node.inputs) if (v.type.dtype === 'int64') return false;
  for (const v of node.outputs) if (v.type.dtype === 'int64') return false;
  return true;
}

/** A reduction the generator can write: float sums and products (integer ones accumulate exactly in bigint). */
function generatedReduce(node: Apply): boolean {
  if (node.op !== REDUCE) return false;
  const p = node.params as ReduceParams;
  const input = node.inputs[0]!.type.dtype;
  if (input === 'int64') return false;
  // an int64 sum of narrower integers is exact in float64 while the terms are few enough (the kernel checks)
  if (p.kind === 'sum' && p.dtype === 'int64') return !isFloat(input);
  if (p.dtype === 'int64') return false;
  return p.kind === 'sum' || p.kind === 'prod' ? isFloat(p.dtype) : true;
}

/**
 * The most ops one loop holds: V8 stops optimizing very large functions (a kernel holds its body twice, for the
 * flat and the strided loop), so a longer chain is cut into several loops.
 */
const MAX_KERNEL_OPS = 256;

/** Nodes fuse only with nodes whose outputs have the same rank and the same statically broadcastable axes. */
const loopSignature = (node: Apply) => node.outputs[0]!.type.shape.map((d) => (d === 1 ? '1' : '?')).join('');

/** Partitions `graph`'s schedule into steps, in an order that computes every value before it is read. */
export function planSteps(graph: FunctionGraph, fuse = true): Step[] {
  const schedule = graph.toposort();
  const groupOf = groupElementwise(schedule, fuse);
  const units = orderBreakingCycles(schedule, groupOf, new Set(graph.outputs), readersOf(schedule), fuse);
  return units.map(toStep);
}

/** A fused group: its members in schedule order, and the loop signature they share. */
interface Group {
  members: Apply[];
  signature: string;
}

/**
 * How many nodes one merge's cycle check may visit. A check searches back from the group's outside inputs, only
 * through nodes scheduled after the group's first member (nothing earlier can depend on the group), so it is
 * short in practice; past this budget the merge is refused (fusing less is always safe), which bounds planning
 * by a constant per node.
 */
const MAX_CHECKED_NODES = 4096;

/** A group under construction; a group merged into another forwards to it (union-find). */
interface Building {
  readonly signature: string;
  /** How many nodes the group holds. */
  size: number;
  /** The schedule position of its first member. */
  first: number;
  /**
   * Schedule positions of the producers of its members' inputs that were outside the group when read (some may
   * have joined it since: they are skipped where it matters).
   */
  readonly external: number[];
  /** The latest of them (a bound: entries that joined stay counted). */
  lastExternal: number;
  into?: Building;
  /** The number of the last cycle check that counted this group in. */
  mark: number;
}

/**
 * Groups the fusable nodes of `schedule` greedily, in schedule order: a node joins the groups of its inputs'
 * producers that share its loop signature, unless the merged group would hold more than MAX_KERNEL_OPS nodes or
 * would both feed and read a node outside it (a cycle through an outside node; cycles through other groups are
 * broken later). Returns each grouped node's group, members in schedule order.
 *
 * Groups only grow by the node being placed, which comes after every member, so a group once free of such
 * cycles stays free of them; each check only looks at the paths a merge can add, searching back from the
 * merged group's outside inputs through the nodes scheduled after its first member (linear in practice; no
 * per-node ancestor sets). Without fusion (`fuse` false), each fusable node is a group of its own.
 */
function groupElementwise(schedule: readonly Apply[], fuse: boolean): Map<Apply, Group> {
  return new Grouping(schedule, fuse).run();
}

class Grouping {
  /** Per schedule position: the positions of the nodes producing its inputs (without repeats). */
  private readonly producers: number[][];
  private readonly building: (Building | undefined)[];
  /** Per position: the number of the last check that visited it. */
  private readonly visited: Int32Array;
  private check = 0;
  /** The current check: the merged group's first position, and how many more nodes it may visit. */
  private first = 0;
  private budget = 0;

  constructor(
    private readonly schedule: readonly Apply[],
    private readonly fuse = true,
  ) {
    const position = new Map<Apply, number>();
    schedule.forEach((n, i) => position.set(n, i));
    this.producers = schedule.map((n) => {
      const out: number[] = [];
      for (const v of n.inputs) {
        const p = v.owner ? position.get(v.owner) : undefined;
        if (p !== undefined && !out.includes(p)) out.push(p);
      }
      return out;
    });
    this.building = new Array<Building | undefined>(schedule.length);
    this.visited = new Int32Array(schedule.length);
  }

  run(): Map<Apply, Group> {
    this.schedule.forEach((n, i) => {
      if (fusable(n))
        this.building[i] = this.fuse ? this.place(i, loopSignature(n)) : this.merge([], i, loopSignature(n));
    });
    const groupOf = new Map<Apply, Group>();
    const final = new Map<Building, Group>();
    this.schedule.forEach((n, i) => {
      const b = this.groupAt(i);
      if (!b) return;
      let g = final.get(b);
      if (!g) final.set(b, (g = { members: [], signature: b.signature }));
      g.members.push(n); // in schedule order
      groupOf.set(n, g);
    });
    return groupOf;
  }

  private groupAt(i: number): Building | undefined {
    let g = this.building[i];
    if (!g?.into) return g;
    while (g.into) g = g.into;
    this.building[i] = g; // path compression: the next look-up is direct
    return g;
  }

  /** The group node `i` joins: its producers' groups of the same signature, or as many of them as may merge. */
  private place(i: number, signature: string): Building {
    const candidates: Building[] = [];
    for (const p of this.producers[i]!) {
      const g = this.groupAt(p);
      if (g && g.signature === signature && !candidates.includes(g)) candidates.push(g);
    }
    let chosen = candidates;
    if (!this.canMerge(candidates, i)) {
      // merge what can be merged, one candidate at a time
      chosen = [];
      for (const g of candidates) if (this.canMerge([...chosen, g], i)) chosen = [...chosen, g];
    }
    return this.merge(chosen, i, signature);
  }

  /**
   * Whether node `i` may join `groups`. Each of them is free of cycles through outside nodes and node `i` has no
   * descendant yet, so a new cycle would leave one member for an outside node that another group (or node `i`)
   * reads: search back from each such node for a member.
   */
  private canMerge(groups: readonly Building[], i: number): boolean {
    if (groups.reduce((total, g) => total + g.size, 1) > MAX_KERNEL_OPS) return false;
    this.check++;
    this.first = i;
    for (const g of groups) {
      g.mark = this.check;
      this.first = Math.min(this.first, g.first);
    }
    this.budget = MAX_CHECKED_NODES;
    for (const e of this.producers[i]!) if (this.reachesMerged(e)) return false;
    if (groups.length > 1) {
      for (const g of groups) {
        // a path into g through one of its outside inputs starts in another group, after that group's first member
        const start = Math.min(...groups.map((h) => (h === g ? i : h.first)));
        if (g.lastExternal <= start) continue;
        for (const e of g.external) if (e > start && this.reachesMerged(e)) return false;
      }
    }
    return true;
  }

  private inMerged(j: number): boolean {
    return this.groupAt(j)?.mark === this.check;
  }

  /** Whether outside node `start` depends on a member of the merged group (also when the search runs out). */
  private reachesMerged(start: number): boolean {
    if (start <= this.first || this.visited[start] === this.check || this.inMerged(start)) return false;
    this.visited[start] = this.check;
    const stack = [start];
    while (stack.length > 0) {
      for (const p of this.producers[stack.pop()!]!) {
        if (p < this.first || this.visited[p] === this.check) continue;
        if (this.inMerged(p) || --this.budget < 0) return true;
        this.visited[p] = this.check;
        stack.push(p);
      }
    }
    return false;
  }

  /** Whether position `p` belongs to one of `groups`. */
  private inside(p: number, groups: readonly Building[]): boolean {
    const g = this.groupAt(p);
    return g !== undefined && groups.includes(g);
  }

  /** Merges `groups` and node `i` into one group: the group with the longest external list takes the others. */
  private merge(groups: readonly Building[], i: number, signature: string): Building {
    const fresh: number[] = [];
    for (const p of this.producers[i]!) if (!this.inside(p, groups)) fresh.push(p);
    if (groups.length === 0)
      return { signature, size: 1, first: i, external: fresh, lastExternal: Math.max(-1, ...fresh), mark: 0 };
    const base = groups.reduce((a, b) => (b.external.length > a.external.length ? b : a));
    for (const g of groups) {
      if (g === base) continue;
      for (const e of g.external) if (!this.inside(e, groups)) base.external.push(e);
      base.lastExternal = Math.max(base.lastExternal, g.lastExternal);
      base.size += g.size;
      base.first = Math.min(base.first, g.first);
    }
    for (const g of groups) if (g !== base) g.into = base;
    base.external.push(...fresh);
    base.lastExternal = Math.max(base.lastExternal, ...fresh);
    base.size += 1;
    return base;
  }
}

/** The nodes reading each variable, in schedule order. */
function readersOf(schedule: readonly Apply[]): Map<Variable, Apply[]> {
  const readers = new Map<Variable, Apply[]>();
  for (const n of schedule) {
    for (const v of n.inputs) {
      const list = readers.get(v);
      if (list) list.push(n);
      else readers.set(v, [n]);
    }
  }
  return readers;
}

/**
 * The units of the grouped schedule in an order that computes every value before it is read. The grouping keeps
 * paths that leave a group from re-entering it through single nodes; a cycle through another group (A feeds B,
 * and B feeds A through different members) can remain. Each round splits, in every cycle, the smallest group into
 * single-node kernels (splitting never creates a cycle) until the units order. `groupOf` is updated.
 */
function orderBreakingCycles(
  schedule: readonly Apply[],
  groupOf: Map<Apply, Group>,
  outputSet: ReadonlySet<Variable>,
  readers: ReadonlyMap<Variable, readonly Apply[]>,
  fuse: boolean,
): Unit[] {
  for (;;) {
    const ordered = orderUnits(buildUnits(schedule, groupOf, outputSet, readers, fuse));
    if (ordered.ok) return ordered.units;
    for (const cycle of ordered.cycles) {
      const groups = cycle.flatMap((u) => (u.loopNodes.length > 1 ? [groupOf.get(u.loopNodes[0]!)!] : []));
      if (groups.length === 0) throw new Error('internal: the fused schedule has a cycle');
      const g = groups.reduce((a, b) => (b.members.length < a.members.length ? b : a));
      for (const m of g.members) groupOf.set(m, { members: [m], signature: g.signature });
    }
  }
}

/** A step before its kernel IR is built: the nodes it runs, and how. */
interface Unit {
  readonly nodes: readonly Apply[];
  /** Elementwise nodes run in the loop (empty for a view or a runtime op). */
  readonly loopNodes: readonly Apply[];
  readonly exported: readonly Variable[];
  readonly reduce: Apply | null;
  readonly inputs: readonly Variable[];
}

function buildUnits(
  schedule: readonly Apply[],
  groupOf: ReadonlyMap<Apply, Group>,
  outputSet: ReadonlySet<Variable>,
  readers: ReadonlyMap<Variable, readonly Apply[]>,
  fuse: boolean,
): Unit[] {
  const exported = new Map<Group, Variable[]>();
  const exportsOf = (g: Group) => {
    let list = exported.get(g);
    if (!list) {
      const inside = new Set(g.members);
      list = g.members
        .flatMap((m) => m.outputs)
        .filter((v) => outputSet.has(v) || (readers.get(v) ?? []).some((r) => !inside.has(r)));
      exported.set(g, list);
    }
    return list;
  };
  const unit = (
    nodes: readonly Apply[],
    loopNodes: readonly Apply[],
    exported: readonly Variable[],
    reduce: Apply | null,
  ): Unit => {
    const inputs: Variable[] = [];
    if (nodes.length === 1) {
      for (const v of nodes[0]!.inputs) if (!inputs.includes(v)) inputs.push(v);
    } else {
      const inside = new Set(nodes.flatMap((n) => n.outputs));
      const seen = new Set<Variable>();
      for (const n of nodes) {
        for (const v of n.inputs) {
          if (inside.has(v) || seen.has(v)) continue;
          seen.add(v);
          inputs.push(v);
        }
      }
    }
    return { nodes, loopNodes, exported, reduce, inputs };
  };
  const units: Unit[] = [];
  const done = new Set<Group>();
  const folded = new Set<Group>();
  // reductions: fold the producing group when the reduction is its only reader
  const reduceUnits = new Map<Apply, Unit>();
  for (const n of schedule) {
    if (!generatedReduce(n)) continue;
    const x = n.inputs[0]!;
    const g = x.owner ? groupOf.get(x.owner) : undefined;
    const exported = g ? exportsOf(g) : [];
    if (
      fuse &&
      g &&
      !folded.has(g) &&
      exported.length === 1 &&
      exported[0] === x &&
      !outputSet.has(x) &&
      readers.get(x)!.length === 1
    ) {
      folded.add(g);
      reduceUnits.set(n, unit([...g.members, n], g.members, [], n));
    } else {
      reduceUnits.set(n, unit([n], [], [], n));
    }
  }
  for (const n of schedule) {
    const g = groupOf.get(n);
    if (g) {
      if (done.has(g) || folded.has(g)) continue;
      done.add(g);
      units.push(unit(g.members, g.members, exportsOf(g), null));
    } else units.push(reduceUnits.get(n) ?? unit([n], [], [], null));
  }
  return units;
}

function toStep(u: Unit): Step {
  if (u.loopNodes.length > 0 || u.reduce) return kernelStep(u);
  const node = u.nodes[0]!;
  return node.op.view ? { kind: 'view', node } : { kind: 'node', node };
}

/** The kernel step of a unit: its elementwise nodes as loop ops, storing `exported` or folded into the reduction. */
function kernelStep({ nodes, loopNodes, exported, reduce: reduceNode, inputs }: Unit): Step {
  const nIn = inputs.length;
  const refOf = new Map<Variable, Ref>();
  inputs.forEach((v, k) => refOf.set(v, k));
  // the inputs each value depends on, as a bitset over the kernel's inputs
  const words = Math.max(1, Math.ceil(nIn / 32));
  const deps = new Map<Variable, Uint32Array>();
  inputs.forEach((v, k) => {
    const bits = new Uint32Array(words);
    bits[k >>> 5] = 1 << (k & 31);
    deps.set(v, bits);
  });
  const ops: KernelOp[] = loopNodes.map((n, j) => {
    const op = n.op as ElemwiseOp;
    const out = n.outputs[0]!;
    refOf.set(out, nIn + j);
    const bits = new Uint32Array(words);
    for (const v of n.inputs) {
      const d = deps.get(v)!;
      for (let w = 0; w < words; w++) bits[w]! |= d[w]!;
    }
    deps.set(out, bits);
    return {
      op: op.scalar.name as ScalarOpName,
      args: n.inputs.map((v) => refOf.get(v)!),
      inDtypes: n.inputs.map((v) => v.type.dtype),
      dtype: out.type.dtype,
    };
  });
  const scalar = (v: Variable) => v.type.shape.every((d) => d === 1);
  const shaped = inputs.flatMap((v, k) => (scalar(v) ? [] : [k]));
  const rank = reduceNode ? reduceNode.inputs[0]!.type.ndim : loopNodes[0]!.outputs[0]!.type.ndim;
  const ir: KernelIR = {
    rank,
    inputs: inputs.map((v) => ({ dtype: v.type.dtype, rank: v.type.ndim, scalar: scalar(v) })),
    ops,
    outputs: exported.map((v) => {
      const bits = deps.get(v)!;
      const d = shaped.filter((k) => (bits[k >>> 5]! & (1 << (k & 31))) !== 0);
      return { ref: refOf.get(v)!, deps: d.length === shaped.length ? null : d };
    }),
    reduce: reduceNode
      ? (() => {
          const p = reduceNode.params as ReduceParams;
          return {
            kind: p.kind,
            axes: p.axes,
            keepdims: p.keepdims,
            dtype: p.dtype,
            value: refOf.get(reduceNode.inputs[0]!)!,
          };
        })()
      : null,
  };
  return { kind: 'kernel', nodes, inputs, outputs: reduceNode ? [reduceNode.outputs[0]!] : exported, ir };
}

export const stepOutputs = (s: Step): readonly Variable[] => (s.kind === 'kernel' ? s.outputs : s.node.outputs);

/**
 * Orders the units so that each runs after the units producing its inputs (Kahn's algorithm, stable); when that
 * fails, the strongly connected components of more than one unit (Tarjan's algorithm, iterative).
 */
function orderUnits(units: readonly Unit[]): { ok: true; units: Unit[] } | { ok: false; cycles: Unit[][] } {
  const producer = new Map<Variable, number>();
  units.forEach((u, i) => {
    for (const n of u.nodes) for (const o of n.outputs) producer.set(o, i);
  });
  const waiting = units.map(() => 0);
  const next: number[][] = units.map(() => []);
  units.forEach((u, i) => {
    const from = new Set<number>();
    for (const v of u.inputs) {
      const p = producer.get(v);
      if (p !== undefined && p !== i) from.add(p);
    }
    waiting[i] = from.size;
    for (const f of from) next[f]!.push(i);
  });
  const ready = units.flatMap((_, i) => (waiting[i] === 0 ? [i] : []));
  const out: Unit[] = [];
  for (let head = 0; head < ready.length; head++) {
    const i = ready[head]!;
    out.push(units[i]!);
    for (const j of next[i]!) if (--waiting[j]! === 0) ready.push(j);
  }
  if (out.length === units.length) return { ok: true, units: out };
  return {
    ok: false,
    cycles: stronglyConnected(next)
      .filter((c) => c.length > 1)
      .map((c) => c.map((i) => units[i]!)),
  };
}

/** Tarjan's strongly connected components of the graph `next` (adjacency lists), without recursion. */
function stronglyConnected(next: readonly (readonly number[])[]): number[][] {
  const index = new Array<number>(next.length).fill(-1);
  const low = new Array<number>(next.length).fill(0);
  const onStack = new Array<boolean>(next.length).fill(false);
  const stack: number[] = [];
  const out: number[][] = [];
  let counter = 0;
  for (let root = 0; root < next.length; root++) {
    if (index[root] !== -1) continue;
    const work: [number, number][] = [[root, 0]];
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = true;
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const [v, edge] = top;
      if (edge < next[v]!.length) {
        top[1]++;
        const w = next[v]![edge]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = true;
          work.push([w, 0]);
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = false;
          component.push(w);
        } while (w !== v);
        out.push(component);
      }
    }
  }
  return out;
}
