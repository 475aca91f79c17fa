/**
 * Scan rewrites, as PyTensor has them (pytensor/scan/rewriting.py), written as global passes: each replaces a
 * scan node by a new one with another step graph and another layout. They run after `inner_graphs`, so the step
 * graph they read is already optimized by the same pipeline.
 *
 * - `scan_remove_unused`: outputs nobody reads are not computed (a recurrent output stays while another kept
 *   output reads its taps), and inputs the step no longer reads are dropped;
 * - `scan_pushout_invariants`: step nodes computed from non-sequences and constants only (`dot(x_t, W.T)`'s
 *   `W.T`, `exp(b)`) are loop-invariant: they move out of the loop, computed once, and enter as new non-sequences;
 * - `scan_merge`: two scans that provably run the same steps in the same direction, neither reading the other's
 *   outputs, become one scan whose step computes both steps side by side: a sequence (or non-sequence) both read
 *   enters once, and what both steps compute is computed once per step;
 * - `scan_save_mem`: an output read only at its last step (`outputs[-1]`, a `reduce`/`foldl`) is kept as its
 *   last row only, so the loop needs memory for its taps, not for every step.
 */
import { FunctionGraph } from '../../graph/function-graph.js';
import { copyGraph } from '../../graph/function-graph.js';
import { toposort } from '../../graph/traversal.js';
import { Apply, type Variable } from '../../graph/variable.js';
import { placeholderFor } from '../../ops/inner-graph.js';
import { inputLayout, lagOf, type RecurrentInfo, type ScanParams } from '../../ops/scan.js';
import type { SubtensorParams } from '../../ops/subtensor.js';
import type { Pass, PassContext } from '../engine.js';
import { mergePass } from '../merge.js';

/** A scan node taken apart: outer inputs and step-graph variables, by role. */
interface ScanParts {
  nSteps: Variable;
  seqs: Variable[];
  inits: Variable[];
  nonSeqs: Variable[];
  seqIn: Variable[];
  tapIn: Variable[][];
  nonSeqIn: Variable[];
  recurrent: RecurrentInfo[];
  recOut: Variable[];
  nitOut: Variable[];
  until: Variable | null;
  /** For each output of the node being built: the output of the old node it replaces (null: none). */
  replaces: (Variable | null)[];
}

function partsOf(node: Apply<ScanParams>): ScanParts {
  const p = node.params;
  const layout = inputLayout(p);
  const inputs = p.step.inputs;
  let k = p.nSequences;
  const tapIn = p.recurrent.map((info) => {
    const taps = inputs.slice(k, k + info.taps.length);
    k += info.taps.length;
    return taps;
  });
  const nRec = p.recurrent.length;
  return {
    nSteps: node.inputs[0]!,
    seqs: node.inputs.slice(layout.seqs, layout.inits),
    inits: node.inputs.slice(layout.inits, layout.nonSeqs),
    nonSeqs: node.inputs.slice(layout.nonSeqs, layout.end),
    seqIn: inputs.slice(0, p.nSequences),
    tapIn,
    nonSeqIn: inputs.slice(k),
    recurrent: [...p.recurrent],
    recOut: p.step.outputs.slice(0, nRec),
    nitOut: p.step.outputs.slice(nRec, nRec + p.nNitSot),
    until: p.hasUntil ? p.step.outputs[nRec + p.nNitSot]! : null,
    replaces: [...node.outputs],
  };
}

/**
 * A new scan node from `parts` (its step graph copied from the old one, with `replacements` inside), replacing the
 * old outputs it stands for; each replaced output is recorded as a rewrite by `rule`.
 */
