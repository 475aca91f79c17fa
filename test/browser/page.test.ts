/**
 * The browser example (examples/browser/) in headless Chromium: the page bundles, builds the graph, compiles,
 * trains and exports to ONNX without errors, and its numbers equal Node's for the same seeded run. Drives the
 * system's Chromium (Debian's `chromium` package; `CHROMIUM_PATH` to point elsewhere) with playwright-core, no
 * browser download; skips with a message when none is installed.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildPage } from '../../examples/browser/build.js';
import { DEFAULT_CONFIG, runLogreg, type LogregRun } from '../../examples/browser/logreg.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CANDIDATES = [
  process.env['CHROMIUM_PATH'],
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
];
const executable = CANDIDATES.find((p): p is string => !!p && existsSync(p));
if (!executable)
  console.warn(
    "test/browser: skipped: no Chromium found (install Debian's package: apt-get install -y chromium, or set CHROMIUM_PATH)",
  );

const SMALL = { examples: 120, features: 30 };
const STEPS = 150;

describe.skipIf(!executable)('the browser example in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: executable, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
  });

  test('trains the logistic regression with the same numbers as Node, draws the loss, shows the graph', async () => {
    const page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const url = `${pathToFileURL(await buildPage()).href}?steps=${STEPS}&examples=${SMALL.examples}&features=${SMALL.features}`;
    await page.goto(url);
    await page.waitForSelector('body[data-done]', { timeout: 60_000 });
    expect(errors).toEqual([]);
    expect(await page.getAttribute('body', 'data-done')).toBe('true');
    const inPage = (await page.evaluate(() => window.logregResult)) as LogregRun;

    const inNode = runLogreg({ ...DEFAULT_CONFIG, ...SMALL }, STEPS);
    expect(inPage.costs).toHaveLength(STEPS);
    inPage.costs.forEach((c, i) => expect(c).toBeCloseTo(inNode.costs[i]!, 12));
    inPage.w.forEach((v, i) => expect(v).toBeCloseTo(inNode.w[i]!, 12));
    expect(inPage.b).toBeCloseTo(inNode.b, 12);
    expect(inPage.accuracy).toBe(inNode.accuracy);
    expect(inPage.onnxBytes).toBe(inNode.onnxBytes);
    expect(inPage.costs[STEPS - 1]).toBeLessThan(inPage.costs[0]! / 2); // it trained

    expect(await page.textContent('#graph')).toMatch(/dot/);
    expect(await page.textContent('#status')).toMatch(new RegExp(`^${STEPS} steps in .* s; accuracy`));
    // the plot is drawn: the canvas holds the curve's colour
    const curvePixels = await page.evaluate(() => {
      const c = document.getElementById('loss') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 2]! > 150 && d[i]! < 80) n++;
      return n;
    });
    expect(curvePixels).toBeGreaterThan(200);
    const dir = join(ROOT, 'test', '.browser-tmp');
    mkdirSync(dir, { recursive: true });
    const png = await page.screenshot({ path: join(dir, 'browser-example.png'), fullPage: true });
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    await page.close();
  });
});
