import type { LevelWithSilent } from 'pino';

/** pino's levels, apart from pino itself so that option parsing does not load the logger. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number] & LevelWithSilent;
