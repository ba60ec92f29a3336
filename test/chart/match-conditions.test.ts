import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '@marcbachmann/cel-js';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { Engine } from '../../src/engine/engine.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { RULES } from '../../src/rules/index.js';
import { ManifestWorld } from '../../src/world/manifestWorld.js';
import { corpusFiles, loadRuleFixtures, SHARED } from '../support/fixtures.js';
import { helmTemplate } from '../support/helm.js';
import { candidates } from '../support/webhook-cel.js';
import { detectComponent } from '../../src/datadog/components.js';

/**
 * The webhook's CEL matchConditions, evaluated with a CEL interpreter on real requests: the reviews a real
 * API server sent for the official Datadog chart, the official manifests, the rules' own failing fixtures,
 * and objects that must not be sent. A condition that wrongly says false means a broken Agent is admitted
 * unseen, so every Datadog object that a rule can deny must pass them.
 */

interface Webhook {
  name: string;
  rules: { apiGroups: string[]; resources: string[]; operations: string[] }[];
  matchConditions?: { name: string; expression: string }[];
}
interface AdmissionRequest {
  kind: { group: string; version: string; kind: string };
  resource: { group: string; version: string; resource: string };
  operation: string;
  userInfo: { username: string; groups?: string[] };
  object: KubeObject | null;
  oldObject: KubeObject | null;
}

const vwc = helmTemplate({ kubeVersion: '1.31.0', values: { tls: { mode: 'certManager' } } }).find((o) => o.kind === 'ValidatingWebhookConfiguration');
const webhooks = (vwc?.['webhooks'] ?? []) as Webhook[];

/** Whether the API server would call ddguard: some webhook's rules and all its conditions match the request. */
function isSent(request: AdmissionRequest): { sent: boolean; failed: string[] } {
  const matches = candidates(webhooks, request);
  if (matches.length === 0) return { sent: false, failed: ['no webhook rule'] };
  const sent = matches.some((m) => m.failed.length === 0);
  return { sent, failed: sent ? [] : [...new Set(matches.flatMap((m) => m.failed))] };
}

