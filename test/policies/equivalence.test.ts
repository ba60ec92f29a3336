// The generated policies against the TypeScript rules (issue 13, item 3): evaluated with cel-js on objects as
// the API server presents them, a policy may deny only what its rule reports as an error, and a form that
// claims to be exact denies every error its rule reports on the objects it matches.
import t, { type Test } from 'tap';
import { isBadTokenByte } from '../../src/datadog/token.js';
import { base64BadByteRegex } from '../../src/policy-forms/cel.js';
import { RULES } from '../../src/rules/index.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import { loadRuleFixtures } from '../support/fixtures.js';
import { compare, report, type Tally } from '../support/policy-compare.js';
import { asAdmitted, createRequest, evaluatePolicy, POLICIES } from '../support/policies.js';
import { hostVariants, tokenVariants, TOKEN_TEXTS, type Variant } from '../support/policy-variants.js';

t.test('the rules\' fixtures', async (t) => {
  const tally: Tally = { judged: 0, denied: 0, problems: [] };
  const deniedFixtures = new Set<string>();
  for (const fixture of loadRuleFixtures()) {
    const world = new ManifestWorld(fixture.objects, { defaultNamespace: 'datadog' });
    const before = tally.denied;
    for (const object of fixture.objects) {
      compare(fixture.file.split('/rules/')[1] ?? fixture.file, object, world, tally, (_, exactness) => exactness === 'exact');
    }
    if (tally.denied > before) deniedFixtures.add(fixture.file.split('/rules/')[1] ?? '');
  }
  report(t, tally, 'fixtures', 10);
  // Each rule with a policy form has at least one failing fixture its policy denies.
  for (const rule of RULES.filter((r) => r.policy)) {
    t.ok([...deniedFixtures].some((f) => f.startsWith(`${rule.id}/fail.`)), `${rule.id}: a failing fixture is denied by its policy`);
  }
  t.notOk([...deniedFixtures].some((f) => f.includes('/pass.') && RULES.some((r) => r.policy && f.startsWith(`${r.id}/`))), 'no passing fixture of a rule with a policy form is denied');
});

function compareVariants(t: Test, variants: Variant[], minimumDenied: number): void {
  const tally: Tally = { judged: 0, denied: 0, problems: [] };
  for (const variant of variants) {
    compare(variant.name, variant.object, undefined, tally, (ruleId) => variant.covered && variant.about.includes(ruleId));
  }
  report(t, tally, `${variants.length} variants`, minimumDenied);
}

t.test('tokens of 0-64 bytes in ASCII and multi-byte text, with whitespace, in every place a token is written', async (t) => {
  compareVariants(t, tokenVariants(), 500);
});

t.test('every way a kubelet host, a hostname and a Cluster Agent URL can be given', async (t) => {
  compareVariants(t, hostVariants(), 40);
});

t.test('the measured value is in the message, the token never is', async (t) => {
  const length = POLICIES.find((p) => p.name === 'ddguard-cluster-agent-token-length-secrets');
  t.ok(length, 'the Secret length policy exists');
  if (!length) return;
  for (const { text } of TOKEN_TEXTS) {
    const bytes = Buffer.byteLength(text);
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'datadog-cluster-agent', namespace: 'datadog', labels: { 'app.kubernetes.io/managed-by': 'Helm' } }, stringData: { token: text } };
    const verdict = evaluatePolicy(length, createRequest(secret));
    t.equal(verdict.denied, bytes < 32, `${bytes} bytes: ${bytes < 32 ? 'denied' : 'admitted'}`);
    for (const message of verdict.messages) {
      t.match(message, new RegExp(`^\\[cluster-agent-token-length\\] .* is ${bytes} bytes; .*currently: ${bytes}"`), 'says the byte count');
      if (text.length >= 4) t.notOk(message.includes(text) || message.includes(Buffer.from(text).toString('base64')), 'never the token');
    }
  }
});

