/**
 * Buffer-reuse safety of compiled functions in the default mode (FAST_RUN, generated code with pooled buffers,
 * inplace loops and views), checked against the reference linker where values are involved:
 *
 * - what a call returned is the caller's: later calls (of this function or another) never change it, two returned
 *   values never share memory, and writing into a returned array changes neither later results nor any shared
 *   variable;
 * - inputs are read, never written, and never aliased by a result: writing into an input array after a call
 *   changes nothing returned, and the next call sees the new contents (no caching by identity);
 * - updates: over many calls, shared variables follow the reference linker exactly, also when updates read each
 *   other's old values, swap, reverse or transpose a variable into itself, or share one expression;
 * - a call that throws (a run-time shape error half way) writes no shared variable, leaves earlier results alone,
 *   and the next good call is right.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { DType, NDArray, SharedVariable, Tensor } from '../../src/index.js';
import { mismatch } from '../helpers.js';
import { seededRandom } from '../../src/runtime/random.js';

const T = theano.tensor;
const REFERENCE = theano.FAST_RUN.withLinker('reference');

type Fn = (...args: unknown[]) => unknown;
type Mode = theano.Mode | undefined;

function compile(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  mode: Mode,
  updates: readonly (readonly [SharedVariable, Tensor])[] = [],
): Fn {
  const options: theano.FunctionOptions = { onUnusedInput: 'ignore', updates: updates as never };
  if (mode) options.mode = mode;
  return theano.function(inputs as Tensor[], outputs as Tensor[], options) as unknown as Fn;
}

/** A deep copy of a call's results, as nested JS values. */
const snapshot = (results: unknown): unknown =>
  Array.isArray(results) ? results.map(snapshot) : results instanceof theano.NDArray ? results.toArray() : results;

/** Nested values with NaN, -0 and bigints spelled out, so `toEqual` tells every value apart. */
const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : typeof v === 'bigint'
      ? `${v}n`
      : typeof v === 'number' && (Number.isNaN(v) || Object.is(v, -0) || !Number.isFinite(v))
        ? String(Object.is(v, -0) ? '-0' : v)
        : v;

/** Overwrites every element a result can reach (its whole storage). */
function scribble(a: unknown): void {
  if (!(a instanceof theano.NDArray)) return;
  const data = a.data as unknown as { length: number; [i: number]: number | bigint };
  for (let i = 0; i < data.length; i++) data[i] = a.dtype === 'int64' ? -77n : a.dtype === 'bool' ? 1 : 77;
}

/** Seeded values (mulberry32). */
const rng = seededRandom;
const f64 = (shape: number[], r: () => number, scale = 2): NDArray => {
  const n = shape.reduce((a, b) => a * b, 1);
  return new theano.NDArray(
    'float64',
    shape,
    Float64Array.from({ length: n }, () => Math.round((r() * 2 - 1) * scale * 8) / 8),
  );
};
const f32 = (shape: number[], r: () => number): NDArray => {
  const n = shape.reduce((a, b) => a * b, 1);
  return new theano.NDArray(
    'float32',
    shape,
    Float32Array.from({ length: n }, () => r() * 2 - 1),
  );
};
const i32 = (shape: number[], r: () => number, lo = -9, hi = 9): NDArray => {
  const n = shape.reduce((a, b) => a * b, 1);
  return new theano.NDArray(
    'int32',
    shape,
    Int32Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1))),
  );
};

/** Problems between two results (single values or lists): dtype, shape, and elements within `rtol`. */
function differences(got: unknown, want: unknown, what: string, rtol = 1e-9): string[] {
  if (Array.isArray(want)) {
    if (!Array.isArray(got) || got.length !== want.length)
      return [`${what}: expected ${want.length} results, got ${String(got)}`];
    return want.flatMap((w, i) => differences(got[i], w, `${what}[${i}]`, rtol));
  }
  if (!(want instanceof theano.NDArray)) {
    if (typeof got !== typeof want) return [`${what}: expected ${typeof want} ${String(want)}, got ${String(got)}`];
    const dtype: DType = typeof want === 'bigint' ? 'int64' : typeof want === 'boolean' ? 'bool' : 'float64';
    const why = mismatch(dtype, got, want, { rtol, atol: rtol });
    return why ? [`${what}: ${why}`] : [];
  }
  if (!(got instanceof theano.NDArray)) return [`${what}: expected an NDArray, got ${String(got)}`];
  if (got.dtype !== want.dtype || got.shape.join() !== want.shape.join())
    return [`${what}: got ${got.dtype}(${got.shape.join(', ')}), expected ${want.dtype}(${want.shape.join(', ')})`];
  const problems: string[] = [];
  for (let i = 0; i < want.size && problems.length < 5; i++) {
    const why = mismatch(want.dtype, got.item(i), want.item(i), { rtol, atol: rtol });
    if (why) problems.push(`${what} element ${i}: ${why}`);
  }
  return problems;
}

