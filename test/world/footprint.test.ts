// The live world on a cluster of a few hundred Deployments (the scale benchmark's shape, small): every list
// is paged, only Datadog's workloads reach the cache (trimmed), watches resume from a resourceVersion with
// bookmarks, and a 410 Gone forces a relist that catches up with what changed meanwhile.
import t from 'tap';
import { startFakeApiServer, type ObjectInput } from '../support/fake-apiserver.js';
import { LiveWorldProvider } from '../../src/world/live.js';
import { asDatadogWorkload } from '../../src/datadog/components.js';
import { AUDITED_KINDS, listPages } from '../../src/kube-client/lister.js';
import { Reflector } from '../../src/kube-client/reflector.js';
import type { KubeObject } from '../../src/kube-model/types.js';

const PAGE = 50;
const OTHER_DEPLOYMENTS = 300;
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

const deployment = (name: string, namespace: string, datadog = false): ObjectInput => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name, namespace, annotations: { [LAST_APPLIED]: '{"a":"' + 'x'.repeat(2000) + '"}', team: 'shop' } },
  spec: {
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name, ...(datadog ? { 'agent.datadoghq.com/component': 'cluster-agent' } : {}) } },
      spec: { containers: [{ name: 'main', image: datadog ? 'registry.datadoghq.com/cluster-agent:7.81.1' : 'nginx:1.27', env: [{ name: 'A', value: '1' }] }] },
    },
  },
  status: { replicas: 1 },
});
const agent: ObjectInput = {
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'datadog', namespace: 'datadog' },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent', 'agent.datadoghq.com/component': 'agent' } }, spec: { containers: [{ name: 'agent', image: 'registry.datadoghq.com/agent:7.81.1' }] } } },
};
const namespaces = Array.from({ length: 30 }, (_, i) => `team-${String(i).padStart(2, '0')}`);
const others = Array.from({ length: OTHER_DEPLOYMENTS }, (_, i) => deployment(`web-${i}`, namespaces[i % namespaces.length]!));
// Datadog's own namespace has RBAC too, and so does kube-system (the catalogue names a ConfigMap there).
const rbac = [...namespaces, 'datadog', 'kube-system'].flatMap((ns) => [
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app', namespace: ns } },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'app', namespace: ns }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'app', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'app' }, subjects: [{ kind: 'ServiceAccount', name: 'app' }] },
]);

const fake = await startFakeApiServer({ objects: [...others, ...rbac, agent, deployment('datadog-cluster-agent', 'datadog', true)], bookmarkIntervalMs: 100 });
const provider = new LiveWorldProvider(fake.kubeConfig(), { pageSize: PAGE, restartMs: 50 });
t.teardown(async () => {
  await provider.stop();
  await fake.close();
});

const until = async (check: () => boolean, ms = 10_000): Promise<boolean> => {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20))) if (check()) return true;
  return check();
};
const workloadsCached = () => ['Deployment', 'DaemonSet', 'StatefulSet'].flatMap((kind) => provider.store.list(kind));
const reflector = (kind: string) => provider.reflectors.find((r) => r.listed.kind === kind)!;

