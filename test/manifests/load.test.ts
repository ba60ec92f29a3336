// The manifest loader: every input shape `ddguard check` accepts, the line of any field, and parse errors that
// name the file and line.
import t from 'tap';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadManifests, STDIN_NAME } from '../../src/manifests/load.js';
import { parseManifests } from '../../src/manifests/parse.js';
import { ManifestInputError, ManifestParseError } from '../../src/manifests/errors.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/manifests/', import.meta.url));

const names = (text: string, file = 'x.yaml') => parseManifests(text, file).map((o) => `${o.object.kind}/${o.object.metadata?.name}`);

t.test('multi-document YAML (kustomize build output): each document with its own first line; empty ones skipped', async (t) => {
  const text = [
    '---',
    'apiVersion: v1',
    'kind: Secret',
    'metadata: {name: a}',
    '---',
    '# only a comment',
    '---',
    '',
    '---',
    'apiVersion: v1',
    'kind: ServiceAccount',
    'metadata:',
    '  name: b',
    '...',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata: {name: c}',
  ].join('\n');
  const objects = parseManifests(text, 'multi.yaml');
  t.same(objects.map((o) => o.object.metadata?.name), ['a', 'b', 'c']);
  t.same(objects.map((o) => o.line), [2, 10, 15]);
  t.same(objects.map((o) => o.file), ['multi.yaml', 'multi.yaml', 'multi.yaml']);
});

t.test('helm template output, with its # Source comments, loads as is', async (t) => {
  const text = [
    '---',
    '# Source: datadog/templates/secret-cluster-agent-token.yaml',
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: datadog-cluster-agent',
    'data:',
    '  token: "YWJj"',
    '---',
    '# Source: datadog/templates/empty.yaml',
    '---',
    '# Source: datadog/templates/daemonset.yaml',
    'apiVersion: apps/v1',
    'kind: DaemonSet',
    'metadata:',
    '  name: datadog',
  ].join('\n');
  const objects = parseManifests(text, 'rendered.yaml');
  t.same(objects.map((o) => o.object.kind), ['Secret', 'DaemonSet']);
  t.same(objects.map((o) => o.line), [3, 13]);
  t.equal(objects[0]?.lineOf('/data/token'), 8);
});

t.test('kind: List and typed lists are unwrapped; items of a typed list get their kind', async (t) => {
  const list = [
    'apiVersion: v1',
    'kind: List',
    'items:',
    '  - apiVersion: v1',
    '    kind: Secret',
    '    metadata: {name: s}',
    '  - apiVersion: v1',
    '    kind: List',
    '    items:',
    '      - apiVersion: v1',
    '        kind: ServiceAccount',
    '        metadata: {name: nested}',
  ].join('\n');
  const objects = parseManifests(list, 'list.yaml');
  t.same(objects.map((o) => `${o.object.kind}/${o.object.metadata?.name}`), ['Secret/s', 'ServiceAccount/nested']);
  t.same(objects.map((o) => o.line), [4, 10]);
  t.equal(objects[1]?.lineOf('/metadata/name'), 12);

  const typed = JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleList', items: [{ metadata: { name: 'r' } }] });
  const [role] = parseManifests(typed, 'roles.json');
  t.equal(role?.object.kind, 'ClusterRole');
  t.equal(role?.object.apiVersion, 'rbac.authorization.k8s.io/v1');
});

t.test('JSON files, as kubectl get -o json writes them, with lines for fields', async (t) => {
  const text = JSON.stringify(
    { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'a' }, data: { token: 'YWJj' } }] },
    null,
    4,
  );
  const [secret] = parseManifests(text, 'get.json');
  t.equal(secret?.object.metadata?.name, 'a');
  t.equal(secret?.line, 5, 'the item opens on line 5');
  t.equal(secret?.lineOf('/data/token'), text.split('\n').findIndex((l) => l.includes('"token"')) + 1);
  const tabbed = '{\n\t"apiVersion": "v1",\n\t"kind": "Secret",\n\t"metadata": {\n\t\t"name": "t"\n\t}\n}\n';
  t.equal(parseManifests(tabbed, 't.json')[0]?.lineOf('/metadata/name'), 5, 'tab-indented JSON too');
});

