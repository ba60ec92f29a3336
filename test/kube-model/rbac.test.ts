// Table tests for the RBAC authorizer model: what a ServiceAccount may do, judged as Kubernetes judges it.
import t from 'tap';
import { findGrant, permissionsOf, type AccessQuery, type PolicyRule } from '../../src/kube-model/rbac.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';

const NS = 'datadog';
const SA = 'datadog-cluster-agent';

function clusterRole(name: string, rules: PolicyRule[], labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, ...(labels ? { labels } : {}) }, rules };
}
function role(name: string, namespace: string, rules: PolicyRule[]): KubeObject {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name, namespace }, rules };
}
type Subject = { kind: string; name: string; namespace?: string };
const saSubject: Subject = { kind: 'ServiceAccount', name: SA, namespace: NS };
function clusterBinding(roleName: string, subjects: Subject[] = [saSubject]): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `bind-${roleName}` },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName }, subjects,
  };
}
function roleBinding(namespace: string, roleKind: 'Role' | 'ClusterRole', roleName: string, subjects: Subject[] = [saSubject]): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: `bind-${roleName}`, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: roleName }, subjects,
  };
}

const listPods: AccessQuery = { verb: 'list', apiGroup: '', resource: 'pods' };
const watchPods: AccessQuery = { verb: 'watch', apiGroup: '', resource: 'pods' };
const getPod: AccessQuery = { verb: 'get', apiGroup: '', resource: 'pods', namespace: NS, name: 'dca-0' };
const listPdb: AccessQuery = { verb: 'list', apiGroup: 'policy', resource: 'poddisruptionbudgets' };
const nodeProxy: AccessQuery = { verb: 'get', apiGroup: '', resource: 'nodes', subresource: 'proxy' };
const nodeStats: AccessQuery = { verb: 'get', apiGroup: '', resource: 'nodes', subresource: 'stats' };

interface Case {
  name: string;
  objects: KubeObject[];
  query: AccessQuery;
  allowed: boolean;
}

const podsRule: PolicyRule = { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] };

