import type { KubeObject } from '../../src/k8s/types.js';
import type { AdmissionReview } from '../../src/webhook/admission.js';
import type { World } from '../../src/world/world.js';
import type { PreparedWorld, WorldProvider } from '../../src/webhook/world-provider.js';

const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding', 'Namespace', 'CustomResourceDefinition', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService', 'PriorityClass']);

/** An AdmissionReview (v1) as the API server sends it for `object`, built without ../shared's captured reviews. */
export function admissionReview(operation: 'CREATE' | 'UPDATE' | 'DELETE', object: KubeObject, defaultNamespace: string, oldObject?: KubeObject): AdmissionReview {
  const apiVersion = object.apiVersion ?? 'v1';
  const [group, version] = apiVersion.includes('/') ? (apiVersion.split('/') as [string, string]) : ['', apiVersion];
  const kind = object.kind ?? '';
  const namespaced = !CLUSTER_SCOPED.has(kind);
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `uid-${operation}-${kind}-${object.metadata?.name ?? ''}-${Math.random().toString(16).slice(2)}`,
      kind: { group, version, kind },
      resource: { group, version, resource: `${kind.toLowerCase()}s` },
      name: object.metadata?.name ?? '',
      ...(namespaced ? { namespace: object.metadata?.namespace || defaultNamespace } : {}),
      operation,
      userInfo: { username: 'kubernetes-admin', groups: ['system:masters'] },
      object: operation === 'DELETE' ? null : object,
      oldObject: operation === 'CREATE' ? null : (oldObject ?? object),
      dryRun: false,
    },
  } as AdmissionReview;
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
