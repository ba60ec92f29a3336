import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, {
  LogController,
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
} from 'fastify';
import type { Engine } from '../engine/engine.js';
import { describeRef } from '../kube-model/types.js';
import type { Logger } from '../logging/logger.js';
import { loggedValue, MAX_LOGGED_MESSAGE_CHARS } from '../logging/request-values.js';
import type { WebhookConfig } from './config.js';
import type { DeadlinePolicy } from '../world/deadline.js';
import { DrainState } from './drain.js';
import { MalformedReviewError, UnsupportedMediaTypeError } from './errors.js';
import { BODY_LIMIT_BYTES, DEFAULT_SERVER_LIMITS, InFlightBytes, RETRY_AFTER_SECONDS, type ServerLimits } from './limits.js';
import { admitWithinLimits } from './admission-control.js';
import type { WebhookMetrics } from './metrics.js';
import { parseReview } from './parse.js';
import { scrub, secretValuesIn } from './scrub.js';
import type { AdmissionReview } from '../kube-model/admission-review.js';
import { admissionLogFields, reviewAdmission, type ReviewOutcome } from './review.js';
import { secureContextOptions, type TlsSource } from './tls.js';
import type { WorldProvider } from '../world/world-provider.js';


/**
 * Keep-alive longer than the API server's idle timeout (Go's 90 s), so the server never closes a connection
 * the client is about to reuse; the values controller-runtime and Pepr use. A connection that has not yet sent
 * a request is not one the API server is keeping: the headers timeout (ServerLimits) closes it much sooner,
 * checked every `checkIntervalMs`.
 */
export const SERVER_TIMEOUTS = Object.freeze({ keepAliveMs: 90_000, requestMs: 60_000, checkIntervalMs: 1_000 });

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
  /** What the server holds at once; DEFAULT_SERVER_LIMITS for what is absent. */
  limits?: Partial<ServerLimits>;
}

/**
 * The admission server: `POST /validate`, `GET /healthz`, `GET /readyz`. It never listens and never reads the
 * environment; the entry point does both. With `tls` the server is HTTPS only (TLS 1.2+, HTTP/1.1), and a
 * reloaded certificate is applied to new connections without a restart.
 */
