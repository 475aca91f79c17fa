/**
 * Scalar scans as one generated loop. When a scan's (optimized) step is a single fused elementwise kernel over
 * scalars (every sequence row, state and output a scalar; a recurrence such as x(t) = a x(t-1) + b), calling a
 * linked program per step would cost far more than the arithmetic. The step's expressions are written inside
 * one JavaScript `for` loop instead: each step reads its sequence elements and taps straight from the typed
 * arrays, computes the kernel's expressions, and stores into the output buffers, with no call and no allocation.
 * Any other scan runs through the linked inner program (see the linker); both agree with the reference loop.
 */
import type { Apply, Variable } from '../graph/variable.js';
import { leafValue } from '../graph/evaluate.js';
import { inputLayout, lagOf, type ScanParams } from '../ops/scan.js';
import { NDArray } from '../runtime/ndarray.js';
import type { DType } from '../types/dtype.js';
import { planSteps } from './fusion.js';
import { opExpression } from './kernel.js';

/** The compiled loop of a scalar scan: the op's outputs from its inputs, or null when the step is not of that kind. */
export type ScanLoop = ((inputs: readonly NDArray[]) => NDArray[]) & { readonly source: string };

type Kernel = Extract<ReturnType<typeof planSteps>[number], { kind: 'kernel' }>;
const keepLast = (p: ScanParams, output: number) => p.keepLast?.[output] ?? false;

/** The step's fused kernels when every value of the step is a non-int64 scalar and every step is a rank-0 kernel. */
function scalarKernels(p: ScanParams): Kernel[] | null {
  const scalarOk = (v: Variable) => v.type.ndim === 0 && v.type.dtype !== 'int64';
  if (!p.step.inputs.every(scalarOk) || !p.step.outputs.every(scalarOk)) return null;
  const plan = planSteps(p.step);
  if (plan.length === 0) return null;
  for (const k of plan) if (k.kind !== 'kernel' || k.ir.reduce || k.ir.rank !== 0) return null;
  return plan as Kernel[];
}

/** How the loop reads each step input at step t: a sequence element, a tap of a state buffer, a non-sequence. */
function stepInputReads(p: ScanParams): Map<Variable, string> {
  const valueOf = new Map<Variable, string>();
  p.step.inputs.forEach((v, i) => {
    if (i < p.nSequences) return valueOf.set(v, `S${i}[So${i} + t * Ss${i}]`);
    let k = p.nSequences;
    for (let r = 0; r < p.recurrent.length; r++) {
      const taps = p.recurrent[r]!.taps;
      if (i < k + taps.length) {
        const lag = lagOf(p.recurrent[r]!);
        const row = `${lag + taps[i - k]!} + t`;
        // a kept-last output's state is a ring of its lag rows (see `keepLast`)
        return valueOf.set(v, keepLast(p, r) ? `B${r}[(${row}) % ${lag}]` : `B${r}[${row}]`);
      }
      k += taps.length;
    }
    return valueOf.set(v, `W${i - k}`);
  });
  return valueOf;
}

/**
 * The kernels' expressions as lines of the loop body, constants hoisted before the loop; `valueOf` gains each
 * kernel output's expression. Null when a kernel reads a value the loop cannot (an int64 constant).
 */
function kernelLines(
  kernels: readonly Kernel[],
  valueOf: Map<Variable, string>,
  bind: (value: unknown) => string,
): { hoisted: string[]; body: string[] } | null {
  const hoisted: string[] = [];
  const body: string[] = [];
  for (let q = 0; q < kernels.length; q++) {
    const kernel = kernels[q]!;
    const nIn = kernel.inputs.length;
    for (let k = 0; k < nIn; k++) {
      const v = kernel.inputs[k]!;
      let read = valueOf.get(v);
      if (read === undefined) {
        const value = leafValue(v);
        if (!value || value.dtype === 'int64') return null;
        read = `c${hoisted.push(`const c${hoisted.length} = ${bind(Number(value.item(0)))};`) - 1}`;
        valueOf.set(v, read);
      }
      body.push(`  const k${q}x${k} = ${read};`);
    }
    const refName = (ref: number) => (ref < nIn ? `k${q}x${ref}` : `k${q}t${ref - nIn}`);
    kernel.ir.ops.forEach((op, j) =>
      body.push(`  const k${q}t${j} = ${opExpression(op, op.args.map(refName), bind, false)};`),
    );
    kernel.outputs.forEach((o, j) => valueOf.set(o, refName(kernel.ir.outputs[j]!.ref)));
  }
  return { hoisted, body };
}

