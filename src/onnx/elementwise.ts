/**
 * Elementwise ops in ONNX: one row per scalar op (typed complete over the scalar table, so a new scalar op is a
 * compile error here until it says how it exports, or that it does not). Our elementwise ops mix dtypes
 * (`int32 + float64`); ONNX operators take one type, so the inputs are cast to the type the op computes in first.
 */
import type { Apply } from '../graph/variable.js';
import { isElemwise } from '../ops/elemwise.js';
import type { ScalarOp, ScalarOpName } from '../ops/scalar.js';
import { isFloat, upcastAll, type DType } from '../types/dtype.js';
import type { OnnxGraphContext } from './context.js';
import { DATA_TYPE } from './proto.js';

/** What a row sees: the inputs (already cast), the dtype they are in, the output dtype, the graph. */
interface ElementwiseArgs {
  readonly x: readonly string[];
  /** The dtype the inputs were cast to. */
  readonly dtype: DType;
  /** The node's output dtype. */
  readonly out: DType;
  readonly g: OnnxGraphContext;
}

/** A row: the output's name, or a sentence saying why this op (with these dtypes) has no ONNX form. */
type ElementwiseExport = (a: ElementwiseArgs) => string;

/** The ONNX operator of the same name and meaning. */
const same =
  (opType: string): ElementwiseExport =>
  ({ x, g }) =>
    g.op1(opType, x);

/** `f(x) / c`, for log2 and log10. */
const scaled =
  (opType: string, divisor: number): ElementwiseExport =>
  ({ x, dtype, g }) =>
    g.op1('Div', [g.op1(opType, x), g.scalar(divisor, dtype)]);

/** A logical op on bools, the bitwise one (opset 18) on integers. */
const logical =
  (onBool: string, onInt: string): ElementwiseExport =>
  ({ x, dtype, g }) => {
    if (dtype === 'bool') return g.op1(onBool, x);
    if (g.opset < 18) throw g.unsupported(`${onInt} on integers needs opset 18 or later (asked for ${g.opset})`);
    return g.op1(onInt, x);
  };

/** numpy's floor division: floor(a / b); integers go through float64 (exact for |values| < 2^53). */
const floorDivide: ElementwiseExport = ({ x, dtype, g }) => {
  if (isFloat(dtype)) return g.op1('Floor', [g.op1('Div', x)]);
  const [a, b] = x.map((n) => g.cast(n, dtype, 'float64'));
  return g.cast(g.op1('Floor', [g.op1('Div', [a!, b!])]), 'float64', dtype);
};

/** numpy's remainder (the sign of the divisor): ONNX Mod on integers; a - b floor(a / b) on floats. */
const remainder: ElementwiseExport = ({ x, dtype, g }) => {
  if (!isFloat(dtype)) return g.op1('Mod', x, { fmod: 0 });
  const [a, b] = x as [string, string];
  return g.op1('Sub', [a, g.op1('Mul', [b, g.op1('Floor', [g.op1('Div', [a, b])])])]);
};

