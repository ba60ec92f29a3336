// The logger's censoring of secret-bearing fields, as a pure function: what is censored, how deep, and that a
// record with nothing to censor is passed on as it is (the cost a line pays on every admission).
import t from 'tap';
import { CENSORED, withoutSecretValues } from '../../src/logging/secret-paths.js';
import { createLogger } from '../../src/logging/logger.js';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const secret = () => ({
  kind: 'Secret',
  metadata: { name: 'datadog', annotations: { [LAST_APPLIED]: '{"stringData":{"token":"v"}}', team: 'shop' } },
  data: { token: 'dg==' },
  stringData: { token: 'v' },
});

/** A record holding `value` `depth` levels down: `{ a: { a: value } }` for depth 2. */
const nested = (depth: number, value: unknown): Record<string, unknown> => (depth === 0 ? (value as Record<string, unknown>) : { a: nested(depth - 1, value) });
const at = (record: unknown, depth: number): Record<string, unknown> => (depth === 0 ? record : at((record as { a: unknown }).a, depth - 1)) as Record<string, unknown>;

t.test('a Secret at the top of a record or up to three levels down has its values censored', async (t) => {
  for (let depth = 0; depth <= 3; depth++) {
    const out = at(withoutSecretValues(nested(depth, secret())), depth) as ReturnType<typeof secret>;
    t.equal(out.data as unknown, CENSORED, `data at depth ${depth}`);
    t.equal(out.stringData as unknown, CENSORED, `stringData at depth ${depth}`);
    t.equal(out.metadata.annotations[LAST_APPLIED], CENSORED, `last-applied at depth ${depth}`);
    t.equal(out.metadata.annotations.team, 'shop', `other annotations kept at depth ${depth}`);
    t.equal(out.metadata.name, 'datadog', `the name kept at depth ${depth}`);
  }
});

t.test('deeper than any record holds an object, fields are left as they are: the walk is bounded', async (t) => {
  const out = at(withoutSecretValues(nested(4, secret())), 4) as ReturnType<typeof secret>;
  t.same(out.data, { token: 'dg==' });
  const cyclic: Record<string, unknown> = { name: 'x' };
  cyclic['self'] = cyclic;
  t.equal(withoutSecretValues(cyclic), cyclic, 'a record that refers to itself is walked to the bound and returned');
});

t.test('the record itself is never changed, and one with nothing to censor is returned as it is', async (t) => {
  const record = { object: secret() };
  const before = JSON.stringify(record);
  const out = withoutSecretValues(record);
  t.not(out, record);
  t.equal(JSON.stringify(record), before, 'the logged object is untouched');
  const plain = { decision: 'allow', rules: ['cluster-agent-rbac'], warnings: 1, err: { message: 'm' } };
  t.equal(withoutSecretValues(plain), plain, 'no copy when nothing is censored');
});

t.test('secrets inside lists are censored, and a logged request loses its authorization header', async (t) => {
  const out = withoutSecretValues({ objects: [secret(), { kind: 'ConfigMap' }], req: { method: 'POST', headers: { authorization: 'Bearer x', host: 'h' } } });
  t.ok(Array.isArray(out.objects), 'a list stays a list');
  t.equal((out.objects[0] as { data: unknown }).data, CENSORED);
  t.same(out.objects[1], { kind: 'ConfigMap' });
  t.same(out.req, { method: 'POST', headers: { authorization: CENSORED, host: 'h' } });
});

t.test("the logger censors a child's bindings as well as its lines", async (t) => {
  const lines: string[] = [];
  const logger = createLogger({ destination: { write: (line: string) => void lines.push(line) } });
  logger.child({ object: secret() }).info({ review: { request: { oldObject: secret() } } }, 'line');
  const text = lines.join('');
  t.notOk(text.includes('dg=='), 'data censored');
  t.notOk(text.includes('"token":"v"') || text.includes('\\"token\\":\\"v\\"'), 'stringData and last-applied censored');
  t.match(text, /"team":"shop"/);
});
