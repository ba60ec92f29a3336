import type { Engine } from '../engine/engine.js';
import type { Finding } from '../engine/types.js';
import { refOf, type ObjectRef } from '../k8s/types.js';
import { ManifestWorld } from '../world/manifestWorld.js';
import { memoScope } from '../world/memo.js';
import { isClusterScoped } from '../world/store.js';
import type { CheckedObject, CheckReport } from '../report/report.js';
import type { LoadedObject } from './loadedObject.js';

export interface CheckOptions {
  /** Namespace of namespaced objects that name none (helm's and kubectl's `default`). */
  defaultNamespace: string;
  files: readonly string[];
}

/**
 * Runs the engine over a set of loaded manifests, every object judged in the world of all of them, and gives
 * each finding the file and line of the field it points at.
 */
export function checkManifests(loaded: readonly LoadedObject[], engine: Engine, options: CheckOptions): CheckReport {
  const world = new ManifestWorld(
    loaded.map((entry) => entry.object),
    { defaultNamespace: options.defaultNamespace },
  );
  const objects: CheckedObject[] = [];
  const findings: Finding[] = [];
  // One memo scope for the whole set: judging a Secret asks about every workload of its namespace, and each
  // workload's token sources are worked out once, not once per Secret.
  memoScope(() => {
    for (const entry of loaded) {
      const found = engine.evaluate(entry.object, world);
      const checked: CheckedObject = {
        ref: refWithNamespace(entry.object.kind, refOf(entry.object), options),
        file: entry.file,
        findings: found,
      };
      if (found.length > 0) checked.line = entry.line;
      objects.push(checked);
      for (const finding of found) {
        finding.source = { file: entry.file, line: entry.lineOf(finding.path) };
        findings.push(finding);
      }
    }
  });
  return { objects, findings, files: [...options.files] };
}

/** Names objects the way findings do: a namespaced object without a namespace lands in the default one. */
function refWithNamespace(kind: string | undefined, ref: ObjectRef, options: CheckOptions): ObjectRef {
  if (!ref.namespace && !isClusterScoped(kind)) ref.namespace = options.defaultNamespace;
  return ref;
}
