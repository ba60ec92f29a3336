// Table tests for environment resolution: where each variable's value comes from, as the kubelet builds it.
import t from 'tap';
import { expand, fieldPathsOf, literalOf, podEnv, resolveContainerEnv, unresolvedEnvFrom, type EnvSource } from '../../src/kube-model/env.js';
import type { Container, KubeObject } from '../../src/kube-model/types.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';

const NS = 'datadog';
const world = new ManifestWorld(
  [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: NS }, data: { LOG_LEVEL: 'debug', SITE: 'datadoghq.eu' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'more', namespace: NS }, data: { SITE: 'us5.datadoghq.com' } },
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'keys', namespace: NS }, data: { API_KEY: Buffer.from('k').toString('base64') } },
  ] as KubeObject[],
  { defaultNamespace: NS },
);

interface Case {
  name: string;
  container: Omit<Container, 'name'>;
  variable: string;
  /** The expected source, or undefined when the variable is not defined. */
  expect: EnvSource | undefined;
  /** Expected JSON pointer of the entry that set it, relative to the pod spec. */
  path?: string;
}

const cases: Case[] = [
  { name: 'value', container: { env: [{ name: 'A', value: 'x' }] }, variable: 'A', expect: { kind: 'literal', value: 'x' }, path: '/containers/0/env/0' },
  { name: 'no value is the empty string', container: { env: [{ name: 'A' }] }, variable: 'A', expect: { kind: 'literal', value: '' } },
  { name: 'an undefined variable', container: { env: [{ name: 'A', value: 'x' }] }, variable: 'B', expect: undefined },
  {
    name: 'valueFrom secretKeyRef',
    container: { env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'keys', key: 'API_KEY' } } }] },
    variable: 'A',
    expect: { kind: 'secret', namespace: NS, name: 'keys', key: 'API_KEY', optional: false },
  },
  {
    name: 'valueFrom secretKeyRef optional',
    container: { env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'keys', key: 'X', optional: true } } }] },
    variable: 'A',
    expect: { kind: 'secret', namespace: NS, name: 'keys', key: 'X', optional: true },
  },
  {
    name: 'valueFrom configMapKeyRef',
    container: { env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'settings', key: 'SITE' } } }] },
    variable: 'A',
    expect: { kind: 'configMap', namespace: NS, name: 'settings', key: 'SITE', optional: false },
  },
  {
    name: 'valueFrom fieldRef',
    container: { env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }] },
    variable: 'A',
    expect: { kind: 'field', fieldPath: 'status.hostIP' },
  },
  {
    name: 'valueFrom resourceFieldRef',
    container: { env: [{ name: 'A', valueFrom: { resourceFieldRef: { resource: 'limits.memory' } } }] },
    variable: 'A',
    expect: { kind: 'resource', resource: 'limits.memory' },
  },
  {
    name: 'envFrom a ConfigMap defines every key',
    container: { envFrom: [{ configMapRef: { name: 'settings' } }] },
    variable: 'LOG_LEVEL',
    expect: { kind: 'configMap', namespace: NS, name: 'settings', key: 'LOG_LEVEL', optional: false },
    path: '/containers/0/envFrom/0',
  },
  {
    name: 'envFrom with a prefix',
    container: { envFrom: [{ prefix: 'DD_', configMapRef: { name: 'settings' } }] },
    variable: 'DD_LOG_LEVEL',
    expect: { kind: 'configMap', namespace: NS, name: 'settings', key: 'LOG_LEVEL', optional: false },
  },
  { name: 'a prefixed envFrom does not define the bare key', container: { envFrom: [{ prefix: 'DD_', configMapRef: { name: 'settings' } }] }, variable: 'LOG_LEVEL', expect: undefined },
  {
    name: 'envFrom a Secret',
    container: { envFrom: [{ secretRef: { name: 'keys' } }] },
    variable: 'API_KEY',
    expect: { kind: 'secret', namespace: NS, name: 'keys', key: 'API_KEY', optional: false },
  },
  { name: 'envFrom of an object not in the world defines nothing known', container: { envFrom: [{ configMapRef: { name: 'elsewhere' } }] }, variable: 'LOG_LEVEL', expect: undefined },
  {
    name: 'the later envFrom source wins',
    container: { envFrom: [{ configMapRef: { name: 'settings' } }, { configMapRef: { name: 'more' } }] },
    variable: 'SITE',
    expect: { kind: 'configMap', namespace: NS, name: 'more', key: 'SITE', optional: false },
    path: '/containers/0/envFrom/1',
  },
  { name: 'the later env entry wins', container: { env: [{ name: 'A', value: 'first' }, { name: 'A', value: 'second' }] }, variable: 'A', expect: { kind: 'literal', value: 'second' }, path: '/containers/0/env/1' },
  {
    name: 'env beats envFrom whatever the order in the manifest',
    container: { env: [{ name: 'SITE', value: 'datadoghq.com' }], envFrom: [{ configMapRef: { name: 'settings' } }] },
    variable: 'SITE',
    expect: { kind: 'literal', value: 'datadoghq.com' },
    path: '/containers/0/env/0',
  },
  {
    name: '$(VAR) of an earlier literal expands to a literal',
    container: { env: [{ name: 'CLUSTER', value: 'prod' }, { name: 'HOST', value: 'node-$(CLUSTER)' }] },
    variable: 'HOST',
    expect: { kind: 'literal', value: 'node-prod' },
  },
  {
    name: '$(VAR) of an envFrom literal-less ConfigMap key stays a composite',
    container: { envFrom: [{ configMapRef: { name: 'settings' } }], env: [{ name: 'X', value: '$(SITE)/x' }] },
    variable: 'X',
    expect: {
      kind: 'composite',
      template: '$(SITE)/x',
      references: [{ name: 'SITE', source: { kind: 'configMap', namespace: NS, name: 'settings', key: 'SITE', optional: false }, path: '/containers/0/envFrom/0' }],
    },
  },
  { name: '$$ escapes a dollar', container: { env: [{ name: 'CLUSTER', value: 'prod' }, { name: 'A', value: 'cost $$5' }] }, variable: 'A', expect: { kind: 'literal', value: 'cost $5' } },
  { name: '$$(VAR) is not expanded', container: { env: [{ name: 'CLUSTER', value: 'prod' }, { name: 'A', value: '$$(CLUSTER)' }] }, variable: 'A', expect: { kind: 'literal', value: '$(CLUSTER)' } },
  { name: 'an unknown reference stays as written', container: { env: [{ name: 'A', value: 'x-$(NOPE)' }] }, variable: 'A', expect: { kind: 'literal', value: 'x-$(NOPE)' } },
  {
    name: 'a reference to a variable defined later stays as written',
    container: { env: [{ name: 'A', value: '$(B)' }, { name: 'B', value: 'b' }] },
    variable: 'A',
    expect: { kind: 'literal', value: '$(B)' },
  },
  {
    name: 'a self-reference sees the earlier definition',
    container: { env: [{ name: 'A', value: 'one' }, { name: 'A', value: '$(A)-two' }] },
    variable: 'A',
    expect: { kind: 'literal', value: 'one-two' },
  },
];

