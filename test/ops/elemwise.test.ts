import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { DType, Tensor } from '../../src/index.js';
import { SCALAR_OPS, type ScalarOpName } from '../../src/ops/scalar.js';
import { UPCAST } from '../../src/types/dtype.js';
import {
  b,
  checkOp,
  coerce,
  compileLoose,
  expectArray,
  expectBuildError,
  expectRunError,
  expectScalar,
  f32,
  f64,
  i16,
  i32,
  i64,
  i8,
  nested,
  u16,
  u32,
  u8,
} from '../helpers.js';

const T = theano.tensor;

type N = number;
const PI = Math.PI;

/** One oracle per scalar op; typed complete over the table, so a new op without an oracle does not compile. */
// prettier-ignore
const ORACLES: Record<ScalarOpName, () => unknown> = {
  // arithmetic
  add: () => checkOp('add', [[1, 2.5, -3, Infinity, 0.1], [0.5, -0.5, 3, 1, 0.2]], { dtype: 'float64', value: [1.5, 2, 0, Infinity, 0.30000000000000004], rtol: 0 }),
  sub: () => checkOp('sub', [[1, 2.5, Infinity, -0], [0.5, 3, Infinity, 0]], { dtype: 'float64', value: [0.5, -0.5, NaN, -0], rtol: 0, signedZeros: true }),
  mul: () => checkOp('mul', [[2, -1.5, 0, Infinity], [3, 4, -1, 0]], { dtype: 'float64', value: [6, -6, -0, NaN], rtol: 0, signedZeros: true }),
  true_div: () => checkOp('div', [[1, -3, 1, -1, 0], [4, 2, 0, 0, 0]], { dtype: 'float64', value: [0.25, -1.5, Infinity, -Infinity, NaN], rtol: 0 }),
  int_div: () => checkOp('intDiv', [i32([7, -7, 7, -7, 6, 0, -1]), i32([2, 2, -2, -2, 3, 5, 3])], { dtype: 'int32', value: [3, -4, -4, 3, 2, 0, -1] }),
  mod: () => checkOp('mod', [i32([7, -7, 7, -7, 6, 0, -1]), i32([2, 2, -2, -2, 3, 5, 3])], { dtype: 'int32', value: [1, 1, -1, -1, 0, 0, 2] }),
  pow: () => checkOp('pow', [[2, 4, 2, 0, -8, 0, -2], [10, 0.5, -1, 0, 1 / 3, -1, 3]], { dtype: 'float64', value: [1024, 2, 0.5, 1, NaN, Infinity, -8], rtol: 0 }),
  neg: () => checkOp('neg', [[1, -2.5, 0, -Infinity]], { dtype: 'float64', value: [-1, 2.5, -0, Infinity], signedZeros: true }),
  abs: () => checkOp('abs', [[-1.5, 2, -0, -Infinity, NaN]], { dtype: 'float64', value: [1.5, 2, 0, Infinity, NaN], signedZeros: true }),
  sign: () => checkOp('sign', [[-2.5, 0, 3, NaN, -Infinity]], { dtype: 'float64', value: [-1, 0, 1, NaN, -1] }),
  sqr: () => checkOp('sqr', [[-3, 1.5, 0.1]], { dtype: 'float64', ref: (x: N) => x * x }),
  maximum: () => checkOp('maximum', [[1, 5, NaN, 2, -0], [3, 2, 1, NaN, -1]], { dtype: 'float64', value: [3, 5, NaN, NaN, -0] }),
  minimum: () => checkOp('minimum', [[1, 5, NaN, 2, -Infinity], [3, 2, 1, NaN, 0]], { dtype: 'float64', value: [1, 2, NaN, NaN, -Infinity] }),
  clip: () => checkOp('clip', [[-2, 0.5, 3, 0, 1], 0, 1], { dtype: 'float64', value: [0, 0.5, 1, 0, 1] }),
  // exponentials and logarithms
  exp: () => checkOp('exp', [[-1, 0, 2.5, -Infinity, 710, NaN]], { dtype: 'float64', shape: [6], ref: Math.exp }),
  exp2: () => checkOp('exp2', [[3, -1, 0.5, 1024, -1075]], { dtype: 'float64', value: [8, 0.5, Math.SQRT2, Infinity, 0] }),
  expm1: () => checkOp('expm1', [[1e-10, 0, 1, -Infinity]], { dtype: 'float64', value: [1.00000000005e-10, 0, Math.E - 1, -1], rtol: 1e-15 }),
  log: () => checkOp('log', [[1, Math.E, 0, -1, Infinity]], { dtype: 'float64', value: [0, 1, -Infinity, NaN, Infinity] }),
  log2: () => checkOp('log2', [[8, 0.5, 2 ** -1074]], { dtype: 'float64', value: [3, -1, -1074] }),
  log10: () => checkOp('log10', [[1000, 0.01, 1e-300]], { dtype: 'float64', value: [3, -2, -300] }),
  log1p: () => checkOp('log1p', [[1e-10, 0, -1, Math.E - 1]], { dtype: 'float64', value: [9.999999999500001e-11, 0, -Infinity, 1], rtol: 1e-15 }),
  sqrt: () => checkOp('sqrt', [[4, 2, -1, 0, Infinity]], { dtype: 'float64', value: [2, Math.SQRT2, NaN, 0, Infinity] }),
  reciprocal: () => checkOp('reciprocal', [[4, -0.5, 0, -0, Infinity]], { dtype: 'float64', value: [0.25, -2, Infinity, -Infinity, 0] }),
  // trigonometry
  sin: () => checkOp('sin', [[0, PI / 2, -PI / 6, 1e-300]], { dtype: 'float64', value: [0, 1, -0.5, 1e-300], rtol: 1e-15 }),
  cos: () => checkOp('cos', [[0, PI, PI / 3]], { dtype: 'float64', value: [1, -1, 0.5], rtol: 1e-15 }),
  tan: () => checkOp('tan', [[0, PI / 4, -PI / 4]], { dtype: 'float64', value: [0, 1, -1], rtol: 1e-15 }),
  arcsin: () => checkOp('arcsin', [[0, 1, -0.5, 2]], { dtype: 'float64', value: [0, PI / 2, -PI / 6, NaN], rtol: 1e-15 }),
  arccos: () => checkOp('arccos', [[1, -1, 0.5, -2]], { dtype: 'float64', value: [0, PI, PI / 3, NaN], rtol: 1e-15 }),
  arctan: () => checkOp('arctan', [[0, 1, -Infinity]], { dtype: 'float64', value: [0, PI / 4, -PI / 2] }),
  arctan2: () => checkOp('arctan2', [[1, 1, -1, 0, 0], [1, -1, -1, -1, 1]], { dtype: 'float64', value: [PI / 4, (3 * PI) / 4, (-3 * PI) / 4, PI, 0] }),
  sinh: () => checkOp('sinh', [[0, 1, -2, 1e-20]], { dtype: 'float64', ref: Math.sinh, value: [0, 1.1752011936438014, -3.626860407847019, 1e-20] }),
  cosh: () => checkOp('cosh', [[0, 1, -2]], { dtype: 'float64', ref: Math.cosh, value: [1, 1.5430806348152437, 3.7621956910836314] }),
  tanh: () => checkOp('tanh', [[0, 0.5, -1000]], { dtype: 'float64', ref: Math.tanh, value: [0, 0.46211715726000974, -1] }),
  arcsinh: () => checkOp('arcsinh', [[0, 1, -1e-20]], { dtype: 'float64', value: [0, 0.881373587019543, -1e-20] }),
  arccosh: () => checkOp('arccosh', [[1, 2, 0.5]], { dtype: 'float64', value: [0, 1.3169578969248166, NaN] }),
  arctanh: () => checkOp('arctanh', [[0, 0.5, 1, 2]], { dtype: 'float64', value: [0, 0.5493061443340549, Infinity, NaN] }),
  // rounding
  floor: () => checkOp('floor', [[1.5, -1.5, 2, -0.5, -0]], { dtype: 'float64', value: [1, -2, 2, -1, -0], signedZeros: true }),
  ceil: () => checkOp('ceil', [[1.5, -1.5, 2, -0.5]], { dtype: 'float64', value: [2, -1, 2, -0], signedZeros: true }),
  round: () => checkOp('round', [[0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 0.4, 0.6, -0.6, 3.5, 4503599627370495.5]], { dtype: 'float64', value: [0, 2, 2, -0, -2, -2, 0, 1, -1, 4, 4503599627370496], signedZeros: true }),
  trunc: () => checkOp('trunc', [[1.7, -1.7, -0.3, 2]], { dtype: 'float64', value: [1, -1, -0, 2], signedZeros: true }),
  // special functions (reference values from mpmath at 40 digits)
  erf: () => checkOp('erf', [[0.5, 1, 2, -0.5, -1, -2, 0, 0.1, 1.9, 2.5, 3, -3, 4.5]], { dtype: 'float64', rtol: 1e-13, value: [0.5204998778130465, 0.8427007929497149, 0.9953222650189527, -0.5204998778130465, -0.8427007929497149, -0.9953222650189527, 0, 0.1124629160182849, 0.9927904292352575, 0.999593047982555, 0.9999779095030014, -0.9999779095030014, 0.9999999998033839] }),
  erfc: () => checkOp('erfc', [[3, 5, -1, 0.5, 1, 1.9, -1.5, 2.5, -3, 10, 0.1, -0.1]], { dtype: 'float64', rtol: 1e-13, value: [2.209049699858544e-5, 1.5374597944280349e-12, 1.842700792949715, 0.4795001221869535, 0.15729920705028513, 0.0072095707647425325, 1.9661051464753108, 0.0004069520174449589, 1.9999779095030015, 2.088487583762545e-45, 0.887537083981715, 1.1124629160182848] }),
  erfcx: () => checkOp('erfcx', [[0, 0.5, 1, 1.9, 2, 2.5, 5, 10, 30, 1e4, -0.5, -1, -2, -5, -20, -26, -27, Infinity, -Infinity]], { dtype: 'float64', rtol: 1e-13, value: [1, 0.6156903441929259, 0.427583576155807, 0.26650937366167265, 0.25539567631050575, 0.2108063640611436, 0.11070463773306863, 0.05614099274382259, 0.01879588886141675, 5.641895807268084e-5, 1.952360489182557, 5.008980080762283, 108.94090438997797, 144009798674.66104, 1.0442939379528289e174, 7.657724931490568e293, Infinity, 0, Infinity] }),
  log1mexp: () => checkOp('log1mexp', [[-1e-20, -1e-3, -0.5, -Math.LN2, -0.7, -1, -5, -40, -800, 0, 0.5, -Infinity]], { dtype: 'float64', rtol: 1e-14, value: [-46.051701859880914, -6.908255237315471, -0.9327521295671886, -0.6931471805599453, -0.6863410028083852, -0.4586751453870819, -0.006760749449488557, -4.248354255291589e-18, -0, -Infinity, NaN, -0] }),
  sigmoid: () => checkOp('sigmoid', [[0, 800, -800, 1, -1]], { dtype: 'float64', value: [0.5, 1, 0, 0.7310585786300049, 1 - 0.7310585786300049] }),
  softplus: () => checkOp('softplus', [[800, -800, 0, 1, -40]], { dtype: 'float64', value: [800, Math.exp(-800), Math.LN2, 1.3132616875182228, 4.248354255291589e-18] }),
  // predicates and comparisons
  isnan: () => checkOp('isnan', [[NaN, 1, Infinity, -0]], { dtype: 'bool', value: [true, false, false, false] }),
  isinf: () => checkOp('isinf', [[NaN, -Infinity, Infinity, 1e308]], { dtype: 'bool', value: [false, true, true, false] }),
  lt: () => checkOp('lt', [[1, 2, 3, NaN, -0], [2, 2, 2, NaN, 0]], { dtype: 'bool', value: [true, false, false, false, false] }),
  gt: () => checkOp('gt', [[1, 2, 3, NaN, -0], [2, 2, 2, NaN, 0]], { dtype: 'bool', value: [false, false, true, false, false] }),
  le: () => checkOp('le', [[1, 2, 3, NaN, -0], [2, 2, 2, NaN, 0]], { dtype: 'bool', value: [true, true, false, false, true] }),
  ge: () => checkOp('ge', [[1, 2, 3, NaN, -0], [2, 2, 2, NaN, 0]], { dtype: 'bool', value: [false, true, true, false, true] }),
  eq: () => checkOp('eq', [[1, 2, 3, NaN, -0], [2, 2, 2, NaN, 0]], { dtype: 'bool', value: [false, true, false, false, true] }),
  neq: () => checkOp('neq', [[1, 2, 3, NaN, -0], [2, 2, 2, NaN, 0]], { dtype: 'bool', value: [true, false, true, true, false] }),
  // bitwise on integers, logical on bools
  and: () => checkOp('and', [i32([12, -1, 5, -8]), i32([10, 7, 0, 12])], { dtype: 'int32', value: [8, 7, 0, 8] }),
  or: () => checkOp('or', [i32([12, -1, 5, -8]), i32([10, 7, 0, 3])], { dtype: 'int32', value: [14, -1, 5, -5] }),
  xor: () => checkOp('xor', [i32([12, -1, 5, -8]), i32([10, 7, 0, 3])], { dtype: 'int32', value: [6, -8, 5, -5] }),
  invert: () => checkOp('invert', [i32([0, 5, -1, 2147483647])], { dtype: 'int32', value: [-1, -6, 0, -2147483648] }),
  // selection and conversion
  switch: () => checkOp('switch', [b([true, false, true]), [1, 2, 3], [10, 20, 30]], { dtype: 'float64', value: [1, 20, 3] }),
  cast: () => checkOp((x) => T.cast(x, 'int32'), [[1.9, -1.9, 0.5, -0.5, 3, -2147483648]], { dtype: 'int32', value: [1, -1, 0, 0, 3, -2147483648] }),
};

