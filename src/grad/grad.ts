/**
 * Symbolic reverse-mode differentiation. `grad(cost, wrt)` returns new graph variables: gradients print with
 * `pp`, compose, and are compiled and optimized like any other expression.
 */
import { copyGraph } from '../graph/function-graph.js';
import { toposort } from '../graph/traversal.js';
import { withBuildTrace } from '../tensor/apply.js';
import type { GradBuilder } from '../graph/op.js';
import { buildSite, type Apply, type Variable } from '../graph/variable.js';
import { GRAD_MODIFIER } from '../ops/gradient.js';
import { isFloat, type DType, type FloatDType, type IntegralDType } from '../types/dtype.js';
import type { Inc, Rank } from '../types/rank.js';
import * as T from '../tensor/index.js';
import { Tensor } from '../tensor/tensor.js';
import { closestName } from '../types/suggest.js';
import { scan } from '../tensor/scan.js';
import { scanGradient } from '../ops/scan.js';
import { scanPullback } from './scan.js';
import { liftWrtOutOfBranches } from './lift-wrt.js';

// The gradient of scan (backpropagation through time) builds a reverse scan with the builder's Lop, so it lives
// here, above the ops; it is registered by a statement of this module, which every use of grad imports (a bare
// `import './scan.js'` would be dropped by bundlers under the package's "sideEffects": false).
scanGradient.pullback = scanPullback;

/** The builder pullbacks receive: the real `theano.tensor`, checked against the interface they are written to. */
// It also carries `Lop`: an op with inner graphs (ifelse, scan) differentiates them with the same autodiff.
const GRAD_BUILDER: GradBuilder = {
  ...(T satisfies GradBuilder),
  Lop: (f: Tensor[], wrt: Tensor[], points: Tensor[]) => Lop(f, wrt, points),
};

export interface GradOptions<RD extends 'zero' | 'none' = 'zero' | 'none'> {
  /** Variables to treat as constants: no gradient flows through them. */
  considerConstant?: readonly Tensor[];
  /** What to do when the cost does not depend on a `wrt` variable: 'raise' (default, as Theano), 'warn', 'ignore'. */
  disconnectedInputs?: 'raise' | 'warn' | 'ignore';
  /** Gradients already known for some variables (Theano's `known_grads`): they are propagated from there. */
  knownGrads?: ReadonlyMap<Tensor, Tensor> | readonly (readonly [Tensor, Tensor])[];
  /** The result for a disconnected `wrt`: zeros of its shape ('zero', the default) or null ('none'). */
  returnDisconnected?: RD;
}

type GradOf<W, RD> = W extends Tensor<infer D, infer R> ? Tensor<D, R> | (RD extends 'none' ? null : never) : never;
/** `grad(c, w)` mirrors `w`: one tensor for one, a typed tuple for a list. */
export type GradResult<W, RD = 'zero'> = W extends Tensor
  ? GradOf<W, RD>
  : { -readonly [K in keyof W]: GradOf<W[K], RD> };

/** What a `wrt` of integers or bools must also be (a compile error): gradients exist for float variables only. */
export interface IntegerWrt {
  readonly 'error: T.grad differentiates with respect to float variables only (this wrt is an integer or bool)': true;
}
/** A float tensor (of a known or generic float dtype): what `grad` differentiates with respect to. */
type FloatWrt = Tensor<FloatDType, Rank>;
type IntegerOnly<X> = X extends Tensor<FloatDType, Rank> ? never : X extends Tensor<IntegralDType, Rank> ? X : never;
/** `unknown` when every wrt may be a float tensor; `IntegerWrt` when one is an integer or bool tensor. */
export type CheckWrt<W> = [IntegerOnly<W extends readonly unknown[] ? W[number] : W>] extends [never]
  ? unknown
  : IntegerWrt;

const describe = (v: Variable) => (v.name ? `'${v.name}' (${v.type})` : `an unnamed ${v.type}`);

const GRAD_OPTIONS = ['considerConstant', 'disconnectedInputs', 'knownGrads', 'returnDisconnected'] as const;

