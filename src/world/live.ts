import { KubernetesObjectApi, makeInformer, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeObject } from '../k8s/types.js';
import { decodeSecret, type DecodedSecret } from '../k8s/secrets.js';
import { asDatadogWorkload } from '../datadog/components.js';
import { referencedSecrets, secretsReferencedBy } from '../audit/collect.js';
import { AUDITED_KINDS, type ListedKind } from '../kube/lister.js';
import { statusOf } from '../kube/errors.js';
import { SecretReader } from '../kube/secrets.js';
import type { AdmissionRequest } from '../webhook/admission.js';
import type { Deadline } from '../webhook/deadline.js';
import type { PreparedWorld, WorldProvider } from '../webhook/world-provider.js';
import { ObjectStore } from './store.js';
import { StoreWorld } from './storeWorld.js';
import { absent, found, unknown, type Lookup } from './world.js';

export interface LiveWorldOptions {
  logger?: Logger;
  /** How long a Secret read is reused; default 10 s. */
  secretTtlMs?: number;
  /** Wait before restarting an informer whose watch failed; default 2 s. */
  restartMs?: number;
}

/**
 * The live cluster for the webhook: informer caches (list + watch) of RBAC, ServiceAccounts, Datadog
 * workloads and DatadogAgents in one ObjectStore; Secrets fetched by `get` per review, within its deadline.
 */
export class LiveWorldProvider implements WorldProvider {
  readonly store = new ObjectStore('default');
  private readonly reader: SecretReader;
  private readonly synced = new Set<string>();
  private readonly informers: { stop(): Promise<void> }[] = [];
  private stopped = false;
  private references: { revision: number; refs: readonly string[] } | undefined;

  constructor(
    readonly kc: KubeConfig,
    private readonly options: LiveWorldOptions = {},
  ) {
    this.reader = new SecretReader(kc, options.secretTtlMs === undefined ? {} : { ttlMs: options.secretTtlMs });
  }

  /** Starts every informer; resolves when each has done its first list (or found its CRD absent). */
  async start(): Promise<void> {
    await Promise.all(AUDITED_KINDS.map((listed) => this.startInformer(listed)));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  ready(): boolean {
    return this.synced.size === AUDITED_KINDS.length;
  }

  async prepare(request: AdmissionRequest, deadline: Deadline): Promise<PreparedWorld> {
    const refs = new Set(this.cachedReferences());
    // The object under review may reference Secrets no cached workload does yet.
    const incoming = request.object;
    if (incoming) {
      const namespace = incoming.metadata?.namespace || request.namespace || this.store.defaultNamespace;
      for (const ref of secretsReferencedBy(incoming, namespace)) refs.add(ref);
    }
    const signal = deadline.signal();
    const secrets = new Map<string, Lookup<KubeObject>>();
    await Promise.all(
      [...refs].map(async (ref) => {
        const [namespace, name] = ref.split('/') as [string, string];
        secrets.set(ref, await this.reader.get(namespace, name, signal));
      }),
    );
    const lookupFailures: string[] = [];
    for (const lookup of secrets.values()) if (lookup.state === 'unknown') lookupFailures.push(lookup.reason);
    if (lookupFailures.length) this.options.logger?.warn({ failures: lookupFailures.length }, 'secret lookups failed');
    return { world: new LiveWorld(this.store, secrets), lookupFailures };
  }

  /** The Secrets the cached workloads read: worked out again only after the informers changed the store. */
  private cachedReferences(): readonly string[] {
    if (this.references?.revision !== this.store.revision) {
      this.references = { revision: this.store.revision, refs: referencedSecrets(this.store) };
    }
    return this.references.refs;
  }

  /** The whole cached world with every referenced Secret read: what the periodic audit judges. */
  async snapshot(deadline: Deadline): Promise<PreparedWorld> {
    return this.prepare({ uid: 'audit', operation: 'CONNECT' } as unknown as AdmissionRequest, deadline);
  }

  /**
   * Starts one informer; resolves once its first list has reached the cache (or its optional CRD turned out
   * not to be installed). client-node's `start()` resolves even when that list fails (the failure only reaches
   * the `error` handlers), so readiness is taken from the list itself: a webhook that cannot read the cluster
   * must not report ready with an empty cache.
   */
  private startInformer(listed: ListedKind): Promise<void> {
    return new Promise((resolveSynced) => {
      const markSynced = () => {
        if (this.synced.has(listed.kind)) return;
        this.synced.add(listed.kind);
        resolveSynced();
      };
      const plural = listed.resource.split('.')[0] ?? '';
      const path = listed.apiVersion === 'v1' ? `/api/v1/${plural}` : `/apis/${listed.apiVersion}/${plural}`;
      const api = KubernetesObjectApi.makeApiClient(this.kc);
      let notInstalled = false;
      const list = async () => {
        try {
          const result = (await api.list(listed.apiVersion, listed.kind)) as KubernetesListObject<KubernetesObject>;
          // After the informer has put the listed items in the store (it does so as soon as this returns).
          setImmediate(markSynced);
          return result;
        } catch (error: unknown) {
          if (listed.optional && (statusOf(error)?.code === 404 || /Unrecognized API version and kind/i.test(String(error)))) {
            notInstalled = true;
            this.options.logger?.info({ kind: listed.kind }, 'not installed in this cluster');
            markSynced();
          }
          throw error;
        }
      };
      const informer = makeInformer(this.kc, path, list);
      const workload = ['Deployment', 'DaemonSet', 'StatefulSet'].includes(listed.kind);
      const keep = (raw: KubernetesObject) => {
        const object = { ...(raw as KubeObject), apiVersion: listed.apiVersion, kind: listed.kind };
        // A workload that stops being Datadog's must leave the cache too.
        if (workload && !asDatadogWorkload(object, this.store.defaultNamespace)) this.store.remove(object);
        else this.store.upsert(object);
      };
      informer.on('add', keep);
      informer.on('update', keep);
      informer.on('delete', (raw) => this.store.remove({ ...(raw as KubeObject), kind: listed.kind }));
      informer.on('error', (error: unknown) => {
        if (notInstalled || this.stopped) return;
        this.options.logger?.warn({ kind: listed.kind, err: error instanceof Error ? error.message : String(error) }, 'informer failed; restarting');
        setTimeout(() => void (this.stopped ? undefined : informer.start().catch(() => undefined)), this.options.restartMs ?? 2000).unref();
      });
      this.informers.push(informer);
      informer.start().catch(() => undefined); // failures arrive through the `error` handler above
    });
  }
}

/** The cached objects plus the Secrets fetched for one review: a Secret not fetched is unknown, not absent. */
class LiveWorld extends StoreWorld {

  constructor(
    store: ObjectStore,
    private readonly secrets: ReadonlyMap<string, Lookup<KubeObject>>,
  ) {
    super(store, 'cluster');
  }

  override secret(namespace: string, name: string): Lookup<DecodedSecret> {
    const key = `${namespace}/${name}`;
    const lookup = this.secrets.get(key);
    if (!lookup) return unknown(`Secret ${key} was not read for this review`);
    if (lookup.state !== 'found') return lookup;
    return found(decodeSecret(lookup.value));
  }

  override get(kind: string, namespace: string | undefined, name: string): Lookup<KubeObject> {
    if (kind === 'Secret') {
      const lookup = this.secrets.get(`${namespace ?? ''}/${name}`);
      return lookup ?? absent;
    }
    return super.get(kind, namespace, name);
  }
}
