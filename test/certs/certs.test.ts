import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { promisify } from 'node:util';
import t from 'tap';
import { ensureDevCertificates } from '../../src/certs/dev.js';
import { caBundleOf, writeCertificates } from '../../src/certs/files.js';
import { generateCertificates, serviceDnsNames } from '../../src/certs/generate.js';
import { ROOT } from '../support/fixtures.js';

const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const run = promisify(execFile);
const temp = () => mkdtempSync(join(tmpdir(), 'ddguard-certs-'));

t.test('a CA and a serving certificate for a Service, with the names the API server dials', async (t) => {
  const bundle = await generateCertificates({
    commonName: 'ddguard.ddguard.svc',
    dnsNames: [...serviceDnsNames('ddguard', 'ddguard'), 'ddguard.example.test'],
    ipAddresses: ['127.0.0.1'],
    validityDays: 30,
  });
  const ca = new X509Certificate(bundle.caCert);
  const cert = new X509Certificate(bundle.cert);
  t.equal(ca.ca, true);
  t.equal(cert.ca, false);
  t.ok(cert.verify(ca.publicKey), 'signed by the CA');
  t.ok(cert.checkPrivateKey(createPrivateKey(bundle.key)));
  t.equal(
    cert.subjectAltName,
    'DNS:ddguard, DNS:ddguard.ddguard, DNS:ddguard.ddguard.svc, DNS:ddguard.ddguard.svc.cluster.local, DNS:ddguard.example.test, IP Address:127.0.0.1',
  );
  t.match(cert.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'serverAuth');
  const days = (new Date(cert.validTo).getTime() - Date.now()) / 86_400_000;
  t.ok(days > 29.9 && days <= 30, `valid for 30 days (${days.toFixed(2)})`);
  t.ok(new Date(ca.validTo) > new Date(cert.validTo), 'the CA outlives the certificate');
  t.not(ca.serialNumber, cert.serialNumber);
});

t.test('a TLS client trusting only the CA accepts the certificate for <svc>.<ns>.svc, and not for another name', async (t) => {
  const bundle = await generateCertificates({ commonName: 'x', dnsNames: serviceDnsNames('ddguard', 'ddguard') });
  const server = createServer({ cert: bundle.cert, key: bundle.key }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const port = (server.address() as { port: number }).port;
  const handshake = (servername: string) =>
    new Promise<void>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, servername, ca: bundle.caCert }, () => {
        socket.end();
        resolve();
      });
      socket.on('error', reject);
    });
  await t.resolves(handshake('ddguard.ddguard.svc'));
  await t.resolves(handshake('ddguard.ddguard.svc.cluster.local'));
  await t.rejects(handshake('other.ddguard.svc'), { code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
});

t.test('files: tls.key is 0600, and existing files are kept unless overwriting', async (t) => {
  const dir = join(temp(), 'out');
  const bundle = await generateCertificates({ commonName: 'x', dnsNames: ['x'] });
  const paths = writeCertificates(dir, bundle);
  t.equal(statSync(paths.keyFile).mode & 0o777, 0o600);
  t.equal(readFileSync(paths.caFile, 'utf8'), bundle.caCert);
  t.throws(() => writeCertificates(dir, bundle), { code: 'DDG_CERT_FILES', message: /already exist; pass --force/ });
  const other = await generateCertificates({ commonName: 'y', dnsNames: ['y'] });
  writeCertificates(dir, other, { overwrite: true });
  t.equal(readFileSync(paths.certFile, 'utf8'), other.cert);
  t.equal(statSync(paths.keyFile).mode & 0o777, 0o600);
  t.equal(Buffer.from(caBundleOf(bundle.caCert), 'base64').toString(), bundle.caCert);
});

t.test('development certificates are generated once, reused, and replaced when they near expiry', async (t) => {
  const dir = join(temp(), 'certs', 'dev');
  const first = await ensureDevCertificates(dir);
  t.equal(first.created, true);
  const cert = new X509Certificate(readFileSync(first.certFile));
  t.ok(cert.checkHost('localhost') && cert.checkIP('127.0.0.1'));
  const again = await ensureDevCertificates(dir);
  t.equal(again.created, false, 'reused on the next start');
  t.equal(readFileSync(again.caFile, 'utf8'), readFileSync(first.caFile, 'utf8'), 'the CA a developer trusted stays');
  const nearExpiry = new Date(Date.now() + 360 * 86_400_000);
  t.equal((await ensureDevCertificates(dir, nearExpiry)).created, true);
});

t.test('`ddguard certs` writes the files and prints only the base64 CA bundle on stdout', { skip: !existsSync(MAIN) && 'run `npm run build` first' }, async (t) => {
  const out = join(temp(), 'tls');
  const args = [MAIN, 'certs', '--service', 'ddguard', '--namespace', 'monitoring', '--out', out, '--ip', '127.0.0.1', '--dns', 'localhost'];
  const { stdout, stderr } = await run(process.execPath, args);
  t.equal(stdout.trim(), Buffer.from(readFileSync(join(out, 'ca.crt'))).toString('base64'));
  t.match(stderr, /tls\.key \(0600\)/);
  const cert = new X509Certificate(readFileSync(join(out, 'tls.crt')));
  t.match(cert.subjectAltName, /DNS:ddguard\.monitoring\.svc,.*DNS:localhost, IP Address:127\.0\.0\.1/);
  t.equal(statSync(join(out, 'tls.key')).mode & 0o777, 0o600);

  const again = await run(process.execPath, args).catch((e: unknown) => e as { code: number; stderr: string });
  t.match(again, { code: 2, stderr: /already exist; pass --force/ });
  const bad = await run(process.execPath, [MAIN, 'certs', '--service', 'Bad_Name', '--namespace', 'ns', '--out', temp(), '--ip', 'nope']).catch(
    (e: unknown) => e as { code: number; stderr: string },
  );
  t.match(bad, { code: 2, stderr: /--service Bad_Name: not a valid Service name; --ip nope: not an IP address/ });
});