t.test('every list is paged; only Datadog workloads are cached, trimmed', async (t) => {
  await provider.start();
  t.ok(provider.ready());
  const lists = fake.requests.filter((r) => r.verb === 'list');
  t.ok(lists.length >= AUDITED_KINDS.length, 'each kind listed');
  t.same(lists.filter((r) => r.query['limit'] !== String(PAGE)), [], 'no list without limit');
  const deploymentPages = lists.filter((r) => r.resource === 'deployments');
  t.ok(deploymentPages.length >= Math.ceil((OTHER_DEPLOYMENTS + 1) / PAGE), `Deployments read in pages (${deploymentPages.length})`);
  t.same(deploymentPages.slice(1).filter((r) => !r.query['continue']), [], 'every later page continues the first');
  // Deployments, DaemonSets and StatefulSets are listed at once: their group version is discovered once.
  const discovery = fake.requests.filter((r) => r.method === 'GET' && !r.verb).map((r) => r.path);
  t.same(discovery, [...new Set(discovery)], `each group version discovered once (${discovery.join(', ')})`);

  const cached = workloadsCached();
  t.same(cached.filter((o) => !asDatadogWorkload(o, 'default')).map((o) => `${o.kind} ${o.metadata?.namespace}/${o.metadata?.name}`), [], 'no non-Datadog workload cached');
  t.same(cached.map((o) => `${o.kind} ${o.metadata?.name}`).sort(), ['DaemonSet datadog', 'Deployment datadog-cluster-agent']);
  const dca = provider.store.get('Deployment', 'datadog', 'datadog-cluster-agent')!;
  t.equal(dca.metadata?.annotations?.[LAST_APPLIED], undefined, "kubectl's last-applied copy is dropped");
  t.equal(dca.metadata?.annotations?.['team'], 'shop', 'other annotations kept (exemptions live there)');
  t.notOk('status' in dca, 'status dropped');
  // Roles, RoleBindings and ServiceAccounts: only where Datadog runs and in kube-system, each listed there.
  for (const kind of ['Role', 'RoleBinding', 'ServiceAccount']) {
    t.same([...new Set(provider.store.list(kind).map((o) => o.metadata?.namespace))].sort(), ['datadog', 'kube-system'], `${kind}s of Datadog's namespace and kube-system only`);
  }
  const rbacLists = lists.filter((r) => ['roles', 'rolebindings', 'serviceaccounts'].includes(r.resource ?? ''));
  t.same(rbacLists.filter((r) => !r.path.includes('/namespaces/')).map((r) => r.path), [], 'never listed cluster-wide');
  t.same([...new Set(rbacLists.map((r) => r.namespace))].sort(), ['datadog', 'kube-system']);
});

t.test("a Datadog workload in another namespace brings that namespace's RBAC in; gone, takes it out", async (t) => {
  fake.apply(deployment('datadog-cluster-agent', 'team-07', true));
  t.ok(await until(() => provider.store.list('RoleBinding', 'team-07').length === 1 && provider.store.list('ServiceAccount', 'team-07').length === 1), 'team-07 read');
  t.equal(provider.store.list('Role', 'team-08').length, 0, 'not its neighbours');
  t.ok(provider.ready(), 'ready throughout');
  fake.remove({ kind: 'Deployment', namespace: 'team-07', name: 'datadog-cluster-agent' });
  t.ok(await until(() => provider.store.list('RoleBinding', 'team-07').length === 0 && provider.store.list('Role', 'team-07').length === 0), 'team-07 dropped');
  t.notOk(provider.reflectors.some((r) => r.namespace === 'team-07'), 'its loops stopped');
  // A change there now reaches nothing.
  fake.apply({ ...rbac.find((o) => o.kind === 'Role' && o.metadata?.namespace === 'team-07')!, rules: [] });
  await new Promise((r) => setTimeout(r, 200));
  t.equal(provider.store.list('Role', 'team-07').length, 0);
});

t.test('watches resume from the list resourceVersion, allow bookmarks, and follow them', async (t) => {
  const watches = fake.requests.filter((r) => r.verb === 'watch');
  t.ok(watches.length >= AUDITED_KINDS.length - 1);
  t.same(watches.filter((r) => !r.query['resourceVersion'] || r.query['resourceVersion'] === '0'), [], 'never a watch from "any" (a full replay)');
  t.same(watches.filter((r) => r.query['allowWatchBookmarks'] !== 'true'), [], 'bookmarks allowed');
  fake.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'moves-the-revision' }, rules: [] });
  t.ok(await until(() => reflector('Deployment').resourceVersion === fake.resourceVersion), 'a bookmark carries the Deployment watch to the current revision');
});

