import type { FunctionGraph } from '../graph/function-graph.js';
import type { Apply, Variable } from '../graph/variable.js';
import { isInnerGraphOp } from '../ops/inner-graph.js';
import { pp } from './pp.js';
import { checkOptionKeys } from '../types/suggest.js';
import { registerDebugprintIds } from '../compile/profile-summary.js';

/** Options of `debugprint`. */
export interface DebugprintOptions {
  /**
   * How many levels to print below each output, the output's own line being level 1 (Theano's `depth`); the
   * inputs of a variable on the last level are not printed. Default: no limit.
   */
  readonly depth?: number;
  /**
   * How deep the tree may indent. A variable that would be printed deeper is named by its id, marked
   * `... (below)`, and printed as a tree of its own after the current one, so every line stays short and the
   * output grows linearly with the graph (a chain of 100,000 ops prints in 100,000 lines of bounded width).
   * Default 40.
   */
  readonly maxNesting?: number;
}

const DEFAULT_MAX_NESTING = 40;

/** Short ids in first-seen order: A, B, ..., Z, BA, BB, ... as Theano prints them. */
function idName(n: number): string {
  let s = '';
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}

type Printable = Variable | readonly Variable[] | FunctionGraph | { graph: FunctionGraph };

function rootsOf(v: Printable): readonly Variable[] {
  if (Array.isArray(v)) return v;
  if ('graph' in (v as object)) return (v as { graph: FunctionGraph }).graph.outputs;
  if ('outputs' in (v as object)) return (v as FunctionGraph).outputs;
  return [v as Variable];
}

/** A variable's line without the tree prefix: op (with params) or leaf name, id, type. */
function headOf(u: Variable, id: string): string {
  const node = u.owner;
  if (!node) {
    return u.isConstant
      ? `${pp(u)} [id ${id}] <${u.type}> (constant)`
      : `${u.name ?? `<${u.type}>`} [id ${id}] <${u.type}>${u.isShared ? ' (shared)' : ''}`;
  }
  const opLabel = node.op.name + (node.outputs.length > 1 ? `.${u.index}` : '');
  // an inner graph's text is the section below the trees, not a param
  const params =
    node.params && typeof node.params === 'object' && !isInnerGraphOp(node.op)
      ? Object.entries(node.params as object).filter(([, x]) => x !== undefined)
      : [];
  const paramText = params.length
    ? `{${params.map(([k, x]) => `${k}=${Array.isArray(x) ? `[${x.join(',')}]` : String(x)}`).join(', ')}}`
    : '';
  return `${opLabel}${paramText} [id ${id}] <${u.type}>${u.name ? ` '${u.name}'` : ''}`;
}

/**
 * An indented tree of the graph computing `v` (or every output of a compiled function): one line per variable
 * with its op, id and type. A subtree already printed is referred to by its id (`...`); one that would indent
 * deeper than `maxNesting` is printed after the current tree and referred to as `... (below)`; `depth` cuts the
 * tree. The output is linear in the size of the graph. Iterative.
 *
 * @example
 * const x = T.dvector('x');
 * debugprint(x.exp().add(1), { depth: 2 });
 * // add [id A] <float64 vector>
 * //  |exp [id B] <float64 vector>
 * //  |1 [id C] <float64 scalar> (constant)
 */
export function debugprint(v: Printable, options: DebugprintOptions = {}): string {
  checkOptionKeys('debugprint', options, DEBUGPRINT_OPTIONS);
  if (options.depth !== undefined && !(typeof options.depth === 'number' && options.depth >= 1))
    throw new TypeError(`debugprint: depth must be a number of levels, 1 or more, got ${String(options.depth)}`);
  return printWithIds(v, options).text;
}

const DEBUGPRINT_OPTIONS = ['depth', 'maxNesting'] as const;

