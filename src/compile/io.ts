/**
 * What a compiled function takes and gives back, beyond plain variables: `In` (an input with a default value, a
 * name to pass it by, or strict typing: Theano's `In`), and outputs as a single variable, a list or a dictionary.
 */
import type { Variable } from '../graph/variable.js';
import { describeValue, inferDType, toNDArray, type ArrayLikeInput } from '../runtime/convert.js';
import { NDArray } from '../runtime/ndarray.js';
import type { InputValue, OutputValue } from '../runtime/values.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptionKeys, closestName } from '../types/suggest.js';
import type { DType } from '../types/dtype.js';
import type { Rank } from '../types/rank.js';

/** Options of `theano.In`. */
export interface InOptions<V = unknown, N extends string = string> {
  /** The value the input takes when the call leaves it out (Theano's `value`): the input becomes optional. */
  value?: V;
  /** The name to pass it by (`f(1, { w: 2 })`); by default the variable's own name. */
  name?: N;
  /** The value of each call must already have the input's dtype: no conversion, not even a safe one. */
  strict?: boolean;
  /**
   * Theano lets a function write into a mutable default; compiled functions here never write into their inputs,
   * so only `false` is accepted (keep state that changes in a shared variable).
   */
  mutable?: false;
}

/**
 * An input with attributes (`theano.In(y, { value: 1 })`): `HasDefault` makes it optional in the compiled
 * function's parameter list, `Name` is the key it may be passed by.
 */
export class FunctionInput<
  T extends Tensor = Tensor,
  HasDefault extends boolean = boolean,
  Name extends string = string,
> {
  declare private readonly __inBrand: void;
  declare readonly __hasDefault: HasDefault;
  declare readonly __name: Name;
  constructor(
    readonly variable: T,
    /** The default, converted once to the input's dtype and checked against its type. */
    readonly value: NDArray | undefined,
    /** The key the input is passed by (the `name` option, or the variable's name). */
    readonly name: string | undefined,
    readonly strict: boolean,
  ) {}
}

const IN_OPTIONS = ['value', 'name', 'strict', 'mutable'] as const;

/**
 * An input of `theano.function` with a default value, a name to pass it by, or strict typing (Theano's `In`).
 * Inputs with defaults come after those without (as in a JS or Python function).
 *
 * @example
 * const [x, y, w] = T.dscalars('x', 'y', 'w');
 * const f = theano.function([x, theano.In(y, { value: 1 }), theano.In(w, { value: 2, name: 'wByName' })], x.add(y).mul(w));
 * f(33);                  // 68
 * f(33, { wByName: 1 });  // 34
 */
export function In<
  T extends Tensor,
  const O extends InOptions<T extends Tensor<infer D, infer R> ? InputValue<D, R> : never, string> = {},
>(
  variable: T,
  options?: O,
): FunctionInput<
  T,
  O extends { value: unknown } ? true : false,
  O extends { name: infer N extends string } ? N : string
> {
  if (!(variable instanceof Tensor))
    throw new TypeError(`In: the first argument must be a symbolic variable, got ${describeValue(variable)}`);
  const opts = (options ?? {}) as InOptions;
  const who = `In(${variable.name ? `'${variable.name}'` : `<${variable.type}>`})`;
  checkOptionKeys(who, opts, IN_OPTIONS);
  if (opts.mutable !== undefined && opts.mutable !== false)
    throw new TypeError(
      `${who}: mutable must be false: a compiled function never writes into its inputs (keep state that changes in a shared variable)`,
    );
  if (opts.strict !== undefined && typeof opts.strict !== 'boolean')
    throw new TypeError(`${who}: strict must be true or false, got ${describeValue(opts.strict)}`);
  if (opts.name !== undefined && (typeof opts.name !== 'string' || opts.name === ''))
    throw new TypeError(`${who}: name must be a non-empty string, got ${describeValue(opts.name)}`);
  let value: NDArray | undefined;
  if ('value' in opts && opts.value !== undefined) {
    const what = `${who}: the default value`;
    value = toNDArray(opts.value as ArrayLikeInput, {
      dtype: variable.dtype,
      what,
      downcastHint: 'a default takes only values that convert without loss: convert it first',
    }).copy();
    const mismatch = variable.type.shapeMismatch(value.shape);
    if (mismatch) throw new TypeError(`${what}: expected a ${variable.type}, got ${describeValue(value)}: ${mismatch}`);
  }
  return new FunctionInput(variable, value, opts.name ?? variable.name, opts.strict ?? false) as never;
}

