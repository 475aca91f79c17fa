/**
 * Saving and loading arrays and shared variables in the safetensors format (Hugging Face's: an 8-byte
 * little-endian header length, a JSON header naming each array's dtype, shape and byte range, then the raw
 * little-endian C-order bytes). A file written here loads in Python with `safetensors.numpy.load_file`, and a
 * file written there loads here, so a model trained in one runs in the other.
 *
 * `saveBytes` / `loadBytes` work anywhere (browser included); `save` / `load` read and write files with Node's
 * `fs` (imported on first use, so nothing else needs Node).
 */
import { DTYPES, type DType } from '../types/dtype.js';
import { NDArray, shapeSize, shapeToString } from './ndarray.js';
import type { SharedVariable } from '../tensor/shared.js';

/** What to save: shared variables (saved under their names) or arrays and shared variables by name. */
export type SaveParams = readonly SharedVariable[] | Readonly<Record<string, SharedVariable | NDArray>>;

const CODES: Record<DType, string> = {
  bool: 'BOOL',
  int8: 'I8',
  int16: 'I16',
  int32: 'I32',
  int64: 'I64',
  uint8: 'U8',
  uint16: 'U16',
  uint32: 'U32',
  float32: 'F32',
  float64: 'F64',
};
const DTYPE_OF_CODE = new Map<string, DType>(DTYPES.map((d) => [CODES[d], d]));

/** The arrays to save, by name (shared variables' current values), checking names are present and unique. */
function namedArrays(params: SaveParams, who: string): Map<string, NDArray> {
  const out = new Map<string, NDArray>();
  if (Array.isArray(params)) {
    (params as readonly SharedVariable[]).forEach((v, i) => {
      if (!isShared(v))
        throw new TypeError(
          `${who}: element ${i} is not a shared variable; pass shared variables or a { name: value } object`,
        );
      if (!v.name)
        throw new TypeError(
          `${who}: shared variable ${i} has no name; name it (theano.shared(value, { name })) or pass a { name: variable } object`,
        );
      if (out.has(v.name))
        throw new TypeError(`${who}: two shared variables are named '${v.name}'; names must be unique in one file`);
      out.set(v.name, v.getArray());
    });
    return out;
  }
  if (params === null || typeof params !== 'object')
    throw new TypeError(
      `${who}: expected a list of shared variables or a { name: value } object, got ${String(params)}`,
    );
  for (const [name, value] of Object.entries(params)) {
    if (name === '__metadata__') throw new TypeError(`${who}: '__metadata__' is reserved by the safetensors format`);
    if (value instanceof NDArray) out.set(name, value);
    else if (isShared(value)) out.set(name, value.getArray());
    else throw new TypeError(`${who}: '${name}' is neither a shared variable nor an NDArray`);
  }
  return out;
}

const isShared = (v: unknown): v is SharedVariable =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as SharedVariable).getArray === 'function' &&
  typeof (v as SharedVariable).setValue === 'function';

/** The little-endian bytes of `a`'s elements in C order (this machine is little-endian, as every JS engine's host). */
function bytesOf(a: NDArray): Uint8Array {
  const c = a.contiguous();
  const data = c.data as unknown as ArrayBufferView & { BYTES_PER_ELEMENT: number };
  return new Uint8Array(
    data.buffer,
    data.byteOffset + c.offset * data.BYTES_PER_ELEMENT,
    c.size * data.BYTES_PER_ELEMENT,
  );
}

