/** `theano.printing`: `pp`, `debugprint`, and the `Print` op that reports values while a function runs. */
export { pp } from './printing/pp.js';
export { debugprint } from './printing/debugprint.js';
export type { DebugprintOptions } from './printing/debugprint.js';
export { Print } from './tensor/print.js';
export type { PrintOptions, PrintAttr } from './tensor/print.js';
