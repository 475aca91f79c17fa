/**
 * DEBUG mode's check of generated kernels against the reference evaluator, per kernel step and per call:
 *
 * - a JavaScript kernel (the `'js'` linker, or a call the wasm kernel handed to its JS twin) must give the
 *   reference's values exactly (bit for bit, any NaN equal to any NaN);
 * - a call that ran a wasm loop must be within the bound of a running error analysis over the kernel's ops: every
 *   value carries an absolute error bound `e`, 0 for the kernel's inputs; IEEE arithmetic (`+ - * /`, `sqrt`,
 *   `neg`, `abs`, `min`, `max`, comparisons, `switch`) adds nothing of its own (wasm rounds as the reference does)
 *   and passes its operands' errors on through its derivative (`|b| e_a + |a| e_b` for a product, ...), plus one
 *   ulp of its result when an operand was already off; a transcendental function adds its own bound,
 *   `TRANSCENDENTAL_ULPS` ulp of its result (float32: 2 ulp from the correctly rounded value, plus the reference's
 *   own rounding; float64: 4 ulp, plus 1 for `Math.*`); a comparison whose operands lie within their errors of each
 *   other may flip (error 1), and a `switch` on it may pick either branch. A sum adds the terms' errors and the
 *   reassociation bound `2 n u64 sum|x|` of two float64 summation orders (+ 1 ulp of a float32 result).
 *
 * The bound is first order (a second-order term is below it by a factor of the unit roundoff), so the check allows
 * it a factor `SLACK` of 2. A kernel with an op the analysis does not know is checked only where it ran as JS.
 */
import type { KernelIR } from '../codegen/kernel.js';
import { evaluateNodes } from '../graph/evaluate.js';
import type { Apply, Variable } from '../graph/variable.js';
import type { NDArray } from '../runtime/ndarray.js';

/** A wasm transcendental function's allowed distance from the reference, in ulp of the result. */
export const TRANSCENDENTAL_ULPS = { float32: 2 + 1, float64: 4 + 1 } as const;
/** The factor on the first-order bound. */
const SLACK = 2;

const U64 = 2 ** -53;
/** One ulp of `x` in `dtype` (the spacing of the floats around it; the smallest subnormal spacing at 0). */
export function ulp(x: number, dtype: 'float32' | 'float64'): number {
  const a = Math.abs(x);
  if (!Number.isFinite(a)) return Infinity;
  if (dtype === 'float32') return a < 2 ** -126 ? 2 ** -149 : 2 ** (Math.floor(Math.log2(a)) - 23);
  return a < 2 ** -1022 ? 2 ** -1074 : 2 ** (Math.floor(Math.log2(a)) - 52);
}

type Floaty = 'float32' | 'float64';
/** The error a transcendental function adds: its derivative's factor on the operand's error, and its own ulps. */
const TRANSCENDENTAL: Record<string, (a: number, r: number) => number> = {
  exp: (_a, r) => Math.abs(r),
  expm1: (_a, r) => Math.abs(r + 1),
  tanh: (_a, r) => 1 - r * r,
  sigmoid: (_a, r) => r * (1 - r),
  softplus: (a) => 1 / (1 + Math.exp(-a)),
  log: (a) => 1 / Math.abs(a),
  log1p: (a) => 1 / Math.abs(1 + a),
  erf: (a) => 1.1283791670955126 * Math.exp(-a * a),
  sin: () => 1,
  cos: () => 1,
};
const COMPARISONS = new Set(['lt', 'gt', 'le', 'ge', 'eq', 'neq']);

/**
 * The error bound of one op's result (element-wise): `v` are the reference operand values, `e` their bounds, `r`
 * the reference result. Infinity when the op is unknown here (nothing is then checked downstream).
 */
function opError(op: string, v: readonly number[], e: readonly number[], r: number, dtype: Floaty): number {
  const [a = 0, b = 0] = v;
  const [ea = 0, eb = 0] = e;
  const off = e.some((x) => x > 0) ? ulp(r, dtype) : 0;
  const f = TRANSCENDENTAL[op];
  if (f) return f(a, r) * ea + TRANSCENDENTAL_ULPS[dtype] * ulp(r, dtype);
  if (COMPARISONS.has(op)) return ea + eb > 0 && Math.abs(a - b) <= ea + eb ? 1 : 0;
  switch (op) {
    case 'add':
    case 'sub':
      return ea + eb + off;
    case 'mul':
      return Math.abs(b) * ea + Math.abs(a) * eb + off;
    case 'true_div':
      return (ea + Math.abs(r) * eb) / Math.abs(b) + off;
    case 'neg':
    case 'abs':
      return ea;
    case 'sqr':
      return 2 * Math.abs(a) * ea + off;
    case 'sqrt':
      return (r > 0 ? ea / (2 * r) : Math.sqrt(ea)) + off;
    case 'maximum':
    case 'minimum':
    case 'clip':
      return Math.max(...e);
    case 'switch': {
      const [c = 0, x = 0, y = 0] = v;
      const [, ex = 0, ey = 0] = e;
      return e[0]! > 0 ? Math.abs(x - y) + Math.max(ex, ey) : c ? ex : ey;
    }
    case 'cast':
      return ea + off;
    default:
      return Infinity;
  }
}