/** The safetensors bytes of `params` (and optional string metadata). */
export function saveBytes(params: SaveParams, metadata?: Readonly<Record<string, string>>): Uint8Array {
  const arrays = namedArrays(params, 'saveBytes');
  const header: Record<string, unknown> = {};
  if (metadata) header['__metadata__'] = { ...metadata };
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, a] of arrays) {
    const bytes = bytesOf(a);
    header[name] = { dtype: CODES[a.dtype], shape: [...a.shape], data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8; // the format pads the header with spaces to 8-byte alignment
  if (padded !== json.length)
    json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

/** Reads the header of safetensors `bytes`: the entries and where the data starts. */
function readHeader(
  bytes: Uint8Array,
  who: string,
): { entries: [string, HeaderEntry][]; metadata: Record<string, string>; start: number } {
  if (!(bytes instanceof Uint8Array))
    throw new TypeError(`${who}: expected the bytes of a safetensors file (a Uint8Array)`);
  if (bytes.length < 8)
    throw new RangeError(
      `${who}: ${bytes.length} bytes is too short for a safetensors file (it starts with an 8-byte header length)`,
    );
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (length > bytes.length - 8)
    throw new RangeError(
      `${who}: the header claims ${length} bytes but only ${bytes.length - 8} follow; not a safetensors file, or a truncated one`,
    );
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  } catch {
    throw new TypeError(`${who}: the header is not JSON; not a safetensors file`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    throw new TypeError(`${who}: the header is not a JSON object; not a safetensors file`);
  const { __metadata__: metadata, ...arrays } = header as Record<string, HeaderEntry> & {
    __metadata__?: Record<string, string>;
  };
  return { entries: Object.entries(arrays), metadata: metadata ?? {}, start: 8 + length };
}

/** The array of one header entry, copied out of `bytes` (so it does not keep the file's buffer alive). */
function arrayOf(name: string, e: HeaderEntry, bytes: Uint8Array, start: number, who: string): NDArray {
  const dtype = DTYPE_OF_CODE.get(e?.dtype);
  if (!dtype)
    throw new TypeError(
      `${who}: '${name}' has dtype ${JSON.stringify(e?.dtype)}, which theano-ts does not have (it reads ${[...DTYPE_OF_CODE.keys()].join(', ')})`,
    );
  if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0))
    throw new TypeError(`${who}: '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
  const out = NDArray.zeros(dtype, e.shape);
  const target = out.data as unknown as ArrayBufferView & { BYTES_PER_ELEMENT: number };
  const want = shapeSize(e.shape) * target.BYTES_PER_ELEMENT;
  const [from, to] = e.data_offsets ?? [];
  if (!Number.isInteger(from) || !Number.isInteger(to) || to! - from! !== want || start + to! > bytes.length) {
    throw new RangeError(
      `${who}: '${name}' (${e.dtype} ${shapeToString(e.shape)}, ${want} bytes) has byte range ${JSON.stringify(e.data_offsets)}, which does not fit the file`,
    );
  }
  new Uint8Array(target.buffer, target.byteOffset, want).set(bytes.subarray(start + from!, start + to!));
  return out;
}

/** The arrays of safetensors `bytes` by name; with `params`, those shared variables are set from them. */
function readArrays(bytes: Uint8Array, params: SaveParams | undefined, who: string): Record<string, NDArray> {
  const { entries, start } = readHeader(bytes, who);
  const out: Record<string, NDArray> = {};
  for (const [name, e] of entries) out[name] = arrayOf(name, e, bytes, start, who);
  if (params) assignShared(params, out, who);
  return out;
}

/** The arrays in safetensors `bytes`, by name; with `params`, also sets those shared variables (as `load`). */
export const loadBytes = (bytes: Uint8Array, params?: SaveParams): Record<string, NDArray> =>
  readArrays(bytes, params, 'loadBytes');

/** The metadata strings of safetensors `bytes` (`{}` when there are none). */
export function metadataOf(bytes: Uint8Array): Record<string, string> {
  return { ...readHeader(bytes, 'metadataOf').metadata };
}

/**
 * Sets each shared variable of `params` to the array of the same name in `arrays`. All or nothing: every name
 * must be present with the variable's dtype and rank, and nothing is set until all are checked.
 */
function assignShared(params: SaveParams, arrays: Readonly<Record<string, NDArray>>, who: string): void {
  const targets: [string, SharedVariable][] = Array.isArray(params)
    ? (params as readonly SharedVariable[]).map((v, i) => {
        if (!isShared(v) || !v.name) throw new TypeError(`${who}: shared variable ${i} has no name to load by`);
        return [v.name, v];
      })
    : Object.entries(params).filter((e): e is [string, SharedVariable] => isShared(e[1]));
  for (const [name, v] of targets) {
    const a = arrays[name];
    if (!a)
      throw new TypeError(
        `${who}: no array named '${name}' in the file (it has ${Object.keys(arrays).join(', ') || 'none'})`,
      );
    if (a.dtype !== v.dtype || a.ndim !== v.ndim) {
      throw new TypeError(
        `${who}: '${name}' is a ${a.dtype} array of shape ${shapeToString(a.shape)} in the file, but the shared variable is ${v.type}`,
      );
    }
    const mismatch = v.type.shapeMismatch(a.shape);
    if (mismatch) throw new TypeError(`${who}: '${name}' has shape ${shapeToString(a.shape)} in the file: ${mismatch}`);
  }
  for (const [name, v] of targets) v.setValue(arrays[name] as never);
}

type Fs = typeof import('node:fs/promises');
let fsModule: Promise<Fs> | undefined;
/**
 * Node's file system, loaded on first use. The specifier is a variable so that bundlers targeting the browser
 * (esbuild, webpack, Vite) leave this import alone instead of failing to resolve a Node built-in: the rest of
 * the package runs unchanged in a browser, where `save`/`load` are not available (`saveBytes`/`loadBytes` are).
 */
const FS_MODULE = 'node:fs/promises';
const fs = (): Promise<Fs> =>
  (fsModule ??= import(/* webpackIgnore: true */ /* @vite-ignore */ FS_MODULE) as Promise<Fs>);

/**
 * Writes `params` (shared variables by name, or a `{ name: value }` object) to `path` as a safetensors file.
 * `theano.save([W, b], 'model.safetensors')`; Node only (use `saveBytes` elsewhere).
 */
export async function save(
  params: SaveParams,
  path: string,
  metadata?: Readonly<Record<string, string>>,
): Promise<void> {
  const bytes = saveBytes(params, metadata);
  await (await fs()).writeFile(path, bytes);
}

/**
 * Reads the safetensors file at `path`: its arrays by name. With `params`, also sets each of those shared
 * variables to the array of its name (all or nothing). `await theano.load('model.safetensors', [W, b])`.
 */
export async function load(path: string, params?: SaveParams): Promise<Record<string, NDArray>> {
  return readArrays(new Uint8Array(await (await fs()).readFile(path)), params, 'load');
}
