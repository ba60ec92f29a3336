import type { RequiredPermission, RequirementDoc, RuleFinding } from '../engine/types.js';
import { findGrant, permissionsOf, type Permissions } from '../k8s/rbac.js';
import { serviceAccountOf } from '../k8s/podTemplate.js';
import { isRecord } from '../k8s/types.js';
import type { World } from '../world/world.js';
import { COMPONENT_NAMES, type DatadogWorkload } from './components.js';
import { envValue } from '../k8s/env.js';
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
  const missing = (p: RequiredPermission) =>
    p.verbs.filter((verb) => {
      const scoped = p as PermissionRequirement;
      const query = {
        verb,
        apiGroup: p.apiGroup,
        resource: p.resource,
        ...(p.subresource ? { subresource: p.subresource } : {}),
        ...(scoped.namespace ? { namespace: scoped.namespace } : {}),
        ...(scoped.objectName ? { name: scoped.objectName } : {}),
        ...(scoped.nonResourceURL ? { nonResourceURL: scoped.nonResourceURL } : {}),
      };
      return !findGrant(permissions, query);
    });
  const own = missing(requirement);
  if (own.length === 0) return [];
  if ((requirement.alternatives ?? []).some((alternative) => missing(alternative).length === 0)) return [];
  return own;
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

