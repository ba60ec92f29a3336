import type { Rule } from '../engine/types.js';
import { WORKLOAD_KINDS } from '../kube-model/pod-template.js';
import { asDatadogWorkload } from '../datadog/components.js';
import { isUnsetToken, tokenSourcesOf } from '../datadog/token-sources.js';
import { TOKEN_ENV } from '../datadog/token.js';

/**
 * A token written as a literal `value:` in a pod spec: readable by anyone who can read the workload, kept in
 * `last-applied-configuration` and in Git, and impossible to rotate without editing every workload.
 */
export const rule: Rule = {
  id: 'cluster-agent-token-inline',
  title: 'Cluster Agent token written inline in a pod spec',
  defaultSeverity: 'warning',
  description:
    'A literal `DD_CLUSTER_AGENT_AUTH_TOKEN` value is visible to everyone who can read the workload (and in its ' +
    '`kubectl.kubernetes.io/last-applied-configuration` annotation), and the node Agent, cluster-checks runner and ' +
    'Cluster Agent must each be edited to rotate it; one missed copy means 403 "invalid session token".',
  remediation:
    'Move the token into a Secret (key `token`) and read it with `valueFrom.secretKeyRef` in every Datadog workload.',
  targets: [...WORKLOAD_KINDS],
  example: {
    bad: 'env:\n  - name: DD_CLUSTER_AGENT_AUTH_TOKEN\n    value: 4bD9fQ2kLm8ZpX7cR1vT6yH3nW5sJ0gE',
    good: 'env:\n  - name: DD_CLUSTER_AGENT_AUTH_TOKEN\n    valueFrom:\n      secretKeyRef:\n        name: datadog-cluster-agent\n        key: token',
  },
  evaluate(object, { world }) {
    const workload = asDatadogWorkload(object, world.defaultNamespace);
    if (!workload) return [];
    return tokenSourcesOf(workload, world)
      .filter((source) => source.source.kind === 'literal' && source.via === 'env' && !isUnsetToken(source))
      .map((source) => ({
        path: source.path,
        message: `${TOKEN_ENV} of container "${source.container ?? ''}" is written inline in the pod spec (a literal value), where anyone who can read the ${object.kind} can read it.`,
      }));
  },
};