describe('oracle: one per op of the scalar table', () => {
  test('every scalar op has an oracle', () => {
    expect(Object.keys(ORACLES).sort()).toEqual(Object.keys(SCALAR_OPS).sort());
  });
  for (const [name, check] of Object.entries(ORACLES)) test(name, check);
});

describe('aliases and methods reach the same ops', () => {
  test('T.where and T.switch', () =>
    checkOp('where', [[1, 0, -2], [1, 2, 3], 7], { dtype: 'float64', value: [1, 7, 3] }));
  test('T.true_div / T.int_div / T.inv / T.sgn / T.abs_', () => {
    checkOp('true_div', [[1], [4]], { dtype: 'float64', value: [0.25] });
    checkOp('int_div', [[7], [-2]], { dtype: 'float64', value: [-4] });
    checkOp('inv', [[4]], { dtype: 'float64', value: [0.25] });
    checkOp('sgn', [[-4]], { dtype: 'float64', value: [-1] });
    checkOp('abs_', [[-4]], { dtype: 'float64', value: [4] });
  });
  test('fluent methods', () => {
    checkOp(
      (x, y) => x.add(y).mul(2).sub(1).div(4),
      [
        [1, 2],
        [3, 4],
      ],
      { dtype: 'float64', value: [1.75, 2.75] },
    );
    checkOp((x) => x.astype('float32').exp(), [[0, 1]], { dtype: 'float32', value: [1, Math.fround(Math.E)] });
  });
});

describe('erf / erfc', () => {
  test('erf is odd and erf + erfc = 1 on a grid', () => {
    const xs = Array.from({ length: 161 }, (_, i) => -8 + i * 0.1);
    const x = T.dvector('x');
    const f = compileLoose([x], [T.erf(x), T.erfc(x), T.erf(T.neg(x))]);
    const [e, c, en] = (f(xs) as theano.NDArray[]).map((a) => a.toArray() as number[]);
    xs.forEach((v, i) => {
      expect(en![i]).toBe(-e![i]!);
      expect(Math.abs(e![i]! + c![i]! - 1)).toBeLessThanOrEqual(4e-16);
      expect(Math.abs(e![i]!)).toBeLessThanOrEqual(1);
      if (i > 0) expect(e![i]!).toBeGreaterThanOrEqual(e![i - 1]!);
      expect(c![i]!).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(c![i]!), `erfc(${v})`).toBe(true);
    });
  });
  test('limits', () => {
    checkOp('erf', [[Infinity, -Infinity, NaN, 30]], { dtype: 'float64', value: [1, -1, NaN, 1] });
    checkOp('erfc', [[Infinity, -Infinity, NaN, 30]], { dtype: 'float64', value: [0, 2, NaN, 0] });
  });
});