/** The options object of `grad` and its relatives: known names (a typo would be ignored silently otherwise). */
function checkGradOptions(options: object, fname: string, allowed: readonly string[] = GRAD_OPTIONS): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new TypeError(`${fname}: options must be an object, got ${options === null ? 'null' : typeof options}`);
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const near = closestName(key, allowed);
    throw new TypeError(
      `${fname}: unknown option '${key}'${near ? ` (did you mean '${near}'?)` : ''}; the options are ${allowed.join(', ')}`,
    );
  }
}

/** Each of `values` must be a symbolic tensor (what: 'evaluation point' ...): a number or an array is not. */
function checkSymbolic(values: readonly unknown[], what: string, fname: string): void {
  values.forEach((v, i) => {
    if (v instanceof Tensor) return;
    const got = Array.isArray(v) ? 'an array' : v === null ? 'null' : `the ${typeof v} ${String(v)}`;
    throw new TypeError(`${fname}: ${what} ${i} is ${got}, not a symbolic tensor (wrap data with T.constant)`);
  });
}

function pairs(p: GradOptions['knownGrads']): [Tensor, Tensor][] {
  if (!p) return [];
  return p instanceof Map ? [...p.entries()] : (p as readonly (readonly [Tensor, Tensor])[]).map(([a, b]) => [a, b]);
}

function isDisconnecting(node: Apply): boolean {
  return node.op === (GRAD_MODIFIER as unknown) && (node.params as { kind: string }).kind === 'disconnected';
}

/**
 * The gradient of a scalar float `cost` with respect to `wrt` (a variable or a list; the result mirrors it).
 * Gradients accumulate over a topological order: no recursion, so a chain of 10,000 ops is fine.
 *
 * @example
 * const x = T.dscalar('x');
 * const gy = T.grad(x.pow(2), x); // a graph: 2 * x ** (2 - 1), times the seed 1
 * theano.function([x], gy)(4); // 8
 */
export function grad<const W extends FloatWrt | readonly FloatWrt[], RD extends 'zero' | 'none' = 'zero'>(
  cost: Tensor<FloatDType, 0> | null,
  wrt: W,
  options?: GradOptions<RD>,
): GradResult<W, RD>;
/** A wrt whose dtype the compiler does not know (`Tensor[]`): an integer or bool one is a compile error. */
export function grad<const W extends Tensor | readonly Tensor[], RD extends 'zero' | 'none' = 'zero'>(
  cost: Tensor<FloatDType, 0> | null,
  wrt: W & NoInfer<CheckWrt<W>>,
  options?: GradOptions<RD>,
): GradResult<W, RD>;
export function grad(
  cost: Tensor<FloatDType, 0> | null,
  wrt: Tensor | readonly Tensor[],
  options: GradOptions = {},
): unknown {
  checkGradOptions(options, 'grad');
  const single = !Array.isArray(wrt);
  const wrtList = (single ? [wrt] : wrt) as readonly Tensor[];
  const known = pairs(options.knownGrads);
  checkGradCall(cost, wrtList, known.length);
  const constants = new Set<Variable>(options.considerConstant ?? []);
  // a wrt variable an ifelse copied into its branches is made an outer input of a rebuilt ifelse (lift-wrt.ts)
  const given: Variable[] = [...(cost ? [cost] : []), ...known.map(([v]) => v)];
  const givenOrder = toposort(given);
  const roots = liftWrtOutOfBranches(given, wrtList, givenOrder);
  const order = roots === given ? givenOrder : toposort(roots);
  const { reachesCost, fromWrt } = relevantVariables(order, roots, wrtList, constants);
  const sums = new Contributions();
  if (cost) sums.add(roots[0]!, T.constant(1, { dtype: cost.dtype }) as Tensor);
  known.forEach(([v, g], i) => {
    if (!(g instanceof Tensor) || g.ndim !== v.ndim)
      throw new TypeError(`grad: the known gradient of ${describe(v)} must be a tensor of rank ${v.ndim}`);
    sums.add(roots[(cost ? 1 : 0) + i]!, g);
  });
  // only float inputs receive gradients: a node reached from wrt only through integers (a draw whose size is
  // x.shape(), an index computed from x) is not differentiated
  const receives = (i: Variable) => fromWrt.has(i) && !constants.has(i) && isFloat(i.type.dtype);
  for (let n = order.length - 1; n >= 0; n--) {
    const node = order[n]!;
    if (node.inputs.some((i) => receives(i) && reachesCost.has(i))) pullBack(node, sums, receives);
  }
  const results = wrtList.map((w, i) => wrtGradient(w, i, reachesCost.has(w), sums, options));
  return single ? results[0] : results;
}

