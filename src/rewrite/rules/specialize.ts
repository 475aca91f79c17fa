/** The specialize rules (see src/rewrite/pipeline.ts for where they run). */
import type { Rule } from '../engine.js';

export const SPECIALIZE_RULES: readonly Rule[] = [];
