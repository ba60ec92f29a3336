// The periodic audit inside the webhook: a gauge of current violations (stale series dropped) and Events
// deduplicated across runs.
import t from 'tap';
import { Registry } from 'prom-client';
import { startFakeApiServer } from '../support/fake-apiserver.js';
import { LiveWorldProvider } from '../../src/world/live.js';
import { PeriodicAudit, EVENT_REASON } from '../../src/audit/periodic.js';
import { Engine } from '../../src/engine/engine.js';
import { RULES } from '../../src/rules/index.js';

const ns = 'datadog';
const agent = (kubeletHost: object) => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'datadog', namespace: ns },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent', 'agent.datadoghq.com/component': 'agent' } }, spec: { containers: [{ name: 'agent', image: 'registry.datadoghq.com/agent:7.81.1', env: [{ name: 'DD_KUBERNETES_KUBELET_HOST', ...kubeletHost }] }] } } },
});
const literal = { value: '10.0.0.12' };
const hostIP = { valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } };

const fake = await startFakeApiServer({ objects: [agent(literal)] });
const kc = fake.kubeConfig();
const provider = new LiveWorldProvider(kc, { secretTtlMs: 0 });
const registry = new Registry();
const periodic = new PeriodicAudit(kc, provider, new Engine(RULES), registry, { intervalMs: 60_000 });
t.teardown(async () => {
  await provider.stop();
  await fake.close();
});
await provider.start();

const series = async (rule: string) => (await registry.getSingleMetric('ddguard_violations')!.get()).values.filter((v) => v.labels['rule'] === rule);
const events = () => fake.list('Event', { namespace: ns }).filter((e) => (e as { reason?: string }).reason === EVENT_REASON);

t.test('violations become gauge series and one Event each, not one per run', async (t) => {
  const first = await periodic.runOnce();
  t.ok(first.some((f) => f.ruleId === 'kubelet-host-per-node'));
  const [s] = await series('kubelet-host-per-node');
  t.same(s?.labels, { rule: 'kubelet-host-per-node', severity: 'error', namespace: ns, kind: 'DaemonSet', name: 'datadog' });
  t.equal(s?.value, 1);
  const posted = events().length;
  t.ok(posted >= 1, 'an Event per violation');
  const kubelet = events().map((e) => String((e as { message?: string }).message)).find((m) => m.startsWith('[kubelet-host-per-node]'));
  t.match(kubelet, /^\[kubelet-host-per-node\] DaemonSet datadog\/datadog: .+ Fix: .+ More: `ddguard explain kubelet-host-per-node` or docs\/rules\.md#kubelet-host-per-node\.$/,
    'the whole finding: what, the fix and where to read more');
  await periodic.runOnce();
  await periodic.runOnce();
  t.equal(events().length, posted, 'a standing violation does not post again');
});

t.test('a fixed violation drops its series', async (t) => {
  fake.apply(agent(hostIP));
  for (let i = 0; i < 100; i++) {
    const env = (provider.store.get('DaemonSet', ns, 'datadog') as { spec?: { template?: { spec?: { containers?: { env?: { valueFrom?: unknown }[] }[] } } } } | undefined)?.spec?.template?.spec?.containers?.[0]?.env?.[0];
    if (env?.valueFrom) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const after = await periodic.runOnce();
  t.notOk(after.some((f) => f.ruleId === 'kubelet-host-per-node'));
  t.same(await series('kubelet-host-per-node'), [], 'stale series removed');
});
