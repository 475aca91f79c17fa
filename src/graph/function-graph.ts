import { Apply, type Variable } from './variable.js';
import { leavesOf, toposort } from './traversal.js';

/**
 * Copies the graph computing `outputs` (every node; leaves and `stop` variables are kept), substituting
 * `replacements` on the way (their own graphs are copied too). Returns the copied outputs; `copyOf` receives the
 * map from each original variable to its copy.
 */
export function copyGraph(
  outputs: readonly Variable[],
  replacements: ReadonlyMap<Variable, Variable> = new Map(),
  stop: ReadonlySet<Variable> = new Set(),
  copyOf: Map<Variable, Variable> = new Map(),
  copies: Apply[] = [],
): Variable[] {
  const lookup = (v: Variable): Variable => {
    const r = replacements.get(v);
    if (r !== undefined && r !== v) return lookup(r);
    return copyOf.get(v) ?? v;
  };
  const roots = [...outputs, ...replacements.values()];
  const stopAndReplaced = new Set<Variable>([...stop, ...replacements.keys()]);
  for (const node of toposort(roots, stopAndReplaced)) {
    const copy = new Apply(
      node.op,
      node.params,
      node.inputs.map(lookup),
      (n) => node.outputs.map((o, i) => o.cloneWith(n, i)),
      node.trace,
    );
    for (let i = 0; i < node.outputs.length; i++) copyOf.set(node.outputs[i]!, copy.outputs[i]!);
    copies.push(copy);
  }
  return outputs.map(lookup);
}

/** Who reads a variable: an input slot of a node, or output slot `index` of the graph itself. */
export type Client = { node: Apply; index: number } | { node: 'output'; index: number };

/**
 * A working copy of the graph between `inputs` and `outputs`, which compilation may rewrite freely: every node
 * is cloned, so the user's graph is never changed. Leaves (inputs, constants, shared variables) are kept, since
 * they carry no graph structure. `replacements` (Theano's `givens`) substitute one variable for another while
 * copying.
 */
export class FunctionGraph {
  readonly inputs: Variable[];
  readonly outputs: Variable[];
  /** Maps each original variable to its copy. */
  readonly copyOf = new Map<Variable, Variable>();
  private readonly clientMap = new Map<Variable, Client[]>();
  /** Nodes whose inputs' client lists already name them. */
  private readonly known = new Set<Apply>();
  /** The last toposort, until a replacement changes the graph (several passes in a row sort an unchanged graph). */
  private order: Apply[] | undefined;

  constructor(
    inputs: readonly Variable[],
    outputs: readonly Variable[],
    replacements: ReadonlyMap<Variable, Variable> = new Map(),
  ) {
    this.inputs = [...inputs];
    const stop = new Set<Variable>(inputs);
    const copies: Apply[] = [];
    this.outputs = copyGraph(outputs, replacements, stop, this.copyOf, copies);
    // Without replacements, the copies are exactly the nodes the outputs need, in topological order; with them,
    // a replaced variable's own graph may be copied and not needed.
    if (replacements.size === 0) this.order = copies;
    for (const node of this.toposort()) this.register(node);
    this.outputs.forEach((v, index) => this.clientsOf(v).push({ node: 'output', index }));
  }

  /** The nodes in an order that computes every input before it is used. */
  toposort(): Apply[] {
    this.order ??= toposort(this.outputs, new Set(this.inputs));
    return this.order.slice();
  }

  /** graphInputs(outputs, set of inputs): the leaves the outputs depend on, from the kept toposort. */
  leaves(): Variable[] {
    this.order ??= toposort(this.outputs, new Set(this.inputs));
    return leavesOf(this.order, this.outputs, new Set(this.inputs));
  }

  clients(v: Variable): readonly Client[] {
    return this.clientMap.get(v) ?? [];
  }

  private clientsOf(v: Variable): Client[] {
    let list = this.clientMap.get(v);
    if (!list) this.clientMap.set(v, (list = []));
    return list;
  }

  /** Points every reader of `v` at `replacement` instead (a rewrite's one primitive). */
  replace(v: Variable, replacement: Variable): void {
    if (v === replacement) return;
    if (!v.type.isCompatible(replacement.type)) {
      throw new TypeError(`FunctionGraph.replace: ${replacement.type} cannot replace ${v.type}`);
    }
    this.order = undefined;
    const readers = this.clientsOf(v);
    for (const c of readers) {
      if (c.node === 'output') this.outputs[c.index] = replacement;
      else c.node.inputs[c.index] = replacement;
      this.clientsOf(replacement).push(c);
    }
    this.clientMap.delete(v);
    // Register the replacement's new nodes: walk up from it only through nodes the graph does not know yet
    // (a rewrite adds a few nodes; walking all of its ancestors would make many rewrites quadratic).
    const stack = replacement.owner && !this.known.has(replacement.owner) ? [replacement.owner] : [];
    const inputs = new Set(this.inputs);
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (this.known.has(node)) continue;
      this.register(node);
      for (const i of node.inputs) if (i.owner && !inputs.has(i) && !this.known.has(i.owner)) stack.push(i.owner);
    }
  }

  private register(node: Apply): void {
    this.known.add(node);
    const inputs = node.inputs;
    for (let index = 0; index < inputs.length; index++) this.clientsOf(inputs[index]!).push({ node, index });
  }
}
