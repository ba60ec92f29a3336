import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeObject } from '../kube-model/types.js';
import { keepForRules, mayKeepOf, rbacNamespaces, referencedObjects } from '../kube-client/footprint.js';
import { CLUSTER_WIDE_KINDS, DATADOG_NAMESPACE_KINDS, type ListedKind } from '../kube-client/lister.js';
import { Reflector, type ReflectorSink } from '../kube-client/reflector.js';
import { ReferenceReader, refKey, type ObjectRef } from '../kube-client/references.js';
import type { AdmissionRequest } from '../kube-model/admission-review.js';
import type { Deadline } from './deadline.js';
import type { PreparedWorld, WorldProvider } from './world-provider.js';
import { ClusterWorld } from './cluster-world.js';
import { ObjectStore } from './store.js';
import type { Lookup } from '../kube-model/world.js';

export interface LiveWorldOptions {
  logger?: Logger;
  /** How long a Secret or ConfigMap read is reused; default 10 s. */
  secretTtlMs?: number;
  /** First wait before retrying a failed list or watch; default 1 s, doubling up to 30 s. */
  restartMs?: number;
  /** Objects per list page; default 500. */
  pageSize?: number;
  /** Server-side watch timeout (randomised up to twice this); default 300 s. */
  watchTimeoutSeconds?: number;
}

/**
 * The live cluster for the webhook and `serve --audit-interval`: one list/watch loop per kind
 * (src/kube-client/reflector.ts) keeping only what the rules ask about (src/kube-client/footprint.ts) in one ObjectStore;
 * referenced Secrets and ConfigMaps read by `get` per review, within its deadline. Roles, RoleBindings and
 * ServiceAccounts are read by one loop per namespace Datadog runs in (footprint.ts: rbacNamespaces), started and
 * stopped as Datadog's workloads come and go.
 */
export class LiveWorldProvider implements WorldProvider {
  readonly store = new ObjectStore('default');
  /** The kinds read cluster-wide: ClusterRoles and their bindings, Datadog's workloads, DatadogAgents. */
  private readonly clusterWide: readonly Reflector[];
  /** By `kind/namespace`: the loops of the kinds read in Datadog's namespaces only. */
  private readonly inNamespaces = new Map<string, { reflector: Reflector; synced: Promise<void>; sink: NamespaceSink }>();
  private readonly reader: ReferenceReader;
  private references: { revision: number; refs: readonly ObjectRef[] } | undefined;
  private reconcileQueued = false;
  private stopped = false;
  /** Set once every loop did its first list: a namespace Datadog moves into later does not make it unready. */
  private readyOnce = false;

  constructor(
    readonly kc: KubeConfig,
    private readonly options: LiveWorldOptions = {},
  ) {
    this.reader = new ReferenceReader(kc, options.secretTtlMs === undefined ? {} : { ttlMs: options.secretTtlMs });
    this.clusterWide = CLUSTER_WIDE_KINDS.map((listed) => {
      const sink = storeSink(this.store, listed.kind, undefined);
      // A Datadog workload or DatadogAgent that appears, moves or goes may change which namespaces' RBAC is read.
      const definesNamespaces = listed.datadogOnly === true || listed.kind === 'DatadogAgent';
      return this.reflectorOf(listed, definesNamespaces ? watched(this.store, sink, () => this.queueReconcile()) : sink);
    });
  }

  /** Every list/watch loop running now. */
  get reflectors(): readonly Reflector[] {
    return [...this.clusterWide, ...[...this.inNamespaces.values()].map((entry) => entry.reflector)];
  }

  /** Starts every list/watch loop; resolves when each has done its first list (or found its CRD absent). */
  async start(): Promise<void> {
    await Promise.all(this.clusterWide.map((r) => r.start()));
    // Datadog's namespaces are known once its workloads are listed; then their RBAC is read.
    await this.reconcile();
    // A namespace's loop stopped before its first list (Datadog left it meanwhile) ends the wait too.
    if (!this.stopped) this.readyOnce = true;
  }

  stop(): Promise<void> {
    this.stopped = true;
    for (const r of this.reflectors) r.stop();
    return Promise.resolve();
  }

  /** Ready only once every first list reached the cache: a webhook with an empty cache must not say ready. */
  ready(): boolean {
    return this.readyOnce;
  }

  async prepare(request: AdmissionRequest, deadline: Deadline): Promise<PreparedWorld> {
    const refs = new Map(this.cachedReferences().map((ref) => [refKey(ref), ref]));
    // The object under review may reference Secrets and ConfigMaps no cached workload does yet.
    const incoming = request.object as KubeObject | undefined;
    if (incoming) {
      const namespace = incoming.metadata?.namespace || request.namespace || this.store.defaultNamespace;
      for (const ref of referencedObjects([{ ...incoming, metadata: { ...incoming.metadata, namespace } }], this.store.defaultNamespace)) refs.set(refKey(ref), ref);
    }
    const signal = deadline.signal();
    const read = new Map<string, Lookup<KubeObject>>();
    await Promise.all([...refs].map(async ([key, ref]) => void read.set(key, await this.reader.get(ref, signal))));
    const lookupFailures: string[] = [];
    for (const lookup of read.values()) if (lookup.state === 'unknown') lookupFailures.push(lookup.reason);
    if (lookupFailures.length) this.options.logger?.warn({ failures: lookupFailures.length }, 'Secret or ConfigMap lookups failed');
    return { world: new ClusterWorld(this.store, read), lookupFailures };
  }

