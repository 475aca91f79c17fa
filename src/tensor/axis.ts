/**
 * The one place the builder reads an axis argument: every axis-taking entry point (reductions, `softmax`,
 * `logsumexp`, `tensordot`, `squeeze`, `expandDims`, `concatenate`, `stack`, `split`, `repeat`, `roll`,
 * `cumsum`, `take`, `x.shape(i)`) goes through `normalizeAxis` or `normalizeAxes`, so a bad axis reads the same
 * everywhere: what was given, why it is not an axis, and the valid range for the tensor's rank.
 */

/** Why `a` is not an axis at all (a string, a fraction, NaN...), or null when it is an integer. */
function notAnAxis(a: unknown): string | null {
  if (typeof a === 'number') return null; // a fraction or NaN is reported as out of range
  if (typeof a === 'string') {
    const n = Number(a);
    const hint = a.trim() !== '' && Number.isInteger(n) ? `; pass the number ${n}` : '';
    return `'${a}' is a string, not an axis: an axis is an integer${hint}`;
  }
  if (typeof a === 'bigint') return `${a}n is a bigint, not an axis: pass the number ${a}`;
  if (a === null) return 'null is not an axis';
  if (Array.isArray(a)) return `a list of axes ([${a.join(', ')}]) where one axis is expected`;
  if (typeof a === 'object' && a !== null && 'owner' in a && 'type' in a) {
    return 'a symbolic tensor cannot be an axis: axes are fixed when the graph is built, pass a number';
  }
  return `${typeof a} ${String(a)} is not an axis: an axis is an integer`;
}

/**
 * `axis` (negative counts from the end) as a position in [0, ndim), or a TypeError (not an axis at all) or a
 * RangeError (out of range; `tensor` describes the tensor in that message, 'a tensor of rank N' by default).
 */
export function normalizeAxis(
  axis: unknown,
  ndim: number,
  opName: string,
  tensor = `a tensor of rank ${ndim}`,
): number {
  const why = notAnAxis(axis);
  if (why) throw new TypeError(`${opName}: ${why}`);
  const a = axis as number;
  if (!Number.isInteger(a) || a < -ndim || a >= ndim)
    throw new RangeError(`${opName}: axis ${a} is out of range for ${tensor}`);
  return a < 0 ? a + ndim : a;
}

/**
 * An axis argument (none: every axis; one axis; a list) as sorted, distinct positions, or an error. `null` and
 * `undefined` mean every axis.
 */
export function normalizeAxes(axis: unknown, ndim: number, opName: string): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: ndim }, (_, i) => i);
  const list: readonly unknown[] = Array.isArray(axis) ? axis : [axis];
  const out = list.map((a) => normalizeAxis(a, ndim, opName));
  if (new Set(out).size !== out.length) {
    throw new RangeError(`${opName}: repeated axis in [${list.join(', ')}] (each axis may be listed once)`);
  }
  return out.sort((a, b) => a - b);
}
