/** DEBUG mode: checks every optimization pass, and names the first rewrite that changes a value. */
import { evaluateNodes, leafValue } from '../graph/evaluate.js';
import { copyGraph, type FunctionGraph } from '../graph/function-graph.js';
import { graphInputs, toposort } from '../graph/traversal.js';
import type { Variable } from '../graph/variable.js';
import { pp } from '../printing/pp.js';
import type { RewriteRecord } from '../rewrite/engine.js';
import type { NDArray } from '../runtime/ndarray.js';

/** A rewrite and the function's outputs right after it (a copy, so later rewrites do not change it). */
interface Snapshot {
  readonly record: RewriteRecord;
  readonly before: string;
  readonly after: string;
  readonly outputs: readonly Variable[];
}

/** Evaluates `outputs` with the reference evaluator, given values for `inputs` (leaves fill themselves). */
export function evaluateOutputs(outputs: readonly Variable[], inputs: readonly Variable[], args: readonly NDArray[]): NDArray[] {
  const stop = new Set(inputs);
  const values = new Map<Variable, NDArray>();
  inputs.forEach((v, i) => values.set(v, args[i]!));
  for (const leaf of graphInputs(outputs, stop)) {
    const value = leafValue(leaf);
    if (value) values.set(leaf, value);
  }
  evaluateNodes(toposort(outputs, stop), values);
  return outputs.map((o) => values.get(o) ?? o.data!);
}

/**
 * Whether the optimized result `b` agrees with the reference `a` within the tolerance of their dtype (NaN equals
 * NaN). Where the reference is NaN or infinite and the optimized value finite, the stabilize phase did its job
 * (`log(1 + exp(800))` is Infinity as written, 800 as `softplus`): that is agreement too.
 */
function agree(a: NDArray, b: NDArray): boolean {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return false;
  const tol = a.dtype === 'float32' || b.dtype === 'float32' ? 1e-4 : 1e-7;
  for (let i = 0; i < a.size; i++) {
    const x = Number(a.item(i));
    const y = Number(b.item(i));
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (!Number.isFinite(x) && Number.isFinite(y)) continue;
    if (x === y) continue;
    if (!(Math.abs(x - y) <= tol * (1 + Math.abs(x) + Math.abs(y)))) return false;
  }
  return true;
}

/** Records what DEBUG mode needs while the pipeline runs, and checks a call against it. */
export class DebugChecker {
  private readonly snapshots: Snapshot[] = [];
  private readonly reference: readonly Variable[];

  constructor(
    private readonly graph: FunctionGraph,
    private readonly inputs: readonly Variable[],
  ) {
    this.reference = copyGraph(graph.outputs, new Map(), new Set(inputs));
  }

  onRewrite(record: RewriteRecord): void {
    this.snapshots.push({
      record,
      before: pp(record.before),
      after: pp(record.after),
      outputs: copyGraph(this.graph.outputs, new Map(), new Set(this.inputs)),
    });
  }

  /** After a pass: every node still type-checks (its op infers the types its outputs have). */
  onPass(pass: string): void {
    for (const node of this.graph.toposort()) {
      let inferred;
      try {
        inferred = node.op.inferType(
          node.inputs.map((i) => i.type),
          node.params,
        );
      } catch (e) {
        throw new Error(`DEBUG mode: after pass '${pass}', ${node.op.name} no longer type-checks: ${(e as Error).message}`);
      }
      node.outputs.forEach((o, i) => {
        const t = inferred[i]!;
        if (t.dtype !== o.type.dtype || t.ndim !== o.type.ndim) {
          throw new Error(`DEBUG mode: after pass '${pass}', output ${i} of ${node.op.name} is typed ${o.type} but its inputs give ${t}`);
        }
      });
    }
  }

  /** Compares the optimized results of a call with the unoptimized graph; names the first rewrite that differs. */
  check(args: readonly NDArray[], results: readonly NDArray[]): void {
    const expected = evaluateOutputs(this.reference, this.inputs, args);
    if (expected.every((e, k) => agree(e, results[k]!))) return;
    for (const snap of this.snapshots) {
      const got = evaluateOutputs(snap.outputs, this.inputs, args);
      const k = expected.findIndex((e, j) => !agree(e, got[j]!));
      if (k === -1) continue;
      throw new Error(
        `DEBUG mode: rewrite '${snap.record.rule}' (pass ${snap.record.pass}) changed output ${k}: ` +
          `expected ${expected[k]!.toString()}, got ${got[k]!.toString()}\n  before: ${snap.before}\n  after:  ${snap.after}`,
      );
    }
    const k = expected.findIndex((e, j) => !agree(e, results[j]!));
    throw new Error(`DEBUG mode: output ${k} differs from the unoptimized graph: expected ${expected[k]!.toString()}, got ${results[k]!.toString()}`);
  }
}
