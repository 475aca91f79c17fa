/**
 * 2-D convolution ops, Theano's abstract-conv triangle in NCHW layout:
 *
 * - `conv2d(x, w)`: x (batch, channels, rows, cols), w (outChannels, channels / groups, kRows, kCols);
 * - `conv2d_grad_inputs(gz, w, [rows], [cols])`: the gradient with respect to x, i.e. the transposed convolution;
 * - `conv2d_grad_weights(x, gz, [kRows], [kCols])`: the gradient with respect to w.
 *
 * Each one's pullback is built from the other two, so second derivatives work. All three share `ConvParams`
 * (border, subsample, dilation, groups, flip). The kernels are in `runtime/conv.ts`.
 */
import type { LengthFact, OpDef, PrintedArg, PrintSpec } from '../graph/op.js';
import { castArray } from '../runtime/convert.js';
import {
  conv2dForward,
  conv2dGradInputs,
  conv2dGradWeights,
  flipFilters,
  type ConvGeometry,
  type FloatArray,
} from '../runtime/conv.js';
import { NDArray, shapeToString } from '../runtime/ndarray.js';
import type { Tensor } from '../tensor/tensor.js';
import { upcast, upgradeToFloat, type DType } from '../types/dtype.js';
import { TensorType, type StaticDim } from '../types/tensor-type.js';
import { checkScalarInputs, countSymbolic, resolveParams, type DimParam } from './dims.js';

/** Theano's `border_mode`: a named mode or explicit zero padding (rows, cols) on both sides of each axis. */
export type ConvBorder = 'valid' | 'full' | 'half' | readonly [number, number];

export interface ConvParams {
  readonly border: ConvBorder;
  readonly subsample: readonly [number, number];
  readonly filterDilation: readonly [number, number];
  readonly numGroups: number;
  /** true: a convolution (filters flipped, Theano's default); false: a cross-correlation. */
  readonly filterFlip: boolean;
}

export interface ConvShapeParams extends ConvParams {
  /**
   * The spatial lengths of the result (rows, cols): the input image's for grad_inputs, the filters' for
   * grad_weights; a null entry is read from the next integer scalar input. For grad_inputs, `shape: null` means
   * the smallest image the output gradient fits (no extra rows or cols when the stride does not divide).
   */
  readonly shape: readonly [DimParam, DimParam] | null;
}

// ---------------------------------------------------------------------------------------------------------------
// geometry

/** The zero padding of one axis for a filter of dilated length `dilated`. */
export function padOf(border: ConvBorder, axis: 0 | 1, dilated: number): number {
  if (border === 'valid') return 0;
  if (border === 'full') return dilated - 1;
  if (border === 'half') return Math.floor(dilated / 2);
  return border[axis];
}

/** The output length of one axis: floor((in + 2·pad - dilated) / stride) + 1 (Theano's get_conv_shape_1axis). */
export const convOutLength = (input: number, dilated: number, pad: number, stride: number): number =>
  Math.floor((input + 2 * pad - dilated) / stride) + 1;

const dilatedLength = (k: number, dilation: number) => (k - 1) * dilation + 1;

/** The smallest input length whose convolution output has length `out` (Theano's get_conv_gradinputs_shape). */
export const minInputLength = (out: number, dilated: number, pad: number, stride: number): number =>
  (out - 1) * stride - 2 * pad + dilated;

const describeBorder = (b: ConvBorder) => (typeof b === 'string' ? `'${b}'` : `[${b.join(', ')}]`);
const staticText = (t: TensorType) => `(${t.shape.map((d) => d ?? '?').join(', ')})`;

