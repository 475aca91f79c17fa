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

export function scanPullback(
  { inputs, outputs, grads, params: p }: PullbackArgs<ScanParams>,
  T: GradBuilder,
): (Tensor | null)[] {
  const G = T;
  const lop = lopOf(T);
  const layout = inputLayout(p);
  const nRec = p.recurrent.length;
  const lags = p.recurrent.map(lagOf);
  const seqs = inputs.slice(layout.seqs, layout.inits);
  const inits = inputs.slice(layout.inits, layout.nonSeqs);
  const nonSeqs = inputs.slice(layout.nonSeqs, layout.end);
  const stepInputs = p.step.inputs;
  const floatIn = (v: Variable) => isFloat(v.type.dtype);
  const rows = (x: Tensor, from: Tensor | number, to: Tensor | number) =>
    G.getItem(x, [G.slice(from as never, to as never)]);

  // the steps actually run (fewer than nSteps after an until)
  const steps = (nRec > 0 ? T.sub(T.shape(outputs[0]!, 0), lags[0]!) : T.shape(outputs[0]!, 0)) as Tensor;
  const truncated = p.truncateGradient > 0;
  const backSteps = truncated ? T.minimum(steps, p.truncateGradient) : steps;

  // which outputs carry an adjoint: float ones (recurrent: always, the window; others: when the cost reads them)
  const adjointRec = p.recurrent.map((_, r) => floatIn(p.step.outputs[r]!));
  const nitSotGrads = grads
    .slice(nRec, nRec + p.nNitSot)
    .map((g, j) => (g && floatIn(p.step.outputs[nRec + j]!) ? g : null));
  if (!adjointRec.some((a) => a) && nitSotGrads.every((g) => g === null)) return inputs.map(() => null);

  // the reverse loop's sequences, in forward order (it runs backwards): rows, taps, the cost's gradients
  const tapCount = p.recurrent.reduce((n, info) => n + info.taps.length, 0);
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
  // the reverse loop covers the last backSteps forward steps (all of them unless truncated)
  const firstCovered = truncated ? (T.sub(steps, backSteps) as Tensor) : 0;
  const reversed = backSeqs.map((s) => G.getItem(rows(s, firstCovered, steps), [G.slice(null, null, -1)]));

  // the carried windows and accumulators
  const windowed = p.recurrent.map((_, r) => r).filter((r) => adjointRec[r]);
  const accumulated = nonSeqs.map((_, i) => i).filter((i) => floatIn(nonSeqs[i]!));
  // a window of one row (taps [-1]) is carried as that row itself: a scalar state's reverse loop stays scalar
  const single = (r: number) => lags[r] === 1;
  const windowInit = windowed.map((r) =>
    T.expandDims(single(r) ? T.zerosLike(G.getItem(outputs[r]!, [0])) : T.zerosLike(rows(outputs[r]!, 0, lags[r]!)), 0),
  );
  const accInit = accumulated.map((i) => T.expandDims(T.zerosLike(nonSeqs[i]!), 0));
  const floatSeqs = seqs.map((_, j) => j).filter((j) => floatIn(seqs[j]!));

  const raw = buildScan({
    name: `grad_of_${p.name}`,
    nSteps: backSteps,
    sequences: reversed,
    recurrent: [...windowInit, ...accInit].map((initial) => ({ initial, taps: [-1] })),
    nonSequences: nonSeqs,
    truncateGradient: -1,
    strict: false,
    step: (args) => {
      const seqRows = args.slice(0, p.nSequences);
      const tapRows = args.slice(p.nSequences, p.nSequences + tapCount);
      const at = (k: number) => args[k]!;
      const nBackSeqs = backSeqs.length;
      const windows = args.slice(nBackSeqs, nBackSeqs + windowed.length);
      const accs = args.slice(nBackSeqs + windowed.length, nBackSeqs + windowed.length + accumulated.length);
      // the forward step, rebuilt on this step's values (non-sequences stay the outer ones: the op captures them)
      const replacements = new Map<Variable, Variable>();
      const forwardValues = [...seqRows, ...tapRows, ...nonSeqs];
      stepInputs.forEach((v, i) => replacements.set(v, forwardValues[i]!));
      const outs = copyGraph(p.step.outputs, replacements) as Tensor[];
      const fs: Tensor[] = [];
      const points: Tensor[] = [];
      windowed.forEach((r, w) => {
        const owed = single(r) ? windows[w]! : G.getItem(windows[w]!, [lags[r]! - 1]);
        const gi = gyIndex.get(r);
        const a = gi === undefined ? owed : T.add(at(gi), owed);
        fs.push(outs[r]!);
        points.push(a.dtype === outs[r]!.dtype ? a : T.cast(a, outs[r]!.dtype));
      });
      gzIndex.forEach((k, j) => {
        fs.push(outs[nRec + j]!);
        points.push(at(k));
      });
      const wrtIndex = forwardValues.map((_, i) => i).filter((i) => floatIn(stepInputs[i]!));
      const d = new Map<number, Tensor>();
      const ds = lop(
        fs,
        wrtIndex.map((i) => forwardValues[i]!),
        points,
      );
      wrtIndex.forEach((i, k) => d.set(i, ds[k]!));
      // the windows move one row back and take the taps' contributions
      let tapBase = p.nSequences;
      const tapStart = p.recurrent.map((info) => {
        const start = tapBase;
        tapBase += info.taps.length;
        return start;
      });
      const newWindows = windowed.map((r, w) => {
        const lag = lags[r]!;
        const info = p.recurrent[r]!;
        const window = windows[w]!;
        const newRows: Tensor[] = [];
        for (let i = 0; i < lag; i++) {
          let row: Tensor | null = i >= 1 ? G.getItem(window, [i - 1]) : null; // (never for a single row)
          info.taps.forEach((tap, k) => {
            if (lag + tap !== i) return;
            const contribution = d.get(tapStart[r]! + k);
            if (contribution) row = row ? T.add(row, contribution) : contribution;
          });
          newRows.push(row ?? T.zerosLike(single(r) ? window : G.getItem(window, [0])));
        }
        return single(r)
          ? newRows[0]!
          : T.concatenate(
              newRows.map((x) => T.expandDims(x, 0)),
              0,
            );
      });
      const newAccs = accumulated.map((i, a) => T.add(accs[a]!, d.get(p.nSequences + tapCount + i)!));
      const dxs = floatSeqs.map((j) => d.get(j)!);
      return { recurrent: [...newWindows, ...newAccs], nitSot: dxs };
    },
  });

  const last = (x: Tensor) => G.getItem(x, [-1]);
  const result: (Tensor | null)[] = inputs.map(() => null);
  // sequences: the reverse loop's rows, back in forward order, at the steps it covered
  floatSeqs.forEach((j, k) => {
    const dx = G.getItem(raw[windowed.length + accumulated.length + k]!, [G.slice(null, null, -1)]);
    const seq = seqs[j]!;
    result[layout.seqs + j] = T.incSubtensor(rows(T.zerosLike(seq), firstCovered, steps), dx);
  });
  // initial values: the cost's own gradient on the initial rows, plus the window left after the first step
  windowed.forEach((r, w) => {
    const lag = lags[r]!;
    let owed = single(r) ? T.expandDims(last(raw[w]!), 0) : last(raw[w]!);
    if (truncated) owed = T.switch(T.le(steps, p.truncateGradient), owed, T.zerosLike(owed));
    const g = grads[r];
    const total = g ? T.add(rows(g, 0, lag), owed) : owed;
    result[layout.inits + r] = T.incSubtensor(rows(T.zerosLike(inits[r]!), 0, lag), total);
  });
  accumulated.forEach((i, a) => {
    result[layout.nonSeqs + i] = last(raw[windowed.length + a]!);
  });
  return result;
}
