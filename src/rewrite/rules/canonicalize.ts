/** The canonicalize rules (see src/rewrite/pipeline.ts for where they run). */
import type { Rule } from '../engine.js';

export const CANONICALIZE_RULES: readonly Rule[] = [];