t.test('a non-Datadog workload updated, or one that stops being Datadog, is not cached', async (t) => {
  fake.apply({ ...deployment('web-1', namespaces[1]!), spec: { ...(deployment('web-1', namespaces[1]!)['spec'] as object), replicas: 3 } });
  fake.apply(deployment('datadog-cluster-agent', 'datadog', false));
  t.ok(await until(() => !provider.store.get('Deployment', 'datadog', 'datadog-cluster-agent')), 'left the cache');
  t.same(workloadsCached().map((o) => o.metadata?.name), ['datadog']);
  fake.apply(deployment('datadog-cluster-agent', 'datadog', true));
  t.ok(await until(() => !!provider.store.get('Deployment', 'datadog', 'datadog-cluster-agent')), 'back');
});

t.test('410 Gone on a resumed watch: a relist catches up with what the watch missed', async (t) => {
  const before = reflector('Deployment').lists;
  const rolesListed = reflector('Role').lists;
  const unchangedRole = provider.store.get('Role', 'kube-system', 'app');
  t.ok(unchangedRole, 'a Role is cached');
  fake.resetRequests();
  // The connection drops; meanwhile Datadog's workloads and a Role change and the history they were in is compacted.
  fake.closeWatches();
  fake.remove({ kind: 'DaemonSet', namespace: 'datadog', name: 'datadog' });
  fake.apply({ ...deployment('datadog-cluster-agent-2', 'datadog', true) });
  const changedRole = rbac.find((o) => o.kind === 'Role' && o.metadata?.namespace === 'datadog')!;
  fake.apply({ ...changedRole, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] });
  fake.compact();
  t.ok(await until(() => reflector('Deployment').lists > before && reflector('Role').lists > rolesListed && reflector('DaemonSet').lists > 0 && !provider.store.get('DaemonSet', 'datadog', 'datadog'), 15_000), 'relisted');
  t.equal(provider.store.get('Role', 'kube-system', 'app'), unchangedRole, 'an unchanged Role is the object already cached');
  t.same((provider.store.get('Role', 'datadog', 'app') as { rules?: unknown } | undefined)?.rules, [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }], 'a Role changed while the watch was down is the new one');
  t.ok(provider.store.get('Deployment', 'datadog', 'datadog-cluster-agent-2'), 'an object created while the watch was down is cached');
  t.notOk(provider.store.get('DaemonSet', 'datadog', 'datadog'), 'an object deleted while the watch was down is gone');
  t.ok(fake.requests.some((r) => r.verb === 'watch' && r.resource === 'deployments' && r.status === 200), 'the stale watch was answered (with a 410 ERROR event)');
  t.ok(fake.count({ verb: 'list', resource: 'deployments' }) >= Math.ceil(OTHER_DEPLOYMENTS / PAGE), 'the relist is paged too');
  t.same(fake.requests.filter((r) => r.verb === 'list' && r.query['limit'] !== String(PAGE)), []);
  t.same(fake.requests.filter((r) => r.method === 'GET' && !r.verb).map((r) => r.path), [], 'no discovery again: each API group version was asked once');
  t.same(workloadsCached().filter((o) => !asDatadogWorkload(o, 'default')), [], 'still no non-Datadog workload');
  t.ok(provider.ready(), 'ready throughout');
});

t.test('an expired continue token restarts the list from its first page', async (t) => {
  const deployments = AUDITED_KINDS.find((k) => k.kind === 'Deployment')!;
  let restarts = 0;
  let items = 0;
  let compacted = false;
  const result = await listPages(fake.kubeConfig(), deployments, undefined, () => items++, {
    pageSize: PAGE,
    onRestart: () => {
      restarts++;
      items = 0;
    },
    onPage: () => {
      if (compacted) return;
      compacted = true;
      fake.apply(deployment('written-mid-list', 'team-00'));
      fake.compact();
    },
  });
  t.equal(restarts, 1, 'restarted once');
  t.equal(items, result.count);
  t.equal(result.count, fake.list('Deployment').length, 'every Deployment exactly once, the one written mid-list included');
});