t.test('JSON line map: strings with brackets, quotes and escapes; every item of a large List', async (t) => {
  const text = [
    '{"apiVersion": "v1", "kind": "ConfigMap",', // 1
    ' "metadata": {"name": "c", "annotations": {"a/b": "x"}},', // 2
    ' "data": {', // 3
    '  "tricky": "]}{[\\"\\\\",', // 4
    '  "list": [1, [2, {"k": "v"}],', // 5
    '    {"deep": true}],', // 6
    '  "after": "y"', // 7
    ' }', // 8
    '}', // 9
  ].join('\n');
  const [c] = parseManifests(text, 'c.json');
  t.equal((c?.object.data as Record<string, unknown>).tricky, ']}{["\\');
  t.equal(c?.lineOf('/metadata/annotations/a~1b'), 2);
  t.equal(c?.lineOf('/data/after'), 7, 'past a string full of brackets and escapes');
  t.equal(c?.lineOf('/data/list/2/deep'), 6);
  t.equal(c?.lineOf('/data/list/1/1/k'), 5);
  t.equal(c?.lineOf('/data/missing/x'), 3, 'nearest ancestor');

  const items = Array.from({ length: 20_000 }, (_, i) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `s${i}` }, data: { token: 'YWJj' } }));
  const big = parseManifests(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 1), 'big.json');
  t.equal(big.length, 20_000);
  const wrong = big.filter((o, i) => o.lineOf('/metadata/name') !== 9 + i * 10);
  t.same(wrong.length, 0, 'each item at its line (one pass over the file for all of them)');
});

t.test('YAML in flow style is YAML, not broken JSON', async (t) => {
  t.same(names('{apiVersion: v1, kind: Secret, metadata: {name: flow}}'), ['Secret/flow']);
});

t.test('documents that are not Kubernetes objects (values.yaml, scalars) are skipped', async (t) => {
  t.same(names('image: {tag: 7}\n---\njust a string\n---\n- a\n- b\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: kept}\n'), ['Secret/kept']);
});

t.test('YAML 1.2 scalars: dates and "off" stay strings; merge keys work; a BOM and CRLF are fine', async (t) => {
  const text = '\ufeffapiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: c}\r\ndefaults: &d {mode: off}\r\ndata:\r\n  <<: *d\r\n  since: 2024-01-01\r\n';
  const [config] = parseManifests(text, 'c.yaml');
  t.same(config?.object.data, { mode: 'off', since: '2024-01-01' });
  t.equal(config?.lineOf('/data/since'), 7);
});

t.test('a document marker inside a block scalar at column 0 ends the document, as YAML says', async (t) => {
  t.same(names('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  x: |\n    text\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n'), ['ConfigMap/a', 'ConfigMap/b']);
});

t.test('a YAML directive opens a document together with its ---', async (t) => {
  t.same(names('apiVersion: v1\nkind: Secret\nmetadata: {name: a}\n...\n%YAML 1.2\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n'), ['Secret/a', 'Secret/b']);
});

t.test('pointer to line: nearest existing ancestor, escaped segments, sequence items', async (t) => {
  const text = [
    'apiVersion: apps/v1', // 1
    'kind: Deployment', // 2
    'metadata:', // 3
    '  name: d', // 4
    '  annotations:', // 5
    '    ddguard.io/exempt: "x"', // 6
    'spec:', // 7
    '  template:', // 8
    '    spec:', // 9
    '      containers:', // 10
    '        - name: a', // 11
    '          env:', // 12
    '            - name: A', // 13
    '              value: "1"', // 14
    '            - name: B', // 15
    '              value: "2"', // 16
  ].join('\n');
  const [d] = parseManifests(text, 'd.yaml');
  t.equal(d?.lineOf(''), 1);
  t.equal(d?.lineOf('/spec/template/spec/containers/0/env/1'), 15);
  t.equal(d?.lineOf('/spec/template/spec/containers/0/env/1/value'), 16);
  t.equal(d?.lineOf('/spec/template/spec/containers/0/env'), 12, 'a map entry is on its key');
  t.equal(d?.lineOf('/spec/template/spec/containers/0/env/7/value'), 12, 'missing item: nearest ancestor');
  t.equal(d?.lineOf('/spec/template/spec/hostNetwork'), 9, 'missing field: nearest ancestor');
  t.equal(d?.lineOf('/metadata/annotations/ddguard.io~1exempt'), 6, '~1 unescapes to /');
});

