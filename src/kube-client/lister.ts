import { KubernetesObjectApi, type Configuration, type KubeConfig, type KubernetesObject, type ResponseContext, type V1APIResource } from '@kubernetes/client-node';
import type { KubeObject } from '../kube-model/types.js';
import { apiVersionOf, KINDS, qualifiedResourceOf, type TargetKind } from '../kube-model/kinds.js';
import { statusOf, toKubeError } from './errors.js';
import { readListPage, type Page } from './list-page.js';

export interface ListedKind {
  apiVersion: string;
  kind: string;
  /** Plural with group, for messages: `clusterroles.rbac.authorization.k8s.io`. */
  resource: string;
  namespaced: boolean;
  /** A CRD that may not be installed: a 404 means "none", not an error. */
  optional?: boolean;
  /** Only the Datadog workloads of this kind are kept; the others are read a page at a time and dropped. */
  datadogOnly?: boolean;
  /** Read only in the namespaces Datadog runs in and those its catalogue names (footprint.ts: rbacNamespaces). */
  inDatadogNamespaces?: boolean;
}

/** The kinds read from the cluster; Secrets and ConfigMaps are read one by one, as Datadog's objects name them. */
const LISTED: readonly { kind: TargetKind; datadogOnly?: true; inDatadogNamespaces?: true }[] = [
  { kind: 'ClusterRole' },
  { kind: 'ClusterRoleBinding' },
  { kind: 'Role', inDatadogNamespaces: true },
  { kind: 'RoleBinding', inDatadogNamespaces: true },
  { kind: 'ServiceAccount', inDatadogNamespaces: true },
  { kind: 'Deployment', datadogOnly: true },
  { kind: 'DaemonSet', datadogOnly: true },
  { kind: 'StatefulSet', datadogOnly: true },
  { kind: 'DatadogAgent' },
];

/** What the webhook's live world, `serve --audit-interval` and `ddguard audit` all read: one list, one reader. */
export const AUDITED_KINDS: readonly ListedKind[] = LISTED.map(({ kind, datadogOnly, inDatadogNamespaces }) => {
  const info = KINDS[kind];
  const listed: ListedKind = { apiVersion: apiVersionOf(info), kind, resource: qualifiedResourceOf(info), namespaced: info.scope === 'Namespaced' };
  if (info.optionalCrd) listed.optional = true;
  if (datadogOnly) listed.datadogOnly = true;
  if (inDatadogNamespaces) listed.inDatadogNamespaces = true;
  return listed;
});

/** Read cluster-wide: ClusterRoles and their bindings, workloads (Datadog's kept), DatadogAgents. */
export const CLUSTER_WIDE_KINDS: readonly ListedKind[] = AUDITED_KINDS.filter((listed) => !listed.inDatadogNamespaces);
/** Read per namespace, in Datadog's namespaces only (footprint.ts: rbacNamespaces). */
export const DATADOG_NAMESPACE_KINDS: readonly ListedKind[] = AUDITED_KINDS.filter((listed) => listed.inDatadogNamespaces);

/** The REST path of a kind's collection, cluster-wide or in one namespace. */
export function collectionPath(listed: ListedKind, namespace?: string): string {
  const plural = listed.resource.split('.')[0] ?? '';
  const base = listed.apiVersion.includes('/') ? `/apis/${listed.apiVersion}` : `/api/${listed.apiVersion}`;
  return listed.namespaced && namespace !== undefined ? `${base}/namespaces/${encodeURIComponent(namespace)}/${plural}` : `${base}/${plural}`;
}

export interface ListOptions {
  /** Objects per page; default 500. */
  pageSize?: number;
  /** Called after each page with the running count, for a progress line. */
  onPage?: (kind: string, count: number) => void;
  /**
   * A test on an item's JSON bytes that accepts every item the caller may keep: an item it rejects is counted
   * but neither parsed nor handed to `onItem` (list-page.ts). For kinds of which only Datadog's are kept.
   */
  mayKeep?: (item: Buffer) => boolean;
}

export interface ListResult {
  /** The list's resourceVersion: a watch started from it misses nothing. Empty when not installed. */
  resourceVersion: string;
  count: number;
  /** An optional kind whose CRD is not installed. */
  notInstalled: boolean;
}

/**
 * Lists one kind page by page (limit/continue) and hands each item to `onItem`, so only one page is held
 * at a time. List items carry no kind/apiVersion; they are set here so the rest of ddguard can rely on them.
 * A continue token that expired (410) restarts the list from the first page, after `onRestart`, as the API
 * server asks: the pages read so far are not consistent with what follows.
 */
