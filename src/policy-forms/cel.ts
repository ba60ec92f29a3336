import { COMPONENT_LABEL } from '../datadog/components.js';
import { isBadTokenByte } from '../datadog/token.js';

/**
 * CEL building blocks shared by the policy forms. Objects reach a ValidatingAdmissionPolicy untyped at run
 * time (every field is read only after has()), a Secret's `data` values arrive as their base64 text, and
 * `stringData` has already been merged into `data`; `stringData` is still read first, as the rule does, for
 * tools that evaluate the policies on manifests as written.
 */

/** A CEL string literal. */
export function celString(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'").replaceAll('\n', '\\n')}'`;
}

/** A CEL list of string literals. */
export function celList(items: readonly string[]): string {
  return `[${items.map(celString).join(', ')}]`;
}

/**
 * Requests made by Kubernetes' own controllers and the API server, skipped as the webhook skips them
 * (charts/ddguard/files/webhooks.yaml; a test keeps the two lists equal): a ReplicaSet or Pod made for an
 * already admitted workload must never be blocked.
 */
export const KUBERNETES_CONTROLLERS = [
  'system:apiserver',
  'system:kube-controller-manager',
  'system:serviceaccount:kube-system:namespace-controller',
  'system:serviceaccount:kube-system:generic-garbage-collector',
  'system:serviceaccount:kube-system:service-account-controller',
  'system:serviceaccount:kube-system:clusterrole-aggregation-controller',
  'system:serviceaccount:kube-system:deployment-controller',
  'system:serviceaccount:kube-system:replicaset-controller',
  'system:serviceaccount:kube-system:daemon-set-controller',
  'system:serviceaccount:kube-system:statefulset-controller',
  'system:serviceaccount:kube-system:job-controller',
  'system:serviceaccount:kube-system:cronjob-controller',
] as const;

export const NOT_KUBERNETES_CONTROLLER = {
  name: 'not-kubernetes-controller',
  expression: `!(request.userInfo.username in ${celList(KUBERNETES_CONTROLLERS)})`,
};

/** Any `ddguard.io/exempt` annotation: the policy steps aside and lets the webhook weigh the exemption. */
export const NOT_EXEMPTED = {
  name: 'not-exempted',
  expression: "!has(object.metadata.annotations) || !('ddguard.io/exempt' in object.metadata.annotations)",
};

// ---------------------------------------------------------------------------------------------------------
// Bytes and base64

const BASE64_CHAR = '[A-Za-z0-9+/]';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Go's base64.StdEncoding as the API server re-encodes `data`: padded, standard alphabet. */
export const STRICT_BASE64 = `^(?:${BASE64_CHAR}{4})*(?:${BASE64_CHAR}{2}==|${BASE64_CHAR}{3}=)?$`;

/** The number of bytes a strict base64 text `text` (a CEL string expression) decodes to. */
export function base64Bytes(text: string): string {
  return `(size(${text}) / 4 * 3 - (${text}.endsWith('==') ? 2 : ${text}.endsWith('=') ? 1 : 0))`;
}

/** RE2 and JavaScript regex class of the bytes that break `Authorization: Bearer <token>` (isBadTokenByte). */
export const BAD_TOKEN_CHARACTER = '[\\x00-\\x20\\x7f]';

/**
 * A regular expression that matches a strict base64 text exactly when the bytes it decodes to hold a byte
 * `isBadTokenByte` rejects. A byte spans two base64 characters at one of three places in each 4-character
 * quantum; for each place, the character pairs that spell a bad byte are worked out from isBadTokenByte, so
 * the expression and the rule use one definition. Padding `=` is in no class, so missing bytes never match.
 */
export function base64BadByteRegex(): string {
  const places: ((first: number, second: number) => number)[] = [
    (a, b) => (a << 2) | (b >> 4),
    (a, b) => ((a & 15) << 4) | (b >> 2),
    (a, b) => ((a & 3) << 6) | b,
  ];
  const alternatives = places.map((byteOf, place) => {
    const bySeconds = new Map<string, number[]>();
    for (let first = 0; first < 64; first++) {
      const seconds = [...Array(64).keys()].filter((second) => isBadTokenByte(byteOf(first, second)));
      if (seconds.length === 0) continue;
      const key = charClass(seconds);
      bySeconds.set(key, [...(bySeconds.get(key) ?? []), first]);
    }
    const pairs = [...bySeconds].map(([seconds, firsts]) => `${charClass(firsts)}${seconds}`).join('|');
    return `${BASE64_CHAR.repeat(place)}(?:${pairs})`;
  });
  return `^(?:${BASE64_CHAR}{4})*(?:${alternatives.join('|')})`;
}

/** A regex character class of base64 characters by their 6-bit values, with ranges where they run on. */
function charClass(values: readonly number[]): string {
  const chars = values.map((v) => ALPHABET[v] ?? '');
  const runs: string[] = [];
  for (let i = 0; i < chars.length; ) {
    let j = i;
    while (j + 1 < chars.length && (chars[j + 1] ?? '').charCodeAt(0) === (chars[j] ?? '').charCodeAt(0) + 1) j++;
    runs.push(j - i >= 2 ? `${chars[i]}-${chars[j]}` : chars.slice(i, j + 1).join(''));
    i = j + 1;
  }
  const body = runs.join('');
  return body.length === 1 ? body : `[${body}]`;
}

// ---------------------------------------------------------------------------------------------------------
// Workloads

export const WORKLOAD_RESOURCES = [
  { apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] },
  { apiGroups: ['apps'], apiVersions: ['v1'], resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'] },
  { apiGroups: ['batch'], apiVersions: ['v1'], resources: ['cronjobs', 'jobs'] },
] as const;

export const DAEMONSET_RESOURCES = [{ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['daemonsets'] }] as const;

/** `has()` on every step of a field path, so a missing parent is false instead of an error. */
export function hasPath(root: string, fields: readonly string[]): string {
  return fields.map((_, i) => `has(${[root, ...fields.slice(0, i + 1)].join('.')})`).join(' && ');
}

/** Where each workload kind keeps its pod template (src/kube-model/pod-template.ts); the Pod is its own template. */
const TEMPLATE_PATHS = { pod: [], cronJob: ['spec', 'jobTemplate', 'spec', 'template'], other: ['spec', 'template'] } as const;

/** A CEL value per workload kind: `choose(path)` gets the pod template's field path from the object. */
function byKind(choose: (path: readonly string[]) => string): string {
  return (
    `(request.kind.kind == 'Pod' ? ${choose(TEMPLATE_PATHS.pod)}` +
    ` : request.kind.kind == 'CronJob' ? ${choose(TEMPLATE_PATHS.cronJob)} : ${choose(TEMPLATE_PATHS.other)})`
  );
}

const OBJECT_LABEL = `(has(object.metadata.labels) && '${COMPONENT_LABEL}' in object.metadata.labels ? object.metadata.labels['${COMPONENT_LABEL}'] : '')`;

/**
 * The component label as detectComponent reads it: the pod template's, else the workload's. Only the label
 * is read here: a workload the engine recognises by its image or environment is left to the webhook.
 */
const COMPONENT_LABEL_VALUE = byKind((path) => {
  const labels = ['object', ...path, 'metadata', 'labels'].join('.');
  return `(${hasPath('object', [...path, 'metadata', 'labels'])} && '${COMPONENT_LABEL}' in ${labels} ? ${labels}['${COMPONENT_LABEL}'] : ${OBJECT_LABEL})`;
});

/** Match condition: the workload carries the component label with one of the given values. */
export function labelledComponent(values: readonly string[]): { name: string; expression: string } {
  return { name: 'datadog-component', expression: `${COMPONENT_LABEL_VALUE} in ${celList(values)}` };
}

const POD_SPEC = byKind((path) => `(${hasPath('object', [...path, 'spec'])} ? dyn(${['object', ...path, 'spec'].join('.')}) : dyn({}))`);

/** Variables every workload form uses: the pod spec and its containers, init containers first. */
export const WORKLOAD_VARIABLES = [
  { name: 'podSpec', expression: POD_SPEC },
  { name: 'initContainers', expression: 'has(variables.podSpec.initContainers) ? variables.podSpec.initContainers : []' },
  { name: 'containers', expression: 'has(variables.podSpec.containers) ? variables.podSpec.containers : []' },
] as const;

/** The entries of container `c`'s env named `name` (the last one is the one that counts). */
function entries(c: string, name: string): string {
  return `${c}.env.filter(e, has(e.name) && e.name == ${celString(name)})`;
}

/** Container `c`'s last `env` entry named `name`; only valid after `hasEnv(c, name)`. */
export function lastEnv(c: string, name: string): string {
  return `${entries(c, name)}[size(${entries(c, name)}) - 1]`;
}

/** Whether container `c` has an `env` entry named `name`. */
export function hasEnv(c: string, name: string): string {
  return `(has(${c}.env) && ${c}.env.exists(e, has(e.name) && e.name == ${celString(name)}))`;
}

/**
 * Whether container `c` has an `env` entry named `name` and its last one satisfies `test` (over the entry
 * `entry`). The entry is bound by a one-element `exists`, since has() takes a field of a name, not of an index.
 */
export function lastEnvSatisfies(c: string, name: string, test: (entry: string) => string): string {
  return `(${hasEnv(c, name)} && [${lastEnv(c, name)}].exists(entry, ${test('entry')}))`;
}

/**
 * Whether container `c` sets `name` to a non-empty literal that the kubelet passes through unchanged: no
 * `valueFrom`, and no `$` (a `$(VAR)` reference or `$$` escape is expanded, which the webhook follows and the
 * policy leaves to it).
 */
export function hasPlainLiteral(c: string, name: string): string {
  return lastEnvSatisfies(c, name, (e) => `!has(${e}.valueFrom) && has(${e}.value) && ${e}.value != '' && !${e}.value.contains('$')`);
}

/** The literal of `hasPlainLiteral(c, name)`. */
export function plainLiteral(c: string, name: string): string {
  return `${lastEnv(c, name)}.value`;
}
