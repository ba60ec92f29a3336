import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../logging/logger.js';
import type { WebhookMetrics } from './metrics.js';

/**
 * `GET /metrics` in Prometheus text on its own plain-HTTP port, so scraping needs no CA and `/validate` never
 * has a plaintext listener. Never listens by itself.
 */
export function buildMetricsServer(metrics: WebhookMetrics, logger: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.text());
  });
  return app;
}