export interface PermissionCheck {
  workload: DatadogWorkload;
  world: World;
  requirements: readonly PermissionRequirement[];
  features: CatalogueFeatures;
  /** The workload is re-checked because the change under review touches its RBAC (RuleContext.impact). */
  impact?: boolean;
  /** Extra sentences for a gap (what else the user may have seen, why a feature needs it). */
  explain?: (requirement: PermissionRequirement, need: 'yes' | 'maybe') => string;
  /**
   * The workload is being created at admission: RBAC applied after it (kubectl apply in any order) may not be
   * there yet, so a gap is a warning until the world is complete; the audit and later RBAC changes judge it again.
   */
  creating?: boolean;
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

/**
 * Compares what a workload's ServiceAccount holds cluster-wide with what it needs, the way the RBAC authorizer
 * would. A gap is an error only when the world shows the whole picture: a ClusterRoleBinding for the account,
 * every bound role present, and the feature that needs the access known to run. Otherwise it is a warning that
 * says what could not be checked (the RBAC may be managed elsewhere, or not be created yet).
 */
export function judgePermissions(check: PermissionCheck): RuleFinding[] {
  const { workload, world } = check;
  const spec = workload.template.spec;
  const namespace = workload.namespace;
  const account = serviceAccountOf(spec);
  const path = workload.template.specPath + (spec.serviceAccountName ? '/serviceAccountName' : spec.serviceAccount ? '/serviceAccount' : '');
  const who = `ServiceAccount ${namespace}/${account} of the ${COMPONENT_NAMES[workload.component]}`;
  const permissions = permissionsOf(world, namespace, account);
  const gaps = check.requirements
    .map((requirement) => resolveRequirement(requirement, workload, world))
    .map((requirement) => ({ requirement, need: isRequired(requirement, check.features) }))
    .filter((g): g is { requirement: PermissionRequirement; need: 'yes' | 'maybe' } => g.need !== 'no')
    .map((g) => ({ ...g, verbs: missingVerbs(permissions, g.requirement) }))
    .filter((g) => g.verbs.length > 0);
  if (gaps.length === 0) return [];

  const bindings = world.bindingsForServiceAccount(namespace, account);
  const hasClusterBinding = bindings.some((b) => b.kind === 'ClusterRoleBinding');
  // Nothing visible could grant these: the RBAC may be managed elsewhere or not be created yet.
  const unverifiable = gaps.filter((g) => bindings.length === 0 || (!g.requirement.namespace && !hasClusterBinding));
  const findings: RuleFinding[] = [];
  if (unverifiable.length > 0 && check.impact && world.source === 'cluster') {
    // The workload is deployed and this change is what leaves it unbound: a real break, not a guess. One finding
    // per access, so a change is blamed only for the accesses it removes (engine.evaluateImpact compares them).
    for (const gap of unverifiable) {
      findings.push({
        message:
          `After this change nothing binds ${who} to ${gap.verbs.join('/')} ${accessScope(gap.requirement)}; ${gap.requirement.reason}. ` +
          `It will log \`${refusalLine(gap.requirement, pickVerb(gap.verbs), namespace, account)}\`.`,
        path,
        remediation: `Keep ServiceAccount ${namespace}/${account} bound (a ClusterRoleBinding for cluster-wide access) to roles granting ${ruleSnippet(gap.requirement)}.`,
        ...(gap.requirement.advisory || gap.need === 'maybe' ? { downgrade: 'warning' as const } : {}),
      });
    }
  } else if (unverifiable.length > 0) {
    const where = world.source === 'manifests' ? 'in this manifest set' : 'in the cluster yet';
    const kinds = bindings.length === 0 ? 'no RoleBinding or ClusterRoleBinding' : 'no ClusterRoleBinding';
    const list = unverifiable.map((g) => `${g.verbs.join('/')} ${accessScope(g.requirement)}`).join(', ');
    const namespaceless = namespacelessSubjects(world, account);
    const first = unverifiable[0]!;
    findings.push({
      message:
        `Could not check the permissions of ${who}: ${kinds} ${where} binds it` +
        (namespaceless.length ? ` (${namespaceless.join(', ')} name${namespaceless.length > 1 ? '' : 's'} a ServiceAccount "${account}" without a namespace, which Kubernetes rejects for a ClusterRoleBinding)` : '') +
        `, so nothing visible grants ${list}. The RBAC may be managed elsewhere; if it is missing, the ${COMPONENT_NAMES[workload.component]} will log \`${forbiddenMessage(first.requirement, pickVerb(first.verbs), namespace, account)}\`.`,
      path,
      downgrade: 'warning',
      remediation: `Make sure ServiceAccount ${namespace}/${account} is bound (a ClusterRoleBinding for cluster-wide access) to roles granting ${unverifiable.map((g) => ruleSnippet(g.requirement)).join(', ')}.`,
    });
  }

  const roles = [...new Set(permissions.grants.map((g) => `${g.role.kind} ${g.role.name}`))];
  const missingRoles = permissions.missingRoles.map((m) => `${m.binding.kind} ${m.binding.name} references ${m.roleRef.kind} ${m.roleRef.name}, which is not ${world.source === 'manifests' ? 'in this manifest set' : 'in the cluster'}`);
  for (const { requirement, need, verbs } of gaps.filter((g) => !unverifiable.includes(g))) {
    const doubts: string[] = [];
    if (missingRoles.length) doubts.push(`Could not check everything: ${missingRoles.join('; ')}, and it may grant this.`);
    if (need === 'maybe') doubts.push('Could not tell for sure that the feature needing it runs on this component.');
    if (check.creating && !check.impact) doubts.push('It is being created now, so its RBAC may simply not be applied yet.');
    const binder = requirement.namespace
      ? `a Role or ClusterRole bound to ServiceAccount ${namespace}/${account} by a RoleBinding in namespace ${requirement.namespace} (or a ClusterRoleBinding)`
      : `a ClusterRole bound to ServiceAccount ${namespace}/${account} by a ClusterRoleBinding`;
    const finding: RuleFinding = {
      message:
        `${who} cannot ${verbs.join('/')} ${accessScope(requirement)}: ` +
        `${roles.length ? `none of its roles (${roles.join(', ')}) grants it` : 'none of its bindings grants anything'}; ${requirement.reason}. ` +
        `It will log \`${refusalLine(requirement, pickVerb(verbs), namespace, account)}\`.` +
        prefixSpace(check.explain?.(requirement, need)) +
        (doubts.length ? ` ${doubts.join(' ')}` : ''),
      path,
      remediation: `Add ${ruleSnippet(requirement)} to ${binder}${requirement.alternatives?.length ? `, or ${requirement.alternatives.map(ruleSnippet).join(', ')}` : ''}.`,
    };
    if (doubts.length || requirement.advisory) finding.downgrade = 'warning';
    findings.push(finding);
  }
  return findings;
}

function prefixSpace(text: string | undefined): string {
  return text ? ` ${text}` : '';
}

// The verb a user most likely saw refused: informers list first, then watch.
function pickVerb(verbs: readonly string[]): string {
  return ['list', 'get', 'watch'].find((v) => verbs.includes(v)) ?? verbs[0] ?? 'get';
}

function namespacelessSubjects(world: World, account: string): string[] {
  return world.list('ClusterRoleBinding').filter((binding) => {
    const subjects = Array.isArray(binding['subjects']) ? binding['subjects'] : [];
    return subjects.some((s: unknown) => isRecord(s) && s['kind'] === 'ServiceAccount' && s['name'] === account && !s['namespace']);
  }).map((binding) => `ClusterRoleBinding ${binding.metadata?.name ?? ''}`);
}

/** What switches a feature on, for the rule reference. */
const FEATURE_SETTINGS: Readonly<Record<CatalogueFeature, string>> = {
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

/** The catalogue as the rule reference lists it, with `<ns>`/`<sa>` for the component's namespace and account. */
export function requirementDocs(requirements: readonly PermissionRequirement[]): RequirementDoc[] {
  return requirements.map((entry) => {
    const access: PermissionRequirement = { ...entry };
    if (entry.inOwnNamespace) access.namespace = '<ns>';
    if (entry.objectNameFrom) access.objectName = entry.objectNameFrom.fallback;
    const when = [
      ...(entry.features ?? []).map((f) => FEATURE_SETTINGS[f]),
      ...(entry.unlessFeatures ?? []).map((f) => `not with ${FEATURE_SETTINGS[f]}`),
    ];
    const name = entry.objectNameFrom ? ` (name from ${entry.objectNameFrom.setting})` : '';
    const or = entry.alternatives?.length ? ` (or ${entry.alternatives.map((a) => `${a.verbs.join('/')} ${resourceName(a)}`).join(', ')})` : '';
    return {
      access: `${entry.verbs.join('/')} ${accessScope(access)}${name}${or}`,
      neededWhen: when.length ? when.join('; ') : 'always',
      severity: entry.advisory ? 'warning' : 'error',
      reason: entry.reason,
      logLine: refusalLine(access, pickVerb(entry.verbs), '<ns>', '<sa>'),
    };
  });
}
