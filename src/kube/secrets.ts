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
    const value = await this.fetch(namespace, name, signal);
    if (value.state !== 'unknown') this.cache.set(key, { at: this.now(), value });
    return value;
  }

  private async fetch(namespace: string, name: string, signal?: AbortSignal): Promise<Lookup<KubeObject>> {
    try {
      const request = this.api.readNamespacedSecret({ namespace, name });
      const secret = await (signal ? raceSignal(request, signal) : request);
      return found({ ...(secret as unknown as KubeObject), apiVersion: 'v1', kind: 'Secret' });
    } catch (error: unknown) {
      if (statusOf(error)?.code === 404) return absent;
      if (signal?.aborted) return unknown(`reading Secret ${namespace}/${name} ran out of time`);
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
