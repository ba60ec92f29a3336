// The official Datadog chart as a real API server sent it to a webhook (shared/captured-admission/datadog-chart),
// answered with the real rule registry.
import '../support/requires-shared.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import type { AdmissionReview } from '../../src/kube-model/admission-review.js';
import { ObjectStore } from '../../src/world/store.js';
import { StoreWorld } from '../../src/world/store-world.js';
import { StaticWorldProvider } from '../../src/world/world-provider.js';
import { ROOT } from '../support/fixtures.js';
import { chartReviews } from '../support/shared.js';
import { testServer } from '../support/webhook.js';

const reviews = chartReviews();
const install = reviews.filter(({ file }) => /^00(0\d|1[0-5])-/.test(file));
const byName = (prefix: string) => reviews.find(({ file }) => file.startsWith(prefix))!.review;
const objectOf = (review: AdmissionReview) => (review.request.object ?? review.request.oldObject) as KubeObject;
const chartWorld = () => StaticWorldProvider.of(install.map(({ review }) => objectOf(review)));

t.test('the chart applied in Helm install order is admitted, each object in the world built so far', async (t) => {
  t.equal(install.length, 15);
  const admitted: KubeObject[] = [];
  for (const { file, review } of install) {
    const { validate } = await testServer({ rules: RULES, worldProvider: StaticWorldProvider.of(admitted) });
    const { statusCode, body } = await validate(review);
    t.equal(statusCode, 200, file);
    t.equal(body.response.allowed, true, `${file} admitted${body.response.status ? `: ${body.response.status.message}` : ''}`);
    admitted.push(objectOf(review));
  }
});

t.test('a 30-byte Cluster Agent token (kubectl apply, UPDATE) is denied with its length, never its value', async (t) => {
  const review = byName('0016-');
  const { validate } = await testServer({ rules: RULES, worldProvider: chartWorld() });
  const { body } = await validate(review);
  t.equal(body.response.allowed, false);
  const message = body.response.status?.message ?? '';
  t.match(message, /^ddguard denied Secret datadog\/datadog-cluster-agent: \d+ problems?\n/);
  t.match(message, /\[cluster-agent-token-length\] .*30 bytes/);
  const token = Buffer.from((objectOf(review)['data'] as { token: string }).token, 'base64').toString();
  t.notMatch(JSON.stringify(body), token);
});

t.test('a literal DD_KUBERNETES_KUBELET_HOST (dry run) is denied, and the real request gets the same answer', async (t) => {
  const dry = byName('0017-');
  t.equal(dry.request.dryRun, true);
  const { validate } = await testServer({ rules: RULES, worldProvider: chartWorld() });
  const dryAnswer = await validate(dry);
  t.equal(dryAnswer.body.response.allowed, false);
  t.match(dryAnswer.body.response.status?.message, /^ddguard denied DaemonSet datadog\/datadog: \d+ problems?\n(.*\n)*\[kubelet-host-per-node\] /);
  const real = structuredClone(dry);
  real.request.dryRun = false;
  delete (real.request.options as { dryRun?: string[] }).dryRun;
  const realAnswer = await validate(real);
  t.same(realAnswer.body.response, dryAnswer.body.response);
});

t.test('RBAC changes are judged by their effect on the Cluster Agent, in the world after the request', async (t) => {
  // The chart also binds the Cluster Agent's ServiceAccount through the kube-state-metrics core and Orchestrator
  // Explorer roles (0010, 0011), which grant pods too; without them, the datadog-cluster-agent role is the only grant.
  const others = install.filter(({ file }) => !/^001[01]-/.test(file)).map(({ review }) => objectOf(review));
  const { validate } = await testServer({ rules: RULES, worldProvider: StaticWorldProvider.of(others) });

  t.test('a ClusterRole UPDATE that drops pods is denied, naming the Cluster Agent', async (t) => {
    const review = structuredClone(byName('0004-'));
    const role = review.request.object as KubeObject & { rules: { resources?: string[] }[] };
    review.request.operation = 'UPDATE';
    review.request.oldObject = structuredClone(role);
    role.rules = role.rules.map((rule) => ({ ...rule, resources: (rule.resources ?? []).filter((r) => r !== 'pods') }));
    const { body } = await validate(review);
    t.equal(body.response.allowed, false);
    t.match(body.response.status?.message, /^ddguard denied ClusterRole datadog-cluster-agent: \d+ problems?\n\[cluster-agent-rbac\] Deployment datadog\/datadog-cluster-agent: /);
  });

  t.test('the DELETE of its last ClusterRoleBinding (object: null) reaches the rules through oldObject', async (t) => {
    const review = byName('0018-');
    t.equal(review.request.object, null);
    const { body } = await validate(review);
    // With no binding left, the rule cannot tell "deleted" from "not created yet" and warns rather than denies.
    t.match(body.response.warnings, [/^\[cluster-agent-rbac\] Deployment datadog\/datadog-cluster-agent: /]);
  });

  t.test('in a live cluster, where the Cluster Agent is deployed, deleting its last binding is denied', async (t) => {
    const store = new ObjectStore('datadog');
    for (const object of others) store.upsert(object);
    const live = await testServer({ rules: RULES, worldProvider: new StaticWorldProvider(new StoreWorld(store, 'cluster')) });
    const { body } = await live.validate(byName('0018-'));
    t.equal(body.response.allowed, false);
    t.match(body.response.status?.message, /\[cluster-agent-rbac\] Deployment datadog\/datadog-cluster-agent: After this change nothing binds/);
  });

  t.test('with the other bindings in place, deleting it is denied for what only its role grants', async (t) => {
    // ksm-core and orchestrator-explorer still grant pods, but only datadog-cluster-agent grants the admission
    // controller's webhook configurations: judged per grant, never per role.
    const withAll = await testServer({ rules: RULES, worldProvider: chartWorld() });
    const { body } = await withAll.validate(byName('0018-'));
    t.equal(body.response.allowed, false);
    const message = body.response.status?.message ?? '';
    t.match(message, /\[cluster-agent-rbac\] Deployment datadog\/datadog-cluster-agent: .*mutatingwebhookconfigurations\.admissionregistration\.k8s\.io "datadog-webhook"/);
    t.match(message, /injection into application pods/);
    t.notMatch(message, /cannot get\/list\/watch pods/, 'pods are still granted by the other roles');
  });
});

t.test('the shipped sample reviews (the curl line of npm start) are denied by the rules they name', async (t) => {
  const samples = [
    ['daemonset-kubelet-host-literal.json', 'kubelet-host-per-node'],
    ['secret-short-cluster-agent-token.json', 'cluster-agent-token-length'],
  ] as const;
  const { validate } = await testServer({ rules: RULES });
  for (const [file, ruleId] of samples) {
    const review = JSON.parse(readFileSync(join(ROOT, 'examples', 'admission', file), 'utf8')) as AdmissionReview;
    const { body } = await validate(review);
    t.equal(body.response.allowed, false, file);
    t.match(body.response.status?.message, new RegExp(`\\n\\[${ruleId}\\] `), file);
  }
});
