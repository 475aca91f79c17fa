/** Global passes written as plain code: merging equal subexpressions, and constant folding. */
import type { FunctionGraph } from '../graph/function-graph.js';
import type { Apply, Variable } from '../graph/variable.js';
import { makeConstant } from '../tensor/apply.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Pass } from './engine.js';

const ids = new WeakMap<object, number>();
let nextId = 0;
const identity = (o: object) => {
  let id = ids.get(o);
  if (id === undefined) ids.set(o, (id = nextId++));
  return id;
};

const MAX_MERGED_CONSTANT = 64;

function constantKey(v: Variable): string | undefined {
  const data = v.data!;
  if (data.size > MAX_MERGED_CONSTANT) return undefined;
  const values: string[] = [];
  for (let i = 0; i < data.size; i++) values.push(String(data.item(i)));
  return `${v.type.dtype}|${v.type.shape.join(',')}|${data.shape.join(',')}|${values.join(',')}`;
}

function nodeKey(node: Apply): string {
  const op = node.op;
  const params = op.paramsKey
    ? op.paramsKey(node.params as never)
    : node.params === undefined
      ? ''
      : `#${identity(node.params as object)}`;
  let inputs = '';
  for (const i of node.inputs) inputs += `${i.id},`;
  return `${op.name}|${identity(op)}|${params}|${inputs}`;
}

/**
 * Common subexpression elimination by structural hashing: equal constants become one, and a node applying the
 * same op with the same params to the same inputs as an earlier one is replaced by it (in topological order,
 * so whole repeated subgraphs merge bottom-up).
 */
export const mergePass: Pass = {
  name: 'merge',
  tags: ['merge', 'fast_compile'],
  run(graph, ctx) {
    const constants = new Map<string, Variable>();
    const nodes = graph.toposort();
    for (const node of nodes) {
      node.inputs.forEach((input) => {
        if (!input.isConstant || input.name) return;
        const key = constantKey(input);
        if (key === undefined) return;
        const first = constants.get(key);
        if (!first) constants.set(key, input);
        else if (first !== input && ctx.enabled('merge_constants', ['merge', 'fast_compile'])) {
          graph.replace(input, first);
          ctx.record({ pass: 'merge', rule: 'merge_constants', before: input, after: first });
        }
      });
    }
    const seen = new Map<string, Apply>();
    for (const node of graph.toposort()) {
      const key = nodeKey(node);
      const earlier = seen.get(key);
      if (!earlier) {
        seen.set(key, node);
        continue;
      }
      if (!ctx.enabled('merge_nodes', ['merge', 'fast_compile'])) continue;
      node.outputs.forEach((o, i) => {
        graph.replace(o, earlier.outputs[i]!);
        ctx.record({ pass: 'merge', rule: 'merge_nodes', before: o, after: earlier.outputs[i]! });
      });
    }
  },
};

/**
 * Ops never folded: they would turn a small graph into a large constant (Theano does not fold alloc either), or
 * run a loop of any length at compile time (scan), or report at run time (print).
 */
const NOT_FOLDED = new Set([
  'alloc',
  'broadcastTo',
  'broadcast_like',
  'fill',
  'tile',
  'repeat',
  'scan',
  'arange',
  'eye',
  'print',
]);
const MAX_FOLDED_SIZE = 10_000;

/** Evaluates nodes whose inputs are all constants, once, at compile time. */
export const constantFoldPass: Pass = {
  name: 'constant_folding',
  tags: ['constant_folding', 'fast_compile'],
  run(graph, ctx) {
    for (const node of graph.toposort()) {
      if (NOT_FOLDED.has(node.op.name) || !node.inputs.every((i) => i.isConstant)) continue;
      if (!ctx.enabled('constant_folding', ['constant_folding', 'fast_compile'])) return;
      let values;
      try {
        values = node.op.evaluate(
          node.inputs.map((i) => i.data!),
          node.params,
          node.outputs.map((o) => o.type),
        );
      } catch {
        continue; // the error belongs to run time, where it names the node and the user's line
      }
      if (values.some((a) => a.size > MAX_FOLDED_SIZE)) continue;
      node.outputs.forEach((o, i) => {
        if (graph.clients(o).length === 0) return;
        const folded = makeConstant(values[i]!) as Tensor;
        graph.replace(o, folded);
        ctx.record({ pass: 'constant_folding', rule: 'constant_folding', before: o, after: folded });
      });
    }
  },
};
