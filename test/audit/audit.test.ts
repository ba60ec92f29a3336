// `ddguard audit` against the stand-in API server: the founding story, paging, and the clear failures
// (unreachable server, missing permission, missing kubeconfig, unknown context).
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer } from '../support/fake-apiserver.js';
import { audit, ruleIdsOf } from '../support/audit.js';

const TOKEN_30 = 'abcdefghijklmnopqrstuvwxyz0123'; // 30 bytes: the Agent wants at least 32
const ns = 'datadog';
const tokenEnv = { name: 'DD_CLUSTER_AGENT_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 'datadog-cluster-agent', key: 'token' } } };
const rbac = 'rbac.authorization.k8s.io/v1';

/** A cluster broken three ways: a 30-byte token, a literal kubelet host, a Cluster Agent role without pods. */
const story = [
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'datadog-cluster-agent', namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'Helm', 'helm.sh/chart': 'datadog-3.240.0' } }, stringData: { token: TOKEN_30 } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'datadog-cluster-agent', namespace: ns } },
  { apiVersion: rbac, kind: 'ClusterRole', metadata: { name: 'datadog-cluster-agent' }, rules: [{ apiGroups: [''], resources: ['services', 'events', 'nodes'], verbs: ['get', 'list', 'watch'] }] },
  { apiVersion: rbac, kind: 'ClusterRoleBinding', metadata: { name: 'datadog-cluster-agent' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'datadog-cluster-agent' }, subjects: [{ kind: 'ServiceAccount', name: 'datadog-cluster-agent', namespace: ns }] },
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'datadog-cluster-agent', namespace: ns },
    spec: { selector: { matchLabels: { app: 'dca' } }, template: { metadata: { labels: { app: 'dca', 'agent.datadoghq.com/component': 'cluster-agent' } }, spec: { serviceAccountName: 'datadog-cluster-agent', containers: [{ name: 'cluster-agent', image: 'registry.datadoghq.com/cluster-agent:7.81.1', env: [tokenEnv] }] } } },
  },
  {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'datadog', namespace: ns },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent', 'agent.datadoghq.com/component': 'agent' } }, spec: { containers: [{ name: 'agent', image: 'registry.datadoghq.com/agent:7.81.1', env: [tokenEnv, { name: 'DD_KUBERNETES_KUBELET_HOST', value: '10.0.0.12' }] }] } } },
  },
  // Noise that is not Datadog's: kept out of the audit.
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } } },
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'unrelated', namespace: 'shop' }, stringData: { token: 'short' } },
];

const fake = await startFakeApiServer({ objects: story });
t.teardown(() => fake.close());
const dir = mkdtempSync(join(tmpdir(), 'ddguard-audit-'));
const kubeconfig = fake.writeKubeconfig(dir);

t.test('the founding story: all three problems are named, exit 1, no token value', async (t) => {
  fake.resetRequests();
  const json = await audit({ kubeconfig, format: 'json' });
  t.equal(json.code, 1);
  const ids = ruleIdsOf(json.stdout);
  for (const id of ['cluster-agent-token-length', 'kubelet-host-per-node', 'cluster-agent-rbac']) t.ok(ids.includes(id), `names ${id}`);
  t.notOk(json.stdout.includes(TOKEN_30), 'the token value never appears');

  const text = await audit({ kubeconfig });
  t.equal(text.code, 1);
  t.notOk(text.stdout.includes(TOKEN_30));
  t.match(text.stdout, /Datadog installation in namespace datadog:/);
  t.match(text.stdout, /Cluster Agent: Deployment datadog-cluster-agent; token: .*Secret datadog\/datadog-cluster-agent, key "token"/);
  t.match(text.stdout, /failing rules: .*cluster-agent-token-length/);
  t.notMatch(text.stdout, /shop/, 'non-Datadog workloads are not reported');
  t.match(text.stdout, /Checked \d+ objects in the cluster: /, 'the summary names the cluster, not files');

  t.equal(fake.count({ verb: 'list', resource: 'secrets' }), 0, 'Secrets are never listed');
  t.ok(fake.count({ verb: 'get', resource: 'secrets' }) > 0, 'Secrets are read by get');
  t.equal(fake.requests.filter((r) => r.resource === 'secrets' && r.namespace === 'shop').length, 0, 'an unrelated Secret is not read');
});

