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
  if (node.inputs[0]!.type.dtype === 'int64' || p.dtype === 'int64') return false;
  return p.kind === 'sum' || p.kind === 'prod' ? isFloat(p.dtype) : true;
}

/** Nodes fuse only with nodes whose outputs have the same rank and the same statically broadcastable axes. */
const loopSignature = (node: Apply) => node.outputs[0]!.type.shape.map((d) => (d === 1 ? '1' : '?')).join('');

interface Group {
  members: Apply[];
  bits: Uint32Array;
  /** Producers of the group's inputs that are not members. */
  external: Set<Apply>;
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

  const groupOf = new Map<Apply, Group>();
  const tryMerge = (groups: readonly Group[], n: Apply): Group | null => {
    const members = new Set<Apply>([n]);
    const bits = new Uint32Array(words);
    const id = fusableIds.get(n)!;
    bits[id >>> 5]! |= 1 << (id & 31);
    const external = new Set<Apply>();
    for (const g of groups) {
      for (const m of g.members) members.add(m);
      for (let w = 0; w < words; w++) bits[w]! |= g.bits[w]!;
    }
    for (const g of groups) for (const e of g.external) if (!members.has(e)) external.add(e);
    for (const v of n.inputs) if (v.owner && index.has(v.owner) && !members.has(v.owner)) external.add(v.owner);
    for (const e of external) if (intersects(ancestors.get(e)!, bits)) return null;
    const ordered = [...members].sort((a, b) => index.get(a)! - index.get(b)!);
    return { members: ordered, bits, external, signature: loopSignature(n) };
  };
  for (const n of schedule) {
    if (!fusableIds.has(n)) continue;
    const sig = loopSignature(n);
    const candidates: Group[] = [];
    for (const v of n.inputs) {
      const g = v.owner && groupOf.get(v.owner);
      if (g && g.signature === sig && !candidates.includes(g)) candidates.push(g);
    }
    let group = tryMerge(candidates, n);
    if (!group) {
      // merge what can be merged, one candidate at a time
      let chosen: Group[] = [];
      for (const g of candidates) {
        const next = tryMerge([...chosen, g], n);
        if (next) {
          chosen = [...chosen, g];
          group = next;
        }
      }
      group ??= tryMerge([], n)!;
    }
    for (const m of group.members) groupOf.set(m, group);
  }

  // readers of each variable, to find what a group exports
  const readers = new Map<Variable, Apply[]>();
  for (const n of schedule) for (const v of n.inputs) readers.set(v, [...(readers.get(v) ?? []), n]);
  const exportsOf = (g: Group, inside: ReadonlySet<Apply>) =>
    g.members.flatMap((m) => m.outputs).filter((v) => outputSet.has(v) || (readers.get(v) ?? []).some((r) => !inside.has(r)));

  const steps: Step[] = [];
  const done = new Set<Group>();
  const folded = new Set<Group>();
  // reductions: fold the producing group when the reduction is its only reader
  const reduceSteps = new Map<Apply, Step>();
  for (const n of schedule) {
    if (!generatedReduce(n)) continue;
    const x = n.inputs[0]!;
    const g = x.owner ? groupOf.get(x.owner) : undefined;
    const exported = g ? exportsOf(g, new Set(g.members)) : [];
    if (g && !folded.has(g) && exported.length === 1 && exported[0] === x && !outputSet.has(x) && readers.get(x)!.length === 1) {
      folded.add(g);
      reduceSteps.set(n, kernelStep([...g.members, n], g.members, [], n));
    } else {
      reduceSteps.set(n, kernelStep([n], [], [], n));
    }
  }
  for (const n of schedule) {
    const g = groupOf.get(n);
    if (g) {
      if (done.has(g) || folded.has(g)) continue;
      done.add(g);
      steps.push(kernelStep(g.members, g.members, exportsOf(g, new Set(g.members)), null));
    } else if (reduceSteps.has(n)) steps.push(reduceSteps.get(n)!);
    else if (n.op.view) steps.push({ kind: 'view', node: n });
    else steps.push({ kind: 'node', node: n });
  }
  return orderSteps(steps);
}

/** The kernel step computing `loopNodes` (elementwise) and storing `exported`, or folding into `reduceNode`. */
function kernelStep(nodes: Apply[], loopNodes: readonly Apply[], exported: readonly Variable[], reduceNode: Apply | null): Step {
  const produced = new Map<Variable, number>();
  const inputs: Variable[] = [];
  const collect = (v: Variable) => {
    if (!produced.has(v) && !inputs.includes(v)) inputs.push(v);
  };
  for (const n of loopNodes) {
    n.inputs.forEach(collect);
    produced.set(n.outputs[0]!, -1);
  }
  if (reduceNode && !produced.has(reduceNode.inputs[0]!)) collect(reduceNode.inputs[0]!);
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
    return { op: op.scalar.name as ScalarOpName, args: n.inputs.map((v) => refOf.get(v)!), inDtypes: n.inputs.map((v) => v.type.dtype), dtype: out.type.dtype };
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
          return { kind: p.kind, axes: p.axes, keepdims: p.keepdims, dtype: p.dtype, value: refOf.get(reduceNode.inputs[0]!)! };
        })()
      : null,
  };
  return { kind: 'kernel', nodes, inputs, outputs: reduceNode ? [reduceNode.outputs[0]!] : exported, ir };
}

const stepInputs = (s: Step): readonly Variable[] => (s.kind === 'kernel' ? s.inputs : s.node.inputs);
export const stepOutputs = (s: Step): readonly Variable[] => (s.kind === 'kernel' ? s.outputs : s.node.outputs);

/** Orders the steps so that each runs after the steps producing its inputs (Kahn's algorithm, stable). */
function orderSteps(steps: readonly Step[]): Step[] {
  const producer = new Map<Variable, number>();
  steps.forEach((s, i) => {
    if (s.kind === 'kernel') for (const n of s.nodes) for (const o of n.outputs) producer.set(o, i);
    else for (const o of s.node.outputs) producer.set(o, i);
  });
  const waiting = steps.map(() => 0);
  const next: number[][] = steps.map(() => []);
  steps.forEach((s, i) => {
    const from = new Set(stepInputs(s).flatMap((v) => (producer.has(v) && producer.get(v) !== i ? [producer.get(v)!] : [])));
    waiting[i] = from.size;
    for (const f of from) next[f]!.push(i);
  });
  const ready = steps.flatMap((_, i) => (waiting[i] === 0 ? [i] : []));
  const out: Step[] = [];
  for (let head = 0; head < ready.length; head++) {
    const i = ready[head]!;
    out.push(steps[i]!);
    for (const j of next[i]!) if (--waiting[j]! === 0) ready.push(j);
  }
  if (out.length !== steps.length) throw new Error('internal: the fused schedule has a cycle');
  return out;
}
