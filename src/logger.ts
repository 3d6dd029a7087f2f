import { pino, type Logger } from 'pino';
import type { Env } from './env.ts';

export type { Logger };

/** One structured logger per process; JSON lines so production log shippers need no parsing rules. */
export function createLogger(env: Pick<Env, 'LOG_LEVEL'>): Logger {
  return pino({ level: env.LOG_LEVEL, base: undefined });
}
