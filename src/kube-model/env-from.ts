import type { Container } from './types.js';
import type { World } from './world.js';
import type { ResolvedEnv } from './env-source.js';

/** The variables an `envFrom` item brings: every key of its Secret or ConfigMap, when the world holds it. */
export function envFromEntries(
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
