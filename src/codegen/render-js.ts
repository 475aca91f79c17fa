/**
 * The JavaScript renderer of the loop IR: one table entry per statement kind (checked complete by the compiler),
 * writing the kernel factory's body. The text holds only the IR's own names and numbers and the `emit` templates of
 * the scalar table.
 */
import type { ReduceKind } from '../ops/reduce.js';
import { SCALAR_OPS } from '../ops/scalar.js';
import { DTYPES, isFloat, type DType } from '../types/dtype.js';
import type { KernelOp, Ref } from './kernel.js';
import type { Index, LoopKernel, Stmt } from './loop-ir.js';

const checkDType = (d: DType): string => {
  if (!DTYPES.includes(d)) throw new Error(`internal: unknown dtype in kernel IR`);
  return `'${d}'`;
};

/** `expr` as a value of `dtype`: what storing it in that dtype's typed array would give. */
function wrap(expr: string, dtype: DType): string {
  switch (dtype) {
    case 'float64':
      return expr;
    case 'float32':
      return `Math.fround(${expr})`;
    case 'int32':
      return `(${expr} | 0)`;
    case 'int16':
      return `((${expr} << 16) >> 16)`;
    case 'int8':
      return `((${expr} << 24) >> 24)`;
    case 'uint32':
      return `(${expr} >>> 0)`;
    case 'uint16':
      return `(${expr} & 65535)`;
    case 'uint8':
      return `(${expr} & 255)`;
    case 'bool':
      return `(${expr} !== 0 ? 1 : 0)`;
    case 'int64':
      throw new Error('internal: int64 is not generated (it runs exact bigint math in the reference evaluator)');
  }
}

/** Ops whose emitted expression already is 0 or 1. */
const ZERO_ONE = new Set<string>(['lt', 'gt', 'le', 'ge', 'eq', 'neq', 'isnan', 'isinf']);

/**
 * The JS expression of one op over operand expressions, with the same math the reference evaluator chooses
 * (`chooseKernel` in ops/elemwise.ts): wrapping integer variants for integer results, bool not for `invert`.
 */
export function opExpression(
  k: KernelOp,
  args: readonly string[],
  helper: (f: unknown) => string,
  storedOnly: boolean,
): string {
  const s = SCALAR_OPS[k.op];
  const operands = s.output === 'branches' ? k.inDtypes.slice(1) : k.inDtypes;
  const integral = operands.every((d) => !isFloat(d));
  let expr: string;
  if (s.name === 'invert' && k.dtype === 'bool') expr = `(${args[0]} !== 0 ? 0 : 1)`;
  else if (integral && !isFloat(k.dtype) && s.intImpl) expr = `${helper(s.intImpl)}(${args.join(', ')})`;
  else expr = s.emit(args);
  // a value only stored needs no explicit rounding or wrapping: the typed array's store does exactly that
  // (except for bool, whose Uint8Array would keep a 2)
  if (ZERO_ONE.has(s.name) || (storedOnly && k.dtype !== 'bool')) return expr;
  return wrap(expr, k.dtype);
}

const REDUCE_INIT: { [K in ReduceKind]: string } = {
  sum: '0',
  prod: '1',
  max: '-Infinity',
  min: 'Infinity',
  all: '1',
  any: '0',
};

/** The statement folding value `v` into accumulator `a`. */
function reduceStep(kind: ReduceKind, a: string, v: string): string {
  switch (kind) {
    case 'sum':
      return `${a} += ${v};`;
    case 'prod':
      return `${a} *= ${v};`;
    case 'max': // NaN propagates as in numpy: once the accumulator is NaN, nothing is greater
      return `if (${v} > ${a} || ${v} !== ${v}) ${a} = ${v};`;
    case 'min':
      return `if (${v} < ${a} || ${v} !== ${v}) ${a} = ${v};`;
    case 'all':
      return `if (${v} === 0) ${a} = 0;`;
    case 'any':
      return `if (${v} !== 0) ${a} = 1;`;
  }
}

const index = (e: Index): string =>
  e.k === 'int' ? String(e.v) : e.k === 'var' ? e.name : `${index(e.a)} + ${index(e.b)}`;
const dimNames = (rank: number) => Array.from({ length: rank }, (_, d) => `n${d}`);
const product = (dims: readonly number[]) => (dims.length ? dims.map((d) => `n${d}`).join(' * ') : '1');

/** What a statement's renderer sees: the kernel, the names of refs, the helper table, and a way to nest. */
interface JsContext {
  readonly kernel: LoopKernel;
  readonly ref: (r: Ref) => string;
  readonly helper: (f: unknown) => string;
  /** The lines of nested statements, one level deeper. */
  readonly nested: (body: readonly Stmt[]) => string[];
}

type JsRule<K extends Stmt['s']> = (s: Extract<Stmt, { s: K }>, c: JsContext) => string[];

