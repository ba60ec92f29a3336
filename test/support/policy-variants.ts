import type { KubeObject } from '../../src/kube-model/types.js';

/**
 * Generated objects for the equivalence tests: every place a token can be written, with tokens of every length
 * from 0 to 64 bytes in ASCII and multi-byte text (which covers every base64 padding), tokens with whitespace
 * and control characters, and every way a kubelet host, a hostname and a Cluster Agent URL can be given.
 * `covered`: the object is inside what the policy forms of the `about` rules judge, so policy and rule must
 * agree both ways there.
 */
export interface Variant {
  name: string;
  object: KubeObject;
  covered: boolean;
  /** The rules the variant is about: `covered` speaks for these only (a DaemonSet made for its token still lacks a kubelet host). */
  about: readonly string[];
}

/** A token of exactly `bytes` UTF-8 bytes, from characters of `width` bytes (1, 2, 3 or 4) padded with ASCII. */
export function tokenOfBytes(bytes: number, width: 1 | 2 | 3 | 4): string {
  const wide = { 1: 'k', 2: 'é', 3: '€', 4: '😀' }[width];
  const alphabet = 'Q7xZ2pLm9Tb4Wc8Rn1Vd6Hs3Jf5Gk0Ya';
  const ascii = (n: number) => Array.from({ length: n }, (_, i) => alphabet[i % alphabet.length]).join('');
  return wide.repeat(Math.floor(bytes / width)) + ascii(bytes % width);
}

const TOKEN_32 = tokenOfBytes(32, 1);

export const TOKEN_TEXTS: { name: string; text: string }[] = [
  ...([1, 2, 3, 4] as const).flatMap((width) =>
    Array.from({ length: 65 }, (_, bytes) => ({ name: `${bytes} bytes (${width}-byte characters)`, text: tokenOfBytes(bytes, width) }))),
  { name: 'trailing line feed', text: `${TOKEN_32}\n` },
  { name: 'trailing CRLF', text: `${TOKEN_32}\r\n` },
  { name: 'leading space', text: ` ${TOKEN_32}` },
  { name: 'space inside', text: `${TOKEN_32.slice(0, 16)} ${TOKEN_32.slice(16)}` },
  { name: 'tab inside', text: `${TOKEN_32.slice(0, 5)}\t${TOKEN_32.slice(5)}` },
  { name: 'control character', text: `${TOKEN_32}\u0001` },
  { name: 'DEL', text: `\u007f${TOKEN_32}` },
  { name: 'NUL in the middle', text: `${TOKEN_32.slice(0, 7)}\u0000${TOKEN_32.slice(7)}` },
  { name: 'non-breaking space (not a bad byte)', text: `${TOKEN_32}\u00a0` },
  { name: 'short with a line feed', text: 'short\n' },
];

const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'datadog', ...extra });
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function secrets(text: string): { name: string; object: KubeObject }[] {
  const helmLabels = { 'helm.sh/chart': 'datadog-3.70.0', 'app.kubernetes.io/managed-by': 'Helm' };
  return [
    { name: 'Helm Secret, data', object: { apiVersion: 'v1', kind: 'Secret', metadata: meta('datadog-cluster-agent', { labels: helmLabels }), data: { token: b64(text) } } },
    { name: 'Helm Secret, stringData', object: { apiVersion: 'v1', kind: 'Secret', metadata: meta('datadog-cluster-agent', { labels: helmLabels }), stringData: { token: text } } },
    { name: 'Helm Secret, stringData over data', object: { apiVersion: 'v1', kind: 'Secret', metadata: meta('dd-cluster-agent', { labels: { 'app.kubernetes.io/managed-by': 'Helm' } }), data: { token: b64(TOKEN_32) }, stringData: { token: text } } },
    { name: 'Operator-owned Secret', object: { apiVersion: 'v1', kind: 'Secret', metadata: meta('datadog-token', { ownerReferences: [{ apiVersion: 'datadoghq.com/v2alpha1', kind: 'DatadogAgent', name: 'datadog', uid: 'u' }] }), data: { token: b64(text) } } },
    { name: 'Operator-labelled Secret', object: { apiVersion: 'v1', kind: 'Secret', metadata: meta('dd-token', { labels: { 'app.kubernetes.io/managed-by': 'datadog-operator', 'app.kubernetes.io/instance': 'dd' } }), stringData: { token: text } } },
    { name: 'Secret with a DD_CLUSTER_AGENT_AUTH_TOKEN key', object: { apiVersion: 'v1', kind: 'Secret', metadata: meta('my-token'), data: { DD_CLUSTER_AGENT_AUTH_TOKEN: b64(text), token: b64('x') } } },
    { name: 'another chart\'s Secret', object: { apiVersion: 'v1', kind: 'Secret', metadata: meta('app-cluster-agent', { labels: { 'helm.sh/chart': 'app-1.0.0', 'app.kubernetes.io/managed-by': 'Helm' } }), data: { token: b64(text) } } },
    { name: 'unrelated Secret', object: { apiVersion: 'v1', kind: 'Secret', metadata: meta('web-tls'), data: { token: b64(text) } } },
  ];
}

