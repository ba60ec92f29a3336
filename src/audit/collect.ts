import type { KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../kube-model/types.js';
import { keepForRules, mayKeepOf, rbacNamespaces, referencedObjects } from '../kube-client/footprint.js';
import { CLUSTER_WIDE_KINDS, DATADOG_NAMESPACE_KINDS, listPages, type ListedKind, type ListOptions } from '../kube-client/lister.js';
import { ReferenceReader, refKey } from '../kube-client/references.js';
import { KubeError } from '../kube-client/errors.js';
import { ClusterWorld } from '../world/cluster-world.js';
import { ObjectStore } from '../world/store.js';
import type { Lookup } from '../kube-model/world.js';

export interface CollectOptions extends ListOptions {
  /** Only these namespaces (cluster-scoped RBAC is always read); empty or absent means all. */
  namespaces?: readonly string[];
}

export interface Collected {
  store: ObjectStore;
  /** The store plus the Secrets and ConfigMaps read: the same world the webhook judges in. */
  world: ClusterWorld;
  /** Secrets and ConfigMaps read by `get`; judged as objects too (a token Secret is one). */
  referenced: KubeObject[];
  /** `Kind namespace/name` of references looked for and not found (some are default names that may be unused). */
  missing: string[];
}

/**
 * `ddguard audit`: the same read as the webhook's live world (src/world/live.ts), once, without watching:
 * the kinds of AUDITED_KINDS listed page by page, kept by the same rule (src/kube-client/footprint.ts: only
 * Datadog's workloads, trimmed; Roles, RoleBindings and ServiceAccounts only where Datadog runs), then every
 * referenced Secret and ConfigMap read by `get`.
 */
export async function collectCluster(kc: KubeConfig, options: CollectOptions = {}): Promise<Collected> {
  const store = new ObjectStore('default');
  const chosen = options.namespaces?.length ? options.namespaces : undefined;
  const listInto = async (listed: ListedKind, namespaces: readonly (string | undefined)[]) => {
    const mayKeep = mayKeepOf(listed);
    for (const namespace of listed.namespaced ? namespaces : [undefined]) {
      await listPages(kc, listed, namespace, (object) => {
        const kept = keepForRules(listed, object, store.defaultNamespace);
        if (kept) store.upsert(kept);
      }, mayKeep ? { ...options, mayKeep } : options);
    }
  };
  for (const listed of CLUSTER_WIDE_KINDS) await listInto(listed, chosen ?? [undefined]);
  // Then Roles, RoleBindings and ServiceAccounts where Datadog runs (or in the namespaces asked for), as the
  // webhook's live world reads them.
  const rbac = chosen ?? rbacNamespaces(store.datadogNamespaces());
  for (const listed of DATADOG_NAMESPACE_KINDS) await listInto(listed, rbac);
  const reader = new ReferenceReader(kc);
  const read = new Map<string, Lookup<KubeObject>>();
  const referenced: KubeObject[] = [];
  const missing: string[] = [];
  for (const ref of referencedObjects(store.datadogWorkloads(), store.defaultNamespace)) {
    const lookup = await reader.get(ref);
    read.set(refKey(ref), lookup);
    if (lookup.state === 'found') referenced.push(lookup.value);
    else if (lookup.state === 'absent') missing.push(`${ref.kind} ${ref.namespace}/${ref.name}`);
    else throw new KubeError(/permission missing/.test(lookup.reason) ? 'DDG_KUBE_FORBIDDEN' : 'DDG_KUBE_API', lookup.reason);
  }
  return { store, world: new ClusterWorld(store, read), referenced, missing };
}
