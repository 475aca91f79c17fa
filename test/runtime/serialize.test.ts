import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import { NDArray } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'theano-ts-save-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A safetensors file written by hand from the format's description: one F32 vector [1, 2] named "w". */
function handWritten(): Uint8Array {
  const header = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
  const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
  const out = new Uint8Array(8 + padded.length + 8);
  const view = new DataView(out.buffer);
  view.setUint32(0, padded.length, true); // u64 little-endian: the high word stays 0
  out.set(new TextEncoder().encode(padded), 8);
  view.setFloat32(8 + padded.length, 1, true);
  view.setFloat32(8 + padded.length + 4, 2, true);
  return out;
}

describe('safetensors bytes', () => {
  test('a file written by hand from the format description loads', () => {
    const { w } = theano.loadBytes(handWritten());
    expect(w!.dtype).toBe('float32');
    expect(w!.toArray()).toEqual([1, 2]);
  });

  test('what saveBytes writes has the layout of the format: length, padded JSON header, raw little-endian data', () => {
    const bytes = theano.saveBytes(
      { a: theano.array([[1, 2, 3]], { dtype: 'int16' }), b: theano.array([0.5]) },
      { epoch: '3' },
    );
    const length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(length % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
    expect(header).toEqual({
      __metadata__: { epoch: '3' },
      a: { dtype: 'I16', shape: [1, 3], data_offsets: [0, 6] },
      b: { dtype: 'F64', shape: [1], data_offsets: [6, 14] },
    });
    const data = new DataView(bytes.buffer, 8 + length);
    expect([data.getInt16(0, true), data.getInt16(2, true), data.getInt16(4, true), data.getFloat64(6, true)]).toEqual([
      1, 2, 3, 0.5,
    ]);
    expect(bytes.length).toBe(8 + length + 14);
    expect(theano.metadataOf(bytes)).toEqual({ epoch: '3' });
  });

  test('every dtype round-trips, and views are saved in C order', () => {
    const arrays: Record<string, NDArray> = {};
    for (const dtype of theano.DTYPES)
      arrays[dtype] = theano.array(
        [
          [1, 0],
          [1, 1],
        ],
        { dtype },
      );
    arrays['transposed'] = new NDArray('float64', [3, 2], new Float64Array([1, 2, 3, 4, 5, 6]), [1, 3]); // [[1, 4], [2, 5], [3, 6]]
    arrays['empty'] = NDArray.zeros('float32', [0, 4]);
    arrays['scalar'] = theano.array(-7, { dtype: 'int64' });
    const back = theano.loadBytes(theano.saveBytes(arrays));
    for (const [name, a] of Object.entries(arrays)) {
      expect(back[name]!.dtype, name).toBe(a.dtype);
      expect(back[name]!.shape, name).toEqual(a.shape);
      expect(back[name]!.toArray(), name).toEqual(a.toArray());
    }
    expect(back['transposed']!.toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(back['int64']!.toArray()).toEqual([
      [1n, 0n],
      [1n, 1n],
    ]);
    expect(back['bool']!.toArray()).toEqual([
      [true, false],
      [true, true],
    ]);
  });
});

describe('save and load shared variables', () => {
  test('a model saved to a file loads into fresh variables by name, and the function computes the same', async () => {
    const W = theano.shared(
      [
        [1, 2],
        [3, 4],
      ],
      { name: 'W' },
    );
    const b = theano.shared([0.5, -0.5], { name: 'b' });
    const path = join(dir, 'model.safetensors');
    await theano.save([W, b], path);
    expect(readFileSync(path).length).toBeGreaterThan(8 + 6 * 8);

    const W2 = theano.shared(
      [
        [0, 0],
        [0, 0],
      ],
      { name: 'W' },
    );
    const b2 = theano.shared([0, 0], { name: 'b' });
    const loaded = await theano.load(path, [W2, b2]);
    expect(Object.keys(loaded).sort()).toEqual(['W', 'b']);
    const x = theano.tensor.dvector('x');
    const f = theano.function([x], theano.tensor.dot(x, W2).add(b2));
    expect(f([1, 1]).toArray()).toEqual([4.5, 5.5]);
  });

  test('loading is all or nothing: a wrong shape, dtype or missing name leaves every variable as it was', () => {
    const bytes = theano.saveBytes({ W: theano.array([[1, 2]]), b: theano.array([1, 2, 3], { dtype: 'float32' }) });
    const W = theano.shared([[9, 9]], { name: 'W' });
    const b = theano.shared([9, 9, 9], { name: 'b' });
    expect(() => theano.loadBytes(bytes, [W, b])).toThrow(
      "loadBytes: 'b' is a float32 array of shape (3,) in the file, but the shared variable is float64 vector",
    );
    expect(W.getValue().toArray()).toEqual([[9, 9]]);
    const c = theano.shared(0, { name: 'c' });
    expect(() => theano.loadBytes(bytes, [W, c])).toThrow("loadBytes: no array named 'c' in the file (it has W, b)");
    expect(W.getValue().toArray()).toEqual([[9, 9]]);
  });

  test('bad input says what is wrong', () => {
    const unnamed = theano.shared(1);
    expect(() => theano.saveBytes([unnamed])).toThrow(
      'saveBytes: shared variable 0 has no name; name it (theano.shared(value, { name })) or pass a { name: variable } object',
    );
    const a = theano.shared(1, { name: 'a' });
    expect(() => theano.saveBytes([a, theano.shared(2, { name: 'a' })])).toThrow("two shared variables are named 'a'");
    expect(() => theano.loadBytes(new Uint8Array(3))).toThrow('3 bytes is too short for a safetensors file');
    const bad = handWritten();
    bad[0] = 200; // a header longer than the file
    expect(() => theano.loadBytes(bad)).toThrow('not a safetensors file, or a truncated one');
    const text = new TextDecoder().decode(handWritten()).replace('F32', 'F16');
    expect(() => theano.loadBytes(new TextEncoder().encode(text))).toThrow(
      `'w' has dtype "F16", which theano-ts does not have`,
    );
  });
});
