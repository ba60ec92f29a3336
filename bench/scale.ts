// Section 5 (issue 12): `ddguard serve --kubeconfig` and `ddguard audit` against the stand-in API server loaded
// with a large cluster: 20,000 Deployments of ordinary size (two containers, a dozen env vars) in 2,000
// namespaces, each with a few ServiceAccounts, Roles and RoleBindings, 50 ClusterRoles, and one Datadog
// install built from the repository's own fixtures (so the bench needs no ../shared). The stand-in runs in
// this process; ddguard runs as a child process with the image's NODE_OPTIONS.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { startFakeApiServer, type FakeApiServer, type ObjectInput, type RequestRecord } from '../test/support/fake-apiserver.js';
import autocannon from 'autocannon';

interface LoadResult { p99: number; errors: number; sent: number }
import { REPO, freePort, imageNodeOptions, peakRssMb, rssMb, sleep } from './util.js';

export interface ScaleOptions {
  deployments: number;
  namespaces: number;
  /** Churn on non-Datadog Deployments: updates per second and for how long. */
  churnPerSecond: number;
  churnSeconds: number;
  /** Admission load while measuring p99: requests per second for this many seconds. */
  loadRate: number;
  loadSeconds: number;
}

export interface ScaleFigures {
  objects: Record<string, number>;
  serve: {
    emptyReadySeconds: number;
    emptyRssMb: number;
    readySeconds: number;
    readyRssMb: number;
    rssAfterChurnMb: number;
    churnUpdates: number;
    churnSeconds: number;
    p99Ms: number;
    p99DuringRelistMs: number;
    relistLists: number;
    relistSeconds: number;
    admissionsDuringRelist: number;
    admissionErrors: number;
    startupRequests: Record<string, number>;
    churnRequests: Record<string, number>;
  };
  audit: { seconds: number; peakRssMb: number; exitCode: number | null; requests: Record<string, number> };
}

