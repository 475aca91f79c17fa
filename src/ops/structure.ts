/** Structure ops: concatenate (join), split, arange, eye, tril/triu, repeat, roll, cumsum/cumprod. */
import type { GradBuilder, OpDef } from '../graph/op.js';
import type { Tensor } from '../tensor/tensor.js';
import { castArray, scalarCaster } from '../runtime/convert.js';
import { NDArray } from '../runtime/ndarray.js';
import { isFloat, isInt, upcastAll, type DType } from '../types/dtype.js';
import { TensorType, type StaticDim } from '../types/tensor-type.js';
import {
  checkScalarInputs,
  countSymbolic,
  dataPosition,
  dimsText,
  forEachIndex,
  gather,
  integerIndices,
  printedParams,
  resolveParams,
  scalarValue,
  show,
  staticSize,
  type DimParam,
} from './dims.js';
import { NO_SHAPE_FACTS, axesOf, sizeFacts } from './shape-facts.js';

const json = (p: unknown): string => JSON.stringify(p);

// ---------------------------------------------------------------------------------------------------------------
// concatenate and split

export interface JoinParams {
  /** The (non-negative) axis the inputs are joined along. */
  readonly axis: number;
}

/** `concatenate(tensors, axis)` (Theano's Join): the inputs, upcast to one dtype, end to end along `axis`. */
export const JOIN: OpDef<JoinParams> = {
  name: 'concatenate',
  // every axis but the joined one is input 0's (the inputs must agree there)
  inferShape: ([first], { axis }) => [first!.shape.map((_, k) => (k === axis ? null : { input: 0, axis: k }))],
  inferType(inputs, { axis }) {
    if (inputs.length === 0) throw new RangeError('concatenate: needs at least one tensor');
    const first = inputs[0]!;
    if (first.ndim === 0) throw new RangeError('concatenate: cannot join scalars (rank 0); use stack');
    if (!Number.isInteger(axis) || axis < 0 || axis >= first.ndim)
      throw new RangeError(`concatenate: axis ${axis} is out of range for rank ${first.ndim}`);
    const shape: StaticDim[] = [...first.shape];
    inputs.forEach((t, i) => {
      if (t.ndim !== first.ndim)
        throw new RangeError(
          `concatenate: all tensors must have the same rank; input 0 is ${first}, input ${i} is ${t}`,
        );
      if (i === 0) return;
      t.shape.forEach((d, k) => {
        if (k === axis) shape[k] = shape[k] === null || d === null ? null : shape[k]! + d;
        else if (d !== null) {
          if (shape[k] !== null && shape[k] !== d) {
            throw new RangeError(
              `concatenate: input ${i} (${t}) does not match the others outside axis ${axis}: axis ${k} has length ${d}, not ${shape[k]}`,
            );
          }
          shape[k] = d;
        }
      });
    });
    return [new TensorType(upcastAll(inputs.map((t) => t.dtype)), shape)];
  },
  evaluate(inputs, { axis }, [type]) {
    const first = inputs[0]!;
    inputs.forEach((a, i) => {
      const clash = a.ndim !== first.ndim || a.shape.some((d, k) => k !== axis && d !== first.shape[k]);
      if (clash) {
        throw new RangeError(
          `concatenate: input ${i} has shape ${show(a.shape)}, which does not match input 0's shape ${show(first.shape)} outside axis ${axis} (shapes ${inputs.map((x) => show(x.shape)).join(', ')})`,
        );
      }
    });
    const parts = inputs.map((a) => castArray(a, type!.dtype));
    const starts: number[] = [];
    let length = 0;
    for (const a of parts) {
      starts.push(length);
      length += a.shape[axis]!;
    }
    const shape = [...first.shape];
    shape[axis] = length;
    const out = NDArray.zeros(type!.dtype, shape);
    const dst = out.data as unknown as { [i: number]: number | bigint };
    parts.forEach((a, p) => {
      const src = a.data as ArrayLike<number | bigint>;
      forEachIndex(a.shape, (idx, i) => {
        let pos = 0;
        for (let k = 0; k < shape.length; k++) pos += (k === axis ? idx[k]! + starts[p]! : idx[k]!) * out.strides[k]!;
        dst[pos] = src[i]!;
      });
    });
    return [out];
  },
  // each input gets its own stretch of the gradient along the axis
  pullback: ({ inputs, grads: [gz], params: { axis } }, T) =>
    gz
      ? T.split(
          gz,
          inputs.map((x) => T.shape(x, axis)),
          axis,
        )
      : inputs.map(() => null),
  print: { kind: 'call', args: (p) => [`axis=${p.axis}`] },
  paramsKey: (p) => String(p.axis),
};

