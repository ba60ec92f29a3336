import type { World } from '../kube-model/world.js';
import { envValue } from '../kube-model/env.js';
import { podTemplateOf } from '../kube-model/pod-template.js';
import { detectComponent, type DatadogWorkload } from './components.js';
import { boolSetting, describeSetting, mainContainer, type MainContainer } from './component-settings.js';
import { dispatch, mountedCheckConfigs, withDispatch, type CheckConfig } from './check-configs.js';
import { datadogAgentFeatureSettings } from './datadog-agent.js';

/**
 * What a Datadog component is configured to do, read the way the Agent reads it: from the environment of its
 * main container and from the check configs mounted into its conf.d. Rules use it to know which permissions
 * and settings the component really needs.
 */
export type Feature =
  | 'orchestrator-explorer' | 'kube-state-metrics-core' | 'compliance' | 'kubelet-via-api-server'
  | 'leader-election-configmap' | 'leader-election-lease' | 'event-collection'
  | 'admission-controller' | 'admission-controller-mutation' | 'admission-controller-validation'
  | 'external-metrics' | 'datadogmetric-crd' | 'wpa-controller' | 'cluster-checks'
  | 'apm-instrumentation' | 'language-detection'
  | 'agent-leader-election-configmap' | 'agent-leader-election-lease' | 'agent-event-collection'
  | 'agent-metadata-without-cluster-agent' | 'eks-fargate'
  | 'kube-state-metrics-core-on-runners';

export interface FeatureState {
  /**
   * Whether the component itself runs the feature: `maybe` when a value or config it depends on is not in the
   * world, or when only the Agent's default turns it on. A check dispatched to cluster-checks runners
   * (`cluster_check: true`) does not run on the Cluster Agent.
   */
  runs: 'yes' | 'no' | 'maybe';
  /** How we know, for messages: `DD_ORCHESTRATOR_EXPLORER_ENABLED=true on container "cluster-agent"`. */
  evidence: string;
}

export type Features = ReadonlyMap<Feature, FeatureState>;

/** Which of the permission-relevant features the Cluster Agent itself runs. */
export function clusterAgentFeatures(workload: DatadogWorkload, world: World): Features {
  const features = new Map<Feature, FeatureState>();
  const main = mainContainer(workload, world);
  if (!main) return features;
  const { configs, unreadable } = mountedCheckConfigs(workload, main, world);

  setIf(features, 'orchestrator-explorer', orchestratorFeature(main, configs, world));
  setIf(features, 'kube-state-metrics-core', ksmCoreFeature(main, configs, unreadable, world));

  const compliance = boolSetting(main, 'DD_COMPLIANCE_CONFIG_ENABLED', world);
  if (compliance === true || compliance === 'maybe') {
    features.set('compliance', { runs: compliance === true ? 'yes' : 'maybe', evidence: describeSetting(main, 'DD_COMPLIANCE_CONFIG_ENABLED', world) });
  }
  const defaults = operatorDefaults(workload, world);
  const flag = (name: string, fallback: boolean | undefined, ...needs: (FeatureState | undefined)[]) =>
    settingFeature(main, name, world, defaults.get(name) ?? fallback, needs);
  setIf(features, 'leader-election-configmap', leaderLock(main, world, 'configmap', defaults));
  setIf(features, 'leader-election-lease', leaderLock(main, world, 'lease', defaults));
  setIf(features, 'event-collection', flag('DD_COLLECT_KUBERNETES_EVENTS', false));
  const admission = flag('DD_ADMISSION_CONTROLLER_ENABLED', false);
  setIf(features, 'admission-controller', admission);
  setIf(features, 'admission-controller-mutation', flag('DD_ADMISSION_CONTROLLER_MUTATION_ENABLED', true, admission));
  setIf(features, 'admission-controller-validation', flag('DD_ADMISSION_CONTROLLER_VALIDATION_ENABLED', true, admission));
  const metrics = flag('DD_EXTERNAL_METRICS_PROVIDER_ENABLED', false);
  setIf(features, 'external-metrics', metrics);
  setIf(features, 'datadogmetric-crd', flag('DD_EXTERNAL_METRICS_PROVIDER_USE_DATADOGMETRIC_CRD', false, metrics));
  setIf(features, 'wpa-controller', flag('DD_EXTERNAL_METRICS_PROVIDER_WPA_CONTROLLER', false, metrics));
  setIf(features, 'cluster-checks', flag('DD_CLUSTER_CHECKS_ENABLED', false));
  setIf(features, 'apm-instrumentation', flag('DD_APM_INSTRUMENTATION_ENABLED', false));
  const languages = flag('DD_LANGUAGE_DETECTION_ENABLED', false);
  setIf(features, 'language-detection', flag('DD_CLUSTER_AGENT_LANGUAGE_DETECTION_PATCHER_ENABLED', true, languages));
  return features;
}

function setIf(features: Map<Feature, FeatureState>, feature: Feature, state: FeatureState | undefined): void {
  if (state && state.runs !== 'no') features.set(feature, state);
}