describe('broadcasting', () => {
  test('matrix + vector', () =>
    checkOp(
      'add',
      [
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        [10, 20, 30],
      ],
      {
        dtype: 'float64',
        value: [
          [11, 22, 33],
          [14, 25, 36],
        ],
      },
    ));
  test('col + row -> matrix', () => {
    const r = checkOp('add', [f64([[1], [2], [3]], { static: [null, 1] }), f64([[10, 20]], { static: [1, null] })], {
      dtype: 'float64',
      value: [
        [11, 21],
        [12, 22],
        [13, 23],
      ],
    });
    expect(r.shape).toEqual([3, 2]);
    expect(T.add(T.dcol('c'), T.drow('r')).staticShape).toEqual([null, null]);
    expect(T.add(T.dcol('c'), T.tensor('float64', [1, 5])).staticShape).toEqual([null, 5]);
  });
  test('scalar + tensor3', () => {
    const x = nested([2, 3, 4], (i) => i * 0.5);
    checkOp('add', [5, x], { dtype: 'float64', shape: [2, 3, 4], ref: (a: N, c: N) => a + c });
    checkOp((t) => T.add(t, 5), [x], { dtype: 'float64', shape: [2, 3, 4], ref: (a: N) => a + 5 });
  });
  test('tensor3 * col (both sides stretch)', () =>
    checkOp('mul', [nested([2, 1, 4], (i) => i + 1), nested([3, 1], (i) => 10 ** i)], {
      dtype: 'float64',
      shape: [2, 3, 4],
      ref: (a: N, c: N) => a * c,
    }));
  test('rank 0 with rank 0 gives a plain number', () => checkOp('add', [1.5, 2], { dtype: 'float64', value: 3.5 }));
  test('three-input ops broadcast all inputs', () => {
    checkOp(
      'clip',
      [
        [
          [-5, 0, 5],
          [-5, 0, 5],
        ],
        [[-1], [1]],
        2,
      ],
      {
        dtype: 'float64',
        value: [
          [-1, 0, 2],
          [1, 1, 2],
        ],
      },
    );
    checkOp('switch', [b([[true], [false]]), [1, 2, 3], 0], {
      dtype: 'float64',
      value: [
        [1, 2, 3],
        [0, 0, 0],
      ],
    });
  });
});

describe('int/float mixing', () => {
  test('int32 + float64 -> float64', () =>
    checkOp('add', [i32([1, 2]), f64([0.5, 0.25])], { dtype: 'float64', value: [1.5, 2.25] }));
  test('int8 + int8 -> int8', () => checkOp('add', [i8([1, -100]), i8([2, -20])], { dtype: 'int8', value: [3, -120] }));
  test('int16 + float32 -> float32; int32 + float32 -> float64; uint8 + int8 -> int16', () => {
    checkOp('add', [i16([1]), f32([0.1])], { dtype: 'float32', value: [Math.fround(1 + Math.fround(0.1))] });
    checkOp('add', [i32([16777217]), f32([0])], { dtype: 'float64', value: [16777217] });
    checkOp('add', [u8([255]), i8([-128])], { dtype: 'int16', value: [127] });
    checkOp('add', [u8([255]), i8([127])], { dtype: 'int16', value: [382] });
  });
  test('ivector.add(2) stays int32; ivector.add(2.5) is float64', () => {
    checkOp((x) => x.add(2), [i32([1, 2])], { dtype: 'int32', value: [3, 4] });
    checkOp((x) => x.add(2.5), [i32([1, 2])], { dtype: 'float64', value: [3.5, 4.5] });
    checkOp((x) => T.mul(3, x), [i8([1, 2])], { dtype: 'int8', value: [3, 6] });
    checkOp((x) => x.add(2.5), [f32([1])], { dtype: 'float32', value: [3.5] });
    checkOp((x) => x.add(0.1), [f32([1])], { dtype: 'float32', value: [Math.fround(1 + Math.fround(0.1))] });
    checkOp((x) => x.add(2), [b([true, false])], { dtype: 'int64', value: [3n, 2n] });
  });
  test('true division of integers upgrades to float: int32/int32 -> float64, int8/int8 -> float32', () => {
    checkOp('div', [i32([1, 7, -7, 1]), i32([3, 2, 2, 0])], {
      dtype: 'float64',
      value: [1 / 3, 3.5, -3.5, Infinity],
      rtol: 0,
    });
    checkOp('div', [i8([1, 7]), i8([3, 2])], { dtype: 'float32', value: [Math.fround(1 / 3), 3.5], rtol: 0 });
    checkOp('div', [u16([1]), u8([3])], { dtype: 'float32', value: [Math.fround(1 / 3)], rtol: 0 });
    checkOp('div', [i64([1n, 0n]), i64([4n, 0n])], { dtype: 'float64', value: [0.25, NaN] });
    checkOp((x) => x.div(2), [i32([1])], { dtype: 'float64', value: [0.5] });
  });
  test('transcendental functions of integers upgrade to float', () => {
    checkOp('exp', [i8([0, 1])], { dtype: 'float32', value: [1, Math.fround(Math.E)], rtol: 0 });
    checkOp('sqrt', [i32([2])], { dtype: 'float64', value: [Math.SQRT2], rtol: 0 });
    checkOp('floor', [i16([3])], { dtype: 'float32', value: [3] });
    checkOp('arctan2', [u8([1]), u8([1])], { dtype: 'float32', value: [Math.fround(PI / 4)], rtol: 0 });
  });
  test('float32 stays float32 through every float op', () => {
    for (const name of ['exp', 'log1p', 'sin', 'sqrt', 'tanh', 'erf', 'sigmoid', 'softplus', 'round'] as const) {
      checkOp(name, [f32([0.25, 1.75])], { dtype: 'float32', shape: [2] });
    }
    checkOp('exp', [f32([0.1, 1, 88, 89])], { dtype: 'float32', ref: Math.exp, rtol: 0 });
  });
});

describe('integer wrapping', () => {
  test('int8 127 + 1 -> -128', () =>
    checkOp('add', [i8([127, -128]), i8([1, -1])], { dtype: 'int8', value: [-128, 127] }));
  test('uint8 0 - 1 -> 255', () => checkOp('sub', [u8([0, 200]), u8([1, 100])], { dtype: 'uint8', value: [255, 100] }));
  test('int32 multiply overflow wraps like C (Math.imul)', () =>
    checkOp('mul', [i32([2147483647, 65536, -2147483648, 123456789]), i32([2, 65536, -1, 987654321])], {
      dtype: 'int32',
      ref: Math.imul,
      value: [-2, 0, -2147483648, Math.imul(123456789, 987654321)],
    }));
  test('int16 and uint32 multiply wrap modulo 2**bits', () => {
    checkOp('mul', [i16([300]), i16([300])], { dtype: 'int16', value: [Number(BigInt.asIntN(16, 90000n))] });
    checkOp('sqr', [i16([300])], { dtype: 'int16', value: [Number(BigInt.asIntN(16, 90000n))] });
    checkOp('mul', [u32([4294967295, 65536]), u32([4294967295, 65536])], { dtype: 'uint32', value: [1, 0] });
  });
  test('int64 wraps modulo 2**64', () => {
    checkOp('mul', [i64([2n ** 62n]), i64([4n])], { dtype: 'int64', value: [0n] });
    checkOp('add', [i64([2n ** 63n - 1n]), i64([1n])], { dtype: 'int64', value: [-(2n ** 63n)] });
    checkOp('neg', [i64([-(2n ** 63n)])], { dtype: 'int64', value: [-(2n ** 63n)] });
  });
  test('comparisons with int64 operands are exact on both sides of 2**53, broadcast, against int32 and bool', () => {
    const big = [2n ** 53n, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n, 5n, -7n];
    const others = [2n ** 53n + 1n, 2n ** 53n, 0n, 2n ** 63n - 1n, 5n, -8n];
    const name = ['eq', 'neq', 'lt', 'le', 'gt', 'ge'] as const;
    const want = {
      eq: (a: bigint, b: bigint) => a === b,
      neq: (a: bigint, b: bigint) => a !== b,
      lt: (a: bigint, b: bigint) => a < b,
      le: (a: bigint, b: bigint) => a <= b,
      gt: (a: bigint, b: bigint) => a > b,
      ge: (a: bigint, b: bigint) => a >= b,
    };
    for (const op of name) {
      checkOp(op, [i64(big), i64(others)], { dtype: 'bool', value: big.map((a, i) => want[op](a, others[i]!)) });
      // int64 against int32: every pair of a column and a row
      const small = [-7, 0, 5];
      const x = T.lmatrix('x');
      const y = T.ivector('y');
      const f = theano.function([x, y], (T as unknown as Record<string, (a: Tensor, b: Tensor) => Tensor>)[op]!(x, y));
      const col = new theano.NDArray<'int64', 2>('int64', [big.length, 1], BigInt64Array.from(big));
      const got = f(col, Int32Array.from(small)) as theano.NDArray;
      expect(got.toArray()).toEqual(big.map((a) => small.map((b) => want[op](a, BigInt(b)))));
    }
    checkOp('eq', [i64([1n, 0n, 2n]), b([true, false, true])], { dtype: 'bool', value: [true, true, false] });
  });
  test('integer power wraps; mixed int32 x uint32 products are exact in int64', () => {
    checkOp('pow', [i32([3, 2, -2]), i32([21, 31, 3])], {
      dtype: 'int32',
      value: [Number(BigInt.asIntN(32, 3n ** 21n)), -2147483648, -8],
    });
    checkOp('pow', [i64([3n, 2n]), i64([40n, 63n])], {
      dtype: 'int64',
      value: [BigInt.asIntN(64, 3n ** 40n), -(2n ** 63n)],
    });
    checkOp('mul', [u32([4294967295, 4294967295]), i32([2, -2147483648])], {
      dtype: 'int64',
      value: [8589934590n, -9223372034707292160n],
    });
    checkOp('pow', [u32([65536]), i32([2])], { dtype: 'int64', value: [4294967296n] });
  });
});