function rebuild(
  graph: FunctionGraph,
  ctx: PassContext,
  node: Apply<ScanParams>,
  parts: ScanParts,
  rule: string,
  replacements: ReadonlyMap<Variable, Variable> = new Map(),
  extra: Partial<ScanParams> = {},
): Apply<ScanParams> {
  const p = node.params;
  const stepInputs = [...parts.seqIn, ...parts.tapIn.flat(), ...parts.nonSeqIn];
  const stepOutputs = [...parts.recOut, ...parts.nitOut, ...(parts.until ? [parts.until] : [])];
  const step = new FunctionGraph(stepInputs, stepOutputs, replacements);
  const params: ScanParams = {
    ...p,
    nSequences: parts.seqs.length,
    recurrent: parts.recurrent,
    nNitSot: parts.nitOut.length,
    nNonSequences: parts.nonSeqs.length,
    step,
    ...extra,
  };
  const inputs = [parts.nSteps, ...parts.seqs, ...parts.inits, ...parts.nonSeqs];
  const types = node.op.inferType(
    inputs.map((v) => v.type),
    params,
  );
  const rebuilt: Apply<ScanParams> = new Apply(node.op, params, inputs, (n) =>
    types.map((t, i) => {
      const old = parts.replaces[i];
      const o = (old ?? node.outputs[0]!).cloneWith(n as Apply, i);
      return Object.assign(o, { type: t });
    }),
  );
  parts.replaces.forEach((old, i) => {
    if (!old || graph.clients(old).length === 0) return;
    const replacement = rebuilt.outputs[i]!;
    graph.replace(old, replacement);
    ctx.record({ pass: rule, rule, before: old, after: replacement });
  });
  return rebuilt;
}

const scanNodes = (graph: FunctionGraph): Apply<ScanParams>[] =>
  graph.toposort().filter((n) => n.op.name === 'scan') as Apply<ScanParams>[];

/** The step-graph variables the given step outputs read (placeholders and computed variables). */
function readBy(step: FunctionGraph, outputs: readonly Variable[]): Set<Variable> {
  const read = new Set<Variable>(outputs);
  for (const n of toposort(outputs, new Set(step.inputs))) for (const i of n.inputs) read.add(i);
  return read;
}

// ------------------------------------------------------------------------------------------- remove unused

/** Drops outputs nobody reads (and the recurrent state only they needed) and inputs the step does not read. */
function removeUnused(graph: FunctionGraph, ctx: PassContext, node: Apply<ScanParams>): void {
  const parts = partsOf(node);
  const nRec = parts.recurrent.length;
  const used = node.outputs.map((o) => graph.clients(o).length > 0);
  const keepRec = parts.recOut.map((_, r) => used[r]!);
  const keepNit = parts.nitOut.map((_, j) => used[nRec + j]!);
  // a recurrent output stays while a kept output (or until) reads one of its taps
  for (;;) {
    const needed = [...parts.recOut.filter((_, r) => keepRec[r]), ...parts.nitOut.filter((_, j) => keepNit[j])];
    if (parts.until) needed.push(parts.until);
    const read = readBy(node.params.step, needed);
    const more = parts.tapIn.findIndex((taps, r) => !keepRec[r] && taps.some((t) => read.has(t)));
    if (more < 0) break;
    keepRec[more] = true;
  }
  const kept = [...parts.recOut.filter((_, r) => keepRec[r]), ...parts.nitOut.filter((_, j) => keepNit[j])];
  if (parts.until) kept.push(parts.until);
  const read = readBy(node.params.step, kept);
  const keepSeq = parts.seqIn.map((v) => read.has(v));
  const keepNonSeq = parts.nonSeqIn.map((v) => read.has(v));
  const unchanged = [...keepRec, ...keepNit, ...keepSeq, ...keepNonSeq].every((k) => k);
  if (unchanged || kept.length === 0) return;
  const pick = <T>(list: readonly T[], keep: readonly boolean[]) => list.filter((_, i) => keep[i]);
  const reduced: ScanParts = {
    ...parts,
    seqs: pick(parts.seqs, keepSeq),
    seqIn: pick(parts.seqIn, keepSeq),
    inits: pick(parts.inits, keepRec),
    tapIn: pick(parts.tapIn, keepRec),
    recurrent: pick(parts.recurrent, keepRec),
    recOut: pick(parts.recOut, keepRec),
    nitOut: pick(parts.nitOut, keepNit),
    nonSeqs: pick(parts.nonSeqs, keepNonSeq),
    nonSeqIn: pick(parts.nonSeqIn, keepNonSeq),
    replaces: [...pick(node.outputs.slice(0, nRec), keepRec), ...pick(node.outputs.slice(nRec), keepNit)],
  };
  rebuild(graph, ctx, node, reduced, 'scan_remove_unused');
}

