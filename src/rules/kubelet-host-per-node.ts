import type { Rule, RuleFinding } from '../engine/types.js';
import { asDatadogWorkload } from '../datadog/components.js';
import { boolSetting, mainContainer } from '../datadog/component-settings.js';
import { envEntriesFor, envPlacesFor, subjectOf, type EnvPlace } from '../datadog/env-entries.js';
import { classifyKubeletHost, onEksFargate, type KubeletHostVerdict } from '../datadog/kubelet-host.js';
import type { ResolvedEnv } from '../kube-model/env.js';
import type { World } from '../kube-model/world.js';
import { policy } from '../policy-forms/kubelet-host-per-node.js';

const VARIABLE = 'DD_KUBERNETES_KUBELET_HOST';
const NODE_AGENT = ['node-agent'] as const;
const FIX = 'Set DD_KUBERNETES_KUBELET_HOST from valueFrom.fieldRef.fieldPath: status.hostIP (the chart\'s and the Operator\'s default; with the Operator, leave spec.global.kubelet.host unset).';

/**
 * Each node Agent must read its own node's kubelet (datadog.md §2, §5). Judged on node Agent DaemonSets and on
 * DatadogAgents. The Cluster Agent and cluster-checks runners never use the kubelet and are not judged; on EKS
 * Fargate the kubelet is reached through the API server, and with DD_KUBELET_USE_API_SERVER the pod list comes
 * from the API server, so a missing host is fine there.
 */
export const rule: Rule = {
  id: 'kubelet-host-per-node',
  title: 'Kubelet host is not per node',
  defaultSeverity: 'error',
  description:
    'The node Agent reads pods, its node name and kubelet metrics from the kubelet at DD_KUBERNETES_KUBELET_HOST. ' +
    'A literal (or any value shared by every pod) makes every Agent read one kubelet and report its pods as its ' +
    'own: in the Orchestrator Explorer every node shows all the pods. `status.podIP` without hostNetwork is the ' +
    'pod\'s own address: the connection to :10250 is refused. Unset, the Agent only tries the Docker hostname, ' +
    'which containerd nodes do not have ("impossible to reach Kubelet with HTTP").',
  remediation: FIX,
  targets: ['DaemonSet', 'DatadogAgent'],
  policy,
  example: {
    bad: ['env:', '  - name: DD_KUBERNETES_KUBELET_HOST', '    value: "10.0.0.12"'].join('\n'),
    good: ['env:', '  - name: DD_KUBERNETES_KUBELET_HOST', '    valueFrom:', '      fieldRef:', '        fieldPath: status.hostIP'].join('\n'),
  },
  evaluate(object, { world }) {
    if (object.kind === 'DatadogAgent') {
      return envEntriesFor(object, VARIABLE, NODE_AGENT, world).flatMap(({ subject, entry, path, place }) => {
        const message = problem(classifyKubeletHost(entry.source, place.hostNetwork, world), subject, 'every node Agent pod');
        return message ? [{ message, path }] : [];
      });
    }
    const workload = asDatadogWorkload(object, world.defaultNamespace);
    const main = workload && mainContainer(workload, world);
    const findings: RuleFinding[] = [];
    // Every container, not only those that set the variable: the core Agent's must be set.
    for (const place of envPlacesFor(object, NODE_AGENT, world)) {
      if (onEksFargate(place, world)) continue;
      const entry = place.env.get(VARIABLE);
      const verdict: KubeletHostVerdict = entry ? classifyKubeletHost(entry.source, place.hostNetwork, world) : { kind: 'unset' };
      if (verdict.kind === 'unset') {
        // Only the core Agent is required to have it; the chart's other containers get it, but need not.
        if (!place.container || main?.path !== place.container.path) continue;
        const finding = unsetFinding(place, place.container, entry, world);
        if (finding) findings.push(finding);
        continue;
      }
      const message = problem(verdict, subjectOf(VARIABLE, place), 'every pod of the DaemonSet');
      if (message && entry) findings.push({ message, path: place.base + entry.path });
    }
    return findings;
  },
};

/** The core Agent's kubelet host is unset or empty: a finding unless the Agent reads pods from the API server. */
function unsetFinding(place: EnvPlace, { container, path }: NonNullable<EnvPlace['container']>, entry: ResolvedEnv | undefined, world: World): RuleFinding | undefined {
  const viaApiServer = boolSetting(place, 'DD_KUBELET_USE_API_SERVER', world);
  if (viaApiServer === true) return undefined;
  const doubts = [
    ...(place.unresolved.length ? [`it may come from ${place.unresolved.join(', ')}, which ${world.source === 'manifests' ? 'is not in this manifest set' : 'could not be read'}`] : []),
    ...(viaApiServer === 'maybe' ? ['DD_KUBELET_USE_API_SERVER could not be read'] : []),
    ...(boolSetting(place, 'DD_EKS_FARGATE', world) === 'maybe' ? ['DD_EKS_FARGATE could not be read'] : []),
  ];
  const finding: RuleFinding = {
    message:
      `${VARIABLE} is ${entry ? 'empty' : 'not set'} on ${place.label}: the Agent then only tries the hostname Docker reports, ` +
      'which containerd and CRI-O nodes do not have ("unable to get hostname from docker, make sure to set the ' +
      'kubernetes_kubelet_host option"), and kubelet features fail with "impossible to reach Kubelet with HTTP".' +
      (doubts.length ? ` Could not check for sure: ${doubts.join('; ')}.` : ''),
    path: place.base + (entry ? entry.path : `${path}${Array.isArray(container.env) ? '/env' : ''}`),
  };
  if (doubts.length) finding.downgrade = 'warning';
  return finding;
}

/** The finding's message for a verdict that breaks the Agent; undefined for one that works or another rule's. */
function problem(verdict: KubeletHostVerdict, subject: string, everyPod: string): string | undefined {
  switch (verdict.kind) {
    case 'shared':
      return (
        `${subject} is ${verdict.what}, the same for ${everyPod}: every node Agent reads that one kubelet and takes ` +
        'its pods and its node name as its own, so in the Orchestrator Explorer every node shows all the pods (pods ' +
        'grouped by node add up to the total), and kubelet metrics are reported by every host for one node.'
      );
    case 'pod-ip':
      return (
        `${subject} is ${verdict.what} and the pod does not use hostNetwork: that is the Agent pod's own IP, where ` +
        'nothing listens on the kubelet port 10250, so the connection is refused ("dial tcp <POD_IP>:10250: ' +
        'connect: connection refused") and the Agent logs "impossible to reach Kubelet with HTTP".'
      );
    case 'not-a-host':
      return `${subject} is ${verdict.what}, which is not an address of the node's kubelet: the Agent cannot reach it ("impossible to reach Kubelet with HTTP").`;
    default:
      return undefined;
  }
}
