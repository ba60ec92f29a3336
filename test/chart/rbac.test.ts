import '../support/requires-helm.js';
import t from 'tap';
import { Engine } from '../../src/engine/engine.js';
import { KINDS } from '../../src/kube-model/kinds.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import { helmTemplate } from '../support/helm.js';

interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}
interface Binding {
  kind: string;
  metadata: { name: string; namespace?: string };
  roleRef: { kind: string; name: string };
  subjects: { kind: string; name: string; namespace: string }[];
}

const READ = ['get', 'list', 'watch'];
// cert-manager TLS: RBAC does not depend on it, and the chart's own CA costs an RSA key generation per render.
const render = (values: Record<string, unknown> = {}) =>
  helmTemplate({ values: { tls: { mode: 'certManager' }, ...values }, namespace: 'guard-system', release: 'guard' });
const roles = (objects: KubeObject[]) => objects.filter((o) => o.kind === 'ClusterRole' || o.kind === 'Role');
const rulesOf = (objects: KubeObject[]) => roles(objects).flatMap((role) => (role['rules'] ?? []) as PolicyRule[]);
const bindings = (objects: KubeObject[]) => objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding') as unknown as Binding[];

/** Every (group, resource, verb) a set of roles grants, as `group/resource:verb`. */
function grants(rules: PolicyRule[]): Set<string> {
  return new Set(rules.flatMap((rule) =>
    (rule.apiGroups ?? []).flatMap((group) =>
      (rule.resources ?? []).flatMap((resource) => rule.verbs.map((verb) => `${group}/${resource}:${verb}`)))));
}

const variants: [string, KubeObject[]][] = [
  ['defaults', render()],
  ['several Datadog namespaces', render({ datadogNamespaces: ['datadog', 'monitoring'] })],
  ['cluster-wide Secrets', render({ secrets: { clusterWide: true } })],
];

t.test('no wildcard, no non-resource URL, no resourceNames loophole', async (t) => {
  for (const [label, objects] of variants) {
    for (const rule of rulesOf(objects)) {
      for (const field of ['apiGroups', 'resources', 'verbs'] as const) {
        t.notOk((rule[field] ?? []).some((v) => v.includes('*')), `${label}: no wildcard in ${field} (${JSON.stringify(rule)})`);
      }
      t.notOk(rule.nonResourceURLs, `${label}: no nonResourceURLs`);
    }
  }
});

t.test('Secrets: get only, never list or watch, and only where Datadog runs', async (t) => {
  for (const [label, objects] of variants) {
    const secretRules = rulesOf(objects).filter((rule) => (rule.resources ?? []).includes('secrets'));
    t.ok(secretRules.length > 0, `${label}: Secrets can be read`);
    for (const rule of secretRules) {
      t.same(rule.verbs, ['get'], `${label}: only get on Secrets`);
      t.same(rule.resources, ['secrets'], `${label}: the Secret rule grants nothing else`);
    }
    const all = grants(rulesOf(objects));
    t.notOk(all.has('/secrets:list') || all.has('/secrets:watch'), `${label}: no list/watch on Secrets`);
  }

  const [, perNamespace] = variants[1] ?? [];
  const secretRoles = roles(perNamespace ?? []).filter((r) => ((r['rules'] ?? []) as PolicyRule[]).some((rule) => rule.resources?.includes('secrets')));
  t.same(secretRoles.map((r) => `${r.kind} ${r.metadata?.namespace}`).sort(), ['Role datadog', 'Role monitoring'], 'a Role in each listed namespace, no ClusterRole');

  const [, clusterWide] = variants[2] ?? [];
  const wide = roles(clusterWide ?? []).filter((r) => ((r['rules'] ?? []) as PolicyRule[]).some((rule) => rule.resources?.includes('secrets')));
  t.same(wide.map((r) => r.kind), ['ClusterRole'], 'secrets.clusterWide: one ClusterRole, no Roles');
});

t.test('ConfigMaps: get only, beside the Secrets (the same reader reads both)', async (t) => {
  for (const [label, objects] of variants) {
    const configMapRules = rulesOf(objects).filter((rule) => (rule.resources ?? []).includes('configmaps'));
    t.ok(configMapRules.length > 0, `${label}: ConfigMaps can be read`);
    for (const rule of configMapRules) t.same([rule.verbs, rule.resources], [['get'], ['configmaps']], `${label}: only get on ConfigMaps`);
    const all = grants(rulesOf(objects));
    t.notOk(all.has('/configmaps:list') || all.has('/configmaps:watch'), `${label}: no list/watch on ConfigMaps`);
  }
});

t.test('reads every kind the webhook judges, and writes nothing but Events', async (t) => {
  for (const [label, objects] of variants) {
    const all = grants(rulesOf(objects));
    for (const kind of new Engine(RULES).judgedKinds().filter((k) => k !== 'Secret')) {
      const r = KINDS[kind];
      for (const verb of READ) t.ok(all.has(`${r.group}/${r.resource}:${verb}`), `${label}: ${verb} ${r.resource}.${r.group}`);
    }
    const writes = [...all].filter((grant) => !READ.includes(grant.split(':')[1] ?? ''));
    t.same(writes.sort(), ['/events:create', '/events:patch', 'events.k8s.io/events:create', 'events.k8s.io/events:patch'], `${label}: the only writes are Events`);
  }
});

t.test('every binding gives its role to ddguard\'s own ServiceAccount and nothing else', async (t) => {
  for (const [label, objects] of variants) {
    const serviceAccount = objects.find((o) => o.kind === 'ServiceAccount');
    const roleNames = new Set(roles(objects).map((r) => `${r.kind}/${r.metadata?.namespace ?? ''}/${r.metadata?.name}`));
    t.ok(bindings(objects).length >= 2, `${label}: bindings rendered`);
    for (const binding of bindings(objects)) {
      const roleNamespace = binding.roleRef.kind === 'Role' ? binding.metadata.namespace ?? '' : '';
      t.ok(roleNames.has(`${binding.roleRef.kind}/${roleNamespace}/${binding.roleRef.name}`), `${label}: ${binding.metadata.name} refers to a rendered role`);
      t.same(binding.subjects, [{ kind: 'ServiceAccount', name: serviceAccount?.metadata?.name, namespace: 'guard-system' }], `${label}: ${binding.metadata.name} subject`);
    }
  }
});

t.test('rbac.create=false renders no RBAC at all', async (t) => {
  const objects = render({ rbac: { create: false } });
  t.same(objects.filter((o) => /Role/.test(o.kind ?? '')).map((o) => o.kind), []);
});
