import { test } from 'vitest';
import * as theano from '../../src/index.js';
const T = theano.tensor;
test('scratch', () => {
  const x = T.dmatrix('x');
  const A = [[1, 2, 3], [4, 5, 6.5], [7, 8, 10], [1, -1, 2]];
  const f = theano.function([x], [...T.linalg.qr(x), ...T.linalg.lu(x), T.linalg.pinv(x), ...T.linalg.lstsq(x, T.constant([1, 2, 3, 4]) as never)]);
  for (const r of f(A) as any[]) console.log(r.toString());
});
