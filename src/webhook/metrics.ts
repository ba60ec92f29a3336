import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Finding } from '../engine/types.js';
import { OPERATIONS } from '../kube-model/admission-review.js';

export type DecisionLabel = 'allow' | 'deny' | 'malformed' | 'error';

/** The label of every request-derived value outside its closed set: a client must not mint series. */
export const OTHER_LABEL = 'other';

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
  /** Requests that failed on a bug in ddguard (answered 500): zero unless something is wrong with ddguard. */
  readonly internalErrors: Counter;
  /** Requests turned away before review because the server was at a limit (answered 429 or 503). */
  readonly shed: Counter<'limit'>;
  private readonly cacheSynced: Gauge;
  private readonly certificateNotAfter: Gauge;
  private cacheReady: () => boolean = () => false;
  private inFlightBytes: () => number = () => 0;
  /** Kinds that get their own label: the kinds the engine judges, once the server tells. */
  private judges: (kind: string) => boolean = () => false;
  // Bounded: kinds are the judged ones plus `other`, operations four plus `other`, decisions five.
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
    this.internalErrors = new Counter({
      name: 'ddguard_internal_errors_total',
      help: 'Requests that failed on a bug in ddguard and were answered 500 (see the error log line).',
      registers,
    });
    this.shed = new Counter({
      name: 'ddguard_requests_shed_total',
      help: 'Requests turned away at a limit before review, by limit (bytes in flight).',
      labelNames: ['limit'],
      registers,
    });
    const inFlightBytes = () => this.inFlightBytes();
    new Gauge({
      name: 'ddguard_in_flight_bytes',
      help: 'Bytes of admission reviews being read or judged now (bounded by --max-in-flight-bytes).',
      registers,
      collect() {
        this.set(inFlightBytes());
      },
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

  /** Which kinds are labelled by name (the kinds the engine judges); every other kind is `other`. */
  labelKinds(judges: (kind: string) => boolean): void {
    this.judges = judges;
  }

  /**
   * One answered review. Kind and operation come from the request, so they are labels only from a closed set.
   * Label children are kept: prom-client validates and hashes labels on every call.
   */
  countRequest(requestKind: string, requestOperation: string, decision: DecisionLabel): void {
    const kind = requestKind !== '' && this.judges(requestKind) ? requestKind : requestKind === '' ? '' : OTHER_LABEL;
    const operation = operationLabel(requestOperation);
    const key = `${kind}\u0000${operation}\u0000${decision}`;
    let child = this.requestChildren.get(key);
    if (!child) this.requestChildren.set(key, (child = this.requests.labels({ kind, operation, decision })));
    child.inc();
  }

  observeDuration(requestOperation: string, seconds: number): void {
    const operation = operationLabel(requestOperation);
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

  /** Where the in-flight gauge reads the bytes held by the server's admission control. */
  watchInFlight(bytes: () => number): void {
    this.inFlightBytes = bytes;
  }

  setCertificateExpiry(notAfter: Date): void {
    this.certificateNotAfter.set(Math.floor(notAfter.getTime() / 1000));
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

function operationLabel(operation: string): string {
  return operation === '' || (OPERATIONS as readonly string[]).includes(operation) ? operation : OTHER_LABEL;
}
