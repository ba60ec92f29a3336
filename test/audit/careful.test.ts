// `ddguard audit` as careful as `check`: the same config file with the same validation, and every kubeconfig
// problem as one clear line with exit 2.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { startFakeApiServer } from '../support/fake-apiserver.js';
import { ROOT } from '../support/fixtures.js';
import { audit, ruleIdsOf } from '../support/audit.js';

const ns = 'datadog';
const TOKEN_30 = 'abcdefghijklmnopqrstuvwxyz0123';
const agent = {
  name: 'agent', image: 'registry.datadoghq.com/agent:7.81.1',
  env: [
    { name: 'DD_CLUSTER_AGENT_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 'datadog-cluster-agent', key: 'token' } } },
    { name: 'DD_KUBERNETES_KUBELET_HOST', value: '10.0.0.12' },
  ],
};
const cluster = [
  { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'datadog-cluster-agent', namespace: ns }, stringData: { token: TOKEN_30 } },
  {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'datadog', namespace: ns },
    spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent', 'agent.datadoghq.com/component': 'agent' } }, spec: { containers: [agent] } } },
  },
];

const fake = await startFakeApiServer({ objects: cluster });
t.teardown(() => fake.close());
const dir = mkdtempSync(join(tmpdir(), 'ddguard-audit-careful-'));
const kubeconfig = fake.writeKubeconfig(dir);
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');

t.test('--config applies check\'s severities and exemptions to the audit', async (t) => {
  const plain = await audit({ kubeconfig, format: 'json' });
  t.same(ruleIdsOf(plain.stdout), ['agent-rbac', 'agent-rbac-kubelet', 'cluster-agent-token-length', 'kubelet-host-per-node'], 'without a config (agent-rbac: this node Agent runs without a Cluster Agent and has no RBAC)');
  t.equal(plain.code, 1);

  const config = file('config.yaml', [
    'severities:',
    '  kubelet-host-per-node: off',
    '  agent-rbac-kubelet: warning',
    'exemptions:',
    '  - rules: [cluster-agent-token-length]',
    '    namespace: datadog',
    '    reason: rotating the token this week (TICKET-1)',
    '',
  ].join('\n'));
  const run = await audit({ kubeconfig, format: 'json', config });
  t.equal(run.code, 0, `nothing left that fails the run (stderr: ${run.stderr})`);
  const findings = (JSON.parse(run.stdout) as { findings: { ruleId: string; severity: string; exempted?: unknown }[] }).findings;
  t.notOk(findings.some((f) => f.ruleId === 'kubelet-host-per-node'), 'a rule switched off does not run');
  t.ok(findings.some((f) => f.ruleId === 'agent-rbac-kubelet' && f.severity === 'warning'), 'a severity is changed');
  t.ok(findings.filter((f) => f.ruleId === 'cluster-agent-token-length').every((f) => f.exempted), 'the exemption is applied and shown');
});

t.test('a bad config file: every problem, as check reports them, exit 2, and the cluster is not read', async (t) => {
  const config = file('bad.yaml', 'severities:\n  no-such-rule: error\n  kubelet-host-per-node: loud\nexemptions:\n  - namespace: datadog\n');
  const before = fake.requests.length;
  const run = await audit({ kubeconfig, config });
  t.equal(run.code, 2);
  t.equal(run.stdout, '');
  t.match(run.stderr, /^ddguard audit: /);
  t.match(run.stderr, /no-such-rule/);
  t.match(run.stderr, /kubelet-host-per-node/);
  t.notMatch(run.stderr, /internal error|\n\s+at /, 'no stack trace');
  t.equal(fake.requests.length, before, 'no request reached the API server');
  if (existsSync(MAIN)) {
    const check = await promisify(execFile)(process.execPath, [MAIN, 'check', '--config', config, join(ROOT, 'examples')]).catch((e: unknown) => e as { code: number; stderr: string });
    t.equal((check as { code: number }).code, 2, 'check rejects the same file');
    t.equal(run.stderr.replace(/^ddguard audit: /, ''), (check as { stderr: string }).stderr.replace(/^ddguard check: /, ''), 'with the same message');
  }
  const missing = await audit({ kubeconfig, config: join(dir, 'nope.yaml') });
  t.equal(missing.code, 2);
  t.match(missing.stderr, /nope\.yaml[^]*no such file/);
});

t.test('every kubeconfig problem is one line naming it, exit 2, no stack trace', async (t) => {
  const good = readFileSync(kubeconfig, 'utf8');
  const cases: [string, string, RegExp][] = [
    ['malformed YAML', file('malformed.yaml', 'apiVersion: v1\nclusters:\n  - name: x\n    cluster: {server: "https://a\n'), /cannot read the kubeconfig .*malformed\.yaml: invalid YAML at line \d+: /],
    ['an empty file', file('empty.yaml', ''), /cannot read the kubeconfig .*empty\.yaml: not a kubeconfig/],
    ['a cluster without a server', file('noserver.yaml', 'apiVersion: v1\nclusters:\n  - name: c\n    cluster: {}\n'), /cannot read the kubeconfig .*noserver\.yaml: clusters\[0\]\.cluster\.server is missing/],
    ['a missing file', join(dir, 'missing.yaml'), /kubeconfig not found: .*missing\.yaml/],
    ['a directory', mkdtempSync(join(dir, 'kubeconfig-dir-')), /cannot read the kubeconfig .*kubeconfig-dir-.*: EISDIR/],
    ['no current context', file('nocurrent.yaml', good.replace(/^current-context:.*$/m, '')), /the kubeconfig .*nocurrent\.yaml sets no current-context; its contexts: fake; pass --context NAME/],
    ['a current context that is not there', file('gone.yaml', good.replace(/^current-context:.*$/m, 'current-context: gone')), /the current context "gone" is not in the kubeconfig .*gone\.yaml/],
  ];
  for (const [what, path, message] of cases) {
    const run = await audit({ kubeconfig: path });
    t.equal(run.code, 2, `${what}: exit 2`);
    t.match(run.stderr, message, what);
    t.equal(run.stderr.trimEnd().split('\n').length, 1, `${what}: one line (${JSON.stringify(run.stderr)})`);
    t.notMatch(run.stderr, /internal error|YAMLException|TypeError/, `${what}: no internal error`);
  }
  const unknown = await audit({ kubeconfig, context: 'prod' });
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /^ddguard audit: unknown context "prod"; the kubeconfig has: fake\n$/);
});
