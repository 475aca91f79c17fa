import type { OutputAllocator, RuntimeKernels } from './op.js';
import type { Apply, Variable } from './variable.js';
import { buildSite } from './variable.js';
import type { NDArray } from '../runtime/ndarray.js';
import { shapeToString, unravel } from '../runtime/ndarray.js';

/** An error raised while running a node: names the op, its input shapes and where the node was built. */
export class NodeError extends Error {
  declare readonly node: Apply;
  constructor(node: Apply, inputs: readonly NDArray[], cause: unknown) {
    const site = buildSite(node.trace);
    const msg = cause instanceof Error ? cause.message : String(cause);
    const args = node.inputs.map(
      (v, i) =>
        `${v.name ? `${v.name}: ` : ''}${inputs[i]?.dtype ?? '?'}${inputs[i] ? shapeToString(inputs[i]!.shape) : ''}`,
    );
    super(`${msg}\n  in node: ${node.op.name}(${args.join(', ')})${site ? `\n  built at: ${site}` : ''}`, { cause });
    this.name = 'NodeError';
    // not enumerable: test runners and loggers that walk an error's own properties would walk the whole graph
    Object.defineProperty(this, 'node', { value: node, enumerable: false });
  }

  /** What serializers see (vitest walks getters, and `Tensor.T` builds a new node on each read): no graph. */
  toJSON(): { name: string; message: string; stack: string | undefined } {
    return { name: this.name, message: this.message, stack: this.stack };
  }
}

/** The value a leaf holds on its own: a constant's data, or a shared variable's current value. */
export function leafValue(v: Variable): NDArray | undefined {
  return v.data ?? v.storage?.value;
}

/**
 * Runs `nodes` (in topological order) with the reference evaluator: each op's `evaluate`. `values` holds the
 * leaves on entry and every computed variable on return. Each result is checked against its static type, so an
 * op whose output disagrees with its `inferType` is caught at the node.
 */
export function evaluateNodes(
  nodes: readonly Apply[],
  values: Map<Variable, NDArray>,
  afterNode?: (node: Apply, inputs: readonly NDArray[], outputs: readonly NDArray[]) => void,
): void {
  for (const node of nodes) {
    const inputs = node.inputs.map((v) => {
      const a = values.get(v);
      if (!a) throw new Error(`internal: no value for input ${v.name ?? v.id} of ${node.op.name}`);
      return a;
    });
    const outputs = runNode(node, inputs);
    node.outputs.forEach((o, i) => values.set(o, outputs[i]!));
    afterNode?.(node, inputs, outputs);
  }
}

/**
 * Runs one node's reference `evaluate` (or, with `asView`, its `view` when it gives one), checking each output
 * against its type.
 */
export function runNode(
  node: Apply,
  inputs: readonly NDArray[],
  asView = false,
  alloc?: OutputAllocator,
  kernels?: RuntimeKernels,
): NDArray[] {
  let outputs: NDArray[];
  try {
    const view = asView ? node.op.view!(inputs, node.params) : null;
    outputs = view
      ? [view]
      : node.op.evaluate(
          inputs,
          node.params,
          node.outputs.map((o) => o.type),
          alloc,
          kernels,
        );
  } catch (e) {
    throw new NodeError(node, inputs, e);
  }
  node.outputs.forEach((o, i) => {
    const a = outputs[i]!;
    const mismatch = o.type.shapeMismatch(a.shape);
    if (mismatch || a.dtype !== o.type.dtype) {
      throw new NodeError(
        node,
        inputs,
        new Error(
          `output ${i} is ${a.dtype}${shapeToString(a.shape)}, but its type is ${o.type}${mismatch ? `: ${mismatch}` : ''}`,
        ),
      );
    }
  });
  return outputs;
}

/**
 * Which step of a scan wrote row `row` of its output `k`: a recurrent output's buffer starts with its initial rows
 * (as many as its deepest tap), an output kept at its last step holds only that one. Read from the op's params
 * by shape (this module sits below the ops).
 */
function loopStepOf(node: Apply, k: number, row: number): string {
  const p = node.params as { recurrent?: readonly { taps: readonly number[] }[]; keepLast?: readonly boolean[] };
  if (p.keepLast?.[k]) return 'the last step';
  const info = p.recurrent?.[k];
  const lag = info ? Math.max(...info.taps.map((t) => -t)) : 0;
  return row < lag ? `initial row ${row}` : `step ${row - lag}`;
}

/** An `afterNode` check: throws at the first node whose float output holds a NaN or an infinity. */
export function nanGuard(node: Apply, inputs: readonly NDArray[], outputs: readonly NDArray[]): void {
  outputs.forEach((a, k) => {
    if (a.dtype !== 'float32' && a.dtype !== 'float64') return;
    for (let i = 0; i < a.size; i++) {
      const x = a.item(i) as number;
      if (Number.isFinite(x)) continue;
      const what = Number.isNaN(x) ? 'NaN' : 'Inf';
      // the element's index in the array (row-major): for a loop's stacked output, the first is the step's row
      const index = unravel(i, a.shape);
      const where = a.shape.length < 2 ? '' : `, index (${index.join(', ')})`;
      const loop = node.op.name === 'scan' && a.shape.length > 0 ? ` (${loopStepOf(node, k, index[0]!)})` : '';
      throw new NodeError(
        node,
        inputs,
        new Error(`NaN guard: output ${k} of ${node.op.name} has ${what} at flat index ${i}${where}${loop}`),
      );
    }
  });
}
