// The floor for the HTTP section: the least an HTTPS admission webhook in Node.js can do. It reads the body,
// parses it as JSON and answers a fixed "allowed" AdmissionReview. Run as its own process:
//   node dist/bench/floor-server.js PORT CERT KEY
import { createServer } from 'node:https';
import { readFileSync } from 'node:fs';

const [port, cert, key] = process.argv.slice(2);
if (!port || !cert || !key) throw new Error('usage: floor-server PORT CERT KEY');

const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    let uid = '';
    try {
      const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request?: { uid?: string } };
      uid = review.request?.uid ?? '';
    } catch {
      res.writeHead(400).end();
      return;
    }
    const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), '127.0.0.1', () => process.stdout.write(`listening ${port}\n`));
