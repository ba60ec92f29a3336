import type { Rule, TargetKind } from '../engine/types.js';

/**
 * Where each kind ddguard judges lives in the Kubernetes API. The one map behind the webhook configuration
 * (the Helm chart's rules are tested against it), the RBAC the chart grants, and the live cluster's caches.
 */
export interface ApiResource {
  kind: TargetKind;
  /** API group; `''` is the core group. */
  group: string;
  version: string;
  /** Plural resource name as it appears in URLs, RBAC rules and webhook rules. */
  resource: string;
  scope: 'Namespaced' | 'Cluster';
}

export const API_RESOURCES: Readonly<Record<TargetKind, ApiResource>> = Object.freeze({
  Secret: { kind: 'Secret', group: '', version: 'v1', resource: 'secrets', scope: 'Namespaced' },
  Pod: { kind: 'Pod', group: '', version: 'v1', resource: 'pods', scope: 'Namespaced' },
  ServiceAccount: { kind: 'ServiceAccount', group: '', version: 'v1', resource: 'serviceaccounts', scope: 'Namespaced' },
  Deployment: { kind: 'Deployment', group: 'apps', version: 'v1', resource: 'deployments', scope: 'Namespaced' },
  DaemonSet: { kind: 'DaemonSet', group: 'apps', version: 'v1', resource: 'daemonsets', scope: 'Namespaced' },
  StatefulSet: { kind: 'StatefulSet', group: 'apps', version: 'v1', resource: 'statefulsets', scope: 'Namespaced' },
  ReplicaSet: { kind: 'ReplicaSet', group: 'apps', version: 'v1', resource: 'replicasets', scope: 'Namespaced' },
  Job: { kind: 'Job', group: 'batch', version: 'v1', resource: 'jobs', scope: 'Namespaced' },
  CronJob: { kind: 'CronJob', group: 'batch', version: 'v1', resource: 'cronjobs', scope: 'Namespaced' },
  ClusterRole: {
    kind: 'ClusterRole', group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', scope: 'Cluster',
  },
  ClusterRoleBinding: {
    kind: 'ClusterRoleBinding', group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings',
    scope: 'Cluster',
  },
  Role: { kind: 'Role', group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', scope: 'Namespaced' },
  RoleBinding: {
    kind: 'RoleBinding', group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', scope: 'Namespaced',
  },
  DatadogAgent: {
    kind: 'DatadogAgent', group: 'datadoghq.com', version: 'v2alpha1', resource: 'datadogagents', scope: 'Namespaced',
  },
});

export function apiResourceOf(kind: TargetKind): ApiResource {
  return API_RESOURCES[kind];
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(resource: ApiResource): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

export const ADMISSION_OPERATIONS = ['CREATE', 'UPDATE', 'DELETE'] as const;
export type AdmissionOperation = (typeof ADMISSION_OPERATIONS)[number];

export interface AdmissionScope {
  kind: TargetKind;
  operations: readonly AdmissionOperation[];
}

/**
 * What the webhook must be sent, per kind: every judged kind on CREATE and UPDATE, plus DELETE for the kinds
 * whose removal can break a Datadog workload elsewhere (a rule's `affectedBy`: roles, bindings,
 * ServiceAccounts). `judgedKinds` is `Engine#judgedKinds()`, so rules switched off by config drop out.
 */
export function admissionScope(judgedKinds: readonly TargetKind[], rules: readonly Rule[]): AdmissionScope[] {
  const deletable = new Set(rules.flatMap((rule) => rule.affectedBy ?? []));
  return [...new Set(judgedKinds)].sort().map((kind) => ({
    kind,
    operations: deletable.has(kind) ? ['CREATE', 'UPDATE', 'DELETE'] : ['CREATE', 'UPDATE'],
  }));
}