/** The loop function's source: parameters, hoisted constants, the body, the stores and the until test. */
function loopSource(p: ScanParams, lines: { hoisted: string[]; body: string[] }, outExpr: string[], nEnv: number) {
  const nRec = p.recurrent.length;
  const code = [...lines.hoisted, 'let steps = n;', 'for (let t = 0; t < n; t++) {', ...lines.body];
  for (let r = 0; r < nRec; r++) {
    const lag = lagOf(p.recurrent[r]!);
    code.push(`  B${r}[${keepLast(p, r) ? `(${lag} + t) % ${lag}` : `${lag} + t`}] = ${outExpr[r]!};`);
  }
  for (let j = 0; j < p.nNitSot; j++)
    code.push(`  Z${j}[${keepLast(p, nRec + j) ? '0' : 't'}] = ${outExpr[nRec + j]!};`);
  if (p.hasUntil) code.push(`  if (${outExpr[nRec + p.nNitSot]!}) { steps = t + 1; break; }`);
  code.push('}', 'return steps;');
  const params = [
    'n',
    ...Array.from({ length: p.nSequences }, (_, j) => [`S${j}`, `So${j}`, `Ss${j}`]).flat(),
    ...Array.from({ length: nRec }, (_, r) => `B${r}`),
    ...Array.from({ length: p.nNonSequences }, (_, w) => `W${w}`),
    ...Array.from({ length: p.nNitSot }, (_, j) => `Z${j}`),
  ];
  return [
    "'use strict';",
    `const ${Array.from({ length: nEnv }, (_, i) => `e${i} = E[${i}]`).join(', ') || '_ = 0'};`,
    `return function scanLoop(${params.join(', ')}) {`,
    ...code.map((l) => `  ${l}`),
    '};',
  ].join('\n');
}

export function compileScalarScan(node: Apply): ScanLoop | null {
  const p = node.params as ScanParams;
  const kernels = scalarKernels(p);
  if (kernels === null) return null;
  const env: unknown[] = [];
  const bind = (value: unknown) => `e${env.push(value) - 1}`;
  // the expression of each value inside the loop: step inputs read from the arrays, then kernel results
  const valueOf = stepInputReads(p);
  const lines = kernelLines(kernels, valueOf, bind);
  if (lines === null) return null;
  // every step output must be computed in the loop (not an input or a constant passed through)
  const outExpr = p.step.outputs.map((o) => (o.owner ? valueOf.get(o) : undefined));
  if (outExpr.includes(undefined)) return null;
  const source = loopSource(p, lines, outExpr as string[], env.length);
  const loop = new Function('E', source)(env) as (...args: unknown[]) => number;
  return Object.assign(
    loopRunner(
      p,
      loop,
      node.outputs.map((o) => o.type.dtype),
    ),
    { source },
  );
}

/** The loop's arguments from the op's inputs (inputs checked, state buffers seeded with the initial rows). */
function loopArguments(p: ScanParams, inputs: readonly NDArray[], n: number, outDTypes: readonly DType[]) {
  const layout = inputLayout(p);
  const nRec = p.recurrent.length;
  const args: unknown[] = [n];
  for (let j = 0; j < p.nSequences; j++) {
    const s = inputs[layout.seqs + j]!;
    if (s.shape[0]! < n)
      throw new RangeError(
        `scan '${p.name}': sequence ${j} has ${s.shape[0]} rows, but the scan runs ${n} steps (nSteps or the shortest sequence)`,
      );
    args.push(s.data, s.offset, s.strides[0]);
  }
  const buffers = p.recurrent.map((info, r) => {
    const init = inputs[layout.inits + r]!;
    const lag = lagOf(info);
    if (init.shape[0]! < lag)
      throw new RangeError(
        `scan '${p.name}': recurrent output ${r} has taps [${info.taps.join(', ')}], which need ${lag} initial rows, but its initial value has ${init.shape[0]}`,
      );
    const buffer = NDArray.zeros(init.dtype, [keepLast(p, r) ? lag : lag + n]);
    const to = buffer.data as unknown as { [i: number]: number };
    for (let i = 0; i < lag; i++) to[i] = init.data[init.offset + i * init.strides[0]!] as number;
    return buffer;
  });
  args.push(...buffers.map((b) => b.data));
  for (let w = 0; w < p.nNonSequences; w++) args.push(inputs[layout.nonSeqs + w]!.item(0) as number);
  const stacked = Array.from({ length: p.nNitSot }, (_, j) =>
    NDArray.zeros(outDTypes[nRec + j]!, [keepLast(p, nRec + j) ? Math.min(n, 1) : n]),
  );
  args.push(...stacked.map((z) => z.data));
  // booleans are stored as 0/1: a bool non-sequence reads as a number, as in the kernels
  for (let k = 0; k < args.length; k++) if (typeof args[k] === 'boolean') args[k] = args[k] ? 1 : 0;
  return { args, buffers, stacked };
}

/** Runs the loop on the op's inputs; outputs cut to the steps run (after an until) or to the kept last row. */
function loopRunner(p: ScanParams, loop: (...args: unknown[]) => number, outDTypes: readonly DType[]) {
  const nRec = p.recurrent.length;
  return (inputs: readonly NDArray[]): NDArray[] => {
    const n = Number(inputs[0]!.item(0));
    if (!Number.isInteger(n) || n < 0)
      throw new RangeError(`scan '${p.name}': nSteps must be a non-negative integer, got ${n}`);
    const { args, buffers, stacked } = loopArguments(p, inputs, n, outDTypes);
    const steps = loop(...args);
    const rows = (a: NDArray, from: number, count: number) =>
      new NDArray(a.dtype, [count], a.data.slice(from, from + count) as never);
    const recurrent = buffers.map((b, r) => {
      const lag = lagOf(p.recurrent[r]!);
      if (keepLast(p, r)) return rows(b, (lag + steps - 1) % lag, 1);
      return steps === n ? b : rows(b, 0, lag + steps);
    });
    const others = stacked.map((z, j) => (steps === n || keepLast(p, nRec + j) ? z : rows(z, 0, steps)));
    return [...recurrent, ...others];
  };
}
