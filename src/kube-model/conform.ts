import type { KubeObject } from './types.js';
import { isRecord } from './types.js';
import { pointerOf } from './json-pointer.js';

/**
 * The type Kubernetes gives each field ddguard reads. An AdmissionReview's object passes the review schema with
 * any content: a custom resource or a direct client can send `image: 42` or `metadata: "x"`, which the
 * rules' typed accessors would trip over. A field of the wrong type is left out before judging and reported,
 * so it is judged as unknown (a warning at most) while every other field is judged as usual.
 */
type Shape =
  | 'string'
  | 'boolean'
  | 'number'
  | 'intOrString'
  | 'stringMap'
  | 'strings'
  | { fields: Readonly<Record<string, Shape>> }
  | { items: Shape }
  | { values: Shape };

const S = 'string' as const;
const B = 'boolean' as const;
const obj = (fields: Record<string, Shape>): Shape => ({ fields });
const list = (items: Shape): Shape => ({ items });

const KEY_REF = obj({ name: S, key: S, optional: B });
const ENV_VAR = obj({
  name: S,
  value: S,
  valueFrom: obj({
    secretKeyRef: KEY_REF,
    configMapKeyRef: KEY_REF,
    fieldRef: obj({ fieldPath: S, apiVersion: S }),
    resourceFieldRef: obj({ resource: S, containerName: S }),
  }),
});
const ENV = list(ENV_VAR);
const NAME_REF = obj({ name: S, optional: B });
const PROBE = obj({
  tcpSocket: obj({ port: 'intOrString', host: S }),
  httpGet: obj({ port: 'intOrString', path: S, scheme: S, host: S }),
  grpc: obj({ port: 'number' }),
  exec: obj({ command: 'strings' }),
});
const CONTAINER = obj({
  name: S,
  image: S,
  command: 'strings',
  args: 'strings',
  env: ENV,
  envFrom: list(obj({ prefix: S, secretRef: NAME_REF, configMapRef: NAME_REF })),
  ports: list(obj({ name: S, containerPort: 'number', hostPort: 'number', protocol: S })),
  livenessProbe: PROBE,
  readinessProbe: PROBE,
  startupProbe: PROBE,
  volumeMounts: list(obj({ name: S, mountPath: S, subPath: S, readOnly: B })),
});
const KEY_TO_PATH = list(obj({ key: S, path: S }));
const POD_SPEC = obj({
  containers: list(CONTAINER),
  initContainers: list(CONTAINER),
  ephemeralContainers: list(CONTAINER),
  serviceAccountName: S,
  serviceAccount: S,
  automountServiceAccountToken: B,
  hostNetwork: B,
  enableServiceLinks: B,
  nodeName: S,
  volumes: list(
    obj({
      name: S,
      secret: obj({ secretName: S, items: KEY_TO_PATH, optional: B }),
      configMap: obj({ name: S, items: KEY_TO_PATH, optional: B }),
      hostPath: obj({ path: S, type: S }),
      projected: obj({
        sources: list(obj({ secret: obj({ name: S, items: KEY_TO_PATH }), configMap: obj({ name: S, items: KEY_TO_PATH }) })),
      }),
    }),
  ),
});
const METADATA = obj({
  name: S,
  generateName: S,
  namespace: S,
  uid: S,
  resourceVersion: S,
  deletionTimestamp: S,
  labels: 'stringMap',
  annotations: 'stringMap',
  ownerReferences: list(obj({ apiVersion: S, kind: S, name: S, uid: S, controller: B })),
});
const TEMPLATE = obj({ metadata: METADATA, spec: POD_SPEC });
const WORKLOAD_SPEC = obj({ template: TEMPLATE, selector: obj({ matchLabels: 'stringMap' }) });
const RBAC_RULES = list(obj({ apiGroups: 'strings', resources: 'strings', verbs: 'strings', resourceNames: 'strings', nonResourceURLs: 'strings' }));
const SUBJECTS = list(obj({ kind: S, name: S, namespace: S, apiGroup: S }));
const ROLE_REF = obj({ apiGroup: S, kind: S, name: S });
const SECRET_KEY = obj({ secretName: S, keyName: S });
const COMPONENT_OVERRIDE = obj({
  env: ENV,
  containers: { values: obj({ env: ENV }) },
  image: obj({ name: S, tag: S }),
  serviceAccountName: S,
});

/** Fields every object has, and the ones each kind adds. */
const COMMON: Record<string, Shape> = { apiVersion: S, kind: S, metadata: METADATA };
const BY_KIND: Readonly<Record<string, Record<string, Shape>>> = {
  Secret: { data: 'stringMap', stringData: 'stringMap', type: S },
  ConfigMap: { data: 'stringMap', binaryData: 'stringMap' },
  Pod: { spec: POD_SPEC },
  Deployment: { spec: WORKLOAD_SPEC },
  DaemonSet: { spec: WORKLOAD_SPEC },
  StatefulSet: { spec: WORKLOAD_SPEC },
  ReplicaSet: { spec: WORKLOAD_SPEC },
  Job: { spec: WORKLOAD_SPEC },
  CronJob: { spec: obj({ jobTemplate: obj({ metadata: METADATA, spec: WORKLOAD_SPEC }) }) },
  ClusterRole: { rules: RBAC_RULES, aggregationRule: obj({ clusterRoleSelectors: list(obj({ matchLabels: 'stringMap' })) }) },
  Role: { rules: RBAC_RULES },
  ClusterRoleBinding: { roleRef: ROLE_REF, subjects: SUBJECTS },
  RoleBinding: { roleRef: ROLE_REF, subjects: SUBJECTS },
  ServiceAccount: { automountServiceAccountToken: B, secrets: list(obj({ name: S })) },
  DatadogAgent: {
    spec: obj({
      global: obj({
        clusterName: S,
        site: S,
        clusterAgentToken: S,
        clusterAgentTokenSecret: SECRET_KEY,
        credentials: obj({ apiKey: S, appKey: S, apiSecret: SECRET_KEY, appSecret: SECRET_KEY }),
        kubelet: obj({ host: obj({ fieldRef: obj({ fieldPath: S }) }), tlsVerify: B }),
      }),
      override: { values: COMPONENT_OVERRIDE },
    }),
  },
};

