// Table tests for the Cluster Agent token (src/datadog/token*.ts, datadog-agent.ts): where a token comes from,
// its bytes, which Secrets hold it, and the DatadogAgent's precedence.
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import { unknown, type World } from '../../src/kube-model/world.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { asDatadogWorkload } from '../../src/datadog/components.js';
import { badCharactersOf, tokenByteLength } from '../../src/datadog/token.js';
import { compareTokens, datadogAgentTokenSource, resolveToken, tokenSourcesOf, tokenValue, type TokenSource } from '../../src/datadog/token-sources.js';
import { datadogAgentTokenOf, ignoredTokenSecretConfig } from '../../src/datadog/datadog-agent.js';
import { isTokenSecret } from '../../src/datadog/token-secrets.js';

const TOKEN = '4bD9fQ2kLm8ZpX7cR1vT6yH3nW5sJ0gE';
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function objects(yaml: string): KubeObject[] {
  return parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject).filter((o) => o?.kind);
}

function nodeAgent(env: string, extra = ''): string {
  return `
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
${extra}
          env:
${env}
`;
}

function sourcesIn(yaml: string, world?: World): { sources: TokenSource[]; world: World } {
  const all = objects(yaml);
  const w = world ?? new ManifestWorld(all, { defaultNamespace: 'datadog' });
  const workload = asDatadogWorkload(all.find((o) => o.kind === 'DaemonSet')!, 'datadog');
  return { sources: workload ? tokenSourcesOf(workload, w) : [], world: w };
}

/** A world whose Secret lookups fail, as a live world does when the API server times out. */
function failingSecrets(base: World): World {
  return {
    source: 'cluster',
    defaultNamespace: base.defaultNamespace,
    get: (kind, ns, name) => base.get(kind, ns, name),
    list: (kind, ns) => base.list(kind, ns),
    secret: () => unknown('timed out after 2s'),
    bindingsForServiceAccount: (ns, name) => base.bindingsForServiceAccount(ns, name),
    datadogWorkloads: (ns) => base.datadogWorkloads(ns),
  };
}

t.test('tokenSourcesOf resolves every way of setting DD_CLUSTER_AGENT_AUTH_TOKEN', async (t) => {
  const secret = `---\napiVersion: v1\nkind: Secret\nmetadata: {name: dd}\nstringData: {token: ${TOKEN}, AUTH_TOKEN: ${TOKEN}x}\n`;
  const cases: { name: string; env: string; extra?: string; kind: string; path: string; bytes?: number }[] = [
    {
      name: 'literal',
      env: `            - {name: DD_CLUSTER_AGENT_AUTH_TOKEN, value: ${TOKEN}}`,
      kind: 'literal',
      path: '/spec/template/spec/containers/0/env/0',
      bytes: 32,
    },
    {
      name: 'secretKeyRef',
      env: '            - {name: DD_CLUSTER_AGENT_AUTH_TOKEN, valueFrom: {secretKeyRef: {name: dd, key: token}}}',
      kind: 'secret',
      path: '/spec/template/spec/containers/0/env/0',
      bytes: 32,
    },
    {
      name: 'envFrom with a prefix',
      env: '            - {name: DD_SITE, value: datadoghq.com}',
      extra: '          envFrom:\n            - {prefix: DD_CLUSTER_AGENT_, secretRef: {name: dd}}',
      kind: 'secret',
      path: '/spec/template/spec/containers/0/envFrom/0',
      bytes: 33,
    },
    {
      name: 'composite $(VAR) over a Secret value and a literal',
      env:
        '            - {name: PART, valueFrom: {secretKeyRef: {name: dd, key: token}}}\n' +
        '            - {name: SUFFIX, value: "-v2"}\n' +
        '            - {name: DD_CLUSTER_AGENT_AUTH_TOKEN, value: "$(PART)$(SUFFIX)"}',
      kind: 'composite',
      path: '/spec/template/spec/containers/0/env/2',
      bytes: 35,
    },
    {
      name: 'a later entry wins over envFrom',
      env: `            - {name: DD_CLUSTER_AGENT_AUTH_TOKEN, value: ${TOKEN}}`,
      extra: '          envFrom:\n            - {prefix: DD_CLUSTER_AGENT_, secretRef: {name: dd}}',
      kind: 'literal',
      path: '/spec/template/spec/containers/0/env/0',
      bytes: 32,
    },
  ];
  for (const c of cases) {
    const { sources, world } = sourcesIn(nodeAgent(c.env, c.extra ?? '') + secret);
    t.equal(sources.length, 1, `${c.name}: one source`);
    const [source] = sources;
    t.equal(source?.source.kind, c.kind, `${c.name}: kind`);
    t.equal(source?.path, c.path, `${c.name}: path`);
    const value = source ? tokenValue(source, world) : undefined;
    t.equal(value?.state === 'found' ? tokenByteLength(value.value) : undefined, c.bytes, `${c.name}: bytes`);
  }
});

