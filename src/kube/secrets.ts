import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../k8s/types.js';
import { statusOf, toKubeError } from './errors.js';
import { absent, found, unknown, type Lookup } from '../world/world.js';

export interface SecretReaderOptions {
  /** How long an answer is reused; default 10 s, so a rotated token is seen soon. */
  ttlMs?: number;
  now?: () => number;
}

/**
 * Reads Secrets one by one with `get` (never list or watch: ddguard needs no such permission) and remembers
 * each answer briefly. A failure or a deadline gives `unknown` with the reason; the value is never logged.
 */
export class SecretReader {
  private readonly api: CoreV1Api;
  private readonly cache = new Map<string, { at: number; value: Lookup<KubeObject> }>();
  /** Reads in progress: reviews arriving while a Secret is being read wait for that read instead of starting their own. */
  private readonly reading = new Map<string, { at: number; value: Promise<Lookup<KubeObject>> }>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(kc: KubeConfig, options: SecretReaderOptions = {}) {
    this.api = kc.makeApiClient(CoreV1Api);
    this.ttlMs = options.ttlMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  async get(namespace: string, name: string, signal?: AbortSignal): Promise<Lookup<KubeObject>> {
    const key = `${namespace}/${name}`;
    const cached = this.cache.get(key);
    if (cached && this.now() - cached.at < this.ttlMs) return cached.value;
    // A read younger than the TTL is shared like its answer would be; an older one may be stuck, so read anew.
    let pending = this.reading.get(key);
    if (!pending || this.now() - pending.at >= this.ttlMs) {
      const entry = { at: this.now(), value: this.fetch(namespace, name) };
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
      return unknown(`reading Secret ${key} ran out of time`);
    }
  }

  /** Never rejects: a missing Secret is `absent`, any other failure `unknown` with the reason. */
  private async fetch(namespace: string, name: string): Promise<Lookup<KubeObject>> {
    try {
      const secret = await this.api.readNamespacedSecret({ namespace, name });
      return found({ ...(secret as unknown as KubeObject), apiVersion: 'v1', kind: 'Secret' });
    } catch (error: unknown) {
      if (statusOf(error)?.code === 404) return absent;
      return unknown(toKubeError(error, { verb: 'get', resource: 'secrets', namespace }).message);
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