export async function runScale(options: ScaleOptions): Promise<ScaleFigures> {
  const datadog = datadogInstall();
  const dir = mkdtempSync(join(tmpdir(), 'ddguard-bench-scale-'));
  execFileSync('node', [join(REPO, 'dist/src/cli/main.js'), 'certs', '--service', 'bench', '--namespace', 'bench', '--out', dir, '--ip', '127.0.0.1', '--dns', 'localhost'], { stdio: 'ignore' });
  const ca = readFileSync(join(dir, 'ca.crt'));
  try {
    // The same serve with only the Datadog install: what the footprint should be relative to.
    const empty = await startFakeApiServer({ objects: datadog, historyLimit: 50_000 });
    let emptyReadySeconds = NaN;
    let emptyRssMb = NaN;
    try {
      const serve = await startServe(empty, dir, ca);
      emptyReadySeconds = serve.readySeconds;
      await sleep(2000);
      emptyRssMb = rssMb(serve.proc.pid!);
      serve.proc.kill('SIGKILL');
    } finally {
      await empty.close();
    }

    process.stderr.write(`scale: seeding ${options.deployments} Deployments in ${options.namespaces} namespaces...\n`);
    const cluster = largeCluster(options);
    const fake = await startFakeApiServer({ objects: [...cluster, ...datadog], historyLimit: 50_000 });
    const objects: Record<string, number> = {};
    for (const o of [...cluster, ...datadog]) objects[o.kind ?? ''] = (objects[o.kind ?? ''] ?? 0) + 1;
    try {
      fake.resetRequests();
      const serve = await startServe(fake, dir, ca);
      const startupRequests = breakdownOf(fake.requests);
      await sleep(2000);
      const readyRssMb = rssMb(serve.proc.pid!);

      const review = JSON.stringify(reviewOf(datadog.find((o) => o.kind === 'DaemonSet')!));
      // The load runs in a worker thread: the stand-in API server shares this one, and the list pages it builds
      // during a relist would otherwise hold up the load generator's clock and count as ddguard's latency.
      const load = async (duration = options.loadSeconds): Promise<LoadResult> => {
        const r = await autocannon({
          url: `https://127.0.0.1:${serve.port}/validate`, requests: [{ method: 'POST', path: '/validate', headers: { 'content-type': 'application/json' }, body: review }],
          connections: 4, overallRate: options.loadRate, duration, tlsOptions: { ca, rejectUnauthorized: true }, workers: 1,
        });
        return { p99: r.latency.p99, errors: r.errors + r.timeouts + r.non2xx, sent: r.requests.total };
      };
      // The first seconds of load warm the JIT and the TLS session cache; they are not the quiet figure.
      await load(2);
      const quiet = await load();

      // A forced relist: the watches drop and the history they would resume from is compacted (410 Gone).
      fake.resetRequests();
      const during = load();
      await sleep(500);
      const relistStarted = Date.now();
      // All three in one tick: were the revision moved first, the ClusterRole watch would see the event and
      // resume from the new revision, which compaction keeps (as a real API server would), and never relist.
      fake.closeWatches();
      fake.apply({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'bench-moves-the-revision' }, rules: [] });
      fake.compact();
      const relisted = waitRelisted(fake).then(() => (Date.now() - relistStarted) / 1000);
      const relist = await during;
      const relistSeconds = await relisted;
      const relistLists = fake.count({ verb: 'list' });

      fake.resetRequests();
      process.stderr.write(`scale: churn, ${options.churnPerSecond} updates/s for ${options.churnSeconds}s...\n`);
      const churnUpdates = await churn(fake, cluster, options);
      await sleep(3000);
      const rssAfterChurnMb = rssMb(serve.proc.pid!);
      const churnRequests = breakdownOf(fake.requests);
      serve.proc.kill('SIGKILL');

      fake.resetRequests();
      process.stderr.write('scale: ddguard audit...\n');
      const audit = await runAudit(fake, dir);
      return {
        objects,
        serve: {
          emptyReadySeconds, emptyRssMb, readySeconds: serve.readySeconds, readyRssMb, rssAfterChurnMb, churnUpdates, churnSeconds: options.churnSeconds,
          p99Ms: quiet.p99, p99DuringRelistMs: relist.p99, relistLists, relistSeconds, admissionsDuringRelist: relist.sent, admissionErrors: quiet.errors + relist.errors, startupRequests, churnRequests,
        },
        audit: { ...audit, requests: breakdownOf(fake.requests) },
      };
    } finally {
      await fake.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startServe(fake: FakeApiServer, dir: string, ca: Buffer): Promise<{ proc: ChildProcess; port: number; readySeconds: number }> {
  const port = await freePort();
  const metricsPort = await freePort();
  const started = Date.now();
  const proc = spawn('node', [
    join(REPO, 'dist/src/cli/main.js'), 'serve', '--host', '127.0.0.1', '--port', String(port), '--metrics-port', String(metricsPort),
    '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key'), '--kubeconfig', fake.writeKubeconfig(dir), '--drain-seconds', '0',
  ], { env: { ...process.env, NODE_OPTIONS: imageNodeOptions() }, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    await waitReady(proc, port, ca);
  } catch (error) {
    proc.kill('SIGKILL');
    throw error;
  }
  return { proc, port, readySeconds: (Date.now() - started) / 1000 };
}

/** Updates to non-Datadog Deployments (an env value changes) at a steady rate. */
async function churn(fake: FakeApiServer, cluster: ObjectInput[], options: ScaleOptions): Promise<number> {
  const deployments = cluster.filter((o) => o.kind === 'Deployment');
  const end = Date.now() + options.churnSeconds * 1000;
  let sent = 0;
  const tick = 100;
  const perTick = Math.max(1, Math.round((options.churnPerSecond * tick) / 1000));
  while (Date.now() < end) {
    const next = Date.now() + tick;
    for (let i = 0; i < perTick; i++) {
      const d = deployments[sent % deployments.length]!;
      const containers = (d['spec'] as { template: { spec: { containers: { env: { name: string; value: string }[] }[] } } }).template.spec.containers;
      containers[0]!.env[0]!.value = `rev-${sent}`;
      fake.apply(d);
      sent++;
    }
    await sleep(Math.max(0, next - Date.now()));
  }
  return sent;
}

/** `ddguard audit` as a process: wall time and peak RSS (VmHWM, polled while it runs). */
async function runAudit(fake: FakeApiServer, dir: string): Promise<{ seconds: number; peakRssMb: number; exitCode: number | null }> {
  const started = Date.now();
  const proc = spawn('node', [join(REPO, 'dist/src/cli/main.js'), 'audit', '--kubeconfig', fake.writeKubeconfig(dir), '-f', 'json'], {
    env: { ...process.env, NODE_OPTIONS: imageNodeOptions() }, stdio: ['ignore', 'ignore', 'inherit'],
  });
  let peak = 0;
  const poll = setInterval(() => (peak = Math.max(peak, peakRssMb(proc.pid!) || 0)), 50);
  const exitCode = await new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  clearInterval(poll);
  return { seconds: (Date.now() - started) / 1000, peakRssMb: peak, exitCode };
}

const ENV_NAMES = ['LOG_LEVEL', 'PORT', 'DB_HOST', 'DB_PORT', 'DB_NAME', 'CACHE_URL', 'FEATURE_FLAGS', 'REGION', 'TZ', 'JAVA_OPTS', 'OTEL_SERVICE_NAME', 'SENTRY_ENVIRONMENT'];

/** The large cluster without Datadog: Deployments of ordinary size, RBAC and ServiceAccounts per namespace. */
export function largeCluster(options: Pick<ScaleOptions, 'deployments' | 'namespaces'>): ObjectInput[] {
  const out: ObjectInput[] = [];
  const rbac = 'rbac.authorization.k8s.io/v1';
  for (let n = 0; n < options.namespaces; n++) {
    const namespace = `team-${String(n).padStart(4, '0')}`;
    for (const name of ['default', 'app']) out.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
    for (const name of ['app-reader', 'app-config']) {
      out.push({ apiVersion: rbac, kind: 'Role', metadata: { name, namespace }, rules: [{ apiGroups: [''], resources: ['configmaps', 'pods'], verbs: ['get', 'list', 'watch'] }] });
      out.push({ apiVersion: rbac, kind: 'RoleBinding', metadata: { name, namespace }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name }, subjects: [{ kind: 'ServiceAccount', name: 'app', namespace }] });
    }
  }
  for (let i = 0; i < 50; i++) {
    out.push({ apiVersion: rbac, kind: 'ClusterRole', metadata: { name: `platform-${i}`, labels: { team: 'platform' } }, rules: [{ apiGroups: ['', 'apps'], resources: ['pods', 'deployments', 'services'], verbs: ['get', 'list', 'watch'] }] });
  }
  for (let i = 0; i < options.deployments; i++) {
    const namespace = `team-${String(i % options.namespaces).padStart(4, '0')}`;
    const name = `svc-${i}`;
    const env = ENV_NAMES.map((e, k) => ({ name: e, value: `${e.toLowerCase()}-${k}-${i}` }));
    const container = (c: string, image: string) => ({
      name: c, image, env, ports: [{ containerPort: 8080, name: 'http' }],
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
      readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 10 },
    });
    out.push({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name, namespace, labels: { app: name, team: namespace }, annotations: { 'deployment.kubernetes.io/revision': '1' } },
      spec: {
        replicas: 2, selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name, team: namespace } }, spec: { serviceAccountName: 'app', containers: [container('app', `registry.example.com/${name}:1.0.${i}`), container('proxy', 'envoyproxy/envoy:v1.31.0')] } },
      },
    });
  }
  return out;
}

