import type { KubeObject } from '../k8s/types.js';
import { isRecord } from '../k8s/types.js';
import { podTemplateOf, serviceAccountOf } from '../k8s/podTemplate.js';
import { labelSelectorMatches } from '../k8s/rbac.js';
import { serviceAccountGroups } from '../world/store.js';
import type { World } from '../world/world.js';

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

/**
 * The Datadog workloads whose permissions a change to a role, binding or ServiceAccount can alter: the
 * question behind "this ClusterRole update leaves the Cluster Agent without pods".
 */
export function impactedWorkloads(changed: readonly KubeObject[], world: World): KubeObject[] {
  const subjects = changed.flatMap((object) => subjectsTouchedBy(object, world));
  if (subjects.length === 0) return [];
  const out = new Map<string, KubeObject>();
  for (const workload of world.datadogWorkloads()) {
    const template = podTemplateOf(workload);
    if (!template) continue;
    const namespace = workload.metadata?.namespace || world.defaultNamespace;
    const account = serviceAccountOf(template.spec);
    if (subjects.some((s) => subjectCovers(s, namespace, account))) {
      out.set(`${workload.kind}/${namespace}/${workload.metadata?.name}`, workload);
    }
  }
  return [...out.values()];
}

function subjectsTouchedBy(object: KubeObject, world: World): Subject[] {
  const namespace = object.metadata?.namespace || world.defaultNamespace;
  switch (object.kind) {
    case 'ServiceAccount':
      return [{ kind: 'ServiceAccount', name: object.metadata?.name ?? '', namespace }];
    case 'ClusterRoleBinding':
    case 'RoleBinding':
      return subjectsOf(object, namespace);
    case 'ClusterRole':
      return bindingsTo('ClusterRole', rolesAggregating(object, world), world);
    case 'Role':
      return bindingsTo('Role', [object.metadata?.name ?? ''], world, namespace);
    default:
      return [];
  }
}

function subjectsOf(binding: KubeObject, namespace: string): Subject[] {
  const subjects = Array.isArray(binding['subjects']) ? (binding['subjects'] as Subject[]) : [];
  return subjects.filter(isRecord).map((s) =>
    s.kind === 'ServiceAccount' && !s.namespace && binding.kind === 'RoleBinding' ? { ...s, namespace } : s,
  );
}

/** The role's own name and the aggregated ClusterRoles that pick up its rules through their selectors. */
function rolesAggregating(role: KubeObject, world: World): string[] {
  const labels = role.metadata?.labels ?? {};
  const names = [role.metadata?.name ?? ''];
  for (const other of world.list('ClusterRole')) {
    const aggregation = isRecord(other['aggregationRule']) ? other['aggregationRule'] : undefined;
    const selectors = Array.isArray(aggregation?.['clusterRoleSelectors']) ? aggregation['clusterRoleSelectors'] : [];
    if (selectors.some((selector: unknown) => labelSelectorMatches(selector, labels))) names.push(other.metadata?.name ?? '');
  }
  return names;
}

function bindingsTo(kind: 'ClusterRole' | 'Role', names: string[], world: World, namespace?: string): Subject[] {
  const bindings = [
    ...(kind === 'ClusterRole' ? world.list('ClusterRoleBinding') : []),
    ...world.list('RoleBinding', namespace),
  ];
  return bindings.flatMap((binding) => {
    const roleRef = isRecord(binding['roleRef']) ? binding['roleRef'] : {};
    if (roleRef['kind'] !== kind || !names.includes(String(roleRef['name']))) return [];
    return subjectsOf(binding, binding.metadata?.namespace || world.defaultNamespace);
  });
}

function subjectCovers(subject: Subject, namespace: string, account: string): boolean {
  if (subject.kind === 'ServiceAccount') return subject.name === account && subject.namespace === namespace;
  if (subject.kind === 'Group') return serviceAccountGroups(namespace).includes(subject.name ?? '');
  if (subject.kind === 'User') return subject.name === `system:serviceaccount:${namespace}:${account}`;
  return false;
}
