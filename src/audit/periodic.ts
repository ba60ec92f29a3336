import { createHash } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import type { Engine } from '../engine/engine.js';
import type { Finding } from '../engine/types.js';
import { findingInFull } from '../report/explain.js';
import { Deadline } from '../world/deadline.js';
import { runeLength, shorten } from '../report/shorten.js';
import type { LiveWorldProvider } from '../world/live.js';
import { auditStore } from './audit.js';

export const EVENT_REASON = 'DatadogMisconfigured';

export interface PeriodicAuditOptions {
  intervalMs: number;
  /** Budget for reading Secrets in one run; default 10 s. */
  secretDeadlineMs?: number;
  logger?: Logger;
}

/**
 * `serve --audit-interval`: the audit run from the live world's cache, published as a gauge (current findings
 * only, stale series dropped) and as one Event per standing violation (posted once, not on every run), so
 * GitOps users who never see admission warnings still learn.
 */
export class PeriodicAudit {
  private readonly gauge: Gauge<'rule' | 'severity' | 'namespace' | 'kind' | 'name'>;
  private readonly events: CoreV1Api;
  /** Violations already announced by an Event; a violation that clears and returns is announced again. */
  private announced = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    kc: KubeConfig,
    private readonly provider: LiveWorldProvider,
    private readonly engine: Engine,
    registry: Registry,
    private readonly options: PeriodicAuditOptions,
  ) {
    this.events = kc.makeApiClient(CoreV1Api);
    this.gauge = new Gauge({
      name: 'ddguard_violations',
      help: 'Findings of the periodic audit, one series per current violation',
      labelNames: ['rule', 'severity', 'namespace', 'kind', 'name'],
      registers: [registry],
    });
  }

  start(): void {
    const tick = () => {
      this.runOnce().catch((error: unknown) => this.options.logger?.error({ err: String(error) }, 'periodic audit failed'));
    };
    this.timer = setInterval(tick, this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One audit: returns the findings it published. */
  async runOnce(): Promise<Finding[]> {
    if (!this.provider.ready()) return [];
    const { world } = await this.provider.snapshot(Deadline.after(this.options.secretDeadlineMs ?? 10_000));
    const findings = auditStore(this.provider.store, world, this.engine, world.foundReferences()).findings.filter((f) => !f.exempted);
    this.gauge.reset();
    for (const f of findings) {
      this.gauge.inc({ rule: f.ruleId, severity: f.severity, namespace: f.object.namespace ?? '', kind: f.object.kind ?? '', name: f.object.name ?? '' });
    }
    const current = new Set<string>();
    for (const f of findings) {
      const key = violationKey(f);
      current.add(key);
      if (this.announced.has(key)) continue;
      if (await this.postEvent(f)) this.announced.add(key);
    }
    this.announced = new Set([...this.announced].filter((k) => current.has(k)));
    return findings;
  }

  private async postEvent(finding: Finding): Promise<boolean> {
    const namespace = finding.object.namespace || 'default';
    const now = new Date();
    try {
      await this.events.createNamespacedEvent({
        namespace,
        body: {
          metadata: { generateName: `${finding.object.name ?? 'object'}.`, namespace },
          involvedObject: { kind: finding.object.kind ?? '', name: finding.object.name ?? '', namespace, ...(finding.object.apiVersion ? { apiVersion: finding.object.apiVersion } : {}) },
          reason: EVENT_REASON,
          type: finding.severity === 'error' ? 'Warning' : 'Normal',
          message: eventMessage(finding),
          source: { component: 'ddguard' },
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
      return true;
    } catch (error: unknown) {
      this.options.logger?.warn({ err: String(error), rule: finding.ruleId }, 'could not post an Event');
      return false;
    }
  }
}

/**
 * events.k8s.io caps an Event's text (`note`, the same field as core/v1 `message`) at 1 KiB: the finding in
 * full (fix and where to read more) within that, shortening only what is wrong, never the fix or the pointer.
 */
export const EVENT_MESSAGE_MAX_BYTES = 1024;

export function eventMessage(finding: Finding): string {
  const full = findingInFull(finding);
  const over = Buffer.byteLength(full) - EVENT_MESSAGE_MAX_BYTES;
  if (over <= 0) return full;
  for (let room = runeLength(finding.message) - over; room > 20; room -= 16) {
    const text = findingInFull({ ...finding, message: shorten(finding.message, room) });
    if (Buffer.byteLength(text) <= EVENT_MESSAGE_MAX_BYTES) return text;
  }
  return shorten(full, EVENT_MESSAGE_MAX_BYTES / 4);
}

function violationKey(f: Finding): string {
  const digest = createHash('sha256').update(f.message).digest('hex').slice(0, 16);
  return [f.ruleId, f.object.kind, f.object.namespace, f.object.name, f.path, digest].join('|');
}
