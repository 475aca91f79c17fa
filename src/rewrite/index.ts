/** `theano.rewrite`: write your own local rules and add them to a phase with `Mode.withRules`. */
export { rule } from './engine.js';
export type { Rule, Pass, RewriteRecord } from './engine.js';
export { P, anyOf, oneOf, Family, etc, v, is, c, match, isOp, paramsOf } from './pattern.js';
export type { Pattern, Captures, OpPattern } from './pattern.js';
export type { OpName, ParamsOf } from '../ops/registry.js';
