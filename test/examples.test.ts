/**
 * The examples run and print the seed tutorial's numbers:
 * - examples/gradients-plot.ts (the math challenge): T.grad of the logistic and tanh functions, checked against the
 *   seed's values and the closed forms, and the SVG plot it writes;
 * - examples/tutorial.ts, imported in process with console.log captured.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { plotGradients, type GradientsPlot } from '../examples/gradients-plot.js';
import { trainRnn } from '../examples/rnn.js';
import { logisticRegression } from '../examples/logreg.js';
import { loadMnist } from '../examples/lib/mnist.js';
import { trainMnistMlp } from '../examples/mnist-mlp.js';
import { trainMnistLenet } from '../examples/mnist-lenet.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The seed's answers at x = -1.5, 0, 1.5. */
const SEED = {
  logistic: [0.149146, 0.25, 0.149146],
  tanh: [0.180707, 1, 0.180707],
};

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logisticGrad = (x: number) => sigmoid(x) * (1 - sigmoid(x));
const tanhGrad = (x: number) => 1 - Math.tanh(x) ** 2;

describe('examples/gradients-plot.ts', () => {
  let dir: string;
  let out: string;
  let result: GradientsPlot;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'theano-ts-gradients-'));
    out = join(dir, 'nested', 'gradients.svg');
    result = await plotGradients(out);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the values at -1.5, 0, 1.5 are the seed numbers', () => {
    expect(result.x).toEqual([-1.5, 0, 1.5]);
    result.logistic.forEach((v, i) => expect(Math.abs(v - SEED.logistic[i]!)).toBeLessThan(1e-6));
    result.tanh.forEach((v, i) => expect(Math.abs(v - SEED.tanh[i]!)).toBeLessThan(1e-6));
  });

  test('the printed table shows them to 6 significant digits', () => {
    const rows = result.report
      .split('\n')
      .map((line) => line.trim().split(/\s+/).map(Number))
      .filter((cols) => cols.length === 3 && cols.every(Number.isFinite));
    expect(rows.map(([x]) => x)).toEqual([-1.5, 0, 1.5]);
    rows.forEach(([, s, t], i) => {
      expect(Math.abs(s! - SEED.logistic[i]!)).toBeLessThan(1e-6);
      expect(Math.abs(t! - SEED.tanh[i]!)).toBeLessThan(1e-6);
    });
    expect(result.report).toContain('0.149146');
    expect(result.report).toContain('0.250000');
    expect(result.report).toContain('0.180707');
    expect(result.report).toContain('1.00000');
  });

  test('the printed table matches the closed forms exactly at 6 digits', () => {
    for (const [i, x] of result.x.entries()) {
      expect(result.report).toContain(logisticGrad(x).toPrecision(6));
      expect(result.report).toContain(tanhGrad(x).toPrecision(6));
      expect(result.logistic[i]).toBeCloseTo(logisticGrad(x), 14);
      expect(result.tanh[i]).toBeCloseTo(tanhGrad(x), 14);
    }
  });

  test('the curves are 201 points over [-5, 5] and equal the closed forms', () => {
    const { x, logistic, tanh } = result.curve;
    expect(x).toHaveLength(201);
    expect(x[0]).toBe(-5);
    expect(x[200]).toBe(5);
    expect(logistic).toHaveLength(201);
    expect(tanh).toHaveLength(201);
    x.forEach((xi, i) => {
      expect(Math.abs(logistic[i]! - logisticGrad(xi))).toBeLessThan(1e-12);
      expect(Math.abs(tanh[i]! - tanhGrad(xi))).toBeLessThan(1e-12);
    });
    // Bell-shaped, symmetric about 0, peaking there at 1/4 and 1.
    expect(logistic[100]).toBe(0.25);
    expect(tanh[100]).toBe(1);
    for (let i = 0; i < 100; i++) {
      expect(logistic[i]).toBeCloseTo(logistic[200 - i]!, 12);
      expect(tanh[i]).toBeCloseTo(tanh[200 - i]!, 12);
      expect(logistic[i]!).toBeLessThan(logistic[i + 1]!);
      expect(tanh[i]!).toBeLessThan(tanh[i + 1]!);
    }
    // The challenge points are on the sampled curves (x = ±1.5 is sample 70 and 130).
    expect(x[70]).toBe(-1.5);
    expect(x[130]).toBe(1.5);
    expect(logistic[70]).toBeCloseTo(result.logistic[0]!, 14);
    expect(tanh[130]).toBeCloseTo(result.tanh[2]!, 14);
  });

  test('the gradients are symbolic graphs from T.grad', () => {
    expect(result.graphs.logistic).toContain('exp(-x)');
    expect(result.graphs.tanh).toContain('tanh(x)');
    expect(result.report).toContain(result.graphs.logistic);
  });

  test('the SVG file is written and is a line chart with two series and a legend', () => {
    expect(result.path).toBe(out);
    expect(existsSync(out)).toBe(true);
    const svg = readFileSync(out, 'utf8');
    expect(svg).toBe(result.svg);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    // The line layer: one <g class="mark-line ..."> group per series, each holding one <path>.
    const lineGroups = [...svg.matchAll(/<g class="mark-line role-mark[^"]*"[^>]*>(<path[^>]*\/>)<\/g>/g)];
    expect(lineGroups).toHaveLength(2);
    for (const [, path] of lineGroups) {
      const d = / d="(M[^"]*)"/.exec(path!)?.[1] ?? '';
      expect(d.split('L')).toHaveLength(201); // a polyline through the 201 samples
    }
    // The legend, the axis titles and the title.
    const legend = svg.slice(svg.indexOf('role-legend'));
    expect(legend).toContain("logistic'(x) = s(x) (1 - s(x))");
    expect(legend).toContain("tanh'(x) = 1 - tanh(x)²");
    expect(svg).toContain('role-axis-title');
    expect(svg).toContain('gradient dy/dx');
    expect(svg).toContain('Gradients of the logistic and tanh functions');
    // The marked values.
    for (const label of ['0.149146', '0.250000', '0.180707', '1.000000']) expect(svg).toContain(`>${label}<`);
  });

  test('docs/gradients-plot.svg, the committed picture, is the same chart', () => {
    const committed = readFileSync(join(ROOT, 'docs', 'gradients-plot.svg'), 'utf8');
    expect(committed.startsWith('<svg')).toBe(true);
    // Byte equality would tie the test to the last bits of every sample; compare the text instead.
    const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    expect(texts(committed)).toEqual(texts(result.svg));
  });
});