export const scanRemoveUnusedPass: Pass = {
  name: 'scan_remove_unused',
  tags: ['scan', 'fast_run'],
  run(graph, ctx) {
    if (!ctx.enabled('scan_remove_unused', ['scan', 'fast_run'])) return;
    for (const node of scanNodes(graph)) removeUnused(graph, ctx, node);
  },
};

// ------------------------------------------------------------------------------------ loop-invariant code

/**
 * Moves the step's loop-invariant computation out: a variable computed from non-sequences and constants only
 * is computed once, outside, from the outer non-sequences, and the step reads it as a new non-sequence. Only
 * the frontier moves (the invariant variables a varying node or a step output reads); what they need comes along.
 */
function pushOut(graph: FunctionGraph, ctx: PassContext, node: Apply<ScanParams>): void {
  const parts = partsOf(node);
  const step = node.params.step;
  const invariant = new Set<Variable>(parts.nonSeqIn);
  const isInvariant = (v: Variable) => invariant.has(v) || (v.owner === null && v.isConstant);
  const frontier = new Set<Variable>();
  const order = step.toposort();
  for (const n of order) if (n.inputs.every(isInvariant)) for (const o of n.outputs) invariant.add(o);
  for (const n of order) {
    if (n.outputs.some((o) => invariant.has(o))) continue;
    for (const i of n.inputs) if (i.owner && invariant.has(i)) frontier.add(i);
  }
  for (const o of step.outputs) if (o.owner && invariant.has(o)) frontier.add(o);
  if (frontier.size === 0) return;
  const hoisted = [...frontier];
  const outerOf = new Map<Variable, Variable>(parts.nonSeqIn.map((v, i) => [v, parts.nonSeqs[i]!]));
  const outer = copyGraph(hoisted, outerOf);
  const placeholders = outer.map((v) => placeholderFor(v));
  const replacements = new Map<Variable, Variable>(hoisted.map((v, i) => [v, placeholders[i]!]));
  const moved: ScanParts = {
    ...parts,
    nonSeqs: [...parts.nonSeqs, ...outer],
    nonSeqIn: [...parts.nonSeqIn, ...placeholders],
  };
  rebuild(graph, ctx, node, moved, 'scan_pushout_invariants', replacements);
}

export const scanPushoutPass: Pass = {
  name: 'scan_pushout_invariants',
  tags: ['scan', 'fast_run'],
  run(graph, ctx) {
    if (!ctx.enabled('scan_pushout_invariants', ['scan', 'fast_run'])) return;
    for (const node of scanNodes(graph)) pushOut(graph, ctx, node);
  },
};

// ------------------------------------------------------------------------------------------------- merge

/** Whether two constants hold the same values (dtype and shape included). */
function sameConstant(a: Variable, b: Variable): boolean {
  const x = a.data!;
  const y = b.data!;
  if (a.type.dtype !== b.type.dtype || x.shape.length !== y.shape.length) return false;
  if (x.shape.some((d, i) => d !== y.shape[i])) return false;
  for (let i = 0; i < x.size; i++) if (x.item(i) !== y.item(i)) return false;
  return true;
}

/**
 * Whether `a` and `b` provably compute the same value: the same variable, equal constants, leaves that `leafA` and
 * `leafB` map to the same variable, or the same op with the same params applied to inputs that are (recursively)
 * the same. Iterative over `a`'s graph (a long chain cannot overflow the stack).
 */
