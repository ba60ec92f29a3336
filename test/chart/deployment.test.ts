import '../support/requires-helm.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { KubeObject } from '../../src/kube-model/types.js';
import { loadServeConfig } from '../../src/webhook/config-file.js';
import { SERVE_OPTIONS } from '../../src/webhook/serve-options.js';
import { helmTemplate, tryHelmTemplate } from '../support/helm.js';

interface Container {
  name: string;
  image: string;
  args: string[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string; scheme: string } };
  readinessProbe: { httpGet: { path: string; port: string; scheme: string } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown> & { capabilities: { drop: string[]; add?: string[] } };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}
interface PodSpec {
  containers: Container[];
  securityContext: Record<string, unknown>;
  priorityClassName?: string;
  topologySpreadConstraints: { topologyKey: string; maxSkew: number; labelSelector: { matchLabels: Record<string, string> } }[];
  volumes: { name: string; emptyDir?: unknown; secret?: unknown; configMap?: { name: string } }[];
}
interface Deployment {
  spec: {
    replicas: number;
    selector: { matchLabels: Record<string, string> };
    strategy: { rollingUpdate: { maxUnavailable: number } };
    template: { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: PodSpec };
  };
}

// Variants render with cert-manager TLS: the chart's own CA costs an RSA key generation per render.
const render = (values: Record<string, unknown> = {}, tls: Record<string, unknown> = { mode: 'certManager' }) =>
  helmTemplate({ values: { tls, ...values }, namespace: 'ddguard', release: 'ddguard' });
const deploymentOf = (objects: KubeObject[]) => objects.find((o) => o.kind === 'Deployment') as unknown as Deployment;
const containerOf = (d: Deployment): Container => {
  const [container] = d.spec.template.spec.containers;
  if (!container) throw new Error('no container');
  return container;
};
const arg = (c: Container, flag: string) => c.args.find((a) => a.startsWith(`--${flag}=`))?.slice(flag.length + 3);

const defaults = render({}, { mode: 'auto' });
const deployment = deploymentOf(defaults);
const pod = deployment.spec.template.spec;
const container = containerOf(deployment);

t.test('hardened: non-root 65532, read-only root, no capabilities, RuntimeDefault seccomp', async (t) => {
  t.match(pod.securityContext, { runAsNonRoot: true, runAsUser: 65532, seccompProfile: { type: 'RuntimeDefault' } });
  t.match(container.securityContext, {
    runAsNonRoot: true,
    runAsUser: 65532,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
  });
  t.same(container.securityContext.capabilities, { drop: ['ALL'] }, 'all capabilities dropped, none added');
  for (const mount of container.volumeMounts) {
    const volume = pod.volumes.find((v) => v.name === mount.name);
    t.ok(mount.readOnly === true || volume?.emptyDir !== undefined, `${mount.mountPath}: read-only, or a scratch emptyDir`);
  }
});

t.test('available: 2 replicas, a PDB, spread across nodes, no unavailable pod during a rollout', async (t) => {
  t.equal(deployment.spec.replicas, 2);
  t.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0);
  const pdb = defaults.find((o) => o.kind === 'PodDisruptionBudget') as unknown as { spec: { minAvailable: number; selector: { matchLabels: unknown } } };
  t.equal(pdb.spec.minAvailable, 1);
  t.same(pdb.spec.selector.matchLabels, deployment.spec.selector.matchLabels, 'the PDB selects the webhook pods');
  const spread = pod.topologySpreadConstraints.find((c) => c.topologyKey === 'kubernetes.io/hostname');
  t.ok(spread, 'spread across nodes');
  t.same(spread?.labelSelector.matchLabels, deployment.spec.selector.matchLabels);
  t.notOk(render({ replicaCount: 1 }).some((o) => o.kind === 'PodDisruptionBudget'), 'one replica: no PDB to block drains');
});

