// Self-test of the registry: ids match file names, texts are present, fixes are sentences, and every rule has
// at least one passing and one failing fixture.
import t from 'tap';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { RULES } from '../../src/rules/index.js';
import { buildRegistry } from '../../src/rules/registry.js';
import { loadRuleFixtures, ROOT } from '../support/fixtures.js';

const CATALOGUE = [
  'cluster-agent-token-length', 'cluster-agent-token-whitespace', 'cluster-agent-token-mismatch',
  'cluster-agent-token-ref', 'cluster-agent-token-inline', 'kubelet-host-per-node', 'kubelet-host-node-name',
  'hostname-per-node', 'cluster-agent-url-https', 'cluster-agent-rbac', 'agent-rbac-kubelet', 'agent-rbac', 'cluster-checks-runner-rbac',
  'agent-service-account-token', 'cluster-agent-probe-port', 'datadogagent-token-secret-config',
];

t.test('the registry holds exactly the public catalogue, in order', async (t) => {
  t.same(RULES.map((r) => r.id), CATALOGUE);
});

t.test('each rule lives in a file named after its id', async (t) => {
  const files = readdirSync(join(ROOT, 'src', 'rules')).filter((f) => f.endsWith('.ts'));
  for (const rule of RULES) t.ok(files.includes(`${rule.id}.ts`), `${rule.id}.ts exists`);
});

t.test('every rule has texts, an example and passing and failing fixtures', async (t) => {
  const fixtures = loadRuleFixtures();
  for (const rule of RULES) {
    t.ok(rule.title && rule.description && rule.example.bad && rule.example.good, `${rule.id} is documented`);
    t.match(rule.remediation, /\.$/, `${rule.id}: the fix is a sentence`);
    t.ok(fixtures.some((f) => f.ruleId === rule.id && f.expect === 'pass'), `${rule.id} has a passing fixture`);
    t.ok(fixtures.some((f) => f.ruleId === rule.id && f.expect === 'fail'), `${rule.id} has a failing fixture`);
  }
});

t.test('the registry refuses duplicates, bad ids and fixes that are not sentences', async (t) => {
  const rule = RULES[0]!;
  t.throws(() => buildRegistry([rule, rule]), { code: 'DDG_REGISTRY' });
  t.throws(() => buildRegistry([{ ...rule, id: 'Bad_Id' }]), { code: 'DDG_REGISTRY' });
  t.throws(() => buildRegistry([{ ...rule, remediation: 'no period' }]), { code: 'DDG_REGISTRY' });
});