describe('floor division and modulo follow Python', () => {
  test('int: -7//2 = -4, -7%2 = 1, 7%-2 = -1', () => {
    checkOp('intDiv', [i8([-7, 7, -7, 7]), i8([2, -2, -2, 2])], { dtype: 'int8', value: [-4, -4, 3, 3] });
    checkOp('mod', [i8([-7, 7, -7, 7]), i8([2, -2, -2, 2])], { dtype: 'int8', value: [1, -1, -1, 1] });
    checkOp('intDiv', [i64([-7n, 7n, -(2n ** 62n) - 1n]), i64([2n, -2n, 2n])], {
      dtype: 'int64',
      value: [-4n, -4n, -(2n ** 61n) - 1n],
    });
    checkOp('mod', [i64([-7n, 7n, -(2n ** 62n) - 1n]), i64([2n, -2n, 2n])], { dtype: 'int64', value: [1n, -1n, 1n] });
  });
  test('float: floor division and modulo with the sign of the divisor', () => {
    checkOp(
      'intDiv',
      [
        [-7, 7, 7.5, -7.5, 1],
        [2, -2, 2, 2, 0],
      ],
      { dtype: 'float64', value: [-4, -4, 3, -4, Infinity] },
    );
    checkOp(
      'mod',
      [
        [-7, 7, -7.5, 7.5, 5.5, 1, -7],
        [2, -2, 2, -2, 0, Infinity, Infinity],
      ],
      { dtype: 'float64', value: [1, -1, 0.5, -0.5, NaN, 1, Infinity] },
    );
  });
  test('float modulo: a zero result takes the sign of the divisor (Python, numpy)', () => {
    checkOp(
      'mod',
      [
        [-0, 4, -4, 0],
        [2, -2, 2, -2],
      ],
      { dtype: 'float64', value: [0, -0, 0, -0], signedZeros: true },
    );
  });
  test('integer division and modulo by zero give 0', () => {
    checkOp('intDiv', [i32([5, -5, 0]), i32([0, 0, 0])], { dtype: 'int32', value: [0, 0, 0] });
    checkOp('mod', [i32([5, -5, 0]), i32([0, 0, 0])], { dtype: 'int32', value: [0, 0, 0] });
    checkOp('intDiv', [u8([5]), u8([0])], { dtype: 'uint8', value: [0] });
    checkOp('intDiv', [i64([5n]), i64([0n])], { dtype: 'int64', value: [0n] });
    checkOp('mod', [i64([5n]), i64([0n])], { dtype: 'int64', value: [0n] });
  });
  test('property: q*b + r = a with 0 <= |r| < |b| and r of the sign of b (int32)', () => {
    const [x, y] = T.ivectors('x', 'y');
    const f = compileLoose([x, y], [T.intDiv(x, y), T.mod(x, y)]);
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
            fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
          ),
          { maxLength: 20 },
        ),
        (pairs) => {
          const as = pairs.map((p) => p[0]);
          const bs = pairs.map((p) => p[1]);
          const [q, r] = (f(as, bs) as theano.NDArray[]).map((a) => a.toArray() as number[]);
          pairs.forEach(([a, d], i) => {
            if (d === 0) {
              expect([q![i], r![i]]).toEqual([0, 0]);
              return;
            }
            const A = BigInt(a);
            const D = BigInt(d);
            let Q = A / D;
            if (A % D !== 0n && A < 0n !== D < 0n) Q -= 1n;
            expect(q![i]).toBe(Number(BigInt.asIntN(32, Q)));
            expect(r![i]).toBe(Number(A - Q * D));
          });
        },
      ),
    );
  });
});

describe('int64 is exact', () => {
  test('lscalar 2n**60n + 1n, add 1n -> exact bigint', () => {
    const x = T.lscalar('x');
    const f = compileLoose([x], T.add(x, 1n));
    const r = f(2n ** 60n + 1n);
    expect(typeof r).toBe('bigint');
    expect(r).toBe(2n ** 60n + 2n);
    checkOp((a, c) => T.add(a, c), [i64(2n ** 60n + 1n), i64(1n)], { dtype: 'int64', value: 2n ** 60n + 2n });
  });
  test('mul, sub, comparisons, maximum and mixing with int32 stay exact', () => {
    checkOp('mul', [i64([3037000499n]), i64([3037000499n])], { dtype: 'int64', value: [3037000499n * 3037000499n] });
    checkOp('sub', [i64([2n ** 60n + 1n]), i32([3])], { dtype: 'int64', value: [2n ** 60n - 2n] });
    checkOp('eq', [i64([2n ** 60n + 1n, 5n]), i64([2n ** 60n, 5n])], { dtype: 'bool', value: [false, true] });
    checkOp('lt', [i64([2n ** 60n]), i64([2n ** 60n + 1n])], { dtype: 'bool', value: [true] });
    checkOp('maximum', [i64([2n ** 60n + 1n]), i64([2n ** 60n])], { dtype: 'int64', value: [2n ** 60n + 1n] });
    checkOp('abs', [i64([-(2n ** 60n) - 1n])], { dtype: 'int64', value: [2n ** 60n + 1n] });
    checkOp('sign', [i64([-(2n ** 60n), 0n, 7n])], { dtype: 'int64', value: [-1n, 0n, 1n] });
    checkOp('xor', [i64([2n ** 60n + 1n]), i64([1n])], { dtype: 'int64', value: [2n ** 60n] });
    checkOp('invert', [i64([2n ** 60n])], { dtype: 'int64', value: [-(2n ** 60n) - 1n] });
    checkOp('switch', [b([true, false]), i64([2n ** 60n + 1n, 0n]), i64([0n, 2n ** 60n + 3n])], {
      dtype: 'int64',
      value: [2n ** 60n + 1n, 2n ** 60n + 3n],
    });
    checkOp('clip', [i64([2n ** 60n + 7n]), i64(0n), i64(2n ** 60n + 1n)], { dtype: 'int64', value: [2n ** 60n + 1n] });
    checkOp((x) => x.add(1n), [i64([2n ** 60n + 1n])], { dtype: 'int64', value: [2n ** 60n + 2n] });
  });
  test('int64 with a float goes through float64', () => {
    checkOp('add', [i64([2n ** 53n + 1n]), f64([0.5])], { dtype: 'float64', value: [2 ** 53 + 0.5 + 0.5] });
    checkOp('exp', [i64([0n])], { dtype: 'float64', value: [1] });
  });
});

