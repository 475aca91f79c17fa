/**
 * Random expressions over the public API (issue 16, item 3): each is built at run time (its graph type), compiled
 * and run on random inputs (its value), and type-checked as source text (its static type, read with the checker
 * API from `Tensor<D, R>`); the three must agree on dtype and rank. Seeded and bounded: one program for all.
 */
import { expect, test } from 'vitest';
import ts from 'typescript';
import * as theano from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { DTYPES, type DType } from '../../src/types/dtype.js';
import { virtualProgram } from './virtual-program.js';
import { seededRandom } from '../../src/runtime/random.js';

const T = theano.tensor;
const N = 300;

const rand = seededRandom(16);
const pick = <X>(xs: readonly X[]): X => xs[Math.floor(rand() * xs.length)]!;

interface Expr {
  src: string;
  t: Tensor;
  shape: number[];
}
const leaves: Expr[] = [];
const inputs = new Map<string, Tensor>();
for (const dtype of DTYPES)
  for (const rank of [0, 1, 2, 3] as const) {
    const name = `${dtype}_${rank}`;
    const t = T.tensor(dtype, rank, name) as Tensor;
    inputs.set(name, t);
    leaves.push({ src: name, t, shape: new Array<number>(rank).fill(2) });
  }
const literals: [string, () => Expr][] = [
  ['2', () => ({ src: '2', t: T.constant(2) as Tensor, shape: [] })],
  ['0.5', () => ({ src: '0.5', t: T.constant(0.5) as Tensor, shape: [] })],
  ['true', () => ({ src: 'true', t: T.constant(true) as Tensor, shape: [] })],
];
const constants = [
  'T.constant([1, 2])',
  'T.constant([[1.5, 2], [3, 4]])',
  'T.constant(true)',
  'T.constant([true, false])',
  "T.constant(3, { dtype: 'int8' })",
];

const broadcast = (a: number[], b: number[]): number[] | null => {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    const x = a[a.length - n + k] ?? 1;
    const y = b[b.length - n + k] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(Math.max(x, y));
  }
  return out;
};
const axisOf = (rank: number) => Math.floor(rand() * rank) - (rand() < 0.3 ? rank : 0);
// Each builder makes source text and the same expression at run time (the source is evaluated as written).
const run = (src: string): Tensor =>
  new Function('T', 'theano', ...inputs.keys(), `return ${src};`)(T, theano, ...inputs.values()) as Tensor;

function leaf(): Expr {
  if (rand() < 0.1) {
    const src = pick(constants);
    const t = run(src);
    return { src, t, shape: [...(t.type.shape as number[])] };
  }
  return pick(leaves);
}

/** One random expression of depth at most `depth` (null when the random choice is invalid: try again). */
function expr(depth: number): Expr | null {
  if (depth === 0 || rand() < 0.25) return leaf();
  const a = expr(depth - 1);
  if (!a) return null;
  const r = a.shape.length;
  const kind = pick([
    'binary',
    'binary',
    'literal',
    'unary',
    'compare',
    'reduce',
    'dot',
    'get',
    'shape',
    'join',
    'cast',
    'switch',
    'inc',
  ]);
  const build = (src: string, shape: number[]): Expr => ({
    src,
    t: run(src),
    shape,
  });
  switch (kind) {
    case 'binary': {
      const b = expr(depth - 1);
      const shape = b && broadcast(a.shape, b.shape);
      if (!b || !shape) return null;
      if (a.t.dtype === 'bool' && b.t.dtype === 'bool') return null; // sub/pow of bools: numpy rejects or int8
      const op = pick(['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow', 'intDiv', 'mod']);
      return build(rand() < 0.5 ? `T.${op}(${a.src}, ${b.src})` : `(${a.src}).${op}(${b.src})`, shape);
    }
    case 'literal': {
      const [lit] = pick(literals);
      const op = pick(['add', 'mul', 'maximum', 'div', 'pow']);
      if (a.t.dtype === 'bool' && lit === 'true') return null;
      return build(rand() < 0.5 ? `T.${op}(${a.src}, ${lit})` : `T.${op}(${lit}, ${a.src})`, a.shape);
    }
    case 'unary': {
      const op = pick(['exp', 'abs', 'sqr', 'sqrt', 'tanh', 'floor', 'sigmoid', 'isnan', 'neg']);
      if (op === 'neg' && a.t.dtype === 'bool') return null;
      return build(`(${a.src}).${op}()`, a.shape);
    }
    case 'compare': {
      const b = expr(depth - 1);
      const shape = b && broadcast(a.shape, b.shape);
      if (!b || !shape) return null;
      return build(`T.${pick(['lt', 'eq', 'ge'])}(${a.src}, ${b.src})`, shape);
    }
    case 'reduce': {
      const op = pick(['sum', 'max', 'mean', 'prod', 'argmax', 'all']);
      if (r === 0 || rand() < 0.3) return build(`(${a.src}).${op}()`, []);
      const axis = axisOf(r);
      const keep = rand() < 0.3 && op !== 'argmax';
      const shape = keep
        ? a.shape.map((d, k) => (k === (axis + r) % r ? 1 : d))
        : a.shape.filter((_, k) => k !== (axis + r) % r);
      return build(`(${a.src}).${op}(${axis}${keep ? ', { keepdims: true }' : ''})`, shape);
    }
    case 'dot': {
      const b = expr(depth - 1);
      if (!b || r === 0 || r > 2 || b.shape.length === 0 || b.shape.length > 2) return null;
      if (a.shape[r - 1] !== b.shape[0]) return null;
      return build(`T.dot(${a.src}, ${b.src})`, [...a.shape.slice(0, -1), ...b.shape.slice(1)]);
    }
    case 'get': {
      if (r === 0) return null;
      const which = rand();
      if (which < 0.4) return build(`(${a.src}).get(${pick([0, 1, -1])})`, a.shape.slice(1));
      if (which < 0.7) return build(`(${a.src}).get(T.slice(null, null, -1))`, a.shape);
      if (a.shape[0]! < 2) return null;
      return build(`(${a.src}).get(T.constant([1, 0, 1], { dtype: 'int32' }))`, [3, ...a.shape.slice(1)]);
    }
    case 'shape': {
      const which = rand();
      if (which < 0.4 && r === 2) return build(`(${a.src}).dimshuffle(1, 0)`, [a.shape[1]!, a.shape[0]!]);
      if (which < 0.7)
        return build(`(${a.src}).dimshuffle(${["'x'", ...a.shape.map((_, k) => k)].join(', ')})`, [1, ...a.shape]);
      const size = a.shape.reduce((x, y) => x * y, 1);
      return build(`(${a.src}).reshape([${size}])`, [size]);
    }
    case 'join': {
      const b = expr(depth - 1);
      if (!b || r === 0 || b.shape.length !== r) return null;
      if (a.shape.some((d, k) => k > 0 && d !== b.shape[k])) return null;
      if (rand() < 0.5)
        return build(`T.concatenate([${a.src}, ${b.src}])`, [a.shape[0]! + b.shape[0]!, ...a.shape.slice(1)]);
      if (a.shape[0] !== b.shape[0]) return null;
      return build(`T.stack([${a.src}, ${b.src}])`, [2, ...a.shape]);
    }
    case 'cast':
      return build(`(${a.src}).cast('${pick(DTYPES)}')`, a.shape);
    case 'switch': {
      const b = expr(depth - 1);
      const shape = b && broadcast(a.shape, b.shape);
      if (!b || !shape) return null;
      return build(`T.switch(T.gt(${a.src}, 0), ${a.src}, ${b.src})`, shape);
    }
    case 'inc': {
      if (r === 0) return null;
      return build(`(${a.src}).at(0).inc(1)`, a.shape);
    }
  }
  return null;
}

