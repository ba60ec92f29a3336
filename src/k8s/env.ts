import type { Container, PodSpec } from './types.js';
import type { World } from '../world/world.js';
import { containersOf } from './podTemplate.js';
import { remembered } from '../world/memo.js';

/**
 * Where an environment variable's value comes from, after `envFrom`, the later-entry-wins order and `$(VAR)`
 * expansion. This module is the only place that knows those rules.
 */
export type EnvSource =
  | { kind: 'literal'; value: string }
  | { kind: 'secret'; namespace: string; name: string; key: string; optional: boolean }
  | { kind: 'configMap'; namespace: string; name: string; key: string; optional: boolean }
  | { kind: 'field'; fieldPath: string }
  | { kind: 'resource'; resource: string }
  /** A value that expands `$(VAR)` references to variables that are not literals (a per-pod field, say). */
  | { kind: 'composite'; template: string; references: readonly ResolvedEnv[] }
  /** `envFrom` of a Secret or ConfigMap whose keys the world cannot list. */
  | { kind: 'unresolved'; reason: string }
  /**
   * Unknown: longer than ENV_VALUE_MAX_BYTES once `$(VAR)` references are expanded. Expansion stops there, so a
   * review that doubles a value twenty times costs kilobytes, not gigabytes; rules judge it as unknown.
   */
  | { kind: 'tooLarge'; reason: string };

export interface ResolvedEnv {
  name: string;
  source: EnvSource;
  /** JSON pointer, relative to the pod spec, of the entry that set the value. */
  path: string;
}

/** Which variable names a container defines. `envFrom` names are only known when the world holds the object. */
export type ContainerEnv = ReadonlyMap<string, ResolvedEnv>;

const REFERENCE = /\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)|\$\$/g;

/**
 * The largest value a container can be given: Linux refuses (E2BIG) to start a process with an environment
 * string `NAME=value` longer than MAX_ARG_STRLEN, 32 pages of 4 KiB. Kubernetes itself validates no length, so
 * this is the bound that matters for what the Agent reads, and where `$(VAR)` expansion stops.
 */
export const ENV_VALUE_MAX_BYTES = 128 * 1024;

/**
 * How long a composite's template is once every reference is written out (non-literal ones as `$(NAME)`):
 * what bounds the work of anything that walks its references (token expansion, identities, field paths).
 */
const expandedLength = new WeakMap<EnvSource, number>();

function tooLarge(): EnvSource {
  return {
    kind: 'tooLarge',
    reason: `its value is longer than ${ENV_VALUE_MAX_BYTES} bytes once $(VAR) references are expanded (more than a container can be given), so it is not judged`,
  };
}

// Several rules ask for the same container's environment. Without envFrom the answer depends only on the
// container object, its path and namespace, so it is remembered per container (once per judgement, src/world/memo.ts).

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

type EnvVar = NonNullable<Container['env']>[number];

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

function sourceOf(variable: EnvVar, namespace: string, defined: Pick<ContainerEnv, 'get'>): EnvSource {
  const from = variable.valueFrom;
  if (from?.secretKeyRef) {
    const ref = from.secretKeyRef;
    return { kind: 'secret', namespace, name: ref.name ?? '', key: ref.key, optional: ref.optional === true };
  }
  if (from?.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    return { kind: 'configMap', namespace, name: ref.name ?? '', key: ref.key, optional: ref.optional === true };
  }
  if (from?.fieldRef) return { kind: 'field', fieldPath: from.fieldRef.fieldPath };
  if (from?.resourceFieldRef) return { kind: 'resource', resource: from.resourceFieldRef.resource };
  const value: unknown = variable.value ?? '';
  // The API server only lets a string through for built-in kinds; a custom resource or a direct client may not.
  if (typeof value !== 'string') return { kind: 'unresolved', reason: `its value is ${Array.isArray(value) ? 'an array' : `a ${typeof value}`}, not a string` };
  return expand(value, defined);
}

/**
 * Kubernetes expands `$(NAME)` with variables defined earlier in the list (envFrom first); `$$` escapes a `$`;
 * an unknown reference stays as written. A result longer than ENV_VALUE_MAX_BYTES is `tooLarge`, and so is
 * anything that refers to one.
 */
