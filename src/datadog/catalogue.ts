import type { Feature } from './features.js';
import type { PermissionRequirement } from './permissions.js';
import { ORCHESTRATOR_PERMISSIONS } from './catalogue-orchestrator.js';
import { KUBE_APISERVER_METRICS_PERMISSIONS } from './catalogue-non-resource.js';

/**
 * What each Datadog component needs from the Kubernetes API, per feature, as data. Sources: the official chart's
 * templates (cluster-agent-rbac.yaml, rbac.yaml, agent-clusterchecks-rbac.yaml, kube-state-metrics-core-rbac.yaml,
 * orchestrator-explorer-rbac.yaml) and the Operator's clusteragent/agent RBAC (datadog.md §2.5, §3.1).
 *
 * Severity: an error (no `advisory`) where the feature runs and silently stops without the grant; `advisory` (a
 * warning) where the gap only reduces detail. A feature ddguard cannot tell runs makes any gap a warning.
 *
 * Log lines: unless `logLine` says otherwise, the component logs the API server's refusal as client-go returns
 * it (`<resource> is forbidden: User "system:serviceaccount:<ns>:<sa>" cannot <verb> resource …`); the Agent's
 * own wrapping around it was not checked line by line against its source.
 */

type Entry = Omit<PermissionRequirement, 'reason'> & { reason: string };

const listWatch = ['list', 'watch'] as const;

function each(
  resources: readonly (readonly [string, string])[],
  shape: Omit<Entry, 'apiGroup' | 'resource'>,
): PermissionRequirement[] {
  return resources.map(([apiGroup, resource]) => ({ ...shape, apiGroup, resource }));
}

// --- Cluster Agent ---------------------------------------------------------------------------------------------

const LEADER_LOCK = { setting: 'DD_LEADER_LEASE_NAME', fallback: 'datadog-leader-election' };
const WEBHOOK_NAME = { setting: 'DD_ADMISSION_CONTROLLER_WEBHOOK_NAME', fallback: 'datadog-webhook' };
const EVENT_TOKEN = { setting: 'DD_CLUSTER_AGENT_TOKEN_NAME', fallback: 'datadogtoken' };
const METRICS_CONFIGMAP = { setting: 'DD_HPA_CONFIGMAP_NAME', fallback: 'datadog-custom-metrics' };

/**
 * Leader election with the lock the component's DD_LEADER_ELECTION_DEFAULT_RESOURCE selects (§3.1 rules 6–9).
 * LeaderEngine.init gets (and on first start creates) the lock before electing and logs the refusal as
 * `Could not initialize the Leader Election process: <err>` (DataDog/datadog-agent
 * pkg/util/kubernetes/apiserver/leaderelection/leaderelection.go, CreateLeaderTokenIfNotExists in
 * leaderelection_engine.go).
 */
function leaderElection(configmap: Feature, lease: Feature, who: string): PermissionRequirement[] {
  const stops = `${who} never becomes leader, so what only the leader runs (cluster checks dispatch, event collection, the external metrics provider) silently stops`;
  const logLine = 'Could not initialize the Leader Election process: <forbidden>';
  return [
    { apiGroup: '', resource: 'configmaps', verbs: ['get', 'update'], inOwnNamespace: true, objectNameFrom: LEADER_LOCK, features: [configmap], logLine, reason: `leader election holds its lock in this ConfigMap (DD_LEADER_ELECTION_DEFAULT_RESOURCE=configmap); without it ${stops}` },
    { apiGroup: '', resource: 'configmaps', verbs: ['create'], inOwnNamespace: true, features: [configmap], logLine, reason: `leader election creates its ConfigMap lock on first start; without it ${stops}` },
    { apiGroup: 'coordination.k8s.io', resource: 'leases', verbs: ['get', 'update'], inOwnNamespace: true, objectNameFrom: LEADER_LOCK, features: [lease], logLine, reason: `leader election holds its lock in this Lease (DD_LEADER_ELECTION_DEFAULT_RESOURCE=lease); without it ${stops}` },
    { apiGroup: 'coordination.k8s.io', resource: 'leases', verbs: ['create'], inOwnNamespace: true, features: [lease], logLine, reason: `leader election creates its Lease on first start; without it ${stops}` },
  ];
}

