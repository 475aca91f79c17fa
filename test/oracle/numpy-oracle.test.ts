/**
 * An oracle outside ourselves: every case of test/oracle/corpus.json (random expressions with the results numpy 2
 * gave, written by test/oracle/generate.py) is rebuilt with the theano-ts API and run in every mode; dtype, shape
 * and values must match numpy's, within a tolerance per dtype, NaN in the same places. Where we follow Theano
 * rather than numpy, the case says why (`differs`) and holds our documented value instead (docs/types.md lists
 * these rules). Cases numpy refuses (`error`) must fail here too, with our message.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { DType, NDArray, Tensor } from '../../src/index.js';
import { STORAGE } from '../../src/types/dtype.js';

const T = theano.tensor;

type Encoded = number | string;
interface InputSpec {
  dtype: DType;
  shape: number[];
  strides: number[];
  offset: number;
  data: Encoded[];
}
type Expr =
  | { in: number }
  | { num: number }
  | { op: string; args: Expr[]; dtype?: DType; axis?: number | number[] | null; keepdims?: boolean; ddof?: number };
interface Case {
  id: string;
  inputs: InputSpec[];
  expr: Expr;
  expected?: { dtype: DType; shape: number[]; data: Encoded[] };
  error?: string;
  differs?: string;
  numpy?: unknown;
  /** 'float32': a float32 (or, in numpy, float16) result inside the expression; float32's tolerance applies. */
  tolerance?: 'float32';
}
interface Corpus {
  numpy: string;
  cases: Case[];
}

const corpus = JSON.parse(readFileSync(new URL('./corpus.json', import.meta.url), 'utf8')) as Corpus;

const MODES = {
  FAST_RUN: theano.FAST_RUN,
  FAST_COMPILE: theano.FAST_COMPILE,
  DEBUG: theano.DEBUG,
  'FAST_RUN reference': theano.FAST_RUN.withLinker('reference'),
} as const;

/** |ours - numpy| <= atol + rtol |numpy| per dtype: float32 math may round differently (numpy runs float32 loops). */
const TOLERANCE: { [D in DType]?: { rtol: number; atol: number } } = {
  float32: { rtol: 2e-5, atol: 1e-6 },
  float64: { rtol: 1e-9, atol: 1e-12 },
};

const decodeFloat = (v: Encoded): number =>
  v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : (v as number);

function decode(dtype: DType, data: readonly Encoded[]): (number | bigint)[] {
  if (dtype === 'int64') return data.map((v) => BigInt(v as string));
  if (dtype === 'float32' || dtype === 'float64') return data.map(decodeFloat);
  return data as number[]; // bool and 8-32-bit integers: plain numbers
}

/** The input as numpy had it: a strided view (maybe negative strides) on a flat buffer. */
function inputArray(spec: InputSpec): NDArray {
  const storage = new STORAGE[spec.dtype](spec.data.length) as unknown as { [i: number]: number | bigint };
  decode(spec.dtype, spec.data).forEach((v, i) => (storage[i] = v));
  return new theano.NDArray(spec.dtype, spec.shape, storage as never, spec.strides, spec.offset);
}

type AnyFn = (...args: unknown[]) => Tensor;
const fn = (name: string): AnyFn => {
  const f = (T as unknown as Record<string, unknown>)[name];
  if (typeof f !== 'function') throw new Error(`corpus: theano.tensor has no '${name}'`);
  return f as AnyFn;
};

/** Rebuilds the expression with the theano-ts API, over symbolic inputs. */
function build(e: Expr, inputs: readonly Tensor[]): Tensor | number {
  if ('in' in e) return inputs[e.in]!;
  if ('num' in e) return e.num;
  const args = e.args.map((a) => build(a, inputs));
  switch (e.op) {
    case 'cast':
      return T.cast(args[0] as Tensor, e.dtype!);
    case 'sum':
    case 'prod':
    case 'max':
    case 'min':
    case 'mean':
    case 'all':
    case 'any':
    case 'argmax':
    case 'argmin':
      return fn(e.op)(args[0], e.axis, { keepdims: e.keepdims });
    case 'var':
    case 'std':
      return fn(e.op)(args[0], e.axis, { keepdims: e.keepdims, ddof: e.ddof });
    case 'cumsum':
    case 'cumprod':
      return fn(e.op)(args[0], e.axis ?? undefined);
    default:
      return fn(e.op)(...args);
  }
}

/** The result as flat values: numbers (bool as 0/1) or bigint strings for int64. */
function flatValues(value: unknown): { dtype?: DType; shape: number[]; data: (number | string)[] } {
  if (value instanceof theano.NDArray) {
    const data: (number | string)[] = [];
    for (let i = 0; i < value.size; i++) {
      const v = value.item(i);
      data.push(typeof v === 'bigint' ? v.toString() : typeof v === 'boolean' ? Number(v) : (v as number));
    }
    return { dtype: value.dtype, shape: [...value.shape], data };
  }
  const v = value as number | bigint | boolean;
  return { shape: [], data: [typeof v === 'bigint' ? v.toString() : typeof v === 'boolean' ? Number(v) : v] };
}

