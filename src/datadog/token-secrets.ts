import type { KubeObject } from '../kube-model/types.js';
import { isRecord } from '../kube-model/types.js';
import type { World } from '../kube-model/world.js';
import { asDatadogWorkload } from './components.js';
import { datadogAgentTokenOf, isDatadogAgent } from './datadog-agent.js';
import { TOKEN_ENV, TOKEN_KEY } from './token.js';
import { tokenSourcesOf } from './token-sources.js';

// Which Secrets are token Secrets (issue 3)

export interface TokenSecret {
  /** Keys that hold the Cluster Agent token, in a stable order. */
  keys: string[];
  /** Why it counts as a token Secret, for messages. */
  reasons: string[];
}

/**
 * A Secret is a token Secret when a Datadog workload or DatadogAgent in the world reads the token from it, when
 * it is named and labelled the way the Helm chart or the Operator name theirs, or when it has a
 * `DD_CLUSTER_AGENT_AUTH_TOKEN` key. Anything else, a Secret with a short `token` key included, is not.
 */
export function isTokenSecret(secret: KubeObject, world: World): TokenSecret | undefined {
  const keys = new Set<string>();
  const reasons: string[] = [];
  const add = (key: string, reason: string) => {
    keys.add(key);
    if (!reasons.includes(reason)) reasons.push(reason);
  };
  for (const { key, by } of referencesTo(secret, world)) add(key, `read as the Cluster Agent token by ${by}`);
  if (isHelmTokenSecret(secret)) add(TOKEN_KEY, "named and labelled as the Datadog Helm chart's token Secret");
  if (isOperatorTokenSecret(secret)) add(TOKEN_KEY, "named and labelled as the Datadog Operator's token Secret");
  if (secretKeys(secret).includes(TOKEN_ENV)) add(TOKEN_ENV, `has a ${TOKEN_ENV} key`);
  return keys.size ? { keys: [...keys].sort(), reasons } : undefined;
}

/** Every (key, reader) pair for which a Datadog workload or DatadogAgent in the Secret's namespace reads it. */
function referencesTo(secret: KubeObject, world: World): { key: string; by: string }[] {
  const name = secret.metadata?.name ?? '';
  const namespace = secret.metadata?.namespace || world.defaultNamespace;
  const out: { key: string; by: string }[] = [];
  for (const object of world.datadogWorkloads(namespace)) {
    const by = `${object.kind} ${namespace}/${object.metadata?.name ?? ''}`;
    if (isDatadogAgent(object)) {
      const token = datadogAgentTokenOf(object, world.defaultNamespace);
      if (token.secret.name === name) out.push({ key: token.secret.key, by });
      continue;
    }
    const workload = asDatadogWorkload(object, world.defaultNamespace);
    for (const source of workload ? tokenSourcesOf(workload, world) : []) {
      if (source.source.kind === 'secret' && source.source.name === name) out.push({ key: source.source.key, by });
    }
  }
  return out;
}

/** Helm: `<fullname>-cluster-agent` with the chart's labels (a Secret from another chart is not ours). */
function isHelmTokenSecret(secret: KubeObject): boolean {
  const labels = secret.metadata?.labels ?? {};
  const chart = labels['helm.sh/chart'];
  if (chart !== undefined && !chart.startsWith('datadog-')) return false;
  const byHelm = labels['app.kubernetes.io/managed-by'] === 'Helm' || chart !== undefined;
  return byHelm && (secret.metadata?.name ?? '').endsWith('-cluster-agent');
}

/** Operator: `<dda>-token`, owned by that DatadogAgent or labelled by the Operator for it. */
function isOperatorTokenSecret(secret: KubeObject): boolean {
  const name = secret.metadata?.name ?? '';
  const metadata = isRecord(secret.metadata) ? secret.metadata : {};
  const owners: unknown[] = Array.isArray(metadata['ownerReferences']) ? metadata['ownerReferences'] : [];
  const ownedBy = owners.filter(isRecord).filter((o) => o['kind'] === 'DatadogAgent').map((o) => String(o['name'] ?? ''));
  const labels = secret.metadata?.labels ?? {};
  if (labels['app.kubernetes.io/managed-by'] === 'datadog-operator' && labels['app.kubernetes.io/instance']) {
    ownedBy.push(labels['app.kubernetes.io/instance']);
  }
  return ownedBy.some((dda) => dda && name === `${dda}-token`);
}

function secretKeys(secret: KubeObject): string[] {
  const data = isRecord(secret['data']) ? Object.keys(secret['data']) : [];
  const stringData = isRecord(secret['stringData']) ? Object.keys(secret['stringData']) : [];
  return [...data, ...stringData];
}
