/**
 * Sigmoid and softplus in every arrangement PyTensor recognizes: ratios of exponentials with extra factors,
 * 1/(1+exp(-x)) times (1 - ...), negated ratios, logit and odds forms.
 */
import type { PhaseRules } from '../pipeline.js';

// prettier-ignore
export const SIGMOID_RULES: PhaseRules = {
  stabilize: [
  ],
};