t.test('malformed YAML is a typed error with the file and line', async (t) => {
  const file = join(FIXTURES, 'malformed-secret.yaml');
  const error = await loadManifests([file]).then(
    () => undefined,
    (e: unknown) => e,
  );
  t.type(error, ManifestParseError);
  t.match(error, { code: 'DDG_MANIFEST_PARSE', file, line: 9 });
  t.match((error as Error).message, `${file}:9:`);

  const later = 'apiVersion: v1\nkind: Secret\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: [unclosed\n';
  t.throws(() => parseManifests(later, 'later.yaml'), { code: 'DDG_MANIFEST_PARSE', file: 'later.yaml', line: 9 });
  t.throws(() => parseManifests('a: 1\na: 2\n', 'dup.yaml'), { code: 'DDG_MANIFEST_PARSE', line: 2 }, 'duplicate keys, as kubectl');
  const badJson = (text: string) => t.throws(() => parseManifests(text, 'bad.json'), { code: 'DDG_MANIFEST_PARSE', file: 'bad.json', line: 4 });
  badJson('{\n  "kind": "Secret",\n  "apiVersion": \n}\n');
  badJson('{\n  "kind": "Secret",\n  "apiVersion": "v1"\n  "metadata": {}\n}\n');
  badJson('{\n  "kind": "Secret",\n  "apiVersion": "v1",\n  "data": {"a": tru}\n}\n');
  badJson('[\n1,\n2,\n]\n');
});

t.test('directories are read recursively (.yaml, .yml, .json), sorted, skipping hidden dirs and node_modules', async (t) => {
  const secret = (name: string) => `apiVersion: v1\nkind: Secret\nmetadata: {name: ${name}}\n`;
  const dir = t.testdir({
    'b.yaml': secret('b'),
    'a.yml': secret('a'),
    'notes.txt': secret('ignored-extension'),
    nested: { deeper: { 'c.JSON': JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'c' } }) } },
    '.git': { 'x.yaml': secret('hidden') },
    node_modules: { 'y.yaml': secret('package') },
    link: t.fixture('symlink', 'nested'),
  });
  const { objects, files } = await loadManifests([dir, join(dir, 'notes.txt'), join(dir, 'a.yml')]);
  t.same(objects.map((o) => o.object.metadata?.name), ['a', 'b', 'c', 'ignored-extension']);
  t.same(
    files,
    [join(dir, 'a.yml'), join(dir, 'b.yaml'), join(dir, 'link/deeper/c.JSON'), join(dir, 'notes.txt')],
    'each file once, even when named twice or reached through a symlink; a named file whatever its extension',
  );
});

t.test('- reads standard input', async (t) => {
  const { objects, files } = await loadManifests(['-'], {
    readStdin: async () => 'apiVersion: v1\nkind: Secret\nmetadata: {name: piped}\n',
  });
  t.same(files, [STDIN_NAME]);
  t.equal(objects[0]?.object.metadata?.name, 'piped');
  t.equal(objects[0]?.file, STDIN_NAME);
});

t.test('a missing path is an input error naming it', async (t) => {
  await t.rejects(loadManifests(['/nonexistent/ddguard.yaml']), new ManifestInputError('/nonexistent/ddguard.yaml', 'no such file or directory'));
});