export function buildServer(deps: ServerDeps): FastifyInstance {
  const drain = deps.drain ?? new DrainState();
  const limits: ServerLimits = { ...DEFAULT_SERVER_LIMITS, ...deps.limits };
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Fastify's own request lines would be a second line per admission; the handler writes the one line.
    logController: new LogController({ disableRequestLogging: true }),
    // Fastify would build a pino child per request (bindings serialised, redaction and levels set up again)
    // even when the request logs nothing, a cost paid on every admission. Requests log through
    // `requestLogger`, which builds the child, with the request id, only when a line is written.
    childLoggerFactory: (logger) => logger,
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: false,
    serverFactory: (handler) => createNodeServer(handler, deps, limits),
  });

  // JSON only (Fastify's text/plain parser would review any text). The raw text is kept and parsed by
  // parseReview, which skips what no rule reads and whose errors never quote the body.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  admitWithinLimits(app, new InFlightBytes(limits.maxInFlightBytes), deps.metrics);

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

  // Any other method on /validate: 405 with the Status the API server and curl users read.
  app.setNotFoundHandler((request, reply) => {
    const onValidate = request.url === '/validate' || request.url.startsWith('/validate?');
    if (onValidate) return reply.code(405).header('allow', 'POST').send(status(405, 'MethodNotAllowed', `${request.method} is not allowed on /validate; send the AdmissionReview with POST`));
    return reply.code(404).send(status(404, 'NotFound', 'no such path; the webhook serves POST /validate, GET /healthz and GET /readyz'));
  });

  app.post<{ Querystring: { timeout?: string } }>('/validate', async (request) => {
    const started = process.hrtime.bigint();
    const review = parseReview(typeof request.body === 'string' ? request.body : '');
    const redact = redactionFor(review);
    const log = requestLogger(request.log, () => ({ reqId: request.id, ...admissionLogFields(review.request, redact) }));
    const labels = { kind: review.request.kind.kind, operation: review.request.operation };
    let outcome: ReviewOutcome;
    try {
      outcome = await reviewAdmission(review, deps, request.query.timeout);
    } catch (error: unknown) {
      log().error({ err: loggableError(error, redact) }, 'admission review failed');
      deps.metrics.countRequest(labels.kind, labels.operation, 'error');
      deps.metrics.internalErrors.inc();
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

function createNodeServer(handler: Parameters<typeof createHttpServer>[1], deps: ServerDeps, limits: ServerLimits): Server {
  const tls = deps.tls;
  const options = { connectionsCheckingInterval: SERVER_TIMEOUTS.checkIntervalMs };
  const server = tls
    ? createHttpsServer(
        { ...options, ...secureContextOptions(tls.current()), ALPNProtocols: ['http/1.1'], handshakeTimeout: limits.handshakeTimeoutMs },
        handler,
      )
    : createHttpServer(options, handler);
  server.keepAliveTimeout = SERVER_TIMEOUTS.keepAliveMs;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = Math.max(SERVER_TIMEOUTS.requestMs, limits.headersTimeoutMs);
  server.maxConnections = limits.maxConnections;
  closeIfNoRequest(server, tls ? 'secureConnection' : 'connection', limits.headersTimeoutMs);
  if (tls && 'setSecureContext' in server) {
    tls.onChange((pair) => {
      server.setSecureContext(secureContextOptions(pair));
      deps.metrics.setCertificateExpiry(pair.notAfter);
    });
  }
  // https.Server is an http.Server for everything Fastify does with it.
  return server as Server;
}

/**
 * Node's headers timeout starts at a request's first byte, so a connection that never sends one (an idle TLS
 * connection, ~32 KB each) would be held until the client leaves. It gets the same time as a request's headers.
 */
function closeIfNoRequest(server: Server, event: 'connection' | 'secureConnection', ms: number): void {
  const waiting = new WeakMap<Socket, NodeJS.Timeout>();
  server.on(event, (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), ms).unref();
    waiting.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  });
  server.on('request', (request: IncomingMessage) => {
    clearTimeout(waiting.get(request.socket));
    waiting.delete(request.socket);
  });
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

/**
 * What the review's log lines pass request values through: the objects' secret values cut out. Worked out
 * once, when a line is first written; when the objects cannot even be searched, nothing is shown.
 */
function redactionFor(review: AdmissionReview): (text: string) => string {
  let secrets: string[] | undefined;
  return (text) => {
    try {
      secrets ??= secretValuesIn([review.request.object, review.request.oldObject]);
    } catch {
      return '[redacted]';
    }
    return scrub(text, secrets);
  };
}

/**
 * The error as the log shows it: its real class (pino's serializer names it from the prototype), its code,
 * and its message and stack redacted and cut short. A rule's message could quote what it was reading.
 */
function loggableError(error: unknown, redact: (text: string) => string): Error {
  const real = error instanceof Error ? error : new Error(typeof error === 'string' ? error : `non-error thrown: ${typeof error}`);
  const copy = Object.create(Object.getPrototypeOf(real) as object) as Error & { code?: string };
  copy.message = loggedValue(real.message, redact, MAX_LOGGED_MESSAGE_CHARS) ?? '';
  const stack = loggedValue(real.stack, redact, MAX_LOGGED_MESSAGE_CHARS);
  if (stack) copy.stack = stack;
  const code = (real as { code?: unknown }).code;
  if (typeof code === 'string') copy.code = loggedValue(code, redact) ?? '';
  return copy;
}

class InternalReviewError extends Error {
  readonly code = 'DDG_INTERNAL';
  readonly statusCode = 500;
  constructor() {
    super('ddguard failed while reviewing this request; the ddguard log has the details');
  }
}

/** A metav1.Status, the body of every error answer. */
function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Status', status: 'Failure', code, reason, message };
}

const keepAsSent = (text: string) => text;

/**
 * 4xx: the request's fault, answered with the reason (a metav1.Status). 5xx: ours, logged, counted,
 * answered without internals. Fastify's own errors (413 body too large) keep their status.
 */
function replyWithError(error: FastifyError, log: FastifyBaseLogger, reply: FastifyReply, metrics: WebhookMetrics): FastifyReply {
  const code = error instanceof MalformedReviewError ? 400 : (error.statusCode ?? 500);
  const isClientError = code >= 400 && code < 500;
  const message = isClientError ? clientMessage(error, reply) : 'internal error; the ddguard log has the details';
  if (code === 429) {
    metrics.shed.inc({ limit: 'bytes' });
    reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    log.warn({ status: code, code: error.code }, 'turned a request away: review bytes in flight at the limit');
  } else if (isClientError) {
    if (reply.request.url.startsWith('/validate')) metrics.countRequest('', '', 'malformed');
    log.warn({ status: code, code: loggedValue(error.code, keepAsSent), reason: message }, 'rejected a malformed request');
  } else if (!(error instanceof InternalReviewError)) {
    metrics.internalErrors.inc();
    log.error({ err: loggableError(error, keepAsSent) }, 'request failed');
  }
  return reply.code(code).send(status(code, isClientError ? reasonOf(code) : 'InternalError', message));
}

/** The reason given back, cut short: Fastify's own messages quote request headers. */
function clientMessage(error: FastifyError, reply: FastifyReply): string {
  if (error.code !== 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return loggedValue(error.message, keepAsSent, MAX_LOGGED_MESSAGE_CHARS) ?? '';
  return new UnsupportedMediaTypeError(reply.request.headers['content-type']).message;
}

function reasonOf(code: number): string {
  const reasons: Record<number, string> = {
    400: 'BadRequest',
    404: 'NotFound',
    405: 'MethodNotAllowed',
    408: 'Timeout',
    413: 'RequestEntityTooLarge',
    415: 'UnsupportedMediaType',
    429: 'TooManyRequests',
  };
  return reasons[code] ?? 'BadRequest';
}
