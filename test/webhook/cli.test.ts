// `ddguard serve` as a user runs it: the built CLI in a fresh directory.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { ROOT } from '../support/fixtures.js';

const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');
const skip = !existsSync(MAIN) && 'run `npm run build` first';

t.test('bad flags and variables are all reported at once, exit 2', { skip }, async (t) => {
  const failed = await promisify(execFile)(process.execPath, [MAIN, 'serve', '--port', '70000', '--mode', 'block'], {
    env: { ...process.env, DDGUARD_LOG_LEVEL: 'loud' },
  }).catch((e: unknown) => e as { code: number; stderr: string });
  t.match(failed, { code: 2 });
  const { stderr } = failed as { stderr: string };
  t.match(stderr, /--port: must be <= 65535/);
  t.match(stderr, /--mode: must be equal to one of the allowed values \(enforce, warn\)/);
  t.match(stderr, /DDGUARD_LOG_LEVEL: must be equal to one of the allowed values/);
});

t.test('with no flags: a dev CA under certs/dev/, and the printed curl line gets a denial', { skip }, async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'ddguard-dev-'));
  // Free ports so parallel runs never collide, and no drain so the test ends quickly; everything else is the
  // default `npm start` path.
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--metrics-port', '0', '--host', '127.0.0.1', '--drain-seconds', '0'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBERNETES_SERVICE_HOST: '' },
  });
  t.teardown(() => void (child.exitCode === null && child.kill('SIGKILL')));
  let stderr = '';
  const help = new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const curl = /^\s*(curl --cacert .*)$/m.exec(stderr)?.[1];
      if (curl) resolve(curl);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  const curl = await help;
  const caFile = join(cwd, 'certs', 'dev', 'ca.crt');
  t.match(stderr, `CA certificate: ${caFile}`);
  t.ok(existsSync(join(cwd, 'certs', 'dev', 'tls.key')));

  const [, ca, url, sample] = /--cacert (\S+) (https:\/\/localhost:\d+\/validate) -H 'content-type: application\/json' -d @(\S+)$/.exec(curl) ?? [];
  t.equal(ca, caFile);
  const answer = await new Promise<string>((resolve, reject) => {
    const req = request(url!.replace('localhost', '127.0.0.1'), { method: 'POST', ca: readFileSync(ca!), servername: 'localhost', headers: { 'content-type': 'application/json' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', reject);
    req.end(readFileSync(sample!));
  });
  const response = JSON.parse(answer).response;
  t.equal(response.allowed, false);
  t.match(response.status.message, /^ddguard denied DaemonSet monitoring\/datadog: 1 problem\n\[kubelet-host-per-node\] /);

  child.kill('SIGTERM');
  const code = await new Promise((resolve) => child.on('exit', resolve));
  t.equal(code, 0);
});
