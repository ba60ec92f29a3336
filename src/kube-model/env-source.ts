import type { Container } from './types.js';

/**
 * Where an environment variable's value comes from, after `envFrom`, the later-entry-wins order and `$(VAR)`
 * expansion (src/kube-model/env.ts): a literal, a reference (Secret or ConfigMap key, downward-API field, resource)
 * or a `$(VAR)` expansion of earlier variables that are not literals.
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

/** A `$(NAME)` reference, or `$$` (an escaped `$`), in a variable's value. */
export const ENV_REFERENCE = /\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)|\$\$/g;

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

export type EnvVar = NonNullable<Container['env']>[number];

/** An `env` entry's source; `defined` answers what a `$(NAME)` in its value refers to. */
export function sourceOf(variable: EnvVar, namespace: string, defined: Pick<ContainerEnv, 'get'>): EnvSource {
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
  for (const match of value.matchAll(ENV_REFERENCE)) {
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
