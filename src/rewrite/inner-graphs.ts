/**
 * The `inner_graphs` pass: every node whose op has inner graphs (ifelse, scan) is replaced by one whose inner
 * graphs are optimized copies, rewritten by the same pipeline in the same mode as the outer graph (so an inner
 * graph holding inner graphs is optimized in turn). The user's graph is never changed: params are shared with it,
 * so the copies go into new params on a new node.
 */
import { FunctionGraph } from '../graph/function-graph.js';
import { Apply } from '../graph/variable.js';
import { isInnerGraphOp } from '../ops/inner-graph.js';
import type { Pass } from './engine.js';

export const innerGraphsPass: Pass = {
  name: 'inner_graphs',
  tags: ['inner_graphs', 'fast_run', 'fast_compile'],
  run(graph, ctx) {
    const optimizeInner = ctx.optimizeInner;
    if (!optimizeInner) return;
    for (const node of graph.toposort()) {
      const op = node.op;
      if (!isInnerGraphOp(op)) continue;
      const copies = op.inner.graphs(node.params).map(({ graph: g }) => {
        const copy = new FunctionGraph(g.inputs, g.outputs);
        optimizeInner(copy);
        return copy;
      });
      const params = op.inner.withGraphs(node.params, copies);
      const optimized = new Apply(
        op,
        params,
        node.inputs,
        (n) => node.outputs.map((o, i) => o.cloneWith(n, i)),
        node.trace,
      );
      node.outputs.forEach((o, i) => {
        if (graph.clients(o).length === 0) return;
        graph.replace(o, optimized.outputs[i]!);
        ctx.record({ pass: 'inner_graphs', rule: 'inner_graphs', before: o, after: optimized.outputs[i]! });
      });
    }
  },
};
