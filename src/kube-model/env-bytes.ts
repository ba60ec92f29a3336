import { isRecord, type KubeObject } from './types.js';
import { decodeBase64, type DecodedSecret } from './secrets.js';
import type { Lookup, World } from './world.js';
import { ENV_REFERENCE, ENV_VALUE_MAX_BYTES, type ContainerEnv, type EnvSource, type ResolvedEnv } from './env-source.js';

/**
 * A variable's value as the container would see it, in bytes: read through the Secret or ConfigMap key it
 * names and through its `$(VAR)` references. Callers that hold a Secret's bytes measure or hash them; they
 * never put them in a message.
 */

/** What a source resolves to. `opaque`: set per pod (a field, a resource), not knowable from the spec. */
export type EnvResolution =
  | { state: 'found'; value: Buffer }
  | { state: 'missing'; what: 'Secret' | 'key' | 'ConfigMap'; reason: string }
  /** `problem` completes "the value …", e.g. `is not valid base64`. */
  | { state: 'invalid'; reason: string; problem: string }
  | { state: 'unknown'; reason: string }
  | { state: 'opaque'; reason: string };

/** `earlier`: the variables a `$(VAR)` in a composite value can expand to (see definedBefore). */
export function resolveEnvBytes(source: EnvSource, world: World, earlier: ContainerEnv = new Map()): EnvResolution {
  return resolveAt(source, world, earlier, 0);
}

/**
 * A variable's value as text when the world can tell it: a literal, or the key of a ConfigMap or Secret it
 * holds. Only for judging settings (booleans, URL schemes); never print what it returns for a Secret.
 */
export function envValue(entry: ResolvedEnv | undefined, world?: World): string | undefined {
  const source = entry?.source;
  if (source?.kind === 'literal') return source.value;
  if (!world || (source?.kind !== 'secret' && source?.kind !== 'configMap')) return undefined;
  const resolved = resolveEnvBytes(source, world);
  return resolved.state === 'found' ? resolved.value.toString('utf8') : undefined;
}

/** `$(VAR)` only expands variables defined earlier in the list; `envFrom` always comes first. */
export function definedBefore(env: ContainerEnv, entry: ResolvedEnv): ContainerEnv {
  const position = envIndex(entry.path);
  const out = new Map<string, ResolvedEnv>();
  for (const [name, other] of env) {
    const index = envIndex(other.path);
    if (index === undefined || (position !== undefined && index < position)) out.set(name, other);
  }
  return out;
}

/** The index of an `env` item from its pointer; undefined for `envFrom` items. */
function envIndex(path: string): number | undefined {
  const match = /\/env\/(\d+)$/.exec(path);
  return match ? Number(match[1]) : undefined;
}

const MAX_EXPANSION_DEPTH = 8;

function resolveAt(source: EnvSource, world: World, earlier: ContainerEnv, depth: number): EnvResolution {
  switch (source.kind) {
    case 'literal':
      return { state: 'found', value: Buffer.from(source.value, 'utf8') };
    case 'secret':
      return secretKeyValue(world.secret(source.namespace, source.name), source.namespace, source.name, source.key);
    case 'configMap':
      return configMapKeyValue(world.get('ConfigMap', source.namespace, source.name), source.name, source.key);
    case 'composite':
      return depth < MAX_EXPANSION_DEPTH
        ? expandComposite(source.template, world, earlier, depth)
        : { state: 'opaque', reason: 'nested $(VAR) references too deep to follow' };
    case 'field':
      return { state: 'opaque', reason: `set per pod from field ${source.fieldPath}` };
    case 'resource':
      return { state: 'opaque', reason: `set from resource ${source.resource}` };
    case 'unresolved':
      return { state: 'opaque', reason: source.reason };
    case 'tooLarge':
      return { state: 'unknown', reason: source.reason };
  }
}

/** A key's bytes in a decoded Secret lookup: `data` base64-decoded, `stringData` laid over it. */
export function secretKeyValue(lookup: Lookup<DecodedSecret>, namespace: string, name: string, key: string): EnvResolution {
  if (lookup.state === 'unknown') return { state: 'unknown', reason: `could not read Secret ${namespace}/${name}: ${lookup.reason}` };
  if (lookup.state === 'absent') return { state: 'missing', what: 'Secret', reason: `Secret ${namespace}/${name} is not there` };
  const value = lookup.value.values.get(key);
  if (value) return { state: 'found', value };
  const invalid = lookup.value.invalid.get(key);
  if (invalid) return { state: 'invalid', reason: `key "${key}" of Secret ${namespace}/${name} ${invalid}`, problem: invalid };
  return { state: 'missing', what: 'key', reason: `Secret ${namespace}/${name} has no key "${key}"` };
}

function configMapKeyValue(lookup: Lookup<KubeObject>, name: string, key: string): EnvResolution {
  if (lookup.state === 'unknown') return { state: 'unknown', reason: `could not read ConfigMap ${name}: ${lookup.reason}` };
  if (lookup.state === 'absent') return { state: 'missing', what: 'ConfigMap', reason: `ConfigMap ${name} is not there` };
  const data = isRecord(lookup.value['data']) ? lookup.value['data'] : {};
  const binary = isRecord(lookup.value['binaryData']) ? lookup.value['binaryData'] : {};
  if (typeof data[key] === 'string') return { state: 'found', value: Buffer.from(data[key], 'utf8') };
  const decoded = typeof binary[key] === 'string' ? decodeBase64(binary[key]) : undefined;
  if (decoded) return { state: 'found', value: decoded };
  return { state: 'missing', what: 'key', reason: `ConfigMap ${name} has no key "${key}"` };
}

/**
 * Kubernetes' `$(VAR)` expansion over resolved bytes; the first reference that cannot be resolved decides. The
 * bytes are bounded like a literal's (ENV_VALUE_MAX_BYTES): a template repeating a large Secret key is unknown.
 */
function expandComposite(template: string, world: World, earlier: ContainerEnv, depth: number): EnvResolution {
  const parts: Buffer[] = [];
  let bytes = 0;
  let failure: EnvResolution | undefined;
  let last = 0;
  const add = (part: Buffer): boolean => {
    bytes += part.length;
    parts.push(part);
    return bytes <= ENV_VALUE_MAX_BYTES;
  };
  for (const match of template.matchAll(ENV_REFERENCE)) {
    if (!add(Buffer.from(template.slice(last, match.index), 'utf8'))) return expansionTooLarge();
    last = match.index + match[0].length;
    const target = match[1] === undefined ? undefined : earlier.get(match[1]);
    if (match[1] === undefined || !target) {
      if (!add(Buffer.from(match[1] === undefined ? '$' : match[0], 'utf8'))) return expansionTooLarge();
      continue;
    }
    const resolved = resolveAt(target.source, world, definedBefore(earlier, target), depth + 1);
    if (resolved.state === 'found') {
      if (!add(resolved.value)) return expansionTooLarge();
    } else failure ??= resolved;
  }
  if (!add(Buffer.from(template.slice(last), 'utf8'))) return expansionTooLarge();
  return failure ?? { state: 'found', value: Buffer.concat(parts) };
}

function expansionTooLarge(): EnvResolution {
  return { state: 'unknown', reason: `its value is longer than ${ENV_VALUE_MAX_BYTES} bytes once $(VAR) references are expanded` };
}