/** How each statement is written in JavaScript. */
const JS: { readonly [K in Stmt['s']]: JsRule<K> } = {
  bindInput: ({ input: k }) => [`const d${k} = a${k}.data, o${k} = a${k}.offset;`],
  declareDims: ({ rank }) => [
    `let ${dimNames(rank)
      .map((n) => `${n} = 1`)
      .join(', ')}, t;`,
  ],
  broadcastDim: ({ input: k, axis, dim }) => [
    `t = a${k}.shape[${axis}]; if (t !== 1) { if (n${dim} === 1) n${dim} = t; else if (n${dim} !== t) return null; }`,
  ],
  loopSize: ({ rank }) => [`const n = ${rank > 0 ? dimNames(rank).join(' * ') : '1'};`],
  requireSpan: ({ dim, readers }) => {
    const spans = readers.length
      ? readers.map(({ input, axis }) => `a${input}.shape[${axis}] === n${dim}`).join(' || ')
      : 'false';
    return [`if (n${dim} !== 1 && !(${spans})) return null;`];
  },
  load: ({ input: k, index: at }) => [`const x${k} = d${k}[${index(at)}];`],
  op: ({ j, op, args, storedOnly }, c) => [`const t${j} = ${opExpression(op, args.map(c.ref), c.helper, storedOnly)};`],
  alloc: ({ output: j, size }) => [`const r${j} = alloc(${j}, ${index(size)});`],
  store: ({ output: j, index: at, value }, c) => [`r${j}[${index(at)}] = ${c.ref(value)};`],
  ifFlat: ({ inputs, then, otherwise }, c) => {
    const test = inputs.map((k) => `a${k}.size === n && a${k}.isContiguous`);
    return [
      `if (${test.length ? test.join(' && ') : 'true'}) {`,
      ...c.nested(then),
      '} else {',
      ...c.nested(otherwise),
      '}',
    ];
  },
  stride: ({ input: k, axis, dim }) => [
    `const s${k}_${dim} = a${k}.shape[${axis}] === 1 ? 0 : a${k}.strides[${axis}];`,
  ],
  let: ({ name, init }) => [`let ${name} = ${index(init)};`],
  loop: ({ counter, bound, advance, width, body }, c) => {
    if (width !== 1) throw new Error('internal: the JS renderer writes scalar loops only');
    const steps = [`${counter}++`, ...advance.map((a) => `${a.name} += ${index(a.by)}`)];
    return [`for (let ${counter} = 0; ${counter} < ${index(bound)}; ${steps.join(', ')}) {`, ...c.nested(body), '}'];
  },
  increment: ({ name }) => [`${name}++;`],
  returnOutputs: ({ dtypes, rank }) => {
    const shape = `[${dimNames(rank).join(', ')}]`;
    return [`return [${dtypes.map((d, j) => `NDArray.fresh(${checkDType(d)}, ${shape}, r${j})`).join(', ')}];`];
  },
  declineIfLonger: ({ dims, max }) => [`if (${product(dims)} > ${max}) return null;`],
  // no identity: the reference evaluator raises the error
  declineIfEmpty: ({ dims }) => [`if (${product(dims)} === 0) return null;`],
  outputStrides: ({ kept }) => ['let z = 1;', ...kept.map((d) => `const u${d} = z; z *= n${d};`)],
  accumulators: ({ kind, direct }) => [
    `const A = ${direct ? 'r0' : 'new Float64Array(z)'};`,
    `for (let q = 0; q < z; q++) A[q] = ${REDUCE_INIT[kind]};`,
  ],
  letAcc: ({ kind, from }) => [`let acc = ${from ? `A[${index(from)}]` : REDUCE_INIT[kind]};`],
  accumulate: ({ kind, into, value }, c) => [reduceStep(kind, into ? `A[${index(into)}]` : 'acc', c.ref(value))],
  storeAcc: ({ index: at }) => [`A[${index(at)}] = acc;`],
  returnReduced: ({ dtype, direct, shape }) => [
    ...(direct ? [] : [`for (let q = 0; q < z; q++) r0[q] = ${dtype === 'int64' ? 'BigInt(A[q])' : 'A[q]'};`]),
    `return [NDArray.fresh(${checkDType(dtype)}, [${shape.map((d) => (d === 'one' ? '1' : `n${d}`)).join(', ')}], r0)];`,
  ],
};

/** Renders a lowered kernel: a factory body (over `$`, `NDArray` and the helper table `H`) returning the kernel. */
export function renderJs(kernel: LoopKernel): { source: string; helpers: unknown[] } {
  const nIn = kernel.ir.inputs.length;
  const helpers: unknown[] = [];
  const helper = (f: unknown) => {
    let i = helpers.indexOf(f);
    if (i < 0) i = helpers.push(f) - 1;
    return `h${i}`;
  };
  const ref = (r: Ref) => (r < nIn ? `x${r}` : `t${r - nIn}`);
  const statements = (body: readonly Stmt[]): string[] =>
    body.flatMap((s) => (JS[s.s] as JsRule<Stmt['s']>)(s, context));
  const context: JsContext = {
    kernel,
    ref,
    helper,
    nested: (body) => statements(body).map((line) => `  ${line}`),
  };
  const params = [...kernel.ir.inputs.map((_, k) => `a${k}`), 'alloc'];
  const lines = [`return function kernel(${params.join(', ')}) {`, ...context.nested(kernel.body), '};'];
  const prelude = ["'use strict';", ...helpers.map((_, i) => `  const h${i} = H[${i}];`)];
  return { source: [...prelude, ...lines].join('\n'), helpers };
}