const sharedValues = (vars: readonly SharedVariable[]) => vars.map((v) => v.getArray());

// ---------------------------------------------------------------------------------------------------------------
// 1. What a call returned stays as it was

interface OutputCase {
  readonly name: string;
  /** Builds a fresh graph (fresh shared variables) each time it is called. */
  readonly make: () => {
    inputs: Tensor[];
    outputs: Tensor[];
    updates?: [SharedVariable, Tensor][];
    shared?: SharedVariable[];
  };
  /** Arguments of call `k`: calls 0 and 1 have the same shapes, call 2 others. */
  readonly args: (k: number, r: () => number) => unknown[];
}

const mat = (k: number, r: () => number) => f64(k < 2 ? [3, 4] : [2, 5], r);
const OUTPUT_CASES: readonly OutputCase[] = [
  {
    name: 'a fused kernel and its intermediate',
    make: () => {
      const x = T.dmatrix('x');
      const y = T.dvector('y');
      const a = T.exp(x).mul(y);
      return { inputs: [x, y], outputs: [a.add(1), a, T.tanh(a).mul(x)] };
    },
    args: (k, r) => [mat(k, r), f64([k < 2 ? 4 : 5], r)],
  },
  {
    name: 'reductions (folded, kept dims, to a scalar)',
    make: () => {
      const x = T.dmatrix('x');
      return {
        inputs: [x],
        outputs: [
          T.sum(T.exp(x), 1) as Tensor,
          T.max(x) as Tensor,
          T.mean(x.mul(x), 0, { keepdims: true }) as Tensor,
          T.prod(x.add(1), [0, 1]) as Tensor,
        ],
      };
    },
    args: (k, r) => [mat(k, r)],
  },
  {
    name: 'views of intermediates: transpose, reversal, dimshuffle',
    make: () => {
      const x = T.dmatrix('x');
      const a = x.mul(2);
      return {
        inputs: [x],
        outputs: [a.T, x.add(1).get(T.slice(null, null, -1)), T.exp(x).dimshuffle(1, 'x', 0), a.get(T.slice(1))],
      };
    },
    args: (k, r) => [mat(k, r)],
  },
  {
    name: 'the input itself and views of it',
    make: () => {
      const x = T.dmatrix('x');
      return {
        inputs: [x],
        outputs: [
          x,
          x.T,
          x.dimshuffle(1, 0, 'x'),
          x.get(T.slice(null, null, 2)),
          x.get(T.slice(1)),
          x.mul(1),
          x.add(0),
          x.reshape([-1]),
          x.flatten(),
        ],
      };
    },
    args: (k, r) => [mat(k, r)],
  },
  {
    name: 'the same variable returned twice, and with its transpose',
    make: () => {
      const x = T.dmatrix('x');
      const z = T.exp(x);
      return { inputs: [x], outputs: [z, z, z.T, x, x] };
    },
    args: (k, r) => [mat(k, r)],
  },
  {
    name: 'a shared variable returned (also as a view) while it is updated',
    make: () => {
      const s = theano.shared([
        [1, 2, 3, 4],
        [5, 6, 7, 8],
        [9, 10, 11, 12],
      ]);
      const x = T.dmatrix('x');
      return { inputs: [x], outputs: [s, s.T, s.mul(1), s.add(x)], updates: [[s, s.add(x)]], shared: [s] };
    },
    args: (_k, r) => [mat(0, r)],
  },
  {
    name: 'an output that is also the update value',
    make: () => {
      const s = theano.shared([0.5, -1, 2]);
      const x = T.dvector('x');
      const next = s.mul(2).add(x);
      return { inputs: [x], outputs: [next, next.sum() as Tensor], updates: [[s, next]], shared: [s] };
    },
    args: (_k, r) => [f64([3], r)],
  },
  {
    name: 'dot, softmax and integer and bool results',
    make: () => {
      const x = T.dmatrix('x');
      const i = T.imatrix('i');
      const d = T.dot(x, x.T);
      return {
        inputs: [x, i],
        outputs: [d, T.softmax(d.add(1), 1) as Tensor, i.mul(i).add(1), i.gt(0), T.sum(i, 0) as Tensor],
      };
    },
    args: (k, r) => [mat(k, r), i32(k < 2 ? [2, 3] : [1, 4], r)],
  },
  {
    name: 'constant results (folded when compiling) and constant operands',
    make: () => {
      const x = T.dvector('x');
      const c = T.constant([1, 2, 3]);
      return { inputs: [x], outputs: [c.mul(2), c, T.zeros([2, 2]) as Tensor, x.add(c.mul(0)), x.mul(c)] };
    },
    args: (_k, r) => [f64([3], r)],
  },
  {
    name: 'float32 fused results',
    make: () => {
      const x = T.fmatrix('x');
      const a = T.sigmoid(x).mul(3);
      return { inputs: [x], outputs: [a, a.sub(1).T, T.sum(a, 1) as Tensor] };
    },
    args: (k, r) => [f32(k < 2 ? [3, 4] : [4, 2], r)],
  },
];

