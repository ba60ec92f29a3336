// `ddguard serve` once its options are valid: the process wiring, loaded by src/cli/serve.ts only when serve runs.
import { resolve } from 'node:path';
import { parseGoDuration } from '../world/deadline.js';
import type { FastifyInstance, FastifyListenOptions } from 'fastify';
import { Engine, DEFAULT_ENGINE_CONFIG } from '../engine/engine.js';
import { createLogger, type Logger } from '../logging/logger.js';
import { RULES } from '../rules/index.js';
import { buildServer } from '../webhook/app.js';
import { resolveWebhookConfig, type WebhookConfigSection } from '../webhook/config.js';
import { DrainState } from '../webhook/drain.js';
import { buildMetricsServer } from '../webhook/metrics-app.js';
import { WebhookMetrics } from '../webhook/metrics.js';
import type { ServeOptions } from '../webhook/serve-options.js';
import { ListenError } from '../webhook/errors.js';
import { shutdownGracefully } from '../webhook/shutdown.js';
import { CertificateReloader } from '../webhook/tls.js';
import { StaticWorldProvider } from '../world/world-provider.js';
import type { LiveWorldProvider } from '../world/live.js';
import { loadServeConfig } from '../webhook/config-file.js';

const PACKAGE_ROOT = resolve(import.meta.dirname, '..', '..', '..');
export const SAMPLE_REVIEW = resolve(PACKAGE_ROOT, 'examples', 'admission', 'daemonset-kubelet-host-literal.json');

/** The wiring: every dependency is made here, handed to the server factory, and the listeners opened. */
export async function serve(options: ServeOptions): Promise<void> {
  const logger = createLogger({ level: options.logLevel });
  const file = options.config ? await loadServeConfig(options.config) : undefined;
  const config = resolveWebhookConfig(file?.webhook, overrides(options));
  const engine = new Engine(RULES, file?.engine ?? DEFAULT_ENGINE_CONFIG);
  const metrics = new WebhookMetrics();
  const drain = new DrainState();
  const tls = await tlsFiles(options);
  const reloader = new CertificateReloader({ certFile: tls.certFile, keyFile: tls.keyFile, logger });
  const cluster = await connectCluster(options, logger);
  const worldProvider = cluster ?? new StaticWorldProvider();

  const limits = {
    maxInFlightBytes: options.maxInFlightBytes,
    maxConnections: options.maxConnections,
    handshakeTimeoutMs: options.handshakeTimeoutSeconds * 1000,
    headersTimeoutMs: options.headersTimeoutSeconds * 1000,
  };
  const app = buildServer({ logger, engine, worldProvider, config, metrics, tls: reloader, drain, limits });
  const metricsApp = buildMetricsServer(metrics, logger);
  // Fastify names the scheme from its own options; the server here is HTTPS through serverFactory.
  const https = (address: string) => `webhook listening at ${address.replace(/^http:/, 'https:')}`;
  // Both ports first, before anything runs in the background: if one cannot be bound, the other is closed and
  // serve fails as a whole, rather than half-start (webhook ready, no metrics).
  try {
    await listenOn(app, { host: options.host, port: options.port, listenTextResolver: https }, 'the webhook', '--port');
    await listenOn(metricsApp, { host: options.host, port: options.metricsPort, listenTextResolver: (a: string) => `metrics at ${a}/metrics` }, '/metrics', '--metrics-port');
  } catch (error: unknown) {
    await Promise.allSettled([app.close(), metricsApp.close()]);
    throw error;
  }
  // Readiness stays false until every cache has synced; serving has started so /healthz answers.
  cluster?.start().then(
    () => logger.info('cluster caches synced'),
    (error: unknown) => logger.error({ err: error instanceof Error ? error.message : String(error) }, 'cluster caches failed to start'),
  );
  if (options.auditInterval) await startPeriodicAudit(options.auditInterval, cluster, engine, metrics, logger);
  reloader.start();
  logger.info(
    { port: portOf(app), metricsPort: portOf(metricsApp), mode: config.mode, rules: RULES.length, kinds: engine.judgedKinds() },
    'listening',
  );
  if (tls.dev) printDevHelp(tls.caFile, portOf(app));

  installSignalHandlers(logger, async (signal) => {
    const inTime = await shutdownGracefully({
      drain,
      drainMs: signal === 'SIGTERM' ? options.drainSeconds * 1000 : 0,
      servers: [app, metricsApp],
      stop: [() => reloader.stop()],
      logger,
    });
    process.exit(inTime ? 0 : 1);
  });
}

