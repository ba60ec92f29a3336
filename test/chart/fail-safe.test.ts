// Fail safe, over our own fixtures (test/support/chart-fail-safe.ts has the evaluation); over the official corpus and
// the captured chart install: test/shared-corpus/chart-fail-safe.test.ts.
import '../support/requires-helm.js';
import t from 'tap';
import { join } from 'node:path';
import { detectComponent } from '../../src/datadog/components.js';
import { DATADOG_REGISTRIES } from '../../src/datadog/images.js';
import { isWorkload } from '../../src/kube-model/pod-template.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { calledWebhooks, requestFor, type AdmissionRequest, type Webhook } from '../support/webhook-cel.js';
import { assertDatadogWrite, defaults, describe, FIXTURES, judged, objectsOf, render, writesOf } from '../support/chart-fail-safe.js';

t.test('Datadog\'s own writes wait on ddguard (failurePolicy Fail) whenever a rule judges them', async (t) => {
  const objects = objectsOf(join(FIXTURES, 'datadog.yaml'));
  t.ok(objects.length >= 20, `the table has Datadog's objects (${objects.length})`);
  let judgedWrites = 0;
  for (const object of objects) {
    for (const { label, request } of writesOf(object)) {
      if (judged(object)) judgedWrites += 1;
      assertDatadogWrite(t, defaults, object, label, request);
    }
  }
  t.ok(judgedWrites >= 40, `most of them are judged (${judgedWrites} writes)`);
});

t.test('an UPDATE that removes what made an object Datadog\'s still waits on ddguard', async (t) => {
  const [binding] = objectsOf(join(FIXTURES, 'datadog.yaml')).filter((o) => o.metadata?.name === 'dd-cluster-agent' && o.kind === 'ClusterRoleBinding');
  const stripped: KubeObject = { ...binding!, metadata: { name: 'dd-cluster-agent' }, subjects: [{ kind: 'ServiceAccount', name: 'x', namespace: 'payments' }] };
  const called = calledWebhooks(defaults, requestFor(stripped, { operation: 'UPDATE', oldObject: binding! }));
  t.same(called.map((h) => [h.name, h.failurePolicy]), [['rbac.ddguard.io', 'Fail']]);
});

t.test('other teams\' writes never wait on ddguard; what ddguard must see still reaches it, failing open', async (t) => {
  const objects = objectsOf(join(FIXTURES, 'teams.yaml'));
  const kinds = new Set(objects.map((o) => o.kind));
  for (const kind of ['RoleBinding', 'ServiceAccount', 'ClusterRole', 'Secret', 'Deployment']) t.ok(kinds.has(kind), `the table has a ${kind}`);
  for (const object of objects) {
    if (isWorkload(object)) t.equal(detectComponent(object), undefined, `${object.kind} ${object.metadata?.name} is no Datadog component`);
    for (const { label, request } of writesOf(object)) {
      const called = calledWebhooks(defaults, request);
      t.notOk(called.some((h) => h.failurePolicy === 'Fail'), `${label}: no failing-closed webhook (called: ${describe(called)})`);
      const expected = judged(object) ? 1 : 0;
      t.equal(called.length, expected, `${label}: ${expected ? 'seen through one fail-open webhook' : 'not sent'} (called: ${describe(called)})`);
    }
  }
});

