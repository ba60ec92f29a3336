// What of the cluster the rules ask about, decided in one place for every reader (the webhook's live world,
// `serve --audit-interval` and `ddguard audit`), so a judgement at admission and one by the audit agree.
import type { KubeObject } from '../kube-model/types.js';
import { containersOf } from '../kube-model/pod-template.js';
import { isRecord, type Container } from '../kube-model/types.js';
import { asDatadogWorkload } from '../datadog/components.js';
import { datadogAgentTokenOf, isDatadogAgent } from '../datadog/datadog-agent.js';
import { CLUSTER_AGENT_PERMISSIONS, CLUSTER_CHECKS_RUNNER_PERMISSIONS, NODE_AGENT_KUBELET_PERMISSIONS, NODE_AGENT_PERMISSIONS } from '../datadog/permissions.js';
import type { ListedKind } from './lister.js';
import { refKey, type ObjectRef } from './references.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * The object as ddguard keeps it, or undefined when it takes no part in a rule: a workload that is not
 * Datadog's is dropped (memory follows the Datadog footprint, not the cluster's size). What is kept loses
 * what no rule reads and that can be the bulk of an object: managedFields, kubectl's last-applied copy, status.
 */
export function keepForRules(listed: ListedKind, object: KubeObject, defaultNamespace: string): KubeObject | undefined {
  if (listed.datadogOnly && !asDatadogWorkload(object, defaultNamespace)) return undefined;
  return trimmed(object);
}

/**
 * Whether a listed item may be Datadog's workload, from its JSON bytes alone, so that the others need not be
 * parsed (lister.ts `mayKeep`). Every way asDatadogWorkload recognises one names "datadog" (the component label
 * `agent.datadoghq.com/component`; an image from one of Datadog's registries, each of which has "datadog" in it)
 * or "DD_" (`DD_API_KEY`, `DD_CLC_RUNNER_ENABLED`), and the API server writes letters, `.`, `/` and `_`
 * unescaped: whatever asDatadogWorkload keeps passes.
 */
export function mayBeDatadogWorkload(item: Buffer): boolean {
  return item.includes(DATADOG_BYTES) || item.includes(DD_BYTES);
}

const DATADOG_BYTES = Buffer.from('datadog');
const DD_BYTES = Buffer.from('DD_');

/** The test on a listed kind's bytes its reader passes as `mayKeep`: only for kinds of which only Datadog's are kept. */
export function mayKeepOf(listed: ListedKind): ((item: Buffer) => boolean) | undefined {
  return listed.datadogOnly ? mayBeDatadogWorkload : undefined;
}

export function trimmed(object: KubeObject): KubeObject {
  const { status: _status, ...rest } = object as KubeObject & { status?: unknown };
  const metadata = object.metadata;
  if (!metadata) return rest;
  const { managedFields: _managedFields, annotations, ...kept } = metadata as typeof metadata & { managedFields?: unknown };
  if (annotations && !(LAST_APPLIED in annotations)) return { ...rest, metadata: { ...kept, annotations } };
  if (annotations) {
    const { [LAST_APPLIED]: _lastApplied, ...others } = annotations;
    if (Object.keys(others).length > 0) return { ...rest, metadata: { ...kept, annotations: others } };
  }
  return { ...rest, metadata: kept };
}

/** Namespaces the catalogue names outright (kube-system, for the extension-apiserver-authentication ConfigMap). */
export const CATALOGUE_NAMESPACES: readonly string[] = [
  ...new Set(
    [CLUSTER_AGENT_PERMISSIONS, NODE_AGENT_KUBELET_PERMISSIONS, NODE_AGENT_PERMISSIONS, CLUSTER_CHECKS_RUNNER_PERMISSIONS]
      .flat()
      .flatMap((entry) => entry.namespace ?? []),
  ),
].sort();

/**
 * Where Roles, RoleBindings and ServiceAccounts are read: the namespaces Datadog's workloads and DatadogAgents
 * are in, and those the catalogue names. The rules ask of them only a Datadog ServiceAccount (in its workload's
 * namespace) and its access in its own namespace or one the catalogue names; a RoleBinding grants nothing
 * outside its namespace, and cluster-wide access comes from ClusterRoleBindings, read everywhere. On a cluster
 * of 2,000 team namespaces, reading every namespace's RBAC held 12,000 objects no rule looks at.
 */
export function rbacNamespaces(datadogNamespaces: Iterable<string>): string[] {
  return [...new Set([...datadogNamespaces, ...CATALOGUE_NAMESPACES])].filter((namespace) => namespace !== '').sort();
}

/**
 * Every Secret and ConfigMap the given Datadog workloads and DatadogAgents read: env (`secretKeyRef`,
 * `configMapKeyRef`), `envFrom`, ConfigMap volumes (conf.d check configs, a mounted datadog.yaml), the
 * DatadogAgent's token field, and the names the Helm chart (`<Cluster Agent Deployment>`) and the Operator
 * (`<dda>-token`) give their token Secrets. Objects that are neither give none. Sorted, without duplicates.
 */
export function referencedObjects(objects: Iterable<KubeObject>, defaultNamespace: string): ObjectRef[] {
  const out = new Map<string, ObjectRef>();
  const add: AddRef = (kind, namespace, name) => {
    if (typeof name !== 'string' || name === '' || namespace === '') return;
    const ref = { kind, namespace, name };
    out.set(refKey(ref), ref);
  };
  for (const object of objects) {
    if (isDatadogAgent(object)) addDatadogAgentRefs(object, defaultNamespace, add);
    else addWorkloadRefs(object, defaultNamespace, add);
  }
  return [...out.values()].sort((a, b) => refKey(a).localeCompare(refKey(b)));
}

type AddRef = (kind: ObjectRef['kind'], namespace: string, name: unknown) => void;

function addDatadogAgentRefs(object: KubeObject, defaultNamespace: string, add: AddRef): void {
  const token = datadogAgentTokenOf(object, defaultNamespace);
  add('Secret', token.secret.namespace, token.secret.name);
  add('Secret', object.metadata?.namespace || defaultNamespace, object.metadata?.name ? `${object.metadata.name}-token` : '');
}

function addWorkloadRefs(object: KubeObject, defaultNamespace: string, add: AddRef): void {
  const workload = asDatadogWorkload(object, defaultNamespace);
  if (!workload) return;
  const { namespace } = workload;
  if (workload.component === 'cluster-agent') add('Secret', namespace, object.metadata?.name);
  for (const { container } of containersOf(workload.template.spec)) addContainerRefs(container, namespace, add);
  const volumes = Array.isArray(workload.template.spec.volumes) ? workload.template.spec.volumes : [];
  for (const volume of volumes) {
    const configMap = isRecord(volume?.['configMap']) ? volume['configMap'] : undefined;
    add('ConfigMap', namespace, configMap?.['name']);
  }
}

function addContainerRefs(container: Container, namespace: string, add: AddRef): void {
  for (const variable of container.env ?? []) {
    add('Secret', namespace, variable?.valueFrom?.secretKeyRef?.name);
    add('ConfigMap', namespace, variable?.valueFrom?.configMapKeyRef?.name);
  }
  for (const from of container.envFrom ?? []) {
    add('Secret', namespace, from?.secretRef?.name);
    add('ConfigMap', namespace, from?.configMapRef?.name);
  }
}
