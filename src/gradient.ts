/** `theano.gradient`: differentiation, gradient modifiers and the finite-difference check. */
export { grad, Lop, Rop, jacobian, hessian } from './grad/grad.js';
export type { GradOptions, GradResult } from './grad/grad.js';
export { zeroGrad, disconnectedGrad, gradClip, gradScale, considerConstant } from './tensor/gradient.js';
export { verifyGrad, GradientError } from './compile/verify-grad.js';
export type { VerifyGradOptions } from './compile/verify-grad.js';
