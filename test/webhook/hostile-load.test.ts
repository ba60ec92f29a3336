// Issue 10, "Done when": `ddguard serve` as the image runs it (its NODE_OPTIONS heap ceiling) is sent the
// expansion bomb three times at once, 3,000 distinct kinds and 40 concurrent 8 MiB reviews, and is then still
// up and answers a normal review. The latency of that review is printed, and held to the chart's 5 s timeout.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { generateCertificates } from '../../src/certs/generate.js';
import { BODY_LIMIT_BYTES } from '../../src/webhook/limits.js';
import { runtimeLayout } from '../support/dockerfile.js';
import { ROOT } from '../support/fixtures.js';
import { httpGetText, listeningPorts } from '../support/serve-process.js';
import { expansionBomb, exampleReview, largeReview, reviewOfKind } from '../support/hostile-clients.js';

const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const CHART_TIMEOUT_MS = 5_000;
const { nodeOptions } = runtimeLayout(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));

interface Answer {
  status: number;
  retryAfter?: string;
  body: string;
}

function post(port: number, ca: string, body: string | Buffer, agent: Agent | false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: '127.0.0.1', port, path: '/validate?timeout=5s', method: 'POST', ca, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), ...(res.headers['retry-after'] ? { retryAfter: String(res.headers['retry-after']) } : {}) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

t.test('under the image heap, bombs, 3,000 kinds and 40 concurrent 8 MiB reviews leave serve up and answering', { skip: !nodeOptions && 'the Dockerfile sets no NODE_OPTIONS' }, async (t) => {
  t.match(nodeOptions, /--max-old-space-size=\d+/, `the image's heap settings: ${nodeOptions}`);
  const bundle = await generateCertificates({ commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const dir = mkdtempSync(join(tmpdir(), 'ddguard-hostile-'));
  writeFileSync(join(dir, 'tls.crt'), bundle.cert);
  writeFileSync(join(dir, 'tls.key'), bundle.key);
  let stderr = '';
  const server = spawn(
    process.execPath,
    [MAIN, 'serve', '--host', '127.0.0.1', '--port', '0', '--metrics-port', '0', '--tls-cert', join(dir, 'tls.crt'), '--tls-key', join(dir, 'tls.key')],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: nodeOptions, KUBERNETES_SERVICE_HOST: '' } },
  );
  server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let exit: string | undefined;
  server.on('exit', (code, signal) => (exit = `exited with ${code ?? signal}: ${stderr.slice(-2000)}`));
  t.teardown(() => void (server.exitCode === null && server.kill('SIGKILL')));
  const { port, metricsPort } = await listeningPorts(server, () => stderr);
  const ca = bundle.caCert;
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  t.teardown(() => agent.destroy());

  // 1. The expansion bomb, three at once.
  const bombs = await Promise.all([0, 1, 2].map(() => post(port, ca, JSON.stringify(expansionBomb(20)), false)));
  t.same(bombs.map((b) => b.status), [200, 200, 200], 'the three bombs are answered');
  t.notOk(exit, 'up after the bombs');

  // 2. 3,000 distinct kinds, eight connections at a time.
  const statuses = new Map<number, number>();
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < 3000) {
      const { status } = await post(port, ca, JSON.stringify(reviewOfKind(`HostileKind${next++}`)), agent);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    }
  }));
  t.same(Object.fromEntries(statuses), { 200: 3000 }, 'every distinct kind is answered');
  t.notOk(exit, 'up after 3,000 kinds');

  // 3. Forty valid reviews of just under the 8 MiB body limit, all at once.
  const large = Buffer.from(JSON.stringify(largeReview(BODY_LIMIT_BYTES - 4096)));
  t.ok(large.length > BODY_LIMIT_BYTES - 8192 && large.length <= BODY_LIMIT_BYTES, `each review is ${large.length} bytes`);
  // Kept-alive connections, as the API server's: a 429 sent before the body is read keeps the connection, and
  // the server discards the rest of the body as it arrives.
  // The connections are opened first, as the API server's already are: a handshake queued behind 320 MB of
  // uploads would outlast the 10 s both ends give it (the API server's client gives up then too).
  const wide = new Agent({ keepAlive: true, maxSockets: 40 });
  t.teardown(() => wide.destroy());
  const small = JSON.stringify(exampleReview());
  await Promise.all(Array.from({ length: 40 }, () => post(port, ca, small, wide)));
  const answers = await Promise.all(Array.from({ length: 40 }, () => post(port, ca, large, wide).catch((error: Error) => ({ status: 0, body: error.message }) as Answer)));
  const byStatus = answers.reduce<Record<number, number>>((acc, a) => ((acc[a.status] = (acc[a.status] ?? 0) + 1), acc), {});
  t.comment(`40 concurrent 8 MiB reviews: ${JSON.stringify(byStatus)} ${answers.find((a) => a.status === 0)?.body ?? ""}`);
  t.ok(answers.every((a) => a.status === 200 || (a.status === 429 && a.retryAfter === '1')), 'each one answered, or turned away with 429 and Retry-After');
  t.ok((byStatus[200] ?? 0) >= 1, 'some are reviewed');
  t.notOk(exit, 'up after the large reviews');

  // 4. Still up, and a normal review is answered within the chart's timeout.
  const started = process.hrtime.bigint();
  const normal = await post(port, ca, JSON.stringify(exampleReview()), false);
  const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
  t.comment(`a normal review after all that: ${latencyMs.toFixed(1)} ms`);
  t.equal(normal.status, 200);
  t.equal(JSON.parse(normal.body).response.allowed, false, 'judged as usual (the example is denied)');
  t.ok(latencyMs < CHART_TIMEOUT_MS, `answered within the chart's ${CHART_TIMEOUT_MS} ms timeout`);
  t.equal(server.exitCode, null, 'the process is still running');
  const metrics = await httpGetText(`http://127.0.0.1:${metricsPort}/metrics`);
  const series = metrics.body.split('\n').filter((l) => l.startsWith('ddguard_admission_requests_total{'));
  t.ok(series.length <= 6, `${series.length} request series after 3,000 kinds`);
  const rss = /process_resident_memory_bytes (\d+)/.exec(metrics.body)?.[1];
  if (rss) t.comment(`resident memory after the run: ${Math.round(Number(rss) / 1048576)} MiB`);
});
