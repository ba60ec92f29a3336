import type { Rule } from '../engine/types.js';
import { nodeAgentFeatures } from '../datadog/features.js';
import { NODE_AGENT_KUBELET_PERMISSIONS } from '../datadog/permissions.js';
import { permissionRule, RBAC_KINDS, requirementDocs } from './shared/permission-judgement.js';
import { WORKLOAD_KINDS } from '../kube-model/pod-template.js';

/**
 * The kubelet authorizes the node Agent's requests with SubjectAccessReviews on `nodes/<subresource>`
 * (datadog.md §2.4–§2.5): /pods needs nodes/proxy (or nodes/pods with fine-grained kubelet authorization),
 * /stats nodes/stats, /metrics nodes/metrics, /spec nodes/spec.
 */
export const rule: Rule = {
  id: 'agent-rbac-kubelet',
  title: 'Node Agent ServiceAccount cannot read the kubelet',
  defaultSeverity: 'error',
  description:
    'The kubelet asks the API server whether the node Agent\'s ServiceAccount may `get` the node subresource of ' +
    'each path: /pods and /healthz map to nodes/proxy (nodes/pods with fine-grained kubelet authorization, ' +
    'Kubernetes 1.32+), /stats to nodes/stats, /metrics to nodes/metrics, /spec to nodes/spec. A missing rule ' +
    'makes the kubelet answer 403 `Forbidden (user=system:serviceaccount:<ns>:<sa>, verb=get, resource=nodes, ' +
    'subresource=proxy)`: no pods, no container tags, no kubelet metrics. Applies to every node Agent, in a ' +
    'DaemonSet or as a sidecar (EKS Fargate, whose guide grants the same subresources).',
  remediation:
    'Bind the node Agent\'s ServiceAccount with a ClusterRoleBinding to a ClusterRole granting get on nodes/proxy ' +
    '(or nodes/pods), nodes/stats, nodes/metrics and nodes/spec, as the official chart and Operator roles do.',
  targets: [...WORKLOAD_KINDS],
  affectedBy: RBAC_KINDS,
  requirements: requirementDocs(NODE_AGENT_KUBELET_PERMISSIONS),
  example: {
    bad: [
      'kind: ClusterRole',
      'metadata: {name: datadog}',
      'rules:',
      '  - apiGroups: [""]',
      '    resources: [nodes/metrics, nodes/stats]   # no nodes/proxy, nodes/spec',
      '    verbs: [get]',
    ].join('\n'),
    good: [
      'kind: ClusterRole',
      'metadata: {name: datadog}',
      'rules:',
      '  - apiGroups: [""]',
      '    resources: [nodes/metrics, nodes/spec, nodes/proxy, nodes/stats]',
      '    verbs: [get]',
    ].join('\n'),
  },
  evaluate: permissionRule(
    'node-agent',
    nodeAgentFeatures,
    () => NODE_AGENT_KUBELET_PERMISSIONS,
  ),
};