const cases: Case[] = [
  { name: 'a bound ClusterRole grants list pods cluster-wide', objects: [clusterRole('r', [podsRule]), clusterBinding('r')], query: listPods, allowed: true },
  { name: 'nothing bound grants nothing', objects: [clusterRole('r', [podsRule])], query: listPods, allowed: false },
  { name: 'a verb not listed is refused', objects: [clusterRole('r', [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }]), clusterBinding('r')], query: listPods, allowed: false },
  // Wildcards.
  { name: '"*" verbs', objects: [clusterRole('r', [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }]), clusterBinding('r')], query: watchPods, allowed: true },
  { name: '"*" apiGroups', objects: [clusterRole('r', [{ apiGroups: ['*'], resources: ['poddisruptionbudgets'], verbs: ['list'] }]), clusterBinding('r')], query: listPdb, allowed: true },
  { name: '"*" resources', objects: [clusterRole('r', [{ apiGroups: [''], resources: ['*'], verbs: ['list'] }]), clusterBinding('r')], query: listPods, allowed: true },
  { name: '"*" resources include subresources', objects: [clusterRole('r', [{ apiGroups: [''], resources: ['*'], verbs: ['get'] }]), clusterBinding('r')], query: nodeProxy, allowed: true },
  { name: 'the wrong group does not match', objects: [clusterRole('r', [{ apiGroups: ['apps'], resources: ['pods'], verbs: ['list'] }]), clusterBinding('r')], query: listPods, allowed: false },
  { name: 'pods in group policy is not poddisruptionbudgets', objects: [clusterRole('r', [{ apiGroups: ['policy'], resources: ['pods'], verbs: ['list'] }]), clusterBinding('r')], query: listPdb, allowed: false },
  // resourceNames narrow a rule and never grant list or watch.
  { name: 'resourceNames never grant list', objects: [clusterRole('r', [{ ...podsRule, resourceNames: ['dca-0'] }]), clusterBinding('r')], query: listPods, allowed: false },
  { name: 'resourceNames never grant watch', objects: [clusterRole('r', [{ ...podsRule, resourceNames: ['dca-0'] }]), clusterBinding('r')], query: watchPods, allowed: false },
  { name: 'resourceNames grant get of the named object', objects: [clusterRole('r', [{ ...podsRule, resourceNames: ['dca-0'] }]), clusterBinding('r')], query: getPod, allowed: true },
  { name: 'resourceNames refuse another name', objects: [clusterRole('r', [{ ...podsRule, resourceNames: ['dca-1'] }]), clusterBinding('r')], query: getPod, allowed: false },
  // Subresources.
  { name: 'nodes does not grant nodes/proxy', objects: [clusterRole('r', [{ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }]), clusterBinding('r')], query: nodeProxy, allowed: false },
  { name: 'nodes/proxy grants nodes/proxy', objects: [clusterRole('r', [{ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] }]), clusterBinding('r')], query: nodeProxy, allowed: true },
  { name: 'nodes/proxy does not grant nodes/stats', objects: [clusterRole('r', [{ apiGroups: [''], resources: ['nodes/proxy'], verbs: ['get'] }]), clusterBinding('r')], query: nodeStats, allowed: false },
  { name: '"*/proxy" grants the proxy subresource of nodes', objects: [clusterRole('r', [{ apiGroups: [''], resources: ['*/proxy'], verbs: ['get'] }]), clusterBinding('r')], query: nodeProxy, allowed: true },
  { name: '"*/proxy" does not grant nodes/stats', objects: [clusterRole('r', [{ apiGroups: [''], resources: ['*/proxy'], verbs: ['get'] }]), clusterBinding('r')], query: nodeStats, allowed: false },
  { name: '"*/proxy" does not grant the resource itself', objects: [clusterRole('r', [{ apiGroups: [''], resources: ['*/proxy'], verbs: ['list'] }]), clusterBinding('r')], query: listPods, allowed: false },
  // Aggregated ClusterRoles are filled from the roles their selectors pick.
  {
    name: 'an aggregated ClusterRole grants the rules of the labelled roles it selects',
    objects: [
      { ...clusterRole('agg', []), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate-to-dd': 'true' } }] } },
      clusterRole('piece', [podsRule], { 'example.com/aggregate-to-dd': 'true' }),
      clusterBinding('agg'),
    ],
    query: listPods,
    allowed: true,
  },
  {
    name: 'an aggregated ClusterRole ignores roles without the label',
    objects: [
      { ...clusterRole('agg', []), aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'example.com/aggregate-to-dd': 'true' } }] } },
      clusterRole('piece', [podsRule], { 'example.com/aggregate-to-dd': 'false' }),
      clusterBinding('agg'),
    ],
    query: listPods,
    allowed: false,
  },
  {
    name: 'aggregation by matchExpressions',
    objects: [
      { ...clusterRole('agg', []), aggregationRule: { clusterRoleSelectors: [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['monitoring'] }] }] } },
      clusterRole('piece', [podsRule], { tier: 'monitoring' }),
      clusterBinding('agg'),
    ],
    query: listPods,
    allowed: true,
  },
  // A permission split across two roles: each verb from a different role.
  {
    name: 'list from one role, watch from another: list allowed',
    objects: [
      clusterRole('a', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]),
      clusterRole('b', [{ apiGroups: [''], resources: ['pods'], verbs: ['watch'] }]),
      clusterBinding('a'),
      clusterBinding('b'),
    ],
    query: listPods,
    allowed: true,
  },
  {
    name: 'list from one role, watch from another: watch allowed',
    objects: [
      clusterRole('a', [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }]),
      clusterRole('b', [{ apiGroups: [''], resources: ['pods'], verbs: ['watch'] }]),
      clusterBinding('a'),
      clusterBinding('b'),
    ],
    query: watchPods,
    allowed: true,
  },
  // RoleBindings grant only in their namespace.
  { name: 'a RoleBinding to a ClusterRole does not grant cluster-wide list', objects: [clusterRole('r', [podsRule]), roleBinding(NS, 'ClusterRole', 'r')], query: listPods, allowed: false },
  { name: 'a RoleBinding to a ClusterRole grants in its namespace', objects: [clusterRole('r', [podsRule]), roleBinding(NS, 'ClusterRole', 'r')], query: { ...listPods, namespace: NS }, allowed: true },
  { name: 'a RoleBinding does not grant in another namespace', objects: [clusterRole('r', [podsRule]), roleBinding('other', 'ClusterRole', 'r')], query: { ...listPods, namespace: NS }, allowed: false },
  { name: 'a RoleBinding to a Role grants in its namespace', objects: [role('r', NS, [podsRule]), roleBinding(NS, 'Role', 'r')], query: { ...listPods, namespace: NS }, allowed: true },
  { name: 'a RoleBinding cannot use a Role of another namespace', objects: [role('r', 'other', [podsRule]), roleBinding(NS, 'Role', 'r')], query: { ...listPods, namespace: NS }, allowed: false },
  {
    name: 'a RoleBinding subject without a namespace is the binding\'s namespace',
    objects: [role('r', NS, [podsRule]), roleBinding(NS, 'Role', 'r', [{ kind: 'ServiceAccount', name: SA }])],
    query: { ...listPods, namespace: NS },
    allowed: true,
  },
  // Group and User subjects.
  { name: 'Group system:serviceaccounts covers every ServiceAccount', objects: [clusterRole('r', [podsRule]), clusterBinding('r', [{ kind: 'Group', name: 'system:serviceaccounts' }])], query: listPods, allowed: true },
  { name: 'Group system:serviceaccounts:<ns> covers the namespace', objects: [clusterRole('r', [podsRule]), clusterBinding('r', [{ kind: 'Group', name: `system:serviceaccounts:${NS}` }])], query: listPods, allowed: true },
  { name: 'Group system:serviceaccounts:<other ns> does not', objects: [clusterRole('r', [podsRule]), clusterBinding('r', [{ kind: 'Group', name: 'system:serviceaccounts:kube-system' }])], query: listPods, allowed: false },
  { name: 'Group system:authenticated covers ServiceAccounts', objects: [clusterRole('r', [podsRule]), clusterBinding('r', [{ kind: 'Group', name: 'system:authenticated' }])], query: listPods, allowed: true },
  { name: 'User system:serviceaccount:<ns>:<name> is the ServiceAccount', objects: [clusterRole('r', [podsRule]), clusterBinding('r', [{ kind: 'User', name: `system:serviceaccount:${NS}:${SA}` }])], query: listPods, allowed: true },
  { name: 'a ServiceAccount of the same name in another namespace is someone else', objects: [clusterRole('r', [podsRule]), clusterBinding('r', [{ kind: 'ServiceAccount', name: SA, namespace: 'default' }])], query: listPods, allowed: false },
  { name: 'a binding to a role missing from the world grants nothing', objects: [clusterBinding('gone')], query: listPods, allowed: false },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const world = new ManifestWorld(c.objects, { defaultNamespace: NS });
    const permissions = permissionsOf(world, NS, SA);
    t.equal(findGrant(permissions, c.query) !== undefined, c.allowed, c.allowed ? 'allowed' : 'refused');
  });
}

t.test('a binding whose role is missing is reported, not silently ignored', async (t) => {
  const world = new ManifestWorld([clusterBinding('gone'), clusterRole('r', [podsRule]), clusterBinding('r')], { defaultNamespace: NS });
  const permissions = permissionsOf(world, NS, SA);
  t.same(permissions.missingRoles.map((m) => m.roleRef), [{ kind: 'ClusterRole', name: 'gone' }]);
  t.ok(findGrant(permissions, listPods), 'the roles that are there still grant');
});

t.test('the grant names the role and binding it came through', async (t) => {
  const world = new ManifestWorld([clusterRole('r', [podsRule]), clusterBinding('r')], { defaultNamespace: NS });
  const grant = findGrant(permissionsOf(world, NS, SA), listPods);
  t.equal(grant?.role.name, 'r');
  t.equal(grant?.binding.name, 'bind-r');
  t.equal(grant?.namespace, undefined, 'a ClusterRoleBinding grant is cluster-wide');
});
