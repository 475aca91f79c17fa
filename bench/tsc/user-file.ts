/**
 * A seeded generator of a large user file for the type-checking benchmark (bench/tsc.ts): functions of mixed ops
 * written as a user writes them (declarations, fluent chains, reductions, dot, indexing, grad, `theano.function`
 * with updates and givens, an occasional scan or ifelse, calls to generic layer helpers), each self-contained,
 * importing the package by its name. It tracks every expression's dtype and rank as it builds it, so the file
 * type-checks without errors (the benchmark counts the diagnostics and reports any).
 */
import { UPCAST, UPGRADE_TO_FLOAT, type DType } from '../../src/types/dtype.js';

type Kind = 'float64' | 'float32' | 'int32' | 'int64';
interface Expr {
  readonly code: string;
  readonly dtype: DType;
  readonly rank: number;
}

const PREFIX: Record<Kind, string> = { float64: 'd', float32: 'f', int32: 'i', int64: 'l' };
const RANK_NAME = ['scalar', 'vector', 'matrix', 'tensor3', 'tensor4'];
const FLOAT_UNARY = ['exp', 'log', 'tanh', 'sigmoid', 'sqrt', 'softplus', 'sin', 'cos', 'log1p', 'expm1', 'relu'];
const SAME_UNARY = ['abs', 'neg', 'sqr'];
const BINARY = ['add', 'sub', 'mul', 'maximum', 'minimum'];
const FREE_UNARY = ['exp', 'tanh', 'abs', 'sqrt', 'log'];

/** Generic helpers a library author writes once and the functions below call. */
const HELPERS = `
/** A dense layer: tanh(x w + b). */
export function dense<D extends FloatDType>(x: Tensor<D, 2>, w: Tensor<D, 2>, b: Tensor<D, 1>) {
  return T.tanh(T.dot(x, w).add(b));
}
/** Softmax regression probabilities. */
export function softmaxLayer<D extends FloatDType>(x: Tensor<D, 2>, w: Tensor<D, 2>) {
  return T.dot(x, w).softmax();
}
/** Mean squared error over any rank. */
export function mse<D extends FloatDType, R extends Rank>(prediction: Tensor<D, R>, target: Tensor<D, R>) {
  return prediction.sub(target).sqr().mean();
}
/** Negative log-likelihood of integer labels. */
export function nll<D extends FloatDType>(p: Tensor<D, 2>, labels: Tensor<'int32', 1>) {
  return T.log(p.get(T.arange(labels.shape(0)), labels)).mean().neg();
}
/** Standardizes the columns of a batch. */
export function standardize<D extends FloatDType>(x: Tensor<D, 2>) {
  return x.sub(x.mean(0, { keepdims: true })).div(x.std(0, { keepdims: true }).add(1e-8));
}
/** L2 penalty of a list of weights. */
export function l2<D extends FloatDType>(a: Tensor<D, 2>, b: Tensor<D, 2>) {
  return a.sqr().sum().add(b.sqr().sum());
}
/** A plain SGD update list. */
export function sgd<D extends FloatDType>(params: readonly SharedVariable<D, 2>[], grads: readonly Tensor<D, 2>[], lr: number) {
  return params.map((p, i) => [p, T.sub(p, T.mul(grads[i]!, lr))] as const);
}
`;

