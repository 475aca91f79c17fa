/**
 * The random ops (PyTensor's `RandomVariable`s): each takes a generator state (a uint32 vector of six words: the
 * Philox key and 128-bit counter, see src/runtime/philox.ts), the sizes of the draw, and the distribution's
 * parameters as tensors, and returns [next state, sample]. They are pure: the same state gives the same numbers,
 * and evaluation never writes its inputs (a function advances the state through its shared variable's update).
 *
 * Inputs: [state, ...symbolic sizes (integer scalars, one per null entry of `shape`), ...parameters]. With
 * `shape: null` the sample takes the numpy broadcast of the parameters' shapes (numpy's `size=None`).
 * No gradient flows through a draw (as in Theano and PyTensor): every input gets none.
 */
import type { LengthFact, OpDef, Pullback } from '../graph/op.js';
import { NDArray, shapeSize, shapeToString } from '../runtime/ndarray.js';
import { STATE_WORDS } from '../runtime/philox.js';
import {
  sampleBernoulli,
  sampleBinomial,
  sampleIndices,
  sampleIntegers,
  sampleNormal,
  samplePermutation,
  sampleUniform,
  sampleWeightedWithoutReplacement,
  type NumberSink,
  type Param,
} from '../runtime/sampling.js';
import { INT_RANGE, isFloat, isInt, type DType, type IntegralDType } from '../types/dtype.js';
import { broadcastStatic, TensorType, type StaticDim } from '../types/tensor-type.js';
import { countSymbolic, dimsText, resolveParams, type DimParam } from './dims.js';

export interface RandomParams {
  /** The sample's dtype. */
  readonly dtype: DType;
  /** The sample's shape: known sizes, null for a symbolic one (an input); null for the parameters' broadcast. */
  readonly shape: readonly DimParam[] | null;
}

// ---------------------------------------------------------------------------------------------- types

function checkState(state: TensorType | undefined, op: string): TensorType {
  if (
    !state ||
    state.dtype !== 'uint32' ||
    state.ndim !== 1 ||
    (state.shape[0] !== null && state.shape[0] !== STATE_WORDS)
  )
    throw new TypeError(
      `${op}: the generator state must be a uint32 vector of ${STATE_WORDS} words (a RandomStreams state), got ${state ?? 'nothing'}`,
    );
  return state;
}

function checkSizeInputs(inputs: readonly TensorType[], shape: readonly DimParam[] | null, op: string): void {
  if (shape === null) return;
  for (const d of shape)
    if (d !== null && (!Number.isInteger(d) || d < 0))
      throw new RangeError(`${op}: sizes must be non-negative integers, got size ${dimsText(shape)}`);
  for (let i = 1; i <= countSymbolic(shape); i++) {
    const t = inputs[i];
    if (!t || t.ndim !== 0 || !isInt(t.dtype))
      throw new TypeError(`${op}: a symbolic size must be an integer scalar, got ${t ?? 'nothing'}`);
  }
}

/**
 * The sample's static shape: the given sizes, each also checked against the parameters that broadcast to it (a
 * parameter has no more axes than the sample, and each of its known lengths is 1 or the sample's).
 */
function sampleShape(params: readonly TensorType[], shape: readonly DimParam[] | null, op: string): StaticDim[] {
  const broadcast = broadcastStatic(params.map((t) => t.shape));
  if (typeof broadcast === 'string')
    throw new TypeError(`${op}: the parameters ${params.join(', ')} do not broadcast: ${broadcast}`);
  if (shape === null) return broadcast;
  for (const t of params) {
    const pad = shape.length - t.ndim;
    const clash =
      pad < 0 || t.shape.some((d, k) => d !== null && d !== 1 && shape[k + pad] !== null && d !== shape[k + pad]);
    if (clash) throw new TypeError(`${op}: a parameter of type ${t} does not broadcast to the size ${dimsText(shape)}`);
  }
  return shape.map((d, k) => {
    if (d !== null) return d;
    const pad = shape.length - broadcast.length;
    const b = k >= pad ? broadcast[k - pad]! : null;
    return b !== null && b !== 1 ? b : null;
  });
}

