// The live world against the stand-in API server: paged lists fill the cache, watches keep it current,
// Secrets are read by `get` within the review's deadline, and a hung read becomes an `unknown` lookup.
import t from 'tap';
import { startFakeApiServer } from '../support/fake-apiserver.js';
import { LiveWorldProvider } from '../../src/world/live.js';
import { Deadline } from '../../src/world/deadline.js';
import type { AdmissionRequest } from '../../src/kube-model/admission-review.js';

const ns = 'datadog';
const tokenEnv = { name: 'DD_CLUSTER_AGENT_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 'dd-token', key: 'token' } } };
const agent = (name: string) => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: ns },
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name, 'agent.datadoghq.com/component': 'agent' } }, spec: { containers: [{ name: 'agent', image: 'registry.datadoghq.com/agent:7.81.1', env: [tokenEnv] }] } } },
});
const web = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } };
const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'dd-token', namespace: ns }, stringData: { token: 'x'.repeat(40) } };
const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'datadog' }, rules: [] };

const fake = await startFakeApiServer({ objects: [agent('datadog'), web, secret, role] });
const provider = new LiveWorldProvider(fake.kubeConfig(), { secretTtlMs: 0, restartMs: 50 });
t.teardown(async () => {
  await provider.stop();
  await fake.close();
});

const review = (object: object): AdmissionRequest => ({ uid: 'u1', kind: { group: 'apps', version: 'v1', kind: 'DaemonSet' }, operation: 'CREATE', namespace: ns, object }) as unknown as AdmissionRequest;

t.test('ready after the first list; only Datadog workloads are cached', async (t) => {
  t.notOk(provider.ready());
  await provider.start();
  t.ok(provider.ready());
  t.equal(provider.store.get('DaemonSet', ns, 'datadog')?.kind, 'DaemonSet', 'kind is set on listed items');
  t.equal(provider.store.get('ClusterRole', undefined, 'datadog')?.kind, 'ClusterRole');
  t.equal(provider.store.get('Deployment', 'shop', 'web'), undefined, 'a non-Datadog workload is not kept');
  t.equal(fake.count({ verb: 'list', resource: 'secrets' }) + fake.count({ verb: 'watch', resource: 'secrets' }), 0, 'no list/watch on Secrets');
});

t.test('watch events reach the cache', async (t) => {
  fake.apply(agent('datadog-2'));
  for (let i = 0; i < 100 && !provider.store.get('DaemonSet', ns, 'datadog-2'); i++) await new Promise((r) => setTimeout(r, 20));
  t.ok(provider.store.get('DaemonSet', ns, 'datadog-2'), 'added');
  fake.remove({ kind: 'DaemonSet', namespace: ns, name: 'datadog-2' });
  for (let i = 0; i < 100 && provider.store.get('DaemonSet', ns, 'datadog-2'); i++) await new Promise((r) => setTimeout(r, 20));
  t.notOk(provider.store.get('DaemonSet', ns, 'datadog-2'), 'removed');
});

t.test('prepare reads referenced Secrets by get', async (t) => {
  fake.resetRequests();
  const { world, lookupFailures } = await provider.prepare(review(agent('datadog')), Deadline.after(2000));
  t.same(lookupFailures, []);
  const token = world.secret(ns, 'dd-token');
  t.equal(token.state, 'found');
  if (token.state === 'found') t.equal(token.value.values.get('token')?.length, 40);
  t.ok(fake.requests.some((r) => r.verb === 'get' && r.resource === 'secrets' && r.name === 'dd-token'));
});

t.test('a hung Secret read ends at the deadline as an unknown lookup', async (t) => {
  const release = fake.hang({ verb: 'get', resource: 'secrets' });
  try {
    const started = Date.now();
    const { world, lookupFailures } = await provider.prepare(review(agent('datadog')), Deadline.after(200));
    t.ok(Date.now() - started < 1500, 'bounded by the deadline');
    t.equal(lookupFailures.length, 1);
    t.match(lookupFailures[0], /dd-token ran out of time/);
    t.equal(world.secret(ns, 'dd-token').state, 'unknown');
  } finally {
    release();
  }
});

t.test('not ready while a list is refused; ready once it succeeds', async (t) => {
  const undo = fake.forbid({ verb: 'list', resource: 'clusterroles' });
  const refused = new LiveWorldProvider(fake.kubeConfig(), { restartMs: 50 });
  t.teardown(() => refused.stop());
  let started = false;
  void refused.start().then(() => (started = true));
  await new Promise((r) => setTimeout(r, 400));
  t.notOk(refused.ready(), 'a cache whose list failed is not synced');
  t.notOk(started, 'start() waits for every first list');
  undo();
  for (let i = 0; i < 100 && !refused.ready(); i++) await new Promise((r) => setTimeout(r, 20));
  t.ok(refused.ready(), 'the retried list syncs it');
  t.equal(refused.store.get('ClusterRole', undefined, 'datadog')?.kind, 'ClusterRole', 'and the items are in the cache');
});

t.test('an unreachable cluster never reports ready', async (t) => {
  const nowhere = fake.kubeConfig();
  const config = JSON.parse(nowhere.exportConfig()) as { clusters: { cluster: { server: string } }[] };
  for (const c of config.clusters) c.cluster.server = 'https://127.0.0.1:1';
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  kc.loadFromString(JSON.stringify(config));
  const unreachable = new LiveWorldProvider(kc, { restartMs: 50 });
  t.teardown(() => unreachable.stop());
  void unreachable.start();
  await new Promise((r) => setTimeout(r, 400));
  t.notOk(unreachable.ready());
});
