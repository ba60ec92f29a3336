// Issue 10: a fixed-seed fuzz of the admission server. Reviews built from the repository's own examples and rule
// fixtures (the core suite needs only the project) carry a canary in every place a token can sit,
// are mutated a few thousand times (wrong types, deletions, deep nesting, long strings, odd numbers), and are
// sent through the real server: in-process through inject() for volume, and a slice over a real TLS socket.
// It fails on any 5xx, any crash, any answer without the request's uid, and any canary in an answer or a log line.
import { Agent, request as httpsRequest } from 'node:https';
import t from 'tap';
import { generateCertificates } from '../../src/certs/generate.js';
import type { KubeObject } from '../../src/kube-model/types.js';
import { RULES } from '../../src/rules/index.js';
import type { AdmissionReview } from '../../src/kube-model/admission-review.js';
import { loadRuleFixtures } from '../support/fixtures.js';
import { EXAMPLE_FILES, exampleReview } from '../support/hostile-clients.js';
import { testServer } from '../support/webhook.js';

const SEED = 0x1d_d6a2_d10;
const MUTATIONS = 3000;
const OVER_TLS = 150;

// One canary per token location; their shared prefix catches fragments too.
const CANARY = {
  secretData: 'FUZZCANARYdata-5b1e0c7a94d2f83e61',
  secretString: 'FUZZCANARYstring-0e9d4c7b2a1f6e83',
  envLiteral: 'FUZZCANARYenv-7c2e9a4f1b0d3e5a86',
  apiKey: 'FUZZCANARYapikey-4a7e1c9b3d2f0e58',
  datadogAgent: 'FUZZCANARYdda-2f9c4e7a1b5d0c8e36',
  lastApplied: 'FUZZCANARYapplied-8d1e3f7c2a9b4e06',
};
const CANARY_FORMS = Object.values(CANARY).flatMap((v) => [v, Buffer.from(v).toString('base64')]).concat('FUZZCANARY');

/** mulberry32: small, fast, and the same sequence on every run and machine. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Puts a canary wherever a token can be: a Secret's data and stringData, env literals, a DatadogAgent's spec. */
function withCanaries(object: KubeObject): KubeObject {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a canary goes anywhere a token can be, whatever the object's shape
  const copy = structuredClone(object) as KubeObject & Record<string, any>;
  if (copy.kind === 'Secret') {
    copy['data'] = { ...(typeof copy['data'] === 'object' ? copy['data'] : {}), token: Buffer.from(CANARY.secretData).toString('base64') };
    copy['stringData'] = { 'api-key': CANARY.secretString };
  }
  const spec = copy.kind === 'CronJob' ? copy['spec']?.jobTemplate?.spec?.template?.spec : copy.kind === 'Pod' ? copy['spec'] : copy['spec']?.template?.spec;
  for (const container of Array.isArray(spec?.containers) ? spec.containers : []) {
    const env = Array.isArray(container?.env) ? container.env : (container.env = []);
    env.push({ name: 'DD_CLUSTER_AGENT_AUTH_TOKEN', value: CANARY.envLiteral }, { name: 'DD_API_KEY', value: CANARY.apiKey });
  }
  if (copy.kind === 'DatadogAgent' && copy['spec'] && typeof copy['spec'] === 'object') {
    copy['spec'].global = { ...copy['spec'].global, clusterAgentToken: CANARY.datadogAgent, credentials: { apiKey: CANARY.apiKey } };
  }
  copy.metadata = { ...copy.metadata, annotations: { ...copy.metadata?.annotations, [LAST_APPLIED]: JSON.stringify({ stringData: { token: CANARY.lastApplied } }) } };
  return copy;
}

/** A v1 review around `object`, the way the API server sends a CREATE. */
function reviewAround(object: KubeObject): AdmissionReview {
  const review = exampleReview();
  const [group, version] = (object.apiVersion ?? 'v1').includes('/') ? (object.apiVersion ?? '').split('/') : ['', object.apiVersion ?? 'v1'];
  review.request.kind = { group: group ?? '', version: version ?? 'v1', kind: object.kind ?? 'ConfigMap' };
  review.request.name = object.metadata?.name ?? '';
  if (object.metadata?.namespace) review.request.namespace = object.metadata.namespace;
  review.request.object = object;
  return review;
}

function seeds(): AdmissionReview[] {
  const own = [
    ...EXAMPLE_FILES.map((file) => exampleReview(file)),
    ...loadRuleFixtures().flatMap((fixture) => fixture.objects.map((object) => reviewAround(object))),
  ];
  const all = own.filter((r) => r?.request?.uid).map((review) => {
    const copy = structuredClone(review);
    if (copy.request.object) copy.request.object = withCanaries(copy.request.object);
    if (copy.request.oldObject) copy.request.oldObject = withCanaries(copy.request.oldObject);
    return copy;
  });
  return all;
}

const DEEP = '"FUZZ-DEEP-PLACEHOLDER"';
const ODD_VALUES: unknown[] = [null, 0, -1, 1e308, 3.5, true, false, '', ' ', '\u0000', 'ÿ\ud800', '$(A)$(A)', '$$', [], {}, [[]], { a: {} }, ['x', 1, null], 'x'];

/** The paths of every node, so a mutation can pick one. Iterative: a seed is never deep, but keep to that. */
function nodes(root: unknown): { parent: Record<string, unknown> | unknown[]; key: string | number }[] {
  const out: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    const children: [string | number, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : node && typeof node === 'object' ? Object.entries(node) : [];
    for (const [key, v] of children) {
      out.push({ parent: node as Record<string, unknown>, key } as (typeof out)[number]);
      stack.push(v);
    }
  }
  return out;
}