export interface SplitParams {
  /** The (non-negative) axis to cut. */
  readonly axis: number;
  /** The length of each piece along `axis`; null: read from an integer scalar input. */
  readonly sizes: readonly DimParam[];
}

/** `split(x, sizes, axis)`: consecutive pieces of `x` along `axis`, one output per size (they must add up). */
export const SPLIT: OpDef<SplitParams> = {
  name: 'split',
  inferShape: ([x], { axis, sizes }) =>
    sizeFacts(sizes, 1).map((size) => x!.shape.map((_, k) => (k === axis ? size : { input: 0, axis: k }))),
  inferType(inputs, { axis, sizes }) {
    const x = inputs[0]!;
    checkScalarInputs(inputs, 1, countSymbolic(sizes), 'split', 'size');
    if (x.ndim === 0) throw new RangeError('split: cannot split a scalar');
    if (!Number.isInteger(axis) || axis < 0 || axis >= x.ndim)
      throw new RangeError(`split: axis ${axis} is out of range for ${x}`);
    if (sizes.length === 0) throw new RangeError('split: needs at least one size');
    for (const s of sizes)
      if (s !== null && (!Number.isInteger(s) || s < 0))
        throw new RangeError(`split: invalid size ${s} in ${dimsText(sizes)}`);
    const total = sizes.every((s) => s !== null) ? (sizes as number[]).reduce((a, s) => a + s, 0) : null;
    const length = x.shape[axis]!;
    if (total !== null && length !== null && total !== length) {
      throw new RangeError(
        `split: the sizes ${dimsText(sizes)} add up to ${total}, but axis ${axis} of ${x} has length ${length}`,
      );
    }
    return sizes.map(
      (s) =>
        new TensorType(
          x.dtype,
          x.shape.map((d, k) => (k === axis ? s : d)),
        ),
    );
  },
  evaluate(inputs, { axis, sizes }) {
    const x = inputs[0]!;
    const lengths = resolveParams(sizes, inputs, 1);
    const total = lengths.reduce((a, b) => a + b, 0);
    if (lengths.some((s) => !Number.isInteger(s) || s < 0) || total !== x.shape[axis]) {
      throw new RangeError(
        `split: cannot split an array of shape ${show(x.shape)} into sizes ${show(lengths)} along axis ${axis} (its length is ${x.shape[axis]})`,
      );
    }
    let start = 0;
    return lengths.map((s) => {
      const from = start;
      start += s;
      const shape = x.shape.map((d, k) => (k === axis ? s : d));
      return gather(x, shape, (idx) =>
        dataPosition(
          x,
          idx.map((i, k) => (k === axis ? i + from : i)),
        ),
      );
    });
  },
  // the pieces' gradients side by side (zeros for a piece that does not reach the cost)
  pullback: ({ inputs: [, ...sizes], outputs, grads, params: { axis } }, T) => {
    if (grads.every((g) => g === null)) return [null, ...sizes.map(() => null)];
    return [
      T.concatenate(
        grads.map((g, i) => g ?? T.zerosLike(outputs[i]!)),
        axis,
      ),
      ...sizes.map(() => null),
    ];
  },
  print: {
    kind: 'custom',
    format: ([x, ...rest], p) => `split(${x!.text}, [${printedParams(p.sizes, rest, 0).join(', ')}], axis=${p.axis})`,
  },
  paramsKey: (p) => `${p.axis}|${p.sizes.join(',')}`,
};

// ---------------------------------------------------------------------------------------------------------------
// arange and eye

export interface ArangeParams {
  /** start, stop, step: numbers, or null for a value read from a numeric scalar input (in this order). */
  readonly start: number | null;
  readonly stop: number | null;
  readonly step: number | null;
  readonly dtype: DType;
}

/** numpy's length of `arange(start, stop, step)`. */
function arangeLength(start: number, stop: number, step: number): number {
  return Math.max(0, Math.ceil((stop - start) / step));
}

