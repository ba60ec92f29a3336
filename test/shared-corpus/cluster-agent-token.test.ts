// The Cluster Agent token rules over the official manifests (../shared/corpus): the chart's install order is
// admitted, and the cluster-checks runners' placeholder Secret is a warning at most.
import '../support/requires-shared.js';
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Engine } from '../../src/engine/engine.js';
import type { Finding } from '../../src/engine/types.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import { overlayWorld } from '../../src/world/overlay.js';
import { CORPUS } from '../support/shared.js';

const TOKEN_RULES = new Set([
  'cluster-agent-token-length',
  'cluster-agent-token-whitespace',
  'cluster-agent-token-mismatch',
  'cluster-agent-token-ref',
  'cluster-agent-token-inline',
  'datadogagent-token-secret-config',
]);
const engine = new Engine(RULES.filter((rule) => TOKEN_RULES.has(rule.id)));

function run(objects: KubeObject[]): Finding[] {
  const world = new ManifestWorld(objects, { defaultNamespace: 'datadog' });
  return objects.flatMap((object) => engine.evaluate(object, world));
}

t.test("Helm's install order is admitted: each object judged in the world as it would be after its CREATE", async (t) => {
  const text = readFileSync(join(CORPUS, 'helm-charts-baselines', 'agent-clusterchecks-deployment_default.rendered.yaml'), 'utf8');
  const order = ['Secret', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ConfigMap', 'Service', 'DaemonSet', 'Deployment'];
  const objects = parseAllDocuments(text)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => !!o?.kind)
    .map((o) => (o.kind === 'Secret' && o.metadata?.name === 'datadog-cluster-agent' ? { ...o, stringData: { token: 'x'.repeat(32) } } : o))
    .sort((a, b) => order.indexOf(a.kind ?? '') - order.indexOf(b.kind ?? ''));
  const created: KubeObject[] = [];
  for (const object of objects) {
    const world = overlayWorld(new ManifestWorld(created, { defaultNamespace: 'datadog-agent' }), { operation: 'CREATE', object });
    const findings = engine.evaluate(object, world);
    t.same(findings.map((f) => `${f.ruleId}: ${f.message}`), [], `${object.kind} ${object.metadata?.name}`);
    created.push(object);
  }
});

t.test('the corpus placeholder Secret is a warning at most, never a length error', async (t) => {
  const dir = join(CORPUS, 'datadog-agent-manifests', 'cluster-checks-runners');
  const load = (file: string) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => d.toJS() as KubeObject).filter((o) => o?.kind);
  const secret = load('secret-cluster-agent-token.yaml');
  t.same(run(secret), [], 'alone, an unlabelled and unreferenced Secret is not a token Secret');
  const runner = load('agent-clusterchecks-deployment-agent-7.82.3.yaml').map((o) => ({
    ...o,
    metadata: { ...o.metadata, namespace: 'datadog' },
  }));
  const together = run([...secret, ...runner]);
  const onSecret = together.filter((f) => f.object.kind === 'Secret');
  t.same(onSecret.map((f) => [f.ruleId, f.severity]), [['cluster-agent-token-length', 'warning']], 'read by the runner: invalid base64 warning');
  t.match(onSecret[0]?.message, /not valid base64/);
  t.same(together.filter((f) => f.severity === 'error'), [], 'no error');
});