/** The kube-state-metrics core check's collectors (kube-state-metrics-core-rbac.yaml), beyond pods and PDBs. */
export const KSM_RESOURCES = [
  ['', 'nodes'], ['', 'services'], ['', 'namespaces'], ['', 'endpoints'], ['', 'persistentvolumes'], ['', 'persistentvolumeclaims'],
  ['', 'resourcequotas'], ['', 'limitranges'], ['', 'replicationcontrollers'],
  ['apps', 'deployments'], ['apps', 'replicasets'], ['apps', 'daemonsets'], ['apps', 'statefulsets'],
  ['batch', 'jobs'], ['batch', 'cronjobs'], ['autoscaling', 'horizontalpodautoscalers'],
  ['storage.k8s.io', 'storageclasses'], ['networking.k8s.io', 'ingresses'],
] as const;

function ksmCore(feature: Feature, who: string): PermissionRequirement[] {
  return [
    { apiGroup: '', resource: 'pods', verbs: listWatch, features: [feature], reason: `the kube-state-metrics core check on ${who} builds every kubernetes_state.pod.* and container metric from pods; without it those metrics stop` },
    { apiGroup: 'policy', resource: 'poddisruptionbudgets', verbs: listWatch, features: [feature], reason: `the kube-state-metrics core check on ${who} collects PodDisruptionBudgets (chart PR DataDog/helm-charts#1782 "Add pdb rbac to dca")` },
    ...each(KSM_RESOURCES, { verbs: listWatch, features: [feature], advisory: true, reason: `the kube-state-metrics core check on ${who} collects it; without it that collector fails and only its kubernetes_state.* metrics are missing` }),
  ];
}

