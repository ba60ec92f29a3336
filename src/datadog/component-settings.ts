import type { Container } from '../kube-model/types.js';
import { isRecord } from '../kube-model/types.js';
import { envValue, resolveContainerEnv, unresolvedEnvFrom, type ContainerEnv, type EnvSource } from '../kube-model/env.js';
import type { World } from '../kube-model/world.js';
import { rememberedIn } from '../kube-model/memo.js';
import { parseAgentBool } from './agent-bool.js';
import type { DatadogWorkload } from './components.js';
import { datadogImageOf } from './images.js';

/**
 * The settings of a Datadog component, read the way the Agent reads them: from the environment of its main
 * container. Never a Secret's value in a description: its name and key only.
 */

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
  // Asked by most rules of a workload: worked out once per judgement (src/kube-model/memo.ts).
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

/** A boolean setting as the Agent would see it (parseAgentBool): `undefined` when unset, `maybe` when the world cannot tell. */
export function boolSetting(main: Pick<MainContainer, 'env' | 'unresolved'>, name: string, world?: World): boolean | 'maybe' | undefined {
  const entry = main.env.get(name);
  if (!entry) return main.unresolved.length > 0 ? 'maybe' : undefined;
  const value = envValue(entry, world);
  return value === undefined ? 'maybe' : parseAgentBool(value);
}

/** How a message names a setting and where its value comes from, e.g. `DD_X=true on container "agent"`. */
export function describeSetting(main: MainContainer, name: string, world?: World): string {
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

/** A Secret or ConfigMap key for a message; a ConfigMap's value when the world holds it, never a Secret's. */
export function describeRef(source: Extract<EnvSource, { kind: 'secret' | 'configMap' }>, world?: World): string {
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
