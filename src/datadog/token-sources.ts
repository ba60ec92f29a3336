import type { KubeObject } from '../kube-model/types.js';
import { definedBefore, podEnv, resolveEnvBytes, unresolvedEnvFrom, type ContainerEnv, type EnvResolution, type EnvSource } from '../kube-model/env.js';
import { absent, found, unknown, type Lookup, type World } from '../kube-model/world.js';
import { rememberedIn } from '../kube-model/memo.js';
import { asDatadogWorkload, type Component, type DatadogWorkload } from './components.js';
import { datadogAgentTokenOf, isDatadogAgent } from './datadog-agent.js';
import { TOKEN_ENV, tokenDigest } from './token.js';

/**
 * Where each Datadog workload and DatadogAgent takes the Cluster Agent token from (datadog.md §1), and its
 * bytes. The only module that knows token sources; rules, the webhook and the audit ask it. It never returns
 * a token's value in text.
 *
 * `DD_CLUSTER_AGENT_TOKEN_NAME` (an event-collection ConfigMap name) and `DD_AUTH_TOKEN_FILE_PATH` (the Agent's
 * own IPC token) are different things and are deliberately not read here.
 */

/** One place an object sets the token: a container's environment entry, or a DatadogAgent field. */
export interface TokenSource {
  /** The workload or DatadogAgent that configures the token. */
  owner: KubeObject;
  namespace: string;
  /** The component the owner runs; absent for a DatadogAgent. */
  component?: Component;
  /** The container whose environment sets the token; absent for a DatadogAgent. */
  container?: string;
  /** JSON pointer into `owner` of the entry that sets the token (an `env` item, an `envFrom` item, a field). */
  path: string;
  via: 'env' | 'envFrom' | 'datadogAgent';
  source: EnvSource;
  /** Variables defined before the token's entry: what a `$(VAR)` in a composite value can expand to. */
  earlier?: ContainerEnv;
}

/** Each container's `DD_CLUSTER_AGENT_AUTH_TOKEN`, resolved through `env`, `envFrom` (with prefixes) and `$(VAR)`. */
export function tokenSourcesOf(workload: DatadogWorkload, world: World): TokenSource[] {
  // Asked by most token rules of the same workload: worked out once per judgement (src/kube-model/memo.ts).
  return rememberedIn(world, 'tokenSources', workload.object, () => sourcesUncached(workload, world));
}

function sourcesUncached(workload: DatadogWorkload, world: World): TokenSource[] {
  return podEnv(workload.template.spec, workload.namespace, world).flatMap(({ container, env }) => {
    const entry = env.get(TOKEN_ENV);
    if (!entry) return [];
    const source: TokenSource = {
      owner: workload.object,
      namespace: workload.namespace,
      component: workload.component,
      container: String(container.name ?? ''),
      path: workload.template.specPath + entry.path,
      via: entry.path.includes('/envFrom/') ? 'envFrom' : 'env',
      source: entry.source,
    };
    if (entry.source.kind === 'composite') source.earlier = definedBefore(env, entry);
    return [source];
  });
}

/** Token sources of any object: a Datadog workload's containers, or a DatadogAgent's effective source. */
export function tokenSourcesOfObject(object: KubeObject, world: World): TokenSource[] {
  if (isDatadogAgent(object)) {
    const source = datadogAgentTokenSource(object, world.defaultNamespace);
    return source ? [source] : [];
  }
  const workload = asDatadogWorkload(object, world.defaultNamespace);
  return workload ? tokenSourcesOf(workload, world) : [];
}

/** The DatadogAgent's token as a source: its secret reference or its literal; none when the Operator generates it. */
export function datadogAgentTokenSource(dda: KubeObject, defaultNamespace: string): TokenSource | undefined {
  const token = datadogAgentTokenOf(dda, defaultNamespace);
  const base = { owner: dda, namespace: token.secret.namespace, path: token.path, via: 'datadogAgent' as const };
  if (token.from === 'secret') return { ...base, source: { kind: 'secret', ...token.secret, optional: false } };
  if (token.from === 'literal') return { ...base, source: { kind: 'literal', value: token.literal ?? '' } };
  return undefined;
}

/** How a message names where a token comes from. Never the value. */
export function describeTokenSource(source: TokenSource): string {
  const where = source.container === undefined ? '' : ` of container "${source.container}"`;
  const via = source.via === 'datadogAgent' ? source.path.slice(1).replaceAll('/', '.') : `${TOKEN_ENV}${where}`;
  return `${via} (${describeEnvSource(source.source)})`;
}

