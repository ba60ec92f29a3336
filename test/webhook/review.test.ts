import t from 'tap';
import type { KubeObject } from '../../src/kube-model/types.js';
import { DrainState } from '../../src/webhook/drain.js';
import { StaticWorldProvider, type WorldProvider } from '../../src/world/world-provider.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import { WEBHOOK_TEST_RULES } from '../support/test-rules.js';
import { admissionLine, reviewOf, testServer } from '../support/webhook.js';
import { appSecret, appDeployment, appConfigMap } from '../support/admission.js';

const b64 = (text: string) => Buffer.from(text).toString('base64');
const SHORT = 'x'.repeat(30);
const LONG = 'y'.repeat(40);

function secret(token: string, extra: Partial<KubeObject> = {}): KubeObject {
  const object = appSecret();
  return { ...object, ...extra, data: { ...(object['data'] as object), token: b64(token) } };
}

function deployment(labels: Record<string, string>): KubeObject {
  const object = appDeployment();
  return { ...object, metadata: { ...object.metadata, labels } };
}

t.test('a Secret the rules accept is allowed, answered in v1 with the request uid, and logged once', async (t) => {
  const { validate, logs } = await testServer({ rules: WEBHOOK_TEST_RULES });
  const review = reviewOf(appSecret());
  const { statusCode, body } = await validate(review);
  t.equal(statusCode, 200);
  t.same(body, { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } });
  const line = admissionLine(logs, review.request.uid);
  t.match(line, { kind: 'Secret', namespace: 'default', name: 'shop-db', operation: 'CREATE', dryRun: false, decision: 'allow', rules: [] });
  t.type(line?.['durationMs'], 'number');
  t.equal(logs.lines().filter((l) => l['uid'] === review.request.uid).length, 1, 'exactly one line per admission');
});

t.test('an error finding denies with 403 Forbidden and one line per finding', async (t) => {
  const { validate, logs } = await testServer({ rules: WEBHOOK_TEST_RULES });
  const review = reviewOf(secret(SHORT));
  const { body } = await validate(review);
  t.equal(body.response.allowed, false);
  t.equal(body.response.uid, review.request.uid);
  t.equal(body.response.status?.code, 403);
  t.equal(body.response.status?.reason, 'Forbidden');
  t.equal(
    body.response.status?.message,
    'ddguard denied Secret default/shop-db: 1 problem\n' +
      '[test-short-token] The token is 30 bytes, under 32. Use a token of at least 32 characters.',
  );
  t.match(admissionLine(logs, review.request.uid), { decision: 'deny', rules: ['test-short-token'], denyingRules: ['test-short-token'] });
});

t.test('dryRun gets the same decision as the real request', async (t) => {
  const { validate, logs } = await testServer({ rules: WEBHOOK_TEST_RULES });
  const dry = reviewOf(appSecret(), { dryRun: true });
  t.equal(dry.request.dryRun, true);
  const object = { ...(dry.request.object as KubeObject), data: { token: b64(SHORT) } };
  const dryReview = reviewOf(object, { dryRun: true });
  const realReview = reviewOf(object);
  const [dryAnswer, realAnswer] = [await validate(dryReview), await validate(realReview)];
  t.equal(dryAnswer.body.response.allowed, false);
  t.same(dryAnswer.body.response.status, realAnswer.body.response.status);
  t.match(admissionLine(logs, dryReview.request.uid), { dryRun: true, decision: 'deny' });
});

t.test('v1beta1 is answered in v1beta1', async (t) => {
  const { validate } = await testServer({ rules: WEBHOOK_TEST_RULES });
  const review = reviewOf(secret(SHORT));
  (review as { apiVersion: string }).apiVersion = 'admission.k8s.io/v1beta1';
  const { body } = await validate(review);
  t.equal(body.apiVersion, 'admission.k8s.io/v1beta1');
  t.equal(body.response.allowed, false);
});

t.test('UPDATE judges the new object', async (t) => {
  const { validate } = await testServer({ rules: WEBHOOK_TEST_RULES });
  const fixing = reviewOf(secret(LONG), { operation: 'UPDATE', oldObject: secret(SHORT) });
  t.equal((await validate(fixing)).body.response.allowed, true, 'replacing a short token is allowed');
  const breaking = reviewOf(secret(SHORT), { operation: 'UPDATE', oldObject: secret(LONG) });
  t.equal((await validate(breaking)).body.response.allowed, false, 'shortening it is denied');
});

