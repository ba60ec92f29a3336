import { PER_POD_FIELDS } from '../datadog/kubelet-host.js';
import type { PolicyForm } from './types.js';
import {
  celList,
  DAEMONSET_RESOURCES,
  hasPlainLiteral,
  labelledComponent,
  lastEnvSatisfies,
  NOT_EXEMPTED,
  NOT_KUBERNETES_CONTROLLER,
  WORKLOAD_VARIABLES,
} from './cel.js';
import { valueFromFails } from './value-from.js';

const VARIABLE = 'DD_HOSTNAME';

/** isShared on what the container alone shows, in sourceOf's order: anything but a per-pod field or `$(VAR)`. */
function fails(c: string): string {
  const fieldFails = (field: string) => `!(${field} in ${celList([...PER_POD_FIELDS])})`;
  return `(${hasPlainLiteral(c, VARIABLE)} || ${lastEnvSatisfies(c, VARIABLE, (e) => valueFromFails(e, fieldFails))})`;
}

export const policy: PolicyForm = {
  covers:
    'on a node Agent DaemonSet with the `agent.datadoghq.com/component: agent` label, a DD_HOSTNAME that is a ' +
    'literal, read from a Secret or ConfigMap, or a field shared by every pod (a `$(VAR)` value, and ' +
    'DatadogAgents, are left to the webhook)',
  targets: [{
    name: 'daemonsets',
    exactness: 'under',
    resources: DAEMONSET_RESOURCES,
    matchPolicy: 'Equivalent',
    matchConditions: [NOT_KUBERNETES_CONTROLLER, NOT_EXEMPTED, labelledComponent(['agent'])],
    variables: [...WORKLOAD_VARIABLES],
    validations: [{
      expression: `!variables.containers.exists(c, ${fails('c')})`,
      detail:
        `variables.containers.filter(c, ${fails('c')}).map(c, '${VARIABLE} on container "' + c.name + '" is the same ` +
        "for every node Agent pod: every Agent reports under that one hostname, so the nodes collapse into one host " +
        "and the Orchestrator Explorer shows every node with all the pods.')[0]",
    }],
  }],
};
