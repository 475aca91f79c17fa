/**
 * Sigmoid and softplus in every arrangement PyTensor recognizes: ratios of exponentials with extra factors,
 * 1/(1+exp(-x)) times (1 - ...), negated ratios, logit and odds forms.
 *
 * The forward forms stabilize.ts already rewrites (`1 / (1 + exp(-x))`, `exp(x) / (1 + exp(x))`,
 * `1 - sigmoid(x)`, `log(sigmoid(x))`, `log(1 - sigmoid(x))`, `sigmoid(-u) * exp(u)` next to each other) are not
 * repeated here. These rules read whole product trees instead: a quotient whose numerator and denominator are
 * products (`y * exp(x) / ((1 + exp(x)) * (1 + exp(-x)) * z)`) and a product whose exp and sigmoid factors sit
 * far apart (`sigmoid(x) * y * -exp(-x)`). A tree is read through negations and squares, its factors are paired,
 * and the product is rebuilt from what is left:
 *
 *   exp(t) / (1 + exp(t)) = sigmoid(t)        1 / (1 + exp(t)) = sigmoid(-t)        exp(-t) * sigmoid(t) = sigmoid(-t)
 *
 * Each pairing replaces factors of one shape (that of t) by one factor of that shape, so the product keeps its
 * broadcast shape; the rebuilt value is still checked to have the matched value's shape before it is used.
 */
import type { Variable } from '../../graph/variable.js';
import * as T from '../../tensor/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { rule } from '../engine.js';
import { anyOf, is, isOp, P, v, type Pattern } from '../pattern.js';
import type { PhaseRules } from '../pipeline.js';
import {
  areNegations,
  broadcastWith,
  coveredBy,
  isNeutralConstant,
  keepShape,
  negate,
  parts,
  times,
} from './helpers.js';

// ---------------------------------------------------------------------------------------------------------------
// product trees

/** A product read as a sign and a list of factors (neither a product, nor a negation, nor a square). */
interface Product {
  negative: boolean;
  factors: Tensor[];
}

/** Reading a product stops at this many factors (a rule is tried on every product, every sweep). */
const MAX_FACTORS = 32;

/**
 * The factors of `w` through mul, neg and sqr (null when there are more than MAX_FACTORS). The walk is bounded
 * by the nodes it visits, not only the factors it finds: a gradient's product chains nest thousands deep, and this
 * runs on every product.
 */
function readProduct(w: Tensor): Product | null {
  const product: Product = { negative: false, factors: [] };
  const stack: Tensor[] = [w];
  let visits = 0;
  while (stack.length > 0) {
    if (++visits > 4 * MAX_FACTORS) return null;
    const term = stack.pop()!;
    const { name, inputs } = parts(term);
    if (name === 'neg') {
      product.negative = !product.negative;
      stack.push(inputs[0]!);
    } else if (name === 'mul') {
      stack.push(...[...inputs].reverse());
    } else if (name === 'sqr') {
      stack.push(inputs[0]!, inputs[0]!);
    } else {
      product.factors.push(term);
      if (product.factors.length > MAX_FACTORS) return null;
    }
  }
  return product;
}

/**
 * Whether readProduct(w) would give a product with a sigmoid among its factors could be true: false when the
 * walk finds no sigmoid factor, or when readProduct would give up (too many visits or factors). The same walk
 * without building anything: both sigmoid rules need a sigmoid factor, and most products have none.
 */
function mayHaveSigmoidFactor(w: Tensor): boolean {
  const stack = walkStack;
  stack.length = 0;
  stack.push(w);
  let visits = 0;
  let factors = 0;
  let found = false;
  while (stack.length > 0) {
    if (++visits > 4 * MAX_FACTORS) return false;
    const node = stack.pop()!.owner;
    const name = node?.op.name;
    if (name === 'neg') stack.push(node!.inputs[0]!);
    else if (name === 'mul') for (let i = node!.inputs.length - 1; i >= 0; i--) stack.push(node!.inputs[i]!);
    else if (name === 'sqr') stack.push(node!.inputs[0]!, node!.inputs[0]!);
    else {
      if (name === 'sigmoid') found = true;
      if (++factors > MAX_FACTORS) return false;
    }
  }
  stack.length = 0;
  return found;
}
const walkStack: Variable[] = [];

