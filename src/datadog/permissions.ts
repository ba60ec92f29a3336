import { findGrant, type AccessQuery, type Permissions, type RequiredPermission } from '../kube-model/rbac.js';
import type { World } from '../kube-model/world.js';
import type { DatadogWorkload } from './components.js';
import { envValue } from '../kube-model/env.js';
import { mainContainer } from './component-settings.js';
import { featureSummary } from './features.js';
import type { CatalogueFeature, CatalogueFeatures } from './check-features.js';

/**
 * The Kubernetes permissions Datadog components need, as data (datadog.md §2.4–§3). The rules compare them
 * with what the component's ServiceAccount is bound to; config may add more for the Cluster Agent
 * (`settings.extraClusterAgentPermissions`).
 */
export interface PermissionRequirement extends RequiredPermission {
  /** Accesses that serve the same purpose: holding every verb of one of them is enough. */
  alternatives?: readonly RequiredPermission[];
  /** Needed only while the component runs one of these features; always when absent. */
  features?: readonly CatalogueFeature[];
  /** Not needed while the component runs one of these features. */
  unlessFeatures?: readonly CatalogueFeature[];
  /** A gap that degrades one feature rather than breaking the component: reported as a warning. */
  advisory?: boolean;
  /** Who refuses the request: the API server (default) or the kubelet, which words its 403 differently. */
  authorizer?: 'api-server' | 'kubelet';
  /** The namespace the access happens in; absent for a cluster-wide access. */
  namespace?: string;
  /** The one object the access is about (get/update of a named lock); absent for list/watch/create. */
  objectName?: string;
  /** The access happens in the component's own namespace (its leader-election lock, its token ConfigMap). */
  inOwnNamespace?: boolean;
  /** The object's name comes from a setting of the component, with the Agent's default when unset. */
  objectNameFrom?: { setting: string; fallback: string };
  /**
   * The line the component logs when refused, when it is the Agent's own wording rather than the API server's:
   * `<forbidden>` stands for the API server's refusal it wraps, `<ns>` for the component's namespace.
   */
  logLine?: string;
  /** A path of the API server that is no resource (`/metrics`): `apiGroup` and `resource` are then empty. */
  nonResourceURL?: string;
}

export { CLUSTER_AGENT_PERMISSIONS, NODE_AGENT_KUBELET_PERMISSIONS, NODE_AGENT_PERMISSIONS, CLUSTER_CHECKS_RUNNER_PERMISSIONS } from './catalogue.js';

/** Whether a requirement applies, given the features the component runs. */
export function isRequired(requirement: PermissionRequirement, features: CatalogueFeatures): 'yes' | 'no' | 'maybe' {
  const runs = (f: CatalogueFeature) => features.get(f)?.runs ?? 'no';
  let result: 'yes' | 'maybe' = 'yes';
  for (const feature of requirement.unlessFeatures ?? []) {
    if (runs(feature) === 'yes') return 'no';
    if (runs(feature) === 'maybe') result = 'maybe';
  }
  if (requirement.features && requirement.features.length > 0) {
    const states = requirement.features.map(runs);
    if (states.includes('yes')) return result;
    if (states.includes('maybe')) return 'maybe';
    return 'no';
  }
  return result;
}

/** The verbs of an access no grant allows; empty when it, or one of its alternatives, is held. */
export function missingVerbs(permissions: Permissions, requirement: PermissionRequirement): string[] {
  // An account bound to nothing lacks every verb: the usual answer at admission, where a Datadog workload is
  // created before (or without) its RBAC, for each of the catalogue's few dozen accesses.
  if (permissions.grants.length === 0) return [...requirement.verbs];
  const own = verbsNotGranted(permissions, requirement);
  if (own.length === 0) return [];
  if ((requirement.alternatives ?? []).some((alternative) => verbsNotGranted(permissions, alternative).length === 0)) return [];
  return own;
}

