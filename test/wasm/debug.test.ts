/**
 * DEBUG mode checks every kernel call against the reference evaluator of its nodes: exactly for JavaScript kernels,
 * within the stated error bounds (src/wasm/check.ts) for wasm loops. The check is exercised on real runs (it must
 * pass) and on results perturbed by a known number of ulps (it must catch what exceeds the bound).
 */
import { afterEach, describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import { NDArray } from '../../src/index.js';
import { planSteps, type Step } from '../../src/codegen/fusion.js';
import { FunctionGraph } from '../../src/graph/function-graph.js';
import { optimize, FAST_RUN } from '../../src/rewrite/pipeline.js';
import { seededRandom } from '../../src/runtime/random.js';
import { checkKernelCall, referenceValues, TRANSCENDENTAL_ULPS, ulp } from '../../src/wasm/check.js';
import { wasmOptions, wasmStats } from '../../src/wasm/kernel.js';

const DEFAULT_MIN_ELEMENTS = wasmOptions.minElements;
import type { Tensor } from '../../src/index.js';

const T = theano.tensor;
const DEBUG_WASM = theano.DEBUG.withLinker('wasm');
const DEBUG_JS = theano.DEBUG.withLinker('js');

afterEach(() => {
  wasmOptions.minElements = DEFAULT_MIN_ELEMENTS;
});

const uniform = (n: number, seed: number, lo: number, hi: number) => {
  const r = seededRandom(seed);
  return Float64Array.from({ length: n }, () => lo + r() * (hi - lo));
};

/** The single kernel step of `outputs` over `inputs`. */
function kernelStep(inputs: readonly Tensor[], outputs: readonly Tensor[]): Extract<Step, { kind: 'kernel' }> {
  const g = new FunctionGraph(inputs, outputs);
  optimize(g, FAST_RUN);
  const steps = planSteps(g).filter((s) => s.kind === 'kernel');
  expect(steps).toHaveLength(1);
  return steps[0] as Extract<Step, { kind: 'kernel' }>;
}

/** Numbers as an array of `dtype`. */
const floats = (dtype: 'float32' | 'float64', values: ArrayLike<number>) =>
  new NDArray(
    dtype,
    [values.length],
    (dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values)) as never,
  );

/** `x` moved by `k` ulps of `dtype` (away from zero for k > 0). */
const moved = (x: number, k: number, dtype: 'float32' | 'float64') => {
  const v = x + k * ulp(x, dtype) * Math.sign(x || 1);
  return dtype === 'float32' ? Math.fround(v) : v;
};

describe('DEBUG mode runs the checks on real calls', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    test(`${dtype}: W1, W2 and an arithmetic chain pass under the wasm linker (wasm loops ran) and the js linker`, () => {
      const v = T.tensor(dtype, [null], 'v');
      const w = T.tensor(dtype, [null], 'w');
      const w1 = T.add(T.mul(T.div(1, T.add(1, T.exp(T.neg(v)))), T.tanh(v)), T.mul(v, v));
      const w2 = T.sum(T.exp(v));
      const arith = T.clip(T.maximum(v.mul(w).sub(1), w.neg()).div(w.abs().add(0.5)), -2, 2);
      const xs = uniform(10_000, 1, -20, 20);
      const ys = uniform(10_000, 2, -3, 3);
      const cast = (a: Float64Array) => (dtype === 'float32' ? Float32Array.from(a) : a);
      const fw = theano.function([v, w], [w1, w2, arith], { mode: DEBUG_WASM });
      const before = wasmStats().calls;
      fw(cast(xs), cast(ys));
      expect(wasmStats().calls - before).toBeGreaterThanOrEqual(3);
      const fj = theano.function([v, w], [w1, w2, arith], { mode: DEBUG_JS });
      const jsBefore = wasmStats().calls;
      fj(cast(xs), cast(ys));
      expect(wasmStats().calls).toBe(jsBefore);
    });
  }

  test('a switch on a comparison of transcendental values, under the wasm linker', () => {
    wasmOptions.minElements = 0;
    const v = T.dvector('v');
    const e = T.switch(T.gt(T.tanh(v), 0.5), T.exp(v), v.mul(3));
    const f = theano.function([v], e, { mode: DEBUG_WASM });
    // values at and around atanh(0.5), where the comparison may flip
    const c = Math.atanh(0.5);
    const xs = Float64Array.from({ length: 999 }, (_, i) => c + (i - 499) * 2 ** -52);
    expect(f(xs).size).toBe(999);
  });
});

