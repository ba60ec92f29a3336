import type { ErrorObject } from 'ajv';
import { LOG_LEVELS, type LogLevel } from '../logging/levels.js';
import { SERVICE_ACCOUNT_USER } from './config.js';
import { DEFAULT_SERVER_LIMITS } from './limits.js';
import { WebhookConfigError } from './errors.js';
import { compiledOnFirstUse } from '../config/lazy-validator.js';

/** Settings of `ddguard serve`, from flags and their DDGUARD_* environment equivalents. */
export interface ServeOptions {
  host: string;
  port: number;
  metricsPort: number;
  tlsCert?: string;
  tlsKey?: string;
  /** Where `npm start` keeps its generated CA and certificate when no --tls-cert/--tls-key are given. */
  devCertsDir: string;
  config?: string;
  kubeconfig?: string;
  /** A context of the kubeconfig other than its current one. */
  context?: string;
  logLevel: LogLevel;
  /** Overrides `webhook.mode` from the config file. */
  mode?: 'enforce' | 'warn';
  /** Seconds to keep answering after SIGTERM while the endpoint leaves the Service. */
  drainSeconds: number;
  /** Overrides `webhook.ownServiceAccount`. */
  serviceAccount?: string;
  /** Go duration (`5m`): run the audit this often from the caches; off when absent. Needs a cluster. */
  auditInterval?: string;
  /** Review bytes read or judged at once; more is answered 429 (src/webhook/limits.ts). */
  maxInFlightBytes: number;
  maxConnections: number;
  handshakeTimeoutSeconds: number;
  headersTimeoutSeconds: number;
}

export interface OptionSpec {
  key: keyof ServeOptions;
  /** Commander syntax; the camel-cased long name must equal `key`. */
  flag: string;
  env: string;
  description: string;
  schema: Record<string, unknown>;
  default?: string | number;
}

const PORT = { type: 'integer', minimum: 0, maximum: 65535 };
const TIMEOUT_SECONDS = { type: 'number', minimum: 0.1, maximum: 600 };
const PATH = { type: 'string', minLength: 1 };

/**
 * Every `serve` setting in one table: the flag, its environment variable, its schema and default. A new
 * setting (the audit interval, say) is one entry here and one field in ServeOptions.
 */
export const SERVE_OPTIONS: readonly OptionSpec[] = [
  { key: 'port', flag: '--port <port>', env: 'DDGUARD_PORT', description: 'HTTPS port for /validate, /healthz, /readyz (0 picks a free one)', schema: PORT, default: 8443 },
  { key: 'host', flag: '--host <address>', env: 'DDGUARD_HOST', description: 'address to listen on', schema: PATH, default: '0.0.0.0' },
  { key: 'tlsCert', flag: '--tls-cert <file>', env: 'DDGUARD_TLS_CERT', description: 'serving certificate (PEM); reloaded when it changes', schema: PATH },
  { key: 'tlsKey', flag: '--tls-key <file>', env: 'DDGUARD_TLS_KEY', description: 'serving key (PEM); reloaded when it changes', schema: PATH },
  { key: 'devCertsDir', flag: '--dev-certs-dir <dir>', env: 'DDGUARD_DEV_CERTS_DIR', description: 'where a development CA and certificate are generated when no --tls-cert/--tls-key are given', schema: PATH, default: 'certs/dev' },
  { key: 'config', flag: '--config <file>', env: 'DDGUARD_CONFIG', description: 'ddguard config file (severities, exemptions, webhook settings)', schema: PATH },
  { key: 'kubeconfig', flag: '--kubeconfig <file>', env: 'DDGUARD_KUBECONFIG', description: 'kubeconfig of the cluster to read (in-cluster config is found automatically)', schema: PATH },
  { key: 'context', flag: '--context <name>', env: 'DDGUARD_CONTEXT', description: 'kubeconfig context to use instead of the current one', schema: { type: 'string', minLength: 1 } },
  { key: 'metricsPort', flag: '--metrics-port <port>', env: 'DDGUARD_METRICS_PORT', description: 'plain-HTTP port for /metrics (0 picks a free one)', schema: PORT, default: 9090 },
  { key: 'logLevel', flag: '--log-level <level>', env: 'DDGUARD_LOG_LEVEL', description: LOG_LEVELS.join('|'), schema: { enum: [...LOG_LEVELS] }, default: 'info' },
  { key: 'mode', flag: '--mode <mode>', env: 'DDGUARD_MODE', description: 'enforce (deny on errors) or warn (never deny); overrides the config file', schema: { enum: ['enforce', 'warn'] } },
  { key: 'drainSeconds', flag: '--drain-seconds <seconds>', env: 'DDGUARD_DRAIN_SECONDS', description: 'after SIGTERM, keep answering this long with readiness failing', schema: { type: 'number', minimum: 0, maximum: 600 }, default: 10 },
  { key: 'auditInterval', flag: '--audit-interval <duration>', env: 'DDGUARD_AUDIT_INTERVAL', description: 'run the audit this often (e.g. 5m) from the caches: ddguard_violations gauge and DatadogMisconfigured Events; off by default', schema: { type: 'string', pattern: '^([0-9]+(\\.[0-9]+)?(h|m|s|ms))+$' } },
  { key: 'maxInFlightBytes', flag: '--max-in-flight-bytes <bytes>', env: 'DDGUARD_MAX_IN_FLIGHT_BYTES', description: 'review bytes read or judged at once; more is answered 429 with Retry-After (one review is always let in)', schema: { type: 'integer', minimum: 1 }, default: DEFAULT_SERVER_LIMITS.maxInFlightBytes },
  { key: 'maxConnections', flag: '--max-connections <count>', env: 'DDGUARD_MAX_CONNECTIONS', description: 'open connections to the HTTPS port; more are closed at once', schema: { type: 'integer', minimum: 1 }, default: DEFAULT_SERVER_LIMITS.maxConnections },
  { key: 'handshakeTimeoutSeconds', flag: '--handshake-timeout-seconds <seconds>', env: 'DDGUARD_HANDSHAKE_TIMEOUT_SECONDS', description: 'close a connection that has not finished its TLS handshake after this long', schema: TIMEOUT_SECONDS, default: DEFAULT_SERVER_LIMITS.handshakeTimeoutMs / 1000 },
  { key: 'headersTimeoutSeconds', flag: '--headers-timeout-seconds <seconds>', env: 'DDGUARD_HEADERS_TIMEOUT_SECONDS', description: 'close a connection whose request headers (or first request) have not arrived after this long; kept-alive connections between requests are not affected', schema: TIMEOUT_SECONDS, default: DEFAULT_SERVER_LIMITS.headersTimeoutMs / 1000 },
  { key: 'serviceAccount', flag: '--service-account <user>', env: 'DDGUARD_SERVICE_ACCOUNT', description: 'the webhook\'s own user, system:serviceaccount:NS:NAME; its requests are allowed', schema: { type: 'string', pattern: SERVICE_ACCOUNT_USER } },
];

