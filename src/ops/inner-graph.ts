/**
 * Ops whose params hold inner graphs (`ifelse`'s two branches, `scan`'s step): the shared facility.
 *
 * An inner graph is a `FunctionGraph` over placeholder inputs, one per input of the op that it reads (after any
 * inputs the op reads itself, such as `ifelse`'s condition). Three layers see it:
 *
 * - the reference evaluator calls the op's `evaluate`, which runs an inner graph with `referenceRunner` (each
 *   inner op's own `evaluate`), and only the inner graphs it needs: that is what makes `ifelse` lazy;
 * - the optimizer's `inner_graphs` pass (`src/rewrite/inner-graphs.ts`) replaces each such node by one whose
 *   inner graphs are optimized copies, rewritten by the same pipeline and mode as the outer graph;
 * - the generated-code linker (`src/codegen/linker.ts`) links each inner graph once, into a program of its own,
 *   and calls the op's `inner.run` with a runner that calls those programs instead of the reference evaluator.
 *
 * The op never imports the optimizer or the code generator: they find the inner graphs through `inner`.
 */
import { evaluateNodes, leafValue } from '../graph/evaluate.js';
import { copyGraph, FunctionGraph } from '../graph/function-graph.js';
import type { GradBuilder, OpDef, PrintedArg } from '../graph/op.js';
import { graphInputs } from '../graph/traversal.js';
import type { Apply, Variable } from '../graph/variable.js';
import type { NDArray } from '../runtime/ndarray.js';
import type { Tensor } from '../tensor/tensor.js';
import type { TensorType } from '../types/tensor-type.js';

/** Runs inner graph number `graph` (in the order `inner.graphs` lists them) on values for its inputs. */
export type InnerRunner = (graph: number, inputs: readonly NDArray[]) => NDArray[];

/** An inner graph with what it is called when printed (`then`, `else`, `step`). */
export interface LabelledGraph {
  readonly label: string;
  readonly graph: FunctionGraph;
}

/** The inner-graph aspect of an op. */
export interface InnerGraphs<P> {
  /** The node's inner graphs, in a fixed order (the runner's `graph` index). */
  graphs(params: P): readonly LabelledGraph[];
  /** The same params with the inner graphs replaced (same order, same inputs): the optimizer's copies. */
  withGraphs(params: P, graphs: readonly FunctionGraph[]): P;
  /**
   * The op's computation with its inner graphs run by `runInner`: `evaluate` is this with `referenceRunner`; the
   * linker passes compiled programs. Outputs are fresh arrays (the runner's are).
   */
  run(inputs: readonly NDArray[], params: P, outputTypes: readonly TensorType[], runInner: InnerRunner): NDArray[];
  /**
   * Whether `run` is done with the runner's outputs before it calls the runner again (scan copies each step's
   * outputs into its own buffers): the linker may then reuse their buffers from call to call.
   */
  readonly transientOutputs?: boolean;
  /**
   * The op input that input `index` of inner graph `graph` stands for (printing: `-> [id C]`), when that is not
   * the default (the inner inputs matching the op's last inputs one to one; scan's taps stand for the initial
   * value of their output); null when it stands for no input.
   */
  outerInputOf?(params: P, graph: number, index: number): number | null;
  /**
   * How `pp` writes the node, given its printed inputs and `show`, which prints an inner graph's outputs with its
   * placeholders written as the given inputs (absent: the op's `print`).
   */
  format?(
    inputs: readonly PrintedArg[],
    params: P,
    show: (graph: FunctionGraph, inputs: readonly PrintedArg[]) => string[],
  ): string;
}

/** An op with inner graphs. */
export interface InnerGraphOpDef<P> extends OpDef<P> {
  readonly inner: InnerGraphs<P>;
}

export function isInnerGraphOp<P>(op: OpDef<P>): op is InnerGraphOpDef<P> {
  return (op as Partial<InnerGraphOpDef<P>>).inner !== undefined;
}

/**
 * The reference runner of `graphs`: each inner graph evaluated node by node. An output that is one of the inner
 * graph's inputs, a constant, or an output already returned is copied: the op's outputs must be fresh arrays.
 */
