import { checkOptionKeys } from '../types/suggest.js';
import type { Variable } from '../graph/variable.js';
import { IFELSE } from '../ops/ifelse.js';
import { closeOver } from '../ops/inner-graph.js';
import { describeValue } from '../runtime/convert.js';
import type { DType } from '../types/dtype.js';
import type { Rank } from '../types/rank.js';
import { applyOp, constant } from './apply.js';
import { Tensor } from './tensor.js';

/** A condition: a scalar tensor (bool or number), or a JS boolean or number. */
export type Condition = Tensor<DType, 0> | boolean | number;

/** The branch list an else branch must match: the same dtype and rank, output by output. */
export type SameTypes<A extends readonly unknown[]> = {
  -readonly [K in keyof A]: A[K] extends Tensor<infer D, infer R> ? Tensor<D, R> : never;
};

export interface IfElseOptions {
  /** A name for printing and error messages. */
  readonly name?: string;
  /**
   * Variables the branches read that are computed outside the condition, before it is tested (and whether or not
   * a branch reads them): by default everything a branch computes from the inputs is computed inside it, lazily.
   */
  readonly outside?: readonly Tensor[];
}

/**
 * The lazy condition (Theano's `ifelse`): `then` when `cond` is true (not 0), else `otherwise`; only the branch
 * taken is computed, in every mode. Both branches must have the same dtype and rank; a list of outputs takes a
 * list in each branch. For an elementwise choice that computes both sides, use `T.switch`.
 *
 * @example
 * const [a, b] = T.dscalars('a', 'b');
 * const x = T.dvector('x');
 * const z = theano.ifelse(T.lt(a, b), T.mean(x), T.sum(T.exp(x))); // the exp is not computed when a < b
 */
export function ifelse<D extends DType, R extends Rank>(
  cond: Condition,
  then: Tensor<D, R>,
  otherwise: Tensor<NoInfer<D>, NoInfer<R>> | (R extends 0 ? number : never),
  options?: IfElseOptions,
): Tensor<D, R>;
export function ifelse<D extends DType>(
  cond: Condition,
  then: number,
  otherwise: Tensor<D, 0>,
  options?: IfElseOptions,
): Tensor<D, 0>;
export function ifelse<const A extends readonly Tensor[]>(
  cond: Condition,
  then: A,
  otherwise: SameTypes<NoInfer<A>>,
  options?: IfElseOptions,
): SameTypes<A>;
export function ifelse(
  cond: Condition,
  then: Tensor | number | readonly Tensor[],
  otherwise: Tensor | number | readonly Tensor[],
  options: IfElseOptions = {},
): Tensor | Tensor[] {
  checkOptionKeys('ifelse', options, ['name', 'outside']);
  const list = Array.isArray(then);
  if (list !== Array.isArray(otherwise)) {
    throw new TypeError('ifelse: give both branches as lists of outputs, or both as single outputs');
  }
  const thens = list ? [...(then as readonly Tensor[])] : [then as Tensor | number];
  const elses = list ? [...(otherwise as readonly Tensor[])] : [otherwise as Tensor | number];
  if (thens.length !== elses.length) {
    throw new TypeError(`ifelse: the then branch has ${thens.length} outputs and the else branch ${elses.length}`);
  }
  if (thens.length === 0) throw new TypeError('ifelse: the branches have no outputs');
  const condition = asCondition(cond);
  const a = thens.map((x, k) => asBranch(x, elses[k]!, k, 'then'));
  const b = elses.map((x, k) => asBranch(x, thens[k]!, k, 'else'));
  const outside = options.outside ?? [];
  outside.forEach((v, i) => {
    if (!(v instanceof Tensor))
      throw new TypeError(`ifelse: outside ${i} is ${describeValue(v)}, not a symbolic tensor`);
  });
  const { outerInputs, graphs } = closeOver([a, b], outside);
  const params = { then: graphs[0]!, else: graphs[1]!, ...(options.name ? { name: options.name } : {}) };
  const outputs = applyOp(IFELSE, params, [condition, ...outerInputs]);
  return list ? outputs : outputs[0]!;
}

function asCondition(cond: Condition): Variable {
  if (cond instanceof Tensor) {
    if (cond.ndim !== 0)
      throw new TypeError(`ifelse: the condition must be a scalar (bool or number), got ${cond.type}`);
    return cond;
  }
  if (typeof cond === 'boolean' || typeof cond === 'number') return constant(cond);
  throw new TypeError(
    `ifelse: the condition must be a scalar tensor, a boolean or a number, got ${describeValue(cond)}`,
  );
}

/** A branch output as a tensor: a JS number becomes a constant of its partner's dtype (float64 beside a number). */
function asBranch(x: Tensor | number, partner: Tensor | number, k: number, side: string): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number')
    return constant(x, { dtype: partner instanceof Tensor ? partner.dtype : 'float64' }) as Tensor;
  throw new TypeError(`ifelse: ${side} output ${k} is ${describeValue(x)}, not a symbolic tensor or a number`);
}
