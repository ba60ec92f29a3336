import type { Finding } from '../engine/types.js';
import { COMPONENT_NAMES, asDatadogWorkload } from '../datadog/components.js';
import { describeTokenSource, tokenSourcesOfObject } from '../datadog/token-sources.js';
import { isDatadogAgent } from '../datadog/datadog-agent.js';
import { StoreWorld } from '../world/store-world.js';
import type { ObjectStore } from '../world/store.js';

export interface InstallationSummary {
  namespace: string;
  components: { kind: string; name: string; component: string; tokenSources: string[] }[];
  failingRules: string[];
}

/** Per namespace: which Datadog components run, where each takes its token from (never the value), which rules fail. */
export function summarizeInstallations(store: ObjectStore, findings: readonly Finding[]): InstallationSummary[] {
  const world = new StoreWorld(store, 'cluster');
  const byNamespace = new Map<string, InstallationSummary>();
  for (const object of store.datadogWorkloads()) {
    const namespace = object.metadata?.namespace || store.defaultNamespace;
    let entry = byNamespace.get(namespace);
    if (!entry) byNamespace.set(namespace, (entry = { namespace, components: [], failingRules: [] }));
    const workload = asDatadogWorkload(object, store.defaultNamespace);
    const component = isDatadogAgent(object) ? 'DatadogAgent' : workload ? COMPONENT_NAMES[workload.component] : 'unknown';
    const tokenSources = tokenSourcesOfObject(object, world).map(describeTokenSource);
    entry.components.push({ kind: object.kind ?? '', name: object.metadata?.name ?? '', component, tokenSources });
  }
  for (const finding of findings) {
    if (finding.exempted) continue;
    const entry = byNamespace.get(finding.object.namespace ?? '');
    if (entry && !entry.failingRules.includes(finding.ruleId)) entry.failingRules.push(finding.ruleId);
  }
  return [...byNamespace.values()].sort((a, b) => a.namespace.localeCompare(b.namespace));
}

export function renderSummary(summaries: readonly InstallationSummary[]): string {
  if (summaries.length === 0) return 'No Datadog installation found.\n';
  const lines: string[] = [];
  for (const s of summaries) {
    lines.push(`Datadog installation in namespace ${s.namespace}:`);
    for (const c of s.components) {
      lines.push(`  ${c.component}: ${c.kind} ${c.name}; token: ${c.tokenSources.length ? c.tokenSources.join('; ') : 'not set'}`);
    }
    lines.push(`  failing rules: ${s.failingRules.length ? s.failingRules.join(', ') : 'none'}`);
  }
  return lines.join('\n') + '\n';
}
