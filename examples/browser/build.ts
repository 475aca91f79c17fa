// Bundles the browser example with esbuild: examples/browser/dist/main.js, loaded by index.html (a classic
// script, so the page also opens from file://). `npm run example:browser`, then open index.html.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Writes the bundle; returns the path of the page. */
export async function buildPage(): Promise<string> {
  await build({
    entryPoints: [join(here, 'main.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    outfile: join(here, 'dist', 'main.js'),
    logLevel: 'warning',
  });
  return join(here, 'index.html');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const page = await buildPage();
  console.log(`built; open file://${page}`);
}
