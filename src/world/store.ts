import type { KubeObject } from '../kube-model/types.js';
import { asDatadogWorkload } from '../datadog/components.js';
import { isClusterScoped } from '../kube-model/kinds.js';
import { subjectKey, subjectsNamingServiceAccount, subjectsOfBinding } from '../kube-model/rbac-bindings.js';

/**
 * Objects indexed for the questions rules ask: by kind/namespace/name, bindings by the ServiceAccounts and
 * groups they name, and Datadog workloads by namespace. Shared by the manifest world and the live cache.
 */
export class ObjectStore {
  private readonly byKey = new Map<string, KubeObject>();
  private readonly byKind = new Map<string, Map<string, KubeObject>>();
  /** By kind and namespace: rules ask about one namespace at a time, and a scan of every namespace made a
   * manifest set of many installations quadratic. */
  private readonly byKindInNamespace = new Map<string, Map<string, KubeObject>>();
  private readonly bindingsBySubject = new Map<string, Map<string, KubeObject>>();
  private readonly datadog = new Map<string, KubeObject>();
  private readonly datadogInNamespace = new Map<string, Map<string, KubeObject>>();

  /** Counts changes, so what is worked out from the whole store can be kept until the next one. */
  private changes = 0;

  constructor(readonly defaultNamespace: string) {}

  get revision(): number {
    return this.changes;
  }

  namespaceOf(object: KubeObject): string | undefined {
    if (isClusterScoped(object.kind)) return undefined;
    return object.metadata?.namespace || this.defaultNamespace;
  }

  keyOf(kind: string, namespace: string | undefined, name: string): string {
    return `${kind}/${isClusterScoped(kind) ? '' : namespace || this.defaultNamespace}/${name}`;
  }

  upsert(object: KubeObject): void {
    const name = object.metadata?.name;
    if (!object.kind || !name) return;
    const key = this.keyOf(object.kind, this.namespaceOf(object), name);
    if (this.byKey.has(key)) this.removeKey(key);
    this.changes++;
    this.byKey.set(key, object);
    const namespace = this.namespaceOf(object) ?? '';
    mapOf(this.byKind, object.kind).set(key, object);
    mapOf(this.byKindInNamespace, `${object.kind}\u0000${namespace}`).set(key, object);
    for (const subject of this.subjectKeys(object)) mapOf(this.bindingsBySubject, subject).set(key, object);
    if (object.kind === 'DatadogAgent' || asDatadogWorkload(object, this.defaultNamespace)) {
      this.datadog.set(key, object);
      mapOf(this.datadogInNamespace, namespace).set(key, object);
    }
  }

  remove(object: KubeObject): void {
    const name = object.metadata?.name;
    if (object.kind && name) this.removeKey(this.keyOf(object.kind, this.namespaceOf(object), name));
  }

  get(kind: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.byKey.get(this.keyOf(kind, namespace, name));
  }

  list(kind: string, namespace?: string): KubeObject[] {
    if (namespace === undefined) return [...(this.byKind.get(kind)?.values() ?? [])];
    // A cluster-scoped kind has no namespace, so asking for one in a namespace finds nothing.
    if (isClusterScoped(kind)) return [];
    return [...(this.byKindInNamespace.get(`${kind}\u0000${namespace}`)?.values() ?? [])];
  }

  bindingsForServiceAccount(namespace: string, name: string): KubeObject[] {
    const keys = subjectsNamingServiceAccount(namespace, name).flatMap((subject) => subjectKey(subject) ?? []);
    const out = new Map<string, KubeObject>();
    for (const key of keys) for (const [k, binding] of this.bindingsBySubject.get(key) ?? []) out.set(k, binding);
    return [...out.values()];
  }

  datadogWorkloads(namespace?: string): KubeObject[] {
    if (namespace === undefined) return [...this.datadog.values()];
    return [...(this.datadogInNamespace.get(namespace)?.values() ?? [])];
  }

  /** Namespaces holding a Datadog workload or DatadogAgent. */
  datadogNamespaces(): string[] {
    return [...this.datadogInNamespace].filter(([, objects]) => objects.size > 0).map(([namespace]) => namespace);
  }

  get size(): number {
    return this.byKey.size;
  }

  private removeKey(key: string): void {
    const old = this.byKey.get(key);
    if (!old) return;
    this.changes++;
    this.byKey.delete(key);
    const namespace = this.namespaceOf(old) ?? '';
    this.byKind.get(old.kind ?? '')?.delete(key);
    this.byKindInNamespace.get(`${old.kind ?? ''}\u0000${namespace}`)?.delete(key);
    for (const subject of this.subjectKeys(old)) this.bindingsBySubject.get(subject)?.delete(key);
    this.datadog.delete(key);
    this.datadogInNamespace.get(namespace)?.delete(key);
  }

  private subjectKeys(object: KubeObject): string[] {
    return subjectsOfBinding(object, this.defaultNamespace).flatMap((subject) => subjectKey(subject) ?? []);
  }
}

function mapOf<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map()));
  return inner;
}