describe('examples/tutorial.ts', () => {
  test('runs and prints the seed tutorial results', async () => {
    const printed: string[] = [];
    const spy = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void printed.push(format(...args)));
    try {
      await import('../examples/tutorial.js');
    } finally {
      spy.mockRestore();
    }
    const output = printed.join('\n');
    const section = (title: string) => {
      const start = output.indexOf(`=== ${title} ===`);
      expect(start, `section "${title}"`).toBeGreaterThanOrEqual(0);
      const next = output.indexOf('\n=== ', start + 1);
      return output.slice(start, next < 0 ? undefined : next);
    };
    expect(section('c = a + b')).toContain('\n4');
    expect(section('Adding two matrices')).toContain('[[11. 22.]\n [33. 44.]]');
    expect(section('a + a ** 10')).toContain('[   0.    2. 1026.]');
    expect(section('Logistic function')).toContain('[[0.5        0.73105858]\n [0.26894142 0.11920292]]');
    expect(section('Multiple outputs')).toContain('diff_squared:\n[[1. 0.]\n [1. 4.]]');
    expect(section('Shared variables: an accumulator')).toContain('0\n1\n301');
    expect(section('theano.pp')).toContain('1 / (1 + exp(-x))');
    // Computing gradients: dy/dx of x ** 2 at 4.
    const gradients = section('Computing gradients');
    expect(gradients).toContain('x ** (2 - 1)');
    expect(gradients.trimEnd().endsWith('\n8')).toBe(true);
    // The math challenge, as the seed gives it.
    const challenge = section('Math challenge: gradients of the logistic and tanh functions');
    expect(challenge).toContain("logistic'(x): [0.14914645 0.25       0.14914645]");
    expect(challenge).toContain("tanh'(x):     [0.18070664 1.         0.18070664]");
  });
});