const RESOURCES: Record<string, { group: string; resource: string }> = {
  Secret: { group: '', resource: 'secrets' },
  Pod: { group: '', resource: 'pods' },
  ServiceAccount: { group: '', resource: 'serviceaccounts' },
  Deployment: { group: 'apps', resource: 'deployments' },
  DaemonSet: { group: 'apps', resource: 'daemonsets' },
  StatefulSet: { group: 'apps', resource: 'statefulsets' },
  ReplicaSet: { group: 'apps', resource: 'replicasets' },
  Job: { group: 'batch', resource: 'jobs' },
  CronJob: { group: 'batch', resource: 'cronjobs' },
  ClusterRole: { group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
  ClusterRoleBinding: { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
  Role: { group: 'rbac.authorization.k8s.io', resource: 'roles' },
  RoleBinding: { group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
  DatadogAgent: { group: 'datadoghq.com', resource: 'datadogagents' },
};

/** A request as the API server builds it for `object`; stringData is merged into data before admission. */
function requestFor(object: KubeObject, options: { operation?: string; username?: string; oldObject?: KubeObject } = {}): AdmissionRequest {
  const kind = object.kind ?? '';
  const r = RESOURCES[kind] ?? { group: 'unknown', resource: 'unknown' };
  const [group, version] = (object.apiVersion ?? 'v1').includes('/') ? (object.apiVersion ?? '').split('/') : ['', object.apiVersion ?? 'v1'];
  const operation = options.operation ?? 'CREATE';
  return {
    kind: { group: group ?? '', version: version ?? 'v1', kind },
    resource: { group: r.group, version: version ?? 'v1', resource: r.resource },
    operation,
    userInfo: { username: options.username ?? 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
    object: operation === 'DELETE' ? null : admitted(object),
    oldObject: options.oldObject ? admitted(options.oldObject) : null,
  };
}

function admitted(object: KubeObject): KubeObject {
  if (object.kind !== 'Secret' || typeof object['stringData'] !== 'object' || object['stringData'] === null) return object;
  const data = { ...(object['data'] as Record<string, string> | undefined) };
  for (const [key, value] of Object.entries(object['stringData'] as Record<string, string>)) {
    data[key] = Buffer.from(String(value)).toString('base64');
  }
  const { stringData: _dropped, ...rest } = object;
  return { ...rest, data };
}

t.test('every condition is valid CEL', async (t) => {
  t.ok(webhooks.length > 0, 'the chart renders webhooks');
  for (const hook of webhooks) {
    for (const condition of hook.matchConditions ?? []) {
      t.doesNotThrow(() => parse(condition.expression), `${hook.name} ${condition.name}`);
    }
  }
});

t.test('the official Datadog chart, as a real API server sent it, reaches ddguard where it matters', async (t) => {
  const dir = join(SHARED, 'captured-admission', 'datadog-chart');
  const expectedNotSent: Record<string, string> = {
    '0001-Secret-CREATE-datadog.json': 'the API key Secret holds no Cluster Agent token',
    '0014-Deployment-CREATE-datadog-datadog-operator.json': 'the Operator is no Datadog component: no rule judges it',
  };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) {
    const review = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { request: AdmissionRequest };
    const { sent, failed } = isSent(review.request);
    const why = expectedNotSent[file];
    if (why) t.notOk(sent, `${file}: not sent, ${why}`);
    else t.ok(sent, `${file}: sent (failed conditions: ${failed.join(', ') || 'none'})`);
  }
});

t.test('every Datadog component and token Secret of the official manifests is sent', async (t) => {
  let workloads = 0;
  for (const file of corpusFiles()) {
    const objects = parseAllDocuments(readFileSync(file, 'utf8'))
      .filter((doc) => doc.errors.length === 0)
      .map((doc) => doc.toJS() as unknown)
      .filter((o): o is KubeObject => typeof o === 'object' && o !== null && typeof (o as KubeObject).kind === 'string');
    for (const object of objects) {
      const isWorkload = detectComponent(object) !== undefined;
      const isToken = object.kind === 'Secret' && hasTokenKey(admitted(object));
      if (!isWorkload && !isToken) continue;
      if (isWorkload) workloads += 1;
      const { sent, failed } = isSent(requestFor(object));
      t.ok(sent, `${file.slice(SHARED.length + 1)}: ${object.kind} ${object.metadata?.name} (failed: ${failed.join(', ') || 'none'})`);
    }
  }
  t.ok(workloads >= 5, `the corpus has Datadog workloads (${workloads})`);
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
  const captured = (name: string) => (JSON.parse(readFileSync(join(SHARED, 'captured-admission', name), 'utf8')) as { request: AdmissionRequest }).request;
  t.notOk(isSent(captured('secret-create.json')).sent, 'a Secret with a password key');
  t.notOk(isSent(captured('deployment-create.json')).sent, 'an nginx Deployment');
  t.notOk(isSent(captured('secret-delete.json')).sent, 'a Secret DELETE (no rule judges it)');
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
  t.ok(isSent(requestFor(pod({ initContainers: [{ name: 'i', image: 'public.ecr.aws/datadog/cluster-agent:7' }], containers: [{ name: 'a', image: 'x' }] }))).sent, 'an init container');
  const mirrored = { containers: [{ name: 'a', image: 'mirror.corp/agent:7', env: [{ name: 'DD_API_KEY', value: 'x' }] }] };
  t.ok(isSent(requestFor({ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'd', namespace: 'd' }, spec: { template: { spec: mirrored } } })).sent,
    'a DaemonSet running a mirrored image with DD_API_KEY (a node Agent, for detectComponent)');
  t.notOk(isSent(requestFor(pod(mirrored))).sent, 'the same container in a bare Pod is no component: not sent');
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

function hasTokenKey(secret: KubeObject): boolean {
  const data = secret['data'];
  return typeof data === 'object' && data !== null && ('token' in data || 'DD_CLUSTER_AGENT_AUTH_TOKEN' in data)
    && secret['type'] !== 'kubernetes.io/service-account-token';
}
