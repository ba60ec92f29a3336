// Table tests for the required-permission data and how a gap is judged.
import t from 'tap';
import { CLUSTER_AGENT_PERMISSIONS, forbiddenMessage, isRequired, missingVerbs, NODE_AGENT_KUBELET_PERMISSIONS, resourceName, type PermissionRequirement } from '../../src/datadog/permissions.js';
import type { Feature, FeatureState } from '../../src/datadog/features.js';
import type { Permissions, PolicyRule } from '../../src/kube-model/rbac.js';

const features = (entries: [Feature, FeatureState['runs']][]) => new Map(entries.map(([f, runs]) => [f, { runs, evidence: '' }]));
const grants = (...rules: PolicyRule[]): Permissions => ({
  grants: rules.map((rule) => ({ rule, role: { apiVersion: '', kind: 'ClusterRole', name: 'r' }, binding: { apiVersion: '', kind: 'ClusterRoleBinding', name: 'b' } })),
  missingRoles: [],
});
const pdb = CLUSTER_AGENT_PERMISSIONS.find((p) => p.resource === 'poddisruptionbudgets')!;
const pods = CLUSTER_AGENT_PERMISSIONS.find((p) => p.resource === 'pods')!;
const proxy = NODE_AGENT_KUBELET_PERMISSIONS.find((p) => p.subresource === 'proxy')!;

t.test('the data never demands pods in group policy', async (t) => {
  for (const p of [...CLUSTER_AGENT_PERMISSIONS, ...NODE_AGENT_KUBELET_PERMISSIONS]) {
    t.notOk(p.apiGroup === 'policy' && p.resource === 'pods', resourceName(p));
  }
  t.same(pods.verbs, ['get', 'list', 'watch']);
  t.same(pdb.verbs, ['list', 'watch']);
});

t.test('isRequired', async (t) => {
  const cases: [string, PermissionRequirement, Map<Feature, FeatureState>, string][] = [
    ['pods always', pods, features([]), 'yes'],
    ['pdb with no feature on', pdb, features([]), 'no'],
    ['pdb with the Orchestrator Explorer on', pdb, features([['orchestrator-explorer', 'yes']]), 'yes'],
    ['pdb with KSM core maybe', pdb, features([['kube-state-metrics-core', 'maybe']]), 'maybe'],
    ['pdb: one certain feature beats a maybe', pdb, features([['kube-state-metrics-core', 'maybe'], ['compliance', 'yes']]), 'yes'],
    ['nodes/proxy normally', proxy, features([]), 'yes'],
    ['nodes/proxy with the kubelet via the API server', proxy, features([['kubelet-via-api-server', 'yes']]), 'no'],
    ['nodes/proxy when that cannot be read', proxy, features([['kubelet-via-api-server', 'maybe']]), 'maybe'],
  ];
  for (const [name, requirement, f, expected] of cases) t.equal(isRequired(requirement, f), expected, name);
});

t.test('missingVerbs', async (t) => {
  t.same(missingVerbs(grants({ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }), pods), ['watch']);
  t.same(missingVerbs(grants({ apiGroups: [''], resources: ['pods'], verbs: ['*'] }), pods), []);
  t.same(missingVerbs(grants({ apiGroups: ['policy'], resources: ['pods'], verbs: ['list', 'watch'] }), pdb), ['list', 'watch']);
  t.same(missingVerbs(grants({ apiGroups: [''], resources: ['nodes/pods'], verbs: ['get'] }), proxy), [], 'nodes/pods is an accepted alternative');
  t.same(missingVerbs(grants({ apiGroups: [''], resources: ['nodes'], verbs: ['get'] }), proxy), ['get'], 'nodes is not nodes/proxy');
});

t.test('forbiddenMessage words refusals as Kubernetes does', async (t) => {
  t.equal(forbiddenMessage(pods, 'list', 'default', 'datadog-cluster-agent'), 'pods is forbidden: User "system:serviceaccount:default:datadog-cluster-agent" cannot list resource "pods" in API group "" at the cluster scope');
  t.equal(forbiddenMessage(pdb, 'list', 'default', 'datadog-cluster-agent'), 'poddisruptionbudgets.policy is forbidden: User "system:serviceaccount:default:datadog-cluster-agent" cannot list resource "poddisruptionbudgets" in API group "policy" at the cluster scope');
  t.equal(forbiddenMessage(proxy, 'get', 'datadog', 'datadog'), 'Forbidden (user=system:serviceaccount:datadog:datadog, verb=get, resource=nodes, subresource=proxy)');
});

t.test('a namespaced, named access is judged in its namespace', async (t) => {
  const lock: PermissionRequirement = { apiGroup: '', resource: 'configmaps', verbs: ['get', 'update'], namespace: 'datadog', objectName: 'lock', reason: 'leader election' };
  const inNamespace = (rule: PolicyRule, namespace?: string): Permissions => ({
    grants: [{ rule, role: { apiVersion: '', kind: 'Role', name: 'r' }, binding: { apiVersion: '', kind: 'RoleBinding', name: 'b' }, ...(namespace ? { namespace } : {}) }],
    missingRoles: [],
  });
  t.same(missingVerbs(inNamespace({ apiGroups: [''], resources: ['configmaps'], resourceNames: ['lock'], verbs: ['get', 'update'] }, 'datadog'), lock), [], 'resourceNames grant the named object');
  t.same(missingVerbs(inNamespace({ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'update'] }, 'other'), lock), ['get', 'update'], 'another namespace grants nothing');
  t.same(missingVerbs(inNamespace({ apiGroups: [''], resources: ['configmaps'], resourceNames: ['other'], verbs: ['*'] }, 'datadog'), lock), ['get', 'update']);
  t.equal(forbiddenMessage(lock, 'get', 'datadog', 'dca'), 'configmaps "lock" is forbidden: User "system:serviceaccount:datadog:dca" cannot get resource "configmaps" in API group "" in the namespace "datadog"');
});
