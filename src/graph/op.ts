import type { NDArray } from '../runtime/ndarray.js';
import type { TensorType } from '../types/tensor-type.js';
import type { Variable } from './variable.js';

/**
 * The gradient of an op: given its symbolic inputs, outputs and the gradients flowing into its outputs (null
 * where an output is disconnected from the cost), the gradients of each input as graph (null: not differentiable
 * there / disconnected). Filled in by the autodiff layer.
 */
export type Pullback<P> = (
  inputs: readonly Variable[],
  outputs: readonly Variable[],
  outputGrads: readonly (Variable | null)[],
  params: P,
) => (Variable | null)[];

/** How `pp` writes an application of the op. */
export type PrintSpec<P> =
  | { kind: 'infix'; symbol: string; precedence: number; associativity: 'left' | 'right' | 'none' }
  | { kind: 'prefix'; symbol: string; precedence: number }
  | { kind: 'call'; name?: (params: P) => string; args?: (params: P) => string[] };

/**
 * One op, one place: every aspect of an op is a field of its definition, and each field is required, so an op
 * missing an aspect does not compile.
 */
export interface OpDef<P = unknown> {
  readonly name: string;
  /** The output types from the input types; throws a clear error for inputs the op cannot take. */
  inferType(inputs: readonly TensorType[], params: P): TensorType[];
  /** The reference implementation: fresh output arrays (never views of inputs that a caller may write). */
  evaluate(inputs: readonly NDArray[], params: P, outputTypes: readonly TensorType[]): NDArray[];
  /** The gradient slot: `undefined` until the autodiff issue fills it; 'nondifferentiable' for integer-valued ops. */
  readonly pullback: Pullback<P> | 'nondifferentiable' | undefined;
  readonly print: PrintSpec<P>;
  /** Structural equality of params (for merging equal nodes); identity when absent. */
  paramsKey?(params: P): string;
}
