import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  // stripInternal: members tagged @internal (graph bookkeeping) stay out of the typings, so editors do not offer them
  dts: { compilerOptions: { ignoreDeprecations: '6.0', stripInternal: true } },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
