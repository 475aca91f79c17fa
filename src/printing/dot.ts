/**
 * Graphviz DOT pictures of graphs (Theano's `pydotprint`): ops as boxes, values as edges labelled with their
 * type, inputs, constants, shared variables, outputs and updates as nodes styled apart. A compiled function is
 * drawn as it runs: the optimized graph, with each fused loop as one box listing its ops.
 *
 * The text is deterministic: node ids are numbered in the graph's schedule order, never from global variable
 * ids, so the same graph gives the same DOT in every process. User text (names) only ever appears inside quoted,
 * escaped DOT strings.
 */
import { planSteps } from '../codegen/fusion.js';
import { FunctionGraph } from '../graph/function-graph.js';
import { toposort } from '../graph/traversal.js';
import type { Apply, Variable } from '../graph/variable.js';
import { isInnerGraphOp } from '../ops/inner-graph.js';
import type { DType } from '../types/dtype.js';
import { constantText } from './pp.js';

/** Options of `toDot` and `toSvg`. */
export interface DotOptions {
  /**
   * For a compiled function: `true` (the default) draws the graph that runs, after the rewrites, with each fused
   * loop as one box; `false` draws the graph as written (after `givens`); `'both'` draws the two side by side.
   * Variables and FunctionGraphs are drawn as they are; this option is an error for them.
   */
  readonly optimized?: boolean | 'both';
  /** Label every edge with the dtype and rank of the value it carries (`float64 matrix`). Default true. */
  readonly showTypes?: boolean;
  /**
   * How nodes are filled: `'role'` (the default; inputs green, outputs blue, shared variables and updates
   * orange, constants grey, fused loops pink, inner-graph ops yellow), `'dtype'` (by the dtype of the value a
   * node holds or makes), or `'none'` (no fill; shapes and borders still tell the kinds apart).
   */
  readonly colorBy?: 'role' | 'dtype' | 'none';
}

/** What `toDot` draws: variables (the graph computing them), a FunctionGraph, or a compiled function. */
export type Drawable = Variable | readonly Variable[] | FunctionGraph | DrawableFunction;

/** The parts of a compiled function (`theano.function`'s result) that a picture reads. */
export interface DrawableFunction {
  readonly graph: FunctionGraph;
  readonly unoptimizedGraph: FunctionGraph;
  readonly outputs: Variable | readonly Variable[];
  readonly updatedShared: readonly Variable[];
  /** Undefined when the function runs the reference evaluator (no fused loops). */
  readonly source: string | undefined;
}

/** One box of a picture: an op, a fused loop (several elementwise ops, maybe a reduction), or a view. */
interface Box {
  readonly kind: 'op' | 'kernel' | 'view';
  readonly nodes: readonly Apply[];
  readonly inputs: readonly Variable[];
  readonly outputs: readonly Variable[];
}

/** One graph output: the value, its label, and the shared variable it updates (for an update value). */
interface Sink {
  readonly value: Variable;
  readonly label: string;
  readonly updates?: Variable;
}

/** Everything one drawing shows. */
interface Scene {
  readonly title: string | undefined;
  /** Declared inputs, drawn first and in order (one that no output reads is still drawn). */
  readonly inputs: readonly Variable[];
  readonly boxes: readonly Box[];
  readonly sinks: readonly Sink[];
}

type Role = 'input' | 'constant' | 'shared' | 'output' | 'update' | 'op' | 'kernel' | 'view' | 'inner';

const ROLE_FILL: Record<Role, string> = {
  input: '#a1d99b',
  constant: '#d9d9d9',
  shared: '#fdbe85',
  output: '#9ecae1',
  update: '#fdbe85',
  op: '#ffffff',
  kernel: '#fcc5dd',
  view: '#ffffff',
  inner: '#ffffb2',
};

const DTYPE_FILL: Record<DType, string> = {
  bool: '#fcbba1',
  int8: '#c7e9c0',
  int16: '#c7e9c0',
  int32: '#a1d99b',
  int64: '#74c476',
  uint8: '#dadaeb',
  uint16: '#dadaeb',
  uint32: '#bcbddc',
  float32: '#fdd0a2',
  float64: '#c6dbef',
};

/** Longest line of op names in a fused loop's box before it wraps. */
const WRAP = 32;

