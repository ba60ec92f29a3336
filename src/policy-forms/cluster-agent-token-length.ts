import type { PolicyForm } from './types.js';
import { TOKEN_LENGTH, tokenTargets } from './token-sites.js';

export const policy: PolicyForm = {
  covers:
    'a token shorter than 32 bytes in a token Secret the Helm chart or the Operator named and labelled (or with a ' +
    '`DD_CLUSTER_AGENT_AUTH_TOKEN` key), in a literal `DD_CLUSTER_AGENT_AUTH_TOKEN` of a workload with the ' +
    '`agent.datadoghq.com/component` label, and in a DatadogAgent\'s `clusterAgentToken`',
  targets: tokenTargets(TOKEN_LENGTH),
};