const validator = compiledOnFirstUse<ServeOptions>({ allErrors: true, coerceTypes: true, strict: true }, () => ({
  type: 'object',
  properties: Object.fromEntries(SERVE_OPTIONS.map((o) => [o.key, o.schema])),
  dependencies: { tlsCert: ['tlsKey'], tlsKey: ['tlsCert'] },
}));

/**
 * Flags win over the environment, which wins over defaults. Every problem is reported at once, naming the
 * flag or variable it came from.
 */
export function resolveServeOptions(flags: Readonly<Record<string, unknown>>, env: NodeJS.ProcessEnv): ServeOptions {
  const { raw, origin } = gatherRawOptions(flags, env);
  const validate = validator();
  const problems = validate(raw) ? [] : (validate.errors ?? []).map((e) => describe(e, origin));
  const { port, metricsPort } = raw as Partial<ServeOptions>;
  if (port !== undefined && port !== 0 && port === metricsPort) {
    problems.push(`${origin.get('metricsPort') ?? '--metrics-port'}: must differ from the HTTPS port (${port})`);
  }
  if (problems.length) throw new WebhookConfigError(problems);
  return Object.freeze(raw as unknown as ServeOptions);
}

/** Each option's raw value (flag, else non-empty env, else default) and where it came from, for messages. */
function gatherRawOptions(
  flags: Readonly<Record<string, unknown>>,
  env: NodeJS.ProcessEnv,
): { raw: Record<string, unknown>; origin: Map<string, string> } {
  const raw: Record<string, unknown> = {};
  const origin = new Map<string, string>();
  for (const spec of SERVE_OPTIONS) {
    const fromFlag = flags[spec.key];
    const fromEnv = env[spec.env] === '' ? undefined : env[spec.env];
    if (fromFlag !== undefined) origin.set(spec.key, spec.flag.split(' ')[0] ?? spec.key);
    else if (fromEnv !== undefined) origin.set(spec.key, spec.env);
    const value = fromFlag ?? fromEnv ?? spec.default;
    if (value !== undefined) raw[spec.key] = value;
  }
  return { raw, origin };
}

function describe(error: ErrorObject, origin: ReadonlyMap<string, string>): string {
  const key = error.instancePath.replace(/^\//, '') || String((error.params as { property?: string }).property ?? '');
  const spec = SERVE_OPTIONS.find((o) => o.key === key);
  const name = origin.get(key) ?? (spec ? `${spec.flag.split(' ')[0]} (${spec.env})` : key);
  if (error.keyword === 'dependencies') {
    const missing = SERVE_OPTIONS.find((o) => o.key === (error.params as { missingProperty?: string }).missingProperty);
    return `${name} needs ${missing ? `${missing.flag.split(' ')[0]} (${missing.env})` : 'its pair'} as well`;
  }
  const values = (error.params as { allowedValues?: unknown[] }).allowedValues;
  return `${name}: ${error.message ?? 'is invalid'}${Array.isArray(values) ? ` (${values.join(', ')})` : ''}`;
}