/** One Datadog install (Cluster Agent and node Agent, their RBAC, a 32-byte token Secret) from test/fixtures. */
export function datadogInstall(): ObjectInput[] {
  const files = [
    'cluster-agent-rbac/pass.chart-layout.yaml',
    'agent-rbac-kubelet/pass.chart-layout.yaml',
    'cluster-agent-token-length/pass.exactly-32-bytes.yaml',
  ];
  const byKey = new Map<string, ObjectInput>();
  for (const file of files) {
    for (const doc of loadAll(readFileSync(join(REPO, 'test/fixtures/rules', file), 'utf8')) as ObjectInput[]) {
      if (!doc?.kind) continue;
      const clusterScoped = doc.kind === 'ClusterRole' || doc.kind === 'ClusterRoleBinding';
      const metadata = { ...doc.metadata, ...(clusterScoped ? {} : { namespace: 'datadog' }) };
      // The two fixtures' DaemonSets are one node Agent: the later one brings the token, the first the kubelet host.
      const key = `${doc.kind}/${metadata.name}`;
      byKey.set(key, mergeAgent(byKey.get(key), { ...doc, metadata }));
    }
  }
  return [...byKey.values()];
}

function mergeAgent(before: ObjectInput | undefined, after: ObjectInput): ObjectInput {
  if (!before || after.kind !== 'DaemonSet') return after;
  const envOf = (o: ObjectInput) => ((o['spec'] as { template: { spec: { containers: { env?: unknown[] }[] } } }).template.spec.containers[0]?.env ?? []);
  const merged = structuredClone(after);
  (merged['spec'] as { template: { spec: { containers: { env?: unknown[] }[]; serviceAccountName?: string } } }).template.spec.containers[0]!.env = [...envOf(after), ...envOf(before)];
  (merged['spec'] as { template: { spec: { serviceAccountName?: string } } }).template.spec.serviceAccountName = 'datadog';
  return merged;
}

function reviewOf(object: ObjectInput): object {
  return {
    apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
    request: {
      uid: 'bench', kind: { group: 'apps', version: 'v1', kind: object.kind }, resource: { group: 'apps', version: 'v1', resource: 'daemonsets' },
      name: object.metadata?.name, namespace: object.metadata?.namespace, operation: 'UPDATE', userInfo: { username: 'bench' }, object, oldObject: object,
    },
  };
}

function breakdownOf(calls: readonly RequestRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of calls) {
    const key = c.verb && c.resource ? `${c.verb} ${c.resource}` : `${c.method} ${c.path}`;
    out[key] = (out[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

/** The relist is over when every kind watches again: a watch request follows each kind's last page. */
async function waitRelisted(fake: FakeApiServer): Promise<void> {
  const kinds = new Set(['clusterroles', 'clusterrolebindings', 'roles', 'rolebindings', 'serviceaccounts', 'deployments', 'daemonsets', 'statefulsets']);
  for (let i = 0; i < 6000; i++) {
    const requests = fake.requests;
    const done = (kind: string) => {
      const last = (verb: string) => requests.reduce((at, r, i) => (r.verb === verb && r.resource === kind ? i : at), -1);
      const lastList = last('list');
      return lastList >= 0 && last('watch') > lastList;
    };
    if ([...kinds].every(done)) return;
    await sleep(100);
  }
}

async function waitReady(proc: ChildProcess, port: number, ca: Buffer): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    if (proc.exitCode !== null) throw new Error(`ddguard serve exited with ${proc.exitCode} before it was ready`);
    const status = await new Promise<number>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/readyz', method: 'GET', ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.end();
    });
    if (status === 200) return;
    await sleep(100);
  }
  throw new Error(`ddguard serve on ${port} never became ready against the stand-in API server`);
}
