/**
 * What the training examples share: a minibatch loop with a progress bar (cli-progress) showing the loss and
 * examples per second, a history of the loss and test accuracy per epoch, the learning curves drawn as SVG
 * (vega-lite), and saving / resuming the parameters with `theano.save` / `theano.load`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import * as theano from '../../src/index.js';
import type { SharedVariable } from '../../src/index.js';
import type { Mnist } from './mnist.js';

/** One epoch's record. */
export interface EpochRecord {
  readonly epoch: number;
  /** The mean training loss over the epoch's minibatches. */
  readonly loss: number;
  /** Accuracy on the held-out test set after the epoch, in [0, 1]. */
  readonly testAccuracy: number;
  readonly seconds: number;
  readonly examplesPerSecond: number;
}

export interface TrainLoopOptions {
  /** A label for the progress bar and the plot ("MNIST MLP"). */
  readonly label: string;
  readonly epochs: number;
  /** Minibatches per epoch. */
  readonly batches: number;
  readonly batchSize: number;
  /** One SGD step on minibatch `index`; returns the minibatch loss. */
  readonly step: (index: number) => number;
  /** The test accuracy with the current parameters. */
  readonly evaluate: () => number;
  /** Show a progress bar (default: when stdout is a terminal). */
  readonly progress?: boolean;
  /** Called after each epoch (printing a line, saving a checkpoint). */
  readonly onEpoch?: (record: EpochRecord) => void | Promise<void>;
}

/** Runs `epochs` passes over the minibatches and returns the history. */
export async function trainLoop(o: TrainLoopOptions): Promise<EpochRecord[]> {
  const history: EpochRecord[] = [];
  const bar =
    (o.progress ?? process.stdout.isTTY === true)
      ? new cliProgress.SingleBar(
          {
            format: `${o.label} epoch {epoch}/{epochs} [{bar}] {percentage}% | loss {loss} | {rate} ex/s | eta {eta_formatted}`,
            hideCursor: true,
            clearOnComplete: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const start = performance.now();
    let total = 0;
    bar?.start(o.batches, 0, { epoch, epochs: o.epochs, loss: '-', rate: '-' });
    for (let i = 0; i < o.batches; i++) {
      total += o.step(i);
      const seconds = (performance.now() - start) / 1000;
      bar?.update(i + 1, { loss: (total / (i + 1)).toFixed(4), rate: Math.round(((i + 1) * o.batchSize) / seconds) });
    }
    bar?.stop();
    const seconds = (performance.now() - start) / 1000;
    const record = {
      epoch,
      loss: total / o.batches,
      testAccuracy: o.evaluate(),
      seconds,
      examplesPerSecond: (o.batches * o.batchSize) / seconds,
    };
    history.push(record);
    await o.onEpoch?.(record);
  }
  return history;
}

/** A line for the log: `epoch 3: loss 0.1234, test accuracy 96.10 %, 12,345 ex/s`. */
export const describeEpoch = (r: EpochRecord): string =>
  `epoch ${r.epoch}: loss ${r.loss.toFixed(4)}, test accuracy ${(100 * r.testAccuracy).toFixed(2)} %, ${Math.round(r.examplesPerSecond).toLocaleString('en-US')} ex/s`;

/** The learning curves (training loss, test accuracy per epoch) as an SVG, written to `path` when given. */
export async function plotHistory(history: readonly EpochRecord[], title: string, path?: string): Promise<string> {
  const values = history.map((r) => ({ epoch: r.epoch, loss: r.loss, accuracy: 100 * r.testAccuracy }));
  const x = { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd' } } as const;
  const panel = (field: 'loss' | 'accuracy', label: string, color: string): vl.TopLevelSpec =>
    ({
      width: 300,
      height: 220,
      title: label,
      mark: { type: 'line', point: { filled: true, color }, strokeWidth: 2, color },
      encoding: { x, y: { field, type: 'quantitative', title: label, scale: { zero: false } } },
    }) as never;
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: title,
      offset: 12,
      subtitle: `final test accuracy ${(100 * history[history.length - 1]!.testAccuracy).toFixed(2)} %`,
    },
    background: 'white',
    data: { values },
    hconcat: [
      panel('loss', 'training loss (mean per epoch)', '#1f77b4'),
      panel('accuracy', 'test accuracy (%)', '#d62728'),
    ],
  } as vl.TopLevelSpec;
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    if (path) {
      mkdirSync(dirname(resolve(path)), { recursive: true });
      writeFileSync(path, svg);
    }
    return svg;
  } finally {
    view.finalize();
  }
}

/** Loads the parameters from `path` when it exists (resuming a run); says whether it did. */
export async function resumeFrom(path: string | undefined, params: readonly theano.SharedVariable[]): Promise<boolean> {
  if (!path || !existsSync(path)) return false;
  await theano.load(path, params);
  return true;
}

/** `--name value` from the command line, or undefined. */
export function argValue(name: string, argv: readonly string[] = process.argv): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** What every MNIST training run takes (each example adds its model's options). */
export interface MnistRunOptions {
  readonly epochs?: number;
  readonly batchSize?: number;
  readonly learningRate?: number;
  readonly momentum?: number;
  /** Training digits used (default: all 8,000 not held out). */
  readonly trainSize?: number;
  readonly seed?: number;
  readonly progress?: boolean;
  /** Save the parameters here after each epoch, and resume from it when it exists. */
  readonly save?: string;
  /** Write the learning curves here (SVG). */
  readonly plot?: string;
  readonly log?: (line: string) => void;
  /** The data (loaded once by a caller running several configurations). */
  readonly data?: Mnist;
}

/** What an MNIST training run returns. */
export interface MnistRunResult {
  readonly history: EpochRecord[];
  readonly testAccuracy: number;
  /** The trained parameters. */
  readonly params: SharedVariable<'float32'>[];
  /** Whether the run started from the parameters saved at `save`. */
  readonly resumed: boolean;
}

/**
 * The part of a run after the model is compiled: the epochs (a line and a checkpoint after each), the curves,
 * the result.
 */
export async function runEpochs(
  o: MnistRunOptions,
  run: {
    label: string;
    title: string;
    epochs: number;
    batches: number;
    batchSize: number;
    params: SharedVariable<'float32'>[];
    resumed: boolean;
    step: (index: number) => number;
    evaluate: () => number;
  },
): Promise<MnistRunResult> {
  const log = o.log ?? console.log;
  const history = await trainLoop({
    label: run.label,
    epochs: run.epochs,
    batches: run.batches,
    batchSize: run.batchSize,
    step: run.step,
    evaluate: run.evaluate,
    progress: o.progress,
    onEpoch: async (r) => {
      log(describeEpoch(r));
      if (o.save) await theano.save(run.params, o.save);
    },
  });
  if (o.plot) await plotHistory(history, run.title, o.plot);
  return { history, testAccuracy: history[history.length - 1]!.testAccuracy, params: run.params, resumed: run.resumed };
}
