// The indentation scanner that finds a field's line without parsing the YAML again: wherever it answers, it
// answers what the `yaml` parser's AST (PointerLines) answers, and it answers for nearly every real manifest.
import t, { type Test } from 'tap';
import { fileURLToPath } from 'node:url';
import { PointerLines } from '../../src/manifests/ast-lines.js';
import { BlockLines } from '../../src/manifests/block-lines.js';
import { SourceDocument } from '../../src/manifests/loaded-object.js';
import { parseManifests } from '../../src/manifests/parse.js';
import { checkEdited, checkRestyled, compareAll, yamlFiles } from '../support/line-differential.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

t.test('differential: every pointer of every rule fixture', async (t) => {
  const tally = compareAll(yamlFiles(FIXTURES));
  t.same(tally.mismatches.slice(0, 20), [], 'no pointer where the scanner and the parser disagree');
  t.comment(`fixtures: ${tally.documents} documents, ${tally.pointers} pointers, scanner answered ${tally.answered} (${((tally.answered / tally.pointers) * 100).toFixed(2)}%)`);
  t.ok(tally.documents > 100);
  t.ok(tally.answered / tally.pointers > 0.9);
});

t.test('differential: the fixtures written again in other styles (compact sequences, 4 spaces, flow, folded, quoted)', async (t) => {
  checkRestyled(t, yamlFiles(FIXTURES));
});

t.test('differential: the fixtures with comments at any indentation, blank lines and wider spacing slipped in', async (t) => {
  t.ok(checkEdited(t, yamlFiles(FIXTURES)).documents > 300);
});

/** The scanner's answer, checked against the parser's: a case only counts if both agree. */
function line(t: Test, text: string, pointer: string): number | undefined {
  const scanned = new BlockLines(text).lineOf(pointer);
  t.equal(scanned, new PointerLines(text).lineOf(pointer), `${pointer}: as the parser`);
  return scanned;
}

t.test('block maps: key lines, quoted keys, comments and blank lines, missing fields', async (t) => {
  const text = [
    '---', // 1
    '# Source: chart/templates/x.yaml', // 2
    'apiVersion: v1', // 3
    'kind: ConfigMap', // 4
    'metadata:', // 5
    '  name: x', // 6
    '', // 7
    '# a comment less indented than the entries does not end the map', // 8
    '  annotations:', // 9
    '    "quoted/key": a', // 10
    "    'it''s': b", // 11
    '    8080: port', // 12
    '    plain: value # with a comment', // 13
    '  empty: {}', // 14
    'data:', // 15
    '  long: first words', // 16
    '    continued - a plain scalar over two lines', // 17
    '  after: y', // 18
    '  nothing:', // 19
    '  last: z', // 20
    '...', // 21
  ].join('\n');
  t.equal(line(t, text, ''), 3, 'the root: its first key, past the marker and comments');
  t.equal(line(t, text, '/metadata'), 5);
  t.equal(line(t, text, '/metadata/annotations'), 9);
  t.equal(line(t, text, '/metadata/annotations/quoted~1key'), 10);
  t.equal(line(t, text, "/metadata/annotations/it's"), 11);
  t.equal(line(t, text, '/metadata/annotations/8080'), 12);
  t.equal(line(t, text, '/metadata/annotations/plain'), 13);
  t.equal(line(t, text, '/metadata/annotations/absent'), 9, 'missing key: its map');
  t.equal(line(t, text, '/metadata/empty/absent'), 14, 'inside {}: the key of the empty map');
  t.equal(line(t, text, '/metadata/name/0'), 6, 'into a scalar: the scalar');
  t.equal(line(t, text, '/data/after'), 18, 'past a multi-line plain scalar');
  t.equal(line(t, text, '/data/nothing/deeper'), 19, 'into a null value');
  t.equal(line(t, text, '/data/last'), 20);
  t.equal(line(t, text, '/spec/template'), 3, 'missing at the top: the root');
});

t.test('sequences: indented, compact, maps in items, indexes out of range', async (t) => {
  const text = [
    'spec:', // 1
    '  containers:', // 2
    '  - name: a', // 3  compact: `- ` at the key's own column
    '    env:', // 4
    '      - name: A', // 5  indented
    '        value: "1"', // 6
    '      -   name: B', // 7  extra spaces after the dash
    '          value: "2"', // 8
    '    ports:', // 9
    '    - 80', // 10
    '    - "443"', // 11
    '    - {}', // 12
    '  - name: b', // 13
    '    args: [x, y]', // 14
    '  volumes: []', // 15
    'items:', // 16
    '- |', // 17 a block scalar item
    '  - not: an item', // 18
    '- last', // 19
    '-', // 20 a bare dash: the item starts below it
    '  # a comment', // 21
    '  name: below', // 22
    '-', // 23
    '  - nested', // 24
  ].join('\n');
  t.equal(line(t, text, '/spec/containers'), 2);
  t.equal(line(t, text, '/spec/containers/0'), 3);
  t.equal(line(t, text, '/spec/containers/1'), 13);
  t.equal(line(t, text, '/spec/containers/2'), 2, 'past the end: the sequence');
  t.equal(line(t, text, '/spec/containers/first'), 2, 'not an index: the sequence');
  t.equal(line(t, text, '/spec/containers/0/env/1'), 7);
  t.equal(line(t, text, '/spec/containers/0/env/1/value'), 8);
  t.equal(line(t, text, '/spec/containers/0/env/0/missing'), 5);
  t.equal(line(t, text, '/spec/containers/0/ports/1'), 11);
  t.equal(line(t, text, '/spec/containers/0/ports/2/x'), 12);
  t.equal(line(t, text, '/spec/containers/1/args'), 14);
  t.equal(line(t, text, '/spec/containers/1/args/1'), 14, 'a one-line flow collection: all of it on its line');
  t.equal(line(t, text, '/spec/containers/1/args/5'), 14);
  t.equal(line(t, text, '/spec/volumes/0'), 15);
  t.equal(line(t, text, '/items/0'), 17);
  t.equal(line(t, text, '/items/1'), 19, 'block scalar text is skipped, whatever it looks like');
  t.equal(line(t, text, '/items/2'), 22, 'after a bare dash: where the item starts');
  t.equal(line(t, text, '/items/2/name'), 22);
  t.equal(line(t, text, '/items/2/missing'), 22);
  t.equal(line(t, text, '/items/3/0'), 24);
});