/** The Cluster Agent's ServiceAccount (chart cluster-agent-rbac.yaml and the roles bound beside it; Operator clusteragent/rbac.go). */
export const CLUSTER_AGENT_PERMISSIONS: readonly PermissionRequirement[] = [
  {
    apiGroup: '', resource: 'pods', verbs: ['get', 'list', 'watch'],
    reason: 'the Cluster Agent watches the pods of every namespace to build the pod-to-service metadata the node Agents tag with, and for cluster checks and its admission controller',
  },
  ...leaderElection('leader-election-configmap', 'leader-election-lease', 'the Cluster Agent'),
  {
    apiGroup: '', resource: 'events', verbs: listWatch, features: ['event-collection'],
    reason: 'with DD_COLLECT_KUBERNETES_EVENTS=true the Cluster Agent watches Kubernetes events cluster-wide and sends them to Datadog; without it no Kubernetes event reaches Datadog',
  },
  {
    apiGroup: '', resource: 'configmaps', verbs: ['get', 'update'], inOwnNamespace: true, objectNameFrom: EVENT_TOKEN, features: ['event-collection'], advisory: true,
    reason: 'event collection keeps its resume token in this ConfigMap; without it the Cluster Agent resends or skips events across restarts',
  },
  {
    apiGroup: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', verbs: ['get', 'update'], objectNameFrom: WEBHOOK_NAME, features: ['admission-controller-mutation'],
    reason: 'the Cluster Agent\'s admission controller creates and reconciles its MutatingWebhookConfiguration; without it the injection into application pods (APM libraries, the Agent host and entity ID DogStatsD and traces rely on) silently stops',
  },
  {
    apiGroup: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', verbs: ['create'], features: ['admission-controller-mutation'],
    reason: 'the Cluster Agent\'s admission controller creates its MutatingWebhookConfiguration on start; without it the injection into application pods never starts',
  },
  {
    apiGroup: 'admissionregistration.k8s.io', resource: 'validatingwebhookconfigurations', verbs: ['get', 'update'], objectNameFrom: WEBHOOK_NAME, features: ['admission-controller-validation'],
    reason: 'the Cluster Agent\'s admission controller creates and reconciles its ValidatingWebhookConfiguration (DD_ADMISSION_CONTROLLER_VALIDATION_ENABLED, on by default); without it its validation webhooks silently stop',
  },
  {
    apiGroup: 'admissionregistration.k8s.io', resource: 'validatingwebhookconfigurations', verbs: ['create'], features: ['admission-controller-validation'],
    reason: 'the Cluster Agent\'s admission controller creates its ValidatingWebhookConfiguration on start',
  },
  {
    apiGroup: '', resource: 'secrets', verbs: ['get', 'update'], inOwnNamespace: true, objectNameFrom: { setting: 'DD_ADMISSION_CONTROLLER_CERTIFICATE_SECRET_NAME', fallback: 'webhook-certificate' }, features: ['admission-controller'],
    reason: 'the admission controller keeps its serving certificate in this Secret; without it the webhook has no certificate and the API server cannot call it (chart Role <fullname>-cluster-agent-main)',
  },
  {
    apiGroup: '', resource: 'secrets', verbs: ['create'], inOwnNamespace: true, features: ['admission-controller'],
    reason: 'the admission controller creates its certificate Secret on first start',
  },
  ...each([['apps', 'deployments'], ['apps', 'replicasets'], ['apps', 'statefulsets'], ['apps', 'daemonsets'], ['batch', 'jobs'], ['batch', 'cronjobs'], ['', 'replicationcontrollers']], {
    verbs: ['get'], features: ['admission-controller'], advisory: true,
    reason: 'the admission controller reads the owner of each pod it mutates (for the tags and the library configuration it injects); without it the injection lacks the owner\'s details',
  }),
  {
    apiGroup: '', resource: 'configmaps', verbs: ['get', 'update'], inOwnNamespace: true, objectNameFrom: METRICS_CONFIGMAP, features: ['external-metrics'], unlessFeatures: ['datadogmetric-crd'],
    reason: 'the external metrics provider keeps the metrics HPAs ask for in this ConfigMap; without it HPAs get no Datadog metric and stop scaling',
  },
  {
    apiGroup: 'autoscaling', resource: 'horizontalpodautoscalers', verbs: listWatch, features: ['external-metrics'],
    reason: 'the external metrics provider watches HPAs to know which Datadog metrics to serve; without it HPAs get no value and stop scaling',
  },
  {
    apiGroup: 'datadoghq.com', resource: 'datadogmetrics', verbs: ['list', 'watch', 'create', 'delete'], features: ['datadogmetric-crd'],
    reason: 'with DD_EXTERNAL_METRICS_PROVIDER_USE_DATADOGMETRIC_CRD the provider serves DatadogMetric objects; without it every HPA on a DatadogMetric gets no value',
  },
  {
    apiGroup: 'datadoghq.com', resource: 'datadogmetrics', subresource: 'status', verbs: ['update'], features: ['datadogmetric-crd'],
    reason: 'the provider writes each DatadogMetric\'s value and validity into its status; without it the values the HPAs read go stale',
  },
  {
    apiGroup: 'datadoghq.com', resource: 'watermarkpodautoscalers', verbs: listWatch, features: ['wpa-controller'],
    reason: 'with DD_EXTERNAL_METRICS_PROVIDER_WPA_CONTROLLER the provider watches WatermarkPodAutoscalers; without it they get no metric',
  },
  {
    apiGroup: 'authentication.k8s.io', resource: 'tokenreviews', verbs: ['create'], features: ['external-metrics'],
    reason: 'the external metrics API server authenticates the API server\'s calls with TokenReviews (ClusterRole system:auth-delegator); without it HPAs get no metric',
  },
  {
    apiGroup: 'authorization.k8s.io', resource: 'subjectaccessreviews', verbs: ['create'], features: ['external-metrics'],
    reason: 'the external metrics API server authorizes the API server\'s calls with SubjectAccessReviews (ClusterRole system:auth-delegator); without it HPAs get no metric',
  },
  {
    apiGroup: '', resource: 'configmaps', verbs: ['get'], namespace: 'kube-system', objectName: 'extension-apiserver-authentication', features: ['external-metrics'],
    reason: 'the external metrics API server reads the cluster\'s client CA from it (Role extension-apiserver-authentication-reader); without it the API server\'s calls are refused and HPAs get no metric',
  },
  ...each([['', 'services']], {
    verbs: listWatch, features: ['cluster-checks'],
    reason: 'cluster checks (DD_CLUSTER_CHECKS_ENABLED) discover their targets with the kube_services listener; without it service checks are never scheduled',
  }),
  {
    apiGroup: '', resource: 'endpoints', verbs: listWatch, features: ['cluster-checks'],
    alternatives: [{ apiGroup: 'discovery.k8s.io', resource: 'endpointslices', verbs: listWatch, reason: 'DD_KUBERNETES_USE_ENDPOINT_SLICES' }],
    reason: 'cluster checks schedule endpoints checks from the kube_endpoints listener (EndpointSlices with DD_KUBERNETES_USE_ENDPOINT_SLICES); without it endpoints checks are never scheduled',
  },
  {
    apiGroup: 'policy', resource: 'poddisruptionbudgets', verbs: listWatch, features: ['orchestrator-explorer', 'kube-state-metrics-core', 'compliance'],
    reason: 'the Orchestrator Explorer, the kube-state-metrics core check and compliance (CSPM) collect PodDisruptionBudgets (chart PR DataDog/helm-charts#1782 "Add pdb rbac to dca")',
  },
  ...ORCHESTRATOR_PERMISSIONS,
  // The rest of the chart's compliance block (datadog.md §3.2): without them CSPM skips inputs and logs warnings.
  ...each([['rbac.authorization.k8s.io', 'clusterrolebindings'], ['rbac.authorization.k8s.io', 'rolebindings']], {
    verbs: listWatch, features: ['compliance'], advisory: true, logLine: 'failed to resolve input: unable to list Kube resources:\'<group>/<version>, Resource=<resource>\' …',
    reason: 'compliance (CSPM) on the Cluster Agent reads it for the CIS Kubernetes rules (chart cluster-agent-rbac.yaml compliance block)',
  }),
  ...each([['networking.k8s.io', 'networkpolicies'], ['', 'namespaces'], ['', 'serviceaccounts']], {
    verbs: ['list'], features: ['compliance'], advisory: true, logLine: 'failed to resolve input: unable to list Kube resources:\'<group>/<version>, Resource=<resource>\' …',
    reason: 'compliance (CSPM) on the Cluster Agent reads it for the CIS Kubernetes rules (chart cluster-agent-rbac.yaml compliance block)',
  }),
  {
    apiGroup: '', resource: 'namespaces', verbs: listWatch, features: ['apm-instrumentation'],
    reason: 'Single Step APM instrumentation (DD_APM_INSTRUMENTATION_ENABLED) matches pods by their namespace; without it the Cluster Agent cannot tell which pods to instrument and injects no library',
  },
  {
    apiGroup: 'apps', resource: 'deployments', verbs: ['get', 'list', 'watch', 'patch'], features: ['language-detection'],
    reason: 'language detection (DD_LANGUAGE_DETECTION_ENABLED with the Cluster Agent\'s patcher) writes the detected languages onto each Deployment; without it library injection by detected language silently stops',
  },
];

