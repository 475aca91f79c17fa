import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import { trainMnistMlp } from '../../examples/mnist-mlp.js';
import { loadMnist } from '../../examples/lib/mnist.js';
import { compare, runModel } from './roundtrip.js';

describe('onnx export of the trained MNIST MLP (examples/mnist-mlp.ts, small)', () => {
  test('onnxruntime gives the same probabilities and the same predicted digits on held-out images', async () => {
    const data = loadMnist({ trainSize: 640, testSize: 200 });
    const r = await trainMnistMlp({ data, epochs: 3, hidden: 32, progress: false, log: () => {} });
    const bytes = theano.onnx.exportFunction(r.predict);
    const [probs] = await runModel(bytes, { x: data.test.images });
    const ours = r.predict(data.test.images);
    compare(probs!, ours, 'float32', 1e-5, 'probabilities');
    const argmax = (row: ArrayLike<number>) => Array.from(row).indexOf(Math.max(...Array.from(row)));
    const rows = (flat: ArrayLike<number>) =>
      Array.from({ length: 200 }, (_, i) => argmax(Array.from(flat).slice(i * 10, i * 10 + 10)));
    const theirs = rows(probs!.data as Float32Array);
    expect(theirs).toEqual(rows(ours.toTypedArray()));
    // the model learned something (chance is 10 %), so the comparison is of a trained model
    const labels = Array.from(data.test.labels.toTypedArray());
    expect(theirs.filter((d, i) => d === labels[i]).length / 200).toBeGreaterThan(0.5);
  });
});
