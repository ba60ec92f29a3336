import type { KubeObject } from '../kube-model/types.js';
import { decodeSecret, type DecodedSecret } from '../kube-model/secrets.js';
import { absent, found, type Lookup, type World } from '../kube-model/world.js';
import { ObjectStore } from './store.js';

export interface Change {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  /** The object after the request (null on DELETE). */
  object?: KubeObject | null;
  /** The object before the request (null on CREATE). */
  oldObject?: KubeObject | null;
}

/**
 * The world as it would be after an admission request: the object under review replaces its copy on CREATE
 * and UPDATE, and is gone on DELETE. Everything else is asked of the base world.
 */
export function overlayWorld(base: World, change: Change): World {
  const subject = change.object ?? change.oldObject;
  if (!subject?.kind || !subject.metadata?.name || change.operation === 'CONNECT') return base;
  return new OverlayWorld(base, subject, change.operation === 'DELETE' ? undefined : (change.object ?? undefined));
}

class OverlayWorld implements World {
  private readonly key: string;
  /** The changed object alone, indexed the way the base is, to answer "does it match?" questions. */
  private readonly alone: ObjectStore;

  constructor(
    private readonly base: World,
    subject: KubeObject,
    private readonly after: KubeObject | undefined,
  ) {
    this.alone = new ObjectStore(base.defaultNamespace);
    if (after) this.alone.upsert(after);
    this.key = this.alone.keyOf(subject.kind ?? '', this.alone.namespaceOf(subject), subject.metadata?.name ?? '');
  }

  get source() {
    return this.base.source;
  }
  get defaultNamespace() {
    return this.base.defaultNamespace;
  }

  get(kind: string, namespace: string | undefined, name: string): Lookup<KubeObject> {
    if (!this.isChanged(kind, namespace, name)) return this.base.get(kind, namespace, name);
    return this.after ? found(this.after) : absent;
  }

  list(kind: string, namespace?: string): readonly KubeObject[] {
    return this.patch(this.base.list(kind, namespace), this.alone.list(kind, namespace));
  }

  secret(namespace: string, name: string): Lookup<DecodedSecret> {
    if (!this.isChanged('Secret', namespace, name)) return this.base.secret(namespace, name);
    if (!this.after) return absent;
    return found(decodeSecret(this.after));
  }

  bindingsForServiceAccount(namespace: string, name: string): readonly KubeObject[] {
    return this.patch(
      this.base.bindingsForServiceAccount(namespace, name),
      this.alone.bindingsForServiceAccount(namespace, name),
    );
  }

  datadogWorkloads(namespace?: string): readonly KubeObject[] {
    return this.patch(this.base.datadogWorkloads(namespace), this.alone.datadogWorkloads(namespace));
  }

  private isChanged(kind: string, namespace: string | undefined, name: string): boolean {
    return this.alone.keyOf(kind, namespace, name) === this.key;
  }

  /** Base answers without the changed object, plus the changed object where it answers the question too. */
  private patch(fromBase: readonly KubeObject[], fromChange: readonly KubeObject[]): KubeObject[] {
    const kept = fromBase.filter(
      (o) => !this.isChanged(o.kind ?? '', o.metadata?.namespace, o.metadata?.name ?? ''),
    );
    return fromChange.length ? [...kept, ...fromChange] : kept;
  }
}
