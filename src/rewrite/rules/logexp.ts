/**
 * Logarithms and exponentials: inverse pairs (log(exp(x)), log1p(expm1(x)), ...), log-sum-exp of separate
 * terms and of their differences, log1mexp, and log(erfc(x)) for large x.
 */
import type { PhaseRules } from '../pipeline.js';

// prettier-ignore
export const LOGEXP_RULES: PhaseRules = {
  stabilize: [
  ],
};
