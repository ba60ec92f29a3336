import '../support/requires-helm.js';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import type { KubeObject } from '../../src/kube-model/types.js';
import { FakeApiServer } from '../support/fake-apiserver.js';
import { helmTemplate, helmTemplateAgainst } from '../support/helm.js';

/**
 * tls.mode=auto keeps the certificate the cluster already has: helm renders against a stand-in API server
 * (`--dry-run=server`, so the chart's `lookup` reads the Secret from it), as `helm upgrade` would.
 */

const NAMES = 'ddguard,ddguard.ddguard,ddguard.ddguard.svc,ddguard.ddguard.svc.cluster.local';

/** The Secret as a previous `helm install` left it: Helm's ownership marks, and the chart's annotation. */
function installedSecret(data: Record<string, string>, servingNames: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: {
      name: 'ddguard-tls',
      namespace: 'ddguard',
      labels: { 'app.kubernetes.io/managed-by': 'Helm' },
      annotations: {
        'meta.helm.sh/release-name': 'ddguard',
        'meta.helm.sh/release-namespace': 'ddguard',
        'ddguard.io/serving-names': servingNames,
      },
    },
    data,
  };
}

function secretOf(objects: KubeObject[]): { data: Record<string, string>; metadata: { annotations: Record<string, string> } } {
  const secret = objects.find((o) => o.kind === 'Secret');
  if (!secret) throw new Error('no Secret rendered');
  return secret as never;
}
function caBundles(objects: KubeObject[]): string[] {
  const vwc = objects.find((o) => o.kind === 'ValidatingWebhookConfiguration');
  return ((vwc?.['webhooks'] ?? []) as { clientConfig: { caBundle?: string } }[]).map((h) => h.clientConfig.caBundle ?? '');
}

t.test('an upgrade keeps the existing CA and certificate, and regenerates when the Service names change', async (t) => {
  // A first install's output is what the cluster holds.
  const installed = secretOf(helmTemplate({ release: 'ddguard', namespace: 'ddguard' }));
  t.equal(installed.metadata.annotations['ddguard.io/serving-names'], NAMES);

  const fake = await FakeApiServer.start();
  const dir = mkdtempSync(join(tmpdir(), 'ddguard-kube-'));
  t.teardown(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const kubeconfig = fake.writeKubeconfig(dir);
  const upgrade = () => helmTemplateAgainst(kubeconfig, { release: 'ddguard', namespace: 'ddguard' });

  const fresh = await upgrade();
  t.not(secretOf(fresh).data['ca.crt'], installed.data['ca.crt'], 'nothing in the cluster: a new CA');
  t.ok(fake.requests.some((r) => r.verb === 'get' && r.resource === 'secrets' && r.name === 'ddguard-tls'), 'the chart looked the Secret up');

  fake.apply(installedSecret(installed.data, NAMES));
  const kept = await upgrade();
  t.same(secretOf(kept).data, installed.data, 'the Secret is rendered unchanged');
  t.same([...new Set(caBundles(kept))], [installed.data['ca.crt']], 'every webhook keeps the CA the pods serve with');

  fake.apply(installedSecret(installed.data, 'old-name.ddguard.svc'));
  const regenerated = secretOf(await upgrade());
  t.not(regenerated.data['ca.crt'], installed.data['ca.crt'], 'names changed: a new certificate');
  const cert = new X509Certificate(Buffer.from(regenerated.data['tls.crt'] ?? '', 'base64'));
  t.ok(cert.checkHost('ddguard.ddguard.svc'), 'the new certificate covers the Service');
});