/** An element of `theano.function`'s input list. */
export type InputSpec = Tensor | FunctionInput;

/** The variable of an input spec. */
type VariableOf<S> = S extends FunctionInput<infer T> ? T : S;
type ValueOfInput<S> = VariableOf<S> extends Tensor<infer D, infer R> ? InputValue<D, R> : never;
type IsDefaulted<S> = S extends FunctionInput<Tensor, true> ? true : false;

/** Every argument, required (inputs with defaults included). */
type AllRequired<I extends readonly unknown[]> = { -readonly [K in keyof I]: ValueOfInput<I[K]> };
/**
 * The positional arguments: those of inputs with defaults, at the end, optional.
 * `[x, In(y, { value: 1 })]` gives `[x: X, y?: Y]`.
 */
export type PositionalArgs<I extends readonly unknown[]> = I extends readonly [...infer Init, infer Last]
  ? IsDefaulted<Last> extends true
    ? [...PositionalArgs<Init>, ValueOfInput<Last>?]
    : [...AllRequired<Init>, ValueOfInput<Last>]
  : I extends readonly []
    ? []
    : ValueOfInput<I[number]>[];

/** The arguments before the first input with a default. */
type RequiredPrefix<I extends readonly unknown[]> = I extends readonly [infer First, ...infer Rest]
  ? IsDefaulted<First> extends true
    ? []
    : [ValueOfInput<First>, ...RequiredPrefix<Rest>]
  : [];
/** The inputs from the first one with a default. */
type DefaultedTail<I extends readonly unknown[]> = I extends readonly [infer First, ...infer Rest]
  ? IsDefaulted<First> extends true
    ? I
    : DefaultedTail<Rest>
  : [];
/** Every prefix of a list of inputs (as argument values): `[] | [A] | [A, B]`. */
type Prefixes<I extends readonly unknown[]> = I extends readonly [...infer Init, infer Last]
  ? Prefixes<Init> | [...AllRequired<Init>, ValueOfInput<Last>]
  : [];

type NameOf<S> = S extends FunctionInput<Tensor, true, infer N> ? N : never;
/** The named arguments: each input with a default, by its name (any string when the name is not known statically). */
export type NamedArgs<I extends readonly unknown[]> = {
  [S in I[number] as S extends FunctionInput<Tensor, true> ? NameOf<S> : never]?: ValueOfInput<S>;
};
/** Positional arguments, then named ones in an object (only when some input has a default). */
type WithNamed<I extends readonly unknown[]> =
  DefaultedTail<I> extends readonly []
    ? never
    : [...RequiredPrefix<I>, ...Prefixes<DefaultedTail<I>>, named: NamedArgs<I>];

/** The call's arguments, typed from the declared inputs. */
export type FunctionArgs<I extends readonly unknown[]> = PositionalArgs<I> | WithNamed<I>;

/** The variables of a list of input specs. */
export type InputVariables<I extends readonly unknown[]> = { [K in keyof I]: VariableOf<I[K]> };

// ---------------------------------------------------------------------------------------------------------------
// outputs

/** What `theano.function` may compute: one variable, a list, a dictionary of variables, or nothing. */
export type OutputSpec = Tensor | readonly Tensor[] | { readonly [key: string]: Tensor } | undefined;

