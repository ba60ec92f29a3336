// `check` over a stream: what no other object's rules can ask about is judged as it comes and let go; what
// they can ask about is kept and judged at the end; the report is the one judging the whole set at once gives.
import t from 'tap';
import { Engine } from '../../src/engine/engine.js';
import { ManifestCheck } from '../../src/check/manifest-check.js';
import { parseManifests } from '../../src/manifests/parse.js';
import { RULES } from '../../src/rules/index.js';
import { sharedSecretLookupRule } from '../support/test-rules.js';
import { judgedAtOnce } from '../support/check-at-once.js';

const deployment = (name: string, extra = '') =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ${name}, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: shop/${name}:1.0\n          env:\n            - {name: DD_ENV, value: prod}\n${extra}`;
const NODE_AGENT = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: datadog, namespace: datadog}
spec:
  template:
    metadata:
      labels: {agent.datadoghq.com/component: agent}
    spec:
      containers:
        - name: agent
          image: gcr.io/datadoghq/agent:7.60.0
          env:
            - name: DD_CLUSTER_AGENT_AUTH_TOKEN
              valueFrom: {secretKeyRef: {name: datadog-cluster-agent, key: token}}
`;
const TOKEN_SECRET = 'apiVersion: v1\nkind: Secret\nmetadata: {name: datadog-cluster-agent, namespace: datadog}\nstringData: {token: short}\n';
const INGRESS = 'apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: shop, namespace: shop}\nspec: {}\n';

function feed(check: ManifestCheck, text: string, file: string): void {
  for (const entry of parseManifests(text, file)) check.add(entry);
}

t.test('an application object no rule can ask about is judged and let go; Datadog objects and Secrets are kept', async (t) => {
  const check = new ManifestCheck(new Engine(RULES), 'default');
  feed(check, [deployment('cart'), deployment('pay'), INGRESS].join('---\n'), 'shop.yaml');
  t.equal(check.kept, 0, 'two instrumented application Deployments and an Ingress: nothing kept');
  t.equal(check.waiting, 0, 'and nothing waits for the end');
  feed(check, [TOKEN_SECRET, NODE_AGENT].join('---\n'), 'datadog.yaml');
  t.equal(check.kept, 2, 'the node Agent and the Secret it references are kept');
  t.equal(check.waiting, 2, 'both are judged once everything is read');
  const report = check.finish(['shop.yaml', 'datadog.yaml']);
  t.same(report.objects.map((o) => o.ref.name), ['cart', 'pay', 'shop', 'datadog-cluster-agent', 'datadog'], 'every object is still listed, in input order');
  t.ok(report.findings.some((f) => f.ruleId === 'cluster-agent-token-length' && f.source?.file === 'datadog.yaml'), 'the short token is found, with its file');
});

t.test('an object asking about one read later is judged again at the end; one whose answers did not change is not', async (t) => {
  let judged = 0;
  const secretIsThere = sharedSecretLookupRule({ namespace: 'shop', path: '/metadata/name', onEvaluate: () => judged++ });
  const secret = 'apiVersion: v1\nkind: Secret\nmetadata: {name: shared, namespace: shop}\nstringData: {a: b}\n';
  const run = (text: string) => {
    judged = 0;
    const check = new ManifestCheck(new Engine([secretIsThere]), 'default');
    feed(check, text, 'all.yaml');
    const waiting = check.waiting;
    return { messages: check.finish(['all.yaml']).findings.map((f) => [f.object.name, f.message, f.source?.line]), judged, waiting };
  };
  const before = run([deployment('cart'), secret].join('---\n'));
  t.same(before.messages, [['cart', 'Secret "shared" is found.', 3]], 'judged in the world of the whole input');
  t.equal(before.judged, 2, 'judged as it came (the Secret absent), then again once the Secret was read');

  const after = run([secret, deployment('cart')].join('---\n'));
  t.same(after.messages, [['cart', 'Secret "shared" is found.', 8]]);
  t.equal(after.judged, 1, 'the answer did not change: judged once');
  t.equal(after.waiting, 1, 'the Deployment waited for the end, for its question (no rule here judges the Secret)');
});

t.test('the report is the one judging the whole set at once gives, in any order', async (t) => {
  const agent = NODE_AGENT;
  const clusterAgent = `apiVersion: apps/v1
kind: Deployment
metadata: {name: datadog-cluster-agent, namespace: datadog}
spec:
  template:
    metadata:
      labels: {agent.datadoghq.com/component: cluster-agent}
    spec:
      serviceAccountName: datadog-cluster-agent
      containers:
        - name: cluster-agent
          image: gcr.io/datadoghq/cluster-agent:7.60.0
          env:
            - name: DD_CLUSTER_AGENT_AUTH_TOKEN
              valueFrom: {secretKeyRef: {name: datadog-cluster-agent, key: token}}
`;
  const binding = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: datadog-cluster-agent}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: datadog-cluster-agent}
subjects:
  - {kind: ServiceAccount, name: datadog-cluster-agent, namespace: datadog}
`;
  const role = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: datadog-cluster-agent}
rules:
  - {apiGroups: [""], resources: [pods, nodes, services, events], verbs: [get, list, watch]}
`;
  const documents = [TOKEN_SECRET, agent, clusterAgent, binding, role, deployment('cart'), INGRESS];
  const orders = [documents, [...documents].reverse(), [documents[1]!, documents[5]!, documents[3]!, documents[0]!, documents[6]!, documents[4]!, documents[2]!]];
  for (const [i, order] of orders.entries()) {
    const text = order.join('---\n');
    const check = new ManifestCheck(new Engine(RULES), 'default');
    feed(check, text, 'set.yaml');
    const streamed = check.finish(['set.yaml']);
    const atOnce = judgedAtOnce(parseManifests(text, 'set.yaml'), new Engine(RULES), 'default');
    t.ok(streamed.findings.length > 0, `order ${i}: there is something to find`);
    t.equal(JSON.stringify(streamed.findings), JSON.stringify(atOnce), `order ${i}: the same findings, lines and all`);
  }
});
