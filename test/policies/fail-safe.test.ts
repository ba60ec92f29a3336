// The fail-safe promise with policies on: no everyday write of another team is judged by a policy (so none can
// wait on, or be denied by, ddguard's CEL), and an expression that cannot be evaluated admits.
import t from 'tap';
import type { KubeObject } from '../../src/kube-model/types.js';
import { createRequest, evaluatePolicy, POLICIES, type Request } from '../support/policies.js';
import { workload } from '../support/policy-variants.js';

const matchedBy = (request: Request) => POLICIES.filter((p) => evaluatePolicy(p, request).matched).map((p) => p.name);

t.test('every policy admits when an expression fails, and judges only CREATE and UPDATE', async (t) => {
  for (const { name, policy } of POLICIES) {
    const spec = policy['spec'] as { failurePolicy: string; matchConstraints: { resourceRules: { operations: string[] }[] } };
    t.equal(spec.failurePolicy, 'Ignore', `${name}: failurePolicy Ignore`);
    t.ok(spec.matchConstraints.resourceRules.every((r) => r.operations.join() === 'CREATE,UPDATE'), `${name}: CREATE and UPDATE only`);
  }
});

t.test('objects of other teams are matched by no policy, even when they look like a token', async (t) => {
  const short = Buffer.from('short').toString('base64');
  const others: [string, KubeObject][] = [
    ['a Secret with a short `token` key', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'api', namespace: 'shop' }, data: { token: short } }],
    ['a service-account token Secret', { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 'builder-token', namespace: 'ci' }, data: { token: short } }],
    ['another chart\'s `-cluster-agent` Secret', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x-cluster-agent', namespace: 'a', labels: { 'helm.sh/chart': 'x-1.0.0' } }, data: { token: short } }],
    ['a `-token` Secret owned by something else', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db-token', namespace: 'a', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'db', uid: 'u' }] } as NonNullable<KubeObject['metadata']>, data: { token: short } }],
    ['an unlabelled Deployment with DD_ variables', workload('Deployment', [{ name: 'web', image: 'nginx', env: [{ name: 'DD_CLUSTER_AGENT_AUTH_TOKEN', value: 'short' }, { name: 'DD_HOSTNAME', value: 'web' }] }])],
    ['an unlabelled DaemonSet with a literal kubelet host', workload('DaemonSet', [{ name: 'log', image: 'fluent-bit', env: [{ name: 'DD_KUBERNETES_KUBELET_HOST', value: '10.0.0.1' }] }])],
    ['a CronJob', workload('CronJob', [{ name: 'r', image: 'busybox' }])],
  ];
  for (const [what, object] of others) t.same(matchedBy(createRequest(object)), [], what);
});