type ValueOf<T> = T extends Tensor<infer D, infer R> ? OutputValue<D, R> : never;
/**
 * The call's result: one value for one output, a tuple for a list of outputs, an object with the same keys for a
 * dictionary, undefined for no outputs.
 */
export type OutputsValue<O> = O extends undefined
  ? undefined
  : O extends Tensor
    ? ValueOf<O>
    : { -readonly [K in keyof O]: ValueOf<O[K]> };

/** The outputs as a flat list, and how to rebuild the caller's shape from their values. */
export interface OutputLayout {
  readonly list: readonly Tensor[];
  readonly shape: (values: readonly unknown[]) => unknown;
  /** The keys of outputs given as an object, in the list's order. */
  readonly keys?: readonly string[];
}

/** Splits the outputs argument into a list and a way back (checking each entry is a symbolic variable). */
export function outputLayout(outputs: unknown, fname: string): OutputLayout {
  if (outputs === undefined || outputs === null) return { list: [], shape: () => undefined };
  const check = (v: unknown, what: string): Tensor => {
    if (v instanceof Tensor) return v;
    throw new TypeError(`${fname}: ${what} is not a symbolic variable (got ${describeValue(v)})`);
  };
  if (outputs instanceof Tensor) return { list: [outputs], shape: (values) => values[0] };
  if (Array.isArray(outputs)) return { list: outputs.map((v, i) => check(v, `output ${i}`)), shape: (v) => [...v] };
  if (typeof outputs === 'object' && Object.getPrototypeOf(outputs) === Object.prototype) {
    const keys = Object.keys(outputs);
    const list = keys.map((k) => check((outputs as Record<string, unknown>)[k], `output '${k}'`));
    const shape = (values: readonly unknown[]) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < keys.length; i++) out[keys[i]!] = values[i];
      return out;
    };
    return { list, shape, keys };
  }
  throw new TypeError(
    `${fname}: output 0 is not a symbolic variable (got ${describeValue(outputs)}); outputs are a symbolic variable, a list or an object of them`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// binding a call's arguments to inputs

/** The inputs of a compiled function, with their defaults and names, checked once at compile time. */
export interface InputPlan {
  readonly variables: readonly Tensor[];
  readonly defaults: readonly (NDArray | undefined)[];
  readonly names: readonly (string | undefined)[];
  readonly strict: readonly boolean[];
  /** Whether any input has a default or a name (else a call takes positional arguments only). */
  readonly keyed: boolean;
  /** The inputs of each name (two when a name is ambiguous: an error if used). */
  readonly byName: ReadonlyMap<string, readonly number[]>;
}

const labelOf = (v: Variable, i: number) => `input ${i}${v.name ? ` ('${v.name}')` : ''}`;

/** Reads the input list: plain variables or `In` specs, defaults after required inputs, names unique. */
export function inputPlan(inputs: readonly unknown[], fname: string): InputPlan {
  const specs = inputs.map((s) => (s instanceof FunctionInput ? s : undefined));
  const variables = inputs.map((s, i) => (specs[i] ? specs[i]!.variable : s)) as Tensor[];
  const defaults = specs.map((s) => s?.value);
  const names = inputs.map((s, i) => (specs[i] ? specs[i]!.name : (s as Variable | undefined)?.name));
  const firstDefault = defaults.findIndex((d) => d !== undefined);
  if (firstDefault >= 0) {
    const late = defaults.findIndex((d, i) => i > firstDefault && d === undefined);
    if (late >= 0)
      throw new TypeError(
        `${fname}: ${labelOf(variables[late]!, late)} has no default but comes after ${labelOf(variables[firstDefault]!, firstDefault)}, which has one: inputs with defaults come last (as in a JS function)`,
      );
  }
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === undefined || specs[i] === undefined) return;
    const j = seen.get(name);
    if (j !== undefined)
      throw new TypeError(
        `${fname}: inputs ${j} and ${i} are both named '${name}': give one of them another name (In(v, { name }))`,
      );
    seen.set(name, i);
  });
  const byName = new Map<string, number[]>();
  names.forEach((name, i) => {
    if (name !== undefined) byName.set(name, [...(byName.get(name) ?? []), i]);
  });
  return {
    variables,
    defaults,
    names,
    strict: specs.map((s) => s?.strict ?? false),
    keyed: specs.some((s) => s !== undefined),
    byName,
  };
}

