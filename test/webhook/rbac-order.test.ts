// DELETE and the install order (issue 14 item 6), through the webhook: a Cluster Agent created before all of its
// RBAC is only warned about; the same gap on an UPDATE of a running Cluster Agent is denied; creating RBAC never
// is; deleting a binding the Cluster Agent still needs is denied with what it breaks.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { PolicyRule } from '../../src/kube-model/rbac.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import { ObjectStore } from '../../src/world/store.js';
import { StoreWorld } from '../../src/world/store-world.js';
import { admissionReview, SwitchableWorldProvider } from '../support/admission.js';
import { ROOT } from '../support/fixtures.js';
import { testServer } from '../support/webhook.js';

const install = parseAllDocuments(readFileSync(join(ROOT, 'test', 'fixtures', 'datadog', 'catalogue-install.yaml'), 'utf8'))
  .map((d) => d.toJS() as KubeObject)
  .filter((o) => !!o?.kind);
const dca = install.find((o) => o.kind === 'Deployment')!;
const dcaRole = install.find((o) => o.kind === 'ClusterRole' && o.metadata?.name === 'dca')!;
const dcaBinding = install.find((o) => o.kind === 'ClusterRoleBinding' && o.metadata?.name === 'dca')!;
const withoutWebhooks = { ...dcaRole, rules: (dcaRole['rules'] as PolicyRule[]).filter((r) => !(r.apiGroups ?? []).includes('admissionregistration.k8s.io')) };

function cluster(objects: KubeObject[]): StoreWorld {
  const store = new ObjectStore('dd');
  for (const object of objects) store.upsert(object);
  return new StoreWorld(store, 'cluster');
}
const replace = (objects: KubeObject[], next: KubeObject) => objects.map((o) => (o.kind === next.kind && o.metadata?.name === next.metadata?.name ? next : o));

t.test('a Cluster Agent created before its role grants the webhook configurations is only warned about', async (t) => {
  const provider = new SwitchableWorldProvider(cluster(replace(install, withoutWebhooks).filter((o) => o !== dca)));
  const { validate } = await testServer({ rules: RULES, worldProvider: provider });
  const { body } = await validate(admissionReview('CREATE', dca, 'dd'));
  t.equal(body.response.allowed, true);
  t.ok(body.response.warnings?.some((w: string) => w.startsWith("[cluster-agent-rbac] ServiceAccount dd/dca")), "warned (warnings are cut to their first words)");
});

t.test('the same gap on an UPDATE of the running Cluster Agent is denied', async (t) => {
  const provider = new SwitchableWorldProvider(cluster(replace(install, withoutWebhooks)));
  const { validate } = await testServer({ rules: RULES, worldProvider: provider });
  const { body } = await validate(admissionReview('UPDATE', dca, 'dd', dca));
  t.equal(body.response.allowed, false);
  t.match(body.response.status?.message, /\[cluster-agent-rbac\] ServiceAccount dd\/dca of the Cluster Agent cannot get\/update mutatingwebhookconfigurations\.admissionregistration\.k8s\.io "datadog-webhook"/);
});

t.test('creating the missing role afterwards is admitted', async (t) => {
  const provider = new SwitchableWorldProvider(cluster(install.filter((o) => o !== dcaRole)));
  const { validate } = await testServer({ rules: RULES, worldProvider: provider });
  const { body } = await validate(admissionReview('CREATE', dcaRole, 'dd'));
  t.equal(body.response.allowed, true, body.response.status?.message ?? '');
});

t.test('an UPDATE that strips the webhook configurations from the role is denied naming what breaks', async (t) => {
  const provider = new SwitchableWorldProvider(cluster(install));
  const { validate } = await testServer({ rules: RULES, worldProvider: provider });
  const { body } = await validate(admissionReview('UPDATE', withoutWebhooks, 'dd', dcaRole));
  t.equal(body.response.allowed, false);
  const message = body.response.status?.message ?? '';
  t.match(message, /injection into application pods/);
  t.match(message, /validatingwebhookconfigurations/);
});

t.test('deleting the Cluster Agent\'s ClusterRoleBinding while it runs is denied; after the Deployment is gone it is not', async (t) => {
  const provider = new SwitchableWorldProvider(cluster(install));
  const { validate } = await testServer({ rules: RULES, worldProvider: provider });
  const denied = await validate(admissionReview('DELETE', dcaBinding, 'dd'));
  t.equal(denied.body.response.allowed, false);
  t.match(denied.body.response.status?.message, /\[cluster-agent-rbac\] Deployment dd\/dca: After this change nothing binds .*mutatingwebhookconfigurations/);
  provider.world = cluster(install.filter((o) => o !== dca));
  const allowed = await validate(admissionReview('DELETE', dcaBinding, 'dd'));
  t.equal(allowed.body.response.allowed, true, 'helm uninstall deletes the workloads first');
});
