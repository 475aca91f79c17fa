/**
 * How each op that is not elementwise is written in ONNX: a table keyed by op name (typed against the registry,
 * so a renamed op is a compile error here). An op missing from the table does not export; the error names it.
 */
import type { Apply, Variable } from '../graph/variable.js';
import { leafValue } from '../graph/evaluate.js';
import type { ArgReduceParams } from '../ops/argreduce.js';
import type { ConvParams } from '../ops/conv.js';
import { padOf } from '../ops/conv.js';
import type { DimShuffleParams } from '../ops/dimshuffle.js';
import type { PoolParams } from '../ops/pool.js';
import type { ReduceParams } from '../ops/reduce.js';
import type { OpName, ParamsOf } from '../ops/registry.js';
import type { AllocParams, FlattenParams, ReshapeParams, ShapeIParams, TileParams } from '../ops/shape.js';
import type { ArangeParams, JoinParams, SplitParams } from '../ops/structure.js';
import type { IndexValue, SubtensorParams } from '../ops/subtensor.js';
import type { TakeParams } from '../ops/advanced-subtensor.js';
import type { SoftmaxParams } from '../ops/nnet.js';
import type { TensordotParams } from '../ops/blas.js';
import type { OnnxGraphContext } from './context.js';
import type { AttributeValue } from './proto.js';

/** Writes one node; returns the ONNX names of its outputs. */
type OpExport<P> = (node: Apply<P>, g: OnnxGraphContext) => string[];

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const out = <P>(node: Apply<P>) => node.outputs[0]!.type;

/** ReduceSum takes its axes as an input from opset 13, the other reductions from opset 18. */
function reduceOp(g: OnnxGraphContext, opType: string, x: string, axes: readonly number[], keepdims: boolean): string {
  const keep = keepdims ? 1 : 0;
  if (opType === 'ReduceSum' || g.opset >= 18) return g.op1(opType, [x, g.int64s(axes)], { keepdims: keep });
  return g.op1(opType, [x], { axes: [...axes], keepdims: keep });
}

const REDUCE_OPS = { sum: 'ReduceSum', prod: 'ReduceProd', max: 'ReduceMax', min: 'ReduceMin' } as const;

/** sum/prod/max/min over axes (none: the input itself, cast); all/any as min/max over 0/1 integers. */
const reduce: OpExport<ReduceParams> = (node, g) => {
  const p = node.params;
  const dtype = out(node).dtype;
  const logical = p.kind === 'all' || p.kind === 'any';
  const x = g.input(node, 0, logical ? 'int32' : dtype);
  if (p.axes.length === 0) return [logical ? g.cast(x, 'int32', 'bool') : g.op1('Identity', [x])]; // ONNX: empty axes = all
  const opType = p.kind === 'all' ? 'ReduceMin' : p.kind === 'any' ? 'ReduceMax' : REDUCE_OPS[p.kind];
  const r = reduceOp(g, opType, x, p.axes, p.keepdims);
  return [logical ? g.cast(r, 'int32', 'bool') : r];
};

/** argmax/argmin (the first extreme, as numpy); over the flattened tensor when the axis is null. */
const argReduce: OpExport<ArgReduceParams> = (node, g) => {
  const { kind, axis, keepdims } = node.params;
  const opType = kind === 'argmax' ? 'ArgMax' : 'ArgMin';
  const x = g.input(node, 0);
  const ndim = node.inputs[0]!.type.ndim;
  if (axis !== null) return [g.op1(opType, [x], { axis, keepdims: keepdims ? 1 : 0, select_last_index: 0 })];
  const flat = g.op1('Reshape', [x, g.int64s([-1])]);
  const r = g.op1(opType, [flat], { axis: 0, keepdims: 0, select_last_index: 0 });
  return [keepdims ? g.op1('Reshape', [r, g.int64s(range(ndim).map(() => 1))]) : r];
};

/**
 * dot and matmul are numpy's matmul on their ranks: ONNX MatMul, both operands in the output dtype. A 1-D operand
 * goes in as a 2-D row (first) or column (second) and its axis is squeezed from the result: the same values, and
 * onnxruntime 1.31 fuses a Transpose into a MatMul of a 1-D second operand wrongly under its default
 * optimizations (`dot(x.T, v)`, a logistic regression's gradient, came out wrong or failed).
 */
