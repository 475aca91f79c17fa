/**
 * Every op, keyed by its name: the names rewrite patterns may use (`OpName`, a compile error when misspelled),
 * and each op's params type (`ParamsOf<'reshape'>` is `ReshapeParams`), so rules read params without casts.
 * A new op joins `NAMED_OPS` (elementwise ops join through the scalar table).
 */
import type { OpDef } from '../graph/op.js';
import { ADVANCED_INC_SUBTENSOR, TAKE } from './advanced-subtensor.js';
import { ADVANCED_INC_SUBTENSOR_ND, ADVANCED_SUBTENSOR } from './advanced-indexing.js';
import { ARGSORT, SEARCHSORTED, SORT, TOPK } from './sorting.js';
import { BINCOUNT, NONZERO, ONE_HOT, UNIQUE } from './selection.js';
import { ARG_REDUCE } from './argreduce.js';
import { BATCHED_DOT, DOT, MATMUL, TENSORDOT } from './blas.js';
import { CONV2D, CONV2D_GRAD_INPUTS, CONV2D_GRAD_WEIGHTS } from './conv.js';
import { DIMSHUFFLE } from './dimshuffle.js';
import { ELEMWISE, type ElemwiseParams } from './elemwise.js';
import { BROADCAST_LIKE, GRAD_MODIFIER, SUM_TO_SHAPE } from './gradient.js';
import { IFELSE } from './ifelse.js';
import { AVERAGE_POOL_GRAD, MAX_POOL_GRAD, MAX_POOL_GRAD_GRAD, POOL } from './pool.js';
import { CROSSENTROPY_CATEGORICAL_1HOT, LOG_SOFTMAX, SOFTMAX } from './nnet.js';
import { EIGH, SVD } from './linalg/decompositions.js';
import { ALLOC_DIAG, EXTRACT_DIAG } from './linalg/diag.js';
import { CHOLESKY, DET, MATRIX_INVERSE, SLOGDET } from './linalg/factor.js';
import { SOLVE, SOLVE_TRIANGULAR } from './linalg/solve.js';
import { LSTSQ, PINV } from './linalg/least-squares.js';
import { LU, QR } from './linalg/qr-lu.js';
import { REDUCE } from './reduce.js';
import {
  RANDOM_BINOMIAL,
  RANDOM_CHOICE,
  RANDOM_INTEGERS,
  RANDOM_NORMAL,
  RANDOM_PERMUTATION,
  RANDOM_UNIFORM,
} from './random.js';
import { SCAN } from './scan.js';
import { PRINT } from './print.js';
import type { ScalarOpName } from './scalar.js';
import { ALLOC, BROADCAST_TO, FILL, FLATTEN, RESHAPE, SHAPE, SHAPE_I, TILE } from './shape.js';
import { ARANGE, CUMULATE, EYE, JOIN, REPEAT, ROLL, SPLIT, TRI } from './structure.js';
import { INC_SUBTENSOR, SUBTENSOR } from './subtensor.js';

/** The ops that are not elementwise, by name. */
const NAMED_OPS = {
  advanced_inc_subtensor: ADVANCED_INC_SUBTENSOR,
  take: TAKE,
  arg_reduce: ARG_REDUCE,
  batched_dot: BATCHED_DOT,
  dot: DOT,
  matmul: MATMUL,
  tensordot: TENSORDOT,
  dimshuffle: DIMSHUFFLE,
  broadcast_like: BROADCAST_LIKE,
  grad_modifier: GRAD_MODIFIER,
  sum_to_shape: SUM_TO_SHAPE,
  ifelse: IFELSE,
  crossentropy_categorical_1hot: CROSSENTROPY_CATEGORICAL_1HOT,
  log_softmax: LOG_SOFTMAX,
  softmax: SOFTMAX,
  reduce: REDUCE,
  scan: SCAN,
  print: PRINT,
  alloc: ALLOC,
  broadcastTo: BROADCAST_TO,
  fill: FILL,
  flatten: FLATTEN,
  reshape: RESHAPE,
  shape: SHAPE,
  shape_i: SHAPE_I,
  tile: TILE,
  arange: ARANGE,
  cumulate: CUMULATE,
  eye: EYE,
  concatenate: JOIN,
  repeat: REPEAT,
  roll: ROLL,
  split: SPLIT,
  tri: TRI,
  inc_subtensor: INC_SUBTENSOR,
  subtensor: SUBTENSOR,
  random_uniform: RANDOM_UNIFORM,
  random_normal: RANDOM_NORMAL,
  random_binomial: RANDOM_BINOMIAL,
  random_integers: RANDOM_INTEGERS,
  random_choice: RANDOM_CHOICE,
  random_permutation: RANDOM_PERMUTATION,
  cholesky: CHOLESKY,
  det: DET,
  slogdet: SLOGDET,
  matrix_inverse: MATRIX_INVERSE,
  solve: SOLVE,
  solve_triangular: SOLVE_TRIANGULAR,
  extract_diag: EXTRACT_DIAG,
  alloc_diag: ALLOC_DIAG,
  eigh: EIGH,
  svd: SVD,
  conv2d: CONV2D,
  conv2d_grad_inputs: CONV2D_GRAD_INPUTS,
  conv2d_grad_weights: CONV2D_GRAD_WEIGHTS,
  pool2d: POOL,
  max_pool_grad: MAX_POOL_GRAD,
  max_pool_grad_grad: MAX_POOL_GRAD_GRAD,
  average_pool_grad: AVERAGE_POOL_GRAD,
  qr: QR,
  lu: LU,
  pinv: PINV,
  lstsq: LSTSQ,
  advanced_subtensor: ADVANCED_SUBTENSOR,
  advanced_inc_subtensor_nd: ADVANCED_INC_SUBTENSOR_ND,
  sort: SORT,
  argsort: ARGSORT,
  topk: TOPK,
  searchsorted: SEARCHSORTED,
  nonzero: NONZERO,
  unique: UNIQUE,
  bincount: BINCOUNT,
  one_hot: ONE_HOT,
} as const;

/** The name of an op: an elementwise (scalar) op or one of the others. */
export type OpName = ScalarOpName | keyof typeof NAMED_OPS;

/** The params type of the op called `K`. */
export type ParamsOf<K extends OpName> = K extends ScalarOpName
  ? ElemwiseParams
  : K extends keyof typeof NAMED_OPS
    ? (typeof NAMED_OPS)[K] extends OpDef<infer P>
      ? P
      : never
    : never;

/** Every op by name (typed complete: an op missing here is a compile error). */
export const OPS: { readonly [K in OpName]: OpDef<ParamsOf<K>> } = { ...ELEMWISE, ...NAMED_OPS };

/** Whether `name` names an op. */
export const isOpName = (name: string): name is OpName => Object.hasOwn(OPS, name);
