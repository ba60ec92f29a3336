// The live paths (issue 14) against the stand-in API server: `ddguard audit` and the webhook's live world judge
// an install by the permission catalogue and find Agents wherever they run (an EKS Fargate sidecar).
import t from 'tap';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { PolicyRule } from '../../src/kube-model/rbac.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import { LiveWorldProvider } from '../../src/world/live.js';
import { admissionReview } from '../support/admission.js';
import { startFakeApiServer, type ObjectInput } from '../support/fake-apiserver.js';
import { ROOT } from '../support/fixtures.js';
import { testServer } from '../support/webhook.js';
import { audit } from '../support/audit.js';

const load = (file: string) => parseAllDocuments(readFileSync(join(ROOT, 'test', 'fixtures', 'datadog', file), 'utf8'))
  .map((d) => d.toJS() as KubeObject)
  .filter((o) => !!o?.kind);
const install = load('catalogue-install.yaml');
const fargate = load('fargate-sidecar.yaml');
const dcaRole = install.find((o) => o.kind === 'ClusterRole' && o.metadata?.name === 'dca')!;
const dcaBinding = install.find((o) => o.kind === 'ClusterRoleBinding' && o.metadata?.name === 'dca')!;
const withoutWebhooks = { ...dcaRole, rules: (dcaRole['rules'] as PolicyRule[]).filter((r) => !(r.apiGroups ?? []).includes('admissionregistration.k8s.io')) };

const fake = await startFakeApiServer({ objects: [...install.map((o) => (o === dcaRole ? withoutWebhooks : o)), ...fargate] as ObjectInput[] });
t.teardown(() => fake.close());
const kubeconfig = fake.writeKubeconfig(mkdtempSync(join(tmpdir(), 'ddguard-catalogue-')));

t.test('audit: the Cluster Agent\'s missing webhook grants and the Fargate sidecar\'s short token are errors', async (t) => {
  const run = await audit({ kubeconfig, format: 'json' });
  const findings = (JSON.parse(run.stdout) as { findings: { ruleId: string; severity: string; message: string; object: { kind: string; name: string } }[] }).findings;
  const errors = findings.filter((f) => f.severity === 'error');
  t.ok(errors.some((f) => f.ruleId === 'cluster-agent-rbac' && /mutatingwebhookconfigurations/.test(f.message)), 'cluster-agent-rbac names the webhook configurations');
  t.ok(errors.some((f) => f.ruleId === 'cluster-agent-token-length' && f.object.kind === 'Deployment' && f.object.name === 'shop'), 'the Fargate sidecar\'s token');
  t.notOk(findings.some((f) => f.object.name === 'shop' && /^kubelet-host|hostname-per-node/.test(f.ruleId)), 'no kubelet-host finding on a sidecar');
  t.notMatch(run.stdout, /fargate-token-1234/);
  t.equal(run.code, 1);
});

t.test('webhook live world: deleting the Cluster Agent\'s binding is denied; the Fargate Deployment\'s short token too', async (t) => {
  const provider = new LiveWorldProvider(fake.kubeConfig(), { secretTtlMs: 0, restartMs: 50 });
  t.teardown(() => provider.stop());
  await provider.start();
  const { validate } = await testServer({ rules: RULES, worldProvider: provider });
  const deletion = await validate(admissionReview('DELETE', dcaBinding, 'dd'));
  t.equal(deletion.body.response.allowed, false);
  t.match(deletion.body.response.status?.message, /\[cluster-agent-rbac\] Deployment dd\/dca: After this change nothing binds/);
  const shop = fargate.find((o) => o.kind === 'Deployment')!;
  const update = await validate(admissionReview('UPDATE', shop, 'fargate', shop));
  t.equal(update.body.response.allowed, false);
  t.match(update.body.response.status?.message, /\[cluster-agent-token-length\] /);
});
