/**
 * The int32 ops of the wasm renderer: each op written for i32x4 lanes and for one i32, with the JS kernel's
 * semantics (`chooseKernel` in ops/elemwise.ts): wrapping arithmetic (`(a + b) | 0`, `Math.imul`, `-x | 0`,
 * `Math.abs(x) | 0`, so `abs(-2^31)` is `-2^31`), signed comparisons as lane masks (all ones / 0 in a vector, 1 / 0
 * in a scalar), `switch` as a bit select. Floor division, modulo and power stay JavaScript (not one instruction, and
 * division by zero is numpy's 0 there); so do the other integer dtypes (int8, int16, uint8, ...: their wrapping
 * would need a narrowing after every op).
 */
import type { ScalarOpName } from '../ops/scalar.js';
import type { FunctionBuilder, Instruction } from './encoder.js';

/** How an int32 op writes itself; `operand(i)` pushes operand i. */
export interface IntOp {
  readonly result: 'float' | 'mask';
  readonly args: readonly ('float' | 'mask')[];
  readonly write: (f: FunctionBuilder, vector: boolean, operand: (i: number) => void) => void;
}

const value = 'float' as const;
/** One instruction over the operands (i32x4.name in a vector, i32.name in a scalar). */
const simple = (name: string, arity: number, scalarName = name): IntOp => ({
  result: value,
  args: Array.from({ length: arity }, () => value),
  write: (f, vector, operand) => {
    for (let i = 0; i < arity; i++) operand(i);
    f.emit((vector ? `i32x4.${name}` : `i32.${scalarName}`) as Instruction);
  },
});
const compare = (name: string): IntOp => ({
  result: 'mask',
  args: [value, value],
  write: (f, vector, operand) => {
    operand(0);
    operand(1);
    f.emit((vector ? `i32x4.${name}` : `i32.${name}`) as Instruction);
  },
});
/** A scalar `a <op> b ? a : b` (max and min); the vector has the instruction. */
const pick = (vectorName: string, test: Instruction): IntOp => ({
  result: value,
  args: [value, value],
  write: (f, vector, operand) => {
    if (vector) {
      operand(0);
      operand(1);
      f.emit(`i32x4.${vectorName}` as Instruction);
      return;
    }
    operand(0);
    operand(1);
    operand(0);
    operand(1);
    f.emit(test).emit('select');
  },
});
const maximum = pick('max_s', 'i32.gt_s');
const minimum = pick('min_s', 'i32.lt_s');

export const INT32_OPS: Partial<Record<ScalarOpName, IntOp>> = {
  add: simple('add', 2),
  sub: simple('sub', 2),
  mul: simple('mul', 2),
  neg: {
    result: value,
    args: [value],
    write: (f, vector, operand) => {
      if (vector) {
        operand(0);
        f.emit('i32x4.neg');
      } else {
        f.emit('i32.const', 0);
        operand(0);
        f.emit('i32.sub');
      }
    },
  },
  abs: {
    result: value,
    args: [value],
    write: (f, vector, operand) => {
      if (vector) {
        operand(0);
        f.emit('i32x4.abs');
      } else {
        // x < 0 ? 0 - x : x
        f.emit('i32.const', 0);
        operand(0);
        f.emit('i32.sub');
        operand(0);
        operand(0);
        f.emit('i32.const', 0).emit('i32.lt_s').emit('select');
      }
    },
  },
  sqr: {
    result: value,
    args: [value],
    write: (f, vector, operand) => {
      operand(0);
      operand(0);
      f.emit(vector ? 'i32x4.mul' : 'i32.mul');
    },
  },
  maximum,
  minimum,
  clip: {
    result: value,
    args: [value, value, value],
    write: (f, vector, operand) => {
      if (vector) {
        operand(0);
        operand(1);
        f.emit('i32x4.max_s');
        operand(2);
        f.emit('i32x4.min_s');
        return;
      }
      // t = t > lo ? t : lo, then t < hi ? t : hi
      const t = f.local('i32');
      operand(0);
      f.emit('local.set', t);
      for (const [bound, test] of [
        [1, 'i32.gt_s'],
        [2, 'i32.lt_s'],
      ] as const) {
        f.emit('local.get', t);
        operand(bound);
        f.emit('local.get', t);
        operand(bound);
        f.emit(test).emit('select').emit('local.set', t);
      }
      f.emit('local.get', t);
    },
  },
  lt: compare('lt_s'),
  gt: compare('gt_s'),
  le: compare('le_s'),
  ge: compare('ge_s'),
  eq: compare('eq'),
  neq: compare('ne'),
  switch: {
    result: value,
    args: ['mask', value, value],
    write: (f, vector, operand) => {
      operand(1);
      operand(2);
      operand(0);
      f.emit(vector ? 'v128.bitselect' : 'select');
    },
  },
  // a mask cast to int32: 1 where it holds, else 0 (a scalar mask already is)
  cast: {
    result: value,
    args: ['mask'],
    write: (f, vector, operand) => {
      operand(0);
      if (vector) f.emit('i32.const', 1).emit('i32x4.splat').emit('v128.and');
    },
  },
};
