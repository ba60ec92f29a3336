import type { KubeObject } from './types.js';
import { isRecord } from './types.js';

/** Whom a RoleBinding or ClusterRoleBinding grants its role to. */
export interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

export function isBinding(object: KubeObject): boolean {
  return object.kind === 'RoleBinding' || object.kind === 'ClusterRoleBinding';
}

/** The role a binding grants; empty strings where the binding does not say. */
export function roleRefOf(binding: KubeObject): { kind: string; name: string } {
  const roleRef = isRecord(binding['roleRef']) ? binding['roleRef'] : {};
  return { kind: String(roleRef['kind'] ?? ''), name: String(roleRef['name'] ?? '') };
}

/**
 * The namespace a binding's grant is limited to: a RoleBinding's own (the default namespace when its manifest
 * names none), undefined for a ClusterRoleBinding, whose grant is cluster-wide.
 */
export function grantNamespaceOf(binding: KubeObject, defaultNamespace: string): string | undefined {
  return binding.kind === 'RoleBinding' ? binding.metadata?.namespace || defaultNamespace : undefined;
}

/**
 * The subjects a binding names. A RoleBinding's ServiceAccount subject without a namespace means one in the
 * binding's own namespace, so it is given that namespace here; a ClusterRoleBinding's stays without one.
 */
export function subjectsOfBinding(binding: KubeObject, defaultNamespace: string): Subject[] {
  if (!isBinding(binding)) return [];
  const subjects = Array.isArray(binding['subjects']) ? (binding['subjects'] as unknown[]) : [];
  const namespace = grantNamespaceOf(binding, defaultNamespace);
  return subjects.filter(isRecord).map((subject: Subject) =>
    subject.kind === 'ServiceAccount' && !subject.namespace && namespace ? { ...subject, namespace } : subject,
  );
}

/** Groups every ServiceAccount belongs to (Kubernetes service-account authenticator). */
export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'];
}

/**
 * Every subject through which RBAC grants to a ServiceAccount: the ServiceAccount itself, the groups the
 * authenticator puts it in, and the user name its token authenticates as.
 */
export function subjectsNamingServiceAccount(namespace: string, name: string): Subject[] {
  return [
    { kind: 'ServiceAccount', name, namespace },
    ...serviceAccountGroups(namespace).map((group) => ({ kind: 'Group', name: group })),
    { kind: 'User', name: `system:serviceaccount:${namespace}:${name}` },
  ];
}

export function subjectMatchesServiceAccount(subject: Subject, namespace: string, name: string): boolean {
  const key = subjectKey(subject);
  return key !== undefined && subjectsNamingServiceAccount(namespace, name).some((s) => subjectKey(s) === key);
}

/**
 * One string per distinct subject, for indexing bindings by whom they name: a ServiceAccount by namespace
 * and name, a Group or User by name. Undefined for a subject without a name or of another kind.
 */
export function subjectKey(subject: Subject): string | undefined {
  if (!subject.name) return undefined;
  switch (subject.kind) {
    case 'ServiceAccount': return `ServiceAccount:${subject.namespace ?? ''}/${subject.name}`;
    case 'Group':
    case 'User': return `${subject.kind}:${subject.name}`;
    default: return undefined;
  }
}
