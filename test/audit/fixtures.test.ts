// A cluster holding each rule's broken fixture (as if stored before any webhook existed) is audited, and
// the rule is named. One fixture at a time, so fixtures that reuse names do not overwrite each other.
import t from 'tap';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type ObjectInput } from '../support/fake-apiserver.js';
import { loadRuleFixtures } from '../support/fixtures.js';
import { audit, ruleIdsOf } from '../support/audit.js';

const fake = await startFakeApiServer();
t.teardown(() => fake.close());
const kubeconfig = fake.writeKubeconfig(mkdtempSync(join(tmpdir(), 'ddguard-audit-')));

/**
 * Broken fixtures an audit cannot see by design: the only broken object is a Secret that no Datadog
 * workload or DatadogAgent in the fixture reads, and the audit never lists Secrets (it gets the ones
 * referenced, plus the chart's and the Operator's default names next to their workloads).
 */
const UNSEEABLE = new Set<string>([
  'cluster-agent-token-length/fail.dd-env-key.yaml',
  'cluster-agent-token-length/fail.helm-secret-30-bytes.yaml',
  'cluster-agent-token-length/fail.invalid-base64.yaml',
  'cluster-agent-token-length/fail.operator-owned-secret.yaml',
  'cluster-agent-token-whitespace/fail.block-scalar-keeps-newline.yaml',
  'cluster-agent-token-whitespace/fail.control-character.yaml',
  'cluster-agent-token-whitespace/fail.trailing-newline-from-echo.yaml',
]);

for (const fixture of loadRuleFixtures().filter((f) => f.expect === 'fail')) {
  const name = `${fixture.ruleId}/${fixture.file.split('/').pop()}`;
  t.test(name, async (t) => {
    const seeded = fake.seed(fixture.objects as ObjectInput[]);
    try {
      const run = await audit({ kubeconfig, format: 'json', failOn: 'warning' });
      t.equal(run.stderr, '', 'no error');
      const ids = ruleIdsOf(run.stdout);
      if (UNSEEABLE.has(name)) {
        t.notOk(ids.includes(fixture.ruleId), 'a lone Secret is not read (the audit never lists Secrets)');
      } else {
        t.ok(ids.includes(fixture.ruleId), `names ${fixture.ruleId} (got ${ids.join(', ') || 'nothing'})`);
        t.equal(run.code, 1, 'exit 1');
      }
    } finally {
      for (const o of seeded) fake.remove({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) });
    }
  });
}
