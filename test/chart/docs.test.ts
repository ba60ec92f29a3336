import '../support/requires-helm.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { CHART, runToolAsync } from '../support/helm.js';

// Values whose defaults are whole Kubernetes objects or maps keyed by label: documented as one row, not field by field.
const DOCUMENTED_WHOLE = new Set(['resources', 'podSecurityContext', 'securityContext', 'livenessProbe', 'readinessProbe', 'webhook.datadogObjects.labels']);

function leafKeys(values: unknown, prefix = ''): string[] {
  if (typeof values !== 'object' || values === null || Array.isArray(values) || Object.keys(values).length === 0 || DOCUMENTED_WHOLE.has(prefix)) {
    return [prefix];
  }
  return Object.entries(values).flatMap(([key, value]) => leafKeys(value, prefix ? `${prefix}.${key}` : key));
}

t.test('the README values table documents every value, and only existing ones', async (t) => {
  const readme = readFileSync(join(CHART, 'README.md'), 'utf8');
  const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Record<string, unknown>;
  const table = readme.slice(readme.indexOf('## Values'));
  const documented = [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
  const keys = leafKeys(values);
  t.same(keys.filter((key) => !documented.includes(key)), [], 'every value has a row');
  t.same(documented.filter((key) => key && !keys.includes(key)), [], 'every row is a value');
});

t.test('NOTES.txt shows how to try the webhook with a server-side dry run', async (t) => {
  // helm install --dry-run=client renders NOTES.txt without a cluster.
  const result = await runToolAsync('helm', ['install', 'ddguard', CHART, '--namespace', 'guard', '--dry-run=client']);
  t.equal(result.status, 0, 'helm install --dry-run=client', { stderr: result.stderr });
  const notes = result.stdout.slice(result.stdout.indexOf('NOTES:'));
  t.match(notes, /kubectl apply --dry-run=server -f ddguard-broken-token\.yaml/);
  t.match(notes, /kubectl -n guard rollout status deployment\/ddguard/);
  t.match(notes, /DD_CLUSTER_AGENT_AUTH_TOKEN: (\S+)/);
  const token = /DD_CLUSTER_AGENT_AUTH_TOKEN: (\S+)/.exec(notes)?.[1] ?? '';
  t.ok(token.length > 0 && token.length < 32, `the sample token is too short (${token.length} bytes)`);
  t.match(notes, /kubectl delete validatingwebhookconfiguration ddguard/, 'the emergency exit');
});