/** `arange(start, stop, step)`: evenly spaced values in [start, stop). */
export const ARANGE: OpDef<ArangeParams> = {
  name: 'arange',
  inferShape: NO_SHAPE_FACTS,
  inferType(inputs, p) {
    const bounds = [p.start, p.stop, p.step];
    checkScalarInputs(inputs, 0, countSymbolic(bounds), 'arange', 'bound', true);
    for (const b of bounds)
      if (b !== null && !Number.isFinite(b))
        throw new RangeError(`arange: start, stop and step must be finite, got ${dimsText(bounds)}`);
    if (p.step === 0) throw new RangeError('arange: step must not be 0');
    const length =
      p.start !== null && p.stop !== null && p.step !== null ? arangeLength(p.start, p.stop, p.step) : null;
    return [new TensorType(p.dtype, [length])];
  },
  evaluate(inputs, p) {
    const [start, stop, step] = resolveParams([p.start, p.stop, p.step], inputs, 0) as [number, number, number];
    if (step === 0) throw new RangeError('arange: step must not be 0');
    if (![start, stop, step].every(Number.isFinite))
      throw new RangeError(`arange: start, stop and step must be finite, got ${show([start, stop, step])}`);
    const n = arangeLength(start, stop, step);
    const out = NDArray.zeros(p.dtype, [n]);
    const dst = out.data as unknown as { [i: number]: number | bigint };
    const cast = scalarCaster(p.dtype);
    for (let i = 0; i < n; i++) dst[i] = cast(start + i * step);
    return [out];
  },
  pullback: 'nondifferentiable',
  print: {
    kind: 'custom',
    format: (args, p) => `arange(${printedParams([p.start, p.stop, p.step], args, 0).join(', ')}, dtype=${p.dtype})`,
  },
  paramsKey: json,
};

export interface EyeParams {
  /** Rows, columns and the diagonal (0 main, > 0 above, < 0 below); null: read from an integer scalar input. */
  readonly n: DimParam;
  readonly m: DimParam;
  readonly k: DimParam;
  readonly dtype: DType;
}

/** `eye(n, m, k)`: an n x m matrix with ones on diagonal k and zeros elsewhere. */
export const EYE: OpDef<EyeParams> = {
  name: 'eye',
  inferShape: NO_SHAPE_FACTS,
  inferType(inputs, p) {
    checkScalarInputs(inputs, 0, countSymbolic([p.n, p.m, p.k]), 'eye', 'argument');
    for (const d of [p.n, p.m])
      if (d !== null && (!Number.isInteger(d) || d < 0))
        throw new RangeError(`eye: sizes must be non-negative integers, got ${d}`);
    if (p.k !== null && !Number.isInteger(p.k)) throw new RangeError(`eye: k must be an integer, got ${p.k}`);
    return [new TensorType(p.dtype, [p.n, p.m])];
  },
  evaluate(inputs, p) {
    const [n, m, k] = resolveParams([p.n, p.m, p.k], inputs, 0) as [number, number, number];
    if (n < 0 || m < 0) throw new RangeError(`eye: sizes must be non-negative, got ${n} x ${m}`);
    const out = NDArray.zeros(p.dtype, [n, m]);
    const dst = out.data as unknown as { [i: number]: number | bigint };
    const one = scalarCaster(p.dtype)(1);
    for (let i = Math.max(0, -k); i < n && i + k < m; i++) dst[i * m + i + k] = one;
    return [out];
  },
  pullback: 'nondifferentiable',
  print: {
    kind: 'custom',
    format: (args, p) => `eye(${printedParams([p.n, p.m, p.k], args, 0).join(', ')}, dtype=${p.dtype})`,
  },
  paramsKey: json,
};

// ---------------------------------------------------------------------------------------------------------------
// tril and triu

export interface TriParams {
  /** tril (keep on and below diagonal k) or triu (on and above). */
  readonly lower: boolean;
  /** The diagonal; null: read from an integer scalar input. */
  readonly k: DimParam;
}

