/**
 * What the optimizer can prove about run-time lengths without evaluating anything. With numpy broadcasting a
 * length the type does not know may still be 1, so "both unknown" never means "equal"; instead each length is
 * described symbolically:
 *
 * - a number: the length is known (the type says so, or it follows from the graph);
 * - a string: the sorted, `|`-joined set of unknown lengths (atoms) whose broadcast it is. An atom is one axis of
 *   a variable the proofs cannot see through (`12:0`), or the value of an integer scalar used as a size (`#15`).
 *
 * Broadcasting is idempotent, commutative and associative, so the broadcast of two lengths is the union of their
 * atoms (a known length other than 1 wins; 1 is the empty set). Two lengths with the same description are equal at
 * run time; anything else is unproven. `x * y` for matrices of unknown shapes has lengths `x:0|y:0` and `x:1|y:1`,
 * which differ from `x`'s own (`x:0`, `x:1`): `x` might have been broadcast.
 *
 * What each op tells about its output lengths is the op's own `inferShape` aspect (src/ops/): this module only
 * reads those facts, so a new op teaches the prover by declaring its facts, not by a case here.
 */
import type { Apply, Variable } from '../graph/variable.js';
import type { LengthFact } from '../graph/op.js';
import { isInt } from '../types/dtype.js';
import { isOp, paramsOf } from './pattern.js';

/** A length: known, or the broadcast of a set of unknown lengths (see the module comment). */
export type Dim = number | string;

interface Entry {
  /** The owner's inputs when this was computed: a rewrite that repoints them makes the entry stale. */
  readonly inputs: readonly Variable[] | null;
  readonly dims: readonly Dim[];
}
const cache = new WeakMap<Variable, Entry>();

function fresh(v: Variable): boolean {
  const entry = cache.get(v);
  return entry !== undefined && isFresh(v, entry);
}

/** Whether `entry` (v's) was computed from v's owner's current inputs. */
function isFresh(v: Variable, entry: Entry): boolean {
  const inputs = v.owner?.inputs;
  if (!inputs) return true;
  const was = entry.inputs;
  if (was === null || was.length !== inputs.length) return false;
  for (let i = 0; i < inputs.length; i++) if (was[i] !== inputs[i]) return false;
  return true;
}

/** The lengths of `v`'s axes, as far as they can be proven (iterative and cached: deep graphs are fine). */
export function dimsOf(v: Variable): readonly Dim[] {
  const known = cache.get(v);
  if (known !== undefined && isFresh(v, known)) return known.dims; // the common case, without allocating
  const stack: Variable[] = [v];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (fresh(top)) {
      stack.pop();
      continue;
    }
    const deps = dependencies(top);
    let missing = false;
    for (const d of deps) {
      if (fresh(d)) continue;
      stack.push(d);
      missing = true;
    }
    if (missing) continue;
    stack.pop();
    cache.set(top, { inputs: top.owner ? [...top.owner.inputs] : null, dims: compute(top) });
  }
  return cache.get(v)!.dims;
}

/** Whether `a` and `b` provably have the same shape at run time. */
export function sameShape(a: Variable, b: Variable): boolean {
  if (a === b) return true;
  if (a.type.ndim !== b.type.ndim) return false;
  const da = dimsOf(a);
  const db = dimsOf(b);
  return da.every((d, i) => d === db[i]);
}

/** The broadcast of lengths (right-aligned, as numpy): a known length other than 1 wins, atoms unite. */
export function broadcastDims(shapes: readonly (readonly Dim[])[]): Dim[] {
  const ndim = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let k = 0; k < ndim; k++) out.push(broadcastAxis(shapes, k - ndim));
  return out;
}

/**
 * The broadcast of the lengths at axis `fromEnd` (negative, counted from the right) of each shape. The common
 * case, one description besides 1s (the same variable's length again and again), is answered without splitting
 * atom sets.
 */
function broadcastAxis(shapes: readonly (readonly Dim[])[], fromEnd: number): Dim {
  let only: Dim = 1;
  for (const s of shapes) {
    const d = s[s.length + fromEnd];
    if (d === undefined || d === 1 || d === only) continue;
    if (only !== 1) return broadcastSlow(shapes, fromEnd);
    only = d;
  }
  return only;
}

function broadcastSlow(shapes: readonly (readonly Dim[])[], fromEnd: number): Dim {
  let known: number | undefined;
  const atoms = new Set<string>();
  for (const s of shapes) {
    const d = s[s.length + fromEnd];
    if (d === undefined) continue;
    if (typeof d === 'number') {
      if (d !== 1) known = d;
    } else for (const a of d.split('|')) atoms.add(a);
  }
  return known ?? (atoms.size > 0 ? [...atoms].sort().join('|') : 1);
}

