// An etcd-like store: one global, monotonically increasing resourceVersion, keys ordered as etcd
// orders `/registry/<resource>/<namespace>/<name>`, and a bounded history of changes. The history
// serves watches from a past resourceVersion and consistent paged lists (a later page is read at the
// first page's revision); anything older than the history is "compacted" and answers 410 Gone.
import { isDeepStrictEqual } from 'node:util';
import { alreadyExists, conflict, expired, notFound } from './status.js';
import type { ResourceDef } from './resources.js';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [field: string]: unknown;
}

export interface StoredObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  rv: number;
  resource: ResourceDef;
  key: string;
  type: ChangeType;
  /** The object after the change; for DELETED, the last state stamped with the deletion's revision. */
  object: StoredObject;
  /** The object before the change (absent for ADDED). */
  prev?: StoredObject;
}

export type ChangeListener = (change: Change) => void;

export const keyOf = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

const withRv = (obj: StoredObject, rv: number): StoredObject => ({
  ...obj,
  metadata: { ...obj.metadata, resourceVersion: String(rv) },
});

export class Store {
  private revision: number;
  private compactedRevision: number;
  private readonly objects = new Map<ResourceDef, Map<string, StoredObject>>();
  private history: Change[] = [];
  /** Each kind's keys in list order, until an object of it is created or deleted. */
  private readonly keyOrder = new Map<ResourceDef, string[]>();
  private readonly listeners = new Set<{ resource: ResourceDef; listener: ChangeListener }>();

  constructor(
    private readonly historyLimit: number,
    initialRevision = 1,
  ) {
    this.revision = initialRevision;
    this.compactedRevision = initialRevision;
  }

  get currentRv(): number {
    return this.revision;
  }

  /** Revisions at or after this one can still be watched from or listed at. */
  get oldestAvailableRv(): number {
    return this.compactedRevision;
  }

  get(r: ResourceDef, namespace: string | undefined, name: string): StoredObject | undefined {
    return this.table(r).get(keyOf(namespace, name));
  }

  /** Objects of a kind in key order, as they were at `atRv` (default: now). */
  list(r: ResourceDef, atRv?: number): StoredObject[] {
    const table = this.table(r);
    if (atRv === undefined || atRv >= this.revision || !this.history.some((c) => c.rv > atRv && c.resource === r)) {
      // Nothing of this kind changed since `atRv`: the current objects in the remembered key order (a paged
      // list of 20,000 objects otherwise sorts them all again for every page).
      this.assertAvailable(atRv ?? this.revision);
      return this.sortedKeys(r).map((key) => table.get(key)!);
    }
    this.assertAvailable(atRv);
    const state = new Map(table);
    for (let i = this.history.length - 1; i >= 0; i--) {
      const change = this.history[i]!;
      if (change.rv <= atRv) break;
      if (change.resource !== r) continue;
      if (change.prev) state.set(change.key, change.prev);
      else state.delete(change.key);
    }
    return [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, obj]) => obj);
  }

  create(r: ResourceDef, obj: StoredObject): StoredObject {
    const key = keyOf(obj.metadata.namespace, obj.metadata.name);
    if (this.table(r).has(key)) throw alreadyExists(r, obj.metadata.name);
    return this.commit(r, key, 'ADDED', obj);
  }

  /** Replaces the stored object; a no-op write keeps its revision and notifies nobody, as etcd does. */
  update(r: ResourceDef, obj: StoredObject): StoredObject {
    const key = keyOf(obj.metadata.namespace, obj.metadata.name);
    const current = this.table(r).get(key);
    if (!current) throw notFound(r, obj.metadata.name);
    const expectedRv = obj.metadata.resourceVersion;
    if (expectedRv !== undefined && expectedRv !== '' && expectedRv !== current.metadata.resourceVersion) {
      throw conflict(r, obj.metadata.name);
    }
    if (isDeepStrictEqual(withRv(obj, 0), withRv(current, 0))) return current;
    return this.commit(r, key, 'MODIFIED', obj, current);
  }

  delete(r: ResourceDef, namespace: string | undefined, name: string): StoredObject {
    const key = keyOf(namespace, name);
    const current = this.table(r).get(key);
    if (!current) throw notFound(r, name);
    return this.commit(r, key, 'DELETED', current, current);
  }

  /** Changes to a kind after `rv`, oldest first; throws 410 Expired when they were compacted away. */
  changesSince(r: ResourceDef, rv: number): Change[] {
    this.assertAvailable(rv);
    const start = this.history.findIndex((c) => c.rv > rv);
    return start < 0 ? [] : this.history.slice(start).filter((c) => c.resource === r);
  }

  subscribe(resource: ResourceDef, listener: ChangeListener): () => void {
    const entry = { resource, listener };
    this.listeners.add(entry);
    return () => this.listeners.delete(entry);
  }

  /** Forget all history, like an etcd compaction at the current revision. */
  compact(): void {
    this.history = [];
    this.compactedRevision = this.revision;
  }

  private assertAvailable(rv: number): void {
    if (rv < this.compactedRevision) {
      throw expired(`too old resource version: ${rv} (${this.compactedRevision})`);
    }
  }

  private sortedKeys(r: ResourceDef): string[] {
    let keys = this.keyOrder.get(r);
    if (!keys) this.keyOrder.set(r, (keys = [...this.table(r).keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))));
    return keys;
  }

  private table(r: ResourceDef): Map<string, StoredObject> {
    let t = this.objects.get(r);
    if (!t) this.objects.set(r, (t = new Map()));
    return t;
  }

  private commit(r: ResourceDef, key: string, type: ChangeType, obj: StoredObject, prev?: StoredObject): StoredObject {
    this.revision++;
    const object = withRv(obj, this.revision);
    if (type !== 'MODIFIED') this.keyOrder.delete(r);
    if (type === 'DELETED') this.table(r).delete(key);
    else this.table(r).set(key, object);
    const change: Change = { rv: this.revision, resource: r, key, type, object };
    if (prev) change.prev = prev;
    this.remember(change);
    for (const { resource, listener } of this.listeners) if (resource === r) listener(change);
    return object;
  }

  private remember(change: Change): void {
    this.history.push(change);
    // Trim in batches so seeding many objects stays linear.
    if (this.history.length > this.historyLimit * 2) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRevision = dropped[dropped.length - 1]!.rv;
    }
  }
}
