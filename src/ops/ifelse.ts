/**
 * `ifelse(cond, then, else)`: the lazy condition. The two branches are inner graphs (see `inner-graph.ts`) over
 * placeholders for the op's inputs after the condition; evaluating the op runs the condition's branch only, in
 * the reference evaluator and in generated code alike. `switch` is the eager, elementwise choice.
 */
import type { FunctionGraph } from '../graph/function-graph.js';
import type { LengthFact } from '../graph/op.js';
import type { NDArray } from '../runtime/ndarray.js';
import type { Tensor } from '../tensor/tensor.js';
import { isFloat } from '../types/dtype.js';
import { TensorType } from '../types/tensor-type.js';
import { inline, lopOf, referenceRunner, type InnerGraphOpDef, type InnerRunner } from './inner-graph.js';

export interface IfElseParams {
  /** The branch taken when the condition is true (not 0). */
  readonly then: FunctionGraph;
  /** The branch taken otherwise; the same inputs (placeholders) as `then`. */
  readonly else: FunctionGraph;
  /** A name for printing and error messages (Theano's `name`). */
  readonly name?: string;
}

/** Whether a condition value selects the then branch: not 0 (NaN is true, as Python's `bool`). */
export function isTrue(cond: NDArray): boolean {
  const c = cond.item(0);
  return typeof c === 'bigint' ? c !== 0n : typeof c === 'boolean' ? c : c !== 0;
}

/** The type both branches' output `k` share: the same dtype and rank, static lengths where both agree. */
function branchType(p: IfElseParams, k: number): TensorType {
  const a = p.then.outputs[k]!;
  const b = p.else.outputs[k]!;
  if (a.type.dtype !== b.type.dtype || a.type.ndim !== b.type.ndim) {
    const which = `${p.name ? `'${p.name}' ` : ''}output ${k}${a.name ? ` ('${a.name}')` : ''}`;
    const fix =
      a.type.dtype !== b.type.dtype
        ? ` (cast one branch: .cast('${a.type.dtype}'))`
        : ' (reshape or dimshuffle one branch)';
    throw new TypeError(
      `ifelse: ${which}: the then branch is ${a.type} and the else branch ${b.type}; both branches must have the same dtype and rank${fix}`,
    );
  }
  return new TensorType(
    a.type.dtype,
    a.type.shape.map((d, i) => (d === b.type.shape[i] ? d : null)),
  );
}

/** The length of axis `axis` of output `k` when both branches return the same input (as placeholder). */
function lengthFact(p: IfElseParams, k: number, axis: number): LengthFact {
  const a = p.then.outputs[k]!;
  const b = p.else.outputs[k]!;
  const i = p.then.inputs.indexOf(a);
  return i >= 0 && p.else.inputs.indexOf(b) === i ? { input: i + 1, axis } : null;
}

function run(inputs: readonly NDArray[], p: IfElseParams, runInner: InnerRunner): NDArray[] {
  const [cond, ...values] = inputs;
  return runInner(isTrue(cond!) ? 0 : 1, values);
}

export const IFELSE: InnerGraphOpDef<IfElseParams> = {
  name: 'ifelse',
  inferType([cond, ...values], p) {
    if (cond!.ndim !== 0) throw new TypeError(`ifelse: the condition must be a scalar (bool or number), got ${cond}`);
    if (values.length !== p.then.inputs.length) {
      throw new TypeError(`ifelse: expected ${p.then.inputs.length} inputs after the condition, got ${values.length}`);
    }
    if (p.then.outputs.length !== p.else.outputs.length) {
      throw new TypeError(
        `ifelse: the then branch has ${p.then.outputs.length} outputs and the else branch ${p.else.outputs.length}`,
      );
    }
    values.forEach((t, i) => {
      if (!p.then.inputs[i]!.type.isCompatible(t)) {
        throw new TypeError(`ifelse: input ${i + 1} is ${t}, but the branches read ${p.then.inputs[i]!.type}`);
      }
    });
    return p.then.outputs.map((_, k) => branchType(p, k));
  },
  evaluate(inputs, p) {
    return run(inputs, p, referenceRunner([p.then, p.else]));
  },
  inner: {
    graphs: (p) => [
      { label: 'then', graph: p.then },
      { label: 'else', graph: p.else },
    ],
    withGraphs: (p, [then, otherwise]) => ({ ...p, then: then!, else: otherwise! }),
    run: (inputs, p, _types, runInner) => run(inputs, p, runInner),
    // ifelse(c, then, else), each branch in terms of the op's inputs; a list of outputs as [a, b]
    format([cond, ...values], p, show) {
      const branch = (g: FunctionGraph) => {
        const outs = show(g, values);
        return outs.length === 1 ? outs[0]! : `[${outs.join(', ')}]`;
      };
      return `ifelse(${cond!.text}, ${branch(p.then)}, ${branch(p.else)})`;
    },
  },
  inferShape: (_inputs, p) => p.then.outputs.map((o, k) => o.type.shape.map((_, axis) => lengthFact(p, k, axis))),
  // d ifelse(c, f(x), g(x)) / dx = ifelse(c, f'(x), g'(x)): each branch's vector-Jacobian product, chosen lazily
  // by the same condition (the gradient of the branch not taken is never computed). The condition gets none.
  pullback({ inputs: [cond, ...values], grads, params }, T) {
    const lop = lopOf(T);
    const reaching = grads.flatMap((g, k) => (g ? [k] : []));
    const wrt = values.flatMap((v, i) => (isFloat(v.dtype) ? [i] : []));
    const result: (Tensor | null)[] = [null, ...values.map(() => null)];
    if (wrt.length === 0) return result;
    const points = reaching.map((k) => grads[k]!);
    const branchGrads = (graph: FunctionGraph) => {
      const outs = inline(graph, values) as Tensor[];
      return lop(
        reaching.map((k) => outs[k]!),
        wrt.map((i) => values[i]!),
        points,
      );
    };
    const ifelse = T['ifelse'] as (c: Tensor, a: Tensor[], b: Tensor[], o: { outside: Tensor[] }) => Tensor[];
    const chosen = ifelse(cond!, branchGrads(params.then), branchGrads(params.else), {
      outside: [cond!, ...values, ...points],
    });
    wrt.forEach((i, j) => (result[i + 1] = chosen[j]!));
    return result;
  },
  print: {
    kind: 'custom',
    format: ([cond]) => `ifelse(${cond!.text}, ...)`,
  },
};