const matmul: OpExport<undefined> = (node, g) => {
  const dtype = out(node).dtype;
  const [ra, rb] = [node.inputs[0]!.type.ndim, node.inputs[1]!.type.ndim];
  let a = g.input(node, 0, dtype);
  let b = g.input(node, 1, dtype);
  if (ra > 1 && rb > 1) return [g.op1('MatMul', [a, b])];
  const rank = Math.max(ra, rb, 2);
  const squeezed: number[] = [];
  if (ra === 1) {
    a = g.op1('Unsqueeze', [a, g.int64s([0])]);
    squeezed.push(rank - 2);
  }
  if (rb === 1) {
    b = g.op1('Unsqueeze', [b, g.int64s([1])]);
    squeezed.push(rank - 1);
  }
  return [g.op1('Squeeze', [g.op1('MatMul', [a, b]), g.int64s(squeezed)])];
};

/** Einsum letters for `n` axes starting at letter `from`. */
const letters = (from: number, n: number) => range(n).map((i) => String.fromCharCode(97 + from + i));

/** tensordot as an Einsum: summed axes share letters; the free axes of a, then of b, remain in order. */
const tensordot: OpExport<TensordotParams> = (node, g) => {
  const { axesA, axesB } = node.params;
  const [ra, rb] = [node.inputs[0]!.type.ndim, node.inputs[1]!.type.ndim];
  const a = letters(0, ra);
  const b = letters(ra, rb);
  axesB.forEach((axis, k) => (b[axis] = a[axesA[k]!]!));
  const result = [...a.filter((_, i) => !axesA.includes(i)), ...b.filter((_, i) => !axesB.includes(i))];
  return [einsum(node, g, `${a.join('')},${b.join('')}->${result.join('')}`)];
};

function einsum<P>(node: Apply<P>, g: OnnxGraphContext, equation: string): string {
  const dtype = out(node).dtype;
  return g.op1('Einsum', [g.input(node, 0, dtype), g.input(node, 1, dtype)], { equation });
}

/** batched_dot: per batch item, a's last axis against b's axis 1. */
const batchedDot: OpExport<undefined> = (node, g) => {
  const [ra, rb] = [node.inputs[0]!.type.ndim, node.inputs[1]!.type.ndim];
  const a = ra === 3 ? 'zij' : 'zj';
  const b = rb === 3 ? 'zjk' : 'zj';
  return [einsum(node, g, `${a},${b}->z${ra === 3 ? 'i' : ''}${rb === 3 ? 'k' : ''}`)];
};

/** dimshuffle: Squeeze the dropped axes, Transpose the kept ones, Unsqueeze the new ones ('x'). */
const dimshuffle: OpExport<DimShuffleParams> = (node, g) => {
  const { pattern } = node.params;
  const ndim = node.inputs[0]!.type.ndim;
  let x = g.input(node, 0);
  const kept = pattern.filter((p): p is number => p !== 'x');
  const dropped = range(ndim).filter((i) => !kept.includes(i));
  if (dropped.length > 0) x = g.op1('Squeeze', [x, g.int64s(dropped)]);
  // the kept axes renumbered after the squeeze, in the pattern's order
  const order = kept.map((a) => [...kept].sort((p, q) => p - q).indexOf(a));
  if (order.some((a, i) => a !== i)) x = g.op1('Transpose', [x], { perm: order });
  const added = pattern.flatMap((p, i) => (p === 'x' ? [i] : []));
  if (added.length > 0) x = g.op1('Unsqueeze', [x, g.int64s(added)]);
  return [x === g.input(node, 0) ? g.op1('Identity', [x]) : x];
};

/** reshape: ONNX Reshape with `allowzero` (a 0 in the shape is a length, not "copy this axis"). */
const reshape: OpExport<ReshapeParams> = (node, g) => {
  const { shape, fromVector } = node.params;
  const sizes = fromVector ? g.input(node, 1, 'int64') : g.int64Vector(g.dimValues(shape, node, 1));
  return [g.op1('Reshape', [g.input(node, 0), sizes], { allowzero: 1 })];
};