/**
 * The Graphviz DOT text of a graph: give it variables (the graph that computes them, as built), a compiled
 * function (the graph that runs, fused loops as single boxes; `optimized: false` for the graph as written,
 * `'both'` for the two side by side) or a FunctionGraph. Render it with `toSvg`, or with any Graphviz
 * (`dot -Tpng`).
 *
 * @example
 * const x = T.dmatrix('x');
 * const f = theano.function([x], T.sigmoid(x).mul(2));
 * theano.printing.toDot(f); // 'digraph theano {\n ...'
 */
export function toDot(source: Drawable, options: DotOptions = {}): string {
  checkOptions(options);
  const scenes = scenesOf(source, options.optimized);
  const lines = [
    'digraph theano {',
    '  graph [rankdir=TB, nodesep=0.45, ranksep=0.35, fontname="Helvetica,Arial,sans-serif", fontsize=12];',
    '  node [fontname="Helvetica,Arial,sans-serif", fontsize=11, margin="0.16,0.055", style=filled, fillcolor="#ffffff"];',
    '  edge [fontname="Helvetica,Arial,sans-serif", fontsize=9, fontcolor="#444444", color="#555555", arrowsize=0.7];',
  ];
  if (scenes.length === 1) lines.push(...drawScene(scenes[0]!, '', options).map((l) => `  ${l}`));
  else
    scenes.forEach((scene, i) => {
      lines.push(`  subgraph cluster_${i} {`, `    label=${quote([scene.title ?? ''])};`, '    color="#bbbbbb";');
      lines.push(...drawScene(scene, `g${i}_`, options).map((l) => `    ${l}`));
      lines.push('  }');
    });
  lines.push('}');
  return lines.join('\n') + '\n';
}

function checkOptions(options: DotOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new TypeError(`theano.printing.toDot: options must be an object, got ${String(options)}`);
  const { optimized, colorBy, showTypes } = options;
  if (optimized !== undefined && optimized !== true && optimized !== false && optimized !== 'both')
    throw new TypeError(`theano.printing.toDot: optimized must be true, false or 'both', got ${String(optimized)}`);
  if (colorBy !== undefined && colorBy !== 'role' && colorBy !== 'dtype' && colorBy !== 'none')
    throw new TypeError(`theano.printing.toDot: colorBy must be 'role', 'dtype' or 'none', got ${String(colorBy)}`);
  if (showTypes !== undefined && typeof showTypes !== 'boolean')
    throw new TypeError(`theano.printing.toDot: showTypes must be true or false, got ${String(showTypes)}`);
}

const isFunction = (s: Drawable): s is DrawableFunction =>
  typeof s === 'function' && 'graph' in s && (s as DrawableFunction).graph instanceof FunctionGraph;

/** The scenes to draw: one, or the graph as written and the optimized graph side by side. */
function scenesOf(source: Drawable, optimized: DotOptions['optimized']): Scene[] {
  if (isFunction(source)) {
    const which = optimized ?? true;
    const written = () => functionScene(source, source.unoptimizedGraph, false, 'as written');
    const runs = () => functionScene(source, source.graph, source.source !== undefined, 'optimized');
    if (which === 'both') return [written(), runs()];
    return [which ? runs() : written()];
  }
  if (optimized !== undefined)
    throw new TypeError(
      'theano.printing.toDot: `optimized` applies to a compiled function; variables and graphs are drawn as built ' +
        '(compile them with theano.function to draw what runs)',
    );
  if (source instanceof FunctionGraph) return [graphScene(source.inputs, source.outputs, source.toposort())];
  const roots = Array.isArray(source) ? (source as readonly Variable[]) : [source as Variable];
  roots.forEach((v, i) => {
    if (!v || typeof v !== 'object' || !('type' in v) || !('owner' in v))
      throw new TypeError(
        `theano.printing.toDot: expected a symbolic variable, a list of them or a compiled function; item ${i} is ${String(v)}`,
      );
  });
  return [graphScene([], roots, toposort(roots))];
}

const opBoxes = (schedule: readonly Apply[]): Box[] =>
  schedule.map((node) => ({ kind: 'op', nodes: [node], inputs: node.inputs, outputs: node.outputs }));

function graphScene(inputs: readonly Variable[], outputs: readonly Variable[], schedule: readonly Apply[]): Scene {
  const sinks = outputs.map((value, i) => ({ value, label: value.name ?? `output ${i}` }));
  return { title: undefined, inputs, boxes: opBoxes(schedule), sinks };
}

