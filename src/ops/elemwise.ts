import type { OpDef, Pullback } from '../graph/op.js';
import { scalarCaster } from '../runtime/convert.js';
import { NDArray, shapeToString } from '../runtime/ndarray.js';
import { isFloat, upcastAll, upgradeToFloat, type DType } from '../types/dtype.js';
import { broadcastShapes, broadcastStatic, TensorType } from '../types/tensor-type.js';
import { broadcastFacts } from './shape-facts.js';
import { onlyBoolDType, SCALAR_OPS, type ScalarOp, type ScalarOpName } from './scalar.js';
import { broadcastStrides } from './dims.js';

/** Params of an elementwise op: only `cast` has one (its target dtype). */
export interface ElemwiseParams {
  readonly dtype?: DType;
}

/** An elementwise op: a scalar op lifted to tensors with numpy broadcasting. */
export interface ElemwiseOp extends OpDef<ElemwiseParams> {
  readonly kind: 'elemwise';
  readonly scalar: ScalarOp;
}

export function isElemwise(op: OpDef<never>): op is ElemwiseOp {
  return (op as Partial<ElemwiseOp>).kind === 'elemwise';
}

/** The output dtype of scalar op `s` on inputs of these dtypes; throws when the op does not take them. */
export function elemwiseOutputDType(s: ScalarOp, dtypes: readonly DType[], params: ElemwiseParams): DType {
  for (const [i, d] of dtypes.entries()) {
    if (s.domain === 'integral' && isFloat(d)) {
      throw new TypeError(`${s.name}: input ${i} is ${d}, but ${s.name} takes only integer or bool inputs`);
    }
  }
  const boolDType = onlyBoolDType(s, dtypes);
  if (boolDType) return boolDType;
  switch (s.output) {
    case 'upcast':
      return upcastAll(dtypes);
    case 'float':
      return upgradeToFloat(upcastAll(dtypes));
    case 'bool':
      return 'bool';
    case 'branches':
      return upcastAll(dtypes.slice(1));
    case 'param':
      if (!params.dtype) throw new TypeError(`${s.name}: missing target dtype`);
      return params.dtype;
  }
}

function inferElemwise(s: ScalarOp, inputs: readonly TensorType[], params: ElemwiseParams): TensorType[] {
  if (inputs.length !== s.arity) throw new TypeError(`${s.name}: expected ${s.arity} inputs, got ${inputs.length}`);
  const dtype = elemwiseOutputDType(
    s,
    inputs.map((t) => t.dtype),
    params,
  );
  const shape = broadcastStatic(inputs.map((t) => t.shape));
  if (typeof shape === 'string') {
    throw new TypeError(
      `${s.name}: inputs of static shapes ${inputs.map((t) => `(${t.shape.map((d) => d ?? '?').join(', ')})`).join(' and ')} cannot broadcast: ${shape}`,
    );
  }
  return [new TensorType(dtype, shape)];
}

type Raw = number | bigint;
type Kernel = (...x: never[]) => Raw | boolean;

/** Chooses the math for the operand dtypes: exact bigint when int64 meets integers, wrapping int math, or floats. */
function chooseKernel(s: ScalarOp, inDtypes: readonly DType[], outDtype: DType): { fn: Kernel; big: boolean } {
  // switch's condition only selects, so it does not decide the arithmetic
  const operands = s.output === 'branches' ? inDtypes.slice(1) : inDtypes;
  const integral = operands.every((d) => !isFloat(d));
  if (integral && (operands.includes('int64') || outDtype === 'int64') && s.bigImpl)
    return { fn: s.bigImpl, big: true };
  if (s.name === 'invert' && outDtype === 'bool') return { fn: (a: number) => (a ? 0 : 1), big: false };
  if (integral && !isFloat(outDtype) && s.intImpl) return { fn: s.intImpl, big: false };
  return { fn: s.impl, big: false };
}

/**
 * Comparisons read on raw values when an integer operand is int64: a bigint and a number compare by their values
 * (`1n == 1`, `2n ** 60n < 2 ** 61`), exactly, with no conversion to bigint per element (an accuracy
 * `eq(argmax(p), y)` compares int64 with int32).
 */
const RAW_COMPARE: Partial<Record<string, (a: Raw, b: Raw) => boolean>> = {
  eq: (a, b) => a == b, // loose equality: a bigint equals the number of the same value
  neq: (a, b) => a != b,
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
};

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * Element p of `a` as a number, or a bigint for an int64 beyond 2^53: an int64 is read as its two 32-bit halves
 * (reading a BigInt64Array allocates a bigint per element).
 */
function rawReader(a: NDArray): (p: number) => Raw {
  const data = a.data as unknown as ArrayLike<Raw>;
  if (a.dtype !== 'int64' || !LITTLE_ENDIAN) return (p) => data[p]!;
  const big = a.data as BigInt64Array;
  const halves = new Int32Array(big.buffer, big.byteOffset, big.length * 2);
  return (p) => {
    const hi = halves[2 * p + 1]!;
    return hi >= -0x200000 && hi < 0x200000 ? hi * 4294967296 + (halves[2 * p]! >>> 0) : big[p]!;
  };
}

