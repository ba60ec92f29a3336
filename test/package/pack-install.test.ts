// The npm package as a user gets it: `npm pack` of the project, `npm install -g` of the tarball into an empty
// prefix, and the installed `ddguard` (not the work tree's) prints its version, checks manifests, makes a
// certificate and serves. The install fetches the dependencies from the npm registry (the local npm cache
// first); where the registry cannot be reached the install part is skipped, saying so.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { join, relative } from 'node:path';
import { request } from 'node:https';
import t from 'tap';
import { ROOT } from '../support/fixtures.js';
import { httpGetText, httpsStatus, listeningPorts } from '../support/serve-process.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
const SHORT_TOKEN = join(ROOT, 'test', 'fixtures', 'manifests', 'datadog-agent-short-token.yaml');
const CLEAN = join(ROOT, 'test', 'fixtures', 'manifests', 'datadog-agent-minimum.yaml');
const ALWAYS_SHIPPED = ['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json'];
const UNREACHABLE = /E(NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH)|network/;

/** npm without what `npm test` put in the environment (npm_config_*, the project's prefix). */
function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));
  return spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
}

function compiledSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return compiledSources(path);
    return entry.name.endsWith('.ts') ? [`dist/${relative(ROOT, path).replace(/\.ts$/, '.js')}`] : [];
  });
}

t.setTimeout(420_000);

t.ok(existsSync(join(ROOT, 'dist', 'src', 'cli', 'main.js')), 'dist/ is built (npm test builds it first)');
const dir = t.testdir({ prefix: {}, work: {} });
// --ignore-scripts: dist/ is already built, and rebuilding it here would race the other test files using it.
const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
const [manifest] = packed.status === 0 ? (JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[]) : [];
const prefix = join(dir, 'prefix');
const install = npm(['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(dir, manifest?.filename ?? 'missing.tgz')], join(dir, 'work'));
const unreachable = install.status !== 0 && UNREACHABLE.test(install.stderr)
  ? `the npm registry cannot be reached for the tarball's dependencies (${install.stderr.split('\n').find((l) => UNREACHABLE.test(l))?.trim()})`
  : false;

t.test('npm pack ships exactly dist/src, package.json, README, LICENSE and CHANGELOG', async (t) => {
  t.equal(packed.status, 0, 'npm pack', { stderr: packed.stderr });
  const shipped = (manifest?.files ?? []).map((f) => f.path).sort();
  t.same(shipped.filter((path) => !path.startsWith('dist/src/')), ALWAYS_SHIPPED, 'besides dist/src: package.json, README, LICENSE, CHANGELOG');
  t.same(shipped.filter((path) => path.startsWith('dist/src/') && !path.endsWith('.js')), [], 'only JavaScript from dist/src (no maps, no types)');
  t.same(compiledSources(join(ROOT, 'src')).filter((path) => !shipped.includes(path)), [], 'every source file ships compiled');
});

t.test('the tarball installs into an empty prefix and its ddguard runs check, certs and serve', { skip: unreachable }, async (t) => {
  t.equal(install.status, 0, 'npm install -g of the tarball', { stderr: install.stderr });
  const bin = join(prefix, 'bin', 'ddguard');
  t.match(realpathSync(bin), join(prefix, 'lib', 'node_modules', 'ddguard'), 'the command is the installed package, not the work tree');
  const env: NodeJS.ProcessEnv = { PATH: process.env['PATH'], HOME: join(dir, 'work') };
  const ddguard = (args: string[]) => spawnSync(bin, args, { cwd: join(dir, 'work'), env, encoding: 'utf8', timeout: 60_000 });

  for (const flag of ['--version', '-V']) {
    const version = ddguard([flag]);
    t.equal(version.status, 0, `${flag} exits 0`);
    t.equal(version.stdout.trim(), pkg.version, `${flag} prints the package version`);
  }

  const failing = ddguard(['check', SHORT_TOKEN]);
  t.equal(failing.status, 1, 'check: exit 1 on an error finding', { stderr: failing.stderr });
  t.match(failing.stdout, /error\s+cluster-agent-token-length/);
  const clean = ddguard(['check', CLEAN]);
  t.equal(clean.status, 0, 'check: exit 0 on a clean manifest', { stderr: clean.stderr });

  const certs = ddguard(['certs', '--service', 'ddguard', '--namespace', 'ddguard', '--out', 'tls', '--ip', '127.0.0.1']);
  t.equal(certs.status, 0, 'certs', { stderr: certs.stderr });
  const ca = readFileSync(join(dir, 'work', 'tls', 'ca.crt'), 'utf8');

  const server = spawn(bin, ['serve', '--host=127.0.0.1', '--port=0', '--metrics-port=0', '--tls-cert=tls/tls.crt', '--tls-key=tls/tls.key', '--drain-seconds=0'], {
    cwd: join(dir, 'work'), env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => void server.kill('SIGKILL'));
  let stderr = '';
  server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  const ports = await listeningPorts(server, () => stderr);
  t.equal(await httpsStatus(`https://127.0.0.1:${ports.port}/readyz`, ca), 200, 'serve: /readyz');
  t.equal((await httpGetText(`http://127.0.0.1:${ports.metricsPort}/metrics`)).status, 200, 'serve: /metrics');
  const review = readFileSync(join(ROOT, 'examples', 'admission', 'secret-short-cluster-agent-token.json'), 'utf8');
  const answer = JSON.parse(await post(`https://127.0.0.1:${ports.port}/validate`, ca, review)) as { response?: { allowed?: boolean; status?: { message?: string } } };
  t.equal(answer.response?.allowed, false, 'serve: the short token Secret is denied');
  t.match(answer.response?.status?.message, /cluster-agent-token-length/);
  server.kill('SIGTERM');
  t.equal(await exited, 0, 'serve: SIGTERM is a clean exit');
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
