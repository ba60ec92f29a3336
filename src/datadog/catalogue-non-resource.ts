import type { PermissionRequirement } from './permissions.js';

/**
 * Paths of the API server that are no resource, granted only by a ClusterRole's `nonResourceURLs` through a
 * ClusterRoleBinding. The chart's rbac.yaml grants `/metrics` and `/metrics/slis` to the Agents' ClusterRole
 * (bound to the node Agents and to the cluster-checks runners); the Operator's component/agent/rbac.go and
 * component/clusterchecksrunner/rbac.go grant the same unless its nonResource rules are disabled.
 *
 * `/version` and `/healthz` (also in both installers' roles) are not required here: Kubernetes' default
 * ClusterRole system:public-info-viewer grants them to every authenticated user, which a manifest set does not show.
 *
 * The kube_apiserver_metrics check (integrations-core, Python) fetches the path with requests, whose
 * raise_for_status wording is the line below; which component runs it is decided at run time, so these are
 * never more than warnings (check-features.ts).
 */
export const KUBE_APISERVER_METRICS_PERMISSIONS: readonly PermissionRequirement[] = [
  {
    apiGroup: '', resource: '', nonResourceURL: '/metrics', verbs: ['get'], features: ['kube-apiserver-metrics'],
    logLine: '403 Client Error: Forbidden for url: https://<apiserver>/metrics',
    reason: 'the kube_apiserver_metrics cluster check scrapes the API server\'s /metrics; without it every kube_apiserver.* metric is missing',
  },
  {
    apiGroup: '', resource: '', nonResourceURL: '/metrics/slis', verbs: ['get'], features: ['kube-apiserver-metrics'], advisory: true,
    logLine: '403 Client Error: Forbidden for url: https://<apiserver>/metrics/slis',
    reason: 'the kube_apiserver_metrics cluster check also reads the API server\'s health SLIs from /metrics/slis; without it only those metrics are missing',
  },
];