t.test('the issue\'s cases: a 30-byte token in data or stringData denied, 32 bytes and 16 two-byte characters admitted', async (t) => {
  const policy = POLICIES.find((p) => p.name === 'ddguard-cluster-agent-token-length-secrets');
  if (!policy) {
    t.fail('no Secret length policy');
    return;
  }
  const secret = (field: 'data' | 'stringData', text: string) => ({
    apiVersion: 'v1', kind: 'Secret', metadata: { name: 'datadog-cluster-agent', namespace: 'datadog', labels: { 'helm.sh/chart': 'datadog-3.70.0' } },
    [field]: { token: field === 'data' ? Buffer.from(text).toString('base64') : text },
  });
  for (const field of ['data', 'stringData'] as const) {
    t.ok(evaluatePolicy(policy, createRequest(secret(field, 'a'.repeat(30)))).denied, `${field}: 30 bytes denied`);
    t.notOk(evaluatePolicy(policy, createRequest(secret(field, 'a'.repeat(32)))).denied, `${field}: 32 bytes admitted`);
    t.notOk(evaluatePolicy(policy, createRequest(secret(field, 'é'.repeat(16)))).denied, `${field}: 16 two-byte characters admitted`);
    t.ok(evaluatePolicy(policy, createRequest(secret(field, 'é'.repeat(15)))).denied, `${field}: 15 two-byte characters (30 bytes) denied`);
  }
  const base64 = Buffer.from('a'.repeat(30)).toString('base64');
  t.equal(base64.length, 40, 'the base64 text of 30 bytes is 40 characters: size() alone would admit it');
});

t.test('a DELETE, a kube-system object and a Kubernetes controller are never judged', async (t) => {
  const policy = POLICIES.find((p) => p.name === 'ddguard-cluster-agent-token-length-secrets');
  if (!policy) {
    t.fail('no Secret length policy');
    return;
  }
  const short = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'datadog-cluster-agent', namespace: 'datadog', labels: { 'app.kubernetes.io/managed-by': 'Helm' } }, stringData: { token: 'short' } };
  t.ok(evaluatePolicy(policy, createRequest(short)).denied, 'the short token is denied on CREATE');
  t.notOk(evaluatePolicy(policy, { ...createRequest(short), operation: 'DELETE', object: null, oldObject: asAdmitted(short) }).matched, 'DELETE');
  t.notOk(evaluatePolicy(policy, createRequest({ ...short, metadata: { ...short.metadata, namespace: 'kube-system' } })).matched, 'kube-system');
  t.notOk(evaluatePolicy(policy, createRequest(short, { username: 'system:serviceaccount:kube-system:replicaset-controller' })).matched, 'a controller');
  const exempt = { ...short, metadata: { ...short.metadata, annotations: { 'ddguard.io/exempt': 'cluster-agent-token-length', 'ddguard.io/exempt-reason': 'test' } } };
  t.notOk(evaluatePolicy(policy, createRequest(exempt)).matched, 'an object with the exemption annotation is left to the webhook');
});

t.test('the base64 bad-byte expression matches exactly the texts whose bytes hold a bad byte', async (t) => {
  const regex = new RegExp(base64BadByteRegex());
  let checked = 0;
  const wrong: string[] = [];
  for (let length = 1; length <= 6; length++) {
    for (let at = 0; at < length; at++) {
      for (let byte = 0; byte < 256; byte++) {
        for (const filler of [0x41, 0xff, 0x21, 0x80]) {
          const bytes = Buffer.alloc(length, filler);
          bytes[at] = byte;
          const expected = [...bytes].some(isBadTokenByte);
          if (regex.test(bytes.toString('base64')) !== expected) wrong.push(`${bytes.toString('hex')}`);
          checked++;
        }
      }
    }
  }
  t.same(wrong.slice(0, 10), [], `${checked} byte strings checked`);
});