describe('results of a call stay as they were', () => {
  test.each(OUTPUT_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const built = c.make();
    const f = compile(built.inputs, built.outputs, undefined, built.updates);
    const twin = c.make(); // the same graph with its own shared variables, run by the reference linker
    const g = compile(twin.inputs, twin.outputs, REFERENCE, twin.updates);
    const r = rng(c.name.length);
    const results: unknown[] = [];
    const copies: unknown[] = [];
    for (let k = 0; k < 3; k++) {
      const args = c.args(k, r);
      const got = f(...args);
      expect(differences(got, g(...args), `call ${k}`)).toEqual([]);
      results.push(got);
      copies.push(canonical(snapshot(got)));
      // every earlier result is unchanged by the later calls
      results.forEach((res, j) =>
        expect(canonical(snapshot(res)), `result of call ${j} after call ${k}`).toEqual(copies[j]),
      );
    }
    // a call of another function with the same graph (the same cached kernels) changes nothing either
    const again = c.make();
    const h = compile(again.inputs, again.outputs, undefined, again.updates);
    h(...c.args(0, rng(99)));
    results.forEach((res, j) =>
      expect(canonical(snapshot(res)), `result of call ${j} after another function ran`).toEqual(copies[j]),
    );
    if (built.shared) {
      expect(canonical(built.shared.map((s) => s.getArray().toArray()))).toEqual(
        canonical(twin.shared!.map((s) => s.getArray().toArray())),
      );
    }
  });

  test.each(OUTPUT_CASES.map((c) => [c.name, c] as const))(
    '%s: returned arrays share no memory, with each other or with shared variables',
    (_name, c) => {
      const built = c.make();
      const f = compile(built.inputs, built.outputs, undefined, built.updates);
      const args = c.args(0, rng(7));
      const out = f(...args) as unknown[];
      const shared = built.shared ?? [];
      const before = canonical(snapshot(out));
      const sharedBefore = canonical(shared.map((s) => s.getArray().toArray()));
      out.forEach((o, i) => {
        if (!(o instanceof theano.NDArray) || o.size === 0) return;
        const copy = canonical(snapshot(out));
        scribble(o);
        // nothing but output i changed
        const now = canonical(snapshot(out)) as unknown[];
        (copy as unknown[]).forEach((v, j) => {
          if (j !== i) expect(now[j], `output ${j} after writing into output ${i}`).toEqual(v);
        });
        expect(
          canonical(shared.map((s) => s.getArray().toArray())),
          `shared variables after writing into output ${i}`,
        ).toEqual(sharedBefore);
      });
      expect(before).not.toEqual(canonical(snapshot(out))); // the scribbling did write something
      // and the next call with the same arguments is not affected by it (no returned buffer is reused)
      if (!built.updates)
        expect(canonical(snapshot(f(...args))), 'the next call after writing into the results').toEqual(before);
    },
  );
});

// ---------------------------------------------------------------------------------------------------------------
// 2. Inputs are read, never kept

