// The stand-in API server is only useful if the real client library cannot tell it from
// kube-apiserver for what ddguard does. Every test here drives it through @kubernetes/client-node
// (or raw HTTPS trusting the generated CA) and checks the wire behaviour a real server has.
import t, { type Test } from 'tap';
import { request } from 'node:https';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  EventsV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  Watch,
  Observable,
  PatchStrategy,
  makeInformer,
  setHeaderOptions,
  type ConfigurationOptions,
  type RequestContext,
  type ResponseContext,
  type V1Deployment,
  type V1Status,
} from '@kubernetes/client-node';
import { startFakeApiServer, type FakeApiServer } from './support/fake-apiserver.js';

const secret = (name: string, namespace = 'monitoring', token = 'x'.repeat(32)) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, namespace, labels: { app: 'datadog' } },
  stringData: { token },
});

const deployment = (name: string, replicas = 1) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'monitoring' },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'x' }] } } },
});

const clusterRole = (name: string) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name }, rules: [] });

/** The parsed Status body of a failed client-node call. */
async function failedStatus(t: Test, call: Promise<unknown>): Promise<{ code: number; status: V1Status }> {
  const err: unknown = await call.then(
    () => t.fail('expected the call to fail'),
    (e: unknown) => e,
  );
  if (!(err instanceof ApiException)) throw err;
  const body: unknown = typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
  return { code: err.code, status: body as V1Status };
}

