import type { Rule, RuleFinding } from '../engine/types.js';
import type { KubeObject } from '../kube-model/types.js';
import { isRecord } from '../kube-model/types.js';
import { literalOf, podEnv } from '../kube-model/env.js';
import { parseAgentBool } from '../datadog/agent-bool.js';
import type { World } from '../kube-model/world.js';
import { WORKLOAD_KINDS } from '../kube-model/pod-template.js';
import { asDatadogWorkload, COMPONENT_NAMES, type DatadogWorkload } from '../datadog/components.js';
import { compareTokens, describeEnvSource, isUnsetToken, tokenElsewhere, tokenSourcesOf, type Comparison, type TokenSource } from '../datadog/token-sources.js';

/**
 * Node Agent, cluster-checks runner and Cluster Agent of one installation must hold the same token: the Cluster
 * Agent compares the `Authorization: Bearer` token with its own and answers anything else with 403.
 */
export const rule: Rule = {
  id: 'cluster-agent-token-mismatch',
  title: 'Node Agent, cluster-checks runner and Cluster Agent read different tokens',
  defaultSeverity: 'error',
  description:
    'The Cluster Agent accepts a request only if its bearer token equals its own (`ValidateDCARequest`); otherwise it ' +
    'answers 403 "invalid session token" and node Agents and cluster-checks runners lose cluster metadata, ' +
    'cluster checks and external metrics. A Cluster Agent without a configured token generates a random one that no ' +
    'other pod knows. Different sources that cannot be compared (a Secret missing from the set) give a warning.',
  remediation:
    'Point `DD_CLUSTER_AGENT_AUTH_TOKEN` of the node Agent, the cluster-checks runner and the Cluster Agent at the same Secret and key (the chart and the Operator use one Secret with key `token`).',
  targets: [...WORKLOAD_KINDS],
  example: {
    bad: '# DaemonSet datadog (node Agent)\n- name: DD_CLUSTER_AGENT_AUTH_TOKEN\n  valueFrom: {secretKeyRef: {name: datadog-cluster-agent, key: token}}\n# Deployment datadog-cluster-agent\n- name: DD_CLUSTER_AGENT_AUTH_TOKEN\n  valueFrom: {secretKeyRef: {name: dca-token, key: token}}',
    good: '# both workloads\n- name: DD_CLUSTER_AGENT_AUTH_TOKEN\n  valueFrom: {secretKeyRef: {name: datadog-cluster-agent, key: token}}',
  },
  evaluate(object, { world }) {
    const workload = asDatadogWorkload(object, world.defaultNamespace);
    if (!workload) return [];
    const members = installationOf(workload, world);
    if (!members) return [];
    const mine = setTokens(workload, world);
    const peers = members.filter((m) => !sameObject(m.object, object));
    if (mine.length === 0) return noToken(workload, peers, world);
    return [...withinWorkload(workload, mine, world), ...peers.flatMap((peer) => againstPeer(mine, peer, world))];
  },
};

function setTokens(workload: DatadogWorkload, world: World): TokenSource[] {
  return tokenSourcesOf(workload, world).filter((source) => !isUnsetToken(source));
}

/** Containers of one workload that disagree (an `agent` and a `trace-agent` reading different Secrets). */
function withinWorkload(workload: DatadogWorkload, mine: TokenSource[], world: World): RuleFinding[] {
  const first = mine[0]!;
  return mine.slice(1).flatMap((source) => {
    const result = compareTokens(first, source, world);
    const peer = `container "${first.container ?? ''}" of this ${workload.object.kind}`;
    return result.verdict === 'same' ? [] : [finding(source, peer, first, result)];
  });
}

/** One finding per peer: at the first of this workload's sources that disagrees with the peer, the worst verdict. */
function againstPeer(mine: TokenSource[], peer: DatadogWorkload, world: World): RuleFinding[] {
  const theirs = setTokens(peer, world);
  let worst: { source: TokenSource; other: TokenSource; result: Disagreement } | undefined;
  for (const source of mine) {
    for (const other of theirs) {
      const result = compareTokens(source, other, world);
      if (result.verdict === 'different') return [finding(source, describePeer(peer, other), other, result)];
      if (result.verdict === 'undecided') worst ??= { source, other, result };
    }
  }
  return worst ? [finding(worst.source, describePeer(peer, worst.other), worst.other, worst.result)] : [];
}

type Disagreement = Exclude<Comparison, { verdict: 'same' }>;

function finding(source: TokenSource, peer: string, other: TokenSource, result: Disagreement): RuleFinding {
  const head =
    `Container "${source.container ?? ''}" reads the token from ${describeEnvSource(source.source)}, ` +
    `but ${peer} reads it from ${describeEnvSource(other.source)}`;
  if (result.verdict === 'different') {
    return {
      path: source.path,
      message: `${head}: the values differ, so the Cluster Agent answers with 403 "invalid session token".`,
    };
  }
  return {
    path: source.path,
    message: `${head}, and the two ${result.reason}; unless they hold the same token, the Cluster Agent answers with 403 "invalid session token".`,
    downgrade: 'warning',
  };
}