t.test('DD_CLUSTER_AGENT_TOKEN_NAME and DD_AUTH_TOKEN_FILE_PATH are not the Cluster Agent token', async (t) => {
  const { sources } = sourcesIn(
    nodeAgent(
      '            - {name: DD_CLUSTER_AGENT_TOKEN_NAME, value: datadog-token}\n' +
        '            - {name: DD_AUTH_TOKEN_FILE_PATH, value: /etc/datadog-agent/auth/token}',
    ),
  );
  t.same(sources, []);
});

t.test('tokenValue: absent Secret, absent key, invalid base64, failed lookup', async (t) => {
  const ref = '            - {name: DD_CLUSTER_AGENT_AUTH_TOKEN, valueFrom: {secretKeyRef: {name: dd, key: token}}}';
  const noSecret = sourcesIn(nodeAgent(ref));
  t.same(tokenValue(noSecret.sources[0]!, noSecret.world), { state: 'absent' }, 'no Secret');
  t.match(resolveToken(noSecret.sources[0]!, noSecret.world), { state: 'missing', what: 'Secret' });

  const noKey = sourcesIn(nodeAgent(ref) + '---\napiVersion: v1\nkind: Secret\nmetadata: {name: dd}\ndata: {}\n');
  t.match(resolveToken(noKey.sources[0]!, noKey.world), { state: 'missing', what: 'key' }, 'data: {} has no key');

  const bad = sourcesIn(nodeAgent(ref) + '---\napiVersion: v1\nkind: Secret\nmetadata: {name: dd}\ndata: {token: "not base64!"}\n');
  t.match(resolveToken(bad.sources[0]!, bad.world), { state: 'invalid', problem: /not valid base64/ });
  t.equal(tokenValue(bad.sources[0]!, bad.world).state, 'unknown', 'an undecodable value is not a value');

  const all = objects(nodeAgent(ref));
  const failing = failingSecrets(new ManifestWorld(all, { defaultNamespace: 'datadog' }));
  const live = sourcesIn(nodeAgent(ref), failing);
  t.match(tokenValue(live.sources[0]!, failing), { state: 'unknown', reason: /timed out/ });
});

t.test('composite values wait for every part; per-pod fields are opaque', async (t) => {
  const env =
    '            - {name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}\n' +
    '            - {name: DD_CLUSTER_AGENT_AUTH_TOKEN, value: "$(NODE)-token"}';
  const { sources, world } = sourcesIn(nodeAgent(env));
  t.match(resolveToken(sources[0]!, world), { state: 'opaque', reason: /spec\.nodeName/ });
  const later =
    '            - {name: DD_CLUSTER_AGENT_AUTH_TOKEN, value: "$(LATER)x"}\n' +
    '            - {name: LATER, valueFrom: {secretKeyRef: {name: dd, key: token}}}';
  const unexpanded = sourcesIn(nodeAgent(later));
  const value = tokenValue(unexpanded.sources[0]!, unexpanded.world);
  t.equal(value.state === 'found' ? value.value.toString() : value.state, '$(LATER)x', 'a variable defined later is not expanded');
});

t.test('measurements count UTF-8 bytes and describe bad characters without the token', async (t) => {
  const cases: { value: string; bytes: number; bad?: RegExp; trimmed?: number; refused?: boolean }[] = [
    { value: TOKEN, bytes: 32 },
    { value: 'é'.repeat(16), bytes: 32 },
    { value: `${TOKEN}\n`, bytes: 33, bad: /^1 line feed \(\\n\) at the end$/, trimmed: 32, refused: true },
    { value: `${TOKEN}\r\n`, bytes: 34, bad: /1 carriage return.*1 line feed.*at the end/, trimmed: 32, refused: true },
    { value: ` ${TOKEN} `, bytes: 34, bad: /^2 spaces at the start and the end$/, trimmed: 32, refused: false },
    { value: `${TOKEN.slice(0, 10)}\t${TOKEN.slice(10)}`, bytes: 33, bad: /^1 tab inside the token$/, trimmed: 33, refused: false },
    { value: `${TOKEN}\u007f`, bytes: 33, bad: /DEL/, trimmed: 32, refused: true },
    { value: `\u0001${TOKEN}`, bytes: 33, bad: /control character \(0x01\) at the start/, trimmed: 32, refused: true },
  ];
  for (const c of cases) {
    const buffer = Buffer.from(c.value, 'utf8');
    t.equal(tokenByteLength(buffer), c.bytes, `${JSON.stringify(c.value)}: bytes`);
    const bad = badCharactersOf(buffer);
    if (!c.bad) {
      t.equal(bad, undefined, `${JSON.stringify(c.value)}: clean`);
      continue;
    }
    t.match(bad?.description, c.bad, `${JSON.stringify(c.value)}: description`);
    t.equal(bad?.trimmedLength, c.trimmed, 'trimmed length hint');
    t.equal(bad?.refusedByClient, c.refused, "Go's client refuses control characters other than tab");
    t.notMatch(bad?.description ?? '', TOKEN.slice(0, 8), 'no token content in the description');
  }
});

