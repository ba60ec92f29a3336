import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeObject } from '../kube-model/types.js';
import { keepForRules, referencedObjects } from '../kube-client/footprint.js';
import { AUDITED_KINDS } from '../kube-client/lister.js';
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
 * referenced Secrets and ConfigMaps read by `get` per review, within its deadline.
 */
export class LiveWorldProvider implements WorldProvider {
  readonly store = new ObjectStore('default');
  readonly reflectors: readonly Reflector[];
  private readonly reader: ReferenceReader;
  private references: { revision: number; refs: readonly ObjectRef[] } | undefined;

  constructor(
    readonly kc: KubeConfig,
    private readonly options: LiveWorldOptions = {},
  ) {
    this.reader = new ReferenceReader(kc, options.secretTtlMs === undefined ? {} : { ttlMs: options.secretTtlMs });
    this.reflectors = AUDITED_KINDS.map((listed) => new Reflector(kc, listed, storeSink(this.store, listed.kind), {
      keep: (object) => keepForRules(listed, object, this.store.defaultNamespace),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.restartMs !== undefined ? { retryMs: options.restartMs } : {}),
      ...(options.pageSize !== undefined ? { pageSize: options.pageSize } : {}),
      ...(options.watchTimeoutSeconds !== undefined ? { watchTimeoutSeconds: options.watchTimeoutSeconds } : {}),
    }));
  }

  /** Starts every list/watch loop; resolves when each has done its first list (or found its CRD absent). */
  async start(): Promise<void> {
    await Promise.all(this.reflectors.map((r) => r.start()));
  }

  stop(): Promise<void> {
    for (const r of this.reflectors) r.stop();
    return Promise.resolve();
  }

  /** Ready only once every first list reached the cache: a webhook with an empty cache must not say ready. */
  ready(): boolean {
    return this.reflectors.every((r) => r.hasSynced());
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

  /** What the cached workloads reference: worked out again only after the cache changed. */
  private cachedReferences(): readonly ObjectRef[] {
    if (this.references?.revision !== this.store.revision) {
      this.references = { revision: this.store.revision, refs: referencedObjects(this.store.datadogWorkloads(), this.store.defaultNamespace) };
    }
    return this.references.refs;
  }
}

/** One kind's share of the store; a relist that no longer has an object removes it. */
function storeSink(store: ObjectStore, kind: string): ReflectorSink {
  const keyOf = (o: KubeObject) => store.keyOf(kind, store.namespaceOf(o), o.metadata?.name ?? '');
  return {
    replace(objects) {
      const listed = new Set(objects.map(keyOf));
      for (const cached of store.list(kind)) if (!listed.has(keyOf(cached))) store.remove(cached);
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
