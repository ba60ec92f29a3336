import { load } from 'js-yaml';
import type { Container } from '../k8s/types.js';
import { isRecord } from '../k8s/types.js';
import { fieldPathsOf, resolveContainerEnv, unresolvedEnvFrom, type ContainerEnv, type EnvSource, type ResolvedEnv } from '../k8s/env.js';
import type { World } from '../world/world.js';
import { detectComponent, type DatadogWorkload } from './components.js';
import { podTemplateOf } from '../k8s/podTemplate.js';
import { datadogImageOf } from './images.js';
import { rememberedIn } from '../world/memo.js';

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

/** The container running the component's own process, its JSON pointer (relative to the pod spec) and env. */
export interface MainContainer {
  container: Container;
  path: string;
  env: ContainerEnv;
  /** `envFrom` sources the world cannot list: a variable missing from `env` may still come from them. */
  unresolved: string[];
}

// Containers of the node Agent pod that run the Agent image but not the core Agent (chart and Operator names).
const SIDE_PROCESSES = new Set([
  'trace-agent', 'process-agent', 'system-probe', 'security-agent', 'otel-agent', 'agent-data-plane',
  'host-profiler', 'private-action-runner', 'ddot-collector',
]);

/**
 * The core Agent / Cluster Agent container: the one named like the component (`agent`, `cluster-agent`, as
 * both installers name it), else the first container running the component's image, else the first container
 * that is not a known side process (trace-agent, system-probe, …).
 */
export function mainContainer(workload: DatadogWorkload, world?: World): MainContainer | undefined {
  // Asked by most rules of a workload: worked out once per judgement (src/world/memo.ts).
  return rememberedIn(world ?? NO_WORLD, 'mainContainer', workload.object, () => mainContainerUncached(workload, world));
}

const NO_WORLD = {};

function mainContainerUncached(workload: DatadogWorkload, world?: World): MainContainer | undefined {
  const list = Array.isArray(workload.template.spec.containers) ? workload.template.spec.containers : [];
  const indexed = list.map((container, index) => ({ container, path: `/containers/${index}` })).filter((c) => isRecord(c.container));
  const wanted = workload.component === 'cluster-agent' ? 'cluster-agent' : 'agent';
  const images = workload.component === 'cluster-agent' ? ['cluster-agent'] : ['agent', 'dogstatsd'];
  const pick =
    indexed.find((c) => c.container.name === wanted) ??
    indexed.find((c) => images.includes(datadogImageOf(c.container.image) ?? '') && !SIDE_PROCESSES.has(c.container.name)) ??
    // A pod of side processes only (an APM-only DaemonSet, say) runs no core Agent.
    indexed.find((c) => !SIDE_PROCESSES.has(c.container.name));
  if (!pick) return undefined;
  return {
    ...pick,
    env: resolveContainerEnv(pick.container, pick.path, workload.namespace, world),
    unresolved: unresolvedEnvFrom(pick.container, workload.namespace, world),
  };
}

/**
 * A variable's value when the world can tell it: a literal, or the key of a ConfigMap or Secret it holds.
 * Only for judging settings (booleans, URL schemes); never print what it returns for a Secret.
 */
export function envValue(entry: ResolvedEnv | undefined, world?: World): string | undefined {
  const source = entry?.source;
  if (!source) return undefined;
  if (source.kind === 'literal') return source.value;
  if (!world) return undefined;
  if (source.kind === 'configMap') {
    const configMap = world.get('ConfigMap', source.namespace, source.name);
    const data = configMap.state === 'found' && isRecord(configMap.value['data']) ? configMap.value['data'] : undefined;
    const value = data?.[source.key];
    return typeof value === 'string' ? value : undefined;
  }
  if (source.kind === 'secret') {
    const secret = world.secret(source.namespace, source.name);
    return secret.state === 'found' ? secret.value.values.get(source.key)?.toString('utf8') : undefined;
  }
  return undefined;
}

/** The Agent's boolean parsing (Go strconv.ParseBool plus viper's yes/on). */
export function parseBool(value: string | undefined): boolean | undefined {
  const v = value?.trim().toLowerCase();
  if (v === undefined || v === '') return undefined;
  if (['true', '1', 't', 'yes', 'on', 'y'].includes(v)) return true;
  if (['false', '0', 'f', 'no', 'off', 'n'].includes(v)) return false;
  return undefined;
}

