/**
 * Convolution builders (Theano's `T.nnet.conv2d`, `conv2d_transpose` and `conv2d_grad_wrt_weights`), NCHW:
 * images are (batch, channels, rows, cols), filters (outChannels, channels / numGroups, kRows, kCols).
 *
 * @example
 * const x = T.tensor4('x');                       // (batch, 1, 28, 28)
 * const w = T.tensor4('w');                       // (20, 1, 5, 5)
 * const y = T.conv2d(x, w, { border: 'valid' });  // Tensor<"float64", 4>: (batch, 20, 24, 24)
 */
import {
  CONV2D,
  CONV2D_GRAD_INPUTS,
  CONV2D_GRAD_WEIGHTS,
  type ConvBorder,
  type ConvBuilder,
  type ConvParams,
} from '../ops/conv.js';
import type { DimParam } from '../ops/dims.js';
import { isInt, type DType, type Upcast, type UpgradeToFloat } from '../types/dtype.js';
import { applyOp } from './apply.js';
import { shape } from './shape.js';
import { Tensor } from './tensor.js';

/** Options of `conv2d` (Theano's keyword arguments, camelCased). */
export interface Conv2dOptions {
  /**
   * Theano's `border_mode`: `'valid'` (no padding, the default), `'full'` (pad kRows - 1, kCols - 1: every
   * overlap), `'half'` (pad floor(k / 2): same size for odd filters and stride 1), a number (that padding on
   * both axes) or `[padRows, padCols]`. Padding is with zeros, on both sides of each axis.
   */
  readonly border?: 'valid' | 'full' | 'half' | number | readonly [number, number];
  /** Strides `[rows, cols]` (or one number for both); default `[1, 1]`. */
  readonly subsample?: number | readonly [number, number];
  /** Filter dilation `[rows, cols]` (or one number); default `[1, 1]`. */
  readonly filterDilation?: number | readonly [number, number];
  /** Grouped convolution: the channels split into this many groups, each with its own filters; default 1. */
  readonly numGroups?: number;
  /** true (the default, as Theano): a real convolution, the filters flipped; false: a cross-correlation. */
  readonly filterFlip?: boolean;
}

/** The size of a spatial axis: a number, or an integer scalar tensor. */
export type ConvLength = number | Tensor<DType, 0>;

/** Options of `conv2dTranspose`: those of the forward convolution it transposes, and the output image shape. */
export interface Conv2dTransposeOptions extends Conv2dOptions {
  /**
   * The shape of the result, `[rows, cols]` or Theano's full `[batch, channels, rows, cols]` (only rows and cols
   * are read). Default: the smallest image whose convolution has the input's size (with a stride > 1, several
   * image sizes convolve to the same size; pass this to pick a larger one).
   */
  readonly outputShape?: readonly ConvLength[];
}

/** Options of `conv2dGradWeights`: those of the forward convolution, and the filter shape (required). */
export interface Conv2dGradWeightsOptions extends Conv2dOptions {
  /** The filters' `[kRows, kCols]` (or Theano's full `[outChannels, channels, kRows, kCols]`). */
  readonly filterShape: readonly ConvLength[];
}

/** The float dtype of a convolution of `DX` images with `DW` filters. */
export type ConvDType<DX extends DType, DW extends DType> = UpgradeToFloat<Upcast<DX, DW>>;

const CONV_OPTIONS = ['border', 'subsample', 'filterDilation', 'numGroups', 'filterFlip'];

function pair(op: string, name: string, v: unknown, fallback: number): readonly [number, number] {
  if (v === undefined) return [fallback, fallback];
  const p = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(p) || p.length !== 2 || !p.every((e) => typeof e === 'number'))
    throw new TypeError(`${op}: ${name} must be a number or a pair [rows, cols], got ${JSON.stringify(v)}`);
  return [p[0] as number, p[1] as number];
}

function parseBorder(op: string, b: Conv2dOptions['border']): ConvBorder {
  if (b === undefined) return 'valid';
  if (b === 'valid' || b === 'full' || b === 'half') return b;
  if (typeof b === 'string')
    throw new TypeError(
      `${op}: unknown border '${b}'; expected 'valid', 'full', 'half', a number or [padRows, padCols]`,
    );
  return pair(op, 'border', b, 0);
}

/** Validated params from user options (unknown keys are errors: a typo such as `stride` would else be ignored). */
function convParams(op: string, options: object, extra: readonly string[] = []): ConvParams {
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    throw new TypeError(`${op}: options must be an object, got ${String(options)}`);
  const known = [...CONV_OPTIONS, ...extra];
  for (const key of Object.keys(options))
    if (!known.includes(key))
      throw new TypeError(`${op}: unknown option '${key}'; the options are ${known.join(', ')}`);
  const o = options as Conv2dOptions;
  const flip = o.filterFlip ?? true;
  if (typeof flip !== 'boolean') throw new TypeError(`${op}: filterFlip must be true or false, got ${String(flip)}`);
  return {
    border: parseBorder(op, o.border),
    subsample: pair(op, 'subsample', o.subsample, 1),
    filterDilation: pair(op, 'filterDilation', o.filterDilation, 1),
    numGroups: o.numGroups ?? 1,
    filterFlip: flip,
  };
}

