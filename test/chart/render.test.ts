import '../support/requires-helm.js';
import t from 'tap';
import { CHART, helmTemplate, runTool, tryHelmTemplate } from '../support/helm.js';
import { schemaErrors } from '../support/kube-schema.js';
import { KUBE_VERSIONS, TLS_MODES, tlsValues } from '../support/chart-modes.js';

// Every optional part switched on, so each template is rendered and validated at least once.
const EVERYTHING = {
  config: { webhook: { lookupFailure: 'allow' } },
  auditInterval: '10m',
  priorityClassName: 'system-cluster-critical',
  serviceMonitor: { enabled: true },
  networkPolicy: {
    enabled: true,
    metricsFrom: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'datadog' } } }],
    apiServer: { ports: [443], cidrs: ['10.0.0.1/32'] },
  },
  extraTopologySpreadConstraints: [
    { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway' },
  ],
  webhook: { annotations: { team: 'platform' }, namespaceSelectorExpressions: [{ key: 'ddguard.io/ignore', operator: 'DoesNotExist' }] },
};

t.test('helm lint passes for each TLS mode', async (t) => {
  for (const mode of TLS_MODES) {
    const args = ['lint', '--strict', CHART, '--set', `tls.mode=${mode}`];
    if (mode === 'secret') args.push('--set', 'tls.secret.name=x', '--set', 'tls.secret.caBundle=Y2E=');
    const result = runTool('helm', args);
    t.equal(result.status, 0, `helm lint (${mode}): ${result.stdout}${result.stderr}`);
  }
});

t.test('every rendered object is valid Kubernetes, for each TLS mode and kube version', async (t) => {
  for (const mode of TLS_MODES) {
    for (const kubeVersion of KUBE_VERSIONS) {
      for (const [label, extra] of [['defaults', {}], ['everything on', EVERYTHING]] as const) {
        const objects = helmTemplate({ values: { ...extra, ...tlsValues(mode) }, kubeVersion });
        t.ok(objects.length >= 8, `${mode} ${kubeVersion} ${label}: renders the chart`);
        for (const object of objects) {
          t.same(schemaErrors(object), [], `${mode} ${kubeVersion} ${label}: ${object.kind} ${object.metadata?.name}`);
        }
      }
    }
  }
});

t.test('the schema check itself rejects broken objects', async (t) => {
  const [deployment] = helmTemplate().filter((o) => o.kind === 'Deployment');
  if (!deployment) throw new Error('no Deployment rendered');
  const misspelt = structuredClone(deployment) as { spec: { template: { spec: Record<string, unknown> } } };
  misspelt.spec.template.spec['readinesProbe'] = {};
  t.match(schemaErrors(misspelt as never).join('\n'), /readinesProbe: unknown field of V1PodSpec/);
  const wrongType = structuredClone(deployment) as { spec: Record<string, unknown> };
  wrongType.spec['replicas'] = 'two';
  t.match(schemaErrors(wrongType as never).join('\n'), /replicas must be integer/);
});

t.test('values.schema.json rejects bad values before anything renders', async (t) => {
  const bad: Record<string, unknown>[] = [
    { tls: { mode: 'manual' } },
    { webhook: { failurePolicy: 'Deny' } },
    { webhook: { timeoutSeconds: 31 } },
    { mode: 'audit' },
    { replicaCount: 0 },
    { datadogNamespaces: 'datadog' },
    { unknownTopLevelKey: true },
  ];
  for (const values of bad) {
    const result = tryHelmTemplate({ values });
    t.not(result.status, 0, `rejected: ${JSON.stringify(values)}`);
    t.match(result.stderr, /values don't meet the specifications of the schema|schema/i);
  }
});

t.test('tls.mode=secret without its Secret or CA bundle fails with a clear message', async (t) => {
  const noName = tryHelmTemplate({ values: { tls: { mode: 'secret', secret: { caBundle: 'Y2E=' } } } });
  t.match(noName.stderr, /tls.secret.name is required/);
  const noCa = tryHelmTemplate({ values: { tls: { mode: 'secret', secret: { name: 'x' } } } });
  t.match(noCa.stderr, /tls.secret.caBundle is required/);
});
