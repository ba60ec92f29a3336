import type { KubeObject } from '../kube-model/types.js';
import { ObjectStore } from './store.js';
import { StoreWorld } from './store-world.js';

/**
 * The world of a set of manifests (`ddguard check`): what the files say, nothing more. An object missing from
 * the set may be managed elsewhere, so rules only warn about it.
 */
export class ManifestWorld extends StoreWorld {
  constructor(objects: Iterable<KubeObject>, options: { defaultNamespace?: string } = {}) {
    const store = new ObjectStore(options.defaultNamespace ?? 'default');
    for (const object of objects) store.upsert(object);
    super(store, 'manifests');
  }
}
