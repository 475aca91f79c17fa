/**
 * A small pattern language for local rewrite rules. A pattern is matched against a variable: `op(name, ...args)`
 * matches an application of the op called `name` (commutative ops also match with their two inputs swapped),
 * `v('x')` captures any variable (the same name twice must be the same variable), `c(1)` matches a constant whose
 * every element is 1. Rules are one line each, with their algebra as a comment:
 *
 *   rule('mul_by_one', P.mul(x, c(1)), ({ x }) => x), // x * 1 -> x
 */
import type { Apply, Variable } from '../graph/variable.js';
import { isElemwise } from '../ops/elemwise.js';
import type { ScalarOpName } from '../ops/scalar.js';
import type { Tensor } from '../tensor/tensor.js';

export type Pattern =
  | { readonly kind: 'var'; readonly name: string; readonly test?: (v: Variable) => boolean }
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'op'; readonly op: string; readonly args: readonly Pattern[]; readonly params?: (params: never) => boolean };

/** Captures: the variables bound by `v(...)` patterns (and `node`, the matched application at the root). */
export type Captures = Record<string, Tensor>;

/** Captures any variable (optionally only those passing `test`). */
export const v = (name: string, test?: (v: Variable) => boolean): Pattern => ({ kind: 'var', name, test });
/** Matches a constant whose every element equals `value`. */
export const c = (value: number): Pattern => ({ kind: 'const', value });
/** Matches an application of the op named `name` to arguments matching `args`. */
export function op(name: string, ...args: Pattern[]): Pattern {
  return { kind: 'op', op: name, args };
}
/** Like `op`, with a test on the op's params. */
export function opWith<P>(name: string, params: (p: P) => boolean, ...args: Pattern[]): Pattern {
  return { kind: 'op', op: name, args, params: params as (p: never) => boolean };
}

/** Op names a pattern can name through `P` (any other op: `op(name, ...)`). */
export type PatternOpName = ScalarOpName | 'reduce' | 'dimshuffle' | 'reshape' | 'shape_i' | 'softmax' | 'log_softmax' | 'dot' | 'sum_to_shape' | 'broadcast_like' | 'alloc' | 'fill';

/** Builders by op name: `P.add(x, c(0))` is `op('add', x, c(0))`. */
export const P = new Proxy({} as { readonly [K in PatternOpName]: (...args: Pattern[]) => Pattern }, {
  get: (_t, name: string) => (...args: Pattern[]) => op(name, ...args),
});

/** Whether a constant holds `value` in every element. */
export function isConstantValue(variable: Variable, value: number): boolean {
  const data = variable.data;
  if (!data || data.size === 0) return false;
  for (let i = 0; i < data.size; i++) if (Number(data.item(i)) !== value) return false;
  return true;
}

/** The single value of a constant whose elements are all equal, or undefined. */
export function constantScalar(variable: Variable): number | undefined {
  const data = variable.data;
  if (!data || data.size === 0) return undefined;
  const first = Number(data.item(0));
  for (let i = 1; i < data.size; i++) if (Number(data.item(i)) !== first) return undefined;
  return first;
}

function isCommutative(node: Apply): boolean {
  return isElemwise(node.op) && node.op.scalar.commutative === true && node.inputs.length === 2;
}

/** Matches `pattern` against `variable`, extending `captures`; returns the captures or null. */
export function match(pattern: Pattern, variable: Variable, captures: Captures = {}): Captures | null {
  switch (pattern.kind) {
    case 'var': {
      const bound = captures[pattern.name];
      if (bound) return bound === variable ? captures : null;
      if (pattern.test && !pattern.test(variable)) return null;
      return { ...captures, [pattern.name]: variable as Tensor };
    }
    case 'const':
      return isConstantValue(variable, pattern.value) ? captures : null;
    case 'op': {
      const node = variable.owner;
      if (!node || node.op.name !== pattern.op || node.inputs.length !== pattern.args.length) return null;
      if (pattern.params && !pattern.params(node.params as never)) return null;
      const direct = matchArgs(pattern.args, node.inputs, captures);
      if (direct || !isCommutative(node)) return direct;
      return matchArgs(pattern.args, [node.inputs[1]!, node.inputs[0]!], captures);
    }
  }
}

function matchArgs(patterns: readonly Pattern[], inputs: readonly Variable[], captures: Captures): Captures | null {
  let current: Captures | null = captures;
  for (let i = 0; i < patterns.length && current; i++) current = match(patterns[i]!, inputs[i]!, current);
  return current;
}

/** The op name at the root of a pattern (rules are indexed by it); undefined for a bare variable pattern. */
export function rootOp(pattern: Pattern): string | undefined {
  return pattern.kind === 'op' ? pattern.op : undefined;
}
