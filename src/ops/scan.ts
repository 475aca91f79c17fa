/**
 * `scan`: Theano's symbolic loop, as an op whose params hold the step's inner graph (see `inner-graph.ts`).
 *
 * The op is the core loop only; `theano.scan` (src/tensor/scan.ts) turns the user's options into it:
 * sequence taps become plain sequences (one shifted slice per tap), `goBackwards` reverses the sequences, and a
 * shared variable updated by the step becomes one more recurrent output. What the op sees:
 *
 * - inputs: `[nSteps, ...sequences, ...initial buffers, ...nonSequences]`; `nSteps` an int64 scalar, each
 *   sequence read at rows 0..nSteps-1, each initial buffer holding at least `m` rows for a recurrent output whose
 *   oldest tap is `-m` (its first `m` rows are used);
 * - the step graph's inputs: one row of each sequence, then the taps of each recurrent output (ascending: for
 *   taps [-2, -1] the value two steps back, then one step back), then the non-sequences;
 * - the step graph's outputs: each recurrent output's new value, then each output not fed back (nit-sot), then
 *   the `until` condition when there is one;
 * - outputs: each recurrent output's whole buffer, its `m` initial rows then one row per step run (Theano's op
 *   keeps them too: the gradient reads the state each step saw), then each nit-sot output stacked per step.
 *
 * With `until`, the loop stops after the first step whose condition is true: outputs hold the steps run.
 */
import type { FunctionGraph } from '../graph/function-graph.js';
import type { LengthFact, Pullback, PrintedArg } from '../graph/op.js';
import { NDArray, shapeToString } from '../runtime/ndarray.js';
import { TensorType } from '../types/tensor-type.js';
import { referenceRunner, type InnerGraphOpDef, type InnerRunner } from './inner-graph.js';

export interface RecurrentInfo {
  /** The taps, negative and ascending ([-2, -1]); the step receives one value per tap, in this order. */
  readonly taps: readonly number[];
}

export interface ScanParams {
  /** The scan's name in messages and printing ('scan' unless the user named it). */
  readonly name: string;
  readonly nSequences: number;
  readonly recurrent: readonly RecurrentInfo[];
  readonly nNitSot: number;
  readonly nNonSequences: number;
  readonly hasUntil: boolean;
  /** Steps the gradient goes back through (the last ones); -1: all (Theano's `truncate_gradient`). */
  readonly truncateGradient: number;
  /**
   * Per output (recurrent, then nit-sot): keep only its last row (set by the `scan_save_mem` rewrite when nothing
   * reads the others). The output is then that row alone, shape [1, ...row] (a recurrent output run 0 steps: its
   * last initial row), and a recurrent output's state is a ring of its `lag` rows: memory O(1) in steps.
   */
  readonly keepLast?: readonly boolean[];
  /** The step: inputs [sequence rows, recurrent taps, non-sequences]; outputs [recurrent, nit-sot, until?]. */
  readonly step: FunctionGraph;
}

/** The rows a recurrent output keeps before its first step: the depth of its oldest tap. */
export const lagOf = (info: RecurrentInfo): number => -Math.min(...info.taps);

/** Where each group of the op's inputs starts. */
export function inputLayout(p: ScanParams): { seqs: number; inits: number; nonSeqs: number; end: number } {
  const seqs = 1;
  const inits = seqs + p.nSequences;
  const nonSeqs = inits + p.recurrent.length;
  return { seqs, inits, nonSeqs, end: nonSeqs + p.nNonSequences };
}

const who = (p: ScanParams) => `scan '${p.name}'`;

const typeText = (t: TensorType): string => `${t}`;

/** The row type of a stacked type (its first axis dropped). */
const rowType = (t: TensorType) => new TensorType(t.dtype, t.shape.slice(1));

