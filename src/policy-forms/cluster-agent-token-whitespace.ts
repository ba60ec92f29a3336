import type { PolicyForm } from './types.js';
import { TOKEN_WHITESPACE, tokenTargets } from './token-sites.js';

export const policy: PolicyForm = {
  covers:
    'whitespace or control characters in the same token places as cluster-agent-token-length: a token Secret the ' +
    'Helm chart or the Operator named and labelled (or with a `DD_CLUSTER_AGENT_AUTH_TOKEN` key), a literal ' +
    '`DD_CLUSTER_AGENT_AUTH_TOKEN` of a labelled Datadog workload, and a DatadogAgent\'s `clusterAgentToken`',
  targets: tokenTargets(TOKEN_WHITESPACE),
};
