/**
 * `x.eval(values)` (Theano's `Variable.eval`): compiles `x` with the inputs given, once per set of inputs, and
 * calls it. The compiled functions are kept with the variable (a WeakMap: they go when the variable goes).
 */
import { graphInputs } from '../graph/traversal.js';
import type { Variable } from '../graph/variable.js';
import { describeValue, type ArrayLikeInput } from '../runtime/convert.js';
import { registerEvaluator, Tensor, type EvalValues } from '../tensor/tensor.js';
import { compile } from './function.js';

type Compiled = (...args: unknown[]) => unknown;
const cache = new WeakMap<Tensor, Map<string, Compiled>>();

/** The free inputs of `x`'s graph (not constants, not shared). */
const freeInputs = (x: Tensor): Variable[] => graphInputs([x]).filter((v) => !v.isConstant && !v.isShared);

/** The pairs [variable, value] of `values`, names resolved against the graph of `x`. */
function evalPairs(x: Tensor, values: EvalValues | undefined): [Tensor, ArrayLikeInput][] {
  if (values === undefined) return [];
  if (values instanceof Map) return [...(values as ReadonlyMap<Tensor, ArrayLikeInput>)];
  if (Array.isArray(values)) return values.map((p) => [p[0], p[1]] as [Tensor, ArrayLikeInput]);
  if (typeof values !== 'object' || values === null)
    throw new TypeError(
      `eval: values must be an object by name, a Map or a list of [variable, value] pairs, got ${describeValue(values)}`,
    );
  const free = freeInputs(x);
  return Object.entries(values as Record<string, ArrayLikeInput>).map(([name, value]) => {
    const found = free.filter((v) => v.name === name);
    if (found.length === 1) return [found[0] as Tensor, value];
    const names = free.map((v) => (v.name ? `'${v.name}'` : `<unnamed ${v.type}, id ${v.id}>`)).join(', ');
    if (found.length === 0)
      throw new TypeError(`eval: the expression has no input named '${name}'; its inputs are ${names || 'none'}`);
    throw new TypeError(
      `eval: ${found.length} different inputs are named '${name}' (ids ${found.map((v) => v.id).join(', ')}): pass a Map from variables to values`,
    );
  });
}

function evaluate(x: Tensor, values: EvalValues | undefined): unknown {
  const pairs = evalPairs(x, values).sort((a, b) => a[0].id - b[0].id);
  pairs.forEach(([v], i) => {
    if (!(v instanceof Tensor))
      throw new TypeError(`eval: key ${i} is not a symbolic variable (got ${describeValue(v)})`);
  });
  const key = pairs.map(([v]) => v.id).join(',');
  let byInputs = cache.get(x);
  if (!byInputs) cache.set(x, (byInputs = new Map()));
  let f = byInputs.get(key);
  if (!f) {
    f = compile(
      pairs.map(([v]) => v),
      x,
      { name: 'eval' },
    ) as unknown as Compiled;
    byInputs.set(key, f);
  }
  return f(...pairs.map(([, value]) => value));
}

/**
 * Gives `Tensor.eval` its evaluator. Called by the package entry (src/index.ts), not at this module's top level:
 * the package declares no side effects, so a bundler may drop a module imported only for one.
 */
export function installEval(): void {
  registerEvaluator(evaluate);
}

/** How many functions `x.eval` compiled for `x` so far (for tests of the cache). */
export const evalCacheSize = (x: Tensor): number => cache.get(x)?.size ?? 0;
