// A review's managedFields are left out before parsing (src/webhook/managed-fields.ts): what the rules are given
// must be the review as sent with only those arrays emptied, and anything else must be parsed as sent.
import t from 'tap';
import { emptiedWhereExpected, skimManagedFields } from '../../src/webhook/managed-fields.js';
import { parseReview } from '../../src/webhook/parse.js';
import { admitted, appDeployment, appSecret, reviewOf } from '../support/admission.js';
import { EXAMPLE_FILES, exampleReview } from '../support/hostile-clients.js';

const MANAGED = [
  { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1',
    fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } }, 'f:spec': { 'f:template': { 'k:{"name":"agent"}': { '.': {} } } } } },
  { manager: 'odd "quotes" ] and } and \\ backslashes [', operation: 'Apply', fieldsV1: {} },
];

/** The review as JSON.parse gives it, with the managedFields of object and oldObject emptied. */
function expected(text: string): unknown {
  const value = JSON.parse(text) as { request: { object?: { metadata?: Record<string, unknown> }; oldObject?: { metadata?: Record<string, unknown> } } };
  for (const object of [value.request.object, value.request.oldObject]) if (Array.isArray(object?.metadata?.['managedFields'])) object.metadata['managedFields'] = [];
  return value;
}

function update(): Record<string, unknown> {
  const review = reviewOf(appDeployment()) as unknown as { request: Record<string, unknown> };
  const object = review.request['object'] as { metadata: Record<string, unknown> };
  object.metadata['managedFields'] = MANAGED;
  review.request['operation'] = 'UPDATE';
  review.request['oldObject'] = structuredClone(object);
  return review as unknown as Record<string, unknown>;
}

t.test('the object and oldObject are parsed with empty managedFields and everything else as sent', async (t) => {
  for (const text of [JSON.stringify(update()), JSON.stringify(update(), null, 2), JSON.stringify(update()).replace(/"managedFields":/g, '"managedFields" :\n ')]) {
    const skimmed = skimManagedFields(text);
    t.equal(skimmed?.emptied, 2);
    t.ok(skimmed!.text.length < text.length - 300, 'the arrays are not in the text parsed');
    t.same(parseReview(text), expected(text));
    t.equal(emptiedWhereExpected(JSON.parse(skimmed!.text)), 2);
  }
});

t.test('the repository example reviews parse to what JSON.parse gives, managedFields emptied', async (t) => {
  let emptied = 0;
  for (const file of EXAMPLE_FILES) {
    const review = exampleReview(file);
    review.request.object = admitted(review.request.object!);
    const text = JSON.stringify(review);
    emptied += skimManagedFields(text)?.emptied ?? 0;
    t.same(parseReview(text), expected(text), file);
  }
  t.equal(emptied, EXAMPLE_FILES.length, 'each example carries managedFields, as the API server sends it');
});

t.test('a managedFields key quoted inside a string is text, not a key', async (t) => {
  const review = update();
  const object = (review['request'] as { object: { metadata: { annotations?: Record<string, string> } } }).object;
  object.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ metadata: { managedFields: [{ manager: 'x' }] } }) };
  const text = JSON.stringify(review);
  t.equal(skimManagedFields(text)?.emptied, 2, 'only the two keys');
  t.same(parseReview(text), expected(text), 'the annotation is kept whole');
});

t.test('a managedFields anywhere else, or twice, is parsed as sent', async (t) => {
  const inSpec = reviewOf(appDeployment()) as unknown as { request: { object: { spec: Record<string, unknown> } } };
  inSpec.request.object.spec['managedFields'] = [{ kept: true }];
  const text = JSON.stringify(inSpec);
  t.equal(skimManagedFields(text)?.emptied, 2, 'the skim empties it and the metadata one');
  t.same(parseReview(text), JSON.parse(text), 'but it is not where a review keeps managedFields, so the body is parsed whole');

  const twice = JSON.stringify(update()).replace('"managedFields":', '"managedFields":[{"manager":"first"}],"managedFields":');
  t.same(parseReview(twice), JSON.parse(twice), 'a repeated key: parsed whole, the last one wins as in JSON.parse');
});

t.test('a body whose managedFields never ends, or that is not JSON, gets the error of the body as sent', async (t) => {
  const text = JSON.stringify(reviewOf(appSecret()));
  const cut = `${text.slice(0, text.indexOf('"metadata":{') + 12)}"managedFields":[{"manager":"a"}`;
  t.equal(skimManagedFields(cut), undefined);
  const mismatched = text.replace('"metadata":{', '"metadata":{"managedFields":[{"manager":"a"}},');
  t.equal(skimManagedFields(mismatched), undefined, 'an array closed by a brace does not end');
  t.throws(() => parseReview(mismatched), { code: 'DDG_MALFORMED_REVIEW' });
  t.throws(() => parseReview(cut), { code: 'DDG_MALFORMED_REVIEW', statusCode: 400 });
  t.throws(() => parseReview(cut), { message: new RegExp(`not valid JSON \\(at line 1, column ${cut.length + 1}, character ${cut.length}\\)$`) });
  const brokenOutside = JSON.stringify(update()).replace('"uid":', '"uid" ');
  t.throws(() => parseReview(brokenOutside), { message: /not valid JSON/ }, 'emptying managedFields does not make a broken body parse');
});

t.test('a body without managedFields is parsed as sent', async (t) => {
  const review = reviewOf(appSecret());
  delete (review.request.object!.metadata as Record<string, unknown>)['managedFields'];
  const text = JSON.stringify(review);
  t.same(skimManagedFields(text), { text, emptied: 0 });
  t.same(parseReview(text), JSON.parse(text));
});

t.test('multi-byte text on either side of an emptied array is kept', async (t) => {
  const review = update();
  (review['request'] as { object: { metadata: { labels: Record<string, string> } } }).object.metadata.labels = { team: 'équipe-日本' };
  const text = JSON.stringify(review);
  t.same(parseReview(text), expected(text));
});
