import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import { ancestors, graphInputs, toposort } from '../../src/graph/traversal.js';

const T = theano.tensor;

function chain(n: number) {
  const x = T.dscalar('x');
  let y: theano.Tensor<'float64', 0> = x;
  for (let i = 0; i < n; i++) y = y.add(1);
  return { x, y };
}

describe('traversal', () => {
  test('toposort puts every node after the nodes computing its inputs', () => {
    const [a, b] = T.dvectors('a', 'b');
    const c = a.mul(b);
    const d = c.add(c.exp()).sub(a);
    const order = toposort([d]);
    const pos = new Map(order.map((n, i) => [n, i]));
    for (const node of order)
      for (const i of node.inputs) if (i.owner) expect(pos.get(i.owner)!).toBeLessThan(pos.get(node)!);
    expect(order.length).toBe(4);
    expect(graphInputs([d]).map((v) => v.name)).toEqual(['a', 'b']);
    expect(ancestors([d]).length).toBe(6);
  });

  test('a chain of 100,000 ops sorts, compiles, runs and prints without a stack overflow', () => {
    const { x, y } = chain(100_000);
    expect(toposort([y]).length).toBe(100_000);
    const f = theano.function([x], y);
    expect(f(0)).toBe(100_000);
    // Deep trees continue below their output (debugprint's maxNesting), so the text is linear in the chain: one
    // line per add and per constant, plus one line per continued tree, each line of bounded width.
    const lines = theano.debugprint(y).split('\n');
    expect(lines.length).toBeGreaterThan(100_000 * 2);
    expect(lines.length).toBeLessThan(100_000 * 2 + 100_000 / 20);
    expect(lines.every((l) => l.length < 200)).toBe(true);
    const short = chain(5_000);
    expect(theano.pp(short.y)).toBe(['x', ...new Array<string>(5_000).fill('1')].join(' + '));
  });
});

describe('FunctionGraph', () => {
  test('copies nodes and keeps leaves; the user graph is untouched', () => {
    const x = T.dvector('x');
    const y = x.exp().mul(2);
    const fg = new theano.FunctionGraph([x], [y]);
    expect(fg.outputs[0]).not.toBe(y);
    expect(fg.outputs[0]!.owner!.op).toBe(y.owner!.op);
    expect(fg.toposort().length).toBe(2);
    expect(fg.clients(x).length).toBe(1);
    const two = y.owner!.inputs[1]!;
    fg.replace(fg.outputs[0]!.owner!.inputs[0]!, x); // exp(x) -> x in the copy
    expect(fg.toposort().length).toBe(1);
    expect(y.owner!.inputs[0]!.owner!.op.name).toBe('exp');
    expect(y.owner!.inputs[1]).toBe(two);
  });
});
