// Issue 10, findings 2, 3, 5, 6 and 7: what the server accepts, holds and logs when a client is hostile or
// broken. In-process through inject() where the socket does not matter, over real TLS sockets where it does.
import { connect as tcpConnect, type Socket } from 'node:net';
import { Agent, request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import t, { type Test } from 'tap';
import { generateCertificates } from '../../src/certs/generate.js';
import { RULES } from '../../src/rules/index.js';
import type { ServerLimits } from '../../src/webhook/limits.js';
import type { PreparedWorld, WorldProvider } from '../../src/world/world-provider.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import { exampleReview, largeReview, reviewOfKind } from '../support/hostile-clients.js';
import { testServer } from '../support/webhook.js';
import { throwsTypeErrorRule } from '../support/test-rules.js';

const LOOPBACK = { commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] };

t.test('only application/json in UTF-8 is reviewed; 415 for the rest, before the body is judged', async (t) => {
  const server = await testServer({ rules: RULES });
  t.teardown(() => server.app.close());
  const body = JSON.stringify(exampleReview());
  const send = (contentType: string, payload: string | Buffer = body) =>
    server.app.inject({ method: 'POST', url: '/validate', headers: { 'content-type': contentType }, payload });
  for (const type of ['application/json', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'application/json; charset=utf8']) {
    t.equal((await send(type)).statusCode, 200, type);
  }
  for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'application/json; charset=iso-8859-1']) {
    const answer = await send(type, type.includes('utf-16') ? Buffer.from(body, 'utf16le') : body);
    t.equal(answer.statusCode, 415, type);
    t.match(answer.json(), { kind: 'Status', code: 415, reason: 'UnsupportedMediaType', message: /application\/json/ });
  }
  const long = await send(`text/plain; x=${'y'.repeat(10_000)}`);
  t.ok(long.body.length < 1000, 'the refused content type is quoted cut short');
});

t.test('other methods on /validate get a 405 Status naming POST', async (t) => {
  const server = await testServer({ rules: RULES });
  t.teardown(() => server.app.close());
  for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE'] as const) {
    const answer = await server.app.inject({ method, url: '/validate?timeout=5s' });
    t.equal(answer.statusCode, 405, method);
    t.equal(answer.headers['allow'], 'POST', `${method}: Allow header`);
    if (method !== 'HEAD') t.match(answer.json(), { kind: 'Status', code: 405, reason: 'MethodNotAllowed' }, method);
  }
  t.equal((await server.app.inject({ method: 'GET', url: '/nowhere' })).statusCode, 404);
});

t.test('3,000 distinct kinds make no new series: kinds nothing judges are labelled other', async (t) => {
  const server = await testServer({ rules: RULES });
  t.teardown(() => server.app.close());
  for (let i = 0; i < 3000; i++) await server.validate(reviewOfKind(`Kind${i}`));
  await server.validate(reviewOfKind('K'.repeat(1024 * 1024)));
  await server.validate(exampleReview());
  const series = (await server.metrics.text()).split('\n').filter((l) => l.startsWith('ddguard_admission_requests_total{'));
  t.same(series.sort(), [
    'ddguard_admission_requests_total{kind="DaemonSet",operation="CREATE",decision="deny"} 1',
    'ddguard_admission_requests_total{kind="other",operation="CREATE",decision="allow"} 3001',
  ]);
  t.ok(server.logs.text().split('\n').every((line) => line.length < 4096), 'the megabyte kind is cut short in the log');
});

t.test('log lines carry request values cut short and redacted; errors are logged with their real class and counted', async (t) => {
  const server = await testServer({ rules: [throwsTypeErrorRule] });
  t.teardown(() => server.app.close());
  const review = exampleReview();
  const value = `VALUE-${'v'.repeat(64 * 1024)}`;
  review.request.name = '';
  review.request.object!.metadata = { ...review.request.object!.metadata, generateName: value };
  const answer = await server.validate(review);
  t.equal(answer.statusCode, 500);
  const lines = server.logs.text().trim().split('\n');
  t.ok(lines.every((line) => line.length < 8 * 1024), `no line near the 64 KB value (longest ${Math.max(...lines.map((l) => l.length))})`);
  const failed = server.logs.lines().find((l) => l['msg'] === 'admission review failed') as { err: { type: string; message: string }; name: string };
  t.equal(failed.err.type, 'TypeError');
  t.match(failed.name, /^VALUE-v+… \(\d+ more characters\)$/);
  t.match(failed.err.message, /more characters\)$/);
  t.match(await server.metrics.text(), /ddguard_internal_errors_total 1\b/);
});

/** A cluster that answers after `ms`: the review's bytes stay held meanwhile. */
class SlowWorld implements WorldProvider {
  constructor(private readonly ms: number) {}
  async prepare(): Promise<PreparedWorld> {
    await new Promise((resolve) => setTimeout(resolve, this.ms));
    return { world: new ManifestWorld([], {}), lookupFailures: [] };
  }
  ready(): boolean {
    return true;
  }
}