/** A field left out because its type is not the one Kubernetes gives it. */
export interface NonconformingField {
  /** JSON pointer into the object. */
  path: string;
  expected: string;
  found: string;
}

/**
 * The object with every field of the wrong type left out (copied where it changes; the input is not touched),
 * and those fields. Only the fields ddguard reads are checked; everything else is passed through as sent.
 */
export function conformObject(object: KubeObject): { object: KubeObject; nonconforming: NonconformingField[] } {
  const nonconforming: NonconformingField[] = [];
  const kind = typeof object.kind === 'string' ? object.kind : '';
  const conformed = conform(object, KIND_SHAPES.get(kind) ?? COMMON_SHAPE, undefined, nonconforming) as KubeObject;
  return { object: conformed, nonconforming };
}

const COMMON_SHAPE: Shape = { fields: COMMON };
const KIND_SHAPES = new Map<string, Shape>(Object.entries(BY_KIND).map(([kind, fields]) => [kind, { fields: { ...COMMON, ...fields } }]));

/**
 * Where a field is, as the chain of its parents: the JSON pointer is only spelled out for a field that is
 * rejected, so a review whose fields all conform builds no path strings (this runs on every admission).
 */
interface Place {
  readonly parent: Place | undefined;
  readonly segment: string | number;
}

function pointerAt(place: Place | undefined): string {
  const segments: (string | number)[] = [];
  for (let at = place; at; at = at.parent) segments.push(at.segment);
  return pointerOf(segments.reverse());
}

/** Each field shape's entries, listed once rather than on every object it checks. */
const fieldEntries = new WeakMap<Readonly<Record<string, Shape>>, readonly [string, Shape][]>();
function entriesOf(fields: Readonly<Record<string, Shape>>): readonly [string, Shape][] {
  let entries = fieldEntries.get(fields);
  if (!entries) fieldEntries.set(fields, (entries = Object.entries(fields)));
  return entries;
}

const DROP = Symbol('drop');

function conform(value: unknown, shape: Shape, place: Place | undefined, out: NonconformingField[]): unknown {
  // null is how YAML and JSON write "not set", which is what every reader takes it for.
  if (value === null) return DROP;
  if (typeof shape === 'string') return conformScalar(value, shape, place, out);
  if ('items' in shape) return conformList(value, shape.items, place, out);
  if (!isRecord(value)) return reject(value, 'an object', place, out);
  const record = value;
  let copy: Record<string, unknown> | undefined;
  const check = (key: string, fieldShape: Shape) => {
    const field = record[key];
    if (field === undefined) return;
    const next = conform(field, fieldShape, { parent: place, segment: key }, out);
    if (next === field) return;
    copy ??= { ...record };
    if (next === DROP) delete copy[key];
    else copy[key] = next;
  };
  if ('fields' in shape) {
    for (const [key, fieldShape] of entriesOf(shape.fields)) if (Object.hasOwn(record, key)) check(key, fieldShape);
  } else {
    for (const key of Object.keys(record)) check(key, shape.values);
  }
  return copy ?? record;
}

function conformList(value: unknown, itemShape: Shape, place: Place | undefined, out: NonconformingField[]): unknown {
  if (!Array.isArray(value)) return reject(value, 'a list', place, out);
  const items = value as unknown[];
  let copy: unknown[] | undefined;
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    const next = conform(item, itemShape, { parent: place, segment: index }, out);
    // A list item of the wrong type becomes an empty item: later items keep their index (and their paths).
    const replaced = next === DROP ? {} : next;
    if (replaced !== item) (copy ??= [...items])[index] = replaced;
  }
  return copy ?? items;
}

function conformScalar(value: unknown, shape: Exclude<Shape, object>, place: Place | undefined, out: NonconformingField[]): unknown {
  switch (shape) {
    case 'string':
    case 'boolean':
    case 'number':
      return typeof value === shape ? value : reject(value, `a ${shape}`, place, out);
    case 'intOrString':
      return typeof value === 'string' || Number.isInteger(value) ? value : reject(value, 'an integer or a string', place, out);
    case 'stringMap':
    case 'strings':
      return conformStrings(value, shape === 'strings', place, out);
  }
}

/** A list or map of strings: the wrong container is dropped whole, wrong members one by one. */
function conformStrings(value: unknown, isList: boolean, place: Place | undefined, out: NonconformingField[]): unknown {
  if (isList ? !Array.isArray(value) : !isRecord(value)) return reject(value, isList ? 'a list of strings' : 'a map of strings', place, out);
  const members = value as Record<string, unknown>;
  let allStrings = true;
  for (const key in members) if (typeof members[key] !== 'string') allStrings = false;
  if (allStrings) return value;
  const entries = Object.entries(members);
  for (const [key, v] of entries) if (typeof v !== 'string') reject(v, 'a string', { parent: place, segment: key }, out);
  return isList ? (value as unknown[]).filter((v) => typeof v === 'string') : Object.fromEntries(entries.filter(([, v]) => typeof v === 'string'));
}

function reject(value: unknown, expected: string, place: Place | undefined, out: NonconformingField[]): typeof DROP {
  out.push({ path: pointerAt(place), expected, found: value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}` });
  return DROP;
}