/** A boolean setting as the Agent would see it: `undefined` when unset, `maybe` when the world cannot tell. */
export function boolSetting(main: Pick<MainContainer, 'env' | 'unresolved'>, name: string, world?: World): boolean | 'maybe' | undefined {
  const entry = main.env.get(name);
  if (!entry) return main.unresolved.length > 0 ? 'maybe' : undefined;
  const parsed = parseBool(envValue(entry, world));
  if (parsed !== undefined) return parsed;
  return entry.source.kind === 'literal' ? undefined : 'maybe';
}

function describeSetting(main: MainContainer, name: string, world?: World): string {
  const entry = main.env.get(name);
  const where = `on container "${main.container.name}"`;
  if (!entry) return `${name} could come from ${main.unresolved.join(', ')} (not in the set) ${where}`;
  const source = entry.source;
  if (source.kind === 'literal') return `${name}=${source.value} ${where}`;
  if (source.kind === 'configMap' || source.kind === 'secret') {
    const known = envValue(entry, world);
    const from = `${source.kind === 'secret' ? 'Secret' : 'ConfigMap'} ${source.name} key ${source.key}`;
    return known !== undefined && source.kind === 'configMap' ? `${name}=${known} (from ${from}) ${where}` : `${name} from ${from} ${where}`;
  }
  return `${name} ${where}`;
}

/** A check config found in a ConfigMap mounted into the container's conf.d. */
export interface CheckConfig {
  check: string;
  /** `cluster_check: true` dispatches the check to cluster-checks runners; `undefined` when unreadable. */
  clusterCheck: boolean | undefined;
  source: string;
}

/** Check configs the container gets from ConfigMaps mounted under a `conf.d` directory. */
export function mountedCheckConfigs(workload: DatadogWorkload, main: MainContainer, world: World): { configs: CheckConfig[]; unreadable: string[] } {
  const configs: CheckConfig[] = [];
  const unreadable: string[] = [];
  const volumes = Array.isArray(workload.template.spec.volumes) ? workload.template.spec.volumes : [];
  for (const mount of Array.isArray(main.container.volumeMounts) ? main.container.volumeMounts : []) {
    if (!/(^|\/)conf\.d(\/|$)/.test(mount?.mountPath ?? '')) continue;
    const volume = volumes.find((v) => v?.name === mount.name);
    const configMapRef = isRecord(volume?.['configMap']) ? volume['configMap'] : undefined;
    const name = typeof configMapRef?.['name'] === 'string' ? configMapRef['name'] : undefined;
    if (!name) continue;
    const source = `ConfigMap ${workload.namespace}/${name}`;
    // `/etc/datadog-agent/conf.d/kubernetes_state_core.d` holds one check's files; `/conf.d` holds several.
    const directory = /\/([^/]+)\.d\/?$/.exec(mount.mountPath)?.[1];
    const directoryCheck = directory && directory !== 'conf' ? directory : undefined;
    const items = Array.isArray(configMapRef?.['items'])
      ? (configMapRef['items'] as unknown[]).filter(isRecord).map((i) => ({ key: String(i['key']), path: String(i['path'] ?? i['key']) }))
      : undefined;
    const configMap = world.get('ConfigMap', workload.namespace, name);
    const data = configMap.state === 'found' && isRecord(configMap.value['data']) ? configMap.value['data'] : undefined;
    if (!data) {
      const known = directoryCheck ? [directoryCheck] : (items ?? []).map((i) => checkOfFile(i.path)).filter((c): c is string => !!c);
      if (known.length === 0) unreadable.push(source);
      for (const check of known) configs.push({ check, clusterCheck: undefined, source });
      continue;
    }
    const entries = items ?? Object.keys(data).map((key) => ({ key, path: key }));
    for (const { key, path } of entries) {
      const check = directoryCheck ?? checkOfFile(path);
      const text = data[key];
      if (!check || typeof text !== 'string') continue;
      configs.push({ check, clusterCheck: clusterCheckOf(text), source: `${source} key ${key}` });
    }
  }
  return { configs, unreadable };
}