t.test('review bytes in flight are capped: 429 with Retry-After at the headers, and the bytes come back', async (t) => {
  const limits: Partial<ServerLimits> = { maxInFlightBytes: 2 * 1024 * 1024 };
  const server = await testServer({ rules: RULES, worldProvider: new SlowWorld(300), deps: { limits } });
  t.teardown(() => server.app.close());
  const body = JSON.stringify(largeReview(900 * 1024));
  const send = () => server.app.inject({ method: 'POST', url: '/validate', headers: { 'content-type': 'application/json' }, payload: body });
  const answers = await Promise.all(Array.from({ length: 6 }, send));
  const codes = answers.map((a) => a.statusCode).sort();
  t.same(codes, [200, 200, 429, 429, 429, 429], 'two reviews of 900 KiB fit in 2 MiB');
  const shed = answers.find((a) => a.statusCode === 429)!;
  t.equal(shed.headers['retry-after'], '1');
  t.match(shed.json(), { kind: 'Status', code: 429, reason: 'TooManyRequests' });
  t.match(await server.metrics.text(), /ddguard_requests_shed_total\{limit="bytes"\} 4/);
  t.match(await server.metrics.text(), /ddguard_in_flight_bytes 0\b/, 'every byte given back');
  t.equal((await send()).statusCode, 200, 'and the next review is let in');
  // One review is always let in, even one larger than the cap.
  const alone = await testServer({ rules: RULES, deps: { limits: { maxInFlightBytes: 1024 } } });
  t.teardown(() => alone.app.close());
  t.equal((await alone.validate(largeReview(500 * 1024))).statusCode, 200);
});

/** A TLS server on an ephemeral port with `limits`, and its CA. */
async function tlsServer(t: Test, limits: Partial<ServerLimits>, worldProvider?: WorldProvider) {
  const bundle = await generateCertificates(LOOPBACK);
  const pair = { cert: bundle.cert, key: bundle.key, notAfter: new Date(Date.now() + 86_400_000) };
  const tls = { current: () => pair, ready: () => true, onChange: () => undefined };
  const server = await testServer({ rules: RULES, ...(worldProvider ? { worldProvider } : {}), deps: { tls, limits } });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => server.app.close());
  const address = server.app.server.address();
  return { ...server, ca: bundle.caCert, port: typeof address === 'object' && address ? address.port : 0 };
}

function post(port: number, ca: string, body: string | undefined, options: { agent?: Agent; chunked?: string[] } = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-type': 'application/json' };
    if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/validate', method: 'POST', ca, headers, agent: options.agent ?? false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    if (body !== undefined) {
      req.end(body);
      return;
    }
    // No Content-Length: the body streams in chunks, counted as they come.
    const chunks = [...(options.chunked ?? [])];
    const next = () => {
      const chunk = chunks.shift();
      if (chunk === undefined) req.end();
      else req.write(chunk, () => setTimeout(next, 5));
    };
    next();
  });
}

t.test('over TLS: a streamed body without Content-Length is counted as it arrives and turned away at the cap', async (t) => {
  const server = await tlsServer(t, { maxInFlightBytes: 1024 * 1024 }, new SlowWorld(1500));
  const holder = post(server.port, server.ca, JSON.stringify(largeReview(900 * 1024)));
  await new Promise((resolve) => setTimeout(resolve, 400));
  const text = JSON.stringify(largeReview(600 * 1024));
  const pieces = Array.from({ length: 12 }, (_, i) => text.slice(i * 51_200, (i + 1) * 51_200)).filter(Boolean);
  const streamed = await post(server.port, server.ca, undefined, { chunked: pieces }).catch((error: Error) => ({ status: -1, headers: {}, body: error.message }));
  t.equal(streamed.status, 429, 'turned away mid-stream');
  t.equal((await holder).status, 200, 'the review holding the bytes is answered');
  t.equal((await post(server.port, server.ca, undefined, { chunked: pieces })).status, 200, 'streamed alone, it fits');
});

/** Resolves with how long the server took to close `socket` (or rejects after `ms`). */
function closedWithin(socket: Socket, ms: number): Promise<number> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms);
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - started);
    });
  });
}

t.test('connections: capped, closed when they never finish TLS or never send a request; keep-alive kept', async (t) => {
  const server = await tlsServer(t, { maxConnections: 3, handshakeTimeoutMs: 300, headersTimeoutMs: 1000 });

  const silent = tcpConnect(server.port, '127.0.0.1');
  t.ok((await closedWithin(silent, 5000)) < 3000, 'a TCP connection that never starts TLS is closed after the handshake timeout');

  const idle = tlsConnect({ host: '127.0.0.1', port: server.port, ca: server.ca });
  await new Promise((resolve) => idle.once('secureConnect', resolve));
  t.ok((await closedWithin(idle, 6000)) < 4000, 'a TLS connection that sends no request is closed after the headers timeout');

  const held = await Promise.all([0, 1, 2].map(() => new Promise<Socket>((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: server.port, ca: server.ca }, () => resolve(socket));
  })));
  const extra = tcpConnect(server.port, '127.0.0.1');
  t.ok((await closedWithin(extra, 2000)) < 2000, 'a connection past the cap is closed at once');
  for (const socket of held) socket.destroy();
  await new Promise((resolve) => setTimeout(resolve, 100));

  // The API server keeps its connections idle up to 90 s between reviews: that is not the headers timeout.
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const body = JSON.stringify(exampleReview());
  const sockets = new Set<unknown>();
  agent.on('free', (socket) => sockets.add(socket));
  t.equal((await post(server.port, server.ca, body, { agent })).status, 200);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  t.equal((await post(server.port, server.ca, body, { agent })).status, 200);
  t.equal(sockets.size, 1, 'the second review reused the idle connection');
});
