// The kinds table is the one list: what the rules target, what the live readers list, and what has no namespace.
import t from 'tap';
import { apiVersionOf, isClusterScoped, KINDS, qualifiedResourceOf, type TargetKind } from '../../src/kube-model/kinds.js';
import { AUDITED_KINDS } from '../../src/kube-client/lister.js';
import { RULES } from '../../src/rules/index.js';

t.test('every kind a rule targets or is affected by is in the table as a rule target', async (t) => {
  const used = new Set<TargetKind>(RULES.flatMap((rule) => [...rule.targets, ...(rule.affectedBy ?? [])]));
  for (const kind of used) t.ok(KINDS[kind].ruleTarget, kind);
});

t.test('the live readers list what the table says, and only DatadogAgent may be absent', async (t) => {
  t.same(
    AUDITED_KINDS.map((k) => [k.kind, k.apiVersion, k.resource, k.namespaced, k.optional === true]),
    [
      ['ClusterRole', 'rbac.authorization.k8s.io/v1', 'clusterroles.rbac.authorization.k8s.io', false, false],
      ['ClusterRoleBinding', 'rbac.authorization.k8s.io/v1', 'clusterrolebindings.rbac.authorization.k8s.io', false, false],
      ['Role', 'rbac.authorization.k8s.io/v1', 'roles.rbac.authorization.k8s.io', true, false],
      ['RoleBinding', 'rbac.authorization.k8s.io/v1', 'rolebindings.rbac.authorization.k8s.io', true, false],
      ['ServiceAccount', 'v1', 'serviceaccounts', true, false],
      ['Deployment', 'apps/v1', 'deployments.apps', true, false],
      ['DaemonSet', 'apps/v1', 'daemonsets.apps', true, false],
      ['StatefulSet', 'apps/v1', 'statefulsets.apps', true, false],
      ['DatadogAgent', 'datadoghq.com/v2alpha1', 'datadogagents.datadoghq.com', true, true],
    ],
  );
  t.same(AUDITED_KINDS.filter((k) => k.datadogOnly).map((k) => k.kind), ['Deployment', 'DaemonSet', 'StatefulSet']);
});

t.test('cluster-scoped kinds, and the names built from the table', async (t) => {
  const cluster = Object.entries(KINDS).filter(([kind]) => isClusterScoped(kind)).map(([kind]) => kind).sort();
  t.same(cluster, ['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Namespace', 'Node']);
  t.notOk(isClusterScoped('ConfigMap'), 'a kind the table does not know is namespaced');
  t.notOk(isClusterScoped(undefined));
  t.notOk(isClusterScoped('toString'), 'not fooled by Object.prototype');
  t.equal(apiVersionOf(KINDS.Secret), 'v1');
  t.equal(qualifiedResourceOf(KINDS.CronJob), 'cronjobs.batch');
});