const WORKLOADS = ['Pod', 'Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job', 'CronJob'] as const;

/** A workload of `kind` running `containers` (and `initContainers`), labelled as `component` when given. */
export function workload(kind: (typeof WORKLOADS)[number], containers: unknown[], options: { component?: string; initContainers?: unknown[]; hostNetwork?: boolean } = {}): KubeObject {
  const labels = options.component ? { 'agent.datadoghq.com/component': options.component } : {};
  const spec: Record<string, unknown> = { containers };
  if (options.initContainers) spec['initContainers'] = options.initContainers;
  if (options.hostNetwork !== undefined) spec['hostNetwork'] = options.hostNetwork;
  const template = { metadata: { labels }, spec };
  const group = kind === 'Pod' ? 'v1' : kind === 'Job' || kind === 'CronJob' ? 'batch/v1' : 'apps/v1';
  const body =
    kind === 'Pod' ? { metadata: meta('datadog-x', { labels }), spec }
    : kind === 'CronJob' ? { metadata: meta('datadog-x'), spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } } }
    : { metadata: meta('datadog-x'), spec: { selector: { matchLabels: labels }, template } };
  return { apiVersion: group, kind, ...body } as KubeObject;
}

const container = (name: string, env: unknown[], extra: Record<string, unknown> = {}) => ({ name, image: 'gcr.io/datadoghq/agent:7.60.0', env, ...extra });

const TOKEN_RULES = ['cluster-agent-token-length', 'cluster-agent-token-whitespace'];

