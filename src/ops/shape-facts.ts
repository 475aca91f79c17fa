/**
 * Building blocks for the `inferShape` aspect of ops (see `LengthFact` in src/graph/op.ts): the common ways an
 * output's lengths follow from the inputs.
 */
import type { LengthFact } from '../graph/op.js';
export { NO_SHAPE_FACTS } from '../graph/op.js';
import type { TensorType } from '../types/tensor-type.js';

/** Every axis of input `input`, in order: an output of that input's shape. */
export const axesOf = (inputs: readonly TensorType[], input: number): LengthFact[] =>
  inputs[input]!.shape.map((_, axis) => ({ input, axis }));

/** The numpy broadcast of the inputs (right-aligned), as elementwise ops compute it, for a rank-`ndim` output. */
export function broadcastFacts(inputs: readonly TensorType[], ndim: number): LengthFact[] {
  return Array.from({ length: ndim }, (_, k) => ({
    broadcast: inputs.flatMap((t, input) => {
      const axis = k - (ndim - t.ndim);
      return axis >= 0 ? [{ input, axis }] : [];
    }),
  }));
}

/**
 * Lengths given as params (a number, or null: read from the next integer scalar input, counting from
 * `firstSize`), as alloc, reshape and split take them; -1 (reshape's "the rest") is unknown.
 */
export function sizeFacts(params: readonly (number | null)[], firstSize: number): LengthFact[] {
  let next = firstSize;
  return params.map((p) => (p === null ? { size: next++ } : p === -1 ? null : p));
}

/** The input's axes without `axes` (dropped), or with them as length 1 (`keepdims`): a reduction's output. */
export function reducedFacts(input: TensorType, axes: readonly number[], keepdims: boolean): LengthFact[] {
  return input.shape.flatMap((_, axis): LengthFact[] =>
    axes.includes(axis) ? (keepdims ? [1] : []) : [{ input: 0, axis }],
  );
}

/**
 * A matrix product of inputs 0 and 1 (numpy's matmul and Theano's dot): the broadcast batch axes, then a's rows
 * (when a is a matrix) and b's columns (when b is a matrix). A vector operand has no batch axes.
 */
export function matmulFacts(a: TensorType, b: TensorType): LengthFact[] {
  const batchA = Math.max(0, a.ndim - 2);
  const batchB = Math.max(0, b.ndim - 2);
  const batch = Math.max(batchA, batchB);
  const facts: LengthFact[] = Array.from({ length: batch }, (_, k) => ({
    broadcast: [
      ...(k - (batch - batchA) >= 0 ? [{ input: 0, axis: k - (batch - batchA) }] : []),
      ...(k - (batch - batchB) >= 0 ? [{ input: 1, axis: k - (batch - batchB) }] : []),
    ],
  }));
  if (a.ndim >= 2) facts.push({ input: 0, axis: a.ndim - 2 });
  if (b.ndim >= 2) facts.push({ input: 1, axis: b.ndim - 1 });
  return facts;
}