t.test('DELETE', async (t) => {
  const sa = 'demo-sa';
  // A Cluster Agent Deployment: impact is only worked out for Datadog workloads.
  const workload = deployment({ app: 'demo', 'needs-binding': 'true', 'agent.datadoghq.com/component': 'cluster-agent' });
  (workload['spec'] as { template: { spec: Record<string, unknown> } }).template.spec['serviceAccountName'] = sa;
  const binding = (name: string): KubeObject => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'demo-reader' },
    subjects: [{ kind: 'ServiceAccount', name: sa, namespace: 'default' }],
  });

  t.test('of the only binding a workload needs is denied, naming the workload', async (t) => {
    const worldProvider = StaticWorldProvider.of([workload, binding('demo-binding')]);
    const { validate } = await testServer({ rules: WEBHOOK_TEST_RULES, worldProvider });
    const review = reviewOf(binding('demo-binding'), { operation: 'DELETE' });
    t.equal(review.request.object, null, 'DELETE carries object: null');
    const { body } = await validate(review);
    t.equal(body.response.allowed, false);
    t.equal(
      body.response.status?.message,
      'ddguard denied ClusterRoleBinding demo-binding: 1 problem\n' +
        '[test-needs-binding] Deployment default/shop: ServiceAccount default/demo-sa is bound to nothing. Bind the ServiceAccount.',
    );
  });

  t.test('of a binding another one duplicates is allowed', async (t) => {
    const worldProvider = StaticWorldProvider.of([workload, binding('demo-binding'), binding('spare')]);
    const { validate } = await testServer({ rules: WEBHOOK_TEST_RULES, worldProvider });
    t.equal((await validate(reviewOf(binding('demo-binding'), { operation: 'DELETE' }))).body.response.allowed, true);
  });

  t.test('of a broken object is allowed (nothing is left to break)', async (t) => {
    const { validate } = await testServer({ rules: WEBHOOK_TEST_RULES });
    const review = reviewOf(secret(SHORT), { operation: 'DELETE' });
    t.equal(review.request.operation, 'DELETE');
    t.equal((await validate(review)).body.response.allowed, true);
  });

  t.test('without oldObject is allowed rather than rejected', async (t) => {
    const { validate } = await testServer({ rules: WEBHOOK_TEST_RULES });
    const review = reviewOf(appSecret(), { operation: 'DELETE' });
    delete review.request.oldObject;
    const { statusCode, body } = await validate(review);
    t.equal(statusCode, 200);
    t.equal(body.response.allowed, true);
  });
});

t.test('CONNECT, subresources and kinds no rule covers are allowed without review', async (t) => {
  const { validate, logs } = await testServer({ rules: WEBHOOK_TEST_RULES });
  const connect = reviewOf(secret(SHORT), { operation: 'CONNECT', object: null, oldObject: null });
  connect.request.kind = { group: '', version: 'v1', kind: 'PodExecOptions' };
  t.equal((await validate(connect)).body.response.allowed, true);
  t.match(admissionLine(logs, connect.request.uid), { path: 'not-judged' });

  const status = reviewOf(secret(SHORT), { operation: 'UPDATE', subResource: 'status', oldObject: secret(SHORT) });
  t.equal((await validate(status)).body.response.allowed, true);

  const configMap = reviewOf(appConfigMap(), { dryRun: true });
  t.equal((await validate(configMap)).body.response.allowed, true);
  t.match(admissionLine(logs, configMap.request.uid), { kind: 'ConfigMap', path: 'not-judged' });
});

t.test('an object on its way out (deletionTimestamp set) may lose its finalizers', async (t) => {
  const { validate } = await testServer({ rules: WEBHOOK_TEST_RULES });
  const leaving = secret(SHORT);
  leaving.metadata = { ...leaving.metadata, deletionTimestamp: '2026-11-29T06:00:00Z' } as NonNullable<KubeObject['metadata']>;
  const review = reviewOf(leaving, { operation: 'UPDATE', oldObject: leaving });
  t.equal((await validate(review)).body.response.allowed, true);
});

t.test("the webhook's own ServiceAccount is allowed", async (t) => {
  const own = 'system:serviceaccount:ddguard:ddguard';
  const { validate, logs } = await testServer({ rules: WEBHOOK_TEST_RULES, config: { ownServiceAccount: own } });
  const review = reviewOf(secret(SHORT), { userInfo: { username: own } });
  t.equal((await validate(review)).body.response.allowed, true);
  t.match(admissionLine(logs, review.request.uid), { path: 'own-service-account' });
  const other = reviewOf(secret(SHORT));
  t.equal((await validate(other)).body.response.allowed, false, 'anyone else is still reviewed');
});

