import { pino, type DestinationStream, type Logger } from 'pino';
import type { Env } from './env.ts';
import { requestScope } from './request-scope.ts';

export type { Logger };

/**
 * Field names whose values never reach a log, wherever a caller puts them:
 * a stray `logger.info({ input })` must not leak a password or a bearer token.
 */
const REDACTED = [
  'password',
  'token',
  'authorization',
  '*.password',
  '*.token',
  '*.authorization',
  '*.*.password',
  '*.*.token',
  '*.headers.authorization',
  'req.headers.authorization',
];

/**
 * With debug lines on, every line logged while a request runs names it (the
 * async scope is on only then); otherwise the lines a request causes name it
 * themselves (`reqId`: slow operations, unexpected errors).
 */
function mixin(): object {
  const scope = requestScope.getStore();
  return scope ? { reqId: scope.id } : {};
}

/**
 * One structured logger per process: JSON lines for log shippers, or readable
 * lines (pino-pretty) when a person watches a terminal outside production.
 * `destination` receives the JSON lines instead of stdout (tests capture them).
 */
export function createLogger(
  env: Pick<Env, 'LOG_LEVEL' | 'NODE_ENV'>,
  pretty = process.stdout.isTTY === true,
  destination?: DestinationStream,
): Logger {
  const redact = { paths: REDACTED, censor: '[redacted]' };
  if (pretty && env.NODE_ENV !== 'production' && !destination) {
    return pino({
      level: env.LOG_LEVEL,
      mixin,
      redact,
      transport: { target: 'pino-pretty', options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' } },
    });
  }
  const options = { level: env.LOG_LEVEL, base: undefined, mixin, redact };
  return destination ? pino(options, destination) : pino(options);
}
