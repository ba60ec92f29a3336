import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { KubeObject } from '../k8s/types.js';
import { containersOf } from '../k8s/podTemplate.js';
import { asDatadogWorkload } from '../datadog/components.js';
import { datadogAgentTokenOf, isDatadogAgent } from '../datadog/token.js';
import { AUDITED_KINDS, listEach, type ListOptions } from '../kube/lister.js';
import { SecretReader } from '../kube/secrets.js';
import { KubeError, statusOf, toKubeError } from '../kube/errors.js';
import { ObjectStore } from '../world/store.js';

export interface CollectOptions extends ListOptions {
  /** Only these namespaces (cluster-scoped RBAC is always read); empty or absent means all. */
  namespaces?: readonly string[];
}

export interface Collected {
  store: ObjectStore;
  /** Secrets read by `get`, in the store too; these are judged as token Secrets by the rules. */
  secrets: KubeObject[];
  /** Secrets looked for and not found (references, and default names that may simply be unused). */
  missingSecrets: string[];
}

/**
 * Reads what the rules need from the cluster: RBAC and ServiceAccounts in full, only the Datadog workloads
 * among Deployments/DaemonSets/StatefulSets (so memory follows the Datadog footprint, not the cluster's size),
 * DatadogAgents, then the Secrets those reference, each by `get`.
 */
export async function collectCluster(kc: KubeConfig, options: CollectOptions = {}): Promise<Collected> {
  const store = new ObjectStore('default');
  const namespaces = options.namespaces?.length ? options.namespaces : [undefined];
  for (const listed of AUDITED_KINDS) {
    const scopes = listed.namespaced ? namespaces : [undefined];
    const workload = ['Deployment', 'DaemonSet', 'StatefulSet'].includes(listed.kind);
    for (const namespace of scopes) {
      await listEach(kc, listed, namespace, (object) => {
        if (workload && !asDatadogWorkload(object, store.defaultNamespace)) return;
        store.upsert(object);
      }, options);
    }
  }
  const reader = new SecretReader(kc);
  const secrets: KubeObject[] = [];
  const missingSecrets: string[] = [];
  for (const ref of referencedSecrets(store)) {
    const [namespace, name] = ref.split('/') as [string, string];
    const lookup = await reader.get(namespace, name);
    if (lookup.state === 'found') {
      store.upsert(lookup.value);
      secrets.push(lookup.value);
    } else if (lookup.state === 'absent') missingSecrets.push(ref);
    else throw new KubeError(/permission missing/.test(lookup.reason) ? 'DDG_KUBE_FORBIDDEN' : 'DDG_KUBE_API', lookup.reason);
  }
  // ConfigMaps feed env (envFrom, configMapKeyRef) the rules resolve; read by `get` like Secrets.
  const core = kc.makeApiClient(CoreV1Api);
  for (const ref of referencedConfigMaps(store)) {
    const [namespace, name] = ref.split('/') as [string, string];
    try {
      const configMap = await core.readNamespacedConfigMap({ namespace, name });
      store.upsert({ ...(configMap as unknown as KubeObject), apiVersion: 'v1', kind: 'ConfigMap' });
    } catch (error: unknown) {
      if (statusOf(error)?.code !== 404) throw toKubeError(error, { verb: 'get', resource: 'configmaps', namespace });
    }
  }
  return { store, secrets, missingSecrets };
}

/**
 * `namespace/name` of every Secret a Datadog workload or DatadogAgent reads (env, envFrom, the token
 * field), plus the names the Helm chart (`<Cluster Agent Deployment>`) and the Operator (`<dda>-token`) give
 * their token Secrets.
 */
export function referencedSecrets(store: ObjectStore): string[] {
  const out = new Set(store.datadogWorkloads().flatMap((object) => secretsReferencedBy(object, store.defaultNamespace)));
  return [...out].sort();
}

/** The same for one object; none for an object that is not a Datadog workload or DatadogAgent. */
export function secretsReferencedBy(object: KubeObject, defaultNamespace: string): string[] {
  const out = new Set<string>();
  const namespace = object.metadata?.namespace || defaultNamespace;
  if (isDatadogAgent(object)) {
    const token = datadogAgentTokenOf(object, defaultNamespace);
    out.add(`${token.secret.namespace}/${token.secret.name}`);
    out.add(`${namespace}/${object.metadata?.name ?? ''}-token`);
  } else {
    const workload = asDatadogWorkload(object, defaultNamespace);
    if (!workload) return [];
    if (workload.component === 'cluster-agent') out.add(`${namespace}/${object.metadata?.name ?? ''}`);
    for (const { container } of containersOf(workload.template.spec)) {
      for (const variable of container.env ?? []) {
        const name = variable?.valueFrom?.secretKeyRef?.name;
        if (name) out.add(`${namespace}/${name}`);
      }
      for (const from of container.envFrom ?? []) {
        const name = from?.secretRef?.name;
        if (name) out.add(`${namespace}/${name}`);
      }
    }
  }
  return [...out].filter((ref) => !ref.endsWith('/'));
}

/** `namespace/name` of every ConfigMap a Datadog workload's containers read variables from. */
export function referencedConfigMaps(store: ObjectStore): string[] {
  const out = new Set<string>();
  for (const object of store.datadogWorkloads()) {
    const workload = isDatadogAgent(object) ? undefined : asDatadogWorkload(object, store.defaultNamespace);
    if (!workload) continue;
    for (const { container } of containersOf(workload.template.spec)) {
      for (const variable of container.env ?? []) {
        const name = variable?.valueFrom?.configMapKeyRef?.name;
        if (name) out.add(`${workload.namespace}/${name}`);
      }
      for (const from of container.envFrom ?? []) {
        const name = from?.configMapRef?.name;
        if (name) out.add(`${workload.namespace}/${name}`);
      }
    }
  }
  return [...out].sort();
}
