// Admission control: what a review may hold of the server is decided at its headers, before a body is read.
import { Transform } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnsupportedMediaTypeError } from './errors.js';
import { BODY_LIMIT_BYTES, OverloadedError, type InFlightBytes } from './limits.js';
import type { WebhookMetrics } from './metrics.js';

const isReview = (request: FastifyRequest) => request.method === 'POST' && (request.url === '/validate' || request.url.startsWith('/validate?'));

/**
 * Holds each review's bytes from its headers until its answer. A declared Content-Length is taken at once
 * (429 before a byte of the body is read); a body without one is counted as it streams. A charset other than
 * UTF-8 is refused at the headers too (415): the body would be decoded as UTF-8 whatever it says.
 */
export function admitWithinLimits(app: FastifyInstance, budget: InFlightBytes, metrics: WebhookMetrics): void {
  const held = new WeakMap<FastifyRequest, number>();
  const hold = (request: FastifyRequest, bytes: number): boolean => {
    if (!budget.take(bytes)) return false;
    held.set(request, (held.get(request) ?? 0) + bytes);
    return true;
  };
  const release = (request: FastifyRequest) => {
    budget.give(held.get(request) ?? 0);
    held.delete(request);
  };

  app.addHook('onRequest', (request, reply, done) => {
    if (!isReview(request)) return done();
    reply.raw.once('close', () => release(request));
    const contentType = request.headers['content-type'];
    if (!isUtf8(contentType)) return done(new UnsupportedMediaTypeError(contentType));
    const declared = Number(request.headers['content-length']);
    // Past the body limit: Fastify answers 413 without reading it, so nothing is held.
    if (!Number.isSafeInteger(declared) || declared <= 0 || declared > BODY_LIMIT_BYTES) return done();
    done(hold(request, declared) ? undefined : new OverloadedError(budget.limit));
  });
  app.addHook('preParsing', (request, _reply, payload, done) => {
    if (!isReview(request) || held.has(request)) return done(null, payload);
    let received = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, next) {
        received += chunk.length;
        (counted as Transform & { receivedEncodedLength?: number }).receivedEncodedLength = received;
        next(hold(request, chunk.length) ? null : new OverloadedError(budget.limit), chunk);
      },
    });
    payload.on('error', (error) => counted.destroy(error));
    done(null, payload.pipe(counted));
  });
  app.addHook('onResponse', (request, _reply, done) => {
    release(request);
    done();
  });
  app.addHook('onRequestAbort', (request, done) => {
    release(request);
    done();
  });
  metrics.watchInFlight(() => budget.inFlight);
}

const CHARSET = /;\s*charset\s*=\s*"?([^";\s]*)"?/i;

/** True for `application/json` with no charset or a UTF-8 one (the only encoding JSON is sent in, RFC 8259). */
function isUtf8(contentType: string | undefined): boolean {
  const charset = CHARSET.exec(contentType ?? '')?.[1]?.toLowerCase();
  return charset === undefined || charset === 'utf-8' || charset === 'utf8';
}
