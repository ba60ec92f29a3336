// A list page read from its bytes: the items split out match JSON.parse of the whole page, whatever their
// strings hold; an item the caller's test rejects is counted, not parsed; anything not shaped like a list is
// parsed whole.
import t from 'tap';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { readListPage, splitItems } from '../../src/kube-client/list-page.js';
import { mayBeDatadogWorkload } from '../../src/kube-client/footprint.js';
import { asDatadogWorkload } from '../../src/datadog/components.js';
import type { KubeObject } from '../../src/kube-model/types.js';

const tricky: unknown[] = [
  { metadata: { name: 'quotes', annotations: { a: 'say "hi" \\ then {braces} and [brackets], "nested": {"x": 1}' } } },
  { metadata: { name: 'escapes' }, data: { b: 'back\\\\slash\\"quote\\\\', c: '\\', d: 'tab\tnew\nline', e: 'ünï €😀', f: '\u0000\u001f' } },
  { metadata: { name: 'scalars' }, spec: { replicas: 3, ratio: -1.5e-3, on: true, off: false, none: null, empty: {}, list: [], deep: [[[{}]]] } },
  { metadata: { name: 'ending-backslash\\' } },
];
const listOf = (items: unknown[], extra: Record<string, unknown> = {}) => ({ kind: 'DeploymentList', apiVersion: 'apps/v1', metadata: { resourceVersion: '42', continue: 'abc' }, items, ...extra });

t.test('every item comes out as JSON.parse of the whole page gives it, compact or indented', async (t) => {
  for (const indent of [undefined, 2]) {
    const body = Buffer.from(JSON.stringify(listOf(tricky), null, indent));
    const page = readListPage(body, () => true);
    t.same(page.items, tricky);
    t.same(page.metadata, { resourceVersion: '42', continue: 'abc' });
    t.equal(page.total, tricky.length);
  }
});

t.test('items rejected by the test on their bytes are counted, not parsed', async (t) => {
  const body = Buffer.from(JSON.stringify(listOf(tricky)));
  const seen: string[] = [];
  const page = readListPage(body, (bytes) => {
    seen.push(bytes.toString('utf8'));
    return bytes.includes('scalars');
  });
  t.same(page.items.map((o) => o.metadata?.name), ['scalars']);
  t.equal(page.total, 4);
  t.same(seen.map((s) => JSON.parse(s) as unknown), tricky, 'the test sees each item whole, and only it');
});

t.test('items need not be last; an empty list; whitespace anywhere', async (t) => {
  const body = Buffer.from(`  {"items" : [ ${JSON.stringify(tricky[0])} ,\n ${JSON.stringify(tricky[2])} ] , "kind":"RoleList", "metadata":{"resourceVersion":"7"} }  `);
  const page = readListPage(body, () => true);
  t.same(page.items, [tricky[0], tricky[2]]);
  t.same(page.metadata, { resourceVersion: '7' });
  t.same(readListPage(Buffer.from('{"metadata":{},"items":[]}'), () => true), { metadata: {}, items: [], total: 0 });
});

t.test('a body that is not a list with an items array is parsed whole; broken JSON is an error', async (t) => {
  t.equal(splitItems(Buffer.from('[1,2]')), undefined);
  t.equal(splitItems(Buffer.from('{"items":{"a":1}}')), undefined);
  t.equal(splitItems(Buffer.from('{"metadata":{}}')), undefined);
  t.same(readListPage(Buffer.from('{"metadata":{"resourceVersion":"1"}}'), () => true), { metadata: { resourceVersion: '1' }, items: [], total: 0 });
  t.equal(splitItems(Buffer.from('{"items":[{"a":"unterminated}]}')), undefined);
  t.throws(() => readListPage(Buffer.from('{"items":[{"a":"unterminated}]}'), () => true), SyntaxError);
  t.throws(() => readListPage(Buffer.from('{"items":[{"a":1}'), () => true), SyntaxError);
});

t.test('random lists split as JSON.parse reads them', async (t) => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const pieces = ['a', '"', '\\', '{', '}', '[', ']', ',', ':', ' ', 'ü', '\n', 'datadog', 'DD_'];
  const text = () => Array.from({ length: Math.floor(random() * 12) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
  const value = (depth: number): unknown => {
    const pick = random();
    if (depth > 3 || pick < 0.3) return text();
    if (pick < 0.4) return Math.floor(random() * 1000) - 500;
    if (pick < 0.45) return null;
    if (pick < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(random() * 4) }, () => [text(), value(depth + 1)]));
  };
  for (let round = 0; round < 200; round++) {
    const items = Array.from({ length: Math.floor(random() * 6) }, () => ({ metadata: { name: text() }, spec: value(0) }));
    const body = Buffer.from(JSON.stringify(listOf(items), null, round % 2 ? 1 : undefined));
    const page = readListPage(body, () => true);
    if (!t.same(page.items, items, `round ${round}`)) break;
  }
});

t.test('every Datadog workload in the fixtures passes the test on its bytes', async (t) => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(name)) files.push(path);
    }
  };
  walk(join(import.meta.dirname, '..', 'fixtures'));
  let workloads = 0;
  for (const file of files) {
    let documents: unknown[];
    try {
      documents = loadAll(readFileSync(file, 'utf8'));
    } catch {
      continue; // fixtures of broken YAML
    }
    for (const object of documents) {
      if (!object || typeof object !== 'object' || !asDatadogWorkload(object as KubeObject, 'default')) continue;
      workloads++;
      if (!mayBeDatadogWorkload(Buffer.from(JSON.stringify(object)))) t.fail(`${file}: ${(object as KubeObject).kind} ${(object as KubeObject).metadata?.name}`);
    }
  }
  t.ok(workloads > 50, `${workloads} Datadog workloads looked at`);
  t.notOk(mayBeDatadogWorkload(Buffer.from(JSON.stringify({ kind: 'Deployment', spec: { template: { spec: { containers: [{ image: 'nginx:1.27', env: [{ name: 'LOG_LEVEL' }] }] } } } }))));
});