/** Checks params once for every op (the builder validated them too; ops can be applied directly). */
function checkParams(op: string, p: ConvParams): void {
  const positive = (v: unknown) => Number.isInteger(v) && (v as number) > 0;
  if (!p.subsample.every(positive))
    throw new RangeError(`${op}: subsample must be positive integers, got [${p.subsample.join(', ')}]`);
  if (!p.filterDilation.every(positive))
    throw new RangeError(`${op}: filterDilation must be positive integers, got [${p.filterDilation.join(', ')}]`);
  if (!positive(p.numGroups)) throw new RangeError(`${op}: numGroups must be a positive integer, got ${p.numGroups}`);
  if (typeof p.border !== 'string' && !p.border.every((v) => Number.isInteger(v) && v >= 0))
    throw new RangeError(`${op}: border padding must be non-negative integers, got ${describeBorder(p.border)}`);
}

function checkRank4(op: string, what: string, t: TensorType): void {
  if (t.ndim !== 4) throw new TypeError(`${op}: ${what} must be a rank-4 tensor, got ${t}`);
}

/**
 * The channel rule, on static or run-time lengths: the image has numGroups · (filter input channels), and the
 * output channels divide into numGroups groups. null lengths are not checked.
 */
function checkChannels(
  op: string,
  image: readonly StaticDim[],
  filters: readonly StaticDim[],
  groups: number,
  imageName: string,
): void {
  const c = image[1] ?? null;
  const cg = filters[1] ?? null;
  const o = filters[0] ?? null;
  const show = (s: readonly StaticDim[]) => `(${s.map((d) => d ?? '?').join(', ')})`;
  if (c !== null && c % groups !== 0)
    throw new RangeError(`${op}: numGroups ${groups} does not divide the ${c} channels of ${imageName} ${show(image)}`);
  if (o !== null && o % groups !== 0)
    throw new RangeError(
      `${op}: numGroups ${groups} does not divide the ${o} output channels of filters ${show(filters)}`,
    );
  if (c !== null && cg !== null && c !== cg * groups) {
    throw new RangeError(
      `${op}: ${imageName} ${show(image)} has ${c} channels, but filters ${show(filters)} take ${cg} per group` +
        (groups > 1 ? ` x ${groups} groups = ${cg * groups}` : '') +
        ' (filters are (outChannels, channels / numGroups, kRows, kCols))',
    );
  }
}

/** The output length of one axis from static lengths, or null; throws when the filter does not fit. */
function staticOutLength(
  op: string,
  p: ConvParams,
  axis: 0 | 1,
  input: StaticDim,
  k: StaticDim,
  image: string,
): StaticDim {
  if (k === null) return null;
  const dilated = dilatedLength(k, p.filterDilation[axis]);
  const pad = padOf(p.border, axis, dilated);
  if (input === null) return null;
  if (input + 2 * pad < dilated) {
    throw new RangeError(
      `${op}: the ${axis === 0 ? 'rows' : 'cols'} of the filters (${k}${p.filterDilation[axis] > 1 ? `, ${dilated} dilated` : ''}) ` +
        `exceed the ${input} ${axis === 0 ? 'rows' : 'cols'} of ${image} padded by ${pad} on each side (border ${describeBorder(p.border)})`,
    );
  }
  return convOutLength(input, dilated, pad, p.subsample[axis]);
}

const floatOf = (a: TensorType, b: TensorType): DType => upgradeToFloat(upcast(a.dtype, b.dtype));

/** A contiguous float array of `dtype` with `x`'s values (`x` itself when it already is one). */
function asFloat(x: NDArray, dtype: DType): FloatArray {
  const a = x.dtype === dtype ? x.contiguous() : castArray(x, dtype);
  return a.data as FloatArray;
}

