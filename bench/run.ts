/**
 * `npm run bench`: runs every benchmark file in bench/ (each exports `run(): Promise<BenchReport>`) and prints
 * its tables. `npm run bench -- compile` runs only the files whose name contains "compile"; `--markdown` prints
 * markdown tables (for docs/performance.md). The test suite never runs these.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatTable, machine, type BenchReport } from './harness.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const NOT_BENCHMARKS = new Set(['run.ts', 'harness.ts', 'workload-defs.ts']);

const args = process.argv.slice(2);
const markdown = args.includes('--markdown');
const filters = args.filter((a) => !a.startsWith('--'));

const files = readdirSync(HERE)
  .filter((f) => f.endsWith('.ts') && !f.startsWith('.') && !NOT_BENCHMARKS.has(f) && !f.endsWith('.d.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

const m = machine();
console.log(`machine: ${m.cpu} x ${m.cores}, ${m.memoryGb} GB, ${m.platform}, node ${m.node}, ${m.date}`);
if (files.length === 0) console.log(`no benchmark matches ${filters.join(', ')}`);

for (const file of files) {
  const module = (await import(pathToFileURL(join(HERE, file)).href)) as { run?: () => Promise<BenchReport> };
  if (typeof module.run !== 'function') {
    console.log(`\n${file}: skipped (exports no run())`);
    continue;
  }
  let report: BenchReport;
  try {
    report = await module.run();
  } catch (e) {
    // one broken benchmark must not hide the others' numbers
    process.exitCode = 1;
    console.log(`\n${file}: FAILED: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    continue;
  }
  console.log(`\n${markdown ? '## ' : '== '}${report.title} (${file})`);
  for (const table of report.tables)
    console.log(`\n${markdown ? '### ' : ''}${table.title}\n\n${formatTable(table, markdown)}`);
  if (report.notes.length) console.log(`\n${report.notes.map((n) => `- ${n}`).join('\n')}`);
}
