/**
 * The loop IR: a kernel lowers to explicit loops, loads, ops and stores, and the vector width is the lowering's
 * choice (the JS renderer writes scalar loops only; the wasm renderer asks for 16 bytes' worth).
 */
import { describe, expect, test } from 'vitest';
import type { KernelIR } from '../../src/codegen/kernel.js';
import { lowerKernel, type Stmt } from '../../src/codegen/loop-ir.js';
import { renderJs } from '../../src/codegen/render-js.js';

// x0 * x1 + x0 over a rank-2 loop, x1 statically scalar
const IR: KernelIR = {
  rank: 2,
  inputs: [
    { dtype: 'float32', rank: 2, scalar: false },
    { dtype: 'float32', rank: 0, scalar: true },
  ],
  ops: [
    { op: 'mul', args: [0, 1], inDtypes: ['float32', 'float32'], dtype: 'float32' },
    { op: 'add', args: [2, 0], inDtypes: ['float32', 'float32'], dtype: 'float32' },
  ],
  outputs: [{ ref: 3, deps: null }],
  reduce: null,
};

const kinds = (body: readonly Stmt[]) => body.map((s) => s.s);

describe('lowering', () => {
  test('an elementwise kernel: prologue, the scalar read once, then the flat loop or the strided nest', () => {
    const { body } = lowerKernel(IR);
    expect(kinds(body)).toEqual([
      'bindInput',
      'bindInput',
      'declareDims',
      'broadcastDim',
      'broadcastDim',
      'loopSize',
      'load',
      'alloc',
      'ifFlat',
      'returnOutputs',
    ]);
    const branch = body[8] as Extract<Stmt, { s: 'ifFlat' }>;
    expect(branch.inputs).toEqual([0]);
    const flat = branch.then[0] as Extract<Stmt, { s: 'loop' }>;
    expect(flat.width).toBe(1);
    expect(flat.bound).toEqual({ k: 'var', name: 'n' });
    expect(kinds(flat.body)).toEqual(['load', 'op', 'op', 'store']);
    expect(flat.body[0]).toEqual({
      s: 'load',
      input: 0,
      index: { k: 'add', a: { k: 'var', name: 'o0' }, b: { k: 'var', name: 'i' } },
    });
    // the strided path: two nested loops advancing input 0's position by its strides
    const outer = branch.otherwise.find((s) => s.s === 'loop') as Extract<Stmt, { s: 'loop' }>;
    expect(outer.advance).toEqual([{ name: 'p0_0', by: { k: 'var', name: 's0_0' } }]);
    const inner = outer.body.find((s) => s.s === 'loop') as Extract<Stmt, { s: 'loop' }>;
    expect(kinds(inner.body)).toEqual(['load', 'op', 'op', 'store', 'increment']);
  });

  test('the flat loop carries the vector width a renderer asks for; the JS renderer refuses vectors', () => {
    const vector = lowerKernel(IR, { flatWidth: 4 });
    const branch = vector.body.find((s) => s.s === 'ifFlat') as Extract<Stmt, { s: 'ifFlat' }>;
    expect((branch.then[0] as Extract<Stmt, { s: 'loop' }>).width).toBe(4);
    expect(() => renderJs(vector)).toThrow(/scalar loops only/);
    expect(renderJs(lowerKernel(IR)).source).toContain('for (let i = 0; i < n; i++) {');
  });

  test('a full reduction: a register accumulator, stored once', () => {
    const ir: KernelIR = {
      ...IR,
      outputs: [],
      reduce: { kind: 'sum', axes: [0, 1], keepdims: false, dtype: 'float32', value: 3 },
    };
    const body = lowerKernel(ir).body;
    expect(kinds(body).slice(-6)).toEqual(['alloc', 'accumulators', 'letAcc', 'ifFlat', 'storeAcc', 'returnReduced']);
    const source = renderJs(lowerKernel(ir)).source;
    expect(source).toContain('acc += t1;');
    expect(source).toContain('const A = new Float64Array(z);'); // float32 sums accumulate in float64
  });
});