/** The geometry of a run, with every check of the lengths (the static checks again, on the real lengths). */
function geometry(
  op: string,
  p: ConvParams,
  image: readonly number[],
  filters: readonly number[],
  imageName: string,
): ConvGeometry {
  checkChannels(op, image, filters, p.numGroups, imageName);
  const [batch, inChannels, inRows, inCols] = image as [number, number, number, number];
  const [outChannels, , kRows, kCols] = filters as [number, number, number, number];
  const dr = dilatedLength(kRows, p.filterDilation[0]);
  const dc = dilatedLength(kCols, p.filterDilation[1]);
  const outRows = staticOutLength(op, p, 0, inRows, kRows, `${imageName} ${shapeToString(image)}`)!;
  const outCols = staticOutLength(op, p, 1, inCols, kCols, `${imageName} ${shapeToString(image)}`)!;
  return {
    batch,
    inChannels,
    inRows,
    inCols,
    outChannels,
    kRows,
    kCols,
    outRows,
    outCols,
    padRows: padOf(p.border, 0, dr),
    padCols: padOf(p.border, 1, dc),
    strideRows: p.subsample[0],
    strideCols: p.subsample[1],
    dilRows: p.filterDilation[0],
    dilCols: p.filterDilation[1],
    groups: p.numGroups,
  };
}

/** Run-time check that an output gradient has the output's shape for this geometry. */
function checkTopShape(op: string, g: ConvGeometry, top: readonly number[]): void {
  const want = [g.batch, g.outChannels, g.outRows, g.outCols];
  if (top.some((d, i) => d !== want[i])) {
    throw new RangeError(
      `${op}: the output gradient has shape ${shapeToString(top)}, but the convolution of an image ` +
        `${shapeToString([g.batch, g.inChannels, g.inRows, g.inCols])} with filters ` +
        `${shapeToString([g.outChannels, g.inChannels / g.groups, g.kRows, g.kCols])} gives ${shapeToString(want)}`,
    );
  }
}

/** The filters the cross-correlation kernels take: flipped for a true convolution. */
function kernelFilters(w: FloatArray, g: ConvGeometry, flip: boolean): FloatArray {
  return flip ? flipFilters(w, g.outChannels * (g.inChannels / g.groups), g.kRows, g.kCols) : w;
}

// ---------------------------------------------------------------------------------------------------------------
// printing, params keys, gradients of the three ops

const paramsText = (p: ConvParams): string[] => [
  `border=${describeBorder(p.border)}`,
  ...(p.subsample[0] !== 1 || p.subsample[1] !== 1 ? [`subsample=[${p.subsample.join(', ')}]`] : []),
  ...(p.filterDilation[0] !== 1 || p.filterDilation[1] !== 1
    ? [`filterDilation=[${p.filterDilation.join(', ')}]`]
    : []),
  ...(p.numGroups !== 1 ? [`numGroups=${p.numGroups}`] : []),
  ...(p.filterFlip ? [] : ['filterFlip=false']),
];
const convKey = (p: ConvParams) =>
  `${typeof p.border === 'string' ? p.border : p.border.join(',')}|${p.subsample.join(',')}|${p.filterDilation.join(',')}|${p.numGroups}|${p.filterFlip}`;
const shapeKey = (p: ConvShapeParams) =>
  `${convKey(p)}|${p.shape === null ? 'min' : p.shape.map((d) => d ?? '?').join(',')}`;

const callPrint = (name: string): PrintSpec<ConvParams> => ({
  kind: 'custom',
  format: (args: readonly PrintedArg[], p) => `${name}(${[...args.map((a) => a.text), ...paramsText(p)].join(', ')})`,
});

/** The conv params of any of the three ops (without `shape`). */
const convParamsOf = (p: ConvParams): ConvParams => ({
  border: p.border,
  subsample: p.subsample,
  filterDilation: p.filterDilation,
  numGroups: p.numGroups,
  filterFlip: p.filterFlip,
});

/**
 * The builder functions the pullbacks use, in plain signatures (method syntax: the real, rank-typed functions of
 * `src/tensor/conv.ts` are checked against this with `satisfies` there).
 */
export interface ConvBuilder {
  conv2d(x: Tensor, w: Tensor, options: Partial<ConvParams>): Tensor;
  conv2dTranspose(
    gz: Tensor,
    w: Tensor,
    options: Partial<ConvParams> & { outputShape?: readonly [Length, Length] },
  ): Tensor;
  conv2dGradWeights(
    x: Tensor,
    gz: Tensor,
    options: Partial<ConvParams> & { filterShape: readonly [Length, Length] },
  ): Tensor;
  shape(x: Tensor, axis: number): Tensor<'int64', 0>;
}