function checkNumeric(params: readonly TensorType[], names: readonly string[], op: string): void {
  if (params.length !== names.length)
    throw new TypeError(`${op}: expected ${names.length} parameters (${names.join(', ')}), got ${params.length}`);
  params.forEach((t, i) => {
    if (t.dtype === 'bool') throw new TypeError(`${op}: ${names[i]} must be numeric, got ${t}`);
  });
}

const paramTypes = (inputs: readonly TensorType[], shape: readonly DimParam[] | null) =>
  inputs.slice(1 + (shape ? countSymbolic(shape) : 0));

/** The length facts of a sample: the sizes (inputs after the state) or the parameters' broadcast. */
function sampleFacts(inputs: readonly TensorType[], shape: readonly DimParam[] | null): LengthFact[] {
  if (shape !== null) {
    let next = 1;
    return shape.map((d) => (d === null ? { size: next++ } : d));
  }
  const ndim = Math.max(0, ...inputs.slice(1).map((t) => t.ndim));
  return Array.from({ length: ndim }, (_, k) => ({
    broadcast: inputs.flatMap((t, input) => {
      const axis = k - (ndim - t.ndim);
      return input > 0 && axis >= 0 ? [{ input, axis }] : [];
    }),
  }));
}

/**
 * A draw has no gradient (PyTensor's `grad_undefined` for every input of a `RandomVariable`): `T.grad` through a
 * sample with respect to a parameter raises instead of returning a silently wrong zero. (The state is an integer
 * vector, so no gradient ever asks for it.)
 */
function noGradient<P>(op: string): Pullback<P> {
  return () => {
    throw new TypeError(
      `grad: a random draw (${op}) has no gradient with respect to its parameters; to differentiate through ` +
        `a draw, write it as a differentiable function of a parameter-free draw (loc + scale * srng.normal(size))`,
    );
  };
}

// ---------------------------------------------------------------------------------------------- evaluation

/** The state's six words as a fresh Uint32Array (the input is never written). */
function stateWords(a: NDArray, op: string): Uint32Array {
  if (a.size !== STATE_WORDS)
    throw new RangeError(
      `${op}: the generator state must hold ${STATE_WORDS} words, got shape ${shapeToString(a.shape)}`,
    );
  const words = new Uint32Array(STATE_WORDS);
  for (let i = 0; i < STATE_WORDS; i++) words[i] = Number(a.item(i));
  return words;
}

const stateArray = (words: Uint32Array) => new NDArray('uint32', [STATE_WORDS], words);

/** The run-time sample shape: the sizes, or the parameters' broadcast; negative sizes are an error. */
function runShape(
  inputs: readonly NDArray[],
  shape: readonly DimParam[] | null,
  nParams: number,
  op: string,
): number[] {
  if (shape !== null) {
    const dims = resolveParams(shape, inputs, 1);
    if (dims.some((d) => !Number.isInteger(d) || d < 0))
      throw new RangeError(`${op}: sizes must be non-negative integers, got size ${shapeToString(dims)}`);
    return dims;
  }
  const params = inputs.slice(inputs.length - nParams);
  const ndim = Math.max(0, ...params.map((a) => a.ndim));
  return Array.from({ length: ndim }, (_, k) => {
    let n = 1;
    for (const a of params) {
      const d = a.shape[k - (ndim - a.ndim)];
      if (d !== undefined && d !== 1) n = d;
    }
    return n;
  });
}

/** A parameter broadcast to the sample shape: one number, or one per element; checks it broadcasts. */
function broadcastParam(a: NDArray, shape: readonly number[], name: string, op: string): Param {
  const pad = shape.length - a.ndim;
  if (pad < 0 || a.shape.some((d, k) => d !== 1 && d !== shape[k + pad]))
    throw new RangeError(
      `${op}: ${name} of shape ${shapeToString(a.shape)} does not broadcast to the sample shape ${shapeToString(shape)}`,
    );
  if (a.size === 1) return { scalar: Number(a.item(0)), values: null };
  const n = shapeSize(shape);
  const values = new Float64Array(n);
  const src = a.data as ArrayLike<number | bigint>;
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    let pos = a.offset;
    for (let k = 0; k < a.ndim; k++) if (a.shape[k] !== 1) pos += idx[k + pad]! * a.strides[k]!;
    values[i] = Number(src[pos]!);
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++idx[k]! < shape[k]!) break;
      idx[k] = 0;
    }
  }
  return { scalar: values[0] ?? 0, values };
}

