/**
 * Type-checking cost, as an npm user of the built package pays it (issue 16's budgets):
 * - `tsc --noEmit` on a generated 2,000-function user file of mixed ops (bench/tsc/user-file.ts), against the
 *   built typings (dist/index.d.ts, installed in a temporary package directory as `theano-ts`): wall time and
 *   `--extendedDiagnostics` (check time, memory, types, instantiations);
 * - the project's own `tsc -p tsconfig.json`;
 * - language-service quick info after an edit in the generated file (as an editor asks on hover);
 * - the same two checks with TypeScript 7 (the Go-native compiler, a dev dependency aliased `typescript-7`; it
 *   checks in parallel, so its CPU time exceeds its wall time). `npm run typecheck` runs it; TypeScript 6 stays the
 *   compiler of the build (tsup), tsd and the language service measured here.
 *
 * Run `npm run build` first (it reads dist/). `npm run bench -- tsc`; `TSC_BENCH_RUNS=5` for more runs,
 * `TSC_BENCH_PROJECT=0` to skip the project check, `TSC_BENCH_PROJECT_RUNS=3` to run it more than once. Instantiation and type counts are deterministic; times are the
 * median of the runs (the machine is shared: check `uptime`).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { fmt, median, seededRandom, targetNote, type BenchReport, type BenchTable } from './harness.js';
import { generateUserFile } from './tsc/user-file.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'lib', 'tsc.js');
const TSC7 = join(ROOT, 'node_modules', 'typescript-7', 'bin', 'tsc');
/** Which compiler a run uses: TypeScript 6 (JavaScript, the one tsup, tsd and editors load) or 7 (native). */
export type Compiler = 'ts6' | 'ts7';
const FUNCTIONS = 2000;
const SEED = 16;
const BUDGET = { userSeconds: 6, userMb: 300, projectSeconds: 10, quickInfoSeconds: 0.5 };

const COMPILER_OPTIONS = {
  target: 'ES2022',
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  types: [],
};

/** What `--extendedDiagnostics` prints that we keep. */
export interface TscStats {
  wallMs: number;
  /** user + system CPU time of the tsc process: what wall time would be on an idle machine, give or take GC threads */
  cpuMs: number;
  checkMs: number;
  totalMs: number;
  memoryKb: number;
  types: number;
  instantiations: number;
  errors: number;
  output: string;
}

/** A temporary project: `node_modules/theano-ts` holds the built typings, `user.ts` the generated file. */
export function makeUserProject(functions = FUNCTIONS, seed = SEED): { dir: string; file: string; text: string } {
  const dist = join(ROOT, 'dist', 'index.d.ts');
  if (!existsSync(dist)) throw new Error('bench/tsc.ts reads dist/index.d.ts: run `npm run build` first');
  const dir = mkdtempSync(join(os.tmpdir(), 'theano-tsc-bench-'));
  const pkg = join(dir, 'node_modules', 'theano-ts');
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  copyFileSync(dist, join(pkg, 'dist', 'index.d.ts'));
  copyFileSync(join(ROOT, 'dist', 'index.d.cts'), join(pkg, 'dist', 'index.d.cts'));
  const text = generateUserFile(functions, seededRandom(seed));
  const file = join(dir, 'user.ts');
  writeFileSync(file, text);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user', type: 'module', private: true }));
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: COMPILER_OPTIONS, files: ['user.ts'] }, null, 2),
  );
  return { dir, file, text };
}

function statLine(output: string, label: string): number {
  const m = new RegExp(`^${label}:\\s+([\\d.]+)(s|K)?`, 'm').exec(output);
  if (!m) return NaN;
  return m[2] === 's' ? Number(m[1]) * 1000 : Number(m[1]);
}

// Loaded into the tsc process: prints its CPU time at exit (the machine is shared, so wall time alone says little).
const CPU_PRELOAD =
  "process.on('exit', () => { const u = process.cpuUsage(); process.stdout.write(`CPU time: ${((u.user + u.system) / 1e6).toFixed(2)}s\\n`); });";

/** CPU time (ms) used by this process's finished children, from /proc (Linux); NaN elsewhere. */
function childrenCpuMs(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // after the command name: state is field 3; cutime and cstime are fields 16 and 17, in clock ticks (100/s)
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return NaN;
  }
}