export function expand(value: string, defined: Pick<ContainerEnv, 'get'>): EnvSource {
  const references: ResolvedEnv[] = [];
  let literal = true;
  let expanded = '';
  // The template with non-literal references left as written, every level down: bounded like the literal.
  let weight = 0;
  let last = 0;
  for (const match of value.matchAll(REFERENCE)) {
    const before = value.slice(last, match.index);
    last = match.index + match[0].length;
    const name = match[1];
    const target = name === undefined ? undefined : defined.get(name);
    let piece: string;
    let pieceWeight: number;
    if (name === undefined) [piece, pieceWeight] = ['$', 1];
    else if (!target) [piece, pieceWeight] = [match[0], match[0].length];
    else if (target.source.kind === 'tooLarge') return tooLarge();
    else if (target.source.kind === 'literal') [piece, pieceWeight] = [target.source.value, target.source.value.length];
    else {
      literal = false;
      references.push(target);
      [piece, pieceWeight] = [match[0], expandedLength.get(target.source) ?? match[0].length];
    }
    weight += before.length + pieceWeight;
    // UTF-8 takes at least one byte per UTF-16 unit: past the limit in units is past it in bytes.
    if (weight > ENV_VALUE_MAX_BYTES) return tooLarge();
    if (literal) expanded += before + piece;
  }
  weight += value.length - last;
  if (weight > ENV_VALUE_MAX_BYTES) return tooLarge();
  if (literal) {
    expanded += value.slice(last);
    return Buffer.byteLength(expanded, 'utf8') > ENV_VALUE_MAX_BYTES ? tooLarge() : { kind: 'literal', value: expanded };
  }
  const source: EnvSource = { kind: 'composite', template: value, references };
  expandedLength.set(source, weight);
  return source;
}

function envFromEntries(
  from: NonNullable<Container['envFrom']>[number],
  path: string,
  namespace: string,
  world?: World,
): ResolvedEnv[] {
  const prefix = from.prefix ?? '';
  const ref = from.secretRef ?? from.configMapRef;
  if (!ref?.name) return [];
  const kind = from.secretRef ? 'secret' : 'configMap';
  const keys = world ? keysOf(kind, namespace, ref.name, world) : undefined;
  if (!keys) return [];
  return keys.map((key) => ({
    name: prefix + key,
    source: { kind, namespace, name: ref.name ?? '', key, optional: ref.optional === true },
    path,
  }));
}

function keysOf(kind: 'secret' | 'configMap', namespace: string, name: string, world: World): string[] | undefined {
  if (kind === 'secret') {
    const secret = world.secret(namespace, name);
    return secret.state === 'found' ? [...secret.value.values.keys(), ...secret.value.invalid.keys()] : undefined;
  }
  const configMap = world.get('ConfigMap', namespace, name);
  if (configMap.state !== 'found') return undefined;
  const data = configMap.value['data'];
  return data && typeof data === 'object' ? Object.keys(data) : undefined;
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

/** `true` for the spellings the Agent's config parser accepts as true (Go strconv.ParseBool + viper). */
export function isTruthy(entry: ResolvedEnv | undefined): boolean {
  const value = literalOf(entry)?.trim().toLowerCase();
  return value === 'true' || value === '1' || value === 't' || value === 'yes' || value === 'on';
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

/**
 * The `envFrom` sources whose keys the world cannot list (not in the manifest set, or no world at all): any
 * variable may come from them, so a rule that finds a variable missing cannot be sure it is.
 */
export function unresolvedEnvFrom(container: Container, namespace: string, world?: World): string[] {
  const out: string[] = [];
  for (const from of Array.isArray(container.envFrom) ? container.envFrom : []) {
    const ref = from?.secretRef ?? from?.configMapRef;
    if (!ref?.name) continue;
    const kind = from.secretRef ? 'secret' : 'configMap';
    if (!world || !keysOf(kind, namespace, ref.name, world)) out.push(`${kind === 'secret' ? 'Secret' : 'ConfigMap'} ${namespace}/${ref.name}`);
  }
  return out;
}
