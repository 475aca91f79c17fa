import { expectType, expectError } from 'tsd';
import * as theano from '../dist/index.js';
const T = theano.tensor;
const [a, b] = T.dmatrices('a', 'b');
expectType<theano.Tensor<'float64', 2>>(a.add(b));
const v = T.dvector('v');
const f = theano.function([v], v.exp());
expectError(f([[1, 2]]));
