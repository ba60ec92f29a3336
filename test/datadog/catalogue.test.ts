// The permission catalogue, one requirement at a time: on a small install written for this test
// (test/fixtures/datadog/catalogue-install.yaml) every feature runs and every grant is there, so removing exactly
// one grant must produce the rule's finding with the catalogue's severity; a feature that is off needs nothing.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { asDatadogWorkload } from '../../src/datadog/components.js';
import { clusterAgentFeatures, nodeAgentFeatures } from '../../src/datadog/features.js';
import { CLUSTER_AGENT_PERMISSIONS, isRequired, NODE_AGENT_KUBELET_PERMISSIONS, NODE_AGENT_PERMISSIONS, resolveRequirement, resourceName, type PermissionRequirement } from '../../src/datadog/permissions.js';
import { Engine } from '../../src/engine/engine.js';
import type { PolicyRule } from '../../src/kube-model/rbac.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import { ROOT } from '../support/fixtures.js';

const install = parseAllDocuments(readFileSync(join(ROOT, 'test', 'fixtures', 'datadog', 'catalogue-install.yaml'), 'utf8'))
  .map((d) => d.toJS() as KubeObject)
  .filter((o) => !!o?.kind);
const engine = new Engine(RULES);
const world = (objects: KubeObject[]) => new ManifestWorld(objects, { defaultNamespace: 'dd' });
const byKind = (objects: KubeObject[], kind: string) => objects.find((o) => o.kind === kind)!;

/** The rules of a role with exactly one access taken out: other groups, resources, names and verbs stay. */
function without(rules: PolicyRule[], access: PermissionRequirement): PolicyRule[] {
  const resource = access.subresource ? `${access.resource}/${access.subresource}` : access.resource;
  return rules.flatMap((rule) => {
    const groups = rule.apiGroups ?? [];
    const names = rule.resourceNames ?? [];
    const named = names.length > 0;
    if (!groups.includes(access.apiGroup) || !(rule.resources ?? []).includes(resource)) return [rule];
    if (named && (!access.objectName || !names.includes(access.objectName))) return [rule];
    const out: PolicyRule[] = [];
    const otherGroups = groups.filter((g) => g !== access.apiGroup);
    if (otherGroups.length) out.push({ ...rule, apiGroups: otherGroups });
    const otherResources = (rule.resources ?? []).filter((r) => r !== resource);
    if (otherResources.length) out.push({ ...rule, apiGroups: [access.apiGroup], resources: otherResources });
    const otherNames = names.filter((n) => n !== access.objectName);
    if (named && otherNames.length) out.push({ ...rule, apiGroups: [access.apiGroup], resources: [resource], resourceNames: otherNames });
    const verbs = (rule.verbs ?? []).filter((v) => !access.verbs.includes(v));
    if (verbs.length) out.push({ ...rule, apiGroups: [access.apiGroup], resources: [resource], ...(named ? { resourceNames: [access.objectName!] } : {}), verbs });
    return out;
  });
}

function removeGrant(objects: KubeObject[], account: string, access: PermissionRequirement): KubeObject[] {
  const accesses = [access, ...(access.alternatives ?? [])];
  const bound = new Set(objects.filter((o) => /Binding$/.test(o.kind ?? '') && JSON.stringify(o['subjects']).includes(`"name":"${account}"`))
    .map((b) => `${(b['roleRef'] as { kind: string }).kind}/${(b['roleRef'] as { name: string }).name}`));
  return objects.map((o) => {
    if (!/Role$/.test(o.kind ?? '') || !bound.has(`${o.kind}/${o.metadata?.name}`)) return o;
    let rules = o['rules'] as PolicyRule[];
    for (const a of accesses) rules = without(rules, a);
    return { ...o, rules };
  });
}

const cases = [
  { kind: 'Deployment', account: 'dca', ruleId: 'cluster-agent-rbac', catalogue: CLUSTER_AGENT_PERMISSIONS, features: clusterAgentFeatures },
  { kind: 'DaemonSet', account: 'agent', ruleId: 'agent-rbac', catalogue: NODE_AGENT_PERMISSIONS, features: nodeAgentFeatures },
  { kind: 'DaemonSet', account: 'agent', ruleId: 'agent-rbac-kubelet', catalogue: NODE_AGENT_KUBELET_PERMISSIONS, features: nodeAgentFeatures },
] as const;

t.test('the whole install needs nothing more', async (t) => {
  const w = world(install);
  const findings = install.flatMap((o) => engine.evaluate(o, w)).filter((f) => f.ruleId.includes('rbac'));
  t.same(findings.map((f) => f.message), []);
});

for (const { kind, account, ruleId, catalogue, features } of cases) {
  t.test(`${ruleId}: removing each required grant is found, with the catalogue's severity`, async (t) => {
    const workloadObject = byKind(install, kind);
    const workload = asDatadogWorkload(workloadObject, 'dd')!;
    const running = features(workload, world(install));
    let tested = 0;
    for (const entry of catalogue) {
      if (isRequired(entry, running) !== 'yes') continue;
      const access = resolveRequirement(entry, workload, world(install));
      const objects = removeGrant(install, account, access);
      const findings = engine.evaluate(workloadObject, world(objects)).filter((f) => f.ruleId === ruleId);
      const label = `${access.verbs.join('/')} ${resourceName(access)}${access.objectName ? ` "${access.objectName}"` : ''}`;
      const mine = findings.filter((f) => f.message.includes(resourceName(access)) && f.message.includes(entry.reason));
      t.ok(mine.length > 0, `${label}: found`);
      t.ok(mine.every((f) => f.severity === (entry.advisory ? 'warning' : 'error')), `${label}: ${entry.advisory ? 'warning' : 'error'}`);
      tested++;
    }
    t.ok(tested >= (ruleId === 'cluster-agent-rbac' ? 30 : 4), `${tested} requirements exercised`);
  });
}

t.test('features that are off need nothing: the Cluster Agent with every feature off and only pods granted', async (t) => {
  const dca = structuredClone(byKind(install, 'Deployment'));
  const container = (dca['spec'] as { template: { spec: { containers: { env: { name: string; value?: string }[]; volumeMounts?: unknown }[] } } }).template.spec.containers[0]!;
  container.env = container.env.map((e) => ({ name: e.name, value: e.name === 'DD_LEADER_ELECTION_DEFAULT_RESOURCE' ? 'configmap' : 'false' }));
  delete container.volumeMounts;
  const role = { ...byKind(install, 'ClusterRole'), rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] };
  const objects = [dca, role, ...install.filter((o) => o.metadata?.name === 'dca' && (o.kind === 'ClusterRoleBinding' || o.kind === 'ServiceAccount'))];
  t.same(engine.evaluate(dca, world(objects)).filter((f) => f.ruleId === 'cluster-agent-rbac').map((f) => f.message), []);
  const workload = asDatadogWorkload(dca, 'dd')!;
  t.same([...clusterAgentFeatures(workload, world(objects)).keys()], [], 'no feature runs');
});

t.test('the node Agent beside a Cluster Agent needs no leader election or events of its own', async (t) => {
  const agent = structuredClone(byKind(install, 'DaemonSet'));
  const env = (agent['spec'] as { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } }).template.spec.containers[0]!.env;
  env.find((e) => e.name === 'DD_CLUSTER_AGENT_ENABLED')!.value = 'true';
  const objects = install.filter((o) => o.metadata?.name !== 'agent-leader').map((o) => (o.kind === 'DaemonSet' ? agent : o));
  t.same(engine.evaluate(agent, world(objects)).filter((f) => f.ruleId === 'agent-rbac').map((f) => f.message), []);
});
