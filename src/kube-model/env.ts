import type { Container, PodSpec } from './types.js';
import type { World } from './world.js';
import { containersOf } from './pod-template.js';
import { remembered } from './memo.js';
import { sourceOf, type ContainerEnv, type EnvSource, type EnvVar, type ResolvedEnv } from './env-source.js';
import { envFromEntries } from './env-from.js';

/**
 * A container's environment after `envFrom`, the later-entry-wins order and `$(VAR)` expansion. The env
 * modules are the only place that knows those rules: env-source.ts (one value), env-from.ts (`envFrom`),
 * env-bytes.ts (a value's bytes, through the Secrets and ConfigMaps it names).
 */
export { ENV_VALUE_MAX_BYTES, expand, type ContainerEnv, type EnvSource, type ResolvedEnv } from './env-source.js';
export { unresolvedEnvFrom } from './env-from.js';
export { definedBefore, envValue, resolveEnvBytes, secretKeyValue, type EnvResolution } from './env-bytes.js';

// Several rules ask for the same container's environment. Without envFrom the answer depends only on the
// container object, its path and namespace, so it is remembered per container (once per judgement, src/kube-model/memo.ts).

export function resolveContainerEnv(
  container: Container,
  containerPath: string,
  namespace: string,
  world?: World,
): ContainerEnv {
  if (Array.isArray(container.envFrom) && container.envFrom.length > 0) {
    return new LazyContainerEnv(container, containerPath, namespace, world);
  }
  const byPlace = remembered('containerEnv', container, () => new Map<string, ContainerEnv>());
  const place = `${namespace}\u0000${containerPath}`;
  let env = byPlace.get(place);
  if (!env) byPlace.set(place, (env = new LazyContainerEnv(container, containerPath, namespace, world)));
  return env;
}

/**
 * A container's environment, resolved one name at a time. Rules ask for a handful of names out of the 50-100
 * variables of an Agent container, and a webhook sees each container once, so resolving every entry up front
 * was most of the engine's time on workloads. A name resolves to its last `env` entry, else to `envFrom`, and
 * a `$(VAR)` in its value to the variables defined before that entry: the same answer as a full pass.
 */
class LazyContainerEnv implements ContainerEnv {
  private readonly variables: readonly EnvVar[];
  private readonly fromEnvFrom: ReadonlyMap<string, ResolvedEnv>;
  /** Resolved `env` entries by index (`null`: not a variable). */
  private readonly atIndex = new Map<number, ResolvedEnv | null>();
  private all: Map<string, ResolvedEnv> | undefined;

  constructor(
    container: Container,
    private readonly containerPath: string,
    private readonly namespace: string,
    world: World | undefined,
  ) {
    this.variables = Array.isArray(container.env) ? container.env : [];
    const fromEnvFrom = new Map<string, ResolvedEnv>();
    (Array.isArray(container.envFrom) ? container.envFrom : []).forEach((from, index) => {
      for (const entry of envFromEntries(from, `${containerPath}/envFrom/${index}`, namespace, world)) {
        fromEnvFrom.set(entry.name, entry);
      }
    });
    this.fromEnvFrom = fromEnvFrom;
  }

  get(name: string): ResolvedEnv | undefined {
    return this.definedBefore(this.variables.length, name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  get size(): number {
    return this.materialised().size;
  }

  forEach(callback: (value: ResolvedEnv, key: string, map: ReadonlyMap<string, ResolvedEnv>) => void, thisArg?: unknown): void {
    this.materialised().forEach((value, key) => callback.call(thisArg, value, key, this));
  }

  entries(): MapIterator<[string, ResolvedEnv]> {
    return this.materialised().entries();
  }

  keys(): MapIterator<string> {
    return this.materialised().keys();
  }

  values(): MapIterator<ResolvedEnv> {
    return this.materialised().values();
  }

  [Symbol.iterator](): MapIterator<[string, ResolvedEnv]> {
    return this.entries();
  }

  /** What `$(NAME)` means in the entry at `index`: the last earlier `env` entry of that name, else `envFrom`. */
  private definedBefore(index: number, name: string): ResolvedEnv | undefined {
    for (let i = index - 1; i >= 0; i--) {
      if (this.variables[i]?.name === name) {
        const entry = this.entryAt(i);
        if (entry) return entry;
      }
    }
    return this.fromEnvFrom.get(name);
  }

  private entryAt(index: number): ResolvedEnv | undefined {
    let entry = this.atIndex.get(index);
    if (entry === undefined) {
      const variable = this.variables[index];
      entry =
        variable && typeof variable.name === 'string'
          ? {
              name: variable.name,
              source: sourceOf(variable, this.namespace, { get: (name) => this.definedBefore(index, name) }),
              path: `${this.containerPath}/env/${index}`,
            }
          : null;
      this.atIndex.set(index, entry);
    }
    return entry ?? undefined;
  }

  /** Every variable, for the few callers that walk the whole environment; in definition order. */
  private materialised(): Map<string, ResolvedEnv> {
    if (!this.all) {
      const all = new Map(this.fromEnvFrom);
      this.variables.forEach((_, index) => {
        const entry = this.entryAt(index);
        if (entry) all.set(entry.name, entry);
      });
      this.all = all;
    }
    return this.all;
  }
}

/** Every container's resolved environment, keyed by the container's JSON pointer relative to the pod spec. */
export function podEnv(spec: PodSpec, namespace: string, world?: World): { container: Container; path: string; env: ContainerEnv }[] {
  return containersOf(spec).map(({ container, path }) => ({
    container,
    path,
    env: resolveContainerEnv(container, path, namespace, world),
  }));
}

/** A variable's literal value, when it has one. */
export function literalOf(entry: ResolvedEnv | undefined): string | undefined {
  return entry?.source.kind === 'literal' ? entry.source.value : undefined;
}

/**
 * The downward-API field paths a value depends on, directly (`fieldRef`) or through the `$(VAR)` references of
 * a composite: what tells a per-pod value (`status.hostIP`, `spec.nodeName`) from one shared by every pod.
 */
export function fieldPathsOf(source: EnvSource): string[] {
  if (source.kind === 'field') return [source.fieldPath];
  if (source.kind === 'composite') return source.references.flatMap((reference) => fieldPathsOf(reference.source));
  return [];
}
