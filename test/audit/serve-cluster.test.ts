// `ddguard serve` as a process against the stand-in API server: --kubeconfig with --context picks the cluster,
// /readyz waits for the caches, and --audit-interval publishes the violations gauge and posts Events.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { ROOT } from '../support/fixtures.js';
import { startFakeApiServer } from '../support/fake-apiserver.js';
import { httpGetText, httpsStatus, listeningPorts } from '../support/serve-process.js';

const ns = 'datadog';
const TOKEN_30 = 'abcdefghijklmnopqrstuvwxyz0123';
const objects = [
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'datadog-cluster-agent', namespace: ns }, stringData: { token: TOKEN_30 } },
  {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'datadog-cluster-agent', namespace: ns },
    spec: { selector: { matchLabels: { app: 'dca' } }, template: { metadata: { labels: { app: 'dca', 'agent.datadoghq.com/component': 'cluster-agent' } }, spec: { containers: [{ name: 'cluster-agent', image: 'registry.datadoghq.com/cluster-agent:7.81.1', env: [{ name: 'DD_CLUSTER_AGENT_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 'datadog-cluster-agent', key: 'token' } } }] }] } } },
  },
];

const fake = await startFakeApiServer({ objects });
t.teardown(() => fake.close());
const dir = mkdtempSync(join(tmpdir(), 'ddguard-serve-cluster-'));

/** The stand-in server as context `fake`, and a current context `elsewhere` that answers nothing. */
function twoContextKubeconfig(): string {
  const config = parse(readFileSync(fake.writeKubeconfig(dir), 'utf8')) as {
    clusters: { name: string; cluster: Record<string, string> }[];
    users: { name: string; user: Record<string, string> }[];
    contexts: { name: string; context: Record<string, string> }[];
    'current-context': string;
  };
  config.clusters.push({ name: 'elsewhere', cluster: { server: 'https://127.0.0.1:1' } });
  config.users.push({ name: 'elsewhere', user: { token: 'none' } });
  config.contexts.push({ name: 'elsewhere', context: { cluster: 'elsewhere', user: 'elsewhere' } });
  config['current-context'] = 'elsewhere';
  const path = join(dir, 'two-contexts.yaml');
  writeFileSync(path, stringify(config), { mode: 0o600 });
  return path;
}

/** `ddguard serve` on free ports with the two-context kubeconfig and `extra` flags; stopped at teardown. */
async function startServe(t: Test, extra: string[]): Promise<{ port: number; metricsPort: number; ca: string }> {
  const certs = mkdtempSync(join(dir, 'certs-'));
  const server = spawn(process.execPath, [
    join(ROOT, 'dist', 'src', 'cli', 'main.js'), 'serve',
    '--host=127.0.0.1', '--port=0', '--metrics-port=0', `--dev-certs-dir=${certs}`,
    `--kubeconfig=${twoContextKubeconfig()}`, '--log-level=info', '--drain-seconds=0', ...extra,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  t.teardown(() => void server.kill('SIGKILL'));
  const ports = await listeningPorts(server, () => stderr);
  return { ...ports, ca: readFileSync(join(certs, 'ca.crt'), 'utf8') };
}

t.test('--context picks the cluster; the periodic audit publishes the gauge and posts an Event', async (t) => {
  const { port, metricsPort, ca } = await startServe(t, ['--context=fake', '--audit-interval=1s']);
  t.equal(await until(async () => (await httpsStatus(`https://127.0.0.1:${port}/readyz`, ca)) === 200), true, '/readyz turns 200 once the caches of context "fake" synced');
  const gaugeLine = /^ddguard_violations\{rule="cluster-agent-token-length",severity="error",namespace="datadog",kind="Deployment",name="datadog-cluster-agent"\} 1$/m;
  t.equal(await until(async () => gaugeLine.test((await httpGetText(`http://127.0.0.1:${metricsPort}/metrics`)).body)), true, 'the violation is a gauge series');
  t.equal(await until(async () => fake.count({ verb: 'create', resource: 'events' }) > 0), true, 'an Event is posted');
  t.notOk((await httpGetText(`http://127.0.0.1:${metricsPort}/metrics`)).body.includes(TOKEN_30), 'no token value in the metrics');
});

t.test('the current context, unreachable: serving, but never ready', async (t) => {
  const { port, ca } = await startServe(t, []);
  await new Promise((r) => setTimeout(r, 1500));
  t.equal(await httpsStatus(`https://127.0.0.1:${port}/readyz`, ca), 503, '/readyz says the caches are not synced');
});

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 20_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await Promise.resolve().then(check).catch(() => false)) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

