import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { httpGetText, httpsStatus, listeningPorts } from '../support/serve-process.js';
import { parse } from 'yaml';
import { ROOT } from '../support/fixtures.js';
import { runtimeLayout } from '../support/dockerfile.js';

/**
 * The image smoke test, without Docker: the runtime tree the Dockerfile's last stage describes (its
 * `COPY --from=build` lines, with node_modules from `npm ci --omit=dev`), started with the image's
 * ENTRYPOINT and the flags the Helm chart passes, answering /healthz over HTTPS. A runtime dependency left in
 * devDependencies, or a file the image does not copy, fails here.
 */

const layout = runtimeLayout(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));

t.test('the Dockerfile copies package.json, production node_modules and dist/src, and runs serve', async (t) => {
  t.same(layout.copies.map((c) => c.from).sort(), ['dist/src', 'node_modules', 'package.json']);
  t.same(layout.entrypoint.slice(1), ['dist/src/cli/main.js', 'serve']);
});

t.test('the image and the chart give Node.js the same heap ceiling', async (t) => {
  t.match(layout.nodeOptions, /--max-old-space-size=\d+/);
  const values = parse(readFileSync(join(ROOT, 'charts', 'ddguard', 'values.yaml'), 'utf8')) as { nodeOptions?: string };
  t.equal(values.nodeOptions, layout.nodeOptions);
});

t.test('the production tree serves /healthz over HTTPS', async (t) => {
  const main = join(ROOT, 'dist', 'src', 'cli', 'main.js');
  if (!existsSync(main)) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
  const app = mkdtempSync(join(tmpdir(), 'ddguard-image-'));
  let server: ChildProcess | undefined;
  t.teardown(() => {
    server?.kill('SIGKILL');
    rmSync(app, { recursive: true, force: true });
  });

  for (const { from, to } of layout.copies.filter((c) => c.from !== 'node_modules')) {
    cpSync(join(ROOT, from), join(app, to), { recursive: true });
  }
  cpSync(join(ROOT, 'package-lock.json'), join(app, 'package-lock.json'));
  const install = spawnSync('npm', ['ci', '--omit=dev', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: app, encoding: 'utf8', timeout: 120_000,
  });
  t.equal(install.status, 0, 'npm ci --omit=dev', { stderr: install.stderr });
  // The lockfile marks what only devDependencies need (`dev: true`); none of it may reach the image.
  const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const devOnly = Object.entries(lock.packages).filter(([path, entry]) => path && entry.dev).map(([path]) => path);
  t.ok(devOnly.includes('node_modules/typescript'), 'the lockfile marks dev-only packages');
  t.same(devOnly.filter((path) => existsSync(join(app, path))), [], 'no dev-only package is installed');

  // The serving certificate, made by the production tree itself, as `ddguard certs` would for the chart.
  const node = process.execPath;
  const [, script, command] = layout.entrypoint;
  const certs = spawnSync(node, [script ?? '', 'certs', '--service', 'ddguard', '--namespace', 'ddguard', '--out', 'tls', '--ip', '127.0.0.1'], {
    cwd: app, encoding: 'utf8', timeout: 30_000,
  });
  t.equal(certs.status, 0, 'ddguard certs', { stderr: certs.stderr });
  const ca = Buffer.from(certs.stdout.trim(), 'base64').toString('utf8');
  t.match(ca, /BEGIN CERTIFICATE/, 'ddguard certs prints the CA bundle');

  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], NODE_ENV: 'production', NODE_OPTIONS: layout.nodeOptions, HOME: app };
  server = spawn(node, [
    script ?? '', command ?? '',
    '--host=127.0.0.1', '--port=0', '--metrics-port=0',
    '--tls-cert=tls/tls.crt', '--tls-key=tls/tls.key',
    '--mode=enforce', '--log-level=info', '--drain-seconds=0',
    '--service-account=system:serviceaccount:ddguard:ddguard',
  ], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => server?.once('exit', (code) => resolve(code)));

  const ports = await listeningPorts(server, () => stderr);
  t.equal(await httpsStatus(`https://127.0.0.1:${ports.port}/healthz`, ca), 200, '/healthz');
  t.equal(await httpsStatus(`https://127.0.0.1:${ports.port}/readyz`, ca), 200, '/readyz');
  t.equal((await httpGetText(`http://127.0.0.1:${ports.metricsPort}/metrics`)).status, 200, '/metrics on plain HTTP');

  const review = readFileSync(join(ROOT, 'examples', 'admission', 'secret-short-cluster-agent-token.json'), 'utf8');
  const answer = JSON.parse(await post(`https://127.0.0.1:${ports.port}/validate`, ca, review)) as { response?: { uid?: string; allowed?: unknown } };
  const uid = (JSON.parse(review) as { request: { uid: string } }).request.uid;
  t.equal(answer.response?.uid, uid, '/validate answers the review with the rules loaded');
  t.equal(typeof answer.response?.allowed, 'boolean');

  server.kill('SIGTERM');
  t.equal(await exited, 0, 'SIGTERM: a clean exit');
});

function post(url: string, ca: string, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca, timeout: 5000, headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve(text));
    });
    req.on('error', reject);
    req.end(body);
  });
}
