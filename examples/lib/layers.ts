/**
 * Model-building pieces the training examples share: Glorot-uniform initial weights drawn from a
 * `RandomStreams`, SGD with momentum written as `updates`, minibatches of shared data read through `givens`.
 */
import * as theano from '../../src/index.js';
import type { FloatDType, SharedVariable, Tensor } from '../../src/index.js';

const T = theano.tensor;

/**
 * A float32 shared variable of `shape` drawn uniformly from +-sqrt(6 / (fanIn + fanOut)) (Glorot and Bengio,
 * 2010), through a compiled draw of `srng`.
 */
export function glorotUniform<const S extends readonly number[]>(
  srng: theano.RandomStreams,
  shape: S,
  fanIn: number,
  fanOut: number,
  name: string,
) {
  const r = Math.sqrt(6 / (fanIn + fanOut));
  const draw = theano.function([], srng.uniform(shape, { low: -r, high: r, dtype: 'float32' }));
  return theano.shared(draw(), { name });
}

/** SGD with momentum as updates: v <- mu v - lr g; p <- p + v (one velocity per parameter). */
export function momentumUpdates(
  cost: Tensor<FloatDType, 0>,
  params: readonly SharedVariable<'float32'>[],
  lr: number,
  mu: number,
): Map<SharedVariable, Tensor> {
  const grads: Tensor[] = T.grad(cost, params);
  const updates = new Map<SharedVariable, Tensor>();
  params.forEach((p, i) => {
    const v = theano.shared(theano.NDArray.zeros('float32', p.getArray().shape), { name: `v_${p.name}` });
    const next = T.sub(T.mul(v, mu), T.mul(grads[i]!, lr));
    updates.set(v, next);
    updates.set(p, T.add(p, next));
  });
  return updates;
}

/**
 * `givens` that read minibatch `i` (an int32 scalar) of `size` rows of each shared data set into its symbolic
 * stand-in: `x` becomes `X[i * size : (i + 1) * size]`, and so on (one slice, shared by all).
 */
export function minibatchGivens(
  i: Tensor<'int32', 0>,
  size: number,
  pairs: readonly (readonly [Tensor, SharedVariable])[],
): Map<Tensor, Tensor> {
  const n = T.constant(size, { dtype: 'int32' });
  const rows = T.slice(T.mul(i, n), T.mul(T.add(i, 1), n));
  return new Map(pairs.map(([x, data]) => [x, data.get(rows) as Tensor]));
}
