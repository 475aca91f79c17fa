/**
 * `theano.printing`: graphs as text and pictures. `pp` (an infix expression), `debugprint` (an indented tree),
 * `toDot` (Graphviz DOT, Theano's `pydotprint`) and `toSvg` (that picture rendered by Graphviz in WebAssembly),
 * and the `Print` op that reports values while a function runs.
 *
 * @module
 */
export { pp } from './pp.js';
export { debugprint } from './debugprint.js';
export type { DebugprintOptions } from './debugprint.js';
export { toDot } from './dot.js';
export type { DotOptions, Drawable, DrawableFunction } from './dot.js';
export { toSvg } from './svg.js';
export type { GraphvizRenderer, SvgOptions } from './svg.js';
export { Print } from '../tensor/print.js';
export type { PrintOptions, PrintAttr } from '../tensor/print.js';
