// Issue 10, finding 1: `$(VAR)` expansion is bounded, so a 1.5 KB review cannot take the server's heap.
import t from 'tap';
import { ENV_VALUE_MAX_BYTES, expand, resolveContainerEnv } from '../../src/kube-model/env.js';
import type { Container } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import { containerOf, expansionBomb } from '../support/hostile-clients.js';
import { testServer } from '../support/webhook.js';

t.test('a value past the limit once expanded is unknown, too large; so is anything built on it', async (t) => {
  const env: NonNullable<Container['env']> = [{ name: 'V0', value: 'x'.repeat(64) }];
  for (let k = 1; k <= 30; k++) env.push({ name: `V${k}`, value: `$(V${k - 1})$(V${k - 1})` });
  env.push({ name: 'AFTER', value: 'a-$(V30)' }, { name: 'FINE', value: '$(V11)' });
  const resolved = resolveContainerEnv({ name: 'c', env }, '/containers/0', 'ns');
  // 64 * 2^11 = 128 KiB exactly: still a value a container can hold.
  t.equal(resolved.get('V11')?.source.kind, 'literal');
  t.equal((resolved.get('FINE')?.source as { value: string }).value.length, ENV_VALUE_MAX_BYTES);
  t.equal(resolved.get('V12')?.source.kind, 'tooLarge');
  t.equal(resolved.get('V30')?.source.kind, 'tooLarge');
  t.equal(resolved.get('AFTER')?.source.kind, 'tooLarge');
  t.match((resolved.get('AFTER')?.source as { reason: string }).reason, /longer than 131072 bytes/);
});

t.test('composites that double their references are bounded too', async (t) => {
  const env: NonNullable<Container['env']> = [{ name: 'V0', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } }];
  for (let k = 1; k <= 40; k++) env.push({ name: `V${k}`, value: `$(V${k - 1})$(V${k - 1})` });
  const resolved = resolveContainerEnv({ name: 'c', env }, '/containers/0', 'ns');
  t.equal(resolved.get('V5')?.source.kind, 'composite');
  t.equal(resolved.get('V40')?.source.kind, 'tooLarge');
});

t.test('a plain literal over the limit is unknown; $$ and unknown references count as written', async (t) => {
  t.equal(expand('y'.repeat(ENV_VALUE_MAX_BYTES + 1), { get: () => undefined }).kind, 'tooLarge');
  t.same(expand('$$(A)$(B)', { get: () => undefined }), { kind: 'literal', value: '$(A)$(B)' });
  // Multi-byte characters count in UTF-8 bytes, as the kernel counts them.
  t.equal(expand('é'.repeat(ENV_VALUE_MAX_BYTES / 2 + 1), { get: () => undefined }).kind, 'tooLarge');
});

t.test('the bomb review is answered at once, allowed, with a warning that the token could not be checked', async (t) => {
  const server = await testServer({ rules: RULES });
  t.teardown(() => server.app.close());
  const before = process.memoryUsage().heapUsed;
  const answers = await Promise.all([0, 1, 2].map(() => server.validate(expansionBomb(20))));
  for (const { statusCode, body } of answers) {
    t.equal(statusCode, 200);
    t.equal(body.response.allowed, true);
    t.match(body.response.warnings?.join('\n') ?? '', /Could not check the length of the Cluster Agent token/);
  }
  // Unbounded, three bombs hold gigabytes; bounded, a few MB at most.
  t.ok(process.memoryUsage().heapUsed - before < 64 * 1024 * 1024, 'the heap did not grow by the expanded size');
});

t.test('every variable a rule reads, too large, is judged as unknown: warnings at most, never a deny', async (t) => {
  const server = await testServer({ rules: RULES });
  t.teardown(() => server.app.close());
  const read = [
    'DD_API_KEY', 'DD_CLC_RUNNER_ENABLED', 'DD_CLUSTER_AGENT_AUTH_TOKEN', 'DD_CLUSTER_AGENT_CMD_PORT', 'DD_CLUSTER_AGENT_ENABLED',
    'DD_CLUSTER_AGENT_KUBERNETES_SERVICE_NAME', 'DD_CLUSTER_AGENT_URL', 'DD_COMPLIANCE_CONFIG_ENABLED', 'DD_EKS_FARGATE', 'DD_HOSTNAME',
    'DD_KUBELET_AUTH_TOKEN_PATH', 'DD_KUBELET_USE_API_SERVER', 'DD_KUBERNETES_KUBELET_HOST', 'DD_KUBE_STATE_METRICS_CORE_ENABLED',
    'DD_ORCHESTRATOR_EXPLORER_ENABLED',
  ];
  for (const component of ['agent', 'cluster-agent', 'cluster-checks-runner']) {
    const review = expansionBomb(14);
    const object = review.request.object as { metadata: { name: string }; spec: { template: { metadata: { labels: Record<string, string> } } } };
    object.spec.template.metadata.labels['agent.datadoghq.com/component'] = component;
    const container = containerOf(review);
    const env = (container.env as { name: string }[]).filter((e) => !read.includes(e.name));
    container.env = [...env, ...read.map((name) => ({ name, value: '$(V14)' }))];
    const { statusCode, body } = await server.validate(review);
    t.equal(statusCode, 200, component);
    t.equal(body.response.allowed, true, `${component}: allowed (${body.response.status?.message ?? ''})`);
  }
});
