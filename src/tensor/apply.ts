import { checkOptionKeys } from '../types/suggest.js';
import type { OpDef } from '../graph/op.js';
import { anyTestValues, Apply, buildSite, setTestValue, type BuildTrace, type Variable } from '../graph/variable.js';
import { leafValue } from '../graph/evaluate.js';
import { PRINT } from '../ops/print.js';
import { toNDArray, type ArrayLikeInput } from '../runtime/convert.js';
import { NDArray, shapeToString } from '../runtime/ndarray.js';
import {
  INT_RANGE,
  isFloat,
  upcastAll,
  upgradeToFloat,
  WEAK_FLOAT,
  WEAK_INT,
  type DType,
  type IntegralDType,
} from '../types/dtype.js';
import { TensorType } from '../types/tensor-type.js';
import type { Operand } from './operand.js';
import type { DTypeOfValue, RankOfValue } from '../runtime/values.js';
import type { Rank } from '../types/rank.js';
import { Tensor } from './tensor.js';

/**
 * A symbolic constant.
 * @example T.constant([[1, 2], [3, 4]])
 */
export function constant<const V extends ArrayLikeInput, D extends DType = DTypeOfValue<V> & DType>(
  value: V,
  options: { dtype?: D; name?: string } = {},
): Tensor<NoInfer<D>, RankOfValue<V> & Rank> {
  checkOptionKeys('constant', options, ['dtype', 'name']);
  const data = toNDArray(value, {
    dtype: options.dtype,
    what: `constant${options.name ? ` '${options.name}'` : ''}`,
    downcastHint: 'a constant takes only values that convert without loss: convert it first, or choose another dtype',
  });
  return makeConstant(data, options.name) as never;
}

export function makeConstant(data: NDArray, name?: string): Tensor {
  return new Tensor(new TensorType(data.dtype, data.shape), null, 0, name, { data });
}

function describe(v: Variable): string {
  return v.name ? `'${v.name}' (${v.type})` : `${v.type}`;
}

/** Set while a rewrite builds its replacement: the trace its new nodes share (see `withBuildTrace`). */
let inheritedTrace: { readonly trace: BuildTrace } | undefined;

/**
 * Runs `build` with every node it applies given `trace` instead of a freshly captured stack: a rewrite's
 * replacement keeps pointing at the user's line that built the node it replaces (as Theano's copy_stack_trace),
 * and compilation does not pay for capturing a stack per new node.
 */
export function withBuildTrace<T>(trace: BuildTrace, build: () => T): T {
  const outer = inheritedTrace;
  inheritedTrace = { trace };
  try {
    return build();
  } finally {
    inheritedTrace = outer;
  }
}

/**
 * Applies an op to inputs and returns its outputs as tensors. Type errors are raised here, at graph-building
 * time, naming the op, the inputs and the line of user code.
 */
export function applyOp<P>(op: OpDef<P>, params: P, inputs: readonly Variable[]): Tensor[] {
  const trace = inheritedTrace ? inheritedTrace.trace : new Error();
  let types: TensorType[];
  try {
    types = op.inferType(
      inputs.map((v) => v.type),
      params,
    );
  } catch (e) {
    const site = buildSite(trace);
    const msg = e instanceof Error ? e.message : String(e);
    const err = new TypeError(
      `${msg}\n  op: ${op.name}(${inputs.map(describe).join(', ')})${site ? `\n  built at: ${site}` : ''}`,
    );
    throw err;
  }
  const node = new Apply(op, params, inputs, (n) => types.map((t, i) => new Tensor(t, n as Apply, i)), trace);
  if (anyTestValues() && inputs.some((v) => v.testValue)) computeTestValues(node as Apply);
  return node.outputs as Tensor[];
}

/**
 * Test values (Theano's `compute_test_value = 'raise'`): the node is evaluated on its inputs' test values (a
 * shared variable's or a constant's own value) as it is built, so a shape error is raised here, naming the op,
 * the test values' shapes and the user's line. An input with no test value leaves the outputs without one.
 */
function computeTestValues(node: Apply): void {
  const values: NDArray[] = [];
  for (const v of node.inputs) {
    const value = v.testValue ?? leafValue(v);
    if (!value) return;
    values.push(value);
  }
  let results: NDArray[];
  try {
    // a print reports at run time only: its test value is its input's
    results =
      node.op === PRINT
        ? [values[0]!]
        : node.op.evaluate(
            values,
            node.params,
            node.outputs.map((o) => o.type),
          );
    node.outputs.forEach((o, i) => {
      const mismatch = o.type.shapeMismatch(results[i]!.shape);
      if (mismatch)
        throw new Error(
          `output ${i} has shape ${shapeToString(results[i]!.shape)}, but its type is ${o.type}: ${mismatch}`,
        );
    });
  } catch (e) {
    const site = buildSite(node.trace);
    const shapes = node.inputs.map((v, i) => `${describe(v)} ${shapeToString(values[i]!.shape)}`).join(', ');
    throw new TypeError(
      `${e instanceof Error ? e.message : String(e)}\n  op: ${node.op.name}, on test values of shapes: ${shapes}${site ? `\n  built at: ${site}` : ''}`,
    );
  }
  node.outputs.forEach((o, i) => setTestValue(o, results[i]!));
}

/**
 * Turns operands into variables. JS scalars are weak: next to tensors they take the tensors' upcast dtype
 * (integers) or stay float (fractions), as numpy 2 and JAX do; alone, numbers are float64.
 */
export function asVariables(operands: readonly Operand[], opName: string): Variable[] {
  // switch's condition only selects: its dtype does not type the branches (as in the static `DType2<A, B>`)
  const strong = operands
    .filter((x, i): x is Tensor => x instanceof Tensor && !(opName === 'switch' && i === 0))
    .map((t) => t.dtype);
  const partner: DType | undefined = strong.length ? upcastAll(strong) : undefined;
  return operands.map((x, i) => {
    if (x instanceof Tensor) return x;
    if (typeof x === 'number') {
      const dtype: DType =
        partner === undefined ? 'float64' : Number.isInteger(x) ? WEAK_INT[partner] : WEAK_FLOAT[partner];
      if (!isFloat(dtype)) {
        const [lo, hi] = INT_RANGE[dtype as IntegralDType];
        if (x < lo || x > hi) {
          // true division computes in floats: an integer beyond the partner's range is fine there, as in numpy
          // 2 (int8 / 128); it is taken in the float dtype the division gives, so the result's dtype is the same
          if (opName === 'true_div') return makeConstant(toNDArray(x, { dtype: upgradeToFloat(dtype) }));
          throw new RangeError(`${opName}: the constant ${x} (operand ${i}) does not fit ${dtype}`);
        }
      }
      return makeConstant(toNDArray(x, { dtype }));
    }
    if (typeof x === 'boolean') return makeConstant(toNDArray(x, { dtype: partner ?? 'bool' }));
    if (typeof x === 'bigint')
      return makeConstant(
        toNDArray(x, { dtype: partner === undefined ? 'int64' : WEAK_INT[partner], allowDowncast: false }),
      );
    throw new TypeError(`${opName}: operand ${i} is ${x === null ? 'null' : typeof x}, expected a tensor or a number`);
  });
}
