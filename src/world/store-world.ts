import type { KubeObject } from '../kube-model/types.js';
import { decodeSecret, type DecodedSecret } from '../kube-model/secrets.js';
import { absent, found, type Lookup, type World } from '../kube-model/world.js';
import type { ObjectStore } from './store.js';

/** A World answered from an ObjectStore; decodeSecret remembers each decoded Secret for the judgement. */
export class StoreWorld implements World {
  constructor(
    protected readonly store: ObjectStore,
    readonly source: 'manifests' | 'cluster',
  ) {}

  get defaultNamespace(): string {
    return this.store.defaultNamespace;
  }

  get(kind: string, namespace: string | undefined, name: string): Lookup<KubeObject> {
    const object = this.store.get(kind, namespace, name);
    return object ? found(object) : absent;
  }

  list(kind: string, namespace?: string): readonly KubeObject[] {
    return this.store.list(kind, namespace);
  }

  secret(namespace: string, name: string): Lookup<DecodedSecret> {
    const object = this.store.get('Secret', namespace, name);
    return object ? found(decodeSecret(object)) : absent;
  }

  bindingsForServiceAccount(namespace: string, name: string): readonly KubeObject[] {
    return this.store.bindingsForServiceAccount(namespace, name);
  }

  datadogWorkloads(namespace?: string): readonly KubeObject[] {
    return this.store.datadogWorkloads(namespace);
  }
}
