// Features from the real settings (issue 14 item 3): the chart's env, else the DatadogAgent's spec for a Cluster
// Agent the Operator manages, with the Operator's defaults; a setting ddguard cannot read makes the feature a
// "maybe", so its gaps only warn.
import t from 'tap';
import { asDatadogWorkload } from '../../src/datadog/components.js';
import { clusterAgentFeatures } from '../../src/datadog/features.js';
import { datadogAgentFeatureSettings } from '../../src/datadog/datadog-agent.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';

const dca = (env: { name: string; value?: string; valueFrom?: unknown }[], labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'dca', namespace: 'dd' },
  spec: { template: { metadata: { labels: { 'agent.datadoghq.com/component': 'cluster-agent', ...labels } }, spec: {
    containers: [{ name: 'cluster-agent', image: 'registry.datadoghq.com/cluster-agent:7.81.1', env }],
  } } },
});
const features = (object: KubeObject, others: KubeObject[] = []) => {
  const world = new ManifestWorld([object, ...others], { defaultNamespace: 'dd' });
  return clusterAgentFeatures(asDatadogWorkload(object, 'dd')!, world);
};
const runs = (object: KubeObject, others: KubeObject[] = []) => Object.fromEntries([...features(object, others)].map(([f, s]) => [f, s.runs]));

t.test('the Agent\'s defaults when the env says nothing: only the Orchestrator Explorer, as a maybe', async (t) => {
  t.same(runs(dca([])), { 'orchestrator-explorer': 'maybe' });
});

t.test('the chart\'s env: each switch turns its feature on or off', async (t) => {
  const on = runs(dca([
    { name: 'DD_LEADER_ELECTION', value: 'true' }, { name: 'DD_LEADER_ELECTION_DEFAULT_RESOURCE', value: 'configmap' },
    { name: 'DD_ADMISSION_CONTROLLER_ENABLED', value: 'true' }, { name: 'DD_ADMISSION_CONTROLLER_VALIDATION_ENABLED', value: 'false' },
    { name: 'DD_EXTERNAL_METRICS_PROVIDER_ENABLED', value: 'true' }, { name: 'DD_COLLECT_KUBERNETES_EVENTS', value: 'true' },
    { name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', value: 'false' },
  ]));
  t.same(on, {
    'leader-election-configmap': 'yes', 'event-collection': 'yes', 'admission-controller': 'yes',
    'admission-controller-mutation': 'yes', 'external-metrics': 'yes',
  });
});

t.test('a switch spelled "yes" is off, as the Agent\'s GetBool reads it; an empty one keeps the default', async (t) => {
  const r = runs(dca([
    { name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', value: 'false' },
    { name: 'DD_COLLECT_KUBERNETES_EVENTS', value: 'yes' }, { name: 'DD_ADMISSION_CONTROLLER_ENABLED', value: 'on' },
  ]));
  t.same(r, {});
  const empty = runs(dca([{ name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', value: '' }]));
  t.equal(empty['orchestrator-explorer'], 'maybe', 'unset: the Agent\'s default turns it on');
});

t.test('leader election with no resource set may use either lock: both are maybes', async (t) => {
  const r = runs(dca([{ name: 'DD_LEADER_ELECTION', value: 'true' }, { name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', value: 'false' }]));
  t.same(r, { 'leader-election-configmap': 'maybe', 'leader-election-lease': 'maybe' });
});

t.test('a switch read from a ConfigMap not in the set is a maybe', async (t) => {
  const r = runs(dca([
    { name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', value: 'false' },
    { name: 'DD_ADMISSION_CONTROLLER_ENABLED', valueFrom: { configMapKeyRef: { name: 'elsewhere', key: 'admission' } } },
  ]));
  t.equal(r['admission-controller'], 'maybe');
  t.equal(r['admission-controller-mutation'], 'maybe', 'what depends on it is a maybe too');
});

t.test('a DatadogAgent\'s spec.features, with the Operator\'s defaults', async (t) => {
  const defaults = datadogAgentFeatureSettings({ spec: {} });
  t.equal(defaults.get('DD_ADMISSION_CONTROLLER_ENABLED'), true);
  t.equal(defaults.get('DD_EXTERNAL_METRICS_PROVIDER_ENABLED'), false);
  t.equal(defaults.get('DD_COLLECT_KUBERNETES_EVENTS'), true);
  t.equal(defaults.get('DD_LEADER_ELECTION'), true);
  const set = datadogAgentFeatureSettings({ spec: { features: { admissionController: { enabled: false }, externalMetricsServer: { enabled: true } } } });
  t.equal(set.get('DD_ADMISSION_CONTROLLER_ENABLED'), false);
  t.equal(set.get('DD_EXTERNAL_METRICS_PROVIDER_ENABLED'), true);

  const dda: KubeObject = { apiVersion: 'datadoghq.com/v2alpha1', kind: 'DatadogAgent', metadata: { name: 'datadog', namespace: 'dd' }, spec: { features: { externalMetricsServer: { enabled: true } } } };
  const managed = dca([{ name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', value: 'false' }], { 'agent.datadoghq.com/name': 'datadog' });
  const r = runs(managed, [dda]);
  t.equal(r['external-metrics'], 'yes', 'from the DatadogAgent\'s spec');
  t.equal(r['admission-controller'], 'yes', 'the Operator\'s default');
  t.equal(r['event-collection'], 'yes', 'the Operator\'s default');
  t.notOk(runs(dca([{ name: 'DD_ORCHESTRATOR_EXPLORER_ENABLED', value: 'false' }]))['admission-controller'], 'not for a workload no DatadogAgent manages');
});
