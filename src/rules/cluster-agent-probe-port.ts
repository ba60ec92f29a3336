import type { Rule, RuleFinding } from '../engine/types.js';
import type { Container, Probe } from '../kube-model/types.js';
import { asDatadogWorkload } from '../datadog/components.js';
import { envValue } from '../kube-model/env.js';
import { mainContainer } from '../datadog/component-settings.js';
import { containersOf, WORKLOAD_KINDS } from '../kube-model/pod-template.js';

const DEFAULT_API_PORT = 5005;
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;

/**
 * The Cluster Agent's API port (cluster_agent.cmd_port, 5005) speaks TLS only. A kubelet probe that opens TCP
 * and closes it, or sends plain HTTP, ends the handshake early: the Cluster Agent logs "Error from the agent
 * http API server: http: TLS handshake error from <IP>:<PORT>: EOF" at every probe (datadog.md §4).
 */
export const rule: Rule = {
  id: 'cluster-agent-probe-port',
  title: 'Cluster Agent probe on the TLS API port',
  defaultSeverity: 'warning',
  description:
    'Probing the Cluster Agent\'s API port 5005 with tcpSocket, or with httpGet over plain HTTP, opens a connection ' +
    'that never completes a TLS handshake: the Cluster Agent logs "http: TLS handshake error from <IP>:<PORT>: EOF" ' +
    'at every probe, noise that hides real errors. The chart probes /live and /ready on the health port 5556.',
  remediation: 'Probe the Cluster Agent with httpGet on its health port: path /live for liveness, /ready for readiness (and /startup), port 5556 (DD_HEALTH_PORT).',
  targets: [...WORKLOAD_KINDS],
  example: {
    bad: ['livenessProbe:', '  tcpSocket:', '    port: 5005'].join('\n'),
    good: ['livenessProbe:', '  httpGet:', '    path: /live', '    port: 5556', '    scheme: HTTP'].join('\n'),
  },
  evaluate(object, { world }) {
    const workload = asDatadogWorkload(object, world.defaultNamespace);
    if (workload?.component !== 'cluster-agent') return [];
    const main = mainContainer(workload, world);
    const configured = Number(envValue(main?.env.get('DD_CLUSTER_AGENT_CMD_PORT'), world));
    const apiPort = Number.isInteger(configured) && configured > 0 ? configured : DEFAULT_API_PORT;
    const findings: RuleFinding[] = [];
    for (const { container, path } of containersOf(workload.template.spec)) {
      if (path.startsWith('/initContainers/')) continue;
      for (const kind of PROBES) {
        const probe: Probe | undefined = container[kind];
        if (!probe || typeof probe !== 'object') continue;
        findings.push(...probeFindings(container, kind, probe, `${workload.template.specPath}${path}/${kind}`, apiPort));
      }
    }
    return findings;
  },
};

/** A probe that talks plain TCP or plain HTTP to the TLS-only API port. */
function probeFindings(container: Container, kind: string, probe: Probe, base: string, apiPort: number): RuleFinding[] {
  const findings: RuleFinding[] = [];
  if (probe.tcpSocket && resolvePort(container, probe.tcpSocket.port) === apiPort) {
    findings.push({
      message:
        `The ${kind} of container "${container.name}" opens a plain TCP connection to ${portText(probe.tcpSocket.port, apiPort)}, the ` +
        'Cluster Agent\'s TLS-only API port, and closes it before any handshake: the Cluster Agent logs "Error ' +
        'from the agent http API server: http: TLS handshake error from <IP>:<PORT>: EOF" at every probe.',
      path: `${base}/tcpSocket/port`,
    });
  }
  const scheme = (probe.httpGet?.scheme ?? 'HTTP').toUpperCase();
  if (probe.httpGet && scheme === 'HTTP' && resolvePort(container, probe.httpGet.port) === apiPort) {
    findings.push({
      message:
        `The ${kind} of container "${container.name}" sends plain HTTP to ${portText(probe.httpGet.port, apiPort)}, the Cluster ` +
        'Agent\'s TLS-only API port: the handshake never happens, the probe fails or flaps, and the Cluster Agent ' +
        'logs "http: TLS handshake error from <IP>:<PORT>: EOF" at every probe.',
      path: `${base}/httpGet/port`,
    });
  }
  return findings;
}

/** A probe port as the kubelet resolves it: a number, or the name of one of the container's ports. */
function resolvePort(container: Container, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port !== 'string') return undefined;
  if (/^\d+$/.test(port)) return Number(port);
  return (container.ports ?? []).find((p) => p?.name === port)?.containerPort;
}

function portText(port: number | string, resolved: number): string {
  return typeof port === 'string' && !/^\d+$/.test(port) ? `port "${port}" (${resolved})` : `port ${resolved}`;
}
