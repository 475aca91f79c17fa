// What an editor shows a user of the built package: the TypeScript language service over dist/index.d.ts asks for
// the completions after `T.` and after `x.` (x a Tensor), as an editor does, and reads each entry's details.
// Every entry must carry documentation with an example, and the internals of the graph classes must not be offered.
// Run after `npm run build` (it is part of `npm run test:package`).
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DIST = join(ROOT, 'dist', 'index.d.ts');
assert.ok(existsSync(DIST), 'dist/index.d.ts is missing: run `npm run build` first');

const USER = join(ROOT, 'test', 'package', '__user__.ts');
const MARK_T = '/*T*/';
const MARK_X = '/*x*/';
const source = [
  "import * as theano from '../../dist/index.js';",
  'const T = theano.tensor;',
  "const x = T.dmatrix('x');",
  `T.${MARK_T};`,
  `x.${MARK_X};`,
].join('\n');

/** Members that belong to the graph machinery, not to a user's expression. */
const INTERNALS = ['__dtype', '__rank', '__brand', '__variableBrand', 'storage', 'cloneWith', 'id', 'index', 'data'];

const files = new Map([[USER, source]]);
const options = {
  strict: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  noEmit: true,
};
const host = {
  getScriptFileNames: () => [USER],
  getScriptVersion: () => '1',
  getScriptSnapshot: (file) => {
    const text = files.get(file) ?? (existsSync(file) ? readFileSync(file, 'utf8') : undefined);
    return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
  },
  getCurrentDirectory: () => ROOT,
  getCompilationSettings: () => options,
  getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
  fileExists: (file) => files.has(file) || ts.sys.fileExists(file),
  readFile: (file) => files.get(file) ?? ts.sys.readFile(file),
  readDirectory: ts.sys.readDirectory,
  directoryExists: ts.sys.directoryExists,
  getDirectories: ts.sys.getDirectories,
};
const service = ts.createLanguageService(host, ts.createDocumentRegistry());

const errors = service
  .getSemanticDiagnostics(USER)
  .filter((d) => !d.messageText.toString().includes('Identifier expected'));
assert.equal(
  errors.length,
  0,
  `the user file does not check: ${errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))}`,
);

/** Each completion after the marker with what its details say, for the entries that are members (not keywords). */
function completionsAt(marker) {
  const position = source.indexOf(marker);
  const list = service.getCompletionsAtPosition(USER, position, { includeCompletionsWithInsertText: true });
  assert.ok(list && list.entries.length > 0, `no completions at ${marker}`);
  return list.entries
    .filter((e) => e.kind !== ts.ScriptElementKind.keyword)
    .map((entry) => {
      const details = service.getCompletionEntryDetails(USER, position, entry.name, {}, entry.source, {}, entry.data);
      const doc = ts.displayPartsToString(details?.documentation ?? []).trim();
      const tags = (details?.tags ?? []).map((t) => t.name);
      const display = ts.displayPartsToString(details?.displayParts ?? []);
      const isType = /^(\(alias\) )?(type|interface) /.test(display);
      return { name: entry.name, isType, doc, tags };
    });
}

/** Lists the entries that fail `check`, with the reason. */
function failures(entries, check) {
  return entries.map((e) => [e.name, check(e)]).filter(([, reason]) => reason);
}

const missingDocs = (e) => (e.doc.length === 0 ? 'no documentation' : !e.tags.includes('example') ? 'no @example' : '');

const afterT = completionsAt(MARK_T);
// types (interfaces, aliases) are offered after `T.` too; they need a description, an example is for values
const tFailures = failures(afterT, (e) => (e.isType ? '' : missingDocs(e)));
const afterX = completionsAt(MARK_X);
const xFailures = failures(afterX, missingDocs);
const offeredInternals = afterX.map((e) => e.name).filter((n) => INTERNALS.includes(n));

const report = (label, list) =>
  `${label}: ${list.length} entries lack docs:\n  ${list.map(([n, r]) => `${n} (${r})`).join('\n  ')}`;
assert.ok(afterT.length > 200, `only ${afterT.length} completions after T.`);
assert.ok(afterX.length > 100, `only ${afterX.length} completions after x.`);
assert.deepEqual(offeredInternals, [], `internals offered after x.: ${offeredInternals.join(', ')}`);
assert.deepEqual(tFailures, [], report('after T.', tFailures));
assert.deepEqual(xFailures, [], report('after x.', xFailures));
console.log(`completions: ${afterT.length} after T. and ${afterX.length} after x., each documented with an example`);
