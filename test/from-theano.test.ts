/**
 * docs/from-theano.md cannot drift: every name its second column says exists (`theano.x`, `T.x`, `x.m`, `f.m`,
 * `srng.m`) is resolved against the real exports, and every row names something or says why not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as theano from '../src/index.js';

const T = theano.tensor;
const page = readFileSync(join(__dirname, '..', 'docs', 'from-theano.md'), 'utf8');

/** The table rows: [theano cell, ours cell]. */
const rows = page
  .split('\n')
  .filter((l) => l.startsWith('| ') && !l.startsWith('| Theano') && !l.startsWith('| ---'))
  .map((l) => l.split(' | ').map((c) => c.replace(/^\| /, '').trim()));

const x = T.dvector('x');
const f = theano.function([x], x.mul(2), { profile: true });
const srng = new theano.RandomStreams(1);
const roots: Record<string, unknown> = { theano, T, x, f, srng };

/** Follows a dotted path from its root; false where a step is missing. */
function exists(path: string): boolean {
  const [root, ...rest] = path.split('.');
  let value: unknown = roots[root!];
  if (value === undefined) return false;
  for (const key of rest) {
    // the last key may hold undefined (x.testValue of a variable without one): it must be a known property
    if (value === null || value === undefined || !(key in Object(value))) return false;
    value = (value as Record<string, unknown>)[key];
  }
  return true;
}

describe('docs/from-theano.md', () => {
  test('has rows', () => {
    expect(rows.length).toBeGreaterThan(50);
  });

  test.each(rows.map((r) => [r[0]!, r[1]!]))('%s -> %s', (_, ours) => {
    if (/^not (yet|planned)/.test(ours)) return;
    const names = [...ours.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\(.*$/, ''));
    expect(names.length, 'the row names at least one of ours, or says "not yet"').toBeGreaterThan(0);
    for (const name of names) expect(exists(name), `${name} exists`).toBe(true);
  });

  test('every "not yet" says why', () => {
    for (const [, ours, notes] of rows)
      if (ours === 'not yet' || ours === 'not planned') expect(notes!.length).toBeGreaterThan(10);
  });
});
