/**
 * The gradient of `scan`: backpropagation through time, as a reverse scan.
 *
 * Forward, step t reads sequence rows x[t], the states full_r[lag_r + t + tap] of each recurrent output r (its
 * buffer: lag_r initial rows, then one row per step) and the non-sequences w, and writes full_r[lag_r + t] and
 * the other outputs z[t]. Backward, step t (from the last to the first) needs the adjoint of every value step t
 * wrote: the cost's own gradient at that row, plus what later steps sent back through their taps. Only the
 * last lag_r rows can still receive such contributions, so the reverse loop carries, per recurrent output, a
 * window W_r of lag_r pending adjoints: W_r[i] is the adjoint owed to buffer row t + 1 + i. At step t:
 *
 *   a_r      = g_full_r[lag_r + t] + W_r[lag_r - 1]                 (the adjoint of the row step t wrote)
 *   d        = a · ∂(step outputs)/∂(step inputs)                   (a vector-Jacobian product of the step: Lop)
 *   W'_r[i]  = W_r[i - 1] (i ≥ 1)  +  d_{r, tap} for lag_r + tap = i  (the window moves one row back)
 *   acc'_w   = acc_w + d_w                                          (non-sequences: summed over the steps)
 *   dx[t]    = d_x                                                  (sequences: one row per step)
 *
 * After the loop, W_r holds the adjoints of the initial rows. `truncateGradient = k` runs the reverse loop over
 * the last k steps only: earlier sequence rows get no gradient, and neither do the initial values when k is less
 * than the steps run. With `until`, the forward outputs hold the steps actually run, and so does the reverse loop.
 */
import { copyGraph } from '../graph/function-graph.js';
import type { GradBuilder, PullbackArgs } from '../graph/op.js';
import type { Variable } from '../graph/variable.js';
import { lopOf } from '../ops/inner-graph.js';
import { inputLayout, lagOf, type ScanParams } from '../ops/scan.js';
import { buildScan } from '../tensor/scan.js';
import type { Tensor } from '../tensor/tensor.js';
import { isFloat } from '../types/dtype.js';

/** Everything the reverse loop and the gradients of the scan's inputs are built from. */
interface Backward {
  readonly p: ScanParams;
  readonly T: GradBuilder;
  readonly layout: ReturnType<typeof inputLayout>;
  readonly lags: number[];
  readonly seqs: Tensor[];
  readonly inits: Tensor[];
  readonly nonSeqs: Tensor[];
  /** the steps actually run (fewer than nSteps after an until), and the last of them the reverse loop covers */
  readonly steps: Tensor;
  readonly backSteps: Tensor;
  readonly truncated: boolean;
  /** the first forward step the reverse loop covers (0 unless truncated) */
  readonly firstCovered: Tensor | 0;
  /** recurrent outputs that carry an adjoint window, float non-sequences that accumulate, float sequences */
  readonly windowed: number[];
  readonly accumulated: number[];
  readonly floatSeqs: number[];
  readonly tapCount: number;
  /** the reverse loop's sequences in forward order: rows, taps, the cost's gradients (indices in the maps) */
  readonly backSeqs: Tensor[];
  readonly gyIndex: Map<number, number>;
  readonly gzIndex: Map<number, number>;
}

const floatIn = (v: Variable) => isFloat(v.type.dtype);
const rowsOf = (T: GradBuilder, x: Tensor, from: Tensor | number, to: Tensor | number) =>
  T.getItem(x, [T.slice(from as never, to as never)]);
/** A window of one row (taps [-1]) is carried as that row itself: a scalar state's reverse loop stays scalar. */
const singleRow = (b: Backward, r: number) => b.lags[r] === 1;