t.test('the workload condition finds exactly the Datadog components src/datadog/components.ts finds', async (t) => {
  const images = [
    ...DATADOG_REGISTRIES.flatMap((registry) => ['agent:7.60.0', 'cluster-agent:7.60.0', 'dogstatsd@sha256:abc', 'dd-lib-java-init:v1', 'operator:1.9']
      .map((name) => `${registry}${name}`)),
    'mirror.example.com/datadog/agent:7', 'mirror.example.com/agent:7', 'gcr.io/datadoghq/agent-extra:7', ' gcr.io/datadoghq/cluster-agent:7 ',
    'index.datadog/agent:7', 'nginx:1.27',
  ];
  const envs = [[], ['DD_API_KEY'], ['DD_CLC_RUNNER_ENABLED'], ['DD_API_KEY', 'DD_CLC_RUNNER_ENABLED'], ['DD_ENV', 'DD_SERVICE', 'DD_AGENT_HOST', 'DD_TRACE_ENABLED']];
  const labels: (Record<string, string> | undefined)[] = [undefined, { 'agent.datadoghq.com/component': 'agent' }, { 'agent.datadoghq.com/component': 'other' }];
  let components = 0;
  let disagreements = 0;
  for (const kind of ['DaemonSet', 'Deployment', 'Pod']) {
    for (const image of images) {
      for (const env of envs) {
        for (const label of labels) {
          const container = { name: 'c', image, env: env.map((name) => ({ name, value: 'x' })) };
          const podSpec = { containers: [{ name: 'app', image: 'registry.example.com/app:1' }], initContainers: [container] };
          const object: KubeObject = kind === 'Pod'
            ? { apiVersion: 'v1', kind, metadata: { name: 'w', namespace: 'apps', ...(label ? { labels: label } : {}) }, spec: podSpec }
            : { apiVersion: 'apps/v1', kind, metadata: { name: 'w', namespace: 'apps' }, spec: { template: { metadata: label ? { labels: label } : {}, spec: podSpec } } };
          const isComponent = detectComponent(object) !== undefined;
          const called = calledWebhooks(defaults, requestFor(object));
          if (isComponent) components += 1;
          if ((called.length === 1 && called[0]?.failurePolicy === 'Fail') !== isComponent || called.length > 1) {
            disagreements += 1;
            t.fail(`${kind} ${JSON.stringify(image)} env=${env.join(',')} labels=${JSON.stringify(label)}: component=${isComponent}, called ${describe(called)}`);
          }
        }
      }
    }
  }
  t.ok(components > 100, `the table has components (${components}) and workloads that are not`);
  t.equal(disagreements, 0, 'CEL and detectComponent agree on every workload');
});

t.test('the values that move the line', async (t) => {
  const team = objectsOf(join(FIXTURES, 'teams.yaml'));
  const sa = team.find((o) => o.kind === 'ServiceAccount')!;
  const role = team.find((o) => o.kind === 'ClusterRole')!;
  const policies = (hooks: Webhook[], request: AdmissionRequest) => calledWebhooks(hooks, request).map((h) => `${h.name}=${h.failurePolicy}`);

  t.same(policies(defaults, requestFor(sa)), ['rbac-others.ddguard.io=Ignore'], 'defaults: a team\'s ServiceAccount fails open');
  t.same(policies(render({ datadogNamespaces: ['datadog', 'payments'] }), requestFor(sa)), ['rbac.ddguard.io=Fail'], 'datadogNamespaces: written there, it is Datadog\'s');
  t.same(policies(render({ webhook: { datadogObjects: { nameContains: ['payments'] } } }), requestFor(role)), ['rbac.ddguard.io=Fail'], 'webhook.datadogObjects.nameContains');
  t.same(policies(render({ webhook: { datadogObjects: { nameContains: [], labels: { 'rbac.authorization.k8s.io/aggregate-to-view': [''] } } } }), requestFor(role)),
    ['rbac.ddguard.io=Fail'], 'webhook.datadogObjects.labels');
  t.same(policies(render({ webhook: { othersFailurePolicy: 'Fail' } }), requestFor(role)), ['rbac-others.ddguard.io=Fail'], 'webhook.othersFailurePolicy');
  t.same(policies(render({ webhook: { failurePolicyOverrides: { 'rbac-others': 'Fail', rbac: 'Ignore' } } }), requestFor(role)),
    ['rbac-others.ddguard.io=Fail'], 'webhook.failurePolicyOverrides by webhook name');

  for (const [why, hooks] of [['matchConditions off', render({ webhook: { matchConditions: false } })], ['Kubernetes 1.27', render({}, '1.27.0')]] as const) {
    t.same(hooks.map((h) => `${h.name}=${h.failurePolicy}`).sort(),
      ['datadogagents.ddguard.io=Fail', 'rbac.ddguard.io=Ignore', 'secrets.ddguard.io=Ignore', 'workloads.ddguard.io=Ignore'],
      `${why}: nothing can be recognised, so only DatadogAgents fail closed`);
  }
});