function sameComputation(
  a: Variable,
  b: Variable,
  leafA: ReadonlyMap<Variable, Variable> = new Map(),
  leafB: ReadonlyMap<Variable, Variable> = new Map(),
): boolean {
  const pairs: [Variable, Variable][] = [[a, b]];
  const checked = new Map<Variable, Variable>();
  while (pairs.length > 0) {
    const [x, y] = pairs.pop()!;
    if (x === y && !leafA.has(x) && !leafB.has(y)) continue;
    if (checked.get(x) === y) continue;
    checked.set(x, y);
    const mx = leafA.get(x);
    const my = leafB.get(y);
    if (mx !== undefined || my !== undefined) {
      if (mx === undefined || mx !== my) return false;
      continue;
    }
    if (x.isConstant || y.isConstant) {
      if (!(x.isConstant && y.isConstant && sameConstant(x, y))) return false;
      continue;
    }
    const nx = x.owner;
    const ny = y.owner;
    if (!nx || !ny || nx.op !== ny.op || x.index !== y.index || nx.inputs.length !== ny.inputs.length) return false;
    const key = nx.op.paramsKey;
    const sameParams = key
      ? key(nx.params as never) === key(ny.params as never)
      : nx.params === ny.params || (nx.params === undefined && ny.params === undefined);
    if (!sameParams) return false;
    nx.inputs.forEach((i, k) => pairs.push([i, ny.inputs[k]!]));
  }
  return true;
}

/** A scan's placeholders that stand for one outer variable (sequences and non-sequences; taps stand for none). */
function outerOfPlaceholders(parts: ScanParts): Map<Variable, Variable> {
  const map = new Map<Variable, Variable>();
  parts.seqIn.forEach((v, i) => map.set(v, parts.seqs[i]!));
  parts.nonSeqIn.forEach((v, i) => map.set(v, parts.nonSeqs[i]!));
  return map;
}

/** The order a scan reads its sequences in: 1 forward, -1 backward (`goBackwards`), 0 mixed or unknown, null none. */
function directionOf(parts: ScanParts): 1 | -1 | 0 | null {
  if (parts.seqs.length === 0) return null;
  const steps = parts.seqs.map((s) => {
    const owner = s.owner;
    if (!owner || owner.op.name !== 'subtensor') return 1;
    const first = (owner.params as SubtensorParams).index.entries[0];
    if (first?.kind !== 'slice' || first.step === null) return 1;
    return typeof first.step === 'number' ? Math.sign(first.step) : 0;
  });
  return steps.every((d) => d === steps[0]) ? (steps[0] as 1 | -1 | 0) : 0;
}

/** Whether scans `a` and `b` can become one: the same steps, direction, truncation and stopping condition. */
function compatible(a: Apply<ScanParams>, b: Apply<ScanParams>, pa: ScanParts, pb: ScanParts): boolean {
  const p = a.params;
  const q = b.params;
  if (p.hasUntil !== q.hasUntil || p.truncateGradient !== q.truncateGradient) return false;
  // the same steps: the same nSteps computation (equal sequences' lengths are one: canonicalize reads the length
  // of exp(x) as x's, `shape_i_from_inputs`, and merge makes both reads one variable)
  if (!sameComputation(pa.nSteps, pb.nSteps)) return false;
  const da = directionOf(pa);
  const db = directionOf(pb);
  if (da === 0 || db === 0 || (da !== null && db !== null && da !== db)) return false;
  // the step graphs must be distinct graphs (one placeholder cannot stand for two inputs)
  const inputsA = new Set(p.step.inputs);
  if (q.step.inputs.some((v) => inputsA.has(v))) return false;
  // with until, the same condition over the same outer variables (a condition reading a tap is never proved equal)
  if (pa.until && pb.until)
    return sameComputation(pa.until, pb.until, outerOfPlaceholders(pa), outerOfPlaceholders(pb));
  return true;
}

/**
 * `a` and `b` (`b` after `a`, not reading it) as one scan: sequences, recurrent outputs, nit-sot outputs and
 * non-sequences of `a` then of `b`, a sequence or non-sequence of `b` that `a` reads too entering once; the step
 * graph computes both steps, and the merge pass then computes what they share once.
 */