/** The reverse loop's plan, or null when no output the cost reads carries an adjoint. */
function backwardPlan(
  { inputs, outputs, grads, params: p }: PullbackArgs<ScanParams>,
  T: GradBuilder,
): Backward | null {
  const layout = inputLayout(p);
  const nRec = p.recurrent.length;
  const lags = p.recurrent.map(lagOf);
  const seqs = inputs.slice(layout.seqs, layout.inits);
  const steps = (nRec > 0 ? T.sub(T.shape(outputs[0]!, 0), lags[0]!) : T.shape(outputs[0]!, 0)) as Tensor;
  const truncated = p.truncateGradient > 0;
  const backSteps = truncated ? (T.minimum(steps, p.truncateGradient) as Tensor) : steps;
  // which outputs carry an adjoint: float ones (recurrent: always, the window; others: when the cost reads them)
  const adjointRec = p.recurrent.map((_, r) => floatIn(p.step.outputs[r]!));
  const nitSotGrads = grads
    .slice(nRec, nRec + p.nNitSot)
    .map((g, j) => (g && floatIn(p.step.outputs[nRec + j]!) ? g : null));
  if (!adjointRec.some((a) => a) && nitSotGrads.every((g) => g === null)) return null;
  const rows = (x: Tensor, from: Tensor | number, to: Tensor | number) => rowsOf(T, x, from, to);
  const backSeqs: Tensor[] = [
    ...seqs.map((s) => rows(s, 0, steps)),
    ...p.recurrent.flatMap((info, r) =>
      info.taps.map((tap) => rows(outputs[r]!, lags[r]! + tap, T.add(steps, lags[r]! + tap) as Tensor)),
    ),
  ];
  const gyIndex = new Map<number, number>();
  p.recurrent.forEach((_, r) => {
    const g = grads[r];
    if (g && adjointRec[r]) gyIndex.set(r, backSeqs.push(rows(g, lags[r]!, null as never)) - 1);
  });
  const gzIndex = new Map<number, number>();
  nitSotGrads.forEach((g, j) => {
    if (g) gzIndex.set(j, backSeqs.push(g) - 1);
  });
  const nonSeqs = inputs.slice(layout.nonSeqs, layout.end);
  return {
    ...{ p, T, layout, lags, seqs, nonSeqs, steps, backSteps, truncated, backSeqs, gyIndex, gzIndex },
    inits: inputs.slice(layout.inits, layout.nonSeqs),
    firstCovered: truncated ? (T.sub(steps, backSteps) as Tensor) : 0,
    windowed: p.recurrent.map((_, r) => r).filter((r) => adjointRec[r]),
    accumulated: nonSeqs.map((_, i) => i).filter((i) => floatIn(nonSeqs[i]!)),
    floatSeqs: seqs.map((_, j) => j).filter((j) => floatIn(seqs[j]!)),
    tapCount: p.recurrent.reduce((n, info) => n + info.taps.length, 0),
  };
}

/**
 * One reverse step's vector-Jacobian product: the forward step rebuilt on this step's values (non-sequences stay
 * the outer ones: the op captures them), and d, the adjoint of each of its float inputs by input position.
 */
function stepAdjoints(b: Backward, args: readonly Tensor[], windows: readonly Tensor[]): Map<number, Tensor> {
  const { p, T } = b;
  const seqRows = args.slice(0, p.nSequences);
  const tapRows = args.slice(p.nSequences, p.nSequences + b.tapCount);
  const replacements = new Map<Variable, Variable>();
  const forwardValues = [...seqRows, ...tapRows, ...b.nonSeqs];
  p.step.inputs.forEach((v, i) => replacements.set(v, forwardValues[i]!));
  const outs = copyGraph(p.step.outputs, replacements) as Tensor[];
  const fs: Tensor[] = [];
  const points: Tensor[] = [];
  b.windowed.forEach((r, w) => {
    const owed = singleRow(b, r) ? windows[w]! : T.getItem(windows[w]!, [b.lags[r]! - 1]);
    const gi = b.gyIndex.get(r);
    const a = gi === undefined ? owed : T.add(args[gi]!, owed);
    fs.push(outs[r]!);
    points.push(a.dtype === outs[r]!.dtype ? a : T.cast(a, outs[r]!.dtype));
  });
  b.gzIndex.forEach((k, j) => {
    fs.push(outs[p.recurrent.length + j]!);
    points.push(args[k]!);
  });
  const wrtIndex = forwardValues.map((_, i) => i).filter((i) => floatIn(p.step.inputs[i]!));
  const ds = lopOf(T)(
    fs,
    wrtIndex.map((i) => forwardValues[i]!),
    points,
  );
  return new Map(wrtIndex.map((i, k) => [i, ds[k]!]));
}

