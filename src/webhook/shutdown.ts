import type { FastifyInstance } from 'fastify';
import type { Logger } from '../logging/logger.js';
import type { DrainState } from './drain.js';

export interface ShutdownPlan {
  drain: DrainState;
  /** How long to keep answering with readiness failing before closing the listeners. */
  drainMs: number;
  /** Servers to close after the drain: no new connections, idle ones closed, in-flight ones finished. */
  servers: readonly FastifyInstance[];
  /** Other things to stop afterwards (certificate watcher, caches, audit loop). */
  stop?: readonly (() => void | Promise<void>)[];
  logger: Logger;
  /** Give up on in-flight requests after this long (the pod is about to be killed anyway). */
  closeTimeoutMs?: number;
}

/**
 * SIGTERM in order: readiness fails first so the endpoint leaves the Service; requests keep being answered
 * through the drain (each with `Connection: close`, so the API server's kept-alive connections move to
 * other pods); then the listeners close, idle connections are dropped and in-flight requests finish.
 * Resolves true when everything closed in time.
 */
export async function shutdownGracefully(plan: ShutdownPlan): Promise<boolean> {
  plan.drain.start();
  plan.logger.info({ drainMs: plan.drainMs }, 'shutting down: readiness is now failing; still answering while draining');
  await new Promise((resolve) => setTimeout(resolve, plan.drainMs));
  plan.logger.info('drain over: closing listeners and waiting for in-flight requests');
  const closed = Promise.all(plan.servers.map((server) => server.close())).then(() => true);
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), plan.closeTimeoutMs ?? 20_000).unref());
  const inTime = await Promise.race([closed, timeout]);
  for (const stop of plan.stop ?? []) await stop();
  if (inTime) plan.logger.info('shut down cleanly');
  else plan.logger.warn('in-flight requests did not finish in time; exiting anyway');
  return inTime;
}
