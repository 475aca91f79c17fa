/**
 * The pattern language of local rewrite rules, with one spelling for everything. A pattern is matched against a
 * variable:
 *
 * - `P.mul(x, c(1))` matches an application of `mul` (op names are typed: a misspelled or non-existent op is a
 *   compile error); commutative binary ops also match with their inputs swapped;
 * - `anyOf(p, q)` matches what `p` or `q` matches (`1 - x` as written and as canonicalize leaves it, `1 + -x`);
 * - `oneOf(Family.spread, x, etc)` matches any op of a family; `etc` as the last argument matches any number of
 *   further inputs (`P.reshape(x, etc)` is a reshape to any number of symbolic sizes);
 * - `.where((params, node) => ...)` tests the matched node's params, typed by the op (`P.reduce(x).where((p) =>
 *   p.kind === 'sum')`);
 * - `v('x')` captures any variable (the same name twice must be the same variable), `v('x', test)` only one
 *   passing `test`; `is(test)` tests without capturing; `c(1)` matches a constant whose every element is 1.
 *
 * Rules are one line each, with their algebra as a comment:
 *
 *   rule('mul_by_one', P.mul(x, c(1)), ({ x }) => x), // x * 1 -> x
 */
import type { Apply, Variable } from '../graph/variable.js';
import { isElemwise } from '../ops/elemwise.js';
import { isOpName, type OpName, type ParamsOf } from '../ops/registry.js';
import { SCALAR_OPS, type ScalarOpName } from '../ops/scalar.js';
import type { Tensor } from '../tensor/tensor.js';

/** Any further inputs (zero or more), as the last argument of an op pattern. */
export interface Etc {
  readonly kind: 'etc';
}
export const etc: Etc = { kind: 'etc' };

export type Pattern = VarPattern | ConstPattern | OpPattern<OpName> | AnyOfPattern;

/** Matches what one of `options` matches (the first that does). */
export interface AnyOfPattern {
  readonly kind: 'anyOf';
  readonly options: readonly Pattern[];
}

export interface VarPattern {
  readonly kind: 'var';
  /** The capture name; none: the variable is tested, not captured. */
  readonly name?: string;
  readonly test?: (v: Variable) => boolean;
}

export interface ConstPattern {
  readonly kind: 'const';
  readonly value: number;
}

/** An application of one of `ops` to inputs matching `args` (and any further inputs when `variadic`). */
export class OpPattern<K extends OpName> {
  readonly kind = 'op';
  constructor(
    readonly ops: readonly K[],
    readonly args: readonly Pattern[],
    readonly variadic: boolean,
    readonly test?: (params: ParamsOf<K>, node: Apply) => boolean,
  ) {}

  /** This pattern, matching only nodes whose params (typed by the op) pass `test`. */
  where(test: (params: ParamsOf<K>, node: Apply) => boolean): OpPattern<K> {
    const previous = this.test;
    return new OpPattern(this.ops, this.args, this.variadic, previous ? (p, n) => previous(p, n) && test(p, n) : test);
  }
}

/** Captures: the variables bound by `v(...)` patterns. */
export type Captures = Record<string, Tensor>;

/** Captures any variable (optionally only those passing `test`). */
export const v = (name: string, test?: (v: Variable) => boolean): Pattern => ({ kind: 'var', name, test });
/** Matches a variable passing `test`, without capturing it. */
export const is = (test: (v: Variable) => boolean): Pattern => ({ kind: 'var', test });
/** Matches a constant whose every element equals `value`. */
export const c = (value: number): Pattern => ({ kind: 'const', value });

function opPattern<K extends OpName>(ops: readonly K[], args: readonly (Pattern | Etc)[]): OpPattern<K> {
  const variadic = args.length > 0 && args[args.length - 1]!.kind === 'etc';
  const fixed = (variadic ? args.slice(0, -1) : args) as Pattern[];
  if (fixed.some((a) => (a as Pattern | Etc).kind === 'etc')) throw new Error('etc must be the last argument');
  for (const name of ops) if (!isOpName(name)) throw new Error(`pattern: there is no op named ${String(name)}`);
  return new OpPattern(ops, fixed, variadic);
}

/** Matches what any of `options` matches (the first that does, in order). */
export const anyOf = (...options: Pattern[]): Pattern => ({ kind: 'anyOf', options });

/** Matches an application of any op of `family` (see `Family`). */
export const oneOf = <K extends OpName>(family: readonly K[], ...args: (Pattern | Etc)[]): OpPattern<K> =>
  opPattern(family, args);

/** Builders by op name: `P.add(x, c(0))` matches `add` applied to x and a constant 0. */
export const P = new Proxy({} as { readonly [K in OpName]: (...args: (Pattern | Etc)[]) => OpPattern<K> }, {
  get:
    (_t, name: string) =>
    (...args: (Pattern | Etc)[]) =>
      opPattern([name as OpName], args),
});

const scalarNames = Object.keys(SCALAR_OPS) as ScalarOpName[];
/** Families of ops patterns quantify over. */
export const Family = {
  /** Every elementwise op. */
  elemwise: scalarNames,
  /** Elementwise ops of one input. */
  unary: scalarNames.filter((n) => SCALAR_OPS[n].arity === 1),
  /** Ops that broadcast a value to a shape: fill(model, value), alloc(value, ...sizes), broadcastTo, broadcast_like. */
  spread: ['fill', 'alloc', 'broadcastTo', 'broadcast_like'],
} as const satisfies Record<string, readonly OpName[]>;