/** One mutated review as JSON text: 1-4 changes anywhere in the request, keeping the uid. */
function mutate(seed: AdmissionReview, rand: () => number, uid: string): string {
  const review = structuredClone(seed);
  review.request.uid = uid;
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  let deep = 0;
  const changes = 1 + Math.floor(rand() * 4);
  for (let c = 0; c < changes; c++) {
    const targets = nodes(review.request).filter(({ parent, key }) => !((parent as unknown) === review.request && key === 'uid'));
    if (!targets.length) break;
    const { parent, key } = pick(targets);
    const record = parent as Record<string | number, unknown>;
    const op = rand();
    if (op < 0.35) record[key] = structuredClone(pick(ODD_VALUES));
    else if (op < 0.5) {
      if (Array.isArray(parent)) parent.splice(Number(key), 1);
      else delete record[key];
    } else if (op < 0.6) record[key] = [record[key]];
    else if (op < 0.7) record[key] = { value: record[key] };
    else if (op < 0.78) record[key] = 'L'.repeat(1 + Math.floor(rand() * 64_000));
    else if (op < 0.84 && !deep) {
      deep = 1000 + Math.floor(rand() * 4000);
      record[key] = 'FUZZ-DEEP-PLACEHOLDER';
    } else if (op < 0.92) record[key] = typeof record[key] === 'string' ? `${record[key] as string}${pick(['$(X)', '\n', ' ', '\u202e', '%', '"'])}` : record[key];
    else record[key] = pick([Number.MAX_SAFE_INTEGER, -0, 2 ** 53 + 1, 'NaN', '1e400']);
  }
  const text = JSON.stringify(review);
  // JSON.stringify recurses, so deep nesting is written into the text.
  return deep ? text.replace(DEEP, `${'['.repeat(deep)}1${']'.repeat(deep)}`) : text;
}

function check(label: string, uid: string, status: number, body: string, failures: string[]): void {
  if (status >= 500) failures.push(`${label}: ${status} ${body.slice(0, 300)}`);
  if (status === 200) {
    let parsed: { response?: { uid?: string } } | undefined;
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      failures.push(`${label}: 200 without JSON`);
    }
    if (parsed?.response?.uid !== uid) failures.push(`${label}: answer without the uid`);
  } else if (![400, 413, 415, 429].includes(status)) failures.push(`${label}: unexpected status ${status}`);
  const leaked = CANARY_FORMS.find((form) => body.includes(form));
  if (leaked) failures.push(`${label}: a canary in the answer (${leaked.slice(0, 14)}…)`);
}

t.test(`${MUTATIONS} mutated reviews through the server: no 5xx, the uid in every answer, no canary anywhere`, async (t) => {
  const all = seeds();
  t.ok(all.length > 50, `${all.length} seed reviews`);
  const server = await testServer({ rules: RULES });
  t.teardown(() => server.app.close());
  const rand = random(SEED);
  const failures: string[] = [];
  const statuses = new Map<number, number>();
  for (let i = 0; i < MUTATIONS; i++) {
    const uid = `fuzz-${i}`;
    const payload = mutate(all[i % all.length]!, rand, uid);
    const answer = await server.app.inject({ method: 'POST', url: '/validate?timeout=5s', headers: { 'content-type': 'application/json' }, payload });
    statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
    check(`mutation ${i} of seed ${i % all.length}`, uid, answer.statusCode, answer.body, failures);
  }
  const logs = server.logs.text();
  const leakedInLog = CANARY_FORMS.find((form) => logs.includes(form));
  t.same(failures.slice(0, 20), [], `${failures.length} failures`);
  t.notOk(leakedInLog, 'no canary in any log line');
  t.ok((statuses.get(200) ?? 0) > MUTATIONS / 2, `answered: ${JSON.stringify(Object.fromEntries(statuses))}`);
  t.match(await server.metrics.text(), /ddguard_internal_errors_total 0\b/);
});

t.test(`${OVER_TLS} of them over a real TLS socket`, async (t) => {
  const all = seeds();
  const bundle = await generateCertificates({ commonName: 'localhost', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const pair = { cert: bundle.cert, key: bundle.key, notAfter: new Date(Date.now() + 86_400_000) };
  const server = await testServer({ rules: RULES, deps: { tls: { current: () => pair, ready: () => true, onChange: () => undefined } } });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => server.app.close());
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const agent = new Agent({ keepAlive: true, maxSockets: 4 });
  t.teardown(() => agent.destroy());
  const rand = random(SEED + 1);
  const failures: string[] = [];
  const send = (payload: string) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(
        { host: '127.0.0.1', port, path: '/validate?timeout=5s', method: 'POST', ca: bundle.caCert, agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  for (let i = 0; i < OVER_TLS; i += 4) {
    const batch = [0, 1, 2, 3].map((j) => ({ uid: `tls-${i + j}`, payload: mutate(all[(i + j) % all.length]!, rand, `tls-${i + j}`) }));
    const answers = await Promise.all(batch.map((b) => send(b.payload)));
    answers.forEach((answer, j) => check(`TLS mutation ${i + j}`, batch[j]!.uid, answer.status, answer.body, failures));
  }
  t.same(failures, []);
  t.notOk(CANARY_FORMS.find((form) => server.logs.text().includes(form)), 'no canary in any log line');
});
