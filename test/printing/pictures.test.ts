/**
 * The pictures of docs/printing.md are made by the code blocks beside them. Each ```ts block followed by an image
 * `![...](pictures/NAME.svg)` prints DOT text; this test runs the block and compares that text with the
 * committed docs/pictures/NAME.dot (DOT is deterministic), and checks that NAME.svg is that DOT rendered by the
 * pinned @viz-js/viz. A stale picture fails, and (outside CI) the test writes the fresh .dot and .svg to commit.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import * as theano from '../../src/index.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOC = join(ROOT, 'docs', 'printing.md');
const PICTURES = join(ROOT, 'docs', 'pictures');
const TMP = join(ROOT, 'test', '.pictures-tmp');
const ENTRY = join(ROOT, 'src', 'index.ts').split('\\').join('/');

interface Picture {
  name: string;
  code: string;
  path: string;
}

/** The ```ts blocks of the page that an image of docs/pictures directly follows (blank lines between). */
function pictureBlocks(): Picture[] {
  const lines = readFileSync(DOC, 'utf8').replace(/\r\n/g, '\n').split('\n');
  const found: Picture[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*$/.test(lines[i]!)) continue;
    const end = lines.indexOf('```', i + 1);
    let k = end + 1;
    while (k < lines.length && lines[k]!.trim() === '') k++;
    const image = /\]\(pictures\/([\w-]+)\.svg\)/.exec(lines[k] ?? '');
    if (image) {
      const code = lines
        .slice(i + 1, end)
        .join('\n')
        .replace(/from\s+(['"])theano-ts\1/g, `from '${ENTRY}'`);
      found.push({ name: image[1]!, code, path: join(TMP, `${image[1]}.ts`) });
    }
    i = end;
  }
  return found;
}

const pictures = pictureBlocks();

beforeAll(() => {
  mkdirSync(TMP, { recursive: true });
  for (const p of pictures) writeFileSync(p.path, p.code);
});
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

async function printedBy(p: Picture): Promise<string> {
  const printed: string[] = [];
  const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(format(...args)));
  try {
    await import(pathToFileURL(p.path).href);
  } finally {
    spy.mockRestore();
  }
  return printed.join('\n') + '\n';
}

/** Writes the fresh files where a developer runs the test (never in CI), so that committing them fixes it. */
function refresh(name: string, dot: string, svg: string): void {
  if (process.env['CI']) return;
  mkdirSync(PICTURES, { recursive: true });
  writeFileSync(join(PICTURES, `${name}.dot`), dot);
  writeFileSync(join(PICTURES, `${name}.svg`), svg);
}

describe('the pictures of docs/printing.md are up to date', () => {
  test('the page has its three pictures', () => {
    expect(pictures.map((p) => p.name)).toEqual(['logistic', 'logistic-grad', 'mlp-step']);
  });
  for (const p of pictures) {
    test(p.name, async () => {
      const dot = await printedBy(p);
      expect(dot.startsWith('digraph theano {')).toBe(true);
      const svg = await theano.printing.toSvg(dot);
      const dotPath = join(PICTURES, `${p.name}.dot`);
      const svgPath = join(PICTURES, `${p.name}.svg`);
      const committedDot = existsSync(dotPath) ? readFileSync(dotPath, 'utf8') : '';
      const committedSvg = existsSync(svgPath) ? readFileSync(svgPath, 'utf8') : '';
      if (committedDot !== dot || committedSvg !== svg) refresh(p.name, dot, svg);
      const stale = `docs/pictures/${p.name} is stale: run \`npx vitest run test/printing/pictures.test.ts\` and commit docs/pictures`;
      expect(committedDot, stale).toBe(dot);
      expect(committedSvg, stale).toBe(svg);
    });
  }
});
