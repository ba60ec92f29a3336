import type { Rule } from '../engine/types.js';
import { buildRegistry } from './registry.js';
import { rule as clusterAgentTokenLength } from './cluster-agent-token-length.js';
import { rule as clusterAgentTokenWhitespace } from './cluster-agent-token-whitespace.js';
import { rule as clusterAgentTokenMismatch } from './cluster-agent-token-mismatch.js';
import { rule as clusterAgentTokenRef } from './cluster-agent-token-ref.js';
import { rule as clusterAgentTokenInline } from './cluster-agent-token-inline.js';
import { rule as kubeletHostPerNode } from './kubelet-host-per-node.js';
import { rule as kubeletHostNodeName } from './kubelet-host-node-name.js';
import { rule as hostnamePerNode } from './hostname-per-node.js';
import { rule as clusterAgentUrlHttps } from './cluster-agent-url-https.js';
import { rule as clusterAgentRbac } from './cluster-agent-rbac.js';
import { rule as agentRbacKubelet } from './agent-rbac-kubelet.js';
import { rule as agentRbac } from './agent-rbac.js';
import { rule as clusterChecksRunnerRbac } from './cluster-checks-runner-rbac.js';
import { rule as agentServiceAccountToken } from './agent-service-account-token.js';
import { rule as clusterAgentProbePort } from './cluster-agent-probe-port.js';
import { rule as datadogagentTokenSecretConfig } from './datadogagent-token-secret-config.js';

/**
 * The ordered rule registry: the one list the webhook, `check` and the audit run, and the order findings are
 * reported in. One file per rule, named after its id.
 */
export const RULES: readonly Rule[] = buildRegistry([
  // Cluster Agent token
  clusterAgentTokenLength,
  clusterAgentTokenWhitespace,
  clusterAgentTokenMismatch,
  clusterAgentTokenRef,
  clusterAgentTokenInline,
  // Kubelet, hostname and Cluster Agent URL
  kubeletHostPerNode,
  kubeletHostNodeName,
  hostnamePerNode,
  clusterAgentUrlHttps,
  // RBAC, service-account token and probes
  clusterAgentRbac,
  agentRbacKubelet,
  agentRbac,
  clusterChecksRunnerRbac,
  agentServiceAccountToken,
  clusterAgentProbePort,
  // Operator
  datadogagentTokenSecretConfig,
]);