export function tokenVariants(): Variant[] {
  const out: Variant[] = [];
  const push = (v: Omit<Variant, 'about'>) => out.push({ ...v, about: TOKEN_RULES });
  for (const { name, text } of TOKEN_TEXTS) {
    for (const secret of secrets(text)) push({ name: `${secret.name}: ${name}`, object: secret.object, covered: true });
    for (const kind of WORKLOADS) {
      const env = [{ name: 'DD_CLUSTER_AGENT_AUTH_TOKEN', value: text }];
      const component = kind === 'DaemonSet' ? 'agent' : 'cluster-agent';
      push({ name: `${kind} env literal: ${name}`, object: workload(kind, [container('main', env)], { component }), covered: !text.includes('$') });
    }
    push({ name: `init container literal: ${name}`, object: workload('DaemonSet', [container('agent', [])], { component: 'agent', initContainers: [container('init', [{ name: 'DD_CLUSTER_AGENT_AUTH_TOKEN', value: text }])] }), covered: true });
    push({ name: `unlabelled workload literal: ${name}`, object: workload('Deployment', [{ name: 'app', image: 'nginx', env: [{ name: 'DD_CLUSTER_AGENT_AUTH_TOKEN', value: text }] }]), covered: true });
    push({ name: `DatadogAgent clusterAgentToken: ${name}`, object: { apiVersion: 'datadoghq.com/v2alpha1', kind: 'DatadogAgent', metadata: meta('datadog'), spec: { global: { clusterAgentToken: text } } }, covered: true });
    push({ name: `DatadogAgent with a token Secret wins: ${name}`, object: { apiVersion: 'datadoghq.com/v2alpha1', kind: 'DatadogAgent', metadata: meta('datadog'), spec: { global: { clusterAgentToken: text, clusterAgentTokenSecret: { secretName: 's', keyName: 'k' } } } }, covered: true });
  }
  // A later env entry wins; a $(VAR) expansion is left to the webhook.
  push({ name: 'the last entry counts', object: workload('Deployment', [container('main', [{ name: 'DD_CLUSTER_AGENT_AUTH_TOKEN', value: 'short' }, { name: 'DD_CLUSTER_AGENT_AUTH_TOKEN', value: TOKEN_32 }])], { component: 'cluster-agent' }), covered: true });
  push({ name: 'expansion of a short literal', object: workload('Deployment', [container('main', [{ name: 'A', value: 'abc' }, { name: 'DD_CLUSTER_AGENT_AUTH_TOKEN', value: '$(A)' }])], { component: 'cluster-agent' }), covered: false });
  push({ name: 'token from a Secret', object: workload('Deployment', [container('main', [{ name: 'DD_CLUSTER_AGENT_AUTH_TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'token' } } }])], { component: 'cluster-agent' }), covered: false });
  return out;
}

const HOST_SOURCES: { name: string; entry: Record<string, unknown>; covered?: boolean }[] = [
  { name: 'literal IP', entry: { value: '10.0.0.12' } },
  { name: 'empty literal', entry: { value: '' }, covered: false },
  { name: 'literal with $(VAR)', entry: { value: '$(HOST)' }, covered: false },
  { name: 'fieldRef status.hostIP', entry: { valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } } },
  { name: 'fieldRef status.hostIPs', entry: { valueFrom: { fieldRef: { fieldPath: 'status.hostIPs' } } } },
  { name: 'fieldRef status.podIP', entry: { valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } } },
  { name: 'fieldRef spec.nodeName', entry: { valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } } },
  { name: 'fieldRef metadata.name', entry: { valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } } },
  { name: 'fieldRef metadata.namespace', entry: { valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } } },
  { name: 'secretKeyRef', entry: { valueFrom: { secretKeyRef: { name: 's', key: 'host' } } } },
  { name: 'configMapKeyRef', entry: { valueFrom: { configMapKeyRef: { name: 'c', key: 'host' } } } },
  { name: 'resourceFieldRef', entry: { valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } } },
  { name: 'fieldRef and resourceFieldRef', entry: { valueFrom: { fieldRef: { fieldPath: 'status.hostIP' }, resourceFieldRef: { resource: 'limits.cpu' } } } },
];

export function hostVariants(): Variant[] {
  const out: Variant[] = [];
  const hostIp = { name: 'DD_KUBERNETES_KUBELET_HOST', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } };
  for (const variable of ['DD_KUBERNETES_KUBELET_HOST', 'DD_HOSTNAME']) {
    const about = [variable === 'DD_HOSTNAME' ? 'hostname-per-node' : 'kubelet-host-per-node'];
    for (const source of HOST_SOURCES) {
      const entry = { name: variable, ...source.entry };
      const others = variable === 'DD_HOSTNAME' ? [hostIp] : [];
      const covered = source.covered ?? true;
      for (const hostNetwork of [false, true]) {
        out.push({ name: `${variable} ${source.name}, hostNetwork ${hostNetwork}`, object: workload('DaemonSet', [container('agent', [...others, entry])], { component: 'agent', hostNetwork }), covered, about });
      }
      out.push({ name: `${variable} ${source.name} on a second container`, object: workload('DaemonSet', [container('agent', [hostIp]), container('trace-agent', [entry])], { component: 'agent' }), covered, about });
      out.push({ name: `${variable} ${source.name} in an init container`, object: workload('DaemonSet', [container('agent', [hostIp])], { component: 'agent', initContainers: [container('init', [entry])] }), covered, about });
      out.push({ name: `${variable} ${source.name} on the Cluster Agent`, object: workload('Deployment', [container('agent', [entry])], { component: 'cluster-agent' }), covered, about });
      out.push({ name: `${variable} ${source.name} with EKS Fargate`, object: workload('DaemonSet', [container('agent', [{ name: 'DD_EKS_FARGATE', value: 'true' }, entry])], { component: 'agent' }), covered: false, about });
      out.push({ name: `${variable} ${source.name} with envFrom`, object: workload('DaemonSet', [container('agent', [entry], { envFrom: [{ configMapRef: { name: 'settings' } }] })], { component: 'agent' }), covered: false, about });
    }
  }
  for (const url of ['http://datadog-cluster-agent:5005', 'https://datadog-cluster-agent:5005', 'HTTPS://x:5005', 'Http://x', 'HTTP://x', 'ftp://x', '://x', 'datadog-cluster-agent:5005', '', 'http://$(HOST):5005']) {
    for (const [kind, component] of [['Deployment', 'cluster-agent'], ['DaemonSet', 'agent'], ['Job', 'cluster-checks-runner']] as const) {
      out.push({ name: `DD_CLUSTER_AGENT_URL "${url}" on ${kind}`, object: workload(kind, [container('main', [hostIp, { name: 'DD_CLUSTER_AGENT_URL', value: url }])], { component }), covered: !url.includes('$'), about: ['cluster-agent-url-https'] });
    }
  }
  return out;
}
