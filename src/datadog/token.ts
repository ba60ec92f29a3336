import { createHash } from 'node:crypto';
import type { KubeObject } from '../k8s/types.js';
import { isRecord } from '../k8s/types.js';
import { ENV_VALUE_MAX_BYTES, podEnv, unresolvedEnvFrom, type ContainerEnv, type EnvSource, type ResolvedEnv } from '../k8s/env.js';
import { decodeBase64, decodeSecret, type DecodedSecret } from '../k8s/secrets.js';
import { absent, found, unknown, type Lookup, type World } from '../world/world.js';
import { rememberedIn } from '../world/memo.js';
import { asDatadogWorkload, type Component, type DatadogWorkload } from './components.js';

/**
 * The Cluster Agent auth token (datadog.md §1): where each Datadog workload and DatadogAgent takes it from,
 * its bytes, and which Secrets hold it. The only module that knows token sources; rules, the webhook and the
 * audit ask it. It never returns a token's value in text: bytes go to measurements and hashes only.
 *
 * `DD_CLUSTER_AGENT_TOKEN_NAME` (an event-collection ConfigMap name) and `DD_AUTH_TOKEN_FILE_PATH` (the Agent's
 * own IPC token) are different things and are deliberately not read here.
 */
export const TOKEN_ENV = 'DD_CLUSTER_AGENT_AUTH_TOKEN';
/** `validateAuthToken` rejects `len(token) < 32`; exactly 32 bytes is accepted. */
export const TOKEN_MIN_BYTES = 32;
/** The key both the Helm chart and the Operator store the token under. */
export const TOKEN_KEY = 'token';

/** The Agent's own log line for a short token, in the two wordings users will search for (datadog.md §1.2). */
export function shortTokenLogLines(bytes: number): [older: string, newest: string] {
  return [
    `cluster agent authentication token length must be greater than 32, currently: ${bytes}`,
    `cluster agent authentication token must be at least 32 characters long, currently: ${bytes}`,
  ];
}

// ---------------------------------------------------------------------------------------------------------
// Where a token comes from

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
  // Asked by most token rules of the same workload: worked out once per judgement (src/world/memo.ts).
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

