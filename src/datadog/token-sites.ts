import type { KubeObject } from '../kube-model/types.js';
import { secretKeyValue } from '../kube-model/env.js';
import { pointerOf } from '../kube-model/json-pointer.js';
import { decodeSecret } from '../kube-model/secrets.js';
import { found, type World } from '../kube-model/world.js';
import { rememberedIn } from '../kube-model/memo.js';
import { isTokenSecret } from './token-secrets.js';
import { describeTokenSource, isUnsetToken, resolveToken, tokenSourcesOfObject, type TokenResolution } from './token-sources.js';

// Every place an object holds a token value, for the rules that measure it

/** A token value an object holds or reads, resolved, with where to point a finding. */
export interface TokenSite {
  path: string;
  /** Names the place for a message, e.g. `Secret key "token"` or `DD_CLUSTER_AGENT_AUTH_TOKEN of container "agent" (…)`. */
  description: string;
  /** `here`: the value is written in this object; `elsewhere`: read from another object (a Secret). */
  written: 'here' | 'elsewhere';
  value: TokenResolution;
}

/** A token Secret's token keys, a workload's token sources, a DatadogAgent's effective token. */
export function tokenSitesOf(object: KubeObject, world: World): TokenSite[] {
  // The length and the whitespace rules both measure every site: worked out once per judgement.
  return rememberedIn(world, 'tokenSites', object, () => sitesUncached(object, world));
}

function sitesUncached(object: KubeObject, world: World): TokenSite[] {
  if (object.kind === 'Secret') return secretSites(object, world);
  return tokenSourcesOfObject(object, world)
    .filter((source) => !isUnsetToken(source))
    .map((source) => ({
      path: source.path,
      description: describeTokenSource(source),
      written: source.source.kind === 'literal' ? 'here' : 'elsewhere',
      value: resolveToken(source, world),
    }));
}

function secretSites(secret: KubeObject, world: World): TokenSite[] {
  const token = isTokenSecret(secret, world);
  if (!token) return [];
  const decoded = decodeSecret(secret);
  const namespace = secret.metadata?.namespace || world.defaultNamespace;
  const name = secret.metadata?.name ?? '';
  return token.keys.flatMap((key) => {
    const value = secretKeyValue(found(decoded), namespace, name, key);
    if (value.state === 'missing') return [];
    const field = decoded.origin.get(key) ?? 'data';
    return [{ path: pointerOf([field, key]), description: `key "${key}" of this Secret`, written: 'here' as const, value }];
  });
}

