/**
 * Shape inference checked against reality (PyTensor's InferShapeTester): compile a graph, run it, and check that
 * every output value has exactly the dtype, rank and statically known dimensions its symbolic type promised.
 * (The evaluator also checks every intermediate node, so a wrong `inferType` anywhere in the graph fails here.)
 */
import { expect } from 'vitest';
import * as theano from '../src/index.js';
import type { NDArray, Tensor } from '../src/index.js';

export function checkInferredTypes(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  values: readonly unknown[],
): NDArray[] {
  const f = theano.function(inputs as Tensor[], [...outputs] as Tensor[], { onUnusedInput: 'ignore' }) as unknown as (
    ...args: unknown[]
  ) => unknown[];
  const results = f(...values).map((r, i) => {
    if (r instanceof theano.NDArray) return r;
    // a rank-0 result comes back as a JS scalar of the dtype's kind
    const dtype = outputs[i]!.dtype;
    expect(typeof r, `output ${i} scalar kind`).toBe(
      dtype === 'int64' ? 'bigint' : dtype === 'bool' ? 'boolean' : 'number',
    );
    return theano.toNDArray(r as number, { dtype });
  });
  outputs.forEach((out, i) => {
    const value = results[i]!;
    expect(value.dtype, `output ${i} dtype`).toBe(out.dtype);
    expect(value.shape.length, `output ${i} rank`).toBe(out.ndim);
    out.type.shape.forEach((d, k) => {
      if (d !== null) expect(value.shape[k], `output ${i} static dimension ${k}`).toBe(d);
    });
  });
  return results;
}
