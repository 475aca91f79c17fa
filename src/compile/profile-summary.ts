/**
 * `f.profile.summary()`: the table Theano's profiler prints (`ProfileStats.summary`), from the step times the
 * linker records: the time per op (a fused kernel counts as one op, as Theano's `Elemwise{Composite{...}}`), then
 * per step, each named by the ids `debugprint(f)` gives its output variables.
 */
import type { FunctionGraph } from '../graph/function-graph.js';
import type { Variable } from '../graph/variable.js';
import type { StepProfile } from '../codegen/linker.js';

type IdsOf = (graph: FunctionGraph) => ReadonlyMap<Variable, string>;
let debugprintIds: IdsOf | undefined;

/** Set by `src/printing/debugprint.ts` when it loads (compile/ may not import printing/). */
export function registerDebugprintIds(ids: IdsOf): void {
  debugprintIds = ids;
}

export interface SummaryInput {
  readonly name: string;
  readonly graph: FunctionGraph;
  readonly calls: number;
  readonly compileMs: number;
  readonly linkMs: number;
  /** In the order the steps run. */
  readonly steps: readonly StepProfile[];
  /** The variables each step computes (same order as `steps`). */
  readonly outputs: readonly (readonly Variable[])[];
}

const ms = (t: number) => `${t.toFixed(3)}ms`;
const pct = (t: number, total: number) => `${(total > 0 ? (100 * t) / total : 0).toFixed(1)}%`;
const pad = (s: string, n: number) => s.padStart(n);

/** The class of a step: its op, or the fused kernel with the ops it runs. */
function className(step: StepProfile): string {
  if (step.kind !== 'kernel') return step.ops[0] ?? '?';
  return `fused_elemwise{${[...new Set(step.ops)].join(',')}}`;
}

/** Theano's profiler table for one function. */
export function profileSummary(input: SummaryInput): string {
  const { steps, calls } = input;
  const total = steps.reduce((s, x) => s + x.ms, 0);
  const lines = [
    `Function profiling: ${input.name}`,
    '==================',
    `  Time in ${calls} call${calls === 1 ? '' : 's'}: ${ms(total)} in steps (${calls > 0 ? ms(total / calls) : '-'} per call)`,
    `  Optimization: ${ms(input.compileMs)}; linking: ${ms(input.linkMs)}`,
    `  Steps: ${steps.length} (${steps.filter((s) => s.kind === 'kernel').length} generated kernels)`,
    '',
    ...classTable(steps, calls, total),
    '',
    ...stepTable(input, total),
  ];
  return lines.join('\n');
}

/** Per op class: time, share, cumulative share, time per call, how many steps, the class. */
function classTable(steps: readonly StepProfile[], calls: number, total: number): string[] {
  const byClass = new Map<string, { ms: number; steps: number }>();
  for (const s of steps) {
    const key = className(s);
    const entry = byClass.get(key) ?? { ms: 0, steps: 0 };
    entry.ms += s.ms;
    entry.steps += 1;
    byClass.set(key, entry);
  }
  const rows = [...byClass].sort((a, b) => b[1].ms - a[1].ms);
  const out = ['Ops', '---', '  <% time> <sum %> <op time> <time per call> <#call> <#steps> <op>'];
  let sum = 0;
  for (const [name, { ms: t, steps: n }] of rows) {
    sum += t;
    out.push(
      `  ${pad(pct(t, total), 8)} ${pad(pct(sum, total), 7)} ${pad(ms(t), 11)} ${pad(calls > 0 ? ms(t / calls) : '-', 15)} ${pad(String(calls), 7)} ${pad(String(n), 8)}  ${name}`,
    );
  }
  return out;
}

/** Per step (Theano's Apply section): time, share, the ids of its outputs in `debugprint(f)`, what it runs. */
function stepTable(input: SummaryInput, total: number): string[] {
  const ids = debugprintIds?.(input.graph) ?? new Map<Variable, string>();
  const order = input.steps.map((s, i) => i).sort((a, b) => input.steps[b]!.ms - input.steps[a]!.ms);
  const out = [
    'Steps (ids as debugprint(f) prints them)',
    '-----',
    '  <% time> <sum %> <step time> <time per call> <step> <ids> <ops>',
  ];
  let sum = 0;
  for (const i of order) {
    const step = input.steps[i]!;
    sum += step.ms;
    const idList = input.outputs[i]!.map((o) => ids.get(o)).filter((x) => x !== undefined);
    out.push(
      `  ${pad(pct(step.ms, total), 8)} ${pad(pct(sum, total), 7)} ${pad(ms(step.ms), 11)} ${pad(input.calls > 0 ? ms(step.ms / input.calls) : '-', 15)} ${pad(String(i), 6)}  [id ${idList.join(',') || '-'}]  ${step.kind === 'kernel' ? className(step) : `${step.kind === 'view' ? 'view ' : ''}${step.ops.join(', ')}`}`,
    );
  }
  return out;
}
