/**
 * The ONNX graph being written: unique tensor and node names, nodes, initializers (constants and shared
 * variables), and the small helpers the op exporters build with (casts, int64 constants, shapes from sizes that
 * are partly symbolic).
 */
import type { DimParam } from '../ops/dims.js';
import type { Apply, Variable } from '../graph/variable.js';
import { NDArray } from '../runtime/ndarray.js';
import type { DType } from '../types/dtype.js';
import { DATA_TYPE, type AttributeValue, type NodeMessage, type TensorMessage } from './proto.js';

/** An export failure: an op (or a use of one) that has no ONNX counterpart here, naming the op and the node. */
export class OnnxExportError extends Error {
  override readonly name = 'OnnxExportError';
}

/** The elements of `a` in row-major order, as little-endian bytes (ONNX `raw_data`; bools one byte each). */
export function rawBytes(a: NDArray): Uint8Array {
  const data = a.contiguous().toTypedArray() as ArrayLike<number | bigint> & ArrayBufferView;
  const copy = new Uint8Array(data.byteLength);
  copy.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  // typed arrays use the platform's byte order; ONNX wants little-endian (every platform Node and browsers run on)
  return copy;
}

export function tensorMessage(name: string, a: NDArray): TensorMessage {
  return { name, dataType: DATA_TYPE[a.dtype], dims: [...a.shape], rawData: rawBytes(a) };
}

export class OnnxGraphContext {
  readonly nodes: NodeMessage[] = [];
  readonly initializers: TensorMessage[] = [];
  private readonly taken = new Set<string>();
  private readonly nodeNames = new Set<string>();
  private readonly names = new Map<Variable, string>();
  /** The node being exported, for error messages. */
  current: Apply | undefined;

  constructor(readonly opset: number) {}

  /** `base`, or `base_1`, `base_2`, ...: the first not yet used. */
  unique(base: string): string {
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  /** Gives graph variable `v` the ONNX tensor name `name`. */
  bind(v: Variable, name: string): void {
    this.names.set(v, name);
  }

  /** The ONNX name of a variable already written (an input, an initializer or an exported node's output). */
  nameOf(v: Variable): string {
    const name = this.names.get(v);
    if (name === undefined) throw new OnnxExportError(`onnx export: internal error: variable ${v.id} has no name yet`);
    return name;
  }

  isBound(v: Variable): boolean {
    return this.names.has(v);
  }

  /** Adds a node; returns the names of its outputs (fresh names from `opType` unless given). */
  op(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, AttributeValue> = {},
    outputs = 1,
  ): string[] {
    const outs = Array.from({ length: outputs }, () => this.unique(opType.toLowerCase()));
    let name = opType;
    for (let k = 1; this.nodeNames.has(name); k++) name = `${opType}_${k}`;
    this.nodeNames.add(name);
    this.nodes.push({ opType, name, inputs, outputs: outs, attributes });
    return outs;
  }

  /** A node with one output. */
  op1(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.op(opType, inputs, attributes)[0]!;
  }

  /** An initializer holding `value`; returns its name. */
  initializer(base: string, value: NDArray): string {
    const name = this.unique(base);
    this.initializers.push(tensorMessage(name, value));
    return name;
  }

  /** A constant int64 vector (axes, shapes, slice bounds). */
  int64s(values: readonly number[]): string {
    return this.initializer('const', new NDArray('int64', [values.length], BigInt64Array.from(values.map(BigInt))));
  }

  /** A constant int64 scalar. */
  int64(value: number): string {
    return this.initializer('const', new NDArray('int64', [], BigInt64Array.of(BigInt(value))));
  }

  /** A constant scalar of `dtype`. */
  scalar(value: number, dtype: DType): string {
    const a = NDArray.zeros(dtype, []);
    a.set(dtype === 'int64' ? (BigInt(value) as never) : value);
    return this.initializer('const', a);
  }

  /** `name` cast from `from` to `to` (itself when they are equal). */
  cast(name: string, from: DType, to: DType): string {
    return from === to ? name : this.op1('Cast', [name], { to: DATA_TYPE[to] });
  }

  /** Input `i` of node `node`, cast to `dtype` when given. */
  input<P>(node: Apply<P>, i: number, dtype?: DType): string {
    const v = node.inputs[i]!;
    return dtype ? this.cast(this.nameOf(v), v.type.dtype, dtype) : this.nameOf(v);
  }

  /** An integer scalar input as an int64 vector of one element (a piece of a shape or of slice bounds). */
  private oneElement(v: Variable): string {
    const asInt64 = this.cast(this.nameOf(v), v.type.dtype, 'int64');
    return this.op1('Reshape', [asInt64, this.int64s([1])]);
  }

  /**
   * An int64 vector from values that are numbers or symbolic integer scalars (each `null` reads the next of
   * `symbols`): a constant when all are known, else a Concat of the pieces.
   */
  int64Vector(values: readonly (number | Variable)[]): string {
    if (values.every((v): v is number => typeof v === 'number')) return this.int64s(values);
    const pieces = values.map((v) => (typeof v === 'number' ? this.int64s([v]) : this.oneElement(v)));
    return this.op1('Concat', pieces, { axis: 0 });
  }

  /** `params` with every null replaced by the next node input from `first` (as `resolveParams` at run time). */
  dimValues<P>(params: readonly DimParam[], node: Apply<P>, first: number): (number | Variable)[] {
    let next = first;
    return params.map((p) => (p === null ? node.inputs[next++]! : p));
  }

  /** The error for an op (or a case of one) that does not export; names the op and the node. */
  unsupported(why: string): OnnxExportError {
    const node = this.current;
    const where = node ? ` (node ${nodeText(node)})` : '';
    return new OnnxExportError(`onnx export: ${why}${where}`);
  }
}

/** `op(inputs) -> outputs` with types, for error messages. */
export function nodeText<P>(node: Apply<P>): string {
  const v = (x: Variable) => `${x.name ?? `v${x.id}`}: ${x.type}`;
  return `${node.op.name}(${node.inputs.map(v).join(', ')}) -> ${node.outputs.map(v).join(', ')}`;
}