type Length = number | Tensor<DType, 0>;

/** The spatial lengths of `t` (axes 2 and 3), as numbers where static, else as symbolic lengths. */
function spatialOf(t: Tensor, T: ConvBuilder): [Length, Length] {
  const s = t.type.shape;
  return [s[2] ?? T.shape(t, 2), s[3] ?? T.shape(t, 3)];
}

// ---------------------------------------------------------------------------------------------------------------
// conv2d

/** conv2d(x, w): out (batch, outChannels, outRows, outCols). */
export const CONV2D: OpDef<ConvParams> = {
  name: 'conv2d',
  inferType([x, w], p) {
    checkParams('conv2d', p);
    checkRank4('conv2d', 'the input', x!);
    checkRank4('conv2d', 'the filters', w!);
    checkChannels('conv2d', x!.shape, w!.shape, p.numGroups, 'the input');
    const rows = staticOutLength('conv2d', p, 0, x!.shape[2]!, w!.shape[2]!, `the input ${staticText(x!)}`);
    const cols = staticOutLength('conv2d', p, 1, x!.shape[3]!, w!.shape[3]!, `the input ${staticText(x!)}`);
    return [new TensorType(floatOf(x!, w!), [x!.shape[0]!, w!.shape[0]!, rows, cols])];
  },
  inferShape: ([x, w], p) => {
    const rows =
      x!.shape[2]! !== null && w!.shape[2]! !== null
        ? staticOutLength('conv2d', p, 0, x!.shape[2]!, w!.shape[2]!, '')
        : null;
    const cols =
      x!.shape[3]! !== null && w!.shape[3]! !== null
        ? staticOutLength('conv2d', p, 1, x!.shape[3]!, w!.shape[3]!, '')
        : null;
    return [[{ input: 0, axis: 0 }, { input: 1, axis: 0 }, rows, cols]];
  },
  evaluate([x, w], p, [type], alloc = NDArray.zeros, kernels) {
    const dtype = type!.dtype;
    const g = geometry('conv2d', p, x!.shape, w!.shape, 'the input');
    const out = alloc(dtype, [g.batch, g.outChannels, g.outRows, g.outCols]);
    const filters = kernelFilters(asFloat(w!, dtype), g, p.filterFlip);
    conv2dForward(asFloat(x!, dtype), filters, out.data as FloatArray, g, 'auto', kernels?.floatGemm);
    return [out];
  },
  // out = A_w x is linear in x and in w: gx = A_wᵀ gz (grad_inputs), gw = the correlation of x with gz (grad_weights)
  pullback: ({ inputs: [x, w], grads: [gz], params }, T) => {
    if (!gz) return [null, null];
    const B = T as unknown as ConvBuilder;
    return [
      B.conv2dTranspose(gz, w!, { ...convParamsOf(params), outputShape: spatialOf(x!, B) }),
      B.conv2dGradWeights(x!, gz, { ...convParamsOf(params), filterShape: spatialOf(w!, B) }),
    ];
  },
  print: callPrint('conv2d'),
  paramsKey: convKey,
};

// ---------------------------------------------------------------------------------------------------------------
// conv2d_grad_inputs (the transposed convolution)

/** The static spatial lengths of grad_inputs' result. */
function gradInputsSpatial(gz: TensorType, w: TensorType, p: ConvShapeParams): [StaticDim, StaticDim] {
  if (p.shape !== null) return [p.shape[0], p.shape[1]];
  return ([0, 1] as const).map((axis) => {
    const out = gz.shape[2 + axis]!;
    const k = w.shape[2 + axis]!;
    if (out === null || k === null) return null;
    const dilated = dilatedLength(k, p.filterDilation[axis]);
    return minInputLength(out, dilated, padOf(p.border, axis, dilated), p.subsample[axis]);
  }) as [StaticDim, StaticDim];
}

