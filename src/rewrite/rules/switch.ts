/**
 * Switches sunk through products and quotients, so the NaN or Inf of a masked branch does not leak into a
 * gradient: mul(switch(c, 0, y), z) -> switch(c, 0, mul(y, z)).
 *
 * The pullback of switch(c, a, b) sends switch(c, g, 0) to a and switch(c, 0, g) to b, and the chain rule then
 * multiplies those by the local derivatives of a and b, computed everywhere: d sqrt(x - 7) = 0.5 / sqrt(x - 7)
 * is Inf (and sqrt of a negative NaN) exactly where the switch masks that branch, and 0 * Inf is NaN. With the
 * factor moved inside, the switch picks 0 there and the NaN is never read.
 *
 * Only a branch that is the constant 0 (as written, or broadcast by fill/alloc/broadcastTo or a dimshuffle) lets
 * a factor in: 0 * z is not 0 when z is NaN or Inf, which is the point. The rewrite changes no shape (every
 * operand stays, and broadcasting is associative) and no value where the product was finite. The other branch is
 * first cast to the switch's dtype, so the product is computed in the precision it was computed in before (an
 * int8 branch of a float64 switch does not multiply in int8).
 */
import type { Variable } from '../../graph/variable.js';
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { rule } from '../engine.js';
import { Family, isConstantValue, isOp, P, v } from '../pattern.js';
import type { PhaseRules } from '../pipeline.js';
import { inDType } from './helpers.js';

/** Whether `w` is 0 everywhere: a constant, or a constant 0 broadcast (fill, alloc, broadcastTo) or dimshuffled. */
function isZero(w: Variable): boolean {
  if (w.isConstant) return isConstantValue(w, 0);
  const node = w.owner;
  if (!node) return false;
  if (isOp(w, 'dimshuffle')) return isZero(node.inputs[0]!);
  if (isOp(w, 'fill')) return isZero(node.inputs[1]!);
  if ((Family.spread as readonly string[]).includes(node.op.name)) return isZero(node.inputs[0]!);
  return false;
}

/**
 * switch(c, p, q) combined with `z` by `op`, the combination moved into the branch that is not 0:
 * op(switch(c, 0, q), z) -> switch(c, 0, op(q, z)), op(switch(c, p, 0), z) -> switch(c, op(p, z), 0).
 */
function sinkInto(s: Tensor, z: Tensor, op: (branch: Tensor, z: Tensor) => Tensor): Tensor | null {
  const [c, p, q] = s.owner!.inputs as [Tensor, Tensor, Tensor];
  const inside = (branch: Tensor) => op(inDType(branch, s.dtype), z);
  if (isZero(p)) return T.switch(c, p, inside(q)) as Tensor;
  if (isZero(q)) return T.switch(c, inside(p), q) as Tensor;
  return null;
}

const aSwitch = v('s', (w) => isOp(w, 'switch'));
const times = (a: Tensor, b: Tensor) => T.mul(a, b) as Tensor;
const over = (a: Tensor, b: Tensor) => T.div(a, b) as Tensor;
const floorOver = (a: Tensor, b: Tensor) => T.intDiv(a, b) as Tensor;

// prettier-ignore
export const SWITCH_RULES: PhaseRules = {
  canonicalize: [
    rule('mul_switch_sink', P.mul(aSwitch, v('z')), ({ s, z }) => sinkInto(s!, z!, times)), // switch(c, 0, y) * z -> switch(c, 0, y * z); switch(c, y, 0) * z -> switch(c, y * z, 0)
    rule('div_switch_sink', P.true_div(aSwitch, v('z')), ({ s, z }) => sinkInto(s!, z!, over)), // switch(c, 0, y) / z -> switch(c, 0, y / z); likewise with 0 in the other branch
    rule('div_switch_sink', P.int_div(aSwitch, v('z')), ({ s, z }) => sinkInto(s!, z!, floorOver)), // switch(c, 0, y) // z -> switch(c, 0, y // z)
  ],
  stabilize: [
  ],
};