function verbsNotGranted(permissions: Permissions, access: RequiredPermission): string[] {
  const scoped = access as PermissionRequirement;
  // One query per access, its verb set in turn.
  const query: AccessQuery = { verb: '', apiGroup: access.apiGroup, resource: access.resource };
  if (access.subresource) query.subresource = access.subresource;
  if (scoped.namespace) query.namespace = scoped.namespace;
  if (scoped.objectName) query.name = scoped.objectName;
  if (scoped.nonResourceURL) query.nonResourceURL = scoped.nonResourceURL;
  return access.verbs.filter((verb) => {
    query.verb = verb;
    return !findGrant(permissions, query);
  });
}

/** `pods`, `poddisruptionbudgets.policy`, `nodes/proxy`: how Kubernetes names a resource in its messages. */
export function resourceName(p: RequiredPermission): string {
  const path = (p as PermissionRequirement).nonResourceURL;
  if (path) return path;
  const resource = p.subresource ? `${p.resource}/${p.subresource}` : p.resource;
  return p.apiGroup ? `${resource}.${p.apiGroup}` : resource;
}

/** `pods cluster-wide`, `configmaps "datadog-leader-election" in namespace datadog`: what a gap is about. */
export function accessScope(p: PermissionRequirement): string {
  if (p.nonResourceURL) return `path ${p.nonResourceURL} of the API server`;
  const name = p.objectName ? ` "${p.objectName}"` : '';
  return p.namespace ? `${resourceName(p)}${name} in namespace ${p.namespace}` : `${resourceName(p)}${name} cluster-wide`;
}

/** The refusal the component will log, worded as the API server or the kubelet words it. */
export function forbiddenMessage(requirement: PermissionRequirement, verb: string, namespace: string, serviceAccount: string): string {
  const user = `system:serviceaccount:${namespace}:${serviceAccount}`;
  if (requirement.authorizer === 'kubelet') {
    return `Forbidden (user=${user}, verb=${verb}, resource=${requirement.resource}, subresource=${requirement.subresource ?? ''})`;
  }
  // k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go words a refused path this way.
  if (requirement.nonResourceURL) return `forbidden: User "${user}" cannot ${verb} path "${requirement.nonResourceURL}"`;
  const plural = requirement.subresource ? `${requirement.resource}/${requirement.subresource}` : requirement.resource;
  const subject = requirement.apiGroup ? `${requirement.resource}.${requirement.apiGroup}` : requirement.resource;
  const name = requirement.objectName && verb !== 'create' ? ` "${requirement.objectName}"` : '';
  const scope = requirement.namespace ? `in the namespace "${requirement.namespace}"` : 'at the cluster scope';
  return `${subject}${name} is forbidden: User "${user}" cannot ${verb} resource "${plural}" in API group "${requirement.apiGroup}" ${scope}`;
}

/** A rule snippet that grants the requirement, for remediations. */
export function ruleSnippet(p: RequiredPermission): string {
  const path = (p as PermissionRequirement).nonResourceURL;
  if (path) return `{nonResourceURLs: ["${path}"], verbs: [${p.verbs.map((v) => `"${v}"`).join(', ')}]}`;
  const resource = p.subresource ? `${p.resource}/${p.subresource}` : p.resource;
  const objectName = (p as PermissionRequirement).objectName;
  const names = objectName ? `, resourceNames: ["${objectName}"]` : '';
  return `{apiGroups: ["${p.apiGroup}"], resources: ["${resource}"]${names}, verbs: [${p.verbs.map((v) => `"${v}"`).join(', ')}]}`;
}

/** A catalogue entry made concrete for one workload: its namespace, and the object names its settings choose. */
export function resolveRequirement(requirement: PermissionRequirement, workload: DatadogWorkload, world: World): PermissionRequirement {
  if (!requirement.inOwnNamespace && !requirement.objectNameFrom) return requirement;
  const out: PermissionRequirement = { ...requirement };
  if (requirement.inOwnNamespace) out.namespace = workload.namespace;
  if (requirement.objectNameFrom) {
    const main = mainContainer(workload, world);
    const set = main ? envValue(main.env.get(requirement.objectNameFrom.setting), world)?.trim() : undefined;
    out.objectName = set || requirement.objectNameFrom.fallback;
  }
  return out;
}