t.test('probes, ports and flags agree with each other and with the Service', async (t) => {
  t.same(container.livenessProbe.httpGet, { path: '/healthz', port: 'https', scheme: 'HTTPS' });
  t.same(container.readinessProbe.httpGet, { path: '/readyz', port: 'https', scheme: 'HTTPS' });
  const port = (name: string) => container.ports.find((p) => p.name === name)?.containerPort;
  t.equal(arg(container, 'port'), String(port('https')), '--port is the https container port');
  t.equal(arg(container, 'metrics-port'), String(port('metrics')), '--metrics-port is the metrics container port');
  t.equal(port('https'), 8443);
  const tlsMount = container.volumeMounts.find((m) => m.name === 'tls')?.mountPath;
  t.equal(arg(container, 'tls-cert'), `${tlsMount}/tls.crt`);
  t.equal(arg(container, 'tls-key'), `${tlsMount}/tls.key`);
  t.equal(arg(container, 'mode'), 'enforce');
  t.equal(container.args.some((a) => a === 'serve'), false, 'the image\'s ENTRYPOINT already says serve');
  const service = defaults.find((o) => o.kind === 'Service') as unknown as { spec: { ports: { name: string; port: number; targetPort: string }[] } };
  t.same(service.spec.ports.map((p) => [p.name, p.port, p.targetPort]), [['https', 443, 'https'], ['metrics', 9090, 'metrics']]);
});

t.test('every flag the chart passes is one `ddguard serve` knows', async (t) => {
  const known = new Set(SERVE_OPTIONS.map((o) => o.flag.split(' ')[0]));
  const c = containerOf(deploymentOf(render({ config: { webhook: {} }, auditInterval: '10m', mode: 'warn' })));
  const flags = c.args.map((a) => a.split('=')[0] ?? a);
  t.ok(flags.includes('--audit-interval'), 'auditInterval reaches serve');
  for (const flag of flags) t.ok(known.has(flag), `${flag} is a serve option`);
  t.equal(arg(container, 'service-account'), 'system:serviceaccount:ddguard:ddguard', 'its own requests are let through');
  t.equal(arg(container, 'drain-seconds'), '10');
  const tooShort = tryHelmTemplate({ values: { tls: { mode: 'certManager' }, drainSeconds: 30, terminationGracePeriodSeconds: 30 } });
  t.match(tooShort.stderr, /terminationGracePeriodSeconds must be longer than drainSeconds/);
});

t.test('resources: requests for scheduling, a memory limit, no CPU limit', async (t) => {
  t.same(container.resources, { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '512Mi' } });
});

t.test('the Datadog Agent scrapes ddguard\'s metrics port (autodiscovery)', async (t) => {
  const annotations = deployment.spec.template.metadata.annotations;
  const raw = annotations[`ad.datadoghq.com/${container.name}.checks`];
  t.ok(raw, 'the annotation names the container');
  const checks = JSON.parse(raw ?? '{}') as { openmetrics: { instances: { openmetrics_endpoint: string; namespace: string; metrics: string[] }[] } };
  const [instance] = checks.openmetrics.instances;
  t.equal(instance?.openmetrics_endpoint, `http://%%host%%:${container.ports.find((p) => p.name === 'metrics')?.containerPort}/metrics`);
  t.equal(instance?.namespace, 'ddguard');
  t.ok((instance?.metrics ?? []).length > 0);
  const off = deploymentOf(render({ datadogAutodiscovery: { enabled: false } }));
  t.notOk(Object.keys(off.spec.template.metadata.annotations).some((k) => k.startsWith('ad.datadoghq.com/')), 'can be switched off');
});

