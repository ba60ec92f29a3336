import type { PolicyForm } from './types.js';
import {
  hasPlainLiteral,
  labelledComponent,
  NOT_EXEMPTED,
  NOT_KUBERNETES_CONTROLLER,
  plainLiteral,
  WORKLOAD_RESOURCES,
  WORKLOAD_VARIABLES,
} from './cel.js';

const VARIABLE = 'DD_CLUSTER_AGENT_URL';

/** A literal URL with a scheme other than https (no scheme is fine: the Agent prepends https://). */
function fails(c: string): string {
  const url = plainLiteral(c, VARIABLE);
  return `(${hasPlainLiteral(c, VARIABLE)} && ${url}.contains('://') && !${url}.lowerAscii().startsWith('https://'))`;
}

export const policy: PolicyForm = {
  covers:
    'a literal DD_CLUSTER_AGENT_URL whose scheme is not https on a workload with the ' +
    '`agent.datadoghq.com/component` label (values from ConfigMaps or `$(VAR)`, and DatadogAgents, are left to the webhook)',
  targets: [{
    name: 'workloads',
    exactness: 'under',
    resources: WORKLOAD_RESOURCES,
    matchPolicy: 'Equivalent',
    matchConditions: [NOT_KUBERNETES_CONTROLLER, NOT_EXEMPTED, labelledComponent(['agent', 'cluster-agent', 'cluster-checks-runner'])],
    variables: [...WORKLOAD_VARIABLES],
    validations: [{
      expression: `!variables.containers.exists(c, ${fails('c')})`,
      detail:
        `variables.containers.filter(c, ${fails('c')}).map(c, '${VARIABLE} on container "' + c.name + '" is "' + ` +
        `${plainLiteral('c', VARIABLE)} + '", not https: the Agent refuses it ("cannot get cluster agent endpoint, not a https scheme") ` +
        "and never connects to the Cluster Agent, whose API only speaks TLS.')[0]",
    }],
  }],
};
