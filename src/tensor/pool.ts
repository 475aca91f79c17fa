/**
 * Pooling builders: Theano's `pool_2d` over the last two axes of a tensor, and its gradient ops (which the
 * autodiff uses; exported for completeness, as Theano's `MaxPoolGrad` and `AveragePoolGrad`).
 *
 * @example
 * const x = T.ftensor4('x');                                   // (batch, channels, 24, 24)
 * const y = T.pool2d(x, { ws: [2, 2], ignoreBorder: true });   // Tensor<"float32", 4>: (batch, channels, 12, 12)
 */
import {
  AVERAGE_POOL_GRAD,
  MAX_POOL_GRAD,
  MAX_POOL_GRAD_GRAD,
  POOL,
  POOL_MODES,
  type PoolBuilder,
  type PoolParams,
} from '../ops/pool.js';
import type { PoolMode } from '../runtime/pool.js';
import type { DType, UpgradeToFloat } from '../types/dtype.js';
import type { Rank } from '../types/rank.js';
import { applyOp } from './apply.js';
import type { Tensor } from './tensor.js';

export type { PoolMode };

/** Options of `pool2d` (Theano's `pool_2d` keywords, camelCased). */
export interface Pool2dOptions {
  /** The window `[rows, cols]` (or one number for both). Required. */
  readonly ws: number | readonly [number, number];
  /** The step between windows `[rows, cols]`; default `ws` (windows do not overlap). */
  readonly stride?: number | readonly [number, number];
  /** Zero padding `[rows, cols]` on both sides; default `[0, 0]`. Needs `ignoreBorder: true`; smaller than `ws`. */
  readonly pad?: number | readonly [number, number];
  /** `'max'` (default), `'sum'`, `'average_inc_pad'` (padding counts in the divisor) or `'average_exc_pad'`. */
  readonly mode?: PoolMode;
  /**
   * false (the default, as Theano's `pool_2d`): a partial window at the end of an axis is pooled too (a 5x5 input
   * with 2x2 windows gives 3x3); true: it is dropped (2x2).
   */
  readonly ignoreBorder?: boolean;
}

/** A rank a pooling accepts: at least 2 (the pooled axes are the last two). */
export type PoolRank = Exclude<Rank, 0 | 1>;

const KNOWN = ['ws', 'stride', 'pad', 'mode', 'ignoreBorder'];

function pair(name: string, v: unknown, fallback?: readonly [number, number]): readonly [number, number] {
  if (v === undefined && fallback) return fallback;
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((e) => typeof e === 'number'))
    throw new TypeError(`pool2d: ${name} must be a number or a pair [rows, cols], got ${JSON.stringify(v)}`);
  return [p[0] as number, p[1] as number];
}

/** Validated params from `pool2d` options. */
function poolParams(options: Pool2dOptions): PoolParams {
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`pool2d: needs options with a window size, e.g. { ws: [2, 2] }; got ${String(options)}`);
  for (const key of Object.keys(options))
    if (!KNOWN.includes(key))
      throw new TypeError(`pool2d: unknown option '${key}'; the options are ${KNOWN.join(', ')}`);
  if (options.ws === undefined) throw new TypeError('pool2d: needs the window size ws, e.g. { ws: [2, 2] }');
  const ws = pair('ws', options.ws);
  const mode = options.mode ?? 'max';
  if (!POOL_MODES.includes(mode))
    throw new TypeError(`pool2d: unknown mode '${String(mode)}'; expected ${POOL_MODES.join(', ')}`);
  const ignoreBorder = options.ignoreBorder ?? false;
  if (typeof ignoreBorder !== 'boolean')
    throw new TypeError(`pool2d: ignoreBorder must be true or false, got ${String(ignoreBorder)}`);
  return { ws, stride: pair('stride', options.stride, ws), pad: pair('pad', options.pad, [0, 0]), mode, ignoreBorder };
}

/**
 * Theano's `pool_2d`: max, sum or average over windows of the last two axes (the leading axes are kept). The
 * number of windows along an axis of length n (padded by p on each side) is `floor((n + 2p - ws) / stride) + 1`
 * with `ignoreBorder`, else enough windows to cover every pixel. Integer inputs give floats.
 *
 * @example
 * T.pool2d(T.dtensor4('x'), { ws: 2, ignoreBorder: true });                         // 2x2 max pooling
 * T.pool2d(T.dmatrix('img'), { ws: [3, 3], stride: 1, pad: 1, mode: 'average_exc_pad', ignoreBorder: true });
 */
export function pool2d<D extends DType, R extends PoolRank>(
  x: Tensor<D, R>,
  options: Pool2dOptions,
): Tensor<UpgradeToFloat<D>, R> {
  return applyOp(POOL, poolParams(options), [x])[0] as never;
}

/**
 * The gradient of max pooling with respect to `x`, given the pooled output `maxout` and its gradient `gz`.
 * @example T.maxPoolGrad(x, T.pool2d(x, { ws: [2, 2] }), gz, { ws: [2, 2] })
 */
export function maxPoolGrad(x: Tensor, maxout: Tensor, gz: Tensor, options: Pool2dOptions): Tensor {
  return applyOp(MAX_POOL_GRAD, poolParams(options), [x, maxout, gz])[0]!;
}

/**
 * The adjoint of `maxPoolGrad` in its gradient argument: `ggx` summed over each window's maximal pixels.
 * @example T.maxPoolGradGrad(x, out, ggx, { ws: [2, 2] })
 */
export function maxPoolGradGrad(x: Tensor, maxout: Tensor, ggx: Tensor, options: Pool2dOptions): Tensor {
  return applyOp(MAX_POOL_GRAD_GRAD, poolParams(options), [x, maxout, ggx])[0]!;
}

/**
 * The gradient of sum or average pooling with respect to `x` (`x` gives only the shape), given `gz`.
 * @example T.averagePoolGrad(x, gz, { ws: [2, 2] })
 */
export function averagePoolGrad(x: Tensor, gz: Tensor, options: Pool2dOptions): Tensor {
  return applyOp(AVERAGE_POOL_GRAD, poolParams(options), [x, gz])[0]!;
}

// the pullbacks of the pooling ops build with these (through `theano.tensor`)
({ pool2d, maxPoolGrad, maxPoolGradGrad, averagePoolGrad }) satisfies PoolBuilder;
