/**
 * Dropout (Srivastava et al., 2014), inverted as every modern framework does: while training, each element is
 * kept with probability 1 - rate and scaled by 1 / (1 - rate), so the expected activation is unchanged and the
 * network is used as is at test time (no rescaling there).
 */
import { checkOptionKeys } from '../types/suggest.js';
import type { FloatDType } from '../types/dtype.js';
import type { Rank } from '../types/rank.js';
import { div, mul } from './elemwise.js';
import type { RandomStreams } from './random.js';
import { Tensor } from './tensor.js';

export interface DropoutOptions {
  /** Draw a mask (true, the default) or return `x` unchanged (evaluation). */
  readonly training?: boolean;
}

/**
 * `x` with each element zeroed with probability `rate` (a fresh mask from `srng` on every call of the compiled
 * function, through the draw's default update) and the kept ones scaled by `1 / (1 - rate)`. The gradient flows
 * through the kept elements only. `rate` is a number in [0, 1).
 *
 * @example
 * const srng = new theano.RandomStreams(1234);
 * const h = T.nnet.dropout(T.relu(T.dot(x, W)), 0.5, srng); // training graph
 */
export function dropout<D extends FloatDType, R extends Rank>(
  x: Tensor<D, R>,
  rate: number,
  srng: RandomStreams,
  options: DropoutOptions = {},
): Tensor<D, R> {
  checkOptionKeys('dropout', options, ['training']);
  if (!(x instanceof Tensor)) throw new TypeError('dropout: x must be a symbolic tensor');
  if (x.dtype !== 'float32' && x.dtype !== 'float64')
    throw new TypeError(`dropout: x must be float32 or float64, got ${x.dtype}`);
  if (typeof rate !== 'number' || !(rate >= 0 && rate < 1))
    throw new RangeError(`dropout: rate must be a number in [0, 1), got ${String(rate)}`);
  if (options.training === false || rate === 0) return x;
  const mask = srng.binomial(x.shape(), { p: 1 - rate, dtype: x.dtype }) as unknown as Tensor<D, R>;
  return div(mul(x, mask), 1 - rate) as never;
}