describe('bool', () => {
  const tf = [true, true, false, false];
  const ft = [true, false, true, false];
  test('and / or / xor / invert are logical on bool', () => {
    checkOp('and', [b(tf), b(ft)], { dtype: 'bool', value: [true, false, false, false] });
    checkOp('or', [b(tf), b(ft)], { dtype: 'bool', value: [true, true, true, false] });
    checkOp('xor', [b(tf), b(ft)], { dtype: 'bool', value: [false, true, true, false] });
    checkOp('invert', [b([true, false])], { dtype: 'bool', value: [false, true] });
    checkOp((x) => T.invert(T.invert(x)), [b([true, false])], { dtype: 'bool', value: [true, false] });
  });
  test('bool with integers is bitwise in the integer dtype', () => {
    checkOp('and', [b([true, false]), i8([3, 3])], { dtype: 'int8', value: [1, 0] });
    checkOp('or', [u8([4]), b([true])], { dtype: 'uint8', value: [5] });
    checkOp('invert', [u8([0, 255])], { dtype: 'uint8', value: [255, 0] });
    checkOp('invert', [u32([0])], { dtype: 'uint32', value: [4294967295] });
  });
  test('comparisons produce bool; rank 0 comes back as a boolean', () => {
    checkOp('lt', [i32([1, 5]), f32([2, 2])], { dtype: 'bool', value: [true, false] });
    checkOp('eq', [b([true, false]), b([true, true])], { dtype: 'bool', value: [true, false] });
    checkOp('gt', [b([true]), i8([0])], { dtype: 'bool', value: [true] });
    checkOp('ge', [2, 1], { dtype: 'bool', value: true });
    checkOp((x) => x.lt(2), [i32([1, 2, 3])], { dtype: 'bool', value: [true, false, false] });
    checkOp((x) => x.eq(0.5), [i32([0])], { dtype: 'bool', value: [false] });
  });
  test('add / mul / maximum on bool stay bool (numpy logical or / and)', () => {
    checkOp('add', [b(tf), b(ft)], { dtype: 'bool', value: [true, true, true, false] });
    checkOp('mul', [b(tf), b(ft)], { dtype: 'bool', value: [true, false, false, false] });
    checkOp('maximum', [b(tf), b(ft)], { dtype: 'bool', value: [true, true, true, false] });
    checkOp('add', [b([true, true]), i8([127, 1])], { dtype: 'int8', value: [-128, 2] });
  });
  test('switch takes any non-zero condition as true, NaN included', () =>
    checkOp('switch', [[0, -0, 2, NaN, -1], [1, 1, 1, 1, 1], i8([0, 0, 0, 0, 0])], {
      dtype: 'float64',
      value: [0, 0, 1, 1, 1],
    }));
});

describe('cast', () => {
  test('float -> int truncates toward zero', () => {
    checkOp((x) => T.cast(x, 'int32'), [[1.9, -1.9, 2.5, -2.5, 0.99]], { dtype: 'int32', value: [1, -1, 2, -2, 0] });
    checkOp((x) => x.cast('int8'), [[127.9, -128.9]], { dtype: 'int8', value: [127, -128] });
    checkOp((x) => x.cast('uint8'), [[255.9, 3.2]], { dtype: 'uint8', value: [255, 3] });
    checkOp((x) => x.cast('int64'), [[1.9, -1.9, 2 ** 60]], { dtype: 'int64', value: [1n, -1n, 2n ** 60n] });
    checkOp((x) => x.cast('int64'), [-2.5], { dtype: 'int64', value: -2n });
  });
  test('int -> bool is "non-zero"; float -> bool too (NaN is true, as in numpy)', () => {
    checkOp((x) => x.cast('bool'), [i32([0, 1, -3, 256])], { dtype: 'bool', value: [false, true, true, true] });
    checkOp((x) => x.cast('bool'), [i64([0n, 2n ** 40n])], { dtype: 'bool', value: [false, true] });
    checkOp((x) => x.cast('bool'), [[0, -0, 0.1, -Infinity, NaN]], {
      dtype: 'bool',
      value: [false, false, true, true, true],
    });
  });
  test('int -> narrower int wraps', () => {
    checkOp((x) => x.cast('int8'), [i32([300, -129, 128])], { dtype: 'int8', value: [44, 127, -128] });
    checkOp((x) => x.cast('uint16'), [i32([-1, 65536])], { dtype: 'uint16', value: [65535, 0] });
    checkOp((x) => x.cast('int32'), [i64([2n ** 32n + 5n, -(2n ** 31n) - 1n])], {
      dtype: 'int32',
      value: [5, 2147483647],
    });
    checkOp((x) => x.cast('uint32'), [i64([-1n])], { dtype: 'uint32', value: [4294967295] });
  });
  test('bool -> numbers, float64 -> float32 rounds, int64 -> float64', () => {
    checkOp((x) => x.cast('float64'), [b([true, false])], { dtype: 'float64', value: [1, 0] });
    checkOp((x) => x.cast('int64'), [b([true, false])], { dtype: 'int64', value: [1n, 0n] });
    checkOp((x) => x.cast('float32'), [[0.1, 1e40]], {
      dtype: 'float32',
      value: [Math.fround(0.1), Infinity],
      rtol: 0,
    });
    checkOp((x) => x.cast('float64'), [i64([2n ** 60n])], { dtype: 'float64', value: [2 ** 60] });
    checkOp((x) => x.cast('float64'), [u32([4294967295])], { dtype: 'float64', value: [4294967295] });
  });
  test('cast to the same dtype is the identity; unknown dtype is a build error', () => {
    checkOp((x) => x.cast('int16'), [i16([-5, 7])], { dtype: 'int16', value: [-5, 7] });
    expectBuildError(() => T.cast(T.dvector('x'), 'float16' as DType), 'unknown dtype float16');
  });
});

describe('clip', () => {
  test('weak bounds keep the tensor dtype', () => {
    checkOp((x) => T.clip(x, 0, 10), [i32([-5, 5, 50])], { dtype: 'int32', value: [0, 5, 10] });
    checkOp((x) => (x as Tensor<'float32', 1>).clip(-1.5, 1.5), [f32([-5, 0.25, 5])], {
      dtype: 'float32',
      value: [-1.5, 0.25, 1.5],
    });
  });
  test('lo > hi gives hi everywhere (numpy), for floats, int32 and int64 alike', () => {
    checkOp('clip', [[0, 5, 2], 3, 1], { dtype: 'float64', value: [1, 1, 1] });
    checkOp('clip', [i32([0, 5, 2]), i32(3), i32(1)], { dtype: 'int32', value: [1, 1, 1] });
    checkOp('clip', [i64([0n, 5n, 2n]), i64(3n), i64(1n)], { dtype: 'int64', value: [1n, 1n, 1n] });
  });
  test('property: int64 clip equals minimum(maximum(x, lo), hi)', () => {
    const [x, lo, hi] = T.lvectors('x', 'lo', 'hi');
    const f = compileLoose([x, lo, hi], [T.clip(x, lo, hi), T.minimum(T.maximum(x, lo), hi)]);
    const arb = fc.array(fc.bigInt({ min: -5n, max: 5n }), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(fc.array(arb, { maxLength: 10 }), (rows) => {
        const [c, m] = f(
          rows.map((r) => r[0]!),
          rows.map((r) => r[1]!),
          rows.map((r) => r[2]!),
        ) as theano.NDArray[];
        expect(c!.toArray()).toEqual(m!.toArray());
      }),
    );
  });
});

describe('NaN propagation', () => {
  test('maximum / minimum propagate NaN from either side (numpy, not fmax)', () => {
    checkOp(
      'maximum',
      [
        [NaN, 1, NaN],
        [1, NaN, NaN],
      ],
      { dtype: 'float64', value: [NaN, NaN, NaN] },
    );
    checkOp(
      'minimum',
      [
        [NaN, 1, NaN],
        [1, NaN, NaN],
      ],
      { dtype: 'float64', value: [NaN, NaN, NaN] },
    );
    checkOp('maximum', [f32([NaN, 2]), f32([1, 1])], { dtype: 'float32', value: [NaN, 2] });
    checkOp((x) => T.maximum(x, 0), [[NaN, -1, 3]], { dtype: 'float64', value: [NaN, 0, 3] });
  });
  test('arithmetic and transcendental ops propagate NaN', () => {
    for (const name of ['add', 'sub', 'mul', 'div', 'pow', 'arctan2', 'mod', 'intDiv'] as const) {
      checkOp(
        name,
        [
          [NaN, 3], // not 1: 1 ** NaN is 1 (C and numpy)
          [2, NaN],
        ],
        { dtype: 'float64', value: [NaN, NaN] },
      );
    }
    for (const name of [
      'exp',
      'log',
      'sin',
      'tanh',
      'sqrt',
      'floor',
      'round',
      'erf',
      'erfc',
      'sigmoid',
      'softplus',
      'neg',
      'abs',
      'sign',
    ] as const) {
      checkOp(name, [[NaN]], { dtype: 'float64', value: [NaN] });
    }
    checkOp('clip', [[NaN], 0, 1], { dtype: 'float64', value: [NaN] });
  });
});