t.test('exemptions are honoured and every one used is logged', async (t) => {
  t.test('an exempt namespace', async (t) => {
    const { validate, logs, metrics } = await testServer({ rules: WEBHOOK_TEST_RULES, config: { exemptNamespaces: ['kube-system'] } });
    const object = secret(SHORT);
    object.metadata = { ...object.metadata, namespace: 'kube-system' };
    const review = reviewOf(object);
    t.equal((await validate(review)).body.response.allowed, true);
    t.ok(logs.lines().some((l) => l['uid'] === review.request.uid && l['exemption'] === 'namespace'));
    t.match(await metrics.text(), /ddguard_exemptions_total\{by="namespace"\} 1/);
  });

  t.test('the ddguard.io/exempt annotation with a reason', async (t) => {
    const { validate, logs } = await testServer({ rules: WEBHOOK_TEST_RULES });
    const object = secret(SHORT);
    object.metadata = {
      ...object.metadata,
      annotations: { 'ddguard.io/exempt': 'test-short-token', 'ddguard.io/exempt-reason': 'legacy agent pinned until Q3' },
    };
    const review = reviewOf(object);
    const { body } = await validate(review);
    t.equal(body.response.allowed, true);
    t.notOk(body.response.warnings, 'an exempted finding is not repeated as a warning');
    const used = logs.lines().find((l) => l['uid'] === review.request.uid && l['msg'] === 'exemption used');
    t.match(used, { rule: 'test-short-token', by: 'annotation', reason: 'legacy agent pinned until Q3' });
  });

  t.test('the annotation without a reason exempts nothing, and says so', async (t) => {
    const { validate } = await testServer({ rules: WEBHOOK_TEST_RULES });
    const object = secret(SHORT);
    object.metadata = { ...object.metadata, annotations: { 'ddguard.io/exempt': 'test-short-token' } };
    const { body } = await validate(reviewOf(object));
    t.equal(body.response.allowed, false);
    t.match(body.response.status?.message, /ddguard\.io\/exempt-reason is missing/);
  });

  t.test('a config exemption', async (t) => {
    const engineConfig = {
      severities: {},
      exemptions: [{ kind: 'Secret', name: 'shop-db', rules: ['test-short-token'], reason: 'test fixture' }],
      settings: { extraClusterAgentPermissions: [] },
    };
    const { validate, logs } = await testServer({ rules: WEBHOOK_TEST_RULES, engineConfig });
    const review = reviewOf(secret(SHORT));
    t.equal((await validate(review)).body.response.allowed, true);
    t.match(logs.lines().find((l) => l['msg'] === 'exemption used'), { by: 'config', reason: 'test fixture' });
  });
});