/** Calls `check(value, i)` on a parameter's values (each distinct element once is enough: the scalar or all). */
function eachValue(p: Param, check: (v: number, i: number) => void): void {
  if (p.values === null) check(p.scalar, 0);
  else for (let i = 0; i < p.values.length; i++) check(p.values[i]!, i);
}

const at = (p: Param, i: number) => (p.values === null ? '' : ` (element ${i})`);

/** True when this platform stores typed arrays little-endian (int64 outputs are written as two int32 words). */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * The sample array and where samplers write numbers: its own data, or for int64 a Float64Array copied in after
 * (`finish`), as pairs of int32 words (no BigInt per element).
 */
function sampleSink(dtype: DType, shape: readonly number[]): { out: NDArray; sink: NumberSink; finish(): void } {
  const out = NDArray.zeros(dtype, shape);
  if (dtype !== 'int64') return { out, sink: out.data as unknown as NumberSink, finish() {} };
  const sink = new Float64Array(out.size);
  return {
    out,
    sink,
    finish() {
      const data = out.data as BigInt64Array;
      if (!LITTLE_ENDIAN) {
        for (let i = 0; i < sink.length; i++) data[i] = BigInt(sink[i]!);
        return;
      }
      const words = new Int32Array(data.buffer, data.byteOffset, 2 * data.length);
      for (let i = 0; i < sink.length; i++) {
        const v = sink[i]!;
        words[2 * i] = v >>> 0;
        words[2 * i + 1] = Math.floor(v / 4294967296);
      }
    },
  };
}

/** Throws unless every value of [lo, hi] (the draws' range) fits the integer dtype. */
function checkFits(dtype: DType, lo: number, hi: number, op: string): void {
  if (isFloat(dtype)) return;
  const [min, max] = INT_RANGE[dtype as IntegralDType];
  if (lo < Number(min) || hi > Number(max))
    throw new RangeError(`${op}: draws in [${lo}, ${hi}] do not fit dtype ${dtype} (range [${min}, ${max}])`);
}

// ---------------------------------------------------------------------------------------------- the ops

interface SamplerSpec {
  readonly name: string;
  /** What users call it, for messages. */
  readonly title: string;
  readonly paramNames: readonly string[];
  /** The dtypes the sample may have. */
  readonly dtypeOk: (d: DType) => boolean;
  readonly dtypeText: string;
  /** Checks the parameters' values, then draws: returns the next state. */
  sample(state: Uint32Array, sink: NumberSink, n: number, params: readonly Param[], dtype: DType): Uint32Array;
}

/** A random op from its sampler: the shared type checks, size handling and state plumbing. */
function samplerOp(spec: SamplerSpec): OpDef<RandomParams> {
  const op = spec.title;
  return {
    name: spec.name,
    inferType(inputs, { dtype, shape }) {
      const state = checkState(inputs[0], op);
      checkSizeInputs(inputs, shape, op);
      const params = paramTypes(inputs, shape);
      checkNumeric(params, spec.paramNames, op);
      if (!spec.dtypeOk(dtype)) throw new TypeError(`${op}: dtype must be ${spec.dtypeText}, got ${dtype}`);
      return [state, new TensorType(dtype, sampleShape(params, shape, op))];
    },
    evaluate(inputs, { dtype, shape }) {
      const state = stateWords(inputs[0]!, op);
      const dims = runShape(inputs, shape, spec.paramNames.length, op);
      const params = inputs
        .slice(inputs.length - spec.paramNames.length)
        .map((a, i) => broadcastParam(a, dims, spec.paramNames[i]!, op));
      const { out, sink, finish } = sampleSink(dtype, dims);
      const next = spec.sample(state, sink, out.size, params, dtype);
      finish();
      return [stateArray(next), out];
    },
    inferShape: (inputs, { shape }) => [[STATE_WORDS], sampleFacts(inputs, shape)],
    pullback: noGradient(op),
    print: { kind: 'call', name: () => spec.title, args: (p) => [`dtype=${p.dtype}`] },
    paramsKey: (p) => `${p.dtype}|${p.shape === null ? 'broadcast' : p.shape.join(',')}`,
  };
}

