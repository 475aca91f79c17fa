// Post-build step for the bundled typings (dist/index.d.ts and dist/index.d.cts).
//
// tsup's declaration bundler turns a namespace re-export (`export * as tensor`, `import * as T ... export { T }`)
// into aliases, `declare const T_dot: typeof dot;` and `type T_Opts = Opts;`, listed in `declare namespace T
// { export { T_dot as dot } }`. An alias is a new declaration without the TSDoc of the one it copies, so every
// completion after `T.` lost its documentation. A namespace can re-export the original declaration directly
// (`export { dot, type Opts }`), which keeps the TSDoc and the overloads; this script rewrites the bundle so.
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * The namespaces `export * as` makes have no declaration to carry a TSDoc in the sources; their docs are here and are
 * written above each `declare namespace` of the bundle.
 */
const NAMESPACE_DOCS = {
  random: [
    "Random sampling (Theano's `T.shared_randomstreams`, numpy's `Generator`): `RandomStreams` and its distributions.",
    '@example const srng = new T.random.RandomStreams(42); const noise = srng.normal([3], { std: 0.1 });',
  ],
  nlinalg: [
    "Linear algebra (Theano's `T.nlinalg` and `T.slinalg`): inverse, determinant, solvers, factorizations, norms.",
    '@example T.linalg.solve(a, b)',
  ],
  gradient: [
    "Differentiation (Theano's `theano.gradient`): `grad`, `jacobian`, `hessian`, `Lop`, `Rop`, gradient modifiers.",
    '@example theano.gradient.grad(cost, w)',
  ],
  graphApi: [
    "Walking and copying graphs (PyTensor's `graph_inputs`, `ancestors`, `clone_replace`).",
    '@example theano.graph.inputs(y)',
  ],
  printingApi: ["Printing graphs (Theano's `theano.printing`): `pp`, `debugprint`.", '@example theano.printing.pp(y)'],
  index: ['Graph rewriting: the rules, passes and the named optimization pipeline.', '@example theano.rewrite'],
};

const files = process.argv.slice(2);
if (files.length === 0) files.push('dist/index.d.ts', 'dist/index.d.cts');

/** Rewrites one bundle; returns the number of aliases removed. */
function fix(text) {
  const aliases = new Map(); // alias name -> original name
  const namespaceNames = [...text.matchAll(/^declare namespace ([\w$]+) \{$/gm)].map((m) => m[1]);
  const lines = text.split('\n');
  const kept = [];
  for (const line of lines) {
    const alias = aliasOf(line, namespaceNames);
    if (alias) {
      aliases.set(alias.alias, alias.original);
      continue;
    }
    kept.push(line);
  }
  const out = kept.map((line) => {
    if (!/^ {2}export \{ .* \};$/.test(line)) return line;
    // inside a namespace's export list: `T_dot as dot` -> `dot`, `type T_Opts as Opts` -> `type Opts`
    return line.replace(/(type )?([\w$]+) as ([\w$]+)/g, (whole, typeKw, local, exported) => {
      const original = aliases.get(local);
      if (original === undefined) return whole;
      return `${typeKw ?? ''}${original === exported ? exported : `${original} as ${exported}`}`;
    });
  });
  for (const alias of aliases.keys()) {
    if (new RegExp(`\\b${alias.replace(/\$/g, '\\$')}\\b`).test(out.join('\n'))) {
      throw new Error(`fix-dts-namespaces: alias ${alias} is still referenced after the rewrite`);
    }
  }
  return { text: documentNamespaces(out).join('\n'), removed: aliases.size };
}

/** Puts NAMESPACE_DOCS above the namespaces that have no doc yet. */
function documentNamespaces(lines) {
  const out = [];
  for (const line of lines) {
    const m = /^declare namespace ([\w$]+) \{$/.exec(line);
    const doc = m && NAMESPACE_DOCS[m[1]];
    if (doc && !out.at(-1)?.trimEnd().endsWith('*/')) out.push('/**', ...doc.map((l) => ` * ${l}`), ' */');
    out.push(line);
  }
  return out;
}

/** `declare const T_dot: typeof dot;` or `type T_Opts<A> = Opts<A>;` where T is a namespace of the bundle. */
function aliasOf(line, namespaceNames) {
  const value = /^declare const ([\w$]+): typeof ([\w$]+);$/.exec(line);
  const type = /^type ([\w$]+)(?:<.*>)? = ([\w$]+)(?:<.*>)?;$/.exec(line);
  const m = value ?? type;
  if (!m) return null;
  const [, alias, original] = m;
  const ns = namespaceNames.find((n) => alias === `${n}_${stripSuffix(original)}` || alias.startsWith(`${n}_`));
  if (!ns) return null;
  // the alias must be exactly `${namespace}_${exported name}`, the bundler's pattern
  if (!alias.startsWith(`${ns}_`)) return null;
  return { alias, original };
}

const stripSuffix = (name) => name.replace(/\$\d+$/, '');

for (const file of files) {
  const { text, removed } = fix(readFileSync(file, 'utf8'));
  writeFileSync(file, text);
  console.log(`fix-dts-namespaces: ${file}: ${removed} namespace aliases replaced by direct re-exports`);
}
