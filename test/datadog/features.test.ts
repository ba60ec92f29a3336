// Table tests for what a Datadog component is configured to do: its main container, the features that decide
// which permissions it needs, and how a kubelet-host value reaches the kubelet.
import t from 'tap';
import { asDatadogWorkload } from '../../src/datadog/components.js';
import { classifyKubeletHost } from '../../src/datadog/kubelet-host.js';
import { clusterAgentFeatures, nodeAgentFeatures, type Feature } from '../../src/datadog/features.js';
import { mainContainer } from '../../src/datadog/component-settings.js';
import type { EnvSource } from '../../src/kube-model/env.js';
import type { Container, KubeObject } from '../../src/kube-model/types.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';

const NS = 'datadog';

function workload(kind: string, component: string, containers: Container[], extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind, metadata: { name: 'x', namespace: NS },
    spec: { template: { metadata: { labels: { 'agent.datadoghq.com/component': component } }, spec: { containers, ...extra } } },
  };
}

t.test('mainContainer', async (t) => {
  const cases: { name: string; object: KubeObject; expect: string | undefined }[] = [
    { name: 'the container named agent', object: workload('DaemonSet', 'agent', [{ name: 'trace-agent', image: 'datadog/agent:7' }, { name: 'agent', image: 'datadog/agent:7' }]), expect: 'agent' },
    { name: 'else the first running the Agent image that is not a side process', object: workload('DaemonSet', 'agent', [{ name: 'system-probe', image: 'datadog/agent:7' }, { name: 'core', image: 'gcr.io/datadoghq/agent:7' }]), expect: 'core' },
    { name: 'a pod of side processes only has none', object: workload('DaemonSet', 'agent', [{ name: 'trace-agent', image: 'datadog/agent:7' }]), expect: undefined },
    { name: 'the Cluster Agent by name', object: workload('Deployment', 'cluster-agent', [{ name: 'sidecar', image: 'envoy' }, { name: 'cluster-agent', image: 'x' }]), expect: 'cluster-agent' },
    { name: 'the Cluster Agent by image', object: workload('Deployment', 'cluster-agent', [{ name: 'sidecar', image: 'envoy' }, { name: 'dca', image: 'public.ecr.aws/datadog/cluster-agent:7.81.1' }]), expect: 'dca' },
  ];
  for (const c of cases) {
    const w = asDatadogWorkload(c.object, NS);
    t.equal(w && mainContainer(w)?.container.name, c.expect, c.name);
  }
});

const ksm = (clusterCheck: string) => `${clusterCheck}init_config:\ninstances:\n  - collectors: [pods]\n`;
function dca(env: Container['env'], configMapName?: string, mountPath = '/conf.d'): KubeObject {
  return workload(
    'Deployment', 'cluster-agent',
    [{ name: 'cluster-agent', image: 'registry.datadoghq.com/cluster-agent:7.81.1', env: env ?? [], ...(configMapName ? { volumeMounts: [{ name: 'confd', mountPath }] } : {}) }],
    configMapName ? { volumes: [{ name: 'confd', configMap: { name: configMapName } }] } : {},
  );
}
const configMap = (name: string, data: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NS }, data });