/** flatten(ndim): keep the first ndim - 1 axes, fold the rest into one. */
const flatten: OpExport<FlattenParams> = (node, g) => {
  const x = g.input(node, 0);
  const keep = node.params.ndim - 1;
  if (keep === 0) return [g.op1('Reshape', [x, g.int64s([-1])])];
  const leading = g.op1('Shape', [x], { start: 0, end: keep });
  return [g.op1('Reshape', [x, g.op1('Concat', [leading, g.int64s([-1])], { axis: 0 })])];
};

const shape: OpExport<undefined> = (node, g) => [g.op1('Shape', [g.input(node, 0)])];
const shapeI: OpExport<ShapeIParams> = (node, g) => [
  g.op1('Gather', [g.op1('Shape', [g.input(node, 0)]), g.int64(node.params.axis)], { axis: 0 }),
];

/** alloc/broadcastTo(value, shape): Expand (numpy broadcasting of the value to the shape). */
const alloc: OpExport<AllocParams> = (node, g) => [
  g.op1('Expand', [g.input(node, 0), g.int64Vector(g.dimValues(node.params.shape, node, 1))]),
];

/** fill(model, value): the value broadcast against the model's shape. */
const fill: OpExport<undefined> = (node, g) => [
  g.op1('Expand', [g.input(node, 1), g.op1('Shape', [g.input(node, 0)])]),
];
const broadcastLike: OpExport<undefined> = (node, g) => [
  g.op1('Expand', [g.input(node, 0), g.op1('Shape', [g.input(node, 1)])]),
];
/**
 * sum_to_shape(g, like): a gradient summed back to `like`'s shape (leading axes, and the axes where `like` has
 * length 1, which may only be known when the model runs): ReduceSum over the leading axes, then over the axes
 * `NonZero(Shape(like) == 1)` gives at run time (summing an axis where g has length 1 too changes nothing;
 * none: `noop_with_empty_axes`), and a Reshape to `like`'s shape.
 */
const sumToShape: OpExport<undefined> = (node, g) => {
  const lead = node.inputs[0]!.type.ndim - node.inputs[1]!.type.ndim;
  let x = g.input(node, 0);
  if (lead > 0) x = g.op1('ReduceSum', [x, g.int64s(range(lead))], { keepdims: 0 });
  const target = g.op1('Shape', [g.input(node, 1)]);
  const ones = g.op1('Equal', [target, g.int64s(node.inputs[1]!.type.shape.map(() => 1))]);
  const axes = g.op1('Reshape', [g.op1('NonZero', [ones]), g.int64s([-1])]);
  const summed = g.op1('ReduceSum', [x, axes], { keepdims: 1, noop_with_empty_axes: 1 });
  return [g.op1('Reshape', [summed, target])];
};

/** tile: numpy pads the shorter of the shape and the counts with leading ones. */
const tile: OpExport<TileParams> = (node, g) => {
  const { reps } = node.params;
  const ndim = node.inputs[0]!.type.ndim;
  let x = g.input(node, 0);
  if (reps.length > ndim) x = g.op1('Unsqueeze', [x, g.int64s(range(reps.length - ndim))]);
  const counts = [...range(Math.max(0, ndim - reps.length)).map(() => 1), ...g.dimValues(reps, node, 1)];
  return [g.op1('Tile', [x, g.int64Vector(counts)])];
};

/** arange(start, stop, step): Range, its bounds scalars of the output dtype (symbolic ones cast). */
const arange: OpExport<ArangeParams> = (node, g) => {
  const dtype = out(node).dtype;
  const bounds = g.dimValues([node.params.start, node.params.stop, node.params.step], node, 0);
  const scalars = bounds.map((b) =>
    typeof b === 'number' ? g.scalar(b, dtype) : g.cast(g.nameOf(b), b.type.dtype, dtype),
  );
  return [g.op1('Range', scalars)];
};

const concatenate: OpExport<JoinParams> = (node, g) => {
  const dtype = out(node).dtype;
  return [
    g.op1(
      'Concat',
      node.inputs.map((_, i) => g.input(node, i, dtype)),
      { axis: node.params.axis },
    ),
  ];
};

