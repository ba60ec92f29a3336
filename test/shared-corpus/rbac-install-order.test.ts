// The official chart renderings (../shared/corpus/helm-charts-baselines) admitted object by object, each in the
// world of those admitted before it: in Helm's install order nothing is reported; workloads first only warn.
import '../support/requires-shared.js';
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Engine } from '../../src/engine/engine.js';
import type { Finding } from '../../src/engine/types.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import { overlayWorld } from '../../src/world/overlay.js';
import { ObjectStore } from '../../src/world/store.js';
import { StoreWorld } from '../../src/world/store-world.js';
import type { World } from '../../src/kube-model/world.js';
import { CORPUS } from '../support/shared.js';

const MINE = new Set(['kubelet-host-per-node', 'kubelet-host-node-name', 'hostname-per-node', 'cluster-agent-url-https', 'cluster-agent-rbac', 'agent-rbac-kubelet', 'agent-service-account-token', 'cluster-agent-probe-port']);
const engine = new Engine(RULES.filter((r) => MINE.has(r.id)));

// Helm's InstallOrder (pkg/release/util/kind_sorter.go), the kinds the chart renders.
const HELM_ORDER = ['Namespace', 'NetworkPolicy', 'PodDisruptionBudget', 'ServiceAccount', 'Secret', 'ConfigMap', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Service', 'DaemonSet', 'Pod', 'ReplicaSet', 'Deployment', 'StatefulSet', 'Job', 'CronJob', 'APIService', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

function chart(file: string): KubeObject[] {
  return parseAllDocuments(readFileSync(join(CORPUS, 'helm-charts-baselines', file), 'utf8'))
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => !!o?.kind);
}

function rank(kind: string | undefined): number {
  const i = HELM_ORDER.indexOf(kind ?? '');
  return i === -1 ? HELM_ORDER.length : i;
}

/** Admits the objects one by one, each reviewed in the world of those admitted before it. */
function admit(objects: KubeObject[]): Finding[] {
  const admitted: KubeObject[] = [];
  const findings: Finding[] = [];
  for (const object of objects) {
    const before = cluster(admitted);
    const world = overlayWorld(before, { operation: 'CREATE', object });
    findings.push(...engine.evaluate(object, world), ...engine.evaluateImpact(object, world, before));
    admitted.push(object);
  }
  return findings;
}

/** The live cluster as the webhook sees it: what was admitted so far. */
function cluster(objects: KubeObject[]): World {
  const store = new ObjectStore('datadog-agent');
  for (const object of objects) store.upsert(object);
  return new StoreWorld(store, 'cluster');
}

for (const file of ['daemonset_default.rendered.yaml', 'gke_autopilot_allowlistedv2workload_kubelet_apiserver.rendered.yaml', 'compliance_run_in_system_probe.rendered.yaml']) {
  t.test(`${file}: admitted in Helm's install order`, async (t) => {
    const objects = chart(file).sort((a, b) => rank(a.kind) - rank(b.kind));
    const findings = admit(objects);
    t.same(findings.map((f) => `${f.severity} ${f.ruleId}: ${f.message}`), [], 'no finding at all: the RBAC exists before the workloads');
  });
}

t.test('the chart applied workloads first only warns, never denies', async (t) => {
  const objects = chart('daemonset_default.rendered.yaml').sort((a, b) => rank(b.kind) - rank(a.kind));
  const findings = admit(objects);
  t.same(findings.filter((f) => f.severity === 'error').map((f) => f.message), [], 'no error');
  t.ok(findings.some((f) => f.ruleId === 'cluster-agent-rbac' && f.severity === 'warning'), 'the Cluster Agent arriving before its RBAC is a warning');
  t.ok(findings.some((f) => f.ruleId === 'agent-rbac-kubelet' && f.severity === 'warning'), 'so is the node Agent');
});
