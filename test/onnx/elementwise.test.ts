import { describe, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { randomArray, roundTrip } from './roundtrip.js';

const T = theano.tensor;
type Unary = (x: Tensor) => Tensor;
type Binary = (x: Tensor, y: Tensor) => Tensor;

// each op on inputs inside its domain (the expression shifts them there)
const UNARY: Record<string, Unary> = {
  neg: (x) => T.neg(x),
  abs: (x) => T.abs(x),
  sign: (x) => T.sign(x),
  sqr: (x) => T.sqr(x),
  exp: (x) => T.exp(x),
  exp2: (x) => T.exp2(x),
  expm1: (x) => T.expm1(x),
  log: (x) => T.log(T.abs(x).add(0.5)),
  log2: (x) => T.log2(T.abs(x).add(0.5)),
  log10: (x) => T.log10(T.abs(x).add(0.5)),
  log1p: (x) => T.log1p(T.abs(x)),
  sqrt: (x) => T.sqrt(T.abs(x)),
  reciprocal: (x) => T.reciprocal(T.abs(x).add(0.5)),
  sin: (x) => T.sin(x),
  cos: (x) => T.cos(x),
  tan: (x) => T.tan(x.mul(0.5)),
  arcsin: (x) => T.arcsin(x.mul(0.45)),
  arccos: (x) => T.arccos(x.mul(0.45)),
  arctan: (x) => T.arctan(x),
  sinh: (x) => T.sinh(x),
  cosh: (x) => T.cosh(x),
  tanh: (x) => T.tanh(x),
  arcsinh: (x) => T.arcsinh(x),
  arccosh: (x) => T.arccosh(T.abs(x).add(1)),
  arctanh: (x) => T.arctanh(x.mul(0.45)),
  floor: (x) => T.floor(x.mul(3)),
  ceil: (x) => T.ceil(x.mul(3)),
  round: (x) => T.round(T.floor(x.mul(4)).mul(0.5)), // halves included: both round half to even
  trunc: (x) => T.trunc(x.mul(3)),
  erf: (x) => T.erf(x),
  erfc: (x) => T.erfc(x),
  sigmoid: (x) => T.sigmoid(x),
  softplus: (x) => T.softplus(x.mul(10)),
  relu: (x) => T.relu(x),
};

const BINARY: Record<string, Binary> = {
  add: (x, y) => x.add(y),
  sub: (x, y) => x.sub(y),
  mul: (x, y) => x.mul(y),
  div: (x, y) => x.div(y),
  pow: (x, y) => T.pow(T.abs(x).add(0.1), y),
  maximum: (x, y) => T.maximum(x, y),
  minimum: (x, y) => T.minimum(x, y),
  intDiv: (x, y) => T.intDiv(x, T.abs(y).add(0.5)),
  mod: (x, y) => T.mod(x, T.abs(y).add(0.5)),
  clip: (x, y) => T.clip(x, y, y.add(1)),
  switch: (x, y) => T.switch(x.gt(0), x, y),
};

const COMPARE: Record<string, Binary> = {
  lt: (x, y) => T.lt(x, y),
  gt: (x, y) => T.gt(x, y),
  le: (x, y) => T.le(x, y),
  ge: (x, y) => T.ge(x, y),
  eq: (x, y) => T.eq(x, y),
  neq: (x, y) => T.neq(x, y),
};

/**
 * Valid ONNX for float64 too, but ONNX Runtime's CPU provider implements these for float32 only (docs/onnx.md
 * says so): they are checked in float32.
 */
const NO_FLOAT64_KERNEL = new Set([
  'tan',
  'arcsin',
  'arccos',
  'arctan',
  'sinh',
  'cosh',
  'arcsinh',
  'arccosh',
  'arctanh',
  'erf',
  'erfc',
]);

describe('onnx export: elementwise ops agree with onnxruntime', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    const x = T.tensor(dtype, 2, 'x');
    const y = T.tensor(dtype, 2, 'y');
    const xv = randomArray(dtype, [3, 4]);
    const yv = randomArray(dtype, [3, 4]);
    const tol = dtype === 'float32' ? 2e-6 : 1e-12;
    for (const [name, fn] of Object.entries(UNARY)) {
      if (dtype === 'float64' && NO_FLOAT64_KERNEL.has(name)) continue;
      test(`${name} (${dtype})`, () =>
        roundTrip([x], fn(x), [xv], { tol: name === 'erfc' || name === 'expm1' ? Math.max(tol, 1e-9) : tol }));
    }
    for (const [name, fn] of Object.entries(BINARY))
      test(`${name} (${dtype})`, () => roundTrip([x, y], fn(x, y), [xv, yv], { tol }));
  }

  test('integer arithmetic and floor division, remainder with numpy signs (int32)', async () => {
    const a = T.imatrix('a');
    const b = T.imatrix('b');
    const av = randomArray('int32', [4, 5], -20, 20);
    const bv = randomArray('int32', [4, 5], 1, 7);
    const negB = b.neg();
    await roundTrip(
      [a, b],
      [
        a.add(b),
        a.sub(b),
        a.mul(b),
        T.intDiv(a, b),
        T.mod(a, b),
        T.mod(a, negB),
        T.intDiv(a, negB),
        T.abs(a),
        T.sqr(a),
      ],
      [av, bv],
    );
  });

  test('mixed dtypes are cast to the output dtype (int32 + float64, float32 * 2.5, true division of ints)', async () => {
    const a = T.ivector('a');
    const x = T.dvector('x');
    const f = T.fvector('f');
    const [av, xv, fv] = [randomArray('int32', [5], -9, 9), randomArray('float64', [5]), randomArray('float32', [5])];
    await roundTrip([a, x, f], [a.add(x), f.mul(2.5), a.div(a.add(10)), f.add(x), a.add(1)], [av, xv, fv]);
  });

  test('comparisons, logic on bools, bitwise on integers (opset 18)', async () => {
    const x = T.dmatrix('x');
    const y = T.dmatrix('y');
    const [xv, yv] = [randomArray('float64', [3, 3]), randomArray('float64', [3, 3])];
    yv.set(0, 0, xv.get(0, 0)); // one tie, so eq and le see equality
    await roundTrip(
      [x, y],
      Object.values(COMPARE).map((c) => c(x, y)),
      [xv, yv],
    );
    const b1 = T.tensor('bool', 2, 'b1');
    const b2 = T.tensor('bool', 2, 'b2');
    await roundTrip(
      [b1, b2],
      [b1.and(b2), b1.or(b2), b1.xor(b2), b1.invert()],
      [randomArray('bool', [3, 4]), randomArray('bool', [3, 4])],
    );
    const i = T.ivector('i');
    const j = T.ivector('j');
    await roundTrip(
      [i, j],
      [i.and(j), i.or(j), i.xor(j), i.invert()],
      [randomArray('int32', [6], -50, 50), randomArray('int32', [6], -50, 50)],
    );
  });

  test('casts, predicates and broadcasting of a row against a matrix', async () => {
    const x = T.dmatrix('x');
    const r = T.drow('r');
    const xv = randomArray('float64', [3, 4], -5, 5);
    const rv = randomArray('float64', [1, 4]);
    await roundTrip([x, r], [x.cast('int32'), x.cast('float32'), x.cast('bool'), x.add(r)], [xv, rv]);
    xv.set(0, 1, NaN); // (a cast of NaN or infinity to an integer differs between platforms, so not above)
    xv.set(1, 2, Infinity);
    xv.set(2, 0, -Infinity);
    await roundTrip([x, r], [T.isnan(x), T.isinf(x), T.switch(T.isnan(x), 0, x).add(r)], [xv, rv]);
  });
});
