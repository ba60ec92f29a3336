import type { Command } from 'commander';
import { WebhookConfigError } from '../webhook/errors.js';
import { SERVE_OPTIONS, resolveServeOptions } from '../webhook/serve-options.js';

export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('Run the admission webhook: HTTPS /validate, /healthz, /readyz and plain-HTTP /metrics.');
  for (const spec of SERVE_OPTIONS) command.option(spec.flag, `${spec.description} [${spec.env}]${spec.default === undefined ? '' : ` (default ${spec.default})`}`);
  command.action(async (flags: Record<string, unknown>) => {
    try {
      const options = resolveServeOptions(flags, process.env);
      // The server and its dependencies (fastify, pino, prom-client) load only when serve runs, so the other
      // commands start without them.
      const { serve } = await import('./serve-run.js');
      await serve(options);
    } catch (error: unknown) {
      // Typed errors (bad flags, bad certificate files) are the user's to fix; anything else is a bug.
      const known = error instanceof WebhookConfigError || hasCode(error);
      process.stderr.write(`ddguard serve: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
      process.exitCode = known ? 2 : 1;
    }
  });
}

/** ddguard's own typed errors (bad certificate files, bad config) are reported; anything else is a bug. */
function hasCode(error: unknown): boolean {
  const code: unknown = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('DDG_');
}

