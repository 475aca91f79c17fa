/**
 * The part of the ONNX protobuf schema (`onnx/onnx.proto`) an exported model uses: ModelProto, GraphProto,
 * NodeProto, AttributeProto, TensorProto, ValueInfoProto and the type messages, with their field numbers.
 *
 * The wire format (varints, fixed-width floats, UTF-8 strings, length-delimited nested messages) is written by
 * protobufjs's `Writer` (`protobufjs/minimal`, the runtime its static code generator targets). The schema is
 * spelled out here rather than loaded by protobufjs's reflection, which compiles encoders with `new Function`
 * (refused under a strict Content Security Policy) and would carry the whole ONNX schema for these few messages.
 */
import protobuf from 'protobufjs/minimal.js';

const { Writer } = protobuf;
type Writer = protobuf.Writer;

/** `TensorProto.DataType`. */
export const DATA_TYPE = {
  float32: 1,
  uint8: 2,
  int8: 3,
  uint16: 4,
  int16: 5,
  int32: 6,
  int64: 7,
  bool: 9,
  float64: 11,
  uint32: 12,
} as const;

/** `AttributeProto.AttributeType`. */
const ATTRIBUTE_TYPE = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 } as const;

export interface TensorMessage {
  readonly name: string;
  readonly dataType: number;
  readonly dims: readonly number[];
  /** The elements, little-endian, row-major (`raw_data`). */
  readonly rawData: Uint8Array;
}

/** An attribute value: a number is an int unless written `{ float }`; a list of numbers is `ints`. */
export type AttributeValue =
  | number
  | { readonly float: number }
  | string
  | readonly number[]
  | { readonly floats: readonly number[] }
  | { readonly tensor: TensorMessage };

export interface NodeMessage {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/** A dimension: its length, a symbolic name, or unknown (null). */
export type DimMessage = number | string | null;

export interface ValueInfoMessage {
  readonly name: string;
  readonly elemType: number;
  readonly shape: readonly DimMessage[];
}

export interface GraphMessage {
  readonly name: string;
  readonly nodes: readonly NodeMessage[];
  readonly initializers: readonly TensorMessage[];
  readonly inputs: readonly ValueInfoMessage[];
  readonly outputs: readonly ValueInfoMessage[];
  readonly docString?: string;
}

export interface ModelMessage {
  readonly irVersion: number;
  readonly opsetVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly graph: GraphMessage;
  readonly docString?: string;
}

// wire types
const VARINT = 0;
const FIXED32 = 5;
const BYTES = 2;
const tag = (field: number, wireType: number) => (field << 3) | wireType;

/** Writes a nested message as a length-delimited field. */
function nested(w: Writer, field: number, write: (w: Writer) => void): void {
  write(w.uint32(tag(field, BYTES)).fork());
  w.ldelim();
}

function string(w: Writer, field: number, value: string | undefined): void {
  if (value) w.uint32(tag(field, BYTES)).string(value);
}

function int64(w: Writer, field: number, value: number): void {
  w.uint32(tag(field, VARINT)).int64(value);
}

/** A packed repeated int64 field. */
function packedInt64(w: Writer, field: number, values: readonly number[]): void {
  if (values.length === 0) return;
  w.uint32(tag(field, BYTES)).fork();
  for (const v of values) w.int64(v);
  w.ldelim();
}

function writeTensor(w: Writer, t: TensorMessage): void {
  packedInt64(w, 1, t.dims); // dims
  w.uint32(tag(2, VARINT)).int32(t.dataType); // data_type
  string(w, 8, t.name); // name
  w.uint32(tag(9, BYTES)).bytes(t.rawData); // raw_data
}

const isIntList = (v: AttributeValue): v is readonly number[] => Array.isArray(v);

function writeAttribute(w: Writer, name: string, value: AttributeValue): void {
  string(w, 1, name); // name
  let type: number;
  if (typeof value === 'number') {
    int64(w, 3, value); // i
    type = ATTRIBUTE_TYPE.int;
  } else if (typeof value === 'string') {
    w.uint32(tag(4, BYTES)).string(value); // s (bytes: the UTF-8 of the text)
    type = ATTRIBUTE_TYPE.string;
  } else if (isIntList(value)) {
    packedInt64(w, 8, value); // ints
    type = ATTRIBUTE_TYPE.ints;
  } else if ('float' in value) {
    w.uint32(tag(2, FIXED32)).float(value.float); // f
    type = ATTRIBUTE_TYPE.float;
  } else if ('floats' in value) {
    w.uint32(tag(7, BYTES)).fork(); // floats, packed
    for (const f of value.floats) w.float(f);
    w.ldelim();
    type = ATTRIBUTE_TYPE.floats;
  } else {
    nested(w, 5, (n) => writeTensor(n, value.tensor)); // t
    type = ATTRIBUTE_TYPE.tensor;
  }
  w.uint32(tag(20, VARINT)).int32(type); // type
}

function writeNode(w: Writer, node: NodeMessage): void {
  for (const input of node.inputs) w.uint32(tag(1, BYTES)).string(input); // input (an empty name: an absent optional input)
  for (const output of node.outputs) string(w, 2, output); // output
  string(w, 3, node.name); // name
  string(w, 4, node.opType); // op_type
  for (const [name, value] of Object.entries(node.attributes)) nested(w, 5, (a) => writeAttribute(a, name, value)); // attribute
}

function writeValueInfo(w: Writer, v: ValueInfoMessage): void {
  string(w, 1, v.name); // name
  nested(w, 2, (type) =>
    // TypeProto.tensor_type
    nested(type, 1, (tensor) => {
      tensor.uint32(tag(1, VARINT)).int32(v.elemType); // elem_type
      nested(tensor, 2, (shape) => {
        // TensorShapeProto.dim
        for (const d of v.shape)
          nested(shape, 1, (dim) => {
            if (typeof d === 'number')
              int64(dim, 1, d); // dim_value
            else if (typeof d === 'string') string(dim, 2, d); // dim_param
          });
      });
    }),
  );
}

function writeGraph(w: Writer, g: GraphMessage): void {
  for (const node of g.nodes) nested(w, 1, (n) => writeNode(n, node)); // node
  string(w, 2, g.name); // name
  for (const t of g.initializers) nested(w, 5, (n) => writeTensor(n, t)); // initializer
  string(w, 10, g.docString); // doc_string
  for (const v of g.inputs) nested(w, 11, (n) => writeValueInfo(n, v)); // input
  for (const v of g.outputs) nested(w, 12, (n) => writeValueInfo(n, v)); // output
}

/** The bytes of an ONNX `ModelProto`. */
export function encodeModel(m: ModelMessage): Uint8Array {
  const w = Writer.create();
  int64(w, 1, m.irVersion); // ir_version
  string(w, 2, m.producerName); // producer_name
  string(w, 3, m.producerVersion); // producer_version
  string(w, 6, m.docString); // doc_string
  nested(w, 7, (g) => writeGraph(g, m.graph)); // graph
  nested(w, 8, (o) => int64(o, 2, m.opsetVersion)); // opset_import: the default domain ('ai.onnx'), one version
  return w.finish();
}