t.test('--namespace limits the audit; --fail-on and sarif/junit formats render', async (t) => {
  const other = await audit({ kubeconfig, namespace: ['shop'], format: 'sarif' });
  t.equal(other.code, 0, 'nothing Datadog in shop');
  t.doesNotThrow(() => JSON.parse(other.stdout));
  const junit = await audit({ kubeconfig, namespace: [ns], format: 'junit' });
  t.equal(junit.code, 1);
  t.match(junit.stdout, /<testsuites/);
});

t.test('lists are paged with limit/continue', async (t) => {
  fake.seed(['view', 'edit', 'admin'].map((name) => ({ apiVersion: rbac, kind: 'ClusterRole', metadata: { name }, rules: [] })));
  fake.resetRequests();
  const run = await audit({ kubeconfig, format: 'json', pageSize: 1 });
  t.equal(run.code, 1);
  const paged = fake.requests.filter((r) => r.verb === 'list' && r.resource === 'clusterroles');
  t.ok(paged.every((r) => r.query['limit'] === '1'), 'limit sent');
  t.ok(paged.filter((r) => r.query['continue']).length >= 3, 'continue used for every further page');
  t.same(ruleIdsOf(run.stdout), ruleIdsOf((await audit({ kubeconfig, format: 'json' })).stdout), 'same findings as one page');
});

t.test('a 403 on a list names the verb and resource, exit 2', async (t) => {
  const undo = fake.forbid({ verb: 'list', resource: 'clusterroles' });
  try {
    const run = await audit({ kubeconfig });
    t.equal(run.code, 2);
    t.match(run.stderr, /permission missing: cannot list clusterroles\.rbac\.authorization\.k8s\.io/);
    t.equal(run.stdout, '');
  } finally {
    undo();
  }
});

t.test('a missing DatadogAgent CRD is not an error', async (t) => {
  fake.failNext({ verb: 'list', resource: 'datadogagents', status: 404, times: 5 });
  const run = await audit({ kubeconfig, format: 'json' });
  t.equal(run.code, 1);
  t.equal(run.stderr, '');
});

t.test('an unreachable server: exit 2 with a clear message', async (t) => {
  const down = await startFakeApiServer();
  const path = down.writeKubeconfig(mkdtempSync(join(tmpdir(), 'ddguard-down-')));
  await down.close();
  const run = await audit({ kubeconfig: path });
  t.equal(run.code, 2);
  t.match(run.stderr, /cannot reach the Kubernetes API server at https:\/\/127\.0\.0\.1:\d+/);
});

t.test('a missing kubeconfig and an unknown context are named', async (t) => {
  const missing = await audit({ kubeconfig: join(dir, 'nope.yaml') });
  t.equal(missing.code, 2);
  t.match(missing.stderr, /kubeconfig not found: .*nope\.yaml/);
  const context = await audit({ kubeconfig, context: 'prod' });
  t.equal(context.code, 2);
  t.match(context.stderr, /unknown context "prod"; the kubeconfig has: fake/);
});

t.test('a progress line goes to stderr only on a terminal', async (t) => {
  const { runAudit } = await import('../../src/cli/audit.js');
  let tty = '';
  let out = '';
  const code = await runAudit(
    { kubeconfig, namespace: [], format: 'json', failOn: 'error' },
    { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (tty += s), isTTY: true } },
  );
  t.equal(code, 1);
  t.match(tty, /reading ClusterRole \(\d+\)/);
  t.notMatch(out, /reading/, 'stdout stays clean');
  const quiet = await audit({ kubeconfig, format: 'json' });
  t.equal(quiet.stderr, '', 'no progress when stderr is not a terminal');
});