/** The wrt variables are symbolic, and the cost a float scalar (or absent, with known gradients to start from). */
function checkGradCall(cost: unknown, wrtList: readonly unknown[], nKnown: number): void {
  wrtList.forEach((w, i) => {
    if (!(w instanceof Tensor)) throw new TypeError(`grad: wrt ${i} is not a symbolic variable`);
  });
  if (cost !== null) {
    if (!(cost instanceof Tensor)) throw new TypeError('grad: the cost must be a symbolic variable');
    if (cost.ndim !== 0)
      throw new TypeError(`grad: the cost must be a scalar, got ${describe(cost)} (sum or mean it first)`);
    if (!isFloat(cost.dtype)) throw new TypeError(`grad: the cost must be a float scalar, got ${describe(cost)}`);
  } else if (nKnown === 0) {
    throw new TypeError('grad: give a cost, or knownGrads to start from');
  }
}

/**
 * Which variables the roots depend on through differentiable paths (backwards from the roots), and which depend on
 * some wrt (forwards): only nodes between wrt and the cost are differentiated.
 */
function relevantVariables(
  order: readonly Apply[],
  roots: readonly Variable[],
  wrtList: readonly Variable[],
  constants: ReadonlySet<Variable>,
): { reachesCost: Set<Variable>; fromWrt: Set<Variable> } {
  const reachesCost = new Set<Variable>(roots);
  for (let n = order.length - 1; n >= 0; n--) {
    const node = order[n]!;
    if (isDisconnecting(node) || !node.outputs.some((o) => reachesCost.has(o))) continue;
    for (const i of node.inputs) if (!constants.has(i)) reachesCost.add(i);
  }
  const fromWrt = new Set<Variable>(wrtList);
  for (const node of order) {
    if (node.inputs.some((i) => fromWrt.has(i) && !constants.has(i))) for (const o of node.outputs) fromWrt.add(o);
  }
  return { reachesCost, fromWrt };
}

/** The gradient contributions each variable received; `total` sums them (once: the sum replaces the list). */
class Contributions {
  private readonly lists = new Map<Variable, Tensor[]>();
  add(v: Variable, g: Tensor): void {
    const list = this.lists.get(v);
    if (list) list.push(g);
    else this.lists.set(v, [g]);
  }
  total(v: Variable): Tensor | null {
    const list = this.lists.get(v);
    if (!list || list.length === 0) return null;
    let sum = list[0]!;
    for (let k = 1; k < list.length; k++) sum = T.add(sum, list[k]!) as Tensor;
    this.lists.set(v, [sum]);
    return sum;
  }
}

