// Issue 10, finding 4: objects that pass the review schema but have a field of the wrong type are judged
// field by field as unknown (a warning at most), never a 500.
import t from 'tap';
import type { KubeObject } from '../../src/kube-model/types.js';
import type { AdmissionReview } from '../../src/kube-model/admission-review.js';
import { RULES } from '../../src/rules/index.js';
import { containerOf, exampleReview } from '../support/hostile-clients.js';
import { testServer } from '../support/webhook.js';

/** JSON text of a value nested `depth` arrays deep: JSON.stringify itself recurses, so the text is built. */
export function nestedJson(depth: number): string {
  return `${'['.repeat(depth)}"dG9rZW4="${']'.repeat(depth)}`;
}

const DEEP = 'DEEP-VALUE-PLACEHOLDER';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each case writes a wrongly typed value into the object
const objectOf = (review: AdmissionReview) => review.request.object as KubeObject & Record<string, any>;

/** The seven causes the fuzzing found, each on the review it was found on. */
const cases: { name: string; review: () => AdmissionReview }[] = [
  {
    name: 'UPDATE with object.metadata a string',
    review: () => {
      const review = exampleReview();
      review.request.operation = 'UPDATE';
      review.request.oldObject = structuredClone(review.request.object) as KubeObject;
      objectOf(review).metadata = 'not an object' as never;
      return review;
    },
  },
  { name: 'object.apiVersion a number', review: () => { const r = exampleReview(); objectOf(r).apiVersion = 7 as never; return r; } },
  { name: 'a container image a number', review: () => { const r = exampleReview(); containerOf(r).image = 42; return r; } },
  { name: 'metadata.name an array', review: () => { const r = exampleReview(); objectOf(r).metadata!.name = ['a', 'b'] as never; return r; } },
  {
    name: 'a helm.sh/chart label null',
    review: () => { const r = exampleReview(); objectOf(r).metadata!.labels = { 'helm.sh/chart': null } as never; return r; },
  },
  {
    name: "a probe's httpGet.scheme a number",
    review: () => {
      const r = exampleReview();
      containerOf(r).readinessProbe = { httpGet: { path: '/ready', port: 5555, scheme: 443 } };
      containerOf(r).livenessProbe = { httpGet: { path: '/live', port: 'liveness-port', scheme: 443 } };
      return r;
    },
  },
  {
    name: "a Secret's data.token an array nested 5,000 deep",
    review: () => { const r = exampleReview('secret-short-cluster-agent-token.json'); objectOf(r)['data'] = { token: DEEP }; return r; },
  },
  {
    name: 'a Secret whose stringData is an array of numbers and data a string',
    review: () => { const r = exampleReview('secret-short-cluster-agent-token.json'); objectOf(r)['stringData'] = [1, 2]; objectOf(r)['data'] = 'x'; return r; },
  },
  { name: 'env a string', review: () => { const r = exampleReview(); containerOf(r).env = 'DD_API_KEY=x'; return r; } },
  { name: 'env entries of the wrong types', review: () => { const r = exampleReview(); containerOf(r).env = [null, 3, { name: 5, value: [1] }, { name: 'X', valueFrom: { fieldRef: { fieldPath: 9 } } }]; return r; } },
  { name: 'containers an object', review: () => { const r = exampleReview(); objectOf(r)['spec'].template.spec.containers = { a: 1 }; return r; } },
  { name: 'spec.template a number', review: () => { const r = exampleReview(); objectOf(r)['spec'].template = 1; return r; } },
  { name: 'labels an array', review: () => { const r = exampleReview(); objectOf(r).metadata!.labels = ['x'] as never; return r; } },
];

t.test('type-confused objects get an answer with the uid, never a 500', async (t) => {
  const server = await testServer({ rules: RULES });
  t.teardown(() => server.app.close());
  for (const { name, review } of cases) {
    const sent = review();
    const { statusCode, body } = await server.validate(JSON.stringify(sent).replace(`"${DEEP}"`, nestedJson(5000)));
    t.equal(statusCode, 200, name);
    t.equal(body.response?.uid, sent.request.uid, `${name}: the uid is echoed`);
    t.match(body.response?.warnings?.at(-1) ?? '', /^ddguard could not judge .*expected/, `${name}: a warning names the field`);
  }
  t.match(await server.metrics.text(), /ddguard_internal_errors_total 0\b/);
});

t.test('the warning names the path and the types, never the value', async (t) => {
  const server = await testServer({ rules: RULES });
  t.teardown(() => server.app.close());
  const review = exampleReview();
  containerOf(review).image = 12345678987654;
  const { body } = await server.validate(review);
  const warning = body.response.warnings?.at(-1) ?? '';
  t.match(warning, '/spec/template/spec/containers/0/image (a number, expected a string)');
  t.notMatch(warning, '12345678987654');
});

t.test('an UPDATE whose metadata is not an object is judged with the name and namespace the request gives', async (t) => {
  const server = await testServer({ rules: RULES });
  t.teardown(() => server.app.close());
  const review = exampleReview();
  review.request.operation = 'UPDATE';
  review.request.oldObject = structuredClone(review.request.object) as KubeObject;
  objectOf(review).metadata = 'x' as never;
  const { body } = await server.validate(review);
  // The example's literal kubelet host is still judged: the other fields are read as usual.
  t.equal(body.response.allowed, false);
  t.match(body.response.status?.message ?? '', 'DaemonSet monitoring/datadog');
});

t.test('values nested far deeper than any walk could follow are answered, never a 500', async (t) => {
  const server = await testServer({ rules: RULES });
  t.teardown(() => server.app.close());
  const deep = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`;
  const places = [
    (r: AdmissionReview) => (objectOf(r)['data'] = { token: DEEP }),
    (r: AdmissionReview) => (r.request.options = DEEP),
    (r: AdmissionReview) => (objectOf(r).metadata!.annotations = { a: DEEP } as never),
    (r: AdmissionReview) => (r.request.oldObject = { kind: 'Secret', metadata: { name: 'x' }, data: { token: DEEP } } as never),
  ];
  for (const [index, place] of places.entries()) {
    const review = exampleReview('secret-short-cluster-agent-token.json');
    place(review);
    const { statusCode, body } = await server.validate(JSON.stringify(review).replace(`"${DEEP}"`, deep));
    t.ok(statusCode === 200 || statusCode === 400, `place ${index}: ${statusCode}`);
    if (statusCode === 200) t.equal(body.response.uid, review.request.uid);
  }
  t.match(await server.metrics.text(), /ddguard_internal_errors_total 0\b/);
});
