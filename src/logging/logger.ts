import { pino, destination, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './levels.js';

export type { Logger } from 'pino';

export { LOG_LEVELS, type LogLevel } from './levels.js';

const LAST_APPLIED = '["kubectl.kubernetes.io/last-applied-configuration"]';

/**
 * Paths that may hold a Secret's values if an object ever reaches a log call. Code logs names and counts,
 * never objects; these paths are the second line of defence: a Secret's `data` and `stringData`, and the
 * last-applied annotation (kubectl copies a Secret's values into it in plain text), at the depths an object
 * can sit in a log record (`object`, `request.object`, `review.request.oldObject`, …).
 */
export const REDACT_PATHS: readonly string[] = [
  ...['data', 'stringData', `metadata.annotations${LAST_APPLIED}`].flatMap((leaf) => [
    leaf,
    `*.${leaf}`,
    `*.*.${leaf}`,
    `*.*.*.${leaf}`,
  ]),
  'req.headers.authorization',
];

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; stdout when absent. Tests pass a stream to read the lines back. */
  destination?: DestinationStream;
  /** Fields on every line (e.g. `{ component: 'webhook' }`). */
  base?: Record<string, unknown>;
}

/** The one logger of a ddguard process: JSON lines, ISO times, secret-bearing paths redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { name: 'ddguard', ...options.base },
      timestamp: stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? destination({ fd: 1, sync: true }),
  );
}
