import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply } from 'fastify';
import type { Engine } from '../engine/engine.js';
import { describeRef } from '../k8s/types.js';
import type { Logger } from '../logging/logger.js';
import type { WebhookConfig } from './config.js';
import type { DeadlinePolicy } from './deadline.js';
import { DrainState } from './drain.js';
import { MalformedReviewError } from './errors.js';
import type { WebhookMetrics } from './metrics.js';
import { parseReview } from './parse.js';
import { scrub, secretValuesIn } from './scrub.js';
import type { AdmissionReview } from './admission.js';
import { admissionLogFields, reviewAdmission, type ReviewOutcome } from './review.js';
import { secureContextOptions, type TlsSource } from './tls.js';
import type { WorldProvider } from './world-provider.js';

/** An object and its old copy, each up to the API server's 3 MiB, with room for the review around them. */
export const BODY_LIMIT_BYTES = 8 * 1024 * 1024;

/**
 * Keep-alive longer than the API server's idle timeout (Go's 90 s), so the server never closes a connection
 * the client is about to reuse; the values controller-runtime and Pepr use.
 */
export const SERVER_TIMEOUTS = Object.freeze({ keepAliveMs: 90_000, headersMs: 32_000, requestMs: 60_000 });

export interface ServerDeps {
  logger: Logger;
  engine: Engine;
  worldProvider: WorldProvider;
  config: WebhookConfig;
  metrics: WebhookMetrics;
  /** The serving certificate. Absent only where the server is driven by `inject()` and never listens. */
  tls?: TlsSource;
  drain?: DrainState;
  deadlinePolicy?: DeadlinePolicy;
}

/**
 * The admission server: `POST /validate`, `GET /healthz`, `GET /readyz`. It never listens and never reads the
 * environment; the entry point does both. With `tls` the server is HTTPS only (TLS 1.2+, HTTP/1.1), and a
 * reloaded certificate is applied to new connections without a restart.
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const drain = deps.drain ?? new DrainState();
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Fastify's own request lines would be a second line per admission; the handler writes the one line.
    logController: new LogController({ disableRequestLogging: true }),
    // Fastify would build a pino child per request (bindings serialised, redaction and levels set up again)
    // even when the request logs nothing; that was a tenth of the server's CPU. Requests log through
    // `requestLogger`, which builds the child, with the request id, only when a line is written.
    childLoggerFactory: (logger) => logger,
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: false,
    serverFactory: (handler) => createNodeServer(handler, deps),
  });

  // The raw text is kept and parsed by parseReview, whose errors never quote the body.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));

  // A callback hook, not an async one: it runs on every response and needs no promise.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (drain.draining) reply.header('connection', 'close');
    done(null, payload);
  });
  app.setErrorHandler((error: FastifyError, request, reply) =>
    replyWithError(error, request.log.child({ reqId: request.id }), reply, deps.metrics),
  );

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const failing = [
      ...(deps.tls && !deps.tls.ready() ? ['certificate not loaded'] : []),
      ...(deps.worldProvider.ready() ? [] : ['cluster caches not synced']),
      ...(drain.draining ? ['shutting down'] : []),
    ];
    return reply.code(failing.length ? 503 : 200).send({ status: failing.length ? 'not ready' : 'ok', failing });
  });

  app.post<{ Querystring: { timeout?: string } }>('/validate', async (request) => {
    const started = process.hrtime.bigint();
    const review = parseReview(typeof request.body === 'string' ? request.body : '');
    const log = requestLogger(request.log, () => ({ reqId: request.id, ...admissionLogFields(review.request) }));
    const labels = { kind: review.request.kind.kind, operation: review.request.operation };
    let outcome: ReviewOutcome;
    try {
      outcome = await reviewAdmission(review, deps, request.query.timeout);
    } catch (error: unknown) {
      log().error({ err: scrubbedError(error, review) }, 'admission review failed');
      deps.metrics.countRequest(labels.kind, labels.operation, 'error');
      throw new InternalReviewError();
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    record(outcome, log, deps.metrics);
    deps.metrics.countRequest(labels.kind, labels.operation, outcome.decision.allowed ? 'allow' : 'deny');
    deps.metrics.observeDuration(labels.operation, seconds);
    if (deps.logger.isLevelEnabled('info')) log().info(admissionLine(outcome, seconds), 'admission');
    return outcome.response;
  });

  deps.metrics.watchCache(() => deps.worldProvider.ready());
  deps.metrics.labelKinds((kind) => deps.engine.judges(kind));
  if (deps.tls) deps.metrics.setCertificateExpiry(deps.tls.current().notAfter);
  return app;
}

function createNodeServer(handler: Parameters<typeof createHttpServer>[1], deps: ServerDeps): Server {
  const tls = deps.tls;
  const server = tls
    ? createHttpsServer({ ...secureContextOptions(tls.current()), ALPNProtocols: ['http/1.1'] }, handler)
    : createHttpServer(handler);
  server.keepAliveTimeout = SERVER_TIMEOUTS.keepAliveMs;
  server.headersTimeout = SERVER_TIMEOUTS.headersMs;
  server.requestTimeout = SERVER_TIMEOUTS.requestMs;
  if (tls && 'setSecureContext' in server) {
    tls.onChange((pair) => {
      server.setSecureContext(secureContextOptions(pair));
      deps.metrics.setCertificateExpiry(pair.notAfter);
    });
  }
  // https.Server is an http.Server for everything Fastify does with it.
  return server as Server;
}

/** The one line per admission: names, rule ids and counts, never objects. */
function admissionLine(outcome: ReviewOutcome, seconds: number): Record<string, unknown> {
  return {
    decision: outcome.decision.allowed ? 'allow' : 'deny',
    path: outcome.path,
    rules: [...new Set(outcome.findings.map((f) => f.ruleId))],
    denyingRules: outcome.decision.denyingRules,
    warnings: outcome.decision.warnings.length,
    durationMs: Math.round(seconds * 1e4) / 10,
  };
}

