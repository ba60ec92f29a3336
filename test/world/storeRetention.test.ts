// `check` keeps only what another object's rules can ask about (src/world/storeRetention.ts). These tests run
// every rule over every rule fixture, and over the official corpus when ../shared is there, and fail when a
// rule asks the World about a kind `check` lets go, or when streaming changes a single finding.
import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { Engine } from '../../src/engine/engine.js';
import type { KubeObject } from '../../src/k8s/types.js';
import { ManifestCheck } from '../../src/manifests/check.js';
import { readManifests } from '../../src/manifests/parse.js';
import type { LoadedObject } from '../../src/manifests/loadedObject.js';
import { RULES } from '../../src/rules/index.js';
import { ObjectStore } from '../../src/world/store.js';
import { REFERENCED_KINDS, isReferenceable } from '../../src/world/storeRetention.js';
import { StoreWorld } from '../../src/world/storeWorld.js';
import type { Lookup } from '../../src/world/world.js';
import { corpusFiles, CORPUS, loadRuleFixtures } from '../support/fixtures.js';
import { judgedAtOnce } from '../check/support/atOnce.js';

const WORKLOAD_KINDS = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']);

/** A World over every object that notes each kind it is asked about, and whether the answer was kept. */
class KindsAsked extends StoreWorld {
  readonly stray = new Set<string>();

  constructor(objects: readonly KubeObject[], namespace: string) {
    const store = new ObjectStore(namespace);
    for (const object of objects) store.upsert(object);
    super(store, 'manifests');
  }

  override get(kind: string, namespace: string | undefined, name: string): Lookup<KubeObject> {
    const lookup = super.get(kind, namespace, name);
    if (lookup.state === 'found') this.note(lookup.value);
    else if (!REFERENCED_KINDS.has(kind) && !WORKLOAD_KINDS.has(kind)) this.stray.add(`get ${kind}`);
    return lookup;
  }

  override list(kind: string, namespace?: string): readonly KubeObject[] {
    const objects = super.list(kind, namespace);
    for (const object of objects) this.note(object);
    if (!REFERENCED_KINDS.has(kind)) this.stray.add(`list ${kind}`);
    return objects;
  }

  private note(object: KubeObject): void {
    if (!isReferenceable(object, this.defaultNamespace)) this.stray.add(`${object.kind} ${object.metadata?.name ?? ''} (not kept)`);
  }
}

function askedKinds(sets: { name: string; objects: KubeObject[] }[], namespace: string): string[] {
  const engine = new Engine(RULES);
  const stray: string[] = [];
  for (const set of sets) {
    const world = new KindsAsked(set.objects, namespace);
    for (const object of set.objects) engine.evaluate(object, world);
    for (const s of world.stray) stray.push(`${set.name}: ${s}`);
  }
  return stray;
}

t.test('rules ask the World only about what check keeps: every rule fixture', async (t) => {
  const fixtures = loadRuleFixtures();
  t.ok(fixtures.length > 20, 'the rule fixtures are there');
  t.same(askedKinds(fixtures.map((f) => ({ name: f.file, objects: f.objects })), 'datadog'), []);
});

t.test('the official corpus: nothing asked about is let go, and streaming gives the same findings', async (t) => {
  if (!existsSync(CORPUS)) {
    t.comment(`skipped 2 corpus checks: ${CORPUS} is not there (the corpus suite runs where ../shared is)`);
    return;
  }
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
