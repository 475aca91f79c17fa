/**
 * docs/optimizer.md's table of every rule stays true: it names each rule of the pipeline once, in its phase, and
 * each row's test file exists and names the rule it proves.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import { PHASE_RULES, type Phase } from '../../src/rewrite/pipeline.js';

const root = resolve(__dirname, '../..');
const doc = readFileSync(resolve(root, 'docs/optimizer.md'), 'utf8');
const table = doc.slice(doc.indexOf('## Every rule'));
const rows = [...table.matchAll(/^\| `(\w+)` +\| (\w+) +\| .* \| \[[^\]]+\]\(\.\.\/([^)]+)\) +\|$/gm)].map((m) => ({
  name: m[1]!,
  phase: m[2]!,
  test: m[3]!,
}));

describe('docs/optimizer.md: every rule', () => {
  test('names each rule of the pipeline once, in its phase', () => {
    const documented = new Map(rows.map((r) => [r.name, r.phase]));
    expect(documented.size, 'a rule documented twice').toBe(rows.length);
    const actual = new Map<string, Phase>();
    for (const [phase, rules] of Object.entries(PHASE_RULES) as [Phase, (typeof PHASE_RULES)[Phase]][]) {
      for (const r of rules) actual.set(r.name, phase);
    }
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(actual));
  });

  test("each row's test file exists and names its rule", () => {
    const missing = rows.filter(
      (r) => !existsSync(resolve(root, r.test)) || !readFileSync(resolve(root, r.test), 'utf8').includes(`'${r.name}'`),
    );
    expect(missing.map((r) => `${r.name}: ${r.test}`)).toEqual([]);
  });
});
