/**
 * The canonicalize rules (see src/rewrite/pipeline.ts for where they run): algebraic identities removed
 * (x*1, x+0, x-x, x/x, --x), constants gathered ((x*2)*3 -> x*6) and division by a constant made a
 * multiplication, useless casts, reshapes and dimshuffles removed or merged, dimshuffles lifted through
 * elementwise ops towards the inputs, shapes read from the inputs instead of computed results, fills sunk and
 * broadcasting helpers (fill, alloc, and the gradient's sum_to_shape and broadcast_like) dropped where the shapes
 * provably agree, and the gradient modifiers (the identity in the forward graph) removed.
 *
 * With numpy broadcasting, `x * 1` may be larger than `x` (`1` may be a larger array of ones, `x` may have length 1
 * where the other operand does not). A rule that replaces a result by one of its operands therefore proves the two
 * shapes equal first (`keepShape`, with `shape-proofs.ts`); an unknown length is never assumed to be anything.
 *
 * Like Theano, these rules ignore what they would change only at NaN or Inf (x - x -> 0, x / x -> 1) and drop
 * run-time shape errors the removed ops would have raised.
 */
import type { FunctionGraph } from '../../graph/function-graph.js';
import type { Variable } from '../../graph/variable.js';
import { DIMSHUFFLE, type DimPattern } from '../../ops/dimshuffle.js';
import { evaluateElemwise, isElemwise } from '../../ops/elemwise.js';
import { SCALAR_OPS, type ScalarOpName } from '../../ops/scalar.js';
import { FILL, RESHAPE, SHAPE_I } from '../../ops/shape.js';
import { toNDArray } from '../../runtime/convert.js';
import { applyOp, makeConstant } from '../../tensor/apply.js';
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { DType } from '../../types/dtype.js';
import { broadcastStatic, TensorType, type StaticDim } from '../../types/tensor-type.js';
import { rule, type Rule } from '../engine.js';
import { filled, inDType, keepShape, liveClients, scalar } from './helpers.js';
import { c, etc, Family, isOp, oneOf, P, paramsOf, v, type Captures } from '../pattern.js';
import {
  broadcastDims,
  dimsOf,
  factDims,
  forEachSource,
  lengthFacts,
  sameShape,
  sizeDim,
  type Dim,
} from '../shape-proofs.js';

// ---------------------------------------------------------------------------------------------------------------
// patterns

const x = v('x');
const y = v('y');
const isConstant = (u: Variable) => u.isConstant;
const notConstant = (u: Variable) => !u.isConstant;
const k = v('k', isConstant);
const k2 = v('k2', isConstant);
const term = v('x', notConstant);
const other = v('y', notConstant);

// ---------------------------------------------------------------------------------------------------------------
// building blocks

/** The scalar op `name` applied to constants now, in `dtype` (integers wrap as they would at run time). */
function fold(name: ScalarOpName, dtype: DType, ...operands: Variable[]): Tensor {
  const shape = broadcastStatic(operands.map((o) => o.type.shape)) as StaticDim[];
  return makeConstant(
    evaluateElemwise(
      SCALAR_OPS[name],
      operands.map((o) => o.data!),
      new TensorType(dtype, shape),
    ),
  );
}

/** The node's non-constant input: in `(x op k) op k2`, the inner result. */
const innerOf = (m: Tensor): Tensor => m.owner!.inputs.find((i) => !i.isConstant) as Tensor;

/**
 * `(x inner k) outer k2 -> x result (k combine k2)`, when the inner result already has the final dtype (so every
 * step ran in that dtype, and integer wrapping is the same modular arithmetic either way).
 */
const gather =
  (result: 'add' | 'sub' | 'mul', combine: 'add' | 'sub' | 'mul') =>
  ({ x, k, k2 }: Captures, m: Tensor): Tensor | null =>
    innerOf(m).dtype === m.dtype ? (T[result](x!, fold(combine, m.dtype, k!, k2!)) as Tensor) : null;

/**
 * `(x op k) op y -> (x op y) op k` for an associative op, moving constants outwards where they can be gathered.
 * Only when every intermediate has the final dtype and nobody else reads the inner result.
 */
const constantOutwards =
  (name: 'add' | 'mul') =>
  ({ x, k, y }: Captures, m: Tensor, graph: FunctionGraph): Tensor | null => {
    const inner = m.owner!.inputs.find(
      (i) => isOp(i, name) && i.owner!.inputs.includes(k!) && i.owner!.inputs.includes(x!),
    );
    if (!inner || liveClients(graph, inner) > 1 || ![x!, y!, inner].every((u) => u.type.dtype === m.dtype)) return null;
    return T[name](T[name](x!, y!), k!) as Tensor;
  };

