// Section 1: ddguard serve against two floors, each in its own process, same certificate, same mix: the bare
// node:https floor (the issue's), and Fastify doing no more than that floor (the stack's, to tell the framework's
// share of the gap from ddguard's own work).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readFileSync, mkdtempSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon, { type Result } from 'autocannon';
import { REPO, capturedReviews, freePort, imageNodeOptions, rssMb, sleep } from './util.js';

interface Server { name: 'ddguard' | 'floor' | 'fastify'; proc: ChildProcess; port: number }

export interface HttpFigures {
  throughput: Record<string, { c16: number; c64: number }>;
  rate1000: Record<string, { p50: number; p99: number; achieved: number }>;
  rssAfterMb: Record<string, number>;
  soak: { requests: number; rssHalfMb: number; rssEndMb: number; growthMb: number; seconds: number; note: string };
  errors: Record<string, number>;
}

export async function runHttp(seconds: number, soakTarget: number, soakMaxSeconds: number): Promise<HttpFigures> {
  const certDir = mkdtempSync(join(tmpdir(), 'ddguard-bench-certs-'));
  execFileSync('node', [join(REPO, 'dist/src/cli/main.js'), 'certs', '--service', 'bench', '--namespace', 'bench', '--out', certDir, '--ip', '127.0.0.1', '--dns', 'localhost'], { stdio: 'ignore' });
  const cert = join(certDir, 'tls.crt');
  const key = join(certDir, 'tls.key');
  const ca = readFileSync(join(certDir, 'ca.crt'));
  const reviews = capturedReviews();
  const requests = reviews.map((r) => ({ method: 'POST', path: '/validate', headers: { 'content-type': 'application/json' }, body: r.body }));

  const servers: Server[] = [];
  // Both servers run with the image's Node.js settings (heap ceiling), so only the code differs.
  const env = { ...process.env, NODE_OPTIONS: imageNodeOptions() };
  try {
    const floorPort = await freePort();
    servers.push({ name: 'floor', port: floorPort, proc: spawn('node', [join(REPO, 'dist/bench/floor-server.js'), String(floorPort), cert, key], { env, stdio: ['ignore', 'ignore', 'inherit'] }) });
    const fastifyPort = await freePort();
    servers.push({ name: 'fastify', port: fastifyPort, proc: spawn('node', [join(REPO, 'dist/bench/fastify-floor-server.js'), String(fastifyPort), cert, key], { env, stdio: ['ignore', 'ignore', 'inherit'] }) });
    const ddPort = await freePort();
    const metricsPort = await freePort();
    // At the default log level, as the chart ships it: the line written for each decision is part of the cost.
    servers.push({
      name: 'ddguard', port: ddPort,
      proc: spawn('node', [join(REPO, 'dist/src/cli/main.js'), 'serve', '--host', '127.0.0.1', '--port', String(ddPort), '--metrics-port', String(metricsPort), '--tls-cert', cert, '--tls-key', key, '--drain-seconds', '0'], { env, stdio: ['ignore', 'ignore', 'inherit'] }),
    });
    for (const s of servers) await waitReady(s.port, ca, reviews[0]?.body ?? '{}');

    const load = (s: Server, opts: { connections: number; duration?: number; amount?: number; overallRate?: number }): Promise<Result> =>
      autocannon({ url: `https://127.0.0.1:${s.port}/validate`, requests, tlsOptions: { ca, rejectUnauthorized: true }, ...opts });

    const errors: Record<string, number> = { floor: 0, fastify: 0, ddguard: 0 };
    const count = (s: Server, r: Result): Result => { errors[s.name] = (errors[s.name] ?? 0) + r.errors + r.timeouts + r.non2xx; return r; };
    // Warm-up: JIT and connection setup out of the way before anything is measured.
    for (const s of servers) count(s, await load(s, { connections: 16, duration: 2 }));

    const throughput: HttpFigures['throughput'] = { floor: { c16: 0, c64: 0 }, fastify: { c16: 0, c64: 0 }, ddguard: { c16: 0, c64: 0 } };
    const rate1000: HttpFigures['rate1000'] = {};
    // Alternate: floor, Fastify, ddguard, floor... so drift on a shared machine hits them alike.
    for (const c of [16, 64] as const) {
      for (const s of servers) {
        const r = count(s, await load(s, { connections: c, duration: seconds }));
        throughput[s.name]![c === 16 ? 'c16' : 'c64'] = r.requests.average;
      }
    }
    for (const s of servers.filter((server) => server.name !== 'fastify')) {
      const r = count(s, await load(s, { connections: 16, duration: seconds, overallRate: 1000 }));
      rate1000[s.name] = { p50: r.latency.p50, p99: r.latency.p99, achieved: r.requests.average };
    }
    const rssAfterMb: Record<string, number> = {};
    for (const s of servers) rssAfterMb[s.name] = rssMb(s.proc.pid ?? 0);

    const dd = servers.find((s) => s.name === 'ddguard')!;
    const soak = await runSoak((amount) => load(dd, { connections: 16, amount }).then((r) => count(dd, r)), dd, throughput['ddguard']!.c16, soakTarget, soakMaxSeconds);
    return { throughput, rate1000, rssAfterMb, soak, errors };
  } finally {
    for (const s of servers) s.proc.kill('SIGKILL');
  }
}

/** Soak of ddguard alone: RSS at the half and at the end; growth over the second half is the leak signal. */
async function runSoak(
  send: (amount: number) => Promise<Result>,
  dd: Server,
  measuredRate: number,
  soakTarget: number,
  soakMaxSeconds: number,
): Promise<HttpFigures['soak']> {
  const rate = measuredRate || 1000;
  const requestsSoak = Math.min(soakTarget, Math.floor((rate * soakMaxSeconds) / 1000) * 1000);
  const half = Math.floor(requestsSoak / 2);
  const started = Date.now();
  await send(half);
  const rssHalfMb = rssMb(dd.proc.pid ?? 0);
  await send(half);
  const rssEndMb = rssMb(dd.proc.pid ?? 0);
  return {
    requests: half * 2, rssHalfMb, rssEndMb, growthMb: rssEndMb - rssHalfMb, seconds: (Date.now() - started) / 1000,
    note: half * 2 < soakTarget ? `shortened from ${soakTarget} to fit ${soakMaxSeconds}s at the measured rate` : '',
  };
}

async function waitReady(port: number, ca: Buffer, body: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/validate', method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.end(body);
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`server on ${port} never answered 200`);
}