export function describeEnvSource(source: EnvSource): string {
  switch (source.kind) {
    case 'literal':
      return 'an inline value';
    case 'secret':
      return `Secret ${source.namespace}/${source.name}, key "${source.key}"`;
    case 'configMap':
      return `ConfigMap ${source.namespace}/${source.name}, key "${source.key}"`;
    case 'field':
      return `field ${source.fieldPath}`;
    case 'resource':
      return `resource ${source.resource}`;
    case 'composite':
      // Not the template itself: its literal parts are part of the token.
      return `a $(VAR) expansion of ${source.references.map((r) => `${r.name} (${describeEnvSource(r.source)})`).join(', ')}`;
    case 'unresolved':
    case 'tooLarge':
      return source.reason;
  }
}

/** An empty `value: ""` leaves the setting unset: the Agent then looks for its token file instead. */
export function isUnsetToken(source: TokenSource): boolean {
  return source.source.kind === 'literal' && source.source.value === '';
}

// ---------------------------------------------------------------------------------------------------------
// The token's bytes

/** What a token source resolves to (src/kube-model/env-bytes.ts). */
export type TokenResolution = EnvResolution;

/** The token's bytes as the container would see them; `absent` when its Secret or key is not there. */
export function tokenValue(source: TokenSource, world: World): Lookup<Buffer> {
  const resolved = resolveToken(source, world);
  if (resolved.state === 'found') return found(resolved.value);
  if (resolved.state === 'missing') return absent;
  return unknown(resolved.reason);
}

export function resolveToken(source: TokenSource, world: World): TokenResolution {
  return resolveEnvBytes(source.source, world, source.earlier);
}

// ---------------------------------------------------------------------------------------------------------
// Comparing two sources without revealing either

export type Comparison =
  | { verdict: 'same' }
  | { verdict: 'different' }
  /** Different sources whose values cannot both be read: `reason` completes "the two sources <reason>". */
  | { verdict: 'undecided'; reason: string };

/**
 * Same source (Secret and key, or an equal literal) is the same token; two readable values are compared by hash;
 * otherwise the sources differ but the values cannot be compared.
 */
export function compareTokens(a: TokenSource, b: TokenSource, world: World): Comparison {
  const left = resolveToken(a, world);
  const right = resolveToken(b, world);
  if (left.state === 'found' && right.state === 'found') {
    return tokenDigest(left.value) === tokenDigest(right.value) ? { verdict: 'same' } : { verdict: 'different' };
  }
  if (identityOf(a.source) === identityOf(b.source)) return { verdict: 'same' };
  const blocked = left.state === 'found' ? right : left;
  return { verdict: 'undecided', reason: `cannot be compared (${'reason' in blocked ? blocked.reason : 'no value'})` };
}

let unknownIdentities = 0;

/** What makes two sources the same without reading them. Literals are represented by their hash, never the value. */
function identityOf(source: EnvSource): string {
  switch (source.kind) {
    case 'literal':
      return `literal:${tokenDigest(Buffer.from(source.value, 'utf8'))}`;
    case 'secret':
    case 'configMap':
      return `${source.kind}:${source.namespace}/${source.name}#${source.key}`;
    case 'field':
      return `field:${source.fieldPath}`;
    case 'resource':
      return `resource:${source.resource}`;
    case 'composite':
      return `composite:${source.template}:${source.references.map((r) => identityOf(r.source)).join(',')}`;
    case 'unresolved':
      return `unresolved:${source.reason}`;
    case 'tooLarge':
      // Two unknown values are never known to be the same.
      return `tooLarge:${++unknownIdentities}`;
  }
}

const CONFIG_FILE_MOUNT = /(?:^|\/)(?:datadog(?:-cluster)?\.ya?ml|cluster_agent\.auth_token|dca_auth_token)$|^\/etc\/datadog-agent\/?$/;

/**
 * Where a workload could still get a token the pod spec does not show: a mounted `datadog.yaml` /
 * `datadog-cluster.yaml` (`cluster_agent.auth_token`), a mounted token file, or `envFrom` of a Secret or ConfigMap
 * the world cannot list. Returns a phrase for a message, or undefined when the spec shows everything.
 */
export function tokenElsewhere(workload: DatadogWorkload, world: World): string | undefined {
  for (const { container } of podEnv(workload.template.spec, workload.namespace)) {
    const mounts = Array.isArray(container.volumeMounts) ? container.volumeMounts : [];
    const mount = mounts.find((m) => CONFIG_FILE_MOUNT.test(String(m?.mountPath ?? '')));
    if (mount) return `it is set in the file mounted at ${mount.mountPath}`;
    const [hidden] = unresolvedEnvFrom(container, workload.namespace, world);
    if (hidden) return `${hidden}, loaded with envFrom, provides it`;
  }
  return undefined;
}
