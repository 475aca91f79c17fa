/**
 * Gradients with respect to a variable an `ifelse` closed over. `ifelse` copies into its branches everything they
 * compute back to the leaves, so `y = x.mul(2); z = ifelse(c, y.sqr(), y)` holds copies of y in its branches and
 * reads only x from outside: the cost's graph no longer contains y. Theano's `grad(cost, y)` works there (its
 * ifelse takes computed inputs), so before differentiating, each such ifelse is rebuilt with the wrt variables
 * its branches copied as outer inputs (as `outside: [y]` would have built it), and the cost's graph above it is
 * rebuilt on the new outputs. The values are the same; only where y is computed changes (once, before the
 * condition, as `outside` does).
 */
import { copyGraph, type FunctionGraph } from '../graph/function-graph.js';
import { toposort } from '../graph/traversal.js';
import type { Apply, Variable } from '../graph/variable.js';
import { IFELSE, type IfElseParams } from '../ops/ifelse.js';
import { ifelse } from '../tensor/ifelse.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * The roots, rebuilt so that every wrt variable an ifelse of their graph (`order`, their toposort) had copied into
 * its branches is read there; the same `roots` array when there is nothing to rebuild (so the caller's toposort
 * still holds).
 */
export function liftWrtOutOfBranches(
  roots: readonly Variable[],
  wrt: readonly Variable[],
  order: readonly Apply[] = toposort(roots),
): readonly Variable[] {
  // computed wrt variables (a leaf is read from outside anyway), in the graph or not: one the cost also reads
  // outside the ifelse would otherwise get only that part of its gradient
  const missing = wrt.filter((w) => w.owner !== null);
  if (missing.length === 0) return roots;
  const replacements = new Map<Variable, Variable>();
  for (const node of order) {
    if (node.op !== IFELSE) continue;
    const p = node.params as IfElseParams;
    const lifted = missing.filter((w) => holdsCopyOf(p, w));
    if (lifted.length === 0) continue;
    const rebuilt = rebuildIfElse(node, p, lifted);
    node.outputs.forEach((o, k) => replacements.set(o, rebuilt[k]!));
  }
  if (replacements.size === 0) return roots;
  const inGraph = new Set<Variable>(roots);
  for (const node of order) for (const v of [...node.inputs, ...node.outputs]) inGraph.add(v);
  // copy only the nodes above the rebuilt ifelses: the rest of the graph (other wrt variables) stays as it is
  const above = new Set<Variable>(replacements.keys());
  for (const node of order) if (node.inputs.some((i) => above.has(i))) for (const o of node.outputs) above.add(o);
  const stop = new Set<Variable>([...inGraph].filter((v) => !above.has(v)));
  for (const v of replacements.values()) stop.add(v);
  return copyGraph(roots, replacements, stop);
}

/**
 * Whether an ifelse's branches hold a copy of `w`: directly, or inside an ifelse they copied in turn (a dropout
 * ifelse of a second layer copies the first layer's, with its branches' copies of w).
 */
function holdsCopyOf(p: IfElseParams, w: Variable): boolean {
  for (const g of [p.then, p.else]) {
    if (g.copyOf.has(w)) return true;
    for (const inner of g.toposort())
      if (inner.op === IFELSE && holdsCopyOf(inner.params as IfElseParams, w)) return true;
  }
  return false;
}

/**
 * The ifelse again, over its outer inputs and the lifted variables, each branch reading them where it read copies
 * (and an ifelse copied into a branch rebuilt the same way, so it reads them too).
 */
function rebuildIfElse(node: Apply, p: IfElseParams, lifted: readonly Variable[]): Tensor[] {
  const [cond, ...outer] = node.inputs;
  const branch = (g: FunctionGraph) => {
    const replacements = new Map<Variable, Variable>(g.inputs.map((placeholder, i) => [placeholder, outer[i]!]));
    for (const w of lifted) {
      const copy = g.copyOf.get(w);
      if (copy !== undefined) replacements.set(copy, w);
    }
    const copied = copyGraph(g.outputs, replacements, new Set([...outer, ...lifted]));
    return liftWrtOutOfBranches(copied, lifted) as Tensor[];
  };
  const options = { outside: [...outer, ...lifted] as Tensor[], ...(p.name ? { name: p.name } : {}) };
  const listIfElse = ifelse as unknown as (c: Tensor, a: Tensor[], b: Tensor[], o: typeof options) => Tensor[];
  return listIfElse(cond as Tensor, branch(p.then), branch(p.else), options);
}