/** The value of `a` at flat element `i` of the loop (a statically scalar operand has one element). */
const at = (a: NDArray, i: number) => Number(a.size === 1 ? a.item(0) : a.item(i));

/** Whether `got` equals `want` exactly (any NaN equals any NaN; -0 differs from 0). */
const exact = (got: number, want: number) => Object.is(got, want) || (Number.isNaN(got) && Number.isNaN(want));

/** A kernel step as the check sees it. */
export interface CheckedStep {
  readonly nodes: readonly Apply[];
  readonly inputs: readonly Variable[];
  readonly outputs: readonly Variable[];
  readonly ir: KernelIR;
}

/**
 * The reference values of every value of a kernel step for the operands `inputs`, computed before the kernel
 * runs (it may write its result over an input); undefined when the reference raises (the kernel then declines
 * and the reference evaluator raises the error).
 */
export function referenceValues(step: CheckedStep, inputs: readonly NDArray[]): Map<Variable, NDArray> | undefined {
  const known = new Map<Variable, NDArray>();
  step.inputs.forEach((v, k) => known.set(v, inputs[k]!));
  try {
    evaluateNodes(step.nodes, known);
  } catch {
    return undefined;
  }
  return known;
}

/**
 * Checks one call of a kernel step: `known` the reference values (`referenceValues`), `results` what the kernel
 * returned, `ranWasm` whether a wasm loop computed them. Throws naming the kernel's ops, the element and the
 * bound when they differ.
 */
export function checkKernelCall(
  step: CheckedStep,
  known: ReadonlyMap<Variable, NDArray>,
  results: readonly NDArray[],
  ranWasm: boolean,
): void {
  const bounds = ranWasm ? errorBounds(step, known) : undefined;
  step.outputs.forEach((o, k) => {
    const want = known.get(o)!;
    const got = results[k]!;
    for (let i = 0; i < want.size; i++) {
      const w = Number(want.item(i));
      const g = Number(got.item(i));
      if (exact(g, w)) continue;
      const bound = bounds ? bounds[k]!(i) : 0;
      if (Math.abs(g - w) <= bound || bound === Infinity) continue;
      const ops = step.ir.ops.map((op) => op.op).join(', ');
      throw new Error(
        `DEBUG mode: the ${ranWasm ? 'wasm' : 'JavaScript'} kernel (${ops}${step.ir.reduce ? `, ${step.ir.reduce.kind}` : ''}) ` +
          `differs from the reference evaluator at output ${k} element ${i}: ${g} vs ${w}` +
          (ranWasm ? ` (allowed: ${bound.toExponential(3)})` : ' (a JavaScript kernel must agree exactly)'),
      );
    }
  });
}

/** Per output, the allowed |wasm - reference| at element i (Infinity: not checkable by this analysis). */
function errorBounds(
  step: { readonly nodes: readonly Apply[]; readonly inputs: readonly Variable[]; readonly ir: KernelIR },
  known: ReadonlyMap<Variable, NDArray>,
): ((i: number) => number)[] {
  const { ir } = step;
  const nIn = ir.inputs.length;
  // reference values of every ref: the inputs, then each op's result (op j is node j of the step)
  const values: NDArray[] = [
    ...step.inputs.map((v) => known.get(v)!),
    ...ir.ops.map((_, j) => known.get(step.nodes[j]!.outputs[0]!)!),
  ];
  const elementErrors = (i: number): number[] => {
    const e = new Array<number>(values.length).fill(0);
    ir.ops.forEach((op, j) => {
      const dtype = (op.dtype === 'float32' ? 'float32' : 'float64') as Floaty;
      const r = at(values[nIn + j]!, i);
      e[nIn + j] = opError(
        op.op,
        op.args.map((a) => at(values[a]!, i)),
        op.args.map((a) => e[a]!),
        r,
        dtype,
      );
    });
    return e;
  };
  if (!ir.reduce) return ir.outputs.map((o) => (i: number) => SLACK * elementErrors(i)[o.ref]!);
  const { kind, value, dtype } = ir.reduce;
  const n = values[value]!.size === 1 ? 1 : values[0]!.size;
  const allAxes = ir.reduce.axes.length === ir.rank;
  if (kind !== 'sum' || !allAxes) return [() => Infinity];
  // a sum over every axis: the terms' errors, and two float64 summation orders
  let terms = 0;
  let magnitude = 0;
  const size = Math.max(...values.map((a) => a.size));
  for (let i = 0; i < size; i++) {
    terms += elementErrors(i)[value]!;
    magnitude += Math.abs(at(values[value]!, i));
  }
  return [
    () => {
      const r = magnitude; // the rounding of a float32 result: at most one ulp of the largest possible sum
      return SLACK * (terms + 2 * n * U64 * magnitude) + (dtype === 'float32' ? ulp(r, 'float32') : 0);
    },
  ];
}
