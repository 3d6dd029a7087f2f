import type { LimitCheck } from './limiter.ts';

/** The RateLimit headers of a budget verdict, as every answer carries them, hot-path hits included. */
export function rateLimitHeaders(check: Pick<LimitCheck, 'limit' | 'remaining' | 'resetSeconds'>): [string, string][] {
  return [
    ['RateLimit-Limit', String(check.limit)],
    ['RateLimit-Remaining', String(check.remaining)],
    ['RateLimit-Reset', String(check.resetSeconds)],
  ];
}
