// The webhook's CEL matchConditions (test/support/chart-match.ts) on requests built here: the rules' own failing
// fixtures and Datadog objects in every shape are sent; objects that are none of ddguard's business are not.
// Over the official chart and manifests: test/shared-corpus/chart-match-conditions.
import '../support/requires-helm.js';
import { parse } from '@marcbachmann/cel-js';
import t from 'tap';
import { Engine } from '../../src/engine/engine.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import { appDeployment, appSecret } from '../support/admission.js';
import { loadRuleFixtures } from '../support/fixtures.js';
import { isSent, requestFor, webhooks } from '../support/chart-match.js';

t.test('every condition is valid CEL', async (t) => {
  t.ok(webhooks.length > 0, 'the chart renders webhooks');
  for (const hook of webhooks) {
    for (const condition of hook.matchConditions ?? []) {
      t.doesNotThrow(() => parse(condition.expression), `${hook.name} ${condition.name}`);
    }
  }
});

t.test('every object a rule finds fault with in its fixtures is sent', async (t) => {
  const engine = new Engine(RULES);
  for (const fixture of loadRuleFixtures().filter((f) => f.expect === 'fail')) {
    const world = new ManifestWorld(fixture.objects, { defaultNamespace: 'default' });
    for (const object of fixture.objects) {
      if (engine.evaluate(object, world).length === 0) continue;
      const { sent, failed } = isSent(requestFor(object));
      t.ok(sent, `${fixture.ruleId}/${fixture.file.split('/').pop()}: ${object.kind} ${object.metadata?.name} (failed: ${failed.join(', ') || 'none'})`);
    }
  }
});

t.test('objects that are none of ddguard\'s business are not sent', async (t) => {
  t.notOk(isSent(requestFor(appSecret())).sent, 'a Secret with a password key');
  t.notOk(isSent(requestFor(appDeployment())).sent, 'an nginx Deployment');
  t.notOk(isSent(requestFor(appSecret(), { operation: 'DELETE', oldObject: appSecret() })).sent, 'a Secret DELETE (no rule judges it)');
  const saToken: KubeObject = {
    apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token',
    metadata: { name: 'builder-token', namespace: 'ci', annotations: { 'kubernetes.io/service-account.name': 'builder' } },
    data: { token: 'eHh4', 'ca.crt': 'eHh4', namespace: 'Y2k=' },
  };
  t.notOk(isSent(requestFor(saToken)).sent, 'a service-account token Secret');
  const web: KubeObject = {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'report', namespace: 'apps' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'r', image: 'busybox', env: [{ name: 'MODE', value: 'x' }] }] } } } } },
  };
  t.notOk(isSent(requestFor(web)).sent, 'a CronJob without Datadog');
});

t.test('Datadog objects in every shape are sent', async (t) => {
  const opaque = (data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Secret', type: 'Opaque', metadata: { name: 's', namespace: 'datadog' }, data });
  t.ok(isSent(requestFor(opaque({ token: 'eA==' }))).sent, 'a Secret with a token key');
  t.ok(isSent(requestFor(opaque({ DD_CLUSTER_AGENT_AUTH_TOKEN: 'eA==' }))).sent, 'a Secret keyed by the variable name');
  t.ok(isSent(requestFor(opaque({ AUTH_TOKEN: 'eA==' }))).sent, 'a key that envFrom\'s prefix completes');
  t.notOk(isSent(requestFor(opaque({ 'api-key': 'eA==', password: 'eA==' }))).sent, 'other keys');
  t.ok(isSent(requestFor({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { token: 'short' } })).sent, 'stringData, after the API server merges it');
  t.ok(isSent(requestFor(opaque({ other: 'eA==' }), { operation: 'UPDATE', oldObject: opaque({ token: 'eA==' }) })).sent, 'an UPDATE that removes the token key');

  const pod = (spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd', ...(labels ? { labels } : {}) }, spec,
  });
  t.ok(isSent(requestFor(pod({ containers: [{ name: 'a', image: 'gcr.io/datadoghq/cluster-agent:7' }] }))).sent, 'a Pod running the Cluster Agent');
  t.ok(isSent(requestFor(pod({ containers: [{ name: 'app', image: 'shop:1' }, { name: 'agent', image: 'public.ecr.aws/datadog/agent:7', env: [{ name: 'DD_EKS_FARGATE', value: 'true' }] }] }))).sent,
    'an EKS Fargate pod with the Agent as a sidecar');
  t.ok(isSent(requestFor(pod({ initContainers: [{ name: 'i', image: 'public.ecr.aws/datadog/cluster-agent:7' }], containers: [{ name: 'a', image: 'x' }] }))).sent, 'an init container');
  const mirrored = { containers: [{ name: 'a', image: 'mirror.corp/agent:7', env: [{ name: 'DD_API_KEY', value: 'x' }] }] };
  t.ok(isSent(requestFor({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd', namespace: 'd' }, spec: { template: { spec: mirrored } } })).sent,
    'a DaemonSet running a mirrored image with DD_API_KEY (a node Agent, for detectComponent)');
  t.notOk(isSent(requestFor(pod({ containers: [{ name: 'a', image: 'app:1', env: [{ name: 'DD_ENV', value: 'x' }, { name: 'DD_SERVICE', value: 'x' }, { name: 'DD_AGENT_HOST', value: 'x' }] }] }))).sent,
    'an application with only tagging and tracing variables is not sent');
  t.ok(isSent(requestFor(pod({ containers: [{ name: 'a', image: 'mirror.corp/x' }] }, { 'agent.datadoghq.com/component': 'agent' }))).sent, 'the component label');
  const cron: KubeObject = {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'd' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'a', image: 'datadog/agent:7', env: [{ name: 'DD_CLC_RUNNER_ENABLED', value: 'true' }] }] } } } } },
  };
  t.ok(isSent(requestFor(cron)).sent, 'a CronJob running a cluster-checks runner');
  const dda: KubeObject = { apiVersion: 'datadoghq.com/v2alpha1', kind: 'DatadogAgent', metadata: { name: 'datadog', namespace: 'd' }, spec: {} };
  t.ok(isSent(requestFor(dda)).sent, 'a DatadogAgent');
});

t.test('Kubernetes\' own controllers are never blocked; look-alikes are still judged', async (t) => {
  const binding: KubeObject = {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'datadog', namespace: 'datadog' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'datadog' }, subjects: [],
  };
  const deleteAs = (username: string) => isSent(requestFor(binding, { operation: 'DELETE', oldObject: binding, username })).sent;
  t.notOk(deleteAs('system:serviceaccount:kube-system:namespace-controller'), 'namespace deletion');
  t.notOk(deleteAs('system:serviceaccount:kube-system:generic-garbage-collector'), 'garbage collection');
  t.notOk(isSent(requestFor({ ...binding, kind: 'ClusterRole', metadata: { name: 'admin' } }, { username: 'system:apiserver' })).sent, 'bootstrap roles');
  t.ok(deleteAs('kubernetes-admin'), 'a person');
  t.ok(deleteAs('system:serviceaccount:kube-system:my-gitops-tool'), 'a tool running in kube-system');
  t.ok(deleteAs('system:serviceaccount:argocd:argocd-application-controller'), 'Argo CD');
});