/** A plain object (not an array, typed array or NDArray): the named arguments of a call. */
const isNamedArgs = (a: unknown): a is Record<string, unknown> =>
  typeof a === 'object' && a !== null && Object.getPrototypeOf(a) === Object.prototype;

/**
 * The value of each input for one call: positional arguments, then named ones from a trailing object, then
 * defaults. Returns raw values (converted by the caller); throws on a missing, unknown or repeated argument.
 */
export function bindArguments(plan: InputPlan, args: readonly unknown[], fname: string): unknown[] {
  const n = plan.variables.length;
  const named = plan.keyed && args.length > 0 && isNamedArgs(args[args.length - 1]) ? args[args.length - 1] : undefined;
  const positional = named ? args.length - 1 : args.length;
  if (positional > n)
    throw new TypeError(
      `${fname}: expected ${n === 1 ? 'one argument' : `${n} arguments`}${plan.keyed ? ' at most' : ''}, got ${positional}`,
    );
  const values: unknown[] = args.slice(0, positional);
  for (let i = positional; i < n; i++) values.push(undefined);
  if (named) bindNamed(plan, named as Record<string, unknown>, values, positional, fname);
  for (let i = 0; i < n; i++) {
    if (values[i] !== undefined) continue;
    const d = plan.defaults[i];
    if (d) values[i] = d;
    else if (i >= positional && !plan.keyed)
      throw new TypeError(`${fname}: expected ${n} argument${n === 1 ? '' : 's'}, got ${args.length}`);
    else if (i >= positional)
      throw new TypeError(`${fname}: missing argument for ${labelOf(plan.variables[i]!, i)}, which has no default`);
  }
  return values;
}

function bindNamed(
  plan: InputPlan,
  named: Record<string, unknown>,
  values: unknown[],
  positional: number,
  fname: string,
): void {
  for (const key in named) {
    const value = named[key];
    const matches = plan.byName.get(key) ?? [];
    if (matches.length === 0) {
      const known = [...plan.byName.keys()];
      const near = closestName(key, known);
      throw new TypeError(
        `${fname}: no input is named '${key}'${near ? ` (did you mean '${near}'?)` : ''}; the named inputs are ${known.map((k) => `'${k}'`).join(', ') || 'none'}`,
      );
    }
    if (matches.length > 1)
      throw new TypeError(
        `${fname}: inputs ${matches.join(' and ')} are both named '${key}': pass them by position, or name them apart with In(v, { name })`,
      );
    const i = matches[0]!;
    if (i < positional)
      throw new TypeError(`${fname}: ${labelOf(plan.variables[i]!, i)} is given twice (by position and as '${key}')`);
    values[i] = value;
  }
}

/** The check of `In(v, { strict: true })`: the value already has the input's dtype. */
export function checkStrict(v: Tensor, value: unknown, what: string): void {
  if (value === undefined || value === null) return;
  let dtype: DType;
  try {
    dtype = inferDType(value as ArrayLikeInput);
  } catch {
    return; // the conversion reports values that are not arrays at all
  }
  if (dtype !== v.dtype)
    throw new TypeError(
      `${what} is strict: expected ${v.dtype} data, got ${dtype}${value instanceof NDArray || ArrayBuffer.isView(value) ? '' : ' (JS numbers are float64)'}; convert it first (or drop strict)`,
    );
}

export type { Rank };
