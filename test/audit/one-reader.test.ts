// One cluster reader: a node Agent whose Cluster Agent token comes from a ConfigMap holding 5 bytes is judged
// the same by the webhook (live world), by `serve --audit-interval` and by `ddguard audit`, against the
// stand-in API server. ConfigMaps, like Secrets, are read by `get`, never listed or watched.
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { startFakeApiServer } from '../support/fake-apiserver.js';
import { LiveWorldProvider } from '../../src/world/live.js';
import { PeriodicAudit } from '../../src/audit/periodic.js';
import { Engine } from '../../src/engine/engine.js';
import { RULES } from '../../src/rules/index.js';
import { testServer } from '../support/webhook.js';
import { audit } from '../support/audit.js';

const ns = 'datadog';
const SHORT = 'abcde';
const agent = {
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'datadog', namespace: ns },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: {
      metadata: { labels: { app: 'agent', 'agent.datadoghq.com/component': 'agent' } },
      spec: { containers: [{ name: 'agent', image: 'registry.datadoghq.com/agent:7.81.1', env: [
        { name: 'DD_CLUSTER_AGENT_ENABLED', value: 'true' },
        { name: 'DD_CLUSTER_AGENT_AUTH_TOKEN', valueFrom: { configMapKeyRef: { name: 'dd-settings', key: 'token' } } },
        { name: 'DD_KUBERNETES_KUBELET_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
      ] }] },
    },
  },
};
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dd-settings', namespace: ns }, data: { token: SHORT } };

const fake = await startFakeApiServer({ objects: [agent, configMap] });
const provider = new LiveWorldProvider(fake.kubeConfig(), { secretTtlMs: 0 });
t.teardown(async () => {
  await provider.stop();
  await fake.close();
});
await provider.start();

const where = (f: { ruleId: string; object: { kind?: string; name?: string } }) => `${f.ruleId} ${f.object.kind} ${f.object.name}`;
const TOKEN_LENGTH = 'cluster-agent-token-length DaemonSet datadog';

t.test('the webhook reads the ConfigMap and judges the token by its length', async (t) => {
  const { validate } = await testServer({ rules: RULES, worldProvider: provider });
  const review = {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid: 'cm-token', kind: { group: 'apps', version: 'v1', kind: 'DaemonSet' }, resource: { group: 'apps', version: 'v1', resource: 'daemonsets' },
      name: 'datadog', namespace: ns, operation: 'UPDATE', userInfo: { username: 'admin' }, object: agent, oldObject: agent,
    },
  };
  const { statusCode, body } = await validate(review);
  t.equal(statusCode, 200);
  const said = [body.response.status?.message ?? '', ...(body.response.warnings ?? [])].join('\n');
  t.equal(body.response.allowed, false, 'a 5-byte token is an error, as in the audit');
  t.match(body.response.status?.message ?? '', /\[cluster-agent-token-length\] .*ConfigMap datadog\/dd-settings.* is 5 bytes/, 'the short token is named with its length');
  t.notMatch(said, /is not there/, 'the ConfigMap was read, not taken for absent');
  t.notOk(said.includes(SHORT), 'the value never appears');
  t.ok(fake.requests.some((r) => r.verb === 'get' && r.resource === 'configmaps' && r.name === 'dd-settings'), 'read by get');
});

t.test('serve --audit-interval and ddguard audit find the same', async (t) => {
  const periodic = new PeriodicAudit(fake.kubeConfig(), provider, new Engine(RULES), new Registry(), { intervalMs: 60_000 });
  const inServe = (await periodic.runOnce()).map(where);
  t.ok(inServe.includes(TOKEN_LENGTH), 'the in-serve audit');
  const severities = async () => (await periodic.runOnce()).filter((f) => f.ruleId === 'cluster-agent-token-length').map((f) => f.severity);
  t.same(await severities(), ['error']);

  const run = await audit({ kubeconfig: fake.writeKubeconfig(mkdtempSync(join(tmpdir(), 'ddguard-one-reader-'))), format: 'json' });
  t.equal(run.code, 1, run.stderr);
  const parsed = JSON.parse(run.stdout) as { findings: { ruleId: string; object: { kind?: string; name?: string }; exempted?: boolean }[] };
  const fromAudit = parsed.findings.filter((f) => !f.exempted).map(where);
  t.ok(fromAudit.includes(TOKEN_LENGTH), 'ddguard audit');
  t.same([...new Set(fromAudit)].sort(), [...new Set(inServe)].sort(), 'the same findings from both audits');
  t.notOk(run.stdout.includes(SHORT));
});

t.test('ConfigMaps and Secrets are never listed or watched by any reader', async (t) => {
  for (const resource of ['configmaps', 'secrets']) {
    t.equal(fake.count({ verb: 'list', resource }) + fake.count({ verb: 'watch', resource }), 0, resource);
  }
});
