/**
 * The stabilize rules (see src/rewrite/pipeline.ts for where they run): expressions that overflow, underflow or
 * cancel in floating point are replaced by their stable forms (`log(1 + exp(x))` is Infinity at x = 800,
 * `softplus(x)` is 800).
 *
 * Gradients come first in the user's graph (`T.grad` runs before compilation, on the expression as written), so
 * a pullback of an unstable expression is unstable too: `d log(1 + e^x) = g / (1 + e^x) * e^x` is 0 * Infinity =
 * NaN at x = 800. The second group of rules rewrites those products: a factor `d` multiplied into a quotient is
 * cancelled against it (`(g / d) * d -> g`, `g / (1 + e^u) * e^u -> g * sigmoid(u)`,
 * `g / sum(e^x) * e^x -> g * softmax(x)`), looking through the negations, products, sums, switches and
 * `sum_to_shape` nodes that pullbacks put in between.
 *
 * Every replacement has the matched value's run-time shape: a leaf that would lose a broadcast axis is `fill`ed
 * back to it, and a factor moves through `sum_to_shape(g, like)` only when it has `like`'s shape (so it is
 * constant along the summed axes). The rules run after canonicalize, so they accept its forms too: `1 - x` as
 * `1 + -x`, `e^x - 1` as `e^x + -1`, `1 / x` as `reciprocal(x)`.
 */
import type { FunctionGraph } from '../../graph/function-graph.js';
import type { Variable } from '../../graph/variable.js';
import type { OpName } from '../../ops/registry.js';
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { rule, type Rule } from '../engine.js';
import { anyOf, is, isConstantValue, isOp, P, paramsOf, v, type Pattern } from '../pattern.js';
import { sameShape } from '../shape-proofs.js';
import {
  isNeutralConstant,
  coveredBy,
  broadcastWith,
  bothOrders,
  negate,
  unit,
  times,
  areNegations,
  parts,
} from './helpers.js';

/** `x - m` with `m` the max of x (possibly zeroed where infinite), as `T.logsumexp` shifts: already stable. */
function isMaxShifted(x: Variable): boolean {
  const { name, inputs } = parts(x);
  if (name !== 'sub') return false;
  let shift: Variable = inputs[1]!;
  if (isOp(shift, 'switch')) shift = shift.owner!.inputs[2]!;
  return isOp(shift, 'reduce') && paramsOf(shift, 'reduce').kind === 'max' && shift.owner!.inputs[0] === inputs[0];
}

// ---------------------------------------------------------------------------------------------------------------
// forward forms

/** A shape-neutral constant equal to `value` (not captured: two 1s need not be one node). */
const k = (value: number): Pattern => is((w) => isNeutralConstant(w, value));
const x = v('x');
/** 1 - p, as written or as canonicalize leaves it (1 + -p). */
const oneMinus = (p: Pattern): Pattern => anyOf(P.sub(k(1), p), P.add(k(1), P.neg(p)));
const sumOf = (inner: Pattern): Pattern => P.reduce(inner).where((p) => p.kind === 'sum');

/** log(sum(exp(x), axes)) -> m + log(sum(exp(x - m), axes)), unless x is shifted by its max already. */
function logsumexpOf(x: Tensor, sum: Tensor): Tensor | null {
  const { axes, keepdims } = paramsOf(sum, 'reduce');
  if (axes.length === 0 || isMaxShifted(x)) return null;
  return T.logsumexp(x, axes as never, { keepdims }) as Tensor;
}

/**
 * crossentropy_categorical_1hot(softmax(x), y) -> -logSoftmax(x)[y] per row, picked with a one-hot mask. The op's
 * label check stays: the cross-entropy of a distribution of ones is -log 1 = 0 for every valid label and a
 * RangeError for a label out of range.
 */
function crossentropyOfSoftmax(sm: Tensor, labels: Tensor): Tensor | null {
  const x = sm.owner!.inputs[0] as Tensor;
  const { axis } = paramsOf(sm, 'softmax');
  if (axis !== x.ndim - 1) return null; // the classes run along the last axis
  const isLabel = T.eq(T.expandDims(labels, -1), T.arange(T.shape(x, axis as never)));
  const picked = T.sum(T.switch(isLabel, T.logSoftmax(x, axis as never), 0), -1 as never) as Tensor;
  const labelCheck = T.categoricalCrossentropy(T.onesLike(x, sm.dtype), labels as never) as Tensor;
  return T.add(negate(picked), labelCheck) as Tensor;
}

const softmaxAxis = (w: Tensor) => paramsOf(w, 'softmax').axis;
const softmaxNode = v('sm', (w) => isOp(w, 'softmax'));

