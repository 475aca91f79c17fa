/** `theano.gradient`: differentiation, gradient modifiers and the finite-difference check. */
export { grad, Lop, Rop, jacobian, hessian } from './grad/grad.js';
export type { GradOptions, GradResult } from './grad/grad.js';
export { zeroGrad, disconnectedGrad, gradClip, gradScale, considerConstant } from './tensor/gradient.js';
export { verifyGrad, GradientError } from './compile/verify-grad.js';
export type { VerifyGradOptions } from './compile/verify-grad.js';
// Theano's names (the rule in docs/README.md, "Theano's names")
export {
  zeroGrad as zero_grad,
  considerConstant as consider_constant,
  disconnectedGrad as disconnected_grad,
  gradClip as grad_clip,
  gradScale as grad_scale,
} from './tensor/gradient.js';
export { verifyGrad as verify_grad } from './compile/verify-grad.js';