/** GET over raw HTTPS trusting only the fake's CA; returns status and body text. */
function rawGet(fake: FakeApiServer, path: string, token = fake.token): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${fake.url}${path}`, { ca: fake.caPem, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

type WatchEvent = { type: string; object: { metadata?: { name?: string; resourceVersion?: string }; code?: number; reason?: string } };

/** Collects watch events until the server ends the stream. */
async function watchUntilDone(kc: KubeConfig, path: string, query: Record<string, string | number | boolean>) {
  const events: WatchEvent[] = [];
  const done = new Promise<unknown>((resolve) => {
    void new Watch(kc).watch(path, query, (type, object) => events.push({ type, object }), resolve);
  });
  return { events, done };
}

let fake: FakeApiServer;
let kc: KubeConfig;

t.before(async () => {
  fake = await startFakeApiServer({ bookmarkIntervalMs: 200, objects: [secret('datadog-token'), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'monitoring' } }] });
  kc = new KubeConfig();
  kc.loadFromFile(fake.writeKubeconfig(t.testdir(), { context: 'test' }));
});
t.teardown(() => fake.close());
t.afterEach(() => fake.clearFaults());

t.test('a kubeconfig file written for the server is accepted and trusted', async (t) => {
  t.equal(kc.getCurrentContext(), 'test');
  t.equal(kc.getCurrentCluster()?.server, fake.url);
  const version = await rawGet(fake, '/version');
  t.equal(version.status, 200);
  t.match(JSON.parse(version.body), { major: '1', gitVersion: /^v1\./ });
  const wrongToken = new KubeConfig();
  wrongToken.loadFromFile(fake.writeKubeconfig(t.testdir(), { token: 'not-the-token' }));
  const { code } = await failedStatus(t, wrongToken.makeApiClient(CoreV1Api).listNamespace());
  t.equal(code, 401, 'a token the server does not know is Unauthorized');
});

t.test('get returns the stored object; a missing one is a NotFound Status', async (t) => {
  const core = kc.makeApiClient(CoreV1Api);
  const found = await core.readNamespacedSecret({ name: 'datadog-token', namespace: 'monitoring' });
  t.equal(found.kind, 'Secret');
  t.equal(Buffer.from(found.data?.['token'] ?? '', 'base64').length, 32, 'stringData was stored as data');
  t.equal(found.type, 'Opaque');
  t.ok(found.metadata?.uid);
  t.ok(found.metadata?.creationTimestamp instanceof Date);
  t.match(found.metadata?.resourceVersion, /^\d+$/);

  const { code, status } = await failedStatus(t, core.readNamespacedSecret({ name: 'absent', namespace: 'monitoring' }));
  t.equal(code, 404);
  t.same(status, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'secrets "absent" not found',
    reason: 'NotFound',
    details: { name: 'absent', kind: 'secrets' },
    code: 404,
  });
  const apps = kc.makeApiClient(AppsV1Api);
  const grouped = await failedStatus(t, apps.readNamespacedDeployment({ name: 'absent', namespace: 'monitoring' }));
  t.equal(grouped.status.message, 'deployments.apps "absent" not found');
  t.same(grouped.status.details, { name: 'absent', group: 'apps', kind: 'deployments' });
});

t.test('paged lists return every object exactly once at one resourceVersion', async (t) => {
  const names = ['pager-a', 'pager-b', 'pager-c', 'pager-d', 'pager-e'];
  fake.seed(names.map(clusterRole));
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const seen: string[] = [];
  const tokens: string[] = [];
  const versions = new Set<string>();
  let next: string | undefined;
  do {
    const page = await rbac.listClusterRole({ limit: 2, ...(next ? { _continue: next } : {}) });
    t.ok(page.items.length <= 2);
    seen.push(...page.items.map((i) => i.metadata?.name ?? ''));
    versions.add(page.metadata?.resourceVersion ?? '');
    next = page.metadata?._continue;
    if (next) tokens.push(next);
    if (seen.length === 2) fake.apply(clusterRole('pager-created-mid-list'));
  } while (next);
  t.same(seen.filter((n) => n.startsWith('pager-')), names, 'sorted by key, none skipped or repeated, later writes not mixed in');
  t.equal(tokens.length, 2);
  t.equal(versions.size, 1, 'every page is read at the first page resourceVersion');
  t.equal(fake.count({ verb: 'list', resource: 'clusterroles' }), 3);

  const first = await rbac.listClusterRole({ limit: 2 });
  t.equal(first.items[0]?.kind, undefined, 'built-in list items carry no kind, as in kubernetes/kubernetes#3030');
  fake.apply(clusterRole('pager-after-first'));
  fake.compact();
  const { code, status } = await failedStatus(t, rbac.listClusterRole({ limit: 2, _continue: first.metadata?._continue ?? '' }));
  t.equal(code, 410);
  t.equal(status.reason, 'Expired');
});

t.test('list filters by namespace, labelSelector and fieldSelector', async (t) => {
  fake.seed([secret('other-ns', 'default'), { ...secret('unlabelled'), metadata: { name: 'unlabelled', namespace: 'monitoring' } }]);
  const core = kc.makeApiClient(CoreV1Api);
  const inNs = await core.listNamespacedSecret({ namespace: 'monitoring' });
  t.same(inNs.items.map((s) => s.metadata?.name), ['datadog-token', 'unlabelled']);
  const all = await core.listSecretForAllNamespaces({ labelSelector: 'app=datadog' });
  t.same(all.items.map((s) => `${s.metadata?.namespace}/${s.metadata?.name}`), ['default/other-ns', 'monitoring/datadog-token']);
  const setBased = await core.listSecretForAllNamespaces({ labelSelector: '!app' });
  t.same(setBased.items.map((s) => s.metadata?.name), ['unlabelled']);
  const byName = await core.listSecretForAllNamespaces({ fieldSelector: 'metadata.name=other-ns' });
  t.same(byName.items.map((s) => s.metadata?.name), ['other-ns']);
  const { code } = await failedStatus(t, core.listSecretForAllNamespaces({ fieldSelector: 'spec.nope=1' }));
  t.equal(code, 400);
});

t.test('an informer lists, then sees ADDED, MODIFIED and DELETED from later changes', async (t) => {
  fake.apply(deployment('cluster-agent'));
  const apps = kc.makeApiClient(AppsV1Api);
  const informer = makeInformer<V1Deployment>(kc, '/apis/apps/v1/namespaces/monitoring/deployments', () =>
    apps.listNamespacedDeployment({ namespace: 'monitoring' }),
  );
  const seen: string[] = [];
  const waiters: { want: string; resolve: () => void }[] = [];
  const record = (what: string) => (d: V1Deployment) => {
    const entry = `${what} ${d.metadata?.name} ${d.spec?.replicas ?? '-'}`;
    seen.push(entry);
    waiters.filter((w) => w.want === entry).forEach((w) => w.resolve());
  };
  const expect = (want: string) =>
    seen.includes(want) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ want, resolve }));
  informer.on('add', record('add'));
  informer.on('update', record('update'));
  informer.on('delete', record('delete'));
  await informer.start();
  t.teardown(() => informer.stop());

  await expect('add cluster-agent 1');
  fake.apply(deployment('cluster-agent', 2));
  await expect('update cluster-agent 2');
  fake.apply(deployment('node-agent'));
  await expect('add node-agent 1');
  fake.remove({ kind: 'Deployment', namespace: 'monitoring', name: 'cluster-agent' });
  await expect('delete cluster-agent 2');
  t.same(seen, ['add cluster-agent 1', 'update cluster-agent 2', 'add node-agent 1', 'delete cluster-agent 2']);
  t.same(informer.list('monitoring').map((d) => d.metadata?.name), ['node-agent']);
  t.equal(fake.count({ verb: 'watch', resource: 'deployments' }), 1, 'one list, one held-open watch');

  // The watch drops, the informer's reconnection is held while history is compacted: the
  // reconnection gets 410 Gone and the informer must relist to see what it missed.
  const lists = fake.count({ verb: 'list', resource: 'deployments' });
  const release = fake.hang({ verb: 'watch', resource: 'deployments', times: 1 });
  fake.closeWatches();
  fake.apply(deployment('node-agent', 3));
  fake.apply(deployment('missed-while-away'));
  fake.compact();
  release();
  await expect('add missed-while-away 1');
  await expect('update node-agent 3');
  t.equal(fake.count({ verb: 'list', resource: 'deployments' }), lists + 1, 'recovered by relisting');
});

t.test('watch replays history after a resourceVersion and ends as asked', async (t) => {
  const from = fake.resourceVersion;
  fake.apply(secret('watched-1'));
  fake.apply(secret('watched-1', 'monitoring', 'y'.repeat(40)));
  fake.remove({ kind: 'Secret', namespace: 'monitoring', name: 'watched-1' });
  const { events, done } = await watchUntilDone(kc, '/api/v1/namespaces/monitoring/secrets', {
    resourceVersion: from,
    timeoutSeconds: 1,
    allowWatchBookmarks: true,
  });
  t.equal(await done, null, 'timeoutSeconds ends the stream cleanly');
  const changes = events.filter((e) => e.type !== 'BOOKMARK');
  t.same(changes.map((e) => `${e.type} ${e.object.metadata?.name}`), ['ADDED watched-1', 'MODIFIED watched-1', 'DELETED watched-1']);
  const rvs = changes.map((e) => Number(e.object.metadata?.resourceVersion));
  t.same(rvs, [Number(from) + 1, Number(from) + 2, Number(from) + 3], 'DELETED carries the deletion revision');

  const bookmarked = await watchUntilDone(kc, '/api/v1/secrets', { resourceVersion: fake.resourceVersion, timeoutSeconds: 1, allowWatchBookmarks: true });
  await bookmarked.done;
  t.ok(bookmarked.events.some((e) => e.type === 'BOOKMARK' && e.object.metadata?.resourceVersion === fake.resourceVersion));

  fake.compact();
  const stale = await watchUntilDone(kc, '/api/v1/secrets', { resourceVersion: from });
  await stale.done;
  t.match(stale.events, [{ type: 'ERROR', object: { code: 410, reason: 'Expired' } }], 'too old resourceVersion is 410 Gone');
});

t.test('writes: create, conflicts, update, patch and delete', async (t) => {
  const core = kc.makeApiClient(CoreV1Api);
  const cm = await core.createNamespacedConfigMap({ namespace: 'monitoring', body: { metadata: { name: 'settings' }, data: { a: '1' } } });
  t.equal(cm.metadata?.namespace, 'monitoring');
  const dup = await failedStatus(t, core.createNamespacedConfigMap({ namespace: 'monitoring', body: { metadata: { name: 'settings' } } }));
  t.equal(dup.code, 409);
  t.equal(dup.status.reason, 'AlreadyExists');
  t.equal(dup.status.message, 'configmaps "settings" already exists');

  const updated = await core.replaceNamespacedConfigMap({ name: 'settings', namespace: 'monitoring', body: { ...cm, data: { a: '2' } } });
  t.ok(Number(updated.metadata?.resourceVersion) > Number(cm.metadata?.resourceVersion));
  t.equal(updated.metadata?.uid, cm.metadata?.uid);
  const stale = await failedStatus(t, core.replaceNamespacedConfigMap({ name: 'settings', namespace: 'monitoring', body: { ...cm, data: { a: '3' } } }));
  t.equal(stale.code, 409);
  t.equal(stale.status.reason, 'Conflict');

  const patched = await core.patchNamespacedConfigMap({ name: 'settings', namespace: 'monitoring', body: [{ op: 'add', path: '/data/b', value: 'x' }] });
  t.same(patched.data, { a: '2', b: 'x' }, 'client-node sends a JSON patch by default');

  const merged = await core.patchNamespacedConfigMap(
    { name: 'settings', namespace: 'monitoring', body: { data: { b: null, c: 'y' } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  t.same(merged.data, { a: '2', c: 'y' }, 'merge patch: null removes a key');

  await core.createNamespacedConfigMap({ namespace: 'monitoring', dryRun: 'All', body: { metadata: { name: 'dry' } } });
  t.equal(fake.get({ kind: 'ConfigMap', namespace: 'monitoring', name: 'dry' }), undefined, 'dryRun stores nothing');

  const deleted = await core.deleteNamespacedConfigMap({ name: 'settings', namespace: 'monitoring' });
  t.match(deleted, { status: 'Success', details: { name: 'settings', kind: 'configmaps', uid: cm.metadata?.uid } });
  t.equal(fake.get({ kind: 'ConfigMap', namespace: 'monitoring', name: 'settings' }), undefined);
});

t.test('events can be created through both Event APIs', async (t) => {
  const core = kc.makeApiClient(CoreV1Api);
  const created = await core.createNamespacedEvent({
    namespace: 'monitoring',
    body: {
      metadata: { generateName: 'datadog-token.' },
      involvedObject: { kind: 'Secret', namespace: 'monitoring', name: 'datadog-token' },
      reason: 'DatadogMisconfigured',
      message: 'token too short',
      type: 'Warning',
    },
  });
  t.match(created.metadata?.name, /^datadog-token\.[a-z0-9]{5}$/);
  const listed = await core.listNamespacedEvent({ namespace: 'monitoring', fieldSelector: 'involvedObject.name=datadog-token,reason=DatadogMisconfigured' });
  t.same(listed.items.map((e) => e.metadata?.name), [created.metadata?.name]);

  const events = kc.makeApiClient(EventsV1Api);
  const modern = await events.createNamespacedEvent({
    namespace: 'monitoring',
    body: { metadata: { name: 'ddguard-1' }, eventTime: new Date(), reason: 'DatadogMisconfigured', action: 'Audit', reportingController: 'ddguard', reportingInstance: 'ddguard-0', type: 'Warning', regarding: { kind: 'Secret', namespace: 'monitoring', name: 'datadog-token' } },
  });
  t.equal(modern.apiVersion, 'events.k8s.io/v1');
  t.equal(fake.list('Event', { apiVersion: 'events.k8s.io/v1' }).length, 1);
});

t.test('failNext and forbid answer like the RBAC authorizer', async (t) => {
  const core = kc.makeApiClient(CoreV1Api);
  fake.failNext({ verb: 'get', resource: 'secrets', status: 403 });
  const denied = await failedStatus(t, core.readNamespacedSecret({ name: 'datadog-token', namespace: 'monitoring' }));
  t.equal(denied.code, 403);
  t.equal(denied.status.reason, 'Forbidden');
  t.equal(
    denied.status.message,
    'secrets "datadog-token" is forbidden: User "system:serviceaccount:ddguard:ddguard" cannot get resource "secrets" in API group "" in the namespace "monitoring"',
  );
  await core.readNamespacedSecret({ name: 'datadog-token', namespace: 'monitoring' });
  t.pass('failNext fails only the next matching request');

  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const undo = fake.forbid({ verb: 'list', resource: 'clusterroles' });
  for (let i = 0; i < 2; i++) {
    const { code, status } = await failedStatus(t, rbac.listClusterRole());
    t.equal(code, 403);
    t.equal(status.message, 'clusterroles.rbac.authorization.k8s.io is forbidden: User "system:serviceaccount:ddguard:ddguard" cannot list resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope');
  }
  undo();
  await rbac.listClusterRole();

  fake.failNext({ pathPrefix: '/api/v1/namespaces', status: 429, retryAfterSeconds: 1, times: 2 });
  const throttled = await failedStatus(t, core.listNamespacedPod({ namespace: 'monitoring' }));
  t.equal(throttled.code, 429);
  t.equal(throttled.status.reason, 'TooManyRequests');
  t.equal((await failedStatus(t, core.listNamespacedPod({ namespace: 'monitoring' }))).code, 429);
  await core.listNamespacedPod({ namespace: 'monitoring' });
});

t.test('a hung request ends when the client gives up; a delayed one still answers', async (t) => {
  const core = kc.makeApiClient(CoreV1Api);
  const release = fake.hang({ pathPrefix: '/api/v1/namespaces/monitoring/secrets/datadog-token' });
  // The object-parameter API takes observable-style middleware (see client-node's setHeaderOptions).
  const withDeadline = (ms: number): ConfigurationOptions => ({
    middleware: [
      {
        pre: (ctx: RequestContext) => {
          ctx.setSignal(AbortSignal.timeout(ms));
          return new Observable(Promise.resolve(ctx));
        },
        post: (res: ResponseContext) => new Observable(Promise.resolve(res)),
      },
    ],
    middlewareMergeStrategy: 'append',
  });
  const started = Date.now();
  const err: unknown = await core
    .readNamespacedSecret({ name: 'datadog-token', namespace: 'monitoring' }, withDeadline(200))
    .then(() => undefined, (e: unknown) => e);
  const elapsed = Date.now() - started;
  t.match(err, { name: 'AbortError' });
  t.ok(elapsed >= 150 && elapsed < 2000, `aborted at the deadline (${elapsed} ms)`);
  t.equal(fake.requests.at(-1)?.status, undefined, 'the server never answered it');
  release();

  fake.hang({ verb: 'get', resource: 'secrets', ms: 300, times: 1 });
  const slowStart = Date.now();
  const slow = await core.readNamespacedSecret({ name: 'datadog-token', namespace: 'monitoring' });
  t.equal(slow.metadata?.name, 'datadog-token');
  t.ok(Date.now() - slowStart >= 280, 'the answer came after the delay');
});

t.test('discovery documents describe the served kinds', async (t) => {
  const core = JSON.parse((await rawGet(fake, '/api/v1')).body) as { resources: { name: string; namespaced: boolean }[] };
  t.match(core.resources.find((r) => r.name === 'secrets'), { namespaced: true });
  t.match(core.resources.find((r) => r.name === 'namespaces'), { namespaced: false });
  const groups = JSON.parse((await rawGet(fake, '/apis')).body) as { groups: { name: string }[] };
  t.ok(groups.groups.some((g) => g.name === 'datadoghq.com'));
  const unknown = await rawGet(fake, '/apis/apps/v1/namespaces/monitoring/widgets');
  t.equal(unknown.status, 404);
  t.match(JSON.parse(unknown.body), { kind: 'Status', reason: 'NotFound' });
});