export function referenceRunner(graphs: readonly FunctionGraph[]): InnerRunner {
  return (k, inputs) => {
    const graph = graphs[k]!;
    const { nodes, leaves } = scheduleOf(graph);
    const values = new Map<Variable, NDArray>();
    graph.inputs.forEach((v, i) => values.set(v, inputs[i]!));
    for (const leaf of leaves) {
      const value = leafValue(leaf); // read on each run: a shared variable's value changes between calls
      if (value && !values.has(leaf)) values.set(leaf, value);
    }
    evaluateNodes(nodes, values);
    const seen = new Set<NDArray>();
    return graph.outputs.map((v) => {
      const a = values.get(v)!;
      const fresh = v.owner !== null && !seen.has(a);
      seen.add(a);
      return fresh ? a : a.copy();
    });
  };
}

/** Inner graphs in params are never changed (the optimizer rewrites copies): their schedule is made once. */
const schedules = new WeakMap<FunctionGraph, { nodes: readonly Apply[]; leaves: readonly Variable[] }>();
function scheduleOf(graph: FunctionGraph): { nodes: readonly Apply[]; leaves: readonly Variable[] } {
  let s = schedules.get(graph);
  if (!s) {
    const leaves = graphInputs(graph.outputs, new Set(graph.inputs)).filter((v) => !graph.inputs.includes(v));
    schedules.set(graph, (s = { nodes: graph.toposort(), leaves }));
  }
  return s;
}

/**
 * A placeholder standing for `outer` inside an inner graph: same class (a `Tensor` stays a `Tensor`, so rewrites
 * can build on it), type and name, but no owner and no value of its own (a shared variable's placeholder is not
 * shared: the op reads the shared value as an input).
 */
export function placeholderFor<V extends Variable>(outer: V): V {
  const p = outer.cloneWith(null, 0);
  Object.assign(p, { data: undefined, storage: undefined });
  return p;
}

/** What `closeOver` returns: the outer variables read, and the inner graphs over their placeholders. */
export interface ClosedGraphs {
  /** The outer variables the graphs read, in first-seen order: the op's inputs. */
  readonly outerInputs: readonly Variable[];
  /** One inner graph per list of `outputs`, each over placeholders for all of `outerInputs`. */
  readonly graphs: readonly FunctionGraph[];
}

/**
 * Turns lists of outer outputs into inner graphs: everything between `outputs` and the leaves (or the variables
 * in `boundary`, which stay outside) is copied inside; the leaves that are not constants (inputs, shared
 * variables) and the boundary variables reached become the op's inputs, each replaced by one placeholder shared
 * by all the graphs. Constants stay inside, as constants.
 */
export function closeOver(outputs: readonly (readonly Variable[])[], boundary: readonly Variable[] = []): ClosedGraphs {
  const stop = new Set(boundary);
  const outerInputs = graphInputs(outputs.flat(), stop).filter((v) => stop.has(v) || !v.isConstant);
  const placeholders = outerInputs.map((v) => placeholderFor(v));
  const replacements = new Map<Variable, Variable>(outerInputs.map((v, i) => [v, placeholders[i]!]));
  const graphs = outputs.map((list) => new FunctionGraph(placeholders, list, replacements));
  return { outerInputs, graphs };
}

/** The outputs of `graph` rebuilt over `inputs` (one per placeholder) as outer graph: a fresh copy of its nodes. */
export function inline(graph: FunctionGraph, inputs: readonly Variable[]): Variable[] {
  const replacements = new Map<Variable, Variable>(graph.inputs.map((p, i) => [p, inputs[i]!]));
  // the inputs are the caller's variables, used as they are: copying their graphs too would hand a branch that
  // returns an input unchanged a copy of it, which a gradient with respect to the input does not reach
  return copyGraph(graph.outputs, replacements, new Set(inputs));
}

/** Theano's `Lop` (vector times Jacobian) as the builder handed to pullbacks carries it. */
export type VectorJacobian = (f: readonly Tensor[], wrt: readonly Tensor[], evalPoints: readonly Tensor[]) => Tensor[];

/**
 * The `Lop` of the builder a pullback receives: an inner-graph op's gradient differentiates its inner graph with
 * the same autodiff as the outer graph (the builder carries it, since `ops/` may not import `grad/`).
 */
export function lopOf(T: GradBuilder): VectorJacobian {
  const lop = T['Lop'];
  if (typeof lop !== 'function') throw new Error('internal: the gradient builder has no Lop');
  return lop as VectorJacobian;
}
