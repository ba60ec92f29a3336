// Test-only rules: small, predictable findings, so the loader, the config, the formats and the exit codes are
// tested apart from the real catalogue.
import type { Rule } from '../../../src/engine/types.js';
import { isRecord } from '../../../src/k8s/types.js';
import { buildRegistry } from '../../../src/rules/registry.js';

export const forbiddenKeyRule: Rule = {
  id: 'test-forbidden-key',
  title: 'A Secret holds a key named "forbidden"',
  defaultSeverity: 'error',
  description: 'Test-only rule: a Secret key named "forbidden" is reported with its length.',
  remediation: 'Remove the key named "forbidden".',
  targets: ['Secret'],
  example: { bad: 'kind: Secret\nstringData:\n  forbidden: x\n', good: 'kind: Secret\nstringData:\n  allowed: x\n' },
  evaluate(object) {
    const data = object.stringData;
    if (!isRecord(data) || !('forbidden' in data)) return [];
    return [{ message: `Key "forbidden" is set (${String(data.forbidden).length} bytes).`, path: '/stringData/forbidden' }];
  },
};

export const teamLabelRule: Rule = {
  id: 'test-team-label',
  title: 'A Deployment has no team label',
  defaultSeverity: 'warning',
  description: 'Test-only rule: a Deployment without a `team` label is reported.',
  remediation: 'Add a `team` label.',
  targets: ['Deployment'],
  example: { bad: 'kind: Deployment\nmetadata:\n  name: x\n', good: 'kind: Deployment\nmetadata:\n  labels: {team: a}\n' },
  evaluate(object) {
    return object.metadata?.labels?.team ? [] : [{ message: 'The Deployment has no "team" label.', path: '/metadata/labels/team' }];
  },
};

export const TEST_RULES = buildRegistry([forbiddenKeyRule, teamLabelRule]);