function mergeScans(graph: FunctionGraph, ctx: PassContext, a: Apply<ScanParams>, b: Apply<ScanParams>): void {
  const pa = partsOf(a);
  const pb = partsOf(b);
  const replacements = new Map<Variable, Variable>();
  /** `b`'s outer variables and placeholders of one kind, without those `a` already has (mapped to `a`'s). */
  const shared = (outerA: Variable[], innerA: Variable[], outerB: Variable[], innerB: Variable[]) => {
    const outer: Variable[] = [];
    const inner: Variable[] = [];
    outerB.forEach((v, i) => {
      const k = outerA.indexOf(v);
      if (k >= 0 && innerA[k]!.type.equals(innerB[i]!.type)) replacements.set(innerB[i]!, innerA[k]!);
      else {
        outer.push(v);
        inner.push(innerB[i]!);
      }
    });
    return { outer, inner };
  };
  const seqs = shared(pa.seqs, pa.seqIn, pb.seqs, pb.seqIn);
  const nonSeqs = shared(pa.nonSeqs, pa.nonSeqIn, pb.nonSeqs, pb.nonSeqIn);
  const nRecA = pa.recurrent.length;
  const nRecB = pb.recurrent.length;
  const merged: ScanParts = {
    nSteps: pa.nSteps,
    seqs: [...pa.seqs, ...seqs.outer],
    seqIn: [...pa.seqIn, ...seqs.inner],
    inits: [...pa.inits, ...pb.inits],
    tapIn: [...pa.tapIn, ...pb.tapIn],
    recurrent: [...pa.recurrent, ...pb.recurrent],
    recOut: [...pa.recOut, ...pb.recOut],
    nitOut: [...pa.nitOut, ...pb.nitOut],
    nonSeqs: [...pa.nonSeqs, ...nonSeqs.outer],
    nonSeqIn: [...pa.nonSeqIn, ...nonSeqs.inner],
    until: pa.until,
    replaces: [
      ...a.outputs.slice(0, nRecA),
      ...b.outputs.slice(0, nRecB),
      ...a.outputs.slice(nRecA),
      ...b.outputs.slice(nRecB),
    ],
  };
  const keep = (node: Apply<ScanParams>, n: number) => node.params.keepLast ?? new Array<boolean>(n).fill(false);
  const keepA = keep(a, a.outputs.length);
  const keepB = keep(b, b.outputs.length);
  const keepLast =
    a.params.keepLast || b.params.keepLast
      ? [...keepA.slice(0, nRecA), ...keepB.slice(0, nRecB), ...keepA.slice(nRecA), ...keepB.slice(nRecB)]
      : undefined;
  const name = a.params.name === 'scan' && b.params.name === 'scan' ? 'scan' : `${a.params.name}&${b.params.name}`;
  const rebuilt = rebuild(graph, ctx, a, merged, 'scan_merge', replacements, { name, keepLast });
  // what both steps compute (the same row's function, a shared non-sequence's transpose) is computed once
  mergePass.run(rebuilt.params.step, { enabled: ctx.enabled, record: () => {} });
}

/** The first pair of scans that can merge: compatible, and the later one not reading the earlier one's outputs. */
function mergeablePair(graph: FunctionGraph): [Apply<ScanParams>, Apply<ScanParams>] | null {
  const nodes = scanNodes(graph);
  if (nodes.length < 2) return null;
  const parts = new Map(nodes.map((n) => [n, partsOf(n)]));
  for (let j = 1; j < nodes.length; j++) {
    const b = nodes[j]!;
    let upstream: Set<Apply> | undefined;
    for (let i = 0; i < j; i++) {
      const a = nodes[i]!;
      if (!compatible(a, b, parts.get(a)!, parts.get(b)!)) continue;
      upstream ??= new Set(toposort(b.inputs));
      if (!upstream.has(a as Apply)) return [a, b];
    }
  }
  return null;
}

export const scanMergePass: Pass = {
  name: 'scan_merge',
  tags: ['scan', 'fast_run'],
  run(graph, ctx) {
    if (!ctx.enabled('scan_merge', ['scan', 'fast_run'])) return;
    for (let pair = mergeablePair(graph); pair; pair = mergeablePair(graph)) mergeScans(graph, ctx, ...pair);
  },
};

