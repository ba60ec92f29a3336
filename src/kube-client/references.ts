import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../kube-model/types.js';
import { statusOf, toKubeError } from './errors.js';
import { absent, found, unknown, type Lookup } from '../kube-model/world.js';

/** The kinds Datadog workloads reference and ddguard reads one by one: never listed cluster-wide. */
export type ReferencedKind = 'Secret' | 'ConfigMap';

export interface ObjectRef {
  kind: ReferencedKind;
  namespace: string;
  name: string;
}

export const refKey = (ref: ObjectRef): string => `${ref.kind}/${ref.namespace}/${ref.name}`;

export interface ReferenceReaderOptions {
  /** How long an answer is reused; default 10 s, so a rotated token is seen soon. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * Reads referenced Secrets and ConfigMaps one by one with `get` (never list or watch: ddguard needs no such
 * permission, and a list would copy every Secret of the cluster) and remembers each answer briefly. A
 * failure or a deadline gives `unknown` with the reason; a value is never logged.
 */
export class ReferenceReader {
  private readonly api: CoreV1Api;
  private readonly cache = new Map<string, { at: number; value: Lookup<KubeObject> }>();
  /** Reads in progress: reviews arriving while an object is being read wait for that read instead of starting their own. */
  private readonly reading = new Map<string, { at: number; value: Promise<Lookup<KubeObject>> }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(kc: KubeConfig, options: ReferenceReaderOptions = {}) {
    this.api = kc.makeApiClient(CoreV1Api);
    this.ttlMs = options.ttlMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async get(ref: ObjectRef, signal?: AbortSignal): Promise<Lookup<KubeObject>> {
    const key = refKey(ref);
    const cached = this.cache.get(key);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.value;
    // A read younger than the TTL is shared like its answer would be; an older one may be stuck, so read anew.
    let pending = this.reading.get(key);
    if (!pending || this.now() - pending.at >= this.ttlMs) {
      const entry = { at: this.now(), value: this.fetch(ref) };
      entry.value = entry.value.then((value) => {
        if (value.state !== 'unknown') this.cache.set(key, { at: entry.at, value });
        if (this.reading.get(key) === entry) this.reading.delete(key);
        return value;
      });
      this.reading.set(key, (pending = entry));
    }
    if (!signal) return pending.value;
    try {
      return await raceSignal(pending.value, signal);
    } catch {
      return unknown(`reading ${ref.kind} ${ref.namespace}/${ref.name} ran out of time`);
    }
  }

  /** Never rejects: a missing object is `absent`, any other failure `unknown` with the reason. */
  private async fetch({ kind, namespace, name }: ObjectRef): Promise<Lookup<KubeObject>> {
    try {
      const object = kind === 'Secret'
        ? await this.api.readNamespacedSecret({ namespace, name })
        : await this.api.readNamespacedConfigMap({ namespace, name });
      return found({ ...(object as unknown as KubeObject), apiVersion: 'v1', kind });
    } catch (error: unknown) {
      if (statusOf(error)?.code === 404) return absent;
      return unknown(toKubeError(error, { verb: 'get', resource: kind === 'Secret' ? 'secrets' : 'configmaps', namespace }).message);
    }
  }
}

/** client-node 1.4 has no per-call signal; the deadline ends the wait (the request itself is left to finish). */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}
