import type { Rule, RuleFinding } from '../engine/types.js';
import { asDatadogWorkload } from '../datadog/components.js';
import { boolSetting } from '../datadog/component-settings.js';
import { classifyKubeletHost } from '../datadog/kubelet-host.js';
import { datadogAgentEnv, datadogAgentHostNetwork, datadogAgentKubeletHost } from '../datadog/datadog-agent.js';
import { podEnv, unresolvedEnvFrom, type ResolvedEnv } from '../k8s/env.js';

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
    const found: { subject: string; entry: ResolvedEnv; hostNetwork: boolean; base: string }[] = [];
    if (object.kind === 'DatadogAgent') {
      const namespace = object.metadata?.namespace || world.defaultNamespace;
      const hostNetwork = datadogAgentHostNetwork(object);
      const host = datadogAgentKubeletHost(object, namespace, world);
      if (host) found.push({ subject: 'spec.global.kubelet.host', entry: host, hostNetwork, base: '' });
      for (const { label, env } of datadogAgentEnv(object, 'nodeAgent', namespace, world)) {
        const entry = env.get(VARIABLE);
        if (entry) found.push({ subject: `${VARIABLE} in ${label}`, entry, hostNetwork, base: '' });
      }
    } else {
      const workload = asDatadogWorkload(object, world.defaultNamespace);
      if (workload?.component !== 'node-agent') return [];
      const { spec, specPath } = workload.template;
      for (const { container, path, env } of podEnv(spec, workload.namespace, world)) {
        if (path.startsWith('/initContainers/')) continue;
        const settings = { env, unresolved: unresolvedEnvFrom(container, workload.namespace, world) };
        if (boolSetting(settings, 'DD_EKS_FARGATE', world) === true) continue;
        const entry = env.get(VARIABLE);
        if (entry) found.push({ subject: `${VARIABLE} on container "${container.name}"`, entry, hostNetwork: spec.hostNetwork === true, base: specPath });
      }
    }
    return found
      .filter(({ entry, hostNetwork }) => classifyKubeletHost(entry.source, hostNetwork, world).kind === 'node-name')
      .map(({ subject, entry, base }): RuleFinding => ({
        message:
          `${subject} is ${entry.source.kind === 'field' ? 'fieldRef spec.nodeName' : `"${entry.source.kind === 'composite' ? entry.source.template : ''}", built from spec.nodeName`}: ` +
          'the Agent reaches the kubelet only if node names resolve in the cluster\'s DNS and, with kubelet_tls_verify ' +
          'on (the default), appear in the kubelet\'s serving certificate; otherwise it logs "impossible to reach ' +
          'Kubelet with HTTP".',
        path: base + entry.path,
      }));
  },
};
