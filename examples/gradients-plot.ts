/**
 * The seed tutorial's math challenge (shared/seed/theano-tutorial.txt, last slide): find the gradients of the
 * logistic and hyperbolic tangent functions with T.grad, evaluate them at x = -1.5, 0 and 1.5, and plot both
 * gradient curves.
 *
 * Run it with `npm run example:gradients` (or `npx tsx examples/gradients-plot.ts [out.svg]`): it prints the
 * gradient graphs and values and writes the plot, a vega-lite chart rendered to SVG, to the path given as the
 * first argument, by default docs/gradients-plot.svg (the picture docs/tutorial.md shows).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import * as theano from '../src/index.js';

const T = theano.tensor;

/** Where the x values of the challenge are. */
export const CHALLENGE_POINTS = [-1.5, 0, 1.5] as const;

/** The default output: docs/gradients-plot.svg, next to the docs that link it. */
export const DEFAULT_OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'gradients-plot.svg');

export interface GradientsPlot {
  /** The challenge points, -1.5, 0 and 1.5. */
  x: number[];
  /** logistic'(x) at the challenge points (full precision). */
  logistic: number[];
  /** tanh'(x) at the challenge points (full precision). */
  tanh: number[];
  /** The sampled curves: `curve.x` (201 points over [-5, 5]) and both gradients there. */
  curve: { x: number[]; logistic: number[]; tanh: number[] };
  /** `theano.pp` of both symbolic gradients. */
  graphs: { logistic: string; tanh: string };
  /** What the example prints: the gradient graphs and the values to 6 significant digits. */
  report: string;
  /** The rendered plot. */
  svg: string;
  /** The absolute path the SVG was written to. */
  path: string;
}

/** `n` evenly spaced points from `lo` to `hi`, both included. */
function linspace(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i === n - 1 ? hi : lo + ((hi - lo) * i) / (n - 1)));
}

/**
 * Builds both gradients symbolically with `T.grad`, compiles them, evaluates them at the challenge points and
 * over [-5, 5], renders the plot and writes it to `outPath`.
 */
export async function plotGradients(outPath: string = DEFAULT_OUT): Promise<GradientsPlot> {
  // Scalar form, as on the slide: one x, the gradient of one expression.
  const x = T.dscalar('x');
  const logistic = T.div(1, T.add(1, T.exp(x.neg()))); // s(x) = 1 / (1 + e^-x)
  const gLogistic = T.grad(logistic, x);
  const gTanh = T.grad(T.tanh(x), x);
  const gradients = theano.function([x], [gLogistic, gTanh]);

  const values = CHALLENGE_POINTS.map((p) => gradients(p));
  const atLogistic = values.map(([s]) => s);
  const atTanh = values.map(([, t]) => t);

  // Vector form for the curves: the gradient of sum(f(v)) with respect to v is f' elementwise.
  const v = T.dvector('v');
  const gLogisticV = T.grad(T.sum(T.div(1, T.add(1, T.exp(v.neg())))), v);
  const gTanhV = T.grad(T.sum(T.tanh(v)), v);
  const curves = theano.function([v], [gLogisticV, gTanhV]);
  const xs = linspace(-5, 5, 201);
  const [curveLogistic, curveTanh] = curves(xs);
  const curve = { x: xs, logistic: curveLogistic.toArray(), tanh: curveTanh.toArray() };

  const graphs = { logistic: theano.pp(gLogistic), tanh: theano.pp(gTanh) };
  const fmt = (n: number) => n.toPrecision(6);
  const report = [
    `logistic'(x) = ${graphs.logistic}`,
    `tanh'(x)     = ${graphs.tanh}`,
    '',
    "     x  logistic'(x)    tanh'(x)",
    ...CHALLENGE_POINTS.map(
      (p, i) => `${String(p).padStart(6)}  ${fmt(atLogistic[i]!).padStart(12)}  ${fmt(atTanh[i]!).padStart(10)}`,
    ),
  ].join('\n');

  const svg = await renderPlot(curve, { x: [...CHALLENGE_POINTS], logistic: atLogistic, tanh: atTanh });
  const path = resolve(outPath);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, svg);
  return { x: [...CHALLENGE_POINTS], logistic: atLogistic, tanh: atTanh, curve, graphs, report, svg, path };
}