const atom = (v: Variable, axis: number): string => `${v.id}:${axis}`;

/** An integer scalar used as a size, with lossless integer casts looked through. */
function sizeSource(s: Variable): Variable {
  let v = s;
  while (isOp(v, 'cast') && isInt(v.type.dtype) && isInt(v.owner!.inputs[0]!.type.dtype)) v = v.owner!.inputs[0]!;
  return v;
}

/** The variable whose length a size scalar reads (`shape_i(y, k)`), if any. */
function shapeIOf(s: Variable): { of: Variable; axis: number } | undefined {
  const v = sizeSource(s);
  if (!isOp(v, 'shape_i')) return undefined;
  return { of: v.owner!.inputs[0]!, axis: paramsOf(v, 'shape_i').axis };
}

/** The length an integer scalar stands for when used as a size. */
export function sizeDim(s: Variable): Dim {
  const v = sizeSource(s);
  if (v.data && v.data.size === 1) return Number(v.data.item(0));
  const read = shapeIOf(v);
  if (read) return dimsOf(read.of)[read.axis]!;
  return `#${v.id}`;
}

/** What `v`'s op says about the lengths of `v`'s axes (its `inferShape` aspect); empty for a leaf. */
export function lengthFacts(v: Variable): readonly LengthFact[] {
  const node = v.owner;
  if (!node) return [];
  let facts = factCache.get(node);
  if (!facts) {
    facts = node.op.inferShape(
      node.inputs.map((i) => i.type),
      node.params as never,
    );
    factCache.set(node, facts);
  }
  return facts[node.outputs.indexOf(v)] ?? [];
}
/**
 * Facts per node: they follow from the op, its params and its inputs' ranks, which a rewrite never changes (a
 * replacement has the replaced variable's rank), so they are asked for once per node.
 */
const factCache = new WeakMap<Apply, readonly (readonly LengthFact[])[]>();

/** Calls `visit` on each plain fact (an input's axis or a size) that `fact` consists of. */
export function forEachSource(
  fact: LengthFact,
  visit: (fact: { input: number; axis: number } | { size: number }) => void,
): void {
  if (fact === null || typeof fact === 'number') return;
  if ('broadcast' in fact) for (const f of fact.broadcast) forEachSource(f, visit);
  else visit(fact);
}

/** The variables whose lengths `v`'s facts read: inputs named by the facts, and what size scalars measure. */
function dependencies(v: Variable): Variable[] {
  const node = v.owner;
  if (!node) return [];
  const deps: Variable[] = [];
  for (const fact of lengthFacts(v)) {
    forEachSource(fact, (f) => {
      if ('input' in f) deps.push(node.inputs[f.input]!);
      else {
        const read = shapeIOf(node.inputs[f.size]!);
        if (read) deps.push(read.of);
      }
    });
  }
  return deps;
}

/** The length a fact stands for, from the (already computed) lengths of the inputs. */
function lengthOf(fact: LengthFact, inputs: readonly Variable[]): Dim | undefined {
  if (fact === null) return undefined;
  if (typeof fact === 'number') return fact;
  if ('broadcast' in fact) {
    const dims = fact.broadcast.map((f) => lengthOf(f, inputs));
    return dims.includes(undefined) ? undefined : broadcastDims(dims.map((d) => [d!]))[0];
  }
  if ('size' in fact) return sizeDim(inputs[fact.size]!);
  return cache.get(inputs[fact.input]!)!.dims[fact.axis];
}

/**
 * The lengths `v`'s op says it computes, before what the type knows is applied: for alloc, the sizes it was asked
 * for (which its value must fit), even where the value's static length already fixes one.
 */
export function factDims(v: Variable): Dim[] {
  dimsOf(v);
  const facts = lengthFacts(v);
  const inputs = v.owner?.inputs ?? [];
  const own = cache.get(v)!.dims;
  return own.map((d, k) => (facts[k] !== undefined ? lengthOf(facts[k]!, inputs) : undefined) ?? d);
}

function compute(v: Variable): Dim[] {
  const facts = lengthFacts(v);
  const inputs = v.owner?.inputs ?? [];
  return v.type.shape.map(
    (d, k) => d ?? (facts[k] !== undefined ? lengthOf(facts[k]!, inputs) : undefined) ?? atom(v, k),
  );
}
