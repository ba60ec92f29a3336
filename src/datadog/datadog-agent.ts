import type { Container, KubeObject } from '../kube-model/types.js';
import { isRecord } from '../kube-model/types.js';
import { resolveContainerEnv, type ContainerEnv, type ResolvedEnv } from '../kube-model/env.js';
import { pointerOf } from '../kube-model/json-pointer.js';
import type { World } from '../kube-model/world.js';
import { TOKEN_KEY } from './token.js';

/**
 * The Operator's DatadogAgent (datadoghq.com/v2alpha1) and what ddguard reads from it: the token it gives the
 * components, the features it turns on, and the environment and kubelet settings it adds to their pods.
 */

const GLOBAL_PATH = '/spec/global';

export function isDatadogAgent(object: KubeObject): boolean {
  const group = (object.apiVersion ?? '').split('/')[0];
  // v1alpha1 had a different layout (no spec.global token fields); it is no longer served by the Operator.
  return object.kind === 'DatadogAgent' && group === 'datadoghq.com' && object.apiVersion !== 'datadoghq.com/v1alpha1';
}

/** Where the Operator takes a DatadogAgent's token from, in its precedence order (datadog.md §1.5). */
export interface DatadogAgentToken {
  /** `secret`: a valid clusterAgentTokenSecret; `literal`: clusterAgentToken; `generated`: neither. */
  from: 'secret' | 'literal' | 'generated';
  /** The Secret and key the pods read the token from. */
  secret: { namespace: string; name: string; key: string };
  /** JSON pointer to the field that decided, `""` when the token is generated. */
  path: string;
  /** The literal `clusterAgentToken`, when it is the source. Never put it in a message. */
  literal?: string;
}

export function datadogAgentTokenOf(dda: KubeObject, defaultNamespace: string): DatadogAgentToken {
  const global = globalOf(dda);
  const namespace = dda.metadata?.namespace || defaultNamespace;
  const config = global['clusterAgentTokenSecret'];
  const secretName = isRecord(config) ? stringOf(config['secretName']) : '';
  const keyName = isRecord(config) ? stringOf(config['keyName']) : '';
  // IsValidSecretConfig: both names must be non-empty, or the Operator ignores the whole block.
  if (secretName && keyName) {
    return { from: 'secret', secret: { namespace, name: secretName, key: keyName }, path: `${GLOBAL_PATH}/clusterAgentTokenSecret` };
  }
  const own = { namespace, name: `${dda.metadata?.name ?? ''}-token`, key: TOKEN_KEY };
  const literal = stringOf(global['clusterAgentToken']);
  if (literal) return { from: 'literal', secret: own, path: `${GLOBAL_PATH}/clusterAgentToken`, literal };
  return { from: 'generated', secret: own, path: '' };
}

/** A `clusterAgentTokenSecret` with a name but no key: the Operator's IsValidSecretConfig silently drops it. */
export function ignoredTokenSecretConfig(dda: KubeObject): { secretName: string; path: string } | undefined {
  const config = globalOf(dda)['clusterAgentTokenSecret'];
  if (!isRecord(config)) return undefined;
  const secretName = stringOf(config['secretName']);
  if (!secretName || stringOf(config['keyName'])) return undefined;
  return { secretName, path: `${GLOBAL_PATH}/clusterAgentTokenSecret` };
}

/** YAML may hand a number or boolean where a string is meant (`clusterAgentToken: 1234`); the API would coerce. */
function stringOf(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
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
  const spec = specOf(dda);
  const features = isRecord(spec['features']) ? spec['features'] : {};
  const out = new Map<string, boolean>([['DD_LEADER_ELECTION', true]]);
  for (const [path, env, fallback] of OPERATOR_FEATURES) {
    let node: unknown = features;
    for (const key of path.split('.')) node = isRecord(node) ? node[key] : undefined;
    out.set(env, typeof node === 'boolean' ? node : fallback);
  }
  return out;
}

/** Operator components whose pods a DatadogAgent's `spec.override.<component>` shapes. */
export type OperatorComponent = 'nodeAgent' | 'clusterAgent' | 'clusterChecksRunner';

/**
 * The environment a DatadogAgent adds through `spec.override.<component>.env` (every container of the
 * component) and `spec.override.<component>.containers.<name>.env`, resolved like a container's.
 */
export function datadogAgentEnv(dda: Record<string, unknown>, component: OperatorComponent, namespace: string, world?: World): { label: string; env: ContainerEnv }[] {
  const override = overrideOf(dda, component);
  if (!override) return [];
  const out: { label: string; env: ContainerEnv }[] = [];
  if (Array.isArray(override['env'])) {
    const path = pointerOf(['spec', 'override', component]);
    out.push({ label: `spec.override.${component}.env`, env: resolveContainerEnv({ name: '', env: override['env'] as Container['env'] } as Container, path, namespace, world) });
  }
  const containers = isRecord(override['containers']) ? override['containers'] : {};
  for (const [name, container] of Object.entries(containers)) {
    if (!isRecord(container) || !Array.isArray(container['env'])) continue;
    const path = pointerOf(['spec', 'override', component, 'containers', name]);
    out.push({ label: `spec.override.${component}.containers.${name}.env`, env: resolveContainerEnv({ name, env: container['env'] as Container['env'] } as Container, path, namespace, world) });
  }
  return out;
}

/** `spec.override.<component>.hostNetwork` of a DatadogAgent. */
export function datadogAgentHostNetwork(dda: Record<string, unknown>, component: OperatorComponent = 'nodeAgent'): boolean {
  return overrideOf(dda, component)?.['hostNetwork'] === true;
}

/** `spec.global.kubelet.host` (an EnvVarSource) as the env source the Operator turns it into. */
export function datadogAgentKubeletHost(dda: Record<string, unknown>, namespace: string, world?: World): ResolvedEnv | undefined {
  const global = globalOf(dda);
  const kubelet = isRecord(global['kubelet']) ? global['kubelet'] : {};
  const host = kubelet['host'];
  if (host === undefined || host === null) return undefined;
  const path = `${GLOBAL_PATH}/kubelet/host`;
  if (!isRecord(host)) return { name: KUBELET_HOST_ENV, source: { kind: 'literal', value: String(host) }, path };
  if (Object.keys(host).length === 0) return undefined;
  const container = { name: '', env: [{ name: KUBELET_HOST_ENV, valueFrom: host }] } as Container;
  const entry = resolveContainerEnv(container, '', namespace, world).get(KUBELET_HOST_ENV);
  return entry ? { ...entry, path } : undefined;
}

const KUBELET_HOST_ENV = 'DD_KUBERNETES_KUBELET_HOST';

function specOf(dda: Record<string, unknown>): Record<string, unknown> {
  return isRecord(dda['spec']) ? dda['spec'] : {};
}

function globalOf(dda: Record<string, unknown>): Record<string, unknown> {
  const spec = specOf(dda);
  return isRecord(spec['global']) ? spec['global'] : {};
}

function overrideOf(dda: Record<string, unknown>, component: OperatorComponent): Record<string, unknown> | undefined {
  const override = specOf(dda)['override'];
  return isRecord(override) && isRecord(override[component]) ? override[component] : undefined;
}