function checkTypes(inputs: readonly TensorType[], p: ScanParams): void {
  const layout = inputLayout(p);
  if (inputs.length !== layout.end)
    throw new TypeError(`${who(p)}: expected ${layout.end} inputs, got ${inputs.length}`);
  const n = inputs[0]!;
  if (n.ndim !== 0 || n.dtype !== 'int64') throw new TypeError(`${who(p)}: nSteps must be an int64 scalar, got ${n}`);
  const inner = p.step.inputs.map((v) => v.type);
  let k = 0;
  for (let j = 0; j < p.nSequences; j++) {
    const outer = inputs[layout.seqs + j]!;
    const row = inner[k++]!;
    if (outer.ndim !== row.ndim + 1 || outer.dtype !== row.dtype)
      throw new TypeError(`${who(p)}: sequence ${j} is ${typeText(outer)}, but the step reads rows of type ${row}`);
  }
  p.recurrent.forEach((info, r) => {
    const init = inputs[layout.inits + r]!;
    const lag = lagOf(info);
    for (const tap of info.taps) {
      const row = inner[k++]!;
      if (init.ndim !== row.ndim + 1 || init.dtype !== row.dtype)
        throw new TypeError(
          `${who(p)}: the initial value of recurrent output ${r} is ${init}, but tap ${tap} is ${row}`,
        );
    }
    const rows = init.shape[0];
    if (rows !== null && rows !== undefined && rows < lag)
      throw new TypeError(
        `${who(p)}: recurrent output ${r} has taps [${info.taps.join(', ')}], which need ${lag} initial row${lag === 1 ? '' : 's'}, but its initial value has ${rows}`,
      );
    const out = p.step.outputs[r]!.type;
    if (out.dtype !== init.dtype || out.ndim !== init.ndim - 1)
      throw new TypeError(
        `${who(p)}: the step returns ${out} for recurrent output ${r}, but its initial value is ${rowType(init)}`,
      );
  });
  for (let j = 0; j < p.nNonSequences; j++) {
    const outer = inputs[layout.nonSeqs + j]!;
    const placeholder = inner[k++]!;
    if (!placeholder.isCompatible(outer))
      throw new TypeError(`${who(p)}: non-sequence ${j} is ${outer}, but the step was built for ${placeholder}`);
  }
  if (p.hasUntil) {
    const until = p.step.outputs[p.recurrent.length + p.nNitSot]!.type;
    if (until.ndim !== 0 || until.dtype !== 'bool')
      throw new TypeError(`${who(p)}: until must be a bool scalar, got ${until}`);
  }
}

/** A view of row `i` of `a` (its first axis fixed). */
function rowOf(a: NDArray, i: number): NDArray {
  return new NDArray(a.dtype, a.shape.slice(1), a.data, a.strides.slice(1), a.offset + i * a.strides[0]!);
}

/**
 * A view of one row of `a` that moves from row to row without allocating: the loop makes one per input slot and
 * sets its offset each step (the step reads its inputs during the step only; nothing keeps them).
 */
class RowCursor {
  readonly view: NDArray;
  private readonly base: number;
  private readonly stride: number;
  constructor(a: NDArray) {
    this.view = rowOf(a, 0);
    this.base = a.offset;
    this.stride = a.strides[0]!;
  }
  at(i: number): NDArray {
    (this.view as { offset: number }).offset = this.base + i * this.stride;
    return this.view;
  }
}

/** Writes `src` (any layout) into the contiguous row `i` of the contiguous array `dst`. */
function writeRow(dst: NDArray, i: number, src: NDArray): void {
  const size = src.size;
  const base = i * size;
  if (src.isContiguous && size > 8) {
    const from = src.data as unknown as { subarray(a: number, b: number): ArrayLike<number> };
    (dst.data as unknown as { set(a: ArrayLike<number>, at: number): void }).set(
      from.subarray(src.offset, src.offset + size),
      base,
    );
    return;
  }
  const to = dst.data as unknown as { [k: number]: number | bigint };
  const from = src.data as unknown as ArrayLike<number | bigint>;
  if (src.isContiguous) for (let k = 0; k < size; k++) to[base + k] = from[src.offset + k]!;
  else for (let k = 0; k < size; k++) to[base + k] = from[src.flatIndex(k)]!;
}