export async function listPages(
  kc: KubeConfig,
  listed: ListedKind,
  namespace: string | undefined,
  onItem: (object: KubeObject) => void,
  options: ListOptions & { onRestart?: () => void } = {},
): Promise<ListResult> {
  const api = PlainListApi.of(kc);
  const limit = options.pageSize ?? 500;
  let next: string | undefined;
  let count = 0;
  let resourceVersion = '';
  for (;;) {
    const outcome = await fetchPage(api, kc, listed, namespace, limit, next, options.mayKeep);
    if (outcome === 'not-installed') return { resourceVersion: '', count: 0, notInstalled: true };
    if (outcome === 'restart') {
      options.onRestart?.();
      next = undefined;
      count = 0;
      continue;
    }
    for (const item of outcome.items) onItem({ ...item, apiVersion: listed.apiVersion, kind: listed.kind });
    count += outcome.total;
    options.onPage?.(listed.kind, count);
    resourceVersion = outcome.metadata?.resourceVersion ?? resourceVersion;
    next = outcome.metadata?.continue || undefined;
    if (next === undefined) return { resourceVersion, count, notInstalled: false };
  }
}

/**
 * client-node's object API, answering a list with its bytes as sent. The generated client turns each item into
 * its typed model (a V1Deployment, dates as Date), which took twice as long as parsing the page, and ddguard
 * reads objects as the API server's JSON anyway (src/kube-model); the bytes let list-page.ts parse only the
 * items that may be kept. Everything else (authentication, TLS, discovery, errors) is client-node's.
 */
class PlainListApi extends KubernetesObjectApi {
  private static readonly clients = new WeakMap<KubeConfig, PlainListApi>();

  /**
   * One client per KubeConfig, so its discovery (one GET per API group version) is done once, not before every
   * list: a relist after 410 Gone asked discovery again for each of its nine kinds. A CRD installed later is
   * still found: client-node asks again when the cached group version lacks the kind, and an absent group
   * version (404) is never cached.
   */
  static of(kc: KubeConfig): PlainListApi {
    let api = PlainListApi.clients.get(kc);
    if (!api) {
      api = kc.makeApiClient(PlainListApi);
      api.setDefaultNamespace(kc);
      PlainListApi.clients.set(kc, api);
    }
    return api;
  }

  /** Discovery in flight, by group version: the kinds of one group listed at once ask it once. */
  private readonly discovering = new Map<string, Promise<unknown>>();

  protected override async resource(apiVersion: string, kind: string, options?: Configuration): Promise<V1APIResource | undefined> {
    const inFlight = this.discovering.get(apiVersion);
    // After it, client-node's cache answers (or, for a kind the group version lacks, asks again).
    if (inFlight) await inFlight.catch(() => undefined);
    const answer = super.resource(apiVersion, kind, options);
    if (!inFlight) {
      this.discovering.set(apiVersion, answer);
      void answer.catch(() => undefined).finally(() => this.discovering.delete(apiVersion));
    }
    return answer;
  }

  protected override async processResponse<T extends KubernetesObject>(response: ResponseContext, type?: string): Promise<T> {
    // `list` asks for no type; discovery and errors go the usual way.
    if (type !== undefined || response.httpStatusCode < 200 || response.httpStatusCode > 299) return super.processResponse<T>(response, type);
    // The bytes as sent: fetchPage reads them (list-page.ts), parsing only what may be kept.
    const raw: RawList = { body: await response.body.binary() };
    return raw as unknown as T;
  }
}

interface RawList {
  body: Buffer;
}

/** One page; an expired continue token (410) means start again, a missing optional CRD means not installed. */
async function fetchPage(
  api: PlainListApi,
  kc: KubeConfig,
  listed: ListedKind,
  namespace: string | undefined,
  limit: number,
  next: string | undefined,
  mayKeep: ((item: Buffer) => boolean) | undefined,
): Promise<Page | 'restart' | 'not-installed'> {
  const scope = listed.namespaced ? namespace : undefined;
  let raw: RawList;
  try {
    // PlainListApi answers with the bytes as sent, whatever the client's declared type says.
    raw = (await api.list(listed.apiVersion, listed.kind, scope, undefined, undefined, undefined, undefined, undefined, limit, next)) as unknown as RawList;
  } catch (error: unknown) {
    if (listed.optional && isNotInstalled(error)) return 'not-installed';
    if (next !== undefined && statusOf(error)?.code === 410) return 'restart';
    throw listError(kc, listed, namespace, error);
  }
  try {
    return readListPage(raw.body, mayKeep);
  } catch (error: unknown) {
    throw listError(kc, listed, namespace, error);
  }
}

function listError(kc: KubeConfig, listed: ListedKind, namespace: string | undefined, error: unknown): Error {
  const what = { verb: 'list', resource: listed.resource, server: kc.getCurrentCluster()?.server ?? '' };
  return toKubeError(error, namespace !== undefined && listed.namespaced ? { ...what, namespace } : what);
}

/** A 404 on the list, or discovery not knowing the kind: the CRD is not installed. */
function isNotInstalled(error: unknown): boolean {
  if (statusOf(error)?.code === 404) return true;
  const message = error instanceof Error ? error.message : '';
  return /Unrecognized API version and kind|resource .* not found|could not find/i.test(message);
}
