/**
 * `exportFunction(f)`: the optimized graph of a compiled function as an ONNX model, for ONNX Runtime (Node, the
 * web, a server, a GPU) and the other tools that read ONNX.
 */
import type { CompiledFunction } from '../compile/function.js';
import { outputLayout } from '../compile/io.js';
import { toposort } from '../graph/traversal.js';
import type { Apply, Variable } from '../graph/variable.js';
import { isElemwise } from '../ops/elemwise.js';
import type { OpName } from '../ops/registry.js';
import { describeValue } from '../runtime/convert.js';
import type { Tensor } from '../tensor/tensor.js';
import { nodeText, OnnxExportError, OnnxGraphContext, tensorMessage } from './context.js';
import { exportElementwise } from './elementwise.js';
import { OP_EXPORTS } from './ops.js';
import { DATA_TYPE, encodeModel, type ValueInfoMessage } from './proto.js';

/** The opsets the exporter writes and is tested against (ONNX Runtime 1.31 runs all of them). */
export const MIN_OPSET = 15;
export const MAX_OPSET = 21;
export const DEFAULT_OPSET = 18;

export interface ExportOptions {
  /** The ONNX operator set version (default 18; 15 to 21). */
  opset?: number;
  /** The graph's name in the model (default: the function's name). */
  graphName?: string;
  /** A description stored in the model. */
  docString?: string;
}

/** What the exporter reads of a compiled function (any `theano.function` result). */
export type ExportableFunction = Pick<
  CompiledFunction<readonly Tensor[], unknown>,
  'graph' | 'inputs' | 'outputs' | 'name'
> &
  Partial<Pick<CompiledFunction<readonly Tensor[], unknown>, 'defaults'>>;

/** The IR version that goes with an opset (the ONNX release that introduced the opset). */
const irVersionFor = (opset: number) => (opset <= 18 ? 8 : opset <= 20 ? 9 : 10);

function checkOpset(opset: unknown): number {
  if (typeof opset !== 'number' || !Number.isInteger(opset) || opset < MIN_OPSET || opset > MAX_OPSET)
    throw new RangeError(
      `onnx.exportFunction: opset must be an integer from ${MIN_OPSET} to ${MAX_OPSET}, got ${describeValue(opset)}`,
    );
  return opset;
}

/** A graph variable's ONNX type: its dtype, and each length known statically or named `${name}_${axis}`. */
function valueInfo(name: string, v: Variable): ValueInfoMessage {
  return {
    name,
    elemType: DATA_TYPE[v.type.dtype],
    shape: v.type.shape.map((d, axis) => d ?? `${name}_dim${axis}`),
  };
}

/** Writes one node through the elementwise table or the op table; binds its outputs' names. */
function exportNode(node: Apply, g: OnnxGraphContext): void {
  g.current = node;
  let names: string[];
  if (isElemwise(node.op)) names = [exportElementwise(node, g)];
  else {
    const write = OP_EXPORTS[node.op.name as OpName] as ((n: Apply, c: OnnxGraphContext) => string[]) | undefined;
    if (!write)
      throw new OnnxExportError(
        `onnx export: op '${node.op.name}' has no ONNX counterpart in theano-ts's exporter (node ${nodeText(node)}); docs/onnx.md lists the ops that export`,
      );
    names = write(node, g);
  }
  node.outputs.forEach((v, i) => g.bind(v, names[i]!));
  g.current = undefined;
}

/** The user's name for an input, output or shared variable, or a stand-in. */
const userName = (v: Variable, fallback: string) => (v.name && v.name.length > 0 ? v.name : fallback);

/**
 * The ONNX model (protobuf bytes) of compiled function `f`: its optimized graph (`f.graph`, after the rewrites and
 * before fusion into loops, so a fused kernel exports as its elementwise ops), inputs and outputs named as the
 * variables are (made unique: `x`, `x_1`), shared variables as initializers holding their current values.
 * Updates are not exported: an ONNX model computes the outputs only (ONNX Runtime serves inference). Ops with
 * no ONNX counterpart (scan, random draws, linear-algebra decompositions, ...) throw an `OnnxExportError`
 * naming the op and the node.
 *
 * @example
 * const x = T.fmatrix('x');
 * const W = theano.shared(theano.zeros([3, 2], { dtype: 'float32' }), { name: 'W' });
 * const predict = theano.function([x], T.softmax(T.dot(x, W)));
 * const bytes = theano.onnx.exportFunction(predict); // a Uint8Array: write it to model.onnx
 */
export function exportFunction(f: ExportableFunction, options: ExportOptions = {}): Uint8Array {
  const candidate: unknown = f;
  if (typeof candidate !== 'function' || !('graph' in candidate))
    throw new TypeError(`onnx.exportFunction: expected a compiled function (theano.function), got ${describeValue(f)}`);
  const opset = checkOpset(options.opset ?? DEFAULT_OPSET);
  const g = new OnnxGraphContext(opset);
  if (f.outputs === undefined || f.outputs === null)
    throw new TypeError(
      'onnx.exportFunction: the function has no outputs (it runs for its updates, which a model does not hold): nothing to export',
    );
  const { list: userOutputs, keys } = outputLayout(f.outputs, 'onnx.exportFunction');
  const outputs = f.graph.outputs.slice(0, userOutputs.length); // the update values follow: not exported

  const inputs = f.inputs.map((v, i) => {
    const name = g.unique(userName(v, `input_${i}`));
    g.bind(v, name);
    // an input with a default (theano.In) is also an initializer of the same name: ONNX takes it as the default
    // (an overridable initializer; ONNX Runtime's Node binding offers no feed for it)
    const value = f.defaults?.[i];
    if (value !== undefined) g.initializers.push(tensorMessage(name, value));
    return valueInfo(name, v);
  });
  const outputNames = userOutputs.map((v, i) => g.unique(keys?.[i] ?? userName(v, `output_${i}`)));

  const inputSet = new Set<Variable>(f.inputs);
  const nodes = toposort(outputs, inputSet);
  for (const node of nodes) for (const v of node.inputs) bindLeaf(v, g);
  for (const v of outputs) bindLeaf(v, g);
  for (const node of nodes) exportNode(node, g);

  // every output through an Identity, so an output may be an input, a constant, or the same value twice
  outputs.forEach((v, i) =>
    g.nodes.push({
      opType: 'Identity',
      name: g.unique(`output_${i}`),
      inputs: [g.nameOf(v)],
      outputs: [outputNames[i]!],
      attributes: {},
    }),
  );
  return encodeModel({
    irVersion: irVersionFor(opset),
    opsetVersion: opset,
    producerName: 'theano-ts',
    producerVersion: '0.1.0',
    graph: {
      name: options.graphName ?? f.name,
      nodes: g.nodes,
      initializers: g.initializers,
      inputs,
      outputs: outputs.map((v, i) => valueInfo(outputNames[i]!, v)),
      docString: options.docString,
    },
  });
}

/** A leaf the graph reads: a shared variable becomes an initializer under its name, a constant one too. */
function bindLeaf(v: Variable, g: OnnxGraphContext): void {
  if (v.owner || g.isBound(v)) return;
  if (v.isShared) g.bind(v, g.initializer(userName(v, 'shared'), v.storage!.value));
  else if (v.isConstant) g.bind(v, g.initializer('const', v.data!));
}
