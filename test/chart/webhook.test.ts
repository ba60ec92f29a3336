import '../support/requires-helm.js';
import { X509Certificate } from 'node:crypto';
import t from 'tap';
import { Engine } from '../../src/engine/engine.js';
import { admissionScope } from '../../src/engine/admission-scope.js';
import { KINDS } from '../../src/kube-model/kinds.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import { helmTemplate } from '../support/helm.js';
import { USER_CA_BUNDLE, tlsValues } from '../support/chart-modes.js';

interface WebhookRule {
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  operations: string[];
  scope: string;
}
interface Webhook {
  name: string;
  admissionReviewVersions: string[];
  sideEffects: string;
  timeoutSeconds: number;
  failurePolicy: string;
  matchPolicy: string;
  clientConfig: { service: { name: string; namespace: string; path: string; port: number }; caBundle?: string };
  namespaceSelector: { matchExpressions: { key: string; operator: string; values?: string[] }[] };
  rules: WebhookRule[];
  matchConditions?: { name: string; expression: string }[];
}

const NAMESPACE = 'guard-system';

/** Renders with cert-manager TLS unless told otherwise: the chart's own CA costs an RSA key generation. */
function render(values: Record<string, unknown> = {}, kubeVersion = '1.31.0'): KubeObject[] {
  return helmTemplate({ values: { tls: { mode: 'certManager' }, ...values }, kubeVersion, namespace: NAMESPACE, release: 'guard' });
}
function only(objects: KubeObject[], kind: string): KubeObject & Record<string, unknown> {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, got ${found.length}`);
  return found[0] as KubeObject & Record<string, unknown>;
}
function webhooksOf(objects: KubeObject[]): Webhook[] {
  return only(objects, 'ValidatingWebhookConfiguration')['webhooks'] as Webhook[];
}
function byName(hooks: Webhook[], name: string): Webhook {
  const hook = hooks.find((h) => h.name === name);
  if (!hook) throw new Error(`no webhook ${name}`);
  return hook;
}

const defaults = render({ tls: { mode: 'auto' } });
const hooks = webhooksOf(defaults);

t.test('the webhook rules are exactly the kinds and operations the rule registry judges', async (t) => {
  const expected = admissionScope(new Engine(RULES).judgedKinds(), RULES)
    .flatMap(({ kind, operations }) => {
      const r = KINDS[kind];
      return operations.map((op) => `${r.group}/${r.version}/${r.resource}/${r.scope}/${op}`);
    })
    .sort();
  // rbac-others and secrets-others repeat their group's rules for the objects that are not Datadog's.
  const rendered = hooks
    .filter((hook) => !hook.name.includes('-others.'))
    .flatMap((hook) => hook.rules)
    .flatMap((rule) =>
      rule.apiGroups.flatMap((group) =>
        rule.apiVersions.flatMap((version) =>
          rule.resources.flatMap((resource) => rule.operations.map((op) => `${group}/${version}/${resource}/${rule.scope}/${op}`)),
        ),
      ),
    )
    .sort();
  t.ok(expected.length > 0, 'the registry judges some kinds');
  t.same(rendered, expected, 'charts/ddguard/files/webhooks.yaml matches src/rules (update the file when a rule kind changes)');
  t.equal(new Set(rendered).size, rendered.length, 'no kind is sent twice');
  for (const others of hooks.filter((hook) => hook.name.includes('-others.'))) {
    t.same(others.rules, byName(hooks, others.name.replace('-others.', '.')).rules, `${others.name}: the rules of its group`);
  }
});

t.test('each webhook follows the safety defaults', async (t) => {
  const service = only(defaults, 'Service') as { metadata: { name: string }; spec: { ports: { name: string; port: number; targetPort: string }[] } };
  const httpsPort = service.spec.ports.find((p) => p.name === 'https');
  t.same(hooks.map((h) => h.name).sort(), [
    'datadogagents.ddguard.io', 'rbac-others.ddguard.io', 'rbac.ddguard.io', 'secrets-others.ddguard.io', 'secrets.ddguard.io', 'workloads.ddguard.io',
  ]);
  for (const hook of hooks) {
    t.same(hook.admissionReviewVersions, ['v1'], `${hook.name}: admissionReviewVersions`);
    t.equal(hook.sideEffects, 'None', `${hook.name}: sideEffects`);
    t.equal(hook.timeoutSeconds, 5, `${hook.name}: timeoutSeconds`);
    // Only the webhooks that see Datadog's objects alone fail closed (test/chart/fail-safe.test.ts).
    t.equal(hook.failurePolicy, hook.name.includes('-others.') ? 'Ignore' : 'Fail', `${hook.name}: failurePolicy`);
    t.equal(hook.matchPolicy, 'Equivalent', `${hook.name}: matchPolicy`);
    t.same(hook.clientConfig.service, { name: service.metadata.name, namespace: NAMESPACE, path: '/validate', port: httpsPort?.port });
    t.same(hook.namespaceSelector.matchExpressions, [
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', NAMESPACE] },
    ], `${hook.name}: kube-system and the release namespace are never sent`);
    t.notOk(hook.rules.some((r) => [...r.resources, ...r.apiGroups, ...r.operations].includes('*')), `${hook.name}: no wildcard`);
  }
  t.equal(httpsPort?.targetPort, 'https', 'the Service port 443 reaches the container port named https');
});

t.test('failurePolicy, timeout and excluded namespaces are configurable', async (t) => {
  const custom = webhooksOf(render({
    webhook: {
      failurePolicy: 'Ignore',
      othersFailurePolicy: 'Fail',
      failurePolicyOverrides: { secrets: 'Fail', 'rbac-others': 'Ignore' },
      timeoutSeconds: 3,
      excludeNamespaces: ['sandbox'],
      namespaceSelectorExpressions: [{ key: 'ddguard.io/ignore', operator: 'DoesNotExist' }],
    },
  }));
  t.equal(byName(custom, 'secrets.ddguard.io').failurePolicy, 'Fail');
  for (const name of ['workloads.ddguard.io', 'rbac.ddguard.io', 'datadogagents.ddguard.io', 'rbac-others.ddguard.io']) {
    t.equal(byName(custom, name).failurePolicy, 'Ignore', name);
  }
  t.equal(byName(custom, 'secrets-others.ddguard.io').failurePolicy, 'Fail', 'othersFailurePolicy');
  for (const hook of custom) {
    t.equal(hook.timeoutSeconds, 3);
    t.same(hook.namespaceSelector.matchExpressions, [
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', NAMESPACE, 'sandbox'] },
      { key: 'ddguard.io/ignore', operator: 'DoesNotExist' },
    ]);
  }
});

t.test('matchConditions are sent only to clusters that support them', async (t) => {
  const conditionNames = (list: Webhook[], name: string) => (byName(list, name).matchConditions ?? []).map((c) => c.name);
  const old = webhooksOf(render({}, '1.27.0'));
  for (const hook of old) t.notOk('matchConditions' in hook, `1.27: ${hook.name} has no matchConditions`);
  const beta = webhooksOf(render({}, '1.28.0'));
  t.ok(beta.every((hook) => (hook.matchConditions ?? []).length > 0), '1.28: every webhook has matchConditions');

  t.same(conditionNames(hooks, 'secrets.ddguard.io'), ['not-kubernetes-controller', 'not-service-account-token', 'holds-cluster-agent-token', 'datadog-object']);
  t.same(conditionNames(hooks, 'secrets-others.ddguard.io'), ['not-kubernetes-controller', 'not-service-account-token', 'holds-cluster-agent-token', 'not-datadog-object']);
  t.same(conditionNames(hooks, 'workloads.ddguard.io'), ['not-kubernetes-controller', 'datadog-component']);
  t.same(conditionNames(hooks, 'rbac.ddguard.io'), ['not-kubernetes-controller', 'datadog-object']);
  t.same(conditionNames(hooks, 'rbac-others.ddguard.io'), ['not-kubernetes-controller', 'not-datadog-object']);
  t.same(conditionNames(hooks, 'datadogagents.ddguard.io'), ['not-kubernetes-controller']);

  const noSkip = webhooksOf(render({ webhook: { skipKubernetesControllers: false } }));
  t.notOk('matchConditions' in byName(noSkip, 'datadogagents.ddguard.io'), 'datadogagents: nothing left to match on');
  t.same(conditionNames(noSkip, 'workloads.ddguard.io'), ['datadog-component']);
  const off = webhooksOf(render({ webhook: { matchConditions: false } }));
  t.ok(off.every((hook) => !('matchConditions' in hook)), 'webhook.matchConditions=false removes them all');
});

t.test('tls.mode=auto: a CA and a serving certificate for the Service, the CA in every webhook', async (t) => {
  const secret = only(defaults, 'Secret') as { type: string; metadata: { name: string }; data: Record<string, string> };
  t.equal(secret.type, 'kubernetes.io/tls');
  const pem = (key: string) => Buffer.from(secret.data[key] ?? '', 'base64').toString('utf8');
  const ca = new X509Certificate(pem('ca.crt'));
  const cert = new X509Certificate(pem('tls.crt'));
  t.ok(ca.ca, 'ca.crt is a CA');
  t.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey), 'tls.crt is signed by ca.crt');
  t.ok(cert.checkPrivateKey((await import('node:crypto')).createPrivateKey(pem('tls.key'))), 'tls.key matches tls.crt');
  for (const name of ['guard-ddguard', `guard-ddguard.${NAMESPACE}`, `guard-ddguard.${NAMESPACE}.svc`, `guard-ddguard.${NAMESPACE}.svc.cluster.local`]) {
    t.ok(cert.checkHost(name), `the certificate covers ${name}`);
  }
  for (const hook of hooks) t.equal(hook.clientConfig.caBundle, secret.data['ca.crt'], `${hook.name}: caBundle is the CA`);
  t.equal(mountedSecret(defaults), secret.metadata.name, 'the Deployment mounts the generated Secret');
});

t.test('tls.mode=certManager: a Certificate, its CA injected by cert-manager', async (t) => {
  const objects = render(tlsValues('certManager'));
  t.notOk(objects.some((o) => o.kind === 'Secret'), 'the chart makes no Secret itself');
  const vwc = only(objects, 'ValidatingWebhookConfiguration');
  const inject = vwc.metadata?.annotations?.['cert-manager.io/inject-ca-from'];
  const serving = objects.find((o) => o.kind === 'Certificate' && `${o.metadata?.namespace}/${o.metadata?.name}` === inject) as
    | { spec: { secretName: string; dnsNames: string[]; issuerRef: { name: string } } }
    | undefined;
  t.ok(serving, `cert-manager.io/inject-ca-from (${inject}) names a rendered Certificate`);
  t.same(serving?.spec.dnsNames, ['guard-ddguard', `guard-ddguard.${NAMESPACE}`, `guard-ddguard.${NAMESPACE}.svc`, `guard-ddguard.${NAMESPACE}.svc.cluster.local`]);
  t.equal(mountedSecret(objects), serving?.spec.secretName, 'the Deployment mounts the Certificate\'s Secret');
  t.ok(objects.some((o) => o.kind === 'Issuer' && o.metadata?.name === serving?.spec.issuerRef.name), 'its Issuer is rendered');
  for (const hook of webhooksOf(objects)) t.notOk('caBundle' in hook.clientConfig, `${hook.name}: caBundle left to cainjector`);

  const own = render({ tls: { mode: 'certManager', certManager: { issuerRef: { name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } } } });
  t.same(own.filter((o) => o.kind === 'Issuer'), [], 'an existing issuer: no Issuer rendered');
  t.same((own.find((o) => o.kind === 'Certificate') as { spec: { issuerRef: unknown } }).spec.issuerRef, { name: 'corp-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' });
});

t.test('tls.mode=secret: the user\'s Secret and CA bundle', async (t) => {
  const objects = render(tlsValues('secret'));
  t.notOk(objects.some((o) => o.kind === 'Secret' || o.kind === 'Certificate'), 'nothing generated');
  t.equal(mountedSecret(objects), 'my-ddguard-tls');
  for (const hook of webhooksOf(objects)) t.equal(hook.clientConfig.caBundle, USER_CA_BUNDLE, hook.name);
});

function mountedSecret(objects: KubeObject[]): string | undefined {
  const deployment = only(objects, 'Deployment') as { spec: { template: { spec: { volumes: { name: string; secret?: { secretName: string } }[] } } } };
  return deployment.spec.template.spec.volumes.find((v) => v.name === 'tls')?.secret?.secretName;
}
