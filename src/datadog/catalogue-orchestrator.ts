import type { PermissionRequirement } from './permissions.js';

/**
 * The Orchestrator Explorer on the Cluster Agent: one informer per collected resource, granted by the chart's
 * templates/orchestrator-explorer-rbac.yaml and the Operator's
 * internal/controller/datadogagent/feature/orchestratorexplorer/rbac.go (both list/watch; the chart adds get).
 *
 * A refused list leaves that collector's informer unsynced: CollectorBundle.Initialize marks only that collector
 * skipped and Run warns about it on every run while the other collectors carry on
 * (DataDog/datadog-agent pkg/collector/corechecks/cluster/orchestrator/collector_bundle.go), so each is a warning.
 * The collector's name is `<group/version>/<resource>` (CollectorMetadata.FullName, collectors/collector.go);
 * the duration at the end of the line varies.
 *
 * Left out: pods (the Cluster Agent always needs them, catalogue.ts), poddisruptionbudgets (shared with KSM core
 * and compliance, catalogue.ts), verticalpodautoscalers and the CRD-backed groups (datadoghq.com, argoproj.io,
 * Flux, Karpenter): their collectors only run where the API serves the resource, which a manifest set cannot tell.
 */
const COLLECTED: readonly (readonly [apiGroup: string, resource: string, version: string])[] = [
  ['', 'nodes', 'v1'], ['', 'namespaces', 'v1'], ['', 'services', 'v1'], ['', 'persistentvolumes', 'v1'],
  ['', 'persistentvolumeclaims', 'v1'], ['', 'serviceaccounts', 'v1'], ['', 'limitranges', 'v1'],
  ['apps', 'deployments', 'apps/v1'], ['apps', 'replicasets', 'apps/v1'], ['apps', 'daemonsets', 'apps/v1'], ['apps', 'statefulsets', 'apps/v1'],
  ['batch', 'jobs', 'batch/v1'], ['batch', 'cronjobs', 'batch/v1'],
  ['rbac.authorization.k8s.io', 'roles', 'rbac.authorization.k8s.io/v1'], ['rbac.authorization.k8s.io', 'rolebindings', 'rbac.authorization.k8s.io/v1'],
  ['rbac.authorization.k8s.io', 'clusterroles', 'rbac.authorization.k8s.io/v1'], ['rbac.authorization.k8s.io', 'clusterrolebindings', 'rbac.authorization.k8s.io/v1'],
  ['networking.k8s.io', 'ingresses', 'networking.k8s.io/v1'], ['networking.k8s.io', 'networkpolicies', 'networking.k8s.io/v1'],
  ['storage.k8s.io', 'storageclasses', 'storage.k8s.io/v1'], ['autoscaling', 'horizontalpodautoscalers', 'autoscaling/v2'],
  ['apiextensions.k8s.io', 'customresourcedefinitions', 'apiextensions.k8s.io/v1'],
];

const collectors: PermissionRequirement[] = COLLECTED.map(([apiGroup, resource, version]) => ({
  apiGroup, resource, verbs: ['list', 'watch'], features: ['orchestrator-explorer'], advisory: true,
  logLine: `Collector ${version}/${resource} is skipped: couldn't sync informer ${version}/${resource} in <duration>`,
  reason: `the Orchestrator Explorer's ${version}/${resource} collector watches it; without it only that collector is skipped and those resources are missing from the Orchestrator Explorer`,
}));

// The cluster ID every orchestrator payload carries: GetOrCreateClusterID
// (pkg/util/kubernetes/apiserver/common/common.go) reads the ConfigMap in the Cluster Agent's namespace, else
// reads the kube-system namespace's UID and creates the ConfigMap. Without an ID the orchestrator check does not
// configure, so the whole Orchestrator Explorer stops: an error.
const CLUSTER_ID_CONFIGMAP = 'datadog-cluster-id';
const stops = 'without a cluster ID the orchestrator check fails to configure and the whole Orchestrator Explorer stops';

const clusterId: PermissionRequirement[] = [
  {
    apiGroup: '', resource: 'configmaps', verbs: ['get'], inOwnNamespace: true, objectName: CLUSTER_ID_CONFIGMAP, features: ['orchestrator-explorer'],
    logLine: `Cannot retrieve ConfigMap <ns>/${CLUSTER_ID_CONFIGMAP}: <forbidden>`,
    reason: `the Cluster Agent keeps the cluster ID in ConfigMap ${CLUSTER_ID_CONFIGMAP}; ${stops}`,
  },
  {
    apiGroup: '', resource: 'configmaps', verbs: ['create'], inOwnNamespace: true, features: ['orchestrator-explorer'],
    logLine: `Cannot create ConfigMap <ns>/${CLUSTER_ID_CONFIGMAP}: <forbidden>`,
    reason: `on first start the Cluster Agent creates ConfigMap ${CLUSTER_ID_CONFIGMAP} (RBAC cannot limit create by name, so a create grant naming it does not count); ${stops}`,
  },
  {
    apiGroup: '', resource: 'namespaces', verbs: ['get'], objectName: 'kube-system', features: ['orchestrator-explorer'],
    logLine: 'Failed getting the kube-system namespace: <forbidden>',
    reason: `the cluster ID is the kube-system namespace's UID, read when ConfigMap ${CLUSTER_ID_CONFIGMAP} does not exist yet; ${stops}`,
  },
];

/** What the Orchestrator Explorer needs on the Cluster Agent. */
export const ORCHESTRATOR_PERMISSIONS: readonly PermissionRequirement[] = [...clusterId, ...collectors];