/** The request's child logger, built on first use: most requests at level warn write no line at all. */
function requestLogger(parent: FastifyBaseLogger, fields: () => Record<string, unknown>): () => FastifyBaseLogger {
  let child: FastifyBaseLogger | undefined;
  return () => (child ??= parent.child(fields()));
}

/** Logs and counts what the rules found beyond the decision: exemptions used, lookups that failed. */
function record(outcome: ReviewOutcome, log: () => FastifyBaseLogger, metrics: WebhookMetrics): void {
  metrics.observeFindings(outcome.findings);
  if (outcome.path === 'exempt-namespace') {
    metrics.exemptions.inc({ by: 'namespace' });
    log().info({ exemption: 'namespace' }, 'exemption used: namespace is exempt from review');
  }
  for (const finding of outcome.findings) {
    if (!finding.exempted) continue;
    metrics.exemptions.inc({ by: finding.exempted.by });
    log().info(
      { rule: finding.ruleId, object: describeRef(finding.object), by: finding.exempted.by, reason: finding.exempted.reason },
      'exemption used',
    );
  }
  for (const reason of outcome.lookupFailures) log().warn({ reason }, 'lookup failed; finding downgraded');
  if (outcome.lookupFailures.length) metrics.lookupErrors.inc(outcome.lookupFailures.length);
}

/** A rule's error message could quote what it was reading: cut the reviewed objects' secret values out. */
function scrubbedError(error: unknown, review: AdmissionReview): { type: string; message: string; stack?: string } {
  const secrets = secretValuesIn([review.request.object, review.request.oldObject]);
  const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
  return { type: name, message: scrub(message, secrets), ...(stack ? { stack: scrub(stack, secrets) } : {}) };
}

class InternalReviewError extends Error {
  readonly code = 'DDG_INTERNAL';
  readonly statusCode = 500;
  constructor() {
    super('ddguard failed while reviewing this request; the ddguard log has the details');
  }
}

/**
 * 4xx: the request's fault, answered with the reason (a metav1.Status). 5xx: ours, logged, answered
 * without internals. Fastify's own errors (413 body too large, 415 media type) keep their status.
 */
function replyWithError(error: FastifyError, log: FastifyBaseLogger, reply: FastifyReply, metrics: WebhookMetrics): FastifyReply {
  const status = error instanceof MalformedReviewError ? 400 : (error.statusCode ?? 500);
  const isClientError = status >= 400 && status < 500;
  if (isClientError) {
    if (reply.request.url.startsWith('/validate')) metrics.countRequest('', '', 'malformed');
    log.warn({ status, code: error.code, reason: error.message }, 'rejected a malformed request');
  } else if (!(error instanceof InternalReviewError)) {
    log.error({ err: error }, 'request failed');
  }
  return reply.code(status).send({
    apiVersion: 'v1',
    kind: 'Status',
    status: 'Failure',
    code: status,
    reason: isClientError ? reasonOf(status) : 'InternalError',
    message: isClientError ? clientMessage(error, reply) : 'internal error; the ddguard log has the details',
  });
}

function clientMessage(error: FastifyError, reply: FastifyReply): string {
  if (error.code !== 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return error.message;
  return `content type ${JSON.stringify(reply.request.headers['content-type'] ?? '')} is not supported; send the AdmissionReview as application/json`;
}

function reasonOf(status: number): string {
  return ({ 400: 'BadRequest', 404: 'NotFound', 413: 'RequestEntityTooLarge', 415: 'UnsupportedMediaType' } as Record<number, string>)[status] ?? 'BadRequest';
}