/** A compiled function's graph: outputs named as the user named them, then one sink per update. */
function functionScene(f: DrawableFunction, graph: FunctionGraph, fused: boolean, what: string): Scene {
  const declared = Array.isArray(f.outputs) ? (f.outputs as readonly Variable[]) : [f.outputs as Variable];
  const sinks: Sink[] = graph.outputs.map((value, i) => {
    if (i < declared.length) return { value, label: declared[i]!.name ?? `output ${i}` };
    const shared = f.updatedShared[i - declared.length]!;
    return { value, label: `${shared.name ?? 'shared'} (update)`, updates: shared };
  });
  const boxes = fused ? planSteps(graph).map(stepBox) : opBoxes(graph.toposort());
  const loops = boxes.filter((b) => b.kind === 'kernel').length;
  const title = `${what}: ${boxes.length} ${fused ? 'steps' : 'ops'}${fused ? `, ${loops} fused loop${loops === 1 ? '' : 's'}` : ''}`;
  return { title, inputs: graph.inputs, boxes, sinks };
}

function stepBox(s: ReturnType<typeof planSteps>[number]): Box {
  if (s.kind === 'kernel') return { kind: 'kernel', nodes: s.nodes, inputs: s.inputs, outputs: s.outputs };
  return { kind: s.kind === 'view' ? 'view' : 'op', nodes: [s.node], inputs: s.node.inputs, outputs: s.node.outputs };
}

/** Where an edge starts: a box (and which of its outputs) or a leaf node. */
interface Source {
  readonly id: string;
  readonly output: number;
  readonly outputs: number;
}

/** The DOT statements of one scene, node ids prefixed by `prefix`. */
function drawScene(scene: Scene, prefix: string, options: DotOptions): string[] {
  const colorBy = options.colorBy ?? 'role';
  const showTypes = options.showTypes ?? true;
  const fill = (role: Role, dtype: DType | undefined) =>
    colorBy === 'none' ? '#ffffff' : colorBy === 'dtype' && dtype ? DTYPE_FILL[dtype] : ROLE_FILL[role];
  const leafLines: string[] = [];
  const boxLines: string[] = [];
  const edgeLines: string[] = [];
  const leaves = new Map<Variable, string>();
  const counts = { in: 0, c: 0, sh: 0 };
  const leafId = (v: Variable): string => {
    let id = leaves.get(v);
    if (id) return id;
    const role: Role = v.isConstant ? 'constant' : v.isShared ? 'shared' : 'input';
    const key = role === 'constant' ? 'c' : role === 'shared' ? 'sh' : 'in';
    id = `${prefix}${key}${counts[key]++}`;
    leaves.set(v, id);
    leafLines.push(
      `${id} ${attributes(leafStyle(v, role, fill(role, colorBy === 'dtype' ? v.type.dtype : undefined)))};`,
    );
    return id;
  };
  for (const v of scene.inputs) leafId(v);
  const produced = new Map<Variable, Source>();
  const typeLabel = (v: Variable) => (showTypes ? String(v.type) : '');
  scene.boxes.forEach((box, i) => {
    const id = `${prefix}op${i}`;
    const role: Role = box.kind === 'op' && isInnerGraphOp(box.nodes[0]!.op) ? 'inner' : box.kind;
    boxLines.push(`${id} ${attributes(boxStyle(box, fill(role, box.outputs[0]?.type.dtype)))};`);
    box.inputs.forEach((v, j) => {
      const from = produced.get(v) ?? { id: leafId(v), output: 0, outputs: 1 };
      // which input slot, where the op has several and their order matters (a fused loop's are its own)
      const slot = box.kind !== 'kernel' && box.inputs.length > 1 ? j : undefined;
      edgeLines.push(edge(from, id, slot, typeLabel(v)));
    });
    box.outputs.forEach((o, k) => produced.set(o, { id, output: k, outputs: box.outputs.length }));
  });
  const sinkLines: string[] = [];
  scene.sinks.forEach((sink, i) => {
    const id = `${prefix}${sink.updates ? 'up' : 'out'}${i}`;
    const role: Role = sink.updates ? 'update' : 'output';
    sinkLines.push(
      `${id} ${attributes(sinkStyle(sink, fill(role, colorBy === 'dtype' ? sink.value.type.dtype : undefined)))};`,
    );
    const from = produced.get(sink.value) ?? { id: leafId(sink.value), output: 0, outputs: 1 };
    edgeLines.push(edge(from, id, undefined, typeLabel(sink.value)));
  });
  return [...leafLines, ...boxLines, ...sinkLines, ...edgeLines];
}