t.test('a relist copies from its pages only what changed: what the sink holds unchanged is reused', async (t) => {
  const roles = AUDITED_KINDS.find((k) => k.kind === 'Role')!;
  const held = new Map<string, KubeObject>();
  const keyOf = (o: KubeObject) => `${o.metadata?.namespace}/${o.metadata?.name}`;
  const kept: string[] = [];
  const reflector = new Reflector(fake.kubeConfig(), roles, {
    replace: (objects) => {
      held.clear();
      for (const o of objects) held.set(keyOf(o), o);
    },
    unchanged: (o) => (held.get(keyOf(o))?.metadata?.resourceVersion === o.metadata?.resourceVersion ? held.get(keyOf(o)) : undefined),
    upsert: (o) => void held.set(keyOf(o), o),
    remove: (o) => void held.delete(keyOf(o)),
  }, { keep: (o) => (kept.push(keyOf(o)), o), pageSize: PAGE, retryMs: 50 });
  t.teardown(() => reflector.stop());
  await reflector.start();
  t.equal(kept.length, held.size, 'the first list copies every Role');
  const before = new Map(held);
  kept.length = 0;
  fake.closeWatches();
  const changed = rbac.find((o) => o.kind === 'Role' && o.metadata?.namespace === 'team-02')!;
  fake.apply({ ...changed, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] });
  fake.compact();
  t.ok(await until(() => reflector.lists > 1), 'relisted');
  t.same(kept, ['team-02/app'], 'only the Role changed while the watch was down went through keep');
  t.equal(held.get('team-00/app'), before.get('team-00/app'), 'an unchanged Role is the object held before');
  t.not(held.get('team-02/app'), before.get('team-02/app'), 'the changed one is new');
});

t.test('discovery is asked once per client, yet a CRD installed after a list found it absent is found next time', async (t) => {
  const kc = fake.kubeConfig();
  const datadogAgents = AUDITED_KINDS.find((k) => k.kind === 'DatadogAgent')!;
  fake.apply({ apiVersion: 'datadoghq.com/v2alpha1', kind: 'DatadogAgent', metadata: { name: 'datadog', namespace: 'datadog' }, spec: {} });
  t.teardown(() => fake.remove({ kind: 'DatadogAgent', namespace: 'datadog', name: 'datadog' }));
  // Every request under the group version fails meanwhile: the provider's own DatadogAgent watch may ask too.
  fake.failNext({ method: 'GET', pathPrefix: '/apis/datadoghq.com/v2alpha1', status: 404, times: 1000 });
  const absent = await listPages(kc, datadogAgents, undefined, () => {}, { pageSize: PAGE });
  fake.clearFaults();
  t.ok(absent.notInstalled, 'absent while its group version answers 404');
  fake.resetRequests();
  const installed = await listPages(kc, datadogAgents, undefined, () => {}, { pageSize: PAGE });
  t.notOk(installed.notInstalled, 'found once it answers');
  t.equal(installed.count, 1);
  fake.resetRequests();
  await listPages(kc, datadogAgents, undefined, () => {}, { pageSize: PAGE });
  t.same(fake.requests.filter((r) => !r.verb).map((r) => r.path), [], 'the third list asks no discovery');
});

t.test('a loop stopped before its first list no longer keeps anyone waiting for it', async (t) => {
  const roles = AUDITED_KINDS.find((k) => k.kind === 'Role')!;
  const undo = fake.forbid({ verb: 'list', resource: 'roles', namespace: 'team-09' });
  t.teardown(undo);
  const sink = { replace: () => {}, unchanged: () => undefined, upsert: () => {}, remove: () => {} };
  const reflector = new Reflector(fake.kubeConfig(), roles, sink, { keep: (o) => o, namespace: 'team-09', retryMs: 20 });
  let synced = false;
  const started = reflector.start().then(() => (synced = true));
  await new Promise((r) => setTimeout(r, 200));
  t.notOk(synced, 'still waiting while its list is refused');
  t.notOk(reflector.hasSynced());
  reflector.stop();
  await started;
  t.ok(synced, 'stopping it ends the wait');
  t.notOk(reflector.hasSynced(), 'without claiming a list it never had');
});
