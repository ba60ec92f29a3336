import type { Rule, RuleFinding } from '../engine/types.js';
import { envEntriesFor } from '../datadog/env-entries.js';
import { envValue, type ResolvedEnv } from '../kube-model/env.js';
import { WORKLOAD_KINDS } from '../kube-model/pod-template.js';
import type { World } from '../kube-model/world.js';
import { policy } from '../policy-forms/cluster-agent-url-https.js';

const VARIABLE = 'DD_CLUSTER_AGENT_URL';

/**
 * The Agent refuses a Cluster Agent URL whose scheme is not https (DA getClusterAgentEndpoint, datadog.md §4):
 * `http://…` fails with "cannot get cluster agent endpoint, not a https scheme: <url>"; any other scheme with
 * "… not a https scheme: <scheme>"; no scheme at all is fine, the Agent prepends https://.
 */
export const rule: Rule = {
  id: 'cluster-agent-url-https',
  title: 'Cluster Agent URL is not https',
  defaultSeverity: 'error',
  description:
    'The Cluster Agent serves its API over TLS only, and the node Agent and cluster-checks runner refuse any ' +
    'DD_CLUSTER_AGENT_URL whose scheme is not https: "cannot get cluster agent endpoint, not a https scheme". ' +
    'They then never reach the Cluster Agent (no cluster checks, no cluster-level tags). A URL without a scheme ' +
    'is accepted: the Agent prepends https://.',
  remediation: 'Use an https:// URL for DD_CLUSTER_AGENT_URL (e.g. https://datadog-cluster-agent.datadog.svc:5005), or drop the scheme, or unset it so the Agent finds the Cluster Agent Service itself.',
  targets: [...WORKLOAD_KINDS, 'DatadogAgent'],
  policy,
  example: {
    bad: ['- name: DD_CLUSTER_AGENT_URL', '  value: "http://datadog-cluster-agent.datadog.svc:5005"'].join('\n'),
    good: ['- name: DD_CLUSTER_AGENT_URL', '  value: "https://datadog-cluster-agent.datadog.svc:5005"'].join('\n'),
  },
  evaluate(object, { world }) {
    const findings: RuleFinding[] = [];
    for (const { subject, entry, path } of envEntriesFor(object, VARIABLE, ['node-agent', 'cluster-agent', 'cluster-checks-runner'], world)) {
      const judged = judge(entry, world);
      if (judged) findings.push({ message: `${subject} ${judged}`, path });
    }
    return findings;
  },
};

/** What is wrong with the URL's scheme, or undefined when the Agent accepts it (or the world cannot tell). */
function judge(entry: ResolvedEnv, world: World): string | undefined {
  const source = entry.source;
  // A `$(VAR)` template keeps its scheme in the text: "http://$(HOST):5005" is refused whatever HOST is.
  const value = source.kind === 'composite' ? source.template : envValue(entry, world);
  if (value === undefined || value === '') return undefined;
  const shown = source.kind === 'secret' ? `the value of Secret ${source.name} key ${source.key}` : `"${value}"`;
  const from = source.kind === 'configMap' ? ` (from ConfigMap ${source.name} key ${source.key})` : '';
  if (value.startsWith('http://')) {
    return `is ${shown}${from}, plain http: the Agent refuses it with "cannot get cluster agent endpoint, not a https scheme: ${source.kind === 'secret' ? '<url>' : value}" and never connects to the Cluster Agent, whose API only speaks TLS.`;
  }
  const separator = value.indexOf('://');
  if (separator === -1) return undefined;
  const scheme = value.slice(0, separator).toLowerCase();
  if (scheme === 'https') return undefined;
  return `is ${shown}${from}, with scheme "${scheme || '(empty)'}": the Agent refuses it ("cannot get cluster agent endpoint, not a https scheme: ${scheme}") and never connects to the Cluster Agent.`;
}
