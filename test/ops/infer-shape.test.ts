/**
 * Every op's `inferShape` facts agree with the shapes its evaluation produces (PyTensor's InferShapeTester): each
 * graph below is evaluated node by node by the reference evaluator, and each fact of each node is checked against
 * the node's actual output lengths and input values. Every op of the registry is exercised.
 */
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import type { LengthFact } from '../../src/graph/op.js';
import type { Apply, Variable } from '../../src/graph/variable.js';
import { evaluateNodes } from '../../src/graph/evaluate.js';
import { toposort } from '../../src/graph/traversal.js';
import { OPS } from '../../src/ops/registry.js';
import type { NDArray } from '../../src/runtime/ndarray.js';
import { toNDArray } from '../../src/runtime/convert.js';

const T = theano.tensor;

/** The length a fact stands for, from the node's input values; undefined for an unknown length. */
function lengthOf(fact: LengthFact, inputs: readonly NDArray[]): number | undefined {
  if (fact === null) return undefined;
  if (typeof fact === 'number') return fact;
  if ('broadcast' in fact) {
    const lengths = fact.broadcast.map((f) => lengthOf(f, inputs));
    if (lengths.includes(undefined)) return undefined;
    return lengths.reduce<number>((a, b) => (a === 1 ? b! : a), 1);
  }
  if ('size' in fact) return Number(inputs[fact.size]!.item(0));
  return inputs[fact.input]!.shape[fact.axis];
}

const exercised = new Set<string>();

/** Evaluates the graph of `outputs` on `values` and checks every node's facts; returns how many facts held. */
function checkFacts(outputs: readonly Tensor[], values: ReadonlyMap<Variable, unknown>): number {
  const leaves = new Map<Variable, NDArray>();
  for (const [v, value] of values) leaves.set(v, toNDArray(value as never, { dtype: v.type.dtype }));
  const nodes: Apply[] = toposort(outputs, new Set(values.keys()));
  for (const node of nodes) for (const input of node.inputs) if (input.data) leaves.set(input, input.data);
  let checked = 0;
  evaluateNodes(nodes, leaves, (node, inputs, results) => {
    exercised.add(node.op.name);
    const facts = node.op.inferShape(
      node.inputs.map((i) => i.type),
      node.params as never,
    );
    facts.forEach((outputFacts, o) => {
      const shape = results[o]!.shape;
      expect(outputFacts.length, `${node.op.name}: facts for output ${o}`).toBeLessThanOrEqual(shape.length);
      outputFacts.forEach((fact, axis) => {
        const want = lengthOf(fact, inputs);
        if (want === undefined) return;
        expect(shape[axis], `${node.op.name} output ${o} axis ${axis}: ${JSON.stringify(fact)}`).toBe(want);
        checked++;
      });
    });
  });
  return checked;
}

const range = (n: number, offset = 0) => Array.from({ length: n }, (_, i) => i + offset);
const matrix = (rows: number, cols: number) => range(rows).map((r) => range(cols, r * cols).map((v) => v / 10));