/** A value of `dtype` and `shape` for an input. */
function value(dtype: DType, shape: number[]): theano.NDArray {
  const size = shape.reduce((x, y) => x * y, 1);
  const data = Array.from({ length: size }, () => (dtype === 'bool' ? rand() < 0.5 : 1 + Math.floor(rand() * 3)));
  const a = theano.array(data as never, { dtype }) as theano.NDArray;
  return a.reshape(shape as never) as theano.NDArray;
}

test(`${N} random expressions: the static type, the graph type and the computed value agree`, () => {
  const exprs: Expr[] = [];
  while (exprs.length < N) {
    try {
      const e = expr(3);
      if (e && e.shape.length <= 8 && e.t.ndim > 0 === e.shape.length > 0) exprs.push(e);
    } catch {
      // the run time rejects this combination (an op's own check): not a static-vs-runtime question
    }
  }
  const source = [
    `import * as theano from '../../src/index.js';`,
    `const T = theano.tensor;`,
    ...[...inputs.keys()].map(
      (name) => `const ${name} = T.tensor('${name.split('_')[0]}', ${name.split('_')[1]}, '${name}');`,
    ),
    ...exprs.map((e, i) => `export const e${i} = ${e.src};`),
  ].join('\n');
  const { program, file } = virtualProgram({ '.random-exprs.ts': source });
  const sf = file('.random-exprs.ts');
  const checker = program.getTypeChecker();
  const problems: string[] = [];
  for (const d of ts.getPreEmitDiagnostics(program, sf)) {
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : -1;
    problems.push(
      `compile error (a false error) at line ${line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}\n  ${source.split('\n')[line]}`,
    );
  }
  const staticOf = new Map<string, [string, string]>();
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    const decl = st.declarationList.declarations[0]!;
    const type = checker.getTypeAtLocation(decl.name);
    const prop = (p: string) => {
      const sym = type.getProperty(p);
      return sym ? checker.typeToString(checker.getTypeOfSymbolAtLocation(sym, decl)) : '?';
    };
    staticOf.set(decl.name.getText(sf), [prop('dtype'), prop('ndim')]);
  }
  exprs.forEach((e, i) => {
    const [sd, sr] = staticOf.get(`e${i}`)!;
    const used = [...inputs.entries()].filter(([name]) => new RegExp(`\\b${name}\\b`).test(e.src));
    const f = theano.function(
      used.map(([, t]) => t),
      e.t,
      { onUnusedInput: 'ignore' } as never,
    );
    const out = (f as (...a: unknown[]) => unknown)(
      ...used.map(([name, t]) => value(t.dtype, new Array(t.ndim).fill(2))),
    );
    const [rd, rr] =
      out instanceof theano.NDArray
        ? [out.dtype, out.ndim]
        : [typeof out === 'bigint' ? 'int64' : typeof out === 'boolean' ? 'bool' : e.t.dtype, 0];
    const rankKnown = /^\d$/.test(sr);
    if (sd !== `"${rd}"` || (rankKnown && sr !== String(rr)) || e.t.dtype !== rd || e.t.ndim !== rr)
      problems.push(`${e.src}\n  static ${sd} rank ${sr}; graph ${e.t.dtype} rank ${e.t.ndim}; value ${rd} rank ${rr}`);
  });
  if (process.env.SHOW_RANDOM) console.log(exprs.map((e, i) => `${staticOf.get(`e${i}`)} ${e.src}`).join('\n'));
  expect(problems, problems.join('\n')).toEqual([]);
});
