import type { Rule } from '../engine/types.js';
import { asDatadogWorkload } from '../datadog/components.js';
import { clusterAgentFeatures, featureSummary } from '../datadog/features.js';
import { CLUSTER_AGENT_PERMISSIONS, judgePermissions, type PermissionRequirement } from '../datadog/permissions.js';
import { WORKLOAD_KINDS } from '../k8s/podTemplate.js';

/**
 * The Cluster Agent's ServiceAccount must hold `pods` cluster-wide, and `policy` poddisruptionbudgets where the
 * Orchestrator Explorer, kube-state-metrics core or compliance runs on it (datadog.md §3). Judged on the
 * Cluster Agent workload, and again whenever a role, binding or ServiceAccount changes (`affectedBy`).
 */
export const rule: Rule = {
  id: 'cluster-agent-rbac',
  title: 'Cluster Agent ServiceAccount lacks required permissions',
  defaultSeverity: 'error',
  description:
    'The Cluster Agent lists and watches pods in every namespace, and the Orchestrator Explorer, the ' +
    'kube-state-metrics core check and compliance also read PodDisruptionBudgets. Without the rule the API ' +
    'server refuses it and the Cluster Agent logs `pods is forbidden: User "system:serviceaccount:<ns>:<sa>" ' +
    'cannot list resource "pods" in API group ""` or `poddisruptionbudgets.policy is forbidden: User ' +
    '"system:serviceaccount:<ns>:<sa>" cannot list resource "poddisruptionbudgets" in API group "policy"`, while ' +
    'it looks healthy. RBAC is judged as the authorizer judges it: the union of every bound role, wildcards, ' +
    'resourceNames, aggregation, and RoleBindings only in their namespace. `pods` in group `policy` is never ' +
    'demanded: it does not exist, and the `pods.policy is forbidden` line comes from old compliance code.',
  remediation:
    'Bind the Cluster Agent\'s ServiceAccount with a ClusterRoleBinding to a ClusterRole granting pods get/list/watch ' +
    'and, when those features are on, policy poddisruptionbudgets list/watch (the official chart and Operator roles do).',
  targets: [...WORKLOAD_KINDS],
  affectedBy: ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ServiceAccount'],
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
  evaluate(object, { world, settings, impact }) {
    const workload = asDatadogWorkload(object, world.defaultNamespace);
    if (workload?.component !== 'cluster-agent') return [];
    const features = clusterAgentFeatures(workload, world);
    const requirements: PermissionRequirement[] = [...CLUSTER_AGENT_PERMISSIONS, ...settings.extraClusterAgentPermissions.map((p) => ({ ...p }))];
    return judgePermissions({
      workload,
      impact: impact === true,
      world,
      features,
      requirements,
      explain: (requirement) => {
        if (!requirement.features?.length) return '';
        const why = featureSummary(features, requirement.features);
        const policyNote =
          requirement.apiGroup === 'policy'
            ? ' (A `pods.policy is forbidden` or `\'policy/v1beta1, Resource=pods\'` line is something else: an old Cluster Agent\'s compliance module asking for a resource that does not exist; upgrade the Cluster Agent rather than granting pods in group policy.)'
            : '';
        return `Needed because ${why}.${policyNote}`;
      },
    });
  },
};