/**
 * exp(x) / sum(exp(x), axes) with the summed axes kept (keepdims, or a dimshuffle putting them back): the softmax
 * of x over those axes (Theano's softmax_simplifier), which does not overflow where exp(x) does. A quotient whose
 * exponent is already shifted by the max (the stable form written by hand) stays as it is.
 */
function expOverSumExp(e: Tensor, s: Tensor): Tensor | null {
  if (!isExp(e)) return null;
  const x = e.owner!.inputs[0] as Tensor;
  if (isMaxShifted(x)) return null;
  const [sum, restore] = unshuffle(s);
  const axes = keptSumAxes(sum, e, restore);
  return axes ? softmaxOver(x, axes) : null;
}

/**
 * The summed axes when `sum` is sum(d) over axes kept for broadcasting against d: by `keepdims`, or by `restore`
 * (a dimshuffle putting them back; not both). Null otherwise.
 */
function keptSumAxes(
  sum: Variable,
  d: Variable,
  restore: readonly (number | 'x')[] | undefined,
): readonly number[] | null {
  if (!isOp(sum, 'reduce') || sum.owner!.inputs[0] !== d) return null;
  const { kind, axes, keepdims } = paramsOf(sum, 'reduce');
  if (kind !== 'sum' || (keepdims ? restore !== undefined : !restore || !restoresAxes(restore, axes, d.type.ndim)))
    return null;
  return axes;
}

// prettier-ignore
const FORWARD_RULES: Rule[] = [
  rule('softplus_from_log', P.log(P.add(k(1), P.exp(x))), ({ x }) => T.softplus(x!) as Tensor), // log(1 + exp(x)) -> softplus(x)
  rule('softplus_from_log1p', P.log1p(P.exp(x)), ({ x }) => T.softplus(x!) as Tensor), // log1p(exp(x)) -> softplus(x)
  rule('log_sigmoid', P.log(P.sigmoid(x)), ({ x }) => T.neg(T.softplus(negate(x!))) as Tensor), // log(sigmoid(x)) -> -softplus(-x)
  rule('log_one_minus_sigmoid', P.log(oneMinus(P.sigmoid(x))), ({ x }) => T.neg(T.softplus(x!)) as Tensor), // log(1 - sigmoid(x)) -> -softplus(x)
  rule('log_one_minus_sigmoid', P.log1p(P.neg(P.sigmoid(x))), ({ x }) => T.neg(T.softplus(x!)) as Tensor), // log1p(-sigmoid(x)) -> -softplus(x)
  rule('log_softmax', P.log(softmaxNode), ({ sm }) => T.logSoftmax(sm!.owner!.inputs[0] as Tensor, softmaxAxis(sm!) as never) as Tensor), // log(softmax(x)) -> logSoftmax(x)
  rule('logsumexp', P.log(sumOf(P.exp(x))), ({ x }, z) => logsumexpOf(x!, z.owner!.inputs[0] as Tensor)), // log(sum(exp(x))) -> max(x) + log(sum(exp(x - max(x))))
  rule('log1p', P.log(P.add(k(1), x)), ({ x }) => T.log1p(x!) as Tensor), // log(1 + x) -> log1p(x)
  rule('log1p_of_negation', P.log(oneMinus(x)), ({ x }) => T.log1p(negate(x!)) as Tensor), // log(1 - x) -> log1p(-x)
  rule('expm1', P.sub(P.exp(x), k(1)), ({ x }) => T.expm1(x!) as Tensor), // exp(x) - 1 -> expm1(x)
  rule('expm1', P.add(P.exp(x), k(-1)), ({ x }) => T.expm1(x!) as Tensor), // exp(x) + -1 -> expm1(x)
  rule('sigmoid_from_reciprocal', P.true_div(k(1), P.add(k(1), P.exp(x))), ({ x }) => T.sigmoid(negate(x!)) as Tensor), // 1 / (1 + exp(-x)) -> sigmoid(x)
  rule('sigmoid_from_reciprocal', P.reciprocal(P.add(k(1), P.exp(x))), ({ x }) => T.sigmoid(negate(x!)) as Tensor), // reciprocal(1 + exp(-x)) -> sigmoid(x)
  rule('sigmoid_from_exp_ratio', P.true_div(P.exp(x), P.add(k(1), P.exp(x))), ({ x }) => T.sigmoid(x!) as Tensor), // exp(x) / (1 + exp(x)) -> sigmoid(x)
  rule('one_minus_sigmoid', oneMinus(P.sigmoid(x)), ({ x }) => T.sigmoid(negate(x!)) as Tensor), // 1 - sigmoid(x) -> sigmoid(-x)
  rule('crossentropy_softmax', P.crossentropy_categorical_1hot(softmaxNode, v('y')), ({ sm, y }) => crossentropyOfSoftmax(sm!, y!)), // -log(softmax(x)[y]) -> -logSoftmax(x)[y]
  rule('softmax_from_exp', P.true_div(v('e'), v('s')), ({ e, s }) => expOverSumExp(e!, s!)), // exp(x) / sum(exp(x), axis, keepdims) -> softmax(x)
];

