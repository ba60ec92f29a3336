import { fieldPathsOf, type EnvSource } from '../kube-model/env.js';
import type { World } from '../kube-model/world.js';
import { boolSetting, describeRef } from './component-settings.js';
import type { EnvPlace } from './env-entries.js';

/**
 * How a kubelet-host value reaches the node's kubelet (datadog.md §2.3): `status.hostIP` is per node; a value
 * shared by every pod (literal, Secret, ConfigMap) makes every Agent read one kubelet; `status.podIP` is the
 * pod's own network namespace unless the pod uses the host network; `spec.nodeName` works only where node
 * names resolve.
 */
export type KubeletHostVerdict =
  | { kind: 'per-node' }
  | { kind: 'node-name' }
  | { kind: 'unset' }
  | { kind: 'shared'; what: string }
  | { kind: 'pod-ip'; what: string }
  | { kind: 'not-a-host'; what: string };

const HOST_IP_FIELDS = new Set(['status.hostIP', 'status.hostIPs']);
const POD_IP_FIELDS = new Set(['status.podIP', 'status.podIPs']);

export function classifyKubeletHost(source: EnvSource, hostNetwork: boolean, world?: World): KubeletHostVerdict {
  switch (source.kind) {
    case 'literal':
      return source.value === '' ? { kind: 'unset' } : { kind: 'shared', what: `the literal "${source.value}"` };
    case 'secret':
    case 'configMap':
      return { kind: 'shared', what: describeRef(source, world) };
    case 'resource':
      return { kind: 'not-a-host', what: `resourceFieldRef ${source.resource}` };
    case 'unresolved':
    case 'tooLarge':
      // Unknown: a warning at most, never a finding built on a guess.
      return { kind: 'per-node' };
    case 'field':
    case 'composite':
      return classifyDownwardApi(source, hostNetwork);
  }
}

function classifyDownwardApi(source: Extract<EnvSource, { kind: 'field' | 'composite' }>, hostNetwork: boolean): KubeletHostVerdict {
  const fields = fieldPathsOf(source);
  const what = source.kind === 'field' ? `fieldRef ${source.fieldPath}` : `"${source.template}" (fieldRef ${fields.join(', ') || 'none'})`;
  if (fields.some((f) => HOST_IP_FIELDS.has(f))) return { kind: 'per-node' };
  if (fields.includes('spec.nodeName')) return { kind: 'node-name' };
  if (fields.some((f) => POD_IP_FIELDS.has(f))) return hostNetwork ? { kind: 'per-node' } : { kind: 'pod-ip', what };
  if (fields.length > 0) return { kind: 'not-a-host', what };
  return { kind: 'shared', what };
}

/** Downward-API fields whose value differs from pod to pod (and so from node to node in a DaemonSet). */
export const PER_POD_FIELDS: ReadonlySet<string> = new Set([
  'spec.nodeName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs', 'metadata.name', 'metadata.uid',
]);

/**
 * A workload container told it runs on EKS Fargate (DD_EKS_FARGATE): it reaches its kubelet through the API
 * server, so its kubelet host is not judged. A DatadogAgent's overrides are judged whatever they say.
 */
export function onEksFargate(place: EnvPlace, world: World): boolean {
  return place.container !== undefined && boolSetting(place, 'DD_EKS_FARGATE', world) === true;
}
