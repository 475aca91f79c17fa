/**
 * Runs every ```ts block of docs/*.md and README.md, so no doc can rot:
 * - each block runs as written (its `from 'theano-ts'` pointed at src/index.ts), and when a ```text block follows
 *   it (only blank lines between), what the block prints must equal that text exactly;
 * - all blocks type-check under the repo's tsconfig, so a `// @ts-expect-error` in a doc proves that the compiler
 *   really rejects the line below it.
 * Blocks are written to test/.docs-tmp/ (git-ignored; tsc's globs skip dot-folders) and imported in process.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TMP = join(ROOT, 'test', '.docs-tmp');
const ENTRY = join(ROOT, 'src', 'index.ts').split('\\').join('/');

interface Fence {
  lang: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** 1-based line of the closing fence. */
  end: number;
  body: string;
}

interface DocBlock {
  /** e.g. "docs/types.md:42" */
  label: string;
  /** The file the block is written to. */
  path: string;
  code: string;
  expected: string | undefined;
}

/** The fenced code blocks of a markdown file, in order. */
function fences(markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const out: Fence[] = [];
  let open: { lang: string; line: number; marker: string; body: string[] } | null = null;
  lines.forEach((text, i) => {
    if (!open) {
      const m = /^ {0,3}(`{3,}|~{3,})\s*([\w-]*)/.exec(text);
      if (m) open = { lang: m[2]!.toLowerCase(), line: i + 1, marker: m[1]!, body: [] };
      return;
    }
    if (text.trim().startsWith(open.marker) && text.trim().replace(/[`~]/g, '') === '') {
      out.push({ lang: open.lang, line: open.line, end: i + 1, body: open.body.join('\n') });
      open = null;
    } else open.body.push(text);
  });
  if (open) throw new Error(`unclosed code fence at line ${(open as { line: number }).line}`);
  return out;
}

function docFiles(): string[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((f) => join('docs', f));
  return [...docs, 'README.md'];
}

function collectBlocks(): DocBlock[] {
  const blocks: DocBlock[] = [];
  for (const file of docFiles()) {
    const markdown = readFileSync(join(ROOT, file), 'utf8').replace(/\r\n/g, '\n');
    const lines = markdown.split('\n');
    const all = fences(markdown);
    all.forEach((f, k) => {
      if (f.lang !== 'ts' && f.lang !== 'typescript') return;
      const next = all[k + 1];
      const between = next ? lines.slice(f.end, next.line - 1) : [];
      const expected = next && next.lang === 'text' && between.every((l) => l.trim() === '') ? next.body : undefined;
      const name = `${file.replace(/[^\w]+/g, '_')}_L${f.line}.ts`;
      const code = f.body.replace(/from\s+(['"])theano-ts\1/g, `from '${ENTRY}'`);
      blocks.push({ label: `${file}:${f.line}`, path: join(TMP, name), code, expected });
    });
  }
  return blocks;
}

const blocks = collectBlocks();

beforeAll(() => {
  rmSync(TMP, { recursive: true, force: true });
  mkdirSync(TMP, { recursive: true });
  for (const b of blocks) writeFileSync(b.path, b.code);
});
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** Runs a block's module and returns what it printed through console.log/info/warn/error. */
async function run(block: DocBlock): Promise<string> {
  const printed: string[] = [];
  const capture = (...args: unknown[]) => void printed.push(format(...args));
  const spies = (['log', 'info', 'warn', 'error'] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation(capture),
  );
  try {
    await import(pathToFileURL(block.path).href);
  } finally {
    for (const s of spies) s.mockRestore();
  }
  return printed.join('\n');
}

describe('documentation blocks run and print what the docs show', () => {
  test('there are blocks to check', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });
  for (const block of blocks) {
    test(block.label, async () => {
      const output = await run(block);
      if (block.expected !== undefined) expect(output).toBe(block.expected);
    });
  }
});

test('documentation blocks type-check', () => {
  const configPath = join(ROOT, 'tsconfig.json');
  const config = ts.readConfigFile(configPath, (p) => ts.sys.readFile(p));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT);
  const options: ts.CompilerOptions = { ...parsed.options, noEmit: true, allowImportingTsExtensions: true };
  const program = ts.createProgram(
    blocks.map((b) => b.path),
    options,
  );
  const byPath = new Map(blocks.map((b) => [b.path.split('\\').join('/'), b]));
  const problems = ts
    .getPreEmitDiagnostics(program)
    .filter((d) => !d.file || byPath.has(d.file.fileName))
    .map((d) => {
      const block = d.file ? byPath.get(d.file.fileName) : undefined;
      const where =
        block && d.start !== undefined
          ? `${block.label} (block line ${d.file!.getLineAndCharacterOfPosition(d.start).line + 1})`
          : relative(ROOT, d.file?.fileName ?? '');
      return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
  expect(problems).toEqual([]);
});
