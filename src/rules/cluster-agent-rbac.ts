import type { Rule } from '../engine/types.js';
import { clusterAgentFeatures } from '../datadog/features.js';
import { CLUSTER_AGENT_PERMISSIONS, type PermissionRequirement } from '../datadog/permissions.js';
import { permissionRule, RBAC_KINDS, requirementDocs } from './shared/permission-judgement.js';
import { WORKLOAD_KINDS } from '../kube-model/pod-template.js';

/**
 * The Cluster Agent's ServiceAccount must hold what each feature it runs needs (src/datadog/catalogue.ts), judged
 * per grant across every bound role, never per role. Judged on any workload running the Cluster Agent, and again
 * whenever a role, binding or ServiceAccount changes (`affectedBy`), DELETE included.
 */
export const rule: Rule = {
  id: 'cluster-agent-rbac',
  title: 'Cluster Agent ServiceAccount lacks required permissions',
  defaultSeverity: 'error',
  description:
    'The Cluster Agent lists and watches pods in every namespace, and each feature it runs needs more: leader ' +
    'election its lock, event collection events, its admission controller its webhook configurations, the ' +
    'external metrics provider HPAs and DatadogMetrics, the Orchestrator Explorer, the kube-state-metrics core ' +
    'check and compliance what they collect. Without a grant the API server refuses it and the Cluster Agent logs ' +
    'the refusal (e.g. `pods is forbidden: User "system:serviceaccount:<ns>:<sa>" cannot list resource "pods" in ' +
    'API group ""`), while it looks healthy. Features are read from the Cluster Agent\'s env (the chart) or its ' +
    'DatadogAgent\'s spec (the Operator), with their defaults. RBAC is judged as the authorizer judges it: the union of every bound role, wildcards, ' +
    'resourceNames, aggregation, and RoleBindings only in their namespace. `pods` in group `policy` is never ' +
    'demanded: it does not exist, and the `pods.policy is forbidden` line comes from old compliance code.',
  remediation:
    'Bind the Cluster Agent\'s ServiceAccount to roles granting what its features need (the official chart\'s and Operator\'s roles do), ' +
    'and do not delete a role or binding it still depends on.',
  targets: [...WORKLOAD_KINDS],
  affectedBy: RBAC_KINDS,
  requirements: requirementDocs(CLUSTER_AGENT_PERMISSIONS),
  example: {
    bad: [
      'kind: ClusterRole',
      'metadata: {name: datadog-cluster-agent}',
      'rules:',
      '  - apiGroups: [""]',
      '    resources: [services, endpoints, nodes]   # no pods',
      '    verbs: [get, list, watch]',
    ].join('\n'),
    good: [
      'kind: ClusterRole',
      'metadata: {name: datadog-cluster-agent}',
      'rules:',
      '  - apiGroups: [""]',
      '    resources: [services, endpoints, pods, nodes]',
      '    verbs: [get, list, watch]',
      '  - apiGroups: [policy]',
      '    resources: [poddisruptionbudgets]',
      '    verbs: [list, watch]',
    ].join('\n'),
  },
  evaluate: permissionRule(
    'cluster-agent',
    clusterAgentFeatures,
    ({ settings }) => [...CLUSTER_AGENT_PERMISSIONS, ...settings.extraClusterAgentPermissions.map((p) => ({ ...p }))],
    withPolicyNote,
  ),
};

/** The Cluster Agent's note on `pods.policy`: an old compliance line, not a grant to add. */
function withPolicyNote(requirement: PermissionRequirement, why: string): string {
  const policyNote =
    requirement.apiGroup === 'policy'
      ? ' (A `pods.policy is forbidden` or `\'policy/v1beta1, Resource=pods\'` line is something else: an old Cluster Agent\'s compliance module asking for a resource that does not exist; upgrade the Cluster Agent rather than granting pods in group policy.)'
      : '';
  return `${why}${policyNote}`;
}
