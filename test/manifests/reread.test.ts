// Lines of findings worked out after a file was let go: each document is read again alone, from its bytes.
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readManifests } from '../../src/manifests/parse.js';
import { FileTexts, type LoadedObject } from '../../src/manifests/loaded-object.js';
import { StringTable } from '../../src/manifests/strings.js';

const dir = mkdtempSync(join(tmpdir(), 'ddguard-reread-'));
const doc = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: b\n  note: "café ☕ 🐕"\n`;

/** The file's objects, detached as `check` keeps them (their lines read from the file again). */
function detachedFrom(file: string, files: FileTexts): LoadedObject[] {
  const out: LoadedObject[] = [];
  readManifests(readFileSync(file, 'utf8'), file, (entry) => out.push(entry.detached(entry.object, files)), true);
  return out;
}

t.test('a document after multi-byte text and a byte order mark is read alone, with the same lines', async (t) => {
  const file = join(dir, 'utf8.yaml');
  writeFileSync(file, `\uFEFF# ünïcödé 🐕\n${doc('first')}---\n${doc('second')}---\n${doc('third')}`);
  const files = new FileTexts();
  let wholeFileReads = 0;
  const read = files.read.bind(files);
  files.read = (...args) => (wholeFileReads++, read(...args));
  const objects = detachedFrom(file, files);
  t.same(objects.map((o) => o.line), [2, 10, 18]);
  t.same(objects.map((o) => o.lineOf('/data/note')), [8, 16, 24]);
  t.equal(wholeFileReads, 0, 'no whole file was read again');
});

t.test('a file that is not valid UTF-8 is read whole again, and still gives the right lines', async (t) => {
  const file = join(dir, 'latin1.yaml');
  writeFileSync(file, Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from(`\n${doc('first')}---\n${doc('second')}`)]));
  const files = new FileTexts();
  let wholeFileReads = 0;
  const read = files.read.bind(files);
  files.read = (...args) => (wholeFileReads++, read(...args));
  const objects = detachedFrom(file, files);
  t.same(objects.map((o) => o.lineOf('/data/a')), [7, 15]);
  t.ok(wholeFileReads > 0, 'its bytes do not match its text, so the whole file is read');
});

t.test('a file changed before its lines are asked for is an input error, not a wrong line', async (t) => {
  const file = join(dir, 'changed.yaml');
  writeFileSync(file, `${doc('first')}---\n${doc('second')}`);
  const objects = detachedFrom(file, new FileTexts());
  writeFileSync(file, `# a comment moves every line\n${doc('first')}---\n${doc('second')}`);
  t.throws(() => objects[1]!.lineOf('/data/a'), /changed while it was being checked/);
});

t.test('given a string table, a document keeps its line table instead of its text: its lines need no read', async (t) => {
  const file = join(dir, 'kept-table.yaml');
  writeFileSync(file, `${doc('first')}---\n${doc('second')}`);
  const files = new FileTexts();
  const strings = new StringTable();
  const objects: LoadedObject[] = [];
  readManifests(readFileSync(file, 'utf8'), file, (entry) => objects.push(entry.detached(entry.object, files, strings)), true);
  rmSync(file);
  t.same(objects.map((o) => [o.line, o.lineOf('/data/note'), o.lineOf('/data/missing')]), [[1, 7, 5], [9, 15, 13]]);
});
