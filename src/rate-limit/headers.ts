import type { LimitCheck } from './limiter.ts';

/** The policy's name in the structured fields; there is one per answer, the per-client operation budget. */
const POLICY = '"budget"';

/**
 * The RateLimit headers of a budget verdict, as every answer carries them, hot-path hits included:
 * the IETF draft's structured `RateLimit-Policy` (quota and window) and `RateLimit` (remaining,
 * seconds to reset), beside the earlier drafts' trio that deployed clients still read.
 */
export function rateLimitHeaders(
  check: Pick<LimitCheck, 'limit' | 'remaining' | 'resetSeconds'>,
  policy: { windowMs: number },
): [string, string][] {
  return [
    ['RateLimit-Limit', String(check.limit)],
    ['RateLimit-Remaining', String(check.remaining)],
    ['RateLimit-Reset', String(check.resetSeconds)],
    ['RateLimit-Policy', `${POLICY};q=${check.limit};w=${Math.max(1, Math.ceil(policy.windowMs / 1000))}`],
    ['RateLimit', `${POLICY};r=${check.remaining};t=${check.resetSeconds}`],
  ];
}
