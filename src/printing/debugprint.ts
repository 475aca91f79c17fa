import type { FunctionGraph } from '../graph/function-graph.js';
import type { Variable } from '../graph/variable.js';
import { pp } from './pp.js';

/** Short ids in first-seen order: A, B, ..., Z, BA, BB, ... as Theano prints them. */
function idName(n: number): string {
  let s = '';
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}

/**
 * An indented tree of the graph computing `v` (or every output of a compiled function): one line per variable
 * with its op, id and type; a subtree already printed is referenced by its id. Iterative.
 */
export function debugprint(v: Variable | readonly Variable[] | FunctionGraph | { graph: FunctionGraph }): string {
  const roots: readonly Variable[] = Array.isArray(v)
    ? v
    : 'graph' in (v as object)
      ? (v as { graph: FunctionGraph }).graph.outputs
      : 'outputs' in (v as object)
        ? (v as FunctionGraph).outputs
        : [v as Variable];
  const ids = new Map<Variable, string>();
  const idOf = (u: Variable) => {
    let id = ids.get(u);
    if (!id) ids.set(u, (id = idName(ids.size)));
    return id;
  };
  const printed = new Set<Variable>();
  const lines: string[] = [];
  for (const root of roots) {
    // Each entry: the variable, the prefix of its own line, the prefix its children's lines continue from.
    const stack: [Variable, string, string][] = [[root, '', '']];
    while (stack.length > 0) {
      const [u, prefix, childBase] = stack.pop()!;
      const node = u.owner;
      let head: string;
      if (!node) head = u.isConstant ? `${pp(u)} [id ${idOf(u)}] <${u.type}> (constant)` : `${u.name ?? `<${u.type}>`} [id ${idOf(u)}] <${u.type}>${u.isShared ? ' (shared)' : ''}`;
      else {
        const opLabel = node.op.name + (node.outputs.length > 1 ? `.${u.index}` : '');
        const params = node.params && typeof node.params === 'object' ? Object.entries(node.params as object).filter(([, x]) => x !== undefined) : [];
        const paramText = params.length ? `{${params.map(([k, x]) => `${k}=${Array.isArray(x) ? `[${x.join(',')}]` : String(x)}`).join(', ')}}` : '';
        head = `${opLabel}${paramText} [id ${idOf(u)}] <${u.type}>${u.name ? ` '${u.name}'` : ''}`;
      }
      const seen = node && printed.has(u);
      lines.push(`${prefix}${head}${seen ? ' ...' : ''}`);
      if (!node || seen) continue;
      printed.add(u);
      // Theano's layout: every child line starts with ' |'; below a last child the bar is not continued.
      const n = node.inputs.length;
      for (let k = n - 1; k >= 0; k--) stack.push([node.inputs[k]!, `${childBase} |`, `${childBase}${k === n - 1 ? '  ' : ' |'}`]);
    }
  }
  return lines.join('\n');
}
