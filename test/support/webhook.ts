// Helpers for the webhook tests: AdmissionReviews as an API server sends them, a server built the way
// `ddguard serve` builds it, and a logger whose lines can be read back.
import type { FastifyInstance } from 'fastify';
import { Engine, DEFAULT_ENGINE_CONFIG, type EngineConfig } from '../../src/engine/engine.js';
import type { Rule } from '../../src/engine/types.js';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import type { AdmissionReviewResponse } from '../../src/kube-model/admission-review.js';
import { buildServer, type ServerDeps } from '../../src/webhook/app.js';
import { resolveWebhookConfig, type WebhookConfigSection } from '../../src/webhook/config.js';
import { WebhookMetrics } from '../../src/webhook/metrics.js';
import { StaticWorldProvider, type WorldProvider } from '../../src/world/world-provider.js';
export { reviewOf } from './admission.js';

export interface LogCapture {
  logger: Logger;
  lines: () => Record<string, unknown>[];
  text: () => string;
}

export function captureLogs(level: 'info' | 'debug' = 'info'): LogCapture {
  const raw: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void raw.push(line) } });
  return {
    logger,
    lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>),
    text: () => raw.join(''),
  };
}

export interface TestServer {
  app: FastifyInstance;
  logs: LogCapture;
  metrics: WebhookMetrics;
  validate: (review: unknown, query?: string) => Promise<{ statusCode: number; body: AdmissionReviewResponse & Record<string, unknown> }>;
}

export interface TestServerOptions {
  rules: readonly Rule[];
  engineConfig?: EngineConfig;
  config?: WebhookConfigSection;
  worldProvider?: WorldProvider;
  deps?: Partial<ServerDeps>;
}

export async function testServer(options: TestServerOptions): Promise<TestServer> {
  const logs = captureLogs();
  const metrics = new WebhookMetrics({ processMetrics: false });
  const app = buildServer({
    logger: logs.logger,
    engine: new Engine(options.rules, options.engineConfig ?? DEFAULT_ENGINE_CONFIG),
    worldProvider: options.worldProvider ?? new StaticWorldProvider(),
    config: resolveWebhookConfig(options.config),
    metrics,
    ...options.deps,
  });
  await app.ready();
  const validate = async (review: unknown, query = '?timeout=10s') => {
    const response = await app.inject({
      method: 'POST',
      url: `/validate${query}`,
      headers: { 'content-type': 'application/json' },
      payload: typeof review === 'string' ? review : JSON.stringify(review),
    });
    return { statusCode: response.statusCode, body: response.json() };
  };
  return { app, logs, metrics, validate };
}

/** The one admission log line for a uid. */
export function admissionLine(logs: LogCapture, uid: string): Record<string, unknown> | undefined {
  return logs.lines().find((l) => l['msg'] === 'admission' && l['uid'] === uid);
}
