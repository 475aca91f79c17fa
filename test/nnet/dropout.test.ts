import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';

const T = theano.tensor;

describe('T.nnet.dropout', () => {
  test('keeps each element with probability 1 - rate, scales kept ones by 1 / (1 - rate), and draws a new mask per call', () => {
    const x = T.fmatrix('x');
    const srng = new theano.RandomStreams(7);
    const f = theano.function([x], T.nnet.dropout(x, 0.25, srng));
    const n = 200 * 50;
    const ones = new theano.NDArray<'float32', 2>('float32', [200, 50], new Float32Array(n).fill(2));
    const a = f(ones);
    const b = f(ones);
    expect(a.dtype).toBe('float32');
    const values = new Set(Array.from(a.data));
    expect([...values].sort()).toEqual([0, Math.fround(2 / 0.75)]);
    const kept = Array.from(a.data).filter((v) => v !== 0).length;
    // binomial(10000, 0.75): sd = 43.3; 5 sd either side
    expect(Math.abs(kept - 0.75 * n)).toBeLessThan(5 * Math.sqrt(n * 0.75 * 0.25));
    expect(Array.from(a.data)).not.toEqual(Array.from(b.data));
    srng.seed(7);
    expect(Array.from(f(ones).data)).toEqual(Array.from(a.data));
  });

  test('the gradient flows through the kept elements only (the same mask as the output of the same call)', () => {
    const x = T.dvector('x');
    const srng = new theano.RandomStreams(3);
    const y = T.nnet.dropout(x, 0.5, srng);
    const f = theano.function([x], [y, T.grad(T.sum(T.mul(y, y)), x)]);
    const xs = Array.from({ length: 64 }, (_, i) => i + 1);
    const [out, g] = f(xs);
    out.toArray().forEach((v, i) => {
      const kept = v !== 0;
      expect(v).toBeCloseTo(kept ? xs[i]! * 2 : 0, 12);
      expect((g.toArray() as number[])[i]).toBeCloseTo(kept ? 2 * v * 2 : 0, 12); // d(y^2)/dx = 2 y * 2
    });
  });

  test('evaluation mode and rate 0 return x itself; a bad rate is an error', () => {
    const x = T.dmatrix('x');
    const srng = new theano.RandomStreams(1);
    expect(T.nnet.dropout(x, 0.5, srng, { training: false })).toBe(x);
    expect(T.nnet.dropout(x, 0, srng)).toBe(x);
    expect(() => T.nnet.dropout(x, 1, srng)).toThrow('dropout: rate must be a number in [0, 1), got 1');
    expect(() => T.nnet.dropout(T.ivector('i') as never, 0.5, srng)).toThrow(
      'dropout: x must be float32 or float64, got int32',
    );
  });
});
