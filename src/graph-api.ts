/**
 * `theano.graph`: walking and copying graphs (PyTensor's `graph_inputs`, `ancestors`, `clone_replace`).
 */
import { ancestors as ancestorsOf, graphInputs } from './graph/traversal.js';
import type { Variable } from './graph/variable.js';
import type { Tensor } from './tensor/tensor.js';

export { clone, cloneReplace } from './compile/clone.js';
export type { CloneOptions } from './compile/clone.js';
export { Variable, Apply } from './graph/variable.js';
export { FunctionGraph } from './graph/function-graph.js';

const asList = (v: Tensor | readonly Tensor[]): readonly Variable[] => (Array.isArray(v) ? v : [v as Tensor]);
const stops = (blockers: readonly Tensor[] | undefined) => (blockers ? new Set<Variable>(blockers) : undefined);

/**
 * The leaves `outputs` depend on (inputs, constants, shared variables), first seen first; traversal stops at
 * `blockers`, which count as leaves (PyTensor's `graph_inputs`).
 *
 * @example
 * const [x, y] = T.dscalars('x', 'y');
 * theano.graph.inputs(x.mul(y).add(1)); // [x, y, 1]
 */
export function inputs(outputs: Tensor | readonly Tensor[], blockers?: readonly Tensor[]): Tensor[] {
  return graphInputs(asList(outputs), stops(blockers)) as Tensor[];
}

/** Every variable `outputs` depend on, outputs included, in an order that puts each after its inputs (PyTensor's `ancestors`). */
export function ancestors(outputs: Tensor | readonly Tensor[], blockers?: readonly Tensor[]): Tensor[] {
  return ancestorsOf(asList(outputs), stops(blockers)) as Tensor[];
}