t.test('warn mode never denies: errors become warnings', async (t) => {
  const { validate, logs } = await testServer({ rules: WEBHOOK_TEST_RULES, config: { mode: 'warn' } });
  const review = reviewOf(secret(SHORT));
  const { body } = await validate(review);
  t.equal(body.response.allowed, true);
  t.same(body.response.warnings, ['[test-short-token] The token is 30 bytes, under 32 (more: ddguard explain test-short-token, docs/rules.md#test-short-token)']);
  // The full finding, with the fix a warning has no room for, goes to the API server's audit log.
  t.same(Object.keys(body.response.auditAnnotations ?? {}), ['test-short-token']);
  t.match(body.response.auditAnnotations?.['test-short-token'],
    /^\[test-short-token\] Secret \S+: The token is 30 bytes, under 32\. Fix: .+ More: `ddguard explain test-short-token` or docs\/rules\.md#test-short-token\.$/);
  t.notMatch(JSON.stringify(body), SHORT, 'never the token');
  t.match(admissionLine(logs, review.request.uid), { decision: 'allow', rules: ['test-short-token'] });
});

t.test('warning findings are returned as warnings on an allowed request', async (t) => {
  const { validate } = await testServer({ rules: WEBHOOK_TEST_RULES });
  const { body } = await validate(reviewOf(deployment({ tier: 'web' })));
  t.equal(body.response.allowed, true);
  t.same(body.response.warnings, ['[test-missing-app-label] The Deployment has no app label (more: ddguard explain test-missing-app-label, docs/rules.md#test-missing-app-label)']);
  t.match(body.response.auditAnnotations, { 'test-missing-app-label': /^\[test-missing-app-label\] Deployment .*Fix: /u });
});

t.test('lookup failures', async (t) => {
  const daemonSet: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'datadog' },
    spec: { template: { metadata: {}, spec: { containers: [{ name: 'agent' }] } } },
  };
  const failing: WorldProvider = {
    prepare: () => Promise.reject(new Error('connect ECONNREFUSED 10.96.0.1:443')),
    ready: () => true,
  };

  t.test('warn and allow by default', async (t) => {
    const { validate, metrics, logs } = await testServer({ rules: WEBHOOK_TEST_RULES, worldProvider: failing });
    const review = reviewOf(daemonSet);
    const { body } = await validate(review);
    t.equal(body.response.allowed, true);
    t.same(body.response.warnings, [
      '[test-needs-secret] Could not check Secret "needed": the cluster lookup failed: connect ECONNREFUSED 10.96.0.1:443 (more: ddguard explain test-needs-secret, docs/rules.md#test-needs-secret)',
      '[lookup] could not check: the cluster lookup failed: connect ECONNREFUSED 10.96.0.1:443',
    ]);
    t.match(await metrics.text(), /ddguard_lookup_errors_total 1/);
    t.ok(logs.lines().some((l) => l['uid'] === review.request.uid && l['msg'] === 'lookup failed; finding downgraded'));
  });

  t.test('deny with lookupFailure: deny', async (t) => {
    const { validate } = await testServer({ rules: WEBHOOK_TEST_RULES, worldProvider: failing, config: { lookupFailure: 'deny' } });
    const { body } = await validate(reviewOf(daemonSet));
    t.equal(body.response.allowed, false);
    t.match(body.response.status?.message, /^ddguard denied DaemonSet datadog\/agent: 1 problem\n\[lookup\] could not check: the cluster lookup failed/);
  });

  t.test('a rule that judges the object alone still denies when the cluster is down', async (t) => {
    const { validate } = await testServer({ rules: WEBHOOK_TEST_RULES, worldProvider: failing });
    t.equal((await validate(reviewOf(secret(SHORT)))).body.response.allowed, false);
  });

  t.test('a world that hangs ends at the deadline from ?timeout=', async (t) => {
    const hanging: WorldProvider = { prepare: () => new Promise(() => {}), ready: () => true };
    const { validate } = await testServer({ rules: WEBHOOK_TEST_RULES, worldProvider: hanging });
    const started = Date.now();
    const { body } = await validate(reviewOf(daemonSet), '?timeout=2s');
    const elapsed = Date.now() - started;
    t.ok(elapsed >= 1400 && elapsed < 2000, `answered before the API server gives up (${elapsed} ms)`);
    t.equal(body.response.allowed, true);
    t.match(body.response.warnings, [/did not answer within 1500 ms/, /did not answer within 1500 ms/]);
  });

  t.test('the provider receives the deadline', async (t) => {
    let remaining = -1;
    const spy: WorldProvider = {
      prepare: (_request, deadline) => {
        remaining = deadline.remainingMs();
        return Promise.resolve({ world: new ManifestWorld([]), lookupFailures: [] });
      },
      ready: () => true,
    };
    const { validate } = await testServer({ rules: WEBHOOK_TEST_RULES, worldProvider: spy });
    await validate(reviewOf(daemonSet), '?timeout=5s');
    t.ok(remaining > 3500 && remaining <= 4000, `5 s minus a 1 s margin (${remaining} ms)`);
  });
});

t.test('malformed requests get 400 with a reason', async (t) => {
  const { validate, app, metrics } = await testServer({ rules: WEBHOOK_TEST_RULES });
  const notJson = await validate('{"kind": "AdmissionReview", ');
  t.equal(notJson.statusCode, 400);
  t.match(notJson.body, { kind: 'Status', code: 400, reason: 'BadRequest', message: /not valid JSON/ });
  t.match(notJson.body['message'], /\(at line 1, column 29, character 28\)$/, 'where it stops, even at the end of the input');
  const brokenInside = await validate('{\n  "kind": "AdmissionReview",\n  "request": {"uid": tru}\n}');
  t.match(brokenInside.body['message'], /\(at line 3, column 22, character 52\)$/, 'the line and column of a break inside');
  t.notMatch(brokenInside.body['message'], /AdmissionReview|uid/, 'names the place, never the text');

  const noUid = reviewOf(appSecret()) as unknown as { request: Record<string, unknown> };
  delete noUid.request['uid'];
  noUid.request['operation'] = 'PATCH';
  const invalid = await validate(noUid);
  t.equal(invalid.statusCode, 400);
  t.match(invalid.body['message'], /\/request must have required property 'uid'/);
  t.match(invalid.body['message'], /\/request\/operation must be equal to one of the allowed values \(CREATE, UPDATE, DELETE, CONNECT\)/, 'all problems at once');

  const wrongVersion = { ...reviewOf(appSecret()), apiVersion: 'admission.k8s.io/v2' };
  t.equal((await validate(wrongVersion)).statusCode, 400);

  const createWithoutObject = reviewOf(appSecret());
  createWithoutObject.request.object = null;
  t.equal((await validate(createWithoutObject)).statusCode, 400);

  const xml = await app.inject({ method: 'POST', url: '/validate', headers: { 'content-type': 'application/xml' }, payload: '<x/>' });
  t.equal(xml.statusCode, 415);
  t.match(xml.json(), { reason: 'UnsupportedMediaType', message: /application\/xml/ });
  t.match(await metrics.text(), /ddguard_admission_requests_total\{kind="",operation="",decision="malformed"\} 6/);
});