const anyFloat = { dtypeOk: isFloat, dtypeText: 'float32 or float64' };
const numericOut = { dtypeOk: (d: DType) => d !== 'bool', dtypeText: 'an integer or float dtype' };

/** `uniform(low, high)`: floats on [low, high). */
export const RANDOM_UNIFORM = samplerOp({
  name: 'random_uniform',
  title: 'uniform',
  paramNames: ['low', 'high'],
  ...anyFloat,
  sample(state, sink, n, [low, high], dtype) {
    eachValue(low!, (lo, i) => {
      const hi = high!.values ? high!.values[i]! : high!.scalar;
      if (!(lo <= hi) || !Number.isFinite(hi - lo))
        throw new RangeError(`uniform: low (${lo}) must be finite and not exceed high (${hi})${at(low!, i)}`);
    });
    eachValue(high!, (hi, i) => {
      const lo = low!.values ? low!.values[i]! : low!.scalar;
      if (!(lo <= hi)) throw new RangeError(`uniform: low (${lo}) must not exceed high (${hi})${at(high!, i)}`);
    });
    return sampleUniform(state, sink, n, low!, high!, dtype === 'float32');
  },
});

/** `normal(loc, scale)`: Gaussian floats (Box-Muller). */
export const RANDOM_NORMAL = samplerOp({
  name: 'random_normal',
  title: 'normal',
  paramNames: ['loc', 'scale'],
  ...anyFloat,
  sample(state, sink, n, [loc, scale]) {
    eachValue(scale!, (s, i) => {
      if (!(s >= 0)) throw new RangeError(`normal: scale must be non-negative, got ${s}${at(scale!, i)}`);
    });
    return sampleNormal(state, sink, n, loc!, scale!);
  },
});

/** `binomial(n, p)`: successes in n trials of probability p (exact for any n; one word each when n = 1). */
export const RANDOM_BINOMIAL = samplerOp({
  name: 'random_binomial',
  title: 'binomial',
  paramNames: ['n', 'p'],
  ...numericOut,
  sample(state, sink, size, [n, p], dtype) {
    let maxN = 0;
    let allOne = true;
    eachValue(n!, (k, i) => {
      if (!Number.isInteger(k) || k < 0)
        throw new RangeError(`binomial: n must be a non-negative integer, got ${k}${at(n!, i)}`);
      if (k > maxN) maxN = k;
      if (k !== 1) allOne = false;
    });
    eachValue(p!, (q, i) => {
      if (!(q >= 0 && q <= 1)) throw new RangeError(`binomial: p must be in [0, 1], got ${q}${at(p!, i)}`);
    });
    checkFits(dtype, 0, maxN, 'binomial');
    return allOne ? sampleBernoulli(state, sink, size, p!) : sampleBinomial(state, sink, size, n!, p!);
  },
});

/** `integers(low, high)`: integers uniform on [low, high), without modulo bias. */
export const RANDOM_INTEGERS = samplerOp({
  name: 'random_integers',
  title: 'integers',
  paramNames: ['low', 'high'],
  dtypeOk: isInt,
  dtypeText: 'an integer dtype',
  sample(state, sink, n, [low, high], dtype) {
    let min = Infinity;
    let max = -Infinity;
    eachValue(low!, (lo, i) => {
      if (!Number.isSafeInteger(lo)) throw new RangeError(`integers: low must be an integer, got ${lo}${at(low!, i)}`);
      min = Math.min(min, lo);
    });
    eachValue(high!, (hi, i) => {
      if (!Number.isSafeInteger(hi))
        throw new RangeError(`integers: high must be an integer, got ${hi}${at(high!, i)}`);
      max = Math.max(max, hi - 1);
    });
    const count = Math.max(low!.values?.length ?? 1, high!.values?.length ?? 1);
    for (let i = 0; i < count; i++) {
      const lo = low!.values ? low!.values[i]! : low!.scalar;
      const hi = high!.values ? high!.values[i]! : high!.scalar;
      if (!(lo < hi))
        throw new RangeError(
          `integers: low (${lo}) must be less than high (${hi})${count > 1 ? ` (element ${i})` : ''}`,
        );
      if (hi - lo > 2 ** 53) throw new RangeError(`integers: the range [${lo}, ${hi}) holds more than 2^53 values`);
    }
    if (n > 0) checkFits(dtype, min, max, 'integers');
    return sampleIntegers(state, sink, n, low!, high!);
  },
});

