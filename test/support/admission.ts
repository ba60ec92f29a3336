// AdmissionReviews built the way a kube-apiserver sends them (admission.k8s.io/v1): kind and resource with
// their group and version, requestKind/requestResource, userInfo, the object after defaulting (uid,
// creationTimestamp, managedFields), `oldObject: null` on CREATE, `object: null` on DELETE, and the
// Create/Update/DeleteOptions of the operation with `dryRun: ["All"]` for `--dry-run=server`.
import { randomUUID } from 'node:crypto';
import type { KubeObject, ObjectMeta } from '../../src/kube-model/types.js';
import { isClusterScoped } from '../../src/kube-model/kinds.js';
import type { AdmissionRequest, AdmissionReview } from '../../src/kube-model/admission-review.js';
import type { PreparedWorld, WorldProvider } from '../../src/world/world-provider.js';
import type { World } from '../../src/kube-model/world.js';

/** What `kubectl apply` as a cluster admin is seen as. */
export const ADMIN = { username: 'kubernetes-admin', uid: 'admin-uid', groups: ['system:masters', 'system:authenticated'] };

function groupVersion(apiVersion: string | undefined): { group: string; version: string } {
  const [first = '', second] = (apiVersion ?? 'v1').split('/');
  return second === undefined ? { group: '', version: first } : { group: first, version: second };
}

/** The plural resource of a kind, as discovery names it for every kind the tests send. */
export function resourceOf(kind: string): string {
  const lower = kind.toLowerCase();
  return lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : `${lower}s`;
}

const OPTIONS_KIND = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions' } as const;

function optionsFor(operation: AdmissionRequest['operation'], dryRun: boolean): Record<string, unknown> | null {
  if (operation === 'CONNECT') return null;
  const options: Record<string, unknown> = { kind: OPTIONS_KIND[operation], apiVersion: 'meta.k8s.io/v1' };
  if (dryRun) options['dryRun'] = ['All'];
  if (operation === 'DELETE') options['propagationPolicy'] = 'Background';
  else Object.assign(options, { fieldManager: 'kubectl-client-side-apply', fieldValidation: 'Strict' });
  return options;
}

/** The object as it reaches a webhook after the API server defaulted it: uid, creationTimestamp, managedFields. */
export function admitted(object: KubeObject): KubeObject {
  const metadata: ObjectMeta & Record<string, unknown> = {
    uid: randomUUID(),
    creationTimestamp: '2026-11-29T06:00:00Z',
    managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: object.apiVersion ?? 'v1', time: '2026-11-29T06:00:00Z', fieldsType: 'FieldsV1', fieldsV1: {} }],
    ...object.metadata,
  };
  return { ...object, metadata };
}

/**
 * A review of `object` (the old object on DELETE). `changes` are request fields set last, as the tests need
 * them (an operation, a subresource, a user, dryRun); the options follow the final operation and dryRun.
 */
export function reviewOf(object: KubeObject, changes: Partial<AdmissionRequest> = {}): AdmissionReview {
  const operation = changes.operation ?? 'CREATE';
  const { group, version } = groupVersion(object.apiVersion);
  const kind = { group, version, kind: object.kind ?? '' };
  const resource = { group, version, resource: resourceOf(object.kind ?? '') };
  const request: AdmissionRequest & Record<string, unknown> = {
    uid: randomUUID(),
    kind,
    resource,
    requestKind: kind,
    requestResource: resource,
    name: object.metadata?.name ?? '',
    operation,
    userInfo: ADMIN,
    object: operation === 'DELETE' ? null : object,
    oldObject: operation === 'DELETE' ? object : null,
    dryRun: false,
  };
  if (object.metadata?.namespace) request.namespace = object.metadata.namespace;
  Object.assign(request, changes);
  request.options = optionsFor(request.operation, request.dryRun === true);
  return { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1', request };
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

/** An ordinary application Secret, as `kubectl apply` of a stringData manifest leaves it. */
export function appSecret(): KubeObject {
  const applied = { apiVersion: 'v1', kind: 'Secret', metadata: { annotations: {}, labels: { app: 'shop' }, name: 'shop-db', namespace: 'default' }, stringData: { password: 'not-a-token' }, type: 'Opaque' };
  return admitted({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: 'shop-db',
      namespace: 'default',
      labels: { app: 'shop' },
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(applied)}\n` },
    },
    data: { password: b64('not-a-token') },
    type: 'Opaque',
  });
}

/** An ordinary application Deployment after defaulting. */
export function appDeployment(): KubeObject {
  return admitted({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'shop', namespace: 'default', labels: { app: 'shop' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'shop' } },
      template: {
        metadata: { labels: { app: 'shop' } },
        spec: {
          containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: {}, imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
          restartPolicy: 'Always',
          dnsPolicy: 'ClusterFirst',
          schedulerName: 'default-scheduler',
          securityContext: {},
          terminationGracePeriodSeconds: 30,
        },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {},
  });
}

/** A ConfigMap, none of ddguard's business. */
export function appConfigMap(): KubeObject {
  return admitted({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop-settings', namespace: 'default' }, data: { mode: 'fast' } });
}

/** Cluster-scoped kinds an install carries that ddguard's kinds table does not know. */
const OTHER_CLUSTER_SCOPED = new Set(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService', 'PriorityClass']);

/**
 * A review of one step of an install or uninstall: a namespaced object written without a namespace lands in
 * `defaultNamespace`, as `kubectl apply -n` and Helm place it; UPDATE and DELETE carry the old object.
 */
export function admissionReview(operation: 'CREATE' | 'UPDATE' | 'DELETE', object: KubeObject, defaultNamespace: string, oldObject?: KubeObject): AdmissionReview {
  const placed = isClusterScoped(object.kind) || OTHER_CLUSTER_SCOPED.has(object.kind ?? '') || object.metadata?.namespace
    ? object
    : { ...object, metadata: { ...object.metadata, namespace: defaultNamespace } };
  return reviewOf(placed, {
    operation,
    object: operation === 'DELETE' ? null : placed,
    oldObject: operation === 'CREATE' ? null : (oldObject ?? placed),
  });
}

/** A provider whose world the test replaces between reviews: the cluster as each request finds it. */
export class SwitchableWorldProvider implements WorldProvider {
  constructor(public world: World) {}
  prepare(): PreparedWorld {
    return { world: this.world, lookupFailures: [] };
  }
  ready(): boolean {
    return true;
  }
}
