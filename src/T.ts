/**
 * `theano.tensor` (imported as `T`): the builder (constructors, the `Tensor` class, free functions) and the
 * differentiation functions Theano also exposes there (`T.grad`, `T.Lop`, ...).
 */
export * from './tensor/index.js';
export { grad, Lop, Rop, jacobian, hessian } from './grad/grad.js';
