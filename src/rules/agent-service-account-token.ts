import type { Rule } from '../engine/types.js';
import { asDatadogWorkload, type DatadogWorkload } from '../datadog/components.js';
import { mainContainer, type MainContainer } from '../datadog/component-settings.js';
import { isRecord, type PodSpec } from '../kube-model/types.js';
import type { World } from '../kube-model/world.js';
import { serviceAccountOf, WORKLOAD_KINDS } from '../kube-model/pod-template.js';

const TOKEN_DIRECTORY = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * The node Agent authenticates to the kubelet with its ServiceAccount token, or the file named by
 * DD_KUBELET_AUTH_TOKEN_PATH (datadog.md §2.4). With no token the kubelet answers 401, a failure of
 * authentication that no RBAC rule fixes.
 */
export const rule: Rule = {
  id: 'agent-service-account-token',
  title: 'Node Agent has no token for the kubelet',
  defaultSeverity: 'warning',
  description:
    'With automountServiceAccountToken: false on the node Agent pod (or on its ServiceAccount when the pod does ' +
    'not say), and neither DD_KUBELET_AUTH_TOKEN_PATH nor a projected serviceAccountToken volume, the Agent calls ' +
    'the kubelet without a bearer token. A kubelet with anonymous auth disabled answers 401: "unexpected status ' +
    'code 401 on https://<NODE_IP>:10250/pods".',
  remediation:
    'Let the node Agent pod mount its ServiceAccount token (automountServiceAccountToken: true, the chart\'s default), or mount a projected serviceAccountToken volume and point DD_KUBELET_AUTH_TOKEN_PATH at it.',
  targets: [...WORKLOAD_KINDS],
  affectedBy: ['ServiceAccount'],
  example: {
    bad: ['spec:', '  automountServiceAccountToken: false', '  containers:', '    - name: agent'].join('\n'),
    good: ['spec:', '  automountServiceAccountToken: true', '  containers:', '    - name: agent'].join('\n'),
  },
  evaluate(object, { world }) {
    const workload = asDatadogWorkload(object, world.defaultNamespace);
    if (workload?.component !== 'node-agent') return [];
    const { spec } = workload.template;
    const off = automountOff(workload, world);
    if (!off) return [];
    const { why, path } = off;
    const main = mainContainer(workload, world);
    if (!main || tokenReachesOtherwise(main, spec)) return [];
    const maybe = main.unresolved.length ? ` (DD_KUBELET_AUTH_TOKEN_PATH may still come from ${main.unresolved.join(', ')}, which could not be read)` : '';
    return [{
      message:
        `No ServiceAccount token reaches the node Agent: ${why}, and container "${main.container.name}" has no ` +
        `DD_KUBELET_AUTH_TOKEN_PATH and the pod no projected serviceAccountToken volume${maybe}. The Agent calls the ` +
        'kubelet without a bearer token; with anonymous auth disabled the kubelet answers 401 ("unexpected status ' +
        'code 401 on https://<NODE_IP>:10250/pods", debug log "token used: false"), and no RBAC rule fixes a 401.',
      path,
    }];
  },
};

/** Why no token is mounted at the default path, or undefined when one is. */
function automountOff(workload: DatadogWorkload, world: World): { why: string; path: string } | undefined {
  const { spec, specPath } = workload.template;
  if (spec.automountServiceAccountToken === false) {
    return { why: 'the pod sets automountServiceAccountToken: false', path: `${specPath}/automountServiceAccountToken` };
  }
  if (spec.automountServiceAccountToken !== undefined) return undefined;
  const account = serviceAccountOf(spec);
  const sa = world.get('ServiceAccount', workload.namespace, account);
  if (sa.state !== 'found' || sa.value['automountServiceAccountToken'] !== false) return undefined;
  return {
    why: `its ServiceAccount ${workload.namespace}/${account} sets automountServiceAccountToken: false and the pod does not override it`,
    path: specPath + (spec.serviceAccountName ? '/serviceAccountName' : ''),
  };
}

/** A token path set explicitly, a projected token volume, or a mount at the default token directory. */
function tokenReachesOtherwise(main: MainContainer, spec: PodSpec): boolean {
  const tokenPath = main.env.get('DD_KUBELET_AUTH_TOKEN_PATH');
  if (tokenPath && !(tokenPath.source.kind === 'literal' && tokenPath.source.value === '')) return true;
  const volumes = Array.isArray(spec.volumes) ? spec.volumes : [];
  const projected = volumes.some((volume) => {
    const sources = isRecord(volume?.['projected']) ? volume['projected']['sources'] : undefined;
    return Array.isArray(sources) && sources.some((s: unknown) => isRecord(s) && isRecord(s['serviceAccountToken']));
  });
  return projected || (main.container.volumeMounts ?? []).some((m) => m?.mountPath?.replace(/\/+$/, '') === TOKEN_DIRECTORY);
}