function overrides(options: ServeOptions): WebhookConfigSection {
  const section: WebhookConfigSection = {};
  if (options.mode) section.mode = options.mode;
  if (options.serviceAccount) section.ownServiceAccount = options.serviceAccount;
  return section;
}

/** Given files, or (development) a CA and certificate generated once under certs/dev/. */
async function tlsFiles(options: ServeOptions): Promise<{ certFile: string; keyFile: string; caFile: string; dev: boolean }> {
  if (options.tlsCert && options.tlsKey) return { certFile: options.tlsCert, keyFile: options.tlsKey, caFile: '', dev: false };
  // Certificate generation (@peculiar/x509, ~20 MB) is loaded only when there is something to generate.
  const { ensureDevCertificates } = await import('../certs/dev.js');
  const dev = await ensureDevCertificates(resolve(options.devCertsDir));
  return { ...dev, dev: true };
}

/** `--audit-interval`: the audit from the live world's cache, published as a gauge and Events. */
async function startPeriodicAudit(
  interval: string,
  cluster: LiveWorldProvider | undefined,
  engine: Engine,
  metrics: WebhookMetrics,
  logger: Logger,
): Promise<void> {
  const intervalMs = parseGoDuration(interval);
  if (!cluster || !intervalMs) {
    logger.warn('--audit-interval needs a cluster (--kubeconfig or in-cluster config) and a positive duration; the periodic audit is off');
    return;
  }
  const { PeriodicAudit } = await import('../audit/periodic.js');
  new PeriodicAudit(cluster.kc, cluster, engine, metrics.registry, { intervalMs, logger }).start();
}

/**
 * The live-cluster provider, with list/watch caches of what the rules ask about and on-demand Secret and ConfigMap reads, when --kubeconfig is given or
 * ddguard runs in a pod; none otherwise (the webhook judges in a fixed, empty world and rules that need other
 * objects warn). @kubernetes/client-node adds ~70 MB to the process, so it is loaded only here, when needed.
 */
async function connectCluster(options: ServeOptions, logger: Logger): Promise<LiveWorldProvider | undefined> {
  const wantsCluster = Boolean(options.kubeconfig || process.env['KUBERNETES_SERVICE_HOST']);
  if (!wantsCluster) return undefined;
  const [{ loadKubeConfig }, { LiveWorldProvider }] = await Promise.all([import('../kube-client/client.js'), import('../world/live.js')]);
  const kc = loadKubeConfig({
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.context ? { context: options.context } : {}),
  });
  // Started by serve once both ports are bound.
  return new LiveWorldProvider(kc, { logger });
}

/** Why a port could not be bound, in the user's terms; other listen errors are bugs and pass through. */
const LISTEN_PROBLEMS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the port is already in use',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'the address is not available on this machine',
};

async function listenOn(app: FastifyInstance, listen: FastifyListenOptions & { host: string; port: number }, what: string, flag: string): Promise<void> {
  try {
    await app.listen(listen);
  } catch (error: unknown) {
    const code = (error as { code?: unknown }).code;
    const problem = typeof code === 'string' ? LISTEN_PROBLEMS[code] : undefined;
    if (!problem) throw error;
    throw new ListenError(`cannot listen for ${what} on ${listen.host}:${listen.port} (${flag}): ${problem}`, { cause: error });
  }
}

function printDevHelp(caFile: string, port: number): void {
  process.stderr.write(
    [
      '',
      `ddguard serve: development mode (no --tls-cert/--tls-key), no cluster.`,
      `  CA certificate: ${caFile}`,
      `  Send the sample broken review (expect a denial):`,
      `  curl --cacert ${caFile} https://localhost:${port}/validate -H 'content-type: application/json' -d @${SAMPLE_REVIEW}`,
      '',
    ].join('\n'),
  );
}

function installSignalHandlers(logger: Logger, shutdown: (signal: NodeJS.Signals) => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'signal received');
    shutdown(signal).catch((error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // A stray promise must not take the webhook (and with it the cluster's writes) down.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled promise rejection'));
}

function portOf(app: FastifyInstance): number {
  const address = app.server.address();
  return typeof address === 'object' && address ? address.port : 0;
}