/** `$(VAR)` only expands variables defined earlier in the list; `envFrom` always comes first. */
function definedBefore(env: ContainerEnv, entry: ResolvedEnv): ContainerEnv {
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

/** What a token source resolves to. `opaque`: set per pod (a field, a resource), not knowable from the spec. */
export type TokenResolution =
  | { state: 'found'; value: Buffer }
  | { state: 'missing'; what: 'Secret' | 'key' | 'ConfigMap'; reason: string }
  /** `problem` completes "the token …", e.g. `is not valid base64`. */
  | { state: 'invalid'; reason: string; problem: string }
  | { state: 'unknown'; reason: string }
  | { state: 'opaque'; reason: string };

/** The token's bytes as the container would see them; `absent` when its Secret or key is not there. */
export function tokenValue(source: TokenSource, world: World): Lookup<Buffer> {
  const resolved = resolveToken(source, world);
  if (resolved.state === 'found') return found(resolved.value);
  if (resolved.state === 'missing') return absent;
  return unknown(resolved.reason);
}

export function resolveToken(source: TokenSource, world: World): TokenResolution {
  return resolveEnvSource(source.source, world, source.earlier ?? new Map(), 0);
}

const MAX_EXPANSION_DEPTH = 8;

function resolveEnvSource(source: EnvSource, world: World, earlier: ContainerEnv, depth: number): TokenResolution {
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
export function secretKeyValue(
  lookup: Lookup<DecodedSecret>,
  namespace: string,
  name: string,
  key: string,
): TokenResolution {
  if (lookup.state === 'unknown') return { state: 'unknown', reason: `could not read Secret ${namespace}/${name}: ${lookup.reason}` };
  if (lookup.state === 'absent') return { state: 'missing', what: 'Secret', reason: `Secret ${namespace}/${name} is not there` };
  const value = lookup.value.values.get(key);
  if (value) return { state: 'found', value };
  const invalid = lookup.value.invalid.get(key);
  if (invalid) return { state: 'invalid', reason: `key "${key}" of Secret ${namespace}/${name} ${invalid}`, problem: invalid };
  return { state: 'missing', what: 'key', reason: `Secret ${namespace}/${name} has no key "${key}"` };
}

function configMapKeyValue(lookup: Lookup<KubeObject>, name: string, key: string): TokenResolution {
  if (lookup.state === 'unknown') return { state: 'unknown', reason: `could not read ConfigMap ${name}: ${lookup.reason}` };
  if (lookup.state === 'absent') return { state: 'missing', what: 'ConfigMap', reason: `ConfigMap ${name} is not there` };
  const data = isRecord(lookup.value['data']) ? lookup.value['data'] : {};
  const binary = isRecord(lookup.value['binaryData']) ? lookup.value['binaryData'] : {};
  if (typeof data[key] === 'string') return { state: 'found', value: Buffer.from(data[key], 'utf8') };
  const decoded = typeof binary[key] === 'string' ? decodeBase64(binary[key]) : undefined;
  if (decoded) return { state: 'found', value: decoded };
  return { state: 'missing', what: 'key', reason: `ConfigMap ${name} has no key "${key}"` };
}

const REFERENCE = /\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)|\$\$/g;

/**
 * Kubernetes' `$(VAR)` expansion over resolved bytes; the first reference that cannot be resolved decides. The
 * bytes are bounded like a literal's (ENV_VALUE_MAX_BYTES): a template repeating a large Secret key is unknown.
 */
function expandComposite(template: string, world: World, earlier: ContainerEnv, depth: number): TokenResolution {
  const parts: Buffer[] = [];
  let bytes = 0;
  let failure: TokenResolution | undefined;
  let last = 0;
  const add = (part: Buffer): boolean => {
    bytes += part.length;
    parts.push(part);
    return bytes <= ENV_VALUE_MAX_BYTES;
  };
  for (const match of template.matchAll(REFERENCE)) {
    if (!add(Buffer.from(template.slice(last, match.index), 'utf8'))) return expansionTooLarge();
    last = match.index + match[0].length;
    const target = match[1] === undefined ? undefined : earlier.get(match[1]);
    if (match[1] === undefined || !target) {
      if (!add(Buffer.from(match[1] === undefined ? '$' : match[0], 'utf8'))) return expansionTooLarge();
      continue;
    }
    const resolved = resolveEnvSource(target.source, world, definedBefore(earlier, target), depth + 1);
    if (resolved.state === 'found') {
      if (!add(resolved.value)) return expansionTooLarge();
    } else failure ??= resolved;
  }
  if (!add(Buffer.from(template.slice(last), 'utf8'))) return expansionTooLarge();
  return failure ?? { state: 'found', value: Buffer.concat(parts) };
}

function expansionTooLarge(): TokenResolution {
  return { state: 'unknown', reason: `its value is longer than ${ENV_VALUE_MAX_BYTES} bytes once $(VAR) references are expanded` };
}

/** Hash of the bytes, to compare two tokens without holding or printing either. Never put it in a message. */
export function tokenDigest(value: Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

// ---------------------------------------------------------------------------------------------------------
// Measurements

/** Go's `len(token)`: UTF-8 bytes, not characters. */
export function tokenByteLength(value: Buffer): number {
  return value.length;
}

export interface BadCharacters {
  /** How many whitespace or control bytes the token holds. */
  count: number;
  /** What and where, e.g. `1 line feed (\n) at the end`. No token content. */
  description: string;
  /** Holds a byte Go's HTTP client refuses in a header (a control character other than tab). */
  refusedByClient: boolean;
  /** Length in bytes with leading and trailing whitespace/control bytes removed: a hint, never what the Agent does. */
  trimmedLength: number;
}

/** Space, tab, CR, LF, every other byte below 0x20, and DEL (0x7f): what breaks `Authorization: Bearer <token>`. */
export function isBadTokenByte(byte: number): boolean {
  return byte <= 0x20 || byte === 0x7f;
}

const BYTE_NAMES: Readonly<Record<number, [one: string, many: string]>> = {
  0x20: ['space', 'spaces'],
  0x09: ['tab', 'tabs'],
  0x0a: ['line feed (\\n)', 'line feeds (\\n)'],
  0x0d: ['carriage return (\\r)', 'carriage returns (\\r)'],
  0x7f: ['DEL character (0x7f)', 'DEL characters (0x7f)'],
};

export function badCharactersOf(value: Buffer): BadCharacters | undefined {
  const positions = [...value.keys()].filter((i) => isBadTokenByte(value[i] ?? 0));
  if (positions.length === 0) return undefined;
  let start = 0;
  while (start < value.length && isBadTokenByte(value[start] ?? 0)) start++;
  let end = value.length;
  while (end > start && isBadTokenByte(value[end - 1] ?? 0)) end--;
  const counts = new Map<number, number>();
  for (const i of positions) counts.set(value[i] ?? 0, (counts.get(value[i] ?? 0) ?? 0) + 1);
  const what = [...counts].map(([byte, n]) => `${n} ${nameOf(byte, n)}`).join(', ');
  const refusedByClient = positions.some((i) => value[i] !== 0x20 && value[i] !== 0x09);
  return {
    count: positions.length,
    description: `${what} ${placeOf(positions, start, end)}`,
    refusedByClient,
    trimmedLength: end - start,
  };
}

function nameOf(byte: number, count: number): string {
  const names = BYTE_NAMES[byte];
  if (names) return count === 1 ? names[0] : names[1];
  const hex = `0x${byte.toString(16).padStart(2, '0')}`;
  return count === 1 ? `control character (${hex})` : `control characters (${hex})`;
}

/** `start`/`end` bound the token once leading and trailing bad bytes are cut off. */
function placeOf(positions: number[], start: number, end: number): string {
  const inside = positions.some((i) => i >= start && i < end);
  if (inside) return 'inside the token';
  const leading = positions.some((i) => i < start);
  const trailing = positions.some((i) => i >= end);
  if (leading && trailing) return 'at the start and the end';
  return leading ? 'at the start' : 'at the end';
}

// ---------------------------------------------------------------------------------------------------------
// The Operator's DatadogAgent (datadoghq.com/v2alpha1)

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

/** The DatadogAgent's token as a source: its secret reference or its literal; none when the Operator generates it. */
export function datadogAgentTokenSource(dda: KubeObject, defaultNamespace: string): TokenSource | undefined {
  const token = datadogAgentTokenOf(dda, defaultNamespace);
  const base = { owner: dda, namespace: token.secret.namespace, path: token.path, via: 'datadogAgent' as const };
  if (token.from === 'secret') return { ...base, source: { kind: 'secret', ...token.secret, optional: false } };
  if (token.from === 'literal') return { ...base, source: { kind: 'literal', value: token.literal ?? '' } };
  return undefined;
}

function globalOf(dda: KubeObject): Record<string, unknown> {
  const spec = isRecord(dda['spec']) ? dda['spec'] : {};
  return isRecord(spec['global']) ? spec['global'] : {};
}

/** YAML may hand a number or boolean where a string is meant (`clusterAgentToken: 1234`); the API would coerce. */
function stringOf(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}

// ---------------------------------------------------------------------------------------------------------
// Which Secrets are token Secrets (issue 3)

export interface TokenSecret {
  /** Keys that hold the Cluster Agent token, in a stable order. */
  keys: string[];
  /** Why it counts as a token Secret, for messages. */
  reasons: string[];
}

/**
 * A Secret is a token Secret when a Datadog workload or DatadogAgent in the world reads the token from it, when
 * it is named and labelled the way the Helm chart or the Operator name theirs, or when it has a
 * `DD_CLUSTER_AGENT_AUTH_TOKEN` key. Anything else, a Secret with a short `token` key included, is not.
 */
export function isTokenSecret(secret: KubeObject, world: World): TokenSecret | undefined {
  const keys = new Set<string>();
  const reasons: string[] = [];
  const add = (key: string, reason: string) => {
    keys.add(key);
    if (!reasons.includes(reason)) reasons.push(reason);
  };
  for (const { key, by } of referencesTo(secret, world)) add(key, `read as the Cluster Agent token by ${by}`);
  if (isHelmTokenSecret(secret)) add(TOKEN_KEY, "named and labelled as the Datadog Helm chart's token Secret");
  if (isOperatorTokenSecret(secret)) add(TOKEN_KEY, "named and labelled as the Datadog Operator's token Secret");
  if (secretKeys(secret).includes(TOKEN_ENV)) add(TOKEN_ENV, `has a ${TOKEN_ENV} key`);
  return keys.size ? { keys: [...keys].sort(), reasons } : undefined;
}

/** Every (key, reader) pair for which a Datadog workload or DatadogAgent in the Secret's namespace reads it. */
function referencesTo(secret: KubeObject, world: World): { key: string; by: string }[] {
  const name = secret.metadata?.name ?? '';
  const namespace = secret.metadata?.namespace || world.defaultNamespace;
  const out: { key: string; by: string }[] = [];
  for (const object of world.datadogWorkloads(namespace)) {
    const by = `${object.kind} ${namespace}/${object.metadata?.name ?? ''}`;
    if (isDatadogAgent(object)) {
      const token = datadogAgentTokenOf(object, world.defaultNamespace);
      if (token.secret.name === name) out.push({ key: token.secret.key, by });
      continue;
    }
    const workload = asDatadogWorkload(object, world.defaultNamespace);
    for (const source of workload ? tokenSourcesOf(workload, world) : []) {
      if (source.source.kind === 'secret' && source.source.name === name) out.push({ key: source.source.key, by });
    }
  }
  return out;
}

/** Helm: `<fullname>-cluster-agent` with the chart's labels (a Secret from another chart is not ours). */
function isHelmTokenSecret(secret: KubeObject): boolean {
  const labels = secret.metadata?.labels ?? {};
  const chart = labels['helm.sh/chart'];
  if (chart !== undefined && !chart.startsWith('datadog-')) return false;
  const byHelm = labels['app.kubernetes.io/managed-by'] === 'Helm' || chart !== undefined;
  return byHelm && (secret.metadata?.name ?? '').endsWith('-cluster-agent');
}

/** Operator: `<dda>-token`, owned by that DatadogAgent or labelled by the Operator for it. */
function isOperatorTokenSecret(secret: KubeObject): boolean {
  const name = secret.metadata?.name ?? '';
  const metadata = isRecord(secret.metadata) ? secret.metadata : {};
  const owners: unknown[] = Array.isArray(metadata['ownerReferences']) ? metadata['ownerReferences'] : [];
  const ownedBy = owners.filter(isRecord).filter((o) => o['kind'] === 'DatadogAgent').map((o) => String(o['name'] ?? ''));
  const labels = secret.metadata?.labels ?? {};
  if (labels['app.kubernetes.io/managed-by'] === 'datadog-operator' && labels['app.kubernetes.io/instance']) {
    ownedBy.push(labels['app.kubernetes.io/instance']);
  }
  return ownedBy.some((dda) => dda && name === `${dda}-token`);
}

function secretKeys(secret: KubeObject): string[] {
  const data = isRecord(secret['data']) ? Object.keys(secret['data']) : [];
  const stringData = isRecord(secret['stringData']) ? Object.keys(secret['stringData']) : [];
  return [...data, ...stringData];
}

// ---------------------------------------------------------------------------------------------------------
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
    return [{ path: `/${field}/${escapePointer(key)}`, description: `key "${key}" of this Secret`, written: 'here' as const, value }];
  });
}

/** RFC 6901: `~` → `~0`, `/` → `~1`. */
export function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
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
