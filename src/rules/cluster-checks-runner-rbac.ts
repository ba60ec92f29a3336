import type { Rule } from '../engine/types.js';
import { withCheckFeatures } from '../datadog/check-features.js';
import { clusterChecksRunnerFeatures } from '../datadog/features.js';
import { CLUSTER_CHECKS_RUNNER_PERMISSIONS } from '../datadog/permissions.js';
import { permissionRule, RBAC_KINDS, requirementDocs } from './shared/permission-judgement.js';
import { WORKLOAD_KINDS } from '../kube-model/pod-template.js';

/**
 * The cluster-checks runners run what the Cluster Agent dispatches to them; with the chart's
 * kubeStateMetricsCore.useClusterCheckRunners that is the kube-state-metrics core check, and the ksm-core
 * ClusterRole is bound to the runners' ServiceAccount instead of the Cluster Agent's.
 */
export const rule: Rule = {
  id: 'cluster-checks-runner-rbac',
  title: 'Cluster-checks runner ServiceAccount lacks what its dispatched checks need',
  defaultSeverity: 'error',
  description:
    'When a Cluster Agent dispatches the kubernetes_state_core check to the cluster-checks runners (`cluster_check: ' +
    'true` in its config, the chart\'s kubeStateMetricsCore.useClusterCheckRunners), the runners list and watch ' +
    'what it collects. Without the grant the API server refuses it and the kubernetes_state.* metrics stop while the ' +
    'runners look healthy.',
  remediation:
    'Bind the cluster-checks runners\' ServiceAccount to the kube-state-metrics core ClusterRole (the chart does when kubeStateMetricsCore.useClusterCheckRunners is true).',
  targets: [...WORKLOAD_KINDS],
  affectedBy: RBAC_KINDS,
  requirements: requirementDocs(CLUSTER_CHECKS_RUNNER_PERMISSIONS),
  example: {
    bad: '# Cluster Agent: kubernetes_state_core.yaml with cluster_check: true\n# ClusterRoleBinding datadog-ksm-core still binds datadog-cluster-agent, not datadog-cluster-checks',
    good: 'kind: ClusterRoleBinding\nmetadata: {name: datadog-ksm-core}\nroleRef: {kind: ClusterRole, name: datadog-ksm-core}\nsubjects: [{kind: ServiceAccount, name: datadog-cluster-checks, namespace: datadog}]',
  },
  evaluate: permissionRule(
    'cluster-checks-runner',
    (workload, world) => withCheckFeatures(clusterChecksRunnerFeatures(workload, world), workload, world),
    () => CLUSTER_CHECKS_RUNNER_PERMISSIONS,
  ),
};