t.test('a config change rolls the pods; the config reaches the server', async (t) => {
  const checksum = (d: Deployment) => d.spec.template.metadata.annotations['checksum/config'];
  t.notOk(container.args.some((a) => a.startsWith('--config')), 'no config: built-in defaults');
  t.equal(checksum(deploymentOf(render())), checksum(deployment), 'same values, same checksum');
  const configured = render({ config: { webhook: { lookupFailure: 'deny', exemptNamespaces: ['sandbox'] } } });
  const changed = deploymentOf(configured);
  t.not(checksum(changed), checksum(deployment), 'the checksum follows the config');
  const configMap = configured.find((o) => o.kind === 'ConfigMap') as unknown as { metadata: { name: string }; data: Record<string, string> };
  const dir = mkdtempSync(join(tmpdir(), 'ddguard-config-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'config.yaml'), configMap.data['config.yaml'] ?? '');
  const loaded = await loadServeConfig(join(dir, 'config.yaml'));
  t.same(loaded.webhook, { lookupFailure: 'deny', exemptNamespaces: ['sandbox'] }, 'the server reads the rendered file');
  t.equal(changed.spec.template.spec.volumes.find((v) => v.name === 'config')?.configMap?.name, configMap.metadata.name);
  const c = containerOf(changed);
  const mount = c.volumeMounts.find((m) => m.name === 'config')?.mountPath;
  t.equal(arg(c, 'config'), `${mount}/config.yaml`);
});

t.test('optional settings', async (t) => {
  t.notOk('priorityClassName' in pod, 'no priority class unless asked');
  const d = deploymentOf(render({
    priorityClassName: 'system-cluster-critical',
    image: { repository: 'registry.corp/ddguard', digest: `sha256:${'a'.repeat(64)}` },
    auditInterval: '10m',
    mode: 'warn',
  }));
  t.equal(d.spec.template.spec.priorityClassName, 'system-cluster-critical');
  const c = containerOf(d);
  t.equal(c.image, `registry.corp/ddguard@sha256:${'a'.repeat(64)}`);
  t.equal(arg(c, 'audit-interval'), '10m');
  t.equal(arg(c, 'mode'), 'warn');
  t.match(container.image, /:0\.1\.0$|:\d+\.\d+\.\d+/, 'the default tag is the appVersion');
});

t.test('ServiceMonitor and NetworkPolicy, when enabled, point at the right ports', async (t) => {
  t.notOk(defaults.some((o) => o.kind === 'ServiceMonitor' || o.kind === 'NetworkPolicy'), 'off by default');
  const objects = render({
    serviceMonitor: { enabled: true },
    networkPolicy: { enabled: true, metricsFrom: [{ podSelector: { matchLabels: { app: 'datadog-agent' } } }] },
  });
  const service = objects.find((o) => o.kind === 'Service') as unknown as { metadata: { labels: Record<string, string> }; spec: { ports: { name: string }[] } };
  const monitor = objects.find((o) => o.kind === 'ServiceMonitor') as unknown as { spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] } };
  t.match(service.metadata.labels, monitor.spec.selector.matchLabels, 'the ServiceMonitor selects the Service');
  t.ok(service.spec.ports.some((p) => p.name === monitor.spec.endpoints[0]?.port), 'on a port the Service has');
  t.equal(monitor.spec.endpoints[0]?.path, '/metrics');

  const policy = objects.find((o) => o.kind === 'NetworkPolicy') as unknown as {
    spec: { podSelector: { matchLabels: unknown }; ingress: { ports: { port: string }[]; from?: unknown[] }[]; egress: { ports: { port: number }[] }[] };
  };
  t.same(policy.spec.podSelector.matchLabels, deployment.spec.selector.matchLabels);
  const webhookIngress = policy.spec.ingress.find((rule) => rule.ports.some((p) => p.port === 'https'));
  t.notOk(webhookIngress?.from, 'the API server can always reach the webhook port');
  const metricsIngress = policy.spec.ingress.find((rule) => rule.ports.some((p) => p.port === 'metrics'));
  t.same(metricsIngress?.from, [{ podSelector: { matchLabels: { app: 'datadog-agent' } } }]);
  const egressPorts = policy.spec.egress.flatMap((rule) => rule.ports.map((p) => p.port));
  t.ok(egressPorts.includes(53) && egressPorts.includes(443), 'DNS and the API server');
});
