import { PRINT, PRINT_ATTRS, type PrintAttr } from '../ops/print.js';
import { describeValue } from '../runtime/convert.js';
import { checkOptionKeys } from '../types/suggest.js';
import { applyOp } from './apply.js';
import { Tensor } from './tensor.js';

export type { PrintAttr };

/** Options of `theano.printing.Print`. */
export interface PrintOptions {
  /** What to report of the value, one line each (Theano's `attrs`); default `['__str__']`, the whole array. */
  attrs?: readonly PrintAttr[];
  /** Where the lines go; default `console.log`. */
  log?: (line: string) => void;
}

const PRINT_OPTIONS = ['attrs', 'log'] as const;

/**
 * An identity op that reports its input each time a compiled function computes it (Theano's
 * `theano.printing.Print(message, attrs)`): `Print('h')(h)` is `h`, and prints `h __str__ = [...]` on each call.
 * It runs in generated code too, as a view (no copy); only its own input is kept from being fused with what
 * reads it. A print whose output no output depends on is not computed, so it does not print (as in Theano).
 *
 * @example
 * const x = T.dvector('x');
 * const f = theano.function([x], theano.printing.Print('x is', { attrs: ['shape', 'sum'] })(x).mul(2));
 * f([1, 2, 3]); // logs "x is shape = (3,)" and "x is sum = 6"
 */
export function Print(message: string, options: PrintOptions = {}): <T extends Tensor>(x: T) => T {
  if (typeof message !== 'string')
    throw new TypeError(`Print: the message must be a string, got ${describeValue(message)}`);
  checkOptionKeys('Print', options, PRINT_OPTIONS);
  const attrs = options.attrs ?? ['__str__'];
  if (!Array.isArray(attrs) || attrs.length === 0)
    throw new TypeError(`Print: attrs must be a non-empty list of ${PRINT_ATTRS.join(', ')}`);
  for (const a of attrs)
    if (!PRINT_ATTRS.includes(a))
      throw new TypeError(`Print: unknown attribute ${describeValue(a)}; the attributes are ${PRINT_ATTRS.join(', ')}`);
  const log = options.log ?? ((line: string) => console.log(line));
  if (typeof log !== 'function') throw new TypeError(`Print: log must be a function, got ${describeValue(log)}`);
  const params = { message, attrs: [...attrs], log };
  return <T extends Tensor>(x: T): T => {
    if (!(x instanceof Tensor))
      throw new TypeError(`Print('${message}'): expected a symbolic variable, got ${describeValue(x)}`);
    return applyOp(PRINT, params, [x])[0] as T;
  };
}
