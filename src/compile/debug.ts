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
export function evaluateOutputs(
  outputs: readonly Variable[],
  inputs: readonly Variable[],
  args: readonly NDArray[],
): NDArray[] {
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
 * What DEBUG mode reports beyond errors. At `verbose: 1`, a call where a rewrite turned a NaN of the unoptimized
 * graph into a finite number (`x / x -> 1` and `x - x -> 0` do, as in Theano) is reported, naming the rewrite;
 * at `verbose: 2`, an infinity turned finite too (what stabilizing does: `log(1 + exp(800))` is Infinity as
 * written, 800 as `softplus`). At 0 (the default) both count as agreement. `report` receives each message once
 * per compiled function and rewrite (console.warn by default).
 *
 * @example
 * theano.debugOptions.verbose = 1;
 * theano.function([x], x.div(x), { mode: 'DEBUG' })([0]); // warns: value changed by rewrite 'div_self' (NaN -> finite)
 */
export const debugOptions: { verbose: 0 | 1 | 2; report: (message: string) => void } = {
  verbose: 0,
  report: (message) => console.warn(message),
};

/** How an optimized value compares with the reference: equal within tolerance, a NaN or an Inf made finite, or not. */
type Agreement = 'equal' | 'nan-to-finite' | 'inf-to-finite' | 'differs';

/**
 * Compares the optimized result `b` with the reference `a` within the tolerance of their dtype (NaN equals NaN).
 * A NaN or an infinity of the reference that became finite is not a difference (stabilizing does that on purpose)
 * but is told apart, so that DEBUG mode can report it; the first such element is returned with it.
 */
function compare(a: NDArray, b: NDArray): { agreement: Agreement; index: number } {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]))
    return { agreement: 'differs', index: -1 };
  const tol = a.dtype === 'float32' || b.dtype === 'float32' ? 1e-4 : 1e-7;
  let madeFinite: { agreement: Agreement; index: number } | undefined;
  for (let i = 0; i < a.size; i++) {
    const x = Number(a.item(i));
    const y = Number(b.item(i));
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (!Number.isFinite(x) && Number.isFinite(y)) {
      const kind = Number.isNaN(x) ? 'nan-to-finite' : 'inf-to-finite';
      if (!madeFinite || (kind === 'nan-to-finite' && madeFinite.agreement !== kind))
        madeFinite = { agreement: kind, index: i };
      continue;
    }
    if (x === y) continue;
    if (!(Math.abs(x - y) <= tol * (1 + Math.abs(x) + Math.abs(y)))) return { agreement: 'differs', index: i };
  }
  return madeFinite ?? { agreement: 'equal', index: -1 };
}
const agree = (a: NDArray, b: NDArray): boolean => compare(a, b).agreement !== 'differs';

/** Records what DEBUG mode needs while the pipeline runs, and checks a call against it. */
export class DebugChecker {
  private readonly snapshots: Snapshot[] = [];
  private readonly reference: readonly Variable[];
  /** The (rule, kind) pairs already reported for this function: each is reported once. */
  private readonly reported = new Set<string>();

  constructor(
    private readonly graph: FunctionGraph,
    private readonly inputs: readonly Variable[],
    reference?: readonly Variable[],
  ) {
    this.reference = reference ?? copyGraph(graph.outputs, new Map(), new Set(inputs));
  }

  /**
   * The checker of `f.copy(...)`: the same unoptimized graph and rewrite snapshots with the swapped shared
   * variables in place of the old ones, and only the first `nOutputs` outputs (a copy without its updates).
   */
  forCopy(graph: FunctionGraph, swap: ReadonlyMap<Variable, Variable>, nOutputs: number): DebugChecker {
    const stop = new Set(this.inputs);
    const swapped = (outputs: readonly Variable[]) => copyGraph(outputs.slice(0, nOutputs), swap, stop);
    const copy = new DebugChecker(graph, this.inputs, swapped(this.reference));
    for (const snap of this.snapshots) copy.snapshots.push({ ...snap, outputs: swapped(snap.outputs) });
    return copy;
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
        throw new Error(
          `DEBUG mode: after pass '${pass}', ${node.op.name} no longer type-checks: ${(e as Error).message}`,
        );
      }
      node.outputs.forEach((o, i) => {
        const t = inferred[i]!;
        if (t.dtype !== o.type.dtype || t.ndim !== o.type.ndim) {
          throw new Error(
            `DEBUG mode: after pass '${pass}', output ${i} of ${node.op.name} is typed ${o.type} but its inputs give ${t}`,
          );
        }
      });
    }
  }

  /** Compares the optimized results of a call with the unoptimized graph; names the first rewrite that differs. */
  check(args: readonly NDArray[], results: readonly NDArray[]): void {
    const expected = evaluateOutputs(this.reference, this.inputs, args);
    const agreements = expected.map((e, k) => compare(e, results[k]!).agreement);
    if (agreements.every((a) => a !== 'differs')) {
      const level = debugOptions.verbose;
      if (agreements.some((a) => (a === 'nan-to-finite' && level >= 1) || (a === 'inf-to-finite' && level >= 2))) {
        this.reportMadeFinite(args, expected, level);
      }
      return;
    }
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
    throw new Error(
      `DEBUG mode: output ${k} differs from the unoptimized graph: expected ${expected[k]!.toString()}, got ${results[k]!.toString()}`,
    );
  }

  /**
   * Names each rewrite that turned a NaN (or, at verbose 2, an infinity) of the unoptimized graph into a finite
   * number: the snapshot right after it is the first to have the finite value. Reported once per rewrite and kind.
   */
  private reportMadeFinite(args: readonly NDArray[], expected: readonly NDArray[], level: number): void {
    const wanted = (a: Agreement) => (a === 'nan-to-finite' && level >= 1) || (a === 'inf-to-finite' && level >= 2);
    let previous = expected.map(() => 'equal' as Agreement);
    for (const snap of this.snapshots) {
      const got = evaluateOutputs(snap.outputs, this.inputs, args);
      const now = expected.map((e, k) => compare(e, got[k]!));
      now.forEach(({ agreement, index }, k) => {
        if (!wanted(agreement) || agreement === previous[k]) return;
        const from = agreement === 'nan-to-finite' ? 'NaN' : 'Inf';
        const key = `${snap.record.rule}\u0000${from}`;
        if (this.reported.has(key)) return;
        this.reported.add(key);
        debugOptions.report(
          `DEBUG mode: value changed by rewrite '${snap.record.rule}' (pass ${snap.record.pass}) (${from} -> finite): ` +
            `output ${k} element ${index} is ${String(expected[k]!.item(index))} unoptimized, ${String(got[k]!.item(index))} after it\n` +
            `  before: ${snap.before}\n  after:  ${snap.after}`,
        );
      });
      previous = now.map((c) => c.agreement);
    }
  }
}
