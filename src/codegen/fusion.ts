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
  return [...node.inputs, ...node.outputs].every((v) => v.type.dtype !== 'int64');
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

/** A fused group: its members in schedule order, and the loop signature they share. */
interface Group {
  members: Apply[];
  signature: string;
}

/** Partitions `graph`'s schedule into steps, in an order that computes every value before it is read. */
export function planSteps(graph: FunctionGraph): Step[] {
  const schedule = graph.toposort();
  const index = new Map<Apply, number>();
  schedule.forEach((n, i) => index.set(n, i));
  const outputSet = new Set(graph.outputs);

  // ancestor sets over the fusable nodes, as bitsets, to refuse a merge that would create a cycle through an
  // outside node (a group may not both feed and read a node outside it)
  const fusableIds = new Map<Apply, number>();
  for (const n of schedule) if (fusable(n)) fusableIds.set(n, fusableIds.size);
  const words = Math.max(1, Math.ceil(fusableIds.size / 32));
  const ancestors = new Map<Apply, Uint32Array>();
  for (const n of schedule) {
    const bits = new Uint32Array(words);
    for (const v of n.inputs) {
      const p = v.owner;
      if (!p || !index.has(p)) continue;
      const a = ancestors.get(p)!;
      for (let w = 0; w < words; w++) bits[w]! |= a[w]!;
      const id = fusableIds.get(p);
      if (id !== undefined) bits[id >>> 5]! |= 1 << (id & 31);
    }
    ancestors.set(n, bits);
  }
  const intersects = (a: Uint32Array, b: Uint32Array) => {
    for (let w = 0; w < words; w++) if ((a[w]! & b[w]!) !== 0) return true;
    return false;
  };

  // Groups under construction: merged groups forward to the group they joined (union-find without ranks); the
  // members are collected once at the end.
  interface Building {
    bits: Uint32Array;
    /** Producers of the group's inputs that are not members. */
    external: Set<Apply>;
    signature: string;
    /** How many nodes the group holds. */
    size: number;
    into?: Building;
  }
  const find = (g: Building): Building => {
    while (g.into) g = g.into;
    return g;
  };
  const building = new Map<Apply, Building>();
  const isMember = (a: Apply, bits: Uint32Array) => {
    const id = fusableIds.get(a);
    return id !== undefined && (bits[id >>> 5]! & (1 << (id & 31))) !== 0;
  };
  const tryMerge = (groups: readonly Building[], n: Apply, signature: string): Building | null => {
    const size = groups.reduce((total, g) => total + g.size, 1);
    if (size > MAX_KERNEL_OPS) return null;
    const bits = new Uint32Array(words);
    const id = fusableIds.get(n)!;
    bits[id >>> 5]! |= 1 << (id & 31);
    for (const g of groups) for (let w = 0; w < words; w++) bits[w]! |= g.bits[w]!;
    const external = new Set<Apply>();
    for (const g of groups) for (const e of g.external) if (!isMember(e, bits)) external.add(e);
    for (const v of n.inputs) if (v.owner && index.has(v.owner) && !isMember(v.owner, bits)) external.add(v.owner);
    for (const e of external) if (intersects(ancestors.get(e)!, bits)) return null;
    return { bits, external, signature, size };
  };
  for (const n of schedule) {
    if (!fusableIds.has(n)) continue;
    const sig = loopSignature(n);
    const candidates: Building[] = [];
    for (const v of n.inputs) {
      const raw = v.owner && building.get(v.owner);
      const g = raw && find(raw);
      if (g && g.signature === sig && !candidates.includes(g)) candidates.push(g);
    }
    let chosen = candidates;
    let group = tryMerge(candidates, n, sig);
    if (!group) {
      // merge what can be merged, one candidate at a time
      chosen = [];
      for (const g of candidates) {
        const next = tryMerge([...chosen, g], n, sig);
        if (next) {
          chosen = [...chosen, g];
          group = next;
        }
      }
      group ??= tryMerge([], n, sig)!;
    }
    for (const g of chosen) g.into = group;
    building.set(n, group);
  }
  const groupOf = new Map<Apply, Group>();
  const final = new Map<Building, Group>();
  for (const n of schedule) {
    const raw = building.get(n);
    if (!raw) continue;
    const b = find(raw);
    let g = final.get(b);
    if (!g) final.set(b, (g = { members: [], signature: b.signature }));
    g.members.push(n); // in schedule order
    groupOf.set(n, g);
  }

  // readers of each variable, to find what a group exports
  const readers = new Map<Variable, Apply[]>();
  for (const n of schedule) {
    for (const v of n.inputs) {
      const list = readers.get(v);
      if (list) list.push(n);
      else readers.set(v, [n]);
    }
  }
  // The checks above keep paths that leave a group from re-entering it through single nodes; a cycle through
  // another group (A feeds B, and B feeds A through different members) can remain. Each round splits, in every
  // cycle, the smallest group into single-node kernels (splitting never creates a cycle) until the units order.
  for (;;) {
    const units = buildUnits(schedule, groupOf, outputSet, readers);
    const ordered = orderUnits(units);
    if (ordered.ok) return ordered.units.map(toStep);
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
  const deps = new Map<Variable, Set<number>>();
  inputs.forEach((v, k) => deps.set(v, new Set([k])));
  const ops: KernelOp[] = loopNodes.map((n, j) => {
    const op = n.op as ElemwiseOp;
    const out = n.outputs[0]!;
    refOf.set(out, nIn + j);
    deps.set(out, new Set(n.inputs.flatMap((v) => [...deps.get(v)!])));
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
      const d = [...deps.get(v)!].filter((k) => shaped.includes(k)).sort((a, b) => a - b);
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
