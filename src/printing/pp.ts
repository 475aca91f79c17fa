import type { FunctionGraph } from '../graph/function-graph.js';
import type { PrintedArg } from '../graph/op.js';
import type { Variable } from '../graph/variable.js';
import { isInnerGraphOp } from '../ops/inner-graph.js';
import { formatScalar } from '../runtime/format.js';

const MAX_CONSTANT_ELEMENTS = 6;

/** A constant as `pp` writes it: its value when small, else its type. */
export function constantText(v: Variable): string {
  const a = v.data!;
  if (a.shape.length === 0) return formatScalar(a.dtype, a.item(0));
  if (a.size <= MAX_CONSTANT_ELEMENTS) return a.toString().replace(/\s+/g, ' ').replace(/\[ /g, '[');
  return `<constant ${v.type}>`;
}

function leafText(v: Variable): string {
  if (v.name) return v.name;
  if (v.isConstant) return constantText(v);
  return `<${v.type}>`;
}

/**
 * An infix rendering of the expression that computes `v`, with the fewest parentheses that keep its meaning
 * (`1 / (1 + exp(-x))`). Iterative, so deep graphs print without overflowing the stack.
 */
export function pp(v: Variable | FunctionGraph | { graph: FunctionGraph }): string {
  if ('graph' in v) return pp(v.graph);
  if (!('type' in v)) return v.outputs.map((o) => pp(o)).join('\n');
  return ppWith(v, new Map());
}

/** An inner graph's outputs printed with its placeholders written as the op's printed inputs. */
function ppInner(graph: FunctionGraph, inputs: readonly PrintedArg[]): string[] {
  const seeded = new Map<Variable, { s: string; prec: number }>();
  graph.inputs.forEach((p, i) => {
    const arg = inputs[i]!;
    // with its precedence, the input is parenthesized only where the inner expression needs it
    seeded.set(p, arg.precedence === undefined ? { s: arg.atom, prec: 100 } : { s: arg.text, prec: arg.precedence });
  });
  return graph.outputs.map((o) => seeded.get(o)?.s ?? ppWith(o, seeded));
}

function ppWith(v: Variable, seeded: ReadonlyMap<Variable, { s: string; prec: number }>): string {
  const text = new Map<Variable, { s: string; prec: number }>(seeded);
  const stack: [Variable, boolean][] = [[v, false]];
  while (stack.length > 0) {
    const [u, expanded] = stack.pop()!;
    if (text.has(u)) continue;
    const node = u.owner;
    if (!node || (u.name && u !== v)) {
      text.set(u, {
        s: leafText(u),
        prec: u.isConstant && u.data!.shape.length === 0 && Number(u.data!.item(0)) < 0 ? 13 : 100,
      });
      continue;
    }
    if (!expanded) {
      stack.push([u, true]);
      for (const i of node.inputs) if (!text.has(i)) stack.push([i, false]);
      continue;
    }
    const args = node.inputs.map((i) => text.get(i)!);
    const spec = node.op.print;
    const outSuffix = node.outputs.length > 1 ? `[${u.index}]` : '';
    let s: string;
    let prec = 100;
    if (spec.kind === 'infix' && args.length === 2) {
      const [a, b] = args as [{ s: string; prec: number }, { s: string; prec: number }];
      const p = spec.precedence;
      const left = spec.associativity === 'left' ? a.prec >= p : a.prec > p;
      const right = spec.associativity === 'right' ? b.prec >= p : b.prec > p;
      s = `${left ? a.s : `(${a.s})`} ${spec.symbol} ${right ? b.s : `(${b.s})`}`;
      prec = p;
    } else if (spec.kind === 'prefix' && args.length === 1) {
      const a = args[0]!;
      s = `${spec.symbol}${a.prec > spec.precedence ? a.s : `(${a.s})`}`;
      prec = spec.precedence;
    } else if (isInnerGraphOp(node.op) && node.op.inner.format) {
      const printed = args.map((a) => ({ text: a.s, atom: a.prec >= 100 ? a.s : `(${a.s})`, precedence: a.prec }));
      s = node.op.inner.format(printed, node.params, ppInner) + outSuffix;
    } else if (spec.kind === 'custom') {
      s =
        spec.format(
          args.map((a) => ({ text: a.s, atom: a.prec >= 100 ? a.s : `(${a.s})` })),
          node.params as never,
        ) + outSuffix;
    } else {
      const name = spec.kind === 'call' && spec.name ? spec.name(node.params as never) : node.op.name;
      const params = spec.kind === 'call' && spec.args ? spec.args(node.params as never) : paramText(node.params);
      s = `${name}(${[...args.map((a) => a.s), ...params].join(', ')})${outSuffix}`;
    }
    text.set(u, { s, prec });
  }
  return text.get(v)!.s;
}

function paramText(params: unknown): string[] {
  if (params === null || typeof params !== 'object') return [];
  return Object.entries(params as Record<string, unknown>)
    .filter(([, x]) => x !== undefined)
    .map(([k, x]) => `${k}=${Array.isArray(x) ? `[${x.join(', ')}]` : String(x)}`);
}