// ---------------------------------------------------------------------------------------------------------------
// gradient forms: a factor multiplied into a quotient, cancelled

/**
 * Cancels a factor `d` against one quotient at the root of `g`: `cancel` returns a value equal to g * d (with its
 * shape), or null. `worthTrying` is a cheap test first (every product of the graph is tried, every sweep): whether
 * `d` is read the way a quotient `cancel` simplifies would read it.
 */
interface Canceller {
  worthTrying(d: Tensor, graph: FunctionGraph | undefined): boolean;
  cancel(g: Tensor, d: Tensor): Tensor | null;
}

/**
 * The ops reading each client list, as `name` and `name:slot` keys, indexed as the list grows. A graph's client
 * lists only grow (or are dropped whole by a replacement), so each client is indexed once: asking whether a
 * variable read by thousands of nodes (a shared constant) has some reader stays cheap.
 */
const readerIndex = new WeakMap<readonly unknown[], { indexed: number; keys: Set<string> }>();

/** Whether `w` has a reader that is op `name` (in input slot `index`, if given); true without a graph to ask. */
function readBy(w: Variable, graph: FunctionGraph | undefined, name: OpName, index?: number): boolean {
  if (!graph) return true;
  const clients = graph.clients(w);
  let entry = readerIndex.get(clients);
  if (!entry) readerIndex.set(clients, (entry = { indexed: 0, keys: new Set() }));
  for (; entry.indexed < clients.length; entry.indexed++) {
    const c = clients[entry.indexed]!;
    if (c.node === 'output') continue;
    entry.keys.add(c.node.op.name);
    entry.keys.add(`${c.node.op.name}:${c.index}`);
  }
  return entry.keys.has(index === undefined ? name : `${name}:${index}`);
}
const isExp = (w: Variable) => isOp(w, 'exp');

/** g = a / d or 1 / d: (a / d) * d -> a. */
const cancelDivision: Canceller = {
  worthTrying: (d, graph) => readBy(d, graph, 'true_div', 1) || readBy(d, graph, 'reciprocal'),
  cancel(g, d) {
    const { name, inputs } = parts(g);
    if (name === 'true_div' && inputs[1] === d) return broadcastWith(inputs[0]!, d);
    if (name === 'reciprocal' && inputs[0] === d) return T.onesLike(d) as Tensor;
    return null;
  },
};

/** With d = e^u: a / (1 + e^u) * e^u -> a * sigmoid(u), and sigmoid(-u) * e^u -> sigmoid(u). */
const cancelOnePlusExp: Canceller = {
  worthTrying: (d, graph) =>
    isExp(d) &&
    (readBy(d, graph, 'add') || readBy(d.owner!.inputs[0]!, graph, 'neg') || isOp(d.owner!.inputs[0], 'neg')),
  cancel: (g, d) => cancelOnePlusExpAt(g, d),
};
/** Whether `w` is 1 + d (in either order, the 1 a constant that broadcasts nothing). */
function isOnePlus(w: Variable, d: Variable): boolean {
  const { name, inputs } = parts(w);
  return (
    name === 'add' &&
    ((isNeutralConstant(inputs[0]!, 1) && inputs[1] === d) || (isNeutralConstant(inputs[1]!, 1) && inputs[0] === d))
  );
}
function cancelOnePlusExpAt(g: Tensor, d: Tensor): Tensor | null {
  const {
    name: dName,
    inputs: [u],
  } = parts(d);
  if (dName !== 'exp') return null;
  const { name, inputs } = parts(g);
  if (name === 'true_div' && isOnePlus(inputs[1]!, d)) return times(inputs[0]!, T.sigmoid(u!) as Tensor);
  if (name === 'reciprocal' && isOnePlus(inputs[0]!, d)) return T.sigmoid(u!) as Tensor;
  if (name === 'sigmoid' && areNegations(inputs[0]!, u!)) return T.sigmoid(u!) as Tensor;
  return null;
}

