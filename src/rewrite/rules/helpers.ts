/**
 * Building blocks shared by the rule files: what a rewrite may assume about run-time shapes, and small
 * constructors that keep a replacement's shape and dtype.
 */
import type { FunctionGraph } from '../../graph/function-graph.js';
import type { Variable } from '../../graph/variable.js';
import type { OpName } from '../../ops/registry.js';
import { toNDArray } from '../../runtime/convert.js';
import { FILL } from '../../ops/shape.js';
import { applyOp, makeConstant } from '../../tensor/apply.js';
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../types/dtype.js';
import { isConstantValue, isOp } from '../pattern.js';
import { sameShape } from '../shape-proofs.js';

// ---------------------------------------------------------------------------------------------------------------
// shapes: what a rewrite may assume about run-time shapes

/** A constant equal to `value` everywhere whose every axis has length 1: it never enlarges a broadcast. */
export function isNeutralConstant(w: Variable, value?: number): boolean {
  return w.isConstant && w.type.shape.every((d) => d === 1) && (value === undefined || isConstantValue(w, value));
}

/** Whether broadcasting `small` against `big` gives `big`'s shape. */
export const coveredBy = (small: Variable, big: Variable) =>
  sameShape(small, big) || (small.type.ndim <= big.type.ndim && small.type.shape.every((d) => d === 1));

/** `a` with the shape of `broadcast(a, model)`: `a` itself when it has that shape already. */
export const broadcastWith = (a: Tensor, model: Tensor): Tensor =>
  coveredBy(model, a) ? a : (T.fill(model, a) as Tensor);

/** The two orders of a pair of operands. */
// prettier-ignore
export const bothOrders = (a: Tensor, b: Tensor): [Tensor, Tensor][] => [[a, b], [b, a]];

/** -x, without a double negation. */
export function negate(x: Tensor): Tensor {
  if (isOp(x, 'neg')) return x.owner!.inputs[0] as Tensor;
  // numpy has no negative bool: -b is -(b as a small integer), as `1 - b` promotes it
  return T.neg(x.dtype === 'bool' ? T.cast(x, 'int8') : x) as Tensor;
}

/**
 * When `w` is +-1 broadcast to a shape (a constant of length-1 axes, `fill(model, 1)`, or their negation): the
 * sign and the variable giving the shape (null for a constant, which enlarges nothing).
 */
export function unit(w: Variable): { sign: 1 | -1; model: Variable | null } | null {
  if (isNeutralConstant(w, 1)) return { sign: 1, model: null };
  if (isNeutralConstant(w, -1)) return { sign: -1, model: null };
  const node = w.owner;
  if (isOp(w, 'fill') && isNeutralConstant(node!.inputs[1]!, 1)) return { sign: 1, model: node!.inputs[0]! };
  if (isOp(w, 'neg')) {
    const inner = unit(node!.inputs[0]!);
    return inner && { sign: inner.sign === 1 ? -1 : 1, model: inner.model };
  }
  return null;
}

/** a * b, without a factor +-1 that only broadcasts to a shape the other factor has anyway. */
export function times(a: Tensor, b: Tensor): Tensor {
  for (const [one, y] of bothOrders(a, b)) {
    const u = unit(one);
    if (u && (u.model ? coveredBy(u.model, y) : coveredBy(one, y))) return u.sign === 1 ? y : negate(y);
  }
  return T.mul(a, b) as Tensor;
}

/** Whether `a` is `-b` or `b` is `-a`. */
export const areNegations = (a: Variable, b: Variable) =>
  (isOp(a, 'neg') && a.owner!.inputs[0] === b) || (isOp(b, 'neg') && b.owner!.inputs[0] === a);

/** The op name and inputs of `w`'s node (inputs empty for a leaf). */
export function parts(w: Variable): { name: OpName | undefined; inputs: Tensor[] } {
  return { name: w.owner?.op.name as OpName | undefined, inputs: (w.owner?.inputs ?? []) as Tensor[] };
}

/** `a` standing for `m` when it provably has `m`'s shape at run time (the engine casts it to m's dtype). */
export const keepShape = (a: Tensor | undefined, m: Tensor): Tensor | null => (a && sameShape(a, m) ? a : null);

/** `a` in `dtype` (a cast only when it differs). */
export const inDType = (a: Tensor, dtype: DType): Tensor => (a.dtype === dtype ? a : (T.cast(a, dtype) as Tensor));

/** `value` of `dtype` in the shape of `like`. */
export const filled = (like: Tensor, value: number, dtype: DType): Tensor =>
  applyOp(FILL, undefined, [like, scalar(value, dtype)])[0]!;

/** A scalar constant of `dtype`. */
export const scalar = (value: number, dtype: DType): Tensor => makeConstant(toNDArray(value, { dtype }));

/** The readers of `u` that are outputs or live nodes (a replaced node stays a client until it is swept away). */
export const liveClients = (graph: FunctionGraph, u: Variable): number =>
  graph.clients(u).filter((cl) => cl.node === 'output' || cl.node.outputs.some((o) => graph.clients(o).length > 0))
    .length;
