// `check` streaming over the official corpus: no rule asks the World about an object `check` lets go, and
// streaming gives the same findings as judging every object at once (test/world/store-retention.test.ts).
import '../support/requires-shared.js';
import { readFileSync } from 'node:fs';
import t from 'tap';
import { Engine } from '../../src/engine/engine.js';
import { ManifestCheck } from '../../src/check/manifest-check.js';
import type { LoadedObject } from '../../src/manifests/loaded-object.js';
import { readManifests } from '../../src/manifests/parse.js';
import { RULES } from '../../src/rules/index.js';
import { judgedAtOnce } from '../support/check-at-once.js';
import { askedKinds } from '../support/asked-kinds.js';
import { corpusFiles } from '../support/shared.js';

t.test('the official corpus: nothing asked about is let go, and streaming gives the same findings', async (t) => {
  const files = corpusFiles();
  const sets = files.map((file) => {
    const loaded: LoadedObject[] = [];
    const errors = readManifests(readFileSync(file, 'utf8'), file, (o) => loaded.push(o));
    return { name: file, loaded, objects: loaded.map((o) => o.object), errors };
  });
  t.same(askedKinds(sets, 'datadog'), [], 'no rule asks about an object check lets go');
  const differing: string[] = [];
  for (const set of sets) {
    const check = new ManifestCheck(new Engine(RULES), 'datadog');
    for (const entry of set.loaded) check.add(entry);
    const streamed = JSON.stringify(check.finish([set.name]).findings);
    // Parsed again: judgedAtOnce must not see the objects the streaming check copied.
    const again: LoadedObject[] = [];
    readManifests(readFileSync(set.name, 'utf8'), set.name, (o) => again.push(o));
    if (streamed !== JSON.stringify(judgedAtOnce(again, new Engine(RULES), 'datadog'))) differing.push(set.name);
  }
  t.same(differing, [], `the same findings on all ${files.length} corpus files`);
});