const ROWS: { readonly [K in ScalarOpName]: ElementwiseExport | string } = {
  add: same('Add'),
  sub: same('Sub'),
  mul: same('Mul'),
  true_div: same('Div'),
  int_div: floorDivide,
  mod: remainder,
  pow: same('Pow'),
  neg: same('Neg'),
  abs: same('Abs'),
  sign: same('Sign'),
  sqr: ({ x, g }) => g.op1('Mul', [x[0]!, x[0]!]),
  maximum: same('Max'),
  minimum: same('Min'),
  clip: ({ x: [v, lo, hi], g }) => g.op1('Min', [g.op1('Max', [v!, lo!]), hi!]), // bounds may be tensors
  exp: same('Exp'),
  exp2: ({ x, dtype, g }) => g.op1('Pow', [g.scalar(2, dtype), x[0]!]),
  expm1: ({ x, dtype, g }) => g.op1('Sub', [g.op1('Exp', x), g.scalar(1, dtype)]), // exp(x) - 1: no expm1 in ONNX
  log: same('Log'),
  log2: scaled('Log', Math.LN2),
  log10: scaled('Log', Math.LN10),
  log1p: ({ x, dtype, g }) => g.op1('Log', [g.op1('Add', [x[0]!, g.scalar(1, dtype)])]), // log(1 + x): no log1p in ONNX
  sqrt: same('Sqrt'),
  reciprocal: same('Reciprocal'),
  sin: same('Sin'),
  cos: same('Cos'),
  tan: same('Tan'),
  arcsin: same('Asin'),
  arccos: same('Acos'),
  arctan: same('Atan'),
  arctan2: 'ONNX has no two-argument arctangent',
  sinh: same('Sinh'),
  cosh: same('Cosh'),
  tanh: same('Tanh'),
  arcsinh: same('Asinh'),
  arccosh: same('Acosh'),
  arctanh: same('Atanh'),
  floor: same('Floor'),
  ceil: same('Ceil'),
  round: same('Round'), // both round half to even
  trunc: ({ x, dtype, g }) =>
    g.op1('Where', [g.op1('Less', [x[0]!, g.scalar(0, dtype)]), g.op1('Ceil', x), g.op1('Floor', x)]),
  erf: same('Erf'),
  erfc: ({ x, dtype, g }) => g.op1('Sub', [g.scalar(1, dtype), g.op1('Erf', x)]), // 1 - erf(x): loses the far tail
  erfcx: 'ONNX has no scaled complementary error function',
  log1mexp: 'ONNX has no log(1 - exp(x)) that keeps its precision',
  sigmoid: same('Sigmoid'),
  softplus: same('Softplus'),
  isnan: same('IsNaN'),
  isinf: same('IsInf'),
  lt: same('Less'),
  gt: same('Greater'),
  le: same('LessOrEqual'),
  ge: same('GreaterOrEqual'),
  eq: same('Equal'),
  neq: ({ x, g }) => g.op1('Not', [g.op1('Equal', x)]),
  and: logical('And', 'BitwiseAnd'),
  or: logical('Or', 'BitwiseOr'),
  xor: logical('Xor', 'BitwiseXor'),
  invert: logical('Not', 'BitwiseNot'),
  switch: ({ x: [c, a, b], g }) => g.op1('Where', [c!, a!, b!]),
  cast: ({ x, out, g }) => g.op1('Cast', x, { to: DATA_TYPE[out] }),
};

/** The dtype each input is cast to before the ONNX op (`switch`'s condition: bool). */
function operandDTypes(s: ScalarOp, inputs: readonly DType[], out: DType): DType[] {
  if (s.name === 'cast') return [...inputs];
  if (s.name === 'switch') return ['bool', out, out];
  if (s.output === 'bool') {
    const common = upcastAll(inputs); // comparisons and predicates compare in the common type
    return inputs.map(() => common);
  }
  return inputs.map(() => out);
}

/** Exports an elementwise node; returns its output's name. */
export function exportElementwise(node: Apply, g: OnnxGraphContext): string {
  const op = node.op;
  if (!isElemwise(op)) throw g.unsupported(`internal error: ${op.name} is not elementwise`);
  const row = ROWS[op.scalar.name as ScalarOpName];
  if (typeof row === 'string') throw g.unsupported(`the elementwise op '${op.name}' has no ONNX counterpart: ${row}`);
  const out = node.outputs[0]!.type.dtype;
  const dtypes = operandDTypes(
    op.scalar,
    node.inputs.map((v) => v.type.dtype),
    out,
  );
  const x = node.inputs.map((_, i) => g.input(node, i, dtypes[i]));
  const dtype = op.scalar.name === 'switch' ? out : dtypes[0]!;
  return row({ x, dtype, out, g });
}

/** The elementwise ops that export, and why the others do not (for the docs' table and tests). */
export const ELEMENTWISE_EXPORTS = ROWS;