t.test('isTokenSecret: the issue-3 definition', async (t) => {
  const helm = 'labels: {app.kubernetes.io/managed-by: Helm, helm.sh/chart: datadog-3.240.0}';
  const cases: { name: string; yaml: string; keys: string[] | undefined }[] = [
    {
      name: 'referenced by a node Agent (any name, any key)',
      yaml:
        nodeAgent('            - {name: DD_CLUSTER_AGENT_AUTH_TOKEN, valueFrom: {secretKeyRef: {name: custom, key: dca}}}') +
        '---\napiVersion: v1\nkind: Secret\nmetadata: {name: custom}\nstringData: {dca: x, other: y}\n',
      keys: ['dca'],
    },
    {
      name: 'referenced through envFrom',
      yaml:
        nodeAgent('            - {name: DD_SITE, value: x}', '          envFrom:\n            - {prefix: DD_CLUSTER_AGENT_, secretRef: {name: custom}}') +
        '---\napiVersion: v1\nkind: Secret\nmetadata: {name: custom}\nstringData: {AUTH_TOKEN: x}\n',
      keys: ['AUTH_TOKEN'],
    },
    {
      name: "the Helm chart's name and labels",
      yaml: `apiVersion: v1\nkind: Secret\nmetadata: {name: datadog-cluster-agent, ${helm}}\ndata: {}\n`,
      keys: ['token'],
    },
    {
      name: 'Helm name but another chart',
      yaml: 'apiVersion: v1\nkind: Secret\nmetadata: {name: x-cluster-agent, labels: {helm.sh/chart: redis-1.0.0}}\nstringData: {token: a}\n',
      keys: undefined,
    },
    {
      name: 'Helm name without labels (an old generated manifest, unreferenced)',
      yaml: 'apiVersion: v1\nkind: Secret\nmetadata: {name: datadog-cluster-agent, labels: {}}\ndata: {token: PUT_A_BASE64_ENCODED_RANDOM_STRING_HERE}\n',
      keys: undefined,
    },
    {
      name: "the Operator's <dda>-token owned by its DatadogAgent",
      yaml: 'apiVersion: v1\nkind: Secret\nmetadata: {name: prod-token, ownerReferences: [{kind: DatadogAgent, name: prod}]}\nstringData: {token: a}\n',
      keys: ['token'],
    },
    {
      name: "the Operator's labels",
      yaml:
        'apiVersion: v1\nkind: Secret\nmetadata: {name: datadog-agent-token, labels: {app.kubernetes.io/managed-by: datadog-operator, app.kubernetes.io/instance: datadog-agent}}\nstringData: {token: a}\n',
      keys: ['token'],
    },
    {
      name: 'a DatadogAgent in the world using its own <dda>-token',
      yaml:
        'apiVersion: datadoghq.com/v2alpha1\nkind: DatadogAgent\nmetadata: {name: prod}\nspec: {global: {clusterAgentToken: abc}}\n' +
        '---\napiVersion: v1\nkind: Secret\nmetadata: {name: prod-token}\nstringData: {token: a}\n',
      keys: ['token'],
    },
    {
      name: 'a DatadogAgent pointing at a Secret and key',
      yaml:
        'apiVersion: datadoghq.com/v2alpha1\nkind: DatadogAgent\nmetadata: {name: prod}\nspec: {global: {clusterAgentTokenSecret: {secretName: shared, keyName: dca}}}\n' +
        '---\napiVersion: v1\nkind: Secret\nmetadata: {name: shared}\nstringData: {dca: a}\n',
      keys: ['dca'],
    },
    {
      name: 'a DD_CLUSTER_AGENT_AUTH_TOKEN key',
      yaml: 'apiVersion: v1\nkind: Secret\nmetadata: {name: env}\nstringData: {DD_CLUSTER_AGENT_AUTH_TOKEN: a, DD_SITE: b}\n',
      keys: ['DD_CLUSTER_AGENT_AUTH_TOKEN'],
    },
    {
      name: 'an unrelated Secret with a short token key',
      yaml: 'apiVersion: v1\nkind: Secret\nmetadata: {name: github-runner}\nstringData: {token: abc}\n',
      keys: undefined,
    },
    {
      name: '<x>-token without an Operator owner or labels',
      yaml: 'apiVersion: v1\nkind: Secret\nmetadata: {name: gitlab-token}\nstringData: {token: abc}\n',
      keys: undefined,
    },
  ];
  for (const c of cases) {
    const all = objects(c.yaml);
    const world = new ManifestWorld(all, { defaultNamespace: 'datadog' });
    const secret = all.find((o) => o.kind === 'Secret')!;
    t.same(isTokenSecret(secret, world)?.keys, c.keys, c.name);
  }
});

