// The admission server over real TLS sockets, with Node's https client trusting the generated CA.
import { mkdirSync, mkdtempSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import t, { type Test } from 'tap';
import { generateCertificates, type CertificateBundle } from '../../src/certs/generate.js';
import { SERVER_TIMEOUTS } from '../../src/webhook/app.js';
import { CertificateReloader } from '../../src/webhook/tls.js';
import { WEBHOOK_TEST_RULES } from '../support/test-rules.js';
import { captureLogs, reviewOf, testServer } from '../support/webhook.js';
import { appSecret } from '../support/admission.js';

const LOOPBACK = { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };

interface Answer {
  status: number;
  body: string;
  fingerprint: string;
  alpn: string | false | null;
}

function post(port: number, ca: string[], body: string, options: { agent?: Agent; alpn?: string[]; maxVersion?: 'TLSv1.1' } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/validate?timeout=10s',
        method: 'POST',
        ca,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        ...(options.agent ? { agent: options.agent } : { agent: false }),
        ...(options.alpn ? { ALPNProtocols: options.alpn } : {}),
        ...(options.maxVersion ? { maxVersion: options.maxVersion, minVersion: 'TLSv1' as const } : {}),
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const fingerprint = socket.getPeerCertificate().fingerprint256;
        const alpn = socket.alpnProtocol;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), fingerprint, alpn }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function writePair(dir: string, bundle: CertificateBundle): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'tls.crt'), bundle.cert);
  writeFileSync(join(dir, 'tls.key'), bundle.key);
}

/** A mounted Secret as the kubelet lays it out: files are symlinks through `..data` to a timestamped dir. */
function kubernetesVolume(root: string, bundle: CertificateBundle): (next: CertificateBundle, version: string) => void {
  writePair(join(root, '..v1'), bundle);
  symlinkSync('..v1', join(root, '..data'));
  symlinkSync('..data/tls.crt', join(root, 'tls.crt'));
  symlinkSync('..data/tls.key', join(root, 'tls.key'));
  return (next, version) => {
    writePair(join(root, version), next);
    symlinkSync(version, join(root, '..data_tmp'));
    renameSync(join(root, '..data_tmp'), join(root, '..data')); // the atomic swap
  };
}

async function listeningServer(t: Test, certFile: string, keyFile: string) {
  const logs = captureLogs();
  const reloader = new CertificateReloader({ certFile, keyFile, logger: logs.logger, debounceMs: 50, pollMs: 0 });
  const server = await testServer({ rules: WEBHOOK_TEST_RULES, deps: { tls: reloader } });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  reloader.start();
  t.teardown(async () => {
    reloader.stop();
    await server.app.close();
  });
  const address = server.app.server.address();
  return { ...server, reloader, logs, port: typeof address === 'object' && address ? address.port : 0 };
}

const review = JSON.stringify(reviewOf(appSecret()));

t.test('HTTPS with the generated CA: TLS 1.2+, HTTP/1.1 only, long keep-alive, no plaintext', async (t) => {
  const bundle = await generateCertificates(LOOPBACK);
  const dir = mkdtempSync(join(tmpdir(), 'ddguard-tls-'));
  writePair(dir, bundle);
  const { port, app } = await listeningServer(t, join(dir, 'tls.crt'), join(dir, 'tls.key'));

  const answer = await post(port, [bundle.caCert], review, { alpn: ['h2', 'http/1.1'] });
  t.equal(answer.status, 200);
  t.equal(JSON.parse(answer.body).response.allowed, true);
  t.equal(answer.alpn, 'http/1.1', 'h2 is offered by the client and declined');

  await t.rejects(post(port, [bundle.caCert], review, { maxVersion: 'TLSv1.1' }), 'TLS 1.1 is refused');
  await t.rejects(post(port, [], review), /self[- ]signed|unable to verify|unable to get local issuer/i, 'untrusted without the CA');
  await t.rejects(
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/validate', method: 'POST' }, resolve);
      req.on('error', reject);
      req.end(review);
    }),
    'plain HTTP on the HTTPS port gets no answer',
  );
  t.equal(app.server.keepAliveTimeout, SERVER_TIMEOUTS.keepAliveMs);
  t.ok(app.server.keepAliveTimeout > 90_000 - 1, 'not shorter than the API server idle timeout');
  t.ok(app.server.headersTimeout < app.server.keepAliveTimeout);
});

t.test('a certificate swapped the way Kubernetes does is picked up, with no failed request', async (t) => {
  const first = await generateCertificates(LOOPBACK);
  const second = await generateCertificates(LOOPBACK);
  const ca = [first.caCert, second.caCert];
  const root = mkdtempSync(join(tmpdir(), 'ddguard-tls-'));
  const swap = kubernetesVolume(root, first);
  const { port, logs, metrics } = await listeningServer(t, join(root, 'tls.crt'), join(root, 'tls.key'));
  const keepAlive = new Agent({ keepAlive: true, maxSockets: 4 });
  t.teardown(() => keepAlive.destroy());

  const seen = new Set<string>();
  const failures: unknown[] = [];
  let sent = 0;
  let stop = false;
  const worker = async (agent?: Agent) => {
    while (!stop) {
      sent++;
      try {
        const answer = await post(port, ca, review, agent ? { agent } : {});
        if (answer.status !== 200) failures.push(answer.status);
        seen.add(answer.fingerprint);
      } catch (error: unknown) {
        failures.push(error);
      }
    }
  };
  const workers = [worker(), worker(), worker(keepAlive), worker(keepAlive)];
  await new Promise((r) => setTimeout(r, 300));
  const firstSeen = [...seen];
  swap(second, '..v2');
  const deadline = Date.now() + 5_000;
  while (seen.size < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await new Promise((r) => setTimeout(r, 300));
  stop = true;
  await Promise.all(workers);

  t.equal(firstSeen.length, 1, 'one certificate before the swap');
  t.equal(seen.size, 2, 'new connections get the new certificate');
  t.same(failures, [], `no failed request out of ${sent}`);
  t.ok(logs.lines().some((l) => l['msg'] === 'serving certificate reloaded'));
  t.match(await metrics.text(), new RegExp(`ddguard_tls_certificate_not_after_seconds ${Math.floor(second.notAfter.getTime() / 1000)}`));
});

t.test('a half-written pair is ignored until it is whole', async (t) => {
  const first = await generateCertificates(LOOPBACK);
  const second = await generateCertificates(LOOPBACK);
  const dir = mkdtempSync(join(tmpdir(), 'ddguard-tls-'));
  writePair(dir, first);
  const { port, reloader } = await listeningServer(t, join(dir, 'tls.crt'), join(dir, 'tls.key'));
  const ca = [first.caCert, second.caCert];
  const before = (await post(port, ca, review)).fingerprint;

  writeFileSync(join(dir, 'tls.crt'), second.cert); // the key is still the old one
  t.equal(reloader.reload(), false, 'a mismatched pair is not applied');
  const during = await post(port, ca, review);
  t.equal(during.status, 200);
  t.equal(during.fingerprint, before, 'the old pair keeps serving');

  writeFileSync(join(dir, 'tls.key'), second.key);
  t.equal(reloader.reload(), true);
  t.not((await post(port, ca, review)).fingerprint, before);
});