/** One node's pullback: its outputs' summed gradients in, a contribution to each input that receives one out. */
function pullBack(node: Apply, sums: Contributions, receives: (i: Variable) => boolean): void {
  // Each pullback sees gradients of its outputs' own dtypes (a known gradient may come in wider).
  const outputGrads = node.outputs.map((o) => {
    const g = sums.total(o);
    return g && g.dtype !== o.type.dtype ? (T.cast(g, o.type.dtype) as Tensor) : g;
  });
  if (outputGrads.every((g) => g === null)) return;
  const pullback = node.op.pullback;
  if (pullback === 'nondifferentiable') return;
  if (pullback === undefined) {
    const site = buildSite(node.trace);
    throw new TypeError(`grad: the op ${node.op.name} has no gradient${site ? ` (node built at ${site})` : ''}`);
  }
  // the gradient's nodes point at the line that built the forward node (as Theano copies stack traces)
  const inputGrads = withBuildTrace(node.trace, () =>
    pullback(
      { inputs: node.inputs as Tensor[], outputs: node.outputs as Tensor[], grads: outputGrads, params: node.params },
      GRAD_BUILDER,
    ),
  );
  node.inputs.forEach((input, i) => {
    const g = inputGrads[i];
    if (!g || !receives(input)) return;
    if (g.ndim !== input.type.ndim) {
      throw new Error(
        `internal: the gradient of ${node.op.name} input ${i} has rank ${g.ndim}, expected ${input.type.ndim}`,
      );
    }
    sums.add(input, g.dtype === input.type.dtype ? g : (T.cast(g, input.type.dtype) as Tensor));
  });
}

/** The gradient of one wrt: its summed contributions, zeros, or (disconnected, returnDisconnected 'none') null. */
function wrtGradient(w: Tensor, i: number, connected: boolean, sums: Contributions, options: GradOptions) {
  const policy = options.disconnectedInputs ?? 'raise';
  if (!connected) {
    const msg = `grad: the cost does not depend on wrt ${i}, ${describe(w)} (pass disconnectedInputs: 'warn' or 'ignore' to allow this)`;
    if (policy === 'raise') throw new TypeError(msg);
    if (policy === 'warn') console.warn(msg);
    if (options.returnDisconnected === 'none') return null;
  }
  if (!isFloat(w.dtype) && connected)
    throw new TypeError(
      `grad: wrt ${i}, ${describe(w)}, is ${w.dtype}; gradients are defined for float variables only`,
    );
  return sums.total(w) ?? zerosLike(w);
}

function zerosLike<D extends DType, R extends Rank>(w: Tensor<D, R>): Tensor<D, R> {
  return T.broadcastLike(T.constant(0, { dtype: w.dtype }) as Tensor<D>, w);
}

/**
 * Vector-Jacobian product: `evalPoints` (shaped like `f`) times the Jacobian of `f` with respect to `wrt`
 * (Theano's `Lop`). A list of `f`s takes a list of points.
 * @example T.Lop(y, x, v)
 */
export function Lop<const W extends Tensor | readonly Tensor[]>(
  f: Tensor | readonly Tensor[],
  wrt: W,
  evalPoints: Tensor | readonly Tensor[],
): GradResult<W> {
  const fs = Array.isArray(f) ? (f as readonly Tensor[]) : [f as Tensor];
  const vs = Array.isArray(evalPoints) ? (evalPoints as readonly Tensor[]) : [evalPoints as Tensor];
  if (fs.length !== vs.length) throw new TypeError(`Lop: ${fs.length} outputs but ${vs.length} evaluation points`);
  checkSymbolic(fs, 'output', 'Lop');
  checkSymbolic(vs, 'evaluation point', 'Lop');
  fs.forEach((x, i) => {
    if (vs[i]!.ndim !== x.ndim)
      throw new TypeError(`Lop: evaluation point ${i} has rank ${vs[i]!.ndim}, but f ${i} has rank ${x.ndim}`);
  });
  return grad(null, wrt as never, {
    knownGrads: fs.map((x, i) => [x, vs[i]!] as const),
    disconnectedInputs: 'ignore',
  }) as GradResult<W>;
}

/**
 * Jacobian-vector product: the Jacobian of `f` with respect to `wrt`, times `evalPoints` (shaped like `wrt`)
 * (Theano's `Rop`, forward mode). Computed exactly as the transpose of a vector-Jacobian product: with u a
 * placeholder shaped like f, g(u) = uᵀJ is linear in u, and the gradient of g(u)·v with respect to u is Jv.
 * @example T.Rop(y, x, v)
 */
