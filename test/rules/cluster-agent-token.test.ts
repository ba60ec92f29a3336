// The Cluster Agent token rules beyond "the rule fires": which object and JSON pointer each failing fixture is
// reported on, that no message ever carries a token, what happens when a live lookup fails. Over the official
// manifests: test/shared-corpus/cluster-agent-token.
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { Engine } from '../../src/engine/engine.js';
import { RULES } from '../../src/rules/index.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import { unknown, type World } from '../../src/kube-model/world.js';
import { decodeSecret } from '../../src/kube-model/secrets.js';
import { isRecord, type KubeObject } from '../../src/kube-model/types.js';
import type { Finding } from '../../src/engine/types.js';
import { loadRuleFixtures } from '../support/fixtures.js';

const TOKEN_RULES = [
  'cluster-agent-token-length',
  'cluster-agent-token-whitespace',
  'cluster-agent-token-mismatch',
  'cluster-agent-token-ref',
  'cluster-agent-token-inline',
  'datadogagent-token-secret-config',
];
const engine = new Engine(RULES.filter((rule) => TOKEN_RULES.includes(rule.id)));

function run(objects: KubeObject[], world: World = new ManifestWorld(objects, { defaultNamespace: 'datadog' })): Finding[] {
  return objects.flatMap((object) => engine.evaluate(object, world));
}

const where = (f: Finding) => `${f.object.kind}/${f.object.name} ${f.path}`;