describe('examples/rnn.ts', () => {
  test('BPTT through scan: the loss falls, and the trained RNN beats repeating the last value', () => {
    // a small run (the example trains 300 epochs of hidden 16 on 30-step windows)
    const r = trainRnn({ hidden: 8, steps: 12, batch: 16, epochs: 60 });
    expect(r.losses).toHaveLength(60);
    r.losses.forEach((l) => expect(Number.isFinite(l)).toBe(true));
    const first = r.losses.slice(0, 5).reduce((a, b) => a + b) / 5;
    const last = r.losses.slice(-5).reduce((a, b) => a + b) / 5;
    expect(last).toBeLessThan(first / 3);
    expect(r.testLoss).toBeLessThan(r.baselineLoss);
  });
});

describe('examples/logreg.ts', () => {
  test("Theano's real example: the cost falls and the training targets are learned", () => {
    // the example runs 400 x 784 for 10,000 steps; a smaller run shows the same
    const r = logisticRegression({ steps: 300, examples: 100, features: 200 }); // more features than examples: separable, as 784 > 400
    expect(r.costs[r.costs.length - 1]!).toBeLessThan(r.costs[0]! / 2);
    expect(r.accuracy).toBeGreaterThan(0.9);
    expect(r.targets.every((t) => t === 0 || t === 1)).toBe(true);
    expect(r.targets.filter((t) => t === 1).length).toBeGreaterThan(30); // a fair coin, not a constant
  });
});

describe('training examples on MNIST (small slices)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'theano-ts-mnist-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const data = loadMnist({ trainSize: 640, testSize: 500 });

  test('the MLP: the loss falls, it beats chance by far, it saves, resumes and draws its curves', async () => {
    const save = join(dir, 'mlp.safetensors');
    const plot = join(dir, 'mlp.svg');
    const lines: string[] = [];
    const r = await trainMnistMlp({
      data,
      epochs: 3,
      hidden: 64,
      save,
      plot,
      progress: false,
      log: (l) => lines.push(l),
    });
    expect(r.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(r.history[2]!.loss).toBeLessThan(r.history[0]!.loss);
    expect(r.testAccuracy).toBeGreaterThan(0.7); // chance is 0.1
    expect(lines[0]).toMatch(/^epoch 1: loss \d\.\d{4}, test accuracy \d+\.\d\d %, [\d,]+ ex\/s$/);
    expect(readFileSync(plot, 'utf8')).toContain('<svg');
    expect(existsSync(save)).toBe(true);
    // a second run resumes from the saved parameters: its first epoch starts where the first run ended
    const again = await trainMnistMlp({ data, epochs: 1, hidden: 64, save, progress: false, log: () => {} });
    expect(again.resumed).toBe(true);
    expect(again.history[0]!.loss).toBeLessThan(r.history[0]!.loss);
  });

  test('LeNet: convolutions, pooling and dropout train; the loss falls and it beats chance', async () => {
    const lines: string[] = [];
    const plot = join(dir, 'lenet.svg');
    const r = await trainMnistLenet({
      data,
      epochs: 3,
      filters: [6, 12],
      hidden: 64,
      plot,
      progress: false,
      log: (l) => lines.push(l),
    });
    expect(r.history).toHaveLength(3);
    expect(r.history[2]!.loss).toBeLessThan(r.history[0]!.loss);
    expect(r.testAccuracy).toBeGreaterThan(0.3); // chance is 0.1; the full run reaches 97 % and more
    expect(r.params.map((p) => p.name)).toEqual([
      'conv1',
      'conv1_b',
      'conv2',
      'conv2_b',
      'dense',
      'dense_b',
      'out',
      'out_b',
    ]);
    expect(readFileSync(plot, 'utf8')).toContain('<svg');
    expect(lines).toHaveLength(3);
  });
});
