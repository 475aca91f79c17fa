/**
 * The sources bundle for a browser without a warning: in particular no registration a bundler drops because the
 * package declares `"sideEffects": false` (a bare `import './x.js'` done for its side effect is such a one).
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

test('src/index.ts bundles for the browser with no warning', async () => {
  const entry = fileURLToPath(new URL('../../src/index.ts', import.meta.url));
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'esm',
    logLevel: 'silent',
  });
  expect(result.errors).toEqual([]);
  expect(result.warnings.map((w) => `${w.id}: ${w.text}`)).toEqual([]);
}, 60_000);