// ---------------------------------------------------------------------------------------------- choice, permutation

export interface ChoiceParams extends RandomParams {
  /** Draw with replacement (the default) or without (each population element at most once). */
  readonly replace: boolean;
  /** Whether a probability vector `p` follows the population input. */
  readonly weighted: boolean;
}

/** The population size and element dtype: an integer scalar a (0..a-1) or the elements of a vector. */
function populationText(a: TensorType): string {
  return a.ndim === 0 ? 'an integer scalar (the population 0..a-1)' : `${a}`;
}

/**
 * `choice(a, size, replace, p)`: elements of a population, a vector `a` or 0..a-1 for an integer scalar `a`
 * (numpy's `Generator.choice` on one axis), with or without replacement, uniformly or with probabilities p.
 * Inputs: [state, ...sizes, a, p?].
 */
export const RANDOM_CHOICE: OpDef<ChoiceParams> = {
  name: 'random_choice',
  inferType(inputs, { dtype, shape, weighted }) {
    const state = checkState(inputs[0], 'choice');
    checkSizeInputs(inputs, shape, 'choice');
    if (shape === null) throw new TypeError('choice: needs a size (the shape of the sample)');
    const [a, p, ...extra] = paramTypes(inputs, shape);
    if (!a || extra.length > 0 || (weighted ? !p : p))
      throw new TypeError(`choice: expected the population${weighted ? ' and p' : ''} after the sizes`);
    if (a.ndim > 1 || (a.ndim === 0 && !isInt(a.dtype)))
      throw new TypeError(`choice: a must be an integer scalar or a vector, got ${a}`);
    const want = a.ndim === 0 ? 'int64' : a.dtype;
    if (dtype !== want)
      throw new TypeError(`choice: the sample of ${populationText(a)} is ${want}, got dtype ${dtype}`);
    if (p && (p.ndim !== 1 || !isFloat(p.dtype)))
      throw new TypeError(`choice: p must be a float vector (one probability per element), got ${p}`);
    return [state, new TensorType(dtype, shape)];
  },
  evaluate(inputs, params) {
    return evaluateChoice(inputs, params);
  },
  inferShape: (inputs, { shape }) => [[STATE_WORDS], sampleFacts(inputs, shape)],
  pullback: noGradient('choice'),
  print: { kind: 'call', name: () => 'choice', args: (p) => [`replace=${p.replace}`] },
  paramsKey: (p) => `${p.dtype}|${p.shape?.join(',')}|${p.replace}|${p.weighted}`,
};

/** The probabilities as a Float64Array, checked (non-negative, summing to 1 within sqrt(eps) as numpy). */
function checkedProbabilities(p: NDArray, n: number): Float64Array {
  if (p.size !== n)
    throw new RangeError(`choice: p has ${p.size} probabilities for a population of ${n}; they must be as many`);
  const values = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = Number(p.item(i));
    if (!(v >= 0 && v <= 1)) throw new RangeError(`choice: probabilities must be in [0, 1], got p[${i}] = ${v}`);
    values[i] = v;
    sum += v;
  }
  const tolerance = Math.sqrt(p.dtype === 'float32' ? 2 ** -23 : 2 ** -52);
  if (!(Math.abs(sum - 1) <= tolerance)) throw new RangeError(`choice: probabilities must sum to 1, got ${sum}`);
  return values;
}