describe('empty arrays', () => {
  test('shape [0] in, shape [0] out, dtype kept', () => {
    checkOp('add', [[], []], { dtype: 'float64', shape: [0], value: [] });
    checkOp('exp', [f32([])], { dtype: 'float32', shape: [0] });
    checkOp('lt', [i32([]), i32([])], { dtype: 'bool', shape: [0] });
    checkOp((x) => x.cast('int64'), [[]], { dtype: 'int64', shape: [0] });
  });
  test('empty broadcast against 1 and against a matrix', () => {
    checkOp('add', [[], [5]], { dtype: 'float64', shape: [0] });
    // nested JS arrays cannot spell shape (0, 3): pass an NDArray
    const empty03 = new theano.NDArray('float64', [0, 3], new Float64Array(0));
    checkOp('mul', [empty03, [1, 2, 3]], { dtype: 'float64', shape: [0, 3] });
    checkOp('add', [empty03, [[1], [2], [3]].slice(0, 1)], { dtype: 'float64', shape: [0, 3] });
    checkOp('switch', [b(nested([2, 0], () => true)), 1, [[]]], { dtype: 'float64', shape: [2, 0] });
  });
  test('empty does not broadcast against 2', () => {
    const [x, y] = T.dvectors('x', 'y');
    expectRunError(compileLoose([x, y], T.add(x, y)), [[], [1, 2]], 'add', '(0,)', '(2,)');
  });
});

describe('strided inputs', () => {
  test('an op on x.T', () => {
    checkOp(
      (x, y) => T.add(x.T, y),
      [
        [
          [1, 2, 3],
          [4, 5, 6],
        ],
        [
          [10, 20],
          [30, 40],
          [50, 60],
        ],
      ],
      {
        dtype: 'float64',
        value: [
          [11, 24],
          [32, 45],
          [53, 66],
        ],
      },
    );
    checkOp(
      (x) => T.exp(x.T),
      [
        [
          [0, 1],
          [2, 3],
          [4, 5],
        ],
      ],
      {
        dtype: 'float64',
        value: [
          [1, Math.exp(2), Math.exp(4)],
          [Math.E, Math.exp(3), Math.exp(5)],
        ],
      },
    );
    checkOp(
      (x) => T.sub(x, x.T),
      [
        [
          [1, 2],
          [3, 4],
        ],
      ],
      {
        dtype: 'float64',
        value: [
          [0, -1],
          [1, 0],
        ],
      },
    );
  });
  test('non-contiguous NDArray inputs (transposed view, offset view, stride-0 view)', () => {
    // a 3x2 buffer [[0,1],[2,3],[4,5]] read as its 2x3 transpose
    const transposed = new theano.NDArray('float64', [2, 3], Float64Array.from([0, 1, 2, 3, 4, 5]), [1, 2], 0);
    checkOp('add', [transposed, [100, 200, 300]], {
      dtype: 'float64',
      value: [
        [100, 202, 304],
        [101, 203, 305],
      ],
    });
    // every other element, starting at offset 1, reversed strides
    const offset = new theano.NDArray('int32', [3], Int32Array.from([9, 1, 9, 2, 9, 3]), [2], 1);
    checkOp('mul', [i32(offset), i32([10, 10, 10])], { dtype: 'int32', value: [10, 20, 30] });
    const reversed = new theano.NDArray('float64', [3], Float64Array.from([1, 2, 3]), [-1], 2);
    checkOp('sub', [reversed, [0, 0, 0]], { dtype: 'float64', value: [3, 2, 1] });
    // a row repeated by a zero stride
    const repeated = new theano.NDArray('float64', [2, 3], Float64Array.from([1, 2, 3]), [0, 1], 0);
    checkOp('mul', [repeated, [[1], [10]]], {
      dtype: 'float64',
      value: [
        [1, 2, 3],
        [10, 20, 30],
      ],
    });
    const bigStrided = new theano.NDArray('int64', [2, 2], BigInt64Array.from([1n, 2n, 3n, 4n]), [1, 2], 0);
    checkOp('add', [bigStrided, i64([[2n ** 60n], [0n]])], {
      dtype: 'int64',
      value: [
        [2n ** 60n + 1n, 2n ** 60n + 3n],
        [2n, 4n],
      ],
    });
  });
});

describe('errors', () => {
  test('bad input dtypes raise at build time with a clear message', () => {
    const [x, y] = T.dvectors('x', 'y');
    expectBuildError(
      () => T.and(x, y),
      'and: input 0 is float64, but and takes only integer or bool inputs',
      "op: and('x' (float64 vector), 'y' (float64 vector))",
    );
    expectBuildError(() => T.or(T.ivector(), y), 'or: input 1 is float64');
    expectBuildError(() => T.invert(T.fvector('f')), 'invert: input 0 is float32');
    const [p, q] = [T.tensor('bool', 1, 'p'), T.tensor('bool', 1, 'q')];
    expectBuildError(() => T.sub(p, q), 'sub: sub of bools only is not supported, as in numpy: use xor');
    expectBuildError(() => T.neg(p), 'neg: neg of a bool is not supported, as in numpy: use invert');
    expectBuildError(() => T.sign(p), 'sign: sign of a bool is not supported');
  });
  test('the build error names the user line', () => {
    const x = T.dvector('x');
    expectBuildError(() => T.xor(x, x), /built at: .*elemwise\.test\.ts:\d+/);
  });
  test('a static broadcasting clash is a build-time error', () => {
    const a = T.tensor('float64', [3], 'a');
    const c = T.tensor('float64', [4], 'c');
    expectBuildError(() => T.add(a, c), 'add: inputs of static shapes (3) and (4) cannot broadcast', 'sizes 3 and 4');
    expectBuildError(
      () => T.mul(T.tensor('float64', [2, 3]), T.tensor('float64', [null, 2])),
      'mul',
      'cannot broadcast',
    );
    // known 1 or unknown dims are fine
    expect(T.add(T.tensor('float64', [3]), T.tensor('float64', [1])).staticShape).toEqual([3]);
    expect(T.add(T.tensor('float64', [3]), T.tensor('float64', [null])).staticShape).toEqual([3]);
  });
  test('a runtime broadcasting clash names the op and the input shapes', () => {
    const [x, y] = T.dmatrices('x', 'y');
    const f = compileLoose([x, y], T.mul(x, y));
    const err = expectRunError(
      f,
      [
        [[1, 2, 3]],
        [
          [1, 2],
          [3, 4],
        ],
      ],
      'mul',
      'x: float64(1, 3)',
      'y: float64(2, 2)',
      'do not broadcast',
    );
    expect(err).toBeInstanceOf(theano.NodeError);
    expect((err as theano.NodeError).node.op.name).toBe('mul');
    // the graph hangs off the error but is not enumerable: test runners that serialize an error's own properties
    // (vitest's worker channel) would walk the whole graph and overflow the stack
    expect(Object.keys(err)).not.toContain('node');
  });
  test('a weak integer that does not fit the tensor dtype is an error', () => {
    expectBuildError(() => T.add(T.bvector('x'), 300), 'does not fit int8');
    expectBuildError(() => T.add(T.tensor('uint8', 1), -1), 'does not fit uint8');
  });
  test('true division takes a weak integer beyond the tensor dtype (numpy 2: int8 / 128), in its result float', () => {
    const i8 = (v: number[]) => new theano.NDArray('int8', [v.length], Int8Array.from(v));
    const u8 = (v: number[]) => new theano.NDArray('uint8', [v.length], Uint8Array.from(v));
    checkOp((x) => T.div(x, 128), [i8([1, 2])], { dtype: 'float32', value: [1 / 128, 2 / 128] });
    checkOp((x) => x.div(-3), [u8([3, 6])], { dtype: 'float32', value: [-1, -2] });
    checkOp((x) => T.div(x, 2 ** 40), [i32([1, 2])], { dtype: 'float64', value: [2 ** -40, 2 ** -39] });
    // the other ops still refuse it (numpy raises there too)
    expectBuildError(() => T.intDiv(T.bvector('x'), 128), 'does not fit int8');
  });
  test('wrong arity and non-tensor operands', () => {
    expectBuildError(() => T.add(T.dvector(), 'a' as unknown as number), 'add: operand 1 is string');
  });
});