// Where each failing fixture must be reported, and nowhere else (for its own rule).
const EXPECTED: Record<string, string[]> = {
  'cluster-agent-token-length/fail.helm-secret-30-bytes': ['Secret/datadog-cluster-agent /stringData/token'],
  'cluster-agent-token-length/fail.referenced-secret-31-bytes': [
    'Secret/my-dca-token /data/token',
    'DaemonSet/datadog /spec/template/spec/containers/0/env/1',
  ],
  'cluster-agent-token-length/fail.literal-env': ['Deployment/datadog-cluster-agent /spec/template/spec/containers/0/env/0'],
  'cluster-agent-token-length/fail.envfrom-prefix': [
    'Secret/dd-cluster-agent-env /stringData/AUTH_TOKEN',
    'DaemonSet/datadog /spec/template/spec/containers/0/envFrom/0',
  ],
  'cluster-agent-token-length/fail.datadogagent-placeholder': ['DatadogAgent/datadog /spec/global/clusterAgentToken'],
  'cluster-agent-token-length/fail.operator-owned-secret': ['Secret/datadog-token /data/token'],
  'cluster-agent-token-length/fail.dd-env-key': ['Secret/datadog-env /stringData/DD_CLUSTER_AGENT_AUTH_TOKEN'],
  'cluster-agent-token-length/fail.composite-expansion': ['DaemonSet/datadog /spec/template/spec/containers/0/env/2'],
  'cluster-agent-token-length/fail.invalid-base64': ['Secret/datadog-cluster-agent /data/token'],
  'cluster-agent-token-whitespace/fail.trailing-newline-from-echo': ['Secret/datadog-cluster-agent /data/token'],
  'cluster-agent-token-whitespace/fail.block-scalar-keeps-newline': ['Secret/datadog-cluster-agent /stringData/token'],
  'cluster-agent-token-whitespace/fail.referenced-secret-crlf': [
    'Secret/dca-token /stringData/token',
    'Deployment/datadog-cluster-agent /spec/template/spec/containers/0/env/0',
  ],
  'cluster-agent-token-whitespace/fail.space-inside-literal': ['Deployment/datadog-cluster-agent /spec/template/spec/containers/0/env/0'],
  'cluster-agent-token-whitespace/fail.datadogagent-trailing-space': ['DatadogAgent/datadog /spec/global/clusterAgentToken'],
  'cluster-agent-token-whitespace/fail.control-character': ['Secret/datadog-cluster-agent /data/token'],
  'cluster-agent-token-mismatch/fail.different-secrets': [
    'DaemonSet/datadog /spec/template/spec/containers/0/env/1',
    'Deployment/datadog-cluster-agent /spec/template/spec/containers/0/env/0',
  ],
  'cluster-agent-token-mismatch/fail.literal-values-differ': [
    'DaemonSet/datadog /spec/template/spec/containers/0/env/1',
    'Deployment/datadog-cluster-agent /spec/template/spec/containers/0/env/0',
  ],
  'cluster-agent-token-mismatch/fail.runner-reads-other-key': [
    'Deployment/datadog-cluster-agent /spec/template/spec/containers/0/env/0',
    'Deployment/datadog-clusterchecks /spec/template/spec/containers/0/env/1',
  ],
  'cluster-agent-token-mismatch/fail.cluster-agent-without-token': ['Deployment/datadog-cluster-agent /spec/template/spec/containers/0'],
  'cluster-agent-token-mismatch/fail.cluster-agent-without-token-config-mounted': [
    'Deployment/datadog-cluster-agent /spec/template/spec/containers/0',
  ],
  'cluster-agent-token-mismatch/fail.sources-differ-secrets-missing': [
    'DaemonSet/datadog /spec/template/spec/containers/0/env/1',
    'Deployment/datadog-cluster-agent /spec/template/spec/containers/0/env/0',
  ],
  'cluster-agent-token-mismatch/fail.node-agent-token-from-unlisted-envfrom': ['DaemonSet/datadog /spec/template/spec/containers/0'],
  'cluster-agent-token-mismatch/fail.containers-differ': ['DaemonSet/datadog /spec/template/spec/containers/1/env/1'],
  'cluster-agent-token-ref/fail.secret-missing': ['DaemonSet/datadog /spec/template/spec/containers/0/env/1'],
  'cluster-agent-token-ref/fail.key-missing': ['Deployment/datadog-cluster-agent /spec/template/spec/containers/0/env/0'],
  'cluster-agent-token-ref/fail.helm-baseline-empty-data': ['DaemonSet/datadog /spec/template/spec/containers/0/env/1'],
  'cluster-agent-token-ref/fail.datadogagent-secret-missing': ['DatadogAgent/datadog /spec/global/clusterAgentTokenSecret'],
  'cluster-agent-token-inline/fail.literal-value': ['Deployment/datadog-cluster-agent /spec/template/spec/containers/0/env/0'],
  'cluster-agent-token-inline/fail.literal-through-expansion': ['DaemonSet/datadog /spec/template/spec/containers/0/env/2'],
  'datadogagent-token-secret-config/fail.no-keyname': ['DatadogAgent/datadog /spec/global/clusterAgentTokenSecret'],
  'datadogagent-token-secret-config/fail.empty-keyname-with-literal': ['DatadogAgent/datadog /spec/global/clusterAgentTokenSecret'],
};

const fixtures = loadRuleFixtures().filter((f) => TOKEN_RULES.includes(f.ruleId));

t.test('each failing fixture is reported on the right objects and JSON pointers', async (t) => {
  const failing = fixtures.filter((f) => f.expect === 'fail');
  t.same(
    failing.map((f) => `${f.ruleId}/${f.file.split('/').pop()!.replace(/\.ya?ml$/, '')}`).sort(),
    Object.keys(EXPECTED).sort(),
    'every failing fixture has an expectation',
  );
  for (const fixture of failing) {
    const id = `${fixture.ruleId}/${fixture.file.split('/').pop()!.replace(/\.ya?ml$/, '')}`;
    const mine = run(fixture.objects).filter((f) => f.ruleId === fixture.ruleId);
    t.same(mine.map(where).sort(), [...(EXPECTED[id] ?? [])].sort(), id);
  }
});

/** Every token value a fixture holds: Secret values (decoded), env literals, DatadogAgent literals. */
function tokensIn(objects: KubeObject[]): string[] {
  const out: string[] = [];
  const walk = (node: unknown, key?: string): void => {
    if (Array.isArray(node)) node.forEach((n) => walk(n));
    else if (isRecord(node)) {
      if (node['name'] === 'DD_CLUSTER_AGENT_AUTH_TOKEN' && typeof node['value'] === 'string') out.push(node['value']);
      for (const [k, v] of Object.entries(node)) walk(v, k);
    } else if (key === 'clusterAgentToken' && typeof node === 'string') out.push(node);
  };
  for (const object of objects) {
    if (object.kind === 'Secret') out.push(...[...decodeSecret(object).values.values()].map((b) => b.toString('utf8')));
    else walk(object);
  }
  return out.map((s) => s.trim()).filter((s) => s.length >= 6 && !s.startsWith('$('));
}