t.test('a body over 8 MiB gets 413 with a reason; 8 MiB of objects is accepted', async (t) => {
  const { validate } = await testServer({ rules: WEBHOOK_TEST_RULES });
  const big = reviewOf(secret(LONG, { metadata: { name: 'big', namespace: 'default', annotations: { pad: 'p'.repeat(8 * 1024 * 1024) } } }));
  const tooBig = await validate(big);
  t.equal(tooBig.statusCode, 413);
  t.match(tooBig.body, { code: 413, reason: 'RequestEntityTooLarge', message: /too large/ });

  const large = reviewOf(secret(SHORT, { metadata: { name: 'large', namespace: 'default', annotations: { pad: 'p'.repeat(3 * 1024 * 1024) } } }));
  large.request.operation = 'UPDATE';
  large.request.oldObject = large.request.object ?? null;
  const answered = await validate(large);
  t.equal(answered.statusCode, 200, 'an object and its old copy of 3 MiB each fit');
  t.equal(answered.body.response.allowed, false);
});

t.test('an internal error is a 500 with a log line, and the server keeps answering', async (t) => {
  const { validate, logs } = await testServer({ rules: WEBHOOK_TEST_RULES });
  const role: KubeObject = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'default' } };
  const review = reviewOf(role);
  const failed = await validate(review);
  t.equal(failed.statusCode, 500);
  t.match(failed.body, { code: 500, reason: 'InternalError' });
  t.notMatch(JSON.stringify(failed.body), /rule bug/, 'internals stay in the log');
  const line = logs.lines().find((l) => l['uid'] === review.request.uid && l['level'] === 'error');
  t.match(line, { msg: 'admission review failed', err: { message: 'rule bug' } });
  t.equal((await validate(reviewOf(appSecret()))).statusCode, 200);
});

t.test('healthz and readyz', async (t) => {
  let synced = false;
  const drain = new DrainState();
  const fixed = new StaticWorldProvider();
  const worldProvider: WorldProvider = { prepare: () => fixed.prepare(), ready: () => synced };
  const { app, validate } = await testServer({ rules: WEBHOOK_TEST_RULES, worldProvider, deps: { drain } });
  t.equal((await app.inject('/healthz')).statusCode, 200);
  const notSynced = await app.inject('/readyz');
  t.equal(notSynced.statusCode, 503);
  t.same(notSynced.json().failing, ['cluster caches not synced']);
  synced = true;
  t.equal((await app.inject('/readyz')).statusCode, 200);

  drain.start();
  const draining = await app.inject('/readyz');
  t.equal(draining.statusCode, 503);
  t.same(draining.json().failing, ['shutting down']);
  const review = await app.inject({ method: 'POST', url: '/validate', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(reviewOf(appSecret())) });
  t.equal(review.statusCode, 200, 'still answering while draining');
  t.equal(review.headers['connection'], 'close', 'and asking the client to reconnect elsewhere');
  t.equal((await validate(reviewOf(appSecret()))).body.response.allowed, true);
});

t.test('metrics count requests, findings and decisions', async (t) => {
  const { validate, metrics } = await testServer({ rules: WEBHOOK_TEST_RULES });
  await validate(reviewOf(secret(SHORT)));
  await validate(reviewOf(secret(SHORT)));
  await validate(reviewOf(appSecret()));
  const text = await metrics.text();
  t.match(text, /ddguard_admission_requests_total\{kind="Secret",operation="CREATE",decision="deny"\} 2/);
  t.match(text, /ddguard_admission_requests_total\{kind="Secret",operation="CREATE",decision="allow"\} 1/);
  t.match(text, /ddguard_findings_total\{rule="test-short-token",severity="error"\} 2/);
  t.match(text, /ddguard_admission_duration_seconds_count\{operation="CREATE"\} 3/);
  t.match(text, /ddguard_cache_synced 1/);
});