function evaluateChoice(inputs: readonly NDArray[], { dtype, shape, replace, weighted }: ChoiceParams): NDArray[] {
  const state = stateWords(inputs[0]!, 'choice');
  const dims = runShape(inputs, shape, weighted ? 2 : 1, 'choice');
  const a = inputs[inputs.length - (weighted ? 2 : 1)]!;
  const n = a.ndim === 0 ? Number(a.item(0)) : a.shape[0]!;
  const k = shapeSize(dims);
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`choice: a must be a non-negative integer, got ${n}`);
  if (k > 0 && n === 0) throw new RangeError('choice: cannot draw from an empty population');
  const p = weighted ? checkedProbabilities(inputs[inputs.length - 1]!, n) : null;
  const indices = new Float64Array(k);
  let next: Uint32Array;
  if (replace) {
    let cdf: Float64Array | null = null;
    if (p) {
      cdf = new Float64Array(n);
      let s = 0;
      for (let i = 0; i < n; i++) cdf[i] = s += p[i]!;
      for (let i = 0; i < n; i++) cdf[i] = cdf[i]! / s; // the last is exactly 1
    }
    next = sampleIndices(state, indices, k, n, cdf);
  } else if (p) {
    const nonzero = p.reduce((c, v) => c + (v > 0 ? 1 : 0), 0);
    if (k > nonzero)
      throw new RangeError(
        `choice: cannot take ${k} draws without replacement when only ${nonzero} elements have non-zero probability`,
      );
    next = sampleWeightedWithoutReplacement(state, indices, k, p);
  } else {
    if (k > n) throw new RangeError(`choice: cannot take ${k} draws without replacement from a population of ${n}`);
    const drawn = samplePermutation(state, n, k);
    indices.set(drawn.order);
    next = drawn.state;
  }
  const { out, sink, finish } = sampleSink(dtype, dims);
  if (a.ndim === 0) for (let i = 0; i < k; i++) sink[i] = indices[i]!;
  else {
    const src = a.data as ArrayLike<number | bigint>;
    const dst = out.data as unknown as { [i: number]: number | bigint };
    for (let i = 0; i < k; i++) dst[i] = src[a.offset + indices[i]! * a.strides[0]!]!;
  }
  finish();
  return [stateArray(next), out];
}

/**
 * `permutation(x)`: a random order of 0..x-1 for an integer scalar x (int64), or the rows of a tensor x shuffled
 * along its first axis. Inputs: [state, x].
 */
export const RANDOM_PERMUTATION: OpDef<Record<string, never>> = {
  name: 'random_permutation',
  inferType([state, x]) {
    const s = checkState(state, 'permutation');
    if (!x || (x.ndim === 0 && !isInt(x.dtype)))
      throw new TypeError(`permutation: x must be an integer scalar or a tensor of rank >= 1, got ${x ?? 'nothing'}`);
    return [s, x.ndim === 0 ? new TensorType('int64', [null]) : x];
  },
  evaluate([stateInput, x]) {
    const state = stateWords(stateInput!, 'permutation');
    const n = x!.ndim === 0 ? Number(x!.item(0)) : x!.shape[0]!;
    if (!Number.isSafeInteger(n) || n < 0)
      throw new RangeError(`permutation: x must be a non-negative integer, got ${n}`);
    const { state: next, order } = samplePermutation(state, n, n);
    if (x!.ndim === 0) {
      const { out, sink, finish } = sampleSink('int64', [n]);
      for (let i = 0; i < n; i++) sink[i] = order[i]!;
      finish();
      return [stateArray(next), out];
    }
    const src = x!.contiguous();
    const row = shapeSize(x!.shape.slice(1));
    const out = NDArray.zeros(x!.dtype, x!.shape);
    const dst = out.data as unknown as { set(a: ArrayLike<unknown>, at: number): void };
    const data = src.data as unknown as { subarray(a: number, b: number): ArrayLike<unknown> };
    for (let i = 0; i < n; i++) dst.set(data.subarray(order[i]! * row, (order[i]! + 1) * row), i * row);
    return [stateArray(next), out];
  },
  inferShape: (inputs) => [
    [STATE_WORDS],
    inputs[1]!.ndim === 0 ? [{ size: 1 }] : inputs[1]!.shape.map((_, axis) => ({ input: 1, axis })),
  ],
  pullback: noGradient('permutation'),
  print: { kind: 'call', name: () => 'permutation' },
};
