import type { Rule } from '../engine/types.js';
import { buildRegistry } from './registry.js';

/**
 * The ordered rule registry: the one list the webhook, `check` and the audit run, and the order findings are
 * reported in. One file per rule, named after its id.
 */
export const RULES: readonly Rule[] = buildRegistry([]);
