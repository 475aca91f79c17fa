/**
 * Spelling suggestions for error messages ("did you mean ...?"). It sits in the lowest folder so every layer's
 * messages can use it.
 */

/** Levenshtein distance: the fewest single-character insertions, deletions and substitutions from a to b. */
export function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length]!;
}

/** The candidate closest to `name` (ignoring case) within `maxDistance` edits, if any. */
export function closestName(name: string, candidates: Iterable<string>, maxDistance = 2): string | undefined {
  let best: string | undefined;
  let bestDistance = maxDistance + 1;
  for (const candidate of candidates) {
    const d = editDistance(candidate.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

/**
 * Checks an options object: an unknown key (a typo, or a Theano keyword we spell differently) is an error that
 * names the valid ones. `who` starts the message (`'debugprint'`, `"In('y')"`).
 */
export function checkOptionKeys(who: string, options: unknown, known: readonly string[]): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    const got =
      options === null ? 'null' : Array.isArray(options) ? 'an array' : `${typeof options} ${String(options)}`;
    throw new TypeError(`${who}: options must be an object ({ ${known.join(', ')} }), got ${got}`);
  }
  for (const key of Object.keys(options)) {
    if (known.includes(key)) continue;
    const near = closestName(key, known);
    throw new TypeError(
      `${who}: unknown option '${key}'${near ? ` (did you mean '${near}'?)` : ''}; the options are ${known.join(', ') || 'none'}`,
    );
  }
}
