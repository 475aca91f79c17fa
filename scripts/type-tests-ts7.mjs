// The type tests (type-tests/*.test-d.ts, against dist/index.d.ts) as a user on TypeScript 7 sees them. tsd runs
// them with TypeScript 6 (it loads the compiler's JavaScript API, which TypeScript 7 does not have); here the native
// compiler checks the same files, and each reported error must lie inside an `expectError(...)` call, while every
// `expectError(...)` call must hold at least one error. `// @ts-expect-error` lines are checked by the compiler
// itself, and `expectType<T>(v)` is at least an assignability check (tsd's is an identity check).
// Run after `npm run build` (it is part of `npm run test:types`).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DIR = join(ROOT, 'type-tests');
const TSC7 = join(ROOT, 'node_modules', 'typescript-7', 'bin', 'tsc');
assert.ok(existsSync(join(ROOT, 'dist', 'index.d.ts')), 'dist/index.d.ts is missing: run `npm run build` first');

/** The line ranges (1-based, inclusive) of the `expectError(...)` calls of a file. */
function expectErrorRanges(text) {
  const ranges = [];
  for (const m of text.matchAll(/^[ \t]*expectError\(/gm)) {
    let depth = 0;
    let end = m.index + m[0].length - 1;
    for (; end < text.length; end++) {
      if (text[end] === '(') depth++;
      else if (text[end] === ')' && --depth === 0) break;
    }
    const line = (at) => text.slice(0, at).split('\n').length;
    ranges.push({ from: line(m.index), to: line(end), hits: 0 });
  }
  return ranges;
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.test-d.ts'));
const config = join(DIR, 'tsconfig.ts7.json');
writeFileSync(
  config,
  JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { noEmit: true }, files }, null, 2),
);
let output;
try {
  output = spawnSync(process.execPath, [TSC7, '-p', config, '--pretty', 'false'], { encoding: 'utf8' }).stdout;
} finally {
  rmSync(config, { force: true });
}
const ranges = new Map(files.map((f) => [f, expectErrorRanges(readFileSync(join(DIR, f), 'utf8'))]));
const unexpected = [];
for (const m of output.matchAll(/^type-tests\/([\w.-]+)\((\d+),\d+\): (error TS\d+: .*)$/gm)) {
  const [, file, line, message] = m;
  const range = ranges.get(file)?.find((r) => r.from <= Number(line) && Number(line) <= r.to);
  if (range) range.hits++;
  else unexpected.push(`${file}:${line}: ${message}`);
}
const missing = [...ranges].flatMap(([file, rs]) => rs.filter((r) => r.hits === 0).map((r) => `${file}:${r.from}`));
assert.deepEqual(unexpected, [], `TypeScript 7 reports errors outside expectError calls:\n${unexpected.join('\n')}`);
assert.deepEqual(missing, [], `expectError calls TypeScript 7 accepts:\n${missing.join('\n')}`);
const count = [...ranges.values()].reduce((n, rs) => n + rs.length, 0);
console.log(`type tests under TypeScript 7: ${files.length} files, ${count} expectError calls hold, no other error`);
