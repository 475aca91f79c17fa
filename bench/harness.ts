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

// ---------------------------------------------------------------------------------------------------------------
// helpers for the run-time benchmarks (bench/workloads.ts, bench/matmul.ts)

/** `n` seeded uniform values in [lo, hi), as a Float64Array (convert with Float32Array.from for float32 peers). */
export function uniformArray(rand: () => number, n: number, lo = -1, hi = 1): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * rand();
  return out;
}

/** The largest |a[i] - b[i]| (Infinity when the lengths differ, NaN when either holds a NaN). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = d; // also takes NaN
  }
  return m;
}

/** A small number in short exponential form (`3.1e-7`), exact zero as `0`, NaN as `NaN`. */
export const fmtSci = (x: number, digits = 1): string =>
  x === 0 ? '0' : Number.isNaN(x) ? 'NaN' : x.toExponential(digits);

/** A ratio as `1.23x`, or `n/a` when either side was not measured. */
export const fmtRatio = (x: number | undefined): string =>
  x === undefined || !Number.isFinite(x) ? 'n/a' : `${x.toFixed(2)}x`;

/**
 * A note saying whether a target was met, from the measured value: `atMost` targets (time ratios, microseconds)
 * are met when `measured <= target`, `atLeast` targets (speed-ups) when `measured >= target`.
 */
export function targetNote(
  what: string,
  measured: number | undefined,
  kind: 'atMost' | 'atLeast',
  target: number,
  unit = 'x',
): string {
  if (measured === undefined || !Number.isFinite(measured))
    return `target not measured: ${what} (target ${kind === 'atMost' ? '<=' : '>='} ${target}${unit})`;
  const met = kind === 'atMost' ? measured <= target : measured >= target;
  // a third decimal when two would print the measured value as the target itself (1.004x against 1.00x)
  const digits = measured !== target && measured.toFixed(2) === target.toFixed(2) ? 3 : 2;
  const show = (x: number) => `${x.toFixed(digits)}${unit}`;
  return `target ${met ? 'met' : 'MISSED'}: ${what} = ${show(measured)} (target ${kind === 'atMost' ? '<=' : '>='} ${show(target)})`;
}

/**
 * Whether two peers' results agree: a difference up to 1e-9 (float64) or 1e-4 (float32) of the results'
 * magnitude `scale` (at least 1) is rounding; more means a broken kernel. An unmeasured difference agrees.
 */
export function agrees(diff: number | undefined, scale: number, dtype: 'float32' | 'float64'): boolean {
  if (diff === undefined) return true;
  return diff <= (dtype === 'float32' ? 1e-4 : 1e-9) * Math.max(1, scale);
}

/** The largest |x| in `a` (0 for an empty array). */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

type Peers = { readonly [name: string]: (() => unknown) | undefined };
export type InterleavedTimes<P extends Peers> = {
  [K in keyof P]: NonNullable<P[K]> extends () => infer V
    ? { ms: number[]; median: number; last: V } | (undefined extends P[K] ? undefined : never)
    : undefined;
};

/**
 * Times several peers on the same work, interleaved: each round calls every peer once (starting with a different
 * peer each round), so on a shared, noisy machine all peers see the same load and their ratios stay fair. `warmup`
 * untimed rounds first, then `runs` timed ones. Peers given as `undefined` are skipped (and come back undefined).
 */
export function timeInterleaved<P extends Peers>(peers: P, runs: number, warmup: number): InterleavedTimes<P> {
  const names = Object.keys(peers).filter((k) => peers[k] !== undefined);
  const ms: Record<string, number[]> = {};
  const last: Record<string, unknown> = {};
  for (const k of names) ms[k] = [];
  for (let round = 0; round < warmup + runs; round++) {
    for (let i = 0; i < names.length; i++) {
      const k = names[(round + i) % names.length]!;
      const start = performance.now();
      last[k] = peers[k]!();
      if (round >= warmup) ms[k]!.push(performance.now() - start);
    }
  }
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(peers)) out[k] = ms[k] ? { ms: ms[k], median: median(ms[k]!), last: last[k] } : undefined;
  return out as InterleavedTimes<P>;
}
