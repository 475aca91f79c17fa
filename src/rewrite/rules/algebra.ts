/**
 * The canonical algebra PyTensor does beyond canonicalize.ts: products by zero, repeated negations and
 * reciprocals, x + x, powers of powers, products of exponentials, casts of casts, alloc and fill sunk through
 * elementwise ops, constant folding through shape ops.
 */
import type { PhaseRules } from '../pipeline.js';

// prettier-ignore
export const ALGEBRA_RULES: PhaseRules = {
  canonicalize: [
  ],
  specialize: [
  ],
};
