/**
 * `theano.printing`: graphs as text and pictures. `pp` (an infix expression), `debugprint` (an indented tree),
 * `toDot` (Graphviz DOT, Theano's `pydotprint`) and `toSvg` (that picture rendered by Graphviz in WebAssembly).
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