// --- Node Agent ------------------------------------------------------------------------------------------------

/** The node Agent's ServiceAccount, for the kubelet (KEP-2862 path → subresource mapping, datadog.md §2.4). */
export const NODE_AGENT_KUBELET_PERMISSIONS: readonly PermissionRequirement[] = [
  {
    apiGroup: '', resource: 'nodes', subresource: 'proxy', verbs: ['get'],
    alternatives: [{ apiGroup: '', resource: 'nodes', subresource: 'pods', verbs: ['get'], reason: 'fine-grained kubelet authorization' }],
    unlessFeatures: ['kubelet-via-api-server'], authorizer: 'kubelet',
    reason: 'the kubelet authorizes /pods (and every path without a dedicated subresource) as nodes/proxy; with fine-grained kubelet authorization (Kubernetes 1.32+) nodes/pods is enough',
  },
  { apiGroup: '', resource: 'nodes', subresource: 'stats', verbs: ['get'], authorizer: 'kubelet', reason: 'the kubelet check reads /stats/summary' },
  { apiGroup: '', resource: 'nodes', subresource: 'metrics', verbs: ['get'], authorizer: 'kubelet', reason: 'the kubelet check reads /metrics and /metrics/cadvisor' },
  { apiGroup: '', resource: 'nodes', subresource: 'spec', verbs: ['get'], authorizer: 'kubelet', reason: 'the Agent reads the node /spec' },
  {
    apiGroup: '', resource: 'pods', verbs: ['get', 'list'], features: ['kubelet-via-api-server'],
    reason: 'with DD_KUBELET_USE_API_SERVER=true the Agent lists its node\'s pods from the API server instead of the kubelet (chart rbac.yaml adds pods get/list for kubelet.useApiServer)',
  },
];

