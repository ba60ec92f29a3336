import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Finding } from '../engine/types.js';

export type DecisionLabel = 'allow' | 'deny' | 'malformed' | 'error';

/**
 * The webhook's Prometheus metrics, in a registry of their own so several servers (tests) never share
 * counters. Labels are kinds, operations, decisions, rule ids and severities: never names or values.
 */
export class WebhookMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'kind' | 'operation' | 'decision'>;
  readonly duration: Histogram<'operation'>;
  readonly findings: Counter<'rule' | 'severity'>;
  readonly lookupErrors: Counter;
  readonly exemptions: Counter<'by'>;
  private readonly cacheSynced: Gauge;
  private readonly certificateNotAfter: Gauge;
  private cacheReady: () => boolean = () => false;
  // Bounded: kinds are those the webhook is sent, operations four, decisions four.
  private readonly requestChildren = new Map<string, { inc(): void }>();
  private readonly durationChildren = new Map<string, { observe(value: number): void }>();

  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
    this.requests = new Counter({
      name: 'ddguard_admission_requests_total',
      help: 'Admission reviews answered, by kind, operation and decision (allow, deny, malformed, error).',
      labelNames: ['kind', 'operation', 'decision'],
      registers,
    });
    this.duration = new Histogram({
      name: 'ddguard_admission_duration_seconds',
      help: 'Time from receiving an admission review to answering it.',
      labelNames: ['operation'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.findings = new Counter({
      name: 'ddguard_findings_total',
      help: 'Findings reported on admission, by rule and severity (exempted findings included).',
      labelNames: ['rule', 'severity'],
      registers,
    });
    this.lookupErrors = new Counter({
      name: 'ddguard_lookup_errors_total',
      help: 'Cluster lookups that failed or ran out of time while preparing a review.',
      registers,
    });
    this.exemptions = new Counter({
      name: 'ddguard_exemptions_total',
      help: 'Admissions or findings let through by an exemption, by what exempted them.',
      labelNames: ['by'],
      registers,
    });
    const cacheReady = () => this.cacheReady();
    this.cacheSynced = new Gauge({
      name: 'ddguard_cache_synced',
      help: '1 when the world the webhook judges in is ready (caches synced, or no cluster), else 0.',
      registers,
      // Sampled at scrape time, so the gauge never goes stale.
      collect() {
        this.set(cacheReady() ? 1 : 0);
      },
    });
    this.certificateNotAfter = new Gauge({
      name: 'ddguard_tls_certificate_not_after_seconds',
      help: 'Expiry of the serving certificate in use, as a Unix time.',
      registers,
    });
  }

  /** One answered review. Label children are kept: prom-client validates and hashes labels on every call. */
  countRequest(kind: string, operation: string, decision: DecisionLabel): void {
    const key = `${kind}\u0000${operation}\u0000${decision}`;
    let child = this.requestChildren.get(key);
    if (!child) this.requestChildren.set(key, (child = this.requests.labels({ kind, operation, decision })));
    child.inc();
  }

  observeDuration(operation: string, seconds: number): void {
    let child = this.durationChildren.get(operation);
    if (!child) this.durationChildren.set(operation, (child = this.duration.labels({ operation })));
    child.observe(seconds);
  }

  observeFindings(findings: readonly Finding[]): void {
    for (const f of findings) this.findings.inc({ rule: f.ruleId, severity: f.severity });
  }

  /** Where the cache gauge reads its state from (the world provider's readiness). */
  watchCache(ready: () => boolean): void {
    this.cacheReady = ready;
  }

  setCertificateExpiry(notAfter: Date): void {
    this.certificateNotAfter.set(Math.floor(notAfter.getTime() / 1000));
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
