import type { KubeObject } from '../kube-model/types.js';
import { ManifestWorld } from './manifest-world.js';
import type { World } from '../kube-model/world.js';
import type { AdmissionRequest } from '../kube-model/admission-review.js';
import type { Deadline } from './deadline.js';

/** The world a review is judged in, before the object under review is laid over it. */
export interface PreparedWorld {
  world: World;
  /** What could not be looked up in time (one sentence each); the decision follows `lookupFailure`. */
  lookupFailures: string[];
}

/**
 * Where the webhook's world comes from: a fixed world with no cluster, or the live cluster's caches. A live
 * provider fetches what the request's rules will ask for (Secrets on demand) before `deadline`, so rules
 * stay synchronous.
 */
export interface WorldProvider {
  /** A fixed world answers at once; a live one may have to read the cluster first. */
  prepare(request: AdmissionRequest, deadline: Deadline): PreparedWorld | Promise<PreparedWorld>;
  /** False until the caches have synced; drives `/readyz`. */
  ready(): boolean;
}

/** A fixed world: no cluster at all (`npm start`), or a set of manifests known in advance (tests). */
export class StaticWorldProvider implements WorldProvider {
  constructor(readonly world: World = new ManifestWorld([], {})) {}

  static of(objects: Iterable<KubeObject>, defaultNamespace?: string): StaticWorldProvider {
    return new StaticWorldProvider(new ManifestWorld(objects, defaultNamespace ? { defaultNamespace } : {}));
  }

  prepare(): PreparedWorld {
    return { world: this.world, lookupFailures: [] };
  }

  ready(): boolean {
    return true;
  }
}
