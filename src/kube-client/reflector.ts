// A list/watch loop for one kind over client-node's API client (`KubernetesObjectApi.list`, `Watch`).
//
// Why not client-node's informer (`makeInformer`): it keeps its own copy of every object it lists or is sent,
// whatever its consumer keeps, and its first list is one unpaged request, so on a cluster of 20,000
// Deployments the webhook held them all (and died parsing that one response under the image's 256 MB heap).
// Here each page is filtered as it arrives and only what the rules ask about reaches the sink.
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeObject } from '../kube-model/types.js';
import { listPages, collectionPath, type ListedKind } from './lister.js';
import { statusOf } from './errors.js';

/** Where a reflector puts what it keeps. */
export interface ReflectorSink {
  /** A (re)list finished: these are now every kept object of the kind; anything else cached for it goes. */
  replace(objects: readonly KubeObject[]): void;
  /** The object as already kept, when this one is the same (same resourceVersion): a relist reuses it. */
  unchanged(object: KubeObject): KubeObject | undefined;
  upsert(object: KubeObject): void;
  remove(object: KubeObject): void;
}

export interface ReflectorOptions {
  /** List and watch this namespace only; cluster-wide when absent. */
  namespace?: string;
  /** The object as kept, or undefined when it takes no part (then it also leaves the sink). */
  keep: (object: KubeObject) => KubeObject | undefined;
  pageSize?: number;
  /** Passed to listPages: items whose bytes it rejects are not parsed (footprint.ts mayKeepOf). */
  mayKeep?: (item: Buffer) => boolean;
  logger?: Logger;
  /** First wait after a failed list or watch; doubles up to 30 s. Default 1 s. */
  retryMs?: number;
  /** How often an absent optional CRD is looked for again; default 60 s. */
  notInstalledRetryMs?: number;
  /** Server-side watch timeout, randomised up to twice this as client-go does; default 300 s. */
  watchTimeoutSeconds?: number;
}

/** The watch's resourceVersion is too old (410 Gone / Expired): only a new list can resume. */
class Gone extends Error {}

export class Reflector {
  /** The resourceVersion to resume from: the list's, then each event's and bookmark's. */
  resourceVersion = '';
  /** Completed lists, the first included; a relist follows a 410. */
  lists = 0;
  private synced = false;
  private notInstalled = false;
  private stopped = false;
  private readonly stopping = new AbortController();
  private watchAbort: AbortController | undefined;
  private resolveSynced: () => void = () => {};
  private readonly syncedOnce = new Promise<void>((resolve) => (this.resolveSynced = resolve));

  constructor(
    private readonly kc: KubeConfig,
    readonly listed: ListedKind,
    private readonly sink: ReflectorSink,
    private readonly options: ReflectorOptions,
  ) {}

  /**
   * Starts the loop; resolves once the first list reached the sink (or the optional CRD is absent), or the loop
   * was stopped before: whoever waits for it is not left waiting for a list that will never come.
   */
  start(): Promise<void> {
    void this.run();
    return this.syncedOnce;
  }

  stop(): void {
    this.stopped = true;
    this.stopping.abort();
    this.watchAbort?.abort();
    this.resolveSynced();
  }

  /** The namespace listed and watched; undefined for the whole cluster. */
  get namespace(): string | undefined {
    return this.options.namespace;
  }

  /** True once a first list reached the sink; stays true through relists (the cache serves meanwhile). */
  hasSynced(): boolean {
    return this.synced;
  }

  private async run(): Promise<void> {
    let retryMs = this.options.retryMs ?? 1000;
    while (!this.stopped) {
      try {
        if (this.resourceVersion === '') {
          await this.list();
          if (this.notInstalled) {
            await this.sleep(this.options.notInstalledRetryMs ?? 60_000);
            continue;
          }
        }
        await this.watch();
        retryMs = this.options.retryMs ?? 1000;
      } catch (error: unknown) {
        if (this.stopped) return;
        if (error instanceof Gone) {
          this.options.logger?.info({ kind: this.listed.kind, namespace: this.options.namespace, resourceVersion: this.resourceVersion }, 'watch too old (410 Gone); listing again');
          this.resourceVersion = '';
          continue;
        }
        this.options.logger?.warn({ kind: this.listed.kind, namespace: this.options.namespace, err: error instanceof Error ? error.message : String(error), retryMs }, 'list/watch failed; retrying');
        await this.sleep(retryMs);
        retryMs = Math.min(retryMs * 2, 30_000);
      }
    }
  }