for (const c of cases) {
  t.test(c.name, async (t) => {
    const env = resolveContainerEnv({ name: 'agent', ...c.container }, '/containers/0', NS, world);
    const entry = env.get(c.variable);
    t.same(entry?.source, c.expect);
    if (c.path) t.equal(entry?.path, c.path);
  });
}

t.test('a composite of per-pod fields keeps its references, and fieldPathsOf finds them', async (t) => {
  const env = resolveContainerEnv(
    {
      name: 'agent',
      env: [
        { name: 'DD_NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'DD_CLUSTER_NAME', value: 'prod' },
        { name: 'DD_HOSTNAME', value: '$(DD_NODE_NAME)-$(DD_CLUSTER_NAME)' },
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'LABEL', value: '$(DD_HOSTNAME)@$(HOST_IP)' },
      ],
    },
    '/containers/0',
    NS,
    world,
  );
  const hostname = env.get('DD_HOSTNAME')!;
  t.equal(hostname.source.kind, 'composite');
  t.same(fieldPathsOf(hostname.source), ['spec.nodeName'], 'the literal part is substituted, the field is kept');
  t.same(fieldPathsOf(env.get('LABEL')!.source), ['spec.nodeName', 'status.hostIP'], 'nested composites are followed');
  t.same(fieldPathsOf(env.get('DD_CLUSTER_NAME')!.source), [], 'a literal depends on no field');
});

t.test('expand works on a map of definitions', async (t) => {
  const defined = new Map([['A', { name: 'A', source: { kind: 'literal' as const, value: 'a' }, path: '' }]]);
  t.same(expand('$(A)$(A)', defined), { kind: 'literal', value: 'aa' });
});

t.test('unresolvedEnvFrom names the sources the world cannot list', async (t) => {
  const container: Container = { name: 'agent', envFrom: [{ configMapRef: { name: 'settings' } }, { secretRef: { name: 'gone' } }, { configMapRef: { name: 'elsewhere' } }] };
  t.same(unresolvedEnvFrom(container, NS, world), [`Secret ${NS}/gone`, `ConfigMap ${NS}/elsewhere`]);
  t.same(unresolvedEnvFrom(container, NS), [`ConfigMap ${NS}/settings`, `Secret ${NS}/gone`, `ConfigMap ${NS}/elsewhere`], 'without a world nothing is known');
  t.same(unresolvedEnvFrom({ name: 'x' }, NS, world), []);
});

t.test('podEnv covers init containers and containers with their pointers', async (t) => {
  const entries = podEnv({ initContainers: [{ name: 'init', env: [{ name: 'A', value: '1' }] }], containers: [{ name: 'agent' }] }, NS, world);
  t.same(entries.map((e) => e.path), ['/initContainers/0', '/containers/0']);
  t.equal(literalOf(entries[0]!.env.get('A')), '1');
});

