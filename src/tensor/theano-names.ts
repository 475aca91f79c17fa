/**
 * Theano's names for functions of `T` that theano-ts spells differently: the one table of aliases of
 * `theano.tensor` (`T.nnet` and `T.linalg` hold theirs beside their functions, `theano.gradient` in
 * src/gradient.ts). The rule (docs/README.md, "Theano's names"): every public camelCase function whose Theano or
 * PyTensor name differs is also exported under that name, as the same function (a re-export, never a wrapper),
 * so `T.set_subtensor`, `T.zeros_like` and `T.nnet.categorical_crossentropy` work as a port types them.
 * test/api/theano-names.test.ts checks the table complete against Theano's API names.
 */
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
export { variance as var, maxAndArgmax as max_and_argmax } from './reduce.js';
export { batchedDot as batched_dot } from './linalg.js';
export {
  zerosLike as zeros_like,
  onesLike as ones_like,
  expandDims as expand_dims,
  broadcastTo as broadcast_to,
} from './shape.js';
export { broadcastLike as broadcast_like } from './gradient.js';
export { pool2d as pool_2d } from './pool.js';
export { setSubtensor as set_subtensor, incSubtensor as inc_subtensor } from './indexing.js';
export { oneHot as to_one_hot, topkIndices as argtopk, nonzeroValues as nonzero_values } from './sorting.js';
export {
  logSoftmax as log_softmax,
  binaryCrossentropy as binary_crossentropy,
  categoricalCrossentropy as categorical_crossentropy,
} from './nnet.js';
export {
  zeroGrad as zero_grad,
  considerConstant as consider_constant,
  disconnectedGrad as disconnected_grad,
  gradClip as grad_clip,
  gradScale as grad_scale,
} from './gradient.js';
export { conv2dTranspose as conv2d_transpose, conv2dGradWeights as conv2d_grad_wrt_weights } from './conv.js';
export {
  batchNormalization as batch_normalization,
  batchNormalizationTrain as batch_normalization_train,
  batchNormalizationTest as batch_normalization_test,
} from './batchnorm.js';