const split: OpExport<SplitParams> = (node, g) => {
  const { axis, sizes } = node.params;
  const parts = g.int64Vector(g.dimValues(sizes, node, 1));
  return g.op('Split', [g.input(node, 0), parts], { axis }, sizes.length);
};

/** take(x, indices, axis): Gather (negative indices count from the end in both). */
const take: OpExport<TakeParams> = (node, g) => [
  g.op1('Gather', [g.input(node, 0), g.input(node, 1, 'int64')], { axis: node.params.axis }),
];

/** Slice bounds as numbers or symbolic scalars; null: the end numpy would use for that step direction. */
const INT64_MAX = Number.MAX_SAFE_INTEGER;
const bound = <P>(v: IndexValue | null, dflt: number, node: Apply<P>, first: number): number | Variable =>
  v === null ? dflt : typeof v === 'number' ? v : node.inputs[first + v.symbol]!;

/**
 * x[index]: one Slice for the slices (numpy's clamping is ONNX's), one Gather per integer (dropping its axis,
 * the last axis first so the others keep their numbers), then Unsqueeze for the new axes.
 */
const subtensor: OpExport<SubtensorParams> = (node, g) => {
  const { entries } = node.params.index;
  const starts: (number | Variable)[] = [];
  const ends: (number | Variable)[] = [];
  const steps: (number | Variable)[] = [];
  const axes: number[] = [];
  const ints: [number, IndexValue][] = [];
  const added: number[] = [];
  let axis = 0;
  let outAxis = 0;
  for (const e of entries) {
    if (e.kind === 'newaxis') added.push(outAxis++);
    else if (e.kind === 'int') ints.push([axis++, e.index]);
    else {
      const step = bound(e.step, 1, node, 1);
      const backwards = typeof step === 'number' ? step < 0 : null;
      if (backwards === null && (e.start === null || e.stop === null))
        throw g.unsupported('a slice with a symbolic step and an open bound does not export');
      starts.push(bound(e.start, backwards ? INT64_MAX : 0, node, 1));
      ends.push(bound(e.stop, backwards ? -INT64_MAX : INT64_MAX, node, 1));
      steps.push(step);
      axes.push(axis++);
      outAxis++;
    }
  }
  let x = g.input(node, 0);
  if (axes.length > 0) {
    const [s, e, st] = [starts, ends, steps].map((v) => g.int64Vector(v));
    x = g.op1('Slice', [x, s!, e!, g.int64s(axes), st!]);
  }
  for (const [a, index] of ints.reverse()) {
    const i = typeof index === 'number' ? g.int64(index) : g.input(node, 1 + index.symbol, 'int64');
    x = g.op1('Gather', [x, i], { axis: a });
  }
  if (added.length > 0) x = g.op1('Unsqueeze', [x, g.int64s(added)]);
  return [x === g.input(node, 0) ? g.op1('Identity', [x]) : x];
};

const softmax =
  (opType: string): OpExport<SoftmaxParams> =>
  (node, g) => [g.op1(opType, [g.input(node, 0)], { axis: node.params.axis })];

/** -log(coding[..., labels]): the label's entry of each row, gathered along the last axis. */
const crossentropy: OpExport<Record<string, never>> = (node, g) => {
  const dtype = out(node).dtype;
  const coding = g.input(node, 0, dtype);
  const last = node.inputs[0]!.type.ndim - 1;
  const labels = g.op1('Unsqueeze', [g.input(node, 1, 'int64'), g.int64s([last])]);
  const picked = g.op1('Squeeze', [g.op1('GatherElements', [coding, labels], { axis: last }), g.int64s([last])]);
  return [g.op1('Neg', [g.op1('Log', [picked])])];
};

/**
 * A static spatial length of the filters, needed for 'full' and 'half' borders: from their type, or from their
 * value when they are a shared variable or a constant (a trained net's filters: the model holds that value).
 */
function filterLength(node: Apply<ConvParams>, g: OnnxGraphContext, axis: 0 | 1): number {
  const filters = node.inputs[1]!;
  const k = filters.type.shape[2 + axis] ?? leafValue(filters)?.shape[2 + axis];
  if (k === null || k === undefined)
    throw g.unsupported(`a '${String(node.params.border)}' border needs the filters' spatial shape known statically`);
  return k;
}

