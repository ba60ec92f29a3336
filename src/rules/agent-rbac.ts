import type { Rule } from '../engine/types.js';
import { withCheckFeatures } from '../datadog/check-features.js';
import { nodeAgentFeatures } from '../datadog/features.js';
import { NODE_AGENT_PERMISSIONS } from '../datadog/permissions.js';
import { permissionRule, RBAC_KINDS, requirementDocs } from './shared/permission-judgement.js';
import { WORKLOAD_KINDS } from '../kube-model/pod-template.js';

/**
 * What a node Agent needs from the API server beyond the kubelet (chart rbac.yaml, datadog.md §2.5): the
 * cluster-level work it does itself when no Cluster Agent does it (leader election, event collection, metadata),
 * and on EKS Fargate what Datadog's guide grants the sidecar.
 */
export const rule: Rule = {
  id: 'agent-rbac',
  title: 'Node Agent ServiceAccount lacks API-server permissions its features need',
  defaultSeverity: 'error',
  description:
    'Without a Cluster Agent (DD_CLUSTER_AGENT_ENABLED unset or false) the node Agents elect a leader among ' +
    'themselves (a ConfigMap or Lease lock, as DD_LEADER_ELECTION_DEFAULT_RESOURCE selects), and the leader ' +
    'collects Kubernetes events and maps pods to services. Without the grant the API server refuses it, the Agent ' +
    'logs the refusal and the feature silently stops. On EKS Fargate (DD_EKS_FARGATE=true) the sidecar Agent reads ' +
    'its node and namespaces. Applies to node Agents in any workload kind, sidecars included; a node Agent with a ' +
    'Cluster Agent needs none of this.',
  remediation:
    'Bind the node Agent\'s ServiceAccount to a role granting what its features need (the official chart\'s rbac.yaml does when no Cluster Agent is deployed).',
  targets: [...WORKLOAD_KINDS],
  affectedBy: RBAC_KINDS,
  requirements: requirementDocs(NODE_AGENT_PERMISSIONS),
  example: {
    bad: [
      '# DaemonSet datadog: DD_CLUSTER_AGENT_ENABLED=false, DD_COLLECT_KUBERNETES_EVENTS=true',
      'kind: ClusterRole',
      'metadata: {name: datadog}',
      'rules:',
      '  - apiGroups: [""]',
      '    resources: [nodes/metrics, nodes/spec, nodes/proxy, nodes/stats]   # no events',
      '    verbs: [get]',
    ].join('\n'),
    good: [
      'kind: ClusterRole',
      'metadata: {name: datadog}',
      'rules:',
      '  - apiGroups: [""]',
      '    resources: [events]',
      '    verbs: [get, list, watch]',
    ].join('\n'),
  },
  evaluate: permissionRule(
    'node-agent',
    (workload, world) => withCheckFeatures(nodeAgentFeatures(workload, world), workload, world),
    () => NODE_AGENT_PERMISSIONS,
  ),
};