t.test('block scalars are skipped whatever their text looks like; CRLF line ends', async (t) => {
  const text = [
    'data:', // 1
    '  script: |-', // 2
    '    key: value', // 3
    '', // 4
    '    - item', // 5
    '# a comment ends the scalar', // 6
    '  seccomp: >', // 7
    '      {"quoted": "text with', // 8
    '    # not a comment', // 9
    '  after: 1', // 10
  ].join('\r\n');
  t.equal(line(t, text, '/data/after'), 10);
  t.equal(line(t, text, '/data/script'), 2);
  t.equal(line(t, text, '/data/key'), 1, 'no key from inside a block scalar');
});

t.test('a List of thousands of items: each at its line, one pass over the list', async (t) => {
  const items = Array.from({ length: 5000 }, (_, i) => `- apiVersion: v1\n  kind: Secret\n  metadata:\n    name: s${i}\n`);
  const text = `apiVersion: v1\nkind: List\nitems:\n${items.join('')}`;
  const scanner = new BlockLines(text);
  const wrong = items.filter((_, i) => scanner.lineOf(`/items/${i}/metadata/name`) !== 7 + i * 4);
  t.equal(wrong.length, 0);
  const objects = parseManifests(text, 'list.yaml');
  t.equal(objects[4999]?.lineOf('/metadata/name'), 7 + 4999 * 4, 'through SourceDocument');
});

t.test('not sure: the scanner says so, and the document still gives the line, from the parser', async (t) => {
  const cases: Array<[name: string, text: string, pointer: string, line: number]> = [
    ['into a flow map spanning lines', 'a:\n  b: {c: 1,\n    d: 2}\n', '/a/b/d', 3],
    ['into a flow map below its key', 'a:\n  {c: 1}\n', '/a/c', 2],
    ['into a flow sequence holding an alias', 'x: &x {b: 1}\na: [*x]\n', '/a/0/b', 1],
    ['into a block scalar', 'x: 0\na: |\n  b: 1\n', '/a/b', 2],
    ['into an anchored map', 'a: &x\n  b: 1\nc: *x\n', '/a/b', 2],
    ['into an alias', 'a: &x\n  b: 1\nc: *x\n', '/c/b', 2],
    ['past a merge key', 'base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n', '/m/y', 4],
    ['a merged key', 'base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n', '/m/x', 2],
    ['an anchored item', 'a:\n- &x b\n- c\n', '/a/1', 3],
    ['a tab as separator', 'a:\tb\nc: 1\n', '/c', 2],
    ['a multi-line double-quoted scalar', 'a: "one\n  two"\nb: 1\n', '/b', 3],
    ['a multi-line single-quoted scalar', "- 'one\n  two'\n- x\n", '/1', 3],
    ['a complex key', '? a\n: 1\nb: 2\n', '/b', 3],
    ['a nested item', 'a:\n- - x\n  - y\n', '/a/0', 2],
    ['a null item', 'a:\n-\n- b\n', '/a/0', 2],
    ['a nested item', 'a:\n- - x\n  - y\n', '/a/0/1', 3],
    ['a number a parser reads differently', 'a:\n  0x1F: x\n  b: y\n', '/a/b', 3],
    ['True, which is true', 'True: x\nb: y\n', '/b', 2],
    ['an escaped quoted key', 'a:\n  "k\\x41": x\n  b: y\n', '/a/b', 3],
    ['a directive', '%YAML 1.2\n---\na: 1\n', '/a', 3],
    ['a node on the marker line', '--- !!map\na: 1\n', '/a', 2],
    ['a lone CR (the parser counts only LFs)', 'a: 1\rb: 2\n', '/b', 1],
    ['a block scalar header on its own line', 'a:\n  |\n   text\nb: 1\n', '/b', 4],
    ['a tagged key', '!!str a: 1\nb: 2\n', '/b', 2],
  ];
  for (const [name, text, pointer, expected] of cases) {
    t.equal(new BlockLines(text).lineOf(pointer), undefined, `${name}: not sure`);
    t.equal(new PointerLines(text).lineOf(pointer), expected, `${name}: the parser's line`);
    t.equal(new SourceDocument('x.yaml', text, 10).lineOf(pointer), 9 + expected, `${name}: the document falls back to the parser`);
  }
});
