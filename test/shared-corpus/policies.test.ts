// ValidatingAdmissionPolicies over what Datadog really ships (test/policies has the rest): the generated CEL
// and the TypeScript rules agree on the official corpus and on the official chart as a real API server sent
// it, and no captured request of another team is matched by a policy.
import '../support/requires-shared.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../../src/kube-model/types.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import { compare, type Tally } from '../support/policy-compare.js';
import { evaluatePolicy, POLICIES, ruleErrors, type Request } from '../support/policies.js';
import { CAPTURED, CAPTURED_CHART, CORPUS, corpusFiles } from '../support/shared.js';

const matchedBy = (request: Request) => POLICIES.filter((p) => evaluatePolicy(p, request).matched).map((p) => p.name);

t.test('the official corpus', async (t) => {
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

const chartReviews = CAPTURED_CHART;
t.test('the official Datadog chart as a real API server sent it', async (t) => {
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

const captured = CAPTURED;
t.test('captured requests of other teams are matched by no policy', async (t) => {
  const files = readdirSync(captured).filter((f) => f.endsWith('.json'));
  for (const file of files) {
    const review = JSON.parse(readFileSync(join(captured, file), 'utf8')) as { request?: Request & { namespace?: string } };
    if (!review.request) continue;
    const request = { ...review.request, namespace: review.request.namespace ?? review.request.object?.metadata?.namespace ?? '' };
    t.same(matchedBy(request), [], file);
  }
});
