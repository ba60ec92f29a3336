import type { KubeObject } from '../kube-model/types.js';
import { podTemplateOf, serviceAccountOf } from '../kube-model/pod-template.js';
import { clusterRolesAggregating } from '../kube-model/rbac.js';
import { roleRefOf, subjectMatchesServiceAccount, subjectsOfBinding, type Subject } from '../kube-model/rbac-bindings.js';
import type { World } from '../kube-model/world.js';

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
    if (subjects.some((s) => subjectMatchesServiceAccount(s, namespace, account))) {
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
      return subjectsOfBinding(object, world.defaultNamespace);
    case 'ClusterRole':
      return bindingsTo('ClusterRole', [object, ...clusterRolesAggregating(object, world)].map(nameOf), world);
    case 'Role':
      return bindingsTo('Role', [nameOf(object)], world, namespace);
    default:
      return [];
  }
}

function bindingsTo(kind: 'ClusterRole' | 'Role', names: string[], world: World, namespace?: string): Subject[] {
  const bindings = [
    ...(kind === 'ClusterRole' ? world.list('ClusterRoleBinding') : []),
    ...world.list('RoleBinding', namespace),
  ];
  return bindings.flatMap((binding) => {
    const roleRef = roleRefOf(binding);
    if (roleRef.kind !== kind || roleRef.name === '' || !names.includes(roleRef.name)) return [];
    return subjectsOfBinding(binding, world.defaultNamespace);
  });
}

function nameOf(object: KubeObject): string {
  return object.metadata?.name ?? '';
}
