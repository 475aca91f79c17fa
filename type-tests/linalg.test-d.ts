/**
 * Linear algebra typing: the dot table (above rank 2, numpy's dot: rank a + b - 2, at most 8),
 * numpy's matmul ranks, outer, tensordot and batchedDot ranks, and the upcast dtype of the operands.
 *
 * Negative checks use `// @ts-expect-error` on the offending line (see tensor.test-d.ts).
 */
import { expectType } from 'tsd';
import * as theano from '../dist/index.js';
import type { Tensor } from '../dist/index.js';

const T = theano.tensor;

const ds = T.dscalar('ds');
const dv = T.dvector('dv');
const dm = T.dmatrix('dm');
const dt3 = T.dtensor3('dt3');
const dt4 = T.dtensor4('dt4');
const fv = T.fvector('fv');
const fm = T.fmatrix('fm');
const iv = T.ivector('iv');
const im = T.imatrix('im');
const lv = T.lvector('lv');
const lm = T.lmatrix('lm');
const bools = T.tensor('bool', 2);

// --- the dot table
expectType<Tensor<'float64', 1>>(T.dot(dm, dv)); // matrix·vector
expectType<Tensor<'float64', 1>>(T.dot(dv, dm)); // vector·matrix
expectType<Tensor<'float64', 0>>(T.dot(dv, dv)); // vector·vector
expectType<Tensor<'float64', 2>>(T.dot(dm, dm)); // matrix·matrix
expectType<Tensor<'float64', 3>>(T.dot(ds, dt3)); // scalar·tensor3 is elementwise
expectType<Tensor<'float64', 3>>(T.dot(dt3, ds));
expectType<Tensor<'float64', 0>>(T.dot(ds, ds));
expectType<Tensor<'float64', 4>>(T.dot(2, dt4)); // a JS number is a scalar

// --- dtypes: the upcast of the operands; integers stay integers, bool·bool is bool
expectType<Tensor<'float32', 1>>(T.dot(fm, fv));
expectType<Tensor<'float64', 1>>(T.dot(fm, dv));
expectType<Tensor<'float64', 1>>(T.dot(im, fv)); // int32 with float32 is float64 (numpy)
expectType<Tensor<'int32', 2>>(T.dot(im, im));
expectType<Tensor<'int64', 1>>(T.dot(im, lv));
expectType<Tensor<'int64', 0>>(T.dot(lv, lv));
expectType<Tensor<'bool', 2>>(T.dot(bools, bools));
expectType<Tensor<'int32', 1>>(T.dot(iv, 3)); // a weak integer keeps int32
expectType<Tensor<'float64', 1>>(T.dot(iv, 0.5)); // a fraction makes it float64

// --- above rank 2, numpy's dot (a tensordot over a's last axis and b's second-to-last): rank a + b - 2
expectType<Tensor<'float64', 2>>(T.dot(dv, dt3));
expectType<Tensor<'float64', 2>>(T.dot(dt3, dv));
expectType<Tensor<'float64', 3>>(T.dot(dt3, dm)); // Theano RNNs' tensor.dot(state_below, W)
expectType<Tensor<'float64', 4>>(T.dot(dm, dt4));
expectType<Tensor<'float64', 4>>(T.dot(dt3, dt3));
// @ts-expect-error -- tensor4·tensor8: rank 10
T.dot(dt4, T.tensor('float64', 8));

// --- the fluent method follows the same table
expectType<Tensor<'float64', 1>>(dm.dot(dv));
expectType<Tensor<'float64', 0>>(dv.dot(dv));
expectType<Tensor<'float64', 2>>(dm.dot(dm));
expectType<Tensor<'float64', 3>>(ds.dot(dt3));
expectType<Tensor<'float64', 2>>(im.dot(dm));
expectType<Tensor<'float64', 3>>(dt3.dot(dm));
// @ts-expect-error -- tensor8·tensor3: rank 9
T.tensor('float64', 8).dot(dt3);