/** The product of `factors` (1 when there are none), negated when `negative`. */
function buildProduct(factors: readonly Tensor[], negative: boolean): Tensor | null {
  if (factors.length === 0) return null;
  const product = factors.slice(1).reduce(times, factors[0]!);
  return negative ? negate(product) : product;
}

const argumentOf = (w: Variable, name: 'exp' | 'sigmoid'): Tensor | undefined =>
  isOp(w, name) ? (w.owner!.inputs[0] as Tensor) : undefined;

/** t when `w` is 1 + exp(t) (in either order, the 1 a constant that broadcasts nothing). */
function onePlusExpArgument(w: Variable): Tensor | undefined {
  const { name, inputs } = parts(w);
  if (name !== 'add') return undefined;
  for (const [one, e] of [inputs, [...inputs].reverse()]) {
    if (isNeutralConstant(one!, 1) && isOp(e, 'exp') && coveredBy(one!, e!)) return argumentOf(e!, 'exp');
  }
  return undefined;
}

/**
 * Pairs exp(a) with sigmoid(-a) among `factors` (in place): the pair becomes sigmoid(a), since
 * e^a / (1 + e^a) = sigmoid(a). Returns whether a pair was found.
 */
function pairExpWithSigmoid(factors: Tensor[]): boolean {
  let paired = false;
  for (let i = 0; i < factors.length; i++) {
    const a = argumentOf(factors[i]!, 'exp');
    if (!a) continue;
    const j = factors.findIndex((f) => {
      const b = argumentOf(f, 'sigmoid');
      return b !== undefined && areNegations(a, b);
    });
    if (j < 0) continue;
    factors[j] = T.sigmoid(a) as Tensor;
    factors.splice(i, 1);
    i = -1; // the new sigmoid may pair with another exp
    paired = true;
  }
  return paired;
}

/**
 * Removes pairs sigmoid(t), 1 + exp(-t) from `factors` (in place), since sigmoid(t) * (1 + e^-t) = 1; returns the
 * arguments t of the pairs removed. The quotient rule leaves such pairs in gradients: d/dx (n / d) has a term
 * n * d' / d^2, and with d^2 read as sigmoids, 0 * Inf where e^-t overflows.
 */
function cancelSigmoidAgainstOnePlusExp(factors: Tensor[]): Tensor[] {
  const removed: Tensor[] = [];
  for (let i = 0; i < factors.length; i++) {
    const t = argumentOf(factors[i]!, 'sigmoid');
    if (!t) continue;
    const j = factors.findIndex((f) => {
      const u = onePlusExpArgument(f);
      return u !== undefined && areNegations(t, u);
    });
    if (j < 0) continue;
    removed.push(t);
    factors.splice(Math.max(i, j), 1);
    factors.splice(Math.min(i, j), 1);
    i = -1;
  }
  return removed;
}

/** A product tree with pairs sigmoid(t), 1 + exp(-t) among its factors, the pairs removed (they are 1). */
function sigmoidTimesOnePlusExp(matched: Tensor): Tensor | null {
  if (!mayHaveSigmoidFactor(matched)) return null;
  const product = readProduct(matched);
  const removed = product ? cancelSigmoidAgainstOnePlusExp(product.factors) : [];
  if (!product || removed.length === 0) return null;
  // the product of what is left, broadcast to the shape of the pairs removed (one shape: that of t)
  const rest = buildProduct(product.factors, product.negative);
  const t = removed[0]!;
  const ones = T.onesLike(t) as Tensor;
  const value = rest ? broadcastWith(rest, t) : product.negative ? negate(ones) : ones;
  return keepShape(value, matched);
}