/** "Needed because <what turns the feature on>", for a requirement tied to features. */
export function featureReason(features: CatalogueFeatures, requirement: PermissionRequirement): string {
  if (!requirement.features?.length) return '';
  const why = featureSummary(features, requirement.features);
  return why ? `Needed because ${why}.` : '';
}

/** What the component logs when refused: the Agent's own line where the catalogue has it, else the API server's. */
export function refusalLine(requirement: PermissionRequirement, verb: string, namespace: string, serviceAccount: string): string {
  const forbidden = forbiddenMessage(requirement, verb, namespace, serviceAccount);
  if (!requirement.logLine) return forbidden;
  return requirement.logLine.replaceAll('<forbidden>', forbidden).replaceAll('<ns>', namespace);
}

/** What switches a feature on, for the rule reference. */
export const FEATURE_SETTINGS: Readonly<Record<CatalogueFeature, string>> = {
  'orchestrator-explorer': 'Orchestrator Explorer (DD_ORCHESTRATOR_EXPLORER_ENABLED, on by default)',
  'kube-state-metrics-core': 'kube-state-metrics core check configured on the Cluster Agent',
  compliance: 'compliance (DD_COMPLIANCE_CONFIG_ENABLED)',
  'kubelet-via-api-server': 'DD_KUBELET_USE_API_SERVER',
  'leader-election-configmap': 'DD_LEADER_ELECTION with DD_LEADER_ELECTION_DEFAULT_RESOURCE=configmap (or unset)',
  'leader-election-lease': 'DD_LEADER_ELECTION with DD_LEADER_ELECTION_DEFAULT_RESOURCE=lease (or unset)',
  'event-collection': 'DD_COLLECT_KUBERNETES_EVENTS',
  'admission-controller': 'DD_ADMISSION_CONTROLLER_ENABLED',
  'admission-controller-mutation': 'DD_ADMISSION_CONTROLLER_ENABLED (mutation, on unless DD_ADMISSION_CONTROLLER_MUTATION_ENABLED=false)',
  'admission-controller-validation': 'DD_ADMISSION_CONTROLLER_ENABLED (validation, on unless DD_ADMISSION_CONTROLLER_VALIDATION_ENABLED=false)',
  'external-metrics': 'DD_EXTERNAL_METRICS_PROVIDER_ENABLED',
  'datadogmetric-crd': 'DD_EXTERNAL_METRICS_PROVIDER_USE_DATADOGMETRIC_CRD',
  'wpa-controller': 'DD_EXTERNAL_METRICS_PROVIDER_WPA_CONTROLLER',
  'cluster-checks': 'DD_CLUSTER_CHECKS_ENABLED',
  'apm-instrumentation': 'DD_APM_INSTRUMENTATION_ENABLED',
  'language-detection': 'DD_LANGUAGE_DETECTION_ENABLED (with the Cluster Agent patcher, on by default)',
  'agent-leader-election-configmap': 'no Cluster Agent, DD_LEADER_ELECTION with a ConfigMap lock',
  'agent-leader-election-lease': 'no Cluster Agent, DD_LEADER_ELECTION with a Lease lock',
  'agent-event-collection': 'no Cluster Agent, DD_COLLECT_KUBERNETES_EVENTS',
  'agent-metadata-without-cluster-agent': 'no Cluster Agent (DD_KUBERNETES_COLLECT_METADATA_TAGS, on by default)',
  'eks-fargate': 'DD_EKS_FARGATE',
  'kube-state-metrics-core-on-runners': 'the Cluster Agent dispatches kubernetes_state_core to the runners',
  'kube-apiserver-metrics': 'the kube_apiserver_metrics cluster check may be dispatched to it (a cluster-checks runner, or a node Agent with DD_EXTRA_CONFIG_PROVIDERS including clusterchecks)',
};