t.test("DatadogAgent token: the Operator's precedence", async (t) => {
  const dda = (global: object): KubeObject => ({
    apiVersion: 'datadoghq.com/v2alpha1',
    kind: 'DatadogAgent',
    metadata: { name: 'prod', namespace: 'dd' },
    spec: { global },
  });
  const cases: { name: string; global: object; from: string; secret: string; key: string; path: string }[] = [
    {
      name: 'valid secret config wins over a literal',
      global: { clusterAgentToken: 'x', clusterAgentTokenSecret: { secretName: 's', keyName: 'k' } },
      from: 'secret', secret: 's', key: 'k', path: '/spec/global/clusterAgentTokenSecret',
    },
    {
      name: 'secretName without keyName is ignored: the literal goes to <dda>-token',
      global: { clusterAgentToken: 'x', clusterAgentTokenSecret: { secretName: 's' } },
      from: 'literal', secret: 'prod-token', key: 'token', path: '/spec/global/clusterAgentToken',
    },
    {
      name: 'nothing set: generated into <dda>-token',
      global: { clusterAgentTokenSecret: { secretName: 's', keyName: '' } },
      from: 'generated', secret: 'prod-token', key: 'token', path: '',
    },
  ];
  for (const c of cases) {
    const token = datadogAgentTokenOf(dda(c.global), 'default');
    t.match(token, { from: c.from, secret: { namespace: 'dd', name: c.secret, key: c.key }, path: c.path }, c.name);
  }
  t.equal(datadogAgentTokenSource(dda({}), 'default'), undefined, 'a generated token has no source to check');
  t.same(ignoredTokenSecretConfig(dda({ clusterAgentTokenSecret: { secretName: 's' } })), {
    secretName: 's',
    path: '/spec/global/clusterAgentTokenSecret',
  });
  t.equal(ignoredTokenSecretConfig(dda({ clusterAgentTokenSecret: { secretName: 's', keyName: 'k' } })), undefined);
});

t.test('compareTokens: same source, equal values, different values, undecidable', async (t) => {
  const yaml = (a: string, b: string) =>
    nodeAgent(`            - {name: DD_CLUSTER_AGENT_AUTH_TOKEN, ${a}}`) +
    `---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: datadog-cluster-agent}\nspec:\n  template:\n    metadata: {labels: {agent.datadoghq.com/component: cluster-agent}}\n    spec:\n      containers:\n        - name: cluster-agent\n          image: gcr.io/datadoghq/cluster-agent:7.81.1\n          env:\n            - {name: DD_CLUSTER_AGENT_AUTH_TOKEN, ${b}}\n` +
    `---\napiVersion: v1\nkind: Secret\nmetadata: {name: one}\nstringData: {token: ${TOKEN}}\n` +
    `---\napiVersion: v1\nkind: Secret\nmetadata: {name: two}\ndata: {token: ${b64(TOKEN)}}\n` +
    `---\napiVersion: v1\nkind: Secret\nmetadata: {name: three}\nstringData: {token: ${TOKEN}x}\n`;
  const ref = (name: string) => `valueFrom: {secretKeyRef: {name: ${name}, key: token}}`;
  const cases: { name: string; a: string; b: string; verdict: string }[] = [
    { name: 'same Secret and key, even when absent', a: ref('gone'), b: ref('gone'), verdict: 'same' },
    { name: 'different Secrets, equal bytes', a: ref('one'), b: ref('two'), verdict: 'same' },
    { name: 'literal equal to a Secret value', a: `value: ${TOKEN}`, b: ref('one'), verdict: 'same' },
    { name: 'different values', a: ref('one'), b: ref('three'), verdict: 'different' },
    { name: 'different literals', a: `value: ${TOKEN}`, b: `value: ${TOKEN}y`, verdict: 'different' },
    { name: 'one side missing', a: ref('one'), b: ref('gone'), verdict: 'undecided' },
  ];
  for (const c of cases) {
    const all = objects(yaml(c.a, c.b));
    const world = new ManifestWorld(all, { defaultNamespace: 'datadog' });
    const [a, b] = all.filter((o) => o.kind !== 'Secret').map((o) => tokenSourcesOf(asDatadogWorkload(o, 'datadog')!, world)[0]!);
    const result = compareTokens(a!, b!, world);
    t.equal(result.verdict, c.verdict, c.name);
    t.notMatch(JSON.stringify(result), TOKEN, 'the comparison carries no token');
  }
});