type Series = { x: number[]; logistic: number[]; tanh: number[] };

const LOGISTIC_LABEL = "logistic'(x) = s(x) (1 - s(x))";
const TANH_LABEL = "tanh'(x) = 1 - tanh(x)²";

/** Long-format rows for vega-lite: one row per (x, function). */
function rows({ x, logistic, tanh }: Series): { x: number; gradient: number; function: string }[] {
  return x.flatMap((xi, i) => [
    { x: xi, gradient: logistic[i]!, function: LOGISTIC_LABEL },
    { x: xi, gradient: tanh[i]!, function: TANH_LABEL },
  ]);
}

/**
 * Where each value label goes, in data units, so that none of them crosses a curve: at x = ±1.5 the tanh value
 * sits above and outwards, the logistic value below and inwards; at 0 both sit above, to the right.
 */
function labels(points: Series): { x: number; y: number; text: string; function: string; align: 'left' | 'right' }[] {
  return points.x.flatMap((x, i) => {
    const outward = x < 0 ? 'right' : 'left';
    const inward = x < 0 ? 'left' : 'right';
    const tanh = points.tanh[i]!;
    const logistic = points.logistic[i]!;
    return [
      { x, y: tanh + 0.03, text: tanh.toFixed(6), function: TANH_LABEL, align: x === 0 ? 'left' : outward },
      x === 0
        ? { x, y: logistic + 0.03, text: logistic.toFixed(6), function: LOGISTIC_LABEL, align: 'left' }
        : { x, y: logistic - 0.045, text: logistic.toFixed(6), function: LOGISTIC_LABEL, align: inward },
    ] as const;
  });
}

/** A layered vega-lite chart: both gradient curves, and the challenge points marked and labelled. */
async function renderPlot(curve: Series, points: Series): Promise<string> {
  const color = {
    field: 'function',
    type: 'nominal',
    title: null,
    scale: { domain: [LOGISTIC_LABEL, TANH_LABEL], range: ['#1f77b4', '#d62728'] },
    legend: { orient: 'top-left', labelFontSize: 12, labelLimit: 400, symbolType: 'stroke', symbolStrokeWidth: 2 },
  } as const;
  const x = { field: 'x', type: 'quantitative' } as const;
  const placed = labels(points);
  const textLayer = (align: 'left' | 'right') =>
    ({
      data: { values: placed.filter((l) => l.align === align) },
      mark: { type: 'text', align, baseline: 'middle', dx: align === 'left' ? 7 : -7, fontSize: 11 },
      encoding: { x, y: { field: 'y', type: 'quantitative' }, text: { field: 'text' }, color },
    }) as const;
  const spec: vl.TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'Gradients of the logistic and tanh functions',
      subtitle: 'T.grad at 201 points over [-5, 5]; marked: x = -1.5, 0, 1.5',
    },
    width: 560,
    height: 320,
    background: 'white',
    layer: [
      {
        data: { values: rows(curve) },
        mark: { type: 'line', strokeWidth: 2 },
        encoding: {
          x: { ...x, title: 'x', scale: { domain: [-5, 5], nice: false } },
          y: {
            field: 'gradient',
            type: 'quantitative',
            title: 'gradient dy/dx',
            scale: { domain: [0, 1.1], nice: false },
          },
          color,
        },
      },
      {
        data: { values: rows(points) },
        mark: { type: 'point', filled: true, size: 50, opacity: 1 },
        encoding: { x, y: { field: 'gradient', type: 'quantitative' }, color },
      },
      textLayer('left'),
      textLayer('right'),
    ],
  };
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

// The CLI: `tsx examples/gradients-plot.ts [out.svg]`.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2] ?? DEFAULT_OUT;
  const result = await plotGradients(out);
  console.log(result.report);
  console.log(`\nwrote ${relative(process.cwd(), result.path) || result.path}`);
}
