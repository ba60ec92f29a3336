import type { KubeObject } from '../kube-model/types.js';
import { asDatadogWorkload } from '../datadog/components.js';

/**
 * Kinds a rule can ask the World about, besides Datadog's workloads: what `check` must keep until the end of
 * its input, because an object read later may ask about them. Worked out from the World's questions and the
 * rules that ask them: `get` of ServiceAccounts (token automount), Services (the Cluster Agent's), ConfigMaps
 * and Secrets (env and token references), Roles and ClusterRoles (RBAC); `list` of ClusterRoleBindings;
 * `secret`; `bindingsForServiceAccount` (RoleBindings, ClusterRoleBindings); `datadogWorkloads` (DatadogAgents
 * and the workloads `asDatadogWorkload` recognises). test/world/store-retention.test.ts fails when a rule asks
 * about any other kind.
 */
export const REFERENCED_KINDS: ReadonlySet<string> = new Set([
  'Secret',
  'ConfigMap',
  'Service',
  'ServiceAccount',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'DatadogAgent',
]);

/**
 * Whether another object's rules can ask about `object`. Every other object (an application's Deployment, a
 * Pod, an Ingress) takes no part in a cross-object question: `check` judges it as it streams in and keeps
 * only its findings. A workload kind is answered from Datadog's workloads alone.
 */
export function isReferenceable(object: KubeObject, defaultNamespace: string): boolean {
  return REFERENCED_KINDS.has(object.kind ?? '') || asDatadogWorkload(object, defaultNamespace) !== undefined;
}
