import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import { toposort } from '../../src/graph/traversal.js';
import type { Variable } from '../../src/graph/variable.js';
import { loadGraphviz, resetGraphviz } from '../../src/printing/svg.js';

const T = theano.tensor;
const { toDot, toSvg } = theano.printing;

interface Dot {
  nodes: Map<string, Record<string, string>>;
  edges: { from: string; to: string; attrs: Record<string, string> }[];
  clusters: string[];
}

/** A DOT string's text as Graphviz reads a label: `\"` and `\\` read back, `\n` a line break. */
const unquote = (s: string) =>
  s.startsWith('"') ? s.slice(1, -1).replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c)) : s;

function attrsOf(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (text ?? '').matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|[^,\]\s]+)/g)) out[m[1]!] = unquote(m[2]!);
  return out;
}

/** A reader for the statements toDot writes, one per line (an independent check of its structure). */
function parseDot(dot: string): Dot {
  const nodes = new Map<string, Record<string, string>>();
  const edges: Dot['edges'] = [];
  const clusters: string[] = [];
  for (const line of dot.split('\n').map((l) => l.trim())) {
    const edge = /^(\w+) -> (\w+)(?: \[(.*)\])?;$/.exec(line);
    if (edge) {
      edges.push({ from: edge[1]!, to: edge[2]!, attrs: attrsOf(edge[3]) });
      continue;
    }
    const cluster = /^subgraph (cluster_\d+) \{$/.exec(line);
    if (cluster) clusters.push(cluster[1]!);
    const node = /^(\w+) \[(.*)\];$/.exec(line);
    if (node && !['graph', 'node', 'edge'].includes(node[1]!)) nodes.set(node[1]!, attrsOf(node[2]));
  }
  return { nodes, edges, clusters };
}

const opNodes = (d: Dot) => [...d.nodes].filter(([id]) => /(^|_)op\d+$/.test(id));
const labelOf = (d: Dot, id: string) => d.nodes.get(id)!.label!;

function logistic() {
  const x = T.dmatrix('x');
  const s = T.div(1, T.add(1, T.exp(x.neg())));
  return { x, s };
}

describe('toDot of variables', () => {
  test('one box per op, edges as the graph connects them, typed', () => {
    const { x, s } = logistic();
    const d = parseDot(toDot(s));
    const schedule = toposort([s as Variable]);
    expect(opNodes(d).map(([, a]) => a.label)).toEqual(schedule.map((n) => n.op.name));
    // every input of every node is one edge into its box, labelled with the value's type
    expect(d.edges.length).toBe(schedule.reduce((n, node) => n + node.inputs.length, 0) + 1);
    const xId = [...d.nodes].find(([, a]) => a.label === 'x')![0];
    const fromX = d.edges.filter((e) => e.from === xId);
    expect(fromX).toHaveLength(1);
    expect(labelOf(d, fromX[0]!.to)).toBe('neg');
    expect(fromX[0]!.attrs.label).toBe(String(x.type));
    // true_div has two inputs: the numerator is slot 0, a constant
    const div = opNodes(d).find(([, a]) => a.label === 'true_div')![0];
    const into = d.edges.filter((e) => e.to === div).map((e) => [labelOf(d, e.from), e.attrs.label]);
    expect(into).toEqual([
      ['1', '0: float64 scalar'],
      ['add', '1: float64 matrix'],
    ]);
  });

  test('roles are styled apart: input, constant, output', () => {
    const { s } = logistic();
    const d = parseDot(toDot(s));
    const byLabel = (l: string) => [...d.nodes.values()].find((a) => a.label === l)!;
    expect(byLabel('x').fillcolor).toBe('#a1d99b');
    expect(byLabel('1').fillcolor).toBe('#d9d9d9');
    expect(byLabel('output 0').fillcolor).toBe('#9ecae1');
    const white = parseDot(toDot(s, { colorBy: 'none' }));
    expect(new Set([...white.nodes.values()].map((a) => a.fillcolor))).toEqual(new Set(['#ffffff']));
  });

  test('colorBy dtype fills by the value dtype; showTypes false drops the types', () => {
    const i = T.ivector('i');
    const v = T.dvector('v');
    const d = parseDot(toDot(i.add(v), { colorBy: 'dtype', showTypes: false }));
    const fill = (l: string) => [...d.nodes.values()].find((a) => a.label === l)!.fillcolor;
    expect(fill('i')).not.toBe(fill('v'));
    expect(fill('add')).toBe(fill('v')); // int32 + float64 makes float64
    expect(d.edges.map((e) => e.attrs.label ?? '')).toEqual(['0', '1', '']);
  });

  test('the text is the same for the same graph built twice (ids never come from global variable ids)', () => {
    const a = toDot(logistic().s);
    T.dscalars('some', 'other', 'variables'); // move the global id counter
    expect(toDot(logistic().s)).toBe(a);
  });

  test('bad options and arguments are named', () => {
    const { s } = logistic();
    expect(() => toDot(s, { optimized: true })).toThrow(/applies to a compiled function/);
    expect(() => toDot(s, { colorBy: 'red' as never })).toThrow(/colorBy must be 'role', 'dtype' or 'none'/);
    expect(() => toDot(s, { optimized: 'yes' as never })).toThrow(/optimized must be true, false or 'both'/);
    expect(() => toDot([s, 3] as never)).toThrow(/item 1 is 3/);
  });
});

describe('toDot of a compiled function', () => {
  test('a fused loop is one box listing its ops; the reference linker fuses nothing', () => {
    const x = T.dvector('x');
    const f = theano.function([x], T.exp(x).add(x).sum());
    const d = parseDot(toDot(f));
    const boxes = opNodes(d).map(([, a]) => a.label);
    // sum(exp(x) + x) reads x once: one loop, the reduction folded in (docs/codegen.md)
    expect(boxes).toHaveLength(1);
    expect(boxes[0]).toMatch(/^fused loop \(\d ops\)\n/);
    for (const op of ['exp', 'add', 'sum']) expect(boxes[0]).toContain(op);
    const reference = parseDot(toDot(theano.function([x], T.exp(x).add(x).sum(), { mode: 'FAST_COMPILE' })));
    expect(opNodes(reference).every(([, a]) => !a.label!.includes('loop'))).toBe(true);
    expect(opNodes(reference).length).toBeGreaterThan(1);
  });

  test('outputs carry the user names; updates are their own nodes, beside the shared variable read', () => {
    const x = T.dvector('x');
    const w = theano.shared(new Float64Array(3), { name: 'w' });
    const y = x.mul(w).sum();
    y.name = 'y';
    const f = theano.function([x], y, { updates: [[w, w.add(x)]] });
    const d = parseDot(toDot(f));
    const byLabel = (l: string) => [...d.nodes].find(([, a]) => a.label === l);
    expect(byLabel('y')![1].fillcolor).toBe('#9ecae1');
    const [updateId, update] = byLabel('w (update)')!;
    expect(update.peripheries).toBe('2');
    expect(byLabel('w\n(shared)')![1].fillcolor).toBe(update.fillcolor);
    expect(d.edges.filter((e) => e.to === updateId)).toHaveLength(1);
  });

  test("optimized: false draws the graph as written, with givens; 'both' draws two clusters", () => {
    const x = T.dvector('x');
    const scale = T.dscalar('scale');
    const y = T.log(T.exp(x)).mul(scale);
    const f = theano.function([x], y, { givens: [[scale, T.constant(3)]] });
    const written = parseDot(toDot(f, { optimized: false }));
    expect(opNodes(written).map(([, a]) => a.label)).toEqual(['exp', 'log', 'mul']);
    expect([...written.nodes.values()].some((a) => a.label === '3.0' || a.label === '3')).toBe(true);
    expect([...written.nodes.values()].some((a) => a.label === 'scale')).toBe(false);
    const both = parseDot(toDot(f, { optimized: 'both' }));
    expect(both.clusters).toEqual(['cluster_0', 'cluster_1']);
    const ids = [...both.nodes.keys()];
    expect(ids.filter((id) => id.startsWith('g0_op'))).toHaveLength(3);
    // log(exp(x)) is rewritten away: the optimized side has fewer ops
    expect(ids.filter((id) => id.startsWith('g1_op')).length).toBeLessThan(3);
  });
});

/** The text lines Graphviz drew in an SVG, XML entities read back. */
function svgTexts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) =>
    m[1]!
      .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
      .replace(/&quot;/g, '"')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&'),
  );
}

