// Whom a binding names and whether that reaches a ServiceAccount: the one answer the store's index, the
// impact search and permissionsOf share.
import t from 'tap';
import {
  grantNamespaceOf,
  roleRefOf,
  subjectMatchesServiceAccount,
  subjectsOfBinding,
  type Subject,
} from '../../src/kube-model/rbac-bindings.js';
import type { KubeObject } from '../../src/kube-model/types.js';

function binding(kind: 'RoleBinding' | 'ClusterRoleBinding', subjects: unknown[], namespace?: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name: 'b', ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'r' }, subjects,
  };
}
const bare: Subject = { kind: 'ServiceAccount', name: 'dca' };

t.test('a RoleBinding\'s ServiceAccount subject without a namespace is in the binding\'s namespace', async (t) => {
  t.same(subjectsOfBinding(binding('RoleBinding', [bare], 'datadog'), 'default'), [{ ...bare, namespace: 'datadog' }]);
  t.same(subjectsOfBinding(binding('RoleBinding', [bare]), 'ops'), [{ ...bare, namespace: 'ops' }], 'or the default one when it names none');
  t.same(subjectsOfBinding(binding('ClusterRoleBinding', [bare]), 'ops'), [bare], 'a ClusterRoleBinding\'s stays without one');
  const group = { kind: 'Group', name: 'system:serviceaccounts' };
  t.same(subjectsOfBinding(binding('RoleBinding', [group, null, 'x'], 'datadog'), 'default'), [group], 'groups untouched, non-objects dropped');
  t.same(subjectsOfBinding({ kind: 'Role', subjects: [bare] }, 'default'), [], 'only bindings name subjects');
});

t.test('a subject reaches a ServiceAccount by itself, its groups or its user name', async (t) => {
  const matches = (subject: Subject) => subjectMatchesServiceAccount(subject, 'datadog', 'dca');
  t.ok(matches({ kind: 'ServiceAccount', name: 'dca', namespace: 'datadog' }));
  t.notOk(matches({ kind: 'ServiceAccount', name: 'dca', namespace: 'other' }), 'another namespace');
  t.notOk(matches(bare), 'a ClusterRoleBinding\'s namespaceless subject names no ServiceAccount');
  for (const group of ['system:serviceaccounts', 'system:serviceaccounts:datadog', 'system:authenticated']) t.ok(matches({ kind: 'Group', name: group }), group);
  t.notOk(matches({ kind: 'Group', name: 'system:serviceaccounts:other' }));
  t.ok(matches({ kind: 'User', name: 'system:serviceaccount:datadog:dca' }));
  t.notOk(matches({ kind: 'User', name: 'dca' }));
  t.notOk(matches({ kind: 'Robot', name: 'dca' }), 'an unknown kind');
});

t.test('the role a binding grants, and where', async (t) => {
  t.same(roleRefOf(binding('RoleBinding', [], 'datadog')), { kind: 'ClusterRole', name: 'r' });
  t.same(roleRefOf({ kind: 'RoleBinding' }), { kind: '', name: '' });
  t.equal(grantNamespaceOf(binding('RoleBinding', [], 'datadog'), 'default'), 'datadog');
  t.equal(grantNamespaceOf(binding('RoleBinding', []), 'default'), 'default');
  t.equal(grantNamespaceOf(binding('ClusterRoleBinding', []), 'default'), undefined);
});
