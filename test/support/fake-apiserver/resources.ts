// The kinds the stand-in serves, described the way discovery describes them. One table drives
// routing, discovery documents, Status messages and the test-side helpers, so they cannot disagree.

export interface ResourceDef {
  group: string; // '' is the core group, served under /api
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Field selector labels beyond metadata.name / metadata.namespace, as the real registry accepts. */
  fieldLabels?: Record<string, string>; // label -> dotted path in the object
  /** Custom resources keep kind/apiVersion on list items and return the object on delete. */
  custom?: boolean;
  /** Graceful-deletion kinds answer DELETE with the object instead of a Success Status. */
  deleteReturnsObject?: boolean;
}

const involvedObject = Object.fromEntries(
  ['kind', 'namespace', 'name', 'uid', 'apiVersion', 'resourceVersion', 'fieldPath'].map((f) => [
    `involvedObject.${f}`,
    `involvedObject.${f}`,
  ]),
);

const core = (plural: string, kind: string, extra: Partial<ResourceDef> = {}): ResourceDef => ({
  group: '',
  version: 'v1',
  plural,
  singular: kind.toLowerCase(),
  kind,
  namespaced: true,
  ...extra,
});
const grouped = (group: string, version: string, plural: string, kind: string, extra: Partial<ResourceDef> = {}) =>
  ({ ...core(plural, kind, extra), group, version }) satisfies ResourceDef;

export const RESOURCES: readonly ResourceDef[] = [
  core('namespaces', 'Namespace', { namespaced: false, shortNames: ['ns'], deleteReturnsObject: true, fieldLabels: { 'status.phase': 'status.phase' } }),
  core('secrets', 'Secret', { fieldLabels: { type: 'type' } }),
  core('serviceaccounts', 'ServiceAccount', { shortNames: ['sa'] }),
  core('configmaps', 'ConfigMap', { shortNames: ['cm'] }),
  core('services', 'Service', { shortNames: ['svc'] }),
  core('pods', 'Pod', {
    shortNames: ['po'],
    deleteReturnsObject: true,
    fieldLabels: { 'spec.nodeName': 'spec.nodeName', 'spec.serviceAccountName': 'spec.serviceAccountName', 'status.phase': 'status.phase' },
  }),
  core('events', 'Event', {
    shortNames: ['ev'],
    fieldLabels: { ...involvedObject, reason: 'reason', type: 'type', source: 'source.component', reportingComponent: 'reportingComponent' },
  }),
  grouped('apps', 'v1', 'deployments', 'Deployment', { shortNames: ['deploy'] }),
  grouped('apps', 'v1', 'daemonsets', 'DaemonSet', { shortNames: ['ds'] }),
  grouped('apps', 'v1', 'statefulsets', 'StatefulSet', { shortNames: ['sts'] }),
  grouped('apps', 'v1', 'replicasets', 'ReplicaSet', { shortNames: ['rs'] }),
  grouped('batch', 'v1', 'jobs', 'Job', { fieldLabels: { 'status.successful': 'status.succeeded' } }),
  grouped('batch', 'v1', 'cronjobs', 'CronJob', { shortNames: ['cj'] }),
  grouped('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', { namespaced: false }),
  grouped('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', { namespaced: false }),
  grouped('rbac.authorization.k8s.io', 'v1', 'roles', 'Role'),
  grouped('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding'),
  grouped('events.k8s.io', 'v1', 'events', 'Event', { shortNames: ['ev'], fieldLabels: { reason: 'reason', type: 'type' } }),
  // Discovery only, so `helm template --dry-run=server` can map every kind the ddguard chart renders.
  grouped('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', { shortNames: ['pdb'] }),
  grouped('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', { namespaced: false }),
  grouped('datadoghq.com', 'v2alpha1', 'datadogagents', 'DatadogAgent', { shortNames: ['dd'], custom: true, deleteReturnsObject: true }),
];

export const apiVersionOf = (r: { group: string; version: string }): string => (r.group ? `${r.group}/${r.version}` : r.version);

/** `secrets` or `deployments.apps`, the way the apiserver names a resource in messages. */
export const qualifiedName = (r: ResourceDef): string => (r.group ? `${r.plural}.${r.group}` : r.plural);

export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

/** Test-side lookup: `kind` alone picks the first match (core Event before events.k8s.io Event). */
export function resourceForKind(kind: string, apiVersion?: string): ResourceDef {
  const found = RESOURCES.find((r) => r.kind === kind && (apiVersion === undefined || apiVersionOf(r) === apiVersion));
  if (!found) throw new Error(`fake-apiserver does not serve kind ${apiVersion ?? '*'}/${kind}`);
  return found;
}

export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of RESOURCES) seen.set(apiVersionOf(r), { group: r.group, version: r.version });
  return [...seen.values()];
}