/** This workload sets no token while others of its installation do. */
function noToken(workload: DatadogWorkload, peers: DatadogWorkload[], world: World): RuleFinding[] {
  const withToken = peers.find((peer) => setTokens(peer, world).length > 0);
  if (!withToken) return [];
  const other = setTokens(withToken, world)[0]!;
  const consequence =
    workload.component === 'cluster-agent'
      ? 'the Cluster Agent generates a random token of its own and answers every other pod with 403 "invalid session token"'
      : `the ${COMPONENT_NAMES[workload.component]} has no token to send and cannot talk to the Cluster Agent`;
  const elsewhere = tokenElsewhere(workload, world);
  return [{
    path: `${workload.template.specPath}/containers/0`,
    message:
      `No container sets DD_CLUSTER_AGENT_AUTH_TOKEN, while ${describePeer(withToken, other)} reads it from ${describeEnvSource(other.source)}: ` +
      `${consequence}${elsewhere ? ` (unless ${elsewhere})` : ''}.`,
    remediation: 'Set DD_CLUSTER_AGENT_AUTH_TOKEN from the same Secret and key as the other Datadog workloads of this installation.',
    ...(elsewhere ? { downgrade: 'warning' as const } : {}),
  }];
}

function describePeer(peer: DatadogWorkload, source?: TokenSource): string {
  const container = source?.container === undefined ? '' : ` (container "${source.container}")`;
  return `the ${COMPONENT_NAMES[peer.component]} ${peer.object.kind} ${peer.namespace}/${peer.object.metadata?.name ?? ''}${container}`;
}

function sameObject(a: KubeObject, b: KubeObject): boolean {
  return a === b || (a.kind === b.kind && a.metadata?.name === b.metadata?.name);
}

// ---------------------------------------------------------------------------------------------------------
// Which workloads form one installation: a Cluster Agent and the clients in its namespace that talk to it

/** The chart's and the Agent's default `cluster_agent.kubernetes_service_name`. */
const DEFAULT_SERVICE = 'datadog-cluster-agent';

/**
 * The Datadog workloads of `workload`'s installation, itself included; undefined when it does not use a Cluster
 * Agent. A client belongs to the Cluster Agent its service name (or URL host) selects, else to the only Cluster
 * Agent of the namespace; clients without a visible Cluster Agent are grouped by the service they target.
 */
function installationOf(workload: DatadogWorkload, world: World): DatadogWorkload[] | undefined {
  const all = workloadsNear(workload, world);
  const clusterAgents = all.filter((w) => w.component === 'cluster-agent');
  const keyOf = (w: DatadogWorkload): string | undefined => {
    if (w.component === 'cluster-agent') return `dca:${w.object.metadata?.name ?? ''}`;
    if (!usesClusterAgent(w, world)) return undefined;
    const service = clusterAgentServiceOf(w);
    const target = clusterAgents.find((d) => answersTo(d, service, world)) ?? (clusterAgents.length === 1 ? clusterAgents[0] : undefined);
    return target ? `dca:${target.object.metadata?.name ?? ''}` : `service:${service}`;
  };
  const mine = keyOf(workload);
  return mine === undefined ? undefined : all.filter((w) => keyOf(w) === mine);
}

/** Datadog workloads of the namespace, with the object under evaluation in place of its stored copy. */
function workloadsNear(workload: DatadogWorkload, world: World): DatadogWorkload[] {
  const others = world
    .datadogWorkloads(workload.namespace)
    .filter((o) => !sameObject(o, workload.object))
    .map((o) => asDatadogWorkload(o, world.defaultNamespace))
    .filter((w): w is DatadogWorkload => w !== undefined);
  return [workload, ...others];
}

/** `DD_CLUSTER_AGENT_ENABLED` decides when set; unset, a runner always needs one and a node Agent only if it has a token. */
function usesClusterAgent(workload: DatadogWorkload, world: World): boolean {
  const entries = podEnv(workload.template.spec, workload.namespace, world)
    .map(({ env }) => env.get('DD_CLUSTER_AGENT_ENABLED'))
    .filter((entry) => entry !== undefined);
  if (entries.length > 0) return entries.some((entry) => parseAgentBool(literalOf(entry)) === true);
  return workload.component === 'cluster-checks-runner' || setTokens(workload, world).length > 0;
}

/** The Service a client looks the Cluster Agent up by: the host of DD_CLUSTER_AGENT_URL, else the service name. */
function clusterAgentServiceOf(workload: DatadogWorkload): string {
  const envs = podEnv(workload.template.spec, workload.namespace).map(({ env }) => env);
  const url = envs.map((env) => literalOf(env.get('DD_CLUSTER_AGENT_URL'))).find(Boolean);
  const host = url ? hostOf(url) : undefined;
  if (host) return host.split('.')[0] ?? host;
  return envs.map((env) => literalOf(env.get('DD_CLUSTER_AGENT_KUBERNETES_SERVICE_NAME'))).find(Boolean) ?? DEFAULT_SERVICE;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname || undefined;
  } catch {
    return undefined;
  }
}

/** The Cluster Agent's own name, or a Service of that name in the world whose selector picks its pods. */
function answersTo(clusterAgent: DatadogWorkload, service: string, world: World): boolean {
  if (clusterAgent.object.metadata?.name === service) return true;
  const found = world.get('Service', clusterAgent.namespace, service);
  if (found.state !== 'found') return false;
  const spec = isRecord(found.value['spec']) ? found.value['spec'] : {};
  const selector = isRecord(spec['selector']) ? Object.entries(spec['selector']) : [];
  return selector.length > 0 && selector.every(([key, value]) => clusterAgent.template.labels[key] === value);
}
