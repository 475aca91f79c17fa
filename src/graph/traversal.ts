import type { Apply, Variable } from './variable.js';

/**
 * The op applications needed to compute `outputs`, each after the nodes computing its inputs. Iterative
 * (an explicit stack), so a chain of 100,000 ops cannot overflow the call stack.
 * Traversal stops at `stopAt` variables (treated as leaves).
 */
export function toposort(outputs: readonly Variable[], stopAt?: ReadonlySet<Variable>): Apply[] {
  const order: Apply[] = [];
  const seen = new Set<Apply>();
  // The stack as two parallel arrays (a node and the next input to visit): no allocation per node, as this runs
  // several times per rewrite pass.
  const stack: Apply[] = [];
  const nextInput: number[] = [];
  const visit = (v: Variable): void => {
    const node = v.owner;
    if (!node || seen.has(node) || stopAt?.has(v)) return;
    seen.add(node);
    stack.push(node);
    nextInput.push(0);
  };
  for (const out of outputs) {
    visit(out);
    while (stack.length > 0) {
      const top = stack.length - 1;
      const node = stack[top]!;
      const next = nextInput[top]!;
      if (next < node.inputs.length) {
        nextInput[top] = next + 1;
        visit(node.inputs[next]!);
      } else {
        stack.pop();
        nextInput.pop();
        order.push(node);
      }
    }
  }
  return order;
}

/** Every variable reachable from `outputs` (outputs included), in topological order. */
export function ancestors(outputs: readonly Variable[], stopAt?: ReadonlySet<Variable>): Variable[] {
  const seen = new Set<Variable>();
  const out: Variable[] = [];
  const add = (v: Variable) => {
    if (!seen.has(v)) {
      seen.add(v);
      out.push(v);
    }
  };
  for (const node of toposort(outputs, stopAt)) {
    for (const i of node.inputs) if (!i.owner || stopAt?.has(i)) add(i);
    for (const o of node.outputs) add(o);
  }
  for (const v of outputs) add(v);
  return out;
}

/** The leaves (variables without an owner, or in `stopAt`) that `outputs` depend on, in first-seen order. */
export function graphInputs(outputs: readonly Variable[], stopAt?: ReadonlySet<Variable>): Variable[] {
  return leavesOf(toposort(outputs, stopAt), outputs, stopAt);
}

/**
 * graphInputs given `order`, the result of toposort(outputs, stopAt) (a FunctionGraph keeps it): ancestors'
 * variables filtered to the leaves, without listing every variable on the way.
 */
export function leavesOf(
  order: readonly Apply[],
  outputs: readonly Variable[],
  stopAt?: ReadonlySet<Variable>,
): Variable[] {
  const seen = new Set<Variable>();
  const leaves: Variable[] = [];
  const add = (v: Variable) => {
    if (!seen.has(v) && (!v.owner || stopAt?.has(v) === true)) {
      seen.add(v);
      leaves.push(v);
    }
  };
  for (const node of order) {
    for (const i of node.inputs) add(i);
    if (stopAt) for (const o of node.outputs) add(o);
  }
  for (const v of outputs) add(v);
  return leaves;
}