function sizeFacts(p: ConvShapeParams, first: number, fallback: readonly StaticDim[]): LengthFact[] {
  if (p.shape === null) return [...fallback];
  let next = first;
  return p.shape.map((d) => (d === null ? { size: next++ } : d));
}

/** conv2d_grad_inputs(gz, w, ...sizes): the image-shaped gradient (batch, channels, rows, cols). */
export const CONV2D_GRAD_INPUTS: OpDef<ConvShapeParams> = {
  name: 'conv2d_grad_inputs',
  inferType(inputs, p) {
    const [gz, w] = inputs as [TensorType, TensorType];
    const op = 'conv2dTranspose';
    checkParams(op, p);
    checkRank4(op, 'the input (an output gradient)', gz);
    checkRank4(op, 'the filters', w);
    checkScalarInputs(inputs, 2, p.shape === null ? 0 : countSymbolic(p.shape), op, 'output length');
    const o = gz.shape[1]!;
    if (o !== null && w.shape[0] !== null && o !== w.shape[0])
      throw new RangeError(
        `${op}: the input ${staticText(gz)} has ${o} channels, but the filters ${staticText(w)} have ${w.shape[0]} output channels`,
      );
    const [rows, cols] = gradInputsSpatial(gz, w, p);
    if ((rows !== null && rows < 1) || (cols !== null && cols < 1))
      throw new RangeError(
        `${op}: the output would have no rows or cols (${rows ?? '?'} x ${cols ?? '?'}) for the input ${staticText(gz)}`,
      );
    const cg = w.shape[1]!;
    return [new TensorType(floatOf(gz, w), [gz.shape[0]!, cg === null ? null : cg * p.numGroups, rows, cols])];
  },
  inferShape: ([gz, w], p) => {
    const channels =
      p.numGroups === 1 ? { input: 1, axis: 1 } : w!.shape[1] === null ? null : w!.shape[1]! * p.numGroups;
    return [[{ input: 0, axis: 0 }, channels, ...sizeFacts(p, 2, gradInputsSpatial(gz!, w!, p))]];
  },
  evaluate(inputs, p, [type], alloc = NDArray.zeros, kernels) {
    const [gz, w] = inputs as [NDArray, NDArray];
    const dtype = type!.dtype;
    const [rows, cols] =
      p.shape === null
        ? (gradInputsSpatial(new TensorType(dtype, gz.shape), new TensorType(dtype, w.shape), p) as [number, number])
        : resolveParams(p.shape, inputs, 2);
    const op = 'conv2dTranspose';
    if (!(rows! >= 1 && cols! >= 1))
      throw new RangeError(
        `${op}: the output would have no rows or cols (${rows} x ${cols}) for the input ${shapeToString(gz.shape)}`,
      );
    const image = [gz.shape[0]!, w.shape[1]! * p.numGroups, rows!, cols!];
    const g = geometry(op, p, image, w.shape, 'the output image');
    checkTopShape(op, g, gz.shape);
    const out = alloc(dtype, image);
    const filters = kernelFilters(asFloat(w, dtype), g, p.filterFlip);
    conv2dGradInputs(asFloat(gz, dtype), filters, out.data as FloatArray, g, kernels?.floatGemm);
    return [out];
  },
  // gx = A_wᵀ gz is linear in gz and in w: d gz = A_w ggx (conv2d), d w = the correlation of ggx with gz
  pullback: ({ inputs: [gz, w], grads: [ggx], params }, T) => {
    const sizes = params.shape === null ? [] : params.shape.filter((d) => d === null).map(() => null);
    if (!ggx) return [null, null, ...sizes];
    const B = T as unknown as ConvBuilder;
    const p = convParamsOf(params);
    return [B.conv2d(ggx, w!, p), B.conv2dGradWeights(ggx, gz!, { ...p, filterShape: spatialOf(w!, B) }), ...sizes];
  },
  print: callPrint('conv2d_grad_inputs') as PrintSpec<ConvShapeParams>,
  paramsKey: shapeKey,
};