/** `tril(x, k)` / `triu(x, k)`: zeros above (below) diagonal k of the last two axes. */
export const TRI: OpDef<TriParams> = {
  name: 'tri',
  inferShape: NO_SHAPE_FACTS,
  inferType(inputs, { lower, k }) {
    const name = lower ? 'tril' : 'triu';
    const x = inputs[0]!;
    checkScalarInputs(inputs, 1, k === null ? 1 : 0, name, 'diagonal');
    if (x.ndim < 2) throw new RangeError(`${name}: needs a tensor of rank 2 or more, got ${x}`);
    if (k !== null && !Number.isInteger(k)) throw new RangeError(`${name}: k must be an integer, got ${k}`);
    return [x];
  },
  evaluate(inputs, { lower, k }) {
    const x = inputs[0]!;
    const diag = k ?? scalarValue(inputs[1]!);
    const out = x.copy();
    const dst = out.data as unknown as { [i: number]: number | bigint };
    const zero = scalarCaster(x.dtype)(0);
    const r = x.ndim - 2;
    forEachIndex(x.shape, (idx, i) => {
      const offset = idx[r + 1]! - idx[r]!;
      if (lower ? offset > diag : offset < diag) dst[i] = zero;
    });
    return [out];
  },
  // the same mask applied to the gradient
  pullback: ({ inputs: [x, k], grads: [gz], params }, T) => {
    if (!gz) return [null, ...(k ? [null] : [])];
    const diagonal = params.k ?? k!;
    return [params.lower ? T.tril(gz, diagonal) : T.triu(gz, diagonal), ...(k ? [null] : [])];
  },
  print: {
    kind: 'custom',
    format: ([x, ...rest], p) => `${p.lower ? 'tril' : 'triu'}(${x!.text}, ${printedParams([p.k], rest, 0)[0]})`,
  },
  paramsKey: json,
};

// ---------------------------------------------------------------------------------------------------------------
// repeat and roll

export interface RepeatParams {
  /** The axis to repeat along; null: the flattened input (the result is a vector). */
  readonly axis: number | null;
  /** Repetitions of every element; null: read from an integer input, a scalar or one count per element. */
  readonly repeats: number | null;
}

/** `repeat(x, repeats, axis)`: each element repeated `repeats` times along `axis` (numpy's `repeat`). */
export const REPEAT: OpDef<RepeatParams> = {
  name: 'repeat',
  inferShape: ([x], { axis }) => [
    axis === null ? [null] : x!.shape.map((_, k) => (k === axis ? null : { input: 0, axis: k })),
  ],
  inferType(inputs, { axis, repeats }) {
    const x = inputs[0]!;
    if (inputs.length !== (repeats === null ? 2 : 1))
      throw new TypeError(`repeat: expected ${repeats === null ? 2 : 1} inputs, got ${inputs.length}`);
    const counts = inputs[1];
    if (counts && (counts.ndim > 1 || !isInt(counts.dtype)))
      throw new TypeError(`repeat: repeats must be an integer scalar or vector, got ${counts}`);
    if (repeats !== null && (!Number.isInteger(repeats) || repeats < 0))
      throw new RangeError(`repeat: repeats must be a non-negative integer, got ${repeats}`);
    if (axis !== null && (!Number.isInteger(axis) || axis < 0 || axis >= x.ndim))
      throw new RangeError(`repeat: axis ${axis} is out of range for ${x}`);
    const length = axis === null ? staticSize(x.shape) : x.shape[axis]!;
    const out = length === 0 || repeats === 0 ? 0 : length === null || repeats === null ? null : length * repeats;
    return [new TensorType(x.dtype, axis === null ? [out] : x.shape.map((d, k) => (k === axis ? out : d)))];
  },
  evaluate(inputs, { axis, repeats }) {
    const x = inputs[0]!;
    const flat = axis === null;
    const source = flat ? x.contiguous() : x;
    const along = flat ? 0 : axis;
    const shape = flat ? [x.size] : [...x.shape];
    const length = shape[along]!;
    const given = inputs[1];
    let counts: number[];
    if (given && given.ndim === 1) {
      counts = Array.from({ length: given.size }, (_, i) => Number(given.item(i)));
      if (counts.length === 1) counts = new Array<number>(length).fill(counts[0]!);
      if (counts.length !== length)
        throw new RangeError(
          `repeat: ${counts.length} repeat counts for an axis of length ${length} (input shape ${show(x.shape)})`,
        );
    } else counts = new Array<number>(length).fill(repeats ?? scalarValue(given!));
    if (counts.some((c) => c < 0))
      throw new RangeError(`repeat: repeat counts must be non-negative, got ${show(counts)}`);
    const from: number[] = [];
    counts.forEach((c, i) => {
      for (let j = 0; j < c; j++) from.push(i);
    });
    shape[along] = from.length;
    const strides = flat ? [1] : x.strides;
    return [
      gather(
        source,
        shape,
        (idx) =>
          (flat ? source.offset : x.offset) +
          idx.reduce((pos, i, k) => pos + (k === along ? from[i]! : i) * strides[k]!, 0),
      ),
    ];
  },
  // A scalar count r: element i was copied to positions [i*r, (i+1)*r), so with r as a new axis right after the
  // repeated one (after the last axis when flattened: row-major order) the gradient sums over it.
  // One count n_i per element: the copies of element i fill [c_i - n_i, c_i) with c = cumsum(n); with S the
  // running sum of gz along the axis after a leading 0, gx_i = S[c_i] - S[c_i - n_i].
  pullback: ({ inputs: [x, counts], grads: [gz], params: { axis, repeats } }, T) => {
    const rest = counts ? [null] : [];
    if (!gz) return [null, ...rest];
    if (counts && counts.ndim === 1) return [repeatSegmentSum(x!, counts, gz, axis, T), null];
    const r = repeats ?? counts!;
    const at = axis ?? x!.ndim - 1;
    const dims: (number | Tensor)[] = [];
    if (at === -1) dims.push(r);
    for (let k = 0; k < x!.ndim; k++) dims.push(...(k === at ? [T.shape(x!, k), r] : [T.shape(x!, k)]));
    return [T.sum(T.reshape(gz, dims), at + 1), ...rest];
  },
  print: {
    kind: 'custom',
    format: ([x, ...rest], p) =>
      `repeat(${x!.text}, ${printedParams([p.repeats], rest, 0)[0]}, axis=${p.axis ?? 'none'})`,
  },
  paramsKey: json,
};

