/**
 * The rule for Theano's names (docs/README.md, "Theano's names"): every public camelCase function of `T`,
 * `T.nnet`, `T.linalg` and `theano.gradient` whose Theano or PyTensor name differs is also exported under that
 * name, as the very same function. Checked over all exports against the underscore names of Theano's library
 * reference and PyTensor's `__all__` lists (written out below, from their documentation): an alias must name a
 * real Theano/PyTensor function and be identical to its camelCase twin, and a camelCase export whose Theano name
 * is in the list must have its alias.
 */
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';

/** Underscore names of Theano's and PyTensor's API (theano.tensor, tensor.nnet, extra_ops, sort, linalg, gradient). */
// prettier-ignore
const THEANO_NAMES = [
  // theano.tensor (basic, math, subtensor, shape, extra_ops, sort)
  'zeros_like', 'ones_like', 'empty_like', 'full_like', 'identity_like', 'expand_dims', 'broadcast_to', 'broadcast_like',
  'broadcast_arrays', 'shape_padleft', 'shape_padright', 'shape_padaxis', 'set_subtensor', 'inc_subtensor', 'take_along_axis',
  'max_and_argmax', 'true_div', 'int_div', 'floor_div', 'ceil_intdiv', 'abs_', 'and_', 'or_', 'not_equal', 'greater_equal',
  'less_equal', 'bitwise_and', 'bitwise_or', 'bitwise_xor', 'bitwise_not', 'batched_dot', 'batched_tensordot', 'matrix_dot',
  'dense_dot', 'tensor_copy', 'horizontal_stack', 'vertical_stack', 'to_one_hot', 'nonzero_values', 'fill_diagonal',
  'fill_diagonal_offset', 'ravel_multi_index', 'unravel_index', 'argtopk', 'topk_and_argtopk', 'inverse_permutation',
  'permute_row_elements', 'tril_indices', 'triu_indices', 'nan_to_num', 'round_half_to_even', 'round_half_away_from_zero',
  'atleast_1d', 'atleast_2d', 'atleast_3d', 'log_softmax', 'cumsum_op', 'as_tensor_variable', 'as_tensor',
  'get_scalar_constant_value', 'get_vector_length', 'matrix_transpose', 'block_diag',
  // gradient modifiers (theano.gradient and theano.tensor)
  'zero_grad', 'consider_constant', 'disconnected_grad', 'grad_clip', 'grad_scale', 'verify_grad', 'grad_undefined',
  // theano.tensor.nnet
  'categorical_crossentropy', 'binary_crossentropy', 'sigmoid_binary_crossentropy', 'crossentropy_categorical_1hot',
  'crossentropy_softmax_1hot', 'softmax_with_bias', 'hard_sigmoid', 'ultra_fast_sigmoid', 'conv2d_transpose',
  'conv2d_grad_wrt_inputs', 'conv2d_grad_wrt_weights', 'batch_normalization', 'batch_normalization_train',
  'batch_normalization_test', 'pool_2d', 'max_pool_2d_same_size', 'h_softmax',
  // theano.tensor.nlinalg, slinalg (PyTensor's linalg)
  'matrix_inverse', 'extract_diag', 'alloc_diag', 'solve_triangular', 'cho_solve', 'cho_factor', 'matrix_power',
  'lu_factor', 'lu_solve', 'solve_discrete_lyapunov', 'solve_continuous_lyapunov', 'solve_sylvester', 'expm',
];

/** Theano names that are not the mechanical snake_case of their camelCase twin. */
const IRREGULAR: Record<string, string> = {
  abs_: 'abs',
  and_: 'and',
  or_: 'or',
  to_one_hot: 'oneHot',
  argtopk: 'topkIndices',
  extract_diag: 'diagonal',
  conv2d_grad_wrt_weights: 'conv2dGradWeights',
  conv2d_grad_wrt_inputs: 'conv2dGradInputs',
  pool_2d: 'pool2d',
  true_div: 'div',
};

/** Theano names that belong to another namespace: Theano's `T.diagonal` has our name; extract_diag is nlinalg's. */
const ELSEWHERE: Record<string, readonly string[]> = { T: ['extract_diag'] };

const camelOf = (snake: string) => IRREGULAR[snake] ?? snake.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const snakeOf = (camel: string) => camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const NAMESPACES: Record<string, Record<string, unknown>> = {
  T: theano.tensor as never,
  'T.nnet': theano.tensor.nnet as never,
  'T.linalg': theano.tensor.linalg as never,
  'theano.gradient': theano.gradient as never,
};
const isFunction = (v: unknown) => typeof v === 'function';
/** Underscore exports that are not aliases: constants (SUM_DTYPE) and names we spell that way ourselves. */
const isAliasName = (name: string) => name.includes('_') && name !== name.toUpperCase() && name !== 'switch_';

describe("Theano's names", () => {
  for (const [where, ns] of Object.entries(NAMESPACES)) {
    test(`${where}: every alias is a Theano name and the same function as its camelCase twin`, () => {
      const problems: string[] = [];
      for (const name of Object.keys(ns).filter(isAliasName)) {
        if (!THEANO_NAMES.includes(name)) problems.push(`${where}.${name} is not a Theano/PyTensor name`);
        const twin = camelOf(name);
        if (!(twin in ns)) problems.push(`${where}.${name} has no camelCase twin ${twin}`);
        else if (ns[name] !== ns[twin]) problems.push(`${where}.${name} is not ${where}.${twin}`);
      }
      expect(problems).toEqual([]);
    });

    test(`${where}: every function whose Theano name differs has that name`, () => {
      const missing = THEANO_NAMES.filter(
        (name) => isFunction(ns[camelOf(name)]) && ns[name] !== ns[camelOf(name)] && !ELSEWHERE[where]?.includes(name),
      );
      expect(missing.map((name) => `${where}.${name} (for ${camelOf(name)})`)).toEqual([]);
    });
  }

  test('a camelCase export whose snake_case spelling is a Theano name has it (the list above is complete)', () => {
    const missing: string[] = [];
    for (const [where, ns] of Object.entries(NAMESPACES))
      for (const name of Object.keys(ns).filter((n) => /[a-z][A-Z]/.test(n) && isFunction(ns[n])))
        if (THEANO_NAMES.includes(snakeOf(name)) && ns[snakeOf(name)] !== ns[name])
          missing.push(`${where}.${snakeOf(name)}`);
    expect(missing).toEqual([]);
  });

  test('what a port types works', () => {
    const T = theano.tensor;
    const x = T.dvector('x');
    const i = T.ivector('i');
    const f = theano.function([x, i], [T.set_subtensor(x.get(i), 0), T.zeros_like(x), T.to_one_hot(i, 3)]);
    const [set, zeros, hot] = f([1, 2, 3], [2, 0]) as theano.NDArray[];
    expect(set!.toArray()).toEqual([0, 2, 0]);
    expect(zeros!.toArray()).toEqual([0, 0, 0]);
    expect(hot!.toArray()).toEqual([
      [0, 0, 1],
      [1, 0, 0],
    ]);
    expect(T.nnet.categorical_crossentropy).toBe(T.categoricalCrossentropy);
    expect(theano.gradient.verify_grad).toBe(theano.gradient.verifyGrad);
  });
});
