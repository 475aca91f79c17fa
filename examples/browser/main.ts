/// <reference lib="dom" />
/**
 * The browser example: builds the logistic regression's graph, compiles it, trains it with a live loss plot,
 * prints the compiled training step's graph, and exports the trained model to ONNX, all in the page.
 * Options in the address: `?steps=2000&examples=400&features=784`.
 */
import * as theano from '../../src/index.js';
import { buildLogreg, DEFAULT_CONFIG, type LogregRun } from './logreg.js';

declare global {
  interface Window {
    logregResult?: LogregRun;
  }
}

const params = new URLSearchParams(location.search);
const num = (key: string, fallback: number) => Number(params.get(key) ?? fallback);
const config = {
  ...DEFAULT_CONFIG,
  examples: num('examples', DEFAULT_CONFIG.examples),
  features: num('features', DEFAULT_CONFIG.features),
};
const steps = num('steps', 2000);
const element = <E extends HTMLElement>(id: string) => document.getElementById(id) as E;

/** The loss curve, drawn by hand on the canvas: axes, the curve, the first and last values. */
function drawLoss(canvas: HTMLCanvasElement, costs: readonly number[], total: number): void {
  const g = canvas.getContext('2d')!;
  const [width, height, pad] = [canvas.width, canvas.height, 40];
  g.clearRect(0, 0, width, height);
  g.strokeStyle = '#888';
  g.beginPath();
  g.moveTo(pad, pad / 2);
  g.lineTo(pad, height - pad);
  g.lineTo(width - pad / 2, height - pad);
  g.stroke();
  if (costs.length === 0) return;
  const top = Math.max(...costs);
  const sx = (i: number) => pad + ((width - 1.5 * pad) * i) / Math.max(1, total - 1);
  const sy = (c: number) => height - pad - ((height - 1.5 * pad) * c) / top;
  g.strokeStyle = '#1f77b4';
  g.lineWidth = 2;
  g.beginPath();
  costs.forEach((c, i) => (i === 0 ? g.moveTo(sx(i), sy(c)) : g.lineTo(sx(i), sy(c))));
  g.stroke();
  g.fillStyle = '#222';
  g.font = '13px sans-serif';
  g.fillText(`${top.toFixed(3)}`, 2, sy(top) + 4);
  g.fillText('0', pad - 12, height - pad + 4);
  g.fillText(`step ${costs.length} of ${total}: loss ${costs[costs.length - 1]!.toFixed(4)}`, pad + 10, pad / 2 + 12);
  g.fillText('step', width - pad, height - pad + 20);
}

async function main(): Promise<void> {
  const status = element<HTMLParagraphElement>('status');
  const model = buildLogreg(config);
  element<HTMLPreElement>('cost').textContent = theano.pp(model.cost);
  element<HTMLPreElement>('graph').textContent = theano.debugprint(model.train);
  const canvas = element<HTMLCanvasElement>('loss');
  const costs: number[] = [];
  const start = performance.now();
  while (costs.length < steps) {
    const slice = Math.min(steps - costs.length, Math.max(1, Math.floor(steps / 50)));
    for (let i = 0; i < slice; i++) costs.push(model.step());
    drawLoss(canvas, costs, steps);
    status.textContent = `training: ${costs.length} / ${steps} steps`;
    await new Promise((resolve) => setTimeout(resolve, 0)); // let the page draw
  }
  const seconds = (performance.now() - start) / 1000;
  const accuracy = model.accuracy();
  const onnx = theano.onnx.exportFunction(model.probability);
  status.textContent = `${steps} steps in ${seconds.toFixed(1)} s; accuracy on the ${config.examples} training examples ${(100 * accuracy).toFixed(1)} %; the trained model as ONNX: ${onnx.length.toLocaleString('en')} bytes`;
  const { w, b } = model.weights();
  window.logregResult = { costs, accuracy, w, b, onnxBytes: onnx.length };
  document.body.dataset['done'] = 'true';
}

main().catch((e: unknown) => {
  element<HTMLParagraphElement>('status').textContent = `error: ${e instanceof Error ? e.message : String(e)}`;
  document.body.dataset['done'] = 'error';
});
