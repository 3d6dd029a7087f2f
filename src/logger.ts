import { pino, type Logger } from 'pino';
import type { Env } from './env.ts';

export type { Logger };

/**
 * One structured logger per process: JSON lines for log shippers, or readable
 * lines (pino-pretty) when a person watches a terminal outside production.
 */
export function createLogger(env: Pick<Env, 'LOG_LEVEL' | 'NODE_ENV'>, pretty = process.stdout.isTTY === true): Logger {
  if (pretty && env.NODE_ENV !== 'production') {
    return pino({
      level: env.LOG_LEVEL,
      transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } },
    });
  }
  return pino({ level: env.LOG_LEVEL, base: undefined });
}