/** A product tree with exp(a) and sigmoid(-a) among its factors, the pairs made sigmoid(a). */
function sigmoidTimesExp(matched: Tensor): Tensor | null {
  if (!mayHaveSigmoidFactor(matched)) return null;
  const product = readProduct(matched);
  if (!product || !pairExpWithSigmoid(product.factors)) return null;
  return keepShape(buildProduct(product.factors, product.negative) ?? undefined, matched);
}

/**
 * numerator / denominator with factors 1 + exp(t) in the denominator: each becomes a factor sigmoid(t) of the
 * numerator when the numerator has a factor exp(t) (which it takes), sigmoid(-t) otherwise.
 */
function quotientOfOnePlusExp(numerator: Tensor | undefined, denominator: Tensor, matched: Tensor): Tensor | null {
  const top = numerator ? readProduct(numerator) : { negative: false, factors: [] };
  const bottom = readProduct(denominator);
  if (!top || !bottom) return null;
  const rest: Tensor[] = [];
  let found = false;
  for (const factor of bottom.factors) {
    const t = onePlusExpArgument(factor);
    if (!t) {
      rest.push(factor);
      continue;
    }
    found = true;
    const e = top.factors.findIndex((f) => argumentOf(f, 'exp') === t);
    if (e >= 0) top.factors.splice(e, 1, T.sigmoid(t) as Tensor);
    else top.factors.push(T.sigmoid(negate(t)) as Tensor);
  }
  if (!found) return null;
  const over = buildProduct(top.factors, top.negative !== bottom.negative)!;
  const under = buildProduct(rest, false);
  return keepShape(under ? (T.div(over, under) as Tensor) : over, matched);
}

// ---------------------------------------------------------------------------------------------------------------
// patterns

/** A shape-neutral constant equal to `value` (not captured: two 1s need not be one node). */
const k = (value: number): Pattern => is((w) => isNeutralConstant(w, value));
const x = v('x');
/** 1 - p, as written or as canonicalize leaves it (1 + -p). */
const oneMinus = (p: Pattern): Pattern => anyOf(P.sub(k(1), p), P.add(k(1), P.neg(p)));
/** 1 - sigmoid(x), as written or as one_minus_sigmoid leaves it: sigmoid(-x). */
const complement = anyOf(oneMinus(P.sigmoid(x)), P.sigmoid(P.neg(x)));

// prettier-ignore
export const SIGMOID_RULES: PhaseRules = {
  stabilize: [
    rule('exp_quotient_to_sigmoid', P.true_div(v('n'), v('d')), ({ n, d }, z) => quotientOfOnePlusExp(n, d!, z)), // y * exp(t) / ((1 + exp(t)) * (1 + exp(u)) * w) -> y * sigmoid(t) * sigmoid(-u) / w
    rule('exp_quotient_to_sigmoid', P.reciprocal(v('d')), ({ d }, z) => quotientOfOnePlusExp(undefined, d!, z)), // 1 / ((1 + exp(t)) * w) -> sigmoid(-t) / w
    rule('sigmoid_times_exp', P.mul(v('a'), v('b')), (_c, z) => sigmoidTimesExp(z)), // sigmoid(x) * y * -exp(-x) -> -(sigmoid(-x) * y), anywhere in a product tree
    rule('sigmoid_times_one_plus_exp', P.mul(v('a'), v('b')), (_c, z) => sigmoidTimesOnePlusExp(z)), // sigmoid(t) * y * (1 + exp(-t)) -> y, anywhere in a product tree
    rule('odds_sigmoid', P.true_div(P.sigmoid(x), complement), ({ x }) => T.exp(x!) as Tensor), // sigmoid(x) / (1 - sigmoid(x)) -> exp(x)
    rule('inv_odds_sigmoid', P.true_div(complement, P.sigmoid(x)), ({ x }) => T.exp(negate(x!)) as Tensor), // (1 - sigmoid(x)) / sigmoid(x) -> exp(-x)
    rule('sigmoid_logit', P.sigmoid(P.log(P.true_div(x, oneMinus(x)))), ({ x }, z) => keepShape(x, z)), // sigmoid(log(x / (1 - x))) -> x
  ],
};
