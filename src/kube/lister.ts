import { KubernetesObjectApi, type KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../k8s/types.js';
import { statusOf, toKubeError } from './errors.js';

export interface ListedKind {
  apiVersion: string;
  kind: string;
  /** Plural with group, for messages: `clusterroles.rbac.authorization.k8s.io`. */
  resource: string;
  namespaced: boolean;
  /** A CRD that may not be installed: a 404 means "none", not an error. */
  optional?: boolean;
}

export const AUDITED_KINDS: readonly ListedKind[] = [
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', resource: 'clusterroles.rbac.authorization.k8s.io', namespaced: false },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', resource: 'clusterrolebindings.rbac.authorization.k8s.io', namespaced: false },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', resource: 'roles.rbac.authorization.k8s.io', namespaced: true },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', resource: 'rolebindings.rbac.authorization.k8s.io', namespaced: true },
  { apiVersion: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'Deployment', resource: 'deployments.apps', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'DaemonSet', resource: 'daemonsets.apps', namespaced: true },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', resource: 'statefulsets.apps', namespaced: true },
  { apiVersion: 'datadoghq.com/v2alpha1', kind: 'DatadogAgent', resource: 'datadogagents.datadoghq.com', namespaced: true, optional: true },
];

export interface ListOptions {
  /** Objects per page; default 500. */
  pageSize?: number;
  /** Called after each page with the running count, for a progress line. */
  onPage?: (kind: string, count: number) => void;
}

/**
 * Lists one kind page by page (limit/continue) and hands each item to `onItem`, so only one page is held
 * at a time. List items carry no kind/apiVersion; they are set here so the rest of ddguard can rely on them.
 * Returns the number of items, or 0 for an optional kind whose CRD is not installed.
 */
export async function listEach(
  kc: KubeConfig,
  listed: ListedKind,
  namespace: string | undefined,
  onItem: (object: KubeObject) => void,
  options: ListOptions = {},
): Promise<number> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const limit = options.pageSize ?? 500;
  let next: string | undefined;
  let count = 0;
  do {
    let page;
    try {
      page = await api.list(listed.apiVersion, listed.kind, listed.namespaced ? namespace : undefined, undefined, undefined, undefined, undefined, undefined, limit, next);
    } catch (error: unknown) {
      if (listed.optional && isNotInstalled(error)) return 0;
      const what = { verb: 'list', resource: listed.resource, server: kc.getCurrentCluster()?.server ?? '' };
      throw toKubeError(error, namespace !== undefined && listed.namespaced ? { ...what, namespace } : what);
    }
    for (const item of page.items) {
      onItem({ ...(item as KubeObject), apiVersion: listed.apiVersion, kind: listed.kind });
      count++;
    }
    options.onPage?.(listed.kind, count);
    next = page.metadata?._continue || undefined;
  } while (next);
  return count;
}

/** A 404 on the list, or discovery not knowing the kind: the CRD is not installed. */
function isNotInstalled(error: unknown): boolean {
  if (statusOf(error)?.code === 404) return true;
  const message = error instanceof Error ? error.message : '';
  return /Unrecognized API version and kind|resource .* not found|could not find/i.test(message);
}
