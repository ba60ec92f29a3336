import type { KubeObject } from '../kube-model/types.js';
import { decodeSecret, type DecodedSecret } from '../kube-model/secrets.js';
import { refKey, type ObjectRef } from '../kube-client/references.js';
import type { ObjectStore } from './store.js';
import { StoreWorld } from './store-world.js';
import { found, unknown, type Lookup } from '../kube-model/world.js';

/** Secrets and ConfigMaps read by `get` for one judgement, by `refKey`. */
export type ReadReferences = ReadonlyMap<string, Lookup<KubeObject>>;

/**
 * The cluster as every cluster reader sees it (webhook review, periodic audit, `ddguard audit`): the cached
 * objects, plus the Secrets and ConfigMaps read for this judgement. One not read is unknown, not absent.
 */
export class ClusterWorld extends StoreWorld {
  constructor(
    store: ObjectStore,
    private readonly references: ReadReferences,
  ) {
    super(store, 'cluster');
  }

  override secret(namespace: string, name: string): Lookup<DecodedSecret> {
    const lookup = this.references.get(refKey({ kind: 'Secret', namespace, name }));
    if (!lookup) return unknown(`Secret ${namespace}/${name} was not read for this review`);
    if (lookup.state !== 'found') return lookup;
    return found(decodeSecret(lookup.value));
  }

  override get(kind: string, namespace: string | undefined, name: string): Lookup<KubeObject> {
    if (kind === 'Secret' || kind === 'ConfigMap') {
      const ref: ObjectRef = { kind, namespace: namespace || this.defaultNamespace, name };
      return this.references.get(refKey(ref)) ?? unknown(`${kind} ${ref.namespace}/${name} was not read for this review`);
    }
    return super.get(kind, namespace, name);
  }

  /** The Secrets and ConfigMaps that were found, for an audit that judges them as objects too. */
  foundReferences(): KubeObject[] {
    const out: KubeObject[] = [];
    for (const lookup of this.references.values()) if (lookup.state === 'found') out.push(lookup.value);
    return out;
  }
}