// ------------------------------------------------------------------------------------------ last step only

/** `x[-1, ...]`: a subtensor whose first index is the integer -1 (the last row). */
function readsLastRow(node: Apply | 'output'): boolean {
  if (node === 'output' || node.op.name !== 'subtensor') return false;
  const first = (node.params as SubtensorParams).index.entries[0];
  return first?.kind === 'int' && first.index === -1;
}

/** `x[lag:]`: a subtensor taking every row from `lag` on (what a recurrent output's users read of its buffer). */
function dropsInitialRows(node: Apply | 'output', lag: number): boolean {
  if (node === 'output' || node.op.name !== 'subtensor') return false;
  const entries = (node.params as SubtensorParams).index.entries;
  const first = entries[0];
  return (
    entries.length === 1 && first?.kind === 'slice' && first.start === lag && first.stop === null && first.step === null
  );
}

/**
 * The nodes reading the last row of scan output `out`, when that is all anything reads of it (directly, or
 * through the `[lag:]` slice of a recurrent buffer); null otherwise.
 */
function lastRowReaders(graph: FunctionGraph, out: Variable, lag: number | null): Apply<SubtensorParams>[] | null {
  const readers: Apply<SubtensorParams>[] = [];
  for (const c of graph.clients(out)) {
    if (c.node === 'output') return null;
    if (c.index === 0 && readsLastRow(c.node)) readers.push(c.node as Apply<SubtensorParams>);
    else if (c.index === 0 && lag !== null && dropsInitialRows(c.node, lag)) {
      for (const cc of graph.clients(c.node.outputs[0]!)) {
        if (cc.node !== 'output' && cc.index === 0 && readsLastRow(cc.node))
          readers.push(cc.node as Apply<SubtensorParams>);
        else return null;
      }
    } else return null;
  }
  return readers.length > 0 ? readers : null;
}

/**
 * Outputs read only at their last row (`outputs[-1]`, `reduce`, `foldl`) keep only that row: the node is rebuilt
 * with `keepLast`, and each reader `x[-1, ...]` reads the kept row instead (`[-1]` of a one-row output).
 */
function saveMemory(graph: FunctionGraph, ctx: PassContext, node: Apply<ScanParams>): void {
  const p = node.params;
  if (p.keepLast?.some((k) => k)) return;
  const nRec = p.recurrent.length;
  const readers = node.outputs.map((o, k) => lastRowReaders(graph, o, k < nRec ? lagOf(p.recurrent[k]!) : null));
  if (readers.every((r) => r === null)) return;
  const parts = partsOf(node);
  parts.replaces = node.outputs.map((o, k) => (readers[k] ? null : o));
  const rebuilt = rebuild(graph, ctx, node, parts, 'scan_save_mem', new Map(), {
    keepLast: readers.map((r) => r !== null),
  });
  readers.forEach((list, k) => {
    for (const reader of list ?? []) {
      const kept = rebuilt.outputs[k]!;
      const read = new Apply(reader.op, reader.params, [kept, ...reader.inputs.slice(1)], (n) =>
        reader.outputs.map((o, i) => o.cloneWith(n as Apply, i)),
      );
      graph.replace(reader.outputs[0]!, read.outputs[0]!);
      ctx.record({ pass: 'scan_save_mem', rule: 'scan_save_mem', before: reader.outputs[0]!, after: read.outputs[0]! });
    }
  });
}

export const scanSaveMemPass: Pass = {
  name: 'scan_save_mem',
  tags: ['scan', 'fast_run'],
  run(graph, ctx) {
    if (!ctx.enabled('scan_save_mem', ['scan', 'fast_run'])) return;
    for (const node of scanNodes(graph)) saveMemory(graph, ctx, node);
  },
};

/** The scan passes, in the order they run (after `inner_graphs`). */
export const SCAN_PASSES: readonly Pass[] = [
  scanRemoveUnusedPass,
  scanPushoutPass,
  scanMergePass,
  { ...scanRemoveUnusedPass, name: 'scan_remove_unused_inputs' },
  scanSaveMemPass,
];