describe('names are data, escaped for DOT', () => {
  const hostile = [
    'say "hi"',
    'back\\slash',
    'a\\nb literal',
    'two\nlines',
    '} -> evil [color=red]; {',
    '<b>html</b> & "',
    'ends with \\',
    'ünïcødé ∑',
  ];
  test('every hostile name survives Graphviz, drawn exactly as written', async () => {
    const vars = hostile.map((name) => T.dscalar(name));
    const sum = vars.reduce((a: theano.Tensor<'float64', 0>, v) => a.add(v));
    const dot = toDot(sum);
    // one statement per line: a name cannot open a new statement
    expect(dot.split('\n').filter((l) => l.includes('evil'))).toHaveLength(1);
    const texts = svgTexts(await toSvg(dot));
    for (const name of hostile) for (const line of name.split('\n')) expect(texts).toContain(line.trim());
    const evil = [...parseDot(dot).nodes.values()].find((a) => a.label === hostile[4]);
    expect(evil).toBeDefined();
    expect(evil!.color).toBeUndefined();
  });
});

describe('toSvg', () => {
  test('renders variables, functions and DOT text alike', async () => {
    const { s } = logistic();
    const fromGraph = await toSvg(s);
    expect(fromGraph).toBe(await toSvg(toDot(s)));
    expect(svgTexts(fromGraph)).toEqual(expect.arrayContaining(['x', 'neg', 'exp', 'add', 'true_div']));
  });

  test('uses a renderer passed as viz', async () => {
    const seen: string[] = [];
    const svg = await toSvg(logistic().s, { viz: { renderString: (dot) => (seen.push(dot), '<svg/>') } });
    expect(svg).toBe('<svg/>');
    expect(seen[0]).toBe(toDot(logistic().s));
  });

  test('a missing @viz-js/viz is a clear error, and a later install works', async () => {
    resetGraphviz();
    const missing = Object.assign(new Error("Cannot find package '@viz-js/viz'"), { code: 'ERR_MODULE_NOT_FOUND' });
    await expect(loadGraphviz(() => Promise.reject(missing))).rejects.toThrow(/npm install @viz-js\/viz/);
    const viz = await loadGraphviz();
    expect(viz.renderString('digraph { a }', { format: 'svg', engine: 'dot' })).toContain('<svg');
  });
});
