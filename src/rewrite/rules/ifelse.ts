/**
 * ifelse with a condition known at compile time (a constant, or folded into one): the node is replaced by the
 * branch it takes, inlined over the node's inputs, so the branch's nodes join the outer graph where the rule sets
 * see them. A global pass (after constant folding) rather than a local rule: all the outputs of the node are
 * replaced by one copy of the branch.
 */
import type { IfElseParams } from '../../ops/ifelse.js';
import { isTrue } from '../../ops/ifelse.js';
import { inline } from '../../ops/inner-graph.js';
import type { Pass } from '../engine.js';

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
        ctx.record({ pass: 'ifelse_constant_condition', rule: 'ifelse_constant_condition', before: o, after: taken[i]! });
      });
    }
  },
};