/** The first element that differs, described; null when all agree. */
function firstMismatch(
  dtype: DType,
  got: readonly (number | string)[],
  want: readonly Encoded[],
  tolerance?: 'float32',
): string | null {
  const tol = TOLERANCE[dtype] && tolerance ? TOLERANCE[tolerance] : TOLERANCE[dtype];
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    if (dtype === 'int64') {
      if (String(g) !== want[i]) return `element ${i}: expected ${want[i]}, got ${g}`;
      continue;
    }
    const w = decodeFloat(want[i]!);
    const x = g as number;
    if (Number.isNaN(w) || Number.isNaN(x)) {
      if (Number.isNaN(w) !== Number.isNaN(x)) return `element ${i}: expected ${w}, got ${x} (NaN positions differ)`;
      continue;
    }
    if (x === w) continue;
    if (!tol || !Number.isFinite(w) || !(Math.abs(x - w) <= tol.atol + tol.rtol * Math.abs(w))) {
      return `element ${i}: expected ${w}, got ${x}`;
    }
  }
  return null;
}

/** Builds, compiles and runs one case in one mode; returns a description of the disagreement, or null. */
function runCase(c: Case, mode: theano.Mode): string | null {
  const args = c.inputs.map(inputArray);
  let value: unknown;
  let out: Tensor;
  try {
    const inputs = c.inputs.map((s, i) => T.tensor(s.dtype, s.shape.length as never, `x${i}`) as Tensor);
    const built = build(c.expr, inputs);
    if (typeof built === 'number') throw new Error('corpus: an expression must have a tensor');
    out = built;
    const f = theano.function(inputs, out, { mode, onUnusedInput: 'ignore' }) as unknown as (
      ...a: unknown[]
    ) => unknown;
    value = f(...args);
  } catch (e) {
    const message = (e as Error).message;
    if (c.error !== undefined)
      return message.includes(c.error) ? null : `expected an error with '${c.error}', got: ${message}`;
    return `threw: ${message.split('\n')[0]}`;
  }
  if (c.error !== undefined) return `expected an error with '${c.error}', got a result`;
  const want = c.expected!;
  const got = flatValues(value);
  if (out.dtype !== want.dtype) return `symbolic dtype ${out.dtype}, numpy ${want.dtype}`;
  if (got.dtype !== undefined && got.dtype !== want.dtype) return `value dtype ${got.dtype}, numpy ${want.dtype}`;
  if (got.shape.join(',') !== want.shape.join(',')) return `shape (${got.shape}), numpy (${want.shape})`;
  return firstMismatch(want.dtype, got.data, want.data, c.tolerance);
}

describe(`numpy ${corpus.numpy} oracle (${corpus.cases.length} cases)`, () => {
  test('the corpus covers every elementwise op, every reduction and every dtype', () => {
    const ops = new Set<string>();
    const dtypes = new Set<string>();
    const walk = (e: Expr): void => {
      if ('op' in e) {
        ops.add(e.op);
        e.args.forEach(walk);
      }
    };
    for (const c of corpus.cases) {
      walk(c.expr);
      c.inputs.forEach((s) => dtypes.add(s.dtype));
    }
    const scalarOps = [
      'add',
      'sub',
      'mul',
      'div',
      'intDiv',
      'mod',
      'pow',
      'neg',
      'abs',
      'sign',
      'sqr',
      'maximum',
      'minimum',
      'clip',
    ]
      .concat(['exp', 'exp2', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sqrt', 'reciprocal', 'sin', 'cos', 'tan'])
      .concat(['arcsin', 'arccos', 'arctan', 'arctan2', 'sinh', 'cosh', 'tanh', 'arcsinh', 'arccosh', 'arctanh'])
      .concat(['floor', 'ceil', 'round', 'trunc', 'erf', 'erfc', 'sigmoid', 'softplus', 'isnan', 'isinf'])
      .concat(['lt', 'gt', 'le', 'ge', 'eq', 'neq', 'and', 'or', 'xor', 'invert', 'switch', 'cast']);
    const reductions = [
      'sum',
      'prod',
      'max',
      'min',
      'mean',
      'var',
      'std',
      'all',
      'any',
      'argmax',
      'argmin',
      'cumsum',
      'cumprod',
    ];
    expect([...scalarOps, ...reductions].filter((o) => !ops.has(o))).toEqual([]);
    expect(dtypes.size).toBe(10);
    const layouts = corpus.cases.flatMap((c) => c.inputs);
    expect(layouts.some((s) => s.strides.some((st) => st < 0))).toBe(true);
    expect(layouts.some((s) => s.shape.includes(0))).toBe(true);
    expect(corpus.cases.every((c) => (c.expected === undefined) !== (c.error === undefined))).toBe(true);
  });

  for (const [name, mode] of Object.entries(MODES)) {
    test(`every case agrees with numpy in ${name}`, () => {
      const failures: string[] = [];
      for (const c of corpus.cases) {
        const problem = runCase(c, mode);
        if (problem) failures.push(`${c.id}: ${problem}`);
      }
      expect(failures).toEqual([]);
    });
  }
});