// ---------------------------------------------------------------------------------------------------------------
// conv2d_grad_weights

/** conv2d_grad_weights(x, gz, ...sizes): the filter-shaped gradient (outChannels, channels / groups, kRows, kCols). */
export const CONV2D_GRAD_WEIGHTS: OpDef<ConvShapeParams> = {
  name: 'conv2d_grad_weights',
  inferType(inputs, p) {
    const [x, gz] = inputs as [TensorType, TensorType];
    const op = 'conv2dGradWeights';
    checkParams(op, p);
    checkRank4(op, 'the input', x);
    checkRank4(op, 'the output gradient', gz);
    if (p.shape === null) throw new TypeError(`${op}: needs the filter shape (rows, cols)`);
    checkScalarInputs(inputs, 2, countSymbolic(p.shape), op, 'filter length');
    const c = x.shape[1]!;
    if (c !== null && c % p.numGroups !== 0)
      throw new RangeError(
        `${op}: numGroups ${p.numGroups} does not divide the ${c} channels of the input ${staticText(x)}`,
      );
    const [b0, b1] = [x.shape[0]!, gz.shape[0]!];
    if (b0 !== null && b1 !== null && b0 !== b1)
      throw new RangeError(
        `${op}: the input ${staticText(x)} and the output gradient ${staticText(gz)} have different batch sizes`,
      );
    return [
      new TensorType(floatOf(x, gz), [gz.shape[1]!, c === null ? null : c / p.numGroups, p.shape[0], p.shape[1]]),
    ];
  },
  inferShape: ([x], p) => {
    const channels =
      p.numGroups === 1 ? { input: 0, axis: 1 } : x!.shape[1] === null ? null : x!.shape[1]! / p.numGroups;
    return [[{ input: 1, axis: 1 }, channels, ...sizeFacts(p, 2, [null, null])]];
  },
  evaluate(inputs, p, [type], alloc = NDArray.zeros, kernels) {
    const [x, gz] = inputs as [NDArray, NDArray];
    const dtype = type!.dtype;
    const op = 'conv2dGradWeights';
    const [kRows, kCols] = resolveParams(p.shape!, inputs, 2);
    const filters = [gz.shape[1]!, x.shape[1]! / p.numGroups, kRows!, kCols!];
    if (x.shape[1]! % p.numGroups !== 0)
      throw new RangeError(
        `${op}: numGroups ${p.numGroups} does not divide the ${x.shape[1]} channels of the input ${shapeToString(x.shape)}`,
      );
    const g = geometry(op, p, x.shape, filters, 'the input');
    checkTopShape(op, g, gz.shape);
    const out = alloc(dtype, filters);
    const data = out.data as FloatArray;
    conv2dGradWeights(asFloat(x, dtype), asFloat(gz, dtype), data, g, kernels?.floatGemm);
    // the kernel computed the gradient of the cross-correlation filters; a convolution's filters are those flipped
    if (p.filterFlip) data.set(flipFilters(data, g.outChannels * (g.inChannels / g.groups), g.kRows, g.kCols));
    return [out];
  },
  // gw = G(x, gz) is bilinear, with <G(x, gz), h> = <A_h x, gz>: d x = A_hᵀ gz with h = ggw (grad_inputs),
  // d gz = A_ggw x (conv2d)
  pullback: ({ inputs: [x, gz], grads: [ggw], params }, T) => {
    const sizes = params.shape!.filter((d) => d === null).map(() => null);
    if (!ggw) return [null, null, ...sizes];
    const B = T as unknown as ConvBuilder;
    const p = convParamsOf(params);
    return [B.conv2dTranspose(gz!, ggw, { ...p, outputShape: spatialOf(x!, B) }), B.conv2d(x!, ggw, p), ...sizes];
  },
  print: callPrint('conv2d_grad_weights') as PrintSpec<ConvShapeParams>,
  paramsKey: shapeKey,
};