/** dimshuffle `pattern` puts back, as length-1 axes, exactly the `axes` a rank-`ndim` reduction dropped. */
function restoresAxes(pattern: readonly (number | 'x')[], axes: readonly number[], ndim: number): boolean {
  let next = 0;
  return pattern.length === ndim && pattern.every((p, i) => (axes.includes(i) ? p === 'x' : p === next++));
}

/** The pattern of `w`'s dimshuffle and its input, or `w` itself with no pattern. */
function unshuffle(w: Variable): [Variable, readonly (number | 'x')[] | undefined] {
  const node = w.owner;
  return isOp(w, 'dimshuffle') ? [node!.inputs[0]!, paramsOf(w, 'dimshuffle').pattern] : [w, undefined];
}

/**
 * softmax(x) over `axes`: the softmax op along one axis; along several, e^(x - m) / sum(e^(x - m)) with m the
 * max as `T.logsumexp` shifts (exact to rounding; e^(x - logsumexp(x)) would lose digits to lse's rounding).
 */
function softmaxOver(x: Tensor, axes: readonly number[]): Tensor {
  if (axes.length === 1) return T.softmax(x, axes[0] as never) as Tensor;
  const m = T.max(x, axes as never, { keepdims: true }) as Tensor;
  const e = T.exp(T.sub(x, T.switch(T.isinf(m), 0, m))) as Tensor;
  return T.div(e, T.sum(e, axes as never, { keepdims: true })) as Tensor;
}

/**
 * With d = e^x: the pullback of log(sum(e^x, axes)) is a / sum(e^x) with the summed axes put back (a dimshuffle,
 * on the quotient or on the sum, then broadcast_like), times e^x. It is a times the softmax of x over those axes.
 */
const cancelSumExp: Canceller = {
  worthTrying: (d, graph) => isExp(d) && readBy(d, graph, 'reduce'),
  cancel: (g, d) => cancelSumExpAt(g, d),
};
function cancelSumExpAt(g: Tensor, d: Tensor): Tensor | null {
  const {
    name: dName,
    inputs: [x],
  } = parts(d);
  if (dName !== 'exp' || isMaxShifted(x!)) return null;
  const models: Tensor[] = []; // the broadcast_like models, outermost first
  let inner: Variable = g;
  while (isOp(inner, 'broadcast_like')) {
    models.push(inner.owner!.inputs[1] as Tensor);
    inner = inner.owner!.inputs[0]!;
  }
  const [quotient, outerRestore] = unshuffle(inner);
  const { name, inputs } = parts(quotient);
  const [numerator, denominator] = name === 'true_div' ? inputs : name === 'reciprocal' ? [undefined, inputs[0]] : [];
  if (!denominator) return null;
  const [sum, innerRestore] = unshuffle(denominator);
  if (outerRestore && innerRestore) return null;
  const axes = keptSumAxes(sum, d, outerRestore ?? innerRestore);
  if (!axes) return null;
  // a, laid out as the quotient's terms broadcast against x
  let a = numerator ? broadcastWith(numerator, denominator as Tensor) : (T.onesLike(denominator as Tensor) as Tensor);
  if (outerRestore) {
    if (a.ndim !== sum.type.ndim) return null;
    a = T.dimshuffle(a, outerRestore as never) as Tensor;
  }
  for (const model of models.reverse()) a = T.broadcastLike(a, model) as Tensor;
  return times(a, softmaxOver(x!, axes));
}

/** A bound on the work of one attempt to cancel (rules are tried on every product, every sweep). */
class Budget {
  constructor(private left: number) {}
  spend(): boolean {
    return this.left-- > 0;
  }
}

/**
 * g * d, with `d` moved into `g` down to a quotient that `cancel` simplifies: through -g, g1 * g2 (into either
 * factor), g1 +- g2 (into both terms; a term without a quotient is multiplied), switch(c, g1, g2) (a zero branch
 * stays zero) and sum_to_shape(g, like) when d has like's shape (d is then constant along the summed axes).
 * Null when no quotient cancels.
 */