/** Larger constants are left to be computed at run time (as the constant folding pass does). */
const MAX_FOLDED_SIZE = 10_000;

/** f(k1, k2) -> its value, for constants that rewrites bring together (the folding pass ran before them). */
function foldConstants(_: Captures, m: Tensor): Tensor | null {
  const node = m.owner!;
  if (!node.inputs.every((i) => i.isConstant)) return null;
  try {
    const [value] = node.op.evaluate(
      node.inputs.map((i) => i.data!),
      node.params as never,
      [m.type],
    );
    return value && value.size <= MAX_FOLDED_SIZE ? makeConstant(value) : null;
  } catch {
    return null; // the error belongs to run time, where it names the node
  }
}

// ---------------------------------------------------------------------------------------------------------------
// reshape

/**
 * reshape(x, s) -> x when s is x's own shape: each size a length of x (known, or read by shape_i from a variable
 * proven to have it), or the one -1 (which then gets what the other axes, all equal, leave).
 */
function uselessReshape({ x }: Captures, m: Tensor): Tensor | null {
  if (x!.ndim !== m.ndim) return null;
  const { shape, fromVector } = paramsOf(m, 'reshape');
  const own = dimsOf(x!);
  const sizes = m.owner!.inputs.slice(1);
  if (fromVector) {
    const vector = sizes[0]!;
    if (isOp(vector, 'shape')) return sameShape(vector.owner!.inputs[0]!, x!) ? x! : null;
    return vector.data && own.every((d, i) => d === Number(vector.data!.item(i))) ? x! : null;
  }
  let next = 0;
  const target: (Dim | 'rest')[] = shape.map((p) => (p === null ? sizeDim(sizes[next++]!) : p === -1 ? 'rest' : p));
  return target.every((d, i) => d === 'rest' || d === own[i]) ? x! : null;
}

/** reshape(reshape(x, a), b) -> reshape(x, b): the same elements in row-major order either way. */
function reshapeChain({ x }: Captures, m: Tensor): Tensor | null {
  const inner = x!.owner;
  if (!isOp(x, 'reshape')) return null;
  return applyOp(RESHAPE, paramsOf(m, 'reshape'), [inner!.inputs[0]!, ...m.owner!.inputs.slice(1)])[0]!;
}

// ---------------------------------------------------------------------------------------------------------------
// dimshuffle

const patternOf = (u: Variable): DimPattern => paramsOf(u, 'dimshuffle').pattern;

/** A dimshuffle, folded when its input is a constant and skipped when it changes nothing. */
function shuffled(a: Tensor, pattern: DimPattern): Tensor {
  if (pattern.length === a.ndim && pattern.every((p, i) => p === i)) return a;
  const [out] = applyOp(DIMSHUFFLE, { pattern }, [a]);
  if (!a.data) return out!;
  return makeConstant(DIMSHUFFLE.evaluate([a.data], { pattern }, [out!.type])[0]!);
}

/** dimshuffle(x) -> x when it keeps every axis in place (or re-inserts, as 'x', an axis of static length 1). */
function uselessDimshuffle({ x }: Captures, m: Tensor): Tensor | null {
  const pattern = patternOf(m);
  if (pattern.length !== x!.ndim) return null;
  const inPlace = pattern.every((p, i) => p === i || (p === 'x' && x!.type.shape[i] === 1 && !pattern.includes(i)));
  return inPlace ? x! : null;
}

/** dimshuffle(dimshuffle(x, p), q) -> dimshuffle(x, p∘q): output axis i is q[i] of the middle, p[q[i]] of x. */
function mergeDimshuffles({ x }: Captures, m: Tensor): Tensor {
  const inner = patternOf(m.owner!.inputs[0]!);
  return shuffled(
    x!,
    patternOf(m).map((q) => (q === 'x' ? 'x' : inner[q]!)),
  );
}

/**
 * dimshuffle(f(a, b), p) -> f(dimshuffle(a, p'), dimshuffle(b, p')): elementwise ops commute with moving axes. A
 * lower-rank input is aligned to the right, as broadcasting aligns it; an axis the pattern drops has length 1 in
 * the result, so in every input. Only when the dimshuffle is the elementwise result's one reader (no work is
 * duplicated), as Theano's local_dimshuffle_lift.
 */
