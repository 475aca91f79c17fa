/**
 * ifelse passes (global passes: they replace all the outputs of a node at once):
 *
 * - `ifelse_constant_condition` (after constant folding): a condition known at compile time; the node is replaced
 *   by the branch it takes, inlined over the node's inputs, so the rule sets see the branch's nodes;
 * - `ifelse_share_outer` (after `inner_graphs`): a branch reads what the outer graph computes anyway instead of
 *   computing it again.
 */
import type { IfElseParams } from '../../ops/ifelse.js';
import { isTrue } from '../../ops/ifelse.js';
import { FunctionGraph } from '../../graph/function-graph.js';
import { Apply, type Variable } from '../../graph/variable.js';
import { inline, placeholderFor } from '../../ops/inner-graph.js';
import type { Pass, PassContext } from '../engine.js';

const TAGS = ['ifelse', 'fast_run'];

export const ifelseConstantConditionPass: Pass = {
  name: 'ifelse_constant_condition',
  tags: TAGS,
  run(graph, ctx) {
    if (!ctx.enabled('ifelse_constant_condition', TAGS)) return;
    for (const node of graph.toposort()) {
      const cond = node.inputs[0];
      if (node.op.name !== 'ifelse' || !cond?.isConstant) continue;
      const p = node.params as IfElseParams;
      const taken = inline(isTrue(cond.data!) ? p.then : p.else, node.inputs.slice(1));
      node.outputs.forEach((o, i) => {
        if (graph.clients(o).length === 0) return;
        graph.replace(o, taken[i]!);
        ctx.record({
          pass: 'ifelse_constant_condition',
          rule: 'ifelse_constant_condition',
          before: o,
          after: taken[i]!,
        });
      });
    }
  },
};

// ---------------------------------------------------------------------------------------- shared with outside

const paramIds = new WeakMap<object, number>();
let nextParamId = 0;
/** The params' share of a node's structural key: `paramsKey`, or the identity of the params object. */
function paramsText(node: Apply): string {
  if (node.op.paramsKey) return node.op.paramsKey(node.params as never);
  const p = node.params;
  if (p === null || typeof p !== 'object') return String(p);
  let id = paramIds.get(p);
  if (id === undefined) paramIds.set(p, (id = nextParamId++));
  return `#${id}`;
}

const MAX_KEYED_CONSTANT = 64;
/** What stands for a variable in a structural key: a constant by its value, anything else by its id. */
function operandKey(v: Variable): string | null {
  if (!v.isConstant) return `v${v.id}`;
  const data = v.data!;
  if (data.size > MAX_KEYED_CONSTANT) return null;
  const values: string[] = [];
  for (let i = 0; i < data.size; i++) values.push(String(data.item(i)));
  return `c${v.type.dtype}|${data.shape.join(',')}|${values.join(',')}`;
}

const nodeKey = (node: Apply, inputs: readonly (string | null)[]): string | null =>
  inputs.includes(null) ? null : `${node.op.name}|${paramsText(node)}|${inputs.join(',')}`;

/** The outer nodes whose outputs do not depend on `node` (reading one of them inside `node` makes no cycle). */
function outerNodesByKey(graph: FunctionGraph, node: Apply): Map<string, Apply> {
  const downstream = new Set<Variable>(node.outputs);
  const byKey = new Map<string, Apply>();
  for (const n of graph.toposort()) {
    if (n.inputs.some((i) => downstream.has(i))) {
      for (const o of n.outputs) downstream.add(o);
      continue;
    }
    const key = nodeKey(n, n.inputs.map(operandKey));
    if (key !== null && !byKey.has(key)) byKey.set(key, n);
  }
  return byKey;
}

/**
 * A computation a branch repeats from the outer graph, which computes it anyway (the outer graph has no laziness):
 * the branch reads the outer value instead, as a new input of the node. Without this, `h` in
 * `h.sum() + ifelse(c, h.max(), 0)` would be computed twice, once outside and once in the branch.
 */
function shareWithOutside(graph: FunctionGraph, ctx: PassContext, node: Apply<IfElseParams>): void {
  const p = node.params;
  const byKey = outerNodesByKey(graph, node as Apply);
  if (byKey.size === 0) return;
  const equivalent = new Map<Variable, Variable>(p.then.inputs.map((ph, i) => [ph, node.inputs[i + 1]!]));
  const keyOf = (v: Variable) => {
    const outer = equivalent.get(v);
    return outer ? operandKey(outer) : v.isConstant ? operandKey(v) : null;
  };
  const shared = new Map<Variable, Variable>(); // inner variable -> its outer equivalent, on the frontier
  for (const branch of [p.then, p.else]) {
    const inner = branch.toposort();
    for (const n of inner) {
      const key = nodeKey(n, n.inputs.map(keyOf));
      const outer = key === null ? undefined : byKey.get(key);
      if (outer) n.outputs.forEach((o, i) => equivalent.set(o, outer.outputs[i]!));
    }
    const frontier = (v: Variable) => v.owner !== null && equivalent.has(v);
    for (const n of inner) {
      if (n.outputs.some((o) => equivalent.has(o))) continue;
      for (const i of n.inputs) if (frontier(i)) shared.set(i, equivalent.get(i)!);
    }
    for (const o of branch.outputs) if (frontier(o)) shared.set(o, equivalent.get(o)!);
  }
  if (shared.size === 0) return;
  const outerInputs = [...new Set(shared.values())];
  const placeholders = outerInputs.map((v) => placeholderFor(v));
  const placeholderOf = new Map(outerInputs.map((v, i) => [v, placeholders[i]!]));
  const replacements = new Map<Variable, Variable>([...shared].map(([v, outer]) => [v, placeholderOf.get(outer)!]));
  const inputs = [...p.then.inputs, ...placeholders];
  const graphs = [p.then, p.else].map((g) => new FunctionGraph(inputs, g.outputs, replacements));
  const params: IfElseParams = { ...p, then: graphs[0]!, else: graphs[1]! };
  const rebuilt = new Apply(node.op, params, [...node.inputs, ...outerInputs], (n) =>
    node.outputs.map((o, i) => o.cloneWith(n as Apply, i)),
  );
  node.outputs.forEach((o, i) => {
    if (graph.clients(o).length === 0) return;
    graph.replace(o, rebuilt.outputs[i]!);
    ctx.record({ pass: 'ifelse_share_outer', rule: 'ifelse_share_outer', before: o, after: rebuilt.outputs[i]! });
  });
}

export const ifelseShareOuterPass: Pass = {
  name: 'ifelse_share_outer',
  tags: TAGS,
  run(graph, ctx) {
    if (!ctx.enabled('ifelse_share_outer', TAGS)) return;
    for (const node of graph.toposort()) {
      if (node.op.name === 'ifelse') shareWithOutside(graph, ctx, node as Apply<IfElseParams>);
    }
  },
};
