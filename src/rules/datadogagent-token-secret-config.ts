import type { Rule } from '../engine/types.js';
import { datadogAgentTokenOf, ignoredTokenSecretConfig, isDatadogAgent } from '../datadog/datadog-agent.js';

/**
 * `spec.global.clusterAgentTokenSecret` with a `secretName` but no `keyName`. The CRD allows it, but the Operator's
 * IsValidSecretConfig wants both, drops the block without a word, and uses its own `<dda>-token` Secret instead
 * (datadog.md §1.5): the token the user prepared is never used.
 */
export const rule: Rule = {
  id: 'datadogagent-token-secret-config',
  title: 'DatadogAgent clusterAgentTokenSecret without keyName is ignored',
  defaultSeverity: 'warning',
  description:
    'The Operator uses `spec.global.clusterAgentTokenSecret` only when both `secretName` and `keyName` are set ' +
    '(IsValidSecretConfig). With a name but no key it ignores the block silently and falls back to ' +
    '`spec.global.clusterAgentToken` or a generated token stored in its own `<name>-token` Secret, so anything else ' +
    'that reads the Secret you named (another installation, a Cluster Agent deployed separately) gets a different token.',
  remediation: 'Set `spec.global.clusterAgentTokenSecret.keyName` to the key that holds the token (usually `token`).',
  targets: ['DatadogAgent'],
  example: {
    bad: 'spec:\n  global:\n    clusterAgentTokenSecret:\n      secretName: datadog-cluster-agent-token',
    good: 'spec:\n  global:\n    clusterAgentTokenSecret:\n      secretName: datadog-cluster-agent-token\n      keyName: token',
  },
  evaluate(object, { world }) {
    if (!isDatadogAgent(object)) return [];
    const ignored = ignoredTokenSecretConfig(object);
    if (!ignored) return [];
    const fallback = datadogAgentTokenOf(object, world.defaultNamespace);
    const instead =
      fallback.from === 'literal'
        ? `spec.global.clusterAgentToken, stored in Secret ${fallback.secret.name}`
        : `a token it generates and stores in Secret ${fallback.secret.name}`;
    return [{
      path: ignored.path,
      message: `clusterAgentTokenSecret names Secret "${ignored.secretName}" but no keyName, so the Operator ignores it and uses ${instead}.`,
    }];
  },
};
