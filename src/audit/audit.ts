import type { Engine } from '../engine/engine.js';
import type { Finding } from '../engine/types.js';
import { refOf, type KubeObject } from '../k8s/types.js';
import type { CheckedObject, CheckReport } from '../report/report.js';
import { memoScope } from '../world/memo.js';
import { StoreWorld } from '../world/storeWorld.js';
import type { Collected } from './collect.js';
import type { ObjectStore } from '../world/store.js';
import type { World } from '../world/world.js';

/** Where a cluster object "lives" for the report formats, which were made for files. */
export function clusterLocation(object: KubeObject): string {
  const ns = object.metadata?.namespace;
  return `cluster:${object.kind ?? ''}/${ns ? `${ns}/` : ''}${object.metadata?.name ?? ''}`;
}

/**
 * Judges every kept object (Datadog workloads, DatadogAgents, RBAC, ServiceAccounts, the token Secrets read)
 * in the live world, the same engine and findings as `check`.
 */
export function auditCollected(collected: Collected, engine: Engine): CheckReport {
  return auditStore(collected.store, new StoreWorld(collected.store, 'cluster'), engine);
}

/** Judges the store's objects in `world` (the store itself, or the live world with its fetched Secrets). */
export function auditStore(store: ObjectStore, world: World, engine: Engine): CheckReport {
  const collected = { store };
  const objects: CheckedObject[] = [];
  const findings: Finding[] = [];
  const judged = new Set(engine.judgedKinds() as string[]);
  const datadog = new Set(collected.store.datadogWorkloads());
  // One memo scope for the whole audit, as for `check` (src/world/memo.ts).
  memoScope(() => {
    for (const kind of [...new Set(['DaemonSet', 'Deployment', 'StatefulSet', 'DatadogAgent', 'Secret', ...judged])]) {
      for (const object of collected.store.list(kind)) {
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