  /** The whole cached world with every referenced Secret and ConfigMap read: what the periodic audit judges. */
  async snapshot(deadline: Deadline): Promise<{ world: ClusterWorld; lookupFailures: string[] }> {
    const prepared = await this.prepare({ uid: 'audit', operation: 'CONNECT' } as unknown as AdmissionRequest, deadline);
    return { world: prepared.world as ClusterWorld, lookupFailures: prepared.lookupFailures };
  }

  /** Reconciles once after the changes of this turn of the event loop (a list brings many at once). */
  private queueReconcile(): void {
    if (this.reconcileQueued || this.stopped) return;
    this.reconcileQueued = true;
    setImmediate(() => {
      this.reconcileQueued = false;
      void this.reconcile();
    });
  }

  /**
   * One loop per kind read in Datadog's namespaces and per such namespace: started for a namespace Datadog is now
   * in, stopped (its objects dropped) for one it left. Resolves when every loop running has done a first list.
   */
  private reconcile(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const wanted = new Set(rbacNamespaces(this.store.datadogNamespaces()));
    for (const [key, entry] of this.inNamespaces) {
      const { reflector } = entry;
      if (wanted.has(reflector.namespace ?? '')) continue;
      reflector.stop();
      entry.sink.close();
      this.inNamespaces.delete(key);
      for (const object of this.store.list(reflector.listed.kind, reflector.namespace)) this.store.remove(object);
    }
    for (const listed of DATADOG_NAMESPACE_KINDS) {
      for (const namespace of wanted) {
        const key = `${listed.kind}/${namespace}`;
        if (this.inNamespaces.has(key)) continue;
        const sink = closableSink(storeSink(this.store, listed.kind, namespace));
        const reflector = this.reflectorOf(listed, sink, namespace);
        this.inNamespaces.set(key, { reflector, sink, synced: reflector.start() });
      }
    }
    return Promise.all([...this.inNamespaces.values()].map((entry) => entry.synced)).then(() => undefined);
  }

  private reflectorOf(listed: ListedKind, sink: ReflectorSink, namespace?: string): Reflector {
    const { options } = this;
    const mayKeep = mayKeepOf(listed);
    return new Reflector(this.kc, listed, sink, {
      keep: (object) => keepForRules(listed, object, this.store.defaultNamespace),
      ...(mayKeep ? { mayKeep } : {}),
      ...(namespace !== undefined ? { namespace } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.restartMs !== undefined ? { retryMs: options.restartMs } : {}),
      ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
      ...(options.watchTimeoutSeconds !== undefined ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
    });
  }

  /** What the cached workloads reference: worked out again only after the cache changed. */
  private cachedReferences(): readonly ObjectRef[] {
    if (this.references?.revision !== this.store.revision) {
      this.references = { revision: this.store.revision, refs: referencedObjects(this.store.datadogWorkloads(), this.store.defaultNamespace) };
    }
    return this.references.refs;
  }
}

/**
 * A sink that calls `onChange` after a write that changed the store: not for the removal of an object it never
 * held, which is what a watch event about a workload that is not Datadog's comes to.
 */
function watched(store: ObjectStore, sink: ReflectorSink, onChange: () => void): ReflectorSink {
  const changing = (write: () => void) => {
    const before = store.revision;
    write();
    if (store.revision !== before) onChange();
  };
  return {
    replace: (objects) => changing(() => sink.replace(objects)),
    unchanged: (object) => sink.unchanged(object),
    upsert: (object) => changing(() => sink.upsert(object)),
    remove: (object) => changing(() => sink.remove(object)),
  };
}

/** A namespace's share of a kind: writes nothing once its loop is stopped (events may still be in flight). */
interface NamespaceSink extends ReflectorSink {
  close(): void;
}

function closableSink(sink: ReflectorSink): NamespaceSink {
  let open = true;
  return {
    replace: (objects) => {
      if (open) sink.replace(objects);
    },
    unchanged: (object) => sink.unchanged(object),
    upsert: (object) => {
      if (open) sink.upsert(object);
    },
    remove: (object) => {
      if (open) sink.remove(object);
    },
    close: () => {
      open = false;
    },
  };
}

/** One kind's share of the store (in one namespace, when given); a relist that no longer has an object removes it. */
function storeSink(store: ObjectStore, kind: string, namespace: string | undefined): ReflectorSink {
  const keyOf = (o: KubeObject) => store.keyOf(kind, store.namespaceOf(o), o.metadata?.name ?? '');
  return {
    replace(objects) {
      const listed = new Set(objects.map(keyOf));
      for (const cached of store.list(kind, namespace)) if (!listed.has(keyOf(cached))) store.remove(cached);
      for (const object of objects) {
        const cached = store.get(kind, store.namespaceOf(object), object.metadata?.name ?? '');
        const rv = object.metadata?.resourceVersion;
        if (!cached || !rv || cached.metadata?.resourceVersion !== rv) store.upsert(object);
      }
    },
    unchanged(object) {
      const rv = object.metadata?.resourceVersion;
      const cached = rv ? store.get(kind, store.namespaceOf(object), object.metadata?.name ?? '') : undefined;
      return cached?.metadata?.resourceVersion === rv ? cached : undefined;
    },
    upsert: (object) => store.upsert(object),
    remove: (object) => store.remove(object),
  };
}
