/** The stabilize rules (see src/rewrite/pipeline.ts for where they run). */
import type { Rule } from '../engine.js';

export const STABILIZE_RULES: readonly Rule[] = [];
