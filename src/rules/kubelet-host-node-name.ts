import type { Rule, RuleFinding } from '../engine/types.js';
import { envEntriesFor } from '../datadog/env-entries.js';
import { classifyKubeletHost, onEksFargate } from '../datadog/kubelet-host.js';

const VARIABLE = 'DD_KUBERNETES_KUBELET_HOST';

/**
 * `spec.nodeName` as the kubelet host is per node, but it is a name: it must resolve in cluster DNS and be in the
 * kubelet's serving certificate when TLS is verified (datadog.md §2.3). Many clusters meet neither.
 */
export const rule: Rule = {
  id: 'kubelet-host-node-name',
  title: 'Kubelet host is the node name',
  defaultSeverity: 'warning',
  description:
    'DD_KUBERNETES_KUBELET_HOST from fieldRef spec.nodeName works only where node names resolve in the cluster\'s ' +
    'DNS and appear in the kubelet\'s serving certificate (kubelet_tls_verify is on by default). Elsewhere the ' +
    'Agent cannot reach the kubelet ("impossible to reach Kubelet with HTTP") or fails the TLS check.',
  remediation: 'Use valueFrom.fieldRef.fieldPath: status.hostIP for DD_KUBERNETES_KUBELET_HOST, the chart\'s and the Operator\'s default.',
  targets: ['DaemonSet', 'DatadogAgent'],
  example: {
    bad: ['- name: DD_KUBERNETES_KUBELET_HOST', '  valueFrom:', '    fieldRef:', '      fieldPath: spec.nodeName'].join('\n'),
    good: ['- name: DD_KUBERNETES_KUBELET_HOST', '  valueFrom:', '    fieldRef:', '      fieldPath: status.hostIP'].join('\n'),
  },
  evaluate(object, { world }) {
    return envEntriesFor(object, VARIABLE, ['node-agent'], world)
      .filter(({ place }) => !onEksFargate(place, world))
      .filter(({ entry, place }) => classifyKubeletHost(entry.source, place.hostNetwork, world).kind === 'node-name')
      .map(({ subject, entry, path }): RuleFinding => ({
        message:
          `${subject} is ${entry.source.kind === 'field' ? 'fieldRef spec.nodeName' : `"${entry.source.kind === 'composite' ? entry.source.template : ''}", built from spec.nodeName`}: ` +
          'the Agent reaches the kubelet only if node names resolve in the cluster\'s DNS and, with kubelet_tls_verify ' +
          'on (the default), appear in the kubelet\'s serving certificate; otherwise it logs "impossible to reach ' +
          'Kubelet with HTTP".',
        path,
      }));
  },
};
