/**
 * Round trips through ONNX Runtime: compile a function, export it, run the model in onnxruntime-node on the
 * same (seeded random) inputs, and compare with the function's own results.
 */
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import * as theano from '../../src/index.js';
import type { DType, NDArray, Tensor } from '../../src/index.js';
import { seededRandom } from '../../src/runtime/random.js';

/** A seeded generator (mulberry32): the same inputs on every run. */
export const seeded = seededRandom;

const rand = seeded(20261207);

/** Random values in [lo, hi) (integers: whole numbers in [lo, hi); bools: half true). */
export function randomArray(dtype: DType, shape: readonly number[], lo = -2, hi = 2): NDArray {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, () => {
    if (dtype === 'bool') return rand() < 0.5;
    const v = lo + (hi - lo) * rand();
    return dtype === 'float32' || dtype === 'float64' ? v : Math.floor(v);
  });
  const data = dtype === 'int64' ? values.map((v) => BigInt(v as number)) : values;
  return theano.asarray(data as number[], { dtype, shape: [...shape] }) as NDArray;
}

const ORT_TYPES: Partial<Record<DType, ort.Tensor.Type>> = {
  float32: 'float32',
  float64: 'float64',
  int8: 'int8',
  uint8: 'uint8',
  int16: 'int16',
  uint16: 'uint16',
  int32: 'int32',
  uint32: 'uint32',
  int64: 'int64',
  bool: 'bool',
};

/** An NDArray as an onnxruntime tensor (same bytes, same shape). */
export function toOrt(a: NDArray): ort.Tensor {
  const data = a.contiguous().toTypedArray();
  return new ort.Tensor(ORT_TYPES[a.dtype]!, data as never, [...a.shape]);
}

/** Runs the model; returns its outputs by name, in the model's output order. */
export async function runModel(bytes: Uint8Array, feeds: Record<string, NDArray>): Promise<ort.Tensor[]> {
  const session = await ort.InferenceSession.create(bytes);
  const input: Record<string, ort.Tensor> = {};
  for (const [name, a] of Object.entries(feeds)) input[name] = toOrt(a);
  const results = await session.run(input);
  const out = session.outputNames.map((n) => results[n]!);
  await session.release();
  return out;
}

export interface RoundTripOptions {
  readonly opset?: number;
  /** Relative and absolute tolerance of the comparison (default: 1e-12 for float64, 1e-5 for float32). */
  readonly tol?: number;
}

/**
 * Compiles `outputs` from `inputs`, exports it, runs both on `values` and checks every output: the same shape,
 * the same dtype, the same values (within `tol` for floats, exactly otherwise; NaN matches NaN).
 */
export async function roundTrip(
  inputs: readonly Tensor[],
  outputs: Tensor | readonly Tensor[],
  values: readonly NDArray[],
  options: RoundTripOptions = {},
): Promise<void> {
  const f = theano.function(inputs, outputs as Tensor[], { onUnusedInput: 'ignore' });
  const bytes = theano.onnx.exportFunction(f, { opset: options.opset });
  const feeds: Record<string, NDArray> = {};
  inputs.forEach((v, i) => (feeds[v.name!] = values[i]!));
  const got = await runModel(bytes, feeds);
  const raw = (f as (...a: NDArray[]) => unknown)(...values);
  const expected = (Array.isArray(outputs) ? raw : [raw]) as unknown[];
  const outList = (Array.isArray(outputs) ? outputs : [outputs]) as Tensor[];
  expect(got.length).toBe(outList.length);
  outList.forEach((v, k) => compare(got[k]!, expected[k], v.dtype, options.tol, `output ${k}`));
}

/** Checks an onnxruntime result against a theano-ts value (an NDArray, or a number/boolean for rank 0). */
export function compare(got: ort.Tensor, want: unknown, dtype: DType, tol: number | undefined, what: string): void {
  const w = (typeof want === 'object' && want !== null ? want : theano.asarray(want as number, { dtype })) as NDArray;
  expect(got.type, `${what}: dtype`).toBe(ORT_TYPES[dtype]);
  expect([...got.dims], `${what}: shape`).toEqual([...w.shape]);
  const a = Array.from(got.data as ArrayLike<number | bigint>, Number);
  const b = Array.from(w.contiguous().toTypedArray() as ArrayLike<number | bigint>, Number);
  const t = tol ?? (dtype === 'float32' ? 1e-5 : dtype === 'float64' ? 1e-12 : 0);
  a.forEach((x, i) => {
    const y = b[i]!;
    if (Number.isNaN(y)) expect(Number.isNaN(x), `${what}[${i}]: NaN`).toBe(true);
    else if (!Number.isFinite(y)) expect(x, `${what}[${i}]`).toBe(y);
    else expect(Math.abs(x - y), `${what}[${i}]: ${x} vs ${y}`).toBeLessThanOrEqual(t * Math.max(1, Math.abs(y)));
  });
}
