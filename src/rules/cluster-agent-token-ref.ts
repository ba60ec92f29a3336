import type { Rule, RuleFinding } from '../engine/types.js';
import type { World } from '../kube-model/world.js';
import { WORKLOAD_KINDS } from '../kube-model/pod-template.js';
import { describeTokenSource, resolveToken, tokenSourcesOfObject, type TokenSource } from '../datadog/token-sources.js';

/**
 * A token reference to a Secret or key that is not there. Always a warning: in a set of manifests the Secret may be
 * managed elsewhere (sealed secrets, an external-secrets operator), and in a cluster it may simply not exist yet.
 */
export const rule: Rule = {
  id: 'cluster-agent-token-ref',
  title: 'Cluster Agent token read from a Secret or key that is not there',
  defaultSeverity: 'warning',
  description:
    'The chart and the Operator read `DD_CLUSTER_AGENT_AUTH_TOKEN` through a `secretKeyRef` without `optional`. If the ' +
    'Secret or its key is missing, Kubernetes does not start the container (`CreateContainerConfigError`: ' +
    '`couldn\'t find key token in Secret`). The Secret may be created elsewhere, so this is a warning.',
  remediation:
    'Create the Secret with the token under the referenced key (the chart and the Operator use the key `token`), or point the reference at the Secret that holds it.',
  targets: [...WORKLOAD_KINDS, 'DatadogAgent'],
  example: {
    bad: 'env:\n  - name: DD_CLUSTER_AGENT_AUTH_TOKEN\n    valueFrom:\n      secretKeyRef:\n        name: datadog-cluster-agent\n        key: tokn   # the Secret has "token"',
    good: 'env:\n  - name: DD_CLUSTER_AGENT_AUTH_TOKEN\n    valueFrom:\n      secretKeyRef:\n        name: datadog-cluster-agent\n        key: token',
  },
  evaluate(object, { world }) {
    return tokenSourcesOfObject(object, world).flatMap((source) => judge(source, world));
  },
};

function judge(source: TokenSource, world: World): RuleFinding[] {
  if ('optional' in source.source && source.source.optional) return [];
  const value = resolveToken(source, world);
  const where = describeTokenSource(source);
  if (value.state === 'missing') {
    const scope = world.source === 'manifests' ? 'in the manifests checked' : 'in the cluster';
    return [{
      path: source.path,
      message:
        `${where}: ${value.reason} ${scope}. ${source.via === 'datadogAgent' ? "The Operator's Agent pods" : 'The container'} ` +
        'would not start (CreateContainerConfigError) unless the ' +
        `${value.what === 'key' ? 'key is added' : `${value.what} is created`} elsewhere.`,
      downgrade: 'warning',
    }];
  }
  if (value.state === 'unknown') {
    return [{ path: source.path, message: `Could not check ${where}: ${value.reason}.`, downgrade: 'warning' }];
  }
  return [];
}
