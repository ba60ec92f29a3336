import type { Container, KubeObject } from '../kube-model/types.js';
import { podEnv, unresolvedEnvFrom, type ContainerEnv, type ResolvedEnv } from '../kube-model/env.js';
import type { World } from '../kube-model/world.js';
import { rememberedIn } from '../kube-model/memo.js';
import { asDatadogWorkload, type Component } from './components.js';
import { datadogAgentEnv, datadogAgentHostNetwork, datadogAgentKubeletHost, type OperatorComponent } from './datadog-agent.js';

/**
 * Where the pods of the components a rule covers get an environment variable from, in a workload and in a
 * DatadogAgent alike, so that a rule about one variable keeps only its judgement of the value.
 */

/** One environment a component's long-running containers see: a workload container's, or a DatadogAgent override's. */
export interface EnvPlace {
  /** For messages: `container "agent"`, `spec.override.nodeAgent.env`. */
  label: string;
  env: ContainerEnv;
  /** `envFrom` sources the world cannot list: a variable missing from `env` may still come from them. */
  unresolved: string[];
  /** Pointer that an entry's `path` is relative to: the pod spec's in a workload, `""` in a DatadogAgent. */
  base: string;
  /** Whether the pods use the host's network namespace. */
  hostNetwork: boolean;
  /** The workload's container and its pointer relative to the pod spec; absent in a DatadogAgent. */
  container?: { container: Container; path: string };
}

/** A variable set in one place. */
export interface EnvEntry {
  /** For messages: `DD_X on container "agent"`, `DD_X in spec.override.nodeAgent.env`, `spec.global.kubelet.host`. */
  subject: string;
  entry: ResolvedEnv;
  /** JSON pointer into the object of the entry or field that sets the variable. */
  path: string;
  place: EnvPlace;
}

const OPERATOR_COMPONENTS: Readonly<Record<Component, OperatorComponent>> = {
  'node-agent': 'nodeAgent',
  'cluster-agent': 'clusterAgent',
  'cluster-checks-runner': 'clusterChecksRunner',
};

/**
 * DatadogAgent fields the Operator turns into a variable of the node Agent's containers, set before the
 * overrides' env (which can replace them).
 */
const DATADOG_AGENT_FIELDS: Readonly<Record<string, typeof datadogAgentKubeletHost>> = {
  DD_KUBERNETES_KUBELET_HOST: datadogAgentKubeletHost,
};

/**
 * The environments of a Datadog workload's containers, when it runs one of `components`, or of a DatadogAgent's
 * overrides for those components, in that order. Init containers are left out: they exit before the Agent runs.
 */
export function envPlacesFor(object: KubeObject, components: readonly Component[], world: World): EnvPlace[] {
  // Four rules ask for the same object's places: worked out once per judgement (kube-model/memo.ts).
  return rememberedIn(world, `env-places:${components.join(',')}`, object, () => placesOf(object, components, world));
}

function placesOf(object: KubeObject, components: readonly Component[], world: World): EnvPlace[] {
  if (object.kind === 'DatadogAgent') {
    const namespace = object.metadata?.namespace || world.defaultNamespace;
    return components.flatMap((component) => {
      const operatorComponent = OPERATOR_COMPONENTS[component];
      const hostNetwork = datadogAgentHostNetwork(object, operatorComponent);
      return datadogAgentEnv(object, operatorComponent, namespace, world).map(({ label, env }) => ({ label, env, unresolved: [], base: '', hostNetwork }));
    });
  }
  const workload = asDatadogWorkload(object, world.defaultNamespace);
  if (!workload || !components.includes(workload.component)) return [];
  const { spec, specPath } = workload.template;
  return podEnv(spec, workload.namespace, world)
    .filter(({ path }) => !path.startsWith('/initContainers/'))
    .map(({ container, path, env }) => ({
      label: `container "${container.name}"`,
      env,
      unresolved: unresolvedEnvFrom(container, workload.namespace, world),
      base: specPath,
      hostNetwork: spec.hostNetwork === true,
      container: { container, path },
    }));
}

/** Every place among envPlacesFor that sets `name`, after the DatadogAgent field the Operator turns into it. */
export function envEntriesFor(object: KubeObject, name: string, components: readonly Component[], world: World): EnvEntry[] {
  const entries: EnvEntry[] = [];
  const field = DATADOG_AGENT_FIELDS[name];
  if (field && object.kind === 'DatadogAgent' && components.includes('node-agent')) {
    const entry = field(object, object.metadata?.namespace || world.defaultNamespace, world);
    const subject = entry?.path.slice(1).replaceAll('/', '.') ?? '';
    const place: EnvPlace = { label: subject, env: new Map(), unresolved: [], base: '', hostNetwork: datadogAgentHostNetwork(object) };
    if (entry) entries.push({ subject, entry, path: entry.path, place });
  }
  for (const place of envPlacesFor(object, components, world)) {
    const entry = place.env.get(name);
    if (entry) entries.push({ subject: subjectOf(name, place), entry, path: place.base + entry.path, place });
  }
  return entries;
}

/** How a message names a variable in a place: `DD_X on container "agent"`, `DD_X in spec.override.nodeAgent.env`. */
export function subjectOf(name: string, place: EnvPlace): string {
  return `${name} ${place.container ? 'on' : 'in'} ${place.label}`;
}
