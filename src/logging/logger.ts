import { pino, destination, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './levels.js';
import { withoutSecretValues } from './secret-paths.js';

export type { Logger } from 'pino';

export { LOG_LEVELS, type LogLevel } from './levels.js';

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; stdout when absent. Tests pass a stream to read the lines back. */
  destination?: DestinationStream;
  /** Fields on every line (e.g. `{ component: 'webhook' }`). */
  base?: Record<string, unknown>;
}

/** The one logger of a ddguard process: JSON lines, ISO times, secret-bearing fields censored (secret-paths.ts). */
export function createLogger(options: LoggerOptions = {}): Logger {
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: withoutSecretValues({ name: 'ddguard', ...options.base }),
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: withoutSecretValues },
    },
    options.destination ?? destination({ fd: 1, sync: true }),
  );
  // A child's bindings are serialised once, when it is made, and pino gives children no bindings formatter of
  // their own: they are censored on the way in. Children inherit this method from the logger they come from.
  const makeChild = logger.child;
  logger.child = function (this: Logger, bindings, childOptions) {
    return makeChild.call(this, withoutSecretValues(bindings), childOptions);
  } as Logger['child'];
  return logger;
}
