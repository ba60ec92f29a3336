// The reference `check` streams against: every object judged in one world holding all of them, in one memo
// scope, as `check` did before it streamed.
import type { Engine } from '../../src/engine/engine.js';
import type { Finding } from '../../src/engine/types.js';
import type { LoadedObject } from '../../src/manifests/loaded-object.js';
import { ManifestWorld } from '../../src/world/manifest-world.js';
import { memoScope } from '../../src/kube-model/memo.js';

export function judgedAtOnce(loaded: readonly LoadedObject[], engine: Engine, defaultNamespace: string): Finding[] {
  const world = new ManifestWorld(loaded.map((entry) => entry.object), { defaultNamespace });
  return memoScope(() =>
    loaded.flatMap((entry) =>
      engine.evaluate(entry.object, world).map((finding) => ({ ...finding, source: { file: entry.file, line: entry.lineOf(finding.path) } })),
    ),
  );
}