/** The windows moved one row back, each row taking the contributions of the taps that read it. */
function movedWindows(b: Backward, windows: readonly Tensor[], d: Map<number, Tensor>): Tensor[] {
  const { p, T } = b;
  let tapBase = p.nSequences;
  const tapStart = p.recurrent.map((info) => {
    const start = tapBase;
    tapBase += info.taps.length;
    return start;
  });
  return b.windowed.map((r, w) => {
    const lag = b.lags[r]!;
    const window = windows[w]!;
    const newRows: Tensor[] = [];
    for (let i = 0; i < lag; i++) {
      let row: Tensor | null = i >= 1 ? T.getItem(window, [i - 1]) : null; // (never for a single row)
      p.recurrent[r]!.taps.forEach((tap, k) => {
        if (lag + tap !== i) return;
        const contribution = d.get(tapStart[r]! + k);
        if (contribution) row = row ? T.add(row, contribution) : contribution;
      });
      newRows.push(row ?? T.zerosLike(singleRow(b, r) ? window : T.getItem(window, [0])));
    }
    return singleRow(b, r)
      ? newRows[0]!
      : T.concatenate(
          newRows.map((x) => T.expandDims(x, 0)),
          0,
        );
  });
}

/** The reverse loop (a scan over the covered steps, last first): its raw outputs. */
function reverseLoop(b: Backward, outputs: readonly Tensor[]): Tensor[] {
  const { p, T } = b;
  const reversed = b.backSeqs.map((s) => T.getItem(rowsOf(T, s, b.firstCovered, b.steps), [T.slice(null, null, -1)]));
  const windowInit = b.windowed.map((r) =>
    T.expandDims(
      singleRow(b, r) ? T.zerosLike(T.getItem(outputs[r]!, [0])) : T.zerosLike(rowsOf(T, outputs[r]!, 0, b.lags[r]!)),
      0,
    ),
  );
  const accInit = b.accumulated.map((i) => T.expandDims(T.zerosLike(b.nonSeqs[i]!), 0));
  const nBackSeqs = b.backSeqs.length;
  const nWindows = b.windowed.length;
  return buildScan({
    name: `grad_of_${p.name}`,
    nSteps: b.backSteps,
    sequences: reversed,
    recurrent: [...windowInit, ...accInit].map((initial) => ({ initial, taps: [-1] })),
    nonSequences: b.nonSeqs,
    truncateGradient: -1,
    strict: false,
    step: (args) => {
      const windows = args.slice(nBackSeqs, nBackSeqs + nWindows);
      const accs = args.slice(nBackSeqs + nWindows, nBackSeqs + nWindows + b.accumulated.length);
      const d = stepAdjoints(b, args, windows);
      const newAccs = b.accumulated.map((i, a) => T.add(accs[a]!, d.get(p.nSequences + b.tapCount + i)!));
      const dxs = b.floatSeqs.map((j) => d.get(j)!);
      return { recurrent: [...movedWindows(b, windows, d), ...newAccs], nitSot: dxs };
    },
  });
}

/**
 * The gradients of the scan's inputs from the reverse loop's outputs: sequences get its rows back in forward
 * order at the steps it covered; initial values the cost's own gradient on their rows plus the window left after
 * the first step; non-sequences the accumulated sums.
 */
function inputGradients(
  b: Backward,
  raw: readonly Tensor[],
  grads: PullbackArgs<ScanParams>['grads'],
  nInputs: number,
) {
  const { p, T, layout } = b;
  const last = (x: Tensor) => T.getItem(x, [-1]);
  const result: (Tensor | null)[] = Array.from({ length: nInputs }, () => null);
  const nWindows = b.windowed.length;
  b.floatSeqs.forEach((j, k) => {
    const dx = T.getItem(raw[nWindows + b.accumulated.length + k]!, [T.slice(null, null, -1)]);
    result[layout.seqs + j] = T.incSubtensor(rowsOf(T, T.zerosLike(b.seqs[j]!), b.firstCovered, b.steps), dx);
  });
  b.windowed.forEach((r, w) => {
    const lag = b.lags[r]!;
    let owed = singleRow(b, r) ? T.expandDims(last(raw[w]!), 0) : last(raw[w]!);
    if (b.truncated) owed = T.switch(T.le(b.steps, p.truncateGradient), owed, T.zerosLike(owed));
    const g = grads[r];
    const total = g ? T.add(rowsOf(T, g, 0, lag), owed) : owed;
    result[layout.inits + r] = T.incSubtensor(rowsOf(T, T.zerosLike(b.inits[r]!), 0, lag), total);
  });
  b.accumulated.forEach((i, a) => {
    result[layout.nonSeqs + i] = last(raw[nWindows + a]!);
  });
  return result;
}

export function scanPullback(args: PullbackArgs<ScanParams>, T: GradBuilder): (Tensor | null)[] {
  const b = backwardPlan(args, T);
  if (b === null) return args.inputs.map(() => null);
  const raw = reverseLoop(b, args.outputs);
  return inputGradients(b, raw, args.grads, args.inputs.length);
}
