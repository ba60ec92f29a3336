import type { Rule, RuleFinding } from '../engine/types.js';
import { envEntriesFor } from '../datadog/env-entries.js';
import { describeSource } from '../datadog/component-settings.js';
import { PER_POD_FIELDS } from '../datadog/kubelet-host.js';
import { fieldPathsOf, type EnvSource } from '../kube-model/env.js';
import type { World } from '../kube-model/world.js';
import { policy } from '../policy-forms/hostname-per-node.js';

const VARIABLE = 'DD_HOSTNAME';

/**
 * DD_HOSTNAME is the Agent's hostname source: on a DaemonSet it must differ from node to node (datadog.md §2.3,
 * §5). `$(DD_NODE_NAME)-$(DD_CLUSTER_NAME)` built from fieldRef spec.nodeName (GKE GDC in the chart) is fine;
 * `$(VAR)` built only from literals expands to one literal and is not.
 */
export const rule: Rule = {
  id: 'hostname-per-node',
  title: 'Hostname shared by every node Agent',
  defaultSeverity: 'error',
  description:
    'A literal DD_HOSTNAME on the node Agent DaemonSet (or one read from a Secret or ConfigMap, or built only from ' +
    'literals) gives every node Agent the same hostname: all nodes report as one host, and the Orchestrator ' +
    'Explorer matches every node\'s pods to that host, so each node appears to run all the pods.',
  remediation:
    'Remove DD_HOSTNAME from the node Agent DaemonSet so each Agent derives its own, or build it from per-pod values such as fieldRef spec.nodeName (e.g. "$(DD_NODE_NAME)-$(DD_CLUSTER_NAME)").',
  targets: ['DaemonSet', 'DatadogAgent'],
  policy,
  example: {
    bad: ['- name: DD_HOSTNAME', '  value: "k8s-node"'].join('\n'),
    good: [
      '- name: DD_NODE_NAME',
      '  valueFrom:',
      '    fieldRef:',
      '      fieldPath: spec.nodeName',
      '- name: DD_HOSTNAME',
      '  value: "$(DD_NODE_NAME)-$(DD_CLUSTER_NAME)"',
    ].join('\n'),
  },
  evaluate(object, { world }) {
    return envEntriesFor(object, VARIABLE, ['node-agent'], world)
      .filter(({ entry }) => isShared(entry.source))
      .map(({ subject, entry, path }): RuleFinding => ({
        message:
          `${subject} is ${describe(entry.source, world)}, the same for every node Agent pod: every Agent reports under ` +
          'that one hostname, so the nodes collapse into one host and the Orchestrator Explorer shows every node ' +
          'with all the pods.',
        path,
      }));
  },
};

/** True when the value cannot differ between the pods of a DaemonSet. An empty literal means unset. */
function isShared(source: EnvSource): boolean {
  if (source.kind === 'literal') return source.value !== '';
  if (source.kind === 'unresolved' || source.kind === 'tooLarge') return false;
  if (source.kind === 'field' || source.kind === 'composite') return !fieldPathsOf(source).some((f) => PER_POD_FIELDS.has(f));
  return true;
}

function describe(source: EnvSource, world: World): string {
  if (source.kind === 'composite') {
    const fields = fieldPathsOf(source);
    return `"${source.template}", built from ${fields.length ? `fieldRef ${fields.join(', ')}` : 'values'} shared by every pod`;
  }
  return describeSource(source, world);
}