/**
 * conv2d: ONNX Conv is a cross-correlation, so Theano's default (a convolution, filterFlip) reverses the filters'
 * spatial axes first, with a Slice of step -1 (which works on filters computed in the graph too).
 */
const conv2d: OpExport<ConvParams> = (node, g) => {
  const p = node.params;
  const dtype = out(node).dtype;
  let w = g.input(node, 1, dtype);
  if (p.filterFlip)
    w = g.op1('Slice', [
      w,
      g.int64s([-1, -1]),
      g.int64s([-INT64_MAX, -INT64_MAX]),
      g.int64s([2, 3]),
      g.int64s([-1, -1]),
    ]);
  const pad = ([0, 1] as const).map((a) =>
    typeof p.border === 'string' && p.border !== 'valid'
      ? padOf(p.border, a, (filterLength(node, g, a) - 1) * p.filterDilation[a] + 1)
      : padOf(p.border, a, 0),
  );
  const attributes: Record<string, AttributeValue> = {
    strides: [...p.subsample],
    dilations: [...p.filterDilation],
    group: p.numGroups,
    pads: [pad[0]!, pad[1]!, pad[0]!, pad[1]!],
  };
  return [g.op1('Conv', [g.input(node, 0, dtype), w], attributes)];
};

/**
 * pool2d over the last two axes: MaxPool or AveragePool on (planes, 1, rows, cols), reshaped back. Theano's
 * ignoreBorder: false keeps the partial windows at the end, ONNX's ceil_mode; 'sum' is the average over the
 * whole (padded) window times its size.
 */
const pool2d: OpExport<PoolParams> = (node, g) => {
  const p = node.params;
  const ndim = node.inputs[0]!.type.ndim;
  let x = g.input(node, 0);
  const inShape = g.op1('Shape', [x]);
  if (ndim !== 4)
    x = g.op1('Reshape', [x, g.op1('Concat', [g.int64s([-1, 1]), g.op1('Shape', [x], { start: -2 })], { axis: 0 })]);
  const attributes: Record<string, AttributeValue> = {
    kernel_shape: [...p.ws],
    strides: [...p.stride],
    pads: [p.pad[0], p.pad[1], p.pad[0], p.pad[1]],
    ceil_mode: p.ignoreBorder ? 0 : 1,
  };
  let y: string;
  if (p.mode === 'max') y = g.op1('MaxPool', [x], attributes);
  else {
    const includePad = p.mode === 'average_exc_pad' ? 0 : 1;
    y = g.op1('AveragePool', [x], { ...attributes, count_include_pad: includePad });
    if (p.mode === 'sum') y = g.op1('Mul', [y, g.scalar(p.ws[0] * p.ws[1], out(node).dtype)]);
  }
  if (ndim === 4) return [y];
  const leading = g.op1('Slice', [inShape, g.int64s([0]), g.int64s([-2])]);
  return [g.op1('Reshape', [y, g.op1('Concat', [leading, g.op1('Shape', [y], { start: -2 })], { axis: 0 })])];
};

/** Gradient modifiers change only gradients: the value passes through. */
const identity = <P>(node: Apply<P>, g: OnnxGraphContext): string[] => [g.op1('Identity', [g.input(node, 0)])];

type OpTable = { readonly [K in OpName]?: OpExport<ParamsOf<K>> };

export const OP_EXPORTS: OpTable = {
  reduce,
  arg_reduce: argReduce,
  dot: matmul,
  matmul,
  tensordot,
  batched_dot: batchedDot,
  dimshuffle,
  reshape,
  flatten,
  shape,
  shape_i: shapeI,
  alloc,
  broadcastTo: alloc,
  fill,
  broadcast_like: broadcastLike,
  sum_to_shape: sumToShape,
  tile,
  arange,
  concatenate,
  split,
  take,
  subtensor,
  softmax: softmax('Softmax'),
  log_softmax: softmax('LogSoftmax'),
  crossentropy_categorical_1hot: crossentropy,
  conv2d,
  pool2d,
  grad_modifier: identity,
};