describe('the bounds catch what exceeds them', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const bound = TRANSCENDENTAL_ULPS[dtype];
    test(`${dtype} exp: a wasm result ${bound} ulp off passes, ${2 * bound + 1} ulp off fails; a JS result 1 ulp off fails`, () => {
      const v = T.tensor(dtype, [null], 'v');
      const step = kernelStep([v], [T.exp(v)]);
      const xs = floats(dtype, uniform(64, 3, -5, 5));
      const known = referenceValues(step, [xs])!;
      const want = known.get(step.outputs[0]!)!;
      const off = (k: number) =>
        floats(
          dtype,
          (want.toArray() as number[]).map((x) => moved(x, k, dtype)),
        );
      expect(() => checkKernelCall(step, known, [want], false)).not.toThrow();
      expect(() => checkKernelCall(step, known, [off(bound)], true)).not.toThrow();
      expect(() => checkKernelCall(step, known, [off(2 * bound + 1)], true)).toThrow(/wasm kernel \(exp\)/);
      expect(() => checkKernelCall(step, known, [off(1)], false)).toThrow(/must agree exactly/);
    });

    test(`${dtype} IEEE arithmetic: a wasm result 1 ulp off fails (wasm must round as the reference)`, () => {
      const [a, b] = [T.tensor(dtype, [null], 'a'), T.tensor(dtype, [null], 'b')];
      const step = kernelStep([a, b], [a.mul(b).add(a.div(b))]);
      const [as, bs] = [3, 4].map((s) => floats(dtype, uniform(32, s, 0.5, 2)));
      const known = referenceValues(step, [as!, bs!])!;
      const want = known.get(step.outputs[0]!)!;
      expect(() => checkKernelCall(step, known, [want], true)).not.toThrow();
      const off = floats(
        dtype,
        (want.toArray() as number[]).map((x, i) => (i === 7 ? moved(x, 1, dtype) : x)),
      );
      expect(() => checkKernelCall(step, known, [off], true)).toThrow(/element 7/);
    });
  }

  test('an error through later ops is bounded by its propagation: tanh(x) * y passes with the tanh error times |y|', () => {
    const [x, y] = [T.dvector('x'), T.dvector('y')];
    const step = kernelStep([x, y], [T.tanh(x).mul(y)]);
    const xs = new NDArray('float64', [16], uniform(16, 5, -2, 2));
    const ys = new NDArray('float64', [16], uniform(16, 6, 100, 1000));
    const known = referenceValues(step, [xs, ys])!;
    const want = known.get(step.outputs[0]!)!.toArray() as number[];
    const t = known.get(step.nodes[0]!.outputs[0]!)!.toArray() as number[];
    // tanh off by its full bound, then multiplied exactly: within the propagated bound
    const propagated = want.map((w, i) => moved(t[i]!, TRANSCENDENTAL_ULPS.float64, 'float64') * ys.item(i));
    expect(() =>
      checkKernelCall(step, known, [new NDArray('float64', [16], Float64Array.from(propagated))], true),
    ).not.toThrow();
    // an error of 1e-10 relative is far beyond it
    const wrong = want.map((w) => w * (1 + 1e-10));
    expect(() => checkKernelCall(step, known, [new NDArray('float64', [16], Float64Array.from(wrong))], true)).toThrow(
      /differs from the reference/,
    );
  });
});