/** One `tsc --noEmit --extendedDiagnostics -p <project>` run in a child process. */
export function runTsc(project: string, extra: readonly string[] = [], compiler: Compiler = 'ts6'): TscStats {
  const preload = join(os.tmpdir(), `theano-tsc-bench-cpu-${process.pid}.cjs`);
  writeFileSync(preload, CPU_PRELOAD);
  const flags = ['-p', project, '--noEmit', '--extendedDiagnostics', ...extra];
  // TypeScript 6 prints its own CPU time (the preload); TypeScript 7's Go process is a grandchild: count it from /proc
  const args = compiler === 'ts6' ? ['--require', preload, TSC, ...flags] : [TSC7, ...flags];
  const cpuBefore = childrenCpuMs();
  const start = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 });
  const wallMs = performance.now() - start;
  const output = `${r.stdout}${r.stderr}`;
  rmSync(preload, { force: true });
  return {
    wallMs,
    cpuMs: compiler === 'ts6' ? statLine(output, 'CPU time') : childrenCpuMs() - cpuBefore,
    checkMs: statLine(output, 'Check time'),
    totalMs: statLine(output, 'Total time'),
    memoryKb: statLine(output, 'Memory used'),
    types: statLine(output, 'Types'),
    instantiations: statLine(output, 'Instantiations'),
    errors: (output.match(/error TS\d+/g) ?? []).length,
    output,
  };
}

/**
 * Quick info latency after an edit, as an editor sees it: a language service over the generated file; each round
 * changes a number literal in a function near the end (a new version of the file, so a new program and checker),
 * then asks for the quick info of a symbol below it.
 */
export function quickInfoAfterEdit(
  file: string,
  text: string,
  rounds: number,
): { ms: number[]; cpuMs: number[]; display: string } {
  const parsed = ts.parseJsonConfigFileContent({ compilerOptions: COMPILER_OPTIONS }, ts.sys, dirname(file));
  let current = text;
  let version = 0;
  const host: ts.LanguageServiceHost = {
    getScriptFileNames: () => [file],
    getScriptVersion: (f) => (f === file ? String(version) : '0'),
    getScriptSnapshot: (f) => {
      const content = f === file ? current : ts.sys.readFile(f);
      return content === undefined ? undefined : ts.ScriptSnapshot.fromString(content);
    },
    getCurrentDirectory: () => dirname(file),
    getCompilationSettings: () => parsed.options,
    getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
    fileExists: ts.sys.fileExists,
    readFile: ts.sys.readFile,
    readDirectory: ts.sys.readDirectory,
    directoryExists: ts.sys.directoryExists,
    getDirectories: ts.sys.getDirectories,
  };
  const service = ts.createLanguageService(host, ts.createDocumentRegistry());
  // the edit: the last `const e<k> =` of the file gets a `.mul(<round>)`; the hover is on the symbol it names
  const at = text.lastIndexOf('const e');
  const nameEnd = text.indexOf(' =', at);
  const lineEnd = text.indexOf(';', nameEnd);
  const ms: number[] = [];
  const cpuMs: number[] = [];
  let display = '';
  for (let round = 0; round <= rounds; round++) {
    current = `${text.slice(0, lineEnd)}.mul(${round + 1})${text.slice(lineEnd)}`;
    version++;
    const start = performance.now();
    const cpu = process.cpuUsage();
    const info = service.getQuickInfoAtPosition(file, at + 'const '.length + 1);
    const elapsed = performance.now() - start;
    const used = process.cpuUsage(cpu);
    // round 0 also reads lib and dist: an editor has them loaded already
    if (round > 0) {
      ms.push(elapsed);
      cpuMs.push((used.user + used.system) / 1000);
    }
    display = ts.displayPartsToString(info?.displayParts);
  }
  service.dispose();
  return { ms, cpuMs, display };
}

function mb(kb: number): number {
  return kb / 1024;
}

function userFileTable(runs: TscStats[], compiler: Compiler): BenchTable {
  const med = (f: (s: TscStats) => number) => median(runs.map(f));
  const first = runs[0]!;
  const wall = med((s) => s.wallMs) / 1000;
  const cpu = med((s) => s.cpuMs) / 1000;
  const version = compiler === 'ts6' ? 'TypeScript 6' : 'TypeScript 7 (native)';
  return {
    title: `tsc --noEmit on a generated ${FUNCTIONS}-function user file (dist typings, skipLibCheck), ${version}, ${runs.length} runs`,
    columns: ['measure', 'median', 'budget', 'ratio'],
    rows: [
      ['wall time (s)', fmt(wall), BUDGET.userSeconds, fmt(wall / BUDGET.userSeconds)],
      ['CPU time (s)', fmt(cpu), BUDGET.userSeconds, fmt(cpu / BUDGET.userSeconds)],
      ['check time (s)', fmt(med((s) => s.checkMs) / 1000), '', ''],
      [
        'memory used (MB)',
        fmt(mb(med((s) => s.memoryKb)), 0),
        BUDGET.userMb,
        fmt(mb(med((s) => s.memoryKb)) / BUDGET.userMb),
      ],
      ['types', first.types, '', ''],
      ['instantiations', first.instantiations, '', ''],
      ['errors', first.errors, 0, ''],
    ],
  };
}

