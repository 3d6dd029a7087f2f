import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { ErrorCode } from '../errors.ts';
import type { LimitCheck, RateLimiter } from '../rate-limit/limiter.ts';
import type { RateLimitConfig } from '../rate-limit/policies.ts';

/** Options of useOperationBudget. */
export interface OperationBudgetOptions {
  limiter: RateLimiter;
  config: RateLimitConfig;
  /** Who is asking: `user:<id>` when the token is valid, else `ip:<address>`. */
  identityOf(request: Request, serverContext: unknown): Promise<string>;
}

/**
 * The per-client operation budget (100 a minute by default), counted for each
 * operation of a request (so HTTP batches count each) before the response
 * cache is consulted, so cache hits count too. Over budget, the whole
 * operation is refused with HTTP 429 and Retry-After; every answer carries
 * RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset.
 */
export function useOperationBudget(options: OperationBudgetOptions): Plugin {
  const { limiter, config } = options;
  const checks = new WeakMap<Request, LimitCheck>();
  return {
    async onParams({ request, context }) {
      if (!config.enabled) return;
      const check = await limiter.hit('budget', config.budget, await options.identityOf(request, context), false);
      const previous = checks.get(request);
      if (!previous || check.remaining <= previous.remaining) checks.set(request, check);
      if (!check.allowed) {
        throw createGraphQLError(`Too many requests; retry in ${check.resetSeconds} s`, {
          extensions: {
            code: ErrorCode.RATE_LIMITED,
            retryAfter: check.resetSeconds,
            http: { status: 429, headers: { 'Retry-After': String(check.resetSeconds) } },
          },
        });
      }
    },
    onResponse({ request, response }) {
      const check = checks.get(request);
      if (!check) return;
      response.headers.set('RateLimit-Limit', String(check.limit));
      response.headers.set('RateLimit-Remaining', String(check.remaining));
      response.headers.set('RateLimit-Reset', String(check.resetSeconds));
    },
  };
}
