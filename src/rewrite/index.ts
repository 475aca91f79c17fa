/** `theano.rewrite`: write your own local rules and add them to a phase with `Mode.withRules`. */
export { rule } from './engine.js';
export type { Rule, Pass, RewriteRecord } from './engine.js';
export { P, op, opWith, v, c, match } from './pattern.js';
export type { Pattern, Captures } from './pattern.js';