/** The generated user file checked `runs` times by each compiler, and quick info after edits (TypeScript 6). */
function userFileSection(runs: number, tables: BenchTable[], notes: string[]): void {
  const { dir, file, text } = makeUserProject();
  try {
    const user = Array.from({ length: runs }, () => runTsc(join(dir, 'tsconfig.json')));
    tables.push(userFileTable(user, 'ts6'));
    if (user[0]!.errors > 0)
      notes.push(`the generated file has errors:\n${user[0]!.output.split('\n').slice(0, 10).join('\n')}`);
    const user7 = Array.from({ length: runs }, () => runTsc(join(dir, 'tsconfig.json'), [], 'ts7'));
    tables.push(userFileTable(user7, 'ts7'));
    const quick = quickInfoAfterEdit(file, text, Math.max(5, runs));
    const quickS = median(quick.ms) / 1000;
    const quickCpuS = median(quick.cpuMs) / 1000;
    tables.push({
      title: `language service: quick info after an edit near the end of the file, ${quick.ms.length} edits`,
      columns: ['measure', 'median', 'budget', 'ratio'],
      rows: [
        ['wall time (s)', fmt(quickS, 3), BUDGET.quickInfoSeconds, fmt(quickS / BUDGET.quickInfoSeconds)],
        ['CPU time (s)', fmt(quickCpuS, 3), BUDGET.quickInfoSeconds, fmt(quickCpuS / BUDGET.quickInfoSeconds)],
      ],
    });
    notes.push(`quick info shows: ${quick.display.replace(/\s+/g, ' ')}`);
    const medianS = (r: TscStats[], f: (s: TscStats) => number) => median(r.map(f)) / 1000;
    notes.push(
      targetNote(
        'user file tsc wall time',
        medianS(user, (s) => s.wallMs),
        'atMost',
        BUDGET.userSeconds,
        ' s',
      ),
    );
    notes.push(
      targetNote(
        'user file tsc CPU time',
        medianS(user, (s) => s.cpuMs),
        'atMost',
        BUDGET.userSeconds,
        ' s',
      ),
    );
    notes.push(
      targetNote('user file tsc memory', mb(median(user.map((s) => s.memoryKb))), 'atMost', BUDGET.userMb, ' MB'),
    );
    notes.push(targetNote('quick info after an edit (wall)', quickS, 'atMost', BUDGET.quickInfoSeconds, ' s'));
    notes.push(targetNote('quick info after an edit (CPU)', quickCpuS, 'atMost', BUDGET.quickInfoSeconds, ' s'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The project's own `tsc -p tsconfig.json`, with each compiler (`npm run typecheck` is TypeScript 7's). */
function projectSection(runs: number, tables: BenchTable[], notes: string[]): void {
  for (const compiler of ['ts7', 'ts6'] as const) {
    const project = Array.from({ length: runs }, () => runTsc(join(ROOT, 'tsconfig.json'), [], compiler));
    const wall = median(project.map((s) => s.wallMs)) / 1000;
    const cpu = median(project.map((s) => s.cpuMs)) / 1000;
    const version = compiler === 'ts6' ? 'TypeScript 6 (npm run typecheck:ts6)' : 'TypeScript 7 (npm run typecheck)';
    tables.push({
      title: `the project's own tsc -p tsconfig.json (src, test, examples, bench), ${version}, ${project.length} runs`,
      columns: ['measure', 'median', 'budget', 'ratio'],
      rows: [
        ['wall time (s)', fmt(wall), BUDGET.projectSeconds, fmt(wall / BUDGET.projectSeconds)],
        ['CPU time (s)', fmt(cpu), BUDGET.projectSeconds, fmt(cpu / BUDGET.projectSeconds)],
        ['check time (s)', fmt(median(project.map((s) => s.checkMs)) / 1000), '', ''],
        ['memory used (MB)', fmt(mb(median(project.map((s) => s.memoryKb))), 0), '', ''],
        ['instantiations', project[0]!.instantiations, '', ''],
        ['errors', project[0]!.errors, 0, ''],
      ],
    });
    const label = `project tsc (${compiler === 'ts6' ? 'TypeScript 6' : 'TypeScript 7'})`;
    notes.push(targetNote(`${label} wall time`, wall, 'atMost', BUDGET.projectSeconds, ' s'));
  }
}

export async function run(): Promise<BenchReport> {
  const runs = Number(process.env.TSC_BENCH_RUNS ?? 3);
  const load = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  const notes: string[] = [`load average at start: ${load} (2 cores shared)`];
  const tables: BenchTable[] = [];
  userFileSection(runs, tables, notes);
  if (process.env.TSC_BENCH_PROJECT !== '0')
    projectSection(Number(process.env.TSC_BENCH_PROJECT_RUNS ?? 1), tables, notes);
  return { title: 'Type-checking cost (issue 16 budgets)', tables, notes };
}
