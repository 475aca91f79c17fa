/** Copies of graphs with variables replaced (Theano's `theano.clone` / `clone_replace`). */
import { copyGraph } from '../graph/function-graph.js';
import type { Variable } from '../graph/variable.js';
import { describeValue } from '../runtime/convert.js';
import { Tensor } from '../tensor/tensor.js';
import { checkOptionKeys } from '../types/suggest.js';

/** Options of `theano.clone`. */
export interface CloneOptions {
  /** Variables and what takes their place in the copy, of the same dtype and rank (Theano's `replace`). */
  replace?: ReadonlyMap<Tensor, Tensor> | readonly (readonly [Tensor, Tensor])[];
}

const CLONE_OPTIONS = ['replace'] as const;

/**
 * A copy of the graph computing `outputs` (one variable or a list), with `replace` substituted: every node between
 * the leaves and the outputs is new; leaves (inputs, constants, shared variables) are the same (Theano's
 * `share_inputs=True`). The original graph is not changed.
 *
 * @example
 * const [x, y] = T.dscalars('x', 'y');
 * const z = x.mul(2).add(1);
 * const w = theano.clone(z, { replace: [[x, y.sqr()]] }); // (y ** 2) * 2 + 1
 */
export function clone<const O extends Tensor | readonly Tensor[]>(outputs: O, options: CloneOptions = {}): O {
  checkOptionKeys('clone', options, CLONE_OPTIONS);
  const list = (outputs instanceof Tensor ? [outputs] : outputs) as readonly unknown[];
  if (!Array.isArray(list))
    throw new TypeError(`clone: outputs must be a symbolic variable or a list of them, got ${describeValue(outputs)}`);
  list.forEach((v, i) => {
    if (!(v instanceof Tensor))
      throw new TypeError(`clone: output ${i} is not a symbolic variable (got ${describeValue(v)})`);
  });
  const replacements = replacementMap(options.replace);
  const copied = copyGraph(list as readonly Variable[], replacements);
  return (outputs instanceof Tensor ? copied[0] : copied) as unknown as O;
}

/** Theano's `clone_replace(outputs, replace)`: `clone(outputs, { replace })`. */
export function cloneReplace<const O extends Tensor | readonly Tensor[]>(
  outputs: O,
  replace: NonNullable<CloneOptions['replace']>,
): O {
  return clone(outputs, { replace });
}

function replacementMap(replace: CloneOptions['replace']): Map<Variable, Variable> {
  const map = new Map<Variable, Variable>();
  if (replace === undefined) return map;
  const pairs = replace instanceof Map ? [...replace] : Array.isArray(replace) ? replace : undefined;
  if (!pairs)
    throw new TypeError(`clone: replace must be a Map or a list of [old, new] pairs, got ${describeValue(replace)}`);
  (pairs as readonly unknown[]).forEach((p, i) => {
    if (!Array.isArray(p) || p.length !== 2)
      throw new TypeError(`clone: replace must be a list of [old, new] pairs; item ${i} is ${describeValue(p)}`);
    const [old, replacement] = p as [unknown, unknown];
    if (!(old instanceof Tensor) || !(replacement instanceof Tensor))
      throw new TypeError(
        `clone: replace pairs symbolic variables; item ${i} is [${describeValue(old)}, ${describeValue(replacement)}]`,
      );
    if (old.dtype !== replacement.dtype || old.ndim !== replacement.ndim)
      throw new TypeError(
        `clone: ${old.name ? `'${old.name}'` : 'a variable'} (${old.type}) cannot be replaced by one of type ${replacement.type}${old.ndim === replacement.ndim ? ` (use .cast('${old.dtype}'))` : ''}`,
      );
    map.set(old, replacement);
  });
  return map;
}