/** The gradient of repeat with one count per element (or one count in a vector, for every element). */
function repeatSegmentSum(x: Tensor, counts: Tensor, gz: Tensor, axis: number | null, T: GradBuilder): Tensor {
  const along = axis ?? 0;
  const length = axis === null ? T.prod(T.shape(x)) : T.shape(x, axis);
  const n = T.alloc(counts, length);
  const end = T.cumsum(n);
  const start = T.sub(end, n);
  const zeroDims = Array.from({ length: gz.ndim }, (_, k) => (k === along ? 1 : T.shape(gz, k)));
  const zero = T.alloc(T.constant(0, { dtype: gz.dtype }), ...zeroDims);
  const running = T.concatenate([zero, T.cumsum(gz, along)], along);
  const gx = T.sub(T.take(running, integerIndices(end), along), T.take(running, integerIndices(start), along));
  return axis === null ? T.reshape(gx, T.shape(x), x.ndim) : gx;
}

export interface RollParams {
  /** The axis to roll; null: the flattened input (the shape is kept). */
  readonly axis: number | null;
  /** How far elements move toward the end (negative: toward the start); null: an integer scalar input. */
  readonly shift: DimParam;
}

/** `roll(x, shift, axis)`: elements shifted cyclically along `axis` (numpy's `roll`). */
export const ROLL: OpDef<RollParams> = {
  name: 'roll',
  inferShape: (inputs) => [axesOf(inputs, 0)],
  inferType(inputs, { axis, shift }) {
    const x = inputs[0]!;
    checkScalarInputs(inputs, 1, shift === null ? 1 : 0, 'roll', 'shift');
    if (shift !== null && !Number.isInteger(shift))
      throw new RangeError(`roll: shift must be an integer, got ${shift}`);
    if (axis !== null && (!Number.isInteger(axis) || axis < 0 || axis >= x.ndim))
      throw new RangeError(`roll: axis ${axis} is out of range for ${x}`);
    return [x];
  },
  evaluate(inputs, { axis, shift }) {
    const x = inputs[0]!;
    const by = shift ?? scalarValue(inputs[1]!);
    const mod = (i: number, n: number) => ((i % n) + n) % n;
    if (axis === null) {
      const n = x.size;
      const flat = x.contiguous();
      const rolled = gather(flat, [n], ([i]) => flat.offset + mod(i! - by, n));
      return [new NDArray(x.dtype, x.shape, rolled.data)];
    }
    const n = x.shape[axis]!;
    return [
      gather(x, x.shape, (idx) =>
        dataPosition(
          x,
          idx.map((i, k) => (k === axis ? mod(i - by, n) : i)),
        ),
      ),
    ];
  },
  // rolling back by the same shift
  pullback: ({ inputs: [x, shift], grads: [gz], params }, T) => {
    if (!gz) return [null, ...(shift ? [null] : [])];
    const back = params.shift === null ? T.neg(shift!) : -params.shift;
    const g =
      params.axis === null
        ? T.reshape(T.roll(T.reshape(gz, [-1]), back), T.shape(x!), x!.ndim)
        : T.roll(gz, back, params.axis);
    return [g, ...(shift ? [null] : [])];
  },
  print: {
    kind: 'custom',
    format: ([x, ...rest], p) => `roll(${x!.text}, ${printedParams([p.shift], rest, 0)[0]}, axis=${p.axis ?? 'none'})`,
  },
  paramsKey: json,
};

