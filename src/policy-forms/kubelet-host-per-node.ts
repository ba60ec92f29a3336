import type { PolicyForm } from './types.js';
import {
  DAEMONSET_RESOURCES,
  hasEnv,
  hasPlainLiteral,
  labelledComponent,
  lastEnvSatisfies,
  NOT_EXEMPTED,
  NOT_KUBERNETES_CONTROLLER,
  WORKLOAD_VARIABLES,
} from './cel.js';
import { valueFromFails } from './value-from.js';

const VARIABLE = 'DD_KUBERNETES_KUBELET_HOST';

/**
 * classifyKubeletHost on what the container alone shows, in sourceOf's order (secretKeyRef, configMapKeyRef,
 * fieldRef, resourceFieldRef, value): a Secret or ConfigMap is shared by every pod, a pod-IP field without
 * hostNetwork is the pod's own address, any other field but the host IP and the node name is not a host, a
 * resource is not a host, a literal is shared. A container that may be on EKS Fargate (DD_EKS_FARGATE in its
 * env, or an envFrom that could set it) is left to the webhook.
 */
function fails(c: string): string {
  const fieldFails = (field: string) =>
    `!(${field} in ['status.hostIP', 'status.hostIPs', 'spec.nodeName']) && (!(${field} in ['status.podIP', 'status.podIPs']) || !variables.hostNetwork)`;
  return (
    `(!(has(${c}.envFrom) && size(${c}.envFrom) > 0) && !${hasEnv(c, 'DD_EKS_FARGATE')}` +
    ` && (${hasPlainLiteral(c, VARIABLE)} || ${lastEnvSatisfies(c, VARIABLE, (e) => valueFromFails(e, fieldFails))}))`
  );
}

export const policy: PolicyForm = {
  covers:
    'on a node Agent DaemonSet with the `agent.datadoghq.com/component: agent` label, a DD_KUBERNETES_KUBELET_HOST ' +
    'that is a literal, read from a Secret or ConfigMap, the pod IP without hostNetwork, or a field or resource that ' +
    'is not a host (a missing one, and DatadogAgents, are left to the webhook)',
  targets: [{
    name: 'daemonsets',
    exactness: 'under',
    resources: DAEMONSET_RESOURCES,
    matchPolicy: 'Equivalent',
    matchConditions: [NOT_KUBERNETES_CONTROLLER, NOT_EXEMPTED, labelledComponent(['agent'])],
    variables: [
      ...WORKLOAD_VARIABLES,
      { name: 'hostNetwork', expression: 'has(variables.podSpec.hostNetwork) && variables.podSpec.hostNetwork == true' },
    ],
    validations: [{
      expression: `!variables.containers.exists(c, ${fails('c')})`,
      detail:
        `variables.containers.filter(c, ${fails('c')}).map(c, '${VARIABLE} on container "' + c.name + '" is not ` +
        "the kubelet address of its own node (a literal, a Secret or ConfigMap value, the pod IP without hostNetwork, or a " +
        "field that is not a host): every node Agent reads the wrong kubelet, or none, so pods and kubelet metrics are " +
        "reported by the wrong hosts or not at all.')[0]",
    }],
  }],
};