/** A comparison of two integer arrays, broadcast, on raw values (see `RAW_COMPARE`), into `out` (bool). */
function compareRaw(compare: (a: Raw, b: Raw) => boolean, x: NDArray, y: NDArray, out: NDArray): NDArray {
  const shape = out.shape;
  const ndim = shape.length;
  const [sx, sy] = [broadcastStrides(x, shape), broadcastStrides(y, shape)];
  const [dx, dy] = [rawReader(x), rawReader(y)];
  const o = out.data as Uint8Array;
  // the last axis in an inner loop; an odometer over the others
  const inner = ndim > 0 ? shape[ndim - 1]! : 1;
  const [ix, iy] = ndim > 0 ? [sx[ndim - 1]!, sy[ndim - 1]!] : [0, 0];
  const counter = new Array<number>(Math.max(0, ndim - 1)).fill(0);
  let [px, py] = [x.offset, y.offset];
  for (let i = 0; i < o.length; i += inner) {
    for (let j = 0, qx = px, qy = py; j < inner; j++, qx += ix, qy += iy) o[i + j] = compare(dx(qx), dy(qy)) ? 1 : 0;
    for (let k = ndim - 2; k >= 0; k--) {
      counter[k]!++;
      px += sx[k]!;
      py += sy[k]!;
      if (counter[k]! < shape[k]!) break;
      px -= sx[k]! * shape[k]!;
      py -= sy[k]! * shape[k]!;
      counter[k] = 0;
    }
  }
  return out;
}

/** Reference evaluation with numpy broadcasting over any strides. */
export function evaluateElemwise(s: ScalarOp, inputs: readonly NDArray[], outType: TensorType): NDArray {
  const shape = broadcastShapes(inputs.map((a) => a.shape));
  if (typeof shape === 'string') throw new RangeError(`${s.name}: ${shape}`);
  const outDtype = outType.dtype;
  const out = NDArray.zeros(outDtype, shape);
  const n = out.size;
  if (n === 0) return out;
  const { fn, big } = chooseKernel(
    s,
    inputs.map((a) => a.dtype),
    outDtype,
  );
  const raw = big && outDtype === 'bool' && inputs.length === 2 ? RAW_COMPARE[s.name] : undefined;
  if (raw) return compareRaw(raw, inputs[0]!, inputs[1]!, out);
  const store =
    s.output === 'param'
      ? scalarCaster(outDtype)
      : outDtype === 'bool'
        ? (v: Raw | boolean) => (v ? 1 : 0)
        : outDtype === 'int64' && !big
          ? scalarCaster('int64')
          : null;
  const toBig = (v: Raw): bigint => (typeof v === 'bigint' ? v : BigInt(v));
  const toNum = (v: Raw): number => (typeof v === 'bigint' ? Number(v) : v);
  const condToBig = (v: Raw): bigint => (typeof v === 'bigint' ? v : v !== 0 ? 1n : 0n);
  const converters = inputs.map((_, j) => (!big ? toNum : j === 0 && s.output === 'branches' ? condToBig : toBig));
  const ndim = shape.length;
  // Per input, the stride of each output axis (0 where the input is broadcast along it).
  const strides = inputs.map((a) => broadcastStrides(a, shape));
  const positions = inputs.map((a) => a.offset);
  const datas = inputs.map((a) => a.data as unknown as ArrayLike<Raw>);
  const outData = out.data as unknown as { [i: number]: Raw | boolean };
  const args = new Array<Raw>(inputs.length);
  const f = fn as (...x: Raw[]) => Raw | boolean;
  const counter = new Array<number>(ndim).fill(0);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < inputs.length; j++) args[j] = converters[j]!(datas[j]![positions[j]!]!);
    const v = f(...args);
    outData[i] = store ? store(v as Raw) : v;
    // advance the odometer over the output index
    for (let k = ndim - 1; k >= 0; k--) {
      counter[k]!++;
      for (let j = 0; j < inputs.length; j++) positions[j]! += strides[j]![k]!;
      if (counter[k]! < shape[k]!) break;
      for (let j = 0; j < inputs.length; j++) positions[j]! -= strides[j]![k]! * shape[k]!;
      counter[k] = 0;
    }
  }
  return out;
}

/** Lifts a scalar gradient rule to tensors: gradients of broadcast inputs are summed back to their shapes. */
function elemwisePullback(grad: Exclude<ScalarOp['grad'], 'none'>): Pullback<ElemwiseParams> {
  return ({ inputs, outputs, grads: [gz] }, T) => {
    if (!gz) return inputs.map(() => null);
    return grad(inputs, outputs[0]!, gz, T).map((g, i) => (g === null ? null : T.sumToShape(g, inputs[i]!)));
  };
}

function makeElemwise(s: ScalarOp): ElemwiseOp {
  return {
    kind: 'elemwise',
    name: s.name,
    scalar: s,
    inferType: (inputs, params) => inferElemwise(s, inputs, params),
    inferShape: (inputs) => [broadcastFacts(inputs, Math.max(0, ...inputs.map((t) => t.ndim)))],
    evaluate: (inputs, _params, [outType]) => [evaluateElemwise(s, inputs, outType!)],
    pullback: s.grad === 'none' ? 'nondifferentiable' : elemwisePullback(s.grad),
    print: s.print as ElemwiseOp['print'],
    paramsKey: (p) => p.dtype ?? '',
  };
}

/** One op definition per scalar op, keyed by name. */
export const ELEMWISE: { readonly [K in ScalarOpName]: ElemwiseOp } = Object.fromEntries(
  Object.values(SCALAR_OPS).map((s) => [s.name, makeElemwise(s)]),
) as { [K in ScalarOpName]: ElemwiseOp };

export { shapeToString };
