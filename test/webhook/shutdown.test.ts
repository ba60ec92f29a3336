// SIGTERM: readiness fails, requests keep being answered through the drain, in-flight ones finish, exit 0.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t from 'tap';
import { generateCertificates } from '../../src/certs/generate.js';
import { DrainState } from '../../src/webhook/drain.js';
import { shutdownGracefully } from '../../src/webhook/shutdown.js';
import { CertificateReloader } from '../../src/webhook/tls.js';
import { StaticWorldProvider, type WorldProvider } from '../../src/world/world-provider.js';
import { ROOT } from '../support/fixtures.js';
import { WEBHOOK_TEST_RULES } from '../support/test-rules.js';
import { captureLogs, reviewOf, testServer } from '../support/webhook.js';
import { appSecret } from '../support/admission.js';

const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const review = JSON.stringify(reviewOf(appSecret()));

function call(port: number, ca: string, path: string, agent: Agent | false): Promise<{ status: number; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: path === '/readyz' ? 'GET' : 'POST', ca, agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ...(res.headers.connection ? { connection: res.headers.connection } : {}) }));
      },
    );
    req.on('error', reject);
    req.end(path === '/readyz' ? undefined : review);
  });
}

async function certificateFiles() {
  const bundle = await generateCertificates({ commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const dir = mkdtempSync(join(tmpdir(), 'ddguard-shutdown-'));
  writeFileSync(join(dir, 'tls.crt'), bundle.cert);
  writeFileSync(join(dir, 'tls.key'), bundle.key);
  return { dir, ca: bundle.caCert, certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
}

t.test('in-flight requests finish and idle keep-alive connections are closed', async (t) => {
  const files = await certificateFiles();
  let release: () => void = () => {};
  const slow: WorldProvider = {
    prepare: async () => {
      await new Promise<void>((resolve) => (release = resolve));
      return new StaticWorldProvider().prepare();
    },
    ready: () => true,
  };
  const drain = new DrainState();
  const server = await testServer({ rules: WEBHOOK_TEST_RULES, worldProvider: slow, deps: { drain, tls: new CertificateReloader({ certFile: files.certFile, keyFile: files.keyFile, logger: captureLogs().logger }) } });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  const port = (server.app.server.address() as { port: number }).port;
  const idle = new Agent({ keepAlive: true });
  t.teardown(() => idle.destroy());
  await call(port, files.ca, '/readyz', idle); // leaves an idle kept-alive socket behind

  // A review that is still being prepared when the shutdown starts.
  const inFlight = call(port, files.ca, '/validate', false);
  await new Promise((r) => setTimeout(r, 100));
  const closing = shutdownGracefully({ drain, drainMs: 50, servers: [server.app], logger: server.logs.logger, closeTimeoutMs: 5_000 });
  await new Promise((r) => setTimeout(r, 300));
  release();
  const answer = await inFlight;
  t.equal(answer.status, 200, 'the in-flight review is answered');
  t.equal(answer.connection, 'close');
  t.equal(await closing, true, 'closed in time, the idle socket did not hold it open');
  await t.rejects(call(port, files.ca, '/readyz', false), { code: 'ECONNREFUSED' });
});

t.test('the built CLI drains on SIGTERM while requests flow, then exits 0', { skip: !existsSync(MAIN) && 'run `npm run build` first' }, async (t) => {
  const files = await certificateFiles();
  const drainSeconds = 1.5;
  const child = spawn(
    process.execPath,
    [MAIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--metrics-port', '0', '--tls-cert', files.certFile, '--tls-key', files.keyFile, '--drain-seconds', String(drainSeconds)],
    { cwd: files.dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const lines: Record<string, unknown>[] = [];
  const listening = new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const record = JSON.parse(line) as Record<string, unknown>;
      lines.push(record);
      if (record['msg'] === 'listening') resolve(record['port'] as number);
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code} before listening`)));
  });
  const port = await listening;

  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  t.teardown(() => agent.destroy());
  let stopAt = Number.POSITIVE_INFINITY;
  const results: { at: number; status?: number; error?: string }[] = [];
  const worker = async () => {
    while (Date.now() < stopAt) {
      try {
        results.push({ at: Date.now(), status: (await call(port, files.ca, '/validate', agent)).status });
      } catch (error: unknown) {
        results.push({ at: Date.now(), error: String(error) });
      }
    }
  };
  const workers = [worker(), worker(), worker(), worker()];
  await new Promise((r) => setTimeout(r, 300));
  const sigterm = Date.now();
  child.kill('SIGTERM');
  // Stop sending shortly before the drain ends: by then a real endpoint has left the Service.
  stopAt = sigterm + drainSeconds * 1000 - 300;
  await new Promise((r) => setTimeout(r, 300));
  const readiness = await call(port, files.ca, '/readyz', false);
  await Promise.all(workers);
  const code = await exited;

  const duringDrain = results.filter((r) => r.at > sigterm);
  t.equal(readiness.status, 503, 'readiness fails during the drain');
  t.ok(duringDrain.length > 10, `requests kept flowing after SIGTERM (${duringDrain.length})`);
  t.same(results.filter((r) => r.status !== 200), [], `all ${results.length} requests answered 200`);
  t.equal(code, 0, 'exit code 0');
  const messages = lines.map((l) => l['msg']);
  t.ok(messages.includes('shutting down: readiness is now failing; still answering while draining'));
  t.equal(messages.at(-1), 'shut down cleanly');
});