/**
 * A boolean setting as a feature: from the container's env, else the installer's default (`fallback`: the
 * Agent's own default, or the DatadogAgent's spec for a workload the Operator manages). `needs` are features
 * this one only runs under (validation webhooks need the admission controller).
 */
function settingFeature(main: MainContainer, name: string, world: World, fallback: boolean | undefined, needs: readonly (FeatureState | undefined)[] = []): FeatureState | undefined {
  for (const need of needs) if (!need || need.runs === 'no') return undefined;
  const value = boolSetting(main, name, world);
  const maybeNeed = needs.some((n) => n?.runs === 'maybe');
  const parents = needs.map((n) => n!.evidence);
  const withParents = (evidence: string) => [evidence, ...parents].join('; ');
  if (value === true) return { runs: maybeNeed ? 'maybe' : 'yes', evidence: withParents(describeSetting(main, name, world)) };
  if (value === 'maybe') return { runs: 'maybe', evidence: withParents(describeSetting(main, name, world)) };
  if (value === false) return undefined;
  if (!fallback) return undefined;
  return { runs: maybeNeed ? 'maybe' : 'yes', evidence: withParents(`${name} is not set on container "${main.container.name}" and defaults to true`) };
}

/** Leader election on the lock DD_LEADER_ELECTION_DEFAULT_RESOURCE selects; either may be in use when it is unset. */
function leaderLock(main: MainContainer, world: World, resource: 'configmap' | 'lease', defaults: ReadonlyMap<string, boolean>): FeatureState | undefined {
  const enabled = settingFeature(main, 'DD_LEADER_ELECTION', world, defaults.get('DD_LEADER_ELECTION') ?? false);
  if (!enabled) return undefined;
  const entry = main.env.get('DD_LEADER_ELECTION_DEFAULT_RESOURCE');
  const chosen = envValue(entry, world)?.trim().toLowerCase();
  if (chosen === resource) return { runs: enabled.runs, evidence: `${enabled.evidence}; ${describeSetting(main, 'DD_LEADER_ELECTION_DEFAULT_RESOURCE', world)}` };
  if (chosen === 'configmap' || chosen === 'lease') return undefined;
  return {
    runs: 'maybe',
    evidence: `${enabled.evidence}; DD_LEADER_ELECTION_DEFAULT_RESOURCE is ${entry ? 'not readable' : 'not set'} on container "${main.container.name}", so the Agent picks a Lease where the API serves them and a ConfigMap otherwise`,
  };
}

/**
 * The DatadogAgent's `spec.features` for a workload the Operator manages (label `agent.datadoghq.com/name`),
 * as the env names the Operator turns them into, with the Operator's defaults when a feature is absent.
 */
function operatorDefaults(workload: DatadogWorkload, world: World): ReadonlyMap<string, boolean> {
  const out = new Map<string, boolean>();
  const owner = workload.template.labels['agent.datadoghq.com/name'] ?? workload.object.metadata?.labels?.['agent.datadoghq.com/name'];
  if (!owner) return out;
  const dda = world.get('DatadogAgent', workload.namespace, owner);
  if (dda.state !== 'found') return out;
  for (const [name, value] of datadogAgentFeatureSettings(dda.value)) out.set(name, value);
  return out;
}

/** Which of the permission-relevant features the node Agent runs. */
export function nodeAgentFeatures(workload: DatadogWorkload, world: World): Features {
  const features = new Map<Feature, FeatureState>();
  const main = mainContainer(workload, world);
  if (!main) return features;
  const viaApiServer = boolSetting(main, 'DD_KUBELET_USE_API_SERVER', world);
  if (viaApiServer === true || viaApiServer === 'maybe') {
    features.set('kubelet-via-api-server', { runs: viaApiServer === true ? 'yes' : 'maybe', evidence: describeSetting(main, 'DD_KUBELET_USE_API_SERVER', world) });
  }
  setIf(features, 'eks-fargate', settingFeature(main, 'DD_EKS_FARGATE', world, false));
  // Without a Cluster Agent the node Agents elect a leader among themselves and do its cluster-level work.
  const clusterAgent = boolSetting(main, 'DD_CLUSTER_AGENT_ENABLED', world);
  if (clusterAgent === true) return features;
  const alone: FeatureState = clusterAgent === 'maybe'
    ? { runs: 'maybe', evidence: describeSetting(main, 'DD_CLUSTER_AGENT_ENABLED', world) }
    : { runs: 'yes', evidence: clusterAgent === false ? describeSetting(main, 'DD_CLUSTER_AGENT_ENABLED', world) : `DD_CLUSTER_AGENT_ENABLED is not set on container "${main.container.name}" (no Cluster Agent)` };
  const none = new Map<string, boolean>();
  setIf(features, 'agent-leader-election-configmap', both(alone, leaderLock(main, world, 'configmap', none)));
  setIf(features, 'agent-leader-election-lease', both(alone, leaderLock(main, world, 'lease', none)));
  setIf(features, 'agent-event-collection', settingFeature(main, 'DD_COLLECT_KUBERNETES_EVENTS', world, false, [alone]));
  setIf(features, 'agent-metadata-without-cluster-agent', settingFeature(main, 'DD_KUBERNETES_COLLECT_METADATA_TAGS', world, true, [alone]));
  return features;
}

