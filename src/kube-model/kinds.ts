/**
 * The kinds ddguard knows and where each lives in the Kubernetes API: the one table behind the rules' target
 * kinds, the webhook configuration and the RBAC the Helm chart grants (test/chart compares them to it), the
 * live cluster's readers, and which objects are cluster-scoped (no namespace in a key or a finding).
 */
export interface KindInfo {
  /** API group; `''` is the core group. */
  group: string;
  version: string;
  /** Plural resource name as it appears in URLs, RBAC rules and webhook rules. */
  resource: string;
  scope: 'Namespaced' | 'Cluster';
  /** Whether a rule may judge objects of this kind (a `TargetKind`); the others are only placed by scope. */
  ruleTarget: boolean;
  /** A CRD a cluster may not have installed (DatadogAgent without the Operator): absent means none, not an error. */
  optionalCrd?: true;
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

const KIND_TABLE = {
  Secret: { group: '', version: 'v1', resource: 'secrets', scope: 'Namespaced', ruleTarget: true },
  Pod: { group: '', version: 'v1', resource: 'pods', scope: 'Namespaced', ruleTarget: true },
  ServiceAccount: { group: '', version: 'v1', resource: 'serviceaccounts', scope: 'Namespaced', ruleTarget: true },
  Deployment: { group: 'apps', version: 'v1', resource: 'deployments', scope: 'Namespaced', ruleTarget: true },
  DaemonSet: { group: 'apps', version: 'v1', resource: 'daemonsets', scope: 'Namespaced', ruleTarget: true },
  StatefulSet: { group: 'apps', version: 'v1', resource: 'statefulsets', scope: 'Namespaced', ruleTarget: true },
  ReplicaSet: { group: 'apps', version: 'v1', resource: 'replicasets', scope: 'Namespaced', ruleTarget: true },
  Job: { group: 'batch', version: 'v1', resource: 'jobs', scope: 'Namespaced', ruleTarget: true },
  CronJob: { group: 'batch', version: 'v1', resource: 'cronjobs', scope: 'Namespaced', ruleTarget: true },
  ClusterRole: { group: RBAC_GROUP, version: 'v1', resource: 'clusterroles', scope: 'Cluster', ruleTarget: true },
  ClusterRoleBinding: { group: RBAC_GROUP, version: 'v1', resource: 'clusterrolebindings', scope: 'Cluster', ruleTarget: true },
  Role: { group: RBAC_GROUP, version: 'v1', resource: 'roles', scope: 'Namespaced', ruleTarget: true },
  RoleBinding: { group: RBAC_GROUP, version: 'v1', resource: 'rolebindings', scope: 'Namespaced', ruleTarget: true },
  DatadogAgent: {
    group: 'datadoghq.com', version: 'v2alpha1', resource: 'datadogagents', scope: 'Namespaced', ruleTarget: true, optionalCrd: true,
  },
  // Cluster-scoped kinds a manifest set may hold beside Datadog's: no rule judges them, but their keys and
  // findings' references must carry no namespace.
  Namespace: { group: '', version: 'v1', resource: 'namespaces', scope: 'Cluster', ruleTarget: false },
  Node: { group: '', version: 'v1', resource: 'nodes', scope: 'Cluster', ruleTarget: false },
  CustomResourceDefinition: {
    group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', scope: 'Cluster', ruleTarget: false,
  },
} as const satisfies Record<string, KindInfo>;

export type KnownKind = keyof typeof KIND_TABLE;

/** Kinds a rule can target, by their `kind` field. */
export type TargetKind = {
  [K in KnownKind]: (typeof KIND_TABLE)[K]['ruleTarget'] extends true ? K : never;
}[KnownKind];

export const KINDS: Readonly<Record<KnownKind, Readonly<KindInfo>>> = KIND_TABLE;

export function isKnownKind(kind: string | undefined): kind is KnownKind {
  return kind !== undefined && Object.prototype.hasOwnProperty.call(KINDS, kind);
}

export function isClusterScoped(kind: string | undefined): boolean {
  return isKnownKind(kind) && KINDS[kind].scope === 'Cluster';
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(info: Pick<KindInfo, 'group' | 'version'>): string {
  return info.group ? `${info.group}/${info.version}` : info.version;
}

/** The resource with its group, as messages and `kubectl` name it: `clusterroles.rbac.authorization.k8s.io`. */
export function qualifiedResourceOf(info: Pick<KindInfo, 'group' | 'resource'>): string {
  return info.group ? `${info.resource}.${info.group}` : info.resource;
}
