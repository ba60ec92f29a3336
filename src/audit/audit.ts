import type { Engine } from '../engine/engine.js';
import type { Finding } from '../engine/types.js';
import { refOf, type KubeObject } from '../kube-model/types.js';
import type { CheckedObject, CheckReport } from '../report/report.js';
import { memoScope } from '../kube-model/memo.js';
import type { Collected } from './collect.js';
import type { ObjectStore } from '../world/store.js';
import type { World } from '../kube-model/world.js';

/** Where a cluster object "lives" for the report formats, which were made for files. */
export function clusterLocation(object: KubeObject): string {
  const ns = object.metadata?.namespace;
  return `cluster:${object.kind ?? ''}/${ns ? `${ns}/` : ''}${object.metadata?.name ?? ''}`;
}

/**
 * Judges every kept object (Datadog workloads, DatadogAgents, RBAC, ServiceAccounts, the Secrets read)
 * in the live world, the same engine and findings as `check`.
 */
export function auditCollected(collected: Collected, engine: Engine): CheckReport {
  return auditStore(collected.store, collected.world, engine, collected.referenced);
}

/**
 * Judges the store's objects and the `referenced` Secrets and ConfigMaps read for this run, in `world`:
 * `ddguard audit` and `serve --audit-interval` both come here, with the same reader's world.
 */
export function auditStore(store: ObjectStore, world: World, engine: Engine, referenced: readonly KubeObject[] = []): CheckReport {
  const objects: CheckedObject[] = [];
  const findings: Finding[] = [];
  const judged = new Set(engine.judgedKinds() as string[]);
  const datadog = new Set(store.datadogWorkloads());
  const byKind = (kind: string) => [...store.list(kind), ...referenced.filter((o) => o.kind === kind)];
  // One memo scope for the whole audit, as for `check` (src/kube-model/memo.ts).
  memoScope(() => {
    for (const kind of [...new Set(['DaemonSet', 'Deployment', 'StatefulSet', 'DatadogAgent', 'Secret', ...judged])]) {
      for (const object of byKind(kind)) {
        const found = engine.evaluate(object, world);
        if (found.length === 0 && !datadog.has(object) && kind !== 'Secret') continue;
        const ref = refOf(object);
        objects.push({ ref, file: clusterLocation(object), findings: found });
        findings.push(...found);
      }
    }
  });
  return { objects, findings, files: [], scope: 'the cluster' };
}