export function Rop<const F extends Tensor | readonly Tensor[]>(
  f: F,
  wrt: Tensor | readonly Tensor[],
  evalPoints: Tensor | readonly Tensor[],
): GradResult<F> {
  const fs = Array.isArray(f) ? (f as readonly Tensor[]) : [f as Tensor];
  const ws = Array.isArray(wrt) ? (wrt as readonly Tensor[]) : [wrt as Tensor];
  const vs = Array.isArray(evalPoints) ? (evalPoints as readonly Tensor[]) : [evalPoints as Tensor];
  if (ws.length !== vs.length)
    throw new TypeError(`Rop: ${ws.length} wrt variables but ${vs.length} evaluation points`);
  checkSymbolic(fs, 'output', 'Rop');
  checkSymbolic(ws, 'wrt', 'Rop');
  checkSymbolic(vs, 'evaluation point', 'Rop');
  ws.forEach((w, i) => {
    if (vs[i]!.ndim !== w.ndim)
      throw new TypeError(`Rop: evaluation point ${i} has rank ${vs[i]!.ndim}, but wrt ${i} has rank ${w.ndim}`);
  });
  const us = fs.map((x) => T.tensor(x.dtype, x.type.shape, 'u') as Tensor);
  const vjp = grad(null, ws, {
    knownGrads: fs.map((x, i) => [x, us[i]!] as const),
    disconnectedInputs: 'ignore',
  }) as Tensor[];
  const jvp = grad(null, us, {
    knownGrads: vjp.map((g, i) => [g, vs[i]!] as const),
    disconnectedInputs: 'ignore',
  }) as Tensor[];
  // The result does not depend on u's values, but may read its shape: give it zeros shaped like f.
  const replacements = new Map<Variable, Variable>(us.map((u, i) => [u, zerosLike(fs[i]!)]));
  const out = copyGraph(jvp, replacements) as Tensor[];
  return (Array.isArray(f) ? out : out[0]) as GradResult<F>;
}

/**
 * The Jacobian of `expression` with respect to `wrt`: its shape is [n, ...wrt's shape], where n is the number of
 * elements of the (flattened) expression. A scalar expression gives the gradient. The rows are computed by a
 * `map` over the elements, so n need not be known before run time.
 * @example T.jacobian(x.exp(), x)
 */
export function jacobian<E extends Tensor<FloatDType>, D extends DType, R extends Rank>(
  expression: E,
  wrt: Tensor<D, R>,
  options: Pick<GradOptions, 'considerConstant' | 'disconnectedInputs'> = {},
): E extends Tensor<FloatDType, 0> ? Tensor<D, R> : Tensor<D, Inc<R>> {
  checkGradOptions(options, 'jacobian', ['considerConstant', 'disconnectedInputs']);
  checkSymbolic([expression, wrt], 'argument', 'jacobian');
  if (!isFloat(expression.dtype))
    throw new TypeError(`jacobian: the expression must be float, got ${describe(expression)}`);
  if (expression.ndim === 0) return grad(expression as Tensor<FloatDType, 0>, wrt as never, options) as never;
  const flat = (expression.ndim === 1 ? expression : T.flatten(expression)) as Tensor<FloatDType, 1>;
  const rowOptions = { ...options, disconnectedInputs: options.disconnectedInputs ?? 'raise' };
  // one gradient per element, as Theano does: a scan over the element indices (differentiable in turn)
  const [rows] = scan((i) => grad(flat.get(i) as Tensor<FloatDType, 0>, wrt as never, rowOptions) as Tensor, {
    sequences: [T.arange(T.shape(flat, 0))],
    name: 'jacobian',
  });
  return rows as never;
}

/**
 * The Hessian of a scalar `cost` with respect to `wrt` (the Jacobian of its gradient): [n, n] for a vector.
 * @example T.hessian(x.sqr().sum(), x)
 */
export function hessian<D extends DType, R extends Rank>(
  cost: Tensor<FloatDType, 0>,
  wrt: Tensor<D, R>,
  options: Pick<GradOptions, 'considerConstant' | 'disconnectedInputs'> = {},
): Tensor<D, Inc<R>> {
  return jacobian(grad(cost, wrt as never, options) as Tensor<FloatDType, 1>, wrt, options) as never;
}