// --- matmul: 1-D operands promoted, batch axes broadcast
expectType<Tensor<'float64', 0>>(T.matmul(dv, dv));
expectType<Tensor<'float64', 1>>(T.matmul(dm, dv));
expectType<Tensor<'float64', 1>>(T.matmul(dv, dm));
expectType<Tensor<'float64', 2>>(T.matmul(dm, dm));
expectType<Tensor<'float64', 3>>(T.matmul(dt3, dm));
expectType<Tensor<'float64', 3>>(T.matmul(dm, dt3));
expectType<Tensor<'float64', 2>>(T.matmul(dt3, dv));
expectType<Tensor<'float64', 2>>(T.matmul(dv, dt3));
expectType<Tensor<'float64', 4>>(T.matmul(dt3, dt4));
expectType<Tensor<'int64', 2>>(T.matmul(im, lm));
expectType<Tensor<'float64', 3>>(dt3.matmul(dm));
// @ts-expect-error -- matmul takes no scalars
T.matmul(ds, dm);
// @ts-expect-error -- nor on the right
T.matmul(dm, ds);
// @ts-expect-error -- the method neither
ds.matmul(dm);

// --- outer: two vectors make a matrix
expectType<Tensor<'float64', 2>>(T.outer(dv, dv));
expectType<Tensor<'int64', 2>>(T.outer(iv, lv));
expectType<Tensor<'float32', 2>>(T.outer(fv, fv));
// @ts-expect-error -- a matrix is not a vector
T.outer(dm, dv);

// --- tensordot: the free axes of both operands
expectType<Tensor<'float64', 0>>(T.tensordot(dm, dm)); // axes = 2 by default
expectType<Tensor<'float64', 2>>(T.tensordot(dm, dm, 1));
expectType<Tensor<'float64', 4>>(T.tensordot(dm, dm, 0));
expectType<Tensor<'float64', 3>>(T.tensordot(dt3, dm, 1));
expectType<Tensor<'float64', 3>>(T.tensordot(dt3, dm, [[2], [0]]));
expectType<Tensor<'float64', 3>>(T.tensordot(dt3, dm, [-1, 0]));
expectType<Tensor<'float64', 1>>(
  T.tensordot(dt3, dm, [
    [0, 1],
    [1, 0],
  ]),
);
expectType<Tensor<'float64', 3>>(T.tensordot(dt4, dv, 1));
expectType<Tensor<'int64', 1>>(T.tensordot(lm, iv, 1));
// @ts-expect-error -- more summed axes than a vector has
T.tensordot(dv, dm, 2);
// @ts-expect-error -- the default sums over 2 axes
T.tensordot(dv, dm);
// @ts-expect-error -- axis 2 of a matrix
T.tensordot(dm, dm, [[2], [0]]);

// --- batchedDot: the first axis is the batch
expectType<Tensor<'float64', 3>>(T.batchedDot(dt3, dt3));
expectType<Tensor<'float64', 2>>(T.batchedDot(dt3, dm));
expectType<Tensor<'float64', 2>>(T.batchedDot(dm, dt3));
expectType<Tensor<'float64', 1>>(T.batchedDot(dm, dm));
expectType<Tensor<'float64', 3>>(T.batchedDot(dv, dt3)); // a batch of scalars scales
expectType<Tensor<'float32', 2>>(T.batchedDot(T.ftensor3(), fm));
// @ts-expect-error -- tensor4 beside a batch of matrices
T.batchedDot(dt4, dt3);
// @ts-expect-error -- a scalar has no batch axis
T.batchedDot(ds, dv);

// ---------------------------------------------------------------------------------------------------------------
// T.linalg: matrices in (rank >= 2), float results (float32 stays, integers become float64), ranks in the types

const ft3 = T.ftensor3('ft3');

expectType<Tensor<'float64', 2>>(T.linalg.cholesky(dm));
expectType<Tensor<'float32', 3>>(T.linalg.cholesky(ft3));
expectType<Tensor<'float64', 2>>(T.linalg.cholesky(im));
// @ts-expect-error -- cholesky takes matrices: a vector does not compile
T.linalg.cholesky(dv);

expectType<Tensor<'float64', 1>>(T.linalg.solve(dm, dv));
expectType<Tensor<'float64', 2>>(T.linalg.solve(dm, dm));
expectType<Tensor<'float64', 2>>(T.linalg.solve(dt3, dv)); // a stack of solutions
expectType<Tensor<'float64', 3>>(T.linalg.solve(dt3, dm)); // one b for every a
expectType<Tensor<'float32', 2>>(T.linalg.solveTriangular(fm, fm, { lower: true }));
expectType<Tensor<'float64', 1>>(T.linalg.solve(fm, dv));
// @ts-expect-error -- a must be a matrix
T.linalg.solve(dv, dv);
// @ts-expect-error -- b cannot be a scalar
T.linalg.solve(dm, ds);
expectType<Tensor<'float64', 1>>(T.linalg.choSolve([T.linalg.cholesky(dm), true], dv));