/** Whether `v` is computed by the op `name`. */
export const isOp = (v: Variable | undefined, name: OpName): boolean => v?.owner?.op.name === name;

/** The params of `v`'s node, typed by its op (`v` must be computed by `name`). */
export function paramsOf<K extends OpName>(v: Variable, name: K): ParamsOf<K> {
  const node = v.owner;
  if (node?.op.name !== name) throw new Error(`paramsOf: expected a ${name} node, got ${node?.op.name ?? 'a leaf'}`);
  return node.params as ParamsOf<K>;
}

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

const NO_CAPTURES: Captures = Object.freeze({}) as Captures;

/** Matches `pattern` against `variable`, extending `captures`; returns the captures or null. */
export function match(pattern: Pattern, variable: Variable, captures: Captures = NO_CAPTURES): Captures | null {
  // names bound so far, in binding order, beside the captures given; a failed branch (a swapped commutative
  // pair, an alternative) truncates them. The captures object is built only for a match (most attempts fail).
  // One Bound serves every top-level match (this runs for every rule on every visited node); a match started
  // while another is under way (a pattern's test that matches) gets its own.
  const reuse = !shared.busy;
  const bound: Bound = reuse ? shared : { given: captures, names: [], values: [], busy: true };
  bound.given = captures;
  bound.busy = true;
  try {
    if (!matchInto(pattern, variable, bound)) return null;
    const result: Captures = { ...captures };
    for (let i = 0; i < bound.names.length; i++) result[bound.names[i]!] = bound.values[i]!;
    return result;
  } finally {
    if (reuse) {
      unbind(shared, 0);
      shared.given = NO_CAPTURES;
      shared.busy = false;
    }
  }
}
/** The captures of an attempt under way: those given, and the names bound since (parallel arrays). */
interface Bound {
  given: Captures;
  readonly names: string[];
  readonly values: Tensor[];
  /** Whether a match is using it. */
  busy: boolean;
}
const shared: Bound = { given: NO_CAPTURES, names: [], values: [], busy: false };

/** What `name` is bound to (undefined: not yet). */
function boundTo(bound: Bound, name: string): Tensor | undefined {
  const i = bound.names.indexOf(name);
  return i >= 0 ? bound.values[i] : bound.given[name];
}

function matchInto(pattern: Pattern, variable: Variable, bound: Bound): boolean {
  switch (pattern.kind) {
    case 'var': {
      if (pattern.test && !pattern.test(variable)) return false;
      if (pattern.name === undefined) return true;
      const already = boundTo(bound, pattern.name);
      if (already) return already === variable;
      bound.names.push(pattern.name);
      bound.values.push(variable as Tensor);
      return true;
    }
    case 'const':
      return isConstantValue(variable, pattern.value);
    case 'op':
      return matchNode(pattern, variable, bound);
    case 'anyOf': {
      const mark = bound.names.length;
      for (const option of pattern.options) {
        if (matchInto(option, variable, bound)) return true;
        unbind(bound, mark);
      }
      return false;
    }
  }
}

/** Unbinds the names bound since there were `mark` of them (a failed branch). No closures: this runs per node. */
function unbind(bound: Bound, mark: number): void {
  // pop, not a length assignment: most calls have nothing to undo, and setting length is a runtime call
  while (bound.names.length > mark) {
    bound.names.pop();
    bound.values.pop();
  }
}

function matchNode(pattern: OpPattern<OpName>, variable: Variable, bound: Bound): boolean {
  const node = variable.owner;
  if (!node || !(pattern.ops as readonly string[]).includes(node.op.name)) return false;
  const n = pattern.args.length;
  if (pattern.variadic ? node.inputs.length < n : node.inputs.length !== n) return false;
  if (pattern.test && !pattern.test(node.params as never, node)) return false;
  const inputs = node.inputs;
  const mark = bound.names.length;
  if (matchArgs(pattern.args, inputs, bound)) return true;
  unbind(bound, mark);
  if (n !== 2 || !isCommutative(node)) return false;
  // the swapped pair
  const args = pattern.args;
  if (matchInto(args[0]!, inputs[1]!, bound) && matchInto(args[1]!, inputs[0]!, bound)) return true;
  unbind(bound, mark);
  return false;
}

function matchArgs(patterns: readonly Pattern[], inputs: readonly Variable[], bound: Bound): boolean {
  for (let i = 0; i < patterns.length; i++) if (!matchInto(patterns[i]!, inputs[i]!, bound)) return false;
  return true;
}

/** The op names a pattern can have at its root (rules are indexed by them); undefined for a variable pattern. */
export function rootOps(pattern: Pattern): readonly OpName[] | undefined {
  if (pattern.kind === 'op') return pattern.ops;
  if (pattern.kind !== 'anyOf') return undefined;
  const roots = pattern.options.map(rootOps);
  return roots.every((r) => r !== undefined) ? [...new Set(roots.flat() as OpName[])] : undefined;
}