describe('input arrays', () => {
  const x = T.dmatrix('x');
  const v = T.dvector('v');
  const outputs = [
    x,
    x.T,
    x.mul(1),
    x.add(0),
    x.get(T.slice(1)),
    x.get(T.slice(null, null, -1)),
    x.dimshuffle(1, 'x', 0),
    x.reshape([-1]),
    T.exp(x),
    T.sum(x, 0) as Tensor,
    v,
    v.get(T.slice(null, null, 2)),
    v.mul(1),
    T.tanh(v),
  ];

  test('writing into an input after the call changes no result', () => {
    const f = compile([x, v], outputs, undefined);
    const xs = f64([3, 4], rng(1));
    const vs = new Float64Array([1, -2, 3.5, 0.25]);
    const out = f(xs, vs) as unknown[];
    const copy = canonical(snapshot(out));
    scribble(xs);
    vs.fill(-9);
    expect(canonical(snapshot(out))).toEqual(copy);
  });

  test('the call does not write into its inputs (also strided and broadcast ones)', () => {
    const f = compile([x, v], outputs, undefined);
    const data = Float64Array.from({ length: 20 }, (_, i) => i - 7.5);
    const transposed = new theano.NDArray('float64', [4, 3], data, [1, 4], 2); // a strided window
    const broadcast = new theano.NDArray('float64', [4], data, [0], 5); // one element seen four times
    const before = Float64Array.from(data);
    f(transposed, broadcast);
    f(transposed.copy(), broadcast);
    expect([...data]).toEqual([...before]);
  });

  test('writing into an input between calls: the next call sees the new contents', () => {
    const f = compile([x, v], outputs, undefined);
    const g = compile([x, v], outputs, REFERENCE);
    const xs = f64([3, 4], rng(2));
    const vs = new Float64Array([1, 2, 3, 4]);
    f(xs, vs);
    (xs.data as Float64Array).set([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, -1, -2]);
    vs.set([-1, -2, -3, -4]);
    expect(differences(f(xs, vs), g(xs.copy(), Float64Array.from(vs)), 'after writing into the inputs')).toEqual([]);
  });

  test('results fed back as inputs (a recurrence), and one array passed for two inputs', () => {
    const h = T.dvector('h');
    const u = T.dvector('u');
    const W = T.constant([
      [0.5, -0.25, 0.1],
      [0.3, 0.8, -0.6],
      [-0.2, 0.1, 0.9],
    ]);
    const step = [T.tanh(T.dot(W, h).add(u)) as Tensor, h.mul(u), h.get(T.slice(null, null, -1))];
    const f = compile([h, u], step, undefined);
    const g = compile([h, u], step, REFERENCE);
    let hf: unknown[] = [new theano.NDArray('float64', [3], Float64Array.from([0.1, -0.2, 0.3]))];
    let hg: unknown[] = hf;
    for (let t = 0; t < 20; t++) {
      hf = f(hf[0], hf[0]) as unknown[];
      hg = g(hg[0], hg[0]) as unknown[];
      expect(differences(hf, hg, `step ${t}`)).toEqual([]);
      // the previous state, read once more after the step that consumed it, is intact
      hf = f(hf[2], hf[1]) as unknown[];
      hg = g(hg[2], hg[1]) as unknown[];
      expect(differences(hf, hg, `step ${t}'`)).toEqual([]);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 3. Updates follow the reference linker over many calls

interface UpdateCase {
  readonly name: string;
  readonly make: () => {
    inputs: Tensor[];
    outputs: Tensor[];
    updates: [SharedVariable, Tensor][];
    shared: SharedVariable[];
  };
  readonly args: (call: number, r: () => number) => unknown[];
}

const UPDATE_CASES: readonly UpdateCase[] = [
  {
    name: 'SGD on a linear model: w <- w - 0.1 * grad, b <- b - 0.1 * grad',
    make: () => {
      const w = theano.shared([0.5, -0.5, 0.25], { name: 'w' });
      const b = theano.shared(0.1, { name: 'b' });
      const x = T.dmatrix('x');
      const y = T.dvector('y');
      const err = T.dot(x, w).add(b).sub(y);
      const cost = T.mean(T.sqr(err)) as Tensor<'float64', 0>;
      const [gw, gb] = T.grad(cost, [w, b]) as [Tensor<'float64', 1>, Tensor<'float64', 0>];
      return {
        inputs: [x, y],
        outputs: [cost, gw],
        updates: [
          [w, w.sub(gw.mul(0.1))],
          [b, b.sub(gb.mul(0.1))],
        ],
        shared: [w, b],
      };
    },
    args: (_c, r) => [f64([4, 3], r), f64([4], r)],
  },
  {
    name: 'a counter: state <- state + inc',
    make: () => {
      const state = theano.shared(0, { dtype: 'int32', name: 'state' });
      const inc = T.iscalar('inc');
      return { inputs: [inc], outputs: [state.mul(2), state], updates: [[state, state.add(inc)]], shared: [state] };
    },
    args: (_c, r) => [Math.floor(r() * 200) - 100],
  },
  {
    name: 'updates that read each other’s old values',
    make: () => {
      const a = theano.shared([1, 2, 3], { name: 'a' });
      const b = theano.shared([0.5, -1, 2], { name: 'b' });
      const c = theano.shared([3, 2, 1], { name: 'c' });
      const x = T.dvector('x');
      return {
        inputs: [x],
        outputs: [a, b.add(c), T.sum(a.mul(b)) as Tensor],
        updates: [
          [a, a.add(b).mul(0.5)],
          [b, T.tanh(a.mul(b)).add(x)],
          [c, c.sub(a).add(b.mul(x))],
        ],
        shared: [a, b, c],
      };
    },
    args: (_c, r) => [f64([3], r)],
  },
  {
    name: 'a swap of two vectors of different lengths, and a swap through ops',
    make: () => {
      const a = theano.shared([1, 2], { name: 'a' });
      const b = theano.shared([3, 4, 5], { name: 'b' });
      const p = theano.shared([[1, 2]], { name: 'p' });
      const q = theano.shared([[3, 4]], { name: 'q' });
      const x = T.dscalar('x');
      return {
        inputs: [x],
        outputs: [T.sum(a) as Tensor, b],
        updates: [
          [a, b],
          [b, a],
          [p, q.mul(2).add(x)],
          [q, p.add(1)],
        ],
        shared: [a, b, p, q],
      };
    },
    args: (_c, r) => [r()],
  },
  {
    name: 'a variable updated with a view of itself: reversed, transposed, rotated',
    make: () => {
      const v = theano.shared([1, 2, 3, 4, 5], { name: 'v' });
      const m = theano.shared(
        [
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ],
        { name: 'm' },
      );
      const n = theano.shared(
        [
          [1, 2],
          [3, 4],
        ],
        { name: 'n' },
      );
      const w = theano.shared([1, 2, 3, 4], { name: 'w' });
      const x = T.dscalar('x');
      return {
        inputs: [x],
        outputs: [v.get(0), T.sum(m.mul(m.T)) as Tensor],
        updates: [
          [v, v.get(T.slice(null, null, -1)).add(x)],
          [m, m.T.mul(0.5).add(m)],
          [n, n.T],
          [w, T.concatenate([w.get(T.slice(1)), w.get(T.slice(0, 1))]).add(w.get(T.slice(null, null, -1)))],
        ],
        shared: [v, m, n, w],
      };
    },
    args: (_c, r) => [r() - 0.5],
  },
  {
    name: 'wrapping integer state: int8 += 100, uint8 *= 3',
    make: () => {
      const c = theano.shared(new Int8Array([0, 1, -128]), { name: 'c' });
      const d = theano.shared(new Uint8Array([1, 2, 255]), { name: 'd' });
      const k = T.tensor('int8', 0, 'k');
      return {
        inputs: [k],
        outputs: [c.gt(0), d.add(1)],
        updates: [
          [c, c.add(100).add(k)],
          [d, d.mul(3)],
        ],
        shared: [c, d],
      };
    },
    args: (_c, r) => [Math.floor(r() * 20) - 10],
  },
  {
    name: 'a float32 recurrent state: h <- tanh(W h + x)',
    make: () => {
      const W = theano.shared(
        new theano.NDArray('float32', [3, 3], Float32Array.from([0.5, -0.3, 0.2, 0.1, 0.9, -0.4, 0.3, 0.2, -0.7])),
        { name: 'W' },
      );
      const h = theano.shared(new Float32Array([0.1, 0.2, 0.3]), { name: 'h' });
      const x = T.fvector('x');
      const next = T.tanh(T.dot(W, h).add(x)) as Tensor<'float32', 1>;
      return {
        inputs: [x],
        outputs: [next, T.sum(h) as Tensor],
        updates: [
          [h, next],
          [W, W.mul(0.99)],
        ],
        shared: [W, h],
      };
    },
    args: (_c, r) => [f32([3], r)],
  },
  {
    name: 'one expression updating two variables',
    make: () => {
      const a = theano.shared([0, 0, 0], { name: 'a' });
      const b = theano.shared([0, 0, 0], { name: 'b' });
      const x = T.dvector('x');
      const e = x.mul(2).add(a);
      return {
        inputs: [x],
        outputs: [e],
        updates: [
          [a, e],
          [b, e],
        ],
        shared: [a, b],
      };
    },
    args: (_c, r) => [f64([3], r)],
  },
  {
    name: 'reductions in updates: centering and a running total',
    make: () => {
      const m = theano.shared(
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        { name: 'm' },
      );
      const total = theano.shared(0, { name: 'total' });
      const x = T.dmatrix('x');
      return {
        inputs: [x],
        outputs: [T.max(m, 0) as Tensor],
        updates: [
          [m, m.sub(T.mean(m, 0, { keepdims: true })).add(x)],
          [total, total.add(T.sum(m) as Tensor<'float64', 0>)],
        ],
        shared: [m, total],
      };
    },
    args: (_c, r) => [f64([2, 3], r)],
  },
  {
    name: 'parameters that are only read (never updated) feeding intermediates',
    make: () => {
      const W = theano.shared(
        [
          [0.5, -1, 2],
          [1, 0.25, -0.5],
          [0, 1, 1],
        ],
        { name: 'W' },
      );
      const b = theano.shared([0.1, 0.2, 0.3], { name: 'b' });
      const steps = theano.shared(0, { dtype: 'int32', name: 'steps' });
      const x = T.dmatrix('x');
      return {
        inputs: [x],
        outputs: [
          T.dot(T.exp(W), x) as Tensor,
          b
            .mul(2)
            .get(T.slice(null, null, -1))
            .add(1),
          T.sum(T.tanh(W.add(b))) as Tensor,
          W.T.mul(x),
        ],
        updates: [[steps, steps.add(1)]],
        shared: [W, b, steps],
      };
    },
    args: (_c, r) => [f64([3, 3], r)],
  },
  {
    name: 'updates only (no outputs)',
    make: () => {
      const s = theano.shared([1, 1], { name: 's' });
      const x = T.dvector('x');
      return { inputs: [x], outputs: [], updates: [[s, s.mul(x).add(1)]], shared: [s] };
    },
    args: (_c, r) => [f64([2], r, 1)],
  },
];

/** Runs a case's function in FAST_RUN and its twin with the reference linker for `calls` calls, comparing all. */
function runTwins(c: UpdateCase, calls: number, seed: number): void {
  const sut = c.make();
  const ref = c.make();
  const f = compile(sut.inputs, sut.outputs, undefined, sut.updates);
  const g = compile(ref.inputs, ref.outputs, REFERENCE, ref.updates);
  const r = rng(seed);
  const kept: { result: unknown; copy: unknown }[] = [];
  for (let k = 0; k < calls; k++) {
    const args = c.args(k, r);
    const got = f(...args);
    const want = g(...args);
    expect(differences(got, want, `${c.name}, call ${k}`)).toEqual([]);
    expect(
      differences(sharedValues(sut.shared), sharedValues(ref.shared), `${c.name}, shared values after call ${k}`),
    ).toEqual([]);
    kept.push({ result: got, copy: canonical(snapshot(got)) });
  }
  kept.forEach(({ result, copy }, k) =>
    expect(canonical(snapshot(result)), `result of call ${k} at the end`).toEqual(copy),
  );
}

describe('updates agree with the reference linker over many calls', () => {
  test.each(UPDATE_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => runTwins(c, 30, 17));

  test('an update stored in one variable is not written through another function’s inplace update', () => {
    const a = theano.shared([1, 2, 3], { name: 'a' });
    const b = theano.shared([0, 0, 0], { name: 'b' });
    const x = T.dvector('x');
    const e = x.mul(2);
    const both = compile([x], [], undefined, [
      [a, e],
      [b, e],
    ]);
    const bump = compile([], [], undefined, [[a, a.add(1)]]);
    const scale = compile([], [], undefined, [[a, T.exp(a.mul(0.1))]]);
    both([1, 2, 3]);
    for (let k = 0; k < 3; k++) {
      bump();
      scale();
    }
    expect(b.getValue().toArray()).toEqual([2, 4, 6]);
    let want = [2, 4, 6];
    for (let k = 0; k < 3; k++) want = want.map((v) => Math.exp((v + 1) * 0.1));
    expect(differences(a.getValue(), new theano.NDArray('float64', [3], Float64Array.from(want)), 'a')).toEqual([]);
  });

  test('setValue between calls is seen by the next call; getValue copies are not the state', () => {
    const s = theano.shared([1, 2, 3], { name: 's' });
    const f = compile([], [s.mul(2)], undefined, [[s, s.add(1)]]);
    f();
    s.setValue([10, 20]);
    const copy = s.getValue();
    scribble(copy);
    expect((f() as NDArray[])[0]!.toArray()).toEqual([20, 40]);
    expect(s.getValue().toArray()).toEqual([11, 21]);
  });

  test('property: random update programs over several shared vectors', () => {
    const EXPRS: readonly ((a: Tensor<'float64', 1>, b: Tensor<'float64', 1>, x: Tensor<'float64', 1>) => Tensor)[] = [
      (a, b) => a.add(b),
      (a, b) => a.mul(b).mul(0.5),
      (a, _b, x) => a.sub(x),
      (a) => T.tanh(a),
      (a) => a.get(T.slice(null, null, -1)),
      (a, b) => T.maximum(a, b.get(T.slice(null, null, -1))),
      (a, b) => a.sub(T.mean(b)),
      (a, _b, x) => T.switch(x.gt(0), a, x),
      (a) => a,
      (a, b) => T.sqr(a).sub(b),
    ];
    const program = fc.record({
      n: fc.integer({ min: 1, max: 4 }),
      vars: fc.integer({ min: 1, max: 4 }),
      updates: fc.array(fc.tuple(fc.nat(9), fc.nat(9), fc.nat(9), fc.nat(9)), { minLength: 4, maxLength: 4 }),
      outs: fc.array(fc.tuple(fc.nat(9), fc.nat(9), fc.nat(9)), { maxLength: 2 }),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(program, ({ n, vars, updates, outs, seed }) => {
        const make = () => {
          const r = rng(seed);
          const shared = Array.from({ length: vars }, (_, i) =>
            theano.shared(
              Float64Array.from({ length: n }, () => Math.round(r() * 16 - 8) / 4),
              { name: `s${i}` },
            ),
          );
          const x = T.dvector('x');
          const expr = ([e, i, j]: readonly [number, number, number]) =>
            EXPRS[e]!(shared[i % vars]! as never, shared[j % vars]! as never, x) as Tensor<'float64', 1>;
          const ups = shared.map((s, i) => {
            const [e, a, b] = updates[i]!;
            return [s, expr([e, a, b])] as [SharedVariable, Tensor];
          });
          return { inputs: [x], outputs: outs.map(expr), updates: ups, shared };
        };
        runTwins({ name: 'random update program', make, args: (_c, r) => [f64([n], r)] }, 10, seed);
      }),
      { numRuns: 60 },
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 4. A call that throws changes nothing

describe('a call that throws changes nothing', () => {
  interface FailCase {
    readonly name: string;
    readonly bad: () => unknown[];
    readonly error: RegExp;
  }
  const make = () => {
    const a = theano.shared([1, 2, 3], { name: 'a' });
    const b = theano.shared(0.5, { name: 'b' });
    const m = theano.shared(
      [
        [1, 2],
        [3, 4],
      ],
      { name: 'm' },
    );
    const count = theano.shared(0, { dtype: 'int32', name: 'count' });
    const x = T.dvector('x');
    const y = T.dvector('y');
    const i = T.iscalar('i');
    const early = a.mul(2).add(1); // computed before anything fails
    const late = T.sum(x.mul(y)) as Tensor<'float64', 0>; // (n,) * (k,) fails at run time when n != k
    const picked = x.get(i); // out of range at run time
    const biggest = T.max(x) as Tensor<'float64', 0>; // no identity on an empty x
    const square = x.reshape([2, 2]); // needs exactly 4 elements
    return {
      inputs: [x, y, i],
      outputs: [early, T.exp(a).T, late.add(picked).add(biggest), T.dot(m, m) as Tensor, square],
      updates: [
        [a, early],
        [b, b.add(late).add(picked).add(biggest)],
        [m, m.T.add(T.sum(square) as Tensor)],
        [count, count.add(1)],
      ] as [SharedVariable, Tensor][],
      shared: [a, b, m, count],
    };
  };
  const good = (k: number) => [[1 + k, 2, 3, 4], [0.5, -1, 2, k], 1];
  const CASES: readonly FailCase[] = [
    { name: 'shapes that do not broadcast (x * y)', bad: () => [[1, 2, 3, 4], [1, 2, 3], 1], error: /broadcast/ },
    { name: 'an index out of range (x[i])', bad: () => [[1, 2, 3, 4], [1, 2, 3, 4], 9], error: /out of bounds/ },
    { name: 'max of an empty vector', bad: () => [[], [], 0], error: /zero-size|out of bounds/ },
    { name: 'a reshape that does not fit', bad: () => [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], 0], error: /reshape/ },
    { name: 'an input of the wrong rank', bad: () => [[[1, 2, 3, 4]], [1, 2, 3, 4], 0], error: /rank/ },
  ];

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const sut = make();
    const ref = make();
    const f = compile(sut.inputs, sut.outputs, undefined, sut.updates);
    const g = compile(ref.inputs, ref.outputs, REFERENCE, ref.updates);
    const first = f(...good(0));
    g(...good(0));
    const firstCopy = canonical(snapshot(first));
    const before = canonical(sut.shared.map((s) => s.getArray().toArray()));
    for (let k = 0; k < 2; k++) {
      expect(() => f(...c.bad())).toThrow(c.error);
      expect(() => g(...c.bad())).toThrow(c.error);
      expect(canonical(sut.shared.map((s) => s.getArray().toArray())), 'shared values after the failed call').toEqual(
        before,
      );
      expect(canonical(snapshot(first)), 'the earlier result after the failed call').toEqual(firstCopy);
    }
    // the next good calls are right (buffers taken by the failed call were not lost or left dirty)
    for (let k = 1; k < 4; k++) {
      expect(differences(f(...good(k)), g(...good(k)), `good call ${k} after the failure`)).toEqual([]);
      expect(
        differences(sharedValues(sut.shared), sharedValues(ref.shared), `shared values after good call ${k}`),
      ).toEqual([]);
    }
  });

  test('an output that fails keeps every update from being written (updates are all or nothing)', () => {
    const s = theano.shared([1, 2], { name: 's' });
    const t = theano.shared(7, { name: 't' });
    const x = T.dvector('x');
    const f = compile([x], [s.add(x)], undefined, [
      [s, s.mul(3)],
      [t, t.add(1)],
    ]);
    expect(() => f([1, 2, 3])).toThrow(/broadcast/);
    expect(s.getValue().toArray()).toEqual([1, 2]);
    expect(t.getValue()).toBe(7);
    expect((f([1, 1]) as NDArray[])[0]!.toArray()).toEqual([2, 3]);
    expect(s.getValue().toArray()).toEqual([3, 6]);
    expect(t.getValue()).toBe(8);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// 5. Writing into returned arrays

describe('writing into returned arrays', () => {
  test('changes neither the next results nor any shared variable', () => {
    const s = theano.shared(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { name: 's' },
    );
    const k = theano.shared(new Int32Array([1, 2, 3]), { name: 'k' });
    const x = T.dmatrix('x');
    const next = s.mul(0.5).add(x);
    const outputs = [next, s, s.T, x, T.exp(x), T.sum(next, 0) as Tensor, k, k.mul(2), next.T, T.dot(s, x.T) as Tensor];
    const sut = compile([x], outputs, undefined, [
      [s, next],
      [k, k.add(1)],
    ]);
    const sRef = theano.shared(s.getValue());
    const kRef = theano.shared(k.getValue());
    const nextRef = sRef.mul(0.5).add(x);
    const ref = compile(
      [x],
      [
        nextRef,
        sRef,
        sRef.T,
        x,
        T.exp(x),
        T.sum(nextRef, 0) as Tensor,
        kRef,
        kRef.mul(2),
        nextRef.T,
        T.dot(sRef, x.T) as Tensor,
      ],
      REFERENCE,
      [
        [sRef, nextRef],
        [kRef, kRef.add(1)],
      ],
    );
    const r = rng(5);
    for (let call = 0; call < 6; call++) {
      const xs = f64([2, 3], r);
      const got = sut(xs) as unknown[];
      expect(differences(got, ref(xs), `call ${call}`)).toEqual([]);
      got.forEach(scribble);
      expect(differences(s.getArray(), sRef.getArray(), `s after writing into call ${call}'s results`)).toEqual([]);
      expect(differences(k.getArray(), kRef.getArray(), `k after writing into call ${call}'s results`)).toEqual([]);
    }
    expect(canonical(s.getValue().toArray())).not.toContain(77);
  });

  test('changes nothing for a function without shared state either (pooled intermediates stay clean)', () => {
    const x = T.dvector('x');
    const a = T.exp(x);
    const b = a.mul(x).add(1);
    const outputs = [b, T.sum(a) as Tensor, a.get(T.slice(null, null, -1)), b.T];
    const f = compile([x], outputs, undefined);
    const g = compile([x], outputs, REFERENCE);
    for (let k = 0; k < 5; k++) {
      const xs = [k, -1, 0.5, 2];
      const got = f(xs) as unknown[];
      expect(differences(got, g(xs), `call ${k}`)).toEqual([]);
      got.forEach(scribble);
    }
  });
});

describe('inputs that are intermediate variables', () => {
  test('an expression replaced by an input (givens cut the graph there) is still returned as a copy, in every mode', () => {
    const x = T.dvector('x');
    const y = x.mul(2); // replaced by an input below: the function starts at y
    const yIn = T.dvector('yIn');
    for (const mode of [undefined, 'FAST_COMPILE' as const]) {
      const f = theano.function([yIn], [y, y.exp()], { mode, givens: [[y, yIn]] });
      const arg = new theano.NDArray<'float64', 1>('float64', [2], new Float64Array([1, 2]));
      const [same, e] = f(arg);
      expect(same.toArray()).toEqual([1, 2]);
      expect(same.data).not.toBe(arg.data);
      expect(e.toArray()).toEqual([Math.exp(1), Math.exp(2)]);
    }
  });
});
