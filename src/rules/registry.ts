import type { Rule } from '../engine/types.js';

export class RegistryError extends Error {
  readonly code = 'DDG_REGISTRY';
}

const RULE_ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Checks the ordered rule list once at start-up: unique kebab-case ids, texts present, fixes are sentences. */
export function buildRegistry(rules: readonly Rule[]): readonly Rule[] {
  const seen = new Set<string>();
  for (const rule of rules) {
    if (!RULE_ID.test(rule.id)) throw new RegistryError(`rule id "${rule.id}" is not kebab-case`);
    if (seen.has(rule.id)) throw new RegistryError(`rule id "${rule.id}" is registered twice`);
    seen.add(rule.id);
    for (const field of ['title', 'description', 'remediation'] as const) {
      if (!rule[field].trim()) throw new RegistryError(`rule ${rule.id} has an empty ${field}`);
    }
    if (!/[.!?]$/.test(rule.remediation.trim())) {
      throw new RegistryError(`rule ${rule.id}: the remediation must be a full sentence ending with a period`);
    }
    if (rule.targets.length === 0) throw new RegistryError(`rule ${rule.id} targets no kind`);
  }
  return Object.freeze([...rules]);
}

export function ruleIds(rules: readonly Rule[]): string[] {
  return rules.map((rule) => rule.id);
}
