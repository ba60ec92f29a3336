import t from 'tap';
import { WebhookConfigError } from '../../src/webhook/errors.js';
import { resolveServeOptions } from '../../src/webhook/serve-options.js';
import { resolveWebhookConfig } from '../../src/webhook/config.js';
import { loadServeConfig } from '../../src/webhook/config-file.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

t.test('defaults: HTTPS 8443, metrics 9090, enforce from config', async (t) => {
  const options = resolveServeOptions({}, {});
  t.match(options, { port: 8443, metricsPort: 9090, logLevel: 'info', devCertsDir: 'certs/dev', drainSeconds: 10 });
  t.equal(options.tlsCert, undefined);
  t.ok(Object.isFrozen(options));
});

t.test('environment variables are read and converted; flags win over them', async (t) => {
  const env = { DDGUARD_PORT: '9443', DDGUARD_METRICS_PORT: '9191', DDGUARD_MODE: 'warn', DDGUARD_DRAIN_SECONDS: '0.5' };
  t.match(resolveServeOptions({}, env), { port: 9443, metricsPort: 9191, mode: 'warn', drainSeconds: 0.5 });
  t.match(resolveServeOptions({ port: '10443', mode: 'enforce' }, env), { port: 10443, mode: 'enforce' });
});

t.test('every problem is reported at once, naming the flag or variable', async (t) => {
  const error = t.throws(() =>
    resolveServeOptions(
      { port: '70000', mode: 'block', tlsCert: '/tls/tls.crt' },
      { DDGUARD_LOG_LEVEL: 'loud', DDGUARD_METRICS_PORT: 'http', DDGUARD_SERVICE_ACCOUNT: 'ddguard' },
    ),
  ) as WebhookConfigError;
  t.type(error, WebhookConfigError);
  t.equal(error.code, 'DDG_WEBHOOK_CONFIG');
  const text = error.problems.join('\n');
  t.match(text, /--port: must be <= 65535/);
  t.match(text, /--mode: must be equal to one of the allowed values \(enforce, warn\)/);
  t.match(text, /DDGUARD_LOG_LEVEL: must be equal to one of the allowed values/);
  t.match(text, /DDGUARD_METRICS_PORT: must be integer/);
  t.match(text, /DDGUARD_SERVICE_ACCOUNT: must match pattern/);
  t.match(text, /--tls-cert needs --tls-key \(DDGUARD_TLS_KEY\) as well/);
  t.equal(error.problems.length, 6);
});

t.test('the metrics port must differ from the HTTPS port', async (t) => {
  t.throws(() => resolveServeOptions({ port: '9090' }, {}), /--metrics-port: must differ from the HTTPS port \(9090\)/);
  t.doesNotThrow(() => resolveServeOptions({ port: '0', metricsPort: '0' }, {}), 'two free ports are fine');
});

t.test('the webhook section: defaults, then the file, then flags', async (t) => {
  t.same(resolveWebhookConfig(), { mode: 'enforce', lookupFailure: 'allow', exemptNamespaces: [] });
  const merged = resolveWebhookConfig({ mode: 'warn', exemptNamespaces: ['kube-system'] }, { mode: 'enforce' });
  t.same(merged, { mode: 'enforce', lookupFailure: 'allow', exemptNamespaces: ['kube-system'] });
  t.ok(Object.isFrozen(merged) && Object.isFrozen(merged.exemptNamespaces));
});

t.test('the webhook section of a config file is validated, all problems at once', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ddguard-config-'));
  const good = join(dir, 'good.yaml');
  writeFileSync(good, 'severities:\n  kubelet-host-per-node: warning\nwebhook:\n  mode: warn\n  lookupFailure: deny\n  exemptNamespaces: [kube-system]\n');
  const loaded = await loadServeConfig(good);
  t.same(loaded.webhook, { mode: 'warn', lookupFailure: 'deny', exemptNamespaces: ['kube-system'] });
  t.same(loaded.engine.severities, { 'kubelet-host-per-node': 'warning' }, 'the engine part comes from src/config');
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'webhook:\n  mode: sometimes\n  exemptNamespaces: [Kube_System]\n  colour: blue\n');
  const error = (await loadServeConfig(bad).catch((e: unknown) => e)) as WebhookConfigError;
  t.type(error, WebhookConfigError);
  t.equal(error.problems.length, 3, error.message);
  t.match(error.message, /webhook has an unknown field "colour"/);
  const none = join(dir, 'none.yaml');
  writeFileSync(none, 'severities: {}\n');
  t.equal((await loadServeConfig(none)).webhook, undefined);
});
