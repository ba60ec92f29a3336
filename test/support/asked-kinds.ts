import { Engine } from '../../src/engine/engine.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import { ObjectStore } from '../../src/world/store.js';
import { REFERENCED_KINDS, isReferenceable } from '../../src/world/store-retention.js';
import { StoreWorld } from '../../src/world/store-world.js';
import type { Lookup } from '../../src/kube-model/world.js';

const WORKLOAD_KINDS = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

/** A World over every object that notes each kind it is asked about, and whether the answer was kept. */
class KindsAsked extends StoreWorld {
  readonly stray = new Set<string>();

  constructor(objects: readonly KubeObject[], namespace: string) {
    const store = new ObjectStore(namespace);
    for (const object of objects) store.upsert(object);
    super(store, 'manifests');
  }

  override get(kind: string, namespace: string | undefined, name: string): Lookup<KubeObject> {
    const lookup = super.get(kind, namespace, name);
    if (lookup.state === 'found') this.note(lookup.value);
    else if (!REFERENCED_KINDS.has(kind) && !WORKLOAD_KINDS.has(kind)) this.stray.add(`get ${kind}`);
    return lookup;
  }

  override list(kind: string, namespace?: string): readonly KubeObject[] {
    const objects = super.list(kind, namespace);
    for (const object of objects) this.note(object);
    if (!REFERENCED_KINDS.has(kind)) this.stray.add(`list ${kind}`);
    return objects;
  }

  private note(object: KubeObject): void {
    if (!isReferenceable(object, this.defaultNamespace)) this.stray.add(`${object.kind} ${object.metadata?.name ?? ''} (not kept)`);
  }
}

export function askedKinds(sets: { name: string; objects: KubeObject[] }[], namespace: string): string[] {
  const engine = new Engine(RULES);
  const stray: string[] = [];
  for (const set of sets) {
    const world = new KindsAsked(set.objects, namespace);
    for (const object of set.objects) engine.evaluate(object, world);
    for (const s of world.stray) stray.push(`${set.name}: ${s}`);
  }
  return stray;
}

