// The RBAC rules at admission: a ClusterRole update that strips the Cluster Agent's pods denied
// (engine.evaluateImpact in the world as it would be after the request), and the required set extended from
// config. The official chart admitted in Helm's install order is in test/shared-corpus/rbac-install-order.
import t from 'tap';
import { Engine, DEFAULT_ENGINE_CONFIG } from '../../src/engine/engine.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import { overlayWorld } from '../../src/world/overlay.js';

const MINE = new Set(['kubelet-host-per-node', 'kubelet-host-node-name', 'hostname-per-node', 'cluster-agent-url-https', 'cluster-agent-rbac', 'agent-rbac-kubelet', 'agent-service-account-token', 'cluster-agent-probe-port']);
const engine = new Engine(RULES.filter((r) => MINE.has(r.id)));

const dca: KubeObject = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'datadog-cluster-agent', namespace: 'datadog' },
  spec: { template: { metadata: { labels: { 'agent.datadoghq.com/component': 'cluster-agent' } }, spec: {
    serviceAccountName: 'datadog-cluster-agent',
    containers: [{ name: 'cluster-agent', image: 'registry.datadoghq.com/cluster-agent:7.81.1', env: [{ name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', value: 'true' }] }],
  } } },
};
const role = (rules: unknown[]): KubeObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'datadog-cluster-agent' }, rules });
const binding: KubeObject = {
  apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'datadog-cluster-agent' },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'datadog-cluster-agent' },
  subjects: [{ kind: 'ServiceAccount', name: 'datadog-cluster-agent', namespace: 'datadog' }],
};
// What the Orchestrator Explorer needs besides pods and poddisruptionbudgets (src/datadog/catalogue-orchestrator.ts),
// in a role of its own that the updates below leave alone.
const collectors: KubeObject = role([
  { apiGroups: [''], resources: ['configmaps'], resourceNames: ['datadog-cluster-id'], verbs: ['get'] },
  { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
  { apiGroups: [''], resources: ['namespaces'], resourceNames: ['kube-system'], verbs: ['get'] },
  {
    apiGroups: ['', 'apps', 'batch', 'rbac.authorization.k8s.io', 'networking.k8s.io', 'storage.k8s.io', 'autoscaling', 'apiextensions.k8s.io'],
    resources: ['nodes', 'namespaces', 'services', 'persistentvolumes', 'persistentvolumeclaims', 'serviceaccounts', 'limitranges', 'deployments', 'replicasets', 'daemonsets', 'statefulsets', 'jobs', 'cronjobs', 'roles', 'rolebindings', 'clusterroles', 'clusterrolebindings', 'ingresses', 'networkpolicies', 'storageclasses', 'horizontalpodautoscalers', 'customresourcedefinitions'],
    verbs: ['list', 'watch'],
  },
]);
collectors.metadata = { name: 'orchestrator-collectors' };
const collectorsBinding: KubeObject = { ...binding, metadata: { name: 'orchestrator-collectors' }, roleRef: { ...(binding['roleRef'] as object), name: 'orchestrator-collectors' } };
const full = role([
  { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['list', 'watch'] },
]);

t.test('a ClusterRole update that strips pods is denied on the Cluster Agent it breaks', async (t) => {
  const base = new ManifestWorld([full, binding, collectors, collectorsBinding, dca], { defaultNamespace: 'datadog' });
  t.same(engine.evaluate(dca, base), [], 'the Cluster Agent is fine before the update');
  const stripped = role([
    { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['list', 'watch'] },
  ]);
  const after = overlayWorld(base, { operation: 'UPDATE', object: stripped, oldObject: full });
  const findings = engine.evaluateImpact([stripped, full], after);
  t.equal(findings.length, 1);
  t.equal(findings[0]?.ruleId, 'cluster-agent-rbac');
  t.equal(findings[0]?.severity, 'error');
  t.equal(findings[0]?.object.name, 'datadog-cluster-agent');
  t.equal(findings[0]?.object.kind, 'Deployment');
  t.match(findings[0]?.message, /pods is forbidden: User "system:serviceaccount:datadog:datadog-cluster-agent" cannot list resource "pods" in API group ""/);
});

t.test('an update that strips poddisruptionbudgets names the policy log line', async (t) => {
  const base = new ManifestWorld([full, binding, collectors, collectorsBinding, dca], { defaultNamespace: 'datadog' });
  const stripped = role([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
  const findings = engine.evaluateImpact([stripped, full], overlayWorld(base, { operation: 'UPDATE', object: stripped, oldObject: full }));
  t.equal(findings.length, 1);
  t.match(findings[0]?.message, /poddisruptionbudgets\.policy is forbidden: User "system:serviceaccount:datadog:datadog-cluster-agent" cannot list resource "poddisruptionbudgets" in API group "policy"/);
  t.match(findings[0]?.message, /pods\.policy is forbidden/, 'mentions the other log line a user may have seen');
  t.notMatch(findings[0]?.remediation, /resources: \["pods"\]/, 'never suggests pods in group policy');
});

t.test('an update that keeps what a second role grants is admitted', async (t) => {
  const spare = { ...role([{ apiGroups: ['', 'policy'], resources: ['pods', 'poddisruptionbudgets'], verbs: ['*'] }]), metadata: { name: 'spare' } };
  const spareBinding = { ...binding, metadata: { name: 'spare' }, roleRef: { ...(binding['roleRef'] as object), name: 'spare' } };
  const base = new ManifestWorld([full, binding, spare, spareBinding, collectors, collectorsBinding, dca], { defaultNamespace: 'datadog' });
  const stripped = role([]);
  t.same(engine.evaluateImpact([stripped, full], overlayWorld(base, { operation: 'UPDATE', object: stripped, oldObject: full })), []);
});

t.test('config extends the Cluster Agent\'s required permissions', async (t) => {
  const extended = new Engine(RULES.filter((r) => r.id === 'cluster-agent-rbac'), {
    ...DEFAULT_ENGINE_CONFIG,
    settings: { extraClusterAgentPermissions: [{ apiGroup: 'apps', resource: 'controllerrevisions', verbs: ['list', 'watch'], reason: 'our admission policy needs it' }] },
  });
  const world = new ManifestWorld([full, binding, collectors, collectorsBinding, dca], { defaultNamespace: 'datadog' });
  const findings = extended.evaluate(dca, world);
  t.equal(findings.length, 1);
  t.equal(findings[0]?.severity, 'error');
  t.match(findings[0]?.message, /controllerrevisions\.apps/);
  t.match(findings[0]?.message, /our admission policy needs it/);
  t.same(new Engine(RULES.filter((r) => r.id === 'cluster-agent-rbac')).evaluate(dca, world), [], 'not required by default');
});

t.test('a role missing from the world leaves doubt only where its binding could grant', async (t) => {
  const stripped = role([
    { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: ['list', 'watch'] },
  ]);
  const roleRef = (kind: string, name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name });
  const subjects = [{ kind: 'ServiceAccount', name: 'datadog-cluster-agent', namespace: 'datadog' }];
  // A RoleBinding in another namespace to a Role the world does not hold: it could grant only in team-x.
  const elsewhere: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'reader', namespace: 'team-x' }, roleRef: roleRef('Role', 'reader'), subjects };
  const podsGap = (objects: KubeObject[]) =>
    engine.evaluate(dca, new ManifestWorld([stripped, binding, collectors, collectorsBinding, dca, ...objects], { defaultNamespace: 'datadog' }))
      .find((f) => /cannot [a-z/]+ pods cluster-wide/.test(f.message));

  const alone = podsGap([]);
  t.equal(alone?.severity, 'error', 'without it, the pods gap is an error');
  const besideElsewhere = podsGap([elsewhere]);
  t.equal(besideElsewhere?.severity, 'error', 'a missing Role bound in team-x cannot grant pods cluster-wide: still an error');
  t.notMatch(besideElsewhere?.message ?? '', /Could not check everything/);

  // A ClusterRoleBinding to a ClusterRole the world does not hold could grant anything: a doubt, a warning.
  const unknownCluster: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'extra' }, roleRef: roleRef('ClusterRole', 'gone'), subjects };
  const besideUnknown = podsGap([elsewhere, unknownCluster]);
  t.equal(besideUnknown?.severity, 'warning');
  t.match(besideUnknown?.message ?? '', /Could not check everything: ClusterRoleBinding extra references ClusterRole gone, which is not in this manifest set, and it may grant this\./);
  t.notMatch(besideUnknown?.message ?? '', /RoleBinding reader/, 'the team-x binding is not named as a doubt');
});