describe('inferShape facts agree with evaluation', () => {
  test('elementwise ops, fill, alloc, broadcastTo and the gradient helpers', () => {
    const a = T.dmatrix('a');
    const b = T.dmatrix('b');
    const n = T.lscalar('n');
    const outputs = [
      T.add(a, b),
      T.exp(T.switch(T.gt(a, 0), a, b)),
      T.cast(a, 'int32'),
      T.fill(a, b),
      T.alloc(T.sum(b, 0), n, T.shape(b, 1)),
      T.broadcastTo(a, [3, T.shape(a, 1)]),
      T.sumToShape(T.add(a, b), b),
      T.broadcastLike(a, T.add(a, b)),
      T.zeroGrad(a),
      T.gradClip(a, -1, 1),
      theano.printing.Print('a', { log: () => {} })(a),
    ] as Tensor[];
    const values = new Map<Variable, unknown>([
      [a, matrix(1, 4)],
      [b, matrix(3, 4)],
      [n, 5],
    ]);
    expect(checkFacts(outputs, values)).toBeGreaterThan(20);
  });

  test('shape ops: shape, shape_i, reshape, flatten, dimshuffle, tile', () => {
    const x = T.dtensor3('x');
    const k = T.lscalar('k');
    const outputs = [
      T.shape(x),
      T.reshape(x, [k, -1]),
      T.reshape(x, [2, 3, 4]),
      T.reshape(x, T.shape(x), 3),
      T.flatten(x, 2),
      x.dimshuffle(2, 'x', 0, 1),
      T.tile(x, [1, 2, 1]),
    ] as Tensor[];
    const values = new Map<Variable, unknown>([
      [x, range(2).map(() => matrix(3, 4))],
      [k, 6],
    ]);
    expect(checkFacts(outputs, values)).toBeGreaterThan(10);
  });

  test('reductions, argmax, cumulative ops, softmax, crossentropy', () => {
    const x = T.dmatrix('x');
    const y = T.ivector('y');
    const outputs = [
      T.sum(x, 0),
      T.max(x, 1, { keepdims: true }),
      T.argmax(x, 1),
      T.argmax(x, 0, { keepdims: true }),
      T.cumsum(x, 1),
      T.cumsum(x),
      T.softmax(x),
      T.logSoftmax(x),
      T.categoricalCrossentropy(T.softmax(x), y),
    ] as Tensor[];
    const values = new Map<Variable, unknown>([
      [x, matrix(3, 5)],
      [y, [0, 4, 2]],
    ]);
    expect(checkFacts(outputs, values)).toBeGreaterThan(10);
  });

  test('products: dot, matmul, batched_dot, tensordot', () => {
    const a = T.dmatrix('a');
    const b = T.dmatrix('b');
    const u = T.dvector('u');
    const p = T.dtensor3('p');
    const q = T.dtensor3('q');
    const outputs = [
      T.dot(a, b),
      T.dot(a, u),
      T.dot(u, b),
      T.matmul(p, b),
      T.matmul(a, q),
      T.matmul(u, q),
      T.batchedDot(p, q),
      T.batchedDot(p, T.dmatrix('pm')),
      T.tensordot(p, q, [[2], [1]]),
    ] as Tensor[];
    const values = new Map<Variable, unknown>([
      [a, matrix(2, 3)],
      [b, matrix(3, 4)],
      [u, [1, 2, 3]],
      [p, range(5).map(() => matrix(2, 3))],
      [q, range(5).map(() => matrix(3, 4))],
      [outputs[7]!.owner!.inputs[1] as Tensor, matrix(5, 3)],
    ]);
    expect(checkFacts(outputs, values)).toBeGreaterThan(15);
  });

  test('structure: concatenate, split, arange, eye, tri, repeat, roll', () => {
    const x = T.dmatrix('x');
    const n = T.lscalar('n');
    const pieces = T.split(x, [1, n], 1);
    const outputs = [
      T.concatenate([x, x], 1),
      ...pieces,
      T.arange(n),
      T.eye(n),
      T.tril(x),
      T.repeat(x, 2, 0),
      T.roll(x, 1, 1),
      T.roll(x, n),
    ] as Tensor[];
    const values = new Map<Variable, unknown>([
      [x, matrix(3, 4)],
      [n, 3],
    ]);
    expect(checkFacts(outputs, values)).toBeGreaterThanOrEqual(10);
  });

  test('indexing: subtensor, inc_subtensor, take, advanced_inc_subtensor; map (jacobian)', () => {
    const x = T.dmatrix('x');
    const i = T.ivector('i');
    const v = T.dvector('v');
    const outputs = [
      T.getItem(x, [T.slice(1, null)]),
      T.incSubtensor(T.getItem(x, [0]), 1),
      T.take(x, i, 1),
      T.incSubtensor(T.take(x, i, 0), 2),
      theano.jacobian(T.exp(v), v),
    ] as Tensor[];
    const values = new Map<Variable, unknown>([
      [x, matrix(3, 4)],
      [i, [0, 2]],
      [v, [0.5, 1, 2]],
    ]);
    expect(checkFacts(outputs, values)).toBeGreaterThan(5);
  });

  test('advanced indexing with several index arrays, sorting, searching and counting', () => {
    const x = T.dtensor3('x');
    const i = T.imatrix('i');
    const j = T.ivector('j');
    const v = T.dvector('v');
    const labels = T.ivector('labels');
    const outputs = [
      x.get(i, j),
      x.get(i, T.slice(), j),
      x.at(T.slice(), i, j).inc(1),
      T.sort(x, 1),
      T.argsort(x, 0),
      T.topk(x, -2, 2),
      T.topkIndices(x, 1, 1),
      T.searchsorted(T.sort(v), x),
      ...T.nonzero(x),
      ...T.unique(x, { returnIndex: true, returnInverse: true, returnCounts: true }),
      ...T.unique(x, { returnInverse: true, axis: 1 }),
      T.bincount(labels, { weights: v, minlength: 4 }),
      T.oneHot(labels, 5),
    ] as Tensor[];
    const values = new Map<Variable, unknown>([
      [x, [matrix(3, 4), matrix(3, 4).map((r) => r.map((e) => -e))]],
      [i, [[0], [1]]],
      [j, [2, 0, 1]],
      [v, [0.5, 1, 2]],
      [labels, [1, 0, 2]],
    ]);
    expect(checkFacts(outputs, values)).toBeGreaterThan(30);
  });

  test('ifelse: the lengths of an input both branches return', () => {
    const c = T.bscalar('c');
    const x = T.dmatrix('x');
    const y = T.dmatrix('y');
    const [same, other] = theano.ifelse(c, [x, x.mul(2)], [x, y]);
    const values = new Map<Variable, unknown>([
      [c, 1],
      [x, matrix(3, 4)],
      [y, matrix(3, 4)],
    ]);
    expect(checkFacts([same!, other!], values)).toBe(2);
  });

  test('scan: the steps axis is nSteps; recurrent outputs keep their initial rows and state lengths', () => {
    const X = T.dmatrix('X');
    const h0 = T.dvector('h0');
    const n = T.iscalar('n');
    const [[h, z]] = theano.scan((x, prev) => [T.tanh(prev.add(x)), x.sum()], {
      sequences: [X],
      outputsInfo: [h0, null],
    });
    const [counted] = theano.scan((prev) => prev.mul(2), { outputsInfo: h0, nSteps: n });
    const [stopped] = theano.scan((prev) => ({ outputs: prev.add(1), until: prev.sum().gt(5) }), {
      outputsInfo: h0,
      nSteps: 10,
    });
    const values = new Map<Variable, unknown>([
      [X, matrix(3, 4)],
      [h0, [0.5, 1, 2, 3]],
      [n, 2],
    ]);
    // z: steps (nSteps, from the sequence); h, counted, stopped: the state length (4) from the initial value
    expect(checkFacts([h!, z!, counted, stopped], values)).toBeGreaterThanOrEqual(4);
  });

  test('random draws: the state keeps its 6 words; the sample has the size, or the parameters broadcast', () => {
    const srng = new theano.RandomStreams(1);
    const n = T.lscalar('n');
    const X = T.dmatrix('X');
    const loc = T.dcol('loc');
    const scale = T.dvector('scale');
    const draws = [
      srng.uniform([n, 3]),
      srng.normal(null, { loc, scale }),
      srng.binomial(X.shape(), { n: 4, p: 0.5 }),
      srng.integers(0, 5, [n]),
      srng.choice(5, [2, n], { replace: true }),
      srng.permutation(n),
      srng.permutation(X),
    ];
    const states = draws.map((d) => d.owner!.outputs[0] as Tensor);
    const values = new Map<Variable, unknown>([
      [n, 4],
      [X, matrix(3, 2)],
      [loc, [[1], [2]]],
      [scale, [1, 2, 3]],
      ...srng.states.map((s) => [s, s.getValue()] as [Variable, unknown]),
    ]);
    // every sample length and every state length is a fact here
    expect(checkFacts([...draws, ...states], values)).toBeGreaterThanOrEqual(20);
  });

  test('linear algebra: factorizations, solves, decompositions and diagonals (batched)', () => {
    const s = T.dtensor3('s');
    const b = T.dmatrix('b');
    const v = T.dvector('v');
    const m = T.dmatrix('m');
    const c = T.dvector('c');
    const d = T.dmatrix('d');
    const spd = T.add(T.matmul(s, T.dimshuffle(s, [0, 2, 1])), T.mul(T.eye(3), 3));
    const outputs = [
      T.linalg.cholesky(spd),
      T.linalg.solve(spd, b),
      T.linalg.solve(spd, v, { assumeA: 'pos' }),
      T.linalg.solveTriangular(spd, b, { lower: true }),
      T.linalg.det(s),
      ...T.linalg.slogdet(s),
      T.linalg.matrixInverse(spd),
      T.linalg.diagonal(m, 1),
      T.linalg.allocDiag(v, { offset: -1 }),
      T.linalg.allocDiag(T.linalg.diagonal(m), { like: m }),
      ...T.linalg.eigh(spd),
      ...T.linalg.svd(m, { fullMatrices: false }),
      T.linalg.svd(s, { computeUv: false }),
      ...T.linalg.qr(m),
      ...T.linalg.qr(s, { mode: 'complete' }),
      T.linalg.qr(m, { mode: 'r' }),
      ...T.linalg.lu(m),
      ...T.linalg.lu(s, { permuteL: true }),
      ...T.linalg.lu(m, { pIndices: true }),
      T.linalg.pinv(m),
      T.linalg.pinv(spd, { hermitian: true }),
      ...T.linalg.lstsq(m, c),
      ...T.linalg.lstsq(m, d),
    ] as Tensor[];
    const values = new Map<Variable, unknown>([
      [s, [matrix(3, 3), matrix(3, 3).map((r) => r.map((x) => -x))]],
      [b, matrix(3, 2)],
      [v, [1, 2, 3]],
      [m, matrix(4, 3)],
      [c, [1, 2, 3, 4]],
      [d, matrix(4, 2)],
    ]);
    expect(checkFacts(outputs, values)).toBeGreaterThan(60);
  });

  test('convolution and pooling: conv2d, its gradient ops, pool2d and the pooling gradients', () => {
    const x = T.dtensor4('x');
    const w = T.dtensor4('w');
    const xs = T.tensor('float64', [2, 4, 7, 6], 'xs') as Tensor<'float64', 4>;
    const ws = T.tensor('float64', [6, 2, 3, 2], 'ws') as Tensor<'float64', 4>;
    const rows = T.lscalar('rows');
    const y = T.conv2d(x, w, { border: 'half', subsample: [2, 1] });
    const ys = T.conv2d(xs, ws, { numGroups: 2, filterDilation: [2, 1] });
    const [gx, gw] = T.grad(T.sum(T.sqr(ys)), [xs, ws]) as unknown as Tensor[];
    const pooled = T.pool2d(x, { ws: 2, ignoreBorder: true });
    const outputs = [
      y,
      ys,
      gx!,
      gw!,
      T.conv2dTranspose(y, w, { border: 'half', subsample: [2, 1], outputShape: [rows, 6] }),
      T.conv2dTranspose(T.tensor('float64', [2, 6, 3, 5], 'h') as Tensor<'float64', 4>, ws, { numGroups: 2 }),
      T.grad(T.sum(T.sqr(pooled)), x) as Tensor,
      T.grad(T.sum(T.pool2d(x, { ws: [2, 3], stride: 1, mode: 'average_exc_pad' })), x) as Tensor,
      T.maxPoolGradGrad(x, pooled, x, { ws: 2, ignoreBorder: true }),
      T.pool2d(T.dtensor3('t'), { ws: 3, stride: 2 }),
    ] as Tensor[];
    const values = new Map<Variable, unknown>([
      [x, range(2).map(() => range(4).map(() => matrix(7, 6)))],
      [w, range(6).map(() => range(4).map(() => matrix(3, 3)))],
      [xs, range(2).map(() => range(4).map(() => matrix(7, 6)))],
      [ws, range(6).map(() => range(2).map(() => matrix(3, 2)))],
      [rows, 7],
      [outputs[5]!.owner!.inputs[0]!, range(2).map(() => range(6).map(() => matrix(3, 5)))],
      [outputs[9]!.owner!.inputs[0]!, range(2).map(() => matrix(7, 6))],
    ]);
    expect(checkFacts(outputs, values)).toBeGreaterThan(40);
  });

  test('every op of the registry was exercised', () => {
    const missing = Object.keys(OPS).filter((name) => !exercised.has(name) && !(name in ELEMWISE_NOT_NEEDED));
    expect(missing).toEqual([]);
  });
});

/** Elementwise ops share one inferShape (broadcastFacts): a few stand for all of them above. */
const ELEMWISE_NOT_NEEDED = Object.fromEntries(
  Object.entries(OPS)
    .filter(
      ([name, op]) =>
        'kind' in op &&
        (op as { kind: string }).kind === 'elemwise' &&
        !['add', 'exp', 'switch', 'cast', 'gt'].includes(name),
    )
    .map(([name]) => [name, true]),
);