/** The printed text, and the id each printed variable got (the profiler's summary names steps by them). */
function printWithIds(v: Printable, options: DebugprintOptions): { text: string; ids: ReadonlyMap<Variable, string> } {
  const maxDepth = options.depth ?? Infinity;
  const maxNesting = Math.max(1, options.maxNesting ?? DEFAULT_MAX_NESTING);
  const ids = new Map<Variable, string>();
  const idOf = (u: Variable) => {
    let id = ids.get(u);
    if (!id) ids.set(u, (id = idName(ids.size)));
    return id;
  };
  /** Variables whose inputs are printed (or will be, in a tree below). */
  const expanded = new Set<Variable>();
  const lines: string[] = [];
  /** Placeholders of inner graphs: the id of the input of the node they stand for. */
  const outerOf = new Map<Variable, string>();
  /** Prints the tree of `root` (at `rootLevel`); returns the deep subtrees it deferred, with their levels. */
  const printTree = (root: Variable, rootLevel: number, continued: boolean): [Variable, number][] => {
    const deferred: [Variable, number][] = [];
    // Each entry: the variable, its level, the prefix of its own line, the prefix its children's lines continue from.
    const stack: [Variable, number, string, string][] = [[root, rootLevel, '', '']];
    while (stack.length > 0) {
      const [u, level, prefix, childBase] = stack.pop()!;
      const node = u.owner;
      const outer = outerOf.get(u);
      const head = `${prefix}${headOf(u, idOf(u))}${outer ? ` -> [id ${outer}]` : ''}`;
      if (!node || level >= maxDepth) {
        lines.push(head);
        continue;
      }
      if (expanded.has(u) && !(continued && u === root)) {
        lines.push(`${head} ...`);
        continue;
      }
      expanded.add(u);
      // two characters of prefix per level of nesting
      if (prefix.length > 2 * maxNesting) {
        deferred.push([u, level]);
        lines.push(`${head} ... (below)`);
        continue;
      }
      lines.push(head);
      // Theano's layout: every child line starts with ' |'; below a last child the bar is not continued.
      const n = node.inputs.length;
      for (let k = n - 1; k >= 0; k--) {
        stack.push([node.inputs[k]!, level + 1, `${childBase} |`, `${childBase}${k === n - 1 ? '  ' : ' |'}`]);
      }
    }
    return deferred;
  };
  const printAll = (roots: readonly Variable[]) => {
    for (const output of roots) {
      // the output's tree, then the subtrees it deferred (and those they defer), before the next output
      const pending = printTree(output, 1, false);
      for (let t = 0; t < pending.length; t++) pending.push(...printTree(pending[t]![0], pending[t]![1], true));
    }
  };
  printAll(rootsOf(v));
  // Theano's "Inner graphs:" section: each node with inner graphs (found in the trees printed so far, inner
  // ones included), then each of its graphs under its label, lines marked '>'; a placeholder names the input of
  // the node it stands for (`-> [id C]`).
  const innerNodes: Apply[] = [];
  const listed = new Set<Apply>();
  const collect = () => {
    for (const u of ids.keys()) {
      const node = u.owner;
      if (node && isInnerGraphOp(node.op) && !listed.has(node)) {
        listed.add(node);
        innerNodes.push(node);
      }
    }
  };
  collect();
  if (innerNodes.length > 0) lines.push('', 'Inner graphs:');
  for (let n = 0; n < innerNodes.length; n++) {
    const node = innerNodes[n]!;
    const op = node.op;
    if (!isInnerGraphOp(op)) continue;
    lines.push('', `${op.name} [id ${idOf(node.outputs[0]!)}]`);
    op.inner.graphs(node.params).forEach(({ label, graph }, g) => {
      const offset = node.inputs.length - graph.inputs.length; // the op's own inputs (ifelse's condition) come first
      graph.inputs.forEach((p, i) => {
        const k = op.inner.outerInputOf ? op.inner.outerInputOf(node.params, g, i) : offset + i;
        if (k !== null) outerOf.set(p, idOf(node.inputs[k]!));
      });
      lines.push(` ${label}:`);
      const start = lines.length;
      printAll(graph.outputs);
      for (let k = start; k < lines.length; k++) lines[k] = ` > ${lines[k]}`;
    });
    collect();
  }
  return { text: lines.join('\n'), ids };
}

/**
 * Gives the profiler's summary (in compile/, which may not import printing/) the ids `debugprint(f)` prints.
 * Called by the package entry (src/index.ts): the package declares no side effects, so a bundler may drop a
 * top-level registration here when debugprint itself is not used.
 */
export function installDebugprintIds(): void {
  registerDebugprintIds((graph) => printWithIds(graph, {}).ids);
}