t.test('clusterAgentFeatures', async (t) => {
  const cases: { name: string; objects: KubeObject[]; object: KubeObject; expect: Partial<Record<Feature, 'yes' | 'maybe'>> }[] = [
    { name: 'Orchestrator Explorer on', objects: [], object: dca([{ name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', value: 'true' }]), expect: { 'orchestrator-explorer': 'yes' } },
    { name: 'Orchestrator Explorer off', objects: [], object: dca([{ name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', value: 'false' }]), expect: {} },
    { name: 'Orchestrator Explorer by the Agent default', objects: [], object: dca([]), expect: { 'orchestrator-explorer': 'maybe' } },
    {
      name: 'Orchestrator Explorer from a ConfigMap in the set',
      objects: [configMap('env', { oe: 'false' })],
      object: dca([{ name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', valueFrom: { configMapKeyRef: { name: 'env', key: 'oe' } } }]),
      expect: {},
    },
    {
      name: 'Orchestrator Explorer from a Secret not in the set',
      objects: [],
      object: dca([{ name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', valueFrom: { secretKeyRef: { name: 'gone', key: 'oe' } } }]),
      expect: { 'orchestrator-explorer': 'maybe' },
    },
    {
      name: 'Orchestrator check dispatched to cluster-checks runners',
      objects: [configMap('checks', { 'orchestrator.yaml': 'cluster_check: true\nad_identifiers: [_kube_orchestrator]\n' })],
      object: dca([{ name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', value: 'true' }], 'checks'),
      expect: {},
    },
    {
      name: 'KSM core run by the Cluster Agent (chart confd)',
      objects: [configMap('checks', { 'kubernetes_state_core.yaml.default': ksm('') })],
      object: dca([{ name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', value: 'false' }], 'checks'),
      expect: { 'kube-state-metrics-core': 'yes' },
    },
    {
      name: 'KSM core dispatched (Operator layout, conf.d/kubernetes_state_core.d)',
      objects: [configMap('ksm', { 'kubernetes_state_core.yaml.default': ksm('cluster_check: true\n') })],
      object: dca([{ name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', value: 'false' }, { name: 'DD_KUBE_STATE_METRICS_CORE_ENABLED', value: 'true' }], 'ksm', '/etc/datadog-agent/conf.d/kubernetes_state_core.d'),
      expect: {},
    },
    {
      name: 'KSM core whose config is not in the set',
      objects: [],
      object: dca([{ name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', value: 'false' }], 'ksm', '/etc/datadog-agent/conf.d/kubernetes_state_core.d'),
      expect: { 'kube-state-metrics-core': 'maybe' },
    },
    {
      name: 'an unreadable conf.d ConfigMap may hold KSM core',
      objects: [],
      object: dca([{ name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', value: 'false' }], 'somewhere'),
      expect: { 'kube-state-metrics-core': 'maybe' },
    },
    {
      name: 'compliance on the Cluster Agent',
      objects: [],
      object: dca([{ name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', value: '0' }, { name: 'DD_COMPLIANCE_CONFIG_ENABLED', value: 'true' }]),
      expect: { compliance: 'yes' },
    },
  ];
  for (const c of cases) {
    const world = new ManifestWorld([...c.objects, c.object], { defaultNamespace: NS });
    const features = clusterAgentFeatures(asDatadogWorkload(c.object, NS)!, world);
    const got = Object.fromEntries([...features].filter(([, s]) => s.runs !== 'no').map(([f, s]) => [f, s.runs]));
    t.same(got, c.expect, c.name);
  }
});

t.test('nodeAgentFeatures: kubelet through the API server', async (t) => {
  const agent = (env: Container['env']) => workload('DaemonSet', 'agent', [{ name: 'agent', image: 'datadog/agent:7', env: env ?? [] }]);
  const runs = (object: KubeObject) => nodeAgentFeatures(asDatadogWorkload(object, NS)!, new ManifestWorld([object], { defaultNamespace: NS })).get('kubelet-via-api-server')?.runs;
  t.equal(runs(agent([{ name: 'DD_KUBELET_USE_API_SERVER', value: 'true' }])), 'yes');
  t.equal(runs(agent([{ name: 'DD_KUBELET_USE_API_SERVER', value: 'false' }])), undefined);
  t.equal(runs(agent([])), undefined);
  t.equal(runs({ ...agent([]), spec: { template: { metadata: { labels: { 'agent.datadoghq.com/component': 'agent' } }, spec: { containers: [{ name: 'agent', envFrom: [{ configMapRef: { name: 'gone' } }] }] } } } }), 'maybe');
});

t.test('classifyKubeletHost', async (t) => {
  const field = (fieldPath: string): EnvSource => ({ kind: 'field', fieldPath });
  const composite = (template: string, ...fields: string[]): EnvSource => ({
    kind: 'composite', template, references: fields.map((f, i) => ({ name: `V${i}`, source: field(f), path: '' })),
  });
  const cases: [string, EnvSource, boolean, string][] = [
    ['status.hostIP', field('status.hostIP'), false, 'per-node'],
    ['status.podIP without host network', field('status.podIP'), false, 'pod-ip'],
    ['status.podIP with host network', field('status.podIP'), true, 'per-node'],
    ['spec.nodeName', field('spec.nodeName'), false, 'node-name'],
    ['metadata.name', field('metadata.name'), false, 'not-a-host'],
    ['a literal', { kind: 'literal', value: '10.0.0.1' }, false, 'shared'],
    ['an empty literal', { kind: 'literal', value: '' }, false, 'unset'],
    ['a Secret', { kind: 'secret', namespace: NS, name: 's', key: 'k', optional: false }, false, 'shared'],
    ['a ConfigMap', { kind: 'configMap', namespace: NS, name: 'c', key: 'k', optional: false }, false, 'shared'],
    ['a resource field', { kind: 'resource', resource: 'limits.cpu' }, false, 'not-a-host'],
    ['$(HOST_IP)', composite('$(V0)', 'status.hostIP'), false, 'per-node'],
    ['$(NODE).internal', composite('$(V0).internal', 'spec.nodeName'), false, 'node-name'],
    ['$(POD_IP) without host network', composite('$(V0)', 'status.podIP'), false, 'pod-ip'],
    ['a composite of a Secret only', { kind: 'composite', template: '$(S)', references: [{ name: 'S', source: { kind: 'secret', namespace: NS, name: 's', key: 'k', optional: false }, path: '' }] }, false, 'shared'],
  ];
  for (const [name, source, hostNetwork, kind] of cases) t.equal(classifyKubeletHost(source, hostNetwork).kind, kind, name);
});