t.test('no message or fix ever carries a token value', async (t) => {
  for (const fixture of fixtures) {
    const tokens = tokensIn(fixture.objects);
    for (const finding of run(fixture.objects)) {
      for (const token of tokens) {
        t.notOk(finding.message.includes(token) || finding.remediation.includes(token), `${fixture.file}: ${finding.ruleId}`);
      }
    }
  }
});

t.test('messages quote the Agent and state the measured bytes', async (t) => {
  const fixture = fixtures.find((f) => f.file.endsWith('fail.helm-secret-30-bytes.yaml'))!;
  const [finding] = run(fixture.objects).filter((f) => f.ruleId === 'cluster-agent-token-length');
  t.match(finding?.message, /is 30 bytes/);
  t.match(finding?.message, /cluster agent authentication token length must be greater than 32, currently: 30/);
  t.match(finding?.message, /must be at least 32 characters long, currently: 30/);
  t.match(finding?.remediation, /\.$/);
});

/** The manifest world, except that every Secret lookup fails as a live lookup can. */
function failingSecrets(objects: KubeObject[]): World {
  const base = new ManifestWorld(objects, { defaultNamespace: 'datadog' });
  return {
    source: 'cluster',
    defaultNamespace: 'datadog',
    get: (kind, ns, name) => base.get(kind, ns, name),
    list: (kind, ns) => base.list(kind, ns),
    secret: () => unknown('the API server did not answer in time'),
    bindingsForServiceAccount: (ns, name) => base.bindingsForServiceAccount(ns, name),
    datadogWorkloads: (ns) => base.datadogWorkloads(ns),
  };
}

t.test('a failed Secret lookup gives warnings that say what could not be checked, never an error', async (t) => {
  const fixture = fixtures.find((f) => f.file.endsWith('cluster-agent-token-mismatch/fail.different-secrets.yaml'))!;
  const workloads = fixture.objects.filter((o) => o.kind !== 'Secret');
  const findings = run(workloads, failingSecrets(fixture.objects));
  t.ok(findings.length > 0, 'something is reported');
  t.same(findings.filter((f) => f.severity === 'error').map((f) => f.message), [], 'no error');
  const byRule = new Set(findings.map((f) => f.ruleId));
  for (const id of ['cluster-agent-token-length', 'cluster-agent-token-ref', 'cluster-agent-token-mismatch']) {
    t.ok(byRule.has(id), `${id} warns`);
  }
  t.ok(findings.some((f) => /did not answer in time/.test(f.message)), 'the reason is given');
});

t.test('a $(VAR) token with literal parts is described without its template', async (t) => {
  const [daemonSet, secret] = parseAllDocuments(`
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: datadog}
spec:
  template:
    metadata: {labels: {agent.datadoghq.com/component: agent}}
    spec:
      containers:
        - name: agent
          image: gcr.io/datadoghq/agent:7.81.1
          env:
            - {name: PART, valueFrom: {secretKeyRef: {name: parts, key: part}}}
            - {name: DD_CLUSTER_AGENT_AUTH_TOKEN, value: "LiteralPrefix $(PART)"}
---
apiVersion: v1
kind: Secret
metadata: {name: parts}
stringData: {part: abc}
`).map((d) => d.toJS() as KubeObject);
  const findings = run([daemonSet!, secret!]);
  // 17 bytes with a space inside; not inline, since part of it comes from a Secret.
  t.same(findings.map((f) => f.ruleId).sort(), ['cluster-agent-token-length', 'cluster-agent-token-whitespace']);
  for (const finding of findings) t.notMatch(finding.message, /LiteralPrefix/, `${finding.ruleId} does not quote the template`);
});