/** A `[rows, cols]` length pair as op params (numbers, or null: the next symbolic input) and symbolic inputs. */
function lengthArgs(op: string, name: string, lengths: readonly ConvLength[]) {
  if (!Array.isArray(lengths) || (lengths.length !== 2 && lengths.length !== 4))
    throw new TypeError(`${op}: ${name} must be [rows, cols] or a full 4-D shape, got ${String(lengths)}`);
  const inputs: Tensor[] = [];
  const params = lengths.slice(-2).map((e, i): DimParam => {
    if (typeof e === 'number') {
      if (!Number.isInteger(e) || e < 1) throw new RangeError(`${op}: ${name} must be positive integers, got ${e}`);
      return e;
    }
    if (!(e instanceof Tensor) || e.ndim !== 0 || !isInt(e.dtype))
      throw new TypeError(`${op}: ${name}[${i}] must be a number or an integer scalar tensor`);
    if (e.data) return Number(e.data.item(0));
    inputs.push(e);
    return null;
  }) as [DimParam, DimParam];
  return { params: params as unknown as readonly [DimParam, DimParam], inputs };
}

/**
 * Theano's `conv2d`: the 2-D convolution of a batch of multi-channel images with a bank of filters, summed over
 * the input channels (of each group). The output is (batch, outChannels, outRows, outCols) with
 * `outRows = floor((rows + 2·padRows - dilatedKRows) / strideRows) + 1` (likewise cols), where
 * `dilatedKRows = (kRows - 1)·dilationRows + 1`. A real convolution by default (the filters are flipped);
 * `filterFlip: false` computes the cross-correlation most other libraries call convolution.
 *
 * @example
 * T.conv2d(T.ftensor4('x'), T.ftensor4('w'), { border: 'half', subsample: [2, 2] }); // Tensor<"float32", 4>
 */
export function conv2d<DX extends DType, DW extends DType>(
  input: Tensor<DX, 4>,
  filters: Tensor<DW, 4>,
  options: Conv2dOptions = {},
): Tensor<ConvDType<DX, DW>, 4> {
  const p = convParams('conv2d', options);
  return applyOp(CONV2D, p, [input, filters])[0] as never;
}

/**
 * The transposed convolution (Theano's `conv2d_transpose`, also its `conv2d_grad_wrt_inputs`): the gradient of
 * `conv2d(image, filters, options)` with respect to the image, applied to `input`, which has the shape of that
 * convolution's output. `filters` has the forward convolution's layout (input's channels are its outChannels);
 * the result has `filters.shape[1] · numGroups` channels. With `subsample` > 1 this upsamples.
 *
 * @example
 * const up = T.conv2dTranspose(T.tensor4('h'), T.tensor4('w'), { subsample: 2, outputShape: [28, 28] });
 */
export function conv2dTranspose<DX extends DType, DW extends DType>(
  input: Tensor<DX, 4>,
  filters: Tensor<DW, 4>,
  options: Conv2dTransposeOptions = {},
): Tensor<ConvDType<DX, DW>, 4> {
  const p = convParams('conv2dTranspose', options, ['outputShape']);
  if (options.outputShape === undefined)
    return applyOp(CONV2D_GRAD_INPUTS, { ...p, shape: null }, [input, filters])[0] as never;
  const { params, inputs } = lengthArgs('conv2dTranspose', 'outputShape', options.outputShape);
  return applyOp(CONV2D_GRAD_INPUTS, { ...p, shape: params }, [input, filters, ...inputs])[0] as never;
}

/**
 * The gradient of `conv2d(input, filters, options)` with respect to the filters, given the gradient `outputGrad`
 * of its output (Theano's `conv2d_grad_wrt_weights`). The filter shape must be given: with a stride > 1 several
 * filter sizes give the same output size.
 * @example T.conv2dGradWeights(x, gz, { filterShape: [8, 1, 3, 3] })
 */
export function conv2dGradWeights<DX extends DType, DG extends DType>(
  input: Tensor<DX, 4>,
  outputGrad: Tensor<DG, 4>,
  options: Conv2dGradWeightsOptions,
): Tensor<ConvDType<DX, DG>, 4> {
  const p = convParams('conv2dGradWeights', options ?? {}, ['filterShape']);
  if (options?.filterShape === undefined)
    throw new TypeError('conv2dGradWeights: needs options.filterShape ([kRows, kCols])');
  const { params, inputs } = lengthArgs('conv2dGradWeights', 'filterShape', options.filterShape);
  return applyOp(CONV2D_GRAD_WEIGHTS, { ...p, shape: params }, [input, outputGrad, ...inputs])[0] as never;
}

// the pullbacks of the conv ops build with these (through `theano.tensor`)
({ conv2d, conv2dTranspose, conv2dGradWeights, shape }) satisfies ConvBuilder;
