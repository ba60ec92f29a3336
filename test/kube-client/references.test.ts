// ReferenceReader against the stand-in API server: answers are reused for the TTL, concurrent reviews share
// one read in progress (no burst of gets when the cached answer expires), and a stuck read is not shared forever.
import t from 'tap';
import { startFakeApiServer } from '../support/fake-apiserver.js';
import { ReferenceReader } from '../../src/kube-client/references.js';

const ns = 'datadog';
const fake = await startFakeApiServer({ objects: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'dd-token', namespace: ns }, stringData: { token: 'x'.repeat(40) } }] });
t.teardown(() => fake.close());
const secret = (name: string) => ({ kind: 'Secret' as const, namespace: ns, name });
const gets = () => fake.count({ verb: 'get', resource: 'secrets' });

t.test('concurrent reads of one Secret make one get; the answer is then reused', async (t) => {
  fake.resetRequests();
  const reader = new ReferenceReader(fake.kubeConfig(), { ttlMs: 60_000 });
  const release = fake.hang({ verb: 'get', resource: 'secrets' });
  const reads = [1, 2, 3, 4, 5].map(() => reader.get(secret('dd-token')));
  await new Promise((r) => setTimeout(r, 100));
  release();
  const answers = await Promise.all(reads);
  t.same(answers.map((a) => a.state), ['found', 'found', 'found', 'found', 'found']);
  t.equal(gets(), 1, 'one get for five concurrent readers');
  t.equal((await reader.get(secret('dd-token'))).state, 'found');
  t.equal((await reader.get(secret('missing'))).state, 'absent');
  t.equal((await reader.get(secret('missing'))).state, 'absent', 'absence is cached too');
  t.equal(gets(), 2, 'cached answers make no further gets');
});

t.test('a reader whose deadline passes gets unknown; the shared read still fills the cache', async (t) => {
  fake.resetRequests();
  const reader = new ReferenceReader(fake.kubeConfig(), { ttlMs: 60_000 });
  const release = fake.hang({ verb: 'get', resource: 'secrets' });
  const timedOut = await reader.get(secret('dd-token'), AbortSignal.timeout(50));
  t.equal(timedOut.state, 'unknown');
  if (timedOut.state === 'unknown') t.match(timedOut.reason, /Secret datadog\/dd-token ran out of time/);
  const waiting = reader.get(secret('dd-token'));
  release();
  t.equal((await waiting).state, 'found');
  t.equal(gets(), 1, 'the second reader joined the read in progress');
});

t.test('a read older than the TTL is not shared: a stuck get does not block later reviews', async (t) => {
  fake.resetRequests();
  let now = 0;
  const reader = new ReferenceReader(fake.kubeConfig(), { ttlMs: 1000, now: () => now });
  const release = fake.hang({ verb: 'get', resource: 'secrets', times: 1 });
  t.teardown(release);
  const stuck = await reader.get(secret('dd-token'), AbortSignal.timeout(50));
  t.equal(stuck.state, 'unknown');
  now = 1000;
  t.equal((await reader.get(secret('dd-token'), AbortSignal.timeout(2000))).state, 'found', 'a fresh get answered');
  t.equal(gets(), 2);
});
