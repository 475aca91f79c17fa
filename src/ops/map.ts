import { evaluateNodes, leafValue } from '../graph/evaluate.js';
import type { OpDef } from '../graph/op.js';
import type { Apply, Variable } from '../graph/variable.js';
import { NDArray } from '../runtime/ndarray.js';
import { TensorType } from '../types/tensor-type.js';

/**
 * An inner graph evaluated once per index: `out[i] = body(i, ...leaves)` for i in [0, n). It is how `jacobian`
 * builds one gradient per element of an expression whose length is known only at run time (Theano uses scan).
 */
export interface MapParams {
  /** The int64 scalar the body reads as its index. */
  readonly index: Variable;
  /** The body's other leaves, in the order of the op's inputs after `n`. */
  readonly leaves: readonly Variable[];
  readonly body: Variable;
  /** The body's nodes, in topological order. */
  readonly nodes: readonly Apply[];
}

export const MAP: OpDef<MapParams> = {
  name: 'map',
  inferShape: (_inputs, p) => [[{ size: 0 }, ...p.body.type.shape.map(() => null)]], // one row per index
  inferType([n, ...leaves], p) {
    if (n!.ndim !== 0 || n!.dtype !== 'int64') throw new TypeError(`map: the count must be an int64 scalar, got ${n}`);
    if (leaves.length !== p.leaves.length) throw new TypeError(`map: expected ${p.leaves.length} leaves, got ${leaves.length}`);
    return [new TensorType(p.body.type.dtype, [null, ...p.body.type.shape])];
  },
  evaluate([n, ...leaves], p, [outType]) {
    const count = Number(n!.item(0));
    const rows: NDArray[] = [];
    for (let i = 0; i < count; i++) {
      const values = new Map<Variable, NDArray>();
      p.leaves.forEach((v, k) => values.set(v, leaves[k]!));
      values.set(p.index, new NDArray('int64', [], BigInt64Array.of(BigInt(i))));
      for (const node of p.nodes) {
        for (const v of node.inputs) {
          const value = leafValue(v);
          if (value && !values.has(v)) values.set(v, value);
        }
      }
      evaluateNodes(p.nodes, values);
      rows.push(values.get(p.body) ?? p.body.data!);
    }
    const rowShape = rows[0]?.shape ?? p.body.type.shape.map((d) => d ?? 0);
    const out = NDArray.zeros(outType!.dtype, [count, ...rowShape]);
    const size = out.size / Math.max(count, 1);
    const dst = out.data as unknown as { [i: number]: number | bigint };
    rows.forEach((row, i) => {
      if (row.shape.some((d, k) => d !== rowShape[k])) throw new RangeError(`map: row ${i} has shape (${row.shape.join(', ')}), row 0 (${rowShape.join(', ')})`);
      const src = row.contiguous().data as ArrayLike<number | bigint>;
      for (let k = 0; k < size; k++) dst[i * size + k] = src[k]!;
    });
    return [out];
  },
  pullback: undefined,
  print: { kind: 'call', args: () => [] },
};