/** The node Agent's API-server needs beyond the kubelet: what it does itself when no Cluster Agent does it (chart rbac.yaml). */
export const NODE_AGENT_PERMISSIONS: readonly PermissionRequirement[] = [
  ...leaderElection('agent-leader-election-configmap', 'agent-leader-election-lease', 'no node Agent'),
  {
    apiGroup: '', resource: 'events', verbs: listWatch, features: ['agent-event-collection'],
    reason: 'with no Cluster Agent (DD_CLUSTER_AGENT_ENABLED unset or false) and DD_COLLECT_KUBERNETES_EVENTS=true, the elected node Agent watches Kubernetes events; without it no Kubernetes event reaches Datadog',
  },
  {
    apiGroup: '', resource: 'configmaps', verbs: ['get', 'update'], inOwnNamespace: true, objectNameFrom: EVENT_TOKEN, features: ['agent-event-collection'], advisory: true,
    reason: 'event collection on the node Agent keeps its resume token in this ConfigMap; without it events are resent or skipped across restarts',
  },
  ...each([['', 'services'], ['', 'nodes'], ['', 'namespaces']], {
    verbs: listWatch, features: ['agent-metadata-without-cluster-agent'], advisory: true,
    reason: 'with no Cluster Agent the node Agent maps pods to services, node and namespace tags itself; without it those tags are missing',
  }),
  {
    apiGroup: '', resource: 'nodes', verbs: ['get'], features: ['eks-fargate'], advisory: true,
    reason: 'an Agent on EKS Fargate (DD_EKS_FARGATE=true) reads its virtual node for the host tags; Datadog\'s EKS Fargate guide grants nodes get/list',
  },
  {
    apiGroup: '', resource: 'namespaces', verbs: ['get', 'list'], features: ['eks-fargate'], advisory: true,
    reason: 'an Agent on EKS Fargate reads namespace labels for tags; Datadog\'s EKS Fargate guide grants namespaces get/list',
  },
  ...KUBE_APISERVER_METRICS_PERMISSIONS,
];

// --- Cluster-checks runner -------------------------------------------------------------------------------------

/** The cluster-checks runner's ServiceAccount: the kube-state-metrics core check when it is dispatched to runners. */
export const CLUSTER_CHECKS_RUNNER_PERMISSIONS: readonly PermissionRequirement[] = [
  ...ksmCore('kube-state-metrics-core-on-runners', 'the cluster-checks runners (kubeStateMetricsCore.useClusterCheckRunners)'),
  ...KUBE_APISERVER_METRICS_PERMISSIONS,
];