class Gen {
  readonly rand: () => number;
  private lines: string[] = [];
  private names = 0;
  constructor(rand: () => number) {
    this.rand = rand;
  }
  int(n: number): number {
    return Math.floor(this.rand() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  fresh(base: string): string {
    return `${base}${this.names++}`;
  }
  emit(line: string): void {
    this.lines.push(`  ${line}`);
  }
  take(): string[] {
    const out = this.lines;
    this.lines = [];
    this.names = 0;
    return out;
  }

  /** Declares an input tensor. */
  input(kind: Kind, rank: number): Expr {
    const name = this.fresh('x');
    this.emit(`const ${name} = T.${PREFIX[kind]}${RANK_NAME[rank]}('${name}');`);
    return { code: name, dtype: kind, rank };
  }

  /** Binds an expression to a const (as users name intermediate results). */
  bind(e: Expr): Expr {
    const name = this.fresh('e');
    this.emit(`const ${name} = ${e.code};`);
    return { ...e, code: name };
  }

  /** One step applied to `e`: a unary, a binary with a partner, a reduction, an index or a reshuffle. */
  step(e: Expr, partners: readonly Expr[]): Expr {
    const r = this.rand();
    if (r < 0.3) return this.unary(e);
    if (r < 0.6) return this.binary(e, partners);
    if (r < 0.75 && e.rank > 0) return this.reduce(e);
    if (r < 0.85 && e.rank > 0) return this.index(e);
    if (r < 0.92 && e.rank === 2) return { ...e, code: `${e.code}.dimshuffle(1, 0)` };
    if (r < 0.96 && e.rank === 1) return { ...e, code: `${e.code}.dimshuffle('x', 0)`, rank: 2 };
    return this.unary(e);
  }

  unary(e: Expr): Expr {
    if (this.rand() < 0.3) {
      const f = this.pick(SAME_UNARY);
      if (f === 'sqr' || e.dtype !== 'bool') return { ...e, code: `${e.code}.${f}()` };
    }
    const f = this.pick(FLOAT_UNARY);
    const dtype = UPGRADE_TO_FLOAT[e.dtype];
    if (this.rand() < 0.2 && FREE_UNARY.includes(f)) return { code: `T.${f}(${e.code})`, dtype, rank: e.rank };
    return { code: `${e.code}.${f}()`, dtype, rank: e.rank };
  }

  binary(e: Expr, partners: readonly Expr[]): Expr {
    const op = this.pick(BINARY);
    const fits = partners.filter((p) => p.dtype === e.dtype && p.rank <= e.rank && p.code !== e.code);
    if (fits.length && this.rand() < 0.6) {
      const p = this.pick(fits);
      return { code: `${e.code}.${op}(${p.code})`, dtype: UPCAST[e.dtype][p.dtype], rank: Math.max(e.rank, p.rank) };
    }
    if (this.rand() < 0.5) return { ...e, code: `${e.code}.${op}(${1 + this.int(4)})` };
    const dtype = e.dtype === 'float32' ? 'float32' : 'float64';
    if (this.rand() < 0.3) return { code: `T.${op}(${e.code}, 0.5)`, dtype, rank: e.rank };
    return { code: `${e.code}.${op}(0.5)`, dtype, rank: e.rank };
  }

  reduce(e: Expr): Expr {
    const f = this.pick(['sum', 'mean', 'max', 'sum', 'mean']);
    const sumDtype = (d: DType): DType => {
      if (f === 'max') return d;
      if (d === 'float32' || d === 'float64') return d;
      return f === 'mean' ? 'float64' : 'int64';
    };
    const r = this.rand();
    if (r < 0.25) return { code: `${e.code}.${f}()`, dtype: sumDtype(e.dtype), rank: 0 };
    const axis = this.int(e.rank);
    const ax = this.rand() < 0.2 ? String(axis - e.rank) : String(axis);
    if (r < 0.4) return { code: `${e.code}.${f}(${ax}, { keepdims: true })`, dtype: sumDtype(e.dtype), rank: e.rank };
    if (r < 0.55) return { code: `T.${f}(${e.code}, ${ax})`, dtype: sumDtype(e.dtype), rank: e.rank - 1 };
    return { code: `${e.code}.${f}(${ax})`, dtype: sumDtype(e.dtype), rank: e.rank - 1 };
  }

  index(e: Expr): Expr {
    const r = this.rand();
    if (r < 0.35) return { ...e, code: `${e.code}.get(${this.int(2)})`, rank: e.rank - 1 };
    if (r < 0.7) return { ...e, code: `${e.code}.get(T.slice(${this.int(2)}, ${2 + this.int(3)}))` };
    if (e.rank >= 2) return { ...e, code: `${e.code}.get(T.slice(null, null, 2), ${this.int(2)})`, rank: e.rank - 1 };
    return { ...e, code: `${e.code}.get(T.slice(1))` };
  }

  /** A chain of `length` steps from `e`, bound every few steps. */
  chain(e: Expr, partners: readonly Expr[], length: number): Expr {
    let cur = e;
    for (let i = 0; i < length; i++) {
      cur = this.step(cur, partners);
      if (i % 3 === 2 || cur.code.length > 90) cur = this.bind(cur);
    }
    return this.bind(cur);
  }
}

const KINDS: readonly Kind[] = ['float64', 'float64', 'float32', 'int32', 'int64'];

/** Elementwise and reduction chains over a few inputs, compiled into a function of several outputs. */
function chains(g: Gen): void {
  const kind = g.pick(KINDS);
  const inputs = [g.input(kind, 1 + g.int(3)), g.input(kind, g.int(3)), g.input(kind, 1 + g.int(2))];
  const outs = [g.chain(inputs[0]!, inputs, 3 + g.int(5)), g.chain(inputs[2]!, inputs, 2 + g.int(4))];
  const list = outs.map((o) => (o.rank > 2 ? `${o.code}.sum(0)` : o.code));
  g.emit(`const f = theano.function([${inputs.map((i) => i.code).join(', ')}], [${list.join(', ')}]);`);
  g.emit(`return f;`);
}

/** A linear model trained by SGD: shared weights, grad, updates (and givens for a minibatch). */
function training(g: Gen): void {
  const kind = g.pick(['float64', 'float32'] as const);
  const p = PREFIX[kind];
  const [n, m] = [2 + g.int(6), 1 + g.int(5)];
  const dt = kind === 'float32' ? `, { dtype: 'float32', name: 'w' }` : `, { name: 'w' }`;
  g.emit(`const x = T.${p}matrix('x');`);
  g.emit(`const y = T.ivector('y');`);
  g.emit(`const w = theano.shared(theano.zeros([${n}, ${m}])${dt.replace("'w'", "'w'")});`);
  g.emit(`const b = theano.shared(theano.zeros([${m}])${dt.replace("'w'", "'b'")});`);
  const act = g.pick(['softmax()', 'sigmoid()', 'tanh().softmax()']);
  g.emit(`const p = T.dot(x, w).add(b).${act};`);
  g.emit(`const cost = T.log(p.get(T.arange(y.shape(0)), y)).mean().neg().add(w.sqr().sum().mul(${g.int(9) / 1000}));`);
  g.emit(`const [gw, gb] = T.grad(cost, [w, b]);`);
  g.emit(`const lr = ${(1 + g.int(9)) / 100};`);
  g.emit(`const updates = [[w, w.sub(gw.mul(lr))], [b, b.sub(gb.mul(lr))]] as const;`);
  if (g.rand() < 0.5) {
    g.emit(`const data = theano.shared(theano.zeros([100, ${n}])${dt.replace("'w'", "'data'")});`);
    g.emit(`const labels = theano.shared(theano.zeros([100], { dtype: 'int32' }));`);
    g.emit(`const i = T.lscalar('i');`);
    g.emit(`const batch = T.slice(i.mul(${10 + g.int(10)}), i.add(1).mul(${10 + g.int(10)}));`);
    g.emit(
      `const step = theano.function([i], cost, { updates, givens: [[x, data.get(batch)], [y, labels.get(batch)]] });`,
    );
    g.emit(`return step(${g.int(5)}) + 1;`);
  } else {
    g.emit(`const step = theano.function([x, y], [cost, p.argmax(1)], { updates });`);
    g.emit(`const predict = theano.function([x], p.argmax(-1));`);
    g.emit(`return [step, predict] as const;`);
  }
}

/** Calls to the generic helpers with concrete tensors. */
function helpers(g: Gen): void {
  const p = g.pick(['d', 'f']);
  g.emit(`const x = T.${p}matrix('x');`);
  g.emit(`const w = T.${p}matrix('w');`);
  g.emit(`const b = T.${p}vector('b');`);
  const r = g.rand();
  if (r < 0.25) g.emit(`const out = mse(dense(x, w, b), standardize(x));`);
  else if (r < 0.5) g.emit(`const out = nll(softmaxLayer(dense(x, w, b), w), T.ivector('y'));`);
  else if (r < 0.75) g.emit(`const out = l2(w, dense(x, w, b)).add(mse(b, b.mul(2)));`);
  else g.emit(`const out = dense(standardize(x), w, b).sum(1).max();`);
  g.emit(`return theano.function([x, w, b], out, { name: 'h' }).inputs.length;`);
}

/** A recurrence with scan, or a branch with ifelse, or a grad of a chain. */
function control(g: Gen): void {
  const r = g.rand();
  if (r < 0.35) {
    g.emit(`const xs = T.dmatrix('xs');`);
    g.emit(`const h0 = T.dvector('h0');`);
    g.emit(`const w = T.dmatrix('w');`);
    g.emit(
      `const [hs, upd] = theano.scan((row, prev) => T.tanh(prev.add(T.dot(w, row))), { sequences: [xs], outputsInfo: h0 });`,
    );
    g.emit(`return theano.function([xs, h0, w], hs.get(-1), { updates: upd });`);
  } else if (r < 0.65) {
    g.emit(`const a = T.dscalar('a');`);
    g.emit(`const v = T.dvector('v');`);
    g.emit(`const u = T.dvector('u');`);
    g.emit(`const out = theano.ifelse(T.lt(a, ${g.int(5)}), v.mul(a), u.exp());`);
    g.emit(`return theano.function([a, v, u], out.sum());`);
  } else {
    const x = g.input('float64', 1 + g.int(2));
    const e = g.chain(x, [x], 2 + g.int(3));
    const cost = e.rank === 0 ? e.code : `${e.code}.sum()`;
    g.emit(`const gx = T.grad(${e.dtype === 'float64' ? cost : `${cost}.cast('float64')`}, ${x.code});`);
    g.emit(`return theano.function([${x.code}], [gx, gx.mul(2)]);`);
  }
}

/** The whole file: imports, the generic helpers, then `n` functions drawn from the kinds above. */
export function generateUserFile(n: number, rand: () => number, only?: readonly string[]): string {
  const g = new Gen(rand);
  const out = [
    '// Generated by bench/tsc/user-file.ts (seeded): a user file of mixed ops for the type-checking benchmark.',
    "import * as theano from 'theano-ts';",
    "import type { FloatDType, Rank, SharedVariable, Tensor } from 'theano-ts';",
    '',
    'const T = theano.tensor;',
    HELPERS,
  ];
  const all = [chains, chains, chains, training, helpers, control];
  const kinds = only ? all.filter((k) => only.includes(k.name)) : all;
  for (let i = 0; i < n; i++) {
    g.pick(kinds)(g);
    out.push(`export function f${i}() {`, ...g.take(), '}', '');
  }
  return out.join('\n');
}
