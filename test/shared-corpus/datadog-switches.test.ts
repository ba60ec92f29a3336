// No false denial (issue 14): the official Datadog chart rendered over its feature switches (values files in
// test/fixtures/datadog-chart), and every official rendering in ../shared/corpus, pass `check` with no error and
// go through the webhook in Helm's install order, in the reverse order (workloads before their RBAC, which only
// warns), through `helm uninstall` order (workloads first, then RBAC, back to back) and a reinstall.
import '../support/requires-shared.js';
import '../support/requires-helm.js';
import t from 'tap';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { Engine } from '../../src/engine/engine.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import { ObjectStore } from '../../src/world/store.js';
import { StoreWorld } from '../../src/world/store-world.js';
import { admissionReview, SwitchableWorldProvider } from '../support/admission.js';
import { ROOT } from '../support/fixtures.js';
import { CORPUS, corpusFiles, SHARED } from '../support/shared.js';
import { helmTemplate } from '../support/helm.js';
import { testServer } from '../support/webhook.js';

const DATADOG_CHART = join(SHARED, 'charts', 'datadog');
const VALUES = join(ROOT, 'test', 'fixtures', 'datadog-chart');
const NAMESPACE = 'datadog';
const API_VERSIONS: Record<string, string[]> = {
  'openshift.yaml': ['security.openshift.io/v1', 'security.openshift.io/v1/SecurityContextConstraints', 'quota.openshift.io/v1'],
};
// The corpus files whose placeholder token really is too short (test/rules/corpus.test.ts).
const EXPECTED_ERRORS: Record<string, string[]> = {
  'datadog-operator/datadog-agent-with-clusteragent.yaml': ['cluster-agent-token-length'],
  'datadog-operator/datadog-agent-with-dca-clusterchecksrunner.yaml': ['cluster-agent-token-length'],
};
const MALFORMED = 'datadog-agent-manifests/cluster-agent/dca-secret-legacy-malformed.yaml';

// Helm's InstallOrder (pkg/release/util/kind_sorter.go); uninstall is its reverse.
const HELM_ORDER = ['PriorityClass', 'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget', 'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume', 'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding', 'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod', 'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob', 'IngressClass', 'Ingress', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];
const rank = (kind: string | undefined) => { const i = HELM_ORDER.indexOf(kind ?? ''); return i === -1 ? HELM_ORDER.length : i; };
const installOrder = (objects: KubeObject[]) => [...objects].sort((a, b) => rank(a.kind) - rank(b.kind));

function clusterOf(objects: readonly KubeObject[]): StoreWorld {
  const store = new ObjectStore(NAMESPACE);
  for (const object of objects) store.upsert(object);
  return new StoreWorld(store, 'cluster');
}

/** Every denial (and its message) met while applying `steps` in order, each in the cluster the steps before left. */
async function apply(steps: { operation: 'CREATE' | 'DELETE'; object: KubeObject }[], start: KubeObject[] = []): Promise<{ denials: string[]; warnings: number; cluster: KubeObject[] }> {
  let cluster = [...start];
  const provider = new SwitchableWorldProvider(clusterOf(cluster));
  const { validate } = await testServer({ rules: RULES, worldProvider: provider });
  const denials: string[] = [];
  let warnings = 0;
  const same = (a: KubeObject, b: KubeObject) => a.kind === b.kind && a.metadata?.name === b.metadata?.name && (a.metadata?.namespace ?? NAMESPACE) === (b.metadata?.namespace ?? NAMESPACE);
  for (const { operation, object } of steps) {
    provider.world = clusterOf(cluster);
    const { statusCode, body } = await validate(admissionReview(operation, object, NAMESPACE));
    if (statusCode !== 200) denials.push(`${operation} ${object.kind} ${object.metadata?.name}: HTTP ${statusCode}`);
    else if (!body.response.allowed) denials.push(`${operation} ${object.kind} ${object.metadata?.name}: ${body.response.status?.message}`);
    warnings += body.response.warnings?.length ?? 0;
    cluster = operation === 'DELETE' ? cluster.filter((o) => !same(o, object)) : [...cluster.filter((o) => !same(o, object)), object];
  }
  return { denials, warnings, cluster };
}