describe('the weak scalar partner of switch is the branches, not the condition', () => {
  test('switch(int32 cond, float32, 0.5) is float32, as its static type says', () => {
    checkOp((c, x) => T.switch(c, x, 0.5), [i32([1, 0]), f32([2, 3])], { dtype: 'float32', value: [2, 0.5] });
    checkOp((c, x) => T.where(c, x, 0), [i64([1n, 0n]), f32([2, 3])], { dtype: 'float32', value: [2, 0] });
    checkOp((c) => T.switch(c, 1, 0), [b([true, false])], { dtype: 'float64', value: [1, 0] });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Properties: integer ops over every pair of integer dtypes agree with exact bigint math cast to the result dtype

const INT_DTYPES = ['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32'] as const;
const RANGE: Record<(typeof INT_DTYPES)[number], [bigint, bigint]> = {
  int8: [-128n, 127n],
  int16: [-32768n, 32767n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint8: [0n, 255n],
  uint16: [0n, 65535n],
  uint32: [0n, 2n ** 32n - 1n],
};
const floorDiv = (a: bigint, d: bigint) => (d === 0n ? 0n : a / d - (a % d !== 0n && a < 0n !== d < 0n ? 1n : 0n));
const BIG_REF: Record<string, (a: bigint, d: bigint) => bigint | boolean> = {
  add: (a, d) => a + d,
  sub: (a, d) => a - d,
  mul: (a, d) => a * d,
  intDiv: floorDiv,
  mod: (a, d) => (d === 0n ? 0n : a - floorDiv(a, d) * d),
  maximum: (a, d) => (a > d ? a : d),
  minimum: (a, d) => (a < d ? a : d),
  and: (a, d) => a & d,
  or: (a, d) => a | d,
  xor: (a, d) => a ^ d,
  lt: (a, d) => a < d,
  ge: (a, d) => a >= d,
  eq: (a, d) => a === d,
};

describe('property: integer ops match exact math for every pair of integer dtypes', () => {
  const arbCase = fc
    .record({
      a: fc.constantFrom(...INT_DTYPES),
      d: fc.constantFrom(...INT_DTYPES),
      op: fc.constantFrom(...Object.keys(BIG_REF)),
    })
    .chain(({ a, d, op }) => {
      const value = (t: (typeof INT_DTYPES)[number]) =>
        fc.oneof(
          fc.bigInt({ min: RANGE[t][0], max: RANGE[t][1] }),
          fc.constantFrom(RANGE[t][0], RANGE[t][1], 0n, 1n),
          fc.bigInt({ min: -3n, max: 3n }).filter((v) => v >= RANGE[t][0]),
        );
      return fc.record({
        a: fc.constant(a),
        d: fc.constant(d),
        op: fc.constant(op),
        pairs: fc.array(fc.tuple(value(a), value(d)), { minLength: 1, maxLength: 8 }),
      });
    });
  test('add sub mul intDiv mod maximum minimum and or xor lt ge eq', () => {
    fc.assert(
      fc.property(arbCase, ({ a, d, op, pairs }) => {
        const x = T.tensor(a, 1, 'x');
        const y = T.tensor(d, 1, 'y');
        const out = (T as unknown as Record<string, (p: Tensor, q: Tensor) => Tensor>)[op]!(x, y);
        const outDtype = ['lt', 'ge', 'eq'].includes(op) ? 'bool' : UPCAST[a][d];
        expect(out.dtype).toBe(outDtype);
        const toInput = (t: DType, v: bigint) => (t === 'int64' ? v : Number(v));
        const f = compileLoose([x, y], out);
        const r = f(
          pairs.map(([p]) => toInput(a, p)),
          pairs.map(([, q]) => toInput(d, q)),
        );
        expectArray(r, {
          dtype: outDtype,
          shape: [pairs.length],
          flat: pairs.map(([p, q]) => coerce(outDtype, BIG_REF[op]!(p, q))),
        });
      }),
      { numRuns: 400 },
    );
  });
});

describe('property: integer pow and unary ops match exact math, wrapped to the dtype', () => {
  const arbValue = (t: (typeof INT_DTYPES)[number]) =>
    fc.oneof(fc.bigInt({ min: RANGE[t][0], max: RANGE[t][1] }), fc.constantFrom(RANGE[t][0], RANGE[t][1], 0n, 1n));
  const toInput = (t: DType, v: bigint) => (t === 'int64' ? v : Number(v));
  test('pow with exponents 0..70', () =>
    fc.assert(
      fc.property(
        fc.tuple(fc.constantFrom(...INT_DTYPES), fc.constantFrom(...INT_DTYPES)).chain(([a, d]) =>
          fc.tuple(
            fc.constant(a),
            fc.constant(d),
            fc.array(
              fc.tuple(
                arbValue(a),
                fc.bigInt({ min: 0n, max: 70n }).filter((e) => e <= RANGE[d][1]),
              ),
              { minLength: 1, maxLength: 6 },
            ),
          ),
        ),
        ([a, d, pairs]) => {
          const x = T.tensor(a, 1, 'x');
          const y = T.tensor(d, 1, 'y');
          const out = UPCAST[a][d];
          const r = compileLoose([x, y], T.pow(x, y))(
            pairs.map(([p]) => toInput(a, p)),
            pairs.map(([, q]) => toInput(d, q)),
          );
          expectArray(r, { dtype: out, flat: pairs.map(([p, q]) => coerce(out, p ** q)) });
        },
      ),
      { numRuns: 200 },
    ));
  test('neg, abs, sign, sqr, invert on every integer dtype', () => {
    const refs: [string, (v: bigint) => bigint][] = [
      ['neg', (v) => -v],
      ['abs', (v) => (v < 0n ? -v : v)],
      ['sign', (v) => (v > 0n ? 1n : v < 0n ? -1n : 0n)],
      ['sqr', (v) => v * v],
      ['invert', (v) => ~v],
    ];
    fc.assert(
      fc.property(
        fc
          .constantFrom(...INT_DTYPES)
          .chain((t) =>
            fc.tuple(fc.constant(t), fc.constantFrom(...refs), fc.array(arbValue(t), { minLength: 1, maxLength: 6 })),
          ),
        ([t, [name, ref], values]) => {
          const x = T.tensor(t, 1, 'x');
          const r = compileLoose(
            [x],
            (T as unknown as Record<string, (p: Tensor) => Tensor>)[name]!(x),
          )(values.map((v) => toInput(t, v)));
          expectArray(r, { dtype: t, flat: values.map((v) => coerce(t, ref(v))) });
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('property: float ops on float32 round their float64 result once', () => {
  test('exp, sin, sqrt, log1p, div on float32', () => {
    const fns: [string, (x: number, y: number) => number][] = [
      ['exp', (x) => Math.exp(x)],
      ['sin', (x) => Math.sin(x)],
      ['sqrt', (x) => Math.sqrt(x)],
      ['log1p', (x) => Math.log1p(x)],
      ['div', (x, y) => x / y],
      ['add', (x, y) => x + y],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...fns),
        fc.array(
          fc.tuple(
            fc.float({ noDefaultInfinity: true, noNaN: true, min: -100, max: 100 }),
            fc.float({ min: -100, max: 100 }),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        ([name, ref], pairs) => {
          const unary = !['div', 'add'].includes(name);
          checkOp(
            name,
            unary ? [f32(pairs.map((p) => p[0]))] : [f32(pairs.map((p) => p[0])), f32(pairs.map((p) => p[1]))],
            {
              dtype: 'float32',
              ref: (x: number, y: number) => Math.fround(ref(x, y)),
              rtol: 0,
            },
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('rank-0 results are plain JS scalars of the dtype kind', () => {
  test('number, bigint, boolean', () => {
    const x = T.dscalar('x');
    expectScalar(compileLoose([x], T.exp(x))(1), 'float64', Math.E);
    const [a, c] = T.lscalars('a', 'c');
    expectScalar(compileLoose([a, c], T.mul(a, c))(3n, 4), 'int64', 12n);
    expectScalar(compileLoose([a, c], T.lt(a, c))(3n, 4), 'bool', true);
    const s = T.fscalar('s');
    expectScalar(compileLoose([s], T.mul(s, 0.1))(3), 'float32', Math.fround(3 * Math.fround(0.1)), { rtol: 0 });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// numpy 2 semantics (issue 13): bools in arithmetic, float floor division, C pow; checked in every mode

const MODES = {
  FAST_RUN: theano.FAST_RUN,
  FAST_COMPILE: theano.FAST_COMPILE,
  DEBUG: theano.DEBUG,
  reference: theano.FAST_RUN.withLinker('reference'),
} as const;

/** checkOp in each of the four modes (the generated code and the reference evaluator must both agree). */
function checkInAllModes(
  op: Parameters<typeof checkOp>[0],
  args: Parameters<typeof checkOp>[1],
  want: Parameters<typeof checkOp>[2],
): void {
  for (const mode of Object.values(MODES)) checkOp(op, args, { ...want, options: { ...want.options, mode } });
}

describe('numpy semantics: bool operands in arithmetic', () => {
  test('a comparison feeds arithmetic: float32 - bool is float32 (the form of Theano fusion tests)', () => {
    const [fx, fy, fz] = T.fvectors('fx', 'fy', 'fz');
    const out = fx.sub(fy.gt(fz));
    expect(out.dtype).toBe('float32');
    for (const mode of Object.values(MODES)) {
      const f = compileLoose([fx, fy, fz], out, { mode });
      expectArray(f([1, 2, 3], [5, 0, 3], [4, 1, 3]), { dtype: 'float32', shape: [3], value: [0, 2, 3] });
    }
  });
  test('a bool mixed with a number promotes to the number dtype, on either side', () => {
    checkInAllModes('sub', [i32([5, 5]), b([true, false])], { dtype: 'int32', value: [4, 5] });
    checkInAllModes('sub', [b([true, false]), i8([3, -128])], { dtype: 'int8', value: [-2, -128] });
    checkInAllModes('sub', [b([true, false]), u8([0, 1])], { dtype: 'uint8', value: [1, 255] }); // wraps, as numpy
    checkInAllModes('sub', [f64([0.5]), b([true])], { dtype: 'float64', value: [-0.5] });
    checkInAllModes('sub', [i64([2n ** 62n]), b([true])], { dtype: 'int64', value: [2n ** 62n - 1n] });
    checkInAllModes((x) => x.sub(1), [b([true, false])], { dtype: 'int64', value: [0n, -1n] }); // a weak int next to bool: int64
    checkInAllModes('intDiv', [f32([7, -7]), b([true, true])], { dtype: 'float32', value: [7, -7] });
    checkInAllModes('mod', [i16([7, -7]), b([true, true])], { dtype: 'int16', value: [0, 0] });
    checkInAllModes('pow', [i32([3, 3]), b([true, false])], { dtype: 'int32', value: [3, 1] });
    checkInAllModes('arctan2', [b([true]), f64([1])], { dtype: 'float64', value: [Math.PI / 4] });
    checkInAllModes((x, lo, hi) => T.clip(x, lo!, hi!), [b([true, false]), i32([0, 1]), i32([0, 2])], {
      dtype: 'int32',
      value: [0, 1],
    });
  });
  test('bool + bool and bool * bool stay bool (logical or / and); abs of a bool is the bool', () => {
    const tf = b([true, true, false, false]);
    const ft = b([true, false, true, false]);
    checkInAllModes('add', [tf, ft], { dtype: 'bool', value: [true, true, true, false] });
    checkInAllModes('mul', [tf, ft], { dtype: 'bool', value: [true, false, false, false] });
    checkInAllModes('abs', [tf], { dtype: 'bool', value: [true, true, false, false] });
  });
  test('bools alone in //, %, ** and sqr run in int8, numpy smallest integer loop', () => {
    const tf = b([true, true, false, false]);
    const ft = b([true, false, true, false]);
    checkInAllModes('intDiv', [tf, ft], { dtype: 'int8', value: [1, 0, 0, 0] });
    checkInAllModes('mod', [tf, ft], { dtype: 'int8', value: [0, 0, 0, 0] });
    checkInAllModes('pow', [tf, ft], { dtype: 'int8', value: [1, 1, 0, 1] });
    checkInAllModes('sqr', [tf], { dtype: 'int8', value: [1, 1, 0, 0] });
  });
  test('float-valued functions take bools (upgraded to float32, where numpy gives float16)', () => {
    checkInAllModes('exp', [b([true, false])], { dtype: 'float32', value: [Math.E, 1], rtol: 1e-6 });
    checkInAllModes('floor', [b([true, false])], { dtype: 'float32', value: [1, 0] });
  });
  test('bool - bool, -bool and sign(bool) are errors with numpy advice', () => {
    const [p, q] = [T.tensor('bool', 1, 'p'), T.tensor('bool', 1, 'q')];
    expectBuildError(() => T.sub(p, q), 'sub of bools only is not supported', 'use xor');
    expectBuildError(() => T.sub(p, true), 'use xor');
    expectBuildError(() => T.neg(p), 'neg of a bool is not supported', 'use invert');
    expectBuildError(() => T.sign(p), 'sign of a bool is not supported');
  });
});

describe('numpy semantics: floor division of floats goes with mod', () => {
  test('the issue example: [1, -1.5, inf, 5] // [0.1, inf, 0.001, -inf] is [9, -1, nan, -1]', () => {
    const a = [1, -1.5, Infinity, 5];
    const d = [0.1, Infinity, 0.001, -Infinity];
    checkInAllModes('intDiv', [f64(a), f64(d)], { dtype: 'float64', value: [9, -1, NaN, -1] });
    checkInAllModes('intDiv', [f32(a), f32(d)], { dtype: 'float32', value: [9, -1, NaN, -1] });
    checkInAllModes('mod', [f64(a), f64(d)], {
      dtype: 'float64',
      value: [1 - 9 * 0.1, Infinity, NaN, -Infinity],
      rtol: 1e-12,
    });
  });
  test('division by zero and NaN: x // 0 is x / 0, NaN stays NaN; a zero quotient keeps the sign of a / b', () => {
    checkInAllModes('intDiv', [f64([1, -1, 0, NaN, 3]), f64([0, 0, 0, 1, NaN])], {
      dtype: 'float64',
      value: [Infinity, -Infinity, NaN, NaN, NaN],
    });
    checkInAllModes('intDiv', [f64([0, -0, 0.5, -0.5]), f64([3, 3, -2, -2])], {
      dtype: 'float64',
      value: [0, -0, -1, 0],
      signedZeros: true,
    });
  });
  test('mod: the sign of the divisor; x % 0, inf % y are NaN; finite % inf is x or inf', () => {
    checkInAllModes(
      'mod',
      [f64([5, -5, 5, -5, Infinity, 3, 3]), f64([Infinity, Infinity, -Infinity, -Infinity, 2, 0, NaN])],
      {
        dtype: 'float64',
        value: [5, Infinity, -Infinity, -5, NaN, NaN, NaN],
      },
    );
  });
  test('property: (a // b) * b + a % b == a, and a % b has the sign of b (float64 and float32)', () => {
    const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });
    const divisor = fc.oneof(
      finite,
      fc.double({ min: 1e-3, max: 10, noNaN: true }),
      fc.constantFrom(0.1, 0.2, 0.3, -0.7, 1 / 3),
    );
    for (const dtype of ['float64', 'float32'] as const) {
      const [x, y] = [T.tensor(dtype, 1, 'x'), T.tensor(dtype, 1, 'y')];
      const f = compileLoose([x, y], [T.intDiv(x, y), T.mod(x, y)]);
      const round = dtype === 'float32' ? Math.fround : (v: number) => v;
      fc.assert(
        fc.property(
          fc.array(
            fc.tuple(
              finite,
              divisor.filter((v) => Math.abs(round(v)) >= 1e-6),
            ) /* no overflowing quotients */,
            { minLength: 1, maxLength: 10 },
          ),
          (pairs) => {
            const a = pairs.map(([p]) => round(p));
            const d = pairs.map(([, q]) => round(q));
            const [q, r] = f(a, d) as [theano.NDArray, theano.NDArray];
            a.forEach((ai, i) => {
              const qi = Number(q.item(i));
              const ri = Number(r.item(i));
              expect(Number.isInteger(qi)).toBe(true);
              expect(ri === 0 || ri < 0 === d[i]! < 0).toBe(true);
              const eps = dtype === 'float32' ? 1e-6 : 1e-14;
              expect(Math.abs(qi * d[i]! + ri - ai)).toBeLessThanOrEqual(
                eps * (Math.abs(ai) + Math.abs(qi * d[i]!) + 1),
              );
            });
          },
        ),
        { numRuns: 100 },
      );
    }
  });
});

describe('numpy semantics: pow is C pow; integer pow of a negative exponent', () => {
  test('1 ** nan is 1, (-1) ** ±inf is 1, nan ** 0 is 1 (Math.pow gives NaN for the first two)', () => {
    const base = [1, 1, -1, -1, NaN, 2, -8];
    const exponent = [NaN, Infinity, Infinity, -Infinity, 0, NaN, 1 / 3];
    const value = [1, 1, 1, 1, 1, NaN, NaN];
    checkInAllModes('pow', [f64(base), f64(exponent)], { dtype: 'float64', value });
    checkInAllModes('pow', [f32(base), f32(exponent)], { dtype: 'float32', value });
  });
  test('an integer to a negative integer power is 1 / a**n truncated: ±1 for ±1, else 0 (numpy raises)', () => {
    const base = [1, -1, -1, 2, 0, -3];
    const exponent = [-3, -3, -2, -1, -1, -2];
    const value = [1, -1, 1, 0, 0, 0];
    checkInAllModes('pow', [i32(base), i32(exponent)], { dtype: 'int32', value });
    checkInAllModes('pow', [i8(base), i8(exponent)], { dtype: 'int8', value });
    checkInAllModes('pow', [i64(base.map(BigInt)), i64(exponent.map(BigInt))], {
      dtype: 'int64',
      value: value.map(BigInt),
    });
  });
});