function multiplyInto(g: Tensor, d: Tensor, cancel: Canceller, budget: Budget): Tensor | null {
  if (!budget.spend()) return null;
  const direct = cancel.cancel(g, d);
  if (direct) return direct;
  const { name, inputs } = parts(g);
  switch (name) {
    case 'neg': {
      const inner = multiplyInto(inputs[0]!, d, cancel, budget);
      return inner && negate(inner);
    }
    case 'mul': {
      const [p, q] = inputs as [Tensor, Tensor];
      const left = multiplyInto(p, d, cancel, budget);
      if (left) return times(left, q);
      const right = multiplyInto(q, d, cancel, budget);
      return right && times(p, right);
    }
    case 'add':
    case 'sub': {
      const [p, q] = inputs as [Tensor, Tensor];
      const left = multiplyInto(p, d, cancel, budget);
      const right = multiplyInto(q, d, cancel, budget);
      if (!left && !right) return null;
      const terms = [left ?? times(p, d), right ?? times(q, d)] as const;
      return (name === 'add' ? T.add(...terms) : T.sub(...terms)) as Tensor;
    }
    case 'switch': {
      const [condition, p, q] = inputs as [Tensor, Tensor, Tensor];
      const left = isNeutralConstant(p, 0) ? null : multiplyInto(p, d, cancel, budget);
      const right = isNeutralConstant(q, 0) ? null : multiplyInto(q, d, cancel, budget);
      if (!left && !right) return null;
      return T.switch(condition, switchBranch(p, left, d), switchBranch(q, right, d)) as Tensor;
    }
    case 'sum_to_shape': {
      const [summed, like] = inputs as [Tensor, Tensor];
      if (!sameShape(like, d)) return null;
      const inner = multiplyInto(summed, d, cancel, budget);
      return inner && (T.sumToShape(inner, like) as Tensor);
    }
    default:
      return null;
  }
}

/** A branch of a switch times d: `cancelled` when d cancelled in it; a zero branch stays zero. */
function switchBranch(w: Tensor, cancelled: Tensor | null, d: Tensor): Tensor {
  return cancelled ?? (isNeutralConstant(w, 0) ? w : times(w, d));
}

/** The ways to split `w` into one factor and the other factors (w itself first, with none). */
function factorSplits(w: Tensor, depth = 0): [Tensor, Tensor[]][] {
  const splits: [Tensor, Tensor[]][] = [[w, []]];
  const { name, inputs } = parts(w);
  if (name !== 'mul' || depth > 2) return splits;
  const [p, q] = inputs as [Tensor, Tensor];
  for (const [factor, other] of bothOrders(p, q)) {
    for (const [f, rest] of factorSplits(factor, depth + 1)) splits.push([f, [...rest, other]]);
  }
  return splits;
}

/** Whether a factor of some split of `w` (the factors `factorSplits(w, depth)` yields) is worth trying. */
function someFactorWorthTrying(w: Tensor, depth: number, cancel: Canceller, graph: FunctionGraph | undefined): boolean {
  if (cancel.worthTrying(w, graph)) return true;
  const node = w.owner;
  if (node?.op.name !== 'mul' || depth > 2) return false;
  return (
    someFactorWorthTrying(node.inputs[0] as Tensor, depth + 1, cancel, graph) ||
    someFactorWorthTrying(node.inputs[1] as Tensor, depth + 1, cancel, graph)
  );
}

/** a * b with a quotient on one side cancelled by a factor of the other side, or null. */
function cancelProduct(a: Tensor, b: Tensor, cancel: Canceller, graph: FunctionGraph | undefined): Tensor | null {
  // most products have no factor worth trying: answer that without building the splits
  if (!someFactorWorthTrying(a, 0, cancel, graph) && !someFactorWorthTrying(b, 0, cancel, graph)) return null;
  const budget = new Budget(64);
  for (const [g, other] of bothOrders(a, b)) {
    if (!g.owner) continue;
    for (const [factor, rest] of factorSplits(other)) {
      if (!cancel.worthTrying(factor, graph)) continue;
      const product = multiplyInto(g, factor, cancel, budget);
      if (product) return rest.reduce(times, product);
    }
  }
  return null;
}

const product = P.mul(v('a'), v('b'));
// prettier-ignore
const GRADIENT_RULES: Rule[] = [
  rule('cancel_division', product, ({ a, b }, _z, graph) => cancelProduct(a!, b!, cancelDivision, graph)), // (g / d) * d -> g, also through -, *, +, switch, sum_to_shape
  rule('exp_over_one_plus_exp', product, ({ a, b }, _z, graph) => cancelProduct(a!, b!, cancelOnePlusExp, graph)), // g / (1 + exp(u)) * exp(u) -> g * sigmoid(u); sigmoid(-u) * exp(u) -> sigmoid(u)
  rule('exp_over_sum_exp', product, ({ a, b }, _z, graph) => cancelProduct(a!, b!, cancelSumExp, graph)), // g / sum(exp(x)) * exp(x) -> g * softmax(x)
];

export const STABILIZE_RULES: readonly Rule[] = [...FORWARD_RULES, ...GRADIENT_RULES];
