// Paths that are no resource (/metrics, /metrics/slis): the RBAC evaluation grants them only through a
// ClusterRoleBinding, and the node Agent that may run the kube_apiserver_metrics cluster check warns, per path,
// when the grant is taken out; an Agent that cannot be dispatched cluster checks needs neither.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { KUBE_APISERVER_METRICS_PERMISSIONS } from '../../src/datadog/catalogue-non-resource.js';
import { Engine } from '../../src/engine/engine.js';
import { ruleAllows, type PolicyRule } from '../../src/kube-model/rbac.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import { ROOT } from '../support/fixtures.js';

t.test('a rule grants a path by its exact name, "*" or a "prefix*", and never a resource', async (t) => {
  const rule: PolicyRule = { nonResourceURLs: ['/metrics', '/logs/*'], verbs: ['get'] };
  t.ok(ruleAllows(rule, { verb: 'get', apiGroup: '', resource: '', nonResourceURL: '/metrics' }));
  t.notOk(ruleAllows(rule, { verb: 'get', apiGroup: '', resource: '', nonResourceURL: '/metrics/slis' }), 'an exact path is not a prefix');
  t.ok(ruleAllows(rule, { verb: 'get', apiGroup: '', resource: '', nonResourceURL: '/logs/kube.log' }));
  t.notOk(ruleAllows(rule, { verb: 'post', apiGroup: '', resource: '', nonResourceURL: '/metrics' }), 'verbs still count');
  t.ok(ruleAllows({ nonResourceURLs: ['*'], verbs: ['*'] }, { verb: 'get', apiGroup: '', resource: '', nonResourceURL: '/metrics/slis' }));
  t.notOk(ruleAllows({ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { verb: 'get', apiGroup: '', resource: '', nonResourceURL: '/metrics' }), 'resource wildcards grant no path');
  t.notOk(ruleAllows(rule, { verb: 'get', apiGroup: '', resource: 'pods' }), 'a path rule grants no resource');
});

const install = parseAllDocuments(readFileSync(join(ROOT, 'test', 'fixtures', 'datadog', 'catalogue-install.yaml'), 'utf8'))
  .map((d) => d.toJS() as KubeObject)
  .filter((o) => !!o?.kind);
const engine = new Engine(RULES);
const PATHS: PolicyRule = { nonResourceURLs: ['/metrics', '/metrics/slis'], verbs: ['get'] };

/** The catalogue install's node Agent, told to run cluster checks, with its ClusterRole granting `paths` too. */
function agentInstall(paths: PolicyRule | undefined, providers = 'clusterchecks'): { agent: KubeObject; world: ManifestWorld } {
  const agent = structuredClone(install.find((o) => o.kind === 'DaemonSet')!);
  const container = (agent['spec'] as { template: { spec: { containers: { env: { name: string; value?: string }[] }[] } } }).template.spec.containers[0]!;
  container.env.push({ name: 'DD_EXTRA_CONFIG_PROVIDERS', value: providers });
  const objects = install.map((o) => {
    if (o.kind === 'DaemonSet') return agent;
    if (o.kind === 'ClusterRole' && o.metadata?.name === 'agent' && paths) return { ...o, rules: [...(o['rules'] as PolicyRule[]), paths] };
    return o;
  });
  return { agent, world: new ManifestWorld(objects, { defaultNamespace: 'dd' }) };
}

const agentRbac = (agent: KubeObject, world: ManifestWorld) => engine.evaluate(agent, world).filter((f) => f.ruleId === 'agent-rbac');

t.test('with both paths granted the node Agent needs nothing more', async (t) => {
  const { agent, world } = agentInstall(PATHS);
  t.same(agentRbac(agent, world).map((f) => f.message), []);
});

for (const requirement of KUBE_APISERVER_METRICS_PERMISSIONS) {
  t.test(`removing exactly get ${requirement.nonResourceURL} is a warning naming the path`, async (t) => {
    const rest = PATHS.nonResourceURLs!.filter((p) => p !== requirement.nonResourceURL);
    const { agent, world } = agentInstall({ ...PATHS, nonResourceURLs: rest });
    const findings = agentRbac(agent, world);
    t.equal(findings.length, 1, findings.map((f) => f.message).join('\n'));
    t.equal(findings[0]?.severity, 'warning', 'the check may run elsewhere: never an error');
    t.match(findings[0]?.message, `path ${requirement.nonResourceURL} of the API server`);
    t.match(findings[0]?.message, requirement.reason);
    t.match(findings[0]?.remediation, `{nonResourceURLs: ["${requirement.nonResourceURL}"], verbs: ["get"]}`);
  });
}

t.test('a RoleBinding to a ClusterRole listing the paths does not grant them', async (t) => {
  const { agent, world } = agentInstall(undefined);
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'paths' }, rules: [PATHS] };
  const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'paths', namespace: 'dd' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'paths' }, subjects: [{ kind: 'ServiceAccount', name: 'agent', namespace: 'dd' }] };
  const bound = new ManifestWorld([...world.list('ClusterRole'), ...install.filter((o) => o.kind !== 'ClusterRole' && o.kind !== 'DaemonSet'), agent, role, binding] as KubeObject[], { defaultNamespace: 'dd' });
  t.equal(agentRbac(agent, bound).length, 2, 'both paths are still missing');
});

t.test('an Agent that is dispatched no cluster checks needs no path', async (t) => {
  const { agent, world } = agentInstall(undefined, 'kube_endpoints');
  t.same(agentRbac(agent, world).map((f) => f.message), []);
});
