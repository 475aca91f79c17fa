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
 */
import type { Variable } from '../graph/variable.js';
import { isElemwise } from '../ops/elemwise.js';
import type { AllocParams, ReshapeParams, ShapeIParams } from '../ops/shape.js';
import type { DimShuffleParams } from '../ops/dimshuffle.js';
import type { ReduceParams } from '../ops/reduce.js';
import { isInt } from '../types/dtype.js';

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
  if (!entry) return false;
  const inputs = v.owner?.inputs;
  if (!inputs) return true;
  return (
    entry.inputs !== null && entry.inputs.length === inputs.length && entry.inputs.every((x, i) => x === inputs[i])
  );
}

/** The lengths of `v`'s axes, as far as they can be proven (iterative and cached: deep graphs are fine). */
export function dimsOf(v: Variable): readonly Dim[] {
  const stack: Variable[] = [v];
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (fresh(top)) {
      stack.pop();
      continue;
    }
    const missing = dependencies(top).filter((d) => !fresh(d));
    if (missing.length > 0) {
      stack.push(...missing);
      continue;
    }
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
  for (let k = 0; k < ndim; k++) {
    let known: number | undefined;
    const atoms = new Set<string>();
    for (const s of shapes) {
      const i = k - (ndim - s.length);
      if (i < 0) continue;
      const d = s[i]!;
      if (typeof d === 'number') {
        if (d !== 1) known = d;
      } else for (const a of d.split('|')) atoms.add(a);
    }
    out.push(known ?? (atoms.size > 0 ? [...atoms].sort().join('|') : 1));
  }
  return out;
}

const atom = (v: Variable, axis: number): string => `${v.id}:${axis}`;

/** An integer scalar used as a size, with lossless integer casts looked through. */
function sizeSource(s: Variable): Variable {
  let v = s;
  while (v.owner && v.owner.op.name === 'cast' && isInt(v.type.dtype) && isInt(v.owner.inputs[0]!.type.dtype))
    v = v.owner.inputs[0]!;
  return v;
}

/** The variable whose length a size scalar reads (`shape_i(y, k)`), if any. */
function shapeIOf(s: Variable): { of: Variable; axis: number } | undefined {
  const v = sizeSource(s);
  if (v.owner?.op.name !== 'shape_i') return undefined;
  return { of: v.owner.inputs[0]!, axis: (v.owner.params as ShapeIParams).axis };
}

/** The length an integer scalar stands for when used as a size. */
export function sizeDim(s: Variable): Dim {
  const v = sizeSource(s);
  if (v.data && v.data.size === 1) return Number(v.data.item(0));
  const read = shapeIOf(v);
  if (read) return dimsOf(read.of)[read.axis]!;
  return `#${v.id}`;
}

/** The symbolic size inputs of a node whose params list sizes (null entries are read from inputs 1, 2, ...). */
function sizeInputs(v: Variable): Variable[] {
  const node = v.owner!;
  return node.inputs.slice(1);
}

function dependencies(v: Variable): Variable[] {
  const node = v.owner;
  if (!node) return [];
  const op = node.op;
  if (isElemwise(op) || op.name === 'fill') return node.inputs;
  switch (op.name) {
    case 'dimshuffle':
    case 'grad_modifier':
    case 'reduce':
      return [node.inputs[0]!];
    case 'sum_to_shape':
    case 'broadcast_like':
      return [node.inputs[1]!];
    case 'alloc':
    case 'broadcastTo':
    case 'reshape': {
      const reads = sizeInputs(v).flatMap((s) => shapeIOf(s)?.of ?? []);
      return op.name === 'reshape' ? reads : [node.inputs[0]!, ...reads];
    }
    default:
      return [];
  }
}

/** What the op tells about its output's lengths (the type's known lengths are added by `compute`). */
function derive(v: Variable): (Dim | undefined)[] | undefined {
  const node = v.owner;
  if (!node) return undefined;
  const op = node.op;
  const known = (x: Variable) => cache.get(x)!.dims;
  if (isElemwise(op) || op.name === 'fill') return broadcastDims(node.inputs.map(known));
  switch (op.name) {
    case 'dimshuffle': {
      const input = known(node.inputs[0]!);
      return (node.params as DimShuffleParams).pattern.map((p) => (p === 'x' ? 1 : input[p]));
    }
    case 'grad_modifier':
      return [...known(node.inputs[0]!)];
    case 'sum_to_shape':
    case 'broadcast_like':
      return [...known(node.inputs[1]!)];
    case 'reduce': {
      const { axes, keepdims } = node.params as ReduceParams;
      const input = known(node.inputs[0]!);
      return keepdims ? input.map((d, i) => (axes.includes(i) ? 1 : d)) : input.filter((_, i) => !axes.includes(i));
    }
    case 'alloc':
    case 'broadcastTo': {
      const sizes = sizeInputs(v);
      let next = 0;
      const target = (node.params as AllocParams).shape.map((p) => (p === null ? sizeDim(sizes[next++]!) : p));
      // the value broadcast into the target: the target's lengths, where the value does not fix one
      const value = known(node.inputs[0]!);
      return target.map((d, k) => {
        const own = value[k - (target.length - value.length)];
        return typeof own === 'number' && own !== 1 ? own : d;
      });
    }
    case 'reshape': {
      const { shape, fromVector } = node.params as ReshapeParams;
      if (fromVector) return undefined;
      const sizes = sizeInputs(v);
      let next = 0;
      return shape.map((p) => (p === null ? sizeDim(sizes[next++]!) : p === -1 ? undefined : p));
    }
    default:
      return undefined;
  }
}

function compute(v: Variable): Dim[] {
  const derived = derive(v);
  return v.type.shape.map((d, k) => d ?? derived?.[k] ?? atom(v, k));
}
