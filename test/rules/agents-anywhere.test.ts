// Agents wherever they run (issue 14): an Agent container in any workload kind, a sidecar beside an application
// included, is judged like a node Agent; a Fargate sidecar needs no kubelet host but does need a valid token.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { asDatadogWorkload } from '../../src/datadog/components.js';
import { Engine } from '../../src/engine/engine.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import type { AdmissionReview } from '../../src/kube-model/admission-review.js';
import { StaticWorldProvider } from '../../src/world/world-provider.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import { ROOT } from '../support/fixtures.js';
import { testServer } from '../support/webhook.js';

const objects = parseAllDocuments(readFileSync(join(ROOT, 'test', 'fixtures', 'datadog', 'fargate-sidecar.yaml'), 'utf8'))
  .map((d) => d.toJS() as KubeObject)
  .filter((o) => !!o?.kind);
const deployment = objects.find((o) => o.kind === 'Deployment')!;
const podSpec = (deployment['spec'] as { template: { spec: Record<string, unknown> } }).template.spec;

function as(kind: 'Pod' | 'CronJob' | 'Job' | 'StatefulSet'): KubeObject {
  const metadata = { name: `shop-${kind.toLowerCase()}`, namespace: 'fargate' };
  const template = { metadata: { labels: { app: 'shop' } }, spec: structuredClone(podSpec) };
  if (kind === 'Pod') return { apiVersion: 'v1', kind, metadata, spec: structuredClone(podSpec) };
  if (kind === 'CronJob') return { apiVersion: 'batch/v1', kind, metadata, spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } } };
  return { apiVersion: kind === 'Job' ? 'batch/v1' : 'apps/v1', kind, metadata, spec: { template } };
}

function review(object: KubeObject): AdmissionReview {
  const [group, version] = (object.apiVersion ?? 'v1').includes('/') ? object.apiVersion!.split('/') : ['', object.apiVersion ?? 'v1'];
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${object.kind}`,
      kind: { group: group!, version: version!, kind: object.kind! },
      resource: { group: group!, version: version!, resource: `${object.kind!.toLowerCase()}s` },
      name: object.metadata!.name!,
      namespace: 'fargate',
      operation: 'CREATE',
      userInfo: { username: 'kubernetes-admin' },
      object,
      oldObject: null,
      dryRun: false,
    },
  } as AdmissionReview;
}

t.test('the Agent sidecar is recognised in every workload kind, as a sidecar', async (t) => {
  for (const object of [deployment, as('Pod'), as('CronJob'), as('Job'), as('StatefulSet')]) {
    const workload = asDatadogWorkload(object, 'default');
    t.equal(workload?.component, 'node-agent', object.kind ?? '');
    t.equal(workload?.placement, 'sidecar', object.kind ?? '');
  }
  t.equal(asDatadogWorkload({ ...deployment, spec: { template: { spec: { containers: [{ name: 'shop', image: 'nginx:1.27' }] } } } }, 'default'), undefined, 'an application alone is not an Agent');
});

t.test('check: the short token is an error on the Deployment, CronJob and bare Pod; no kubelet-host finding', async (t) => {
  const engine = new Engine(RULES);
  for (const object of [deployment, as('CronJob'), as('Pod')]) {
    const world = new ManifestWorld([...objects.filter((o) => o !== deployment), object], { defaultNamespace: 'fargate' });
    const findings = engine.evaluate(object, world);
    const length = findings.filter((f) => f.ruleId === 'cluster-agent-token-length');
    t.equal(length.length, 1, `${object.kind}: cluster-agent-token-length`);
    t.equal(length[0]?.severity, 'error');
    t.match(length[0]?.message, /18 bytes/);
    t.notMatch(JSON.stringify(findings), /fargate-token-1234/, 'the token is never printed');
    t.notOk(findings.some((f) => /^kubelet-host|hostname-per-node/.test(f.ruleId)), `${object.kind}: a sidecar has no kubelet host to judge`);
    t.notOk(findings.some((f) => f.ruleId.includes('rbac') && f.severity === 'error'), `${object.kind}: the Fargate guide's RBAC is enough`);
  }
});

t.test('admission: the Fargate Deployment with the short token is denied', async (t) => {
  const { validate } = await testServer({ rules: RULES, worldProvider: StaticWorldProvider.of(objects.filter((o) => o !== deployment)) });
  for (const object of [deployment, as('CronJob'), as('Pod')]) {
    const { statusCode, body } = await validate(review(object));
    t.equal(statusCode, 200);
    t.equal(body.response.allowed, false, object.kind ?? '');
    t.match(body.response.status?.message, /\[cluster-agent-token-length\] /);
    t.notMatch(JSON.stringify(body), /fargate-token-1234/);
  }
});

t.test('the same sidecar with a 32-byte token is admitted', async (t) => {
  const fixed = structuredClone(deployment);
  const agent = (fixed['spec'] as { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } }).template.spec.containers[1]!;
  agent.env.find((e) => e.name === 'DD_CLUSTER_AGENT_AUTH_TOKEN')!.value = 'a'.repeat(16) + 'b'.repeat(16);
  const { validate } = await testServer({ rules: RULES, worldProvider: StaticWorldProvider.of(objects.filter((o) => o !== deployment)) });
  const { body } = await validate(review(fixed));
  t.equal(body.response.allowed, true, body.response.status?.message ?? '');
});
