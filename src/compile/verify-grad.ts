/**
 * Theano's `verify_grad`: checks a symbolic gradient against central finite differences along a random
 * projection of the output.
 */
import { checkOptionKeys } from '../types/suggest.js';
import { grad } from '../grad/grad.js';
import { toNDArray, type ArrayLikeInput } from '../runtime/convert.js';
import { NDArray, unravel } from '../runtime/ndarray.js';
import type { DTypeOfValue, RankOfValue } from '../runtime/values.js';
import type { Rank } from '../types/rank.js';
import { seededRandom } from '../runtime/random.js';
import * as T from '../tensor/index.js';
import { Tensor } from '../tensor/tensor.js';
import { isFloat, type FloatDType } from '../types/dtype.js';
import type { Mode, ModeName } from '../rewrite/pipeline.js';
import { compile } from './function.js';

/** Raised when an analytic gradient and its finite-difference estimate disagree beyond the tolerances. */
export class GradientError extends Error {
  constructor(
    message: string,
    readonly input: number,
    readonly index: readonly number[],
    readonly analytic: number,
    readonly numeric: number,
    readonly absError: number,
    readonly relError: number,
  ) {
    super(message);
    this.name = 'GradientError';
  }
}

export interface VerifyGradOptions {
  /** How many random projections to try (default 2). */
  nTests?: number;
  /** A seed for the projections, for reproducible checks (default: fixed). */
  seed?: number;
  /** The finite-difference step (default 1e-6 for float64, 1e-3 for float32). */
  eps?: number;
  /** Absolute and relative tolerances (default per dtype, as Theano: 1e-4 for float64, 1e-2 for float32). */
  absTol?: number;
  relTol?: number;
  /** The mode the cost and gradient functions are compiled in (default FAST_RUN), as Theano's `mode`. */
  mode?: Mode | ModeName;
}

const DEFAULTS: { [D in FloatDType]: { eps: number; tol: number } } = {
  float64: { eps: 1e-6, tol: 1e-4 },
  float32: { eps: 1e-3, tol: 1e-2 },
};

/** The float dtype an input of `verifyGrad` gets for a value: its own when it is float, float64 otherwise. */
type FloatOfValue<V> = DTypeOfValue<V> extends infer D extends FloatDType ? D : 'float64';
/** The symbolic inputs `verifyGrad` hands `fn`: one per value of the point, of its float dtype and its rank. */
export type PointTensors<P extends readonly unknown[]> = {
  -readonly [K in keyof P]: Tensor<FloatOfValue<P[K]>, RankOfValue<P[K]> & Rank>;
};

/**
 * Checks the gradient of `fn` at `point`: builds symbolic inputs shaped like the point, projects `fn`'s output on
 * a random tensor to get a scalar cost, and compares `grad(cost)` with central differences of the cost, element by
 * element. Throws a `GradientError` naming the input, the element and both values.
 *
 * @example
 * theano.gradient.verifyGrad((x) => T.tanh(x).mul(x), [[0.5, -1, 2]]);
 */
export function verifyGrad<const P extends readonly ArrayLikeInput[]>(
  fn: (...inputs: PointTensors<P>) => Tensor,
  point: P,
  options: VerifyGradOptions = {},
): void {
  checkOptionKeys('verifyGrad', options, ['nTests', 'seed', 'eps', 'absTol', 'relTol', 'mode']);
  const values = point.map((p) => {
    const a = toNDArray(p);
    return isFloat(a.dtype) ? a.copy() : toNDArray(p, { dtype: 'float64' });
  });
  const inputs = values.map(
    (v, i) => T.tensor(v.dtype as FloatDType, v.ndim as never, `input${i}`) as Tensor<FloatDType>,
  );
  const out = (fn as (...a: Tensor[]) => Tensor)(...inputs);
  if (!(out instanceof Tensor)) throw new TypeError('verifyGrad: fn must return a tensor');
  if (!isFloat(out.dtype)) throw new TypeError(`verifyGrad: fn must return a float tensor, got ${out.dtype}`);
  const dtype = values.some((v) => v.dtype === 'float32') || out.dtype === 'float32' ? 'float32' : 'float64';
  const eps = options.eps ?? DEFAULTS[dtype].eps;
  const absTol = options.absTol ?? DEFAULTS[dtype].tol;
  const relTol = options.relTol ?? DEFAULTS[dtype].tol;

  const outShape = (
    compile(inputs, out, { onUnusedInput: 'ignore', mode: options.mode }) as unknown as (...a: unknown[]) => unknown
  )(...values);
  const shape = outShape instanceof NDArray ? outShape.shape : [];
  const rand = seededRandom(options.seed ?? 42);
  for (let test = 0; test < (options.nTests ?? 2); test++) {
    const projection = NDArray.zeros(out.dtype, shape);
    const pd = projection.data as Float64Array | Float32Array;
    for (let i = 0; i < pd.length; i++) pd[i] = rand() * 2 - 1;
    const t = T.constant(projection, { dtype: out.dtype });
    const cost = T.sum(T.mul(out, t) as Tensor) as Tensor<FloatDType, 0>;
    const grads = grad(cost, inputs, { disconnectedInputs: 'ignore' }) as Tensor[];
    const costFn = compile(inputs, cost, { onUnusedInput: 'ignore', mode: options.mode }) as unknown as (
      ...a: unknown[]
    ) => number;
    const gradFn = compile(inputs, grads, { onUnusedInput: 'ignore', mode: options.mode }) as unknown as (
      ...a: unknown[]
    ) => NDArray[] | number[];
    const analytic = gradFn(...values).map((g) => (g instanceof NDArray ? g : toNDArray(g as number)));
    values.forEach((v, k) => {
      const data = v.data as Float64Array | Float32Array;
      for (let i = 0; i < data.length; i++) {
        const saved = data[i]!;
        data[i] = saved + eps;
        const plus = costFn(...values);
        data[i] = saved - eps;
        const minus = costFn(...values);
        data[i] = saved;
        // divide by the step actually taken: the perturbed values are rounded to the input's dtype
        const round = v.dtype === 'float32' ? Math.fround : (x: number) => x;
        const numeric = (plus - minus) / (round(saved + eps) - round(saved - eps));
        const a = Number(analytic[k]!.item(i));
        const absError = Math.abs(a - numeric);
        const relError = absError / Math.max(Math.abs(a) + Math.abs(numeric), 1e-300);
        if (absError > absTol && relError > relTol) {
          const index = unravel(i, v.shape);
          throw new GradientError(
            `verifyGrad: the gradient of input ${k} at index [${index.join(', ')}] is ${a} analytically but ${numeric} by finite differences ` +
              `(abs error ${absError.toExponential(3)} > ${absTol}, rel error ${relError.toExponential(3)} > ${relTol}; projection ${test})`,
            k,
            index,
            a,
            numeric,
            absError,
            relError,
          );
        }
      }
    });
  }
}
