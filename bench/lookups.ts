// Section 4: API calls per 1,000 admissions at steady state. `ddguard serve` runs as a real child process
// against the stand-in API server (test/support/fake-apiserver.ts, compiled to dist/test/support because this
// file imports it), seeded with the official chart's install; every request the stand-in receives is logged.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { startFakeApiServer, type ObjectInput, type RequestRecord } from '../test/support/fake-apiserver.js';
import { REPO, capturedReviews, freePort, imageNodeOptions, sleep, type CapturedReview } from './util.js';

export interface LookupFigures {
  admissions: number;
  seconds: number;
  secretTtlSeconds: number;
  apiCalls: number;
  callsPer1000: number;
  /** `verb resource` (or `GET <path>` for discovery) → calls during the measured window. */
  breakdown: Record<string, number>;
  /** The same for start-up (paged lists and watches) plus the warm-up, for context; not in the figure. */
  startupBreakdown: Record<string, number>;
  /** Measured Secret gets by `namespace/name status` (names only, never values). */
  secretGets: Record<string, number>;
  errors: number;
  seeded: number;
  /** Why the figure depends on the rate: Secret refreshes follow the clock, not the admissions. */
  note: string;
}

/** Default ddguard Secret TTL (src/kube-client/secrets.ts); the measured window must span several of them. */
const SECRET_TTL_SECONDS = 10;

export async function runLookups(admissions: number, seconds: number): Promise<LookupFigures> {
  const reviews = capturedReviews();
  const seed = installationOf(reviews);
  const fake = await startFakeApiServer({ objects: seed });
  const dir = mkdtempSync(join(tmpdir(), 'ddguard-bench-lookups-'));
  let proc: ChildProcess | undefined;
  try {
    execFileSync('node', [join(REPO, 'dist/src/cli/main.js'), 'certs', '--service', 'bench', '--namespace', 'bench', '--out', dir, '--ip', '127.0.0.1', '--dns', 'localhost'], { stdio: 'ignore' });
    const ca = readFileSync(join(dir, 'ca.crt'));
    const kubeconfig = fake.writeKubeconfig(dir);
    const port = await freePort();
    const metricsPort = await freePort();
    proc = spawn('node', [
      join(REPO, 'dist/src/cli/main.js'), 'serve', '--host', '127.0.0.1', '--port', String(port), '--metrics-port', String(metricsPort),
      '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key'), '--kubeconfig', kubeconfig, '--drain-seconds', '0',
    ], { env: { ...process.env, NODE_OPTIONS: imageNodeOptions() }, stdio: ['ignore', 'ignore', 'inherit'] });
    await waitReady(port, ca);

    const requests = reviews.map((r) => ({ method: 'POST', path: '/validate', headers: { 'content-type': 'application/json' }, body: r.body }));
    const load = (opts: { amount: number; overallRate?: number }): Promise<Result> =>
      autocannon({ url: `https://127.0.0.1:${port}/validate`, requests, connections: 4, tlsOptions: { ca, rejectUnauthorized: true }, ...opts });
    const failed = (r: Result): number => r.errors + r.timeouts + r.non2xx;

    // Warm-up: every review a few times, so the Secret cache is filled and JIT is done before counting.
    let errors = failed(await load({ amount: reviews.length * 10 }));
    const startupBreakdown = breakdownOf(fake.requests);
    fake.resetRequests();

    // Steady state: a fixed rate over several Secret TTLs, so the cache's refreshes are counted.
    const started = Date.now();
    const measured = await load({ amount: admissions, overallRate: Math.max(1, Math.round(admissions / seconds)) });
    const elapsed = (Date.now() - started) / 1000;
    errors += failed(measured);
    const calls = [...fake.requests];
    const sent = measured.requests.total;
    return {
      admissions: sent,
      seconds: elapsed,
      secretTtlSeconds: SECRET_TTL_SECONDS,
      apiCalls: calls.length,
      callsPer1000: sent > 0 ? (calls.length * 1000) / sent : NaN,
      breakdown: breakdownOf(calls),
      startupBreakdown,
      secretGets: countBy(calls.filter((c) => c.verb === 'get' && c.resource === 'secrets'), (c) => `${c.namespace ?? ''}/${c.name ?? ''} ${c.status ?? 'no answer'}`),
      errors,
      seeded: seed.length,
      note: `at steady state only Secret gets remain: about referenced Secrets x 1000 / (TTL ${SECRET_TTL_SECONDS}s x admissions/s) per 1,000; this run sent ${(sent / elapsed).toFixed(0)}/s`,
    };
  } finally {
    proc?.kill('SIGKILL');
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The cluster as the chart left it: every object of the captured CREATE reviews (the token and API-key Secrets
 * included) plus the ServiceAccounts the workloads run as, which the captured webhook did not see.
 */
function installationOf(reviews: CapturedReview[]): ObjectInput[] {
  const objects: ObjectInput[] = [];
  const serviceAccounts = new Set<string>();
  for (const r of reviews) {
    const object = r.review.request.object as ObjectInput | undefined;
    if (!object?.kind) continue;
    const { resourceVersion: _rv, uid: _uid, managedFields: _mf, ...metadata } = object.metadata ?? {};
    objects.push({ ...object, metadata });
    const spec = (object['spec'] as { template?: { spec?: { serviceAccountName?: string } } } | undefined)?.template?.spec;
    if (spec?.serviceAccountName) serviceAccounts.add(`${metadata.namespace ?? 'default'}/${spec.serviceAccountName}`);
  }
  for (const ref of serviceAccounts) {
    const [namespace, name] = ref.split('/') as [string, string];
    objects.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } });
  }
  return objects;
}

/** Calls grouped by verb and resource; a held-open watch counts once, when it was opened. */
function breakdownOf(calls: readonly RequestRecord[]): Record<string, number> {
  return countBy(calls, (c) => (c.verb && c.resource ? `${c.verb} ${c.resource}` : `${c.method} ${c.path}`));
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

/** Ready means every list/watch loop has done its first list: /readyz answers 200. */
async function waitReady(port: number, ca: Buffer): Promise<void> {
  for (let i = 0; i < 300; i++) {
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
