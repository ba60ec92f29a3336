// The generated policies against the TypeScript rules (issue 13, item 3): evaluated with cel-js on objects as
// the API server presents them, a policy may deny only what its rule reports as an error, and a form that
// claims to be exact denies every error its rule reports on the objects it matches.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parseAllDocuments } from 'yaml';
import { isBadTokenByte } from '../../src/datadog/token.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { base64BadByteRegex } from '../../src/policies/cel.js';
import { RULES } from '../../src/rules/index.js';
import { ManifestWorld } from '../../src/world/manifestWorld.js';
import { corpusFiles, CORPUS, loadRuleFixtures, SHARED } from '../support/fixtures.js';
import { asAdmitted, createRequest, evaluatePolicy, POLICIES, ruleErrors, type Request } from './support.js';
import { hostVariants, tokenVariants, TOKEN_TEXTS, type Variant } from './variants.js';

interface Tally {
  judged: number;
  denied: number;
  problems: string[];
}

/**
 * Every policy on `object`: no expression fails; a denial is backed by a rule error in `world` and in a world
 * of the object alone; with `exact`, a rule error on a matched object is denied.
 */
function compare(label: string, object: KubeObject, world: ManifestWorld | undefined, tally: Tally, exactFor: (ruleId: string, exactness: string) => boolean): void {
  for (const shape of ['admitted', 'as written'] as const) {
    if (shape === 'as written' && object.kind !== 'Secret') continue;
    const request = createRequest(object, { asWritten: shape === 'as written' });
    for (const policy of POLICIES) {
      const verdict = evaluatePolicy(policy, request);
      if (!verdict.matched && verdict.failures.length === 0) continue;
      tally.judged++;
      for (const failure of verdict.failures) tally.problems.push(`${label} (${shape}): ${failure}`);
      const alone = ruleErrors(policy.ruleId, object);
      const inWorld = world ? ruleErrors(policy.ruleId, object, world) : alone;
      if (verdict.denied) {
        tally.denied++;
        if (alone.length === 0 || inWorld.length === 0) tally.problems.push(`${label} (${shape}): ${policy.name} denies what ${policy.ruleId} allows`);
        for (const message of verdict.messages) {
          if (!message.startsWith(`[${policy.ruleId}] `)) tally.problems.push(`${label}: message without its rule id: ${message}`);
        }
      } else if (verdict.matched && alone.length > 0 && exactFor(policy.ruleId, policy.target.exactness)) {
        tally.problems.push(`${label} (${shape}): ${policy.name} admits what ${policy.ruleId} reports: ${alone[0]}`);
      }
    }
  }
}

function report(t: Test, tally: Tally, what: string, minimumDenied: number): void {
  t.same(tally.problems, [], `${what}: policies and rules agree (${tally.judged} judgements, ${tally.denied} denials)`);
  t.ok(tally.denied >= minimumDenied, `${what}: at least ${minimumDenied} denials (got ${tally.denied}), so the comparison has teeth`);
}

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

const noCorpus = existsSync(CORPUS) ? false : '../shared/corpus is not here: the 1 corpus comparison is skipped (the official manifests live outside the repository)';
t.test('the official corpus', { skip: noCorpus }, async (t) => {
  const tally: Tally = { judged: 0, denied: 0, problems: [] };
  let objects = 0;
  for (const file of corpusFiles()) {
    const parsed = parseAllDocuments(readFileSync(file, 'utf8'))
      .filter((d) => d.errors.length === 0)
      .map((d) => d.toJS() as KubeObject | null)
      .filter((o): o is KubeObject => o !== null && typeof o === 'object' && typeof o.kind === 'string');
    const world = new ManifestWorld(parsed, { defaultNamespace: 'datadog' });
    for (const object of parsed) {
      objects++;
      compare(file.slice(CORPUS.length + 1), object, world, tally, (_, exactness) => exactness === 'exact');
    }
  }
  t.ok(objects > 100, `${objects} corpus objects read`);
  t.same(tally.problems, [], `corpus: policies and rules agree (${tally.judged} judgements, ${tally.denied} denials)`);
});

const chartReviews = join(SHARED, 'captured-admission', 'datadog-chart');
t.test('the official Datadog chart as a real API server sent it', { skip: existsSync(chartReviews) ? false : '../shared/captured-admission is not here: the captured reviews are skipped' }, async (t) => {
  const tally: Tally = { judged: 0, denied: 0, problems: [] };
  let reviews = 0;
  const denials: string[] = [];
  for (const file of readdirSync(chartReviews).filter((f) => f.endsWith('.json')).sort()) {
    const { request } = JSON.parse(readFileSync(join(chartReviews, file), 'utf8')) as { request: Request };
    if (!request.object) continue;
    reviews++;
    for (const policy of POLICIES) {
      const verdict = evaluatePolicy(policy, request);
      if (!verdict.matched && verdict.failures.length === 0) continue;
      tally.judged++;
      for (const failure of verdict.failures) tally.problems.push(`${file}: ${failure}`);
      const errors = ruleErrors(policy.ruleId, request.object);
      if (verdict.denied) denials.push(`${file} ${policy.name}`);
      if (verdict.denied && (tally.denied++, errors.length === 0)) tally.problems.push(`${file}: ${policy.name} denies what ${policy.ruleId} allows`);
      if (!verdict.denied && verdict.matched && errors.length > 0 && policy.target.exactness === 'exact') tally.problems.push(`${file}: ${policy.name} admits ${errors[0]}`);
    }
  }
  t.ok(reviews > 5, `${reviews} captured reviews`);
  t.ok(tally.judged > 0, `${tally.judged} judged by a policy`);
  t.same(tally.problems, [], `policies and rules agree on the API server's own objects (${tally.denied} denials)`);
  // The experiment: a 30-byte token written into the chart's Secret, a literal kubelet host on its DaemonSet.
  t.same(denials, [
    '0016-Secret-UPDATE-datadog-cluster-agent.json ddguard-cluster-agent-token-length-secrets',
    '0017-DaemonSet-UPDATE-dryrun-datadog.json ddguard-kubelet-host-per-node-daemonsets',
  ], 'the broken updates are denied, the chart\'s own install is not');
});