expectType<Tensor<'float64', 0>>(T.linalg.det(dm));
expectType<Tensor<'float32', 1>>(T.linalg.det(ft3));
const [sign, logabsdet] = T.linalg.slogdet(dt3);
expectType<Tensor<'float64', 1>>(sign);
expectType<Tensor<'float64', 1>>(logabsdet);
expectType<Tensor<'float64', 2>>(T.linalg.matrixInverse(im));
expectType<Tensor<'float64', 2>>(T.linalg.inv(dm));

expectType<Tensor<'float64', 1>>(T.linalg.diagonal(dm));
expectType<Tensor<'float64', 2>>(T.linalg.diagonal(dt3));
expectType<Tensor<'float64', 2>>(T.linalg.allocDiag(dv));
expectType<Tensor<'float64', 2>>(T.diag(dv));
expectType<Tensor<'float64', 1>>(T.diag(dm));
expectType<Tensor<'float64', 0>>(T.linalg.trace(dm));
expectType<Tensor<'int64', 0>>(T.trace(im));
// @ts-expect-error -- diagonal of a vector
T.linalg.diagonal(dv);

const [w, v] = T.linalg.eigh(dt3);
expectType<Tensor<'float64', 2>>(w);
expectType<Tensor<'float64', 3>>(v);
expectType<Tensor<'float32', 1>>(T.linalg.eigvalsh(fm));
const [u, s, vt] = T.linalg.svd(dm);
expectType<Tensor<'float64', 2>>(u);
expectType<Tensor<'float64', 1>>(s);
expectType<Tensor<'float64', 2>>(vt);
expectType<Tensor<'float64', 1>>(T.linalg.svd(dm, { computeUv: false }));
expectType<Tensor<'float64', 0>>(T.linalg.norm(dv));
expectType<Tensor<'float64', 0>>(T.linalg.norm(dm, 'nuc'));
expectType<Tensor<'float64', 1>>(T.linalg.norm(dt3, 2));
expectType<Tensor<'float64', 2>>(T.linalg.matrixPower(dm, 3));
expectType<Tensor<'float64', 2>>(T.linalg.kron(dm, im));
// @ts-expect-error -- kron of tensors of different ranks
T.linalg.kron(dm, dv);

// qr, lu, pinv, lstsq
const [q, r] = T.linalg.qr(dt3);
expectType<Tensor<'float64', 3>>(q);
expectType<Tensor<'float64', 3>>(r);
expectType<[q: Tensor<'float32', 2>, r: Tensor<'float32', 2>]>(T.linalg.qr(fm, { mode: 'complete' }));
expectType<Tensor<'float64', 2>>(T.linalg.qr(im, { mode: 'r' }));
// @ts-expect-error -- qr takes matrices
T.linalg.qr(dv);
const [p, l, uu] = T.linalg.lu(dm);
expectType<Tensor<'float64', 2>>(p);
expectType<Tensor<'float64', 2>>(l);
expectType<Tensor<'float64', 2>>(uu);
expectType<[pl: Tensor<'float32', 3>, u: Tensor<'float32', 3>]>(T.linalg.lu(ft3, { permuteL: true }));
const [indices] = T.linalg.lu(dt3, { pIndices: true });
expectType<Tensor<'int32', 2>>(indices);
expectType<Tensor<'float64', 3>>(T.linalg.pinv(dt3));
expectType<Tensor<'float32', 2>>(T.linalg.pinv(fm, { hermitian: true }));
// @ts-expect-error -- pinv takes matrices
T.linalg.pinv(dv);
const [x1, residuals, rank, sv] = T.linalg.lstsq(dm, dv);
expectType<Tensor<'float64', 1>>(x1);
expectType<Tensor<'float64', 1>>(residuals);
expectType<Tensor<'int32', 0>>(rank);
expectType<Tensor<'float64', 1>>(sv);
expectType<Tensor<'float32', 2>>(T.linalg.lstsq(fm, fm)[0]);
// @ts-expect-error -- lstsq is not batched (numpy's is not): a must be a matrix
T.linalg.lstsq(dt3, dv);
// @ts-expect-error -- b is a vector or a matrix
T.linalg.lstsq(dm, dt3);