function edge(from: Source, to: string, slot: number | undefined, type: string): string {
  const head = [slot === undefined ? '' : String(slot), from.outputs > 1 ? `out ${from.output}` : '']
    .filter((p) => p !== '')
    .join(', ');
  const label = head && type ? `${head}: ${type}` : head || type;
  return `${from.id} -> ${to}${label ? ` [label=${quote([label])}]` : ''};`;
}

type Attributes = Record<string, string | number>;

/** `[k=v, ...]`: numbers as they are, `label` already quoted (`quote`), every other string quoted here. */
function attributes(attrs: Attributes): string {
  const parts = Object.entries(attrs).map(([k, v]) =>
    typeof v === 'number' ? `${k}=${v}` : k === 'label' ? `${k}=${v}` : `${k}=${quote([v])}`,
  );
  return `[${parts.join(', ')}]`;
}

function leafStyle(v: Variable, role: Role, fillcolor: string): Attributes {
  if (role === 'constant')
    return { shape: 'box', style: 'filled,rounded', fontsize: 10, label: quote([constantText(v)]), fillcolor };
  const name = v.name ?? `<${v.type}>`;
  return { shape: 'ellipse', label: quote(role === 'shared' ? [name, '(shared)'] : [name]), fillcolor };
}

function sinkStyle(sink: Sink, fillcolor: string): Attributes {
  if (sink.updates) return { shape: 'ellipse', peripheries: 2, label: quote([sink.label]), fillcolor };
  return { shape: 'ellipse', label: quote([sink.label]), fillcolor };
}

function boxStyle(box: Box, fillcolor: string): Attributes {
  if (box.kind === 'kernel') {
    const n = box.nodes.length;
    const lines =
      n === 1
        ? [`loop: ${opLabel(box.nodes[0]!)}`]
        : [`fused loop (${n} ops)`, ...wrapNames(summarize(box.nodes.map(opLabel)))];
    return { shape: 'box', style: 'filled,bold', label: quote(lines), fillcolor };
  }
  const node = box.nodes[0]!;
  const style = box.kind === 'view' ? 'filled,dashed' : 'filled';
  return {
    shape: 'box',
    style,
    label: quote(box.kind === 'view' ? [opLabel(node), '(view)'] : [opLabel(node)]),
    fillcolor,
  };
}

/** `mul ×3` for repeated ops, in order of first appearance. */
function summarize(labels: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
  return [...counts].map(([l, n]) => (n > 1 ? `${l} ×${n}` : l));
}

function wrapNames(names: readonly string[]): string[] {
  const lines: string[] = [];
  let line = '';
  for (const name of names) {
    if (line && line.length + name.length + 2 > WRAP) {
      lines.push(`${line},`);
      line = name;
    } else line = line ? `${line}, ${name}` : name;
  }
  if (line) lines.push(line);
  return lines;
}

/** The op's name with its short params: `sum{axes=[1]}`, `dimshuffle{pattern=[1,0]}`. */
export function opLabel(node: Apply): string {
  const params = node.params;
  let name = node.op.name;
  if (!params || typeof params !== 'object' || isInnerGraphOp(node.op)) return name;
  const skip = new Set<string>();
  if (name === 'reduce' && typeof (params as { kind?: unknown }).kind === 'string') {
    name = (params as { kind: string }).kind;
    skip.add('kind').add('dtype');
  }
  const parts: string[] = [];
  for (const [k, x] of Object.entries(params as object)) {
    if (skip.has(k) || x === undefined || x === null || x === false) continue;
    if (typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean' || typeof x === 'bigint')
      parts.push(`${k}=${String(x)}`);
    else if (Array.isArray(x) && x.every((e) => typeof e === 'number' || typeof e === 'string'))
      parts.push(`${k}=[${x.join(',')}]`);
  }
  return parts.length > 0 ? `${name}{${parts.join(', ')}}` : name;
}

/**
 * A DOT quoted string of `lines` (centred lines, joined by `\n`). In a quoted DOT string `"` must be escaped, and
 * Graphviz reads backslash sequences in labels (`\n`, `\l`, `\N`, ...), so a backslash of user text is doubled;
 * a line break in user text becomes a line break; other control characters become spaces.
 */
export function quote(lines: readonly string[]): string {
  const escaped = lines.map((line) =>
    line
      .replace(/\\/g, '\\\\')
      .replace(/"/g, '\\"')
      .replace(/\r\n|\r|\n/g, '\\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, ' '),
  );
  return `"${escaped.join('\\n')}"`;
}