// `kubernetes_state_core.yaml.default`, `orchestrator.yaml`, `kubernetes_state_core.d/conf.yaml` → check name.
function checkOfFile(path: string): string | undefined {
  const inDirectory = /(?:^|\/)([^/]+)\.d\/[^/]+$/.exec(path);
  if (inDirectory) return inDirectory[1];
  return /^([^/]+?)\.ya?ml(?:\.default|\.example)?$/.exec(path)?.[1];
}

function clusterCheckOf(text: string): boolean | undefined {
  // js-yaml, as for manifests: `check` reads the same check configs once per Cluster Agent, and `yaml` was a
  // tenth of its time on many installations.
  try {
    const doc: unknown = load(text);
    return isRecord(doc) ? doc['cluster_check'] === true : false;
  } catch {
    return undefined;
  }
}

/** Which of the permission-relevant features the Cluster Agent itself runs. */
export function clusterAgentFeatures(workload: DatadogWorkload, world: World): Features {
  const features = new Map<Feature, FeatureState>();
  const main = mainContainer(workload, world);
  if (!main) return features;
  const { configs, unreadable } = mountedCheckConfigs(workload, main, world);

  const orchestrator = boolSetting(main, 'DD_ORCHESTRATOR_EXPLORER_ENABLED', world);
  if (orchestrator !== false) {
    const evidence =
      orchestrator === undefined
        ? `DD_ORCHESTRATOR_EXPLORER_ENABLED is not set on container "${main.container.name}" and the Agent enables the Orchestrator Explorer by default`
        : describeSetting(main, 'DD_ORCHESTRATOR_EXPLORER_ENABLED', world);
    const dispatched = dispatch(configs, 'orchestrator');
    if (dispatched !== 'all') {
      const certain = orchestrator === true && dispatched === 'none';
      features.set('orchestrator-explorer', { runs: certain ? 'yes' : 'maybe', evidence: withDispatch(evidence, dispatched, 'orchestrator') });
    }
  }

  const ksmConfigs = configs.filter((c) => c.check === 'kubernetes_state_core');
  const ksmFlag = boolSetting(main, 'DD_KUBE_STATE_METRICS_CORE_ENABLED', world);
  if (ksmConfigs.length > 0) {
    const dispatched = dispatch(configs, 'kubernetes_state_core');
    if (dispatched !== 'all') {
      const evidence = `the kubernetes_state_core check is configured (${ksmConfigs.map((c) => c.source).join(', ')})`;
      features.set('kube-state-metrics-core', { runs: dispatched === 'none' ? 'yes' : 'maybe', evidence: withDispatch(evidence, dispatched, 'kubernetes_state_core') });
    }
  } else if (ksmFlag === true || ksmFlag === 'maybe' || unreadable.length > 0) {
    const evidence =
      ksmFlag === true || ksmFlag === 'maybe'
        ? `${describeSetting(main, 'DD_KUBE_STATE_METRICS_CORE_ENABLED', world)}, but its check config is not in the set`
        : `the check configs in ${unreadable.join(', ')} (mounted into conf.d) are not in the set and may enable kubernetes_state_core`;
    features.set('kube-state-metrics-core', { runs: 'maybe', evidence });
  }

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

// spec.features.<path>.enabled → the Cluster Agent env the Operator sets, and the Operator's default.
const OPERATOR_FEATURES: readonly (readonly [string, string, boolean])[] = [
  ['admissionController.enabled', 'DD_ADMISSION_CONTROLLER_ENABLED', true],
  ['admissionController.validation.enabled', 'DD_ADMISSION_CONTROLLER_VALIDATION_ENABLED', true],
  ['admissionController.mutation.enabled', 'DD_ADMISSION_CONTROLLER_MUTATION_ENABLED', true],
  ['externalMetricsServer.enabled', 'DD_EXTERNAL_METRICS_PROVIDER_ENABLED', false],
  ['externalMetricsServer.useDatadogMetrics', 'DD_EXTERNAL_METRICS_PROVIDER_USE_DATADOGMETRIC_CRD', true],
  ['externalMetricsServer.wpaController', 'DD_EXTERNAL_METRICS_PROVIDER_WPA_CONTROLLER', false],
  ['clusterChecks.enabled', 'DD_CLUSTER_CHECKS_ENABLED', true],
  ['eventCollection.collectKubernetesEvents', 'DD_COLLECT_KUBERNETES_EVENTS', true],
  ['orchestratorExplorer.enabled', 'DD_ORCHESTRATOR_EXPLORER_ENABLED', true],
  ['cspm.enabled', 'DD_COMPLIANCE_CONFIG_ENABLED', false],
  ['apm.instrumentation.enabled', 'DD_APM_INSTRUMENTATION_ENABLED', false],
  ['languageDetection.enabled', 'DD_LANGUAGE_DETECTION_ENABLED', false],
];

/** What a DatadogAgent's `spec.features` turns on, as the env settings the Operator gives the Cluster Agent. */
export function datadogAgentFeatureSettings(dda: Record<string, unknown>): Map<string, boolean> {
  const spec = isRecord(dda['spec']) ? dda['spec'] : {};
  const features = isRecord(spec['features']) ? spec['features'] : {};
  const out = new Map<string, boolean>([['DD_LEADER_ELECTION', true]]);
  for (const [path, env, fallback] of OPERATOR_FEATURES) {
    let node: unknown = features;
    for (const key of path.split('.')) node = isRecord(node) ? node[key] : undefined;
    out.set(env, typeof node === 'boolean' ? node : fallback);
  }
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

// 'all': every config of the check says cluster_check: true; 'none': none does (or there is none); 'some': unknown.
function dispatch(configs: readonly CheckConfig[], check: string): 'all' | 'none' | 'some' {
  const mine = configs.filter((c) => c.check === check);
  if (mine.length === 0) return 'none';
  if (mine.every((c) => c.clusterCheck === true)) return 'all';
  if (mine.some((c) => c.clusterCheck === false)) return 'none';
  return 'some';
}

function withDispatch(evidence: string, dispatched: 'none' | 'some', check: string): string {
  return dispatched === 'some' ? `${evidence}; whether the ${check} check is dispatched to cluster-checks runners could not be read` : evidence;
}

/** For messages: the objects a workload's features were read from. */
export function featureSummary(features: Features, wanted: readonly Feature[]): string {
  return wanted
    .map((f) => features.get(f))
    .filter((s): s is FeatureState => !!s && s.runs !== 'no')
    .map((s) => s.evidence)
    .join('; ');
}

/**
 * How a kubelet-host value reaches the node's kubelet (datadog.md §2.3): `status.hostIP` is per node; a value
 * shared by every pod (literal, Secret, ConfigMap) makes every Agent read one kubelet; `status.podIP` is the
 * pod's own network namespace unless the pod uses the host network; `spec.nodeName` works only where node
 * names resolve.
 */
export type KubeletHostVerdict =
  | { kind: 'per-node' }
  | { kind: 'node-name' }
  | { kind: 'unset' }
  | { kind: 'shared'; what: string }
  | { kind: 'pod-ip'; what: string }
  | { kind: 'not-a-host'; what: string };

const HOST_IP_FIELDS = new Set(['status.hostIP', 'status.hostIPs']);
const POD_IP_FIELDS = new Set(['status.podIP', 'status.podIPs']);

export function classifyKubeletHost(source: EnvSource, hostNetwork: boolean, world?: World): KubeletHostVerdict {
  switch (source.kind) {
    case 'literal':
      return source.value === '' ? { kind: 'unset' } : { kind: 'shared', what: `the literal "${source.value}"` };
    case 'secret':
    case 'configMap':
      return { kind: 'shared', what: describeRef(source, world) };
    case 'resource':
      return { kind: 'not-a-host', what: `resourceFieldRef ${source.resource}` };
    case 'unresolved':
    case 'tooLarge':
      // Unknown: a warning at most, never a finding built on a guess.
      return { kind: 'per-node' };
    case 'field':
    case 'composite': {
      const fields = fieldPathsOf(source);
      const what = source.kind === 'field' ? `fieldRef ${source.fieldPath}` : `"${source.template}" (fieldRef ${fields.join(', ') || 'none'})`;
      if (fields.some((f) => HOST_IP_FIELDS.has(f))) return { kind: 'per-node' };
      if (fields.includes('spec.nodeName')) return { kind: 'node-name' };
      if (fields.some((f) => POD_IP_FIELDS.has(f))) return hostNetwork ? { kind: 'per-node' } : { kind: 'pod-ip', what };
      if (fields.length > 0) return { kind: 'not-a-host', what };
      return { kind: 'shared', what };
    }
  }
}

/** Downward-API fields whose value differs from pod to pod (and so from node to node in a DaemonSet). */
export const PER_POD_FIELDS: ReadonlySet<string> = new Set([
  'spec.nodeName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs', 'metadata.name', 'metadata.uid',
]);

function describeRef(source: Extract<EnvSource, { kind: 'secret' | 'configMap' }>, world?: World): string {
  const base = `${source.kind === 'secret' ? 'Secret' : 'ConfigMap'} ${source.name} key ${source.key}`;
  if (source.kind !== 'configMap' || !world) return base;
  const value = envValue({ name: '', source, path: '' }, world);
  return value === undefined ? base : `${base} ("${value}")`;
}

/** A settings entry's value described for a message, never revealing a Secret's value. */
export function describeSource(source: EnvSource, world?: World): string {
  switch (source.kind) {
    case 'literal': return `the literal "${source.value}"`;
    case 'secret':
    case 'configMap': return describeRef(source, world);
    case 'field': return `fieldRef ${source.fieldPath}`;
    case 'resource': return `resourceFieldRef ${source.resource}`;
    case 'composite': return `"${source.template}"`;
    case 'unresolved':
    case 'tooLarge': return source.reason;
  }
}

/** Operator components whose pods a DatadogAgent's `spec.override.<component>` shapes. */
export type OperatorComponent = 'nodeAgent' | 'clusterAgent' | 'clusterChecksRunner';

/**
 * The environment a DatadogAgent adds through `spec.override.<component>.env` (every container of the
 * component) and `spec.override.<component>.containers.<name>.env`, resolved like a container's.
 */
export function datadogAgentEnv(dda: Record<string, unknown>, component: OperatorComponent, namespace: string, world?: World): { label: string; env: ContainerEnv }[] {
  const spec = isRecord(dda['spec']) ? dda['spec'] : {};
  const override = isRecord(spec['override']) && isRecord(spec['override'][component]) ? spec['override'][component] : undefined;
  if (!override) return [];
  const out: { label: string; env: ContainerEnv }[] = [];
  const base = `/spec/override/${component}`;
  if (Array.isArray(override['env'])) {
    out.push({ label: `spec.override.${component}.env`, env: resolveContainerEnv({ name: '', env: override['env'] as Container['env'] } as Container, base, namespace, world) });
  }
  const containers = isRecord(override['containers']) ? override['containers'] : {};
  for (const [name, container] of Object.entries(containers)) {
    if (!isRecord(container) || !Array.isArray(container['env'])) continue;
    const path = `${base}/containers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    out.push({ label: `spec.override.${component}.containers.${name}.env`, env: resolveContainerEnv({ name, env: container['env'] as Container['env'] } as Container, path, namespace, world) });
  }
  return out;
}

/** `spec.override.nodeAgent.hostNetwork` of a DatadogAgent. */
export function datadogAgentHostNetwork(dda: Record<string, unknown>): boolean {
  const spec = isRecord(dda['spec']) ? dda['spec'] : {};
  const override = isRecord(spec['override']) ? spec['override'] : {};
  return isRecord(override['nodeAgent']) && override['nodeAgent']['hostNetwork'] === true;
}

/** `spec.global.kubelet.host` (an EnvVarSource) as the env source the Operator turns it into. */
export function datadogAgentKubeletHost(dda: Record<string, unknown>, namespace: string, world?: World): ResolvedEnv | undefined {
  const spec = isRecord(dda['spec']) ? dda['spec'] : {};
  const global = isRecord(spec['global']) ? spec['global'] : {};
  const kubelet = isRecord(global['kubelet']) ? global['kubelet'] : {};
  const host = kubelet['host'];
  if (host === undefined || host === null) return undefined;
  const path = '/spec/global/kubelet/host';
  if (!isRecord(host)) return { name: 'DD_KUBERNETES_KUBELET_HOST', source: { kind: 'literal', value: String(host) }, path };
  if (Object.keys(host).length === 0) return undefined;
  const container = { name: '', env: [{ name: 'DD_KUBERNETES_KUBELET_HOST', valueFrom: host }] } as Container;
  const entry = resolveContainerEnv(container, '', namespace, world).get('DD_KUBERNETES_KUBELET_HOST');
  return entry ? { ...entry, path } : undefined;
}