// ---------------------------------------------------------------------------------------------------------------
// cumsum and cumprod

export interface CumulateParams {
  readonly kind: 'cumsum' | 'cumprod';
  /** The axis to accumulate along; null: the flattened input (the result is a vector). */
  readonly axis: number | null;
  /** The output and accumulation dtype (the builder applies sum's rule). */
  readonly dtype: DType;
}

/** `cumsum(x, axis)` / `cumprod(x, axis)`: running sums (products) along `axis`. */
export const CUMULATE: OpDef<CumulateParams> = {
  name: 'cumulate',
  inferShape: (inputs, { axis }) => [axis === null ? [null] : axesOf(inputs, 0)],
  inferType([x], { kind, axis, dtype }) {
    if (axis !== null && (!Number.isInteger(axis) || axis < 0 || axis >= x!.ndim))
      throw new RangeError(`${kind}: axis ${axis} is out of range for ${x}`);
    return [new TensorType(dtype, axis === null ? [staticSize(x!.shape)] : x!.shape)];
  },
  evaluate([x], { kind, axis, dtype }) {
    const a = castArray(x!, dtype);
    const shape = axis === null ? [a.size] : [...a.shape];
    const along = axis ?? 0;
    const out = new NDArray(dtype, shape, a.data);
    const data = out.data as unknown as { [i: number]: number | bigint };
    const stride = out.strides[along]!;
    const big = dtype === 'int64';
    const round = dtype === 'float32' ? Math.fround : isFloat(dtype) ? (v: number) => v : undefined;
    const cast = scalarCaster(dtype);
    // every element after the first along the axis takes its predecessor's running value
    forEachIndex(shape, (idx, i) => {
      if (idx[along] === 0) return;
      const prev = data[i - stride]!;
      const cur = data[i]!;
      if (big)
        data[i] = BigInt.asIntN(
          64,
          kind === 'cumsum' ? (prev as bigint) + (cur as bigint) : (prev as bigint) * (cur as bigint),
        );
      else {
        const v = kind === 'cumsum' ? (prev as number) + (cur as number) : (prev as number) * (cur as number);
        data[i] = round ? round(v) : cast(v);
      }
    });
    return [out];
  },
  // d cumsum: every x_i feeds the outputs after it, so its gradient is the reverse running sum of gz,
  // total - cumsum(gz) + gz. d cumprod (no zeros in x, as Theano): reverse running sum of gz * out, over x.
  pullback: ({ inputs: [x], outputs: [out], grads: [gz], params: { kind, axis } }, T) => {
    if (!gz) return [null];
    const g = kind === 'cumsum' ? gz : T.mul(gz, out!);
    const along = axis ?? 0;
    const reversed = T.add(T.sub(T.sum(g, along, { keepdims: true }), T.cumsum(g, along)), g);
    const back = axis === null ? T.reshape(reversed, T.shape(x!), x!.ndim) : reversed;
    return [kind === 'cumsum' ? back : T.div(back, x!)];
  },
  print: { kind: 'call', name: (p) => p.kind, args: (p) => [`axis=${p.axis ?? 'none'}`] },
  paramsKey: json,
};
