/**
 * What every benchmark in bench/ shares: a report format, timing helpers and a description of the machine.
 * A benchmark file exports `run(): Promise<BenchReport>`; `bench/run.ts` runs them all and prints their tables.
 */
import os from 'node:os';

export interface BenchTable {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

export interface BenchReport {
  readonly title: string;
  readonly tables: readonly BenchTable[];
  /** Targets met or missed, and anything a reader of the numbers should know. */
  readonly notes: readonly string[];
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Runs `f` `warmup` times untimed, then `runs` times; returns each timed run's milliseconds and last result. */
export function timeRuns<T>(f: () => T, runs: number, warmup: number): { ms: number[]; last: T } {
  let last = f();
  for (let i = 1; i < warmup; i++) last = f();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    last = f();
    ms.push(performance.now() - start);
  }
  return { ms, last };
}

export { seededRandom } from '../src/runtime/random.js';

export const fmt = (ms: number, digits = 2) => ms.toFixed(digits);

export function machine(): {
  cpu: string;
  cores: number;
  memoryGb: number;
  node: string;
  platform: string;
  date: string;
} {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString().slice(0, 10),
  };
}

/** A table as aligned plain text (or as a markdown table). */
export function formatTable(table: BenchTable, markdown = false): string {
  const cells = [table.columns, ...table.rows.map((r) => r.map(String))];
  const widths = table.columns.map((_, j) => Math.max(...cells.map((r) => String(r[j] ?? '').length)));
  const line = (r: readonly (string | number)[]) =>
    r.map((c, j) => String(c).padEnd(widths[j]!)).join(markdown ? ' | ' : '  ');
  const rule = widths.map((w) => '-'.repeat(w)).join(markdown ? ' | ' : '  ');
  const body = [line(table.columns), rule, ...table.rows.map(line)];
  return markdown ? body.map((l) => `| ${l} |`).join('\n') : body.join('\n');
}
