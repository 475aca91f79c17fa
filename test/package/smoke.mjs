// The built package, as an npm user gets it (ESM and CommonJS): features that depend on a module being loaded
// for its effect (the gradient of scan is registered by grad's module) must survive bundling with "sideEffects": false.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const esm = await import('../../dist/index.js');
const cjs = createRequire(import.meta.url)('../../dist/index.cjs');

for (const [kind, theano] of [
  ['esm', esm],
  ['cjs', cjs],
]) {
  const T = theano.tensor;
  const x = T.dvector('x');
  const w = T.dscalar('w');
  // h_t = tanh(w h_{t-1} + x_t); d(sum h)/dw through the loop, checked against a central difference
  const [hs] = theano.scan((xt, h, wt) => T.tanh(h.mul(wt).add(xt)), {
    sequences: [x],
    outputsInfo: [T.constant(0)],
    nonSequences: [w],
  });
  const cost = theano.function([x, w], hs.sum());
  const grad = theano.function([x, w], T.grad(hs.sum(), w));
  const xs = [1, 2, 3];
  const eps = 1e-6;
  const numeric = (cost(xs, 0.5 + eps) - cost(xs, 0.5 - eps)) / (2 * eps);
  assert.ok(Math.abs(grad(xs, 0.5) - numeric) < 1e-6, `${kind}: scan gradient ${grad(xs, 0.5)} vs ${numeric}`);
  // ifelse is lazy and differentiable
  const c = T.dscalar('c');
  const f = theano.function([c, w], T.grad(theano.ifelse(c.gt(0), w.mul(w), w.mul(3)), w));
  assert.equal(f(1, 2), 4, `${kind}: ifelse gradient, then branch`);
  assert.equal(f(-1, 2), 3, `${kind}: ifelse gradient, else branch`);
}
console.log('package smoke test: scan and ifelse gradients work from dist (ESM and CommonJS)');

// The built package bundles for the browser as it is (no Node built-in on the main path: save/load reach the
// file system through an import bundlers leave alone), ONNX export included.
const { build } = await import('esbuild');
const bundled = await build({
  stdin: {
    contents: "import * as theano from './dist/index.js'; globalThis.theano = theano;",
    resolveDir: new URL('../..', import.meta.url).pathname,
  },
  bundle: true,
  platform: 'browser',
  format: 'esm',
  write: false,
  logLevel: 'silent',
});
assert.equal(bundled.errors.length, 0);
const text = bundled.outputFiles[0].text;
assert.ok(!/\brequire\(["'](node:)?(fs|path|url|module)/.test(text), 'the browser bundle requires a Node built-in');
console.log(`package smoke test: dist bundles for the browser (${(text.length / 1024).toFixed(0)} KB unminified)`);
