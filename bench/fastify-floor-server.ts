// The stack's floor for the HTTP section: Fastify, the framework the webhook is built on (the project's chosen
// stack), over the same node:https server and certificate, parsing the body as JSON and answering the same
// fixed "allowed" AdmissionReview as the node:https floor, with no logging, metrics or rules. Between the two
// floors is what the framework itself costs; between this one and ddguard is ddguard's own work.
//   node dist/bench/fastify-floor-server.js PORT CERT KEY
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const [port, cert, key] = process.argv.slice(2);
if (!port || !cert || !key) throw new Error('usage: fastify-floor-server PORT CERT KEY');

const app = Fastify({ https: { cert: readFileSync(cert), key: readFileSync(key) }, logger: false });
// The body read as text and given to JSON.parse, as the node:https floor does (and as ddguard reads it): Fastify's
// default parser would add its prototype-poisoning scan, which is not the framework's routing and replying.
app.removeAllContentTypeParsers();
app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
  try {
    done(null, JSON.parse(body as string));
  } catch (error: unknown) {
    done(error as Error, undefined);
  }
});
app.post<{ Body: { request?: { uid?: string } } }>('/validate', async (request) => ({
  apiVersion: 'admission.k8s.io/v1',
  kind: 'AdmissionReview',
  response: { uid: request.body?.request?.uid ?? '', allowed: true },
}));
app.server.keepAliveTimeout = 60_000;
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.stdout.write(`listening ${port}\n`);