function liftDimshuffle({ x }: Captures, m: Tensor, graph: FunctionGraph): Tensor | null {
  const node = x!.owner;
  if (!node || !isElemwise(node.op) || x!.ndim === 0 || liveClients(graph, x!) > 1) return null;
  const pattern = patternOf(m);
  const inputs = node.inputs.map((input) => {
    const pad = x!.ndim - input.type.ndim;
    if (input.type.ndim === 0) return input as Tensor;
    return shuffled(
      input as Tensor,
      pattern.map((p) => (p === 'x' || p - pad < 0 ? 'x' : p - pad)),
    );
  });
  return applyOp(node.op, node.params, inputs)[0]!;
}

// ---------------------------------------------------------------------------------------------------------------
// shapes

const axisOf = (m: Tensor): number => paramsOf(m, 'shape_i').axis;

/** shape_i(x, i) -> n when the length is known, from the type or proven from the graph. */
function knownLength({ x }: Captures, m: Tensor): Tensor | null {
  const d = dimsOf(x!)[axisOf(m)];
  return typeof d === 'number' ? scalar(d, 'int64') : null;
}

/** shape(x) -> a constant vector when every length is known. */
function knownShape({ x }: Captures): Tensor | null {
  const dims = dimsOf(x!);
  if (!dims.every((d): d is number => typeof d === 'number')) return null;
  return makeConstant(toNDArray(dims, { dtype: 'int64' }));
}

/**
 * Where the length of axis `axis` of `u` may also be read, from its op's `inferShape` facts: an input's axis (one
 * of the inputs an elementwise op broadcasts), or a size scalar the op was given.
 */
type LengthSource = { readonly of: Variable; readonly axis: number } | { readonly size: Variable };
function lengthSources(u: Variable, axis: number): LengthSource[] {
  const inputs = u.owner!.inputs;
  const sources: LengthSource[] = [];
  const fact = lengthFacts(u)[axis];
  if (fact !== undefined) {
    forEachSource(fact, (f) =>
      sources.push('input' in f ? { of: inputs[f.input]!, axis: f.axis } : { size: inputs[f.size]! }),
    );
  }
  return sources;
}

/**
 * shape_i(f(a, b), i) -> shape_i(a, j) when a's axis j provably has the result's length (it was not broadcast),
 * and likewise through dimshuffles, reductions, the gradient helpers and the sizes given to alloc and reshape:
 * the length is read from the inputs, and the computed result is no longer needed for it.
 */
function lengthFromInputs({ x }: Captures, m: Tensor): Tensor | null {
  if (!x!.owner) return null;
  const want = dimsOf(x!)[axisOf(m)];
  // follow the sources back up to 64 steps in one rewrite (one step per rewrite cost a rewrite per node of every
  // chain between a length and where it is read; the bound keeps each rewrite's work constant)
  let at: { of: Variable; axis: number } | undefined;
  let step = lengthSource(x!, axisOf(m), want);
  for (let steps = 0; step && steps < 64; steps++) {
    if ('size' in step) return step.size as Tensor;
    at = step;
    step = step.of.owner ? lengthSource(step.of, step.axis, want) : undefined;
  }
  return at ? applyOp(SHAPE_I, { axis: at.axis }, [at.of])[0]! : null;
}