  /**
   * One paged list into a side buffer, swapped in whole, so the cache serves reviews while it runs. An object
   * the cache holds at the same resourceVersion is taken from the cache, not copied from the page: a relist
   * after 410 Gone made a second copy of every kept object, which lived long enough to reach the old
   * generation, and the full collections that followed paused the reviews being answered meanwhile.
   */
  private async list(): Promise<void> {
    let kept: KubeObject[] = [];
    const result = await listPages(this.kc, this.listed, this.options.namespace, (object) => {
      const keep = this.sink.unchanged(object) ?? this.options.keep(object);
      if (keep) kept.push(keep);
    }, {
      ...(this.options.pageSize ? { pageSize: this.options.pageSize } : {}),
      ...(this.options.mayKeep ? { mayKeep: this.options.mayKeep } : {}),
      onRestart: () => (kept = []),
    });
    if (this.stopped) return;
    if (result.notInstalled && !this.notInstalled) this.options.logger?.info({ kind: this.listed.kind }, 'not installed in this cluster');
    this.notInstalled = result.notInstalled;
    this.sink.replace(kept);
    this.resourceVersion = result.resourceVersion;
    this.lists++;
    if (!this.synced) {
      this.synced = true;
      this.resolveSynced();
    }
  }

  /** Watches from `resourceVersion` until the server ends the stream (resolves) or it fails (rejects). */
  private watch(): Promise<void> {
    const base = this.options.watchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.floor(base * (1 + Math.random()));
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (error?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(stall);
        this.watchAbort?.abort();
        if (error === undefined || error === null || this.stopped) resolve();
        else reject(error instanceof Error ? error : new Error(String(error)));
      };
      // A connection that went silent (no event, no bookmark, no end) past the server's own timeout is dead.
      const stall = setTimeout(() => finish(new Error('watch went silent')), (timeoutSeconds + 60) * 1000);
      stall.unref();
      const onEvent = (type: string, object: KubeObject & { code?: number; message?: string }) => {
        if (settled) return;
        if (type === 'ERROR') {
          finish(object?.code === 410 ? new Gone(object.message ?? 'Gone') : new Error(`watch error: ${object?.message ?? 'unknown'}`));
          return;
        }
        const rv = object?.metadata?.resourceVersion;
        if (type === 'BOOKMARK') {
          if (rv) this.resourceVersion = rv;
          return;
        }
        const full = { ...object, apiVersion: this.listed.apiVersion, kind: this.listed.kind };
        if (type === 'DELETED') this.sink.remove(full);
        else {
          const kept = this.options.keep(full);
          // An object that stops taking part (a workload no longer Datadog's) must leave the cache too.
          if (kept) this.sink.upsert(kept);
          else this.sink.remove(full);
        }
        if (rv) this.resourceVersion = rv;
      };
      const query = { resourceVersion: this.resourceVersion, allowWatchBookmarks: true, timeoutSeconds };
      new Watch(this.kc)
        .watch(collectionPath(this.listed, this.options.namespace), query, onEvent, (error: unknown) => finish(statusOf(error)?.code === 410 || (error as { statusCode?: number } | null)?.statusCode === 410 ? new Gone('Gone') : error))
        .then((controller) => {
          this.watchAbort = controller;
          if (settled || this.stopped) controller.abort();
        }, finish);
    });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopping.signal.aborted) return resolve();
      const onStop = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.stopping.signal.removeEventListener('abort', onStop);
        resolve();
      }, ms);
      this.stopping.signal.addEventListener('abort', onStop, { once: true });
    });
  }
}