/** Whether `row` is the shape of one row of `stacked` (no allocation: it runs every step). */
function sameRowShape(row: readonly number[], stacked: readonly number[]): boolean {
  if (row.length !== stacked.length - 1) return false;
  for (let i = 0; i < row.length; i++) if (row[i] !== stacked[i + 1]) return false;
  return true;
}

/** The loop, with the step run by `runStep` (the reference evaluator or a compiled program). */
function runScan(
  inputs: readonly NDArray[],
  p: ScanParams,
  outputTypes: readonly TensorType[],
  runInner: InnerRunner,
): NDArray[] {
  const layout = inputLayout(p);
  const n = Number(inputs[0]!.item(0));
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${who(p)}: nSteps must be a non-negative integer, got ${n}`);
  const seqs = inputs.slice(layout.seqs, layout.inits);
  seqs.forEach((s, j) => {
    if (s.shape[0]! < n)
      throw new RangeError(
        `${who(p)}: sequence ${j} has ${s.shape[0]} rows, but the scan runs ${n} steps (nSteps or the shortest sequence)`,
      );
  });
  const buffers = stateBuffers(inputs.slice(layout.inits, layout.nonSeqs), p, n);
  const stacked: (NDArray | undefined)[] = new Array<NDArray | undefined>(p.nNitSot).fill(undefined);
  const nRec = p.recurrent.length;
  const { cursors, rowAt, ring } = n > 0 ? stepCursors(seqs, buffers, p) : { cursors: [], rowAt: [], ring: [] };
  const args: NDArray[] = [...cursors.map((c) => c.view), ...inputs.slice(layout.nonSeqs, layout.end)];
  const nCursors = cursors.length;
  let steps = n;
  let t = 0;
  try {
    for (; t < n; t++) {
      for (let c = 0; c < nCursors; c++) args[c] = cursors[c]!.at(ring[c] ? (t + rowAt[c]!) % ring[c]! : t + rowAt[c]!);
      const results = runInner(0, args);
      storeStepResults(results, t, n, p, buffers, stacked);
      if (p.hasUntil && results[nRec + p.nNitSot]!.item(0)) {
        steps = t + 1;
        break;
      }
    }
  } catch (e) {
    // an error inside the step (a shape mismatch in its dot) names the loop and the step it stopped at
    if (e instanceof Error && !e.message.startsWith(who(p))) e.message = `${who(p)}, step ${t}: ${e.message}`;
    throw e;
  }
  return loopOutputs(buffers, stacked, steps, n, p, outputTypes);
}

/** Each recurrent output's buffer: its initial rows, then one row per step (a ring of lag rows when kept last). */
function stateBuffers(inits: readonly NDArray[], p: ScanParams, n: number): NDArray[] {
  return p.recurrent.map((info, r) => {
    const init = inits[r]!;
    const lag = lagOf(info);
    if (init.shape[0]! < lag)
      throw new RangeError(
        `${who(p)}: recurrent output ${r} has taps [${info.taps.join(', ')}], which need ${lag} initial rows, but its initial value has ${init.shape[0]}`,
      );
    const buffer = NDArray.zeros(init.dtype, [p.keepLast?.[r] ? lag : lag + n, ...init.shape.slice(1)]);
    for (let i = 0; i < lag; i++) writeRow(buffer, i, rowOf(init, i));
    return buffer;
  });
}

/**
 * One cursor per step input read from a sequence or a buffer, at its row offset from t; a kept-last recurrent
 * output's buffer is a ring of its lag rows (logical row i lives at i mod lag: `ring` holds lag, 0 otherwise).
 */
function stepCursors(seqs: readonly NDArray[], buffers: readonly NDArray[], p: ScanParams) {
  const cursors: RowCursor[] = [];
  const rowAt: number[] = [];
  const ring: number[] = [];
  for (const s of seqs) {
    cursors.push(new RowCursor(s));
    rowAt.push(0);
    ring.push(0);
  }
  p.recurrent.forEach((info, r) => {
    for (const tap of info.taps) {
      cursors.push(new RowCursor(buffers[r]!));
      rowAt.push(lagOf(info) + tap);
      ring.push(p.keepLast?.[r] ? lagOf(info) : 0);
    }
  });
  return { cursors, rowAt, ring };
}

/** Step t's results written: recurrent values into their buffers, the other outputs into their stacks. */
function storeStepResults(
  results: readonly NDArray[],
  t: number,
  n: number,
  p: ScanParams,
  buffers: readonly NDArray[],
  stacked: (NDArray | undefined)[],
): void {
  const nRec = p.recurrent.length;
  for (let r = 0; r < nRec; r++) {
    const value = results[r]!;
    const buffer = buffers[r]!;
    if (!sameRowShape(value.shape, buffer.shape))
      throw new RangeError(
        `${who(p)}: at step ${t}, the step returns shape ${shapeToString(value.shape)} for recurrent output ${r}, whose state has shape ${shapeToString(buffer.shape.slice(1))}`,
      );
    const lag = lagOf(p.recurrent[r]!);
    writeRow(buffer, p.keepLast?.[r] ? (lag + t) % lag : lag + t, value);
  }
  for (let j = 0; j < p.nNitSot; j++) {
    const value = results[nRec + j]!;
    let out = stacked[j];
    const keep = p.keepLast?.[nRec + j] ?? false;
    if (!out) stacked[j] = out = NDArray.zeros(value.dtype, [keep ? 1 : n, ...value.shape]);
    else if (!sameRowShape(value.shape, out.shape))
      throw new RangeError(
        `${who(p)}: at step ${t}, the step returns shape ${shapeToString(value.shape)} for output ${nRec + j}, but shape ${shapeToString(out.shape.slice(1))} before`,
      );
    writeRow(out, keep ? 0 : t, value);
  }
}

/** The op's outputs: buffers and stacks cut to the steps run (after an until), or to the kept last row. */
function loopOutputs(
  buffers: readonly NDArray[],
  stacked: readonly (NDArray | undefined)[],
  steps: number,
  n: number,
  p: ScanParams,
  outputTypes: readonly TensorType[],
): NDArray[] {
  const nRec = p.recurrent.length;
  const recurrentOut = buffers.map((b, r) => {
    const lag = lagOf(p.recurrent[r]!);
    if (p.keepLast?.[r]) return rowsOf(b, [(lag + steps - 1) % lag]);
    return steps === n ? b : firstRows(b, lag + steps);
  });
  const nitSotOut = stacked.map((s, j) => {
    if (!s) {
      const type = outputTypes[nRec + j]!;
      return NDArray.zeros(type.dtype, [0, ...type.shape.slice(1).map((d) => d ?? 0)]);
    }
    return steps === n || p.keepLast?.[nRec + j] ? s : firstRows(s, steps);
  });
  return [...recurrentOut, ...nitSotOut];
}

/** A fresh contiguous array of the given rows of `a`. */
function rowsOf(a: NDArray, rows: readonly number[]): NDArray {
  const out = NDArray.zeros(a.dtype, [rows.length, ...a.shape.slice(1)]);
  rows.forEach((row, i) => writeRow(out, i, rowOf(a, row)));
  return out;
}

/** A fresh contiguous array of the first `rows` rows of `a`. */
function firstRows(a: NDArray, rows: number): NDArray {
  const out = NDArray.zeros(a.dtype, [rows, ...a.shape.slice(1)]);
  for (let i = 0; i < rows; i++) writeRow(out, i, rowOf(a, i));
  return out;
}

/**
 * The gradient of a scan (backpropagation through time, a reverse scan) lives in `src/grad/scan.ts`, since it
 * differentiates the step with the autodiff and builds a scan with the builder; it registers itself here.
 */
export const scanGradient: { pullback: Pullback<ScanParams> | undefined } = { pullback: undefined };

export const SCAN: InnerGraphOpDef<ScanParams> = {
  name: 'scan',
  inferType(inputs, p) {
    checkTypes(inputs, p);
    const inits = inputLayout(p).inits;
    const nRec = p.recurrent.length;
    const recurrent = p.recurrent.map((_, r) => {
      const init = inputs[inits + r]!;
      return new TensorType(init.dtype, [p.keepLast?.[r] ? 1 : null, ...init.shape.slice(1)]);
    });
    const nitSot = p.step.outputs
      .slice(nRec, nRec + p.nNitSot)
      .map((o) => new TensorType(o.type.dtype, [null, ...o.type.shape]));
    return [...recurrent, ...nitSot];
  },
  // The steps axis: nSteps (input 0) steps, plus the initial rows of a recurrent output; unknown with until.
  inferShape(inputs, p) {
    const inits = inputLayout(p).inits;
    const steps: LengthFact = p.hasUntil ? null : { size: 0 };
    const recurrent = p.recurrent.map((info, r) => {
      const init = inputs[inits + r]!;
      const rest: LengthFact[] = init.shape.slice(1).map((_, a) => ({ input: inits + r, axis: a + 1 }));
      return [p.keepLast?.[r] ? 1 : lagOf(info) === 0 ? steps : null, ...rest];
    });
    const nRec = p.recurrent.length;
    const nitSot = p.step.outputs
      .slice(nRec, nRec + p.nNitSot)
      .map((o, j) => [p.keepLast?.[nRec + j] ? null : steps, ...o.type.shape.map((d) => d)]);
    return [...recurrent, ...nitSot];
  },
  evaluate(inputs, p, outputTypes) {
    return runScan(inputs, p, outputTypes, referenceRunner([p.step]));
  },
  inner: {
    graphs: (p) => [{ label: 'step', graph: p.step }],
    withGraphs: (p, [step]) => ({ ...p, step: step! }),
    run: runScan,
    transientOutputs: true,
    outerInputOf: (p, _graph, i) => {
      const layout = inputLayout(p);
      if (i < p.nSequences) return layout.seqs + i;
      let k = p.nSequences;
      for (let r = 0; r < p.recurrent.length; r++) {
        k += p.recurrent[r]!.taps.length;
        if (i < k) return layout.inits + r;
      }
      return layout.nonSeqs + (i - k);
    },
    // scan(y0[t] = y0[t-1] * A, y0[:1] = <initial>, n = <steps>): the step's outputs over named rows
    format: (inputs, p, show) => {
      const layout = inputLayout(p);
      const nRec = p.recurrent.length;
      const yName = (r: number) => (r < nRec ? `y${r}` : `z${r - nRec}`);
      const args: PrintedArg[] = [];
      for (let j = 0; j < p.nSequences; j++) {
        const text = `${inputs[layout.seqs + j]!.atom}[t]`;
        args.push({ text, atom: text });
      }
      p.recurrent.forEach((info, r) => {
        for (const tap of info.taps) {
          const text = `${yName(r)}[t${tap}]`;
          args.push({ text, atom: text });
        }
      });
      args.push(...inputs.slice(layout.nonSeqs, layout.end));
      const outs = show(p.step, args);
      const parts = outs.map((o, k) => (k < nRec + p.nNitSot ? `${yName(k)}[t] = ${o}` : `until ${o}`));
      p.recurrent.forEach((info, r) => parts.push(`${yName(r)}[:${lagOf(info)}] = ${inputs[layout.inits + r]!.text}`));
      parts.push(`n = ${inputs[0]!.text}`);
      return `${p.name === 'scan' ? 'scan' : `scan{${p.name}}`}(${parts.join(', ')})`;
    },
  },
  pullback: (args, T) => {
    if (!scanGradient.pullback)
      throw new Error('internal: the scan gradient is not registered (import src/grad/grad.ts)');
    return scanGradient.pullback(args, T);
  },
  print: {
    kind: 'call',
    name: (p) => (p.name === 'scan' ? 'scan' : `scan{${p.name}}`),
    args: () => [],
  },
  // equal only when built from the same step graph (the same object), with the same layout
  paramsKey: (p) =>
    `scan:${p.name}:${p.step.outputs.map((o) => o.id).join(',')}:${JSON.stringify([p.nSequences, p.recurrent, p.nNitSot, p.nNonSequences, p.hasUntil, p.truncateGradient, p.keepLast ?? []])}`,
};