/** The first source of the length of `u`'s axis that provably has length `want`. */
function lengthSource(u: Variable, axis: number, want: Dim | undefined): LengthSource | undefined {
  return lengthSources(u, axis).find((source) =>
    'size' in source ? sizeDim(source.size) === want : dimsOf(source.of)[source.axis] === want,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// broadcasting helpers inside elementwise graphs

/** The value a broadcasting op (fill, alloc, broadcastTo, broadcast_like) spreads, if `u` is one. */
function spreadValue(u: Variable): Variable | undefined {
  if (isOp(u, 'fill')) return u.owner!.inputs[1];
  return Family.spread.some((name) => isOp(u, name)) ? u.owner!.inputs[0] : undefined;
}

/**
 * The lengths an alloc, broadcastTo or broadcast_like was asked for (its value fits them: 1 or the same): the
 * result's own lengths. Undefined for fill, whose value may be the larger operand.
 */
const spreadTarget = (u: Variable): readonly Dim[] | undefined => (isOp(u, 'fill') ? undefined : factDims(u));

const sameDims = (a: readonly Dim[], b: readonly Dim[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * f(..., alloc(v, s), ...) -> f(..., v, ...) when the result provably keeps its shape without the broadcast:
 * elementwise ops broadcast by themselves (Theano's local_elemwise_alloc). Either the inputs with v in place
 * broadcast to the same lengths, or (alloc, broadcastTo, broadcast_like: their value must fit the shape they are
 * asked for, each length 1 or the same) the other inputs alone already span that shape.
 */
function dropSpread(_: Captures, m: Tensor): Tensor | null {
  const node = m.owner!;
  if (!node.inputs.some((u) => spreadValue(u))) return null;
  const want = dimsOf(m);
  for (let i = 0; i < node.inputs.length; i++) {
    const value = spreadValue(node.inputs[i]!);
    if (!value) continue;
    const inputs = node.inputs.map((u, j) => (j === i ? value : u));
    const target = spreadTarget(node.inputs[i]!);
    const others = inputs.filter((_, j) => j !== i).map((u) => dimsOf(u));
    const spanned = target !== undefined && sameDims(broadcastDims([...others, target]), broadcastDims(others));
    if (spanned || sameDims(broadcastDims(inputs.map((u) => dimsOf(u))), want)) {
      return applyOp(node.op, node.params, inputs)[0]!;
    }
  }
  return null;
}

/**
 * f(fill(m, v), y) -> fill(m, f(v, y)) (and broadcast_like(v, m) as fill(m, v)): the broadcast is applied last,
 * where it may turn out useless. Only when nobody else reads the fill.
 */
function sinkFill(_: Captures, m: Tensor, graph: FunctionGraph): Tensor | null {
  const node = m.owner!;
  for (let i = 0; i < node.inputs.length; i++) {
    const u = node.inputs[i]!;
    const fill = isOp(u, 'fill');
    if ((!fill && !isOp(u, 'broadcast_like')) || liveClients(graph, u) > 1) continue;
    const [model, value] = fill ? u.owner!.inputs : [u.owner!.inputs[1]!, u.owner!.inputs[0]!];
    const inner = applyOp(
      node.op,
      node.params,
      node.inputs.map((w, j) => (j === i ? value! : w)),
    )[0]!;
    return applyOp(FILL, undefined, [model!, inner])[0]!;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// the rules

const algebra = ['algebra'];
const shapes = ['shape'];
const gradient = ['gradient'];

/**
 * The axes a gradient is surely summed over, as a plain reduction (which the code generator fuses with the
 * gradient's elementwise producer): the leading axes `like` lacks, and the axes where `like` has static length 1
 * and g a static length other than 1. What stays unknown until run time is left to sum_to_shape.
 */
function sumKnownAxes({ x, y }: Captures): Tensor | null {
  const g = x!;
  const like = y!;
  if (g.dtype !== 'float32' && g.dtype !== 'float64') return null;
  const lead = g.ndim - like.ndim;
  const ones = like.type.shape.flatMap((d, i) =>
    d === 1 && g.type.shape[i + lead] !== 1 && g.type.shape[i + lead] !== null ? [i + lead] : [],
  );
  if (lead === 0 && ones.length === 0) return null;
  let summed = ones.length ? (T.sum(g, ones as never, { keepdims: true }) as Tensor) : g;
  if (lead > 0) summed = T.sum(summed, Array.from({ length: lead }, (_, i) => i) as never) as Tensor;
  return sameShape(summed, like) ? summed : (T.sumToShape(summed, like) as Tensor);
}

// prettier-ignore
export const CANONICALIZE_RULES: readonly Rule[] = [
  rule('constant_elemwise', oneOf(Family.elemwise, etc), foldConstants, algebra), // f(k1, k2) -> constant
  rule('mul_by_one', P.mul(x, c(1)), ({ x }, m) => keepShape(x, m), algebra), // x * 1 -> x
  rule('mul_by_minus_one', P.mul(x, c(-1)), ({ x }, m) => (keepShape(x, m) ? T.neg(inDType(x!, m.dtype)) : null), algebra), // x * -1 -> -x
  rule('mul_self', P.mul(x, x), ({ x }) => (x!.dtype === 'bool' ? null : T.sqr(x!)), algebra), // x * x -> sqr(x)
  rule('mul_constants', P.mul(P.mul(x, k), k2), gather('mul', 'mul'), algebra), // (x * k) * k2 -> x * (k*k2)
  rule('mul_constant_outwards', P.mul(P.mul(term, k), other), constantOutwards('mul'), algebra), // (x * k) * y -> (x * y) * k
  rule('add_zero', P.add(x, c(0)), ({ x }, m) => keepShape(x, m), algebra), // x + 0 -> x
  rule('add_constants', P.add(P.add(x, k), k2), gather('add', 'add'), algebra), // (x + k) + k2 -> x + (k+k2)
  rule('add_constants', P.add(P.sub(x, k), k2), gather('sub', 'sub'), algebra), // (x - k) + k2 -> x - (k-k2)
  rule('add_constant_outwards', P.add(P.add(term, k), other), constantOutwards('add'), algebra), // (x + k) + y -> (x + y) + k
  rule('sub_zero', P.sub(x, c(0)), ({ x }, m) => keepShape(x, m), algebra), // x - 0 -> x
  rule('zero_sub', P.sub(c(0), x), ({ x }, m) => (keepShape(x, m) ? T.neg(inDType(x!, m.dtype)) : null), algebra), // 0 - x -> -x
  rule('sub_self', P.sub(x, x), ({ x }, m) => filled(x!, 0, m.dtype), algebra), // x - x -> zeros like x (NaN and Inf ignored)
  rule('add_constants', P.sub(P.add(x, k), k2), gather('add', 'sub'), algebra), // (x + k) - k2 -> x + (k-k2)
  rule('add_constants', P.sub(P.sub(x, k), k2), gather('sub', 'add'), algebra), // (x - k) - k2 -> x - (k+k2)
  rule('neg_neg', P.neg(P.neg(x)), ({ x }) => x!, algebra), // -(-x) -> x
  rule('div_by_one', P.true_div(x, c(1)), ({ x }, m) => keepShape(x, m), algebra), // x / 1 -> x
  rule('div_self', P.true_div(x, x), ({ x }, m) => filled(x!, 1, m.dtype), algebra), // x / x -> ones like x (0/0 ignored, as Theano)
  rule('div_by_constant', P.true_div(x, k), ({ x, k }, m) => T.mul(x!, fold('reciprocal', m.dtype, k!)) as Tensor, algebra), // x / k -> x * (1/k)
  rule('useless_cast', P.cast(x), ({ x }, m) => (x!.dtype === m.dtype ? x! : null), algebra), // cast(x, dtype of x) -> x
  rule('useless_reshape', P.reshape(x, etc), uselessReshape, shapes), // reshape(x, shape of x) -> x
  rule('reshape_chain', P.reshape(x, etc), reshapeChain, shapes), // reshape(reshape(x, a), b) -> reshape(x, b)
  rule('useless_dimshuffle', P.dimshuffle(x), uselessDimshuffle, shapes), // dimshuffle(x, [0, 1, ...]) -> x
  rule('dimshuffle_merge', P.dimshuffle(P.dimshuffle(x)), mergeDimshuffles, shapes), // dimshuffle(dimshuffle(x, p), q) -> dimshuffle(x, p∘q)
  rule('dimshuffle_lift', P.dimshuffle(x), liftDimshuffle, shapes), // dimshuffle(f(a, b)) -> f(dimshuffle(a), dimshuffle(b))
  rule('shape_i_known', P.shape_i(x), knownLength, shapes), // shape_i(x, i) -> n when the length is known
  rule('shape_i_from_inputs', P.shape_i(x), lengthFromInputs, shapes), // shape_i(f(a, b), i) -> shape_i(a, i) when a is not broadcast there
  rule('shape_known', P.shape(x), knownShape, shapes), // shape(x) -> constant when every length is known
  rule('useless_fill', P.fill(y, x), ({ x }, m) => keepShape(x, m), shapes), // fill(m, v) -> v when v already has the shape
  rule('useless_alloc', oneOf(['alloc', 'broadcastTo'], x, etc), ({ x }, m) => keepShape(x, m), shapes), // alloc(v, shape of v) -> v, broadcastTo likewise
  rule('elemwise_drop_broadcast', oneOf(Family.elemwise, etc), dropSpread, shapes), // f(alloc(v, s), y) -> f(v, y) when y spans s
  rule('fill_sink', oneOf(Family.elemwise, etc), sinkFill, shapes), // f(fill(m, v), y) -> fill(m, f(v, y))
  rule('useless_sum_to_shape', P.sum_to_shape(x, y), ({ x, y }) => (sameShape(x!, y!) ? x! : null), gradient), // sum_to_shape(g, like) -> g when g has like's shape
  rule('sum_to_shape_known_axes', P.sum_to_shape(x, y), sumKnownAxes, gradient), // sum_to_shape(g, like) -> sum_to_shape(sum(g, axes surely broadcast), like)
  rule('useless_broadcast_like', P.broadcast_like(x, y), ({ x }, m) => keepShape(x, m), gradient), // broadcast_like(x, like) -> x when x has like's shape
  rule('grad_modifier_removed', P.grad_modifier(x), ({ x }) => x!, gradient), // zero_grad(x), grad_clip(x), ... -> x (identity forward)
];
