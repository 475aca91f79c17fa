/**
 * `print`: the identity that reports its input's value each time a compiled function computes it (Theano's
 * `printing.Print`). It is never folded away as a constant, never merged with another print, and runs as a view
 * in generated code (no copy); its gradient passes through unchanged.
 */
import type { OpDef } from '../graph/op.js';
import type { NDArray } from '../runtime/ndarray.js';
import { shapeToString } from '../runtime/ndarray.js';
import { axesOf } from './shape-facts.js';

/** What a print reports of its value (Theano's `attrs`; '__str__' and 'value' are the whole array). */
export const PRINT_ATTRS = ['__str__', 'value', 'shape', 'dtype', 'ndim', 'size', 'min', 'max', 'mean', 'sum'] as const;
export type PrintAttr = (typeof PRINT_ATTRS)[number];

export interface PrintParams {
  readonly message: string;
  readonly attrs: readonly PrintAttr[];
  /** Where each line goes (console.log by default). */
  readonly log: (line: string) => void;
}

/** Sum, min and max over every element, as numbers (the reports of a debugging op: bigints lose digits). */
function stats(x: NDArray): { sum: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < x.size; i++) {
    const v = Number(x.item(i));
    sum += v;
    if (v < min || Number.isNaN(v)) min = v;
    if (v > max || Number.isNaN(v)) max = v;
  }
  return { sum, min, max };
}

function attrText(x: NDArray, attr: PrintAttr): string {
  switch (attr) {
    case '__str__':
    case 'value':
      return x.toString();
    case 'shape':
      return shapeToString(x.shape);
    case 'dtype':
      return x.dtype;
    case 'ndim':
      return String(x.ndim);
    case 'size':
      return String(x.size);
    case 'mean':
      return String(x.size > 0 ? stats(x).sum / x.size : NaN);
    default:
      return String(stats(x)[attr]);
  }
}

/** One line per attribute: `message attr = text`, as Theano's Print writes them. */
function report(x: NDArray, params: PrintParams): void {
  for (const attr of params.attrs) params.log(`${params.message} ${attr} = ${attrText(x, attr)}`);
}

export const PRINT: OpDef<PrintParams> = {
  name: 'print',
  inferShape: (inputs) => [axesOf(inputs, 0)],
  inferType: ([x]) => [x!],
  evaluate([x], params) {
    report(x!, params);
    return [x!.copy()];
  },
  view([x], params) {
    report(x!, params);
    return x!;
  },
  // identity: the gradient flows through unchanged
  pullback: ({ grads: [gz] }) => [gz ?? null],
  print: { kind: 'call', name: (p) => `Print{${p.message}}` },
};
