/**
 * SVG pictures of graphs, rendered by Graphviz compiled to WebAssembly (`@viz-js/viz`): no system binary. The
 * package is an optional peer dependency, loaded on the first call only, so users who never draw a graph do not
 * download or load it.
 */
import { toDot, type DotOptions, type Drawable } from './dot.js';

/** What `toSvg` needs of Graphviz: the instance `@viz-js/viz`'s `instance()` resolves to, or anything alike. */
export interface GraphvizRenderer {
  renderString(dot: string, options: { format: 'svg'; engine: 'dot' }): string;
}

/** Options of `toSvg`: those of `toDot`, and a Graphviz to use instead of loading `@viz-js/viz`. */
export interface SvgOptions extends DotOptions {
  /**
   * A Graphviz renderer, e.g. `await (await import('@viz-js/viz')).instance()`. Pass it where `@viz-js/viz`
   * cannot be found by name at run time (a browser bundle); by default `toSvg` imports the package itself.
   */
  readonly viz?: GraphvizRenderer;
}

/** The package name, held in a variable so bundlers do not try to resolve an optional dependency. */
const VIZ_PACKAGE = '@viz-js/viz';

let loading: Promise<GraphvizRenderer> | undefined;

/**
 * An SVG picture of a graph: `source` is what `toDot` draws (variables, a compiled function, a FunctionGraph)
 * or DOT text already made. Needs the optional package `@viz-js/viz` (`npm install @viz-js/viz`), or a renderer
 * passed as `viz`.
 *
 * @example
 * const x = T.dvector('x');
 * const svg = await theano.printing.toSvg(T.exp(x).sum());
 * // '<?xml version="1.0" ...<svg ...'
 */
export async function toSvg(source: Drawable | string, options: SvgOptions = {}): Promise<string> {
  const { viz, ...dotOptions } = options ?? {};
  const dot = typeof source === 'string' ? source : toDot(source, dotOptions);
  const renderer = viz ?? (await loadGraphviz());
  return renderer.renderString(dot, { format: 'svg', engine: 'dot' });
}

/** `@viz-js/viz`'s renderer, loaded once; `importer` is for tests of the missing-package error. */
export function loadGraphviz(
  importer: (name: string) => Promise<unknown> = (name) => import(name),
): Promise<GraphvizRenderer> {
  loading ??= importer(VIZ_PACKAGE).then(
    async (module) => {
      const instance = (module as { instance?: () => Promise<GraphvizRenderer> }).instance;
      if (typeof instance !== 'function')
        throw new Error(`theano.printing.toSvg: ${VIZ_PACKAGE} has no instance() function: install version 3`);
      return instance();
    },
    (e: unknown) => {
      throw missingPackage(e);
    },
  );
  // a failed load is not kept: installing the package and calling again works
  loading.catch(() => (loading = undefined));
  return loading;
}

function missingPackage(e: unknown): Error {
  const code = (e as { code?: unknown } | null)?.code;
  const notFound = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || String(e).includes(VIZ_PACKAGE);
  if (!notFound) return e instanceof Error ? e : new Error(String(e));
  return new Error(
    `theano.printing.toSvg needs the optional package ${VIZ_PACKAGE} (Graphviz compiled to WebAssembly), which ` +
      `could not be loaded: install it with \`npm install ${VIZ_PACKAGE}\`, pass a renderer as { viz }, or render ` +
      `the text of theano.printing.toDot with any Graphviz (dot -Tsvg)`,
    { cause: e },
  );
}

/** Forgets the loaded renderer (tests). */
export function resetGraphviz(): void {
  loading = undefined;
}