function both(a: FeatureState, b: FeatureState | undefined): FeatureState | undefined {
  if (!b) return undefined;
  return { runs: a.runs === 'yes' && b.runs === 'yes' ? 'yes' : 'maybe', evidence: `${b.evidence}; ${a.evidence}` };
}

/**
 * Whether the cluster-checks runners run the kube-state-metrics core check: a Cluster Agent in their namespace
 * dispatches it to them (`cluster_check: true` in its config, the chart's kubeStateMetricsCore.useClusterCheckRunners).
 */
export function clusterChecksRunnerFeatures(workload: DatadogWorkload, world: World): Features {
  const features = new Map<Feature, FeatureState>();
  for (const object of world.datadogWorkloads(workload.namespace)) {
    if (object.kind === 'DatadogAgent') continue;
    const template = podTemplateOf(object);
    if (!template || detectComponent(object) !== 'cluster-agent') continue;
    const clusterAgent: DatadogWorkload = { object, component: 'cluster-agent', template, namespace: workload.namespace, placement: 'standalone' };
    const main = mainContainer(clusterAgent, world);
    if (!main) continue;
    const { configs } = mountedCheckConfigs(clusterAgent, main, world);
    const dispatched = dispatch(configs, 'kubernetes_state_core');
    const ksm = configs.filter((c) => c.check === 'kubernetes_state_core');
    if (ksm.length === 0 || dispatched === 'none') continue;
    features.set('kube-state-metrics-core-on-runners', {
      runs: dispatched === 'all' ? 'yes' : 'maybe',
      evidence: `the Cluster Agent ${object.kind} ${workload.namespace}/${object.metadata?.name ?? ''} dispatches the kubernetes_state_core check to cluster-checks runners (${ksm.map((c) => c.source).join(', ')})`,
    });
  }
  return features;
}

/** For messages: the objects a workload's features were read from. */
export function featureSummary<F extends string>(features: ReadonlyMap<F, FeatureState>, wanted: readonly F[]): string {
  return wanted
    .map((f) => features.get(f))
    .filter((s): s is FeatureState => !!s && s.runs !== 'no')
    .map((s) => s.evidence)
    .join('; ');
}

/** The Orchestrator Explorer runs in the Cluster Agent unless it is off or every orchestrator config is dispatched. */
function orchestratorFeature(main: MainContainer, configs: readonly CheckConfig[], world: World): FeatureState | undefined {
  const orchestrator = boolSetting(main, 'DD_ORCHESTRATOR_EXPLORER_ENABLED', world);
  if (orchestrator === false) return undefined;
  const evidence =
    orchestrator === undefined
      ? `DD_ORCHESTRATOR_EXPLORER_ENABLED is not set on container "${main.container.name}" and the Agent enables the Orchestrator Explorer by default`
      : describeSetting(main, 'DD_ORCHESTRATOR_EXPLORER_ENABLED', world);
  const dispatched = dispatch(configs, 'orchestrator');
  if (dispatched === 'all') return undefined;
  const certain = orchestrator === true && dispatched === 'none';
  return { runs: certain ? 'yes' : 'maybe', evidence: withDispatch(evidence, dispatched, 'orchestrator') };
}

/** KSM core runs where its check config is and is not dispatched; a flag or an unreadable conf.d says maybe. */
function ksmCoreFeature(main: MainContainer, configs: readonly CheckConfig[], unreadable: readonly string[], world: World): FeatureState | undefined {
  const ksmConfigs = configs.filter((c) => c.check === 'kubernetes_state_core');
  if (ksmConfigs.length > 0) {
    const dispatched = dispatch(configs, 'kubernetes_state_core');
    if (dispatched === 'all') return undefined;
    const evidence = `the kubernetes_state_core check is configured (${ksmConfigs.map((c) => c.source).join(', ')})`;
    return { runs: dispatched === 'none' ? 'yes' : 'maybe', evidence: withDispatch(evidence, dispatched, 'kubernetes_state_core') };
  }
  const ksmFlag = boolSetting(main, 'DD_KUBE_STATE_METRICS_CORE_ENABLED', world);
  if (ksmFlag === true || ksmFlag === 'maybe') {
    return { runs: 'maybe', evidence: `${describeSetting(main, 'DD_KUBE_STATE_METRICS_CORE_ENABLED', world)}, but its check config is not in the set` };
  }
  if (unreadable.length === 0) return undefined;
  return { runs: 'maybe', evidence: `the check configs in ${unreadable.join(', ')} (mounted into conf.d) are not in the set and may enable kubernetes_state_core` };
}