function judgeEverywhere(name: string, objects: KubeObject[], expectedErrors: string[] = []): void {
  t.test(name, async (t) => {
    const engine = new Engine(RULES);
    const world = new ManifestWorld(objects, { defaultNamespace: NAMESPACE });
    const errors = objects.flatMap((o) => engine.evaluate(o, world)).filter((f) => f.severity === 'error');
    t.same([...new Set(errors.map((f) => f.ruleId))], expectedErrors, `check: ${errors.map((f) => f.message).join('\n')}`);
    if (expectedErrors.length) return;

    const ordered = installOrder(objects);
    const install = await apply(ordered.map((object) => ({ operation: 'CREATE' as const, object })));
    t.same(install.denials, [], 'webhook, Helm install order: nothing denied');
    const uninstall = await apply([...ordered].reverse().map((object) => ({ operation: 'DELETE' as const, object })), install.cluster);
    t.same(uninstall.denials, [], 'webhook, helm uninstall order (workloads first, then RBAC): nothing denied');
    t.same(uninstall.cluster, [], 'everything was deleted');
    const reinstall = await apply(ordered.map((object) => ({ operation: 'CREATE' as const, object })));
    t.same(reinstall.denials, [], 'webhook, reinstall: nothing denied');
    const reverse = await apply([...ordered].reverse().map((object) => ({ operation: 'CREATE' as const, object })));
    t.same(reverse.denials, [], 'webhook, workloads before their RBAC: only warnings');
  });
}

const valuesFiles = readdirSync(VALUES).filter((f) => f.endsWith('.yaml')).sort();
for (const file of valuesFiles) {
  const values = parse(readFileSync(join(VALUES, file), 'utf8')) as Record<string, unknown>;
  const objects = helmTemplate({ chart: DATADOG_CHART, values, namespace: NAMESPACE, release: 'datadog', apiVersions: API_VERSIONS[file] ?? [] });
  judgeEverywhere(`chart ${file}`, objects);
}
for (const path of corpusFiles()) {
  const name = relative(CORPUS, path);
  if (name === MALFORMED) continue;
  const objects = parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as KubeObject | null).filter((o): o is KubeObject => !!o?.kind);
  judgeEverywhere(`corpus ${name}`, objects, EXPECTED_ERRORS[name] ?? []);
}

// The Operator's golden renderings leave every binding subject without a namespace (its test renderer runs with an
// empty namespace, ../shared/corpus/SOURCES.md), so Kubernetes would bind nothing. With the namespace the Operator
// really sets filled in, what it grants each component (its clusteragent/agent/clusterchecksrunner rbac.go and
// the features' rbac.go) covers the whole catalogue: no RBAC finding at all, not even a warning.
for (const name of ['datadog-operator/minimal-baseline.golden.rendered.yaml', 'datadog-operator/comprehensive-baseline.golden.rendered.yaml']) {
  t.test(`corpus ${name}, subjects in their namespace: the Operator's grants cover the catalogue`, async (t) => {
    const objects = parseAllDocuments(readFileSync(join(CORPUS, name), 'utf8'))
      .map((d) => d.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => !!o?.kind)
      .map((o) => (Array.isArray(o['subjects']) ? { ...o, subjects: (o['subjects'] as Record<string, unknown>[]).map((s) => ({ namespace: 'default', ...s })) } : o));
    const world = new ManifestWorld(objects, { defaultNamespace: 'default' });
    const engine = new Engine(RULES);
    const findings = objects.flatMap((o) => engine.evaluate(o, world)).filter((f) => f.ruleId.endsWith('rbac') || f.ruleId.includes('rbac-'));
    t.same(findings.map((f) => `${f.ruleId}: ${f.message}`), []);
    t.ok(objects.some((o) => o.kind === 'Deployment' && /cluster-agent/.test(o.metadata?.name ?? '')), 'a Cluster Agent is judged');
  });
}
