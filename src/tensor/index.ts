/** `theano.tensor` (imported as `T`): constructors, the `Tensor` class and the free functions. */
export * from './constructors.js';
export * from './elemwise.js';
export {
  switch_ as switch,
  abs as abs_,
  and as and_,
  or as or_,
  sign as sgn,
  reciprocal as inv,
  div as true_div,
  intDiv as int_div,
} from './elemwise.js';
export { constant } from './apply.js';
export * from './reduce.js';
export * from './gradient.js';
export { variance as var } from './reduce.js';
export { Tensor } from './tensor.js';
export { SharedVariable, shared } from './shared.js';
export type { Operand } from './operand.js';
export * from './linalg.js';
export * from './shape.js';
export * from './indexing.js';
export * from './sorting.js';
export * from './nnet.js';
export { dropout, type DropoutOptions } from './dropout.js';
export * from './conv.js';
export * from './pool.js';
export * from './batchnorm.js';
export { ifelse } from './ifelse.js';
export type { Condition, IfElseOptions } from './ifelse.js';
export { scan, map, reduce, foldl, foldr } from './scan.js';
export type { ScanOptions, ScanOutputs, ScanUpdates, SequenceSpec, OutputSpec, StepArgs, StepResult } from './scan.js';
export * as random from './random.js';
export * as linalg from './nlinalg.js';
export { diag, diagonal, trace } from './nlinalg.js';
export type { CholeskyOptions, SolveOptions, SolveTriangularOptions, AllocDiagOptions } from './nlinalg.js';
export type { QrOptions, LuOptions, PinvOptions } from './nlinalg.js';
