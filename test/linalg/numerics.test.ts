/**
 * T.linalg against numpy: every case of fixtures.json (written by fixtures.py with numpy.linalg on fixed-seed
 * random, batched, ill-conditioned, singular and empty inputs; scipy.linalg.lu for lu) is built, compiled and run,
 * and its outputs compared with numpy's; a case where numpy raises LinAlgError must raise here too.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, test } from 'vitest';
import * as theano from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { flatten } from '../helpers.js';

const T = theano.tensor;
const L = T.linalg as unknown as Record<string, (...args: unknown[]) => Tensor & Tensor[]>;

interface Case {
  op: string;
  options: Record<string, unknown>;
  inputs: unknown[];
  shapes: number[][];
  outputs: unknown[] | null;
  outShapes: number[][] | null;
  error: string | null;
  rtol: number;
  atol?: number;
}

const fixtures = JSON.parse(readFileSync(resolve(__dirname, 'fixtures.json'), 'utf8')) as { cases: Case[] };
/** JSON has no Infinity or NaN: fixtures.py writes them as strings. */
const decode = (x: unknown): number => (typeof x === 'string' ? Number(x) : (x as number));
const ord = (o: unknown) => (o === 'default' ? undefined : o === 'inf' ? Infinity : o === '-inf' ? -Infinity : o);

/** The graph numpy's call stands for, on symbolic inputs. */
function build(c: Case, xs: Tensor[]): Tensor[] {
  const o = c.options;
  const [a, b] = xs as [Tensor, Tensor];
  switch (c.op) {
    case 'cholesky':
      return [L.cholesky!(a, o)];
    case 'solve':
      return [L.solve!(a, b, o)];
    case 'solve_triangular':
      return [L.solveTriangular!(a, b, o)];
    case 'det':
      return [L.det!(a)];
    case 'slogdet':
      return L.slogdet!(a);
    case 'matrix_inverse':
      return [L.matrixInverse!(a)];
    case 'diagonal':
      return [L.diagonal!(a, o.offset ?? 0)];
    case 'trace':
      return [L.trace!(a)];
    case 'alloc_diag':
      return [L.allocDiag!(a, { offset: o.offset })];
    case 'eigvalsh':
      return [L.eigvalsh!(a)];
    case 'svdvals':
      return [L.svd!(a, { computeUv: false }) as unknown as Tensor];
    case 'norm':
      return [L.norm!(a, ord(o.ord))];
    case 'matrix_power':
      return [L.matrixPower!(a, o.n)];
    case 'kron':
      return [L.kron!(a, b)];
    case 'qr':
      return o.mode === 'r' ? [L.qr!(a, o)] : L.qr!(a, o);
    case 'lu':
      return L.lu!(a, o);
    case 'pinv':
      return [L.pinv!(a, o)];
    case 'lstsq':
      return L.lstsq!(a, b, o);
    default:
      throw new Error(`no builder for ${c.op}`);
  }
}

const array = (value: unknown, shape: number[]) =>
  new theano.NDArray('float64', shape, Float64Array.from(flatten(value).map(decode)));

const ERRORS: Record<string, RegExp> = {
  cholesky: /cholesky: the matrix is not positive definite/,
  solve: /solve: the matrix a is singular/,
  solve_triangular: /singular matrix: a zero on the diagonal in row 1/,
  matrix_inverse: /matrixInverse: the matrix is singular/,
};

describe('T.linalg agrees with numpy.linalg (fixtures.json)', () => {
  for (const c of fixtures.cases) {
    const label = `${c.op} ${JSON.stringify(c.options)} on ${c.shapes.map((s) => `(${s.join(', ')})`).join(', ')}`;
    test(label, () => {
      const xs = c.shapes.map((s, i) => T.tensor('float64', s.length as never, `x${i}`) as Tensor);
      const outs = build(c, xs);
      const f = theano.function(xs as never, outs as never) as unknown as (...a: unknown[]) => unknown[];
      const values = c.inputs.map((v, i) => array(v, c.shapes[i]!));
      if (c.error !== null) {
        expect(() => f(...values)).toThrow(ERRORS[c.op]!);
        return;
      }
      const got = f(...values);
      c.outputs!.forEach((want, k) => {
        const g = got[k];
        const shape = g instanceof theano.NDArray ? [...g.shape] : [];
        expect(shape, `output ${k} shape`).toEqual(c.outShapes![k]);
        const actual = g instanceof theano.NDArray ? flatten(g.toArray()) : [g];
        const expected = flatten(want).map(decode);
        const atol = c.atol ?? c.rtol * 10;
        actual.forEach((x, i) => {
          const w = expected[i]!;
          if (!Number.isFinite(w)) expect(x, `[${i}]`).toBe(w);
          else
            expect(Math.abs((x as number) - w), `[${i}]: got ${String(x)}, numpy ${w}`).toBeLessThanOrEqual(
              atol + c.rtol * Math.abs(w),
            );
        });
      });
    });
  }
});
